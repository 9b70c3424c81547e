// SPDX-License-Identifier: GPL-2.0
/* The IKEv2 key schedule; see keys.h. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "keys.h"
#include "secmem.h"

#define IKE_NONCE_MAX 256	/* RFC 7296 §3.9 */
#define AEAD_SALT_LEN 4		/* RFC 5282 §7.1, RFC 7634 §3 */

/* OpenSSL's name of the digest under HMAC PRF @prf, or NULL. */
const char *ike_prf_digest(int prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA2-256";
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA2-384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA2-512";
	}
	return NULL;
}

size_t ike_prf_len(int prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_384:
		return 48;
	case IKE_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

static int mac_feed(EVP_MAC_CTX *ctx, const struct ike_chunk *parts,
		    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (parts[i].len && !EVP_MAC_update(ctx, parts[i].p,
						    parts[i].len))
			return -1;
	return 0;
}

int ike_prf(int prf, const uint8_t *key, size_t klen,
	    const struct ike_chunk *parts, size_t n, uint8_t *out)
{
	const char *md = ike_prf_digest(prf);
	size_t outl = 0, want = ike_prf_len(prf);
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	int ret = -1;

	if (!md || !key || !klen)
		return -1;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
		ctx = EVP_MAC_CTX_new(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx && EVP_MAC_init(ctx, key, klen, params) &&
	    !mac_feed(ctx, parts, n) && EVP_MAC_final(ctx, out, &outl, want) &&
	    outl == want)
		ret = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); out = T1 | T2 | ... */
int ike_prf_plus(int prf, const uint8_t *key, size_t klen,
		 const struct ike_chunk *seed, size_t n, uint8_t *out,
		 size_t len)
{
	struct ike_chunk parts[IKE_PRF_MAX_PARTS + 2];
	size_t hl = ike_prf_len(prf), done = 0, step;
	uint8_t t[IKE_PRF_MAX_LEN], ctr;
	int ret = 0;

	if (!hl || n > IKE_PRF_MAX_PARTS || len > hl * IKE_PRF_PLUS_MAX_BLOCKS)
		return -1;
	memcpy(parts + 1, seed, n * sizeof(*seed));
	for (ctr = 1; done < len && !ret; ctr++) {
		parts[0] = (struct ike_chunk){ t, ctr == 1 ? 0 : hl };
		parts[n + 1] = (struct ike_chunk){ &ctr, 1 };
		ret = ike_prf(prf, key, klen, parts, n + 2, t);
		step = len - done < hl ? len - done : hl;
		if (!ret)
			memcpy(out + done, t, step);
		done += step;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

size_t ike_aead_keymat_len(int encr, unsigned int key_bits)
{
	if (encr == IKE_ENCR_AES_GCM_16 &&
	    (key_bits == 128 || key_bits == 192 || key_bits == 256))
		return key_bits / 8 + AEAD_SALT_LEN;
	/* RFC 7634 §3: no Key Length attribute, the key is 256 bits. */
	if (encr == IKE_ENCR_CHACHA20_POLY1305 &&
	    (key_bits == 0 || key_bits == 256))
		return 32 + AEAD_SALT_LEN;
	return 0;
}

uint8_t *ike_skeyseed(int prf, const struct ike_chunk *ni,
		      const struct ike_chunk *nr, const struct ike_chunk *gir)
{
	size_t pl = ike_prf_len(prf);
	uint8_t key[2 * IKE_NONCE_MAX], *out;

	if (!pl || ni->len > IKE_NONCE_MAX || nr->len > IKE_NONCE_MAX)
		return NULL;
	/* HMAC takes a key of any length: all of Ni | Nr (§2.14). */
	memcpy(key, ni->p, ni->len);
	memcpy(key + ni->len, nr->p, nr->len);
	out = secmem_alloc(pl);
	if (out && ike_prf(prf, key, ni->len + nr->len, gir, 1, out)) {
		secmem_free(out);
		out = NULL;
	}
	return out;
}

uint8_t *ike_skeyseed_rekey(int old_prf, const uint8_t *old_sk_d,
			    size_t old_sk_d_len, const struct ike_chunk *gir,
			    const struct ike_chunk *ni,
			    const struct ike_chunk *nr)
{
	const struct ike_chunk parts[3] = { *gir, *ni, *nr };
	size_t pl = ike_prf_len(old_prf);
	uint8_t *out;

	out = pl ? secmem_alloc(pl) : NULL;
	if (out && ike_prf(old_prf, old_sk_d, old_sk_d_len, parts, 3, out)) {
		secmem_free(out);
		out = NULL;
	}
	return out;
}

/* Copies the next len octets of keying material into a key of its own. */
static int take(uint8_t **dst, const uint8_t **pos, size_t len)
{
	*dst = NULL;
	if (!len)
		return 0;
	*dst = secmem_dup(*pos, len);
	*pos += len;
	return *dst ? 0 : -1;
}

/* len octets of prf+(key, seed) in secmem, or NULL. */
static uint8_t *keymat(int prf, const uint8_t *key, size_t klen,
		       const struct ike_chunk *seed, size_t n, size_t len)
{
	uint8_t *km = secmem_alloc(len);

	if (km && ike_prf_plus(prf, key, klen, seed, n, km, len)) {
		secmem_free(km);
		km = NULL;
	}
	return km;
}

int ike_sa_keys_derive(struct ike_sa_keys *k, int prf,
		       const uint8_t *skeyseed, const struct ike_chunk *ni,
		       const struct ike_chunk *nr, const uint8_t spi_i[8],
		       const uint8_t spi_r[8], size_t integ_len,
		       size_t encr_len)
{
	const struct ike_chunk seed[4] = {
		*ni, *nr, { spi_i, 8 }, { spi_r, 8 },
	};
	size_t pl = ike_prf_len(prf);
	const uint8_t *pos;
	uint8_t *km;
	int err = 0;

	memset(k, 0, sizeof(*k));
	if (!pl || !encr_len)
		return -1;
	km = keymat(prf, skeyseed, pl, seed, 4,
		    3 * pl + 2 * integ_len + 2 * encr_len);
	if (!km)
		return -1;
	pos = km;
	err |= take(&k->sk_d, &pos, pl);
	err |= take(&k->sk_ai, &pos, integ_len);
	err |= take(&k->sk_ar, &pos, integ_len);
	err |= take(&k->sk_ei, &pos, encr_len);
	err |= take(&k->sk_er, &pos, encr_len);
	err |= take(&k->sk_pi, &pos, pl);
	err |= take(&k->sk_pr, &pos, pl);
	secmem_free(km);
	k->prf = prf;
	k->prf_len = pl;
	k->integ_len = integ_len;
	k->encr_len = encr_len;
	if (err)
		ike_sa_keys_free(k);
	return err ? -1 : 0;
}

int ike_sa_keys_apply_ppk(struct ike_sa_keys *k, const uint8_t *ppk,
			  size_t ppk_len)
{
	uint8_t **old[3] = { &k->sk_d, &k->sk_pi, &k->sk_pr };
	uint8_t *fresh[3] = { NULL, NULL, NULL };
	struct ike_chunk seed;
	int i, err = 0;

	if (!k->sk_d || !ppk || !ppk_len)
		return -1;
	for (i = 0; i < 3 && !err; i++) {
		seed = (struct ike_chunk){ *old[i], k->prf_len };
		fresh[i] = keymat(k->prf, ppk, ppk_len, &seed, 1, k->prf_len);
		err = !fresh[i];
	}
	for (i = 0; i < 3; i++) {
		secmem_free(err ? fresh[i] : *old[i]);
		if (!err)
			*old[i] = fresh[i];
	}
	return err ? -1 : 0;
}

void ike_sa_keys_free(struct ike_sa_keys *k)
{
	secmem_free(k->sk_d);
	secmem_free(k->sk_ai);
	secmem_free(k->sk_ar);
	secmem_free(k->sk_ei);
	secmem_free(k->sk_er);
	secmem_free(k->sk_pi);
	secmem_free(k->sk_pr);
	memset(k, 0, sizeof(*k));
}

int ike_child_keys_derive(struct ike_child_keys *ck, int prf,
			  const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_chunk *gir,
			  const struct ike_chunk *ni,
			  const struct ike_chunk *nr, size_t encr_len,
			  size_t integ_len)
{
	struct ike_chunk seed[3] = { { NULL, 0 }, *ni, *nr };
	const uint8_t *pos;
	uint8_t *km;
	int err = 0;

	memset(ck, 0, sizeof(*ck));
	if (gir)
		seed[0] = *gir;
	if (!encr_len)
		return -1;
	km = keymat(prf, sk_d, sk_d_len, seed, 3, 2 * (encr_len + integ_len));
	if (!km)
		return -1;
	pos = km;
	err |= take(&ck->ei, &pos, encr_len);
	err |= take(&ck->ai, &pos, integ_len);
	err |= take(&ck->er, &pos, encr_len);
	err |= take(&ck->ar, &pos, integ_len);
	secmem_free(km);
	ck->encr_len = encr_len;
	ck->integ_len = integ_len;
	if (err)
		ike_child_keys_free(ck);
	return err ? -1 : 0;
}

void ike_child_keys_free(struct ike_child_keys *ck)
{
	secmem_free(ck->ei);
	secmem_free(ck->ai);
	secmem_free(ck->er);
	secmem_free(ck->ar);
	memset(ck, 0, sizeof(*ck));
}
