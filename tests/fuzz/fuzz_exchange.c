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
 *   2: the rest is an IKE_AUTH request to that responder.
 *
 * FUZZ_EXCHANGE_SEEDS=DIR writes the seed corpus (one valid message for
 * each target) into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONN "psk = \"fuzzing key\"\nppk-id = q1\nppk = \"fuzz ppk\"\n"
#define TS_I "local-ts = 10.1.0.0/16\nremote-ts = 10.2.0.0/16\n"
#define TS_R "local-ts = 10.2.0.0/16\nremote-ts = 10.1.0.0/16\n"

static struct moatd_config *ci, *cr;
static struct ike_endpoints epi, epr;
static struct ike_responder resp;
static uint64_t rng;

/* splitmix64: reproducible, not random. */
static int fuzz_rand(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t z;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (rng += 0x9e3779b97f4a7c15ULL);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
		}
		p[i] = (uint8_t)(z >> (8 * (i % 8)));
	}
	return 0;
}

static struct moatd_config *conf(const char *l, const char *r,
				 const char *extra)
{
	struct moatd_config *cfg;
	char text[512], err[256];

	snprintf(text, sizeof(text), "[conn f]\nlocal = %s\nremote = %s\n%s",
		 l, r, extra);
	if (moatd_config_parse(text, strlen(text), "f.conf", &cfg, err,
			       sizeof(err)))
		abort();
	return cfg;
}

static void ep_set(struct ike_endpoints *ep, const char *l, const char *r)
{
	parse_addr(l, &ep->local);
	parse_addr(r, &ep->remote);
	ep->local_port = ep->remote_port = 500;
}

/* A real IKE_SA_INIT: *i has sent IKE_AUTH (in auth), *r waits for it. */
static void init_pair(struct ikesa **i, struct ikesa **r,
		      struct ike_out *auth)
{
	static struct ike_out req, ans;

	rng = 1;
	*i = ike_initiate(&ci->conns[0], &epi, &req);
	*r = ike_respond_init(&resp, &cr->conns[0], &epr, req.buf, req.len,
			      &ans, NULL);
	if (!*i || !*r || ike_recv(*i, ans.buf, ans.len, auth) != IKE_RX_OK ||
	    (*i)->state != IKESA_AUTH_SENT)
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
	i = ike_initiate(&ci->conns[0], &epi, &req);
	write_seed(dir, 0, 0, &req);
	ikesa_free(i);
	init_pair(&i, &r, &auth);
	write_seed(dir, 2, 2, &auth);
	if (ike_recv(r, auth.buf, auth.len, &ans) != IKE_RX_OK)
		abort();
	write_seed(dir, 1, 1, &ans);
	/* The seed must take the initiator all the way. */
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
	ci = conf("192.0.2.1", "192.0.2.2", CONN TS_I);
	cr = conf("192.0.2.2", "192.0.2.1", CONN TS_R);
	ep_set(&epi, "192.0.2.1", "192.0.2.2");
	ep_set(&epr, "192.0.2.2", "192.0.2.1");
	rng = 1;
	if (ike_responder_init(&resp, false))
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
	if (data[0] % 3 == 0) {
		rng = 2;
		r = ike_respond_init(&resp, &cr->conns[0], &epr, data + 1,
				     size - 1, &out, NULL);
	} else {
		init_pair(&i, &r, &auth);
		ike_recv(data[0] % 3 == 1 ? i : r, data + 1, size - 1, &out);
	}
	ikesa_free(i);
	ikesa_free(r);
	return 0;
}
