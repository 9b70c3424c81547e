// SPDX-License-Identifier: GPL-2.0
/*
 * SK and SKF payload protection with AES-GCM-16 and ChaCha20-Poly1305
 * (RFC 5282, RFC 7634, RFC 7383 §2.5) on OpenSSL 3 EVP_CIPHER. The key is
 * kept in OpenSSL's secure heap when the daemon has set one up
 * (CRYPTO_secure_malloc_init), and in ordinary memory wiped on free
 * otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keys.h"
#include "sk.h"

struct sk_key {
	EVP_CIPHER *cipher;
	size_t key_len;
	uint8_t key[SK_KEY_MAX];
	uint8_t salt[SK_SALT_LEN];
};

/* The OpenSSL cipher name for a transform and key size, or NULL. */
static const char *cipher_name(int encr, unsigned int key_bits)
{
	if (encr == IKE_ENCR_AES_GCM_16 && key_bits == 128)
		return "AES-128-GCM";
	if (encr == IKE_ENCR_AES_GCM_16 && key_bits == 256)
		return "AES-256-GCM";
	if (encr == IKE_ENCR_CHACHA20_POLY1305 && key_bits == 256)
		return "ChaCha20-Poly1305";
	return NULL;
}

size_t sk_keymat_len(int encr, unsigned int key_bits)
{
	return cipher_name(encr, key_bits) ? key_bits / 8 + SK_SALT_LEN : 0;
}

struct sk_key *sk_key_new(int encr, unsigned int key_bits,
			  const uint8_t *keymat, size_t len)
{
	const char *name = cipher_name(encr, key_bits);
	struct sk_key *k;

	if (!name || !keymat || len != sk_keymat_len(encr, key_bits))
		return NULL;
	k = OPENSSL_secure_zalloc(sizeof(*k));
	if (!k)
		return NULL;
	k->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!k->cipher) {
		OPENSSL_secure_clear_free(k, sizeof(*k));
		return NULL;
	}
	k->key_len = key_bits / 8;
	memcpy(k->key, keymat, k->key_len);
	memcpy(k->salt, keymat + k->key_len, SK_SALT_LEN);
	return k;
}

void sk_key_free(struct sk_key *k)
{
	if (!k)
		return;
	EVP_CIPHER_free(k->cipher);
	OPENSSL_secure_clear_free(k, sizeof(*k));
}

/* A context keyed for one operation, nonce = salt | iv; NULL on failure. */
static EVP_CIPHER_CTX *aead_ctx(const struct sk_key *k, const uint8_t *iv,
				int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[SK_SALT_LEN + SK_IV_LEN];

	memcpy(nonce, k->salt, SK_SALT_LEN);
	memcpy(nonce + SK_SALT_LEN, iv, SK_IV_LEN);
	if (ctx && EVP_CipherInit_ex2(ctx, k->cipher, k->key, nonce, enc,
				      NULL) > 0)
		return ctx;
	EVP_CIPHER_CTX_free(ctx);
	return NULL;
}

static int op_valid(const struct sk_aead_op *op)
{
	return op->iv && op->tag && (op->aad || !op->aad_len) &&
	       (op->len == 0 || (op->in && op->out)) &&
	       op->aad_len <= INT_MAX && op->len <= INT_MAX;
}

/* AAD, then the text; the caller finishes. 0 or -1. */
static int aead_update(EVP_CIPHER_CTX *ctx, const struct sk_aead_op *op)
{
	int n;

	if (op->aad_len &&
	    EVP_CipherUpdate(ctx, NULL, &n, op->aad, (int)op->aad_len) <= 0)
		return -1;
	if (op->len &&
	    (EVP_CipherUpdate(ctx, op->out, &n, op->in, (int)op->len) <= 0 ||
	     (size_t)n != op->len))
		return -1;
	return 0;
}

int sk_seal(const struct sk_key *k, const struct sk_aead_op *op)
{
	EVP_CIPHER_CTX *ctx;
	int n, ret = -EIO;

	if (!op_valid(op))
		return -EINVAL;
	ctx = aead_ctx(k, op->iv, 1);
	if (!ctx)
		return -ENOMEM;
	if (!aead_update(ctx, op) && EVP_EncryptFinal_ex(ctx, NULL, &n) > 0 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SK_ICV_LEN,
				op->tag) > 0)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int sk_open(const struct sk_key *k, const struct sk_aead_op *op)
{
	EVP_CIPHER_CTX *ctx;
	int n, ret = -EIO;

	if (!op_valid(op))
		return -EINVAL;
	ctx = aead_ctx(k, op->iv, 0);
	if (!ctx)
		return -ENOMEM;
	if (!aead_update(ctx, op) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SK_ICV_LEN,
				op->tag) > 0)
		ret = EVP_DecryptFinal_ex(ctx, NULL, &n) > 0 ? 0 : -EBADMSG;
	EVP_CIPHER_CTX_free(ctx);
	if (ret && op->len)
		OPENSSL_cleanse(op->out, op->len);
	return ret;
}

static size_t hdr_len(const struct sk_pos *pos)
{
	return pos->frag ? SKF_HDR_LEN : SK_HDR_LEN;
}

