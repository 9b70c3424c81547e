// SPDX-License-Identifier: GPL-2.0
/*
 * A dump ends with NLMSG_DONE, whose payload is the dump's error and, with
 * NLM_F_ACK_TLVS, the kernel's reason. libnl passes it on unread, so
 * moat_nl_done_err reads it -- and never past what arrived.
 */
#include <errno.h>
#include <string.h>
#include <linux/netlink.h>

#include "harness.h"
#include "moatnl.h"

/* Header, error int, then an NLMSGERR_ATTR_MSG if @msg is not NULL. */
static size_t build_done(unsigned char *buf, int err, const char *msg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t off = NLMSG_HDRLEN + sizeof(int);
	struct nlattr *a;

	memset(buf, 0, 256);
	memcpy(buf + NLMSG_HDRLEN, &err, sizeof(err));
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_flags = NLM_F_MULTI;
	if (msg) {
		a = (struct nlattr *)(buf + off);
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = (unsigned short)(NLA_HDRLEN + strlen(msg) + 1);
		memcpy(a + 1, msg, strlen(msg) + 1);
		off += NLA_ALIGN(a->nla_len);
		h->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	h->nlmsg_len = (unsigned int)off;
	return off;
}

TEST(done_success)
{
	unsigned char buf[256];
	char out[64] = "stale";
	size_t len = build_done(buf, 0, NULL);

	CHECK(moat_nl_done_err(buf, len, out, sizeof(out)) == 0 && !out[0]);
	/* A positive payload (bytes dumped, from old kernels) is success. */
	len = build_done(buf, 1234, NULL);
	CHECK(moat_nl_done_err(buf, len, out, sizeof(out)) == 0);
}

TEST(done_error_with_reason)
{
	unsigned char buf[256];
	char out[64];
	size_t len = build_done(buf, -ENOENT, "unknown peer");

	CHECK(moat_nl_done_err(buf, len, out, sizeof(out)) == -ENOENT);
	CHECK(!strcmp(out, "unknown peer"));
	/* Cut to the buffer and terminated. */
	CHECK(moat_nl_done_err(buf, len, out, 8) == -ENOENT &&
	      !strcmp(out, "unknown"));
	/* Without room for a reason the error still comes through. */
	CHECK(moat_nl_done_err(buf, len, NULL, 0) == -ENOENT);
}

TEST(done_error_without_reason)
{
	unsigned char buf[256];
	char out[64] = "stale";
	size_t len = build_done(buf, -ENODEV, NULL);

	CHECK(moat_nl_done_err(buf, len, out, sizeof(out)) == -ENODEV);
	CHECK(!out[0]);
	/* TLVs flagged but cut off: the error, and no reason. */
	len = build_done(buf, -EOPNOTSUPP, "not a moat device");
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN + sizeof(int) + 6;
	CHECK(moat_nl_done_err(buf, len, out, sizeof(out)) == -EOPNOTSUPP);
	CHECK(!out[0]);
}

TEST(done_malformed_is_not_an_error)
{
	unsigned char buf[256];
	char out[64];
	size_t len = build_done(buf, -EIO, "x");

	/* Too short for the error int, or claiming more than arrived. */
	CHECK(moat_nl_done_err(buf, NLMSG_HDRLEN + 3, out, sizeof(out)) == 0);
	CHECK(moat_nl_done_err(buf, len - 1, out, sizeof(out)) == 0);
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN;
	CHECK(moat_nl_done_err(buf, len, out, sizeof(out)) == 0);
	CHECK(moat_nl_done_err(buf, 0, out, sizeof(out)) == 0);
}
