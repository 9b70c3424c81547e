// SPDX-License-Identifier: GPL-2.0
/*
 * moat-nlfuzz: a seeded, bounded fuzzer for the "moat" generic netlink
 * family. It speaks genetlink on a raw socket, so it can send what no
 * library would build, and keeps a model of the device so that it knows
 * what each request ought to do.
 *
 *   moat-nlfuzz fuzz [-s SEED] [-n COUNT] [-t SECS] [-c PERCENT] [-l LOG]
 *                    [-e EXPECTED] DEV
 *   moat-nlfuzz replay LOG DEV
 *   moat-nlfuzz unpriv [-s SEED] [-n COUNT] DEV
 *
 * fuzz creates the moat device DEV in the current namespace (deleting any
 * old one) and sends it COUNT requests (default 100000); it fails if SECS
 * (default 600) run out first. They mix valid requests built from the
 * model (peers with selectors, SAs, link settings incl. the caps, dumps)
 * with invalid ones: wrong attribute types and lengths, bad nesting,
 * missing, unknown and read-only attributes, out-of-range and huge
 * values, valid-looking requests with one field broken, random bytes,
 * broken netlink framing, every command number with and without
 * NLM_F_DUMP. Each request is labelled valid, invalid, or "either" when
 * nobody can tell (random bytes, mostly).
 *
 * During the first PERCENT (default 8) of the requests, the churn phase,
 * a child process deletes and re-creates DEV all the time, either with
 * RTM_DELLINK or by letting the namespace DEV was created from die. Only
 * invalid requests are judged then. Afterwards no UDP socket may be left
 * in the namespace. Then DEV is created afresh and the final phase judges
 * everything:
 *  - a request known to be invalid must be refused, with an errno;
 *  - a request known to be valid must be accepted;
 *  - every CHECK_EVERY requests and at the end, the device as dumped must
 *    equal the model, which follows accepted valid requests only: what
 *    the kernel refused changed nothing.
 * A summary goes to stdout, failures (three of a kind in full) to stderr.
 * With -l, every request of the final phase that the kernel accepted
 * with a command that changes state goes to LOG: the command, the netlink
 * flags and the attributes other than the ones naming the device, in hex.
 * With -e, EXPECTED gets at the end, in the same form, the few requests
 * that build the model's state (the one the valid requests alone make)
 * from scratch.
 *
 * replay sends the requests of LOG or EXPECTED to DEV, naming it by
 * name; every one must be accepted. Compare the devices' state after.
 *
 * unpriv is for a caller without CAP_NET_ADMIN: each command the family
 * has, GETs and dumps included, must fail with EPERM, any other command
 * with EOPNOTSUPP, and joining the events group must fail.
 *
 * Exit status: 0 when every check held, 1 when one failed, 2 on bad usage
 * or when the setup failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <linux/moat.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define CHECK_EVERY	250	/* final phase: compare with the kernel this often */
#define MAX_REPORTS	25	/* failures printed in full */
#define MODEL_PEERS	20	/* the generator keeps the device about this small */
#define MODEL_SAS	120
#define MAXP		64
#define MAXS		1024

/* ---------------------------------------------------------------- utils */

static uint64_t rng;

static uint64_t rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static void rnd_seed(uint64_t seed)
{
	rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (!rng)
		rng = 1;
	rnd64();
}

/* Uniform enough in [0, n). */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static uint64_t rnd_in(uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;

	return span ? lo + rnd64() % span : rnd64();
}

static void rnd_fill(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = (uint8_t)rnd64();
}

/*
 * Coarse: a VM under TCG often has no clock the vDSO can read, and then
 * every precise reading is a system call costing as much as a request.
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hex(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * i] = '\0';
}

/* ------------------------------------------------------ netlink messages */

#define MSGMAX	65536

/* A netlink message under construction. */
struct mbuf {
	uint8_t b[MSGMAX];
	size_t len;
};

static struct nlmsghdr *mb_hdr(struct mbuf *m)
{
	return (struct nlmsghdr *)m->b;
}

static void mb_put(struct mbuf *m, const void *p, size_t n)
{
	size_t pad = NLMSG_ALIGN(n) - n;

	if (m->len + n + pad > sizeof(m->b))
		return;
	memcpy(m->b + m->len, p, n);
	memset(m->b + m->len + n, 0, pad);
	m->len += n + pad;
}

static void mb_init(struct mbuf *m, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags };

	m->len = 0;
	mb_put(m, &h, sizeof(h));
}

static void mb_genl(struct mbuf *m, uint8_t cmd)
{
	struct genlmsghdr g = { .cmd = cmd, .version = MOAT_GENL_VERSION };

	mb_put(m, &g, sizeof(g));
}

static size_t mb_attr(struct mbuf *m, uint16_t type, const void *p, size_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n),
			    .nla_type = type };
	size_t off = m->len;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(n) > sizeof(m->b))
		return off;
	memcpy(m->b + m->len, &a, sizeof(a));
	m->len += NLA_HDRLEN;
	if (n)
		memcpy(m->b + m->len, p, n);
	memset(m->b + m->len + n, 0, NLA_ALIGN(n) - n);
	m->len += NLA_ALIGN(n);
	return off;
}

static void mb_str(struct mbuf *m, uint16_t type, const char *s)
{
	mb_attr(m, type, s, strlen(s) + 1);
}

static void mb_u32(struct mbuf *m, uint16_t type, uint32_t v)
{
	mb_attr(m, type, &v, sizeof(v));
}

static size_t mb_nest(struct mbuf *m, uint16_t type)
{
	return mb_attr(m, type | NLA_F_NESTED, NULL, 0);
}

static void mb_nest_end(struct mbuf *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->b + off);

	a->nla_len = (uint16_t)(m->len - off);
}

static void mb_end(struct mbuf *m)
{
	mb_hdr(m)->nlmsg_len = (uint32_t)m->len;
}

/* Attributes of @p..@p+@len indexed by type (flags stripped), up to @max. */
static void attrs_parse(const void *p, int len, const struct nlattr **tb,
			int max)
{
	const struct nlattr *a = p;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

static const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static int attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static uint64_t attr_uint(const struct nlattr *a)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64 = 0;

	if (!a)
		return 0;
	switch (attr_len(a)) {
	case 1:
		memcpy(&v8, attr_data(a), 1);
		return v8;
	case 2:
		memcpy(&v16, attr_data(a), 2);
		return v16;
	case 4:
		memcpy(&v32, attr_data(a), 4);
		return v32;
	case 8:
		memcpy(&v64, attr_data(a), 8);
		return v64;
	}
	return 0;
}

/* ------------------------------------------------------- netlink socket */

struct nl {
	int fd;
	uint32_t seq;
	uint16_t family;
	uint32_t mcgrp;
	int replies;		/* messages the last request got back */
	char err[256];		/* the kernel's reason for the last refusal */
};

/* Results besides 0 and -errno. */
#define R_NONE		1	/* no answer: only the barrier came back */
#define R_TIMEOUT	2	/* nothing at all came back */

static uint8_t rxbuf[1 << 17];

static int nl_open(struct nl *nl, int proto)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 30 };
	int one = 1, big = 1 << 20;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		close(nl->fd);
		return -err;
	}
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

static int nl_send_raw(struct nl *nl, const void *buf, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	ssize_t n;

	n = sendto(nl->fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/* A NOOP that asks for an ACK: everything sent before it was handled. */
static uint32_t nl_barrier(struct nl *nl)
{
	struct nlmsghdr h = {
		.nlmsg_len = sizeof(h),
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nlmsg_seq = ++nl->seq,
	};

	return nl_send_raw(nl, &h, sizeof(h)) ? 0 : h.nlmsg_seq;
}

static void nl_extack(struct nl *nl, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	nl->err[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len < off)
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
	if (off >= h->nlmsg_len)
		return;
	attrs_parse((const char *)h + off, (int)(h->nlmsg_len - off), tb,
		    NLMSGERR_ATTR_MAX);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->err, sizeof(nl->err), "%.*s",
			 attr_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)attr_data(tb[NLMSGERR_ATTR_MSG]));
}

typedef void (*reply_fn)(const struct nlmsghdr *h, void *arg);

/*
 * Reads until request @seq is answered: by an error or ACK, or by the end
 * of its dump. With a @barrier, also stops when the barrier's ACK comes
 * back and no dump of @seq is running: then the answer is R_NONE, or 0 if
 * replies came. Returns 0, -errno, R_NONE or R_TIMEOUT.
 */
static int nl_wait(struct nl *nl, uint32_t seq, uint32_t barrier, reply_fn fn,
		   void *arg)
{
	int result = R_NONE, done = 0, dumping = 0, barrier_back = 0;
	const struct nlmsghdr *h;
	ssize_t n;

	nl->replies = 0;
	nl->err[0] = '\0';
	while (!done && !(barrier_back && !dumping)) {
		n = recv(nl->fd, rxbuf, sizeof(rxbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? R_TIMEOUT : -errno;
		}
		for (h = (const struct nlmsghdr *)rxbuf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (barrier && h->nlmsg_seq == barrier) {
				barrier_back = 1;
				continue;
			}
			if (h->nlmsg_seq != seq || done)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
				result = ((const struct nlmsgerr *)
					  NLMSG_DATA(h))->error;
				nl_extack(nl, h);
				done = 1;
			} else if (h->nlmsg_type == NLMSG_DONE) {
				result = 0;
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&result, NLMSG_DATA(h),
					       sizeof(int));
				done = 1;
			} else {
				dumping |= !!(h->nlmsg_flags & NLM_F_MULTI);
				nl->replies++;
				if (fn)
					fn(h, arg);
			}
		}
	}
	if (!done && nl->replies)
		result = 0;
	return result;
}

/* Sends a finished message and waits for its answer. */
static int nl_call(struct nl *nl, struct mbuf *m, reply_fn fn, void *arg)
{
	int ret;

	mb_hdr(m)->nlmsg_seq = ++nl->seq;
	mb_end(m);
	ret = nl_send_raw(nl, m->b, m->len);
	if (ret)
		return ret;
	return nl_wait(nl, mb_hdr(m)->nlmsg_seq, 0, fn, arg);
}

static void on_family(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *grp;
	struct nl *nl = arg;
	int rem;

	attrs_parse((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
		    (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)), tb,
		    CTRL_ATTR_MAX);
	nl->family = (uint16_t)attr_uint(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return;
	grp = attr_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	rem = attr_len(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (rem >= NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN &&
	       grp->nla_len <= rem) {
		attrs_parse(attr_data(grp), attr_len(grp), g,
			    CTRL_ATTR_MCAST_GRP_MAX);
		if (g[CTRL_ATTR_MCAST_GRP_NAME] &&
		    !strcmp(attr_data(g[CTRL_ATTR_MCAST_GRP_NAME]),
			    MOAT_MCGRP_EVENTS))
			nl->mcgrp = (uint32_t)attr_uint(g[CTRL_ATTR_MCAST_GRP_ID]);
		rem -= NLA_ALIGN(grp->nla_len);
		grp = (const struct nlattr *)((const char *)grp +
					      NLA_ALIGN(grp->nla_len));
	}
}

/* A generic netlink socket with the moat family resolved. */
static int nl_open_moat(struct nl *nl)
{
	static struct mbuf m;
	int ret;

	ret = nl_open(nl, NETLINK_GENERIC);
	if (ret) {
		fprintf(stderr, "moat-nlfuzz: netlink socket: %s\n",
			strerror(-ret));
		return ret;
	}
	mb_init(&m, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK);
	mb_genl(&m, CTRL_CMD_GETFAMILY);
	mb_str(&m, CTRL_ATTR_FAMILY_NAME, MOAT_GENL_NAME);
	ret = nl_call(nl, &m, on_family, nl);
	if (ret || !nl->family) {
		fprintf(stderr, "moat-nlfuzz: no \"%s\" genetlink family\n",
			MOAT_GENL_NAME);
		return -ENOENT;
	}
	return 0;
}

/* ------------------------------------------------------------ rtnetlink */

/* Creates moat device @name, in the namespace of @nsfd if it is >= 0. */
static int link_add(const char *name, int nsfd)
{
	static struct mbuf m;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl rt;
	size_t info;
	int ret;

	ret = nl_open(&rt, NETLINK_ROUTE);
	if (ret)
		return ret;
	mb_init(&m, RTM_NEWLINK,
		NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	mb_put(&m, &ifi, sizeof(ifi));
	mb_str(&m, IFLA_IFNAME, name);
	info = mb_nest(&m, IFLA_LINKINFO);
	mb_str(&m, IFLA_INFO_KIND, "moat");
	mb_nest_end(&m, info);
	if (nsfd >= 0)
		mb_u32(&m, IFLA_NET_NS_FD, (uint32_t)nsfd);
	ret = nl_call(&rt, &m, NULL, NULL);
	close(rt.fd);
	return ret;
}

static int link_del(const char *name)
{
	static struct mbuf m;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl rt;
	int ret;

	ret = nl_open(&rt, NETLINK_ROUTE);
	if (ret)
		return ret;
	mb_init(&m, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
	mb_put(&m, &ifi, sizeof(ifi));
	mb_str(&m, IFLA_IFNAME, name);
	ret = nl_call(&rt, &m, NULL, NULL);
	close(rt.fd);
	return ret;
}

static void on_newlink(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);

	if (h->nlmsg_type == RTM_NEWLINK &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)))
		*(int *)arg = ifi->ifi_index;
}

/*
 * The index of device @name, 0 if there is none. Not if_nametoindex():
 * for a missing name, that makes the kernel run modprobe twice.
 */
static int link_index(const char *name)
{
	static struct mbuf m;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl rt;
	int idx = 0;

	if (nl_open(&rt, NETLINK_ROUTE))
		return 0;
	mb_init(&m, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
	mb_put(&m, &ifi, sizeof(ifi));
	mb_str(&m, IFLA_IFNAME, name);
	if (nl_call(&rt, &m, on_newlink, &idx))
		idx = 0;
	close(rt.fd);
	return idx;
}

/* Waits up to @secs for device @name to be gone. */
static int link_wait_gone(const char *name, double secs)
{
	double end = now_s() + secs;

	while (link_index(name)) {
		if (now_s() > end)
			return -ETIMEDOUT;
		usleep(2000);
	}
	return 0;
}

/* UDP sockets in this namespace, from /proc/net/udp and udp6. */
static int udp_sockets(char *what, size_t len)
{
	static const char *const files[] = { "/proc/net/udp", "/proc/net/udp6" };
	char line[512];
	int n = 0;
	size_t i;

	what[0] = '\0';
	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		int first = 1;

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (first) {
				first = 0;
				continue;
			}
			n++;
			if (strlen(what) + strlen(line) + 2 < len)
				strcat(what, line);
		}
		fclose(f);
	}
	return n;
}

/* -------------------------------------------------------------- the model */

struct mts {
	uint8_t fam, plen;
	uint8_t a[16];
};

struct mpeer {
	uint8_t fam;
	uint8_t remote[16];
	uint8_t has_local;
	uint8_t local[16];
	uint8_t encap;
	uint16_t sport, dport;
	uint32_t n_sas;		/* as dumped; the model counts its own */
	int nts;
	struct mts ts[MOAT_TS_MAX];
};

enum { LT_SB, LT_SP, LT_SS, LT_HB, LT_HP, LT_HS, LT_N };

struct msa {
	uint8_t fam;		/* the peer's remote address */
	uint8_t remote[16];
	uint32_t spi;
	uint8_t dir, state;
	int8_t alg;		/* 0 AES-GCM, 1 ChaCha20-Poly1305, -1 other */
	uint8_t esn;
	uint32_t window;
	uint64_t lt[LT_N];
};

enum { L_MSS, L_FLOOR4, L_MAX_PEERS, L_MAX_SAS, L_N };

struct model {
	uint32_t link[L_N];
	uint32_t n_peers, n_sas;	/* as dumped */
	int npeers;
	struct mpeer peers[MAXP];
	int nsas;
	struct msa sas[MAXS];
	int overflow;			/* the kernel had more than fits */
};

static const char *const alg_names[2] = { MOAT_ALG_AES_GCM,
					  MOAT_ALG_CHACHAPOLY };

static int addr_len(uint8_t fam)
{
	return fam == 4 ? 4 : 16;
}

