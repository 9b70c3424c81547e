/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Moat: the generic netlink contract between the moat module and userspace.
 *
 * Family "moat", version MOAT_GENL_VERSION. Every command names its device
 * with MOAT_A_IFINDEX or MOAT_A_IFNAME (the index wins when both are
 * given) in the caller's network namespace. Mutating commands need
 * CAP_NET_ADMIN in the user namespace that owns that network namespace.
 *
 * Object attributes are nested: MOAT_A_LINK carries enum moat_link_attr,
 * MOAT_A_PEER enum moat_peer_attr, MOAT_A_SA enum moat_sa_attr. Counters
 * are nested under a *_STATS attribute, one u64 per enum moat_stat, so a
 * new counter is a new attribute and old tools simply skip it.
 *
 * Enumerations are append-only: values never change meaning.
 */
#ifndef _UAPI_LINUX_MOAT_H
#define _UAPI_LINUX_MOAT_H

#define MOAT_GENL_NAME		"moat"
#define MOAT_GENL_VERSION	1

/* Multicast groups. */
#define MOAT_MCGRP_EVENTS	"events"

enum moat_cmd {
	MOAT_CMD_UNSPEC,
	MOAT_CMD_LINK_GET,	/* doit: one device; dumpit: every moat device */
	MOAT_CMD_LINK_SET,
	MOAT_CMD_PEER_NEW,	/* MOAT_A_PEER: REMOTE4|6, [LOCAL4|6], ENCAP.., TS */
	MOAT_CMD_PEER_DEL,	/* MOAT_A_PEER: REMOTE4|6 */
	MOAT_CMD_PEER_GET,	/* dumpit; MOAT_A_PEER REMOTE4|6 filters */
	MOAT_CMD_SA_NEW,	/* MOAT_A_PEER: REMOTE4|6; MOAT_A_SA */
	MOAT_CMD_SA_DEL,	/* MOAT_A_SA: SPI, DIR; [MOAT_A_PEER] */
	MOAT_CMD_SA_GET,	/* dumpit; [MOAT_A_PEER] filters */
	MOAT_CMD_SA_FLUSH,	/* [MOAT_A_PEER] limits it to one peer */
	MOAT_CMD_SA_EXPIRE,	/* event on MOAT_MCGRP_EVENTS: IFINDEX, PEER, SA */
	MOAT_CMD_SOCK_SET,	/* MOAT_A_SOCK_FD; names no device (see below) */
	/* guard */
	MOAT_CMD_GUARD_GET,	/* doit: MOAT_A_GUARD of the caller's netns */
	MOAT_CMD_GUARD_SET,	/* MOAT_A_GUARD: the attributes to change */
	MOAT_CMD_GUARD_LEVEL,	/* event: MOAT_A_GUARD with LEVEL, DIFFICULTY */
	__MOAT_CMD_MAX
};

#define MOAT_CMD_MAX (__MOAT_CMD_MAX - 1)

enum moat_attr {
	MOAT_A_UNSPEC,
	MOAT_A_IFINDEX,		/* u32 */
	MOAT_A_IFNAME,		/* string, < IFNAMSIZ */
	MOAT_A_LINK,		/* nest: enum moat_link_attr */
	MOAT_A_PEER,		/* nest: enum moat_peer_attr */
	MOAT_A_SA,		/* nest: enum moat_sa_attr */
	MOAT_A_SOCK_FD,		/* u32: a file descriptor of the caller's */
	/* guard */
	MOAT_A_GUARD,		/* nest: enum moat_guard_attr */
	MOAT_A_SOCK_KIND,	/* u8, enum moat_sock_kind; with MOAT_A_SOCK_FD */
	__MOAT_A_MAX
};

#define MOAT_A_MAX (__MOAT_A_MAX - 1)

/* Value of MOAT_LINK_A_MSS_CLAMP that derives the MSS from the inner MTU. */
#define MOAT_MSS_CLAMP_AUTO	0xffffffffU
/* Value of MOAT_LINK_A_MSS_CLAMP that leaves TCP SYNs alone. */
#define MOAT_MSS_CLAMP_OFF	0

