// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink for SAs: add one to a peer, delete, flush and dump them. A new
 * SA is complete before anything can see it; keys are never dumped.
 */

#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/moat.h>

#include "crypto.h"
#include "device.h"
#include "netlink.h"
#include "netns.h"
#include "peer.h"
#include "replay.h"
#include "sa.h"

static const int moat_lt_attr[2][__MOAT_LT_KINDS] = {
	{ MOAT_LT_A_SOFT_BYTES, MOAT_LT_A_SOFT_PACKETS, MOAT_LT_A_SOFT_SECONDS },
	{ MOAT_LT_A_HARD_BYTES, MOAT_LT_A_HARD_PACKETS, MOAT_LT_A_HARD_SECONDS },
};

static int moat_lt_from_attr(struct nlattr *nest, struct moat_lifetime *lt,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_LT_A_MAX + 1];
	int k, ret;

	memset(lt, 0, sizeof(*lt));
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, MOAT_LT_A_MAX, nest, NULL, extack);
	if (ret)
		return ret;
	for (k = 0; k < __MOAT_LT_KINDS; k++) {
		if (tb[moat_lt_attr[0][k]])
			lt->soft[k] = nla_get_u64(tb[moat_lt_attr[0][k]]);
		if (tb[moat_lt_attr[1][k]])
			lt->hard[k] = nla_get_u64(tb[moat_lt_attr[1][k]]);
		if (lt->soft[k] && lt->hard[k] && lt->soft[k] > lt->hard[k]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "a soft lifetime is past its hard one");
			return -EINVAL;
		}
	}
	return 0;
}

/* Fills @cfg from a MOAT_A_SA nest; @cfg->key points into the request. */
static int moat_sa_cfg_from_attrs(struct nlattr *nest, struct moat_sa_cfg *cfg,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_SA_A_MAX + 1];
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!nest) {
		NL_SET_ERR_MSG(extack, "no SA given");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, MOAT_SA_A_MAX, nest, moat_sa_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, MOAT_SA_A_SPI) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MOAT_SA_A_DIR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MOAT_SA_A_ALG) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MOAT_SA_A_KEY)) {
		NL_SET_ERR_MSG(extack, "an SA needs spi, dir, aead and a key");
		return -EINVAL;
	}
	cfg->spi = nla_get_u32(tb[MOAT_SA_A_SPI]);
	cfg->dir = nla_get_u8(tb[MOAT_SA_A_DIR]);
	cfg->alg = moat_aead_find(nla_data(tb[MOAT_SA_A_ALG]));
	if (!cfg->alg) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_SA_A_ALG],
				    "unsupported AEAD: use rfc4106(gcm(aes)) or rfc7539esp(chacha20,poly1305)");
		return -EOPNOTSUPP;
	}
	cfg->key = nla_data(tb[MOAT_SA_A_KEY]);
	cfg->key_len = nla_len(tb[MOAT_SA_A_KEY]);
	if (!moat_aead_key_len_ok(cfg->alg, cfg->key_len)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_SA_A_KEY],
				    "wrong key length: AES-GCM takes 16, 24 or 32 bytes, ChaCha20-Poly1305 32, each plus a 4-byte salt");
		return -EINVAL;
	}
	if (tb[MOAT_SA_A_FLAGS])
		cfg->esn = nla_get_u32(tb[MOAT_SA_A_FLAGS]) & MOAT_SA_F_ESN;
	if (cfg->dir == MOAT_DIR_OUT) {
		if (tb[MOAT_SA_A_REPLAY_WINDOW]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_SA_A_REPLAY_WINDOW],
					    "outbound SAs have no replay window");
			return -EINVAL;
		}
	} else {
		cfg->replay_window = tb[MOAT_SA_A_REPLAY_WINDOW] ?
			nla_get_u32(tb[MOAT_SA_A_REPLAY_WINDOW]) :
			MOAT_REPLAY_WINDOW_DEFAULT;
		if (cfg->esn && !cfg->replay_window) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_SA_A_REPLAY_WINDOW],
					    "ESN needs a replay window to infer the high bits");
			return -EINVAL;
		}
	}
	return moat_lt_from_attr(tb[MOAT_SA_A_LIFETIME], &cfg->lt, extack);
}

