// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 session resumption (RFC 5723), both roles:
 *
 *   IKE_AUTH request ... N(TICKET_REQUEST)  -->
 *   <--  IKE_AUTH response ... N(TICKET_LT_OPAQUE) (or N(TICKET_NACK))
 *
 * and later, instead of IKE_SA_INIT:
 *
 *   HDR(IKE_SESSION_RESUME), Ni, N(TICKET_OPAQUE)  -->
 *   <--  HDR, Nr			(or HDR, N(TICKET_NACK))
 *
 * then IKE_AUTH as usual, without D-H: the keys come from the old SK_d
 * (§5.1: SKEYSEED = prf(SK_d (old), "Resumption" | Ni | Nr), the rest as
 * in RFC 7296 §2.14 with the new SPIs), AUTH is auth_resume.c's, and
 * the IKE_SESSION_RESUME messages stand where the IKE_SA_INIT ones would
 * in it. The responder keeps no state per ticket besides the used-ticket
 * cache (ticket.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "exchange_int.h"
#include "proposal.h"
#include "secmem.h"

static const char resumption[] = "Resumption";	/* 10 octets, no NUL */

/* What an IKE_SESSION_RESUME message holds, pointing into it. */
struct resume_in {
	struct ike_msg m;
	const uint8_t *nonce;
	size_t nonce_len;
	struct ike_notify ticket;
	bool has_ticket, nack;
	uint16_t error;
};

static int resume_note(struct resume_in *in, const struct ike_payload *pl)
{
	struct ike_notify n;

	if (ike_dec_notify(pl->body, pl->len, &n))
		return -1;
	if (n.type == IKE_N_TICKET_OPAQUE) {
		if (in->has_ticket)
			return -1;
		in->ticket = n;
		in->has_ticket = true;
	}
	in->nack |= n.type == IKE_N_TICKET_NACK;
	if (n.type && n.type <= IKE_N_ERROR_MAX && !in->error)
		in->error = n.type;
	return 0;
}

static int resume_parse(const uint8_t *msg, size_t len, struct resume_in *in)
{
	const struct ike_payload *pl;
	size_t i;

	memset(in, 0, sizeof(*in));
	if (len > IKE_MSG_MAX || ike_parse_msg(msg, len, &in->m) ||
	    in->m.hdr.exchange != IKE_SESSION_RESUME || in->m.hdr.msg_id)
		return -1;
	for (i = 0; i < in->m.chain.n; i++) {
		pl = &in->m.chain.pl[i];
		if (pl->type == IKE_PL_NONCE &&
		    xchg_take_nonce(pl, &in->nonce, &in->nonce_len))
			return -1;
		if (pl->type == IKE_PL_NOTIFY && resume_note(in, pl))
			return -1;
	}
	return 0;
}

/* §5.1: SKEYSEED from the old SK_d, then SK_* and the SK_e keys. */
static int resume_derive(struct ikesa *sa, const uint8_t *sk_d, size_t dlen)
{
	const struct ike_chunk ni = { sa->ni, sa->ni_len };
	const struct ike_chunk nr = { sa->nr, sa->nr_len };
	const struct ike_chunk parts[3] = {
		{ (const uint8_t *)resumption, sizeof(resumption) - 1 }, ni, nr,
	};
	size_t elen = sk_keymat_len(sa->encr, sa->key_bits);
	uint8_t *seed = secmem_alloc(IKE_PRF_MAX_LEN);
	int ret = -1;

	if (seed && elen && !ike_prf(sa->prf, sk_d, dlen, parts, 3, seed) &&
	    !ike_sa_keys_derive(&sa->keys, sa->prf, seed, &ni, &nr,
				sa->spi_i, sa->spi_r, 0, elen))
		ret = ikesa_install_sk(sa);
	secmem_free(seed);
	if (ret)
		ike_sa_keys_free(&sa->keys);
	return ret;
}

/* ---- tickets the initiator holds ---- */

void ike_ticket_free(struct ike_ticket *t)
{
	if (!t)
		return;
	secmem_free(t->sk_d);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

struct ike_ticket *ike_ticket_take(struct ikesa *sa)
{
	struct ike_ticket *t = sa->ticket;

	sa->ticket = NULL;
	return t;
}

static struct ike_ticket *ticket_dup(const struct ike_ticket *t)
{
	struct ike_ticket *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *t;
	n->sk_d = secmem_dup(t->sk_d, t->sk_d_len);
	if (!n->sk_d) {
		free(n);
		return NULL;
	}
	return n;
}

void resume_keep_ticket(struct ikesa *sa, const struct ike_notify *n)
{
	struct ike_ticket *t;
	uint32_t life;

	if (n->len < 4 + TICKET_HDR_LEN + TICKET_TAG_LEN ||
	    n->len > 4 + TICKET_MAX || !sa->keys.sk_d)
		return;
	life = (uint32_t)n->data[0] << 24 | (uint32_t)n->data[1] << 16 |
	       (uint32_t)n->data[2] << 8 | n->data[3];
	t = life ? calloc(1, sizeof(*t)) : NULL;
	if (!t)
		return;
	t->len = n->len - 4;
	memcpy(t->opaque, n->data + 4, t->len);
	t->expires = ticket_now() + life;
	t->sk_d_len = sa->keys.prf_len;
	t->sk_d = secmem_dup(sa->keys.sk_d, t->sk_d_len);
	t->encr = sa->encr;
	t->prf = sa->prf;
	t->key_bits = sa->key_bits;
	t->prop = sa->ike_prop;
	ike_ticket_free(sa->ticket);
	sa->ticket = t->sk_d ? t : NULL;
	if (!t->sk_d)
		free(t);
}

/* ---- initiator ---- */

static int resume_build_request(struct ikesa *sa, struct ike_out *out)
{
	const struct ike_ticket *t = sa->resume_from;
	struct ike_writer w;
	struct ike_hdr h;
	long n;

	xchg_hdr(sa, &h, IKE_SESSION_RESUME, 0, false);
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	ike_put_nonce(&w, sa->ni, sa->ni_len);
	xchg_notify(&w, IKE_N_TICKET_OPAQUE, t->opaque, t->len);
	n = ike_w_finish(&w);
	if (n < 0 || ike_blob_set(&sa->init_req, out->buf, (size_t)n) ||
	    ike_blob_set(&sa->last_req, out->buf, (size_t)n))
		return -1;
	out->len = (size_t)n;
	sa->next_req_id = 1;
	return 0;
}

struct ikesa *ike_resume(const struct moatd_conn *c,
			 const struct ike_endpoints *ep,
			 const struct ike_ticket *t, struct ike_out *out)
{
	struct ikesa *sa = ikesa_new(c, IKESA_INITIATOR, ep);

	out->len = 0;
	if (!sa)
		return NULL;
	sa->state = IKESA_INIT_SENT;
	sa->resumed = true;
	sa->ni_len = IKESA_NONCE_LEN;
	sa->resume_from = ticket_dup(t);
	if (!sa->resume_from || ikesa_rand(sa->ni, sa->ni_len) ||
	    resume_build_request(sa, out)) {
		ikesa_free(sa);
		out->len = 0;
		return NULL;
	}
	return sa;
}

/* The answer's Nr and SPIr, then the keys; 0 or -1 (nothing kept). */
static int resume_take_answer(struct ikesa *sa, const struct resume_in *in)
{
	static const uint8_t zero[IKE_SPI_LEN];
	const struct ike_ticket *t = sa->resume_from;

	if (!in->nonce || in->nonce_len > sizeof(sa->nr) ||
	    !memcmp(in->m.hdr.spi_r, zero, IKE_SPI_LEN))
		return -1;
	memcpy(sa->spi_r, in->m.hdr.spi_r, IKE_SPI_LEN);
	memcpy(sa->nr, in->nonce, in->nonce_len);
	sa->nr_len = in->nonce_len;
	sa->encr = t->encr;
	sa->prf = t->prf;
	sa->key_bits = t->key_bits;
	sa->ike_prop = t->prop;
	if (!resume_derive(sa, t->sk_d, t->sk_d_len))
		return 0;
	memset(sa->spi_r, 0, IKE_SPI_LEN);
	sa->nr_len = 0;
	return -1;
}

int resume_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		       struct ike_out *out)
{
	struct resume_in *in = calloc(1, sizeof(*in));
	int ret = IKE_RX_OK;

	if (!in || !sa->resume_from || resume_parse(msg, len, in)) {
		ret = IKE_RX_DROP;
	} else if (in->nack || in->error) {
		ikesa_fail(sa, in->nack ? IKE_N_TICKET_NACK : in->error);
	} else if (resume_take_answer(sa, in)) {
		ret = IKE_RX_DROP;
	} else {
		ike_ticket_free(sa->resume_from);
		sa->resume_from = NULL;
		if (ike_blob_set(&sa->init_resp, msg, len) ||
		    auth_build_request(sa, out))
			ikesa_fail(sa, IKE_N_AUTHENTICATION_FAILED);
	}
	free(in);
	return ret;
}

/* ---- responder ---- */

/* An unencrypted answer, SPIr zero: HDR, N(TICKET_NACK). */
static void resume_nack(const struct ike_hdr *req, struct ike_out *out)
{
	struct ike_writer w;
	struct ike_hdr h = *req;
	long n;

	memset(h.spi_r, 0, IKE_SPI_LEN);
	h.flags = IKE_FLAG_R;
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	xchg_notify(&w, IKE_N_TICKET_NACK, NULL, 0);
	n = ike_w_finish(&w);
	out->len = n < 0 ? 0 : (size_t)n;
}

static bool id_same(const struct moatd_id *a, const struct moatd_id *b)
{
	return a->type == b->type && a->len == b->len &&
	       !memcmp(a->data, b->data, a->len);
}

/*
 * The conn a ticket names, if it still resumes from where we are, with
 * the identity and the peer's method the ticket was issued under (§4.3.3:
 * IDr cannot change in a resumption).
 */
static const struct moatd_conn *resume_conn(const struct moatd_config *cfg,
					    const struct ticket_state *st,
					    const struct ike_endpoints *ep)
{
	const struct moatd_conn *c = moatd_config_find(cfg, st->conn);

	if (!c || !c->resumption || !addr_equal(&c->local, &ep->local) ||
	    (!c->remote_any && !addr_equal(&c->remote, &ep->remote)) ||
	    !id_same(&c->local_id, &st->id_r) || c->remote_auth != st->auth_i)
		return NULL;
	return c;
}

/* The IKE SA transforms a ticket names, as the one proposal agreed. */
static void resume_prop(struct ikesa *sa, const struct ticket_state *st)
{
	struct ike_proposal *p = &sa->ike_prop;

	memset(p, 0, sizeof(*p));
	p->num = 1;
	p->proto = IKE_PROTO_IKE;
	p->tr[p->n_tr++] = (struct ike_transform){ IKE_TR_ENCR, st->encr,
						   st->key_bits, 0 };
	p->tr[p->n_tr++] = (struct ike_transform){ IKE_TR_PRF, st->prf, 0, 0 };
	if (st->group)
		p->tr[p->n_tr++] = (struct ike_transform){ IKE_TR_DH,
							   st->group, 0, 0 };
	sa->encr = st->encr;
	sa->prf = st->prf;
	sa->key_bits = st->key_bits;
	sa->dh_group = st->group;
}

static int resume_build_response(struct ikesa *sa, struct ike_out *out)
{
	struct ike_writer w;
	struct ike_hdr h;
	long n;

	xchg_hdr(sa, &h, IKE_SESSION_RESUME, 0, true);
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, &h);
	ike_put_nonce(&w, sa->nr, sa->nr_len);
	n = ike_w_finish(&w);
	out->len = n < 0 ? 0 : (size_t)n;
	return n < 0 ? -1 : 0;
}

