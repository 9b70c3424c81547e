// SPDX-License-Identifier: GPL-2.0
/*
 * moat-pktfuzz: a bounded packet fuzzer for one moat endpoint (the
 * target), run in the network namespace of one of its peers. It writes
 * whole Ethernet frames to a packet socket on the link to the target, in
 * sendmmsg() batches, and stops after --count frames or --seconds,
 * whichever comes first. The same --seed sends the same packets.
 *
 * It knows the target's SAs (SPI, key, where their sequence numbers
 * are), so it can build valid ESP (rfc4106(gcm(aes)), via OpenSSL) and
 * then damage it. --mode picks what it sends:
 *
 *   data   ESP, raw and in UDP, over IPv4 and IPv6: replays and forgeries
 *          on the live SAs (whose fresh sequence numbers it never sends
 *          intact), valid ESP on the SAs it owns with the damage under
 *          the ICV (pad, trailer, next header, inner header, selector),
 *          unknown SPIs, NAT keepalive look-alikes, IKE (zero marker)
 *          datagrams, short datagrams, broken UDP headers; bit flips,
 *          truncation at every length, extension, SPI and sequence
 *          changes on top. Never an intact keepalive or dummy packet,
 *          the two things the target consumes without a counter.
 *   ptb    ICMP Frag Needed and ICMPv6 Packet Too Big that quote one of
 *          the target's outbound SAs so that it must judge them (any
 *          sequence number, MTU and source; raw and UDP quotes).
 *   noise  ICMP errors about ESP that must not count: other SPIs or
 *          peers, other types and codes, short quotes, bad checksums.
 *   quiet  intact NAT keepalives and dummy packets (next header 59),
 *          unfragmented and paced (--pace), for an exact count.
 *
 * SAs: --live SPI,KEY,SEQ[,esn] is one that real traffic uses, SEQ the
 * highest it received; --own SPI,KEY,SEQ,4|6[,esn] one only the fuzzer
 * uses, 4 or 6 the inner family of its peer's selectors (--inner4,
 * --inner6); --quote SPI,SEQ,REMOTE an outbound SA of the target and the
 * last sequence number it sent. KEY is as ip xfrm takes it for
 * rfc4106(gcm(aes)): 0x, the key, the 4-byte salt.
 *
 * About a quarter of the datagrams (--frag) go out as IPv4 or IPv6
 * fragments: clean splits, a first fragment of only the IP header and 8
 * bytes, all-tiny (8-byte) fragments, reversed and shuffled order,
 * duplicates, overlaps, a missing fragment, odd lengths, IPv6 atomic
 * fragments. A fragment never carries bytes that differ from its
 * datagram's, and fragment IDs count up, so the target's reassembly can
 * only rebuild the datagram as built or lose it (keep the target's
 * fragment timeout under the time 65536 fragmented datagrams take).
 *
 * --jobs N forks N senders (one per CPU: the target's receive path runs
 * in the sender's context), each with its share of --count, its own
 * seed, fragment IDs and own-SA sequence numbers. --pcap FILE writes the
 * frames to a pcap file instead of sending them.
 *
 * Output: "class NAME datagrams N frames N" per class that sent
 * anything, "frag NAME N" per fragmentation pattern, then
 * "total datagrams N frames N seconds S".
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csum.h"

#define ESP_HDR		8	/* SPI, sequence number */
#define ESP_IV		8
#define ESP_ICV		16
#define NAT_T_PORT	4500
#define NH_IPV4		4
#define NH_IPV6		41
#define NH_NONE		59	/* a dummy packet */
#define LINK_MTU	1500
#define DGRAM_MAX	4000	/* the largest datagram built */
#define BATCH_MAX	256
#define MAX_SAS		4
#define RING		32	/* recent valid packets kept for replays */
#define MAX_PIECES	80

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("moat-pktfuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* xorshift64*: fast, and the same seed gives the same run. */
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

static void rnd_fill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

/* Picks an index by weight; @w sums to anything above 0. */
static unsigned int pick(const unsigned int *w, unsigned int n)
{
	unsigned int i, sum = 0, r;

	for (i = 0; i < n; i++)
		sum += w[i];
	r = below(sum);
	for (i = 0; i < n; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return n - 1;
}

/* Checksum of an upper-layer packet with the pseudo header in front. */
static uint16_t l4_csum(int fam, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, const uint8_t *p, size_t n)
{
	size_t alen = fam == 4 ? 4 : 16;
	uint32_t sum = 0;

	sum = csum_add(sum, src, alen);
	sum = csum_add(sum, dst, alen);
	sum += proto + (uint32_t)(n & 0xffff) + (uint32_t)(n >> 16);
	return csum_fold(csum_add(sum, p, n));
}

/* ---------------------------------------------------------------- */
/* What the fuzzer knows about the target                           */

struct sa {
	uint32_t spi;
	EVP_CIPHER_CTX *ctx;	/* key set, nonce per packet */
	uint8_t salt[4];
	bool esn;
	uint64_t seq;		/* live: highest received; own: last sent */
	int inner_fam;		/* own: the family of its peer's selectors */
	uint8_t ring[RING][256];	/* own: recent valid packets */
	uint16_t ring_len[RING];
	unsigned int ring_n;
};

struct quote {			/* an outbound SA of the target */
	uint32_t spi;
	uint32_t seq;		/* the last sequence number it sent */
	int fam;
	uint8_t remote[16];	/* its peer */
};

struct inner {			/* inner addresses for one family */
	uint8_t net[16];	/* the peer's selector */
	unsigned int plen;
	uint8_t dst[16];	/* a destination behind the target */
	bool set;
};

enum mode { M_DATA, M_PTB, M_NOISE, M_QUIET };

enum cls {
	C_LIVE_OLD,	/* live SA, sequence numbers it already had */
	C_LIVE_NEW,	/* live SA, fresh sequence numbers, forged */
	C_OWN_GOOD,	/* own SA, intact (delivered, maybe TFC-padded) */
	C_OWN_BAD,	/* own SA, damage under a valid ICV */
	C_OWN_REPLAY,	/* own SA, a valid packet sent again */
	C_OWN_FORGED,	/* own SA, valid then damaged */
	C_UNKNOWN_SPI,
	C_NATT_MARKER,	/* keepalive look-alikes, short datagrams */
	C_IKE,		/* zero non-ESP marker */
	C_UDP_HDR,	/* broken UDP length or checksum */
	C_PTB,		/* ICMP that the target must judge */
	C_ICMP_NOISE,	/* ICMP that it must ignore */
	C_KEEPALIVE,
	C_DUMMY,
	C_MAX
};

static const char *const cls_name[C_MAX] = {
	[C_LIVE_OLD] = "live-replayed",
	[C_LIVE_NEW] = "live-forged",
	[C_OWN_GOOD] = "own-intact",
	[C_OWN_BAD] = "own-damaged-inside",
	[C_OWN_REPLAY] = "own-replayed",
	[C_OWN_FORGED] = "own-forged",
	[C_UNKNOWN_SPI] = "unknown-spi",
	[C_NATT_MARKER] = "natt-marker",
	[C_IKE] = "ike",
	[C_UDP_HDR] = "udp-header",
	[C_PTB] = "icmp-ptb",
	[C_ICMP_NOISE] = "icmp-noise",
	[C_KEEPALIVE] = "keepalive",
	[C_DUMMY] = "dummy",
};

/* Share of the datagrams per class, per mode. */
static const unsigned int mode_weights[][C_MAX] = {
	[M_DATA] = {
		[C_LIVE_OLD] = 15, [C_LIVE_NEW] = 15, [C_OWN_GOOD] = 8,
		[C_OWN_BAD] = 14, [C_OWN_REPLAY] = 6, [C_OWN_FORGED] = 8,
		[C_UNKNOWN_SPI] = 10, [C_NATT_MARKER] = 8, [C_IKE] = 10,
		[C_UDP_HDR] = 6,
	},
	[M_PTB] = { [C_PTB] = 1 },
	[M_NOISE] = { [C_ICMP_NOISE] = 1 },
	[M_QUIET] = { [C_KEEPALIVE] = 1, [C_DUMMY] = 1 },
};

enum fpat {
	F_SPLIT, F_FIRST8, F_TINY, F_REVERSE, F_SHUFFLE, F_DUP, F_OVERLAP,
	F_MISSING, F_ODD, F_ATOMIC, F_MAX
};

static const char *const fpat_name[F_MAX] = {
	"split", "first8", "tiny", "reverse", "shuffle", "duplicate",
	"overlap", "missing", "odd-length", "atomic6",
};

static struct {
	/* options */
	enum mode mode;
	uint64_t count, seed;
	double seconds;
	unsigned int frag_pct, batch, pace_us;
	uint8_t src4[4], dst4[4], src6[16], dst6[16];
	bool have4, have6;
	struct sa live[MAX_SAS], own[MAX_SAS];
	unsigned int n_live, n_own;
	struct quote quote[MAX_SAS];
	unsigned int n_quote;
	struct inner in4, in6;
	unsigned int jobs;
	/* sending */
	int fd;
	FILE *pcap;		/* --pcap: write the frames there instead */
	struct sockaddr_ll to4, to6;
	uint8_t mac_src[6], mac_dst[6];
	uint8_t frames[BATCH_MAX][ETH_HLEN + LINK_MTU];
	struct iovec iov[BATCH_MAX];
	struct mmsghdr msg[BATCH_MAX];
	unsigned int queued;
	enum cls queued_cls[BATCH_MAX];
	/* progress, in memory the --jobs processes share */
	struct tally {
		uint64_t frames, dgrams;
		uint64_t cls_dgrams[C_MAX], cls_frames[C_MAX];
		uint64_t fpat_n[F_MAX];
	} *t;
	uint64_t frames_sent;
	uint32_t frag_id, frag_step;
	unsigned int trunc_cycle;
	struct timespec start;
	bool stop;
} g;

/* ---------------------------------------------------------------- */
/* Sending                                                          */

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - g.start.tv_sec) +
	       (double)(now.tv_nsec - g.start.tv_nsec) / 1e9;
}

