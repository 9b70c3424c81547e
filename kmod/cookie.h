/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_COOKIE_H
#define _MOAT_COOKIE_H

#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/time64.h>
#include <linux/types.h>

/*
 * Stateless IKEv2 cookies (RFC 7296 section 2.6), made and checked by the
 * guard in softirq:
 *
 *   cookie = version | D | PRF | SipHash-2-4(secret[version],
 *                                  version | D | PRF | SPIi | IPi | Ni)
 *
 * D and PRF record the puzzle (RFC 8019) asked with the cookie: PRF 0
 * means none. The responder keeps no state, so when the solution comes
 * back the cookie itself must say which puzzle it answers; the MAC keeps
 * an initiator from lowering the difficulty it was asked.
 */
#define MOAT_COOKIE_TAG_LEN	8
#define MOAT_COOKIE_LEN		(3 + MOAT_COOKIE_TAG_LEN)
#define MOAT_COOKIE_ROTATE_NS	(120 * NSEC_PER_SEC)
#define MOAT_COOKIE_GRACE_NS	(30 * NSEC_PER_SEC)

/**
 * struct moat_cookie_bind - what a cookie is bound to
 * @spi_i: the initiator's SPI, 8 octets
 * @nonce: Ni's data
 * @nonce_len: its length, at most %MOAT_IKE_NONCE_MAX
 * @addr: the initiator's IP address, network order
 * @addr_len: 4 or 16
 */
struct moat_cookie_bind {
	const u8 *spi_i;
	const u8 *nonce;
	u16 nonce_len;
	const u8 *addr;
	u8 addr_len;
};

/**
 * struct moat_cookie_ask - the puzzle a cookie was sent with
 * @prf: the PRF transform ID of the puzzle, 0 if no puzzle was asked
 * @difficulty: the puzzle's D
 */
struct moat_cookie_ask {
	u8 prf;
	u8 difficulty;
};

struct moat_cookie_secret {
	siphash_key_t key;
	u8 version;
};

/**
 * struct moat_cookie_jar - the current secret and the one before it
 * @lock: writers rotate under it; readers retry if they raced one
 * @cur: the secret new cookies are made with
 * @prev: the one before, accepted until @prev_until
 * @prev_until: end of the previous secret's grace period (ns)
 * @rotated_at: when @cur was made (ns)
 */
struct moat_cookie_jar {
	seqlock_t lock;
	struct moat_cookie_secret cur;
	struct moat_cookie_secret prev;
	u64 prev_until;
	u64 rotated_at;
};

void moat_cookie_jar_init(struct moat_cookie_jar *jar, u64 now);
void moat_cookie_rotate(struct moat_cookie_jar *jar, u64 now);
void moat_cookie_tick(struct moat_cookie_jar *jar, u64 now);
void moat_cookie_make(struct moat_cookie_jar *jar,
		      const struct moat_cookie_bind *b,
		      const struct moat_cookie_ask *ask,
		      u8 cookie[MOAT_COOKIE_LEN]);
int moat_cookie_check(struct moat_cookie_jar *jar,
		      const struct moat_cookie_bind *b, const u8 *cookie,
		      size_t len, u64 now, struct moat_cookie_ask *ask);

#endif /* _MOAT_COOKIE_H */
