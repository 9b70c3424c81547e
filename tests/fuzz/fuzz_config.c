// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for moatd.conf (moatd_config_parse): it never crashes
 * or leaks, an error names "fuzz.conf:", and what it accepts is whole:
 * every connection has its required keys, defaults filled in, secrets in
 * locked memory of the right size, identities that format and parse back
 * to themselves, and lifetimes longer than rekey times.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "secmem.h"

static void check_id(const struct moatd_id *id)
{
	struct moatd_id back;
	char buf[300], err[128];

	moatd_id_format(id, buf, sizeof(buf));
	if (moatd_id_parse(buf, &back, err, sizeof(err)) ||
	    !moatd_id_equal(id, &back))
		abort();
}

static void check_secret(const uint8_t *p, size_t len)
{
	if (p && (len == 0 || secmem_len(p) != len))
		abort();
	if (!p && len)
		abort();
}

static void check_conn(const struct moatd_conn *c)
{
	if (!c->name[0] || !c->dev[0] || !c->local.family)
		abort();
	if (c->remote_any == !!c->remote.family)
		abort();
	if ((c->auth == MOATD_AUTH_PSK) != !!c->psk)
		abort();
	if (c->ppk_required && !c->ppk)
		abort();
	if (!!c->ppk != !!c->ppk_id[0])
		abort();
	check_secret(c->psk, c->psk_len);
	check_secret(c->ppk, c->ppk_len);
	check_id(&c->local_id);
	check_id(&c->remote_id);
	if (c->n_local_ts < 1 || c->n_local_ts > MOAT_TS_MAX ||
	    c->n_remote_ts > MOAT_TS_MAX || (!c->remote_any && !c->n_remote_ts))
		abort();
	if (!c->ike.n || !c->esp.n)
		abort();
	if (c->rekey_time && c->life_time && c->life_time <= c->rekey_time)
		abort();
	if (c->ike_rekey_time && c->ike_life_time &&
	    c->ike_life_time <= c->ike_rekey_time)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct moatd_config *cfg = NULL;
	char err[512];
	size_t i;

	memset(err, 'x', sizeof(err));
	if (moatd_config_parse((const char *)data, size, "fuzz.conf", &cfg,
			       err, sizeof(err))) {
		if (cfg || !memchr(err, '\0', sizeof(err)) ||
		    strncmp(err, "fuzz.conf:", 10))
			abort();
		return 0;
	}
	if (!cfg)
		abort();
	for (i = 0; i < cfg->n_conns; i++) {
		check_conn(&cfg->conns[i]);
		if (moatd_config_find(cfg, cfg->conns[i].name) != &cfg->conns[i])
			abort();
	}
	moatd_config_free(cfg);
	return 0;
}
