// SPDX-License-Identifier: GPL-2.0
/* The words of moat sa add: SPI, key, algorithm checks and lifetimes. */
#include <string.h>

#include <linux/moat.h>

#include "harness.h"
#include "parse.h"

/* Whether @err says exactly @want, telling what it said otherwise. */
static int err_is(const char *err, const char *want)
{
	if (strcmp(err, want)) {
		fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n", err, want);
		return 0;
	}
	return 1;
}

TEST(spi_accepts_decimal_and_hex)
{
	char err[128];
	uint32_t spi = 0;

	CHECK(parse_spi("0x1001", &spi, err, sizeof(err)) == 0 && spi == 0x1001);
	CHECK(parse_spi("4097", &spi, err, sizeof(err)) == 0 && spi == 0x1001);
	CHECK(parse_spi("256", &spi, err, sizeof(err)) == 0 && spi == 256);
	CHECK(parse_spi("0x100", &spi, err, sizeof(err)) == 0 && spi == 256);
	CHECK(parse_spi("0xffffffff", &spi, err, sizeof(err)) == 0 &&
	      spi == 0xffffffffU);
	CHECK(parse_spi("4294967295", &spi, err, sizeof(err)) == 0);
}

TEST(spi_rejects_reserved_and_junk)
{
	char err[128];
	uint32_t spi = 7;

	CHECK(parse_spi("0", &spi, err, sizeof(err)) == -1);
	CHECK(err_is(err, "0 is reserved"));
	CHECK(parse_spi("0x0", &spi, err, sizeof(err)) == -1);
	CHECK(parse_spi("1", &spi, err, sizeof(err)) == -1);
	CHECK(err_is(err, "1 is reserved (RFC 4303 keeps 1..255)"));
	CHECK(parse_spi("0xff", &spi, err, sizeof(err)) == -1);
	CHECK(err_is(err, "255 is reserved (RFC 4303 keeps 1..255)"));
	CHECK(parse_spi("0x100000000", &spi, err, sizeof(err)) == -1);
	CHECK(err_is(err, "\"0x100000000\" is not a 32-bit number (decimal or 0x hex)"));
	CHECK(parse_spi("-4097", &spi, err, sizeof(err)) == -1);
	CHECK(parse_spi("1001h", &spi, err, sizeof(err)) == -1);
	CHECK(parse_spi("", &spi, err, sizeof(err)) == -1);
	CHECK(parse_spi(NULL, &spi, err, sizeof(err)) == -1);
	CHECK(spi == 7);
}

TEST(hex_key_decodes)
{
	uint8_t key[MOAT_KEY_MAX];
	char err[128];
	size_t len = 0;

	CHECK(parse_hex_key("0x00ff10aB", key, sizeof(key), &len, err,
			    sizeof(err)) == 0);
	CHECK(len == 4 && key[0] == 0 && key[1] == 0xff && key[2] == 0x10 &&
	      key[3] == 0xab);
	CHECK(parse_hex_key("0X0102", key, sizeof(key), &len, err,
			    sizeof(err)) == 0 && len == 2 && key[1] == 2);
	/* Exactly the largest key: 36 bytes. */
	CHECK(parse_hex_key("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
			    key, sizeof(key), &len, err, sizeof(err)) == 0);
	CHECK(len == 36 && key[35] == 0x23 && key[17] == 0x11);
}

static int key_err(const char *s, const char *want)
{
	uint8_t key[8];
	char err[128];
	size_t len = 99, i;

	memset(key, 0x5a, sizeof(key));
	if (parse_hex_key(s, key, sizeof(key), &len, err, sizeof(err)) != -1)
		return 0;
	for (i = 0; i < sizeof(key); i++)
		if (key[i] != 0x5a)	/* nothing written on failure */
			return 0;
	return len == 0 && err_is(err, want);
}

TEST(hex_key_names_the_problem)
{
	CHECK(key_err(NULL, "must be 0x and hex digits, as ip xfrm takes it"));
	CHECK(key_err("", "must be 0x and hex digits, as ip xfrm takes it"));
	CHECK(key_err("0", "must be 0x and hex digits, as ip xfrm takes it"));
	CHECK(key_err("001122", "must be 0x and hex digits, as ip xfrm takes it"));
	CHECK(key_err("secretsecret", "must be 0x and hex digits, as ip xfrm takes it"));
	CHECK(key_err("0x", "has no hex digits after 0x"));
	CHECK(key_err("0x123", "has an odd number of hex digits (3)"));
	CHECK(key_err("0x12g4", "has 'g' at position 5, not a hex digit"));
	CHECK(key_err("0x12 34", "has ' ' at position 5, not a hex digit"));
	CHECK(key_err("0x0x12", "has 'x' at position 4, not a hex digit"));
	CHECK(key_err("0x12\n4", "has byte 0x0a at position 5, not a hex digit"));
	CHECK(key_err("0x12\xff" "4", "has byte 0xff at position 5, not a hex digit"));
	CHECK(key_err("0x001122334455667788", "is 9 bytes, more than 8"));
}

