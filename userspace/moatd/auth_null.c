// SPDX-License-Identifier: GPL-2.0
/*
 * NULL authentication (RFC 7619 §3): the AUTH payload is computed as for
 * a shared key, with SK_pi (initiator) or SK_pr (responder) as the secret.
 */
#include "auth.h"

int ike_auth_null(int prf, const struct ike_signed_octets *so, uint8_t *out)
{
	return ike_auth_psk(prf, so->sk_p, so->sk_p_len, so, out);
}