/* Nonces and keys of the new SA; 0 or -1. */
static int resume_keys(struct ikesa *sa, const struct resume_in *in,
		       const struct ticket_state *st)
{
	if (in->nonce_len > sizeof(sa->ni) ||
	    sk_keymat_len(st->encr, st->key_bits) == 0 ||
	    ike_prf_len(st->prf) != st->sk_d_len)
		return -1;
	memcpy(sa->ni, in->nonce, in->nonce_len);
	sa->ni_len = in->nonce_len;
	sa->nr_len = IKESA_NONCE_LEN;
	resume_prop(sa, st);
	if (ikesa_rand(sa->nr, sa->nr_len))
		return -1;
	return resume_derive(sa, st->sk_d, st->sk_d_len);
}

static struct ikesa *resume_accept(const struct moatd_conn *c,
				   const struct ike_endpoints *ep,
				   const struct resume_in *in,
				   const struct ticket_state *st,
				   const uint8_t *msg, size_t len,
				   struct ike_out *out)
{
	struct ikesa *sa = ikesa_new(c, IKESA_RESPONDER, ep);

	if (!sa)
		return NULL;
	memcpy(sa->spi_i, in->m.hdr.spi_i, IKE_SPI_LEN);
	sa->resumed = true;
	sa->peer_id = st->id_i;
	if (resume_keys(sa, in, st) || resume_build_response(sa, out) ||
	    xchg_remember_first(sa, msg, len, out)) {
		ikesa_free(sa);
		out->len = 0;
		return NULL;
	}
	sa->state = IKESA_INIT_DONE;
	return sa;
}

