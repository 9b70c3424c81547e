// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's SK/SKF protection (userspace/moatd/sk.c): the AEADs against
 * published vectors through the same EVP path, whole messages against an
 * independent construction, round trips, and every tampered or truncated
 * message refused.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "harness.h"
#include "keys.h"
#include "sk.h"

#define MSG_MAX 2048

struct kat {
	int encr;
	unsigned int bits;
	const char *key, *nonce, *aad, *pt, *ct, *tag;
};

/*
 * AES-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)",
 * test cases 4 (AES-128) and 16 (AES-256), 60-octet plaintext with
 * 20 octets of AAD. ChaCha20-Poly1305: RFC 8439 §2.8.2, whose nonce
 * 07000000 | 4041424344454647 is exactly salt | IV.
 */
static const char gcm_pt[] =
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const struct kat kats[] = {
	{ IKE_ENCR_AES_GCM_16, 128, "feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  gcm_pt,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ IKE_ENCR_AES_GCM_16, 256,
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  gcm_pt,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	{ IKE_ENCR_CHACHA20_POLY1305, 256,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
	  "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	  "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	  "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	  "637265656e20776f756c642062652069742e",
	  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b6116",
	  "1ae10b594f09e26a7e902ecbd0600691" },
};

/* SK_e = key | salt, where the salt is the nonce's first 4 octets. */
static struct sk_key *kat_key(const struct kat *t, uint8_t nonce[12])
{
	uint8_t km[SK_KEY_MAX + SK_SALT_LEN];
	size_t kl = test_unhex(t->key, km, SK_KEY_MAX);

	test_unhex(t->nonce, nonce, 12);
	memcpy(km + kl, nonce, SK_SALT_LEN);
	return sk_key_new(t->encr, t->bits, km, kl + SK_SALT_LEN);
}

static void check_kat(const struct kat *t)
{
	uint8_t nonce[12], aad[32], pt[128], ct[128], want[128], tag[16];
	uint8_t wtag[16], back[128];
	struct sk_key *k = kat_key(t, nonce);
	size_t al = test_unhex(t->aad, aad, sizeof(aad));
	size_t pl = test_unhex(t->pt, pt, sizeof(pt));
	struct sk_aead_op op = { nonce + 4, aad, al, pt, ct, pl, tag };

	CHECK(k && test_unhex(t->ct, want, sizeof(want)) == pl);
	test_unhex(t->tag, wtag, sizeof(wtag));
	CHECK(k && sk_seal(k, &op) == 0);
	CHECK(!memcmp(ct, want, pl) && !memcmp(tag, wtag, 16));
	op.in = ct;
	op.out = back;
	CHECK(k && sk_open(k, &op) == 0 && !memcmp(back, pt, pl));
	tag[15] ^= 1;
	CHECK(k && sk_open(k, &op) == -EBADMSG);
	CHECK(back[0] == 0 && !memcmp(back, back + 1, pl - 1));	/* wiped */
	sk_key_free(k);
}

TEST(sk_aead_known_answers)
{
	size_t i;

	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		check_kat(&kats[i]);
}

TEST(sk_key_sizes)
{
	uint8_t km[40] = { 1 };

	CHECK(sk_keymat_len(IKE_ENCR_AES_GCM_16, 128) == 20);
	CHECK(sk_keymat_len(IKE_ENCR_AES_GCM_16, 256) == 36);
	CHECK(sk_keymat_len(IKE_ENCR_CHACHA20_POLY1305, 256) == 36);
	CHECK(!sk_keymat_len(IKE_ENCR_AES_GCM_16, 192));
	CHECK(!sk_keymat_len(IKE_ENCR_CHACHA20_POLY1305, 128));
	CHECK(!sk_keymat_len(12, 128) && !sk_keymat_len(19, 128));
	CHECK(!sk_key_new(IKE_ENCR_AES_GCM_16, 128, km, 16));
	CHECK(!sk_key_new(IKE_ENCR_AES_GCM_16, 128, km, 36));
	CHECK(!sk_key_new(IKE_ENCR_AES_GCM_16, 192, km, 28));
	CHECK(!sk_key_new(IKE_ENCR_AES_GCM_16, 128, NULL, 20));
	sk_key_free(NULL);
}

/* The three suites the tests run through, keyed from a pattern. */
static struct sk_key *suite_key(int which)
{
	static const int encr[] = { IKE_ENCR_AES_GCM_16, IKE_ENCR_AES_GCM_16,
				    IKE_ENCR_CHACHA20_POLY1305 };
	static const unsigned int bits[] = { 128, 256, 256 };
	uint8_t km[SK_KEY_MAX + SK_SALT_LEN];
	size_t i, n = sk_keymat_len(encr[which], bits[which]);

	for (i = 0; i < n; i++)
		km[i] = (uint8_t)(0x30 + 7 * i + which);
	return sk_key_new(encr[which], bits[which], km, n);
}

/*
 * A message up to its SK/SKF header: IKE header (next = PS), a 20-octet
 * Puzzle Solution in clear, then SK (next = N) or SKF 2 of 3. The lengths
 * are left zero: sk_protect fills them in.
 */
static size_t build_head(uint8_t *buf, int frag)
{
	size_t off = 0;

	memset(buf, 0, 64);
	memcpy(buf, "\x11\x22\x33\x44\x55\x66\x77\x88"
		    "\x99\xaa\xbb\xcc\xdd\xee\xff\x01", 16);
	buf[16] = 54;			/* Next Payload: PS */
	buf[17] = 0x20;			/* version 2.0 */
	buf[18] = 35;			/* IKE_AUTH */
	buf[19] = 0x08;			/* I */
	buf[23] = 1;			/* Message ID */
	off = 28;
	buf[off] = frag ? 53 : 46;	/* PS -> SK/SKF */
	buf[off + 3] = 20;
	memset(buf + off + 4, 0x5a, 16);
	off += 20;
	buf[off] = 41;			/* first inner payload: N */
	off += 4;
	if (frag) {
		buf[off + 1] = 2;	/* Fragment Number */
		buf[off + 3] = 3;	/* Total Fragments */
		off += 4;
	}
	return off;
}

/* Protects inner (len octets) with pad; the message length or error. */
static long protect(struct sk_key *k, uint64_t *ctr, int frag, uint8_t *buf,
		    const uint8_t *inner, size_t len, size_t pad)
{
	struct sk_pos pos = { build_head(buf, frag), frag };

	return sk_protect(k, ctr, &pos, buf, MSG_MAX, inner, len, pad);
}

static long unprotect(struct sk_key *k, int frag, const uint8_t *msg,
		      size_t len, uint8_t *out)
{
	struct sk_pos pos = { frag ? 56 : 52, frag };

	return sk_unprotect(k, &pos, msg, len, out, MSG_MAX);
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i * 13);
}

