/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_NETLINK_H
#define _MOAT_NETLINK_H

#include <linux/types.h>

int moat_genl_init(void);
void moat_genl_exit(void);

/* Exposed for the KUnit suites. */
bool moat_mss_clamp_valid(u32 mss);

#endif
