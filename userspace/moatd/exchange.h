/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The first two IKEv2 exchanges (RFC 7296 §1.2), IKE_SA_INIT and IKE_AUTH,
 * as pure functions over byte buffers: no sockets, no kernel, no clock.
 * The caller moves datagrams, finds the IKE SA a message belongs to (by
 * SPIs) and retransmits on its timer.
 *
 *   initiator: ike_initiate() gives the first request; every response
 *	goes to ike_recv(), which answers with the next request (a retried
 *	IKE_SA_INIT after COOKIE or INVALID_KE_PAYLOAD, then IKE_AUTH).
 *   responder: ike_respond_init() takes an IKE_SA_INIT request for no SA
 *	yet: it answers statelessly (COOKIE, INVALID_KE_PAYLOAD,
 *	NO_PROPOSAL_CHOSEN, UNSUPPORTED_CRITICAL_PAYLOAD) or creates the SA;
 *	every later request for that SA goes to ike_recv().
 *   established: CREATE_CHILD_SA and INFORMATIONAL, started by either
 *	end, also arrive through ike_recv(); see exchange_est.h.
 *
 * A received message is used only after the codec has bounds-checked it.
 * A message that is malformed, unexpected, not authentic (its SK payload
 * does not verify) or a changed copy of an answered request returns
 * IKE_RX_DROP and changes nothing in the SA. A retransmitted request gets
 * the stored response again, byte for byte, without being processed.
 * The IKE_SA_INIT response is unauthenticated by design: the first
 * well-formed one is taken, and a forged one can only make IKE_AUTH fail.
 */
#ifndef MOATD_EXCHANGE_H
#define MOATD_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "payload.h"
#include "ticket.h"

#define IKE_MSG_MAX 4096	/* the longest message built or accepted */
/* A message sent as RFC 7383 fragments: their datagrams one after another. */
#define IKE_OUT_MAX (2 * IKE_MSG_MAX)

/* Notify Message Types (IANA "IKEv2 Notify Message Types"). */
enum ike_notify_type {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_ERROR_MAX = 16383,	/* below: errors; above: status */
	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_FRAGMENTATION_SUPPORTED = 16430,
	IKE_N_TICKET_LT_OPAQUE = 16409,	/* RFC 5723 */
	IKE_N_TICKET_REQUEST = 16410,
	IKE_N_TICKET_ACK = 16411,
	IKE_N_TICKET_NACK = 16412,
	IKE_N_TICKET_OPAQUE = 16413,
	IKE_N_PUZZLE = 16434,		/* RFC 8019 */
	IKE_N_USE_PPK = 16435,
	IKE_N_PPK_IDENTITY = 16436,
	IKE_N_NO_PPK_AUTH = 16437,
};

/* RFC 8784 §5.1: the PPK_IDENTITY data is a type octet and the PPK ID. */
#define IKE_PPK_ID_FIXED 2

/* Where a message goes and comes from, as the socket layer sees it. */
struct ike_endpoints {
	struct moat_addr local, remote;
	uint16_t local_port, remote_port;	/* host order */
};

/*
 * A message to send; len 0 when there is none. A fragmented message is
 * several IKE messages (datagrams) back to back, each as long as its IKE
 * header says (frag_first_datagram() splits them).
 */
struct ike_out {
	uint8_t buf[IKE_OUT_MAX];
	size_t len;
};

/* The responder's daemon-wide IKE_SA_INIT settings. */
struct ike_responder {
	bool require_cookie;	/* ask every initiator for a cookie (§2.6) */
	/* RFC 8019 §7.2: D of the IKE_AUTH puzzle asked of initiators whose
	 * IKE_SA_INIT request carried a Puzzle Solution; 0: none is asked. */
	uint8_t auth_puzzle;
	uint8_t secret[32];	/* the cookie's key; ike_responder_init */
};

/* What ike_recv() did with a message. */
enum ike_rx {
	IKE_RX_DROP = -1,	/* ignored; the SA is unchanged */
	IKE_RX_OK = 0,		/* processed; see sa->state, maybe send out */
	IKE_RX_RESENT = 1,	/* a retransmitted request: out is the stored answer */
};

struct ikesa;

/* A fresh cookie secret; 0 or -1. */
int ike_responder_init(struct ike_responder *r, bool require_cookie);

/* Starts an IKE SA for @c: the IKE_SA_INIT request in @out, or NULL. */
struct ikesa *ike_initiate(const struct moatd_conn *c,
			   const struct ike_endpoints *ep, struct ike_out *out);

/*
 * An IKE_SA_INIT request for no SA yet. Returns the new SA (state
 * IKESA_INIT_DONE) with its response in @out, or NULL: then @out holds a
 * stateless answer or nothing (a message that is dropped), and *@notify
 * (when not NULL) the Notify type answered, 0 if none.
 */
