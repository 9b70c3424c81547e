// SPDX-License-Identifier: GPL-2.0
/*
 * IKE's UDP sockets: ports 500 and 4500, IPv4 and IPv6. Each datagram's
 * local address comes from IP_PKTINFO / IPV6_PKTINFO, and answers leave
 * from it. On 4500 an IKE message follows a non-ESP marker (four zero
 * octets, RFC 3948 §2.2); a datagram there without it is ESP and is not
 * ours. Each 4500 socket is handed to the moat module (MOAT_CMD_SOCK_SET),
 * so ESP in UDP and IKE share the port and the NAT mapping: the module
 * takes ESP and NAT keepalives off it and leaves IKE, marker included, to
 * be read here as before. When the module's own socket holds 4500 (a
 * hand-keyed peer with encap udp) moatd speaks IKE on 500 only. Each 500
 * socket is handed too, as an IKE socket: the module's guard judges the
 * IKE_SA_INIT requests on both ports before they reach us. A module that
 * refuses it leaves moatd working as before, on its own cookies.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "daemon.h"
#include "frag.h"

enum { S4_500, S6_500, S4_4500, S6_4500, S_N };

static int fds[S_N] = { -1, -1, -1, -1 };

static int sock_bind(int family, uint16_t port)
{
	int fd, one = 1, lvl = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = family == AF_INET ? IP_PKTINFO : IPV6_RECVPKTINFO;
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t sl;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		sl = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		sl = sizeof(struct sockaddr_in6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (setsockopt(fd, lvl, opt, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Binds 4500 for @family and hands it to the module, or does without. */
static void natt_open(int i, int family)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";

	fds[i] = sock_bind(family, IKE_NATT_PORT);
	if (fds[i] < 0) {
		dlog(LOG_NOTICE, "%s UDP port %u is taken (the moat module's ESP-in-UDP socket for a hand-keyed peer?): %s IKE on port %u only, Child SAs in raw ESP",
		     fam, IKE_NATT_PORT, fam, IKE_PORT);
		return;
	}
	if (kernel_hand_socket(fds[i])) {
		dlog(LOG_WARNING, "the moat module did not take the %s UDP port %u socket: %s IKE on port %u only",
		     fam, IKE_NATT_PORT, fam, IKE_PORT);
		close(fds[i]);
		fds[i] = -1;
	}
}

/* The guard on port 500 is welcome, not needed. */
static void ike_guard(int i)
{
	if (fds[i] >= 0 && kernel_hand_ike_socket(fds[i]))
		dlog(LOG_NOTICE, "the moat module does not guard UDP port %u (%s): moatd's own cookies only",
		     IKE_PORT, i == S4_500 ? "IPv4" : "IPv6");
}

int sock_open_all(void)
{
	fds[S4_500] = sock_bind(AF_INET, IKE_PORT);
	fds[S6_500] = sock_bind(AF_INET6, IKE_PORT);
	if (fds[S4_500] < 0 && fds[S6_500] < 0) {
		dlog(LOG_ERR, "cannot bind UDP port %u: %m", IKE_PORT);
		return -1;
	}
	ike_guard(S4_500);
	ike_guard(S6_500);
	natt_open(S4_4500, AF_INET);
	natt_open(S6_4500, AF_INET6);
	return 0;
}

void sock_close_all(void)
{
	int i;

	for (i = 0; i < S_N; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

bool sock_have_natt(int family)
{
	return fds[family == AF_INET ? S4_4500 : S6_4500] >= 0;
}

int sock_watch(int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	for (i = 0; i < S_N; i++) {
		if (fds[i] < 0)
			continue;
		ev.data.fd = fds[i];
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev))
			return -1;
	}
	return 0;
}

bool sock_is_ike(int fd)
{
	int i;

	for (i = 0; i < S_N; i++)
		if (fds[i] >= 0 && fds[i] == fd)
			return true;
	return false;
}

/* The local address from the control messages; 0 or -1. */
static int rx_local(struct msghdr *mh, struct moat_addr *a)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			a->family = AF_INET;
			a->u.v4 = pi.ipi_addr;
			return 0;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			a->family = AF_INET6;
			a->u.v6 = pi.ipi6_addr;
			return 0;
		}
	}
	return -1;
}

