// SPDX-License-Identifier: GPL-2.0
/*
 * moatd's IKEv2 message codec: a hand-built IKE_SA_INIT fixture, round
 * trips of every payload type, every truncation, and the rejections
 * RFC 7296 §3 asks for.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "payload.h"

/*
 * IKE_SA_INIT request built by hand from RFC 7296 §3.1-3.4 and §3.9:
 * HDR, SA { proposal 1: IKE, ENCR_AES_GCM_16 key length 256, PRF
 * HMAC_SHA2_512, DH 31 }, KE (group 31, 32 octets), Ni (32 octets).
 */
static const uint8_t init_fixture[] = {
	/* HDR: SPIi, SPIr = 0, next SA, 2.0, IKE_SA_INIT, I, id 0, len 144 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x21, 0x20, 0x22, 0x08, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x90,
	/* SA: next KE, length 40 */
	0x22, 0x00, 0x00, 0x28,
	/* proposal: last, length 36, num 1, IKE, SPI size 0, 3 transforms */
	0x00, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x03,
	/* ENCR 20 with Key Length (TV, type 14) 256 */
	0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x14, 0x80, 0x0e, 0x01, 0x00,
	/* PRF 7 */
	0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x07,
	/* DH 31, last */
	0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x1f,
	/* KE: next Nonce, length 40, group 31, reserved */
	0x28, 0x00, 0x00, 0x28, 0x00, 0x1f, 0x00, 0x00,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	/* Nonce: last, length 36 */
	0x00, 0x00, 0x00, 0x24,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
};

static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint8_t ke_data[32], nonce[32];

static void fill_fixture_data(void)
{
	memset(ke_data, 0x11, sizeof(ke_data));
	memset(nonce, 0x22, sizeof(nonce));
}

static struct ike_hdr init_hdr(void)
{
	struct ike_hdr h = { .major = 2, .exchange = IKE_SA_INIT,
			     .flags = IKE_FLAG_I };

	memcpy(h.spi_i, spi_i, 8);
	return h;
}

static void init_sa(struct ike_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->n = 1;
	sa->prop[0] = (struct ike_proposal){ .num = 1, .proto = IKE_PROTO_IKE,
					     .n_tr = 3 };
	sa->prop[0].tr[0] = (struct ike_transform){ IKE_TR_ENCR, 20, 256, 0 };
	sa->prop[0].tr[1] = (struct ike_transform){ IKE_TR_PRF, 7, 0, 0 };
	sa->prop[0].tr[2] = (struct ike_transform){ IKE_TR_DH, 31, 0, 0 };
}

TEST(payload_writer_matches_fixture)
{
	struct ike_hdr h = init_hdr();
	struct ike_ke ke = { 31, ke_data, 32 };
	struct ike_writer w;
	struct ike_sa sa;
	uint8_t buf[512];

	fill_fixture_data();
	init_sa(&sa);
	ike_w_init_msg(&w, buf, sizeof(buf), &h);
	ike_put_sa(&w, &sa);
	ike_put_ke(&w, &ke);
	ike_put_nonce(&w, nonce, sizeof(nonce));
	CHECK(ike_w_finish(&w) == (long)sizeof(init_fixture));
	CHECK(!memcmp(buf, init_fixture, sizeof(init_fixture)));
}

TEST(payload_parse_fixture)
{
	struct ike_msg m;
	struct ike_sa sa;
	struct ike_ke ke;
	const struct ike_payload *p;

	fill_fixture_data();
	CHECK(ike_parse_msg(init_fixture, sizeof(init_fixture), &m) == IKE_OK);
	CHECK(!memcmp(m.hdr.spi_i, spi_i, 8) && m.hdr.exchange == IKE_SA_INIT);
	CHECK(m.hdr.flags == IKE_FLAG_I && m.hdr.length == 144);
	CHECK(m.chain.n == 3 && m.chain.pl[0].type == IKE_PL_SA);
	CHECK(m.chain.pl[1].type == IKE_PL_KE && m.chain.pl[2].len == 32);
	p = ike_chain_find(&m.chain, IKE_PL_SA, 0);
	CHECK(p && ike_dec_sa(p->body, p->len, &sa) == IKE_OK);
	CHECK(sa.n == 1 && sa.prop[0].n_tr == 3);
	CHECK(sa.prop[0].tr[0].id == 20 && sa.prop[0].tr[0].key_bits == 256);
	CHECK(sa.prop[0].tr[2].type == IKE_TR_DH && sa.prop[0].tr[2].id == 31);
	p = ike_chain_find(&m.chain, IKE_PL_KE, 0);
	CHECK(p && ike_dec_ke(p->body, p->len, &ke) == IKE_OK);
	CHECK(ke.group == 31 && ke.len == 32 && !memcmp(ke.data, ke_data, 32));
	CHECK(ike_chain_find(&m.chain, IKE_PL_KE, 1) == NULL);
	p = ike_chain_find(&m.chain, IKE_PL_NONCE, 0);
	CHECK(p && ike_dec_nonce(p->body, p->len) == IKE_OK);
}

