// SPDX-License-Identifier: GPL-2.0
/*
 * br_netfilter, as the port table flags it (TNA_PORT_F_BR_NF_*). For one
 * family its path is on for a bridge when the module is loaded and either its
 * net.bridge.bridge-nf-call-{iptables,ip6tables,arptables} sysctl or the
 * bridge's own nf_call_* option is on: br_nf_pre_routing() tests exactly
 * `!brnet->call_iptables && !br_opt_get(br, BROPT_NF_CALL_IPTABLES)`. Then:
 *
 *  - even without rules br_netfilter validates, trims and refragments bridged
 *    IP and drops short ARP: CHECK flag, bridge_fwd mirrors it;
 *  - a rule on a hook bridged frames cross, or conntrack (whose hooks a rule
 *    anywhere in the family registers), sees the family's bridged traffic,
 *    which the fast path cannot honour: punt flag, all of it goes to Linux.
 *
 * Flags, not plan constants, so the pipeline already running is safe the
 * moment the daemon updates the port table.
 */
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>

#include "assembler/plan_priv.h"

static bool family_sees(uint8_t obj_family, uint8_t family, bool inet_too)
{
	return obj_family == family || (inet_too && obj_family == NFPROTO_INET);
}

static bool nft_sees(const struct tna_obj *obj, uint8_t family, bool inet_too)
{
	const struct tna_nft_chain *c = &obj->nft_chain;

	return obj->kind == TNA_OBJ_NFT_CHAIN && c->base &&
	       family_sees(c->family, family, inet_too) &&
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

/*
 * Expressions whose rules register conntrack (nf_ct_netns_get) or defrag
 * hooks in the namespace: ct, NAT, connlimit, flowtables, synproxy, tproxy and
 * socket (defrag), named objects (ct helper, timeout, expectation), and the
 * xtables compat match and target (iptables-nft's -m conntrack, -j CT, ...).
 * With the hooks in place br_netfilter's replay of bridged IP meets them: a
 * conntrack entry per bridged flow, and fragments reassembled.
 */
static bool expr_uses_conntrack(const char *name, size_t len)
{
	static const char *const users[] = {
		"ct",	    "nat",	"masq",	  "redir",  "connlimit", "flow_offload",
		"objref",   "synproxy", "tproxy", "socket", "match",	 "target",
	};

	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (strlen(users[i]) == len && !strncmp(users[i], name, len))
			return true;
	return false;
}

/* A rule whose list of expressions was cut short counts as a user: what was
 * left out is not known. */
static bool rule_uses_conntrack(const struct tna_nft_rule *r)
{
	const char *p = r->exprs;
	uint32_t listed = 0;

	while (*p) {
		size_t len = strcspn(p, ",");

		listed++;
		if (expr_uses_conntrack(p, len))
			return true;
		p += len + (p[len] == ',');
	}
	return listed < r->expr_count;
}

/* netdev-family rules may track both families, so they count for both. */
static bool conntrack(const struct tna_obj *obj, uint8_t family)
{
	const struct tna_nft_rule *r = &obj->nft_rule;

	return obj->kind == TNA_OBJ_NFT_RULE &&
	       (family_sees(r->family, family, true) || r->family == NFPROTO_NETDEV) &&
	       rule_uses_conntrack(r);
}

bool plan_nft_conntrack_ipv4(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return conntrack(obj, NFPROTO_IPV4);
}

static bool conntrack_ipv6(const struct planner *pl, const struct tna_obj *obj)
{
	(void)pl;
	return conntrack(obj, NFPROTO_IPV6);
}

struct br_nf_family {
	const char *subject;	/* "ipv4" */
	const char *what;	/* "IPv4" */
	const char *sysctl;
	int value;		/* of the sysctl; -1 without br_netfilter */
	bool bridge_opt;	/* the bridge's own IFLA_BR_NF_CALL_* */
	const char *opt;	/* its name, as `ip -d link` prints it */
	const char *checks;	/* what br_netfilter does with no rule, for people */
	uint16_t check, punt;	/* TNA_PORT_F_BR_NF_* */
	plan_match_fn nft, legacy, conntrack;
};

/* The chains on bridged hooks and legacy tables of the family: the one a fact
 * names goes to *m, with " (and N more)" in more. 0 or -errno. */
static int match_rules(struct planner *pl, const struct br_nf_family *f, struct plan_match *m,
		       char *more, size_t len)
{
	struct plan_match old;
	int err;

	err = plan_match(pl, TNA_OBJ_NFT_CHAIN, f->nft, m) ?:
	      plan_match(pl, TNA_OBJ_IPT_TABLE, f->legacy, &old);
	if (err)
		return err;
	if (m->count && old.count) {
		snprintf(more, len, " (and %d more)", m->count + old.count - 1);
		return 0;
	}
	if (old.count)
		*m = old;
	plan_match_more(m, more, len);
	return 0;
}

/* The family's path is off: rules there never see bridged frames. */
static int plan_family_off(struct planner *pl, const struct br_nf_family *f, const char *why)
{
	struct plan_match m;
	char more[32];
	int err;

	err = match_rules(pl, f, &m, more, sizeof(more));
	if (!err && m.count)
		plan_add_fact(pl->p, PLAN_FACT_INCLUDED, f->subject, m.node,
			      "%s%s does not see bridged %s: %s", m.text, more, f->what, why);
	return err;
}

/* The family's path is on: rules, or conntrack they bring in, see its bridged
 * frames and take all of them to Linux. */
static int plan_family_rules(struct planner *pl, const struct br_nf_family *f, const char *why)
{
	struct plan_match m, ct = { 0 };
	char more[32];
	int err;

	err = match_rules(pl, f, &m, more, sizeof(more));
	if (!err && !m.count && f->conntrack)
		err = plan_match(pl, TNA_OBJ_NFT_RULE, f->conntrack, &ct);
	if (err || (!m.count && !ct.count))
		return err;

	pl->p->port.flags |= f->punt;
	if (m.count)
		plan_add_fact(pl->p, PLAN_FACT_PUNT, f->subject, m.node,
			      "%s%s sees bridged %s (%s): %s is left to Linux", m.text, more,
			      f->what, why, f->what);
	else
		plan_add_fact(pl->p, PLAN_FACT_PUNT, f->subject, ct.node,
			      "%s%s brings conntrack in, which then tracks bridged %s (%s): %s is "
			      "left to Linux", ct.text, plan_match_more(&ct, more, sizeof(more)),
			      f->what, why, f->what);
	return 0;
}

static int plan_family(struct planner *pl, const struct tna_link *br,
		       const struct br_nf_family *f)
{
	char node[32], why[160];

	if (f->value < 0)
		return plan_family_off(pl, f, "br_netfilter is not loaded");
	if (!f->value && !f->bridge_opt) {
		snprintf(why, sizeof(why), "%s is 0 and bridge %s has %s off", f->sysctl,
			 br->name, f->opt);
		return plan_family_off(pl, f, why);
	}
	if (f->value)
		snprintf(why, sizeof(why), "%s is %d", f->sysctl, f->value);
	else
		snprintf(why, sizeof(why), "bridge %s has %s on", br->name, f->opt);
	plan_link_id(br->ifindex, node, sizeof(node));
	pl->p->port.flags |= f->check;
	plan_add_fact(pl->p, PLAN_FACT_PUNT, f->subject, node,
		      "br_netfilter handles bridged %s on %s (%s): %s", f->what, br->name, why,
		      f->checks);
	return plan_family_rules(pl, f, why);
}

int plan_br_netfilter(struct planner *pl, const struct tna_link *br)
{
	const struct plan_env *env = pl->env;
	const struct br_nf_family families[] = {
		{ "ipv4", "IPv4", "net.bridge.bridge-nf-call-iptables", env->br_nf_call_iptables,
		  br->bridge.nf_call_iptables, "nf_call_iptables",
		  "IPv4 with a bad header, Ethernet padding or more than the egress MTU is left "
		  "to Linux, which drops, trims or refragments it",
		  TNA_PORT_F_BR_NF_CHECK_IPV4, TNA_PORT_F_BR_NF_IPV4, nft_ipv4, legacy_ipv4,
		  plan_nft_conntrack_ipv4 },
		{ "ipv6", "IPv6", "net.bridge.bridge-nf-call-ip6tables",
		  env->br_nf_call_ip6tables, br->bridge.nf_call_ip6tables, "nf_call_ip6tables",
		  "IPv6 with a bad header, a hop-by-hop header, bytes after the payload or more "
		  "than the egress MTU is left to Linux, which drops, trims or refragments it",
		  TNA_PORT_F_BR_NF_CHECK_IPV6, TNA_PORT_F_BR_NF_IPV6, nft_ipv6, legacy_ipv6,
		  conntrack_ipv6 },
		{ "arp", "ARP", "net.bridge.bridge-nf-call-arptables", env->br_nf_call_arptables,
		  br->bridge.nf_call_arptables, "nf_call_arptables",
		  "ARP shorter than its header is left to Linux, which drops it",
		  TNA_PORT_F_BR_NF_CHECK_ARP, TNA_PORT_F_BR_NF_ARP, nft_arp, legacy_arp, NULL },
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && !err; i++)
		err = plan_family(pl, br, &families[i]);
	return err;
}
