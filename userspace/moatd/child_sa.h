/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A negotiated Child SA (ESP, tunnel mode) as the kernel hand-off needs
 * it: what `moat sa add` takes for each direction, and the narrowed traffic
 * selectors for `moat peer add ... ts`. KEYMAT = prf+(SK_d, Ni | Nr) is
 * split as RFC 7296 §2.17 orders it: the initiator-to-responder key (with
 * its 4-octet salt) first, then the responder-to-initiator one.
 */
#ifndef MOATD_CHILD_SA_H
#define MOATD_CHILD_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "payload.h"

#define CHILD_ICV_BITS 128

struct child_sa {
	uint32_t spi_in, spi_out;	/* host order; spi_in is ours */
	int encr;			/* IKE_ENCR_* */
	unsigned int key_bits;		/* 128 or 256 */
	const char *aead;		/* the kernel's algorithm name */
	unsigned int icv_bits;
	bool esn;
	bool tunnel;			/* always: transport mode is refused */
	size_t keymat_len;		/* key and salt, per direction */
	uint8_t *key_in, *key_out;	/* secmem, keymat_len octets */
	struct ike_ts_list ts_local, ts_remote;	/* after narrowing */
};

/* What one side knows when the Child SA is agreed. */
struct child_sa_params {
	bool initiator;
	const struct ike_proposal *esp;	/* the chosen proposal */
	int prf;
	const uint8_t *sk_d;
	size_t sk_d_len;
	struct ike_chunk ni, nr;
	uint32_t spi_in, spi_out;
	const struct ike_ts_list *ts_local, *ts_remote;
	const struct ike_chunk *gir;	/* PFS (CREATE_CHILD_SA), or NULL */
};

/* "rfc4106(gcm(aes))" or "rfc7539esp(chacha20,poly1305)"; NULL if neither. */
const char *child_sa_aead_name(int encr);
/* Fills @c (keys in secmem); 0, or -1 with @c empty. */
int child_sa_derive(struct child_sa *c, const struct child_sa_params *p);
/* Wipes the keys; @c is left empty. */
void child_sa_free(struct child_sa *c);

#endif
