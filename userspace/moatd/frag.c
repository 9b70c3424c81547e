// SPDX-License-Identifier: GPL-2.0
/*
 * Reassembly of IKE fragments (RFC 7383 §2.6), bounded; see frag.h. The
 * fragments arrive here authenticated and decrypted: this file only keeps
 * and orders plaintext, and never trusts a length it did not check.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "frag.h"

#define FRAG_IKE_HDR_LEN 28
#define FRAG_LEN_OFF 24		/* the IKE header's Length field */

static void free_wiped(uint8_t *p, size_t len)
{
	if (p)
		OPENSSL_cleanse(p, len);
	free(p);
}

void frag_reset(struct frag_rx *f)
{
	size_t i;

	for (i = 0; i < FRAG_MAX; i++)
		free_wiped(f->part[i], f->part_len[i]);
	free(f->raw1);
	memset(f, 0, sizeof(*f));
}

static void start(struct frag_rx *f, const struct frag_piece *p,
		  uint64_t now_ms)
{
	frag_reset(f);
	f->active = true;
	f->msg_id = p->msg_id;
	f->response = p->response;
	f->total = p->total;
	f->started_ms = now_ms;
}

/* Whether @p belongs to another message than the one kept. */
static bool other_message(const struct frag_rx *f, const struct frag_piece *p)
{
	return p->msg_id != f->msg_id || p->response != f->response;
}

/*
 * Makes room for @p: starts over for a new message, a timed-out one or a
 * finer split (§2.6.1). Returns false when @p must be dropped.
 */
static bool admit(struct frag_rx *f, const struct frag_piece *p,
		  uint64_t now_ms)
{
	if (!p->num || p->num > p->total || p->total > FRAG_MAX ||
	    p->len > FRAG_SIZE_MAX)
		return false;
	if (f->active && now_ms - f->started_ms > FRAG_TIMEOUT_MS)
		frag_reset(f);
	if (!f->active || other_message(f, p) || p->total > f->total)
		start(f, p, now_ms);
	if (p->total < f->total || f->part[p->num - 1])
		return false;	/* a coarser split, or a duplicate */
	if (f->size + p->len > FRAG_SIZE_MAX) {
		frag_reset(f);	/* this message cannot be taken whole */
		return false;
	}
	return true;
}

/* Fragment 1 names the first inner payload and is kept as received. */
static int keep_first(struct frag_rx *f, const struct frag_piece *p)
{
	f->raw1 = malloc(p->raw_len ? p->raw_len : 1);
	if (!f->raw1)
		return -1;
	memcpy(f->raw1, p->raw, p->raw_len);
	f->raw1_len = p->raw_len;
	f->first = p->first;
	return 0;
}

int frag_add(struct frag_rx *f, const struct frag_piece *p, uint64_t now_ms)
{
	size_t i = (size_t)p->num - 1;
	uint8_t *copy;

	if (!admit(f, p, now_ms))
		return FRAG_DROP;
	copy = malloc(p->len ? p->len : 1);
	if (!copy)
		return FRAG_DROP;
	if (p->num == 1 && keep_first(f, p)) {
		free(copy);
		return FRAG_DROP;
	}
	memcpy(copy, p->plain, p->len);
	f->part[i] = copy;
	f->part_len[i] = p->len;
	f->size += p->len;
	f->have++;
	return f->have == f->total ? FRAG_DONE : FRAG_KEPT;
}

long frag_join(const struct frag_rx *f, uint8_t *buf, size_t cap)
{
	size_t i, off = 0;

	if (!f->active || f->have != f->total || f->size > cap)
		return -1;
	for (i = 0; i < f->total; i++) {
		if (!f->part[i])
			return -1;
		memcpy(buf + off, f->part[i], f->part_len[i]);
		off += f->part_len[i];
	}
	return (long)off;
}

size_t frag_first_datagram(const uint8_t *buf, size_t len)
{
	size_t n;

	if (len < FRAG_IKE_HDR_LEN)
		return len;
	n = (size_t)buf[FRAG_LEN_OFF] << 24 | (size_t)buf[FRAG_LEN_OFF + 1] << 16 |
	    (size_t)buf[FRAG_LEN_OFF + 2] << 8 | buf[FRAG_LEN_OFF + 3];
	return n >= FRAG_IKE_HDR_LEN && n <= len ? n : len;
}

uint64_t frag_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
