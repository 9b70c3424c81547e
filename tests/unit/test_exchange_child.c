// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's CREATE_CHILD_SA and INFORMATIONAL (exchange_child.c,
 * exchange_rekey.c, exchange_info.c): two ends established with
 * IKE_SA_INIT and IKE_AUTH run the later exchanges against each other in
 * memory, including the RFC 7296 §2.8 collisions, and every tampered copy
 * of each new message is dropped without a change.
 */
#include <stdlib.h>
#include <string.h>

#include "exchange_est.h"
#include "exchange_fixture.h"
#include "harness.h"
#include "secmem.h"

#define PSK "psk = \"correct horse battery staple\"\n"
#define SIDE_MAX 6

/* One end: its IKE SAs (the first is the original), what it logged. */
struct side {
	struct ikesa *sa[SIDE_MAX];
	size_t n;
	struct child_op ops[64];
	size_t n_ops;
};

struct duo {
	struct xfix fx;
	struct side a, b;	/* a: the original initiator */
};

/* IKE_SA_INIT and IKE_AUTH; false if they did not establish. */
static bool establish(struct duo *d)
{
	uint16_t n = 0;
	int bad = xfix_establish(&d->fx, &d->a.sa[0], &d->b.sa[0], &n);

	d->a.n = d->a.sa[0] ? 1 : 0;
	d->b.n = d->b.sa[0] ? 1 : 0;
	if (bad)
		return false;
	return d->a.sa[0]->state == IKESA_ESTABLISHED &&
	       d->b.sa[0]->state == IKESA_ESTABLISHED &&
	       d->a.sa[0]->have_child && d->b.sa[0]->have_child;
}

static struct duo *duo_new(const char *extra)
{
	struct duo *d = calloc(1, sizeof(*d));

	if (!xfix_init(&d->fx, extra, extra) && establish(d))
		return d;
	CHECK(!"established");
	return d;
}

static void side_free(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ikesa_free(s->sa[i]);
}

static void duo_free(struct duo *d)
{
	side_free(&d->a);
	side_free(&d->b);
	xfix_free(&d->fx);
	free(d);
}

/* Takes new IKE SAs and the ops every SA of @s logged. */
static void side_collect(struct side *s)
{
	struct ikesa *n;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if ((n = ike_successor_take(s->sa[i])) && s->n < SIDE_MAX)
			s->sa[s->n++] = n;
		if ((n = ike_redundant_take(s->sa[i])) && s->n < SIDE_MAX)
			s->sa[s->n++] = n;
		s->n_ops += ike_child_ops_take(s->sa[i], s->ops + s->n_ops,
					       64 - s->n_ops);
	}
}

/* The SA of @s the message's SPIs name. */
static struct ikesa *route(struct side *s, const struct ike_out *m)
{
	size_t i;

	for (i = 0; m->len >= IKE_HDR_LEN && i < s->n; i++)
		if (!memcmp(m->buf, s->sa[i]->spi_i, IKE_SPI_LEN) &&
		    !memcmp(m->buf + 8, s->sa[i]->spi_r, IKE_SPI_LEN))
			return s->sa[i];
	return NULL;
}

/* Delivers @m to @s; the answer or follow-up in @out. */
static int deliver(struct side *s, const struct ike_out *m,
		   struct ike_out *out)
{
	struct ikesa *sa = route(s, m);
	int r;

	out->len = 0;
	CHECK(sa != NULL);
	if (!sa)
		return IKE_RX_DROP;
	r = ike_recv(sa, m->buf, m->len, out);
	side_collect(s);
	return r;
}

/* One whole exchange from @from's request @req; @follow: its follow-up. */
static void exchange(struct side *from, struct side *to,
		     const struct ike_out *req, struct ike_out *follow)
{
	static struct ike_out resp;

	side_collect(from);
	CHECK(req->len > 0);
	CHECK(deliver(to, req, &resp) == IKE_RX_OK);
	CHECK(resp.len > 0);
	CHECK(deliver(from, &resp, follow) == IKE_RX_OK);
}

static bool key_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	return a && b && len && !memcmp(a, b, len);
}

/* @x and @y are the two ends of one Child SA. */
static void check_pair(const struct child_sa *x, const struct child_sa *y)
{
	CHECK(x && y);
	if (!x || !y)
		return;
	CHECK(x->spi_in >= 256 && x->spi_out >= 256);
	CHECK(x->spi_in == y->spi_out && x->spi_out == y->spi_in);
	CHECK(x->keymat_len && x->keymat_len == y->keymat_len);
	CHECK(key_eq(x->key_in, y->key_out, x->keymat_len));
	CHECK(key_eq(x->key_out, y->key_in, x->keymat_len));
	CHECK(!key_eq(x->key_in, x->key_out, x->keymat_len));
}

