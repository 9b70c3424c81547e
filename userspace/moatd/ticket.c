// SPDX-License-Identifier: GPL-2.0
/* RFC 5723 resumption tickets: the state, its key ring and its seal; see
 * ticket.h. */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_sa.h"
#include "payload_int.h"
#include "secmem.h"
#include "ticket.h"

#define TKEY_LEN 32
#define TIV_LEN 12

struct tkey {
	uint32_t id;
	uint8_t *key;		/* secmem, TKEY_LEN; NULL: none */
	uint64_t born;
};

/* keys[cur] seals; both open. */
static struct tkey keys[2];
static unsigned int cur;

/* Tickets opened, by tag, until they expire. */
static struct {
	uint8_t tag[TICKET_TAG_LEN];
	uint64_t expires;
} seen[TICKET_SEEN_MAX];
static size_t seen_next;

uint64_t (*ticket_test_now)(void);

uint64_t ticket_now(void)
{
	if (ticket_test_now)
		return ticket_test_now();
	return (uint64_t)time(NULL);
}

static int tkey_make(struct tkey *k, uint64_t now)
{
	uint8_t *key = secmem_alloc(TKEY_LEN);

	if (!key || ikesa_rand(key, TKEY_LEN) ||
	    ikesa_rand(&k->id, sizeof(k->id))) {
		secmem_free(key);
		return -1;
	}
	secmem_free(k->key);
	k->key = key;
	k->born = now;
	return 0;
}

/* The sealing key, made at first use and replaced when it is old. */
static struct tkey *tkey_current(uint64_t now)
{
	struct tkey *k = &keys[cur];

	if (k->key && now - k->born < TICKET_KEY_ROTATE_S)
		return k;
	if (k->key) {	/* the current one becomes the previous one */
		cur ^= 1;
		k = &keys[cur];
	}
	return tkey_make(k, now) ? NULL : k;
}

static const struct tkey *tkey_find(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (keys[i].key && keys[i].id == id)
			return &keys[i];
	return NULL;
}

void ticket_forget_used(void)
{
	memset(seen, 0, sizeof(seen));
	seen_next = 0;
}

void ticket_reset(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		secmem_free(keys[i].key);
		memset(&keys[i], 0, sizeof(keys[i]));
	}
	ticket_forget_used();
	cur = 0;
}

/* ---- the state, in the clear (only ever inside the seal) ---- */

static void put_id(struct ike_writer *w, const struct moatd_id *id)
{
	ike_w_u8(w, id->type);
	ike_w_u16(w, id->len);
	ike_w_put(w, id->data, id->len);
}

static long state_put(const struct ticket_state *st, uint8_t *buf,
		      size_t cap)
{
	size_t n = strnlen(st->conn, sizeof(st->conn) - 1);
	struct ike_writer w;

	ike_w_init(&w, buf, cap);
	ike_w_u32(&w, (uint32_t)(st->expires >> 32));
	ike_w_u32(&w, (uint32_t)st->expires);
	ike_w_u8(&w, (uint8_t)n);
	ike_w_put(&w, st->conn, n);
	put_id(&w, &st->id_i);
	put_id(&w, &st->id_r);
	ike_w_u8(&w, st->auth_i);
	ike_w_u16(&w, st->encr);
	ike_w_u16(&w, st->prf);
	ike_w_u16(&w, st->group);
	ike_w_u16(&w, st->key_bits);
	ike_w_u8(&w, st->sk_d_len);
	ike_w_put(&w, st->sk_d, st->sk_d_len);
	return w.err ? -1 : (long)w.len;
}

static void get_id(struct ike_rd *r, struct moatd_id *id)
{
	id->type = ike_rd_u8(r);
	id->len = ike_rd_u16(r);
	if (id->len > MOATD_ID_MAX)
		r->bad = 1;
	else
		ike_rd_copy(r, id->data, id->len);
}

