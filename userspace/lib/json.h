/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer, enough for iproute2-style output: the
 * caller opens and closes objects and arrays and the writer places commas.
 */
#ifndef MOAT_JSON_H
#define MOAT_JSON_H

#include <stdint.h>
#include <stdio.h>

#define MOAT_JSON_DEPTH 16

struct moat_json {
	FILE *out;
	int depth;
	/* Whether the container at each depth already holds a member. */
	unsigned char nonempty[MOAT_JSON_DEPTH];
};

void json_init(struct moat_json *j, FILE *out);
/* @key is NULL inside arrays and at the top level. */
void json_open_object(struct moat_json *j, const char *key);
void json_close_object(struct moat_json *j);
void json_open_array(struct moat_json *j, const char *key);
void json_close_array(struct moat_json *j);
void json_string(struct moat_json *j, const char *key, const char *val);
void json_u64(struct moat_json *j, const char *key, uint64_t val);
void json_bool(struct moat_json *j, const char *key, int val);
/* Ends the document with a newline. */
void json_end(struct moat_json *j);

#endif
