// SPDX-License-Identifier: GPL-2.0
/*
 * The outbound path: pick the peer by inner destination, give each packet
 * its SA and sequence number in order, encrypt on any CPU, and send in the
 * order the packets came, as raw ESP or ESP in UDP.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/icmp.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ip6_tunnel.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "crypto.h"
#include "device.h"
#include "esp.h"
#include "peer.h"
#include "pmtu.h"
#include "sa.h"
#include "selectors.h"
#include "send.h"
#include "socket.h"

/* Packets waiting for their turn to leave, per device. */
#define MOAT_MAX_QUEUED		4096

/* Checks the inner header and says what the ESP trailer will call it. */
static bool moat_inner_ok(struct sk_buff *skb, u8 *nexthdr)
{
	if (skb->protocol == htons(ETH_P_IP) &&
	    pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
	    ip_hdr(skb)->version == 4) {
		*nexthdr = MOAT_NEXTHDR_IPV4;
		return true;
	}
	if (skb->protocol == htons(ETH_P_IPV6) &&
	    pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
	    ipv6_hdr(skb)->version == 6) {
		*nexthdr = MOAT_NEXTHDR_IPV6;
		return true;
	}
	return false;
}

static struct moat_peer *moat_route(struct moat_dev *moat,
				    struct sk_buff *skb, u8 nexthdr)
{
	struct moat_ts_table *ts = rcu_dereference_bh(moat->ts);

	if (nexthdr == MOAT_NEXTHDR_IPV4)
		return moat_ts_lookup4(ts, ip_hdr(skb)->daddr);
	return moat_ts_lookup6(ts, &ipv6_hdr(skb)->daddr);
}

/* Tells the inner sender that nothing is behind this destination. */
static void moat_unreachable(struct sk_buff *skb, u8 nexthdr)
{
	if (nexthdr == MOAT_NEXTHDR_IPV4)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
}

static void moat_tx_drop(struct moat_dev *moat, struct moat_sa *sa,
			 struct sk_buff *skb, enum moat_stat why)
{
	moat_drop(moat, sa ? sa->stats : NULL, why);
	kfree_skb(skb);
}

/*
 * Readies one segment for the queue; false if it was dropped (and
 * counted). The checksum is done here, where the packet is still plain.
 */
static bool moat_tx_prep(struct moat_dev *moat, struct moat_sa *sa,
			 struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		moat_tx_drop(moat, sa, skb, MOAT_STAT_TX_ERROR);
		return false;
	}
	if (!moat_sa_account(sa, skb->len)) {
		moat_tx_drop(moat, sa, skb, MOAT_STAT_TX_EXPIRED);
		return false;
	}
	return true;
}

/*
 * Queues a burst of readied segments: sequence numbers and queue order
 * are taken together, under one hold of the queue's lock, and the
 * encrypt workers are woken once for all of them.
 */
static void moat_tx_queue(struct moat_dev *moat, struct moat_sa *sa,
			  struct sk_buff_head *segs, u8 nexthdr)
{
	struct sk_buff_head drops;
	unsigned int queued = 0;
	struct sk_buff *skb;
	int drop;
	u64 seq;

	__skb_queue_head_init(&drops);
	spin_lock_bh(&moat->tx_queue.lock);
	while ((skb = __skb_dequeue(segs))) {
		struct moat_cb *cb = MOAT_CB(skb);

		drop = 0;
		if (skb_queue_len(&moat->tx_queue) >= MOAT_MAX_QUEUED)
			drop = MOAT_STAT_TX_QUEUE_FULL;
		else if (moat_sa_next_seq(sa, &seq))
			drop = MOAT_STAT_TX_SEQ_EXHAUSTED;
		if (drop) {
			cb->drop = drop;
			__skb_queue_tail(&drops, skb);
			continue;
		}
		kref_get(&sa->ref);
		cb->sa = sa;
		cb->seq = seq;
		cb->nexthdr = nexthdr;
		cb->drop = MOAT_STAT_TX_QUEUE_FULL;
		cb->crypt = NULL;
		moat_queue_both(&moat->tx_queue, &moat->encrypt_ring, skb);
		queued++;
		moat_pipe_add(MOAT_PIPE_TXQ_DEPTH,
			      skb_queue_len(&moat->tx_queue));
	}
	spin_unlock_bh(&moat->tx_queue.lock);
	if (queued) {
		moat_pipe_add(MOAT_PIPE_TX_SEGS, queued);
		moat_ring_kick(&moat->encrypt_ring);
	}
	while ((skb = __skb_dequeue(&drops)))
		moat_tx_drop(moat, sa, skb, MOAT_CB(skb)->drop);
}

