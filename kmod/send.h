/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_SEND_H
#define _MOAT_SEND_H

#include <linux/netdevice.h>

#include "queueing.h"

netdev_tx_t moat_xmit(struct sk_buff *skb, struct net_device *dev);
extern const struct moat_ring_ops moat_encrypt_ops;
void moat_tx_worker(struct work_struct *work);

#endif
