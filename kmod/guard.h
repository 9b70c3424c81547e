/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_GUARD_H
#define _MOAT_GUARD_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/moat.h>

#include "cookie.h"
#include "known.h"
#include "ratelimit.h"

struct moat_puzzle;

/*
 * The guard judges IKE_SA_INIT requests on the receive path of moatd's
 * IKE sockets, before moatd sees them (issue 9). Its level (enum
 * moat_guard_level, in the uapi) follows the load: at NORMAL everything
 * passes; at COOKIES a request without a valid cookie is answered with one
 * (RFC 7296 section 2.6) by the guard itself; at PUZZLES the answer also
 * asks for a puzzle (RFC 8019) and only solutions pass, plus a random
 * share of the rest at the lowest priority, shrinking as moatd's
 * half-open IKE SAs pile up.
 */

/**
 * struct moat_guard_config - thresholds and limits
 * @mode: enum moat_guard_mode (uapi)
 * @cookies_at: IKE_SA_INIT requests per second from which cookies are sent
 * @half_open_at: half-open IKE SAs in moatd from which cookies are sent
 * @puzzles_at: requests per second with a valid cookie from which puzzles
 *	are asked; a spoofed flood never gets there, its sources get no
 *	cookies back
 * @difficulty_min: D at %MOAT_GUARD_LEVEL_PUZZLES when it was just reached
 * @difficulty_max: D when the load is highest; one more bit for each
 *	doubling of the valid-cookie rate over @puzzles_at
 * @hold: seconds the load must stay under half a threshold before the
 *	level steps down
 * @rl: the per-prefix rate limit of requests with a valid cookie
 * @hops: IKE only from sources this many hops away or nearer (TTL or hop
 *	limit >= 255 - @hops); 0 is off
 * @known_ttl: seconds a source moatd reports stays known
 */
struct moat_guard_config {
	u8 mode;
	u32 cookies_at;
	u32 half_open_at;
	u32 puzzles_at;
	u8 difficulty_min;
	u8 difficulty_max;
	u32 hold;
	struct moat_ratelimit_config rl;
	u8 hops;
	u32 known_ttl;
};

struct moat_guard {
	struct moat_guard_config cfg;
	spinlock_t lock;		/* the window and level changes */
	u64 window_start;		/* ns */
	atomic_t arrivals;		/* IKE_SA_INIT requests this window */
	atomic_t survivors;		/* of those, with a valid cookie */
	u32 arrival_rate;		/* per second, last window */
	u32 survivor_rate;
	u32 half_open;			/* reported by moatd */
	u32 calm;			/* windows the load has been low */
	u8 level;
	u8 difficulty;
	struct moat_cookie_jar jar;
	struct moat_puzzle *puzzle;
	struct moat_ratelimit __rcu *rl;
	struct moat_known *known;
	atomic64_t stats[__MOAT_GUARD_STAT_MAX];
};

/**
 * enum moat_guard_action - what to do with a received IKE message
 * @MOAT_GUARD_PASS: hand it to moatd
 * @MOAT_GUARD_REPLY: send the reply the guard built, from the same socket
 *	to the sender, and free the request
 * @MOAT_GUARD_DROP: free it
 */
enum moat_guard_action {
	MOAT_GUARD_PASS,
	MOAT_GUARD_REPLY,
	MOAT_GUARD_DROP,
};

/**
 * struct moat_guard_packet - one received IKE message
 * @msg: the message (after the non-ESP marker on port 4500), or %NULL
 *	when the receive path could not read it whole: it is malformed
 * @len: its length
 * @ttl: the IPv4 TTL or IPv6 hop limit it arrived with
 * @addr: the sender's IP address, network order
 * @addr_len: 4 or 16
 * @reply: where a reply is built
 * @reply_size: its size; %MOAT_GUARD_REPLY_MAX is always enough
 * @reply_len: out, the reply's length for %MOAT_GUARD_REPLY
 */
struct moat_guard_packet {
	const u8 *msg;
	size_t len;
	u8 ttl;
	const u8 *addr;
	u8 addr_len;
	u8 *reply;
	size_t reply_size;
	size_t reply_len;
};

/* HDR, N(COOKIE), N(PUZZLE) */
#define MOAT_GUARD_REPLY_MAX	(28 + 8 + MOAT_COOKIE_LEN + 8 + 3)

void moat_guard_default_config(struct moat_guard_config *cfg);
struct moat_guard *moat_guard_alloc(const struct moat_guard_config *cfg,
				    u64 now);
void moat_guard_free(struct moat_guard *g);
int moat_guard_configure(struct moat_guard *g,
			 const struct moat_guard_config *cfg);
void moat_guard_get_config(struct moat_guard *g, struct moat_guard_config *cfg);
bool moat_guard_tick(struct moat_guard *g, u64 now);
void moat_guard_set_half_open(struct moat_guard *g, u32 half_open);
void moat_guard_add_known(struct moat_guard *g, const u8 *addr, u8 addr_len,
			  u64 now);
enum moat_guard_action moat_guard_judge(struct moat_guard *g,
					struct moat_guard_packet *pkt, u64 now);
int moat_guard_build_reply(const u8 *spi_i, const u8 *cookie,
			   size_t cookie_len, u16 prf, u8 difficulty,
			   u8 *buf, size_t size);

#endif /* _MOAT_GUARD_H */
