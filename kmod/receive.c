// SPDX-License-Identifier: GPL-2.0
/*
 * The inbound path. In softirq: find the SA by SPI, drop what the replay
 * window already rules out, queue. On any CPU: decrypt. In NAPI, in
 * arrival order: record the sequence number in the window (only now that
 * the ICV is good), check the trailer and the inner source against the
 * peer's selectors, and hand the inner packet to GRO.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "crypto.h"
#include "device.h"
#include "esp.h"
#include "netns.h"
#include "peer.h"
#include "pmtu.h"
#include "receive.h"
#include "replay.h"
#include "sa.h"
#include "selectors.h"

#define MOAT_MAX_QUEUED		4096

static const u8 moat_replay_drop[] = {
	[MOAT_REPLAY_REPLAYED] = MOAT_STAT_RX_REPLAYED,
	[MOAT_REPLAY_TOO_OLD] = MOAT_STAT_RX_OUTSIDE_WINDOW,
};

static int moat_rx_drop(struct moat_dev *moat, struct moat_sa *sa,
			struct sk_buff *skb, enum moat_stat why)
{
	moat_drop(moat, sa->stats, why);
	kfree_skb(skb);
	moat_sa_put(sa);
	return 0;
}

/* moat_esp_input() without its timing. */
static int __moat_esp_input(struct net *net, struct sk_buff *skb)
{
	enum moat_replay_verdict v;
	struct ip_esp_hdr *esph;
	struct moat_dev *moat;
	struct moat_cb *cb;
	struct moat_sa *sa;
	unsigned int backlog;
	u64 seq;

	if (!pskb_may_pull(skb, MOAT_ESP_HDR_LEN))
		return -EINVAL;
	esph = (struct ip_esp_hdr *)skb->data;
	rcu_read_lock();
	sa = moat_sa_lookup_in(net, esph->spi);
	if (sa && !moat_sa_get(sa))
		sa = NULL;
	rcu_read_unlock();
	if (!sa) {
		moat_stat_inc(moat_net(net)->stats, MOAT_STAT_RX_UNKNOWN_SPI);
		return -EINVAL;
	}

	moat = sa->peer->moat;
	if (moat_sa_dead(sa))
		return moat_rx_drop(moat, sa, skb, MOAT_STAT_RX_EXPIRED);
	if (skb->len < MOAT_ESP_MIN_LEN)
		return moat_rx_drop(moat, sa, skb, MOAT_STAT_RX_TOO_SHORT);
	/*
	 * A reassembled packet may hold no more than the ESP header in its
	 * head: the IV must be there too before anything strips them.
	 */
	if (!pskb_may_pull(skb, MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN))
		return moat_rx_drop(moat, sa, skb, MOAT_STAT_RX_NOMEM);
	esph = (struct ip_esp_hdr *)skb->data;
	seq = ntohl(esph->seq_no);
	if (sa->replay) {
		seq = moat_replay_infer(sa->replay, seq, sa->esn);
		v = moat_replay_check(sa->replay, seq);
		if (v != MOAT_REPLAY_OK)
			return moat_rx_drop(moat, sa, skb, moat_replay_drop[v]);
	}

	/* The packet waits in queues: it may keep nothing borrowed. */
	skb_dst_drop(skb);
	cb = MOAT_CB(skb);
	cb->sa = sa;
	cb->seq = seq;
	cb->crypt = NULL;
	cb->drop = MOAT_STAT_RX_QUEUE_FULL;
	spin_lock_bh(&moat->rx_queue.lock);
	if (skb_queue_len(&moat->rx_queue) >= MOAT_MAX_QUEUED) {
		spin_unlock_bh(&moat->rx_queue.lock);
		return moat_rx_drop(moat, sa, skb, MOAT_STAT_RX_QUEUE_FULL);
	}
	moat_queue_both(&moat->rx_queue, &moat->decrypt_ring, skb);
	backlog = skb_queue_len(&moat->rx_queue);
	spin_unlock_bh(&moat->rx_queue.lock);
	moat_pipe_add(MOAT_PIPE_RXQ_DEPTH, backlog);
	moat_pipe_add(MOAT_PIPE_RX_QUEUED, 1);
	moat_ring_kick(&moat->decrypt_ring);
	return 0;
}

/**
 * moat_esp_input - take an ESP packet for one of our SAs
 * @net: the namespace it arrived in
 * @skb: the packet, data at the ESP header
 *
 * Return: -EINVAL, with @skb untouched, if no moat SA has the SPI (so
 * Linux's own ESP may have it); otherwise 0, and @skb is ours.
 */
int moat_esp_input(struct net *net, struct sk_buff *skb)
{
	u64 t0 = moat_pipe_clock();
	int ret = __moat_esp_input(net, skb);

	moat_pipe_time(MOAT_PIPE_INPUT_NS, t0);
	return ret;
}

