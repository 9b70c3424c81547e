/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 5723 session resumption tickets, responder side: the IKE SA state a
 * ticket carries (§5), sealed with AES-256-GCM under a key only this
 * moatd knows. The key comes from RAND_bytes (ikesa_rand), lives in
 * secmem and is
 * never logged; it is replaced every TICKET_KEY_ROTATE_S seconds and the
 * previous one is kept one period more, so a ticket (at most
 * MOATD_TICKET_LIFETIME_MAX long) always outlives the key it was sealed
 * with. A ticket opened once is remembered until it expires, in a bounded
 * cache (TICKET_SEEN_MAX; when that is full the oldest entry goes), and
 * refused the second time.
 *
 * A ticket on the wire (opaque to the initiator):
 *	version (1) | key id (4) | IV (12) | ciphertext | tag (16)
 * the first 17 octets are the GCM additional data.
 */
#ifndef MOATD_TICKET_H
#define MOATD_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "keys.h"

#define TICKET_VERSION 1
#define TICKET_HDR_LEN 17
#define TICKET_TAG_LEN 16
#define TICKET_MAX 1024		/* the longest ticket sealed or opened */
#define TICKET_KEY_ROTATE_S MOATD_TICKET_LIFETIME_MAX
#define TICKET_SEEN_MAX 1024

/* What a ticket carries: RFC 5723 §5's IKE SA state. */
struct ticket_state {
	uint64_t expires;		/* seconds since the epoch */
	char conn[MOATD_CONN_NAME_MAX + 1];
	struct moatd_id id_i, id_r;	/* as the IKE_AUTH exchange had them */
	uint8_t auth_i;			/* the initiator's enum moatd_auth */
	uint16_t encr, prf, group, key_bits;
	uint8_t sk_d[IKE_PRF_MAX_LEN];	/* the old IKE SA's SK_d */
	uint8_t sk_d_len;
};

enum ticket_result {
	TICKET_OK = 0,
	TICKET_BAD = -1,	/* not ours, damaged, or malformed */
	TICKET_EXPIRED = -2,
	TICKET_REPLAYED = -3,
};

/* The clock tickets use: time(NULL), or ticket_test_now when a test
 * sets it (moatd never does). */
uint64_t ticket_now(void);
extern uint64_t (*ticket_test_now)(void);

/* Seals @st into @out (@cap octets): its length, or 0 on failure. */
size_t ticket_seal(const struct ticket_state *st, uint8_t *out, size_t cap);
/* Opens a received ticket into @st (wiped unless TICKET_OK); on success
 * it is marked used. */
enum ticket_result ticket_open(const uint8_t *t, size_t len,
			       struct ticket_state *st);
/* Forgets every key and used ticket (tests, and moatd's exit). */
void ticket_reset(void);
/* Forgets the used tickets only (the fuzzer, to open a ticket again). */
void ticket_forget_used(void);

#endif
