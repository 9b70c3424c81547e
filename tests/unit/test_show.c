// SPDX-License-Identifier: GPL-2.0
/*
 * peer_print, sa_print and show_stats on replies built here: the exact text
 * and JSON they give, and what they make of replies that are short,
 * malformed or from a newer kernel.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/moat.h>

#include "harness.h"
#include "show.h"

static struct nl_msg *reply(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 1, 0x20, 0, NLM_F_MULTI, cmd,
				MOAT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void put_addr(struct nl_msg *msg, int attr, const char *s)
{
	struct moat_addr a;

	if (parse_addr(s, &a) == 0)
		nla_put(msg, attr, (int)addr_len(&a), a.u.b);
}

struct stat_val {
	int id;
	uint64_t v;
};

static void put_stats(struct nl_msg *msg, int attr, const struct stat_val *v,
		      size_t n)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	size_t i;

	/* The kernel pads u64 counters (nla_put_u64_64bit) now and then. */
	nla_put(msg, MOAT_STAT_PAD, 0, NULL);
	for (i = 0; i < n; i++)
		nla_put_u64(msg, v[i].id, v[i].v);
	nla_nest_end(msg, nest);
}

static void put_ts(struct nl_msg *msg, const char *const *addrs,
		   const int *lens, size_t n)
{
	struct nlattr *list = nla_nest_start(msg, MOAT_PEER_A_TS), *e;
	size_t i;

	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, MOAT_TS_A_ENTRY);
		put_addr(msg, strchr(addrs[i], ':') ? MOAT_TS_A_ADDR6 :
			 MOAT_TS_A_ADDR4, addrs[i]);
		if (lens[i] >= 0)
			nla_put_u8(msg, MOAT_TS_A_PREFIXLEN, (uint8_t)lens[i]);
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, list);
}

struct run {
	int as_json, stats;
	const char *dev;
	const char *filter;
};

/* Feeds @msgs to @fn and compares everything printed with @want. */
static int prints(int (*fn)(struct nl_msg *, void *), struct nl_msg **msgs,
		  size_t n, const struct run *r, const char *want)
{
	struct moat_addr filter;
	struct moat_show s;
	size_t len = 0, i;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	int ok;

	show_init(&s, f, r->as_json, r->stats);
	s.dev = r->dev;
	if (r->filter && parse_addr(r->filter, &filter) == 0)
		s.filter = &filter;
	show_begin(&s);
	for (i = 0; i < n; i++)
		fn(msgs[i], &s);
	show_end(&s);
	fclose(f);
	ok = !strcmp(buf, want);
	if (!ok)
		fprintf(stderr, "    got:\n%s\n    want:\n%s\n", buf, want);
	free(buf);
	return ok;
}

static struct nl_msg *full_peer(void)
{
	static const char *const ts[] = { "10.2.0.0", "fd00:2::" };
	static const int lens[] = { 16, 64 };
	static const struct stat_val st[] = {
		{ MOAT_STAT_RX_PACKETS, 10 }, { MOAT_STAT_RX_BYTES, 1000 },
		{ MOAT_STAT_TX_PACKETS, 12 }, { MOAT_STAT_TX_BYTES, 1200 },
		{ MOAT_STAT_RX_REPLAYED, 3 }, { MOAT_STAT_RX_ICV_FAIL, 1 },
		{ MOAT_STAT_RX_OUTSIDE_WINDOW, 0 }, { MOAT_STAT_TX_NO_SA, 0 },
	};
	struct nl_msg *msg = reply(MOAT_CMD_PEER_GET);
	struct nlattr *nest;

	nla_put_u32(msg, MOAT_A_IFINDEX, 4);
	nla_put_string(msg, MOAT_A_IFNAME, "moat0");
	nest = nla_nest_start(msg, MOAT_A_PEER);
	put_addr(msg, MOAT_PEER_A_REMOTE4, "192.0.2.2");
	nla_put_u8(msg, MOAT_PEER_A_ENCAP, MOAT_ENCAP_UDP);
	nla_put_u16(msg, MOAT_PEER_A_SPORT, 4500);
	nla_put_u16(msg, MOAT_PEER_A_DPORT, 4501);
	put_ts(msg, ts, lens, 2);
	nla_put_u32(msg, MOAT_PEER_A_N_SAS, 2);
	put_stats(msg, MOAT_PEER_A_STATS, st, sizeof(st) / sizeof(st[0]));
	nla_nest_end(msg, nest);
	return msg;
}

