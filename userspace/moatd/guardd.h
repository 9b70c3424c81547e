/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moatd's side of the module's IKE guard (guardd.c): the [guard]
 * settings, sent at start and on reload; its half-open IKE SA count,
 * reported as it changes (halfopen.h); the sources that completed
 * IKE_AUTH with us as responder, so the guard asks them no puzzle; and
 * moatd's own cookies when there is no guard to ask for them.
 */
#ifndef MOATD_GUARDD_H
#define MOATD_GUARDD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "guard.h"

struct dsa;

/* Sends @cfg's [guard] settings and learns whether the guard is on. */
void guardd_apply(const struct moatd_config *cfg);
/* @s is (@on) or is no longer a half-open IKE SA. */
void guardd_half_open(struct dsa *s, bool on);
/* A peer at @a completed IKE_AUTH with us as responder. */
void guardd_known(const struct moat_addr *a);
/* Reports what is due and turns moatd's own cookies on or off. */
void guardd_tick(uint64_t now);
/* When guardd_tick has work next; 0 for never. */
uint64_t guardd_next(void);

/* kernel.c: MOAT_CMD_GUARD_SET with @r; 0 or a negative errno (with the
 * kernel's reason in @why). */
int kernel_guard_set(const struct moat_guard_req *r, char *why, size_t len);
/* kernel.c: the guard's mode and the difficulty it asks now
 * (MOAT_CMD_GUARD_GET); 0 or a negative errno. */
int kernel_guard_mode(uint8_t *mode, uint8_t *difficulty);

#endif
