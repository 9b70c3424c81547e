/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When to rekey an SA. Both ends may rekey, so each picks a random moment
 * in the last tenth before the configured time: the ends rarely start at
 * once (§2.8 collisions are handled, but cost an exchange), and the
 * module's soft-expiry event, due at the configured time, is a fallback.
 */
#ifndef MOATD_REKEY_TIME_H
#define MOATD_REKEY_TIME_H

#include <stdint.h>

/*
 * The rekey moment of an SA made at @from_ms (milliseconds) that is to be
 * rekeyed @seconds later, moved earlier by @rnd modulo a tenth of that;
 * 0 when @seconds is 0 (never).
 */
uint64_t rekey_at(uint64_t from_ms, uint32_t seconds, uint32_t rnd);

/* A rekey that could not start now: when to try again (@tries before). */
uint64_t rekey_retry_at(uint64_t now_ms, unsigned int tries);

#endif
