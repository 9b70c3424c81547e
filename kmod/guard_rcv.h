/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_GUARD_RCV_H
#define _MOAT_GUARD_RCV_H

#include <linux/skbuff.h>
#include <net/sock.h>

int moat_guard_rcv(struct sock *sk, struct sk_buff *skb, unsigned int off);
int moat_guard_rcv_init(void);
void moat_guard_rcv_exit(void);

#endif /* _MOAT_GUARD_RCV_H */
