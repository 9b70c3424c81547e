// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15) with a pre-shared key (method 2) or
 * NULL authentication (method 13, RFC 7619), and RFC 8784 PPK:
 *
 *   HDR, SK {IDi, [IDr,] AUTH, [N(PPK_IDENTITY), [N(NO_PPK_AUTH)],]
 *	SA, TSi, TSr}  -->
 *   <--  HDR, SK {IDr, AUTH, [N(PPK_IDENTITY),] SA, TSi, TSr}
 *
 * AUTH signs the signer's own IKE_SA_INIT message exactly as sent, the
 * peer's nonce and prf(SK_px, ID body). The Child SA is ESP in tunnel
 * mode with 4-octet SPIs; its selectors are narrowed by the responder.
 * A Child SA failure (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) leaves the IKE
 * SA established without it (§2.21.2); an authentication failure ends it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "exchange_int.h"
#include "proposal.h"

/* An IKE_AUTH message's contents, pointing into plain. */
struct auth_in {
	uint8_t plain[IKE_MSG_MAX];
	struct ike_chain c;
	const struct ike_payload *idi_pl, *idr_pl, *auth_pl;
	struct ike_id idi, idr;
	struct ike_auth auth;
	struct ike_sa props;
	struct ike_ts_list tsi, tsr;
	struct ike_notify ppk_id, no_ppk, ticket_lt;
	bool has_ticket_lt, ticket_req;	/* RFC 5723 */
	bool has_sa, has_tsi, has_tsr, has_ppk_id, has_no_ppk, transport;
	uint16_t error;
};

static int auth_note(struct auth_in *in, const struct ike_payload *pl)
{
	struct ike_notify n;

	if (ike_dec_notify(pl->body, pl->len, &n))
		return -1;
	if (n.type == IKE_N_PPK_IDENTITY && !in->has_ppk_id) {
		in->ppk_id = n;
		in->has_ppk_id = true;
	} else if (n.type == IKE_N_NO_PPK_AUTH && !in->has_no_ppk) {
		in->no_ppk = n;
		in->has_no_ppk = true;
	} else if (n.type == IKE_N_USE_TRANSPORT_MODE) {
		in->transport = true;
	} else if (n.type == IKE_N_TICKET_REQUEST) {
		in->ticket_req = true;
	} else if (n.type == IKE_N_TICKET_LT_OPAQUE && !in->has_ticket_lt) {
		in->ticket_lt = n;
		in->has_ticket_lt = true;
	} else if (n.type && n.type <= IKE_N_ERROR_MAX && !in->error) {
		in->error = n.type;
	}
	return 0;
}

/* Records @pl in *@slot; a second one of a type makes the message bad. */
static int auth_once(const struct ike_payload **slot,
		     const struct ike_payload *pl)
{
	if (*slot)
		return -1;
	*slot = pl;
	return 0;
}

static int auth_take(struct auth_in *in, const struct ike_payload *pl)
{
	switch (pl->type) {
	case IKE_PL_IDI:
		return auth_once(&in->idi_pl, pl) ||
		       ike_dec_id(pl->body, pl->len, &in->idi) ? -1 : 0;
	case IKE_PL_IDR:
		return auth_once(&in->idr_pl, pl) ||
		       ike_dec_id(pl->body, pl->len, &in->idr) ? -1 : 0;
	case IKE_PL_AUTH:
		return auth_once(&in->auth_pl, pl) ||
		       ike_dec_auth(pl->body, pl->len, &in->auth) ? -1 : 0;
	case IKE_PL_SA:
		if (in->has_sa)
			return -1;
		in->has_sa = true;
		return ike_dec_sa(pl->body, pl->len, &in->props) ? -1 : 0;
	case IKE_PL_TSI:
		if (in->has_tsi)
			return -1;
		in->has_tsi = true;
		return ike_dec_ts(pl->body, pl->len, &in->tsi) ? -1 : 0;
	case IKE_PL_TSR:
		if (in->has_tsr)
			return -1;
		in->has_tsr = true;
		return ike_dec_ts(pl->body, pl->len, &in->tsr) ? -1 : 0;
	case IKE_PL_NOTIFY:
		return auth_note(in, pl);
	}
	return 0;
}

static int auth_parse(struct auth_in *in)
{
	size_t i;

	for (i = 0; i < in->c.n; i++)
		if (auth_take(in, &in->c.pl[i]))
			return -1;
	return 0;
}

static uint8_t method_of(enum moatd_auth a)
{
	return a == MOATD_AUTH_NULL ? IKE_AUTH_NULL : IKE_AUTH_PSK;
}

