/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_NETNS_H
#define _MOAT_NETNS_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stats.h"

struct moat_guard_net;

/* What Moat keeps per network namespace, as the outer side of tunnels. */
struct moat_net {
	/* Inbound SAs by SPI; writers hold sa_lock, readers RCU. */
	spinlock_t sa_lock;
	DECLARE_HASHTABLE(sa_in, 10);
	/* Outbound SAs by SPI, to judge ICMP errors about our packets. */
	DECLARE_HASHTABLE(sa_out, 8);
	/* UDP encapsulation sockets, one per family and port. */
	struct mutex sock_lock;
	struct list_head socks;
	/*
	 * The daemon's sockets, IPv4 and IPv6 (MOAT_CMD_SOCK_SET): set and
	 * cleared under sock_lock, read under RCU. A user socket holds its
	 * namespace, so these are gone before the namespace goes.
	 */
	struct sock __rcu *user_sk[2];
	/*
	 * The IKE sockets moatd handed in (MOAT_SOCK_IKE), IPv4 and IPv6,
	 * kept like user_sk.
	 */
	struct sock __rcu *ike_sk[2];
	/* The guard, made on first use under guard_lock, read under RCU. */
	struct mutex guard_lock;
	struct moat_guard_net __rcu *guard;
	/* Devices whose ESP travels here, under RTNL. */
	unsigned int n_devices;
	/* Drops that belong to no device: an SPI no moat SA has. */
	struct moat_stats __percpu *stats;
};

extern unsigned int moat_net_id;

static inline struct moat_net *moat_net(const struct net *net)
{
	return net_generic(net, moat_net_id);
}

int moat_netns_init(void);
void moat_netns_exit(void);

#endif
