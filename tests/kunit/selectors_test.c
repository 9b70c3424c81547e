// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: traffic selectors. Fixed cases pin down the edges (default and
 * host routes, host bits, conflicts, replace and remove, IPv6 word
 * boundaries); a randomised case checks longest-prefix match against a
 * naive reference that scans every selector and compares byte by byte,
 * sharing no code with the table it checks.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/inet.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "../selectors.h"

/* Peers are opaque cookies to the table: any distinct pointers will do. */
#define NPEERS		24
#define MAXPER		40
#define NANCHORS	6

static char peer_cookies[NPEERS];

static void *peer(unsigned int i)
{
	return &peer_cookies[i];
}

static struct moat_ts v4(struct kunit *test, const char *addr, u8 plen)
{
	struct moat_ts ts = { .family = AF_INET, .prefixlen = plen };

	KUNIT_ASSERT_TRUE_MSG(test, in4_pton(addr, -1, (u8 *)&ts.addr.v4, -1,
					     NULL), "bad address %s", addr);
	return ts;
}

static struct moat_ts v6(struct kunit *test, const char *addr, u8 plen)
{
	struct moat_ts ts = { .family = AF_INET6, .prefixlen = plen };

	KUNIT_ASSERT_TRUE_MSG(test, in6_pton(addr, -1, ts.addr.v6.s6_addr, -1,
					     NULL), "bad address %s", addr);
	return ts;
}

static void *look4(struct kunit *test, const struct moat_ts_table *t,
		   const char *addr)
{
	return moat_ts_lookup4(t, v4(test, addr, 32).addr.v4);
}

static void *look6(struct kunit *test, const struct moat_ts_table *t,
		   const char *addr)
{
	struct moat_ts ts = v6(test, addr, 128);

	return moat_ts_lookup6(t, &ts.addr.v6);
}

/* Gives @p exactly @ts in *@t, freeing the old table: no readers here. */
static void set_peer(struct kunit *test, struct moat_ts_table **t,
		     unsigned int p, const struct moat_ts *ts, unsigned int n)
{
	unsigned int conflict;
	struct moat_ts_table *nt;

	nt = moat_ts_replace(*t, peer(p), ts, n, &conflict, GFP_KERNEL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(nt), "replace: %ld at entry %u",
			       PTR_ERR(nt), conflict);
	KUNIT_ASSERT_NOT_NULL(test, nt);
	moat_ts_free(*t);
	*t = nt;
}

static void null_and_empty(struct kunit *test)
{
	struct moat_ts_table *t, *t2;
	struct moat_ts out;
	struct in6_addr any = {};

	KUNIT_EXPECT_NULL(test, moat_ts_lookup4(NULL, 0));
	KUNIT_EXPECT_NULL(test, moat_ts_lookup6(NULL, &any));
	KUNIT_EXPECT_EQ(test, moat_ts_count(NULL, peer(0)), 0);
	KUNIT_EXPECT_EQ(test, moat_ts_get(NULL, peer(0), &out, 1), 0);
	moat_ts_free(NULL);
	moat_ts_free_rcu(NULL);

	/* Building from nothing gives a real, empty table. */
	t = moat_ts_replace(NULL, peer(0), NULL, 0, NULL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(t));
	KUNIT_EXPECT_NULL(test, look4(test, t, "10.0.0.1"));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8::1"));
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), 0);

	t2 = moat_ts_remove(NULL, peer(0), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(t2));
	KUNIT_EXPECT_NULL(test, look4(test, t2, "0.0.0.0"));
	moat_ts_free(t2);
	moat_ts_free(t);
}

static void default_routes(struct kunit *test)
{
	struct moat_ts a[] = {
		v4(test, "0.0.0.0", 0), v6(test, "::", 0),
	};
	struct moat_ts b[] = {
		v4(test, "10.0.0.0", 8), v6(test, "2001:db8::", 32),
	};
	struct moat_ts_table *t = NULL;

	set_peer(test, &t, 0, a, 1);
	/* An IPv4 default route says nothing about IPv6. */
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "1.2.3.4"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "255.255.255.255"), peer(0));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8::1"));
	KUNIT_EXPECT_NULL(test, look6(test, t, "::ffff:1.2.3.4"));

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	set_peer(test, &t, 1, b, ARRAY_SIZE(b));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "0.0.0.0"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "9.255.255.255"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.0"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.255.255.255"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "11.0.0.0"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "::"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:ffff::1"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db9::"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "ffff::"), peer(0));
	moat_ts_free(t);
}

