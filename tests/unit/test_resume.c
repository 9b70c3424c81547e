// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 5723 session resumption (userspace/moatd/exchange_resume.c,
 * ticket.c): two moatd engines in memory. A full exchange gives the
 * initiator a ticket; IKE_SESSION_RESUME with it makes a new IKE SA whose
 * keys agree and whose Child SA is there; a ticket that is expired,
 * changed, used twice or not asked for is refused with TICKET_NACK, and
 * the initiator then ends the SA with that error (moatd falls back to
 * IKE_SA_INIT).
 */
#include <stdlib.h>
#include <string.h>

#include "exchange_fixture.h"
#include "harness.h"

#define RCONF "psk = \"correct horse battery staple\"\nresumption = yes\n"

static uint64_t fake_now = 1000000;

static uint64_t clock_fake(void)
{
	return fake_now;
}

struct rpair {
	struct xfix fx;
	struct ikesa *i, *r;	/* the first IKE SA */
	struct ike_ticket *t;	/* the ticket the initiator kept */
};

static void rpair_free(struct rpair *p)
{
	ikesa_free(p->i);
	ikesa_free(p->r);
	ike_ticket_free(p->t);
	xfix_free(&p->fx);
	free(p);
	ticket_reset();
	ticket_test_now = NULL;
}

/* A full exchange between @ti and @tr; the ticket it gave, if any. */
static struct rpair *rpair_new(const char *ti, const char *tr)
{
	struct rpair *p = calloc(1, sizeof(*p));
	uint16_t note = 0;

	ticket_reset();
	ticket_test_now = clock_fake;
	if (!p || xfix_init(&p->fx, ti, tr)) {
		free(p);
		return NULL;
	}
	if (xfix_establish(&p->fx, &p->i, &p->r, &note)) {
		rpair_free(p);
		return NULL;
	}
	p->t = ike_ticket_take(p->i);
	return p;
}

/* IKE_SESSION_RESUME with @t: the request, the answer, NACK or not. */
static struct ikesa *resume_step(struct rpair *p, const struct ike_ticket *t,
				 struct ikesa **r, struct ike_out *auth,
				 uint16_t *note)
{
	static struct ike_out req, ans;
	struct ikesa *i = ike_resume(&p->fx.ci->conns[0], &p->fx.epi, t, &req);

	*r = NULL;
	if (!i)
		return NULL;
	*r = ike_respond_resume(p->fx.cr, &p->fx.epr, req.buf, req.len, &ans,
				note);
	CHECK(ans.len > 0);
	CHECK(ike_recv(i, ans.buf, ans.len, auth) == IKE_RX_OK);
	return i;
}

/* Resumption, then IKE_AUTH; 0 when both ends are established. */
static int resume_full(struct rpair *p, struct ikesa **i, struct ikesa **r)
{
	static struct ike_out auth, ans, tmp;
	uint16_t note = 0;

	*i = resume_step(p, p->t, r, &auth, &note);
	if (!*i || !*r || !auth.len ||
	    ike_recv(*r, auth.buf, auth.len, &ans) != IKE_RX_OK ||
	    ike_recv(*i, ans.buf, ans.len, &tmp) != IKE_RX_OK)
		return -1;
	return (*i)->state == IKESA_ESTABLISHED &&
	       (*r)->state == IKESA_ESTABLISHED ? 0 : -1;
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	return a && b && n && !memcmp(a, b, n);
}

TEST(resume_ticket_issued)
{
	struct rpair *p = rpair_new(RCONF, RCONF);

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	CHECK(p->t->len > TICKET_HDR_LEN + TICKET_TAG_LEN);
	CHECK(p->t->expires == fake_now + MOATD_DEFAULT_TICKET_LIFETIME);
	CHECK(same(p->t->sk_d, p->i->keys.sk_d, p->i->keys.prf_len));
	/* The ticket is sealed: SK_d is nowhere in it in the clear. */
	CHECK(!memmem(p->t->opaque, p->t->len, p->t->sk_d, p->t->sk_d_len));
out:
	if (p)
		rpair_free(p);
}

TEST(resume_no_ticket_unless_both_want_it)
{
	struct rpair *p = rpair_new(RCONF, "psk = \"correct horse battery staple\"\n");

	CHECK(p && !p->t);	/* the responder said TICKET_NACK */
	if (p)
		rpair_free(p);
	p = rpair_new("psk = \"correct horse battery staple\"\n", RCONF);
	CHECK(p && !p->t);	/* the initiator did not ask */
	if (p)
		rpair_free(p);
}

