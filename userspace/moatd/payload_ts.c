// SPDX-License-Identifier: GPL-2.0
/* Traffic selector payloads TSi/TSr (RFC 7296 §3.13). */
#include "payload_int.h"

#define TS_HDR_LEN 4

static size_t ts_addr_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_RANGE:
		return 4;
	case IKE_TS_IPV6_RANGE:
		return 16;
	}
	return 0;
}

static int dec_one(struct ike_rd *r, struct ike_ts *ts)
{
	size_t alen, slen;

	ts->type = ike_rd_u8(r);
	ts->proto = ike_rd_u8(r);
	slen = ike_rd_u16(r);
	ts->sport = ike_rd_u16(r);
	ts->eport = ike_rd_u16(r);
	if (r->bad)
		return IKE_E_SHORT;
	alen = ts_addr_len(ts->type);
	if (!alen)
		return IKE_E_SYNTAX;
	if (slen != 8 + 2 * alen)
		return IKE_E_LENGTH;
	memset(ts->start, 0, sizeof(ts->start));
	memset(ts->end, 0, sizeof(ts->end));
	ike_rd_copy(r, ts->start, alen);
	ike_rd_copy(r, ts->end, alen);
	return r->bad ? IKE_E_SHORT : IKE_OK;
}

int ike_dec_ts(const uint8_t *b, size_t len, struct ike_ts_list *out)
{
	struct ike_rd r = ike_rd_init(b, len);
	size_t num, i;
	int ret;

	memset(out, 0, sizeof(*out));
	num = ike_rd_u8(&r);
	ike_rd_take(&r, 3);
	if (r.bad)
		return IKE_E_SHORT;
	if (!num)
		return IKE_E_SYNTAX;
	if (num > IKE_MAX_TS)
		return IKE_E_TOOMANY;
	for (i = 0; i < num; i++) {
		ret = dec_one(&r, &out->ts[i]);
		if (ret)
			return ret;
	}
	out->n = num;
	return ike_rd_done(&r);
}

static void put_one(struct ike_writer *w, const struct ike_ts *ts)
{
	size_t alen = ts_addr_len(ts->type);

	if (!alen) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return;
	}
	ike_w_u8(w, ts->type);
	ike_w_u8(w, ts->proto);
	ike_w_u16(w, (uint16_t)(8 + 2 * alen));
	ike_w_u16(w, ts->sport);
	ike_w_u16(w, ts->eport);
	ike_w_put(w, ts->start, alen);
	ike_w_put(w, ts->end, alen);
}

void ike_put_ts(struct ike_writer *w, uint8_t pl_type,
		const struct ike_ts_list *l)
{
	size_t start = ike_w_begin(w, pl_type, 0), i;

	if ((pl_type != IKE_PL_TSI && pl_type != IKE_PL_TSR) || !l->n ||
	    l->n > IKE_MAX_TS)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u8(w, (uint8_t)l->n);
	ike_w_put(w, "\0\0", 3);
	for (i = 0; i < l->n && !w->err; i++)
		put_one(w, &l->ts[i]);
	ike_w_end(w, start);
}
