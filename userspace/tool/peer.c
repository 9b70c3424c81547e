// SPDX-License-Identifier: GPL-2.0
/* moat peer: the remote ends of a moat device and their inner prefixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if.h>
#include <linux/moat.h>

#include "addr.h"
#include "moat.h"
#include "parse.h"
#include "req.h"
#include "show.h"

static void peer_usage(FILE *out)
{
	fprintf(out,
		"Usage: moat peer add dev NAME remote ADDR [ local ADDR ]\n"
		"                     [ encap { none | udp [ sport PORT ] [ dport PORT ] } ]\n"
		"                     ts PREFIX[,PREFIX...]\n"
		"       moat peer del dev NAME remote ADDR\n"
		"       moat peer show [ dev NAME ] [ remote ADDR ]\n"
		"       moat peer help\n"
		"ADDR := an IPv4 or IPv6 address\n"
		"PORT := 1..65535 (default %u)\n"
		"PREFIX := ADDR[/LEN], IPv4 and IPv6 mixed, at most %u; host bits are cleared\n",
		MOAT_ENCAP_PORT, MOAT_TS_MAX);
}

/* Device names gathered from a MOAT_CMD_LINK_GET dump. */
struct dev_list {
	char (*names)[IFNAMSIZ];
	size_t n, cap;
	int nomem;
};

static int collect_dev(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *lk[MOAT_LINK_A_MAX + 1];
	struct dev_list *l = arg;
	char name[IFNAMSIZ];

	if (moat_nl_parse(msg, tb, MOAT_A_MAX))
		return NL_SKIP;
	if (moat_nla_str(tb[MOAT_A_IFNAME], name, sizeof(name)) || !name[0]) {
		if (moat_nla_nested(tb[MOAT_A_LINK], lk, MOAT_LINK_A_MAX) ||
		    moat_nla_str(lk[MOAT_LINK_A_IFNAME], name, sizeof(name)) ||
		    !name[0])
			return NL_SKIP;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		void *p = reallocarray(l->names, cap, sizeof(*l->names));

		if (!p) {
			l->nomem = 1;
			return NL_SKIP;
		}
		l->names = p;
		l->cap = cap;
	}
	memcpy(l->names[l->n++], name, sizeof(name));
	return NL_OK;
}

int for_each_dev(struct moat_nl *nl, const char *dev, const char *what,
		 dev_fn fn, void *arg)
{
	struct dev_list l = { .names = NULL };
	int ret, failed = 0, found = 0, unknown = 0;
	char buf[128], why[sizeof(nl->errmsg)] = "";
	struct nl_msg *msg;
	size_t i;

	if (dev) {
		ret = fn(nl, dev, arg);
		if (!ret)
			return 0;
		snprintf(buf, sizeof(buf), "%s dev %s", what, dev);
		return report_error(nl, ret, buf);
	}
	msg = moat_nl_msg(nl, MOAT_CMD_LINK_GET, NLM_F_DUMP);
	if (!msg)
		return report_error(NULL, -ENOMEM, what);
	ret = moat_nl_request(nl, msg, collect_dev, &l);
	if (!ret && l.nomem)
		ret = -ENOMEM;
	if (ret) {
		snprintf(buf, sizeof(buf), "%s: listing moat devices", what);
		free(l.names);
		return report_error(nl, ret, buf);
	}
	for (i = 0; i < l.n; i++) {
		ret = fn(nl, l.names[i], arg);
		if (!ret)
			found = 1;
		/*
		 * A device that went away since the listing has nothing, and
		 * neither has one without the peer a filter names (ENOENT),
		 * unless no device has it.
		 */
		if (!ret || ret == -ENODEV)
			continue;
		if (ret == -ENOENT) {
			unknown = 1;
			snprintf(why, sizeof(why), "%s", nl->errmsg);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s dev %s", what, l.names[i]);
		report_error(nl, ret, buf);
		failed = 1;
	}
	free(l.names);
	if (unknown && !found && !failed) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", why);
		snprintf(buf, sizeof(buf), "%s: on every moat device", what);
		return report_error(nl, -ENOENT, buf);
	}
	return failed ? EXIT_REFUSED : 0;
}

int parse_endpoint(const char *verb, const char *word, const char *s,
		   struct moat_addr *a)
{
	const char *why;

