// SPDX-License-Identifier: GPL-2.0
/*
 * The hand-off to the moat module through libmoat: the device (created
 * over rtnetlink when missing), the peer with the narrowed selectors, and
 * its ESP SAs, inbound first so the peer's first packet finds its SA.
 * The peer is installed once per IKE SA (a rekeyed IKE SA hands it on);
 * Child SAs come and go under it. A rekey loses no packet: the module
 * sends on its current outbound SA and keeps a new one as next, promoted
 * when the current one is deleted; a replaced inbound SA stays a little
 * longer for the packets the peer sent on the old SA before it switched.
 * What is installed is also written to MOATD_RUN_DIR/installed.INODE, so
 * a moatd started after one that was killed removes its leftovers.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>

#include <linux/moat.h>

#include "daemon.h"
#include "exchange_est.h"
#include "guardd.h"
#include "moatnl.h"
#include "parse.h"
#include "req.h"
#include "ts_prefix.h"


static struct moat_nl nl;
static bool nl_open;
/* MOATD_RUN_DIR/installed.INODE: one per network namespace. */
static char state_file[64];

static void state_file_name(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		st.st_ino = 0;
	snprintf(state_file, sizeof(state_file), "%s/installed.%llu",
		 MOATD_RUN_DIR, (unsigned long long)st.st_ino);
}

int kernel_open(void)
{
	int ret = moat_nl_open(&nl);

	if (ret) {
		dlog(LOG_ERR, "moat netlink family: %s (is the module loaded?)",
		     strerror(-ret));
		return -1;
	}
	nl_open = true;
	state_file_name();
	nlmsg_set_default_size(MOAT_PEER_MSG_SIZE);
	return 0;
}

void kernel_close(void)
{
	if (nl_open)
		moat_nl_close(&nl);
	nl_open = false;
}

/* RTM_NEWLINK type moat, up: `ip link add DEV type moat && ip link set up`. */
static int rtnl_create(const char *dev)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	struct nlattr *info;
	int ret = -ENOMEM;

	if (!sk)
		return ret;
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret)
		goto out;
	ret = -ENOMEM;
	msg = nlmsg_alloc_simple(RTM_NEWLINK,
				 NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_string(msg, IFLA_IFNAME, dev))
		goto out;
	info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, "moat"))
		goto out;
	nla_nest_end(msg, info);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_wait_for_ack(sk);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

int kernel_ensure_dev(const char *dev)
{
	int ret;

	if (if_nametoindex(dev))
		return 0;
	ret = rtnl_create(dev);
	if (ret < 0 && !if_nametoindex(dev)) {
		dlog(LOG_ERR, "creating %s: %s", dev, nl_geterror(ret));
		return -1;
	}
	dlog(LOG_INFO, "created %s", dev);
	return 0;
}

static int send_req(struct nl_msg *msg, const char *what, bool keyed)
{
	int ret;

	if (keyed)
		nlmsg_get(msg);
	ret = moat_nl_request(&nl, msg, NULL, NULL);
	if (keyed)
		req_free_wiped(msg);
	if (ret)
		dlog(LOG_ERR, "%s: %s%s%s", what, strerror(-ret),
		     nl.errmsg[0] ? ": " : "", nl.errmsg);
	return ret;
}

int kernel_hand_socket(int fd)
{
	struct nl_msg *msg = moat_nl_msg(&nl, MOAT_CMD_SOCK_SET, 0);

	if (!msg || req_put_sock_fd(msg, fd)) {
		nlmsg_free(msg);
		return -1;
	}
	return send_req(msg, "handing UDP 4500 to the module", false);
}

int kernel_hand_ike_socket(int fd)
{
	struct nl_msg *msg = moat_nl_msg(&nl, MOAT_CMD_SOCK_SET, 0);

	if (!msg || req_put_sock_fd(msg, fd) ||
	    req_put_sock_kind(msg, MOAT_SOCK_IKE)) {
		nlmsg_free(msg);
		return -1;
	}
	return send_req(msg, "handing UDP 500 to the module's guard", false);
}

/*
 * An IKE SA on 4500 with a NAT on the way, or encap = yes, has its Child
 * SAs in UDP, from our 4500 to the port the peer's IKE comes from: past
 * a NAT, the mapped one.
 */
