// SPDX-License-Identifier: GPL-2.0
/* strongSwan proposal keywords and the responder's choice of proposal. */
#include <string.h>

#include "harness.h"
#include "proposal.h"

static int parse_ok(const char *s, int proto, struct ike_sa *sa)
{
	char err[256];

	if (proposal_parse(s, proto, sa, err, sizeof(err))) {
		fprintf(stderr, "    \"%s\": %s\n", s, err);
		return 0;
	}
	return 1;
}

/* Fails with exactly @want, and leaves nothing behind in @sa. */
static int parse_err(const char *s, int proto, const char *want)
{
	struct ike_sa sa;
	char err[256];

	memset(&sa, 0xa5, sizeof(sa));
	if (!proposal_parse(s, proto, &sa, err, sizeof(err))) {
		fprintf(stderr, "    \"%s\": accepted\n", s);
		return 0;
	}
	if (strcmp(err, want) || sa.n != 0) {
		fprintf(stderr, "    \"%s\": got \"%s\", want \"%s\"\n", s, err,
			want);
		return 0;
	}
	return 1;
}

static int tr_is(const struct ike_transform *t, int type, int id, int bits)
{
	return t->type == type && t->id == id && t->key_bits == bits &&
	       !t->unknown_attr;
}

static const char *fmt(const struct ike_proposal *p)
{
	static char buf[256];

	return proposal_format(p, buf, sizeof(buf));
}

TEST(proposal_parse_ike_ids)
{
	struct ike_sa sa;

	CHECK(parse_ok("aes128gcm16-prfsha256-x25519,aes256gcm16-prfsha384-ecp256,"
		       "chacha20poly1305-prfsha512-modp2048", IKE_PROTO_IKE, &sa));
	CHECK(sa.n == 3);
	CHECK(sa.prop[0].num == 1 && sa.prop[1].num == 2 && sa.prop[2].num == 3);
	CHECK(sa.prop[0].proto == IKE_PROTO_IKE && sa.prop[0].spi_size == 0);
	CHECK(sa.prop[0].n_tr == 3);
	CHECK(tr_is(&sa.prop[0].tr[0], IKE_TR_ENCR, 20, 128));
	CHECK(tr_is(&sa.prop[0].tr[1], IKE_TR_PRF, 5, 0));
	CHECK(tr_is(&sa.prop[0].tr[2], IKE_TR_DH, 31, 0));
	CHECK(tr_is(&sa.prop[1].tr[0], IKE_TR_ENCR, 20, 256));
	CHECK(tr_is(&sa.prop[1].tr[1], IKE_TR_PRF, 6, 0));
	CHECK(tr_is(&sa.prop[1].tr[2], IKE_TR_DH, 19, 0));
	CHECK(tr_is(&sa.prop[2].tr[0], IKE_TR_ENCR, 28, 0));
	CHECK(tr_is(&sa.prop[2].tr[1], IKE_TR_PRF, 7, 0));
	CHECK(tr_is(&sa.prop[2].tr[2], IKE_TR_DH, 14, 0));
	/* curve25519 is x25519's other name. */
	CHECK(parse_ok("aes128gcm16-prfsha256-curve25519", IKE_PROTO_IKE, &sa));
	CHECK(tr_is(&sa.prop[0].tr[2], IKE_TR_DH, 31, 0));
	CHECK(!strcmp(fmt(&sa.prop[0]), "aes128gcm16-prfsha256-x25519"));
}