TEST(peer_print_text)
{
	struct nl_msg *msg = full_peer();
	struct run r = { 0 };

	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer 192.0.2.2 dev moat0 encap udp sport 4500 dport 4501\n"
		     "    ts 10.2.0.0/16,fd00:2::/64 sas 2\n"));
	r.stats = 1;
	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer 192.0.2.2 dev moat0 encap udp sport 4500 dport 4501\n"
		     "    ts 10.2.0.0/16,fd00:2::/64 sas 2\n"
		     "    RX: packets 10 bytes 1000\n"
		     "    TX: packets 12 bytes 1200\n"
		     "    RX drops: replayed 3 icv-fail 1\n"));
	/* -s -s: every drop counter sent, zero or not. */
	r.stats = 2;
	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer 192.0.2.2 dev moat0 encap udp sport 4500 dport 4501\n"
		     "    ts 10.2.0.0/16,fd00:2::/64 sas 2\n"
		     "    RX: packets 10 bytes 1000\n"
		     "    TX: packets 12 bytes 1200\n"
		     "    RX drops: replayed 3 outside-window 0 icv-fail 1\n"
		     "    TX drops: no-sa 0\n"));
	nlmsg_free(msg);
}

TEST(peer_print_json)
{
	struct nl_msg *msg = full_peer();
	struct run r = { .as_json = 1 };

	CHECK(prints(peer_print, &msg, 1, &r,
		     "[{\"remote\":\"192.0.2.2\",\"ifname\":\"moat0\",\"ifindex\":4,"
		     "\"encap\":\"udp\",\"sport\":4500,\"dport\":4501,"
		     "\"ts\":[\"10.2.0.0/16\",\"fd00:2::/64\"],\"sas\":2}]\n"));
	r.stats = 1;
	CHECK(prints(peer_print, &msg, 1, &r,
		     "[{\"remote\":\"192.0.2.2\",\"ifname\":\"moat0\",\"ifindex\":4,"
		     "\"encap\":\"udp\",\"sport\":4500,\"dport\":4501,"
		     "\"ts\":[\"10.2.0.0/16\",\"fd00:2::/64\"],\"sas\":2,"
		     "\"stats\":{\"rx_packets\":10,\"rx_bytes\":1000,"
		     "\"tx_packets\":12,\"tx_bytes\":1200,\"rx_replayed\":3,"
		     "\"rx_outside_window\":0,\"rx_icv_fail\":1,\"tx_no_sa\":0}}]\n"));
	nlmsg_free(msg);
}

TEST(peer_print_sparse_ipv6)
{
	struct nl_msg *msg = reply(MOAT_CMD_PEER_GET);
	struct nlattr *nest;
	struct run r = { .dev = "moat7" };

	/* No IFNAME: the device asked for is named. No encap: raw ESP. */
	nest = nla_nest_start(msg, MOAT_A_PEER);
	put_addr(msg, MOAT_PEER_A_REMOTE6, "2001:db8::2");
	put_addr(msg, MOAT_PEER_A_LOCAL6, "2001:db8::1");
	nla_nest_end(msg, nest);
	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer 2001:db8::2 local 2001:db8::1 dev moat7 encap none\n"
		     "    ts none\n"));
	r.stats = 1;	/* no counters sent: no counter lines */
	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer 2001:db8::2 local 2001:db8::1 dev moat7 encap none\n"
		     "    ts none\n"));
	r.as_json = 1;
	CHECK(prints(peer_print, &msg, 1, &r,
		     "[{\"remote\":\"2001:db8::2\",\"local\":\"2001:db8::1\","
		     "\"ifname\":\"moat7\",\"encap\":\"none\",\"ts\":[]}]\n"));
	nlmsg_free(msg);
}

