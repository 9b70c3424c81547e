// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: per-prefix token buckets. Time is handed in, so the buckets are
 * checked against exact arithmetic, not the clock: a burst, then one
 * request per 1/rate, never more than the burst after a pause. Sources
 * are grouped by prefix; the table never holds more than its size, says
 * "full" instead of evicting a busy bucket, and forgets idle ones.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/prandom.h>

#include "../ratelimit.h"

#define MS NSEC_PER_MSEC
#define PASS MOAT_RATELIMIT_PASS
#define LIMITED MOAT_RATELIMIT_LIMITED
#define FULL MOAT_RATELIMIT_FULL

static struct moat_ratelimit *new_rl(struct kunit *test, u32 rate, u32 burst,
				     u32 entries)
{
	struct moat_ratelimit_config cfg = {
		.rate = rate, .burst = burst, .prefix4 = 32, .prefix6 = 64,
		.entries = entries,
	};
	struct moat_ratelimit *rl = moat_ratelimit_alloc(&cfg);

	KUNIT_ASSERT_FALSE(test, IS_ERR(rl));
	return rl;
}

static enum moat_ratelimit_verdict v4(struct moat_ratelimit *rl, u32 host,
				      u64 now)
{
	u8 a[4] = { 10, host >> 16, host >> 8, host };

	return moat_ratelimit_check(rl, a, 4, now);
}

static void bad_config(struct kunit *test)
{
	struct moat_ratelimit_config ok = {
		.rate = 1, .burst = 1, .prefix4 = 32, .prefix6 = 128,
		.entries = 1,
	}, c;
	struct moat_ratelimit *rl;

	rl = moat_ratelimit_alloc(&ok);
	KUNIT_EXPECT_FALSE(test, IS_ERR(rl));
	moat_ratelimit_free(rl);
	c = ok;
	c.rate = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_ratelimit_alloc(&c)), -EINVAL);
	c = ok;
	c.burst = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_ratelimit_alloc(&c)), -EINVAL);
	c = ok;
	c.prefix4 = 33;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_ratelimit_alloc(&c)), -EINVAL);
	c = ok;
	c.prefix6 = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_ratelimit_alloc(&c)), -EINVAL);
	c = ok;
	c.entries = MOAT_RATELIMIT_MAX_ENTRIES + 1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_ratelimit_alloc(&c)), -EINVAL);
}

/* 10/s, burst 3: three at once, then one per 100 ms, at most three. */
static void bucket_timing(struct kunit *test)
{
	struct moat_ratelimit *rl = new_rl(test, 10, 3, 16);
	u64 t = 1000 * MS;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, v4(rl, 1, t), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t), LIMITED);
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t + 99 * MS), LIMITED);
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t + 100 * MS), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t + 100 * MS), LIMITED);
	/* Limited requests cost nothing: 100 ms later one more passes. */
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t + 200 * MS), PASS);
	/* A long pause refills up to the burst, not beyond. */
	t += 60000 * MS;
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, v4(rl, 1, t), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t), LIMITED);
	/* Another source has its own bucket. */
	KUNIT_EXPECT_EQ(test, v4(rl, 2, t), PASS);
	/* Time going backwards (another CPU's clock read) refills nothing. */
	KUNIT_EXPECT_EQ(test, v4(rl, 1, t - 500 * MS), LIMITED);
	moat_ratelimit_free(rl);
}

/* A steady sender gets its rate over a long run, no more. */
static void long_run_rate(struct kunit *test)
{
	struct moat_ratelimit *rl = new_rl(test, 20, 5, 16);
	int passed = 0, i;

	/* 1000 requests/s for 10 s: 5 + 20 * 10 pass. */
	for (i = 0; i < 10000; i++)
		passed += v4(rl, 7, (u64)i * MS) == PASS;
	KUNIT_EXPECT_EQ(test, passed, 5 + 20 * 10 - 1);
	moat_ratelimit_free(rl);
}

static void prefixes(struct kunit *test)
{
	struct moat_ratelimit_config cfg = {
		.rate = 1, .burst = 1, .prefix4 = 24, .prefix6 = 64,
		.entries = 16,
	};
	struct moat_ratelimit *rl = moat_ratelimit_alloc(&cfg);
	u8 a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
	u8 a4[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	KUNIT_ASSERT_FALSE(test, IS_ERR(rl));
	KUNIT_EXPECT_EQ(test, v4(rl, 0x000001, 0), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 0x0000fe, 0), LIMITED);	/* same /24 */
	KUNIT_EXPECT_EQ(test, v4(rl, 0x000101, 0), PASS);	/* next /24 */

	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a6, 16, 0), PASS);
	a6[15] = 0xff;	/* same /64 */
	a6[8] = 0x80;
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a6, 16, 0), LIMITED);
	a6[7] = 0;	/* another /64 */
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a6, 16, 0), PASS);
	/* An IPv4 address equal to an IPv6 prefix's first octets. */
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a4, 4, 0), PASS);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a4, 5, 0), LIMITED);
	moat_ratelimit_free(rl);
}

/* Odd prefix lengths mask inside an octet. */
static void prefix_bits(struct kunit *test)
{
	struct moat_ratelimit_config cfg = {
		.rate = 1, .burst = 1, .prefix4 = 27, .prefix6 = 1,
		.entries = 16,
	};
	struct moat_ratelimit *rl = moat_ratelimit_alloc(&cfg);
	u8 a6[16] = { 0x7f };

	KUNIT_ASSERT_FALSE(test, IS_ERR(rl));
	KUNIT_EXPECT_EQ(test, v4(rl, 0x20, 0), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 0x3f, 0), LIMITED);	/* same /27 */
	KUNIT_EXPECT_EQ(test, v4(rl, 0x40, 0), PASS);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a6, 16, 0), PASS);
	a6[0] = 0x01;
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a6, 16, 0), LIMITED);
	a6[0] = 0x80;
	KUNIT_EXPECT_EQ(test, moat_ratelimit_check(rl, a6, 16, 0), PASS);
	moat_ratelimit_free(rl);
}