/*
 * Caps on what userspace can make one device hold (MOAT_LINK_A_MAX_PEERS,
 * MOAT_LINK_A_MAX_SAS): defaults, and the most either may be set to.
 */
#define MOAT_MAX_PEERS_DEFAULT	16384
#define MOAT_MAX_SAS_DEFAULT	65536
#define MOAT_MAX_PEERS_LIMIT	65536
#define MOAT_MAX_SAS_LIMIT	262144

/* Bounds of MOAT_LINK_A_PMTU_FLOOR4, the lowest inner IPv4 MTU. */
#define MOAT_PMTU_FLOOR4_MIN		68
#define MOAT_PMTU_FLOOR4_DEFAULT	576
#define MOAT_PMTU_FLOOR4_MAX		65535

enum moat_link_attr {
	MOAT_LINK_A_UNSPEC,
	MOAT_LINK_A_PAD,
	MOAT_LINK_A_IFINDEX,	/* u32, read only */
	MOAT_LINK_A_IFNAME,	/* string, read only */
	MOAT_LINK_A_MTU,	/* u32, read only (set it with ip link) */
	MOAT_LINK_A_OPERSTATE,	/* u8, IF_OPER_*, read only */
	MOAT_LINK_A_MSS_CLAMP,	/* u32: OFF, AUTO or a fixed MSS (536..65495) */
	MOAT_LINK_A_PMTU_FLOOR4, /* u32, MOAT_PMTU_FLOOR4_MIN..MAX */
	MOAT_LINK_A_N_PEERS,	/* u32, read only */
	MOAT_LINK_A_N_SAS,	/* u32, read only */
	MOAT_LINK_A_STATS,	/* nest: u64 per enum moat_stat, read only */
	MOAT_LINK_A_MAX_PEERS,	/* u32: most peers the device takes */
	MOAT_LINK_A_MAX_SAS,	/* u32: most SAs the device takes, all peers */
	__MOAT_LINK_A_MAX
};

#define MOAT_LINK_A_MAX (__MOAT_LINK_A_MAX - 1)

/* How a peer's ESP travels. */
enum moat_encap {
	MOAT_ENCAP_NONE,	/* raw ESP, IP protocol 50 */
	MOAT_ENCAP_UDP,		/* ESP in UDP, RFC 3948 */
};

#define MOAT_ENCAP_PORT		4500

/*
 * MOAT_CMD_SOCK_SET hands the module a UDP socket (MOAT_A_SOCK_FD) bound
 * to a port, IPv6 ones IPV6_V6ONLY: it becomes the caller's namespace's
 * ESP-in-UDP socket for its family. ESP arriving on it goes to the data
 * path and NAT keepalives are eaten; IKE (after the non-ESP marker) stays
 * on the socket, marker included, for the daemon to read. Peers with
 * encap udp on that family and port send from it. The module keeps no
 * reference: closing the socket takes it back. IPv4 sockets are switched
 * to IP_PMTUDISC_OMIT, as the module keeps the path MTU itself. While a
 * socket is handed in, the module cannot be unloaded.
 */

/*
 * What a socket handed in with MOAT_CMD_SOCK_SET is for. ESP_IN_UDP (the
 * default) is the one described above; the guard judges the IKE_SA_INIT
 * requests it carries after the non-ESP marker. IKE is a socket that
 * carries IKE alone (port 500): the guard judges its IKE_SA_INIT requests
 * and everything else stays on it. A namespace has at most one socket of
 * each kind and family.
 */
enum moat_sock_kind {
	MOAT_SOCK_ESP_IN_UDP,
	MOAT_SOCK_IKE,
};

