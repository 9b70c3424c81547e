// SPDX-License-Identifier: GPL-2.0
/*
 * The moat network device: a route-based tunnel interface created with
 * "ip link add NAME type moat". It owns no addresses of its own making and
 * has no link-layer header; the peers behind it decide where a packet goes.
 */

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include <uapi/linux/moat.h>

#include "device.h"

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

/* Nothing can be sent yet: without a peer a packet has nowhere to go. */
static netdev_tx_t moat_xmit(struct sk_buff *skb, struct net_device *dev)
{
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops moat_netdev_ops = {
	.ndo_open		= moat_open,
	.ndo_stop		= moat_stop,
	.ndo_start_xmit		= moat_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void moat_destruct(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static void moat_setup(struct net_device *dev)
{
	struct moat_dev *moat = netdev_priv(dev);

	dev->netdev_ops = &moat_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX;
	dev->mtu = MOAT_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - MOAT_MAX_OVERHEAD;

	memset(moat, 0, sizeof(*moat));
	moat->dev = dev;
	moat->mss_clamp = MOAT_MSS_CLAMP_AUTO;
	moat->pmtu_floor4 = MOAT_PMTU_FLOOR4_DEFAULT;
	mutex_init(&moat->lock);
}

static int moat_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	int ret;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;

	ret = register_netdevice(dev);
	if (ret) {
		free_percpu(dev->tstats);
		return ret;
	}
	/*
	 * Only now: a failed register_netdevice() would run the destructor
	 * too, and the stats above would be freed twice.
	 */
	dev->needs_free_netdev = true;
	dev->priv_destructor = moat_destruct;
	return 0;
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