/* Full of busy buckets: "full", nothing evicted; idle ones are reused. */
static void table_bounds(struct kunit *test)
{
	struct moat_ratelimit *rl = new_rl(test, 10, 2, 64);
	u32 i;

	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, v4(rl, i, i * MS), PASS);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_count(rl), 64);
	KUNIT_EXPECT_EQ(test, v4(rl, 1000, 64 * MS), FULL);
	/* The known ones still have their buckets. */
	KUNIT_EXPECT_EQ(test, v4(rl, 5, 64 * MS), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 5, 64 * MS), LIMITED);
	/* Bucket 0 is full again 200 ms after its use: a new source may
	 * take it, and it starts with a full burst.
	 */
	KUNIT_EXPECT_EQ(test, v4(rl, 1000, 199 * MS), FULL);
	KUNIT_EXPECT_EQ(test, v4(rl, 1000, 200 * MS), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 1000, 200 * MS), PASS);
	KUNIT_EXPECT_EQ(test, v4(rl, 1000, 200 * MS), LIMITED);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_count(rl), 64);
	/* ...and source 0 came back as a stranger. */
	KUNIT_EXPECT_EQ(test, v4(rl, 0, 201 * MS), PASS);
	moat_ratelimit_free(rl);
}

static void gc(struct kunit *test)
{
	struct moat_ratelimit *rl = new_rl(test, 10, 1, 128);
	u32 i;

	for (i = 0; i < 100; i++)
		v4(rl, i, i * MS);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_gc(rl, 99 * MS), 100);
	/* Idle for 100 ms (1 / rate * burst): the first 50 go. */
	KUNIT_EXPECT_EQ(test, moat_ratelimit_gc(rl, 149 * MS), 50);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_count(rl), 50);
	KUNIT_EXPECT_EQ(test, moat_ratelimit_gc(rl, 10000 * MS), 0);
	/* Forgotten sources start afresh. */
	KUNIT_EXPECT_EQ(test, v4(rl, 3, 10000 * MS), PASS);
	moat_ratelimit_free(rl);
}

/* A flood of distinct random sources, IPv4 and IPv6, 10 us apart: the
 * table stays within its size, and a steady source that was there
 * first is never told "full".
 */
static void distinct_flood(struct kunit *test)
{
	struct moat_ratelimit *rl = new_rl(test, 20, 5, 1024);
	struct rnd_state rs;
	u8 a[16];
	u64 t;
	int i, full = 0, limited = 0;

	prandom_seed_state(&rs, 7);
	for (i = 0; i < 200000; i++) {
		t = (u64)i * 10 * NSEC_PER_USEC;
		prandom_bytes_state(&rs, a, sizeof(a));
		switch (moat_ratelimit_check(rl, a, i % 2 ? 16 : 4, t)) {
		case FULL:
			full++;
			break;
		case LIMITED:
			limited++;
			break;
		default:
			break;
		}
		if (i % 1000 == 0)
			KUNIT_ASSERT_NE(test, v4(rl, 0xabcdef, t), FULL);
		KUNIT_ASSERT_LE(test, moat_ratelimit_count(rl), 1024);
	}
	/* 1024 buckets stay busy for 250 ms; 25000 requests come in that
	 * time: most are told the table is full.
	 */
	KUNIT_EXPECT_GT(test, full, 100000);
	KUNIT_EXPECT_LT(test, limited, 10);
	moat_ratelimit_free(rl);
}

/* 4096 neighbouring addresses into 4096 chains: no pile-up; and another
 * table (another key) puts them elsewhere.
 */
static void hash_keying(struct kunit *test)
{
	struct moat_ratelimit *a = new_rl(test, 1, 1, 4096);
	struct moat_ratelimit *b = new_rl(test, 1, 1, 4096);
	u8 *load = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u8 addr[4] = { 10, 0 };
	int i, moved = 0, most = 0;
	u32 s;

	KUNIT_ASSERT_NOT_NULL(test, load);
	for (i = 0; i < 4096; i++) {
		addr[2] = i >> 8;
		addr[3] = i;
		s = moat_ratelimit_slot(a, addr, 4);
		KUNIT_ASSERT_LT(test, s, 4096U);
		most = max_t(int, most, ++load[s]);
		moved += s != moat_ratelimit_slot(b, addr, 4);
	}
	/* Random placement: the fullest of 4096 chains holds about 7;
	 * 14 or more happens with a probability below 10^-7.
	 */
	KUNIT_EXPECT_LT(test, most, 14);
	KUNIT_EXPECT_GT(test, moved, 4000);
	moat_ratelimit_free(a);
	moat_ratelimit_free(b);
}

static struct kunit_case moat_ratelimit_cases[] = {
	KUNIT_CASE(bad_config),
	KUNIT_CASE(bucket_timing),
	KUNIT_CASE(long_run_rate),
	KUNIT_CASE(prefixes),
	KUNIT_CASE(prefix_bits),
	KUNIT_CASE(table_bounds),
	KUNIT_CASE(gc),
	KUNIT_CASE(distinct_flood),
	KUNIT_CASE(hash_keying),
	{}
};

static struct kunit_suite moat_ratelimit_suite = {
	.name = "moat_ratelimit",
	.test_cases = moat_ratelimit_cases,
};

kunit_test_suite(moat_ratelimit_suite);
