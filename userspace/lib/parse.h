/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for what people type on the command line. Each returns 0 on
 * success and -1 on bad input, and never reads past the string's end.
 */
#ifndef MOAT_PARSE_H
#define MOAT_PARSE_H

#include <stdint.h>

/* Decimal, or hex with 0x; the whole string must be the number. */
int parse_u32(const char *s, uint32_t *out);
int parse_u64(const char *s, uint64_t *out);
/* Like parse_u32, then checks min <= value <= max. */
int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* A device name the kernel would accept: 1..15 bytes, no '/', ':' or space. */
int parse_ifname(const char *s);
/* Whether @word is a non-empty prefix of @full ("sh" matches "show"). */
int matches(const char *word, const char *full);

#endif