/* Where the SK(F) payload starts; 0 when pos cannot be right. */
static size_t sk_start(const struct sk_pos *pos)
{
	if (pos->aad_len < SK_IKE_HDR_LEN + hdr_len(pos))
		return 0;
	return pos->aad_len - hdr_len(pos);
}

size_t sk_protected_len(const struct sk_pos *pos, size_t inner_len,
			size_t pad_len)
{
	return pos->aad_len + SK_OVERHEAD + inner_len + pad_len;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* SKF: 1 <= Fragment Number <= Total Fragments (RFC 7383 §2.5). */
static int frag_fields_ok(const struct sk_pos *pos, const uint8_t *msg)
{
	uint16_t num, total;

	if (!pos->frag)
		return 1;
	num = get16(msg + pos->aad_len - 4);
	total = get16(msg + pos->aad_len - 2);
	return num >= 1 && num <= total;
}

/* The two length fields of the AAD for a message of total octets. */
static void set_lengths(const struct sk_pos *pos, uint8_t *buf, size_t total)
{
	size_t start = sk_start(pos);
	uint16_t pl_len = (uint16_t)(total - start);

	put32(buf + 24, (uint32_t)total);
	buf[start + 2] = (uint8_t)(pl_len >> 8);
	buf[start + 3] = (uint8_t)pl_len;
}

static int protect_check(const uint64_t *iv_next, const struct sk_pos *pos,
			 const uint8_t *buf, size_t cap, size_t inner_len,
			 size_t pad_len)
{
	size_t start = sk_start(pos);

	if (!start || pad_len > SK_PAD_MAX || pos->aad_len > cap ||
	    !frag_fields_ok(pos, buf))
		return -EINVAL;
	if (inner_len > INT_MAX / 2 ||
	    sk_protected_len(pos, inner_len, pad_len) > cap ||
	    sk_protected_len(pos, inner_len, pad_len) - start > UINT16_MAX)
		return -ENOSPC;
	if (*iv_next == UINT64_MAX)
		return -EOVERFLOW;
	return 0;
}

long sk_protect(const struct sk_key *k, uint64_t *iv_next,
		const struct sk_pos *pos, uint8_t *buf, size_t cap,
		const uint8_t *inner, size_t inner_len, size_t pad_len)
{
	int ret = protect_check(iv_next, pos, buf, cap, inner_len, pad_len);
	uint8_t *iv = buf + pos->aad_len, *pt = iv + SK_IV_LEN;
	size_t pt_len = inner_len + pad_len + 1, total;
	uint64_t ctr = *iv_next;
	struct sk_aead_op op = {
		.iv = iv, .aad = buf, .aad_len = pos->aad_len,
		.in = pt, .out = pt, .len = pt_len, .tag = pt + pt_len,
	};
	int i;

	if (ret)
		return ret;
	total = sk_protected_len(pos, inner_len, pad_len);
	(*iv_next)++;			/* spent even if sealing fails */
	for (i = SK_IV_LEN - 1; i >= 0; i--, ctr >>= 8)
		iv[i] = (uint8_t)ctr;
	if (inner_len)
		memmove(pt, inner, inner_len);
	memset(pt + inner_len, 0, pad_len);
	pt[pt_len - 1] = (uint8_t)pad_len;
	set_lengths(pos, buf, total);
	ret = sk_seal(k, &op);
	if (ret) {
		OPENSSL_cleanse(iv, total - pos->aad_len);
		return ret;
	}
	return (long)total;
}

/* The checks on a received message before its body is touched. */
static int unprotect_check(const struct sk_pos *pos, const uint8_t *msg,
			   size_t len)
{
	size_t start = sk_start(pos);

	if (!start || len > INT_MAX || pos->aad_len > len ||
	    len - pos->aad_len < SK_OVERHEAD)
		return -EBADMSG;
	if (get32(msg + 24) != len || get16(msg + start + 2) != len - start ||
	    !frag_fields_ok(pos, msg))
		return -EBADMSG;
	return 0;
}

long sk_unprotect(const struct sk_key *k, const struct sk_pos *pos,
		  const uint8_t *msg, size_t len, uint8_t *out, size_t out_cap)
{
	int ret = unprotect_check(pos, msg, len);
	size_t ct_len;
	struct sk_aead_op op = { .aad = msg, .out = out };

	if (ret)
		return ret;
	ct_len = len - pos->aad_len - SK_IV_LEN - SK_ICV_LEN;
	if (out_cap < ct_len)
		return -ENOSPC;
	op.iv = msg + pos->aad_len;
	op.aad_len = pos->aad_len;
	op.in = op.iv + SK_IV_LEN;
	op.len = ct_len;
	op.tag = (uint8_t *)op.in + ct_len;	/* only read by sk_open */
	ret = sk_open(k, &op);
	if (ret)
		return ret;
	if ((size_t)out[ct_len - 1] + 1 > ct_len) {
		OPENSSL_cleanse(out, ct_len);
		return -EBADMSG;
	}
	return (long)(ct_len - 1 - out[ct_len - 1]);
}
