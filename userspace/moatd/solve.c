// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8019 puzzles moatd solves as initiator, from the event loop: each
 * loop turn gives every waiting IKE SA a slice of SOLVE_SLICE_MS, so the
 * other SAs are served between slices. A puzzle harder than
 * puzzle-max-difficulty, or any puzzle with puzzle-budget 0, is answered
 * at once with the cookie alone; one not solved within puzzle-budget
 * likewise (at D = 0, the best keys found are sent instead).
 */
#include "daemon.h"

#define SOLVE_SLICE_MS 5
#define SOLVE_TRIES 32		/* keys tried between clock reads */

/* Sends the retried IKE_SA_INIT that ike_puzzle_work() built. */
static void solve_done(struct dsa *s, const struct ike_out *out)
{
	const struct ikesa *sa = s->sa;
	uint64_t took = now_ms() - s->solve_from_ms;
	bool auth = ike_auth_puzzle(sa);

	s->solving = false;
	if (sa->state == IKESA_DEAD) {
		daemon_sa_dead(s, auth ? "cannot build the IKE_AUTH request" :
				 "cannot build the IKE_SA_INIT request");
		return;
	}
	if (sa->ps_len)
		dlog(LOG_INFO, "%s: %spuzzle answered after %llu ms",
		     sa->conn->name, auth ? "IKE_AUTH " : "",
		     (unsigned long long)took);
	else
		dlog(LOG_INFO, "%s: %s", sa->conn->name, auth ?
		     "IKE_AUTH puzzle not solved, sending IKE_AUTH without" :
		     "puzzle not solved, retrying with the cookie alone");
	daemon_request_sent(s, out);
}

void solve_begin(struct dsa *s)
{
	static struct ike_out out;
	int diff = ike_puzzle_asked(s->sa);

	if (diff < 0)
		return;
	s->deadline_ms = 0;	/* no retransmission while solving */
	s->solve_from_ms = now_ms();
	s->solve_until_ms = s->solve_from_ms + d.cfg->puzzle_budget_ms;
	s->solving = true;
	dlog(LOG_INFO, "%s: the responder asks %s puzzle of difficulty %d",
	     s->sa->conn->name, ike_auth_puzzle(s->sa) ? "the IKE_AUTH" : "a",
	     diff);
	if (d.cfg->puzzle_budget_ms &&
	    (unsigned int)diff <= d.cfg->puzzle_max_difficulty)
		return;
	if (ike_puzzle_work(s->sa, 0, true, &out) == 1)
		solve_done(s, &out);
}

bool solve_pending(void)
{
	const struct dsa *s;

	for (s = d.sas; s; s = s->next)
		if (s->solving)
			return true;
	return false;
}

/* One slice of work on @s's puzzle. */
static void solve_slice(struct dsa *s)
{
	static struct ike_out out;
	uint64_t now = now_ms(), end = now + SOLVE_SLICE_MS;
	int r = 0;

	while (!r && now < end && now < s->solve_until_ms) {
		r = ike_puzzle_work(s->sa, SOLVE_TRIES, false, &out);
		now = now_ms();
	}
	if (!r && now >= s->solve_until_ms)
		r = ike_puzzle_work(s->sa, 0, true, &out);
	if (r < 0)
		s->solving = false;
	else if (r)
		solve_done(s, &out);
}

void solve_run(void)
{
	struct dsa *s, *next;

	for (s = d.sas; s; s = next) {
		next = s->next;
		if (s->solving)
			solve_slice(s);	/* may free s */
	}
}
