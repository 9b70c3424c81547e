// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>

#include <linux/moat.h>

#include "req.h"

int req_put_addr(struct nl_msg *msg, int attr4, int attr6,
		 const struct moat_addr *a)
{
	if (!addr_len(a))
		return -1;
	return nla_put(msg, a->family == AF_INET ? attr4 : attr6,
		       (int)addr_len(a), a->u.b) ? -1 : 0;
}

int req_put_peer_remote(struct nl_msg *msg, const struct moat_addr *remote)
{
	struct nlattr *nest = nla_nest_start(msg, MOAT_A_PEER);

	if (!nest || req_put_addr(msg, MOAT_PEER_A_REMOTE4, MOAT_PEER_A_REMOTE6,
				  remote))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_ts(struct nl_msg *msg, const struct moat_prefix *ts, size_t n)
{
	struct nlattr *list = nla_nest_start(msg, MOAT_PEER_A_TS), *e;
	size_t i;

	if (!list)
		return -1;
	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, MOAT_TS_A_ENTRY);
		if (!e || req_put_addr(msg, MOAT_TS_A_ADDR4, MOAT_TS_A_ADDR6,
				       &ts[i].addr) ||
		    nla_put_u8(msg, MOAT_TS_A_PREFIXLEN, ts[i].len))
			return -1;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, list);
	return 0;
}

int req_put_peer(struct nl_msg *msg, const struct moat_peer_req *r)
{
	struct nlattr *nest = nla_nest_start(msg, MOAT_A_PEER);

	if (!nest ||
	    req_put_addr(msg, MOAT_PEER_A_REMOTE4, MOAT_PEER_A_REMOTE6,
			 &r->remote) ||
	    (r->local.family &&
	     req_put_addr(msg, MOAT_PEER_A_LOCAL4, MOAT_PEER_A_LOCAL6,
			  &r->local)) ||
	    nla_put_u8(msg, MOAT_PEER_A_ENCAP, r->encap))
		return -1;
	if (r->encap == MOAT_ENCAP_UDP &&
	    (nla_put_u16(msg, MOAT_PEER_A_SPORT, r->sport) ||
	     nla_put_u16(msg, MOAT_PEER_A_DPORT, r->dport)))
		return -1;
	if (put_ts(msg, r->ts, r->n_ts))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_lifetime(struct nl_msg *msg, const struct moat_lifetime *lt)
{
	struct nlattr *nest;
	int limit, kind;

	if (!lt->given)
		return 0;
	nest = nla_nest_start(msg, MOAT_SA_A_LIFETIME);
	if (!nest)
		return -1;
	for (limit = 0; limit < LT_LIMITS; limit++)
		for (kind = 0; kind < LT_KINDS; kind++)
			if ((lt->given & (1U << (limit * LT_KINDS + kind))) &&
			    nla_put_u64(msg, lifetime_attr(limit, kind),
					lt->v[limit][kind]))
				return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int req_put_sa(struct nl_msg *msg, const struct moat_sa_req *r)
{
	struct nlattr *nest = nla_nest_start(msg, MOAT_A_SA);

	if (!nest ||
	    nla_put_u32(msg, MOAT_SA_A_SPI, r->spi) ||
	    nla_put_u8(msg, MOAT_SA_A_DIR, r->dir) ||
	    nla_put_string(msg, MOAT_SA_A_ALG, r->alg) ||
	    nla_put(msg, MOAT_SA_A_KEY, (int)r->keylen, r->key) ||
	    nla_put_u32(msg, MOAT_SA_A_ICV_BITS, r->icv_bits) ||
	    nla_put_u32(msg, MOAT_SA_A_FLAGS, r->flags) ||
	    (r->have_window &&
	     nla_put_u32(msg, MOAT_SA_A_REPLAY_WINDOW, r->window)) ||
	    put_lifetime(msg, &r->lt))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int req_put_sa_id(struct nl_msg *msg, uint32_t spi, uint8_t dir)
{
	struct nlattr *nest = nla_nest_start(msg, MOAT_A_SA);

	if (!nest || nla_put_u32(msg, MOAT_SA_A_SPI, spi) ||
	    nla_put_u8(msg, MOAT_SA_A_DIR, dir))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

void req_free_wiped(struct nl_msg *msg)
{
	struct nlmsghdr *hdr;

	if (!msg)
		return;
	hdr = nlmsg_hdr(msg);
	explicit_bzero(hdr, hdr->nlmsg_len);
	nlmsg_free(msg);
}

int req_put_sock_fd(struct nl_msg *msg, int fd)
{
	if (fd < 0)
		return -1;
	return nla_put_u32(msg, MOAT_A_SOCK_FD, (uint32_t)fd) ? -1 : 0;
}

int req_put_sock_kind(struct nl_msg *msg, uint8_t kind)
{
	return nla_put_u8(msg, MOAT_A_SOCK_KIND, kind) ? -1 : 0;
}
