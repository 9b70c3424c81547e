/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_PUZZLE_H
#define _MOAT_PUZZLE_H

#include <linux/types.h>

/*
 * RFC 8019 client puzzles, the responder's side of IKE_SA_INIT (section
 * 7.1): a Puzzle Solution payload holds four distinct keys K1..K4 of one
 * length, and each prf(Ki, cookie) must end in at least D zero bits,
 * counted from the least significant bit of the last octet backwards.
 * The PRFs are the HMAC-SHA2 ones, computed with the kernel crypto API.
 */

#define MOAT_PUZZLE_KEYS	4

struct moat_puzzle;

/**
 * enum moat_puzzle_verdict - what a Puzzle Solution is worth
 * @MOAT_PUZZLE_SOLVED: four good keys, each with at least D zero bits
 *	(with D = 0: four good keys, the score says how good)
 * @MOAT_PUZZLE_WEAK: well formed, but some key has fewer than D zero bits;
 *	RFC 8019 says to serve it at the lowest priority, not to reject it
 * @MOAT_PUZZLE_MALFORMED: the length is not four keys the PRF can take,
 *	two keys are the same, or the PRF is not one we ask for
 */
enum moat_puzzle_verdict {
	MOAT_PUZZLE_SOLVED,
	MOAT_PUZZLE_WEAK,
	MOAT_PUZZLE_MALFORMED,
};

struct moat_puzzle *moat_puzzle_alloc(void);
void moat_puzzle_free(struct moat_puzzle *pz);
u16 moat_puzzle_choose_prf(u32 offered);
unsigned int moat_puzzle_zero_bits(const u8 *digest, unsigned int len);
enum moat_puzzle_verdict moat_puzzle_verify(struct moat_puzzle *pz, u16 prf,
					    u8 difficulty, const u8 *cookie,
					    size_t cookie_len, const u8 *ps,
					    size_t ps_len, u8 *score);

#endif /* _MOAT_PUZZLE_H */
