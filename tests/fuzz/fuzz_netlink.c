// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for everything libmoat reads from the kernel: error
 * messages with extack TLVs, and replies split into (nested) attributes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/moat.h>

#include "moatnl.h"

static void walk_reply(const uint8_t *data, size_t size)
{
	struct nlattr *tb[MOAT_A_MAX + 1], *lk[MOAT_LINK_A_MAX + 1];
	struct nlattr *st[MOAT_STAT_MAX + 1];
	struct nlmsghdr *hdr;
	struct nl_msg *msg;
	char name[16];
	uint64_t v64;
	uint32_t v32;
	uint8_t v8;
	int i;

	if (size < NLMSG_HDRLEN)
		return;
	hdr = malloc(size);
	if (!hdr)
		return;
	memcpy(hdr, data, size);
	/* libnl only hands over messages whose length fits what arrived. */
	if (hdr->nlmsg_len < NLMSG_HDRLEN || hdr->nlmsg_len > size) {
		free(hdr);
		return;
	}
	msg = nlmsg_convert(hdr);
	free(hdr);
	if (!msg)
		return;
	if (moat_nl_parse(msg, tb, MOAT_A_MAX) == 0) {
		moat_nla_str(tb[MOAT_A_IFNAME], name, sizeof(name));
		moat_nla_u32(tb[MOAT_A_IFINDEX], &v32);
		if (moat_nla_nested(tb[MOAT_A_LINK], lk, MOAT_LINK_A_MAX) == 0) {
			for (i = 0; i <= MOAT_LINK_A_MAX; i++) {
				moat_nla_u8(lk[i], &v8);
				moat_nla_u32(lk[i], &v32);
				moat_nla_str(lk[i], name, sizeof(name));
			}
			if (moat_nla_nested(lk[MOAT_LINK_A_STATS], st,
					    MOAT_STAT_MAX) == 0)
				for (i = 0; i <= MOAT_STAT_MAX; i++)
					moat_nla_u64(st[i], &v64);
		}
	}
	nlmsg_free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[256];
	void *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	/* A private, exactly sized copy lets ASan catch any overread. */
	memcpy(copy, data, size);
	moat_nl_extack_msg(copy, size, out, sizeof(out));
	free(copy);
	walk_reply(data, size);
	return 0;
}
