/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builders for the peer and SA requests: the attribute layout of
 * include/uapi/linux/moat.h in one place, apart from the command line, so
 * the tests can take a built request apart and check every attribute.
 * Each returns 0, or -1 when the message has no room left.
 */
#ifndef MOAT_REQ_H
#define MOAT_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "moatnl.h"
#include "parse.h"

/*
 * Room for a peer with MOAT_TS_MAX IPv6 selectors (36 bytes each) and
 * everything else; libnl's default message is one page.
 */
#define MOAT_PEER_MSG_SIZE 16384

struct moat_peer_req {
	struct moat_addr remote;
	struct moat_addr local;		/* family 0: not given */
	uint8_t encap;			/* enum moat_encap */
	uint16_t sport, dport;		/* sent only with MOAT_ENCAP_UDP */
	const struct moat_prefix *ts;
	size_t n_ts;
};

struct moat_sa_req {
	uint32_t spi;
	uint8_t dir;			/* enum moat_dir */
	const char *alg;
	const uint8_t *key;
	size_t keylen;
	uint32_t icv_bits;
	uint32_t flags;			/* MOAT_SA_F_* */
	int have_window;		/* else the kernel's default */
	uint32_t window;
	struct moat_lifetime lt;	/* only the limits given are sent */
};

/* Puts @a as @attr4 or @attr6, by its family. */
int req_put_addr(struct nl_msg *msg, int attr4, int attr6,
		 const struct moat_addr *a);
/* MOAT_A_PEER { REMOTE4|6 }: names a peer (SA requests, del, filters). */
int req_put_peer_remote(struct nl_msg *msg, const struct moat_addr *remote);
/* MOAT_A_PEER for MOAT_CMD_PEER_NEW: remote, local, encap, ports, ts. */
int req_put_peer(struct nl_msg *msg, const struct moat_peer_req *r);
/* MOAT_A_SA for MOAT_CMD_SA_NEW. */
int req_put_sa(struct nl_msg *msg, const struct moat_sa_req *r);
/* MOAT_A_SA { SPI, DIR }: names an SA (MOAT_CMD_SA_DEL). */
int req_put_sa_id(struct nl_msg *msg, uint32_t spi, uint8_t dir);

/*
 * MOAT_A_SOCK_FD for MOAT_CMD_SOCK_SET: hands the UDP socket @fd (bound,
 * IPv6 ones V6ONLY) to the module for ESP in UDP in our namespace.
 */
int req_put_sock_fd(struct nl_msg *msg, int fd);
/*
 * MOAT_A_SOCK_KIND (enum moat_sock_kind) with MOAT_A_SOCK_FD: MOAT_SOCK_IKE
 * for a socket that carries IKE alone (port 500); left out, the socket is
 * MOAT_SOCK_ESP_IN_UDP.
 */
int req_put_sock_kind(struct nl_msg *msg, uint8_t kind);

/* Zeroes everything the message holds (keys), then frees it. */
void req_free_wiped(struct nl_msg *msg);

#endif
