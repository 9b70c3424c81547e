/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_SOCKET_H
#define _MOAT_SOCKET_H

#include <linux/net.h>
#include <linux/refcount.h>
#include <net/netlink.h>

/*
 * ESP in UDP (RFC 3948) on one family and port of a namespace, shared by
 * the peers that use it: the module's own socket, or none while the
 * daemon's socket holds the port (moat_net.user_sk).
 */
struct moat_sock {
	struct list_head node;		/* moat_net.socks */
	struct net *net;
	struct socket *sock;		/* ours, or NULL */
	u8 family;
	__be16 port;
	refcount_t ref;
};

struct moat_sock *moat_sock_get(struct net *net, u8 family, __be16 port);
void moat_sock_put(struct moat_sock *ms);
struct sock *moat_sock_tx(const struct moat_sock *ms);
int moat_sock_hand(struct net *net, struct socket *sock, u8 kind,
		   struct netlink_ext_ack *extack);

int moat_socket_init(void);
void moat_socket_exit(void);

#endif
