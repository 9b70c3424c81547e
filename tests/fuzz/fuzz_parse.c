// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for the command-line parsers in userspace/lib/parse.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint64_t v64;
	uint32_t v32;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (parse_u32(s, &v32) == 0 && size == 0)
		abort();	/* an empty word is never a number */
	parse_u64(s, &v64);
	parse_u32_range(s, 68, 65535, &v32);
	parse_ifname(s);
	matches(s, "show");
	free(s);
	return 0;
}
