// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the guard end to end, on bytes. Requests are built as an
 * initiator would send them; the guard's replies are parsed back as an
 * initiator would read them, and their cookies and puzzles used in the
 * next request. The level follows the load handed in through time.
 */

#include <crypto/hash.h>
#include <kunit/test.h>
#include <linux/err.h>

#include "../guard.h"
#include "../puzzle.h"
#include "ike_msg.h"

#define SEC NSEC_PER_SEC

static const u8 ip_a[4] = { 198, 51, 100, 7 };
static const u8 ip_b[4] = { 198, 51, 100, 8 };

struct genv {
	struct moat_guard *g;
	struct tmsg m;
	u8 reply[MOAT_GUARD_REPLY_MAX];
	struct moat_guard_packet pkt;
};

/* What the initiator reads from a reply. */
struct answer {
	u8 cookie[MOAT_IKE_COOKIE_MAX];
	size_t cookie_len;
	u16 prf;		/* 0: no N(PUZZLE) */
	u8 difficulty;
};

/* The suite's exit: the guard of the case that just ran. */
static void free_guard(struct kunit *test)
{
	struct genv *e = test->priv;

	if (e)
		moat_guard_free(e->g);
}

static struct genv *new_env(struct kunit *test, u8 mode,
			    void (*tune)(struct moat_guard_config *))
{
	struct genv *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	struct moat_guard_config cfg;

	KUNIT_ASSERT_NOT_NULL(test, e);
	moat_guard_default_config(&cfg);
	cfg.mode = mode;
	cfg.difficulty_min = 4;
	cfg.difficulty_max = 8;
	if (tune)
		tune(&cfg);
	e->g = moat_guard_alloc(&cfg, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(e->g));
	test->priv = e;
	return e;
}

static enum moat_guard_action judge_ttl(struct genv *e, const u8 *ip,
					u8 ttl, u64 now)
{
	e->pkt = (struct moat_guard_packet){
		.msg = e->m.b, .len = e->m.len, .addr = ip, .addr_len = 4,
		.ttl = ttl, .reply = e->reply, .reply_size = sizeof(e->reply),
	};
	return moat_guard_judge(e->g, &e->pkt, now);
}

static enum moat_guard_action judge(struct genv *e, const u8 *ip, u64 now)
{
	return judge_ttl(e, ip, 64, now);
}

static u64 stat(struct genv *e, enum moat_guard_stat s)
{
	return atomic64_read(&e->g->stats[s]);
}

/* Read a reply as an initiator: HDR, N(COOKIE) [, N(PUZZLE)]. */
static void read_answer(struct kunit *test, struct genv *e, struct answer *a)
{
	const u8 *r = e->reply, *n;
	size_t len = e->pkt.reply_len;
	u16 nlen;

	memset(a, 0, sizeof(*a));
	KUNIT_ASSERT_GE(test, len, (size_t)MOAT_IKE_HDR_LEN + 8 + 1);
	KUNIT_EXPECT_EQ(test, memcmp(r, e->m.b, 8), 0);		/* SPIi */
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(r + 8), 0ULL);
	KUNIT_EXPECT_EQ(test, r[16], MOAT_IKE_PL_NOTIFY);
	KUNIT_EXPECT_EQ(test, r[17], 0x20);
	KUNIT_EXPECT_EQ(test, r[18], MOAT_IKE_SA_INIT);
	KUNIT_EXPECT_EQ(test, r[19], MOAT_IKE_FLAG_RESPONSE);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(r + 20), 0U);
	KUNIT_ASSERT_EQ(test, get_unaligned_be32(r + 24), (u32)len);
	n = r + MOAT_IKE_HDR_LEN;
	nlen = get_unaligned_be16(n + 2);
	KUNIT_ASSERT_EQ(test, get_unaligned_be16(n + 6), MOAT_IKE_N_COOKIE);
	KUNIT_ASSERT_LE(test, (size_t)nlen, len - MOAT_IKE_HDR_LEN);
	a->cookie_len = nlen - 8;
	memcpy(a->cookie, n + 8, a->cookie_len);
	if (!n[0]) {
		KUNIT_EXPECT_EQ(test, MOAT_IKE_HDR_LEN + nlen, len);
		return;
	}
	KUNIT_ASSERT_EQ(test, n[0], MOAT_IKE_PL_NOTIFY);
	n += nlen;
	KUNIT_ASSERT_PTR_EQ(test, n + 11, r + len);
	KUNIT_EXPECT_EQ(test, n[0], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(n + 2), 11);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(n + 6), MOAT_IKE_N_PUZZLE);
	a->prf = get_unaligned_be16(n + 8);
	a->difficulty = n[10];
}

