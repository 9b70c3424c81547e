// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the reply printers (userspace/lib/show.c): random
 * bytes become a netlink reply, as libnl would hand it over, and go through
 * peer_print, sa_print and show_stats in text and JSON, with and without
 * counters and a peer filter, and through moat_nl_done_err as the end of a
 * dump. The first byte picks the printers' options.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/moat.h>

#include "show.h"

static int stats_print(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *lk[MOAT_LINK_A_MAX + 1];
	struct moat_show *s = arg;

	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    moat_nla_nested(tb[MOAT_A_LINK], lk, MOAT_LINK_A_MAX))
		return NL_SKIP;
	/* As moat link show does: the counters inside the link's object. */
	if (s->as_json)
		json_open_object(&s->json, NULL);
	show_stats(s, lk[MOAT_LINK_A_STATS], STAT_RX | STAT_TX, 1);
	if (s->as_json)
		json_close_object(&s->json);
	return NL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *out;
	struct moat_addr filter;
	struct nlmsghdr *hdr;
	struct moat_show s;
	struct nl_msg *msg;
	char err[64];
	uint8_t mode;

	if (!out)
		out = fopen("/dev/null", "w");
	if (!out || size < 1 + NLMSG_HDRLEN)
		return 0;
	mode = data[0];
	data++, size--;
	hdr = malloc(size);
	if (!hdr)
		return 0;
	memcpy(hdr, data, size);
	/* The same bytes as the NLMSG_DONE ending a dump, exactly sized. */
	if (moat_nl_done_err(hdr, size, err, sizeof(err)) > 0 ||
	    !memchr(err, '\0', sizeof(err)))
		abort();
	/* libnl only hands over messages whose length fits what arrived. */
	if (hdr->nlmsg_len < NLMSG_HDRLEN || hdr->nlmsg_len > size) {
		free(hdr);
		return 0;
	}
	msg = nlmsg_convert(hdr);
	free(hdr);
	if (!msg)
		return 0;
	show_init(&s, out, mode & 1, (mode >> 1) & 3);
	s.dev = mode & 8 ? "moat0" : NULL;
	if (mode & 16) {
		parse_addr(mode & 32 ? "2001:db8::2" : "192.0.2.2", &filter);
		s.filter = &filter;
	}
	show_begin(&s);
	peer_print(msg, &s);
	sa_print(msg, &s);
	stats_print(msg, &s);
	show_end(&s);
	nlmsg_free(msg);
	return 0;
}