static struct nl_msg *peer_with_remote(const char *remote)
{
	struct nl_msg *msg = reply(MOAT_CMD_PEER_GET);
	struct nlattr *nest;

	nla_put_string(msg, MOAT_A_IFNAME, "moat0");
	nest = nla_nest_start(msg, MOAT_A_PEER);
	put_addr(msg, strchr(remote, ':') ? MOAT_PEER_A_REMOTE6 :
		 MOAT_PEER_A_REMOTE4, remote);
	nla_nest_end(msg, nest);
	return msg;
}

TEST(peer_print_filters_by_remote)
{
	struct nl_msg *msgs[3] = {
		peer_with_remote("192.0.2.2"),
		peer_with_remote("192.0.2.3"),
		peer_with_remote("2001:db8::2"),
	};
	struct run r = { .filter = "192.0.2.3" };

	CHECK(prints(peer_print, msgs, 3, &r,
		     "peer 192.0.2.3 dev moat0 encap none\n    ts none\n"));
	r.filter = "2001:db8:0::2";
	CHECK(prints(peer_print, msgs, 3, &r,
		     "peer 2001:db8::2 dev moat0 encap none\n    ts none\n"));
	r.filter = "192.0.2.9";
	r.as_json = 1;
	CHECK(prints(peer_print, msgs, 3, &r, "[]\n"));
	r.filter = NULL;
	CHECK(prints(peer_print, msgs, 3, &r,
		     "[{\"remote\":\"192.0.2.2\",\"ifname\":\"moat0\",\"encap\":\"none\",\"ts\":[]},"
		     "{\"remote\":\"192.0.2.3\",\"ifname\":\"moat0\",\"encap\":\"none\",\"ts\":[]},"
		     "{\"remote\":\"2001:db8::2\",\"ifname\":\"moat0\",\"encap\":\"none\",\"ts\":[]}]\n"));
	nlmsg_free(msgs[0]);
	nlmsg_free(msgs[1]);
	nlmsg_free(msgs[2]);
}

TEST(peer_print_malformed)
{
	static const char *const ts[] = { "10.0.0.0", "10.1.0.0", "fd00::" };
	static const int lens[] = { 8, -1, 200 };
	struct nl_msg *msg = reply(MOAT_CMD_PEER_GET), *none;
	struct nlattr *nest, *list, *e;
	struct run r = { .stats = 1 };
	uint8_t three[3] = { 1, 2, 3 };

	nla_put_string(msg, MOAT_A_IFNAME, "");	/* empty: not a name */
	nest = nla_nest_start(msg, MOAT_A_PEER);
	nla_put(msg, MOAT_PEER_A_REMOTE4, 3, three);	/* too short */
	nla_put(msg, MOAT_PEER_A_LOCAL6, 3, three);
	nla_put_u8(msg, MOAT_PEER_A_ENCAP, 7);		/* from the future */
	nla_put_u8(msg, MOAT_PEER_A_SPORT, 1);		/* too short for u16 */
	nla_put(msg, MOAT_PEER_A_N_SAS, 2, three);
	put_ts(msg, ts, lens, 3);
	/* An entry with a short address, and a stray attribute in the list. */
	list = nla_nest_start(msg, MOAT_PEER_A_TS);
	e = nla_nest_start(msg, MOAT_TS_A_ENTRY);
	nla_put(msg, MOAT_TS_A_ADDR6, 3, three);
	nla_nest_end(msg, e);
	nla_put_u32(msg, MOAT_TS_A_PREFIXLEN, 5);
	nla_nest_end(msg, list);
	/* Counters as u32 and a counter this tool does not know. */
	list = nla_nest_start(msg, MOAT_PEER_A_STATS);
	nla_put_u32(msg, MOAT_STAT_RX_PACKETS, 5);
	nla_put_u64(msg, MOAT_STAT_MAX + 1, 99);
	nla_nest_end(msg, list);
	nla_put_u32(msg, MOAT_PEER_A_MAX + 1, 1);
	nla_nest_end(msg, nest);
	nla_put_u32(msg, MOAT_A_MAX + 1, 1);
	/* The second MOAT_PEER_A_TS wins, as in nla_parse. */
	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer ? dev ? encap unknown(7)\n"
		     "    ts ?\n"
		     "    RX: packets 0 bytes 0\n"
		     "    TX: packets 0 bytes 0\n"));
	r.as_json = 1;
	CHECK(prints(peer_print, &msg, 1, &r,
		     "[{\"ifname\":\"?\",\"encap\":\"unknown(7)\",\"ts\":[\"?\"],"
		     "\"stats\":{}}]\n"));
	nlmsg_free(msg);

	/* No MOAT_A_PEER at all: skipped, nothing printed. */
	none = reply(MOAT_CMD_PEER_GET);
	nla_put_string(none, MOAT_A_IFNAME, "moat0");
	r.as_json = 0;
	CHECK(prints(peer_print, &none, 1, &r, ""));
	nlmsg_free(none);
}

