/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printers for what the kernel dumps: peers, SAs and the counters that
 * links, peers and SAs share. Each printer is a moat_nl_reply_fn taking a
 * struct moat_show, so the tool feeds it netlink replies and the tests and
 * fuzzers feed it messages of their own making. They trust nothing in the
 * reply: absent or short attributes are left out, never read.
 */
#ifndef MOAT_SHOW_H
#define MOAT_SHOW_H

#include <stdio.h>

#include <linux/moat.h>

#include "addr.h"
#include "json.h"
#include "moatnl.h"

struct moat_show {
	FILE *out;
	struct moat_json json;
	int as_json;		/* -j: JSON instead of text */
	int stats;		/* -s count: 1 adds counters, 2 also zero drops */
	/* The device asked for, named when a reply does not say. */
	const char *dev;
	/* Only peers with this remote address (peer_print, sa_print). */
	const struct moat_addr *filter;
	int count;		/* objects printed */
};

void show_init(struct moat_show *s, FILE *out, int as_json, int stats);
/* Open and close the JSON array around every object printed. */
void show_begin(struct moat_show *s);
void show_end(struct moat_show *s);

/* Which way a counter counts. */
enum { STAT_RX = 1, STAT_TX = 2, STAT_PMTU = 4 };

struct moat_stat_name {
	const char *json;	/* "rx_icv_fail" */
	const char *text;	/* "icv-fail", after "RX drops:" */
	unsigned char dir;	/* STAT_RX or STAT_TX */
	unsigned char drop;	/* a drop reason, not a traffic total */
};

/* Indexed by enum moat_stat; UNSPEC and PAD have no names. */
extern const struct moat_stat_name moat_stat_names[MOAT_STAT_MAX + 1];

/*
 * Prints a *_STATS nest. Text: "    RX: packets N bytes N" and "    TX: ..."
 * for the directions in @dirs, then "    RX drops: NAME N ..." lines with
 * the drop counters that are not zero (all those sent, with -s -s). JSON:
 * "stats": {"rx_packets": N, ...} with every counter sent; @link_compat
 * adds the "rx"/"tx" objects that moat link show has always had.
 */
void show_stats(struct moat_show *s, struct nlattr *nest, unsigned int dirs,
		int link_compat);

/* One MOAT_CMD_PEER_GET / MOAT_CMD_SA_GET reply message. */
int peer_print(struct nl_msg *msg, void *arg);
int sa_print(struct nl_msg *msg, void *arg);

#endif
