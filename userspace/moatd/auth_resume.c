// SPDX-License-Identifier: GPL-2.0
/*
 * AUTH of a resumed IKE SA (RFC 5723 §5.1): the new SA's SK_pi or SK_pr
 * MACs the octets RFC 7296 §2.15 signs (the signer's IKE_SESSION_RESUME
 * message, the peer's nonce, prf(SK_px, ID body)), with no shared secret.
 */
#include "auth.h"

int ike_auth_resume(int prf, const struct ike_signed_octets *so,
		    uint8_t *out)
{
	uint8_t maced_id[IKE_PRF_MAX_LEN];
	size_t pl = ike_prf_len(prf);
	struct ike_chunk octets[3];

	if (!pl || ike_prf(prf, so->sk_p, so->sk_p_len, &so->id_body, 1,
			   maced_id))
		return -1;
	octets[0] = so->msg;
	octets[1] = so->peer_nonce;
	octets[2] = (struct ike_chunk){ maced_id, pl };
	return ike_prf(prf, so->sk_p, so->sk_p_len, octets, 3, out);
}
