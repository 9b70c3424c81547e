/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses and prefixes as people type them (inet_pton's forms) and as the
 * kernel sends them (4 or 16 raw bytes). Nothing here reads past a string's
 * end or an attribute's length.
 */
#ifndef MOAT_ADDR_H
#define MOAT_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct moat_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} u;
};

struct moat_prefix {
	struct moat_addr addr;
	uint8_t len;			/* 0..32 or 0..128 */
};

/* Longest text format_prefix writes, with its terminator. */
#define MOAT_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* An IPv4 dotted quad or an IPv6 address, nothing else: 0 or -1. */
int parse_addr(const char *s, struct moat_addr *a);

/* Bytes of address: 4 for AF_INET, 16 for AF_INET6, 0 otherwise. */
size_t addr_len(const struct moat_addr *a);
/* 32 or 128, or 0 for an unknown family. */
unsigned int addr_bits(const struct moat_addr *a);
int addr_equal(const struct moat_addr *a, const struct moat_addr *b);

/*
 * Why @a cannot be a tunnel endpoint (unspecified, multicast, broadcast,
 * IPv4-mapped), or NULL if it can.
 */
const char *addr_endpoint_problem(const struct moat_addr *a);

/*
 * Fills @a from @len raw bytes as the kernel sends them: 4 for AF_INET, 16
 * for AF_INET6. Returns -1 if @len is too short for @family.
 */
int addr_from_raw(struct moat_addr *a, int family, const void *raw,
		  size_t len);

/* inet_ntop into @buf (at least INET6_ADDRSTRLEN bytes); returns @buf. */
const char *format_addr(const struct moat_addr *a, char *buf, size_t len);
/* "ADDR/LEN" into @buf (at least MOAT_PREFIX_STRLEN bytes); returns @buf. */
const char *format_prefix(const struct moat_prefix *p, char *buf, size_t len);

/* What parse_prefix found wrong. */
enum {
	PREFIX_OK = 0,
	PREFIX_BAD_ADDR = -1,	/* not an IPv4 or IPv6 address */
	PREFIX_BAD_LEN = -2,	/* "/" without a decimal number after it */
	PREFIX_LEN_RANGE = -3,	/* above 32 (IPv4) or 128 (IPv6) */
};

/*
 * ADDR[/LEN] from the @n bytes at @s (no terminator needed); a bare
 * address is a host prefix (/32 or /128). Bits past LEN are cleared, and
 * *@host_bits (if not NULL) says whether there were any. Returns PREFIX_*;
 * after PREFIX_BAD_LEN and PREFIX_LEN_RANGE, p->addr holds the address.
 */
int parse_prefix(const char *s, size_t n, struct moat_prefix *p,
		 int *host_bits);

/* Clears the bits of p->addr past p->len; returns whether any were set. */
int prefix_mask(struct moat_prefix *p);

/*
 * A comma-separated list of prefixes, IPv4 and IPv6 mixed, at most @max,
 * none twice (after masking). Returns -1 with @err naming the bad element,
 * 0 when all is well, or 1 when some had host bits set: they were cleared
 * and @err holds a warning naming the first. *@n is the count.
 */
int parse_prefix_list(const char *s, struct moat_prefix *out, size_t max,
		      size_t *n, char *err, size_t errlen);

#endif
