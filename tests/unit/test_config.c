// SPDX-License-Identifier: GPL-2.0
/* moatd.conf: every key, every default, every error with its file:line. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "harness.h"
#include "secmem.h"

#define MIN_CONN "[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n" \
		 "psk = \"secret\"\n"

static struct moatd_config *cfg_ok(const char *text)
{
	struct moatd_config *cfg;
	char err[512];

	if (moatd_config_parse(text, strlen(text), "t.conf", &cfg, err,
			       sizeof(err))) {
		fprintf(stderr, "    refused: %s\n", err);
		return NULL;
	}
	return cfg;
}

/* Refused with exactly @want ("t.conf:LINE: ..."). */
static int cfg_err(const char *text, const char *want)
{
	struct moatd_config *cfg = (void *)1;
	char err[512];

	if (!moatd_config_parse(text, strlen(text), "t.conf", &cfg, err,
				sizeof(err))) {
		fprintf(stderr, "    accepted, want \"%s\"\n", want);
		moatd_config_free(cfg);
		return 0;
	}
	if (strcmp(err, want) || cfg) {
		fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n", err, want);
		return 0;
	}
	return 1;
}

/* cfg_err for MIN_CONN followed by @extra (which starts at line 5). */
static int conn_err(const char *extra, const char *want)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", MIN_CONN, extra);
	return cfg_err(text, want);
}

static int pfx_is(const struct moat_prefix *p, const char *want)
{
	char buf[MOAT_PREFIX_STRLEN];

	format_prefix(p, buf, sizeof(buf));
	if (strcmp(buf, want))
		fprintf(stderr, "    prefix %s, want %s\n", buf, want);
	return !strcmp(buf, want);
}

static int id_is(const struct moatd_id *id, const char *want)
{
	char buf[300];

	moatd_id_format(id, buf, sizeof(buf));
	if (strcmp(buf, want))
		fprintf(stderr, "    id %s, want %s\n", buf, want);
	return !strcmp(buf, want);
}

static const char *prop(const struct ike_sa *sa, size_t i)
{
	static char buf[256];

	return i < sa->n ? proposal_format(&sa->prop[i], buf, sizeof(buf)) : "";
}

TEST(config_defaults)
{
	struct moatd_config *cfg = cfg_ok(MIN_CONN);
	const struct moatd_conn *c;

	CHECK(cfg);
	if (!cfg)
		return;
	CHECK(cfg->log_level == MOATD_LOG_INFO);
	CHECK(cfg->puzzle_budget_ms == 1000);
	CHECK(cfg->puzzle_max_difficulty == 20);
	CHECK(cfg->n_conns == 1);
	c = moatd_config_find(cfg, "a");
	CHECK(c == &cfg->conns[0] && !moatd_config_find(cfg, "b"));
	CHECK(!strcmp(c->name, "a") && c->line == 1);
	CHECK(!strcmp(c->dev, "moat0"));
	CHECK(c->local.family == AF_INET && c->remote.family == AF_INET);
	CHECK(!c->remote_any);
	CHECK(c->local_id.type == MOATD_ID_IPV4_ADDR && id_is(&c->local_id, "192.0.2.1"));
	CHECK(c->remote_id.type == MOATD_ID_IPV4_ADDR && id_is(&c->remote_id, "192.0.2.2"));
	CHECK(c->auth == MOATD_AUTH_PSK);
	CHECK(c->psk_len == 6 && !memcmp(c->psk, "secret", 6));
	CHECK(secmem_len(c->psk) == 6);	/* locked memory */
	CHECK(!c->ppk && c->ppk_len == 0 && !c->ppk_id[0] && !c->ppk_required);
	CHECK(c->n_local_ts == 1 && pfx_is(&c->local_ts[0], "192.0.2.1/32"));
	CHECK(c->n_remote_ts == 1 && pfx_is(&c->remote_ts[0], "192.0.2.2/32"));
	CHECK(c->ike.n == 3);
	CHECK(!strcmp(prop(&c->ike, 0), "aes128gcm16-prfsha256-x25519"));
	CHECK(!strcmp(prop(&c->ike, 1), "aes256gcm16-prfsha384-x25519"));
	CHECK(!strcmp(prop(&c->ike, 2), "chacha20poly1305-prfsha256-x25519"));
	CHECK(c->esp.n == 3);
	CHECK(!strcmp(prop(&c->esp, 0), "aes128gcm16-noesn"));
	CHECK(!strcmp(prop(&c->esp, 2), "chacha20poly1305-noesn"));
	CHECK(c->ike_rekey_time == 4 * 3600 && c->ike_life_time == 4 * 3600 + 1440);
	CHECK(c->rekey_time == 3600 && c->life_time == 3960);
	CHECK(c->dpd_delay == 30);
	CHECK(c->retransmit_timeout_ms == 4000 && c->retransmit_tries == 5);
	CHECK(c->replay_window == 1024);
	CHECK(c->encap == MOATD_ENCAP_AUTO && c->fragmentation && !c->start);
	CHECK(c->keepalive == 20);
	CHECK(c->fragment_size == 0);
	moatd_config_free(cfg);
}

