// SPDX-License-Identifier: GPL-2.0
/* Address ranges to prefixes; see ts_prefix.h. */
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "ts_prefix.h"

/* Bit @bit of @a (0 = most significant). */
static int bit_get(const uint8_t *a, unsigned int bit)
{
	return (a[bit / 8] >> (7 - bit % 8)) & 1;
}

static void bit_set(uint8_t *a, unsigned int bit, int v)
{
	uint8_t m = (uint8_t)(1 << (7 - bit % 8));

	a[bit / 8] = v ? a[bit / 8] | m : a[bit / 8] & (uint8_t)~m;
}

/* Whether the last @host bits of @a equal @v. */
static bool low_bits_are(const uint8_t *a, unsigned int bits,
			 unsigned int host, int v)
{
	unsigned int i;

	for (i = bits - host; i < bits; i++)
		if (bit_get(a, i) != v)
			return false;
	return true;
}

/* @a += 1; false when it wrapped. */
static bool addr_inc(uint8_t *a, unsigned int bytes)
{
	while (bytes--)
		if (++a[bytes])
			return true;
	return false;
}

/* The largest prefix at @start (host bits of it) inside start..end. */
static unsigned int range_step(const uint8_t *start, const uint8_t *end,
			       unsigned int bits)
{
	uint8_t last[16];
	unsigned int host, i;

	for (host = bits; host > 0; host--) {
		if (!low_bits_are(start, bits, host, 0))
			continue;
		memcpy(last, start, bits / 8);
		for (i = bits - host; i < bits; i++)
			bit_set(last, i, 1);
		if (memcmp(last, end, bits / 8) <= 0)
			return host;
	}
	return 0;
}

/* Appends start..end of one selector as prefixes; -1 when out of room. */
static int ts_range(const struct ike_ts *t, struct moat_prefix *out,
		    size_t max, size_t *n)
{
	unsigned int bits = t->type == IKE_TS_IPV4_RANGE ? 32 : 128, host;
	uint8_t cur[16];

	memcpy(cur, t->start, bits / 8);
	if (memcmp(cur, t->end, bits / 8) > 0)
		return 0;
	for (;;) {
		if (*n == max)
			return -1;
		host = range_step(cur, t->end, bits);
		memset(&out[*n], 0, sizeof(out[*n]));
		out[*n].addr.family = bits == 32 ? AF_INET : AF_INET6;
		memcpy(out[*n].addr.u.b, cur, bits / 8);
		out[*n].len = (uint8_t)(bits - host);
		(*n)++;
		for (unsigned int i = bits - host; i < bits; i++)
			bit_set(cur, i, 1);
		if (!memcmp(cur, t->end, bits / 8) || !addr_inc(cur, bits / 8))
			return 0;
	}
}

int ts_prefixes(const struct ike_ts_list *l, struct moat_prefix *out,
		       size_t max, size_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; i < l->n; i++)
		if (ts_range(&l->ts[i], out, max, n))
			return -1;
	return 0;
}