static void model_reset(struct model *m)
{
	m->link[L_MSS] = MOAT_MSS_CLAMP_AUTO;
	m->link[L_FLOOR4] = MOAT_PMTU_FLOOR4_DEFAULT;
	m->link[L_MAX_PEERS] = MOAT_MAX_PEERS_DEFAULT;
	m->link[L_MAX_SAS] = MOAT_MAX_SAS_DEFAULT;
	m->n_peers = m->n_sas = 0;
	m->npeers = m->nsas = 0;
	m->overflow = 0;
}

static int peer_find(const struct model *m, uint8_t fam, const uint8_t *a)
{
	int i;

	for (i = 0; i < m->npeers; i++)
		if (m->peers[i].fam == fam &&
		    !memcmp(m->peers[i].remote, a, addr_len(fam)))
			return i;
	return -1;
}

static int sa_on_peer(const struct msa *s, const struct mpeer *p)
{
	return s->fam == p->fam && !memcmp(s->remote, p->remote,
					   addr_len(p->fam));
}

static int peer_sas(const struct model *m, const struct mpeer *p, int dir)
{
	int i, n = 0;

	for (i = 0; i < m->nsas; i++)
		if (sa_on_peer(&m->sas[i], p) && (!dir || m->sas[i].dir == dir))
			n++;
	return n;
}

/* The SA (@dir, @spi) on peer @p, or on the first peer that has one. */
static int sa_find(const struct model *m, const struct mpeer *p, uint8_t dir,
		   uint32_t spi)
{
	int i, j;

	for (j = 0; j < m->npeers; j++) {
		const struct mpeer *q = &m->peers[j];

		if (p && p != q)
			continue;
		for (i = 0; i < m->nsas; i++)
			if (sa_on_peer(&m->sas[i], q) &&
			    m->sas[i].dir == dir && m->sas[i].spi == spi)
				return i;
	}
	return -1;
}

static int spi_in_used(const struct model *m, uint32_t spi)
{
	int i;

	for (i = 0; i < m->nsas; i++)
		if (m->sas[i].dir == MOAT_DIR_IN && m->sas[i].spi == spi)
			return 1;
	return 0;
}

/* A selector with its host bits cleared, as the kernel keeps it. */
static void ts_mask(struct mts *t)
{
	int i, bits;

	for (i = 0; i < addr_len(t->fam); i++) {
		bits = t->plen - 8 * i;
		if (bits <= 0)
			t->a[i] = 0;
		else if (bits < 8)
			t->a[i] &= (uint8_t)(0xff << (8 - bits));
	}
	if (t->fam == 4)
		memset(t->a + 4, 0, 12);
}

static int ts_same(const struct mts *a, const struct mts *b)
{
	return a->fam == b->fam && a->plen == b->plen &&
	       !memcmp(a->a, b->a, 16);
}

/* The peer owning masked selector @t, or -1. */
static int ts_owner(const struct model *m, const struct mts *t)
{
	int i, j;

	for (i = 0; i < m->npeers; i++)
		for (j = 0; j < m->peers[i].nts; j++)
			if (ts_same(&m->peers[i].ts[j], t))
				return i;
	return -1;
}

static void sa_remove(struct model *m, int i)
{
	struct msa gone = m->sas[i];
	int j;

	memmove(&m->sas[i], &m->sas[i + 1], (m->nsas - i - 1) * sizeof(gone));
	m->nsas--;
	if (gone.state != MOAT_SA_STATE_CURRENT)
		return;
	/* The next outbound SA takes over. */
	for (j = 0; j < m->nsas; j++)
		if (m->sas[j].fam == gone.fam &&
		    !memcmp(m->sas[j].remote, gone.remote, 16) &&
		    m->sas[j].state == MOAT_SA_STATE_NEXT)
			m->sas[j].state = MOAT_SA_STATE_CURRENT;
}

static void sa_flush(struct model *m, const struct mpeer *only)
{
	int i = 0;

	while (i < m->nsas) {
		if (!only || sa_on_peer(&m->sas[i], only))
			sa_remove(m, i);
		else
			i++;
	}
}

/* What an accepted valid request does to the model. */
enum { E_NONE, E_LINK, E_PEER_ADD, E_PEER_DEL, E_SA_ADD, E_SA_DEL, E_FLUSH };

struct effect {
	int kind;
	int has[L_N];
	uint32_t link[L_N];
	int peer;		/* index: E_PEER_DEL, E_FLUSH (-1: all) */
	int sa;			/* index: E_SA_DEL */
	struct mpeer newpeer;
	struct msa newsa;
};

static void model_apply(struct model *m, const struct effect *e)
{
	int i;

	switch (e->kind) {
	case E_LINK:
		for (i = 0; i < L_N; i++)
			if (e->has[i])
				m->link[i] = e->link[i];
		break;
	case E_PEER_ADD:
		if (m->npeers < MAXP)
			m->peers[m->npeers++] = e->newpeer;
		break;
	case E_PEER_DEL:
		sa_flush(m, &m->peers[e->peer]);
		memmove(&m->peers[e->peer], &m->peers[e->peer + 1],
			(m->npeers - e->peer - 1) * sizeof(m->peers[0]));
		m->npeers--;
		break;
	case E_SA_ADD:
		if (m->nsas < MAXS)
			m->sas[m->nsas++] = e->newsa;
		break;
	case E_SA_DEL:
		sa_remove(m, e->sa);
		break;
	case E_FLUSH:
		sa_flush(m, e->peer < 0 ? NULL : &m->peers[e->peer]);
		break;
	}
}

/* ------------------------------------------------------- request trees */

/* The nests attributes live in. */
enum ctx { C_TOP, C_LINK, C_PEER, C_TSLIST, C_TS, C_SA, C_LT, C_NCTX };

enum kind { K_NONE, K_U8, K_U16, K_U32, K_U64, K_ADDR4, K_ADDR6, K_STR,
	    K_BIN, K_NEST, K_ARRAY, K_REJECT, K_UNSPEC };

struct attr_info {
	uint8_t kind;
	uint8_t child;		/* nests: the context of what they hold */
	uint16_t maxlen;	/* strings: characters; binary: bytes */
};

#define A(k, c, l) { .kind = (k), .child = (c), .maxlen = (l) }

/* What the module's policies say about each attribute. */
static const struct attr_info schema[C_NCTX][16] = {
	[C_TOP] = {
		[MOAT_A_IFINDEX] = A(K_U32, 0, 0),
		[MOAT_A_IFNAME] = A(K_STR, 0, IFNAMSIZ - 1),
		[MOAT_A_LINK] = A(K_NEST, C_LINK, 0),
		[MOAT_A_PEER] = A(K_NEST, C_PEER, 0),
		[MOAT_A_SA] = A(K_NEST, C_SA, 0),
	},
	[C_LINK] = {
		[MOAT_LINK_A_PAD] = A(K_UNSPEC, 0, 0),
		[MOAT_LINK_A_IFINDEX] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_IFNAME] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_MTU] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_OPERSTATE] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_MSS_CLAMP] = A(K_U32, 0, 0),
		[MOAT_LINK_A_PMTU_FLOOR4] = A(K_U32, 0, 0),
		[MOAT_LINK_A_N_PEERS] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_N_SAS] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_STATS] = A(K_REJECT, 0, 0),
		[MOAT_LINK_A_MAX_PEERS] = A(K_U32, 0, 0),
		[MOAT_LINK_A_MAX_SAS] = A(K_U32, 0, 0),
	},
	[C_PEER] = {
		[MOAT_PEER_A_PAD] = A(K_UNSPEC, 0, 0),
		[MOAT_PEER_A_REMOTE4] = A(K_ADDR4, 0, 0),
		[MOAT_PEER_A_REMOTE6] = A(K_ADDR6, 0, 0),
		[MOAT_PEER_A_LOCAL4] = A(K_ADDR4, 0, 0),
		[MOAT_PEER_A_LOCAL6] = A(K_ADDR6, 0, 0),
		[MOAT_PEER_A_ENCAP] = A(K_U8, 0, 0),
		[MOAT_PEER_A_SPORT] = A(K_U16, 0, 0),
		[MOAT_PEER_A_DPORT] = A(K_U16, 0, 0),
		[MOAT_PEER_A_TS] = A(K_ARRAY, C_TSLIST, 0),
		[MOAT_PEER_A_N_SAS] = A(K_REJECT, 0, 0),
		[MOAT_PEER_A_STATS] = A(K_REJECT, 0, 0),
		[MOAT_PEER_A_PMTU] = A(K_REJECT, 0, 0),
		[MOAT_PEER_A_INNER_MTU4] = A(K_REJECT, 0, 0),
		[MOAT_PEER_A_INNER_MTU6] = A(K_REJECT, 0, 0),
	},
	[C_TS] = {
		[MOAT_TS_A_ENTRY] = A(K_UNSPEC, 0, 0),
		[MOAT_TS_A_ADDR4] = A(K_ADDR4, 0, 0),
		[MOAT_TS_A_ADDR6] = A(K_ADDR6, 0, 0),
		[MOAT_TS_A_PREFIXLEN] = A(K_U8, 0, 0),
	},
	[C_SA] = {
		[MOAT_SA_A_PAD] = A(K_UNSPEC, 0, 0),
		[MOAT_SA_A_SPI] = A(K_U32, 0, 0),
		[MOAT_SA_A_DIR] = A(K_U8, 0, 0),
		[MOAT_SA_A_ALG] = A(K_STR, 0, MOAT_ALG_NAME_MAX - 1),
		[MOAT_SA_A_KEY] = A(K_BIN, 0, MOAT_KEY_MAX),
		[MOAT_SA_A_ICV_BITS] = A(K_U32, 0, 0),
		[MOAT_SA_A_FLAGS] = A(K_U32, 0, 0),
		[MOAT_SA_A_REPLAY_WINDOW] = A(K_U32, 0, 0),
		[MOAT_SA_A_LIFETIME] = A(K_NEST, C_LT, 0),
		[MOAT_SA_A_STATE] = A(K_REJECT, 0, 0),
		[MOAT_SA_A_SEQ] = A(K_REJECT, 0, 0),
		[MOAT_SA_A_AGE] = A(K_REJECT, 0, 0),
		[MOAT_SA_A_STATS] = A(K_REJECT, 0, 0),
		[MOAT_SA_A_EXPIRE] = A(K_REJECT, 0, 0),
		[MOAT_SA_A_EXPIRE_REASON] = A(K_REJECT, 0, 0),
	},
	[C_LT] = {
		[MOAT_LT_A_PAD] = A(K_UNSPEC, 0, 0),
		[MOAT_LT_A_SOFT_BYTES] = A(K_U64, 0, 0),
		[MOAT_LT_A_SOFT_PACKETS] = A(K_U64, 0, 0),
		[MOAT_LT_A_SOFT_SECONDS] = A(K_U64, 0, 0),
		[MOAT_LT_A_HARD_BYTES] = A(K_U64, 0, 0),
		[MOAT_LT_A_HARD_PACKETS] = A(K_U64, 0, 0),
		[MOAT_LT_A_HARD_SECONDS] = A(K_U64, 0, 0),
	},
};

/* The highest attribute type of each nest the running module knows. */
static int ctx_max[C_NCTX] = {
	[C_TOP] = MOAT_A_MAX,
	[C_LINK] = MOAT_LINK_A_MAX,
	[C_PEER] = MOAT_PEER_A_MAX,
	[C_TSLIST] = 0xffff,
	[C_TS] = MOAT_TS_A_MAX,
	[C_SA] = MOAT_SA_A_MAX,
	[C_LT] = MOAT_LT_A_MAX,
};

static const struct attr_info *attr_info(int ctx, int type)
{
	static const struct attr_info entry = A(K_NEST, C_TS, 0);
	static const struct attr_info none = A(K_NONE, 0, 0);

	if (ctx == C_TSLIST)
		return &entry;
	if (type <= 0 || type > ctx_max[ctx] || type >= 16)
		return &none;
	return &schema[ctx][type];
}

static int fixed_len(int kind)
{
	switch (kind) {
	case K_U8:
		return 1;
	case K_U16:
		return 2;
	case K_U32:
	case K_ADDR4:
		return 4;
	case K_U64:
		return 8;
	case K_ADDR6:
		return 16;
	}
	return -1;
}

#define MAXNODES	1400
#define MAXLEAF		80

struct node {
	uint16_t type;		/* with its NLA_F_* flags */
	uint8_t ctx;		/* the nest it is in */
	uint8_t child_ctx;	/* for a nest: the context of its children */
	uint8_t is_nest;
	uint8_t required;	/* the request is invalid without it */
	uint8_t dev;		/* names the device: not logged */
	uint8_t trail;		/* junk bytes after a nest's children */
	uint8_t gone;		/* taken out by a mutation */
	int parent, first, last, next;
	uint16_t len;
	uint8_t data[MAXLEAF];
};

enum expect { EXP_OK, EXP_FAIL, EXP_ANY, EXP_NOOP, EXP_DROP };
static const char *const exp_names[] = { "valid", "invalid", "either",
					 "no-op", "dropped" };

/* How the netlink message around the attributes is framed. */
enum framing { FR_NORMAL, FR_NOACK, FR_TRAIL, FR_NOREQ, FR_CTRLTYPE,
	       FR_SHORT_NL, FR_SHORT_GENL, FR_LONG };

struct req {
	uint8_t cmd;
	uint8_t version;	/* genetlink header: any version is taken */
	uint16_t reserved;	/* genetlink header: must be 0 */
	uint16_t flags;		/* extra nlmsg flags */
	int dump;
	int framing;
	int exp;
	int state_dep;		/* the expectation depends on the model */
	char what[48];
	char mut[48];
	int raw;		/* the body is rawbody, not the tree */
	uint8_t rawbody[512];
	size_t rawlen;
	int cut;		/* the body is cut to cutlen bytes */
	size_t cutlen;
	uint8_t trailing[3];	/* junk after the top-level attributes */
	int ntrailing;
	struct effect eff;
	int n;			/* nodes; node 0 is the message itself */
	struct node nodes[MAXNODES];
};

static void req_init(struct req *r, uint8_t cmd, int dump)
{
	memset(r, 0, offsetof(struct req, nodes));
	r->cmd = cmd;
	r->version = MOAT_GENL_VERSION;
	r->dump = dump;
	r->exp = EXP_OK;
	r->n = 1;
	memset(&r->nodes[0], 0, sizeof(r->nodes[0]));
	r->nodes[0].is_nest = 1;
	r->nodes[0].child_ctx = C_TOP;
	r->nodes[0].first = r->nodes[0].last = -1;
	r->nodes[0].parent = -1;
}

static void link_child(struct req *r, int parent, int i)
{
	struct node *p = &r->nodes[parent];

	r->nodes[i].parent = parent;
	r->nodes[i].next = -1;
	if (p->last >= 0)
		r->nodes[p->last].next = i;
	else
		p->first = i;
	p->last = i;
}

static int add(struct req *r, int parent, uint16_t type, const void *data,
	       size_t len)
{
	struct node *x;
	int i;

	if (r->n >= MAXNODES)
		return -1;
	if (len > MAXLEAF)
		len = MAXLEAF;
	i = r->n++;
	x = &r->nodes[i];
	memset(x, 0, offsetof(struct node, data));
	x->type = type;
	x->ctx = r->nodes[parent].child_ctx;
	x->first = x->last = -1;
	x->len = (uint16_t)len;
	if (len)
		memcpy(x->data, data, len);
	link_child(r, parent, i);
	return i;
}

static int add_u8(struct req *r, int p, uint16_t t, uint8_t v)
{
	return add(r, p, t, &v, 1);
}

static int add_u16(struct req *r, int p, uint16_t t, uint16_t v)
{
	return add(r, p, t, &v, 2);
}

static int add_u32(struct req *r, int p, uint16_t t, uint32_t v)
{
	return add(r, p, t, &v, 4);
}

static int add_u64(struct req *r, int p, uint16_t t, uint64_t v)
{
	return add(r, p, t, &v, 8);
}

static int add_str(struct req *r, int p, uint16_t t, const char *s)
{
	return add(r, p, t, s, strlen(s) + 1);
}