TEST(aead_algorithms)
{
	char err[160];

	CHECK(aead_check_alg(MOAT_ALG_AES_GCM, err, sizeof(err)) == 0);
	CHECK(aead_check_alg(MOAT_ALG_CHACHAPOLY, err, sizeof(err)) == 0);
	CHECK(aead_check_alg("rfc4106(gcm(aes)) ", err, sizeof(err)) == -1);
	CHECK(aead_check_alg("gcm(aes)", err, sizeof(err)) == -1);
	CHECK(err_is(err, "unknown algorithm \"gcm(aes)\" (known: rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305))"));
	CHECK(aead_check_alg("RFC4106(GCM(AES))", err, sizeof(err)) == -1);
	CHECK(aead_check_alg("", err, sizeof(err)) == -1);
	CHECK(aead_check_alg(NULL, err, sizeof(err)) == -1);
}

TEST(aead_key_lengths)
{
	char err[160];
	size_t len;
	int ok;

	for (len = 0; len <= MOAT_KEY_MAX + 1; len++) {
		ok = aead_check_key(MOAT_ALG_AES_GCM, len, err, sizeof(err)) == 0;
		CHECK(ok == (len == 20 || len == 28 || len == 36));
		ok = aead_check_key(MOAT_ALG_CHACHAPOLY, len, err, sizeof(err)) == 0;
		CHECK(ok == (len == 36));
	}
	aead_check_key(MOAT_ALG_AES_GCM, 16, err, sizeof(err));
	CHECK(err_is(err, "key is 16 bytes; rfc4106(gcm(aes)) takes 20, 28 or 36 (a 16, 24 or 32-byte key, then a 4-byte salt)"));
	aead_check_key(MOAT_ALG_CHACHAPOLY, 32, err, sizeof(err));
	CHECK(err_is(err, "key is 32 bytes; rfc7539esp(chacha20,poly1305) takes 36 (a 32-byte key, then a 4-byte salt)"));
	CHECK(aead_check_key("cbc(aes)", 20, err, sizeof(err)) == -1);
}

TEST(aead_icv_only_128)
{
	uint32_t icv = 0;
	char err[128];

	CHECK(aead_check_icv("128", &icv, err, sizeof(err)) == 0 && icv == 128);
	CHECK(aead_check_icv("0x80", &icv, err, sizeof(err)) == 0);
	CHECK(aead_check_icv("96", &icv, err, sizeof(err)) == -1);
	CHECK(err_is(err, "ICV length 96 bits is not supported (only 128)"));
	CHECK(aead_check_icv("64", &icv, err, sizeof(err)) == -1);
	CHECK(aead_check_icv("16", &icv, err, sizeof(err)) == -1);
	CHECK(aead_check_icv("128bits", &icv, err, sizeof(err)) == -1);
	CHECK(err_is(err, "ICV length \"128bits\" is not a number of bits"));
	CHECK(aead_check_icv(NULL, &icv, err, sizeof(err)) == -1);
}

/* Splits @s at spaces into a scratch argv and parses it as lifetime words. */
static int lt_parse(const char *s, struct moat_lifetime *lt, char *err,
		    size_t errlen)
{
	static char buf[256];
	char *argv[32];
	int argc = 0;
	char *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 32;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	return parse_lifetime(argc, argv, lt, err, errlen);
}

TEST(lifetime_parses_triples)
{
	struct moat_lifetime lt = { .given = 0 };
	char err[128];

	CHECK(lt_parse("soft bytes 1000", &lt, err, sizeof(err)) == 3);
	CHECK(lt.v[LT_SOFT][LT_BYTES] == 1000 && lt.given == 1);
	/* Stops at the first word that is not a limit. */
	CHECK(lt_parse("hard seconds 3600 soft packets 0x10 esn", &lt, err,
		       sizeof(err)) == 6);
	CHECK(lt.v[LT_HARD][LT_SECONDS] == 3600 &&
	      lt.v[LT_SOFT][LT_PACKETS] == 16);
	CHECK(lt.given == (1U | 1U << 1 | 1U << 5));
	/* Another lifetime word adds to what is there. */
	CHECK(lt_parse("hard bytes 18446744073709551615", &lt, err,
		       sizeof(err)) == 3);
	CHECK(lt.v[LT_HARD][LT_BYTES] == UINT64_MAX);
	CHECK(lifetime_check(&lt, err, sizeof(err)) == 0);
}

