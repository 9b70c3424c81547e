// SPDX-License-Identifier: GPL-2.0
/*
 * The ESP trailer (RFC 4303 2.4-2.6) and the inner packet it wraps, as
 * pure functions over bytes so every malformed case can be tested alone.
 */

#include <linux/errno.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "esp.h"

/* Both AEADs are stream-like: pad only to align the trailer to 4 bytes. */
unsigned int moat_esp_pad_len(unsigned int payload_len)
{
	return (4 - ((payload_len + 2) & 3)) & 3;
}

/* RFC 4303 2.4: pad bytes count up from 1 so a receiver can check them. */
void moat_esp_write_trailer(u8 *tail, unsigned int pad_len, u8 nexthdr)
{
	unsigned int i;

	for (i = 0; i < pad_len; i++)
		tail[i] = i + 1;
	tail[pad_len] = pad_len;
	tail[pad_len + 1] = nexthdr;
}

/**
 * moat_esp_parse_trailer - check a decrypted payload's trailer
 * @tail: the last @tail_len bytes of the payload
 * @tail_len: min(@payload_len, MOAT_ESP_TRAILER_MAX)
 * @payload_len: bytes between the IV and the ICV
 * @nexthdr: set to the next header on success
 *
 * Return: the length of the inner packet; -EBADMSG for a trailer that does
 * not fit or pad bytes that are wrong, -ENODATA for a dummy packet and
 * -EPROTONOSUPPORT for anything but IPv4 or IPv6 inside.
 */
int moat_esp_parse_trailer(const u8 *tail, unsigned int tail_len,
			   unsigned int payload_len, u8 *nexthdr)
{
	unsigned int pad_len, i;
	const u8 *pad;

	if (payload_len < 2 || tail_len < 2 || tail_len > payload_len)
		return -EBADMSG;
	pad_len = tail[tail_len - 2];
	if (pad_len + 2 > tail_len)
		return -EBADMSG;
	pad = tail + tail_len - 2 - pad_len;
	for (i = 0; i < pad_len; i++)
		if (pad[i] != i + 1)
			return -EBADMSG;

	*nexthdr = tail[tail_len - 1];
	if (*nexthdr == MOAT_NEXTHDR_NONE)
		return -ENODATA;
	if (*nexthdr != MOAT_NEXTHDR_IPV4 && *nexthdr != MOAT_NEXTHDR_IPV6)
		return -EPROTONOSUPPORT;
	if (payload_len == pad_len + 2)
		return -EBADMSG;
	return payload_len - pad_len - 2;
}

/**
 * moat_esp_inner_len - check the inner packet's IP header
 * @hdr: the first bytes of the inner packet
 * @len: bytes available at @hdr, the whole inner packet
 * @nexthdr: what the trailer said is inside
 *
 * Return: the inner packet's own length, which may be shorter than @len
 * when the sender added TFC padding, or -EBADMSG.
 */
int moat_esp_inner_len(const u8 *hdr, unsigned int len, u8 nexthdr)
{
	const struct iphdr *ip4 = (const struct iphdr *)hdr;
	const struct ipv6hdr *ip6 = (const struct ipv6hdr *)hdr;
	unsigned int tot;

	if (nexthdr == MOAT_NEXTHDR_IPV4) {
		if (len < sizeof(*ip4) || ip4->version != 4 || ip4->ihl < 5)
			return -EBADMSG;
		tot = ntohs(ip4->tot_len);
		if (tot < ip4->ihl * 4 || tot > len)
			return -EBADMSG;
		return tot;
	}
	if (nexthdr == MOAT_NEXTHDR_IPV6) {
		if (len < sizeof(*ip6) || ip6->version != 6)
			return -EBADMSG;
		tot = sizeof(*ip6) + ntohs(ip6->payload_len);
		if (tot > len)
			return -EBADMSG;
		return tot;
	}
	return -EBADMSG;
}