static int peer_add(const struct ikesa *sa)
{
	static struct moat_prefix ts[MOAT_TS_MAX];
	struct moat_peer_req r = {
		.remote = sa->ep.remote, .local = sa->ep.local,
		.encap = MOAT_ENCAP_NONE, .ts = ts,
	};
	struct nl_msg *msg;

	if (ike_esp_in_udp(sa)) {
		r.encap = MOAT_ENCAP_UDP;
		r.sport = sa->ep.local_port;
		r.dport = sa->ep.remote_port;
	}

	if (ts_prefixes(&sa->child.ts_remote, ts, MOAT_TS_MAX, &r.n_ts))
		return -1;
	msg = moat_nl_msg(&nl, MOAT_CMD_PEER_NEW, 0);
	if (!msg || nla_put_string(msg, MOAT_A_IFNAME, sa->conn->dev) ||
	    req_put_peer(msg, &r)) {
		nlmsg_free(msg);
		return -1;
	}
	return send_req(msg, "peer add", false);
}

static void sa_lifetime(const struct moatd_conn *c, struct moat_lifetime *lt)
{
	memset(lt, 0, sizeof(*lt));
	if (c->rekey_time) {
		lt->v[LT_SOFT][LT_SECONDS] = c->rekey_time;
		lt->given |= 1U << (LT_SOFT * LT_KINDS + LT_SECONDS);
	}
	if (c->life_time) {
		lt->v[LT_HARD][LT_SECONDS] = c->life_time;
		lt->given |= 1U << (LT_HARD * LT_KINDS + LT_SECONDS);
	}
}

static int sa_add(const struct dsa *s, const struct child_sa *ch, uint8_t dir)
{
	const struct moatd_conn *c = s->sa->conn;
	struct moat_sa_req r = {
		.dir = dir, .alg = ch->aead, .keylen = ch->keymat_len,
		.icv_bits = ch->icv_bits,
		.flags = ch->esn ? MOAT_SA_F_ESN : 0,
	};
	struct nl_msg *msg;

	r.spi = dir == MOAT_DIR_IN ? ch->spi_in : ch->spi_out;
	r.key = dir == MOAT_DIR_IN ? ch->key_in : ch->key_out;
	if (dir == MOAT_DIR_IN) {
		r.have_window = 1;
		r.window = c->replay_window;
		if (ch->esn && !r.window)
			r.window = MOAT_REPLAY_WINDOW_DEFAULT;
	}
	sa_lifetime(c, &r.lt);
	msg = moat_nl_msg(&nl, MOAT_CMD_SA_NEW, 0);
	if (!msg || nla_put_string(msg, MOAT_A_IFNAME, s->dev) ||
	    req_put_peer_remote(msg, &s->remote) || req_put_sa(msg, &r)) {
		req_free_wiped(msg);
		return -1;
	}
	return send_req(msg, dir == MOAT_DIR_IN ? "sa add in" : "sa add out",
			true);
}

static int sa_del(const char *dev, const struct moat_addr *remote,
		  uint32_t spi, uint8_t dir)
{
	struct nl_msg *msg = moat_nl_msg(&nl, MOAT_CMD_SA_DEL, 0);

	if (!msg || nla_put_string(msg, MOAT_A_IFNAME, dev) ||
	    req_put_peer_remote(msg, remote) || req_put_sa_id(msg, spi, dir)) {
		nlmsg_free(msg);
		return -1;
	}
	return moat_nl_request(&nl, msg, NULL, NULL);
}

static int peer_del(const char *dev, const struct moat_addr *remote)
{
	struct nl_msg *msg = moat_nl_msg(&nl, MOAT_CMD_PEER_DEL, 0);

	if (!msg || nla_put_string(msg, MOAT_A_IFNAME, dev) ||
	    req_put_peer_remote(msg, remote)) {
		nlmsg_free(msg);
		return -1;
	}
	return moat_nl_request(&nl, msg, NULL, NULL);
}

/* One line per SA pair ("0" for a direction that is not installed). */
static void state_write_dsa(FILE *f, const struct dsa *s)
{
	char abuf[INET6_ADDRSTRLEN];
	const struct kchild *k;
	size_t i;

	format_addr(&s->remote, abuf, sizeof(abuf));
	fprintf(f, "%s %s 0 0\n", s->dev, abuf);	/* the peer */
	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (k->used)
			fprintf(f, "%s %s %u %u\n", s->dev, abuf,
				k->in_gone ? 0 : k->spi_in,
				k->out_in ? k->spi_out : 0);
	}
}

