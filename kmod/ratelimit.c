// SPDX-License-Identifier: GPL-2.0
/*
 * Per-prefix token buckets for the guard.
 *
 * Every bucket the table can ever hold is allocated when it is made, so
 * a flood of distinct sources costs no allocation and no more memory
 * than that. Buckets are found through a hash keyed with a random
 * SipHash key, so senders cannot pick addresses that pile into one chain,
 * and the chains stay about one long: the table has a slot per bucket.
 *
 * Credit is kept in nanoseconds: a request costs 1 s / rate, credit grows
 * by the time that passes and stops at burst requests' worth. A bucket
 * that has been idle for that long is full again, exactly like a new
 * one, so it can be forgotten at no cost to fairness. Buckets in use are
 * kept on a list, least recently used first: when the free ones run out
 * a new source takes the first one if it is idle, and if it is not, none
 * is and the table is full. All of it is O(1) per request.
 */

#include <linux/err.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "ratelimit.h"

#define RL_KEY_LEN	17	/* address length, then the masked address */

struct rl_bucket {
	struct hlist_node node;
	struct list_head lru;
	u64 last;	/* ns */
	u64 credit;	/* ns */
	u8 key[RL_KEY_LEN];
};

struct moat_ratelimit {
	spinlock_t lock;	/* everything below */
	siphash_key_t hash_key;
	struct hlist_head *slots;
	u32 mask;
	struct rl_bucket *pool;
	struct list_head lru;	/* buckets in use, least recent first */
	struct list_head free;
	unsigned int used;
	u64 cost;		/* ns of credit one request takes */
	u64 full;		/* ns of credit a bucket holds at most */
	u8 prefix4;
	u8 prefix6;
};

static bool rl_config_ok(const struct moat_ratelimit_config *cfg)
{
	return cfg->rate && cfg->rate <= NSEC_PER_SEC && cfg->burst &&
	       cfg->prefix4 && cfg->prefix4 <= 32 && cfg->prefix6 &&
	       cfg->prefix6 <= 128 && cfg->entries &&
	       cfg->entries <= MOAT_RATELIMIT_MAX_ENTRIES;
}

/**
 * moat_ratelimit_alloc() - an empty table
 * @cfg: its configuration
 *
 * Sleeps: call it from process context.
 *
 * Return: the table, %ERR_PTR(-EINVAL) for a bad @cfg or
 * %ERR_PTR(-ENOMEM).
 */
struct moat_ratelimit *moat_ratelimit_alloc(const struct moat_ratelimit_config *cfg)
{
	struct moat_ratelimit *rl;
	u32 n, i;

	if (!rl_config_ok(cfg))
		return ERR_PTR(-EINVAL);
	rl = kzalloc(sizeof(*rl), GFP_KERNEL);
	if (!rl)
		return ERR_PTR(-ENOMEM);
	n = roundup_pow_of_two(cfg->entries);
	rl->slots = kvcalloc(n, sizeof(*rl->slots), GFP_KERNEL);
	rl->pool = kvcalloc(cfg->entries, sizeof(*rl->pool), GFP_KERNEL);
	if (!rl->slots || !rl->pool) {
		moat_ratelimit_free(rl);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&rl->lock);
	get_random_bytes(&rl->hash_key, sizeof(rl->hash_key));
	rl->mask = n - 1;
	INIT_LIST_HEAD(&rl->lru);
	INIT_LIST_HEAD(&rl->free);
	for (i = 0; i < cfg->entries; i++)
		list_add_tail(&rl->pool[i].lru, &rl->free);
	rl->cost = div_u64(NSEC_PER_SEC, cfg->rate);
	rl->full = rl->cost * cfg->burst;
	rl->prefix4 = cfg->prefix4;
	rl->prefix6 = cfg->prefix6;
	return rl;
}

/**
 * moat_ratelimit_free() - free a table
 * @rl: the table, or %NULL or an error pointer
 */
void moat_ratelimit_free(struct moat_ratelimit *rl)
{
	if (IS_ERR_OR_NULL(rl))
		return;
	kvfree(rl->slots);
	kvfree(rl->pool);
	kfree(rl);
}

/* The key of a source: its address length and its prefix. */
static void rl_key(const struct moat_ratelimit *rl, const u8 *addr,
		   u8 addr_len, u8 key[RL_KEY_LEN])
{
	unsigned int bits = addr_len == 4 ? rl->prefix4 : rl->prefix6;
	unsigned int full = bits / 8;

	memset(key, 0, RL_KEY_LEN);
	key[0] = addr_len;
	memcpy(key + 1, addr, full);
	if (bits % 8)
		key[1 + full] = addr[full] & (0xff00 >> (bits % 8));
}

static u32 rl_slot(const struct moat_ratelimit *rl, const u8 key[RL_KEY_LEN])
{
	return siphash(key, RL_KEY_LEN, &rl->hash_key) & rl->mask;
}

