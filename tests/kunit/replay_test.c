// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the anti-replay window. Besides hand-worked edge cases, every
 * verdict of long packet streams is compared with a model that is slow
 * but plainly right: one byte per sequence number of the window, slots
 * reused modulo the window size, and the top kept explicitly. ESN
 * inference is compared with RFC 4303 Appendix A2.2 restated: the result
 * is the one number with the given low half among the 2^32 numbers that
 * start at the window's bottom.
 */

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <uapi/linux/moat.h>

#include "../replay.h"

#define OK		MOAT_REPLAY_OK
#define REPLAYED	MOAT_REPLAY_REPLAYED
#define TOO_OLD		MOAT_REPLAY_TOO_OLD

#define SUBSPACE	BIT_ULL(32)

/* The model window. */
struct ref {
	u64 top;
	u32 w;
	u8 *seen;	/* seen[seq % w] for seq in (top - w, top] */
};

/* A tiny xorshift64*: the same stream on every run and every machine. */
static u64 rnd_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Uniform enough in [0, n). */
static u32 rnd_below(u64 *s, u32 n)
{
	return ((rnd_next(s) >> 32) * n) >> 32;
}

static void ref_init(struct kunit *test, struct ref *m, u32 w)
{
	m->top = 0;
	m->w = w;
	m->seen = kunit_kzalloc(test, w, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->seen);
}

static u32 ref_slot(const struct ref *m, u64 seq)
{
	u32 rem;

	div_u64_rem(seq, m->w, &rem);
	return rem;
}

static enum moat_replay_verdict ref_verdict(const struct ref *m, u64 seq)
{
	if (seq == 0)
		return TOO_OLD;
	if (seq > m->top)
		return OK;
	if (m->top - seq >= m->w)
		return TOO_OLD;
	return m->seen[ref_slot(m, seq)] ? REPLAYED : OK;
}

/* Forget the slots of top + 1 .. top + n, n <= w: they are new. */
static void ref_clear_after_top(struct ref *m, u32 n)
{
	u32 first = ref_slot(m, m->top + 1);
	u32 head = min(n, m->w - first);

	memset(m->seen + first, 0, head);
	memset(m->seen, 0, n - head);
}

static enum moat_replay_verdict ref_update(struct ref *m, u64 seq)
{
	enum moat_replay_verdict v = ref_verdict(m, seq);

	if (v != OK)
		return v;
	if (seq > m->top) {
		ref_clear_after_top(m, min_t(u64, seq - m->top, m->w));
		m->top = seq;
	}
	m->seen[ref_slot(m, seq)] = 1;
	return OK;
}

/*
 * Appendix A2.2 in one line: the window's bottom B = top - w + 1 starts a
 * run of 2^32 numbers holding each low half once. Until the top reaches
 * w - 1 the bottom would be negative; there is no subspace below 0, so
 * the run starts at 0 instead.
 */
static u64 ref_infer(const struct ref *m, u32 lo)
{
	u64 bottom = m->top < m->w - 1 ? 0 : m->top - (m->w - 1);

	return bottom + (u32)(lo - (u32)bottom);
}

static int window_init(struct kunit_resource *res, void *context)
{
	res->data = moat_replay_alloc(*(u32 *)context, GFP_KERNEL);
	return res->data ? 0 : -ENOMEM;
}

static void window_free(struct kunit_resource *res)
{
	moat_replay_free(res->data);
}

/* A window freed when the test ends, even by a failed assertion. */
static struct moat_replay *new_window(struct kunit *test, u32 w)
{
	struct moat_replay *r;

	r = kunit_alloc_resource(test, window_init, window_free, GFP_KERNEL,
				 &w);
	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

/*
 * Both phases for one authenticated packet, each verdict against the
 * model's. The pre-check runs twice: it must not change anything.
 */
static enum moat_replay_verdict feed(struct kunit *test, struct moat_replay *r,
				     struct ref *m, u64 seq)
{
	enum moat_replay_verdict want = ref_verdict(m, seq);

