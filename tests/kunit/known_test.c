// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the table of known sources. It never holds more than
 * MOAT_GUARD_KNOWN_MAX addresses however many are added, forgets each
 * after its time to live, tells IPv4 from IPv6 with the same leading
 * octets, and places addresses by a key of its own.
 */

#include <kunit/test.h>
#include <linux/time64.h>
#include <uapi/linux/moat.h>

#include "../known.h"

#define SEC NSEC_PER_SEC

static struct moat_known *new_table(struct kunit *test)
{
	struct moat_known *k = moat_known_alloc();

	KUNIT_ASSERT_NOT_NULL(test, k);
	return k;
}

static void addr_of(u32 i, u8 a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[12] = i >> 24;
	a[13] = i >> 16;
	a[14] = i >> 8;
	a[15] = i;
}

static void add_has(struct kunit *test)
{
	static const u8 a4[4] = { 192, 0, 2, 1 }, b4[4] = { 192, 0, 2, 2 };
	u8 a6[16] = { 192, 0, 2, 1 };
	struct moat_known *k = new_table(test);

	KUNIT_EXPECT_FALSE(test, moat_known_has(k, a4, 4, 0));
	moat_known_add(k, a4, 4, 0, 10);
	KUNIT_EXPECT_TRUE(test, moat_known_has(k, a4, 4, 1));
	KUNIT_EXPECT_FALSE(test, moat_known_has(k, b4, 4, 1));
	/* Same first octets, other family: not the same source. */
	KUNIT_EXPECT_FALSE(test, moat_known_has(k, a6, 16, 1));
	moat_known_add(k, a4, 4, 0, 10);
	KUNIT_EXPECT_EQ(test, moat_known_count(k, 1), 1U);
	/* Neither 4 nor 16 octets: ignored. */
	moat_known_add(k, a6, 5, 0, 10);
	KUNIT_EXPECT_FALSE(test, moat_known_has(k, a6, 5, 1));
	KUNIT_EXPECT_EQ(test, moat_known_count(k, 1), 1U);
	moat_known_free(k);
}

static void expiry(struct kunit *test)
{
	static const u8 a4[4] = { 198, 51, 100, 9 };
	struct moat_known *k = new_table(test);

	moat_known_add(k, a4, 4, 5 * SEC, 3);
	KUNIT_EXPECT_TRUE(test, moat_known_has(k, a4, 4, 8 * SEC - 1));
	KUNIT_EXPECT_FALSE(test, moat_known_has(k, a4, 4, 8 * SEC));
	KUNIT_EXPECT_EQ(test, moat_known_count(k, 8 * SEC), 0U);
	/* A new report extends it from then. */
	moat_known_add(k, a4, 4, 7 * SEC, 3);
	KUNIT_EXPECT_TRUE(test, moat_known_has(k, a4, 4, 9 * SEC));
	moat_known_free(k);
}

/* Four times the table's size in distinct sources: bounded, the newest kept. */
static void bounded(struct kunit *test)
{
	struct moat_known *k = new_table(test);
	u32 i, n = 4 * MOAT_GUARD_KNOWN_MAX, kept = 0;
	u8 a[16];

	for (i = 0; i < n; i++) {
		addr_of(i, a);
		moat_known_add(k, a, 16, (u64)i, 100);
	}
	KUNIT_EXPECT_LE(test, moat_known_count(k, n), (unsigned int)MOAT_GUARD_KNOWN_MAX);
	KUNIT_EXPECT_GE(test, moat_known_count(k, n), (unsigned int)MOAT_GUARD_KNOWN_MAX / 2);
	/* Each bucket gives up its entry that expires first: the newest
	 * ways-many of a bucket are all there, so the last ones added are.
	 */
	for (i = n - MOAT_KNOWN_WAYS; i < n; i++) {
		addr_of(i, a);
		kept += moat_known_has(k, a, 16, n);
	}
	KUNIT_EXPECT_EQ(test, kept, (u32)MOAT_KNOWN_WAYS);
	moat_known_free(k);
}

/* Two tables place the same addresses differently: the key is their own. */
static void keyed(struct kunit *test)
{
	struct moat_known *k1 = new_table(test), *k2 = new_table(test);
	u32 i, same = 0;
	u8 a[16];

	for (i = 0; i < 64; i++) {
		addr_of(i, a);
		KUNIT_EXPECT_LT(test, moat_known_bucket(k1, a, 16),
				(u32)(MOAT_GUARD_KNOWN_MAX / MOAT_KNOWN_WAYS));
		same += moat_known_bucket(k1, a, 16) ==
			moat_known_bucket(k2, a, 16);
	}
	/* By chance, about 64 / 1024 of them. */
	KUNIT_EXPECT_LT(test, same, 16U);
	moat_known_free(k1);
	moat_known_free(k2);
}

static struct kunit_case moat_known_cases[] = {
	KUNIT_CASE(add_has),
	KUNIT_CASE(expiry),
	KUNIT_CASE(bounded),
	KUNIT_CASE(keyed),
	{}
};

static struct kunit_suite moat_known_suite = {
	.name = "moat_known",
	.test_cases = moat_known_cases,
};

kunit_test_suite(moat_known_suite);
