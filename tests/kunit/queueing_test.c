// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the ordered queue hands on only a finished head, in order, and
 * the crypto ring's workers take every packet through, in batches, even
 * when a burst is larger than one run's budget.
 */

#include <kunit/test.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "../queueing.h"

static struct sk_buff *pkt(struct kunit *test, int state, u64 seq)
{
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	memset(skb->cb, 0, sizeof(skb->cb));
	MOAT_CB(skb)->seq = seq;
	atomic_set(&MOAT_CB(skb)->state, state);
	return skb;
}

static void pop_stops_at_pending(struct kunit *test)
{
	static const int states[] = { MOAT_PKT_DONE, MOAT_PKT_DEAD,
				      MOAT_PKT_PENDING, MOAT_PKT_DONE,
				      MOAT_PKT_DONE };
	struct sk_buff_head q, out;
	struct sk_buff *skb, *third = NULL;
	int i;

	skb_queue_head_init(&q);
	__skb_queue_head_init(&out);
	for (i = 0; i < ARRAY_SIZE(states); i++) {
		skb = pkt(test, states[i], i);
		if (i == 2)
			third = skb;
		skb_queue_tail(&q, skb);
	}
	KUNIT_EXPECT_EQ(test, moat_queue_pop_ready(&q, &out, 16), 2U);
	KUNIT_EXPECT_EQ(test, MOAT_CB(skb_peek(&out))->seq, 0ULL);
	KUNIT_EXPECT_EQ(test, MOAT_CB(skb_peek_tail(&out))->seq, 1ULL);
	KUNIT_EXPECT_FALSE(test, moat_queue_head_ready(&q));
	KUNIT_EXPECT_EQ(test, moat_queue_pop_ready(&q, &out, 16), 0U);

	moat_pkt_finish(third, MOAT_PKT_DONE);
	KUNIT_EXPECT_TRUE(test, moat_queue_head_ready(&q));
	/* At most @max, in order. */
	KUNIT_EXPECT_EQ(test, moat_queue_pop_ready(&q, &out, 2), 2U);
	KUNIT_EXPECT_EQ(test, MOAT_CB(skb_peek_tail(&out))->seq, 3ULL);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&q), 1U);
	KUNIT_EXPECT_EQ(test, moat_queue_pop_ready(&q, &out, 16), 1U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&out), 5U);
	__skb_queue_purge(&out);
}

struct ring_test {
	struct moat_crypt_ring ring;
	atomic_t done;
	atomic_t batches;
};

static void count_one(struct moat_crypt_ring *r, struct sk_buff *skb)
{
	struct ring_test *t = container_of(r, struct ring_test, ring);

	moat_pkt_finish(skb, MOAT_PKT_DONE);
	atomic_inc(&t->done);
}

static void count_batch(struct moat_crypt_ring *r)
{
	struct ring_test *t = container_of(r, struct ring_test, ring);

	atomic_inc(&t->batches);
}

static const struct moat_ring_ops count_ops = {
	.one = count_one,
	.batch_end = count_batch,
	.runs = MOAT_PIPE_ENC_RUNS,
	.pkts = MOAT_PIPE_ENC_PKTS,
};

/* A burst of several budgets' worth, one kick: every packet gets done. */
static void ring_drains_burst(struct kunit *test)
{
	const int n = 3 * MOAT_WORK_BUDGET + 5;
	struct workqueue_struct *wq;
	struct sk_buff_head q;
	struct ring_test *t;
	int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	wq = alloc_workqueue("moat-test", WQ_CPU_INTENSIVE, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	KUNIT_ASSERT_EQ(test, moat_ring_init(&t->ring, wq, &count_ops), 0);
	skb_queue_head_init(&q);
	spin_lock_bh(&q.lock);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, moat_queue_both(&q, &t->ring,
							pkt(test, 0, i)));
	spin_unlock_bh(&q.lock);
	moat_ring_kick(&t->ring);
	/* The workers queue themselves again: drain waits for that too. */
	drain_workqueue(wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->done), n);
	KUNIT_EXPECT_GE(test, atomic_read(&t->batches),
			DIV_ROUND_UP(n, MOAT_BATCH));
	KUNIT_EXPECT_TRUE(test, __ptr_ring_empty(&t->ring.ring));
	KUNIT_EXPECT_TRUE(test, moat_queue_head_ready(&q));
	skb_queue_purge(&q);
	destroy_workqueue(wq);
	moat_ring_free(&t->ring);
}

/* The next CPU to wake: round-robin, never the producer's own if given. */
static void next_cpu_skips_self(struct kunit *test)
{
	DECLARE_BITMAP(mask, 8);
	int i, cpu, seen = 0;

	bitmap_zero(mask, 8);
	/* Alone: nobody else to wake. */
	__set_bit(0, mask);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(-1, 0, mask, 8), -1);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(0, 0, mask, 8), -1);
	/* Unless there is no producer to skip. */
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(0, -1, mask, 8), 0);
	/* Two: always the other one. */
	__set_bit(1, mask);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(-1, 0, mask, 8), 1);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(1, 0, mask, 8), 1);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(0, 1, mask, 8), 0);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(1, 1, mask, 8), 0);
	/* 0, 1, 3 and 6 online, producer on 3: 6, 0, 1, 6, ... */
	__set_bit(3, mask);
	__set_bit(6, mask);
	cpu = moat_ring_next_cpu(1, 3, mask, 8);
	KUNIT_EXPECT_EQ(test, cpu, 6);
	cpu = moat_ring_next_cpu(cpu, 3, mask, 8);
	KUNIT_EXPECT_EQ(test, cpu, 0);
	cpu = moat_ring_next_cpu(cpu, 3, mask, 8);
	KUNIT_EXPECT_EQ(test, cpu, 1);
	for (i = 0; i < 9; i++) {
		cpu = moat_ring_next_cpu(cpu, 3, mask, 8);
		KUNIT_EXPECT_NE(test, cpu, 3);
		KUNIT_EXPECT_TRUE(test, cpu >= 0 && test_bit(cpu, mask));
		if (cpu >= 0)
			seen |= BIT(cpu);
	}
	KUNIT_EXPECT_EQ(test, seen, BIT(0) | BIT(1) | BIT(6));
	/* A last CPU that went offline, or the top bit. */
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(7, 3, mask, 8), 0);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(4, 3, mask, 8), 6);
	/* No producer to skip (the decrypt ring): each CPU takes its turn. */
	cpu = moat_ring_next_cpu(1, -1, mask, 8);
	KUNIT_EXPECT_EQ(test, cpu, 3);
	cpu = moat_ring_next_cpu(cpu, -1, mask, 8);
	KUNIT_EXPECT_EQ(test, cpu, 6);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(cpu, -1, mask, 8), 0);
	/* None online at all. */
	bitmap_zero(mask, 8);
	KUNIT_EXPECT_EQ(test, moat_ring_next_cpu(-1, 0, mask, 8), -1);
}

static struct kunit_case moat_queueing_cases[] = {
	KUNIT_CASE(next_cpu_skips_self),
	KUNIT_CASE(pop_stops_at_pending),
	KUNIT_CASE(ring_drains_burst),
	{}
};

static struct kunit_suite moat_queueing_suite = {
	.name = "moat_queueing",
	.test_cases = moat_queueing_cases,
};

kunit_test_suite(moat_queueing_suite);
