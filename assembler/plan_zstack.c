// SPDX-License-Identifier: GPL-2.0
/*
 * The zstack steering service: an interface where a zstack application
 * attached an AF_XDP socket gets parse_eth → parse_ipv4 → xsk_steer. The plan
 * depends only on that; which addresses and ports are steered lives in the
 * steering map, so a listen or a connection never recompiles anything.
 *
 * Not on bridge ports: there a frame for a local address has to go through
 * the bridge first (FDB learning, bridge-family rules, the bridge device's
 * own stack), which xsk_steer ahead of bridge_fwd would skip.
 */
#include <errno.h>
#include <stdio.h>

#include "assembler/plan_priv.h"

static bool has_zstack_listener(const struct planner *pl, const struct tna_obj *obj)
{
	return obj->listener.owner == TNA_OWNER_ZSTACK &&
	       obj->listener.ifindex == pl->link->ifindex;
}

static int xsks_attached(const struct planner *pl)
{
	const struct plan_env *env = pl->env;

	return env->zstack ? env->zstack(env->ctx, pl->link->ifindex, NULL, NULL) : 0;
}

bool plan_zstack_applies(struct planner *pl)
{
	struct plan_match m;

	if (xsks_attached(pl))
		return true;
	return !plan_match(pl, TNA_OBJ_LISTENER, has_zstack_listener, &m) && m.count;
}

static void zs_fact(void *fctx, bool xsk, const char *node, const char *text)
{
	struct planner *pl = fctx;

	plan_add_fact(pl->p, PLAN_FACT_INCLUDED, xsk ? "xsk_steer" : "steering", node, "%s",
		      text);
}

/*
 * What the kernel would apply to TCP delivered to this host before a socket
 * sees it, and steering would skip: ip/inet prerouting and input rules,
 * legacy iptables, conntrack brought in by any IPv4 rule (users see its
 * entries), and ingress hooks on the interface. Any of them keeps the
 * interface's traffic with the kernel; zs_listen then says so.
 */
static int plan_zstack_filters(struct planner *pl)
{
	static const struct {
		enum tna_obj_kind kind;
		plan_match_fn fn;
		const char *why;
	} filters[] = {
		{ TNA_OBJ_NFT_CHAIN, plan_nf_local_in_ipv4, "filters TCP to this host" },
		{ TNA_OBJ_IPT_TABLE, plan_nf_local_in_ipv4, "filters TCP to this host" },
		{ TNA_OBJ_NFT_RULE, plan_nft_conntrack_ipv4,
		  "brings conntrack in, which tracks TCP to this host" },
		{ TNA_OBJ_NFT_CHAIN, plan_nft_port_ingress, "sees every frame the interface receives" },
		{ TNA_OBJ_TC, plan_tc_ingress_filter, "sees every frame the interface receives" },
	};
	struct plan_match m;
	char more[48];
	int err;

	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		err = plan_match(pl, filters[i].kind, filters[i].fn, &m);
		if (err)
			return err;
		if (m.count)
			plan_add_fact(pl->p, PLAN_FACT_NO_PIPELINE, "xsk_steer", m.node,
				      "%s%s %s, and steering to zstack would skip it: zstack "
				      "traffic stays with the kernel", m.text,
				      plan_match_more(&m, more, sizeof(more)), filters[i].why);
	}
	return 0;
}

int plan_zstack(struct planner *pl)
{
	const struct tna_link *l = pl->link, *master;
	const struct plan_env *env = pl->env;
	struct plan_fpm *steer;
	uint64_t mac = 0;
	char node[32];
	int err;

	plan_link_id(l->ifindex, node, sizeof(node));
	master = l->master ? graph__link(pl->g, l->master) : NULL;
	if (master && master->is_bridge) {
		plan_add_fact(pl->p, PLAN_FACT_OMITTED, "xsk_steer", node,
			      "%s is a port of bridge %s: zstack steering runs only on interfaces "
			      "that are not bridge ports, so its zstack traffic goes to the kernel",
			      l->name, master->name);
		return 0;
	}
	if (!xsks_attached(pl))
		plan_add_fact(pl->p, PLAN_FACT_PUNT, "xsk_steer", node,
			      "zstack listeners on %s but no AF_XDP socket attached: their "
			      "traffic goes to the kernel", l->name);
	err = plan_zstack_filters(pl);
	if (err)
		return err;
	if (plan_has_no_pipeline(pl->p))
		return 0;
	if (!plan_add_fpm(pl->p, "parse_eth") || !plan_add_fpm(pl->p, "parse_ipv4") ||
	    !(steer = plan_add_fpm(pl->p, "xsk_steer")))
		return -E2BIG;
	/* Only frames for this MAC reach the kernel's TCP (PACKET_HOST). */
	for (int i = 0; i < 6; i++)
		mac = mac << 8 | l->mac[i];
	if (plan_fpm_set_const(steer, "FPM_XSK_STEER_MAC", (long long)mac))
		return -E2BIG;
	plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "parse_ipv4", node,
		      "zstack application on %s: steering reads the IPv4 and TCP headers; "
		      "fragments, options and bad headers go to the kernel", l->name);
	plan_add_fact(pl->p, PLAN_FACT_INCLUDED, "xsk_steer", node,
		      "zstack application on %s: TCP to its registered endpoints goes to its "
		      "AF_XDP sockets, everything else to the kernel", l->name);
	if (env->zstack)
		env->zstack(env->ctx, l->ifindex, zs_fact, pl);
	return 0;
}
