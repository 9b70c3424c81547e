// SPDX-License-Identifier: GPL-2.0
/*
 * The guard's level and its judgement of one IKE_SA_INIT request.
 *
 * The load is measured in one-second windows: IKE_SA_INIT arrivals, and
 * among them those with a valid cookie ("survivors"). Spoofed sources
 * never see our cookies, so a spoofed flood raises only the first and
 * cookies alone stop it; puzzles are for the load that survives cookies,
 * senders that use their own addresses. A higher load moves the level up
 * at once; the level steps down one at a time, and only after the load has
 * stayed under half the threshold for cfg.hold windows, so that a flood
 * that pauses does not find the gate open.
 *
 * A source that proved its address with a cookie is then held to a token
 * bucket per prefix. Over its rate it is not dropped but asked for a
 * puzzle, as everyone is when the table is full: one host behind a NAT
 * must not be able to shut out everyone else behind it.
 */

#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "guard.h"
#include "ike_parse.h"
#include "puzzle.h"

#define GUARD_NOTIFY_LEN	8	/* generic header, protocol, SPI size, type */
#define GUARD_PUZZLE_DATA	3	/* PRF (2), difficulty (1) */

/**
 * moat_guard_default_config() - gateway-sized defaults
 * @cfg: out
 */
void moat_guard_default_config(struct moat_guard_config *cfg)
{
	*cfg = (struct moat_guard_config){
		.mode = MOAT_GUARD_MODE_AUTO,
		.cookies_at = MOAT_GUARD_COOKIES_AT_DEFAULT,
		.half_open_at = MOAT_GUARD_HALF_OPEN_AT_DEFAULT,
		.puzzles_at = MOAT_GUARD_PUZZLES_AT_DEFAULT,
		.difficulty_min = MOAT_GUARD_DIFFICULTY_MIN_DEFAULT,
		.difficulty_max = MOAT_GUARD_DIFFICULTY_MAX_DEFAULT,
		.hold = MOAT_GUARD_HOLD_DEFAULT,
		.rl = {
			.rate = MOAT_GUARD_RATE_DEFAULT,
			.burst = MOAT_GUARD_BURST_DEFAULT,
			.prefix4 = MOAT_GUARD_PREFIX4_DEFAULT,
			.prefix6 = MOAT_GUARD_PREFIX6_DEFAULT,
			.entries = MOAT_GUARD_ENTRIES_DEFAULT,
		},
		.known_ttl = MOAT_GUARD_KNOWN_TTL_DEFAULT,
	};
}

static bool guard_config_ok(const struct moat_guard_config *cfg)
{
	return cfg->mode <= MOAT_GUARD_MODE_PUZZLES && cfg->cookies_at &&
	       cfg->half_open_at && cfg->puzzles_at &&
	       cfg->difficulty_min <= cfg->difficulty_max &&
	       cfg->difficulty_max <= MOAT_GUARD_DIFFICULTY_LIMIT &&
	       cfg->known_ttl;
}

static u8 guard_fixed_level(u8 mode)
{
	if (mode == MOAT_GUARD_MODE_COOKIES)
		return MOAT_GUARD_LEVEL_COOKIES;
	if (mode == MOAT_GUARD_MODE_PUZZLES)
		return MOAT_GUARD_LEVEL_PUZZLES;
	return MOAT_GUARD_LEVEL_NORMAL;
}

/**
 * moat_guard_alloc() - a guard at its mode's lowest level
 * @cfg: its configuration
 * @now: the time (ns, a monotonic clock)
 *
 * Sleeps: call it from process context.
 *
 * Return: the guard, %ERR_PTR(-EINVAL) for a bad @cfg or
 * %ERR_PTR(-ENOMEM).
 */
