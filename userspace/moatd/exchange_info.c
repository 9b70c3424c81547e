// SPDX-License-Identifier: GPL-2.0
/*
 * The established IKE SA (exchange_est.h): its Child SA table, the ops
 * log, message IDs in both directions, and INFORMATIONAL (§1.4):
 *
 *   HDR, SK {[D...]}  -->
 *   <--  HDR, SK {[D...]}
 *
 * A Delete of Child SAs is answered with a Delete of their pairs
 * (§1.4.1); a Delete of the IKE SA with an empty message, and both ends
 * drop every Child SA; an empty request (liveness) gets an empty answer.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "exchange_est.h"
#include "exchange_int.h"
#include "secmem.h"

void est_pend_clear(struct ikesa_est *e)
{
	dh_free(e->pend.dh);
	OPENSSL_cleanse(&e->pend, sizeof(e->pend));
	e->pend.kind = PEND_NONE;
}

void ikesa_est_free(struct ikesa_est *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < EST_CHILDREN_MAX; i++)
		child_sa_free(&e->child[i].c);
	est_pend_clear(e);
	ikesa_free(e->successor);
	ikesa_free(e->redundant);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

/* The table, made on first use with IKE_AUTH's Child SA copied in. */
struct ikesa_est *est_get(struct ikesa *sa)
{
	struct ikesa_est *e = sa->est;

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (sa->have_child && sa->child.key_in) {
		/* A copy: sa->child stays what IKE_AUTH made. */
		e->child[0].c = sa->child;
		e->child[0].c.key_in = secmem_dup(sa->child.key_in,
						  sa->child.keymat_len);
		e->child[0].c.key_out = secmem_dup(sa->child.key_out,
						   sa->child.keymat_len);
		if (!e->child[0].c.key_in || !e->child[0].c.key_out) {
			ikesa_est_free(e);
			return NULL;
		}
		e->child[0].used = true;
		e->child[0].esp = sa->esp_prop;
	}
	sa->est = e;
	return e;
}

void est_op(struct ikesa *sa, enum child_op_kind k, const struct est_child *c)
{
	struct ikesa_est *e = sa->est;

	if (e->n_ops == EST_OPS_MAX) {
		e->ops_overflow = true;
		return;
	}
	e->ops[e->n_ops++] = (struct child_op){
		.kind = k, .spi_in = c->c.spi_in, .spi_out = c->c.spi_out,
		.replaces = k == CHILD_OP_INSTALL ? c->replaces : 0,
	};
}

struct est_child *est_child_by_in(struct ikesa_est *e, uint32_t spi)
{
	size_t i;

	for (i = 0; i < EST_CHILDREN_MAX; i++)
		if (e->child[i].used && e->child[i].c.spi_in == spi)
			return &e->child[i];
	return NULL;
}

struct est_child *est_child_by_out(struct ikesa_est *e, uint32_t spi)
{
	size_t i;

	for (i = 0; i < EST_CHILDREN_MAX; i++)
		if (e->child[i].used && e->child[i].c.spi_out == spi)
			return &e->child[i];
	return NULL;
}

struct est_child *est_child_slot(struct ikesa_est *e)
{
	size_t i;

	for (i = 0; i < EST_CHILDREN_MAX; i++)
		if (!e->child[i].used)
			return &e->child[i];
	return NULL;
}

/* Logs the DELETE and forgets the SA. */
void est_child_drop(struct ikesa *sa, struct est_child *c)
{
	est_op(sa, CHILD_OP_DELETE, c);
	child_sa_free(&c->c);
	memset(c, 0, sizeof(*c));
}

static void est_drop_all(struct ikesa *sa)
{
	size_t i;

	for (i = 0; i < EST_CHILDREN_MAX; i++)
		if (sa->est->child[i].used)
			est_child_drop(sa, &sa->est->child[i]);
}

const struct child_sa *ike_child_find(struct ikesa *sa, uint32_t spi_in)
{
	struct ikesa_est *e = est_get(sa);
	struct est_child *c = e ? est_child_by_in(e, spi_in) : NULL;

	return c ? &c->c : NULL;
}

