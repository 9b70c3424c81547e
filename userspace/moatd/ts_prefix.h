/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic selectors are address ranges (RFC 7296 §3.13.1); the module's
 * peer selectors are prefixes. A range becomes the fewest prefixes that
 * cover exactly it (10.0.0.1-10.0.0.6: .1/32, .2/31, .4/31, .6/32).
 */
#ifndef MOATD_TS_PREFIX_H
#define MOATD_TS_PREFIX_H

#include <stddef.h>

#include "addr.h"
#include "payload.h"

/*
 * Every selector of @l as prefixes into @out (at most @max); *@n is the
 * count. A range with start above end adds nothing. 0, or -1 when @max
 * is too small.
 */
int ts_prefixes(const struct ike_ts_list *l, struct moat_prefix *out,
		size_t max, size_t *n);

#endif
