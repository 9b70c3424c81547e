// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's clock: every IKE SA has one deadline (the next retransmission,
 * or the end of a half-open SA); the loop sleeps until the earliest.
 * A sorted structure is not worth it for the handful of SAs one host has.
 */
#include <time.h>

#include "daemon.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int timer_next_timeout(void)
{
	uint64_t now = now_ms(), min = 0;
	struct dsa *s;

	for (s = d.sas; s; s = s->next)
		if (s->deadline_ms && (!min || s->deadline_ms < min))
			min = s->deadline_ms;
	if (!min)
		return -1;
	if (min <= now)
		return 0;
	return min - now > 60000 ? 60000 : (int)(min - now);
}

void timer_run(void)
{
	uint64_t now = now_ms();
	struct dsa *s, *next;

	for (s = d.sas; s; s = next) {
		next = s->next;
		if (s->deadline_ms && s->deadline_ms <= now)
			daemon_retransmit(s);
	}
}
