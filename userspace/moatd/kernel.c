// SPDX-License-Identifier: GPL-2.0
/*
 * The hand-off to the moat module through libmoat: the device (created
 * over rtnetlink when missing), the peer with the narrowed selectors, and
 * the two ESP SAs, inbound first so the peer's first packet finds its SA.
 * What is installed is also written to MOATD_RUN_DIR/installed, so a moatd
 * started after one that was killed removes its leftovers.
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

/*
 * An IKE SA that floated to 4500 (a NAT, or encap = yes) has its Child
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

	if (sa->ep.local_port == IKE_NATT_PORT) {
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

static int sa_add(const struct ikesa *sa, uint8_t dir)
{
	const struct child_sa *ch = &sa->child;
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
		r.window = sa->conn->replay_window;
		if (ch->esn && !r.window)
			r.window = MOAT_REPLAY_WINDOW_DEFAULT;
	}
	sa_lifetime(sa->conn, &r.lt);
	msg = moat_nl_msg(&nl, MOAT_CMD_SA_NEW, 0);
	if (!msg || nla_put_string(msg, MOAT_A_IFNAME, sa->conn->dev) ||
	    req_put_peer_remote(msg, &sa->ep.remote) || req_put_sa(msg, &r)) {
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

/* Rewrites the state file from the SAs in the kernel now. */
static void state_save(void)
{
	char tmp[sizeof(state_file) + 4], abuf[INET6_ADDRSTRLEN];
	struct dsa *s;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", state_file);
	mkdir(MOATD_RUN_DIR, 0700);
	f = fopen(tmp, "w");
	if (!f)
		return;
	for (s = d.sas; s; s = s->next)
		if (s->installed)
			fprintf(f, "%s %s %u %u\n", s->dev,
				format_addr(&s->remote, abuf, sizeof(abuf)),
				s->spi_in, s->spi_out);
	if (fclose(f) || rename(tmp, state_file))
		dlog(LOG_WARNING, "%s: %m", state_file);
}

int kernel_install(struct dsa *s)
{
	struct ikesa *sa = s->sa;

	peer_del(sa->conn->dev, &sa->ep.remote);	/* a stale one */
	if (peer_add(sa))
		return -1;
	if (sa_add(sa, MOAT_DIR_IN) || sa_add(sa, MOAT_DIR_OUT)) {
		peer_del(sa->conn->dev, &sa->ep.remote);
		return -1;
	}
	s->installed = true;
	memcpy(s->dev, sa->conn->dev, sizeof(s->dev));
	s->remote = sa->ep.remote;
	s->spi_in = sa->child.spi_in;
	s->spi_out = sa->child.spi_out;
	s->aead = sa->child.aead;
	s->key_bits = sa->child.key_bits;
	s->esn = sa->child.esn;
	state_save();
	dlog(LOG_INFO, "%s: installed SAs in 0x%08x out 0x%08x on %s",
	     sa->conn->name, sa->child.spi_in, sa->child.spi_out,
	     sa->conn->dev);
	return 0;
}

static void remove_one(const char *dev, const struct moat_addr *remote,
		       uint32_t in, uint32_t out)
{
	sa_del(dev, remote, out, MOAT_DIR_OUT);
	sa_del(dev, remote, in, MOAT_DIR_IN);
	peer_del(dev, remote);
}

void kernel_remove(struct dsa *s)
{
	if (!s->installed)
		return;
	remove_one(s->dev, &s->remote, s->spi_in, s->spi_out);
	s->installed = false;
	state_save();
	dlog(LOG_INFO, "%s: removed SAs in 0x%08x out 0x%08x",
	     s->sa->conn->name, s->spi_in, s->spi_out);
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
	}
	fclose(f);
	unlink(state_file);
}
