/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_DEVICE_H
#define _MOAT_DEVICE_H

#include <linux/netdevice.h>
#include <linux/mutex.h>

/*
 * Largest ESP overhead Moat adds: IPv6 outer header, UDP encapsulation,
 * ESP header, 8-byte IV, up to 3 pad bytes, pad length and next header,
 * and a 16-byte ICV. The default MTU keeps a 1500-byte path unfragmented.
 */
#define MOAT_MAX_OVERHEAD	(40 + 8 + 8 + 8 + 3 + 2 + 16)
#define MOAT_DEFAULT_MTU	1412

struct moat_dev {
	struct net_device *dev;
	/* Serialises configuration changes from netlink. */
	struct mutex lock;
	/* Link settings; read locklessly on the packet path. */
	u32 mss_clamp;
	u32 pmtu_floor4;
};

extern struct rtnl_link_ops moat_link_ops;

static inline bool moat_is_moat_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &moat_link_ops;
}

int moat_device_init(void);
void moat_device_exit(void);

#endif
