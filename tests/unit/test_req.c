// SPDX-License-Identifier: GPL-2.0
/*
 * The peer and SA requests, taken apart again: every attribute the
 * contract in include/uapi/linux/moat.h asks for, of the right type and
 * length, and nothing that was not given.
 */
#include <string.h>
#include <sys/socket.h>

#include <linux/moat.h>

#include "harness.h"
#include "moatnl.h"
#include "req.h"

static struct nl_msg *request(uint8_t cmd, size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd, MOAT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int is_bytes(const struct nlattr *a, const void *want, int len)
{
	return a && nla_len(a) == len && !memcmp(nla_data(a), want, len);
}

/* Counts the attributes directly inside @nest. */
static int count_attrs(const struct nlattr *nest)
{
	const struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, nest, rem)
		n++;
	return n;
}

TEST(req_peer_remote_only)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	struct nl_msg *msg = request(MOAT_CMD_PEER_DEL, 0);
	struct moat_addr a;

	parse_addr("2001:db8::2", &a);
	CHECK(msg && req_put_peer_remote(msg, &a) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_PEER], pa, MOAT_PEER_A_MAX) == 0);
	CHECK(is_bytes(pa[MOAT_PEER_A_REMOTE6], a.u.b, 16));
	CHECK(!pa[MOAT_PEER_A_REMOTE4]);
	CHECK(count_attrs(tb[MOAT_A_PEER]) == 1);
	CHECK(!tb[MOAT_A_SA]);
	nlmsg_free(msg);
}

TEST(req_peer_new_udp_and_mixed_ts)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	struct nlattr *et[MOAT_TS_A_MAX + 1], *e;
	struct moat_prefix ts[3];
	struct moat_peer_req r = {
		.encap = MOAT_ENCAP_UDP, .sport = 4500, .dport = 14500,
		.ts = ts, .n_ts = 3,
	};
	struct nl_msg *msg = request(MOAT_CMD_PEER_NEW, 0);
	char err[64];
	size_t n;
	int rem, i = 0;
	uint16_t port;
	uint8_t u8;

	parse_addr("192.0.2.2", &r.remote);
	parse_addr("192.0.2.1", &r.local);
	CHECK(parse_prefix_list("10.2.0.0/16,fd00:2::/64,192.0.2.9", ts, 3, &n,
				err, sizeof(err)) == 0 && n == 3);
	CHECK(msg && req_put_peer(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_PEER], pa, MOAT_PEER_A_MAX) == 0);
	CHECK(is_bytes(pa[MOAT_PEER_A_REMOTE4], r.remote.u.b, 4));
	CHECK(is_bytes(pa[MOAT_PEER_A_LOCAL4], r.local.u.b, 4));
	CHECK(!pa[MOAT_PEER_A_REMOTE6] && !pa[MOAT_PEER_A_LOCAL6]);
	CHECK(moat_nla_u8(pa[MOAT_PEER_A_ENCAP], &u8) == 0 &&
	      u8 == MOAT_ENCAP_UDP && nla_len(pa[MOAT_PEER_A_ENCAP]) == 1);
	/* u16 in host order. */
	CHECK(pa[MOAT_PEER_A_SPORT] && nla_len(pa[MOAT_PEER_A_SPORT]) == 2);
	memcpy(&port, nla_data(pa[MOAT_PEER_A_SPORT]), 2);
	CHECK(port == 4500);
	memcpy(&port, nla_data(pa[MOAT_PEER_A_DPORT]), 2);
	CHECK(port == 14500);
	CHECK(pa[MOAT_PEER_A_TS] && count_attrs(pa[MOAT_PEER_A_TS]) == 3);
	nla_for_each_nested(e, pa[MOAT_PEER_A_TS], rem) {
		CHECK(nla_type(e) == MOAT_TS_A_ENTRY);
		CHECK(moat_nla_nested(e, et, MOAT_TS_A_MAX) == 0);
		CHECK(count_attrs(e) == 2);
		CHECK(moat_nla_u8(et[MOAT_TS_A_PREFIXLEN], &u8) == 0 &&
		      u8 == ts[i].len);
		if (ts[i].addr.family == AF_INET)
			CHECK(is_bytes(et[MOAT_TS_A_ADDR4], ts[i].addr.u.b, 4));
		else
			CHECK(is_bytes(et[MOAT_TS_A_ADDR6], ts[i].addr.u.b, 16));
		i++;
	}
	CHECK(i == 3);
	CHECK(!pa[MOAT_PEER_A_N_SAS] && !pa[MOAT_PEER_A_STATS]);
	nlmsg_free(msg);
}

