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
#include "guard_net.h"
#include "guard_rcv.h"
#include "netns.h"
#include "peer.h"
#include "pmtu.h"
#include "receive.h"
#include "sa.h"
#include "socket.h"

/* Ahead of XFRM's esp4/esp6, which register with priority 0. */
#define MOAT_XFRM_PRIORITY	10

enum moat_udp_kind {
	MOAT_UDP_ESP,
	MOAT_UDP_KEEPALIVE,
	MOAT_UDP_IKE,
	MOAT_UDP_SHORT,
};

/*
 * ESP in UDP (RFC 3948 2.2): a one-byte 0xff is a NAT keepalive, a zero
 * non-ESP marker is IKE, anything else is ESP if long enough for it.
 */
static enum moat_udp_kind moat_udp_kind(struct sk_buff *skb)
{
	unsigned int len = skb->len - sizeof(struct udphdr);
	u8 buf[4];
	const u8 *p;

	p = skb_header_pointer(skb, sizeof(struct udphdr),
			       min_t(unsigned int, len, sizeof(buf)), buf);
	if (len == 1 && p && p[0] == 0xff)
		return MOAT_UDP_KEEPALIVE;
	if (len >= 4 && p && !p[0] && !p[1] && !p[2] && !p[3])
		return MOAT_UDP_IKE;
	if (len < MOAT_ESP_HDR_LEN)
		return MOAT_UDP_SHORT;
	return MOAT_UDP_ESP;
}

/* Everything but IKE, on either kind of socket; always consumes @skb. */
static int moat_udp_esp(struct net *net, struct sk_buff *skb,
			enum moat_udp_kind kind)
{
	struct moat_stats __percpu *stats = moat_net(net)->stats;

	if (kind == MOAT_UDP_KEEPALIVE) {
		moat_stat_inc(stats, MOAT_STAT_RX_NAT_KEEPALIVE);
		consume_skb(skb);
		return 0;
	}
	if (kind == MOAT_UDP_SHORT) {
		moat_stat_inc(stats, MOAT_STAT_RX_TOO_SHORT);
		kfree_skb(skb);
		return 0;
	}
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	if (moat_esp_input(net, skb))
		kfree_skb(skb);
	return 0;
}

/*
 * The module's own socket: nobody reads it, so IKE is counted and
 * dropped here rather than left to pin memory in its receive queue.
 */
static int moat_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	enum moat_udp_kind kind = moat_udp_kind(skb);

	if (kind == MOAT_UDP_IKE) {
		moat_stat_inc(moat_net(sock_net(sk))->stats,
			      MOAT_STAT_RX_IKE_DROPPED);
		kfree_skb(skb);
		return 0;
	}
	return moat_udp_esp(sock_net(sk), skb, kind);
}

/*
 * A socket handed in by the daemon: IKE stays on it, non-ESP marker and
 * all, as a positive return makes UDP queue the datagram as usual, unless
 * the guard answers or drops it.
 */
static int moat_udp_rcv_user(struct sock *sk, struct sk_buff *skb)
{
	enum moat_udp_kind kind = moat_udp_kind(skb);

	if (kind == MOAT_UDP_IKE)
		return moat_guard_rcv(sk, skb, sizeof(struct udphdr) + 4);
	return moat_udp_esp(sock_net(sk), skb, kind);
}

