/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of moatd's exchange tests (tests/unit/test_exchange*.c) and
 * fuzzers (tests/fuzz/fuzz_exchange*.c): an initiator at 192.0.2.1 and a
 * responder at 192.0.2.2, each from a moatd.conf text, run against each
 * other in memory.
 */
#ifndef MOAT_EXCHANGE_FIXTURE_H
#define MOAT_EXCHANGE_FIXTURE_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "exchange_int.h"

#define XFIX_I "192.0.2.1"
#define XFIX_R "192.0.2.2"

struct xfix {
	struct moatd_config *ci, *cr;
	struct ike_endpoints epi, epr;
	struct ike_responder resp;
};

/* One connection "t" from @local to @remote; NULL (said why) if refused. */
static inline struct moatd_config *xfix_conf(const char *local,
					     const char *remote,
					     const char *extra)
{
	struct moatd_config *cfg;
	char text[2048], err[512];

	snprintf(text, sizeof(text), "[conn t]\nlocal = %s\nremote = %s\n%s",
		 local, remote, extra);
	if (moatd_config_parse(text, strlen(text), "t.conf", &cfg, err,
			       sizeof(err))) {
		fprintf(stderr, "    config refused: %s\n", err);
		return NULL;
	}
	return cfg;
}

static inline void xfix_ep(struct ike_endpoints *ep, const char *l,
			   const char *r)
{
	memset(ep, 0, sizeof(*ep));
	parse_addr(l, &ep->local);
	parse_addr(r, &ep->remote);
	ep->local_port = ep->remote_port = 500;
}

static inline void xfix_free(struct xfix *f)
{
	moatd_config_free(f->ci);
	moatd_config_free(f->cr);
	f->ci = f->cr = NULL;
}

/* The initiator's config (@ti) and the responder's (@tr); 0 or -1. */
static inline int xfix_init(struct xfix *f, const char *ti, const char *tr)
{
	f->ci = xfix_conf(XFIX_I, XFIX_R, ti);
	f->cr = xfix_conf(XFIX_R, XFIX_I, tr);
	xfix_ep(&f->epi, XFIX_I, XFIX_R);
	xfix_ep(&f->epr, XFIX_R, XFIX_I);
	if (f->ci && f->cr && !ike_responder_init(&f->resp, false))
		return 0;
	xfix_free(f);
	return -1;
}

/*
 * IKE_SA_INIT: *i and *r (each NULL if not made), then *i has sent
 * IKE_AUTH (in @auth); @note as for ike_respond_init. 0 or -1.
 */
static inline int xfix_sa_init(struct xfix *f, struct ikesa **i,
			       struct ikesa **r, struct ike_out *auth,
			       uint16_t *note)
{
	static struct ike_out req, ans;

	*i = ike_initiate(&f->ci->conns[0], &f->epi, &req);
	*r = ike_respond_init(&f->resp, &f->cr->conns[0], &f->epr, req.buf,
			      req.len, &ans, note);
	if (!*i || !*r || ike_recv(*i, ans.buf, ans.len, auth) != IKE_RX_OK)
		return -1;
	return 0;
}

/* IKE_SA_INIT and IKE_AUTH, each message taken without error; 0 or -1. */
static inline int xfix_establish(struct xfix *f, struct ikesa **i,
				 struct ikesa **r, uint16_t *note)
{
	static struct ike_out auth, ans, tmp;

	if (xfix_sa_init(f, i, r, &auth, note) ||
	    ike_recv(*r, auth.buf, auth.len, &ans) != IKE_RX_OK ||
	    ike_recv(*i, ans.buf, ans.len, &tmp) != IKE_RX_OK)
		return -1;
	return 0;
}

/* What must not move in any IKE SA when it drops a message. */
struct xfix_snap {
	int state;
	uint32_t next_req_id, next_exp_id;
	uint64_t iv_next;
	uint16_t error, child_error;
};

static inline void xfix_snap_take(const struct ikesa *sa,
				  struct xfix_snap *s)
{
	s->state = sa->state;
	s->next_req_id = sa->next_req_id;
	s->next_exp_id = sa->next_exp_id;
	s->iv_next = sa->iv_next;
	s->error = sa->error;
	s->child_error = sa->child_error;
}

/* What must not move when @sa drops a message, into @snap. */
typedef void xfix_snap_fn(struct ikesa *sa, void *snap);

#define XFIX_SNAP_MAX 512

/*
 * Every bit flip and truncation of @m is dropped by @sa without an answer
 * and @take's snapshot (@size octets) unchanged; how many times not.
 */
static inline int xfix_tamper(struct ikesa *sa, const struct ike_out *m,
			      xfix_snap_fn *take, size_t size)
{
	static _Alignas(max_align_t) uint8_t before[XFIX_SNAP_MAX],
		after[XFIX_SNAP_MAX];
	static uint8_t buf[IKE_MSG_MAX];
	static struct ike_out out;
	int bad = 0;
	size_t i;

	if (size > XFIX_SNAP_MAX)
		return 1;
	take(sa, before);
	for (i = 0; i < 8 * m->len; i++) {
		memcpy(buf, m->buf, m->len);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (ike_recv(sa, buf, m->len, &out) != IKE_RX_DROP || out.len)
			bad++;
	}
	for (i = 0; i < m->len; i++)
		if (ike_recv(sa, m->buf, i, &out) != IKE_RX_DROP || out.len)
			bad++;
	take(sa, after);
	return bad + !!memcmp(before, after, size);
}

/* splitmix64 from *state, for ikesa_test_rand: reproducible, not random. */
static inline int xfix_splitmix(uint64_t *state, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t z = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (*state += 0x9e3779b97f4a7c15ULL);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
		}
		p[i] = (uint8_t)(z >> (8 * (i % 8)));
	}
	return 0;
}

#endif
