// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: the other ends of a moat device. A peer is an outer endpoint,
 * the inner prefixes it may use (kept in the device's selector table) and
 * its SAs. Configuration holds moat->lock; the packet path reads peers
 * under RCU and keeps them alive through the SAs its packets hold.
 */

#include <linux/slab.h>
#include <net/ipv6.h>

#include "device.h"
#include "peer.h"
#include "sa.h"
#include "selectors.h"
#include "socket.h"

bool moat_endpoint_same(const struct moat_endpoint *a,
			const struct moat_endpoint *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->remote.v4 == b->remote.v4;
	return ipv6_addr_equal(&a->remote.v6, &b->remote.v6);
}

struct moat_peer *moat_peer_find(struct moat_dev *moat,
				 const struct moat_endpoint *ep)
{
	struct moat_peer *peer;

	list_for_each_entry(peer, &moat->peers, node)
		if (moat_endpoint_same(&peer->ep, ep))
			return peer;
	return NULL;
}

/*
 * Under moat->lock: a peer not yet visible, so everything else that can
 * fail (its selectors) can be tried before moat_peer_add() publishes it.
 */
struct moat_peer *moat_peer_new(struct moat_dev *moat,
				const struct moat_endpoint *ep)
{
	struct moat_peer *peer;
	int ret = -ENOMEM;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL_ACCOUNT);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	peer->stats = moat_stats_alloc();
	if (!peer->stats)
		goto err_free;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL_ACCOUNT))
		goto err_free;
	if (ep->encap == MOAT_ENCAP_UDP) {
		peer->sock = moat_sock_get(moat->outer_net, ep->family,
					   ep->sport);
		if (IS_ERR(peer->sock)) {
			ret = PTR_ERR(peer->sock);
			goto err_cache;
		}
	}
	peer->moat = moat;
	peer->ep = *ep;
	INIT_LIST_HEAD(&peer->sas);
	kref_init(&peer->ref);
	return peer;

err_cache:
	dst_cache_destroy(&peer->dst_cache);
err_free:
	free_percpu(peer->stats);
	kfree(peer);
	return ERR_PTR(ret);
}

void moat_peer_add(struct moat_peer *peer)
{
	list_add_tail_rcu(&peer->node, &peer->moat->peers);
	peer->moat->n_peers++;
}

static void moat_peer_free_rcu(struct rcu_head *rcu)
{
	struct moat_peer *peer = container_of(rcu, struct moat_peer, rcu);

	dst_cache_destroy(&peer->dst_cache);
	free_percpu(peer->stats);
	kfree(peer);
}

static void moat_peer_release(struct kref *ref)
{
	struct moat_peer *peer = container_of(ref, struct moat_peer, ref);

	/* Only ever dropped in process context: by netlink or an SA's free. */
	if (peer->sock)
		moat_sock_put(peer->sock);
	call_rcu(&peer->rcu, moat_peer_free_rcu);
}

void moat_peer_put(struct moat_peer *peer)
{
	kref_put(&peer->ref, moat_peer_release);
}

/* Under moat->lock, once no selector leads to @peer: its SAs, then it. */
static void moat_peer_unlink(struct moat_peer *peer)
{
	struct moat_sa *sa, *tmp;

	list_for_each_entry_safe(sa, tmp, &peer->sas, peer_node)
		moat_sa_remove(sa);
	list_del_rcu(&peer->node);
	peer->moat->n_peers--;
	moat_peer_put(peer);
}

/**
 * moat_peer_remove - delete a peer, under its device's lock
 * @peer: the peer
 *
 * The peer's selectors go first, so no new packet picks it, then its SAs,
 * so no packet arrives for it.
 *
 * Return: 0, or -ENOMEM if the selector table could not be rebuilt
 * without it; then nothing changed.
 */
int moat_peer_remove(struct moat_peer *peer)
{
	struct moat_dev *moat = peer->moat;
	struct moat_ts_table *old, *ts;

	old = rcu_dereference_protected(moat->ts, lockdep_is_held(&moat->lock));
	ts = moat_ts_remove(old, peer, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(ts))
		return PTR_ERR(ts);
	rcu_assign_pointer(moat->ts, ts);
	moat_ts_free_rcu(old);
	moat_peer_unlink(peer);
	return 0;
}

/*
 * The device is going away and refuses changes already: drop the whole
 * selector table at once, then every peer, in time linear in their number.
 */
void moat_peer_remove_all(struct moat_dev *moat)
{
	struct moat_peer *peer, *tmp;
	struct moat_ts_table *ts;

	mutex_lock(&moat->lock);
	ts = rcu_dereference_protected(moat->ts, lockdep_is_held(&moat->lock));
	RCU_INIT_POINTER(moat->ts, NULL);
	moat_ts_free_rcu(ts);
	list_for_each_entry_safe(peer, tmp, &moat->peers, node)
		moat_peer_unlink(peer);
	mutex_unlock(&moat->lock);
}
