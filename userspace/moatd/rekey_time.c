// SPDX-License-Identifier: GPL-2.0
/* When to rekey: see rekey_time.h. */
#include "rekey_time.h"

#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 30000

uint64_t rekey_at(uint64_t from_ms, uint32_t seconds, uint32_t rnd)
{
	uint64_t ms = (uint64_t)seconds * 1000;
	uint64_t span = ms / 10;

	if (!seconds)
		return 0;
	return from_ms + ms - (span ? rnd % (span + 1) : 0);
}

uint64_t rekey_retry_at(uint64_t now_ms, unsigned int tries)
{
	uint64_t t = RETRY_FIRST_MS;

	while (tries-- && t < RETRY_MAX_MS)
		t *= 2;
	return now_ms + (t < RETRY_MAX_MS ? t : RETRY_MAX_MS);
}
