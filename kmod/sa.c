// SPDX-License-Identifier: GPL-2.0
/*
 * Security associations: keyed AEADs with their sequence numbers, replay
 * windows and lifetimes. Inbound SAs are found by SPI in their outer
 * namespace; outbound ones hang off their peer as current and next.
 *
 * Configuration holds moat->lock. The packet path finds SAs under RCU and
 * takes a reference per packet; the last reference frees the SA after a
 * grace period, in process context, because crypto transforms may sleep.
 */

#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <net/xfrm.h>

#include "crypto.h"
#include "device.h"
#include "netlink.h"
#include "netns.h"
#include "peer.h"
#include "replay.h"
#include "sa.h"

/* The longest a lifetime timer sleeps at once, in seconds. */
#define MOAT_SA_TIMER_STEP	(24 * 60 * 60)

/* Timers, deferred deletions and frees; flushed before namespaces go. */
static struct workqueue_struct *moat_sa_wq;

static void moat_sa_free_work(struct work_struct *work)
{
	struct moat_sa *sa = container_of(to_rcu_work(work), struct moat_sa,
					  free_work);

	crypto_free_aead(sa->aead);
	moat_replay_free(sa->replay);
	free_percpu(sa->stats);
	moat_peer_put(sa->peer);
	kfree(sa);
}

static void moat_sa_release(struct kref *ref)
{
	struct moat_sa *sa = container_of(ref, struct moat_sa, ref);

	INIT_RCU_WORK(&sa->free_work, moat_sa_free_work);
	queue_rcu_work(moat_sa_wq, &sa->free_work);
}

void moat_sa_put(struct moat_sa *sa)
{
	kref_put(&sa->ref, moat_sa_release);
}

struct moat_sa *moat_sa_lookup_in(struct net *net, __be32 spi)
{
	struct moat_net *mn = moat_net(net);
	struct moat_sa *sa;

	hash_for_each_possible_rcu(mn->sa_in, sa, spi_node, (__force u32)spi)
		if (sa->spi == spi)
			return sa;
	return NULL;
}

/* The same, for writers that hold the namespace's sa_lock. */
static struct moat_sa *moat_sa_lookup_in_locked(struct moat_net *mn,
						__be32 spi)
{
	struct moat_sa *sa;

	lockdep_assert_held(&mn->sa_lock);
	hash_for_each_possible(mn->sa_in, sa, spi_node, (__force u32)spi)
		if (sa->spi == spi)
			return sa;
	return NULL;
}

/*
 * Outbound SPIs are chosen by each peer, so several SAs may share one:
 * the peer's address tells them apart.
 */
struct moat_sa *moat_sa_lookup_out(struct net *net, __be32 spi,
				   const struct moat_endpoint *to)
{
	struct moat_net *mn = moat_net(net);
	struct moat_sa *sa;

	hash_for_each_possible_rcu(mn->sa_out, sa, spi_node, (__force u32)spi)
		if (sa->spi == spi && moat_endpoint_same(&sa->peer->ep, to))
			return sa;
	return NULL;
}

struct moat_sa *moat_sa_find(struct moat_peer *peer, u8 dir, __be32 spi)
{
	struct moat_sa *sa;

	list_for_each_entry(sa, &peer->sas, peer_node)
		if (sa->dir == dir && sa->spi == spi)
			return sa;
	return NULL;
}

u8 moat_sa_state(const struct moat_sa *sa)
{
	if (sa->dir == MOAT_DIR_IN)
		return MOAT_SA_STATE_INBOUND;
	if (rcu_access_pointer(sa->peer->tx_cur) == sa)
		return MOAT_SA_STATE_CURRENT;
	return MOAT_SA_STATE_NEXT;
}

/*
 * Queues @sa's timer @secs from now; the pending timer holds a reference.
 * A far deadline is reached in steps of a day, so the delay in jiffies
 * never overflows: the timer works out what is next each time it runs.
 */
static void moat_sa_arm(struct moat_sa *sa, u64 secs)
{
	kref_get(&sa->ref);
	secs = min_t(u64, secs, MOAT_SA_TIMER_STEP);
	if (!queue_delayed_work(moat_sa_wq, &sa->timer, secs * HZ))
		moat_sa_put(sa);
}

/* The next second-based limit still ahead of an SA of age @age, or 0. */
static u64 moat_sa_next_deadline(struct moat_sa *sa, u64 age)
{
	u64 soft = sa->lt.soft[MOAT_LT_SECONDS];
	u64 hard = sa->lt.hard[MOAT_LT_SECONDS];
	u64 next = 0;

	if (soft && !test_bit(MOAT_SA_SOFT_SENT, &sa->flags) && soft > age)
		next = soft;
	if (hard && hard > age && (!next || hard < next))
		next = hard;
	return next ? next - age : 0;
}

