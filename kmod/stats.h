/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_STATS_H
#define _MOAT_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/moat.h>

/* One per-CPU block of counters, indexed by enum moat_stat. */
struct moat_stats {
	u64_stats_t c[__MOAT_STAT_MAX];
	struct u64_stats_sync syncp;
};

/* Counts from any context: softirq, crypto workers, netlink. */
static inline void moat_stat_add(struct moat_stats __percpu *stats,
				 enum moat_stat i, u64 v)
{
	struct moat_stats *s = get_cpu_ptr(stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->c[i], v);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(stats);
}

static inline void moat_stat_inc(struct moat_stats __percpu *stats,
				 enum moat_stat i)
{
	moat_stat_add(stats, i, 1);
}

struct moat_stats __percpu *moat_stats_alloc(void);
void moat_stats_sum(struct moat_stats __percpu *stats,
		    u64 out[__MOAT_STAT_MAX]);
int moat_stats_put(struct sk_buff *skb, int attr, const u64 v[__MOAT_STAT_MAX]);

#endif
