// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>

#include "harness.h"
#include "parse.h"

TEST(parse_u32_accepts_decimal_and_hex)
{
	uint32_t v = 0;

	CHECK(parse_u32("0", &v) == 0 && v == 0);
	CHECK(parse_u32("4294967295", &v) == 0 && v == UINT32_MAX);
	CHECK(parse_u32("0x1001", &v) == 0 && v == 0x1001);
	CHECK(parse_u32("0XfF", &v) == 0 && v == 255);
	/* A leading zero is decimal, not octal. */
	CHECK(parse_u32("010", &v) == 0 && v == 10);
}

TEST(parse_u32_rejects_junk)
{
	uint32_t v = 7;

	CHECK(parse_u32("", &v) == -1);
	CHECK(parse_u32("4294967296", &v) == -1);
	CHECK(parse_u32("-1", &v) == -1);
	CHECK(parse_u32("+1", &v) == -1);
	CHECK(parse_u32(" 1", &v) == -1);
	CHECK(parse_u32("1 ", &v) == -1);
	CHECK(parse_u32("0x", &v) == -1);
	CHECK(parse_u32("0x-1", &v) == -1);
	CHECK(parse_u32("12abc", &v) == -1);
	CHECK(parse_u32("abc", &v) == -1);
	CHECK(parse_u32(NULL, &v) == -1);
	CHECK(v == 7);
}

TEST(parse_u64_limits)
{
	uint64_t v = 0;

	CHECK(parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX);
	CHECK(parse_u64("18446744073709551616", &v) == -1);
	CHECK(parse_u64("0xffffffffffffffff", &v) == 0 && v == UINT64_MAX);
}

TEST(parse_u32_range_bounds)
{
	uint32_t v = 0;

	CHECK(parse_u32_range("68", 68, 65535, &v) == 0 && v == 68);
	CHECK(parse_u32_range("67", 68, 65535, &v) == -1);
	CHECK(parse_u32_range("65535", 68, 65535, &v) == 0);
	CHECK(parse_u32_range("65536", 68, 65535, &v) == -1);
}

TEST(parse_ifname_rules)
{
	CHECK(parse_ifname("moat0") == 0);
	CHECK(parse_ifname("a23456789012345") == 0);
	CHECK(parse_ifname("a234567890123456") == -1);
	CHECK(parse_ifname("") == -1);
	CHECK(parse_ifname(".") == -1);
	CHECK(parse_ifname("..") == -1);
	CHECK(parse_ifname("a/b") == -1);
	CHECK(parse_ifname("a:b") == -1);
	CHECK(parse_ifname("a b") == -1);
}

TEST(matches_prefixes)
{
	CHECK(matches("s", "show"));
	CHECK(matches("show", "show"));
	CHECK(!matches("shows", "show"));
	CHECK(!matches("", "show"));
	CHECK(!matches("x", "show"));
}
