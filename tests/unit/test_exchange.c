// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's IKE_SA_INIT and IKE_AUTH (userspace/moatd/exchange_*.c): an
 * initiator and a responder built from two moatd.conf texts run against
 * each other in memory. Each test checks what both ends end up with:
 * state, SK_* keys, Child SA keys and SPIs, selectors, or the Notify that
 * stopped them.
 */
#include <stdlib.h>
#include <string.h>

#include "exchange_fixture.h"
#include "harness.h"
#include "secmem.h"

#define PSK "psk = \"correct horse battery staple\"\n"

struct pair {
	struct xfix fx;
	struct ikesa *i, *r;
	struct ike_out msg[4];	/* IKE_SA_INIT req/resp, IKE_AUTH req/resp */
	uint16_t notes[8];	/* the responder's stateless answers */
	size_t n_notes;
};

/* Both configs; NULL if either is refused. */
static struct pair *pair_new(const char *ti, const char *tr)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (xfix_init(&p->fx, ti, tr)) {
		free(p);
		return NULL;
	}
	return p;
}

static void pair_free(struct pair *p)
{
	if (!p)
		return;
	ikesa_free(p->i);
	ikesa_free(p->r);
	xfix_free(&p->fx);
	free(p);
}

/* IKE_SA_INIT, with its retries; the initiator then has sent IKE_AUTH. */
static void pair_init(struct pair *p)
{
	static struct ike_out tmp;
	int round;

	p->i = ike_initiate(&p->fx.ci->conns[0], &p->fx.epi, &p->msg[0]);
	for (round = 0; p->i && round < 6; round++) {
		uint16_t n = 0;

		p->r = ike_respond_init(&p->fx.resp, &p->fx.cr->conns[0],
					&p->fx.epr, p->msg[0].buf,
					p->msg[0].len, &p->msg[1], &n);
		if (n && p->n_notes < 8)
			p->notes[p->n_notes++] = n;
		if (!p->msg[1].len ||
		    ike_recv(p->i, p->msg[1].buf, p->msg[1].len, &tmp))
			return;
		if (p->i->state != IKESA_INIT_SENT) {
			p->msg[2] = tmp;
			return;
		}
		p->msg[0] = tmp;
	}
}

/* IKE_AUTH: the responder answers, the initiator takes the answer. */
static void pair_auth(struct pair *p)
{
	static struct ike_out tmp;

	if (!p->r || !p->i || p->i->state != IKESA_AUTH_SENT)
		return;
	CHECK(ike_recv(p->r, p->msg[2].buf, p->msg[2].len, &p->msg[3]) ==
	      IKE_RX_OK);
	if (p->msg[3].len)
		CHECK(ike_recv(p->i, p->msg[3].buf, p->msg[3].len, &tmp) ==
		      IKE_RX_OK);
}

static struct pair *run(const char *ti, const char *tr)
{
	struct pair *p = pair_new(ti, tr);

	if (p) {
		pair_init(p);
		pair_auth(p);
	}
	return p;
}

/* PSK on both ends, after IKE_SA_INIT; NULL if either end is missing. */
static struct pair *pair_started(void)
{
	struct pair *p = pair_new(PSK, PSK);

	if (!p)
		return NULL;
	pair_init(p);
	if (p->r && p->i)
		return p;
	pair_free(p);
	return NULL;
}

static bool key_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	return a && b && len && !memcmp(a, b, len);
}

static void check_keys(const struct ikesa *i, const struct ikesa *r)
{
	const struct ike_sa_keys *a = &i->keys, *b = &r->keys;

	CHECK(a->prf_len && a->prf_len == b->prf_len);
	CHECK(a->encr_len && a->encr_len == b->encr_len);
	CHECK(key_eq(a->sk_d, b->sk_d, a->prf_len));
	CHECK(key_eq(a->sk_pi, b->sk_pi, a->prf_len));
	CHECK(key_eq(a->sk_pr, b->sk_pr, a->prf_len));
	CHECK(key_eq(a->sk_ei, b->sk_ei, a->encr_len));
	CHECK(key_eq(a->sk_er, b->sk_er, a->encr_len));
	CHECK(!key_eq(a->sk_ei, a->sk_er, a->encr_len));
}

