// SPDX-License-Identifier: GPL-2.0
/*
 * moatd: the IKEv2 daemon. One thread, one epoll loop: datagrams go to
 * the exchanges (exchange.h, exchange_est.h), which answer with the next
 * message; an SA that is established gets its Child SA installed in the
 * module, and every later exchange's child ops (rekeys, new and deleted
 * Child SAs) are applied to the module in their order; timers retransmit
 * requests with exponential backoff, expire half-open SAs, and rekey
 * Child SAs and IKE SAs. The module's soft-expiry events rekey a Child SA
 * early; a hard expiry deletes it with the peer.
 *
 *   moatd [-c FILE] [-f]
 *
 * SIGTERM/SIGINT delete what moatd installed and end it; SIGHUP reloads
 * the configuration: new conns are added, removed ones torn down, and the
 * SAs of conns that stay keep running on their old settings.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cap-ng.h>

#include <linux/moat.h>

#include "daemon.h"
#include "exchange_est.h"
#include "guardd.h"
#include "rekey_time.h"
#include "resumed.h"

struct daemon d = { .conf_path = MOATD_CONF_PATH, .ctl_fd = -1 };

/* Configurations replaced by SIGHUP that SAs still point into. */
static struct moatd_config *old_cfgs[16];
static size_t n_old;

