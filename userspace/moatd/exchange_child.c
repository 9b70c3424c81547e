// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA for Child SAs (RFC 7296 §1.3.1, §1.3.3), both roles:
 *
 *   HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], TSi, TSr}  -->
 *   <--  HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *
 * KEi is sent when our first ESP proposal has a D-H group (PFS); then
 * KEYMAT = prf+(SK_d, g^ir | Ni | Nr) (§2.17). A rekey names the old SA
 * by the initiator's inbound SPI; the initiator deletes the old SA once
 * the new one is installed (or, after a §2.8.1 collision it lost, its own
 * redundant new SA). An SA proposal for protocol IKE is an IKE SA rekey:
 * exchange_rekey.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "exchange_est.h"
#include "exchange_int.h"
#include "proposal.h"

static uint32_t spi32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static void spi_put(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

int est_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	if (r)
		return r < 0 ? -1 : 1;
	return al < bl ? -1 : al > bl;
}

static int cc_note(struct cc_in *in, const struct ike_payload *pl)
{
	struct ike_notify n;

	if (ike_dec_notify(pl->body, pl->len, &n))
		return -1;
	if (n.type == IKE_N_REKEY_SA) {
		if (in->rekey || n.proto != IKE_PROTO_ESP || n.spi_size != 4)
			return -1;
		in->rekey = true;
		in->rekey_spi = spi32(n.spi);
	} else if (n.type == IKE_N_USE_TRANSPORT_MODE) {
		in->transport = true;
	} else if (n.type && n.type <= IKE_N_ERROR_MAX && !in->error) {
		in->error = n.type;
	}
	return 0;
}

static int cc_take(struct cc_in *in, const struct ike_payload *pl)
{
	bool *seen = pl->type == IKE_PL_SA ? &in->has_sa :
		     pl->type == IKE_PL_KE ? &in->has_ke :
		     pl->type == IKE_PL_TSI ? &in->has_tsi :
		     pl->type == IKE_PL_TSR ? &in->has_tsr : NULL;

	if (seen && *seen)
		return -1;	/* a second one makes the message bad */
	if (seen)
		*seen = true;
	switch (pl->type) {
	case IKE_PL_SA:
		return ike_dec_sa(pl->body, pl->len, &in->props) ? -1 : 0;
	case IKE_PL_KE:
		return ike_dec_ke(pl->body, pl->len, &in->ke) ? -1 : 0;
	case IKE_PL_TSI:
		return ike_dec_ts(pl->body, pl->len, &in->tsi) ? -1 : 0;
	case IKE_PL_TSR:
		return ike_dec_ts(pl->body, pl->len, &in->tsr) ? -1 : 0;
	case IKE_PL_NONCE:
		return xchg_take_nonce(pl, &in->nonce, &in->nonce_len);
	case IKE_PL_NOTIFY:
		return cc_note(in, pl);
	}
	return 0;
}

/* -1: drop (not authentic); else XOPEN_*, in parsed when XOPEN_OK. */
static int cc_open(struct ikesa *sa, const uint8_t *msg, size_t len,
		   struct cc_in *in, uint8_t *crit)
{
	int r = xchg_open(sa, msg, len, in->plain, &in->c, crit);
	size_t i;

	if (r != XOPEN_OK)
		return r;
	for (i = 0; i < in->c.n; i++)
		if (cc_take(in, &in->c.pl[i]))
			return XOPEN_SYNTAX;
	return XOPEN_OK;
}

/* The conn's ESP proposals with @spi; D-H kept (PFS). */
static void cc_offer(const struct ike_sa *esp, uint32_t spi,
		     struct ike_sa *out)
{
	size_t i;

	*out = *esp;
	for (i = 0; i < out->n; i++) {
		out->prop[i].spi_size = spi ? 4 : 0;
		spi_put(out->prop[i].spi, spi);
	}
}

/* The D-H group of @p, 0 for none. */
static uint16_t cc_group(const struct ike_proposal *p)
{
	const struct ike_transform *d = proposal_find_tr(p, IKE_TR_DH);

	return d ? d->id : 0;
}

/* Our KE payload for @group into @w, with a fresh key in *@dh. */
static void cc_put_ke(struct ike_writer *w, uint16_t group,
		      struct dh_key **dh)
{
	uint8_t pub[DH_PUBLIC_MAX];
	struct ike_ke ke = { group, pub, dh_public_len(group) };

