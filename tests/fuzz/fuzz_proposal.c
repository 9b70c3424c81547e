// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for proposals. The input is "ike" or "esp" keywords,
 * a NUL, then raw octets that become the peer's offer (as the SA decoder
 * would fill it). What proposal_parse accepts formats and parses back to
 * the same transforms; proposal_select always picks our own first
 * proposal from an offer of exactly ours, and from the fuzzed offer picks
 * only what one of our proposals has (or a peer's INTEG/D-H "none"), one
 * transform per type, with the peer's number and SPI.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proposal.h"

static int same_prop(const struct ike_proposal *a,
		     const struct ike_proposal *b)
{
	unsigned int i;

	if (a->proto != b->proto || a->n_tr != b->n_tr)
		return 0;
	for (i = 0; i < a->n_tr; i++)
		if (a->tr[i].type != b->tr[i].type || a->tr[i].id != b->tr[i].id ||
		    a->tr[i].key_bits != b->tr[i].key_bits)
			return 0;
	return 1;
}

static void check_roundtrip(const struct ike_sa *sa, int proto)
{
	struct ike_sa back;
	char buf[512], err[128];
	size_t i;

	for (i = 0; i < sa->n; i++) {
		proposal_format(&sa->prop[i], buf, sizeof(buf));
		if (proposal_parse(buf, proto, &back, err, sizeof(err)) ||
		    back.n != 1 || !same_prop(&sa->prop[i], &back.prop[0]))
			abort();
	}
}

/* The peer's offer from raw octets: 5 per transform. */
static void offer_from(const uint8_t *d, size_t n, struct ike_sa *sa)
{
	struct ike_proposal *p = NULL;

	memset(sa, 0, sizeof(*sa));
	for (; n >= 5; d += 5, n -= 5) {
		if (!p || (d[0] & 0x80)) {
			if (sa->n == IKE_MAX_PROPOSALS)
				return;
			p = &sa->prop[sa->n++];
			p->num = (uint8_t)sa->n;
			p->proto = d[0] & 0x40 ? IKE_PROTO_ESP : IKE_PROTO_IKE;
			p->spi_size = d[0] & 0x40 ? 4 : 0;
			memcpy(p->spi, d + 1, 4);
		}
		if (p->n_tr == IKE_MAX_TRANSFORMS)
			continue;
		p->tr[p->n_tr].type = d[0] & 0x07;
		p->tr[p->n_tr].id = d[1] & 0x3f;
		p->tr[p->n_tr].key_bits = d[2] & 1 ? (d[2] & 2 ? 256 : 128) : 0;
		p->tr[p->n_tr].unknown_attr = !(d[3] & 0x7f);
		p->n_tr++;
	}
}

static int ours_has(const struct ike_proposal *p, const struct ike_transform *t)
{
	unsigned int i;

	for (i = 0; i < p->n_tr; i++)
		if (p->tr[i].type == t->type && p->tr[i].id == t->id &&
		    p->tr[i].key_bits == t->key_bits)
			return 1;
	return (t->type == IKE_TR_INTEG || t->type == IKE_TR_DH) && t->id == 0;
}

static void check_choice(const struct ike_sa *ours, const struct ike_sa *peer,
			 int i, const struct ike_proposal *ch)
{
	unsigned int j, k;

	if (i < 0) {
		if (ch->n_tr)
			abort();
		return;
	}
	if ((size_t)i >= ours->n || ch->proto != ours->prop[i].proto ||
	    !ch->num || ch->num > peer->n)
		abort();
	if (memcmp(ch->spi, peer->prop[ch->num - 1].spi, ch->spi_size))
		abort();
	for (j = 0; j < ch->n_tr; j++) {
		if (!ours_has(&ours->prop[i], &ch->tr[j]))
			abort();
		for (k = 0; k < j; k++)
			if (ch->tr[k].type == ch->tr[j].type)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t slen = nul ? (size_t)(nul - data) : size;
	struct ike_sa ours, peer;
	struct ike_proposal ch;
	char err[128], *s;
	int proto, i;

	if (slen < 1)
		return 0;
	proto = data[0] & 1 ? IKE_PROTO_ESP : IKE_PROTO_IKE;
	s = malloc(slen);
	if (!s)
		return 0;
	memcpy(s, data + 1, slen - 1);
	s[slen - 1] = '\0';
	memset(err, 'x', sizeof(err));
	if (proposal_parse(s, proto, &ours, err, sizeof(err))) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0] || ours.n)
			abort();
		free(s);
		return 0;
	}
	free(s);
	if (ours.n < 1 || ours.n > IKE_MAX_PROPOSALS)
		abort();
	check_roundtrip(&ours, proto);
	if (proposal_select(&ours, &ours, &ch) != 0 || ch.num != 1 ||
	    ch.proto != proto)
		abort();
	offer_from(nul ? nul + 1 : data + size, nul ? size - slen - 1 : 0, &peer);
	i = proposal_select(&ours, &peer, &ch);
	check_choice(&ours, &peer, i, &ch);
	return 0;
}