static int add_nest(struct req *r, int parent, uint16_t type, int child_ctx)
{
	int i = add(r, parent, type | NLA_F_NESTED, NULL, 0);

	if (i >= 0) {
		r->nodes[i].is_nest = 1;
		r->nodes[i].child_ctx = (uint8_t)child_ctx;
	}
	return i;
}

static int req_set(struct req *r, int i)
{
	if (i >= 0)
		r->nodes[i].required = 1;
	return i;
}

/* Copies node @src and everything under it to the end of @parent. */
static int copy_tree(struct req *r, int src, int parent)
{
	int i, c;

	if (r->n >= MAXNODES)
		return -1;
	i = r->n++;
	r->nodes[i] = r->nodes[src];
	r->nodes[i].first = r->nodes[i].last = -1;
	link_child(r, parent, i);
	for (c = r->nodes[src].first; c >= 0; c = r->nodes[c].next)
		if (!r->nodes[c].gone && copy_tree(r, c, i) < 0)
			return -1;
	return i;
}

static int count_children(const struct req *r, int p)
{
	int c, n = 0;

	for (c = r->nodes[p].first; c >= 0; c = r->nodes[c].next)
		n += !r->nodes[c].gone;
	return n;
}

/* Writes the attributes under node @p; @nodev leaves the device out. */
static void ser(const struct req *r, int p, struct mbuf *m, int nodev)
{
	int c;

	for (c = r->nodes[p].first; c >= 0; c = r->nodes[c].next) {
		const struct node *x = &r->nodes[c];
		size_t off;

		if (x->gone || (nodev && x->dev))
			continue;
		if (!x->is_nest) {
			mb_attr(m, x->type, x->data, x->len);
			continue;
		}
		off = mb_attr(m, x->type, NULL, 0);
		ser(r, c, m, 0);
		if (x->trail) {
			uint8_t junk[3];

			rnd_fill(junk, sizeof(junk));
			memcpy(m->b + m->len, junk, x->trail);
			m->len += x->trail;
			mb_nest_end(m, off);
			m->len = NLA_ALIGN(m->len);
		} else {
			mb_nest_end(m, off);
		}
	}
}

/* The attributes of @r after the genetlink header, into @m from m->len. */
static void req_body(const struct req *r, struct mbuf *m, int nodev)
{
	size_t start = m->len;

	if (r->raw) {
		memcpy(m->b + m->len, r->rawbody, r->rawlen);
		m->len += r->rawlen;
		return;
	}
	ser(r, 0, m, nodev);
	if (r->ntrailing) {
		memcpy(m->b + m->len, r->trailing, r->ntrailing);
		m->len += r->ntrailing;
	}
	if (r->cut && start + r->cutlen < m->len)
		m->len = start + r->cutlen;
}

/* ----------------------------------------------------------- generators */

static char g_dev[IFNAMSIZ];	/* the device under test */
static int g_ifindex;		/* its index, as far as we know */
static int g_lo;		/* the loopback's index */
static int g_caps;		/* the module knows max-peers and max-sas */
static struct model M;		/* what the device holds, as far as we know */

static void set_what(struct req *r, const char *what)
{
	snprintf(r->what, sizeof(r->what), "%s", what);
}

/* A valid or policy-valid request is invalid after all: says why. */
static void expect_fail(struct req *r, const char *what, int state_dep)
{
	r->exp = EXP_FAIL;
	r->state_dep = state_dep;
	r->eff.kind = E_NONE;
	set_what(r, what);
}

static int mark_dev(struct req *r, int i)
{
	if (i >= 0)
		r->nodes[i].dev = 1;
	return i;
}

enum { DEV_OK, DEV_BAD_POLICY, DEV_BAD_LOOKUP };

/* Names the device, in one of the ways that work or one that does not. */
static int gen_dev(struct req *r, int ok)
{
	char name[48];
	int v, i;

	if (ok) {
		v = (int)rnd(100);
		if (v < 45) {
			req_set(r, mark_dev(r, add_u32(r, 0, MOAT_A_IFINDEX,
						    (uint32_t)g_ifindex)));
		} else if (v < 80) {
			req_set(r, mark_dev(r, add_str(r, 0, MOAT_A_IFNAME,
						    g_dev)));
		} else if (v < 90) {
			mark_dev(r, add_str(r, 0, MOAT_A_IFNAME, g_dev));
			mark_dev(r, add_u32(r, 0, MOAT_A_IFINDEX,
					    (uint32_t)g_ifindex));
		} else if (v < 95) {
			/* The index wins over the name. */
			snprintf(name, sizeof(name), "nx%u", rnd(1000));
			req_set(r, mark_dev(r, add_u32(r, 0, MOAT_A_IFINDEX,
						    (uint32_t)g_ifindex)));
			mark_dev(r, add_str(r, 0, MOAT_A_IFNAME, name));
		} else {
			/* A string ends at its first NUL, whatever follows. */
			size_t l = strlen(g_dev) + 1;
			size_t extra = rnd((uint32_t)(IFNAMSIZ - l));

			memcpy(name, g_dev, l);
			rnd_fill(name + l, extra);
			req_set(r, mark_dev(r, add(r, 0, MOAT_A_IFNAME, name,
						l + extra)));
		}
		return DEV_OK;
	}
	switch (rnd(11)) {
	case 0:
		return DEV_BAD_LOOKUP;	/* none at all */
	case 1:
		i = add_u32(r, 0, MOAT_A_IFINDEX, 1000000 + rnd(1000000));
		break;
	case 2:
		snprintf(name, sizeof(name), "nx%u", rnd(100000));
		i = add_str(r, 0, MOAT_A_IFNAME, name);
		break;
	case 3:
		i = add_str(r, 0, MOAT_A_IFNAME, "lo");
		break;
	case 4:
		i = add_u32(r, 0, MOAT_A_IFINDEX, (uint32_t)g_lo);
		break;
	case 5:
		req_set(r, mark_dev(r, add_u32(r, 0, MOAT_A_IFINDEX, 0)));
		return DEV_BAD_POLICY;
	case 6: {
		uint64_t idx = (uint64_t)g_ifindex;

		v = (int)rnd(4);
		mark_dev(r, add(r, 0, MOAT_A_IFINDEX, &idx, v == 3 ? 8 : v));
		return DEV_BAD_POLICY;
	}
	case 7:
		v = (int)rnd_in(IFNAMSIZ, 40);
		memset(name, 'm', v);
		name[v] = '\0';
		mark_dev(r, add_str(r, 0, MOAT_A_IFNAME, name));
		return DEV_BAD_POLICY;
	case 8:
		mark_dev(r, add(r, 0, MOAT_A_IFNAME, g_dev, strlen(g_dev)));
		return DEV_BAD_POLICY;
	case 9:
		i = add_str(r, 0, MOAT_A_IFNAME, "");
		break;
	default:
		/* The index wins: taking it away would make this valid. */
		mark_dev(r, add_str(r, 0, MOAT_A_IFNAME, g_dev));
		mark_dev(r, add_u32(r, 0, MOAT_A_IFINDEX, 1000000 + rnd(1000000)));
		return DEV_BAD_LOOKUP;
	}
	req_set(r, mark_dev(r, i));
	return DEV_BAD_LOOKUP;
}

static void pick_remote(uint8_t *fam, uint8_t *a)
{
	memset(a, 0, 16);
	*fam = chance(60) ? 4 : 6;
	if (*fam == 4) {
		a[0] = 192;
		a[2] = 2;
		a[3] = (uint8_t)(1 + rnd(60));
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[4] = 0xff;
		a[15] = (uint8_t)(1 + rnd(60));
	}
}

static void pick_local(uint8_t fam, uint8_t *a)
{
	memset(a, 0, 16);
	if (fam == 4) {
		a[0] = 198;
		a[1] = 51;
		a[2] = 100;
		a[3] = (uint8_t)rnd(256);
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = 1;
		a[15] = (uint8_t)rnd(256);
	}
}

/* A selector, host bits and all: the kernel must mask them. */
static void pick_ts(struct mts *t, uint8_t fam)
{
	static const uint8_t plen4[] = { 0, 8, 16, 16, 16, 24, 24, 24, 24, 32 };
	static const uint8_t plen6[] = { 0, 16, 32, 48, 48, 64, 64, 64, 96,
					 128 };

	memset(t, 0, sizeof(*t));
	t->fam = fam;
	if (fam == 4) {
		t->a[0] = 10;
		t->a[1] = (uint8_t)rnd(16);
		t->a[2] = (uint8_t)rnd(256);
		t->a[3] = (uint8_t)rnd(256);
		t->plen = chance(90) ? plen4[rnd(sizeof(plen4))] :
				       (uint8_t)rnd(33);
	} else {
		t->a[0] = 0xfd;
		t->a[3] = (uint8_t)rnd(16);
		rnd_fill(t->a + 4, 12);
		t->plen = chance(90) ? plen6[rnd(sizeof(plen6))] :
				       (uint8_t)rnd(129);
	}
}

static uint16_t remote_type(uint8_t fam)
{
	return fam == 4 ? MOAT_PEER_A_REMOTE4 : MOAT_PEER_A_REMOTE6;
}

/*
 * MOAT_A_PEER naming a peer by its remote address; @filter: the nest is
 * optional, it only narrows what the command does.
 */
static int put_peer_id(struct req *r, uint8_t fam, const uint8_t *a,
		       int filter)
{
	int n = add_nest(r, 0, MOAT_A_PEER, C_PEER);

	if (!filter)
		req_set(r, n);

	req_set(r, add(r, n, remote_type(fam), a, addr_len(fam)));
	return n;
}

static int put_ts(struct req *r, int list, const struct mts *t)
{
	int e = add_nest(r, list, MOAT_TS_A_ENTRY, C_TS);

	req_set(r, add(r, e, t->fam == 4 ? MOAT_TS_A_ADDR4 : MOAT_TS_A_ADDR6,
		    t->a, addr_len(t->fam)));
	req_set(r, add_u8(r, e, MOAT_TS_A_PREFIXLEN, t->plen));
	return e;
}

/* A peer nest that names no peer the way every command needs. */
static void put_bad_peer_id(struct req *r)
{
	uint8_t fam, a[16], l[16];
	int n = add_nest(r, 0, MOAT_A_PEER, C_PEER);

	pick_remote(&fam, a);
	switch (rnd(3)) {
	case 0:		/* no remote */
		pick_local(fam, l);
		add(r, n, fam == 4 ? MOAT_PEER_A_LOCAL4 : MOAT_PEER_A_LOCAL6,
		    l, addr_len(fam));
		break;
	case 1:		/* two */
		add(r, n, MOAT_PEER_A_REMOTE4, a, 4);
		add(r, n, MOAT_PEER_A_REMOTE6, a, 16);
		break;
	default:	/* a local address of the other family */
		add(r, n, remote_type(fam), a, addr_len(fam));
		pick_local(fam == 4 ? 6 : 4, l);
		add(r, n, fam == 4 ? MOAT_PEER_A_LOCAL6 : MOAT_PEER_A_LOCAL4,
		    l, fam == 4 ? 16 : 4);
		break;
	}
}

static void gen_peer_new(struct req *r)
{
	struct mpeer *np = &r->eff.newpeer;
	int v = (int)rnd(100), pn, list = -1, i, n, conflict = 0;
	struct mts t, m;

	req_init(r, MOAT_CMD_PEER_NEW, 0);
	set_what(r, "peer-new");
	gen_dev(r, 1);
	memset(np, 0, sizeof(*np));
	pick_remote(&np->fam, np->remote);
	if (v >= 60 && v < 65 && M.npeers) {
		const struct mpeer *q = &M.peers[rnd((uint32_t)M.npeers)];

		np->fam = q->fam;
		memcpy(np->remote, q->remote, 16);
	}
	if (v == 70 || v == 71) {
		expect_fail(r, "peer-new: no peer", 0);
		return;
	}
	pn = req_set(r, add_nest(r, 0, MOAT_A_PEER, C_PEER));
	if (v == 72 || v == 73)
		expect_fail(r, "peer-new: no remote", 0);
	else
		req_set(r, add(r, pn, remote_type(np->fam), np->remote,
			    addr_len(np->fam)));
	if (v == 74 || v == 75) {
		/* Without either remote, the other one would do. */
		r->nodes[r->nodes[pn].first].required = 0;
		add(r, pn, remote_type(np->fam == 4 ? 6 : 4), np->remote,
		    np->fam == 4 ? 16 : 4);
		expect_fail(r, "peer-new: two remotes", 0);
	}
	if (v == 76 || v == 77) {
		pick_local(np->fam == 4 ? 6 : 4, np->local);
		add(r, pn, np->fam == 4 ? MOAT_PEER_A_LOCAL6 :
		    MOAT_PEER_A_LOCAL4, np->local, np->fam == 4 ? 16 : 4);
		expect_fail(r, "peer-new: local of the other family", 0);
	} else if (chance(30)) {
		np->has_local = 1;
		pick_local(np->fam, np->local);
		add(r, pn, np->fam == 4 ? MOAT_PEER_A_LOCAL4 :
		    MOAT_PEER_A_LOCAL6, np->local, addr_len(np->fam));
	}
	if (v == 78 || v == 79) {
		if (chance(50))
			add_u8(r, pn, MOAT_PEER_A_ENCAP, MOAT_ENCAP_NONE);
		add_u16(r, pn, chance(50) ? MOAT_PEER_A_SPORT :
			MOAT_PEER_A_DPORT, (uint16_t)rnd_in(1, 65535));
		expect_fail(r, "peer-new: ports without encap udp", 0);
	} else if (chance(50)) {
		np->encap = MOAT_ENCAP_UDP;
		add_u8(r, pn, MOAT_PEER_A_ENCAP, MOAT_ENCAP_UDP);
		np->sport = np->dport = MOAT_ENCAP_PORT;
		if (chance(40)) {
			/*
			 * Mostly ports other peers use too: the last peer on
			 * a port closes its socket, which waits for an RCU
			 * grace period.
			 */
			np->sport = chance(10) ? (uint16_t)rnd_in(1, 65535) :
						 (uint16_t)(4500 + rnd(4));
			add_u16(r, pn, MOAT_PEER_A_SPORT, np->sport);
		}
		if (chance(40)) {
			np->dport = (uint16_t)rnd_in(1, 65535);
			add_u16(r, pn, MOAT_PEER_A_DPORT, np->dport);
		}
	} else if (chance(30)) {
		add_u8(r, pn, MOAT_PEER_A_ENCAP, MOAT_ENCAP_NONE);
	}

	n = v >= 97 ? (int)rnd_in(9, MOAT_TS_MAX) : (int)rnd(6);
	if (v == 87)
		n = (int)rnd_in(MOAT_TS_MAX + 1, 300);
	if (v >= 80 && v <= 89 && !n)
		n = 1;
	if (n || chance(20))
		list = add_nest(r, pn, MOAT_PEER_A_TS, C_TSLIST);
	for (i = 0; i < n; i++) {
		pick_ts(&t, chance(60) ? 4 : 6);
		m = t;
		ts_mask(&m);
		if (v >= 65 && v < 70 && i == 0 && M.npeers) {
			const struct mpeer *q = &M.peers[rnd((uint32_t)M.npeers)];

			if (q->nts && (q->fam != np->fam ||
				       memcmp(q->remote, np->remote, 16))) {
				m = t = q->ts[rnd((uint32_t)q->nts)];
				conflict = 1;
			}
		}
		if ((!conflict || i) && v != 87) {
			int owner = ts_owner(&M, &m);

			/* Leave out what belongs to another peer. */
			if (owner >= 0 && (M.peers[owner].fam != np->fam ||
					   memcmp(M.peers[owner].remote,
						  np->remote, 16)))
				continue;
		}
		put_ts(r, list, &t);
		if (np->nts < MOAT_TS_MAX) {
			int j;

			for (j = 0; j < np->nts; j++)
				if (ts_same(&np->ts[j], &m))
					break;
			if (j == np->nts)
				np->ts[np->nts++] = m;
		}
	}
	if (list >= 0 && v >= 80 && v <= 89) {
		int e = r->nodes[list].first, a, pl;

		if (e < 0) {
			pick_ts(&t, 4);
			e = put_ts(r, list, &t);
		}
		a = r->nodes[e].first;
		pl = r->nodes[a].next;
		switch (v) {
		case 80:
		case 81:
			r->nodes[a].type = MOAT_TS_A_ADDR4;
			r->nodes[a].len = 4;
			r->nodes[pl].data[0] = (uint8_t)rnd_in(33, 128);
			expect_fail(r, "peer-new: IPv4 prefix over 32", 0);
			break;
		case 82:
			r->nodes[pl].data[0] = (uint8_t)rnd_in(129, 255);
			expect_fail(r, "peer-new: prefix over 128", 0);
			break;
		case 83:
			r->nodes[a].required = 0;
			add(r, e, r->nodes[a].type == MOAT_TS_A_ADDR4 ?
			    MOAT_TS_A_ADDR6 : MOAT_TS_A_ADDR4, t.a,
			    r->nodes[a].type == MOAT_TS_A_ADDR4 ? 16 : 4);
			expect_fail(r, "peer-new: selector with two addresses",
				    0);
			break;
		case 84:
			r->nodes[pl].gone = 1;
			expect_fail(r, "peer-new: selector without length", 0);
			break;
		case 85:
			r->nodes[a].gone = 1;
			expect_fail(r, "peer-new: selector without address", 0);
			break;
		case 86:
			r->nodes[a].gone = r->nodes[pl].gone = 1;
			expect_fail(r, "peer-new: empty selector", 0);
			break;
		case 87:
			expect_fail(r, "peer-new: over 256 selectors", 0);
			break;
		default:
			r->nodes[e].type = (uint16_t)(NLA_F_NESTED |
				(chance(50) ? 0 : rnd_in(2, 0x7fff)));
			expect_fail(r, "peer-new: selector not of type entry",
				    0);
			break;
		}
	}
	if (r->exp == EXP_FAIL)
		return;
	if (peer_find(&M, np->fam, np->remote) >= 0)
		expect_fail(r, "peer-new: exists", 1);
	else if (conflict)
		expect_fail(r, "peer-new: selector of another peer", 1);
	else if (g_caps && (uint32_t)M.npeers >= M.link[L_MAX_PEERS])
		expect_fail(r, "peer-new: over max-peers", 1);
	else
		r->eff.kind = E_PEER_ADD;
}