TEST(resume_valid_ticket)
{
	struct rpair *p = rpair_new(RCONF, RCONF);
	struct ikesa *i = NULL, *r = NULL;

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	CHECK(resume_full(p, &i, &r) == 0);
	if (!i || !r || i->state != IKESA_ESTABLISHED)
		goto out;
	CHECK(i->resumed && r->resumed);
	CHECK(memcmp(i->spi_i, p->i->spi_i, IKE_SPI_LEN));
	CHECK(same(i->keys.sk_d, r->keys.sk_d, i->keys.prf_len));
	CHECK(same(i->keys.sk_ei, r->keys.sk_ei, i->keys.encr_len));
	CHECK(same(i->keys.sk_pr, r->keys.sk_pr, i->keys.prf_len));
	/* New keys: not the old SA's. */
	CHECK(!same(i->keys.sk_d, p->i->keys.sk_d, i->keys.prf_len));
	CHECK(i->have_child && r->have_child);
	CHECK(i->child.spi_out == r->child.spi_in);
	CHECK(i->child.spi_in == r->child.spi_out);
	CHECK(same(i->child.key_out, r->child.key_in, i->child.keymat_len));
	CHECK(same(i->child.key_in, r->child.key_out, i->child.keymat_len));
	/* The resumed IKE_AUTH gave a fresh ticket for next time. */
	CHECK(i->ticket && memcmp(i->ticket->opaque, p->t->opaque, 16));
out:
	ikesa_free(i);
	ikesa_free(r);
	if (p)
		rpair_free(p);
}

/* A refused ticket: TICKET_NACK, and the initiator's SA ends with it. */
static void check_nack(struct rpair *p, const struct ike_ticket *t)
{
	static struct ike_out auth;
	uint16_t note = 0;
	struct ikesa *r, *i = resume_step(p, t, &r, &auth, &note);

	CHECK(i && !r);
	CHECK(note == IKE_N_TICKET_NACK);
	CHECK(i && i->state == IKESA_DEAD && i->error == IKE_N_TICKET_NACK);
	CHECK(!auth.len);
	ikesa_free(i);
	ikesa_free(r);
}

TEST(resume_expired_ticket)
{
	struct rpair *p = rpair_new(RCONF, RCONF);

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	fake_now += MOATD_DEFAULT_TICKET_LIFETIME + 1;
	check_nack(p, p->t);
out:
	if (p)
		rpair_free(p);
}

TEST(resume_tampered_ticket)
{
	struct rpair *p = rpair_new(RCONF, RCONF);
	struct ike_ticket t;
	size_t i;

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	for (i = 0; i < p->t->len; i += 7) {
		t = *p->t;
		t.opaque[i] ^= 0x10;
		check_nack(p, &t);
	}
	t = *p->t;
	t.len--;
	check_nack(p, &t);
out:
	if (p)
		rpair_free(p);
}

TEST(resume_replayed_ticket)
{
	struct rpair *p = rpair_new(RCONF, RCONF);
	struct ikesa *i = NULL, *r = NULL;

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	CHECK(resume_full(p, &i, &r) == 0);
	check_nack(p, p->t);
out:
	ikesa_free(i);
	ikesa_free(r);
	if (p)
		rpair_free(p);
}

/* One more full exchange on @p's configs; the ticket it gave. */
static struct ike_ticket *full_again(struct rpair *p)
{
	struct ikesa *i = NULL, *r = NULL;
	struct ike_ticket *t = NULL;
	uint16_t note = 0;

	if (!xfix_establish(&p->fx, &i, &r, &note))
		t = ike_ticket_take(i);
	ikesa_free(i);
	ikesa_free(r);
	return t;
}

/* The ticket key changes; the previous one still opens for a period. */
TEST(resume_key_rotation)
{
	struct rpair *p = rpair_new(RCONF "resumption-lifetime = 1d\n",
				    RCONF "resumption-lifetime = 1d\n");
	struct ikesa *i = NULL, *r = NULL;
	struct ike_ticket *newer;

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	fake_now += TICKET_KEY_ROTATE_S / 2;
	ike_ticket_free(p->t);
	p->t = full_again(p);		/* sealed with the first key */
	fake_now += TICKET_KEY_ROTATE_S / 2 + 1;
	newer = full_again(p);		/* the second key */
	CHECK(p->t && newer && memcmp(p->t->opaque + 1, newer->opaque + 1, 4));
	ike_ticket_free(newer);
	CHECK(resume_full(p, &i, &r) == 0);
out:
	ikesa_free(i);
	ikesa_free(r);
	if (p)
		rpair_free(p);
}

/* A resume request without a ticket or nonce is dropped, not answered. */
TEST(resume_malformed_dropped)
{
	struct rpair *p = rpair_new(RCONF, RCONF);
	static struct ike_out req, ans;
	struct ikesa *i, *r;
	size_t n;

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	i = ike_resume(&p->fx.ci->conns[0], &p->fx.epi, p->t, &req);
	CHECK(i != NULL);
	for (n = 0; i && n < req.len; n++) {
		r = ike_respond_resume(p->fx.cr, &p->fx.epr, req.buf, n, &ans,
				       NULL);
		CHECK(!r && !ans.len);
		ikesa_free(r);
	}
	ikesa_free(i);
out:
	if (p)
		rpair_free(p);
}

/* The responder's conn changed since the ticket: its IDr, or resumption. */
TEST(resume_conn_changed)
{
	struct rpair *p = rpair_new(RCONF, RCONF);
	struct moatd_conn *c;

	CHECK(p && p->t);
	if (!p || !p->t)
		goto out;
	c = &p->fx.cr->conns[0];
	c->local_id.data[0] ^= 1;
	check_nack(p, p->t);
	c->local_id.data[0] ^= 1;
	ticket_forget_used();
	c->resumption = false;
	check_nack(p, p->t);
out:
	if (p)
		rpair_free(p);
}