static void flush(void)
{
	unsigned int done = 0, i;
	int n;

	for (i = 0; g.pcap && i < g.queued; i++) {
		uint32_t rec[4] = { 0, 0, (uint32_t)g.iov[i].iov_len,
				    (uint32_t)g.iov[i].iov_len };

		fwrite(rec, sizeof(rec), 1, g.pcap);
		fwrite(g.iov[i].iov_base, g.iov[i].iov_len, 1, g.pcap);
		g.t->cls_frames[g.queued_cls[i]]++;
	}
	if (g.pcap)
		done = g.queued;
	while (done < g.queued) {
		n = sendmmsg(g.fd, g.msg + done, g.queued - done, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN ||
			    errno == EINTR) {
				usleep(200);
				continue;
			}
			die("sendmmsg: %s", strerror(errno));
		}
		for (i = done; i < done + (unsigned int)n; i++)
			g.t->cls_frames[g.queued_cls[i]]++;
		done += (unsigned int)n;
	}
	g.frames_sent += g.queued;
	g.t->frames += g.queued;
	g.queued = 0;
	if (g.frames_sent >= g.count || elapsed() >= g.seconds)
		g.stop = true;
}

/* Queues one IP packet as an Ethernet frame. */
static void emit(int fam, const uint8_t *ip, size_t len, enum cls c)
{
	uint8_t *f = g.frames[g.queued];

	if (len > LINK_MTU)
		die("internal: %zu-byte packet", len);
	memcpy(f, g.mac_dst, 6);
	memcpy(f + 6, g.mac_src, 6);
	put16(f + 12, fam == 4 ? ETH_P_IP : ETH_P_IPV6);
	memcpy(f + ETH_HLEN, ip, len);
	g.iov[g.queued].iov_base = f;
	g.iov[g.queued].iov_len = ETH_HLEN + len;
	memset(&g.msg[g.queued].msg_hdr, 0, sizeof(g.msg[0].msg_hdr));
	g.msg[g.queued].msg_hdr.msg_iov = &g.iov[g.queued];
	g.msg[g.queued].msg_hdr.msg_iovlen = 1;
	g.msg[g.queued].msg_hdr.msg_name = fam == 4 ? &g.to4 : &g.to6;
	g.msg[g.queued].msg_hdr.msg_namelen = sizeof(g.to4);
	g.queued_cls[g.queued] = c;
	if (++g.queued == g.batch)
		flush();
}

static void open_link(const char *ifname, const char *mac,
		      const char *pcap)
{
	/* Classic pcap, host byte order, Ethernet. */
	static const uint32_t pcap_hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0,
					      65535, 1 };
	struct ifreq ifr = { 0 };
	unsigned int m[6], i;
	int one = 1, ifindex;

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != 6)
		die("bad MAC address %s", mac);
	for (i = 0; i < 6; i++)
		g.mac_dst[i] = (uint8_t)m[i];
	if (pcap) {
		g.pcap = fopen(pcap, "wb");
		if (!g.pcap)
			die("%s: %s", pcap, strerror(errno));
		fwrite(pcap_hdr, sizeof(pcap_hdr), 1, g.pcap);
		memcpy(g.mac_src, "\x02\0\0\0\0\x01", 6);
		return;
	}
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		die("no interface %s", ifname);
	/* Protocol 0: this socket sends and never receives. */
	g.fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (g.fd < 0)
		die("packet socket: %s", strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(g.fd, SIOCGIFHWADDR, &ifr) < 0)
		die("%s: no hardware address: %s", ifname, strerror(errno));
	memcpy(g.mac_src, ifr.ifr_hwaddr.sa_data, 6);
	/* Straight to the driver: veth has no queue to wait in anyway. */
	setsockopt(g.fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	g.to4.sll_family = AF_PACKET;
	g.to4.sll_ifindex = ifindex;
	g.to4.sll_halen = 6;
	memcpy(g.to4.sll_addr, g.mac_dst, 6);
	g.to6 = g.to4;
	g.to4.sll_protocol = htons(ETH_P_IP);
	g.to6.sll_protocol = htons(ETH_P_IPV6);
}

/* ---------------------------------------------------------------- */
/* IP, fragments                                                    */

struct dgram {
	int fam;
	uint8_t proto;
	const uint8_t *src, *dst;
	const uint8_t *l4;	/* the IP payload */
	size_t len;
	enum cls cls;
	bool no_frag;		/* quiet mode: keep the count exact */
};

static size_t ip4_hdr(uint8_t *p, const struct dgram *d, size_t plen,
		      uint16_t id, uint16_t frag)
{
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (uint16_t)(20 + plen));
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = d->proto;
	put16(p + 10, 0);
	memcpy(p + 12, d->src, 4);
	memcpy(p + 16, d->dst, 4);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));
	return 20;
}

static size_t ip6_hdr(uint8_t *p, const struct dgram *d, size_t plen,
		      uint8_t nexthdr)
{
	memset(p, 0, 4);
	p[0] = 0x60;
	put16(p + 4, (uint16_t)plen);
	p[6] = nexthdr;
	p[7] = 64;
	memcpy(p + 8, d->src, 16);
	memcpy(p + 24, d->dst, 16);
	return 40;
}

struct piece {
	uint16_t off, len;
	bool more;
};

/* Cuts [from, n) into pieces of at most @max (8-byte multiples but the
 * last); @tiny makes them 8 bytes while there are few enough. */
static unsigned int cut(struct piece *pc, unsigned int k, size_t from,
			size_t n, size_t max, bool tiny)
{
	size_t off = from, rest, len;

	while (off < n && k < MAX_PIECES - 4) {
		rest = n - off;
		if (tiny && rest > 8 && k < 48)
			len = 8;
		else if (rest <= max && off && (k >= 5 || chance(40)))
			len = rest;	/* never the whole datagram at once */
		else
			len = 8 * (1 + below((uint32_t)((rest <= max ?
							 rest - 1 :
							 max) / 8)));
		if (len >= rest)
			len = rest;
		pc[k].off = (uint16_t)off;
		pc[k].len = (uint16_t)len;
		pc[k].more = off + len < n;
		k++;
		off += len;
	}
	if (off < n) {		/* out of pieces: the rest, in pieces of max */
		while (off < n) {
			len = n - off > max ? max : n - off;
			pc[k].off = (uint16_t)off;
			pc[k].len = (uint16_t)len;
			pc[k].more = off + len < n;
			k++;
			off += len;
		}
	}
	return k;
}

