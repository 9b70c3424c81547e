// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd's IKE fragment reassembly
 * (userspace/moatd/frag.c). The input is a stream of fragments, each
 * 8 octets of header then its data:
 *
 *   msg_id (1), flags (1: bit 0 response), Fragment Number (1), Total
 *   Fragments (1), data length (2, big-endian, cut to what is left),
 *   milliseconds since the previous fragment (2, big-endian, times 8)
 *
 * Whatever arrives, the kept state stays within its bounds, a completed
 * message joins to exactly the octets kept, and nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REC_HDR 8

static void check_bounds(const struct frag_rx *f)
{
	size_t i, n = 0, octets = 0;

	if (!f->active) {
		if (f->have || f->size || f->raw1)
			abort();
		return;
	}
	if (f->total < 1 || f->total > FRAG_MAX || f->have > f->total ||
	    f->size > FRAG_SIZE_MAX)
		abort();
	for (i = 0; i < FRAG_MAX; i++) {
		if (!f->part[i])
			continue;
		if (i >= f->total)
			abort();
		n++;
		octets += f->part_len[i];
	}
	if (n != f->have || octets != f->size)
		abort();
}

static void check_join(const struct frag_rx *f)
{
	static uint8_t buf[FRAG_SIZE_MAX];

	if (frag_join(f, buf, sizeof(buf)) != (long)f->size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frag_rx f = { 0 };
	uint64_t now = 0;
	size_t off = 0;

	while (size - off >= REC_HDR) {
		const uint8_t *h = data + off;
		size_t len = (size_t)h[4] << 8 | h[5];
		struct frag_piece p = {
			.msg_id = h[0], .response = h[1] & 1,
			.num = h[2], .total = h[3], .first = h[1],
		};
		int r;

		off += REC_HDR;
		if (len > size - off)
			len = size - off;
		now += 8u * (uint64_t)(h[6] << 8 | h[7]);
		p.plain = data + off;
		p.len = len;
		p.raw = h;
		p.raw_len = REC_HDR + len;
		off += len;
		r = frag_add(&f, &p, now);
		check_bounds(&f);
		if (r == FRAG_DONE) {
			check_join(&f);
			frag_reset(&f);
		}
	}
	frag_reset(&f);
	return 0;
}