/* Parses buf[0..len) from an exact-size heap copy (so ASan sees overreads). */
static int parse_copy(const uint8_t *buf, size_t len, int patch_len)
{
	uint8_t *c = malloc(len ? len : 1);
	struct ike_msg m;
	int ret;

	memcpy(c, buf, len);
	if (patch_len && len >= IKE_HDR_LEN) {
		c[24] = (uint8_t)(len >> 24);
		c[25] = (uint8_t)(len >> 16);
		c[26] = (uint8_t)(len >> 8);
		c[27] = (uint8_t)len;
	}
	ret = ike_parse_msg(c, len, &m);
	free(c);
	return ret;
}

TEST(payload_every_truncation_rejected)
{
	size_t len, bad = 0;

	for (len = 0; len < sizeof(init_fixture); len++) {
		/* Datagram shorter than the header's length. */
		bad += parse_copy(init_fixture, len, 0) == IKE_OK;
		/* Header length patched to agree: the chain must catch it. */
		bad += parse_copy(init_fixture, len, 1) == IKE_OK;
	}
	CHECK(bad == 0);
	CHECK(parse_copy(init_fixture, sizeof(init_fixture), 0) == IKE_OK);
}

/* The fixture with one octet changed. */
static int parse_with(size_t off, uint8_t v)
{
	uint8_t c[sizeof(init_fixture)];

	memcpy(c, init_fixture, sizeof(c));
	c[off] = v;
	return parse_copy(c, sizeof(c), 0);
}

TEST(payload_header_checks)
{
	uint8_t longer[sizeof(init_fixture) + 1];

	CHECK(parse_with(17, 0x10) == IKE_E_VERSION);	/* 1.0 */
	CHECK(parse_with(17, 0x30) == IKE_E_VERSION);	/* 3.0 */
	CHECK(parse_with(17, 0x21) == IKE_OK);	/* minor is ignored */
	CHECK(parse_with(18, 33) == IKE_E_EXCHANGE);
	CHECK(parse_with(18, 38) == IKE_OK);	/* IKE_SESSION_RESUME */
	CHECK(parse_with(18, 39) == IKE_E_EXCHANGE);
	CHECK(parse_with(18, IKE_INFORMATIONAL) == IKE_OK);
	CHECK(parse_with(19, 0xff) == IKE_OK);	/* reserved flags ignored */
	CHECK(parse_with(27, 0x91) == IKE_E_SHORT);	/* length > datagram */
	CHECK(parse_with(27, 0x8f) == IKE_E_LENGTH);	/* length < datagram */
	memcpy(longer, init_fixture, sizeof(init_fixture));
	longer[sizeof(init_fixture)] = 0;
	CHECK(parse_copy(longer, sizeof(longer), 0) == IKE_E_LENGTH);
	/* Trailing octet counted in the length but not in any payload. */
	CHECK(parse_copy(longer, sizeof(longer), 1) == IKE_E_LENGTH);
}

TEST(payload_zero_initiator_spi)
{
	uint8_t c[sizeof(init_fixture)];

	memcpy(c, init_fixture, sizeof(c));
	memset(c, 0, 8);
	CHECK(parse_copy(c, sizeof(c), 0) == IKE_E_SYNTAX);
}

TEST(payload_generic_length_checks)
{
	/* SA payload length 3 (< 4), 0, and running past the message. */
	CHECK(parse_with(31, 3) == IKE_E_LENGTH);
	CHECK(parse_with(31, 0) == IKE_E_LENGTH);
	CHECK(parse_with(31, 0x29) != IKE_OK);
	/* Nonce's Next Payload names a payload that is not there. */
	CHECK(parse_with(108, IKE_PL_VENDOR) == IKE_E_SHORT);
}

