// SPDX-License-Identifier: GPL-2.0
/*
 * The guard of each network namespace: made on first use (netlink or a
 * handed IKE socket), reached by the receive path under RCU, ticked by a
 * delayed work while it is above normal, and gone with the namespace,
 * after every socket that could reach it.
 */

#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "guard_net.h"
#include "netlink.h"
#include "netns.h"

static void guard_net_tick(struct work_struct *work)
{
	struct moat_guard_net *gn = container_of(to_delayed_work(work),
						 struct moat_guard_net, tick);

	moat_guard_tick(gn->g, moat_guard_now());
	moat_guard_net_changed(gn);
}

static void guard_net_event(struct work_struct *work)
{
	struct moat_guard_net *gn = container_of(work, struct moat_guard_net,
						 event);
	u8 level = READ_ONCE(gn->g->level);

	if (level == gn->announced)
		return;
	WRITE_ONCE(gn->announced, level);
	moat_nl_guard_event(gn->net, level, READ_ONCE(gn->g->difficulty));
}

/**
 * moat_guard_net_changed() - after something that may move the level
 * @gn: the namespace's guard
 *
 * Any context, O(1): queues the event if the level is not the one last
 * announced, and the tick while the level is above normal.
 */
void moat_guard_net_changed(struct moat_guard_net *gn)
{
	u8 level = READ_ONCE(gn->g->level);

	if (level != READ_ONCE(gn->announced))
		schedule_work(&gn->event);
	if (level != MOAT_GUARD_LEVEL_NORMAL && !delayed_work_pending(&gn->tick))
		schedule_delayed_work(&gn->tick, HZ + 1);
}

static struct moat_guard_net *guard_net_alloc(struct net *net)
{
	struct moat_guard_config cfg;
	struct moat_guard_net *gn;

	gn = kzalloc(sizeof(*gn), GFP_KERNEL);
	if (!gn)
		return ERR_PTR(-ENOMEM);
	moat_guard_default_config(&cfg);
	gn->g = moat_guard_alloc(&cfg, moat_guard_now());
	if (IS_ERR(gn->g)) {
		struct moat_guard *g = gn->g;

		kfree(gn);
		return ERR_CAST(g);
	}
	gn->net = net;
	gn->announced = gn->g->level;
	INIT_DELAYED_WORK(&gn->tick, guard_net_tick);
	INIT_WORK(&gn->event, guard_net_event);
	return gn;
}

/**
 * moat_guard_net_get() - the namespace's guard, made if it has none
 * @net: the namespace
 *
 * Process context. The guard lives as long as @net.
 *
 * Return: the guard or an ERR_PTR.
 */
struct moat_guard_net *moat_guard_net_get(struct net *net)
{
	struct moat_net *mn = moat_net(net);
	struct moat_guard_net *gn;

	mutex_lock(&mn->guard_lock);
	gn = rcu_dereference_protected(mn->guard,
				       lockdep_is_held(&mn->guard_lock));
	if (!gn) {
		gn = guard_net_alloc(net);
		if (!IS_ERR(gn))
			rcu_assign_pointer(mn->guard, gn);
	}
	mutex_unlock(&mn->guard_lock);
	return gn;
}

/**
 * moat_guard_net_rcu() - the namespace's guard on the receive path
 * @net: the namespace
 *
 * Under RCU (bottom halves off counts).
 *
 * Return: the guard, or %NULL if nothing made one yet.
 */
struct moat_guard_net *moat_guard_net_rcu(struct net *net)
{
	return rcu_dereference_bh(moat_net(net)->guard);
}

/**
 * moat_guard_net_exit() - free the namespace's guard
 * @net: the namespace, on its way out: its sockets are gone
 */
void moat_guard_net_exit(struct net *net)
{
	struct moat_net *mn = moat_net(net);
	struct moat_guard_net *gn;

	gn = rcu_replace_pointer(mn->guard, NULL, true);
	if (!gn)
		return;
	synchronize_rcu();
	cancel_delayed_work_sync(&gn->tick);
	cancel_work_sync(&gn->event);
	moat_guard_free(gn->g);
	kfree(gn);
}