TEST(proposal_parse_esp_esn)
{
	struct ike_sa sa;

	CHECK(parse_ok("aes128gcm16,chacha20poly1305", IKE_PROTO_ESP, &sa));
	CHECK(sa.n == 2 && sa.prop[0].proto == IKE_PROTO_ESP);
	/* Neither esn nor noesn: noesn only. */
	CHECK(sa.prop[0].n_tr == 2);
	CHECK(tr_is(&sa.prop[0].tr[0], IKE_TR_ENCR, 20, 128));
	CHECK(tr_is(&sa.prop[0].tr[1], IKE_TR_ESN, IKE_ESN_NO, 0));
	CHECK(tr_is(&sa.prop[1].tr[0], IKE_TR_ENCR, 28, 0));
	CHECK(parse_ok("aes256gcm16-esn", IKE_PROTO_ESP, &sa));
	CHECK(sa.prop[0].n_tr == 2);
	CHECK(tr_is(&sa.prop[0].tr[1], IKE_TR_ESN, IKE_ESN_YES, 0));
	CHECK(parse_ok("aes256gcm16-esn-noesn", IKE_PROTO_ESP, &sa));
	CHECK(sa.prop[0].n_tr == 3);
	CHECK(tr_is(&sa.prop[0].tr[2], IKE_TR_ESN, IKE_ESN_NO, 0));
	CHECK(parse_ok("aes128gcm16-noesn", IKE_PROTO_ESP, &sa));
	CHECK(sa.prop[0].n_tr == 2);
	/* A key exchange in esp: PFS on rekey. */
	CHECK(parse_ok("aes128gcm16-x25519-esn", IKE_PROTO_ESP, &sa));
	CHECK(tr_is(&sa.prop[0].tr[1], IKE_TR_DH, 31, 0));
	CHECK(!strcmp(fmt(&sa.prop[0]), "aes128gcm16-x25519-esn"));
}

TEST(proposal_parse_alternatives_in_one)
{
	struct ike_sa sa;

	CHECK(parse_ok("aes128gcm16-aes256gcm16-prfsha256-prfsha384-x25519-ecp256",
		       IKE_PROTO_IKE, &sa));
	CHECK(sa.n == 1 && sa.prop[0].n_tr == 6);
	CHECK(tr_is(&sa.prop[0].tr[1], IKE_TR_ENCR, 20, 256));
	CHECK(!strcmp(fmt(&sa.prop[0]),
		      "aes128gcm16-aes256gcm16-prfsha256-prfsha384-x25519-ecp256"));
}

TEST(proposal_parse_errors)
{
	CHECK(parse_err("aes128gcm16-prfsha256-x448", IKE_PROTO_IKE,
			"unknown keyword \"x448\" in ike proposal 1"));
	CHECK(parse_err("aes128gcm16-prfsha256-x25519,aes128-sha256-modp2048",
			IKE_PROTO_IKE,
			"unknown keyword \"aes128\" in ike proposal 2"));
	CHECK(parse_err("aes128gcm16,3des", IKE_PROTO_ESP,
			"unknown keyword \"3des\" in esp proposal 2"));
	CHECK(parse_err("AES128GCM16", IKE_PROTO_ESP,
			"unknown keyword \"AES128GCM16\" in esp proposal 1"));
	CHECK(parse_err("aes128gcm16-prfsha256-x25519,", IKE_PROTO_IKE,
			"ike proposal 2 is empty"));
	CHECK(parse_err("", IKE_PROTO_ESP, "esp proposal 1 is empty"));
	CHECK(parse_err("aes128gcm16--x25519", IKE_PROTO_IKE,
			"ike proposal 1 has an empty keyword"));
	CHECK(parse_err("aes128gcm16-", IKE_PROTO_ESP,
			"esp proposal 1 has an empty keyword"));
	CHECK(parse_err("aes128gcm16-prfsha256-x25519-curve25519", IKE_PROTO_IKE,
			"keyword \"curve25519\" is the same as \"x25519\" in ike proposal 1"));
	CHECK(parse_err("aes128gcm16-esn-esn", IKE_PROTO_ESP,
			"keyword \"esn\" is given twice in esp proposal 1"));
	CHECK(parse_err("aes128gcm16-x25519", IKE_PROTO_IKE,
			"ike proposal 1 has no PRF keyword"));
	CHECK(parse_err("aes128gcm16-prfsha256", IKE_PROTO_IKE,
			"ike proposal 1 has no key exchange keyword"));
	CHECK(parse_err("prfsha256-x25519", IKE_PROTO_IKE,
			"ike proposal 1 has no encryption keyword"));
	CHECK(parse_err("esn", IKE_PROTO_ESP,
			"esp proposal 1 has no encryption keyword"));
	CHECK(parse_err("aes128gcm16-prfsha256", IKE_PROTO_ESP,
			"keyword \"prfsha256\" does not belong in an esp proposal (esp proposal 1)"));
	CHECK(parse_err("aes128gcm16-prfsha256-x25519-esn", IKE_PROTO_IKE,
			"keyword \"esn\" does not belong in an ike proposal (ike proposal 1)"));
	CHECK(parse_err("aes128gcm16", IKE_PROTO_AH,
			"proposals are for ike or esp only"));
	CHECK(parse_err("aes128gcm16-x25519 ", IKE_PROTO_ESP,
			"unknown keyword \"x25519 \" in esp proposal 1"));
}