static void host_routes(struct kunit *test)
{
	struct moat_ts a[] = {
		v4(test, "192.0.2.1", 32), v6(test, "2001:db8::1", 128),
	};
	struct moat_ts b[] = {
		v4(test, "192.0.2.0", 24), v6(test, "2001:db8::", 64),
	};
	struct moat_ts_table *t = NULL;

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "192.0.2.1"), peer(0));
	KUNIT_EXPECT_NULL(test, look4(test, t, "192.0.2.0"));
	KUNIT_EXPECT_NULL(test, look4(test, t, "192.0.2.2"));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::1"), peer(0));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8::"));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8::2"));

	/* The host route wins over the subnet around it, and only for itself. */
	set_peer(test, &t, 1, b, ARRAY_SIZE(b));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "192.0.2.1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "192.0.2.0"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "192.0.2.2"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "192.0.2.255"), peer(1));
	KUNIT_EXPECT_NULL(test, look4(test, t, "192.0.3.1"));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::1:0"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::8000:0:0:1"),
			    peer(1));
	moat_ts_free(t);
}

static void host_bits_masked(struct kunit *test)
{
	struct moat_ts in[] = {
		v4(test, "10.1.2.3", 8), v4(test, "172.16.255.255", 12),
		v6(test, "2001:db8:1:2:3:4:5:6", 48), v4(test, "1.2.3.4", 0),
	};
	struct moat_ts out[ARRAY_SIZE(in)];
	struct moat_ts_table *t = NULL;
	struct moat_ts want;

	set_peer(test, &t, 0, in, ARRAY_SIZE(in));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.200.0.1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "172.16.0.0"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "172.31.255.255"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:1::"), peer(0));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8:2::"));

	/* Dumps give the prefixes back with the host bits cleared. */
	KUNIT_ASSERT_EQ(test, moat_ts_get(t, peer(0), out, ARRAY_SIZE(out)),
			ARRAY_SIZE(in));
	want = v4(test, "10.0.0.0", 8);
	KUNIT_EXPECT_EQ(test, memcmp(&out[0], &want, sizeof(want)), 0);
	want = v4(test, "172.16.0.0", 12);
	KUNIT_EXPECT_EQ(test, memcmp(&out[1], &want, sizeof(want)), 0);
	want = v6(test, "2001:db8:1::", 48);
	KUNIT_EXPECT_EQ(test, memcmp(&out[2], &want, sizeof(want)), 0);
	want = v4(test, "0.0.0.0", 0);
	KUNIT_EXPECT_EQ(test, memcmp(&out[3], &want, sizeof(want)), 0);
	moat_ts_free(t);
}

static void expect_conflict(struct kunit *test, struct moat_ts_table *t,
			    unsigned int p, const struct moat_ts *ts,
			    unsigned int n, unsigned int at)
{
	unsigned int conflict = 12345;
	struct moat_ts_table *nt;

	nt = moat_ts_replace(t, peer(p), ts, n, &conflict, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, IS_ERR(nt));
	KUNIT_EXPECT_EQ(test, PTR_ERR(nt), -EEXIST);
	KUNIT_EXPECT_EQ(test, conflict, at);
}

static void duplicate_across_peers(struct kunit *test)
{
	struct moat_ts a[] = {
		v4(test, "10.0.0.0", 8), v6(test, "2001:db8::", 32),
		v4(test, "0.0.0.0", 0),
	};
	struct moat_ts b4[] = {
		v4(test, "192.168.0.0", 16), v4(test, "10.0.0.0", 16),
		v4(test, "10.5.0.0", 8), v4(test, "0.0.0.0", 0),
	};
	struct moat_ts b6[] = {
		v6(test, "2001:db8::", 33), v6(test, "2001:db8:ffff::", 32),
	};
	/* Same bits in the other family or another length: no conflict. */
	struct moat_ts ok[] = {
		v6(test, "::", 0), v4(test, "10.0.0.0", 9), v4(test, "10.0.0.0", 7),
		v6(test, "::ffff:10.0.0.0", 104),
	};
	struct moat_ts_table *t = NULL;

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	/* 10.5.0.0/8 is 10.0.0.0/8 once masked: entry 2 is reported. */
	expect_conflict(test, t, 1, b4, ARRAY_SIZE(b4), 2);
	expect_conflict(test, t, 1, b6, ARRAY_SIZE(b6), 1);
	/* The failed calls left the table as it was. */
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "192.168.0.1"), peer(0));
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(1)), 0);
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), ARRAY_SIZE(a));

	set_peer(test, &t, 1, ok, ARRAY_SIZE(ok));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.1"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.128.0.1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "11.0.0.1"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "12.0.0.1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "::ffff:10.1.1.1"), peer(1));
	moat_ts_free(t);
}