static void swap_pieces(struct piece *a, struct piece *b)
{
	struct piece t = *a;

	*a = *b;
	*b = t;
}

/* The fragment layout of @n payload bytes, pattern @pat. */
static unsigned int plan(struct piece *pc, enum fpat pat, size_t n,
			 size_t max)
{
	unsigned int k, i;

	if (pat == F_ATOMIC) {
		pc[0] = (struct piece){ 0, (uint16_t)n, false };
		return 1;
	}
	if (pat == F_FIRST8) {
		pc[0] = (struct piece){ 0, 8, true };
		k = cut(pc, 1, 8, n, max, false);
	} else {
		k = cut(pc, 0, 0, n, max, pat == F_TINY);
	}
	switch (pat) {
	case F_REVERSE:
		for (i = 0; i < k / 2; i++)
			swap_pieces(&pc[i], &pc[k - 1 - i]);
		break;
	case F_SHUFFLE:
		for (i = k - 1; i > 0; i--)
			swap_pieces(&pc[i], &pc[below(i + 1)]);
		break;
	case F_DUP:
		i = below(k);
		pc[k] = pc[i];
		swap_pieces(&pc[k], &pc[below(k + 1)]);
		k++;
		break;
	case F_OVERLAP:
		/* 8 bytes on both sides of a boundary, sent somewhere. */
		i = 1 + below(k - 1);
		pc[k] = (struct piece){ (uint16_t)(pc[i].off - 8),
					(uint16_t)(pc[i].len < 8 ? 8 + pc[i].len : 16),
					true };
		if ((size_t)pc[k].off + pc[k].len >= n)
			pc[k].more = false;
		swap_pieces(&pc[k], &pc[below(k + 1)]);
		k++;
		break;
	case F_MISSING:
		i = below(k);
		pc[i] = pc[--k];
		break;
	case F_ODD:
		/* A non-last piece whose length is not a multiple of 8. */
		for (i = 0; i < k; i++) {
			if (pc[i].more && (size_t)pc[i].off + pc[i].len + 7 < n) {
				pc[i].len += (uint16_t)(1 + below(7));
				break;
			}
		}
		break;
	default:
		break;
	}
	return k;
}

/* Sends one piece of @d: its own header, then the bytes it covers. */
static void send_piece4(const struct dgram *d, const struct piece *pc,
			uint16_t id)
{
	uint8_t pkt[LINK_MTU];
	size_t h;

	h = ip4_hdr(pkt, d, pc->len, id,
		    (uint16_t)(pc->off / 8 | (pc->more ? 0x2000 : 0)));
	memcpy(pkt + h, d->l4 + pc->off, pc->len);
	emit(4, pkt, h + pc->len, d->cls);
}

static void send_piece6(const struct dgram *d, const struct piece *pc,
			uint32_t id)
{
	uint8_t pkt[LINK_MTU];
	size_t h;

	h = ip6_hdr(pkt, d, 8 + pc->len, 44);
	pkt[h] = d->proto;
	pkt[h + 1] = 0;
	put16(pkt + h + 2, (uint16_t)((pc->off & ~7U) | (pc->more ? 1 : 0)));
	put32(pkt + h + 4, id);
	memcpy(pkt + h + 8, d->l4 + pc->off, pc->len);
	emit(6, pkt, h + 8 + pc->len, d->cls);
}

/* Sends @d whole, or in fragments (always when it is too big). */
static void send_dgram(const struct dgram *d)
{
	size_t hlen = d->fam == 4 ? 20 : 40;
	size_t max = d->fam == 4 ? (LINK_MTU - 20) & ~7U :
				   (LINK_MTU - 48) & ~7U;
	struct piece pc[MAX_PIECES];
	uint8_t pkt[LINK_MTU];
	unsigned int k, i;
	enum fpat pat;
	uint32_t id;

	g.t->dgrams++;
	g.t->cls_dgrams[d->cls]++;
	if (d->no_frag || (hlen + d->len <= LINK_MTU &&
			   !chance(g.frag_pct))) {
		if (d->fam == 4)
			ip4_hdr(pkt, d, d->len, (uint16_t)rnd(),
				chance(50) ? 0x4000 : 0);
		else
			ip6_hdr(pkt, d, d->len, d->proto);
		memcpy(pkt + hlen, d->l4, d->len);
		emit(d->fam, pkt, hlen + d->len, d->cls);
		return;
	}
	if (d->len <= 8)	/* nothing to cut: a lone first fragment */
		pat = d->fam == 6 && chance(50) ? F_ATOMIC : F_MISSING;
	else if (hlen + d->len > LINK_MTU)
		pat = F_SPLIT;
	else
		pat = (enum fpat)below(d->fam == 6 ? F_MAX : F_ATOMIC);
	g.t->fpat_n[pat]++;
	if (d->len <= 8 && pat == F_MISSING) {
		pc[0] = (struct piece){ 0, (uint16_t)d->len, true };
		k = 1;
	} else {
		k = plan(pc, pat, d->len, max);
	}
	/* Each of the --jobs processes has its own IDs. */
	id = g.frag_id;
	g.frag_id += g.frag_step;
	for (i = 0; i < k; i++) {
		if (d->fam == 4)
			send_piece4(d, &pc[i], (uint16_t)id);
		else
			send_piece6(d, &pc[i], id);
	}
}

/* ---------------------------------------------------------------- */
/* ESP                                                              */