static void gen_peer_del(struct req *r)
{
	uint8_t fam, a[16], l[16];
	int v = (int)rnd(100), pn, i = -1;

	req_init(r, MOAT_CMD_PEER_DEL, 0);
	set_what(r, "peer-del");
	gen_dev(r, 1);
	if (v < 8) {
		expect_fail(r, "peer-del: no peer", 0);
		return;
	}
	if (v < 16) {
		put_bad_peer_id(r);
		expect_fail(r, "peer-del: no single remote", 0);
		return;
	}
	pick_remote(&fam, a);
	if (v < 85 && M.npeers) {
		i = (int)rnd((uint32_t)M.npeers);
		fam = M.peers[i].fam;
		memcpy(a, M.peers[i].remote, 16);
	}
	pn = put_peer_id(r, fam, a, 0);
	if (chance(10)) {
		/* Other peer attributes do not get in the way. */
		pick_local(fam, l);
		add(r, pn, fam == 4 ? MOAT_PEER_A_LOCAL4 : MOAT_PEER_A_LOCAL6,
		    l, addr_len(fam));
		add_u8(r, pn, MOAT_PEER_A_ENCAP, (uint8_t)rnd(2));
	}
	i = peer_find(&M, fam, a);
	if (i < 0) {
		expect_fail(r, "peer-del: unknown", 1);
		return;
	}
	r->eff.kind = E_PEER_DEL;
	r->eff.peer = i;
}

static const uint16_t lt_types[LT_N] = {
	MOAT_LT_A_SOFT_BYTES, MOAT_LT_A_SOFT_PACKETS, MOAT_LT_A_SOFT_SECONDS,
	MOAT_LT_A_HARD_BYTES, MOAT_LT_A_HARD_PACKETS, MOAT_LT_A_HARD_SECONDS,
};

/* A lifetime that never runs out during a test: 0 or at least an hour. */
static uint64_t pick_lifetime(int k)
{
	if (k == LT_SS || k == LT_HS)
		return chance(20) ? 0 : rnd_in(3600, MOAT_LT_SECONDS_MAX);
	switch (rnd(4)) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX - rnd(3);
	case 2:
		return rnd_in(1, 1000000);
	}
	return rnd64();
}

static void gen_sa_new(struct req *r)
{
	struct msa *s = &r->eff.newsa;
	int v = (int)rnd(100), pi = -1, sn, k, keylen, window = -1, lt = -1;
	const struct mpeer *p = NULL;
	uint8_t fam, a[16], key[MOAT_KEY_MAX + 8];
	char alg[80];

	req_init(r, MOAT_CMD_SA_NEW, 0);
	set_what(r, "sa-new");
	gen_dev(r, 1);
	memset(s, 0, sizeof(*s));
	pick_remote(&fam, a);
	if (M.npeers && v >= 4) {
		pi = (int)rnd((uint32_t)M.npeers);
		fam = M.peers[pi].fam;
		memcpy(a, M.peers[pi].remote, 16);
	}
	pi = peer_find(&M, fam, a);
	if (pi >= 0)
		p = &M.peers[pi];
	s->fam = fam;
	memcpy(s->remote, a, 16);
	if (v == 10)
		put_bad_peer_id(r);
	else if (v != 11)
		put_peer_id(r, fam, a, 0);

	s->dir = chance(55) ? MOAT_DIR_IN : MOAT_DIR_OUT;
	if (s->dir == MOAT_DIR_IN)
		s->spi = chance(90) ? (uint32_t)rnd_in(256, 700) :
				      (uint32_t)rnd_in(256, UINT32_MAX);
	else
		s->spi = chance(90) ? (uint32_t)rnd_in(0x1000, 0x1010) :
				      (uint32_t)rnd_in(256, UINT32_MAX);
	if (v == 12 && p) {
		int j;

		for (j = 0; j < M.nsas; j++)
			if (M.sas[j].dir == MOAT_DIR_IN)
				break;
		if (j < M.nsas) {
			s->dir = MOAT_DIR_IN;
			s->spi = M.sas[j].spi;
		}
	}
	if (v == 13 && p) {
		int j;

		for (j = 0; j < M.nsas; j++)
			if (M.sas[j].dir == MOAT_DIR_OUT &&
			    sa_on_peer(&M.sas[j], p))
				break;
		if (j < M.nsas) {
			s->dir = MOAT_DIR_OUT;
			s->spi = M.sas[j].spi;
		}
	}
	s->alg = chance(70) ? 0 : 1;
	keylen = s->alg ? 36 : (int)(16 + 8 * rnd(3) + 4);
	snprintf(alg, sizeof(alg), "%s", alg_names[s->alg]);
	if (v == 14) {
		static const char *const bad[] = {
			"gcm(aes)", "rfc4106(gcm(aes)) ", "RFC4106(GCM(AES))",
			"", "rfc7539esp(chacha20,poly1305)x", "cbc(aes)",
			"rfc4309(ccm(aes))", "rfc4543(gcm(aes))",
		};
		snprintf(alg, sizeof(alg), "%s", bad[rnd(8)]);
		expect_fail(r, "sa-new: unknown aead", 0);
	}
	if (v == 15) {
		static const int bad_aes[] = { 0, 1, 16, 19, 21, 24, 27, 32,
					       35 };
		static const int bad_chacha[] = { 0, 4, 20, 28, 32, 35 };

		keylen = s->alg ? bad_chacha[rnd(6)] : bad_aes[rnd(9)];
		expect_fail(r, "sa-new: wrong key length", 0);
	}
	sn = v == 16 ? -1 : req_set(r, add_nest(r, 0, MOAT_A_SA, C_SA));
	if (sn < 0) {
		expect_fail(r, "sa-new: no SA", 0);
		return;
	}
	req_set(r, add_u32(r, sn, MOAT_SA_A_SPI, s->spi));
	req_set(r, add_u8(r, sn, MOAT_SA_A_DIR, s->dir));
	if (v == 17) {
		/* Whatever follows the NUL is no part of the name. */
		size_t l = strlen(alg) + 1;

		rnd_fill(alg + l, 8);
		req_set(r, add(r, sn, MOAT_SA_A_ALG, alg, l + rnd(9)));
	} else {
		req_set(r, add_str(r, sn, MOAT_SA_A_ALG, alg));
	}
	rnd_fill(key, sizeof(key));
	req_set(r, add(r, sn, MOAT_SA_A_KEY, key, (size_t)keylen));
	if (v == 18) {
		int c = r->nodes[sn].first;

		for (k = (int)rnd(4); k > 0; k--)
			c = r->nodes[c].next;
		r->nodes[c].gone = 1;
		expect_fail(r, "sa-new: spi, dir, aead or key missing", 0);
	}
	if (chance(50))
		add_u32(r, sn, MOAT_SA_A_ICV_BITS, 128);
	if (chance(50)) {
		s->esn = chance(60);
		add_u32(r, sn, MOAT_SA_A_FLAGS, s->esn ? MOAT_SA_F_ESN : 0);
	}
	if (s->dir == MOAT_DIR_IN) {
		s->window = MOAT_REPLAY_WINDOW_DEFAULT;
		if (chance(60) || v == 20) {
			switch (rnd(4)) {
			case 0:
				window = MOAT_REPLAY_WINDOW_MAX;
				break;
			case 1:
				window = (int)rnd_in(1, 64);
				break;
			case 2:
				window = s->esn ? 1 : 0;
				break;
			default:
				window = (int)rnd_in(1, MOAT_REPLAY_WINDOW_MAX);
			}
			if (v == 20 && s->esn)
				window = 0;
			s->window = (uint32_t)window;
			add_u32(r, sn, MOAT_SA_A_REPLAY_WINDOW, s->window);
			if (v == 20 && s->esn)
				expect_fail(r, "sa-new: esn without a window", 0);
		}
	} else if (v == 19) {
		add_u32(r, sn, MOAT_SA_A_REPLAY_WINDOW,
			(uint32_t)rnd(MOAT_REPLAY_WINDOW_MAX + 1));
		expect_fail(r, "sa-new: outbound with a window", 0);
	}
	if (chance(40) || v == 21 || v == 22) {
		lt = add_nest(r, sn, MOAT_SA_A_LIFETIME, C_LT);
		for (k = 0; k < LT_N; k++)
			if (chance(50))
				s->lt[k] = pick_lifetime(k);
		for (k = 0; k < 3; k++)
			if (s->lt[k] && s->lt[k + 3] && s->lt[k] > s->lt[k + 3])
				s->lt[k] = s->lt[k + 3];
		if (v == 21) {
			k = (int)rnd(3);
			s->lt[k + 3] = rnd_in(1, UINT64_MAX - 1);
			if (k == 2)
				s->lt[k + 3] = rnd_in(1, MOAT_LT_SECONDS_MAX - 1);
			s->lt[k] = rnd_in(s->lt[k + 3] + 1,
					  k == 2 ? MOAT_LT_SECONDS_MAX :
						   UINT64_MAX);
			expect_fail(r, "sa-new: soft lifetime past hard", 0);
		}
		if (v == 22) {
			k = chance(50) ? LT_SS : LT_HS;
			s->lt[k] = rnd_in(MOAT_LT_SECONDS_MAX + 1, UINT64_MAX);
			if (k == LT_SS && s->lt[LT_HS] &&
			    s->lt[LT_HS] < s->lt[LT_SS])
				s->lt[LT_HS] = 0;
			expect_fail(r, "sa-new: seconds over 100 years", 0);
		}
		for (k = 0; k < LT_N; k++)
			if (s->lt[k] || chance(10))
				add_u64(r, lt, lt_types[k], s->lt[k]);
	}
	if (r->exp == EXP_FAIL)
		return;
	if (v == 10) {
		expect_fail(r, "sa-new: no single remote", 0);
	} else if (v == 11) {
		expect_fail(r, "sa-new: no peer", 0);
	} else if (!p) {
		expect_fail(r, "sa-new: unknown peer", 1);
	} else if (s->dir == MOAT_DIR_IN && spi_in_used(&M, s->spi)) {
		expect_fail(r, "sa-new: inbound spi in use", 1);
	} else if (s->dir == MOAT_DIR_OUT &&
		   sa_find(&M, p, MOAT_DIR_OUT, s->spi) >= 0) {
		expect_fail(r, "sa-new: outbound spi in use", 1);
	} else if (s->dir == MOAT_DIR_OUT && peer_sas(&M, p, MOAT_DIR_OUT) >= 2) {
		expect_fail(r, "sa-new: third outbound", 1);
	} else if (g_caps && (uint32_t)M.nsas >= M.link[L_MAX_SAS]) {
		expect_fail(r, "sa-new: over max-sas", 1);
	} else {
		r->eff.kind = E_SA_ADD;
		if (s->dir == MOAT_DIR_IN)
			s->state = MOAT_SA_STATE_INBOUND;
		else if (peer_sas(&M, p, MOAT_DIR_OUT))
			s->state = MOAT_SA_STATE_NEXT;
		else
			s->state = MOAT_SA_STATE_CURRENT;
	}
}

static void gen_sa_del(struct req *r)
{
	int v = (int)rnd(100), si = -1, sn, pi = -1, i;
	const struct mpeer *p = NULL;
	uint32_t spi = (uint32_t)rnd_in(256, 700);
	uint8_t dir = chance(50) ? MOAT_DIR_IN : MOAT_DIR_OUT;

	req_init(r, MOAT_CMD_SA_DEL, 0);
	set_what(r, "sa-del");
	gen_dev(r, 1);
	if (M.nsas && v < 87) {
		si = (int)rnd((uint32_t)M.nsas);
		spi = M.sas[si].spi;
		dir = M.sas[si].dir;
		pi = peer_find(&M, M.sas[si].fam, M.sas[si].remote);
		if (v >= 80 && v < 86)
			pi = (int)rnd((uint32_t)M.npeers); /* maybe another */
		if (v == 86)
			dir = dir == MOAT_DIR_IN ? MOAT_DIR_OUT : MOAT_DIR_IN;
	} else if (M.npeers && chance(50)) {
		pi = (int)rnd((uint32_t)M.npeers);
	}
	if (pi >= 0 && (chance(65) || (v >= 80 && v < 86)))
		p = &M.peers[pi];
	if (v == 87 || v == 88) {
		uint8_t fam, a[16];

		pick_remote(&fam, a);
		put_peer_id(r, fam, a, 1);
		p = NULL;
		if (peer_find(&M, fam, a) < 0)
			expect_fail(r, "sa-del: unknown peer", 1);
		else
			p = &M.peers[peer_find(&M, fam, a)];
	} else if (v == 89) {
		put_bad_peer_id(r);
		expect_fail(r, "sa-del: no single remote", 0);
	} else if (p) {
		put_peer_id(r, p->fam, p->remote, 1);
	}
	if (v == 90) {
		expect_fail(r, "sa-del: no SA", 0);
		return;
	}
	sn = req_set(r, add_nest(r, 0, MOAT_A_SA, C_SA));
	if (v != 91)
		req_set(r, add_u32(r, sn, MOAT_SA_A_SPI, spi));
	if (v != 92)
		req_set(r, add_u8(r, sn, MOAT_SA_A_DIR, dir));
	if (v == 91 || v == 92) {
		expect_fail(r, "sa-del: spi or dir missing", 0);
		return;
	}
	if (chance(10)) {
		/* Attributes a delete does not look at. */
		add_str(r, sn, MOAT_SA_A_ALG, chance(50) ? "bogus" :
			alg_names[rnd(2)]);
		add_u32(r, sn, MOAT_SA_A_REPLAY_WINDOW, rnd(100));
	}
	if (r->exp == EXP_FAIL)
		return;
	i = sa_find(&M, p, dir, spi);
	if (i < 0) {
		expect_fail(r, "sa-del: unknown", 1);
		return;
	}
	r->eff.kind = E_SA_DEL;
	r->eff.sa = i;
}

