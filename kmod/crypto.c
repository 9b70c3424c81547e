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

/**
 * moat_crypt_req_map - point a request at an ESP packet
 * @cr: the request, with room for @skb's scatterlist
 * @skb: the packet, data at the ESP header, IV in place
 * @spi: the SA's SPI
 * @seq: the full sequence number
 * @esn: whether the high half goes into the AAD
 * @cryptlen: bytes to encrypt, or to decrypt including the ICV
 * @done: the completion, called with @skb for async requests
 *
 * The AAD is RFC 4303 2.2.1's: SPI, then the sequence number, its high
 * half included with ESN though it is never sent. The AEAD templates take
 * the IV as the last 8 bytes of associated data.
 *
 * Return: 0, or a negative errno.
 */
int moat_crypt_req_map(struct moat_crypt_req *cr, struct sk_buff *skb,
		       __be32 spi, u64 seq, bool esn, unsigned int cryptlen,
		       crypto_completion_t done)
{
	__be32 *aad = (__be32 *)cr->aad;
	int n;

	aad[0] = spi;
	if (esn) {
		aad[1] = htonl(upper_32_bits(seq));
		aad[2] = htonl(lower_32_bits(seq));
		cr->aad_len = 12;
	} else {
		aad[1] = htonl(lower_32_bits(seq));
		cr->aad_len = 8;
	}
	skb_copy_bits(skb, MOAT_ESP_HDR_LEN, cr->iv, MOAT_ESP_IV_LEN);
	sg_set_buf(cr->sg, cr->aad, cr->aad_len);
	n = skb_to_sgvec_nomark(skb, cr->sg + 1, MOAT_ESP_HDR_LEN,
				skb->len - MOAT_ESP_HDR_LEN);
	if (n < 0)
		return n;
	sg_mark_end(&cr->sg[n]);
	aead_request_set_callback(cr->req, CRYPTO_TFM_REQ_MAY_BACKLOG, done,
				  skb);
	aead_request_set_crypt(cr->req, cr->sg, cr->sg, cryptlen, cr->iv);
	aead_request_set_ad(cr->req, cr->aad_len + MOAT_ESP_IV_LEN);
	return 0;
}

void moat_crypt_req_free(struct moat_crypt_req *cr)
{
	kfree(cr);
}
