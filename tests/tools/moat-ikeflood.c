// SPDX-License-Identifier: GPL-2.0
/*
 * moat-ikeflood: an IKE_SA_INIT flood generator for the guard's VM test
 * (tests/vm/scenarios/72-guard-flood.sh) and benchmark (tests/bench/guard.sh).
 *
 *   moat-ikeflood -m spoof|cookie -d DEST -s PREFIX [-p 500|4500] [-r PPS]
 *		   [-n COUNT] [-t SECONDS] [-c SOURCES] [-P SPORT] [-T TTL]
 *		   [-w DRAIN_MS] [-i IFNAME -M MAC]
 *
 * spoof: raw IPv4/IPv6 datagrams from random addresses in PREFIX, all from
 *	UDP port SPORT (default: the destination port, as IKE sends from),
 *	with a correct UDP checksum and TTL (default 64). Each request
 *	has a random SPIi, an SA (aes128gcm16-prfsha256-x25519), a
 *	32-octet KE and a random Ni.
 *	To 4500 it carries the four-zero non-ESP marker. If PREFIX is local
 *	in the sender's namespace (ip route add local PREFIX dev lo), the
 *	answers come back to a UDP socket on SPORT and are counted.
 *	With -i and -M the datagrams leave as Ethernet frames from a packet
 *	socket on IFNAME to MAC (the next hop's), without the IP output
 *	path: 32 frames are built once, and each is sent again with a
 *	new source address, SPIi and Ni (KE stays), its checksums updated
 *	(RFC 1624). About twice as fast as the raw IP socket used without
 *	-i (in the test VM under TCG, 14 000-26 000 against 9 500-10 500 pps).
 * cookie: a legacy attacker with real addresses: the first SOURCES
 *	addresses of PREFIX (default 64; they must be local), used in turn.
 *	Each request that draws an N(COOKIE) is sent again with the cookie
 *	first (at most twice per request); an N(PUZZLE) next to it is
 *	ignored, as an initiator that does not know RFC 8019 does.
 *
 * New requests are paced at PPS (default 1000) and stop after COUNT
 * (default 10000) or SECONDS (default 10, at most 600), whichever comes
 * first, or at SIGINT or SIGTERM; answers are read for DRAIN_MS more
 * (default 300). The last line
 * is for scripts:
 *   ikeflood: mode=M sent=N resent=N seconds=S pps=P replies=N cookies=N
 *	       puzzles=N accepted=N other=N errors=N
 * (pps: new requests per second achieved; accepted: answers with an SA
 * payload, i.e. the responder made a half-open SA). Needs CAP_NET_RAW for
 * spoof. Exits 0 after a run, 1 when it cannot start, 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "csum.h"

#define IKE_HDR_LEN	28
#define NONCE_LEN	32
#define KE_LEN		32
#define COOKIE_MAX	64
#define MSG_MAX		512
#define BATCH		32
#define ETH_LEN		14
#define FRAME_MAX	(ETH_LEN + 40 + 8 + MSG_MAX)
#define PENDING		4096	/* outstanding requests (cookie mode) */
#define SOURCES_MAX	65536
#define RESEND_MAX	2

enum {
	PL_NONE = 0, PL_SA = 33, PL_KE = 34, PL_NONCE = 40, PL_NOTIFY = 41,
	EXCH_IKE_SA_INIT = 34, FLAG_I = 0x08, FLAG_R = 0x20,
	N_COOKIE = 16390, N_PUZZLE = 16434,
};

enum mode { MODE_SPOOF, MODE_COOKIE };

struct opts {
	enum mode mode;
	int family;
	uint8_t dst[16], pfx[16];
	unsigned int plen, dport, sport, ttl, sources, drain_ms;
	unsigned long pps, count, secs;
	const char *ifname;	/* -i: frames on a packet socket */
	uint8_t mac[6];		/* -M: their destination */
	bool have_mac;
};

