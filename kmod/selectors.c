// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selectors: longest-prefix match of inner addresses to peers.
 *
 * Every packet does a lookup and changes are rare, so a change rebuilds
 * the whole table and lookups do as little as possible. Per family, a
 * table lists the distinct prefix lengths present, longest first, and
 * keeps one open-addressing hash of (prefix length, masked address) to
 * peer. A lookup masks the address to each listed length in turn and
 * probes; the first hit is the longest match. That is one hash and a short
 * probe per distinct length, and real tables have few: a handful of
 * subnets, a host route or two, maybe a default route.
 *
 * The hash is keyed with a random key per table so that the addresses
 * senders pick cannot be aimed at one probe chain.
 */

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "selectors.h"

#define MOAT_TS_BITS4	32
#define MOAT_TS_BITS6	128

/* A selector and its owner; kept in the order they were handed in. */
struct moat_ts_entry {
	void *peer;
	struct moat_ts ts;
};

/* Hash slots; a NULL peer marks an empty one. */
struct moat_ts_slot4 {
	void *peer;
	__be32 addr;
	u8 plen;
};

struct moat_ts_slot6 {
	void *peer;
	struct in6_addr addr;
	u8 plen;
};

struct moat_ts_table {
	hsiphash_key_t key;
	/* Number of slots minus one; slot counts are powers of two. */
	u32 mask4;
	u32 mask6;
	struct moat_ts_slot4 *slots4;
	struct moat_ts_slot6 *slots6;
	/* Distinct prefix lengths present, longest first. */
	u8 nlens4;
	u8 nlens6;
	u8 lens4[MOAT_TS_BITS4 + 1];
	u8 lens6[MOAT_TS_BITS6 + 1];
	struct rcu_head rcu;
	/* Every selector, for rebuilds and dumps; slots follow the array. */
	unsigned int n;
	struct moat_ts_entry entries[];
};

/* The first @bits bits of a 32-bit word set, in network byte order. */
static __be32 moat_ts_mask32(unsigned int bits)
{
	return bits ? htonl(~0U << (MOAT_TS_BITS4 - bits)) : 0;
}

static void moat_ts_prefix6(struct in6_addr *dst, const struct in6_addr *src,
			    unsigned int plen)
{
	int i;

	for (i = 0; i < 4; i++) {
		int bits = clamp((int)plen - 32 * i, 0, 32);

		dst->s6_addr32[i] = src->s6_addr32[i] & moat_ts_mask32(bits);
	}
}

static u32 moat_ts_hash4(const struct moat_ts_table *t, __be32 addr, u8 plen)
{
	return hsiphash_2u32((__force u32)addr, plen, &t->key);
}

/*
 * The length is hashed too: nested prefixes such as 2001:db8::/32 and
 * 2001:db8::/48 have the same masked address and would share a chain.
 */
static u32 moat_ts_hash6(const struct moat_ts_table *t,
			 const struct in6_addr *addr, u8 plen)
{
	const u32 w[5] = {
		(__force u32)addr->s6_addr32[0],
		(__force u32)addr->s6_addr32[1],
		(__force u32)addr->s6_addr32[2],
		(__force u32)addr->s6_addr32[3],
		plen,
	};

	return hsiphash(w, sizeof(w), &t->key);
}

/*
 * The slot holding (@addr, @plen), or the empty slot where it belongs.
 * Linear probing always ends: at most half the slots are in use.
 */
static struct moat_ts_slot4 *moat_ts_slot4(const struct moat_ts_table *t,
					   __be32 addr, u8 plen)
{
	u32 i = moat_ts_hash4(t, addr, plen);
	struct moat_ts_slot4 *s;

	for (;; i++) {
		s = &t->slots4[i & t->mask4];
		if (!s->peer || (s->addr == addr && s->plen == plen))
			return s;
	}
}

static struct moat_ts_slot6 *moat_ts_slot6(const struct moat_ts_table *t,
					   const struct in6_addr *addr,
					   u8 plen)
{
	u32 i = moat_ts_hash6(t, addr, plen);
	struct moat_ts_slot6 *s;

	for (;; i++) {
		s = &t->slots6[i & t->mask6];
		if (!s->peer ||
		    (ipv6_addr_equal(&s->addr, addr) && s->plen == plen))
			return s;
	}
}

void *moat_ts_lookup4(const struct moat_ts_table *t, __be32 addr)
{
	unsigned int i;

	if (!t)
		return NULL;
	for (i = 0; i < t->nlens4; i++) {
		u8 plen = t->lens4[i];
		struct moat_ts_slot4 *s;

		s = moat_ts_slot4(t, addr & moat_ts_mask32(plen), plen);
		if (s->peer)
			return s->peer;
	}
	return NULL;
}

