// SPDX-License-Identifier: GPL-2.0
/*
 * Checking RFC 8019 puzzle solutions in softirq.
 *
 * An HMAC transform holds its key, so two CPUs cannot share one while
 * each sets its own key. Every CPU gets its own transform per PRF,
 * allocated up front; a check runs with bottom halves off, so nothing
 * else on the CPU uses the transform meanwhile, and it allocates nothing.
 * A check costs at most four PRF calls: it stops at the first key that
 * falls short.
 */

#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ike_parse.h"
#include "puzzle.h"

#define PUZZLE_NPRF	3

static const struct {
	u16 id;
	const char *name;
} puzzle_prfs[PUZZLE_NPRF] = {	/* in our order of preference */
	{ MOAT_IKE_PRF_HMAC_SHA2_256, "hmac(sha256)" },
	{ MOAT_IKE_PRF_HMAC_SHA2_384, "hmac(sha384)" },
	{ MOAT_IKE_PRF_HMAC_SHA2_512, "hmac(sha512)" },
};

struct moat_puzzle_cpu {
	struct crypto_shash *tfm[PUZZLE_NPRF];
};

struct moat_puzzle {
	struct moat_puzzle_cpu __percpu *cpu;
};

/**
 * moat_puzzle_free() - free the transforms
 * @pz: from moat_puzzle_alloc(), or %NULL
 */
void moat_puzzle_free(struct moat_puzzle *pz)
{
	struct moat_puzzle_cpu *c;
	int cpu, i;

	if (!pz)
		return;
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(pz->cpu, cpu);
		for (i = 0; i < PUZZLE_NPRF; i++)
			crypto_free_shash(c->tfm[i]);	/* NULL is fine */
	}
	free_percpu(pz->cpu);
	kfree(pz);
}

/**
 * moat_puzzle_alloc() - a puzzle checker with its transforms
 *
 * Sleeps: call it from process context.
 *
 * Return: the checker, or %NULL.
 */
struct moat_puzzle *moat_puzzle_alloc(void)
{
	struct moat_puzzle *pz = kzalloc(sizeof(*pz), GFP_KERNEL);
	struct crypto_shash *tfm;
	int cpu, i;

	if (!pz)
		return NULL;
	pz->cpu = alloc_percpu(struct moat_puzzle_cpu);
	if (!pz->cpu)
		goto err;
	for_each_possible_cpu(cpu) {
		for (i = 0; i < PUZZLE_NPRF; i++) {
			tfm = crypto_alloc_shash(puzzle_prfs[i].name, 0, 0);
			if (IS_ERR(tfm))
				goto err;
			per_cpu_ptr(pz->cpu, cpu)->tfm[i] = tfm;
		}
	}
	return pz;
err:
	moat_puzzle_free(pz);
	return NULL;
}

static int puzzle_prf_index(u16 prf)
{
	int i;

	for (i = 0; i < PUZZLE_NPRF; i++)
		if (puzzle_prfs[i].id == prf)
			return i;
	return -1;
}

/**
 * moat_puzzle_choose_prf() - the PRF to ask a puzzle with
 * @offered: bit n set when the initiator offers PRF transform ID n
 *
 * Return: our preferred PRF among those offered, or 0 if none fits.
 */
u16 moat_puzzle_choose_prf(u32 offered)
{
	int i;

	for (i = 0; i < PUZZLE_NPRF; i++)
		if (offered & BIT(puzzle_prfs[i].id))
			return puzzle_prfs[i].id;
	return 0;
}

/**
 * moat_puzzle_zero_bits() - trailing zero bits of a PRF output
 * @digest: the output
 * @len: its length
 *
 * RFC 8019 counts from the least significant bit of the last octet
 * towards the first one.
 *
 * Return: the number of zero bits before the first one bit.
 */
unsigned int moat_puzzle_zero_bits(const u8 *digest, unsigned int len)
{
	unsigned int n = 0;

	while (len--) {
		if (digest[len])
			return n + __ffs(digest[len]);
		n += 8;
	}
	return n;
}

/* Four keys of one length the PRF accepts, no two the same. */
static bool puzzle_keys_ok(const u8 *ps, size_t ps_len, unsigned int max)
{
	size_t klen = ps_len / MOAT_PUZZLE_KEYS;
	int i, j;

	if (!ps_len || ps_len % MOAT_PUZZLE_KEYS || klen > max)
		return false;
	for (i = 0; i < MOAT_PUZZLE_KEYS; i++)
		for (j = i + 1; j < MOAT_PUZZLE_KEYS; j++)
			if (!memcmp(ps + i * klen, ps + j * klen, klen))
				return false;
	return true;
}

/* The least number of zero bits among the keys, stopping early below
 * @difficulty; UINT_MAX if the PRF failed.
 */
static unsigned int puzzle_score(struct crypto_shash *tfm, u8 difficulty,
				 const u8 *cookie, size_t cookie_len,
				 const u8 *ps, size_t klen)
{
	unsigned int dlen = crypto_shash_digestsize(tfm);
	unsigned int score = UINT_MAX, bits;
	u8 digest[HASH_MAX_DIGESTSIZE];
	int i;

	for (i = 0; i < MOAT_PUZZLE_KEYS && score >= difficulty; i++) {
		if (crypto_shash_setkey(tfm, ps + i * klen, klen) ||
		    crypto_shash_tfm_digest(tfm, cookie, cookie_len, digest))
			return UINT_MAX;
		bits = moat_puzzle_zero_bits(digest, dlen);
		score = min(score, bits);
	}
	memzero_explicit(digest, sizeof(digest));
	return score;
}

/**
 * moat_puzzle_verify() - check an IKE_SA_INIT Puzzle Solution
 * @pz: the checker
 * @prf: the PRF transform ID the puzzle was asked with
 * @difficulty: the D it was asked with
 * @cookie: the cookie, the data the keys are tried on
 * @cookie_len: its length, 1 to 64
 * @ps: the Puzzle Solution payload's data: K1 | K2 | K3 | K4
 * @ps_len: its length
 * @score: out, the least number of zero bits among the keys that were
 *	tried (all four when the verdict is %MOAT_PUZZLE_SOLVED)
 *
 * Any context; allocates nothing.
 *
 * Return: the verdict.
 */
enum moat_puzzle_verdict moat_puzzle_verify(struct moat_puzzle *pz, u16 prf,
					    u8 difficulty, const u8 *cookie,
					    size_t cookie_len, const u8 *ps,
					    size_t ps_len, u8 *score)
{
	int i = puzzle_prf_index(prf);
	struct crypto_shash *tfm;
	unsigned int best;

	*score = 0;
	if (i < 0 || !cookie_len || cookie_len > MOAT_IKE_COOKIE_MAX)
		return MOAT_PUZZLE_MALFORMED;
	local_bh_disable();
	tfm = this_cpu_ptr(pz->cpu)->tfm[i];
	if (!puzzle_keys_ok(ps, ps_len, crypto_shash_digestsize(tfm))) {
		local_bh_enable();
		return MOAT_PUZZLE_MALFORMED;
	}
	best = puzzle_score(tfm, difficulty, cookie, cookie_len, ps,
			    ps_len / MOAT_PUZZLE_KEYS);
	local_bh_enable();
	if (best == UINT_MAX)
		return MOAT_PUZZLE_MALFORMED;
	*score = min(best, 255U);
	return best >= difficulty ? MOAT_PUZZLE_SOLVED : MOAT_PUZZLE_WEAK;
}