/* A request that may draw a cookie (cookie mode). */
struct pending {
	uint8_t spi[8];
	uint8_t nonce[NONCE_LEN];
	uint32_t src;		/* index into the sources */
	uint8_t resent;
};

struct counts {
	unsigned long sent, resent, replies, cookies, puzzles, accepted;
	unsigned long other, errors;
};

/* Prebuilt Ethernet frames (-i): only addresses, SPIi and Ni change. */
struct frames {
	struct sockaddr_ll to;
	uint8_t buf[BATCH][FRAME_MAX];
	size_t len[BATCH];
	size_t spi, nonce;	/* offsets in a frame */
};

struct flood {
	struct opts o;
	int raw, udp;
	struct frames *fr;
	uint64_t rng;
	struct pending *pend;
	struct counts n;
};

/* One parsed answer. */
struct answer {
	uint8_t spi[8];
	const uint8_t *cookie;
	size_t cookie_len;
	bool puzzle, sa;
};

/* SIGINT or SIGTERM: stop sending, drain and report. */
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t rnd(struct flood *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rnd_bytes(struct flood *f, uint8_t *p, size_t len)
{
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			r = rnd(f);
		p[i] = (uint8_t)r;
		r >>= 8;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* --- the IKE_SA_INIT request ---------------------------------------------- */

/* A generic payload header at p; returns the body. */
static uint8_t *pl_hdr(uint8_t *p, uint8_t next, size_t len)
{
	p[0] = next;
	p[1] = 0;
	put16(p + 2, (unsigned int)len);
	return p + 4;
}

/* One transform: TYPE ID [key length attribute]; returns its length. */
static size_t transform(uint8_t *p, bool last, uint8_t type, uint16_t id,
			uint16_t keylen)
{
	size_t len = keylen ? 12 : 8;

	pl_hdr(p, last ? 0 : 3, len);
	p[4] = type;
	p[5] = 0;
	put16(p + 6, id);
	if (keylen) {
		put16(p + 8, 0x800e);	/* AF=1, Key Length */
		put16(p + 10, keylen);
	}
	return len;
}

/* SA payload body: one IKE proposal, aes128gcm16-prfsha256-x25519. */
static size_t sa_body(uint8_t *p)
{
	size_t len = 8;

	len += transform(p + len, false, 1, 20, 128);	/* ENCR_AES_GCM_16 */
	len += transform(p + len, false, 2, 5, 0);	/* PRF_HMAC_SHA2_256 */
	len += transform(p + len, true, 4, 31, 0);	/* Curve25519 */
	pl_hdr(p, 0, len);	/* last proposal */
	p[4] = 1;		/* proposal number */
	p[5] = 1;		/* protocol IKE */
	p[6] = 0;		/* SPI size */
	p[7] = 3;		/* transforms */
	return len;
}

static size_t put_cookie(uint8_t *p, const uint8_t *c, size_t clen)
{
	uint8_t *b = pl_hdr(p, PL_SA, 8 + clen);

	b[0] = 0;	/* protocol */
	b[1] = 0;	/* SPI size */
	put16(b + 2, N_COOKIE);
	memcpy(b + 4, c, clen);
	return 8 + clen;
}

/* HDR, [N(COOKIE),] SA, KE, Ni at m; returns the length. */
static size_t ike_request(struct flood *f, uint8_t *m, const uint8_t *spi,
			  const uint8_t *nonce, const uint8_t *c, size_t clen)
{
	size_t len = IKE_HDR_LEN, sa;
	uint8_t *b;

	memset(m, 0, IKE_HDR_LEN);
	memcpy(m, spi, 8);
	m[16] = clen ? PL_NOTIFY : PL_SA;
	m[17] = 0x20;			/* version 2.0 */
	m[18] = EXCH_IKE_SA_INIT;
	m[19] = FLAG_I;
	if (clen)
		len += put_cookie(m + len, c, clen);
	sa = sa_body(m + len + 4);
	pl_hdr(m + len, PL_KE, 4 + sa);
	len += 4 + sa;
	b = pl_hdr(m + len, PL_NONCE, 8 + KE_LEN);
	put16(b, 31);
	put16(b + 2, 0);
	rnd_bytes(f, b + 4, KE_LEN);
	len += 8 + KE_LEN;
	b = pl_hdr(m + len, PL_NONE, 4 + NONCE_LEN);
	memcpy(b, nonce, NONCE_LEN);
	len += 4 + NONCE_LEN;
	m[24] = 0;
	m[25] = 0;
	put16(m + 26, (unsigned int)len);
	return len;
}

/* The UDP payload: the non-ESP marker on 4500, then the request. */
static size_t udp_payload(struct flood *f, uint8_t *p, const uint8_t *spi,
			  const uint8_t *nonce, const uint8_t *c, size_t clen)
{
	size_t off = f->o.dport == 4500 ? 4 : 0;

	memset(p, 0, off);
	return off + ike_request(f, p + off, spi, nonce, c, clen);
}

/* --- spoofed datagrams ------------------------------------------------------ */

/* A checksum never sent as zero: for UDP, zero would mean "none". */
static uint16_t csum_fold_nz(uint32_t s)
{
	uint16_t c = csum_fold(s);

	return c ? c : 0xffff;
}

/* A random address in the prefix (host bits random, never all zero). */
static void rnd_addr(struct flood *f, uint8_t *a)
{
	unsigned int alen = f->o.family == AF_INET ? 4 : 16, i;
	uint8_t r[16];

	rnd_bytes(f, r, alen);
	for (i = 0; i < alen; i++) {
		unsigned int keep = f->o.plen > i * 8 ? f->o.plen - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

		a[i] = (uint8_t)((f->o.pfx[i] & mask) | (r[i] & ~mask));
	}
	a[alen - 1] |= f->o.plen < alen * 8;
}

/* UDP header and checksum at u, the payload after it; src/dst of alen. */
static void udp_hdr(struct flood *f, uint8_t *u, size_t plen,
		    const uint8_t *src, unsigned int alen)
{
	uint32_t s = 17 + 8 + (uint32_t)plen;

	put16(u, f->o.sport);
	put16(u + 2, f->o.dport);
	put16(u + 4, (unsigned int)(8 + plen));
	put16(u + 6, 0);
	s = csum_add(s, src, alen);
	s = csum_add(s, f->o.dst, alen);
	put16(u + 6, csum_fold_nz(csum_add(s, u, 8 + plen)));
}

/* One spoofed datagram into pkt; returns its length. */
static size_t spoof_packet(struct flood *f, uint8_t *pkt)
{
	uint8_t spi[8], nonce[NONCE_LEN];
	unsigned int hl = f->o.family == AF_INET ? 20 : 40;
	unsigned int alen = f->o.family == AF_INET ? 4 : 16;
	uint8_t *src = pkt + (alen == 4 ? 12 : 8);
	size_t plen;

	rnd_bytes(f, spi, 8);
	rnd_bytes(f, nonce, NONCE_LEN);
	plen = udp_payload(f, pkt + hl + 8, spi, nonce, NULL, 0);
	memset(pkt, 0, hl);
	rnd_addr(f, src);
	memcpy(src + alen, f->o.dst, alen);
	if (alen == 4) {
		pkt[0] = 0x45;
		put16(pkt + 2, (unsigned int)(hl + 8 + plen));
		pkt[8] = (uint8_t)f->o.ttl;
		pkt[9] = 17;
	} else {
		pkt[0] = 0x60;
		put16(pkt + 4, (unsigned int)(8 + plen));
		pkt[6] = 17;
		pkt[7] = (uint8_t)f->o.ttl;
	}
	udp_hdr(f, pkt + hl, plen, src, alen);
	return hl + 8 + plen;
}

static void dst_sockaddr(const struct opts *o, struct sockaddr_storage *ss,
			 socklen_t *sl, unsigned int port)
{
	memset(ss, 0, sizeof(*ss));
	if (o->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, o->dst, 4);
		*sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, o->dst, 16);
		*sl = sizeof(*s6);
	}
}

