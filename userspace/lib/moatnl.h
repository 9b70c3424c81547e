/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmoat: the one place userspace speaks the "moat" generic netlink
 * family. The moat tool and moatd both go through it.
 */
#ifndef MOAT_MOATNL_H
#define MOAT_MOATNL_H

#include <stdint.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

struct moat_nl {
	struct nl_sock *sk;
	int family;
	/* The kernel's extack message for the last failed request, or "". */
	char errmsg[256];
};

/* Connects and resolves the family. Returns 0 or a negative errno. */
int moat_nl_open(struct moat_nl *nl);
void moat_nl_close(struct moat_nl *nl);

/* A new request for @cmd; NLM_F_DUMP in @flags asks for a dump. */
struct nl_msg *moat_nl_msg(struct moat_nl *nl, uint8_t cmd, int flags);

/* Called once per reply message; return NL_OK to go on. */
typedef int (*moat_nl_reply_fn)(struct nl_msg *msg, void *arg);

/*
 * Sends @msg (and frees it), waits for the acknowledgement and feeds each
 * reply to @fn. Returns 0 or a negative errno; on error nl->errmsg holds
 * what the kernel said, if anything.
 */
int moat_nl_request(struct moat_nl *nl, struct nl_msg *msg,
		    moat_nl_reply_fn fn, void *arg);

/*
 * Finds the kernel's human-readable reason (NLMSGERR_ATTR_MSG) in an error
 * message of @len bytes starting at its nlmsghdr. Returns 0 and fills @out,
 * or -1 if there is none or the message is malformed.
 */
int moat_nl_extack_msg(const void *buf, size_t len, char *out, size_t outlen);

/*
 * The error a dump ended with: the int after an NLMSG_DONE header of @len
 * bytes, and the kernel's reason in @out if it gave one. Returns it
 * (negative) or 0 when the dump went well or the message is malformed.
 */
int moat_nl_done_err(const void *buf, size_t len, char *out, size_t outlen);

/*
 * Splits a reply's attributes into @tb (indexed up to @max) without trusting
 * the sender: attributes shorter than their type needs are dropped by the
 * moat_nla_* getters below, never read.
 */
int moat_nl_parse(struct nl_msg *msg, struct nlattr **tb, int max);
int moat_nla_nested(struct nlattr *nest, struct nlattr **tb, int max);

/* Bounded getters: return 0 and fill @out, or -1 if absent or too short. */
int moat_nla_u8(const struct nlattr *a, uint8_t *out);
int moat_nla_u32(const struct nlattr *a, uint32_t *out);
int moat_nla_u64(const struct nlattr *a, uint64_t *out);
/* Copies a string attribute into @buf (always terminated). */
int moat_nla_str(const struct nlattr *a, char *buf, size_t len);

#endif