int moat_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_sa_cfg cfg;
	struct moat_peer *peer;
	struct moat_dev *moat;
	struct moat_sa *sa;
	int ret;

	moat = moat_dev_from_attrs(genl_info_net(info), info->attrs,
				   info->extack);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	ret = moat_sa_cfg_from_attrs(info->attrs[MOAT_A_SA], &cfg,
				     info->extack);
	if (ret)
		goto out;
	/* Keying may take seconds: not under the lock device deletion needs. */
	cfg.aead = moat_sa_key(&cfg, info->extack);
	if (IS_ERR(cfg.aead)) {
		ret = PTR_ERR(cfg.aead);
		goto out;
	}
	ret = moat_dev_lock_live(moat, info->extack);
	if (ret) {
		crypto_free_aead(cfg.aead);
		goto out;
	}
	peer = moat_peer_from_attrs(moat, info->attrs[MOAT_A_PEER], true,
				    info->extack);
	if (IS_ERR(peer)) {
		ret = PTR_ERR(peer);
		crypto_free_aead(cfg.aead);
	} else {
		sa = moat_sa_new(peer, &cfg, info->extack);
		ret = PTR_ERR_OR_ZERO(sa);
	}
	mutex_unlock(&moat->lock);
out:
	dev_put(moat->dev);
	return ret;
}

/* Under moat->lock: the SA named by SPI and direction, maybe on one peer. */
static struct moat_sa *moat_sa_from_attrs(struct moat_dev *moat,
					  struct genl_info *info)
{
	struct nlattr *tb[MOAT_SA_A_MAX + 1];
	struct moat_peer *peer, *only;
	struct moat_sa *sa;
	__be32 spi;
	u8 dir;
	int ret;

	if (!info->attrs[MOAT_A_SA]) {
		NL_SET_ERR_MSG(info->extack, "no SA given");
		return ERR_PTR(-EINVAL);
	}
	ret = nla_parse_nested(tb, MOAT_SA_A_MAX, info->attrs[MOAT_A_SA],
			       moat_sa_policy, info->extack);
	if (ret)
		return ERR_PTR(ret);
	if (!tb[MOAT_SA_A_SPI] || !tb[MOAT_SA_A_DIR]) {
		NL_SET_ERR_MSG(info->extack, "name the SA by spi and dir");
		return ERR_PTR(-EINVAL);
	}
	spi = htonl(nla_get_u32(tb[MOAT_SA_A_SPI]));
	dir = nla_get_u8(tb[MOAT_SA_A_DIR]);
	only = moat_peer_from_attrs(moat, info->attrs[MOAT_A_PEER], false,
				    info->extack);
	if (IS_ERR(only))
		return ERR_CAST(only);
	list_for_each_entry(peer, &moat->peers, node) {
		if (only && peer != only)
			continue;
		sa = moat_sa_find(peer, dir, spi);
		if (sa)
			return sa;
	}
	NL_SET_ERR_MSG(info->extack, "no such SA");
	return ERR_PTR(-ENOENT);
}

int moat_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_dev *moat;
	struct moat_sa *sa;
	int ret = 0;

	moat = moat_dev_from_attrs(genl_info_net(info), info->attrs,
				   info->extack);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	ret = moat_dev_lock_live(moat, info->extack);
	if (ret)
		goto out;
	sa = moat_sa_from_attrs(moat, info);
	if (IS_ERR(sa))
		ret = PTR_ERR(sa);
	else
		moat_sa_remove(sa);
	mutex_unlock(&moat->lock);
out:
	dev_put(moat->dev);
	return ret;
}