static void gen_sa_flush(struct req *r)
{
	uint8_t fam, a[16];
	int i;

	req_init(r, MOAT_CMD_SA_FLUSH, 0);
	set_what(r, "sa-flush");
	gen_dev(r, 1);
	r->eff.kind = E_FLUSH;
	r->eff.peer = -1;
	if (chance(15))
		return;
	if (chance(10)) {
		put_bad_peer_id(r);
		expect_fail(r, "sa-flush: no single remote", 0);
		return;
	}
	pick_remote(&fam, a);
	if (M.npeers && chance(80)) {
		i = (int)rnd((uint32_t)M.npeers);
		fam = M.peers[i].fam;
		memcpy(a, M.peers[i].remote, 16);
	}
	put_peer_id(r, fam, a, 1);
	r->eff.peer = peer_find(&M, fam, a);
	if (r->eff.peer < 0)
		expect_fail(r, "sa-flush: unknown peer", 1);
}

/* A cap: any value from 1 to its limit, under what the device holds too. */
static uint32_t pick_cap(int have, uint32_t limit)
{
	switch (rnd(4)) {
	case 0:
		return (uint32_t)(have > 2 ? have - 2 : 1) + rnd(5);
	case 1:
		return limit;
	case 2:
		return (uint32_t)rnd_in(1, limit);
	}
	return (uint32_t)rnd_in((uint32_t)have + 1, (uint32_t)have + 64);
}

static void gen_link_set(struct req *r)
{
	static const uint32_t mss_ok[] = { MOAT_MSS_CLAMP_OFF,
					   MOAT_MSS_CLAMP_AUTO, MOAT_MSS_MIN,
					   MOAT_MSS_MAX, 1200, 1460 };
	int v = (int)rnd(100), ln;
	struct effect *e = &r->eff;

	req_init(r, MOAT_CMD_LINK_SET, 0);
	set_what(r, "link-set");
	gen_dev(r, 1);
	if (v < 6) {
		expect_fail(r, "link-set: nothing to set", 0);
		return;
	}
	ln = req_set(r, add_nest(r, 0, MOAT_A_LINK, C_LINK));
	e->kind = E_LINK;
	if (chance(60)) {
		e->has[L_MSS] = 1;
		e->link[L_MSS] = chance(50) ? mss_ok[rnd(6)] :
			(uint32_t)rnd_in(MOAT_MSS_MIN, MOAT_MSS_MAX);
	}
	if (chance(50)) {
		e->has[L_FLOOR4] = 1;
		e->link[L_FLOOR4] = chance(30) ?
			(chance(50) ? MOAT_PMTU_FLOOR4_MIN : MOAT_PMTU_FLOOR4_MAX) :
			(uint32_t)rnd_in(MOAT_PMTU_FLOOR4_MIN, MOAT_PMTU_FLOOR4_MAX);
	}
	if (g_caps && chance(40)) {
		e->has[L_MAX_PEERS] = 1;
		e->link[L_MAX_PEERS] = pick_cap(M.npeers, MOAT_MAX_PEERS_LIMIT);
	}
	if (g_caps && chance(30)) {
		e->has[L_MAX_SAS] = 1;
		e->link[L_MAX_SAS] = pick_cap(M.nsas, MOAT_MAX_SAS_LIMIT);
	}
	if (v >= 6 && v < 14) {
		e->has[L_MSS] = 1;
		e->link[L_MSS] = chance(50) ? (uint32_t)rnd_in(1, MOAT_MSS_MIN - 1) :
			(uint32_t)rnd_in(MOAT_MSS_MAX + 1, 0xfffffffe);
		expect_fail(r, "link-set: mss out of range", 0);
	} else if (v >= 14 && v < 20) {
		e->has[L_FLOOR4] = 1;
		e->link[L_FLOOR4] = chance(50) ?
			(uint32_t)rnd(MOAT_PMTU_FLOOR4_MIN) :
			(uint32_t)rnd_in(MOAT_PMTU_FLOOR4_MAX + 1, UINT32_MAX);
		expect_fail(r, "link-set: pmtu-floor4 out of range", 0);
	} else if (v >= 20 && v < 26 && g_caps) {
		int k = chance(50) ? L_MAX_PEERS : L_MAX_SAS;

		e->has[k] = 1;
		e->link[k] = chance(20) ? 0 : (uint32_t)rnd_in(k == L_MAX_PEERS ?
					      MOAT_MAX_PEERS_LIMIT + 1 :
					      MOAT_MAX_SAS_LIMIT + 1, UINT32_MAX);
		expect_fail(r, "link-set: cap out of range", 0);
	}
	if (e->has[L_MSS])
		add_u32(r, ln, MOAT_LINK_A_MSS_CLAMP, e->link[L_MSS]);
	if (e->has[L_FLOOR4])
		add_u32(r, ln, MOAT_LINK_A_PMTU_FLOOR4, e->link[L_FLOOR4]);
	if (e->has[L_MAX_PEERS])
		add_u32(r, ln, MOAT_LINK_A_MAX_PEERS, e->link[L_MAX_PEERS]);
	if (e->has[L_MAX_SAS])
		add_u32(r, ln, MOAT_LINK_A_MAX_SAS, e->link[L_MAX_SAS]);
	if (r->exp == EXP_FAIL)
		e->kind = E_NONE;
}

/* GETs and dumps, with good and junk filters. */
static void gen_get(struct req *r)
{
	int v = (int)rnd(100), d, i;
	uint8_t cmd, fam, a[16];

	if (v < 30) {
		req_init(r, MOAT_CMD_LINK_GET, chance(40));
		set_what(r, r->dump ? "link-dump" : "link-get");
		d = gen_dev(r, chance(85));
		if (d == DEV_OK && chance(5)) {
			/* The same attribute again and again: the last counts. */
			for (i = (int)rnd_in(2, 500); i > 0; i--)
				mark_dev(r, add_str(r, 0, MOAT_A_IFNAME, g_dev));
		}
		if (r->dump) {
			/* A dump of every link looks at no attribute. */
			for (i = 1; i < r->n; i++)
				r->nodes[i].required = 0;
			if (d == DEV_BAD_POLICY)
				expect_fail(r, "link-dump: bad device", 0);
		} else if (d != DEV_OK) {
			expect_fail(r, "link-get: bad device", 0);
		}
		return;
	}
	cmd = v < 65 ? MOAT_CMD_PEER_GET : MOAT_CMD_SA_GET;
	req_init(r, cmd, 1);
	set_what(r, cmd == MOAT_CMD_PEER_GET ? "peer-dump" : "sa-dump");
	d = gen_dev(r, chance(90));
	if (d != DEV_OK)
		expect_fail(r, "dump: bad device", 0);
	switch (rnd(5)) {
	case 0:
		put_bad_peer_id(r);
		expect_fail(r, "dump: filter without a single remote", 0);
		break;
	case 1:
	case 2:
		pick_remote(&fam, a);
		if (M.npeers && chance(70)) {
			i = (int)rnd((uint32_t)M.npeers);
			fam = M.peers[i].fam;
			memcpy(a, M.peers[i].remote, 16);
		}
		put_peer_id(r, fam, a, 1);
		if (r->exp != EXP_FAIL && peer_find(&M, fam, a) < 0)
			expect_fail(r, "dump: unknown peer", 1);
		break;
	}
}

/*
 * Commands the kernel has that this model does not fuzz: the daemon's
 * socket and the guard. They are neither "unknown" nor free to use.
 */
static int cmd_unmodelled(unsigned int cmd)
{
	return cmd == MOAT_CMD_SOCK_SET || cmd == MOAT_CMD_GUARD_GET ||
	       cmd == MOAT_CMD_GUARD_SET;
}

/* A command on the wrong path: doit without one, dump without one, or none. */
static void gen_bad_cmd(struct req *r)
{
	static const uint8_t doit_only[] = {
		MOAT_CMD_LINK_SET, MOAT_CMD_PEER_NEW, MOAT_CMD_PEER_DEL,
		MOAT_CMD_SA_NEW, MOAT_CMD_SA_DEL, MOAT_CMD_SA_FLUSH,
	};
	int v = (int)rnd(3);

	if (v == 0) {
		req_init(r, chance(50) ? MOAT_CMD_PEER_GET : MOAT_CMD_SA_GET, 0);
		set_what(r, "doit of a dump-only command");
	} else if (v == 1) {
		req_init(r, doit_only[rnd(6)], 1);
		set_what(r, "dump of a doit-only command");
	} else {
		uint8_t cmd;

		do
			cmd = (uint8_t)rnd(256);
		while ((cmd >= MOAT_CMD_LINK_GET && cmd <= MOAT_CMD_SA_FLUSH) ||
		       cmd_unmodelled(cmd));
		req_init(r, cmd, chance(30));
		set_what(r, "unknown command");
	}
	gen_dev(r, 1);
	if (chance(50))
		put_peer_id(r, 4, (const uint8_t *)"\xc0\x00\x02\x01", 1);
	r->exp = EXP_FAIL;
}

/* Random bytes and random attributes, for any command. */
static void gen_junk(struct req *r)
{
	int v = (int)rnd(100), i, depth, p;

	req_init(r, (uint8_t)rnd_in(MOAT_CMD_LINK_GET, MOAT_CMD_SA_FLUSH),
		 chance(20));
	r->exp = EXP_ANY;
	if (v < 30) {
		set_what(r, "random bytes");
		r->raw = 1;
		r->rawlen = rnd(200);
		rnd_fill(r->rawbody, r->rawlen);
		return;
	}
	if (v < 70) {
		/* Attributes of random types, flags and lengths. */
		set_what(r, "random attributes");
		if (chance(70))
			gen_dev(r, 1);
		for (i = (int)rnd_in(1, 12); i > 0; i--) {
			uint8_t junk[MAXLEAF];
			int parent = 0;

			if (r->n > 1 && chance(30)) {
				parent = (int)rnd((uint32_t)r->n);
				if (!r->nodes[parent].is_nest)
					parent = 0;
			}
			rnd_fill(junk, sizeof(junk));
			if (chance(30))
				add_nest(r, parent, (uint16_t)rnd(16),
					 chance(50) ? C_PEER : C_SA);
			else
				add(r, parent, (uint16_t)(rnd(16) |
					(chance(10) ? NLA_F_NET_BYTEORDER : 0)),
				    junk, rnd(24));
		}
		return;
	}
	/* Nests in nests, far deeper than any policy goes. */
	set_what(r, "deep nesting");
	gen_dev(r, 1);
	p = 0;
	depth = (int)rnd_in(2, 60);
	p = add_nest(r, p, chance(50) ? (uint16_t)rnd_in(MOAT_A_MAX + 1, 300) :
		     MOAT_A_LINK, C_LINK);
	if (r->nodes[p].type == (MOAT_A_LINK | NLA_F_NESTED))
		p = add_nest(r, p, MOAT_LINK_A_MSS_CLAMP, C_LINK);
	for (i = 0; i < depth && p >= 0; i++)
		p = add_nest(r, p, (uint16_t)rnd(20), C_LINK);
	r->exp = EXP_FAIL;
}

/* ------------------------------------------------------------- mutations */

/* A value the policy (or the handler of @r's command) refuses, if any. */
static int bad_value(const struct req *r, const struct node *x, uint64_t *v)
{
	int t = x->type & NLA_TYPE_MASK;

	switch (x->ctx * 100 + t) {
	case C_TOP * 100 + MOAT_A_IFINDEX:
	case C_PEER * 100 + MOAT_PEER_A_SPORT:
	case C_PEER * 100 + MOAT_PEER_A_DPORT:
		*v = 0;
		return 1;
	case C_LINK * 100 + MOAT_LINK_A_PMTU_FLOOR4:
		*v = chance(50) ? rnd(MOAT_PMTU_FLOOR4_MIN) :
				  rnd_in(MOAT_PMTU_FLOOR4_MAX + 1, UINT32_MAX);
		return 1;
	case C_LINK * 100 + MOAT_LINK_A_MSS_CLAMP:
		*v = chance(50) ? rnd_in(1, MOAT_MSS_MIN - 1) :
				  rnd_in(MOAT_MSS_MAX + 1, 0xfffffffe);
		return r->cmd == MOAT_CMD_LINK_SET;
	case C_LINK * 100 + MOAT_LINK_A_MAX_PEERS:
		*v = chance(20) ? 0 : rnd_in(MOAT_MAX_PEERS_LIMIT + 1, UINT32_MAX);
		return 1;
	case C_LINK * 100 + MOAT_LINK_A_MAX_SAS:
		*v = chance(20) ? 0 : rnd_in(MOAT_MAX_SAS_LIMIT + 1, UINT32_MAX);
		return 1;
	case C_PEER * 100 + MOAT_PEER_A_ENCAP:
		*v = rnd_in(MOAT_ENCAP_UDP + 1, 255);
		return 1;
	case C_TS * 100 + MOAT_TS_A_PREFIXLEN:
		*v = rnd_in(129, 255);
		return 1;
	case C_SA * 100 + MOAT_SA_A_SPI:
		*v = rnd(256);
		return 1;
	case C_SA * 100 + MOAT_SA_A_DIR:
		*v = chance(30) ? 0 : rnd_in(MOAT_DIR_OUT + 1, 255);
		return 1;
	case C_SA * 100 + MOAT_SA_A_ICV_BITS:
		*v = chance(50) ? rnd(128) : rnd_in(129, UINT32_MAX);
		return 1;
	case C_SA * 100 + MOAT_SA_A_FLAGS:
		*v = (rnd64() & 0xffffffff) | (1U << rnd_in(1, 31));
		return 1;
	case C_SA * 100 + MOAT_SA_A_REPLAY_WINDOW:
		*v = rnd_in(MOAT_REPLAY_WINDOW_MAX + 1, UINT32_MAX);
		return 1;
	case C_LT * 100 + MOAT_LT_A_SOFT_SECONDS:
	case C_LT * 100 + MOAT_LT_A_HARD_SECONDS:
		*v = rnd_in(MOAT_LT_SECONDS_MAX + 1, UINT64_MAX);
		return 1;
	}
	return 0;
}

/* Attribute types that a request may never carry in nest @ctx. */
static uint16_t forbidden_type(int ctx)
{
	int t, n = 0;
	uint16_t c[16];

	c[n++] = 0;
	for (t = 1; t < 16 && t <= ctx_max[ctx]; t++)
		if (schema[ctx][t].kind == K_REJECT ||
		    schema[ctx][t].kind == K_UNSPEC)
			c[n++] = (uint16_t)t;
	if (chance(25))
		return (uint16_t)rnd_in((uint64_t)ctx_max[ctx] + 1, 0x3fff);
	return c[rnd((uint32_t)n)];
}

/* Cuts the body inside one of its top-level attributes. */
static int cut_inside(struct req *r)
{
	static struct mbuf m;
	const struct nlattr *a;
	size_t off = 0, starts[256], lens[256];
	int n = 0, k;

	m.len = 0;
	req_body(r, &m, 0);
	while (off + NLA_HDRLEN <= m.len && n < 256) {
		a = (const struct nlattr *)(m.b + off);
		if (a->nla_len < NLA_HDRLEN + 1)
			break;
		starts[n] = off;
		lens[n++] = a->nla_len;
		off += NLA_ALIGN(a->nla_len);
	}
	if (!n)
		return 0;
	k = (int)rnd((uint32_t)n);
	r->cut = 1;
	r->cutlen = starts[k] + rnd_in(1, lens[k] - 1);
	return 1;
}

/*
 * Breaks one thing in a request, or does something the kernel must take
 * as if it had not happened. Sets the expectation: EXP_FAIL when the
 * request is now certainly invalid, EXP_ANY when nobody can tell.
 */