/* The one live Child SA of @sa whose SPI is not @not, or NULL. */
static const struct child_sa *other_child(struct ikesa *sa, uint32_t not)
{
	size_t i;

	est_get(sa);
	for (i = 0; sa->est && i < EST_CHILDREN_MAX; i++)
		if (sa->est->child[i].used &&
		    sa->est->child[i].c.spi_in != not)
			return &sa->est->child[i].c;
	return NULL;
}

/* Where the op for @spi of @kind is in @s's log, or -1. */
static int op_at(const struct side *s, enum child_op_kind kind, uint32_t spi)
{
	size_t i;

	for (i = 0; i < s->n_ops; i++)
		if (s->ops[i].kind == kind && s->ops[i].spi_in == spi)
			return (int)i;
	return -1;
}

static uint32_t first_spi(struct ikesa *sa)
{
	const struct child_sa *c = other_child(sa, 0);

	return c ? c->spi_in : 0;
}

TEST(child_new_both_ways)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out q, f;
	uint32_t a1 = first_spi(a), b1 = first_spi(b), a2, b2;

	CHECK(ike_child_count(a) == 1 && ike_child_count(b) == 1);
	CHECK(!ike_create_child(a, &q));
	CHECK(ike_busy(a) && ike_create_child(a, &f) && !f.len);
	exchange(&d->a, &d->b, &q, &f);
	CHECK(!f.len && !ike_busy(a) && !a->child_error);
	CHECK(ike_child_count(a) == 2 && ike_child_count(b) == 2);
	a2 = other_child(a, a1)->spi_in;
	b2 = other_child(b, b1)->spi_in;
	check_pair(ike_child_find(a, a2), ike_child_find(b, b2));
	check_pair(ike_child_find(a, a1), ike_child_find(b, b1));
	CHECK(op_at(&d->a, CHILD_OP_INSTALL, a2) == 0);
	CHECK(op_at(&d->b, CHILD_OP_INSTALL, b2) == 0);
	CHECK(a->next_req_id == 3 && b->next_exp_id == 3);
	/* The original responder starts one: its own Message ID 0. */
	CHECK(!ike_create_child(b, &q));
	CHECK(q.len > 20 && !memcmp(q.buf + 20, "\0\0\0\0", 4));
	exchange(&d->b, &d->a, &q, &f);
	CHECK(ike_child_count(a) == 3 && ike_child_count(b) == 3);
	CHECK(b->next_req_id == 1 && a->next_exp_id == 1);
	duo_free(d);
}

/*
 * §2.17 KEYMAT of the Child SA that @resp (to @x's request) makes, from
 * x's pending nonce and D-H key: prf+(SK_d, [g^ir |] Ni | Nr).
 */
static void expect_keymat(struct ikesa *x, const struct ike_out *resp,
			  uint8_t *km, size_t len, bool *pfs)
{
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t gir[DH_PUBLIC_MAX], crit = 0;
	const struct ike_payload *ke_pl, *n_pl;
	struct ike_chunk parts[3];
	struct ike_chain c;
	struct ike_ke ke;
	size_t n = 0;

	CHECK(xchg_open(x, resp->buf, resp->len, plain, &c, &crit) == 0);
	ke_pl = ike_chain_find(&c, IKE_PL_KE, 0);
	n_pl = ike_chain_find(&c, IKE_PL_NONCE, 0);
	*pfs = ke_pl != NULL;
	CHECK(n_pl && (ke_pl != NULL) == (x->est->pend.dh != NULL));
	if (!n_pl)
		return;
	if (ke_pl) {
		CHECK(!ike_dec_ke(ke_pl->body, ke_pl->len, &ke));
		parts[n++] = (struct ike_chunk){ gir,
				dh_secret_len(ke.group) };
		CHECK(!dh_shared(x->est->pend.dh, ke.data, ke.len, gir,
				 parts[0].len));
	}
	parts[n++] = (struct ike_chunk){ x->est->pend.nonce,
					 sizeof(x->est->pend.nonce) };
	parts[n++] = (struct ike_chunk){ n_pl->body, n_pl->len };
	CHECK(!ike_prf_plus(x->prf, x->keys.sk_d, x->keys.prf_len, parts, n,
			    km, len));
}

