// SPDX-License-Identifier: GPL-2.0
/*
 * IKE fragmentation on the wire (RFC 7383) for the exchanges: a message
 * protected after IKE_SA_INIT that would not fit the fragment size goes
 * out as SKF fragments, one after the other in ike_out (the socket layer
 * sends each as its own datagram; a retransmission resends them all).
 * Received SKF fragments are authenticated and decrypted one by one
 * before frag.c keeps them (§2.6); the complete message is then handled
 * as if it had come whole, its SK body already in clear.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "exchange_int.h"

#define FRAG_NATT_PORT 4500	/* a non-ESP marker precedes IKE */
#define FRAG_UDP_HDR 8

/* One fragmented message being written. */
struct frag_tx {
	struct ikesa *sa;
	const struct ike_hdr *h;
	const struct ike_writer *inner;
	size_t chunk;		/* inner octets per fragment */
	uint16_t total;
};

/* IKE octets per datagram: the fragment size less IP, UDP and marker. */
size_t xchg_frag_budget(const struct ikesa *sa)
{
	bool v6 = sa->ep.local.family == AF_INET6;
	size_t size = sa->conn->fragment_size;
	size_t hdrs = (v6 ? 40u : 20u) + FRAG_UDP_HDR;

	if (!size)
		size = v6 ? 1280u : 576u;	/* RFC 7383 §2.5.1 */
	if (sa->ep.local_port == FRAG_NATT_PORT)
		hdrs += 4;
	return size - hdrs;
}

/* Fragment @num at @buf; its length or a negative error. */
static long put_fragment(const struct frag_tx *t, uint16_t num, uint8_t *buf,
			 size_t cap)
{
	size_t off = (size_t)(num - 1) * t->chunk;
	size_t n = t->inner->len - off < t->chunk ? t->inner->len - off :
						    t->chunk;
	struct sk_pos pos = { 0, 1 };
	struct ike_writer w;
	size_t start;

	ike_w_init_msg(&w, buf, cap, t->h);
	if (num == 1)	/* RFC 8019 §7.2: PS in fragment 1 only */
		authpuzzle_put_ps(&w, t->sa, t->h);
	start = ike_w_begin(&w, IKE_PL_SKF, 0);
	ike_w_u16(&w, num);
	ike_w_u16(&w, t->total);
	if (w.err)
		return -1;
	/* §2.5: only the first fragment names the first inner payload. */
	buf[start] = num == 1 ? t->inner->first : IKE_PL_NONE;
	pos.aad_len = w.len;
	return sk_protect(t->sa->sk_out, &t->sa->iv_next, &pos, buf, cap,
			  t->inner->buf + off, n, 0);
}

int xchg_fragment(struct ikesa *sa, const struct ike_hdr *h,
		  const struct ike_writer *inner, struct ike_out *out)
{
	size_t ps = authpuzzle_ps_len(sa, h);
	struct sk_pos whole = { IKE_HDR_LEN + IKE_GEN_HDR_LEN + ps, 0 };
	struct frag_tx t = { .sa = sa, .h = h, .inner = inner };
	size_t budget = xchg_frag_budget(sa), total;
	uint16_t i;
	long n;

	if (!sa->peer_frag || h->exchange == IKE_SA_INIT ||
	    sk_protected_len(&whole, inner->len, 0) <= budget)
		return 0;
	t.chunk = budget - IKE_HDR_LEN - SKF_HDR_LEN - SK_OVERHEAD - ps;
	total = (inner->len + t.chunk - 1) / t.chunk;
	if (total > FRAG_MAX)
		return -1;
	t.total = (uint16_t)total;
	out->len = 0;
	for (i = 1; i <= t.total; i++) {
		n = put_fragment(&t, i, out->buf + out->len,
				 sizeof(out->buf) - out->len);
		if (n < 0) {
			out->len = 0;
			return -1;
		}
		out->len += (size_t)n;
	}
	return 1;
}

/* Whether the message ends in an SKF payload (cheap: no decryption). */
static const struct ike_payload *skf_of(const uint8_t *msg, size_t len,
					struct ike_msg *m)
{
	const struct ike_payload *pl;

	if (ike_parse_msg(msg, len, m) || !m->chain.n)
		return NULL;
	pl = &m->chain.pl[m->chain.n - 1];
	return pl->type == IKE_PL_SKF ? pl : NULL;
}