static void duplicate_within_peer(struct kunit *test)
{
	struct moat_ts a[] = {
		v4(test, "10.0.0.0", 8), v4(test, "10.1.2.3", 8),
		v6(test, "2001:db8::1", 64), v6(test, "2001:db8::", 64),
		v4(test, "10.0.0.0", 8),
	};
	struct moat_ts out[ARRAY_SIZE(a)];
	struct moat_ts_table *t = NULL;

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), 2);
	KUNIT_ASSERT_EQ(test, moat_ts_get(t, peer(0), out, ARRAY_SIZE(out)), 2);
	KUNIT_EXPECT_EQ(test, out[0].family, AF_INET);
	KUNIT_EXPECT_EQ(test, out[1].family, AF_INET6);
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.9.9.9"), peer(0));

	/* Replacing a peer with what it already has is no conflict. */
	set_peer(test, &t, 0, a, 2);
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), 1);
	moat_ts_free(t);
}

static void replace_semantics(struct kunit *test)
{
	struct moat_ts a1[] = {
		v4(test, "10.0.0.0", 8), v4(test, "192.168.0.0", 16),
		v6(test, "2001:db8::", 48),
	};
	struct moat_ts a2[] = { v4(test, "172.16.0.0", 12) };
	struct moat_ts b[] = { v4(test, "10.0.0.0", 8) };
	struct moat_ts_table *t = NULL;

	set_peer(test, &t, 0, a1, ARRAY_SIZE(a1));
	set_peer(test, &t, 1, NULL, 0);
	expect_conflict(test, t, 1, b, ARRAY_SIZE(b), 0);

	/* Peer 0's old prefixes vanish, so peer 1 may now take one. */
	set_peer(test, &t, 0, a2, ARRAY_SIZE(a2));
	KUNIT_EXPECT_NULL(test, look4(test, t, "10.1.1.1"));
	KUNIT_EXPECT_NULL(test, look4(test, t, "192.168.1.1"));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8::1"));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "172.16.1.1"), peer(0));
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), 1);

	set_peer(test, &t, 1, b, ARRAY_SIZE(b));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.1.1.1"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "172.16.1.1"), peer(0));

	/* An empty set clears the peer and nobody else. */
	set_peer(test, &t, 0, NULL, 0);
	KUNIT_EXPECT_NULL(test, look4(test, t, "172.16.1.1"));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.1.1.1"), peer(1));
	moat_ts_free(t);
}

static void remove_peer(struct kunit *test)
{
	struct moat_ts a[] = {
		v4(test, "0.0.0.0", 0), v6(test, "2001:db8::", 32),
	};
	struct moat_ts b[] = {
		v4(test, "10.0.0.0", 8), v6(test, "2001:db8:1::", 48),
	};
	struct moat_ts_table *t = NULL, *nt;

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	set_peer(test, &t, 1, b, ARRAY_SIZE(b));

	nt = moat_ts_remove(t, peer(1), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(nt));
	/* The old table is untouched: readers may still be using it. */
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.1"), peer(1));
	moat_ts_free(t);
	t = nt;
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.1"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:1::1"), peer(0));
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(1)), 0);
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), 2);

	/* Removing a peer the table doesn't know changes nothing. */
	nt = moat_ts_remove(t, peer(2), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(nt));
	moat_ts_free(t);
	t = nt;
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), 2);
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.1"), peer(0));

	nt = moat_ts_remove(t, peer(0), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(nt));
	moat_ts_free(t);
	t = nt;
	KUNIT_EXPECT_NULL(test, look4(test, t, "10.0.0.1"));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8::1"));
	moat_ts_free(t);
}

