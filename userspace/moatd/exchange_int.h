/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to the exchanges: message helpers shared by IKE_SA_INIT and
 * IKE_AUTH (exchange_msg.c), traffic selectors (exchange_ts.c). */
#ifndef MOATD_EXCHANGE_INT_H
#define MOATD_EXCHANGE_INT_H

#include "exchange.h"
#include "ike_sa.h"

/* xchg_open results besides -1 (drop: not authentic or malformed SK). */
enum { XOPEN_OK = 0, XOPEN_CRITICAL = 1, XOPEN_SYNTAX = 2 };

/* Our header for a message of @exch with Message ID @id. */
void xchg_hdr(const struct ikesa *sa, struct ike_hdr *h, uint8_t exch,
	      uint32_t id, bool response);
/* A Notify payload with no SPI. */
void xchg_notify(struct ike_writer *w, uint16_t type, const void *data,
		 size_t len);
/* HDR, SK{@inner} into @out; 0 or -1. */
int xchg_seal(struct ikesa *sa, const struct ike_hdr *h,
	      const struct ike_writer *inner, struct ike_out *out);
/*
 * Verifies and decrypts the SK payload that ends @msg, then parses what
 * it held into @c (pointing into @plain, IKE_MSG_MAX octets). -1, or one
 * of XOPEN_*; *@crit_type names an unsupported critical payload.
 */
int xchg_open(struct ikesa *sa, const uint8_t *msg, size_t len,
	      uint8_t *plain, struct ike_chain *c, uint8_t *crit_type);
/* An encrypted response holding only N(@type, @data); 0 or -1. */
int xchg_answer_notify(struct ikesa *sa, const struct ike_hdr *req,
		       uint16_t type, const void *data, size_t dlen,
		       struct ike_out *out);
/* Keeps @msg and its answer @out for retransmissions; 0 or -1. */
int xchg_remember(struct ikesa *sa, const uint8_t *msg, size_t len,
		  const struct ike_out *out);
/*
 * A responder's first exchange (IKE_SA_INIT or IKE_SESSION_RESUME): keeps
 * @msg and its answer @out for the AUTH payloads and for retransmissions.
 */
int xchg_remember_first(struct ikesa *sa, const uint8_t *msg, size_t len,
			const struct ike_out *out);
/* The first error Notify (type below 16384) in @c, 0 if none. */
uint16_t xchg_error_notify(const struct ike_chain *c);
/* A Nonce payload @pl into *nonce and *len, if it is the first; 0 or -1. */
int xchg_take_nonce(const struct ike_payload *pl, const uint8_t **nonce,
		    size_t *len);
/* §2.1: the answer again if @msg is the last request, byte for byte. */
int xchg_resend(const struct ikesa *sa, const uint8_t *msg, size_t len,
		struct ike_out *out);
/* ID payload body (ID Type, RESERVED, data) of @id into @buf. */
size_t xchg_id_body(const struct moatd_id *id, uint8_t *buf, size_t cap);
/* Whether a received ID is @want. */
bool xchg_id_is(const struct moatd_id *want, const struct ike_id *got);

/* NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | Port), 20 octets. */
#define NATD_LEN 20
int xchg_natd(const uint8_t *spi_i, const uint8_t *spi_r,
	      const struct moat_addr *a, uint16_t port, uint8_t *out);
/* Both NAT-D notifies for our endpoints. */
void xchg_put_natd(struct ike_writer *w, const struct ikesa *sa,
		   const uint8_t *spi_r);

/* exchange_frag.c: RFC 7383 fragmentation. */
/* IKE octets that fit one datagram of the fragment size. */
size_t xchg_frag_budget(const struct ikesa *sa);
/*
 * HDR, SKF{@inner} fragments into @out when the peer takes fragments and
 * HDR, SK{@inner} would not fit: 1, done; 0, not needed; -1, error.
 */
int xchg_fragment(struct ikesa *sa, const struct ike_hdr *h,
		  const struct ike_writer *inner, struct ike_out *out);
/* Whether @msg's last payload is SKF. */
bool xchg_is_fragment(const uint8_t *msg, size_t len);
/* A received fragment: kept, or the whole message handled; enum ike_rx. */
int xchg_frag_recv(struct ikesa *sa, const uint8_t *msg, size_t len,
		   const struct ike_hdr *h, struct ike_out *out);
