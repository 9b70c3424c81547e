// SPDX-License-Identifier: GPL-2.0
/* moatd: when SAs are rekeyed (rekey_time.h). */
#include <stdint.h>

#include "harness.h"
#include "rekey_time.h"

/* Never: a rekey-time of 0 schedules nothing, whatever the dice say. */
TEST(rekey_at_never)
{
	CHECK(rekey_at(5000, 0, 0) == 0);
	CHECK(rekey_at(5000, 0, 123456) == 0);
}

/* The jitter moves the rekey earlier, by at most a tenth, never later. */
TEST(rekey_at_jitter_in_the_last_tenth)
{
	uint32_t rnd;
	uint64_t t, lo = UINT64_MAX, hi = 0;

	for (rnd = 0; rnd < 5000; rnd += 7) {
		t = rekey_at(1000, 2, rnd * 2654435761u);
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
	}
	CHECK(lo >= 1000 + 1800);
	CHECK(hi <= 1000 + 2000);
	/* It does spread: the two ends rarely pick the same moment. */
	CHECK(hi - lo >= 150);
	CHECK(rekey_at(0, 3600, 0) == 3600000);
	CHECK(rekey_at(0, 3600, 360000) == 3240000);
	CHECK(rekey_at(0, 3600, 360001) == 3600000);
}

/* A long rekey-time does not overflow. */
TEST(rekey_at_large)
{
	uint64_t t = rekey_at(1, UINT32_MAX, UINT32_MAX);

	CHECK(t > (uint64_t)UINT32_MAX * 900);
	CHECK(t <= (uint64_t)UINT32_MAX * 1000 + 1);
}

/* Retries back off from a second up to half a minute. */
TEST(rekey_retry_backs_off)
{
	CHECK(rekey_retry_at(100, 0) == 1100);
	CHECK(rekey_retry_at(100, 1) == 2100);
	CHECK(rekey_retry_at(100, 3) == 8100);
	CHECK(rekey_retry_at(100, 5) == 30100);
	CHECK(rekey_retry_at(100, 1000) == 30100);
}
