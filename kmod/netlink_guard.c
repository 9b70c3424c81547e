// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink for the guard of the caller's namespace: MOAT_CMD_GUARD_GET
 * reads its settings, level and counters; MOAT_CMD_GUARD_SET changes the
 * settings it is given and leaves the rest (moatd also reports its
 * half-open count and the sources that completed IKE_AUTH here); a
 * MOAT_CMD_GUARD_LEVEL event goes out when the level changes.
 */

#include <net/genetlink.h>
#include <uapi/linux/moat.h>

#include "guard_net.h"
#include "netlink.h"

static struct netlink_range_validation guard_entries_range = {
	.min = 1,
	.max = MOAT_GUARD_ENTRIES_LIMIT,
};

static struct netlink_range_validation guard_hold_range = {
	.min = 1,
	.max = 3600,
};

const struct nla_policy moat_guard_policy[MOAT_GUARD_A_MAX + 1] = {
	[MOAT_GUARD_A_MODE] = NLA_POLICY_MAX(NLA_U8, MOAT_GUARD_MODE_PUZZLES),
	[MOAT_GUARD_A_LEVEL] = {
		.type = NLA_REJECT,
		.reject_message = "the level follows the load: set the mode",
	},
	[MOAT_GUARD_A_DIFFICULTY] = {
		.type = NLA_REJECT,
		.reject_message = "the difficulty follows the load: set its minimum and maximum",
	},
	[MOAT_GUARD_A_COOKIES_AT] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_GUARD_A_HALF_OPEN_AT] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_GUARD_A_PUZZLES_AT] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_GUARD_A_DIFFICULTY_MIN] =
		NLA_POLICY_MAX(NLA_U8, MOAT_GUARD_DIFFICULTY_LIMIT),
	[MOAT_GUARD_A_DIFFICULTY_MAX] =
		NLA_POLICY_MAX(NLA_U8, MOAT_GUARD_DIFFICULTY_LIMIT),
	[MOAT_GUARD_A_HOLD] = NLA_POLICY_FULL_RANGE(NLA_U32, &guard_hold_range),
	[MOAT_GUARD_A_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_GUARD_A_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_GUARD_A_PREFIX4] = NLA_POLICY_RANGE(NLA_U8, 1, 32),
	[MOAT_GUARD_A_PREFIX6] = NLA_POLICY_RANGE(NLA_U8, 1, 128),
	[MOAT_GUARD_A_ENTRIES] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &guard_entries_range),
	[MOAT_GUARD_A_HALF_OPEN] = { .type = NLA_U32 },
	[MOAT_GUARD_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "statistics are read-only",
	},
	[MOAT_GUARD_A_HOPS] = { .type = NLA_U8 },
	[MOAT_GUARD_A_KNOWN4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[MOAT_GUARD_A_KNOWN6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MOAT_GUARD_A_KNOWN_TTL] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_GUARD_A_N_KNOWN] = {
		.type = NLA_REJECT,
		.reject_message = "the count of known sources is read-only",
	},
};