TEST(peer_print_ts_lengths_as_sent)
{
	static const char *const ts[] = { "10.0.0.0", "10.1.0.0", "fd00::" };
	static const int lens[] = { 8, -1, 200 };
	struct nl_msg *msg = reply(MOAT_CMD_PEER_GET);
	struct nlattr *nest;
	struct run r = { 0 };

	nla_put_string(msg, MOAT_A_IFNAME, "moat0");
	nest = nla_nest_start(msg, MOAT_A_PEER);
	put_addr(msg, MOAT_PEER_A_REMOTE4, "192.0.2.2");
	put_ts(msg, ts, lens, 3);
	nla_nest_end(msg, nest);
	/* No length: a host prefix. A wrong one is shown, not hidden. */
	CHECK(prints(peer_print, &msg, 1, &r,
		     "peer 192.0.2.2 dev moat0 encap none\n"
		     "    ts 10.0.0.0/8,10.1.0.0/32,fd00::/200\n"));
	nlmsg_free(msg);
}

static struct nl_msg *full_sa(uint8_t dir)
{
	static const struct stat_val st[] = {
		{ MOAT_STAT_TX_PACKETS, 10 }, { MOAT_STAT_TX_BYTES, 1000 },
		{ MOAT_STAT_TX_NO_ROUTE, 2 }, { MOAT_STAT_TX_ERROR, 0 },
		{ MOAT_STAT_RX_PACKETS, 0 }, { MOAT_STAT_RX_REPLAYED, 5 },
	};
	struct nl_msg *msg = reply(MOAT_CMD_SA_GET);
	struct nlattr *nest, *lt;

	nla_put_u32(msg, MOAT_A_IFINDEX, 4);
	nla_put_string(msg, MOAT_A_IFNAME, "moat0");
	nest = nla_nest_start(msg, MOAT_A_PEER);
	put_addr(msg, MOAT_PEER_A_REMOTE4, "192.0.2.2");
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, MOAT_A_SA);
	nla_put_u32(msg, MOAT_SA_A_SPI, 0x1001);
	nla_put_u8(msg, MOAT_SA_A_DIR, dir);
	nla_put_string(msg, MOAT_SA_A_ALG, MOAT_ALG_AES_GCM);
	nla_put_u32(msg, MOAT_SA_A_ICV_BITS, 128);
	nla_put_u32(msg, MOAT_SA_A_FLAGS, MOAT_SA_F_ESN);
	if (dir == MOAT_DIR_IN)
		nla_put_u32(msg, MOAT_SA_A_REPLAY_WINDOW, 32768);
	nla_put_u8(msg, MOAT_SA_A_STATE, dir == MOAT_DIR_IN ?
		   MOAT_SA_STATE_INBOUND : MOAT_SA_STATE_CURRENT);
	nla_put(msg, MOAT_SA_A_PAD, 0, NULL);
	nla_put_u64(msg, MOAT_SA_A_SEQ, 1234);
	nla_put_u64(msg, MOAT_SA_A_AGE, 12);
	lt = nla_nest_start(msg, MOAT_SA_A_LIFETIME);
	nla_put(msg, MOAT_LT_A_PAD, 0, NULL);
	nla_put_u64(msg, MOAT_LT_A_SOFT_BYTES, 1000000);
	nla_put_u64(msg, MOAT_LT_A_SOFT_PACKETS, 0);
	nla_put_u64(msg, MOAT_LT_A_HARD_SECONDS, 3600);
	nla_nest_end(msg, lt);
	put_stats(msg, MOAT_SA_A_STATS, st, sizeof(st) / sizeof(st[0]));
	nla_nest_end(msg, nest);
	return msg;
}

