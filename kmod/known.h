/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_KNOWN_H
#define _MOAT_KNOWN_H

#include <linux/types.h>

/*
 * Sources that completed IKE_AUTH recently, as moatd reports them: the
 * guard asks them no puzzle below its top difficulty (issue 9, item 6).
 * A table of at most %MOAT_GUARD_KNOWN_MAX addresses, in buckets of a
 * few ways chosen by a keyed hash, so that nobody can aim a flood of
 * reports or lookups at one bucket; a full bucket gives up the entry that
 * expires first.
 */

#define MOAT_KNOWN_WAYS		4

struct moat_known;

struct moat_known *moat_known_alloc(void);
void moat_known_free(struct moat_known *k);
void moat_known_add(struct moat_known *k, const u8 *addr, u8 addr_len,
		    u64 now, u32 ttl);
bool moat_known_has(struct moat_known *k, const u8 *addr, u8 addr_len,
		    u64 now);
unsigned int moat_known_count(struct moat_known *k, u64 now);
u32 moat_known_bucket(const struct moat_known *k, const u8 *addr,
		      u8 addr_len);

#endif /* _MOAT_KNOWN_H */
