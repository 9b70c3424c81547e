// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "proposal.h"

#define FOR_IKE (1U << IKE_PROTO_IKE)
#define FOR_ESP (1U << IKE_PROTO_ESP)

struct keyword {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
	unsigned int protos;		/* FOR_* */
};

/* The first name of an (type, id, key_bits) is the one proposal_format uses. */
static const struct keyword keywords[] = {
	{ "aes128gcm16", IKE_TR_ENCR, IKE_ENCR_AES_GCM_16, 128,
	  FOR_IKE | FOR_ESP },
	{ "aes256gcm16", IKE_TR_ENCR, IKE_ENCR_AES_GCM_16, 256,
	  FOR_IKE | FOR_ESP },
	{ "chacha20poly1305", IKE_TR_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0,
	  FOR_IKE | FOR_ESP },
	{ "prfsha256", IKE_TR_PRF, IKE_PRF_HMAC_SHA2_256, 0, FOR_IKE },
	{ "prfsha384", IKE_TR_PRF, IKE_PRF_HMAC_SHA2_384, 0, FOR_IKE },
	{ "prfsha512", IKE_TR_PRF, IKE_PRF_HMAC_SHA2_512, 0, FOR_IKE },
	{ "x25519", IKE_TR_DH, DH_CURVE25519, 0, FOR_IKE | FOR_ESP },
	{ "curve25519", IKE_TR_DH, DH_CURVE25519, 0,
	  FOR_IKE | FOR_ESP },
	{ "ecp256", IKE_TR_DH, DH_ECP_256, 0, FOR_IKE | FOR_ESP },
	{ "modp2048", IKE_TR_DH, DH_MODP_2048, 0, FOR_IKE | FOR_ESP },
	{ "esn", IKE_TR_ESN, IKE_ESN_YES, 0, FOR_ESP },
	{ "noesn", IKE_TR_ESN, IKE_ESN_NO, 0, FOR_ESP },
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* Longest keyword or element text quoted back in a message. */
#define SHOW_MAX 40

static const struct keyword *keyword_find(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < N_KEYWORDS; i++)
		if (strlen(keywords[i].name) == n &&
		    !memcmp(keywords[i].name, s, n))
			return &keywords[i];
	return NULL;
}

static const char *proto_name(int protocol)
{
	return protocol == IKE_PROTO_IKE ? "ike" : "esp";
}

static int transform_same(const struct ike_transform *a,
			  const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_bits == b->key_bits;
}

const struct ike_transform *proposal_find_tr(const struct ike_proposal *p,
					     uint8_t type)
{
	unsigned int i;

	for (i = 0; i < p->n_tr && i < IKE_MAX_TRANSFORMS; i++)
		if (p->tr[i].type == type)
			return &p->tr[i];
	return NULL;
}

static int has_type(const struct ike_proposal *p, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < p->n_tr && i < IKE_MAX_TRANSFORMS; i++)
		if (p->tr[i].type == type)
			return 1;
	return 0;
}

static int has_transform(const struct ike_proposal *p,
			 const struct ike_transform *t)
{
	unsigned int i;

	for (i = 0; i < p->n_tr && i < IKE_MAX_TRANSFORMS; i++)
		if (transform_same(&p->tr[i], t) && !p->tr[i].unknown_attr)
			return 1;
	return 0;
}

static const char *transform_name(const struct ike_transform *t)
{
	size_t i;

	for (i = 0; i < N_KEYWORDS; i++)
		if (keywords[i].type == t->type && keywords[i].id == t->id &&
		    keywords[i].key_bits == t->key_bits)
			return keywords[i].name;
	return NULL;
}

