// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: stateless cookies. A cookie checks for the initiator it was made
 * for and for nobody else: another address, SPI or nonce, any changed or
 * missing octet, including the puzzle it records, fails. Secrets rotate
 * and the previous one is accepted for the grace period only.
 */

#include <kunit/test.h>

#include "../cookie.h"

static const u8 spi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const u8 nonce[32] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 };
static const u8 ip4[4] = { 192, 0, 2, 1 };
static const u8 ip6[16] = { 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			    1 };

#define SEC NSEC_PER_SEC

static struct moat_cookie_bind bind4(void)
{
	return (struct moat_cookie_bind){
		.spi_i = spi, .nonce = nonce, .nonce_len = sizeof(nonce),
		.addr = ip4, .addr_len = 4,
	};
}

static struct moat_cookie_jar *new_jar(struct kunit *test, u64 now)
{
	struct moat_cookie_jar *jar = kunit_kzalloc(test, sizeof(*jar),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, jar);
	moat_cookie_jar_init(jar, now);
	return jar;
}

static int check(struct moat_cookie_jar *jar, const struct moat_cookie_bind *b,
		 const u8 *c, size_t len, u64 now)
{
	struct moat_cookie_ask ask;

	return moat_cookie_check(jar, b, c, len, now, &ask);
}

static void round_trip(struct kunit *test)
{
	struct moat_cookie_jar *jar = new_jar(test, 0);
	struct moat_cookie_bind b = bind4();
	struct moat_cookie_ask ask = { .prf = 5, .difficulty = 17 }, got = {};
	u8 c[MOAT_COOKIE_LEN], c2[MOAT_COOKIE_LEN];

	moat_cookie_make(jar, &b, &ask, c);
	KUNIT_EXPECT_EQ(test, moat_cookie_check(jar, &b, c, sizeof(c), 1, &got),
			0);
	KUNIT_EXPECT_EQ(test, got.prf, 5);
	KUNIT_EXPECT_EQ(test, got.difficulty, 17);
	/* Stateless: the same input, the same cookie. */
	moat_cookie_make(jar, &b, &ask, c2);
	KUNIT_EXPECT_EQ(test, memcmp(c, c2, sizeof(c)), 0);
	ask.prf = 0;
	moat_cookie_make(jar, &b, &ask, c2);
	KUNIT_EXPECT_NE(test, memcmp(c, c2, sizeof(c)), 0);
	KUNIT_EXPECT_EQ(test, moat_cookie_check(jar, &b, c2, sizeof(c2), 1,
						&got), 0);
	KUNIT_EXPECT_EQ(test, got.prf, 0);
}

static void bound_to_initiator(struct kunit *test)
{
	struct moat_cookie_jar *jar = new_jar(test, 0);
	struct moat_cookie_bind b = bind4(), o;
	struct moat_cookie_ask ask = {};
	u8 c[MOAT_COOKIE_LEN], other[32];

	moat_cookie_make(jar, &b, &ask, c);
	o = b;
	o.addr = (const u8[]){ 192, 0, 2, 2 };
	KUNIT_EXPECT_NE(test, check(jar, &o, c, sizeof(c), 0), 0);
	o = b;
	o.addr = ip6;	/* same first four octets, other family */
	o.addr_len = 16;
	KUNIT_EXPECT_NE(test, check(jar, &o, c, sizeof(c), 0), 0);
	o = b;
	o.spi_i = (const u8[]){ 1, 2, 3, 4, 5, 6, 7, 9 };
	KUNIT_EXPECT_NE(test, check(jar, &o, c, sizeof(c), 0), 0);
	memcpy(other, nonce, sizeof(other));
	other[31] ^= 1;
	o = b;
	o.nonce = other;
	KUNIT_EXPECT_NE(test, check(jar, &o, c, sizeof(c), 0), 0);
	o = b;
	o.nonce_len = 31;
	KUNIT_EXPECT_NE(test, check(jar, &o, c, sizeof(c), 0), 0);
	o = b;
	o.addr_len = 5;
	KUNIT_EXPECT_NE(test, check(jar, &o, c, sizeof(c), 0), 0);
	KUNIT_EXPECT_EQ(test, check(jar, &b, c, sizeof(c), 0), 0);
}

static void any_change_fails(struct kunit *test)
{
	struct moat_cookie_jar *jar = new_jar(test, 0);
	struct moat_cookie_bind b = bind4();
	struct moat_cookie_ask ask = { .prf = 5, .difficulty = 12 };
	u8 c[MOAT_COOKIE_LEN + 1] = {};
	int i, bit;

	moat_cookie_make(jar, &b, &ask, c);
	for (i = 0; i < MOAT_COOKIE_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			c[i] ^= 1 << bit;
			KUNIT_EXPECT_NE_MSG(test, check(jar, &b, c,
							MOAT_COOKIE_LEN, 0), 0,
					    "octet %d bit %d", i, bit);
			c[i] ^= 1 << bit;
		}
	}
	for (i = 0; i <= MOAT_COOKIE_LEN + 1; i++)
		if (i != MOAT_COOKIE_LEN)
			KUNIT_EXPECT_NE(test, check(jar, &b, c, i, 0), 0);
	KUNIT_EXPECT_EQ(test, check(jar, &b, c, MOAT_COOKIE_LEN, 0), 0);
}

