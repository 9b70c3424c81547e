// SPDX-License-Identifier: GPL-2.0
/* The IKE SA object; see ike_sa.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ike_sa.h"

#ifdef MOATD_TEST_RNG
int (*ikesa_test_rand)(void *buf, size_t len);
#endif

int ikesa_rand(void *buf, size_t len)
{
#ifdef MOATD_TEST_RNG
	if (ikesa_test_rand)
		return ikesa_test_rand(buf, len);
#endif
	if (len > INT32_MAX)
		return -1;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

struct dh_key *ikesa_dh_new(int group)
{
#ifdef MOATD_TEST_RNG
	uint8_t priv[32];

	if (ikesa_test_rand) {
		if (ikesa_test_rand(priv, sizeof(priv)))
			return NULL;
		priv[0] = (uint8_t)((priv[0] & 0x3f) | 0x01);	/* 0 < d < n */
		return dh_from_private(group, priv, sizeof(priv));
	}
#endif
	return dh_generate(group);
}

struct ikesa *ikesa_new(const struct moatd_conn *c, enum ikesa_role role,
			const struct ike_endpoints *ep)
{
	struct ikesa *sa = calloc(1, sizeof(*sa));
	uint8_t *spi;

	if (!sa)
		return NULL;
	sa->conn = c;
	sa->role = role;
	sa->ep = *ep;
	spi = role == IKESA_INITIATOR ? sa->spi_i : sa->spi_r;
	/* §3.1: an SPI is never zero; the odds of a retry are 2^-64. */
	while (!ikesa_rand(spi, IKE_SPI_LEN) &&
	       !memcmp(spi, "\0\0\0\0\0\0\0\0", IKE_SPI_LEN))
		;
	if (!memcmp(spi, "\0\0\0\0\0\0\0\0", IKE_SPI_LEN)) {
		free(sa);
		return NULL;
	}
	return sa;
}

void ike_blob_free(struct ike_blob *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

int ike_blob_set(struct ike_blob *b, const uint8_t *p, size_t len)
{
	uint8_t *copy = len ? malloc(len) : NULL;

	if (len && !copy)
		return -1;
	if (len)
		memcpy(copy, p, len);
	ike_blob_free(b);
	b->p = copy;
	b->len = len;
	return 0;
}

void ikesa_free(struct ikesa *sa)
{
	if (!sa)
		return;
	dh_free(sa->dh);
	ike_sa_keys_free(&sa->keys);
	ike_sa_keys_free(&sa->nppk);
	sk_key_free(sa->sk_in);
	sk_key_free(sa->sk_out);
	ike_blob_free(&sa->init_req);
	ike_blob_free(&sa->init_resp);
	ike_blob_free(&sa->last_req);
	ike_blob_free(&sa->last_in);
	ike_blob_free(&sa->last_resp);
	child_sa_free(&sa->child);
	ikesa_est_free(sa->est);
	frag_reset(&sa->frag);
	ike_puzzle_drop(sa);
	ike_ticket_free(sa->resume_from);
	ike_ticket_free(sa->ticket);
	authpuzzle_free(sa);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

const char *ikesa_state_name(enum ikesa_state s)
{
	static const char *const names[] = {
		[IKESA_INIT_SENT] = "init-sent",
		[IKESA_INIT_DONE] = "init-done",
		[IKESA_AUTH_SENT] = "auth-sent",
		[IKESA_ESTABLISHED] = "established",
		[IKESA_DELETING] = "deleting",
		[IKESA_DEAD] = "dead",
	};

	if ((unsigned int)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

void ikesa_fail(struct ikesa *sa, uint16_t notify)
{
	sa->state = IKESA_DEAD;
	sa->error = notify;
	dh_free(sa->dh);
	sa->dh = NULL;
}

int ikesa_install_sk(struct ikesa *sa)
{
	const uint8_t *in = sa->role == IKESA_INITIATOR ? sa->keys.sk_er :
				    sa->keys.sk_ei;
	const uint8_t *out = sa->role == IKESA_INITIATOR ? sa->keys.sk_ei :
				     sa->keys.sk_er;
	size_t len = sa->keys.encr_len;

	sk_key_free(sa->sk_in);
	sk_key_free(sa->sk_out);
	sa->sk_in = sk_key_new(sa->encr, sa->key_bits, in, len);
	sa->sk_out = sk_key_new(sa->encr, sa->key_bits, out, len);
	return sa->sk_in && sa->sk_out ? 0 : -1;
}

int ikesa_new_esp_spi(uint32_t *spi)
{
	uint8_t b[4];

	do {
		if (ikesa_rand(b, sizeof(b)))
			return -1;
		*spi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		       (uint32_t)b[2] << 8 | b[3];
	} while (*spi < 256);
	return 0;
}