/* Adds the keyword at @s (@n bytes) to @p; 0 or -1 with @err. */
static int add_keyword(struct ike_proposal *p, const char *s, size_t n,
		       unsigned int idx, char *err, size_t errlen)
{
	const struct keyword *k = keyword_find(s, n);
	const char *pn = proto_name(p->proto);
	struct ike_transform t;
	int shown = n > SHOW_MAX ? SHOW_MAX : (int)n;

	if (n == 0) {
		snprintf(err, errlen, "%s proposal %u has an empty keyword",
			 pn, idx);
		return -1;
	}
	if (!k) {
		snprintf(err, errlen, "unknown keyword \"%.*s%s\" in %s proposal %u",
			 shown, s, n > SHOW_MAX ? "..." : "", pn, idx);
		return -1;
	}
	if (!(k->protos & (1U << p->proto))) {
		snprintf(err, errlen, "keyword \"%s\" does not belong in an %s proposal (%s proposal %u)",
			 k->name, pn, pn, idx);
		return -1;
	}
	t = (struct ike_transform){ k->type, k->id, k->key_bits, 0 };
	if (has_transform(p, &t)) {
		const char *first = transform_name(&t);

		if (strcmp(first, k->name))
			snprintf(err, errlen, "keyword \"%s\" is the same as \"%s\" in %s proposal %u",
				 k->name, first, pn, idx);
		else
			snprintf(err, errlen, "keyword \"%s\" is given twice in %s proposal %u",
				 k->name, pn, idx);
		return -1;
	}
	if (p->n_tr >= IKE_MAX_TRANSFORMS) {
		snprintf(err, errlen, "%s proposal %u has more than %d keywords",
			 pn, idx, IKE_MAX_TRANSFORMS);
		return -1;
	}
	p->tr[p->n_tr++] = t;
	return 0;
}

/* Checks that @p has every transform type its protocol needs. */
static int proposal_complete(struct ike_proposal *p, unsigned int idx,
			     char *err, size_t errlen)
{
	const char *pn = proto_name(p->proto), *missing = NULL;

	if (!has_type(p, IKE_TR_ENCR))
		missing = "encryption";
	else if (p->proto == IKE_PROTO_IKE && !has_type(p, IKE_TR_PRF))
		missing = "PRF";
	else if (p->proto == IKE_PROTO_IKE && !has_type(p, IKE_TR_DH))
		missing = "key exchange";
	if (missing) {
		snprintf(err, errlen, "%s proposal %u has no %s keyword",
			 pn, idx, missing);
		return -1;
	}
	if (p->proto == IKE_PROTO_ESP && !has_type(p, IKE_TR_ESN)) {
		if (p->n_tr >= IKE_MAX_TRANSFORMS) {
			snprintf(err, errlen, "%s proposal %u has too many keywords",
				 pn, idx);
			return -1;
		}
		p->tr[p->n_tr++] = (struct ike_transform){
			IKE_TR_ESN, IKE_ESN_NO, 0, 0 };
	}
	return 0;
}

/* One proposal from the @n bytes at @s ("kw-kw-kw"). */
static int parse_one(const char *s, size_t n, struct ike_proposal *p,
		     unsigned int idx, char *err, size_t errlen)
{
	const char *end = s + n, *dash;

	if (n == 0) {
		snprintf(err, errlen, "%s proposal %u is empty",
			 proto_name(p->proto), idx);
		return -1;
	}
	for (;;) {
		dash = memchr(s, '-', (size_t)(end - s));
		if (add_keyword(p, s, dash ? (size_t)(dash - s) :
				(size_t)(end - s), idx, err, errlen))
			return -1;
		if (!dash)
			break;
		s = dash + 1;
	}
	return proposal_complete(p, idx, err, errlen);
}

