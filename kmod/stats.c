// SPDX-License-Identifier: GPL-2.0
/* Per-CPU counters and how they reach netlink. */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

#include "crypto.h"
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

DEFINE_PER_CPU(u64 [__MOAT_PIPE_MAX], moat_pipe_stats);

static const char *const moat_pipe_names[__MOAT_PIPE_MAX] = {
	[MOAT_PIPE_TX_XMIT] = "tx_xmit",
	[MOAT_PIPE_TX_SEGS] = "tx_segs",
	[MOAT_PIPE_TXQ_DEPTH] = "txq_depth",
	[MOAT_PIPE_ENC_RUNS] = "enc_runs",
	[MOAT_PIPE_ENC_PKTS] = "enc_pkts",
	[MOAT_PIPE_ENC_ASYNC] = "enc_async",
	[MOAT_PIPE_TX_RUNS] = "tx_runs",
	[MOAT_PIPE_TX_SENT] = "tx_sent",
	[MOAT_PIPE_RX_QUEUED] = "rx_queued",
	[MOAT_PIPE_RXQ_DEPTH] = "rxq_depth",
	[MOAT_PIPE_DEC_RUNS] = "dec_runs",
	[MOAT_PIPE_DEC_PKTS] = "dec_pkts",
	[MOAT_PIPE_DEC_ASYNC] = "dec_async",
	[MOAT_PIPE_NAPI_POLLS] = "napi_polls",
	[MOAT_PIPE_NAPI_PKTS] = "napi_pkts",
	[MOAT_PIPE_XMIT_NS] = "xmit_ns",
	[MOAT_PIPE_ENC_NS] = "enc_ns",
	[MOAT_PIPE_ENC_AEAD_NS] = "enc_aead_ns",
	[MOAT_PIPE_SEND_NS] = "send_ns",
	[MOAT_PIPE_INPUT_NS] = "input_ns",
	[MOAT_PIPE_DEC_NS] = "dec_ns",
	[MOAT_PIPE_DEC_AEAD_NS] = "dec_aead_ns",
	[MOAT_PIPE_NAPI_NS] = "napi_ns",
};

DEFINE_STATIC_KEY_FALSE(moat_pipe_timing);

static struct dentry *moat_debugfs;

/*
 * One "name value" line per counter, then every worker run as wakeups,
 * then the packets each online CPU encrypted and decrypted.
 */
static int moat_pipe_show(struct seq_file *m, void *v)
{
	u64 sum[__MOAT_PIPE_MAX] = { 0 };
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < __MOAT_PIPE_MAX; i++)
			sum[i] += READ_ONCE(per_cpu(moat_pipe_stats, cpu)[i]);
	for (i = 0; i < __MOAT_PIPE_MAX; i++)
		seq_printf(m, "%s %llu\n", moat_pipe_names[i], sum[i]);
	seq_printf(m, "wakeups %llu\n",
		   sum[MOAT_PIPE_ENC_RUNS] + sum[MOAT_PIPE_TX_RUNS] +
		   sum[MOAT_PIPE_DEC_RUNS] + sum[MOAT_PIPE_NAPI_POLLS]);
	/* Where the crypto ran: whether it spreads over the CPUs. */
	for_each_online_cpu(cpu) {
		u64 *c = per_cpu(moat_pipe_stats, cpu);

		seq_printf(m, "enc_pkts@%d %llu\ndec_pkts@%d %llu\n", cpu,
			   READ_ONCE(c[MOAT_PIPE_ENC_PKTS]), cpu,
			   READ_ONCE(c[MOAT_PIPE_DEC_PKTS]));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(moat_pipe);

static ssize_t moat_timing_read(struct file *file, char __user *buf,
				size_t len, loff_t *ppos)
{
	char s[] = { static_key_enabled(&moat_pipe_timing) ? 'Y' : 'N', '\n' };

	return simple_read_from_buffer(buf, len, ppos, s, sizeof(s));
}

/* Y or 1 turns the stage timings on, N or 0 off. */
static ssize_t moat_timing_write(struct file *file, const char __user *buf,
				 size_t len, loff_t *ppos)
{
	bool on;
	int ret;

	ret = kstrtobool_from_user(buf, len, &on);
	if (ret)
		return ret;
	if (on)
		static_branch_enable(&moat_pipe_timing);
	else
		static_branch_disable(&moat_pipe_timing);
	return len;
}

static const struct file_operations moat_timing_fops = {
	.owner = THIS_MODULE,
	.read = moat_timing_read,
	.write = moat_timing_write,
	.llseek = default_llseek,
};

/* Without debugfs the counters still count; nobody reads them. */
void moat_pipe_init(void)
{
	moat_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("pipeline", 0400, moat_debugfs, NULL,
			    &moat_pipe_fops);
	debugfs_create_file("timing", 0600, moat_debugfs, NULL,
			    &moat_timing_fops);
	moat_aead_debugfs(moat_debugfs);
}

void moat_pipe_exit(void)
{
	debugfs_remove_recursive(moat_debugfs);
}