/* A chain of n Vendor IDs with one given type/critical bit at index at. */
static size_t vid_chain(uint8_t *buf, size_t cap, size_t n, size_t at,
			uint8_t type, int crit, uint8_t *first)
{
	struct ike_writer w;
	size_t i, s;

	ike_w_init(&w, buf, cap);
	for (i = 0; i < n; i++) {
		s = ike_w_begin(&w, i == at ? type : IKE_PL_VENDOR,
				i == at ? crit : 0);
		ike_w_put(&w, "vid", 3);
		ike_w_end(&w, s);
	}
	*first = w.first;
	return (size_t)ike_w_finish(&w);
}

TEST(payload_chain_cap_and_critical)
{
	struct ike_chain c;
	uint8_t buf[1024], first;
	size_t len;

	len = vid_chain(buf, sizeof(buf), IKE_MAX_PAYLOADS, 99, 0, 0, &first);
	CHECK(ike_parse_chain(first, buf, len, &c) == IKE_OK);
	CHECK(c.n == IKE_MAX_PAYLOADS);
	len = vid_chain(buf, sizeof(buf), IKE_MAX_PAYLOADS + 1, 99, 0, 0,
			&first);
	CHECK(ike_parse_chain(first, buf, len, &c) == IKE_E_TOOMANY);
	/* Unknown, not critical: skipped over, kept in the chain. */
	len = vid_chain(buf, sizeof(buf), 3, 1, 200, 0, &first);
	CHECK(ike_parse_chain(first, buf, len, &c) == IKE_OK);
	CHECK(c.n == 3 && c.pl[1].type == 200 && !c.unsupported);
	/* Unknown and critical: reported (§2.5), chain still complete. */
	len = vid_chain(buf, sizeof(buf), 3, 2, 201, 1, &first);
	CHECK(ike_parse_chain(first, buf, len, &c) == IKE_E_CRITICAL);
	CHECK(c.unsupported == 201 && c.n == 3 && c.pl[2].critical);
	/* IKEv1 payload types are unknown too. */
	len = vid_chain(buf, sizeof(buf), 2, 0, 1, 1, &first);
	CHECK(ike_parse_chain(first, buf, len, &c) == IKE_E_CRITICAL);
	/* A known payload with the critical bit is fine. */
	len = vid_chain(buf, sizeof(buf), 2, 0, IKE_PL_VENDOR, 1, &first);
	CHECK(ike_parse_chain(first, buf, len, &c) == IKE_OK);
}

/* Every payload type in one chain, ending in SK. */
static const uint8_t spi4[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff,
				 [15] = 0xff };

static void all_sa(struct ike_sa *sa)
{
	init_sa(sa);
	sa->n = 2;
	sa->prop[1] = (struct ike_proposal){ .num = 2, .proto = IKE_PROTO_ESP,
					     .spi_size = 4, .n_tr = 2 };
	memcpy(sa->prop[1].spi, spi4, 4);
	sa->prop[1].tr[0] = (struct ike_transform){ IKE_TR_ENCR, 28, 0, 0 };
	sa->prop[1].tr[1] = (struct ike_transform){ IKE_TR_ESN, 1, 0, 0 };
}

static void all_ts(struct ike_ts_list *l)
{
	memset(l, 0, sizeof(*l));
	l->n = 2;
	l->ts[0] = (struct ike_ts){ IKE_TS_IPV4_RANGE, 6, 0, 65535,
				    { 10, 1, 0, 0 }, { 10, 1, 255, 255 } };
	l->ts[1].type = IKE_TS_IPV6_RANGE;
	l->ts[1].proto = 17;
	l->ts[1].sport = l->ts[1].eport = 500;
	memcpy(l->ts[1].start, v6a, 16);
	memcpy(l->ts[1].end, v6b, 16);
}

