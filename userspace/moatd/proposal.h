/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 proposals (RFC 7296 §3.3) from the config (strongSwan's keyword
 * syntax, "aes128gcm16-prfsha256-x25519") and the responder's choice among
 * a peer's. Both work on the SA payload codec's in-memory form (payload.h:
 * struct ike_sa, a list of struct ike_proposal, each a list of struct
 * ike_transform), which ike_dec_sa fills and ike_put_sa writes.
 *
 * A proposal is a protocol and a list of transforms. Several transforms of
 * one type in a proposal are alternatives ("any one of these"); each type
 * present must be agreed on. A transform is (type, ID, key length in bits,
 * 0 when it carries no Key Length attribute). The order of transforms and
 * proposals is preference order, most preferred first.
 */
#ifndef MOATD_PROPOSAL_H
#define MOATD_PROPOSAL_H

#include <stddef.h>
#include <stdint.h>

#include "dh.h"		/* enum dh_group: KE transform IDs */
#include "keys.h"	/* enum ike_encr_id, enum ike_prf_id */
#include "payload.h"	/* struct ike_sa, ike_proposal, ike_transform */

/* Extended Sequence Numbers (Transform Type 5) IDs. */
enum ike_esn_id {
	IKE_ESN_NO = 0,
	IKE_ESN_YES = 1,
};

/* ID 0 of INTEG and KE (D-H) means "none" (RFC 7296 §3.3.2). */
#define IKE_TRANSFORM_ID_NONE 0

/*
 * Parses a comma list of proposals in strongSwan's syntax for @protocol
 * (IKE_PROTO_IKE for "ike =", IKE_PROTO_ESP for "esp ="), e.g.
 * "aes128gcm16-prfsha256-x25519,aes256gcm16-prfsha384-ecp256" or
 * "aes128gcm16-esn,chacha20poly1305". Keywords:
 *   encryption  aes128gcm16 aes256gcm16 chacha20poly1305
 *   PRF (ike)   prfsha256 prfsha384 prfsha512
 *   KE          x25519 (= curve25519) ecp256 modp2048 (optional for esp:
 *               PFS when a Child SA is rekeyed)
 *   ESN (esp)   esn noesn (neither: noesn only)
 * An ike proposal needs an encryption, a PRF and a KE keyword; an esp
 * proposal an encryption one. Returns 0, or -1 with @err naming the
 * proposal and the keyword at fault.
 */
int proposal_parse(const char *s, int protocol, struct ike_sa *out,
		   char *err, size_t errlen);

/*
 * As responder: the first of @ours (in our order) that one of @offered
 * (tried in the peer's order) satisfies. A peer proposal satisfies ours
 * when it has the same protocol and, for every transform type in either:
 * both share a transform (same type, ID and key length, and the peer's
 * carries no unknown attribute; our order picks among several), or the
 * type is INTEG or D-H, we have none of it and the peer offers its "none"
 * (ID 0: INTEG with an AEAD cipher, ESP without PFS). A peer proposal
 * with a type we do not know (above ESN) is unacceptable (§3.3.6). Fills
 * @chosen with one transform of each type, the peer's proposal number and
 * SPI, and returns the index of our proposal; -1 if none
 * (NO_PROPOSAL_CHOSEN, @chosen zeroed).
 */
int proposal_select(const struct ike_sa *ours, const struct ike_sa *offered,
		    struct ike_proposal *chosen);

/* The transform of @type in @p, or NULL. */
const struct ike_transform *proposal_find_tr(const struct ike_proposal *p,
					     uint8_t type);

/* Writes @p as keywords ("aes128gcm16-prfsha256-x25519") into @buf. */
const char *proposal_format(const struct ike_proposal *p, char *buf,
			    size_t len);

#endif
