/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An established IKE SA's exchanges (RFC 7296 §1.3, §1.4), in memory like
 * IKE_SA_INIT and IKE_AUTH: CREATE_CHILD_SA (a new Child SA, a Child SA
 * rekey, an IKE SA rekey) and INFORMATIONAL (Delete, liveness).
 *
 * Either end may start a request; each end numbers its own requests
 * (window size 1: one outstanding request per end) and answers the
 * peer's in order; a retransmitted request gets the cached answer.
 * Every ike_*() starter below fills @out with the request to send, or
 * returns -1 (a request is outstanding, the SA is not established, no
 * such Child SA) with nothing changed. Responses arrive through
 * ike_recv(), which may put a follow-up request in its @out (the Delete
 * of a replaced or redundant SA).
 *
 * Child SAs live in a table (the one IKE_AUTH made, sa->child, is copied
 * into it on first use; later changes are in the table only). What the
 * kernel must do is logged, in order, as child ops:
 * INSTALL (look the SA up with ike_child_find) or DELETE (the SPIs). A
 * rekey always logs the new SA's INSTALL before the old one's DELETE, and
 * the old one is deleted only when the peer has answered its Delete.
 *
 * §2.8 collisions: simultaneous Child SA rekeys of the same SA make two
 * new SAs; the one whose exchange has the lowest nonce is deleted by the
 * end that initiated it, and the other end's initiator deletes the old
 * SA. Simultaneous IKE SA rekeys: the same rule for the two new IKE SAs.
 * A rekey of a Child SA being deleted is refused with TEMPORARY_FAILURE,
 * of an unknown one with CHILD_SA_NOT_FOUND (§2.25.1). §2.25.2: any
 * CREATE_CHILD_SA request to an IKE SA being closed or rekeyed, and an
 * IKE SA rekey while our own Child SA exchange (new, rekey or Delete) is
 * outstanding, get TEMPORARY_FAILURE; a Delete of the IKE SA wins over
 * our own rekey.
 */
#ifndef MOATD_EXCHANGE_EST_H
#define MOATD_EXCHANGE_EST_H

#include "ike_sa.h"

#define EST_CHILDREN_MAX 8
#define EST_OPS_MAX 32

enum {
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_REKEY_SA = 16393,
};

enum child_op_kind { CHILD_OP_INSTALL = 1, CHILD_OP_DELETE = 2 };

/* One step for the kernel: SPIs in host order; replaces: 0 or spi_in. */
struct child_op {
	enum child_op_kind kind;
	uint32_t spi_in, spi_out;
	uint32_t replaces;	/* INSTALL: the old SA this one replaces */
};

struct est_child {
	bool used;
	bool deleting;		/* our Delete for it is outstanding */
	bool ours;		/* we initiated the exchange that made it */
	uint32_t replaces;	/* spi_in of the SA it rekeyed, or 0 */
	uint8_t min_nonce[IKE_NONCE_MAX];	/* §2.8.1 */
	size_t min_nonce_len;
	struct ike_proposal esp;
	struct child_sa c;
};

enum est_pend {
	PEND_NONE, PEND_CHILD, PEND_REKEY, PEND_IKE_REKEY, PEND_DELETE,
	PEND_DELETE_IKE, PEND_DPD,
};

struct est_pending {
	enum est_pend kind;
	uint32_t old_spi;		/* PEND_REKEY, PEND_DELETE: spi_in */
	uint32_t new_spi;		/* our new inbound ESP SPI */
	uint8_t new_ike_spi[IKE_SPI_LEN];	/* PEND_IKE_REKEY */
	uint8_t nonce[IKESA_NONCE_LEN];
	struct dh_key *dh;
	uint16_t group;
};

struct ikesa_est {
	struct est_child child[EST_CHILDREN_MAX];
	struct est_pending pend;
	struct child_op ops[EST_OPS_MAX];
	size_t n_ops;
	bool ops_overflow;	/* an op was lost: resync with the kernel */
	/* IKE SA rekey: the new SA (the caller takes it with ike_successor)
	 * and its exchange's lowest nonce, for §2.8.2. */
	struct ikesa *successor;
	uint8_t succ_nonce[IKE_NONCE_MAX];
	size_t succ_nonce_len;
	struct ikesa *redundant;	/* §2.8.2: the loser of a collision */
};

