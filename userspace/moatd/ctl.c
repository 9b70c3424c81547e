// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: an abstract unix stream socket, "\0moatd", so each
 * network namespace has its own. Only root or a holder of CAP_NET_ADMIN
 * may talk to it. One request line per connection:
 *
 *   up NAME      answered "ok" once the IKE SA and its Child SA are up,
 *                or "error REASON" (timeout, AUTHENTICATION_FAILED, ...)
 *   down NAME    "ok" or "error REASON"
 *   rekey NAME [ike]
 *                starts a rekey of the conn's newest Child SA (or its IKE
 *                SA), at once or after the exchange under way: "ok", or
 *                "error REASON"
 *   show         JSON: every conn, its IKE SAs and their Child SAs
 *   show text    the same as text
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "json.h"
#include "proposal.h"

#define CTL_LINE_MAX 128
#define CAP_NET_ADMIN_BIT 12

int ctl_open(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 +
			strlen(MOATD_CTL_NAME);
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	memcpy(sun.sun_path + 1, MOATD_CTL_NAME, strlen(MOATD_CTL_NAME));
	if (bind(fd, (struct sockaddr *)&sun, len) || listen(fd, 16)) {
		dlog(LOG_ERR, "control socket @%s: %m (another moatd in this namespace?)",
		     MOATD_CTL_NAME);
		close(fd);
		return -1;
	}
	ev.data.fd = fd;
	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return -1;
	}
	d.ctl_fd = fd;
	return 0;
}

/* CapEff of @pid has CAP_NET_ADMIN. */
static bool pid_net_admin(pid_t pid)
{
	char path[64], line[256];
	unsigned long long caps;
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			ok = caps & (1ULL << CAP_NET_ADMIN_BIT);
			break;
		}
	fclose(f);
	return ok;
}

static bool peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	return cr.uid == 0 || pid_net_admin(cr.pid);
}

void ctl_reply(int fd, const char *line)
{
	size_t n = strlen(line);

	if (write(fd, line, n) != (ssize_t)n || write(fd, "\n", 1) != 1)
		dlog(LOG_DEBUG, "control reply: %m");
	close(fd);
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* The installed Child SAs, newest first; NULL-terminated in @out. */
static void kids_by_age(const struct dsa *s, const struct kchild **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < DSA_KIDS_MAX; i++) {
		if (!s->kids[i].used)
			continue;
		for (j = n++; j > 0 && out[j - 1]->added_ms <
					s->kids[i].added_ms; j--)
			out[j] = out[j - 1];
		out[j] = &s->kids[i];
	}
	out[n] = NULL;
}

/* installed; replaced: only its inbound SA is left, for late packets. */
static const char *kid_state(const struct kchild *k)
{
	if (k->gone_ms)
		return "replaced";
	return k->out_wait ? "waiting" : "installed";
}

static void show_kid_json(struct moat_json *j, const struct kchild *k)
{
	char buf[16];

	json_open_object(j, NULL);
	json_string(j, "state", kid_state(k));
	snprintf(buf, sizeof(buf), "0x%08x", k->spi_in);
	json_string(j, "spi_in", buf);
	snprintf(buf, sizeof(buf), "0x%08x", k->spi_out);
	json_string(j, "spi_out", buf);
	json_string(j, "aead", k->aead ? k->aead : "");
	json_u64(j, "key_bits", k->key_bits);
	json_bool(j, "esn", k->esn);
	json_u64(j, "age", (now_ms() - k->added_ms) / 1000);
	json_close_object(j);
}

static void show_child_json(struct moat_json *j, const struct dsa *s)
{
	const struct kchild *kids[DSA_KIDS_MAX + 1];
	size_t i;

	kids_by_age(s, kids);
	json_open_array(j, "child_sas");
	for (i = 0; kids[i]; i++)
		show_kid_json(j, kids[i]);
	json_close_array(j);
}

static void show_sa_json(struct moat_json *j, const char *key,
			 const struct dsa *s)
{
	const struct ikesa *sa = s->sa;
	char buf[128], abuf[INET6_ADDRSTRLEN];

	json_open_object(j, key);
	json_string(j, "state", ikesa_state_name(sa->state));
	json_string(j, "role", sa->role == IKESA_INITIATOR ? "initiator" :
							      "responder");
	json_string(j, "local", format_addr(&sa->ep.local, abuf, sizeof(abuf)));
	json_string(j, "remote",
		    format_addr(&sa->ep.remote, abuf, sizeof(abuf)));
	json_u64(j, "remote_port", sa->ep.remote_port);
	hex(buf, sa->spi_i, IKE_SPI_LEN);
	json_string(j, "spi_i", buf);
	hex(buf, sa->spi_r, IKE_SPI_LEN);
	json_string(j, "spi_r", buf);
	if (sa->state == IKESA_ESTABLISHED)
		json_string(j, "proposal",
			    proposal_format(&sa->ike_prop, buf, sizeof(buf)));
	json_u64(j, "age", (now_ms() - s->started_ms) / 1000);
	if (s->est_ms)
		json_u64(j, "established_for", (now_ms() - s->est_ms) / 1000);
	show_child_json(j, s);
	json_close_object(j);
}

/*
 * ike_sa: the IKE SA that runs the conn; ike_sas: every IKE SA of it,
 * those on their way out (rekeyed, redundant) included.
 */
static const struct dsa *conn_current(const char *name)
{
	const struct dsa *s, *any = NULL;

	for (s = d.sas; s; s = s->next) {
		if (strcmp(s->sa->conn->name, name))
			continue;
		if (!s->replaced)
			return s;
		if (!any)
			any = s;
	}
	return any;
}

