// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd's IKEv2 codec: the header, the payload
 * chain and every typed decoder on whatever the chain yields. The input
 * is tried twice: as a whole message, and (first octet = first payload
 * type) as a bare chain, so the decoders are reached without a valid
 * header. Whatever decodes must re-encode, and decode again to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

static uint8_t wbuf[70000];

static void check_in(const uint8_t *p, size_t len, const uint8_t *buf,
		     size_t size)
{
	if (len && (p < buf || p + len > buf + size))
		abort();
}

static void sa_again(const struct ike_sa *sa)
{
	static struct ike_sa again;
	struct ike_writer w;
	size_t i, j;

	ike_w_init(&w, wbuf, sizeof(wbuf));
	ike_put_sa(&w, sa);
	if (ike_w_finish(&w) < 0 || ike_dec_sa(wbuf + 4, w.len - 4, &again))
		abort();
	if (again.n != sa->n)
		abort();
	for (i = 0; i < sa->n; i++)
		for (j = 0; j < sa->prop[i].n_tr; j++)
			if (again.prop[i].tr[j].id != sa->prop[i].tr[j].id ||
			    again.prop[i].tr[j].key_bits !=
			    sa->prop[i].tr[j].key_bits)
				abort();
}

static void ts_again(const struct ike_ts_list *l)
{
	static struct ike_ts_list again;
	struct ike_writer w;

	ike_w_init(&w, wbuf, sizeof(wbuf));
	ike_put_ts(&w, IKE_PL_TSI, l);
	if (ike_w_finish(&w) < 0 || ike_dec_ts(wbuf + 4, w.len - 4, &again) ||
	    again.n != l->n || memcmp(again.ts, l->ts, l->n * sizeof(l->ts[0])))
		abort();
}

static void decode_sk(const struct ike_payload *pl, size_t iv, size_t icv)
{
	static struct ike_chain inner;
	struct ike_skf f;
	struct ike_sk sk;
	int ret;

	if (pl->type == IKE_PL_SKF) {
		if (ike_dec_skf(pl->body, pl->len, iv, icv, &f))
			return;
		sk = f.sk;
	} else if (ike_dec_sk(pl->body, pl->len, iv, icv, &sk)) {
		return;
	}
	if (sk.iv_len + sk.ct_len + sk.icv_len > pl->len)
		abort();
	/* Stand-in for decrypt-then-parse: the ciphertext as plaintext. */
	ret = ike_parse_inner(pl->inner, sk.ct, sk.ct_len, &inner);
	if (ret == IKE_OK && inner.n == 0 && pl->inner != IKE_PL_NONE)
		abort();
}

static void decode(const struct ike_payload *pl)
{
	static struct ike_sa sa;
	static struct ike_ts_list ts;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_auth a;
	struct ike_ke ke;
	struct ike_id id;

	switch (pl->type) {
	case IKE_PL_SA:
		if (!ike_dec_sa(pl->body, pl->len, &sa))
			sa_again(&sa);
		break;
	case IKE_PL_KE:
		ike_dec_ke(pl->body, pl->len, &ke);
		break;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		ike_dec_id(pl->body, pl->len, &id);
		break;
	case IKE_PL_AUTH:
		ike_dec_auth(pl->body, pl->len, &a);
		break;
	case IKE_PL_NONCE:
		ike_dec_nonce(pl->body, pl->len);
		break;
	case IKE_PL_NOTIFY:
		if (!ike_dec_notify(pl->body, pl->len, &n))
			check_in(n.data, n.len, pl->body, pl->len);
		break;
	case IKE_PL_DELETE:
		ike_dec_delete(pl->body, pl->len, &d);
		break;
	case IKE_PL_VENDOR:
		ike_dec_vendor(pl->body, pl->len);
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		if (!ike_dec_ts(pl->body, pl->len, &ts))
			ts_again(&ts);
		break;
	case IKE_PL_SK:
	case IKE_PL_SKF:
		decode_sk(pl, 8, 16);
		decode_sk(pl, 12, 16);
		break;
	case IKE_PL_PS:
		ike_dec_puzzle(pl->body, pl->len);
		break;
	}
}

static void decode_all(const struct ike_chain *c, const uint8_t *buf,
		       size_t size)
{
	size_t i;

	if (c->n > IKE_MAX_PAYLOADS)
		abort();
	for (i = 0; i < c->n; i++) {
		check_in(c->pl[i].body, c->pl[i].len, buf, size);
		decode(&c->pl[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	static struct ike_chain c;
	int ret;

	ret = ike_parse_msg(data, size, &m);
	if (ret == IKE_OK || ret == IKE_E_CRITICAL) {
		if (m.hdr.length != size || m.hdr.major != 2)
			abort();
		if ((ret == IKE_E_CRITICAL) != (m.chain.unsupported != 0))
			abort();
		decode_all(&m.chain, data, size);
	}
	if (size < 1)
		return 0;
	ret = ike_parse_chain(data[0], data + 1, size - 1, &c);
	if (ret == IKE_OK || ret == IKE_E_CRITICAL)
		decode_all(&c, data + 1, size - 1);
	return 0;
}