void *moat_ts_lookup6(const struct moat_ts_table *t,
		      const struct in6_addr *addr)
{
	struct in6_addr masked;
	unsigned int i;

	if (!t)
		return NULL;
	for (i = 0; i < t->nlens6; i++) {
		u8 plen = t->lens6[i];
		struct moat_ts_slot6 *s;

		moat_ts_prefix6(&masked, addr, plen);
		s = moat_ts_slot6(t, &masked, plen);
		if (s->peer)
			return s->peer;
	}
	return NULL;
}

static int moat_ts_check(const struct moat_ts *ts)
{
	switch (ts->family) {
	case AF_INET:
		return ts->prefixlen <= MOAT_TS_BITS4 ? 0 : -EINVAL;
	case AF_INET6:
		return ts->prefixlen <= MOAT_TS_BITS6 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* A checked selector with its host bits cleared and no stray bytes. */
static void moat_ts_mask(struct moat_ts *dst, const struct moat_ts *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->family = src->family;
	dst->prefixlen = src->prefixlen;
	if (src->family == AF_INET)
		dst->addr.v4 = src->addr.v4 & moat_ts_mask32(src->prefixlen);
	else
		moat_ts_prefix6(&dst->addr.v6, &src->addr.v6, src->prefixlen);
}

static u32 moat_ts_nslots(unsigned int n)
{
	return n ? roundup_pow_of_two(2 * n) : 0;
}

/* An empty table with room for @n4 IPv4 and @n6 IPv6 selectors. */
static struct moat_ts_table *moat_ts_alloc(unsigned int n4, unsigned int n6,
					   gfp_t gfp)
{
	u32 nslots4 = moat_ts_nslots(n4), nslots6 = moat_ts_nslots(n6);
	struct moat_ts_table *t;
	size_t size;
	char *p;

	size = struct_size(t, entries, n4 + n6);
	size = size_add(size, array_size(nslots6, sizeof(*t->slots6)));
	size = size_add(size, array_size(nslots4, sizeof(*t->slots4)));
	t = kvzalloc(size, gfp);
	if (!t)
		return NULL;

	get_random_bytes(&t->key, sizeof(t->key));
	/* Slots are only reached through a prefix length that is present. */
	p = (char *)&t->entries[n4 + n6];
	t->slots6 = (struct moat_ts_slot6 *)p;
	t->mask6 = nslots6 - 1;
	p += nslots6 * sizeof(*t->slots6);
	t->slots4 = (struct moat_ts_slot4 *)p;
	t->mask4 = nslots4 - 1;
	return t;
}

/*
 * Adds a masked, checked selector. The same prefix again for the same peer
 * is dropped; for another peer it is a conflict.
 */
static int moat_ts_add(struct moat_ts_table *t, void *peer,
		       const struct moat_ts *ts)
{
	void **owner;

	if (ts->family == AF_INET) {
		struct moat_ts_slot4 *s;

		s = moat_ts_slot4(t, ts->addr.v4, ts->prefixlen);
		if (!s->peer) {
			s->addr = ts->addr.v4;
			s->plen = ts->prefixlen;
		}
		owner = &s->peer;
	} else {
		struct moat_ts_slot6 *s;

		s = moat_ts_slot6(t, &ts->addr.v6, ts->prefixlen);
		if (!s->peer) {
			s->addr = ts->addr.v6;
			s->plen = ts->prefixlen;
		}
		owner = &s->peer;
	}

	if (*owner)
		return *owner == peer ? 0 : -EEXIST;
	*owner = peer;
	t->entries[t->n].peer = peer;
	t->entries[t->n].ts = *ts;
	t->n++;
	return 0;
}

/* Fills @lens with the lengths set in @has, longest first. */
static u8 moat_ts_fill_lens(const unsigned long *has, int maxlen, u8 *lens)
{
	u8 n = 0;
	int len;

	for (len = maxlen; len >= 0; len--)
		if (test_bit(len, has))
			lens[n++] = len;
	return n;
}

static void moat_ts_index_lens(struct moat_ts_table *t)
{
	DECLARE_BITMAP(has4, MOAT_TS_BITS4 + 1);
	DECLARE_BITMAP(has6, MOAT_TS_BITS6 + 1);
	unsigned int i;

	bitmap_zero(has4, MOAT_TS_BITS4 + 1);
	bitmap_zero(has6, MOAT_TS_BITS6 + 1);
	for (i = 0; i < t->n; i++) {
		const struct moat_ts *ts = &t->entries[i].ts;

		__set_bit(ts->prefixlen, ts->family == AF_INET ? has4 : has6);
	}
	t->nlens4 = moat_ts_fill_lens(has4, MOAT_TS_BITS4, t->lens4);
	t->nlens6 = moat_ts_fill_lens(has6, MOAT_TS_BITS6, t->lens6);
}

static void moat_ts_count_family(const struct moat_ts *ts, unsigned int *n4,
				 unsigned int *n6)
{
	if (ts->family == AF_INET)
		(*n4)++;
	else
		(*n6)++;
}

/*
 * When @t only adds to @old and its slot arrays keep their size, every
 * old entry stays in its slot: copy them, hash key and all, rather than
 * hash each again. Adding a peer then costs a copy, not a rehash.
 */
static bool moat_ts_copy(struct moat_ts_table *t,
			 const struct moat_ts_table *old)
{
	if (t->mask4 != old->mask4 || t->mask6 != old->mask6)
		return false;
	t->key = old->key;
	memcpy(t->entries, old->entries, array_size(old->n, sizeof(*t->entries)));
	t->n = old->n;
	memcpy(t->slots4, old->slots4,
	       array_size(t->mask4 + 1, sizeof(*t->slots4)));
	memcpy(t->slots6, old->slots6,
	       array_size(t->mask6 + 1, sizeof(*t->slots6)));
	return true;
}

/* Hashes @old's entries, but @peer's, into @t. */
static void moat_ts_readd(struct moat_ts_table *t,
			  const struct moat_ts_table *old, void *peer)
{
	unsigned int i;

	/* The old table had no conflicts, so its entries go in unchanged. */
	for (i = 0; i < old->n; i++) {
		const struct moat_ts_entry *e = &old->entries[i];

		if (e->peer != peer)
			WARN_ON_ONCE(moat_ts_add(t, e->peer, &e->ts));
	}
}

/*
 * @old minus @peer's entries plus @ts for @peer. @ts is checked already;
 * on -EEXIST, *@conflict is the index of the entry at fault.
 */
static struct moat_ts_table *moat_ts_build(const struct moat_ts_table *old,
					   void *peer,
					   const struct moat_ts *ts,
					   unsigned int n,
					   unsigned int *conflict, gfp_t gfp)
{
	unsigned int n4 = 0, n6 = 0, i;
	bool only_adds = old;
	struct moat_ts_table *t;
	struct moat_ts m;
	int ret;

	for (i = 0; i < n; i++)
		moat_ts_count_family(&ts[i], &n4, &n6);
	for (i = 0; old && i < old->n; i++) {
		if (old->entries[i].peer != peer)
			moat_ts_count_family(&old->entries[i].ts, &n4, &n6);
		else
			only_adds = false;
	}
	if (n4 + n6 > MOAT_TS_TABLE_MAX)
		return ERR_PTR(-E2BIG);

	t = moat_ts_alloc(n4, n6, gfp);
	if (!t)
		return ERR_PTR(-ENOMEM);

	if (old && !(only_adds && moat_ts_copy(t, old)))
		moat_ts_readd(t, old, peer);
	for (i = 0; i < n; i++) {
		moat_ts_mask(&m, &ts[i]);
		ret = moat_ts_add(t, peer, &m);
		if (ret) {
			*conflict = i;
			kvfree(t);
			return ERR_PTR(ret);
		}
	}
	moat_ts_index_lens(t);
	return t;
}

struct moat_ts_table *moat_ts_replace(const struct moat_ts_table *old,
				      void *peer, const struct moat_ts *ts,
				      unsigned int n, unsigned int *conflict,
				      gfp_t gfp)
{
	unsigned int i, dummy;
	int ret;

	if (!conflict)
		conflict = &dummy;
	/* Not an entry's fault unless an entry is named below. */
	*conflict = n;
	if (!peer)
		return ERR_PTR(-EINVAL);
	if (n > MOAT_TS_MAX)
		return ERR_PTR(-E2BIG);
	for (i = 0; i < n; i++) {
		ret = moat_ts_check(&ts[i]);
		if (ret) {
			*conflict = i;
			return ERR_PTR(ret);
		}
	}
	return moat_ts_build(old, peer, ts, n, conflict, gfp);
}

struct moat_ts_table *moat_ts_remove(const struct moat_ts_table *old,
				     void *peer, gfp_t gfp)
{
	unsigned int dummy;

	return moat_ts_build(old, peer, NULL, 0, &dummy, gfp);
}

void moat_ts_free(struct moat_ts_table *t)
{
	kvfree(t);
}

void moat_ts_free_rcu(struct moat_ts_table *t)
{
	if (t)
		kvfree_rcu(t, rcu);
}

unsigned int moat_ts_get(const struct moat_ts_table *t, const void *peer,
			 struct moat_ts *out, unsigned int max)
{
	unsigned int i, k = 0;

	for (i = 0; t && i < t->n && k < max; i++)
		if (t->entries[i].peer == peer)
			out[k++] = t->entries[i].ts;
	return k;
}

unsigned int moat_ts_count(const struct moat_ts_table *t, const void *peer)
{
	unsigned int i, k = 0;

	for (i = 0; t && i < t->n; i++)
		if (t->entries[i].peer == peer)
			k++;
	return k;
}
