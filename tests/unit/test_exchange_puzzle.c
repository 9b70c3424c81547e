// SPDX-License-Identifier: GPL-2.0
/*
 * moatd as an RFC 8019 initiator (exchange_puzzle.c): a responder here
 * answers IKE_SA_INIT with N(COOKIE), N(PUZZLE) as the guard does; the
 * retried request must carry the cookie first, then a Puzzle Solution
 * that the independent check of puzzle_ref.h accepts, then SA, KE and
 * Ni; and moatd's own responder must still take that request.
 */
#include <stdlib.h>
#include <string.h>

#include "exchange_fixture.h"
#include "harness.h"
#include "puzzle_ref.h"

#define PSK "psk = \"correct horse battery staple\"\n"

static const uint8_t pz_cookie[20] = "cookie of the guard";

/* HDR, N(COOKIE), [N(PUZZLE)] answering the request @req. */
static void puzzle_answer(const struct ike_out *req, const uint8_t *cookie,
			  size_t clen, const uint8_t *pz, size_t pzlen,
			  struct ike_out *out)
{
	struct ike_writer w;
	struct ike_hdr h;
	long n;

	CHECK(!ike_parse_hdr(req->buf, req->len, &h));
	memset(h.spi_r, 0, IKE_SPI_LEN);
	h.flags = IKE_FLAG_R;
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	xchg_notify(&w, IKE_N_COOKIE, cookie, clen);
	if (pz)
		xchg_notify(&w, IKE_N_PUZZLE, pz, pzlen);
	n = ike_w_finish(&w);
	CHECK(n > 0);
	out->len = n > 0 ? (size_t)n : 0;
}

/*
 * The score of @req's solution as the guard sees it: -1 without a PS,
 * -2 when the order is not N(COOKIE) = @cookie, PS, SA, KE, Ni.
 */
static int request_score(const struct ike_out *req, const uint8_t *cookie,
			 size_t clen, uint16_t prf)
{
	struct ike_msg m;
	struct ike_notify n;
	size_t i = 1;

	if (ike_parse_msg(req->buf, req->len, &m) || m.chain.n < 4 ||
	    m.chain.pl[0].type != IKE_PL_NOTIFY ||
	    ike_dec_notify(m.chain.pl[0].body, m.chain.pl[0].len, &n) ||
	    n.type != IKE_N_COOKIE || n.len != clen ||
	    memcmp(n.data, cookie, clen))
		return -2;
	if (m.chain.pl[1].type == IKE_PL_PS)
		i = 2;
	if (m.chain.pl[i].type != IKE_PL_SA ||
	    m.chain.pl[i + 1].type != IKE_PL_KE ||
	    m.chain.pl[i + 2].type != IKE_PL_NONCE)
		return -2;
	if (i == 1)
		return -1;
	return ref_score(prf, cookie, clen, m.chain.pl[1].body,
			 m.chain.pl[1].len);
}

/* Works the puzzle in steps of 256 tries until the request is out. */
static int solve(struct ikesa *i, struct ike_out *out)
{
	int r = 0, rounds = 0;

	while (!r && rounds++ < 10000)
		r = ike_puzzle_work(i, 256, false, out);
	return r;
}

struct pz {
	struct xfix fx;
	struct ikesa *i;
	struct ike_out req, ans, next;
};

static struct pz *pz_new(const char *ti)
{
	struct pz *p = calloc(1, sizeof(*p));

	if (!p || xfix_init(&p->fx, ti, PSK)) {
		free(p);
		return NULL;
	}
	p->i = ike_initiate(&p->fx.ci->conns[0], &p->fx.epi, &p->req);
	CHECK(p->i != NULL);
	return p;
}

static void pz_free(struct pz *p)
{
	if (!p)
		return;
	ikesa_free(p->i);
	xfix_free(&p->fx);
	free(p);
}

/* Our request answered with a puzzle of @d for @prf: what came back. */
static int pz_ask(struct pz *p, uint16_t prf, uint8_t d)
{
	const uint8_t data[3] = { (uint8_t)(prf >> 8), (uint8_t)prf, d };

	puzzle_answer(&p->req, pz_cookie, sizeof(pz_cookie), data, 3, &p->ans);
	return ike_recv(p->i, p->ans.buf, p->ans.len, &p->next);
}

TEST(exchange_puzzle_solved)
{
	struct pz *p = pz_new(PSK);

	if (!p || !p->i)
		return pz_free(p);
	CHECK(pz_ask(p, IKE_PRF_HMAC_SHA2_256, 10) == IKE_RX_OK);
	CHECK(p->next.len == 0 && ike_puzzle_asked(p->i) == 10);
	CHECK(p->i->state == IKESA_INIT_SENT);
	/* Another answer while it is being solved changes nothing. */
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->next) ==
	      IKE_RX_DROP);
	CHECK(solve(p->i, &p->next) == 1 && p->next.len);
	CHECK(ike_puzzle_asked(p->i) == -1 && p->i->init_rounds == 2);
	CHECK(request_score(&p->next, pz_cookie, sizeof(pz_cookie),
			    IKE_PRF_HMAC_SHA2_256) >= 10);
	CHECK(ike_puzzle_work(p->i, 1, false, &p->next) == -1);
	pz_free(p);
}

