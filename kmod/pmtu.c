// SPDX-License-Identifier: GPL-2.0
/*
 * Path MTU that a forged ICMP cannot abuse. A Packet Too Big (or Frag
 * Needed) counts only if it quotes the ESP header of a packet we sent
 * recently, on an outbound SA of ours, from a source on the outer path.
 * Even then the inner MTU never drops below its floor (1280 for IPv6
 * inside, a setting of at least 68 for IPv4): below that the outer
 * packets are fragmented instead, and inner TCP keeps its segment size.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <asm/unaligned.h>
#include <net/addrconf.h>
#include <net/checksum.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "crypto.h"
#include "device.h"
#include "peer.h"
#include "pmtu.h"
#include "sa.h"

/**
 * moat_inner_fit - the largest inner packet whose ESP fits @outer_mtu
 * @outer_mtu: the outer path MTU
 * @outer_family: AF_INET or AF_INET6 outside
 * @udp: whether ESP travels in UDP
 *
 * The encrypted part (inner packet, pad, pad length, next header) is a
 * multiple of 4; around it come the outer IP header, maybe UDP, the ESP
 * header, the IV and the ICV.
 */
unsigned int moat_inner_fit(unsigned int outer_mtu, u8 outer_family, bool udp)
{
	unsigned int fixed = (outer_family == AF_INET ? sizeof(struct iphdr) :
			      sizeof(struct ipv6hdr)) +
			     (udp ? sizeof(struct udphdr) : 0) +
			     MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN +
			     MOAT_ESP_ICV_LEN;

	if (outer_mtu < fixed + 4)
		return 0;
	return ((outer_mtu - fixed) & ~3U) - MOAT_ESP_TRAILER_LEN;
}

/* The device MTU, lowered to what fits the path, but never below @floor. */
unsigned int moat_inner_mtu(unsigned int fit, unsigned int dev_mtu,
			    unsigned int floor)
{
	return max(floor, min(fit, dev_mtu));
}

static bool moat_pmtu_expired(struct moat_peer *peer)
{
	return time_after(jiffies, READ_ONCE(peer->pmtu.expires));
}

/* The peer's validated path MTU, or 0 when none or it has aged out. */
u32 moat_pmtu_get(struct moat_peer *peer)
{
	u32 mtu = READ_ONCE(peer->pmtu.mtu);

	return mtu && !moat_pmtu_expired(peer) ? mtu : 0;
}

/* Outer packets longer than this go out to be fragmented; 0: none do. */
u32 moat_pmtu_frag(struct moat_peer *peer)
{
	u32 mtu = READ_ONCE(peer->pmtu.frag_mtu);

	return mtu && !moat_pmtu_expired(peer) ? mtu : 0;
}

unsigned int moat_peer_inner_mtu(struct moat_peer *peer, bool inner6)
{
	struct moat_dev *moat = peer->moat;
	unsigned int dev_mtu = READ_ONCE(moat->dev->mtu);
	unsigned int floor = inner6 ? MOAT_FLOOR6 : READ_ONCE(moat->pmtu_floor4);
	u32 pmtu = moat_pmtu_get(peer);
	unsigned int fit = pmtu ? moat_inner_fit(pmtu, peer->ep.family,
						 peer->ep.encap) : dev_mtu;

	return moat_inner_mtu(fit, dev_mtu, min(floor, dev_mtu));
}

/**
 * moat_ptb_judge - decide about a Packet Too Big that quotes our ESP
 * @sent: the last sequence number the quoted SA sent
 * @quoted: the low 32 bits of the sequence number the PTB quotes
 * @plausible: whether its source sits on the way to the peer
 * @fit: the inner MTU the PTB's MTU would leave
 * @floor: the highest inner floor in force
 */
enum moat_ptb_verdict moat_ptb_judge(u64 sent, u32 quoted, bool plausible,
				     unsigned int fit, unsigned int floor)
{
	u32 behind = lower_32_bits(sent) - quoted;

	/* Never sent yet, or too long ago to be a packet in flight. */
	if (!plausible || !quoted || behind >= MOAT_PTB_SEQ_WINDOW ||
	    behind > sent)
		return MOAT_PTB_REJECT;
	return fit < floor ? MOAT_PTB_CLAMP : MOAT_PTB_ACCEPT;
}