size_t ike_child_count(struct ikesa *sa)
{
	struct ikesa_est *e = est_get(sa);
	size_t i, n = 0;

	for (i = 0; e && i < EST_CHILDREN_MAX; i++)
		n += e->child[i].used;
	return n;
}

size_t ike_child_ops_take(struct ikesa *sa, struct child_op *ops,
			  size_t cap)
{
	struct ikesa_est *e = est_get(sa);
	size_t n = e ? (e->n_ops < cap ? e->n_ops : cap) : 0;

	if (!e)
		return 0;
	memcpy(ops, e->ops, n * sizeof(*ops));
	memmove(e->ops, e->ops + n, (e->n_ops - n) * sizeof(*ops));
	e->n_ops -= n;
	return n;
}

/* Not while our own IKE SA rekey is outstanding (§2.8.2 may swap). */
struct ikesa *ike_successor_take(struct ikesa *sa)
{
	struct ikesa_est *e = sa->est;
	struct ikesa *s = e ? e->successor : NULL;

	if (!s || e->pend.kind == PEND_IKE_REKEY)
		return NULL;
	e->successor = NULL;
	return s;
}

struct ikesa *ike_redundant_take(struct ikesa *sa)
{
	struct ikesa *s = sa->est ? sa->est->redundant : NULL;

	if (s)
		sa->est->redundant = NULL;
	return s;
}

bool ike_busy(const struct ikesa *sa)
{
	return sa->est && sa->est->pend.kind != PEND_NONE;
}

int est_send(struct ikesa *sa, uint8_t exch, const struct ike_writer *w,
	     struct ike_out *out)
{
	struct ike_hdr h;

	xchg_hdr(sa, &h, exch, sa->next_req_id, false);
	if (xchg_seal(sa, &h, w, out) ||
	    ike_blob_set(&sa->last_req, out->buf, out->len)) {
		out->len = 0;
		return -1;
	}
	sa->next_req_id++;
	return 0;
}

/* Whether we may start a request now; makes the table. */
static struct ikesa_est *est_idle(struct ikesa *sa)
{
	struct ikesa_est *e;

	if (sa->state != IKESA_ESTABLISHED)
		return NULL;
	e = est_get(sa);
	return e && e->pend.kind == PEND_NONE ? e : NULL;
}

static void put_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* A Delete payload of our inbound SPIs, or an empty chain for n == 0. */
static void put_child_delete(struct ike_writer *w, const uint32_t *spis,
			     size_t n)
{
	uint8_t b[4 * EST_CHILDREN_MAX];
	struct ike_delete d = { IKE_PROTO_ESP, 4, (uint16_t)n, b };
	size_t i;

	for (i = 0; i < n && i < EST_CHILDREN_MAX; i++)
		put_u32(b + 4 * i, spis[i]);
	if (n)
		ike_put_delete(w, &d);
}

int est_delete_request(struct ikesa *sa, const uint32_t *spis, size_t n,
		       struct ike_out *out)
{
	struct ikesa_est *e = sa->est;
	struct est_child *c;
	uint8_t inner[512];
	struct ike_writer w;
	size_t i;

	ike_w_init(&w, inner, sizeof(inner));
	put_child_delete(&w, spis, n);
	if (est_send(sa, IKE_INFORMATIONAL, &w, out))
		return -1;
	for (i = 0; i < n; i++) {
		c = est_child_by_in(e, spis[i]);
		if (c)
			c->deleting = true;
	}
	e->pend.kind = PEND_DELETE;
	return 0;
}

int ike_delete_child(struct ikesa *sa, uint32_t spi_in, struct ike_out *out)
{
	struct ikesa_est *e = est_idle(sa);
	struct est_child *c = e ? est_child_by_in(e, spi_in) : NULL;

	out->len = 0;
	if (!c || c->deleting)
		return -1;
	return est_delete_request(sa, &spi_in, 1, out);
}

