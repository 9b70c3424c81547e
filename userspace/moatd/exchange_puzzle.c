// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8019 §7.1.2, the initiator's IKE_SA_INIT puzzle: a responder under
 * load answers HDR, N(COOKIE), N(PUZZLE). The puzzle names the PRF (one
 * of those we offered) and the difficulty D; S is the cookie's data. We
 * retry with HDR, N(COOKIE), PS, SA, KE, Ni, ... once solved, or with the
 * cookie alone (what a legacy initiator sends, and what §7.1.2 allows)
 * when we will not or cannot solve it in time. A responder that asks a
 * puzzle again gets the same treatment, within IKESA_INIT_ROUNDS.
 */
#include <stdlib.h>

#include "exchange_int.h"

/* Whether one of our IKE proposals offers the PRF @prf. */
static bool prf_offered(const struct moatd_conn *c, uint16_t prf)
{
	const struct ike_proposal *p;
	unsigned int t;
	size_t i;

	for (i = 0; i < c->ike.n; i++) {
		p = &c->ike.prop[i];
		for (t = 0; t < p->n_tr; t++)
			if (p->tr[t].type == IKE_TR_PRF && p->tr[t].id == prf)
				return true;
	}
	return false;
}

int puzzle_ask(struct ikesa *sa, const uint8_t *data, size_t len)
{
	uint16_t prf;
	uint8_t d;

	ike_puzzle_drop(sa);
	if (puzzle_dec_notify(data, len, &prf, &d) ||
	    !prf_offered(sa->conn, prf))
		return -1;
	sa->puzzle = malloc(sizeof(*sa->puzzle));
	if (sa->puzzle &&
	    !puzzle_start(sa->puzzle, prf, d, sa->cookie, sa->cookie_len))
		return 0;
	ike_puzzle_drop(sa);
	return -1;
}

int ike_puzzle_asked(const struct ikesa *sa)
{
	return sa->puzzle ? sa->puzzle->difficulty : -1;
}

void ike_puzzle_drop(struct ikesa *sa)
{
	if (!sa->puzzle)
		return;
	puzzle_end(sa->puzzle);
	free(sa->puzzle);
	sa->puzzle = NULL;
}

/* The solution to send, into sa->ps: solved, or D = 0 and four keys. */
static void take_solution(struct ikesa *sa, int solved)
{
	const struct puzzle *p = sa->puzzle;

	sa->ps_len = 0;
	if ((solved == 1 || (solved == 0 && !p->difficulty)) &&
	    !puzzle_solution(p, sa->ps))
		sa->ps_len = PUZZLE_PS_LEN;
}

int ike_puzzle_work(struct ikesa *sa, unsigned int tries, bool stop,
		    struct ike_out *out)
{
	int r = 0;

	out->len = 0;
	if (!sa->puzzle)
		return -1;
	if (!stop)
		r = puzzle_step(sa->puzzle, tries);
	if (r == 0 && !stop)
		return 0;
	take_solution(sa, r);
	ike_puzzle_drop(sa);
	/* ap: the IKE_AUTH puzzle (exchange_authpuzzle.c) */
	if (ike_auth_puzzle(sa) ? auth_build_request(sa, out) :
				  init_build_request(sa, out))
		ikesa_fail(sa, 0);
	return 1;
}
