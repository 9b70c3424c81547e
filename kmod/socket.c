// SPDX-License-Identifier: GPL-2.0
/*
 * Where ESP comes in: Linux's xfrm protocol chain for raw ESP (IP protocol
 * 50), shared with XFRM's own esp4/esp6, and UDP sockets for ESP in UDP
 * (RFC 3948). Packets whose SPI Moat does not know go on to XFRM.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/xfrm.h>

#include "crypto.h"
#include "netns.h"
#include "peer.h"
#include "pmtu.h"
#include "receive.h"
#include "sa.h"
#include "socket.h"

/* Ahead of XFRM's esp4/esp6, which register with priority 0. */
#define MOAT_XFRM_PRIORITY	10

/*
 * ESP in UDP: a one-byte 0xff is a NAT keepalive, a zero non-ESP marker
 * is IKE, anything else is ESP. Nobody reads the module's own socket, so
 * IKE is counted and dropped here rather than left to pin memory in its
 * receive queue.
 */
static int moat_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct net *net = sock_net(sk);
	unsigned int len = skb->len - sizeof(struct udphdr);
	u8 buf[4];
	const u8 *p;

	p = skb_header_pointer(skb, sizeof(struct udphdr),
			       min_t(unsigned int, len, sizeof(buf)), buf);
	if (len == 1 && p && p[0] == 0xff) {
		consume_skb(skb);
		return 0;
	}
	if (len >= 4 && p && !p[0] && !p[1] && !p[2] && !p[3]) {
		moat_stat_inc(moat_net(net)->stats, MOAT_STAT_RX_IKE_DROPPED);
		kfree_skb(skb);
		return 0;
	}
	if (len < MOAT_ESP_HDR_LEN) {
		moat_stat_inc(moat_net(net)->stats, MOAT_STAT_RX_TOO_SHORT);
		kfree_skb(skb);
		return 0;
	}
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	if (moat_esp_input(net, skb))
		kfree_skb(skb);
	return 0;
}

/* Claims ICMP errors about UDP-encapsulated ESP on our sockets. */
static int moat_udp_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	return 0;
}

/*
 * The UDP layer has seen an ICMP error about a datagram from our socket;
 * @udp_off is where the quoted UDP header starts. Only a Packet Too Big
 * about a recent packet of an SA of ours changes anything.
 */
static void moat_udp_err_rcv(struct sock *sk, struct sk_buff *skb,
			     unsigned int udp_off)
{
	unsigned int esp_off = udp_off + sizeof(struct udphdr);

	if (sk->sk_family == AF_INET) {
		const struct icmphdr *icmph = icmp_hdr(skb);

		moat_err4(skb, ntohs(icmph->un.frag.mtu), esp_off);
		return;
	}
#if IS_ENABLED(CONFIG_IPV6)
	moat_err6(skb, icmp6_hdr(skb)->icmp6_type, esp_off,
		  ntohl(icmp6_hdr(skb)->icmp6_mtu));
#endif
}

static struct moat_sock *moat_sock_create(struct net *net, u8 family,
					  __be16 port)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.encap_type = UDP_ENCAP_ESPINUDP,
		.encap_rcv = moat_udp_rcv,
		.encap_err_lookup = moat_udp_err_lookup,
		.encap_err_rcv = moat_udp_err_rcv,
	};
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = port,
		.ipv6_v6only = family == AF_INET6,
	};
	struct moat_sock *ms;
	int ret;

	ms = kzalloc(sizeof(*ms), GFP_KERNEL);
	if (!ms)
		return ERR_PTR(-ENOMEM);
	ret = udp_sock_create(net, &cfg, &ms->sock);
	if (ret) {
		kfree(ms);
		return ERR_PTR(ret);
	}
	tcfg.sk_user_data = ms;
	setup_udp_tunnel_sock(net, ms->sock, &tcfg);
	/*
	 * Moat keeps the outer path MTU itself, validated. The IPv4 UDP
	 * error path writes any PTB into the route cache first; sending by
	 * the device MTU keeps that from shrinking, or with DF dropping, our
	 * ESP. (IPv6 would then skip our error hook, and its route MTU never
	 * goes below 1280: there, outer packets may be fragmented instead.)
	 */
	if (family == AF_INET)
		inet_sk(ms->sock->sk)->pmtudisc = IP_PMTUDISC_OMIT;
	ms->net = net;
	ms->family = family;
	ms->port = port;
	refcount_set(&ms->ref, 1);
	return ms;
}

/* Shares one socket per family and port in a namespace. */
struct moat_sock *moat_sock_get(struct net *net, u8 family, __be16 port)
{
	struct moat_net *mn = moat_net(net);
	struct moat_sock *ms;

	mutex_lock(&mn->sock_lock);
	list_for_each_entry(ms, &mn->socks, node) {
		if (ms->family == family && ms->port == port) {
			refcount_inc(&ms->ref);
			goto out;
		}
	}
	ms = moat_sock_create(net, family, port);
	if (!IS_ERR(ms))
		list_add(&ms->node, &mn->socks);
out:
	mutex_unlock(&mn->sock_lock);
	return ms;
}

void moat_sock_put(struct moat_sock *ms)
{
	struct moat_net *mn = moat_net(ms->net);

	mutex_lock(&mn->sock_lock);
	if (refcount_dec_and_test(&ms->ref)) {
		list_del(&ms->node);
		udp_tunnel_sock_release(ms->sock);
		kfree(ms);
	}
	mutex_unlock(&mn->sock_lock);
}

static int moat_esp4_rcv(struct sk_buff *skb)
{
	return moat_esp_input(dev_net(skb->dev), skb);
}

/* XFRM's own UDP encapsulation and callbacks are never Moat's. */
static int moat_xfrm_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			   int encap_type)
{
	return -EINVAL;
}

static int moat_xfrm_cb(struct sk_buff *skb, int err)
{
	return 1;
}

static int moat_esp4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *quoted = (const struct iphdr *)skb->data;

	return moat_err4(skb, info, quoted->ihl * 4);
}

static struct xfrm4_protocol moat_esp4 = {
	.handler = moat_esp4_rcv,
	.input_handler = moat_xfrm_input,
	.cb_handler = moat_xfrm_cb,
	.err_handler = moat_esp4_err,
	.priority = MOAT_XFRM_PRIORITY,
};

#if IS_ENABLED(CONFIG_IPV6)
static int moat_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			 u8 type, u8 code, int offset, __be32 info)
{
	return moat_err6(skb, type, offset, ntohl(info));
}

static struct xfrm6_protocol moat_esp6 = {
	.handler = moat_esp4_rcv,
	.input_handler = moat_xfrm_input,
	.cb_handler = moat_xfrm_cb,
	.err_handler = moat_esp6_err,
	.priority = MOAT_XFRM_PRIORITY,
};
#endif

int __init moat_socket_init(void)
{
	int ret;

	ret = xfrm4_protocol_register(&moat_esp4, IPPROTO_ESP);
	if (ret)
		return ret;
#if IS_ENABLED(CONFIG_IPV6)
	ret = xfrm6_protocol_register(&moat_esp6, IPPROTO_ESP);
	if (ret)
		xfrm4_protocol_deregister(&moat_esp4, IPPROTO_ESP);
#endif
	return ret;
}

void moat_socket_exit(void)
{
#if IS_ENABLED(CONFIG_IPV6)
	xfrm6_protocol_deregister(&moat_esp6, IPPROTO_ESP);
#endif
	xfrm4_protocol_deregister(&moat_esp4, IPPROTO_ESP);
}
