/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_SOCKET_H
#define _MOAT_SOCKET_H

#include <linux/net.h>
#include <linux/refcount.h>

/* A UDP socket that receives ESP in UDP (RFC 3948) for its namespace. */
struct moat_sock {
	struct list_head node;		/* moat_net.socks */
	struct net *net;
	struct socket *sock;
	u8 family;
	__be16 port;
	refcount_t ref;
};

struct moat_sock *moat_sock_get(struct net *net, u8 family, __be16 port);
void moat_sock_put(struct moat_sock *ms);

int moat_socket_init(void);
void moat_socket_exit(void);

#endif