/* Starters (see above); 0 or -1. */
int ike_create_child(struct ikesa *sa, struct ike_out *out);
int ike_rekey_child(struct ikesa *sa, uint32_t spi_in, struct ike_out *out);
int ike_rekey_ike(struct ikesa *sa, struct ike_out *out);
int ike_delete_child(struct ikesa *sa, uint32_t spi_in, struct ike_out *out);
int ike_delete_ike(struct ikesa *sa, struct ike_out *out);
/* An empty INFORMATIONAL request (liveness, DPD). */
int ike_dpd(struct ikesa *sa, struct ike_out *out);

/* The Child SA with our inbound SPI @spi_in, or NULL. */
const struct child_sa *ike_child_find(struct ikesa *sa, uint32_t spi_in);
/* How many Child SAs the SA has (deleting ones included). */
size_t ike_child_count(struct ikesa *sa);
/* The oldest @cap (at most) logged ops, taken off the log. */
size_t ike_child_ops_take(struct ikesa *sa, struct child_op *ops,
			  size_t cap);
/* After an IKE SA rekey: the new SA, now the caller's; NULL if none. */
struct ikesa *ike_successor_take(struct ikesa *sa);
/*
 * §2.8.2: the redundant new IKE SA of a simultaneous rekey, now the
 * caller's; it lives until its Delete is answered (state IKESA_DEAD).
 */
struct ikesa *ike_redundant_take(struct ikesa *sa);
/* Whether a request of ours is outstanding. */
bool ike_busy(const struct ikesa *sa);

/* Internal: exchange_info.c */
struct ikesa_est *est_get(struct ikesa *sa);
int est_recv(struct ikesa *sa, const uint8_t *msg, size_t len,
	     const struct ike_hdr *h, struct ike_out *out);
void est_op(struct ikesa *sa, enum child_op_kind k, const struct est_child *c);
struct est_child *est_child_by_in(struct ikesa_est *e, uint32_t spi);
struct est_child *est_child_by_out(struct ikesa_est *e, uint32_t spi);
struct est_child *est_child_slot(struct ikesa_est *e);
void est_child_drop(struct ikesa *sa, struct est_child *c);
/* Seals a request of ours with @w, remembers it; 0 or -1. */
int est_send(struct ikesa *sa, uint8_t exch, const struct ike_writer *w,
	     struct ike_out *out);
/* A Delete of the IKE SA, whatever its state (no request pending). */
int est_delete_ike_send(struct ikesa *sa, struct ike_out *out);
int est_delete_request(struct ikesa *sa, const uint32_t *spis, size_t n,
		       struct ike_out *out);
/* exchange_child.c */
int child_on_request(struct ikesa *sa, const uint8_t *msg, size_t len,
		     const struct ike_hdr *h, struct ike_out *out);
int child_on_response(struct ikesa *sa, const uint8_t *msg, size_t len,
		      struct ike_out *out);
/* Lower of two nonces; -1, 0, 1 like memcmp. */
int est_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl);
void est_pend_clear(struct ikesa_est *e);
/* exchange_rekey.c: the IKE SA rekey (§1.3.2, §2.18). */
/* A CREATE_CHILD_SA message's contents, pointing into plain. */
struct cc_in {
	uint8_t plain[IKE_MSG_MAX];
	struct ike_chain c;
	struct ike_sa props;
	struct ike_ke ke;
	const uint8_t *nonce;
	size_t nonce_len;
	struct ike_ts_list tsi, tsr;
	bool has_sa, has_ke, has_tsi, has_tsr, rekey, transport;
	uint32_t rekey_spi;		/* the sender's inbound SPI */
	uint16_t error;			/* the first error Notify */
};
/* Initiator: SA, Ni, KEi into @w, pending state set; 0 or -1. */
int rekey_ike_request(struct ikesa *sa, struct ike_writer *w);
/* Responder: the answer into @w and the new SA; 0 or the Notify. */
uint16_t rekey_ike_answer(struct ikesa *sa, const struct cc_in *in,
			  struct ike_writer *w, uint16_t *want_group);
int rekey_ike_response(struct ikesa *sa, const struct cc_in *in,
		       struct ike_out *out);
void est_children_move(struct ikesa *from, struct ikesa *to);

#endif
