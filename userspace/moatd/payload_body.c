// SPDX-License-Identifier: GPL-2.0
/*
 * The simple payloads: KE (§3.4), IDi/IDr (§3.5), AUTH (§3.8), Nonce
 * (§3.9), Notify (§3.10), Delete (§3.11), Vendor ID (§3.12) and Puzzle
 * Solution (RFC 8019 §8.2).
 */
#include "payload_int.h"

#define IKE_NAME_MAX 255	/* FQDN / RFC822 identities */

int ike_dec_ke(const uint8_t *b, size_t len, struct ike_ke *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	out->group = ike_rd_u16(&r);
	ike_rd_take(&r, 2);
	if (r.bad)
		return IKE_E_SHORT;
	out->len = ike_rd_left(&r);
	out->data = ike_rd_take(&r, out->len);
	return out->len ? IKE_OK : IKE_E_SYNTAX;
}

void ike_put_ke(struct ike_writer *w, const struct ike_ke *ke)
{
	size_t start = ike_w_begin(w, IKE_PL_KE, 0);

	if (!ke->len)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u16(w, ke->group);
	ike_w_u16(w, 0);
	ike_w_put(w, ke->data, ke->len);
	ike_w_end(w, start);
}

/* A name: 1..255 octets, no NUL. */
static int id_name_ok(const uint8_t *p, size_t len)
{
	return len && len <= IKE_NAME_MAX && !memchr(p, 0, len);
}

/* Checks the data against its ID type; unknown types are left to policy. */
static int id_valid(const struct ike_id *id)
{
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
		return id->len == 4;
	case IKE_ID_IPV6_ADDR:
		return id->len == 16;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		return id_name_ok(id->data, id->len);
	case IKE_ID_KEY_ID:
		return id->len > 0;
	case IKE_ID_NULL:
		return 1;	/* RFC 7619 §3: the data is opaque */
	}
	return id->len > 0;
}

int ike_dec_id(const uint8_t *b, size_t len, struct ike_id *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	out->type = ike_rd_u8(&r);
	ike_rd_take(&r, 3);
	if (r.bad)
		return IKE_E_SHORT;
	out->len = ike_rd_left(&r);
	out->data = ike_rd_take(&r, out->len);
	return id_valid(out) ? IKE_OK : IKE_E_SYNTAX;
}

void ike_put_id(struct ike_writer *w, uint8_t pl_type,
		const struct ike_id *id)
{
	size_t start = ike_w_begin(w, pl_type, 0);

	if ((pl_type != IKE_PL_IDI && pl_type != IKE_PL_IDR) || !id_valid(id))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u8(w, id->type);
	ike_w_put(w, "\0\0", 3);
	ike_w_put(w, id->data, id->len);
	ike_w_end(w, start);
}

int ike_dec_auth(const uint8_t *b, size_t len, struct ike_auth *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	out->method = ike_rd_u8(&r);
	ike_rd_take(&r, 3);
	if (r.bad)
		return IKE_E_SHORT;
	out->len = ike_rd_left(&r);
	out->data = ike_rd_take(&r, out->len);
	return out->len ? IKE_OK : IKE_E_SYNTAX;
}

void ike_put_auth(struct ike_writer *w, const struct ike_auth *a)
{
	size_t start = ike_w_begin(w, IKE_PL_AUTH, 0);

	if (!a->len)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u8(w, a->method);
	ike_w_put(w, "\0\0", 3);
	ike_w_put(w, a->data, a->len);
	ike_w_end(w, start);
}

int ike_dec_nonce(const uint8_t *b, size_t len)
{
	(void)b;
	if (len < IKE_NONCE_MIN)
		return IKE_E_SHORT;
	return len > IKE_NONCE_MAX ? IKE_E_LENGTH : IKE_OK;
}