/* Rewrites the state file from the SAs in the kernel now. */
static void state_save(void)
{
	char tmp[sizeof(state_file) + 4];
	struct dsa *s;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", state_file);
	mkdir(MOATD_RUN_DIR, 0700);
	f = fopen(tmp, "w");
	if (!f)
		return;
	for (s = d.sas; s; s = s->next)
		if (s->installed)
			state_write_dsa(f, s);
	if (fclose(f) || rename(tmp, state_file))
		dlog(LOG_WARNING, "%s: %m", state_file);
}

static struct kchild *kid_slot(struct dsa *s)
{
	size_t i;

	for (i = 0; i < DSA_KIDS_MAX; i++)
		if (!s->kids[i].used)
			return &s->kids[i];
	return NULL;
}

/* The module keeps a current and a next outbound SA per peer. */
static unsigned int outs_in_kernel(const struct dsa *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < DSA_KIDS_MAX; i++)
		n += s->kids[i].used && s->kids[i].out_in;
	return n;
}

/*
 * The outbound SA, or a wait: after a §2.8.1 collision the peer has the
 * old SA and two new ones until one of them is deleted.
 */
static int kid_out(struct dsa *s, struct kchild *k, const struct child_sa *c)
{
	k->out_wait = outs_in_kernel(s) >= 2;
	if (k->out_wait)
		return 0;
	if (sa_add(s, c, MOAT_DIR_OUT))
		return -1;
	k->out_in = true;
	return 0;
}

static void fill_waiting_outs(struct dsa *s)
{
	const struct child_sa *c;
	struct kchild *k;
	size_t i;

	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (!k->used || !k->out_wait)
			continue;
		c = ike_child_find(s->sa, k->spi_in);
		k->out_wait = false;
		if (c && kid_out(s, k, c) == 0 && k->out_in)
			dlog(LOG_INFO, "%s: outbound SA 0x%08x installed",
			     s->sa->conn->name, k->spi_out);
	}
}

int kernel_child_add(struct dsa *s, const struct child_sa *c)
{
	struct kchild *k = kid_slot(s);

	if (!s->installed || !k || sa_add(s, c, MOAT_DIR_IN))
		return -1;
	*k = (struct kchild){
		.used = true, .spi_in = c->spi_in, .spi_out = c->spi_out,
		.added_ms = now_ms(), .aead = c->aead,
		.key_bits = c->key_bits, .esn = c->esn,
	};
	if (kid_out(s, k, c)) {
		sa_del(s->dev, &s->remote, c->spi_in, MOAT_DIR_IN);
		memset(k, 0, sizeof(*k));
		return -1;
	}
	state_save();
	dlog(LOG_INFO, "%s: installed SAs in 0x%08x out 0x%08x on %s%s",
	     s->sa->conn->name, c->spi_in, c->spi_out, s->dev,
	     k->out_wait ? " (outbound waits for a slot)" : "");
	return 0;
}

int kernel_install(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	peer_del(sa->conn->dev, &sa->ep.remote);	/* a stale one */
	if (peer_add(sa))
		return -1;
	s->installed = true;
	memcpy(s->dev, sa->conn->dev, sizeof(s->dev));
	s->remote = sa->ep.remote;
	if (kernel_child_add(s, &sa->child)) {
		peer_del(s->dev, &s->remote);
		s->installed = false;
		state_save();
		return -1;
	}
	return 0;
}

struct kchild *kernel_kid(struct dsa *s, uint32_t spi, uint8_t dir)
{
	struct kchild *k;
	size_t i;

	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (k->used && !k->gone_ms &&
		    (dir == MOAT_DIR_IN ? k->spi_in : k->spi_out) == spi)
			return k;
	}
	return NULL;
}

static void kid_drop_in(struct dsa *s, struct kchild *k)
{
	if (!k->in_gone)
		sa_del(s->dev, &s->remote, k->spi_in, MOAT_DIR_IN);
	memset(k, 0, sizeof(*k));
}

