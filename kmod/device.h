/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_DEVICE_H
#define _MOAT_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>

#include "queueing.h"
#include "stats.h"

struct moat_ts_table;

/*
 * Largest ESP overhead Moat adds: IPv6 outer header, UDP encapsulation,
 * ESP header, 8-byte IV, up to 3 pad bytes, pad length and next header,
 * and a 16-byte ICV. The default MTU keeps a 1500-byte path unfragmented.
 */
#define MOAT_MAX_OVERHEAD	(40 + 8 + 8 + 8 + 3 + 2 + 16)
#define MOAT_DEFAULT_MTU	1412

struct moat_dev {
	struct net_device *dev;
	/*
	 * The namespace the device was created in. Its ESP travels there and
	 * its inbound SAs are looked up there, wherever the device moves.
	 */
	struct net *outer_net;
	struct list_head dev_node;	/* moat_devices, under RTNL */

	/* Serialises configuration: peers, SAs, selectors, settings. */
	struct mutex lock;
	struct list_head peers;		/* RCU for the packet path */
	struct moat_ts_table __rcu *ts;	/* selectors of every peer */
	unsigned int n_peers;
	unsigned int n_sas;
	/* Caps on what userspace can make the device hold. */
	u32 max_peers;
	u32 max_sas;
	/* Set under @lock when deletion starts: no change is taken after. */
	bool dead;
	u32 mss_clamp;
	u32 pmtu_floor4;

	struct moat_stats __percpu *stats;

	/* The data path: ordered queues, crypto rings, their workers. */
	struct workqueue_struct *wq;
	struct sk_buff_head tx_queue;
	struct sk_buff_head rx_queue;
	struct moat_crypt_ring encrypt_ring;
	struct moat_crypt_ring decrypt_ring;
	struct work_struct tx_work;
	int tx_cpu;			/* where transmit passes run; -1: unset */
	unsigned long tx_flags;		/* MOAT_TX_* bits */
	struct napi_struct napi;
	/* Crypto requests started but not completed; uninit waits for 0. */
	atomic_t inflight;
};

/* Set while one caller runs the transmit pass (moat_tx_flush). */
#define MOAT_TX_SENDING		0

extern struct rtnl_link_ops moat_link_ops;
extern struct list_head moat_devices;

static inline bool moat_is_moat_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &moat_link_ops;
}

/* Counts a drop on the device and, when known, on the SA. */
void moat_drop(struct moat_dev *moat, struct moat_stats __percpu *sa_stats,
	       enum moat_stat why);

/* Takes @moat->lock if the device still takes changes; -ENODEV if not. */
int moat_dev_lock_live(struct moat_dev *moat, struct netlink_ext_ack *extack);

int moat_device_init(void);
void moat_device_exit(void);
void moat_device_net_exit(struct net *net, struct list_head *kill);

#endif
