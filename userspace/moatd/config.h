/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moatd.conf: a [moatd] section for daemon-wide settings, a [guard]
 * section for the module's IKE guard (config_guard.h) and one [conn NAME]
 * section per connection, parsed with inih. CONFIG.md beside
 * this file documents every key and its default.
 *
 * Loading either succeeds whole or fails with one message naming
 * "file:line" and what is wrong; nothing is guessed. Secrets (psk, ppk)
 * are held in secmem (locked, wiped when freed by moatd_config_free).
 */
#ifndef MOATD_CONFIG_H
#define MOATD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/moat.h>

#include "addr.h"
#include "guard.h"
#include "proposal.h"

#define MOATD_CONF_PATH "/etc/moat/moatd.conf"

#define MOATD_CONN_NAME_MAX 63		/* [A-Za-z0-9._-], 1..63 */
#define MOATD_ID_MAX 255		/* octets of identification data */
#define MOATD_PPK_ID_MAX 64
#define MOATD_SECRET_MAX 1024		/* octets of a psk or ppk */
#define MOATD_CONFIG_MAX_BYTES (1024 * 1024)
#define MOATD_DURATION_MAX (365U * 24 * 3600)	/* seconds */
#define MOATD_FRAGMENT_SIZE_MIN 512	/* fragment-size, octets */
#define MOATD_FRAGMENT_SIZE_MAX 65535

/* Defaults (CONFIG.md lists them all). */
#define MOATD_DEFAULT_DEV "moat0"
#define MOATD_DEFAULT_IKE "aes128gcm16-prfsha256-x25519," \
			  "aes256gcm16-prfsha384-x25519," \
			  "chacha20poly1305-prfsha256-x25519"
#define MOATD_DEFAULT_ESP "aes128gcm16,aes256gcm16,chacha20poly1305"
#define MOATD_DEFAULT_IKE_REKEY_TIME (4 * 3600)
#define MOATD_DEFAULT_REKEY_TIME 3600
#define MOATD_DEFAULT_DPD_DELAY 30
#define MOATD_DEFAULT_KEEPALIVE 20	/* RFC 3948 2.3 */
#define MOATD_DEFAULT_RETRANSMIT_TIMEOUT_MS 4000
#define MOATD_DEFAULT_RETRANSMIT_TRIES 5
#define MOATD_DEFAULT_PUZZLE_BUDGET_MS 1000
#define MOATD_DEFAULT_PUZZLE_MAX_DIFFICULTY 20
#define MOATD_PUZZLE_MAX_DIFFICULTY_LIMIT 64
#define MOATD_DEFAULT_TICKET_LIFETIME (8 * 3600)	/* RFC 5723 tickets */
#define MOATD_TICKET_LIFETIME_MAX (24 * 3600)

/* Identification types (RFC 7296 §3.5; ID_NULL from RFC 7619). */
enum moatd_id_type {
	MOATD_ID_IPV4_ADDR = 1,
	MOATD_ID_FQDN = 2,
	MOATD_ID_RFC822_ADDR = 3,
	MOATD_ID_IPV6_ADDR = 5,
	MOATD_ID_NULL = 13,
};

/* An identity as the ID payload carries it: address octets or text. */
struct moatd_id {
	uint8_t type;			/* enum moatd_id_type */
	uint16_t len;			/* octets in data */
	uint8_t data[MOATD_ID_MAX];	/* not terminated */
};

enum moatd_auth { MOATD_AUTH_PSK, MOATD_AUTH_NULL };
enum moatd_encap { MOATD_ENCAP_AUTO, MOATD_ENCAP_YES, MOATD_ENCAP_NO };
enum moatd_log_level {
	MOATD_LOG_ERROR, MOATD_LOG_WARNING, MOATD_LOG_NOTICE, MOATD_LOG_INFO,
	MOATD_LOG_DEBUG,
};

