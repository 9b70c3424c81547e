// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8019 §7.2, the IKE_AUTH puzzle, both roles.
 *
 * Responder: an IKE_SA_INIT request that carries a Puzzle Solution was
 * asked the IKE_SA_INIT puzzle (by the guard). When the responder settings
 * say so (ike_responder.auth_puzzle, the guard's difficulty), its answer
 * carries N(PUZZLE) with the negotiated PRF and D >= 1, and the D-H shared
 * secret and SKEYSEED wait: the initiator's KE is kept. An IKE_AUTH
 * request (or its fragment 1) must then hold, outside SK, a PS of four
 * distinct keys of one length, each giving prf(Ki, Nr | SPIr) with at
 * least D trailing zero bits; anything else is dropped silently before
 * any D-H work, and only the first good one makes the keys. Fragments
 * other than the first are dropped until then: the initiator resends.
 *
 * Initiator: an IKE_SA_INIT answer with N(PUZZLE) for the negotiated PRF
 * and D >= 1 makes the SA wait for the puzzle over Nr | SPIr (the same
 * ike_puzzle_work() as for IKE_SA_INIT); the IKE_AUTH request then goes
 * out as HDR, PS, SK{...} (PS in fragment 1 only), or without PS when
 * the puzzle was not solved in time. A malformed N(PUZZLE) is ignored.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "exchange_int.h"

struct auth_puzzle {
	uint8_t difficulty;
	bool pending;		/* responder: SKEYSEED waits for a solution */
	uint16_t ke_group;	/* the initiator's KE until then */
	uint8_t ke[DH_PUBLIC_MAX];
	size_t ke_len;
};

struct ike_auth_puzzle_stats ike_auth_puzzle_stats;

unsigned int ike_auth_puzzle(const struct ikesa *sa)
{
	return sa->ap ? sa->ap->difficulty : 0;
}

void authpuzzle_free(struct ikesa *sa)
{
	if (!sa->ap)
		return;
	OPENSSL_clear_free(sa->ap, sizeof(*sa->ap));
	sa->ap = NULL;
}

/* Responder. */

int authpuzzle_defer(struct ikesa *sa, const struct ike_ke *ke, uint8_t d)
{
	if (!d || !ike_prf_digest(sa->prf))	/* nothing to ask with */
		return init_derive(sa, ke);
	if (ke->len > DH_PUBLIC_MAX)
		return -1;
	sa->ap = calloc(1, sizeof(*sa->ap));
	if (!sa->ap)
		return -1;
	sa->ap->difficulty = d;
	sa->ap->pending = true;
	sa->ap->ke_group = ke->group;
	memcpy(sa->ap->ke, ke->data, ke->len);
	sa->ap->ke_len = ke->len;
	ike_auth_puzzle_stats.asked++;
	return 0;
}

void authpuzzle_put_notify(struct ike_writer *w, const struct ikesa *sa)
{
	uint8_t data[PUZZLE_NOTIFY_LEN];

	if (!sa->ap || sa->role != IKESA_RESPONDER)
		return;
	data[0] = (uint8_t)(sa->prf >> 8);
	data[1] = (uint8_t)sa->prf;
	data[2] = sa->ap->difficulty;
	xchg_notify(w, IKE_N_PUZZLE, data, sizeof(data));
}

/* How many trailing zero bits prf(@k, Nr | SPIr) has; -1 on error. */
static int key_bits(const struct ikesa *sa, const uint8_t *k, size_t kl)
{
	const struct ike_chunk s[2] = {
		{ sa->nr, sa->nr_len }, { sa->spi_r, IKE_SPI_LEN },
	};
	uint8_t out[IKE_PRF_MAX_LEN];
	int bits = -1;

	if (!ike_prf(sa->prf, k, kl, s, 2, out))
		bits = (int)puzzle_zero_bits(out, ike_prf_len(sa->prf));
	OPENSSL_cleanse(out, sizeof(out));
	return bits;
}

/* Whether @ps (K1..K4) solves the puzzle we asked. */
static bool solution_ok(const struct ikesa *sa, const uint8_t *ps,
			size_t len)
{
	size_t kl = len / PUZZLE_KEYS, i, j;
	int bits;

	if (!len || len % PUZZLE_KEYS || kl > ike_prf_len(sa->prf))
		return false;
	for (i = 0; i < PUZZLE_KEYS; i++)
		for (j = i + 1; j < PUZZLE_KEYS; j++)
			if (!memcmp(ps + i * kl, ps + j * kl, kl))
				return false;	/* a quarter of the work */
	for (i = 0; i < PUZZLE_KEYS; i++) {
		bits = key_bits(sa, ps + i * kl, kl);
		if (bits < sa->ap->difficulty)
			return false;
	}
	return true;
}

/* The PS before SK, or before fragment 1's SKF; NULL if none. */
static const struct ike_payload *ps_of(const struct ike_msg *m)
{
	const struct ike_payload *last;
	size_t i;

	if (!m->chain.n)
		return NULL;
	last = &m->chain.pl[m->chain.n - 1];
	if (last->type == IKE_PL_SKF &&
	    (last->len < 2 || last->body[0] || last->body[1] != 1))
		return NULL;
	if (last->type != IKE_PL_SK && last->type != IKE_PL_SKF)
		return NULL;
	for (i = 0; i + 1 < m->chain.n; i++)
		if (m->chain.pl[i].type == IKE_PL_PS)
			return &m->chain.pl[i];
	return NULL;
}

/* The D-H shared secret and SKEYSEED, at last; 0 or -1 (SA failed). */
static int keys_now(struct ikesa *sa)
{
	const struct ike_ke ke = { sa->ap->ke_group, sa->ap->ke,
				   sa->ap->ke_len };

	if (init_derive(sa, &ke)) {
		ikesa_fail(sa, 0);
		return -1;
	}
	dh_free(sa->dh);
	sa->dh = NULL;
	sa->ap->pending = false;
	return 0;
}

int authpuzzle_gate(struct ikesa *sa, const uint8_t *msg, size_t len,
		    const struct ike_hdr *h)
{
	const struct ike_payload *ps;
	struct ike_msg m;

	if (!sa->ap || !sa->ap->pending || h->exchange != IKE_AUTH ||
	    (h->flags & IKE_FLAG_R))
		return 0;
	ps = h->msg_id == sa->next_exp_id && !ike_parse_msg(msg, len, &m) ?
	     ps_of(&m) : NULL;
	if (!ps || !solution_ok(sa, ps->body, ps->len)) {
		ike_auth_puzzle_stats.discarded++;
		return -1;
	}
	if (keys_now(sa))
		return -1;
	ike_auth_puzzle_stats.verified++;
	return 0;
}

/* Initiator. */

/* Starts the puzzle of N(PUZZLE) @pz over Nr | SPIr; 0 or -1 (none). */
static int solve_start(struct ikesa *sa, const struct ike_notify *pz)
{
	uint8_t s[PUZZLE_DATA_MAX];
	uint16_t prf;
	uint8_t d;

	if (puzzle_dec_notify(pz->data, pz->len, &prf, &d) ||
	    prf != sa->prf || !d || sa->nr_len > IKE_NONCE_MAX)
		return -1;
	memcpy(s, sa->nr, sa->nr_len);
	memcpy(s + sa->nr_len, sa->spi_r, IKE_SPI_LEN);
	sa->ap = calloc(1, sizeof(*sa->ap));
	sa->puzzle = malloc(sizeof(*sa->puzzle));
	if (sa->ap && sa->puzzle &&
	    !puzzle_start(sa->puzzle, prf, d, s, sa->nr_len + IKE_SPI_LEN)) {
		sa->ap->difficulty = d;
		sa->ps_len = 0;
		return 0;
	}
	ike_puzzle_drop(sa);
	authpuzzle_free(sa);
	return -1;
}

int authpuzzle_auth_request(struct ikesa *sa, const struct ike_notify *pz,
			    struct ike_out *out)
{
	out->len = 0;
	if (pz && !solve_start(sa, pz))
		return 0;	/* ike_puzzle_work() sends it */
	return auth_build_request(sa, out);
}

size_t authpuzzle_ps_len(const struct ikesa *sa, const struct ike_hdr *h)
{
	if (!sa->ap || sa->role != IKESA_INITIATOR || !sa->ps_len ||
	    h->exchange != IKE_AUTH || (h->flags & IKE_FLAG_R))
		return 0;
	return IKE_GEN_HDR_LEN + sa->ps_len;
}

void authpuzzle_put_ps(struct ike_writer *w, const struct ikesa *sa,
		       const struct ike_hdr *h)
{
	if (authpuzzle_ps_len(sa, h))
		ike_put_puzzle(w, sa->ps, sa->ps_len);
}
