// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd's SK/SKF unprotect (userspace/moatd/sk.c)
 * and the decrypt-then-parse path behind it, with fixed keys. The first
 * octet picks the suite (bit 0: AES-GCM-128 or ChaCha20-Poly1305) and
 * what to do with the rest:
 *
 *   bit 1 clear: the rest is a received message. The codec finds its
 *	SK/SKF payload (or, when it cannot, a fixed position is tried);
 *	sk_unprotect decrypts into a buffer of exactly the size it asks
 *	for, and what comes out is parsed as inner payloads. The seed
 *	corpus holds valid protected messages, so the parse is reached.
 *   bit 1 set: the rest (after one octet of first inner payload type) is
 *	inner payloads. They are protected (SK, or SKF 1 of 1 with bit 2),
 *	must come back unchanged from sk_unprotect, and are then parsed:
 *	the parser sees arbitrary plaintext through the real decrypt path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "payload.h"
#include "sk.h"

#define MSG_MAX 4200

static struct sk_key *keys[2];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t km[36];
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof(km); i++)	/* the seed generator's keys */
		km[i] = (uint8_t)(0x40 + i);
	keys[0] = sk_key_new(IKE_ENCR_AES_GCM_16, 128, km, 20);
	keys[1] = sk_key_new(IKE_ENCR_CHACHA20_POLY1305, 256, km, 36);
	if (!keys[0] || !keys[1])
		abort();
	return 0;
}

/* The typed decoders a daemon runs on what it found inside SK. */
static void decode_inner(const struct ike_chain *c)
{
	struct ike_notify n;
	struct ike_delete d;
	struct ike_ts_list ts;
	struct ike_id id;
	struct ike_auth a;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct ike_payload *p = &c->pl[i];

		if (p->type == IKE_PL_NOTIFY)
			ike_dec_notify(p->body, p->len, &n);
		else if (p->type == IKE_PL_DELETE)
			ike_dec_delete(p->body, p->len, &d);
		else if (p->type == IKE_PL_TSI || p->type == IKE_PL_TSR)
			ike_dec_ts(p->body, p->len, &ts);
		else if (p->type == IKE_PL_IDI || p->type == IKE_PL_IDR)
			ike_dec_id(p->body, p->len, &id);
		else if (p->type == IKE_PL_AUTH)
			ike_dec_auth(p->body, p->len, &a);
	}
}

static void parse_inner(uint8_t first, const uint8_t *p, size_t len)
{
	struct ike_chain c;

	if (ike_parse_inner(first, p, len, &c) == IKE_OK)
		decode_inner(&c);
}

/* Where the codec says SK/SKF's header ends; 0 if it finds none. */
static size_t find_sk(const uint8_t *msg, size_t len, int *frag,
		      uint8_t *inner)
{
	static struct ike_msg m;	/* large: keep it off the stack */
	const struct ike_payload *p;

	if (ike_parse_msg(msg, len, &m) != IKE_OK || !m.chain.n)
		return 0;
	p = &m.chain.pl[m.chain.n - 1];
	if (p->type != IKE_PL_SK && p->type != IKE_PL_SKF)
		return 0;
	*frag = p->type == IKE_PL_SKF;
	*inner = p->inner;
	return (size_t)(p->body - msg) + (*frag ? 4 : 0);
}

/* An SKF's contents are whole payloads only in fragment 1 of 1. */
static int whole(const struct sk_pos *pos, const uint8_t *msg)
{
	const uint8_t *f = msg + pos->aad_len - 4;

	return !pos->frag || (f[0] == 0 && f[1] == 1 && f[2] == 0 && f[3] == 1);
}

static void received(struct sk_key *k, const uint8_t *msg, size_t len)
{
	struct sk_pos pos = { 52, 0 };
	uint8_t inner = 0, *out;
	size_t cap;
	long n;

	pos.aad_len = find_sk(msg, len, &pos.frag, &inner);
	if (!pos.aad_len)
		pos.aad_len = len > 52 ? 52 : len;
	cap = len > pos.aad_len + 24 ? len - pos.aad_len - 24 : 0;
	out = malloc(cap ? cap : 1);	/* exact: ASan sees any overrun */
	if (!out)
		return;
	n = sk_unprotect(k, &pos, msg, len, out, cap);
	if (n > (long)cap || (n < 0 && n != -EBADMSG))
		abort();
	if (n >= 0 && whole(&pos, msg))
		parse_inner(inner, out, (size_t)n);
	free(out);
}

/* IKE header, then SK or SKF 1/1 naming first; the AAD length. */
static size_t head(uint8_t *buf, int frag, uint8_t first)
{
	memset(buf, 0, 36);
	memset(buf, 0xa5, 8);			/* SPIi */
	buf[16] = frag ? IKE_PL_SKF : IKE_PL_SK;
	buf[17] = 0x20;
	buf[18] = IKE_INFORMATIONAL;
	buf[28] = first;
	if (!frag)
		return 32;
	buf[33] = 1;
	buf[35] = 1;
	return 36;
}

static void round_trip(struct sk_key *k, int frag, const uint8_t *data,
		       size_t size)
{
	static uint8_t msg[MSG_MAX], out[MSG_MAX];
	static uint64_t ctr;
	struct sk_pos pos = { 0, frag };
	size_t len = size - 1;
	long n, m;

	if (len > MSG_MAX - 36 - SK_OVERHEAD - 255)
		return;
	pos.aad_len = head(msg, frag, data[0]);
	n = sk_protect(k, &ctr, &pos, msg, sizeof(msg), data + 1, len,
		       size % 256);
	if (n < 0)
		abort();
	m = sk_unprotect(k, &pos, msg, (size_t)n, out, sizeof(out));
	if (m != (long)len || memcmp(out, data + 1, len))
		abort();
	parse_inner(data[0], out, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_key *k;

	if (size < 2)
		return 0;
	k = keys[data[0] & 1];
	if (data[0] & 2)
		round_trip(k, !!(data[0] & 4), data + 1, size - 1);
	else
		received(k, data + 1, size - 1);
	return 0;
}
