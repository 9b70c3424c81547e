/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_RATELIMIT_H
#define _MOAT_RATELIMIT_H

#include <linux/bits.h>
#include <linux/types.h>

/*
 * Token buckets per source prefix, in a table of bounded size: the guard
 * asks once per IKE_SA_INIT whose source a valid cookie has proved.
 */

#define MOAT_RATELIMIT_MAX_ENTRIES	BIT(20)

/**
 * struct moat_ratelimit_config - how sources are limited
 * @rate: requests per second a prefix may keep sending, >= 1
 * @burst: how many more it may send at once after being quiet, >= 1
 * @prefix4: IPv4 sources are grouped by this many leading bits, 1 to 32
 * @prefix6: IPv6 sources likewise, 1 to 128
 * @entries: the most prefixes tracked at once, 1 to
 *	%MOAT_RATELIMIT_MAX_ENTRIES; the memory is allocated up front
 */
struct moat_ratelimit_config {
	u32 rate;
	u32 burst;
	u8 prefix4;
	u8 prefix6;
	u32 entries;
};

/**
 * enum moat_ratelimit_verdict - what the bucket of a source says
 * @MOAT_RATELIMIT_PASS: within its rate
 * @MOAT_RATELIMIT_LIMITED: over its rate; drop the request
 * @MOAT_RATELIMIT_FULL: the source has no bucket and every bucket is in
 *	use by a prefix that sent recently; the caller must fall back to a
 *	defence that does not depend on the table (puzzles), never block
 */
enum moat_ratelimit_verdict {
	MOAT_RATELIMIT_PASS,
	MOAT_RATELIMIT_LIMITED,
	MOAT_RATELIMIT_FULL,
};

struct moat_ratelimit;

struct moat_ratelimit *moat_ratelimit_alloc(const struct moat_ratelimit_config *cfg);
void moat_ratelimit_free(struct moat_ratelimit *rl);
enum moat_ratelimit_verdict moat_ratelimit_check(struct moat_ratelimit *rl,
						 const u8 *addr, u8 addr_len,
						 u64 now);
u32 moat_ratelimit_slot(const struct moat_ratelimit *rl, const u8 *addr,
			u8 addr_len);
unsigned int moat_ratelimit_gc(struct moat_ratelimit *rl, u64 now);
unsigned int moat_ratelimit_count(struct moat_ratelimit *rl);

#endif /* _MOAT_RATELIMIT_H */
