// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE SA rekey (RFC 7296 §1.3.2), a CREATE_CHILD_SA exchange:
 *
 *   HDR, SK {SA, Ni, KEi}  -->
 *   <--  HDR, SK {SA, Nr, KEr}
 *
 * The SA proposals carry the new IKE SPIs (8 octets). The new IKE SA's
 * initiator is whoever started the rekey; its keys come from
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18), its message
 * IDs start at 0, and every Child SA moves to it. The rekey's initiator
 * then deletes the old IKE SA. §2.8.2: when both ends rekey at once, the
 * new SA whose exchange has the lowest nonce is deleted by the end that
 * initiated it, and the other one's initiator deletes the old SA.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "exchange_est.h"
#include "exchange_int.h"
#include "proposal.h"
#include "secmem.h"

static bool spi_zero(const uint8_t *spi)
{
	static const uint8_t zero[IKE_SPI_LEN];

	return !memcmp(spi, zero, IKE_SPI_LEN);
}

/* The conn's IKE proposals with our new SPI. */
static void rk_offer(const struct ike_sa *ike, const uint8_t *spi,
		     struct ike_sa *out)
{
	size_t i;

	*out = *ike;
	for (i = 0; i < out->n; i++) {
		out->prop[i].spi_size = spi ? IKE_SPI_LEN : 0;
		if (spi)
			memcpy(out->prop[i].spi, spi, IKE_SPI_LEN);
	}
}

static void rk_put_ke(struct ike_writer *w, const struct dh_key *dh)
{
	uint8_t pub[DH_PUBLIC_MAX];
	uint16_t g = (uint16_t)dh_key_group(dh);
	struct ike_ke ke = { g, pub, dh_public_len(g) };

	if (dh_public(dh, pub, ke.len))
		w->err = w->err ? w->err : IKE_E_SYNTAX;
	ike_put_ke(w, &ke);
}

int rekey_ike_request(struct ikesa *sa, struct ike_writer *w)
{
	struct est_pending *p = &sa->est->pend;
	struct ike_sa offer;

	do {
		if (ikesa_rand(p->new_ike_spi, IKE_SPI_LEN))
			return -1;
	} while (spi_zero(p->new_ike_spi));
	p->group = sa->dh_group;
	p->dh = ikesa_dh_new(p->group);
	if (!p->dh || ikesa_rand(p->nonce, sizeof(p->nonce)))
		return -1;
	rk_offer(&sa->conn->ike, p->new_ike_spi, &offer);
	ike_put_sa(w, &offer);
	ike_put_nonce(w, p->nonce, sizeof(p->nonce));
	rk_put_ke(w, p->dh);
	return w->err ? -1 : 0;
}

/* The new SA's transforms; 0 or -1. */
static int rk_use_prop(struct ikesa *n, const struct ike_proposal *p)
{
	const struct ike_transform *e = proposal_find_tr(p, IKE_TR_ENCR);
	const struct ike_transform *f = proposal_find_tr(p, IKE_TR_PRF);
	const struct ike_transform *d = proposal_find_tr(p, IKE_TR_DH);

	if (!e || !f || !d)
		return -1;
	n->ike_prop = *p;
	n->encr = e->id;
	n->key_bits = e->key_bits ? e->key_bits : 256;
	n->prf = f->id;
	n->dh_group = d->id;
	return 0;
}

/* §2.18: the new SA's keys from the old SK_d; 0 or -1. */
static int rk_derive(const struct ikesa *old, struct ikesa *n,
		     const struct dh_key *dh, const struct ike_ke *peer)
{
	const struct ike_chunk ni = { n->ni, n->ni_len };
	const struct ike_chunk nr = { n->nr, n->nr_len };
	uint8_t gir[DH_PUBLIC_MAX], *seed = NULL;
	struct ike_chunk g = { gir, dh_secret_len(n->dh_group) };
	size_t elen = sk_keymat_len(n->encr, n->key_bits);
	int ret = -1;

	if (elen && !dh_shared(dh, peer->data, peer->len, gir, g.len))
		seed = ike_skeyseed_rekey(old->prf, old->keys.sk_d,
					  old->keys.prf_len, &g, &ni, &nr);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (seed && !ike_sa_keys_derive(&n->keys, n->prf, seed, &ni, &nr,
					n->spi_i, n->spi_r, 0, elen))
		ret = ikesa_install_sk(n);
	secmem_free(seed);
	return ret;
}

