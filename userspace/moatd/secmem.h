/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key memory: every allocation is its own anonymous mapping, mlock()ed so
 * it never reaches swap, marked MADV_DONTDUMP so it never reaches a core
 * file, and wiped with OPENSSL_cleanse before it is unmapped.
 */
#ifndef MOATD_SECMEM_H
#define MOATD_SECMEM_H

#include <stddef.h>

/* The largest single allocation (a key is at most a few hundred octets). */
#define SECMEM_MAX (64 * 1024)

/* Zeroed, locked memory of len (1..SECMEM_MAX) octets, or NULL. */
void *secmem_alloc(size_t len);
/* Wipes and releases p; NULL is a no-op. */
void secmem_free(void *p);
/* The length p was allocated with. */
size_t secmem_len(const void *p);
/* A locked copy of len octets at src, or NULL. */
void *secmem_dup(const void *src, size_t len);

#endif