struct moat_guard *moat_guard_alloc(const struct moat_guard_config *cfg,
				    u64 now)
{
	struct moat_ratelimit *rl;
	struct moat_guard *g;

	if (!guard_config_ok(cfg))
		return ERR_PTR(-EINVAL);
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return ERR_PTR(-ENOMEM);
	g->cfg = *cfg;
	spin_lock_init(&g->lock);
	g->window_start = now;
	g->level = guard_fixed_level(cfg->mode);
	g->difficulty = cfg->difficulty_min;
	moat_cookie_jar_init(&g->jar, now);
	rl = moat_ratelimit_alloc(&cfg->rl);
	if (IS_ERR(rl)) {
		kfree(g);
		return ERR_CAST(rl);
	}
	RCU_INIT_POINTER(g->rl, rl);
	g->puzzle = moat_puzzle_alloc();
	g->known = moat_known_alloc();
	if (!g->puzzle || !g->known) {
		moat_guard_free(g);
		return ERR_PTR(-ENOMEM);
	}
	return g;
}

/**
 * moat_guard_free() - free a guard
 * @g: the guard, or %NULL
 *
 * The caller makes sure no packet path still uses @g.
 */
void moat_guard_free(struct moat_guard *g)
{
	if (!g)
		return;
	moat_puzzle_free(g->puzzle);
	moat_known_free(g->known);
	moat_ratelimit_free(rcu_dereference_protected(g->rl, true));
	memzero_explicit(&g->jar, sizeof(g->jar));
	kfree(g);
}

/**
 * moat_guard_set_half_open() - moatd's count of half-open IKE SAs
 * @g: the guard
 * @half_open: the count; it takes effect at the next window
 */
void moat_guard_set_half_open(struct moat_guard *g, u32 half_open)
{
	WRITE_ONCE(g->half_open, half_open);
}

/**
 * moat_guard_add_known() - a source completed IKE_AUTH (moatd says)
 * @g: the guard
 * @addr: its address, network order
 * @addr_len: 4 or 16
 * @now: the time (ns)
 *
 * It is asked no puzzle below the top difficulty for cfg.known_ttl
 * seconds. Process context.
 */
void moat_guard_add_known(struct moat_guard *g, const u8 *addr, u8 addr_len,
			  u64 now)
{
	moat_known_add(g->known, addr, addr_len, now,
		       READ_ONCE(g->cfg.known_ttl));
}

static void guard_count(struct moat_guard *g, enum moat_guard_stat s)
{
	atomic64_inc(&g->stats[s]);
}

/* The level the last window's load asks for. */
static u8 guard_wanted(const struct moat_guard *g)
{
	const struct moat_guard_config *c = &g->cfg;

	if (g->survivor_rate >= c->puzzles_at)
		return MOAT_GUARD_LEVEL_PUZZLES;
	if (g->arrival_rate >= c->cookies_at ||
	    READ_ONCE(g->half_open) >= c->half_open_at)
		return MOAT_GUARD_LEVEL_COOKIES;
	return MOAT_GUARD_LEVEL_NORMAL;
}

/* Is the load under half of what it took to reach @level? */
static bool guard_calm(const struct moat_guard *g, u8 level)
{
	const struct moat_guard_config *c = &g->cfg;

	if (level == MOAT_GUARD_LEVEL_PUZZLES)
		return g->survivor_rate < c->puzzles_at / 2;
	return g->arrival_rate < c->cookies_at / 2 &&
	       READ_ONCE(g->half_open) < c->half_open_at / 2;
}

/* One bit more for each doubling of the surviving load over the mark. */
static u8 guard_difficulty(const struct moat_guard *g)
{
	const struct moat_guard_config *c = &g->cfg;
	u32 ratio = g->survivor_rate / c->puzzles_at;
	u32 d = c->difficulty_min + (ratio ? ilog2(ratio) : 0);

	return min_t(u32, d, c->difficulty_max);
}

static u8 guard_next_level(struct moat_guard *g)
{
	u8 want = guard_wanted(g), level = g->level;

	if (g->cfg.mode != MOAT_GUARD_MODE_AUTO)
		return guard_fixed_level(g->cfg.mode);
	if (want >= level) {
		g->calm = 0;
		return want;
	}
	if (!guard_calm(g, level)) {
		g->calm = 0;
		return level;
	}
	if (++g->calm < g->cfg.hold)
		return level;
	g->calm = 0;
	return level - 1;
}

static u32 guard_rate(u32 count, u64 elapsed)
{
	return min_t(u64, div64_u64((u64)count * NSEC_PER_SEC, elapsed),
		     U32_MAX);
}

