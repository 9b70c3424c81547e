// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough of an IKEv2 parser for the guard (RFC 7296 section 3): the
 * header of an IKE_SA_INIT request, its initiator SPI and nonce, the
 * COOKIE notification, the Puzzle Solution payload (RFC 8019) and the PRF
 * transforms the SA payload offers. Everything else is stepped over by
 * its generic payload header. Every length is checked against what is
 * left before anything behind it is read, since the message comes from
 * anyone on the network.
 */

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "ike_parse.h"

#define IKE_GENERIC_LEN		4	/* next payload, flags, length */
#define IKE_PROPOSAL_LEN	8
#define IKE_TRANSFORM_LEN	8
#define IKE_NOTIFY_LEN		4	/* protocol, SPI size, type */
#define IKE_PROPOSAL_MORE	2

/* The length field at offset 2 of every payload and substructure. */
static u16 ike_len(const u8 *p)
{
	return get_unaligned_be16(p + 2);
}

/* Collect the PRF transform IDs of one proposal. */
static int ike_proposal(const u8 *p, size_t len, u32 *prfs)
{
	u8 spi_size = p[6], n = p[7];
	u16 tlen, id;

	if (IKE_PROPOSAL_LEN + spi_size > len)
		return -EBADMSG;
	p += IKE_PROPOSAL_LEN + spi_size;
	len -= IKE_PROPOSAL_LEN + spi_size;
	for (; n; n--) {
		if (len < IKE_TRANSFORM_LEN)
			return -EBADMSG;
		tlen = ike_len(p);
		if (tlen < IKE_TRANSFORM_LEN || tlen > len)
			return -EBADMSG;
		id = get_unaligned_be16(p + 6);
		if (p[4] == MOAT_IKE_TRANSFORM_PRF && id < 32)
			*prfs |= BIT(id);
		p += tlen;
		len -= tlen;
	}
	return len ? -EBADMSG : 0;
}

static int ike_sa(const u8 *p, size_t len, u32 *prfs)
{
	u16 plen;
	u8 more;

	do {
		if (len < IKE_PROPOSAL_LEN)
			return -EBADMSG;
		plen = ike_len(p);
		more = p[0];
		if (plen < IKE_PROPOSAL_LEN || plen > len ||
		    (more && more != IKE_PROPOSAL_MORE))
			return -EBADMSG;
		if (ike_proposal(p, plen, prfs))
			return -EBADMSG;
		p += plen;
		len -= plen;
	} while (more);
	return len ? -EBADMSG : 0;
}

static int ike_notify(const u8 *p, size_t len, struct moat_ike_init *out)
{
	size_t head;

	if (len < IKE_NOTIFY_LEN)
		return -EBADMSG;
	head = IKE_NOTIFY_LEN + p[1];
	if (head > len)
		return -EBADMSG;
	if (get_unaligned_be16(p + 2) != MOAT_IKE_N_COOKIE)
		return 0;
	if (out->cookie || len == head || len - head > MOAT_IKE_COOKIE_MAX)
		return -EBADMSG;
	out->cookie = p + head;
	out->cookie_len = len - head;
	return 0;
}

/* One payload's body: remember what the guard needs, skip the rest. */
static int ike_payload(u8 type, const u8 *p, size_t len,
		       struct moat_ike_init *out)
{
	switch (type) {
	case MOAT_IKE_PL_SA:
		return ike_sa(p, len, &out->prfs);
	case MOAT_IKE_PL_NONCE:
		if (out->nonce || len < MOAT_IKE_NONCE_MIN ||
		    len > MOAT_IKE_NONCE_MAX)
			return -EBADMSG;
		out->nonce = p;
		out->nonce_len = len;
		return 0;
	case MOAT_IKE_PL_NOTIFY:
		return ike_notify(p, len, out);
	case MOAT_IKE_PL_PS:
		if (out->ps)
			return -EBADMSG;
		out->ps = p;
		out->ps_len = len;
		return 0;
	case MOAT_IKE_PL_SK:
	case MOAT_IKE_PL_SKF:
		return -EBADMSG;	/* never in an IKE_SA_INIT request */
	default:
		return 0;
	}
}

static int ike_walk(const u8 *p, size_t len, u8 next,
		    struct moat_ike_init *out)
{
	u16 plen;

	while (next != MOAT_IKE_PL_NONE) {
		if (len < IKE_GENERIC_LEN)
			return -EBADMSG;
		plen = ike_len(p);
		if (plen < IKE_GENERIC_LEN || plen > len)
			return -EBADMSG;
		if (ike_payload(next, p + IKE_GENERIC_LEN,
				plen - IKE_GENERIC_LEN, out))
			return -EBADMSG;
		next = p[0];
		p += plen;
		len -= plen;
	}
	return len ? -EBADMSG : 0;
}

/* An IKE_SA_INIT request: Initiator set, not a response, both IDs 0. */
static bool ike_is_init_request(const u8 *msg)
{
	u8 flags = msg[19] & (MOAT_IKE_FLAG_INITIATOR | MOAT_IKE_FLAG_RESPONSE);

	return msg[18] == MOAT_IKE_SA_INIT &&
	       flags == MOAT_IKE_FLAG_INITIATOR;
}

/**
 * moat_ike_parse_init() - read an IKE_SA_INIT request for the guard
 * @msg: the IKE message (on port 4500, after the non-ESP marker)
 * @len: its length
 * @out: what was found; valid only for %MOAT_IKE_INIT_REQUEST
 *
 * A request is well formed when its header's length is @len, its
 * responder SPI and message ID are zero, its payload chain ends exactly at
 * the end, it has one Nonce (16 to 256 octets) and an SA payload that
 * offers a PRF, at most one COOKIE (1 to 64 octets) and at most one Puzzle
 * Solution.
 *
 * Return: what kind of message @msg is.
 */
enum moat_ike_kind moat_ike_parse_init(const u8 *msg, size_t len,
				       struct moat_ike_init *out)
{
	static const u8 zero_spi[MOAT_IKE_SPI_LEN];

	if (len < MOAT_IKE_HDR_LEN)
		return MOAT_IKE_MALFORMED;
	if ((msg[17] & 0xf0) != MOAT_IKE_VERSION || !ike_is_init_request(msg))
		return MOAT_IKE_OTHER;
	if (get_unaligned_be32(msg + 24) != len || get_unaligned_be32(msg + 20) ||
	    memcmp(msg + MOAT_IKE_SPI_LEN, zero_spi, MOAT_IKE_SPI_LEN))
		return MOAT_IKE_MALFORMED;
	*out = (struct moat_ike_init){ .spi_i = msg };
	if (ike_walk(msg + MOAT_IKE_HDR_LEN, len - MOAT_IKE_HDR_LEN, msg[16],
		     out))
		return MOAT_IKE_MALFORMED;
	if (!out->nonce || !out->prfs)
		return MOAT_IKE_MALFORMED;
	return MOAT_IKE_INIT_REQUEST;
}
