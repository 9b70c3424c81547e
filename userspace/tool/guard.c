// SPDX-License-Identifier: GPL-2.0
/* moat guard: the IKE guard of this network namespace (issue 9). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/moat.h>

#include "guard.h"
#include "moat.h"
#include "parse.h"

static void guard_usage(FILE *out)
{
	fprintf(out,
		"Usage: moat guard show [ -j ] [ -s ]\n"
		"       moat guard set [ mode { auto | off | cookies | puzzles } ]\n"
		"                      [ cookies-at N ] [ puzzles-at N ] [ half-open-at N ]\n"
		"                      [ difficulty MIN[-MAX] ] [ hold SECONDS ]\n"
		"                      [ rate N ] [ burst N ] [ entries N ]\n"
		"                      [ prefix4 N ] [ prefix6 N ] [ hops N ]\n"
		"                      [ known-ttl SECONDS ]\n"
		"       moat guard help\n"
		"Settings not given keep their values. difficulty := 0..%u\n",
		MOAT_GUARD_DIFFICULTY_LIMIT);
}

static const char *const level_names[] = {
	[MOAT_GUARD_LEVEL_NORMAL] = "normal",
	[MOAT_GUARD_LEVEL_COOKIES] = "cookies",
	[MOAT_GUARD_LEVEL_PUZZLES] = "puzzles",
};

static const char *const mode_names[] = {
	[MOAT_GUARD_MODE_AUTO] = "auto",
	[MOAT_GUARD_MODE_OFF] = "off",
	[MOAT_GUARD_MODE_COOKIES] = "cookies",
	[MOAT_GUARD_MODE_PUZZLES] = "puzzles",
};

const char *guard_level_name(uint8_t level)
{
	return level < ARRAY_LEN(level_names) ? level_names[level] : "unknown";
}

static const char *const stat_names[] = {
	[MOAT_GUARD_STAT_PASSED] = "passed",
	[MOAT_GUARD_STAT_COOKIES_SENT] = "cookies_sent",
	[MOAT_GUARD_STAT_COOKIES_VALID] = "cookies_valid",
	[MOAT_GUARD_STAT_COOKIES_INVALID] = "cookies_invalid",
	[MOAT_GUARD_STAT_PUZZLES_SENT] = "puzzles_sent",
	[MOAT_GUARD_STAT_SOLUTIONS_VALID] = "solutions_valid",
	[MOAT_GUARD_STAT_SOLUTIONS_INVALID] = "solutions_invalid",
	[MOAT_GUARD_STAT_LEGACY_SERVED] = "legacy_served",
	[MOAT_GUARD_STAT_LEGACY_DROPPED] = "legacy_dropped",
	[MOAT_GUARD_STAT_RATE_LIMITED] = "rate_limited",
	[MOAT_GUARD_STAT_MALFORMED] = "malformed",
	[MOAT_GUARD_STAT_KNOWN_PASSED] = "known_passed",
	[MOAT_GUARD_STAT_HOPS_DROPPED] = "hops_dropped",
};

/* The numbers show prints and set takes: keyword, JSON key, attribute. */
static const struct guard_num {
	const char *word, *key;
	int attr;
	size_t off;		/* in struct moat_guard_req */
	int is_u8;
} guard_nums[] = {
#define N32(w, k, a, f) { w, k, a, offsetof(struct moat_guard_req, f), 0 }
#define N8(w, k, a, f) { w, k, a, offsetof(struct moat_guard_req, f), 1 }
	N32("cookies-at", "cookies_at", MOAT_GUARD_A_COOKIES_AT, cookies_at),
	N32("half-open-at", "half_open_at", MOAT_GUARD_A_HALF_OPEN_AT,
	    half_open_at),
	N32("puzzles-at", "puzzles_at", MOAT_GUARD_A_PUZZLES_AT, puzzles_at),
	N32("hold", "hold", MOAT_GUARD_A_HOLD, hold),
	N32("rate", "rate", MOAT_GUARD_A_RATE, rate),
	N32("burst", "burst", MOAT_GUARD_A_BURST, burst),
	N32("entries", "entries", MOAT_GUARD_A_ENTRIES, entries),
	N8("prefix4", "prefix4", MOAT_GUARD_A_PREFIX4, prefix4),
	N8("prefix6", "prefix6", MOAT_GUARD_A_PREFIX6, prefix6),
	N8("hops", "hops", MOAT_GUARD_A_HOPS, hops),
	N32("known-ttl", "known_ttl", MOAT_GUARD_A_KNOWN_TTL, known_ttl),
#undef N32
#undef N8
};

