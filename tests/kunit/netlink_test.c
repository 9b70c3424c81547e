// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what the netlink policies let through. Requests are built as
 * real attribute streams and parsed with the module's own policy, so a
 * loosened policy fails here before it reaches a kernel.
 */

#include <kunit/test.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

#include "../netlink.h"

/* Parses @skb's single MOAT_A_LINK nest against the link policy. */
static int parse_link(struct sk_buff *skb, struct nlattr **tb)
{
	struct nlattr *nest = (struct nlattr *)skb->data;

	return nla_parse_nested(tb, MOAT_LINK_A_MAX, nest, moat_link_policy,
				NULL);
}

static struct sk_buff *link_with(struct kunit *test, int type, int len,
				 const void *data)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	struct nlattr *nest;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	nest = nla_nest_start(skb, MOAT_A_LINK);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	KUNIT_ASSERT_EQ(test, nla_put(skb, type, len, data), 0);
	nla_nest_end(skb, nest);
	return skb;
}

static void floor4_range(struct kunit *test)
{
	static const struct { u32 v; int ok; } cases[] = {
		{ 0, 0 }, { 67, 0 }, { 68, 1 }, { 576, 1 },
		{ 65535, 1 }, { 65536, 0 }, { U32_MAX, 0 },
	};
	struct nlattr *tb[MOAT_LINK_A_MAX + 1];
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sk_buff *skb = link_with(test, MOAT_LINK_A_PMTU_FLOOR4,
						4, &cases[i].v);
		int ret = parse_link(skb, tb);

		KUNIT_EXPECT_EQ_MSG(test, ret == 0, cases[i].ok, "floor %u",
				    cases[i].v);
		kfree_skb(skb);
	}
}

static void caps_range(struct kunit *test)
{
	static const struct { int attr; u32 v; int ok; } cases[] = {
		{ MOAT_LINK_A_MAX_PEERS, 0, 0 },
		{ MOAT_LINK_A_MAX_PEERS, 1, 1 },
		{ MOAT_LINK_A_MAX_PEERS, MOAT_MAX_PEERS_LIMIT, 1 },
		{ MOAT_LINK_A_MAX_PEERS, MOAT_MAX_PEERS_LIMIT + 1, 0 },
		{ MOAT_LINK_A_MAX_SAS, 0, 0 },
		{ MOAT_LINK_A_MAX_SAS, MOAT_MAX_SAS_LIMIT, 1 },
		{ MOAT_LINK_A_MAX_SAS, MOAT_MAX_SAS_LIMIT + 1, 0 },
	};
	struct nlattr *tb[MOAT_LINK_A_MAX + 1];
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sk_buff *skb = link_with(test, cases[i].attr, 4,
						&cases[i].v);

		KUNIT_EXPECT_EQ_MSG(test, parse_link(skb, tb) == 0, cases[i].ok,
				    "attribute %d value %u", cases[i].attr,
				    cases[i].v);
		kfree_skb(skb);
	}
}

/* Seconds lifetimes are bounded so no timer arithmetic can overflow. */
static void lifetime_seconds_bounded(struct kunit *test)
{
	static const struct { int attr; u64 v; int ok; } cases[] = {
		{ MOAT_LT_A_HARD_SECONDS, 3600, 1 },
		{ MOAT_LT_A_HARD_SECONDS, MOAT_LT_SECONDS_MAX, 1 },
		{ MOAT_LT_A_HARD_SECONDS, MOAT_LT_SECONDS_MAX + 1, 0 },
		{ MOAT_LT_A_SOFT_SECONDS, U64_MAX, 0 },
		{ MOAT_LT_A_HARD_BYTES, U64_MAX, 1 },
	};
	struct nlattr *tb[MOAT_SA_A_MAX + 1];
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
		struct nlattr *sa, *lt;

		KUNIT_ASSERT_NOT_NULL(test, skb);
		sa = nla_nest_start(skb, MOAT_A_SA);
		lt = nla_nest_start(skb, MOAT_SA_A_LIFETIME);
		/* As userspace sends it: no pad attribute before the u64. */
		KUNIT_ASSERT_EQ(test, nla_put(skb, cases[i].attr,
					      sizeof(u64), &cases[i].v), 0);
		nla_nest_end(skb, lt);
		nla_nest_end(skb, sa);
		KUNIT_EXPECT_EQ_MSG(test,
				    nla_parse_nested(tb, MOAT_SA_A_MAX, sa,
						     moat_sa_policy, NULL) == 0,
				    cases[i].ok, "case %d", i);
		kfree_skb(skb);
	}
}

