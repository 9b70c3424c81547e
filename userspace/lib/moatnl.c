// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink session: connect, resolve the family, send one request and
 * collect its replies, and keep what the kernel said when it refused.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/moat.h>

#include "moatnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int moat_nl_open(struct moat_nl *nl)
{
	int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = genl_connect(nl->sk);
	if (ret < 0)
		goto err;
	/* Ask for the kernel's reason with every error, and skip the echo. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, MOAT_GENL_NAME);
	if (nl->family < 0) {
		ret = nl->family;
		goto err;
	}
	return 0;
err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	/* libnl's own codes mean little to a user; the module is missing. */
	return ret == -NLE_OBJ_NOTFOUND ? -ENOENT : -EPROTO;
}

void moat_nl_close(struct moat_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *moat_nl_msg(struct moat_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags, cmd, MOAT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct moat_nl_call {
	struct moat_nl *nl;
	moat_nl_reply_fn fn;
	void *arg;
	int err;
	int done;
};

/* Copies the NLMSGERR_ATTR_MSG among the TLVs from @off to @len of @buf. */
static int extack_tlv_msg(const void *buf, size_t off, size_t len, char *out,
			  size_t outlen)
{
	struct nlattr *a;
	int rem;

	if (off > len)
		return -1;
	rem = (int)(len - off);
	for (a = (struct nlattr *)((char *)buf + off); nla_ok(a, rem);
	     a = nla_next(a, &rem)) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0)
			return moat_nla_str(a, out, outlen);
	}
	return -1;
}

int moat_nl_done_err(const void *buf, size_t len, char *out, size_t outlen)
{
	const struct nlmsghdr *hdr = buf;
	size_t off = NLMSG_HDRLEN + sizeof(int);
	int err;

	if (outlen)
		out[0] = '\0';
	if (len < off || hdr->nlmsg_len < off || hdr->nlmsg_len > len)
		return 0;
	memcpy(&err, (const char *)buf + NLMSG_HDRLEN, sizeof(err));
	if (err >= 0)
		return 0;
	if ((hdr->nlmsg_flags & NLM_F_ACK_TLVS) && outlen)
		extack_tlv_msg(buf, NLMSG_ALIGN(off), hdr->nlmsg_len, out, outlen);
	return err;
}

int moat_nl_extack_msg(const void *buf, size_t len, char *out, size_t outlen)
{
	const struct nlmsghdr *hdr = buf;
	const struct nlmsgerr *e;
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;
	int rem;

	if (!outlen)
		return -1;
	out[0] = '\0';
	if (len < off || hdr->nlmsg_len < off || hdr->nlmsg_len > len)
		return -1;
	len = hdr->nlmsg_len;
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return -1;
	e = (const struct nlmsgerr *)((const char *)buf + NLMSG_HDRLEN);
	/* Uncapped errors echo the whole request before the TLVs. */
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg) ||
		    e->msg.nlmsg_len - sizeof(e->msg) > len - off)
			return -1;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
		if (off > len)
			return -1;
	}
	rem = (int)(len - off);
	for (a = (struct nlattr *)((char *)buf + off); nla_ok(a, rem);
	     a = nla_next(a, &rem)) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0)
			return moat_nla_str(a, out, outlen);
	}
	return -1;
}

static int moat_nl_on_error(struct sockaddr_nl *who, struct nlmsgerr *e,
			    void *arg)
{
	struct moat_nl_call *call = arg;

	(void)who;
	const struct nlmsghdr *hdr = (const void *)((char *)e - NLMSG_HDRLEN);

	call->err = e->error;
	call->done = 1;
	/* libnl has checked that the whole message was received. */
	moat_nl_extack_msg(hdr, hdr->nlmsg_len, call->nl->errmsg,
			   sizeof(call->nl->errmsg));
	return NL_STOP;
}

static int moat_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct moat_nl_call *call = arg;

	(void)msg;
	call->done = 1;
	return NL_STOP;
}

/* A dump's NLMSG_DONE carries its error, which libnl does not look at. */
static int moat_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct moat_nl_call *call = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);

	call->err = moat_nl_done_err(hdr, hdr->nlmsg_len, call->nl->errmsg,
				     sizeof(call->nl->errmsg));
	call->done = 1;
	return NL_STOP;
}

static int moat_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct moat_nl_call *call = arg;

	return call->fn ? call->fn(msg, call->arg) : NL_OK;
}

int moat_nl_request(struct moat_nl *nl, struct nl_msg *msg,
		    moat_nl_reply_fn fn, void *arg)
{
	struct moat_nl_call call = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->errmsg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, moat_nl_on_valid, &call);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, moat_nl_on_ack, &call);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, moat_nl_on_finish, &call);
	nl_cb_err(cb, NL_CB_CUSTOM, moat_nl_on_error, &call);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !call.done)
		ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (ret < 0 && !call.err)
		return -EIO;
	return call.err;
}

int moat_nl_parse(struct nl_msg *msg, struct nlattr **tb, int max)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (!genlmsg_valid_hdr(hdr, 0))
		return -EPROTO;
	return nla_parse(tb, max, genlmsg_attrdata(nlmsg_data(hdr), 0),
			 genlmsg_attrlen(nlmsg_data(hdr), 0), NULL) ? -EPROTO : 0;
}

int moat_nla_nested(struct nlattr *nest, struct nlattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (!nest)
		return -1;
	return nla_parse_nested(tb, max, nest, NULL) ? -1 : 0;
}

int moat_nla_u8(const struct nlattr *a, uint8_t *out)
{
	if (!a || nla_len(a) < (int)sizeof(*out))
		return -1;
	memcpy(out, nla_data(a), sizeof(*out));
	return 0;
}

int moat_nla_u32(const struct nlattr *a, uint32_t *out)
{
	if (!a || nla_len(a) < (int)sizeof(*out))
		return -1;
	memcpy(out, nla_data(a), sizeof(*out));
	return 0;
}

int moat_nla_u64(const struct nlattr *a, uint64_t *out)
{
	if (!a || nla_len(a) < (int)sizeof(*out))
		return -1;
	memcpy(out, nla_data(a), sizeof(*out));
	return 0;
}

int moat_nla_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n;

	if (!a || !len)
		return -1;
	n = (size_t)nla_len(a);
	if (n >= len)
		n = len - 1;
	memcpy(buf, nla_data(a), n);
	buf[n] = '\0';
	/* Stop at the sender's own terminator, if it sent one. */
	buf[strnlen(buf, n)] = '\0';
	return 0;
}