static void show_conn_json(struct moat_json *j, const char *name)
{
	const struct dsa *s, *cur = conn_current(name);

	if (cur)
		show_sa_json(j, "ike_sa", cur);
	json_open_array(j, "ike_sas");
	for (s = d.sas; s; s = s->next)
		if (!strcmp(s->sa->conn->name, name))
			show_sa_json(j, NULL, s);
	json_close_array(j);
}

static void show_json(FILE *f)
{
	struct moat_json j;
	size_t i;

	json_init(&j, f);
	json_open_object(&j, NULL);
	json_open_array(&j, "conns");
	for (i = 0; i < d.cfg->n_conns; i++) {
		const struct moatd_conn *c = &d.cfg->conns[i];

		json_open_object(&j, NULL);
		json_string(&j, "name", c->name);
		json_string(&j, "dev", c->dev);
		show_conn_json(&j, c->name);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_end(&j);
}

static void show_sa_text(FILE *f, const struct dsa *s)
{
	const struct kchild *kids[DSA_KIDS_MAX + 1];
	const struct ikesa *sa = s->sa;
	size_t i;
	char buf[128], a1[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];

	fprintf(f, "    ike %s %s %s -> %s age %llus", ikesa_state_name(sa->state),
		sa->role == IKESA_INITIATOR ? "initiator" : "responder",
		format_addr(&sa->ep.local, a1, sizeof(a1)),
		format_addr(&sa->ep.remote, a2, sizeof(a2)),
		(unsigned long long)((now_ms() - s->started_ms) / 1000));
	if (sa->state == IKESA_ESTABLISHED)
		fprintf(f, " %s", proposal_format(&sa->ike_prop, buf,
						   sizeof(buf)));
	fputc('\n', f);
	kids_by_age(s, kids);
	for (i = 0; kids[i]; i++)
		fprintf(f, "    child %s spi in 0x%08x out 0x%08x %s %u%s age %llus\n",
			kid_state(kids[i]), kids[i]->spi_in, kids[i]->spi_out,
			kids[i]->aead ? kids[i]->aead : "?", kids[i]->key_bits,
			kids[i]->esn ? " esn" : "",
			(unsigned long long)((now_ms() - kids[i]->added_ms) /
					     1000));
}

static void show_text(FILE *f)
{
	const struct dsa *s;
	size_t i;

	for (i = 0; i < d.cfg->n_conns; i++) {
		const struct moatd_conn *c = &d.cfg->conns[i];

		fprintf(f, "conn %s dev %s\n", c->name, c->dev);
		for (s = d.sas; s; s = s->next)
			if (!strcmp(s->sa->conn->name, c->name))
				show_sa_text(f, s);
	}
}

static void ctl_show(int fd, bool text)
{
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&buf, &len);
	ssize_t n;

	if (!f) {
		ctl_reply(fd, "error out of memory");
		return;
	}
	if (text)
		show_text(f);
	else
		show_json(f);
	fclose(f);
	while (off < len && (n = write(fd, buf + off, len - off)) > 0)
		off += (size_t)n;
	free(buf);
	close(fd);
}

static void ctl_rekey(int fd, char *arg)
{
	char err[128], reply[160];
	char *ike = strchr(arg, ' ');

	if (ike) {
		*ike++ = '\0';
		if (strcmp(ike, "ike")) {
			ctl_reply(fd, "error rekey NAME [ike]");
			return;
		}
	}
	if (!moatd_config_find(d.cfg, arg)) {
		ctl_reply(fd, "error no such conn");
		return;
	}
	if (daemon_rekey(arg, ike != NULL, err, sizeof(err))) {
		snprintf(reply, sizeof(reply), "error %s", err);
		ctl_reply(fd, reply);
		return;
	}
	ctl_reply(fd, "ok");
}

static void ctl_command(int fd, char *line)
{
	char err[128], reply[160];
	int ret;

	if (!strncmp(line, "up ", 3)) {
		ret = daemon_up(line + 3, fd, err, sizeof(err));
		if (ret < 0) {
			snprintf(reply, sizeof(reply), "error %s", err);
			ctl_reply(fd, reply);
		} else if (ret > 0) {
			ctl_reply(fd, "ok");
		}
		return;	/* else answered when the SA is up or fails */
	}
	if (!strncmp(line, "down ", 5)) {
		if (!moatd_config_find(d.cfg, line + 5))
			ctl_reply(fd, "error no such conn");
		else
			ctl_reply(fd, daemon_down(line + 5) ? "ok" :
						   "error not up");
		return;
	}
	if (!strncmp(line, "rekey ", 6)) {
		ctl_rekey(fd, line + 6);
		return;
	}
	if (!strcmp(line, "show") || !strcmp(line, "show text")) {
		ctl_show(fd, line[4] != '\0');
		return;
	}
	ctl_reply(fd, "error unknown command");
}

/* Reads the request line; the client sends it right after connecting. */
static int ctl_read_line(int fd, char *line, size_t cap)
{
	struct timeval tv = { .tv_sec = 1 };
	size_t n = 0;
	ssize_t r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (n + 1 < cap) {
		r = read(fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return n + 1 < cap ? 0 : -1;
}

void ctl_accept(void)
{
	char line[CTL_LINE_MAX];
	int fd = accept4(d.ctl_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* Read first: closing on an unread request would reset the answer. */
	if (ctl_read_line(fd, line, sizeof(line))) {
		close(fd);
		return;
	}
	if (!peer_allowed(fd)) {
		ctl_reply(fd, "error permission denied (needs CAP_NET_ADMIN)");
		return;
	}
	ctl_command(fd, line);
}