	if (parse_addr(s, a))
		return usage_error("%s: %s \"%s\" is not an IPv4 or IPv6 address",
				   verb, word, s);
	why = addr_endpoint_problem(a);
	if (why)
		return usage_error("%s: %s %s is %s", verb, word, s, why);
	return 0;
}

int check_dev(const char *verb, const char *dev, int required)
{
	if (!dev)
		return required ?
		       usage_error("%s: which device? (dev NAME)", verb) : 0;
	if (parse_ifname(dev))
		return usage_error("%s: \"%s\" is not a device name", verb, dev);
	return 0;
}

/* Sends a request that wants no reply but the acknowledgement. */
static int send_simple(struct moat_nl *nl, struct nl_msg *msg,
		       const char *what)
{
	int ret = moat_nl_request(nl, msg, NULL, NULL);

	return ret ? report_error(nl, ret, what) : 0;
}

#define PEER_ADD "peer add"

static int peer_add(int argc, char **argv)
{
	static struct moat_prefix ts[MOAT_TS_MAX];
	struct moat_peer_req r = {
		.encap = MOAT_ENCAP_NONE,
		.sport = MOAT_ENCAP_PORT,
		.dport = MOAT_ENCAP_PORT,
		.ts = ts,
	};
	const char *dev = NULL, *remote = NULL, *local = NULL, *ts_s = NULL;
	const char *encap = NULL, *sport = NULL, *dport = NULL;
	char err[256], what[128], rbuf[INET6_ADDRSTRLEN];
	struct moat_nl nl;
	struct nl_msg *msg;
	uint32_t port;
	int warned, ret;
	const struct keyword kw[] = {
		{ "dev", &dev },
		{ "remote", &remote },
		{ "local", &local },
		{ "encap", &encap },
		{ "sport", &sport },
		{ "dport", &dport },
		{ "ts", &ts_s },
	};

	if (parse_keywords(PEER_ADD, argc, argv, kw, ARRAY_LEN(kw)))
		return EXIT_USAGE;
	if (check_dev(PEER_ADD, dev, 1))
		return EXIT_USAGE;
	if (!remote)
		return usage_error(PEER_ADD ": which peer? (remote ADDR)");
	if (parse_endpoint(PEER_ADD, "remote", remote, &r.remote))
		return EXIT_USAGE;
	if (local) {
		if (parse_endpoint(PEER_ADD, "local", local, &r.local))
			return EXIT_USAGE;
		if (r.local.family != r.remote.family)
			return usage_error(PEER_ADD ": local %s and remote %s are not of the same family",
					   local, remote);
	}
	if (encap) {
		if (!strcmp(encap, "udp"))
			r.encap = MOAT_ENCAP_UDP;
		else if (strcmp(encap, "none"))
			return usage_error(PEER_ADD ": encap \"%s\" is not none or udp",
					   encap);
	}
	if ((sport || dport) && r.encap != MOAT_ENCAP_UDP)
		return usage_error(PEER_ADD ": %s needs encap udp",
				   sport ? "sport" : "dport");
	if (sport) {
		if (parse_u32_range(sport, 1, 65535, &port))
			return usage_error(PEER_ADD ": sport \"%s\" is not 1..65535",
					   sport);
		r.sport = (uint16_t)port;
	}
	if (dport) {
		if (parse_u32_range(dport, 1, 65535, &port))
			return usage_error(PEER_ADD ": dport \"%s\" is not 1..65535",
					   dport);
		r.dport = (uint16_t)port;
	}
	if (!ts_s)
		return usage_error(PEER_ADD ": which inner prefixes? (ts PREFIX[,PREFIX...])");
	warned = parse_prefix_list(ts_s, ts, MOAT_TS_MAX, &r.n_ts, err,
				   sizeof(err));
	if (warned < 0)
		return usage_error(PEER_ADD ": ts %s", err);
	if (warned)
		fprintf(stderr, "moat: warning: " PEER_ADD ": ts %s\n", err);

	if (open_nl(&nl))
		return EXIT_REFUSED;
	/* MOAT_TS_MAX IPv6 selectors do not fit libnl's one-page default. */
	nlmsg_set_default_size(MOAT_PEER_MSG_SIZE);
	msg = moat_nl_msg(&nl, MOAT_CMD_PEER_NEW, 0);
	if (!msg || put_dev(msg, dev) || req_put_peer(msg, &r)) {
		nlmsg_free(msg);
		moat_nl_close(&nl);
		return report_error(NULL, -ENOMEM, PEER_ADD);
	}
	snprintf(what, sizeof(what), PEER_ADD " dev %s remote %s", dev,
		 format_addr(&r.remote, rbuf, sizeof(rbuf)));
	ret = send_simple(&nl, msg, what);
	moat_nl_close(&nl);
	return ret;
}