static const uint8_t iv[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
static const uint8_t ct[5] = { 1, 2, 3, 4, 0 };
static const uint8_t icv[16] = { 0xcc, [15] = 0xcc };

static long build_all(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = init_hdr();
	struct ike_id idi = { IKE_ID_FQDN, (const uint8_t *)"moat.example", 12 };
	struct ike_id idr = { IKE_ID_NULL, NULL, 0 };
	struct ike_auth auth = { IKE_AUTH_PSK, nonce, 32 };
	struct ike_notify n = { IKE_PROTO_ESP, 4, 16393, spi4,
				(const uint8_t *)"data", 4 };
	struct ike_delete d = { IKE_PROTO_ESP, 4, 2, spi4 };
	struct ike_ke ke = { 19, ke_data, 32 };
	struct ike_sk sk = { iv, ct, icv, 8, 5, 16 };
	struct ike_ts_list ts;
	struct ike_writer w;
	struct ike_sa sa;

	fill_fixture_data();
	all_sa(&sa);
	all_ts(&ts);
	ike_w_init_msg(&w, buf, cap, &h);
	ike_put_sa(&w, &sa);
	ike_put_ke(&w, &ke);
	ike_put_id(&w, IKE_PL_IDI, &idi);
	ike_put_id(&w, IKE_PL_IDR, &idr);
	ike_put_auth(&w, &auth);
	ike_put_nonce(&w, nonce, 16);
	ike_put_notify(&w, &n);
	ike_put_delete(&w, &d);
	ike_put_vendor(&w, (const uint8_t *)"moat", 4);
	ike_put_ts(&w, IKE_PL_TSI, &ts);
	ike_put_ts(&w, IKE_PL_TSR, &ts);
	ike_put_puzzle(&w, nonce, 32);
	ike_put_sk(&w, IKE_PL_IDI, &sk);
	return ike_w_finish(&w);
}

static const uint8_t all_types[] = {
	IKE_PL_SA, IKE_PL_KE, IKE_PL_IDI, IKE_PL_IDR, IKE_PL_AUTH,
	IKE_PL_NONCE, IKE_PL_NOTIFY, IKE_PL_DELETE, IKE_PL_VENDOR, IKE_PL_TSI,
	IKE_PL_TSR, IKE_PL_PS, IKE_PL_SK,
};

static int tr_equal(const struct ike_transform *a,
		    const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id &&
	       a->key_bits == b->key_bits && a->unknown_attr == b->unknown_attr;
}

static int sa_equal(const struct ike_sa *a, const struct ike_sa *b)
{
	size_t i, j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct ike_proposal *p = &a->prop[i], *q = &b->prop[i];

		if (p->num != q->num || p->proto != q->proto ||
		    p->spi_size != q->spi_size || p->n_tr != q->n_tr ||
		    memcmp(p->spi, q->spi, p->spi_size))
			return 0;
		for (j = 0; j < p->n_tr; j++)
			if (!tr_equal(&p->tr[j], &q->tr[j]))
				return 0;
	}
	return 1;
}

static void check_all_decoded(const struct ike_chain *c)
{
	struct ike_sa sa, want_sa;
	struct ike_ts_list ts, want_ts;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_id id;
	struct ike_auth a;
	struct ike_sk sk;
	const struct ike_payload *p = c->pl;

	all_sa(&want_sa);
	all_ts(&want_ts);
	CHECK(!ike_dec_sa(p[0].body, p[0].len, &sa) && sa_equal(&sa, &want_sa));
	CHECK(!ike_dec_id(p[2].body, p[2].len, &id) && id.type == IKE_ID_FQDN);
	CHECK(id.len == 12 && !memcmp(id.data, "moat.example", 12));
	CHECK(!ike_dec_id(p[3].body, p[3].len, &id) && id.type == IKE_ID_NULL);
	CHECK(id.len == 0);
	CHECK(!ike_dec_auth(p[4].body, p[4].len, &a) && a.method == 2);
	CHECK(a.len == 32 && !memcmp(a.data, nonce, 32));
	CHECK(!ike_dec_nonce(p[5].body, p[5].len) && p[5].len == 16);
	CHECK(!ike_dec_notify(p[6].body, p[6].len, &n) && n.type == 16393);
	CHECK(n.proto == 3 && n.spi_size == 4 && !memcmp(n.spi, spi4, 4));
	CHECK(n.len == 4 && !memcmp(n.data, "data", 4));
	CHECK(!ike_dec_delete(p[7].body, p[7].len, &d) && d.n_spi == 2);
	CHECK(!memcmp(d.spis, spi4, 8));
	CHECK(!ike_dec_vendor(p[8].body, p[8].len) && p[8].len == 4);
	CHECK(!ike_dec_ts(p[9].body, p[9].len, &ts) && ts.n == 2);
	CHECK(!memcmp(&ts, &want_ts, sizeof(ts)));
	CHECK(!ike_dec_ts(p[10].body, p[10].len, &ts) && ts.n == 2);
	CHECK(!ike_dec_puzzle(p[11].body, p[11].len) && p[11].len == 32);
	CHECK(p[12].inner == IKE_PL_IDI);
	CHECK(!ike_dec_sk(p[12].body, p[12].len, 8, 16, &sk));
	CHECK(sk.ct_len == 5 && !memcmp(sk.iv, iv, 8) && !memcmp(sk.ct, ct, 5));
	CHECK(!memcmp(sk.icv, icv, 16));
}