static int state_get(const uint8_t *buf, size_t len, struct ticket_state *st)
{
	struct ike_rd r = ike_rd_init(buf, len);
	uint8_t n;

	memset(st, 0, sizeof(*st));
	st->expires = (uint64_t)ike_rd_u32(&r) << 32;
	st->expires |= ike_rd_u32(&r);
	n = ike_rd_u8(&r);
	if (n > MOATD_CONN_NAME_MAX)
		return -1;
	ike_rd_copy(&r, st->conn, n);
	get_id(&r, &st->id_i);
	get_id(&r, &st->id_r);
	st->auth_i = ike_rd_u8(&r);
	st->encr = ike_rd_u16(&r);
	st->prf = ike_rd_u16(&r);
	st->group = ike_rd_u16(&r);
	st->key_bits = ike_rd_u16(&r);
	st->sk_d_len = ike_rd_u8(&r);
	if (st->sk_d_len > sizeof(st->sk_d))
		return -1;
	ike_rd_copy(&r, st->sk_d, st->sk_d_len);
	return ike_rd_done(&r) == IKE_OK && n && st->sk_d_len ? 0 : -1;
}

/* ---- the seal ---- */

/* AES-256-GCM over @in into @out with the header @hdr as AAD; 0 or -1.
 * Sealing writes @tag, opening checks it. */
static int gcm(bool seal, const uint8_t *key, const uint8_t *hdr,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key,
				      hdr + 5, seal) == 1 &&
	     EVP_CipherUpdate(ctx, NULL, &n, hdr, TICKET_HDR_LEN) == 1 &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1;
	if (ok && !seal)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					 TICKET_TAG_LEN, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(ctx, out + n, &n) == 1;
	if (ok && seal)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					 TICKET_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t ticket_seal(const struct ticket_state *st, uint8_t *out, size_t cap)
{
	const struct tkey *k = tkey_current(ticket_now());
	uint8_t plain[TICKET_MAX];
	long n = state_put(st, plain, sizeof(plain));
	size_t total = TICKET_HDR_LEN + (size_t)n + TICKET_TAG_LEN;
	int ret = -1;

	if (k && n > 0 && total <= cap &&
	    RAND_bytes(out + 5, TIV_LEN) == 1) {
		out[0] = TICKET_VERSION;
		put_be32(out + 1, k->id);
		ret = gcm(true, k->key, out, plain, (size_t)n,
			  out + TICKET_HDR_LEN, out + total - TICKET_TAG_LEN);
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret ? 0 : total;
}

/* Whether @tag was opened before; if not, it is remembered now. */
static bool seen_before(const uint8_t *tag, uint64_t expires, uint64_t now)
{
	size_t i;

	for (i = 0; i < TICKET_SEEN_MAX; i++)
		if (seen[i].expires >= now &&
		    !CRYPTO_memcmp(seen[i].tag, tag, TICKET_TAG_LEN))
			return true;
	memcpy(seen[seen_next].tag, tag, TICKET_TAG_LEN);
	seen[seen_next].expires = expires;
	seen_next = (seen_next + 1) % TICKET_SEEN_MAX;
	return false;
}

static enum ticket_result ticket_decrypt(const uint8_t *t, size_t len,
					 struct ticket_state *st)
{
	uint8_t plain[TICKET_MAX], tag[TICKET_TAG_LEN];
	const struct tkey *k;
	size_t n;
	int ret = -1;

	if (len < TICKET_HDR_LEN + TICKET_TAG_LEN || len > TICKET_MAX ||
	    t[0] != TICKET_VERSION)
		return TICKET_BAD;
	k = tkey_find((uint32_t)t[1] << 24 | (uint32_t)t[2] << 16 |
		      (uint32_t)t[3] << 8 | t[4]);
	n = len - TICKET_HDR_LEN - TICKET_TAG_LEN;
	memcpy(tag, t + len - TICKET_TAG_LEN, TICKET_TAG_LEN);
	if (k && !gcm(false, k->key, t, t + TICKET_HDR_LEN, n, plain, tag))
		ret = state_get(plain, n, st);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret ? TICKET_BAD : TICKET_OK;
}

enum ticket_result ticket_open(const uint8_t *t, size_t len,
			       struct ticket_state *st)
{
	uint64_t now = ticket_now();
	enum ticket_result r = ticket_decrypt(t, len, st);

	if (r == TICKET_OK && st->expires < now)
		r = TICKET_EXPIRED;
	else if (r == TICKET_OK &&
		 seen_before(t + len - TICKET_TAG_LEN, st->expires, now))
		r = TICKET_REPLAYED;
	if (r != TICKET_OK)
		OPENSSL_cleanse(st, sizeof(*st));
	return r;
}