TEST(sa_print_text)
{
	struct nl_msg *msg = full_sa(MOAT_DIR_OUT);
	struct run r = { 0 };

	CHECK(prints(sa_print, &msg, 1, &r,
		     "sa spi 0x00001001 dir out peer 192.0.2.2 dev moat0 state current\n"
		     "    aead rfc4106(gcm(aes)) 128 esn seq 1234 age 12s\n"
		     "    lifetime soft bytes 1000000 hard seconds 3600\n"));
	/* An outbound SA shows its TX counters only. */
	r.stats = 1;
	CHECK(prints(sa_print, &msg, 1, &r,
		     "sa spi 0x00001001 dir out peer 192.0.2.2 dev moat0 state current\n"
		     "    aead rfc4106(gcm(aes)) 128 esn seq 1234 age 12s\n"
		     "    lifetime soft bytes 1000000 hard seconds 3600\n"
		     "    TX: packets 10 bytes 1000\n"
		     "    TX drops: no-route 2\n"));
	r.stats = 2;
	CHECK(prints(sa_print, &msg, 1, &r,
		     "sa spi 0x00001001 dir out peer 192.0.2.2 dev moat0 state current\n"
		     "    aead rfc4106(gcm(aes)) 128 esn seq 1234 age 12s\n"
		     "    lifetime soft bytes 1000000 hard seconds 3600\n"
		     "    TX: packets 10 bytes 1000\n"
		     "    TX drops: no-route 2 error 0\n"));
	nlmsg_free(msg);

	msg = full_sa(MOAT_DIR_IN);
	r.stats = 1;
	CHECK(prints(sa_print, &msg, 1, &r,
		     "sa spi 0x00001001 dir in peer 192.0.2.2 dev moat0 state inbound\n"
		     "    aead rfc4106(gcm(aes)) 128 esn replay-window 32768 seq 1234 age 12s\n"
		     "    lifetime soft bytes 1000000 hard seconds 3600\n"
		     "    RX: packets 0 bytes 0\n"
		     "    RX drops: replayed 5\n"));
	nlmsg_free(msg);
}

TEST(sa_print_json)
{
	struct nl_msg *msg = full_sa(MOAT_DIR_IN);
	struct run r = { .as_json = 1, .stats = 1 };

	CHECK(prints(sa_print, &msg, 1, &r,
		     "[{\"spi\":4097,\"spi_hex\":\"0x00001001\",\"dir\":\"in\","
		     "\"peer\":\"192.0.2.2\",\"ifname\":\"moat0\",\"ifindex\":4,"
		     "\"state\":\"inbound\",\"alg\":\"rfc4106(gcm(aes))\","
		     "\"icv_bits\":128,\"flags\":1,\"esn\":true,"
		     "\"replay_window\":32768,\"seq\":1234,\"age\":12,"
		     "\"lifetime\":{\"soft_bytes\":1000000,\"soft_packets\":0,"
		     "\"soft_seconds\":0,\"hard_bytes\":0,\"hard_packets\":0,"
		     "\"hard_seconds\":3600},"
		     "\"stats\":{\"rx_packets\":0,\"tx_packets\":10,"
		     "\"tx_bytes\":1000,\"rx_replayed\":5,\"tx_no_route\":2,"
		     "\"tx_error\":0}}]\n"));
	nlmsg_free(msg);
}