static const char all_keys[] =
	"# every key\n"
	"[moatd]\n"
	"log-level = debug\n"
	"puzzle-budget = 250ms\n"
	"[conn full]\n"
	"dev = moat7\n"
	"local = 2001:db8::1\n"
	"remote = 2001:db8::2\n"
	"local-id = @gw1.example\n"
	"remote-id = alice@example.org\n"
	"auth = psk\n"
	"psk = 0x00FF10\n"
	"ppk-id = ppk1\n"
	"ppk = 0x0102030405060708\n"
	"ppk-required = yes\n"
	"local-ts = 10.1.0.0/16,fd00:1::/64\n"
	"remote-ts = 10.2.0.0/16\n"
	"ike = aes256gcm16-prfsha384-ecp256\n"
	"esp = chacha20poly1305-esn,aes128gcm16-modp2048\n"
	"start = yes\n"
	"ike-rekey-time = 2h\n"
	"ike-life-time = 1d\n"
	"rekey-time = 20m\n"
	"life-time = 1800\n"
	"dpd-delay = 0\n"
	"retransmit-timeout = 1500ms\n"
	"retransmit-tries = 3\n"
	"replay-window = 65536\n"
	"encap = yes\n"
	"keepalive = 45s\n"
	"fragmentation = no\n"
	"fragment-size = 1400\n";

TEST(config_every_key)
{
	struct moatd_config *cfg = cfg_ok(all_keys);
	const struct moatd_conn *c;

	CHECK(cfg);
	if (!cfg)
		return;
	CHECK(cfg->log_level == MOATD_LOG_DEBUG && cfg->puzzle_budget_ms == 250);
	c = &cfg->conns[0];
	CHECK(!strcmp(c->name, "full") && c->line == 5);
	CHECK(!strcmp(c->dev, "moat7") && c->local.family == AF_INET6);
	CHECK(c->local_id.type == MOATD_ID_FQDN && id_is(&c->local_id, "@gw1.example"));
	CHECK(c->remote_id.type == MOATD_ID_RFC822_ADDR);
	CHECK(id_is(&c->remote_id, "alice@example.org"));
	CHECK(c->psk_len == 3 && !memcmp(c->psk, "\x00\xff\x10", 3));
	CHECK(!strcmp(c->ppk_id, "ppk1") && c->ppk_len == 8 && c->ppk[7] == 8);
	CHECK(secmem_len(c->ppk) == 8 && c->ppk_required);
	CHECK(c->n_local_ts == 2 && pfx_is(&c->local_ts[1], "fd00:1::/64"));
	CHECK(c->n_remote_ts == 1 && pfx_is(&c->remote_ts[0], "10.2.0.0/16"));
	CHECK(c->ike.n == 1 && !strcmp(prop(&c->ike, 0), "aes256gcm16-prfsha384-ecp256"));
	CHECK(c->esp.n == 2 && !strcmp(prop(&c->esp, 0), "chacha20poly1305-esn"));
	CHECK(!strcmp(prop(&c->esp, 1), "aes128gcm16-modp2048-noesn"));
	CHECK(c->start);
	CHECK(c->ike_rekey_time == 7200 && c->ike_life_time == 86400);
	CHECK(c->rekey_time == 1200 && c->life_time == 1800);
	CHECK(c->dpd_delay == 0);
	CHECK(c->retransmit_timeout_ms == 1500 && c->retransmit_tries == 3);
	CHECK(c->replay_window == 65536);
	CHECK(c->encap == MOATD_ENCAP_YES && !c->fragmentation);
	CHECK(c->keepalive == 45);
	CHECK(c->fragment_size == 1400);
	moatd_config_free(cfg);
}

TEST(config_values_accepted)
{
	static const char *const ok[] = {
		"encap = no\n", "encap = auto\n", "fragmentation = yes\n",
		"start = no\n", "replay-window = 0\n", "retransmit-tries = 20\n",
		"retransmit-timeout = 100ms\n", "retransmit-timeout = 1m\n",
		"rekey-time = 0\n", "life-time = 365d\n", "dpd-delay = 2m\n",
		"keepalive = 0\n",
		"auth = psk\n", "remote-ts = 0.0.0.0/0,::/0\n",
		"ike-rekey-time = 0\nike-life-time = 0\n",
		"dev = a23456789012345\n", "fragment-size = auto\n",
		"fragment-size = 512\n", "fragment-size = 65535\n",
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct moatd_config *cfg;

		snprintf(text, sizeof(text), "%s%s", MIN_CONN, ok[i]);
		cfg = cfg_ok(text);
		if (!cfg)
			fprintf(stderr, "    for %s", ok[i]);
		CHECK(cfg);
		moatd_config_free(cfg);
	}
}

TEST(config_lifetime_defaults_follow_rekey)
{
	struct moatd_config *cfg;

	cfg = cfg_ok(MIN_CONN "rekey-time = 10m\nike-rekey-time = 5s\n");
	CHECK(cfg && cfg->conns[0].life_time == 660);
	CHECK(cfg && cfg->conns[0].ike_life_time == 6);	/* at least +1s */
	moatd_config_free(cfg);
	cfg = cfg_ok(MIN_CONN "rekey-time = 0\n");
	CHECK(cfg && cfg->conns[0].life_time == 0);
	moatd_config_free(cfg);
}