struct moatd_conn {
	char name[MOATD_CONN_NAME_MAX + 1];
	int line;			/* of its [conn NAME] line */
	char dev[IFNAMSIZ];
	struct moat_addr local;
	struct moat_addr remote;	/* family 0 when remote_any */
	bool remote_any;		/* remote = %any: a responder only */
	struct moatd_id local_id, remote_id;
	enum moatd_auth auth;		/* the `auth` key */
	/* How we prove who we are, and how the peer must (RFC 7619 §2.1:
	 * NULL on one side only); both default to auth. */
	enum moatd_auth local_auth, remote_auth;
	uint8_t *psk;			/* secmem, psk_len octets; or NULL */
	size_t psk_len;
	char ppk_id[MOATD_PPK_ID_MAX + 1];	/* "" when no ppk */
	uint8_t *ppk;			/* secmem, ppk_len octets; or NULL */
	size_t ppk_len;
	bool ppk_required;
	/*
	 * Traffic selectors. local_ts defaults to the local address as a
	 * host prefix, remote_ts to the remote address; with remote = %any
	 * n_remote_ts is 0: the peer's address, learned at run time.
	 */
	struct moat_prefix local_ts[MOAT_TS_MAX];
	struct moat_prefix remote_ts[MOAT_TS_MAX];
	size_t n_local_ts, n_remote_ts;
	struct ike_sa ike, esp;
	uint32_t ike_rekey_time, ike_life_time;	/* seconds; 0 = never */
	uint32_t rekey_time, life_time;		/* Child SA, seconds */
	uint32_t dpd_delay;			/* seconds; 0 = off */
	uint32_t retransmit_timeout_ms, retransmit_tries;
	uint32_t replay_window;			/* packets; 0 = off */
	enum moatd_encap encap;
	uint32_t keepalive;			/* NAT keepalive, s; 0 = off */
	bool fragmentation;
	/* RFC 7383: the largest IP datagram of a sent fragment; 0 = auto */
	uint32_t fragment_size;
	bool start;
	/* RFC 5723: ask for (initiator) and issue (responder) resumption
	 * tickets, valid this many seconds. */
	bool resumption;
	uint32_t resumption_lifetime;
};

struct moatd_config {
	enum moatd_log_level log_level;
	uint32_t puzzle_budget_ms;	/* 0: never solve puzzles */
	uint32_t puzzle_max_difficulty;	/* harder ones: retry without */
	/* [guard]: the settings given (guard.set), for MOAT_CMD_GUARD_SET */
	struct moat_guard_req guard;
	size_t n_conns;
	struct moatd_conn *conns;	/* in file order */
};

/*
 * Opens and parses @path. The file (and every psk-file / ppk-file) must
 * be a regular file owned by root or by us and not writable by group or
 * others; one that holds a secret must not be readable by them either.
 * Returns 0 with *@out set (free it with moatd_config_free), or -1 with
 * "file:line: what" (or "file: what") in @err.
 */
int moatd_config_load(const char *path, struct moatd_config **out,
		      char *err, size_t errlen);

/*
 * Parses @len bytes of @text as if read from a file called @name, without
 * the ownership and mode checks of the file itself (psk-file and ppk-file
 * are still checked). For tests and fuzzing.
 */
int moatd_config_parse(const char *text, size_t len, const char *name,
		       struct moatd_config **out, char *err, size_t errlen);

/* Wipes and frees every secret, then the config; NULL is a no-op. */
void moatd_config_free(struct moatd_config *cfg);

/* The connection called @name, or NULL. */
const struct moatd_conn *moatd_config_find(const struct moatd_config *cfg,
					   const char *name);

/*
 * An identity as strongSwan writes it: an IPv4 or IPv6 address, "@fqdn"
 * (or a bare host name), "user@domain" (or "@@user@domain"), or "%null".
 * 0, or -1 with @err.
 */
int moatd_id_parse(const char *s, struct moatd_id *id, char *err,
		   size_t errlen);
/* Writes @id as moatd_id_parse reads it into @buf; returns @buf. */
const char *moatd_id_format(const struct moatd_id *id, char *buf,
			    size_t len);
int moatd_id_equal(const struct moatd_id *a, const struct moatd_id *b);

#endif