/* Bottom halves off, so the NAPI softirq runs when they come back. */
static void moat_rx_kick(struct moat_dev *moat)
{
	local_bh_disable();
	napi_schedule(&moat->napi);
	local_bh_enable();
}

/* Synchronous completions leave the NAPI poll to the batch end. */
static void moat_decrypt_finish(struct moat_dev *moat, struct sk_buff *skb,
				int err, bool async)
{
	struct moat_cb *cb = MOAT_CB(skb);

	moat_crypt_req_free(cb->crypt);
	cb->crypt = NULL;
	if (err)
		cb->drop = err == -EBADMSG ? MOAT_STAT_RX_ICV_FAIL :
					     MOAT_STAT_RX_NOMEM;
	moat_pkt_finish(skb, err ? MOAT_PKT_DEAD : MOAT_PKT_DONE);
	if (async)
		moat_rx_kick(moat);
	if (atomic_dec_and_test(&moat->inflight))
		wake_up_var(&moat->inflight);
}

static void moat_decrypt_done(struct crypto_async_request *areq, int err)
{
	struct sk_buff *skb = areq->data;

	if (err == -EINPROGRESS)
		return;
	moat_decrypt_finish(MOAT_CB(skb)->sa->peer->moat, skb, err, true);
}

static int moat_decrypt(struct moat_dev *moat, struct sk_buff *skb)
{
	struct moat_cb *cb = MOAT_CB(skb);
	struct moat_sa *sa = cb->sa;
	struct moat_crypt_req *cr;
	struct sk_buff *trailer;
	int nfrags, ret;
	u64 t0;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	cr = moat_crypt_req_new(sa->aead, nfrags + 1, GFP_ATOMIC);
	if (!cr)
		return -ENOMEM;

	ret = moat_crypt_req_map(cr, skb, sa->spi, cb->seq, sa->esn,
				 skb->len - MOAT_ESP_HDR_LEN - MOAT_ESP_IV_LEN,
				 moat_decrypt_done);
	if (ret < 0) {
		moat_crypt_req_free(cr);
		return ret;
	}
	cb->crypt = cr;
	atomic_inc(&moat->inflight);
	t0 = moat_pipe_clock();
	ret = crypto_aead_decrypt(cr->req);
	moat_pipe_time(MOAT_PIPE_DEC_AEAD_NS, t0);
	if (ret != -EINPROGRESS && ret != -EBUSY)
		moat_decrypt_finish(moat, skb, ret, false);
	else
		moat_pipe_add(MOAT_PIPE_DEC_ASYNC, 1);
	return 0;
}

static void moat_decrypt_one(struct moat_crypt_ring *r, struct sk_buff *skb)
{
	struct moat_dev *moat = container_of(r, struct moat_dev, decrypt_ring);
	u64 t0 = moat_pipe_clock();

	if (moat_decrypt(moat, skb)) {
		MOAT_CB(skb)->drop = MOAT_STAT_RX_NOMEM;
		moat_pkt_finish(skb, MOAT_PKT_DEAD);
	}
	moat_pipe_time(MOAT_PIPE_DEC_NS, t0);
}

/*
 * One NAPI poll for a batch: it delivers the batch through GRO in one
 * pass, where a poll per packet would leave GRO nothing to merge.
 */
static void moat_decrypt_batch_end(struct moat_crypt_ring *r)
{
	moat_rx_kick(container_of(r, struct moat_dev, decrypt_ring));
}

const struct moat_ring_ops moat_decrypt_ops = {
	.one = moat_decrypt_one,
	.batch_end = moat_decrypt_batch_end,
	.runs = MOAT_PIPE_DEC_RUNS,
	.pkts = MOAT_PIPE_DEC_PKTS,
	.kick_self = true,
};

/*
 * Strips ESP from a decrypted packet. Returns 0 with @skb holding just the
 * inner packet, the counter that says why it must go, or -1 for a dummy
 * packet (next header 59, RFC 4303 2.6), which is no error.
 */
