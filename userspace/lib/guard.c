// SPDX-License-Identifier: GPL-2.0
#include <sys/socket.h>

#include <linux/moat.h>

#include "guard.h"

#define BIT_OF(a) (1ULL << (a))

static int put_u8s(struct nl_msg *msg, const struct moat_guard_req *r)
{
	const struct { int attr; uint8_t v; } f[] = {
		{ MOAT_GUARD_A_MODE, r->mode },
		{ MOAT_GUARD_A_DIFFICULTY_MIN, r->difficulty_min },
		{ MOAT_GUARD_A_DIFFICULTY_MAX, r->difficulty_max },
		{ MOAT_GUARD_A_PREFIX4, r->prefix4 },
		{ MOAT_GUARD_A_PREFIX6, r->prefix6 },
		{ MOAT_GUARD_A_HOPS, r->hops },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((r->set & BIT_OF(f[i].attr)) &&
		    nla_put_u8(msg, f[i].attr, f[i].v))
			return -1;
	return 0;
}

static int put_u32s(struct nl_msg *msg, const struct moat_guard_req *r)
{
	const struct { int attr; uint32_t v; } f[] = {
		{ MOAT_GUARD_A_COOKIES_AT, r->cookies_at },
		{ MOAT_GUARD_A_HALF_OPEN_AT, r->half_open_at },
		{ MOAT_GUARD_A_PUZZLES_AT, r->puzzles_at },
		{ MOAT_GUARD_A_HOLD, r->hold },
		{ MOAT_GUARD_A_RATE, r->rate },
		{ MOAT_GUARD_A_BURST, r->burst },
		{ MOAT_GUARD_A_ENTRIES, r->entries },
		{ MOAT_GUARD_A_HALF_OPEN, r->half_open },
		{ MOAT_GUARD_A_KNOWN_TTL, r->known_ttl },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((r->set & BIT_OF(f[i].attr)) &&
		    nla_put_u32(msg, f[i].attr, f[i].v))
			return -1;
	return 0;
}

static int put_known(struct nl_msg *msg, const struct moat_guard_req *r)
{
	uint64_t k4 = r->set & BIT_OF(MOAT_GUARD_A_KNOWN4);
	uint64_t k6 = r->set & BIT_OF(MOAT_GUARD_A_KNOWN6);

	if (!k4 && !k6)
		return 0;
	if ((k4 && k6) || (k4 && r->known.family != AF_INET) ||
	    (k6 && r->known.family != AF_INET6))
		return -1;
	return nla_put(msg, k4 ? MOAT_GUARD_A_KNOWN4 : MOAT_GUARD_A_KNOWN6,
		       (int)addr_len(&r->known), r->known.u.b) ? -1 : 0;
}

static const uint64_t guard_settable =
	BIT_OF(MOAT_GUARD_A_MODE) | BIT_OF(MOAT_GUARD_A_DIFFICULTY_MIN) |
	BIT_OF(MOAT_GUARD_A_DIFFICULTY_MAX) | BIT_OF(MOAT_GUARD_A_PREFIX4) |
	BIT_OF(MOAT_GUARD_A_PREFIX6) | BIT_OF(MOAT_GUARD_A_HOPS) |
	BIT_OF(MOAT_GUARD_A_COOKIES_AT) | BIT_OF(MOAT_GUARD_A_HALF_OPEN_AT) |
	BIT_OF(MOAT_GUARD_A_PUZZLES_AT) | BIT_OF(MOAT_GUARD_A_HOLD) |
	BIT_OF(MOAT_GUARD_A_RATE) | BIT_OF(MOAT_GUARD_A_BURST) |
	BIT_OF(MOAT_GUARD_A_ENTRIES) | BIT_OF(MOAT_GUARD_A_HALF_OPEN) |
	BIT_OF(MOAT_GUARD_A_KNOWN_TTL) | BIT_OF(MOAT_GUARD_A_KNOWN4) |
	BIT_OF(MOAT_GUARD_A_KNOWN6);

int req_put_guard(struct nl_msg *msg, const struct moat_guard_req *r)
{
	struct nlattr *nest;

	if (r->set & ~guard_settable)
		return -1;
	nest = nla_nest_start(msg, MOAT_A_GUARD);
	if (!nest || put_u8s(msg, r) || put_u32s(msg, r) || put_known(msg, r))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}
