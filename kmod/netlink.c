// SPDX-License-Identifier: GPL-2.0
/*
 * The "moat" generic netlink family: how userspace reads and changes moat
 * devices. Policies are strict; every rejection says why in the extack.
 */

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/moat.h>

#include "device.h"
#include "netlink.h"

static struct genl_family moat_genl_family;

static struct netlink_range_validation moat_floor4_range = {
	.min = MOAT_PMTU_FLOOR4_MIN,
	.max = MOAT_PMTU_FLOOR4_MAX,
};

/* What a request may say about a link; the rest is for replies only. */
static const struct nla_policy moat_link_policy[MOAT_LINK_A_MAX + 1] = {
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
};

static const struct nla_policy moat_policy[MOAT_A_MAX + 1] = {
	[MOAT_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[MOAT_A_LINK] = NLA_POLICY_NESTED(moat_link_policy),
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
static struct moat_dev *moat_dev_from_attrs(struct net *net,
					    struct nlattr **attrs,
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

static int moat_put_link_stats(struct sk_buff *skb, struct net_device *dev)
{
	struct rtnl_link_stats64 st;
	struct nlattr *nest;

	dev_get_tstats64(dev, &st);
	nest = nla_nest_start(skb, MOAT_LINK_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, MOAT_STAT_RX_PACKETS, st.rx_packets,
			      MOAT_STAT_PAD) ||
	    nla_put_u64_64bit(skb, MOAT_STAT_RX_BYTES, st.rx_bytes,
			      MOAT_STAT_PAD) ||
	    nla_put_u64_64bit(skb, MOAT_STAT_TX_PACKETS, st.tx_packets,
			      MOAT_STAT_PAD) ||
	    nla_put_u64_64bit(skb, MOAT_STAT_TX_BYTES, st.tx_bytes,
			      MOAT_STAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int moat_put_link(struct sk_buff *skb, struct moat_dev *moat)
{
	struct net_device *dev = moat->dev;
	struct nlattr *nest;

	if (nla_put_u32(skb, MOAT_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, MOAT_A_IFNAME, dev->name))
		return -EMSGSIZE;

	nest = nla_nest_start(skb, MOAT_A_LINK);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MOAT_LINK_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, MOAT_LINK_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, MOAT_LINK_A_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u8(skb, MOAT_LINK_A_OPERSTATE, READ_ONCE(dev->operstate)) ||
	    nla_put_u32(skb, MOAT_LINK_A_MSS_CLAMP,
			READ_ONCE(moat->mss_clamp)) ||
	    nla_put_u32(skb, MOAT_LINK_A_PMTU_FLOOR4,
			READ_ONCE(moat->pmtu_floor4)) ||
	    nla_put_u32(skb, MOAT_LINK_A_N_PEERS, 0) ||
	    nla_put_u32(skb, MOAT_LINK_A_N_SAS, 0) ||
	    moat_put_link_stats(skb, dev)) {
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
	mutex_lock(&moat->lock);
	if (tb[MOAT_LINK_A_MSS_CLAMP])
		WRITE_ONCE(moat->mss_clamp,
			   nla_get_u32(tb[MOAT_LINK_A_MSS_CLAMP]));
	if (tb[MOAT_LINK_A_PMTU_FLOOR4])
		WRITE_ONCE(moat->pmtu_floor4,
			   nla_get_u32(tb[MOAT_LINK_A_PMTU_FLOOR4]));
	mutex_unlock(&moat->lock);
out:
	dev_put(moat->dev);
	return ret;
}

static const struct genl_small_ops moat_genl_ops[] = {
	{
		.cmd = MOAT_CMD_LINK_GET,
		.doit = moat_link_get_doit,
		.dumpit = moat_link_get_dumpit,
	},
	{
		.cmd = MOAT_CMD_LINK_SET,
		.doit = moat_link_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group moat_genl_mcgrps[] = {
	{ .name = MOAT_MCGRP_EVENTS },
};

static struct genl_family moat_genl_family __ro_after_init = {
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
