// SPDX-License-Identifier: GPL-2.0
/* The IKE header, the generic payload chain and the writer; see payload.h. */
#include "payload_int.h"

const char *ike_strerror(int err)
{
	switch (err) {
	case IKE_OK:
		return "ok";
	case IKE_E_SHORT:
		return "truncated";
	case IKE_E_LENGTH:
		return "inconsistent length";
	case IKE_E_VERSION:
		return "unsupported major version";
	case IKE_E_EXCHANGE:
		return "unknown exchange type";
	case IKE_E_TOOMANY:
		return "too many elements";
	case IKE_E_CRITICAL:
		return "unsupported critical payload";
	case IKE_E_SYNTAX:
		return "invalid syntax";
	case IKE_E_SPACE:
		return "no space left";
	}
	return "unknown error";
}

/*
 * RFC 7296 §3.1. The minor version is not checked: receivers "MUST ignore
 * the minor version number". Reserved flag bits are ignored likewise.
 */
int ike_parse_hdr(const uint8_t *buf, size_t len, struct ike_hdr *h)
{
	static const uint8_t zero[IKE_SPI_LEN];
	struct ike_rd r = ike_rd_init(buf, len);
	uint8_t ver;

	ike_rd_copy(&r, h->spi_i, IKE_SPI_LEN);
	ike_rd_copy(&r, h->spi_r, IKE_SPI_LEN);
	h->next = ike_rd_u8(&r);
	ver = ike_rd_u8(&r);
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	h->exchange = ike_rd_u8(&r);
	h->flags = ike_rd_u8(&r);
	h->msg_id = ike_rd_u32(&r);
	h->length = ike_rd_u32(&r);
	if (r.bad)
		return IKE_E_SHORT;
	if (h->major != 2)
		return IKE_E_VERSION;
	if (h->length != len)
		return h->length > len ? IKE_E_SHORT : IKE_E_LENGTH;
	if (h->exchange < IKE_SA_INIT || h->exchange > IKE_SESSION_RESUME)
		return IKE_E_EXCHANGE;
	/* §3.1: the initiator's SPI is never zero. */
	return memcmp(h->spi_i, zero, IKE_SPI_LEN) ? IKE_OK : IKE_E_SYNTAX;
}

int ike_pl_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) ||
	       type == IKE_PL_SKF || type == IKE_PL_PS;
}

static int is_encrypted(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

/* Reads the generic header at r and records one payload of type *next. */
static int chain_one(struct ike_rd *r, uint8_t *next, struct ike_chain *c)
{
	struct ike_payload *pl;
	const uint8_t *gen;
	size_t plen;

	if (c->n == IKE_MAX_PAYLOADS)
		return IKE_E_TOOMANY;
	gen = ike_rd_take(r, IKE_GEN_HDR_LEN);
	if (!gen)
		return IKE_E_SHORT;
	plen = ike_get16(gen + 2);
	if (plen < IKE_GEN_HDR_LEN)
		return IKE_E_LENGTH;
	pl = &c->pl[c->n++];
	pl->type = *next;
	pl->critical = gen[1] >> 7;
	pl->inner = 0;
	pl->len = plen - IKE_GEN_HDR_LEN;
	pl->body = ike_rd_take(r, pl->len);
	if (!pl->body)
		return IKE_E_SHORT;
	*next = gen[0];
	if (!ike_pl_known(pl->type) && pl->critical && !c->unsupported)
		c->unsupported = pl->type;
	return IKE_OK;
}

static int chain_parse(uint8_t first, const uint8_t *buf, size_t len,
		       struct ike_chain *c, int inner)
{
	struct ike_rd r = ike_rd_init(buf, len);
	uint8_t next = first;
	int ret;

	c->n = 0;
	c->unsupported = 0;
	while (next != IKE_PL_NONE) {
		if (is_encrypted(next) && inner)
			return IKE_E_SYNTAX;
		ret = chain_one(&r, &next, c);
		if (ret)
			return ret;
		/* SK's Next Payload names what is inside it; it ends the chain. */
		if (is_encrypted(c->pl[c->n - 1].type)) {
			c->pl[c->n - 1].inner = next;
			break;
		}
	}
	ret = ike_rd_done(&r);
	if (ret)
		return ret;
	return c->unsupported ? IKE_E_CRITICAL : IKE_OK;
}

int ike_parse_chain(uint8_t first, const uint8_t *buf, size_t len,
		    struct ike_chain *c)
{
	return chain_parse(first, buf, len, c, 0);
}

int ike_parse_inner(uint8_t first, const uint8_t *buf, size_t len,
		    struct ike_chain *c)
{
	return chain_parse(first, buf, len, c, 1);
}

int ike_parse_msg(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	int ret = ike_parse_hdr(buf, len, &m->hdr);

	m->chain.n = 0;
	m->chain.unsupported = 0;
	if (ret)
		return ret;
	return ike_parse_chain(m->hdr.next, buf + IKE_HDR_LEN,
			       len - IKE_HDR_LEN, &m->chain);
}

const struct ike_payload *ike_chain_find(const struct ike_chain *c,
					 uint8_t type, size_t idx)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->pl[i].type == type && idx-- == 0)
			return &c->pl[i];
	return NULL;
}

