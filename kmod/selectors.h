/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic selectors: which peer owns which inner prefixes.
 *
 * A device keeps one immutable struct moat_ts_table behind an RCU pointer.
 * Changes build a new table from the old one (moat_ts_replace(),
 * moat_ts_remove()) under the device's config mutex, publish it with
 * rcu_assign_pointer() and release the old one with moat_ts_free_rcu().
 * The packet path looks up with moat_ts_lookup4()/moat_ts_lookup6() under
 * rcu_read_lock() and never takes a lock.
 *
 * Peer pointers are opaque cookies: this code stores and compares them but
 * never dereferences them. NULL is not a valid peer.
 */
#ifndef _MOAT_SELECTORS_H
#define _MOAT_SELECTORS_H

#include <linux/bits.h>
#include <linux/in6.h>
#include <linux/types.h>
#include <uapi/linux/moat.h>

/* Most selectors one table holds, all peers and both families together. */
#define MOAT_TS_TABLE_MAX	BIT(20)

/**
 * struct moat_ts - one traffic selector: an inner IPv4 or IPv6 prefix
 * @family: AF_INET or AF_INET6
 * @prefixlen: 0..32 for AF_INET, 0..128 for AF_INET6
 * @addr: the prefix; @addr.v4 for AF_INET, @addr.v6 for AF_INET6. Host bits
 *	(those past @prefixlen) may be set on input; tables store and return
 *	the prefix with them cleared.
 *
 * An IPv4-mapped IPv6 prefix (::ffff:a.b.c.d/n) is an AF_INET6 selector and
 * only matches moat_ts_lookup6().
 */
struct moat_ts {
	u8 family;
	u8 prefixlen;
	union {
		__be32 v4;
		struct in6_addr v6;
	} addr;
};

struct moat_ts_table;

/**
 * moat_ts_replace() - build a table in which @peer owns exactly @ts
 * @old: current table, or NULL for an empty one; not changed
 * @peer: owner of the new entries; must not be NULL
 * @ts: the selectors @peer is to own; may be NULL when @n is 0
 * @n: number of entries in @ts, at most MOAT_TS_MAX
 * @conflict: if not NULL, receives the index in @ts of the entry that made
 *	the call fail, or @n when no single entry is to blame (a NULL @peer,
 *	-E2BIG, -ENOMEM, success)
 * @gfp: allocation flags; GFP_KERNEL from the netlink handlers
 *
 * The new table holds every entry of @old that belongs to another peer,
 * plus @ts for @peer; @peer's entries in @old are dropped, so a peer may
 * keep or move its own prefixes. An entry listed twice in @ts (after
 * masking host bits) is kept once. The caller serialises changes (the
 * device's config mutex) so that no concurrent change is lost; readers of
 * @old are unaffected. Sleeps only if @gfp allows it.
 *
 * Return: the new table, never NULL, or an ERR_PTR: -EEXIST if a prefix
 * belongs to another peer, -EINVAL for a NULL @peer, an unknown family or a
 * prefix length too long for its family, -E2BIG if @n exceeds MOAT_TS_MAX
 * or the table would exceed MOAT_TS_TABLE_MAX entries, -ENOMEM.
 */
struct moat_ts_table *moat_ts_replace(const struct moat_ts_table *old,
				      void *peer, const struct moat_ts *ts,
				      unsigned int n, unsigned int *conflict,
				      gfp_t gfp);

/**
 * moat_ts_remove() - build a table without @peer's entries
 * @old: current table, or NULL; not changed
 * @peer: the peer to drop
 * @gfp: allocation flags
 *
 * Until the new table is published and a grace period has passed, readers
 * may still find @peer in @old. If this fails, @old still refers to @peer,
 * so the peer must stay alive (fail the deletion, or replace the whole
 * table when the device goes away).
 *
 * Return: the new table, never NULL, or ERR_PTR(-ENOMEM).
 */
struct moat_ts_table *moat_ts_remove(const struct moat_ts_table *old,
				     void *peer, gfp_t gfp);

/**
 * moat_ts_lookup4() - longest-prefix match of an IPv4 address
 * @t: table, possibly NULL (empty)
 * @addr: the inner address, network byte order
 *
 * Called under rcu_read_lock() with @t from rcu_dereference(). Costs one
 * hash probe per distinct IPv4 prefix length in @t.
 *
 * Return: the peer owning the longest prefix containing @addr, or NULL.
 * The pointer is only as alive as the caller's RCU read-side section.
 */
void *moat_ts_lookup4(const struct moat_ts_table *t, __be32 addr);

/**
 * moat_ts_lookup6() - longest-prefix match of an IPv6 address
 * @t: table, possibly NULL (empty)
 * @addr: the inner address
 *
 * As moat_ts_lookup4(), for IPv6 prefixes.
 *
 * Return: the peer owning the longest prefix containing @addr, or NULL.
 */
void *moat_ts_lookup6(const struct moat_ts_table *t,
		      const struct in6_addr *addr);

/**
 * moat_ts_free() - free a table now
 * @t: table, or NULL
 *
 * Only for tables no reader can see: never published, or unpublished and
 * past a grace period.
 */
void moat_ts_free(struct moat_ts_table *t);

/**
 * moat_ts_free_rcu() - free a table after an RCU grace period
 * @t: table, or NULL
 *
 * For the table just replaced by rcu_assign_pointer(). Does not sleep.
 * Frees with kvfree_rcu(), which calls no module code, so module unload
 * needs no rcu_barrier() on its account.
 */
void moat_ts_free_rcu(struct moat_ts_table *t);

/**
 * moat_ts_get() - copy @peer's selectors, for dumps
 * @t: table, or NULL
 * @peer: whose selectors
 * @out: receives up to @max selectors, host bits cleared, in the order
 *	they were given to moat_ts_replace() (duplicates dropped)
 * @max: room in @out
 *
 * Return: the number of selectors copied to @out, at most @max. Use
 * moat_ts_count() (never more than MOAT_TS_MAX) to size @out.
 */
unsigned int moat_ts_get(const struct moat_ts_table *t, const void *peer,
			 struct moat_ts *out, unsigned int max);

/**
 * moat_ts_count() - number of selectors @peer owns in @t
 * @t: table, or NULL
 * @peer: whose selectors
 *
 * Return: the count, 0 for a NULL table or an unknown peer.
 */
unsigned int moat_ts_count(const struct moat_ts_table *t, const void *peer);

#endif