/* Queues one segment on its own. */
static void moat_tx_one(struct moat_dev *moat, struct moat_sa *sa,
			struct sk_buff *skb, u8 nexthdr)
{
	struct sk_buff_head one;

	if (!moat_tx_prep(moat, sa, skb))
		return;
	__skb_queue_head_init(&one);
	__skb_queue_tail(&one, skb);
	moat_tx_queue(moat, sa, &one, nexthdr);
}

/* Where IPv4 fragments made before encryption go on to (per CPU). */
struct moat_frag_ctx {
	struct moat_dev *moat;
	struct moat_sa *sa;
};

static DEFINE_PER_CPU(struct moat_frag_ctx, moat_frag_ctx);

static int moat_frag_output(struct net *net, struct sock *sk,
			    struct sk_buff *skb)
{
	struct moat_frag_ctx *ctx = this_cpu_ptr(&moat_frag_ctx);

	moat_stat_inc(ctx->sa->peer->stats, MOAT_STAT_TX_INNER_FRAGS);
	moat_tx_one(ctx->moat, ctx->sa, skb, MOAT_NEXTHDR_IPV4);
	return 0;
}

/*
 * A packet over the peer's inner MTU: IPv4 without DF is cut here, before
 * ESP; anything else goes back to its sender as Frag Needed or Packet Too
 * Big carrying the inner MTU, which never falls below the floor.
 */
static void moat_too_big(struct moat_dev *moat, struct moat_sa *sa,
			 struct sk_buff *skb, u8 nexthdr, unsigned int mtu)
{
	struct moat_frag_ctx *ctx;

	if (nexthdr == MOAT_NEXTHDR_IPV4 && !skb_is_gso(skb) &&
	    !(ip_hdr(skb)->frag_off & htons(IP_DF)) && skb_dst(skb)) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->frag_max_size = mtu;
		ctx = this_cpu_ptr(&moat_frag_ctx);
		ctx->moat = moat;
		ctx->sa = sa;
		ip_do_fragment(dev_net(moat->dev), skb->sk, skb,
			       moat_frag_output);
		return;
	}
	/* Local senders learn it from their route at once, as in ip_tunnel. */
	if (skb_dst(skb))
		skb_dst_update_pmtu_no_confirm(skb, mtu);
	if (nexthdr == MOAT_NEXTHDR_IPV4)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
	else
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	moat_tx_drop(moat, sa, skb, MOAT_STAT_TX_TOO_BIG);
}

static bool moat_fits(struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return skb_gso_validate_network_len(skb, mtu);
	return skb->len <= mtu;
}