/* Out of budget, or not solved: the cookie alone, as a legacy initiator. */
TEST(exchange_puzzle_stop_is_legacy)
{
	struct pz *p = pz_new(PSK);

	if (!p || !p->i)
		return pz_free(p);
	CHECK(pz_ask(p, IKE_PRF_HMAC_SHA2_256, 40) == IKE_RX_OK);
	CHECK(ike_puzzle_work(p->i, 64, false, &p->next) == 0 &&
	      !p->next.len);
	CHECK(ike_puzzle_work(p->i, 64, true, &p->next) == 1);
	CHECK(request_score(&p->next, pz_cookie, sizeof(pz_cookie),
			    IKE_PRF_HMAC_SHA2_256) == -1);
	CHECK(ike_puzzle_asked(p->i) == -1 && p->i->ps_len == 0);
	pz_free(p);
}

/* A PRF we did not offer, or a malformed N(PUZZLE): retry at once. */
TEST(exchange_puzzle_not_ours)
{
	struct pz *p = pz_new(PSK "ike = aes128gcm16-prfsha256-x25519\n");
	const uint8_t bad[2] = { 0, 5 };

	if (!p || !p->i)
		return pz_free(p);
	CHECK(pz_ask(p, IKE_PRF_HMAC_SHA2_512, 4) == IKE_RX_OK);
	CHECK(ike_puzzle_asked(p->i) == -1 && p->next.len);
	CHECK(request_score(&p->next, pz_cookie, sizeof(pz_cookie),
			    IKE_PRF_HMAC_SHA2_512) == -1);
	p->req = p->next;
	puzzle_answer(&p->req, pz_cookie, 20, bad, 2, &p->ans);
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->next) == IKE_RX_OK);
	CHECK(ike_puzzle_asked(p->i) == -1 && p->next.len);
	CHECK(request_score(&p->next, pz_cookie, sizeof(pz_cookie), 5) == -1);
	pz_free(p);
}

/* D = 0: spend what the caller allows, send the four best keys. */
TEST(exchange_puzzle_difficulty_zero)
{
	struct pz *p = pz_new(PSK "ike = aes256gcm16-prfsha384-x25519\n");
	int i;

	if (!p || !p->i)
		return pz_free(p);
	CHECK(pz_ask(p, IKE_PRF_HMAC_SHA2_384, 0) == IKE_RX_OK);
	CHECK(ike_puzzle_asked(p->i) == 0);
	for (i = 0; i < 8; i++)
		CHECK(ike_puzzle_work(p->i, 256, false, &p->next) == 0);
	CHECK(ike_puzzle_work(p->i, 256, true, &p->next) == 1);
	/* 2048 tries: the fourth best has 7 bits or more, nearly surely. */
	CHECK(request_score(&p->next, pz_cookie, sizeof(pz_cookie),
			    IKE_PRF_HMAC_SHA2_384) >= 5);
	pz_free(p);
}

/* Asked again after a solution: solved again, within the rounds. */
TEST(exchange_puzzle_asked_again)
{
	static const uint8_t c2[8] = "again!!";
	const uint8_t data[3] = { 0, IKE_PRF_HMAC_SHA2_256, 6 };
	struct pz *p = pz_new(PSK);
	int round;

	if (!p || !p->i)
		return pz_free(p);
	CHECK(pz_ask(p, IKE_PRF_HMAC_SHA2_256, 4) == IKE_RX_OK);
	CHECK(solve(p->i, &p->req) == 1);
	puzzle_answer(&p->req, c2, sizeof(c2), data, 3, &p->ans);
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->next) == IKE_RX_OK);
	CHECK(ike_puzzle_asked(p->i) == 6 && solve(p->i, &p->next) == 1);
	CHECK(request_score(&p->next, c2, sizeof(c2),
			    IKE_PRF_HMAC_SHA2_256) >= 6);
	for (round = 0; round < 3; round++) {
		p->req = p->next;
		puzzle_answer(&p->req, c2, sizeof(c2), data, 3, &p->ans);
		if (ike_recv(p->i, p->ans.buf, p->ans.len, &p->next))
			break;
		solve(p->i, &p->next);
	}
	CHECK(round == 1 && p->i->init_rounds == IKESA_INIT_ROUNDS);
	pz_free(p);
}

/* The guard's cookie, a solved puzzle, and moatd's responder takes it. */
TEST(exchange_puzzle_then_responder)
{
	const uint8_t data[3] = { 0, IKE_PRF_HMAC_SHA2_256, 8 };
	struct pz *p = pz_new(PSK);
	struct ike_notify n;
	struct ike_msg m;
	struct ikesa *r;
	uint16_t note = 0;

	if (!p || !p->i)
		return pz_free(p);
	CHECK(!ike_responder_init(&p->fx.resp, true));
	r = ike_respond_init(&p->fx.resp, &p->fx.cr->conns[0], &p->fx.epr,
			     p->req.buf, p->req.len, &p->ans, &note);
	CHECK(!r && note == IKE_N_COOKIE);
	CHECK(!ike_parse_msg(p->ans.buf, p->ans.len, &m) && m.chain.n == 1 &&
	      !ike_dec_notify(m.chain.pl[0].body, m.chain.pl[0].len, &n));
	puzzle_answer(&p->req, n.data, n.len, data, 3, &p->next);
	CHECK(ike_recv(p->i, p->next.buf, p->next.len, &p->ans) == IKE_RX_OK);
	CHECK(solve(p->i, &p->req) == 1);
	CHECK(request_score(&p->req, p->i->cookie, p->i->cookie_len,
			    IKE_PRF_HMAC_SHA2_256) >= 8);
	r = ike_respond_init(&p->fx.resp, &p->fx.cr->conns[0], &p->fx.epr,
			     p->req.buf, p->req.len, &p->ans, &note);
	CHECK(r && note == 0);
	CHECK(ike_recv(p->i, p->ans.buf, p->ans.len, &p->next) == IKE_RX_OK);
	CHECK(p->i->state == IKESA_AUTH_SENT);
	ikesa_free(r);
	pz_free(p);
}
