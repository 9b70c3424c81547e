// SPDX-License-Identifier: GPL-2.0
/*
 * IKE fragmentation (RFC 7383): the reassembly bounds of frag.c, and the
 * exchanges sending and taking IKE_AUTH as SKF fragments.
 */
#include <stdlib.h>
#include <string.h>

#include "exchange_fixture.h"
#include "frag.h"
#include "harness.h"

static const uint8_t raw1[] = "fragment one as received";

static struct frag_piece piece(uint32_t id, uint16_t num, uint16_t total,
			       const char *text)
{
	struct frag_piece p = {
		.msg_id = id, .num = num, .total = total, .first = 35,
		.plain = (const uint8_t *)text, .len = strlen(text),
		.raw = raw1, .raw_len = sizeof(raw1),
	};

	return p;
}

static int add(struct frag_rx *f, uint32_t id, uint16_t num, uint16_t total,
	       const char *text, uint64_t now)
{
	struct frag_piece p = piece(id, num, total, text);

	return frag_add(f, &p, now);
}

static int joined_is(const struct frag_rx *f, const char *want)
{
	char buf[64] = "";
	long n = frag_join(f, (uint8_t *)buf, sizeof(buf) - 1);

	return n == (long)strlen(want) && !memcmp(buf, want, (size_t)n);
}

TEST(frag_reassembles_out_of_order_ignoring_duplicates)
{
	struct frag_rx f = { 0 };

	CHECK(add(&f, 1, 3, 3, "ccc", 0) == FRAG_KEPT);
	CHECK(frag_join(&f, (uint8_t[8]){ 0 }, 8) == -1);	/* incomplete */
	CHECK(add(&f, 1, 3, 3, "XXX", 0) == FRAG_DROP);	/* duplicate */
	CHECK(add(&f, 1, 1, 3, "a", 0) == FRAG_KEPT);
	CHECK(add(&f, 1, 2, 3, "bb", 0) == FRAG_DONE);
	CHECK(joined_is(&f, "abbccc"));
	CHECK(f.first == 35);
	CHECK(f.raw1_len == sizeof(raw1) && !memcmp(f.raw1, raw1, sizeof(raw1)));
	frag_reset(&f);
	CHECK(!f.active && !f.have && !f.raw1);
}

TEST(frag_bounds)
{
	static char big[FRAG_SIZE_MAX + 2];
	struct frag_rx f = { 0 };

	/* Fragment numbers and counts out of range are never kept. */
	CHECK(add(&f, 1, 0, 2, "a", 0) == FRAG_DROP);
	CHECK(add(&f, 1, 3, 2, "a", 0) == FRAG_DROP);
	CHECK(add(&f, 1, 1, FRAG_MAX + 1, "a", 0) == FRAG_DROP);
	CHECK(!f.active);
	CHECK(add(&f, 1, FRAG_MAX, FRAG_MAX, "a", 0) == FRAG_KEPT);
	/* More than FRAG_SIZE_MAX octets in all: the message is given up. */
	memset(big, 'x', FRAG_SIZE_MAX);
	CHECK(add(&f, 1, 1, FRAG_MAX, big, 0) == FRAG_DROP);
	CHECK(!f.active && !f.have);
	memset(big, 'x', FRAG_SIZE_MAX + 1);
	CHECK(add(&f, 1, 1, 1, big, 0) == FRAG_DROP);
	frag_reset(&f);
}