	KUNIT_ASSERT_EQ_MSG(test, moat_replay_check(r, seq), want,
			    "check seq %llu top %llu w %u", seq, m->top, m->w);
	KUNIT_ASSERT_EQ_MSG(test, moat_replay_check(r, seq), want,
			    "recheck seq %llu top %llu w %u", seq, m->top,
			    m->w);
	KUNIT_ASSERT_EQ_MSG(test, moat_replay_top(r), m->top,
			    "check moved the top, seq %llu", seq);
	KUNIT_ASSERT_EQ_MSG(test, moat_replay_update(r, seq), want,
			    "update seq %llu top %llu w %u", seq, m->top, m->w);
	ref_update(m, seq);
	KUNIT_ASSERT_EQ(test, moat_replay_top(r), m->top);
	return want;
}

/*
 * A packet as it arrives with ESN: only the low half is known. The guess
 * must match the model's; when it misses the true number the ICV check
 * would fail, so the window is left alone, and RFC 4303 promises that
 * only a number too old for the window can be missed.
 */
static enum moat_replay_verdict feed_esn(struct kunit *test,
					 struct moat_replay *r, struct ref *m,
					 u64 seq)
{
	u64 guess = moat_replay_infer(r, (u32)seq, true);

	KUNIT_ASSERT_EQ_MSG(test, guess, ref_infer(m, (u32)seq),
			    "infer %#llx top %#llx w %u", seq, m->top, m->w);
	if (guess == seq)
		return feed(test, r, m, seq);
	KUNIT_ASSERT_EQ_MSG(test, ref_verdict(m, seq), TOO_OLD,
			    "missed %#llx in the window, top %#llx", seq,
			    m->top);
	KUNIT_ASSERT_EQ(test, moat_replay_check(r, guess),
			ref_verdict(m, guess));
	return TOO_OLD;
}

static enum moat_replay_verdict feed_any(struct kunit *test,
					 struct moat_replay *r, struct ref *m,
					 u64 seq, bool esn)
{
	return esn ? feed_esn(test, r, m, seq) : feed(test, r, m, seq);
}

/* Windows for the parameterised cases; 1 has a case of its own. */
static const u32 windows[] = {
	2, 31, 32, 33, 64, 100, 1000, 1024, 4096, 32768, 65535,
	MOAT_REPLAY_WINDOW_MAX,
};

static void window_desc(const u32 *w, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "window %u", *w);
}

KUNIT_ARRAY_PARAM(windows, windows, window_desc);

static u32 param_window(struct kunit *test)
{
	return *(const u32 *)test->param_value;
}

static void alloc_limits(struct kunit *test)
{
	struct moat_replay *r;

	KUNIT_EXPECT_NULL(test, moat_replay_alloc(0, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, moat_replay_alloc(MOAT_REPLAY_WINDOW_MAX + 1,
						  GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, moat_replay_alloc(U32_MAX, GFP_KERNEL));

	r = new_window(test, 1);
	KUNIT_EXPECT_EQ(test, moat_replay_window(r), 1);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 0);

	r = new_window(test, MOAT_REPLAY_WINDOW_MAX);
	KUNIT_EXPECT_EQ(test, moat_replay_window(r), MOAT_REPLAY_WINDOW_MAX);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 0);

	/* Without sleeping, as from a packet path. */
	r = moat_replay_alloc(MOAT_REPLAY_WINDOW_MAX, GFP_ATOMIC);
	KUNIT_EXPECT_NOT_NULL(test, r);
	moat_replay_free(r);
	moat_replay_free(NULL);
}

static void first_packet(struct kunit *test)
{
	struct moat_replay *r = new_window(test, 64);

	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 1), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 0);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 1), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 1);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 1), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 2), OK);

	/* The first packet may be anywhere; the window forms below it. */
	r = new_window(test, 64);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 1000), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 1000 - 63), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 1000 - 64), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 999), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 1000);
}

static void seq_zero(struct kunit *test)
{
	struct moat_replay *r = new_window(test, 64);

	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 0), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 0), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 0);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, false), 0);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, true), 0);

	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 3), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 0), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 0), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, true), 0);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 3);

	/* With ESN a low half of 0 is fine once the low half has wrapped. */
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE - 5), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, true), SUBSPACE);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 0), TOO_OLD);
}

static void window_one(struct kunit *test)
{
	struct moat_replay *r = new_window(test, 1);

	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 5), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 5), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 4), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 7), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 6), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 8), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), 8);
	/* Case A always: anything below the top is taken to be ahead. */
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 8, true), 8);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 7, true), SUBSPACE + 7);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 9, true), 9);
}