void dlog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (d.foreground) {
		uint64_t t = now_ms();

		fprintf(stderr, "moatd: [%llu.%03u] ",
			(unsigned long long)(t / 1000), (unsigned int)(t % 1000));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

static void arm_retransmit(struct dsa *s)
{
	const struct moatd_conn *c = s->sa->conn;
	uint64_t t = c->retransmit_timeout_ms;
	unsigned int i;

	for (i = 0; i < s->tries && t < 60000; i++)
		t *= 2;
	s->deadline_ms = now_ms() + t;
}

/* Established: retransmit our outstanding request, or check liveness. */
static void arm_established(struct dsa *s)
{
	uint32_t dpd = s->sa->conn->dpd_delay;

	if (ike_busy(s->sa)) {
		arm_retransmit(s);
		return;
	}
	s->tries = 0;
	s->deadline_ms = dpd ? s->last_rx_ms + (uint64_t)dpd * 1000 : 0;
}

static void sa_free(struct dsa *s)
{
	struct dsa **pp;

	for (pp = &d.sas; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	guardd_half_open(s, false);
	kernel_remove(s);
	if (s->waiter >= 0)
		ctl_reply(s->waiter, "error SA deleted");
	ikesa_free(s->sa);
	free(s);
}

static const char *notify_name(uint16_t n)
{
	const char *name = ike_notify_name(n);

	return name ? name : "refused";
}

/*
 * RFC 5723, initiator: a failed resumption falls back to IKE_SA_INIT (its
 * ticket is used up), and a lost IKE SA comes back with its ticket.
 */
static bool restart_wanted(const struct dsa *s, const char *why)
{
	const struct ikesa *sa = s->sa;

	if (sa->role != IKESA_INITIATOR || !sa->conn->resumption ||
	    s->replaced || d.quit)
		return false;
	if (sa->resumed && !s->est_ms)
		return true;
	return s->est_ms && !strcmp(why, "timeout") &&
	       resumed_have(sa->conn->name);
}

static void sa_restart(struct dsa *s)
{
	char name[MOATD_CONN_NAME_MAX + 1], err[128], line[160];
	int waiter = s->waiter, ret;

	snprintf(name, sizeof(name), "%s", s->sa->conn->name);
	s->waiter = -1;
	sa_free(s);
	ret = daemon_up(name, waiter, err, sizeof(err));
	if (ret < 0)
		dlog(LOG_WARNING, "%s: %s", name, err);
	snprintf(line, sizeof(line), ret < 0 ? "error %s" : "ok", err);
	if (ret && waiter >= 0)
		ctl_reply(waiter, line);
}

void daemon_sa_dead(struct dsa *s, const char *why)
{
	char line[128];

	dlog(LOG_NOTICE, "%s: IKE SA failed: %s", s->sa->conn->name, why);
	if (restart_wanted(s, why)) {
		sa_restart(s);
		return;
	}
	if (s->waiter >= 0) {
		snprintf(line, sizeof(line), "error %s", why);
		ctl_reply(s->waiter, line);
		s->waiter = -1;
	}
	sa_free(s);
}

static struct dsa *sa_add(struct ikesa *sa)
{
	struct dsa *s = calloc(1, sizeof(*s));

	if (!s) {
		ikesa_free(sa);
		return NULL;
	}
	s->sa = sa;
	s->waiter = -1;
	s->started_ms = now_ms();
	s->last_rx_ms = s->started_ms;
	s->next = d.sas;
	d.sas = s;
	return s;
}

static void send_out(struct dsa *s, const struct ike_out *out)
{
	if (out->len)
		sock_send(&s->sa->ep, out->buf, out->len);
}

/*
 * A new IKE SA of a conn replaces the older ones (the peer restarted, or
 * both ends initiated): they share the device and the peer.
 */
static void drop_older(struct dsa *s)
{
	struct dsa *t, *next;

	for (t = d.sas; t; t = next) {
		next = t->next;
		if (t != s && !strcmp(t->sa->conn->name, s->sa->conn->name) &&
		    t->sa->state == IKESA_ESTABLISHED) {
			dlog(LOG_INFO, "%s: replaced by a new IKE SA",
			     t->sa->conn->name);
			sa_free(t);
		}
	}
}

static uint32_t rnd32(void)
{
	uint32_t r = 0;

	if (ikesa_rand(&r, sizeof(r)))
		r = (uint32_t)now_ms();
	return r;
}

/* A Child SA just installed: when to rekey it. */
static void kid_schedule(struct dsa *s, uint32_t spi_in)
{
	struct kchild *k = kernel_kid(s, spi_in, MOAT_DIR_IN);

	if (k)
		k->rekey_ms = rekey_at(k->added_ms, s->sa->conn->rekey_time,
				       rnd32());
}

/* An IKE SA just established or rekeyed: when to rekey and end it. */
static void ike_schedule(struct dsa *s)
{
	const struct moatd_conn *c = s->sa->conn;
	uint64_t now = now_ms();

	s->ike_rekey_ms = rekey_at(now, c->ike_rekey_time, rnd32());
	s->ike_expire_ms = c->ike_life_time ?
			   now + (uint64_t)c->ike_life_time * 1000 : 0;
}

static void apply_op(struct dsa *s, const struct child_op *op)
{
	const struct child_sa *c;

	if (op->kind == CHILD_OP_DELETE) {
		kernel_child_del(s, op->spi_in);
		return;
	}
	c = ike_child_find(s->sa, op->spi_in);
	if (!c)
		return;		/* deleted since: its DELETE follows */
	if (kernel_child_add(s, c))
		dlog(LOG_ERR, "%s: the kernel refused Child SA 0x%08x",
		     s->sa->conn->name, op->spi_in);
	else
		kid_schedule(s, op->spi_in);
}

/* Ops were lost: make the kernel hold what the SA's table holds. */
static void resync(struct dsa *s)
{
	struct ikesa_est *e = s->sa->est;
	struct child_op op = { .kind = CHILD_OP_INSTALL };
	size_t i;

	dlog(LOG_WARNING, "%s: child ops lost, resyncing the kernel",
	     s->sa->conn->name);
	e->ops_overflow = false;
	for (i = 0; i < DSA_KIDS_MAX; i++)
		if (s->kids[i].used && !s->kids[i].gone_ms &&
		    !ike_child_find(s->sa, s->kids[i].spi_in))
			kernel_child_del(s, s->kids[i].spi_in);
	for (i = 0; i < EST_CHILDREN_MAX; i++) {
		op.spi_in = e->child[i].c.spi_in;
		if (e->child[i].used && !kernel_kid(s, op.spi_in, MOAT_DIR_IN))
			apply_op(s, &op);
	}
}

/* The kernel's part of what the last exchange did, in order. */
static void apply_ops(struct dsa *s)
{
	struct child_op ops[EST_OPS_MAX];
	size_t n, i;

	if (!s->sa->est)
		return;
	n = ike_child_ops_take(s->sa, ops, EST_OPS_MAX);
	for (i = 0; i < n && s->installed; i++)
		apply_op(s, &ops[i]);
	if (s->sa->est->ops_overflow && s->installed)
		resync(s);
}

/* An IKE SA rekey: the new SA takes over the peer and the Child SAs. */
static void take_successor(struct dsa *s)
{
	struct ikesa *n = ike_successor_take(s->sa);
	struct dsa *t;

	if (!n)
		return;
	t = sa_add(n);
	if (!t) {
		dlog(LOG_ERR, "%s: out of memory taking the rekeyed IKE SA",
		     s->sa->conn->name);
		return;
	}
	t->est_ms = t->started_ms;
	kernel_move(s, t);
	ike_schedule(t);
	arm_established(t);
	s->replaced = true;
	s->ike_rekey_ms = 0;
	s->ike_expire_ms = 0;
	dlog(LOG_INFO, "%s: IKE SA rekeyed", s->sa->conn->name);
}

/*
 * Rekeyed or redundant: its Delete is on the way, or the peer's is. The
 * peer's may be late by a round trip and a retransmission (§2.8.2: after a
 * simultaneous rekey it deletes the new SA it lost with, and an SA we no
 * longer know would leave that Delete unanswered, retransmitted for
 * minutes), so wait for it that long.
 */
static void arm_closing(struct dsa *s)
{
	if (ike_busy(s->sa))
		arm_retransmit(s);
	else
		s->deadline_ms = now_ms() + MOATD_CLOSING_MS +
				 2ULL * s->sa->conn->retransmit_timeout_ms;
}

/* §2.8.2: the losing new IKE SA lives until its Delete is done. */
static void take_redundant(struct dsa *s)
{
	struct ikesa *r = ike_redundant_take(s->sa);
	struct dsa *t = r ? sa_add(r) : NULL;

	if (!t)
		return;
	t->replaced = true;
	t->est_ms = t->started_ms;
	arm_closing(t);
	dlog(LOG_INFO, "%s: simultaneous IKE SA rekey: one new SA is redundant",
	     s->sa->conn->name);
}

static void after_exchange(struct dsa *s)
{
	apply_ops(s);
	take_successor(s);
	take_redundant(s);
}

static void sa_gone(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	if (s->replaced) {
		dlog(LOG_INFO, "%s: old IKE SA deleted", sa->conn->name);
		sa_free(s);
		return;
	}
	daemon_sa_dead(s, sa->error || !s->est_ms ?
		       notify_name(sa->error) : "deleted by the peer");
}

/* IKE_AUTH done: the peer and the Child SA go to the kernel. */
static void sa_established(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	s->est_ms = now_ms();
	dlog(LOG_INFO, "%s: IKE SA established%s", sa->conn->name,
	     sa->resumed ? " (resumed)" : "");
	if (sa->role == IKESA_RESPONDER)
		guardd_known(&sa->ep.remote);
	else
		resumed_keep(sa);
	ike_schedule(s);
	if (!sa->have_child) {
		if (s->waiter >= 0)
			ctl_reply(s->waiter, sa->child_error ?
				  "error TS_UNACCEPTABLE" : "error no Child SA");
		s->waiter = -1;
		return;
	}
	drop_older(s);
	if (kernel_install(s)) {
		daemon_sa_dead(s, "the kernel refused the SAs");
		return;
	}
	kid_schedule(s, sa->child.spi_in);
	if (s->waiter >= 0)
		ctl_reply(s->waiter, "ok");
	s->waiter = -1;
}

/* After an exchange moved: install, answer the waiter, or fail. */
static void sa_progress(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	after_exchange(s);
	if (sa->state == IKESA_DEAD) {
		sa_gone(s);
		return;
	}
	if (sa->state == IKESA_DELETING) {
		s->tries = 0;
		arm_closing(s);
		return;
	}
	if (sa->state != IKESA_ESTABLISHED) {
		if (sa->role == IKESA_INITIATOR) {
			s->tries = 0;
			arm_retransmit(s);
			solve_begin(s);	/* may free s */
		}
		return;
	}
	arm_established(s);
	if (!s->est_ms)
		sa_established(s);
}

/* The IKE header's fields (RFC 7296 §3.1) we route by. */
#define HDR_LEN 28
#define HDR_EXCH 18
#define HDR_FLAGS 19
#define FLAG_I 0x08
#define FLAG_R 0x20
#define EXCH_IKE_SA_INIT 34
#define EXCH_IKE_SESSION_RESUME 38

static struct dsa *sa_find(const uint8_t *msg, const struct moat_addr *peer)
{
	static const uint8_t zero[IKE_SPI_LEN];
	bool from_i = msg[HDR_FLAGS] & FLAG_I;
	struct dsa *s;

	for (s = d.sas; s; s = s->next) {
		struct ikesa *sa = s->sa;

		if (memcmp(sa->spi_i, msg, IKE_SPI_LEN))
			continue;
		if (sa->role == IKESA_INITIATOR && !from_i &&
		    (!memcmp(sa->spi_r, zero, IKE_SPI_LEN) ||
		     !memcmp(sa->spi_r, msg + IKE_SPI_LEN, IKE_SPI_LEN)))
			return s;
		if (sa->role == IKESA_RESPONDER && from_i &&
		    addr_equal(&sa->ep.remote, peer) &&
		    (!memcmp(msg + IKE_SPI_LEN, zero, IKE_SPI_LEN) ||
		     !memcmp(sa->spi_r, msg + IKE_SPI_LEN, IKE_SPI_LEN)))
			return s;
	}
	return NULL;
}

/* The conn a new IKE_SA_INIT request from @ep is for. */
static const struct moatd_conn *conn_for(const struct ike_endpoints *ep)
{
	const struct moatd_conn *c, *any = NULL;
	size_t i;

	for (i = 0; i < d.cfg->n_conns; i++) {
		c = &d.cfg->conns[i];
		if (!addr_equal(&c->local, &ep->local))
			continue;
		if (!c->remote_any && addr_equal(&c->remote, &ep->remote))
			return c;
		if (c->remote_any && !any)
			any = c;
	}
	return any;
}

static void rx_new(const struct ike_endpoints *ep, const uint8_t *msg,
		   size_t len)
{
	static struct ike_out out;
	const struct moatd_conn *c = conn_for(ep);
	bool resume = msg[HDR_EXCH] == EXCH_IKE_SESSION_RESUME;
	struct ikesa *sa;
	uint16_t notify = 0;
	struct dsa *s;

	if (!c && !resume)
		return;
	out.len = 0;
	if (resume)	/* RFC 5723: the ticket names the conn */
		sa = ike_respond_resume(d.cfg, ep, msg, len, &out, &notify);
	else
		sa = ike_respond_init(&d.resp, c, ep, msg, len, &out, &notify);
	if (resume && notify)
		dlog(LOG_INFO, "a resumption ticket refused: TICKET_NACK");
	if (!sa) {
		if (out.len)
			sock_send(ep, out.buf, out.len);
		return;
	}
	s = sa_add(sa);
	if (!s)
		return;
	if (ike_auth_puzzle(sa))
		dlog(LOG_INFO, "%s: asks the IKE_AUTH puzzle of difficulty %u",
		     c->name, ike_auth_puzzle(sa));
	guardd_half_open(s, true);
	send_out(s, &out);
	s->deadline_ms = now_ms() + MOATD_HALF_OPEN_MS;
}

/*
 * After our IKE_SA_INIT: with a NAT on the way, or encap = yes, move to
 * port 4500; the Child SAs then go in UDP too (kernel.c).
 */
static void maybe_float(struct ikesa *sa)
{
	bool nat = sa->nat_local || sa->nat_remote;

	if (sa->ep.local_port == IKE_NATT_PORT ||
	    !sock_have_natt(sa->ep.local.family) ||
	    sa->conn->encap == MOATD_ENCAP_NO ||
	    (!nat && sa->conn->encap != MOATD_ENCAP_YES))
		return;
	sa->ep.local_port = IKE_NATT_PORT;
	sa->ep.remote_port = IKE_NATT_PORT;
}

/*
 * The responder answers where the initiator's last authentic message on
 * 4500 came from: it floated, or its NAT mapping changed. The kernel peer
 * keeps the endpoint it was installed with (moving it is not done yet).
 */
static void follow_peer(struct dsa *s, const struct ike_endpoints *ep)
{
	struct ike_endpoints *cur = &s->sa->ep;
	char a[INET6_ADDRSTRLEN];

	if (s->installed && (!addr_equal(&cur->remote, &ep->remote) ||
			     cur->remote_port != ep->remote_port))
		dlog(LOG_NOTICE, "%s: the peer moved to %s port %u; its ESP still goes to the old endpoint",
		     s->sa->conn->name, format_addr(&ep->remote, a, sizeof(a)),
		     ep->remote_port);
	*cur = *ep;
}

/* What the IKE_AUTH puzzle (RFC 8019 §7.2) did with a message for @s. */
static void auth_puzzle_log(const struct dsa *s,
			    const struct ike_auth_puzzle_stats *was)
{
	const struct ike_auth_puzzle_stats *now = &ike_auth_puzzle_stats;

	if (now->verified != was->verified)
		dlog(LOG_INFO, "%s: IKE_AUTH puzzle solution verified",
		     s->sa->conn->name);
	if (now->discarded != was->discarded)
		dlog(LOG_DEBUG, "%s: IKE_AUTH request without a valid puzzle solution discarded (%llu so far)",
		     s->sa->conn->name, (unsigned long long)now->discarded);
}

void daemon_rx(const struct ike_endpoints *ep, const uint8_t *msg,
	       size_t len)
{
	struct ike_auth_puzzle_stats was = ike_auth_puzzle_stats;
	static struct ike_out out;
	struct dsa *s;
	int ret;

	if (len < HDR_LEN)
		return;
	s = sa_find(msg, &ep->remote);
	if (!s) {
		if ((msg[HDR_EXCH] == EXCH_IKE_SA_INIT ||
		     msg[HDR_EXCH] == EXCH_IKE_SESSION_RESUME) &&
		    (msg[HDR_FLAGS] & FLAG_I) && !(msg[HDR_FLAGS] & FLAG_R))
			rx_new(ep, msg, len);
		return;
	}
	out.len = 0;
	ret = ike_recv(s->sa, msg, len, &out);
	auth_puzzle_log(s, &was);
	if (ret == IKE_RX_DROP) {
		dlog(LOG_DEBUG, "%s: dropped exchange %u flags 0x%02x id %u",
		     s->sa->conn->name, msg[HDR_EXCH], msg[HDR_FLAGS],
		     (unsigned int)msg[20] << 24 | msg[21] << 16 |
		     msg[22] << 8 | msg[23]);
		return;
	}
	if (s->sa->role == IKESA_INITIATOR)
		maybe_float(s->sa);
	else if (ep->local_port == IKE_NATT_PORT)
		follow_peer(s, ep);
	s->last_rx_ms = now_ms();
	guardd_half_open(s, s->sa->role == IKESA_RESPONDER &&
			 s->sa->state == IKESA_INIT_DONE);
	/* New SAs in the kernel before the answer or Delete goes out. */
	if (ret == IKE_RX_OK)
		after_exchange(s);
	send_out(s, &out);
	if (ret == IKE_RX_OK) {
		sa_progress(s);
		return;		/* s may be gone */
	}
	if (s->sa->state == IKESA_ESTABLISHED && !ike_busy(s->sa))
		arm_established(s);
}

void daemon_request_sent(struct dsa *s, const struct ike_out *out)
{
	send_out(s, out);
	s->tries = 0;
	arm_retransmit(s);
}

/* dpd-delay passed without a message from the peer: ask if it lives. */
static void dpd_due(struct dsa *s)
{
	static struct ike_out out;

	out.len = 0;
	if (ike_dpd(s->sa, &out)) {
		arm_established(s);
		return;
	}
	dlog(LOG_DEBUG, "%s: liveness check", s->sa->conn->name);
	daemon_request_sent(s, &out);
}

/* A rekeyed or redundant SA: retransmit its Delete, or let it go. */
static void closing_due(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	if (ike_busy(sa) && sa->last_req.len &&
	    s->tries < sa->conn->retransmit_tries) {
		s->tries++;
		sock_send(&sa->ep, sa->last_req.p, sa->last_req.len);
		arm_retransmit(s);
		return;
	}
	if (!s->replaced) {
		daemon_sa_dead(s, "timeout");
		return;
	}
	dlog(LOG_INFO, "%s: old IKE SA dropped without an answer",
	     sa->conn->name);
	sa_free(s);
}

void daemon_retransmit(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	if (sa->state == IKESA_DELETING) {
		closing_due(s);
		return;
	}
	if (sa->state == IKESA_ESTABLISHED && !ike_busy(sa)) {
		dpd_due(s);
		return;
	}
	if (sa->state != IKESA_ESTABLISHED &&
	    (sa->role == IKESA_RESPONDER || !sa->last_req.len)) {
		daemon_sa_dead(s, "timeout");	/* half-open */
		return;
	}
	if (s->tries >= sa->conn->retransmit_tries) {
		daemon_sa_dead(s, "timeout");
		return;
	}
	s->tries++;
	sock_send(&sa->ep, sa->last_req.p, sa->last_req.len);
	arm_retransmit(s);
}

/*
 * Whether the Child SA with our inbound SPI @spi_in still needs a rekey:
 * it exists, is not being deleted, and no newer SA replaces it.
 */
static bool rekey_wanted(struct ikesa *sa, uint32_t spi_in)
{
	const struct ikesa_est *e = sa->est;
	bool found = false;
	size_t i;

	for (i = 0; e && i < EST_CHILDREN_MAX; i++) {
		if (!e->child[i].used)
			continue;
		if (e->child[i].replaces == spi_in)
			return false;
		if (e->child[i].c.spi_in == spi_in)
			found = !e->child[i].deleting;
	}
	return found || (!e && sa->child.spi_in == spi_in);
}

static void kid_rekey(struct dsa *s, struct kchild *k, uint64_t now)
{
	static struct ike_out out;

	if (!rekey_wanted(s->sa, k->spi_in)) {
		k->rekey_ms = 0;
		return;
	}
	if (ike_busy(s->sa)) {
		k->rekey_ms = now + MOATD_RETRY_MS;
		return;
	}
	k->rekey_ms = rekey_retry_at(now, k->rekey_tries++);
	if (ike_rekey_child(s->sa, k->spi_in, &out))
		return;
	dlog(LOG_INFO, "%s: rekeying Child SA 0x%08x", s->sa->conn->name,
	     k->spi_in);
	daemon_request_sent(s, &out);
}

/* Hard-expired in the kernel: tell the peer the Child SA is gone. */
static void kid_delete(struct dsa *s, struct kchild *k, uint64_t now)
{
	static struct ike_out out;

	if (!ike_child_find(s->sa, k->spi_in)) {
		k->delete_ms = 0;
		kernel_child_del(s, k->spi_in);
		return;
	}
	if (ike_busy(s->sa)) {
		k->delete_ms = now + MOATD_RETRY_MS;
		return;
	}
	k->delete_ms = 0;
	if (ike_delete_child(s->sa, k->spi_in, &out))
		return;		/* being deleted already */
	dlog(LOG_INFO, "%s: deleting expired Child SA 0x%08x",
	     s->sa->conn->name, k->spi_in);
	daemon_request_sent(s, &out);
}

static void kids_due(struct dsa *s, uint64_t now)
{
	struct kchild *k;
	size_t i;

	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (!k->used || k->gone_ms)
			continue;
		if (k->delete_ms && k->delete_ms <= now)
			kid_delete(s, k, now);
		else if (k->rekey_ms && k->rekey_ms <= now)
			kid_rekey(s, k, now);
	}
}

static void ike_rekey_due(struct dsa *s, uint64_t now)
{
	static struct ike_out out;

	if (ike_busy(s->sa)) {
		s->ike_rekey_ms = now + MOATD_RETRY_MS;
		return;
	}
	s->ike_rekey_ms = rekey_retry_at(now, s->ike_rekey_tries++);
	if (ike_rekey_ike(s->sa, &out))
		return;
	dlog(LOG_INFO, "%s: rekeying the IKE SA", s->sa->conn->name);
	daemon_request_sent(s, &out);
}

/* Tells the peer (best effort: we do not wait for its answer). */
static void send_delete(struct dsa *s)
{
	static struct ike_out out;

	out.len = 0;
	if (s->sa->state == IKESA_ESTABLISHED &&
	    !ike_delete_ike(s->sa, &out))
		send_out(s, &out);
}

void daemon_timers(struct dsa *s, uint64_t now)
{
	kernel_tick(s, now);
	if (s->sa->state != IKESA_ESTABLISHED || s->replaced)
		return;
	if (s->ike_expire_ms && s->ike_expire_ms <= now) {
		dlog(LOG_NOTICE, "%s: IKE SA past its life-time: deleted",
		     s->sa->conn->name);
		send_delete(s);
		sa_free(s);
		return;
	}
	if (s->ike_rekey_ms && s->ike_rekey_ms <= now)
		ike_rekey_due(s, now);
	kids_due(s, now);
}

static void kid_expired(struct dsa *s, struct kchild *k, uint8_t dir,
			uint8_t kind)
{
	const char *name = s->sa->conn->name;
	uint32_t spi = dir == MOAT_DIR_IN ? k->spi_in : k->spi_out;

	if (kind == MOAT_EXPIRE_SOFT) {
		dlog(LOG_INFO, "%s: SA 0x%08x soft-expired: rekey", name, spi);
		if (!k->rekey_ms || k->rekey_ms > now_ms())
			k->rekey_ms = now_ms();
		return;
	}
	if (kind != MOAT_EXPIRE_HARD)
		return;
	dlog(LOG_NOTICE, "%s: SA 0x%08x hard-expired: deleting its Child SA",
	     name, spi);
	if (dir == MOAT_DIR_IN)
		k->in_gone = true;
	else
		k->out_in = false;
	k->rekey_ms = 0;
	k->delete_ms = now_ms();
}

void daemon_sa_expire(const char *dev, const struct moat_addr *remote,
		      uint32_t spi, uint8_t dir, uint8_t kind)
{
	struct kchild *k;
	struct dsa *s;

	for (s = d.sas; s; s = s->next) {
		if (!s->installed || strcmp(s->dev, dev) ||
		    !addr_equal(&s->remote, remote))
			continue;
		k = kernel_kid(s, spi, dir);
		if (k) {
			kid_expired(s, k, dir, kind);
			return;
		}
	}
}

/* The conn's IKE SA that runs it now (not one on its way out). */
static struct dsa *sa_of_conn(const char *name)
{
	struct dsa *s;

	for (s = d.sas; s; s = s->next)
		if (!s->replaced && !strcmp(s->sa->conn->name, name))
			return s;
	return NULL;
}

/* The Child SA installed last, or NULL. */
static struct kchild *newest_kid(struct dsa *s)
{
	struct kchild *k, *best = NULL;
	size_t i;

	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (k->used && !k->gone_ms &&
		    (!best || k->added_ms >= best->added_ms))
			best = k;
	}
	return best;
}