TEST(proposal_parse_limits)
{
	char buf[1024] = "", err[128];
	struct ike_sa sa;
	int i;

	for (i = 0; i < IKE_MAX_PROPOSALS; i++)
		strcat(buf, i ? ",aes128gcm16" : "aes128gcm16");
	CHECK(parse_ok(buf, IKE_PROTO_ESP, &sa) && sa.n == IKE_MAX_PROPOSALS);
	strcat(buf, ",aes128gcm16");
	CHECK(parse_err(buf, IKE_PROTO_ESP, "more than 16 esp proposals"));
	/* A long unknown keyword is cut short in the message. */
	memset(buf, 'z', 200);
	buf[200] = '\0';
	CHECK(proposal_parse(buf, IKE_PROTO_ESP, &sa, err, sizeof(err)) == -1);
	CHECK(strlen(err) < 100 && strstr(err, "...\" in esp proposal 1"));
	/* A short error buffer is still terminated. */
	CHECK(proposal_parse("bogus", IKE_PROTO_ESP, &sa, err, 8) == -1);
	CHECK(strlen(err) == 7);
}

/* A peer proposal built by hand, as the SA decoder would fill it. */
static void add_tr(struct ike_proposal *p, int type, int id, int bits)
{
	p->tr[p->n_tr].type = (uint8_t)type;
	p->tr[p->n_tr].id = (uint16_t)id;
	p->tr[p->n_tr].key_bits = (uint16_t)bits;
	p->tr[p->n_tr].unknown_attr = 0;
	p->n_tr++;
}

static struct ike_proposal *peer_prop(struct ike_sa *sa, int num, int proto)
{
	struct ike_proposal *p = &sa->prop[sa->n++];

	memset(p, 0, sizeof(*p));
	p->num = (uint8_t)num;
	p->proto = (uint8_t)proto;
	return p;
}

TEST(proposal_select_ours_first)
{
	struct ike_sa ours, peer = { 0 };
	struct ike_proposal ch, *p;

	CHECK(parse_ok("aes256gcm16-prfsha384-ecp256,aes128gcm16-prfsha256-x25519",
		       IKE_PROTO_IKE, &ours));
	/* The peer prefers 128/x25519 but also offers our first choice. */
	p = peer_prop(&peer, 1, IKE_PROTO_IKE);
	add_tr(p, IKE_TR_ENCR, 20, 128);
	add_tr(p, IKE_TR_PRF, 5, 0);
	add_tr(p, IKE_TR_DH, 31, 0);
	p = peer_prop(&peer, 2, IKE_PROTO_IKE);
	add_tr(p, IKE_TR_ENCR, 20, 128);
	add_tr(p, IKE_TR_ENCR, 20, 256);
	add_tr(p, IKE_TR_PRF, 6, 0);
	add_tr(p, IKE_TR_PRF, 5, 0);
	add_tr(p, IKE_TR_DH, 19, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == 0);
	CHECK(ch.num == 2 && ch.proto == IKE_PROTO_IKE && ch.n_tr == 3);
	CHECK(!strcmp(fmt(&ch), "aes256gcm16-prfsha384-ecp256"));
	/* Without the peer's second proposal, our second choice wins. */
	peer.n = 1;
	CHECK(proposal_select(&ours, &peer, &ch) == 1);
	CHECK(ch.num == 1 && !strcmp(fmt(&ch), "aes128gcm16-prfsha256-x25519"));
}