TEST(payload_round_trip_every_type)
{
	uint8_t buf[2048];
	struct ike_msg m;
	long len = build_all(buf, sizeof(buf));
	size_t i;

	CHECK(len > 0);
	if (len <= 0)
		return;
	CHECK(ike_parse_msg(buf, (size_t)len, &m) == IKE_OK);
	CHECK(m.chain.n == sizeof(all_types));
	for (i = 0; i < m.chain.n && i < sizeof(all_types); i++)
		CHECK(m.chain.pl[i].type == all_types[i]);
	if (m.chain.n == sizeof(all_types))
		check_all_decoded(&m.chain);
}

/* Decoders re-encode to the same octets they were given. */
TEST(payload_reencode_identical)
{
	uint8_t buf[2048], out[2048];
	struct ike_writer w;
	struct ike_msg m;
	struct ike_sa sa;
	struct ike_ts_list ts;
	long len = build_all(buf, sizeof(buf));
	const struct ike_payload *p;

	CHECK(ike_parse_msg(buf, (size_t)len, &m) == IKE_OK);
	p = &m.chain.pl[0];
	CHECK(!ike_dec_sa(p->body, p->len, &sa));
	ike_w_init(&w, out, sizeof(out));
	ike_put_sa(&w, &sa);
	CHECK(ike_w_finish(&w) == (long)p->len + 4);
	CHECK(!memcmp(out + 4, p->body, p->len));
	p = &m.chain.pl[9];
	CHECK(!ike_dec_ts(p->body, p->len, &ts));
	ike_w_init(&w, out, sizeof(out));
	ike_put_ts(&w, IKE_PL_TSI, &ts);
	CHECK(ike_w_finish(&w) == (long)p->len + 4);
	CHECK(!memcmp(out + 4, p->body, p->len));
}

TEST(payload_all_types_every_truncation)
{
	uint8_t buf[2048];
	long len = build_all(buf, sizeof(buf));
	size_t l, bad = 0;

	for (l = 0; len > 0 && l < (size_t)len; l++)
		bad += parse_copy(buf, l, 1) == IKE_OK;
	CHECK(len > 0 && bad == 0);
}

/* dec(body[0..l)) for every l < len must fail, for decoders whose every
 * strict prefix is malformed. */
typedef int (*dec_fn)(const uint8_t *b, size_t len);

static int dec_sa_(const uint8_t *b, size_t l)
{
	struct ike_sa sa;

	return ike_dec_sa(b, l, &sa);
}

static int dec_ts_(const uint8_t *b, size_t l)
{
	struct ike_ts_list ts;

	return ike_dec_ts(b, l, &ts);
}

static int dec_delete_(const uint8_t *b, size_t l)
{
	struct ike_delete d;

	return ike_dec_delete(b, l, &d);
}

static size_t prefixes_accepted(dec_fn fn, const uint8_t *body, size_t len)
{
	size_t l, ok = 0;
	uint8_t *c;

	for (l = 0; l < len; l++) {
		c = malloc(l ? l : 1);
		memcpy(c, body, l);
		ok += fn(c, l) == IKE_OK;
		free(c);
	}
	return ok;
}

