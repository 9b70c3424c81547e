// SPDX-License-Identifier: GPL-2.0
/*
 * What both exchanges share: headers, Notify and SK payloads, NAT
 * detection, and ike_recv(), which sorts a message for an existing SA
 * into a retransmission, a request or a response before any of it is
 * used.
 */
#include <string.h>

#include <openssl/evp.h>

#include "exchange_est.h"
#include "exchange_int.h"

void xchg_hdr(const struct ikesa *sa, struct ike_hdr *h, uint8_t exch,
	      uint32_t id, bool response)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(h->spi_r, sa->spi_r, IKE_SPI_LEN);
	h->major = 2;
	h->exchange = exch;
	h->flags = (uint8_t)((sa->role == IKESA_INITIATOR ? IKE_FLAG_I : 0) |
			     (response ? IKE_FLAG_R : 0));
	h->msg_id = id;
}

void xchg_notify(struct ike_writer *w, uint16_t type, const void *data,
		 size_t len)
{
	const struct ike_notify n = {
		.type = type, .data = data, .len = len,
	};

	ike_put_notify(w, &n);
}

int xchg_seal(struct ikesa *sa, const struct ike_hdr *h,
	      const struct ike_writer *inner, struct ike_out *out)
{
	struct sk_pos pos = { 0, 0 };
	struct ike_writer w;
	size_t start;
	long n;
	int frag;

	out->len = 0;
	if (inner->err || !sa->sk_out)
		return -1;
	frag = xchg_fragment(sa, h, inner, out);
	if (frag)
		return frag > 0 ? 0 : -1;
	ike_w_init_msg(&w, out->buf, IKE_MSG_MAX, h);
	authpuzzle_put_ps(&w, sa, h);	/* RFC 8019 §7.2 */
	start = ike_w_begin(&w, IKE_PL_SK, 0);
	if (w.err)
		return -1;
	out->buf[start] = inner->first;	/* SK names its first inner payload */
	pos.aad_len = w.len;
	n = sk_protect(sa->sk_out, &sa->iv_next, &pos, out->buf,
		       IKE_MSG_MAX, inner->buf, inner->len, 0);
	if (n < 0)
		return -1;
	out->len = (size_t)n;
	return 0;
}

/*
 * The SK body's inner payloads into @plain: decrypted, or as they are for
 * a message reassembled from fragments (each authenticated on arrival).
 */
static long open_body(const struct ikesa *sa, const struct sk_pos *pos,
		      const uint8_t *msg, size_t len,
		      const struct ike_payload *sk, uint8_t *plain)
{
	if (!sa->rx_clear)
		return sk_unprotect(sa->sk_in, pos, msg, len, plain,
				    IKE_MSG_MAX);
	if (sk->len > IKE_MSG_MAX)
		return -1;
	memcpy(plain, sk->body, sk->len);
	return (long)sk->len;
}

int xchg_open(struct ikesa *sa, const uint8_t *msg, size_t len,
	      uint8_t *plain, struct ike_chain *c, uint8_t *crit_type)
{
	struct sk_pos pos = { 0, 0 };
	const struct ike_payload *sk;
	struct ike_msg m;
	int ret = ike_parse_msg(msg, len, &m);
	long n;

	if ((ret && ret != IKE_E_CRITICAL) || !m.chain.n || !sa->sk_in)
		return -1;
	*crit_type = m.chain.unsupported;
	sk = &m.chain.pl[m.chain.n - 1];
	if (sk->type != IKE_PL_SK)
		return -1;	/* SKF: exchange_frag.c reassembles first */
	pos.aad_len = (size_t)(sk->body - msg);
	n = open_body(sa, &pos, msg, len, sk, plain);
	if (n < 0)
		return -1;
	ret = ike_parse_inner(sk->inner, plain, (size_t)n, c);
	if (ret == IKE_E_CRITICAL && !*crit_type)
		*crit_type = c->unsupported;
	if (ret && ret != IKE_E_CRITICAL)
		return XOPEN_SYNTAX;
	return *crit_type ? XOPEN_CRITICAL : XOPEN_OK;
}