/* Sends the n messages of mm on the raw or packet socket; counts them. */
static void send_batch(struct flood *f, struct mmsghdr *mm, unsigned int n)
{
	int r = sendmmsg(f->raw, mm, n, 0);

	if (r < 0) {
		f->n.errors += n;
		return;
	}
	f->n.sent += (unsigned int)r;
	f->n.errors += n - (unsigned int)r;
}

/* Sends n spoofed datagrams at once on the raw IP socket. */
static void spoof_batch(struct flood *f, unsigned int n)
{
	static uint8_t pkts[BATCH][MSG_MAX + 64];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned int i;

	dst_sockaddr(&f->o, &ss, &sl, 0);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = spoof_packet(f, pkts[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &ss;
		mm[i].msg_hdr.msg_namelen = sl;
	}
	send_batch(f, mm, n);
}

/* --- prebuilt frames (-i) --------------------------------------------------- */

/* The checksum at c after len (even) bytes at old become nw (RFC 1624). */
static void csum_replace(uint8_t *c, const uint8_t *old, const uint8_t *nw,
			 size_t len)
{
	uint32_t s = ~get16(c) & 0xffff;
	size_t i;

	for (i = 0; i < len; i += 2)
		s += (~get16(old + i) & 0xffff) + get16(nw + i);
	put16(c, csum_fold_nz(s));
}

/* len bytes at p become nw; the checksums at c1 and c2 (if any) follow. */
static void renew(uint8_t *p, const uint8_t *nw, size_t len, uint8_t *c1,
		  uint8_t *c2)
{
	csum_replace(c1, p, nw, len);
	if (c2)
		csum_replace(c2, p, nw, len);
	memcpy(p, nw, len);
}

/* A new source address, SPIi and Ni in the frame at fr. */
static void frame_renew(struct flood *f, uint8_t *fr)
{
	bool v4 = f->o.family == AF_INET;
	uint8_t *ip = fr + ETH_LEN, *usum = ip + (v4 ? 20 : 40) + 6;
	uint8_t nw[NONCE_LEN];

	rnd_addr(f, nw);
	renew(ip + (v4 ? 12 : 8), nw, v4 ? 4 : 16, usum, v4 ? ip + 10 : NULL);
	rnd_bytes(f, nw, 8);
	renew(fr + f->fr->spi, nw, 8, usum, NULL);
	rnd_bytes(f, nw, NONCE_LEN);
	renew(fr + f->fr->nonce, nw, NONCE_LEN, usum, NULL);
}

/* Sends n frames at once, each renewed. */
static void frames_batch(struct flood *f, unsigned int n)
{
	struct frames *x = f->fr;
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	unsigned int i;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		frame_renew(f, x->buf[i]);
		iov[i].iov_base = x->buf[i];
		iov[i].iov_len = x->len[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &x->to;
		mm[i].msg_hdr.msg_namelen = sizeof(x->to);
	}
	send_batch(f, mm, n);
}

/* The frames, each a spoofed datagram behind an Ethernet header from src. */
static void frames_build(struct flood *f, const uint8_t *src)
{
	struct frames *x = f->fr;
	bool v4 = f->o.family == AF_INET;
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		uint8_t *ip = x->buf[i] + ETH_LEN;

		memcpy(x->buf[i], f->o.mac, 6);
		memcpy(x->buf[i] + 6, src, 6);
		put16(x->buf[i] + 12, v4 ? ETH_P_IP : ETH_P_IPV6);
		x->len[i] = ETH_LEN + spoof_packet(f, ip);
		if (v4)
			put16(ip + 10, csum_fold_nz(csum_add(0, ip, 20)));
	}
	x->spi = ETH_LEN + (v4 ? 20 : 40) + 8 + (f->o.dport == 4500 ? 4 : 0);
	x->nonce = x->len[0] - NONCE_LEN;	/* Ni is the last payload */
}