TEST(frag_new_message_timeout_and_resplit)
{
	struct frag_rx f = { 0 };

	CHECK(add(&f, 1, 1, 2, "a", 1000) == FRAG_KEPT);
	/* Another Message ID replaces the kept one. */
	CHECK(add(&f, 2, 2, 2, "y", 1000) == FRAG_KEPT);
	CHECK(add(&f, 1, 2, 2, "b", 1000) == FRAG_KEPT);
	CHECK(f.msg_id == 1 && f.have == 1);
	/* After FRAG_TIMEOUT_MS, what was kept is forgotten. */
	CHECK(add(&f, 1, 1, 2, "a", 1000 + FRAG_TIMEOUT_MS + 1) == FRAG_KEPT);
	CHECK(f.have == 1 && f.part[0] && !f.part[1]);
	/* A finer split (more fragments) starts over; a coarser one is
	 * dropped (§2.6.1). */
	CHECK(add(&f, 1, 1, 3, "a", 40000) == FRAG_KEPT);
	CHECK(f.total == 3 && f.have == 1);
	CHECK(add(&f, 1, 2, 2, "bc", 40000) == FRAG_DROP);
	CHECK(add(&f, 1, 2, 3, "b", 40000) == FRAG_KEPT);
	CHECK(add(&f, 1, 3, 3, "c", 40000) == FRAG_DONE);
	CHECK(joined_is(&f, "abc"));
	frag_reset(&f);
	/* A request and a response with one Message ID are two messages. */
	CHECK(add(&f, 1, 1, 2, "a", 0) == FRAG_KEPT);
	{
		struct frag_piece p = piece(1, 2, 2, "b");

		p.response = true;
		CHECK(frag_add(&f, &p, 0) == FRAG_KEPT);
		CHECK(f.response && f.have == 1);
	}
	frag_reset(&f);
}

TEST(frag_first_datagram)
{
	uint8_t buf[100] = { 0 };

	buf[27] = 40;			/* IKE Length 40 of 100 */
	CHECK(frag_first_datagram(buf, 100) == 40);
	buf[27] = 27;			/* shorter than a header: whole */
	CHECK(frag_first_datagram(buf, 100) == 100);
	buf[26] = 1;			/* longer than the buffer: whole */
	CHECK(frag_first_datagram(buf, 100) == 100);
	CHECK(frag_first_datagram(buf, 20) == 20);
}

/* ---- the exchanges ---- */

/*
 * Enough traffic selectors that IKE_AUTH does not fit in 576 octets, so
 * it travels fragmented in both directions.
 */
/* 16 host prefixes in a line of fewer than 198 characters. */
#define TS16(p) p "0/32," p "1/32," p "2/32," p "3/32," p "4/32," p "5/32," \
	p "6/32," p "7/32," p "8/32," p "9/32," p "10/32," p "11/32," \
	p "12/32," p "13/32," p "14/32," p "15/32\n"
#define MANY_TS_I "local-ts = " TS16("1.0.0.") "remote-ts = " TS16("2.0.0.")
#define MANY_TS_R "local-ts = 2.0.0.0/8\nremote-ts = 1.0.0.0/8\n"
#define FRAG_PSK "psk = \"fragmented test key\"\n"

/* The datagrams of @o: how many, each checked to be an SKF message. */
static size_t datagrams(const struct ike_out *o, struct ike_out *each,
			size_t max)
{
	size_t off = 0, n = 0, len;

	while (off < o->len && n < max) {
		len = frag_first_datagram(o->buf + off, o->len - off);
		memcpy(each[n].buf, o->buf + off, len);
		each[n++].len = len;
		off += len;
	}
	return n;
}

static bool is_skf(const struct ike_out *o, uint16_t num, size_t budget)
{
	struct ike_msg m;
	const struct ike_payload *pl;

	if (ike_parse_msg(o->buf, o->len, &m) || m.chain.n != 1)
		return false;
	pl = &m.chain.pl[0];
	return pl->type == IKE_PL_SKF && pl->body[1] == num &&
	       o->len <= budget && (num == 1) == (pl->inner == IKE_PL_IDI ||
						   pl->inner == IKE_PL_IDR);
}

