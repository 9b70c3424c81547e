// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for SA key material and the words around it:
 * parse_hex_key must decode exactly what it was given or write nothing,
 * and the SPI and algorithm checks must hold to their ranges.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/moat.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[MOAT_KEY_MAX];
	char err[160], hex[3];
	size_t len = 99, i;
	uint32_t v;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(key, 0xa5, sizeof(key));
	if (parse_hex_key(s, key, sizeof(key), &len, err, sizeof(err)) == 0) {
		if (len == 0 || len > MOAT_KEY_MAX || strlen(s) != 2 + 2 * len)
			abort();
		for (i = 0; i < len; i++) {
			snprintf(hex, sizeof(hex), "%02x", key[i]);
			if (tolower((unsigned char)s[2 + 2 * i]) != hex[0] ||
			    tolower((unsigned char)s[3 + 2 * i]) != hex[1])
				abort();
		}
		aead_check_key(MOAT_ALG_AES_GCM, len, err, sizeof(err));
		aead_check_key(MOAT_ALG_CHACHAPOLY, len, err, sizeof(err));
	} else {
		if (len != 0)
			abort();
		for (i = 0; i < sizeof(key); i++)
			if (key[i] != 0xa5)
				abort();
	}
	if (parse_spi(s, &v, err, sizeof(err)) == 0 && v < 256)
		abort();
	if (aead_check_icv(s, &v, err, sizeof(err)) == 0 && v != 128)
		abort();
	if (aead_check_alg(s, err, sizeof(err)) == 0 &&
	    strcmp(s, MOAT_ALG_AES_GCM) && strcmp(s, MOAT_ALG_CHACHAPOLY))
		abort();
	aead_check_key(s, size, err, sizeof(err));
	free(s);
	return 0;
}
