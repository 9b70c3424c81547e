/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The initiator's RFC 8019 puzzle solver (§7.1.2, §7.2.2). Find four
 * distinct keys of one length such that each prf(Ki, S) ends in at least
 * D zero bits, counted from the least significant bit of the last octet
 * backwards. S is the COOKIE notification's data in IKE_SA_INIT, and
 * Nr | SPIr in IKE_AUTH. D = 0 asks for as many bits as the solver can
 * afford: then it keeps the four best keys it met, and the smallest of
 * their counts is its score.
 *
 * The keys are an 8-octet big-endian counter (an HMAC PRF takes any key
 * from 1 octet to its output length, and a counter never repeats). The
 * work is done in steps of a given number of tries, so the caller can
 * spread it over its event loop and stop when its time budget runs out.
 */
#ifndef MOATD_PUZZLE_H
#define MOATD_PUZZLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload.h"

#define PUZZLE_KEYS 4
#define PUZZLE_KEY_LEN 8
#define PUZZLE_PS_LEN (PUZZLE_KEYS * PUZZLE_KEY_LEN)
#define PUZZLE_DATA_MAX (IKE_NONCE_MAX + IKE_SPI_LEN)
/* N(PUZZLE) data: the PRF transform ID (2 octets) and D (1 octet). */
#define PUZZLE_NOTIFY_LEN 3

struct puzzle {
	uint16_t prf;
	uint8_t difficulty;
	uint8_t data[PUZZLE_DATA_MAX];
	size_t data_len;
	uint64_t next;			/* the next key to try */
	/* The best keys met so far, most zero bits first. */
	uint8_t key[PUZZLE_KEYS][PUZZLE_KEY_LEN];
	unsigned int bits[PUZZLE_KEYS];
	size_t kept;
	void *mac;			/* EVP_MAC_CTX */
};

/* The trailing zero bits of @len octets (8 * len for all zeros). */
unsigned int puzzle_zero_bits(const uint8_t *d, size_t len);

/* N(PUZZLE)'s data: IKE_OK, or IKE_E_SHORT / IKE_E_LENGTH. */
int puzzle_dec_notify(const uint8_t *b, size_t len, uint16_t *prf,
		      uint8_t *difficulty);

/* A puzzle over @s for @prf (an HMAC-SHA2 PRF); 0 or -1. */
int puzzle_start(struct puzzle *p, uint16_t prf, uint8_t difficulty,
		 const uint8_t *s, size_t len);
/* Tries @tries more keys: 1 when solved (never with D = 0), 0, or -1. */
int puzzle_step(struct puzzle *p, unsigned int tries);
/* The four keys kept, K1..K4, into @out (PUZZLE_PS_LEN): 0, or -1 when
 * fewer than four were tried. */
int puzzle_solution(const struct puzzle *p, uint8_t *out);
/* The smallest count of the four keys kept (0 with fewer). */
unsigned int puzzle_score(const struct puzzle *p);
/* Frees what puzzle_start took; the puzzle may be started again. */
void puzzle_end(struct puzzle *p);

#endif
