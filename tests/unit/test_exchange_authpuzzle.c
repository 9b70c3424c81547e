// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8019 §7.2, the IKE_AUTH puzzle (exchange_authpuzzle.c), with two
 * moatd engines: an initiator whose IKE_SA_INIT request carries a cookie
 * and a Puzzle Solution (as after the guard's puzzle) is asked the
 * IKE_AUTH puzzle, solves it over Nr | SPIr, and the responder makes its
 * keys only from an IKE_AUTH request whose PS solves it: a missing, wrong,
 * too weak or repeated-key solution is dropped before any D-H work
 * (dh_shared_calls does not move).
 */
#include <stdlib.h>
#include <string.h>

#include "exchange_fixture.h"
#include "harness.h"
#include "puzzle_ref.h"

#define PSK "psk = \"correct horse battery staple\"\n"
#define AP_D 8

struct ap {
	struct xfix fx;
	struct ikesa *i, *r;
	struct ike_out req, ans, auth, out;
};

/* Works the puzzle in steps of 256 tries until the request is out. */
static int solve(struct ikesa *i, struct ike_out *out)
{
	int r = 0, rounds = 0;

	while (!r && rounds++ < 10000)
		r = ike_puzzle_work(i, 256, false, out);
	return r;
}

/* IKE_SA_INIT with N(COOKIE) and PS (@ps) when asked; the responder's
 * IKE_AUTH puzzle D is @d. */
static struct ap *ap_new(const char *ti, uint8_t d, bool ps)
{
	struct ap *p = calloc(1, sizeof(*p));

	CHECK(p && !xfix_init(&p->fx, ti, PSK));
	if (!p || !p->fx.ci) {
		free(p);
		return NULL;
	}
	p->fx.resp.auth_puzzle = d;
	p->i = ike_initiate(&p->fx.ci->conns[0], &p->fx.epi, &p->req);
	CHECK(p->i != NULL);
	if (!p->i)
		return p;
	memset(p->i->cookie, 0xc0, 32);	/* the guard's, not checked here */
	p->i->cookie_len = 32;
	memset(p->i->ps, 0x5a, PUZZLE_PS_LEN);	/* the guard checked it */
	p->i->ps_len = ps ? PUZZLE_PS_LEN : 0;
	CHECK(!init_build_request(p->i, &p->req));
	p->r = ike_respond_init(&p->fx.resp, &p->fx.cr->conns[0], &p->fx.epr,
				p->req.buf, p->req.len, &p->ans, NULL);
	CHECK(p->r != NULL);
	return p;
}

static void ap_free(struct ap *p)
{
	if (!p)
		return;
	ikesa_free(p->i);
	ikesa_free(p->r);
	xfix_free(&p->fx);
	free(p);
}

/* N(PUZZLE)'s data in the IKE_SA_INIT answer @m, or NULL. */
static const uint8_t *answer_puzzle(const struct ike_out *m)
{
	static struct ike_msg msg;
	struct ike_notify n;
	size_t k;

	if (ike_parse_msg(m->buf, m->len, &msg))
		return NULL;
	for (k = 0; k < msg.chain.n; k++)
		if (msg.chain.pl[k].type == IKE_PL_NOTIFY &&
		    !ike_dec_notify(msg.chain.pl[k].body, msg.chain.pl[k].len,
				    &n) && n.type == IKE_N_PUZZLE && n.len == 3)
			return n.data;
	return NULL;
}

/* The score of the PS before SK in @m over Nr | SPIr: -1 without PS. */
static int auth_score(const struct ikesa *r, const struct ike_out *m)
{
	uint8_t s[IKE_NONCE_MAX + IKE_SPI_LEN];
	struct ike_msg msg;

	if (ike_parse_msg(m->buf, m->len, &msg) || msg.chain.n != 2 ||
	    msg.chain.pl[0].type != IKE_PL_PS ||
	    msg.chain.pl[1].type != IKE_PL_SK)
		return -1;
	memcpy(s, r->nr, r->nr_len);
	memcpy(s + r->nr_len, r->spi_r, IKE_SPI_LEN);
	return ref_score((uint16_t)r->prf, s, r->nr_len + IKE_SPI_LEN,
			 msg.chain.pl[0].body, msg.chain.pl[0].len);
}

/* The initiator takes the answer and solves; its IKE_AUTH into p->auth. */
static void ap_solve(struct ap *p)
{
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->auth) == IKE_RX_OK);
	CHECK(!p->auth.len && ike_puzzle_asked(p->i) == AP_D);
	CHECK(p->i->state == IKESA_INIT_SENT);
	CHECK(solve(p->i, &p->auth) == 1 && p->auth.len);
	CHECK(p->i->state == IKESA_AUTH_SENT);
}