	*dh = ikesa_dh_new(group);
	if (!*dh || dh_public(*dh, pub, ke.len)) {
		w->err = w->err ? w->err : IKE_E_SYNTAX;
		return;
	}
	ike_put_ke(w, &ke);
}

static void cc_put_ts(struct ike_writer *w, const struct ike_ts_list *tsi,
		      const struct ike_ts_list *tsr)
{
	ike_put_ts(w, IKE_PL_TSI, tsi);
	ike_put_ts(w, IKE_PL_TSR, tsr);
}

/* Initiator: builds and sends the request for a new or rekeyed SA. */
static int cc_request(struct ikesa *sa, struct est_child *old,
		      struct ike_out *out)
{
	struct ikesa_est *e = sa->est;
	struct est_pending *p = &e->pend;
	struct ike_ts_list tsi, tsr;
	uint8_t inner[IKE_MSG_MAX], spi[4];
	const struct ike_notify rk = { IKE_PROTO_ESP, 4, IKE_N_REKEY_SA,
				       spi, NULL, 0 };
	struct ike_writer w;
	struct ike_sa offer;

	if (ikesa_new_esp_spi(&p->new_spi) ||
	    ikesa_rand(p->nonce, sizeof(p->nonce)))
		return -1;
	ike_w_init(&w, inner, sizeof(inner));
	if (old) {
		spi_put(spi, old->c.spi_in);
		ike_put_notify(&w, &rk);
	}
	cc_offer(&sa->conn->esp, p->new_spi, &offer);
	ike_put_sa(&w, &offer);
	ike_put_nonce(&w, p->nonce, sizeof(p->nonce));
	p->group = offer.n ? cc_group(&offer.prop[0]) : 0;
	if (p->group)
		cc_put_ke(&w, p->group, &p->dh);
	if (old) {
		tsi = old->c.ts_local;
		tsr = old->c.ts_remote;
	} else if (ts_from_prefixes(sa->conn->local_ts, sa->conn->n_local_ts,
				    &tsi) || ts_remote(sa, &tsr)) {
		w.err = IKE_E_SYNTAX;
	}
	cc_put_ts(&w, &tsi, &tsr);
	if (est_send(sa, IKE_CREATE_CHILD_SA, &w, out))
		return -1;
	p->kind = old ? PEND_REKEY : PEND_CHILD;
	p->old_spi = old ? old->c.spi_in : 0;
	return 0;
}

static int cc_start(struct ikesa *sa, struct est_child *old,
		    struct ike_out *out)
{
	int r = cc_request(sa, old, out);

	if (r) {
		est_pend_clear(sa->est);
		out->len = 0;
	}
	return r;
}

static struct ikesa_est *cc_idle(struct ikesa *sa)
{
	struct ikesa_est *e;

	if (sa->state != IKESA_ESTABLISHED)
		return NULL;
	e = est_get(sa);
	return e && e->pend.kind == PEND_NONE && est_child_slot(e) ? e : NULL;
}

int ike_create_child(struct ikesa *sa, struct ike_out *out)
{
	out->len = 0;
	return cc_idle(sa) ? cc_start(sa, NULL, out) : -1;
}

int ike_rekey_child(struct ikesa *sa, uint32_t spi_in, struct ike_out *out)
{
	struct ikesa_est *e = cc_idle(sa);
	struct est_child *old = e ? est_child_by_in(e, spi_in) : NULL;

	out->len = 0;
	if (!old || old->deleting)
		return -1;
	return cc_start(sa, old, out);
}

int ike_rekey_ike(struct ikesa *sa, struct ike_out *out)
{
	struct ikesa_est *e = cc_idle(sa);
	uint8_t inner[IKE_MSG_MAX];
	struct ike_writer w;

	out->len = 0;
	if (!e)
		return -1;
	ike_w_init(&w, inner, sizeof(inner));
	if (rekey_ike_request(sa, &w) ||
	    est_send(sa, IKE_CREATE_CHILD_SA, &w, out)) {
		est_pend_clear(e);
		out->len = 0;
		return -1;
	}
	e->pend.kind = PEND_IKE_REKEY;
	return 0;
}

/* The Child SA's keys from this exchange; 0 or -1 (@c unused). */
struct cc_keys {
	bool initiator;
	const struct ike_proposal *esp;
	struct ike_chunk ni, nr;
	struct dh_key *dh;
	const struct ike_ke *peer_ke;
	uint32_t spi_in, spi_out;
	const struct ike_ts_list *local, *remote;
};