int daemon_rekey(const char *name, bool ike, char *err, size_t errlen)
{
	static struct ike_out out;
	struct dsa *s = sa_of_conn(name);
	struct kchild *k = s ? newest_kid(s) : NULL;
	int ret;

	if (!s || s->sa->state != IKESA_ESTABLISHED || (!ike && !k))
		return snprintf(err, errlen, "%s is not up", name), -1;
	if (ike_busy(s->sa)) {	/* the timers start it when they can */
		if (ike)
			s->ike_rekey_ms = now_ms();
		else
			k->rekey_ms = now_ms();
		return 0;
	}
	ret = ike ? ike_rekey_ike(s->sa, &out) :
		    ike_rekey_child(s->sa, k->spi_in, &out);
	if (ret)
		return snprintf(err, errlen, "%s cannot be rekeyed now", name),
		       -1;
	dlog(LOG_INFO, "%s: rekeying %s on request", name,
	     ike ? "the IKE SA" : "the Child SA");
	daemon_request_sent(s, &out);
	return 0;
}

int daemon_up(const char *name, int waiter, char *err, size_t errlen)
{
	static struct ike_out out;
	const struct moatd_conn *c = moatd_config_find(d.cfg, name);
	struct ike_endpoints ep = { .local_port = IKE_PORT,
				    .remote_port = IKE_PORT };
	struct ikesa *sa;
	struct dsa *s;

	if (!c)
		return snprintf(err, errlen, "no conn %s", name), -1;
	if (c->remote_any)
		return snprintf(err, errlen, "%s has remote %%any", name), -1;
	s = sa_of_conn(name);
	if (s && s->sa->state == IKESA_ESTABLISHED && s->installed)
		return 1;
	if (s)
		return snprintf(err, errlen, "%s is being negotiated", name), -1;
	if (kernel_ensure_dev(c->dev))
		return snprintf(err, errlen, "cannot create %s", c->dev), -1;
	ep.local = c->local;
	ep.remote = c->remote;
	out.len = 0;
	sa = resumed_initiate(c, &ep, &out);
	s = sa ? sa_add(sa) : NULL;
	if (!s)
		return snprintf(err, errlen, "cannot start the IKE SA"), -1;
	s->waiter = waiter;
	send_out(s, &out);
	arm_retransmit(s);
	dlog(LOG_INFO, "%s: initiating", name);
	return 0;
}

