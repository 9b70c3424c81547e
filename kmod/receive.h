/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_RECEIVE_H
#define _MOAT_RECEIVE_H

#include <linux/netdevice.h>

int moat_esp_input(struct net *net, struct sk_buff *skb);
void moat_decrypt_worker(struct work_struct *work);
int moat_napi_poll(struct napi_struct *napi, int budget);

#endif
