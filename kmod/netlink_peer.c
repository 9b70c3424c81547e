// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink for peers: add one with its endpoint and selectors, delete it,
 * and dump them. Everything is checked before the peer becomes visible.
 */

#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/moat.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "pmtu.h"
#include "sa.h"
#include "selectors.h"

/* Reads REMOTE4|6 (and LOCAL4|6) from a parsed MOAT_A_PEER nest. */
static int moat_ep_from_attrs(struct nlattr **tb, struct moat_endpoint *ep,
			      struct netlink_ext_ack *extack)
{
	memset(ep, 0, sizeof(*ep));
	if (!!tb[MOAT_PEER_A_REMOTE4] == !!tb[MOAT_PEER_A_REMOTE6]) {
		NL_SET_ERR_MSG(extack,
			       "a peer needs exactly one remote address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (tb[MOAT_PEER_A_REMOTE4]) {
		ep->family = AF_INET;
		ep->remote.v4 = nla_get_in_addr(tb[MOAT_PEER_A_REMOTE4]);
		if (tb[MOAT_PEER_A_LOCAL6])
			goto mixed;
		if (tb[MOAT_PEER_A_LOCAL4]) {
			ep->local.v4 = nla_get_in_addr(tb[MOAT_PEER_A_LOCAL4]);
			ep->has_local = true;
		}
	} else {
		ep->family = AF_INET6;
		ep->remote.v6 = nla_get_in6_addr(tb[MOAT_PEER_A_REMOTE6]);
		if (tb[MOAT_PEER_A_LOCAL4])
			goto mixed;
		if (tb[MOAT_PEER_A_LOCAL6]) {
			ep->local.v6 = nla_get_in6_addr(tb[MOAT_PEER_A_LOCAL6]);
			ep->has_local = true;
		}
	}
	return 0;
mixed:
	NL_SET_ERR_MSG(extack,
		       "the local and remote addresses must be of one family");
	return -EINVAL;
}

static int moat_encap_from_attrs(struct nlattr **tb, struct moat_endpoint *ep,
				 struct netlink_ext_ack *extack)
{
	if (tb[MOAT_PEER_A_ENCAP])
		ep->encap = nla_get_u8(tb[MOAT_PEER_A_ENCAP]);
	if (ep->encap != MOAT_ENCAP_UDP) {
		if (tb[MOAT_PEER_A_SPORT] || tb[MOAT_PEER_A_DPORT]) {
			NL_SET_ERR_MSG(extack, "UDP ports need encap udp");
			return -EINVAL;
		}
		return 0;
	}
	ep->sport = htons(tb[MOAT_PEER_A_SPORT] ?
			  nla_get_u16(tb[MOAT_PEER_A_SPORT]) :
			  MOAT_ENCAP_PORT);
	ep->dport = htons(tb[MOAT_PEER_A_DPORT] ?
			  nla_get_u16(tb[MOAT_PEER_A_DPORT]) :
			  MOAT_ENCAP_PORT);
	return 0;
}

/* One MOAT_TS_A_ENTRY, already checked against moat_ts_policy. */
static int moat_ts_from_attr(struct nlattr *entry, struct moat_ts *ts,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_TS_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, MOAT_TS_A_MAX, entry, NULL, extack);
	if (ret)
		return ret;
	if (!!tb[MOAT_TS_A_ADDR4] == !!tb[MOAT_TS_A_ADDR6] ||
	    !tb[MOAT_TS_A_PREFIXLEN]) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "a selector needs one address and a prefix length");
		return -EINVAL;
	}
	memset(ts, 0, sizeof(*ts));
	ts->prefixlen = nla_get_u8(tb[MOAT_TS_A_PREFIXLEN]);
	if (tb[MOAT_TS_A_ADDR4]) {
		ts->family = AF_INET;
		ts->addr.v4 = nla_get_in_addr(tb[MOAT_TS_A_ADDR4]);
		if (ts->prefixlen > 32) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "an IPv4 prefix length is 0..32");
			return -EINVAL;
		}
	} else {
		ts->family = AF_INET6;
		ts->addr.v6 = nla_get_in6_addr(tb[MOAT_TS_A_ADDR6]);
	}
	return 0;
}

