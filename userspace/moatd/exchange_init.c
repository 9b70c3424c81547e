// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_SA_INIT (RFC 7296 §1.2), both roles:
 *
 *   HDR, [N(COOKIE),] SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP),
 *	N(NAT_DETECTION_DESTINATION_IP), [N(IKEV2_FRAGMENTATION_SUPPORTED),]
 *	[N(USE_PPK)]  -->
 *   <--  HDR, SA, KE, Nr, N(NAT-D) x2, [N(FRAG...)], [N(USE_PPK)]
 *
 * The responder answers statelessly with N(COOKIE) (§2.6) when it wants a
 * cookie, N(INVALID_KE_PAYLOAD) with the group it wants when the KE
 * payload's group is not the one it picks but a proposal is acceptable,
 * and N(NO_PROPOSAL_CHOSEN) when none is. The initiator retries the first
 * two with the same SPI, nonce and proposals.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "exchange_int.h"
#include "proposal.h"
#include "secmem.h"

/* What an IKE_SA_INIT message holds, pointing into it. */
struct init_in {
	struct ike_msg m;
	struct ike_sa props;
	struct ike_ke ke;
	const uint8_t *nonce;
	size_t nonce_len;
	bool has_sa, has_ke, has_ps;
	uint8_t auth_d;			/* the IKE_AUTH puzzle to ask */
	const struct ike_notify *cookie;	/* in notes[] */
	const struct ike_notify *puzzle;	/* RFC 8019, in notes[] */
	bool cookie_first, frag, use_ppk;
	uint16_t error;			/* first error Notify */
	const uint8_t *invalid_ke;	/* its 2-octet data, or NULL */
	size_t invalid_ke_len;
	struct ike_notify notes[IKE_MAX_PAYLOADS];
	size_t n_notes;
};

static int init_note(struct init_in *in, const struct ike_notify *n,
		     size_t idx)
{
	in->notes[in->n_notes++] = *n;
	switch (n->type) {
	case IKE_N_COOKIE:
		if (in->cookie)
			return -1;
		in->cookie = &in->notes[in->n_notes - 1];
		in->cookie_first = idx == 0;
		break;
	case IKE_N_PUZZLE:
		if (!in->puzzle)
			in->puzzle = &in->notes[in->n_notes - 1];
		break;
	case IKE_N_FRAGMENTATION_SUPPORTED:
		in->frag = true;
		break;
	case IKE_N_USE_PPK:
		in->use_ppk = true;
		break;
	case IKE_N_INVALID_KE_PAYLOAD:
		in->invalid_ke = n->data;
		in->invalid_ke_len = n->len;
		break;
	}
	if (n->type && n->type <= IKE_N_ERROR_MAX && !in->error)
		in->error = n->type;
	return 0;
}

/* One payload; duplicates of SA, KE or Nonce make the message malformed. */
static int init_take(struct init_in *in, const struct ike_payload *pl,
		     size_t idx)
{
	struct ike_notify n;

	switch (pl->type) {
	case IKE_PL_SA:
		if (in->has_sa)
			return -1;
		in->has_sa = true;
		return ike_dec_sa(pl->body, pl->len, &in->props) ? -1 : 0;
	case IKE_PL_KE:
		if (in->has_ke)
			return -1;
		in->has_ke = true;
		return ike_dec_ke(pl->body, pl->len, &in->ke) ? -1 : 0;
	case IKE_PL_NONCE:
		return xchg_take_nonce(pl, &in->nonce, &in->nonce_len);
	case IKE_PL_PS:		/* checked by the guard */
		in->has_ps = true;
		return 0;
	case IKE_PL_NOTIFY:
		if (ike_dec_notify(pl->body, pl->len, &n))
			return -1;
		return init_note(in, &n, idx);
	}
	return 0;	/* Vendor ID, CERTREQ, ...: not used */
}