int xchg_remember(struct ikesa *sa, const uint8_t *msg, size_t len,
		  const struct ike_out *out)
{
	if (ike_blob_set(&sa->last_in, msg, len) ||
	    ike_blob_set(&sa->last_resp, out->buf, out->len))
		return -1;
	sa->next_exp_id++;
	return 0;
}

int xchg_remember_first(struct ikesa *sa, const uint8_t *msg, size_t len,
			const struct ike_out *out)
{
	if (ike_blob_set(&sa->init_req, msg, len) ||
	    ike_blob_set(&sa->init_resp, out->buf, out->len))
		return -1;
	return xchg_remember(sa, msg, len, out);
}

int xchg_answer_notify(struct ikesa *sa, const struct ike_hdr *req,
		       uint16_t type, const void *data, size_t dlen,
		       struct ike_out *out)
{
	uint8_t inner[256];
	struct ike_writer w;
	struct ike_hdr h;

	ike_w_init(&w, inner, sizeof(inner));
	xchg_notify(&w, type, data, dlen);
	xchg_hdr(sa, &h, req->exchange, req->msg_id, true);
	return xchg_seal(sa, &h, &w, out);
}

uint16_t xchg_error_notify(const struct ike_chain *c)
{
	struct ike_notify n;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->pl[i].type == IKE_PL_NOTIFY &&
		    !ike_dec_notify(c->pl[i].body, c->pl[i].len, &n) &&
		    n.type && n.type <= IKE_N_ERROR_MAX)
			return n.type;
	return 0;
}

int xchg_take_nonce(const struct ike_payload *pl, const uint8_t **nonce,
		    size_t *len)
{
	if (*nonce || ike_dec_nonce(pl->body, pl->len))
		return -1;
	*nonce = pl->body;
	*len = pl->len;
	return 0;
}

size_t xchg_id_body(const struct moatd_id *id, uint8_t *buf, size_t cap)
{
	if (cap < 4u + id->len)
		return 0;
	buf[0] = id->type;
	memset(buf + 1, 0, 3);
	memcpy(buf + 4, id->data, id->len);
	return 4u + id->len;
}

bool xchg_id_is(const struct moatd_id *want, const struct ike_id *got)
{
	/* RFC 7619 §3: ID_NULL's data is opaque; the type is what counts. */
	if (want->type == IKE_ID_NULL)
		return got->type == IKE_ID_NULL;
	return got->type == want->type && got->len == want->len &&
	       !memcmp(got->data, want->data, got->len);
}

int xchg_natd(const uint8_t *spi_i, const uint8_t *spi_r,
	      const struct moat_addr *a, uint16_t port, uint8_t *out)
{
	uint8_t buf[2 * IKE_SPI_LEN + 16 + 2];
	size_t alen = addr_len(a), n = 0;
	unsigned int olen = 0;

	memcpy(buf, spi_i, IKE_SPI_LEN);
	memcpy(buf + IKE_SPI_LEN, spi_r, IKE_SPI_LEN);
	n = 2 * IKE_SPI_LEN;
	memcpy(buf + n, a->u.b, alen);
	n += alen;
	buf[n++] = (uint8_t)(port >> 8);
	buf[n++] = (uint8_t)port;
	if (!EVP_Digest(buf, n, out, &olen, EVP_sha1(), NULL) ||
	    olen != NATD_LEN)
		return -1;
	return 0;
}

void xchg_put_natd(struct ike_writer *w, const struct ikesa *sa,
		   const uint8_t *spi_r)
{
	uint8_t src[NATD_LEN], dst[NATD_LEN];

	if (xchg_natd(sa->spi_i, spi_r, &sa->ep.local, sa->ep.local_port,
		      src) ||
	    xchg_natd(sa->spi_i, spi_r, &sa->ep.remote, sa->ep.remote_port,
		      dst)) {
		w->err = w->err ? w->err : IKE_E_SYNTAX;
		return;
	}
	if (sa->conn->encap == MOATD_ENCAP_YES)
		src[0] ^= 0xff;	/* the peer sees a NAT: ESP in UDP both ways */
	xchg_notify(w, IKE_N_NAT_DETECTION_SOURCE_IP, src, NATD_LEN);
	xchg_notify(w, IKE_N_NAT_DETECTION_DESTINATION_IP, dst, NATD_LEN);
}

