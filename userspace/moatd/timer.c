// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's clock: every IKE SA has one deadline (the next retransmission,
 * or the end of a half-open SA), and one for NAT keepalives while behind
 * a NAT; the loop sleeps until the earliest.
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

static uint64_t earlier(uint64_t min, uint64_t t)
{
	return t && (!min || t < min) ? t : min;
}

int timer_next_timeout(void)
{
	uint64_t now = now_ms(), min = 0;
	struct dsa *s;

	for (s = d.sas; s; s = s->next) {
		min = earlier(min, s->deadline_ms);
		min = earlier(min, s->keepalive_ms);
	}
	if (!min)
		return -1;
	if (min <= now)
		return 0;
	return min - now > 60000 ? 60000 : (int)(min - now);
}

/*
 * RFC 3948 2.3: the side behind a NAT keeps its mapping alive with a
 * keepalive every `keepalive` seconds, once IKE is on port 4500.
 */
static void keepalive_run(struct dsa *s, uint64_t now)
{
	const struct ikesa *sa = s->sa;
	uint64_t every = (uint64_t)sa->conn->keepalive * 1000;

	if (sa->state != IKESA_ESTABLISHED || !sa->nat_local || !every ||
	    sa->ep.local_port != IKE_NATT_PORT) {
		s->keepalive_ms = 0;
		return;
	}
	if (s->keepalive_ms && s->keepalive_ms <= now)
		sock_send_keepalive(&sa->ep);
	if (!s->keepalive_ms || s->keepalive_ms <= now)
		s->keepalive_ms = now + every;
}

void timer_run(void)
{
	uint64_t now = now_ms();
	struct dsa *s, *next;

	for (s = d.sas; s; s = next) {
		next = s->next;
		keepalive_run(s, now);
		if (s->deadline_ms && s->deadline_ms <= now)
			daemon_retransmit(s);
	}
}