static void mutate(struct req *r)
{
	int tries, i, fl, in_list, len;
	const struct attr_info *ai;
	struct node *x;
	uint64_t v;
	char *mut = r->mut;

	for (tries = 0; tries < 20 && r->n > 1; tries++) {
		i = (int)rnd_in(1, (uint64_t)r->n - 1);
		x = &r->nodes[i];
		if (x->gone)
			continue;
		ai = attr_info(x->ctx, x->type & NLA_TYPE_MASK);
		in_list = x->ctx == C_TSLIST;
		switch (rnd(13)) {
		case 0:
			fl = fixed_len(ai->kind);
			if (x->is_nest || fl < 0)
				continue;
			do
				len = (int)rnd(21);
			while (len == fl);
			x->len = (uint16_t)len;
			rnd_fill(x->data, (size_t)len);
			strcpy(mut, "wrong length");
			goto fail;
		case 1:
			if (x->is_nest || !bad_value(r, x, &v))
				continue;
			fl = fixed_len(ai->kind);
			if (fl < 0)
				continue;
			memcpy(x->data, &v, (size_t)fl);
			strcpy(mut, "out of range");
			goto fail;
		case 2:
			if (ai->kind == K_STR && !x->is_nest) {
				len = (int)rnd(3);
				if (len == 0) {
					x->len = (uint16_t)rnd_in(1, ai->maxlen);
					memset(x->data, 'a', x->len);
					strcpy(mut, "string without NUL");
				} else if (len == 1) {
					x->len = (uint16_t)rnd_in(ai->maxlen + 2,
								  MAXLEAF);
					memset(x->data, 'a', x->len - 1u);
					x->data[x->len - 1] = '\0';
					strcpy(mut, "string too long");
				} else {
					x->len = 0;
					strcpy(mut, "empty string");
				}
				goto fail;
			}
			if (ai->kind == K_BIN && !x->is_nest) {
				x->len = (uint16_t)rnd_in(ai->maxlen + 1, MAXLEAF);
				rnd_fill(x->data, x->len);
				strcpy(mut, "binary too long");
				goto fail;
			}
			continue;
		case 3:
			x->type = (uint16_t)((x->type & ~NLA_TYPE_MASK) |
				(chance(30) ? 0 :
				 rnd_in((uint64_t)ctx_max[x->ctx] + 1, 0x3fff)));
			strcpy(mut, "unknown type");
			goto fail;
		case 4:
			/* Entries of an array: no kernel checks their flag. */
			x->type ^= NLA_F_NESTED;
			strcpy(mut, "nested flag flipped");
			if (in_list)
				goto either;
			goto fail;
		case 5:
			if (r->nodes[x->parent].child_ctx == C_TSLIST)
				continue;
			v = rnd64();
			add(r, x->parent,
			    forbidden_type(r->nodes[x->parent].child_ctx), &v,
			    chance(50) ? 4 : 8);
			strcpy(mut, "read-only or unknown attribute");
			goto fail;
		case 6:
			if (!x->required)
				continue;
			x->gone = 1;
			strcpy(mut, "required attribute missing");
			goto fail;
		case 7:
			if (!x->is_nest)
				continue;
			x->trail = (uint8_t)rnd_in(1, 3);
			strcpy(mut, "junk at the end of a nest");
			goto fail;
		case 8:
			if (!cut_inside(r))
				continue;
			strcpy(mut, "cut inside an attribute");
			goto fail;
		case 9:
			if (in_list &&
			    count_children(r, x->parent) >= MOAT_TS_MAX)
				continue;
			if (copy_tree(r, i, x->parent) < 0)
				continue;
			strcpy(mut, "attribute twice");
			return;
		case 10:
			if (x->is_nest)
				continue;
			x->type |= NLA_F_NET_BYTEORDER;
			strcpy(mut, "byte-order flag");
			return;
		case 11:
			if (x->is_nest || in_list)
				continue;
			add(r, i, x->type & NLA_TYPE_MASK, x->data, x->len);
			x->is_nest = 1;
			x->child_ctx = x->ctx;
			x->type |= NLA_F_NESTED;
			strcpy(mut, "value wrapped in a nest");
			goto fail;
		default:
			r->ntrailing = (int)rnd_in(1, 3);
			rnd_fill(r->trailing, sizeof(r->trailing));
			strcpy(mut, "junk after the attributes");
			goto fail;
		}
	}
	return;
fail:
	r->exp = EXP_FAIL;
	r->state_dep = 0;
	r->eff.kind = E_NONE;
	return;
either:
	r->exp = EXP_ANY;
	r->eff.kind = E_NONE;
}

static void fail_framing(struct req *r, const char *why)
{
	r->exp = EXP_FAIL;
	r->state_dep = 0;
	r->eff.kind = E_NONE;
	snprintf(r->mut, sizeof(r->mut), "%s", why);
}

/* Frames the message oddly, now and then. */
static void pick_framing(struct req *r)
{
	static const uint16_t extra[] = { NLM_F_ECHO, NLM_F_ROOT, NLM_F_MATCH,
					  NLM_F_ATOMIC, NLM_F_APPEND };
	int v = (int)rnd(1000);

	if (chance(3))
		r->version = (uint8_t)rnd(256);
	if (chance(1)) {
		r->reserved = (uint16_t)rnd_in(1, 0xffff);
		fail_framing(r, "genetlink reserved field set");
	}
	if (chance(5)) {
		/* Beyond these, genetlink takes no flag but NLM_F_ECHO. */
		r->flags = extra[rnd(5)];
		if (r->flags != NLM_F_ECHO &&
		    !(r->dump && (r->flags & NLM_F_DUMP)))
			fail_framing(r, "reserved nlmsg flag");
	}
	if (v < 40) {
		r->framing = FR_NOACK;
	} else if (v < 60) {
		r->framing = FR_TRAIL;
	} else if (v < 70) {
		r->framing = FR_NOREQ;
		r->exp = EXP_NOOP;
	} else if (v < 75) {
		r->framing = FR_CTRLTYPE;
		r->exp = EXP_NOOP;
	} else if (v < 80) {
		r->framing = FR_SHORT_NL;
		r->exp = EXP_DROP;
	} else if (v < 85) {
		r->framing = FR_LONG;
		r->exp = EXP_DROP;
	} else if (v < 90) {
		r->framing = FR_SHORT_GENL;
		fail_framing(r, "genetlink header cut");
	} else {
		return;
	}
	if (r->exp != EXP_OK && r->exp != EXP_ANY)
		r->eff.kind = E_NONE;
}

/* The kernel ran the request's command (if it was valid). */
static int processed(const struct req *r)
{
	return r->framing == FR_NORMAL || r->framing == FR_NOACK ||
	       r->framing == FR_TRAIL;
}

static int mutating(uint8_t cmd)
{
	return cmd == MOAT_CMD_LINK_SET || cmd == MOAT_CMD_PEER_NEW ||
	       cmd == MOAT_CMD_PEER_DEL || cmd == MOAT_CMD_SA_NEW ||
	       cmd == MOAT_CMD_SA_DEL || cmd == MOAT_CMD_SA_FLUSH;
}

static struct req R;

/* The next request: mostly from the model, some broken, some junk. */
static void gen_any(void)
{
	struct req *r = &R;
	int full = M.npeers >= MODEL_PEERS, many = M.nsas >= MODEL_SAS;
	int w[] = { 8, full ? 3 : 12, full ? 12 : 5, many ? 2 : 9,
		    many ? 12 : 5, 1, 8 };
	int total = 0, i, v;

	if (chance(10)) {
		if (chance(35))
			gen_bad_cmd(r);
		else
			gen_junk(r);
		pick_framing(r);
		return;
	}
	for (i = 0; i < 7; i++)
		total += w[i];
	v = (int)rnd((uint32_t)total);
	for (i = 0; v >= w[i]; i++)
		v -= w[i];
	switch (i) {
	case 0:
		gen_link_set(r);
		break;
	case 1:
		gen_peer_new(r);
		break;
	case 2:
		gen_peer_del(r);
		break;
	case 3:
		gen_sa_new(r);
		break;
	case 4:
		gen_sa_del(r);
		break;
	case 5:
		gen_sa_flush(r);
		break;
	default:
		gen_get(r);
		break;
	}
	if (chance(4) && !(r->cmd == MOAT_CMD_LINK_GET && r->dump)) {
		/* The right request for a device that is not there. */
		for (i = 1; i < r->n; i++)
			if (r->nodes[i].dev)
				r->nodes[i].gone = 1;
		gen_dev(r, 0);
		expect_fail(r, "bad device", 0);
	} else if (chance(50)) {
		mutate(r);
	}
	pick_framing(r);
}

/* Command @cmd with a plain body: the sweep over every command number. */
static void gen_sweep(uint8_t cmd, int dump)
{
	struct req *r = &R;

	req_init(r, cmd, dump);
	set_what(r, "command sweep");
	req_set(r, mark_dev(r, add_str(r, 0, MOAT_A_IFNAME, g_dev)));
	r->exp = EXP_FAIL;
	if (cmd == MOAT_CMD_GUARD_GET && !dump)
		r->exp = EXP_OK;	/* reads the namespace's guard */
	if (cmd == MOAT_CMD_LINK_GET ||
	    (dump && (cmd == MOAT_CMD_PEER_GET || cmd == MOAT_CMD_SA_GET)) ||
	    (!dump && cmd == MOAT_CMD_SA_FLUSH)) {
		r->exp = EXP_OK;
		if (cmd == MOAT_CMD_SA_FLUSH) {
			r->eff.kind = E_FLUSH;
			r->eff.peer = -1;
		}
	}
}

/* ------------------------------------------------------ sending, judging */

/* Sends request @r; returns 0, -errno, R_NONE or R_TIMEOUT. */
static int send_req(struct nl *nl, struct req *r)
{
	static struct mbuf m;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | r->flags;
	uint16_t type = nl->family;
	uint32_t seq, barrier = 0;
	struct nlmsghdr *h;
	size_t len;
	int ret;

	if (r->dump)
		flags |= NLM_F_DUMP;
	if (r->framing == FR_NOACK)
		flags &= (uint16_t)~NLM_F_ACK;
	if (r->framing == FR_NOREQ)
		flags &= (uint16_t)~NLM_F_REQUEST;
	if (r->framing == FR_CTRLTYPE)
		type = (uint16_t)rnd(NLMSG_MIN_TYPE);
	mb_init(&m, type, flags);
	mb_genl(&m, r->cmd);
	((struct genlmsghdr *)NLMSG_DATA(mb_hdr(&m)))->version = r->version;
	((struct genlmsghdr *)NLMSG_DATA(mb_hdr(&m)))->reserved = r->reserved;
	req_body(r, &m, 0);
	seq = ++nl->seq;
	h = mb_hdr(&m);
	h->nlmsg_seq = seq;
	mb_end(&m);
	len = m.len;
	switch (r->framing) {
	case FR_TRAIL:
		len += rnd_in(1, NLMSG_HDRLEN - 1);
		rnd_fill(m.b + m.len, len - m.len);
		break;
	case FR_SHORT_NL:
		len = rnd_in(1, NLMSG_HDRLEN - 1);
		break;
	case FR_SHORT_GENL:
		h->nlmsg_len = (uint32_t)rnd_in(NLMSG_HDRLEN,
						NLMSG_HDRLEN + GENL_HDRLEN - 1);
		len = h->nlmsg_len;
		break;
	case FR_LONG:
		h->nlmsg_len += (uint32_t)rnd_in(1, 1000);
		break;
	}
	ret = nl_send_raw(nl, m.b, len);
	if (ret)
		return ret;
	if (r->framing == FR_NOACK || r->framing == FR_SHORT_NL ||
	    r->framing == FR_LONG)
		barrier = nl_barrier(nl);
	ret = nl_wait(nl, seq, barrier, NULL, NULL);
	if (ret == R_NONE && r->framing == FR_NOACK)
		ret = 0;
	return ret;
}

struct tally {
	long sent, exp[5], acked[5], failures, logged, checks, syncs;
	long churn_sent, errnos[135];
	double start, churn_secs;
};

static struct tally T;
/* The last requests, for context when the state goes wrong. */
static struct recent {
	long n;
	int res;
	struct req_id {
		uint8_t cmd, dump, exp, framing;
		uint16_t flags;
		char what[48], mut[48];
	} id;
} recent[16];
static long recent_n;

static const char *res_str(int res, char *buf, size_t len)
{
	if (res == 0)
		return "accepted";
	if (res == R_NONE)
		return "no answer";
	if (res == R_TIMEOUT)
		return "timed out";
	snprintf(buf, len, "refused: %s", strerror(-res));
	return buf;
}

static void req_id(const struct req *r, struct req_id *id)
{
	id->cmd = r->cmd;
	id->dump = (uint8_t)r->dump;
	id->exp = (uint8_t)r->exp;
	id->framing = (uint8_t)r->framing;
	id->flags = r->flags;
	memcpy(id->what, r->what, sizeof(id->what));
	memcpy(id->mut, r->mut, sizeof(id->mut));
}

static void describe_id(const struct req_id *r, char *out, size_t len)
{
	snprintf(out, len, "cmd %u%s %s%s%s (%s), framing %d, flags 0x%x",
		 r->cmd, r->dump ? " dump" : "", r->what, r->mut[0] ? " + " : "",
		 r->mut, exp_names[r->exp], r->framing, r->flags);
}

static void describe(const struct req *r, char *out, size_t len)
{
	struct req_id id;

	req_id(r, &id);
	describe_id(&id, out, len);
}

