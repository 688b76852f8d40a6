// SPDX-License-Identifier: GPL-2.0
/*
 * br_netfilter: while net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}
 * is 1, the kernel hands bridged IPv4, IPv6 and ARP to the ip, ip6 and arp
 * hooks, so a rule there can drop, mangle or track bridged traffic. The fast
 * path runs none of them: a family whose rules would see bridged frames is
 * left to Linux (bridge_fwd's FPM_BR_PUNT_* constants).
 */
#include <linux/netfilter.h>
#include <stdio.h>

#include "assembler/plan_priv.h"

static bool nft_sees(const struct tna_obj *obj, uint8_t family, bool inet_too)
{
	const struct tna_nft_chain *c = &obj->nft_chain;

	return obj->kind == TNA_OBJ_NFT_CHAIN && c->base &&
	       (c->family == family || (inet_too && c->family == NFPROTO_INET)) &&
	       plan_nf_hook_sees_bridged(family, c->hooknum);
}

static bool nft_ipv4(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return nft_sees(obj, NFPROTO_IPV4, true);
}

static bool nft_ipv6(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return nft_sees(obj, NFPROTO_IPV6, true);
}

static bool nft_arp(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return nft_sees(obj, NFPROTO_ARP, false);
}

/* A legacy table registers every hook of its kind, so any one of the family. */
static bool legacy(const struct tna_obj *obj, uint8_t family)
{
	return obj->kind == TNA_OBJ_IPT_TABLE && obj->ipt_table.family == family;
}

static bool legacy_ipv4(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return legacy(obj, NFPROTO_IPV4);
}

static bool legacy_ipv6(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return legacy(obj, NFPROTO_IPV6);
}

static bool legacy_arp(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return legacy(obj, NFPROTO_ARP);
}

struct br_nf_family {
	const char *subject;	/* "ipv4" */
	const char *what;	/* "IPv4" */
	const char *sysctl;
	int value;		/* of the sysctl; -1 without br_netfilter */
	const char *constant;
	plan_match_fn nft, legacy;
};

static int plan_family(struct planner *pl, struct plan_fpm *bridge_fwd,
		       const struct br_nf_family *f)
{
	struct plan_match nft, old;
	const struct plan_match *m;
	char more[32];
	int err;

	err = plan_match(pl, TNA_OBJ_NFT_CHAIN, f->nft, &nft) ?:
	      plan_match(pl, TNA_OBJ_IPT_TABLE, f->legacy, &old);
	if (err || (!nft.count && !old.count))
		return err;
	m = nft.count ? &nft : &old;
	if (nft.count && old.count)
		snprintf(more, sizeof(more), " (and %d more)", nft.count + old.count - 1);
	else
		plan_match_more(m, more, sizeof(more));

	if (f->value < 0) {
		plan_add_fact(pl->p, PLAN_FACT_INCLUDED, f->subject, m->node,
			      "%s%s does not see bridged %s: br_netfilter is not loaded", m->text,
			      more, f->what);
		return 0;
	}
	if (f->value == 0) {
		plan_add_fact(pl->p, PLAN_FACT_INCLUDED, f->subject, m->node,
			      "%s%s does not see bridged %s: %s is 0", m->text, more, f->what,
			      f->sysctl);
		return 0;
	}
	err = plan_fpm_set_const(bridge_fwd, f->constant, 1);
	if (!err)
		plan_add_fact(pl->p, PLAN_FACT_PUNT, f->subject, m->node,
			      "%s%s sees bridged %s (%s is %d): %s is left to Linux", m->text,
			      more, f->what, f->sysctl, f->value, f->what);
	return err;
}

int plan_br_netfilter(struct planner *pl, struct plan_fpm *bridge_fwd)
{
	const struct plan_env *env = pl->env;
	const struct br_nf_family families[] = {
		{ "ipv4", "IPv4", "net.bridge.bridge-nf-call-iptables", env->br_nf_call_iptables,
		  "FPM_BR_PUNT_IPV4", nft_ipv4, legacy_ipv4 },
		{ "ipv6", "IPv6", "net.bridge.bridge-nf-call-ip6tables",
		  env->br_nf_call_ip6tables, "FPM_BR_PUNT_IPV6", nft_ipv6, legacy_ipv6 },
		{ "arp", "ARP", "net.bridge.bridge-nf-call-arptables", env->br_nf_call_arptables,
		  "FPM_BR_PUNT_ARP", nft_arp, legacy_arp },
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && !err; i++)
		err = plan_family(pl, bridge_fwd, &families[i]);
	return err;
}