TEST(config_identities)
{
	static const struct { const char *in; int type; const char *out; } t[] = {
		{ "192.0.2.9", MOATD_ID_IPV4_ADDR, "192.0.2.9" },
		{ "2001:db8::9", MOATD_ID_IPV6_ADDR, "2001:db8::9" },
		{ "@host.example", MOATD_ID_FQDN, "@host.example" },
		{ "host.example", MOATD_ID_FQDN, "@host.example" },
		{ "@192.0.2.9", MOATD_ID_FQDN, "@192.0.2.9" },
		{ "user@example", MOATD_ID_RFC822_ADDR, "user@example" },
		{ "@@user", MOATD_ID_RFC822_ADDR, "@@user" },
		{ "@@a=b@c", MOATD_ID_RFC822_ADDR, "@@a=b@c" },
		{ "%null", MOATD_ID_NULL, "%null" },
	};
	struct moatd_id id, back;
	char err[128], buf[300];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(moatd_id_parse(t[i].in, &id, err, sizeof(err)) == 0);
		CHECK(id.type == t[i].type && id_is(&id, t[i].out));
		/* What format writes parses back to the same identity. */
		moatd_id_format(&id, buf, sizeof(buf));
		CHECK(moatd_id_parse(buf, &back, err, sizeof(err)) == 0);
		CHECK(moatd_id_equal(&id, &back));
	}
	CHECK(moatd_id_parse("192.0.2.9", &id, err, sizeof(err)) == 0);
	CHECK(id.len == 4 && !memcmp(id.data, "\xc0\x00\x02\x09", 4));
	CHECK(moatd_id_parse("@host.example", &id, err, sizeof(err)) == 0);
	CHECK(id.len == 12 && !memcmp(id.data, "host.example", 12));
	CHECK(moatd_id_parse("%null", &id, err, sizeof(err)) == 0 && id.len == 0);
}

TEST(config_identity_errors)
{
	static const struct { const char *in, *err; } t[] = {
		{ "%any", "\"%any\" is not an identity (%null is the only % word)" },
		{ "%nul", "\"%nul\" is not an identity (%null is the only % word)" },
		{ "@#0102", "key IDs (@#...) are not supported" },
		{ "C=CH, O=Moat", "distinguished names (with '=') are not supported" },
		{ "CN=x", "distinguished names (with '=') are not supported" },
		{ "", "an identity has 1 to 255 characters" },
		{ "@", "an identity has 1 to 255 characters" },
		{ "a b", "an identity is printable characters without blanks" },
		{ "#host", "a host name cannot start with '#'" },
		{ "caf\xc3\xa9", "an identity is printable characters without blanks" },
	};
	char err[128], longid[300];
	struct moatd_id id;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(moatd_id_parse(t[i].in, &id, err, sizeof(err)) == -1);
		if (strcmp(err, t[i].err))
			fprintf(stderr, "    %s: got \"%s\"\n", t[i].in, err);
		CHECK(!strcmp(err, t[i].err));
	}
	memset(longid, 'a', 255);
	longid[255] = '\0';
	CHECK(moatd_id_parse(longid, &id, err, sizeof(err)) == 0 && id.len == 255);
	strcat(longid, "a");
	CHECK(moatd_id_parse(longid, &id, err, sizeof(err)) == -1);
}

TEST(config_auth_null)
{
	struct moatd_config *cfg;
	const struct moatd_conn *c;

	cfg = cfg_ok("[conn oe]\nlocal = 192.0.2.1\nremote = %any\nauth = null\n");
	CHECK(cfg);
	if (!cfg)
		return;
	c = &cfg->conns[0];
	CHECK(c->auth == MOATD_AUTH_NULL && c->remote_any && !c->psk);
	CHECK(c->remote.family == 0);
	CHECK(c->local_id.type == MOATD_ID_NULL && c->local_id.len == 0);
	CHECK(c->remote_id.type == MOATD_ID_NULL);
	CHECK(c->n_local_ts == 1 && c->n_remote_ts == 0);
	moatd_config_free(cfg);
	/* An explicit identity still counts with auth = null. */
	cfg = cfg_ok("[conn n]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
		     "auth = null\nlocal-id = @me.example\n");
	CHECK(cfg && id_is(&cfg->conns[0].local_id, "@me.example"));
	CHECK(cfg && cfg->conns[0].remote_id.type == MOATD_ID_NULL);
	moatd_config_free(cfg);
}

TEST(config_null_one_side)
{
	struct moatd_config *cfg;
	const struct moatd_conn *c;

	/* A client that only encrypts, toward a gateway with a PSK. */
	cfg = cfg_ok("[conn c]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
		     "local-auth = null\npsk = \"k\"\n");
	c = cfg ? &cfg->conns[0] : NULL;
	CHECK(c && c->local_auth == MOATD_AUTH_NULL &&
	      c->remote_auth == MOATD_AUTH_PSK);
	CHECK(c && c->local_id.type == MOATD_ID_NULL &&
	      c->remote_id.type == MOATD_ID_IPV4_ADDR);
	moatd_config_free(cfg);
	/* The gateway: any client, NULL from them, the PSK from us. */
	cfg = cfg_ok("[conn g]\nlocal = 192.0.2.2\nremote = %any\n"
		     "remote-auth = null\npsk = \"k\"\n");
	c = cfg ? &cfg->conns[0] : NULL;
	CHECK(c && c->local_auth == MOATD_AUTH_PSK &&
	      c->remote_auth == MOATD_AUTH_NULL);
	CHECK(c && c->remote_id.type == MOATD_ID_NULL);
	moatd_config_free(cfg);
}

TEST(config_remote_any_psk)
{
	struct moatd_config *cfg;

	cfg = cfg_ok("[conn r]\nlocal = 192.0.2.1\nremote = %any\n"
		     "remote-id = @road.example\npsk = \"k\"\n");
	CHECK(cfg && cfg->conns[0].remote_any && cfg->conns[0].n_remote_ts == 0);
	CHECK(cfg && id_is(&cfg->conns[0].remote_id, "@road.example"));
	moatd_config_free(cfg);
}