enum moat_peer_attr {
	MOAT_PEER_A_UNSPEC,
	MOAT_PEER_A_PAD,
	MOAT_PEER_A_REMOTE4,	/* struct in_addr: the outer endpoint */
	MOAT_PEER_A_REMOTE6,	/* struct in6_addr */
	MOAT_PEER_A_LOCAL4,	/* struct in_addr: outer source, optional */
	MOAT_PEER_A_LOCAL6,	/* struct in6_addr */
	MOAT_PEER_A_ENCAP,	/* u8, enum moat_encap */
	MOAT_PEER_A_SPORT,	/* u16, host order: local UDP port */
	MOAT_PEER_A_DPORT,	/* u16, host order: remote UDP port */
	MOAT_PEER_A_TS,		/* nest of MOAT_TS_A_ENTRY: inner prefixes */
	MOAT_PEER_A_N_SAS,	/* u32, read only */
	MOAT_PEER_A_STATS,	/* nest: u64 per enum moat_stat, read only */
	MOAT_PEER_A_PMTU,	/* u32, read only: validated outer path MTU, 0 none */
	MOAT_PEER_A_INNER_MTU4,	/* u32, read only: inner MTU for IPv4 inside */
	MOAT_PEER_A_INNER_MTU6,	/* u32, read only: inner MTU for IPv6 inside */
	__MOAT_PEER_A_MAX
};

#define MOAT_PEER_A_MAX (__MOAT_PEER_A_MAX - 1)

/* Most traffic selectors one peer may have. */
#define MOAT_TS_MAX		256

enum moat_ts_attr {
	MOAT_TS_A_UNSPEC,
	MOAT_TS_A_ENTRY,	/* nest: one selector, of the attributes below */
	MOAT_TS_A_ADDR4,	/* struct in_addr */
	MOAT_TS_A_ADDR6,	/* struct in6_addr */
	MOAT_TS_A_PREFIXLEN,	/* u8: 0..32 or 0..128 */
	__MOAT_TS_A_MAX
};

#define MOAT_TS_A_MAX (__MOAT_TS_A_MAX - 1)

enum moat_dir {
	MOAT_DIR_IN = 1,
	MOAT_DIR_OUT = 2,
};

/* An outbound SA is the one in use or the one installed ahead of a rekey. */
enum moat_sa_state {
	MOAT_SA_STATE_CURRENT = 1,
	MOAT_SA_STATE_NEXT,
	MOAT_SA_STATE_INBOUND,
};

#define MOAT_SA_F_ESN		(1U << 0)	/* 64-bit sequence numbers */

#define MOAT_ALG_AES_GCM	"rfc4106(gcm(aes))"
#define MOAT_ALG_CHACHAPOLY	"rfc7539esp(chacha20,poly1305)"
#define MOAT_ALG_NAME_MAX	64
#define MOAT_KEY_MAX		36	/* 32-byte key and 4-byte salt */
#define MOAT_REPLAY_WINDOW_MAX	65536
#define MOAT_REPLAY_WINDOW_DEFAULT 1024	/* inbound, when none is given */

enum moat_sa_attr {
	MOAT_SA_A_UNSPEC,
	MOAT_SA_A_PAD,
	MOAT_SA_A_SPI,		/* u32, host order */
	MOAT_SA_A_DIR,		/* u8, enum moat_dir */
	MOAT_SA_A_ALG,		/* string: MOAT_ALG_* */
	MOAT_SA_A_KEY,		/* binary: key then salt; never dumped */
	MOAT_SA_A_ICV_BITS,	/* u32: 128 */
	MOAT_SA_A_FLAGS,	/* u32: MOAT_SA_F_* */
	MOAT_SA_A_REPLAY_WINDOW, /* u32: 0 (off) .. MOAT_REPLAY_WINDOW_MAX */
	MOAT_SA_A_LIFETIME,	/* nest: enum moat_lifetime_attr */
	MOAT_SA_A_STATE,	/* u8, enum moat_sa_state, read only */
	MOAT_SA_A_SEQ,		/* u64, read only: last sent or highest seen */
	MOAT_SA_A_AGE,		/* u64, read only: seconds since installed */
	MOAT_SA_A_STATS,	/* nest: u64 per enum moat_stat, read only */
	MOAT_SA_A_EXPIRE,	/* u8, enum moat_expire: in events */
	MOAT_SA_A_EXPIRE_REASON, /* u8, enum moat_expire_reason: in events */
	__MOAT_SA_A_MAX
};

