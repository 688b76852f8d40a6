// SPDX-License-Identifier: GPL-2.0
/*
 * The port table entry of a bridge port (struct tna_port): what bridge_fwd
 * checks per packet, and above all whether a frame redirected into the port
 * leaves it as it would through dev_queue_xmit (TNA_PORT_F_READY). Every
 * egress decision is an EGRESS fact. br_netfilter's flags come from
 * plan_br_netfilter.c.
 */
#include <stdio.h>
#include <string.h>

#include "assembler/plan_priv.h"

#include <linux/if.h>

static bool link_up(const struct tna_link *l)
{
	return (l->flags & IFF_UP) && l->operstate == IF_OPER_UP;
}

/* A bridge without carrier still has a port that is up; admin up is what
 * decides whether it forwards. */
static bool bridge_up(const struct tna_link *br)
{
	return (br->flags & IFF_UP) && br->operstate != IF_OPER_DOWN;
}

static void not_ready(struct planner *pl, bool *ready, const char *node, const char *why)
{
	*ready = false;
	plan_add_fact(pl->p, PLAN_FACT_EGRESS, "egress", node,
		      "not ready for redirected frames: %s", why);
}

static int plan_egress_tc(struct planner *pl, bool *ready)
{
	static const struct {
		enum tna_obj_kind kind;
		plan_match_fn fn;
		const char *why;
	} checks[] = {
		{ TNA_OBJ_TC, plan_tc_shaping_qdisc,
		  "a redirect skips the egress qdisc, so its shaping would not hold" },
		{ TNA_OBJ_TC, plan_tc_egress_filter,
		  "a redirect skips tc egress, so the filter would not run" },
		{ TNA_OBJ_NFT_CHAIN, plan_nft_port_egress,
		  "a redirect skips the netdev egress hook, so the chain would not run" },
	};
	char why[256], more[32];
	struct plan_match m;
	int err = 0;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && !err; i++) {
		err = plan_match(pl, checks[i].kind, checks[i].fn, &m);
		if (err || !m.count)
			continue;
		snprintf(why, sizeof(why), "%s%s: %s", m.text,
			 plan_match_more(&m, more, sizeof(more)), checks[i].why);
		not_ready(pl, ready, m.node, why);
	}
	return err;
}

static int plan_ready(struct planner *pl, const struct tna_link *br)
{
	const struct tna_link *l = pl->link;
	const struct plan_env *env = pl->env;
	char node[32], br_node[32], reason[160] = "", why[256];
	bool ready = true;
	int err;

	plan_link_id(l->ifindex, node, sizeof(node));
	plan_link_id(br->ifindex, br_node, sizeof(br_node));
	if (!plan_kind_understood(l))
		not_ready(pl, &ready, node, "a link of a kind the fast path does not know");
	if (!link_up(l))
		not_ready(pl, &ready, node, "the port is down or has no carrier");
	if (!bridge_up(br))
		not_ready(pl, &ready, br_node, "the bridge is down");
	if (!env->egress_deliverable ||
	    !env->egress_deliverable(env->ctx, l->ifindex, reason, sizeof(reason))) {
		snprintf(why, sizeof(why), "redirected frames would not be delivered (%s)",
			 reason[0] ? reason : "not known");
		not_ready(pl, &ready, node, why);
	}
	err = plan_egress_tc(pl, &ready);
	if (err)
		return err;
	if (ready) {
		pl->p->port.flags |= TNA_PORT_F_READY;
		plan_add_fact(pl->p, PLAN_FACT_EGRESS, "egress", node,
			      "ready: a redirected frame leaves as dev_queue_xmit would send it");
	}
	return 0;
}

struct neigh_proxy {
	int bridge;
	const struct tna_link *first;
	int count;
};

static int find_neigh_proxy(void *ctx, const struct tna_link *l)
{
	struct neigh_proxy *np = ctx;

	if (l->master != np->bridge || !l->is_brport ||
	    !(l->brport.neigh_suppress || l->brport.proxyarp || l->brport.proxyarp_wifi))
		return 0;
	if (!np->count++ || l->ifindex < np->first->ifindex)
		np->first = l;
	return 0;
}

static void plan_bridge_flags(struct planner *pl, const struct tna_link *br)
{
	struct neigh_proxy np = { .bridge = br->ifindex };
	struct tna_port *port = &pl->p->port;
	char node[32];

	if (br->flags & IFF_PROMISC) {
		port->flags |= TNA_PORT_F_BR_PROMISC;
		plan_link_id(br->ifindex, node, sizeof(node));
		plan_add_fact(pl->p, PLAN_FACT_EGRESS, "br_promisc", node,
			      "bridge %s is promiscuous (tcpdump on it?): it gets a copy of every "
			      "frame, so frames are left to Linux", br->name);
	}
	graph__for_each_link(pl->g, find_neigh_proxy, &np);
	if (np.count) {
		port->flags |= TNA_PORT_F_NEIGH_PROXY;
		plan_link_id(np.first->ifindex, node, sizeof(node));
		plan_add_fact(pl->p, PLAN_FACT_EGRESS, "neigh_proxy", node,
			      "port %s of %s has %s: ARP and IPv6 are left to Linux, which may "
			      "answer them", np.first->name, br->name,
			      np.first->brport.neigh_suppress ? "neigh_suppress" :
			      np.first->brport.proxyarp ? "proxy_arp" : "proxy_arp_wifi");
	}
}

/* br_handle_frame_finish: on a locked port only sources the FDB holds for it
 * pass (MAB learns the rest as locked entries); the kernel decides. */
static void plan_locked(struct planner *pl)
{
	const struct tna_link *l = pl->link;
	char node[32];

	if (!l->brport.locked && !l->brport.mab)
		return;
	pl->p->port.flags |= TNA_PORT_F_LOCKED;
	plan_link_id(l->ifindex, node, sizeof(node));
	plan_add_fact(pl->p, PLAN_FACT_PUNT, "locked", node,
		      "port %s is %s: frames entering it are left to Linux, which authorises "
		      "their source", l->name, l->brport.mab ? "locked with MAB" : "locked");
}

int plan_port_state(struct planner *pl, const struct tna_link *br)
{
	const struct tna_link *l = pl->link;
	struct tna_port *port = &pl->p->port;

	pl->p->is_port = true;
	memset(port, 0, sizeof(*port));
	port->bridge = br->ifindex;
	port->mtu = l->mtu;
	port->state = l->brport.state;
	if (l->brport.learning)
		port->flags |= TNA_PORT_F_LEARNING;
	if (l->brport.isolated)
		port->flags |= TNA_PORT_F_ISOLATED;
	plan_locked(pl);
	plan_bridge_flags(pl, br);
	return plan_br_netfilter(pl, br) ?: plan_ready(pl, br);
}