TEST(proposal_select_key_length_and_attrs)
{
	struct ike_sa ours, peer = { 0 };
	struct ike_proposal ch, *p;

	CHECK(parse_ok("aes256gcm16-prfsha256-x25519", IKE_PROTO_IKE, &ours));
	p = peer_prop(&peer, 1, IKE_PROTO_IKE);
	add_tr(p, IKE_TR_ENCR, 20, 128);	/* right cipher, wrong size */
	add_tr(p, IKE_TR_PRF, 5, 0);
	add_tr(p, IKE_TR_DH, 31, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
	CHECK(ch.n_tr == 0 && ch.num == 0);
	add_tr(p, IKE_TR_ENCR, 20, 256);
	p->tr[p->n_tr - 1].unknown_attr = 1;	/* ignored */
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
	p->tr[p->n_tr - 1].unknown_attr = 0;
	CHECK(proposal_select(&ours, &peer, &ch) == 0);
	CHECK(!strcmp(fmt(&ch), "aes256gcm16-prfsha256-x25519"));
	/* Another protocol never matches. */
	p->proto = IKE_PROTO_ESP;
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
}

TEST(proposal_select_none_transforms)
{
	struct ike_sa ours, peer = { 0 };
	struct ike_proposal ch, *p;

	CHECK(parse_ok("aes128gcm16-prfsha256-x25519", IKE_PROTO_IKE, &ours));
	p = peer_prop(&peer, 1, IKE_PROTO_IKE);
	add_tr(p, IKE_TR_ENCR, 20, 128);
	add_tr(p, IKE_TR_PRF, 5, 0);
	add_tr(p, IKE_TR_INTEG, 12, 0);	/* HMAC-SHA2-256-128: not for us */
	add_tr(p, IKE_TR_DH, 31, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
	add_tr(p, IKE_TR_INTEG, 0, 0);		/* NONE, as with AEAD */
	CHECK(proposal_select(&ours, &peer, &ch) == 0);
	CHECK(ch.n_tr == 4 && tr_is(&ch.tr[3], IKE_TR_INTEG, 0, 0));
	/* A type we do not know (RFC 9370's ADDKE1 = 6) is unacceptable. */
	add_tr(p, 6, 0, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
}

TEST(proposal_select_esp_pfs_esn_spi)
{
	struct ike_sa ours, pfs, peer = { 0 };
	struct ike_proposal ch, *p;

	CHECK(parse_ok("aes128gcm16-esn-noesn", IKE_PROTO_ESP, &ours));
	CHECK(parse_ok("aes128gcm16-x25519", IKE_PROTO_ESP, &pfs));
	p = peer_prop(&peer, 7, IKE_PROTO_ESP);
	p->spi_size = 4;
	memcpy(p->spi, "\x01\x02\x03\x04", 4);
	add_tr(p, IKE_TR_ENCR, 20, 128);
	add_tr(p, IKE_TR_ESN, IKE_ESN_NO, 0);
	add_tr(p, IKE_TR_ESN, IKE_ESN_YES, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == 0);
	CHECK(ch.num == 7 && ch.spi_size == 4 && !memcmp(ch.spi, "\1\2\3\4", 4));
	/* Our order: esn before noesn. */
	CHECK(ch.n_tr == 2 && tr_is(&ch.tr[1], IKE_TR_ESN, IKE_ESN_YES, 0));
	/* We want PFS; the peer offers none. */
	CHECK(proposal_select(&pfs, &peer, &ch) == -1);
	/* The peer wants PFS and we do not: only its "none" lets us agree. */
	add_tr(p, IKE_TR_DH, 31, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
	CHECK(proposal_select(&pfs, &peer, &ch) == 0);
	CHECK(!strcmp(fmt(&ch), "aes128gcm16-x25519-noesn"));
	add_tr(p, IKE_TR_DH, 0, 0);
	CHECK(proposal_select(&ours, &peer, &ch) == 0);
	CHECK(tr_is(&ch.tr[2], IKE_TR_DH, 0, 0));
	/* No ESN transform at all in an ESP proposal: unacceptable. */
	p->n_tr = 1;
	CHECK(proposal_select(&ours, &peer, &ch) == -1);
}

TEST(proposal_format_unknown)
{
	struct ike_proposal p = { 0 };
	char small[8];

	add_tr(&p, IKE_TR_ENCR, 12, 128);	/* AES-CBC: not a keyword */
	add_tr(&p, IKE_TR_PRF, 5, 0);
	CHECK(!strcmp(fmt(&p), "1:12:128-prfsha256"));
	CHECK(!strcmp(proposal_format(&p, small, sizeof(small)), ""));
}