/* A rekey of the IKE_AUTH Child SA started by @from. */
static void rekey_child(const char *extra, bool by_a, bool want_pfs)
{
	struct duo *d = duo_new(extra);
	struct side *from = by_a ? &d->a : &d->b, *to = by_a ? &d->b : &d->a;
	struct ikesa *x = from->sa[0], *y = to->sa[0];
	static struct ike_out q, r, del, f;
	uint32_t xo = first_spi(x), yo = first_spi(y), xn, yn;
	uint8_t old_key[64], km[128];
	size_t klen = ike_child_find(x, xo)->keymat_len;
	bool pfs = false;

	memcpy(old_key, ike_child_find(x, xo)->key_out, klen);
	CHECK(!ike_rekey_child(x, xo, &q));
	side_collect(from);
	CHECK(deliver(to, &q, &r) == IKE_RX_OK && r.len);
	expect_keymat(x, &r, km, 2 * klen, &pfs);
	CHECK(pfs == want_pfs);
	CHECK(deliver(from, &r, &del) == IKE_RX_OK);
	CHECK(del.len > 0 && !x->child_error);	/* the old SA's Delete */
	CHECK(ike_child_count(x) == 2 && ike_child_count(y) == 2);
	xn = other_child(x, xo)->spi_in;
	yn = other_child(y, yo)->spi_in;
	check_pair(ike_child_find(x, xn), ike_child_find(y, yn));
	CHECK(key_eq(ike_child_find(x, xn)->key_out, km, klen));
	CHECK(key_eq(ike_child_find(x, xn)->key_in, km + klen, klen));
	CHECK(xn != xo && yn != yo);
	CHECK(!key_eq(ike_child_find(x, xn)->key_out, old_key, klen));
	CHECK(op_at(from, CHILD_OP_DELETE, xo) < 0);	/* not yet */
	exchange(from, to, &del, &f);
	CHECK(ike_child_count(x) == 1 && ike_child_count(y) == 1);
	CHECK(!ike_child_find(x, xo) && !ike_child_find(y, yo));
	/* The kernel installs the new SA before it deletes the old one. */
	CHECK(op_at(from, CHILD_OP_INSTALL, xn) >= 0);
	CHECK(op_at(from, CHILD_OP_INSTALL, xn) <
	      op_at(from, CHILD_OP_DELETE, xo));
	CHECK(op_at(to, CHILD_OP_INSTALL, yn) <
	      op_at(to, CHILD_OP_DELETE, yo));
	CHECK(op_at(to, CHILD_OP_INSTALL, yn) >= 0);
	CHECK(from->ops[op_at(from, CHILD_OP_INSTALL, xn)].replaces == xo);
	CHECK(to->ops[op_at(to, CHILD_OP_INSTALL, yn)].replaces == yo);
	duo_free(d);
}

TEST(child_rekey)
{
	rekey_child(PSK, true, false);
	rekey_child(PSK, false, false);
	rekey_child(PSK "esp = aes256gcm16-x25519\n", true, true);
	rekey_child(PSK "esp = chacha20poly1305-ecp256\n", false, true);
}

/* The new IKE SA's keys from an independent §2.18 computation. */
static void check_skeyseed(struct ikesa *old, struct ikesa *n,
			   const struct ike_out *resp)
{
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t gir[DH_PUBLIC_MAX], seed[IKE_PRF_MAX_LEN], crit = 0;
	const struct ike_payload *ke_pl;
	struct ike_sa_keys k = { 0 };
	struct ike_chain c;
	struct ike_ke ke;
	size_t glen = dh_secret_len(old->dh_group);
	struct ike_chunk parts[3] = {
		{ gir, glen }, { n->ni, n->ni_len }, { n->nr, n->nr_len },
	};

	CHECK(xchg_open(old, resp->buf, resp->len, plain, &c, &crit) == 0);
	ke_pl = ike_chain_find(&c, IKE_PL_KE, 0);
	CHECK(ke_pl && !ike_dec_ke(ke_pl->body, ke_pl->len, &ke));
	if (!ke_pl)
		return;
	CHECK(!dh_shared(old->est->pend.dh, ke.data, ke.len, gir, glen));
	CHECK(!ike_prf(old->prf, old->keys.sk_d, old->keys.prf_len, parts, 3,
		       seed));
	CHECK(!ike_sa_keys_derive(&k, n->prf, seed, &parts[1], &parts[2],
				  n->spi_i, n->spi_r, 0, n->keys.encr_len));
	CHECK(key_eq(k.sk_d, n->keys.sk_d, k.prf_len));
	CHECK(key_eq(k.sk_ei, n->keys.sk_ei, k.encr_len));
	CHECK(key_eq(k.sk_er, n->keys.sk_er, k.encr_len));
	CHECK(key_eq(k.sk_pr, n->keys.sk_pr, k.prf_len));
	CHECK(!key_eq(n->keys.sk_d, old->keys.sk_d, k.prf_len));
	ike_sa_keys_free(&k);
}