/* Solve as an initiator: one-octet-and-up keys counted from 1. */
static void solve(struct kunit *test, const struct answer *a, u8 ps[8])
{
	struct crypto_shash *tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	u8 out[32];
	u16 k;
	int found = 0;

	KUNIT_ASSERT_EQ(test, a->prf, MOAT_IKE_PRF_HMAC_SHA2_256);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	for (k = 1; found < 4 && k; k++) {
		u8 key[2] = { k >> 8, k };

		crypto_shash_setkey(tfm, key, 2);
		crypto_shash_tfm_digest(tfm, a->cookie, a->cookie_len, out);
		if (moat_puzzle_zero_bits(out, 32) >= a->difficulty)
			memcpy(ps + 2 * found++, key, 2);
	}
	crypto_free_shash(tfm);
	KUNIT_ASSERT_EQ(test, found, 4);
}

static void request(struct genv *e, const struct answer *a, const u8 *ps,
		    size_t ps_len)
{
	tmsg_request(&e->m, 1, 0x33, a ? a->cookie : NULL,
		     a ? a->cookie_len : 0, ps, ps_len);
}

static void build_reply(struct kunit *test)
{
	static const u8 spi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const u8 cookie[3] = { 0xc0, 0x0c, 0x1e };
	static const u8 want[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
		41, 0x20, 34, 0x20, 0, 0, 0, 0, 0, 0, 0, 28 + 11 + 11,
		41, 0, 0, 11, 0, 0, 0x40, 0x06, 0xc0, 0x0c, 0x1e,
		0, 0, 0, 11, 0, 0, 0x40, 0x32, 0, 5, 17,
	};
	u8 buf[64];

	KUNIT_EXPECT_EQ(test, moat_guard_build_reply(spi, cookie, 3, 5, 17,
						     buf, sizeof(buf)),
			(int)sizeof(want));
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	KUNIT_EXPECT_EQ(test, moat_guard_build_reply(spi, cookie, 3, 5, 17,
						     buf, sizeof(want) - 1),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, moat_guard_build_reply(spi, cookie, 3, 0, 0,
						     buf, 39), 39);
	KUNIT_EXPECT_EQ(test, buf[28], 0);	/* no payload after COOKIE */
	KUNIT_EXPECT_EQ(test, moat_guard_build_reply(spi, cookie, 3, 0, 0,
						     buf, 38), -ENOSPC);
	KUNIT_EXPECT_EQ(test, moat_guard_build_reply(spi, cookie, 0, 0, 0,
						     buf, 64), -EINVAL);
}

static void normal_passes(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, NULL);

	request(e, NULL, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_SENT), 0);
	/* Other IKE messages pass at every level, uncounted. */
	e->m.b[19] = MOAT_IKE_FLAG_RESPONSE;
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 1);
}

static void off_passes_all(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_OFF, NULL);

	request(e, NULL, NULL, 0);
	e->m.b[23] = 1;	/* malformed, too */
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_MALFORMED), 0);
}

static void cookie_exchange(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_COOKIES, NULL);
	struct answer a;

	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	KUNIT_EXPECT_EQ(test, a.prf, 0);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_SENT), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 0);

	request(e, &a, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_VALID), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 1);

	/* The same cookie from another address earns a fresh cookie. */
	KUNIT_EXPECT_EQ(test, judge(e, ip_b, 3), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_INVALID), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_SENT), 2);

	/* Malformed requests are dropped above NORMAL. */
	e->m.b[23] = 1;
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 4), MOAT_GUARD_DROP);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_MALFORMED), 1);
}

static void puzzle_exchange(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_PUZZLES, NULL);
	struct answer a;
	u8 ps[8];

	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	KUNIT_EXPECT_EQ(test, a.prf, MOAT_IKE_PRF_HMAC_SHA2_256);
	KUNIT_EXPECT_EQ(test, a.difficulty, 4);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PUZZLES_SENT), 1);

	solve(test, &a, ps);
	request(e, &a, ps, sizeof(ps));
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_SOLUTIONS_VALID), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 1);

	/* A repeated key: not a solution, served like a legacy request. */
	memcpy(ps + 6, ps, 2);
	request(e, &a, ps, sizeof(ps));
	KUNIT_EXPECT_NE(test, judge(e, ip_a, 3), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_SOLUTIONS_INVALID), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_LEGACY_SERVED) +
			stat(e, MOAT_GUARD_STAT_LEGACY_DROPPED), 1);
}