/* --- real sources (cookie mode) -------------------------------------------- */

/* The i-th source address of the prefix (prefix + 1 + i). */
static void source_addr(const struct opts *o, uint32_t i, uint8_t *a)
{
	unsigned int alen = o->family == AF_INET ? 4 : 16, k;
	uint32_t carry = i + 1;

	memcpy(a, o->pfx, alen);
	for (k = alen; k-- > 0 && carry;) {
		carry += a[k];
		a[k] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* Control message choosing the source address of one datagram. */
static size_t pktinfo(const struct opts *o, uint32_t src, uint8_t *buf)
{
	struct cmsghdr *c = (struct cmsghdr *)buf;

	if (o->family == AF_INET) {
		struct in_pktinfo pi = { 0 };

		source_addr(o, src, (uint8_t *)&pi.ipi_spec_dst);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	struct in6_pktinfo pi6 = { 0 };

	source_addr(o, src, (uint8_t *)&pi6.ipi6_addr);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi6));
	memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
	return CMSG_SPACE(sizeof(pi6));
}

/* Sends pending request p from its source, with the cookie if given. */
static int send_real(struct flood *f, const struct pending *p,
		     const uint8_t *c, size_t clen)
{
	uint8_t msg[MSG_MAX], cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = msg };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t sl;

	memset(cbuf, 0, sizeof(cbuf));
	dst_sockaddr(&f->o, &ss, &sl, f->o.dport);
	iov.iov_len = udp_payload(f, msg, p->spi, p->nonce, c, clen);
	mh.msg_name = &ss;
	mh.msg_namelen = sl;
	mh.msg_control = cbuf;
	mh.msg_controllen = pktinfo(&f->o, p->src, cbuf);
	if (sendmsg(f->udp, &mh, 0) < 0) {
		f->n.errors++;
		return -1;
	}
	return 0;
}