static int cc_install(struct ikesa *sa, struct est_child *c,
		      const struct cc_keys *k)
{
	uint8_t gir[DH_PUBLIC_MAX];
	struct ike_chunk g = { gir, 0 };
	struct child_sa_params p = {
		.initiator = k->initiator, .esp = k->esp, .prf = sa->prf,
		.sk_d = sa->keys.sk_d, .sk_d_len = sa->keys.prf_len,
		.ni = k->ni, .nr = k->nr, .spi_in = k->spi_in,
		.spi_out = k->spi_out, .ts_local = k->local,
		.ts_remote = k->remote,
	};
	const struct ike_chunk *m;
	int r;

	if (k->dh) {
		g.len = dh_secret_len(dh_key_group(k->dh));
		if (dh_shared(k->dh, k->peer_ke->data, k->peer_ke->len, gir,
			      g.len))
			return -1;
		p.gir = &g;
	}
	r = child_sa_derive(&c->c, &p);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (r)
		return -1;
	c->used = true;
	c->esp = *k->esp;
	m = est_nonce_cmp(k->ni.p, k->ni.len, k->nr.p, k->nr.len) < 0 ?
		&k->ni : &k->nr;
	c->min_nonce_len = m->len;
	memcpy(c->min_nonce, m->p, m->len);
	return 0;
}

/* Responder. */

struct cc_answer {
	struct ike_proposal chosen;
	uint8_t nonce[IKESA_NONCE_LEN];
	struct dh_key *dh;
	struct ike_ts_list tsi, tsr;	/* narrowed: theirs, ours */
	uint16_t want_group;		/* INVALID_KE_PAYLOAD */
};

/* What the request may get: 0, or the Notify that refuses it. */
static uint16_t cc_check(struct ikesa *sa, const struct cc_in *in,
			 struct cc_answer *a)
{
	struct ike_ts_list ours_l, ours_r;
	struct ike_sa mine;
	uint16_t g;

	if (!in->has_sa || !in->nonce || !in->has_tsi || !in->has_tsr)
		return IKE_N_INVALID_SYNTAX;
	cc_offer(&sa->conn->esp, 0, &mine);
	if (proposal_select(&mine, &in->props, &a->chosen) < 0 ||
	    a->chosen.spi_size != 4 || spi32(a->chosen.spi) < 256)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	g = cc_group(&a->chosen);
	if (g && (!in->has_ke || in->ke.group != g)) {
		a->want_group = g;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	if (ts_from_prefixes(sa->conn->local_ts, sa->conn->n_local_ts,
			     &ours_l) || ts_remote(sa, &ours_r) ||
	    ts_narrow(&in->tsi, &ours_r, &a->tsi) ||
	    ts_narrow(&in->tsr, &ours_l, &a->tsr))
		return IKE_N_TS_UNACCEPTABLE;
	return 0;
}

static uint16_t cc_accept(struct ikesa *sa, const struct cc_in *in,
			  struct cc_answer *a, struct est_child *old)
{
	struct est_child *c = est_child_slot(sa->est);
	uint16_t g = cc_group(&a->chosen);
	struct cc_keys k = {
		.initiator = false, .esp = &a->chosen,
		.ni = { in->nonce, in->nonce_len },
		.nr = { a->nonce, sizeof(a->nonce) },
		.peer_ke = &in->ke, .spi_out = spi32(a->chosen.spi),
		.local = &a->tsr, .remote = &a->tsi,
	};

