// SPDX-License-Identifier: GPL-2.0
/*
 * moat monitor: prints the module's events as they happen, as ip monitor
 * does: SA soft expiry (time to rekey) and hard expiry (the SA is gone),
 * and the guard's level changes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/moat.h>
#include <netlink/genl/ctrl.h>

#include "moat.h"
#include "parse.h"

static void monitor_usage(FILE *out)
{
	fprintf(out,
		"Usage: moat monitor [ count N ]\n"
		"Prints SA expiry and guard level events until interrupted,\n"
		"or until N arrived.\n");
}

static const char *const expire_names[] = {
	[MOAT_EXPIRE_SOFT] = "soft",
	[MOAT_EXPIRE_HARD] = "hard",
};

static const char *const reason_names[] = {
	[MOAT_EXPIRE_BYTES] = "bytes",
	[MOAT_EXPIRE_PACKETS] = "packets",
	[MOAT_EXPIRE_SECONDS] = "seconds",
	[MOAT_EXPIRE_SEQ] = "seq",
};

static const char *name_of(const char *const *names, size_t n, uint8_t v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

struct monitor {
	long left;	/* events still to print; <0: forever */
};

static void peer_addr(struct nlattr *nest, char *buf, size_t len)
{
	struct nlattr *tb[MOAT_PEER_A_MAX + 1];

	snprintf(buf, len, "?");
	if (moat_nla_nested(nest, tb, MOAT_PEER_A_MAX))
		return;
	if (tb[MOAT_PEER_A_REMOTE4] && nla_len(tb[MOAT_PEER_A_REMOTE4]) == 4)
		inet_ntop(AF_INET, nla_data(tb[MOAT_PEER_A_REMOTE4]), buf, len);
	else if (tb[MOAT_PEER_A_REMOTE6] &&
		 nla_len(tb[MOAT_PEER_A_REMOTE6]) == 16)
		inet_ntop(AF_INET6, nla_data(tb[MOAT_PEER_A_REMOTE6]), buf,
			  len);
}

static int monitor_done(struct monitor *m)
{
	fflush(stdout);
	if (m->left > 0)
		m->left--;
	return m->left == 0 ? NL_STOP : NL_OK;
}

static int monitor_guard(struct nlattr *nest, struct monitor *m)
{
	struct nlattr *g[MOAT_GUARD_A_MAX + 1];
	uint8_t level = 0, difficulty = 0;
	struct moat_json j;

	if (moat_nla_nested(nest, g, MOAT_GUARD_A_MAX))
		return NL_SKIP;
	moat_nla_u8(g[MOAT_GUARD_A_LEVEL], &level);
	moat_nla_u8(g[MOAT_GUARD_A_DIFFICULTY], &difficulty);
	if (opts.json) {
		json_init(&j, stdout);
		json_open_object(&j, NULL);
		json_string(&j, "event", "guard");
		json_string(&j, "level", guard_level_name(level));
		json_u64(&j, "difficulty", difficulty);
		json_close_object(&j);
		json_end(&j);
	} else {
		printf("guard level %s difficulty %u\n",
		       guard_level_name(level), difficulty);
	}
	return monitor_done(m);
}

static int monitor_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *sa[MOAT_SA_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	uint8_t dir = 0, kind = 0, reason = 0;
	char dev[IFNAMSIZ] = "?", peer[INET6_ADDRSTRLEN] = "?";
	struct monitor *m = arg;
	struct moat_json j;
	uint32_t spi = 0;

	if (moat_nl_parse(msg, tb, MOAT_A_MAX))
		return NL_SKIP;
	if (gh->cmd == MOAT_CMD_GUARD_LEVEL)
		return monitor_guard(tb[MOAT_A_GUARD], m);
	if (gh->cmd != MOAT_CMD_SA_EXPIRE ||
	    moat_nla_nested(tb[MOAT_A_SA], sa, MOAT_SA_A_MAX))
		return NL_SKIP;
	moat_nla_str(tb[MOAT_A_IFNAME], dev, sizeof(dev));
	peer_addr(tb[MOAT_A_PEER], peer, sizeof(peer));
	moat_nla_u32(sa[MOAT_SA_A_SPI], &spi);
	moat_nla_u8(sa[MOAT_SA_A_DIR], &dir);
	moat_nla_u8(sa[MOAT_SA_A_EXPIRE], &kind);
	moat_nla_u8(sa[MOAT_SA_A_EXPIRE_REASON], &reason);

	if (opts.json) {
		json_init(&j, stdout);
		json_open_object(&j, NULL);
		json_string(&j, "event", "expire");
		json_string(&j, "expire", name_of(expire_names, 3, kind));
		json_string(&j, "reason", name_of(reason_names, 5, reason));
		json_string(&j, "dev", dev);
		json_string(&j, "peer", peer);
		json_u64(&j, "spi", spi);
		json_string(&j, "dir", dir == MOAT_DIR_IN ? "in" : "out");
		json_close_object(&j);
		json_end(&j);
	} else {
		printf("expire %s %s spi 0x%08x dir %s peer %s dev %s\n",
		       name_of(expire_names, 3, kind),
		       name_of(reason_names, 5, reason), spi,
		       dir == MOAT_DIR_IN ? "in" : "out", peer, dev);
	}
	return monitor_done(m);
}

static int monitor_run(long count)
{
	struct monitor m = { .left = count };
	struct moat_nl nl;
	int grp, ret = 0;

	if (open_nl(&nl))
		return EXIT_REFUSED;
	grp = genl_ctrl_resolve_grp(nl.sk, MOAT_GENL_NAME, MOAT_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(nl.sk, grp)) {
		/* The events need CAP_NET_ADMIN, as the dumps do. */
		int err = grp >= 0 && errno == EPERM ? -EPERM : -EPROTO;

		moat_nl_close(&nl);
		return report_error(NULL, err, "monitor");
	}
	nl_socket_disable_seq_check(nl.sk);
	nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_event, &m);
	while (m.left != 0 && ret >= 0)
		ret = nl_recvmsgs_default(nl.sk);
	moat_nl_close(&nl);
	return ret < 0 && m.left != 0 ? report_error(NULL, -EIO, "monitor") : 0;
}

int do_monitor(int argc, char **argv)
{
	uint32_t count = 0;

	if (argc > 0 && matches(argv[0], "help")) {
		monitor_usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "count")) {
		if (parse_u32_range(argv[1], 1, UINT32_MAX, &count))
			return usage_error("monitor: count \"%s\" is not a positive number",
					   argv[1]);
	} else if (argc) {
		monitor_usage(stderr);
		return usage_error("monitor: unexpected \"%s\"", argv[0]);
	}
	return monitor_run(count ? (long)count : -1);
}
