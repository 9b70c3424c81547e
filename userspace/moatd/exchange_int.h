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
/* exchange_auth.c */
int auth_build_request(struct ikesa *sa, struct ike_out *out);
int auth_on_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		    const struct ike_hdr *h, struct ike_out *out);
int auth_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		     struct ike_out *out);
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