#define MOAT_SA_A_MAX (__MOAT_SA_A_MAX - 1)

/* Lifetimes: 0 or absent means no limit. Seconds go up to 100 years. */
#define MOAT_LT_SECONDS_MAX	3155760000ULL

enum moat_lifetime_attr {
	MOAT_LT_A_UNSPEC,
	MOAT_LT_A_PAD,
	MOAT_LT_A_SOFT_BYTES,	/* u64 */
	MOAT_LT_A_SOFT_PACKETS,	/* u64 */
	MOAT_LT_A_SOFT_SECONDS,	/* u64 */
	MOAT_LT_A_HARD_BYTES,	/* u64 */
	MOAT_LT_A_HARD_PACKETS,	/* u64 */
	MOAT_LT_A_HARD_SECONDS,	/* u64 */
	__MOAT_LT_A_MAX
};

#define MOAT_LT_A_MAX (__MOAT_LT_A_MAX - 1)

enum moat_expire {
	MOAT_EXPIRE_SOFT = 1,	/* time to rekey; the SA still works */
	MOAT_EXPIRE_HARD,	/* the SA is gone */
};

enum moat_expire_reason {
	MOAT_EXPIRE_BYTES = 1,
	MOAT_EXPIRE_PACKETS,
	MOAT_EXPIRE_SECONDS,
	MOAT_EXPIRE_SEQ,	/* outbound sequence numbers ran out */
};

/* Bounds of a fixed MOAT_LINK_A_MSS_CLAMP. */
#define MOAT_MSS_MIN		536
#define MOAT_MSS_MAX		65495

/*
 * Counters. The device sums what its SAs and peers count; drop counters
 * are one per reason, so an operator can tell a replay from a bad key.
 */
enum moat_stat {
	MOAT_STAT_UNSPEC,
	MOAT_STAT_PAD,
	MOAT_STAT_RX_PACKETS,
	MOAT_STAT_RX_BYTES,
	MOAT_STAT_TX_PACKETS,
	MOAT_STAT_TX_BYTES,
	/* Inbound drops */
	MOAT_STAT_RX_UNKNOWN_SPI,	/* no SA with that SPI (namespace-wide) */
	MOAT_STAT_RX_REPLAYED,		/* seen before, inside the window */
	MOAT_STAT_RX_OUTSIDE_WINDOW,	/* older than the window */
	MOAT_STAT_RX_ICV_FAIL,		/* authentication failed */
	MOAT_STAT_RX_BAD_TRAILER,	/* pad length or pad bytes wrong */
	MOAT_STAT_RX_SELECTOR,		/* inner source not in the peer's ts */
	MOAT_STAT_RX_TOO_SHORT,		/* shorter than ESP header, IV, ICV */
	MOAT_STAT_RX_BAD_INNER,		/* not an IPv4/IPv6 packet inside */
	MOAT_STAT_RX_EXPIRED,		/* SA past its hard lifetime */
	MOAT_STAT_RX_NOMEM,
	MOAT_STAT_RX_QUEUE_FULL,
	/* Outbound drops */
	MOAT_STAT_TX_NO_PEER,		/* no selector matched the destination */
	MOAT_STAT_TX_NO_SA,		/* the peer has no outbound SA */
	MOAT_STAT_TX_SEQ_EXHAUSTED,	/* the SA may not send any more */
	MOAT_STAT_TX_EXPIRED,
	MOAT_STAT_TX_NO_ROUTE,		/* no route to the peer */
	MOAT_STAT_TX_ERROR,		/* crypto or output failed */
	MOAT_STAT_TX_NOMEM,
	MOAT_STAT_TX_QUEUE_FULL,
	MOAT_STAT_TX_BAD_INNER,		/* not IPv4/IPv6, or malformed */
	MOAT_STAT_TX_TOO_BIG,		/* over the inner MTU: ICMP sent back */
	/* Path MTU: ICMP Frag Needed / Packet Too Big about our ESP */
	MOAT_STAT_PTB_ACCEPTED,		/* validated: quoted a recent packet */
	MOAT_STAT_PTB_REJECTED,		/* stale sequence, or an odd source */
	MOAT_STAT_PTB_CLAMPED,		/* would go below the floor: held there */
	MOAT_STAT_TX_OUTER_FRAGS,	/* sent to be fragmented (at the floor) */
	MOAT_STAT_TX_INNER_FRAGS,	/* IPv4 without DF, cut before ESP */
	/* IKE (non-ESP marker) on a 4500 socket no daemon reads: dropped */
	MOAT_STAT_RX_IKE_DROPPED,
	/* NAT keepalives (RFC 3948 2.3) eaten by a 4500 socket */
	MOAT_STAT_RX_NAT_KEEPALIVE,
	__MOAT_STAT_MAX
};

