// SPDX-License-Identifier: GPL-2.0
/*
 * Known sources: a bounded, keyed, set-associative table of addresses
 * with an expiry each. moatd adds to it (process context, serialised by
 * the table's lock); the guard reads it in softirq without a lock, under
 * the sequence count, and retries if a writer came by.
 */

#include <linux/minmax.h>
#include <linux/random.h>
#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <uapi/linux/moat.h>

#include "known.h"

#define KNOWN_BUCKETS	(MOAT_GUARD_KNOWN_MAX / MOAT_KNOWN_WAYS)

struct moat_known_entry {
	u8 addr[16];
	u8 len;			/* 4 or 16; 0 for a free entry */
	u64 expires;		/* ns */
};

struct moat_known {
	seqlock_t lock;
	siphash_key_t key;
	struct moat_known_entry e[KNOWN_BUCKETS][MOAT_KNOWN_WAYS];
};

/**
 * moat_known_alloc() - an empty table with a fresh hash key
 *
 * Sleeps. Return: the table or %NULL.
 */
struct moat_known *moat_known_alloc(void)
{
	struct moat_known *k = kvzalloc(sizeof(*k), GFP_KERNEL);

	if (!k)
		return NULL;
	seqlock_init(&k->lock);
	get_random_bytes(&k->key, sizeof(k->key));
	return k;
}

void moat_known_free(struct moat_known *k)
{
	kvfree(k);
}

/**
 * moat_known_bucket() - where an address lives
 * @k: the table
 * @addr: the address, network order
 * @addr_len: 4 or 16
 *
 * Return: the bucket's index, below %MOAT_GUARD_KNOWN_MAX / ways.
 */
u32 moat_known_bucket(const struct moat_known *k, const u8 *addr,
		      u8 addr_len)
{
	u8 buf[17] = {};

	memcpy(buf, addr, min_t(u8, addr_len, 16));
	buf[16] = addr_len;
	return siphash(buf, sizeof(buf), &k->key) % KNOWN_BUCKETS;
}

static bool known_match(const struct moat_known_entry *e, const u8 *addr,
			u8 addr_len)
{
	return e->len == addr_len && !memcmp(e->addr, addr, addr_len);
}

/* The entry to (re)use in @b: @addr's own, else the first to expire. */
static struct moat_known_entry *known_slot(struct moat_known_entry *b,
					   const u8 *addr, u8 addr_len)
{
	struct moat_known_entry *victim = b;
	int i;

	for (i = 0; i < MOAT_KNOWN_WAYS; i++) {
		if (known_match(&b[i], addr, addr_len))
			return &b[i];
		if (b[i].expires < victim->expires)
			victim = &b[i];
	}
	return victim;
}

/**
 * moat_known_add() - remember a source for @ttl seconds from @now
 * @k: the table
 * @addr: the address, network order
 * @addr_len: 4 or 16; anything else is ignored
 * @now: the time (ns, the guard's clock)
 * @ttl: seconds
 *
 * Process context. Never fails: a full bucket forgets its entry that
 * expires first.
 */
void moat_known_add(struct moat_known *k, const u8 *addr, u8 addr_len,
		    u64 now, u32 ttl)
{
	struct moat_known_entry *e;
	u32 b;

	if (addr_len != 4 && addr_len != 16)
		return;
	b = moat_known_bucket(k, addr, addr_len);
	write_seqlock_bh(&k->lock);
	e = known_slot(k->e[b], addr, addr_len);
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, addr, addr_len);
	e->len = addr_len;
	e->expires = now + (u64)ttl * NSEC_PER_SEC;
	write_sequnlock_bh(&k->lock);
}

static bool known_has(const struct moat_known_entry *b, const u8 *addr,
		      u8 addr_len, u64 now)
{
	int i;

	for (i = 0; i < MOAT_KNOWN_WAYS; i++)
		if (known_match(&b[i], addr, addr_len) && b[i].expires > now)
			return true;
	return false;
}

/**
 * moat_known_has() - is a source known and not expired?
 * @k: the table
 * @addr: the address, network order
 * @addr_len: 4 or 16
 * @now: the time (ns)
 *
 * Any context; O(ways), no lock taken.
 */
bool moat_known_has(struct moat_known *k, const u8 *addr, u8 addr_len,
		    u64 now)
{
	const struct moat_known_entry *b;
	unsigned int seq;
	bool found;

	if (addr_len != 4 && addr_len != 16)
		return false;
	b = k->e[moat_known_bucket(k, addr, addr_len)];
	do {
		seq = read_seqbegin(&k->lock);
		found = known_has(b, addr, addr_len, now);
	} while (read_seqretry(&k->lock, seq));
	return found;
}

/**
 * moat_known_count() - how many sources are known at @now
 * @k: the table
 * @now: the time (ns)
 *
 * Process context: walks the whole table.
 */
unsigned int moat_known_count(struct moat_known *k, u64 now)
{
	unsigned int n = 0, b, i;

	read_seqlock_excl_bh(&k->lock);
	for (b = 0; b < KNOWN_BUCKETS; b++)
		for (i = 0; i < MOAT_KNOWN_WAYS; i++)
			n += k->e[b][i].len && k->e[b][i].expires > now;
	read_sequnlock_excl_bh(&k->lock);
	return n;
}