static void moat_sa_timer(struct work_struct *work)
{
	struct moat_sa *sa = container_of(to_delayed_work(work),
					  struct moat_sa, timer);
	struct moat_dev *moat = sa->peer->moat;
	u64 age, soft, hard, next;

	mutex_lock(&moat->lock);
	if (test_bit(MOAT_SA_UNLINKED, &sa->flags))
		goto out;
	age = ktime_get_seconds() - sa->added;
	soft = sa->lt.soft[MOAT_LT_SECONDS];
	hard = sa->lt.hard[MOAT_LT_SECONDS];
	if (hard && age >= hard) {
		if (!test_and_set_bit(MOAT_SA_DEAD, &sa->flags))
			moat_nl_sa_event(sa, MOAT_EXPIRE_HARD,
					 MOAT_EXPIRE_SECONDS, GFP_KERNEL);
		moat_sa_remove(sa);
		goto out;
	}
	if (soft && age >= soft &&
	    !test_and_set_bit(MOAT_SA_SOFT_SENT, &sa->flags))
		moat_nl_sa_event(sa, MOAT_EXPIRE_SOFT, MOAT_EXPIRE_SECONDS,
				 GFP_KERNEL);
	next = moat_sa_next_deadline(sa, age);
	if (next)
		moat_sa_arm(sa, next);
out:
	mutex_unlock(&moat->lock);
	moat_sa_put(sa);
}

/* A hard limit hit on the packet path: delete the SA where we may sleep. */
static void moat_sa_kill_work(struct work_struct *work)
{
	struct moat_sa *sa = container_of(work, struct moat_sa, kill_work);
	struct moat_dev *moat = sa->peer->moat;

	mutex_lock(&moat->lock);
	if (!test_bit(MOAT_SA_UNLINKED, &sa->flags))
		moat_sa_remove(sa);
	mutex_unlock(&moat->lock);
	moat_sa_put(sa);
}

static void moat_sa_kill(struct moat_sa *sa, u8 reason)
{
	if (test_and_set_bit(MOAT_SA_DEAD, &sa->flags))
		return;
	moat_nl_sa_event(sa, MOAT_EXPIRE_HARD, reason, GFP_ATOMIC);
	kref_get(&sa->ref);
	if (!queue_work(moat_sa_wq, &sa->kill_work))
		moat_sa_put(sa);
}

static const u8 moat_lt_reason[__MOAT_LT_KINDS] = {
	[MOAT_LT_BYTES] = MOAT_EXPIRE_BYTES,
	[MOAT_LT_PACKETS] = MOAT_EXPIRE_PACKETS,
	[MOAT_LT_SECONDS] = MOAT_EXPIRE_SECONDS,
};

/* Checks one counter against its limits after it grew to @now. */
static bool moat_sa_limit(struct moat_sa *sa, enum moat_lt_kind k, u64 now)
{
	if (sa->lt.hard[k] && now > sa->lt.hard[k]) {
		moat_sa_kill(sa, moat_lt_reason[k]);
		return false;
	}
	if (sa->lt.soft[k] && now >= sa->lt.soft[k] &&
	    !test_and_set_bit(MOAT_SA_SOFT_SENT, &sa->flags))
		moat_nl_sa_event(sa, MOAT_EXPIRE_SOFT, moat_lt_reason[k],
				 GFP_ATOMIC);
	return true;
}

/**
 * moat_sa_account - count a packet against the SA's lifetimes
 * @sa: the SA that carried it
 * @bytes: its inner length
 *
 * Sends the soft-expiry event when a soft limit is reached and kills the
 * SA when a hard one is passed. Any context.
 *
 * Return: false if the packet is past a hard limit and must be dropped.
 */
bool moat_sa_account(struct moat_sa *sa, unsigned int bytes)
{
	u64 b = atomic64_add_return(bytes, &sa->lt_bytes);
	u64 p = atomic64_inc_return(&sa->lt_packets);

	if (moat_sa_dead(sa))
		return false;
	return moat_sa_limit(sa, MOAT_LT_BYTES, b) &&
	       moat_sa_limit(sa, MOAT_LT_PACKETS, p);
}

/**
 * moat_sa_next_seq - take an outbound SA's next sequence number
 * @sa: an outbound SA
 * @seq: set to the number to send
 *
 * Sequence numbers never wrap (RFC 4303 3.3.3): at 15/16 of the space the
 * SA asks for a rekey with a soft event, and past the last number it
 * stops sending and is deleted, which promotes the next SA.
 *
 * Return: 0, or -ENOSPC when the SA may send no more.
 */
