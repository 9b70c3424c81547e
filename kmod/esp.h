/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_ESP_H
#define _MOAT_ESP_H

#include <linux/types.h>

/* Next header values in the ESP trailer of a tunnel-mode packet. */
#define MOAT_NEXTHDR_IPV4	4
#define MOAT_NEXTHDR_IPV6	41
#define MOAT_NEXTHDR_NONE	59	/* a dummy packet (RFC 4303 2.6) */

/* Longest trailer: 255 pad bytes, the pad length and the next header. */
#define MOAT_ESP_TRAILER_MAX	257

unsigned int moat_esp_pad_len(unsigned int payload_len);
void moat_esp_write_trailer(u8 *tail, unsigned int pad_len, u8 nexthdr);
int moat_esp_parse_trailer(const u8 *tail, unsigned int tail_len,
			   unsigned int payload_len, u8 *nexthdr);
int moat_esp_inner_len(const u8 *hdr, unsigned int len, u8 nexthdr);

#endif
