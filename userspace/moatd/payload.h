/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKEv2 message codec (RFC 7296 §3, RFC 7383 §2.5, RFC 7619, RFC 8019).
 *
 * Parsing never copies payload bodies: the chain parser splits a message
 * into (type, critical bit, body, length) entries pointing into the
 * caller's buffer, and the typed decoders read one body each. Every length
 * is checked against what is left before it is used. Building goes through
 * a bounded writer that chains Next Payload fields and fills in lengths.
 */
#ifndef MOATD_PAYLOAD_H
#define MOATD_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define IKE_HDR_LEN 28
#define IKE_GEN_HDR_LEN 4
#define IKE_SPI_LEN 8
#define IKE_MAX_PAYLOADS 32	/* a longer chain is refused */
#define IKE_MAX_PROPOSALS 16
#define IKE_MAX_TRANSFORMS 24	/* per proposal */
#define IKE_MAX_TS 16		/* per TSi/TSr payload */
#define IKE_NONCE_MIN 16
#define IKE_NONCE_MAX 256

enum ike_exchange {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
	IKE_SESSION_RESUME = 38,	/* RFC 5723 */
};

#define IKE_FLAG_I 0x08		/* sent by the original initiator */
#define IKE_FLAG_V 0x10		/* higher version supported */
#define IKE_FLAG_R 0x20		/* response */

enum ike_pl_type {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33,
	IKE_PL_KE = 34,
	IKE_PL_IDI = 35,
	IKE_PL_IDR = 36,
	IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38,
	IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40,
	IKE_PL_NOTIFY = 41,
	IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43,
	IKE_PL_TSI = 44,
	IKE_PL_TSR = 45,
	IKE_PL_SK = 46,
	IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
	IKE_PL_SKF = 53,	/* RFC 7383 */
	IKE_PL_PS = 54,		/* Puzzle Solution, RFC 8019 */
};

enum ike_proto { IKE_PROTO_IKE = 1, IKE_PROTO_AH = 2, IKE_PROTO_ESP = 3 };

enum ike_transform_type {
	IKE_TR_ENCR = 1,
	IKE_TR_PRF = 2,
	IKE_TR_INTEG = 3,
	IKE_TR_DH = 4,
	IKE_TR_ESN = 5,
};

#define IKE_ATTR_KEY_LENGTH 14

enum ike_id_type {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_KEY_ID = 11,
	IKE_ID_NULL = 13,	/* RFC 7619 */
};

enum ike_auth_method {
	IKE_AUTH_RSA = 1,
	IKE_AUTH_PSK = 2,
	IKE_AUTH_DSS = 3,
	IKE_AUTH_NULL = 13,	/* RFC 7619 */
	IKE_AUTH_DIGSIG = 14,	/* RFC 7427 */
};

enum ike_ts_type { IKE_TS_IPV4_RANGE = 7, IKE_TS_IPV6_RANGE = 8 };

/* Parse results; IKE_OK is 0, every error is negative. */
enum ike_perr {
	IKE_OK = 0,
	IKE_E_SHORT = -1,	/* a field or payload runs past the data */
	IKE_E_LENGTH = -2,	/* a length field is inconsistent */
	IKE_E_VERSION = -3,	/* major version is not 2 */
	IKE_E_EXCHANGE = -4,	/* exchange type not one of 34..38 */
	IKE_E_TOOMANY = -5,	/* more payloads/proposals/... than the cap */
	IKE_E_CRITICAL = -6,	/* unknown payload with the critical bit */
	IKE_E_SYNTAX = -7,	/* a field holds a value it must not */
	IKE_E_SPACE = -8,	/* the writer's buffer is full */
};

const char *ike_strerror(int err);

struct ike_hdr {
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint8_t next, major, minor, exchange, flags;
	uint32_t msg_id, length;
};

struct ike_payload {
	uint8_t type;
	uint8_t critical;
	uint8_t inner;		/* SK/SKF: type of the first inner payload */
	const uint8_t *body;	/* into the parsed buffer, after the 4 octets */
	size_t len;		/* of the body */
};

struct ike_chain {
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	size_t n;
	uint8_t unsupported;	/* first unknown critical type, 0 if none */
};

struct ike_msg {
	struct ike_hdr hdr;
	struct ike_chain chain;
};

/* payload.c: header and chain. */
int ike_parse_hdr(const uint8_t *buf, size_t len, struct ike_hdr *h);
/*
 * Splits len octets into payloads, the first of type first. SK/SKF must be
 * the last payload; nothing may follow the chain. Returns IKE_E_CRITICAL
 * (with c filled and c->unsupported set) when an unknown payload has the
 * critical bit, so the caller can answer UNSUPPORTED_CRITICAL_PAYLOAD.
 */
int ike_parse_chain(uint8_t first, const uint8_t *buf, size_t len,
		    struct ike_chain *c);
/* The same for decrypted SK contents: SK and SKF are refused there. */
int ike_parse_inner(uint8_t first, const uint8_t *buf, size_t len,
		    struct ike_chain *c);
/* Header, then the chain; len is the whole UDP payload. */
int ike_parse_msg(const uint8_t *buf, size_t len, struct ike_msg *m);
int ike_pl_known(uint8_t type);
/* The idx-th (0-based) payload of type, or NULL. */
const struct ike_payload *ike_chain_find(const struct ike_chain *c,
					 uint8_t type, size_t idx);