/* The method the peer's AUTH payload must carry (RFC 5723 §5.1: a
 * resumed SA's is the shared-key one). */
static uint8_t peer_method(const struct ikesa *sa)
{
	return sa->resumed ? IKE_AUTH_PSK : method_of(sa->conn->remote_auth);
}

static uint8_t local_method(const struct ikesa *sa)
{
	return sa->resumed ? IKE_AUTH_PSK : method_of(sa->conn->local_auth);
}

/* How the side that signs (the initiator's AUTH or the responder's) does. */
static enum moatd_auth signer_auth(const struct ikesa *sa, bool by_initiator)
{
	bool us = by_initiator == (sa->role == IKESA_INITIATOR);

	return us ? sa->conn->local_auth : sa->conn->remote_auth;
}

/* The AUTH data the initiator (or responder) signs with @sk_p; 0 or -1. */
static int auth_data(const struct ikesa *sa, bool by_initiator,
		     const uint8_t *sk_p, const uint8_t *id_body,
		     size_t id_len, uint8_t *out)
{
	const struct ike_blob *m = by_initiator ? &sa->init_req :
					  &sa->init_resp;
	struct ike_signed_octets so = {
		.msg = { m->p, m->len },
		.peer_nonce = { by_initiator ? sa->nr : sa->ni,
				by_initiator ? sa->nr_len : sa->ni_len },
		.id_body = { id_body, id_len },
		.sk_p = sk_p,
		.sk_p_len = sa->keys.prf_len,
	};

	if (sa->resumed)
		return ike_auth_resume(sa->prf, &so, out);
	if (signer_auth(sa, by_initiator) == MOATD_AUTH_NULL)
		return ike_auth_null(sa->prf, &so, out);
	return ike_auth_psk(sa->prf, sa->conn->psk, sa->conn->psk_len, &so,
			    out);
}

