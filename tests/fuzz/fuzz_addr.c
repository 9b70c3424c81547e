// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for addresses and single prefixes (userspace/lib/addr.c):
 * what parses must print and parse back to the same thing, already masked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

static void check_addr(const char *s)
{
	char buf[INET6_ADDRSTRLEN];
	struct moat_addr a, b;

	if (parse_addr(s, &a))
		return;
	if (a.family != AF_INET && a.family != AF_INET6)
		abort();
	addr_endpoint_problem(&a);
	format_addr(&a, buf, sizeof(buf));
	if (parse_addr(buf, &b) || !addr_equal(&a, &b))
		abort();
}

static void check_prefix(const char *data, size_t size)
{
	char buf[MOAT_PREFIX_STRLEN];
	struct moat_prefix p, q;
	int host = -1, ret;

	/* An exactly sized copy: any read past @size is an overflow. */
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return;
	memcpy(copy, data, size);
	ret = parse_prefix(copy, size, &p, &host);
	free(copy);
	if (ret != PREFIX_OK)
		return;
	if (host != 0 && host != 1)
		abort();
	if (p.len > addr_bits(&p.addr) || prefix_mask(&p))
		abort();
	format_prefix(&p, buf, sizeof(buf));
	if (parse_prefix(buf, strlen(buf), &q, &host) != PREFIX_OK || host ||
	    q.len != p.len || !addr_equal(&q.addr, &p.addr))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_addr(s);
	free(s);
	check_prefix((const char *)data, size);
	return 0;
}
