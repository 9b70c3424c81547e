// SPDX-License-Identifier: GPL-2.0
/*
 * The "moat" generic netlink family: how userspace reads and changes moat
 * devices. Policies are strict; every rejection says why in the extack.
 */

#include <linux/netdevice.h>
#include <linux/slab.h>
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
#include "selectors.h"

static struct netlink_range_validation moat_floor4_range = {
	.min = MOAT_PMTU_FLOOR4_MIN,
	.max = MOAT_PMTU_FLOOR4_MAX,
};

static struct netlink_range_validation moat_max_peers_range = {
	.min = 1,
	.max = MOAT_MAX_PEERS_LIMIT,
};

static struct netlink_range_validation moat_max_sas_range = {
	.min = 1,
	.max = MOAT_MAX_SAS_LIMIT,
};

/* What a request may say about a link; the rest is for replies only. */
const struct nla_policy moat_link_policy[MOAT_LINK_A_MAX + 1] = {
	[MOAT_LINK_A_IFINDEX] = {
		.type = NLA_REJECT,
		.reject_message = "the link index is read-only",
	},
	[MOAT_LINK_A_IFNAME] = {
		.type = NLA_REJECT,
		.reject_message = "rename a moat link with ip link",
	},
	[MOAT_LINK_A_MTU] = {
		.type = NLA_REJECT,
		.reject_message = "set the MTU with ip link",
	},
	[MOAT_LINK_A_OPERSTATE] = {
		.type = NLA_REJECT,
		.reject_message = "the operational state is read-only",
	},
	[MOAT_LINK_A_MSS_CLAMP] = { .type = NLA_U32 },
	[MOAT_LINK_A_PMTU_FLOOR4] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &moat_floor4_range),
	[MOAT_LINK_A_N_PEERS] = {
		.type = NLA_REJECT,
		.reject_message = "the peer count is read-only",
	},
	[MOAT_LINK_A_N_SAS] = {
		.type = NLA_REJECT,
		.reject_message = "the SA count is read-only",
	},
	[MOAT_LINK_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "statistics are read-only",
	},
	[MOAT_LINK_A_MAX_PEERS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&moat_max_peers_range),
	[MOAT_LINK_A_MAX_SAS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						      &moat_max_sas_range),
};