/* §2.17: KEYMAT = prf+(SK_d, Ni | Nr), initiator-to-responder first. */
static void check_keymat(const struct ikesa *i)
{
	const struct ike_chunk seed[2] = {
		{ i->ni, i->ni_len }, { i->nr, i->nr_len },
	};
	size_t n = i->child.keymat_len;
	uint8_t km[2 * 64];

	CHECK(n && 2 * n <= sizeof(km));
	if (!n || 2 * n > sizeof(km))
		return;
	CHECK(!ike_prf_plus(i->prf, i->keys.sk_d, i->keys.prf_len, seed, 2,
			    km, 2 * n));
	CHECK(key_eq(i->child.key_out, km, n));
	CHECK(key_eq(i->child.key_in, km + n, n));
}

static void check_child(const struct ikesa *i, const struct ikesa *r)
{
	const struct child_sa *a = &i->child, *b = &r->child;

	CHECK(i->have_child && r->have_child);
	CHECK(!i->child_error && !r->child_error);
	if (!i->have_child || !r->have_child)
		return;
	CHECK(a->spi_in >= 256 && a->spi_out >= 256);
	CHECK(a->spi_in == b->spi_out && a->spi_out == b->spi_in);
	CHECK(a->keymat_len == b->keymat_len && a->aead && b->aead &&
	      !strcmp(a->aead, b->aead));
	CHECK(a->encr == b->encr && a->key_bits == b->key_bits &&
	      a->esn == b->esn && a->tunnel && b->tunnel);
	CHECK(key_eq(a->key_out, b->key_in, a->keymat_len));
	CHECK(key_eq(a->key_in, b->key_out, a->keymat_len));
	CHECK(!key_eq(a->key_in, a->key_out, a->keymat_len));
	CHECK(!memcmp(&a->ts_local, &b->ts_remote, sizeof(a->ts_local)));
	CHECK(!memcmp(&a->ts_remote, &b->ts_local, sizeof(a->ts_local)));
	check_keymat(i);
}

static void check_established(const struct pair *p)
{
	CHECK(p && p->i && p->r);
	if (!p || !p->i || !p->r)
		return;
	CHECK(p->i->state == IKESA_ESTABLISHED);
	CHECK(p->r->state == IKESA_ESTABLISHED);
	if (p->i->state != IKESA_ESTABLISHED ||
	    p->r->state != IKESA_ESTABLISHED)
		return;
	check_keys(p->i, p->r);
	check_child(p->i, p->r);
	CHECK(!memcmp(p->i->spi_i, p->r->spi_i, IKE_SPI_LEN));
	CHECK(!memcmp(p->i->spi_r, p->r->spi_r, IKE_SPI_LEN));
}

static void suite(const char *ike, int encr, unsigned int bits, int prf,
		  int group, const char *aead)
{
	char text[512];
	struct pair *p;

	snprintf(text, sizeof(text), PSK "ike = %s\nesp = %s\n", ike,
		 encr == IKE_ENCR_CHACHA20_POLY1305 ? "chacha20poly1305" :
		 bits == 256 ? "aes256gcm16-esn" : "aes128gcm16");
	p = run(text, text);
	check_established(p);
	if (p && p->i) {
		CHECK(p->i->encr == encr && p->i->key_bits == bits);
		CHECK(p->i->prf == prf && p->i->dh_group == group);
		CHECK(p->i->child.aead && !strcmp(p->i->child.aead, aead));
		CHECK(p->i->child.keymat_len == bits / 8 + 4);
		CHECK(p->i->child.esn == (encr == IKE_ENCR_AES_GCM_16 &&
					  bits == 256));
		CHECK(!p->i->nat_local && !p->i->nat_remote);
		CHECK(!p->r->nat_local && !p->r->nat_remote);
	}
	pair_free(p);
}

