// SPDX-License-Identifier: GPL-2.0
/*
 * The parallel crypto rings and the ordered queues in front of them.
 */

#include <linux/cpumask.h>
#include <linux/percpu.h>

#include "queueing.h"

int moat_ring_init(struct moat_crypt_ring *r, struct workqueue_struct *wq,
		   work_func_t fn)
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

		INIT_WORK(&w->work, fn);
		w->ring = r;
	}
	r->wq = wq;
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

struct moat_crypt_ring *moat_ring_of(struct work_struct *work)
{
	return container_of(work, struct moat_cpu_work, work)->ring;
}

/* Spreads work round-robin over the online CPUs. */
static int moat_next_cpu(struct moat_crypt_ring *r)
{
	int cpu = cpumask_next(READ_ONCE(r->last_cpu), cpu_online_mask);

	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	WRITE_ONCE(r->last_cpu, cpu);
	return cpu;
}

bool moat_ring_push(struct moat_crypt_ring *r, struct sk_buff *skb)
{
	int cpu;

	if (ptr_ring_produce_bh(&r->ring, skb))
		return false;
	cpu = moat_next_cpu(r);
	queue_work_on(cpu, r->wq, &per_cpu_ptr(r->workers, cpu)->work);
	return true;
}

bool moat_queue_both(struct sk_buff_head *q, struct moat_crypt_ring *r,
		     struct sk_buff *skb)
{
	atomic_set(&MOAT_CB(skb)->state, MOAT_PKT_PENDING);
	__skb_queue_tail(q, skb);
	if (moat_ring_push(r, skb))
		return true;
	moat_pkt_finish(skb, MOAT_PKT_DEAD);
	return false;
}

struct sk_buff *moat_queue_pop_ready(struct sk_buff_head *q)
{
	struct sk_buff *skb;

	spin_lock_bh(&q->lock);
	skb = skb_peek(q);
	if (skb && atomic_read_acquire(&MOAT_CB(skb)->state) != MOAT_PKT_PENDING)
		__skb_unlink(skb, q);
	else
		skb = NULL;
	spin_unlock_bh(&q->lock);
	return skb;
}