	if (!c)
		return IKE_N_NO_PROPOSAL_CHOSEN;	/* no room */
	if (ikesa_new_esp_spi(&k.spi_in) ||
	    ikesa_rand(a->nonce, sizeof(a->nonce)) ||
	    (g && !(a->dh = ikesa_dh_new(g))))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	k.dh = a->dh;
	if (cc_install(sa, c, &k))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	c->replaces = old ? old->c.spi_in : 0;
	spi_put(a->chosen.spi, k.spi_in);	/* what we answer: our SPI */
	est_op(sa, CHILD_OP_INSTALL, c);
	return 0;
}

static void cc_put_answer(struct ike_writer *w, const struct cc_answer *a)
{
	const struct ike_sa sa1 = { .n = 1, .prop = { a->chosen } };
	uint16_t g = cc_group(&a->chosen);

	ike_put_sa(w, &sa1);
	ike_put_nonce(w, a->nonce, sizeof(a->nonce));
	if (g) {
		uint8_t pub[DH_PUBLIC_MAX];
		struct ike_ke ke = { g, pub, dh_public_len(g) };

		if (dh_public(a->dh, pub, ke.len))
			w->err = w->err ? w->err : IKE_E_SYNTAX;
		ike_put_ke(w, &ke);
	}
	cc_put_ts(w, &a->tsi, &a->tsr);
}

/* §2.25.1: the SA a rekey names, or the Notify refusing it. */
static uint16_t cc_old(struct ikesa *sa, const struct cc_in *in,
		       struct est_child **old)
{
	*old = NULL;
	if (!in->rekey)
		return 0;
	*old = est_child_by_out(sa->est, in->rekey_spi);
	if (!*old)
		return IKE_N_CHILD_SA_NOT_FOUND;
	return (*old)->deleting ? IKE_N_TEMPORARY_FAILURE : 0;
}

static uint16_t cc_respond(struct ikesa *sa, const struct cc_in *in,
			   struct cc_answer *a, struct ike_writer *w)
{
	enum est_pend k = sa->est->pend.kind;
	struct est_child *old;
	uint16_t err;

	if (sa->state != IKESA_ESTABLISHED)
		return IKE_N_TEMPORARY_FAILURE;	/* §2.25.2: closing */
	/*
	 * Not while a Child SA of ours is made or deleted: the IKE SA rekey
	 * would move it, and the answer to our request, which arrives on
	 * the old IKE SA, would no longer find it.
	 */
	if (in->has_sa && in->props.n && in->props.prop[0].proto ==
	    IKE_PROTO_IKE)
		return k == PEND_CHILD || k == PEND_REKEY || k == PEND_DELETE ?
		       IKE_N_TEMPORARY_FAILURE :
		       rekey_ike_answer(sa, in, w, &a->want_group);
	err = cc_old(sa, in, &old);
	if (!err)
		err = cc_check(sa, in, a);
	if (!err)
		err = cc_accept(sa, in, a, old);
	if (!err)
		cc_put_answer(w, a);
	return err;
}

static int cc_on_request(struct ikesa *sa, struct cc_in *in,
			 struct cc_answer *a, const struct ike_hdr *h,
			 const uint8_t *msg, size_t len, struct ike_out *out)
{
	uint8_t inner[IKE_MSG_MAX], crit = 0, grp[2];
	struct ike_writer w;
	struct ike_hdr rh;
	int r = cc_open(sa, msg, len, in, &crit);
	uint16_t err;

	if (r < 0)
		return IKE_RX_DROP;
	ike_w_init(&w, inner, sizeof(inner));
	if (r == XOPEN_CRITICAL)
		err = IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
	else if (r == XOPEN_SYNTAX)
		err = IKE_N_INVALID_SYNTAX;
	else
		err = cc_respond(sa, in, a, &w);
	if (err) {
		grp[0] = (uint8_t)(a->want_group >> 8);
		grp[1] = (uint8_t)a->want_group;
		ike_w_init(&w, inner, sizeof(inner));
		xchg_notify(&w, err, err == IKE_N_INVALID_KE_PAYLOAD ? grp :
			    &crit, err == IKE_N_INVALID_KE_PAYLOAD ? 2 :
			    err == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	}
	xchg_hdr(sa, &rh, IKE_CREATE_CHILD_SA, h->msg_id, true);
	if (xchg_seal(sa, &rh, &w, out) || xchg_remember(sa, msg, len, out))
		out->len = 0;
	return IKE_RX_OK;
}

int child_on_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		     const struct ike_hdr *h, struct ike_out *out)
{
	struct cc_in *in = calloc(1, sizeof(*in));
	struct cc_answer *a = calloc(1, sizeof(*a));
	int ret = IKE_RX_DROP;

	if (in && a)
		ret = cc_on_request(sa, in, a, h, msg, len, out);
	if (a)
		dh_free(a->dh);
	if (in)
		OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	free(a);
	return ret;
}

/* Initiator. */

/* The answer's proposal, checked against our offer; 0 or a Notify. */
static uint16_t cc_answer_ok(struct ikesa *sa, const struct cc_in *in,
			     struct ike_proposal *chosen)
{
	const struct ike_proposal *p = &in->props.prop[0];
	struct ike_ts_list ours_l, ours_r;
	struct ike_sa mine;
	uint16_t g;