/* moat_xmit() without its timing. */
static netdev_tx_t __moat_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct moat_dev *moat = netdev_priv(dev);
	struct sk_buff *segs, *next;
	struct sk_buff_head burst;
	struct moat_peer *peer;
	unsigned int mtu;
	struct moat_sa *sa;
	u8 nexthdr;

	if (!moat_inner_ok(skb, &nexthdr)) {
		moat_tx_drop(moat, NULL, skb, MOAT_STAT_TX_BAD_INNER);
		return NETDEV_TX_OK;
	}

	rcu_read_lock_bh();
	peer = moat_route(moat, skb, nexthdr);
	sa = peer ? rcu_dereference_bh(peer->tx_cur) : NULL;
	if (sa && (moat_sa_dead(sa) || !moat_sa_get(sa)))
		sa = NULL;
	rcu_read_unlock_bh();
	if (!sa) {
		moat_unreachable(skb, nexthdr);
		moat_tx_drop(moat, NULL, skb,
			     peer ? MOAT_STAT_TX_NO_SA : MOAT_STAT_TX_NO_PEER);
		return NETDEV_TX_OK;
	}

	mtu = moat_peer_inner_mtu(sa->peer, nexthdr == MOAT_NEXTHDR_IPV6);
	if (!moat_fits(skb, mtu)) {
		moat_too_big(moat, sa, skb, nexthdr, mtu);
		goto out;
	}
	moat_mss_clamp(moat, sa->peer, skb, nexthdr == MOAT_NEXTHDR_IPV6);

	/* ESP has no segmentation offload here: cut GSO packets first. */
	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			moat_tx_drop(moat, sa, skb, MOAT_STAT_TX_ERROR);
			goto out;
		}
		consume_skb(skb);
		skb = segs;
	} else {
		skb_mark_not_on_list(skb);
	}
	__skb_queue_head_init(&burst);
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		if (moat_tx_prep(moat, sa, skb))
			__skb_queue_tail(&burst, skb);
	}
	moat_tx_queue(moat, sa, &burst, nexthdr);
out:
	moat_sa_put(sa);
	return NETDEV_TX_OK;
}

netdev_tx_t moat_xmit(struct sk_buff *skb, struct net_device *dev)
{
	u64 t0 = moat_pipe_clock();
	netdev_tx_t ret;

	moat_pipe_add(MOAT_PIPE_TX_XMIT, 1);
	ret = __moat_xmit(skb, dev);
	moat_pipe_time(MOAT_PIPE_XMIT_NS, t0);
	return ret;
}

/*
 * The CPU that runs this device's transmit passes. Packets handed to the
 * outer stack on two CPUs can overtake each other: veth, for one, queues
 * each on its sender's backlog, and a peer that decrypts in that softirq
 * drains one backlog while the other waits. More than a replay window
 * apart, and the peer drops them (XFRM's default window is 64). So one
 * CPU sends, as one sender at a time did already; chosen by ifindex so
 * that devices spread, and chosen again should it go offline.
 */
