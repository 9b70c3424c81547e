// SPDX-License-Identifier: GPL-2.0
/*
 * The AEADs Moat speaks, keyed through the kernel crypto API, and the
 * per-packet request that carries one packet through them.
 */

#include <linux/slab.h>
#include <linux/string.h>

#include "crypto.h"

static const struct moat_aead_alg moat_aead_algs[] = {
	{ .name = "rfc4106(gcm(aes))", .key_lens = { 16, 24, 32 },
	  .salt_len = 4 },
	{ .name = "rfc7539esp(chacha20,poly1305)", .key_lens = { 32 },
	  .salt_len = 4 },
};

const struct moat_aead_alg *moat_aead_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(moat_aead_algs); i++)
		if (!strcmp(moat_aead_algs[i].name, name))
			return &moat_aead_algs[i];
	return NULL;
}

/* @len counts the key and its salt, as users write them. */
bool moat_aead_key_len_ok(const struct moat_aead_alg *alg, unsigned int len)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(alg->key_lens) && alg->key_lens[i]; i++)
		if (len == alg->key_lens[i] + alg->salt_len)
			return true;
	return false;
}

struct crypto_aead *moat_aead_new(const struct moat_aead_alg *alg,
				  const u8 *key, unsigned int len)
{
	struct crypto_aead *tfm;
	int ret;

	tfm = crypto_alloc_aead(alg->name, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	ret = crypto_aead_setkey(tfm, key, len);
	if (!ret)
		ret = crypto_aead_setauthsize(tfm, MOAT_ESP_ICV_LEN);
	if (!ret && crypto_aead_ivsize(tfm) != MOAT_ESP_IV_LEN)
		ret = -EINVAL;
	if (ret) {
		crypto_free_aead(tfm);
		return ERR_PTR(ret);
	}
	return tfm;
}

/* One allocation per packet: the request, then the scatterlist. */
struct moat_crypt_req *moat_crypt_req_new(struct crypto_aead *tfm,
					  int nsg, gfp_t gfp)
{
	size_t req_off = ALIGN(sizeof(struct moat_crypt_req),
			       crypto_tfm_ctx_alignment());
	size_t sg_off = ALIGN(req_off + sizeof(struct aead_request) +
			      crypto_aead_reqsize(tfm),
			      __alignof__(struct scatterlist));
	struct moat_crypt_req *cr;

	cr = kmalloc(sg_off + nsg * sizeof(struct scatterlist), gfp);
	if (!cr)
		return NULL;
	cr->req = (struct aead_request *)((u8 *)cr + req_off);
	cr->sg = (struct scatterlist *)((u8 *)cr + sg_off);
	aead_request_set_tfm(cr->req, tfm);
	sg_init_table(cr->sg, nsg);
	return cr;
}

void moat_crypt_req_free(struct moat_crypt_req *cr)
{
	kfree(cr);
}
