// SPDX-License-Identifier: GPL-2.0
/*
 * moatd.conf through inih. Debian's libinih is built without
 * INI_HANDLER_LINENO, so the handler is not told its line: we feed inih
 * through our own reader (ini_parse_stream), which counts lines, sees
 * every section header (inih reports none, not even an empty section)
 * and strips leading blanks, so indented keys never become inih's
 * multi-line continuations. The first error stops the reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "config.h"
#include "config_guard.h"
#include "parse.h"
#include "secmem.h"

#define SECRET_FILE_MAX 4096
#define MSG_MAX 512
#define SHOW 40		/* characters of a bad value quoted back */

enum section { SEC_NONE, SEC_MOATD, SEC_GUARD, SEC_CONN };

enum conn_key {
	K_DEV, K_LOCAL, K_REMOTE, K_LOCAL_ID, K_REMOTE_ID, K_AUTH, K_PSK,
	K_PSK_FILE, K_PPK_ID, K_PPK, K_PPK_FILE, K_PPK_REQUIRED, K_LOCAL_TS,
	K_REMOTE_TS, K_IKE, K_ESP, K_START, K_IKE_REKEY_TIME, K_IKE_LIFE_TIME,
	K_REKEY_TIME, K_LIFE_TIME, K_DPD_DELAY, K_RETRANSMIT_TIMEOUT,
	K_RETRANSMIT_TRIES, K_REPLAY_WINDOW, K_ENCAP, K_FRAGMENTATION,
	K_KEEPALIVE, K_FRAGMENT_SIZE, K_LOCAL_AUTH, K_REMOTE_AUTH, K_RESUMPTION,
	K_RESUMPTION_LIFETIME, K_CONN_KEYS,
	/* [moatd] */
	K_LOG_LEVEL = 0, K_PUZZLE_BUDGET, K_PUZZLE_MAX_DIFFICULTY, K_GLOBAL_KEYS,
};

struct parser {
	const char *file;
	const char *buf;
	size_t len, pos;
	int lineno;
	const struct stat *st;		/* the file's, or NULL */
	struct moatd_config *cfg;
	enum section section;
	bool moatd_seen, guard_seen;
	uint64_t seen;			/* keys set in this section */
	int key_line[K_CONN_KEYS];
	int err_line;			/* 0 until the first error */
	int handler_line;		/* where the handler refused a key */
	char err[MSG_MAX];
	char why[MSG_MAX - 64];		/* a value parser's complaint */
};

struct key {
	const char *name;
	int (*parse)(struct parser *ps, const struct key *k, const char *v);
	size_t off;			/* of a uint32_t in moatd_conn */
};

/* Records the first error, "file:line: text"; returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err_line)
		return -1;
	n = snprintf(ps->err, sizeof(ps->err), "%s:%d: ", ps->file, line);
	if (n > 0 && (size_t)n < sizeof(ps->err)) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, sizeof(ps->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	ps->err_line = line;
	return -1;
}

__attribute__((format(printf, 2, 3)))
static int why(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->why, sizeof(ps->why), fmt, ap);
	va_end(ap);
	return -1;
}

static struct moatd_conn *cur(struct parser *ps)
{
	return &ps->cfg->conns[ps->cfg->n_conns - 1];
}

static uint32_t *conn_u32(struct parser *ps, size_t off)
{
	return (uint32_t *)((char *)cur(ps) + off);
}

static bool key_set(const struct parser *ps, int k)
{
	return ps->seen & (1ULL << k);
}

/* ---- files and secrets ---- */

