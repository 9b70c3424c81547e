/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_RECEIVE_H
#define _MOAT_RECEIVE_H

#include <linux/netdevice.h>

#include "queueing.h"

int moat_esp_input(struct net *net, struct sk_buff *skb);
extern const struct moat_ring_ops moat_decrypt_ops;
int moat_napi_poll(struct napi_struct *napi, int budget);

#endif
