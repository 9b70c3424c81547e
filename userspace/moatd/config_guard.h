/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moatd.conf's [guard] section: the settings of the module's IKE guard,
 * written with the words `moat guard set` takes (mode, cookies-at,
 * puzzles-at, difficulty, rate, burst, prefix4, prefix6, hops, and
 * half-open-at, hold, entries, known-ttl). moatd sends the ones given
 * with MOAT_CMD_GUARD_SET at start and on reload.
 */
#ifndef MOATD_CONFIG_GUARD_H
#define MOATD_CONFIG_GUARD_H

#include <stddef.h>

#include "guard.h"

#define GUARD_CONF_KEYS 13

/* The index of the [guard] key @name, or -1. */
int guard_conf_find(const char *name);
/* Its name. */
const char *guard_conf_name(int idx);
/* Key @idx = @v into @r: 0, or -1 with why in @why. */
int guard_conf_set(struct moat_guard_req *r, int idx, const char *v,
		   char *why, size_t len);

#endif
