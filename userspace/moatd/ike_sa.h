/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKE SA object: who we are in it, how far it got, and what the
 * exchanges need to remember (nonces, the exact IKE_SA_INIT messages that
 * AUTH signs, message IDs, the last response for retransmissions). Keys
 * live in secmem (keys.h) and in sk_key objects (sk.h).
 */
#ifndef MOATD_IKE_SA_H
#define MOATD_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child_sa.h"
#include "config.h"
#include "dh.h"
#include "exchange.h"
#include "frag.h"
#include "keys.h"
#include "payload.h"
#include "puzzle.h"
#include "sk.h"

#define IKESA_NONCE_LEN 32	/* the nonces we send */
#define IKESA_COOKIE_MAX 64	/* §2.6: 1 to 64 octets */
#define IKESA_INIT_ROUNDS 4	/* IKE_SA_INIT requests, retries included */

enum ikesa_role { IKESA_INITIATOR, IKESA_RESPONDER };

struct auth_puzzle;	/* exchange_authpuzzle.c */

enum ikesa_state {
	IKESA_INIT_SENT,	/* initiator: waiting for the IKE_SA_INIT answer */
	IKESA_INIT_DONE,	/* responder: IKE_SA_INIT answered */
	IKESA_AUTH_SENT,	/* initiator: waiting for the IKE_AUTH answer */
	IKESA_ESTABLISHED,
	IKESA_DELETING,		/* reserved for the INFORMATIONAL step */
	IKESA_DEAD,		/* failed: sa->error says why; free it */
};

/* A copy of a message (malloc'd); len 0 when empty. */
struct ike_blob {
	uint8_t *p;
	size_t len;
};

struct ikesa {
	const struct moatd_conn *conn;
	enum ikesa_role role;
	enum ikesa_state state;
	struct ike_endpoints ep;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	struct dh_key *dh;		/* until the shared secret is known */
	uint16_t dh_group;
	struct ike_proposal ike_prop;	/* the agreed IKE SA transforms */
	int encr, prf;
	unsigned int key_bits;
	struct ike_sa_keys keys;
	/* Initiator with an optional PPK: SK_d, SK_pi, SK_pr without it. */
	struct ike_sa_keys nppk;
	struct sk_key *sk_in, *sk_out;	/* SK_er/SK_ei by role */
	uint64_t iv_next;
	uint32_t next_req_id;		/* our next request's Message ID */
	uint32_t next_exp_id;		/* the peer's next request's */
	struct ike_blob init_req, init_resp;	/* signed by AUTH (§2.15) */
	struct ike_blob last_req;	/* our outstanding request */
	struct ike_blob last_in, last_resp;	/* the request we answered last */
	uint8_t cookie[IKESA_COOKIE_MAX];
	size_t cookie_len;
	/* RFC 8019: the puzzle being solved (NULL: none), and the solution
	 * our IKE_SA_INIT (or, with ap, IKE_AUTH) request carries (ps_len 0:
	 * none). ap: the IKE_AUTH puzzle (§7.2) asked or being answered. */
	struct puzzle *puzzle;
	uint8_t ps[PUZZLE_PS_LEN];
	size_t ps_len;
	struct auth_puzzle *ap;
	unsigned int init_rounds;
	bool peer_frag, peer_ppk, ppk_used;
	bool nat_local, nat_remote;	/* NAT in front of us / of the peer */
	struct moatd_id peer_id;
	uint32_t child_spi;		/* our inbound ESP SPI */
	struct ike_proposal esp_prop;	/* the agreed Child SA transforms */
	bool have_child;
	struct child_sa child;
	uint16_t error;		/* the Notify that ended the SA */
	uint16_t child_error;	/* the Notify that refused the Child SA */
	struct ikesa_est *est;	/* after IKE_AUTH: exchange_est.h */
	struct frag_rx frag;	/* RFC 7383: the message being reassembled */
	bool rx_clear;		/* the SK body in hand is reassembled plaintext */
	/* RFC 5723: keys from a ticket (AUTH as its §5.1 says); the ticket
	 * an initiator resumes with, until the answer; the one the responder
	 * gave in IKE_AUTH; whether the initiator asked for one. */
	bool resumed;
	struct ike_ticket *resume_from, *ticket;
	bool ticket_asked;
};

/* RAND_bytes, or the test hook in MOATD_TEST_RNG builds; 0 or -1. */
int ikesa_rand(void *buf, size_t len);
#ifdef MOATD_TEST_RNG
/* Set by tests and fuzzers for reproducible SPIs, nonces and DH keys. */
extern int (*ikesa_test_rand)(void *buf, size_t len);
#endif
/* A fresh DH key (through the hook when it is set). */
struct dh_key *ikesa_dh_new(int group);

/* A new SA with our SPI; NULL on failure. */
struct ikesa *ikesa_new(const struct moatd_conn *c, enum ikesa_role role,
			const struct ike_endpoints *ep);
void ikesa_free(struct ikesa *sa);
/* exchange_info.c: the established SA's state; NULL is fine. */
void ikesa_est_free(struct ikesa_est *e);
/* exchange_authpuzzle.c: the IKE_AUTH puzzle's state; none is fine. */
void authpuzzle_free(struct ikesa *sa);
const char *ikesa_state_name(enum ikesa_state s);
/* Ends the SA because of @notify. */
void ikesa_fail(struct ikesa *sa, uint16_t notify);

/* Replaces @b with a copy of @len octets; 0 or -1. */
int ike_blob_set(struct ike_blob *b, const uint8_t *p, size_t len);
void ike_blob_free(struct ike_blob *b);

/* The SK_e keys for our direction; 0 or -1. */
int ikesa_install_sk(struct ikesa *sa);
/* A random ESP SPI above the reserved 1..255. */
int ikesa_new_esp_spi(uint32_t *spi);

#endif
