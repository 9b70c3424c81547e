// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink for the daemon's UDP sockets: MOAT_CMD_SOCK_SET hands one to the
 * module, for ESP in UDP or, with MOAT_A_SOCK_KIND IKE, for the guard
 * alone (see moat_sock_hand()). It names no device: the
 * socket serves the caller's whole namespace.
 */

#include <linux/net.h>
#include <net/genetlink.h>
#include <uapi/linux/moat.h>

#include "netlink.h"
#include "socket.h"

int moat_sock_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fd_attr = info->attrs[MOAT_A_SOCK_FD];
	struct nlattr *kind_attr = info->attrs[MOAT_A_SOCK_KIND];
	u8 kind = kind_attr ? nla_get_u8(kind_attr) : MOAT_SOCK_ESP_IN_UDP;
	struct socket *sock;
	int ret;

	if (!fd_attr) {
		NL_SET_ERR_MSG(info->extack, "no socket given");
		return -EINVAL;
	}
	sock = sockfd_lookup(nla_get_u32(fd_attr), &ret);
	if (!sock) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr,
				    "not a socket of the caller's");
		return ret;
	}
	ret = moat_sock_hand(genl_info_net(info), sock, kind, info->extack);
	if (ret)
		NL_SET_BAD_ATTR(info->extack, fd_attr);
	sockfd_put(sock);
	return ret;
}