#define PEER_DEL "peer del"

static int peer_del(int argc, char **argv)
{
	const char *dev = NULL, *remote = NULL;
	char what[128], rbuf[INET6_ADDRSTRLEN];
	struct moat_addr addr;
	struct moat_nl nl;
	struct nl_msg *msg;
	int ret;
	const struct keyword kw[] = {
		{ "dev", &dev },
		{ "remote", &remote },
	};

	if (parse_keywords(PEER_DEL, argc, argv, kw, ARRAY_LEN(kw)))
		return EXIT_USAGE;
	if (check_dev(PEER_DEL, dev, 1))
		return EXIT_USAGE;
	if (!remote)
		return usage_error(PEER_DEL ": which peer? (remote ADDR)");
	if (parse_addr(remote, &addr))
		return usage_error(PEER_DEL ": remote \"%s\" is not an IPv4 or IPv6 address",
				   remote);
	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_PEER_DEL, 0);
	if (!msg || put_dev(msg, dev) || req_put_peer_remote(msg, &addr)) {
		nlmsg_free(msg);
		moat_nl_close(&nl);
		return report_error(NULL, -ENOMEM, PEER_DEL);
	}
	snprintf(what, sizeof(what), PEER_DEL " dev %s remote %s", dev,
		 format_addr(&addr, rbuf, sizeof(rbuf)));
	ret = send_simple(&nl, msg, what);
	moat_nl_close(&nl);
	return ret;
}

struct peer_show_ctx {
	struct moat_show show;
	const struct moat_addr *remote;
};

static int peer_show_dev(struct moat_nl *nl, const char *dev, void *arg)
{
	struct peer_show_ctx *c = arg;
	struct nl_msg *msg;

	msg = moat_nl_msg(nl, MOAT_CMD_PEER_GET, NLM_F_DUMP);
	if (!msg || put_dev(msg, dev) ||
	    (c->remote && req_put_peer_remote(msg, c->remote))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->show.dev = dev;
	return moat_nl_request(nl, msg, peer_print, &c->show);
}

#define PEER_SHOW "peer show"

static int peer_show(int argc, char **argv)
{
	const char *dev = NULL, *remote = NULL;
	struct peer_show_ctx c = { .remote = NULL };
	struct moat_addr addr;
	struct moat_nl nl;
	int ret;
	const struct keyword kw[] = {
		{ "dev", &dev },
		{ "remote", &remote },
	};

	if (parse_keywords(PEER_SHOW, argc, argv, kw, ARRAY_LEN(kw)))
		return EXIT_USAGE;
	if (check_dev(PEER_SHOW, dev, 0))
		return EXIT_USAGE;
	if (remote) {
		if (parse_addr(remote, &addr))
			return usage_error(PEER_SHOW ": remote \"%s\" is not an IPv4 or IPv6 address",
					   remote);
		c.remote = &addr;
	}
	if (open_nl(&nl))
		return EXIT_REFUSED;
	show_init(&c.show, stdout, opts.json, opts.stats);
	c.show.filter = c.remote;
	show_begin(&c.show);
	ret = for_each_dev(&nl, dev, PEER_SHOW, peer_show_dev, &c);
	show_end(&c.show);
	moat_nl_close(&nl);
	return ret;
}

int do_peer(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "show") || matches(argv[0], "list"))
		return peer_show(argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (matches(argv[0], "add"))
		return peer_add(argc - 1, argv + 1);
	if (matches(argv[0], "delete"))
		return peer_del(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		peer_usage(stdout);
		return 0;
	}
	peer_usage(stderr);
	return usage_error("peer: unknown command \"%s\"", argv[0]);
}
