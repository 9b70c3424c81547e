// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mlock2 */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "secmem.h"

#define SECMEM_MAGIC 0x6d6f61746b657973ULL /* "moatkeys" */

/* Sits at the start of each mapping, in front of the caller's octets. */
struct secmem_hdr {
	uint64_t magic;
	size_t map_len;
	size_t len;
	uint64_t pad;	/* keeps the caller's pointer 32-byte aligned */
};

static size_t secmem_map_len(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct secmem_hdr) + len + page - 1) / page * page;
}

static struct secmem_hdr *secmem_hdr(const void *p)
{
	return (struct secmem_hdr *)((uintptr_t)p - sizeof(struct secmem_hdr));
}

void *secmem_alloc(size_t len)
{
	struct secmem_hdr *h;
	size_t map_len;

	if (len == 0 || len > SECMEM_MAX)
		return NULL;
	map_len = secmem_map_len(len);
	h = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return NULL;
	/*
	 * Not locked or not excluded from dumps: not key memory. mlock2() is
	 * mlock() with flags; the sanitizers replace mlock() with a no-op.
	 */
	if (mlock2(h, map_len, 0) || madvise(h, map_len, MADV_DONTDUMP)) {
		munmap(h, map_len);
		return NULL;
	}
	h->magic = SECMEM_MAGIC;
	h->map_len = map_len;
	h->len = len;
	return h + 1;
}

void secmem_free(void *p)
{
	struct secmem_hdr *h;
	size_t map_len;

	if (!p)
		return;
	h = secmem_hdr(p);
	if (h->magic != SECMEM_MAGIC)
		abort();
	map_len = h->map_len;
	OPENSSL_cleanse(h, map_len);
	munlock(h, map_len);
	munmap(h, map_len);
}

size_t secmem_len(const void *p)
{
	return p ? secmem_hdr(p)->len : 0;
}

void *secmem_dup(const void *src, size_t len)
{
	void *p = secmem_alloc(len);

	if (p)
		memcpy(p, src, len);
	return p;
}
