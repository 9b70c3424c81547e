// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the path MTU arithmetic and the PTB verdict. Every inner MTU is
 * checked by building the ESP packet it allows and measuring it.
 */

#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "../crypto.h"
#include "../esp.h"
#include "../pmtu.h"

/* The size of the outer packet an inner one of @inner bytes becomes. */
static unsigned int outer_len(unsigned int inner, u8 family, bool udp)
{
	return (family == AF_INET ? sizeof(struct iphdr) :
		sizeof(struct ipv6hdr)) +
	       (udp ? sizeof(struct udphdr) : 0) + MOAT_ESP_HDR_LEN +
	       MOAT_ESP_IV_LEN + inner + moat_esp_pad_len(inner) +
	       MOAT_ESP_TRAILER_LEN + MOAT_ESP_ICV_LEN;
}

/*
 * Both AEADs (AES-GCM, ChaCha20-Poly1305) have an 8-byte IV, a 16-byte
 * ICV and 4-byte alignment, so one overhead covers them; every outer MTU,
 * family and framing is tried.
 */
static void inner_fit_is_the_largest_that_fits(struct kunit *test)
{
	static const u8 families[] = { AF_INET, AF_INET6 };
	unsigned int mtu, fit;
	int f, udp;

	for (f = 0; f < 2; f++) {
		for (udp = 0; udp < 2; udp++) {
			for (mtu = 68; mtu <= 9000; mtu++) {
				fit = moat_inner_fit(mtu, families[f], udp);
				if (!fit)
					continue;
				KUNIT_ASSERT_LE(test, outer_len(fit, families[f],
								udp), mtu);
				KUNIT_ASSERT_GT(test,
						outer_len(fit + 1, families[f],
							  udp), mtu);
			}
		}
	}
}

static void inner_fit_known_values(struct kunit *test)
{
	/* 1500 - 20 - 8 - 8 - 16 = 1448, aligned 1448, minus 2 */
	KUNIT_EXPECT_EQ(test, moat_inner_fit(1500, AF_INET, false), 1446U);
	/* with UDP: 1440 - 2 */
	KUNIT_EXPECT_EQ(test, moat_inner_fit(1500, AF_INET, true), 1438U);
	/* IPv6 outside, UDP: 1500 - 40 - 8 - 32 = 1420 - 2 */
	KUNIT_EXPECT_EQ(test, moat_inner_fit(1500, AF_INET6, true), 1418U);
	/* Nothing fits in a tiny path. */
	KUNIT_EXPECT_EQ(test, moat_inner_fit(68, AF_INET6, true), 0U);
	KUNIT_EXPECT_EQ(test, moat_inner_fit(0, AF_INET, false), 0U);
}

static void inner_mtu_respects_floor_and_device(struct kunit *test)
{
	/* The path allows more than the device: the device wins. */
	KUNIT_EXPECT_EQ(test, moat_inner_mtu(1446, 1412, 576), 1412U);
	/* A smaller path lowers it. */
	KUNIT_EXPECT_EQ(test, moat_inner_mtu(1226, 1412, 576), 1226U);
	/* Never below the floor: IPv6 1280, IPv4 its setting. */
	KUNIT_EXPECT_EQ(test, moat_inner_mtu(1226, 1412, MOAT_FLOOR6), 1280U);
	KUNIT_EXPECT_EQ(test, moat_inner_mtu(0, 1412, 576), 576U);
	KUNIT_EXPECT_EQ(test, moat_inner_mtu(10, 1412, 68), 68U);
}

static void ptb_verdicts(struct kunit *test)
{
	/* Quoting the last packet, or one a little older: accepted. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(1000, 1000, true, 1300, 1280),
			MOAT_PTB_ACCEPT);
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(1000, 1, true, 1300, 1280),
			MOAT_PTB_ACCEPT);
	/* Below the floor: valid but clamped. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(1000, 990, true, 500, 1280),
			MOAT_PTB_CLAMP);
	/* A packet not sent yet. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(1000, 1001, true, 1300, 1280),
			MOAT_PTB_REJECT);
	/* Sequence number 0 is never sent. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(1000, 0, true, 1300, 1280),
			MOAT_PTB_REJECT);
	/* Too old: more than the window behind. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(200000,
					     200000 - MOAT_PTB_SEQ_WINDOW,
					     true, 1300, 1280),
			MOAT_PTB_REJECT);
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(200000,
					     200001 - MOAT_PTB_SEQ_WINDOW,
					     true, 1300, 1280),
			MOAT_PTB_ACCEPT);
	/* From a source off the path. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(1000, 999, false, 1300, 1280),
			MOAT_PTB_REJECT);
	/* Nothing sent at all. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(0, 1, true, 1300, 1280),
			MOAT_PTB_REJECT);
}

static void ptb_verdicts_across_esn_wrap(struct kunit *test)
{
	u64 sent = (1ULL << 32) + 5;

	/* Low halves just before the wrap are recent packets. */
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(sent, 0xfffffff0, true, 1300,
					     1280), MOAT_PTB_ACCEPT);
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(sent, 5, true, 1300, 1280),
			MOAT_PTB_ACCEPT);
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(sent, 6, true, 1300, 1280),
			MOAT_PTB_REJECT);
	KUNIT_EXPECT_EQ(test, moat_ptb_judge(sent, 0x7fffffff, true, 1300,
					     1280), MOAT_PTB_REJECT);
}

static struct kunit_case moat_pmtu_cases[] = {
	KUNIT_CASE(inner_fit_is_the_largest_that_fits),
	KUNIT_CASE(inner_fit_known_values),
	KUNIT_CASE(inner_mtu_respects_floor_and_device),
	KUNIT_CASE(ptb_verdicts),
	KUNIT_CASE(ptb_verdicts_across_esn_wrap),
	{}
};

static struct kunit_suite moat_pmtu_suite = {
	.name = "moat_pmtu",
	.test_cases = moat_pmtu_cases,
};

kunit_test_suite(moat_pmtu_suite);