/* A new established SA like @old; its SPIs, nonces, keys still to set. */
static struct ikesa *rk_new(const struct ikesa *old, enum ikesa_role role,
			    const struct ike_proposal *chosen)
{
	struct ikesa *n = ikesa_new(old->conn, role, &old->ep);

	if (!n)
		return NULL;
	if (rk_use_prop(n, chosen)) {
		ikesa_free(n);
		return NULL;
	}
	n->peer_frag = old->peer_frag;
	n->ppk_used = old->ppk_used;
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->peer_id = old->peer_id;
	n->state = IKESA_ESTABLISHED;
	return n;
}

static int rk_nonces(struct ikesa *n, const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len)
{
	if (ni_len > sizeof(n->ni) || nr_len > sizeof(n->nr))
		return -1;
	memcpy(n->ni, ni, ni_len);
	memcpy(n->nr, nr, nr_len);
	n->ni_len = ni_len;
	n->nr_len = nr_len;
	return 0;
}

/* The lower nonce of @n's rekey exchange, for §2.8.2. */
static void rk_min_nonce(const struct ikesa *n, uint8_t *out, size_t *len)
{
	bool i = est_nonce_cmp(n->ni, n->ni_len, n->nr, n->nr_len) < 0;

	*len = i ? n->ni_len : n->nr_len;
	memcpy(out, i ? n->ni : n->nr, *len);
}

void est_children_move(struct ikesa *from, struct ikesa *to)
{
	struct ikesa_est *f = est_get(from), *t = est_get(to);
	struct est_child *slot;
	size_t i;

	for (i = 0; f && t && i < EST_CHILDREN_MAX; i++) {
		slot = f->child[i].used ? est_child_slot(t) : NULL;
		if (!slot)
			continue;	/* a full table keeps it here */
		*slot = f->child[i];
		memset(&f->child[i], 0, sizeof(f->child[i]));
	}
}

/* Responder. */

static uint16_t rk_check(struct ikesa *sa, const struct cc_in *in,
			 struct ike_proposal *chosen, uint16_t *want)
{
	const struct ike_transform *d;

	if (!in->nonce || !in->has_ke)
		return IKE_N_INVALID_SYNTAX;
	if (sa->est->successor)
		return IKE_N_TEMPORARY_FAILURE;	/* rekeyed already */
	if (proposal_select(&sa->conn->ike, &in->props, chosen) < 0 ||
	    chosen->spi_size != IKE_SPI_LEN || spi_zero(chosen->spi))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	d = proposal_find_tr(chosen, IKE_TR_DH);
	if (!d || d->id != in->ke.group) {
		*want = d ? d->id : 0;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	return 0;
}

static struct ikesa *rk_accept(struct ikesa *sa, const struct cc_in *in,
			       const struct ike_proposal *chosen,
			       struct dh_key **dh)
{
	struct ikesa *n = rk_new(sa, IKESA_RESPONDER, chosen);
	uint8_t nr[IKESA_NONCE_LEN];

	if (!n)
		return NULL;
	memcpy(n->spi_i, chosen->spi, IKE_SPI_LEN);
	*dh = ikesa_dh_new(n->dh_group);
	if (!*dh || ikesa_rand(nr, sizeof(nr)) ||
	    rk_nonces(n, in->nonce, in->nonce_len, nr, sizeof(nr)) ||
	    rk_derive(sa, n, *dh, &in->ke) || !est_get(n)) {
		ikesa_free(n);
		return NULL;
	}
	return n;
}

uint16_t rekey_ike_answer(struct ikesa *sa, const struct cc_in *in,
			  struct ike_writer *w, uint16_t *want_group)
{
	struct ike_sa answer = { .n = 1 };
	struct ike_proposal *chosen = &answer.prop[0];
	struct ikesa_est *e = sa->est;
	struct dh_key *dh = NULL;
	struct ikesa *n;
	uint16_t err = rk_check(sa, in, chosen, want_group);

