// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd's IKE_SA_INIT and IKE_AUTH
 * (userspace/moatd/exchange_*.c). Built with MOATD_TEST_RNG: SPIs, nonces
 * and DH keys come from a generator reset for every input, so a real
 * IKE_SA_INIT gives the same keys each time and a seed that is a valid
 * IKE_AUTH message stays valid. The first octet picks the target:
 *
 *   0: the rest is an IKE_SA_INIT request to a responder with no SA;
 *   1: the rest is the IKE_AUTH answer to an initiator that has sent
 *	IKE_AUTH after a real IKE_SA_INIT;
 *   2: the rest is an IKE_AUTH request to that responder;
 *   3: the rest is an IKE_AUTH request to a responder that asked the
 *	IKE_AUTH puzzle (RFC 8019 §7.2) of an initiator whose IKE_SA_INIT
 *	request carried a Puzzle Solution (the seed: the solved request).
 *
 * FUZZ_EXCHANGE_SEEDS=DIR writes the seed corpus (one valid message for
 * each target) into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/exchange_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONN "psk = \"fuzzing key\"\nppk-id = q1\nppk = \"fuzz ppk\"\n"
#define TS_I "local-ts = 10.1.0.0/16\nremote-ts = 10.2.0.0/16\n"
#define TS_R "local-ts = 10.2.0.0/16\nremote-ts = 10.1.0.0/16\n"

static struct xfix fx;
static uint64_t rng;

static int fuzz_rand(void *buf, size_t len)
{
	return xfix_splitmix(&rng, buf, len);
}

/* A real IKE_SA_INIT: *i has sent IKE_AUTH (in auth), *r waits for it. */
static void init_pair(struct ikesa **i, struct ikesa **r,
		      struct ike_out *auth)
{
	rng = 1;
	if (xfix_sa_init(&fx, i, r, auth, NULL) ||
	    (*i)->state != IKESA_AUTH_SENT)
		abort();
}

#define AP_D 4		/* the IKE_AUTH puzzle's difficulty */

/* As init_pair, with the IKE_AUTH puzzle asked and solved. */
static void init_pair_puzzle(struct ikesa **i, struct ikesa **r,
			     struct ike_out *auth)
{
	static struct ike_out req, ans;
	int k = 0;

	rng = 1;
	*i = ike_initiate(&fx.ci->conns[0], &fx.epi, &req);
	if (!*i)
		abort();
	memset((*i)->cookie, 0xc0, 32);
	(*i)->cookie_len = 32;
	memset((*i)->ps, 0x5a, PUZZLE_PS_LEN);
	(*i)->ps_len = PUZZLE_PS_LEN;
	fx.resp.auth_puzzle = AP_D;
	*r = init_build_request(*i, &req) ? NULL :
	     ike_respond_init(&fx.resp, &fx.cr->conns[0], &fx.epr, req.buf,
			      req.len, &ans, NULL);
	fx.resp.auth_puzzle = 0;
	if (!*r || ike_recv(*i, ans.buf, ans.len, auth) != IKE_RX_OK)
		abort();
	while (!k)
		k = ike_puzzle_work(*i, 64, false, auth);
	if (k != 1 || (*i)->state != IKESA_AUTH_SENT)
		abort();
}

static void write_seed(const char *dir, int n, uint8_t mode,
		       const struct ike_out *m)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, n);
	f = fopen(path, "wb");
	if (!f || fputc(mode, f) == EOF || fwrite(m->buf, 1, m->len, f) != m->len)
		abort();
	fclose(f);
}

static void write_seeds(const char *dir)
{
	static struct ike_out req, auth, ans;
	struct ikesa *i, *r;

	rng = 1;
	i = ike_initiate(&fx.ci->conns[0], &fx.epi, &req);
	write_seed(dir, 0, 0, &req);
	ikesa_free(i);
	init_pair(&i, &r, &auth);
	write_seed(dir, 2, 2, &auth);
	if (ike_recv(r, auth.buf, auth.len, &ans) != IKE_RX_OK)
		abort();
	write_seed(dir, 1, 1, &ans);
	ikesa_free(i);
	ikesa_free(r);
	init_pair_puzzle(&i, &r, &auth);
	write_seed(dir, 3, 3, &auth);
	if (ike_recv(r, auth.buf, auth.len, &ans) != IKE_RX_OK ||
	    r->state != IKESA_ESTABLISHED)
		abort();
	/* The seed must take the initiator all the way. */
	ikesa_free(i);
	ikesa_free(r);
	init_pair(&i, &r, &auth);
	if (ike_recv(r, auth.buf, auth.len, &ans) != IKE_RX_OK)
		abort();
	if (ike_recv(i, ans.buf, ans.len, &req) != IKE_RX_OK ||
	    i->state != IKESA_ESTABLISHED || !i->have_child || !i->ppk_used)
		abort();
	ikesa_free(i);
	ikesa_free(r);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_EXCHANGE_SEEDS");

	(void)argc;
	(void)argv;
	ikesa_test_rand = fuzz_rand;
	rng = 1;
	if (xfix_init(&fx, CONN TS_I, CONN TS_R))
		abort();
	if (seeds)
		write_seeds(seeds);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_out out, auth;
	struct ikesa *i = NULL, *r = NULL;

	if (size < 1)
		return 0;
	if (data[0] % 4 == 0) {
		rng = 2;
		r = ike_respond_init(&fx.resp, &fx.cr->conns[0], &fx.epr,
				     data + 1, size - 1, &out, NULL);
	} else if (data[0] % 4 == 3) {
		init_pair_puzzle(&i, &r, &auth);
		ike_recv(r, data + 1, size - 1, &out);
	} else {
		init_pair(&i, &r, &auth);
		ike_recv(data[0] % 4 == 1 ? i : r, data + 1, size - 1, &out);
	}
	ikesa_free(i);
	ikesa_free(r);
	return 0;
}