static void expect_invalid(struct kunit *test, void *p,
			   const struct moat_ts *ts, unsigned int n,
			   long err, unsigned int at)
{
	unsigned int conflict = 12345;
	struct moat_ts_table *nt;

	nt = moat_ts_replace(NULL, p, ts, n, &conflict, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, IS_ERR(nt));
	KUNIT_EXPECT_EQ(test, PTR_ERR(nt), err);
	KUNIT_EXPECT_EQ(test, conflict, at);
}

static void invalid_input(struct kunit *test)
{
	struct moat_ts bad[] = {
		v4(test, "10.0.0.0", 8), v4(test, "10.0.0.0", 32),
		v6(test, "::", 128), v4(test, "10.0.0.0", 33),
		v6(test, "::", 129), { .family = AF_UNSPEC },
	};
	struct moat_ts *many;
	struct moat_ts_table *t;
	unsigned int i;

	expect_invalid(test, peer(0), bad, 4, -EINVAL, 3);
	expect_invalid(test, peer(0), &bad[4], 1, -EINVAL, 0);
	expect_invalid(test, peer(0), &bad[5], 1, -EINVAL, 0);
	expect_invalid(test, NULL, bad, 1, -EINVAL, 1);

	many = kunit_kcalloc(test, MOAT_TS_MAX + 1, sizeof(*many), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, many);
	for (i = 0; i <= MOAT_TS_MAX; i++) {
		many[i].family = AF_INET;
		many[i].prefixlen = 32;
		many[i].addr.v4 = htonl(0x0a000000 + i);
	}
	expect_invalid(test, peer(0), many, MOAT_TS_MAX + 1, -E2BIG,
		       MOAT_TS_MAX + 1);

	t = moat_ts_replace(NULL, peer(0), many, MOAT_TS_MAX, NULL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(t));
	KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(0)), MOAT_TS_MAX);
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.0.0.255"), peer(0));
	KUNIT_EXPECT_NULL(test, look4(test, t, "10.0.1.0"));
	moat_ts_free(t);
}

static void v6_boundaries(struct kunit *test)
{
	struct moat_ts ts[] = {
		v6(test, "2001:db8:0:1::", 64),
		v6(test, "2001:db8:0:1:8000::", 65),
		v6(test, "2001:db8:0:1::", 127),
		v6(test, "2001:db8:0:1:8000::2", 127),
		v6(test, "2001:db8::", 63),
		v6(test, "2001:db8:0:1:0:1::", 96),
	};
	struct moat_ts_table *t = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ts); i++)
		set_peer(test, &t, i, &ts[i], 1);

	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1::5"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t,
					"2001:db8:0:1:7fff:ffff:ffff:ffff"),
			    peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:8000::"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:8000::1"),
			    peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t,
					"2001:db8:0:1:ffff:ffff:ffff:ffff"),
			    peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1::"), peer(2));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1::1"), peer(2));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1::2"), peer(0));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:8000::2"),
			    peer(3));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:8000::3"),
			    peer(3));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:8000::4"),
			    peer(1));
	/* /63 covers 2001:db8:0:0::/64 and the /64s above, which win. */
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8::5"), peer(4));
	KUNIT_EXPECT_NULL(test, look6(test, t, "2001:db8:0:2::"));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:0:1:ffff:ffff"),
			    peer(5));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "2001:db8:0:1:0:2::"),
			    peer(0));
	moat_ts_free(t);
}

static void v4_mapped_is_v6(struct kunit *test)
{
	struct moat_ts a[] = { v6(test, "::ffff:10.0.0.0", 104) };
	struct moat_ts b[] = { v4(test, "10.0.0.0", 8) };
	struct moat_ts_table *t = NULL;

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "::ffff:10.1.2.3"), peer(0));
	KUNIT_EXPECT_NULL(test, look4(test, t, "10.1.2.3"));
	set_peer(test, &t, 1, b, ARRAY_SIZE(b));
	KUNIT_EXPECT_PTR_EQ(test, look4(test, t, "10.1.2.3"), peer(1));
	KUNIT_EXPECT_PTR_EQ(test, look6(test, t, "::ffff:10.1.2.3"), peer(0));
	KUNIT_EXPECT_NULL(test, look6(test, t, "::10.1.2.3"));
	moat_ts_free(t);
}

