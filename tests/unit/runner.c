// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "harness.h"

static struct test_case *head, **tail = &head;
int test_failures;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

/* Runs every test, or those whose name contains argv[1]. */
int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	struct test_case *tc;

	for (tc = head; tc; tc = tc->next) {
		int before = test_failures;

		if (argc > 1 && !strstr(tc->name, argv[1]))
			continue;
		tc->fn();
		if (test_failures == before) {
			printf("PASS unit/%s\n", tc->name);
			passed++;
		} else {
			printf("FAIL unit/%s\n", tc->name);
			failed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed || !passed;
}

size_t test_unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (s[0] && s[1] && n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}