static void check_same_ike(struct ikesa *x, struct ikesa *y)
{
	CHECK(x && y);
	if (!x || !y)
		return;
	CHECK(x->state == IKESA_ESTABLISHED && y->state == IKESA_ESTABLISHED);
	CHECK(!memcmp(x->spi_i, y->spi_i, 8) && !memcmp(x->spi_r, y->spi_r, 8));
	CHECK(x->role != y->role);
	CHECK(key_eq(x->keys.sk_d, y->keys.sk_d, x->keys.prf_len));
	CHECK(key_eq(x->keys.sk_ei, y->keys.sk_ei, x->keys.encr_len));
	CHECK(key_eq(x->keys.sk_er, y->keys.sk_er, x->keys.encr_len));
}

/* A liveness exchange from @s's live SA works, both ways. */
static void check_alive(struct side *s, struct ikesa *x, struct side *t)
{
	static struct ike_out q, f;
	uint32_t id = x->next_req_id;

	CHECK(!ike_dpd(x, &q));
	exchange(s, t, &q, &f);
	CHECK(!f.len && x->next_req_id == id + 1 && !ike_busy(x));
}

static void rekey_ike(bool by_a)
{
	struct duo *d = duo_new(PSK);
	struct side *from = by_a ? &d->a : &d->b, *to = by_a ? &d->b : &d->a;
	struct ikesa *x = from->sa[0], *y = to->sa[0];
	static struct ike_out q, r, del, f;
	uint32_t xc = first_spi(x), yc = first_spi(y);

	CHECK(!ike_rekey_ike(x, &q));
	CHECK(deliver(to, &q, &r) == IKE_RX_OK && r.len);
	CHECK(to->n == 2 && y->state == IKESA_DELETING);
	check_skeyseed(x, to->sa[1], &r);
	CHECK(deliver(from, &r, &del) == IKE_RX_OK && del.len);
	CHECK(from->n == 2 && x->state == IKESA_DELETING);
	check_same_ike(from->sa[1], to->sa[1]);
	CHECK(from->sa[1]->role == IKESA_INITIATOR);	/* §2.18 */
	CHECK(ike_child_count(x) == 0 && ike_child_count(y) == 0);
	CHECK(ike_child_find(from->sa[1], xc) && ike_child_find(to->sa[1], yc));
	check_pair(ike_child_find(from->sa[1], xc),
		   ike_child_find(to->sa[1], yc));
	CHECK(route(to, &del) == y);	/* the Delete is for the old SA */
	exchange(from, to, &del, &f);
	CHECK(x->state == IKESA_DEAD && y->state == IKESA_DEAD);
	CHECK(!x->error && !y->error);
	CHECK(op_at(from, CHILD_OP_DELETE, xc) < 0);	/* it lives on */
	CHECK(op_at(to, CHILD_OP_DELETE, yc) < 0);
	check_alive(from, from->sa[1], to);
	check_alive(to, to->sa[1], from);
	CHECK(from->sa[1]->next_req_id == 1 && to->sa[1]->next_req_id == 1);
	duo_free(d);
}

TEST(ike_rekey)
{
	rekey_ike(true);
	rekey_ike(false);
}

/* Whether @m, for @x, holds exactly one Delete: of ESP SPI @spi. */
static bool answer_deletes(struct ikesa *x, const struct ike_out *m,
			   uint32_t spi)
{
	static uint8_t plain[IKE_MSG_MAX];
	const struct ike_payload *pl;
	struct ike_chain c;
	struct ike_delete del;
	uint8_t crit = 0;

	if (xchg_open(x, m->buf, m->len, plain, &c, &crit) ||
	    !(pl = ike_chain_find(&c, IKE_PL_DELETE, 0)) ||
	    ike_chain_find(&c, IKE_PL_DELETE, 1) ||
	    ike_dec_delete(pl->body, pl->len, &del))
		return false;
	return del.proto == IKE_PROTO_ESP && del.n_spi == 1 &&
	       ((uint32_t)del.spis[0] << 24 | (uint32_t)del.spis[1] << 16 |
		(uint32_t)del.spis[2] << 8 | del.spis[3]) == spi;
}

static void delete_child(bool by_a)
{
	struct duo *d = duo_new(PSK);
	struct side *from = by_a ? &d->a : &d->b, *to = by_a ? &d->b : &d->a;
	struct ikesa *x = from->sa[0], *y = to->sa[0];
	static struct ike_out q, r, f;
	uint32_t xc = first_spi(x), yc = first_spi(y);

	CHECK(ike_delete_child(x, xc + 1, &q) && !q.len);	/* unknown */
	CHECK(!ike_delete_child(x, xc, &q));
	CHECK(ike_child_find(x, xc) != NULL);	/* until the answer */
	side_collect(from);
	CHECK(deliver(to, &q, &r) == IKE_RX_OK);
	CHECK(answer_deletes(x, &r, yc));	/* §1.4.1: with the pair */
	CHECK(deliver(from, &r, &f) == IKE_RX_OK && !f.len);
	CHECK(!ike_child_find(x, xc) && !ike_child_find(y, yc));
	CHECK(op_at(from, CHILD_OP_DELETE, xc) == 0);
	CHECK(op_at(to, CHILD_OP_DELETE, yc) == 0);
	CHECK(from->ops[0].spi_out == yc && to->ops[0].spi_out == xc);
	CHECK(x->state == IKESA_ESTABLISHED && y->state == IKESA_ESTABLISHED);
	duo_free(d);
}