void kernel_child_del(struct dsa *s, uint32_t spi_in)
{
	struct kchild *k = kernel_kid(s, spi_in, MOAT_DIR_IN);

	if (!k)
		return;
	if (k->out_in)
		sa_del(s->dev, &s->remote, k->spi_out, MOAT_DIR_OUT);
	dlog(LOG_INFO, "%s: removed outbound SA 0x%08x; inbound 0x%08x goes in %ums",
	     s->sa->conn->name, k->spi_out, k->spi_in,
	     MOATD_INBOUND_GRACE_MS);
	k->out_in = false;
	k->out_wait = false;
	k->gone_ms = now_ms() + MOATD_INBOUND_GRACE_MS;
	fill_waiting_outs(s);
	state_save();
}

void kernel_tick(struct dsa *s, uint64_t now)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < DSA_KIDS_MAX; i++)
		if (s->kids[i].used && s->kids[i].gone_ms &&
		    s->kids[i].gone_ms <= now) {
			kid_drop_in(s, &s->kids[i]);
			changed = true;
		}
	if (changed)
		state_save();
}

void kernel_move(struct dsa *from, struct dsa *to)
{
	to->installed = from->installed;
	memcpy(to->dev, from->dev, sizeof(to->dev));
	to->remote = from->remote;
	memcpy(to->kids, from->kids, sizeof(to->kids));
	from->installed = false;
	memset(from->kids, 0, sizeof(from->kids));
	state_save();
}

static void remove_one(const char *dev, const struct moat_addr *remote,
		       uint32_t in, uint32_t out)
{
	if (out)
		sa_del(dev, remote, out, MOAT_DIR_OUT);
	if (in)
		sa_del(dev, remote, in, MOAT_DIR_IN);
}

void kernel_remove(struct dsa *s)
{
	struct kchild *k;
	size_t i;

	if (!s->installed)
		return;
	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (k->used)
			remove_one(s->dev, &s->remote,
				   k->in_gone ? 0 : k->spi_in,
				   k->out_in ? k->spi_out : 0);
	}
	peer_del(s->dev, &s->remote);
	s->installed = false;
	memset(s->kids, 0, sizeof(s->kids));
	state_save();
	dlog(LOG_INFO, "%s: removed the peer and its SAs", s->sa->conn->name);
}

void kernel_cleanup_leftovers(void)
{
	char dev[IFNAMSIZ + 1], addr[INET6_ADDRSTRLEN + 1];
	struct moat_addr remote;
	unsigned int in, out;
	FILE *f = fopen(state_file, "r");

	if (!f)
		return;
	while (fscanf(f, "%16s %46s %u %u", dev, addr, &in, &out) == 4) {
		if (parse_addr(addr, &remote))
			continue;
		dlog(LOG_NOTICE, "removing leftovers on %s: peer %s SAs 0x%08x 0x%08x",
		     dev, addr, in, out);
		remove_one(dev, &remote, in, out);
		peer_del(dev, &remote);
	}
	fclose(f);
	unlink(state_file);
}

int kernel_guard_set(const struct moat_guard_req *r, char *why, size_t len)
{
	struct nl_msg *msg = moat_nl_msg(&nl, MOAT_CMD_GUARD_SET, 0);
	int ret;

	if (!msg || req_put_guard(msg, r)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = moat_nl_request(&nl, msg, NULL, NULL);
	snprintf(why, len, "%s", ret ? nl.errmsg : "");
	return ret;
}

/* The mode and the difficulty into @arg, uint8_t[2]. */
static int guard_mode_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *g[MOAT_GUARD_A_MAX + 1];
	uint8_t *v = arg;

	if (!moat_nl_parse(msg, tb, MOAT_A_MAX) &&
	    !moat_nla_nested(tb[MOAT_A_GUARD], g, MOAT_GUARD_A_MAX)) {
		moat_nla_u8(g[MOAT_GUARD_A_MODE], &v[0]);
		moat_nla_u8(g[MOAT_GUARD_A_DIFFICULTY], &v[1]);
	}
	return NL_OK;
}

int kernel_guard_mode(uint8_t *mode, uint8_t *difficulty)
{
	struct nl_msg *msg = moat_nl_msg(&nl, MOAT_CMD_GUARD_GET, 0);
	uint8_t v[2] = { MOAT_GUARD_MODE_OFF, 0 };
	int ret;

	*mode = MOAT_GUARD_MODE_OFF;
	*difficulty = 0;
	if (!msg)
		return -ENOMEM;
	ret = moat_nl_request(&nl, msg, guard_mode_reply, v);
	if (!ret) {
		*mode = v[0];
		*difficulty = v[1];
	}
	return ret;
}
