// SPDX-License-Identifier: GPL-2.0
/*
 * MOAT_CMD_GUARD_SET requests taken apart again: exactly the attributes
 * the request says are set, of their uapi types.
 */
#include <sys/socket.h>

#include <linux/moat.h>

#include "guard.h"
#include "harness.h"
#include "moatnl.h"

#define GBIT(a) (1ULL << (a))

static struct nl_msg *guard_request(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 0, 0x20, 0, 0, MOAT_CMD_GUARD_SET,
				MOAT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int n_nested(const struct nlattr *nest)
{
	const struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, nest, rem)
		n++;
	return n;
}

TEST(req_guard_only_what_is_set)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *g[MOAT_GUARD_A_MAX + 1];
	struct moat_guard_req r = {
		.set = GBIT(MOAT_GUARD_A_MODE) | GBIT(MOAT_GUARD_A_RATE) |
		       GBIT(MOAT_GUARD_A_HOPS),
		.mode = MOAT_GUARD_MODE_PUZZLES, .rate = 7, .hops = 3,
		.burst = 99,
	};
	struct nl_msg *msg = guard_request();
	uint32_t rate = 0;
	uint8_t mode = 0, hops = 0;

	CHECK(msg && req_put_guard(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_GUARD], g, MOAT_GUARD_A_MAX) == 0);
	CHECK(n_nested(tb[MOAT_A_GUARD]) == 3);
	CHECK(moat_nla_u8(g[MOAT_GUARD_A_MODE], &mode) == 0 &&
	      mode == MOAT_GUARD_MODE_PUZZLES);
	CHECK(moat_nla_u32(g[MOAT_GUARD_A_RATE], &rate) == 0 && rate == 7);
	CHECK(moat_nla_u8(g[MOAT_GUARD_A_HOPS], &hops) == 0 && hops == 3);
	CHECK(!g[MOAT_GUARD_A_BURST]);
	nlmsg_free(msg);
}

TEST(req_guard_known_follows_family)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *g[MOAT_GUARD_A_MAX + 1];
	struct moat_guard_req r = { .set = GBIT(MOAT_GUARD_A_KNOWN6) };
	struct nl_msg *msg = guard_request();

	parse_addr("192.0.2.1", &r.known);
	CHECK(msg && req_put_guard(msg, &r) == -1);
	nlmsg_free(msg);
	msg = guard_request();
	parse_addr("2001:db8::9", &r.known);
	CHECK(msg && req_put_guard(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_GUARD], g, MOAT_GUARD_A_MAX) == 0);
	CHECK(g[MOAT_GUARD_A_KNOWN6] && nla_len(g[MOAT_GUARD_A_KNOWN6]) == 16);
	CHECK(!g[MOAT_GUARD_A_KNOWN4]);
	nlmsg_free(msg);
}

TEST(req_guard_rejects_read_only_bits)
{
	struct moat_guard_req r = { .set = GBIT(MOAT_GUARD_A_LEVEL) };
	struct nl_msg *msg = guard_request();

	CHECK(msg && req_put_guard(msg, &r) == -1);
	nlmsg_free(msg);
}