static void check_round_trip(int which, int frag, size_t len, size_t pad)
{
	static uint8_t msg[MSG_MAX], inner[MSG_MAX], out[MSG_MAX];
	struct sk_key *k = suite_key(which);
	uint64_t ctr = 0x0102030405060708ULL;
	size_t aad = frag ? 56 : 52, total = aad + SK_OVERHEAD + len + pad;
	long n;

	fill(inner, len, (unsigned int)(len + pad));
	n = protect(k, &ctr, frag, msg, inner, len, pad);
	CHECK(n == (long)total && ctr == 0x0102030405060709ULL);
	/* Lengths filled in; IV is the counter, big-endian. */
	CHECK(msg[24] == 0 && msg[25] == 0 && msg[26] == (total >> 8) &&
	      msg[27] == (total & 0xff));
	CHECK(((size_t)msg[50] << 8 | msg[51]) == total - 48);
	CHECK(!memcmp(msg + aad, "\x01\x02\x03\x04\x05\x06\x07\x08", 8));
	CHECK(len < 16 || memcmp(msg + aad + 8, inner, len));	/* encrypted */
	CHECK(unprotect(k, frag, msg, total, out) == (long)len);
	CHECK(!memcmp(out, inner, len));
	sk_key_free(k);
}

TEST(sk_round_trip)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 200, 1500 };
	static const size_t pads[] = { 0, 1, 7, 255 };
	size_t l, p;
	int which, frag;

	for (which = 0; which < 3; which++)
		for (frag = 0; frag < 2; frag++)
			for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
				for (p = 0; p < sizeof(pads) / sizeof(pads[0]);
				     p++)
					check_round_trip(which, frag, lens[l],
							 pads[p]);
}