static bool resume_request_ok(const struct resume_in *in)
{
	static const uint8_t zero[IKE_SPI_LEN];
	const struct ike_hdr *h = &in->m.hdr;

	return (h->flags & (IKE_FLAG_I | IKE_FLAG_R)) == IKE_FLAG_I &&
	       !memcmp(h->spi_r, zero, IKE_SPI_LEN) && in->nonce &&
	       in->has_ticket;
}

/* A well-formed request: its ticket opened, then a new SA or NACK. */
static struct ikesa *resume_respond(const struct moatd_config *cfg,
				    const struct ike_endpoints *ep,
				    const struct resume_in *in,
				    const uint8_t *msg, size_t len,
				    struct ike_out *out)
{
	struct ticket_state *st = secmem_alloc(sizeof(*st));
	const struct moatd_conn *c = NULL;
	struct ikesa *sa = NULL;

	if (st && ticket_open(in->ticket.data, in->ticket.len, st) ==
		  TICKET_OK)
		c = resume_conn(cfg, st, ep);
	if (c)
		sa = resume_accept(c, ep, in, st, msg, len, out);
	secmem_free(st);
	if (!sa)
		resume_nack(&in->m.hdr, out);
	return sa;
}

struct ikesa *ike_respond_resume(const struct moatd_config *cfg,
				 const struct ike_endpoints *ep,
				 const uint8_t *msg, size_t len,
				 struct ike_out *out, uint16_t *notify)
{
	struct resume_in *in = calloc(1, sizeof(*in));
	struct ikesa *sa = NULL;