int daemon_down(const char *name)
{
	struct dsa *s, *next;
	int n = 0;

	for (s = d.sas; s; s = next) {
		next = s->next;
		if (!strcmp(s->sa->conn->name, name)) {
			dlog(LOG_INFO, "%s: down", name);
			send_delete(s);
			sa_free(s);
			n++;
		}
	}
	return n;
}

static void start_conns(void)
{
	char err[128];
	size_t i;

	for (i = 0; i < d.cfg->n_conns; i++) {
		const struct moatd_conn *c = &d.cfg->conns[i];

		if (kernel_ensure_dev(c->dev))
			continue;
		if (c->start && !sa_of_conn(c->name) &&
		    daemon_up(c->name, -1, err, sizeof(err)) < 0)
			dlog(LOG_WARNING, "%s: %s", c->name, err);
	}
}

static bool cfg_in_use(const struct moatd_config *cfg)
{
	const struct dsa *s;
	size_t i;

	for (s = d.sas; s; s = s->next)
		for (i = 0; i < cfg->n_conns; i++)
			if (s->sa->conn == &cfg->conns[i])
				return true;
	return false;
}

/* Frees the replaced configurations no SA points into any more. */
static void free_unused_cfgs(void)
{
	size_t i = 0;

	while (i < n_old) {
		if (cfg_in_use(old_cfgs[i])) {
			i++;
			continue;
		}
		moatd_config_free(old_cfgs[i]);
		old_cfgs[i] = old_cfgs[--n_old];
	}
}

