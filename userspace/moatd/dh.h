/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diffie-Hellman for IKEv2 KE payloads (RFC 7296 §3.4), through OpenSSL 3's
 * EVP_PKEY. Public values and shared secrets are the octet strings IKEv2
 * puts on the wire and feeds to the PRF:
 *
 *   group 14, MODP-2048 (RFC 3526 §3): 256 octets, big-endian, left-padded;
 *	a peer value must satisfy 1 < y < p-1 (RFC 7296 §5, NIST SP 800-56A
 *	partial validation); the secret is left-padded to 256 octets.
 *   group 19, ECP-256 (RFC 5903): public value x | y, 64 octets, no point
 *	format octet; the point must be on the curve (not infinity); the
 *	secret is x of the shared point, 32 octets (RFC 5903 §7).
 *   group 31, Curve25519 (RFC 8031): the 32-octet u-coordinate; an
 *	all-zero shared secret (a small-order peer value) is refused.
 */
#ifndef MOATD_DH_H
#define MOATD_DH_H

#include <stddef.h>
#include <stdint.h>

/* IANA "Transform Type 4" IDs. */
enum dh_group {
	DH_MODP_2048 = 14,
	DH_ECP_256 = 19,
	DH_CURVE25519 = 31,
};

#define DH_PUBLIC_MAX 256	/* the longest public value / secret */

struct dh_key;

/* Octets of a public value / shared secret of group; 0 if unsupported. */
size_t dh_public_len(int group);
size_t dh_secret_len(int group);

/* A fresh private key of group, or NULL (unsupported group, no memory). */
struct dh_key *dh_generate(int group);
/*
 * A key from a known private value (known-answer tests, never the wire):
 * a 32-octet scalar for groups 19 (big-endian, 0 < d < n) and 31 (as RFC
 * 7748 writes it), a big-endian exponent 1 <= x < p-1 of at most 256
 * octets for group 14. NULL if the value is out of range.
 */
struct dh_key *dh_from_private(int group, const uint8_t *priv, size_t len);
int dh_key_group(const struct dh_key *k);

/*
 * Our public value into out, which holds exactly dh_public_len() octets.
 * 0, -EINVAL (wrong len) or -EIO.
 */
int dh_public(const struct dh_key *k, uint8_t *out, size_t len);
/*
 * The shared secret with the peer's public value, into out (exactly
 * dh_secret_len() octets). 0; -EINVAL when the peer's value is invalid
 * (wrong length, out of range, not on the curve, small order) or out is
 * the wrong size; -ENOMEM or -EIO. out is zeroed on every failure.
 */
int dh_shared(const struct dh_key *k, const uint8_t *peer, size_t peer_len,
	      uint8_t *out, size_t len);
/* How many times dh_shared() was called: the tests check that a message
 * was dropped before any D-H work. */
extern unsigned long dh_shared_calls;
/* Frees k; OpenSSL wipes the private value. NULL is a no-op. */
void dh_free(struct dh_key *k);

#endif