static void short_u32_rejected(struct kunit *test)
{
	struct nlattr *tb[MOAT_LINK_A_MAX + 1];
	u8 one = 1;
	struct sk_buff *skb = link_with(test, MOAT_LINK_A_MSS_CLAMP, 1, &one);

	KUNIT_EXPECT_EQ(test, parse_link(skb, tb), -EINVAL);
	kfree_skb(skb);
}

static void read_only_rejected(struct kunit *test)
{
	static const int ro[] = {
		MOAT_LINK_A_IFINDEX, MOAT_LINK_A_IFNAME, MOAT_LINK_A_MTU,
		MOAT_LINK_A_OPERSTATE, MOAT_LINK_A_N_PEERS, MOAT_LINK_A_N_SAS,
		MOAT_LINK_A_STATS,
	};
	struct nlattr *tb[MOAT_LINK_A_MAX + 1];
	u32 v = 1400;
	int i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		struct sk_buff *skb = link_with(test, ro[i], 4, &v);

		KUNIT_EXPECT_EQ_MSG(test, parse_link(skb, tb), -EINVAL,
				    "attribute %d", ro[i]);
		kfree_skb(skb);
	}
}

static void unknown_attr_rejected(struct kunit *test)
{
	struct nlattr *tb[MOAT_LINK_A_MAX + 1];
	u32 v = 1;
	struct sk_buff *skb = link_with(test, MOAT_LINK_A_MAX + 1, 4, &v);

	/* Strict parsing: an attribute this kernel doesn't know is an error. */
	KUNIT_EXPECT_NE(test, parse_link(skb, tb), 0);
	kfree_skb(skb);
}

static void mss_clamp_values(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, moat_mss_clamp_valid(MOAT_MSS_CLAMP_OFF));
	KUNIT_EXPECT_TRUE(test, moat_mss_clamp_valid(MOAT_MSS_CLAMP_AUTO));
	KUNIT_EXPECT_TRUE(test, moat_mss_clamp_valid(MOAT_MSS_MIN));
	KUNIT_EXPECT_TRUE(test, moat_mss_clamp_valid(1360));
	KUNIT_EXPECT_TRUE(test, moat_mss_clamp_valid(MOAT_MSS_MAX));
	KUNIT_EXPECT_FALSE(test, moat_mss_clamp_valid(1));
	KUNIT_EXPECT_FALSE(test, moat_mss_clamp_valid(MOAT_MSS_MIN - 1));
	KUNIT_EXPECT_FALSE(test, moat_mss_clamp_valid(MOAT_MSS_MAX + 1));
}

static struct kunit_case moat_netlink_cases[] = {
	KUNIT_CASE(floor4_range),
	KUNIT_CASE(caps_range),
	KUNIT_CASE(lifetime_seconds_bounded),
	KUNIT_CASE(short_u32_rejected),
	KUNIT_CASE(read_only_rejected),
	KUNIT_CASE(unknown_attr_rejected),
	KUNIT_CASE(mss_clamp_values),
	{}
};

static struct kunit_suite moat_netlink_suite = {
	.name = "moat_netlink",
	.test_cases = moat_netlink_cases,
};

kunit_test_suite(moat_netlink_suite);