static bool auth_verify(const struct ikesa *sa, bool by_initiator,
			const uint8_t *sk_p, const struct ike_payload *id_pl,
			const uint8_t *data, size_t len)
{
	uint8_t want[IKE_PRF_MAX_LEN];
	bool ok = len == sa->keys.prf_len && sk_p &&
		  !auth_data(sa, by_initiator, sk_p, id_pl->body, id_pl->len,
			     want) &&
		  ike_auth_equal(data, want, len);

	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static void put_id(struct ike_writer *w, uint8_t type,
		   const struct moatd_id *id)
{
	const struct ike_id x = { id->type, id->data, id->len };

	ike_put_id(w, type, &x);
}

/* Our ID payload and the AUTH payload over its body. */
static void put_id_auth(struct ike_writer *w, const struct ikesa *sa,
			const uint8_t *sk_p)
{
	bool init = sa->role == IKESA_INITIATOR;
	uint8_t idb[4 + MOATD_ID_MAX], data[IKE_PRF_MAX_LEN];
	size_t idl = xchg_id_body(&sa->conn->local_id, idb, sizeof(idb));
	struct ike_auth a = { local_method(sa), data, sa->keys.prf_len };

	put_id(w, init ? IKE_PL_IDI : IKE_PL_IDR, &sa->conn->local_id);
	if (init && sa->conn->remote_auth == MOATD_AUTH_PSK) /* optional IDr */
		put_id(w, IKE_PL_IDR, &sa->conn->remote_id);
	if (auth_data(sa, init, sk_p, idb, idl, data))
		w->err = w->err ? w->err : IKE_E_SYNTAX;
	ike_put_auth(w, &a);
	if (!init || !sa->peer_ppk)
		return;
	if (sa->nppk.sk_pi &&	/* RFC 8784 §3: AUTH without the PPK */
	    auth_data(sa, true, sa->nppk.sk_pi, idb, idl, data))
		w->err = w->err ? w->err : IKE_E_SYNTAX;
	idb[0] = IKE_PPK_ID_FIXED;
	idl = strlen(sa->conn->ppk_id);
	memcpy(idb + 1, sa->conn->ppk_id, idl);
	xchg_notify(w, IKE_N_PPK_IDENTITY, idb, idl + 1);
	if (sa->nppk.sk_pi)
		xchg_notify(w, IKE_N_NO_PPK_AUTH, data, sa->keys.prf_len);
	OPENSSL_cleanse(data, sizeof(data));
}

/* The conn's ESP proposals without D-H (§1.2: IKE_AUTH has no KE). */
static void esp_offer(const struct ike_sa *esp, uint32_t spi,
		      struct ike_sa *out)
{
	const struct ike_proposal *p;
	struct ike_proposal *q;
	unsigned int t;

	memset(out, 0, sizeof(*out));
	for (out->n = 0; out->n < esp->n; out->n++) {
		p = &esp->prop[out->n];
		q = &out->prop[out->n];
		*q = *p;
		q->n_tr = 0;
		for (t = 0; t < p->n_tr; t++)
			if (p->tr[t].type != IKE_TR_DH)
				q->tr[q->n_tr++] = p->tr[t];
		q->spi_size = spi ? 4 : 0;
		q->spi[0] = (uint8_t)(spi >> 24);
		q->spi[1] = (uint8_t)(spi >> 16);
		q->spi[2] = (uint8_t)(spi >> 8);
		q->spi[3] = (uint8_t)spi;
	}
}

static uint32_t spi32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static void put_child_request(struct ike_writer *w, struct ikesa *sa)
{
	struct ike_ts_list tsi, tsr;
	struct ike_sa offer;

	esp_offer(&sa->conn->esp, sa->child_spi, &offer);
	ike_put_sa(w, &offer);
	if (ts_from_prefixes(sa->conn->local_ts, sa->conn->n_local_ts, &tsi) ||
	    ts_remote(sa, &tsr))
		w->err = w->err ? w->err : IKE_E_SYNTAX;
	ike_put_ts(w, IKE_PL_TSI, &tsi);
	ike_put_ts(w, IKE_PL_TSR, &tsr);
}

int auth_build_request(struct ikesa *sa, struct ike_out *out)
{
	uint8_t inner[IKE_MSG_MAX];
	struct ike_writer w;
	struct ike_hdr h;

	if (ikesa_new_esp_spi(&sa->child_spi))
		return -1;
	ike_w_init(&w, inner, sizeof(inner));
	put_id_auth(&w, sa, sa->keys.sk_pi);
	put_child_request(&w, sa);
	if (sa->conn->resumption)	/* RFC 5723 §4.2 */
		xchg_notify(&w, IKE_N_TICKET_REQUEST, NULL, 0);
	xchg_hdr(sa, &h, IKE_AUTH, 1, false);
	if (xchg_seal(sa, &h, &w, out) ||
	    ike_blob_set(&sa->last_req, out->buf, out->len))
		return -1;
	sa->next_req_id = 2;
	sa->state = IKESA_AUTH_SENT;
	return 0;
}

/* Responder. */

static bool ppk_id_is_ours(const struct moatd_conn *c,
			   const struct ike_notify *n)
{
	size_t l = strlen(c->ppk_id);

	return c->ppk && n->len == l + 1 && n->data[0] == IKE_PPK_ID_FIXED &&
	       !memcmp(n->data + 1, c->ppk_id, l);
}

/* RFC 8784 §3, responder: the PPK if we have it, else NO_PPK_AUTH. */
static uint16_t auth_check_ppk(struct ikesa *sa, const struct auth_in *in)
{
	const struct moatd_conn *c = sa->conn;
	struct ike_sa_keys k;

	if (sa->peer_ppk && ppk_id_is_ours(c, &in->ppk_id)) {
		if (ppk_keys_copy(&sa->keys, &k) ||
		    ike_sa_keys_apply_ppk(&k, c->ppk, c->ppk_len) ||
		    !auth_verify(sa, true, k.sk_pi, in->idi_pl, in->auth.data,
				 in->auth.len)) {
			ike_sa_keys_free(&k);
			return IKE_N_AUTHENTICATION_FAILED;
		}
		ppk_keys_take(&sa->keys, &k);
		sa->ppk_used = true;
		return 0;
	}
	if (c->ppk_required || !in->has_no_ppk ||
	    !auth_verify(sa, true, sa->keys.sk_pi, in->idi_pl,
			 in->no_ppk.data, in->no_ppk.len))
		return IKE_N_AUTHENTICATION_FAILED;
	return 0;
}

static uint16_t auth_check_initiator(struct ikesa *sa,
				     const struct auth_in *in)
{
	const struct moatd_conn *c = sa->conn;

	if (!xchg_id_is(&c->remote_id, &in->idi) ||
	    (in->idr_pl && !xchg_id_is(&c->local_id, &in->idr)) ||
	    (sa->resumed && !xchg_id_is(&sa->peer_id, &in->idi)) ||
	    in->auth.method != peer_method(sa))
		return IKE_N_AUTHENTICATION_FAILED;
	if (in->has_ppk_id)
		return auth_check_ppk(sa, in);
	if (c->ppk_required ||
	    !auth_verify(sa, true, sa->keys.sk_pi, in->idi_pl, in->auth.data,
			 in->auth.len))
		return IKE_N_AUTHENTICATION_FAILED;
	return 0;
}

static int child_install(struct ikesa *sa, const struct ike_proposal *esp,
			 uint32_t spi_out, const struct ike_ts_list *local,
			 const struct ike_ts_list *remote)
{
	const struct child_sa_params p = {
		.initiator = sa->role == IKESA_INITIATOR,
		.esp = esp, .prf = sa->prf,
		.sk_d = sa->keys.sk_d, .sk_d_len = sa->keys.prf_len,
		.ni = { sa->ni, sa->ni_len }, .nr = { sa->nr, sa->nr_len },
		.spi_in = sa->child_spi, .spi_out = spi_out,
		.ts_local = local, .ts_remote = remote,
	};

	if (child_sa_derive(&sa->child, &p))
		return -1;
	sa->esp_prop = *esp;
	sa->have_child = true;
	return 0;
}

/* Transport mode is refused by answering without USE_TRANSPORT_MODE. */
static uint16_t child_responder(struct ikesa *sa, const struct auth_in *in)
{
	struct ike_ts_list ours_l, ours_r, tsi, tsr;
	struct ike_proposal chosen;
	struct ike_sa mine;

	if (!in->has_sa || !in->has_tsi || !in->has_tsr)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	esp_offer(&sa->conn->esp, 0, &mine);
	if (proposal_select(&mine, &in->props, &chosen) < 0 ||
	    chosen.spi_size != 4 || spi32(chosen.spi) < 256)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (ts_from_prefixes(sa->conn->local_ts, sa->conn->n_local_ts,
			     &ours_l) || ts_remote(sa, &ours_r) ||
	    ts_narrow(&in->tsi, &ours_r, &tsi) ||
	    ts_narrow(&in->tsr, &ours_l, &tsr))
		return IKE_N_TS_UNACCEPTABLE;
	if (ikesa_new_esp_spi(&sa->child_spi) ||
	    child_install(sa, &chosen, spi32(chosen.spi), &tsr, &tsi))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	esp_offer(&(struct ike_sa){ .n = 1, .prop = { chosen } },
		  sa->child_spi, &mine);
	sa->esp_prop = mine.prop[0];	/* what we answer: our SPI */
	return 0;
}

static int auth_build_response(struct ikesa *sa, const struct ike_hdr *req,
			       struct ike_out *out)
{
	const struct ike_sa answer = { .n = 1, .prop = { sa->esp_prop } };
	uint8_t inner[IKE_MSG_MAX];
	struct ike_writer w;
	struct ike_hdr h;

	ike_w_init(&w, inner, sizeof(inner));
	put_id_auth(&w, sa, sa->keys.sk_pr);
	if (sa->ppk_used)
		xchg_notify(&w, IKE_N_PPK_IDENTITY, NULL, 0);
	resume_put_ticket(&w, sa);
	if (sa->child_error) {
		xchg_notify(&w, sa->child_error, NULL, 0);
	} else {
		ike_put_sa(&w, &answer);
		ike_put_ts(&w, IKE_PL_TSI, &sa->child.ts_remote);
		ike_put_ts(&w, IKE_PL_TSR, &sa->child.ts_local);
	}
	xchg_hdr(sa, &h, IKE_AUTH, req->msg_id, true);
	return xchg_seal(sa, &h, &w, out);
}

/* Answers with an encrypted error and ends the half-open SA. */
static int auth_refuse(struct ikesa *sa, const struct ike_hdr *h,
		       uint16_t type, const void *data, size_t dlen,
		       const uint8_t *msg, size_t len, struct ike_out *out)
{
	if (xchg_answer_notify(sa, h, type, data, dlen, out) ||
	    xchg_remember(sa, msg, len, out))
		out->len = 0;
	ikesa_fail(sa, type);
	return IKE_RX_OK;
}

static void peer_id_set(struct ikesa *sa, const struct ike_id *id)
{
	sa->peer_id.type = id->type;
	sa->peer_id.len = (uint16_t)(id->len < MOATD_ID_MAX ? id->len :
				     MOATD_ID_MAX);
	memcpy(sa->peer_id.data, id->data, sa->peer_id.len);
}

static int auth_request(struct ikesa *sa, struct auth_in *in,
			const struct ike_hdr *h, const uint8_t *msg,
			size_t len, struct ike_out *out)
{
	uint8_t crit;
	uint16_t err;
	int r = xchg_open(sa, msg, len, in->plain, &in->c, &crit);

	if (r < 0)
		return IKE_RX_DROP;
	if (r == XOPEN_CRITICAL)
		return auth_refuse(sa, h, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,
				   &crit, 1, msg, len, out);
	if (r == XOPEN_SYNTAX || auth_parse(in) || !in->idi_pl ||
	    !in->auth_pl)
		return auth_refuse(sa, h, IKE_N_INVALID_SYNTAX, NULL, 0, msg,
				   len, out);
	err = auth_check_initiator(sa, in);
	if (err)
		return auth_refuse(sa, h, err, NULL, 0, msg, len, out);
	peer_id_set(sa, &in->idi);
	sa->ticket_asked = in->ticket_req;
	sa->child_error = child_responder(sa, in);
	if (auth_build_response(sa, h, out) ||
	    xchg_remember(sa, msg, len, out)) {
		out->len = 0;
		ikesa_fail(sa, 0);
		return IKE_RX_OK;
	}
	sa->state = IKESA_ESTABLISHED;
	return IKE_RX_OK;
}

int auth_on_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		    const struct ike_hdr *h, struct ike_out *out)
{
	struct auth_in *in = calloc(1, sizeof(*in));
	int ret = in ? auth_request(sa, in, h, msg, len, out) : IKE_RX_DROP;

	if (in)
		OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	return ret;
}