/*
 * The SPIs name this SA. The initiator learns SPIr from the first answer;
 * a retransmitted IKE_SA_INIT request still has SPIr zero.
 */
static bool spis_match(const struct ikesa *sa, const struct ike_hdr *h)
{
	static const uint8_t zero[IKE_SPI_LEN];

	if (memcmp(h->spi_i, sa->spi_i, IKE_SPI_LEN))
		return false;
	if (sa->state == IKESA_INIT_SENT)
		return true;
	if (sa->role == IKESA_RESPONDER &&
	    (h->exchange == IKE_SA_INIT || h->exchange == IKE_SESSION_RESUME) &&
	    !(h->flags & IKE_FLAG_R) && !memcmp(h->spi_r, zero, IKE_SPI_LEN))
		return true;
	return !memcmp(h->spi_r, sa->spi_r, IKE_SPI_LEN);
}

static int on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		       const struct ike_hdr *h, struct ike_out *out)
{
	if (sa->role != IKESA_INITIATOR || (h->flags & IKE_FLAG_I) ||
	    h->msg_id + 1 != sa->next_req_id)
		return IKE_RX_DROP;
	if (sa->state == IKESA_INIT_SENT && h->exchange == IKE_SA_INIT &&
	    !sa->resumed)
		return init_on_response(sa, msg, len, out);
	if (sa->state == IKESA_INIT_SENT && sa->resumed &&
	    h->exchange == IKE_SESSION_RESUME)
		return resume_on_response(sa, msg, len, out);
	if (sa->state == IKESA_AUTH_SENT && h->exchange == IKE_AUTH)
		return auth_on_response(sa, msg, len, out);
	return IKE_RX_DROP;
}

int xchg_resend(const struct ikesa *sa, const uint8_t *msg, size_t len,
		struct ike_out *out)
{
	/* The same request gets the same answer, unprocessed. */
	if (len != sa->last_in.len || memcmp(msg, sa->last_in.p, len))
		return IKE_RX_DROP;
	memcpy(out->buf, sa->last_resp.p, sa->last_resp.len);
	out->len = sa->last_resp.len;
	return IKE_RX_RESENT;
}

static int on_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		      const struct ike_hdr *h, struct ike_out *out)
{
	if (sa->role != IKESA_RESPONDER || !(h->flags & IKE_FLAG_I))
		return IKE_RX_DROP;
	if (h->msg_id + 1 == sa->next_exp_id)
		return xchg_resend(sa, msg, len, out);
	if (h->msg_id != sa->next_exp_id)
		return IKE_RX_DROP;
	if (sa->state == IKESA_INIT_DONE && h->exchange == IKE_AUTH)
		return auth_on_request(sa, msg, len, h, out);
	return IKE_RX_DROP;
}

int xchg_dispatch(struct ikesa *sa, const uint8_t *msg, size_t len,
		  const struct ike_hdr *h, struct ike_out *out)
{
	if (sa->state == IKESA_ESTABLISHED || sa->state == IKESA_DELETING)
		return est_recv(sa, msg, len, h, out);	/* exchange_est.h */
	if (h->flags & IKE_FLAG_R)
		return on_response(sa, msg, len, h, out);
	return on_request(sa, msg, len, h, out);
}

int ike_recv(struct ikesa *sa, const uint8_t *msg, size_t len,
	     struct ike_out *out)
{
	struct ike_hdr h;

	out->len = 0;
	if (!sa || sa->state == IKESA_DEAD || len > IKE_MSG_MAX ||
	    ike_parse_hdr(msg, len, &h) || !spis_match(sa, &h) ||
	    authpuzzle_gate(sa, msg, len, &h))
		return IKE_RX_DROP;
	if (xchg_is_fragment(msg, len))
		return xchg_frag_recv(sa, msg, len, &h, out);
	return xchg_dispatch(sa, msg, len, &h, out);
}

const char *ike_notify_name(uint16_t n)
{
	switch (n) {
	case 0: return "failed";
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IKE_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case IKE_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case IKE_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case IKE_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IKE_N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case IKE_N_TICKET_NACK: return "TICKET_NACK";
	default: return NULL;
	}
}