/* draws_passed: how many of @n judgements of the legacy request passed. */
static int draws_passed(struct genv *e, int n)
{
	int i, passed = 0;

	for (i = 0; i < n; i++)
		passed += judge(e, ip_a, 2) == MOAT_GUARD_PASS;
	return passed;
}

/* Legacy initiators (valid cookie, no solution) get a random share. */
static void legacy_share(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_PUZZLES, NULL);
	struct answer a;
	int passed;

	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	request(e, &a, NULL, 0);
	passed = draws_passed(e, 1000);
	/* Half at the lowest difficulty; 1000 draws stay within 350..650
	 * except with a probability below 10^-20.
	 */
	KUNIT_EXPECT_GT(test, passed, 350);
	KUNIT_EXPECT_LT(test, passed, 650);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_LEGACY_SERVED), passed);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_LEGACY_DROPPED),
			1000 - passed);
	/* Handed to moatd, so counted as passed too. */
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), passed);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_SOLUTIONS_VALID), 0);
}

/*
 * The legacy share halves again with each doubling of moatd's half-open
 * SAs past half_open_at (100 by default): what is served at the lowest
 * priority must not crowd out the solutions moatd has to answer.
 */
static void legacy_share_follows_half_open(struct kunit *test)
{
	/* Of 2000 draws: mean 1000 (sd 22), 500 (19), 125 (11), 1000. */
	static const struct {
		u32 half_open;
		int above, below;
	} steps[] = {
		{ 99, 850, 1150 },	/* not busy yet: one half */
		{ 100, 370, 630 },	/* one quarter */
		{ 400, 55, 195 },	/* two doublings more: one in 16 */
		{ 0, 850, 1150 },	/* back under the mark: one half */
	};
	struct genv *e = new_env(test, MOAT_GUARD_MODE_PUZZLES, NULL);
	struct answer a;
	int i, passed;

	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	request(e, &a, NULL, 0);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		moat_guard_set_half_open(e->g, steps[i].half_open);
		passed = draws_passed(e, 2000);
		KUNIT_EXPECT_GT(test, passed, steps[i].above);
		KUNIT_EXPECT_LT(test, passed, steps[i].below);
	}
}

static void slow_rate(struct moat_guard_config *cfg)
{
	cfg->rl.rate = 1;
	cfg->rl.burst = 1;
}

/* Over its rate, a source is asked for a puzzle, not shut out. */
static void rate_limit_asks_puzzle(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_COOKIES, slow_rate);
	struct answer a, p;
	u8 ps[8];

	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	request(e, &a, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2), MOAT_GUARD_PASS);
	/* Again at once: over the rate. */
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 3), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_RATE_LIMITED), 1);
	read_answer(test, e, &p);
	KUNIT_ASSERT_EQ(test, p.prf, MOAT_IKE_PRF_HMAC_SHA2_256);
	solve(test, &p, ps);
	request(e, &p, ps, sizeof(ps));
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 4), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_SOLUTIONS_VALID), 1);
	/* Another address has its own bucket. */
	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_b, 5), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	request(e, &a, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_b, 6), MOAT_GUARD_PASS);
}

static void low_marks(struct moat_guard_config *cfg)
{
	cfg->cookies_at = 10;
	cfg->half_open_at = 50;
	cfg->puzzles_at = 20;
	cfg->hold = 3;
	cfg->rl.rate = 1000;
	cfg->rl.burst = 1000;
}

/* Send @n requests without a cookie, in the window starting at @t. */
static void spoofed(struct kunit *test, struct genv *e, int n, u64 t)
{
	int i;

	request(e, NULL, NULL, 0);
	for (i = 0; i < n; i++)
		judge(e, ip_a, t + i);
}

static u8 level_after(struct genv *e, u64 t)
{
	moat_guard_tick(e->g, t);
	return READ_ONCE(e->g->level);
}