int moat_sa_next_seq(struct moat_sa *sa, u64 *seq)
{
	u64 s = atomic64_inc_return(&sa->seq);

	if (unlikely(!s || s > sa->seq_max)) {
		moat_sa_kill(sa, MOAT_EXPIRE_SEQ);
		return -ENOSPC;
	}
	if (unlikely(s >= sa->seq_max - (sa->seq_max >> 4)) &&
	    !test_and_set_bit(MOAT_SA_SEQ_SOFT, &sa->flags))
		moat_nl_sa_event(sa, MOAT_EXPIRE_SOFT, MOAT_EXPIRE_SEQ,
				 GFP_ATOMIC);
	*seq = s;
	return 0;
}

/* Whether Linux's own IPsec has an SA with @spi in @net, either family. */
static bool moat_xfrm_has_spi(struct net *net, __be32 spi)
{
	static const unsigned short families[] = { AF_INET, AF_INET6 };
	struct xfrm_state *x;
	int i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		x = xfrm_state_lookup_byspi(net, spi, families[i]);
		if (x) {
			xfrm_state_put(x);
			return true;
		}
	}
	return false;
}

static int moat_sa_check_unique(struct moat_peer *peer,
				const struct moat_sa_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	struct moat_dev *moat = peer->moat;
	__be32 spi = htonl(cfg->spi);

	if (moat->n_sas >= moat->max_sas) {
		NL_SET_ERR_MSG(extack,
			       "the device holds max-sas SAs already: delete some, or raise max-sas with moat link set");
		return -ENOSPC;
	}
	if (cfg->dir == MOAT_DIR_IN) {
		/* Moat sees ESP first: it would shadow XFRM's SA. */
		if (moat_xfrm_has_spi(moat->outer_net, spi)) {
			NL_SET_ERR_MSG(extack,
				       "an XFRM state in the outer namespace already has this SPI");
			return -EEXIST;
		}
		return 0;
	}
	if (moat_sa_find(peer, MOAT_DIR_OUT, spi)) {
		NL_SET_ERR_MSG(extack,
			       "this peer already has an outbound SA with this SPI");
		return -EEXIST;
	}
	if (rcu_access_pointer(peer->tx_cur) &&
	    rcu_access_pointer(peer->tx_next)) {
		NL_SET_ERR_MSG(extack,
			       "the peer already has a current and a next outbound SA; delete one first");
		return -EBUSY;
	}
	return 0;
}

/* Frees an SA that was never published; it holds no peer reference. */
static void moat_sa_free_unused(struct moat_sa *sa)
{
	if (sa->aead)
		crypto_free_aead(sa->aead);
	moat_replay_free(sa->replay);
	free_percpu(sa->stats);
	kfree_sensitive(sa);
}

/**
 * moat_sa_key - the keyed AEAD an SA of @cfg needs
 * @cfg: what userspace asked for, already validated
 * @extack: where to say what went wrong
 *
 * The first use of an algorithm may load its module and run the crypto
 * self-tests, which takes seconds: callers key before taking locks.
 */
struct crypto_aead *moat_sa_key(const struct moat_sa_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	struct crypto_aead *aead;

	aead = moat_aead_new(cfg->alg, cfg->key, cfg->key_len);
	if (PTR_ERR_OR_ZERO(aead) == -ENOENT)
		NL_SET_ERR_MSG(extack,
			       "the kernel lacks this AEAD (is its module available?)");
	else if (IS_ERR(aead))
		NL_SET_ERR_MSG(extack, "the AEAD refused the key");
	return aead;
}

static struct moat_sa *moat_sa_alloc(struct moat_peer *peer,
				     const struct moat_sa_cfg *cfg,
				     struct netlink_ext_ack *extack)
{
	struct moat_sa *sa;
	int ret = -ENOMEM;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa) {
		if (cfg->aead)
			crypto_free_aead(cfg->aead);
		return ERR_PTR(-ENOMEM);
	}
	sa->aead = cfg->aead;
	sa->stats = moat_stats_alloc();
	if (!sa->stats)
		goto err;
	if (cfg->dir == MOAT_DIR_IN && cfg->replay_window) {
		sa->replay = moat_replay_alloc(cfg->replay_window,
					       GFP_KERNEL_ACCOUNT);
		if (!sa->replay)
			goto err;
	}
	if (!sa->aead)
		sa->aead = moat_sa_key(cfg, extack);
	if (IS_ERR(sa->aead)) {
		ret = PTR_ERR(sa->aead);
		sa->aead = NULL;
		goto err;
	}
	return sa;
err:
	moat_sa_free_unused(sa);
	return ERR_PTR(ret);
}

/*
 * Publishes @sa in its namespace's SPI table. An inbound SPI is checked
 * and taken under the one lock, so two devices cannot both get it.
 */
static int moat_sa_publish(struct moat_net *mn, struct moat_sa *sa,
			   struct netlink_ext_ack *extack)
{
	int ret = 0;