TEST(payload_typed_truncations)
{
	uint8_t buf[2048];
	struct ike_msg m;
	long len = build_all(buf, sizeof(buf));
	const struct ike_payload *p = m.chain.pl;
	struct ike_skf f;

	CHECK(ike_parse_msg(buf, (size_t)len, &m) == IKE_OK);
	CHECK(prefixes_accepted(dec_sa_, p[0].body, p[0].len) == 0);
	CHECK(prefixes_accepted(dec_ts_, p[9].body, p[9].len) == 0);
	CHECK(prefixes_accepted(dec_delete_, p[7].body, p[7].len) == 0);
	/* Short fixed parts. */
	CHECK(ike_dec_ke(p[1].body, 4, &(struct ike_ke){ 0 }) == IKE_E_SYNTAX);
	CHECK(ike_dec_ke(p[1].body, 3, &(struct ike_ke){ 0 }) == IKE_E_SHORT);
	CHECK(ike_dec_auth(p[4].body, 4, &(struct ike_auth){ 0 }) != IKE_OK);
	CHECK(ike_dec_notify(p[6].body, 7, &(struct ike_notify){ 0 }) ==
	      IKE_E_SHORT);
	CHECK(ike_dec_notify(p[6].body, 3, &(struct ike_notify){ 0 }) ==
	      IKE_E_SHORT);
	CHECK(ike_dec_sk(p[12].body, 8 + 16, 8, 16, &(struct ike_sk){ 0 }) ==
	      IKE_E_SHORT);
	CHECK(ike_dec_skf(p[12].body, 3, 8, 16, &f) == IKE_E_SHORT);
	CHECK(ike_dec_vendor(p[8].body, 0) == IKE_E_SHORT);
	CHECK(ike_dec_puzzle(p[11].body, 0) == IKE_E_SHORT);
}

TEST(payload_nonce_bounds)
{
	uint8_t n[257] = { 0 };

	CHECK(ike_dec_nonce(n, 15) != IKE_OK);
	CHECK(ike_dec_nonce(n, 16) == IKE_OK);
	CHECK(ike_dec_nonce(n, 256) == IKE_OK);
	CHECK(ike_dec_nonce(n, 257) != IKE_OK);
}

TEST(payload_sa_rejects)
{
	/* A proposal with one transform; offsets patched below. */
	static const uint8_t good[] = {
		0x00, 0x00, 0x00, 0x14, 0x01, 0x03, 0x04, 0x01,
		0xaa, 0xbb, 0xcc, 0xdd,
		0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x1c,
	};
	uint8_t b[sizeof(good) + 8];
	struct ike_sa sa;

	CHECK(ike_dec_sa(good, 4, &sa) == IKE_E_SHORT);
	memcpy(b, good, sizeof(good));
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_OK && sa.prop[0].spi[3] == 0xdd);
	b[0] = 2;	/* "more" proposals, but none follows */
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_E_SYNTAX);
	b[0] = 1;	/* neither 0 nor 2 */
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_E_SYNTAX);
	b[0] = 0, b[7] = 2;	/* says two transforms, has one */
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_E_SYNTAX);
	b[7] = 1, b[12] = 3;	/* transform says "more", none follows */
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_E_SYNTAX);
	b[12] = 0, b[6] = 9;	/* SPI longer than 8 */
	CHECK(ike_dec_sa(b, 20, &sa) != IKE_OK);
	b[6] = 4, b[15] = 7;	/* transform length < 8 */
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_E_LENGTH);
	b[15] = 0x0c;	/* transform runs past the proposal */
	CHECK(ike_dec_sa(b, 20, &sa) == IKE_E_SHORT);
	/* Key Length as TLV is refused; another attribute is flagged. */
	memcpy(b, good, sizeof(good));
	b[3] = 0x1c, b[15] = 0x10;
	memcpy(b + 20, "\x00\x0e\x00\x02\x01\x00\x00\x00", 8);
	CHECK(ike_dec_sa(b, 28, &sa) == IKE_E_SYNTAX);
	memcpy(b + 20, "\x00\x05\x00\x04\x01\x00\x00\x00", 8);
	CHECK(ike_dec_sa(b, 28, &sa) == IKE_OK && sa.prop[0].tr[0].unknown_attr);
	memcpy(b + 20, "\x80\x0e\x00\x80\x80\x0e\x01\x00", 8);
	CHECK(ike_dec_sa(b, 28, &sa) == IKE_E_SYNTAX);	/* twice */
	memcpy(b + 20, "\x80\x0e\x00\x80\x80\x01\x00\x01", 8);
	CHECK(ike_dec_sa(b, 28, &sa) == IKE_OK);
	CHECK(sa.prop[0].tr[0].key_bits == 128 && sa.prop[0].tr[0].unknown_attr);
}

