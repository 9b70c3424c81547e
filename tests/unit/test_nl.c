// SPDX-License-Identifier: GPL-2.0
/* The netlink helpers never read past what the kernel actually sent. */
#include <string.h>
#include <linux/netlink.h>

#include "harness.h"
#include "moatnl.h"

TEST(nla_getters_check_length)
{
	struct {
		struct nlattr a;
		unsigned char data[8];
	} buf;
	uint64_t v64 = 0;
	uint32_t v32 = 0;
	uint8_t v8 = 0;
	char s[4];

	memset(&buf, 0x11, sizeof(buf));
	buf.a.nla_type = 1;
	buf.a.nla_len = NLA_HDRLEN + 2;	/* two bytes: too short for u32 */
	CHECK(moat_nla_u32(&buf.a, &v32) == -1 && v32 == 0);
	CHECK(moat_nla_u64(&buf.a, &v64) == -1 && v64 == 0);
	CHECK(moat_nla_u8(&buf.a, &v8) == 0 && v8 == 0x11);
	CHECK(moat_nla_u32(NULL, &v32) == -1);

	buf.a.nla_len = NLA_HDRLEN + 8;
	CHECK(moat_nla_u64(&buf.a, &v64) == 0 && v64 == 0x1111111111111111ULL);

	/* Unterminated strings are cut to the buffer and terminated. */
	memcpy(buf.data, "moat0xyz", 8);
	CHECK(moat_nla_str(&buf.a, s, sizeof(s)) == 0 && !strcmp(s, "moa"));
	memcpy(buf.data, "ab\0cdefg", 8);
	CHECK(moat_nla_str(&buf.a, s, sizeof(s)) == 0 && !strcmp(s, "ab"));
}

/* Builds an error message: header, nlmsgerr, optional echo, then TLVs. */
static size_t build_err(unsigned char *buf, int capped, const char *msg,
			uint32_t echo_len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(buf + NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;
	size_t n = strlen(msg) + 1;

	memset(buf, 0, 512);
	e->error = -19;
	e->msg.nlmsg_len = sizeof(e->msg) + echo_len;
	if (!capped)
		off += NLMSG_ALIGN(echo_len);
	a = (struct nlattr *)(buf + off);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = NLA_HDRLEN + n;
	memcpy(a + 1, msg, n);
	off += NLA_ALIGN(a->nla_len);
	h->nlmsg_len = off;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	return off;
}

TEST(extack_message_found)
{
	unsigned char buf[512];
	char out[64];
	size_t len;

	len = build_err(buf, 1, "unknown device", 12);
	CHECK(moat_nl_extack_msg(buf, len, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, "unknown device"));

	len = build_err(buf, 0, "not a moat device", 12);
	CHECK(moat_nl_extack_msg(buf, len, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, "not a moat device"));
}

TEST(extack_malformed_is_refused)
{
	unsigned char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(buf + NLMSG_HDRLEN);
	char out[64];
	size_t len;

	/* Claims more bytes than were received. */
	len = build_err(buf, 1, "x", 0);
	CHECK(moat_nl_extack_msg(buf, len - 1, out, sizeof(out)) == -1);
	/* An echoed request longer than the message. */
	len = build_err(buf, 0, "x", 0);
	e->msg.nlmsg_len = 4000;
	CHECK(moat_nl_extack_msg(buf, len, out, sizeof(out)) == -1);
	/* An echoed length below a header. */
	e->msg.nlmsg_len = 3;
	CHECK(moat_nl_extack_msg(buf, len, out, sizeof(out)) == -1);
	/* No TLVs flagged. */
	len = build_err(buf, 1, "x", 0);
	h->nlmsg_flags = NLM_F_CAPPED;
	CHECK(moat_nl_extack_msg(buf, len, out, sizeof(out)) == -1);
	/* Too short for an nlmsgerr at all. */
	CHECK(moat_nl_extack_msg(buf, 8, out, sizeof(out)) == -1);
	CHECK(out[0] == '\0');
}
