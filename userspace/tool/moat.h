/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the moat tool's object handlers. */
#ifndef MOAT_TOOL_H
#define MOAT_TOOL_H

#include "addr.h"
#include "json.h"
#include "moatnl.h"

/* The version comes from debian/changelog (-DMOAT_VERSION, userspace/Makefile). */
#ifndef MOAT_VERSION
#define MOAT_VERSION "unknown"
#endif

/* Exit codes: 0 done, 1 the kernel or system refused, 2 bad command line. */
#define EXIT_REFUSED 1
#define EXIT_USAGE 2

struct moat_opts {
	int json;
	int stats;
};

extern struct moat_opts opts;

/* Prints "moat: <what>: <why>" with the kernel's own reason if it gave one. */
int report_error(struct moat_nl *nl, int err, const char *what);
/* Prints a command-line complaint and returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens the netlink session, explaining a missing module. */
int open_nl(struct moat_nl *nl);
/* Names the device in a request: by name. */
int put_dev(struct nl_msg *msg, const char *dev);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One "WORD VALUE" pair a command takes; *val starts NULL. */
struct keyword {
	const char *word;
	const char **val;
};

/*
 * Reads "WORD VALUE" pairs into the slots @kw names. Returns 0, or
 * EXIT_USAGE after saying which word was unknown, lacked a value or came
 * twice; @what names the command.
 */
int parse_keywords(const char *what, int argc, char **argv,
		   const struct keyword *kw, size_t n);

/* Refuses a missing (if @required) or malformed device name, naming @verb. */
int check_dev(const char *verb, const char *dev, int required);
/* Parses a tunnel endpoint, refusing what cannot be one; EXIT_USAGE or 0. */
int parse_endpoint(const char *verb, const char *word, const char *s,
		   struct moat_addr *a);

/* Does one thing to one device: 0 or a negative errno. */
typedef int (*dev_fn)(struct moat_nl *nl, const char *dev, void *arg);
/*
 * Calls @fn for @dev, or for every moat device (a MOAT_CMD_LINK_GET dump)
 * when @dev is NULL, skipping devices that vanish meanwhile (ENODEV) and
 * devices without the peer a filter names (ENOENT) -- unless that is all
 * of them. Reports each failure as "<what> dev NAME: why"; returns 0 or
 * EXIT_REFUSED.
 */
int for_each_dev(struct moat_nl *nl, const char *dev, const char *what,
		 dev_fn fn, void *arg);

int do_link(int argc, char **argv);
int do_peer(int argc, char **argv);
int do_sa(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_ike(int argc, char **argv);
int do_guard(int argc, char **argv);
/* "normal", "cookies", "puzzles" (enum moat_guard_level). */
const char *guard_level_name(uint8_t level);

#endif