/* Why @st is not safe to read settings from, or NULL. */
static const char *file_problem(const struct stat *st, bool secret,
				char *buf, size_t len)
{
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(buf, len, "is owned by uid %u, not by root",
			 (unsigned int)st->st_uid);
		return buf;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(buf, len, "is writable by group or others (mode %04o)",
			 (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	if (secret && (st->st_mode & (S_IRGRP | S_IROTH))) {
		snprintf(buf, len, "holds a secret but is readable by group or others (mode %04o); chmod 600 it",
			 (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

/* Reads at most @max octets of @fd into @buf; -1 if there are more. */
static ssize_t read_max(int fd, char *buf, size_t max)
{
	size_t got = 0;
	ssize_t r;

	do {
		r = read(fd, buf + got, max + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -2;
		got += (size_t)r;
	} while (r > 0 && got <= max);
	return got > max ? -1 : (ssize_t)got;
}

static uint8_t *secret_hex(struct parser *ps, const char *s, size_t n,
			   size_t *len)
{
	uint8_t *out;
	size_t i;

	if (n == 0 || n % 2 || n / 2 > MOATD_SECRET_MAX) {
		why(ps, "0x needs an even number of hex digits, 2 to %d",
		    2 * MOATD_SECRET_MAX);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (parse_hex_digit(s[i]) < 0) {
			why(ps, "0x is followed by a character that is not a hex digit");
			return NULL;
		}
	out = secmem_alloc(n / 2);
	if (!out) {
		why(ps, "cannot allocate locked memory for it");
		return NULL;
	}
	for (i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(parse_hex_digit(s[2 * i]) << 4 |
				   parse_hex_digit(s[2 * i + 1]));
	*len = n / 2;
	return out;
}

/*
 * A secret as written after "psk =": 0x and hex digits, or text in double
 * quotes. Never quotes the secret back.
 */
static uint8_t *secret_parse(struct parser *ps, const char *s, size_t *len)
{
	size_t n = strlen(s);
	uint8_t *out;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return secret_hex(ps, s + 2, n - 2, len);
	if (n < 3 || s[0] != '"' || s[n - 1] != '"' ||
	    memchr(s + 1, '"', n - 2)) {
		why(ps, "must be 0x followed by hex digits, or text in double quotes");
		return NULL;
	}
	if (n - 2 > MOATD_SECRET_MAX) {
		why(ps, "is longer than %d octets", MOATD_SECRET_MAX);
		return NULL;
	}
	out = secmem_dup(s + 1, n - 2);
	if (!out)
		why(ps, "cannot allocate locked memory for it");
	else
		*len = n - 2;
	return out;
}

/* Opens @path and checks it may hold a secret; the fd, or -1. */
static int secret_open(struct parser *ps, const char *path)
{
	char buf[128];
	const char *problem;
	struct stat st;
	int fd;

	if (path[0] != '/') {
		why(ps, "\"%.*s\" is not an absolute path", SHOW, path);
		return -1;
	}
	/* Never open a device node: opening some has side effects. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		why(ps, "%.*s is not a regular file", SHOW * 4, path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		why(ps, "%.*s: %s", SHOW * 4, path, strerror(errno));
		return -1;
	}
	problem = fstat(fd, &st) ? strerror(errno) :
		  file_problem(&st, true, buf, sizeof(buf));
	if (problem) {
		why(ps, "%.*s %s", SHOW * 4, path, problem);
		close(fd);
		return -1;
	}
	return fd;
}

/* The secret in file @path (one value, as after "psk ="). */
static uint8_t *secret_file(struct parser *ps, const char *path, size_t *len)
{
	uint8_t *out = NULL;
	char *buf;
	ssize_t n;
	int fd;

	fd = secret_open(ps, path);
	if (fd < 0)
		return NULL;
	buf = secmem_alloc(SECRET_FILE_MAX + 2);
	n = buf ? read_max(fd, buf, SECRET_FILE_MAX) : -3;
	close(fd);
	if (n < 0) {
		why(ps, "%.*s: %s", SHOW * 4, path, n == -1 ? "is too large" :
		    n == -2 ? "cannot be read" : "no locked memory");
	} else {
		while (n > 0 && buf[n - 1] && strchr(" \t\r\n", buf[n - 1]))
			n--;
		buf[n] = '\0';
		if (memchr(buf, '\0', (size_t)n))
			why(ps, "%.*s: holds a NUL byte", SHOW * 4, path);
		else
			out = secret_parse(ps, buf, len);
	}
	secmem_free(buf);
	return out;
}

/* ---- value parsers for [conn] keys ---- */

static int p_dev(struct parser *ps, const struct key *k, const char *v)
{
	(void)k;
	if (parse_ifname(v))
		return why(ps, "\"%.*s\" is not a device name (1 to 15 characters, no '/', ':' or blanks)",
			   SHOW, v);
	snprintf(cur(ps)->dev, sizeof(cur(ps)->dev), "%s", v);
	return 0;
}

static int endpoint(struct parser *ps, const char *v, struct moat_addr *a)
{
	const char *problem;

	if (parse_addr(v, a))
		return why(ps, "\"%.*s\" is not an IPv4 or IPv6 address", SHOW, v);
	problem = addr_endpoint_problem(a);
	if (problem)
		return why(ps, "%s is %s", v, problem);
	return 0;
}

static int p_local(struct parser *ps, const struct key *k, const char *v)
{
	(void)k;
	return endpoint(ps, v, &cur(ps)->local);
}

static int p_remote(struct parser *ps, const struct key *k, const char *v)
{
	(void)k;
	cur(ps)->remote_any = !strcmp(v, "%any");
	if (cur(ps)->remote_any)
		return 0;
	return endpoint(ps, v, &cur(ps)->remote);
}

static int p_id(struct parser *ps, const struct key *k, const char *v)
{
	struct moatd_conn *c = cur(ps);

	return moatd_id_parse(v, k->off ? &c->remote_id : &c->local_id,
			      ps->why, sizeof(ps->why));
}

/* auth, local-auth, remote-auth: k->off is the field's offset. */
static int p_auth(struct parser *ps, const struct key *k, const char *v)
{
	enum moatd_auth *a = (enum moatd_auth *)((char *)cur(ps) + k->off);

	if (!strcmp(v, "psk"))
		*a = MOATD_AUTH_PSK;
	else if (!strcmp(v, "null"))
		*a = MOATD_AUTH_NULL;
	else
		return why(ps, "\"%.*s\" is not psk or null", SHOW, v);
	return 0;
}

/* Whether the config file itself may hold a secret. */
static int inline_secret_ok(struct parser *ps)
{
	char buf[128];
	const char *problem;

	if (!ps->st)
		return 0;
	problem = file_problem(ps->st, true, buf, sizeof(buf));
	return problem ? why(ps, "%s %s", ps->file, problem) : 0;
}

/* psk, ppk (k->off 0: inline; 1: a file name). */
static int p_secret(struct parser *ps, const struct key *k, const char *v)
{
	struct moatd_conn *c = cur(ps);
	bool is_ppk = k->name[1] == 'p';
	uint8_t **dst = is_ppk ? &c->ppk : &c->psk;
	size_t *len = is_ppk ? &c->ppk_len : &c->psk_len;

	if (*dst)
		return why(ps, "%s is already set (psk and psk-file, or ppk and ppk-file, exclude each other)",
			   is_ppk ? "ppk" : "psk");
	if (!k->off && inline_secret_ok(ps))
		return -1;
	*dst = k->off ? secret_file(ps, v, len) : secret_parse(ps, v, len);
	return *dst ? 0 : -1;
}

static int p_ppk_id(struct parser *ps, const struct key *k, const char *v)
{
	size_t i, n = strlen(v);

	(void)k;
	if (n == 0 || n > MOATD_PPK_ID_MAX)
		return why(ps, "must be 1 to %d characters", MOATD_PPK_ID_MAX);
	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return why(ps, "must be printable characters without blanks");
	memcpy(cur(ps)->ppk_id, v, n + 1);
	return 0;
}

static int yes_no(struct parser *ps, const char *v, bool *out)
{
	if (!strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "no"))
		*out = false;
	else
		return why(ps, "\"%.*s\" is not yes or no", SHOW, v);
	return 0;
}

static int p_bool(struct parser *ps, const struct key *k, const char *v)
{
	struct moatd_conn *c = cur(ps);

	return yes_no(ps, v, (bool *)((char *)c + k->off));
}

static int p_ts(struct parser *ps, const struct key *k, const char *v)
{
	struct moatd_conn *c = cur(ps);
	bool remote = k->off;
	char *w;
	int ret;

	ret = parse_prefix_list(v, remote ? c->remote_ts : c->local_ts,
				MOAT_TS_MAX, remote ? &c->n_remote_ts :
				&c->n_local_ts, ps->why, sizeof(ps->why));
	if (ret == 1) {
		/* Refused rather than masked: say what to write instead. */
		w = strstr(ps->why, "; using ");
		if (w)
			memcpy(w, "; write ", 8);
		return -1;
	}
	return ret;
}

static int p_proposals(struct parser *ps, const struct key *k, const char *v)
{
	struct moatd_conn *c = cur(ps);
	bool esp = k->off;

	return proposal_parse(v, esp ? IKE_PROTO_ESP : IKE_PROTO_IKE,
			      esp ? &c->esp : &c->ike, ps->why,
			      sizeof(ps->why));
}

/* "N" (seconds), or N followed by ms, s, m, h or d, in milliseconds. */
static int parse_duration_ms(const char *s, uint64_t *ms)
{
	static const struct { const char *sfx; uint64_t mult; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	uint64_t v = 0;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 1000000000000ULL)
			return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(s, units[i].sfx)) {
			if (v > UINT64_MAX / units[i].mult)
				return -1;
			*ms = v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

static int duration(struct parser *ps, const char *v, uint64_t min_ms,
		    uint64_t max_ms, uint64_t *ms)
{
	if (parse_duration_ms(v, ms))
		return why(ps, "\"%.*s\" is not a duration (a number with s, m, h or d after it)",
			   SHOW, v);
	if (*ms < min_ms || *ms > max_ms)
		return why(ps, "%s is out of range (%llus to %llus)", v,
			   (unsigned long long)min_ms / 1000,
			   (unsigned long long)max_ms / 1000);
	return 0;
}

static int p_seconds(struct parser *ps, const struct key *k, const char *v)
{
	uint64_t ms;

	if (duration(ps, v, 0, MOATD_DURATION_MAX * 1000ULL, &ms))
		return -1;
	if (ms % 1000)
		return why(ps, "%s is not a whole number of seconds", v);
	*conn_u32(ps, k->off) = (uint32_t)(ms / 1000);
	return 0;
}

/* RFC 5723 tickets: a minute to a day (the ticket key's own lifetime). */
static int p_ticket_lifetime(struct parser *ps, const struct key *k,
			     const char *v)
{
	uint64_t ms;

	(void)k;
	if (duration(ps, v, 60000, MOATD_TICKET_LIFETIME_MAX * 1000ULL, &ms))
		return -1;
	if (ms % 1000)
		return why(ps, "%s is not a whole number of seconds", v);
	cur(ps)->resumption_lifetime = (uint32_t)(ms / 1000);
	return 0;
}

static int p_retransmit_timeout(struct parser *ps, const struct key *k,
				const char *v)
{
	uint64_t ms;

	(void)k;
	if (duration(ps, v, 100, 60000, &ms))
		return -1;
	cur(ps)->retransmit_timeout_ms = (uint32_t)ms;
	return 0;
}

static int u32_range(struct parser *ps, const struct key *k, const char *v,
		     uint32_t min, uint32_t max)
{
	if (parse_u32_range(v, min, max, conn_u32(ps, k->off)))
		return why(ps, "\"%.*s\" is not a number from %u to %u", SHOW, v,
			   min, max);
	return 0;
}

static int p_tries(struct parser *ps, const struct key *k, const char *v)
{
	return u32_range(ps, k, v, 1, 20);
}

static int p_replay(struct parser *ps, const struct key *k, const char *v)
{
	return u32_range(ps, k, v, 0, MOAT_REPLAY_WINDOW_MAX);
}

/* "auto" (0: RFC 7383 §2.5.1's 576 or 1280 by family) or octets. */
static int p_fragment_size(struct parser *ps, const struct key *k,
			   const char *v)
{
	if (!strcmp(v, "auto")) {
		*conn_u32(ps, k->off) = 0;
		return 0;
	}
	return u32_range(ps, k, v, MOATD_FRAGMENT_SIZE_MIN,
			 MOATD_FRAGMENT_SIZE_MAX);
}

static int p_encap(struct parser *ps, const struct key *k, const char *v)
{
	(void)k;
	if (!strcmp(v, "auto"))
		cur(ps)->encap = MOATD_ENCAP_AUTO;
	else if (!strcmp(v, "yes"))
		cur(ps)->encap = MOATD_ENCAP_YES;
	else if (!strcmp(v, "no"))
		cur(ps)->encap = MOATD_ENCAP_NO;
	else
		return why(ps, "\"%.*s\" is not yes, no or auto", SHOW, v);
	return 0;
}

#define CONN_U32(f) offsetof(struct moatd_conn, f)

static const struct key conn_keys[K_CONN_KEYS] = {
	[K_DEV] = { "dev", p_dev, 0 },
	[K_LOCAL] = { "local", p_local, 0 },
	[K_REMOTE] = { "remote", p_remote, 0 },
	[K_LOCAL_ID] = { "local-id", p_id, 0 },
	[K_REMOTE_ID] = { "remote-id", p_id, 1 },
	[K_AUTH] = { "auth", p_auth, offsetof(struct moatd_conn, auth) },
	[K_PSK] = { "psk", p_secret, 0 },
	[K_PSK_FILE] = { "psk-file", p_secret, 1 },
	[K_PPK_ID] = { "ppk-id", p_ppk_id, 0 },
	[K_PPK] = { "ppk", p_secret, 0 },
	[K_PPK_FILE] = { "ppk-file", p_secret, 1 },
	[K_PPK_REQUIRED] = { "ppk-required", p_bool,
			     offsetof(struct moatd_conn, ppk_required) },
	[K_LOCAL_TS] = { "local-ts", p_ts, 0 },
	[K_REMOTE_TS] = { "remote-ts", p_ts, 1 },
	[K_IKE] = { "ike", p_proposals, 0 },
	[K_ESP] = { "esp", p_proposals, 1 },
	[K_START] = { "start", p_bool, offsetof(struct moatd_conn, start) },
	[K_IKE_REKEY_TIME] = { "ike-rekey-time", p_seconds,
			       CONN_U32(ike_rekey_time) },
	[K_IKE_LIFE_TIME] = { "ike-life-time", p_seconds,
			      CONN_U32(ike_life_time) },
	[K_REKEY_TIME] = { "rekey-time", p_seconds, CONN_U32(rekey_time) },
	[K_LIFE_TIME] = { "life-time", p_seconds, CONN_U32(life_time) },
	[K_DPD_DELAY] = { "dpd-delay", p_seconds, CONN_U32(dpd_delay) },
	[K_RETRANSMIT_TIMEOUT] = { "retransmit-timeout", p_retransmit_timeout,
				   0 },
	[K_RETRANSMIT_TRIES] = { "retransmit-tries", p_tries,
				 CONN_U32(retransmit_tries) },
	[K_REPLAY_WINDOW] = { "replay-window", p_replay,
			      CONN_U32(replay_window) },
	[K_ENCAP] = { "encap", p_encap, 0 },
	[K_FRAGMENTATION] = { "fragmentation", p_bool,
			      offsetof(struct moatd_conn, fragmentation) },
	[K_KEEPALIVE] = { "keepalive", p_seconds, CONN_U32(keepalive) },
	[K_FRAGMENT_SIZE] = { "fragment-size", p_fragment_size,
			      CONN_U32(fragment_size) },
	[K_LOCAL_AUTH] = { "local-auth", p_auth,
			   offsetof(struct moatd_conn, local_auth) },
	[K_REMOTE_AUTH] = { "remote-auth", p_auth,
			    offsetof(struct moatd_conn, remote_auth) },
	[K_RESUMPTION] = { "resumption", p_bool,
			   offsetof(struct moatd_conn, resumption) },
	[K_RESUMPTION_LIFETIME] = { "resumption-lifetime", p_ticket_lifetime,
				    0 },
};

/* ---- [moatd] keys ---- */

static int g_log_level(struct parser *ps, const struct key *k, const char *v)
{
	static const char *const names[] = {
		[MOATD_LOG_ERROR] = "error", [MOATD_LOG_WARNING] = "warning",
		[MOATD_LOG_NOTICE] = "notice", [MOATD_LOG_INFO] = "info",
		[MOATD_LOG_DEBUG] = "debug",
	};
	size_t i;

	(void)k;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(v, names[i])) {
			ps->cfg->log_level = (enum moatd_log_level)i;
			return 0;
		}
	}
	return why(ps, "\"%.*s\" is not error, warning, notice, info or debug",
		   SHOW, v);
}

static int g_puzzle_budget(struct parser *ps, const struct key *k,
			   const char *v)
{
	uint64_t ms;

	(void)k;
	if (duration(ps, v, 0, 60000, &ms))
		return -1;
	ps->cfg->puzzle_budget_ms = (uint32_t)ms;
	return 0;
}

static int g_puzzle_max(struct parser *ps, const struct key *k,
			const char *v)
{
	(void)k;
	if (parse_u32_range(v, 0, MOATD_PUZZLE_MAX_DIFFICULTY_LIMIT,
			    &ps->cfg->puzzle_max_difficulty))
		return why(ps, "\"%.*s\" is not a number from 0 to %u", SHOW,
			   v, MOATD_PUZZLE_MAX_DIFFICULTY_LIMIT);
	return 0;
}

static const struct key global_keys[K_GLOBAL_KEYS] = {
	[K_LOG_LEVEL] = { "log-level", g_log_level, 0 },
	[K_PUZZLE_BUDGET] = { "puzzle-budget", g_puzzle_budget, 0 },
	[K_PUZZLE_MAX_DIFFICULTY] = { "puzzle-max-difficulty", g_puzzle_max,
				      0 },
};

/* ---- checks and defaults when a [conn] section ends ---- */

static int line_of(struct parser *ps, int k)
{
	return key_set(ps, k) ? ps->key_line[k] : cur(ps)->line;
}

static int conn_required(struct parser *ps)
{
	struct moatd_conn *c = cur(ps);

	if (!key_set(ps, K_LOCAL))
		return fail(ps, c->line, "conn \"%s\": missing required key local",
			    c->name);
	if (!key_set(ps, K_REMOTE))
		return fail(ps, c->line, "conn \"%s\": missing required key remote",
			    c->name);
	if (!c->remote_any && c->remote.family != c->local.family)
		return fail(ps, line_of(ps, K_REMOTE),
			    "remote and local are not of one address family");
	if (c->remote_any && c->start)
		return fail(ps, line_of(ps, K_START),
			    "start = yes needs a remote address, not %%any");
	return 0;
}

/* The key that chose a side's method: local-auth/remote-auth, or auth. */
static int auth_key(struct parser *ps, int side)
{
	return key_set(ps, side) ? side : K_AUTH;
}

static int conn_auth(struct parser *ps)
{
	struct moatd_conn *c = cur(ps);
	bool psk;
	int k;

	if (!key_set(ps, K_LOCAL_AUTH))
		c->local_auth = c->auth;
	if (!key_set(ps, K_REMOTE_AUTH))
		c->remote_auth = c->auth;
	psk = c->local_auth == MOATD_AUTH_PSK ||
	      c->remote_auth == MOATD_AUTH_PSK;
	k = c->local_auth == MOATD_AUTH_PSK ? K_LOCAL_AUTH : K_REMOTE_AUTH;
	if (psk && !c->psk)
		return fail(ps, line_of(ps, auth_key(ps, k)),
			    "conn \"%s\": %s = psk needs psk or psk-file",
			    c->name, conn_keys[auth_key(ps, k)].name);
	k = key_set(ps, K_PSK) ? K_PSK : K_PSK_FILE;
	if (!psk && c->psk)
		return fail(ps, ps->key_line[k],
			    "%s is set but neither side uses auth = psk",
			    conn_keys[k].name);
	if (c->remote_auth == MOATD_AUTH_PSK && c->remote_any &&
	    !key_set(ps, K_REMOTE_ID))
		return fail(ps, line_of(ps, K_REMOTE),
			    "remote = %%any needs remote-id (the identity the peers must show)");
	return 0;
}

static int conn_ppk(struct parser *ps)
{
	struct moatd_conn *c = cur(ps);
	int k = key_set(ps, K_PPK) ? K_PPK : K_PPK_FILE;

	if (c->ppk && !c->ppk_id[0])
		return fail(ps, ps->key_line[k], "%s needs ppk-id",
			    conn_keys[k].name);
	if (c->ppk_id[0] && !c->ppk)
		return fail(ps, ps->key_line[K_PPK_ID],
			    "ppk-id needs ppk or ppk-file");
	if (c->ppk_required && !c->ppk)
		return fail(ps, ps->key_line[K_PPK_REQUIRED],
			    "ppk-required = yes needs ppk-id with ppk or ppk-file");
	return 0;
}

static void addr_id(const struct moat_addr *a, struct moatd_id *id)
{
	memset(id, 0, sizeof(*id));
	id->type = a->family == AF_INET ? MOATD_ID_IPV4_ADDR :
		   MOATD_ID_IPV6_ADDR;
	id->len = (uint16_t)addr_len(a);
	memcpy(id->data, a->u.b, id->len);
}

static void conn_ids(struct parser *ps)
{
	struct moatd_conn *c = cur(ps);
	const struct moatd_id null_id = { .type = MOATD_ID_NULL };

	if (!key_set(ps, K_LOCAL_ID)) {
		if (c->local_auth == MOATD_AUTH_NULL)
			c->local_id = null_id;
		else
			addr_id(&c->local, &c->local_id);
	}
	if (!key_set(ps, K_REMOTE_ID)) {
		if (c->remote_auth == MOATD_AUTH_NULL || c->remote_any)
			c->remote_id = null_id;
		else
			addr_id(&c->remote, &c->remote_id);
	}
}

/* A lifetime defaults to its rekey time plus 10%; it must be longer. */
static int life_after_rekey(struct parser *ps, int k_rekey, int k_life)
{
	uint32_t *rekey = conn_u32(ps, conn_keys[k_rekey].off);
	uint32_t *life = conn_u32(ps, conn_keys[k_life].off);

	if (!key_set(ps, k_life))
		*life = *rekey ? *rekey + (*rekey / 10 ? *rekey / 10 : 1) : 0;
	if (*rekey && *life && *life <= *rekey)
		return fail(ps, line_of(ps, k_life),
			    "%s (%us) must be longer than %s (%us)",
			    conn_keys[k_life].name, *life,
			    conn_keys[k_rekey].name, *rekey);
	return 0;
}

static void host_prefix(const struct moat_addr *a, struct moat_prefix *p)
{
	p->addr = *a;
	p->len = (uint8_t)addr_bits(a);
}

static int conn_defaults(struct parser *ps)
{
	struct moatd_conn *c = cur(ps);
	char e[8];

	conn_ids(ps);
	if (!c->n_local_ts) {
		host_prefix(&c->local, &c->local_ts[0]);
		c->n_local_ts = 1;
	}
	if (!c->n_remote_ts && !c->remote_any) {
		host_prefix(&c->remote, &c->remote_ts[0]);
		c->n_remote_ts = 1;
	}
	if (!c->ike.n)
		proposal_parse(MOATD_DEFAULT_IKE, IKE_PROTO_IKE, &c->ike, e,
			       sizeof(e));
	if (!c->esp.n)
		proposal_parse(MOATD_DEFAULT_ESP, IKE_PROTO_ESP, &c->esp, e,
			       sizeof(e));
	return life_after_rekey(ps, K_IKE_REKEY_TIME, K_IKE_LIFE_TIME) ||
	       life_after_rekey(ps, K_REKEY_TIME, K_LIFE_TIME) ? -1 : 0;
}

/* Whether a responder could not tell @a from @b by addresses and IDs. */
static bool conn_same(const struct moatd_conn *a, const struct moatd_conn *b)
{
	return addr_equal(&a->local, &b->local) &&
	       a->remote_any == b->remote_any &&
	       (a->remote_any || addr_equal(&a->remote, &b->remote)) &&
	       moatd_id_equal(&a->local_id, &b->local_id) &&
	       moatd_id_equal(&a->remote_id, &b->remote_id);
}

static int conn_unique(struct parser *ps)
{
	struct moatd_conn *c = cur(ps);
	size_t i;

	for (i = 0; i + 1 < ps->cfg->n_conns; i++)
		if (conn_same(&ps->cfg->conns[i], c))
			return fail(ps, c->line,
				    "conn \"%s\" cannot be told apart from conn \"%s\" (line %d): same addresses and identities",
				    c->name, ps->cfg->conns[i].name,
				    ps->cfg->conns[i].line);
	return 0;
}

static int conn_finish(struct parser *ps)
{
	if (ps->section != SEC_CONN)
		return 0;
	ps->section = SEC_NONE;
	return conn_required(ps) || conn_auth(ps) || conn_ppk(ps) ||
	       conn_defaults(ps) || conn_unique(ps) ? -1 : 0;
}

/* ---- sections ---- */

static void conn_init(struct moatd_conn *c, const char *name, size_t n,
		      int line)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, n);
	c->line = line;
	snprintf(c->dev, sizeof(c->dev), "%s", MOATD_DEFAULT_DEV);
	c->auth = MOATD_AUTH_PSK;
	c->ike_rekey_time = MOATD_DEFAULT_IKE_REKEY_TIME;
	c->rekey_time = MOATD_DEFAULT_REKEY_TIME;
	c->dpd_delay = MOATD_DEFAULT_DPD_DELAY;
	c->retransmit_timeout_ms = MOATD_DEFAULT_RETRANSMIT_TIMEOUT_MS;
	c->retransmit_tries = MOATD_DEFAULT_RETRANSMIT_TRIES;
	c->replay_window = MOAT_REPLAY_WINDOW_DEFAULT;
	c->encap = MOATD_ENCAP_AUTO;
	c->keepalive = MOATD_DEFAULT_KEEPALIVE;
	c->fragmentation = true;
	c->resumption_lifetime = MOATD_DEFAULT_TICKET_LIFETIME;
}

static int conn_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MOATD_CONN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-", s[i]) || !s[i])
			return 0;
	return 1;
}

static int conn_begin(struct parser *ps, const char *name, size_t n)
{
	struct moatd_config *cfg = ps->cfg;
	struct moatd_conn *grown;
	size_t i;

	if (!conn_name_ok(name, n))
		return fail(ps, ps->lineno, "\"%.*s\" is not a conn name (1 to %d of A-Z a-z 0-9 . _ -)",
			    (int)(n > SHOW ? SHOW : n), name,
			    MOATD_CONN_NAME_MAX);
	for (i = 0; i < cfg->n_conns; i++)
		if (strlen(cfg->conns[i].name) == n &&
		    !memcmp(cfg->conns[i].name, name, n))
			return fail(ps, ps->lineno, "duplicate conn name \"%.*s\" (first at line %d)",
				    (int)n, name, cfg->conns[i].line);
	grown = realloc(cfg->conns, (cfg->n_conns + 1) * sizeof(*grown));
	if (!grown)
		return fail(ps, ps->lineno, "out of memory");
	cfg->conns = grown;
	conn_init(&cfg->conns[cfg->n_conns++], name, n, ps->lineno);
	ps->section = SEC_CONN;
	return 0;
}

/* A "[...]" line: ends the section before and opens the next. */
static int section_begin(struct parser *ps, const char *line)
{
	const char *close = strchr(line, ']'), *name = line + 1;
	size_t n;

	if (conn_finish(ps))
		return -1;
	ps->seen = 0;
	ps->section = SEC_NONE;
	if (!close)
		return 0;	/* inih reports the syntax error */
	n = (size_t)(close - name);
	if (n == 5 && !memcmp(name, "moatd", 5)) {
		if (ps->moatd_seen)
			return fail(ps, ps->lineno, "[moatd] is given twice");
		ps->moatd_seen = true;
		ps->section = SEC_MOATD;
		return 0;
	}
	if (n == 5 && !memcmp(name, "guard", 5)) {
		if (ps->guard_seen)
			return fail(ps, ps->lineno, "[guard] is given twice");
		ps->guard_seen = true;
		ps->section = SEC_GUARD;
		return 0;
	}
	if (n > 5 && !memcmp(name, "conn", 4) && strchr(" \t", name[4])) {
		for (name += 5, n -= 5; n && strchr(" \t", *name); name++)
			n--;
		return conn_begin(ps, name, n);
	}
	return fail(ps, ps->lineno, "unknown section [%.*s] (expected [conn NAME], [moatd] or [guard])",
		    (int)(n > SHOW ? SHOW : n), line + 1);
}

/* ---- inih glue ---- */

/* inih's reader: one line per call, leading blanks and BOM removed. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	const char *line = ps->buf + ps->pos, *nl;
	size_t n;

	if (ps->err_line || ps->pos >= ps->len) {
		OPENSSL_cleanse(str, (size_t)num);	/* may hold a secret */
		return NULL;
	}
	nl = memchr(line, '\n', ps->len - ps->pos);
	n = nl ? (size_t)(nl - line) + 1 : ps->len - ps->pos;
	ps->pos += n;
	ps->lineno++;
	if (ps->lineno == 1 && n >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
		line += 3;
		n -= 3;
	}
	for (; n && (*line == ' ' || *line == '\t'); line++)
		n--;
	if (memchr(line, '\0', n)) {
		fail(ps, ps->lineno, "holds a NUL byte");
		return reader(str, num, stream);
	}
	if (n + 1 > (size_t)num) {
		fail(ps, ps->lineno, "is longer than %d characters", num - 2);
		return reader(str, num, stream);
	}
	memcpy(str, line, n);
	str[n] = '\0';
	if (*str == '[' && section_begin(ps, str))
		return reader(str, num, stream);
	return str;
}

static const struct key *key_find(const struct key *keys, size_t n,
				  const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Marks key @idx seen at this line; -1 (said why) if it was already. */
static int key_once(struct parser *ps, int idx, const char *name)
{
	if (key_set(ps, idx))
		return fail(ps, ps->lineno, "%s is set twice (first at line %d)",
			    name, ps->key_line[idx]);
	ps->seen |= 1ULL << idx;
	ps->key_line[idx] = ps->lineno;
	ps->why[0] = '\0';
	return 0;
}

static int guard_key(struct parser *ps, const char *name, const char *value)
{
	int idx = guard_conf_find(name);

	if (idx < 0)
		return fail(ps, ps->lineno, "unknown key \"%.*s\" in [guard]",
			    SHOW, name);
	if (key_once(ps, idx, name))
		return -1;
	if (guard_conf_set(&ps->cfg->guard, idx, value, ps->why,
			   sizeof(ps->why)))
		return fail(ps, ps->lineno, "%s: %s", name, ps->why);
	return 0;
}

static int handle_key(struct parser *ps, const char *name, const char *value)
{
	bool conn = ps->section == SEC_CONN;
	const struct key *keys = conn ? conn_keys : global_keys;
	const struct key *k;
	int idx;

	if (ps->section == SEC_GUARD)
		return guard_key(ps, name, value);
	if (ps->section == SEC_NONE)
		return fail(ps, ps->lineno, "\"%.*s\" is outside a section (expected [conn NAME], [moatd] or [guard] first)",
			    SHOW, name);
	k = key_find(keys, conn ? K_CONN_KEYS : K_GLOBAL_KEYS, name);
	if (!k)
		return fail(ps, ps->lineno, "unknown key \"%.*s\" in %s%s%s",
			    SHOW, name, conn ? "[conn " : "[moatd",
			    conn ? cur(ps)->name : "", "]");
	idx = (int)(k - keys);
	if (key_once(ps, idx, k->name))
		return -1;
	if (k->parse(ps, k, value))
		return fail(ps, ps->lineno, "%s: %s", k->name, ps->why);
	return 0;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parser *ps = user;

	(void)section;
	if (ps->err_line)
		return 0;
	if (!handle_key(ps, name, value))
		return 1;
	ps->handler_line = ps->lineno;
	return 0;
}

static int parse_buf(const char *buf, size_t len, const char *name,
		     const struct stat *st, struct moatd_config **out,
		     char *err, size_t errlen)
{
	struct parser ps = { .file = name, .buf = buf, .len = len, .st = st };
	int ret;

	*out = NULL;
	ps.cfg = calloc(1, sizeof(*ps.cfg));
	if (!ps.cfg) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	ps.cfg->log_level = MOATD_LOG_INFO;
	ps.cfg->puzzle_budget_ms = MOATD_DEFAULT_PUZZLE_BUDGET_MS;
	ps.cfg->puzzle_max_difficulty = MOATD_DEFAULT_PUZZLE_MAX_DIFFICULTY;
	ret = ini_parse_stream(reader, &ps, handler, &ps);
	if (!ps.err_line && !ret)
		conn_finish(&ps);
	/* An error line inih found that the handler did not: bad syntax. */
	if (ret > 0 && ret != ps.handler_line)
		snprintf(ps.err, sizeof(ps.err), "%s:%d: syntax error (expected [section], key = value or a comment)",
			 name, ret);
	else if (ret < 0 && !ps.err_line)
		snprintf(ps.err, sizeof(ps.err), "%s: out of memory", name);
	if (ret || ps.err_line) {
		snprintf(err, errlen, "%s", ps.err);
		moatd_config_free(ps.cfg);
		return -1;
	}
	*out = ps.cfg;
	return 0;
}

int moatd_config_parse(const char *text, size_t len, const char *name,
		       struct moatd_config **out, char *err, size_t errlen)
{
	return parse_buf(text, len, name, NULL, out, err, errlen);
}

/* Reads @fd whole into a buffer to be wiped; NULL with @err. */
static char *read_config(int fd, const char *path, struct stat *st,
			 size_t *len, char *err, size_t errlen)
{
	char pbuf[128];
	const char *problem;
	char *buf;
	ssize_t n;

	problem = fstat(fd, st) ? strerror(errno) :
		  file_problem(st, false, pbuf, sizeof(pbuf));
	if (problem) {
		snprintf(err, errlen, "%s: %s", path, problem);
		return NULL;
	}
	buf = malloc(MOATD_CONFIG_MAX_BYTES + 1);
	n = buf ? read_max(fd, buf, MOATD_CONFIG_MAX_BYTES) : -3;
	if (n >= 0) {
		*len = (size_t)n;
		return buf;
	}
	snprintf(err, errlen, "%s: %s", path, n == -1 ? "is larger than 1 MiB" :
		 n == -2 ? strerror(errno) : "out of memory");
	free(buf);
	return NULL;
}

int moatd_config_load(const char *path, struct moatd_config **out,
		      char *err, size_t errlen)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = read_config(fd, path, &st, &len, err, errlen);
	close(fd);
	if (!buf)
		return -1;
	ret = parse_buf(buf, len, path, &st, out, err, errlen);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return ret;
}

void moatd_config_free(struct moatd_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_conns; i++) {
		secmem_free(cfg->conns[i].psk);
		secmem_free(cfg->conns[i].ppk);
	}
	free(cfg->conns);
	free(cfg);
}

const struct moatd_conn *moatd_config_find(const struct moatd_config *cfg,
					   const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_conns; i++)
		if (!strcmp(cfg->conns[i].name, name))
			return &cfg->conns[i];
	return NULL;
}

/* ---- identities ---- */

static int id_text(struct moatd_id *id, uint8_t type, const char *s,
		   char *err, size_t errlen)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > MOATD_ID_MAX) {
		snprintf(err, errlen, "an identity has 1 to %d characters",
			 MOATD_ID_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			snprintf(err, errlen, "an identity is printable characters without blanks");
			return -1;
		}
	}
	id->type = type;
	id->len = (uint16_t)n;
	memcpy(id->data, s, n);
	return 0;
}