TEST(config_conns_told_apart_by_identity)
{
	struct moatd_config *cfg;
	static const char two[] =
		"[conn alice]\nlocal = 192.0.2.1\nremote = %any\n"
		"remote-id = alice@example\npsk = \"a\"\n"
		"[conn bob]\nlocal = 192.0.2.1\nremote = %any\n"
		"remote-id = bob@example\npsk = \"b\"\n"
		"[conn gw]\nlocal = 192.0.2.1\nremote = 192.0.2.2\npsk = \"c\"\n"
		"[conn gw-b]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
		"local-id = @other\npsk = \"d\"\n";

	cfg = cfg_ok(two);
	CHECK(cfg && cfg->n_conns == 4);
	CHECK(cfg && moatd_config_find(cfg, "bob") == &cfg->conns[1]);
	CHECK(cfg && moatd_config_find(cfg, "bob")->psk[0] == 'b');
	CHECK(cfg && moatd_config_find(cfg, "gw-b")->line == 15);
	moatd_config_free(cfg);
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\npsk = \"a\"\n"
		      "[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.2\npsk = \"b\"\n",
		      "t.conf:5: conn \"b\" cannot be told apart from conn \"a\" (line 1): same addresses and identities"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = %any\nremote-id = x@y\npsk = \"a\"\n"
		      "[conn b]\nlocal = 192.0.2.1\nremote = %any\nremote-id = x@y\npsk = \"b\"\n",
		      "t.conf:6: conn \"b\" cannot be told apart from conn \"a\" (line 1): same addresses and identities"));
}

TEST(config_layout_comments_bom_crlf)
{
	struct moatd_config *cfg;
	static const char text[] =
		"\xef\xbb\xbf# a comment\n"
		"; another\n"
		"\n"
		"[conn a]\r\n"
		"    local = 192.0.2.1\r\n"
		"\tremote = 192.0.2.2   ; inline comment\n"
		"  psk = \"x y\"\n"
		"   dev = moat1\n";

	cfg = cfg_ok(text);
	CHECK(cfg && cfg->n_conns == 1 && cfg->conns[0].line == 4);
	CHECK(cfg && !strcmp(cfg->conns[0].dev, "moat1"));
	CHECK(cfg && cfg->conns[0].psk_len == 3);
	CHECK(cfg && cfg->conns[0].remote.u.b[3] == 2);
	moatd_config_free(cfg);
	/* Empty files and comment-only files hold no connection. */
	cfg = cfg_ok("");
	CHECK(cfg && cfg->n_conns == 0 && !cfg->conns);
	moatd_config_free(cfg);
	cfg = cfg_ok("[moatd]\n# nothing\n");
	CHECK(cfg && cfg->n_conns == 0);
	moatd_config_free(cfg);
}

TEST(config_structure_errors)
{
	CHECK(cfg_err("dev = moat0\n",
		      "t.conf:1: \"dev\" is outside a section (expected [conn NAME], [moatd] or [guard] first)"));
	CHECK(cfg_err("[conn]\n",
		      "t.conf:1: unknown section [conn] (expected [conn NAME], [moatd] or [guard])"));
	CHECK(cfg_err("# x\n[peer a]\n",
		      "t.conf:2: unknown section [peer a] (expected [conn NAME], [moatd] or [guard])"));
	CHECK(cfg_err("[conn a/b]\n",
		      "t.conf:1: \"a/b\" is not a conn name (1 to 63 of A-Z a-z 0-9 . _ -)"));
	CHECK(cfg_err("[conn a b]\n",
		      "t.conf:1: \"a b\" is not a conn name (1 to 63 of A-Z a-z 0-9 . _ -)"));
	CHECK(cfg_err(MIN_CONN "[conn a]\n",
		      "t.conf:5: duplicate conn name \"a\" (first at line 1)"));
	CHECK(cfg_err("[moatd]\n[moatd]\n", "t.conf:2: [moatd] is given twice"));
	CHECK(conn_err("colour = blue\n",
		       "t.conf:5: unknown key \"colour\" in [conn a]"));
	CHECK(cfg_err("[moatd]\ndev = moat0\n",
		      "t.conf:2: unknown key \"dev\" in [moatd]"));
	CHECK(conn_err("local = 192.0.2.3\n",
		       "t.conf:5: local is set twice (first at line 2)"));
	CHECK(cfg_err("[moatd]\nlog-level = info\nlog-level = info\n",
		      "t.conf:3: log-level is set twice (first at line 2)"));
	CHECK(conn_err("just words\n",
		       "t.conf:5: syntax error (expected [section], key = value or a comment)"));
	CHECK(conn_err("[conn b\n",
		       "t.conf:5: syntax error (expected [section], key = value or a comment)"));
	/* A syntax error before a missing key is the one reported. */
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\noops\n[conn b]\n",
		      "t.conf:3: syntax error (expected [section], key = value or a comment)"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\noops\n",
		      "t.conf:3: syntax error (expected [section], key = value or a comment)"));
	/* A syntax error before a bad value is the one reported. */
	CHECK(conn_err("oops\ndev = a/b\n",
		       "t.conf:5: syntax error (expected [section], key = value or a comment)"));
}

TEST(config_nul_and_long_lines)
{
	static const char nul[] = "[conn a]\nlocal = 1\0.2.3.4\n";
	struct moatd_config *cfg = NULL;
	char err[256], text[600];

	CHECK(moatd_config_parse(nul, sizeof(nul) - 1, "t.conf", &cfg, err,
				 sizeof(err)) == -1 && !cfg);
	CHECK(!strcmp(err, "t.conf:2: holds a NUL byte"));
	snprintf(text, sizeof(text), "[conn a]\nremote-ts = 10.0.0.0/8%0250d\n", 0);
	CHECK(cfg_err(text, "t.conf:2: is longer than 198 characters"));
}

