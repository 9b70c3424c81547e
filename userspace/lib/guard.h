/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guard's requests (MOAT_CMD_GUARD_SET): the MOAT_A_GUARD nest, for
 * the moat tool and for moatd, which reports its half-open count and the
 * sources that completed IKE_AUTH. The request names no device: it is
 * about the caller's network namespace.
 */
#ifndef MOAT_GUARD_H
#define MOAT_GUARD_H

#include <stdint.h>

#include "addr.h"
#include "moatnl.h"

struct moat_guard_req {
	uint64_t set;	/* 1ULL << MOAT_GUARD_A_x for each field below that is given */
	uint8_t mode, difficulty_min, difficulty_max, prefix4, prefix6, hops;
	uint32_t cookies_at, half_open_at, puzzles_at, hold, rate, burst,
		 entries, half_open, known_ttl;
	struct moat_addr known;	/* with bit MOAT_GUARD_A_KNOWN4 or KNOWN6 */
};

/*
 * MOAT_A_GUARD with the attributes @r->set names. Returns 0, or -1 when
 * the message has no room or a bit names no field (or KNOWN4/KNOWN6 does
 * not match @r->known's family).
 */
int req_put_guard(struct nl_msg *msg, const struct moat_guard_req *r);

#endif