struct guard_view {
	struct nlattr *g[MOAT_GUARD_A_MAX + 1];
	uint8_t level, difficulty, mode, dmin, dmax;
};

static uint64_t guard_u(struct nlattr *a, int is_u8)
{
	uint32_t v32 = 0;
	uint8_t v8 = 0;

	if (is_u8)
		return moat_nla_u8(a, &v8) ? 0 : v8;
	return moat_nla_u32(a, &v32) ? 0 : v32;
}

static void show_json(struct guard_view *v, struct moat_json *j)
{
	size_t i;

	json_string(j, "level", guard_level_name(v->level));
	json_u64(j, "difficulty", v->difficulty);
	json_string(j, "mode", v->mode < ARRAY_LEN(mode_names) ?
			   mode_names[v->mode] : "unknown");
	json_u64(j, "difficulty_min", v->dmin);
	json_u64(j, "difficulty_max", v->dmax);
	for (i = 0; i < ARRAY_LEN(guard_nums); i++)
		json_u64(j, guard_nums[i].key,
			 guard_u(v->g[guard_nums[i].attr], guard_nums[i].is_u8));
	json_u64(j, "half_open", guard_u(v->g[MOAT_GUARD_A_HALF_OPEN], 0));
	json_u64(j, "known", guard_u(v->g[MOAT_GUARD_A_N_KNOWN], 0));
}

static void show_text(struct guard_view *v)
{
	size_t i;

	printf("level %s difficulty %u mode %s\n    difficulty %u-%u",
	       guard_level_name(v->level), v->difficulty,
	       v->mode < ARRAY_LEN(mode_names) ? mode_names[v->mode] : "unknown",
	       v->dmin, v->dmax);
	for (i = 0; i < ARRAY_LEN(guard_nums); i++)
		printf("%s%s %llu", i % 4 == 3 ? "\n    " : " ",
		       guard_nums[i].word,
		       (unsigned long long)guard_u(v->g[guard_nums[i].attr],
						   guard_nums[i].is_u8));
	printf("\n    half-open %llu known %llu\n",
	       (unsigned long long)guard_u(v->g[MOAT_GUARD_A_HALF_OPEN], 0),
	       (unsigned long long)guard_u(v->g[MOAT_GUARD_A_N_KNOWN], 0));
}

static void show_counters(struct nlattr *nest, struct moat_json *j)
{
	struct nlattr *st[MOAT_GUARD_STAT_MAX + 1];
	uint64_t n;
	size_t i;

	if (moat_nla_nested(nest, st, MOAT_GUARD_STAT_MAX))
		return;
	if (j)
		json_open_object(j, "stats");
	else
		printf("    stats:");
	for (i = 0; i < ARRAY_LEN(stat_names); i++) {
		if (!stat_names[i] || moat_nla_u64(st[i], &n))
			continue;
		if (j)
			json_u64(j, stat_names[i], n);
		else
			printf("%s%s %llu", i % 5 == 1 ? "\n     " : " ",
			       stat_names[i], (unsigned long long)n);
	}
	if (j)
		json_close_object(j);
	else
		printf("\n");
}

static int guard_show_one(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MOAT_A_MAX + 1];
	struct guard_view v = { 0 };
	struct moat_json j;

	(void)arg;
	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    moat_nla_nested(tb[MOAT_A_GUARD], v.g, MOAT_GUARD_A_MAX))
		return NL_SKIP;
	moat_nla_u8(v.g[MOAT_GUARD_A_LEVEL], &v.level);
	moat_nla_u8(v.g[MOAT_GUARD_A_DIFFICULTY], &v.difficulty);
	moat_nla_u8(v.g[MOAT_GUARD_A_MODE], &v.mode);
	moat_nla_u8(v.g[MOAT_GUARD_A_DIFFICULTY_MIN], &v.dmin);
	moat_nla_u8(v.g[MOAT_GUARD_A_DIFFICULTY_MAX], &v.dmax);
	if (!opts.json) {
		show_text(&v);
		if (opts.stats)
			show_counters(v.g[MOAT_GUARD_A_STATS], NULL);
		return NL_OK;
	}
	json_init(&j, stdout);
	json_open_object(&j, NULL);
	show_json(&v, &j);
	show_counters(v.g[MOAT_GUARD_A_STATS], &j);
	json_close_object(&j);
	json_end(&j);
	return NL_OK;
}

