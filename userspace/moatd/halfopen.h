/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moatd's half-open IKE SAs (IKE_SA_INIT answered as responder, IKE_AUTH
 * not yet done) as a load signal. The module's guard hears the count
 * (MOAT_GUARD_A_HALF_OPEN) when it changes, at most once per
 * HALFOPEN_REPORT_MS, but at once when it becomes or stops being zero.
 * Without a guard (mode off, or a module that has none), moatd asks
 * initiators for its own cookies (RFC 7296 §2.6) from half-open-at
 * half-open SAs on, and until fewer than half as many are left. Pure functions: no clock, no kernel.
 */
#ifndef MOATD_HALFOPEN_H
#define MOATD_HALFOPEN_H

#include <stdbool.h>
#include <stdint.h>

#define HALFOPEN_REPORT_MS 100		/* at most 10 reports a second */

struct halfopen_rep {
	bool sent_once;
	uint32_t sent;			/* the count last reported */
	uint64_t sent_ms;		/* when */
};

/* Whether @count is to be reported at @now. */
bool halfopen_due(const struct halfopen_rep *r, uint32_t count,
		  uint64_t now);
/* @count was reported at @now. */
void halfopen_sent(struct halfopen_rep *r, uint32_t count, uint64_t now);
/* When a held-back change is due; 0 when nothing waits. */
uint64_t halfopen_next(const struct halfopen_rep *r, uint32_t count);
/*
 * Whether moatd asks for its own cookies (@now_on: it does now): from @at
 * half-open SAs on, until fewer than half as many are left.
 */
bool halfopen_own_cookies(bool guard_on, uint32_t count, uint32_t at,
			  bool now_on);

#endif