/* @m is dropped by the responder with no D-H work and no keys. */
static void dropped(struct ap *p, const uint8_t *m, size_t len)
{
	unsigned long dh = dh_shared_calls;
	uint64_t disc = ike_auth_puzzle_stats.discarded;

	CHECK(ike_recv(p->r, m, len, &p->out) == IKE_RX_DROP && !p->out.len);
	CHECK(dh_shared_calls == dh && !p->r->sk_in);
	CHECK(ike_auth_puzzle_stats.discarded == disc + 1);
	CHECK(p->r->state == IKESA_INIT_DONE);
}

TEST(authpuzzle_asked_solved_accepted)
{
	struct ap *p = ap_new(PSK, AP_D, true);
	const uint8_t *pz;
	unsigned long dh;

	if (!p || !p->r)
		return ap_free(p);
	pz = p->ans.len ? answer_puzzle(&p->ans) : NULL;
	CHECK(pz && pz[0] == 0 && pz[1] == p->r->prf && pz[2] == AP_D);
	CHECK(ike_auth_puzzle(p->r) == AP_D && !p->r->sk_in && p->r->dh);
	ap_solve(p);
	CHECK(auth_score(p->r, &p->auth) >= AP_D);
	dh = dh_shared_calls;
	CHECK(ike_recv(p->r, p->auth.buf, p->auth.len, &p->out) == IKE_RX_OK);
	CHECK(dh_shared_calls == dh + 1 && !p->r->dh);
	CHECK(p->r->state == IKESA_ESTABLISHED && p->out.len);
	CHECK(ike_recv(p->i, p->out.buf, p->out.len, &p->ans) == IKE_RX_OK);
	CHECK(p->i->state == IKESA_ESTABLISHED && p->i->have_child);
	ap_free(p);
}

/* A retransmitted IKE_AUTH gets the same answer, with no D-H work. */
TEST(authpuzzle_retransmit)
{
	struct ap *p = ap_new(PSK, AP_D, true);
	static struct ike_out again;
	unsigned long dh;

	if (!p || !p->r)
		return ap_free(p);
	ap_solve(p);
	CHECK(ike_recv(p->r, p->auth.buf, p->auth.len, &p->out) == IKE_RX_OK);
	dh = dh_shared_calls;
	CHECK(ike_recv(p->r, p->auth.buf, p->auth.len, &again) ==
	      IKE_RX_RESENT);
	CHECK(again.len == p->out.len &&
	      !memcmp(again.buf, p->out.buf, again.len));
	CHECK(dh_shared_calls == dh);
	ap_free(p);
}

/* @m without its first payload (the PS), into @out. */
static size_t strip_ps(const struct ike_out *m, uint8_t *out)
{
	size_t ps = (size_t)(m->buf[IKE_HDR_LEN + 2] << 8 |
			     m->buf[IKE_HDR_LEN + 3]);
	size_t len = m->len - ps;

	memcpy(out, m->buf, IKE_HDR_LEN);
	out[16] = m->buf[IKE_HDR_LEN];	/* PS's Next Payload: SK */
	memcpy(out + IKE_HDR_LEN, m->buf + IKE_HDR_LEN + ps,
	       m->len - IKE_HDR_LEN - ps);
	out[24] = (uint8_t)(len >> 24);
	out[25] = (uint8_t)(len >> 16);
	out[26] = (uint8_t)(len >> 8);
	out[27] = (uint8_t)len;
	return len;
}

/* A wrong, repeated-key or missing solution: dropped, then the good one. */
TEST(authpuzzle_bad_solutions_dropped)
{
	struct ap *p = ap_new(PSK, AP_D, true);
	static uint8_t bad[IKE_MSG_MAX];
	uint8_t s[IKE_NONCE_MAX + IKE_SPI_LEN], *k1;
	size_t kl = PUZZLE_KEY_LEN, sl;

	if (!p || !p->r)
		return ap_free(p);
	ap_solve(p);
	k1 = bad + IKE_HDR_LEN + IKE_GEN_HDR_LEN;
	memcpy(s, p->r->nr, p->r->nr_len);
	memcpy(s + p->r->nr_len, p->r->spi_r, IKE_SPI_LEN);
	sl = p->r->nr_len + IKE_SPI_LEN;
	/* K1 replaced by a key with fewer than D bits */
	memcpy(bad, p->auth.buf, p->auth.len);
	do
		k1[kl - 1]++;
	while (ref_prf_bits((uint16_t)p->r->prf, k1, kl, s, sl) >= AP_D);
	dropped(p, bad, p->auth.len);
	/* four copies of one good key */
	memcpy(bad, p->auth.buf, p->auth.len);
	memcpy(k1 + kl, k1, kl);
	memcpy(k1 + 2 * kl, k1, kl);
	memcpy(k1 + 3 * kl, k1, kl);
	dropped(p, bad, p->auth.len);
	/* no PS at all */
	dropped(p, bad, strip_ps(&p->auth, bad));
	CHECK(ike_recv(p->r, p->auth.buf, p->auth.len, &p->out) == IKE_RX_OK);
	CHECK(p->r->state == IKESA_ESTABLISHED);
	ap_free(p);
}

