/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKE fragmentation (RFC 7383): reassembly of received SKF fragments and
 * the split of a message into datagrams for sending.
 *
 * Reassembly keeps one message per IKE SA. It takes only fragments the
 * caller has already authenticated and decrypted (§2.6: an unverified
 * fragment is never kept), and is bounded: at most FRAG_MAX fragments, at
 * most FRAG_SIZE_MAX octets of inner payloads, FRAG_TIMEOUT_MS from the
 * first fragment kept. A duplicate is ignored. A fragment of another
 * message (by Message ID and direction) replaces what was kept; so does
 * one with more Total Fragments than the kept ones (the sender split its
 * retransmission smaller, §2.6.1), while one with fewer is dropped.
 */
#ifndef MOATD_FRAG_H
#define MOATD_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAG_MAX 32		/* fragments of one message */
#define FRAG_SIZE_MAX 4064	/* inner payloads of one message: IKE_MSG_MAX
				 * less the IKE and SK headers */
#define FRAG_TIMEOUT_MS 30000	/* from the first fragment kept */

/* One authenticated fragment, decrypted. */
struct frag_piece {
	uint32_t msg_id;
	bool response;		/* the header's R flag */
	uint16_t num, total;	/* 1 <= num <= total */
	uint8_t first;		/* SKF Next Payload (fragment 1 only) */
	const uint8_t *plain;	/* its inner payload octets */
	size_t len;
	const uint8_t *raw;	/* the datagram as received */
	size_t raw_len;
};

/* The message being reassembled; zero-initialised is empty. */
struct frag_rx {
	bool active;
	uint32_t msg_id;
	bool response;
	uint16_t total, have;
	uint8_t first;
	uint64_t started_ms;
	size_t size;
	uint8_t *part[FRAG_MAX];	/* by Fragment Number - 1 */
	size_t part_len[FRAG_MAX];
	uint8_t *raw1;			/* fragment 1 as received */
	size_t raw1_len;
};

enum frag_res {
	FRAG_DROP = -1,		/* not kept (duplicate, stale, over a bound) */
	FRAG_KEPT = 0,		/* kept; more are missing */
	FRAG_DONE = 1,		/* the message is complete: frag_join() */
};

/* Adds @p at @now_ms; see enum frag_res. */
int frag_add(struct frag_rx *f, const struct frag_piece *p, uint64_t now_ms);
/* The complete message's inner payloads into @buf; their length or -1. */
long frag_join(const struct frag_rx *f, uint8_t *buf, size_t cap);
/* Wipes and frees what @f holds; it is empty again. */
void frag_reset(struct frag_rx *f);

/*
 * The length of the first of the IKE messages that fill @len octets of
 * @buf (a fragmented message is kept as its datagrams one after the
 * other): its IKE header's Length when that is sane, else @len.
 */
size_t frag_first_datagram(const uint8_t *buf, size_t len);

/* The monotonic clock in milliseconds, for frag_add(). */
uint64_t frag_now_ms(void);

#endif
