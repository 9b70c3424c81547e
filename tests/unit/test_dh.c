// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's Diffie-Hellman (userspace/moatd/dh.c): the published exchanges
 * for groups 31 (RFC 7748 §6.1) and 19 (RFC 5903 §8.1), MODP-2048 against
 * the RFC 3526 prime written out here, and every peer value that must be
 * refused.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>

#include "dh.h"
#include "harness.h"

/* RFC 3526 §3, the 2048-bit MODP group's prime (generator 2). */
static const char rfc3526_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D"
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
	"15728E5A8AACAA68FFFFFFFFFFFFFFFF";

static int bytes_are(const uint8_t *got, const char *hex)
{
	uint8_t want[DH_PUBLIC_MAX];
	size_t n = test_unhex(hex, want, sizeof(want));

	if (n == strlen(hex) / 2 && !memcmp(got, want, n))
		return 1;
	fprintf(stderr, "    bytes differ from %.32s...\n", hex);
	return 0;
}

static struct dh_key *key_from_hex(int group, const char *hex)
{
	uint8_t priv[DH_PUBLIC_MAX];

	return dh_from_private(group, priv, test_unhex(hex, priv, sizeof(priv)));
}

/* A known exchange: both public values and the secret, both ways. */
static void check_exchange(int group, const char *a_priv, const char *a_pub,
			   const char *b_priv, const char *b_pub,
			   const char *secret)
{
	struct dh_key *a = key_from_hex(group, a_priv);
	struct dh_key *b = key_from_hex(group, b_priv);
	uint8_t pa[64], pb[64], s[32];
	size_t pl = dh_public_len(group);

	CHECK(a && b);
	if (!a || !b)
		goto out;
	CHECK(dh_public(a, pa, pl) == 0 && bytes_are(pa, a_pub));
	CHECK(dh_public(b, pb, pl) == 0 && bytes_are(pb, b_pub));
	CHECK(dh_shared(a, pb, pl, s, sizeof(s)) == 0 && bytes_are(s, secret));
	CHECK(dh_shared(b, pa, pl, s, sizeof(s)) == 0 && bytes_are(s, secret));
out:
	dh_free(a);
	dh_free(b);
}