static void sa_init(struct sa *sa, uint32_t spi, const char *hexkey)
{
	uint8_t key[36];
	const EVP_CIPHER *c;
	size_t n = 0, klen;
	const char *h = hexkey;
	unsigned int byte;

	if (!strncmp(h, "0x", 2))
		h += 2;
	while (h[0] && h[1] && n < sizeof(key) &&
	       sscanf(h, "%2x", &byte) == 1) {
		key[n++] = (uint8_t)byte;
		h += 2;
	}
	if (*h || (n != 20 && n != 28 && n != 36))
		die("key %s: want 0x and 20, 28 or 36 bytes (key, salt)",
		    hexkey);
	klen = n - 4;
	c = klen == 16 ? EVP_aes_128_gcm() : klen == 24 ? EVP_aes_192_gcm() :
							   EVP_aes_256_gcm();
	sa->spi = spi;
	memcpy(sa->salt, key + klen, 4);
	sa->ctx = EVP_CIPHER_CTX_new();
	if (!sa->ctx ||
	    !EVP_EncryptInit_ex(sa->ctx, c, NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(sa->ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
	    !EVP_EncryptInit_ex(sa->ctx, NULL, NULL, key, NULL))
		die("OpenSSL: cannot set up AES-GCM");
}

/* ESP of @pt under @sa with sequence number @seq: RFC 4106. */
static size_t esp_seal(struct sa *sa, uint64_t seq, const uint8_t *pt,
		       size_t ptlen, uint8_t *out)
{
	uint8_t nonce[12], aad[12];
	int l, aadlen = 8;

	put32(out, sa->spi);
	put32(out + 4, (uint32_t)seq);
	rnd_fill(out + ESP_HDR, ESP_IV);
	memcpy(nonce, sa->salt, 4);
	memcpy(nonce + 4, out + ESP_HDR, ESP_IV);
	put32(aad, sa->spi);
	if (sa->esn) {
		put32(aad + 4, (uint32_t)(seq >> 32));
		put32(aad + 8, (uint32_t)seq);
		aadlen = 12;
	} else {
		put32(aad + 4, (uint32_t)seq);
	}
	if (!EVP_EncryptInit_ex(sa->ctx, NULL, NULL, NULL, nonce) ||
	    !EVP_EncryptUpdate(sa->ctx, NULL, &l, aad, aadlen) ||
	    !EVP_EncryptUpdate(sa->ctx, out + 16, &l, pt, (int)ptlen) ||
	    !EVP_EncryptFinal_ex(sa->ctx, out + 16 + l, &l) ||
	    !EVP_CIPHER_CTX_ctrl(sa->ctx, EVP_CTRL_GCM_GET_TAG, ESP_ICV,
				 out + 16 + ptlen))
		die("OpenSSL: encryption failed");
	return 16 + ptlen + ESP_ICV;
}

/* A random host in @in's selector (or, @outside, an address in none). */
static void inner_src(uint8_t *a, int fam, bool outside)
{
	const struct inner *in = fam == 4 ? &g.in4 : &g.in6;
	size_t alen = fam == 4 ? 4 : 16, i;

	rnd_fill(a, alen);
	if (outside) {
		/* 10.250/16 and fd00:fa::/32 are nobody's. */
		if (fam == 4) {
			a[0] = 10;
			a[1] = 250;
		} else {
			a[0] = 0xfd;
			a[1] = 0;
			a[2] = 0;
			a[3] = 0xfa;
		}
		return;
	}
	for (i = 0; i < alen; i++) {
		unsigned int bits = in->plen > i * 8 ? in->plen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		a[i] = (uint8_t)((in->net[i] & mask) | (a[i] & ~mask));
	}
}

/* A small inner UDP packet from the peer's side to behind the target. */
static size_t inner_packet(uint8_t *p, int fam, bool outside)
{
	const struct inner *in = fam == 4 ? &g.in4 : &g.in6;
	size_t data = below(48), h = fam == 4 ? 20 : 40;
	uint8_t *u;

	if (fam == 4) {
		p[0] = 0x45;
		p[1] = 0;
		put16(p + 2, (uint16_t)(20 + 8 + data));
		put16(p + 4, (uint16_t)rnd());
		put16(p + 6, 0);
		p[8] = 64;
		p[9] = IPPROTO_UDP;
		put16(p + 10, 0);
		inner_src(p + 12, 4, outside);
		memcpy(p + 16, in->dst, 4);
		put16(p + 10, csum_fold(csum_add(0, p, 20)));
	} else {
		memset(p, 0, 4);
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(8 + data));
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		inner_src(p + 8, 6, outside);
		memcpy(p + 24, in->dst, 16);
	}
	u = p + h;
	put16(u, (uint16_t)(1024 + below(60000)));
	put16(u + 2, 9);
	put16(u + 4, (uint16_t)(8 + data));
	put16(u + 6, 0);
	rnd_fill(u + 8, data);
	put16(u + 6, l4_csum(fam, p + (fam == 4 ? 12 : 8),
			     p + (fam == 4 ? 16 : 24), IPPROTO_UDP, u,
			     8 + data));
	return h + 8 + data;
}

enum damage {
	D_NONE, D_TFC, D_SELECTOR, D_OTHER_FAMILY, D_PAD_BYTE, D_PAD_LEN,
	D_EMPTY, D_NEXTHDR, D_INNER_VERSION, D_INNER_SHORT, D_INNER_LEN,
	D_DUMMY, D_MAX
};

/* Appends pad, pad length and next header to @n bytes at @pt. */
static size_t trailer(uint8_t *pt, size_t n, uint8_t nexthdr)
{
	size_t pad = (4 - ((n + 2) & 3)) & 3, i;

	if (chance(20))
		pad += 4 * below(8);
	for (i = 0; i < pad; i++)
		pt[n + i] = (uint8_t)(i + 1);
	pt[n + pad] = (uint8_t)pad;
	pt[n + pad + 1] = nexthdr;
	return n + pad + 2;
}

/* The plaintext of an own-SA packet for the inner family @fam. */
static size_t plaintext(uint8_t *pt, int fam, enum damage dm)
{
	uint8_t nh = fam == 4 ? NH_IPV4 : NH_IPV6;
	size_t n, plen;

	switch (dm) {
	case D_SELECTOR:
		return trailer(pt, inner_packet(pt, fam, true), nh);
	case D_OTHER_FAMILY:	/* the other peer's selectors */
		fam = fam == 4 ? 6 : 4;
		return trailer(pt, inner_packet(pt, fam, false),
			       fam == 4 ? NH_IPV4 : NH_IPV6);
	case D_EMPTY:
		return trailer(pt, 0, nh);
	case D_DUMMY:
		n = below(40);
		rnd_fill(pt, n);
		return trailer(pt, n, NH_NONE);
	case D_INNER_SHORT:
		n = 1 + below(fam == 4 ? 19 : 39);
		rnd_fill(pt, n);
		pt[0] = (uint8_t)((fam == 4 ? 0x40 : 0x60) | (pt[0] & 0xf));
		return trailer(pt, n, nh);
	default:
		break;
	}
	n = inner_packet(pt, fam, false);
	switch (dm) {
	case D_TFC:
		plen = 1 + below(64);
		rnd_fill(pt + n, plen);
		return trailer(pt, n + plen, nh);
	case D_NEXTHDR:
		do {
			nh = (uint8_t)rnd();
		} while (nh == NH_IPV4 || nh == NH_IPV6 || nh == NH_NONE);
		return trailer(pt, n, nh);
	case D_INNER_VERSION:
		pt[0] = (uint8_t)((fam == 4 ? 0x60 : 0x40) | (pt[0] & 0xf));
		if (fam == 4 && chance(50))
			pt[0] = (uint8_t)(0x40 | below(5));	/* ihl < 5 */
		return trailer(pt, n, nh);
	case D_INNER_LEN:	/* claims more than there is */
		if (fam == 4)
			put16(pt + 2, (uint16_t)(n + 1 + below(1000)));
		else
			put16(pt + 4, (uint16_t)(n - 40 + 1 + below(1000)));
		return trailer(pt, n, nh);
	case D_PAD_BYTE:
		n = trailer(pt, n, nh);
		if (pt[n - 2] == 0) {	/* make room for a pad byte */
			pt[n - 2] = 4;
			memmove(pt + n + 2, pt + n - 2, 2);
			memcpy(pt + n - 2, "\x01\x02\x03\x04", 4);
			n += 4;
		}
		pt[n - 3 - below(pt[n - 2])] ^= (uint8_t)(1 + below(255));
		return n;
	case D_PAD_LEN:
		n = trailer(pt, n, nh);
		pt[n - 2] = (uint8_t)(n - 1 + below((uint32_t)(256 - (n - 1))));
		return n;
	default:
		return trailer(pt, n, nh);
	}
}

/* Remembers a valid own-SA packet for later replays. */
static void ring_add(struct sa *sa, const uint8_t *p, size_t n)
{
	unsigned int i = sa->ring_n++ % RING;

	if (n > sizeof(sa->ring[0]))
		return;
	memcpy(sa->ring[i], p, n);
	sa->ring_len[i] = (uint16_t)n;
}

/* ---------------------------------------------------------------- */
/* Mutations                                                        */

static struct sa *any_sa(void)
{
	unsigned int i = below(g.n_live + g.n_own);

	return i < g.n_live ? &g.live[i] : &g.own[i - g.n_live];
}

/* One random change to @p (@n bytes, room for @cap). */
static void mutate_once(uint8_t *p, size_t *n, size_t cap)
{
	size_t i, len;

	switch (below(7)) {
	case 0:		/* flip 1..8 bits */
		if (!*n)
			break;
		for (i = 1 + below(8); i; i--)
			p[below((uint32_t)*n)] ^= (uint8_t)(1 << below(8));
		break;
	case 1:		/* truncate, cycling through every length */
		if (*n)
			*n = g.trunc_cycle++ % *n;
		break;
	case 2:		/* extend */
		len = 1 + below(64);
		if (*n + len <= cap) {
			rnd_fill(p + *n, len);
			*n += len;
		}
		break;
	case 3:		/* another SPI */
		if (*n >= 4)
			put32(p, chance(50) ? any_sa()->spi :
				 (uint32_t[]){ 0, 0xffffffff, 256,
					       (uint32_t)rnd() }[below(4)]);
		break;
	case 4:		/* another sequence number */
		if (*n >= 8)
			put32(p + 4, (uint32_t[]){ 0, 1, 0xffffffff,
						   (uint32_t)rnd(),
						   (uint32_t)any_sa()->seq +
						   below(100) }[below(5)]);
		break;
	case 5:		/* overwrite a stretch */
		if (!*n)
			break;
		i = below((uint32_t)*n);
		len = 1 + below((uint32_t)(*n - i));
		if (chance(50))
			memset(p + i, chance(50) ? 0 : 0xff, len);
		else
			rnd_fill(p + i, len);
		break;
	default:	/* damage the trailer end: ICV and what is before */
		if (*n >= 20)
			p[*n - 1 - below(20)] ^= (uint8_t)(1 + below(255));
		break;
	}
}

/* One or more changes; with @must_differ the result is not @p as was. */
static void mutate(uint8_t *p, size_t *n, size_t cap, bool must_differ)
{
	uint8_t orig[DGRAM_MAX];
	size_t on = *n, k;

	memcpy(orig, p, on);
	for (k = 1 + (chance(25) ? below(3) : 0); k; k--)
		mutate_once(p, n, cap);
	if (must_differ && *n == on && !memcmp(orig, p, on)) {
		if (on)
			p[below((uint32_t)on)] ^= 0x80;
		else
			p[(*n)++] = 0;
	}
}

/* ---------------------------------------------------------------- */
/* ESP and UDP datagrams (mode data, quiet)                         */

/* A random size: mostly small (fast), sometimes up to a few KB. */
static size_t some_len(size_t max)
{
	unsigned int r = below(100);

	if (r < 70)
		return below(128);
	if (r < 95)
		return below(600);
	return below((uint32_t)max);
}

/* Never the one byte 0xff that the target eats without counting. */
static void not_keepalive(uint8_t *p, size_t n)
{
	if (n == 1 && p[0] == 0xff)
		p[0] = 0xfe;
}

/*
 * Wraps @payload in UDP to port 4500 and sends it. @damage breaks the
 * UDP header: 1 checksum, 2 a length past the end, 3 a length under 8,
 * 4 a shorter (but consistent) length, 5 a cut header.
 */
static void send_udp(int fam, const uint8_t *payload, size_t n, enum cls c,
		     unsigned int damage, bool no_frag)
{
	uint8_t u[DGRAM_MAX];
	const uint8_t *src = fam == 4 ? g.src4 : g.src6;
	const uint8_t *dst = fam == 4 ? g.dst4 : g.dst6;
	struct dgram d = { fam, IPPROTO_UDP, src, dst, u, 0, c, no_frag };
	size_t ulen;

	if (n > sizeof(u) - 8)
		n = sizeof(u) - 8;
	ulen = d.len = 8 + n;
	memcpy(u + 8, payload, n);
	put16(u, chance(80) ? NAT_T_PORT : (uint16_t)(1024 + below(60000)));
	put16(u + 2, NAT_T_PORT);
	if (damage == 4 && n)
		ulen = 8 + below((uint32_t)n);
	if (c != C_KEEPALIVE)
		not_keepalive(u + 8, ulen - 8);
	put16(u + 4, (uint16_t)ulen);
	put16(u + 6, 0);
	if (fam == 6 || chance(50) || damage == 1) {
		uint16_t s = l4_csum(fam, src, dst, IPPROTO_UDP, u, ulen);

		put16(u + 6, s ? s : 0xffff);
	}
	switch (damage) {
	case 1:
		put16(u + 6, (uint16_t)(get16(u + 6) ^ (1 + below(0xfffe))));
		if (fam == 6 && chance(30))
			put16(u + 6, 0);	/* no checksum: not in IPv6 */
		break;
	case 2:
		put16(u + 4, (uint16_t)(ulen + 1 + below(100)));
		break;
	case 3:
		put16(u + 4, (uint16_t)below(8));
		break;
	case 5:
		d.len = below(8);
		break;
	default:
		break;
	}
	send_dgram(&d);
}

/* Sends ESP bytes raw (IP protocol 50) or in UDP, either family. */
static void send_esp(const uint8_t *esp, size_t n, enum cls c, bool no_frag)
{
	int fam = g.have4 && (!g.have6 || chance(50)) ? 4 : 6;
	struct dgram d = { fam, IPPROTO_ESP, fam == 4 ? g.src4 : g.src6,
			   fam == 4 ? g.dst4 : g.dst6, esp, n, c, no_frag };

	if (chance(50))
		send_udp(fam, esp, n, c, 0, no_frag);
	else
		send_dgram(&d);
}

static void gen_live(bool fresh)
{
	struct sa *sa = &g.live[below(g.n_live)];
	uint8_t pt[DGRAM_MAX], esp[DGRAM_MAX];
	uint64_t seq;
	size_t n;
	int fam;

	if (fresh)
		seq = sa->seq + 1 + (chance(70) ? below(64) : below(1 << 20));
	else if (chance(5))
		seq = 0;
	else
		seq = sa->seq - below((uint32_t)(sa->seq < 4096 ? sa->seq :
						 4096));
	fam = chance(50) ? 4 : 6;
	n = trailer(pt, inner_packet(pt, fam, false),
		    fam == 4 ? NH_IPV4 : NH_IPV6);
	n = esp_seal(sa, seq, pt, n, esp);
	/* A fresh one must never arrive intact: it would move the window. */
	if (fresh || chance(30))
		mutate(esp, &n, sizeof(esp), fresh);
	send_esp(esp, n, fresh ? C_LIVE_NEW : C_LIVE_OLD, false);
}

static void gen_own(enum cls c)
{
	static const unsigned int dw[D_MAX] = {
		[D_SELECTOR] = 3, [D_OTHER_FAMILY] = 2, [D_PAD_BYTE] = 3,
		[D_PAD_LEN] = 2, [D_EMPTY] = 1, [D_NEXTHDR] = 2,
		[D_INNER_VERSION] = 2, [D_INNER_SHORT] = 2,
		[D_INNER_LEN] = 2,
	};
	struct sa *sa = &g.own[below(g.n_own)];
	uint8_t pt[DGRAM_MAX], esp[DGRAM_MAX];
	enum damage dm;
	size_t n;

	if (c == C_OWN_REPLAY && sa->ring_n) {
		n = below(sa->ring_n < RING ? sa->ring_n : RING);
		send_esp(sa->ring[n], sa->ring_len[n], c, false);
		return;
	}
	if (c == C_OWN_REPLAY)
		c = C_OWN_GOOD;
	if (c == C_DUMMY)
		dm = D_DUMMY;
	else if (c == C_OWN_BAD)
		dm = (enum damage)pick(dw, D_MAX);
	else
		dm = chance(25) ? D_TFC : D_NONE;
	/* Now and then a jump ahead, leaving the ring behind the window. */
	sa->seq += g.jobs * (chance(2) ? 1 + below(5000) : 1);
	n = esp_seal(sa, sa->seq, pt, plaintext(pt, sa->inner_fam, dm), esp);
	if (c == C_OWN_FORGED) {
		mutate(esp, &n, sizeof(esp), true);
	} else {
		ring_add(sa, esp, n);
		if (c == C_DUMMY) {
			send_esp(esp, n, c, true);
			return;
		}
	}
	send_esp(esp, n, c, false);
}

static void gen_unknown_spi(void)
{
	uint8_t esp[DGRAM_MAX];
	size_t n = some_len(1400);
	uint32_t spi;
	unsigned int i;

	rnd_fill(esp, n);
	if (n >= 4) {
		do {
			spi = (uint32_t)rnd();
			for (i = 0; i < g.n_live + g.n_own; i++)
				if (spi == (i < g.n_live ? g.live[i].spi :
					    g.own[i - g.n_live].spi))
					spi = 0;
		} while (!spi);
		put32(esp, spi);
	}
	send_esp(esp, n, C_UNKNOWN_SPI, false);
}

/* Keepalive look-alikes and datagrams too short for ESP. */
static void gen_natt_marker(void)
{
	int fam = g.have4 && (!g.have6 || chance(50)) ? 4 : 6;
	uint8_t p[64];
	size_t n;

	switch (below(5)) {
	case 0:			/* nothing at all */
		n = 0;
		break;
	case 1:			/* one byte, not 0xff */
		n = 1;
		p[0] = (uint8_t)below(255);
		break;
	case 2:			/* 0xff and more */
		n = 2 + below(20);
		rnd_fill(p, n);
		p[0] = 0xff;
		break;
	default:		/* 2..7 bytes, marker or not */
		n = 2 + below(6);
		rnd_fill(p, n);
		if (chance(30))
			memset(p, 0, n < 4 ? n : 4);
		break;
	}
	send_udp(fam, p, n, C_NATT_MARKER, 0, false);
}

/* IKE behind the zero non-ESP marker: headers that look right. */
static void gen_ike(void)
{
	int fam = g.have4 && (!g.have6 || chance(50)) ? 4 : 6;
	uint8_t p[DGRAM_MAX];
	size_t n = 4 + (chance(10) ? 0 : 28 + some_len(1200));

	rnd_fill(p, n);
	memset(p, 0, 4);
	if (n >= 32) {
		p[4 + 16] = 33;			/* next payload: SA */
		p[4 + 17] = 0x20;		/* IKEv2 */
		p[4 + 18] = (uint8_t)(34 + below(4));
		p[4 + 19] = 0x08;
		put32(p + 4 + 24, (uint32_t)(n - 4));
	}
	if (chance(20)) {	/* behind the marker, which stays */
		n -= 4;
		mutate(p + 4, &n, sizeof(p) - 4, false);
		n += 4;
	}
	send_udp(fam, p, n, C_IKE, 0, false);
}

/* ESP or a marker in UDP with a broken header. */
static void gen_udp_hdr(void)
{
	int fam = g.have4 && (!g.have6 || chance(50)) ? 4 : 6;
	uint8_t p[DGRAM_MAX];
	size_t n = some_len(1400);
	unsigned int damage = 1 + below(5);

	rnd_fill(p, n);
	if (n >= 4 && chance(50))
		put32(p, any_sa()->spi);
	send_udp(fam, p, n, C_UDP_HDR, damage, false);
}

static void gen_keepalive(void)
{
	int fam = g.have4 && (!g.have6 || chance(50)) ? 4 : 6;
	uint8_t ff = 0xff;

	send_udp(fam, &ff, 1, C_KEEPALIVE, 0, true);
}

/* ---------------------------------------------------------------- */
/* ICMP errors (mode ptb, noise)                                    */

/* What an ICMP message quotes, and how; the defaults make it count. */
struct quoting {
	const struct quote *q;
	bool udp;		/* ESP in UDP */
	unsigned int ihl;	/* IPv4: words in the quoted header */
	bool destopt;		/* IPv6: an extension header first */
	uint32_t spi, seq;
	uint8_t daddr[16];	/* the quoted destination */
	uint8_t proto;		/* after the IP header(s) */
	uint16_t sport, dport;
	size_t len;		/* bytes quoted in all */
};

/* Where the ESP header starts in the quote, and the least that counts. */
static size_t quote_esp_off(const struct quoting *qi)
{
	size_t off = qi->q->fam == 4 ? qi->ihl * 4 : 40 + (qi->destopt ? 8 : 0);

	return off + (qi->udp ? 8 : 0);
}

static void quoting_init(struct quoting *qi)
{
	const struct quote *q = &g.quote[below(g.n_quote)];
	uint32_t r = below(100);

	memset(qi, 0, sizeof(*qi));
	qi->q = q;
	qi->udp = chance(50);
	qi->ihl = chance(85) ? 5 : 6 + below(10);
	qi->destopt = chance(15);
	qi->spi = q->spi;
	/* Recent, stale, zero, not sent yet, anything. */
	if (r < 40)
		qi->seq = q->seq - below(q->seq < 16 ? q->seq + 1 : 16);
	else if (r < 55)
		qi->seq = q->seq - 65536 - below(5000);
	else if (r < 65)
		qi->seq = q->seq - below(65536);
	else if (r < 75)
		qi->seq = 0;
	else if (r < 85)
		qi->seq = q->seq + 1 + below(100);
	else
		qi->seq = (uint32_t)rnd();
	memcpy(qi->daddr, q->remote, 16);
	qi->proto = qi->udp ? IPPROTO_UDP : IPPROTO_ESP;
	qi->sport = NAT_T_PORT;
	qi->dport = NAT_T_PORT;
	if (qi->udp && chance(20)) {	/* NAT: one port is 4500 */
		if (chance(50))
			qi->dport = (uint16_t)(1024 + below(60000));
		else
			qi->sport = (uint16_t)(1024 + below(60000));
	}
	qi->len = quote_esp_off(qi) + 8 + (chance(30) ? 0 : below(500));
}

/* The quoted packet: IP header (and options or extension), maybe UDP,
 * the ESP header, then bytes that stand for the rest. */
static size_t quote_build(uint8_t *p, const struct quoting *qi)
{
	const uint8_t *self = qi->q->fam == 4 ? g.dst4 : g.dst6;
	size_t h, tot = qi->len + 200 + below(1200);
	uint8_t body[DGRAM_MAX];

	memset(body, 0, qi->len + 128);
	if (qi->q->fam == 4) {
		h = qi->ihl * 4;
		body[0] = (uint8_t)(0x40 | (qi->ihl & 0xf));
		put16(body + 2, (uint16_t)tot);
		put16(body + 4, (uint16_t)rnd());
		put16(body + 6, 0x4000);
		body[8] = (uint8_t)(1 + below(64));
		body[9] = qi->proto;
		memcpy(body + 12, self, 4);
		memcpy(body + 16, qi->daddr, 4);
		memset(body + 20, 1, h > 20 ? h - 20 : 0);	/* NOPs */
		if (qi->ihl >= 5)
			put16(body + 10, csum_fold(csum_add(0, body, h)));
	} else {
		h = 40;
		body[0] = 0x60;
		put16(body + 4, (uint16_t)(tot - 40));
		body[6] = qi->destopt ? 60 : qi->proto;
		body[7] = 64;
		memcpy(body + 8, self, 16);
		memcpy(body + 24, qi->daddr, 16);
		if (qi->destopt) {	/* next header, length 0, PadN */
			body[40] = qi->proto;
			body[42] = 1;
			body[43] = 4;
			h = 48;
		}
	}
	if (qi->udp || qi->proto == IPPROTO_UDP) {
		put16(body + h, qi->sport);
		put16(body + h + 2, qi->dport);
		put16(body + h + 4, (uint16_t)(tot - h));
		put16(body + h + 6, (uint16_t)rnd());
		h += 8;
	}
	put32(body + h, qi->spi);
	put32(body + h + 4, qi->seq);
	if (qi->len > h + 8)
		rnd_fill(body + h + 8, qi->len - h - 8);
	memcpy(p, body, qi->len);
	return qi->len;
}

/* An MTU worth claiming: edges and anything. */
static uint32_t some_mtu(int fam)
{
	static const uint32_t edges[] = {
		0, 1, 67, 68, 100, 552, 575, 576, 577, 1000, 1279, 1280,
		1281, 1400, 1420, 1499, 1500, 9000, 65535,
	};

	if (chance(60))
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	return fam == 6 && chance(30) ? (uint32_t)rnd() : below(65536);
}

/* A source for the ICMP message: the peer, a router next to it, or
 * somewhere off the path (and, in IPv6, ourselves, which is spoofed). */
static void icmp_source(uint8_t *a, int fam)
{
	unsigned int r = below(100);

	if (fam == 4) {
		memcpy(a, g.src4, 4);
		if (r >= 40 && r < 80) {
			a[3] = (uint8_t)(3 + below(250));
		} else if (r >= 80) {
			a[0] = 198;
			a[1] = 51;
			a[2] = 100;
			a[3] = (uint8_t)(1 + below(254));
		}
		return;
	}
	memcpy(a, g.src6, 16);
	if (r >= 40 && r < 75) {
		a[15] = (uint8_t)(3 + below(250));
	} else if (r >= 75 && r < 90) {
		a[4] = 0xff;
		a[15] = (uint8_t)below(256);
	} else if (r >= 90) {
		memcpy(a, g.dst6, 16);
	}
}

/* Sends an ICMP or ICMPv6 error with @qi's quote. */
static void send_icmp(const struct quoting *qi, uint8_t type, uint8_t code,
		      uint32_t info, bool bad_csum, enum cls c)
{
	int fam = qi->q->fam;
	uint8_t m[DGRAM_MAX], src[16];
	struct dgram d = { fam, fam == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, src,
			   fam == 4 ? g.dst4 : g.dst6, m, 0, c, false };
	uint16_t s;

	icmp_source(src, fam);
	m[0] = type;
	m[1] = code;
	put16(m + 2, 0);
	if (fam == 4) {
		put16(m + 4, 0);
		put16(m + 6, (uint16_t)info);
	} else {
		put32(m + 4, info);
	}
	d.len = 8 + quote_build(m + 8, qi);
	s = fam == 4 ? csum_fold(csum_add(0, m, d.len)) :
		       l4_csum(6, src, d.dst, IPPROTO_ICMPV6, m, d.len);
	if (bad_csum)
		s ^= (uint16_t)(1 + below(0xfffe));
	put16(m + 2, s);
	send_dgram(&d);
}

static void gen_ptb(void)
{
	struct quoting qi;

	quoting_init(&qi);
	if (qi.q->fam == 4)
		send_icmp(&qi, 3, 4, some_mtu(4), false, C_PTB);
	else
		send_icmp(&qi, 2, (uint8_t)(chance(90) ? 0 : rnd()),
			  some_mtu(6), false, C_PTB);
}

/* Each changes one thing about a PTB that would count, so it does not. */
static void gen_icmp_noise(void)
{
	static const uint8_t types4[] = { 3, 4, 5, 11, 12 };
	static const uint8_t types6[] = { 1, 3, 4 };
	struct quoting qi;
	uint8_t type, code;
	unsigned int i;
	size_t least;

	quoting_init(&qi);
	type = qi.q->fam == 4 ? 3 : 2;
	code = qi.q->fam == 4 ? 4 : 0;
	least = quote_esp_off(&qi) + 8;
	switch (below(9)) {
	case 0:		/* an SPI that is not an outbound SA of that peer */
		do {
			qi.spi = chance(50) ? any_sa()->spi : (uint32_t)rnd();
		} while (qi.spi == qi.q->spi);
		break;
	case 1:		/* about a packet to someone else */
		qi.daddr[qi.q->fam == 4 ? 3 : 15] ^= (uint8_t)(1 + below(255));
		break;
	case 2:		/* another type */
		if (qi.q->fam == 4)
			type = types4[below(sizeof(types4))];
		else
			type = types6[below(sizeof(types6))];
		if (type == 3)
			code = chance(50) ? (uint8_t)below(16) : 4 + 16 * (1 + below(15));
		if (type == 3 && code == 4)
			code = 3;
		break;
	case 3:		/* a quote too short for the ESP header */
		qi.len = least - 1 - below(8);
		break;
	case 4:		/* a bad ICMP checksum */
		send_icmp(&qi, type, code, some_mtu(qi.q->fam), true,
			  C_ICMP_NOISE);
		return;
	case 5:		/* in UDP, but to and from ports no socket has */
		qi.udp = true;
		qi.proto = IPPROTO_UDP;
		qi.sport = (uint16_t)(1024 + below(3000));
		qi.dport = (uint16_t)(1024 + below(3000));
		qi.len = quote_esp_off(&qi) + 8 + below(100);
		break;
	case 6:		/* another protocol inside */
		qi.udp = false;
		do {
			qi.proto = (uint8_t)rnd();
		} while (qi.proto == IPPROTO_ESP || qi.proto == IPPROTO_UDP ||
			 qi.proto == 60 || qi.proto == 0 || qi.proto == 43 ||
			 qi.proto == 44 || qi.proto == 51 || qi.proto == 135 ||
			 qi.proto == 139 || qi.proto == 140);
		break;
	case 7:		/* IPv4: a header shorter than 20; IPv6: the
			 * extension header runs past the end */
		if (qi.q->fam == 4) {
			qi.ihl = below(5);
			qi.len = 20 + 16 + below(100);
		} else {
			qi.destopt = true;
			qi.len = 40 + 4;
		}
		break;
	default:	/* the SPI of another peer's outbound SA */
		for (i = 0; i < g.n_quote; i++)
			if (g.quote[i].spi != qi.spi)
				qi.spi = g.quote[i].spi;
		if (qi.spi == qi.q->spi)
			qi.daddr[qi.q->fam == 4 ? 0 : 1] ^= 0x40;
		break;
	}
	if (qi.len < 4)
		qi.len = 4;
	send_icmp(&qi, type, code, some_mtu(qi.q->fam), false, C_ICMP_NOISE);
}

/* ---------------------------------------------------------------- */
/* Options                                                          */

static void parse_addr(const char *s, uint8_t *a, int *fam)
{
	if (inet_pton(AF_INET, s, a) == 1) {
		memset(a + 4, 0, 12);
		*fam = 4;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		*fam = 6;
	} else {
		die("bad address %s", s);
	}
}

/* Splits "A,B,..." in place into at most @max fields. */
static unsigned int fields(char *s, char **f, unsigned int max)
{
	unsigned int n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, ',');
		if (!s)
			break;
		*s++ = 0;
	}
	return n;
}

