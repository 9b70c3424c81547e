// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's RFC 8019 puzzle solver, checked by a responder written here
 * independently (OpenSSL's one-shot HMAC(), bit-by-bit zero counting):
 * four distinct keys of one length, each prf(Ki, S) ending in at least D
 * zero bits. The cross-check vector of DESIGN.md anchors the counting.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "harness.h"
#include "puzzle.h"
#include "puzzle_ref.h"

static const char vec_cookie[] = "739ae7492d8a810cf5e8dc0f9626c9dda773c5a3";

TEST(puzzle_cross_check_vector)
{
	static const char *const keys[] = { "00cd8a", "0390f7", "088288",
					    "10efbe" };
	static const unsigned int want[] = { 18, 19, 19, 20 };
	uint8_t s[20], k[3], out[32], ps[12];
	unsigned int ol = 0;
	size_t i;

	CHECK(test_unhex(vec_cookie, s, sizeof(s)) == 20);
	for (i = 0; i < 4; i++) {
		CHECK(test_unhex(keys[i], k, sizeof(k)) == 3);
		memcpy(ps + 3 * i, k, 3);
		CHECK(HMAC(EVP_sha256(), k, 3, s, 20, out, &ol) && ol == 32);
		CHECK(puzzle_zero_bits(out, 32) == want[i]);
		CHECK(ref_bits(out, 32) == want[i]);
		if (i == 0)
			CHECK(!memcmp(out + 28, "\xa8\x84\x00\x00", 4));
	}
	CHECK(ref_score(IKE_PRF_HMAC_SHA2_256, s, 20, ps, 12) == 18);
}

TEST(puzzle_zero_bits)
{
	uint8_t d[4] = { 0, 0, 0, 0 };

	CHECK(puzzle_zero_bits(d, 4) == 32);
	d[0] = 0x80;
	CHECK(puzzle_zero_bits(d, 4) == 24 + 7);
	d[3] = 1;
	CHECK(puzzle_zero_bits(d, 4) == 0);
	d[3] = 0x10;
	CHECK(puzzle_zero_bits(d, 4) == 4);
	d[3] = 0;
	d[2] = 0x0c;
	CHECK(puzzle_zero_bits(d, 4) == 10);
	CHECK(puzzle_zero_bits(d, 0) == 0);
}

TEST(puzzle_notify_data)
{
	const uint8_t b[4] = { 0x00, 0x05, 0x12, 0x00 };
	uint16_t prf = 0;
	uint8_t dd = 0;

	CHECK(puzzle_dec_notify(b, 3, &prf, &dd) == IKE_OK);
	CHECK(prf == 5 && dd == 18);
	CHECK(puzzle_dec_notify(b, 2, &prf, &dd) == IKE_E_SHORT);
	CHECK(puzzle_dec_notify(b, 0, &prf, &dd) == IKE_E_SHORT);
	CHECK(puzzle_dec_notify(b, 4, &prf, &dd) == IKE_E_LENGTH);
}

/* Solves at @d and checks the answer as a responder would. */
static void solve_and_check(uint16_t prf, uint8_t d, const uint8_t *s,
			    size_t sl)
{
	struct puzzle p;
	uint8_t ps[PUZZLE_PS_LEN];
	int r = 0, rounds = 0;

	CHECK(!puzzle_start(&p, prf, d, s, sl));
	while (!r && rounds++ < 100000)
		r = puzzle_step(&p, 64);
	CHECK(r == 1);
	CHECK(!puzzle_solution(&p, ps));
	CHECK(ref_score(prf, s, sl, ps, sizeof(ps)) >= d);
	CHECK(ref_score(prf, s, sl, ps, sizeof(ps)) ==
	      (int)puzzle_score(&p));
	puzzle_end(&p);
}

TEST(puzzle_solve_each_prf)
{
	uint8_t s[20], sn[40];
	uint16_t prf;
	uint8_t d;

	test_unhex(vec_cookie, s, sizeof(s));
	memset(sn, 0x5a, sizeof(sn));	/* Nr | SPIr for IKE_AUTH */
	for (prf = IKE_PRF_HMAC_SHA2_256; prf <= IKE_PRF_HMAC_SHA2_512; prf++)
		for (d = 1; d <= 10; d += 3)
			solve_and_check(prf, d, s, sizeof(s));
	solve_and_check(IKE_PRF_HMAC_SHA2_256, 12, sn, sizeof(sn));
}

/* D = 0: whatever the tries bought, the four best, never "solved". */
TEST(puzzle_difficulty_zero)
{
	uint8_t s[20], ps[PUZZLE_PS_LEN];
	struct puzzle p;

	test_unhex(vec_cookie, s, sizeof(s));
	CHECK(!puzzle_start(&p, IKE_PRF_HMAC_SHA2_384, 0, s, sizeof(s)));
	CHECK(puzzle_solution(&p, ps) == -1);
	CHECK(puzzle_step(&p, 3) == 0);
	CHECK(puzzle_solution(&p, ps) == -1 && puzzle_score(&p) == 0);
	CHECK(puzzle_step(&p, 2000) == 0);
	CHECK(!puzzle_solution(&p, ps));
	/* 2003 tries: the 4th best of them has about 9 bits. */
	CHECK(puzzle_score(&p) >= 5);
	CHECK(ref_score(IKE_PRF_HMAC_SHA2_384, s, sizeof(s), ps, sizeof(ps)) ==
	      (int)puzzle_score(&p));
	puzzle_end(&p);
}

TEST(puzzle_refuses)
{
	struct puzzle p;
	uint8_t s[PUZZLE_DATA_MAX + 1] = { 0 };

	CHECK(puzzle_start(&p, 2, 8, s, 20) == -1);	/* HMAC-SHA1 */
	CHECK(puzzle_start(&p, IKE_PRF_HMAC_SHA2_256, 8, s, 0) == -1);
	CHECK(puzzle_start(&p, IKE_PRF_HMAC_SHA2_256, 8, s, sizeof(s)) == -1);
	CHECK(puzzle_step(&p, 1) == -1);
	puzzle_end(&p);
}
