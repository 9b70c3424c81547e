// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8784 PPK: when both peers sent N(USE_PPK), SK_d, SK_pi and SK_pr
 * are re-derived with the PPK before IKE_AUTH. An initiator whose PPK is
 * optional keeps the keys without it until the answer tells whether the
 * responder used the PPK (N(PPK_IDENTITY)) or fell back to NO_PPK_AUTH.
 */
#include <string.h>

#include "exchange_int.h"
#include "secmem.h"

int ppk_keys_copy(const struct ike_sa_keys *src, struct ike_sa_keys *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->prf = src->prf;
	dst->prf_len = src->prf_len;
	dst->sk_d = secmem_dup(src->sk_d, src->prf_len);
	dst->sk_pi = secmem_dup(src->sk_pi, src->prf_len);
	dst->sk_pr = secmem_dup(src->sk_pr, src->prf_len);
	if (dst->sk_d && dst->sk_pi && dst->sk_pr)
		return 0;
	ike_sa_keys_free(dst);
	return -1;
}

static void take_one(uint8_t **dst, uint8_t **src)
{
	secmem_free(*dst);
	*dst = *src;
	*src = NULL;
}

void ppk_keys_take(struct ike_sa_keys *dst, struct ike_sa_keys *src)
{
	take_one(&dst->sk_d, &src->sk_d);
	take_one(&dst->sk_pi, &src->sk_pi);
	take_one(&dst->sk_pr, &src->sk_pr);
}

int ppk_initiator_setup(struct ikesa *sa)
{
	const struct moatd_conn *c = sa->conn;

	if (!c->ppk_required && ppk_keys_copy(&sa->keys, &sa->nppk))
		return -1;
	return ike_sa_keys_apply_ppk(&sa->keys, c->ppk, c->ppk_len);
}