TEST(req_peer_new_plain_esp_has_no_ports)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	struct moat_prefix ts[1];
	struct moat_peer_req r = {
		.encap = MOAT_ENCAP_NONE, .sport = 4500, .dport = 4500,
		.ts = ts, .n_ts = 1,
	};
	struct nl_msg *msg = request(MOAT_CMD_PEER_NEW, 0);
	uint8_t u8 = 9;

	parse_addr("2001:db8::2", &r.remote);
	parse_prefix("::/0", 4, &ts[0], NULL);
	CHECK(msg && req_put_peer(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_PEER], pa, MOAT_PEER_A_MAX) == 0);
	CHECK(moat_nla_u8(pa[MOAT_PEER_A_ENCAP], &u8) == 0 &&
	      u8 == MOAT_ENCAP_NONE);
	CHECK(!pa[MOAT_PEER_A_SPORT] && !pa[MOAT_PEER_A_DPORT]);
	CHECK(!pa[MOAT_PEER_A_LOCAL4] && !pa[MOAT_PEER_A_LOCAL6]);
	CHECK(pa[MOAT_PEER_A_REMOTE6]);
	nlmsg_free(msg);
}

TEST(req_peer_new_full_ts_fits)
{
	static struct moat_prefix ts[MOAT_TS_MAX];
	struct moat_peer_req r = { .ts = ts, .n_ts = MOAT_TS_MAX };
	struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	struct nl_msg *msg;
	size_t i;

	parse_addr("2001:db8::2", &r.remote);
	parse_addr("2001:db8::1", &r.local);
	r.encap = MOAT_ENCAP_UDP;
	for (i = 0; i < MOAT_TS_MAX; i++) {
		parse_addr("fd00::", &ts[i].addr);
		ts[i].addr.u.b[2] = (uint8_t)(i >> 8);
		ts[i].addr.u.b[3] = (uint8_t)i;
		ts[i].len = 128;
	}
	/* A page is not enough; the size the tool asks for is. */
	msg = request(MOAT_CMD_PEER_NEW, 4096);
	CHECK(msg && req_put_peer(msg, &r) == -1);
	nlmsg_free(msg);
	msg = request(MOAT_CMD_PEER_NEW, MOAT_PEER_MSG_SIZE);
	CHECK(msg && req_put_peer(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_PEER], pa, MOAT_PEER_A_MAX) == 0);
	CHECK(count_attrs(pa[MOAT_PEER_A_TS]) == MOAT_TS_MAX);
	/* ... with room to spare for what may come. */
	CHECK(nlmsg_hdr(msg)->nlmsg_len < MOAT_PEER_MSG_SIZE * 3 / 4);
	nlmsg_free(msg);
}