/* The AEAD by hand with EVP: nonce = salt | IV, AAD as given. */
static void ref_seal(const char *cipher, const uint8_t *km, size_t klen,
		     const uint8_t *iv, const uint8_t *aad, size_t alen,
		     const uint8_t *pt, size_t plen, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int n;

	memcpy(nonce, km + klen, 4);
	memcpy(nonce + 4, iv, 8);
	CHECK(c && EVP_EncryptInit_ex2(c, EVP_get_cipherbyname(cipher), km,
				       nonce, NULL) > 0);
	CHECK(EVP_EncryptUpdate(c, NULL, &n, aad, (int)alen) > 0);
	CHECK(EVP_EncryptUpdate(c, out, &n, pt, (int)plen) > 0);
	CHECK(EVP_EncryptFinal_ex(c, out + plen, &n) > 0);
	CHECK(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + plen) >
	      0);
	EVP_CIPHER_CTX_free(c);
}

/*
 * The whole message, built independently: the AAD is everything before
 * the IV -- header, the PS payload in clear, the SK header or (SKF) the
 * header with Fragment Number and Total Fragments -- and the plaintext is
 * inner | zero padding | Pad Length.
 */
static void check_independent(int frag)
{
	uint8_t msg[256], want[256], pt[64], km[20];
	uint8_t inner[] = { 0, 0, 0, 8, 0, 0, 0x40, 0x02 };
	struct sk_key *k;
	uint64_t ctr = 42;
	size_t i, aad = frag ? 56 : 52, plen = sizeof(inner) + 3 + 1;
	size_t total = aad + 8 + plen + 16;

	for (i = 0; i < sizeof(km); i++)
		km[i] = (uint8_t)(0xa0 + i);
	k = sk_key_new(IKE_ENCR_AES_GCM_16, 128, km, sizeof(km));
	CHECK(protect(k, &ctr, frag, msg, inner, sizeof(inner), 3) ==
	      (long)total);
	build_head(want, frag);
	want[27] = (uint8_t)total;
	want[51] = (uint8_t)(total - 48);
	memcpy(want + aad, "\0\0\0\0\0\0\0\x2a", 8);
	memset(pt, 0, sizeof(pt));
	memcpy(pt, inner, sizeof(inner));
	pt[plen - 1] = 3;
	ref_seal("AES-128-GCM", km, 16, want + aad, want, aad, pt, plen,
		 want + aad + 8);
	CHECK(!memcmp(msg, want, total));
	sk_key_free(k);
}

TEST(sk_matches_independent_construction)
{
	check_independent(0);
	check_independent(1);
}

/* Every single-octet change anywhere in the message is refused. */
static void check_tamper(int which, int frag)
{
	static uint8_t msg[MSG_MAX], out[MSG_MAX];
	uint8_t inner[40];
	struct sk_key *k = suite_key(which);
	uint64_t ctr = 7;
	long n, bad = 0;
	size_t i;
	int bit;

	fill(inner, sizeof(inner), 3);
	n = protect(k, &ctr, frag, msg, inner, sizeof(inner), 5);
	CHECK(n > 0 && unprotect(k, frag, msg, (size_t)n, out) == 40);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			msg[i] ^= (uint8_t)(1 << bit);
			if (unprotect(k, frag, msg, (size_t)n, out) != -EBADMSG)
				bad++;
			msg[i] ^= (uint8_t)(1 << bit);
		}
	}
	CHECK(bad == 0);
	CHECK(unprotect(k, frag, msg, (size_t)n, out) == 40);
	sk_key_free(k);
}

TEST(sk_tamper_every_octet)
{
	int which, frag;

	for (which = 0; which < 3; which++)
		for (frag = 0; frag < 2; frag++)
			check_tamper(which, frag);
}