/* The daemon's IKE socket (port 500): IKE alone, no marker. */
static int moat_udp_rcv_ike(struct sock *sk, struct sk_buff *skb)
{
	return moat_guard_rcv(sk, skb, sizeof(struct udphdr));
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

static const struct udp_tunnel_sock_cfg moat_tunnel_cfg = {
	.encap_type = UDP_ENCAP_ESPINUDP,
	.encap_rcv = moat_udp_rcv,
	.encap_err_lookup = moat_udp_err_lookup,
	.encap_err_rcv = moat_udp_err_rcv,
};

/*
 * Moat keeps the outer path MTU itself, validated. The IPv4 UDP error
 * path writes any PTB into the route cache first; sending by the device
 * MTU keeps that from shrinking, or with DF dropping, our ESP. (IPv6
 * would then skip our error hook, and its route MTU never goes below
 * 1280: there, outer packets may be fragmented instead.)
 */
static void moat_sock_pmtu_omit(struct sock *sk)
{
	if (sk->sk_family == AF_INET)
		WRITE_ONCE(inet_sk(sk)->pmtudisc, IP_PMTUDISC_OMIT);
}

static int moat_sock_open(struct moat_sock *ms)
{
	struct udp_tunnel_sock_cfg tcfg = moat_tunnel_cfg;
	struct udp_port_cfg cfg = {
		.family = ms->family,
		.local_udp_port = ms->port,
		.ipv6_v6only = ms->family == AF_INET6,
	};
	int ret;

	ret = udp_sock_create(ms->net, &cfg, &ms->sock);
	if (ret)
		return ret;
	tcfg.sk_user_data = ms;
	setup_udp_tunnel_sock(ms->net, ms->sock, &tcfg);
	moat_sock_pmtu_omit(ms->sock->sk);
	return 0;
}

static int moat_fam(u8 family)
{
	return family == AF_INET6;
}

/* Under sock_lock or RCU: the daemon's socket for @family on @port. */
static struct sock *moat_user_sk(struct moat_net *mn, u8 family, __be16 port)
{
	struct sock *sk;

	sk = rcu_dereference_check(mn->user_sk[moat_fam(family)],
				   lockdep_is_held(&mn->sock_lock) ||
				   rcu_read_lock_bh_held());

	return sk && inet_sk(sk)->inet_sport == port ? sk : NULL;
}

/*
 * Shares one socket per family and port in a namespace. A port the
 * daemon's socket holds gets no socket of ours: peers send from the
 * daemon's (moat_sock_tx()).
 */
struct moat_sock *moat_sock_get(struct net *net, u8 family, __be16 port)
{
	struct moat_net *mn = moat_net(net);
	struct moat_sock *ms;
	int ret = 0;

	mutex_lock(&mn->sock_lock);
	list_for_each_entry(ms, &mn->socks, node) {
		if (ms->family == family && ms->port == port) {
			if (!ms->sock && !moat_user_sk(mn, family, port))
				ret = moat_sock_open(ms);
			if (!ret)
				refcount_inc(&ms->ref);
			goto out;
		}
	}
	ms = kzalloc(sizeof(*ms), GFP_KERNEL);
	if (!ms) {
		ret = -ENOMEM;
		goto out;
	}
	ms->net = net;
	ms->family = family;
	ms->port = port;
	refcount_set(&ms->ref, 1);
	if (!moat_user_sk(mn, family, port))
		ret = moat_sock_open(ms);
	if (ret)
		kfree(ms);
	else
		list_add(&ms->node, &mn->socks);
out:
	mutex_unlock(&mn->sock_lock);
	return ret ? ERR_PTR(ret) : ms;
}

void moat_sock_put(struct moat_sock *ms)
{
	struct moat_net *mn = moat_net(ms->net);

	mutex_lock(&mn->sock_lock);
	if (refcount_dec_and_test(&ms->ref)) {
		list_del(&ms->node);
		if (ms->sock)
			udp_tunnel_sock_release(ms->sock);
		kfree(ms);
	}
	mutex_unlock(&mn->sock_lock);
}

/**
 * moat_sock_tx - the socket a peer's ESP in UDP leaves from
 * @ms: the peer's socket slot
 *
 * With bottom halves off (an RCU read side). The daemon's socket when it
 * holds the port, so ESP follows the NAT mapping IKE made; else ours.
 * NULL when neither is left (the daemon closed its socket): the packet
 * still leaves from the peer's ports, with nothing here to answer it.
 *
 * Return: the socket, valid until bottom halves are enabled again.
 */
struct sock *moat_sock_tx(const struct moat_sock *ms)
{
	struct sock *sk = moat_user_sk(moat_net(ms->net), ms->family, ms->port);

	if (sk)
		return sk;
	return ms->sock ? ms->sock->sk : NULL;
}

/* Under sock_lock: the slot of a handed socket of @kind and @family. */
static struct sock __rcu **moat_hand_slot(struct moat_net *mn, u8 kind,
					  u8 family)
{
	if (kind == MOAT_SOCK_IKE)
		return &mn->ike_sk[moat_fam(family)];
	return &mn->user_sk[moat_fam(family)];
}

/*
 * The daemon closed its socket (udp_destroy_sock(), process context,
 * before the socket leaves the lookup tables): forget it. Packets still
 * inside our callbacks hold RCU, and UDP frees sockets after a grace
 * period, so nothing else needs waiting for.
 */
static void moat_udp_destroy(struct sock *sk)
{
	struct moat_net *mn = moat_net(sock_net(sk));
	struct sock __rcu **slot;
	u8 kind;

	mutex_lock(&mn->sock_lock);
	for (kind = MOAT_SOCK_ESP_IN_UDP; kind <= MOAT_SOCK_IKE; kind++) {
		slot = moat_hand_slot(mn, kind, sk->sk_family);
		if (rcu_access_pointer(*slot) == sk)
			RCU_INIT_POINTER(*slot, NULL);
	}
	mutex_unlock(&mn->sock_lock);
	/* Taken by moat_sock_hand(): our callbacks were on the socket. */
	module_put(THIS_MODULE);
}

static int moat_sock_check(struct net *net, struct sock *sk,
			   struct netlink_ext_ack *extack)
{
	if (sk->sk_type != SOCK_DGRAM || sk->sk_protocol != IPPROTO_UDP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "not a UDP socket");
		return -EPROTOTYPE;
	}
	if (!net_eq(sock_net(sk), net)) {
		NL_SET_ERR_MSG(extack,
			       "the socket belongs to another network namespace");
		return -EXDEV;
	}
	if (sk->sk_family == AF_INET6 && !sk->sk_ipv6only) {
		NL_SET_ERR_MSG(extack, "an IPv6 socket must be IPV6_V6ONLY");
		return -EINVAL;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "bind the socket to a port first");
		return -EINVAL;
	}
	if (udp_sk(sk)->encap_type || sk->sk_user_data) {
		NL_SET_ERR_MSG(extack,
			       "the socket carries an encapsulation already");
		return -EBUSY;
	}
	return 0;
}

