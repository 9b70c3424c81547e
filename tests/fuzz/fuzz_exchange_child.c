// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd's CREATE_CHILD_SA and INFORMATIONAL receive
 * paths (userspace/moatd/exchange_child.c, exchange_rekey.c,
 * exchange_info.c). Built with MOATD_TEST_RNG, so every input starts
 * from the same established pair (a: the original initiator, b).
 *
 * A random message rarely passes the AEAD check, so the input is mostly
 * the plaintext: octet 0 picks the target, octet 1 is the type of the
 * first inner payload, the rest is the inner payload chain, which the
 * harness encrypts with b's keys as b's message to a:
 *
 *   0: a CREATE_CHILD_SA request;  1: an INFORMATIONAL request;
 *   2, 3, 4: the CREATE_CHILD_SA answer to a's Child SA rekey, IKE SA
 *	rekey, new Child SA;  5: the INFORMATIONAL answer to a's Delete;
 *   6: octets 1.. are a whole message to a, which has a rekey pending.
 *
 * Whatever a does with it must not crash, and a message it drops must
 * leave it unchanged (checked; abort otherwise). Any answer or follow-up
 * a sends is given to b. FUZZ_EXCHANGE_SEEDS=DIR writes one seed per
 * target (the real message's plaintext) into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange_est.h"
#include "../unit/exchange_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONN "psk = \"fuzzing key\"\nesp = aes128gcm16-x25519,aes256gcm16\n"
#define TS_I "local-ts = 10.1.0.0/16\nremote-ts = 10.2.0.0/16\n"
#define TS_R "local-ts = 10.2.0.0/16\nremote-ts = 10.1.0.0/16\n"
#define MODES 7

static struct xfix fx;
static uint64_t rng;
static int last_rx;		/* what a did with the last input */
static size_t last_children;

static int fuzz_rand(void *buf, size_t len)
{
	return xfix_splitmix(&rng, buf, len);
}

/* The established pair, the same for every input. */
static void establish(struct ikesa **a, struct ikesa **b)
{
	rng = 1;
	if (xfix_establish(&fx, a, b, NULL) ||
	    (*a)->state != IKESA_ESTABLISHED)
		abort();
}

/* What a starts before the message of @mode arrives; @req: its request. */
static void start(struct ikesa *a, int mode, struct ike_out *req)
{
	const struct child_sa *c = ike_child_find(a, a->child.spi_in);
	int r = 0;

	req->len = 0;
	if (mode == 2 || mode == 6)
		r = ike_rekey_child(a, c ? c->spi_in : 0, req);
	else if (mode == 3)
		r = ike_rekey_ike(a, req);
	else if (mode == 4)
		r = ike_create_child(a, req);
	else if (mode == 5)
		r = ike_delete_child(a, c ? c->spi_in : 0, req);
	if (r)
		abort();
}

/* b's message (request or answer) around the plaintext chain @p. */
static int seal_from_b(struct ikesa *a, struct ikesa *b, int mode,
		       const uint8_t *p, size_t len, struct ike_out *out)
{
	static uint8_t inner[IKE_MSG_MAX];
	bool info = mode == 1 || mode == 5;
	bool answer = mode >= 2;
	struct ike_writer w = { 0 };
	struct ike_hdr h;

	if (len < 1 || len - 1 > sizeof(inner))
		return -1;
	memcpy(inner, p + 1, len - 1);
	w.buf = inner;
	w.cap = sizeof(inner);
	w.len = len - 1;
	w.first = p[0];
	xchg_hdr(b, &h, info ? IKE_INFORMATIONAL : IKE_CREATE_CHILD_SA,
		 answer ? a->next_req_id - 1 : b->next_req_id, answer);
	return xchg_seal(b, &h, &w, out);
}

/* What must not change when a drops a message. */
struct snap {
	int state, pend;
	uint32_t req, exp;
	size_t children, ops, last_in;
	const void *succ;
};

static void snap(struct ikesa *a, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->state = a->state;
	s->pend = a->est ? (int)a->est->pend.kind : 0;
	s->req = a->next_req_id;
	s->exp = a->next_exp_id;
	s->children = ike_child_count(a);
	s->ops = a->est ? a->est->n_ops : 0;
	s->last_in = a->last_in.len;
	s->succ = a->est ? a->est->successor : NULL;
}

static void deliver(struct ikesa *a, struct ikesa *b, const uint8_t *msg,
		    size_t len)
{
	static struct ike_out out, back;
	struct snap before, after;
	struct ikesa *n;

	snap(a, &before);
	last_rx = ike_recv(a, msg, len, &out);
	last_children = ike_child_count(a);
	if (last_rx == IKE_RX_DROP) {
		snap(a, &after);
		if (memcmp(&before, &after, sizeof(before)) || out.len)
			abort();
	}
	if (out.len)
		ike_recv(b, out.buf, out.len, &back);
	while ((n = ike_successor_take(a)) || (n = ike_redundant_take(a)) ||
	       (n = ike_successor_take(b)) || (n = ike_redundant_take(b)))
		ikesa_free(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_out req, ans, msg;
	struct ikesa *a, *b;
	int mode;

	if (size < 2)
		return 0;
	mode = data[0] % MODES;
	last_rx = IKE_RX_DROP;
	establish(&a, &b);
	start(a, mode, &req);
	if (mode >= 2 && mode <= 5 &&	/* b takes a's request first */
	    ike_recv(b, req.buf, req.len, &ans) != IKE_RX_OK)
		abort();
	if (mode == 6)
		deliver(a, b, data + 1, size - 1);
	else if (!seal_from_b(a, b, mode, data + 1, size - 1, &msg))
		deliver(a, b, msg.buf, msg.len);
	ikesa_free(a);
	ikesa_free(b);
	return 0;
}

/* The first inner type and the plaintext of @m, for a. */
static size_t plain_of(struct ikesa *a, const struct ike_out *m,
		       uint8_t *out, size_t cap)
{
	static uint8_t plain[IKE_MSG_MAX];
	const struct ike_payload *last;
	struct ike_chain c;
	uint8_t crit = 0;
	size_t n;

	if (xchg_open(a, m->buf, m->len, plain, &c, &crit) || !c.n)
		abort();
	last = &c.pl[c.n - 1];
	n = (size_t)(last->body + last->len - plain);
	if (n + 1 > cap)
		abort();
	out[0] = m->buf[IKE_HDR_LEN];	/* SK's Next Payload: the first */
	memcpy(out + 1, plain, n);
	return n + 1;
}

static void write_seed(const char *dir, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, p[0]);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len)
		abort();
	fclose(f);
}

