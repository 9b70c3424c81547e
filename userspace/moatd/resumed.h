/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moatd's RFC 5723 tickets as initiator: one per conn, kept in memory from
 * the IKE_AUTH that gave it to the IKE SA that uses it (once: the
 * responder takes each ticket once).
 */
#ifndef MOATD_RESUMED_H
#define MOATD_RESUMED_H

#include <stdbool.h>

#include "exchange.h"

/* Keeps the ticket @sa (just established) received, if any. */
void resumed_keep(struct ikesa *sa);
/* Whether a ticket for @name is held and not expired. */
bool resumed_have(const char *name);
/*
 * A new IKE SA for @c: IKE_SESSION_RESUME with its held ticket (which is
 * used up), else IKE_SA_INIT. Its first request in @out; NULL on failure.
 */
struct ikesa *resumed_initiate(const struct moatd_conn *c,
			       const struct ike_endpoints *ep,
			       struct ike_out *out);
/* Forgets every ticket. */
void resumed_clear(void);

#endif
