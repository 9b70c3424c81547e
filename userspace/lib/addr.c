// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

/* Longer than any address inet_pton takes, with room to spare. */
#define ADDR_TEXT_MAX 64

int parse_addr(const char *s, struct moat_addr *a)
{
	struct moat_addr tmp;

	if (!s)
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	if (inet_pton(AF_INET, s, &tmp.u.v4) == 1)
		tmp.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &tmp.u.v6) == 1)
		tmp.family = AF_INET6;
	else
		return -1;
	*a = tmp;
	return 0;
}

size_t addr_len(const struct moat_addr *a)
{
	if (a->family == AF_INET)
		return sizeof(struct in_addr);
	if (a->family == AF_INET6)
		return sizeof(struct in6_addr);
	return 0;
}

unsigned int addr_bits(const struct moat_addr *a)
{
	return (unsigned int)addr_len(a) * 8;
}

int addr_equal(const struct moat_addr *a, const struct moat_addr *b)
{
	return a->family == b->family && addr_len(a) &&
	       !memcmp(a->u.b, b->u.b, addr_len(a));
}

const char *addr_endpoint_problem(const struct moat_addr *a)
{
	static const uint8_t zero[16];
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *b = a->u.b;

	if (a->family == AF_INET) {
		if (!memcmp(b, zero, 4))
			return "the unspecified address";
		if ((b[0] & 0xf0) == 0xe0)
			return "a multicast address";
		if (b[0] == 0xff && b[1] == 0xff && b[2] == 0xff && b[3] == 0xff)
			return "the broadcast address";
		return NULL;
	}
	if (a->family == AF_INET6) {
		if (!memcmp(b, zero, 16))
			return "the unspecified address";
		if (b[0] == 0xff)
			return "a multicast address";
		if (!memcmp(b, mapped, sizeof(mapped)))
			return "an IPv4-mapped address (write it as IPv4)";
		return NULL;
	}
	return "not an address";
}

int addr_from_raw(struct moat_addr *a, int family, const void *raw,
		  size_t len)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (!raw || !addr_len(a) || len < addr_len(a)) {
		a->family = 0;
		return -1;
	}
	memcpy(a->u.b, raw, addr_len(a));
	return 0;
}

const char *format_addr(const struct moat_addr *a, char *buf, size_t len)
{
	if (!len)
		return buf;
	if (!addr_len(a) || !inet_ntop(a->family, a->u.b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *format_prefix(const struct moat_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (len)
		snprintf(buf, len, "%s/%u", format_addr(&p->addr, a, sizeof(a)),
			 p->len);
	return buf;
}

int prefix_mask(struct moat_prefix *p)
{
	unsigned int bits = addr_bits(&p->addr), i;
	int had = 0;

	for (i = 0; i < bits / 8; i++) {
		unsigned int keep = p->len >= (i + 1) * 8 ? 8 :
				    p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = (uint8_t)(0xff00 >> keep);

		if (p->addr.u.b[i] & ~mask)
			had = 1;
		p->addr.u.b[i] &= mask;
	}
	return had;
}

int parse_prefix(const char *s, size_t n, struct moat_prefix *p,
		 int *host_bits)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n, i;
	char text[ADDR_TEXT_MAX];
	struct moat_prefix tmp;
	unsigned int len;
	int had;

	if (alen == 0 || alen >= sizeof(text) || memchr(s, '\0', alen))
		return PREFIX_BAD_ADDR;
	memcpy(text, s, alen);
	text[alen] = '\0';
	memset(&tmp, 0, sizeof(tmp));
	if (parse_addr(text, &tmp.addr))
		return PREFIX_BAD_ADDR;
	len = addr_bits(&tmp.addr);
	if (slash) {
		size_t digits = n - alen - 1;

		/* The caller may name the family in its complaint. */
		*p = tmp;
		if (digits == 0)
			return PREFIX_BAD_LEN;
		len = 0;
		for (i = alen + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return PREFIX_BAD_LEN;
			/* Saturate: any length past 999 is as wrong as 999. */
			if (len < 1000)
				len = len * 10 + (unsigned int)(s[i] - '0');
		}
		if (len > addr_bits(&tmp.addr))
			return PREFIX_LEN_RANGE;
	}
	tmp.len = (uint8_t)len;
	had = prefix_mask(&tmp);
	if (host_bits)
		*host_bits = had;
	*p = tmp;
	return PREFIX_OK;
}

/* Writes "<element>" quoted, cut short if it is long, into @err. */
static void quote_elem(char *q, size_t qlen, const char *s, size_t n)
{
	const size_t show = 60;

	snprintf(q, qlen, "\"%.*s%s\"", (int)(n > show ? show : n), s,
		 n > show ? "..." : "");
}

int parse_prefix_list(const char *s, struct moat_prefix *out, size_t max,
		      size_t *n, char *err, size_t errlen)
{
	char q[80], canon[MOAT_PREFIX_STRLEN];
	const char *p = s, *end;
	size_t count = 0, idx, i;
	int warned = 0;

	*n = 0;
	if (errlen)
		err[0] = '\0';
	if (!s || !*s) {
		snprintf(err, errlen, "no prefixes given");
		return -1;
	}
	for (idx = 1;; idx++) {
		struct moat_prefix pfx;
		int host = 0, ret;
		size_t len;

		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			snprintf(err, errlen, "element %zu is empty", idx);
			return -1;
		}
		quote_elem(q, sizeof(q), p, len);
		if (count >= max) {
			snprintf(err, errlen, "more than %zu prefixes (at %s)",
				 max, q);
			return -1;
		}
		ret = parse_prefix(p, len, &pfx, &host);
		if (ret == PREFIX_BAD_ADDR) {
			snprintf(err, errlen, "%s is not an IPv4 or IPv6 prefix", q);
			return -1;
		}
		if (ret == PREFIX_BAD_LEN) {
			snprintf(err, errlen, "%s has a prefix length that is not a number", q);
			return -1;
		}
		if (ret == PREFIX_LEN_RANGE) {
			snprintf(err, errlen, "%s has a prefix length above %u",
				 q, addr_bits(&pfx.addr));
			return -1;
		}
		for (i = 0; i < count; i++) {
			if (out[i].len == pfx.len &&
			    addr_equal(&out[i].addr, &pfx.addr)) {
				snprintf(err, errlen, "%s is given twice (as %s)", q,
					 format_prefix(&pfx, canon, sizeof(canon)));
				return -1;
			}
		}
		if (host && !warned) {
			snprintf(err, errlen, "%s has host bits set; using %s", q,
				 format_prefix(&pfx, canon, sizeof(canon)));
			warned = 1;
		}
		out[count++] = pfx;
		*n = count;
		if (!end)
			break;
		p = end + 1;
	}
	return warned;
}
