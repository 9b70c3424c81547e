// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: RFC 8019 puzzle solutions. The cross-check vector of DESIGN.md
 * (computed independently of this code) must give 18, 19, 19 and 20 zero
 * bits; solutions found by a reference solver written here, for each
 * HMAC-SHA2 PRF, several key lengths and difficulties, must pass, and
 * every malformed or weak one must not.
 */

#include <crypto/hash.h>
#include <kunit/test.h>

#include "../ike_parse.h"
#include "../puzzle.h"

static const u8 vec_cookie[20] = {
	0x73, 0x9a, 0xe7, 0x49, 0x2d, 0x8a, 0x81, 0x0c, 0xf5, 0xe8,
	0xdc, 0x0f, 0x96, 0x26, 0xc9, 0xdd, 0xa7, 0x73, 0xc5, 0xa3,
};

/* K1..K4: 18, 19, 19 and 20 trailing zero bits under HMAC-SHA2-256. */
static const u8 vec_ps[12] = {
	0x00, 0xcd, 0x8a, 0x03, 0x90, 0xf7, 0x08, 0x82, 0x88, 0x10, 0xef, 0xbe,
};

static struct moat_puzzle *new_puzzle(struct kunit *test)
{
	struct moat_puzzle *pz = moat_puzzle_alloc();

	KUNIT_ASSERT_NOT_NULL(test, pz);
	return pz;
}

static enum moat_puzzle_verdict verify(struct moat_puzzle *pz, u16 prf, u8 d,
				       const u8 *ps, size_t len, u8 *score)
{
	return moat_puzzle_verify(pz, prf, d, vec_cookie, sizeof(vec_cookie),
				  ps, len, score);
}

