// SPDX-License-Identifier: GPL-2.0
/*
 * moat-ikeload: an IKEv2 load generator for the handshake-rate benchmark
 * (tests/bench/handshake.sh). It is the initiator side of moatd's own
 * exchanges (exchange.h), driven over UDP against any responder: moatd,
 * strongSwan, anything that speaks PSK with the given identities.
 *
 *   moat-ikeload -r RESPONDER -s FIRST_SOURCE [-n IN_FLIGHT] [-d SECONDS]
 *		  [-w WARMUP] [-T RETRANSMIT_MS] [-R TRIES] [-k PSK]
 *		  [-i LOCAL_ID] [-I REMOTE_ID] [-o IKE] [-e ESP]
 *
 * It keeps IN_FLIGHT (default 16) handshakes going, each from its own
 * IPv4 source address (FIRST_SOURCE, FIRST_SOURCE + 1, ...) bound to UDP
 * port 500, so that no NAT is detected and every handshake is a distinct
 * peer; each slot starts its next handshake as soon as one ends. A
 * handshake is IKE_SA_INIT then IKE_AUTH with a Child SA; it completes
 * when the IKE_AUTH answer authenticates the responder and agrees a Child
 * SA, and fails when the responder refuses it or stays silent through
 * TRIES retransmissions (default 3, RETRANSMIT_MS apart, default 2000). A
 * completed IKE SA is forgotten without a Delete. The sources must be
 * local addresses: `ip route add local 10.77.0.0/16 dev lo` makes a whole
 * range local at once.
 *
 * After WARMUP seconds (default 2) it counts the handshakes completed in
 * the next SECONDS (default 10), then prints them as a human line and a
 * "ikeload:" key=value line for scripts: rate, completed, failed (over
 * the whole run), the failures by reason, the answers the exchanges
 * dropped (malformed, unexpected, not authentic), the median and 90th percentile
 * latency, and its own CPU use (near 1.00: the generator, not the
 * responder, may be the limit). Exits 0 after a run, 1 when it cannot
 * start, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "exchange.h"
#include "ike_sa.h"

#define IKE_PORT 500
#define SLOTS_MAX 4096
#define REASONS_MAX 16
#define LAT_MAX (1 << 20)

struct opts {
	const char *resp, *src, *psk, *lid, *rid, *ike, *esp;
	unsigned int slots, secs, warm, rtx_ms, tries;
};

/* One handshake at a time from one source address. */
struct slot {
	int fd;
	struct moatd_conn conn;	/* the shared conn with our local and TS */
	struct ike_endpoints ep;
	struct ikesa *sa;
	uint64_t start_ms, deadline_ms;
	unsigned int tries;
};

struct reason {
	char name[40];
	unsigned long n;
};

struct stats {
	uint64_t win_start, win_end;	/* the measured window, ms */
	unsigned long completed, failed;
	unsigned long dropped;		/* answers the exchanges did not take */
	struct reason why[REASONS_MAX];
	unsigned int n_why;
	uint32_t *lat;			/* ms, of handshakes in the window */
	size_t n_lat;
};

static struct stats st;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double cpu_secs(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void count_failure(const char *why)
{
	unsigned int i;

	st.failed++;
	for (i = 0; i < st.n_why; i++)
		if (!strcmp(st.why[i].name, why))
			break;
	if (i == st.n_why) {
		if (st.n_why == REASONS_MAX)
			i = REASONS_MAX - 1;	/* lumped with the last */
		else
			snprintf(st.why[st.n_why++].name,
				 sizeof(st.why[0].name), "%s", why);
	}
	st.why[i].n++;
}

static void count_success(uint64_t start, uint64_t now)
{
	if (now < st.win_start || now >= st.win_end)
		return;
	st.completed++;
	if (st.n_lat < LAT_MAX)
		st.lat[st.n_lat++] = (uint32_t)(now - start);
}

static const char *notify_name(uint16_t n)
{
	static char buf[24];
	const char *name = ike_notify_name(n);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "notify-%u", n);
	return buf;
}

static void send_msg(struct slot *s, const uint8_t *buf, size_t len)
{
	if (send(s->fd, buf, len, MSG_DONTWAIT) < 0)
		count_failure("send-error");
}

/* Starts the slot's next handshake. */
static void slot_start(struct slot *s, const struct opts *o, uint64_t now)
{
	static struct ike_out out;

	s->sa = ike_initiate(&s->conn, &s->ep, &out);
	if (!s->sa) {
		count_failure("initiate");
		s->deadline_ms = now + 1000;	/* try again later */
		return;
	}
	send_msg(s, out.buf, out.len);
	s->start_ms = now;
	s->tries = 0;
	s->deadline_ms = now + o->rtx_ms;
}

/* Ends the slot's handshake (@why NULL: completed) and starts the next. */
static void slot_end(struct slot *s, const struct opts *o, const char *why,
		     uint64_t now)
{
	if (why)
		count_failure(why);
	else
		count_success(s->start_ms, now);
	ikesa_free(s->sa);
	s->sa = NULL;
	slot_start(s, o, now);
}

