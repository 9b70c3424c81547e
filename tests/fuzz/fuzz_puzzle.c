// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd as an RFC 8019 initiator
 * (userspace/moatd/exchange_puzzle.c, puzzle.c): the input is the
 * IKE_SA_INIT answer to an initiator's first request. When it asks a
 * puzzle the harness works it for a few tries, then stops (the budget
 * ran out): either way a retried request must come out, the cookie
 * first, and parse again. Built with MOATD_TEST_RNG.
 *
 * FUZZ_PUZZLE_SEEDS=DIR writes the seed corpus (a COOKIE and PUZZLE
 * answer) into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/exchange_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xfix fx;
static uint64_t rng;

static int fuzz_rand(void *buf, size_t len)
{
	return xfix_splitmix(&rng, buf, len);
}

static void write_seed(const char *dir, const struct ike_out *req)
{
	static const uint8_t pz[3] = { 0, 5, 2 };
	static struct ike_out ans;
	struct ike_writer w;
	struct ike_hdr h;
	char path[4096];
	long n;
	FILE *f;

	if (ike_parse_hdr(req->buf, req->len, &h))
		abort();
	h.flags = IKE_FLAG_R;
	ike_w_init_msg(&w, ans.buf, IKE_MSG_MAX, &h);
	xchg_notify(&w, IKE_N_COOKIE, "a cookie", 8);
	xchg_notify(&w, IKE_N_PUZZLE, pz, sizeof(pz));
	n = ike_w_finish(&w);
	snprintf(path, sizeof(path), "%s/seed-00", dir);
	f = fopen(path, "wb");
	if (n < 0 || !f || fwrite(ans.buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_PUZZLE_SEEDS");
	static struct ike_out req;
	struct ikesa *i;

	(void)argc;
	(void)argv;
	ikesa_test_rand = fuzz_rand;
	if (xfix_init(&fx, "psk = \"k\"\n", "psk = \"k\"\n"))
		abort();
	if (seeds) {
		rng = 1;
		i = ike_initiate(&fx.ci->conns[0], &fx.epi, &req);
		write_seed(seeds, &req);
		ikesa_free(i);
	}
	return 0;
}

/* A retried request: it parses, and a cookie comes first. */
static void check_retry(const struct ikesa *i, const struct ike_out *out)
{
	struct ike_msg m;

	if (!out->len)
		return;
	if (ike_parse_msg(out->buf, out->len, &m) || !i->cookie_len ||
	    m.chain.pl[0].type != IKE_PL_NOTIFY)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_out req, out;
	struct ikesa *i;
	int r = 0, n;

	rng = 1;
	i = ike_initiate(&fx.ci->conns[0], &fx.epi, &req);
	if (!i)
		abort();
	out.len = 0;
	if (ike_recv(i, data, size, &out) == IKE_RX_OK) {
		for (n = 0; n < 4 && !r; n++)
			r = ike_puzzle_work(i, 16, false, &out);
		if (ike_puzzle_asked(i) >= 0 &&
		    ike_puzzle_work(i, 0, true, &out) != 1)
			abort();
		check_retry(i, &out);
	}
	ikesa_free(i);
	return 0;
}
