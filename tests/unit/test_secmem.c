// SPDX-License-Identifier: GPL-2.0
/* moatd's key memory: locked, excluded from core dumps, unmapped on free. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "secmem.h"

struct map_info {
	int found;
	unsigned long locked_kb;
	int dontdump, locked_flag;
};

/* Reads the /proc/self/smaps entry of the mapping that holds p. */
static struct map_info map_of(const void *p)
{
	struct map_info mi = { 0 };
	unsigned long lo, hi, a = (unsigned long)(uintptr_t)p;
	char line[512];
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return mi;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= lo && a < hi;
			mi.found |= in;
			continue;
		}
		if (!in)
			continue;
		sscanf(line, "Locked: %lu kB", &mi.locked_kb);
		if (!strncmp(line, "VmFlags:", 8)) {
			mi.dontdump = strstr(line, " dd") != NULL;
			mi.locked_flag = strstr(line, " lo") != NULL;
		}
	}
	fclose(f);
	return mi;
}

TEST(secmem_locked_and_not_dumped)
{
	uint8_t *p = secmem_alloc(48);
	struct map_info mi;
	size_t i, zero = 0;

	CHECK(p != NULL);
	if (!p)
		return;
	for (i = 0; i < 48; i++)
		zero += p[i] == 0;
	CHECK(zero == 48);
	CHECK(((uintptr_t)p & 15) == 0);
	CHECK(secmem_len(p) == 48);
	memset(p, 0xa5, 48);
	mi = map_of(p);
	CHECK(mi.found);
	CHECK(mi.locked_kb > 0 && mi.locked_flag);
	CHECK(mi.dontdump);
	secmem_free(p);
	/* Gone from the address space once freed. */
	CHECK(!map_of(p).found);
}

TEST(secmem_sizes)
{
	uint8_t *big = secmem_alloc(SECMEM_MAX), *src = (uint8_t *)"key!";
	uint8_t *d;

	CHECK(secmem_alloc(0) == NULL);
	CHECK(secmem_alloc(SECMEM_MAX + 1) == NULL);
	CHECK(big != NULL);
	if (big) {
		big[SECMEM_MAX - 1] = 1;	/* the last octet is ours */
		CHECK(map_of(big + SECMEM_MAX - 1).locked_flag);
	}
	secmem_free(big);
	secmem_free(NULL);
	CHECK(secmem_len(NULL) == 0);
	d = secmem_dup(src, 4);
	CHECK(d && !memcmp(d, "key!", 4) && secmem_len(d) == 4);
	secmem_free(d);
}

TEST(secmem_many)
{
	uint8_t *p[64];
	size_t i, ok = 0;

	for (i = 0; i < 64; i++) {
		p[i] = secmem_alloc(i + 1);
		if (p[i])
			memset(p[i], (int)i, i + 1);
	}
	for (i = 0; i < 64; i++)
		ok += p[i] && p[i][i] == (uint8_t)i && secmem_len(p[i]) == i + 1;
	CHECK(ok == 64);
	for (i = 0; i < 64; i++)
		secmem_free(p[i]);
}