static void levels_follow_load(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, low_marks);
	struct answer a;
	int i;

	spoofed(test, e, 9, 0);
	KUNIT_EXPECT_EQ(test, level_after(e, 1 * SEC), MOAT_GUARD_LEVEL_NORMAL);
	/* The tenth request in a second raises the level at once. */
	spoofed(test, e, 10, 1 * SEC);
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_FALSE(test, moat_guard_tick(e->g, 2 * SEC));
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_COOKIES);
	/* A spoofed flood alone never gets past cookies. */
	spoofed(test, e, 1000, 2 * SEC);
	KUNIT_EXPECT_EQ(test, level_after(e, 3 * SEC), MOAT_GUARD_LEVEL_COOKIES);
	/* 20 requests a second with valid cookies: puzzles. */
	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 3 * SEC), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	request(e, &a, NULL, 0);
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_EQ(test, judge(e, ip_a, 3 * SEC + i),
				MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_PUZZLES);
	KUNIT_EXPECT_EQ(test, level_after(e, 4 * SEC), MOAT_GUARD_LEVEL_PUZZLES);
	KUNIT_EXPECT_EQ(test, e->g->difficulty, 4);
	/* Four times the mark: two bits more. */
	for (i = 0; i < 80; i++)
		judge(e, ip_a, 4 * SEC + i);
	KUNIT_EXPECT_EQ(test, level_after(e, 5 * SEC), MOAT_GUARD_LEVEL_PUZZLES);
	KUNIT_EXPECT_EQ(test, e->g->difficulty, 6);
	/* 1000 times: capped at the maximum. */
	for (i = 0; i < 20000; i++)
		judge(e, ip_a, 5 * SEC + i);
	KUNIT_EXPECT_EQ(test, level_after(e, 6 * SEC), MOAT_GUARD_LEVEL_PUZZLES);
	KUNIT_EXPECT_EQ(test, e->g->difficulty, 8);
}

/* Down one level at a time, after cfg.hold calm windows in a row. */
static void hysteresis(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, low_marks);
	u64 t = 0;

	spoofed(test, e, 100, t);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	/* 5 a second is half the mark: not calm. */
	spoofed(test, e, 5, t);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	spoofed(test, e, 4, t);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	/* A burst in between starts the count again. */
	spoofed(test, e, 6, t);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_NORMAL);
	/* Nothing at all for a minute: the first tick counts it as one
	 * window with a low rate, not as many.
	 */
	spoofed(test, e, 100, t);
	KUNIT_EXPECT_EQ(test, level_after(e, t += SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, t += 60 * SEC),
			MOAT_GUARD_LEVEL_COOKIES);
}

static void half_open_raises(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, low_marks);

	moat_guard_set_half_open(e->g, 50);
	KUNIT_EXPECT_EQ(test, level_after(e, SEC), MOAT_GUARD_LEVEL_COOKIES);
	moat_guard_set_half_open(e->g, 25);	/* half: not calm */
	KUNIT_EXPECT_EQ(test, level_after(e, 2 * SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, 3 * SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, 4 * SEC), MOAT_GUARD_LEVEL_COOKIES);
	moat_guard_set_half_open(e->g, 24);
	KUNIT_EXPECT_EQ(test, level_after(e, 5 * SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, 6 * SEC), MOAT_GUARD_LEVEL_COOKIES);
	KUNIT_EXPECT_EQ(test, level_after(e, 7 * SEC), MOAT_GUARD_LEVEL_NORMAL);
}

/*
 * A flood does not wait for the window to close: the request that reaches
 * the mark within the second is already answered with a cookie, and none
 * after it reaches moatd.
 */
static void flood_raises_at_once(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, low_marks);
	int i;

	request(e, NULL, NULL, 0);
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_EQ(test, judge(e, ip_a, 5 * SEC + i),
				MOAT_GUARD_PASS);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, judge(e, ip_a, 5 * SEC + 9 + i),
				MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 9);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_SENT), 100);
	/* A fixed mode is not raised by the load. */
	free_guard(test);
	e = new_env(test, MOAT_GUARD_MODE_OFF, low_marks);
	request(e, NULL, NULL, 0);
	for (i = 0; i < 100; i++)
		judge(e, ip_a, i);
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_NORMAL);
}