#define MOAT_STAT_MAX (__MOAT_STAT_MAX - 1)

/*
 * The guard: IKE_SA_INIT requests on the IKE sockets moatd hands to the
 * module are judged in the module before moatd sees them (RFC 7296
 * cookies, RFC 8019 puzzles, per-prefix rate limits). There is one guard
 * per network namespace, so its commands name no device.
 */
enum moat_guard_level {
	MOAT_GUARD_LEVEL_NORMAL,	/* every request passes */
	MOAT_GUARD_LEVEL_COOKIES,	/* requests without a valid cookie get one */
	MOAT_GUARD_LEVEL_PUZZLES,	/* ...and a puzzle; solutions pass */
};

enum moat_guard_mode {
	MOAT_GUARD_MODE_AUTO,		/* the level follows the load */
	MOAT_GUARD_MODE_OFF,		/* always NORMAL: moatd's own cookies */
	MOAT_GUARD_MODE_COOKIES,	/* always COOKIES */
	MOAT_GUARD_MODE_PUZZLES,	/* always PUZZLES */
};

/* Defaults and bounds of the guard's settings. */
#define MOAT_GUARD_COOKIES_AT_DEFAULT	200	/* IKE_SA_INIT/s */
#define MOAT_GUARD_HALF_OPEN_AT_DEFAULT	100	/* half-open IKE SAs */
#define MOAT_GUARD_PUZZLES_AT_DEFAULT	500	/* valid-cookie IKE_SA_INIT/s */
#define MOAT_GUARD_DIFFICULTY_MIN_DEFAULT 10
#define MOAT_GUARD_DIFFICULTY_MAX_DEFAULT 18
#define MOAT_GUARD_DIFFICULTY_LIMIT	64
#define MOAT_GUARD_HOLD_DEFAULT		5	/* seconds */
#define MOAT_GUARD_RATE_DEFAULT		20	/* per prefix, per second */
#define MOAT_GUARD_BURST_DEFAULT	10
#define MOAT_GUARD_PREFIX4_DEFAULT	32
#define MOAT_GUARD_PREFIX6_DEFAULT	64
#define MOAT_GUARD_ENTRIES_DEFAULT	8192	/* prefixes tracked at once */
#define MOAT_GUARD_ENTRIES_LIMIT	1048576
#define MOAT_GUARD_KNOWN_TTL_DEFAULT	3600	/* seconds */
#define MOAT_GUARD_KNOWN_MAX		4096	/* known sources kept at once */

