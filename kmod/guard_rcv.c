// SPDX-License-Identifier: GPL-2.0
/*
 * The guard on the receive path of moatd's sockets: read the IKE message
 * of a datagram safely, whatever the skb's shape, have the namespace's
 * guard judge it, and send its answer (HDR, N(COOKIE) [, N(PUZZLE)])
 * from the same socket, to the sender's address and port, from the
 * address the request was sent to. Softirq; nothing here sleeps, and
 * the work per datagram is bounded.
 */

#include <linux/ipv6.h>
#include <linux/percpu.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/udp.h>

#include "guard_net.h"
#include "guard_rcv.h"
#include "ike_parse.h"

/*
 * Longest IKE_SA_INIT the guard copies out of a paged or fragmented
 * datagram; one that is longer cannot be read, and above normal that
 * means dropped. Linear datagrams are read in place, at any length.
 */
#define GUARD_COPY_MAX		4096
#define GUARD_MARKER_LEN	4	/* the non-ESP marker on port 4500 */

static void __percpu *guard_copy;

/*
 * The message at @off, contiguous: in place, the header alone when that
 * says it is no IKE_SA_INIT request (*@len shrinks to it), a per-CPU copy,
 * or %NULL if it cannot be read.
 */
static const u8 *guard_read(struct sk_buff *skb, unsigned int off,
			    size_t *len, u8 *hbuf)
{
	struct moat_ike_init req;
	const u8 *hdr;
	u8 *buf;

	if (off + *len <= skb_headlen(skb))
		return skb->data + off;
	hdr = skb_header_pointer(skb, off, MOAT_IKE_HDR_LEN, hbuf);
	if (hdr && moat_ike_parse_init(hdr, MOAT_IKE_HDR_LEN, &req) ==
		   MOAT_IKE_OTHER) {
		*len = MOAT_IKE_HDR_LEN;
		return hdr;
	}
	if (*len > GUARD_COPY_MAX)
		return NULL;
	buf = this_cpu_ptr(guard_copy);
	return skb_copy_bits(skb, off, buf, *len) ? NULL : buf;
}

/* A UDP datagram carrying @data (the marker first if @marker). */
static struct sk_buff *guard_reply_skb(const u8 *data, size_t len,
				       bool marker)
{
	unsigned int head = LL_MAX_HEADER + sizeof(struct ipv6hdr) +
			    sizeof(struct udphdr);
	struct sk_buff *skb;

	skb = alloc_skb(head + GUARD_MARKER_LEN + len, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, head);
	if (marker)
		memset(skb_put(skb, GUARD_MARKER_LEN), 0, GUARD_MARKER_LEN);
	skb_put_data(skb, data, len);
	return skb;
}

static void guard_put_udp(struct sk_buff *skb, const struct udphdr *rx_uh)
{
	struct udphdr *uh = skb_push(skb, sizeof(*uh));

	skb_reset_transport_header(skb);
	uh->source = rx_uh->dest;
	uh->dest = rx_uh->source;
	uh->len = htons(skb->len);
	uh->check = 0;
}

static void guard_send4(struct sock *sk, const struct sk_buff *rx,
			struct sk_buff *skb)
{
	const struct iphdr *rx_iph = ip_hdr(rx);
	const struct udphdr *rx_uh = (const struct udphdr *)rx->data;
	struct net *net = sock_net(sk);
	struct flowi4 fl4 = {
		.daddr = rx_iph->saddr,
		.saddr = rx_iph->daddr,
		.flowi4_proto = IPPROTO_UDP,
		.fl4_sport = rx_uh->dest,
		.fl4_dport = rx_uh->source,
	};
	struct iphdr *iph;
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return;
	}
	guard_put_udp(skb, rx_uh);
	udp_set_csum(false, skb, fl4.saddr, fl4.daddr, skb->len);
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	*iph = (struct iphdr){
		.version = 4, .ihl = sizeof(*iph) / 4,
		.ttl = ip4_dst_hoplimit(&rt->dst), .protocol = IPPROTO_UDP,
		.saddr = fl4.saddr, .daddr = fl4.daddr,
	};
	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	ip_select_ident(net, skb, NULL);
	ip_local_out(net, sk, skb);
}

