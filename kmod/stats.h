/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_STATS_H
#define _MOAT_STATS_H

#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
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

/*
 * What the data path did, counted per CPU over every device and shown in
 * debugfs (moat/pipeline) for the benchmark's profile: how many packets
 * each hand-off carried, how often a worker had to run, how deep the
 * ordered queues were. Not part of the netlink interface.
 */
enum moat_pipe {
	MOAT_PIPE_TX_XMIT,	/* moat_xmit calls (GSO super-packets count 1) */
	MOAT_PIPE_TX_SEGS,	/* packets queued for encryption */
	MOAT_PIPE_TXQ_DEPTH,	/* sum of the tx queue's length at each */
	MOAT_PIPE_ENC_RUNS,	/* encrypt worker runs */
	MOAT_PIPE_ENC_PKTS,	/* packets they encrypted */
	MOAT_PIPE_ENC_ASYNC,	/* of which completed asynchronously */
	MOAT_PIPE_TX_RUNS,	/* transmit worker runs */
	MOAT_PIPE_TX_SENT,	/* packets they sent or dropped */
	MOAT_PIPE_RX_QUEUED,	/* packets queued for decryption */
	MOAT_PIPE_RXQ_DEPTH,	/* sum of the rx queue's length at each */
	MOAT_PIPE_DEC_RUNS,	/* decrypt worker runs */
	MOAT_PIPE_DEC_PKTS,	/* packets they decrypted */
	MOAT_PIPE_DEC_ASYNC,	/* of which completed asynchronously */
	MOAT_PIPE_NAPI_POLLS,	/* NAPI polls */
	MOAT_PIPE_NAPI_PKTS,	/* packets they delivered or dropped */
	/* Nanoseconds spent in each stage, counted while timing is on. */
	MOAT_PIPE_XMIT_NS,	/* moat_xmit: segmenting, checksums, queueing */
	MOAT_PIPE_ENC_NS,	/* encrypt workers, per packet, AEAD included */
	MOAT_PIPE_ENC_AEAD_NS,	/* of which in crypto_aead_encrypt() */
	MOAT_PIPE_SEND_NS,	/* transmit passes: routing, outer headers */
	MOAT_PIPE_INPUT_NS,	/* ESP input: SA lookup, replay, queueing */
	MOAT_PIPE_DEC_NS,	/* decrypt workers, per packet, AEAD included */
	MOAT_PIPE_DEC_AEAD_NS,	/* of which in crypto_aead_decrypt() */
	MOAT_PIPE_NAPI_NS,	/* NAPI polls: checks, GRO, the inner stack */
	__MOAT_PIPE_MAX
};

DECLARE_PER_CPU(u64 [__MOAT_PIPE_MAX], moat_pipe_stats);

static inline void moat_pipe_add(enum moat_pipe i, u64 v)
{
	this_cpu_add(moat_pipe_stats[i], v);
}

/*
 * Stage timings cost two clock reads a stage, so they are off unless
 * debugfs moat/timing says otherwise: then moat_pipe_clock() starts a
 * stage and moat_pipe_time() adds its length to counter @i. A stage that
 * started while timing was off counts nothing.
 */
DECLARE_STATIC_KEY_FALSE(moat_pipe_timing);

static inline u64 moat_pipe_clock(void)
{
	return static_branch_unlikely(&moat_pipe_timing) ? local_clock() : 0;
}

static inline void moat_pipe_time(enum moat_pipe i, u64 start)
{
	if (static_branch_unlikely(&moat_pipe_timing) && start)
		moat_pipe_add(i, local_clock() - start);
}

void moat_pipe_init(void);
void moat_pipe_exit(void);

struct moat_stats __percpu *moat_stats_alloc(void);
void moat_stats_sum(struct moat_stats __percpu *stats,
		    u64 out[__MOAT_STAT_MAX]);
int moat_stats_put(struct sk_buff *skb, int attr, const u64 v[__MOAT_STAT_MAX]);

#endif
