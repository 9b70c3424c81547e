// SPDX-License-Identifier: GPL-2.0
/* The initiator's tickets, one per conn name; see resumed.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "resumed.h"

struct held {
	struct held *next;
	char name[MOATD_CONN_NAME_MAX + 1];
	struct ike_ticket *t;
};

static struct held *tickets;

static struct held **held_find(const char *name)
{
	struct held **pp;

	for (pp = &tickets; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name))
			return pp;
	return NULL;
}

/* Unlinks the ticket of @name; the caller owns it (NULL: none). */
static struct ike_ticket *held_take(const char *name)
{
	struct held **pp = held_find(name), *h;
	struct ike_ticket *t;

	if (!pp)
		return NULL;
	h = *pp;
	*pp = h->next;
	t = h->t;
	free(h);
	return t;
}

void resumed_keep(struct ikesa *sa)
{
	struct ike_ticket *t = ike_ticket_take(sa);
	struct held *h;

	if (!t)
		return;
	ike_ticket_free(held_take(sa->conn->name));
	h = calloc(1, sizeof(*h));
	if (!h) {
		ike_ticket_free(t);
		return;
	}
	snprintf(h->name, sizeof(h->name), "%s", sa->conn->name);
	h->t = t;
	h->next = tickets;
	tickets = h;
	dlog(LOG_INFO, "%s: resumption ticket kept (%zu octets, %llu s)",
	     h->name, t->len,
	     (unsigned long long)(t->expires - ticket_now()));
}

bool resumed_have(const char *name)
{
	struct held **pp = held_find(name);

	return pp && (*pp)->t->expires > ticket_now();
}

struct ikesa *resumed_initiate(const struct moatd_conn *c,
			       const struct ike_endpoints *ep,
			       struct ike_out *out)
{
	struct ike_ticket *t = held_take(c->name);
	struct ikesa *sa = NULL;

	if (t && c->resumption && t->expires > ticket_now())
		sa = ike_resume(c, ep, t, out);
	ike_ticket_free(t);
	if (sa) {
		dlog(LOG_INFO, "%s: resuming with a ticket", c->name);
		return sa;
	}
	return ike_initiate(c, ep, out);
}

void resumed_clear(void)
{
	while (tickets)
		ike_ticket_free(held_take(tickets->name));
}