static void delete_ike(bool by_a)
{
	struct duo *d = duo_new(PSK);
	struct side *from = by_a ? &d->a : &d->b, *to = by_a ? &d->b : &d->a;
	struct ikesa *x = from->sa[0], *y = to->sa[0];
	static struct ike_out q, f;
	uint32_t xc = first_spi(x), yc = first_spi(y);

	CHECK(!ike_delete_ike(x, &q) && x->state == IKESA_DELETING);
	CHECK(ike_create_child(x, &f));	/* no more requests */
	exchange(from, to, &q, &f);
	CHECK(x->state == IKESA_DEAD && y->state == IKESA_DEAD);
	CHECK(op_at(from, CHILD_OP_DELETE, xc) == 0);
	CHECK(op_at(to, CHILD_OP_DELETE, yc) == 0);
	CHECK(!ike_child_count(x) && !ike_child_count(y));
	duo_free(d);
}

TEST(info_delete_both_ways)
{
	delete_child(true);
	delete_child(false);
	delete_ike(true);
	delete_ike(false);
}

TEST(info_liveness_and_retransmit)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out q, r, r2, f;
	int i;

	for (i = 0; i < 3; i++) {
		check_alive(&d->a, a, &d->b);
		check_alive(&d->b, b, &d->a);
	}
	CHECK(a->next_req_id == 5 && b->next_exp_id == 5);
	CHECK(b->next_req_id == 3 && a->next_exp_id == 3);
	CHECK(!ike_create_child(a, &q));
	CHECK(ike_recv(b, q.buf, q.len, &r) == IKE_RX_OK);
	/* The same request again: the same answer, nothing redone. */
	CHECK(ike_recv(b, q.buf, q.len, &r2) == IKE_RX_RESENT);
	CHECK(r2.len == r.len && !memcmp(r.buf, r2.buf, r.len));
	CHECK(ike_child_count(b) == 2 && b->next_exp_id == 6);
	CHECK(ike_recv(a, r.buf, r.len, &f) == IKE_RX_OK);
	CHECK(ike_recv(a, r.buf, r.len, &f) == IKE_RX_DROP);	/* done */
	CHECK(ike_child_count(a) == 2);
	/* A response to no request of ours is dropped. */
	CHECK(ike_recv(b, r.buf, r.len, &f) == IKE_RX_DROP);
	duo_free(d);
}

/* Both request at once: each answers the other's with its own pending. */
TEST(collision_crossing_requests)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out qa, qb, ra, rb, f;

	CHECK(!ike_dpd(a, &qa) && !ike_create_child(b, &qb));
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK && rb.len);
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK && ra.len);
	CHECK(ike_busy(a) && ike_busy(b));
	CHECK(deliver(&d->a, &ra, &f) == IKE_RX_OK && !ike_busy(a));
	CHECK(deliver(&d->b, &rb, &f) == IKE_RX_OK && !ike_busy(b));
	CHECK(ike_child_count(a) == 2 && ike_child_count(b) == 2);
	duo_free(d);
}