static int moat_tx_cpu(struct moat_dev *moat)
{
	int cpu = READ_ONCE(moat->tx_cpu);

	if (likely(cpu >= 0 && cpu_online(cpu)))
		return cpu;
	cpu = cpumask_nth(moat->dev->ifindex % num_online_cpus(),
			  cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	WRITE_ONCE(moat->tx_cpu, cpu);
	return cpu;
}

/* Asks for a transmit pass, on the transmit CPU. */
static void moat_tx_kick(struct moat_dev *moat)
{
	queue_work_on(moat_tx_cpu(moat), moat->wq, &moat->tx_work);
}

/*
 * A synchronous completion leaves the transmit pass to the worker's batch
 * end; an asynchronous one, which comes alone, asks for one itself.
 */
static void moat_encrypt_finish(struct moat_dev *moat, struct sk_buff *skb,
				int err, bool async)
{
	struct moat_cb *cb = MOAT_CB(skb);

	moat_crypt_req_free(cb->crypt);
	cb->crypt = NULL;
	if (err)
		cb->drop = MOAT_STAT_TX_ERROR;
	moat_pkt_finish(skb, err ? MOAT_PKT_DEAD : MOAT_PKT_DONE);
	if (async)
		moat_tx_kick(moat);
	if (atomic_dec_and_test(&moat->inflight))
		wake_up_var(&moat->inflight);
}

static void moat_encrypt_done(struct crypto_async_request *areq, int err)
{
	struct sk_buff *skb = areq->data;

	/* A backlogged request reports once when it really starts. */
	if (err == -EINPROGRESS)
		return;
	moat_encrypt_finish(netdev_priv(skb->dev), skb, err, true);
}

/* Returns 0 with the request running or done, or a negative errno. */
static int moat_encrypt(struct moat_dev *moat, struct sk_buff *skb)
{
	struct moat_cb *cb = MOAT_CB(skb);
	struct moat_sa *sa = cb->sa;
	unsigned int plen, pad, tail;
	struct ip_esp_hdr *esph;
	struct moat_crypt_req *cr;
	struct sk_buff *trailer;
	int nfrags, ret;
	u64 t0;

	pad = moat_esp_pad_len(skb->len);
	tail = pad + MOAT_ESP_TRAILER_LEN + MOAT_ESP_ICV_LEN;
	if (skb_cow_head(skb, moat->dev->needed_headroom))
		return -ENOMEM;
	nfrags = skb_cow_data(skb, tail, &trailer);
	if (nfrags < 0)
		return nfrags;
	skb_reset_inner_headers(skb);
	moat_esp_write_trailer(pskb_put(skb, trailer, tail), pad, cb->nexthdr);
	plen = skb->len - MOAT_ESP_ICV_LEN;

	esph = skb_push(skb, MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN);
	esph->spi = sa->spi;
	esph->seq_no = htonl(lower_32_bits(cb->seq));
	/* The IV is the sequence number: unique per key, never sent twice. */
	put_unaligned_be64(cb->seq, esph->enc_data);

	cr = moat_crypt_req_new(sa->aead, nfrags + 1, GFP_ATOMIC);
	if (!cr)
		return -ENOMEM;
	ret = moat_crypt_req_map(cr, skb, sa->spi, cb->seq, sa->esn, plen,
				 moat_encrypt_done);
	if (ret < 0) {
		moat_crypt_req_free(cr);
		return ret;
	}
	cb->crypt = cr;
	atomic_inc(&moat->inflight);
	t0 = moat_pipe_clock();
	ret = crypto_aead_encrypt(cr->req);
	moat_pipe_time(MOAT_PIPE_ENC_AEAD_NS, t0);
	if (ret != -EINPROGRESS && ret != -EBUSY)
		moat_encrypt_finish(moat, skb, ret, false);
	else
		moat_pipe_add(MOAT_PIPE_ENC_ASYNC, 1);
	return 0;
}

static void moat_encrypt_one(struct moat_crypt_ring *r, struct sk_buff *skb)
{
	struct moat_dev *moat = container_of(r, struct moat_dev, encrypt_ring);
	u64 t0 = moat_pipe_clock();
	int ret = moat_encrypt(moat, skb);

	if (ret) {
		MOAT_CB(skb)->drop = ret == -ENOMEM ? MOAT_STAT_TX_NOMEM :
						      MOAT_STAT_TX_ERROR;
		moat_pkt_finish(skb, MOAT_PKT_DEAD);
	}
	moat_pipe_time(MOAT_PIPE_ENC_NS, t0);
}

static void moat_tx_flush(struct moat_dev *moat);

/* Sends the batch from here when this is the transmit CPU. */
static void moat_encrypt_batch_end(struct moat_crypt_ring *r)
{
	struct moat_dev *moat = container_of(r, struct moat_dev, encrypt_ring);

	/* A CPU-bound worker: only unplugging its CPU could move it. */
	if (raw_smp_processor_id() == moat_tx_cpu(moat))
		moat_tx_flush(moat);
	else
		moat_tx_kick(moat);
}

const struct moat_ring_ops moat_encrypt_ops = {
	.one = moat_encrypt_one,
	.batch_end = moat_encrypt_batch_end,
	.runs = MOAT_PIPE_ENC_RUNS,
	.pkts = MOAT_PIPE_ENC_PKTS,
};

static int moat_send4(struct moat_peer *peer, struct sk_buff *skb, bool xnet)
{
	const struct moat_endpoint *ep = &peer->ep;
	struct flowi4 fl4 = {
		.daddr = ep->remote.v4,
		.saddr = ep->has_local ? ep->local.v4 : 0,
		.flowi4_proto = ep->encap ? IPPROTO_UDP : IPPROTO_ESP,
		.fl4_sport = ep->sport,
		.fl4_dport = ep->dport,
	};
	unsigned int len = skb->len + sizeof(struct iphdr) +
			   (ep->encap ? sizeof(struct udphdr) : 0);
	u32 pmtu = moat_pmtu_frag(peer);
	__be16 df = htons(IP_DF);
	struct rtable *rt;
	u8 ttl;

	/* The path claims less than the floor allows: let routers cut. */
	if (pmtu && len > pmtu) {
		df = 0;
		moat_stat_inc(peer->stats, MOAT_STAT_TX_OUTER_FRAGS);
	}
	rt = dst_cache_get_ip4(&peer->dst_cache, &fl4.saddr);
	if (!rt) {
		rt = ip_route_output_key(peer->moat->outer_net, &fl4);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		if (rt->dst.dev == peer->moat->dev) {
			ip_rt_put(rt);
			return -ELOOP;
		}
		dst_cache_set_ip4(&peer->dst_cache, &rt->dst, fl4.saddr);
	}
	ttl = ip4_dst_hoplimit(&rt->dst);
	if (ep->encap)
		udp_tunnel_xmit_skb(rt, moat_sock_tx(peer->sock), skb, fl4.saddr,
				    fl4.daddr, 0, ttl, df, ep->sport, ep->dport,
				    xnet, true);
	else
		iptunnel_xmit(NULL, rt, skb, fl4.saddr, fl4.daddr, IPPROTO_ESP,
			      0, ttl, df, xnet);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
/*
 * IPv6 headers are built here rather than by the UDP tunnel helpers, so
 * that a path MTU held at the floor can fragment at the source.
 */
static int moat_send6(struct moat_peer *peer, struct sk_buff *skb, bool xnet)
{
	const struct moat_endpoint *ep = &peer->ep;
	struct moat_dev *moat = peer->moat;
	struct flowi6 fl6 = {
		.daddr = ep->remote.v6,
		.flowi6_proto = ep->encap ? IPPROTO_UDP : IPPROTO_ESP,
		.fl6_sport = ep->sport,
		.fl6_dport = ep->dport,
	};
	u32 pmtu = moat_pmtu_frag(peer);
	struct dst_entry *dst;
	struct ipv6hdr *ip6;
	struct udphdr *uh;
	int len, err;

	if (ep->has_local)
		fl6.saddr = ep->local.v6;
	dst = dst_cache_get_ip6(&peer->dst_cache, &fl6.saddr);
	if (!dst) {
		dst = ip6_dst_lookup_flow(moat->outer_net, NULL, &fl6, NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		if (dst->dev == moat->dev) {
			dst_release(dst);
			return -ELOOP;
		}
		dst_cache_set_ip6(&peer->dst_cache, dst, &fl6.saddr);
	}

	skb_scrub_packet(skb, xnet);
	skb_dst_set(skb, dst);
	if (ep->encap) {
		uh = skb_push(skb, sizeof(*uh));
		skb_reset_transport_header(skb);
		uh->source = ep->sport;
		uh->dest = ep->dport;
		uh->len = htons(skb->len);
		udp6_set_csum(false, skb, &fl6.saddr, &fl6.daddr, skb->len);
	}
	ip6 = skb_push(skb, sizeof(*ip6));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6, 0, 0);
	ip6->payload_len = htons(skb->len - sizeof(*ip6));
	ip6->nexthdr = fl6.flowi6_proto;
	ip6->hop_limit = ip6_dst_hoplimit(dst);
	ip6->saddr = fl6.saddr;
	ip6->daddr = fl6.daddr;
	skb->protocol = htons(ETH_P_IPV6);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	/* The route may know a smaller MTU: fragment rather than drop. */
	skb->ignore_df = 1;
	if (pmtu && skb->len > pmtu) {
		IP6CB(skb)->frag_max_size = pmtu;
		moat_stat_inc(peer->stats, MOAT_STAT_TX_OUTER_FRAGS);
	}
	len = skb->len;
	err = ip6_local_out(moat->outer_net, NULL, skb);
	iptunnel_xmit_stats(moat->dev, net_xmit_eval(err) ? -1 : len);
	return 0;
}
#else
static int moat_send6(struct moat_peer *peer, struct sk_buff *skb, bool xnet)
{
	return -EAFNOSUPPORT;
}
#endif

/* Sends one encrypted packet; the caller has bottom halves disabled. */
static void moat_send(struct moat_dev *moat, struct moat_sa *sa,
		      struct sk_buff *skb)
{
	struct moat_peer *peer = sa->peer;
	bool xnet = !net_eq(dev_net(moat->dev), moat->outer_net);
	int ret;

	skb->dev = moat->dev;
	skb_dst_drop(skb);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	if (peer->ep.family == AF_INET)
		ret = moat_send4(peer, skb, xnet);
	else
		ret = moat_send6(peer, skb, xnet);
	if (ret)
		moat_tx_drop(moat, sa, skb, MOAT_STAT_TX_NO_ROUTE);
}

/* Sends (or drops, when their crypto failed) @list, in order. */
static void moat_tx_list(struct moat_dev *moat, struct sk_buff_head *list)
{
	struct sk_buff *skb;
	u64 t0;

	local_bh_disable();
	t0 = moat_pipe_clock();
	while ((skb = __skb_dequeue(list))) {
		struct moat_cb *cb = MOAT_CB(skb);
		struct moat_sa *sa = cb->sa;

		if (atomic_read(&cb->state) == MOAT_PKT_DONE) {
			moat_stat_add(sa->stats, MOAT_STAT_TX_PACKETS, 1);
			moat_stat_add(sa->stats, MOAT_STAT_TX_BYTES,
				      skb->len);
			moat_send(moat, sa, skb);
		} else {
			moat_tx_drop(moat, sa, skb, cb->drop);
		}
		moat_sa_put(sa);
	}
	/* Before the receive softirq that veth may have raised runs. */
	moat_pipe_time(MOAT_PIPE_SEND_NS, t0);
	local_bh_enable();
}

/*
 * One transmit pass: sends everything at the head of the queue whose
 * crypto is finished. It runs on the transmit CPU (moat_tx_cpu()): in an
 * encrypt worker at the end of its batch, or in the tx work that the
 * others queue there. One caller at a time sends, so the packets leave in
 * order. A caller that finds the pass taken leaves its packets to the one
 * running, which looks at the head again after it lets go.
 */
static void moat_tx_flush(struct moat_dev *moat)
{
	struct sk_buff_head list;
	unsigned int n, sent = 0;
	bool more;

	__skb_queue_head_init(&list);
	do {
		if (test_and_set_bit(MOAT_TX_SENDING, &moat->tx_flags))
			return;
		while ((n = moat_queue_pop_ready(&moat->tx_queue, &list,
						 MOAT_BATCH))) {
			moat_tx_list(moat, &list);
			sent += n;
			if (sent >= MOAT_WORK_BUDGET)
				break;
		}
		clear_bit(MOAT_TX_SENDING, &moat->tx_flags);
		/* Pairs with the full barrier of test_and_set_bit() above. */
		smp_mb__after_atomic();
		more = moat_queue_head_ready(&moat->tx_queue);
		if (more && sent >= MOAT_WORK_BUDGET) {
			/* Let the worker go back to crypto: finish later. */
			moat_tx_kick(moat);
			break;
		}
	} while (more);
	if (sent) {
		moat_pipe_add(MOAT_PIPE_TX_RUNS, 1);
		moat_pipe_add(MOAT_PIPE_TX_SENT, sent);
	}
}

void moat_tx_worker(struct work_struct *work)
{
	moat_tx_flush(container_of(work, struct moat_dev, tx_work));
}
