// SPDX-License-Identifier: GPL-2.0
/*
 * Which netfilter chains, legacy tables and tc objects a frame bridged
 * through a port meets in the kernel. The fast path skips all of them, so
 * each one found here keeps traffic (or the whole port) in Linux.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/pkt_sched.h>
#include <string.h>

#include "assembler/plan_priv.h"

/*
 * Bridged frames cross prerouting, forward and postrouting (br_netfilter
 * replays them on the ip, ip6 and arp hooks of the same numbers; arp only on
 * forward). Input and output see only frames delivered to or sent by the host,
 * which bridge_fwd leaves to Linux anyway (dst_local).
 */
bool plan_nf_hook_sees_bridged(uint8_t family, uint32_t hooknum)
{
	if (family == NFPROTO_ARP)
		return hooknum == NF_ARP_FORWARD;
	return hooknum == NF_INET_PRE_ROUTING || hooknum == NF_INET_FORWARD ||
	       hooknum == NF_INET_POST_ROUTING;
}

static bool hook_is_local(uint32_t hooknum)
{
	return hooknum == NF_INET_LOCAL_IN || hooknum == NF_INET_LOCAL_OUT;
}

static bool base_chain(const struct tna_obj *obj, uint8_t family)
{
	return obj->kind == TNA_OBJ_NFT_CHAIN && obj->nft_chain.base &&
	       obj->nft_chain.family == family;
}

/* Any bridge hook that is not local only, so a hook this code does not know
 * counts as one bridged frames meet. */
bool plan_nft_bridge_bridged(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return base_chain(obj, NFPROTO_BRIDGE) && !hook_is_local(obj->nft_chain.hooknum);
}

bool plan_nft_bridge_local(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return base_chain(obj, NFPROTO_BRIDGE) && hook_is_local(obj->nft_chain.hooknum);
}

/* A device chain without a device name (several devices) may be on this port. */
static bool chain_on_port(const struct planner *pl, const struct tna_nft_chain *c)
{
	return !c->dev[0] || !strcmp(c->dev, pl->link->name);
}

/* netdev ingress and inet ingress run in __netif_receive_skb_core, after XDP. */
bool plan_nft_port_ingress(const struct planner *pl, const struct tna_obj *obj)
{
	const struct tna_nft_chain *c = &obj->nft_chain;

	if (base_chain(obj, NFPROTO_NETDEV) && c->hooknum == NF_NETDEV_INGRESS)
		return chain_on_port(pl, c);
	if (base_chain(obj, NFPROTO_INET) && c->hooknum == NF_INET_INGRESS)
		return chain_on_port(pl, c);
	return false;
}

/* netdev egress runs in __dev_queue_xmit, which a redirect does not pass. */
bool plan_nft_port_egress(const struct planner *pl, const struct tna_obj *obj)
{
	return base_chain(obj, NFPROTO_NETDEV) && obj->nft_chain.hooknum == NF_NETDEV_EGRESS &&
	       chain_on_port(pl, &obj->nft_chain);
}

/* Every ebtables table (filter, nat, broute) has a hook bridged frames cross. */
bool plan_ebtables(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return obj->kind == TNA_OBJ_IPT_TABLE && obj->ipt_table.family == NFPROTO_BRIDGE;
}

static bool tc_on_port(const struct planner *pl, const struct tna_obj *obj,
		       enum tna_tc_type type)
{
	return obj->kind == TNA_OBJ_TC && obj->tc.type == type &&
	       obj->tc.ifindex == pl->link->ifindex;
}

/* introspect files filters of an ingress qdisc under clsact's ingress name too. */
static bool tc_parent_is_ingress(uint32_t parent)
{
	return parent == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS) ||
	       parent == TC_H_MAKE(TC_H_INGRESS, 0);
}

bool plan_tc_ingress_filter(const struct planner *pl, const struct tna_obj *obj)
{
	return tc_on_port(pl, obj, TNA_TC_FILTER) && tc_parent_is_ingress(obj->tc.parent);
}

/* clsact egress filters and filters of classful egress qdiscs alike. */
bool plan_tc_egress_filter(const struct planner *pl, const struct tna_obj *obj)
{
	return tc_on_port(pl, obj, TNA_TC_FILTER) && !tc_parent_is_ingress(obj->tc.parent);
}

/*
 * A redirected frame never sees the egress qdisc, so only qdiscs that do no
 * more than queue (and drop on overflow) are as good as skipped: a shaper,
 * scheduler or emulator (tbf, htb, netem, cake, ...) would stop holding.
 */
bool plan_tc_shaping_qdisc(const struct planner *pl, const struct tna_obj *obj)
{
	static const char *const harmless[] = {
		"noqueue", "pfifo_fast", "mq", "fq_codel", "fq", "ingress", "clsact",
	};

	if (!tc_on_port(pl, obj, TNA_TC_QDISC))
		return false;
	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
		if (!strcmp(obj->tc.kind, harmless[i]))
			return false;
	return true;
}

struct chain_rules {
	const struct tna_nft_chain *chain;
	bool any;
};

static int count_chain_rule(void *ctx, const struct tna_obj *obj)
{
	struct chain_rules *cr = ctx;
	const struct tna_nft_rule *r = &obj->nft_rule;

	cr->any = r->family == cr->chain->family && !strcmp(r->table, cr->chain->table) &&
		  !strcmp(r->chain, cr->chain->name);
	return cr->any;
}

/*
 * IPv4 delivered to this host crosses ip/inet prerouting and input, and every
 * legacy ip table: a chain there may drop, mark or redirect what zstack
 * would take straight from the wire. A chain with no rule whose policy
 * accepts does nothing to it (Debian's default ruleset is such a chain).
 */
bool plan_nf_local_in_ipv4(const struct planner *pl, const struct tna_obj *obj)
{
	const struct tna_nft_chain *c = &obj->nft_chain;
	struct chain_rules cr = { .chain = c };

	if (obj->kind == TNA_OBJ_IPT_TABLE)
		return obj->ipt_table.family == NFPROTO_IPV4;
	if (!base_chain(obj, NFPROTO_IPV4) && !base_chain(obj, NFPROTO_INET))
		return false;
	if (c->hooknum != NF_INET_PRE_ROUTING && c->hooknum != NF_INET_LOCAL_IN)
		return false;
	if (c->policy != NF_ACCEPT)
		return true;
	graph__for_each(pl->g, TNA_OBJ_NFT_RULE, count_chain_rule, &cr);
	return cr.any;
}