	out->len = 0;
	if (in && !resume_parse(msg, len, in) && resume_request_ok(in))
		sa = resume_respond(cfg, ep, in, msg, len, out);
	if (notify)
		*notify = !sa && out->len ? IKE_N_TICKET_NACK : 0;
	free(in);
	return sa;
}

/* The state the responder's ticket for @sa carries; 0 or -1. */
static int resume_state(const struct ikesa *sa, uint32_t life,
			struct ticket_state *st)
{
	const struct moatd_conn *c = sa->conn;

	if (!sa->keys.sk_d || sa->keys.prf_len > sizeof(st->sk_d))
		return -1;
	st->expires = ticket_now() + life;
	snprintf(st->conn, sizeof(st->conn), "%s", c->name);
	st->id_i = sa->peer_id;
	st->id_r = c->local_id;
	st->auth_i = (uint8_t)c->remote_auth;
	st->encr = (uint16_t)sa->encr;
	st->prf = (uint16_t)sa->prf;
	st->group = sa->dh_group;
	st->key_bits = (uint16_t)sa->key_bits;
	st->sk_d_len = (uint8_t)sa->keys.prf_len;
	memcpy(st->sk_d, sa->keys.sk_d, st->sk_d_len);
	return 0;
}

void resume_put_ticket(struct ike_writer *w, const struct ikesa *sa)
{
	uint32_t life = sa->conn->resumption_lifetime;
	struct ticket_state *st;
	uint8_t data[4 + TICKET_MAX];
	size_t n = 0;

	if (!sa->ticket_asked)
		return;
	st = secmem_alloc(sizeof(*st));

	if (life > MOATD_TICKET_LIFETIME_MAX)
		life = MOATD_TICKET_LIFETIME_MAX;
	if (st && sa->conn->resumption && !resume_state(sa, life, st))
		n = ticket_seal(st, data + 4, sizeof(data) - 4);
	secmem_free(st);
	if (!n) {
		xchg_notify(w, IKE_N_TICKET_NACK, NULL, 0);
		return;
	}
	data[0] = (uint8_t)(life >> 24);
	data[1] = (uint8_t)(life >> 16);
	data[2] = (uint8_t)(life >> 8);
	data[3] = (uint8_t)life;
	xchg_notify(w, IKE_N_TICKET_LT_OPAQUE, data, n + 4);
}