static void dump_order_and_limit(struct kunit *test)
{
	struct moat_ts a[] = {
		v4(test, "10.3.0.0", 16), v6(test, "2001:db8:3::", 48),
		v4(test, "10.1.0.0", 16), v4(test, "10.2.0.0", 16),
	};
	struct moat_ts b[] = { v4(test, "10.9.0.0", 16) };
	struct moat_ts out[ARRAY_SIZE(a)];
	struct moat_ts_table *t = NULL;
	unsigned int i;

	set_peer(test, &t, 0, a, ARRAY_SIZE(a));
	set_peer(test, &t, 1, b, ARRAY_SIZE(b));
	KUNIT_ASSERT_EQ(test, moat_ts_get(t, peer(0), out, ARRAY_SIZE(out)),
			ARRAY_SIZE(a));
	for (i = 0; i < ARRAY_SIZE(a); i++)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&out[i], &a[i], sizeof(a[i])),
				    0, "entry %u", i);
	memset(out, 0, sizeof(out));
	KUNIT_EXPECT_EQ(test, moat_ts_get(t, peer(0), out, 2), 2);
	KUNIT_EXPECT_EQ(test, out[2].family, 0);
	KUNIT_EXPECT_EQ(test, moat_ts_get(t, peer(0), out, 0), 0);
	KUNIT_EXPECT_EQ(test, moat_ts_get(t, peer(1), out, 4), 1);
	KUNIT_EXPECT_EQ(test, moat_ts_get(t, peer(2), out, 4), 0);
	moat_ts_free(t);
}

/*
 * Full peers: many entries of one length share a hash, so probe chains
 * form; every host must still be found and its neighbours missed.
 */
