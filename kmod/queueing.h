/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_QUEUEING_H
#define _MOAT_QUEUEING_H

#include <linux/bitops.h>
#include <linux/ptr_ring.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "stats.h"

struct moat_dev;
struct moat_sa;

/*
 * Packets are encrypted and decrypted in parallel on every CPU, but leave
 * in the order they came: each one sits in its device's ordered queue
 * (tx or rx) and, at the same time, in a crypto ring that any CPU's worker
 * drains. The ordered queue's head leaves once its crypto is done.
 */
enum moat_pkt_state {
	MOAT_PKT_PENDING,
	MOAT_PKT_DONE,
	MOAT_PKT_DEAD,		/* crypto failed or was never done: drop */
};

/* What a packet carries through the queues, in skb->cb. */
struct moat_cb {
	struct moat_sa *sa;	/* holds a reference */
	u64 seq;		/* the full (ESN) sequence number */
	atomic_t state;
	int drop;		/* enum moat_stat counted when DEAD */
	u8 nexthdr;		/* tx: what is inside */
	void *crypt;		/* the crypto request while one is running */
};

static inline struct moat_cb *MOAT_CB(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct moat_cb) > sizeof_field(struct sk_buff, cb));
	return (struct moat_cb *)skb->cb;
}

struct moat_crypt_ring;

/*
 * What a ring's workers do: @one takes one packet through the crypto;
 * @batch_end hands on what the last @one calls finished (a transmit pass,
 * a NAPI poll), once per batch rather than once per packet.
 */
struct moat_ring_ops {
	void (*one)(struct moat_crypt_ring *r, struct sk_buff *skb);
	void (*batch_end)(struct moat_crypt_ring *r);
	enum moat_pipe runs;	/* counters of worker runs and packets */
	enum moat_pipe pkts;
	/* The producer's own CPU takes its turn in the round-robin too. */
	bool kick_self;
};

struct moat_cpu_work {
	struct work_struct work;
	struct moat_crypt_ring *ring;
	int cpu;
	/* Draining: a new packet needs no wake-up, it will be seen. */
	bool running;
};

/* A bounded multi-producer ring and the per-CPU workers that empty it. */
struct moat_crypt_ring {
	struct ptr_ring ring;
	struct moat_cpu_work __percpu *workers;
	struct workqueue_struct *wq;
	const struct moat_ring_ops *ops;
	int last_cpu;
};

#define MOAT_RING_SIZE		1024
/* Packets one worker run handles before it yields the CPU. */
#define MOAT_WORK_BUDGET	64
/* Packets between two hand-offs (batch_end) inside one run. */
#define MOAT_BATCH		16

int moat_ring_init(struct moat_crypt_ring *r, struct workqueue_struct *wq,
		   const struct moat_ring_ops *ops);
void moat_ring_free(struct moat_crypt_ring *r);
void moat_ring_kick(struct moat_crypt_ring *r);
int moat_ring_next_cpu(int last, int self, const unsigned long *mask,
		       unsigned int nbits);

/* Sets a packet's final state; its queue's consumer takes it from there. */
static inline void moat_pkt_finish(struct sk_buff *skb, int state)
{
	atomic_set_release(&MOAT_CB(skb)->state, state);
}

/*
 * Puts @skb at the tail of the ordered queue @q and into @r for crypto.
 * The caller holds @q's lock, and calls moat_ring_kick() once the burst
 * is queued. Returns false if the ring was full: the packet then stays
 * queued but is already dead.
 */
bool moat_queue_both(struct sk_buff_head *q, struct moat_crypt_ring *r,
		     struct sk_buff *skb);

/*
 * Moves to @list, in order, up to @max packets from the head of @q whose
 * crypto is finished, under one hold of @q's lock. Returns how many.
 */
unsigned int moat_queue_pop_ready(struct sk_buff_head *q,
				  struct sk_buff_head *list, unsigned int max);

/* Whether the head of @q has finished its crypto. */
bool moat_queue_head_ready(struct sk_buff_head *q);

#endif
