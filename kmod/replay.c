// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window of an inbound SA: RFC 4303 section 3.4.3 and
 * Appendix A (extended sequence numbers), kept as the block ring of
 * RFC 6479 so that the cost per packet does not grow with the window.
 *
 * The ring is a power-of-two number of words, one more than a window's
 * worth at least. Sequence number s lives in bit s % BITS_PER_LONG of
 * word (s / BITS_PER_LONG) % words. When the top moves into a new word,
 * the words it passes are wiped whole; the spare word means that the
 * word wiped for the new top never holds bits still inside the window.
 *
 * The receive path reads the window without the lock (moat_replay_infer()
 * and moat_replay_check()), so the writer wipes and marks ring words
 * first and publishes the new top last, with release semantics. A reader
 * that acquires a top therefore sees a ring at least as new as that top,
 * never stale bits aliasing a number the top has just made valid.
 */

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <uapi/linux/moat.h>

#include "replay.h"

#define MOAT_REPLAY_WORD_SHIFT	ilog2(BITS_PER_LONG)

struct moat_replay {
	/* Serialises moat_replay_update(); readers go without. */
	spinlock_t lock;
	u32 window;
	/* Ring words minus one; the ring is a power of two long. */
	u32 mask;
	/* Highest sequence number accepted, 0 before the first. */
	atomic64_t top;
	unsigned long ring[];
};

/*
 * Enough words for @window bits wherever the top sits in its word, plus
 * the spare one, rounded up so that indexing is a mask, not a division.
 */
static u32 moat_replay_ring_words(u32 window)
{
	return roundup_pow_of_two(DIV_ROUND_UP(window, BITS_PER_LONG) + 1);
}

static u32 moat_replay_index(const struct moat_replay *r, u64 seq)
{
	return (u32)(seq >> MOAT_REPLAY_WORD_SHIFT) & r->mask;
}

static unsigned long moat_replay_bit(u64 seq)
{
	return BIT((u32)seq & (BITS_PER_LONG - 1));
}

/* Where @seq stands against the window whose top is @top. */
static enum moat_replay_verdict
moat_replay_judge(const struct moat_replay *r, u64 top, u64 seq)
{
	/* Counting starts at 1, so 0 can only be a forgery or a replay. */
	if (unlikely(!seq))
		return MOAT_REPLAY_TOO_OLD;
	if (seq > top)
		return MOAT_REPLAY_OK;
	if (top - seq >= r->window)
		return MOAT_REPLAY_TOO_OLD;
	if (READ_ONCE(r->ring[moat_replay_index(r, seq)]) &
	    moat_replay_bit(seq))
		return MOAT_REPLAY_REPLAYED;
	return MOAT_REPLAY_OK;
}

/*
 * Wipe the words between the old top's and @seq's, @seq's included.
 * A jump of a whole ring or more leaves nothing worth keeping, so the
 * loop stops after one pass over the ring.
 */
static void moat_replay_advance(struct moat_replay *r, u64 top, u64 seq)
{
	u64 word = top >> MOAT_REPLAY_WORD_SHIFT;
	u64 n = (seq >> MOAT_REPLAY_WORD_SHIFT) - word;

	n = min_t(u64, n, (u64)r->mask + 1);
	while (n--) {
		word++;
		WRITE_ONCE(r->ring[(u32)word & r->mask], 0);
	}
}

struct moat_replay *moat_replay_alloc(u32 window, gfp_t gfp)
{
	struct moat_replay *r;
	size_t size;
	u32 words;

	if (!window || window > MOAT_REPLAY_WINDOW_MAX)
		return NULL;
	words = moat_replay_ring_words(window);
	size = struct_size(r, ring, words);
	/*
	 * The largest window takes 16 KiB: let vmalloc stand in when such
	 * blocks are scarce, if @gfp lets us sleep for it.
	 */
	if (gfpflags_allow_blocking(gfp))
		r = kvzalloc(size, gfp);
	else
		r = kzalloc(size, gfp);
	if (!r)
		return NULL;
	spin_lock_init(&r->lock);
	r->window = window;
	r->mask = words - 1;
	atomic64_set(&r->top, 0);
	return r;
}

void moat_replay_free(struct moat_replay *r)
{
	kvfree(r);
}

u64 moat_replay_infer(const struct moat_replay *r, u32 seq_lo, bool esn)
{
	u64 top;
	u32 th, tl, bl;

	if (!esn)
		return seq_lo;

	top = atomic64_read(&r->top);
	th = upper_32_bits(top);
	tl = lower_32_bits(top);
	/* Low half of the window's bottom; wraps in case B, on purpose. */
	bl = tl - (r->window - 1);

	if (tl >= r->window - 1) {
		/* Case A: the window lies in subspace th. Below it is ahead. */
		if (seq_lo < bl)
			th++;
	} else if (seq_lo >= bl && th) {
		/*
		 * Case B: the window's bottom lies in subspace th - 1. With
		 * th == 0 that subspace does not exist, so stay in 0.
		 */
		th--;
	}
	return (u64)th << 32 | seq_lo;
}

enum moat_replay_verdict moat_replay_check(const struct moat_replay *r,
					   u64 seq)
{
	/* Pairs with the release in moat_replay_update(). */
	u64 top = atomic64_read_acquire(&r->top);

	return moat_replay_judge(r, top, seq);
}

enum moat_replay_verdict moat_replay_update(struct moat_replay *r, u64 seq)
{
	enum moat_replay_verdict verdict;
	u32 i = moat_replay_index(r, seq);
	u64 top;

	spin_lock_bh(&r->lock);
	top = atomic64_read(&r->top);
	verdict = moat_replay_judge(r, top, seq);
	if (verdict == MOAT_REPLAY_OK) {
		if (seq > top)
			moat_replay_advance(r, top, seq);
		WRITE_ONCE(r->ring[i], r->ring[i] | moat_replay_bit(seq));
		/* Last, so lockless readers never see the top ahead of the ring. */
		if (seq > top)
			atomic64_set_release(&r->top, seq);
	}
	spin_unlock_bh(&r->lock);
	return verdict;
}

u64 moat_replay_top(const struct moat_replay *r)
{
	return atomic64_read(&r->top);
}

u32 moat_replay_window(const struct moat_replay *r)
{
	return r->window;
}