static void full_peers(struct kunit *test)
{
	const unsigned int npeers = 16;
	struct moat_ts_table *t = NULL;
	struct moat_ts *ts;
	struct in6_addr a6;
	unsigned int p, i;

	ts = kunit_kcalloc(test, MOAT_TS_MAX, sizeof(*ts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ts);
	for (p = 0; p < npeers; p++) {
		/* The even hosts of 10.p.0.0/24 and of a /120 per peer. */
		for (i = 0; i < MOAT_TS_MAX; i++) {
			ts[i] = i & 1 ? v6(test, "2001:db8::", 128) :
					v4(test, "10.0.0.0", 32);
			if (i & 1) {
				ts[i].addr.v6.s6_addr[4] = p;
				ts[i].addr.v6.s6_addr32[3] = htonl(i - 1);
			} else {
				ts[i].addr.v4 = htonl(0x0a000000 | p << 16 | i);
			}
		}
		set_peer(test, &t, p, ts, MOAT_TS_MAX);
	}
	for (p = 0; p < npeers; p++) {
		KUNIT_EXPECT_EQ(test, moat_ts_count(t, peer(p)), MOAT_TS_MAX);
		a6 = v6(test, "2001:db8::", 128).addr.v6;
		a6.s6_addr[4] = p;
		for (i = 0; i < 2 * MOAT_TS_MAX; i += 2) {
			void *want = i < MOAT_TS_MAX ? peer(p) : NULL;
			__be32 a4 = htonl(0x0a000000 | p << 16 | i);
			__be32 odd4 = htonl(0x0a000000 | p << 16 | (i + 1));

			KUNIT_EXPECT_PTR_EQ(test, moat_ts_lookup4(t, a4), want);
			KUNIT_EXPECT_NULL(test, moat_ts_lookup4(t, odd4));
			a6.s6_addr32[3] = htonl(i);
			KUNIT_EXPECT_PTR_EQ(test, moat_ts_lookup6(t, &a6), want);
			a6.s6_addr32[3] = htonl(i + 1);
			KUNIT_EXPECT_NULL(test, moat_ts_lookup6(t, &a6));
		}
	}
	moat_ts_free(t);
}

/* The pattern the device follows: publish, look up under RCU, retire. */
static void rcu_publish(struct kunit *test)
{
	struct moat_ts a[] = { v4(test, "10.0.0.0", 8) };
	struct moat_ts b[] = { v4(test, "10.0.0.0", 16) };
	struct moat_ts_table __rcu *slot = NULL;
	struct moat_ts_table *old, *nt;
	__be32 addr = v4(test, "10.0.1.1", 32).addr.v4;
	void *got;
	int i;

	for (i = 0; i < 2; i++) {
		old = rcu_dereference_protected(slot, true);
		nt = moat_ts_replace(old, peer(i), i ? b : a, 1, NULL,
				     GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(nt));
		rcu_assign_pointer(slot, nt);
		moat_ts_free_rcu(old);

		rcu_read_lock();
		got = moat_ts_lookup4(rcu_dereference(slot), addr);
		rcu_read_unlock();
		KUNIT_EXPECT_PTR_EQ(test, got, peer(i));
	}
	moat_ts_free_rcu(rcu_dereference_protected(slot, true));
}

/*
 * Randomised check against a reference. Prefixes are drawn around a few
 * anchor addresses per family so that they nest and collide; lookups hit
 * random addresses, addresses near the anchors and the first and last
 * address of inserted prefixes and their neighbours outside.
 */
struct ref {
	u64 rng;
	/* No prefixes shorter than /8, so that some lookups find nothing. */
	bool no_short;
	unsigned int n[NPEERS];
	struct moat_ts ts[NPEERS][MAXPER];
	struct moat_ts anchor[2][NANCHORS];
	/* Scratch space, kept off the stack. */
	struct moat_ts set[MAXPER];
	struct moat_ts want[MAXPER];
	struct moat_ts got[MAXPER];
};

static u32 rnd(struct ref *r)
{
	/* xorshift64*: deterministic, and good enough to pick test data. */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (r->rng * 0x2545f4914f6cdd1dULL) >> 32;
}

static u32 rnd_below(struct ref *r, u32 n)
{
	return rnd(r) % n;
}

static unsigned int nbytes(const struct moat_ts *ts)
{
	return ts->family == AF_INET ? 4 : 16;
}

static u8 *bytes(struct moat_ts *ts)
{
	return ts->family == AF_INET ? (u8 *)&ts->addr.v4 : ts->addr.v6.s6_addr;
}

static const u8 *cbytes(const struct moat_ts *ts)
{
	return bytes((struct moat_ts *)ts);
}

/* Which bits of byte @i a /@plen prefix covers. */
static u8 byte_mask(unsigned int i, unsigned int plen)
{
	if (plen >= 8 * i + 8)
		return 0xff;
	if (plen <= 8 * i)
		return 0;
	return 0xff << (8 - (plen - 8 * i));
}

static bool ref_match(const struct moat_ts *addr, const struct moat_ts *pfx)
{
	const u8 *a = cbytes(addr), *p = cbytes(pfx);
	unsigned int i;

	if (addr->family != pfx->family)
		return false;
	for (i = 0; i < nbytes(pfx); i++)
		if ((a[i] ^ p[i]) & byte_mask(i, pfx->prefixlen))
			return false;
	return true;
}

static bool same_prefix(const struct moat_ts *x, const struct moat_ts *y)
{
	return x->prefixlen == y->prefixlen && ref_match(x, y);
}

static void *ref_lookup(const struct ref *r, const struct moat_ts *addr)
{
	int best = -1, bestlen = -1;
	unsigned int p, j;

	for (p = 0; p < NPEERS; p++) {
		for (j = 0; j < r->n[p]; j++) {
			const struct moat_ts *e = &r->ts[p][j];

			if (e->prefixlen > bestlen && ref_match(addr, e)) {
				best = p;
				bestlen = e->prefixlen;
			}
		}
	}
	return best < 0 ? NULL : peer(best);
}

/* Index of the first of @ts that another peer owns, or @n. */
static unsigned int ref_first_conflict(const struct ref *r, unsigned int p,
				       const struct moat_ts *ts,
				       unsigned int n)
{
	unsigned int i, q, j;

	for (i = 0; i < n; i++)
		for (q = 0; q < NPEERS; q++)
			for (j = 0; q != p && j < r->n[q]; j++)
				if (same_prefix(&ts[i], &r->ts[q][j]))
					return i;
	return n;
}

/* Keeps the first @keep bits of @ts and randomises the rest. */
static void randomise_bits(struct ref *r, struct moat_ts *ts,
			   unsigned int keep)
{
	u8 *b = bytes(ts);
	unsigned int i;

	for (i = 0; i < nbytes(ts); i++)
		b[i] = (b[i] & byte_mask(i, keep)) |
		       (rnd(r) & ~byte_mask(i, keep));
}

/* An address sharing a random number of leading bits with an anchor. */
static void near_anchor(struct ref *r, struct moat_ts *ts)
{
	unsigned int fam = rnd_below(r, 2);

	*ts = r->anchor[fam][rnd_below(r, NANCHORS)];
	randomise_bits(r, ts, rnd_below(r, 8 * nbytes(ts) + 1));
}

static void random_prefix(struct ref *r, struct moat_ts *ts)
{
	static const u8 edges4[] = { 0, 1, 8, 24, 31, 32 };
	static const u8 edges6[] = { 0, 1, 32, 63, 64, 65, 96, 127, 128 };

	near_anchor(r, ts);
	if (rnd_below(r, 4))
		ts->prefixlen = rnd_below(r, 8 * nbytes(ts) + 1);
	else if (ts->family == AF_INET)
		ts->prefixlen = edges4[rnd_below(r, ARRAY_SIZE(edges4))];
	else
		ts->prefixlen = edges6[rnd_below(r, ARRAY_SIZE(edges6))];
	if (r->no_short && ts->prefixlen < 8)
		ts->prefixlen += 8;
}

static void random_set(struct ref *r, struct moat_ts *ts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i && !rnd_below(r, 8)) {
			/* A duplicate, with different host bits. */
			ts[i] = ts[rnd_below(r, i)];
			randomise_bits(r, &ts[i], ts[i].prefixlen);
		} else {
			random_prefix(r, &ts[i]);
		}
	}
}