TEST(config_required_and_cross_key_errors)
{
	CHECK(cfg_err("[conn a]\nremote = 192.0.2.2\npsk = \"k\"\n",
		      "t.conf:1: conn \"a\": missing required key local"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\npsk = \"k\"\n[conn b]\n",
		      "t.conf:1: conn \"a\": missing required key remote"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n",
		      "t.conf:1: conn \"a\": auth = psk needs psk or psk-file"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\nauth = psk\n",
		      "t.conf:4: conn \"a\": auth = psk needs psk or psk-file"));
	CHECK(conn_err("auth = null\n",
		       "t.conf:4: psk is set but neither side uses auth = psk"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\nauth = null\nremote-auth = psk\n",
		      "t.conf:5: conn \"a\": remote-auth = psk needs psk or psk-file"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\nlocal-auth = foo\n",
		      "t.conf:4: local-auth: \"foo\" is not psk or null"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = %any\npsk = \"k\"\n",
		      "t.conf:3: remote = %any needs remote-id (the identity the peers must show)"));
	CHECK(conn_err("remote-id = %any\n",
		       "t.conf:5: remote-id: \"%any\" is not an identity (%null is the only % word)"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = %any\nauth = null\nstart = yes\n",
		      "t.conf:5: start = yes needs a remote address, not %any"));
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2.1\nremote = 2001:db8::2\npsk = \"k\"\n",
		      "t.conf:3: remote and local are not of one address family"));
	CHECK(conn_err("ppk = 0x0102\n", "t.conf:5: ppk needs ppk-id"));
	CHECK(conn_err("ppk-id = p1\n", "t.conf:5: ppk-id needs ppk or ppk-file"));
	CHECK(conn_err("ppk-required = yes\n",
		       "t.conf:5: ppk-required = yes needs ppk-id with ppk or ppk-file"));
	CHECK(conn_err("life-time = 1h\n",
		       "t.conf:5: life-time (3600s) must be longer than rekey-time (3600s)"));
	CHECK(conn_err("rekey-time = 2h\nlife-time = 90m\n",
		       "t.conf:6: life-time (5400s) must be longer than rekey-time (7200s)"));
	CHECK(conn_err("ike-life-time = 1h\n",
		       "t.conf:5: ike-life-time (3600s) must be longer than ike-rekey-time (14400s)"));
}

TEST(config_value_errors)
{
	static const struct { const char *line, *err; } t[] = {
		{ "dev = a/b", "dev: \"a/b\" is not a device name (1 to 15 characters, no '/', ':' or blanks)" },
		{ "dev = a234567890123456", "dev: \"a234567890123456\" is not a device name (1 to 15 characters, no '/', ':' or blanks)" },
		{ "dev =", "dev: \"\" is not a device name (1 to 15 characters, no '/', ':' or blanks)" },
		{ "local-id = @#01", "local-id: key IDs (@#...) are not supported" },
		{ "auth = pubkey", "auth: \"pubkey\" is not psk or null" },
		{ "ppk-id = a b", "ppk-id: must be printable characters without blanks" },
		{ "ppk-id =", "ppk-id: must be 1 to 64 characters" },
		{ "ppk-required = true", "ppk-required: \"true\" is not yes or no" },
		{ "start = 1", "start: \"1\" is not yes or no" },
		{ "fragmentation = maybe", "fragmentation: \"maybe\" is not yes or no" },
		{ "fragment-size = 511", "fragment-size: \"511\" is not a number from 512 to 65535" },
		{ "fragment-size = 65536", "fragment-size: \"65536\" is not a number from 512 to 65535" },
		{ "fragment-size = small", "fragment-size: \"small\" is not a number from 512 to 65535" },
		{ "encap = udp", "encap: \"udp\" is not yes, no or auto" },
		{ "local-ts = 10.1.0.0/33", "local-ts: \"10.1.0.0/33\" has a prefix length above 32" },
		{ "remote-ts = 10.2.0.1/16", "remote-ts: \"10.2.0.1/16\" has host bits set; write 10.2.0.0/16" },
		{ "remote-ts = 10.2.0.0/16,,10.3.0.0/16", "remote-ts: element 2 is empty" },
		{ "local-ts = host", "local-ts: \"host\" is not an IPv4 or IPv6 prefix" },
		{ "local-ts =", "local-ts: no prefixes given" },
		{ "ike = aes128gcm16-prfsha256-x448", "ike: unknown keyword \"x448\" in ike proposal 1" },
		{ "esp = aes128gcm16-prfsha256", "esp: keyword \"prfsha256\" does not belong in an esp proposal (esp proposal 1)" },
		{ "rekey-time = 1w", "rekey-time: \"1w\" is not a duration (a number with s, m, h or d after it)" },
		{ "rekey-time = -1", "rekey-time: \"-1\" is not a duration (a number with s, m, h or d after it)" },
		{ "rekey-time = 1.5h", "rekey-time: \"1.5h\" is not a duration (a number with s, m, h or d after it)" },
		{ "rekey-time = 1 h", "rekey-time: \"1 h\" is not a duration (a number with s, m, h or d after it)" },
		{ "rekey-time = 99999999999999", "rekey-time: \"99999999999999\" is not a duration (a number with s, m, h or d after it)" },
		{ "life-time = 366d", "life-time: 366d is out of range (0s to 31536000s)" },
		{ "life-time = 999999999999d", "life-time: \"999999999999d\" is not a duration (a number with s, m, h or d after it)" },
		{ "life-time = 213503982335d", "life-time: \"213503982335d\" is not a duration (a number with s, m, h or d after it)" },
		{ "dpd-delay = 1500ms", "dpd-delay: 1500ms is not a whole number of seconds" },
		{ "keepalive = 20ms", "keepalive: 20ms is not a whole number of seconds" },
		{ "keepalive = often", "keepalive: \"often\" is not a duration (a number with s, m, h or d after it)" },
		{ "ike-rekey-time = h", "ike-rekey-time: \"h\" is not a duration (a number with s, m, h or d after it)" },
		{ "retransmit-timeout = 50ms", "retransmit-timeout: 50ms is out of range (0s to 60s)" },
		{ "retransmit-timeout = 61s", "retransmit-timeout: 61s is out of range (0s to 60s)" },
		{ "retransmit-tries = 0", "retransmit-tries: \"0\" is not a number from 1 to 20" },
		{ "retransmit-tries = 21", "retransmit-tries: \"21\" is not a number from 1 to 20" },
		{ "replay-window = 65537", "replay-window: \"65537\" is not a number from 0 to 65536" },
		{ "replay-window = lots", "replay-window: \"lots\" is not a number from 0 to 65536" },
	};
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char line[256];

		snprintf(line, sizeof(line), "%s\n", t[i].line);
		snprintf(want, sizeof(want), "t.conf:5: %s", t[i].err);
		CHECK(conn_err(line, want));
	}
}