/* SIGHUP: a new configuration; SAs of removed conns go. */
static void reload(void)
{
	struct moatd_config *cfg;
	struct dsa *s, *next;
	char err[256];

	if (moatd_config_load(d.conf_path, &cfg, err, sizeof(err))) {
		dlog(LOG_ERR, "reload refused, keeping the old configuration: %s",
		     err);
		return;
	}
	for (s = d.sas; s; s = next) {
		next = s->next;
		if (!moatd_config_find(cfg, s->sa->conn->name)) {
			dlog(LOG_INFO, "%s: removed from the configuration",
			     s->sa->conn->name);
			send_delete(s);
			sa_free(s);
		}
	}
	free_unused_cfgs();
	if (n_old == sizeof(old_cfgs) / sizeof(old_cfgs[0])) {
		dlog(LOG_ERR, "reload refused: SAs still run on %zu older configurations",
		     n_old);
		moatd_config_free(cfg);
		return;
	}
	old_cfgs[n_old++] = d.cfg;	/* running SAs still point into it */
	d.cfg = cfg;
	dlog(LOG_INFO, "reloaded %s: %zu conns", d.conf_path, cfg->n_conns);
	guardd_apply(cfg);
	start_conns();
}

static void shutdown_all(void)
{
	while (d.sas) {
		send_delete(d.sas);
		sa_free(d.sas);
	}
}

