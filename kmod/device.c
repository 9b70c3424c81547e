// SPDX-License-Identifier: GPL-2.0
/*
 * The moat network device: a route-based tunnel interface created with
 * "ip link add NAME type moat". It has no link-layer header; the peers
 * behind it decide where a packet goes.
 */

#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include <uapi/linux/moat.h>

#include "device.h"
#include "netns.h"
#include "peer.h"
#include "receive.h"
#include "sa.h"
#include "selectors.h"
#include "send.h"

/* Every moat device in every namespace, under RTNL. */
LIST_HEAD(moat_devices);

static unsigned int max_devices = 1024;
module_param(max_devices, uint, 0644);
MODULE_PARM_DESC(max_devices,
		 "most moat devices whose ESP travels in one namespace (default 1024)");

int moat_dev_lock_live(struct moat_dev *moat, struct netlink_ext_ack *extack)
{
	mutex_lock(&moat->lock);
	if (!moat->dead)
		return 0;
	mutex_unlock(&moat->lock);
	NL_SET_ERR_MSG(extack, "the device is being deleted");
	return -ENODEV;
}

void moat_drop(struct moat_dev *moat, struct moat_stats __percpu *sa_stats,
	       enum moat_stat why)
{
	moat_stat_inc(moat->stats, why);
	if (sa_stats)
		moat_stat_inc(sa_stats, why);
	if (why >= MOAT_STAT_TX_NO_PEER)
		DEV_STATS_INC(moat->dev, tx_dropped);
	else
		DEV_STATS_INC(moat->dev, rx_dropped);
}

static int moat_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int moat_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

static int moat_init(struct net_device *dev)
{
	struct moat_dev *moat = netdev_priv(dev);
	int ret = -ENOMEM;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	moat->stats = moat_stats_alloc();
	moat->wq = alloc_workqueue("moat-%s", WQ_CPU_INTENSIVE |
				   WQ_MEM_RECLAIM, 0, dev->name);
	if (!dev->tstats || !moat->stats || !moat->wq)
		goto err;
	ret = moat_ring_init(&moat->encrypt_ring, moat->wq, &moat_encrypt_ops);
	if (ret)
		goto err;
	ret = moat_ring_init(&moat->decrypt_ring, moat->wq, &moat_decrypt_ops);
	if (ret)
		goto err_ring;
	skb_queue_head_init(&moat->tx_queue);
	skb_queue_head_init(&moat->rx_queue);
	INIT_WORK(&moat->tx_work, moat_tx_worker);
	moat->tx_cpu = -1;
	netif_napi_add(dev, &moat->napi, moat_napi_poll);
	napi_enable(&moat->napi);
	return 0;

err_ring:
	moat_ring_free(&moat->encrypt_ring);
err:
	if (moat->wq)
		destroy_workqueue(moat->wq);
	free_percpu(moat->stats);
	free_percpu(dev->tstats);
	return ret;
}

/* Frees packets still in a ring; each holds its SA. */
static void moat_ring_purge(struct moat_crypt_ring *r)
{
	struct sk_buff *skb;

	while ((skb = ptr_ring_consume_bh(&r->ring)))
		moat_pkt_finish(skb, MOAT_PKT_DEAD);
}

static void moat_queue_purge(struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(q))) {
		moat_sa_put(MOAT_CB(skb)->sa);
		kfree_skb(skb);
	}
}

/*
 * Under RTNL, once the device is down and unlisted: no packet enters any
 * more, so stop the workers, let running crypto finish, and drop what is
 * still queued.
 */