TEST(config_endpoint_errors)
{
	CHECK(cfg_err("[conn a]\nlocal = 192.0.2\n",
		      "t.conf:2: local: \"192.0.2\" is not an IPv4 or IPv6 address"));
	CHECK(cfg_err("[conn a]\nlocal = 0.0.0.0\n",
		      "t.conf:2: local: 0.0.0.0 is the unspecified address"));
	CHECK(cfg_err("[conn a]\nremote = 224.0.0.1\n",
		      "t.conf:2: remote: 224.0.0.1 is a multicast address"));
	CHECK(cfg_err("[conn a]\nremote = any\n",
		      "t.conf:2: remote: \"any\" is not an IPv4 or IPv6 address"));
}

TEST(config_global_errors)
{
	CHECK(cfg_err("[moatd]\nlog-level = verbose\n",
		      "t.conf:2: log-level: \"verbose\" is not error, warning, notice, info or debug"));
	CHECK(cfg_err("[moatd]\npuzzle-budget = 2m\n",
		      "t.conf:2: puzzle-budget: 2m is out of range (0s to 60s)"));
	CHECK(cfg_err("[moatd]\n\npuzzle-max-difficulty = 65\n",
		      "t.conf:3: puzzle-max-difficulty: \"65\" is not a number from 0 to 64"));
	CHECK(cfg_err("[moatd]\npuzzle-max-difficulty = -1\n",
		      "t.conf:2: puzzle-max-difficulty: \"-1\" is not a number from 0 to 64"));
	struct moatd_config *cfg = cfg_ok("[moatd]\npuzzle-budget = 0\nlog-level = error\n");

	CHECK(cfg && cfg->puzzle_budget_ms == 0 && cfg->log_level == MOATD_LOG_ERROR);
	moatd_config_free(cfg);
	cfg = cfg_ok("[moatd]\npuzzle-max-difficulty = 16\n");
	CHECK(cfg && cfg->puzzle_max_difficulty == 16);
	moatd_config_free(cfg);
}

TEST(config_secret_values)
{
	struct moatd_config *cfg;

	CHECK(conn_err("[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.3\npsk = 0x123\n",
		       "t.conf:8: psk: 0x needs an even number of hex digits, 2 to 2048"));
	CHECK(conn_err("[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.3\npsk = 0xgg\n",
		       "t.conf:8: psk: 0x is followed by a character that is not a hex digit"));
	CHECK(conn_err("[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.3\npsk = plain\n",
		       "t.conf:8: psk: must be 0x followed by hex digits, or text in double quotes"));
	CHECK(conn_err("[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.3\npsk = \"\"\n",
		       "t.conf:8: psk: must be 0x followed by hex digits, or text in double quotes"));
	CHECK(conn_err("[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.3\npsk = \"a\"b\"\n",
		       "t.conf:8: psk: must be 0x followed by hex digits, or text in double quotes"));
	CHECK(conn_err("[conn b]\nlocal = 192.0.2.1\nremote = 192.0.2.3\npsk = 0x\n",
		       "t.conf:8: psk: must be 0x followed by hex digits, or text in double quotes"));
	/* A message never repeats the secret. */
	CHECK(conn_err("psk-file = /nonexistent/k\n",
		       "t.conf:5: psk-file: psk is already set (psk and psk-file, or ppk and ppk-file, exclude each other)"));
	cfg = cfg_ok("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\npsk = 0XAbCd\n");
	CHECK(cfg && cfg->conns[0].psk_len == 2 && cfg->conns[0].psk[0] == 0xab);
	moatd_config_free(cfg);
}

/* ---- files: modes, owners, psk-file and ppk-file ---- */

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/moatd-test.XXXXXX");
		if (!mkdtemp(tmpdir))
			return "/nonexistent";
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	const char *path = tmp_path(name);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fprintf(stderr, "    cannot write %s\n", path);
	if (fd >= 0) {
		if (fchmod(fd, mode))
			fprintf(stderr, "    cannot chmod %s\n", path);
		close(fd);
	}
	return path;
}

