// SPDX-License-Identifier: GPL-2.0
/*
 * The bridging service on a port of a Linux bridge: parse_eth → stp →
 * bridge_fwd, unless the bridge does something bridge_fwd does not (VLAN
 * filtering, bridge-family rules, ebtables). fpm/README.md's "What the plan
 * must establish" is the list this follows.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "assembler/plan_priv.h"

/* Reasons the whole bridge stays in Linux; NO_PIPELINE facts. */
static int plan_bridge_blockers(struct planner *pl, const struct tna_link *br)
{
	struct plan_match m;
	char node[32], more[32];
	int err;

	plan_link_id(br->ifindex, node, sizeof(node));
	if (strcmp(br->kind, "bridge"))
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "master %s is a \"%s\", not a Linux bridge", br->name, br->kind);
	if (br->bridge.vlan_filtering)
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "bridge %s has VLAN filtering on, which bridge_fwd does not model",
			      br->name);
	if (!pl->link->is_brport) {
		plan_link_id(pl->link->ifindex, node, sizeof(node));
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "the kernel has not reported the bridge port's state yet");
	}

	err = plan_match(pl, TNA_OBJ_NFT_CHAIN, plan_nft_bridge_bridged, &m);
	if (!err && m.count)
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", m.node,
			      "%s%s: bridged frames meet it, and the fast path would skip it",
			      m.text, plan_match_more(&m, more, sizeof(more)));
	if (!err)
		err = plan_match(pl, TNA_OBJ_IPT_TABLE, plan_ebtables, &m);
	if (!err && m.count)
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", m.node,
			      "%s%s: ebtables sees bridged frames, and the fast path would skip it",
			      m.text, plan_match_more(&m, more, sizeof(more)));
	return err;
}

struct learning_off {
	int bridge;
	const struct tna_link *first;
	int count;
};

static int find_learning_off(void *ctx, const struct tna_link *l)
{
	struct learning_off *lo = ctx;

	if (l->master != lo->bridge || !l->is_brport || l->brport.learning)
		return 0;
	if (!lo->count++ || l->ifindex < lo->first->ifindex)
		lo->first = l;
	return 0;
}

/* The constant is per bridge, not per port, so every port of a bridge gets the
 * same pipeline and it compiles once. */
static int plan_learning(struct planner *pl, const struct tna_link *br, struct plan_fpm *fwd)
{
	struct learning_off lo = { .bridge = br->ifindex };
	char node[32];
	int err;

	graph__for_each_link(pl->g, find_learning_off, &lo);
	if (!lo.count)
		return 0;
	err = plan_fpm_set_const(fwd, "FPM_BR_LEARNING_OFF_PORTS", 1);
	if (err)
		return err;
	plan_link_id(lo.first->ifindex, node, sizeof(node));
	if (lo.count > 1)
		plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "bridge_fwd", node,
			      "ports %s and %d more of %s have learning off: their frames skip "
			      "the source check, as the kernel skips learning there",
			      lo.first->name, lo.count - 1, br->name);
	else
		plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "bridge_fwd", node,
			      "port %s of %s has learning off: its frames skip the source "
			      "check, as the kernel skips learning there",
			      lo.first->name, br->name);
	return 0;
}

static int plan_bridge_fpms(struct planner *pl, const struct tna_link *br)
{
	struct plan_fpm *fwd;
	struct plan_match m;
	char node[32], more[32];
	int err;

	plan_link_id(br->ifindex, node, sizeof(node));
	if (!plan_add_fpm(pl->p, "parse_eth") || !plan_add_fpm(pl->p, "stp"))
		return -E2BIG;
	fwd = plan_add_fpm(pl->p, "bridge_fwd");
	if (!fwd)
		return -E2BIG;
	plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "parse_eth", node,
		      "port of bridge %s: bridging starts from the Ethernet header", br->name);
	plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "stp", node,
		      "port of bridge %s: link-local frames (BPDUs, LLDP, ...) are the kernel's",
		      br->name);
	plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "bridge_fwd", node,
		      "port of bridge %s: known unicast between forwarding ports is forwarded "
		      "from the FDB mirror", br->name);

	err = plan_match(pl, TNA_OBJ_NFT_CHAIN, plan_nft_bridge_local, &m);
	if (!err && m.count)
		plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "bridge_fwd", m.node,
			      "%s%s sees only frames to or from the host, which bridge_fwd leaves "
			      "to Linux (dst_local)", m.text,
			      plan_match_more(&m, more, sizeof(more)));
	if (!err)
		err = plan_learning(pl, br, fwd);
	return err;
}

int plan_bridge_port(struct planner *pl, const struct tna_link *br)
{
	int err;

	err = plan_bridge_blockers(pl, br);
	if (!err && !plan_has_no_pipeline(pl->p))
		err = plan_bridge_fpms(pl, br);
	if (!err && pl->link->is_brport)
		err = plan_port_state(pl, br);
	return err;
}
