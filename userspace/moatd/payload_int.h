/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the payload codec: a bounds-checked reader. A read past the
 * end sets bad, returns zero and copies nothing; callers check bad once at
 * the end instead of after every field.
 */
#ifndef MOATD_PAYLOAD_INT_H
#define MOATD_PAYLOAD_INT_H

#include <string.h>

#include "payload.h"

struct ike_rd {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

static inline struct ike_rd ike_rd_init(const uint8_t *p, size_t len)
{
	return (struct ike_rd){ p, len, 0, 0 };
}

static inline size_t ike_rd_left(const struct ike_rd *r)
{
	return r->len - r->off;
}

/* Pointer to the next n octets (and skips them), or NULL past the end. */
static inline const uint8_t *ike_rd_take(struct ike_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > ike_rd_left(r)) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static inline uint8_t ike_rd_u8(struct ike_rd *r)
{
	const uint8_t *p = ike_rd_take(r, 1);

	return p ? p[0] : 0;
}

static inline uint16_t ike_rd_u16(struct ike_rd *r)
{
	const uint8_t *p = ike_rd_take(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t ike_rd_u32(struct ike_rd *r)
{
	const uint8_t *p = ike_rd_take(r, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		   (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline void ike_rd_copy(struct ike_rd *r, void *dst, size_t n)
{
	const uint8_t *p = ike_rd_take(r, n);

	if (p)
		memcpy(dst, p, n);
}

/* IKE_OK when every read fit and nothing is left over. */
static inline int ike_rd_done(const struct ike_rd *r)
{
	if (r->bad)
		return IKE_E_SHORT;
	return ike_rd_left(r) ? IKE_E_LENGTH : IKE_OK;
}

static inline uint16_t ike_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void ike_set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Sets the writer's sticky error (the first one wins). */
static inline void ike_w_fail(struct ike_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

#endif
