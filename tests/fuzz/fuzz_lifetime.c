// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the words after "lifetime": the input is split at
 * spaces into argv and parsed the way moat sa add does, "lifetime" word
 * after "lifetime" word. It must never use more words than it has, and
 * what passes lifetime_check has no soft limit above its hard one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct moat_lifetime lt = { .given = 0 };
	char *argv[MAX_WORDS], err[160], *s, *p;
	int argc = 0, i = 0, n, k;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (p = s; argc < MAX_WORDS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	/* Each "lifetime" is followed by its limits, as on the command line. */
	while (i < argc) {
		if (strcmp(argv[i], "lifetime")) {
			i++;
			continue;
		}
		n = parse_lifetime(argc - i - 1, argv + i + 1, &lt, err,
				   sizeof(err));
		if (n < 0)
			break;
		if (n < 3 || n % 3 || n > argc - i - 1)
			abort();
		i += 1 + n;
	}
	if (lt.given >> 6)
		abort();
	if (lifetime_check(&lt, err, sizeof(err)) == 0)
		for (k = 0; k < LT_KINDS; k++)
			if (lt.v[LT_SOFT][k] && lt.v[LT_HARD][k] &&
			    lt.v[LT_SOFT][k] > lt.v[LT_HARD][k])
				abort();
	free(s);
	return 0;
}
