// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's clock: every IKE SA has a deadline (the next retransmission or
 * liveness check, or the end of a half-open SA) and rekey, delete and
 * expiry times for itself and its Child SAs; the loop sleeps until the
 * earliest, or until the next NAT keepalive while behind a NAT. A sorted
 * structure is not worth it for the handful of SAs one host has.
 */
#include <time.h>

#include "daemon.h"
#include "guardd.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	return b && b < a ? b : a;
}

/* The earliest time anything of @s is due; 0 for none. */
static uint64_t dsa_next(const struct dsa *s)
{
	uint64_t t = earlier(s->deadline_ms, s->ike_rekey_ms);
	const struct kchild *k;
	size_t i;

	t = earlier(t, s->ike_expire_ms);
	t = earlier(t, s->keepalive_ms);
	for (i = 0; i < DSA_KIDS_MAX; i++) {
		k = &s->kids[i];
		if (!k->used)
			continue;
		t = earlier(t, k->gone_ms);
		if (!k->gone_ms)
			t = earlier(earlier(t, k->rekey_ms), k->delete_ms);
	}
	return t;
}

int timer_next_timeout(void)
{
	uint64_t now = now_ms(), min = 0;
	struct dsa *s;

	for (s = d.sas; s; s = s->next)
		min = earlier(min, dsa_next(s));
	min = earlier(min, guardd_next());
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
			daemon_retransmit(s);	/* may free s */
		else
			daemon_timers(s, now);
	}
}
