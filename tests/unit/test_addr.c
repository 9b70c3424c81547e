// SPDX-License-Identifier: GPL-2.0
/* Addresses, prefixes and prefix lists as typed on the command line. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "harness.h"

/* parse_prefix on a whole string; "" for the text of an error. */
static int pfx(const char *s, struct moat_prefix *p, int *host)
{
	return parse_prefix(s, strlen(s), p, host);
}

static int pfx_is(const char *s, const char *want, int want_host)
{
	char buf[MOAT_PREFIX_STRLEN];
	struct moat_prefix p;
	int host = -1;

	if (pfx(s, &p, &host) != PREFIX_OK) {
		fprintf(stderr, "    %s: refused\n", s);
		return 0;
	}
	format_prefix(&p, buf, sizeof(buf));
	if (strcmp(buf, want) || host != want_host) {
		fprintf(stderr, "    %s: got %s host %d, want %s host %d\n", s,
			buf, host, want, want_host);
		return 0;
	}
	return 1;
}

TEST(addr_parse_families)
{
	struct moat_addr a;
	char buf[INET6_ADDRSTRLEN];

	CHECK(parse_addr("192.0.2.2", &a) == 0 && a.family == AF_INET);
	CHECK(addr_len(&a) == 4 && addr_bits(&a) == 32);
	CHECK(!strcmp(format_addr(&a, buf, sizeof(buf)), "192.0.2.2"));
	CHECK(parse_addr("2001:db8::1", &a) == 0 && a.family == AF_INET6);
	CHECK(addr_len(&a) == 16 && addr_bits(&a) == 128);
	CHECK(!strcmp(format_addr(&a, buf, sizeof(buf)), "2001:db8::1"));
	CHECK(parse_addr("::", &a) == 0 && a.family == AF_INET6);
	CHECK(parse_addr("::ffff:192.0.2.1", &a) == 0 && a.family == AF_INET6);
}

TEST(addr_parse_rejects)
{
	static const char *const bad[] = {
		"", " 192.0.2.2", "192.0.2.2 ", "192.0.2", "192.0.2.256",
		"192.0.2.2/32", "0x7f.1", "1.2.3.4.5", "2001:db8::1::2",
		"fe80::1%eth0", "[2001:db8::1]", "2001:db8:0:0:0:0:0:0:1",
		"localhost", "-1", "192.0.2.-1",
	};
	struct moat_addr a = { .family = 99 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_addr(bad[i], &a) != -1) {
			fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK(parse_addr(NULL, &a) == -1);
	CHECK(a.family == 99);	/* untouched on failure */
}

TEST(addr_equal_compares_family_and_bytes)
{
	struct moat_addr a, b;

	parse_addr("192.0.2.2", &a);
	parse_addr("192.0.2.2", &b);
	CHECK(addr_equal(&a, &b));
	parse_addr("192.0.2.3", &b);
	CHECK(!addr_equal(&a, &b));
	parse_addr("::ffff:192.0.2.2", &b);
	CHECK(!addr_equal(&a, &b));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK(!addr_equal(&a, &b));	/* no family is no address */
}

TEST(addr_endpoint_problems)
{
	static const struct {
		const char *addr, *why;
	} cases[] = {
		{ "192.0.2.2", NULL },
		{ "127.0.0.1", NULL },
		{ "2001:db8::1", NULL },
		{ "fe80::1", NULL },
		{ "::1", NULL },
		{ "0.0.0.0", "the unspecified address" },
		{ "224.0.0.1", "a multicast address" },
		{ "239.255.255.255", "a multicast address" },
		{ "255.255.255.255", "the broadcast address" },
		{ "::", "the unspecified address" },
		{ "ff02::1", "a multicast address" },
		{ "::ffff:192.0.2.1", "an IPv4-mapped address (write it as IPv4)" },
	};
	struct moat_addr a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why;

		CHECK(parse_addr(cases[i].addr, &a) == 0);
		why = addr_endpoint_problem(&a);
		if (cases[i].why ? !why || strcmp(why, cases[i].why) : !!why) {
			fprintf(stderr, "    %s: got \"%s\"\n", cases[i].addr,
				why ? why : "(none)");
			CHECK(0);
		}
	}
	memset(&a, 0, sizeof(a));
	CHECK(addr_endpoint_problem(&a) != NULL);
}