	if (in->error)
		return in->error;
	if (!in->has_sa || !in->nonce || !in->has_tsi || !in->has_tsr ||
	    in->transport || in->props.n != 1 || p->spi_size != 4 ||
	    spi32(p->spi) < 256)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	cc_offer(&sa->conn->esp, 0, &mine);
	if (proposal_select(&mine, &in->props, chosen) < 0 ||
	    chosen->n_tr != p->n_tr)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	g = cc_group(chosen);
	if (g != sa->est->pend.group || (g && (!in->has_ke ||
					       in->ke.group != g)))
		return IKE_N_INVALID_KE_PAYLOAD;
	if (ts_from_prefixes(sa->conn->local_ts, sa->conn->n_local_ts,
			     &ours_l) || ts_remote(sa, &ours_r) ||
	    !ts_subset(&in->tsi, &ours_l) || !ts_subset(&in->tsr, &ours_r))
		return IKE_N_TS_UNACCEPTABLE;
	return 0;
}

/* §2.8.1: the peer's new SA for the same old one, if it rekeyed it too. */
static struct est_child *cc_twin(struct ikesa_est *e, uint32_t old_spi)
{
	size_t i;

	for (i = 0; i < EST_CHILDREN_MAX; i++)
		if (e->child[i].used && !e->child[i].ours &&
		    e->child[i].replaces == old_spi)
			return &e->child[i];
	return NULL;
}

/* After our rekey: the Delete of the old SA, or of our redundant one. */
static int cc_after_rekey(struct ikesa *sa, struct est_child *mine,
			  struct ike_out *out)
{
	struct est_child *twin = cc_twin(sa->est, mine->replaces);
	uint32_t spi = mine->replaces;

	if (!est_child_by_in(sa->est, spi))
		return 0;	/* the peer deleted it meanwhile */
	if (twin && est_nonce_cmp(mine->min_nonce, mine->min_nonce_len,
				  twin->min_nonce,
				  twin->min_nonce_len) < 0)
		spi = mine->c.spi_in;	/* we lost: ours is redundant */
	return est_delete_request(sa, &spi, 1, out);
}

static int cc_response(struct ikesa *sa, struct cc_in *in,
		       struct ike_out *out)
{
	struct est_pending *p = &sa->est->pend;
	struct ike_proposal chosen;
	struct est_child *c = est_child_slot(sa->est);
	struct cc_keys k = {
		.initiator = true, .esp = &chosen,
		.ni = { p->nonce, sizeof(p->nonce) },
		.nr = { in->nonce, in->nonce_len }, .dh = p->dh,
		.peer_ke = &in->ke, .spi_in = p->new_spi,
		.local = &in->tsi, .remote = &in->tsr,
	};
	uint16_t err = cc_answer_ok(sa, in, &chosen);
	bool rekey = p->kind == PEND_REKEY;

	k.spi_out = spi32(in->props.prop[0].spi);
	if (!err && (!c || cc_install(sa, c, &k)))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	sa->child_error = err;
	if (err) {
		est_pend_clear(sa->est);
		return IKE_RX_OK;
	}
	c->ours = true;
	c->replaces = rekey ? p->old_spi : 0;
	est_op(sa, CHILD_OP_INSTALL, c);
	est_pend_clear(sa->est);
	if (rekey && cc_after_rekey(sa, c, out))
		out->len = 0;
	return IKE_RX_OK;
}

static int cc_on_response(struct ikesa *sa, struct cc_in *in,
			  const uint8_t *msg, size_t len, struct ike_out *out)
{
	uint8_t crit = 0;
	int r = cc_open(sa, msg, len, in, &crit);

	if (r < 0)
		return IKE_RX_DROP;
	ike_blob_free(&sa->last_req);
	if (r != XOPEN_OK) {
		sa->child_error = r == XOPEN_CRITICAL ?
			IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD :
			IKE_N_INVALID_SYNTAX;
		est_pend_clear(sa->est);
		return IKE_RX_OK;
	}
	if (sa->est->pend.kind == PEND_IKE_REKEY)
		return rekey_ike_response(sa, in, out);
	return cc_response(sa, in, out);
}

int child_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		      struct ike_out *out)
{
	struct cc_in *in = calloc(1, sizeof(*in));
	int ret = in ? cc_on_response(sa, in, msg, len, out) : IKE_RX_DROP;

	if (in)
		OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	return ret;
}
