// SPDX-License-Identifier: GPL-2.0
/* moat sa: the ESP security associations of a moat device's peers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/moat.h>

#include "addr.h"
#include "moat.h"
#include "parse.h"
#include "req.h"
#include "show.h"

static void sa_usage(FILE *out)
{
	fprintf(out,
		"Usage: moat sa add dev NAME peer ADDR dir { in | out } spi SPI\n"
		"                   aead ALG KEY ICV-BITS [ esn ] [ replay-window N ]\n"
		"                   [ lifetime LIMIT ... ]\n"
		"       moat sa del dev NAME [ peer ADDR ] dir { in | out } spi SPI\n"
		"       moat sa show [ dev NAME ] [ peer ADDR ]\n"
		"       moat sa flush [ dev NAME ] [ peer ADDR ]\n"
		"       moat sa help\n"
		"SPI := 256..0xffffffff, decimal or 0x hex\n"
		"ALG := { %s | %s }\n"
		"KEY := 0x and hex digits: the key, then a 4-byte salt, as ip xfrm takes it\n"
		"       (20, 28 or 36 bytes for AES-GCM, 36 for ChaCha20-Poly1305)\n"
		"ICV-BITS := 128\n"
		"N := 0..%u packets, inbound SAs only (default %u, 0 turns it off)\n"
		"LIMIT := { soft | hard } { bytes | packets | seconds } NUMBER, repeatable\n",
		MOAT_ALG_AES_GCM, MOAT_ALG_CHACHAPOLY, MOAT_REPLAY_WINDOW_MAX,
		MOAT_REPLAY_WINDOW_DEFAULT);
}

static int parse_dir(const char *verb, const char *s, uint8_t *dir)
{
	if (!strcmp(s, "in"))
		*dir = MOAT_DIR_IN;
	else if (!strcmp(s, "out"))
		*dir = MOAT_DIR_OUT;
	else
		return usage_error("%s: dir \"%s\" is not in or out", verb, s);
	return 0;
}

static int check_spi(const char *verb, const char *s, uint32_t *spi)
{
	char err[128];

	if (parse_spi(s, spi, err, sizeof(err)))
		return usage_error("%s: spi %s", verb, err);
	return 0;
}

#define SA_ADD "sa add"

/* Everything of sa add but wiping the key buffer, which the caller does. */
static int sa_add_keyed(int argc, char **argv, uint8_t *key)
{
	struct moat_sa_req r = { .key = key };
	const char *dev = NULL, *peer = NULL, *dir = NULL, *spi = NULL;
	const char *window = NULL;
	int have_aead = 0, have_esn = 0, n, ret;
	char err[256], what[160], pbuf[INET6_ADDRSTRLEN];
	struct moat_addr addr;
	struct moat_nl nl;
	struct nl_msg *msg;

	while (argc > 0) {
		const char **slot = NULL;

		if (!strcmp(argv[0], "dev"))
			slot = &dev;
		else if (!strcmp(argv[0], "peer"))
			slot = &peer;
		else if (!strcmp(argv[0], "dir"))
			slot = &dir;
		else if (!strcmp(argv[0], "spi"))
			slot = &spi;
		else if (!strcmp(argv[0], "replay-window"))
			slot = &window;
		if (slot) {
			if (argc < 2)
				return usage_error(SA_ADD ": \"%s\" needs a value",
						   argv[0]);
			if (*slot)
				return usage_error(SA_ADD ": \"%s\" is given twice",
						   argv[0]);
			*slot = argv[1];
			argc -= 2, argv += 2;
		} else if (!strcmp(argv[0], "esn")) {
			if (have_esn++)
				return usage_error(SA_ADD ": \"esn\" is given twice");
			r.flags |= MOAT_SA_F_ESN;
			argc--, argv++;
		} else if (!strcmp(argv[0], "aead")) {
			if (argc < 4)
				return usage_error(SA_ADD ": aead needs ALG KEY ICV-BITS");
			if (have_aead++)
				return usage_error(SA_ADD ": \"aead\" is given twice");
			if (aead_check_alg(argv[1], err, sizeof(err)))
				return usage_error(SA_ADD ": aead: %s", err);
			r.alg = argv[1];
			ret = parse_hex_key(argv[2], key, MOAT_KEY_MAX, &r.keylen,
					    err, sizeof(err));
			/* Keep the key out of /proc/PID/cmdline from now on. */
			explicit_bzero(argv[2], strlen(argv[2]));
			if (ret)
				return usage_error(SA_ADD ": aead: the key %s", err);
			if (aead_check_key(r.alg, r.keylen, err, sizeof(err)))
				return usage_error(SA_ADD ": aead: %s", err);
			if (aead_check_icv(argv[3], &r.icv_bits, err, sizeof(err)))
				return usage_error(SA_ADD ": aead: %s", err);
			argc -= 4, argv += 4;
		} else if (!strcmp(argv[0], "lifetime")) {
			n = parse_lifetime(argc - 1, argv + 1, &r.lt, err,
					   sizeof(err));
			if (n < 0)
				return usage_error(SA_ADD ": %s", err);
			argc -= 1 + n, argv += 1 + n;
		} else {
			return usage_error(SA_ADD ": unknown word \"%s\"", argv[0]);
		}
	}
	if (check_dev(SA_ADD, dev, 1))
		return EXIT_USAGE;
	if (!peer)
		return usage_error(SA_ADD ": which peer? (peer ADDR)");
	if (parse_endpoint(SA_ADD, "peer", peer, &addr))
		return EXIT_USAGE;
	if (!dir)
		return usage_error(SA_ADD ": which direction? (dir in or dir out)");
	if (parse_dir(SA_ADD, dir, &r.dir))
		return EXIT_USAGE;
	if (!spi)
		return usage_error(SA_ADD ": which SPI? (spi SPI)");
	if (check_spi(SA_ADD, spi, &r.spi))
		return EXIT_USAGE;
	if (!have_aead)
		return usage_error(SA_ADD ": which algorithm and key? (aead ALG KEY ICV-BITS)");
	if (window) {
		if (r.dir != MOAT_DIR_IN)
			return usage_error(SA_ADD ": replay-window applies to inbound SAs only (dir in)");
		if (parse_u32_range(window, 0, MOAT_REPLAY_WINDOW_MAX, &r.window))
			return usage_error(SA_ADD ": replay-window \"%s\" is not 0..%u",
					   window, MOAT_REPLAY_WINDOW_MAX);
		r.have_window = 1;
		/* The kernel infers the high half of an ESN from the window. */
		if ((r.flags & MOAT_SA_F_ESN) && !r.window)
			return usage_error(SA_ADD ": esn needs a replay window (replay-window 0 turns it off)");
	}
	if (lifetime_check(&r.lt, err, sizeof(err)))
		return usage_error(SA_ADD ": %s", err);

	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_SA_NEW, 0);
	if (!msg || put_dev(msg, dev) || req_put_peer_remote(msg, &addr) ||
	    req_put_sa(msg, &r)) {
		req_free_wiped(msg);
		moat_nl_close(&nl);
		return report_error(NULL, -ENOMEM, SA_ADD);
	}
	snprintf(what, sizeof(what), SA_ADD " dev %s peer %s dir %s spi 0x%08x",
		 dev, format_addr(&addr, pbuf, sizeof(pbuf)), dir, r.spi);
	/* Hold the message past the send so its copy of the key is wiped. */
	nlmsg_get(msg);
	ret = moat_nl_request(&nl, msg, NULL, NULL);
	req_free_wiped(msg);
	if (ret)
		report_error(&nl, ret, what);
	moat_nl_close(&nl);
	return ret ? EXIT_REFUSED : 0;
}