/* §2.8.1: both rekey the same Child SA; whether a's exchange lost. */
static bool collide_child_rekey(void)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out qa, qb, ra, rb, da, db, ea, eb;
	uint32_t ao = first_spi(a), bo = first_spi(b);
	const struct est_child *na, *nb;
	const struct child_sa *sa_a, *sa_b;
	bool a_lost;

	CHECK(!ike_rekey_child(a, ao, &qa) && !ike_rekey_child(b, bo, &qb));
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK);
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK);
	CHECK(ike_child_count(a) == 2 && ike_child_count(b) == 2);
	CHECK(deliver(&d->a, &ra, &da) == IKE_RX_OK && da.len);
	CHECK(deliver(&d->b, &rb, &db) == IKE_RX_OK && db.len);
	CHECK(ike_child_count(a) == 3 && ike_child_count(b) == 3);
	/* a's exchange's lowest nonce decides (§2.8.1). */
	na = &a->est->child[0];
	for (nb = na; nb < na + EST_CHILDREN_MAX; nb++)
		if (nb->used && nb->ours)
			break;
	a_lost = false;
	if (nb < na + EST_CHILDREN_MAX) {
		const struct est_child *t;

		for (t = na; t < na + EST_CHILDREN_MAX; t++)
			if (t->used && !t->ours && t->replaces == ao)
				a_lost = est_nonce_cmp(nb->min_nonce,
						       nb->min_nonce_len,
						       t->min_nonce,
						       t->min_nonce_len) < 0;
	}
	CHECK(deliver(&d->b, &da, &eb) == IKE_RX_OK && eb.len);
	CHECK(deliver(&d->a, &db, &ea) == IKE_RX_OK && ea.len);
	CHECK(deliver(&d->a, &eb, &qa) == IKE_RX_OK && !qa.len);
	CHECK(deliver(&d->b, &ea, &qb) == IKE_RX_OK && !qb.len);
	CHECK(ike_child_count(a) == 1 && ike_child_count(b) == 1);
	CHECK(!ike_child_find(a, ao) && !ike_child_find(b, bo));
	sa_a = other_child(a, 0);
	sa_b = other_child(b, 0);
	check_pair(sa_a, sa_b);
	/* The survivor was made by the exchange that did not lose. */
	CHECK(a->est->child[0].used || a->est->child[1].used ||
	      a->est->child[2].used);
	for (na = &a->est->child[0]; na < &a->est->child[EST_CHILDREN_MAX];
	     na++)
		if (na->used)
			CHECK(na->ours == !a_lost);
	/* The loser deleted its own new SA, the winner the old one. */
	CHECK(op_at(&d->a, CHILD_OP_DELETE, ao) >= 0);
	CHECK(op_at(&d->a, CHILD_OP_INSTALL, sa_a ? sa_a->spi_in : 0) <
	      op_at(&d->a, CHILD_OP_DELETE, ao));
	duo_free(d);
	return a_lost;
}

TEST(collision_child_rekeys)
{
	bool seen[2] = { false, false };
	int i;

	/* Random nonces: run until each end has lost once (2^-40 to miss). */
	for (i = 0; i < 40 && !(seen[0] && seen[1]); i++)
		seen[collide_child_rekey()] = true;
	CHECK(seen[0] && seen[1]);
}

static void min_nonce(const struct ikesa *n, const uint8_t **p, size_t *len)
{
	bool i = est_nonce_cmp(n->ni, n->ni_len, n->nr, n->nr_len) < 0;

	*p = i ? n->ni : n->nr;
	*len = i ? n->ni_len : n->nr_len;
}

/* §2.8.2 at @s: the new SA with the lowest nonce is the dead one. */
static bool check_ike_loser(const struct side *s)
{
	struct ikesa *x = s->sa[1], *y = s->sa[2], *lo;
	const uint8_t *px, *py;
	size_t lx, ly;

	min_nonce(x, &px, &lx);
	min_nonce(y, &py, &ly);
	lo = est_nonce_cmp(px, lx, py, ly) < 0 ? x : y;
	CHECK(lo->state == IKESA_DEAD);
	CHECK((lo == x ? y : x)->state == IKESA_ESTABLISHED);
	return lo->role == IKESA_INITIATOR;	/* our own exchange lost */
}

/* §2.8.2: both rekey the IKE SA; whether a's exchange lost. */
static bool collide_ike_rekey(void)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out qa, qb, ra, rb, da, db, ea, eb, fx;
	uint32_t ac = first_spi(a), bc = first_spi(b);
	size_t i, live_a = 0, live_b = 0;
	struct ikesa *sa_a = NULL, *sa_b = NULL;
	bool lost;

	CHECK(!ike_rekey_ike(a, &qa) && !ike_rekey_ike(b, &qb));
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK && ra.len);
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK && rb.len);
	CHECK(d->a.n == 1 && d->b.n == 1);	/* held until settled */
	CHECK(deliver(&d->a, &ra, &da) == IKE_RX_OK && da.len);
	CHECK(deliver(&d->b, &rb, &db) == IKE_RX_OK && db.len);
	CHECK(d->a.n == 3 && d->b.n == 3);
	CHECK(deliver(&d->b, &da, &eb) == IKE_RX_OK && eb.len);
	CHECK(deliver(&d->a, &db, &ea) == IKE_RX_OK && ea.len);
	CHECK(deliver(&d->a, &eb, &fx) == IKE_RX_OK);
	CHECK(deliver(&d->b, &ea, &fx) == IKE_RX_OK);
	for (i = 0; i < d->a.n; i++)
		if (d->a.sa[i]->state != IKESA_DEAD) {
			live_a++;
			sa_a = d->a.sa[i];
		}
	for (i = 0; i < d->b.n; i++)
		if (d->b.sa[i]->state != IKESA_DEAD) {
			live_b++;
			sa_b = d->b.sa[i];
		}
	CHECK(live_a == 1 && live_b == 1);
	CHECK(a->state == IKESA_DEAD && b->state == IKESA_DEAD);
	check_same_ike(sa_a, sa_b);
	if (sa_a && sa_b) {
		check_pair(ike_child_find(sa_a, ac), ike_child_find(sa_b, bc));
		check_alive(&d->a, sa_a, &d->b);
		check_alive(&d->b, sa_b, &d->a);
	}
	CHECK(op_at(&d->a, CHILD_OP_DELETE, ac) < 0);
	lost = d->a.n == 3 && d->b.n == 3 && check_ike_loser(&d->a);
	if (d->a.n == 3 && d->b.n == 3)
		CHECK(check_ike_loser(&d->b) == !lost);
	duo_free(d);
	return lost;
}

