// SPDX-License-Identifier: GPL-2.0
/*
 * Encrypted (SK, RFC 7296 §3.14) and Encrypted Fragment (SKF, RFC 7383
 * §2.5) payloads: split into IV, ciphertext and ICV; decryption is the
 * caller's.
 */
#include "payload_int.h"

/* The ciphertext holds at least the Pad Length octet. */
static int split_sk(struct ike_rd *r, size_t iv_len, size_t icv_len,
		    struct ike_sk *out)
{
	size_t left = ike_rd_left(r);

	if (r->bad || left < iv_len + icv_len + 1)
		return IKE_E_SHORT;
	out->iv_len = iv_len;
	out->icv_len = icv_len;
	out->ct_len = left - iv_len - icv_len;
	out->iv = ike_rd_take(r, iv_len);
	out->ct = ike_rd_take(r, out->ct_len);
	out->icv = ike_rd_take(r, icv_len);
	return IKE_OK;
}

int ike_dec_sk(const uint8_t *b, size_t len, size_t iv_len, size_t icv_len,
	       struct ike_sk *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	return split_sk(&r, iv_len, icv_len, out);
}

/* RFC 7383 §2.5: 1 <= Fragment Number <= Total Fragments. */
static int skf_valid(uint16_t num, uint16_t total)
{
	return num >= 1 && num <= total;
}

int ike_dec_skf(const uint8_t *b, size_t len, size_t iv_len,
		size_t icv_len, struct ike_skf *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	out->num = ike_rd_u16(&r);
	out->total = ike_rd_u16(&r);
	if (r.bad)
		return IKE_E_SHORT;
	if (!skf_valid(out->num, out->total))
		return IKE_E_SYNTAX;
	return split_sk(&r, iv_len, icv_len, &out->sk);
}

static void put_sk_body(struct ike_writer *w, const struct ike_sk *sk)
{
	if (!sk->ct_len)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_put(w, sk->iv, sk->iv_len);
	ike_w_put(w, sk->ct, sk->ct_len);
	ike_w_put(w, sk->icv, sk->icv_len);
}

/* The Next Payload of SK/SKF names the first inner payload (§3.14). */
static size_t begin_encrypted(struct ike_writer *w, uint8_t type,
			      uint8_t inner)
{
	size_t start = ike_w_begin(w, type, 0);

	if (!w->err)
		w->buf[start] = inner;
	w->closed = 1;
	return start;
}

void ike_put_sk(struct ike_writer *w, uint8_t inner, const struct ike_sk *sk)
{
	size_t start = begin_encrypted(w, IKE_PL_SK, inner);

	put_sk_body(w, sk);
	ike_w_end(w, start);
}

void ike_put_skf(struct ike_writer *w, uint8_t inner,
		 const struct ike_skf *f)
{
	size_t start = begin_encrypted(w, IKE_PL_SKF, inner);

	if (!skf_valid(f->num, f->total))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u16(w, f->num);
	ike_w_u16(w, f->total);
	put_sk_body(w, &f->sk);
	ike_w_end(w, start);
}
