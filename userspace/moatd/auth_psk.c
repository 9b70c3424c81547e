// SPDX-License-Identifier: GPL-2.0
/* Shared-key AUTH (RFC 7296 §2.15); see auth.h. */
#include <openssl/crypto.h>

#include "auth.h"

static const char key_pad[] = "Key Pad for IKEv2";	/* 17 octets, no NUL */

int ike_auth_psk(int prf, const uint8_t *psk, size_t psk_len,
		 const struct ike_signed_octets *so, uint8_t *out)
{
	const struct ike_chunk pad = { (const uint8_t *)key_pad,
				       sizeof(key_pad) - 1 };
	uint8_t inner[IKE_PRF_MAX_LEN], maced_id[IKE_PRF_MAX_LEN];
	size_t pl = ike_prf_len(prf);
	struct ike_chunk octets[3];
	int ret;

	if (!pl)
		return -1;
	ret = ike_prf(prf, so->sk_p, so->sk_p_len, &so->id_body, 1, maced_id);
	if (!ret)
		ret = ike_prf(prf, psk, psk_len, &pad, 1, inner);
	octets[0] = so->msg;
	octets[1] = so->peer_nonce;
	octets[2] = (struct ike_chunk){ maced_id, pl };
	if (!ret)
		ret = ike_prf(prf, inner, pl, octets, 3, out);
	OPENSSL_cleanse(inner, sizeof(inner));
	return ret;
}

int ike_auth_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	return len && CRYPTO_memcmp(a, b, len) == 0;
}
