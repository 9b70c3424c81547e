// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the SPI table and SA installation. SAs are added to a stand-in
 * device and peer in init_net, looked up by SPI, refused when their SPI
 * is taken, and deleted; outbound SAs become current, then next, and the
 * next one is promoted when the current one goes.
 */

#include <kunit/test.h>
#include <net/net_namespace.h>
#include <net/xfrm.h>

#include "../crypto.h"
#include "../device.h"
#include "../peer.h"
#include "../sa.h"

#define SPI_BASE 0x4d4f0000

static const u8 key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			    15, 16, 17, 18, 19, 20 };

struct sa_env {
	struct net_device *dev;	/* never registered: events need a name */
	struct moat_dev *moat;
	struct moat_peer *peer;
};

static struct sa_env *env_new(struct kunit *test)
{
	struct sa_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	env->dev = alloc_netdev(sizeof(struct moat_dev), "mtest%d",
				NET_NAME_UNKNOWN, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, env->dev);
	env->moat = netdev_priv(env->dev);
	env->moat->dev = env->dev;
	mutex_init(&env->moat->lock);
	INIT_LIST_HEAD(&env->moat->peers);
	env->moat->outer_net = &init_net;
	env->moat->max_sas = MOAT_MAX_SAS_DEFAULT;
	/* The peer is freed by its last SA, so it is not test memory. */
	env->peer = kzalloc(sizeof(*env->peer), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env->peer);
	env->peer->moat = env->moat;
	INIT_LIST_HEAD(&env->peer->sas);
	kref_init(&env->peer->ref);
	return env;
}

static void env_free(struct sa_env *env)
{
	struct moat_sa *sa, *tmp;

	mutex_lock(&env->moat->lock);
	list_for_each_entry_safe(sa, tmp, &env->peer->sas, peer_node)
		moat_sa_remove(sa);
	mutex_unlock(&env->moat->lock);
	moat_peer_put(env->peer);
	moat_sa_flush();
	free_netdev(env->dev);
}

static struct moat_sa *add(struct sa_env *env, u32 spi, u8 dir, int *err)
{
	struct moat_sa_cfg cfg = {
		.spi = spi,
		.dir = dir,
		.replay_window = dir == MOAT_DIR_IN ? 64 : 0,
		.alg = moat_aead_find("rfc4106(gcm(aes))"),
		.key = key,
		.key_len = sizeof(key),
	};
	struct moat_sa *sa;

	mutex_lock(&env->moat->lock);
	sa = moat_sa_new(env->peer, &cfg, NULL);
	mutex_unlock(&env->moat->lock);
	*err = PTR_ERR_OR_ZERO(sa);
	return IS_ERR(sa) ? NULL : sa;
}

static struct moat_sa *lookup(u32 spi)
{
	struct moat_sa *sa;

	rcu_read_lock();
	sa = moat_sa_lookup_in(&init_net, htonl(spi));
	rcu_read_unlock();
	return sa;
}

static void add_lookup_delete(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct moat_sa *sas[64], *sa;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(sas); i++) {
		sas[i] = add(env, SPI_BASE + i * 1031, MOAT_DIR_IN, &err);
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	KUNIT_EXPECT_EQ(test, env->peer->n_sas, 64U);
	for (i = 0; i < ARRAY_SIZE(sas); i++)
		KUNIT_EXPECT_PTR_EQ(test, lookup(SPI_BASE + i * 1031), sas[i]);
	KUNIT_EXPECT_NULL(test, lookup(SPI_BASE + 1));

	/* Delete every other one; the rest stay findable. */
	mutex_lock(&env->moat->lock);
	for (i = 0; i < ARRAY_SIZE(sas); i += 2)
		moat_sa_remove(sas[i]);
	mutex_unlock(&env->moat->lock);
	for (i = 0; i < ARRAY_SIZE(sas); i++) {
		sa = lookup(SPI_BASE + i * 1031);
		KUNIT_EXPECT_PTR_EQ(test, sa, i % 2 ? sas[i] : NULL);
	}
	KUNIT_EXPECT_EQ(test, env->peer->n_sas, 32U);
	env_free(env);
	KUNIT_EXPECT_NULL(test, lookup(SPI_BASE + 1031));
}