/* A tick within the same second changes nothing. */
static void tick_once_a_second(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, low_marks);

	moat_guard_set_half_open(e->g, 50);
	KUNIT_EXPECT_FALSE(test, moat_guard_tick(e->g, SEC - 1));
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_NORMAL);
	/* The judge closes the window itself. */
	request(e, NULL, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, SEC), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_COOKIES);
}

static void bad_config(struct kunit *test)
{
	struct moat_guard_config cfg;

	moat_guard_default_config(&cfg);
	cfg.difficulty_min = 9;
	cfg.difficulty_max = 8;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_guard_alloc(&cfg, 0)), -EINVAL);
	moat_guard_default_config(&cfg);
	cfg.puzzles_at = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_guard_alloc(&cfg, 0)), -EINVAL);
	moat_guard_default_config(&cfg);
	cfg.rl.prefix6 = 129;
	KUNIT_EXPECT_EQ(test, PTR_ERR(moat_guard_alloc(&cfg, 0)), -EINVAL);
}

static void reconfigure(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_AUTO, low_marks);
	struct moat_guard_config cfg = e->g->cfg;
	struct answer a;

	/* A higher mark: the same load no longer raises the level. */
	cfg.cookies_at = 1000;
	KUNIT_ASSERT_EQ(test, moat_guard_configure(e->g, &cfg), 0);
	spoofed(test, e, 100, 0);
	KUNIT_EXPECT_EQ(test, level_after(e, SEC), MOAT_GUARD_LEVEL_NORMAL);

	/* A fixed mode takes effect at once, auto leaves the level be. */
	cfg.mode = MOAT_GUARD_MODE_PUZZLES;
	KUNIT_ASSERT_EQ(test, moat_guard_configure(e->g, &cfg), 0);
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_PUZZLES);
	cfg.mode = MOAT_GUARD_MODE_AUTO;
	KUNIT_ASSERT_EQ(test, moat_guard_configure(e->g, &cfg), 0);
	KUNIT_EXPECT_EQ(test, e->g->level, MOAT_GUARD_LEVEL_PUZZLES);

	/* Refused settings change nothing. */
	cfg.difficulty_min = 9;
	cfg.difficulty_max = 8;
	cfg.cookies_at = 1;
	KUNIT_EXPECT_EQ(test, moat_guard_configure(e->g, &cfg), -EINVAL);
	KUNIT_EXPECT_EQ(test, e->g->cfg.cookies_at, 1000);
	cfg = e->g->cfg;
	cfg.rl.prefix4 = 0;
	KUNIT_EXPECT_EQ(test, moat_guard_configure(e->g, &cfg), -EINVAL);

	/* A new rate limit: one request per second per source, at once. */
	cfg = e->g->cfg;
	cfg.mode = MOAT_GUARD_MODE_COOKIES;
	cfg.rl.rate = 1;
	cfg.rl.burst = 1;
	KUNIT_ASSERT_EQ(test, moat_guard_configure(e->g, &cfg), 0);
	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 2 * SEC), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	KUNIT_EXPECT_EQ(test, a.prf, 0);
	request(e, &a, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2 * SEC), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2 * SEC), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_RATE_LIMITED), 1);
}

/* A known source with a valid cookie skips the puzzle below the top. */
static void known_skips_puzzle(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_PUZZLES, NULL);
	struct moat_guard_config cfg;
	struct answer a, b;

	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	KUNIT_ASSERT_NE(test, a.prf, 0);
	request(e, &a, NULL, 0);
	/* Not known yet: no solution means the legacy share. */
	judge(e, ip_a, 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_KNOWN_PASSED), 0);
	moat_guard_add_known(e->g, ip_a, 4, 1);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_KNOWN_PASSED), 1);
	/* Known, it is not even asked: its cookie comes without a puzzle. */
	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 2), MOAT_GUARD_REPLY);
	read_answer(test, e, &a);
	KUNIT_EXPECT_EQ(test, a.prf, 0);
	request(e, &a, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 2), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_KNOWN_PASSED), 2);
	/* Someone else at the same moment still must solve it. */
	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_b, 2), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_KNOWN_PASSED), 2);
	read_answer(test, e, &b);
	KUNIT_EXPECT_NE(test, b.prf, 0);
	/* At the top difficulty even a known source is asked. */
	cfg = e->g->cfg;
	cfg.difficulty_max = cfg.difficulty_min;
	KUNIT_ASSERT_EQ(test, moat_guard_configure(e->g, &cfg), 0);
	request(e, &a, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 3), MOAT_GUARD_REPLY);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_KNOWN_PASSED), 2);
}

