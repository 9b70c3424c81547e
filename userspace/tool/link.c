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
		"                              [ max-peers N ] [ max-sas N ]\n"
		"       moat link help\n"
		"Create and delete devices with ip link: ip link add NAME type moat\n"
		"MSS := %u..%u   MTU := %u..%u\n"
		"max-peers := 1..%u (default %u)   max-sas := 1..%u (default %u)\n",
		MOAT_MSS_MIN, MOAT_MSS_MAX, MOAT_PMTU_FLOOR4_MIN,
		MOAT_PMTU_FLOOR4_MAX, MOAT_MAX_PEERS_LIMIT,
		MOAT_MAX_PEERS_DEFAULT, MOAT_MAX_SAS_LIMIT,
		MOAT_MAX_SAS_DEFAULT);
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
	uint32_t max_peers = 0, max_sas = 0;
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
	moat_nla_u32(lk[MOAT_LINK_A_MAX_PEERS], &max_peers);
	moat_nla_u32(lk[MOAT_LINK_A_MAX_SAS], &max_sas);
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
		json_u64(&ls->json, "max_peers", max_peers);
		json_u64(&ls->json, "max_sas", max_sas);
		if (opts.stats)
			show_stats(ls, lk[MOAT_LINK_A_STATS], STAT_RX | STAT_TX, 1);
		json_close_object(&ls->json);
		return NL_OK;
	}
	printf("%u: %s: mtu %u state %s\n    ", ifindex, name, mtu,
	       operstate_name(oper));
	print_mss(ls, mss);
	printf(" pmtu-floor4 %u peers %u sas %u max-peers %u max-sas %u\n",
	       floor4, peers, sas, max_peers, max_sas);
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

/* The numeric settings of link set: keyword, attribute, bounds. */
static const struct link_num {
	const char *word;
	int attr;
	uint32_t min, max;
} link_nums[] = {
	{ "pmtu-floor4", MOAT_LINK_A_PMTU_FLOOR4, MOAT_PMTU_FLOOR4_MIN,
	  MOAT_PMTU_FLOOR4_MAX },
	{ "max-peers", MOAT_LINK_A_MAX_PEERS, 1, MOAT_MAX_PEERS_LIMIT },
	{ "max-sas", MOAT_LINK_A_MAX_SAS, 1, MOAT_MAX_SAS_LIMIT },
};

#define N_LINK_NUMS (sizeof(link_nums) / sizeof(link_nums[0]))

static int parse_link_num(const char *word, const char *val, int *have,
			  uint32_t *v)
{
	unsigned int i;

	for (i = 0; i < N_LINK_NUMS; i++) {
		if (strcmp(word, link_nums[i].word))
			continue;
		have[i] = 1;
		if (parse_u32_range(val, link_nums[i].min, link_nums[i].max,
				    &v[i]))
			return usage_error("link set: %s \"%s\" is not %u..%u",
					   word, val, link_nums[i].min,
					   link_nums[i].max);
		return 0;
	}
	return usage_error("link set: unknown setting \"%s\"", word);
}

static int put_link_nums(struct nl_msg *msg, const int *have,
			 const uint32_t *v)
{
	unsigned int i;

	for (i = 0; i < N_LINK_NUMS; i++)
		if (have[i] && nla_put_u32(msg, link_nums[i].attr, v[i]))
			return -1;
	return 0;
}

static int link_set(int argc, char **argv)
{
	uint32_t mss = 0, num[N_LINK_NUMS] = { 0 };
	int have_mss = 0, have_num[N_LINK_NUMS] = { 0 }, any;
	const char *dev = NULL;
	struct moat_nl nl;
	struct nlattr *nest;
	struct nl_msg *msg;
	char what[64];
	unsigned int i;
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
		} else if ((ret = parse_link_num(argv[0], argv[1], have_num,
						 num))) {
			return ret;
		}
	}
	if (!dev)
		return usage_error("link set: which device? (dev NAME)");
	if (parse_ifname(dev))
		return usage_error("link set: \"%s\" is not a device name", dev);
	for (any = have_mss, i = 0; i < N_LINK_NUMS; i++)
		any |= have_num[i];
	if (!any)
		return usage_error("link set: nothing to set");
	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_LINK_SET, 0);
	if (!msg || put_dev(msg, dev) ||
	    !(nest = nla_nest_start(msg, MOAT_A_LINK)) ||
	    (have_mss && nla_put_u32(msg, MOAT_LINK_A_MSS_CLAMP, mss)) ||
	    put_link_nums(msg, have_num, num)) {
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