/* exchange_msg.c: a message for @sa, sorted by role and state. */
int xchg_dispatch(struct ikesa *sa, const uint8_t *msg, size_t len,
		  const struct ike_hdr *h, struct ike_out *out);

/* exchange_init.c */
int init_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		     struct ike_out *out);
/* Our IKE_SA_INIT request (again), with sa->cookie and sa->ps; 0 or -1. */
int init_build_request(struct ikesa *sa, struct ike_out *out);
/* exchange_puzzle.c: N(PUZZLE) @data with the cookie in sa->cookie.
 * 0: the SA waits for ike_puzzle_work(); -1: answer as a legacy
 * initiator (a PRF we did not offer, or a malformed notify). */
int puzzle_ask(struct ikesa *sa, const uint8_t *data, size_t len);
/* SKEYSEED and SK_* from the peer's KE (§2.14); 0 or -1 (keys unset). */
int init_derive(struct ikesa *sa, const struct ike_ke *peer);
/* exchange_authpuzzle.c: RFC 8019 §7.2, see exchange.h. */
/* Responder: the keys now (@d 0), or later when IKE_AUTH solves a puzzle
 * of D = @d; 0 or -1. */
int authpuzzle_defer(struct ikesa *sa, const struct ike_ke *ke, uint8_t d);
/* Responder: N(PUZZLE) into our IKE_SA_INIT answer, if asked. */
void authpuzzle_put_notify(struct ike_writer *w, const struct ikesa *sa);
/* Responder: 0 to go on with @msg (the keys are made when it holds the
 * solution), -1 to drop it. */
int authpuzzle_gate(struct ikesa *sa, const uint8_t *msg, size_t len,
		    const struct ike_hdr *h);
/* Initiator: the IKE_AUTH request into @out, or (N(PUZZLE) @pz) a wait for
 * ike_puzzle_work(); 0 or -1. */
int authpuzzle_auth_request(struct ikesa *sa, const struct ike_notify *pz,
			    struct ike_out *out);
/* Initiator: the octets of the PS our message @h carries before SK (0:
 * none), and the PS itself into @w. */
size_t authpuzzle_ps_len(const struct ikesa *sa, const struct ike_hdr *h);
void authpuzzle_put_ps(struct ike_writer *w, const struct ikesa *sa,
		       const struct ike_hdr *h);
/* exchange_auth.c */
int auth_build_request(struct ikesa *sa, struct ike_out *out);
int auth_on_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		    const struct ike_hdr *h, struct ike_out *out);
int auth_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		     struct ike_out *out);
/* exchange_resume.c: RFC 5723 */
int resume_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		       struct ike_out *out);
/* Responder, IKE_AUTH answer: N(TICKET_LT_OPAQUE) or N(TICKET_NACK) when
 * the initiator asked for a ticket. */
void resume_put_ticket(struct ike_writer *w, const struct ikesa *sa);
/* Initiator, IKE_AUTH answer: keeps the N(TICKET_LT_OPAQUE) ticket. */
void resume_keep_ticket(struct ikesa *sa, const struct ike_notify *n);
/* exchange_ppk.c */
int ppk_keys_copy(const struct ike_sa_keys *src, struct ike_sa_keys *dst);
void ppk_keys_take(struct ike_sa_keys *dst, struct ike_sa_keys *src);
/* The initiator's keys after IKE_SA_INIT when both sent USE_PPK. */
int ppk_initiator_setup(struct ikesa *sa);

/* exchange_ts.c: traffic selectors (§2.9). */
int ts_from_prefixes(const struct moat_prefix *p, size_t n,
		     struct ike_ts_list *out);
/* Our remote selectors: remote-ts, or the peer's address for %any. */
int ts_remote(const struct ikesa *sa, struct ike_ts_list *out);
/* The intersection of the peer's and ours; 0, or -1 when it is empty. */
int ts_narrow(const struct ike_ts_list *peer, const struct ike_ts_list *ours,
	      struct ike_ts_list *out);
/* Whether every selector of @sub lies inside one of @of. */
bool ts_subset(const struct ike_ts_list *sub, const struct ike_ts_list *of);

#endif