static void rotation_and_grace(struct kunit *test)
{
	struct moat_cookie_jar *jar = new_jar(test, 0);
	struct moat_cookie_bind b = bind4();
	struct moat_cookie_ask ask = {};
	u8 old[MOAT_COOKIE_LEN], cur[MOAT_COOKIE_LEN];
	u64 t = 100 * SEC;

	moat_cookie_make(jar, &b, &ask, old);
	moat_cookie_rotate(jar, t);
	moat_cookie_make(jar, &b, &ask, cur);
	KUNIT_EXPECT_NE(test, old[0], cur[0]);	/* a new version octet */
	KUNIT_EXPECT_EQ(test, check(jar, &b, old, sizeof(old), t), 0);
	KUNIT_EXPECT_EQ(test, check(jar, &b, old, sizeof(old),
				    t + MOAT_COOKIE_GRACE_NS - 1), 0);
	KUNIT_EXPECT_NE(test, check(jar, &b, old, sizeof(old),
				    t + MOAT_COOKIE_GRACE_NS), 0);
	KUNIT_EXPECT_EQ(test, check(jar, &b, cur, sizeof(cur),
				    t + MOAT_COOKIE_GRACE_NS), 0);
	/* Two rotations: the first secret is gone even inside a grace. */
	moat_cookie_rotate(jar, t + 1);
	KUNIT_EXPECT_NE(test, check(jar, &b, old, sizeof(old), t + 2), 0);
	KUNIT_EXPECT_EQ(test, check(jar, &b, cur, sizeof(cur), t + 2), 0);
}

/* The version octet picks the secret; a forged one finds nothing. */
static void version_octet(struct kunit *test)
{
	struct moat_cookie_jar *jar = new_jar(test, 0);
	struct moat_cookie_bind b = bind4();
	struct moat_cookie_ask ask = {};
	u8 c[MOAT_COOKIE_LEN];

	moat_cookie_make(jar, &b, &ask, c);
	/* A version no secret of the jar has. */
	c[0] += 255;
	KUNIT_EXPECT_NE(test, check(jar, &b, c, sizeof(c), 0), 0);
}

static void tick_rotates_when_due(struct kunit *test)
{
	struct moat_cookie_jar *jar = new_jar(test, 5 * SEC);
	struct moat_cookie_bind b = bind4();
	struct moat_cookie_ask ask = {};
	u8 c[MOAT_COOKIE_LEN];
	u8 v;

	moat_cookie_make(jar, &b, &ask, c);
	v = c[0];
	moat_cookie_tick(jar, 5 * SEC + MOAT_COOKIE_ROTATE_NS - 1);
	moat_cookie_make(jar, &b, &ask, c);
	KUNIT_EXPECT_EQ(test, c[0], v);
	moat_cookie_tick(jar, 5 * SEC + MOAT_COOKIE_ROTATE_NS);
	moat_cookie_make(jar, &b, &ask, c);
	KUNIT_EXPECT_EQ(test, c[0], (u8)(v + 1));
}

/* Two jars (two boots) do not accept each other's cookies. */
static void secrets_are_random(struct kunit *test)
{
	struct moat_cookie_jar *a = new_jar(test, 0), *z = new_jar(test, 0);
	struct moat_cookie_bind b = bind4();
	struct moat_cookie_ask ask = {};
	u8 c[MOAT_COOKIE_LEN];

	z->cur.version = a->cur.version;
	moat_cookie_make(a, &b, &ask, c);
	KUNIT_EXPECT_EQ(test, check(a, &b, c, sizeof(c), 0), 0);
	KUNIT_EXPECT_NE(test, check(z, &b, c, sizeof(c), 0), 0);
}

static struct kunit_case moat_cookie_cases[] = {
	KUNIT_CASE(round_trip),
	KUNIT_CASE(bound_to_initiator),
	KUNIT_CASE(any_change_fails),
	KUNIT_CASE(rotation_and_grace),
	KUNIT_CASE(version_octet),
	KUNIT_CASE(tick_rotates_when_due),
	KUNIT_CASE(secrets_are_random),
	{}
};

static struct kunit_suite moat_cookie_suite = {
	.name = "moat_cookie",
	.test_cases = moat_cookie_cases,
};

kunit_test_suite(moat_cookie_suite);