TEST(exchange_psk_suites)
{
	suite("aes128gcm16-prfsha256-x25519", IKE_ENCR_AES_GCM_16, 128,
	      IKE_PRF_HMAC_SHA2_256, DH_CURVE25519, "rfc4106(gcm(aes))");
	suite("aes256gcm16-prfsha384-ecp256", IKE_ENCR_AES_GCM_16, 256,
	      IKE_PRF_HMAC_SHA2_384, DH_ECP_256, "rfc4106(gcm(aes))");
	suite("chacha20poly1305-prfsha512-modp2048",
	      IKE_ENCR_CHACHA20_POLY1305, 256, IKE_PRF_HMAC_SHA2_512,
	      DH_MODP_2048, "rfc7539esp(chacha20,poly1305)");
}

TEST(exchange_psk_default_selectors)
{
	struct pair *p = run(PSK, PSK);
	const struct ike_ts *l, *r;

	check_established(p);
	if (p && p->i && p->i->have_child) {
		l = &p->i->child.ts_local.ts[0];
		r = &p->i->child.ts_remote.ts[0];
		CHECK(p->i->child.ts_local.n == 1 && l->type == IKE_TS_IPV4_RANGE);
		CHECK(!memcmp(l->start, "\xc0\x00\x02\x01", 4) &&
		      !memcmp(l->end, "\xc0\x00\x02\x01", 4));
		CHECK(!memcmp(r->start, "\xc0\x00\x02\x02", 4) &&
		      !memcmp(r->end, "\xc0\x00\x02\x02", 4));
		CHECK(l->sport == 0 && l->eport == 0xffff && !l->proto);
	}
	pair_free(p);
}

TEST(exchange_null_auth)
{
	struct pair *p = run("auth = null\n", "auth = null\n");

	check_established(p);
	if (p && p->i && p->r) {
		CHECK(p->i->peer_id.type == IKE_ID_NULL);
		CHECK(p->r->peer_id.type == IKE_ID_NULL);
	}
	pair_free(p);
	/* NULL against PSK is refused: the methods differ. */
	p = run("auth = null\n", PSK);
	CHECK(p && p->r && p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_AUTHENTICATION_FAILED);
	CHECK(p && p->i && p->i->state == IKESA_DEAD);
	pair_free(p);
}

/* RFC 7619 on one side: a client that only encrypts, a gateway that
 * proves who it is with the PSK. */
TEST(exchange_null_auth_one_side)
{
	struct pair *p = run("local-auth = null\n" PSK,
			     PSK "remote-auth = null\n");

	check_established(p);
	if (p && p->i && p->r) {
		CHECK(p->r->peer_id.type == IKE_ID_NULL);
		CHECK(p->i->peer_id.type != IKE_ID_NULL);
	}
	pair_free(p);
	/* The gateway wants the PSK from its peer too: refused. */
	p = run("local-auth = null\n" PSK, PSK);
	CHECK(p && p->r && p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_AUTHENTICATION_FAILED);
	pair_free(p);
	/* The client wants the PSK from the gateway, which sends NULL. */
	p = run("local-auth = null\n" PSK, "auth = null\n");
	CHECK(p && p->i && p->i->state == IKESA_DEAD &&
	      p->i->error == IKE_N_AUTHENTICATION_FAILED);
	pair_free(p);
}

TEST(exchange_wrong_psk)
{
	struct pair *p = run(PSK, "psk = \"incorrect horse\"\n");

	CHECK(p && p->i && p->r);
	if (p && p->i && p->r) {
		CHECK(p->r->state == IKESA_DEAD);
		CHECK(p->r->error == IKE_N_AUTHENTICATION_FAILED);
		CHECK(p->i->state == IKESA_DEAD);
		CHECK(p->i->error == IKE_N_AUTHENTICATION_FAILED);
		CHECK(!p->i->have_child && !p->r->have_child);
		CHECK(p->msg[3].len > 0);	/* the encrypted refusal */
	}
	pair_free(p);
	/* Another identity than the one configured is refused as well. */
	p = run(PSK "local-id = @intruder.example\n", PSK);
	CHECK(p && p->r && p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_AUTHENTICATION_FAILED);
	pair_free(p);
}

