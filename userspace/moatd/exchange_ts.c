// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selectors (RFC 7296 §2.9, §3.13.1). The config has prefixes for
 * any protocol and port; on the wire they are address ranges. Addresses
 * are compared as big-endian octet strings of one length, so memcmp
 * orders them.
 */
#include <string.h>

#include "exchange_int.h"

static size_t ts_alen(uint8_t type)
{
	return type == IKE_TS_IPV4_RANGE ? 4 : 16;
}

static void ts_from_prefix(const struct moat_prefix *p, struct ike_ts *ts)
{
	size_t alen = addr_len(&p->addr), i;
	unsigned int bits;

	memset(ts, 0, sizeof(*ts));
	ts->type = alen == 4 ? IKE_TS_IPV4_RANGE : IKE_TS_IPV6_RANGE;
	ts->eport = 0xffff;
	memcpy(ts->start, p->addr.u.b, alen);
	memcpy(ts->end, p->addr.u.b, alen);
	for (i = 0; i < alen; i++) {
		bits = p->len > 8 * i ? p->len - 8 * (unsigned int)i : 0;
		if (bits < 8)
			ts->end[i] |= (uint8_t)(0xff >> bits);
	}
}

int ts_from_prefixes(const struct moat_prefix *p, size_t n,
		     struct ike_ts_list *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!n || n > IKE_MAX_TS)
		return -1;
	for (i = 0; i < n; i++)
		ts_from_prefix(&p[i], &out->ts[i]);
	out->n = n;
	return 0;
}

int ts_remote(const struct ikesa *sa, struct ike_ts_list *out)
{
	struct moat_prefix host;

	if (sa->conn->n_remote_ts)
		return ts_from_prefixes(sa->conn->remote_ts,
					sa->conn->n_remote_ts, out);
	host.addr = sa->ep.remote;
	host.len = (uint8_t)addr_bits(&host.addr);
	return ts_from_prefixes(&host, 1, out);
}

/* Our selectors cover every protocol and port: the peer's narrow them. */
static bool ts_meet(const struct ike_ts *peer, const struct ike_ts *ours,
		    struct ike_ts *out)
{
	size_t alen = ts_alen(peer->type);

	if (peer->type != ours->type)
		return false;
	*out = *peer;
	if (memcmp(ours->start, peer->start, alen) > 0)
		memcpy(out->start, ours->start, alen);
	if (memcmp(ours->end, peer->end, alen) < 0)
		memcpy(out->end, ours->end, alen);
	out->proto = ours->proto ? ours->proto : peer->proto;
	return memcmp(out->start, out->end, alen) <= 0 &&
	       out->sport <= out->eport &&
	       (!peer->proto || !ours->proto || peer->proto == ours->proto);
}

int ts_narrow(const struct ike_ts_list *peer, const struct ike_ts_list *ours,
	      struct ike_ts_list *out)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < peer->n; i++)
		for (j = 0; j < ours->n && out->n < IKE_MAX_TS; j++)
			if (ts_meet(&peer->ts[i], &ours->ts[j],
				    &out->ts[out->n]))
				out->n++;
	return out->n ? 0 : -1;
}

static bool ts_inside(const struct ike_ts *a, const struct ike_ts *b)
{
	size_t alen = ts_alen(a->type);

	return a->type == b->type &&
	       memcmp(a->start, b->start, alen) >= 0 &&
	       memcmp(a->end, b->end, alen) <= 0 &&
	       a->sport >= b->sport && a->eport <= b->eport &&
	       (!b->proto || a->proto == b->proto);
}

bool ts_subset(const struct ike_ts_list *sub, const struct ike_ts_list *of)
{
	size_t i, j;

	if (!sub->n)
		return false;
	for (i = 0; i < sub->n; i++) {
		for (j = 0; j < of->n; j++)
			if (ts_inside(&sub->ts[i], &of->ts[j]))
				break;
		if (j == of->n)
			return false;
	}
	return true;
}
