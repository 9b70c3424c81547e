// SPDX-License-Identifier: GPL-2.0
/*
 * moat: manages Moat devices, peers, SAs and the guard, in the grammar of
 * iproute2's ip(8): moat [OPTIONS] OBJECT COMMAND [ARGS].
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/moat.h>

#include "moat.h"
#include "parse.h"

struct moat_opts opts;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: moat [OPTIONS] OBJECT { COMMAND | help }\n"
		"       moat -V | --version\n"
		"where  OBJECT := { link | peer | sa | monitor | ike | guard }\n"
		"       OPTIONS := { -j[son] | -s[tatistics] | -V[ersion] | -h[elp] }\n");
}

/* The tool's version, and the loaded module's (modinfo moat: version). */
static void print_version(void)
{
	char v[64] = "";
	FILE *f = fopen("/sys/module/moat/version", "r");

	printf("moat %s, genetlink family %s version %d\n",
	       MOAT_VERSION, MOAT_GENL_NAME, MOAT_GENL_VERSION);
	if (f && fgets(v, sizeof(v), f))
		v[strcspn(v, "\n")] = '\0';
	if (f)
		fclose(f);
	if (v[0])
		printf("module moat %s\n", v);
	else
		printf("module moat %s\n", access("/sys/module/moat", F_OK) ?
		       "not loaded" : "loaded, without a version");
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("moat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	return EXIT_USAGE;
}

int report_error(struct moat_nl *nl, int err, const char *what)
{
	const char *why = nl && nl->errmsg[0] ? nl->errmsg : NULL;

	if (err == -EPERM && !why)
		why = "permission denied (needs CAP_NET_ADMIN)";
	if (why)
		fprintf(stderr, "moat: %s: %s (%s)\n", what, why, strerror(-err));
	else
		fprintf(stderr, "moat: %s: %s\n", what, strerror(-err));
	return EXIT_REFUSED;
}

int open_nl(struct moat_nl *nl)
{
	int ret = moat_nl_open(nl);

	if (ret == -ENOENT)
		fprintf(stderr, "moat: the moat module is not loaded (modprobe moat)\n");
	else if (ret)
		fprintf(stderr, "moat: cannot talk to the kernel: %s\n",
			strerror(-ret));
	return ret;
}

int parse_keywords(const char *what, int argc, char **argv,
		   const struct keyword *kw, size_t n)
{
	const struct keyword *k;
	size_t i;

	for (; argc > 0; argc -= 2, argv += 2) {
		for (k = NULL, i = 0; i < n && !k; i++)
			if (!strcmp(argv[0], kw[i].word))
				k = &kw[i];
		if (!k)
			return usage_error("%s: unknown word \"%s\"", what,
					   argv[0]);
		if (argc < 2)
			return usage_error("%s: \"%s\" needs a value", what,
					   argv[0]);
		if (*k->val)
			return usage_error("%s: \"%s\" is given twice", what,
					   argv[0]);
		*k->val = argv[1];
	}
	return 0;
}

int put_dev(struct nl_msg *msg, const char *dev)
{
	return nla_put_string(msg, MOAT_A_IFNAME, dev);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} objects[] = {
	{ "link", do_link },
	{ "peer", do_peer },
	{ "sa", do_sa },
	{ "monitor", do_monitor },
	{ "ike", do_ike },
	{ "guard", do_guard },
};

/* Accepts -x and --x alike, and any prefix of the long name, as ip does. */
static int option_is(const char *arg, const char *name)
{
	if (arg[0] != '-')
		return 0;
	arg++;
	if (arg[0] == '-')
		arg++;
	return matches(arg, name);
}

int main(int argc, char **argv)
{
	size_t i;

	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		if (option_is(argv[0], "json")) {
			opts.json = 1;
		} else if (option_is(argv[0], "statistics") ||
			   option_is(argv[0], "stats")) {
			opts.stats++;
		} else if (option_is(argv[0], "Version") ||
			   !strcmp(argv[0], "--version")) {
			print_version();
			return 0;
		} else if (option_is(argv[0], "help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return usage_error("unknown option \"%s\"", argv[0]);
		}
	}
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (matches(argv[0], objects[i].name))
			return objects[i].fn(argc - 1, argv + 1);
	usage(stderr);
	return usage_error("unknown object \"%s\"", argv[0]);
}