/* Writer. */

void ike_w_init(struct ike_writer *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->np_off = SIZE_MAX;
}

void ike_w_init_msg(struct ike_writer *w, uint8_t *buf, size_t cap,
		    const struct ike_hdr *h)
{
	ike_w_init(w, buf, cap);
	w->has_hdr = 1;
	ike_w_put(w, h->spi_i, IKE_SPI_LEN);
	ike_w_put(w, h->spi_r, IKE_SPI_LEN);
	ike_w_u8(w, IKE_PL_NONE);
	ike_w_u8(w, (uint8_t)(h->major << 4 | (h->minor & 0x0f)));
	ike_w_u8(w, h->exchange);
	ike_w_u8(w, h->flags);
	ike_w_u32(w, h->msg_id);
	ike_w_u32(w, 0);
	w->np_off = 16;
}

void ike_w_put(struct ike_writer *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (n > w->cap - w->len) {
		ike_w_fail(w, IKE_E_SPACE);
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void ike_w_u8(struct ike_writer *w, uint8_t v)
{
	ike_w_put(w, &v, 1);
}

void ike_w_u16(struct ike_writer *w, uint16_t v)
{
	uint8_t b[2];

	ike_set16(b, v);
	ike_w_put(w, b, 2);
}

void ike_w_u32(struct ike_writer *w, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	ike_w_put(w, b, 4);
}

/* Links the new payload into the previous Next Payload field. */
static void w_link(struct ike_writer *w, uint8_t type)
{
	if (w->np_off == SIZE_MAX)
		w->first = type;
	else
		w->buf[w->np_off] = type;
	w->np_off = w->len;
}

size_t ike_w_begin(struct ike_writer *w, uint8_t type, int critical)
{
	size_t start = w->len;

	if (w->closed || type == IKE_PL_NONE)
		ike_w_fail(w, IKE_E_SYNTAX);
	if (!w->err && w->cap - w->len < IKE_GEN_HDR_LEN)
		ike_w_fail(w, IKE_E_SPACE);
	if (w->err)
		return start;
	w_link(w, type);
	ike_w_u8(w, IKE_PL_NONE);
	ike_w_u8(w, critical ? 0x80 : 0);
	ike_w_u16(w, 0);
	return start;
}

void ike_w_end(struct ike_writer *w, size_t start)
{
	size_t plen = w->len - start;

	if (w->err)
		return;
	if (plen > UINT16_MAX) {
		ike_w_fail(w, IKE_E_LENGTH);
		return;
	}
	ike_set16(w->buf + start + 2, (uint16_t)plen);
}

long ike_w_finish(struct ike_writer *w)
{
	uint8_t *p;

	if (w->err)
		return w->err;
	if (w->has_hdr) {
		p = w->buf + 24;
		p[0] = (uint8_t)(w->len >> 24);
		p[1] = (uint8_t)(w->len >> 16);
		p[2] = (uint8_t)(w->len >> 8);
		p[3] = (uint8_t)w->len;
	}
	return (long)w->len;
}