/**
 * moat_ratelimit_slot() - where a source's bucket is looked for
 * @rl: the table
 * @addr: the source address, network order
 * @addr_len: 4 or 16 (anything else gives 0)
 *
 * Return: the index of its hash chain; it depends on the table's random
 * key, so senders cannot know which addresses share a chain.
 */
u32 moat_ratelimit_slot(const struct moat_ratelimit *rl, const u8 *addr,
			u8 addr_len)
{
	u8 key[RL_KEY_LEN];

	if (addr_len != 4 && addr_len != 16)
		return 0;
	rl_key(rl, addr, addr_len, key);
	return rl_slot(rl, key);
}

static struct rl_bucket *rl_find(struct moat_ratelimit *rl,
				 struct hlist_head *slot,
				 const u8 key[RL_KEY_LEN])
{
	struct rl_bucket *b;

	hlist_for_each_entry(b, slot, node)
		if (!memcmp(b->key, key, RL_KEY_LEN))
			return b;
	return NULL;
}

static bool rl_idle(const struct moat_ratelimit *rl,
		    const struct rl_bucket *b, u64 now)
{
	return now >= b->last && now - b->last >= rl->full;
}

static void rl_forget(struct moat_ratelimit *rl, struct rl_bucket *b)
{
	hlist_del(&b->node);
	list_move_tail(&b->lru, &rl->free);
	rl->used--;
}

/* A bucket for a new source: a free one, or the least recent if idle. */
static struct rl_bucket *rl_take(struct moat_ratelimit *rl, u64 now)
{
	struct rl_bucket *b;

	b = list_first_entry_or_null(&rl->free, struct rl_bucket, lru);
	if (!b) {
		b = list_first_entry_or_null(&rl->lru, struct rl_bucket, lru);
		if (!b || !rl_idle(rl, b, now))
			return NULL;
		rl_forget(rl, b);
	}
	rl->used++;
	return b;
}

/* Refill by the time passed, then take one request's worth if there. */
static bool rl_spend(struct moat_ratelimit *rl, struct rl_bucket *b, u64 now)
{
	if (now > b->last)
		b->credit = min(rl->full, b->credit + min(now - b->last, rl->full));
	b->last = max(b->last, now);
	if (b->credit < rl->cost)
		return false;
	b->credit -= rl->cost;
	return true;
}

/**
 * moat_ratelimit_check() - count one request from a source
 * @rl: the table
 * @addr: the source address, network order
 * @addr_len: 4 or 16
 * @now: the time (ns, a monotonic clock)
 *
 * Any context; O(1), allocates nothing.
 *
 * Return: the verdict.
 */
enum moat_ratelimit_verdict moat_ratelimit_check(struct moat_ratelimit *rl,
						 const u8 *addr, u8 addr_len,
						 u64 now)
{
	enum moat_ratelimit_verdict v = MOAT_RATELIMIT_PASS;
	struct hlist_head *slot;
	struct rl_bucket *b;
	u8 key[RL_KEY_LEN];

	if (addr_len != 4 && addr_len != 16)
		return MOAT_RATELIMIT_LIMITED;
	rl_key(rl, addr, addr_len, key);
	slot = &rl->slots[rl_slot(rl, key)];
	spin_lock_bh(&rl->lock);
	b = rl_find(rl, slot, key);
	if (!b) {
		b = rl_take(rl, now);
		if (!b) {
			v = MOAT_RATELIMIT_FULL;
			goto out;
		}
		memcpy(b->key, key, RL_KEY_LEN);
		b->last = now;
		b->credit = rl->full;
		hlist_add_head(&b->node, slot);
	}
	if (!rl_spend(rl, b, now))
		v = MOAT_RATELIMIT_LIMITED;
	list_move_tail(&b->lru, &rl->lru);
out:
	spin_unlock_bh(&rl->lock);
	return v;
}

/**
 * moat_ratelimit_gc() - forget every bucket that is full again
 * @rl: the table
 * @now: the time (ns)
 *
 * Costs one step per bucket forgotten, plus one.
 *
 * Return: the number of buckets still in use.
 */
unsigned int moat_ratelimit_gc(struct moat_ratelimit *rl, u64 now)
{
	struct rl_bucket *b, *tmp;
	unsigned int used;

	spin_lock_bh(&rl->lock);
	list_for_each_entry_safe(b, tmp, &rl->lru, lru) {
		if (!rl_idle(rl, b, now))
			break;
		rl_forget(rl, b);
	}
	used = rl->used;
	spin_unlock_bh(&rl->lock);
	return used;
}

/**
 * moat_ratelimit_count() - buckets in use
 * @rl: the table
 *
 * Return: how many prefixes the table tracks now.
 */
unsigned int moat_ratelimit_count(struct moat_ratelimit *rl)
{
	return READ_ONCE(rl->used);
}
