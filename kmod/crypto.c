// SPDX-License-Identifier: GPL-2.0
/*
 * The AEADs Moat speaks, keyed through the kernel crypto API, and the
 * per-packet request that carries one packet through them.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "crypto.h"

/*
 * Other spellings of ChaCha20-Poly1305 that the first SA times against the
 * kernel's highest-priority one. The kernel ranks drivers by a priority
 * fixed at build time, and SIMD code is not the fastest everywhere: under
 * an emulator (qemu's TCG) the vector instructions cost far more than the
 * generic C code. Only ChaCha20 and Poly1305 are listed because every
 * implementation of them runs in constant time (add, rotate, xor and
 * multiply, no tables); the generic C AES and GHASH index tables by secret
 * bytes and must never win a race on speed alone.
 */
static const char *const moat_chacha_impls[] = {
	"rfc7539esp(chacha20-generic,poly1305-generic)",
	/*
	 * A template finds its inner algorithms by the name or the driver
	 * name it is given, and the instance must then answer to the outer
	 * spelling: mixing in the kernel's default takes x86's driver names.
	 * Elsewhere these two are simply missing.
	 */
	"rfc7539esp(chacha20-generic,poly1305-simd)",
	"rfc7539esp(chacha20-simd,poly1305-generic)",
	NULL,
};

static const struct moat_aead_alg moat_aead_algs[] = {
	{ .name = "rfc4106(gcm(aes))", .key_lens = { 16, 24, 32 },
	  .salt_len = 4 },
	{ .name = "rfc7539esp(chacha20,poly1305)", .key_lens = { 32 },
	  .salt_len = 4, .impls = moat_chacha_impls },
};

static bool aead_pick = true;
module_param(aead_pick, bool, 0644);
MODULE_PARM_DESC(aead_pick,
		 "Key ChaCha20-Poly1305 SAs with its fastest implementation here, timed once on first use, not the highest-priority one (default: Y)");

/* What timing each AEAD's implementations found: debugfs moat/aead. */
static struct moat_aead_pick moat_aead_picks[ARRAY_SIZE(moat_aead_algs)];
static DEFINE_MUTEX(moat_aead_pick_lock);

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

/* @name keyed with @key (salt included) for ESP: its ICV and IV sizes. */
static struct crypto_aead *moat_aead_keyed(const char *name, const u8 *key,
					   unsigned int len)
{
	struct crypto_aead *tfm;
	int ret;

	tfm = crypto_alloc_aead(name, 0, 0);
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

/* The bytes the timing runs seal: an AAD with its IV, then a packet. */
#define MOAT_PICK_AD_LEN	(MOAT_ESP_HDR_LEN + MOAT_ESP_IV_LEN)
#define MOAT_PICK_LEN		1420
#define MOAT_PICK_BUF_LEN	(MOAT_PICK_AD_LEN + MOAT_PICK_LEN + \
				 MOAT_ESP_ICV_LEN)
#define MOAT_PICK_ROUNDS	5
#define MOAT_PICK_OPS		8

static void moat_pick_fill(u8 *buf, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = i * 7 + 1;
}

/*
 * Seal one fixed packet with @name, check the result against @ref (or
 * record it there when @ref_set is false), then take the best of a few
 * rounds of sealing in place. Returns ns per packet or a negative errno;
 * -EBADMSG when the output differs from the reference.
 */
static s64 moat_pick_time(const char *name, unsigned int key_len, u8 *buf,
			  u8 *ref, bool ref_set, char *driver)
{
	u8 key[MOAT_AEAD_MAX_KEY_LEN], iv[MOAT_ESP_IV_LEN];
	DECLARE_CRYPTO_WAIT(wait);
	struct aead_request *req;
	struct crypto_aead *tfm;
	struct scatterlist sg;
	u64 t0, best = U64_MAX;
	s64 ret;
	int i, r;

	moat_pick_fill(key, key_len);
	tfm = moat_aead_keyed(name, key, key_len);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	strscpy(driver, crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm)),
		CRYPTO_MAX_ALG_NAME);
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req) {
		ret = -ENOMEM;
		goto out_tfm;
	}
	moat_pick_fill(buf, MOAT_PICK_BUF_LEN);
	memcpy(iv, buf + MOAT_ESP_HDR_LEN, sizeof(iv));
	sg_init_one(&sg, buf, MOAT_PICK_BUF_LEN);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_crypt(req, &sg, &sg, MOAT_PICK_LEN, iv);
	aead_request_set_ad(req, MOAT_PICK_AD_LEN);
	ret = crypto_wait_req(crypto_aead_encrypt(req), &wait);
	if (ret)
		goto out_req;
	if (!ref_set) {
		memcpy(ref, buf, MOAT_PICK_BUF_LEN);
	} else if (memcmp(ref, buf, MOAT_PICK_BUF_LEN)) {
		ret = -EBADMSG;
		goto out_req;
	}
	for (r = 0; r < MOAT_PICK_ROUNDS; r++) {
		t0 = local_clock();
		for (i = 0; i < MOAT_PICK_OPS && !ret; i++)
			ret = crypto_wait_req(crypto_aead_encrypt(req), &wait);
		if (ret)
			goto out_req;
		best = min(best, local_clock() - t0);
	}
	ret = div_u64(best, MOAT_PICK_OPS);
