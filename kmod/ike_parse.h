/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_IKE_PARSE_H
#define _MOAT_IKE_PARSE_H

#include <linux/types.h>

/* IKEv2 numbers the guard needs (RFC 7296, RFC 8019, IANA registries). */
#define MOAT_IKE_HDR_LEN		28
#define MOAT_IKE_SPI_LEN		8
#define MOAT_IKE_VERSION		0x20	/* major 2, minor 0 */
#define MOAT_IKE_SA_INIT		34
#define MOAT_IKE_FLAG_INITIATOR		0x08
#define MOAT_IKE_FLAG_RESPONSE		0x20

#define MOAT_IKE_PL_NONE		0
#define MOAT_IKE_PL_SA			33
#define MOAT_IKE_PL_NONCE		40
#define MOAT_IKE_PL_NOTIFY		41
#define MOAT_IKE_PL_SK			46
#define MOAT_IKE_PL_SKF			53
#define MOAT_IKE_PL_PS			54

#define MOAT_IKE_N_COOKIE		16390
#define MOAT_IKE_N_PUZZLE		16434

#define MOAT_IKE_TRANSFORM_PRF		2
#define MOAT_IKE_PRF_HMAC_SHA2_256	5
#define MOAT_IKE_PRF_HMAC_SHA2_384	6
#define MOAT_IKE_PRF_HMAC_SHA2_512	7

#define MOAT_IKE_NONCE_MIN		16
#define MOAT_IKE_NONCE_MAX		256
#define MOAT_IKE_COOKIE_MAX		64

/**
 * struct moat_ike_init - what the guard reads from an IKE_SA_INIT request
 * @spi_i: the initiator's SPI, %MOAT_IKE_SPI_LEN octets
 * @nonce: Ni's data
 * @nonce_len: its length, %MOAT_IKE_NONCE_MIN to %MOAT_IKE_NONCE_MAX
 * @cookie: the COOKIE notification's data, or %NULL when there is none
 * @cookie_len: its length, 1 to %MOAT_IKE_COOKIE_MAX
 * @ps: the Puzzle Solution payload's data, or %NULL
 * @ps_len: its length (any; the puzzle check judges it)
 * @prfs: bit n set when a proposal offers PRF transform ID n (n < 32)
 *
 * Every pointer points into the message that was parsed.
 */
struct moat_ike_init {
	const u8 *spi_i;
	const u8 *nonce;
	u16 nonce_len;
	const u8 *cookie;
	u16 cookie_len;
	const u8 *ps;
	u16 ps_len;
	u32 prfs;
};

/**
 * enum moat_ike_kind - what moat_ike_parse_init() found
 * @MOAT_IKE_INIT_REQUEST: a well-formed IKE_SA_INIT request; judge it
 * @MOAT_IKE_OTHER: an IKE message of another kind (a response, another
 *	exchange, another major version); moatd deals with it
 * @MOAT_IKE_MALFORMED: too short for a header, or an IKE_SA_INIT request
 *	whose lengths or contents do not add up
 */
enum moat_ike_kind {
	MOAT_IKE_INIT_REQUEST,
	MOAT_IKE_OTHER,
	MOAT_IKE_MALFORMED,
};

enum moat_ike_kind moat_ike_parse_init(const u8 *msg, size_t len,
				       struct moat_ike_init *out);

#endif /* _MOAT_IKE_PARSE_H */
