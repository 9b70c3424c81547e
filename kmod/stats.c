// SPDX-License-Identifier: GPL-2.0
/* Per-CPU counters and how they reach netlink. */

#include <linux/skbuff.h>
#include <net/netlink.h>

#include "stats.h"

struct moat_stats __percpu *moat_stats_alloc(void)
{
	struct moat_stats __percpu *stats;
	int cpu;

	/* Charged to whoever made us allocate: userspace adds peers and SAs. */
	stats = alloc_percpu_gfp(struct moat_stats, GFP_KERNEL_ACCOUNT);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void moat_stats_sum(struct moat_stats __percpu *stats,
		    u64 out[__MOAT_STAT_MAX])
{
	unsigned int start;
	u64 v[__MOAT_STAT_MAX];
	int cpu, i;

	memset(out, 0, sizeof(u64) * __MOAT_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct moat_stats *s = per_cpu_ptr(stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __MOAT_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __MOAT_STAT_MAX; i++)
			out[i] += v[i];
	}
}

/* Every counter goes out, zeros included, so tools need no defaults. */
int moat_stats_put(struct sk_buff *skb, int attr, const u64 v[__MOAT_STAT_MAX])
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = MOAT_STAT_RX_PACKETS; i < __MOAT_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, v[i], MOAT_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