/* Initiator. */

static uint16_t child_initiator(struct ikesa *sa, const struct auth_in *in)
{
	struct ike_ts_list ours_l, ours_r;
	const struct ike_proposal *p = &in->props.prop[0];
	struct ike_proposal chosen;
	struct ike_sa mine;

	if (!in->has_sa || !in->has_tsi || !in->has_tsr || in->transport ||
	    in->props.n != 1 || p->spi_size != 4 || spi32(p->spi) < 256)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	esp_offer(&sa->conn->esp, 0, &mine);
	if (proposal_select(&mine, &in->props, &chosen) < 0 ||
	    chosen.n_tr != p->n_tr)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (ts_from_prefixes(sa->conn->local_ts, sa->conn->n_local_ts,
			     &ours_l) || ts_remote(sa, &ours_r) ||
	    !ts_subset(&in->tsi, &ours_l) || !ts_subset(&in->tsr, &ours_r))
		return IKE_N_TS_UNACCEPTABLE;
	if (child_install(sa, &chosen, spi32(p->spi), &in->tsi, &in->tsr))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	return 0;
}

/* The responder's AUTH, with the PPK's SK_pr or (fallback) without. */
static void auth_finish(struct ikesa *sa, const struct auth_in *in)
{
	const struct moatd_conn *c = sa->conn;
	bool fallback = sa->peer_ppk && !in->has_ppk_id;
	const uint8_t *sk_pr = fallback ? sa->nppk.sk_pr : sa->keys.sk_pr;

	if (!xchg_id_is(&c->remote_id, &in->idr) ||
	    in->auth.method != peer_method(sa) ||
	    !auth_verify(sa, false, sk_pr, in->idr_pl, in->auth.data,
			 in->auth.len)) {
		ikesa_fail(sa, IKE_N_AUTHENTICATION_FAILED);
		return;
	}
	if (fallback)
		ppk_keys_take(&sa->keys, &sa->nppk);
	sa->ppk_used = sa->peer_ppk && !fallback;
	ike_sa_keys_free(&sa->nppk);
	peer_id_set(sa, &in->idr);
	sa->child_error = in->error ? in->error : child_initiator(sa, in);
	ike_blob_free(&sa->last_req);
	if (in->has_ticket_lt && c->resumption)
		resume_keep_ticket(sa, &in->ticket_lt);
	sa->state = IKESA_ESTABLISHED;
}

int auth_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		     struct ike_out *out)
{
	struct auth_in *in = calloc(1, sizeof(*in));
	uint8_t crit;
	int r = in ? xchg_open(sa, msg, len, in->plain, &in->c, &crit) : -1;

	out->len = 0;
	if (r < 0) {
		free(in);
		return IKE_RX_DROP;
	}
	if (r == XOPEN_CRITICAL)
		ikesa_fail(sa, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	else if (r == XOPEN_SYNTAX || auth_parse(in))
		ikesa_fail(sa, IKE_N_INVALID_SYNTAX);
	else if (!in->auth_pl || !in->idr_pl)
		ikesa_fail(sa, in->error ? in->error : IKE_N_INVALID_SYNTAX);
	else
		auth_finish(sa, in);
	OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	return IKE_RX_OK;
}
