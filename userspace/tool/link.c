// SPDX-License-Identifier: GPL-2.0
/* moat link: show and tune moat devices. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if.h>
#include <linux/moat.h>

#include "moat.h"
#include "parse.h"
#include "show.h"

static void link_usage(FILE *out)
{
	fprintf(out,
		"Usage: moat link show [ dev NAME ]\n"
		"       moat link set dev NAME [ mss-clamp { auto | off | MSS } ]\n"
		"                              [ pmtu-floor4 MTU ]\n"
		"       moat link help\n"
		"Create and delete devices with ip link: ip link add NAME type moat\n"
		"MSS := %u..%u   MTU := %u..%u\n",
		MOAT_MSS_MIN, MOAT_MSS_MAX, MOAT_PMTU_FLOOR4_MIN,
		MOAT_PMTU_FLOOR4_MAX);
}

static const char *operstate_name(uint8_t s)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "UNKNOWN",
		[IF_OPER_NOTPRESENT] = "NOTPRESENT",
		[IF_OPER_DOWN] = "DOWN",
		[IF_OPER_LOWERLAYERDOWN] = "LOWERLAYERDOWN",
		[IF_OPER_TESTING] = "TESTING",
		[IF_OPER_DORMANT] = "DORMANT",
		[IF_OPER_UP] = "UP",
	};

	return s < sizeof(names) / sizeof(names[0]) && names[s] ?
	       names[s] : "UNKNOWN";
}

static void print_mss(struct moat_show *ls, uint32_t mss)
{
	char buf[16];

	if (mss == MOAT_MSS_CLAMP_AUTO)
		snprintf(buf, sizeof(buf), "auto");
	else if (mss == MOAT_MSS_CLAMP_OFF)
		snprintf(buf, sizeof(buf), "off");
	else
		snprintf(buf, sizeof(buf), "%u", mss);
	if (!opts.json)
		printf(" mss-clamp %s", buf);
	else if (mss == MOAT_MSS_CLAMP_AUTO || mss == MOAT_MSS_CLAMP_OFF)
		json_string(&ls->json, "mss_clamp", buf);
	else
		json_u64(&ls->json, "mss_clamp", mss);
}

static int link_show_one(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *lk[MOAT_LINK_A_MAX + 1];
	uint32_t ifindex = 0, mtu = 0, mss = 0, floor4 = 0, peers = 0, sas = 0;
	struct moat_show *ls = arg;
	char name[IFNAMSIZ] = "?";
	uint8_t oper = IF_OPER_UNKNOWN;

	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    moat_nla_nested(tb[MOAT_A_LINK], lk, MOAT_LINK_A_MAX))
		return NL_SKIP;
	moat_nla_u32(lk[MOAT_LINK_A_IFINDEX], &ifindex);
	moat_nla_str(lk[MOAT_LINK_A_IFNAME], name, sizeof(name));
	moat_nla_u32(lk[MOAT_LINK_A_MTU], &mtu);
	moat_nla_u8(lk[MOAT_LINK_A_OPERSTATE], &oper);
	moat_nla_u32(lk[MOAT_LINK_A_MSS_CLAMP], &mss);
	moat_nla_u32(lk[MOAT_LINK_A_PMTU_FLOOR4], &floor4);
	moat_nla_u32(lk[MOAT_LINK_A_N_PEERS], &peers);
	moat_nla_u32(lk[MOAT_LINK_A_N_SAS], &sas);
	ls->count++;

	if (opts.json) {
		json_open_object(&ls->json, NULL);
		json_u64(&ls->json, "ifindex", ifindex);
		json_string(&ls->json, "ifname", name);
		json_u64(&ls->json, "mtu", mtu);
		json_string(&ls->json, "operstate", operstate_name(oper));
		print_mss(ls, mss);
		json_u64(&ls->json, "pmtu_floor4", floor4);
		json_u64(&ls->json, "peers", peers);
		json_u64(&ls->json, "sas", sas);
		if (opts.stats)
			show_stats(ls, lk[MOAT_LINK_A_STATS], STAT_RX | STAT_TX, 1);
		json_close_object(&ls->json);
		return NL_OK;
	}
	printf("%u: %s: mtu %u state %s\n    ", ifindex, name, mtu,
	       operstate_name(oper));
	print_mss(ls, mss);
	printf(" pmtu-floor4 %u peers %u sas %u\n", floor4, peers, sas);
	if (opts.stats)
		show_stats(ls, lk[MOAT_LINK_A_STATS], STAT_RX | STAT_TX, 1);
	return NL_OK;
}

static int link_show(int argc, char **argv)
{
	struct moat_show ls;
	const char *dev = NULL;
	struct moat_nl nl;
	struct nl_msg *msg;
	int ret;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "dev") && argc > 1) {
			dev = argv[1];
			argc--, argv++;
		} else if (argc == 1 && !dev && strcmp(argv[0], "dev")) {
			dev = argv[0];	/* "moat link show moat0", as ip allows */
		} else {
			return usage_error("link show: unexpected \"%s\"", argv[0]);
		}
	}
	if (dev && parse_ifname(dev))
		return usage_error("link show: \"%s\" is not a device name", dev);
	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_LINK_GET, dev ? 0 : NLM_F_DUMP);
	if (!msg || (dev && put_dev(msg, dev))) {
		nlmsg_free(msg);
		moat_nl_close(&nl);
		return report_error(NULL, -ENOMEM, "link show");
	}
	show_init(&ls, stdout, opts.json, opts.stats);
	show_begin(&ls);
	ret = moat_nl_request(&nl, msg, link_show_one, &ls);
	show_end(&ls);
	if (ret) {
		char what[64];

		snprintf(what, sizeof(what), "link show%s%s", dev ? " dev " : "",
			 dev ? dev : "");
		report_error(&nl, ret, what);
		moat_nl_close(&nl);
		return EXIT_REFUSED;
	}
	moat_nl_close(&nl);
	return 0;
}