/* Lowers *@cur to @mtu if that is lower or *@cur has aged out. */
static void moat_pmtu_lower(u32 *cur, u32 mtu, bool expired)
{
	if (expired || !READ_ONCE(*cur) || mtu < READ_ONCE(*cur))
		WRITE_ONCE(*cur, mtu);
}

/*
 * A PTB about @sa's packet @quoted_seq claims the path takes @mtu bytes.
 * Any context: ICMP arrives in softirq.
 *
 * A claim that would leave less than every floor (an IPv4 path under 576
 * plus ESP, which no real path is) does not touch the inner MTU: inner
 * flows keep their segment size, and outer packets go out to be
 * fragmented instead. That is what keeps TCP going when an on-path
 * attacker copies live ESP headers into forged PTBs.
 */
void moat_ptb(struct moat_sa *sa, u32 quoted_seq, u32 mtu, bool plausible)
{
	struct moat_peer *peer = sa->peer;
	unsigned int min_mtu = peer->ep.family == AF_INET ? 68 : IPV6_MIN_MTU;
	unsigned int floor = min_t(unsigned int, MOAT_FLOOR6,
				   READ_ONCE(peer->moat->pmtu_floor4));
	enum moat_ptb_verdict v;
	unsigned int fit;
	bool expired;

	mtu = max(mtu, min_mtu);
	fit = moat_inner_fit(mtu, peer->ep.family, peer->ep.encap);
	v = moat_ptb_judge(atomic64_read(&sa->seq), quoted_seq, plausible, fit,
			   floor);
	if (v == MOAT_PTB_REJECT) {
		moat_stat_inc(peer->stats, MOAT_STAT_PTB_REJECTED);
		return;
	}
	moat_stat_inc(peer->stats, v == MOAT_PTB_CLAMP ?
		      MOAT_STAT_PTB_CLAMPED : MOAT_STAT_PTB_ACCEPTED);
	/* PTBs only lower the path MTU; it rises again by aging out. */
	expired = moat_pmtu_expired(peer);
	if (v == MOAT_PTB_ACCEPT)
		moat_pmtu_lower(&peer->pmtu.mtu, mtu, expired);
	else if (expired)
		WRITE_ONCE(peer->pmtu.mtu, 0);
	moat_pmtu_lower(&peer->pmtu.frag_mtu, mtu, expired);
	WRITE_ONCE(peer->pmtu.expires, jiffies + MOAT_PMTU_EXPIRES);
}

/* Finds the MSS option of a SYN and lowers it to @mss. */
static void moat_mss_rewrite(struct sk_buff *skb, unsigned int thoff, u16 mss)
{
	struct tcphdr *th;
	unsigned int optlen, i;
	u8 *opt;

	if (skb_ensure_writable(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn || th->doff * 4 < sizeof(*th) ||
	    skb_ensure_writable(skb, thoff + th->doff * 4))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)(th + 1);
	optlen = th->doff * 4 - sizeof(*th);
	for (i = 0; i + 1 < optlen; ) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			return;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS) {
			u16 old = get_unaligned_be16(opt + i + 2);

			if (old <= mss)
				return;
			put_unaligned_be16(mss, opt + i + 2);
			inet_proto_csum_replace2(&th->check, skb, htons(old),
						 htons(mss), false);
			return;
		}
		i += opt[i + 1];
	}
}

/*
 * Clamps the MSS of a TCP SYN or SYN-ACK crossing the tunnel either way
 * to what the peer's inner MTU carries. @skb starts at its IP header.
 */
void moat_mss_clamp(struct moat_dev *moat, struct moat_peer *peer,
		    struct sk_buff *skb, bool inner6)
{
	u32 setting = READ_ONCE(moat->mss_clamp);
	unsigned int thoff, mss, hdrs;

	if (setting == MOAT_MSS_CLAMP_OFF)
		return;
	if (inner6) {
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_TCP)
			return;
		thoff = sizeof(struct ipv6hdr);
		hdrs = thoff + sizeof(struct tcphdr);
	} else {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP ||
		    iph->frag_off & htons(IP_OFFSET))
			return;
		thoff = iph->ihl * 4;
		hdrs = sizeof(struct iphdr) + sizeof(struct tcphdr);
	}
	if (!pskb_may_pull(skb, skb_network_offset(skb) + thoff +
			   sizeof(struct tcphdr)))
		return;
	mss = moat_peer_inner_mtu(peer, inner6) - hdrs;
	if (setting != MOAT_MSS_CLAMP_AUTO)
		mss = setting;
	moat_mss_rewrite(skb, skb_network_offset(skb) + thoff, mss);
}