/**
 * moat_guard_tick() - close the load window if a second has passed
 * @g: the guard
 * @now: the time (ns)
 *
 * Measures the window's rates, moves the level and the difficulty,
 * rotates the cookie secret when due and forgets idle rate-limit
 * buckets. The judge calls it; a timer may too.
 *
 * Return: true if the level changed.
 */
bool moat_guard_tick(struct moat_guard *g, u64 now)
{
	u64 elapsed;
	u8 old;

	spin_lock_bh(&g->lock);
	elapsed = now - g->window_start;
	if (now < g->window_start || elapsed < NSEC_PER_SEC) {
		spin_unlock_bh(&g->lock);
		return false;
	}
	WRITE_ONCE(g->window_start, now);
	g->arrival_rate = guard_rate(atomic_xchg(&g->arrivals, 0), elapsed);
	g->survivor_rate = guard_rate(atomic_xchg(&g->survivors, 0), elapsed);
	old = g->level;
	WRITE_ONCE(g->level, guard_next_level(g));
	WRITE_ONCE(g->difficulty, guard_difficulty(g));
	spin_unlock_bh(&g->lock);
	moat_cookie_tick(&g->jar, now);
	rcu_read_lock();
	moat_ratelimit_gc(rcu_dereference(g->rl), now);
	rcu_read_unlock();
	return old != READ_ONCE(g->level);
}

/**
 * moat_guard_get_config() - a consistent copy of a guard's settings
 * @g: the guard
 * @cfg: out
 */
void moat_guard_get_config(struct moat_guard *g, struct moat_guard_config *cfg)
{
	spin_lock_bh(&g->lock);
	*cfg = g->cfg;
	spin_unlock_bh(&g->lock);
}

/* Under g->lock. The judge reads mode and difficulty_min without it. */
static void guard_set_config(struct moat_guard *g,
			     const struct moat_guard_config *cfg)
{
	WRITE_ONCE(g->cfg.cookies_at, cfg->cookies_at);
	g->cfg.half_open_at = cfg->half_open_at;
	WRITE_ONCE(g->cfg.puzzles_at, cfg->puzzles_at);
	WRITE_ONCE(g->cfg.difficulty_max, cfg->difficulty_max);
	g->cfg.hold = cfg->hold;
	g->cfg.rl = cfg->rl;
	WRITE_ONCE(g->cfg.hops, cfg->hops);
	WRITE_ONCE(g->cfg.known_ttl, cfg->known_ttl);
	WRITE_ONCE(g->cfg.difficulty_min, cfg->difficulty_min);
	WRITE_ONCE(g->cfg.mode, cfg->mode);
	if (cfg->mode != MOAT_GUARD_MODE_AUTO)
		WRITE_ONCE(g->level, guard_fixed_level(cfg->mode));
	WRITE_ONCE(g->difficulty, guard_difficulty(g));
	g->calm = 0;
}

static bool guard_rl_same(const struct moat_ratelimit_config *a,
			  const struct moat_ratelimit_config *b)
{
	return a->rate == b->rate && a->burst == b->burst &&
	       a->prefix4 == b->prefix4 && a->prefix6 == b->prefix6 &&
	       a->entries == b->entries;
}

/**
 * moat_guard_configure() - change a guard's settings
 * @g: the guard
 * @cfg: the whole new configuration
 *
 * Thresholds apply from the next window. A new mode other than auto sets
 * its level at once; auto keeps the current level until the load moves
 * it. Changing the rate limit starts a new, empty table. Sleeps (an RCU
 * grace period when the table changes); callers are serialised (genl).
 *
 * Return: 0, -EINVAL for a bad @cfg, or -ENOMEM.
 */
int moat_guard_configure(struct moat_guard *g,
			 const struct moat_guard_config *cfg)
{
	struct moat_ratelimit *rl = NULL;

	if (!guard_config_ok(cfg))
		return -EINVAL;
	if (!guard_rl_same(&cfg->rl, &g->cfg.rl)) {
		rl = moat_ratelimit_alloc(&cfg->rl);
		if (IS_ERR(rl))
			return PTR_ERR(rl);
	}
	spin_lock_bh(&g->lock);
	guard_set_config(g, cfg);
	if (rl)
		rl = rcu_replace_pointer(g->rl, rl, lockdep_is_held(&g->lock));
	spin_unlock_bh(&g->lock);
	if (rl) {
		synchronize_rcu();
		moat_ratelimit_free(rl);
	}
	return 0;
}