/* IKE_OK, IKE_E_CRITICAL (in->m.chain.unsupported) or another error. */
static int init_parse(const uint8_t *msg, size_t len, struct init_in *in)
{
	int ret;
	size_t i;

	memset(in, 0, sizeof(*in));
	ret = ike_parse_msg(msg, len, &in->m);
	if (ret)
		return ret;
	if (in->m.hdr.exchange != IKE_SA_INIT || in->m.hdr.msg_id != 0)
		return IKE_E_SYNTAX;
	for (i = 0; i < in->m.chain.n; i++)
		if (init_take(in, &in->m.chain.pl[i], i))
			return IKE_E_SYNTAX;
	return IKE_OK;
}

/* The NAT-D notifies of type @type: does one match @a, @port? */
static bool natd_seen(const struct init_in *in, uint16_t type,
		      const uint8_t *spi_r, const struct ikesa *sa,
		      const struct moat_addr *a, uint16_t port)
{
	uint8_t want[NATD_LEN];
	size_t i;

	if (xchg_natd(sa->spi_i, spi_r, a, port, want))
		return false;
	for (i = 0; i < in->n_notes; i++)
		if (in->notes[i].type == type && in->notes[i].len == NATD_LEN &&
		    !memcmp(in->notes[i].data, want, NATD_LEN))
			return true;
	return false;
}

/* §2.23: a NAT is in front of whoever's NAT-D hash does not match. */
static void natd_check(struct ikesa *sa, const struct init_in *in,
		       const uint8_t *spi_r)
{
	size_t i;

	for (i = 0; i < in->n_notes; i++)
		if (in->notes[i].type == IKE_N_NAT_DETECTION_SOURCE_IP)
			break;
	if (i == in->n_notes)
		return;		/* the peer does not do NAT detection */
	sa->nat_remote = !natd_seen(in, IKE_N_NAT_DETECTION_SOURCE_IP, spi_r,
				    sa, &sa->ep.remote, sa->ep.remote_port);
	sa->nat_local = !natd_seen(in, IKE_N_NAT_DETECTION_DESTINATION_IP,
				   spi_r, sa, &sa->ep.local,
				   sa->ep.local_port);
}

bool ike_esp_in_udp(const struct ikesa *sa)
{
	return sa->ep.local_port == 4500 &&
	       (sa->nat_local || sa->nat_remote ||
		sa->conn->encap == MOATD_ENCAP_YES);
}

