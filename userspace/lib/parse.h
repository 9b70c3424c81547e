/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for what people type on the command line. Each returns 0 on
 * success and -1 on bad input, and never reads past the string's end.
 */
#ifndef MOAT_PARSE_H
#define MOAT_PARSE_H

#include <stddef.h>
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

/*
 * The parsers below also say what was wrong: on -1 they write a message
 * into @err (@errlen bytes, always terminated) that names the problem
 * but never repeats key material.
 */

/*
 * An SPI: decimal or 0x hex, not 0 (reserved) nor 1..255 (reserved by
 * RFC 4303 for future use).
 */
int parse_spi(const char *s, uint32_t *spi, char *err, size_t errlen);

/* The value of hex digit @c (either case), or -1 if it is not one. */
int parse_hex_digit(char c);

/*
 * Key material the way ip xfrm takes it: "0x" then an even number of hex
 * digits, at most @max bytes. Fills @out and *@len; on error writes nothing
 * to @out.
 */
int parse_hex_key(const char *s, uint8_t *out, size_t max, size_t *len,
		  char *err, size_t errlen);

/*
 * Whether the kernel knows AEAD algorithm @alg (MOAT_ALG_*), a key of
 * @keylen bytes (key and 4-byte salt) suits it, and @icv_bits is 128.
 * Each check is separate so a caller can name the first that fails.
 */
int aead_check_alg(const char *alg, char *err, size_t errlen);
int aead_check_key(const char *alg, size_t keylen, char *err, size_t errlen);
int aead_check_icv(const char *s, uint32_t *icv_bits, char *err,
		   size_t errlen);

/* Lifetime limits, indexed [LT_SOFT or LT_HARD][LT_BYTES, ...]. */
enum { LT_SOFT, LT_HARD, LT_LIMITS };
enum { LT_BYTES, LT_PACKETS, LT_SECONDS, LT_KINDS };

struct moat_lifetime {
	uint64_t v[LT_LIMITS][LT_KINDS];
	/* Bit (limit * LT_KINDS + kind) is set for each value given. */
	unsigned int given;
};

/*
 * The words after "lifetime": one or more of "{soft|hard} {bytes|packets|
 * seconds} N", stopping at the first word that is not soft or hard.
 * Adds to @lt (which may hold earlier lifetime words; a limit given twice
 * is an error). Returns how many words it used (at least 3), or -1.
 */
int parse_lifetime(int argc, char *const *argv, struct moat_lifetime *lt,
		   char *err, size_t errlen);
/* Refuses a soft limit above the hard one of the same kind (0 = none). */
int lifetime_check(const struct moat_lifetime *lt, char *err, size_t errlen);
/* The MOAT_LT_A_* attribute for a limit and kind. */
int lifetime_attr(int limit, int kind);
extern const char *const lifetime_limit_names[LT_LIMITS];
extern const char *const lifetime_kind_names[LT_KINDS];

#endif