/*
 * An ICMP error from one of our own addresses is genuine only if this
 * host made it, and then it came in over loopback: from anywhere else the
 * source is spoofed (IPv6 input does not drop such packets).
 */
static bool moat_from_self(const struct sk_buff *skb)
{
	return skb->dev && (skb->dev->flags & IFF_LOOPBACK);
}

/*
 * Whether the ICMP error @skb, from @b about a packet to @a, is plausible:
 * traffic to @a and to @b leaves through the same device.
 */
static bool moat_same_way4(struct net *net, const struct sk_buff *skb,
			   __be32 a, __be32 b)
{
	struct rtable *ra, *rb;
	bool same = false;

	ra = ip_route_output(net, a, 0, 0, 0);
	if (IS_ERR(ra))
		return false;
	rb = ip_route_output(net, b, 0, 0, 0);
	if (!IS_ERR(rb)) {
		/* Our own stack refusing an oversized packet is plausible. */
		if (rb->rt_type == RTN_LOCAL)
			same = moat_from_self(skb);
		else
			same = ra->dst.dev == rb->dst.dev;
		ip_rt_put(rb);
	}
	ip_rt_put(ra);
	return same;
}

/*
 * An ICMP error quoting an ESP packet we may have sent: @quoted is the
 * quoted IPv4 header, @esp_off where the quoted ESP header starts.
 */
int moat_err4(struct sk_buff *skb, u32 info, unsigned int esp_off)
{
	const struct iphdr *quoted = (const struct iphdr *)skb->data;
	const struct icmphdr *icmph = icmp_hdr(skb);
	struct net *net = dev_net(skb->dev);
	struct moat_endpoint to = { .family = AF_INET };
	struct ip_esp_hdr esph;
	struct moat_sa *sa;
	bool plausible;

	if (skb_copy_bits(skb, esp_off, &esph, sizeof(esph)))
		return -ENOENT;
	to.remote.v4 = quoted->daddr;
	rcu_read_lock();
	sa = moat_sa_lookup_out(net, esph.spi, &to);
	if (!sa) {
		rcu_read_unlock();
		return -ENOENT;
	}
	/* Ours: nothing else is to act on it, whatever it says. */
	if (icmph->type == ICMP_DEST_UNREACH &&
	    icmph->code == ICMP_FRAG_NEEDED) {
		plausible = moat_same_way4(net, skb, quoted->daddr,
					   ip_hdr(skb)->saddr);
		moat_ptb(sa, ntohl(esph.seq_no), info, plausible);
	}
	rcu_read_unlock();
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static bool moat_same_way6(struct net *net, const struct sk_buff *skb,
			   const struct in6_addr *a, const struct in6_addr *b)
{
	struct flowi6 fa = { .daddr = *a }, fb = { .daddr = *b };
	struct dst_entry *da, *db;
	bool same;

	if (ipv6_chk_addr(net, b, NULL, 0))
		return moat_from_self(skb);
	da = ip6_route_output(net, NULL, &fa);
	db = ip6_route_output(net, NULL, &fb);
	same = !da->error && !db->error && da->dev == db->dev;
	dst_release(da);
	dst_release(db);
	return same;
}

int moat_err6(struct sk_buff *skb, u8 type, unsigned int esp_off, u32 mtu)
{
	const struct ipv6hdr *quoted = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	struct moat_endpoint to = { .family = AF_INET6 };
	struct ip_esp_hdr esph;
	struct moat_sa *sa;
	bool plausible;

	if (skb_copy_bits(skb, esp_off, &esph, sizeof(esph)))
		return -ENOENT;
	to.remote.v6 = quoted->daddr;
	rcu_read_lock();
	sa = moat_sa_lookup_out(net, esph.spi, &to);
	if (!sa) {
		rcu_read_unlock();
		return -ENOENT;
	}
	if (type == ICMPV6_PKT_TOOBIG) {
		plausible = moat_same_way6(net, skb, &quoted->daddr,
					   &ipv6_hdr(skb)->saddr);
		moat_ptb(sa, ntohl(esph.seq_no), mtu, plausible);
	}
	rcu_read_unlock();
	return 0;
}
#endif