/* Loads @path; 0 and frees, or -1 with the message in @err. */
static int load(const char *path, char *err, size_t errlen)
{
	struct moatd_config *cfg = NULL;
	int ret = moatd_config_load(path, &cfg, err, errlen);

	CHECK(ret ? !cfg : !!cfg);
	moatd_config_free(cfg);
	return ret;
}

/* Whether loading @path fails with "@path@suffix". */
static int load_err(const char *path, const char *suffix)
{
	char err[512], want[512];

	snprintf(want, sizeof(want), "%s%s", path, suffix);
	if (!load(path, err, sizeof(err))) {
		fprintf(stderr, "    %s: accepted\n", path);
		return 0;
	}
	if (strcmp(err, want))
		fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n", err, want);
	return !strcmp(err, want);
}

TEST(config_file_modes)
{
	static const char nosecret[] =
		"[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\nauth = null\n";
	const char *p;
	char err[512];

	p = write_file("secret.conf", MIN_CONN, 0600);
	CHECK(load(p, err, sizeof(err)) == 0);
	p = write_file("secret.conf", MIN_CONN, 0400);
	CHECK(load(p, err, sizeof(err)) == 0);
	p = write_file("secret.conf", MIN_CONN, 0644);
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "%s:4: psk: %s holds a secret but is readable by group or others (mode 0644); chmod 600 it",
			 p, p);
		CHECK(load(p, err, sizeof(err)) == -1 && !strcmp(err, want));
	}
	p = write_file("secret.conf", MIN_CONN, 0640);
	CHECK(load(p, err, sizeof(err)) == -1 && strstr(err, "(mode 0640)"));
	p = write_file("secret.conf", MIN_CONN, 0604);
	CHECK(load(p, err, sizeof(err)) == -1 && strstr(err, "(mode 0604)"));
	/* Without secrets, others may read it; nobody else may write it. */
	p = write_file("plain.conf", nosecret, 0644);
	CHECK(load(p, err, sizeof(err)) == 0);
	p = write_file("plain.conf", nosecret, 0664);
	CHECK(load_err(p, ": is writable by group or others (mode 0664)"));
	p = write_file("plain.conf", nosecret, 0646);
	CHECK(load_err(p, ": is writable by group or others (mode 0646)"));
	CHECK(load_err(tmp_path("missing.conf"), ": No such file or directory"));
	CHECK(load_err(tmpdir, ": is not a regular file"));
}

TEST(config_file_owner)
{
	const char *p = write_file("owned.conf", MIN_CONN, 0600);
	char err[512];

	if (geteuid() != 0) {
		fprintf(stderr, "    (not root: owner check not tested)\n");
		return;
	}
	CHECK(chown(p, 65534, 0) == 0);
	CHECK(load_err(p, ": is owned by uid 65534, not by root"));
	CHECK(chown(p, 0, 65534) == 0);	/* another group is fine at 0600 */
	CHECK(load(p, err, sizeof(err)) == 0);
}

static struct moatd_config *load_text(const char *text, char *err,
				      size_t errlen)
{
	const char *p = write_file("k.conf", text, 0644);
	struct moatd_config *cfg = NULL;

	if (moatd_config_load(p, &cfg, err, errlen))
		return NULL;
	return cfg;
}

TEST(config_secret_files)
{
	char text[512], err[512], want[600], kpath[128];
	struct moatd_config *cfg;
	const char *k;

	/* The config file names the secrets and may be world-readable. */
	k = write_file("psk.key", "0x0a0b0c\n", 0600);
	snprintf(text, sizeof(text), "[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
		 "psk-file = %s\n", k);
	write_file("ppk.key", "\"post-quantum\"\r\n\n", 0400);
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
		 "ppk-id = q\nppk-file = %s\nppk-required = yes\n", tmp_path("ppk.key"));
	cfg = load_text(text, err, sizeof(err));
	CHECK(cfg);
	if (!cfg)
		fprintf(stderr, "    %s\n", err);
	CHECK(cfg && cfg->conns[0].psk_len == 3 && cfg->conns[0].psk[2] == 0x0c);
	CHECK(cfg && cfg->conns[0].ppk_len == 12 &&
	      !memcmp(cfg->conns[0].ppk, "post-quantum", 12));
	CHECK(cfg && secmem_len(cfg->conns[0].ppk) == 12);
	moatd_config_free(cfg);
	/* A readable key file is refused, naming it. */
	k = write_file("psk.key", "0x0a0b0c\n", 0640);
	snprintf(kpath, sizeof(kpath), "%s", k);
	k = kpath;
	snprintf(text, sizeof(text), "[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
		 "psk-file = %s\n", k);
	CHECK(!load_text(text, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:4: psk-file: %s holds a secret but is readable by group or others (mode 0640); chmod 600 it",
		 tmp_path("k.conf"), k);
	CHECK(!strcmp(err, want));
	k = write_file("psk.key", "text without quotes\n", 0600);
	CHECK(!load_text(text, err, sizeof(err)));
	CHECK(strstr(err, ":4: psk-file: must be 0x followed by hex digits, or text in double quotes") != NULL);
	k = write_file("psk.key", "", 0600);
	CHECK(!load_text(text, err, sizeof(err)) && strstr(err, "psk-file: must be 0x"));
	CHECK(!load_text("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
			 "psk-file = psk.key\n", err, sizeof(err)));
	CHECK(strstr(err, ":4: psk-file: \"psk.key\" is not an absolute path") != NULL);
	CHECK(!load_text("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
			 "psk-file = /nonexistent/psk\n", err, sizeof(err)));
	CHECK(strstr(err, ":4: psk-file: /nonexistent/psk: No such file or directory") != NULL);
	CHECK(!load_text("[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
			 "psk-file = /dev/null\n", err, sizeof(err)));
	CHECK(strstr(err, ":4: psk-file: /dev/null is not a regular file") != NULL);
}