out_req:
	aead_request_free(req);
out_tfm:
	crypto_free_aead(tfm);
	return ret;
}

/**
 * moat_aead_time - time the implementations of one AEAD
 * @name: the reference spelling, the kernel's own choice
 * @impls: other spellings to race against it, NULL-terminated
 * @key_len: key and salt bytes for all of them
 * @pick: where the figures and the winner go
 *
 * Every implementation seals the same packet first; one whose output
 * differs from the reference's is refused, whatever its speed.
 *
 * Return: 0, or the reference's errno (then nothing was picked); -EINVAL
 * for a key longer than any AEAD's.
 */
int moat_aead_time(const char *name, const char *const *impls,
		   unsigned int key_len, struct moat_aead_pick *pick)
{
	u8 *buf, *ref;
	s64 ns;
	int i;

	memset(pick, 0, sizeof(*pick));
	if (key_len > MOAT_AEAD_MAX_KEY_LEN)
		return -EINVAL;
	buf = kmalloc(2 * MOAT_PICK_BUF_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ref = buf + MOAT_PICK_BUF_LEN;
	for (i = 0; i < MOAT_AEAD_MAX_IMPLS; i++) {
		const char *n = i ? impls[i - 1] : name;

		if (!n)
			break;
		pick->name[i] = n;
		ns = moat_pick_time(n, key_len, buf, ref, i, pick->driver[i]);
		pick->ns[i] = ns;
		if (!i && ns < 0)
			break;
		if (ns == -EBADMSG)
			pr_warn("moat: %s seals differently from %s: not used\n",
				pick->driver[i], pick->driver[0]);
		if (ns >= 0 && ns < pick->ns[pick->best])
			pick->best = i;
	}
	kfree(buf);
	return pick->ns[0] < 0 ? pick->ns[0] : 0;
}

/* The spelling to key @alg's SAs with; the first call times them. */
static const char *moat_aead_impl(const struct moat_aead_alg *alg)
{
	struct moat_aead_pick *pick = &moat_aead_picks[alg - moat_aead_algs];
	const char *name = alg->name;

	if (!alg->impls || !READ_ONCE(aead_pick))
		return name;
	mutex_lock(&moat_aead_pick_lock);
	if (!pick->done &&
	    !moat_aead_time(alg->name, alg->impls,
			    alg->key_lens[0] + alg->salt_len, pick)) {
		pick->done = true;
		if (pick->best)
			pr_info("moat: %s: %s seals %u bytes in %lld ns, %s in %lld\n",
				alg->name, pick->driver[pick->best],
				MOAT_PICK_LEN, pick->ns[pick->best],
				pick->driver[0], pick->ns[0]);
	}
	if (pick->done)
		name = pick->name[pick->best];
	mutex_unlock(&moat_aead_pick_lock);
	return name;
}

struct crypto_aead *moat_aead_new(const struct moat_aead_alg *alg,
				  const u8 *key, unsigned int len)
{
	const char *name = moat_aead_impl(alg);
	struct crypto_aead *tfm = moat_aead_keyed(name, key, len);

	/* The pick's module may have been unloaded and be gone since. */
	if (IS_ERR(tfm) && name != alg->name)
		tfm = moat_aead_keyed(alg->name, key, len);
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

/*
 * One line per implementation timed: the AEAD, the driver, ns to seal a
 * 1420-byte packet (or the errno that ruled it out) and a * on the one
 * SAs are keyed with.
 */
static int moat_aead_show(struct seq_file *m, void *v)
{
	int a, i;

	mutex_lock(&moat_aead_pick_lock);
	for (a = 0; a < ARRAY_SIZE(moat_aead_algs); a++) {
		struct moat_aead_pick *pick = &moat_aead_picks[a];

		for (i = 0; pick->done && i < MOAT_AEAD_MAX_IMPLS; i++) {
			if (!pick->name[i])
				break;
			seq_printf(m, "%s %s %lld%s\n", moat_aead_algs[a].name,
				   pick->driver[i][0] ? pick->driver[i] :
				   pick->name[i], pick->ns[i],
				   i == pick->best ? " *" : "");
		}
	}
	mutex_unlock(&moat_aead_pick_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(moat_aead);

void moat_aead_debugfs(struct dentry *dir)
{
	debugfs_create_file("aead", 0400, dir, NULL, &moat_aead_fops);
}