static void window_edges(struct kunit *test)
{
	u32 w = param_window(test);
	u64 t = 10ULL * w + 7;
	struct moat_replay *r = new_window(test, w);

	KUNIT_ASSERT_EQ(test, moat_replay_update(r, t), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, t), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, t), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, t - (w - 1)), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, t - w), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, t - w), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, t - (w - 1)), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, t - (w - 1)), REPLAYED);
	if (w > 2) {
		KUNIT_EXPECT_EQ(test, moat_replay_update(r, t - 1), OK);
		KUNIT_EXPECT_EQ(test, moat_replay_update(r, t - 1), REPLAYED);
	}
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, t + 1), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), t);
}

/* Jumps ahead by w - 1, w and w + 1, and what is left of the old top. */
static void window_jumps(struct kunit *test)
{
	static const int over[] = { -1, 0, 1 };
	u32 w = param_window(test);
	u64 t = 3ULL * w + 11;
	int i;

	for (i = 0; i < ARRAY_SIZE(over); i++) {
		struct moat_replay *r = new_window(test, w);
		u64 next = t + w + over[i], s;
		struct ref m;

		ref_init(test, &m, w);
		KUNIT_ASSERT_EQ(test, feed(test, r, &m, t), OK);
		KUNIT_ASSERT_EQ(test, feed(test, r, &m, next), OK);
		KUNIT_EXPECT_EQ(test, moat_replay_top(r), next);
		/* Still in the window only if the jump was short of w. */
		KUNIT_EXPECT_EQ_MSG(test, moat_replay_check(r, t),
				    over[i] < 0 ? REPLAYED : TOO_OLD,
				    "jump w%+d", over[i]);
		if (t + 1 < next)
			KUNIT_EXPECT_EQ_MSG(test, moat_replay_check(r, t + 1),
					    over[i] <= 0 ? OK : TOO_OLD,
					    "jump w%+d", over[i]);
		KUNIT_EXPECT_EQ(test, moat_replay_check(r, next), REPLAYED);
		for (s = t - 1; s <= next + 1; s++)
			KUNIT_EXPECT_EQ_MSG(test, moat_replay_check(r, s),
					    ref_verdict(&m, s),
					    "jump w%+d seq %llu", over[i], s);
	}
}

/*
 * Fill the whole window, jump, and look at every number in the new
 * window: the ring must have forgotten all that slid out, however the
 * jump lines up with its words, and kept all that did not.
 */
static void jump_forgets(struct kunit *test)
{
	u32 w = param_window(test);
	u64 ring = roundup_pow_of_two(DIV_ROUND_UP(w, BITS_PER_LONG) + 1) *
		   BITS_PER_LONG;
	const u64 jumps[] = {
		1, BITS_PER_LONG - 1, BITS_PER_LONG, BITS_PER_LONG + 1,
		w - 1, w, w + 1, ring - w, ring - 1, ring, ring + 1,
		2 * ring + BITS_PER_LONG / 2, 3ULL * w + 5,
	};
	struct moat_replay *r = new_window(test, w);
	struct ref m;
	u64 s;
	int i;

	ref_init(test, &m, w);
	feed(test, r, &m, 2ULL * w + 3);
	for (i = 0; i < ARRAY_SIZE(jumps); i++) {
		u64 top = m.top;

		for (s = top - (w - 1); s <= top; s++)
			KUNIT_ASSERT_EQ(test, moat_replay_update(r, s),
					ref_update(&m, s));
		feed(test, r, &m, top + jumps[i]);
		for (s = m.top - w; s <= m.top; s++)
			KUNIT_ASSERT_EQ_MSG(test, moat_replay_check(r, s),
					    ref_verdict(&m, s),
					    "jump %llu from %llu, seq %llu",
					    jumps[i], top, s);
	}
}

