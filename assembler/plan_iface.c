// SPDX-License-Identifier: GPL-2.0
/*
 * What keeps any fast path off an interface, whichever service wants one:
 * something already runs at its XDP hook, it cannot run XDP natively, or
 * something between XDP and the stack (tc ingress, a netdev ingress chain)
 * would be skipped by a redirect.
 */
#include <net/if_arp.h>
#include <string.h>

#include "assembler/plan_priv.h"

/* Physical Ethernet devices and veths: their native XDP and ndo_xdp_xmit are
 * what the fast path was built and tested against. */
bool plan_kind_understood(const struct tna_link *l)
{
	if (l->arptype != ARPHRD_ETHER || l->mac_len != 6)
		return false;
	return !l->kind[0] || !strcmp(l->kind, "veth");
}

static int plan_filters(struct planner *pl)
{
	struct plan_match m;
	char more[32];
	int err;

	err = plan_match(pl, TNA_OBJ_TC, plan_tc_ingress_filter, &m);
	if (!err && m.count)
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", m.node,
			      "%s%s: tc ingress runs after XDP, and a redirect would skip it",
			      m.text, plan_match_more(&m, more, sizeof(more)));
	if (!err)
		err = plan_match(pl, TNA_OBJ_NFT_CHAIN, plan_nft_port_ingress, &m);
	if (!err && m.count)
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", m.node,
			      "%s%s: an ingress chain runs after XDP, and a redirect would skip it",
			      m.text, plan_match_more(&m, more, sizeof(more)));
	return err;
}

int plan_interface(struct planner *pl)
{
	const struct tna_link *l = pl->link;
	const struct plan_env *env = pl->env;
	char node[32];

	plan_link_id(l->ifindex, node, sizeof(node));
	if (!plan_kind_understood(l))
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "link kind \"%s\" (type %u): the fast path is built for physical "
			      "Ethernet devices and veths only", l->kind, l->arptype);
	if (l->xdp_prog_id && !(env->own_prog && env->own_prog(env->ctx, l->xdp_prog_id)))
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "XDP program %u of another owner is attached; it is left alone",
			      l->xdp_prog_id);
	if (!env->native_xdp || !env->native_xdp(env->ctx, l->ifindex))
		plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "the driver does not support native XDP%s",
			      env->native_xdp ? "" : " (not known)");
	return plan_filters(pl);
}