void ike_put_nonce(struct ike_writer *w, const uint8_t *n, size_t len)
{
	size_t start = ike_w_begin(w, IKE_PL_NONCE, 0);

	if (ike_dec_nonce(n, len))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_put(w, n, len);
	ike_w_end(w, start);
}

/* An SPI is absent, an ESP/AH SPI or an IKE SPI. */
static int spi_size_ok(uint8_t size)
{
	return size == 0 || size == 4 || size == IKE_SPI_LEN;
}

int ike_dec_notify(const uint8_t *b, size_t len, struct ike_notify *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	out->proto = ike_rd_u8(&r);
	out->spi_size = ike_rd_u8(&r);
	out->type = ike_rd_u16(&r);
	if (r.bad)
		return IKE_E_SHORT;
	if (!spi_size_ok(out->spi_size))
		return IKE_E_SYNTAX;
	out->spi = ike_rd_take(&r, out->spi_size);
	if (r.bad)
		return IKE_E_SHORT;
	out->len = ike_rd_left(&r);
	out->data = ike_rd_take(&r, out->len);
	return IKE_OK;
}

void ike_put_notify(struct ike_writer *w, const struct ike_notify *n)
{
	size_t start = ike_w_begin(w, IKE_PL_NOTIFY, 0);

	if (!spi_size_ok(n->spi_size))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u8(w, n->proto);
	ike_w_u8(w, n->spi_size);
	ike_w_u16(w, n->type);
	ike_w_put(w, n->spi, n->spi_size);
	ike_w_put(w, n->data, n->len);
	ike_w_end(w, start);
}

/* §3.11: an IKE SA is deleted with no SPI; Child SAs with 4-octet SPIs. */
static int delete_valid(const struct ike_delete *d)
{
	if (d->proto == IKE_PROTO_IKE)
		return d->spi_size == 0 && d->n_spi == 0;
	if (d->proto == IKE_PROTO_ESP || d->proto == IKE_PROTO_AH)
		return d->spi_size == 4 && d->n_spi > 0;
	return 0;
}

int ike_dec_delete(const uint8_t *b, size_t len, struct ike_delete *out)
{
	struct ike_rd r = ike_rd_init(b, len);

	out->proto = ike_rd_u8(&r);
	out->spi_size = ike_rd_u8(&r);
	out->n_spi = ike_rd_u16(&r);
	if (r.bad)
		return IKE_E_SHORT;
	if (!delete_valid(out))
		return IKE_E_SYNTAX;
	out->spis = ike_rd_take(&r, (size_t)out->n_spi * out->spi_size);
	return ike_rd_done(&r);
}

void ike_put_delete(struct ike_writer *w, const struct ike_delete *d)
{
	size_t start = ike_w_begin(w, IKE_PL_DELETE, 0);

	if (!delete_valid(d))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u8(w, d->proto);
	ike_w_u8(w, d->spi_size);
	ike_w_u16(w, d->n_spi);
	ike_w_put(w, d->spis, (size_t)d->n_spi * d->spi_size);
	ike_w_end(w, start);
}

int ike_dec_vendor(const uint8_t *b, size_t len)
{
	(void)b;
	return len ? IKE_OK : IKE_E_SHORT;
}

void ike_put_vendor(struct ike_writer *w, const uint8_t *v, size_t len)
{
	size_t start = ike_w_begin(w, IKE_PL_VENDOR, 0);

	if (!len)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_put(w, v, len);
	ike_w_end(w, start);
}

/* RFC 8019 §8.2: the solution is a PRF key; it is never empty. */
int ike_dec_puzzle(const uint8_t *b, size_t len)
{
	(void)b;
	return len ? IKE_OK : IKE_E_SHORT;
}

void ike_put_puzzle(struct ike_writer *w, const uint8_t *s, size_t len)
{
	size_t start = ike_w_begin(w, IKE_PL_PS, 0);

	if (!len)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_put(w, s, len);
	ike_w_end(w, start);
}