static void duplicate_spi_refused(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct moat_sa *first;
	int err;

	first = add(env, SPI_BASE + 7, MOAT_DIR_IN, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_NULL(test, add(env, SPI_BASE + 7, MOAT_DIR_IN, &err));
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	/* Nothing half-installed: the first one is still the one found. */
	KUNIT_EXPECT_PTR_EQ(test, lookup(SPI_BASE + 7), first);
	KUNIT_EXPECT_EQ(test, env->peer->n_sas, 1U);
	/* The same SPI outbound is another SA: SPIs are the receiver's. */
	KUNIT_EXPECT_NOT_NULL(test, add(env, SPI_BASE + 7, MOAT_DIR_OUT, &err));
	KUNIT_EXPECT_NULL(test, add(env, SPI_BASE + 7, MOAT_DIR_OUT, &err));
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	env_free(env);
}

/* Two devices in one outer namespace share its inbound SPI space. */
static void spi_unique_across_devices(struct kunit *test)
{
	struct sa_env *a = env_new(test), *b = env_new(test);
	struct moat_sa *first;
	int err;

	first = add(a, SPI_BASE + 11, MOAT_DIR_IN, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_NULL(test, add(b, SPI_BASE + 11, MOAT_DIR_IN, &err));
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, lookup(SPI_BASE + 11), first);
	KUNIT_EXPECT_EQ(test, b->peer->n_sas, 0U);
	KUNIT_EXPECT_EQ(test, b->moat->n_sas, 0U);
	env_free(b);
	env_free(a);
}

/* An XFRM state of the namespace with @spi, for the shadowing check. */
static struct xfrm_state *xfrm_with_spi(struct kunit *test, u32 spi)
{
	struct xfrm_state *x = xfrm_state_alloc(&init_net);

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->id.spi = htonl(spi);
	x->id.proto = IPPROTO_ESP;
	x->id.daddr.a4 = htonl(0xc0000201);
	x->props.saddr.a4 = htonl(0xc0000202);
	x->props.family = AF_INET;
	x->props.mode = XFRM_MODE_TUNNEL;
	x->km.state = XFRM_STATE_VALID;
	/* The table keeps the allocation's reference; this one is ours. */
	xfrm_state_hold(x);
	KUNIT_ASSERT_EQ(test, xfrm_state_add(x), 0);
	return x;
}

static void xfrm_spi_not_shadowed(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct xfrm_state *x = xfrm_with_spi(test, SPI_BASE + 13);
	int err;

	KUNIT_EXPECT_NULL(test, add(env, SPI_BASE + 13, MOAT_DIR_IN, &err));
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	KUNIT_EXPECT_NULL(test, lookup(SPI_BASE + 13));
	/* Outbound SPIs are the peer's to choose: XFRM's do not matter. */
	KUNIT_EXPECT_NOT_NULL(test, add(env, SPI_BASE + 13, MOAT_DIR_OUT, &err));
	xfrm_state_delete(x);
	xfrm_state_put(x);
	KUNIT_EXPECT_NOT_NULL(test, add(env, SPI_BASE + 13, MOAT_DIR_IN, &err));
	env_free(env);
}

static void sa_cap_refuses_more(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	int err;

	env->moat->max_sas = 2;
	KUNIT_EXPECT_NOT_NULL(test, add(env, SPI_BASE + 20, MOAT_DIR_IN, &err));
	KUNIT_EXPECT_NOT_NULL(test, add(env, SPI_BASE + 21, MOAT_DIR_IN, &err));
	KUNIT_EXPECT_NULL(test, add(env, SPI_BASE + 22, MOAT_DIR_IN, &err));
	KUNIT_EXPECT_EQ(test, err, -ENOSPC);
	KUNIT_EXPECT_NULL(test, lookup(SPI_BASE + 22));
	KUNIT_EXPECT_EQ(test, env->moat->n_sas, 2U);
	env_free(env);
}

/*
 * A lifetime far beyond what jiffies can count must not wrap into a
 * deadline in the past: the timer sleeps a bounded step and re-arms.
 */
static void far_lifetime_waits(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct moat_sa_cfg cfg = {
		.spi = SPI_BASE + 30,
		.dir = MOAT_DIR_IN,
		.replay_window = 64,
		.alg = moat_aead_find("rfc4106(gcm(aes))"),
		.key = key,
		.key_len = sizeof(key),
	};
	struct moat_sa *sa;

	cfg.lt.hard[MOAT_LT_SECONDS] = U64_MAX / HZ + 2;
	mutex_lock(&env->moat->lock);
	sa = moat_sa_new(env->peer, &cfg, NULL);
	mutex_unlock(&env->moat->lock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sa));
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&sa->timer));
	KUNIT_EXPECT_TRUE(test, time_after(sa->timer.timer.expires,
					   jiffies + 3600 * HZ));
	KUNIT_EXPECT_FALSE(test, moat_sa_dead(sa));
	env_free(env);
}