static int link_set(int argc, char **argv)
{
	uint32_t mss = 0, floor4 = 0;
	int have_mss = 0, have_floor = 0;
	const char *dev = NULL;
	struct moat_nl nl;
	struct nlattr *nest;
	struct nl_msg *msg;
	char what[64];
	int ret;

	for (; argc > 0; argc -= 2, argv += 2) {
		if (argc < 2)
			return usage_error("link set: \"%s\" needs a value", argv[0]);
		if (!strcmp(argv[0], "dev")) {
			dev = argv[1];
		} else if (!strcmp(argv[0], "mss-clamp")) {
			have_mss = 1;
			if (!strcmp(argv[1], "auto"))
				mss = MOAT_MSS_CLAMP_AUTO;
			else if (!strcmp(argv[1], "off"))
				mss = MOAT_MSS_CLAMP_OFF;
			else if (parse_u32_range(argv[1], MOAT_MSS_MIN,
						 MOAT_MSS_MAX, &mss))
				return usage_error("link set: mss-clamp \"%s\" is not auto, off or %u..%u",
						   argv[1], MOAT_MSS_MIN, MOAT_MSS_MAX);
		} else if (!strcmp(argv[0], "pmtu-floor4")) {
			have_floor = 1;
			if (parse_u32_range(argv[1], MOAT_PMTU_FLOOR4_MIN,
					    MOAT_PMTU_FLOOR4_MAX, &floor4))
				return usage_error("link set: pmtu-floor4 \"%s\" is not %u..%u",
						   argv[1], MOAT_PMTU_FLOOR4_MIN,
						   MOAT_PMTU_FLOOR4_MAX);
		} else {
			return usage_error("link set: unknown setting \"%s\"", argv[0]);
		}
	}
	if (!dev)
		return usage_error("link set: which device? (dev NAME)");
	if (parse_ifname(dev))
		return usage_error("link set: \"%s\" is not a device name", dev);
	if (!have_mss && !have_floor)
		return usage_error("link set: nothing to set");
	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_LINK_SET, 0);
	if (!msg || put_dev(msg, dev) ||
	    !(nest = nla_nest_start(msg, MOAT_A_LINK)) ||
	    (have_mss && nla_put_u32(msg, MOAT_LINK_A_MSS_CLAMP, mss)) ||
	    (have_floor && nla_put_u32(msg, MOAT_LINK_A_PMTU_FLOOR4, floor4))) {
		nlmsg_free(msg);
		moat_nl_close(&nl);
		return report_error(NULL, -ENOMEM, "link set");
	}
	nla_nest_end(msg, nest);
	ret = moat_nl_request(&nl, msg, NULL, NULL);
	snprintf(what, sizeof(what), "link set dev %s", dev);
	if (ret)
		report_error(&nl, ret, what);
	moat_nl_close(&nl);
	return ret ? EXIT_REFUSED : 0;
}

int do_link(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "show") || matches(argv[0], "list"))
		return link_show(argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (matches(argv[0], "set"))
		return link_set(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		link_usage(stdout);
		return 0;
	}
	link_usage(stderr);
	return usage_error("link: unknown command \"%s\"", argv[0]);
}