/* A cut message is refused, with or without its lengths fixed up. */
static void check_truncation(int which, int frag)
{
	static uint8_t msg[MSG_MAX], cut[MSG_MAX], out[MSG_MAX];
	uint8_t inner[24];
	struct sk_key *k = suite_key(which);
	uint64_t ctr = 0;
	size_t i, start = 48;
	long n, bad = 0;

	fill(inner, sizeof(inner), 9);
	n = protect(k, &ctr, frag, msg, inner, sizeof(inner), 0);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		memcpy(cut, msg, i);
		if (unprotect(k, frag, cut, i, out) != -EBADMSG)
			bad++;
		if (i < start + 4)
			continue;
		cut[26] = (uint8_t)(i >> 8);
		cut[27] = (uint8_t)i;
		cut[start + 2] = (uint8_t)((i - start) >> 8);
		cut[start + 3] = (uint8_t)(i - start);
		if (unprotect(k, frag, cut, i, out) != -EBADMSG)
			bad++;
	}
	CHECK(n > 0 && bad == 0);
	sk_key_free(k);
}

TEST(sk_truncation_every_length)
{
	int which, frag;

	for (which = 0; which < 3; which++)
		for (frag = 0; frag < 2; frag++)
			check_truncation(which, frag);
}

/*
 * A message sealed with pt as the whole plaintext (Pad Length included),
 * its IKE Length and SK Payload Length off by dl (0: right).
 */
static size_t seal_len(struct sk_key *k, uint8_t *msg, const uint8_t *pt,
		       size_t plen, int dl_ike, int dl_sk)
{
	size_t aad = build_head(msg, 0), total = aad + 8 + plen + 16;
	struct sk_aead_op op = { msg + aad, msg, aad, pt, msg + aad + 8,
				 plen, msg + aad + 8 + plen };
	size_t ike_len = total + (size_t)dl_ike;
	size_t sk_len = total - 48 + (size_t)dl_sk;

	msg[26] = (uint8_t)(ike_len >> 8);
	msg[27] = (uint8_t)ike_len;
	msg[50] = (uint8_t)(sk_len >> 8);
	msg[51] = (uint8_t)sk_len;
	memset(msg + aad, 0x33, 8);
	CHECK(sk_seal(k, &op) == 0);
	return total;
}

static size_t seal_raw(struct sk_key *k, uint8_t *msg, const uint8_t *pt,
		       size_t plen)
{
	return seal_len(k, msg, pt, plen, 0, 0);
}

/* Length fields that disagree with the datagram, under a valid ICV. */
TEST(sk_length_fields_checked)
{
	static uint8_t msg[MSG_MAX], out[MSG_MAX];
	static const int dl[][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 },
				     { 256, 0 }, { 0, 256 } };
	uint8_t pt[20] = { 0 };
	struct sk_key *k = suite_key(2);
	size_t i, n;

	n = seal_len(k, msg, pt, sizeof(pt), 0, 0);
	CHECK(unprotect(k, 0, msg, n, out) == 19);
	for (i = 0; i < sizeof(dl) / sizeof(dl[0]); i++) {
		n = seal_len(k, msg, pt, sizeof(pt), dl[i][0], dl[i][1]);
		CHECK(unprotect(k, 0, msg, n, out) == -EBADMSG);
	}
	sk_key_free(k);
}

TEST(sk_pad_length_checked)
{
	static uint8_t msg[MSG_MAX], out[MSG_MAX];
	uint8_t pt[50] = { 0 };
	struct sk_key *k = suite_key(0);
	size_t n;

	pt[49] = 49;			/* all padding: no inner payloads */
	n = seal_raw(k, msg, pt, sizeof(pt));
	CHECK(unprotect(k, 0, msg, n, out) == 0);
	pt[49] = 50;			/* one more than there is */
	n = seal_raw(k, msg, pt, sizeof(pt));
	memset(out, 0x77, sizeof(pt));
	CHECK(unprotect(k, 0, msg, n, out) == -EBADMSG);
	CHECK(out[0] == 0 && !memcmp(out, out + 1, sizeof(pt) - 1));
	pt[49] = 255;
	n = seal_raw(k, msg, pt, sizeof(pt));
	CHECK(unprotect(k, 0, msg, n, out) == -EBADMSG);
	pt[0] = 1;			/* only a Pad Length octet, of 1 */
	n = seal_raw(k, msg, pt, 1);
	CHECK(unprotect(k, 0, msg, n, out) == -EBADMSG);
	pt[0] = 0;
	n = seal_raw(k, msg, pt, 1);
	CHECK(unprotect(k, 0, msg, n, out) == 0);
	sk_key_free(k);
}

