// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: timing an AEAD's implementations to key SAs with the fastest.
 * An implementation that seals differently from the kernel's own choice
 * is refused however fast it is, one the kernel lacks is passed over, and
 * without the reference nothing is picked at all. (UML's clock ticks
 * too coarsely to time anything: its figures may all read 0.)
 */

#include <kunit/test.h>

#include "../crypto.h"

#define GCM		"rfc4106(gcm(aes))"
#define GCM_GENERIC	"rfc4106(gcm_base(ctr(aes-generic),ghash-generic))"
#define CHACHA		"rfc7539esp(chacha20,poly1305)"

static struct moat_aead_pick *new_pick(struct kunit *test)
{
	struct moat_aead_pick *pick = kunit_kzalloc(test, sizeof(*pick),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pick);
	return pick;
}

/* GMAC takes the same key and IV as GCM but leaves the payload clear. */
static void refuses_other_output(struct kunit *test)
{
	static const char *const impls[] = {
		"rfc4543(gcm(aes))", GCM_GENERIC, NULL
	};
	struct moat_aead_pick *pick = new_pick(test);

	KUNIT_ASSERT_EQ(test, moat_aead_time(GCM, impls, 20, pick), 0);
	KUNIT_EXPECT_GE(test, pick->ns[0], 0LL);
	KUNIT_EXPECT_EQ(test, pick->ns[1], (s64)-EBADMSG);
	KUNIT_EXPECT_GE(test, pick->ns[2], 0LL);
	KUNIT_EXPECT_NE(test, pick->best, 1);
	KUNIT_EXPECT_STREQ(test, pick->name[2], GCM_GENERIC);
	KUNIT_EXPECT_NULL(test, pick->name[3]);
}

static void passes_over_missing(struct kunit *test)
{
	static const char *const impls[] = {
		"rfc7539esp(chacha20-nonesuch,poly1305)", NULL
	};
	struct moat_aead_pick *pick = new_pick(test);

	KUNIT_ASSERT_EQ(test, moat_aead_time(CHACHA, impls, 36, pick), 0);
	KUNIT_EXPECT_GE(test, pick->ns[0], 0LL);
	KUNIT_EXPECT_LT(test, pick->ns[1], 0LL);
	KUNIT_EXPECT_EQ(test, pick->best, 0);
}

static void needs_reference(struct kunit *test)
{
	static const char *const impls[] = { CHACHA, NULL };
	struct moat_aead_pick *pick = new_pick(test);

	KUNIT_EXPECT_LT(test, moat_aead_time("rfc7539esp(nonesuch,poly1305)",
					     impls, 36, pick), 0);
	/* A wrong key length rules the reference out the same way. */
	KUNIT_EXPECT_LT(test, moat_aead_time(CHACHA, impls, 20, pick), 0);
	KUNIT_EXPECT_EQ(test, moat_aead_time(CHACHA, impls, 37, pick),
			-EINVAL);
}

/* The implementations listed for ChaCha20-Poly1305 all agree. */
static void chacha_fastest(struct kunit *test)
{
	const struct moat_aead_alg *alg = moat_aead_find(CHACHA);
	struct moat_aead_pick *pick = new_pick(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, alg);
	KUNIT_ASSERT_NOT_NULL(test, alg->impls);
	KUNIT_ASSERT_EQ(test, moat_aead_time(alg->name, alg->impls, 36, pick),
			0);
	for (i = 0; i < MOAT_AEAD_MAX_IMPLS && pick->name[i]; i++) {
		KUNIT_EXPECT_NE(test, pick->ns[i], (s64)-EBADMSG);
		if (pick->ns[i] >= 0)
			KUNIT_EXPECT_LE(test, pick->ns[pick->best],
					pick->ns[i]);
	}
	KUNIT_EXPECT_GE(test, i, 2);
	/* AES and GHASH are not raced: their generic code uses tables. */
	KUNIT_EXPECT_NULL(test, moat_aead_find(GCM)->impls);
}

static struct kunit_case moat_crypto_cases[] = {
	KUNIT_CASE(refuses_other_output),
	KUNIT_CASE(passes_over_missing),
	KUNIT_CASE(needs_reference),
	KUNIT_CASE(chacha_fastest),
	{}
};

static struct kunit_suite moat_crypto_suite = {
	.name = "moat_crypto",
	.test_cases = moat_crypto_cases,
};

kunit_test_suite(moat_crypto_suite);