static int guard_request(struct moat_nl *nl, struct nl_msg *msg,
			 const char *what, moat_nl_reply_fn fn)
{
	int ret;

	if (!msg) {
		moat_nl_close(nl);
		return report_error(NULL, -ENOMEM, what);
	}
	ret = moat_nl_request(nl, msg, fn, NULL);
	if (ret)
		report_error(nl, ret, what);
	moat_nl_close(nl);
	return ret ? EXIT_REFUSED : 0;
}

static int guard_show(int argc, char **argv)
{
	struct moat_nl nl;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "-j") || !strcmp(argv[0], "-json"))
			opts.json = 1;
		else if (!strcmp(argv[0], "-s") || !strcmp(argv[0], "-stats"))
			opts.stats++;
		else
			return usage_error("guard show: unexpected \"%s\"",
					   argv[0]);
	}
	if (open_nl(&nl))
		return EXIT_REFUSED;
	return guard_request(&nl, moat_nl_msg(&nl, MOAT_CMD_GUARD_GET, 0),
			     "guard show", guard_show_one);
}

static int parse_mode(const char *s, struct moat_guard_req *r)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			r->mode = (uint8_t)i;
			r->set |= 1ULL << MOAT_GUARD_A_MODE;
			return 0;
		}
	}
	return usage_error("guard set: mode \"%s\" is not auto, off, cookies or puzzles",
			   s);
}

/* MIN or MIN-MAX; the kernel checks MIN <= MAX against what it has. */
static int parse_difficulty(const char *s, struct moat_guard_req *r)
{
	char min[16];
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	uint32_t lo, hi;

	if (n >= sizeof(min))
		goto bad;
	memcpy(min, s, n);
	min[n] = '\0';
	if (parse_u32_range(min, 0, 255, &lo) ||
	    (dash && parse_u32_range(dash + 1, 0, 255, &hi)))
		goto bad;
	r->difficulty_min = (uint8_t)lo;
	r->set |= 1ULL << MOAT_GUARD_A_DIFFICULTY_MIN;
	if (dash) {
		r->difficulty_max = (uint8_t)hi;
		r->set |= 1ULL << MOAT_GUARD_A_DIFFICULTY_MAX;
	}
	return 0;
bad:
	return usage_error("guard set: difficulty \"%s\" is not MIN or MIN-MAX",
			   s);
}

static int parse_num(const char *word, const char *val,
		     struct moat_guard_req *r)
{
	const struct guard_num *g = NULL;
	uint32_t v;
	size_t i;

	for (i = 0; i < ARRAY_LEN(guard_nums) && !g; i++)
		if (!strcmp(word, guard_nums[i].word))
			g = &guard_nums[i];
	if (!g)
		return usage_error("guard set: unknown setting \"%s\"", word);
	if (parse_u32_range(val, 0, g->is_u8 ? 255 : UINT32_MAX, &v))
		return usage_error("guard set: %s \"%s\" is not a number%s",
				   word, val, g->is_u8 ? " up to 255" : "");
	if (g->is_u8)
		*((uint8_t *)r + g->off) = (uint8_t)v;
	else
		memcpy((char *)r + g->off, &v, sizeof(v));
	r->set |= 1ULL << g->attr;
	return 0;
}

static int parse_setting(const char *word, const char *val,
			 struct moat_guard_req *r)
{
	if (!strcmp(word, "mode"))
		return parse_mode(val, r);
	if (!strcmp(word, "difficulty"))
		return parse_difficulty(val, r);
	return parse_num(word, val, r);
}

static int guard_set(int argc, char **argv)
{
	struct moat_guard_req r = { 0 };
	struct moat_nl nl;
	struct nl_msg *msg;
	int ret;

	for (; argc > 0; argc -= 2, argv += 2) {
		if (argc < 2)
			return usage_error("guard set: \"%s\" needs a value",
					   argv[0]);
		ret = parse_setting(argv[0], argv[1], &r);
		if (ret)
			return ret;
	}
	if (!r.set)
		return usage_error("guard set: nothing to set");
	if (open_nl(&nl))
		return EXIT_REFUSED;
	msg = moat_nl_msg(&nl, MOAT_CMD_GUARD_SET, 0);
	if (msg && req_put_guard(msg, &r)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return guard_request(&nl, msg, "guard set", NULL);
}

int do_guard(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "show"))
		return guard_show(argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (matches(argv[0], "set"))
		return guard_set(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		guard_usage(stdout);
		return 0;
	}
	guard_usage(stderr);
	return usage_error("guard: unknown command \"%s\"", argv[0]);
}