int ike_delete_ike(struct ikesa *sa, struct ike_out *out)
{
	out->len = 0;
	return est_idle(sa) ? est_delete_ike_send(sa, out) : -1;
}

int est_delete_ike_send(struct ikesa *sa, struct ike_out *out)
{
	const struct ike_delete d = { IKE_PROTO_IKE, 0, 0, NULL };
	struct ikesa_est *e = est_get(sa);
	uint8_t inner[64];
	struct ike_writer w;

	out->len = 0;
	if (!e || e->pend.kind != PEND_NONE)
		return -1;
	ike_w_init(&w, inner, sizeof(inner));
	ike_put_delete(&w, &d);
	if (est_send(sa, IKE_INFORMATIONAL, &w, out))
		return -1;
	e->pend.kind = PEND_DELETE_IKE;
	sa->state = IKESA_DELETING;
	return 0;
}

int ike_dpd(struct ikesa *sa, struct ike_out *out)
{
	struct ikesa_est *e = est_idle(sa);
	uint8_t inner[8];
	struct ike_writer w;

	out->len = 0;
	if (!e)
		return -1;
	ike_w_init(&w, inner, sizeof(inner));
	if (est_send(sa, IKE_INFORMATIONAL, &w, out))
		return -1;
	e->pend.kind = PEND_DPD;
	return 0;
}

/* What an INFORMATIONAL message says: Deletes and an error Notify. */
struct info_in {
	uint8_t plain[IKE_MSG_MAX];
	struct ike_chain c;
	bool del_ike;
	uint32_t spis[EST_CHILDREN_MAX * 2];	/* ESP, sender's inbound */
	size_t n_spis;
};

static int info_delete(struct info_in *in, const struct ike_payload *pl)
{
	struct ike_delete d;
	size_t i;

	if (ike_dec_delete(pl->body, pl->len, &d))
		return -1;
	if (d.proto == IKE_PROTO_IKE) {
		in->del_ike = true;
		return 0;
	}
	if (d.proto != IKE_PROTO_ESP)
		return 0;	/* AH: we have none */
	for (i = 0; i < d.n_spi; i++) {
		if (in->n_spis == EST_CHILDREN_MAX * 2)
			return -1;
		in->spis[in->n_spis++] = get_u32(d.spis + 4 * i);
	}
	return 0;
}

/* -1: drop; else an XOPEN_* result, with in parsed when XOPEN_OK. */
static int info_open(struct ikesa *sa, const uint8_t *msg, size_t len,
		     struct info_in *in, uint8_t *crit)
{
	int r = xchg_open(sa, msg, len, in->plain, &in->c, crit);
	size_t i;

	if (r != XOPEN_OK)
		return r;
	for (i = 0; i < in->c.n; i++)
		if (in->c.pl[i].type == IKE_PL_DELETE &&
		    info_delete(in, &in->c.pl[i]))
			return XOPEN_SYNTAX;
	return XOPEN_OK;
}

/* Answers a Delete of Child SAs with our pairs' SPIs and drops them. */
static void info_answer_children(struct ikesa *sa, const struct info_in *in,
				 struct ike_writer *w)
{
	uint32_t mine[EST_CHILDREN_MAX];
	struct est_child *c;
	size_t i, n = 0;

	for (i = 0; i < in->n_spis; i++) {
		c = est_child_by_out(sa->est, in->spis[i]);
		if (!c)
			continue;	/* §1.4.1: already gone */
		if (!c->deleting)	/* a crossed Delete: no pair again */
			mine[n++] = c->c.spi_in;
		est_child_drop(sa, c);
	}
	put_child_delete(w, mine, n);
}