TEST(req_sa_new_all_attributes)
{
	static const uint8_t key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					 13, 14, 15, 16, 0xde, 0xad, 0xbe, 0xef };
	struct nlattr *tb[MOAT_A_MAX + 1], *sa[MOAT_SA_A_MAX + 1];
	struct nlattr *lt[MOAT_LT_A_MAX + 1];
	struct moat_sa_req r = {
		.spi = 0x1001, .dir = MOAT_DIR_IN, .alg = MOAT_ALG_AES_GCM,
		.key = key, .keylen = sizeof(key), .icv_bits = 128,
		.flags = MOAT_SA_F_ESN, .have_window = 1, .window = 0,
	};
	struct nl_msg *msg = request(MOAT_CMD_SA_NEW, 0);
	char alg[MOAT_ALG_NAME_MAX];
	uint32_t u32;
	uint64_t u64;
	uint8_t u8;

	r.lt.v[LT_SOFT][LT_BYTES] = 1000000;
	r.lt.v[LT_HARD][LT_SECONDS] = 3600;
	r.lt.v[LT_HARD][LT_PACKETS] = 0;
	r.lt.given = 1U << (LT_SOFT * LT_KINDS + LT_BYTES) |
		     1U << (LT_HARD * LT_KINDS + LT_SECONDS) |
		     1U << (LT_HARD * LT_KINDS + LT_PACKETS);
	CHECK(msg && req_put_sa(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_SA], sa, MOAT_SA_A_MAX) == 0);
	CHECK(moat_nla_u32(sa[MOAT_SA_A_SPI], &u32) == 0 && u32 == 0x1001);
	CHECK(moat_nla_u8(sa[MOAT_SA_A_DIR], &u8) == 0 && u8 == MOAT_DIR_IN);
	CHECK(nla_len(sa[MOAT_SA_A_ALG]) == (int)sizeof(MOAT_ALG_AES_GCM));
	CHECK(moat_nla_str(sa[MOAT_SA_A_ALG], alg, sizeof(alg)) == 0 &&
	      !strcmp(alg, MOAT_ALG_AES_GCM));
	CHECK(is_bytes(sa[MOAT_SA_A_KEY], key, sizeof(key)));
	CHECK(moat_nla_u32(sa[MOAT_SA_A_ICV_BITS], &u32) == 0 && u32 == 128);
	CHECK(moat_nla_u32(sa[MOAT_SA_A_FLAGS], &u32) == 0 &&
	      u32 == MOAT_SA_F_ESN);
	/* 0 turns the window off; it is sent because it was given. */
	CHECK(moat_nla_u32(sa[MOAT_SA_A_REPLAY_WINDOW], &u32) == 0 && u32 == 0);
	CHECK(moat_nla_nested(sa[MOAT_SA_A_LIFETIME], lt, MOAT_LT_A_MAX) == 0);
	CHECK(count_attrs(sa[MOAT_SA_A_LIFETIME]) == 3);
	CHECK(nla_len(lt[MOAT_LT_A_SOFT_BYTES]) == 8);
	CHECK(moat_nla_u64(lt[MOAT_LT_A_SOFT_BYTES], &u64) == 0 && u64 == 1000000);
	CHECK(moat_nla_u64(lt[MOAT_LT_A_HARD_SECONDS], &u64) == 0 && u64 == 3600);
	CHECK(moat_nla_u64(lt[MOAT_LT_A_HARD_PACKETS], &u64) == 0 && u64 == 0);
	CHECK(!lt[MOAT_LT_A_SOFT_PACKETS] && !lt[MOAT_LT_A_SOFT_SECONDS] &&
	      !lt[MOAT_LT_A_HARD_BYTES]);
	/* Read-only attributes are never sent. */
	CHECK(!sa[MOAT_SA_A_STATE] && !sa[MOAT_SA_A_SEQ] && !sa[MOAT_SA_A_AGE] &&
	      !sa[MOAT_SA_A_STATS]);
	nlmsg_free(msg);
}

TEST(req_sa_new_leaves_out_what_was_not_given)
{
	static const uint8_t key[36];
	struct nlattr *tb[MOAT_A_MAX + 1], *sa[MOAT_SA_A_MAX + 1];
	struct moat_sa_req r = {
		.spi = 0xffffffffU, .dir = MOAT_DIR_OUT,
		.alg = MOAT_ALG_CHACHAPOLY, .key = key, .keylen = sizeof(key),
		.icv_bits = 128,
	};
	struct nl_msg *msg = request(MOAT_CMD_SA_NEW, 0);
	uint32_t u32 = 7;

	CHECK(msg && req_put_sa(msg, &r) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_SA], sa, MOAT_SA_A_MAX) == 0);
	CHECK(moat_nla_u32(sa[MOAT_SA_A_SPI], &u32) == 0 && u32 == 0xffffffffU);
	CHECK(moat_nla_u32(sa[MOAT_SA_A_FLAGS], &u32) == 0 && u32 == 0);
	CHECK(nla_len(sa[MOAT_SA_A_KEY]) == 36);
	CHECK(!sa[MOAT_SA_A_REPLAY_WINDOW] && !sa[MOAT_SA_A_LIFETIME]);
	nlmsg_free(msg);
}