	if (err)
		return err;
	n = rk_accept(sa, in, chosen, &dh);
	if (!n)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	memcpy(chosen->spi, n->spi_r, IKE_SPI_LEN);
	ike_put_sa(w, &answer);
	ike_put_nonce(w, n->nr, n->nr_len);
	rk_put_ke(w, dh);
	dh_free(dh);
	est_children_move(sa, n);
	e->successor = n;
	rk_min_nonce(n, e->succ_nonce, &e->succ_nonce_len);
	sa->state = IKESA_DELETING;	/* its initiator deletes it */
	return 0;
}

/* Initiator. */

static uint16_t rk_answer_ok(struct ikesa *sa, const struct cc_in *in,
			     struct ike_proposal *chosen)
{
	const struct ike_proposal *p = &in->props.prop[0];
	const struct ike_transform *d;
	struct ike_sa mine;

	if (in->error)
		return in->error;
	if (!in->has_sa || in->props.n != 1 || p->proto != IKE_PROTO_IKE ||
	    p->spi_size != IKE_SPI_LEN || spi_zero(p->spi) || !in->nonce ||
	    !in->has_ke || in->ke.group != sa->est->pend.group)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	rk_offer(&sa->conn->ike, NULL, &mine);
	if (proposal_select(&mine, &in->props, chosen) < 0 ||
	    chosen->n_tr != p->n_tr)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	d = proposal_find_tr(chosen, IKE_TR_DH);
	return d && d->id == sa->est->pend.group ? 0 :
						   IKE_N_NO_PROPOSAL_CHOSEN;
}

static struct ikesa *rk_complete(struct ikesa *sa, const struct cc_in *in,
				 const struct ike_proposal *chosen)
{
	struct est_pending *p = &sa->est->pend;
	struct ikesa *n = rk_new(sa, IKESA_INITIATOR, chosen);

	if (!n)
		return NULL;
	memcpy(n->spi_i, p->new_ike_spi, IKE_SPI_LEN);
	memcpy(n->spi_r, chosen->spi, IKE_SPI_LEN);
	if (rk_nonces(n, p->nonce, sizeof(p->nonce), in->nonce,
		      in->nonce_len) || rk_derive(sa, n, p->dh, &in->ke) ||
	    !est_get(n)) {
		ikesa_free(n);
		return NULL;
	}
	return n;
}

/* §2.8.2: which new SA survives; the Delete for the old or ours. */
static int rk_settle(struct ikesa *sa, struct ikesa *n, struct ike_out *out)
{
	struct ikesa_est *e = sa->est;
	uint8_t mine[IKE_NONCE_MAX];
	size_t len;

	if (!e->successor) {	/* no collision */
		est_children_move(sa, n);
		e->successor = n;
		return est_delete_ike_send(sa, out);
	}
	rk_min_nonce(n, mine, &len);
	if (est_nonce_cmp(mine, len, e->succ_nonce, e->succ_nonce_len) < 0) {
		e->redundant = n;	/* ours lost: we delete it */
		return est_delete_ike_send(n, out);
	}
	est_children_move(e->successor, n);
	e->redundant = e->successor;	/* the peer deletes its own */
	e->successor = n;
	return est_delete_ike_send(sa, out);
}

int rekey_ike_response(struct ikesa *sa, const struct cc_in *in,
		       struct ike_out *out)
{
	struct ike_proposal chosen;
	struct ikesa *n = NULL;
	uint16_t err = rk_answer_ok(sa, in, &chosen);

	if (!err) {
		n = rk_complete(sa, in, &chosen);
		err = n ? 0 : IKE_N_NO_PROPOSAL_CHOSEN;
	}
	sa->child_error = err;
	est_pend_clear(sa->est);
	if (n && rk_settle(sa, n, out))
		out->len = 0;
	return IKE_RX_OK;
}