static void rx_remote(const struct sockaddr_storage *ss,
		      struct ike_endpoints *ep)
{
	memset(&ep->remote, 0, sizeof(ep->remote));
	ep->remote.family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		ep->remote.u.v4 = s4->sin_addr;
		ep->remote_port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		ep->remote.u.v6 = s6->sin6_addr;
		ep->remote_port = ntohs(s6->sin6_port);
	}
}

void sock_read(int fd)
{
	static uint8_t buf[IKE_MSG_MAX + 4];
	char cbuf[256];
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct ike_endpoints ep = { .local_port = IKE_PORT };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	size_t off = 0;

	if (n <= 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return;
	memset(&ep.local, 0, sizeof(ep.local));
	if (rx_local(&mh, &ep.local))
		return;
	rx_remote(&ss, &ep);
	if (fd == fds[S4_4500] || fd == fds[S6_4500]) {
		ep.local_port = IKE_NATT_PORT;
		/* A non-ESP marker, or it is ESP (or a keepalive): not ours. */
		if (n < 4 || memcmp(buf, "\0\0\0\0", 4))
			return;
		off = 4;
	}
	daemon_rx(&ep, buf + off, (size_t)n - off);
}

static int tx_fd(const struct ike_endpoints *ep)
{
	bool v4 = ep->local.family == AF_INET;

	if (ep->local_port == IKE_NATT_PORT)
		return fds[v4 ? S4_4500 : S6_4500];
	return fds[v4 ? S4_500 : S6_500];
}

static socklen_t tx_name(const struct ike_endpoints *ep,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = ep->remote.family;
	if (ep->remote.family == AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_addr = ep->remote.u.v4;
		s4->sin_port = htons(ep->remote_port);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (void *)ss;

	s6->sin6_addr = ep->remote.u.v6;
	s6->sin6_port = htons(ep->remote_port);
	return sizeof(*s6);
}

static void tx_pktinfo(const struct ike_endpoints *ep, struct msghdr *mh)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);

	if (ep->local.family == AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst = ep->local.u.v4 };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_addr = ep->local.u.v6 };

		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

static int send_iov(const struct ike_endpoints *ep, struct iovec *iov,
		    size_t n)
{
	union { char b[256]; struct cmsghdr align; } cbuf;
	struct sockaddr_storage ss;
	struct msghdr mh = {
		.msg_name = &ss, .msg_iov = iov, .msg_iovlen = n,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	int fd = tx_fd(ep);

	if (fd < 0)
		return -1;
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_namelen = tx_name(ep, &ss);
	tx_pktinfo(ep, &mh);
	if (sendmsg(fd, &mh, MSG_DONTWAIT) < 0) {
		dlog(LOG_WARNING, "send: %m");
		return -1;
	}
	return 0;
}

/* One IKE datagram: on 4500, after the non-ESP marker. */
static int send_one(const struct ike_endpoints *ep, const uint8_t *buf,
		    size_t len)
{
	static const uint8_t marker[4];
	struct iovec iov[2] = {
		{ .iov_base = (void *)marker, .iov_len = 4 },
		{ .iov_base = (void *)buf, .iov_len = len },
	};
	bool natt = ep->local_port == IKE_NATT_PORT;

	return natt ? send_iov(ep, iov, 2) : send_iov(ep, iov + 1, 1);
}

/* Each datagram of @buf: a fragmented message is several (frag.h). */
int sock_send(const struct ike_endpoints *ep, const uint8_t *buf,
	      size_t len)
{
	size_t n;
	int ret = len ? 0 : -1;

	for (; len; buf += n, len -= n) {
		n = frag_first_datagram(buf, len);
		ret |= send_one(ep, buf, n);
	}
	return ret;
}

int sock_send_keepalive(const struct ike_endpoints *ep)
{
	static const uint8_t ka = 0xff;
	struct iovec iov = { .iov_base = (void *)&ka, .iov_len = 1 };

	if (ep->local_port != IKE_NATT_PORT)
		return -1;
	return send_iov(ep, &iov, 1);
}
