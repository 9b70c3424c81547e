/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_CRYPTO_H
#define _MOAT_CRYPTO_H

#include <crypto/aead.h>
#include <linux/skbuff.h>

struct dentry;

#define MOAT_ESP_HDR_LEN	8	/* SPI and sequence number */
#define MOAT_ESP_IV_LEN		8	/* both AEADs carry a 64-bit IV */
#define MOAT_ESP_ICV_LEN	16
#define MOAT_ESP_TRAILER_LEN	2	/* pad length and next header */
/* The smallest ESP packet: header, IV, trailer and ICV around nothing. */
#define MOAT_ESP_MIN_LEN	(MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN + \
				 MOAT_ESP_TRAILER_LEN + MOAT_ESP_ICV_LEN)

/**
 * struct moat_aead_alg - an AEAD Moat can key
 * @name: the kernel crypto API name, also what users type
 * @key_lens: accepted key lengths in bytes, salt excluded; 0 ends the list
 * @salt_len: bytes of salt that follow the key
 * @impls: other spellings of it to time against @name; NULL-terminated
 */
struct moat_aead_alg {
	const char *name;
	u8 key_lens[4];
	u8 salt_len;
	const char *const *impls;
};

#define MOAT_AEAD_MAX_KEY_LEN	36	/* AES-256 or ChaCha20 key, salt */
#define MOAT_AEAD_MAX_IMPLS	4	/* the reference and three others */

/**
 * struct moat_aead_pick - how fast each implementation of an AEAD ran
 * @name: the spellings timed, the reference first; NULL ends them
 * @driver: the driver each resolved to
 * @ns: ns to seal 1420 bytes, or a negative errno: -ENOENT for one the
 *	kernel lacks, -EBADMSG for one whose output differed
 * @best: index of the fastest
 * @done: the timing ran (guarded by the pick lock)
 */
struct moat_aead_pick {
	const char *name[MOAT_AEAD_MAX_IMPLS];
	char driver[MOAT_AEAD_MAX_IMPLS][CRYPTO_MAX_ALG_NAME];
	s64 ns[MOAT_AEAD_MAX_IMPLS];
	int best;
	bool done;
};

const struct moat_aead_alg *moat_aead_find(const char *name);
bool moat_aead_key_len_ok(const struct moat_aead_alg *alg, unsigned int len);
struct crypto_aead *moat_aead_new(const struct moat_aead_alg *alg,
				  const u8 *key, unsigned int len);
int moat_aead_time(const char *name, const char *const *impls,
		   unsigned int key_len, struct moat_aead_pick *pick);
void moat_aead_debugfs(struct dentry *dir);

/*
 * Per-packet crypto state, allocated for each packet in flight: the AEAD
 * request, the associated data (SPI, high and low sequence number), the
 * IV and the scatterlist covering the packet.
 */
struct moat_crypt_req {
	u8 aad[12];
	u8 iv[MOAT_ESP_IV_LEN];
	unsigned int aad_len;
	struct scatterlist *sg;
	struct aead_request *req;
};

struct moat_crypt_req *moat_crypt_req_new(struct crypto_aead *tfm,
					  int nsg, gfp_t gfp);
int moat_crypt_req_map(struct moat_crypt_req *cr, struct sk_buff *skb,
		       __be32 spi, u64 seq, bool esn, unsigned int cryptlen,
		       crypto_completion_t done);
void moat_crypt_req_free(struct moat_crypt_req *cr);

#endif
