/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Encrypted payload (SK, RFC 7296 §3.14) and the Encrypted Fragment
 * payload (SKF, RFC 7383 §2.5) with an AEAD, through OpenSSL 3's
 * EVP_CIPHER:
 *
 *   AES-GCM with a 16-octet ICV (ENCR 20, RFC 5282), 128- or 256-bit key;
 *   ChaCha20-Poly1305 (ENCR 28, RFC 7634), 256-bit key.
 *
 * SK_ei / SK_er is the key followed by a 4-octet salt; the nonce is
 * salt | IV, and the 8-octet IV is sent in front of the ciphertext. The
 * payload's body is IV | encrypt(inner payloads | Padding | Pad Length) |
 * ICV. The associated data is the message from the first octet of the IKE
 * header to the last octet of the SK generic header (RFC 5282 §5.1) -- for
 * SKF, to the last octet of the Total Fragments field (RFC 7383 §2.5) --
 * so it covers any payloads sent in clear before SK/SKF.
 */
#ifndef MOATD_SK_H
#define MOATD_SK_H

#include <stddef.h>
#include <stdint.h>

#define SK_SALT_LEN 4
#define SK_IV_LEN 8
#define SK_ICV_LEN 16
#define SK_KEY_MAX 32
#define SK_PAD_MAX 255
#define SK_IKE_HDR_LEN 28	/* IKE header */
#define SK_HDR_LEN 4		/* SK generic payload header */
#define SKF_HDR_LEN 8		/* SKF: + Fragment Number, Total Fragments */
/* Body octets around the inner payloads: IV, Pad Length, ICV. */
#define SK_OVERHEAD (SK_IV_LEN + 1 + SK_ICV_LEN)

struct sk_key;

/*
 * Octets of SK_e for an ENCR transform ID (IKE_ENCR_*, keys.h) and key
 * size: key + salt; 0 if unsupported.
 */
size_t sk_keymat_len(int encr, unsigned int key_bits);
/* A key from keymat (key | salt, sk_keymat_len octets), or NULL. */
struct sk_key *sk_key_new(int encr, unsigned int key_bits,
			  const uint8_t *keymat, size_t len);
/* Wipes and frees k; NULL is a no-op. */
void sk_key_free(struct sk_key *k);

/* Where the SK or SKF payload's header ends in a message. */
struct sk_pos {
	size_t aad_len;	/* IKE header ... SK (or SKF) header, inclusive */
	int frag;	/* SKF: the header is SKF_HDR_LEN octets */
};

/* Length of the protected message for inner_len octets and pad_len. */
size_t sk_protected_len(const struct sk_pos *pos, size_t inner_len,
			size_t pad_len);

/*
 * Protects a message in buf (cap octets). On entry, buf's first
 * pos->aad_len octets hold the IKE header, any payloads in clear and the
 * SK (or SKF) header, every field final except two length fields that
 * this fills in: the IKE header's Length and the SK(F) Payload Length.
 * For SKF, 1 <= Fragment Number <= Total Fragments must hold already.
 * Appends IV | ciphertext | ICV for inner (inner_len octets, which may
 * already sit at buf + aad_len + SK_IV_LEN) padded with pad_len (0..255)
 * zero octets. The IV is *iv_next, then *iv_next is incremented: one
 * counter per key, never reset, so no IV repeats under a key.
 *
 * Returns the message length; -EINVAL (a bad position, pad or fragment
 * field), -ENOSPC (cap too small or a length field would overflow),
 * -EOVERFLOW (the IV counter is spent: rekey), -EIO or -ENOMEM. On error
 * the octets after the AAD are wiped.
 */
long sk_protect(const struct sk_key *k, uint64_t *iv_next,
		const struct sk_pos *pos, uint8_t *buf, size_t cap,
		const uint8_t *inner, size_t inner_len, size_t pad_len);

/*
 * Verifies and decrypts a received message of len octets whose last
 * payload is SK (or SKF) with its header ending at pos->aad_len. Checks,
 * before any use, that the IKE Length is len, that the SK(F) Payload
 * Length reaches exactly to the end, that the body holds IV, Pad Length
 * and ICV, and for SKF that 1 <= Fragment Number <= Total Fragments.
 * Writes the inner payloads, padding removed, to out (out_cap octets; len
 * - pos->aad_len - SK_IV_LEN - SK_ICV_LEN is always enough).
 *
 * Returns the inner payloads' length (0 is valid: an empty INFORMATIONAL);
 * -EBADMSG for any fault in the message (lengths, ICV, a Pad Length longer
 * than the plaintext), -ENOSPC, -EIO or -ENOMEM. out is wiped on error.
 */
long sk_unprotect(const struct sk_key *k, const struct sk_pos *pos,
		  const uint8_t *msg, size_t len, uint8_t *out, size_t out_cap);

/* One bare AEAD operation: nonce = salt | iv. */
struct sk_aead_op {
	const uint8_t *iv;	/* SK_IV_LEN octets */
	const uint8_t *aad;
	size_t aad_len;
	const uint8_t *in;
	uint8_t *out;		/* len octets; may be in */
	size_t len;
	uint8_t *tag;		/* SK_ICV_LEN: written by seal, read by open */
};

/* 0, or -EBADMSG (open: the ICV does not verify), -EINVAL, -EIO, -ENOMEM. */
int sk_seal(const struct sk_key *k, const struct sk_aead_op *op);
int sk_open(const struct sk_key *k, const struct sk_aead_op *op);

#endif
