// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the guard's IKE_SA_INIT parser. A well-formed request yields its
 * SPI, nonce, cookie, puzzle solution and PRFs; every truncation, every
 * bad length and every rule the guard relies on is refused; random damage
 * never makes it read outside the message (KASAN watches).
 */

#include <kunit/test.h>
#include <linux/prandom.h>

#include "../ike_parse.h"
#include "ike_msg.h"

static const u8 cookie[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static const u8 ps[12] = { 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4 };

static struct tmsg *new_msg(struct kunit *test)
{
	struct tmsg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	return m;
}

static enum moat_ike_kind parse(struct tmsg *m, struct moat_ike_init *r)
{
	return moat_ike_parse_init(m->b, m->len, r);
}

static void plain_request(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;

	tmsg_request(m, 1, 0x55, NULL, 0, NULL, 0);
	KUNIT_ASSERT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
	KUNIT_EXPECT_PTR_EQ(test, r.spi_i, (const u8 *)m->b);
	KUNIT_EXPECT_EQ(test, r.nonce_len, 32);
	KUNIT_EXPECT_EQ(test, r.nonce[0], 0x55);
	KUNIT_EXPECT_EQ(test, r.nonce[31], 0x55 ^ (31 * 7));
	KUNIT_EXPECT_PTR_EQ(test, r.nonce, (const u8 *)m->b + m->len - 32);
	KUNIT_EXPECT_NULL(test, r.cookie);
	KUNIT_EXPECT_NULL(test, r.ps);
	KUNIT_EXPECT_EQ(test, r.prfs, BIT(5) | BIT(7));
}

static void cookie_and_solution(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;

	tmsg_request(m, 1, 0x55, cookie, sizeof(cookie), ps, sizeof(ps));
	KUNIT_ASSERT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
	KUNIT_ASSERT_NOT_NULL(test, r.cookie);
	KUNIT_EXPECT_EQ(test, r.cookie_len, sizeof(cookie));
	KUNIT_EXPECT_EQ(test, memcmp(r.cookie, cookie, sizeof(cookie)), 0);
	KUNIT_ASSERT_NOT_NULL(test, r.ps);
	KUNIT_EXPECT_EQ(test, r.ps_len, sizeof(ps));
	KUNIT_EXPECT_EQ(test, memcmp(r.ps, ps, sizeof(ps)), 0);
}

/* Responses, other exchanges and other versions are moatd's business. */
static void other_messages(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;

	tmsg_request(m, 1, 0x55, NULL, 0, NULL, 0);
	m->b[19] = MOAT_IKE_FLAG_RESPONSE;
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_OTHER);
	m->b[19] = MOAT_IKE_FLAG_INITIATOR | MOAT_IKE_FLAG_RESPONSE;
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_OTHER);
	m->b[19] = MOAT_IKE_FLAG_INITIATOR;
	m->b[18] = 35;	/* IKE_AUTH */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_OTHER);
	m->b[18] = 38;	/* IKE_SESSION_RESUME (RFC 5723): never judged */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_OTHER);
	m->b[18] = MOAT_IKE_SA_INIT;
	m->b[17] = 0x30;
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_OTHER);
	m->b[17] = MOAT_IKE_VERSION;
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
	KUNIT_EXPECT_EQ(test, moat_ike_parse_init(m->b, 27, &r),
			MOAT_IKE_MALFORMED);
}

/* Cut anywhere, with the header's length made to agree: never accepted. */
static void every_truncation(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;
	size_t full, n;

	tmsg_request(m, 1, 0x55, cookie, sizeof(cookie), ps, sizeof(ps));
	full = m->len;
	for (n = 0; n < full; n++) {
		put_unaligned_be32(n, m->b + 24);
		KUNIT_EXPECT_EQ_MSG(test, moat_ike_parse_init(m->b, n, &r),
				    MOAT_IKE_MALFORMED, "cut at %zu", n);
	}
	/* A length that disagrees with the datagram's, either way. */
	put_unaligned_be32(full, m->b + 24);
	KUNIT_EXPECT_EQ(test, moat_ike_parse_init(m->b, full - 1, &r),
			MOAT_IKE_MALFORMED);
	put_unaligned_be32(full - 1, m->b + 24);
	KUNIT_EXPECT_EQ(test, moat_ike_parse_init(m->b, full, &r),
			MOAT_IKE_MALFORMED);
}

static void header_rules(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;

	tmsg_request(m, 1, 0x55, NULL, 0, NULL, 0);
	m->b[12] = 1;	/* responder SPI */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	m->b[12] = 0;
	m->b[23] = 1;	/* message ID */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
}

/* The first payload's length: 0, 3, one past the end. */
static void payload_lengths(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;
	static const u16 bad[] = { 0, 3, 5 };
	int i;
	u16 good;

	tmsg_request(m, 1, 0x55, cookie, sizeof(cookie), NULL, 0);
	good = get_unaligned_be16(m->b + 30);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		put_unaligned_be16(bad[i], m->b + 30);
		KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	}
	put_unaligned_be16(m->len - 28 + 1, m->b + 30);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	put_unaligned_be16(good, m->b + 30);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
}