TEST(addr_from_raw_checks_length)
{
	static const uint8_t raw[16] = { 192, 0, 2, 2 };
	struct moat_addr a;

	CHECK(addr_from_raw(&a, AF_INET, raw, 4) == 0 && a.family == AF_INET);
	CHECK(a.u.b[0] == 192 && a.u.b[3] == 2);
	CHECK(addr_from_raw(&a, AF_INET, raw, 3) == -1 && a.family == 0);
	CHECK(addr_from_raw(&a, AF_INET6, raw, 15) == -1);
	CHECK(addr_from_raw(&a, AF_INET6, raw, 16) == 0);
	CHECK(addr_from_raw(&a, AF_UNIX, raw, 16) == -1);
	CHECK(addr_from_raw(&a, AF_INET, NULL, 4) == -1);
}

TEST(format_unknown_family)
{
	struct moat_addr a = { .family = 0 };
	char buf[INET6_ADDRSTRLEN], tiny[4];

	CHECK(!strcmp(format_addr(&a, buf, sizeof(buf)), "?"));
	parse_addr("2001:db8::1", &a);
	/* Too small a buffer gives "?" rather than a cut address. */
	CHECK(!strcmp(format_addr(&a, tiny, sizeof(tiny)), "?"));
}

TEST(prefix_accepts)
{
	CHECK(pfx_is("10.2.0.0/16", "10.2.0.0/16", 0));
	CHECK(pfx_is("10.2.3.4", "10.2.3.4/32", 0));
	CHECK(pfx_is("0.0.0.0/0", "0.0.0.0/0", 0));
	CHECK(pfx_is("10.2.0.0/032", "10.2.0.0/32", 0));
	CHECK(pfx_is("fd00:2::/64", "fd00:2::/64", 0));
	CHECK(pfx_is("fd00:2::1", "fd00:2::1/128", 0));
	CHECK(pfx_is("::/0", "::/0", 0));
	CHECK(pfx_is("::1/128", "::1/128", 0));
}

TEST(prefix_clears_host_bits)
{
	CHECK(pfx_is("10.2.3.4/16", "10.2.0.0/16", 1));
	CHECK(pfx_is("10.2.3.4/0", "0.0.0.0/0", 1));
	CHECK(pfx_is("10.2.3.255/25", "10.2.3.128/25", 1));
	CHECK(pfx_is("10.2.3.128/25", "10.2.3.128/25", 0));
	CHECK(pfx_is("10.2.3.5/31", "10.2.3.4/31", 1));
	CHECK(pfx_is("255.255.255.255/1", "128.0.0.0/1", 1));
	CHECK(pfx_is("fd00:2::1/64", "fd00:2::/64", 1));
	CHECK(pfx_is("fd00:2:0:0:8000::/65", "fd00:2:0:0:8000::/65", 0));
	CHECK(pfx_is("fd00:2:0:0:c000::/65", "fd00:2:0:0:8000::/65", 1));
	CHECK(pfx_is("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127",
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 1));
}