/* Gives peer @p a random set, dropping entries until nothing conflicts. */
static void put_random(struct kunit *test, struct ref *r,
		       struct moat_ts_table **t, unsigned int p)
{
	unsigned int n = rnd_below(r, MAXPER + 1), conflict;
	struct moat_ts *ts = r->set;
	struct moat_ts_table *nt;

	random_set(r, ts, n);
	for (;;) {
		unsigned int want = ref_first_conflict(r, p, ts, n);

		nt = moat_ts_replace(*t, peer(p), ts, n, &conflict,
				     GFP_KERNEL);
		if (!IS_ERR(nt))
			break;
		KUNIT_ASSERT_EQ(test, PTR_ERR(nt), -EEXIST);
		KUNIT_ASSERT_EQ(test, conflict, want);
		memmove(&ts[conflict], &ts[conflict + 1],
			(n - conflict - 1) * sizeof(ts[0]));
		n--;
	}
	KUNIT_ASSERT_NOT_NULL(test, nt);
	KUNIT_ASSERT_EQ(test, ref_first_conflict(r, p, ts, n), n);
	moat_ts_free(*t);
	*t = nt;
	memcpy(r->ts[p], ts, n * sizeof(ts[0]));
	r->n[p] = n;
}

static void step(struct moat_ts *ts, int dir)
{
	u8 *b = bytes(ts);
	int i;

	for (i = nbytes(ts) - 1; i >= 0; i--) {
		b[i] += dir;
		if (b[i] != (dir > 0 ? 0x00 : 0xff))
			break;
	}
}

/*
 * The first or last address of a random selector, the address just
 * outside either end, or one inside.
 */
static bool at_edge(struct ref *r, struct moat_ts *a)
{
	unsigned int total = 0, p, k, i;
	u8 *b;

	for (p = 0; p < NPEERS; p++)
		total += r->n[p];
	if (!total)
		return false;
	k = rnd_below(r, total);
	for (p = 0; k >= r->n[p]; p++)
		k -= r->n[p];
	*a = r->ts[p][k];
	b = bytes(a);
	k = rnd_below(r, 5);
	for (i = 0; i < nbytes(a); i++) {
		u8 m = byte_mask(i, a->prefixlen);

		b[i] = k & 1 ? b[i] | ~m : b[i] & m;
	}
	if (k == 2)
		step(a, -1);
	else if (k == 3)
		step(a, 1);
	else if (k == 4)
		randomise_bits(r, a, a->prefixlen);
	return true;
}

static void check_lookups(struct kunit *test, struct ref *r,
			  const struct moat_ts_table *t, unsigned int count)
{
	struct moat_ts a;
	void *got;

	while (count--) {
		switch (rnd_below(r, 4)) {
		case 0:
			near_anchor(r, &a);
			randomise_bits(r, &a, 0);
			break;
		case 1:
			near_anchor(r, &a);
			break;
		default:
			if (!at_edge(r, &a))
				near_anchor(r, &a);
		}
		if (a.family == AF_INET) {
			got = moat_ts_lookup4(t, a.addr.v4);
			KUNIT_ASSERT_PTR_EQ_MSG(test, got, ref_lookup(r, &a),
						"lookup of %pI4", &a.addr.v4);
		} else {
			got = moat_ts_lookup6(t, &a.addr.v6);
			KUNIT_ASSERT_PTR_EQ_MSG(test, got, ref_lookup(r, &a),
						"lookup of %pI6c", &a.addr.v6);
		}
	}
}