/* The initiator told a lower D solves it; the responder wants its own. */
TEST(authpuzzle_too_weak_dropped)
{
	struct ap *p = ap_new(PSK, 20, true);
	uint8_t *pz;

	if (!p || !p->r)
		return ap_free(p);
	pz = (uint8_t *)answer_puzzle(&p->ans);
	CHECK(pz && pz[2] == 20);
	if (!pz)
		return ap_free(p);
	pz[2] = 2;
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->auth) == IKE_RX_OK);
	CHECK(solve(p->i, &p->auth) == 1);
	CHECK(auth_score(p->r, &p->auth) >= 2 &&
	      auth_score(p->r, &p->auth) < 20);
	dropped(p, p->auth.buf, p->auth.len);
	ap_free(p);
}

/* Out of budget: IKE_AUTH without PS, which the responder drops. */
TEST(authpuzzle_unsolved_sends_without)
{
	struct ap *p = ap_new(PSK, 40, true);

	if (!p || !p->r)
		return ap_free(p);
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->auth) == IKE_RX_OK);
	CHECK(ike_puzzle_asked(p->i) == 40);
	CHECK(ike_puzzle_work(p->i, 64, true, &p->auth) == 1 && p->auth.len);
	CHECK(p->i->state == IKESA_AUTH_SENT && auth_score(p->r, &p->auth) < 0);
	dropped(p, p->auth.buf, p->auth.len);
	ap_free(p);
}

/* No PS in IKE_SA_INIT (a legacy initiator), or no puzzle configured:
 * nothing asked, keys at IKE_SA_INIT as always. */
TEST(authpuzzle_not_asked)
{
	struct ap *p = ap_new(PSK, AP_D, false);
	struct ap *q = ap_new(PSK, 0, true);

	if (p && p->r) {
		CHECK(!answer_puzzle(&p->ans) && !ike_auth_puzzle(p->r));
		CHECK(p->r->sk_in && !p->r->dh);
		CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->auth) ==
		      IKE_RX_OK && p->i->state == IKESA_AUTH_SENT);
		CHECK(auth_score(p->r, &p->auth) < 0);
	}
	if (q && q->r)
		CHECK(!answer_puzzle(&q->ans) && q->r->sk_in);
	ap_free(p);
	ap_free(q);
}

/* D = 0 (not allowed for IKE_AUTH): IKE_AUTH at once, without PS. */
TEST(authpuzzle_initiator_ignores_d0)
{
	struct ap *p = ap_new(PSK, AP_D, true);
	uint8_t *pz;

	if (!p || !p->r)
		return ap_free(p);
	pz = (uint8_t *)answer_puzzle(&p->ans);
	if (pz)
		pz[2] = 0;
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->auth) == IKE_RX_OK);
	CHECK(p->auth.len && ike_puzzle_asked(p->i) == -1);
	CHECK(p->i->state == IKESA_AUTH_SENT && auth_score(p->r, &p->auth) < 0);
	ap_free(p);
}

/* The next message of @m from @off: its length, 0 at the end. */
static size_t next_msg(const struct ike_out *m, size_t off)
{
	const uint8_t *b = m->buf + off;

	if (off + IKE_HDR_LEN > m->len)
		return 0;
	return (size_t)b[24] << 24 | (size_t)b[25] << 16 |
	       (size_t)b[26] << 8 | b[27];
}

/* RFC 7383: PS in fragment 1 only; fragment 2 first waits for it. */
TEST(authpuzzle_fragments)
{
	const char *ts = PSK "fragment-size = 512\nlocal-ts = "
		"2001:db8::/48,2001:db8:1::/48,2001:db8:2::/48,"
		"2001:db8:3::/48,2001:db8:4::/48,2001:db8:5::/48,"
		"2001:db8:6::/48,2001:db8:7::/48,2001:db8:8::/48,"
		"2001:db8:9::/48\n";
	struct ap *p = ap_new(ts, AP_D, true);
	size_t off = 0, n, k = 0, first = 0;
	struct ike_msg m;
	int ret = IKE_RX_DROP;

	if (!p || !p->r)
		return ap_free(p);
	ap_solve(p);
	n = next_msg(&p->auth, 0);
	CHECK(n && n < p->auth.len);	/* fragmented */
	if (n && n < p->auth.len) {	/* fragment 2 before 1: dropped */
		first = next_msg(&p->auth, n);
		CHECK(ike_recv(p->r, p->auth.buf + n, first, &p->out) ==
		      IKE_RX_DROP && !p->r->sk_in);
	}
	for (; (n = next_msg(&p->auth, off)) && off + n <= p->auth.len; k++) {
		CHECK(!ike_parse_msg(p->auth.buf + off, n, &m));
		CHECK((m.chain.pl[0].type == IKE_PL_PS) == (k == 0));
		CHECK(n <= 512 - 28);	/* fragment-size less IPv4, UDP */
		ret = ike_recv(p->r, p->auth.buf + off, n, &p->out);
		off += n;
	}
	CHECK(k >= 2 && ret == IKE_RX_OK);
	CHECK(p->r->state == IKESA_ESTABLISHED);
	ap_free(p);
}