TEST(payload_sa_proposal_cap)
{
	uint8_t buf[4096];
	struct ike_writer w;
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	struct ike_sa *out = calloc(1, sizeof(*out));
	size_t i;

	for (i = 0; i < IKE_MAX_PROPOSALS; i++) {
		sa->prop[i] = (struct ike_proposal){ .num = (uint8_t)(i + 1),
			.proto = IKE_PROTO_IKE, .n_tr = 1 };
		sa->prop[i].tr[0] = (struct ike_transform){ 1, 20, 128, 0 };
	}
	sa->n = IKE_MAX_PROPOSALS;
	ike_w_init(&w, buf, sizeof(buf));
	ike_put_sa(&w, sa);
	CHECK(ike_w_finish(&w) > 0);
	CHECK(!ike_dec_sa(buf + 4, w.len - 4, out) && sa_equal(sa, out));
	/* One more proposal, appended by hand after marking "more". */
	buf[4 + 20 * (IKE_MAX_PROPOSALS - 1)] = 2;
	memcpy(buf + w.len, buf + 4, 20);
	CHECK(ike_dec_sa(buf + 4, w.len + 20 - 4, out) == IKE_E_TOOMANY);
	sa->n = IKE_MAX_PROPOSALS + 1;
	ike_w_init(&w, buf, sizeof(buf));
	ike_put_sa(&w, sa);
	CHECK(ike_w_finish(&w) == IKE_E_SYNTAX);
	free(sa);
	free(out);
}

TEST(payload_ts_rejects)
{
	uint8_t b[4 + 16] = { 1, 0, 0, 0, 7, 6, 0, 16, 0, 0, 0xff, 0xff,
			      10, 0, 0, 0, 10, 0, 0, 255 };
	struct ike_ts_list l;

	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_OK && l.n == 1);
	CHECK(l.ts[0].end[3] == 255 && l.ts[0].eport == 0xffff);
	b[0] = 0;
	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_E_SYNTAX);
	b[0] = 2;
	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_E_SHORT);
	b[0] = IKE_MAX_TS + 1;
	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_E_TOOMANY);
	b[0] = 1, b[4] = 9;	/* unknown TS type */
	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_E_SYNTAX);
	b[4] = 8;		/* IPv6 type, IPv4 length */
	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_E_LENGTH);
	b[4] = 7, b[7] = 40;
	CHECK(ike_dec_ts(b, sizeof(b), &l) == IKE_E_LENGTH);
}

TEST(payload_id_rejects)
{
	uint8_t b[12] = { IKE_ID_IPV4_ADDR, 0, 0, 0, 'a', 'b', 'c', 'd', 0 };
	struct ike_id id;

	CHECK(ike_dec_id(b, 8, &id) == IKE_OK && id.len == 4);
	CHECK(ike_dec_id(b, 9, &id) == IKE_E_SYNTAX);
	CHECK(ike_dec_id(b, 3, &id) == IKE_E_SHORT);
	b[0] = IKE_ID_IPV6_ADDR;
	CHECK(ike_dec_id(b, 8, &id) == IKE_E_SYNTAX);
	b[0] = IKE_ID_FQDN;
	CHECK(ike_dec_id(b, 8, &id) == IKE_OK);
	CHECK(ike_dec_id(b, 9, &id) == IKE_E_SYNTAX);	/* NUL inside */
	CHECK(ike_dec_id(b, 4, &id) == IKE_E_SYNTAX);	/* empty */
	b[0] = IKE_ID_KEY_ID;
	CHECK(ike_dec_id(b, 4, &id) == IKE_E_SYNTAX);
	b[0] = IKE_ID_NULL;
	CHECK(ike_dec_id(b, 4, &id) == IKE_OK && id.len == 0);
}

