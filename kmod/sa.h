/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_SA_H
#define _MOAT_SA_H

#include <crypto/aead.h>
#include <linux/kref.h>
#include <linux/workqueue.h>
#include <uapi/linux/moat.h>

#include "stats.h"

struct moat_endpoint;
struct moat_peer;
struct moat_replay;
struct moat_aead_alg;

enum moat_lt_kind { MOAT_LT_BYTES, MOAT_LT_PACKETS, MOAT_LT_SECONDS,
		    __MOAT_LT_KINDS };

/* Soft and hard limits; 0 means none. */
struct moat_lifetime {
	u64 soft[__MOAT_LT_KINDS];
	u64 hard[__MOAT_LT_KINDS];
};

/* SA flags, bits in moat_sa.flags */
enum {
	MOAT_SA_SOFT_SENT,	/* the soft-expiry event went out */
	MOAT_SA_DEAD,		/* hard-expired or deleted: carries nothing */
	MOAT_SA_SEQ_SOFT,	/* the sequence numbers are running out */
	MOAT_SA_UNLINKED,	/* removed from the peer and the SPI table */
};

/* What userspace asks for when it adds an SA. */
struct moat_sa_cfg {
	u32 spi;
	u8 dir;
	bool esn;
	u32 replay_window;
	const struct moat_aead_alg *alg;
	const u8 *key;
	unsigned int key_len;
	struct moat_lifetime lt;
	/*
	 * The AEAD, keyed already (moat_sa_key()), or NULL for moat_sa_new()
	 * to key one. moat_sa_new() takes it over, on failure too.
	 */
	struct crypto_aead *aead;
};

struct moat_sa {
	struct hlist_node spi_node;	/* moat_net.sa_in or .sa_out */
	struct list_head peer_node;	/* peer->sas, under moat->lock */
	struct moat_peer *peer;		/* holds a reference */
	struct crypto_aead *aead;
	const struct moat_aead_alg *alg;
	struct moat_replay *replay;	/* inbound with a window, or NULL */
	struct moat_stats __percpu *stats;
	__be32 spi;
	u8 dir;
	bool esn;
	u32 replay_window;
	/* Outbound: the last sequence number used, and the last allowed. */
	atomic64_t seq;
	u64 seq_max;
	struct moat_lifetime lt;
	atomic64_t lt_bytes;
	atomic64_t lt_packets;
	time64_t added;
	unsigned long flags;
	/* Seconds lifetimes, and deletion asked for from the packet path. */
	struct delayed_work timer;
	struct work_struct kill_work;
	struct kref ref;
	struct rcu_work free_work;
};

struct crypto_aead *moat_sa_key(const struct moat_sa_cfg *cfg,
				struct netlink_ext_ack *extack);
struct moat_sa *moat_sa_new(struct moat_peer *peer,
			    const struct moat_sa_cfg *cfg,
			    struct netlink_ext_ack *extack);
void moat_sa_remove(struct moat_sa *sa);
struct moat_sa *moat_sa_lookup_in(struct net *net, __be32 spi);
struct moat_sa *moat_sa_lookup_out(struct net *net, __be32 spi,
				   const struct moat_endpoint *to);
struct moat_sa *moat_sa_find(struct moat_peer *peer, u8 dir, __be32 spi);
void moat_sa_put(struct moat_sa *sa);
u8 moat_sa_state(const struct moat_sa *sa);
bool moat_sa_account(struct moat_sa *sa, unsigned int bytes);
int moat_sa_next_seq(struct moat_sa *sa, u64 *seq);
int moat_sa_init(void);
void moat_sa_flush(void);
void moat_sa_exit(void);

static inline bool moat_sa_get(struct moat_sa *sa)
{
	return kref_get_unless_zero(&sa->ref);
}

static inline bool moat_sa_dead(const struct moat_sa *sa)
{
	return test_bit(MOAT_SA_DEAD, &sa->flags);
}

#endif