static int guard_put_stats(struct sk_buff *skb, const struct moat_guard *g)
{
	struct nlattr *nest = nla_nest_start(skb, MOAT_GUARD_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = MOAT_GUARD_STAT_PASSED; i < __MOAT_GUARD_STAT_MAX; i++)
		if (nla_put_u64_64bit(skb, i, atomic64_read(&g->stats[i]),
				      MOAT_GUARD_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int guard_put_u8s(struct sk_buff *skb, const struct moat_guard *g,
			 const struct moat_guard_config *c)
{
	if (nla_put_u8(skb, MOAT_GUARD_A_MODE, c->mode) ||
	    nla_put_u8(skb, MOAT_GUARD_A_LEVEL, READ_ONCE(g->level)) ||
	    nla_put_u8(skb, MOAT_GUARD_A_DIFFICULTY, READ_ONCE(g->difficulty)) ||
	    nla_put_u8(skb, MOAT_GUARD_A_DIFFICULTY_MIN, c->difficulty_min) ||
	    nla_put_u8(skb, MOAT_GUARD_A_DIFFICULTY_MAX, c->difficulty_max) ||
	    nla_put_u8(skb, MOAT_GUARD_A_PREFIX4, c->rl.prefix4) ||
	    nla_put_u8(skb, MOAT_GUARD_A_PREFIX6, c->rl.prefix6) ||
	    nla_put_u8(skb, MOAT_GUARD_A_HOPS, c->hops))
		return -EMSGSIZE;
	return 0;
}

static int guard_put_u32s(struct sk_buff *skb, struct moat_guard *g,
			  const struct moat_guard_config *c)
{
	if (nla_put_u32(skb, MOAT_GUARD_A_COOKIES_AT, c->cookies_at) ||
	    nla_put_u32(skb, MOAT_GUARD_A_HALF_OPEN_AT, c->half_open_at) ||
	    nla_put_u32(skb, MOAT_GUARD_A_PUZZLES_AT, c->puzzles_at) ||
	    nla_put_u32(skb, MOAT_GUARD_A_HOLD, c->hold) ||
	    nla_put_u32(skb, MOAT_GUARD_A_RATE, c->rl.rate) ||
	    nla_put_u32(skb, MOAT_GUARD_A_BURST, c->rl.burst) ||
	    nla_put_u32(skb, MOAT_GUARD_A_ENTRIES, c->rl.entries) ||
	    nla_put_u32(skb, MOAT_GUARD_A_HALF_OPEN, READ_ONCE(g->half_open)) ||
	    nla_put_u32(skb, MOAT_GUARD_A_KNOWN_TTL, c->known_ttl) ||
	    nla_put_u32(skb, MOAT_GUARD_A_N_KNOWN,
			moat_known_count(g->known, moat_guard_now())))
		return -EMSGSIZE;
	return 0;
}

static int guard_fill(struct sk_buff *skb, struct moat_guard *g)
{
	struct moat_guard_config cfg;
	struct nlattr *nest;

	moat_guard_get_config(g, &cfg);
	nest = nla_nest_start(skb, MOAT_A_GUARD);
	if (!nest || guard_put_u8s(skb, g, &cfg) ||
	    guard_put_u32s(skb, g, &cfg) || guard_put_stats(skb, g))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int moat_guard_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_guard_net *gn = moat_guard_net_get(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	if (IS_ERR(gn))
		return PTR_ERR(gn);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &moat_genl_family, 0,
				MOAT_CMD_GUARD_GET);
	if (!hdr || guard_fill(msg, gn->g)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static void guard_take_u8(struct nlattr **tb, int attr, u8 *v)
{
	if (tb[attr])
		*v = nla_get_u8(tb[attr]);
}

static void guard_take_u32(struct nlattr **tb, int attr, u32 *v)
{
	if (tb[attr])
		*v = nla_get_u32(tb[attr]);
}

/* Only what the request gives changes; the policy checked each range. */
static void guard_take(struct nlattr **tb, struct moat_guard_config *c)
{
	guard_take_u8(tb, MOAT_GUARD_A_MODE, &c->mode);
	guard_take_u8(tb, MOAT_GUARD_A_DIFFICULTY_MIN, &c->difficulty_min);
	guard_take_u8(tb, MOAT_GUARD_A_DIFFICULTY_MAX, &c->difficulty_max);
	guard_take_u8(tb, MOAT_GUARD_A_PREFIX4, &c->rl.prefix4);
	guard_take_u8(tb, MOAT_GUARD_A_PREFIX6, &c->rl.prefix6);
	guard_take_u8(tb, MOAT_GUARD_A_HOPS, &c->hops);
	guard_take_u32(tb, MOAT_GUARD_A_COOKIES_AT, &c->cookies_at);
	guard_take_u32(tb, MOAT_GUARD_A_HALF_OPEN_AT, &c->half_open_at);
	guard_take_u32(tb, MOAT_GUARD_A_PUZZLES_AT, &c->puzzles_at);
	guard_take_u32(tb, MOAT_GUARD_A_HOLD, &c->hold);
	guard_take_u32(tb, MOAT_GUARD_A_RATE, &c->rl.rate);
	guard_take_u32(tb, MOAT_GUARD_A_BURST, &c->rl.burst);
	guard_take_u32(tb, MOAT_GUARD_A_ENTRIES, &c->rl.entries);
	guard_take_u32(tb, MOAT_GUARD_A_KNOWN_TTL, &c->known_ttl);
}

static int guard_set(struct moat_guard_net *gn, struct nlattr **tb,
		     struct netlink_ext_ack *extack)
{
	struct moat_guard *g = gn->g;
	struct moat_guard_config cfg;
	int ret;

	moat_guard_get_config(g, &cfg);
	guard_take(tb, &cfg);
	if (cfg.difficulty_min > cfg.difficulty_max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_GUARD_A_DIFFICULTY_MIN] ?:
					    tb[MOAT_GUARD_A_DIFFICULTY_MAX],
				    "the minimum difficulty is above the maximum");
		return -EINVAL;
	}
	ret = moat_guard_configure(g, &cfg);
	if (ret) {
		NL_SET_ERR_MSG(extack, "no memory for the rate-limit table");
		return ret;
	}
	if (tb[MOAT_GUARD_A_HALF_OPEN])
		moat_guard_set_half_open(g, nla_get_u32(tb[MOAT_GUARD_A_HALF_OPEN]));
	if (tb[MOAT_GUARD_A_KNOWN4])
		moat_guard_add_known(g, nla_data(tb[MOAT_GUARD_A_KNOWN4]), 4,
				     moat_guard_now());
	if (tb[MOAT_GUARD_A_KNOWN6])
		moat_guard_add_known(g, nla_data(tb[MOAT_GUARD_A_KNOWN6]), 16,
				     moat_guard_now());
	moat_guard_net_changed(gn);
	return 0;
}

int moat_guard_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MOAT_GUARD_A_MAX + 1];
	struct nlattr *nest = info->attrs[MOAT_A_GUARD];
	struct moat_guard_net *gn;
	int ret;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "no guard settings given");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, MOAT_GUARD_A_MAX, nest, moat_guard_policy,
			       info->extack);
	if (ret)
		return ret;
	gn = moat_guard_net_get(genl_info_net(info));
	if (IS_ERR(gn)) {
		NL_SET_ERR_MSG(info->extack, "no memory for the guard");
		return PTR_ERR(gn);
	}
	return guard_set(gn, tb, info->extack);
}

/**
 * moat_nl_guard_event() - tell the namespace the guard's level changed
 * @net: the namespace
 * @level: the new level
 * @difficulty: the difficulty asked now
 *
 * Process context.
 */
void moat_nl_guard_event(struct net *net, u8 level, u8 difficulty)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &moat_genl_family, 0,
			  MOAT_CMD_GUARD_LEVEL);
	nest = hdr ? nla_nest_start(msg, MOAT_A_GUARD) : NULL;
	if (!nest || nla_put_u8(msg, MOAT_GUARD_A_LEVEL, level) ||
	    nla_put_u8(msg, MOAT_GUARD_A_DIFFICULTY, difficulty)) {
		nlmsg_free(msg);
		return;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&moat_genl_family, net, msg, 0, 0, GFP_KERNEL);
}
