/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the moat tool's object handlers. */
#ifndef MOAT_TOOL_H
#define MOAT_TOOL_H

#include "json.h"
#include "moatnl.h"

#define MOAT_VERSION "0.1.0"

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

int do_link(int argc, char **argv);

#endif
