// SPDX-License-Identifier: GPL-2.0
/* moatd.conf's [guard] section; see config_guard.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/moat.h>

#include "config_guard.h"
#include "parse.h"

#define SHOW 40		/* characters of a bad value quoted back */
#define BIT(a) (1ULL << (a))

enum { G_MODE, G_DIFFICULTY };

/* The numeric keys: their attribute, bounds and field. */
static const struct gkey {
	const char *name;
	int attr;
	uint32_t min, max;
	size_t off;
	bool is_u8;
} gkeys[GUARD_CONF_KEYS] = {
#define K32(n, a, lo, hi, f) { n, a, lo, hi, offsetof(struct moat_guard_req, f), false }
#define K8(n, a, lo, hi, f) { n, a, lo, hi, offsetof(struct moat_guard_req, f), true }
	[G_MODE] = { "mode", MOAT_GUARD_A_MODE, 0, 0, 0, false },
	[G_DIFFICULTY] = { "difficulty", MOAT_GUARD_A_DIFFICULTY_MIN, 0, 0, 0,
			   false },
	K32("cookies-at", MOAT_GUARD_A_COOKIES_AT, 1, UINT32_MAX, cookies_at),
	K32("puzzles-at", MOAT_GUARD_A_PUZZLES_AT, 1, UINT32_MAX, puzzles_at),
	K32("half-open-at", MOAT_GUARD_A_HALF_OPEN_AT, 1, UINT32_MAX,
	    half_open_at),
	K32("rate", MOAT_GUARD_A_RATE, 1, UINT32_MAX, rate),
	K32("burst", MOAT_GUARD_A_BURST, 1, UINT32_MAX, burst),
	K8("prefix4", MOAT_GUARD_A_PREFIX4, 1, 32, prefix4),
	K8("prefix6", MOAT_GUARD_A_PREFIX6, 1, 128, prefix6),
	K8("hops", MOAT_GUARD_A_HOPS, 0, 255, hops),
	K32("hold", MOAT_GUARD_A_HOLD, 0, UINT32_MAX, hold),
	K32("entries", MOAT_GUARD_A_ENTRIES, 1, MOAT_GUARD_ENTRIES_LIMIT,
	    entries),
	K32("known-ttl", MOAT_GUARD_A_KNOWN_TTL, 0, UINT32_MAX, known_ttl),
#undef K32
#undef K8
};

int guard_conf_find(const char *name)
{
	int i;

	for (i = 0; i < GUARD_CONF_KEYS; i++)
		if (!strcmp(gkeys[i].name, name))
			return i;
	return -1;
}

const char *guard_conf_name(int idx)
{
	return gkeys[idx].name;
}

static int set_mode(struct moat_guard_req *r, const char *v, char *why,
		    size_t len)
{
	static const char *const names[] = {
		[MOAT_GUARD_MODE_AUTO] = "auto",
		[MOAT_GUARD_MODE_OFF] = "off",
		[MOAT_GUARD_MODE_COOKIES] = "cookies",
		[MOAT_GUARD_MODE_PUZZLES] = "puzzles",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i])) {
			r->mode = (uint8_t)i;
			r->set |= BIT(MOAT_GUARD_A_MODE);
			return 0;
		}
	snprintf(why, len, "\"%.*s\" is not auto, off, cookies or puzzles",
		 SHOW, v);
	return -1;
}

/* MIN or MIN-MAX, each 0..MOAT_GUARD_DIFFICULTY_LIMIT, MIN <= MAX. */
static int set_difficulty(struct moat_guard_req *r, const char *v,
			  char *why, size_t len)
{
	const char *dash = strchr(v, '-');
	size_t n = dash ? (size_t)(dash - v) : strlen(v);
	uint32_t lo = 0, hi = 0;
	char min[12];

	if (n < sizeof(min)) {
		memcpy(min, v, n);
		min[n] = '\0';
	}
	if (n >= sizeof(min) ||
	    parse_u32_range(min, 0, MOAT_GUARD_DIFFICULTY_LIMIT, &lo) ||
	    (dash && parse_u32_range(dash + 1, lo,
				     MOAT_GUARD_DIFFICULTY_LIMIT, &hi))) {
		snprintf(why, len, "\"%.*s\" is not MIN or MIN-MAX, 0 <= MIN <= MAX <= %d",
			 SHOW, v, MOAT_GUARD_DIFFICULTY_LIMIT);
		return -1;
	}
	r->difficulty_min = (uint8_t)lo;
	r->set |= BIT(MOAT_GUARD_A_DIFFICULTY_MIN);
	if (dash) {
		r->difficulty_max = (uint8_t)hi;
		r->set |= BIT(MOAT_GUARD_A_DIFFICULTY_MAX);
	}
	return 0;
}

int guard_conf_set(struct moat_guard_req *r, int idx, const char *v,
		   char *why, size_t len)
{
	const struct gkey *k = &gkeys[idx];
	uint32_t n;

	if (idx == G_MODE)
		return set_mode(r, v, why, len);
	if (idx == G_DIFFICULTY)
		return set_difficulty(r, v, why, len);
	if (parse_u32_range(v, k->min, k->max, &n)) {
		snprintf(why, len, "\"%.*s\" is not a number from %u to %u",
			 SHOW, v, k->min, k->max);
		return -1;
	}
	if (k->is_u8)
		*((uint8_t *)r + k->off) = (uint8_t)n;
	else
		memcpy((char *)r + k->off, &n, sizeof(n));
	r->set |= BIT(k->attr);
	return 0;
}