/* Every number of a window in random order, with duplicates. */
static void sweep(struct kunit *test, u64 base, bool esn, u64 *rnd)
{
	u32 w = param_window(test);
	struct moat_replay *r = new_window(test, w);
	u32 *perm, i, j, accepted = 0;
	struct ref m;

	perm = kunit_kmalloc_array(test, w, sizeof(*perm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, perm);
	for (i = 0; i < w; i++)
		perm[i] = i;
	/* Fisher-Yates; swap() evaluates its arguments twice. */
	for (i = w - 1; i > 0; i--) {
		j = rnd_below(rnd, i + 1);
		swap(perm[i], perm[j]);
	}

	ref_init(test, &m, w);
	/* Seed the top below the window, where a long-lived SA would be. */
	feed(test, r, &m, base - 1);
	for (i = 0; i < w; i++) {
		u64 seq = base + perm[i];

		accepted += feed_any(test, r, &m, seq, esn) == OK;
		if (rnd_below(rnd, 4) == 0) {
			seq = base + perm[rnd_below(rnd, i + 1)];
			KUNIT_ASSERT_EQ(test, feed_any(test, r, &m, seq, esn),
					REPLAYED);
		}
	}
	KUNIT_EXPECT_EQ(test, accepted, w);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), base + w - 1);
	/* Now all of it is seen, up to the top. */
	for (i = 0; i < w; i++)
		KUNIT_ASSERT_EQ(test, moat_replay_check(r, base + i), REPLAYED);
}

static void sweep_permutations(struct kunit *test)
{
	u32 w = param_window(test);
	u64 rnd = 0x6d6f6174ULL + w;

	sweep(test, 2, false, &rnd);
	sweep(test, 100000, false, &rnd);
	/* Non-ESN: right up to the last 32-bit number. */
	sweep(test, SUBSPACE - w, false, &rnd);
	/* ESN: straddling the wrap of the low half, and in subspace 7. */
	sweep(test, SUBSPACE - w / 2, true, &rnd);
	sweep(test, 7 * SUBSPACE + 12345, true, &rnd);
}

/*
 * A sender's counter and what a network makes of it: mostly in order,
 * some reordered within and beyond the window, duplicates of recent
 * packets, and jumps ahead after losses, short and long.
 */
static void walk(struct kunit *test, u64 start, u64 limit, bool esn,
		 u32 steps, u64 *rnd)
{
	u32 w = param_window(test);
	struct moat_replay *r = new_window(test, w);
	u64 next = start, recent[16] = { start };
	struct ref m;
	u32 i;

	ref_init(test, &m, w);
	for (i = 0; i < steps; i++) {
		u32 dice = rnd_below(rnd, 100), back;
		u64 seq;

		if (dice < 55) {
			seq = next++;
		} else if (dice < 75) {
			seq = recent[rnd_below(rnd, ARRAY_SIZE(recent))];
		} else if (dice < 95) {
			back = rnd_below(rnd, 2 * w + 8);
			if (back >= next - start)
				continue;
			seq = next - 1 - back;
		} else if (dice < 99) {
			next += rnd_below(rnd, 2 * w) + 1;
			seq = next++;
		} else {
			next += (u64)w * (1 + rnd_below(rnd, 4)) +
				rnd_below(rnd, BITS_PER_LONG);
			seq = next++;
		}
		if (seq < start || seq > limit)
			continue;
		recent[i % ARRAY_SIZE(recent)] = seq;
		feed_any(test, r, &m, seq, esn);
	}
}

static void random_walks(struct kunit *test)
{
	u32 w = param_window(test);
	u64 rnd = 0x4553502dULL * w + 1;

	walk(test, 1, U32_MAX, false, 20000, &rnd);
	/* Across the 32-bit wrap; starts where a fresh window infers 0. */
	walk(test, SUBSPACE - 8000, U64_MAX, true, 20000, &rnd);
	walk(test, 1, U64_MAX, true, 5000, &rnd);
}