TEST(lifetime_names_the_problem)
{
	struct moat_lifetime lt = { .given = 0 };
	char err[128];

	CHECK(lt_parse("", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime: expected soft or hard"));
	CHECK(lt_parse("medium bytes 5", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime: expected soft or hard, not \"medium\""));
	CHECK(lt_parse("soft", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime soft: expected bytes, packets or seconds"));
	CHECK(lt_parse("soft minutes 5", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime soft: expected bytes, packets or seconds, not \"minutes\""));
	CHECK(lt_parse("hard bytes", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime hard bytes: missing the number"));
	CHECK(lt_parse("hard bytes 1M", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime hard bytes: \"1M\" is not a number"));
	CHECK(lt_parse("hard bytes -1", &lt, err, sizeof(err)) == -1);
	CHECK(lt_parse("hard bytes 18446744073709551616", &lt, err,
		       sizeof(err)) == -1);
	CHECK(lt_parse("soft bytes 5 soft", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime soft: expected bytes, packets or seconds"));
	lt.given = 0;
	CHECK(lt_parse("soft bytes 5 soft bytes 6", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime soft bytes is given twice"));
	CHECK(lt_parse("hard packets 5", &lt, err, sizeof(err)) == 3);
	CHECK(lt_parse("hard packets 5", &lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime hard packets is given twice"));
}

TEST(lifetime_soft_above_hard)
{
	struct moat_lifetime lt;
	char err[128];
	int k;

	for (k = 0; k < LT_KINDS; k++) {
		memset(&lt, 0, sizeof(lt));
		lt.v[LT_SOFT][k] = 10;
		lt.v[LT_HARD][k] = 10;
		CHECK(lifetime_check(&lt, err, sizeof(err)) == 0);
		lt.v[LT_SOFT][k] = 11;
		CHECK(lifetime_check(&lt, err, sizeof(err)) == -1);
		lt.v[LT_HARD][k] = 0;	/* no hard limit: any soft one goes */
		CHECK(lifetime_check(&lt, err, sizeof(err)) == 0);
	}
	memset(&lt, 0, sizeof(lt));
	lt.v[LT_SOFT][LT_SECONDS] = 3600;
	lt.v[LT_HARD][LT_SECONDS] = 1800;
	lt.v[LT_SOFT][LT_BYTES] = 5;	/* other kinds do not compare */
	lt.v[LT_HARD][LT_PACKETS] = 1;
	CHECK(lifetime_check(&lt, err, sizeof(err)) == -1);
	CHECK(err_is(err, "lifetime soft seconds 3600 is above hard seconds 1800"));
}

TEST(lifetime_attr_mapping)
{
	CHECK(lifetime_attr(LT_SOFT, LT_BYTES) == MOAT_LT_A_SOFT_BYTES);
	CHECK(lifetime_attr(LT_SOFT, LT_PACKETS) == MOAT_LT_A_SOFT_PACKETS);
	CHECK(lifetime_attr(LT_SOFT, LT_SECONDS) == MOAT_LT_A_SOFT_SECONDS);
	CHECK(lifetime_attr(LT_HARD, LT_BYTES) == MOAT_LT_A_HARD_BYTES);
	CHECK(lifetime_attr(LT_HARD, LT_PACKETS) == MOAT_LT_A_HARD_PACKETS);
	CHECK(lifetime_attr(LT_HARD, LT_SECONDS) == MOAT_LT_A_HARD_SECONDS);
}

TEST(errors_fit_small_buffers)
{
	uint8_t key[4];
	char err[8];
	size_t len;
	uint32_t v;

	CHECK(parse_spi("1", &v, err, sizeof(err)) == -1 && strlen(err) == 7);
	CHECK(parse_hex_key("0x1", key, sizeof(key), &len, err, sizeof(err)) == -1);
	CHECK(strlen(err) == 7);
	CHECK(aead_check_alg("x", err, 1) == -1 && err[0] == '\0');
}