static int sa_add(int argc, char **argv)
{
	uint8_t key[MOAT_KEY_MAX];
	int ret = sa_add_keyed(argc, argv, key);

	explicit_bzero(key, sizeof(key));
	return ret;
}

#define SA_DEL "sa del"

static int sa_del(int argc, char **argv)
{
	const char *dev = NULL, *peer = NULL, *dir_s = NULL, *spi_s = NULL;
	char what[160], pbuf[INET6_ADDRSTRLEN];
	struct moat_addr addr;
	struct moat_nl nl;
	struct nl_msg *msg;
	uint32_t spi = 0;
	uint8_t dir = 0;
	int ret;
	const struct keyword kw[] = {
		{ "dev", &dev },
		{ "peer", &peer },
		{ "dir", &dir_s },
		{ "spi", &spi_s },
	};

	if (parse_keywords(SA_DEL, argc, argv, kw, ARRAY_LEN(kw)))
		return EXIT_USAGE;
	if (check_dev(SA_DEL, dev, 1))
		return EXIT_USAGE;
	if (peer && parse_addr(peer, &addr))
		return usage_error(SA_DEL ": peer \"%s\" is not an IPv4 or IPv6 address",
				   peer);
	if (!dir_s)
		return usage_error(SA_DEL ": which direction? (dir in or dir out)");
	if (parse_dir(SA_DEL, dir_s, &dir))
		return EXIT_USAGE;
	if (!spi_s)
		return usage_error(SA_DEL ": which SPI? (spi SPI)");
	if (check_spi(SA_DEL, spi_s, &spi))
		return EXIT_USAGE;
	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_SA_DEL, 0);
	if (!msg || put_dev(msg, dev) ||
	    (peer && req_put_peer_remote(msg, &addr)) ||
	    req_put_sa_id(msg, spi, dir)) {
		nlmsg_free(msg);
		moat_nl_close(&nl);
		return report_error(NULL, -ENOMEM, SA_DEL);
	}
	snprintf(what, sizeof(what), SA_DEL " dev %s%s%s dir %s spi 0x%08x",
		 dev, peer ? " peer " : "",
		 peer ? format_addr(&addr, pbuf, sizeof(pbuf)) : "", dir_s, spi);
	ret = moat_nl_request(&nl, msg, NULL, NULL);
	if (ret)
		report_error(&nl, ret, what);
	moat_nl_close(&nl);
	return ret ? EXIT_REFUSED : 0;
}