static void parse_pair(char *arg, uint8_t *src, uint8_t *dst, int want)
{
	char *f[2];
	int fam;

	if (fields(arg, f, 2) != 2)
		die("want SRC,DST: %s", arg);
	parse_addr(f[0], src, &fam);
	if (fam != want)
		die("%s is not IPv%d", f[0], want);
	parse_addr(f[1], dst, &fam);
	if (fam != want)
		die("%s is not IPv%d", f[1], want);
}

static void parse_inner(char *arg, struct inner *in, int want)
{
	char *f[2], *slash;
	int fam;

	if (fields(arg, f, 2) != 2 || !(slash = strchr(f[0], '/')))
		die("want NET/LEN,DST: %s", arg);
	*slash++ = 0;
	parse_addr(f[0], in->net, &fam);
	in->plen = (unsigned int)atoi(slash);
	if (fam != want || in->plen > (want == 4 ? 32U : 128U))
		die("bad IPv%d selector %s/%s", want, f[0], slash);
	parse_addr(f[1], in->dst, &fam);
	if (fam != want)
		die("%s is not IPv%d", f[1], want);
	in->set = true;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		die("bad number %s", s);
	return v;
}

/* SPI,KEY,SEQ[,esn] (live) or SPI,KEY,SEQ,4|6[,esn] (own). */
static void parse_sa(char *arg, struct sa *sa, bool own)
{
	unsigned int want = own ? 4 : 3, n;
	char *f[5];

	n = fields(arg, f, 5);
	if (n < want || n > want + 1 || (n > want && strcmp(f[want], "esn")))
		die("want SPI,KEY,SEQ%s[,esn]: %s", own ? ",4|6" : "", arg);
	sa_init(sa, (uint32_t)num(f[0]), f[1]);
	sa->seq = num(f[2]);
	sa->esn = n > want;
	if (own) {
		sa->inner_fam = (int)num(f[3]);
		if (sa->inner_fam != 4 && sa->inner_fam != 6)
			die("own SA %s: inner family 4 or 6", f[0]);
	}
}

