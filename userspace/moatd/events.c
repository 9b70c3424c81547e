// SPDX-License-Identifier: GPL-2.0
/*
 * The module's events (MOAT_MCGRP_EVENTS) on a netlink socket of their
 * own, read in the epoll loop: an SA's soft expiry (time to rekey: its
 * seconds, bytes, packets or sequence numbers ran low) and its hard
 * expiry (it is gone). main.c decides what they mean for the IKE SAs.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include <linux/moat.h>
#include <netlink/genl/ctrl.h>

#include "daemon.h"
#include "moatnl.h"

static struct moat_nl ev;
static int ev_fd = -1;

/* REMOTE4 or REMOTE6 of the event's peer; 0 or -1. */
static int event_remote(struct nlattr *nest, struct moat_addr *a)
{
	struct nlattr *tb[MOAT_PEER_A_MAX + 1];

	memset(a, 0, sizeof(*a));
	if (!nest || moat_nla_nested(nest, tb, MOAT_PEER_A_MAX))
		return -1;
	if (tb[MOAT_PEER_A_REMOTE4] && nla_len(tb[MOAT_PEER_A_REMOTE4]) == 4) {
		a->family = AF_INET;
		memcpy(&a->u.v4, nla_data(tb[MOAT_PEER_A_REMOTE4]), 4);
		return 0;
	}
	if (tb[MOAT_PEER_A_REMOTE6] &&
	    nla_len(tb[MOAT_PEER_A_REMOTE6]) == 16) {
		a->family = AF_INET6;
		memcpy(&a->u.v6, nla_data(tb[MOAT_PEER_A_REMOTE6]), 16);
		return 0;
	}
	return -1;
}

static int event_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *sa[MOAT_SA_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	char dev[IFNAMSIZ];
	struct moat_addr remote;
	uint8_t dir, kind;
	uint32_t spi;

	(void)arg;
	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    gh->cmd != MOAT_CMD_SA_EXPIRE || !tb[MOAT_A_SA] ||
	    moat_nla_nested(tb[MOAT_A_SA], sa, MOAT_SA_A_MAX) ||
	    moat_nla_str(tb[MOAT_A_IFNAME], dev, sizeof(dev)) ||
	    event_remote(tb[MOAT_A_PEER], &remote) ||
	    moat_nla_u32(sa[MOAT_SA_A_SPI], &spi) ||
	    moat_nla_u8(sa[MOAT_SA_A_DIR], &dir) ||
	    moat_nla_u8(sa[MOAT_SA_A_EXPIRE], &kind))
		return NL_SKIP;
	daemon_sa_expire(dev, &remote, spi, dir, kind);
	return NL_OK;
}

int events_open(void)
{
	struct epoll_event e = { .events = EPOLLIN };
	int grp;

	if (moat_nl_open(&ev))
		return -1;
	grp = genl_ctrl_resolve_grp(ev.sk, MOAT_GENL_NAME, MOAT_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(ev.sk, grp) ||
	    nl_socket_set_nonblocking(ev.sk)) {
		dlog(LOG_ERR, "moat events: cannot subscribe");
		moat_nl_close(&ev);
		return -1;
	}
	nl_socket_disable_seq_check(ev.sk);
	nl_socket_modify_cb(ev.sk, NL_CB_VALID, NL_CB_CUSTOM, event_msg, NULL);
	ev_fd = nl_socket_get_fd(ev.sk);
	e.data.fd = ev_fd;
	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, ev_fd, &e)) {
		events_close();
		return -1;
	}
	return 0;
}

void events_close(void)
{
	if (ev_fd < 0)
		return;
	moat_nl_close(&ev);
	ev_fd = -1;
}

bool events_fd(int fd)
{
	return ev_fd >= 0 && fd == ev_fd;
}

void events_read(void)
{
	int ret = nl_recvmsgs_default(ev.sk);

	/* Events lost to a full buffer: the daemon's own timers still run. */
	if (ret < 0 && ret != -NLE_AGAIN)
		dlog(LOG_WARNING, "moat events: %s", nl_geterror(ret));
}
