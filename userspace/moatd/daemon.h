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

/* One IKE SA the daemon runs, with its timers and kernel state. */
struct dsa {
	struct dsa *next;
	struct ikesa *sa;
	uint64_t started_ms, est_ms;	/* CLOCK_MONOTONIC */
	uint64_t last_rx_ms;		/* the peer's last authentic message */
	uint64_t deadline_ms;		/* retransmit / expiry; 0: none */
	uint64_t keepalive_ms;		/* next NAT keepalive; 0: none */
	unsigned int tries;
	bool installed;			/* peer and SAs are in the kernel */
	/* What was installed (the SA may move its Child SA elsewhere). */
	char dev[IFNAMSIZ];
	struct moat_addr remote;
	uint32_t spi_in, spi_out;
	const char *aead;
	unsigned int key_bits;
	bool esn;
	int waiter;			/* a ctl client waiting on `up`, or -1 */
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
void daemon_retransmit(struct dsa *s);

/* kernel.c */
int kernel_open(void);
void kernel_close(void);
int kernel_ensure_dev(const char *dev);
/* Hands a bound UDP 4500 socket to the module for ESP in UDP. */
int kernel_hand_socket(int fd);
int kernel_install(struct dsa *s);
void kernel_remove(struct dsa *s);
/* Deletes what a killed moatd left (the state file). */
void kernel_cleanup_leftovers(void);

/* ctl.c */
int ctl_open(void);
void ctl_accept(void);
/* Answers a waiting `up` client and closes it. */
void ctl_reply(int fd, const char *line);

#endif
