/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An RFC 8019 responder's check of a Puzzle Solution, written for the
 * tests independently of moatd's solver: OpenSSL's one-shot HMAC() and
 * zero bits counted one at a time from the end of the PRF output.
 */
#ifndef MOAT_PUZZLE_REF_H
#define MOAT_PUZZLE_REF_H

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "keys.h"

static inline const EVP_MD *ref_md(uint16_t prf)
{
	return prf == IKE_PRF_HMAC_SHA2_256 ? EVP_sha256() :
	       prf == IKE_PRF_HMAC_SHA2_384 ? EVP_sha384() :
	       prf == IKE_PRF_HMAC_SHA2_512 ? EVP_sha512() : NULL;
}

/* Trailing zero bits, one bit at a time from the end. */
static inline unsigned int ref_bits(const uint8_t *d, size_t len)
{
	unsigned int n = 0;
	size_t bit;

	for (bit = 0; bit < 8 * len; bit++) {
		if (d[len - 1 - bit / 8] & (1u << (bit % 8)))
			break;
		n++;
	}
	return n;
}

static inline unsigned int ref_prf_bits(uint16_t prf, const uint8_t *k, size_t kl,
				 const uint8_t *s, size_t sl)
{
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned int ol = 0;

	if (!HMAC(ref_md(prf), k, (int)kl, s, sl, out, &ol))
		return 0;
	return ref_bits(out, ol);
}

/* The smallest count of a Puzzle Solution, or -1 when it is malformed. */
static inline int ref_score(uint16_t prf, const uint8_t *s, size_t sl,
		     const uint8_t *ps, size_t pl)
{
	size_t kl = pl / 4, i, j;
	unsigned int b, min = ~0u;

	if (!pl || pl % 4 || kl > (size_t)EVP_MD_get_size(ref_md(prf)))
		return -1;
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			if (!memcmp(ps + i * kl, ps + j * kl, kl))
				return -1;
	for (i = 0; i < 4; i++) {
		b = ref_prf_bits(prf, ps + i * kl, kl, s, sl);
		min = b < min ? b : min;
	}
	return (int)min;
}

#endif
