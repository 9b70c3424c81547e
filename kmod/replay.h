/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_REPLAY_H
#define _MOAT_REPLAY_H

#include <linux/gfp.h>
#include <linux/types.h>

/*
 * The anti-replay window of one inbound SA (RFC 4303 section 3.4.3, with
 * Appendix A for extended sequence numbers). A receiver uses it in two
 * phases around decryption:
 *
 *   seq = moat_replay_infer(r, esp_seq, esn);
 *   if (moat_replay_check(r, seq) != MOAT_REPLAY_OK)
 *           drop, cheaply, before spending a decryption on it;
 *   decrypt and verify the ICV, authenticating seq's high half if ESN;
 *   if (moat_replay_update(r, seq) != MOAT_REPLAY_OK)
 *           drop: another copy won the race while we decrypted;
 *
 * Only moat_replay_update() changes the window and only once the ICV has
 * proved the packet genuine, so forged packets cannot move it.
 */
struct moat_replay;

/**
 * enum moat_replay_verdict - what the window says about a sequence number
 * @MOAT_REPLAY_OK: not seen before and not too old; accept (or go on to
 *	decrypt, for moat_replay_check())
 * @MOAT_REPLAY_REPLAYED: inside the window and already accepted once
 * @MOAT_REPLAY_TOO_OLD: below the window, so whether it was seen is no
 *	longer known; also the verdict for sequence number 0, never valid
 */
enum moat_replay_verdict {
	MOAT_REPLAY_OK = 0,
	MOAT_REPLAY_REPLAYED,
	MOAT_REPLAY_TOO_OLD,
};

/**
 * moat_replay_alloc() - create an empty window
 * @window: how many sequence numbers at and below the highest one seen
 *	are tracked, 1 to %MOAT_REPLAY_WINDOW_MAX; 0 (replay checking off)
 *	means "no window object" and is refused here
 * @gfp: allocation flags; %GFP_KERNEL from netlink
 *
 * The window starts with nothing seen, so the first packet may carry any
 * sequence number but 0.
 *
 * Return: the window, or %NULL if @window is out of range or memory is
 * short. Free it with moat_replay_free().
 */
struct moat_replay *moat_replay_alloc(u32 window, gfp_t gfp);

/**
 * moat_replay_free() - free a window
 * @r: window from moat_replay_alloc(), or %NULL
 *
 * The caller makes sure no packet path still uses @r, e.g. by freeing
 * it after an RCU grace period.
 */
void moat_replay_free(struct moat_replay *r);

/**
 * moat_replay_infer() - the 64-bit sequence number of a received packet
 * @r: the SA's window
 * @seq_lo: the sequence number field of the ESP header, in host order
 * @esn: whether the SA uses extended sequence numbers
 *
 * With ESN, the high 32 bits are never sent: they are chosen, as RFC 4303
 * Appendix A2.2 says, so that the result lies in the 2^32 numbers that
 * start at the bottom of the window. Numbers just below the window's top
 * thus stay in its subspace, and low halves that have wrapped past zero
 * land in the next one. Before the top has reached window - 1 there is no
 * subspace below zero to pick, so the high half is then 0. The ICV check
 * authenticates the guess: a wrong one fails it.
 *
 * Lockless; may run concurrently with moat_replay_update().
 *
 * Return: the sequence number to authenticate and to pass to
 * moat_replay_check() and moat_replay_update(); @seq_lo itself without ESN.
 */
u64 moat_replay_infer(const struct moat_replay *r, u32 seq_lo, bool esn);

/**
 * moat_replay_check() - early replay check, before decryption
 * @r: the SA's window
 * @seq: sequence number from moat_replay_infer()
 *
 * Lockless and read-only. It may race with moat_replay_update() and then
 * judge by a slightly older window, but it never turns away a packet that
 * moat_replay_update() would accept: the window only moves forward.
 *
 * Return: the verdict; anything but %MOAT_REPLAY_OK means drop the packet
 * without decrypting it.
 */
enum moat_replay_verdict moat_replay_check(const struct moat_replay *r,
					   u64 seq);

/**
 * moat_replay_update() - check again and record an authenticated packet
 * @r: the SA's window
 * @seq: sequence number from moat_replay_infer(), its ICV verified
 *
 * Takes the window's lock (bottom-half safe; the caller needs to hold
 * nothing), repeats the check against the current window and, if the
 * packet is acceptable, marks it seen and slides the window up to it.
 * Costs O(1) amortised and at most one pass over the window's words,
 * however far the window jumps.
 *
 * Return: %MOAT_REPLAY_OK if the packet was recorded and is to be
 * delivered; otherwise the reason to drop it.
 */
enum moat_replay_verdict moat_replay_update(struct moat_replay *r, u64 seq);

/**
 * moat_replay_top() - highest sequence number accepted so far
 * @r: the SA's window
 *
 * Return: the top of the window, 0 before the first packet.
 */
u64 moat_replay_top(const struct moat_replay *r);

/**
 * moat_replay_window() - the window size @r was created with
 * @r: the SA's window
 *
 * Return: the window size in packets.
 */
u32 moat_replay_window(const struct moat_replay *r);

#endif
