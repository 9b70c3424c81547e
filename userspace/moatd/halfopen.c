// SPDX-License-Identifier: GPL-2.0
/* The half-open count as a load signal; see halfopen.h. */
#include "halfopen.h"

bool halfopen_due(const struct halfopen_rep *r, uint32_t count,
		  uint64_t now)
{
	if (!r->sent_once)
		return true;
	if (count == r->sent)
		return false;
	if (!count || !r->sent)
		return true;	/* crossing zero: at once */
	return now >= r->sent_ms + HALFOPEN_REPORT_MS;
}

void halfopen_sent(struct halfopen_rep *r, uint32_t count, uint64_t now)
{
	r->sent_once = true;
	r->sent = count;
	r->sent_ms = now;
}

uint64_t halfopen_next(const struct halfopen_rep *r, uint32_t count)
{
	if (r->sent_once && count == r->sent)
		return 0;
	if (!r->sent_once || !count || !r->sent)
		return 1;	/* due now */
	return r->sent_ms + HALFOPEN_REPORT_MS;
}

bool halfopen_own_cookies(bool guard_on, uint32_t count, uint32_t at,
			  bool now_on)
{
	if (guard_on || !at)
		return false;
	return now_on ? (uint64_t)count * 2 >= at && count : count >= at;
}