TEST(payload_notify_delete_skf_rejects)
{
	uint8_t n[8] = { 1, 3, 0x40, 0x04, 1, 2, 3, 4 };
	uint8_t d[12] = { IKE_PROTO_ESP, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t f[32] = { 0, 1, 0, 1 };
	struct ike_notify no;
	struct ike_delete de;
	struct ike_skf sf;

	CHECK(ike_dec_notify(n, 8, &no) == IKE_E_SYNTAX);	/* SPI size 3 */
	n[1] = 4;
	CHECK(ike_dec_notify(n, 8, &no) == IKE_OK && no.len == 0);
	CHECK(no.type == 16388);
	CHECK(ike_dec_delete(d, 12, &de) == IKE_OK);
	CHECK(ike_dec_delete(d, 11, &de) == IKE_E_SHORT);
	d[3] = 1;
	CHECK(ike_dec_delete(d, 12, &de) == IKE_E_LENGTH);
	d[0] = IKE_PROTO_IKE;	/* IKE SA: no SPIs */
	CHECK(ike_dec_delete(d, 12, &de) == IKE_E_SYNTAX);
	d[1] = 0, d[3] = 0;
	CHECK(ike_dec_delete(d, 4, &de) == IKE_OK);
	CHECK(ike_dec_skf(f, 32, 8, 16, &sf) == IKE_OK && sf.sk.ct_len == 4);
	f[1] = 0;	/* fragment 0 */
	CHECK(ike_dec_skf(f, 32, 8, 16, &sf) == IKE_E_SYNTAX);
	f[1] = 2;	/* fragment 2 of 1 */
	CHECK(ike_dec_skf(f, 32, 8, 16, &sf) == IKE_E_SYNTAX);
}

TEST(payload_sk_placement)
{
	uint8_t buf[256], inner[64], first;
	struct ike_sk sk = { iv, ct, icv, 8, 5, 16 };
	struct ike_skf skf = { 2, 3, { iv, ct, icv, 8, 5, 16 } };
	struct ike_writer w;
	struct ike_chain c;
	struct ike_skf got;
	long len;

	/* Nothing may be written after SK. */
	ike_w_init(&w, buf, sizeof(buf));
	ike_put_sk(&w, IKE_PL_NOTIFY, &sk);
	ike_put_vendor(&w, (const uint8_t *)"x", 1);
	CHECK(ike_w_finish(&w) == IKE_E_SYNTAX);
	/* SKF round trip; its Next Payload is the inner type. */
	ike_w_init(&w, buf, sizeof(buf));
	ike_put_skf(&w, IKE_PL_NONE, &skf);
	len = ike_w_finish(&w);
	CHECK(len == 4 + 4 + 29 && w.first == IKE_PL_SKF);
	CHECK(ike_parse_chain(IKE_PL_SKF, buf, (size_t)len, &c) == IKE_OK);
	CHECK(c.n == 1 && c.pl[0].inner == IKE_PL_NONE);
	CHECK(!ike_dec_skf(c.pl[0].body, c.pl[0].len, 8, 16, &got));
	CHECK(got.num == 2 && got.total == 3 && got.sk.ct_len == 5);
	/* Octets after SK are not part of it: refused. */
	buf[len] = 0;
	CHECK(ike_parse_chain(IKE_PL_SKF, buf, (size_t)len + 1, &c) ==
	      IKE_E_LENGTH);
	/* SK inside SK is refused. */
	len = vid_chain(inner, sizeof(inner), 1, 0, IKE_PL_VENDOR, 0, &first);
	CHECK(ike_parse_inner(first, inner, (size_t)len, &c) == IKE_OK);
	CHECK(ike_parse_inner(IKE_PL_SK, buf, 37, &c) == IKE_E_SYNTAX);
}

TEST(payload_writer_bounds)
{
	struct ike_hdr h = init_hdr();
	uint8_t buf[200], big[70000] = { 0 };
	struct ike_writer w;
	size_t cap;
	long ret;

	for (cap = 0; cap < 60; cap++) {
		ike_w_init_msg(&w, buf, cap, &h);
		ike_put_nonce(&w, nonce, 16);
		ret = ike_w_finish(&w);
		CHECK(cap >= 48 ? ret == 48 : ret == IKE_E_SPACE);
	}
	/* Encoders refuse what decoders would refuse. */
	ike_w_init(&w, buf, sizeof(buf));
	ike_put_nonce(&w, nonce, 15);
	CHECK(ike_w_finish(&w) == IKE_E_SYNTAX);
	ike_w_init(&w, buf, sizeof(buf));
	ike_put_id(&w, IKE_PL_IDI, &(struct ike_id){ IKE_ID_IPV4_ADDR,
						      nonce, 5 });
	CHECK(ike_w_finish(&w) == IKE_E_SYNTAX);
	/* A payload longer than 65535 octets cannot be written. */
	{
		static uint8_t out[70100];

		ike_w_init(&w, out, sizeof(out));
		ike_put_vendor(&w, big, sizeof(big));
		CHECK(ike_w_finish(&w) == IKE_E_LENGTH);
	}
}

TEST(payload_strerror)
{
	int e;

	for (e = IKE_E_SPACE; e <= IKE_OK; e++)
		CHECK(strcmp(ike_strerror(e), "unknown error") != 0);
	CHECK(!strcmp(ike_strerror(-99), "unknown error"));
}
