/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The moatd daemon around the in-memory exchanges: sockets (sock.c), the
 * kernel hand-off (kernel.c), the control socket (ctl.c), a clock
 * (timer.c) and the loop that ties them together (main.c). None of these
 * files is part of the unit or fuzz builds.
 */
#ifndef MOATD_DAEMON_H
#define MOATD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "config.h"
#include "exchange.h"
#include "ike_sa.h"

#define MOATD_CTL_NAME "moatd"		/* abstract: "\0moatd" */
#define MOATD_RUN_DIR "/run/moatd"
#define MOATD_HALF_OPEN_MS 30000
#define IKE_PORT 500
#define IKE_NATT_PORT 4500

#define MOATD_INBOUND_GRACE_MS 1000	/* a replaced inbound SA lingers */
#define MOATD_RETRY_MS 200		/* a rekey or Delete waiting its turn */
#define MOATD_CLOSING_MS 10000		/* a replaced IKE SA waits this long,
					 * and two retransmit timeouts more
					 */
#define DSA_KIDS_MAX 16

/* One Child SA in the kernel, as kernel.c installed it. */
struct kchild {
	bool used;
	bool out_in;		/* its outbound SA is in the kernel */
	bool out_wait;		/* outbound waits for a free slot (§2.8.1) */
	bool in_gone;		/* its inbound SA hard-expired */
	uint32_t spi_in, spi_out;
	uint64_t added_ms;
	uint64_t rekey_ms;	/* when to rekey it; 0: not scheduled */
	uint64_t delete_ms;	/* hard-expired: delete it with the peer */
	unsigned int rekey_tries;
	uint64_t gone_ms;	/* replaced: its inbound SA goes then; 0: live */
	const char *aead;
	unsigned int key_bits;
	bool esn;
};

/* One IKE SA the daemon runs, with its timers and kernel state. */
struct dsa {
	struct dsa *next;
	struct ikesa *sa;
	uint64_t started_ms, est_ms;	/* CLOCK_MONOTONIC */
	uint64_t last_rx_ms;		/* the peer's last authentic message */
	uint64_t deadline_ms;		/* retransmit / expiry; 0: none */
	uint64_t keepalive_ms;		/* next NAT keepalive; 0: none */
	uint64_t ike_rekey_ms, ike_expire_ms;	/* 0: none */
	unsigned int ike_rekey_tries;
	unsigned int tries;
	bool replaced;			/* rekeyed or redundant: on its way out */
	bool installed;			/* the peer is in the kernel */
	/* What was installed (a rekeyed IKE SA hands it to its successor). */
	char dev[IFNAMSIZ];
	struct moat_addr remote;
	struct kchild kids[DSA_KIDS_MAX];
	int waiter;			/* a ctl client waiting on `up`, or -1 */
	/* RFC 8019: solving the responder's puzzle until solve_until_ms. */
	bool solving;
	uint64_t solve_from_ms, solve_until_ms;
	bool half_open;			/* counted in guardd.c */
};

struct daemon {
	const char *conf_path;
	struct moatd_config *cfg;
	struct ike_responder resp;
	struct dsa *sas;
	int epfd;
	int ctl_fd;
	bool foreground;
	volatile int quit, reload;
};

extern struct daemon d;

/* log.c-like helper in main.c: stderr with -f, else syslog. */
void dlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* timer.c */
uint64_t now_ms(void);
/* The epoll timeout until the earliest deadline, -1 for none. */
int timer_next_timeout(void);
/* Runs every SA whose deadline has passed. */
void timer_run(void);

/* sock.c */
int sock_open_all(void);
void sock_close_all(void);
/* Adds each socket to @epfd with its fd as data. */
int sock_watch(int epfd);
bool sock_is_ike(int fd);
/* Reads one datagram from @fd and hands it to daemon_rx. */
void sock_read(int fd);
/* Sends @len octets from ep->local to ep->remote (marker on 4500). */
int sock_send(const struct ike_endpoints *ep, const uint8_t *buf,
	      size_t len);
/* A NAT keepalive (RFC 3948 2.3): one octet 0xff, from port 4500 only. */
int sock_send_keepalive(const struct ike_endpoints *ep);
/* Port 4500 is ours (and the module's) for @family. */
bool sock_have_natt(int family);

/* main.c: the daemon's reactions */
void daemon_rx(const struct ike_endpoints *ep, const uint8_t *msg,
	       size_t len);
void daemon_sa_dead(struct dsa *s, const char *why);
int daemon_up(const char *name, int waiter, char *err, size_t errlen);
int daemon_down(const char *name);
/* Starts a rekey of the conn's newest Child SA, or of its IKE SA. */
int daemon_rekey(const char *name, bool ike, char *err, size_t errlen);
void daemon_retransmit(struct dsa *s);
/* Sends our request @out and waits for its answer. */
void daemon_request_sent(struct dsa *s, const struct ike_out *out);
/* The rekey, delete and expiry timers of @s that are due at @now. */
void daemon_timers(struct dsa *s, uint64_t now);
/* A module event about the SA @spi (direction @dir) of peer @remote. */
void daemon_sa_expire(const char *dev, const struct moat_addr *remote,
		      uint32_t spi, uint8_t dir, uint8_t kind);

/* kernel.c */
int kernel_open(void);
void kernel_close(void);
int kernel_ensure_dev(const char *dev);
/* Hands a bound UDP 4500 socket to the module for ESP in UDP. */
int kernel_hand_socket(int fd);
/*
 * Hands a bound UDP 500 socket to the module's guard (MOAT_SOCK_IKE): IKE
 * stays on it, but the guard may answer or drop IKE_SA_INIT requests.
 */
int kernel_hand_ike_socket(int fd);
/* The peer and IKE_AUTH's Child SA of s->sa; 0 or -1. */
int kernel_install(struct dsa *s);
/* Another Child SA of the peer: inbound, then outbound; 0 or -1. */
int kernel_child_add(struct dsa *s, const struct child_sa *c);
/* Outbound now (the next one takes over), inbound after a grace time. */
void kernel_child_del(struct dsa *s, uint32_t spi_in);
/* Drops inbound SAs whose grace ran out, adds outbound ones let wait. */
void kernel_tick(struct dsa *s, uint64_t now);
/* The installed Child SA with @spi in direction @dir, live ones only. */
struct kchild *kernel_kid(struct dsa *s, uint32_t spi, uint8_t dir);
/* An IKE SA rekey: @to owns what @from installed. */
void kernel_move(struct dsa *from, struct dsa *to);
/* Everything of @s: its Child SAs and its peer. */
void kernel_remove(struct dsa *s);
/* Deletes what a killed moatd left (the state file). */
void kernel_cleanup_leftovers(void);

/* solve.c: RFC 8019 puzzles of the IKE SAs we initiate */
/* After an answer: starts solving the puzzle it asked, if any. */
void solve_begin(struct dsa *s);
/* Whether a puzzle waits (the loop must not sleep). */
bool solve_pending(void);
/* A slice of work on each puzzle; sends the requests that are ready. */
void solve_run(void);

/* ctl.c */
int ctl_open(void);
void ctl_accept(void);
/* Answers a waiting `up` client and closes it. */
void ctl_reply(int fd, const char *line);

/* events.c: the module's SA expiry events */
int events_open(void);
void events_close(void);
bool events_fd(int fd);
void events_read(void);

#endif