int proposal_parse(const char *s, int protocol, struct ike_sa *out,
		   char *err, size_t errlen)
{
	const char *comma;
	unsigned int idx;

	if (errlen)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (protocol != IKE_PROTO_IKE && protocol != IKE_PROTO_ESP) {
		snprintf(err, errlen, "proposals are for ike or esp only");
		return -1;
	}
	for (idx = 1;; idx++) {
		struct ike_proposal *p = &out->prop[out->n];

		if (out->n >= IKE_MAX_PROPOSALS) {
			snprintf(err, errlen, "more than %d %s proposals",
				 IKE_MAX_PROPOSALS, proto_name(protocol));
			goto fail;
		}
		p->num = (uint8_t)idx;
		p->proto = (uint8_t)protocol;
		comma = strchr(s, ',');
		if (parse_one(s, comma ? (size_t)(comma - s) : strlen(s), p, idx,
			      err, errlen))
			goto fail;
		out->n++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}

/*
 * Picks for @type the first of our transforms the peer offers, or the
 * peer's "none" when we have no INTEG or D-H transform. 0 or -1.
 */
static int pick_type(const struct ike_proposal *ours,
		     const struct ike_proposal *peer, uint8_t type,
		     struct ike_transform *pick)
{
	const struct ike_transform none = { type, IKE_TRANSFORM_ID_NONE, 0, 0 };
	unsigned int i;

	if (type < IKE_TR_ENCR || type > IKE_TR_ESN)
		return -1;	/* a type we do not know: §3.3.6 */
	if (!has_type(ours, type)) {
		*pick = none;
		return (type == IKE_TR_INTEG || type == IKE_TR_DH) &&
		       has_transform(peer, &none) ? 0 : -1;
	}
	for (i = 0; i < ours->n_tr; i++) {
		if (ours->tr[i].type == type && has_transform(peer, &ours->tr[i])) {
			*pick = ours->tr[i];
			return 0;
		}
	}
	return -1;
}

/* Adds one transform of each type in @from to @out; 0 or -1. */
static int pick_all(const struct ike_proposal *ours,
		    const struct ike_proposal *peer,
		    const struct ike_proposal *from, struct ike_proposal *out)
{
	unsigned int i;

	for (i = 0; i < from->n_tr; i++) {
		uint8_t type = from->tr[i].type;

		if (has_type(out, type))
			continue;
		if (out->n_tr >= IKE_MAX_TRANSFORMS ||
		    pick_type(ours, peer, type, &out->tr[out->n_tr]))
			return -1;
		out->n_tr++;
	}
	return 0;
}

/* Whether @peer satisfies @ours; fills @out with the agreed transforms. */
static int proposal_match(const struct ike_proposal *ours,
			  const struct ike_proposal *peer,
			  struct ike_proposal *out)
{
	if (ours->proto != peer->proto ||
	    peer->n_tr > IKE_MAX_TRANSFORMS ||
	    peer->spi_size > sizeof(peer->spi))
		return 0;
	memset(out, 0, sizeof(*out));
	out->num = peer->num;
	out->proto = peer->proto;
	out->spi_size = peer->spi_size;
	memcpy(out->spi, peer->spi, peer->spi_size);
	return !pick_all(ours, peer, ours, out) &&
	       !pick_all(ours, peer, peer, out);
}

int proposal_select(const struct ike_sa *ours,
		    const struct ike_sa *offered,
		    struct ike_proposal *chosen)
{
	unsigned int i, j;

	for (i = 0; i < ours->n && i < IKE_MAX_PROPOSALS; i++)
		for (j = 0; j < offered->n && j < IKE_MAX_PROPOSALS; j++)
			if (proposal_match(&ours->prop[i], &offered->prop[j], chosen))
				return (int)i;
	memset(chosen, 0, sizeof(*chosen));
	return -1;
}

const char *proposal_format(const struct ike_proposal *p, char *buf,
			    size_t len)
{
	size_t used = 0;
	unsigned int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < p->n_tr && i < IKE_MAX_TRANSFORMS; i++) {
		const char *name = transform_name(&p->tr[i]);
		char other[32];
		int w;

		if (!name) {
			snprintf(other, sizeof(other), "%u:%u:%u", p->tr[i].type,
				 p->tr[i].id, p->tr[i].key_bits);
			name = other;
		}
		w = snprintf(buf + used, len - used, "%s%s", i ? "-" : "", name);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';	/* whole names only */
			break;
		}
		used += (size_t)w;
	}
	return buf;
}
