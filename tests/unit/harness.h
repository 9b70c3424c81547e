/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit-test harness: TEST(name) registers a function, CHECK()
 * records a failure with its line and carries on, and the runner prints
 * one line per test and a "unit: N passed, M failed" total.
 */
#ifndef MOAT_TEST_HARNESS_H
#define MOAT_TEST_HARNESS_H

#include <stddef.h>
#include <stdio.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
extern int test_failures;

#define TEST(name)							\
	static void test_##name(void);					\
	static struct test_case tc_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		test_register(&tc_##name);				\
	}								\
	static void test_##name(void)

/* Decodes hex digits (no separators) into @out; the octets written. */
size_t test_unhex(const char *s, unsigned char *out, size_t max);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "    %s:%d: CHECK(%s) failed\n",\
				__FILE__, __LINE__, #cond);		\
			test_failures++;				\
		}							\
	} while (0)

#endif