bool xchg_is_fragment(const uint8_t *msg, size_t len)
{
	struct ike_msg m;

	return skf_of(msg, len, &m) != NULL;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Authenticates and decrypts one fragment into @plain and @p; 0 or -1. */
static int open_fragment(const struct ikesa *sa, const uint8_t *msg,
			 size_t len, uint8_t *plain, struct frag_piece *p)
{
	struct sk_pos pos = { 0, 1 };
	const struct ike_payload *pl;
	struct ike_msg m;
	long n;

	pl = skf_of(msg, len, &m);
	if (!pl || pl->len < SKF_HDR_LEN - IKE_GEN_HDR_LEN)
		return -1;
	pos.aad_len = (size_t)(pl->body - msg) + SKF_HDR_LEN - IKE_GEN_HDR_LEN;
	n = sk_unprotect(sa->sk_in, &pos, msg, len, plain, IKE_MSG_MAX);
	if (n < 0)
		return -1;
	p->msg_id = m.hdr.msg_id;
	p->response = m.hdr.flags & IKE_FLAG_R;
	p->num = rd16(pl->body);
	p->total = rd16(pl->body + 2);
	p->first = pl->inner;
	p->plain = plain;
	p->len = (size_t)n;
	p->raw = msg;
	p->raw_len = len;
	return 0;
}

/* HDR, SK{inner in clear} of the reassembled message into @msg. */
static long rebuild(const struct ikesa *sa, const struct ike_hdr *h,
		    uint8_t *msg, uint8_t *plain)
{
	struct ike_writer w;
	size_t start;
	long n = frag_join(&sa->frag, plain, IKE_MSG_MAX);

	if (n < 0)
		return -1;
	ike_w_init_msg(&w, msg, IKE_MSG_MAX, h);
	start = ike_w_begin(&w, IKE_PL_SK, 0);
	if (!w.err)
		msg[start] = sa->frag.first;
	ike_w_put(&w, plain, (size_t)n);
	ike_w_end(&w, start);
	return ike_w_finish(&w);
}

/*
 * The complete message goes through the exchanges. What they remember
 * of it for retransmissions is fragment 1 as received: a retransmitted
 * request is recognised by that fragment (§2.6.1).
 */
static int handle_whole(struct ikesa *sa, const struct ike_hdr *h,
			struct ike_out *out)
{
	static uint8_t msg[IKE_MSG_MAX], plain[IKE_MSG_MAX];
	long n = rebuild(sa, h, msg, plain);
	int ret = IKE_RX_DROP;
	struct ike_hdr wh;

	if (n > 0 && !ike_parse_hdr(msg, (size_t)n, &wh)) {
		sa->rx_clear = true;
		ret = xchg_dispatch(sa, msg, (size_t)n, &wh, out);
		sa->rx_clear = false;
		if (sa->last_in.len == (size_t)n &&
		    !memcmp(sa->last_in.p, msg, (size_t)n) &&
		    ike_blob_set(&sa->last_in, sa->frag.raw1, sa->frag.raw1_len))
			ike_blob_free(&sa->last_in);
	}
	OPENSSL_cleanse(msg, sizeof(msg));
	OPENSSL_cleanse(plain, sizeof(plain));
	frag_reset(&sa->frag);
	return ret;
}

/* A fragment of the request or response we wait for, or a resent one. */
int xchg_frag_recv(struct ikesa *sa, const uint8_t *msg, size_t len,
		   const struct ike_hdr *h, struct ike_out *out)
{
	static uint8_t plain[IKE_MSG_MAX];
	bool resp = h->flags & IKE_FLAG_R;
	struct frag_piece p;
	int r;

	if (!sa->peer_frag || !sa->sk_in)
		return IKE_RX_DROP;
	if (!resp && h->msg_id + 1 == sa->next_exp_id && sa->last_in.p)
		return xchg_resend(sa, msg, len, out);
	if (resp ? h->msg_id + 1 != sa->next_req_id :
		   h->msg_id != sa->next_exp_id)
		return IKE_RX_DROP;
	if (open_fragment(sa, msg, len, plain, &p))
		return IKE_RX_DROP;
	r = frag_add(&sa->frag, &p, frag_now_ms());
	OPENSSL_cleanse(plain, p.len);
	return r == FRAG_DONE ? handle_whole(sa, h, out) : IKE_RX_DROP;
}