/* The pre-check leaves everything as it was, whatever it is asked. */
static void precheck_read_only(struct kunit *test)
{
	u32 w = param_window(test);
	struct moat_replay *r = new_window(test, w);
	u64 rnd = 0x636865636bULL + w, top, s;
	enum moat_replay_verdict *before;
	struct ref m;
	u32 i;

	ref_init(test, &m, w);
	for (i = 0; i < 2 * w; i++)
		feed(test, r, &m, 5ULL * w + rnd_below(&rnd, 3 * w));

	top = moat_replay_top(r);
	before = kunit_kmalloc_array(test, 3 * w + 2, sizeof(*before),
				     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	for (i = 0; i < 3 * w + 2; i++)
		before[i] = moat_replay_check(r, top - w - 1 + i);
	/* Far ahead, far behind, 0: none of it may leave a trace. */
	for (i = 0; i < 1000; i++) {
		s = top + (rnd_next(&rnd) >> rnd_below(&rnd, 64));
		moat_replay_check(r, s);
		moat_replay_check(r, top - rnd_below(&rnd, 3 * w));
	}
	moat_replay_check(r, 0);
	moat_replay_check(r, U64_MAX);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), top);
	for (i = 0; i < 3 * w + 2; i++) {
		s = top - w - 1 + i;
		KUNIT_ASSERT_EQ_MSG(test, moat_replay_check(r, s), before[i],
				    "seq %llu", s);
		KUNIT_ASSERT_EQ(test, before[i], ref_verdict(&m, s));
	}
	/* The update agrees with the check it follows. */
	for (i = 0; i < 3 * w + 2; i++) {
		s = top - w - 1 + i;
		KUNIT_ASSERT_EQ_MSG(test, moat_replay_update(r, s), before[i],
				    "seq %llu", s);
	}
}

/* Straddling 2^32 by hand, as in RFC 4303's figures 1 and 2. */
static void esn_wrap(struct kunit *test)
{
	struct moat_replay *r = new_window(test, 64);

	/* Before the wrap: case B from a fresh start, stays in subspace 0. */
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xfffffffb, true),
			SUBSPACE - 5);
	KUNIT_ASSERT_EQ(test, moat_replay_update(r, SUBSPACE - 5), OK);

	/* Top 2^32 - 5, case A: the bottom is 2^32 - 68. */
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xffffffff, true),
			SUBSPACE - 1);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xfffffffb, true),
			SUBSPACE - 5);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xffffffbc, true),
			SUBSPACE - 68);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xffffffbb, true),
			2 * SUBSPACE - 69);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, true), SUBSPACE);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 3, true), SUBSPACE + 3);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0x80000000, true),
			SUBSPACE + 0x80000000);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE - 68), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE - 69), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE + 3), OK);

	KUNIT_ASSERT_EQ(test, moat_replay_update(r, SUBSPACE + 2), OK);

	/* Top 2^32 + 2, case B: the bottom is 2^32 - 61, in subspace 0. */
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xfffffffb, true),
			SUBSPACE - 5);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE - 5), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xfffffffe, true),
			SUBSPACE - 2);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE - 2), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xffffffc3, true),
			SUBSPACE - 61);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE - 61), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xffffffc2, true),
			2 * SUBSPACE - 62);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, true), SUBSPACE);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 2, true), SUBSPACE + 2);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, SUBSPACE + 2), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 3, true), SUBSPACE + 3);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0x7fffffff, true),
			SUBSPACE + 0x7fffffff);

	/* Both sides of the wrap are accepted once. */
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE - 1), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE - 1), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, SUBSPACE), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), SUBSPACE + 2);

	/* Without ESN the low half is all there is. */
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xfffffffe, false),
			0xfffffffe);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 1, false), 1);
}

static void expect_infer(struct kunit *test, const struct moat_replay *r,
			 const struct ref *m, u32 lo)
{
	KUNIT_ASSERT_EQ_MSG(test, moat_replay_infer(r, lo, true),
			    ref_infer(m, lo), "top %#llx lo %#x w %u", m->top,
			    lo, m->w);
}

