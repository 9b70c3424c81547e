// SPDX-License-Identifier: GPL-2.0
/*
 * The parallel crypto rings and the ordered queues in front of them.
 *
 * Every hand-off is per burst, not per packet: producers fill the ring
 * and then wake a worker once (none when it is already draining); a
 * worker drains up to MOAT_WORK_BUDGET packets per run and hands the
 * finished ones on every MOAT_BATCH packets. The worker woken runs on
 * another CPU than the producer's, so that the CPU sending (an
 * application, or the receive softirq) goes on producing while another
 * does the crypto, and the ring fills into batches.
 */

#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>

#include "queueing.h"

static void moat_ring_worker(struct work_struct *work);

int moat_ring_init(struct moat_crypt_ring *r, struct workqueue_struct *wq,
		   const struct moat_ring_ops *ops)
{
	int cpu, ret;

	ret = ptr_ring_init(&r->ring, MOAT_RING_SIZE, GFP_KERNEL);
	if (ret)
		return ret;
	r->workers = alloc_percpu(struct moat_cpu_work);
	if (!r->workers) {
		ptr_ring_cleanup(&r->ring, NULL);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct moat_cpu_work *w = per_cpu_ptr(r->workers, cpu);

		INIT_WORK(&w->work, moat_ring_worker);
		w->ring = r;
		w->cpu = cpu;
		w->running = false;
	}
	r->wq = wq;
	r->ops = ops;
	r->last_cpu = -1;
	return 0;
}

/* The ring must be empty: its owner drained it first. */
void moat_ring_free(struct moat_crypt_ring *r)
{
	WARN_ON(!__ptr_ring_empty(&r->ring));
	ptr_ring_cleanup(&r->ring, NULL);
	free_percpu(r->workers);
}

/**
 * moat_ring_next_cpu - the CPU after @last in @mask other than @self
 * @last: the CPU chosen last time, or -1
 * @self: the producer's CPU, or -1 to skip none
 * @mask: the CPUs to choose from, a bitmap (the online CPUs')
 * @nbits: its size (nr_cpu_ids)
 *
 * Round-robin over @mask, wrapping around, skipping @self.
 *
 * Return: a CPU, or -1 when @mask holds no CPU but @self.
 */
int moat_ring_next_cpu(int last, int self, const unsigned long *mask,
		       unsigned int nbits)
{
	unsigned int from = last < 0 ? 0 : last + 1, cpu, i;

	for (i = 0; i < 2; i++) {
		cpu = from < nbits ? find_next_bit(mask, nbits, from) : nbits;
		if (cpu >= nbits)
			cpu = find_first_bit(mask, nbits);
		if (cpu >= nbits)
			return -1;
		if (cpu != self)
			return cpu;
		from = cpu + 1;
	}
	return -1;
}

static void moat_ring_wake(struct moat_crypt_ring *r, int cpu)
{
	struct moat_cpu_work *w = per_cpu_ptr(r->workers, cpu);

	/* Pairs with the barrier in moat_ring_worker() before its last look. */
	smp_mb();
	if (!READ_ONCE(w->running))
		queue_work_on(cpu, r->wq, &w->work);
}

/**
 * moat_ring_kick - wake a worker for packets just pushed into @r
 * @r: the ring
 *
 * One other CPU's worker, round-robin, unless it is already draining:
 * the producer keeps its own CPU, the crypto spreads over the others even
 * when every packet comes in on one, and a steady stream is drained in
 * batches by a worker that is never woken again. With one CPU online,
 * this CPU's worker. (Waking this CPU's worker as well, as an earlier
 * version did, left 64-byte packets at 1.4 a batch and 2.8 wake-ups
 * each: the producer and the crypto took turns on one CPU.)
 *
 * A ring whose ops ask for kick_self (decryption) counts the producer's
 * CPU in the round-robin. Its producer is the receive softirq, which
 * runs on the one CPU a flow arrives on; skipping that CPU would leave
 * two CPUs decrypting one flow on only one of them.
 */
void moat_ring_kick(struct moat_crypt_ring *r)
{
	int self = get_cpu();
	int cpu = moat_ring_next_cpu(READ_ONCE(r->last_cpu),
				     r->ops->kick_self ? -1 : self,
				     cpumask_bits(cpu_online_mask), nr_cpu_ids);

	if (cpu < 0)
		cpu = self;
	else
		WRITE_ONCE(r->last_cpu, cpu);
	moat_ring_wake(r, cpu);
	put_cpu();
}

static void moat_ring_worker(struct work_struct *work)
{
	struct moat_cpu_work *w = container_of(work, struct moat_cpu_work,
					       work);
	struct moat_crypt_ring *r = w->ring;
	const struct moat_ring_ops *ops = r->ops;
	unsigned int n = 0, batch = 0;
	struct sk_buff *skb;

	moat_pipe_add(ops->runs, 1);
	WRITE_ONCE(w->running, true);
	for (;;) {
		skb = ptr_ring_consume_bh(&r->ring);
		if (!skb) {
			if (batch)
				ops->batch_end(r);
			batch = 0;
			WRITE_ONCE(w->running, false);
			/* A producer that saw us running left it to us. */
			smp_mb();
			if (ptr_ring_empty_bh(&r->ring))
				break;
			WRITE_ONCE(w->running, true);
			continue;
		}
		ops->one(r, skb);
		n++;
		if (++batch == MOAT_BATCH) {
			ops->batch_end(r);
			batch = 0;
		}
		if (n == MOAT_WORK_BUDGET) {
			if (batch)
				ops->batch_end(r);
			WRITE_ONCE(w->running, false);
			/* More may wait: run again, after whatever else is due. */
			queue_work_on(w->cpu, r->wq, &w->work);
			break;
		}
		cond_resched();
	}
	moat_pipe_add(ops->pkts, n);
}

bool moat_queue_both(struct sk_buff_head *q, struct moat_crypt_ring *r,
		     struct sk_buff *skb)
{
	atomic_set(&MOAT_CB(skb)->state, MOAT_PKT_PENDING);
	__skb_queue_tail(q, skb);
	if (!ptr_ring_produce_bh(&r->ring, skb))
		return true;
	moat_pkt_finish(skb, MOAT_PKT_DEAD);
	return false;
}

/* Whether @q's head has left the crypto; under @q's lock. */
static bool moat_head_done(struct sk_buff_head *q)
{
	struct sk_buff *skb = skb_peek(q);

	return skb &&
	       atomic_read_acquire(&MOAT_CB(skb)->state) != MOAT_PKT_PENDING;
}

unsigned int moat_queue_pop_ready(struct sk_buff_head *q,
				  struct sk_buff_head *list, unsigned int max)
{
	struct sk_buff *skb;
	unsigned int n = 0;

	spin_lock_bh(&q->lock);
	while (n < max && moat_head_done(q)) {
		skb = skb_peek(q);
		__skb_unlink(skb, q);
		__skb_queue_tail(list, skb);
		n++;
	}
	spin_unlock_bh(&q->lock);
	return n;
}

bool moat_queue_head_ready(struct sk_buff_head *q)
{
	bool ready;

	spin_lock_bh(&q->lock);
	ready = moat_head_done(q);
	spin_unlock_bh(&q->lock);
	return ready;
}
