// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's key schedule. prf is checked against RFC 4231's HMAC-SHA2
 * vectors. prf+ and the derivations built on it have no published
 * vectors; they are checked two ways:
 *  - against an independent prf+ written here on OpenSSL's one-shot
 *    HMAC() (a different code path from keys.c's EVP_MAC), and
 *  - against values computed by python3's hmac/hashlib from the RFC text
 *    (RFC 7296 §2.13, §2.14, §2.17, §2.18; RFC 8784 §3), with this script:
 *
 *	def prf(p, k, d): return hmac.new(k, d, H[p]).digest()
 *	def prfplus(p, k, s, n):
 *	    out, t, i = b"", b"", 1
 *	    while len(out) < n:
 *	        t = prf(p, k, t + s + bytes([i])); out += t; i += 1
 *	    return out[:n]
 *	ss = prf(p, ni + nr, gir)			# SKEYSEED
 *	km = prfplus(p, ss, ni + nr + spii + spir, 3*pl + 2*integ + 2*encr)
 *	ppk_x = prfplus(p, ppk, sk_x, pl)		# x in d, pi, pr
 *	rekey = prf(p, sk_d, gir2 + ni + nr)
 *	child = prfplus(p, sk_d, ni + nr, n); childdh: gir2 + ni + nr
 *	idi = bytes([2, 0, 0, 0]) + b"initiator.example"
 *	octets = b"RealMessage1 stand-in" + nr + prf(p, sk_pi, idi)
 *	authpsk = prf(p, prf(p, b"shared secret", b"Key Pad for IKEv2"), octets)
 *	authnull = prf(p, prf(p, sk_pi, b"Key Pad for IKEv2"), octets)
 *
 * with the inputs of struct fixture below (H = {5: sha256, 6: sha384,
 * 7: sha512}).
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "harness.h"
#include "keys.h"
#include "secmem.h"

static int eq_hex(const uint8_t *p, size_t len, const char *hex)
{
	uint8_t want[512];
	size_t n = test_unhex(hex, want, sizeof(want));

	if (n != len || !p || memcmp(p, want, len)) {
		fprintf(stderr, "    want %s (%zu octets, got %zu)\n", hex, n,
			len);
		return 0;
	}
	return 1;
}

/* RFC 4231 §4.2-4.8: key, data, HMAC-SHA-256/384/512 (case 5: 128 bits). */
static const struct {
	const char *key, *data, *mac[3];
} rfc4231[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	  { "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	    "faea9ea9076ede7f4af152e8b2fa9cb6",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
	{ "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  { "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fd" } },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd",
	  { "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	    "2a5ab39dc13814b94e3ab6e101a34f27",
	    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	    "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" } },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	  { "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	    "6801dd23c4a7d679ccf8a386c674cffb",
	    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	    "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" } },
	{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
	  "546573742057697468205472756e636174696f6e",
	  { "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
	    "415fad6271580a531d4179bc891d87a6" } },
	{ NULL /* 131 x 0xaa */,
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  { "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	    "0c2ef6ab4030fe8296248df163f44952",
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
	{ NULL,
	  "5468697320697320612074657374207573696e672061206c6172676572207468"
	  "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
	  "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
	  "647320746f20626520686173686564206265666f7265206265696e6720757365"
	  "642062792074686520484d414320616c676f726974686d2e",
	  { "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	    "a678cc31e799176d3860e6110c46523e",
	    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	    "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" } },
};

TEST(keys_prf_rfc4231)
{
	static const int prfs[3] = { IKE_PRF_HMAC_SHA2_256,
				     IKE_PRF_HMAC_SHA2_384,
				     IKE_PRF_HMAC_SHA2_512 };
	uint8_t key[131], data[256], out[IKE_PRF_MAX_LEN];
	struct ike_chunk c;
	size_t i, j, klen, want;

	for (i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		memset(key, 0xaa, sizeof(key));
		klen = rfc4231[i].key ?
			test_unhex(rfc4231[i].key, key, sizeof(key)) : 131;
		c.p = data;
		c.len = test_unhex(rfc4231[i].data, data, sizeof(data));
		for (j = 0; j < 3; j++) {
			want = strlen(rfc4231[i].mac[j]) / 2;
			CHECK(!ike_prf(prfs[j], key, klen, &c, 1, out));
			CHECK(eq_hex(out, want, rfc4231[i].mac[j]));
		}
	}
}

TEST(keys_prf_rejects)
{
	uint8_t out[IKE_PRF_MAX_LEN], k = 1;
	struct ike_chunk c = { &k, 1 };

	CHECK(ike_prf(2 /* HMAC-SHA1 */, &k, 1, &c, 1, out) == -1);
	CHECK(ike_prf(8, &k, 1, &c, 1, out) == -1);
	CHECK(ike_prf(IKE_PRF_HMAC_SHA2_256, &k, 0, &c, 1, out) == -1);
	CHECK(ike_prf_len(IKE_PRF_HMAC_SHA2_384) == 48);
	CHECK(ike_prf_len(4) == 0);
	CHECK(ike_aead_keymat_len(IKE_ENCR_AES_GCM_16, 128) == 20);
	CHECK(ike_aead_keymat_len(IKE_ENCR_AES_GCM_16, 256) == 36);
	CHECK(ike_aead_keymat_len(IKE_ENCR_AES_GCM_16, 0) == 0);
	CHECK(ike_aead_keymat_len(IKE_ENCR_CHACHA20_POLY1305, 0) == 36);
	CHECK(ike_aead_keymat_len(IKE_ENCR_CHACHA20_POLY1305, 128) == 0);
	CHECK(ike_aead_keymat_len(12 /* AES-CBC */, 128) == 0);
}

/* prf+ the long way: one buffer per block through OpenSSL's HMAC(). */
static void ref_prf_plus(const EVP_MD *md, const uint8_t *k, size_t klen,
			 const uint8_t *s, size_t slen, uint8_t *out,
			 size_t len)
{
	uint8_t in[IKE_PRF_MAX_LEN + 600], t[IKE_PRF_MAX_LEN];
	size_t hl = (size_t)EVP_MD_get_size(md), tl = 0, done = 0, n;
	unsigned int ol;
	int i;

	for (i = 1; done < len; i++) {
		memcpy(in, t, tl);
		memcpy(in + tl, s, slen);
		in[tl + slen] = (uint8_t)i;
		HMAC(md, k, (int)klen, in, tl + slen + 1, t, &ol);
		tl = hl;
		n = len - done < hl ? len - done : hl;
		memcpy(out + done, t, n);
		done += n;
	}
}

TEST(keys_prf_plus_matches_reference)
{
	static const int prfs[3] = { IKE_PRF_HMAC_SHA2_256,
				     IKE_PRF_HMAC_SHA2_384,
				     IKE_PRF_HMAC_SHA2_512 };
	const EVP_MD *mds[3] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
	static uint8_t got[255 * 64 + 1], want[255 * 64];
	uint8_t seed[80], key[40];
	struct ike_chunk parts[3] = {
		{ seed, 10 }, { seed + 10, 0 }, { seed + 10, 70 },
	};
	size_t i, j, hl, lens[6];

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i * 31 + 7);
	memset(key, 0x5c, sizeof(key));
	for (i = 0; i < 3; i++) {
		hl = ike_prf_len(prfs[i]);
		lens[0] = 1, lens[1] = hl, lens[2] = hl + 1;
		lens[3] = 3 * hl + 17, lens[4] = 255 * hl, lens[5] = 100;
		for (j = 0; j < 6; j++) {
			memset(got, 0, sizeof(got));
			CHECK(!ike_prf_plus(prfs[i], key, sizeof(key), parts, 3,
					    got, lens[j]));
			ref_prf_plus(mds[i], key, sizeof(key), seed, 80, want,
				     lens[j]);
			CHECK(!memcmp(got, want, lens[j]));
			CHECK(got[lens[j]] == 0);	/* nothing past len */
		}
		/* At most 255 blocks (§2.13). */
		CHECK(ike_prf_plus(prfs[i], key, sizeof(key), parts, 3, got,
				   255 * hl + 1) == -1);
	}
}

TEST(keys_prf_plus_python)
{
	struct ike_chunk seed = { (const uint8_t *)"seed", 4 };
	uint8_t out[100];

	CHECK(!ike_prf_plus(IKE_PRF_HMAC_SHA2_256, (const uint8_t *)"key", 3,
			    &seed, 1, out, sizeof(out)));
	CHECK(eq_hex(out, sizeof(out),
		     "a2392e429a99b173341b368bb5ce320bfd483d89567c14ec187c2d77e3"
		     "c0a208ba45d21d42611712996c0cd4b329ac8681e093a8a5bbbbf0fb8c9d"
		     "1cf674f7423fe3d2fbd6641ff544749daa37804f04be0b1beba59ddc3867"
		     "c3016209779fa74e8b8654"));
}

/* The inputs of the python-computed vectors. */
struct fixture {
	uint8_t ni[32], nr[32], gir[32], gir2[256];
	uint8_t spi_i[8], spi_r[8];
	struct ike_chunk cni, cnr, cgir, cgir2;
};

static void fixture_init(struct fixture *f)
{
	static const uint8_t si[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t sr[8] = { 0x11, 0x12, 0x13, 0x14,
				       0x15, 0x16, 0x17, 0x18 };
	size_t i;

	for (i = 0; i < 32; i++) {
		f->ni[i] = (uint8_t)i;
		f->nr[i] = (uint8_t)(0x40 + i);
		f->gir[i] = (uint8_t)(i * 7 + 3);
	}
	for (i = 0; i < 256; i++)
		f->gir2[i] = (uint8_t)(i * 13 + 1);
	memcpy(f->spi_i, si, 8);
	memcpy(f->spi_r, sr, 8);
	f->cni = (struct ike_chunk){ f->ni, 32 };
	f->cnr = (struct ike_chunk){ f->nr, 32 };
	f->cgir = (struct ike_chunk){ f->gir, 32 };
	f->cgir2 = (struct ike_chunk){ f->gir2, 256 };
}

static const uint8_t ppk[] = "a post-quantum preshared key, 32+";

/* Derives an IKE SA's keys from the fixture. */
static int derive(struct fixture *f, struct ike_sa_keys *k, int prf,
		  size_t integ, size_t encr, const char *want_skeyseed)
{
	uint8_t *ss;
	int ret;

	fixture_init(f);
	ss = ike_skeyseed(prf, &f->cni, &f->cnr, &f->cgir);
	CHECK(ss && secmem_len(ss) == ike_prf_len(prf));
	CHECK(eq_hex(ss, ike_prf_len(prf), want_skeyseed));
	ret = ss ? ike_sa_keys_derive(k, prf, ss, &f->cni, &f->cnr, f->spi_i,
				      f->spi_r, integ, encr) : -1;
	secmem_free(ss);
	return ret;
}

TEST(keys_ike_sa_sha256_gcm128)
{
	struct ike_sa_keys k;
	struct fixture f;

	CHECK(!derive(&f, &k, IKE_PRF_HMAC_SHA2_256, 0,
		      ike_aead_keymat_len(IKE_ENCR_AES_GCM_16, 128),
		      "5680850d52f6a5788fed3ab137d7a35753a647e47e1652d753eff0f3"
		      "3f6121b4"));
	CHECK(k.sk_ai == NULL && k.sk_ar == NULL && k.encr_len == 20);
	CHECK(eq_hex(k.sk_d, k.prf_len, "1bd21491cd116013e05e03a6188fe6180a0545"
		     "94a4fb06687fcd0b85f52bbda8"));
	CHECK(eq_hex(k.sk_ei, k.encr_len,
		     "8c9e65e5e3202565340d6dbd4103998ff8059835"));
	CHECK(eq_hex(k.sk_er, k.encr_len,
		     "90da3d30f962c313f0dcf884f91d1cd27ebc6b0b"));
	CHECK(eq_hex(k.sk_pi, k.prf_len, "761594101d244448ca4382d36f0beb124725b8"
		     "f96f49f31343abd96212cf9474"));
	CHECK(eq_hex(k.sk_pr, k.prf_len, "907b7ea9fa7791bc54421b968adfb82b04c807"
		     "6abab1ab7264c3868cb2ae1178"));
	CHECK(secmem_len(k.sk_ei) == 20 && secmem_len(k.sk_d) == 32);
	/* RFC 8784 §3: SK_d, SK_pi, SK_pr re-derived; SK_e untouched. */
	CHECK(!ike_sa_keys_apply_ppk(&k, ppk, sizeof(ppk) - 1));
	CHECK(eq_hex(k.sk_d, k.prf_len, "8d888b366fe541384cf4009452080f01b37d81"
		     "93b36a0b0344b41081b86f8390"));
	CHECK(eq_hex(k.sk_pi, k.prf_len, "1564bbe0889cc2967afe6660349a6c406f8140"
		     "e16e34a55b896f7f711e2b92c1"));
	CHECK(eq_hex(k.sk_pr, k.prf_len, "389089a4d65e9a6e261aff94dabc22ab988768"
		     "f7a8700167fdd1116d91b3c6cc"));
	CHECK(eq_hex(k.sk_ei, k.encr_len,
		     "8c9e65e5e3202565340d6dbd4103998ff8059835"));
	CHECK(ike_sa_keys_apply_ppk(&k, ppk, 0) == -1);
	ike_sa_keys_free(&k);
	CHECK(k.sk_d == NULL && k.sk_pr == NULL);
}

TEST(keys_ike_sa_sha512_chacha)
{
	struct ike_sa_keys k;
	struct fixture f;

	CHECK(!derive(&f, &k, IKE_PRF_HMAC_SHA2_512, 0,
		      ike_aead_keymat_len(IKE_ENCR_CHACHA20_POLY1305, 0),
		      "53c55c4551c6d199bebe1f7d5aa24c2691927007643e3b7f21e26e17"
		      "0591f8b314da73b687992c1092c860a2dbaec65c8b2efd13a3a58297"
		      "b32528bd4a8e08bc"));
	CHECK(eq_hex(k.sk_ei, k.encr_len, "3df838ed9b5bb5142384306e2b9c8769ee2c"
		     "f200e6262371e68ac1458094f28254f3237b"));
	CHECK(eq_hex(k.sk_er, k.encr_len, "b72ac0ab7049f4baa5e6adc64aa23eb9d500"
		     "147962edc0fd62fb8fa2857ffeb95382d769"));
	CHECK(eq_hex(k.sk_pr, k.prf_len, "bdf06dcece7bd831142c3ca9f3a001ee35b66a"
		     "b7e305af8fbbe253e7a041bdbbffcea3393f42eb4be90d7988f39cff61"
		     "1be0c3bda01bf21a9e76edd01666ca9d"));
	CHECK(!ike_sa_keys_apply_ppk(&k, ppk, sizeof(ppk) - 1));
	CHECK(eq_hex(k.sk_d, k.prf_len, "a18f724bc5ead89d8dc2d23582a37aebfd9ed3"
		     "efe5e912cdc8a83e326c4826c3484bee4f1fefb32e563dcddbaae5a4bc"
		     "3b915b4cc833c2ea7318b4633b7b280a"));
	ike_sa_keys_free(&k);
}

/* A non-AEAD suite, so SK_ai/SK_ar sit between SK_d and SK_ei. */
TEST(keys_ike_sa_sha384_integ_rekey_child)
{
	struct ike_child_keys ck;
	struct ike_sa_keys k;
	struct fixture f;
	uint8_t *ss;

	CHECK(!derive(&f, &k, IKE_PRF_HMAC_SHA2_384, 48, 36,
		      "cf666cd671b307d938c15977c0b6cf7a72f2ce0e1615df8bbcdeb1c4"
		      "56fef2856c3937ec7561b5ea654c000ed9f2f3c7"));
	CHECK(eq_hex(k.sk_ai, 48, "fc96f7306f0c6ee09c73d2553f7fcd512e633c9c551a"
		     "c935ba6dbcdcc3167c96ee4906595757fdbe817a9bb3395dbb91"));
	CHECK(eq_hex(k.sk_ar, 48, "9343d3efe944db1205eddc47747100c5ca66acf630e2"
		     "2cc7627cb0c2209701b5c8fa77812d6010cff48e4af181870de7"));
	CHECK(eq_hex(k.sk_ei, 36, "e4c780c6e4de6dd15e61eaa9ae9c7fecb988ea567b57"
		     "e8344e20e147f26fa13e1a2e8892"));
	/* §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). */
	ss = ike_skeyseed_rekey(k.prf, k.sk_d, k.prf_len, &f.cgir2, &f.cni,
				&f.cnr);
	CHECK(eq_hex(ss, 48, "bf25e4ea0d7873b081f4181d0e48349bfd2b59a3e661cd43"
		     "037dbfbc9bc4db23ae702fbfcfefcd130267b73abba9ca59"));
	secmem_free(ss);
	/* §2.17 with a new DH: enc 16 + integ 32 per direction. */
	CHECK(!ike_child_keys_derive(&ck, k.prf, k.sk_d, k.prf_len, &f.cgir2,
				     &f.cni, &f.cnr, 16, 32));
	CHECK(eq_hex(ck.ei, 16, "e7020628a2d798ee11e384f064bcfa97"));
	CHECK(eq_hex(ck.ai, 32, "cae28f0a9e9ceb2532aaf9dd9940443f1e346ec496b87f"
		     "5a43404d522776818e"));
	CHECK(eq_hex(ck.er, 16, "db4018ca45148e71a48a01128f7aa48b"));
	CHECK(eq_hex(ck.ar, 32, "6247946a339503738b4b4cdbf9a0ad08616e78868ed75c"
		     "e0f48333ede0c85340"));
	ike_child_keys_free(&ck);
	ike_sa_keys_free(&k);
}

TEST(keys_child_no_dh_aead)
{
	struct ike_child_keys ck;
	struct ike_sa_keys k;
	struct fixture f;

	CHECK(!derive(&f, &k, IKE_PRF_HMAC_SHA2_256, 0, 20,
		      "5680850d52f6a5788fed3ab137d7a35753a647e47e1652d753eff0f3"
		      "3f6121b4"));
	/* KEYMAT = prf+(SK_d, Ni | Nr): two 36-octet AEAD keys, no integ. */
	CHECK(!ike_child_keys_derive(&ck, k.prf, k.sk_d, k.prf_len, NULL,
				     &f.cni, &f.cnr, 36, 0));
	CHECK(ck.ai == NULL && ck.ar == NULL);
	CHECK(eq_hex(ck.ei, 36, "0cb742ce315f288ccfd294d24bd7d85c972d3e2a0c6313"
		     "ee9926042dd73ff8b7d3bb0ffd"));
	CHECK(eq_hex(ck.er, 36, "97e8ec868cd22056facb29b97c062087c62c3d32b1526c"
		     "e7b6b899634ee07efc239503f7"));
	CHECK(secmem_len(ck.er) == 36);
	ike_child_keys_free(&ck);
	CHECK(ike_child_keys_derive(&ck, k.prf, k.sk_d, k.prf_len, NULL,
				    &f.cni, &f.cnr, 0, 0) == -1);
	ike_sa_keys_free(&k);
}

TEST(keys_derive_rejects)
{
	struct ike_sa_keys k;
	struct fixture f;
	uint8_t ss[32] = { 1 }, big[300] = { 0 };
	struct ike_chunk huge = { big, 257 };

	fixture_init(&f);
	CHECK(ike_sa_keys_derive(&k, 3, ss, &f.cni, &f.cnr, f.spi_i, f.spi_r,
				 0, 20) == -1);
	CHECK(k.sk_d == NULL);
	CHECK(ike_sa_keys_derive(&k, IKE_PRF_HMAC_SHA2_256, ss, &f.cni,
				 &f.cnr, f.spi_i, f.spi_r, 0, 0) == -1);
	/* Nonces are at most 256 octets (§3.9). */
	CHECK(ike_skeyseed(IKE_PRF_HMAC_SHA2_256, &huge, &f.cnr,
			   &f.cgir) == NULL);
	CHECK(ike_skeyseed(1, &f.cni, &f.cnr, &f.cgir) == NULL);
	CHECK(ike_skeyseed_rekey(1, ss, 32, &f.cgir, &f.cni, &f.cnr) == NULL);
}

/* RFC 7296 §2.15 (PSK) and RFC 7619 §3 (NULL: SK_pi as the secret). */
static void check_auth(int prf, size_t encr, const char *skeyseed,
		       const char *psk_hex, const char *null_hex)
{
	static const char idi[] = "\x02\x00\x00\x00initiator.example";
	static const char msg[] = "RealMessage1 stand-in";
	uint8_t out[IKE_PRF_MAX_LEN], first[IKE_PRF_MAX_LEN];
	struct ike_signed_octets so;
	struct ike_sa_keys k;
	struct fixture f;
	size_t pl = ike_prf_len(prf);

	CHECK(!derive(&f, &k, prf, 0, encr, skeyseed));
	so = (struct ike_signed_octets){
		{ (const uint8_t *)msg, sizeof(msg) - 1 }, f.cnr,
		{ (const uint8_t *)idi, sizeof(idi) - 1 }, k.sk_pi, k.prf_len,
	};
	CHECK(!ike_auth_psk(prf, (const uint8_t *)"shared secret", 13, &so,
			    out));
	CHECK(eq_hex(out, pl, psk_hex));
	CHECK(!ike_auth_null(prf, &so, out));
	CHECK(eq_hex(out, pl, null_hex));
	memcpy(first, out, pl);
	/* The responder's key gives a different AUTH. */
	so.sk_p = k.sk_pr;
	CHECK(!ike_auth_null(prf, &so, out));
	CHECK(memcmp(out, first, pl) != 0);
	CHECK(ike_auth_psk(1, (const uint8_t *)"x", 1, &so, out) == -1);
	ike_sa_keys_free(&k);
}

TEST(keys_auth_psk_null)
{
	uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 3, 5 };

	check_auth(IKE_PRF_HMAC_SHA2_256, 20,
		   "5680850d52f6a5788fed3ab137d7a35753a647e47e1652d753eff0f3"
		   "3f6121b4",
		   "d6d52fbe0c6786cb4f955cdc2b78fe6a812fdc2128dc880a98e5044fc8"
		   "e15aba",
		   "da487c42bbd545bb142585e17547786dedfe11f7a9e04e054c3ab3218e"
		   "004b06");
	check_auth(IKE_PRF_HMAC_SHA2_512, 36,
		   "53c55c4551c6d199bebe1f7d5aa24c2691927007643e3b7f21e26e17"
		   "0591f8b314da73b687992c1092c860a2dbaec65c8b2efd13a3a58297"
		   "b32528bd4a8e08bc",
		   "d4fa50c7f53cb73a53694ae2e65ff62376f15fa7cef6b1cc8314171"
		   "41fd882202637ed932be285190050df68d992dfb5bed3f7c7523ecd57"
		   "8cf1ca7e2b42090f",
		   "7e2d5a492bb6fd5307fd4d24bc31ca59bfe1a5e477e0f07b41a4f5846"
		   "b0af8a665f5739112c8d134ef6df5319199d53328e73c8f4b93baa874"
		   "bb529c2bedc5e2");
	CHECK(ike_auth_equal(a, a, 4) && !ike_auth_equal(a, b, 4));
	CHECK(!ike_auth_equal(a, a, 0));
}