TEST(sa_print_sparse_and_unknown)
{
	struct nl_msg *msg = reply(MOAT_CMD_SA_GET);
	struct nlattr *nest;
	struct run r = { .dev = "moat1" };

	nest = nla_nest_start(msg, MOAT_A_SA);
	nla_put_u32(msg, MOAT_SA_A_SPI, 0xfedcba98);
	nla_put_u8(msg, MOAT_SA_A_DIR, 9);
	nla_put_u8(msg, MOAT_SA_A_STATE, 0);
	nla_put_u32(msg, MOAT_SA_A_FLAGS, 0x6);
	nla_put_u32(msg, MOAT_SA_A_REPLAY_WINDOW, 0);
	nla_nest_end(msg, nest);
	CHECK(prints(sa_print, &msg, 1, &r,
		     "sa spi 0xfedcba98 dir unknown(9) peer ? dev moat1 state unknown(0)\n"
		     "    flags 0x6 replay-window 0\n"));
	r.as_json = 1;
	CHECK(prints(sa_print, &msg, 1, &r,
		     "[{\"spi\":4275878552,\"spi_hex\":\"0xfedcba98\","
		     "\"dir\":\"unknown(9)\",\"ifname\":\"moat1\","
		     "\"state\":\"unknown(0)\",\"flags\":6,\"esn\":false,"
		     "\"replay_window\":0,\"lifetime\":{\"soft_bytes\":0,"
		     "\"soft_packets\":0,\"soft_seconds\":0,\"hard_bytes\":0,"
		     "\"hard_packets\":0,\"hard_seconds\":0}}]\n"));
	nlmsg_free(msg);
}

TEST(sa_print_filters_and_skips)
{
	struct nl_msg *msgs[3];
	struct nlattr *nest;
	struct run r = { .filter = "192.0.2.2" };
	char alg[100];

	msgs[0] = full_sa(MOAT_DIR_OUT);
	/* A reply without MOAT_A_SA is no SA. */
	msgs[1] = reply(MOAT_CMD_SA_GET);
	nla_put_string(msgs[1], MOAT_A_IFNAME, "moat0");
	/* An SA of no known peer is left out by a peer filter. */
	msgs[2] = reply(MOAT_CMD_SA_GET);
	nest = nla_nest_start(msgs[2], MOAT_A_SA);
	/* An algorithm name longer than any: cut, not overrun. */
	memset(alg, 'a', sizeof(alg));
	nla_put(msgs[2], MOAT_SA_A_ALG, sizeof(alg), alg);
	nla_put_u32(msgs[2], MOAT_SA_A_SPI, 0x2002);
	nla_nest_end(msgs[2], nest);
	CHECK(prints(sa_print, msgs, 3, &r,
		     "sa spi 0x00001001 dir out peer 192.0.2.2 dev moat0 state current\n"
		     "    aead rfc4106(gcm(aes)) 128 esn seq 1234 age 12s\n"
		     "    lifetime soft bytes 1000000 hard seconds 3600\n"));
	r.filter = NULL;
	r.as_json = 1;
	CHECK(prints(sa_print, msgs + 2, 1, &r,
		     "[{\"spi\":8194,\"spi_hex\":\"0x00002002\",\"ifname\":\"?\","
		     "\"alg\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		     "\"flags\":0,\"esn\":false,\"lifetime\":{\"soft_bytes\":0,"
		     "\"soft_packets\":0,\"soft_seconds\":0,\"hard_bytes\":0,"
		     "\"hard_packets\":0,\"hard_seconds\":0}}]\n"));
	nlmsg_free(msgs[0]);
	nlmsg_free(msgs[1]);
	nlmsg_free(msgs[2]);
}

/* show_stats as moat link show uses it: the old lines and keys kept. */
static int link_stats(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *lk[MOAT_LINK_A_MAX + 1];
	struct moat_show *s = arg;

	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    moat_nla_nested(tb[MOAT_A_LINK], lk, MOAT_LINK_A_MAX))
		return NL_SKIP;
	if (s->as_json)
		json_open_object(&s->json, NULL);
	show_stats(s, lk[MOAT_LINK_A_STATS], STAT_RX | STAT_TX, 1);
	if (s->as_json)
		json_close_object(&s->json);
	return NL_OK;
}