static void fail_msg(const char *fmt, ...)
{
	va_list ap;

	T.failures++;
	if (T.failures > MAX_REPORTS)
		return;
	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Kinds of outcome, counted by label: failures, and "either" accepted. */
struct kinds {
	int n;
	struct {
		char label[160];
		long count;
	} k[48];
};

static struct kinds fail_kinds, lenient_kinds;

/* Counts @label in @ks; returns how often it came so far. */
static long kind_count(struct kinds *ks, const char *label)
{
	int i;

	for (i = 0; i < ks->n; i++)
		if (!strcmp(ks->k[i].label, label))
			return ++ks->k[i].count;
	if (ks->n == 48)
		return 1000;
	snprintf(ks->k[ks->n].label, sizeof(ks->k[0].label), "%s", label);
	ks->k[ks->n].count = 1;
	return ks->k[ks->n++].count;
}

static void kinds_print(const struct kinds *ks, const char *title)
{
	int i;

	for (i = 0; i < ks->n; i++)
		printf("nlfuzz: %s: %s: %ld\n", title, ks->k[i].label,
		       ks->k[i].count);
}

static void fail_req(const struct req *r, int res, const char *why,
		     const char *err)
{
	static struct mbuf m;
	char d[200], rb[64], hx[2 * 600 + 1], label[160];

	/* Three of a kind in full; all of them in the summary. */
	snprintf(label, sizeof(label), "%s: %s%s%s", why, r->what,
		 r->mut[0] ? " + " : "", r->mut);
	if (kind_count(&fail_kinds, label) > 3) {
		T.failures++;
		return;
	}
	describe(r, d, sizeof(d));
	m.len = 0;
	req_body(r, &m, 0);
	hex(hx, sizeof(hx), m.b, m.len < 600 ? m.len : 600);
	fail_msg("request %ld: %s: %s: %s%s%s\n  attributes %s", T.sent, why, d,
		 res_str(res, rb, sizeof(rb)), err[0] ? ": " : "", err, hx);
}

static void note_lenient(const struct req *r)
{
	char label[160];

	snprintf(label, sizeof(label), "%s%s%s", r->what,
		 r->mut[0] ? " + " : "", r->mut);
	kind_count(&lenient_kinds, label);
}

/* Holds @r and its answer @res against what was expected. */
static void judge(const struct req *r, int res, int strict, const char *err)
{
	T.sent++;
	T.exp[r->exp]++;
	if (res == 0)
		T.acked[r->exp]++;
	else if (res < 0 && -res < 135)
		T.errnos[-res]++;
	recent[recent_n % 16].n = T.sent;
	recent[recent_n % 16].res = res;
	req_id(r, &recent[recent_n++ % 16].id);
	if (res == R_TIMEOUT) {
		fail_req(r, res, "no answer within 30 s", err);
		return;
	}
	switch (r->exp) {
	case EXP_ANY:
		if (res == 0 && processed(r))
			note_lenient(r);
		break;
	case EXP_OK:
		if (res && strict)
			fail_req(r, res, "a valid request was refused", err);
		break;
	case EXP_FAIL:
		if (res == 0 && (strict || !r->state_dep))
			fail_req(r, res, "an invalid request was accepted",
				 err);
		if (res == R_NONE)
			fail_req(r, res, "an invalid request got no error", err);
		break;
	case EXP_NOOP:
		if (res)
			fail_req(r, res, "a message that is no request was not just acknowledged", err);
		break;
	case EXP_DROP:
		if (res != R_NONE)
			fail_req(r, res, "a truncated message got an answer",
				 err);
		break;
	}
}

/* ------------------------------------------------- the kernel's state */

static struct mbuf qm;

static void query(struct nl *nl, uint8_t cmd, int dump)
{
	mb_init(&qm, nl->family, NLM_F_REQUEST | NLM_F_ACK |
		(dump ? NLM_F_DUMP : 0));
	mb_genl(&qm, cmd);
	mb_str(&qm, MOAT_A_IFNAME, g_dev);
}

static const struct nlattr *top_attr(const struct nlmsghdr *h, int type,
				     const struct nlattr **tb)
{
	attrs_parse((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
		    (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)), tb,
		    MOAT_A_MAX);
	return tb[type];
}

static int g_has_caps;

static void on_link(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[MOAT_A_MAX + 1], *l[MOAT_LINK_A_MAX + 1];
	const struct nlattr *nest = top_attr(h, MOAT_A_LINK, tb);
	struct model *k = arg;

	if (!nest)
		return;
	attrs_parse(attr_data(nest), attr_len(nest), l, MOAT_LINK_A_MAX);
	k->link[L_MSS] = (uint32_t)attr_uint(l[MOAT_LINK_A_MSS_CLAMP]);
	k->link[L_FLOOR4] = (uint32_t)attr_uint(l[MOAT_LINK_A_PMTU_FLOOR4]);
	k->link[L_MAX_PEERS] = (uint32_t)attr_uint(l[MOAT_LINK_A_MAX_PEERS]);
	k->link[L_MAX_SAS] = (uint32_t)attr_uint(l[MOAT_LINK_A_MAX_SAS]);
	k->n_peers = (uint32_t)attr_uint(l[MOAT_LINK_A_N_PEERS]);
	k->n_sas = (uint32_t)attr_uint(l[MOAT_LINK_A_N_SAS]);
	g_has_caps = l[MOAT_LINK_A_MAX_PEERS] && l[MOAT_LINK_A_MAX_SAS];
}

static void get_addr(const struct nlattr *a4, const struct nlattr *a6,
		     uint8_t *fam, uint8_t *a)
{
	memset(a, 0, 16);
	*fam = 0;
	if (a4 && attr_len(a4) == 4) {
		*fam = 4;
		memcpy(a, attr_data(a4), 4);
	} else if (a6 && attr_len(a6) == 16) {
		*fam = 6;
		memcpy(a, attr_data(a6), 16);
	}
}

static void on_peer(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	const struct nlattr *nest = top_attr(h, MOAT_A_PEER, tb), *e;
	const struct nlattr *ta[MOAT_TS_A_MAX + 1];
	struct model *k = arg;
	struct mpeer *p;
	int rem;

	if (!nest)
		return;
	if (k->npeers >= MAXP) {
		k->overflow = 1;
		return;
	}
	p = &k->peers[k->npeers++];
	memset(p, 0, sizeof(*p));
	attrs_parse(attr_data(nest), attr_len(nest), pa, MOAT_PEER_A_MAX);
	get_addr(pa[MOAT_PEER_A_REMOTE4], pa[MOAT_PEER_A_REMOTE6], &p->fam,
		 p->remote);
	get_addr(pa[MOAT_PEER_A_LOCAL4], pa[MOAT_PEER_A_LOCAL6],
		 &p->has_local, p->local);
	p->has_local = !!p->has_local;
	p->encap = (uint8_t)attr_uint(pa[MOAT_PEER_A_ENCAP]);
	p->sport = (uint16_t)attr_uint(pa[MOAT_PEER_A_SPORT]);
	p->dport = (uint16_t)attr_uint(pa[MOAT_PEER_A_DPORT]);
	p->n_sas = (uint32_t)attr_uint(pa[MOAT_PEER_A_N_SAS]);
	if (!pa[MOAT_PEER_A_TS])
		return;
	e = attr_data(pa[MOAT_PEER_A_TS]);
	rem = attr_len(pa[MOAT_PEER_A_TS]);
	while (rem >= NLA_HDRLEN && e->nla_len >= NLA_HDRLEN &&
	       e->nla_len <= rem && p->nts < MOAT_TS_MAX) {
		struct mts *t = &p->ts[p->nts++];

		attrs_parse(attr_data(e), attr_len(e), ta, MOAT_TS_A_MAX);
		get_addr(ta[MOAT_TS_A_ADDR4], ta[MOAT_TS_A_ADDR6], &t->fam,
			 t->a);
		t->plen = (uint8_t)attr_uint(ta[MOAT_TS_A_PREFIXLEN]);
		rem -= NLA_ALIGN(e->nla_len);
		e = (const struct nlattr *)((const char *)e +
					    NLA_ALIGN(e->nla_len));
	}
}

static void on_sa(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	const struct nlattr *sa[MOAT_SA_A_MAX + 1], *lt[MOAT_LT_A_MAX + 1];
	struct model *k = arg;
	struct msa *s;
	int i;

	top_attr(h, 0, tb);
	if (!tb[MOAT_A_PEER] || !tb[MOAT_A_SA])
		return;
	if (k->nsas >= MAXS) {
		k->overflow = 1;
		return;
	}
	s = &k->sas[k->nsas++];
	memset(s, 0, sizeof(*s));
	attrs_parse(attr_data(tb[MOAT_A_PEER]), attr_len(tb[MOAT_A_PEER]), pa,
		    MOAT_PEER_A_MAX);
	get_addr(pa[MOAT_PEER_A_REMOTE4], pa[MOAT_PEER_A_REMOTE6], &s->fam,
		 s->remote);
	attrs_parse(attr_data(tb[MOAT_A_SA]), attr_len(tb[MOAT_A_SA]), sa,
		    MOAT_SA_A_MAX);
	s->spi = (uint32_t)attr_uint(sa[MOAT_SA_A_SPI]);
	s->dir = (uint8_t)attr_uint(sa[MOAT_SA_A_DIR]);
	s->state = (uint8_t)attr_uint(sa[MOAT_SA_A_STATE]);
	s->esn = !!(attr_uint(sa[MOAT_SA_A_FLAGS]) & MOAT_SA_F_ESN);
	s->window = (uint32_t)attr_uint(sa[MOAT_SA_A_REPLAY_WINDOW]);
	s->alg = -1;
	for (i = 0; i < 2; i++)
		if (sa[MOAT_SA_A_ALG] &&
		    !strncmp(attr_data(sa[MOAT_SA_A_ALG]), alg_names[i],
			     (size_t)attr_len(sa[MOAT_SA_A_ALG])))
			s->alg = (int8_t)i;
	if (!sa[MOAT_SA_A_LIFETIME])
		return;
	attrs_parse(attr_data(sa[MOAT_SA_A_LIFETIME]),
		    attr_len(sa[MOAT_SA_A_LIFETIME]), lt, MOAT_LT_A_MAX);
	for (i = 0; i < LT_N; i++)
		s->lt[i] = attr_uint(lt[lt_types[i]]);
}

/* Reads the device's state into @k. */
static int snapshot(struct nl *nl, struct model *k)
{
	int ret;

	model_reset(k);
	query(nl, MOAT_CMD_LINK_GET, 0);
	ret = nl_call(nl, &qm, on_link, k);
	if (!ret) {
		query(nl, MOAT_CMD_PEER_GET, 1);
		ret = nl_call(nl, &qm, on_peer, k);
	}
	if (!ret) {
		query(nl, MOAT_CMD_SA_GET, 1);
		ret = nl_call(nl, &qm, on_sa, k);
	}
	T.syncs++;
	return ret;
}

static int cmp_ts(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct mts));
}

static void fmt_addr(uint8_t fam, const uint8_t *a, char *out, size_t len)
{
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, out, (socklen_t)len);
}

#define DIFF(...)							\
	do {								\
		if (n++ < 6)						\
			o += snprintf(out + o, len > o ? len - o : 0,	\
				      "\n  " __VA_ARGS__);		\
	} while (0)

/* What differs between the model @m and the kernel's @k, into @out. */
static int model_diff(const struct model *m, const struct model *k, char *out,
		      size_t len)
{
	static struct mts a[MOAT_TS_MAX], b[MOAT_TS_MAX];
	static const char *const lnames[L_N] = { "mss-clamp", "pmtu-floor4",
						 "max-peers", "max-sas" };
	char ad[INET6_ADDRSTRLEN];
	size_t o = 0;
	int n = 0, i, j;

	out[0] = '\0';
	for (i = 0; i < (g_caps ? L_N : L_MAX_PEERS); i++)
		if (m->link[i] != k->link[i])
			DIFF("link %s: model %u, kernel %u", lnames[i],
			     m->link[i], k->link[i]);
	if ((uint32_t)m->npeers != k->n_peers || m->npeers != k->npeers)
		DIFF("peers: model %d, kernel counts %u and dumps %d",
		     m->npeers, k->n_peers, k->npeers);
	if ((uint32_t)m->nsas != k->n_sas || m->nsas != k->nsas)
		DIFF("SAs: model %d, kernel counts %u and dumps %d", m->nsas,
		     k->n_sas, k->nsas);
	if (k->overflow)
		DIFF("the kernel holds more than the model can");
	for (i = 0; i < m->npeers && i < k->npeers; i++) {
		const struct mpeer *p = &m->peers[i], *q = &k->peers[i];

		fmt_addr(p->fam, p->remote, ad, sizeof(ad));
		if (p->fam != q->fam || memcmp(p->remote, q->remote, 16)) {
			DIFF("peer %d: model %s, kernel another", i, ad);
			continue;
		}
		if (p->has_local != q->has_local ||
		    (p->has_local && memcmp(p->local, q->local, 16)))
			DIFF("peer %s: local address", ad);
		if (p->encap != q->encap ||
		    (p->encap && (p->sport != q->sport ||
				  p->dport != q->dport)))
			DIFF("peer %s: encap %u %u/%u, kernel %u %u/%u", ad,
			     p->encap, p->sport, p->dport, q->encap, q->sport,
			     q->dport);
		if ((uint32_t)peer_sas(m, p, 0) != q->n_sas)
			DIFF("peer %s: %d SAs, kernel counts %u", ad,
			     peer_sas(m, p, 0), q->n_sas);
		memcpy(a, p->ts, sizeof(a[0]) * p->nts);
		memcpy(b, q->ts, sizeof(b[0]) * q->nts);
		qsort(a, p->nts, sizeof(a[0]), cmp_ts);
		qsort(b, q->nts, sizeof(b[0]), cmp_ts);
		if (p->nts != q->nts ||
		    memcmp(a, b, sizeof(a[0]) * p->nts))
			DIFF("peer %s: %d selectors, kernel %d, or others", ad,
			     p->nts, q->nts);
	}
	for (i = 0; i < m->nsas; i++) {
		const struct msa *s = &m->sas[i], *t = NULL;

		for (j = 0; j < k->nsas; j++)
			if (k->sas[j].fam == s->fam &&
			    !memcmp(k->sas[j].remote, s->remote, 16) &&
			    k->sas[j].spi == s->spi && k->sas[j].dir == s->dir)
				t = &k->sas[j];
		fmt_addr(s->fam, s->remote, ad, sizeof(ad));
		if (!t) {
			DIFF("SA %s spi 0x%x dir %u: not in the kernel", ad,
			     s->spi, s->dir);
			continue;
		}
		if (s->state != t->state || s->alg != t->alg ||
		    s->esn != t->esn ||
		    (s->dir == MOAT_DIR_IN && s->window != t->window) ||
		    memcmp(s->lt, t->lt, sizeof(s->lt)))
			DIFF("SA %s spi 0x%x dir %u: state %u/%u alg %d/%d esn %u/%u window %u/%u lifetimes %s",
			     ad, s->spi, s->dir, s->state, t->state, s->alg,
			     t->alg, s->esn, t->esn, s->window, t->window,
			     memcmp(s->lt, t->lt, sizeof(s->lt)) ? "differ" :
								   "agree");
	}
	return n;
}

static struct model K;

/* Compares the model with the kernel (if @check), then takes the kernel's. */
static void sync_model(struct nl *nl, int check)
{
	char diff[1200], d[200], rb[64];
	long i;
	int ret;

	ret = snapshot(nl, &K);
	if (ret) {
		if (check)
			fail_msg("the device could not be read: %s",
				 strerror(ret < 0 ? -ret : EIO));
		model_reset(&M);
		return;
	}
	if (check) {
		T.checks++;
		if (model_diff(&M, &K, diff, sizeof(diff))) {
			fail_msg("after request %ld the device differs from the model:%s\n  the last requests:",
				 T.sent, diff);
			for (i = recent_n > 16 ? recent_n - 16 : 0;
			     i < recent_n && T.failures <= MAX_REPORTS; i++) {
				const struct recent *e = &recent[i % 16];

				describe_id(&e->id, d, sizeof(d));
				fprintf(stderr, "    #%ld %s: %s\n", e->n, d,
					res_str(e->res, rb, sizeof(rb)));
			}
		}
	}
	M = K;
}

/* ----------------------------------------------------------------- churn */

static volatile sig_atomic_t stop_churn;

static void on_term(int sig)
{
	(void)sig;
	stop_churn = 1;
}

/*
 * A process in a namespace of its own that creates moat device @dev in
 * the namespace of @nsfd, then waits to be killed: its namespace, the
 * device's outer one, then goes, and takes the device with it.
 */
static pid_t holder_start(const char *dev, int nsfd)
{
	int p[2], ok = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGTERM, SIG_DFL);
		if (!unshare(CLONE_NEWNET) && !link_add(dev, nsfd))
			ok = 1;
		if (write(p[1], &ok, sizeof(ok)) != sizeof(ok))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &ok, sizeof(ok)) != sizeof(ok) || !ok) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void holder_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Until SIGTERM: now and then deletes @dev and makes a new one, either
 * with RTM_DELLINK or by ending the namespace it was created from. Leaves
 * no device behind. Exits 0, or 1 if a device would not go or come.
 */
static void churn(const char *dev, uint64_t seed)
{
	int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	long links = 0, nets = 0, bad = 0;
	pid_t holder = -1;
	double t;

	rnd_seed(seed);
	signal(SIGTERM, on_term);
	while (!stop_churn) {
		usleep((useconds_t)rnd_in(10000, 250000));
		if (stop_churn)
			break;
		t = now_s();
		/* A holder lives exactly as long as the device it made. */
		if (holder > 0 && chance(50)) {
			holder_stop(holder);
			nets++;
		} else {
			link_del(dev);
			links++;
			if (holder > 0)
				holder_stop(holder);
		}
		holder = -1;
		if (link_wait_gone(dev, 20)) {
			fprintf(stderr, "churn: %s is not going away\n", dev);
			bad = 1;
			break;
		}
		if (chance(50)) {
			holder = holder_start(dev, nsfd);
			bad = holder < 0;
		} else {
			bad = !!link_add(dev, -1);
		}
		if (bad) {
			fprintf(stderr, "churn: cannot make %s again\n", dev);
			break;
		}
		t = now_s() - t;
		if (t > 3)
			fprintf(stderr, "nlfuzz: note: re-creating %s took %.1f s\n",
				dev, t);
	}
	if (holder > 0)
		holder_stop(holder);
	link_del(dev);
	if (link_wait_gone(dev, 20))
		bad = 1;
	printf("nlfuzz: churn: %s deleted %ld times by RTM_DELLINK, %ld times with its outer namespace\n",
	       dev, links, nets);
	fflush(stdout);
	_exit(bad);
}

/* ------------------------------------------------------------------ modes */

static FILE *logf_;

/* Writes @r as a line of a log that replay reads. */
static void write_req(FILE *f, const struct req *r)
{
	static struct mbuf m;
	static char hx[2 * MSGMAX + 1];

	m.len = 0;
	req_body(r, &m, 1);
	hex(hx, sizeof(hx), m.b, m.len);
	fprintf(f, "%u %x %s\n", r->cmd, r->flags, hx);
}

static void log_req(const struct req *r)
{
	if (logf_)
		write_req(logf_, r);
	T.logged++;
}

/*
 * Writes the requests that build the model's state on an empty device:
 * what the valid requests alone leave behind. Peers and SAs go in their
 * list order, which also makes the right outbound SA current; the caps
 * come last, since they may be under the counts.
 */