static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void on_signal(int fd)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d.reload = 1;
		else
			d.quit = 1;
	}
}

/*
 * Keeps CAP_NET_ADMIN only. Changing the bounding set takes CAP_SETPCAP,
 * which a service manager that bounded moatd already (moatd.service's
 * CapabilityBoundingSet) leaves out: then only the capability sets change.
 */
static int drop_privileges(void)
{
	capng_select_t which = CAPNG_SELECT_BOTH;

	if (capng_get_caps_process() == 0 &&
	    !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		which = CAPNG_SELECT_CAPS;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			 CAP_NET_ADMIN) ||
	    capng_apply(which)) {
		dlog(LOG_ERR, "cannot drop capabilities");
		return -1;
	}
	return 0;
}

static void loop(int sigfd)
{
	struct epoll_event ev[16];
	int n, i;

	while (!d.quit) {
		n = epoll_wait(d.epfd, ev, 16,
			       solve_pending() ? 0 : timer_next_timeout());
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == sigfd)
				on_signal(sigfd);
			else if (ev[i].data.fd == d.ctl_fd)
				ctl_accept();
			else if (sock_is_ike(ev[i].data.fd))
				sock_read(ev[i].data.fd);
			else if (events_fd(ev[i].data.fd))
				events_read();
		}
		timer_run();
		solve_run();
		guardd_tick(now_ms());
		if (d.reload) {
			d.reload = 0;
			reload();
		}
	}
}