static void bad_key_leaves_nothing(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct moat_sa_cfg cfg = {
		.spi = SPI_BASE + 9,
		.dir = MOAT_DIR_IN,
		.alg = moat_aead_find("rfc4106(gcm(aes))"),
		.key = key,
		.key_len = 5,	/* the crypto API refuses it */
	};
	struct moat_sa *sa;

	mutex_lock(&env->moat->lock);
	sa = moat_sa_new(env->peer, &cfg, NULL);
	mutex_unlock(&env->moat->lock);
	KUNIT_EXPECT_TRUE(test, IS_ERR(sa));
	KUNIT_EXPECT_NULL(test, lookup(SPI_BASE + 9));
	KUNIT_EXPECT_EQ(test, env->peer->n_sas, 0U);
	env_free(env);
}

static void outbound_current_and_next(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct moat_sa *a, *b;
	int err;

	a = add(env, SPI_BASE + 100, MOAT_DIR_OUT, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	b = add(env, SPI_BASE + 101, MOAT_DIR_OUT, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(env->peer->tx_cur), a);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(env->peer->tx_next), b);
	KUNIT_EXPECT_EQ(test, moat_sa_state(a), MOAT_SA_STATE_CURRENT);
	KUNIT_EXPECT_EQ(test, moat_sa_state(b), MOAT_SA_STATE_NEXT);
	/* A third has nowhere to go. */
	KUNIT_EXPECT_NULL(test, add(env, SPI_BASE + 102, MOAT_DIR_OUT, &err));
	KUNIT_EXPECT_EQ(test, err, -EBUSY);
	/* Outbound SAs are not in the inbound table. */
	KUNIT_EXPECT_NULL(test, lookup(SPI_BASE + 100));

	mutex_lock(&env->moat->lock);
	moat_sa_remove(a);
	mutex_unlock(&env->moat->lock);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(env->peer->tx_cur), b);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(env->peer->tx_next));
	env_free(env);
}

static void sequence_numbers_never_wrap(struct kunit *test)
{
	struct sa_env *env = env_new(test);
	struct moat_sa *sa;
	u64 seq;
	int err;

	sa = add(env, SPI_BASE + 200, MOAT_DIR_OUT, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, moat_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 1ULL);
	/* The first packet ever is 1; the last allowed is 2^32 - 1. */
	atomic64_set(&sa->seq, U32_MAX - 1);
	KUNIT_EXPECT_EQ(test, moat_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, (u64)U32_MAX);
	KUNIT_EXPECT_EQ(test, moat_sa_next_seq(sa, &seq), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, moat_sa_dead(sa));
	KUNIT_EXPECT_EQ(test, moat_sa_next_seq(sa, &seq), -ENOSPC);
	env_free(env);
}

static struct kunit_case moat_sa_cases[] = {
	KUNIT_CASE(add_lookup_delete),
	KUNIT_CASE(duplicate_spi_refused),
	KUNIT_CASE(spi_unique_across_devices),
	KUNIT_CASE(xfrm_spi_not_shadowed),
	KUNIT_CASE(sa_cap_refuses_more),
	KUNIT_CASE(far_lifetime_waits),
	KUNIT_CASE(bad_key_leaves_nothing),
	KUNIT_CASE(outbound_current_and_next),
	KUNIT_CASE(sequence_numbers_never_wrap),
	{}
};

static struct kunit_suite moat_sa_suite = {
	.name = "moat_sa",
	.test_cases = moat_sa_cases,
};

kunit_test_suite(moat_sa_suite);
