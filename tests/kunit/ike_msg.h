/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit helpers: build IKE_SA_INIT requests byte by byte, the way RFC 7296
 * section 3 lays them out, for the guard's suites.
 */
#ifndef _MOAT_TEST_IKE_MSG_H
#define _MOAT_TEST_IKE_MSG_H

#include <linux/string.h>
#include <asm/unaligned.h>

#include "../ike_parse.h"

#define TMSG_MAX 1024

struct tmsg {
	u8 b[TMSG_MAX];
	size_t len;
	size_t last_next;	/* offset of the "next payload" to fill */
};

/* Header of an IKE_SA_INIT request with SPIi 01..08, no payload yet. */
static inline void tmsg_start(struct tmsg *m, u8 spi_seed)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 8; i++)
		m->b[i] = spi_seed + i;
	m->b[17] = MOAT_IKE_VERSION;
	m->b[18] = MOAT_IKE_SA_INIT;
	m->b[19] = MOAT_IKE_FLAG_INITIATOR;
	m->len = MOAT_IKE_HDR_LEN;
	m->last_next = 16;
}

static inline u8 *tmsg_payload(struct tmsg *m, u8 type, const void *body,
			       size_t blen)
{
	u8 *p = m->b + m->len;

	m->b[m->last_next] = type;
	p[0] = 0;
	p[1] = 0;
	put_unaligned_be16(4 + blen, p + 2);
	memcpy(p + 4, body, blen);
	m->last_next = m->len;
	m->len += 4 + blen;
	return p;
}

static inline void tmsg_end(struct tmsg *m)
{
	put_unaligned_be32(m->len, m->b + 24);
}

/* N(COOKIE) with @len octets of @cookie. */
static inline void tmsg_cookie(struct tmsg *m, const u8 *cookie, size_t len)
{
	u8 body[4 + 80] = { 0, 0, 0x40, 0x06 };	/* 16390 */

	memcpy(body + 4, cookie, len);
	tmsg_payload(m, MOAT_IKE_PL_NOTIFY, body, 4 + len);
}

/* One IKE proposal: ChaCha20-Poly1305, the given PRFs, X25519. */
static inline void tmsg_sa(struct tmsg *m, const u16 *prfs, int nprf)
{
	u8 body[8 + 8 * 8] = { 0, 0, 0, 0, 1, 1, 0, 0 };
	u8 *t = body + 8;
	int i, n = 0;
	u16 types[8], ids[8];

	types[n] = 1;	/* ENCR */
	ids[n++] = 28;	/* ChaCha20-Poly1305 */
	for (i = 0; i < nprf && n < 7; i++) {
		types[n] = MOAT_IKE_TRANSFORM_PRF;
		ids[n++] = prfs[i];
	}
	types[n] = 4;	/* DH */
	ids[n++] = 31;	/* Curve25519 */
	for (i = 0; i < n; i++, t += 8) {
		memset(t, 0, 8);
		t[0] = i + 1 < n ? 3 : 0;
		put_unaligned_be16(8, t + 2);
		t[4] = types[i];
		put_unaligned_be16(ids[i], t + 6);
	}
	body[7] = n;
	put_unaligned_be16(8 + 8 * n, body + 2);
	tmsg_payload(m, MOAT_IKE_PL_SA, body, 8 + 8 * n);
}

/* HDR, [N(COOKIE)], [PS], SA(PRF 7 and 5), KE, Ni(32 from @nonce_seed) */
static inline void tmsg_request(struct tmsg *m, u8 spi_seed, u8 nonce_seed,
				const u8 *cookie, size_t cookie_len,
				const u8 *ps, size_t ps_len)
{
	static const u16 prfs[] = { MOAT_IKE_PRF_HMAC_SHA2_512,
				    MOAT_IKE_PRF_HMAC_SHA2_256 };
	u8 ke[4 + 32] = { 0, 31, 0, 0 };
	u8 nonce[32];
	int i;

	for (i = 0; i < 32; i++)
		nonce[i] = nonce_seed ^ (i * 7);
	tmsg_start(m, spi_seed);
	if (cookie)
		tmsg_cookie(m, cookie, cookie_len);
	if (ps)
		tmsg_payload(m, MOAT_IKE_PL_PS, ps, ps_len);
	tmsg_sa(m, prfs, 2);
	tmsg_payload(m, 34, ke, sizeof(ke));
	tmsg_payload(m, MOAT_IKE_PL_NONCE, nonce, sizeof(nonce));
	tmsg_end(m);
}

#endif /* _MOAT_TEST_IKE_MSG_H */