int moat_sa_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_peer *peer, *only;
	struct moat_sa *sa, *tmp;
	struct moat_dev *moat;

	moat = moat_dev_lock_peer(genl_info_net(info), info->attrs,
				  info->extack, &only, true);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	list_for_each_entry(peer, &moat->peers, node) {
		if (only && peer != only)
			continue;
		list_for_each_entry_safe(sa, tmp, &peer->sas, peer_node)
			moat_sa_remove(sa);
	}
	moat_dev_unlock(moat);
	return 0;
}

static int moat_put_lifetime(struct sk_buff *skb, const struct moat_lifetime *lt)
{
	struct nlattr *nest = nla_nest_start(skb, MOAT_SA_A_LIFETIME);
	int k, h;

	if (!nest)
		return -EMSGSIZE;
	for (h = 0; h < 2; h++) {
		for (k = 0; k < __MOAT_LT_KINDS; k++) {
			u64 v = h ? lt->hard[k] : lt->soft[k];

			if (v && nla_put_u64_64bit(skb, moat_lt_attr[h][k], v,
						   MOAT_LT_A_PAD)) {
				nla_nest_cancel(skb, nest);
				return -EMSGSIZE;
			}
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static u64 moat_sa_seq_now(struct moat_sa *sa)
{
	if (sa->dir == MOAT_DIR_OUT)
		return atomic64_read(&sa->seq);
	return sa->replay ? moat_replay_top(sa->replay) : 0;
}

static int moat_put_sa(struct sk_buff *skb, struct moat_sa *sa)
{
	u64 v[__MOAT_STAT_MAX];
	struct nlattr *nest;

	nest = nla_nest_start(skb, MOAT_A_SA);
	if (!nest)
		return -EMSGSIZE;
	moat_stats_sum(sa->stats, v);
	if (nla_put_u32(skb, MOAT_SA_A_SPI, ntohl(sa->spi)) ||
	    nla_put_u8(skb, MOAT_SA_A_DIR, sa->dir) ||
	    nla_put_string(skb, MOAT_SA_A_ALG, sa->alg->name) ||
	    nla_put_u32(skb, MOAT_SA_A_ICV_BITS, MOAT_ESP_ICV_LEN * 8) ||
	    nla_put_u32(skb, MOAT_SA_A_FLAGS, sa->esn ? MOAT_SA_F_ESN : 0) ||
	    (sa->dir == MOAT_DIR_IN &&
	     nla_put_u32(skb, MOAT_SA_A_REPLAY_WINDOW, sa->replay_window)) ||
	    moat_put_lifetime(skb, &sa->lt) ||
	    nla_put_u8(skb, MOAT_SA_A_STATE, moat_sa_state(sa)) ||
	    nla_put_u64_64bit(skb, MOAT_SA_A_SEQ, moat_sa_seq_now(sa),
			      MOAT_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, MOAT_SA_A_AGE,
			      ktime_get_seconds() - sa->added, MOAT_SA_A_PAD) ||
	    moat_stats_put(skb, MOAT_SA_A_STATS, v)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int moat_fill_sa(struct sk_buff *skb, struct netlink_callback *cb,
			struct moat_dev *moat, struct moat_sa *sa)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &moat_genl_family, NLM_F_MULTI, MOAT_CMD_SA_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (moat_put_dev(skb, moat) || moat_put_peer_id(skb, sa->peer) ||
	    moat_put_sa(skb, sa)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0]: SAs already sent, counted over the peers in list order. */
int moat_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct moat_peer *peer, *only;
	struct moat_dev *moat;
	struct moat_sa *sa;
	long idx = 0;
	int ret = 0;

	moat = moat_dev_lock_peer(sock_net(skb->sk), info->attrs, cb->extack,
				  &only, false);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	list_for_each_entry(peer, &moat->peers, node) {
		if (only && peer != only)
			continue;
		list_for_each_entry(sa, &peer->sas, peer_node) {
			if (idx++ < cb->args[0])
				continue;
			ret = moat_fill_sa(skb, cb, moat, sa);
			if (ret) {
				idx--;
				goto done;
			}
		}
	}
done:
	cb->args[0] = idx;
	moat_dev_unlock(moat);
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ? ret : skb->len;
}