static const struct nla_policy moat_ts_policy[MOAT_TS_A_MAX + 1] = {
	[MOAT_TS_A_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[MOAT_TS_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MOAT_TS_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy moat_peer_policy[MOAT_PEER_A_MAX + 1] = {
	[MOAT_PEER_A_REMOTE4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[MOAT_PEER_A_REMOTE6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MOAT_PEER_A_LOCAL4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[MOAT_PEER_A_LOCAL6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MOAT_PEER_A_ENCAP] = NLA_POLICY_MAX(NLA_U8, MOAT_ENCAP_UDP),
	[MOAT_PEER_A_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[MOAT_PEER_A_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[MOAT_PEER_A_TS] = NLA_POLICY_NESTED_ARRAY(moat_ts_policy),
	[MOAT_PEER_A_N_SAS] = {
		.type = NLA_REJECT,
		.reject_message = "the SA count is read-only",
	},
	[MOAT_PEER_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "statistics are read-only",
	},
	[MOAT_PEER_A_PMTU] = {
		.type = NLA_REJECT,
		.reject_message = "the path MTU is learned, not set",
	},
	[MOAT_PEER_A_INNER_MTU4] = {
		.type = NLA_REJECT,
		.reject_message = "the inner MTU is derived, not set",
	},
	[MOAT_PEER_A_INNER_MTU6] = {
		.type = NLA_REJECT,
		.reject_message = "the inner MTU is derived, not set",
	},
};

static struct netlink_range_validation moat_lt_seconds_range = {
	.min = 0,
	.max = MOAT_LT_SECONDS_MAX,
};

static const struct nla_policy moat_lt_policy[MOAT_LT_A_MAX + 1] = {
	[MOAT_LT_A_SOFT_BYTES] = { .type = NLA_U64 },
	[MOAT_LT_A_SOFT_PACKETS] = { .type = NLA_U64 },
	[MOAT_LT_A_SOFT_SECONDS] = NLA_POLICY_FULL_RANGE(NLA_U64,
						&moat_lt_seconds_range),
	[MOAT_LT_A_HARD_BYTES] = { .type = NLA_U64 },
	[MOAT_LT_A_HARD_PACKETS] = { .type = NLA_U64 },
	[MOAT_LT_A_HARD_SECONDS] = NLA_POLICY_FULL_RANGE(NLA_U64,
						&moat_lt_seconds_range),
};

static struct netlink_range_validation moat_window_range = {
	.min = 0,
	.max = MOAT_REPLAY_WINDOW_MAX,
};

const struct nla_policy moat_sa_policy[MOAT_SA_A_MAX + 1] = {
	/* SPIs 1..255 are reserved (RFC 4303 2.1); 0 means none. */
	[MOAT_SA_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[MOAT_SA_A_DIR] = NLA_POLICY_RANGE(NLA_U8, MOAT_DIR_IN, MOAT_DIR_OUT),
	[MOAT_SA_A_ALG] = { .type = NLA_NUL_STRING,
			    .len = MOAT_ALG_NAME_MAX - 1 },
	[MOAT_SA_A_KEY] = { .type = NLA_BINARY, .len = MOAT_KEY_MAX },
	[MOAT_SA_A_ICV_BITS] = NLA_POLICY_RANGE(NLA_U32, 128, 128),
	[MOAT_SA_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, MOAT_SA_F_ESN),
	[MOAT_SA_A_REPLAY_WINDOW] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &moat_window_range),
	[MOAT_SA_A_LIFETIME] = NLA_POLICY_NESTED(moat_lt_policy),
	[MOAT_SA_A_STATE] = {
		.type = NLA_REJECT,
		.reject_message = "the SA state is read-only",
	},
	[MOAT_SA_A_SEQ] = {
		.type = NLA_REJECT,
		.reject_message = "the sequence number is read-only",
	},
	[MOAT_SA_A_AGE] = {
		.type = NLA_REJECT,
		.reject_message = "the SA age is read-only",
	},
	[MOAT_SA_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "statistics are read-only",
	},
	[MOAT_SA_A_EXPIRE] = {
		.type = NLA_REJECT,
		.reject_message = "expiry is reported, not set",
	},
	[MOAT_SA_A_EXPIRE_REASON] = {
		.type = NLA_REJECT,
		.reject_message = "expiry is reported, not set",
	},
};

static const struct nla_policy moat_policy[MOAT_A_MAX + 1] = {
	[MOAT_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[MOAT_A_LINK] = NLA_POLICY_NESTED(moat_link_policy),
	[MOAT_A_PEER] = NLA_POLICY_NESTED(moat_peer_policy),
	[MOAT_A_SA] = NLA_POLICY_NESTED(moat_sa_policy),
	[MOAT_A_SOCK_FD] = { .type = NLA_U32 },
	[MOAT_A_GUARD] = NLA_POLICY_NESTED(moat_guard_policy),
	[MOAT_A_SOCK_KIND] = NLA_POLICY_MAX(NLA_U8, MOAT_SOCK_IKE),
};

/* A fixed MSS must leave room for real segments and fit an IPv4 packet. */
bool moat_mss_clamp_valid(u32 mss)
{
	return mss == MOAT_MSS_CLAMP_OFF || mss == MOAT_MSS_CLAMP_AUTO ||
	       (mss >= MOAT_MSS_MIN && mss <= MOAT_MSS_MAX);
}

/*
 * Find the device a request names, in the requester's namespace. On
 * success the caller owns a reference and must dev_put() it.
 */
struct moat_dev *moat_dev_from_attrs(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (attrs[MOAT_A_IFINDEX]) {
		dev = dev_get_by_index(net, nla_get_u32(attrs[MOAT_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[MOAT_A_IFINDEX],
					    "unknown device");
			return ERR_PTR(-ENODEV);
		}
	} else if (attrs[MOAT_A_IFNAME]) {
		dev = dev_get_by_name(net, nla_data(attrs[MOAT_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[MOAT_A_IFNAME],
					    "unknown device");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(extack, "no device given: name it by index or name");
		return ERR_PTR(-EINVAL);
	}

	if (!moat_is_moat_dev(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG(extack, "not a moat device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int moat_put_link_stats(struct sk_buff *skb, struct moat_dev *moat)
{
	u64 v[__MOAT_STAT_MAX], ns[__MOAT_STAT_MAX];
	struct rtnl_link_stats64 st;
	int i;

	moat_stats_sum(moat->stats, v);
	/* Drops before any device is known are the outer namespace's. */
	moat_stats_sum(moat_net(moat->outer_net)->stats, ns);
	for (i = 0; i < __MOAT_STAT_MAX; i++)
		v[i] += ns[i];
	dev_get_tstats64(moat->dev, &st);
	v[MOAT_STAT_RX_PACKETS] = st.rx_packets;
	v[MOAT_STAT_RX_BYTES] = st.rx_bytes;
	v[MOAT_STAT_TX_PACKETS] = st.tx_packets;
	v[MOAT_STAT_TX_BYTES] = st.tx_bytes;
	return moat_stats_put(skb, MOAT_LINK_A_STATS, v);
}

int moat_put_dev(struct sk_buff *skb, struct moat_dev *moat)
{
	if (nla_put_u32(skb, MOAT_A_IFINDEX, moat->dev->ifindex) ||
	    nla_put_string(skb, MOAT_A_IFNAME, moat->dev->name))
		return -EMSGSIZE;
	return 0;
}

static int moat_put_link(struct sk_buff *skb, struct moat_dev *moat)
{
	struct net_device *dev = moat->dev;
	struct nlattr *nest;

	if (moat_put_dev(skb, moat))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MOAT_A_LINK);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MOAT_LINK_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, MOAT_LINK_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, MOAT_LINK_A_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u8(skb, MOAT_LINK_A_OPERSTATE, netif_running(dev) ?
		       READ_ONCE(dev->operstate) : IF_OPER_DOWN) ||
	    nla_put_u32(skb, MOAT_LINK_A_MSS_CLAMP,
			READ_ONCE(moat->mss_clamp)) ||
	    nla_put_u32(skb, MOAT_LINK_A_PMTU_FLOOR4,
			READ_ONCE(moat->pmtu_floor4)) ||
	    nla_put_u32(skb, MOAT_LINK_A_N_PEERS, READ_ONCE(moat->n_peers)) ||
	    nla_put_u32(skb, MOAT_LINK_A_N_SAS, READ_ONCE(moat->n_sas)) ||
	    nla_put_u32(skb, MOAT_LINK_A_MAX_PEERS,
			READ_ONCE(moat->max_peers)) ||
	    nla_put_u32(skb, MOAT_LINK_A_MAX_SAS, READ_ONCE(moat->max_sas)) ||
	    moat_put_link_stats(skb, moat)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int moat_fill_link(struct sk_buff *skb, struct moat_dev *moat,
			  u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &moat_genl_family, flags,
			  MOAT_CMD_LINK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (moat_put_link(skb, moat)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int moat_link_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_dev *moat;
	struct sk_buff *msg;
	int ret;

	moat = moat_dev_from_attrs(genl_info_net(info), info->attrs,
				   info->extack);
	if (IS_ERR(moat))
		return PTR_ERR(moat);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = moat_fill_link(msg, moat, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	dev_put(moat->dev);
	return ret;
}

/* Dumps resume by position in the namespace's device list (cb->args[0]). */
static int moat_link_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	long idx = 0;
	int ret = 0;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (!moat_is_moat_dev(dev))
			continue;
		if (idx++ < cb->args[0])
			continue;
		ret = moat_fill_link(skb, netdev_priv(dev),
				     NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	/* A full skb asks for another round; only an empty one is an error. */
	return ret && !skb->len ? ret : skb->len;
}

static int moat_link_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MOAT_LINK_A_MAX + 1];
	struct moat_dev *moat;
	int ret;

	moat = moat_dev_from_attrs(genl_info_net(info), info->attrs,
				   info->extack);
	if (IS_ERR(moat))
		return PTR_ERR(moat);

	if (!info->attrs[MOAT_A_LINK]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		ret = -EINVAL;
		goto out;
	}
	/* Already validated against moat_link_policy by the family policy. */
	ret = nla_parse_nested(tb, MOAT_LINK_A_MAX, info->attrs[MOAT_A_LINK],
			       moat_link_policy, info->extack);
	if (ret)
		goto out;

	if (tb[MOAT_LINK_A_MSS_CLAMP] &&
	    !moat_mss_clamp_valid(nla_get_u32(tb[MOAT_LINK_A_MSS_CLAMP]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MOAT_LINK_A_MSS_CLAMP],
				    "the MSS clamp must be off, auto or 536..65495");
		ret = -ERANGE;
		goto out;
	}

	/* Everything is checked before anything changes. */
	ret = moat_dev_lock_live(moat, info->extack);
	if (ret)
		goto out;
	if (tb[MOAT_LINK_A_MSS_CLAMP])
		WRITE_ONCE(moat->mss_clamp,
			   nla_get_u32(tb[MOAT_LINK_A_MSS_CLAMP]));
	if (tb[MOAT_LINK_A_PMTU_FLOOR4])
		WRITE_ONCE(moat->pmtu_floor4,
			   nla_get_u32(tb[MOAT_LINK_A_PMTU_FLOOR4]));
	/* Lowering a cap keeps what is there; it only refuses more. */
	if (tb[MOAT_LINK_A_MAX_PEERS])
		WRITE_ONCE(moat->max_peers,
			   nla_get_u32(tb[MOAT_LINK_A_MAX_PEERS]));
	if (tb[MOAT_LINK_A_MAX_SAS])
		WRITE_ONCE(moat->max_sas, nla_get_u32(tb[MOAT_LINK_A_MAX_SAS]));
	mutex_unlock(&moat->lock);
out:
	dev_put(moat->dev);
	return ret;
}

/* Sends an expiry event to whoever listens in the device's namespace. */
void moat_nl_sa_event(struct moat_sa *sa, u8 kind, u8 reason, gfp_t gfp)
{
	struct moat_dev *moat = sa->peer->moat;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &moat_genl_family, 0, MOAT_CMD_SA_EXPIRE);
	if (!hdr || moat_put_dev(msg, moat) || moat_put_peer_id(msg, sa->peer))
		goto err;
	nest = nla_nest_start(msg, MOAT_A_SA);
	if (!nest ||
	    nla_put_u32(msg, MOAT_SA_A_SPI, ntohl(sa->spi)) ||
	    nla_put_u8(msg, MOAT_SA_A_DIR, sa->dir) ||
	    nla_put_u8(msg, MOAT_SA_A_EXPIRE, kind) ||
	    nla_put_u8(msg, MOAT_SA_A_EXPIRE_REASON, reason))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&moat_genl_family, dev_net(moat->dev), msg, 0,
				0, gfp);
	return;
err:
	nlmsg_free(msg);
}

static const struct genl_small_ops moat_genl_ops[] = {
	{
		.cmd = MOAT_CMD_LINK_GET,
		.doit = moat_link_get_doit,
		.dumpit = moat_link_get_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_LINK_SET,
		.doit = moat_link_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_PEER_NEW,
		.doit = moat_peer_new_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_PEER_DEL,
		.doit = moat_peer_del_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_PEER_GET,
		.dumpit = moat_peer_get_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_SA_NEW,
		.doit = moat_sa_new_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_SA_DEL,
		.doit = moat_sa_del_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_SA_GET,
		.dumpit = moat_sa_get_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_SA_FLUSH,
		.doit = moat_sa_flush_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_SOCK_SET,
		.doit = moat_sock_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_GUARD_GET,
		.doit = moat_guard_get_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_GUARD_SET,
		.doit = moat_guard_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/*
 * Everything moat says, dumps and events alike, needs CAP_NET_ADMIN over
 * the namespace: SPIs and sequence numbers are what a forged PTB needs.
 */
static const struct genl_multicast_group moat_genl_mcgrps[] = {
	{ .name = MOAT_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family moat_genl_family __ro_after_init = {
	.name = MOAT_GENL_NAME,
	.version = MOAT_GENL_VERSION,
	.maxattr = MOAT_A_MAX,
	.policy = moat_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = moat_genl_ops,
	.n_small_ops = ARRAY_SIZE(moat_genl_ops),
	.mcgrps = moat_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(moat_genl_mcgrps),
};

int __init moat_genl_init(void)
{
	return genl_register_family(&moat_genl_family);
}

void moat_genl_exit(void)
{
	genl_unregister_family(&moat_genl_family);
}