/* The callbacks of a handed socket of @kind. */
static void moat_hand_cfg(struct udp_tunnel_sock_cfg *tcfg, u8 kind,
			  struct moat_net *mn)
{
	*tcfg = moat_tunnel_cfg;
	tcfg->encap_destroy = moat_udp_destroy;
	tcfg->sk_user_data = mn;
	if (kind == MOAT_SOCK_IKE) {
		/* No ESP here: ICMP errors are the daemon's. */
		tcfg->encap_rcv = moat_udp_rcv_ike;
		tcfg->encap_err_lookup = NULL;
		tcfg->encap_err_rcv = NULL;
	} else {
		tcfg->encap_rcv = moat_udp_rcv_user;
	}
}

/**
 * moat_sock_hand - make a daemon's socket one of the namespace's
 * @net: the caller's namespace
 * @sock: a socket of the caller's, held by the caller for the call
 * @kind: enum moat_sock_kind: ESP in UDP (its IKE judged by the guard),
 *	or IKE alone (all of it judged by the guard)
 * @extack: why not
 *
 * Keeps no reference to @sock: moat_udp_destroy() forgets it when it is
 * closed. The module stays loaded while our callbacks are on it.
 *
 * Return: 0 or a negative errno.
 */
int moat_sock_hand(struct net *net, struct socket *sock, u8 kind,
		   struct netlink_ext_ack *extack)
{
	struct moat_guard_net *gn = moat_guard_net_get(net);
	struct moat_net *mn = moat_net(net);
	struct udp_tunnel_sock_cfg tcfg;
	struct sock *sk = sock->sk;
	struct sock __rcu **slot;
	int ret;

	if (IS_ERR(gn)) {
		NL_SET_ERR_MSG(extack, "no memory for the guard");
		return PTR_ERR(gn);
	}
	moat_hand_cfg(&tcfg, kind, mn);
	mutex_lock(&mn->sock_lock);
	lock_sock(sk);
	ret = moat_sock_check(net, sk, extack);
	slot = moat_hand_slot(mn, kind, sk->sk_family);
	if (!ret && rcu_access_pointer(*slot)) {
		NL_SET_ERR_MSG(extack,
			       "this namespace has a socket of that kind and family already: close it first");
		ret = -EBUSY;
	}
	if (!ret && !try_module_get(THIS_MODULE))
		ret = -ENODEV;
	if (!ret) {
		setup_udp_tunnel_sock(net, sock, &tcfg);
		if (kind == MOAT_SOCK_ESP_IN_UDP)
			moat_sock_pmtu_omit(sk);
		rcu_assign_pointer(*slot, sk);
	}
	release_sock(sk);
	mutex_unlock(&mn->sock_lock);
	return ret;
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

	ret = moat_guard_rcv_init();
	if (ret)
		return ret;
	ret = xfrm4_protocol_register(&moat_esp4, IPPROTO_ESP);
	if (ret)
		goto err_guard;
#if IS_ENABLED(CONFIG_IPV6)
	ret = xfrm6_protocol_register(&moat_esp6, IPPROTO_ESP);
	if (ret) {
		xfrm4_protocol_deregister(&moat_esp4, IPPROTO_ESP);
		goto err_guard;
	}
#endif
	return 0;
err_guard:
	moat_guard_rcv_exit();
	return ret;
}

void moat_socket_exit(void)
{
#if IS_ENABLED(CONFIG_IPV6)
	xfrm6_protocol_deregister(&moat_esp6, IPPROTO_ESP);
#endif
	xfrm4_protocol_deregister(&moat_esp4, IPPROTO_ESP);
	moat_guard_rcv_exit();
}
