// SPDX-License-Identifier: GPL-2.0
/* The initiator's RFC 8019 puzzle solver; see puzzle.h. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "keys.h"
#include "puzzle.h"

unsigned int puzzle_zero_bits(const uint8_t *d, size_t len)
{
	unsigned int n = 0;
	uint8_t b;

	while (len && !d[len - 1]) {
		n += 8;
		len--;
	}
	if (!len)
		return n;
	for (b = d[len - 1]; !(b & 1); b >>= 1)
		n++;
	return n;
}

int puzzle_dec_notify(const uint8_t *b, size_t len, uint16_t *prf,
		      uint8_t *difficulty)
{
	if (len < PUZZLE_NOTIFY_LEN)
		return IKE_E_SHORT;
	if (len > PUZZLE_NOTIFY_LEN)
		return IKE_E_LENGTH;
	*prf = (uint16_t)(b[0] << 8 | b[1]);
	*difficulty = b[2];
	return IKE_OK;
}

/* An HMAC context for @prf, keyed later by each try. */
static EVP_MAC_CTX *mac_new(uint16_t prf)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)ike_prf_digest(prf),
						     0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
		ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);	/* the context holds its own reference */
	if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

int puzzle_start(struct puzzle *p, uint16_t prf, uint8_t difficulty,
		 const uint8_t *s, size_t len)
{
	memset(p, 0, sizeof(*p));
	if (!ike_prf_digest(prf) || !len || len > sizeof(p->data))
		return -1;
	p->prf = prf;
	p->difficulty = difficulty;
	memcpy(p->data, s, len);
	p->data_len = len;
	p->mac = mac_new(prf);
	return p->mac ? 0 : -1;
}

static void key_of(uint64_t n, uint8_t *k)
{
	int i;

	for (i = PUZZLE_KEY_LEN - 1; i >= 0; i--) {
		k[i] = (uint8_t)n;
		n >>= 8;
	}
}

/* Keeps @k among the four best if its @bits earn it a place. */
static void keep(struct puzzle *p, const uint8_t *k, unsigned int bits)
{
	size_t i;

	if (p->kept == PUZZLE_KEYS && bits <= p->bits[PUZZLE_KEYS - 1])
		return;
	i = p->kept < PUZZLE_KEYS ? p->kept++ : PUZZLE_KEYS - 1;
	for (; i > 0 && p->bits[i - 1] < bits; i--) {
		p->bits[i] = p->bits[i - 1];
		memcpy(p->key[i], p->key[i - 1], PUZZLE_KEY_LEN);
	}
	p->bits[i] = bits;
	memcpy(p->key[i], k, PUZZLE_KEY_LEN);
}

/* *@bits = the zero bits that prf(@k, S) ends in; 0 or -1. */
static int try_key(struct puzzle *p, const uint8_t *k, unsigned int *bits)
{
	uint8_t out[IKE_PRF_MAX_LEN];
	size_t outl = 0;

	if (!EVP_MAC_init(p->mac, k, PUZZLE_KEY_LEN, NULL) ||
	    !EVP_MAC_update(p->mac, p->data, p->data_len) ||
	    !EVP_MAC_final(p->mac, out, &outl, sizeof(out)))
		return -1;
	*bits = puzzle_zero_bits(out, outl);
	return 0;
}

static bool solved(const struct puzzle *p)
{
	return p->difficulty && p->kept == PUZZLE_KEYS &&
	       p->bits[PUZZLE_KEYS - 1] >= p->difficulty;
}

int puzzle_step(struct puzzle *p, unsigned int tries)
{
	uint8_t k[PUZZLE_KEY_LEN];
	unsigned int bits;

	if (!p->mac)
		return -1;
	for (; tries && !solved(p); tries--) {
		key_of(p->next++, k);
		if (try_key(p, k, &bits))
			return -1;
		keep(p, k, bits);
	}
	return solved(p) ? 1 : 0;
}

int puzzle_solution(const struct puzzle *p, uint8_t *out)
{
	size_t i;

	if (p->kept < PUZZLE_KEYS)
		return -1;
	for (i = 0; i < PUZZLE_KEYS; i++)
		memcpy(out + i * PUZZLE_KEY_LEN, p->key[i], PUZZLE_KEY_LEN);
	return 0;
}

unsigned int puzzle_score(const struct puzzle *p)
{
	return p->kept < PUZZLE_KEYS ? 0 : p->bits[PUZZLE_KEYS - 1];
}

void puzzle_end(struct puzzle *p)
{
	EVP_MAC_CTX_free(p->mac);
	p->mac = NULL;
}