static void slot_after_rx(struct slot *s, const struct opts *o, uint64_t now)
{
	struct ikesa *sa = s->sa;

	if (sa->state == IKESA_DEAD)
		slot_end(s, o, notify_name(sa->error), now);
	else if (sa->state == IKESA_ESTABLISHED && sa->child_error)
		slot_end(s, o, notify_name(sa->child_error), now);
	else if (sa->state == IKESA_ESTABLISHED && !sa->have_child)
		slot_end(s, o, "no-child-sa", now);
	else if (sa->state == IKESA_ESTABLISHED)
		slot_end(s, o, NULL, now);
}

static void slot_rx(struct slot *s, const struct opts *o)
{
	static uint8_t buf[IKE_MSG_MAX];
	static struct ike_out out;
	ssize_t n;
	uint64_t now;

	while ((n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (!s->sa)
			continue;
		out.len = 0;
		if (ike_recv(s->sa, buf, (size_t)n, &out) != IKE_RX_OK) {
			st.dropped++;
			continue;
		}
		now = now_ms();
		if (out.len) {	/* the next request: IKE_AUTH, or a retry */
			send_msg(s, out.buf, out.len);
			s->tries = 0;
			s->deadline_ms = now + o->rtx_ms;
		}
		slot_after_rx(s, o, now);
	}
}

static void slot_timer(struct slot *s, const struct opts *o, uint64_t now)
{
	if (now < s->deadline_ms)
		return;
	if (!s->sa) {
		slot_start(s, o, now);
		return;
	}
	if (s->tries >= o->tries) {
		slot_end(s, o, s->sa->state == IKESA_INIT_SENT ?
			 "timeout-ike_sa_init" : "timeout-ike_auth", now);
		return;
	}
	s->tries++;
	send_msg(s, s->sa->last_req.p, s->sa->last_req.len);
	s->deadline_ms = now + o->rtx_ms;
}

/* A socket bound to @src port 500 and connected to @dst port 500. */
static int slot_socket(struct in_addr src, struct in_addr dst)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(IKE_PORT) };
	char txt[INET_ADDRSTRLEN];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr = src;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "moat-ikeload: bind %s:%u: %s (is it local?)\n",
			inet_ntop(AF_INET, &src, txt, sizeof(txt)), IKE_PORT,
			strerror(errno));
		close(fd);
		return -1;
	}
	a.sin_addr = dst;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("moat-ikeload: connect");
		close(fd);
		return -1;
	}
	return fd;
}

/* The one conn every slot copies (with its own local address and TS). */
static struct moatd_config *base_config(const struct opts *o)
{
	struct moatd_config *cfg;
	char text[2048], err[256];

	snprintf(text, sizeof(text),
		 "[conn load]\nlocal = %s\nremote = %s\nlocal-id = %s\n"
		 "remote-id = %s\npsk = \"%s\"\nike = %s\nesp = %s\n"
		 "local-ts = %s/32\nremote-ts = %s/32\n",
		 o->src, o->resp, o->lid, o->rid, o->psk, o->ike, o->esp,
		 o->src, o->resp);
	if (moatd_config_parse(text, strlen(text), "moat-ikeload", &cfg, err,
			       sizeof(err))) {
		fprintf(stderr, "moat-ikeload: %s\n", err);
		return NULL;
	}
	return cfg;
}

/*
 * Slot @i: source address src + i. The conn is a copy of the base one
 * that shares its secret (the base config outlives every slot).
 */
static int slot_init(struct slot *s, unsigned int i,
		     const struct moatd_conn *base)
{
	struct in_addr src = base->local.u.v4;

	src.s_addr = htonl(ntohl(src.s_addr) + i);
	s->conn = *base;
	s->conn.local.u.v4 = src;
	s->conn.local_ts[0].addr.u.v4 = src;
	memset(&s->ep, 0, sizeof(s->ep));
	s->ep.local = s->conn.local;
	s->ep.remote = base->remote;
	s->ep.local_port = s->ep.remote_port = IKE_PORT;
	s->fd = slot_socket(src, base->remote.u.v4);
	return s->fd < 0 ? -1 : 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t percentile(unsigned int pct)
{
	if (!st.n_lat)
		return 0;
	return st.lat[(st.n_lat - 1) * pct / 100];
}

static void report(const struct opts *o, double secs, double cpu)
{
	double rate = secs > 0 ? st.completed / secs : 0;
	unsigned int i;

	qsort(st.lat, st.n_lat, sizeof(st.lat[0]), cmp_u32);
	printf("moat-ikeload: %lu handshakes in %.2f s (%.1f/s), %u in flight, "
	       "latency median %u ms, p90 %u ms; %lu failed, %lu answers "
	       "dropped; cpu %.2f\n",
	       st.completed, secs, rate, o->slots, percentile(50),
	       percentile(90), st.failed, st.dropped, cpu);
	for (i = 0; i < st.n_why; i++)
		printf("moat-ikeload: failed: %s %lu\n", st.why[i].name,
		       st.why[i].n);
	printf("ikeload: rate=%.1f completed=%lu failed=%lu dropped=%lu "
	       "seconds=%.2f inflight=%u lat_median_ms=%u lat_p90_ms=%u "
	       "cpu=%.2f\n",
	       rate, st.completed, st.failed, st.dropped, secs, o->slots,
	       percentile(50), percentile(90), cpu);
	fflush(stdout);
}

static int watch(int ep, struct slot *slots, unsigned int n)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i;

	for (i = 0; i < n; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, slots[i].fd, &ev))
			return -1;
	}
	return 0;
}