TEST(exchange_invalid_ke_retry)
{
	struct pair *p = run(PSK "ike = aes128gcm16-prfsha256-x25519,"
			     "aes128gcm16-prfsha256-ecp256\n",
			     PSK "ike = aes128gcm16-prfsha256-ecp256\n");

	check_established(p);
	CHECK(p && p->n_notes == 1 && p->notes[0] == IKE_N_INVALID_KE_PAYLOAD);
	CHECK(p && p->i && p->i->dh_group == DH_ECP_256);
	CHECK(p && p->i && p->i->init_rounds == 2);
	pair_free(p);
	/* The KE group is acceptable: no retry, whatever our order says. */
	p = run(PSK "ike = aes128gcm16-prfsha256-x25519-ecp256\n",
		PSK "ike = aes128gcm16-prfsha256-ecp256-x25519\n");
	check_established(p);
	CHECK(p && !p->n_notes && p->i && p->i->dh_group == DH_CURVE25519);
	pair_free(p);
}

TEST(exchange_no_proposal)
{
	struct pair *p = run(PSK "ike = chacha20poly1305-prfsha256-x25519\n",
			     PSK "ike = aes128gcm16-prfsha256-x25519\n");

	CHECK(p && !p->r && p->n_notes == 1 &&
	      p->notes[0] == IKE_N_NO_PROPOSAL_CHOSEN);
	CHECK(p && p->i && p->i->state == IKESA_DEAD &&
	      p->i->error == IKE_N_NO_PROPOSAL_CHOSEN);
	pair_free(p);
	/* No common ESP proposal: the IKE SA stands, without a Child SA. */
	p = run(PSK "esp = chacha20poly1305\n", PSK "esp = aes128gcm16\n");
	CHECK(p && p->i && p->r && p->i->state == IKESA_ESTABLISHED &&
	      p->r->state == IKESA_ESTABLISHED);
	CHECK(p && p->i && p->i->child_error == IKE_N_NO_PROPOSAL_CHOSEN &&
	      !p->i->have_child && !p->r->have_child);
	pair_free(p);
}

static bool ts_is(const struct ike_ts_list *l, const char *start,
		  const char *end)
{
	return l->n == 1 && l->ts[0].type == IKE_TS_IPV4_RANGE &&
	       !memcmp(l->ts[0].start, start, 4) &&
	       !memcmp(l->ts[0].end, end, 4);
}

TEST(exchange_ts_narrowing)
{
	struct pair *p = run(PSK "local-ts = 10.1.0.1/32\n"
			     "remote-ts = 10.2.0.5/32\n",
			     PSK "local-ts = 0.0.0.0/0\nremote-ts = 0.0.0.0/0\n");

	check_established(p);
	if (p && p->r && p->r->have_child) {
		CHECK(ts_is(&p->r->child.ts_remote, "\x0a\x01\x00\x01",
			    "\x0a\x01\x00\x01"));
		CHECK(ts_is(&p->r->child.ts_local, "\x0a\x02\x00\x05",
			    "\x0a\x02\x00\x05"));
	}
	pair_free(p);
	/* The responder narrows the initiator's 0.0.0.0/0 to its /16. */
	p = run(PSK "local-ts = 10.1.0.0/16\nremote-ts = 0.0.0.0/0\n",
		PSK "local-ts = 10.2.0.0/16\nremote-ts = 10.1.0.0/16\n");
	check_established(p);
	if (p && p->i && p->i->have_child)
		CHECK(ts_is(&p->i->child.ts_remote, "\x0a\x02\x00\x00",
			    "\x0a\x02\xff\xff"));
	pair_free(p);
	p = run(PSK "local-ts = 10.1.0.0/16\nremote-ts = 10.2.0.0/16\n",
		PSK "local-ts = 10.9.0.0/16\nremote-ts = 10.1.0.0/16\n");
	CHECK(p && p->i && p->r && p->i->state == IKESA_ESTABLISHED &&
	      p->r->state == IKESA_ESTABLISHED);
	CHECK(p && p->r && p->r->child_error == IKE_N_TS_UNACCEPTABLE);
	CHECK(p && p->i && p->i->child_error == IKE_N_TS_UNACCEPTABLE);
	CHECK(p && p->i && !p->i->have_child && !p->r->have_child);
	pair_free(p);
}

#define PPK "ppk-id = qkd-1\nppk = \"post-quantum preshared key 0001\"\n"