static int moat_esp_strip(struct sk_buff *skb, u8 *nexthdr)
{
	unsigned int payload = skb->len - MOAT_ESP_HDR_LEN - MOAT_ESP_IV_LEN -
			       MOAT_ESP_ICV_LEN;
	unsigned int tail_len = min_t(unsigned int, payload,
				      MOAT_ESP_TRAILER_MAX);
	u8 buf[MOAT_ESP_TRAILER_MAX];
	const u8 *tail;
	int len;

	tail = skb_header_pointer(skb, MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN +
				  payload - tail_len, tail_len, buf);
	if (!tail)
		return MOAT_STAT_RX_BAD_TRAILER;
	len = moat_esp_parse_trailer(tail, tail_len, payload, nexthdr);
	if (len == -ENODATA)
		return -1;
	if (len == -EPROTONOSUPPORT)
		return MOAT_STAT_RX_BAD_INNER;
	if (len < 0)
		return MOAT_STAT_RX_BAD_TRAILER;

	if (pskb_trim(skb, MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN + len) ||
	    !pskb_pull(skb, MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN))
		return MOAT_STAT_RX_NOMEM;
	if (!pskb_may_pull(skb, *nexthdr == MOAT_NEXTHDR_IPV4 ?
			   sizeof(struct iphdr) : sizeof(struct ipv6hdr)))
		return MOAT_STAT_RX_BAD_INNER;
	/* The sender may have padded the inner packet (TFC): drop that. */
	len = moat_esp_inner_len(skb->data, skb->len, *nexthdr);
	if (len < 0 || pskb_trim(skb, len))
		return MOAT_STAT_RX_BAD_INNER;
	return 0;
}

/* RFC 4301 5.2: the inner source must be one the peer may use. */
static bool moat_selector_ok(struct moat_dev *moat, struct moat_sa *sa,
			     struct sk_buff *skb, u8 nexthdr)
{
	struct moat_ts_table *ts = rcu_dereference_bh(moat->ts);
	void *owner;

	if (nexthdr == MOAT_NEXTHDR_IPV4)
		owner = moat_ts_lookup4(ts, ip_hdr(skb)->saddr);
	else
		owner = moat_ts_lookup6(ts, &ipv6_hdr(skb)->saddr);
	return owner == sa->peer;
}

static void moat_deliver(struct moat_dev *moat, struct moat_sa *sa,
			 struct sk_buff *skb)
{
	struct net_device *dev = moat->dev;
	enum moat_replay_verdict v;
	u8 nexthdr;
	int drop;

	if (sa->replay) {
		v = moat_replay_update(sa->replay, MOAT_CB(skb)->seq);
		if (v != MOAT_REPLAY_OK) {
			moat_drop(moat, sa->stats, moat_replay_drop[v]);
			kfree_skb(skb);
			return;
		}
	}
	drop = moat_esp_strip(skb, &nexthdr);
	if (!drop) {
		skb->protocol = nexthdr == MOAT_NEXTHDR_IPV4 ?
				htons(ETH_P_IP) : htons(ETH_P_IPV6);
		skb_reset_network_header(skb);
		/*
		 * The ICV covered every byte: the inner checksums need no
		 * check. Say so before the MSS clamp edits one, as the
		 * checksum state still describes the outer packet.
		 */
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = ~0;
		if (!moat_selector_ok(moat, sa, skb, nexthdr))
			drop = MOAT_STAT_RX_SELECTOR;
		else if (!moat_sa_account(sa, skb->len))
			drop = MOAT_STAT_RX_EXPIRED;
		else
			moat_mss_clamp(moat, sa->peer, skb,
				       nexthdr == MOAT_NEXTHDR_IPV6);
	}
	if (drop < 0) {
		consume_skb(skb);
		return;
	}
	if (drop) {
		moat_drop(moat, sa->stats, drop);
		kfree_skb(skb);
		return;
	}

	skb_scrub_packet(skb, !net_eq(moat->outer_net, dev_net(dev)));
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	moat_stat_add(sa->stats, MOAT_STAT_RX_PACKETS, 1);
	moat_stat_add(sa->stats, MOAT_STAT_RX_BYTES, skb->len);
	dev_sw_netstats_rx_add(dev, skb->len);
	napi_gro_receive(&moat->napi, skb);
}

int moat_napi_poll(struct napi_struct *napi, int budget)
{
	struct moat_dev *moat = container_of(napi, struct moat_dev, napi);
	struct sk_buff_head list;
	u64 t0 = moat_pipe_clock();
	struct sk_buff *skb;
	int done = 0;

	__skb_queue_head_init(&list);
	while (done < budget &&
	       moat_queue_pop_ready(&moat->rx_queue, &list,
				    min(budget - done, MOAT_BATCH))) {
		while ((skb = __skb_dequeue(&list))) {
			struct moat_cb *cb = MOAT_CB(skb);
			struct moat_sa *sa = cb->sa;

			if (atomic_read(&cb->state) == MOAT_PKT_DONE) {
				moat_deliver(moat, sa, skb);
			} else {
				moat_drop(moat, sa->stats, cb->drop);
				kfree_skb(skb);
			}
			moat_sa_put(sa);
			done++;
		}
	}
	moat_pipe_add(MOAT_PIPE_NAPI_POLLS, 1);
	moat_pipe_add(MOAT_PIPE_NAPI_PKTS, done);
	if (done < budget)
		napi_complete_done(napi, done);
	moat_pipe_time(MOAT_PIPE_NAPI_NS, t0);
	return done;
}