TEST(collision_ike_rekeys)
{
	bool seen[2] = { false, false };
	int i;

	for (i = 0; i < 40 && !(seen[0] && seen[1]); i++)
		seen[collide_ike_rekey()] = true;
	CHECK(seen[0] && seen[1]);
}

/* §2.25.1: a rekey of a Child SA the other end is deleting. */
TEST(collision_rekey_vs_delete)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out qa, qb, ra, rb, f;
	uint32_t ao = first_spi(a), bo = first_spi(b);

	CHECK(!ike_delete_child(a, ao, &qa) && !ike_rekey_child(b, bo, &qb));
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK);	/* being deleted */
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK);
	CHECK(deliver(&d->b, &rb, &f) == IKE_RX_OK && !f.len);
	CHECK(b->child_error == IKE_N_TEMPORARY_FAILURE);
	CHECK(deliver(&d->a, &ra, &f) == IKE_RX_OK && !f.len);
	CHECK(!ike_child_count(a) && !ike_child_count(b));
	CHECK(op_at(&d->b, CHILD_OP_INSTALL, 0) < 0 && d->b.n_ops == 1);
	/* A rekey that arrives after the SA's Delete was answered. */
	CHECK(!ike_create_child(a, &qa));
	exchange(&d->a, &d->b, &qa, &f);
	ao = first_spi(a);
	bo = first_spi(b);
	CHECK(!ike_rekey_child(a, ao, &qa) && !ike_delete_child(b, bo, &qb));
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK);
	CHECK(deliver(&d->b, &rb, &f) == IKE_RX_OK && !f.len);
	CHECK(!ike_child_count(a) && !ike_child_count(b));
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK);
	CHECK(deliver(&d->a, &ra, &f) == IKE_RX_OK && !f.len);
	CHECK(a->child_error == IKE_N_CHILD_SA_NOT_FOUND && !ike_busy(a));
	CHECK(!ike_child_count(a) && !ike_child_count(b));
	duo_free(d);
}

/* The error Notify in @m (for @x), 0 if none, 1 if it does not open. */
static uint16_t answer_error(struct ikesa *x, const struct ike_out *m)
{
	static uint8_t plain[IKE_MSG_MAX];
	struct ike_chain c;
	uint8_t crit = 0;

	if (xchg_open(x, m->buf, m->len, plain, &c, &crit))
		return 1;
	return xchg_error_notify(&c);
}

/* §2.25.2: an IKE SA rekey crossing a new Child SA, or a close. */
TEST(collision_ike_rekey_vs_child_and_close)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out qa, qb, ra, rb, f;

	CHECK(!ike_rekey_ike(a, &qa) && !ike_create_child(b, &qb));
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK);
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK);
	CHECK(deliver(&d->a, &ra, &f) == IKE_RX_OK && !f.len);
	CHECK(a->child_error == IKE_N_TEMPORARY_FAILURE && d->a.n == 1);
	CHECK(deliver(&d->b, &rb, &f) == IKE_RX_OK && !b->child_error);
	CHECK(d->b.n == 1 && b->state == IKESA_ESTABLISHED);
	CHECK(ike_child_count(a) == 2 && ike_child_count(b) == 2);
	/* A close crossing a rekey: the close wins on both ends. */
	CHECK(!ike_rekey_ike(a, &qa) && !ike_delete_ike(b, &qb));
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK);
	CHECK(a->state == IKESA_DEAD && !ike_busy(a));
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK);	/* being closed */
	CHECK(d->b.n == 1);
	CHECK(answer_error(a, &ra) == IKE_N_TEMPORARY_FAILURE);
	CHECK(deliver(&d->b, &rb, &f) == IKE_RX_OK && b->state == IKESA_DEAD);
	CHECK(!ike_child_count(a) && !ike_child_count(b));
	CHECK(ike_recv(a, ra.buf, ra.len, &f) == IKE_RX_DROP);
	duo_free(d);
}