TEST(config_secret_file_too_large)
{
	static char big[4200];
	char text[512], err[512];
	const char *k;

	memset(big, 'a', sizeof(big) - 1);
	k = write_file("big.key", big, 0600);
	snprintf(text, sizeof(text), "[conn a]\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
		 "psk-file = %s\n", k);
	CHECK(!load_text(text, err, sizeof(err)));
	CHECK(strstr(err, "big.key: is too large") != NULL);
}

TEST(config_zz_cleanup)
{
	static const char *const names[] = {
		"secret.conf", "plain.conf", "owned.conf", "k.conf", "psk.key",
		"ppk.key", "big.key",
	};
	size_t i;

	if (!tmpdir[0])
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	CHECK(rmdir(tmpdir) == 0);
}

TEST(config_guard)
{
	struct moatd_config *cfg = cfg_ok(
		"[guard]\nmode = puzzles\ncookies-at = 300\npuzzles-at = 40\n"
		"difficulty = 12-20\nrate = 5\nburst = 7\nprefix4 = 24\n"
		"prefix6 = 48\nhops = 2\nhalf-open-at = 9\nhold = 0\n"
		"entries = 64\nknown-ttl = 600\n" MIN_CONN);
	const struct moat_guard_req *g = cfg ? &cfg->guard : NULL;

	CHECK(g && g->mode == MOAT_GUARD_MODE_PUZZLES && g->cookies_at == 300);
	CHECK(g && g->puzzles_at == 40 && g->difficulty_min == 12 &&
	      g->difficulty_max == 20 && g->rate == 5 && g->burst == 7);
	CHECK(g && g->prefix4 == 24 && g->prefix6 == 48 && g->hops == 2 &&
	      g->half_open_at == 9 && g->hold == 0 && g->entries == 64 &&
	      g->known_ttl == 600);
	CHECK(g && g->set == ((1ULL << MOAT_GUARD_A_MODE) |
		(1ULL << MOAT_GUARD_A_COOKIES_AT) |
		(1ULL << MOAT_GUARD_A_PUZZLES_AT) |
		(1ULL << MOAT_GUARD_A_DIFFICULTY_MIN) |
		(1ULL << MOAT_GUARD_A_DIFFICULTY_MAX) |
		(1ULL << MOAT_GUARD_A_RATE) | (1ULL << MOAT_GUARD_A_BURST) |
		(1ULL << MOAT_GUARD_A_PREFIX4) | (1ULL << MOAT_GUARD_A_PREFIX6) |
		(1ULL << MOAT_GUARD_A_HOPS) | (1ULL << MOAT_GUARD_A_HALF_OPEN_AT) |
		(1ULL << MOAT_GUARD_A_HOLD) | (1ULL << MOAT_GUARD_A_ENTRIES) |
		(1ULL << MOAT_GUARD_A_KNOWN_TTL)));
	moatd_config_free(cfg);
	/* Nothing given, nothing set: the module keeps its own values. */
	cfg = cfg_ok(MIN_CONN);
	CHECK(cfg && cfg->guard.set == 0);
	moatd_config_free(cfg);
	cfg = cfg_ok("[guard]\ndifficulty = 14\n");
	CHECK(cfg && cfg->guard.set == 1ULL << MOAT_GUARD_A_DIFFICULTY_MIN &&
	      cfg->guard.difficulty_min == 14);
	moatd_config_free(cfg);
}

TEST(config_guard_errors)
{
	CHECK(cfg_err("[guard]\nmode = on\n",
		      "t.conf:2: mode: \"on\" is not auto, off, cookies or puzzles"));
	CHECK(cfg_err("[guard]\n\ndifficulty = 20-12\n",
		      "t.conf:3: difficulty: \"20-12\" is not MIN or MIN-MAX, 0 <= MIN <= MAX <= 64"));
	CHECK(cfg_err("[guard]\ndifficulty = 65\n",
		      "t.conf:2: difficulty: \"65\" is not MIN or MIN-MAX, 0 <= MIN <= MAX <= 64"));
	CHECK(cfg_err("[guard]\ndifficulty = 1-\n",
		      "t.conf:2: difficulty: \"1-\" is not MIN or MIN-MAX, 0 <= MIN <= MAX <= 64"));
	CHECK(cfg_err("[guard]\nprefix4 = 33\n",
		      "t.conf:2: prefix4: \"33\" is not a number from 1 to 32"));
	CHECK(cfg_err("[guard]\nprefix6 = 0\n",
		      "t.conf:2: prefix6: \"0\" is not a number from 1 to 128"));
	CHECK(cfg_err("[guard]\nrate = 0\n",
		      "t.conf:2: rate: \"0\" is not a number from 1 to 4294967295"));
	CHECK(cfg_err("[guard]\nhops = 256\n",
		      "t.conf:2: hops: \"256\" is not a number from 0 to 255"));
	CHECK(cfg_err("[guard]\nrate = 5\nrate = 6\n",
		      "t.conf:3: rate is set twice (first at line 2)"));
	CHECK(cfg_err("[guard]\nlevel = puzzles\n",
		      "t.conf:2: unknown key \"level\" in [guard]"));
	CHECK(cfg_err("[guard]\n[guard]\n",
		      "t.conf:2: [guard] is given twice"));
	CHECK(cfg_err("[guard]\nlog-level = info\n",
		      "t.conf:2: unknown key \"log-level\" in [guard]"));
}
