/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AUTH payload data for the shared-key methods (RFC 7296 §2.15):
 *
 *	AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"),
 *		   <RealMessage> | <Nonce of the peer> | prf(SK_px, <ID body>))
 *
 * auth_psk.c uses a configured secret; auth_null.c (RFC 7619 §3) uses
 * SK_pi or SK_pr itself as the shared secret.
 */
#ifndef MOATD_AUTH_H
#define MOATD_AUTH_H

#include "keys.h"

/* What the signer's AUTH covers: its own message, the peer's nonce, and
 * its ID payload body (ID Type, RESERVED, data), MACed with SK_pi/SK_pr. */
struct ike_signed_octets {
	struct ike_chunk msg, peer_nonce, id_body;
	const uint8_t *sk_p;	/* SK_pi for the initiator, SK_pr for the responder */
	size_t sk_p_len;
};

/* out (ike_prf_len(prf) octets) = AUTH for a pre-shared key; 0 or -1. */
int ike_auth_psk(int prf, const uint8_t *psk, size_t psk_len,
		 const struct ike_signed_octets *so, uint8_t *out);
/* out = AUTH for the NULL method: the shared secret is so->sk_p. */
int ike_auth_null(int prf, const struct ike_signed_octets *so, uint8_t *out);
/* RFC 5723 §5.1, a resumed IKE SA: AUTH = prf(SK_px, <signed octets>),
 * the octets as for a shared key with so->sk_p as the MAC's key. */
int ike_auth_resume(int prf, const struct ike_signed_octets *so,
		    uint8_t *out);
/* Constant-time comparison of a received AUTH with the expected one. */
int ike_auth_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif
