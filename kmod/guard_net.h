/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_GUARD_NET_H
#define _MOAT_GUARD_NET_H

#include <linux/ktime.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "guard.h"

/*
 * A namespace's guard (issue 9): it judges the IKE on the sockets moatd
 * hands in there. Allocated on first use, freed when the namespace goes.
 * While its level is above normal a tick closes its load window every
 * second, so the level steps down without traffic; a level change is
 * announced on MOAT_MCGRP_EVENTS from a work item.
 */
struct moat_guard_net {
	struct moat_guard *g;
	struct net *net;
	struct delayed_work tick;
	struct work_struct event;
	u8 announced;		/* the level the last event carried */
};

/* The guard's clock: cheap, monotonic, counts suspend. */
static inline u64 moat_guard_now(void)
{
	return ktime_get_coarse_boottime_ns();
}

struct moat_guard_net *moat_guard_net_get(struct net *net);
struct moat_guard_net *moat_guard_net_rcu(struct net *net);
void moat_guard_net_changed(struct moat_guard_net *gn);
void moat_guard_net_exit(struct net *net);

#endif /* _MOAT_GUARD_NET_H */