static int next_timeout(const struct slot *slots, unsigned int n,
			uint64_t now)
{
	uint64_t first = st.win_end;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (slots[i].deadline_ms < first)
			first = slots[i].deadline_ms;
	return first > now ? (int)(first - now) : 0;
}

static void run(int ep, struct slot *slots, const struct opts *o)
{
	struct epoll_event ev[64];
	double cpu0 = 0;
	uint64_t now = now_ms();
	int n, i;
	unsigned int j;

	for (j = 0; j < o->slots; j++)
		slot_start(&slots[j], o, now);
	while ((now = now_ms()) < st.win_end) {
		if (!cpu0 && now >= st.win_start)
			cpu0 = cpu_secs() + 1e-9;
		n = epoll_wait(ep, ev, 64, next_timeout(slots, o->slots, now));
		for (i = 0; i < n; i++)
			slot_rx(&slots[ev[i].data.u32], o);
		now = now_ms();
		for (j = 0; j < o->slots; j++)
			slot_timer(&slots[j], o, now);
	}
	report(o, (st.win_end - st.win_start) / 1000.0,
	       (cpu_secs() - cpu0) / ((st.win_end - st.win_start) / 1000.0));
}

static int usage(void)
{
	fprintf(stderr,
		"usage: moat-ikeload -r RESPONDER -s FIRST_SOURCE [-n IN_FLIGHT] "
		"[-d SECONDS] [-w WARMUP]\n"
		"       [-T RETRANSMIT_MS] [-R TRIES] [-k PSK] [-i LOCAL_ID] "
		"[-I REMOTE_ID] [-o IKE] [-e ESP]\n");
	return 2;
}

static int num(const char *s, unsigned int min, unsigned int max,
	       unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || end == s || x < min || x > max)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int opt_num(int c, const char *arg, struct opts *o)
{
	switch (c) {
	case 'n': return num(arg, 1, SLOTS_MAX, &o->slots);
	case 'd': return num(arg, 1, 3600, &o->secs);
	case 'w': return num(arg, 0, 3600, &o->warm);
	case 'T': return num(arg, 10, 60000, &o->rtx_ms);
	case 'R': return num(arg, 0, 20, &o->tries);
	}
	return -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "r:s:n:d:w:T:R:k:i:I:o:e:")) != -1) {
		switch (c) {
		case 'r': o->resp = optarg; break;
		case 's': o->src = optarg; break;
		case 'k': o->psk = optarg; break;
		case 'i': o->lid = optarg; break;
		case 'I': o->rid = optarg; break;
		case 'o': o->ike = optarg; break;
		case 'e': o->esp = optarg; break;
		default:
			if (opt_num(c, optarg, o))
				return -1;
		}
	}
	return optind == argc && o->resp && o->src ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o = { .psk = "moat handshake bench", .slots = 16,
			  .lid = "@load.example", .rid = "@resp.example",
			  .ike = "aes128gcm16-prfsha256-x25519",
			  .esp = "aes128gcm16", .secs = 10, .warm = 2,
			  .rtx_ms = 2000, .tries = 3 };
	struct moatd_config *cfg;
	struct slot *slots;
	unsigned int i;
	int ep;

	if (parse_opts(argc, argv, &o))
		return usage();
	cfg = base_config(&o);
	if (!cfg)
		return 2;
	if (cfg->conns[0].local.family != AF_INET)
		return fprintf(stderr, "moat-ikeload: IPv4 only\n"), 2;
	slots = calloc(o.slots, sizeof(*slots));
	st.lat = calloc(LAT_MAX, sizeof(*st.lat));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!slots || !st.lat || ep < 0)
		return perror("moat-ikeload"), 1;
	for (i = 0; i < o.slots; i++)
		if (slot_init(&slots[i], i, &cfg->conns[0]))
			return 1;
	if (watch(ep, slots, o.slots))
		return perror("moat-ikeload: epoll"), 1;
	st.win_start = now_ms() + 1000ULL * o.warm;
	st.win_end = st.win_start + 1000ULL * o.secs;
	run(ep, slots, &o);
	return 0;
}
