// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for traffic-selector lists (parse_prefix_list): what it
 * accepts is within the limit, masked and free of duplicates, and its
 * message is always a terminated string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/moat.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct moat_prefix out[MOAT_TS_MAX];
	char err[128], *s;
	size_t n = 0, i, j, max;
	int ret;

	if (size < 1)
		return 0;
	/* The first byte picks the limit, so small limits are reached too. */
	max = data[0] % 8 ? data[0] % 8 : MOAT_TS_MAX;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	memset(err, 'x', sizeof(err));
	ret = parse_prefix_list(s, out, max, &n, err, sizeof(err));
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	if (ret < -1 || ret > 1 || (ret != 0 && !err[0]))
		abort();
	if (ret >= 0) {
		if (n < 1 || n > max)
			abort();
		for (i = 0; i < n; i++) {
			if (out[i].len > addr_bits(&out[i].addr) ||
			    prefix_mask(&out[i]))
				abort();
			for (j = 0; j < i; j++)
				if (out[j].len == out[i].len &&
				    addr_equal(&out[j].addr, &out[i].addr))
					abort();
		}
	}
	free(s);
	return 0;
}