static void parse_quote(char *arg, struct quote *q)
{
	char *f[3];

	if (fields(arg, f, 3) != 3)
		die("want SPI,SEQ,REMOTE: %s", arg);
	q->spi = (uint32_t)num(f[0]);
	q->seq = (uint32_t)num(f[1]);
	parse_addr(f[2], q->remote, &q->fam);
}

static void usage(void)
{
	fputs("usage: moat-pktfuzz --dev IFNAME --dst-mac MAC\n"
	      "   [--v4 PEER,TARGET] [--v6 PEER,TARGET]\n"
	      "   [--mode data|ptb|noise|quiet] [--count FRAMES]"
	      " [--seconds S] [--seed N]\n"
	      "   [--live SPI,KEY,SEQ[,esn]]... [--own SPI,KEY,SEQ,4|6[,esn]]...\n"
	      "   [--quote SPI,SEQ,REMOTE]... [--inner4 NET/LEN,DST]"
	      " [--inner6 NET/LEN,DST]\n"
	      "   [--frag PERCENT] [--batch N] [--pace USEC]"
	      " [--frag-id N] [--jobs N] [--pcap FILE]\n"
	      "KEY is ip xfrm's rfc4106(gcm(aes)) key: 0x, key, 4-byte salt.\n",
	      stderr);
	exit(2);
}

