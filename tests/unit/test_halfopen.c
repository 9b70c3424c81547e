// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's half-open reports to the guard (halfopen.c): at most one per
 * HALFOPEN_REPORT_MS, but crossing zero at once; and moatd's own cookies
 * only without a guard, from the threshold on, with hysteresis.
 */
#include "halfopen.h"
#include "harness.h"

TEST(halfopen_first_report_is_due)
{
	struct halfopen_rep r = { 0 };

	CHECK(halfopen_due(&r, 0, 5) && halfopen_next(&r, 0) == 1);
	halfopen_sent(&r, 0, 5);
	CHECK(!halfopen_due(&r, 0, 6) && halfopen_next(&r, 0) == 0);
}

TEST(halfopen_rate_limited)
{
	struct halfopen_rep r = { 0 };

	halfopen_sent(&r, 3, 1000);
	CHECK(!halfopen_due(&r, 4, 1000));
	CHECK(!halfopen_due(&r, 4, 1000 + HALFOPEN_REPORT_MS - 1));
	CHECK(halfopen_next(&r, 4) == 1000 + HALFOPEN_REPORT_MS);
	CHECK(halfopen_due(&r, 4, 1000 + HALFOPEN_REPORT_MS));
	/* Back to what was reported: nothing to say. */
	CHECK(!halfopen_due(&r, 3, 5000) && halfopen_next(&r, 3) == 0);
}

TEST(halfopen_zero_at_once)
{
	struct halfopen_rep r = { 0 };

	halfopen_sent(&r, 2, 1000);
	CHECK(halfopen_due(&r, 0, 1001) && halfopen_next(&r, 0) == 1);
	halfopen_sent(&r, 0, 1001);
	CHECK(halfopen_due(&r, 1, 1002) && halfopen_next(&r, 1) == 1);
}

TEST(halfopen_own_cookies)
{
	CHECK(!halfopen_own_cookies(false, 99, 100, false));
	CHECK(halfopen_own_cookies(false, 100, 100, false));
	CHECK(!halfopen_own_cookies(true, 5000, 100, false));
	CHECK(!halfopen_own_cookies(true, 5000, 100, true));
	CHECK(!halfopen_own_cookies(false, 5000, 0, false));
	/* Hysteresis: on until fewer than half the threshold are left. */
	CHECK(halfopen_own_cookies(false, 50, 100, true));
	CHECK(!halfopen_own_cookies(false, 49, 100, true));
	CHECK(halfopen_own_cookies(false, 1, 1, true));
	CHECK(!halfopen_own_cookies(false, 0, 1, true));
}
