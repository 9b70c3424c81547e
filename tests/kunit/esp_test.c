// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the ESP trailer parser and the inner-header check, on every
 * malformed case, and the trailer writer against the parser.
 */

#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "../esp.h"

/* A payload of @inner bytes of 0xaa, then pad, pad length, next header. */
static unsigned int build(u8 *buf, unsigned int inner, u8 nexthdr)
{
	unsigned int pad = moat_esp_pad_len(inner);

	memset(buf, 0xaa, inner);
	moat_esp_write_trailer(buf + inner, pad, nexthdr);
	return inner + pad + 2;
}

static int parse(const u8 *buf, unsigned int len, u8 *nh)
{
	unsigned int tail = min_t(unsigned int, len, MOAT_ESP_TRAILER_MAX);

	return moat_esp_parse_trailer(buf + len - tail, tail, len, nh);
}

static void round_trip(struct kunit *test)
{
	u8 buf[1600], nh;
	unsigned int inner, len;

	for (inner = 1; inner < 1500; inner++) {
		len = build(buf, inner, MOAT_NEXTHDR_IPV4);
		KUNIT_ASSERT_EQ(test, len % 4, 0U);
		KUNIT_ASSERT_EQ(test, parse(buf, len, &nh), (int)inner);
		KUNIT_ASSERT_EQ(test, nh, MOAT_NEXTHDR_IPV4);
	}
	len = build(buf, 40, MOAT_NEXTHDR_IPV6);
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), 40);
	KUNIT_EXPECT_EQ(test, nh, MOAT_NEXTHDR_IPV6);
}

static void pad_len_aligns(struct kunit *test)
{
	unsigned int n;

	for (n = 0; n < 64; n++) {
		unsigned int pad = moat_esp_pad_len(n);

		KUNIT_EXPECT_LT(test, pad, 4U);
		KUNIT_EXPECT_EQ(test, (n + pad + 2) % 4, 0U);
	}
}

static void too_short(struct kunit *test)
{
	u8 buf[4] = { 0, 4 }, nh;

	KUNIT_EXPECT_EQ(test, moat_esp_parse_trailer(buf, 0, 0, &nh), -EBADMSG);
	KUNIT_EXPECT_EQ(test, moat_esp_parse_trailer(buf, 1, 1, &nh), -EBADMSG);
	/* Two bytes of trailer and nothing inside. */
	KUNIT_EXPECT_EQ(test, parse(buf, 2, &nh), -EBADMSG);
	/* The tail handed in is longer than the payload. */
	KUNIT_EXPECT_EQ(test, moat_esp_parse_trailer(buf, 4, 2, &nh),
			-EBADMSG);
}

static void pad_length_overruns(struct kunit *test)
{
	u8 buf[300], nh;
	unsigned int len = build(buf, 10, MOAT_NEXTHDR_IPV4);

	/* A pad length pointing before the payload's start. */
	buf[len - 2] = len - 1;
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -EBADMSG);
	buf[len - 2] = 255;
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -EBADMSG);
	/* Pad that takes all of the payload leaves nothing inside. */
	memset(buf, 0, sizeof(buf));
	moat_esp_write_trailer(buf, 6, MOAT_NEXTHDR_IPV4);
	KUNIT_EXPECT_EQ(test, parse(buf, 8, &nh), -EBADMSG);
}

static void pad_bytes_wrong(struct kunit *test)
{
	u8 buf[300], nh;
	unsigned int len;
	int i;

	/* 255 pad bytes are legal (RFC 4303 2.4) and must be 1, 2, 3... */
	memset(buf, 0xaa, 20);
	moat_esp_write_trailer(buf + 20, 255, MOAT_NEXTHDR_IPV4);
	len = 20 + 255 + 2;
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), 20);
	for (i = 0; i < 255; i += 50) {
		buf[20 + i] ^= 0x80;
		KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -EBADMSG);
		buf[20 + i] ^= 0x80;
	}
	/* Zero pad bytes (what some stacks send) are not what we write. */
	len = build(buf, 9, MOAT_NEXTHDR_IPV4);
	KUNIT_ASSERT_GT(test, buf[len - 2], 0);
	buf[9] = 0;
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -EBADMSG);
}

static void next_header(struct kunit *test)
{
	u8 buf[64], nh;
	unsigned int len;

	len = build(buf, 20, MOAT_NEXTHDR_NONE);
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -ENODATA);
	len = build(buf, 20, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -EPROTONOSUPPORT);
	len = build(buf, 20, 0);
	KUNIT_EXPECT_EQ(test, parse(buf, len, &nh), -EPROTONOSUPPORT);
}

static void inner_ipv4(struct kunit *test)
{
	u8 buf[64] = {};
	struct iphdr *ip = (struct iphdr *)buf;

	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(40);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 40, MOAT_NEXTHDR_IPV4), 40);
	/* TFC padding after the packet is cut off, not refused. */
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 64, MOAT_NEXTHDR_IPV4), 40);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 39, MOAT_NEXTHDR_IPV4),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 19, MOAT_NEXTHDR_IPV4),
			-EBADMSG);
	ip->ihl = 4;
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 40, MOAT_NEXTHDR_IPV4),
			-EBADMSG);
	ip->ihl = 10;
	ip->tot_len = htons(30);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 40, MOAT_NEXTHDR_IPV4),
			-EBADMSG);
	ip->ihl = 5;
	ip->version = 6;
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 40, MOAT_NEXTHDR_IPV4),
			-EBADMSG);
	/* The trailer said IPv6 but an IPv4 header is inside. */
	ip->version = 4;
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 40, MOAT_NEXTHDR_IPV6),
			-EBADMSG);
}

static void inner_ipv6(struct kunit *test)
{
	u8 buf[128] = {};
	struct ipv6hdr *ip6 = (struct ipv6hdr *)buf;

	ip6->version = 6;
	ip6->payload_len = htons(8);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 48, MOAT_NEXTHDR_IPV6), 48);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 100, MOAT_NEXTHDR_IPV6),
			48);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 47, MOAT_NEXTHDR_IPV6),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 39, MOAT_NEXTHDR_IPV6),
			-EBADMSG);
	ip6->payload_len = 0;
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 40, MOAT_NEXTHDR_IPV6), 40);
	ip6->version = 4;
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 48, MOAT_NEXTHDR_IPV6),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, moat_esp_inner_len(buf, 48, MOAT_NEXTHDR_NONE),
			-EBADMSG);
}

static struct kunit_case moat_esp_cases[] = {
	KUNIT_CASE(round_trip),
	KUNIT_CASE(pad_len_aligns),
	KUNIT_CASE(too_short),
	KUNIT_CASE(pad_length_overruns),
	KUNIT_CASE(pad_bytes_wrong),
	KUNIT_CASE(next_header),
	KUNIT_CASE(inner_ipv4),
	KUNIT_CASE(inner_ipv6),
	{}
};

static struct kunit_suite moat_esp_suite = {
	.name = "moat_esp",
	.test_cases = moat_esp_cases,
};

kunit_test_suite(moat_esp_suite);