/* Typed payloads. Pointers point into the parsed (or caller's) buffer. */
struct ike_transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;	/* Key Length attribute, 0 when absent */
	uint8_t unknown_attr;	/* an attribute other than Key Length */
};

struct ike_proposal {
	uint8_t num, proto, spi_size, n_tr;
	uint8_t spi[IKE_SPI_LEN];
	struct ike_transform tr[IKE_MAX_TRANSFORMS];
};

struct ike_sa {
	size_t n;
	struct ike_proposal prop[IKE_MAX_PROPOSALS];
};

struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ike_id {
	uint8_t type;
	const uint8_t *data;
	size_t len;
};

struct ike_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

struct ike_notify {
	uint8_t proto, spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};

struct ike_delete {
	uint8_t proto, spi_size;
	uint16_t n_spi;
	const uint8_t *spis;	/* n_spi * spi_size octets */
};

struct ike_ts {
	uint8_t type, proto;
	uint16_t sport, eport;
	uint8_t start[16], end[16];	/* 4 or 16 octets used */
};

struct ike_ts_list {
	size_t n;
	struct ike_ts ts[IKE_MAX_TS];
};

struct ike_sk {
	const uint8_t *iv, *ct, *icv;
	size_t iv_len, ct_len, icv_len;
};

struct ike_skf {
	uint16_t num, total;
	struct ike_sk sk;
};

/* Decoders: IKE_OK or a negative ike_perr; out is unspecified on error. */
int ike_dec_sa(const uint8_t *b, size_t len, struct ike_sa *out);
int ike_dec_ke(const uint8_t *b, size_t len, struct ike_ke *out);
int ike_dec_id(const uint8_t *b, size_t len, struct ike_id *out);
int ike_dec_auth(const uint8_t *b, size_t len, struct ike_auth *out);
int ike_dec_nonce(const uint8_t *b, size_t len);
int ike_dec_notify(const uint8_t *b, size_t len, struct ike_notify *out);
int ike_dec_delete(const uint8_t *b, size_t len, struct ike_delete *out);
int ike_dec_vendor(const uint8_t *b, size_t len);
int ike_dec_ts(const uint8_t *b, size_t len, struct ike_ts_list *out);
/* Splits an SK body given the AEAD's IV and ICV sizes. */
int ike_dec_sk(const uint8_t *b, size_t len, size_t iv_len, size_t icv_len,
	       struct ike_sk *out);
int ike_dec_skf(const uint8_t *b, size_t len, size_t iv_len,
		size_t icv_len, struct ike_skf *out);
int ike_dec_puzzle(const uint8_t *b, size_t len);

/* A bounded writer; the first error sticks and every later call is a no-op. */
struct ike_writer {
	uint8_t *buf;
	size_t cap, len;
	size_t np_off;		/* where the next payload's type goes */
	int has_hdr;
	int closed;		/* an SK/SKF was written: nothing may follow */
	int err;
	uint8_t first;		/* type of the first payload */
};

/* A writer for a chain without header (the plaintext inside SK). */
void ike_w_init(struct ike_writer *w, uint8_t *buf, size_t cap);
/* A writer for a message: writes h (its next and length are filled in). */
void ike_w_init_msg(struct ike_writer *w, uint8_t *buf, size_t cap,
		    const struct ike_hdr *h);
/* Opens a payload; returns its offset for ike_w_end. */
size_t ike_w_begin(struct ike_writer *w, uint8_t type, int critical);
void ike_w_end(struct ike_writer *w, size_t start);
void ike_w_put(struct ike_writer *w, const void *p, size_t n);
void ike_w_u8(struct ike_writer *w, uint8_t v);
void ike_w_u16(struct ike_writer *w, uint16_t v);
void ike_w_u32(struct ike_writer *w, uint32_t v);
/* Fills in the message length; returns the length or a negative error. */
long ike_w_finish(struct ike_writer *w);

/* Encoders: each appends one whole payload (generic header included). */
void ike_put_sa(struct ike_writer *w, const struct ike_sa *sa);
void ike_put_ke(struct ike_writer *w, const struct ike_ke *ke);
void ike_put_id(struct ike_writer *w, uint8_t pl_type,
		const struct ike_id *id);
void ike_put_auth(struct ike_writer *w, const struct ike_auth *a);
void ike_put_nonce(struct ike_writer *w, const uint8_t *n, size_t len);
void ike_put_notify(struct ike_writer *w, const struct ike_notify *n);
void ike_put_delete(struct ike_writer *w, const struct ike_delete *d);
void ike_put_vendor(struct ike_writer *w, const uint8_t *v, size_t len);
void ike_put_ts(struct ike_writer *w, uint8_t pl_type,
		const struct ike_ts_list *l);
/* SK/SKF close the chain; inner is the first payload type inside. */
void ike_put_sk(struct ike_writer *w, uint8_t inner, const struct ike_sk *sk);
void ike_put_skf(struct ike_writer *w, uint8_t inner,
		 const struct ike_skf *f);
void ike_put_puzzle(struct ike_writer *w, const uint8_t *s, size_t len);

#endif
