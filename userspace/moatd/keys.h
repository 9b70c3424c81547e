/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKEv2 key schedule (RFC 7296 §2.13, §2.14, §2.17, §2.18) and the
 * RFC 8784 PPK re-derivation, on HMAC-SHA2 through OpenSSL 3's EVP_MAC.
 * Every derived key lives in secmem (locked, wiped on free).
 */
#ifndef MOATD_KEYS_H
#define MOATD_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* PRF transform IDs (IANA "Transform Type 2"). */
enum ike_prf_id {
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

/* Encryption transform IDs (IANA "Transform Type 1") for AEAD IKE SAs. */
enum ike_encr_id {
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

#define IKE_PRF_MAX_LEN 64	/* HMAC-SHA2-512 */
#define IKE_PRF_PLUS_MAX_BLOCKS 255
#define IKE_PRF_MAX_PARTS 8	/* pieces one prf call concatenates */

/* A piece of a concatenation "A | B | C"; never copied. */
struct ike_chunk {
	const uint8_t *p;
	size_t len;
};

/* Output (= preferred key) length of a PRF, 0 if unsupported. */
const char *ike_prf_digest(int prf);
size_t ike_prf_len(int prf);
/* out = prf(key, parts[0] | ... | parts[n-1]); 0 or -1. */
int ike_prf(int prf, const uint8_t *key, size_t klen,
	    const struct ike_chunk *parts, size_t n, uint8_t *out);
/* out = first len octets of prf+(key, seed) (§2.13); 0 or -1. */
int ike_prf_plus(int prf, const uint8_t *key, size_t klen,
		 const struct ike_chunk *seed, size_t n, uint8_t *out,
		 size_t len);
/*
 * Octets of SK_e for an AEAD transform: the key plus the 4-octet salt
 * (RFC 5282 §7.1 for AES-GCM, RFC 7634 §3 for ChaCha20-Poly1305). 0 if
 * the transform or key size is unsupported.
 */
size_t ike_aead_keymat_len(int encr, unsigned int key_bits);

/* The keys of one IKE SA; every pointer is secmem or NULL. */
struct ike_sa_keys {
	int prf;
	size_t prf_len, integ_len, encr_len;
	uint8_t *sk_d, *sk_ai, *sk_ar, *sk_ei, *sk_er, *sk_pi, *sk_pr;
};

/* SKEYSEED = prf(Ni | Nr, g^ir) (§2.14), in secmem; NULL on failure. */
uint8_t *ike_skeyseed(int prf, const struct ike_chunk *ni,
		      const struct ike_chunk *nr, const struct ike_chunk *gir);
/*
 * Rekeyed SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18), with
 * the old IKE SA's PRF; in secmem, NULL on failure.
 */
uint8_t *ike_skeyseed_rekey(int old_prf, const uint8_t *old_sk_d,
			    size_t old_sk_d_len, const struct ike_chunk *gir,
			    const struct ike_chunk *ni,
			    const struct ike_chunk *nr);
/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *	= prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)	(§2.14)
 * integ_len is 0 for an AEAD IKE SA (sk_ai/sk_ar stay NULL); encr_len
 * includes the salt. 0, or -1 with k left empty.
 */
int ike_sa_keys_derive(struct ike_sa_keys *k, int prf,
		       const uint8_t *skeyseed, const struct ike_chunk *ni,
		       const struct ike_chunk *nr, const uint8_t spi_i[8],
		       const uint8_t spi_r[8], size_t integ_len,
		       size_t encr_len);
/*
 * RFC 8784 §3: SK_d = prf+(PPK, SK_d'), SK_pi = prf+(PPK, SK_pi'),
 * SK_pr = prf+(PPK, SK_pr'), each as long as before. 0 or -1 (k unchanged).
 */
int ike_sa_keys_apply_ppk(struct ike_sa_keys *k, const uint8_t *ppk,
			  size_t ppk_len);
/* Wipes and frees every key; k is left empty. */
void ike_sa_keys_free(struct ike_sa_keys *k);

/* The keys of one Child SA pair; every pointer is secmem or NULL. */
struct ike_child_keys {
	size_t encr_len, integ_len;
	uint8_t *ei, *ai;	/* initiator to responder */
	uint8_t *er, *ar;	/* responder to initiator */
};

/*
 * KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) when
 * gir is not NULL (§2.17), split in the order encryption key then
 * integrity key, initiator-to-responder first. 0 or -1 (ck left empty).
 */
int ike_child_keys_derive(struct ike_child_keys *ck, int prf,
			  const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_chunk *gir,
			  const struct ike_chunk *ni,
			  const struct ike_chunk *nr, size_t encr_len,
			  size_t integ_len);
void ike_child_keys_free(struct ike_child_keys *ck);

#endif
