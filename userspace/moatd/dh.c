// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 Diffie-Hellman on OpenSSL 3: keys are EVP_PKEYs, peer values are
 * imported through EVP_PKEY_fromdata (which puts an EC point through the
 * on-curve check) and checked once more by EVP_PKEY_derive_set_peer_ex.
 * The range and all-zero checks the RFCs ask for are done here as well,
 * so they hold whatever OpenSSL's defaults are.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "dh.h"

struct dh_group_info {
	int id;
	const char *type;	/* EVP_PKEY key type */
	const char *name;	/* OSSL_PKEY_PARAM_GROUP_NAME, NULL if none */
	size_t pub_len, secret_len;
};

static const struct dh_group_info groups[] = {
	{ DH_MODP_2048, "DH", "modp_2048", 256, 256 },
	{ DH_ECP_256, "EC", "P-256", 64, 32 },
	{ DH_CURVE25519, "X25519", NULL, 32, 32 },
};

struct dh_key {
	const struct dh_group_info *g;
	EVP_PKEY *pkey;
};

static const struct dh_group_info *group_info(int id)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

size_t dh_public_len(int group)
{
	const struct dh_group_info *g = group_info(group);

	return g ? g->pub_len : 0;
}

size_t dh_secret_len(int group)
{
	const struct dh_group_info *g = group_info(group);

	return g ? g->secret_len : 0;
}

int dh_key_group(const struct dh_key *k)
{
	return k->g->id;
}

static struct dh_key *key_wrap(const struct dh_group_info *g, EVP_PKEY *pkey)
{
	struct dh_key *k;

	if (!pkey)
		return NULL;
	k = OPENSSL_zalloc(sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->g = g;
	k->pkey = pkey;
	return k;
}

struct dh_key *dh_generate(int group)
{
	const struct dh_group_info *g = group_info(group);
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM p[2];

	if (!g)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (!ctx)
		return NULL;
	p[0] = g->name ? OSSL_PARAM_construct_utf8_string(
				 OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->name, 0)
		       : OSSL_PARAM_construct_end();
	p[1] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_params(ctx, p) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key_wrap(g, pkey);
}

/* A key (pair or public only) of group g from its parameters. */
static EVP_PKEY *pkey_fromdata(const struct dh_group_info *g,
			       OSSL_PARAM_BLD *bld, int selection)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params = NULL;

	if (g->name && !OSSL_PARAM_BLD_push_utf8_string(
			       bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0))
		return NULL;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* pub = d * G on P-256, uncompressed (65 octets); 0 or -1. */
static int ecp_public_from(const BIGNUM *d, uint8_t pub[65])
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	int ret = -1;

	if (pt && !BN_is_zero(d) && BN_cmp(d, EC_GROUP_get0_order(grp)) < 0 &&
	    EC_POINT_mul(grp, pt, d, NULL, NULL, NULL) &&
	    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
			       65, NULL) == 65)
		ret = 0;
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return ret;
}

static EVP_PKEY *ecp_from_private(const struct dh_group_info *g,
				  const uint8_t *priv, size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *d = BN_secure_new();
	EVP_PKEY *pkey = NULL;
	uint8_t pub[65];

	if (bld && d && len == 32 && BN_bin2bn(priv, (int)len, d) &&
	    !ecp_public_from(d, pub) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					     pub, sizeof(pub)))
		pkey = pkey_fromdata(g, bld, EVP_PKEY_KEYPAIR);
	BN_clear_free(d);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* y = 2^x mod p for the RFC 3526 2048-bit prime, with 1 <= x < p-1. */
static int modp_public_from(const BIGNUM *x, BIGNUM *y, BN_CTX *bn)
{
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	BIGNUM *two = BN_new(), *pm1 = BN_new();
	int ret = -1;

	if (p && two && pm1 && BN_set_word(two, 2) &&
	    BN_sub(pm1, p, BN_value_one()) &&
	    !BN_is_zero(x) && BN_cmp(x, pm1) < 0 &&
	    BN_mod_exp_mont_consttime(y, two, x, p, bn, NULL))
		ret = 0;
	BN_free(p);
	BN_free(two);
	BN_free(pm1);
	return ret;
}