/* The real message of @mode: b's request, or b's answer to a's. */
static void seed_one(const char *dir, int mode)
{
	static struct ike_out req, m;
	static const size_t want_children[MODES] = { 2, 0, 2, 0, 2, 0, 2 };
	static uint8_t p[IKE_MSG_MAX + 2];
	struct ikesa *a, *b, *n;
	size_t len;
	int r = 0;

	establish(&a, &b);
	start(a, mode, &req);
	if (mode == 0)
		r = ike_create_child(b, &m);
	else if (mode == 1)
		r = ike_delete_child(b, b->child.spi_in, &m);
	else if (ike_recv(b, req.buf, req.len, &m) != IKE_RX_OK)
		abort();
	if (r || !m.len)
		abort();
	if (mode == 6) {
		memcpy(p + 1, m.buf, m.len);
		len = m.len + 1;
	} else {
		len = plain_of(a, &m, p + 1, sizeof(p) - 1) + 1;
	}
	p[0] = (uint8_t)mode;
	write_seed(dir, p, len);
	/* The seed must take a down the intended path. */
	LLVMFuzzerTestOneInput(p, len);
	if (last_rx != IKE_RX_OK || last_children != want_children[mode])
		abort();
	while ((n = ike_successor_take(b)))
		ikesa_free(n);
	ikesa_free(a);
	ikesa_free(b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_EXCHANGE_SEEDS");
	int mode;

	(void)argc;
	(void)argv;
	ikesa_test_rand = fuzz_rand;
	if (xfix_init(&fx, CONN TS_I, CONN TS_R))
		abort();
	if (!seeds)
		return 0;
	for (mode = 0; mode < MODES; mode++)
		seed_one(seeds, mode);
	exit(0);
}