static void guard_put_notify(u8 *p, u8 next, u16 type, size_t data_len)
{
	p[0] = next;
	p[1] = 0;
	put_unaligned_be16(GUARD_NOTIFY_LEN + data_len, p + 2);
	p[4] = 0;	/* protocol: none */
	p[5] = 0;	/* SPI size */
	put_unaligned_be16(type, p + 6);
}

/**
 * moat_guard_build_reply() - HDR, N(COOKIE) [, N(PUZZLE)]
 * @spi_i: the initiator's SPI
 * @cookie: the cookie
 * @cookie_len: its length, 1 to 64
 * @prf: the puzzle's PRF transform ID; 0 for no puzzle
 * @difficulty: the puzzle's D
 * @buf: where to build it
 * @size: the size of @buf
 *
 * Return: the reply's length, or -ENOSPC if it does not fit, -EINVAL for
 * a bad @cookie_len.
 */
int moat_guard_build_reply(const u8 *spi_i, const u8 *cookie,
			   size_t cookie_len, u16 prf, u8 difficulty,
			   u8 *buf, size_t size)
{
	size_t cookie_end = MOAT_IKE_HDR_LEN + GUARD_NOTIFY_LEN + cookie_len;
	size_t len = cookie_end + (prf ? GUARD_NOTIFY_LEN + GUARD_PUZZLE_DATA : 0);
	u8 *p = buf;

	if (!cookie_len || cookie_len > MOAT_IKE_COOKIE_MAX)
		return -EINVAL;
	if (len > size)
		return -ENOSPC;
	memcpy(p, spi_i, MOAT_IKE_SPI_LEN);
	memset(p + MOAT_IKE_SPI_LEN, 0, MOAT_IKE_SPI_LEN);
	p[16] = MOAT_IKE_PL_NOTIFY;
	p[17] = MOAT_IKE_VERSION;
	p[18] = MOAT_IKE_SA_INIT;
	p[19] = MOAT_IKE_FLAG_RESPONSE;
	put_unaligned_be32(0, p + 20);
	put_unaligned_be32(len, p + 24);
	p += MOAT_IKE_HDR_LEN;
	guard_put_notify(p, prf ? MOAT_IKE_PL_NOTIFY : MOAT_IKE_PL_NONE,
			 MOAT_IKE_N_COOKIE, cookie_len);
	memcpy(p + GUARD_NOTIFY_LEN, cookie, cookie_len);
	if (prf) {
		p = buf + cookie_end;
		guard_put_notify(p, MOAT_IKE_PL_NONE, MOAT_IKE_N_PUZZLE,
				 GUARD_PUZZLE_DATA);
		put_unaligned_be16(prf, p + GUARD_NOTIFY_LEN);
		p[GUARD_NOTIFY_LEN + 2] = difficulty;
	}
	return len;
}

/* Answer with a fresh cookie, asking for a puzzle if @puzzle and the
 * initiator offers a PRF we can ask one with.
 */
static enum moat_guard_action guard_ask(struct moat_guard *g,
					struct moat_guard_packet *pkt,
					const struct moat_ike_init *req,
					const struct moat_cookie_bind *bind,
					bool puzzle)
{
	struct moat_cookie_ask ask = {};
	u8 cookie[MOAT_COOKIE_LEN];
	int len;

	if (puzzle) {
		ask.prf = moat_puzzle_choose_prf(req->prfs);
		ask.difficulty = READ_ONCE(g->difficulty);
	}
	moat_cookie_make(&g->jar, bind, &ask, cookie);
	len = moat_guard_build_reply(req->spi_i, cookie, sizeof(cookie),
				     ask.prf, ask.difficulty, pkt->reply,
				     pkt->reply_size);
	if (len < 0)
		return MOAT_GUARD_DROP;
	pkt->reply_len = len;
	guard_count(g, MOAT_GUARD_STAT_COOKIES_SENT);
	if (ask.prf)
		guard_count(g, MOAT_GUARD_STAT_PUZZLES_SENT);
	return MOAT_GUARD_REPLY;
}