static void design_vector(struct kunit *test)
{
	struct moat_puzzle *pz = new_puzzle(test);
	u8 score;

	KUNIT_EXPECT_EQ(test, verify(pz, 5, 18, vec_ps, 12, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, score, 18);
	KUNIT_EXPECT_EQ(test, verify(pz, 5, 0, vec_ps, 12, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, score, 18);
	KUNIT_EXPECT_EQ(test, verify(pz, 5, 1, vec_ps, 12, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, verify(pz, 5, 19, vec_ps, 12, &score),
			MOAT_PUZZLE_WEAK);
	KUNIT_EXPECT_EQ(test, score, 18);
	/* Other PRFs: the keys mean nothing there. */
	KUNIT_EXPECT_EQ(test, verify(pz, 6, 18, vec_ps, 12, &score),
			MOAT_PUZZLE_WEAK);
	KUNIT_EXPECT_EQ(test, verify(pz, 7, 18, vec_ps, 12, &score),
			MOAT_PUZZLE_WEAK);
	moat_puzzle_free(pz);
}

static void zero_bits(struct kunit *test)
{
	u8 d[32] = {};

	KUNIT_EXPECT_EQ(test, moat_puzzle_zero_bits(d, 32), 256);
	d[31] = 0x01;
	KUNIT_EXPECT_EQ(test, moat_puzzle_zero_bits(d, 32), 0);
	d[31] = 0x80;
	KUNIT_EXPECT_EQ(test, moat_puzzle_zero_bits(d, 32), 7);
	d[31] = 0;
	d[30] = 0x10;
	KUNIT_EXPECT_EQ(test, moat_puzzle_zero_bits(d, 32), 12);
	d[0] = 0x01;	/* the first octet counts last */
	KUNIT_EXPECT_EQ(test, moat_puzzle_zero_bits(d, 32), 12);
	d[30] = 0;
	KUNIT_EXPECT_EQ(test, moat_puzzle_zero_bits(d, 32), 248);
}

/* The reference solver's own count: bit by bit from the end. */
static unsigned int ref_zero_bits(const u8 *d, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len * 8; i++)
		if (d[len - 1 - i / 8] & (1 << (i % 8)))
			return i;
	return i;
}

static const char *ref_name(u16 prf)
{
	return prf == 5 ? "hmac(sha256)" : prf == 6 ? "hmac(sha384)" :
	       "hmac(sha512)";
}

/* Keys 0, 1, 2, ... written big-endian over @klen octets; the first four
 * that reach @d win. Returns the least count among them.
 */
static unsigned int ref_solve(struct kunit *test, u16 prf, unsigned int d,
			      unsigned int klen, u8 *ps)
{
	struct crypto_shash *tfm = crypto_alloc_shash(ref_name(prf), 0, 0);
	unsigned int found = 0, best = UINT_MAX, bits, i;
	u8 key[64] = {}, out[64];
	u64 k;

	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	for (k = 0; found < 4; k++) {
		KUNIT_ASSERT_LT(test, k, 1ULL << min(klen * 8, 40U));
		for (i = 0; i < klen && i < 8; i++)
			key[klen - 1 - i] = k >> (8 * i);
		KUNIT_ASSERT_EQ(test, crypto_shash_setkey(tfm, key, klen), 0);
		KUNIT_ASSERT_EQ(test,
				crypto_shash_tfm_digest(tfm, vec_cookie,
							sizeof(vec_cookie),
							out), 0);
		bits = ref_zero_bits(out, crypto_shash_digestsize(tfm));
		if (bits < d)
			continue;
		memcpy(ps + found++ * klen, key, klen);
		best = min(best, bits);
	}
	crypto_free_shash(tfm);
	return best;
}

struct solve_case {
	u16 prf;
	u8 d;
	u8 klen;
};

static const struct solve_case solve_cases[] = {
	{ 5, 0, 1 }, { 5, 1, 1 }, { 5, 4, 1 }, { 5, 8, 2 }, { 5, 10, 3 },
	{ 5, 12, 32 }, { 6, 0, 48 }, { 6, 6, 4 }, { 6, 9, 48 },
	{ 7, 0, 64 }, { 7, 6, 2 }, { 7, 9, 64 },
};

static void solve_desc(const struct solve_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "prf %u d %u klen %u", c->prf,
		 c->d, c->klen);
}

KUNIT_ARRAY_PARAM(solve, solve_cases, solve_desc);

static void reference_solutions(struct kunit *test)
{
	const struct solve_case *c = test->param_value;
	struct moat_puzzle *pz = new_puzzle(test);
	size_t len = 4 * c->klen;
	unsigned int best;
	u8 *ps = kunit_kzalloc(test, len, GFP_KERNEL);
	u8 score;

	KUNIT_ASSERT_NOT_NULL(test, ps);
	best = ref_solve(test, c->prf, c->d, c->klen, ps);
	KUNIT_EXPECT_EQ(test, verify(pz, c->prf, c->d, ps, len, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, verify(pz, c->prf, 0, ps, len, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, score, best);
	KUNIT_EXPECT_EQ(test, verify(pz, c->prf, best + 1, ps, len, &score),
			MOAT_PUZZLE_WEAK);
	moat_puzzle_free(pz);
}

static void malformed(struct kunit *test)
{
	struct moat_puzzle *pz = new_puzzle(test);
	u8 ps[4 * 65] = {}, score;
	int i;

	for (i = 0; i < 4 * 65; i++)
		ps[i] = i;	/* all keys distinct */
	KUNIT_EXPECT_EQ(test, verify(pz, 5, 0, ps, 0, &score),
			MOAT_PUZZLE_MALFORMED);
	for (i = 1; i < 4; i++)
		KUNIT_EXPECT_EQ(test, verify(pz, 5, 0, ps, 12 + i, &score),
				MOAT_PUZZLE_MALFORMED);
	/* Key lengths up to the PRF's output length, not beyond. */
	KUNIT_EXPECT_EQ(test, verify(pz, 5, 0, ps, 4 * 32, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, verify(pz, 5, 0, ps, 4 * 33, &score),
			MOAT_PUZZLE_MALFORMED);
	KUNIT_EXPECT_EQ(test, verify(pz, 6, 0, ps, 4 * 48, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, verify(pz, 6, 0, ps, 4 * 49, &score),
			MOAT_PUZZLE_MALFORMED);
	KUNIT_EXPECT_EQ(test, verify(pz, 7, 0, ps, 4 * 64, &score),
			MOAT_PUZZLE_SOLVED);
	KUNIT_EXPECT_EQ(test, verify(pz, 7, 0, ps, 4 * 65, &score),
			MOAT_PUZZLE_MALFORMED);
	/* PRFs we never ask with. */
	KUNIT_EXPECT_EQ(test, verify(pz, 0, 0, vec_ps, 12, &score),
			MOAT_PUZZLE_MALFORMED);
	KUNIT_EXPECT_EQ(test, verify(pz, 2, 0, vec_ps, 12, &score),
			MOAT_PUZZLE_MALFORMED);
	/* No cookie, or a cookie too long. */
	KUNIT_EXPECT_EQ(test, moat_puzzle_verify(pz, 5, 0, vec_cookie, 0,
						 vec_ps, 12, &score),
			MOAT_PUZZLE_MALFORMED);
	KUNIT_EXPECT_EQ(test, moat_puzzle_verify(pz, 5, 0, ps, 65, vec_ps, 12,
						 &score),
			MOAT_PUZZLE_MALFORMED);
	moat_puzzle_free(pz);
}

/* Every pair of equal keys is refused, even if each has the bits. */
static void repeated_keys(struct kunit *test)
{
	struct moat_puzzle *pz = new_puzzle(test);
	u8 ps[12], score;
	int i, j;

	for (i = 0; i < 4; i++) {
		for (j = i + 1; j < 4; j++) {
			memcpy(ps, vec_ps, sizeof(ps));
			memcpy(ps + 3 * j, ps + 3 * i, 3);
			KUNIT_EXPECT_EQ_MSG(test, verify(pz, 5, 18, ps, 12,
							 &score),
					    MOAT_PUZZLE_MALFORMED,
					    "K%d = K%d", i + 1, j + 1);
		}
	}
	moat_puzzle_free(pz);
}

static void choose_prf(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, moat_puzzle_choose_prf(BIT(5) | BIT(7)), 5);
	KUNIT_EXPECT_EQ(test, moat_puzzle_choose_prf(BIT(7) | BIT(6)), 6);
	KUNIT_EXPECT_EQ(test, moat_puzzle_choose_prf(BIT(7)), 7);
	KUNIT_EXPECT_EQ(test, moat_puzzle_choose_prf(BIT(2) | BIT(4)), 0);
	KUNIT_EXPECT_EQ(test, moat_puzzle_choose_prf(0), 0);
}

static struct kunit_case moat_puzzle_cases[] = {
	KUNIT_CASE(design_vector),
	KUNIT_CASE(zero_bits),
	KUNIT_CASE_PARAM(reference_solutions, solve_gen_params),
	KUNIT_CASE(malformed),
	KUNIT_CASE(repeated_keys),
	KUNIT_CASE(choose_prf),
	{}
};

static struct kunit_suite moat_puzzle_suite = {
	.name = "moat_puzzle",
	.test_cases = moat_puzzle_cases,
};

kunit_test_suite(moat_puzzle_suite);
