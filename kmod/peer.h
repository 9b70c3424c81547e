/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_PEER_H
#define _MOAT_PEER_H

#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <net/dst_cache.h>

#include "pmtu.h"
#include "stats.h"

struct moat_dev;
struct moat_sa;
struct moat_sock;

union moat_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* Where a peer's ESP goes: the outer addresses and the framing. */
struct moat_endpoint {
	u8 family;		/* AF_INET or AF_INET6 */
	u8 encap;		/* enum moat_encap */
	bool has_local;
	union moat_addr remote;
	union moat_addr local;
	__be16 sport;
	__be16 dport;
};

struct moat_peer {
	struct moat_dev *moat;
	struct list_head node;		/* moat->peers, RCU */
	struct moat_endpoint ep;
	struct moat_sock *sock;		/* UDP encapsulation, or NULL */
	/* Outbound: the SA in use, and the one installed ahead of a rekey. */
	struct moat_sa __rcu *tx_cur;
	struct moat_sa __rcu *tx_next;
	struct list_head sas;		/* every SA, under moat->lock */
	unsigned int n_sas;
	struct moat_pmtu pmtu;
	/* The outer route to ep.remote, per CPU, checked at each use. */
	struct dst_cache dst_cache;
	/* The peer's own counters: path MTU events. */
	struct moat_stats __percpu *stats;
	struct kref ref;
	struct rcu_head rcu;
};

struct moat_peer *moat_peer_new(struct moat_dev *moat,
				const struct moat_endpoint *ep);
void moat_peer_add(struct moat_peer *peer);
struct moat_peer *moat_peer_find(struct moat_dev *moat,
				 const struct moat_endpoint *ep);
int moat_peer_remove(struct moat_peer *peer);
void moat_peer_put(struct moat_peer *peer);
void moat_peer_remove_all(struct moat_dev *moat);

static inline void moat_peer_get(struct moat_peer *peer)
{
	kref_get(&peer->ref);
}

bool moat_endpoint_same(const struct moat_endpoint *a,
			const struct moat_endpoint *b);

#endif