static EVP_PKEY *modp_from_private(const struct dh_group_info *g,
				   const uint8_t *priv, size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *x = BN_secure_new(), *y = BN_new();
	BN_CTX *bn = BN_CTX_secure_new();
	EVP_PKEY *pkey = NULL;

	if (bld && x && y && bn && len && len <= g->pub_len &&
	    BN_bin2bn(priv, (int)len, x) && !modp_public_from(x, y, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		pkey = pkey_fromdata(g, bld, EVP_PKEY_KEYPAIR);
	BN_clear_free(x);
	BN_free(y);
	BN_CTX_free(bn);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

struct dh_key *dh_from_private(int group, const uint8_t *priv, size_t len)
{
	const struct dh_group_info *g = group_info(group);

	if (!g || !priv)
		return NULL;
	switch (g->id) {
	case DH_CURVE25519:
		if (len != g->pub_len)
			return NULL;
		return key_wrap(g, EVP_PKEY_new_raw_private_key_ex(
					   NULL, g->type, NULL, priv, len));
	case DH_ECP_256:
		return key_wrap(g, ecp_from_private(g, priv, len));
	default:
		return key_wrap(g, modp_from_private(g, priv, len));
	}
}

/* The public value as IKEv2 writes it; 0 or -1. */
static int public_octets(const struct dh_key *k, uint8_t *out)
{
	uint8_t pt[65];
	BIGNUM *y = NULL;
	size_t n = 0;
	int ret = -1;

	switch (k->g->id) {
	case DH_CURVE25519:
		if (EVP_PKEY_get_octet_string_param(k->pkey,
			OSSL_PKEY_PARAM_PUB_KEY, out, k->g->pub_len, &n) &&
		    n == k->g->pub_len)
			ret = 0;
		break;
	case DH_ECP_256:	/* 0x04 | x | y without its format octet */
		if (EVP_PKEY_get_octet_string_param(k->pkey,
			OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n) &&
		    n == sizeof(pt) && pt[0] == POINT_CONVERSION_UNCOMPRESSED) {
			memcpy(out, pt + 1, k->g->pub_len);
			ret = 0;
		}
		break;
	default:
		if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		    BN_bn2binpad(y, out, (int)k->g->pub_len) ==
			    (int)k->g->pub_len)
			ret = 0;
		BN_free(y);
	}
	return ret;
}

int dh_public(const struct dh_key *k, uint8_t *out, size_t len)
{
	if (len != k->g->pub_len)
		return -EINVAL;
	if (public_octets(k, out)) {
		OPENSSL_cleanse(out, len);
		return -EIO;
	}
	return 0;
}

static int all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

/* 1 < y < p-1 for our key's prime p (RFC 7296 §5); 0 or -1. */
static int modp_check_range(const struct dh_key *k, const BIGNUM *y)
{
	BIGNUM *p = NULL, *pm1 = BN_new();
	int ret = -1;

	if (pm1 && EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_FFC_P, &p) &&
	    BN_sub(pm1, p, BN_value_one()) &&
	    BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, pm1) < 0)
		ret = 0;
	BN_free(p);
	BN_free(pm1);
	return ret;
}

static EVP_PKEY *modp_import(const struct dh_key *k, const uint8_t *peer,
			     size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *y = BN_bin2bn(peer, (int)len, NULL);
	EVP_PKEY *pkey = NULL;

	if (bld && y && !modp_check_range(k, y) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		pkey = pkey_fromdata(k->g, bld, EVP_PKEY_PUBLIC_KEY);
	BN_free(y);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *ecp_import(const struct dh_key *k, const uint8_t *peer,
			    size_t len)
{
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;
	uint8_t pt[65];

	if (all_zero(peer, len))	/* no encoding of infinity, but say so */
		return NULL;
	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pt + 1, peer, len);
	bld = OSSL_PARAM_BLD_new();
	if (bld && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						    pt, sizeof(pt)))
		pkey = pkey_fromdata(k->g, bld, EVP_PKEY_PUBLIC_KEY);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* The peer's value as a public key of our group, or NULL if invalid. */
static EVP_PKEY *peer_import(const struct dh_key *k, const uint8_t *peer,
			     size_t len)
{
	if (len != k->g->pub_len)
		return NULL;
	switch (k->g->id) {
	case DH_CURVE25519:
		return EVP_PKEY_new_raw_public_key_ex(NULL, k->g->type, NULL,
						      peer, len);
	case DH_ECP_256:
		return ecp_import(k, peer, len);
	default:
		return modp_import(k, peer, len);
	}
}

/* EVP derive into exactly len octets; 0 or -EINVAL. */
static int derive(const struct dh_key *k, EVP_PKEY *peer, uint8_t *out,
		  size_t len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	size_t n = len;
	int ret = -EINVAL;

	if (!ctx)
		return -ENOMEM;
	/* MODP: keep leading zeros, the secret is as long as p */
	if (EVP_PKEY_derive_init(ctx) > 0 &&
	    (k->g->id != DH_MODP_2048 || EVP_PKEY_CTX_set_dh_pad(ctx, 1) > 0) &&
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) > 0 &&
	    EVP_PKEY_derive(ctx, out, &n) > 0 && n == len &&
	    !all_zero(out, len))
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

unsigned long dh_shared_calls;

int dh_shared(const struct dh_key *k, const uint8_t *peer, size_t peer_len,
	      uint8_t *out, size_t len)
{
	EVP_PKEY *pk;
	int ret;

	dh_shared_calls++;
	if (len != k->g->secret_len)
		return -EINVAL;
	memset(out, 0, len);
	pk = peer ? peer_import(k, peer, peer_len) : NULL;
	if (!pk)
		return -EINVAL;
	ret = derive(k, pk, out, len);
	EVP_PKEY_free(pk);
	if (ret)
		OPENSSL_cleanse(out, len);
	return ret;
}

void dh_free(struct dh_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	OPENSSL_clear_free(k, sizeof(*k));
}