#if IS_ENABLED(CONFIG_IPV6)
static void guard_send6(struct sock *sk, const struct sk_buff *rx,
			struct sk_buff *skb)
{
	const struct ipv6hdr *rx_ip6 = ipv6_hdr(rx);
	const struct udphdr *rx_uh = (const struct udphdr *)rx->data;
	struct net *net = sock_net(sk);
	struct flowi6 fl6 = {
		.daddr = rx_ip6->saddr,
		.saddr = rx_ip6->daddr,
		.flowi6_proto = IPPROTO_UDP,
		.fl6_sport = rx_uh->dest,
		.fl6_dport = rx_uh->source,
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6;

	if (ipv6_addr_is_multicast(&fl6.saddr)) {
		kfree_skb(skb);
		return;
	}
	if (ipv6_addr_type(&fl6.daddr) & IPV6_ADDR_LINKLOCAL)
		fl6.flowi6_oif = inet6_iif(rx);
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return;
	}
	guard_put_udp(skb, rx_uh);
	udp6_set_csum(false, skb, &fl6.saddr, &fl6.daddr, skb->len);
	ip6 = skb_push(skb, sizeof(*ip6));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6, 0, 0);
	ip6->payload_len = htons(skb->len - sizeof(*ip6));
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = ip6_dst_hoplimit(dst);
	ip6->saddr = fl6.saddr;
	ip6->daddr = fl6.daddr;
	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	ip6_local_out(net, sk, skb);
}
#else
static void guard_send6(struct sock *sk, const struct sk_buff *rx,
			struct sk_buff *skb)
{
	kfree_skb(skb);
}
#endif

static void guard_send(struct sock *sk, const struct sk_buff *rx,
		       const struct moat_guard_packet *pkt, bool marker)
{
	struct sk_buff *skb = guard_reply_skb(pkt->reply, pkt->reply_len,
					      marker);

	if (!skb)
		return;
	if (sk->sk_family == AF_INET)
		guard_send4(sk, rx, skb);
	else
		guard_send6(sk, rx, skb);
}

/* The sender's address and TTL or hop limit. */
static void guard_source(struct sock *sk, const struct sk_buff *skb,
			 struct moat_guard_packet *pkt)
{
	if (sk->sk_family == AF_INET) {
		pkt->addr = (const u8 *)&ip_hdr(skb)->saddr;
		pkt->addr_len = 4;
		pkt->ttl = ip_hdr(skb)->ttl;
	} else {
		pkt->addr = ipv6_hdr(skb)->saddr.s6_addr;
		pkt->addr_len = 16;
		pkt->ttl = ipv6_hdr(skb)->hop_limit;
	}
}

static enum moat_guard_action guard_judge(struct moat_guard_net *gn,
					  struct sock *sk, struct sk_buff *skb,
					  unsigned int off)
{
	u8 reply[MOAT_GUARD_REPLY_MAX], hbuf[MOAT_IKE_HDR_LEN];
	struct moat_guard_packet pkt = {
		.len = skb->len - off,
		.reply = reply,
		.reply_size = sizeof(reply),
	};
	enum moat_guard_action act;

	pkt.msg = guard_read(skb, off, &pkt.len, hbuf);
	guard_source(sk, skb, &pkt);
	act = moat_guard_judge(gn->g, &pkt, moat_guard_now());
	if (act == MOAT_GUARD_REPLY)
		guard_send(sk, skb, &pkt, off > sizeof(struct udphdr));
	return act;
}

/**
 * moat_guard_rcv() - judge one IKE datagram on a socket moatd handed in
 * @sk: the socket
 * @skb: the datagram, data at its UDP header, checksum verified
 * @off: where the IKE message starts: after the UDP header, and after
 *	the non-ESP marker on an ESP-in-UDP socket
 *
 * Return: 1 to leave @skb on the socket for moatd, 0 when it was
 * answered or dropped here (and freed).
 */
int moat_guard_rcv(struct sock *sk, struct sk_buff *skb, unsigned int off)
{
	struct moat_guard_net *gn = moat_guard_net_rcu(sock_net(sk));
	enum moat_guard_action act;

	if (!gn || skb->len < off)
		return 1;
	local_bh_disable();	/* the per-CPU copy */
	act = guard_judge(gn, sk, skb, off);
	local_bh_enable();
	moat_guard_net_changed(gn);
	if (act == MOAT_GUARD_PASS)
		return 1;
	if (act == MOAT_GUARD_REPLY)
		consume_skb(skb);
	else
		kfree_skb(skb);
	return 0;
}

int __init moat_guard_rcv_init(void)
{
	guard_copy = __alloc_percpu(GUARD_COPY_MAX, SMP_CACHE_BYTES);
	return guard_copy ? 0 : -ENOMEM;
}

void moat_guard_rcv_exit(void)
{
	free_percpu(guard_copy);
}
