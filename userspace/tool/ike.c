// SPDX-License-Identifier: GPL-2.0
/*
 * moat ike: asks moatd, over its control socket ("\0moatd" in this network
 * namespace), to bring a connection up or down, to rekey it now, or what
 * it runs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "moat.h"
#include "parse.h"

#define CTL_NAME "moatd"
#define CONN_NAME_MAX 63
#define UP_WAIT_SECONDS 600	/* moatd answers first: it gives up sooner */

static void ike_usage(FILE *out)
{
	fprintf(out,
		"Usage: moat ike up NAME      start connection NAME; wait until it is up\n"
		"       moat ike down NAME    delete its SAs\n"
		"       moat ike rekey NAME [ ike ]\n"
		"                             rekey its newest Child SA (or its IKE SA) now\n"
		"       moat ike show         what moatd runs (-j: JSON)\n"
		"       moat ike help\n"
		"NAME := a [conn NAME] of moatd.conf: 1..%u of A-Z a-z 0-9 . _ -\n",
		CONN_NAME_MAX);
}

static int conn_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONN_NAME_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._-") == n;
}

static int ctl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 +
			strlen(CTL_NAME);
	struct timeval tv = { .tv_sec = UP_WAIT_SECONDS };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memcpy(sun.sun_path + 1, CTL_NAME, strlen(CTL_NAME));
	if (connect(fd, (struct sockaddr *)&sun, len)) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends @req and reads the whole answer into a malloc'd string. */
static char *ctl_ask(const char *req)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int fd = ctl_connect();
	ssize_t n;

	if (fd < 0 || !buf) {
		fprintf(stderr, "moat: ike: cannot reach moatd in this network namespace (is it running?)\n");
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto fail;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *p = realloc(buf, cap * 2);

			if (!p)
				goto fail;
			buf = p;
			cap *= 2;
		}
	}
	if (n < 0)
		goto fail;
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	fprintf(stderr, "moat: ike: moatd did not answer: %s\n",
		errno ? strerror(errno) : "connection closed");
	close(fd);
	free(buf);
	return NULL;
}

/* "ok" -> 0; "error WHY" -> prints it, EXIT_REFUSED. */
static int ctl_verdict(const char *what, const char *name, char *reply)
{
	reply[strcspn(reply, "\n")] = '\0';
	if (!strcmp(reply, "ok"))
		return 0;
	fprintf(stderr, "moat: ike %s %s: %s\n", what, name,
		strncmp(reply, "error ", 6) ? "moatd gave no answer" :
					      reply + 6);
	return EXIT_REFUSED;
}

static int ike_updown(const char *what, int argc, char **argv)
{
	char req[CONN_NAME_MAX + 16], *reply;
	int ret;

	if (argc != 1)
		return usage_error("ike %s: which connection? (ike %s NAME)",
				   what, what);
	if (!conn_name_ok(argv[0]))
		return usage_error("ike %s: \"%s\" is not a connection name",
				   what, argv[0]);
	snprintf(req, sizeof(req), "%s %s\n", what, argv[0]);
	reply = ctl_ask(req);
	if (!reply)
		return EXIT_REFUSED;
	ret = ctl_verdict(what, argv[0], reply);
	free(reply);
	return ret;
}

static int ike_rekey(int argc, char **argv)
{
	char req[CONN_NAME_MAX + 16], *reply;
	bool ike = argc == 2 && !strcmp(argv[1], "ike");
	int ret;

	if (argc < 1)
		return usage_error("ike rekey: which connection? (ike rekey NAME [ ike ])");
	if (argc > 2 || (argc == 2 && !ike))
		return usage_error("ike rekey: unexpected \"%s\"",
				   argv[argc - 1]);
	if (!conn_name_ok(argv[0]))
		return usage_error("ike rekey: \"%s\" is not a connection name",
				   argv[0]);
	snprintf(req, sizeof(req), "rekey %s%s\n", argv[0], ike ? " ike" : "");
	reply = ctl_ask(req);
	if (!reply)
		return EXIT_REFUSED;
	ret = ctl_verdict("rekey", argv[0], reply);
	free(reply);
	return ret;
}

static int ike_show(int argc, char **argv)
{
	char *reply;

	(void)argv;
	if (argc)
		return usage_error("ike show: unexpected \"%s\"", argv[0]);
	reply = ctl_ask(opts.json ? "show\n" : "show text\n");
	if (!reply)
		return EXIT_REFUSED;
	if (!strncmp(reply, "error ", 6)) {
		fprintf(stderr, "moat: ike show: %s", reply + 6);
		free(reply);
		return EXIT_REFUSED;
	}
	fputs(reply, stdout);
	free(reply);
	return 0;
}

int do_ike(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "show") || matches(argv[0], "list"))
		return ike_show(argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (matches(argv[0], "up"))
		return ike_updown("up", argc - 1, argv + 1);
	if (matches(argv[0], "down"))
		return ike_updown("down", argc - 1, argv + 1);
	if (matches(argv[0], "rekey"))
		return ike_rekey(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		ike_usage(stdout);
		return 0;
	}
	ike_usage(stderr);
	return usage_error("ike: unknown command \"%s\"", argv[0]);
}