TEST(exchange_ppk_both)
{
	struct pair *p = pair_new(PSK PPK, PSK PPK);
	struct ike_sa_keys plain, expect;

	CHECK(p != NULL);
	if (!p)
		return;
	pair_init(p);
	CHECK(p->i && p->i->peer_ppk && p->i->nppk.sk_d);
	memset(&plain, 0, sizeof(plain));
	if (p->i && p->i->nppk.sk_d)
		CHECK(!ppk_keys_copy(&p->i->nppk, &plain));
	pair_auth(p);
	check_established(p);
	CHECK(p->i && p->r && p->i->ppk_used && p->r->ppk_used);
	if (plain.sk_d && p->i && p->i->state == IKESA_ESTABLISHED) {
		/* The keys are the non-PPK ones re-derived with the PPK. */
		CHECK(!key_eq(plain.sk_d, p->i->keys.sk_d, plain.prf_len));
		CHECK(!key_eq(plain.sk_pi, p->i->keys.sk_pi, plain.prf_len));
		CHECK(!ppk_keys_copy(&plain, &expect));
		CHECK(!ike_sa_keys_apply_ppk(&expect, p->fx.ci->conns[0].ppk,
					     p->fx.ci->conns[0].ppk_len));
		CHECK(key_eq(expect.sk_d, p->i->keys.sk_d, plain.prf_len));
		CHECK(key_eq(expect.sk_pr, p->r->keys.sk_pr, plain.prf_len));
		ike_sa_keys_free(&expect);
	}
	ike_sa_keys_free(&plain);
	pair_free(p);
	p = run(PSK PPK "ppk-required = yes\n", PSK PPK "ppk-required = yes\n");
	check_established(p);
	CHECK(p && p->i && p->i->ppk_used && p->r->ppk_used);
	pair_free(p);
}

TEST(exchange_ppk_fallback)
{
	/* The responder has no PPK at all: PPK is never negotiated. */
	struct pair *p = run(PSK PPK, PSK);

	check_established(p);
	CHECK(p && p->i && !p->i->peer_ppk && !p->i->ppk_used);
	pair_free(p);
	/* It has another PPK: it takes NO_PPK_AUTH, keys without PPK. */
	p = run(PSK PPK, PSK "ppk-id = other\nppk = \"another ppk\"\n");
	check_established(p);
	CHECK(p && p->i && p->i->peer_ppk && !p->i->ppk_used &&
	      !p->r->ppk_used);
	pair_free(p);
	/* Same ID, another value: AUTH with the PPK fails. */
	p = run(PSK PPK, PSK "ppk-id = qkd-1\nppk = \"not the same one\"\n");
	CHECK(p && p->r && p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_AUTHENTICATION_FAILED);
	pair_free(p);
}

TEST(exchange_ppk_required)
{
	/* The initiator requires a PPK, the responder has none. */
	struct pair *p = run(PSK PPK "ppk-required = yes\n", PSK);

	CHECK(p && p->i && p->i->state == IKESA_DEAD &&
	      p->i->error == IKE_N_AUTHENTICATION_FAILED);
	CHECK(p && p->r && p->r->state == IKESA_INIT_DONE && !p->msg[2].len);
	pair_free(p);
	/* The responder requires one, the initiator has none. */
	p = run(PSK, PSK PPK "ppk-required = yes\n");
	CHECK(p && p->r && p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_AUTHENTICATION_FAILED);
	CHECK(p && p->i && p->i->state == IKESA_DEAD &&
	      p->i->error == IKE_N_AUTHENTICATION_FAILED);
	pair_free(p);
	/* The responder requires one, the initiator's is another. */
	p = run(PSK "ppk-id = other\nppk = \"x\"\n",
		PSK PPK "ppk-required = yes\n");
	CHECK(p && p->r && p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_AUTHENTICATION_FAILED);
	pair_free(p);
}

