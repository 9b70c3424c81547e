// SPDX-License-Identifier: GPL-2.0
/* SA payload: proposals, transforms, attributes (RFC 7296 §3.3). */
#include "payload_int.h"

#define PROP_HDR_LEN 8
#define TR_HDR_LEN 8
#define LAST_PROP_MORE 2	/* §3.3.1 "0 (last) or 2 (more)" */
#define LAST_TR_MORE 3		/* §3.3.2 "0 (last) or 3 (more)" */
#define ATTR_TV 0x8000		/* AF bit: a 2-octet value, no length */

/* One transform attribute (§3.3.5). Key Length must be TV, and only once. */
static int dec_attr(struct ike_rd *r, struct ike_transform *t)
{
	uint16_t type = ike_rd_u16(r), val = ike_rd_u16(r);

	if (r->bad)
		return IKE_E_SHORT;
	if (!(type & ATTR_TV)) {
		/* TLV: val is the length of the value that follows. */
		if (!ike_rd_take(r, val))
			return IKE_E_SHORT;
		t->unknown_attr = 1;
		return (type & ~ATTR_TV) == IKE_ATTR_KEY_LENGTH ?
			IKE_E_SYNTAX : IKE_OK;
	}
	if ((type & ~ATTR_TV) != IKE_ATTR_KEY_LENGTH) {
		t->unknown_attr = 1;
		return IKE_OK;
	}
	if (t->key_bits || !val)
		return IKE_E_SYNTAX;
	t->key_bits = val;
	return IKE_OK;
}

static int dec_transform(struct ike_rd *r, struct ike_transform *t,
			 int *more)
{
	struct ike_rd a;
	uint8_t last = ike_rd_u8(r);
	size_t tlen;
	int ret = IKE_OK;

	ike_rd_u8(r);
	tlen = ike_rd_u16(r);
	t->type = ike_rd_u8(r);
	ike_rd_u8(r);
	t->id = ike_rd_u16(r);
	t->key_bits = 0;
	t->unknown_attr = 0;
	if (r->bad)
		return IKE_E_SHORT;
	if (tlen < TR_HDR_LEN || (last != 0 && last != LAST_TR_MORE))
		return tlen < TR_HDR_LEN ? IKE_E_LENGTH : IKE_E_SYNTAX;
	a = ike_rd_init(ike_rd_take(r, tlen - TR_HDR_LEN), tlen - TR_HDR_LEN);
	if (r->bad)
		return IKE_E_SHORT;
	while (!ret && ike_rd_left(&a))
		ret = dec_attr(&a, t);
	*more = last == LAST_TR_MORE;
	return ret;
}

static int dec_transforms(struct ike_rd *r, struct ike_proposal *p)
{
	int more = 1, ret;
	size_t i;

	for (i = 0; more; i++) {
		if (i == IKE_MAX_TRANSFORMS)
			return IKE_E_TOOMANY;
		if (!ike_rd_left(r))
			return IKE_E_SYNTAX;	/* "more" but nothing follows */
		ret = dec_transform(r, &p->tr[i], &more);
		if (ret)
			return ret;
	}
	if (i != p->n_tr)
		return IKE_E_SYNTAX;
	return ike_rd_done(r);
}

static int dec_proposal(struct ike_rd *r, struct ike_proposal *p, int *more)
{
	struct ike_rd body;
	uint8_t last = ike_rd_u8(r);
	size_t plen;

	ike_rd_u8(r);
	plen = ike_rd_u16(r);
	p->num = ike_rd_u8(r);
	p->proto = ike_rd_u8(r);
	p->spi_size = ike_rd_u8(r);
	p->n_tr = ike_rd_u8(r);
	if (r->bad)
		return IKE_E_SHORT;
	if (plen < (size_t)PROP_HDR_LEN + p->spi_size)
		return IKE_E_LENGTH;
	if ((last != 0 && last != LAST_PROP_MORE) ||
	    p->spi_size > IKE_SPI_LEN || !p->n_tr)
		return IKE_E_SYNTAX;
	*more = last == LAST_PROP_MORE;
	body = ike_rd_init(ike_rd_take(r, plen - PROP_HDR_LEN),
			   plen - PROP_HDR_LEN);
	if (r->bad)
		return IKE_E_SHORT;
	memset(p->spi, 0, sizeof(p->spi));
	ike_rd_copy(&body, p->spi, p->spi_size);
	return dec_transforms(&body, p);
}

int ike_dec_sa(const uint8_t *b, size_t len, struct ike_sa *out)
{
	struct ike_rd r = ike_rd_init(b, len);
	int more = 1, ret;

	for (out->n = 0; more; out->n++) {
		if (out->n == IKE_MAX_PROPOSALS)
			return IKE_E_TOOMANY;
		if (!ike_rd_left(&r))
			return out->n ? IKE_E_SYNTAX : IKE_E_SHORT;
		ret = dec_proposal(&r, &out->prop[out->n], &more);
		if (ret)
			return ret;
	}
	return ike_rd_done(&r);
}

static void put_transform(struct ike_writer *w, const struct ike_transform *t,
			  int last)
{
	ike_w_u8(w, last ? 0 : LAST_TR_MORE);
	ike_w_u8(w, 0);
	ike_w_u16(w, t->key_bits ? TR_HDR_LEN + 4 : TR_HDR_LEN);
	ike_w_u8(w, t->type);
	ike_w_u8(w, 0);
	ike_w_u16(w, t->id);
	if (t->key_bits) {
		ike_w_u16(w, ATTR_TV | IKE_ATTR_KEY_LENGTH);
		ike_w_u16(w, t->key_bits);
	}
}

static void put_proposal(struct ike_writer *w, const struct ike_proposal *p,
			 int last)
{
	size_t start = w->len, i;

	if (p->spi_size > IKE_SPI_LEN || !p->n_tr ||
	    p->n_tr > IKE_MAX_TRANSFORMS) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return;
	}
	ike_w_u8(w, last ? 0 : LAST_PROP_MORE);
	ike_w_u8(w, 0);
	ike_w_u16(w, 0);	/* length, filled in below */
	ike_w_u8(w, p->num);
	ike_w_u8(w, p->proto);
	ike_w_u8(w, p->spi_size);
	ike_w_u8(w, p->n_tr);
	ike_w_put(w, p->spi, p->spi_size);
	for (i = 0; i < p->n_tr; i++)
		put_transform(w, &p->tr[i], i + 1 == p->n_tr);
	if (!w->err)
		ike_set16(w->buf + start + 2, (uint16_t)(w->len - start));
}

void ike_put_sa(struct ike_writer *w, const struct ike_sa *sa)
{
	size_t start = ike_w_begin(w, IKE_PL_SA, 0), i;

	if (!sa->n || sa->n > IKE_MAX_PROPOSALS)
		ike_w_fail(w, IKE_E_SYNTAX);
	for (i = 0; i < sa->n && !w->err; i++)
		put_proposal(w, &sa->prop[i], i + 1 == sa->n);
	ike_w_end(w, start);
}