/* A new request from the next source; its slot is picked by the SPI. */
static void real_new(struct flood *f)
{
	uint64_t seq = f->n.sent + f->n.errors;
	struct pending *p = &f->pend[seq % PENDING];

	rnd_bytes(f, p->spi, 6);
	p->spi[6] = (uint8_t)((seq % PENDING) >> 8);
	p->spi[7] = (uint8_t)(seq % PENDING);
	rnd_bytes(f, p->nonce, NONCE_LEN);
	p->src = (uint32_t)(seq % f->o.sources);
	p->resent = 0;
	if (!send_real(f, p, NULL, 0))
		f->n.sent++;
}

/* --- answers ---------------------------------------------------------------- */

static void answer_notify(struct answer *a, const uint8_t *b, size_t len)
{
	unsigned int type;

	if (len < 4 || b[1])	/* SPI size 0 only */
		return;
	type = get16(b + 2);
	if (type == N_COOKIE && len - 4 >= 1 && len - 4 <= COOKIE_MAX) {
		a->cookie = b + 4;
		a->cookie_len = len - 4;
	} else if (type == N_PUZZLE) {
		a->puzzle = true;
	}
}

/* Parses an IKE_SA_INIT answer; -1 if it is none. */
static int parse_answer(const uint8_t *m, size_t len, struct answer *a)
{
	size_t off = IKE_HDR_LEN, plen;
	unsigned int next;

	memset(a, 0, sizeof(*a));
	if (len < IKE_HDR_LEN || m[18] != EXCH_IKE_SA_INIT ||
	    !(m[19] & FLAG_R) || get16(m + 26) > len)
		return -1;
	memcpy(a->spi, m, 8);
	len = get16(m + 26);
	for (next = m[16]; next != PL_NONE; next = m[off], off += plen) {
		if (len - off < 4)
			return -1;
		plen = get16(m + off + 2);
		if (plen < 4 || plen > len - off)
			return -1;
		if (next == PL_NOTIFY)
			answer_notify(a, m + off + 4, plen - 4);
		else if (next == PL_SA)
			a->sa = true;
	}
	return 0;
}

