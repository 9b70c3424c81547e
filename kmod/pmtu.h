/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_PMTU_H
#define _MOAT_PMTU_H

#include <linux/skbuff.h>
#include <linux/bits.h>
#include <linux/types.h>

struct moat_dev;
struct moat_peer;
struct moat_sa;

/* A learned path MTU lasts as long as Linux's route PMTU does by default. */
#define MOAT_PMTU_EXPIRES	(600 * HZ)
/* A PTB must quote one of the last this-many packets we sent. */
#define MOAT_PTB_SEQ_WINDOW	BIT(16)
/* IPv6 never goes below its minimum link MTU (RFC 8200 5). */
#define MOAT_FLOOR6		1280

/*
 * What one peer knows about its outer path. @mtu sets the inner MTU;
 * @frag_mtu, which claims below every floor lower too, only decides which
 * outer packets go out to be fragmented.
 */
struct moat_pmtu {
	u32 mtu;		/* validated outer path MTU; 0 for none */
	u32 frag_mtu;		/* lowest validated claim; 0 for none */
	unsigned long expires;	/* jiffies */
};

unsigned int moat_inner_fit(unsigned int outer_mtu, u8 outer_family,
			    bool udp);
unsigned int moat_inner_mtu(unsigned int fit, unsigned int dev_mtu,
			    unsigned int floor);
u32 moat_pmtu_get(struct moat_peer *peer);
u32 moat_pmtu_frag(struct moat_peer *peer);
unsigned int moat_peer_inner_mtu(struct moat_peer *peer, bool inner6);

enum moat_ptb_verdict {
	MOAT_PTB_ACCEPT,
	MOAT_PTB_CLAMP,		/* valid, but below a floor: held there */
	MOAT_PTB_REJECT,
};

enum moat_ptb_verdict moat_ptb_judge(u64 sent, u32 quoted, bool plausible,
				     unsigned int fit, unsigned int floor);
void moat_ptb(struct moat_sa *sa, u32 quoted_seq, u32 mtu, bool plausible);

int moat_err4(struct sk_buff *skb, u32 info, unsigned int esp_off);
int moat_err6(struct sk_buff *skb, u8 type, unsigned int esp_off, u32 mtu);

void moat_mss_clamp(struct moat_dev *moat, struct moat_peer *peer,
		    struct sk_buff *skb, bool inner6);

#endif