/* Returns how many selectors it read into *@out (kfree it), or -errno. */
static int moat_ts_from_attrs(struct nlattr *list, struct moat_ts **out,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *entry;
	struct moat_ts *ts;
	int n = 0, rem, ret;

	*out = NULL;
	if (!list)
		return 0;
	/* The nested-array policy checks each entry, not what it is called. */
	nla_for_each_nested(entry, list, rem) {
		if (nla_type(entry) != MOAT_TS_A_ENTRY) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "a selector list holds selector entries only");
			return -EINVAL;
		}
		n++;
	}
	if (rem) {
		NL_SET_ERR_MSG_ATTR(extack, list, "junk after the last selector");
		return -EINVAL;
	}
	if (n > MOAT_TS_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, list, "more than 256 selectors");
		return -E2BIG;
	}
	ts = kcalloc(n ? n : 1, sizeof(*ts), GFP_KERNEL);
	if (!ts)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(entry, list, rem) {
		ret = moat_ts_from_attr(entry, &ts[n++], extack);
		if (ret) {
			kfree(ts);
			return ret;
		}
	}
	*out = ts;
	return n;
}

/*
 * The peer a request names in its MOAT_A_PEER nest. Returns NULL without
 * complaint when the nest is absent and not @required. Under moat->lock.
 */
struct moat_peer *moat_peer_from_attrs(struct moat_dev *moat,
				       struct nlattr *nest, bool required,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_PEER_A_MAX + 1];
	struct moat_endpoint ep;
	struct moat_peer *peer;
	int ret;

	if (!nest) {
		if (!required)
			return NULL;
		NL_SET_ERR_MSG(extack, "no peer given");
		return ERR_PTR(-EINVAL);
	}
	ret = nla_parse_nested(tb, MOAT_PEER_A_MAX, nest, moat_peer_policy,
			       extack);
	if (!ret)
		ret = moat_ep_from_attrs(tb, &ep, extack);
	if (ret)
		return ERR_PTR(ret);
	peer = moat_peer_find(moat, &ep);
	if (!peer) {
		NL_SET_ERR_MSG(extack, "unknown peer");
		return ERR_PTR(-ENOENT);
	}
	return peer;
}

/**
 * moat_dev_lock_peer - the device a request names, locked, and its peer
 * @net: the requester's namespace
 * @attrs: the request's top-level attributes
 * @extack: where to say what is wrong
 * @only: set to the peer the MOAT_A_PEER nest names, or NULL if none
 * @change: whether the request changes the device, which a device being
 *	deleted refuses
 *
 * For dumps and flushes that may be limited to one peer. On success the
 * caller ends with moat_dev_unlock().
 */
struct moat_dev *moat_dev_lock_peer(struct net *net, struct nlattr **attrs,
				    struct netlink_ext_ack *extack,
				    struct moat_peer **only, bool change)
{
	struct moat_dev *moat;
	int ret;

	moat = moat_dev_from_attrs(net, attrs, extack);
	if (IS_ERR(moat))
		return moat;
	if (change) {
		ret = moat_dev_lock_live(moat, extack);
		if (ret) {
			dev_put(moat->dev);
			return ERR_PTR(ret);
		}
	} else {
		mutex_lock(&moat->lock);
	}
	*only = moat_peer_from_attrs(moat, attrs[MOAT_A_PEER], false, extack);
	if (IS_ERR(*only)) {
		moat_dev_unlock(moat);
		return ERR_CAST(*only);
	}
	return moat;
}

void moat_dev_unlock(struct moat_dev *moat)
{
	mutex_unlock(&moat->lock);
	dev_put(moat->dev);
}

static int moat_peer_install(struct moat_dev *moat,
			     const struct moat_endpoint *ep,
			     const struct moat_ts *ts, int n,
			     struct nlattr *ts_attr,
			     struct netlink_ext_ack *extack)
{
	struct moat_ts_table *old, *new;
	struct moat_peer *peer;
	unsigned int conflict;

