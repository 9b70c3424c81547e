// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: inbound SAs by SPI, encapsulation sockets, and
 * the counters for packets that belong to no device.
 */

#include <net/rtnetlink.h>

#include "device.h"
#include "guard_net.h"
#include "netns.h"
#include "sa.h"

unsigned int moat_net_id __read_mostly;

static int __net_init moat_net_init(struct net *net)
{
	struct moat_net *mn = moat_net(net);

	spin_lock_init(&mn->sa_lock);
	hash_init(mn->sa_in);
	hash_init(mn->sa_out);
	mutex_init(&mn->sock_lock);
	INIT_LIST_HEAD(&mn->socks);
	mutex_init(&mn->guard_lock);
	mn->stats = moat_stats_alloc();
	return mn->stats ? 0 : -ENOMEM;
}

/*
 * Devices created here may live in other namespaces; their ESP still
 * travels here, so they go with this namespace.
 */
static void __net_exit moat_net_pre_exit(struct net *net)
{
	LIST_HEAD(kill);

	rtnl_lock();
	moat_device_net_exit(net, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
}

static void __net_exit moat_net_exit(struct net *net)
{
	struct moat_net *mn = moat_net(net);

	/* SAs of deleted devices may still be on their way out. */
	moat_sa_flush();
	WARN_ON(!list_empty(&mn->socks));
	WARN_ON(rcu_access_pointer(mn->user_sk[0]) ||
		rcu_access_pointer(mn->user_sk[1]) ||
		rcu_access_pointer(mn->ike_sk[0]) ||
		rcu_access_pointer(mn->ike_sk[1]));
	moat_guard_net_exit(net);
	free_percpu(mn->stats);
}

static struct pernet_operations moat_net_ops = {
	.init = moat_net_init,
	.pre_exit = moat_net_pre_exit,
	.exit = moat_net_exit,
	.id = &moat_net_id,
	.size = sizeof(struct moat_net),
};

int __init moat_netns_init(void)
{
	return register_pernet_subsys(&moat_net_ops);
}

void moat_netns_exit(void)
{
	unregister_pernet_subsys(&moat_net_ops);
}