/* A dump is the peer's distinct masked prefixes, in the order given. */
static void check_dump(struct kunit *test, struct ref *r,
		       const struct moat_ts_table *t, unsigned int p)
{
	struct moat_ts *want = r->want, *got = r->got;
	unsigned int n = 0, i, j;

	for (i = 0; i < r->n[p]; i++) {
		struct moat_ts m = {
			.family = r->ts[p][i].family,
			.prefixlen = r->ts[p][i].prefixlen,
		};

		for (j = 0; j < nbytes(&m); j++)
			bytes(&m)[j] = cbytes(&r->ts[p][i])[j] &
				       byte_mask(j, m.prefixlen);
		for (j = 0; j < n && !same_prefix(&want[j], &m); j++)
			;
		if (j == n)
			want[n++] = m;
	}
	KUNIT_ASSERT_EQ(test, moat_ts_count(t, peer(p)), n);
	KUNIT_ASSERT_EQ(test, moat_ts_get(t, peer(p), got, MAXPER), n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ_MSG(test, memcmp(&got[i], &want[i],
						 sizeof(got[i])), 0,
				    "peer %u entry %u", p, i);
}

static void check_all(struct kunit *test, struct ref *r,
		      const struct moat_ts_table *t, unsigned int lookups)
{
	unsigned int p;

	check_lookups(test, r, t, lookups);
	for (p = 0; p < NPEERS; p++)
		check_dump(test, r, t, p);
}

struct random_param {
	u64 seed;
	bool no_short;
};

static const struct random_param random_params[] = {
	{ 0x9e3779b97f4a7c15ULL, false },
	{ 1, false },
	{ 0xdeadbeefcafef00dULL, true },
	{ 20240601, true },
};

static void random_desc(const struct random_param *param, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %llx%s", param->seed,
		 param->no_short ? ", no short prefixes" : "");
}

KUNIT_ARRAY_PARAM(random, random_params, random_desc);

static void random_vs_reference(struct kunit *test)
{
	const struct random_param *param = test->param_value;
	struct ref *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct moat_ts_table *t = NULL, *nt;
	unsigned int i, p;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->rng = param->seed;
	r->no_short = param->no_short;
	for (i = 0; i < NANCHORS; i++) {
		r->anchor[0][i].family = AF_INET;
		r->anchor[1][i].family = AF_INET6;
		randomise_bits(r, &r->anchor[0][i], 0);
		randomise_bits(r, &r->anchor[1][i], 0);
	}

	for (p = 0; p < NPEERS; p++)
		put_random(test, r, &t, p);
	check_all(test, r, t, 3000);

	/* Churn: replace and remove peers, checking after every change. */
	for (i = 0; i < 60; i++) {
		p = rnd_below(r, NPEERS);
		if (rnd_below(r, 4)) {
			put_random(test, r, &t, p);
		} else {
			nt = moat_ts_remove(t, peer(p), GFP_KERNEL);
			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(nt));
			moat_ts_free(t);
			t = nt;
			r->n[p] = 0;
		}
		check_lookups(test, r, t, 200);
		check_dump(test, r, t, p);
	}
	check_all(test, r, t, 3000);
	moat_ts_free(t);
}

static struct kunit_case moat_selectors_cases[] = {
	KUNIT_CASE(null_and_empty),
	KUNIT_CASE(default_routes),
	KUNIT_CASE(host_routes),
	KUNIT_CASE(host_bits_masked),
	KUNIT_CASE(duplicate_across_peers),
	KUNIT_CASE(duplicate_within_peer),
	KUNIT_CASE(replace_semantics),
	KUNIT_CASE(remove_peer),
	KUNIT_CASE(invalid_input),
	KUNIT_CASE(v6_boundaries),
	KUNIT_CASE(v4_mapped_is_v6),
	KUNIT_CASE(dump_order_and_limit),
	KUNIT_CASE(full_peers),
	KUNIT_CASE(rcu_publish),
	KUNIT_CASE_PARAM(random_vs_reference, random_gen_params),
	{}
};

static struct kunit_suite moat_selectors_suite = {
	.name = "moat_selectors",
	.test_cases = moat_selectors_cases,
};

kunit_test_suite(moat_selectors_suite);