int moatd_id_parse(const char *s, struct moatd_id *id, char *err,
		   size_t errlen)
{
	struct moat_addr a;

	memset(id, 0, sizeof(*id));
	if (!strcmp(s, "%null")) {
		id->type = MOATD_ID_NULL;
		return 0;
	}
	if (!parse_addr(s, &a)) {
		addr_id(&a, id);
		return 0;
	}
	if (s[0] == '%') {
		snprintf(err, errlen, "\"%.*s\" is not an identity (%%null is the only %% word)",
			 SHOW, s);
		return -1;
	}
	if (s[0] == '@' && s[1] == '#') {
		snprintf(err, errlen, "key IDs (@#...) are not supported");
		return -1;
	}
	if (s[0] == '@' && s[1] == '@')
		return id_text(id, MOATD_ID_RFC822_ADDR, s + 2, err, errlen);
	if (s[0] == '@')
		return id_text(id, MOATD_ID_FQDN, s + 1, err, errlen);
	if (s[0] == '#') {
		/* "@#..." would be read back as a key ID. */
		snprintf(err, errlen, "a host name cannot start with '#'");
		return -1;
	}
	if (strchr(s, '=')) {
		snprintf(err, errlen, "distinguished names (with '=') are not supported");
		return -1;
	}
	return id_text(id, strchr(s, '@') ? MOATD_ID_RFC822_ADDR : MOATD_ID_FQDN,
		       s, err, errlen);
}