struct ikesa *ike_respond_init(const struct ike_responder *r,
			       const struct moatd_conn *c,
			       const struct ike_endpoints *ep,
			       const uint8_t *msg, size_t len,
			       struct ike_out *out, uint16_t *notify);

/* Any message for an existing SA; see enum ike_rx. */
/*
 * §2.23: ESP goes in UDP only with a NAT on the way (or encap = yes), not
 * because the IKE SA runs on 4500: an initiator may float there without
 * a NAT (strongSwan does when it offers MOBIKE) and then sends plain ESP.
 */
bool ike_esp_in_udp(const struct ikesa *sa);

int ike_recv(struct ikesa *sa, const uint8_t *msg, size_t len,
	     struct ike_out *out);

/*
 * RFC 8019 §7.1.2, initiator: a responder answered IKE_SA_INIT with
 * N(COOKIE), N(PUZZLE) for a PRF we offered. ike_recv() then sends
 * nothing and the SA waits for its puzzle: ike_puzzle_asked() gives its
 * difficulty (-1 when none waits), and ike_puzzle_work() tries @tries
 * more keys. Once solved, or with @stop (the time budget ran out, or
 * the caller will not solve it), it builds the retried IKE_SA_INIT
 * request into @out and returns 1: N(COOKIE), PS, SA, ... with the
 * solution (at D = 0, the best keys found), or with the cookie alone,
 * as a legacy initiator. 0: not yet; -1: no puzzle waits.
 */
int ike_puzzle_asked(const struct ikesa *sa);
int ike_puzzle_work(struct ikesa *sa, unsigned int tries, bool stop,
		    struct ike_out *out);
/* Frees the puzzle @sa waits on, if any. */
void ike_puzzle_drop(struct ikesa *sa);

/*
 * RFC 5723 session resumption, initiator. A ticket the responder gave in
 * IKE_AUTH (asked for with N(TICKET_REQUEST) when the conn has
 * resumption = yes), with what resuming needs besides it: the IKE SA's
 * SK_d (secmem) and transforms.
 */
struct ike_ticket {
	uint8_t opaque[TICKET_MAX];
	size_t len;
	uint64_t expires;		/* ticket_now() seconds */
	uint8_t *sk_d;
	size_t sk_d_len;
	int encr, prf;
	unsigned int key_bits;
	struct ike_proposal prop;
};

void ike_ticket_free(struct ike_ticket *t);
/* The ticket @sa received in IKE_AUTH (the caller owns it), or NULL. */
struct ike_ticket *ike_ticket_take(struct ikesa *sa);
/*
 * Starts an IKE SA for @c from @t: the IKE_SESSION_RESUME request
 * (HDR, Ni, N(TICKET_OPAQUE)) in @out, or NULL. Its answer goes to
 * ike_recv() as usual; on N(TICKET_NACK) the SA ends with that error
 * (sa->error), and the caller falls back to ike_initiate().
 */
struct ikesa *ike_resume(const struct moatd_conn *c,
			 const struct ike_endpoints *ep,
			 const struct ike_ticket *t, struct ike_out *out);

/*
 * RFC 5723, responder: an IKE_SESSION_RESUME request for no SA yet. With
 * a good ticket for a conn of @cfg that has resumption = yes and @ep's
 * local address, the new SA (state IKESA_INIT_DONE, its answer HDR, Nr
 * in @out); else NULL with N(TICKET_NACK) in @out (a ticket that is not
 * ours, damaged, expired or used before) or nothing (a malformed
 * request). *@notify as for ike_respond_init().
 */
struct ikesa *ike_respond_resume(const struct moatd_config *cfg,
				 const struct ike_endpoints *ep,
				 const uint8_t *msg, size_t len,
				 struct ike_out *out, uint16_t *notify);

/*
 * RFC 8019 §7.2, the IKE_AUTH puzzle (exchange_authpuzzle.c). As
 * responder: asked after an IKE_SA_INIT request with a Puzzle Solution
 * when ike_responder.auth_puzzle is set; the D-H shared secret waits for
 * an IKE_AUTH request with a valid solution, and ike_recv() drops every
 * other one. As initiator: solved through ike_puzzle_asked() and
 * ike_puzzle_work() like the IKE_SA_INIT puzzle, which then build the
 * IKE_AUTH request. The puzzle's D, 0 if none was asked.
 */
unsigned int ike_auth_puzzle(const struct ikesa *sa);
/* The responder's counts, all SAs together. */
struct ike_auth_puzzle_stats {
	uint64_t asked;		/* IKE_SA_INIT answers with N(PUZZLE) */
	uint64_t verified;	/* IKE_AUTH requests with a good solution */
	uint64_t discarded;	/* ...without: dropped before any D-H work */
};
extern struct ike_auth_puzzle_stats ike_auth_puzzle_stats;

/* The name of an error Notify that ends an exchange ("failed" for 0), or
 * NULL for one without a name here. */
const char *ike_notify_name(uint16_t n);

#endif
