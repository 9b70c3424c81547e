// SPDX-License-Identifier: GPL-2.0
/* Child SA keys and parameters; see child_sa.h. */
#include <string.h>

#include "child_sa.h"
#include "proposal.h"
#include "secmem.h"

const char *child_sa_aead_name(int encr)
{
	switch (encr) {
	case IKE_ENCR_AES_GCM_16:
		return "rfc4106(gcm(aes))";
	case IKE_ENCR_CHACHA20_POLY1305:
		return "rfc7539esp(chacha20,poly1305)";
	}
	return NULL;
}

/* Algorithm, key size and ESN from the chosen proposal; 0 or -1. */
static int child_algs(struct child_sa *c, const struct ike_proposal *esp)
{
	const struct ike_transform *encr = proposal_find_tr(esp, IKE_TR_ENCR);
	const struct ike_transform *esn = proposal_find_tr(esp, IKE_TR_ESN);

	if (!encr)
		return -1;
	c->encr = encr->id;
	c->key_bits = encr->key_bits ? encr->key_bits : 256;
	c->aead = child_sa_aead_name(c->encr);
	c->keymat_len = ike_aead_keymat_len(c->encr, encr->key_bits);
	c->esn = esn && esn->id == IKE_ESN_YES;
	c->icv_bits = CHILD_ICV_BITS;
	c->tunnel = true;
	return c->aead && c->keymat_len ? 0 : -1;
}

int child_sa_derive(struct child_sa *c, const struct child_sa_params *p)
{
	struct ike_child_keys ck;

	memset(c, 0, sizeof(*c));
	if (child_algs(c, p->esp) ||
	    ike_child_keys_derive(&ck, p->prf, p->sk_d, p->sk_d_len, p->gir,
				  &p->ni, &p->nr, c->keymat_len, 0)) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	/* ck.ei protects initiator-to-responder traffic (§2.17). */
	c->key_out = p->initiator ? ck.ei : ck.er;
	c->key_in = p->initiator ? ck.er : ck.ei;
	c->spi_in = p->spi_in;
	c->spi_out = p->spi_out;
	c->ts_local = *p->ts_local;
	c->ts_remote = *p->ts_remote;
	return 0;
}

void child_sa_free(struct child_sa *c)
{
	secmem_free(c->key_in);
	secmem_free(c->key_out);
	memset(c, 0, sizeof(*c));
}
