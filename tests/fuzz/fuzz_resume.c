// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for RFC 5723 resumption (userspace/moatd/
 * exchange_resume.c, ticket.c). The first octet picks a role, the rest is
 * the message: even, an IKE_SESSION_RESUME request to a responder (its
 * Nonce and N(TICKET_OPAQUE) parsing, the ticket's opening); odd, the
 * answer to an initiator's resumption. A responder SA must come with its
 * answer, a refusal must be HDR, N(TICKET_NACK); an initiator either
 * drops the answer or moves on to IKE_AUTH or ends. Built with
 * MOATD_TEST_RNG.
 *
 * The ticket key comes from the test RNG, so the seed's ticket opens in
 * every run; the used-ticket cache is cleared for each input.
 *
 * FUZZ_RESUME_SEEDS=DIR writes the seed corpus (a resumption request, its
 * answer, and a TICKET_NACK answer) into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/exchange_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONF "psk = \"k\"\nresumption = yes\n"

static struct xfix fx;
static struct ike_ticket *ticket;
static uint64_t rng;

static int fuzz_rand(void *buf, size_t len)
{
	return xfix_splitmix(&rng, buf, len);
}

static void seed(const char *dir, int n, uint8_t role, const uint8_t *m,
		 size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, n);
	f = fopen(path, "wb");
	if (!f || fwrite(&role, 1, 1, f) != 1 || fwrite(m, 1, len, f) != len)
		abort();
	fclose(f);
}

static void write_seeds(const char *dir)
{
	static struct ike_out req, ans;
	struct ikesa *i = ike_resume(&fx.ci->conns[0], &fx.epi, ticket, &req);

	if (!i)
		abort();
	seed(dir, 0, 0, req.buf, req.len);
	ikesa_free(ike_respond_resume(fx.cr, &fx.epr, req.buf, req.len, &ans,
				      NULL));
	seed(dir, 1, 1, ans.buf, ans.len);
	ikesa_free(ike_respond_resume(fx.cr, &fx.epr, req.buf, req.len, &ans,
				      NULL));	/* used: TICKET_NACK */
	seed(dir, 2, 1, ans.buf, ans.len);
	ikesa_free(i);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_RESUME_SEEDS");
	struct ikesa *i, *r;
	uint16_t note;

	(void)argc;
	(void)argv;
	ikesa_test_rand = fuzz_rand;
	rng = 1;
	if (xfix_init(&fx, CONF, CONF) || xfix_establish(&fx, &i, &r, &note))
		abort();
	ticket = ike_ticket_take(i);
	ikesa_free(i);
	ikesa_free(r);
	if (!ticket)
		abort();
	if (seeds)
		write_seeds(seeds);
	return 0;
}

static void as_responder(const uint8_t *data, size_t size)
{
	static struct ike_out out;
	struct ikesa *r;
	struct ike_msg m;
	uint16_t note = 0;

	ticket_forget_used();
	r = ike_respond_resume(fx.cr, &fx.epr, data, size, &out, &note);
	if (r && (r->state != IKESA_INIT_DONE || !r->resumed || !out.len))
		abort();
	if (!r && out.len && (note != IKE_N_TICKET_NACK ||
			      ike_parse_msg(out.buf, out.len, &m)))
		abort();
	ikesa_free(r);
}

static void as_initiator(const uint8_t *data, size_t size)
{
	static struct ike_out req, out;
	struct ikesa *i = ike_resume(&fx.ci->conns[0], &fx.epi, ticket, &req);
	int ret;

	if (!i)
		abort();
	ret = ike_recv(i, data, size, &out);
	if (ret == IKE_RX_OK && i->state != IKESA_AUTH_SENT &&
	    i->state != IKESA_DEAD)
		abort();
	if (ret == IKE_RX_DROP && (out.len || i->state != IKESA_INIT_SENT))
		abort();
	ikesa_free(i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	rng = 2;
	if (data[0] & 1)
		as_initiator(data + 1, size - 1);
	else
		as_responder(data + 1, size - 1);
	return 0;
}
