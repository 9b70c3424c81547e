// SPDX-License-Identifier: GPL-2.0
/* moatd: traffic selector ranges to the module's prefixes (ts_prefix.h). */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "harness.h"
#include "ts_prefix.h"

/* Adds the range @start..@end (text addresses of one family) to @l. */
static void add_range(struct ike_ts_list *l, const char *start,
		      const char *end)
{
	struct ike_ts *t = &l->ts[l->n++];
	bool v4 = !strchr(start, ':');

	memset(t, 0, sizeof(*t));
	t->type = v4 ? IKE_TS_IPV4_RANGE : IKE_TS_IPV6_RANGE;
	t->eport = 65535;
	inet_pton(v4 ? AF_INET : AF_INET6, start, t->start);
	inet_pton(v4 ? AF_INET : AF_INET6, end, t->end);
}

/* The prefixes as "a/l,b/l,...". */
static const char *joined(const struct moat_prefix *p, size_t n)
{
	static char buf[1024];
	char one[MOAT_PREFIX_STRLEN];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, format_prefix(&p[i], one, sizeof(one)));
	}
	return buf;
}

static const char *convert(const char *start, const char *end)
{
	static struct ike_ts_list l;
	struct moat_prefix out[300];
	size_t n = 0;

	l.n = 0;
	add_range(&l, start, end);
	if (ts_prefixes(&l, out, 300, &n))
		return "overflow";
	return joined(out, n);
}

TEST(ts_prefix_exact_prefixes)
{
	CHECK(!strcmp(convert("10.2.0.0", "10.2.255.255"), "10.2.0.0/16"));
	CHECK(!strcmp(convert("192.0.2.7", "192.0.2.7"), "192.0.2.7/32"));
	CHECK(!strcmp(convert("0.0.0.0", "255.255.255.255"), "0.0.0.0/0"));
	CHECK(!strcmp(convert("fd00:2::", "fd00:2::ffff:ffff:ffff:ffff"),
		      "fd00:2::/64"));
	CHECK(!strcmp(convert("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
		      "::/0"));
}

TEST(ts_prefix_ranges_split)
{
	CHECK(!strcmp(convert("10.0.0.1", "10.0.0.6"),
		      "10.0.0.1/32,10.0.0.2/31,10.0.0.4/31,10.0.0.6/32"));
	CHECK(!strcmp(convert("10.0.0.255", "10.0.1.0"),
		      "10.0.0.255/32,10.0.1.0/32"));
	CHECK(!strcmp(convert("255.255.255.254", "255.255.255.255"),
		      "255.255.255.254/31"));
	CHECK(!strcmp(convert("::1", "::3"), "::1/128,::2/127"));
	CHECK(!strcmp(convert("0.0.0.1", "255.255.255.255"),
		      "0.0.0.1/32,0.0.0.2/31,0.0.0.4/30,0.0.0.8/29,0.0.0.16/28,0.0.0.32/27,0.0.0.64/26,0.0.0.128/25,0.0.1.0/24,0.0.2.0/23,0.0.4.0/22,0.0.8.0/21,0.0.16.0/20,0.0.32.0/19,0.0.64.0/18,0.0.128.0/17,0.1.0.0/16,0.2.0.0/15,0.4.0.0/14,0.8.0.0/13,0.16.0.0/12,0.32.0.0/11,0.64.0.0/10,0.128.0.0/9,1.0.0.0/8,2.0.0.0/7,4.0.0.0/6,8.0.0.0/5,16.0.0.0/4,32.0.0.0/3,64.0.0.0/2,128.0.0.0/1"));
}

TEST(ts_prefix_empty_and_overflow)
{
	struct ike_ts_list l = { .n = 0 };
	struct moat_prefix out[3];
	size_t n = 7;

	CHECK(!strcmp(convert("10.0.0.9", "10.0.0.1"), ""));
	CHECK(ts_prefixes(&l, out, 3, &n) == 0 && n == 0);
	add_range(&l, "10.0.0.1", "10.0.0.6");	/* needs 4 */
	CHECK(ts_prefixes(&l, out, 3, &n) == -1);
	add_range(&l, "fd00::", "fd00::ffff");
	CHECK(ts_prefixes(&l, out, 3, &n) == -1);
	l.n = 0;
	add_range(&l, "10.1.0.0", "10.1.255.255");
	add_range(&l, "fd00:1::", "fd00:1::ffff:ffff:ffff:ffff");
	CHECK(ts_prefixes(&l, out, 3, &n) == 0 && n == 2);
	CHECK(!strcmp(joined(out, n), "10.1.0.0/16,fd00:1::/64"));
}