static void parse(int argc, char **argv, char **dev, char **mac,
		  char **pcap)
{
	static const struct option opts[] = {
		{ "dev", 1, NULL, 'd' }, { "dst-mac", 1, NULL, 'm' },
		{ "v4", 1, NULL, '4' }, { "v6", 1, NULL, '6' },
		{ "mode", 1, NULL, 'M' }, { "count", 1, NULL, 'n' },
		{ "seconds", 1, NULL, 't' }, { "seed", 1, NULL, 's' },
		{ "live", 1, NULL, 'L' }, { "own", 1, NULL, 'O' },
		{ "quote", 1, NULL, 'Q' }, { "inner4", 1, NULL, 'i' },
		{ "inner6", 1, NULL, 'I' }, { "frag", 1, NULL, 'f' },
		{ "batch", 1, NULL, 'b' }, { "pace", 1, NULL, 'p' },
		{ "frag-id", 1, NULL, 'F' }, { "pcap", 1, NULL, 'P' },
		{ "jobs", 1, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const modes[] = { "data", "ptb", "noise", "quiet" };
	int c, i;

	g.count = 1000;
	g.seconds = 60;
	g.frag_pct = 25;
	g.batch = 64;
	g.jobs = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *dev = optarg; break;
		case 'm': *mac = optarg; break;
		case '4': parse_pair(optarg, g.src4, g.dst4, 4); g.have4 = true; break;
		case '6': parse_pair(optarg, g.src6, g.dst6, 6); g.have6 = true; break;
		case 'n': g.count = num(optarg); break;
		case 't': g.seconds = strtod(optarg, NULL); break;
		case 's': g.seed = num(optarg); break;
		case 'f': g.frag_pct = (unsigned int)num(optarg); break;
		case 'b': g.batch = (unsigned int)num(optarg); break;
		case 'p': g.pace_us = (unsigned int)num(optarg); break;
		case 'F': g.frag_id = (uint32_t)num(optarg); break;
		case 'P': *pcap = optarg; break;
		case 'j': g.jobs = (unsigned int)num(optarg); break;
		case 'i': parse_inner(optarg, &g.in4, 4); break;
		case 'I': parse_inner(optarg, &g.in6, 6); break;
		case 'M':
			for (i = 0; i < 4 && strcmp(optarg, modes[i]); i++)
				;
			if (i == 4)
				die("unknown mode %s", optarg);
			g.mode = (enum mode)i;
			break;
		case 'L':
			if (g.n_live == MAX_SAS)
				die("at most %d live SAs", MAX_SAS);
			parse_sa(optarg, &g.live[g.n_live++], false);
			break;
		case 'O':
			if (g.n_own == MAX_SAS)
				die("at most %d own SAs", MAX_SAS);
			parse_sa(optarg, &g.own[g.n_own++], true);
			break;
		case 'Q':
			if (g.n_quote == MAX_SAS)
				die("at most %d quoted SAs", MAX_SAS);
			parse_quote(optarg, &g.quote[g.n_quote++]);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !*dev || !*mac || (!g.have4 && !g.have6))
		usage();
	if (g.batch < 1 || g.batch > BATCH_MAX)
		die("--batch 1..%d", BATCH_MAX);
	if (g.frag_pct > 100)
		die("--frag 0..100");
	if (g.jobs < 1 || g.jobs > 64 || (*pcap && g.jobs > 1))
		die("--jobs 1..64, and 1 with --pcap");
	if (g.mode == M_DATA && (!g.n_live || !g.n_own))
		die("mode data needs --live and --own SAs");
	if ((g.mode == M_DATA || g.mode == M_QUIET) &&
	    (!g.in4.set || !g.in6.set))
		die("--inner4 and --inner6 are needed for ESP");
	if (g.mode == M_QUIET && !g.n_own)
		die("mode quiet needs --own SAs");
	if ((g.mode == M_PTB || g.mode == M_NOISE) && !g.n_quote)
		die("mode %s needs --quote", modes[g.mode]);
	for (i = 0; i < (int)g.n_quote; i++)
		if ((g.quote[i].fam == 4 && !g.have4) ||
		    (g.quote[i].fam == 6 && !g.have6))
			die("a quoted SA's peer needs --v%d", g.quote[i].fam);
}

/* ---------------------------------------------------------------- */

static void one(enum cls c)
{
	switch (c) {
	case C_LIVE_OLD: gen_live(false); break;
	case C_LIVE_NEW: gen_live(true); break;
	case C_OWN_GOOD:
	case C_OWN_BAD:
	case C_OWN_REPLAY:
	case C_OWN_FORGED:
	case C_DUMMY: gen_own(c); break;
	case C_UNKNOWN_SPI: gen_unknown_spi(); break;
	case C_NATT_MARKER: gen_natt_marker(); break;
	case C_IKE: gen_ike(); break;
	case C_UDP_HDR: gen_udp_hdr(); break;
	case C_PTB: gen_ptb(); break;
	case C_ICMP_NOISE: gen_icmp_noise(); break;
	case C_KEEPALIVE: gen_keepalive(); break;
	default: break;
	}
}

/* One sender: its share of the frames, its own seed and IDs. */
static void run(unsigned int job)
{
	unsigned int i;

	rng = (g.seed + job * 0x5851f42d4c957f2dULL) * 0x9e3779b97f4a7c15ULL +
	      0x632be59bd9b4e019ULL;
	if (!rng)
		rng = 1;
	g.count = g.count / g.jobs + (job == 0 ? g.count % g.jobs : 0);
	g.frag_id += job;
	g.frag_step = g.jobs;
	/* The own SAs' sequence numbers are interleaved the same way. */
	for (i = 0; i < g.n_own; i++)
		g.own[i].seq += job;
	clock_gettime(CLOCK_MONOTONIC, &g.start);
	while (g.count && g.seconds > 0 && !g.stop) {
		one((enum cls)pick(mode_weights[g.mode], C_MAX));
		if (g.pace_us && !g.stop && g.queued == 0)
			usleep(g.pace_us);
	}
	flush();
	if (g.pcap && fclose(g.pcap))
		die("writing the pcap file: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	char *dev = NULL, *mac = NULL, *pcap = NULL;
	struct tally *tally, sum = { 0 };
	struct timespec t0;
	unsigned int j, i;
	int status, failed = 0;
	pid_t pid;

	parse(argc, argv, &dev, &mac, &pcap);
	open_link(dev, mac, pcap);
	/* Quiet mode is for exact counts: one frame at a time. */
	if (g.mode == M_QUIET)
		g.batch = 1;
	tally = mmap(NULL, sizeof(*tally) * g.jobs, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(NULL);
	for (j = 0; j < g.jobs; j++) {
		g.t = &tally[j];
		if (g.jobs == 1) {
			run(0);
			break;
		}
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			run(j);
			_exit(0);
		}
	}
	while (g.jobs > 1 && wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	g.start = t0;
	for (j = 0; j < g.jobs; j++) {
		sum.frames += tally[j].frames;
		sum.dgrams += tally[j].dgrams;
		for (i = 0; i < C_MAX; i++) {
			sum.cls_dgrams[i] += tally[j].cls_dgrams[i];
			sum.cls_frames[i] += tally[j].cls_frames[i];
		}
		for (i = 0; i < F_MAX; i++)
			sum.fpat_n[i] += tally[j].fpat_n[i];
	}
	for (i = 0; i < C_MAX; i++)
		if (sum.cls_dgrams[i])
			printf("class %s datagrams %" PRIu64 " frames %" PRIu64 "\n",
			       cls_name[i], sum.cls_dgrams[i], sum.cls_frames[i]);
	for (i = 0; i < F_MAX; i++)
		if (sum.fpat_n[i])
			printf("frag %s %" PRIu64 "\n", fpat_name[i], sum.fpat_n[i]);
	printf("total datagrams %" PRIu64 " frames %" PRIu64 " seconds %.1f\n",
	       sum.dgrams, sum.frames, elapsed());
	return failed;
}