const char *moatd_id_format(const struct moatd_id *id, char *buf, size_t len)
{
	struct moat_addr a;
	int n = id->len > MOATD_ID_MAX ? MOATD_ID_MAX : id->len;
	const char *text = (const char *)id->data;

	if (!len)
		return buf;
	switch (id->type) {
	case MOATD_ID_IPV4_ADDR:
	case MOATD_ID_IPV6_ADDR:
		addr_from_raw(&a, id->type == MOATD_ID_IPV4_ADDR ? AF_INET :
			      AF_INET6, id->data, id->len);
		return format_addr(&a, buf, len);
	case MOATD_ID_NULL:
		snprintf(buf, len, "%%null");
		return buf;
	case MOATD_ID_FQDN:
		snprintf(buf, len, "@%.*s", n, text);
		return buf;
	case MOATD_ID_RFC822_ADDR:
		snprintf(buf, len, "%s%.*s", text[0] == '@' || !memchr(text, '@', n) ||
			 memchr(text, '=', n) ? "@@" : "", n, text);
		return buf;
	}
	snprintf(buf, len, "?");
	return buf;
}

int moatd_id_equal(const struct moatd_id *a, const struct moatd_id *b)
{
	return a->type == b->type && a->len == b->len &&
	       a->len <= MOATD_ID_MAX && !memcmp(a->data, b->data, a->len);
}
