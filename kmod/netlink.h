/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MOAT_NETLINK_H
#define _MOAT_NETLINK_H

#include <linux/types.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/moat.h>

struct moat_dev;
struct moat_peer;
struct moat_sa;

extern struct genl_family moat_genl_family;
extern const struct nla_policy moat_link_policy[MOAT_LINK_A_MAX + 1];
extern const struct nla_policy moat_peer_policy[MOAT_PEER_A_MAX + 1];
extern const struct nla_policy moat_sa_policy[MOAT_SA_A_MAX + 1];
extern const struct nla_policy moat_guard_policy[MOAT_GUARD_A_MAX + 1];

int moat_genl_init(void);
void moat_genl_exit(void);

struct moat_dev *moat_dev_from_attrs(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack);
int moat_put_dev(struct sk_buff *skb, struct moat_dev *moat);
bool moat_mss_clamp_valid(u32 mss);

/* netlink_peer.c */
int moat_put_peer_id(struct sk_buff *skb, struct moat_peer *peer);
struct moat_peer *moat_peer_from_attrs(struct moat_dev *moat,
				       struct nlattr *nest, bool required,
				       struct netlink_ext_ack *extack);
struct moat_dev *moat_dev_lock_peer(struct net *net, struct nlattr **attrs,
				    struct netlink_ext_ack *extack,
				    struct moat_peer **only, bool change);
void moat_dev_unlock(struct moat_dev *moat);
int moat_peer_new_doit(struct sk_buff *skb, struct genl_info *info);
int moat_peer_del_doit(struct sk_buff *skb, struct genl_info *info);
int moat_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_sa.c */
int moat_sa_new_doit(struct sk_buff *skb, struct genl_info *info);
int moat_sa_del_doit(struct sk_buff *skb, struct genl_info *info);
int moat_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int moat_sa_flush_doit(struct sk_buff *skb, struct genl_info *info);
void moat_nl_sa_event(struct moat_sa *sa, u8 kind, u8 reason, gfp_t gfp);

/* netlink_sock.c */
int moat_sock_set_doit(struct sk_buff *skb, struct genl_info *info);

/* netlink_guard.c */
int moat_guard_get_doit(struct sk_buff *skb, struct genl_info *info);
int moat_guard_set_doit(struct sk_buff *skb, struct genl_info *info);
void moat_nl_guard_event(struct net *net, u8 level, u8 difficulty);

#endif