/*
 * §2.25.2: an IKE SA rekey crossing our Delete of a Child SA (the one a
 * Child SA rekey ends with) is refused, so the Delete's answer, on the
 * old IKE SA, still finds the Child SA and removes it from the kernel.
 */
TEST(collision_ike_rekey_vs_child_delete)
{
	struct duo *d = duo_new(PSK);
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out qa, qb, ra, rb, f;
	uint32_t ao = first_spi(a);

	CHECK(!ike_delete_child(a, ao, &qa) && !ike_rekey_ike(b, &qb));
	CHECK(deliver(&d->a, &qb, &rb) == IKE_RX_OK);
	CHECK(answer_error(b, &rb) == IKE_N_TEMPORARY_FAILURE);
	CHECK(d->a.n == 1 && a->state == IKESA_ESTABLISHED);
	CHECK(deliver(&d->b, &qa, &ra) == IKE_RX_OK);
	CHECK(deliver(&d->a, &ra, &f) == IKE_RX_OK && !f.len);
	CHECK(op_at(&d->a, CHILD_OP_DELETE, ao) >= 0);
	CHECK(deliver(&d->b, &rb, &f) == IKE_RX_OK);
	CHECK(b->child_error == IKE_N_TEMPORARY_FAILURE && d->b.n == 1);
	CHECK(!ike_child_count(a) && !ike_child_count(b));
	/* Nothing outstanding: now the rekey goes through. */
	CHECK(!ike_rekey_ike(b, &qb));
	exchange(&d->b, &d->a, &qb, &f);
	CHECK(d->a.n == 2 && d->b.n == 2);
	duo_free(d);
}

/* What must not move when a message is dropped. */
struct snap {
	struct xfix_snap ike;
	size_t children, n_ops, last_in_len, last_req_len;
	int pend;
	const void *successor;
};

static void snap_take(struct ikesa *sa, void *p)
{
	struct snap *s = p;

	memset(s, 0, sizeof(*s));
	xfix_snap_take(sa, &s->ike);
	s->children = ike_child_count(sa);
	s->n_ops = sa->est ? sa->est->n_ops : 0;
	s->pend = sa->est ? (int)sa->est->pend.kind : 0;
	s->successor = sa->est ? sa->est->successor : NULL;
	s->last_in_len = sa->last_in.len;
	s->last_req_len = sa->last_req.len;
}

/* Every bit flip and truncation of @m is dropped by @sa, unchanged. */
static int tamper_all(struct ikesa *sa, const struct ike_out *m)
{
	return xfix_tamper(sa, m, snap_take, sizeof(struct snap));
}

/* Tampers the request and the response of one exchange, then runs it. */
static void tamper_exchange(struct side *from, struct side *to,
			    const struct ike_out *q, struct ike_out *f)
{
	static struct ike_out r;
	struct ikesa *x = route(from, q), *y = route(to, q);

	CHECK(x && y);
	if (!x || !y)
		return;
	CHECK(tamper_all(y, q) == 0);
	CHECK(deliver(to, q, &r) == IKE_RX_OK && r.len);
	CHECK(tamper_all(x, &r) == 0);
	CHECK(deliver(from, &r, f) == IKE_RX_OK);
}

TEST(tampered_messages_dropped)
{
	struct duo *d = duo_new(PSK "esp = aes128gcm16-x25519\n");
	struct ikesa *a = d->a.sa[0], *b = d->b.sa[0];
	static struct ike_out q, f, g;

	CHECK(!ike_create_child(b, &q));
	tamper_exchange(&d->b, &d->a, &q, &f);
	CHECK(ike_child_count(a) == 2);
	CHECK(!ike_rekey_child(a, first_spi(a), &q));
	tamper_exchange(&d->a, &d->b, &q, &f);	/* with PFS KE */
	CHECK(f.len > 0);
	tamper_exchange(&d->a, &d->b, &f, &g);	/* the old SA's Delete */
	CHECK(ike_child_count(a) == 2 && ike_child_count(b) == 2);
	CHECK(!ike_dpd(b, &q));
	tamper_exchange(&d->b, &d->a, &q, &f);
	CHECK(!ike_rekey_ike(b, &q));
	tamper_exchange(&d->b, &d->a, &q, &f);
	CHECK(d->a.n == 2 && d->b.n == 2 && f.len);
	tamper_exchange(&d->b, &d->a, &f, &g);	/* the old SA's Delete */
	CHECK(a->state == IKESA_DEAD && b->state == IKESA_DEAD);
	CHECK(!ike_delete_ike(d->a.sa[1], &q));
	tamper_exchange(&d->a, &d->b, &q, &f);
	CHECK(d->a.sa[1]->state == IKESA_DEAD &&
	      d->b.sa[1]->state == IKESA_DEAD);
	duo_free(d);
}