/* Inference against the model for tops and low halves near every edge. */
static void esn_infer(struct kunit *test)
{
	u32 w = param_window(test);
	const u64 tops[] = {
		0, 1, w - 2, w - 1, w, 2ULL * w, SUBSPACE - w, SUBSPACE - 5,
		SUBSPACE - 1, SUBSPACE, SUBSPACE + w - 2, SUBSPACE + w - 1,
		SUBSPACE + w, 5 * SUBSPACE + 0x80000000, 1ULL << 40,
		(1ULL << 40) + 3,
	};
	u64 rnd = 0x696e666572ULL + w;
	struct ref m = { .w = w };
	int i, j, k;

	for (i = 0; i < ARRAY_SIZE(tops); i++) {
		struct moat_replay *r = new_window(test, w);
		u32 tl = (u32)tops[i], bl = tl - (w - 1);
		const u32 los[] = {
			0, 1, 2, w - 2, w - 1, w, 0x7fffffff, 0x80000000,
			0xffffffff, 0xfffffffe, -w, -w + 1, tl, tl + 1, tl - 1,
			bl, bl - 1, bl + 1, tl + 0x80000000,
		};

		if (tops[i])
			KUNIT_ASSERT_EQ(test, moat_replay_update(r, tops[i]),
					OK);
		m.top = tops[i];
		for (j = 0; j < ARRAY_SIZE(los) + 64; j++) {
			u32 lo = j < ARRAY_SIZE(los) ? los[j] :
				 (u32)rnd_next(&rnd);

			for (k = -2; k <= 2; k++)
				expect_infer(test, r, &m, lo + k);
		}
		/* The top itself, and the bottom, come back unchanged. */
		KUNIT_EXPECT_EQ(test, moat_replay_infer(r, tl, true), tops[i]);
		if (tops[i] >= w - 1)
			KUNIT_EXPECT_EQ(test, moat_replay_infer(r, bl, true),
					tops[i] - (w - 1));
	}
}

/* A long silence or a resync: jumps of 2^40, with ESN. */
static void huge_jumps(struct kunit *test)
{
	u32 w = param_window(test);
	u64 big = 1ULL << 40;
	struct moat_replay *r = new_window(test, w);

	KUNIT_ASSERT_EQ(test, moat_replay_update(r, 1), OK);
	KUNIT_ASSERT_EQ(test, moat_replay_update(r, big), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), big);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 1), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, big - w), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, big - (w - 1)), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 1, true), big + 1);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, true), big);
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0xffffffff, true),
			big - 1);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, big - 1), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, big - 1), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, big), REPLAYED);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 2 * big + 1), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, big), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 2 * big), OK);

	/* Without ESN: from the bottom of the 32-bit space to its end. */
	r = new_window(test, w);
	KUNIT_ASSERT_EQ(test, moat_replay_update(r, 1), OK);
	KUNIT_ASSERT_EQ(test, moat_replay_update(r, U32_MAX), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 1), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, U32_MAX - (w - 1)), OK);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, U32_MAX - w), TOO_OLD);
}

/* Without ESN the sequence numbers end at 2^32 - 1 and never wrap. */
static void non_esn_top(struct kunit *test)
{
	struct moat_replay *r = new_window(test, 32);
	u64 rnd = 0x746f70ULL;
	struct ref m;
	int i;

	ref_init(test, &m, 32);
	for (i = 0; i < 2000; i++) {
		u32 lo = U32_MAX - rnd_below(&rnd, 100);

		KUNIT_ASSERT_EQ(test, moat_replay_infer(r, lo, false), lo);
		feed(test, r, &m, lo);
	}
	feed(test, r, &m, U32_MAX);
	KUNIT_EXPECT_EQ(test, moat_replay_top(r), U32_MAX);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, U32_MAX), REPLAYED);
	/* A sender that wrapped anyway gets nothing through. */
	KUNIT_EXPECT_EQ(test, moat_replay_infer(r, 0, false), 0);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 0), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_check(r, 1), TOO_OLD);
	KUNIT_EXPECT_EQ(test, moat_replay_update(r, 1), TOO_OLD);
}

static struct kunit_case moat_replay_cases[] = {
	KUNIT_CASE(alloc_limits),
	KUNIT_CASE(first_packet),
	KUNIT_CASE(seq_zero),
	KUNIT_CASE(window_one),
	KUNIT_CASE(esn_wrap),
	KUNIT_CASE(non_esn_top),
	KUNIT_CASE_PARAM(window_edges, windows_gen_params),
	KUNIT_CASE_PARAM(window_jumps, windows_gen_params),
	KUNIT_CASE_PARAM(jump_forgets, windows_gen_params),
	KUNIT_CASE_PARAM(huge_jumps, windows_gen_params),
	KUNIT_CASE_PARAM(esn_infer, windows_gen_params),
	KUNIT_CASE_PARAM(precheck_read_only, windows_gen_params),
	KUNIT_CASE_PARAM(sweep_permutations, windows_gen_params),
	KUNIT_CASE_PARAM(random_walks, windows_gen_params),
	{}
};

static struct kunit_suite moat_replay_suite = {
	.name = "moat_replay",
	.test_cases = moat_replay_cases,
};

kunit_test_suite(moat_replay_suite);