/* What sa show and sa flush take: [ dev NAME ] [ peer ADDR ]. */
struct sa_each {
	struct moat_show show;
	const struct moat_addr *peer;
};

static int parse_dev_peer(const char *verb, int argc, char **argv,
			  const char **dev, struct moat_addr *addr,
			  const struct moat_addr **peer)
{
	const char *peer_s = NULL;

	const struct keyword kw[] = {
		{ "dev", dev },
		{ "peer", &peer_s },
	};

	*dev = NULL;
	*peer = NULL;
	if (parse_keywords(verb, argc, argv, kw, ARRAY_LEN(kw)))
		return EXIT_USAGE;
	if (check_dev(verb, *dev, 0))
		return EXIT_USAGE;
	if (peer_s) {
		if (parse_addr(peer_s, addr))
			return usage_error("%s: peer \"%s\" is not an IPv4 or IPv6 address",
					   verb, peer_s);
		*peer = addr;
	}
	return 0;
}

static int sa_show_dev(struct moat_nl *nl, const char *dev, void *arg)
{
	struct sa_each *c = arg;
	struct nl_msg *msg;

	msg = moat_nl_msg(nl, MOAT_CMD_SA_GET, NLM_F_DUMP);
	if (!msg || put_dev(msg, dev) ||
	    (c->peer && req_put_peer_remote(msg, c->peer))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->show.dev = dev;
	return moat_nl_request(nl, msg, sa_print, &c->show);
}

static int sa_flush_dev(struct moat_nl *nl, const char *dev, void *arg)
{
	struct sa_each *c = arg;
	struct nl_msg *msg;

	msg = moat_nl_msg(nl, MOAT_CMD_SA_FLUSH, 0);
	if (!msg || put_dev(msg, dev) ||
	    (c->peer && req_put_peer_remote(msg, c->peer))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return moat_nl_request(nl, msg, NULL, NULL);
}

static int sa_show(int argc, char **argv)
{
	struct sa_each c;
	struct moat_addr addr;
	const char *dev;
	struct moat_nl nl;
	int ret;

	if (parse_dev_peer("sa show", argc, argv, &dev, &addr, &c.peer))
		return EXIT_USAGE;
	if (open_nl(&nl))
		return EXIT_REFUSED;
	show_init(&c.show, stdout, opts.json, opts.stats);
	c.show.filter = c.peer;
	show_begin(&c.show);
	ret = for_each_dev(&nl, dev, "sa show", sa_show_dev, &c);
	show_end(&c.show);
	moat_nl_close(&nl);
	return ret;
}

static int sa_flush(int argc, char **argv)
{
	struct sa_each c;
	struct moat_addr addr;
	const char *dev;
	struct moat_nl nl;
	int ret;

	if (parse_dev_peer("sa flush", argc, argv, &dev, &addr, &c.peer))
		return EXIT_USAGE;
	if (open_nl(&nl))
		return EXIT_REFUSED;
	ret = for_each_dev(&nl, dev, "sa flush", sa_flush_dev, &c);
	moat_nl_close(&nl);
	return ret;
}

int do_sa(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "show") || matches(argv[0], "list"))
		return sa_show(argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (matches(argv[0], "add"))
		return sa_add(argc - 1, argv + 1);
	if (matches(argv[0], "delete"))
		return sa_del(argc - 1, argv + 1);
	if (matches(argv[0], "flush"))
		return sa_flush(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		sa_usage(stdout);
		return 0;
	}
	sa_usage(stderr);
	return usage_error("sa: unknown command \"%s\"", argv[0]);
}