static int usage(void)
{
	fprintf(stderr, "Usage: moatd [ -c FILE ] [ -f ]\n"
		"  -c FILE  the configuration (default " MOATD_CONF_PATH ")\n"
		"  -f       stay in the foreground and log to stderr\n");
	return 2;
}

static int parse_args(int argc, char **argv)
{
	int o;

	while ((o = getopt(argc, argv, "c:fh")) != -1) {
		switch (o) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'f':
			d.foreground = true;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static int setup(int sigfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = sigfd };

	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || sigfd < 0 ||
	    epoll_ctl(d.epfd, EPOLL_CTL_ADD, sigfd, &ev))
		return -1;
	if (ike_responder_init(&d.resp, false) || kernel_open())
		return -1;
	if (sock_open_all() || sock_watch(d.epfd) || ctl_open())
		return -1;
	if (events_open())
		dlog(LOG_WARNING, "no kernel events: Child SAs are rekeyed on moatd's timers only");
	kernel_cleanup_leftovers();
	return drop_privileges();
}

int main(int argc, char **argv)
{
	char err[256];
	int sigfd;

	if (parse_args(argc, argv))
		return usage();
	if (!d.foreground)
		openlog("moatd", LOG_PID, LOG_DAEMON);
	if (moatd_config_load(d.conf_path, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "moatd: %s\n", err);
		return 1;
	}
	sigfd = signals_fd();
	if (setup(sigfd)) {
		dlog(LOG_ERR, "cannot start");
		return 1;
	}
	if (!d.foreground && daemon(0, 0)) {
		dlog(LOG_ERR, "daemon: %m");
		return 1;
	}
	dlog(LOG_INFO, "started with %zu conns", d.cfg->n_conns);
	guardd_apply(d.cfg);
	start_conns();
	loop(sigfd);
	dlog(LOG_INFO, "stopping");
	shutdown_all();
	events_close();
	kernel_close();
	sock_close_all();
	resumed_clear();
	ticket_reset();
	moatd_config_free(d.cfg);
	while (n_old)
		moatd_config_free(old_cfgs[--n_old]);
	return 0;
}