	spin_lock_bh(&mn->sa_lock);
	if (sa->dir == MOAT_DIR_OUT)
		hash_add_rcu(mn->sa_out, &sa->spi_node, (__force u32)sa->spi);
	else if (moat_sa_lookup_in_locked(mn, sa->spi))
		ret = -EEXIST;
	else
		hash_add_rcu(mn->sa_in, &sa->spi_node, (__force u32)sa->spi);
	spin_unlock_bh(&mn->sa_lock);
	if (ret)
		NL_SET_ERR_MSG(extack,
			       "an inbound SA with this SPI already exists");
	return ret;
}

/**
 * moat_sa_new - build an SA and install it on @peer
 * @peer: the peer, under its device's lock
 * @cfg: what userspace asked for, already validated
 * @extack: where to say what went wrong
 *
 * Everything that can fail happens before the SA becomes visible, so a
 * failure leaves nothing behind.
 */
struct moat_sa *moat_sa_new(struct moat_peer *peer,
			    const struct moat_sa_cfg *cfg,
			    struct netlink_ext_ack *extack)
{
	struct moat_net *mn = moat_net(peer->moat->outer_net);
	struct moat_sa *sa;
	u64 first;
	int ret;

	ret = moat_sa_check_unique(peer, cfg, extack);
	if (ret) {
		if (cfg->aead)
			crypto_free_aead(cfg->aead);
		return ERR_PTR(ret);
	}
	sa = moat_sa_alloc(peer, cfg, extack);
	if (IS_ERR(sa))
		return sa;

	sa->alg = cfg->alg;
	sa->spi = htonl(cfg->spi);
	sa->dir = cfg->dir;
	sa->esn = cfg->esn;
	sa->replay_window = cfg->dir == MOAT_DIR_IN ? cfg->replay_window : 0;
	sa->seq_max = cfg->esn ? U64_MAX : U32_MAX;
	sa->lt = cfg->lt;
	sa->added = ktime_get_seconds();
	kref_init(&sa->ref);
	INIT_DELAYED_WORK(&sa->timer, moat_sa_timer);
	INIT_WORK(&sa->kill_work, moat_sa_kill_work);
	sa->peer = peer;
	ret = moat_sa_publish(mn, sa, extack);
	if (ret) {
		moat_sa_free_unused(sa);
		return ERR_PTR(ret);
	}
	/* Nothing fails from here on. */
	moat_peer_get(peer);
	list_add_tail(&sa->peer_node, &peer->sas);
	peer->n_sas++;
	peer->moat->n_sas++;
	if (sa->dir == MOAT_DIR_OUT) {
		if (!rcu_access_pointer(peer->tx_cur))
			rcu_assign_pointer(peer->tx_cur, sa);
		else
			rcu_assign_pointer(peer->tx_next, sa);
	}
	first = moat_sa_next_deadline(sa, 0);
	if (first)
		moat_sa_arm(sa, first);
	return sa;
}

/**
 * moat_sa_remove - take an SA out of service and drop the table's reference
 * @sa: the SA, under its device's lock
 *
 * Packets already holding the SA finish with it; new ones cannot find it.
 * Removing the current outbound SA promotes the next one.
 */
void moat_sa_remove(struct moat_sa *sa)
{
	struct moat_peer *peer = sa->peer;
	struct moat_net *mn = moat_net(peer->moat->outer_net);

	if (test_and_set_bit(MOAT_SA_UNLINKED, &sa->flags))
		return;
	set_bit(MOAT_SA_DEAD, &sa->flags);
	spin_lock_bh(&mn->sa_lock);
	hash_del_rcu(&sa->spi_node);
	spin_unlock_bh(&mn->sa_lock);
	if (rcu_access_pointer(peer->tx_cur) == sa) {
		rcu_assign_pointer(peer->tx_cur,
				   rcu_access_pointer(peer->tx_next));
		RCU_INIT_POINTER(peer->tx_next, NULL);
	} else if (rcu_access_pointer(peer->tx_next) == sa) {
		RCU_INIT_POINTER(peer->tx_next, NULL);
	}
	list_del(&sa->peer_node);
	peer->n_sas--;
	peer->moat->n_sas--;
	if (cancel_delayed_work(&sa->timer))
		moat_sa_put(sa);
	moat_sa_put(sa);
}

int __init moat_sa_init(void)
{
	moat_sa_wq = alloc_workqueue("moat-sa", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return moat_sa_wq ? 0 : -ENOMEM;
}

/* Waits for every pending timer, deletion and free. */
void moat_sa_flush(void)
{
	rcu_barrier();
	flush_workqueue(moat_sa_wq);
	/* Frees queued by the work just flushed wait for one more pass. */
	rcu_barrier();
	flush_workqueue(moat_sa_wq);
}

void moat_sa_exit(void)
{
	moat_sa_flush();
	destroy_workqueue(moat_sa_wq);
}