TEST(exchange_cookie)
{
	struct pair *p = pair_new(PSK, PSK);
	struct ike_out *o;
	struct ikesa *r;
	uint16_t n = 0;

	CHECK(p && !ike_responder_init(&p->fx.resp, true));
	if (!p)
		return;
	pair_init(p);
	pair_auth(p);
	check_established(p);
	CHECK(p->n_notes == 1 && p->notes[0] == IKE_N_COOKIE);
	CHECK(p->i && p->i->init_rounds == 2 && p->i->cookie_len == 32);
	CHECK(p->msg[0].buf[16] == IKE_PL_NOTIFY);	/* the cookie first */
	/* A changed cookie gets a new COOKIE answer and no SA. */
	o = calloc(1, sizeof(*o));
	p->msg[0].buf[IKE_HDR_LEN + 8 + 5] ^= 1;
	r = ike_respond_init(&p->fx.resp, &p->fx.cr->conns[0], &p->fx.epr,
			     p->msg[0].buf, p->msg[0].len, o, &n);
	CHECK(!r && n == IKE_N_COOKIE && o->len > 0);
	ikesa_free(r);
	free(o);
	pair_free(p);
}

TEST(exchange_nat_detection)
{
	struct pair *p = pair_new(PSK, PSK);

	if (!p)
		return;
	/* The responder sees the initiator from behind a NAT. */
	xfix_ep(&p->fx.epr, XFIX_R, "198.51.100.7");
	p->fx.epr.remote_port = 4500;
	pair_init(p);
	pair_auth(p);
	check_established(p);
	CHECK(p->r && p->r->nat_remote && !p->r->nat_local);
	if (p->r)
		p->r->ep.local_port = 4500;	/* as the daemon floats it */
	CHECK(p->i && p->i->nat_local && !p->i->nat_remote);
	if (p->r)
		CHECK(ike_esp_in_udp(p->r));
	pair_free(p);
}

/* strongSwan floats to 4500 without a NAT: its ESP stays plain. */
TEST(exchange_float_without_nat)
{
	struct pair *p = pair_new(PSK, PSK);

	if (!p)
		return;
	pair_init(p);
	pair_auth(p);
	check_established(p);
	CHECK(p->r && !p->r->nat_remote && !p->r->nat_local);
	if (p->r) {
		p->r->ep.local_port = 4500;	/* IKE_AUTH came on 4500 */
		p->r->ep.remote_port = 4500;
		CHECK(!ike_esp_in_udp(p->r));
	}
	pair_free(p);
}

/* What must not move when a message is dropped. */
struct snap {
	struct xfix_snap ike;
	bool have_child;
	uint8_t spi_r[IKE_SPI_LEN], sk_d[IKE_PRF_MAX_LEN];
	size_t last_resp_len, nr_len;
};

static void snap_take(struct ikesa *sa, void *p)
{
	struct snap *s = p;

	memset(s, 0, sizeof(*s));
	xfix_snap_take(sa, &s->ike);
	s->have_child = sa->have_child;
	memcpy(s->spi_r, sa->spi_r, IKE_SPI_LEN);
	if (sa->keys.sk_d)
		memcpy(s->sk_d, sa->keys.sk_d, sa->keys.prf_len);
	s->last_resp_len = sa->last_resp.len;
	s->nr_len = sa->nr_len;
}

/* Every bit flip and truncation of @m is dropped by @sa, unchanged. */
static int tamper_all(struct ikesa *sa, const struct ike_out *m)
{
	return xfix_tamper(sa, m, snap_take, sizeof(struct snap));
}

TEST(exchange_tampering)
{
	struct pair *p = pair_new(PSK, PSK);
	static struct ike_out out;

	if (!p)
		return;
	pair_init(p);
	CHECK(p->r && p->i && p->i->state == IKESA_AUTH_SENT);
	if (!p->r || !p->i)
		goto done;
	/* The responder: a changed IKE_SA_INIT is no retransmission. */
	CHECK(tamper_all(p->r, &p->msg[0]) == 0);
	CHECK(tamper_all(p->r, &p->msg[2]) == 0);
	CHECK(p->r->state == IKESA_INIT_DONE);
	/* A truncated IKE_SA_INIT answer never reaches the initiator. */
	for (size_t n = 0; n < p->msg[1].len; n++)
		CHECK(ike_recv(p->i, p->msg[1].buf, n, &out) == IKE_RX_DROP);
	pair_auth(p);
	check_established(p);
	CHECK(p->r->state == IKESA_ESTABLISHED);
	/* The initiator had the answer already: now a replay is dropped. */
	CHECK(tamper_all(p->i, &p->msg[3]) == 0);
	CHECK(ike_recv(p->i, p->msg[3].buf, p->msg[3].len, &out) ==
	      IKE_RX_DROP);
	check_established(p);
done:
	pair_free(p);
}