TEST(sk_iv_counter)
{
	static uint8_t a[MSG_MAX], b[MSG_MAX];
	struct sk_key *k = suite_key(2);
	uint64_t ctr = UINT64_MAX - 1;
	uint8_t inner[4] = { 1, 2, 3, 4 };
	long n;

	n = protect(k, &ctr, 0, a, inner, 4, 0);
	CHECK(n > 0 && ctr == UINT64_MAX);
	CHECK(!memcmp(a + 52, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8));
	CHECK(protect(k, &ctr, 0, b, inner, 4, 0) == -EOVERFLOW);
	CHECK(ctr == UINT64_MAX);
	ctr = 0;
	CHECK(protect(k, &ctr, 0, a, inner, 4, 0) == n);
	CHECK(protect(k, &ctr, 0, b, inner, 4, 0) == n && ctr == 2);
	CHECK(memcmp(a + 52, b + 52, 8) && memcmp(a + 60, b + 60, 4));
	sk_key_free(k);
}

TEST(sk_bad_arguments)
{
	static uint8_t msg[MSG_MAX], out[MSG_MAX];
	struct sk_key *k = suite_key(0);
	uint8_t inner[8] = { 0 };
	struct sk_pos pos = { 31, 0 };
	uint64_t ctr = 0;
	long n;

	build_head(msg, 0);
	CHECK(sk_protect(k, &ctr, &pos, msg, MSG_MAX, inner, 8, 0) == -EINVAL);
	pos.aad_len = 52;
	CHECK(sk_protect(k, &ctr, &pos, msg, MSG_MAX, inner, 8, 256) ==
	      -EINVAL);
	CHECK(sk_protect(k, &ctr, &pos, msg, 52 + 8 + 8 + 16, inner, 8, 0) ==
	      -ENOSPC);
	CHECK(sk_protect(k, &ctr, &pos, msg, MSG_MAX, inner, 65536, 0) ==
	      -ENOSPC);
	CHECK(ctr == 0);		/* nothing spent */
	n = sk_protect(k, &ctr, &pos, msg, 52 + 8 + 9 + 16, inner, 8, 0);
	CHECK(n == 85 && ctr == 1);
	CHECK(sk_unprotect(k, &pos, msg, (size_t)n, out, 8) == -ENOSPC);
	CHECK(sk_unprotect(k, &pos, msg, (size_t)n, out, 9) == 8);
	pos.aad_len = 31;
	CHECK(sk_unprotect(k, &pos, msg, (size_t)n, out, 64) == -EBADMSG);
	/* SKF: Fragment Number 0, or above Total Fragments */
	build_head(msg, 1);
	pos.aad_len = 56;
	pos.frag = 1;
	msg[53] = 0;
	CHECK(sk_protect(k, &ctr, &pos, msg, MSG_MAX, inner, 8, 0) == -EINVAL);
	msg[53] = 4;
	CHECK(sk_protect(k, &ctr, &pos, msg, MSG_MAX, inner, 8, 0) == -EINVAL);
	msg[53] = 3;
	CHECK(sk_protect(k, &ctr, &pos, msg, MSG_MAX, inner, 8, 0) > 0);
	sk_key_free(k);
}

TEST(sk_fragment_fields_authenticated)
{
	static uint8_t msg[MSG_MAX], out[MSG_MAX];
	struct sk_key *k = suite_key(1);
	uint8_t inner[16] = { 0 };
	uint64_t ctr = 0;
	long n = protect(k, &ctr, 1, msg, inner, 16, 0);

	CHECK(n > 0 && unprotect(k, 1, msg, (size_t)n, out) == 16);
	msg[53] = 3;			/* fragment 3 of 3: still well-formed */
	CHECK(unprotect(k, 1, msg, (size_t)n, out) == -EBADMSG);
	msg[53] = 2;
	msg[55] = 4;			/* 2 of 4 */
	CHECK(unprotect(k, 1, msg, (size_t)n, out) == -EBADMSG);
	msg[55] = 3;
	msg[28 + 4] ^= 1;		/* the PS payload sent in clear */
	CHECK(unprotect(k, 1, msg, (size_t)n, out) == -EBADMSG);
	sk_key_free(k);
}
