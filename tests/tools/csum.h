/* SPDX-License-Identifier: GPL-2.0 */
/* The Internet checksum (RFC 1071) for the test tools that build packets. */
#ifndef MOAT_TESTS_CSUM_H
#define MOAT_TESTS_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* @len bytes at @p added to the running sum @sum, as 16-bit words. */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The checksum field for a running sum: folded, complemented. */
static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