static void nonce_rules(struct kunit *test)
{
	static const u16 prf[] = { MOAT_IKE_PRF_HMAC_SHA2_256 };
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;
	u8 nonce[257] = {};

	tmsg_start(m, 1);
	tmsg_sa(m, prf, 1);
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED); /* none */

	tmsg_start(m, 1);
	tmsg_sa(m, prf, 1);
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, 15);
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);

	tmsg_start(m, 1);
	tmsg_sa(m, prf, 1);
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, 257);
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);

	tmsg_start(m, 1);
	tmsg_sa(m, prf, 1);
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, 16);
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, 16);
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED); /* two */

	tmsg_start(m, 1);
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, 256);
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED); /* no SA */
	tmsg_start(m, 1);
	tmsg_sa(m, prf, 1);
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, 256);
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
	KUNIT_EXPECT_EQ(test, r.prfs, BIT(5));
}

static void cookie_rules(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;
	u8 big[65] = {};

	tmsg_request(m, 1, 0x55, big, 64, NULL, 0);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
	tmsg_request(m, 1, 0x55, big, 65, NULL, 0);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	tmsg_request(m, 1, 0x55, big, 0, NULL, 0);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);

	/* Two cookies. */
	tmsg_request(m, 1, 0x55, cookie, sizeof(cookie), NULL, 0);
	tmsg_cookie(m, cookie, sizeof(cookie));
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);

	/* SPI size running past the notification. */
	tmsg_request(m, 1, 0x55, cookie, sizeof(cookie), NULL, 0);
	m->b[28 + 5] = 10;
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
}

static void encrypted_refused(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;
	u8 body[32] = {};

	tmsg_request(m, 1, 0x55, NULL, 0, NULL, 0);
	tmsg_payload(m, MOAT_IKE_PL_SK, body, sizeof(body));
	tmsg_end(m);
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
}

/* Transform and proposal lengths inside the SA payload. */
static void sa_lengths(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct moat_ike_init r;
	size_t sa = MOAT_IKE_HDR_LEN;	/* SA is the first payload */

	tmsg_request(m, 1, 0x55, NULL, 0, NULL, 0);
	KUNIT_ASSERT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
	m->b[sa + 4 + 7] += 1;		/* one transform more than there is */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	m->b[sa + 4 + 7] -= 2;		/* one less: bytes left over */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	m->b[sa + 4 + 7] += 1;
	put_unaligned_be16(7, m->b + sa + 4 + 8 + 2);	/* transform < 8 */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	put_unaligned_be16(8, m->b + sa + 4 + 8 + 2);
	m->b[sa + 4] = 2;		/* "more proposals", but none */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	m->b[sa + 4] = 1;		/* neither last nor more */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	m->b[sa + 4] = 0;
	m->b[sa + 4 + 6] = 200;		/* SPI past the proposal */
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_MALFORMED);
	m->b[sa + 4 + 6] = 0;
	KUNIT_EXPECT_EQ(test, parse(m, &r), MOAT_IKE_INIT_REQUEST);
}

/* Random damage: whatever comes out, pointers stay inside the message. */
static void random_damage(struct kunit *test)
{
	struct tmsg *m = new_msg(test);
	struct rnd_state rs;
	struct moat_ike_init r;
	int i, j, ok = 0;
	const u8 *end;

	prandom_seed_state(&rs, 42);
	for (i = 0; i < 20000; i++) {
		tmsg_request(m, 1, 0x55, cookie, sizeof(cookie), ps, sizeof(ps));
		for (j = 0; j < 1 + i % 4; j++)
			m->b[prandom_u32_state(&rs) % m->len] =
				prandom_u32_state(&rs);
		if (parse(m, &r) != MOAT_IKE_INIT_REQUEST)
			continue;
		ok++;
		end = m->b + m->len;
		KUNIT_ASSERT_TRUE(test, r.nonce + r.nonce_len <= end);
		KUNIT_ASSERT_TRUE(test, !r.cookie ||
				  r.cookie + r.cookie_len <= end);
		KUNIT_ASSERT_TRUE(test, !r.ps || r.ps + r.ps_len <= end);
	}
	/* Damage to the nonce's or the KE's data leaves it well formed. */
	KUNIT_EXPECT_GT(test, ok, 0);
}

static struct kunit_case moat_ike_parse_cases[] = {
	KUNIT_CASE(plain_request),
	KUNIT_CASE(cookie_and_solution),
	KUNIT_CASE(other_messages),
	KUNIT_CASE(every_truncation),
	KUNIT_CASE(header_rules),
	KUNIT_CASE(payload_lengths),
	KUNIT_CASE(nonce_rules),
	KUNIT_CASE(cookie_rules),
	KUNIT_CASE(encrypted_refused),
	KUNIT_CASE(sa_lengths),
	KUNIT_CASE(random_damage),
	{}
};

static struct kunit_suite moat_ike_parse_suite = {
	.name = "moat_ike_parse",
	.test_cases = moat_ike_parse_cases,
};

kunit_test_suite(moat_ike_parse_suite);
