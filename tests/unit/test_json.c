// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json.h"

/* Runs @fn against a writer on a memory stream and compares the text. */
static int json_is(void (*fn)(struct moat_json *), const char *want)
{
	struct moat_json j;
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	int ok;

	json_init(&j, f);
	fn(&j);
	fclose(f);
	ok = !strcmp(buf, want);
	if (!ok)
		fprintf(stderr, "    got  %s\n    want %s\n", buf, want);
	free(buf);
	return ok;
}

static void nested(struct moat_json *j)
{
	json_open_array(j, NULL);
	json_open_object(j, NULL);
	json_u64(j, "ifindex", 4);
	json_string(j, "ifname", "moat0");
	json_open_object(j, "stats");
	json_u64(j, "rx", 18446744073709551615ULL);
	json_close_object(j);
	json_bool(j, "up", 0);
	json_close_object(j);
	json_open_object(j, NULL);
	json_close_object(j);
	json_close_array(j);
	json_end(j);
}

TEST(json_commas_and_nesting)
{
	CHECK(json_is(nested, "[{\"ifindex\":4,\"ifname\":\"moat0\","
			      "\"stats\":{\"rx\":18446744073709551615},"
			      "\"up\":false},{}]\n"));
}

static void escapes(struct moat_json *j)
{
	json_open_object(j, NULL);
	json_string(j, "k\"", "a\\b\n\x01");
	json_close_object(j);
}

TEST(json_escapes_strings)
{
	CHECK(json_is(escapes, "{\"k\\\"\":\"a\\\\b\\u000a\\u0001\"}"));
}

static void empty_array(struct moat_json *j)
{
	json_open_array(j, NULL);
	json_close_array(j);
}

TEST(json_empty_array)
{
	CHECK(json_is(empty_array, "[]"));
}