/*
 * RFC 5723: a client with a resumption ticket sends IKE_SESSION_RESUME
 * (exchange 38), not IKE_SA_INIT. The guard judges IKE_SA_INIT requests
 * only, so it passes to moatd unasked, even at the top difficulty, where
 * a known source's IKE_SA_INIT is asked the puzzle.
 */
static void resume_passes(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_PUZZLES, NULL);
	struct moat_guard_config cfg = e->g->cfg;

	cfg.difficulty_max = cfg.difficulty_min;
	KUNIT_ASSERT_EQ(test, moat_guard_configure(e->g, &cfg), 0);
	request(e, NULL, NULL, 0);
	KUNIT_ASSERT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_REPLY);
	e->m.b[18] = 38;	/* IKE_SESSION_RESUME */
	KUNIT_EXPECT_EQ(test, judge(e, ip_a, 1), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, judge(e, ip_b, 2), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_PASSED), 0);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_MALFORMED), 0);
}

static void two_hops(struct moat_guard_config *cfg)
{
	cfg->hops = 2;
}

/* GTSM style: TTL 253 is two hops away, 252 three. Any IKE message. */
static void hops_drop(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_COOKIES, two_hops);

	request(e, NULL, NULL, 0);
	KUNIT_EXPECT_EQ(test, judge_ttl(e, ip_a, 252, 1), MOAT_GUARD_DROP);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_HOPS_DROPPED), 1);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_COOKIES_SENT), 0);
	KUNIT_EXPECT_EQ(test, judge_ttl(e, ip_a, 253, 1), MOAT_GUARD_REPLY);
	e->m.b[19] = MOAT_IKE_FLAG_RESPONSE;
	KUNIT_EXPECT_EQ(test, judge_ttl(e, ip_a, 1, 1), MOAT_GUARD_DROP);
	KUNIT_EXPECT_EQ(test, judge_ttl(e, ip_a, 255, 1), MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_HOPS_DROPPED), 2);
}

/* A message the receive path could not read: malformed, dropped above normal. */
static void unreadable(struct kunit *test)
{
	struct genv *e = new_env(test, MOAT_GUARD_MODE_COOKIES, NULL);

	request(e, NULL, NULL, 0);
	judge(e, ip_a, 1);
	e->pkt.msg = NULL;
	e->pkt.reply_len = 0;
	KUNIT_EXPECT_EQ(test, moat_guard_judge(e->g, &e->pkt, 1),
			MOAT_GUARD_DROP);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_MALFORMED), 1);
	moat_guard_free(e->g);
	e = new_env(test, MOAT_GUARD_MODE_AUTO, NULL);
	request(e, NULL, NULL, 0);
	judge(e, ip_a, 1);
	e->pkt.msg = NULL;
	KUNIT_EXPECT_EQ(test, moat_guard_judge(e->g, &e->pkt, 1),
			MOAT_GUARD_PASS);
	KUNIT_EXPECT_EQ(test, stat(e, MOAT_GUARD_STAT_MALFORMED), 1);
}

static struct kunit_case moat_guard_cases[] = {
	KUNIT_CASE(build_reply),
	KUNIT_CASE(normal_passes),
	KUNIT_CASE(off_passes_all),
	KUNIT_CASE(cookie_exchange),
	KUNIT_CASE(puzzle_exchange),
	KUNIT_CASE(legacy_share),
	KUNIT_CASE(legacy_share_follows_half_open),
	KUNIT_CASE(rate_limit_asks_puzzle),
	KUNIT_CASE(levels_follow_load),
	KUNIT_CASE(hysteresis),
	KUNIT_CASE(half_open_raises),
	KUNIT_CASE(flood_raises_at_once),
	KUNIT_CASE(tick_once_a_second),
	KUNIT_CASE(bad_config),
	KUNIT_CASE(reconfigure),
	KUNIT_CASE(known_skips_puzzle),
	KUNIT_CASE(resume_passes),
	KUNIT_CASE(hops_drop),
	KUNIT_CASE(unreadable),
	{}
};

static struct kunit_suite moat_guard_suite = {
	.name = "moat_guard",
	.exit = free_guard,
	.test_cases = moat_guard_cases,
};

kunit_test_suite(moat_guard_suite);