TEST(exchange_fragmented_auth)
{
	static struct ike_out auth, ans, tmp, part[8], rpart[8];
	struct ikesa *i = NULL, *r = NULL;
	struct xfix f;
	size_t n, rn, k, budget;
	uint16_t note = 0;

	if (xfix_init(&f, FRAG_PSK MANY_TS_I, FRAG_PSK MANY_TS_R)) {
		CHECK(0);
		return;
	}
	CHECK(!xfix_sa_init(&f, &i, &r, &auth, &note));
	if (!i || !r || !auth.len)
		goto out;
	budget = xchg_frag_budget(i);
	CHECK(budget == 576 - 20 - 8);
	n = datagrams(&auth, part, 8);
	CHECK(n >= 2);
	for (k = 0; k < n; k++)
		CHECK(is_skf(&part[k], (uint16_t)(k + 1), budget));
	/* The last fragment first; each but the last one is kept silently. */
	CHECK(ike_recv(r, part[n - 1].buf, part[n - 1].len, &ans) ==
	      IKE_RX_DROP && !ans.len);
	for (k = 0; k + 1 < n; k++)
		CHECK(ike_recv(r, part[k].buf, part[k].len, &ans) ==
			      (k + 2 == n ? IKE_RX_OK : IKE_RX_DROP));
	CHECK(r->state == IKESA_ESTABLISHED);
	/* The answer is fragmented too, and reassembled by the initiator. */
	rn = datagrams(&ans, rpart, 8);
	CHECK(rn >= 2);
	for (k = 0; k < rn; k++)
		CHECK(ike_recv(i, rpart[k].buf, rpart[k].len, &tmp) ==
		      (k + 1 == rn ? IKE_RX_OK : IKE_RX_DROP));
	CHECK(i->state == IKESA_ESTABLISHED);
	CHECK(i->have_child && r->have_child);
	/* A resent fragment 1 gets every fragment of the answer again. */
	CHECK(ike_recv(r, part[0].buf, part[0].len, &tmp) == IKE_RX_RESENT);
	CHECK(tmp.len == ans.len && !memcmp(tmp.buf, ans.buf, ans.len));
	CHECK(ike_recv(r, part[1].buf, part[1].len, &tmp) == IKE_RX_DROP);
out:
	ikesa_free(i);
	ikesa_free(r);
	xfix_free(&f);
}

/* A changed fragment is not kept: the real one still completes. */
TEST(exchange_fragment_tampered)
{
	static struct ike_out auth, ans, part[8], bad;
	struct ikesa *i = NULL, *r = NULL;
	struct xfix f;
	size_t n, k;
	uint16_t note = 0;

	if (xfix_init(&f, FRAG_PSK MANY_TS_I, FRAG_PSK MANY_TS_R)) {
		CHECK(0);
		return;
	}
	CHECK(!xfix_sa_init(&f, &i, &r, &auth, &note));
	if (!i || !r)
		goto out;
	n = datagrams(&auth, part, 8);
	CHECK(n >= 2);
	bad = part[0];
	bad.buf[bad.len - 1] ^= 1;	/* the ICV */
	CHECK(ike_recv(r, bad.buf, bad.len, &ans) == IKE_RX_DROP);
	CHECK(!r->frag.active);
	for (k = 1; k < n; k++)
		CHECK(ike_recv(r, part[k].buf, part[k].len, &ans) ==
		      IKE_RX_DROP);
	CHECK(r->state == IKESA_INIT_DONE);
	CHECK(ike_recv(r, part[0].buf, part[0].len, &ans) == IKE_RX_OK);
	CHECK(r->state == IKESA_ESTABLISHED);
out:
	ikesa_free(i);
	ikesa_free(r);
	xfix_free(&f);
}

/* Without fragmentation on one side, IKE_AUTH goes whole. */
TEST(exchange_fragmentation_off)
{
	static struct ike_out auth, ans, tmp;
	struct ikesa *i = NULL, *r = NULL;
	struct xfix f;
	uint16_t note = 0;

	if (xfix_init(&f, FRAG_PSK MANY_TS_I, FRAG_PSK MANY_TS_R
		      "fragmentation = no\n")) {
		CHECK(0);
		return;
	}
	CHECK(!xfix_sa_init(&f, &i, &r, &auth, &note));
	if (!i || !r)
		goto out;
	CHECK(frag_first_datagram(auth.buf, auth.len) == auth.len);
	CHECK(auth.len > 576);
	CHECK(ike_recv(r, auth.buf, auth.len, &ans) == IKE_RX_OK);
	CHECK(ike_recv(i, ans.buf, ans.len, &tmp) == IKE_RX_OK);
	CHECK(i->state == IKESA_ESTABLISHED);
out:
	ikesa_free(i);
	ikesa_free(r);
	xfix_free(&f);
}