	if (moat_peer_find(moat, ep)) {
		NL_SET_ERR_MSG(extack, "this peer already exists");
		return -EEXIST;
	}
	if (moat->n_peers >= moat->max_peers) {
		NL_SET_ERR_MSG(extack,
			       "the device holds max-peers peers already: delete some, or raise max-peers with moat link set");
		return -ENOSPC;
	}
	peer = moat_peer_new(moat, ep);
	if (IS_ERR(peer)) {
		if (PTR_ERR(peer) == -EADDRINUSE)
			NL_SET_ERR_MSG(extack,
				       "the UDP port is in use by another socket");
		else
			NL_SET_ERR_MSG(extack,
				       "cannot open the UDP encapsulation socket");
		return PTR_ERR(peer);
	}
	old = rcu_dereference_protected(moat->ts, lockdep_is_held(&moat->lock));
	new = moat_ts_replace(old, peer, ts, n, &conflict, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(new)) {
		if (PTR_ERR(new) == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, ts_attr,
					    "a selector already belongs to another peer");
		else
			NL_SET_ERR_MSG_ATTR(extack, ts_attr, "bad selector");
		moat_peer_put(peer);
		return PTR_ERR(new);
	}
	rcu_assign_pointer(moat->ts, new);
	moat_ts_free_rcu(old);
	moat_peer_add(peer);
	return 0;
}

int moat_peer_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MOAT_PEER_A_MAX + 1];
	struct moat_endpoint ep;
	struct moat_dev *moat;
	struct moat_ts *ts = NULL;
	int n = 0, ret;

	moat = moat_dev_from_attrs(genl_info_net(info), info->attrs,
				   info->extack);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	if (!info->attrs[MOAT_A_PEER]) {
		NL_SET_ERR_MSG(info->extack, "no peer given");
		ret = -EINVAL;
		goto out;
	}
	ret = nla_parse_nested(tb, MOAT_PEER_A_MAX, info->attrs[MOAT_A_PEER],
			       moat_peer_policy, info->extack);
	if (!ret)
		ret = moat_ep_from_attrs(tb, &ep, info->extack);
	if (!ret)
		ret = moat_encap_from_attrs(tb, &ep, info->extack);
	if (!ret) {
		n = moat_ts_from_attrs(tb[MOAT_PEER_A_TS], &ts, info->extack);
		ret = min(n, 0);
	}
	if (ret)
		goto out;

	ret = moat_dev_lock_live(moat, info->extack);
	if (ret)
		goto out;
	ret = moat_peer_install(moat, &ep, ts, n, tb[MOAT_PEER_A_TS],
				info->extack);
	mutex_unlock(&moat->lock);
out:
	kfree(ts);
	dev_put(moat->dev);
	return ret;
}

int moat_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_peer *peer;
	struct moat_dev *moat;
	int ret = 0;

	moat = moat_dev_from_attrs(genl_info_net(info), info->attrs,
				   info->extack);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	ret = moat_dev_lock_live(moat, info->extack);
	if (ret)
		goto out;
	peer = moat_peer_from_attrs(moat, info->attrs[MOAT_A_PEER], true,
				    info->extack);
	if (IS_ERR(peer)) {
		ret = PTR_ERR(peer);
	} else {
		ret = moat_peer_remove(peer);
		if (ret)
			NL_SET_ERR_MSG(info->extack,
				       "out of memory rebuilding the selectors; nothing was deleted");
	}
	mutex_unlock(&moat->lock);
out:
	dev_put(moat->dev);
	return ret;
}

