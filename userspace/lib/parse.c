// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/moat.h>

#include "parse.h"

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	int base = 10;
	char *end;

	/* Hex only with 0x; a leading zero does not mean octal. */
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	/* strtoull accepts signs and leading blanks; people mean neither. */
	if (!s || !isxdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint32_t v;

	if (parse_u32(s, &v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_ifname(const char *s)
{
	size_t n = strnlen(s, 16);

	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return -1;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return -1;
	return 0;
}

int matches(const char *word, const char *full)
{
	size_t n = strlen(word);

	return n > 0 && n <= strlen(full) && !strncmp(word, full, n);
}

int parse_spi(const char *s, uint32_t *spi, char *err, size_t errlen)
{
	uint32_t v;

	if (parse_u32(s, &v)) {
		snprintf(err, errlen, "\"%s\" is not a 32-bit number (decimal or 0x hex)",
			 s ? s : "");
		return -1;
	}
	if (v == 0) {
		snprintf(err, errlen, "0 is reserved");
		return -1;
	}
	if (v < 256) {
		snprintf(err, errlen, "%u is reserved (RFC 4303 keeps 1..255)", v);
		return -1;
	}
	*spi = v;
	return 0;
}

int parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_hex_key(const char *s, uint8_t *out, size_t max, size_t *len,
		  char *err, size_t errlen)
{
	size_t digits, i;

	*len = 0;
	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
		snprintf(err, errlen, "must be 0x and hex digits, as ip xfrm takes it");
		return -1;
	}
	s += 2;
	digits = strlen(s);
	if (digits == 0) {
		snprintf(err, errlen, "has no hex digits after 0x");
		return -1;
	}
	for (i = 0; i < digits; i++) {
		unsigned char c = (unsigned char)s[i];

		if (parse_hex_digit((char)c) >= 0)
			continue;
		/* Not a key digit, so naming it gives nothing away. */
		if (isprint(c))
			snprintf(err, errlen, "has '%c' at position %zu, not a hex digit",
				 c, i + 3);
		else
			snprintf(err, errlen, "has byte 0x%02x at position %zu, not a hex digit",
				 c, i + 3);
		return -1;
	}
	if (digits % 2) {
		snprintf(err, errlen, "has an odd number of hex digits (%zu)",
			 digits);
		return -1;
	}
	if (digits / 2 > max) {
		snprintf(err, errlen, "is %zu bytes, more than %zu", digits / 2,
			 max);
		return -1;
	}
	for (i = 0; i < digits / 2; i++)
		out[i] = (uint8_t)(parse_hex_digit(s[2 * i]) << 4 |
				   parse_hex_digit(s[2 * i + 1]));
	*len = digits / 2;
	return 0;
}

int aead_check_alg(const char *alg, char *err, size_t errlen)
{
	if (alg && (!strcmp(alg, MOAT_ALG_AES_GCM) ||
		    !strcmp(alg, MOAT_ALG_CHACHAPOLY)))
		return 0;
	snprintf(err, errlen, "unknown algorithm \"%s\" (known: %s, %s)",
		 alg ? alg : "", MOAT_ALG_AES_GCM, MOAT_ALG_CHACHAPOLY);
	return -1;
}

int aead_check_key(const char *alg, size_t keylen, char *err, size_t errlen)
{
	if (aead_check_alg(alg, err, errlen))
		return -1;
	if (!strcmp(alg, MOAT_ALG_AES_GCM)) {
		if (keylen == 16 + 4 || keylen == 24 + 4 || keylen == 32 + 4)
			return 0;
		snprintf(err, errlen, "key is %zu bytes; %s takes 20, 28 or 36 (a 16, 24 or 32-byte key, then a 4-byte salt)",
			 keylen, alg);
		return -1;
	}
	if (keylen == 32 + 4)
		return 0;
	snprintf(err, errlen, "key is %zu bytes; %s takes 36 (a 32-byte key, then a 4-byte salt)",
		 keylen, alg);
	return -1;
}

int aead_check_icv(const char *s, uint32_t *icv_bits, char *err,
		   size_t errlen)
{
	uint32_t v;

	if (parse_u32(s, &v)) {
		snprintf(err, errlen, "ICV length \"%s\" is not a number of bits",
			 s ? s : "");
		return -1;
	}
	if (v != 128) {
		snprintf(err, errlen, "ICV length %u bits is not supported (only 128)",
			 v);
		return -1;
	}
	*icv_bits = v;
	return 0;
}

const char *const lifetime_limit_names[LT_LIMITS] = { "soft", "hard" };
const char *const lifetime_kind_names[LT_KINDS] = {
	"bytes", "packets", "seconds"
};

static int lookup(const char *word, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return i;
	return -1;
}

int parse_lifetime(int argc, char *const *argv, struct moat_lifetime *lt,
		   char *err, size_t errlen)
{
	int used = 0;

	for (;;) {
		int limit = used < argc ?
			    lookup(argv[used], lifetime_limit_names, LT_LIMITS) : -1;
		const char *ln, *kn;
		unsigned int bit;
		uint64_t v;
		int kind;

		if (limit < 0) {
			if (used)
				return used;
			if (argc <= 0)
				snprintf(err, errlen, "lifetime: expected soft or hard");
			else
				snprintf(err, errlen, "lifetime: expected soft or hard, not \"%s\"",
					 argv[0]);
			return -1;
		}
		ln = lifetime_limit_names[limit];
		if (used + 1 >= argc) {
			snprintf(err, errlen, "lifetime %s: expected bytes, packets or seconds",
				 ln);
			return -1;
		}
		kind = lookup(argv[used + 1], lifetime_kind_names, LT_KINDS);
		if (kind < 0) {
			snprintf(err, errlen, "lifetime %s: expected bytes, packets or seconds, not \"%s\"",
				 ln, argv[used + 1]);
			return -1;
		}
		kn = lifetime_kind_names[kind];
		if (used + 2 >= argc) {
			snprintf(err, errlen, "lifetime %s %s: missing the number", ln, kn);
			return -1;
		}
		if (parse_u64(argv[used + 2], &v)) {
			snprintf(err, errlen, "lifetime %s %s: \"%s\" is not a number",
				 ln, kn, argv[used + 2]);
			return -1;
		}
		bit = 1U << (limit * LT_KINDS + kind);
		if (lt->given & bit) {
			snprintf(err, errlen, "lifetime %s %s is given twice", ln, kn);
			return -1;
		}
		lt->given |= bit;
		lt->v[limit][kind] = v;
		used += 3;
	}
}

int lifetime_check(const struct moat_lifetime *lt, char *err, size_t errlen)
{
	int k;

	for (k = 0; k < LT_KINDS; k++) {
		uint64_t soft = lt->v[LT_SOFT][k], hard = lt->v[LT_HARD][k];

		if (soft && hard && soft > hard) {
			snprintf(err, errlen, "lifetime soft %s %llu is above hard %s %llu",
				 lifetime_kind_names[k], (unsigned long long)soft,
				 lifetime_kind_names[k], (unsigned long long)hard);
			return -1;
		}
	}
	return 0;
}

int lifetime_attr(int limit, int kind)
{
	return MOAT_LT_A_SOFT_BYTES + limit * LT_KINDS + kind;
}
