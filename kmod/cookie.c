// SPDX-License-Identifier: GPL-2.0
/*
 * Stateless IKEv2 cookies; the format is described in cookie.h.
 *
 * Why SipHash-2-4 and not HMAC-SHA2 through the crypto API: RFC 7296
 * section 2.6 only asks that an initiator cannot make a valid cookie for
 * an address it does not receive at, i.e. a MAC that an off-path attacker
 * cannot forge. SipHash is a PRF keyed with 128 bits, designed for
 * exactly this kind of short-input authentication in hostile settings,
 * and the kernel has it as a plain function: no transform to allocate,
 * nothing shared between CPUs, safe in softirq, and a few hundred cycles,
 * which matters because under a flood every packet needs one. Its tag is
 * 64 bits: forging one cookie takes about 2^63 guesses, one packet each,
 * and the secret changes every two minutes. The cookie does not have to
 * be hard to invert, only impossible to guess.
 *
 * Secrets rotate; a cookie made with the previous secret stays valid for
 * a grace period, so an initiator that got its cookie (or is solving its
 * puzzle) across a rotation is not sent back to start.
 */

#include <crypto/algapi.h>
#include <linux/errno.h>
#include <linux/random.h>
#include <linux/string.h>

#include "cookie.h"
#include "ike_parse.h"

/* version, D, PRF, SPIi, address length, address, Ni */
#define COOKIE_MAC_INPUT_MAX	(3 + MOAT_IKE_SPI_LEN + 1 + 16 + \
				 MOAT_IKE_NONCE_MAX)

static void cookie_new_secret(struct moat_cookie_secret *s, u8 version)
{
	get_random_bytes(&s->key, sizeof(s->key));
	s->version = version;
}

/**
 * moat_cookie_jar_init() - a jar with a fresh secret and no previous one
 * @jar: the jar
 * @now: the time (ns, a monotonic clock)
 */
void moat_cookie_jar_init(struct moat_cookie_jar *jar, u64 now)
{
	seqlock_init(&jar->lock);
	cookie_new_secret(&jar->cur, get_random_u32() & 0xff);
	jar->prev = jar->cur;
	jar->prev_until = now;	/* the copy is never needed */
	jar->rotated_at = now;
}

/**
 * moat_cookie_rotate() - make a new secret now
 * @jar: the jar
 * @now: the time (ns)
 *
 * The current secret becomes the previous one and is accepted for
 * %MOAT_COOKIE_GRACE_NS more.
 */
void moat_cookie_rotate(struct moat_cookie_jar *jar, u64 now)
{
	struct moat_cookie_secret next;

	cookie_new_secret(&next, jar->cur.version + 1);
	write_seqlock_bh(&jar->lock);
	jar->prev = jar->cur;
	jar->cur = next;
	jar->prev_until = now + MOAT_COOKIE_GRACE_NS;
	jar->rotated_at = now;
	write_sequnlock_bh(&jar->lock);
	memzero_explicit(&next, sizeof(next));
}

/**
 * moat_cookie_tick() - rotate the secret when it is due
 * @jar: the jar
 * @now: the time (ns)
 */
void moat_cookie_tick(struct moat_cookie_jar *jar, u64 now)
{
	if (now - READ_ONCE(jar->rotated_at) >= MOAT_COOKIE_ROTATE_NS)
		moat_cookie_rotate(jar, now);
}

static u64 cookie_mac(const siphash_key_t *key, const u8 head[3],
		      const struct moat_cookie_bind *b)
{
	u8 in[COOKIE_MAC_INPUT_MAX];
	size_t n = 0;

	memcpy(in, head, 3);
	n += 3;
	memcpy(in + n, b->spi_i, MOAT_IKE_SPI_LEN);
	n += MOAT_IKE_SPI_LEN;
	in[n++] = b->addr_len;
	memcpy(in + n, b->addr, b->addr_len);
	n += b->addr_len;
	memcpy(in + n, b->nonce, b->nonce_len);
	n += b->nonce_len;
	return siphash(in, n, key);
}

static bool cookie_bind_ok(const struct moat_cookie_bind *b)
{
	return (b->addr_len == 4 || b->addr_len == 16) &&
	       b->nonce_len <= MOAT_IKE_NONCE_MAX;
}

static void cookie_read_secret(struct moat_cookie_jar *jar, u8 version,
			       u64 now, struct moat_cookie_secret *s,
			       bool *found)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&jar->lock);
		*found = true;
		if (jar->cur.version == version)
			*s = jar->cur;
		else if (jar->prev.version == version && now < jar->prev_until)
			*s = jar->prev;
		else
			*found = false;
	} while (read_seqretry(&jar->lock, seq));
}

/**
 * moat_cookie_make() - a cookie for one initiator
 * @jar: the jar; its current secret is used
 * @b: what the cookie is bound to; an address that is not 4 or 16 octets
 *	or a nonce over 256 octets gives a cookie that never checks
 * @ask: the puzzle sent with it
 * @cookie: out, %MOAT_COOKIE_LEN octets
 */
void moat_cookie_make(struct moat_cookie_jar *jar,
		      const struct moat_cookie_bind *b,
		      const struct moat_cookie_ask *ask,
		      u8 cookie[MOAT_COOKIE_LEN])
{
	struct moat_cookie_secret s;
	unsigned int seq;
	u64 tag = 0;

	do {
		seq = read_seqbegin(&jar->lock);
		s = jar->cur;
	} while (read_seqretry(&jar->lock, seq));
	cookie[0] = s.version;
	cookie[1] = ask->difficulty;
	cookie[2] = ask->prf;
	if (cookie_bind_ok(b))
		tag = cookie_mac(&s.key, cookie, b);
	memcpy(cookie + 3, &tag, MOAT_COOKIE_TAG_LEN);
	memzero_explicit(&s, sizeof(s));
}

/**
 * moat_cookie_check() - is this the cookie we gave this initiator?
 * @jar: the jar
 * @b: what the cookie must be bound to
 * @cookie: the COOKIE notification's data
 * @len: its length
 * @now: the time (ns)
 * @ask: out, the puzzle the cookie was sent with (when valid)
 *
 * Return: 0 if valid; -EINVAL if not ours, for someone else, tampered
 * with, or made with a secret that is gone.
 */
int moat_cookie_check(struct moat_cookie_jar *jar,
		      const struct moat_cookie_bind *b, const u8 *cookie,
		      size_t len, u64 now, struct moat_cookie_ask *ask)
{
	struct moat_cookie_secret s;
	bool found;
	u64 tag;
	int ret = -EINVAL;

	if (len != MOAT_COOKIE_LEN || !cookie_bind_ok(b))
		return -EINVAL;
	cookie_read_secret(jar, cookie[0], now, &s, &found);
	if (!found)
		return -EINVAL;
	tag = cookie_mac(&s.key, cookie, b);
	if (!crypto_memneq(&tag, cookie + 3, MOAT_COOKIE_TAG_LEN)) {
		ask->difficulty = cookie[1];
		ask->prf = cookie[2];
		ret = 0;
	}
	memzero_explicit(&s, sizeof(s));
	return ret;
}
