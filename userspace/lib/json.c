// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "json.h"

void json_init(struct moat_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->nonempty[0] = 0;
}

static void json_escaped(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* Writes the separator and key that come before any member. */
static void json_member(struct moat_json *j, const char *key)
{
	if (j->nonempty[j->depth])
		fputc(',', j->out);
	j->nonempty[j->depth] = 1;
	if (key) {
		json_escaped(j->out, key);
		fputc(':', j->out);
	}
}

static void json_open(struct moat_json *j, const char *key, char c)
{
	json_member(j, key);
	fputc(c, j->out);
	if (j->depth < MOAT_JSON_DEPTH - 1)
		j->depth++;
	j->nonempty[j->depth] = 0;
}

static void json_close(struct moat_json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
}

void json_open_object(struct moat_json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_close_object(struct moat_json *j)
{
	json_close(j, '}');
}

void json_open_array(struct moat_json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_close_array(struct moat_json *j)
{
	json_close(j, ']');
}

void json_string(struct moat_json *j, const char *key, const char *val)
{
	json_member(j, key);
	json_escaped(j->out, val);
}

void json_u64(struct moat_json *j, const char *key, uint64_t val)
{
	json_member(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void json_bool(struct moat_json *j, const char *key, int val)
{
	json_member(j, key);
	fputs(val ? "true" : "false", j->out);
}

void json_end(struct moat_json *j)
{
	fputc('\n', j->out);
}