static void count_answer(struct flood *f, const struct answer *a)
{
	f->n.replies++;
	if (a->sa)
		f->n.accepted++;
	else if (a->cookie)
		f->n.cookies++;
	else
		f->n.other++;
	if (a->puzzle)
		f->n.puzzles++;
}

/* Cookie mode: the request the answer is for, resent with its cookie. */
static void resend_cookie(struct flood *f, const struct answer *a)
{
	struct pending *p;

	if (f->o.mode != MODE_COOKIE || !a->cookie)
		return;
	p = &f->pend[get16(a->spi + 6) % PENDING];
	if (memcmp(p->spi, a->spi, 8) || p->resent >= RESEND_MAX)
		return;
	p->resent++;
	if (!send_real(f, p, a->cookie, a->cookie_len))
		f->n.resent++;
}

/* Reads every answer waiting on the UDP socket. */
static void read_answers(struct flood *f)
{
	unsigned int off = f->o.sport == 4500 ? 4 : 0;
	uint8_t buf[2048];
	struct answer a;
	ssize_t r;

	if (f->udp < 0)
		return;
	while ((r = recv(f->udp, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		if ((size_t)r < off || (off && (get16(buf) | get16(buf + 2))))
			continue;
		if (parse_answer(buf + off, (size_t)r - off, &a))
			continue;
		count_answer(f, &a);
		resend_cookie(f, &a);
	}
}

/* --- the run ---------------------------------------------------------------- */

static void wait_until(struct flood *f, double t)
{
	struct pollfd pfd = { .fd = f->udp, .events = POLLIN };
	double left = t - now();

	if (left <= 0)
		return;
	if (f->udp < 0) {
		usleep((useconds_t)(left * 1e6));
		return;
	}
	if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0)
		read_answers(f);
}

/* Sends n new requests. */
static void send_new(struct flood *f, unsigned int n)
{
	if (f->fr) {
		frames_batch(f, n);
		return;
	}
	if (f->o.mode == MODE_SPOOF) {
		spoof_batch(f, n);
		return;
	}
	while (n--)
		real_new(f);
}

/* Paces new requests; returns the seconds spent sending. */
static double run(struct flood *f)
{
	double start = now(), end = start + (double)f->o.secs, t;
	unsigned long due, done = 0;
	unsigned int n;

	while (!stopping && done < f->o.count && (t = now()) < end) {
		read_answers(f);
		due = (unsigned long)((t - start) * (double)f->o.pps) + 1;
		if (due > f->o.count)
			due = f->o.count;
		if (due <= done) {
			wait_until(f, start + (double)(done + 1) / (double)f->o.pps);
			continue;
		}
		n = due - done > BATCH ? BATCH : (unsigned int)(due - done);
		send_new(f, n);
		done += n;
	}
	t = now() - start;
	end = now() + f->o.drain_ms / 1000.0;
	while (now() < end)
		wait_until(f, end);
	return t;
}

/* --- setup -------------------------------------------------------------------- */

static int open_raw(struct flood *f)
{
	int one = 1;

	f->raw = socket(f->o.family, SOCK_RAW, IPPROTO_RAW);
	if (f->raw < 0) {
		perror("moat-ikeflood: raw socket");
		return -1;
	}
	if (f->o.family == AF_INET &&
	    setsockopt(f->raw, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("moat-ikeflood: IP_HDRINCL");
		return -1;
	}
	return 0;
}

/* The packet socket on -i, sending to -M, and the frames. */
static int open_link(struct flood *f)
{
	struct ifreq ifr = { 0 };
	int one = 1, ifindex = (int)if_nametoindex(f->o.ifname);

	if (!ifindex) {
		fprintf(stderr, "moat-ikeflood: no interface %s\n", f->o.ifname);
		return -1;
	}
	/* Protocol 0: this socket sends and never receives. */
	f->raw = socket(AF_PACKET, SOCK_RAW, 0);
	f->fr = calloc(1, sizeof(*f->fr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", f->o.ifname);
	if (f->raw < 0 || !f->fr || ioctl(f->raw, SIOCGIFHWADDR, &ifr)) {
		perror("moat-ikeflood: packet socket");
		return -1;
	}
	/* Straight to the driver; veth has no queue anyway. */
	setsockopt(f->raw, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	f->fr->to.sll_family = AF_PACKET;
	f->fr->to.sll_ifindex = ifindex;
	f->fr->to.sll_protocol = htons(f->o.family == AF_INET ? ETH_P_IP :
				       ETH_P_IPV6);
	f->fr->to.sll_halen = 6;
	memcpy(f->fr->to.sll_addr, f->o.mac, 6);
	frames_build(f, (const uint8_t *)ifr.ifr_hwaddr.sa_data);
	return 0;
}

/* The UDP socket on SPORT, any address; answers to local sources. */
static int open_udp(struct flood *f)
{
	struct sockaddr_storage ss;
	uint8_t any[16];
	socklen_t sl;
	int one = 1;
	int lvl = f->o.family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = f->o.family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND;

	f->udp = socket(f->o.family, SOCK_DGRAM, 0);
	if (f->udp < 0)
		return -1;
	memcpy(any, f->o.dst, 16);
	memset(f->o.dst, 0, 16);
	dst_sockaddr(&f->o, &ss, &sl, f->o.sport);
	memcpy(f->o.dst, any, 16);
	setsockopt(f->udp, lvl, opt, &one, sizeof(one));
	setsockopt(f->udp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (f->o.family == AF_INET6)
		setsockopt(f->udp, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(f->udp, (struct sockaddr *)&ss, sl)) {
		perror("moat-ikeflood: bind");
		close(f->udp);
		f->udp = -1;
		return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: moat-ikeflood -m spoof|cookie -d DEST -s PREFIX [-p 500|4500]\n"
		"	[-r PPS] [-n COUNT] [-t SECONDS] [-c SOURCES] [-P SPORT]\n"
		"	[-T TTL] [-w DRAIN_MS] [-i IFNAME -M MAC]\n");
	return 2;
}

static int parse_num(const char *s, unsigned long lo, unsigned long hi,
		     unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || end == s || *end || *v < lo || *v > hi ? -1 : 0;
}

static int parse_prefix(struct opts *o, char *s)
{
	char *slash = strchr(s, '/');
	unsigned long plen;
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;

	if (!slash || (o->family && fam != o->family))
		return -1;
	*slash = 0;
	o->family = fam;
	if (inet_pton(fam, s, o->pfx) != 1 ||
	    parse_num(slash + 1, 0, fam == AF_INET ? 32 : 128, &plen))
		return -1;
	o->plen = (unsigned int)plen;
	return 0;
}

static int parse_dest(struct opts *o, const char *s)
{
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;

	if (o->family && fam != o->family)
		return -1;
	o->family = fam;
	return inet_pton(fam, s, o->dst) == 1 ? 0 : -1;
}

static int parse_mac(struct opts *o, const char *s)
{
	unsigned int m[6], i;
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (m[i] > 0xff)
			return -1;
		o->mac[i] = (uint8_t)m[i];
	}
	o->have_mac = true;
	return 0;
}

static int parse_ifname(struct opts *o, const char *s)
{
	o->ifname = s;
	return *s && strlen(s) < IFNAMSIZ ? 0 : -1;
}

static int parse_mode(struct opts *o, const char *s)
{
	if (!strcmp(s, "spoof"))
		o->mode = MODE_SPOOF;
	else if (!strcmp(s, "cookie"))
		o->mode = MODE_COOKIE;
	else
		return -1;
	return 0;
}

/* One option; -1 on a bad value. */
static int parse_opt(struct opts *o, int c, char *arg)
{
	unsigned long v = 0;

	switch (c) {
	case 'm': return parse_mode(o, arg);
	case 'd': return parse_dest(o, arg);
	case 's': return parse_prefix(o, arg);
	case 'r': return parse_num(arg, 1, 10000000, &o->pps);
	case 'n': return parse_num(arg, 1, 1000000000, &o->count);
	case 't': return parse_num(arg, 1, 600, &o->secs);
	case 'i': return parse_ifname(o, arg);
	case 'M': return parse_mac(o, arg);
	}
	if (parse_num(arg, 0, 65535, &v))
		return -1;
	switch (c) {
	case 'p': o->dport = (unsigned int)v; return v == 500 || v == 4500 ? 0 : -1;
	case 'P': o->sport = (unsigned int)v; return v ? 0 : -1;
	case 'T': o->ttl = (unsigned int)v; return v && v < 256 ? 0 : -1;
	case 'c': o->sources = (unsigned int)v; return v && v <= SOURCES_MAX ? 0 : -1;
	case 'w': o->drain_ms = (unsigned int)v; return 0;
	}
	return -1;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	bool have_d = false, have_s = false;
	int c;

	*o = (struct opts){ .mode = MODE_SPOOF, .dport = 500, .ttl = 64,
			    .sources = 64, .drain_ms = 300, .pps = 1000,
			    .count = 10000, .secs = 10 };
	while ((c = getopt(argc, argv, "m:d:s:p:r:n:t:c:P:T:w:i:M:")) != -1) {
		if (c == '?' || parse_opt(o, c, optarg)) {
			fprintf(stderr, "moat-ikeflood: bad -%c\n", c);
			return -1;
		}
		have_d |= c == 'd';
		have_s |= c == 's';
	}
	if (optind != argc || !have_d || !have_s)
		return -1;
	/* Frames need both ends, and only spoof mode sends them. */
	if (!o->ifname != !o->have_mac ||
	    (o->ifname && o->mode != MODE_SPOOF))
		return -1;
	if (!o->sport)
		o->sport = o->dport;
	return 0;
}

static void report(const struct flood *f, double secs)
{
	const struct counts *n = &f->n;

	printf("moat-ikeflood: %lu requests in %.2f s (%.0f/s), %lu answers\n",
	       n->sent, secs, n->sent / secs, n->replies);
	printf("ikeflood: mode=%s sent=%lu resent=%lu seconds=%.2f pps=%.0f "
	       "replies=%lu cookies=%lu puzzles=%lu accepted=%lu other=%lu "
	       "errors=%lu\n", f->o.mode == MODE_SPOOF ? "spoof" : "cookie",
	       n->sent, n->resent, secs, n->sent / secs, n->replies,
	       n->cookies, n->puzzles, n->accepted, n->other, n->errors);
}

static int setup(struct flood *f)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (getrandom(&f->rng, sizeof(f->rng), 0) != sizeof(f->rng))
		return -1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	f->raw = f->udp = -1;
	if (f->o.mode == MODE_SPOOF) {
		open_udp(f);	/* answers are counted only if they come */
		return f->o.ifname ? open_link(f) : open_raw(f);
	}
	f->pend = calloc(PENDING, sizeof(*f->pend));
	return f->pend ? open_udp(f) : -1;
}

int main(int argc, char **argv)
{
	struct flood f = { 0 };
	double secs;

	if (parse_args(&f.o, argc, argv))
		return usage();
	if (setup(&f))
		return 1;
	secs = run(&f);
	report(&f, secs > 0 ? secs : 1e-9);
	free(f.pend);
	free(f.fr);
	return 0;
}