TEST(req_sa_id)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *sa[MOAT_SA_A_MAX + 1];
	struct nl_msg *msg = request(MOAT_CMD_SA_DEL, 0);
	uint32_t spi = 0;
	uint8_t dir = 0;

	CHECK(msg && req_put_sa_id(msg, 0x1002, MOAT_DIR_OUT) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_nested(tb[MOAT_A_SA], sa, MOAT_SA_A_MAX) == 0);
	CHECK(count_attrs(tb[MOAT_A_SA]) == 2);
	CHECK(moat_nla_u32(sa[MOAT_SA_A_SPI], &spi) == 0 && spi == 0x1002);
	CHECK(moat_nla_u8(sa[MOAT_SA_A_DIR], &dir) == 0 && dir == MOAT_DIR_OUT);
	CHECK(!tb[MOAT_A_PEER]);
	nlmsg_free(msg);
}

TEST(req_sock_fd)
{
	struct nlattr *tb[MOAT_A_MAX + 1];
	struct nl_msg *msg = request(MOAT_CMD_SOCK_SET, 0);
	uint32_t fd = 0;

	CHECK(msg && req_put_sock_fd(msg, -1) == -1);
	CHECK(req_put_sock_fd(msg, 7) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_u32(tb[MOAT_A_SOCK_FD], &fd) == 0 && fd == 7);
	CHECK(!tb[MOAT_A_IFNAME] && !tb[MOAT_A_IFINDEX] && !tb[MOAT_A_PEER]);
	nlmsg_free(msg);
}

TEST(req_wipe_clears_the_key)
{
	static const uint8_t key[20] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	struct moat_sa_req r = {
		.spi = 0x1001, .dir = MOAT_DIR_OUT, .alg = MOAT_ALG_AES_GCM,
		.key = key, .keylen = sizeof(key), .icv_bits = 128,
	};
	struct nl_msg *msg = request(MOAT_CMD_SA_NEW, 0);
	struct nlmsghdr *hdr;
	unsigned char *p;
	size_t i, len;
	int nonzero = 0;

	CHECK(msg && req_put_sa(msg, &r) == 0);
	/* Hold a second reference, as the tool does around the send. */
	nlmsg_get(msg);
	req_free_wiped(msg);
	hdr = nlmsg_hdr(msg);
	p = (unsigned char *)hdr;
	len = 256;	/* more than the message held */
	for (i = 0; i < len; i++)
		nonzero |= p[i];
	CHECK(nonzero == 0);
	nlmsg_free(msg);
	req_free_wiped(NULL);
}

TEST(req_addr_without_family_is_refused)
{
	struct nl_msg *msg = request(MOAT_CMD_PEER_DEL, 0);
	struct moat_addr a = { .family = 0 };

	CHECK(msg && req_put_addr(msg, 1, 2, &a) == -1);
	nlmsg_free(msg);
}

TEST(req_sock_kind)
{
	struct nlattr *tb[MOAT_A_MAX + 1];
	struct nl_msg *msg = request(MOAT_CMD_SOCK_SET, 0);
	uint8_t kind = 0;

	CHECK(msg && req_put_sock_fd(msg, 3) == 0);
	CHECK(req_put_sock_kind(msg, MOAT_SOCK_IKE) == 0);
	CHECK(moat_nl_parse(msg, tb, MOAT_A_MAX) == 0);
	CHECK(moat_nla_u8(tb[MOAT_A_SOCK_KIND], &kind) == 0 &&
	      kind == MOAT_SOCK_IKE);
	nlmsg_free(msg);
}