static void moat_uninit(struct net_device *dev)
{
	struct moat_dev *moat = netdev_priv(dev);

	/* Requests holding a reference may still come: refuse them. */
	mutex_lock(&moat->lock);
	moat->dead = true;
	mutex_unlock(&moat->lock);
	if (!list_empty(&moat->dev_node))
		moat_net(moat->outer_net)->n_devices--;
	list_del_init(&moat->dev_node);
	moat_peer_remove_all(moat);
	synchronize_net();
	napi_disable(&moat->napi);
	netif_napi_del(&moat->napi);
	moat_ring_purge(&moat->encrypt_ring);
	moat_ring_purge(&moat->decrypt_ring);
	flush_workqueue(moat->wq);
	wait_var_event(&moat->inflight, !atomic_read(&moat->inflight));
	/*
	 * Workers and the transmit pass queue themselves again when they
	 * reach their budget, which a flush does not wait for. With no
	 * completion left to come from outside, drain: nothing runs then
	 * while the queues are purged.
	 */
	drain_workqueue(moat->wq);
	moat_queue_purge(&moat->tx_queue);
	moat_queue_purge(&moat->rx_queue);
	destroy_workqueue(moat->wq);
	moat_ring_free(&moat->encrypt_ring);
	moat_ring_free(&moat->decrypt_ring);
	/* Timers and deferred deletions touch the device: wait for them. */
	moat_sa_flush();
}

static const struct net_device_ops moat_netdev_ops = {
	.ndo_init		= moat_init,
	.ndo_uninit		= moat_uninit,
	.ndo_open		= moat_open,
	.ndo_stop		= moat_stop,
	.ndo_start_xmit		= moat_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void moat_destruct(struct net_device *dev)
{
	struct moat_dev *moat = netdev_priv(dev);

	free_percpu(moat->stats);
	free_percpu(dev->tstats);
}

#define MOAT_FEATURES (NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG | \
		       NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)

static void moat_setup(struct net_device *dev)
{
	struct moat_dev *moat = netdev_priv(dev);

	dev->netdev_ops = &moat_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = moat_destruct;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + sizeof(struct ipv6hdr) + 8 +
			       16;
	dev->needed_tailroom = 3 + 2 + 16;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* Too-big packets need their route: to learn the PMTU, to fragment. */
	netif_keep_dst(dev);
	dev->features |= NETIF_F_LLTX | MOAT_FEATURES;
	dev->hw_features |= MOAT_FEATURES;
	dev->hw_enc_features |= MOAT_FEATURES;
	dev->mtu = MOAT_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - MOAT_MAX_OVERHEAD;

	memset(moat, 0, sizeof(*moat));
	moat->dev = dev;
	moat->mss_clamp = MOAT_MSS_CLAMP_AUTO;
	moat->pmtu_floor4 = MOAT_PMTU_FLOOR4_DEFAULT;
	moat->max_peers = MOAT_MAX_PEERS_DEFAULT;
	moat->max_sas = MOAT_MAX_SAS_DEFAULT;
	mutex_init(&moat->lock);
	INIT_LIST_HEAD(&moat->peers);
	INIT_LIST_HEAD(&moat->dev_node);
}

static int moat_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct moat_net *mn = moat_net(src_net);
	struct moat_dev *moat = netdev_priv(dev);
	int ret;

	if (mn->n_devices >= READ_ONCE(max_devices)) {
		NL_SET_ERR_MSG(extack,
			       "this namespace has max_devices moat devices already (a module parameter)");
		return -ENOSPC;
	}
	moat->outer_net = src_net;
	ret = register_netdevice(dev);
	if (ret)
		return ret;
	list_add(&moat->dev_node, &moat_devices);
	mn->n_devices++;
	return 0;
}

/* Queues every device whose outer namespace is @net for deletion. */
void moat_device_net_exit(struct net *net, struct list_head *kill)
{
	struct moat_dev *moat;

	ASSERT_RTNL();
	list_for_each_entry(moat, &moat_devices, dev_node)
		if (net_eq(moat->outer_net, net))
			unregister_netdevice_queue(moat->dev, kill);
}

struct rtnl_link_ops moat_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct moat_dev),
	.setup		= moat_setup,
	.newlink	= moat_newlink,
};

int __init moat_device_init(void)
{
	return rtnl_link_register(&moat_link_ops);
}

void moat_device_exit(void)
{
	rtnl_link_unregister(&moat_link_ops);
}