TEST(exchange_tampered_auth_answer)
{
	struct pair *p = pair_started();
	static struct ike_out out;

	if (!p)
		return;
	CHECK(ike_recv(p->r, p->msg[2].buf, p->msg[2].len, &p->msg[3]) ==
	      IKE_RX_OK);
	CHECK(tamper_all(p->i, &p->msg[3]) == 0);
	CHECK(p->i->state == IKESA_AUTH_SENT);
	CHECK(ike_recv(p->i, p->msg[3].buf, p->msg[3].len, &out) ==
	      IKE_RX_OK);
	check_established(p);
	pair_free(p);
}

TEST(exchange_retransmit)
{
	struct pair *p = pair_started();
	static struct ike_out out;

	if (!p)
		return;
	/* A retransmitted IKE_SA_INIT gets the same answer, byte for byte. */
	CHECK(ike_recv(p->r, p->msg[0].buf, p->msg[0].len, &out) ==
	      IKE_RX_RESENT);
	CHECK(out.len == p->msg[1].len &&
	      !memcmp(out.buf, p->msg[1].buf, out.len));
	pair_auth(p);
	check_established(p);
	CHECK(ike_recv(p->r, p->msg[2].buf, p->msg[2].len, &out) ==
	      IKE_RX_RESENT);
	CHECK(out.len == p->msg[3].len &&
	      !memcmp(out.buf, p->msg[3].buf, out.len));
	CHECK(p->r->iv_next == 1);	/* nothing was encrypted again */
	/* Only the last request is remembered (§2.1). */
	CHECK(ike_recv(p->r, p->msg[0].buf, p->msg[0].len, &out) ==
	      IKE_RX_DROP);
	pair_free(p);
}

TEST(exchange_unsupported_critical)
{
	struct pair *p = pair_new(PSK, PSK);
	static struct ike_out out;
	static uint8_t inner[256];
	struct ike_writer w;
	struct ike_hdr h;
	struct ikesa *r;
	uint16_t n = 0;
	size_t s;

	if (!p)
		return;
	/* IKE_SA_INIT with an unknown critical payload (type 99). */
	memset(&h, 0, sizeof(h));
	memset(h.spi_i, 0x11, IKE_SPI_LEN);
	h.major = 2;
	h.exchange = IKE_SA_INIT;
	h.flags = IKE_FLAG_I;
	ike_w_init_msg(&w, p->msg[0].buf, IKE_MSG_MAX, &h);
	ike_put_sa(&w, &p->fx.ci->conns[0].ike);
	s = ike_w_begin(&w, 99, 1);
	ike_w_put(&w, "abcd", 4);
	ike_w_end(&w, s);
	p->msg[0].len = (size_t)ike_w_finish(&w);
	r = ike_respond_init(&p->fx.resp, &p->fx.cr->conns[0], &p->fx.epr,
			     p->msg[0].buf, p->msg[0].len, &out, &n);
	CHECK(!r && n == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD && out.len);
	CHECK(out.len && out.buf[out.len - 1] == 99);
	/* Inside IKE_AUTH: refused with an encrypted Notify. */
	pair_init(p);
	if (!p->r || !p->i)
		goto done;
	ike_w_init(&w, inner, sizeof(inner));
	s = ike_w_begin(&w, 99, 1);
	ike_w_end(&w, s);
	xchg_hdr(p->i, &h, IKE_AUTH, 1, false);
	CHECK(!xchg_seal(p->i, &h, &w, &p->msg[2]));
	pair_auth(p);
	CHECK(p->r->state == IKESA_DEAD &&
	      p->r->error == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	CHECK(p->i->state == IKESA_DEAD &&
	      p->i->error == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
done:
	pair_free(p);
}