static int write_expected(const char *path)
{
	static const uint8_t key[MOAT_KEY_MAX];
	struct req *r = &R;
	int i, j, n, l;
	FILE *f;

	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	for (i = 0; i < M.npeers; i++) {
		const struct mpeer *p = &M.peers[i];

		req_init(r, MOAT_CMD_PEER_NEW, 0);
		n = put_peer_id(r, p->fam, p->remote, 0);
		if (p->has_local)
			add(r, n, p->fam == 4 ? MOAT_PEER_A_LOCAL4 :
			    MOAT_PEER_A_LOCAL6, p->local, addr_len(p->fam));
		add_u8(r, n, MOAT_PEER_A_ENCAP, p->encap);
		if (p->encap) {
			add_u16(r, n, MOAT_PEER_A_SPORT, p->sport);
			add_u16(r, n, MOAT_PEER_A_DPORT, p->dport);
		}
		l = add_nest(r, n, MOAT_PEER_A_TS, C_TSLIST);
		for (j = 0; j < p->nts; j++)
			put_ts(r, l, &p->ts[j]);
		write_req(f, r);
	}
	for (i = 0; i < M.nsas; i++) {
		const struct msa *s = &M.sas[i];

		req_init(r, MOAT_CMD_SA_NEW, 0);
		put_peer_id(r, s->fam, s->remote, 0);
		n = add_nest(r, 0, MOAT_A_SA, C_SA);
		add_u32(r, n, MOAT_SA_A_SPI, s->spi);
		add_u8(r, n, MOAT_SA_A_DIR, s->dir);
		add_str(r, n, MOAT_SA_A_ALG, alg_names[s->alg > 0]);
		add(r, n, MOAT_SA_A_KEY, key, sizeof(key));
		add_u32(r, n, MOAT_SA_A_FLAGS, s->esn ? MOAT_SA_F_ESN : 0);
		if (s->dir == MOAT_DIR_IN)
			add_u32(r, n, MOAT_SA_A_REPLAY_WINDOW, s->window);
		l = add_nest(r, n, MOAT_SA_A_LIFETIME, C_LT);
		for (j = 0; j < LT_N; j++)
			if (s->lt[j])
				add_u64(r, l, lt_types[j], s->lt[j]);
		write_req(f, r);
	}
	req_init(r, MOAT_CMD_LINK_SET, 0);
	n = add_nest(r, 0, MOAT_A_LINK, C_LINK);
	add_u32(r, n, MOAT_LINK_A_MSS_CLAMP, M.link[L_MSS]);
	add_u32(r, n, MOAT_LINK_A_PMTU_FLOOR4, M.link[L_FLOOR4]);
	if (g_caps) {
		add_u32(r, n, MOAT_LINK_A_MAX_PEERS, M.link[L_MAX_PEERS]);
		add_u32(r, n, MOAT_LINK_A_MAX_SAS, M.link[L_MAX_SAS]);
	}
	write_req(f, r);
	return fclose(f) ? -1 : 0;
}

/* One request: generate, send, judge, and follow it in the model. */
static void step(struct nl *nl, int final, int sweep_cmd, int sweep_dump)
{
	struct req *r = &R;
	double t;
	int res;

	if (sweep_cmd >= 0)
		gen_sweep((uint8_t)sweep_cmd, sweep_dump);
	else
		gen_any();
	t = now_s();
	res = send_req(nl, r);
	t = now_s() - t;
	if (t > 3) {
		char d[200];

		describe(r, d, sizeof(d));
		fprintf(stderr, "nlfuzz: note: request %ld took %.1f s: %s\n",
			T.sent + 1, t, d);
	}
	judge(r, res, final, nl->err);
	if (res == 0 && processed(r) && mutating(r->cmd) && !r->dump) {
		if (final)
			log_req(r);
		if (r->exp == EXP_OK)
			model_apply(&M, &r->eff);
		else
			sync_model(nl, 0);
	}
	if (!final && res == -ENODEV) {
		int idx = (int)link_index(g_dev);

		if (idx && idx != g_ifindex) {
			g_ifindex = idx;
			sync_model(nl, 0);
		}
	}
}

static int make_dev(const char *dev)
{
	int ret;

	if (link_index(dev))
		link_del(dev);
	ret = link_add(dev, -1);
	g_ifindex = (int)link_index(dev);
	if (ret || !g_ifindex) {
		fprintf(stderr, "moat-nlfuzz: cannot create %s: %s\n", dev,
			strerror(ret < 0 ? -ret : ENODEV));
		return -1;
	}
	return 0;
}

/*
 * Makes the kernel instantiate both AEADs before anything is timed: the
 * first SA of each can wait seconds for modprobe and the self-tests.
 */
static void warm_up(struct nl *nl)
{
	static const uint8_t remote[16] = { 192, 0, 2, 250 };
	static const uint8_t key[MOAT_KEY_MAX];
	struct req *r = &R;
	int i, sn, res;

	for (i = -1; i <= 2; i++) {
		req_init(r, i < 0 ? MOAT_CMD_PEER_NEW : i < 2 ?
			 MOAT_CMD_SA_NEW : MOAT_CMD_PEER_DEL, 0);
		add_str(r, 0, MOAT_A_IFNAME, g_dev);
		put_peer_id(r, 4, remote, 0);
		if (i == 0 || i == 1) {
			sn = add_nest(r, 0, MOAT_A_SA, C_SA);
			add_u32(r, sn, MOAT_SA_A_SPI, 0xff00 + (uint32_t)i);
			add_u8(r, sn, MOAT_SA_A_DIR, MOAT_DIR_IN);
			add_str(r, sn, MOAT_SA_A_ALG, alg_names[i]);
			add(r, sn, MOAT_SA_A_KEY, key, sizeof(key));
		}
		res = send_req(nl, r);
		if (res)
			fprintf(stderr, "nlfuzz: warm-up request %d refused: %s: %s\n",
				i + 2, strerror(res < 0 ? -res : EIO), nl->err);
	}
}

static void summary(uint64_t seed)
{
	double t = now_s() - T.start;
	int i;

	printf("nlfuzz: seed %" PRIu64 ": %ld requests in %.1f s (%.0f/s), %ld of them in %.1f s of churn; %d peers and %d SAs at the end\n",
	       seed, T.sent, t, T.sent / (t > 0 ? t : 1), T.churn_sent,
	       T.churn_secs, M.npeers, M.nsas);
	printf("nlfuzz: valid %ld (%ld accepted), invalid %ld (%ld accepted), either %ld (%ld accepted), no-op %ld, dropped %ld\n",
	       T.exp[EXP_OK], T.acked[EXP_OK], T.exp[EXP_FAIL], T.acked[EXP_FAIL],
	       T.exp[EXP_ANY], T.acked[EXP_ANY], T.exp[EXP_NOOP],
	       T.exp[EXP_DROP]);
	printf("nlfuzz: refusals:");
	for (i = 1; i < 135; i++)
		if (T.errnos[i])
			printf(" %s %ld", strerrorname_np(i) ?
			       strerrorname_np(i) : "?", T.errnos[i]);
	printf("\nnlfuzz: %ld state checks, %ld reads, %ld accepted changes; %ld failures\n",
	       T.checks, T.syncs, T.logged, T.failures);
	kinds_print(&lenient_kinds, "accepted, either way");
	kinds_print(&fail_kinds, "FAILED");
}

static int fuzz(const char *dev, uint64_t seed, long count, double secs,
		int churn_pct, const char *logpath, const char *exppath)
{
	long churn_n = count * churn_pct / 100, i;
	double churn_end, end;
	char udp[2048];
	struct nl nl;
	pid_t reaper;
	int status, cmd;

	if (nl_open_moat(&nl) || make_dev(dev))
		return 2;
	logf_ = logpath ? fopen(logpath, "w") : NULL;
	if (logpath && !logf_) {
		perror(logpath);
		return 2;
	}
	g_lo = (int)link_index("lo");
	rnd_seed(seed);
	warm_up(&nl);
	sync_model(&nl, 0);
	g_caps = g_has_caps;
	if (!g_caps)
		ctx_max[C_LINK] = MOAT_LINK_A_STATS;
	T.start = now_s();
	churn_end = T.start + secs * churn_pct / 100;
	end = T.start + secs;

	if (churn_n) {
		fflush(stdout);
		reaper = fork();
		if (reaper < 0)
			return 2;
		if (reaper == 0)
			churn(dev, seed ^ 0x6368726eULL);
		for (i = 0; i < churn_n && (i % 64 || now_s() < churn_end); i++) {
			step(&nl, 0, -1, 0);
			if (i % 100 == 99)
				sync_model(&nl, 0);
		}
		T.churn_sent = T.sent;
		T.churn_secs = now_s() - T.start;
		kill(reaper, SIGTERM);
		if (waitpid(reaper, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			fail_msg("the churn process failed");
		if (udp_sockets(udp, sizeof(udp)))
			fail_msg("UDP sockets are left in the namespace with no moat device in it:\n%s",
				 udp);
		if (make_dev(dev))
			return 2;
	}

	/* The final phase: a fresh device, judged strictly. */
	model_reset(&M);
	sync_model(&nl, 1);
	for (cmd = 0; cmd < 256; cmd++) {
		step(&nl, 1, cmd, 0);
		step(&nl, 1, cmd, 1);
	}
	for (i = T.sent; i < count && (i % 64 || now_s() < end); i++) {
		step(&nl, 1, -1, 0);
		if (T.sent % CHECK_EVERY == 0)
			sync_model(&nl, 1);
	}
	sync_model(&nl, 1);
	if (logf_)
		fclose(logf_);
	if (exppath && write_expected(exppath))
		return 2;

	if (count > T.sent)
		fail_msg("only %ld of %ld requests in %.0f s", T.sent, count,
			 secs);
	summary(seed);
	return T.failures ? 1 : 0;
}

static int unhex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int unhex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;
	int hi, lo;

	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		hi = unhex_digit(s[2 * i]);
		lo = unhex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

/* Requests replayed per datagram: the kernel takes them in order. */
#define BATCH		64

struct batch {
	uint8_t b[MSGMAX];
	size_t len;
	int n;
	uint32_t seq0;		/* of the first request */
	long line0;		/* its line in the log */
	long bad;
};

/* Sends the batch and reads one answer per request in it. */
static int batch_flush(struct nl *nl, struct batch *bt, const char *path)
{
	const struct nlmsghdr *h;
	int answered = 0, ret;
	ssize_t n;

	if (!bt->n)
		return 0;
	ret = nl_send_raw(nl, bt->b, bt->len);
	if (ret)
		return ret;
	while (answered < bt->n) {
		n = recv(nl->fd, rxbuf, sizeof(rxbuf), 0);
		if (n < 0)
			return -errno;
		for (h = (const struct nlmsghdr *)rxbuf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			uint32_t i = h->nlmsg_seq - bt->seq0;
			int err;

			if (h->nlmsg_type != NLMSG_ERROR || i >= (uint32_t)bt->n)
				continue;
			answered++;
			err = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (!err)
				continue;
			nl_extack(nl, h);
			if (bt->bad++ < MAX_REPORTS)
				fprintf(stderr, "FAIL: %s line %ld was refused: %s: %s\n",
					path, bt->line0 + i, strerror(-err),
					nl->err);
		}
	}
	bt->len = 0;
	bt->n = 0;
	return 0;
}

static int replay(const char *path, const char *dev)
{
	static char line[2 * MSGMAX + 64], hx[2 * MSGMAX + 1];
	static struct batch bt;
	static struct mbuf m;
	static uint8_t body[MSGMAX];
	unsigned int cmd, flags;
	long n = 0;
	struct nl nl;
	size_t len;
	FILE *f;

	if (nl_open_moat(&nl))
		return 2;
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		hx[0] = '\0';
		n++;
		if (sscanf(line, "%u %x %s", &cmd, &flags, hx) < 2 ||
		    unhex(hx, body, sizeof(body), &len)) {
			fprintf(stderr, "%s: bad line %ld\n", path, n);
			return 2;
		}
		mb_init(&m, nl.family,
			(uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags));
		mb_genl(&m, (uint8_t)cmd);
		mb_str(&m, MOAT_A_IFNAME, dev);
		memcpy(m.b + m.len, body, len);
		m.len += len;
		mb_hdr(&m)->nlmsg_seq = ++nl.seq;
		mb_end(&m);
		memset(m.b + m.len, 0, NLMSG_ALIGN(m.len) - m.len);
		m.len = NLMSG_ALIGN(m.len);
		if ((bt.n == BATCH || bt.len + m.len > sizeof(bt.b)) &&
		    batch_flush(&nl, &bt, path))
			return 2;
		if (!bt.n) {
			bt.seq0 = nl.seq;
			bt.line0 = n;
		}
		memcpy(bt.b + bt.len, m.b, m.len);
		bt.len += m.len;
		bt.n++;
	}
	fclose(f);
	if (batch_flush(&nl, &bt, path))
		return 2;
	printf("nlfuzz: replayed %ld requests, %ld refused\n", n, bt.bad);
	return bt.bad ? 1 : 0;
}

/* Without CAP_NET_ADMIN, nothing goes: not even reading. */
static int unpriv(const char *dev, uint64_t seed, long count)
{
	struct req *r = &R;
	struct nl nl;
	long i;
	int res, want;

	if (nl_open_moat(&nl))
		return 2;
	snprintf(g_dev, sizeof(g_dev), "%s", dev);
	g_ifindex = (int)link_index(dev);
	g_lo = (int)link_index("lo");
	rnd_seed(seed);
	model_reset(&M);
	for (i = 0; i < count; i++) {
		if (i < 512) {
			gen_sweep((uint8_t)(i / 2), (int)(i % 2));
		} else {
			gen_any();
			r->framing = FR_NORMAL;
			r->flags = r->reserved = 0;
		}
		/* Whatever the body: the permission check comes first. */
		r->exp = EXP_FAIL;
		r->state_dep = 0;
		res = send_req(&nl, r);
		want = (r->cmd >= MOAT_CMD_LINK_GET &&
			r->cmd <= MOAT_CMD_SA_FLUSH) ||
		       cmd_unmodelled(r->cmd) ? -EPERM : -EOPNOTSUPP;
		judge(r, res, 0, nl.err);
		if (res != want)
			fail_req(r, res, want == -EPERM ?
				 "not refused for want of CAP_NET_ADMIN" :
				 "an unknown command was not refused", nl.err);
	}
	if (nl.mcgrp) {
		uint32_t g = nl.mcgrp;

		if (!setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
				sizeof(g)))
			fail_msg("joined the \"%s\" multicast group without CAP_NET_ADMIN",
				 MOAT_MCGRP_EVENTS);
	} else {
		fail_msg("the family has no \"%s\" group", MOAT_MCGRP_EVENTS);
	}
	printf("nlfuzz: %ld unprivileged requests, %ld failures\n", T.sent,
	       T.failures);
	return T.failures ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: moat-nlfuzz fuzz [-s SEED] [-n COUNT] [-t SECS] [-c PERCENT] [-l LOG]\n"
		"                        [-e EXPECTED] DEV\n"
		"       moat-nlfuzz replay LOG DEV\n"
		"       moat-nlfuzz unpriv [-s SEED] [-n COUNT] DEV\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode, *logpath = NULL, *exppath = NULL;
	uint64_t seed = (uint64_t)time(NULL);
	long count = 100000;
	double secs = 600;
	int churn_pct = 8, c;

	if (argc < 2)
		return usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "s:n:t:c:l:e:")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtol(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'c':
			churn_pct = atoi(optarg);
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'e':
			exppath = optarg;
			break;
		default:
			return usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "replay") && argc - optind == 2)
		return replay(argv[optind], argv[optind + 1]);
	if (argc - optind != 1 || strlen(argv[optind]) >= IFNAMSIZ)
		return usage();
	snprintf(g_dev, sizeof(g_dev), "%s", argv[optind]);
	if (!strcmp(mode, "fuzz") && count > 0 && secs > 0 &&
	    churn_pct >= 0 && churn_pct < 100)
		return fuzz(g_dev, seed, count, secs, churn_pct, logpath,
			    exppath);
	if (!strcmp(mode, "unpriv") && count > 0)
		return unpriv(g_dev, seed, count);
	return usage();
}