/* Our KE, Nonce and status notifies, shared by request and response. */
static void init_put_common(struct ike_writer *w, struct ikesa *sa,
			    bool initiator)
{
	uint8_t pub[DH_PUBLIC_MAX];
	struct ike_ke ke = { sa->dh_group, pub, dh_public_len(sa->dh_group) };
	static const uint8_t zero[IKE_SPI_LEN];

	if (!sa->dh || dh_public(sa->dh, pub, ke.len))
		w->err = w->err ? w->err : IKE_E_SYNTAX;
	ike_put_ke(w, &ke);
	if (initiator)
		ike_put_nonce(w, sa->ni, sa->ni_len);
	else
		ike_put_nonce(w, sa->nr, sa->nr_len);
	xchg_put_natd(w, sa, initiator ? zero : sa->spi_r);
	if (sa->conn->fragmentation && (initiator || sa->peer_frag))
		xchg_notify(w, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (sa->conn->ppk && (initiator || sa->peer_ppk))
		xchg_notify(w, IKE_N_USE_PPK, NULL, 0);
}

int init_build_request(struct ikesa *sa, struct ike_out *out)
{
	struct ike_writer w;
	struct ike_hdr h;
	long n;

	out->len = 0;
	xchg_hdr(sa, &h, IKE_SA_INIT, 0, false);
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	if (sa->cookie_len)	/* §2.6: the cookie comes first */
		xchg_notify(&w, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	if (sa->ps_len)		/* RFC 8019 §7.1.2: then the solution */
		ike_put_puzzle(&w, sa->ps, sa->ps_len);
	ike_put_sa(&w, &sa->conn->ike);
	init_put_common(&w, sa, true);
	n = ike_w_finish(&w);
	if (n < 0 || ike_blob_set(&sa->init_req, out->buf, (size_t)n) ||
	    ike_blob_set(&sa->last_req, out->buf, (size_t)n))
		return -1;
	out->len = (size_t)n;
	sa->init_rounds++;
	sa->next_req_id = 1;
	return 0;
}

/* The first D-H group of our first proposal: the one we guess. */
static uint16_t first_group(const struct moatd_conn *c)
{
	const struct ike_transform *t = c->ike.n ?
		proposal_find_tr(&c->ike.prop[0], IKE_TR_DH) : NULL;

	return t ? t->id : 0;
}

struct ikesa *ike_initiate(const struct moatd_conn *c,
			   const struct ike_endpoints *ep, struct ike_out *out)
{
	struct ikesa *sa = ikesa_new(c, IKESA_INITIATOR, ep);

	out->len = 0;
	if (!sa)
		return NULL;
	sa->state = IKESA_INIT_SENT;
	sa->dh_group = first_group(c);
	sa->ni_len = IKESA_NONCE_LEN;
	sa->dh = ikesa_dh_new(sa->dh_group);
	if (!sa->dh || ikesa_rand(sa->ni, sa->ni_len) ||
	    init_build_request(sa, out)) {
		ikesa_free(sa);
		out->len = 0;
		return NULL;
	}
	return sa;
}

int init_derive(struct ikesa *sa, const struct ike_ke *peer)
{
	const struct ike_chunk ni = { sa->ni, sa->ni_len };
	const struct ike_chunk nr = { sa->nr, sa->nr_len };
	uint8_t gir[DH_PUBLIC_MAX], *seed;
	struct ike_chunk g = { gir, dh_secret_len(sa->dh_group) };
	size_t elen = sk_keymat_len(sa->encr, sa->key_bits);
	int ret = -1;

	if (!elen || dh_shared(sa->dh, peer->data, peer->len, gir, g.len))
		return -1;
	seed = ike_skeyseed(sa->prf, &ni, &nr, &g);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (seed && !ike_sa_keys_derive(&sa->keys, sa->prf, seed, &ni, &nr,
					sa->spi_i, sa->spi_r, 0, elen))
		ret = ikesa_install_sk(sa);
	secmem_free(seed);
	if (ret)
		ike_sa_keys_free(&sa->keys);
	return ret;
}

/* The IKE SA transforms of @p into sa. */
static int init_use_prop(struct ikesa *sa, const struct ike_proposal *p)
{
	const struct ike_transform *e = proposal_find_tr(p, IKE_TR_ENCR);
	const struct ike_transform *f = proposal_find_tr(p, IKE_TR_PRF);
	const struct ike_transform *d = proposal_find_tr(p, IKE_TR_DH);

	if (!e || !f || !d)
		return -1;
	sa->ike_prop = *p;
	sa->encr = e->id;
	sa->key_bits = e->key_bits ? e->key_bits : 256;
	sa->prf = f->id;
	sa->dh_group = d->id;
	return 0;
}

/* Responder. */

/* @ours with only the D-H group @group, dropping proposals without it. */
static void only_group(const struct ike_sa *ours, uint16_t group,
		       struct ike_sa *out)
{
	const struct ike_proposal *p;
	struct ike_proposal *q;
	size_t i;
	unsigned int t;
	bool has;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ours->n; i++) {
		p = &ours->prop[i];
		q = &out->prop[out->n];
		*q = *p;
		q->n_tr = 0;
		has = false;
		for (t = 0; t < p->n_tr; t++) {
			if (p->tr[t].type == IKE_TR_DH && p->tr[t].id != group)
				continue;
			has |= p->tr[t].type == IKE_TR_DH;
			q->tr[q->n_tr++] = p->tr[t];
		}
		if (has)
			out->n++;
	}
}

/* 0 with @chosen, or the Notify to answer (*@want: the group we want). */
static uint16_t init_select(const struct moatd_conn *c,
			    const struct init_in *in,
			    struct ike_proposal *chosen, uint16_t *want)
{
	const struct ike_transform *d;
	struct ike_sa mine;

	only_group(&c->ike, in->ke.group, &mine);
	if (proposal_select(&mine, &in->props, chosen) >= 0)
		return 0;
	if (proposal_select(&c->ike, &in->props, chosen) < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	d = proposal_find_tr(chosen, IKE_TR_DH);
	*want = d ? d->id : 0;
	return IKE_N_INVALID_KE_PAYLOAD;	/* §1.2 */
}

/* An unencrypted answer with one Notify and SPIr zero. */
static void init_answer(const struct ike_hdr *req, uint16_t type,
			const void *data, size_t len, struct ike_out *out)
{
	struct ike_writer w;
	struct ike_hdr h = *req;
	long n;

	memset(h.spi_r, 0, IKE_SPI_LEN);
	h.flags = IKE_FLAG_R;
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	xchg_notify(&w, type, data, len);
	n = ike_w_finish(&w);
	out->len = n < 0 ? 0 : (size_t)n;
}

/* §2.6: cookie = prf(secret, Ni | IPi | SPIi), HMAC-SHA2-256. */
static int cookie_make(const struct ike_responder *r,
		       const struct init_in *in,
		       const struct ike_endpoints *ep, uint8_t *out)
{
	const struct ike_chunk parts[3] = {
		{ in->nonce, in->nonce_len },
		{ ep->remote.u.b, addr_len(&ep->remote) },
		{ in->m.hdr.spi_i, IKE_SPI_LEN },
	};

	return ike_prf(IKE_PRF_HMAC_SHA2_256, r->secret, sizeof(r->secret),
		       parts, 3, out);
}

/* Whether the request carries the cookie we would give it. */
static bool cookie_ok(const struct ike_responder *r,
		      const struct init_in *in,
		      const struct ike_endpoints *ep, uint8_t *want)
{
	if (cookie_make(r, in, ep, want))
		return false;
	return in->cookie && in->cookie_first && in->cookie->len == 32 &&
	       ike_auth_equal(in->cookie->data, want, 32);
}

static int init_build_response(struct ikesa *sa, struct ike_out *out)
{
	struct ike_sa chosen = { .n = 1 };
	struct ike_writer w;
	struct ike_hdr h;
	long n;

	chosen.prop[0] = sa->ike_prop;
	xchg_hdr(sa, &h, IKE_SA_INIT, 0, true);
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	ike_put_sa(&w, &chosen);
	init_put_common(&w, sa, false);
	authpuzzle_put_notify(&w, sa);
	n = ike_w_finish(&w);
	out->len = n < 0 ? 0 : (size_t)n;
	return n < 0 ? -1 : 0;
}

/* The new SA's nonce, DH key and keys; 0 or -1. */
static int init_responder_keys(struct ikesa *sa, const struct init_in *in)
{
	if (in->nonce_len > sizeof(sa->ni))
		return -1;
	memcpy(sa->ni, in->nonce, in->nonce_len);
	sa->ni_len = in->nonce_len;
	sa->nr_len = IKESA_NONCE_LEN;
	sa->dh = ikesa_dh_new(sa->dh_group);
	if (!sa->dh || ikesa_rand(sa->nr, sa->nr_len))
		return -1;
	return authpuzzle_defer(sa, &in->ke, in->auth_d);
}

static struct ikesa *init_accept(const struct moatd_conn *c,
				 const struct ike_endpoints *ep,
				 const struct init_in *in,
				 const struct ike_proposal *chosen,
				 const uint8_t *msg, size_t len,
				 struct ike_out *out)
{
	struct ikesa *sa = ikesa_new(c, IKESA_RESPONDER, ep);

	if (!sa)
		return NULL;
	memcpy(sa->spi_i, in->m.hdr.spi_i, IKE_SPI_LEN);
	sa->peer_frag = in->frag && c->fragmentation;
	sa->peer_ppk = in->use_ppk && c->ppk;
	if (init_use_prop(sa, chosen) || init_responder_keys(sa, in) ||
	    init_build_response(sa, out) ||
	    xchg_remember_first(sa, msg, len, out)) {
		ikesa_free(sa);
		out->len = 0;
		return NULL;
	}
	natd_check(sa, in, (const uint8_t *)"\0\0\0\0\0\0\0\0");
	if (!ike_auth_puzzle(sa)) {
		dh_free(sa->dh);	/* the public value is in the answer */
		sa->dh = NULL;
	}
	sa->state = IKESA_INIT_DONE;
	return sa;
}

/* A well-formed request: the stateless answers, else a new SA. */
static struct ikesa *init_respond(const struct ike_responder *r,
				  const struct moatd_conn *c,
				  const struct ike_endpoints *ep,
				  const struct init_in *in,
				  const uint8_t *msg, size_t len,
				  struct ike_out *out, uint16_t *notify)
{
	uint8_t cookie[32], grp[2];
	struct ike_proposal chosen;
	uint16_t want = 0;

	if (r->require_cookie && !cookie_ok(r, in, ep, cookie)) {
		*notify = IKE_N_COOKIE;
		init_answer(&in->m.hdr, IKE_N_COOKIE, cookie, 32, out);
		return NULL;
	}
	*notify = init_select(c, in, &chosen, &want);
	if (*notify == IKE_N_INVALID_KE_PAYLOAD) {
		grp[0] = (uint8_t)(want >> 8);
		grp[1] = (uint8_t)want;
		init_answer(&in->m.hdr, *notify, grp, 2, out);
	} else if (*notify) {
		init_answer(&in->m.hdr, *notify, NULL, 0, out);
	}
	if (*notify)
		return NULL;
	if (in->ke.len != dh_public_len(in->ke.group))
		return NULL;
	return init_accept(c, ep, in, &chosen, msg, len, out);
}

static bool init_request_ok(const struct init_in *in)
{
	static const uint8_t zero[IKE_SPI_LEN];
	const struct ike_hdr *h = &in->m.hdr;

	return (h->flags & (IKE_FLAG_I | IKE_FLAG_R)) == IKE_FLAG_I &&
	       !memcmp(h->spi_r, zero, IKE_SPI_LEN) &&
	       in->has_sa && in->has_ke && in->nonce;
}

struct ikesa *ike_respond_init(const struct ike_responder *r,
			       const struct moatd_conn *c,
			       const struct ike_endpoints *ep,
			       const uint8_t *msg, size_t len,
			       struct ike_out *out, uint16_t *notify)
{
	struct init_in *in = calloc(1, sizeof(*in));
	struct ikesa *sa = NULL;
	uint16_t n = 0;
	uint8_t crit;
	int ret;

	out->len = 0;
	ret = in && len <= IKE_MSG_MAX ? init_parse(msg, len, in) : IKE_E_SHORT;
	if (ret == IKE_E_CRITICAL &&
	    (in->m.hdr.flags & (IKE_FLAG_I | IKE_FLAG_R)) == IKE_FLAG_I) {
		crit = in->m.chain.unsupported;
		n = IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
		init_answer(&in->m.hdr, n, &crit, 1, out);
	} else if (ret == IKE_OK && init_request_ok(in)) {
		in->auth_d = in->has_ps && in->cookie ? r->auth_puzzle : 0;
		sa = init_respond(r, c, ep, in, msg, len, out, &n);
	}
	free(in);
	if (notify)
		*notify = n;
	return sa;
}

int ike_responder_init(struct ike_responder *r, bool require_cookie)
{
	r->require_cookie = require_cookie;
	return ikesa_rand(r->secret, sizeof(r->secret));
}

/* Initiator. */

static int init_retry_cookie(struct ikesa *sa, const struct init_in *in,
			     struct ike_out *out)
{
	const struct ike_notify *c = in->cookie;

	if (!c->len || c->len > IKESA_COOKIE_MAX ||
	    sa->init_rounds >= IKESA_INIT_ROUNDS)
		return IKE_RX_DROP;
	memcpy(sa->cookie, c->data, c->len);
	sa->cookie_len = c->len;
	sa->ps_len = 0;
	if (in->puzzle && !puzzle_ask(sa, in->puzzle->data, in->puzzle->len))
		return IKE_RX_OK;	/* ike_puzzle_work() goes on */
	if (init_build_request(sa, out))
		ikesa_fail(sa, 0);
	return IKE_RX_OK;
}

static bool group_offered(const struct moatd_conn *c, uint16_t group)
{
	size_t i;
	unsigned int t;

	for (i = 0; i < c->ike.n; i++)
		for (t = 0; t < c->ike.prop[i].n_tr; t++)
			if (c->ike.prop[i].tr[t].type == IKE_TR_DH &&
			    c->ike.prop[i].tr[t].id == group)
				return true;
	return false;
}

/* §1.2: the responder wants another group; it must be one we offered. */
static int init_retry_group(struct ikesa *sa, const struct init_in *in,
			    struct ike_out *out)
{
	uint16_t group;
	struct dh_key *dh;

	if (in->invalid_ke_len != 2 || sa->init_rounds >= IKESA_INIT_ROUNDS)
		return IKE_RX_DROP;
	group = (uint16_t)(in->invalid_ke[0] << 8 | in->invalid_ke[1]);
	if (group == sa->dh_group || !group_offered(sa->conn, group))
		return IKE_RX_DROP;
	dh = ikesa_dh_new(group);
	if (!dh)
		return IKE_RX_DROP;
	dh_free(sa->dh);
	sa->dh = dh;
	sa->dh_group = group;
	if (init_build_request(sa, out))
		ikesa_fail(sa, 0);
	return IKE_RX_OK;
}

/* The answer's one proposal must be one of ours, with our KE group. */
static int init_check_answer(struct ikesa *sa, const struct init_in *in,
			     struct ike_proposal *chosen)
{
	const struct ike_proposal *p = &in->props.prop[0];
	unsigned int i, j;

	if (!in->has_sa || !in->has_ke || !in->nonce || in->props.n != 1 ||
	    p->spi_size || in->ke.group != sa->dh_group ||
	    in->nonce_len > sizeof(sa->nr) ||
	    proposal_select(&sa->conn->ike, &in->props, chosen) < 0 ||
	    !proposal_find_tr(chosen, IKE_TR_DH) ||
	    proposal_find_tr(chosen, IKE_TR_DH)->id != sa->dh_group)
		return -1;
	for (i = 0; i < p->n_tr; i++)	/* one transform of each type */
		for (j = i + 1; j < p->n_tr; j++)
			if (p->tr[i].type == p->tr[j].type)
				return -1;
	return chosen->n_tr == p->n_tr ? 0 : -1;
}

static int init_complete(struct ikesa *sa, const struct init_in *in,
			 const uint8_t *msg, size_t len, struct ike_out *out)
{
	struct ike_proposal chosen;

	if (init_check_answer(sa, in, &chosen) ||
	    !memcmp(in->m.hdr.spi_r, "\0\0\0\0\0\0\0\0", IKE_SPI_LEN) ||
	    init_use_prop(sa, &chosen))
		goto drop;
	memcpy(sa->spi_r, in->m.hdr.spi_r, IKE_SPI_LEN);
	memcpy(sa->nr, in->nonce, in->nonce_len);
	sa->nr_len = in->nonce_len;
	if (init_derive(sa, &in->ke))
		goto drop;
	dh_free(sa->dh);
	sa->dh = NULL;
	sa->peer_frag = in->frag && sa->conn->fragmentation;
	sa->peer_ppk = in->use_ppk && sa->conn->ppk;
	natd_check(sa, in, sa->spi_r);
	if (ike_blob_set(&sa->init_resp, msg, len) ||
	    (sa->conn->ppk_required && !sa->peer_ppk) ||
	    (sa->peer_ppk && ppk_initiator_setup(sa)) ||
	    authpuzzle_auth_request(sa, in->puzzle, out))
		ikesa_fail(sa, IKE_N_AUTHENTICATION_FAILED);
	return IKE_RX_OK;
drop:
	/* Before the answer, none of these was set: nothing changed. */
	memset(sa->spi_r, 0, IKE_SPI_LEN);
	memset(&sa->ike_prop, 0, sizeof(sa->ike_prop));
	sa->nr_len = 0;
	sa->encr = sa->prf = 0;
	sa->key_bits = 0;
	return IKE_RX_DROP;
}

int init_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		     struct ike_out *out)
{
	struct init_in *in = calloc(1, sizeof(*in));
	int ret = IKE_RX_DROP;

	if (!in || init_parse(msg, len, in) || sa->puzzle)
		ret = IKE_RX_DROP;
	else if (in->cookie)
		ret = init_retry_cookie(sa, in, out);
	else if (in->invalid_ke)
		ret = init_retry_group(sa, in, out);
	else if (in->error) {
		ikesa_fail(sa, in->error);
		ret = IKE_RX_OK;
	} else
		ret = init_complete(sa, in, msg, len, out);
	free(in);
	return ret;
}