/* PASSED counts every request handed to moatd, whatever let it through. */
static enum moat_guard_action guard_pass(struct moat_guard *g)
{
	guard_count(g, MOAT_GUARD_STAT_PASSED);
	return MOAT_GUARD_PASS;
}

/*
 * How busy moatd is with what already passed: 0 below half_open_at
 * half-open IKE SAs, then one more for each doubling.
 */
static u32 guard_busy_bits(const struct moat_guard *g)
{
	u32 at = READ_ONCE(g->cfg.half_open_at);
	u32 ratio = at ? READ_ONCE(g->half_open) / at : 0;

	return ratio ? 1 + ilog2(ratio) : 0;
}

/*
 * The lowest priority: a share that starts at one half and halves with
 * each bit of difficulty over the minimum and with each doubling of
 * moatd's half-open SAs past half_open_at, so that what is served at this
 * priority never crowds out the solutions moatd must answer.
 */
static enum moat_guard_action guard_legacy(struct moat_guard *g)
{
	u32 shift = 1 + READ_ONCE(g->difficulty) -
		    READ_ONCE(g->cfg.difficulty_min) + guard_busy_bits(g);

	if (get_random_u32() < (U32_MAX >> min(shift, 31U))) {
		guard_count(g, MOAT_GUARD_STAT_LEGACY_SERVED);
		return guard_pass(g);
	}
	guard_count(g, MOAT_GUARD_STAT_LEGACY_DROPPED);
	return MOAT_GUARD_DROP;
}

/* A request with a valid cookie that must show a solved puzzle. */
static enum moat_guard_action guard_puzzle(struct moat_guard *g,
					   struct moat_guard_packet *pkt,
					   const struct moat_ike_init *req,
					   const struct moat_cookie_bind *bind,
					   const struct moat_cookie_ask *ask)
{
	enum moat_puzzle_verdict v;
	u8 score;

	if (!ask->prf) {
		/* The cookie came without a puzzle: ask one, if we can. */
		if (moat_puzzle_choose_prf(req->prfs))
			return guard_ask(g, pkt, req, bind, true);
		return guard_legacy(g);
	}
	if (!req->ps)
		return guard_legacy(g);
	v = moat_puzzle_verify(g->puzzle, ask->prf, ask->difficulty,
			       req->cookie, req->cookie_len, req->ps,
			       req->ps_len, &score);
	if (v == MOAT_PUZZLE_SOLVED) {
		guard_count(g, MOAT_GUARD_STAT_SOLUTIONS_VALID);
		return guard_pass(g);
	}
	guard_count(g, MOAT_GUARD_STAT_SOLUTIONS_INVALID);
	return guard_legacy(g);
}

/* A known source is asked no puzzle until the difficulty is at its top. */
static bool guard_known(struct moat_guard *g,
			const struct moat_guard_packet *pkt, u64 now)
{
	if (READ_ONCE(g->difficulty) >= READ_ONCE(g->cfg.difficulty_max))
		return false;
	return moat_known_has(g->known, pkt->addr, pkt->addr_len, now);
}

/* Too many hops away for cfg.hops (GTSM style, RFC 5082)? */
static bool guard_too_far(const struct moat_guard *g,
			  const struct moat_guard_packet *pkt)
{
	u8 hops = READ_ONCE(g->cfg.hops);

	return hops && pkt->ttl < 255 - hops;
}

/*
 * The load counted so far in this window already asks for @want: go up
 * now rather than when the window closes, so that a flood arriving after
 * a calm spell does not get its first second through to moatd. Returns
 * the level.
 */
static u8 guard_raise(struct moat_guard *g, u8 want)
{
	u8 level;

	spin_lock_bh(&g->lock);
	level = g->level;
	if (g->cfg.mode == MOAT_GUARD_MODE_AUTO && want > level) {
		WRITE_ONCE(g->level, want);
		g->calm = 0;
		level = want;
	}
	spin_unlock_bh(&g->lock);
	return level;
}

