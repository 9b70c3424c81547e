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
	__MOAT_CMD_MAX
};

#define MOAT_CMD_MAX (__MOAT_CMD_MAX - 1)

enum moat_attr {
	MOAT_A_UNSPEC,
	MOAT_A_IFINDEX,		/* u32 */
	MOAT_A_IFNAME,		/* string, < IFNAMSIZ */
	MOAT_A_LINK,		/* nest: enum moat_link_attr */
	__MOAT_A_MAX
};

#define MOAT_A_MAX (__MOAT_A_MAX - 1)

/* Value of MOAT_LINK_A_MSS_CLAMP that derives the MSS from the inner MTU. */
#define MOAT_MSS_CLAMP_AUTO	0xffffffffU
/* Value of MOAT_LINK_A_MSS_CLAMP that leaves TCP SYNs alone. */
#define MOAT_MSS_CLAMP_OFF	0

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
	__MOAT_LINK_A_MAX
};

#define MOAT_LINK_A_MAX (__MOAT_LINK_A_MAX - 1)

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
	__MOAT_STAT_MAX
};

#define MOAT_STAT_MAX (__MOAT_STAT_MAX - 1)

#endif /* _UAPI_LINUX_MOAT_H */