static int info_request(struct ikesa *sa, struct info_in *in,
			const struct ike_hdr *h, const uint8_t *msg,
			size_t len, struct ike_out *out)
{
	uint8_t inner[512], crit = 0;
	struct ike_writer w;
	struct ike_hdr rh;
	int r = info_open(sa, msg, len, in, &crit);

	if (r < 0)
		return IKE_RX_DROP;
	ike_w_init(&w, inner, sizeof(inner));
	if (r == XOPEN_CRITICAL)
		xchg_notify(&w, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &crit, 1);
	else if (r == XOPEN_SYNTAX)
		xchg_notify(&w, IKE_N_INVALID_SYNTAX, NULL, 0);
	else if (!in->del_ike)
		info_answer_children(sa, in, &w);
	xchg_hdr(sa, &rh, IKE_INFORMATIONAL, h->msg_id, true);
	if (xchg_seal(sa, &rh, &w, out) || xchg_remember(sa, msg, len, out))
		out->len = 0;
	if (r == XOPEN_OK && in->del_ike) {
		est_drop_all(sa);
		est_pend_clear(sa->est);
		sa->state = IKESA_DEAD;	/* deleted by the peer */
	}
	return IKE_RX_OK;
}

/* Our Delete was answered: the SAs it named go now (INSTALL came first). */
static void info_deleted(struct ikesa *sa)
{
	size_t i;

	for (i = 0; i < EST_CHILDREN_MAX; i++)
		if (sa->est->child[i].used && sa->est->child[i].deleting)
			est_child_drop(sa, &sa->est->child[i]);
}

static int info_response(struct ikesa *sa, struct info_in *in,
			 const uint8_t *msg, size_t len)
{
	struct ikesa_est *e = sa->est;
	uint8_t crit = 0;
	int r = info_open(sa, msg, len, in, &crit);

	if (r < 0)
		return IKE_RX_DROP;
	ike_blob_free(&sa->last_req);
	if (e->pend.kind == PEND_DELETE) {
		info_deleted(sa);
	} else if (e->pend.kind == PEND_DELETE_IKE) {
		est_drop_all(sa);
		sa->state = IKESA_DEAD;
	}
	est_pend_clear(e);
	return IKE_RX_OK;
}

static int with_info(struct ikesa *sa, const uint8_t *msg, size_t len,
		     const struct ike_hdr *h, struct ike_out *out)
{
	struct info_in *in = calloc(1, sizeof(*in));
	int ret;

	if (!in)
		return IKE_RX_DROP;
	ret = out ? info_request(sa, in, h, msg, len, out) :
		    info_response(sa, in, msg, len);
	OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	return ret;
}

static int est_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		       const struct ike_hdr *h, struct ike_out *out)
{
	if (h->msg_id + 1 == sa->next_exp_id && sa->last_in.p)
		return xchg_resend(sa, msg, len, out);
	if (h->msg_id != sa->next_exp_id)
		return IKE_RX_DROP;
	if (h->exchange == IKE_INFORMATIONAL)
		return with_info(sa, msg, len, h, out);
	if (h->exchange == IKE_CREATE_CHILD_SA)
		return child_on_request(sa, msg, len, h, out);
	return IKE_RX_DROP;
}

static int est_response(struct ikesa *sa, const uint8_t *msg, size_t len,
			const struct ike_hdr *h, struct ike_out *out)
{
	enum est_pend k = sa->est->pend.kind;
	bool info = k == PEND_DELETE || k == PEND_DELETE_IKE || k == PEND_DPD;

	if (k == PEND_NONE || h->msg_id + 1 != sa->next_req_id ||
	    h->exchange != (info ? IKE_INFORMATIONAL : IKE_CREATE_CHILD_SA))
		return IKE_RX_DROP;
	if (info)
		return with_info(sa, msg, len, h, NULL);
	return child_on_response(sa, msg, len, out);
}

int est_recv(struct ikesa *sa, const uint8_t *msg, size_t len,
	     const struct ike_hdr *h, struct ike_out *out)
{
	bool from_initiator = h->flags & IKE_FLAG_I;

	/* The peer's messages carry the peer's original role. */
	if (from_initiator != (sa->role == IKESA_RESPONDER) || !est_get(sa))
		return IKE_RX_DROP;
	if (h->flags & IKE_FLAG_R)
		return est_response(sa, msg, len, h, out);
	return est_request(sa, msg, len, h, out);
}