/* Above NORMAL: the cookie, the source's rate, then maybe the puzzle. */
static enum moat_guard_action guard_check(struct moat_guard *g,
					  struct moat_guard_packet *pkt,
					  const struct moat_ike_init *req,
					  u8 level, u64 now)
{
	struct moat_cookie_bind bind = {
		.spi_i = req->spi_i, .nonce = req->nonce,
		.nonce_len = req->nonce_len, .addr = pkt->addr,
		.addr_len = pkt->addr_len,
	};
	enum moat_ratelimit_verdict rv;
	struct moat_cookie_ask ask;
	bool puzzle = level == MOAT_GUARD_LEVEL_PUZZLES;

	if (!req->cookie || moat_cookie_check(&g->jar, &bind, req->cookie,
					      req->cookie_len, now, &ask)) {
		if (req->cookie)
			guard_count(g, MOAT_GUARD_STAT_COOKIES_INVALID);
		/* A known source is not made to solve what it will not need. */
		return guard_ask(g, pkt, req, &bind,
				 puzzle && !guard_known(g, pkt, now));
	}
	guard_count(g, MOAT_GUARD_STAT_COOKIES_VALID);
	if (atomic_inc_return(&g->survivors) >= READ_ONCE(g->cfg.puzzles_at) &&
	    level < MOAT_GUARD_LEVEL_PUZZLES)
		guard_raise(g, MOAT_GUARD_LEVEL_PUZZLES);
	rcu_read_lock();
	rv = moat_ratelimit_check(rcu_dereference(g->rl), pkt->addr,
				  pkt->addr_len, now);
	rcu_read_unlock();
	if (rv == MOAT_RATELIMIT_LIMITED)
		guard_count(g, MOAT_GUARD_STAT_RATE_LIMITED);
	if (rv != MOAT_RATELIMIT_PASS)
		puzzle = true;
	if (!puzzle)
		return guard_pass(g);
	if (guard_known(g, pkt, now)) {
		guard_count(g, MOAT_GUARD_STAT_KNOWN_PASSED);
		return guard_pass(g);
	}
	return guard_puzzle(g, pkt, req, &bind, &ask);
}

/**
 * moat_guard_judge() - what to do with one received IKE message
 * @g: the guard
 * @pkt: the message; a reply is built in it
 * @now: the time (ns, a monotonic clock such as
 *	ktime_get_coarse_boottime_ns() on the receive path; tests hand it in)
 *
 * With cfg.hops, any IKE message from further away is dropped. Beyond
 * that, only IKE_SA_INIT requests are judged; every other message passes.
 * Softirq or process context; O(1), allocates nothing.
 *
 * Return: the action.
 */
enum moat_guard_action moat_guard_judge(struct moat_guard *g,
					struct moat_guard_packet *pkt, u64 now)
{
	struct moat_ike_init req;
	enum moat_ike_kind kind;
	u8 level;

	if (now - READ_ONCE(g->window_start) >= NSEC_PER_SEC)
		moat_guard_tick(g, now);
	level = READ_ONCE(g->level);
	if (guard_too_far(g, pkt)) {
		guard_count(g, MOAT_GUARD_STAT_HOPS_DROPPED);
		return MOAT_GUARD_DROP;
	}
	if (READ_ONCE(g->cfg.mode) == MOAT_GUARD_MODE_OFF)
		return MOAT_GUARD_PASS;
	kind = pkt->msg ? moat_ike_parse_init(pkt->msg, pkt->len, &req) :
			  MOAT_IKE_MALFORMED;
	if (kind == MOAT_IKE_OTHER)
		return MOAT_GUARD_PASS;
	if (kind == MOAT_IKE_MALFORMED) {
		guard_count(g, MOAT_GUARD_STAT_MALFORMED);
		return level == MOAT_GUARD_LEVEL_NORMAL ? MOAT_GUARD_PASS :
						    MOAT_GUARD_DROP;
	}
	if (atomic_inc_return(&g->arrivals) >= READ_ONCE(g->cfg.cookies_at) &&
	    level == MOAT_GUARD_LEVEL_NORMAL)
		level = guard_raise(g, MOAT_GUARD_LEVEL_COOKIES);
	if (level == MOAT_GUARD_LEVEL_NORMAL)
		return guard_pass(g);
	return guard_check(g, pkt, &req, level, now);
}