enum moat_guard_attr {
	MOAT_GUARD_A_UNSPEC,
	MOAT_GUARD_A_PAD,
	MOAT_GUARD_A_MODE,		/* u8, enum moat_guard_mode */
	MOAT_GUARD_A_LEVEL,		/* u8, enum moat_guard_level, read only */
	MOAT_GUARD_A_DIFFICULTY,	/* u8, read only: D asked now */
	MOAT_GUARD_A_COOKIES_AT,	/* u32 >= 1: IKE_SA_INIT/s */
	MOAT_GUARD_A_HALF_OPEN_AT,	/* u32 >= 1: half-open IKE SAs */
	MOAT_GUARD_A_PUZZLES_AT,	/* u32 >= 1: valid-cookie requests/s */
	MOAT_GUARD_A_DIFFICULTY_MIN,	/* u8, <= DIFFICULTY_MAX */
	MOAT_GUARD_A_DIFFICULTY_MAX,	/* u8, <= MOAT_GUARD_DIFFICULTY_LIMIT */
	MOAT_GUARD_A_HOLD,		/* u32: calm seconds before stepping down */
	MOAT_GUARD_A_RATE,		/* u32 >= 1: requests/s per prefix */
	MOAT_GUARD_A_BURST,		/* u32 >= 1 */
	MOAT_GUARD_A_PREFIX4,		/* u8, 1..32 */
	MOAT_GUARD_A_PREFIX6,		/* u8, 1..128 */
	MOAT_GUARD_A_ENTRIES,		/* u32, 1..MOAT_GUARD_ENTRIES_LIMIT */
	MOAT_GUARD_A_HALF_OPEN,		/* u32: moatd reports its count */
	MOAT_GUARD_A_STATS,		/* nest: u64 per enum moat_guard_stat */
	MOAT_GUARD_A_HOPS,		/* u8: IKE (any message) only from N hops or
					 * fewer (TTL/hop limit >= 255 - N);
					 * 0 (default) is off
					 */
	MOAT_GUARD_A_KNOWN4,		/* struct in_addr, in SET: a source that
					 * completed IKE_AUTH (moatd tells)
					 */
	MOAT_GUARD_A_KNOWN6,		/* struct in6_addr, in SET */
	MOAT_GUARD_A_KNOWN_TTL,		/* u32 seconds a source stays known */
	MOAT_GUARD_A_N_KNOWN,		/* u32, read only */
	__MOAT_GUARD_A_MAX
};

#define MOAT_GUARD_A_MAX (__MOAT_GUARD_A_MAX - 1)

/* What the guard did with the IKE_SA_INIT requests it judged. */
enum moat_guard_stat {
	MOAT_GUARD_STAT_UNSPEC,
	MOAT_GUARD_STAT_PAD,
	MOAT_GUARD_STAT_PASSED,		/* handed to moatd (any reason) */
	MOAT_GUARD_STAT_COOKIES_SENT,	/* answered with N(COOKIE) */
	MOAT_GUARD_STAT_COOKIES_VALID,
	MOAT_GUARD_STAT_COOKIES_INVALID, /* wrong, stale or someone else's */
	MOAT_GUARD_STAT_PUZZLES_SENT,	/* answered with N(COOKIE), N(PUZZLE) */
	MOAT_GUARD_STAT_SOLUTIONS_VALID,
	MOAT_GUARD_STAT_SOLUTIONS_INVALID, /* too few bits or malformed */
	MOAT_GUARD_STAT_LEGACY_SERVED,	/* no solution, in the random share */
	MOAT_GUARD_STAT_LEGACY_DROPPED,	/* no solution, outside it */
	MOAT_GUARD_STAT_RATE_LIMITED,	/* over its prefix's rate: puzzle */
	MOAT_GUARD_STAT_MALFORMED,
	MOAT_GUARD_STAT_KNOWN_PASSED,	/* a known source: no puzzle asked */
	MOAT_GUARD_STAT_HOPS_DROPPED,	/* from further than MOAT_GUARD_A_HOPS */
	__MOAT_GUARD_STAT_MAX
};

#define MOAT_GUARD_STAT_MAX (__MOAT_GUARD_STAT_MAX - 1)

#endif /* _UAPI_LINUX_MOAT_H */
