// SPDX-License-Identifier: GPL-2.0
/* moatd's side of the module's IKE guard; see guardd.h. */
#include <string.h>

#include <linux/moat.h>

#include "daemon.h"
#include "guardd.h"
#include "halfopen.h"

#define BIT(a) (1ULL << (a))
#define GUARDD_MODE_EVERY_MS 10000	/* `moat guard set mode` may change it */

static struct {
	bool present;		/* the module has a guard for us to talk to */
	bool on;		/* ...whose mode is not off */
	uint32_t half_open;	/* our half-open IKE SAs */
	uint32_t own_at;	/* our own cookies from this many, guard off */
	struct halfopen_rep rep;
	uint64_t mode_ms;	/* when to ask the mode again */
} g;

/*
 * The IKE_AUTH puzzle's D (RFC 8019 §7.2) when the guard asks D in
 * IKE_SA_INIT: two bits less, so the four keys cost about as much as
 * one key of the IKE_SA_INIT puzzle, a quarter of what the initiator
 * already paid. It still outweighs the D-H work it protects, and an
 * initiator that could just afford IKE_SA_INIT within its budget is not
 * then shut out by a second puzzle as hard as the first. At least 1.
 */
static uint8_t auth_difficulty(uint8_t guard_d)
{
	return guard_d > 3 ? guard_d - 2 : 1;
}

/*
 * Asks the guard's mode: is it there, and on? Its difficulty sets the
 * IKE_AUTH puzzle's for initiators that sent a Puzzle Solution; with the
 * guard off, moatd asks no puzzle.
 */
static void check_mode(uint64_t now)
{
	static bool told;
	uint8_t mode, diff;
	bool was = g.on;

	g.present = !kernel_guard_mode(&mode, &diff);
	g.on = g.present && mode != MOAT_GUARD_MODE_OFF;
	d.resp.auth_puzzle = g.on ? auth_difficulty(diff) : 0;
	g.mode_ms = now + GUARDD_MODE_EVERY_MS;
	if (was != g.on || !told)
		dlog(LOG_INFO, "the module's guard is %s", g.on ? "on" :
		     "off: moatd asks for its own cookies under load");
	told = true;
}

void guardd_apply(const struct moatd_config *cfg)
{
	const struct moat_guard_req *r = &cfg->guard;
	char why[256];
	int ret;

	g.own_at = (r->set & BIT(MOAT_GUARD_A_HALF_OPEN_AT)) ?
		   r->half_open_at : MOAT_GUARD_HALF_OPEN_AT_DEFAULT;
	if (r->set) {
		ret = kernel_guard_set(r, why, sizeof(why));
		if (ret)
			dlog(LOG_ERR, "the module refused the [guard] settings: %s%s%s",
			     strerror(-ret), why[0] ? ": " : "", why);
		else
			dlog(LOG_INFO, "[guard] settings applied");
	}
	check_mode(now_ms());
	g.rep.sent_once = false;	/* report the count again */
}

void guardd_half_open(struct dsa *s, bool on)
{
	if (s->half_open == on)
		return;
	s->half_open = on;
	if (on)
		g.half_open++;
	else
		g.half_open--;
}

static void guard_lost(int ret, const char *why)
{
	dlog(LOG_WARNING, "the module's guard stopped answering: %s%s%s",
	     strerror(-ret), why[0] ? ": " : "", why);
	g.present = g.on = false;
}

void guardd_known(const struct moat_addr *a)
{
	struct moat_guard_req r = { .known = *a };
	char why[256];
	int ret;

	if (!g.present)
		return;
	r.set = BIT(a->family == AF_INET ? MOAT_GUARD_A_KNOWN4 :
		    MOAT_GUARD_A_KNOWN6);
	ret = kernel_guard_set(&r, why, sizeof(why));
	if (ret)
		guard_lost(ret, why);
}

static void report(uint64_t now)
{
	struct moat_guard_req r = { .set = BIT(MOAT_GUARD_A_HALF_OPEN),
				    .half_open = g.half_open };
	char why[256];
	int ret = kernel_guard_set(&r, why, sizeof(why));

	if (ret)
		guard_lost(ret, why);
	else
		halfopen_sent(&g.rep, g.half_open, now);
}

void guardd_tick(uint64_t now)
{
	bool own;

	if (g.present && now >= g.mode_ms)
		check_mode(now);
	if (g.present && halfopen_due(&g.rep, g.half_open, now))
		report(now);
	own = halfopen_own_cookies(g.on, g.half_open, g.own_at,
				   d.resp.require_cookie);
	if (own != d.resp.require_cookie)
		dlog(LOG_NOTICE, "%u half-open IKE SAs: moatd's own cookies %s",
		     g.half_open, own ? "on" : "off");
	d.resp.require_cookie = own;
}

uint64_t guardd_next(void)
{
	uint64_t t;

	if (!g.present)
		return 0;
	t = halfopen_next(&g.rep, g.half_open);
	return t && t < g.mode_ms ? t : g.mode_ms;
}