/* The attributes that name a peer: its remote address. */
int moat_put_peer_id(struct sk_buff *skb, struct moat_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, MOAT_A_PEER);

	if (!nest)
		return -EMSGSIZE;
	if (peer->ep.family == AF_INET ?
	    nla_put_in_addr(skb, MOAT_PEER_A_REMOTE4, peer->ep.remote.v4) :
	    nla_put_in6_addr(skb, MOAT_PEER_A_REMOTE6, &peer->ep.remote.v6)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int moat_put_ts(struct sk_buff *skb, struct moat_peer *peer,
		       const struct moat_ts_table *t)
{
	unsigned int n = moat_ts_count(t, peer), i;
	struct nlattr *list, *entry;
	struct moat_ts *ts;
	int ret = -EMSGSIZE;

	ts = kcalloc(n ? n : 1, sizeof(*ts), GFP_KERNEL);
	if (!ts)
		return -ENOMEM;
	n = moat_ts_get(t, peer, ts, n);
	list = nla_nest_start(skb, MOAT_PEER_A_TS);
	if (!list)
		goto out;
	for (i = 0; i < n; i++) {
		entry = nla_nest_start(skb, MOAT_TS_A_ENTRY);
		if (!entry ||
		    (ts[i].family == AF_INET ?
		     nla_put_in_addr(skb, MOAT_TS_A_ADDR4, ts[i].addr.v4) :
		     nla_put_in6_addr(skb, MOAT_TS_A_ADDR6, &ts[i].addr.v6)) ||
		    nla_put_u8(skb, MOAT_TS_A_PREFIXLEN, ts[i].prefixlen))
			goto out;
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, list);
	ret = 0;
out:
	kfree(ts);
	return ret;
}

/* A peer's counters: its own, and the sum over its SAs still installed. */
static int moat_put_peer_stats(struct sk_buff *skb, struct moat_peer *peer)
{
	u64 sum[__MOAT_STAT_MAX], v[__MOAT_STAT_MAX];
	struct moat_sa *sa;
	int i;

	moat_stats_sum(peer->stats, sum);
	list_for_each_entry(sa, &peer->sas, peer_node) {
		moat_stats_sum(sa->stats, v);
		for (i = 0; i < __MOAT_STAT_MAX; i++)
			sum[i] += v[i];
	}
	return moat_stats_put(skb, MOAT_PEER_A_STATS, sum);
}

static int moat_put_peer(struct sk_buff *skb, struct moat_peer *peer)
{
	const struct moat_endpoint *ep = &peer->ep;
	struct moat_dev *moat = peer->moat;
	struct nlattr *nest;
	int ret = -EMSGSIZE;

	nest = nla_nest_start(skb, MOAT_A_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (ep->family == AF_INET) {
		if (nla_put_in_addr(skb, MOAT_PEER_A_REMOTE4, ep->remote.v4) ||
		    (ep->has_local &&
		     nla_put_in_addr(skb, MOAT_PEER_A_LOCAL4, ep->local.v4)))
			goto err;
	} else {
		if (nla_put_in6_addr(skb, MOAT_PEER_A_REMOTE6, &ep->remote.v6) ||
		    (ep->has_local &&
		     nla_put_in6_addr(skb, MOAT_PEER_A_LOCAL6, &ep->local.v6)))
			goto err;
	}
	if (nla_put_u8(skb, MOAT_PEER_A_ENCAP, ep->encap) ||
	    (ep->encap &&
	     (nla_put_u16(skb, MOAT_PEER_A_SPORT, ntohs(ep->sport)) ||
	      nla_put_u16(skb, MOAT_PEER_A_DPORT, ntohs(ep->dport)))) ||
	    nla_put_u32(skb, MOAT_PEER_A_N_SAS, peer->n_sas) ||
	    nla_put_u32(skb, MOAT_PEER_A_PMTU, moat_pmtu_get(peer)) ||
	    nla_put_u32(skb, MOAT_PEER_A_INNER_MTU4,
			moat_peer_inner_mtu(peer, false)) ||
	    nla_put_u32(skb, MOAT_PEER_A_INNER_MTU6,
			moat_peer_inner_mtu(peer, true)))
		goto err;
	ret = moat_put_ts(skb, peer,
			  rcu_dereference_protected(moat->ts,
						    lockdep_is_held(&moat->lock)));
	if (!ret)
		ret = moat_put_peer_stats(skb, peer);
	if (ret)
		goto err;
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return ret;
}

/* cb->args[0]: peers already sent. */
int moat_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct moat_peer *peer, *only;
	struct moat_dev *moat;
	long idx = 0;
	void *hdr;
	int ret = 0;

	moat = moat_dev_lock_peer(sock_net(skb->sk), info->attrs, cb->extack,
				  &only, false);
	if (IS_ERR(moat))
		return PTR_ERR(moat);
	list_for_each_entry(peer, &moat->peers, node) {
		if ((only && peer != only) || idx++ < cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &moat_genl_family,
				  NLM_F_MULTI, MOAT_CMD_PEER_GET);
		if (!hdr) {
			ret = -EMSGSIZE;
		} else {
			ret = moat_put_dev(skb, moat);
			if (!ret)
				ret = moat_put_peer(skb, peer);
			if (ret)
				genlmsg_cancel(skb, hdr);
			else
				genlmsg_end(skb, hdr);
		}
		if (ret) {
			idx--;
			break;
		}
	}
	cb->args[0] = idx;
	moat_dev_unlock(moat);
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ? ret : skb->len;
}
