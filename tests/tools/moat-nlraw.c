// SPDX-License-Identifier: GPL-2.0
/*
 * moat-nlraw: sends one hand-built request to the "moat" genetlink family,
 * so tests can feed the kernel malformed attributes that the moat tool
 * would never produce, and see what it says.
 *
 *   moat-nlraw [-d] CMD ATTR...
 *   ATTR := TYPE:u8:N | TYPE:u16:N | TYPE:u32:N | TYPE:u64:N | TYPE:str:S
 *         | TYPE:hex:HEX | TYPE:nest ... end
 *
 * Prints "ok" or "error <errno> <strerror>: <extack>" and exits 0 when
 * the kernel accepted the request, 1 when it refused, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moatnl.h"
#include "parse.h"

static int put_hex(struct nl_msg *msg, int type, const char *hex)
{
	size_t n = strlen(hex) / 2, i;
	unsigned char buf[512];

	if (strlen(hex) % 2 || n > sizeof(buf))
		return -1;
	for (i = 0; i < n; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &buf[i]) != 1)
			return -1;
	return nla_put(msg, type, (int)n, buf);
}

static int put_attr(struct nl_msg *msg, char *spec, struct nlattr **stack,
		    int *depth)
{
	char *kind, *val;
	uint32_t type;
	uint64_t v;

	if (!strcmp(spec, "end")) {
		if (*depth == 0)
			return -1;
		nla_nest_end(msg, stack[--(*depth)]);
		return 0;
	}
	kind = strchr(spec, ':');
	if (!kind)
		return -1;
	*kind++ = '\0';
	if (parse_u32(spec, &type))
		return -1;
	if (!strcmp(kind, "nest")) {
		if (*depth >= 8)
			return -1;
		stack[*depth] = nla_nest_start(msg, (int)type);
		return stack[(*depth)++] ? 0 : -1;
	}
	val = strchr(kind, ':');
	if (!val)
		return -1;
	*val++ = '\0';
	if (!strcmp(kind, "str"))
		return nla_put_string(msg, (int)type, val);
	if (!strcmp(kind, "hex"))
		return put_hex(msg, (int)type, val);
	if (parse_u64(val, &v))
		return -1;
	if (!strcmp(kind, "u8"))
		return nla_put_u8(msg, (int)type, (uint8_t)v);
	if (!strcmp(kind, "u16"))
		return nla_put_u16(msg, (int)type, (uint16_t)v);
	if (!strcmp(kind, "u32"))
		return nla_put_u32(msg, (int)type, (uint32_t)v);
	if (!strcmp(kind, "u64"))
		return nla_put_u64(msg, (int)type, v);
	return -1;
}

static int print_reply(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
	return NL_OK;
}

int main(int argc, char **argv)
{
	struct nlattr *stack[8];
	int depth = 0, dump = 0, replies = 0, ret, i = 1;
	struct moat_nl nl;
	struct nl_msg *msg;
	uint32_t cmd;

	if (argc > 1 && !strcmp(argv[1], "-d")) {
		dump = 1;
		i++;
	}
	if (i >= argc || parse_u32_range(argv[i], 0, 255, &cmd)) {
		fprintf(stderr, "usage: moat-nlraw [-d] CMD ATTR...\n");
		return 2;
	}
	if (moat_nl_open(&nl)) {
		fprintf(stderr, "moat-nlraw: no moat family\n");
		return 2;
	}
	msg = moat_nl_msg(&nl, (uint8_t)cmd, dump ? NLM_F_DUMP : 0);
	for (i++; msg && i < argc; i++) {
		if (put_attr(msg, argv[i], stack, &depth)) {
			fprintf(stderr, "moat-nlraw: bad attribute \"%s\"\n",
				argv[i]);
			return 2;
		}
	}
	while (msg && depth > 0)
		nla_nest_end(msg, stack[--depth]);
	ret = moat_nl_request(&nl, msg, print_reply, &replies);
	if (ret) {
		printf("error %d %s: %s\n", -ret, strerror(-ret), nl.errmsg);
		moat_nl_close(&nl);
		return 1;
	}
	printf("ok %d replies\n", replies);
	moat_nl_close(&nl);
	return 0;
}