TEST(link_stats_keep_their_format)
{
	static const struct stat_val quiet[] = {
		{ MOAT_STAT_RX_PACKETS, 5 }, { MOAT_STAT_RX_BYTES, 500 },
		{ MOAT_STAT_TX_PACKETS, 700 }, { MOAT_STAT_TX_BYTES, 18446744073709551615ULL },
		{ MOAT_STAT_RX_UNKNOWN_SPI, 0 },
	};
	static const struct stat_val noisy[] = {
		{ MOAT_STAT_RX_UNKNOWN_SPI, 4 }, { MOAT_STAT_TX_NO_PEER, 6 },
		{ MOAT_STAT_TX_BAD_INNER, 1 },
	};
	struct nl_msg *msg = reply(MOAT_CMD_LINK_GET);
	struct nlattr *nest = nla_nest_start(msg, MOAT_A_LINK);
	struct run r = { .stats = 1 };

	put_stats(msg, MOAT_LINK_A_STATS, quiet, sizeof(quiet) / sizeof(quiet[0]));
	nla_nest_end(msg, nest);
	CHECK(prints(link_stats, &msg, 1, &r,
		     "    RX: packets 5 bytes 500\n"
		     "    TX: packets 700 bytes 18446744073709551615\n"));
	r.as_json = 1;
	CHECK(prints(link_stats, &msg, 1, &r,
		     "[{\"stats\":{\"rx\":{\"packets\":5,\"bytes\":500},"
		     "\"tx\":{\"packets\":700,\"bytes\":18446744073709551615},"
		     "\"rx_packets\":5,\"rx_bytes\":500,\"tx_packets\":700,"
		     "\"tx_bytes\":18446744073709551615,\"rx_unknown_spi\":0}}]\n"));
	nlmsg_free(msg);

	msg = reply(MOAT_CMD_LINK_GET);
	nest = nla_nest_start(msg, MOAT_A_LINK);
	put_stats(msg, MOAT_LINK_A_STATS, noisy, sizeof(noisy) / sizeof(noisy[0]));
	nla_nest_end(msg, nest);
	r.as_json = 0;
	CHECK(prints(link_stats, &msg, 1, &r,
		     "    RX: packets 0 bytes 0\n"
		     "    TX: packets 0 bytes 0\n"
		     "    RX drops: unknown-spi 4\n"
		     "    TX drops: no-peer 6 bad-inner 1\n"));
	nlmsg_free(msg);
}

TEST(stat_names_cover_every_counter)
{
	int i, j;

	CHECK(!moat_stat_names[MOAT_STAT_UNSPEC].json);
	CHECK(!moat_stat_names[MOAT_STAT_PAD].json);
	for (i = MOAT_STAT_RX_PACKETS; i <= MOAT_STAT_MAX; i++) {
		const struct moat_stat_name *n = &moat_stat_names[i];
		int totals = i == MOAT_STAT_RX_PACKETS || i == MOAT_STAT_RX_BYTES ||
			     i == MOAT_STAT_TX_PACKETS || i == MOAT_STAT_TX_BYTES;

		if (!n->json || !n->text) {
			fprintf(stderr, "    counter %d has no name\n", i);
			CHECK(0);
			continue;
		}
		if (n->dir == STAT_PMTU) {
			/* Path MTU events are neither traffic nor drops. */
			CHECK(!strncmp(n->json, "ptb_", 4) ||
			      !strncmp(n->json, "tx_", 3));
			CHECK(!n->drop);
		} else {
			CHECK(!strncmp(n->json, n->dir == STAT_RX ? "rx_" : "tx_",
				       3));
			CHECK(n->dir == STAT_RX || n->dir == STAT_TX);
			CHECK(n->drop == !totals);
		}
		CHECK(!strchr(n->json, '-') && !strchr(n->text, '_') &&
		      !strchr(n->text, ' '));
		for (j = MOAT_STAT_RX_PACKETS; j < i; j++) {
			if (!moat_stat_names[j].json)
				continue;
			CHECK(strcmp(moat_stat_names[j].json, n->json));
			if (moat_stat_names[j].dir == n->dir)
				CHECK(strcmp(moat_stat_names[j].text, n->text));
		}
	}
	CHECK(!strcmp(moat_stat_names[MOAT_STAT_RX_ICV_FAIL].json, "rx_icv_fail"));
	CHECK(!strcmp(moat_stat_names[MOAT_STAT_RX_OUTSIDE_WINDOW].text,
		      "outside-window"));
}