TEST(prefix_mask_every_length)
{
	struct moat_prefix p;
	unsigned int len, i, ones;

	/* All-ones addresses keep exactly LEN leading one bits. */
	for (len = 0; len <= 128; len++) {
		memset(&p, 0, sizeof(p));
		p.addr.family = AF_INET6;
		memset(p.addr.u.b, 0xff, 16);
		p.len = (uint8_t)len;
		CHECK(prefix_mask(&p) == (len < 128));
		for (i = 0, ones = 0; i < 128; i++)
			ones += (p.addr.u.b[i / 8] >> (7 - i % 8)) & 1;
		CHECK(ones == len);
		CHECK(prefix_mask(&p) == 0);	/* idempotent */
	}
	for (len = 0; len <= 32; len++) {
		memset(&p, 0, sizeof(p));
		p.addr.family = AF_INET;
		memset(p.addr.u.b, 0xff, 16);
		p.len = (uint8_t)len;
		prefix_mask(&p);
		CHECK(ntohl(p.addr.u.v4.s_addr) ==
		      (len ? 0xffffffffU << (32 - len) : 0));
		/* Bytes past an IPv4 address are not its business. */
		CHECK(p.addr.u.b[4] == 0xff);
	}
}

TEST(prefix_rejects)
{
	struct moat_prefix p;

	CHECK(pfx("", &p, NULL) == PREFIX_BAD_ADDR);
	CHECK(pfx("/16", &p, NULL) == PREFIX_BAD_ADDR);
	CHECK(pfx("10.2.0/16", &p, NULL) == PREFIX_BAD_ADDR);
	CHECK(pfx("10.2.0.0 /16", &p, NULL) == PREFIX_BAD_ADDR);
	CHECK(pfx("10.2.0.0/", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/x", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/-1", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/+8", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/ 8", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/8 ", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/0x8", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/8/8", &p, NULL) == PREFIX_BAD_LEN);
	CHECK(pfx("10.2.0.0/33", &p, NULL) == PREFIX_LEN_RANGE);
	CHECK(p.addr.family == AF_INET);	/* named in the complaint */
	CHECK(pfx("10.2.0.0/99999999999999999999", &p, NULL) == PREFIX_LEN_RANGE);
	CHECK(pfx("fd00::/129", &p, NULL) == PREFIX_LEN_RANGE);
	CHECK(p.addr.family == AF_INET6);
	CHECK(pfx("fd00::/128", &p, NULL) == PREFIX_OK);
	/* Longer than any address: refused without overflowing a buffer. */
	CHECK(pfx("1111:1111:1111:1111:1111:1111:1111:1111:1111:1111:1111:1111:1111:1111/8",
		  &p, NULL) == PREFIX_BAD_ADDR);
}

TEST(prefix_reads_only_n_bytes)
{
	struct moat_prefix p;
	char buf[MOAT_PREFIX_STRLEN];

	/* The span ends before the comma; what follows is not read. */
	CHECK(parse_prefix("10.1.0.0/16,junk", 11, &p, NULL) == PREFIX_OK);
	CHECK(!strcmp(format_prefix(&p, buf, sizeof(buf)), "10.1.0.0/16"));
	CHECK(parse_prefix("10.1.0.0/16", 9, &p, NULL) == PREFIX_BAD_LEN);
	/* An embedded NUL does not end the address early. */
	CHECK(parse_prefix("10.1.0.0\0x", 10, &p, NULL) == PREFIX_BAD_ADDR);
}

static int list_is(const char *s, int want_ret, const char *want)
{
	struct moat_prefix out[8];
	char err[160], got[512] = "", buf[MOAT_PREFIX_STRLEN];
	size_t n = 99, i;
	int ret = parse_prefix_list(s, out, 8, &n, err, sizeof(err));

	if (ret < 0) {
		snprintf(got, sizeof(got), "%s", err);
	} else {
		for (i = 0; i < n; i++) {
			strcat(got, i ? "," : "");
			strcat(got, format_prefix(&out[i], buf, sizeof(buf)));
		}
		if (ret)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 " [%s]", err);
	}
	if (ret != want_ret || strcmp(got, want)) {
		fprintf(stderr, "    \"%s\": got %d \"%s\"\n    want %d \"%s\"\n",
			s ? s : "(null)", ret, got, want_ret, want);
		return 0;
	}
	return 1;
}

TEST(prefix_list_accepts)
{
	CHECK(list_is("10.2.0.0/16", 0, "10.2.0.0/16"));
	CHECK(list_is("10.2.0.0/16,fd00:2::/64,192.0.2.7", 0,
		      "10.2.0.0/16,fd00:2::/64,192.0.2.7/32"));
	/* The same address at other lengths is another prefix. */
	CHECK(list_is("10.0.0.0/8,10.0.0.0/16", 0, "10.0.0.0/8,10.0.0.0/16"));
	CHECK(list_is("0.0.0.0/0,::/0", 0, "0.0.0.0/0,::/0"));
	/* Exactly the limit. */
	CHECK(list_is("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,8.0.0.0/8",
		      0, "1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,8.0.0.0/8"));
}

TEST(prefix_list_warns_on_host_bits)
{
	CHECK(list_is("10.2.3.4/16,fd00::1/64", 1,
		      "10.2.0.0/16,fd00::/64 [\"10.2.3.4/16\" has host bits set; using 10.2.0.0/16]"));
	CHECK(list_is("10.2.0.0/16,fd00::1/64", 1,
		      "10.2.0.0/16,fd00::/64 [\"fd00::1/64\" has host bits set; using fd00::/64]"));
}

TEST(prefix_list_names_the_bad_element)
{
	CHECK(list_is("", -1, "no prefixes given"));
	CHECK(list_is(NULL, -1, "no prefixes given"));
	CHECK(list_is(",10.0.0.0/8", -1, "element 1 is empty"));
	CHECK(list_is("10.0.0.0/8,", -1, "element 2 is empty"));
	CHECK(list_is("10.0.0.0/8,,fd00::/8", -1, "element 2 is empty"));
	CHECK(list_is("10.0.0.0/8,10.2.0.0/33", -1,
		      "\"10.2.0.0/33\" has a prefix length above 32"));
	CHECK(list_is("fd00::/129", -1, "\"fd00::/129\" has a prefix length above 128"));
	CHECK(list_is("10.0.0.0/8,10.2.0.300/16,fd00::/8", -1,
		      "\"10.2.0.300/16\" is not an IPv4 or IPv6 prefix"));
	CHECK(list_is("10.0.0.0/x", -1,
		      "\"10.0.0.0/x\" has a prefix length that is not a number"));
	CHECK(list_is("10.0.0.0/8 ,fd00::/8", -1,
		      "\"10.0.0.0/8 \" has a prefix length that is not a number"));
	CHECK(list_is("10.0.0.0/8;fd00::/8", -1,
		      "\"10.0.0.0/8;fd00::/8\" has a prefix length that is not a number"));
	CHECK(list_is("10.0.0.0/8,10.1.2.3/8", -1,
		      "\"10.1.2.3/8\" is given twice (as 10.0.0.0/8)"));
	CHECK(list_is("fd00::/64,FD00:0::/64", -1,
		      "\"FD00:0::/64\" is given twice (as fd00::/64)"));
	CHECK(list_is("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8",
		      -1, "more than 8 prefixes (at \"9.0.0.0/8\")"));
	/* A long element is quoted cut short. */
	CHECK(list_is("10.0.0.0/8,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		      -1, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not an IPv4 or IPv6 prefix"));
}

TEST(prefix_list_full_size)
{
	static struct moat_prefix out[256];
	char s[256 * 16], err[160];
	size_t n, i, off = 0;

	for (i = 0; i < 256; i++)
		off += (size_t)snprintf(s + off, sizeof(s) - off, "%sfd00:%zx::/32",
					i ? "," : "", i);
	CHECK(parse_prefix_list(s, out, 256, &n, err, sizeof(err)) == 0);
	CHECK(n == 256);
	CHECK(out[255].addr.u.b[3] == 0xff && out[255].len == 32);
	snprintf(s + off, sizeof(s) - off, ",10.0.0.0/8");
	CHECK(parse_prefix_list(s, out, 256, &n, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "more than 256 prefixes (at \"10.0.0.0/8\")"));
}