TEST(dh_x25519_rfc7748)
{
	check_exchange(DH_CURVE25519,
		"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

TEST(dh_ecp256_rfc5903)
{
	/* §8.1: i, g^i = x | y, r, g^r, and g^ir's x (§7: only x is used) */
	check_exchange(DH_ECP_256,
		"C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
		"DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
		"5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
		"C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
		"D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
		"56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
		"D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");
}

/* Two fresh keys of group agree on a secret of the right length. */
static void check_fresh_pair(int group)
{
	struct dh_key *a = dh_generate(group), *b = dh_generate(group);
	uint8_t pa[DH_PUBLIC_MAX], pb[DH_PUBLIC_MAX];
	uint8_t sa[DH_PUBLIC_MAX], sb[DH_PUBLIC_MAX];
	size_t pl = dh_public_len(group), sl = dh_secret_len(group);

	CHECK(a && b && pl && sl);
	if (a && b) {
		CHECK(dh_key_group(a) == group);
		CHECK(dh_public(a, pa, pl) == 0 && dh_public(b, pb, pl) == 0);
		CHECK(memcmp(pa, pb, pl));
		CHECK(dh_shared(a, pb, pl, sa, sl) == 0);
		CHECK(dh_shared(b, pa, pl, sb, sl) == 0);
		CHECK(!memcmp(sa, sb, sl));
		/* Our own public value is no use as the other's. */
		CHECK(dh_shared(a, pa, pl, sb, sl) == 0 && memcmp(sa, sb, sl));
	}
	dh_free(a);
	dh_free(b);
}

TEST(dh_generated_pairs_agree)
{
	check_fresh_pair(DH_CURVE25519);
	check_fresh_pair(DH_ECP_256);
	check_fresh_pair(DH_MODP_2048);
	CHECK(dh_public_len(DH_MODP_2048) == 256 &&
	      dh_secret_len(DH_MODP_2048) == 256);
	CHECK(dh_public_len(DH_ECP_256) == 64 && dh_secret_len(DH_ECP_256) == 32);
	CHECK(dh_public_len(DH_CURVE25519) == 32 &&
	      dh_secret_len(DH_CURVE25519) == 32);
}

TEST(dh_unsupported_and_misuse)
{
	static const int bad[] = { 0, 1, 2, 5, 15, 20, 21, 30, 32, 1024 };
	struct dh_key *k = dh_generate(DH_CURVE25519);
	uint8_t buf[64] = { 9 }, out[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!dh_generate(bad[i]) && !dh_public_len(bad[i]));
		CHECK(!dh_from_private(bad[i], buf, 32));
	}
	CHECK(k);
	if (!k)
		return;
	CHECK(dh_public(k, out, 31) == -EINVAL);
	CHECK(dh_public(k, out, 33) == -EINVAL);
	CHECK(dh_shared(k, buf, 32, out, 31) == -EINVAL);
	CHECK(dh_shared(k, buf, 31, out, 32) == -EINVAL);
	CHECK(dh_shared(k, buf, 33, out, 32) == -EINVAL);
	CHECK(dh_shared(k, NULL, 32, out, 32) == -EINVAL);
	CHECK(!dh_from_private(DH_CURVE25519, buf, 31));
	dh_free(k);
	dh_free(NULL);
}

/* RFC 7748 §6.1 / RFC 8031 §2.3: small-order u give an all-zero secret. */
TEST(dh_x25519_small_order_refused)
{
	static const char *const low[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	struct dh_key *k = dh_generate(DH_CURVE25519);
	uint8_t u[32], s[32];
	size_t i;

	CHECK(k);
	for (i = 0; k && i < sizeof(low) / sizeof(low[0]); i++) {
		test_unhex(low[i], u, sizeof(u));
		memset(s, 0xaa, sizeof(s));
		if (dh_shared(k, u, 32, s, 32) != -EINVAL) {
			fprintf(stderr, "    accepted u = %s\n", low[i]);
			CHECK(0);
		}
		CHECK(s[0] == 0 && !memcmp(s, s + 1, 31));	/* zeroed */
	}
	dh_free(k);
}

TEST(dh_ecp256_invalid_points_refused)
{
	/* RFC 5903 §8.1's g^r, then spoiled */
	static const char gr[] =
		"D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
		"56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB";
	/* The P-256 field prime: a coordinate must be below it. */
	static const char p256[] =
		"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
	struct dh_key *k = dh_generate(DH_ECP_256);
	uint8_t pt[65], s[32];

	CHECK(k);
	if (!k)
		return;
	test_unhex(gr, pt, sizeof(pt));
	CHECK(dh_shared(k, pt, 64, s, 32) == 0);
	pt[63] ^= 1;				/* off the curve */
	CHECK(dh_shared(k, pt, 64, s, 32) == -EINVAL);
	pt[63] ^= 1;
	pt[5] ^= 0x10;				/* x off the curve */
	CHECK(dh_shared(k, pt, 64, s, 32) == -EINVAL);
	pt[5] ^= 0x10;
	CHECK(dh_shared(k, pt, 63, s, 32) == -EINVAL);	/* short */
	CHECK(dh_shared(k, pt, 65, s, 32) == -EINVAL);	/* long */
	pt[0] = 0x04;				/* SEC1 form is not IKEv2's */
	test_unhex(gr, pt + 1, 64);
	CHECK(dh_shared(k, pt, 65, s, 32) == -EINVAL);
	memset(pt, 0, sizeof(pt));		/* "infinity" */
	CHECK(dh_shared(k, pt, 64, s, 32) == -EINVAL);
	test_unhex(p256, pt, 32);			/* x = p, unreduced */
	CHECK(dh_shared(k, pt, 64, s, 32) == -EINVAL);
	/* A private scalar of 0 or >= n is refused. */
	memset(pt, 0, 32);
	CHECK(!dh_from_private(DH_ECP_256, pt, 32));
	memset(pt, 0xff, 32);
	CHECK(!dh_from_private(DH_ECP_256, pt, 32));
	dh_free(k);
}

/* y as 256 big-endian octets. */
static void bn_to_value(const BIGNUM *y, uint8_t out[256])
{
	CHECK(BN_bn2binpad(y, out, 256) == 256);
}

/* base^e mod p (the RFC prime) as 256 octets. */
static void modp_expect(unsigned long base, const BIGNUM *e, uint8_t out[256])
{
	BIGNUM *p = NULL, *b = BN_new(), *r = BN_new();
	BN_CTX *bn = BN_CTX_new();

	CHECK(BN_hex2bn(&p, rfc3526_p) == 512 && b && r && bn);
	CHECK(BN_set_word(b, base) && BN_mod_exp(r, b, e, p, bn));
	bn_to_value(r, out);
	BN_free(p);
	BN_free(b);
	BN_free(r);
	BN_CTX_free(bn);
}

TEST(dh_modp2048_against_rfc3526_prime)
{
	/* Any fixed exponent: public = 2^x, secret with peer 4 = 4^x. */
	static const char x_hex[] =
		"0123456789abcdeffedcba9876543210a5a5a5a55a5a5a5a0f1e2d3c4b5a6978";
	uint8_t x[32], pub[256], want[256], s[256], four[256] = { 0 };
	BIGNUM *e = NULL;
	struct dh_key *k = key_from_hex(DH_MODP_2048, x_hex);

	CHECK(k && BN_hex2bn(&e, x_hex) == 64);
	if (!k || !e)
		goto out;
	test_unhex(x_hex, x, sizeof(x));
	modp_expect(2, e, want);
	CHECK(dh_public(k, pub, 256) == 0 && !memcmp(pub, want, 256));
	four[255] = 4;
	modp_expect(4, e, want);
	CHECK(dh_shared(k, four, 256, s, 256) == 0 && !memcmp(s, want, 256));
out:
	BN_free(e);
	dh_free(k);
}

TEST(dh_modp2048_padding)
{
	/* x = 1: our value is 2 and the secret with peer 2 is 2, padded. */
	uint8_t one = 1, v[256], s[256], want[256] = { 0 };
	struct dh_key *k = dh_from_private(DH_MODP_2048, &one, 1);

	want[255] = 2;
	CHECK(k);
	if (!k)
		return;
	CHECK(dh_public(k, v, 256) == 0 && !memcmp(v, want, 256));
	CHECK(dh_shared(k, want, 256, s, 256) == 0 && !memcmp(s, want, 256));
	CHECK(dh_public(k, v, 255) == -EINVAL);
	dh_free(k);
	/* The exponent must lie in 1 .. p-2 */
	memset(v, 0, sizeof(v));
	CHECK(!dh_from_private(DH_MODP_2048, v, 256));
	CHECK(!dh_from_private(DH_MODP_2048, v, 0));
	CHECK(!dh_from_private(DH_MODP_2048, v, 257));
}

/* Peer value p + delta (delta may be negative), as 256 octets or more. */
static int modp_try(struct dh_key *k, long delta, size_t len)
{
	uint8_t v[260], s[256];
	BIGNUM *y = NULL;
	int ret = -100;

	if (BN_hex2bn(&y, rfc3526_p) == 512 &&
	    (delta < 0 ? BN_sub_word(y, (BN_ULONG)-delta)
		       : BN_add_word(y, (BN_ULONG)delta)) &&
	    BN_num_bytes(y) <= (int)len && BN_bn2binpad(y, v, (int)len) > 0)
		ret = dh_shared(k, v, len, s, sizeof(s));
	BN_free(y);
	return ret;
}

TEST(dh_modp2048_validation_bounds)
{
	struct dh_key *k = dh_generate(DH_MODP_2048);
	uint8_t v[257] = { 0 }, s[256];

	CHECK(k);
	if (!k)
		return;
	CHECK(dh_shared(k, v, 256, s, 256) == -EINVAL);		/* 0 */
	v[255] = 1;
	CHECK(dh_shared(k, v, 256, s, 256) == -EINVAL);		/* 1 */
	v[255] = 2;
	CHECK(dh_shared(k, v, 256, s, 256) == 0);			/* 2 */
	CHECK(dh_shared(k, v, 255, s, 256) == -EINVAL);		/* short */
	CHECK(dh_shared(k, v, 257, s, 256) == -EINVAL);		/* long */
	CHECK(modp_try(k, -1, 256) == -EINVAL);			/* p-1 */
	CHECK(modp_try(k, 0, 256) == -EINVAL);			/* p */
	CHECK(modp_try(k, 1, 256) == -EINVAL);			/* p+1 */
	memset(v, 0xff, 256);
	CHECK(dh_shared(k, v, 256, s, 256) == -EINVAL);		/* 2^2048-1 */
	dh_free(k);
}
