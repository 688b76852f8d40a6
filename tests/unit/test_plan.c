// SPDX-License-Identifier: GPL-2.0
/*
 * Plans from constructed graphs: which interfaces get a pipeline and which
 * FPMs and constants, the graph node behind every decision, the port table
 * entry, equal source for equal plans, and generated C that compiles (clang,
 * no root).
 */
#include <errno.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_bridge.h>
#include <linux/pkt_sched.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assembler/compile.h"
#include "assembler/plan.h"
#include "tests/check.h"

#include <linux/if.h>

enum { BR0 = 2, P1, P2, DUMMY0 };

/* What the daemon would know from outside the graph. */
struct test_env {
	bool native;
	bool deliverable;
	uint32_t own_prog;
};

static bool env_native(void *ctx, int ifindex)
{
	(void)ifindex;
	return ((struct test_env *)ctx)->native;
}

static bool env_deliverable(void *ctx, int ifindex, char *reason, size_t len)
{
	(void)ifindex;
	if (((struct test_env *)ctx)->deliverable)
		return true;
	snprintf(reason, len, "veth peer has neither an XDP program nor GRO");
	return false;
}

static bool env_own(void *ctx, uint32_t prog_id)
{
	return prog_id && ((struct test_env *)ctx)->own_prog == prog_id;
}

static struct test_env tenv;
static struct plan_env env;

static void env_reset(void)
{
	tenv = (struct test_env){ .native = true, .deliverable = true };
	env = (struct plan_env){ .br_nf_call_iptables = -1, .br_nf_call_ip6tables = -1,
				 .br_nf_call_arptables = -1, .native_xdp = env_native,
				 .egress_deliverable = env_deliverable, .own_prog = env_own,
				 .ctx = &tenv };
}

static struct tna_obj link_obj(int ifindex, const char *name, const char *kind)
{
	struct tna_obj o = { .kind = TNA_OBJ_LINK };
	struct tna_link *l = &o.link;

	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->flags = IFF_UP | IFF_RUNNING;
	l->operstate = IF_OPER_UP;
	l->mtu = 1500;
	l->arptype = ARPHRD_ETHER;
	l->mac_len = 6;
	l->mac[0] = 0x02;
	l->mac[5] = ifindex;
	l->link_netnsid = -1;
	return o;
}

static struct tna_obj bridge_obj(void)
{
	struct tna_obj o = link_obj(BR0, "br0", "bridge");

	o.link.is_bridge = true;
	o.link.bridge.ageing_time_cs = 30000;
	return o;
}

static struct tna_obj port_obj(int ifindex, const char *name)
{
	struct tna_obj o = link_obj(ifindex, name, "veth");

	o.link.master = BR0;
	snprintf(o.link.slave_kind, sizeof(o.link.slave_kind), "bridge");
	o.link.is_brport = true;
	o.link.brport.state = BR_STATE_FORWARDING;
	o.link.brport.learning = true;
	o.link.brport.unicast_flood = true;
	return o;
}

static struct tna_obj chain_obj(uint8_t family, const char *table, const char *name,
				uint32_t hooknum, const char *dev)
{
	struct tna_obj o = { .kind = TNA_OBJ_NFT_CHAIN };

	o.nft_chain.family = family;
	snprintf(o.nft_chain.table, sizeof(o.nft_chain.table), "%s", table);
	snprintf(o.nft_chain.name, sizeof(o.nft_chain.name), "%s", name);
	o.nft_chain.base = true;
	o.nft_chain.hooknum = hooknum;
	snprintf(o.nft_chain.type, sizeof(o.nft_chain.type), "filter");
	o.nft_chain.policy = NF_ACCEPT;
	snprintf(o.nft_chain.dev, sizeof(o.nft_chain.dev), "%s", dev ? dev : "");
	return o;
}

static struct tna_obj ipt_obj(uint8_t family, const char *name)
{
	struct tna_obj o = { .kind = TNA_OBJ_IPT_TABLE };

	o.ipt_table.family = family;
	snprintf(o.ipt_table.name, sizeof(o.ipt_table.name), "%s", name);
	return o;
}

static struct tna_obj tc_obj(enum tna_tc_type type, int ifindex, uint32_t handle,
			     uint32_t parent, const char *kind)
{
	struct tna_obj o = { .kind = TNA_OBJ_TC };

	o.tc = (struct tna_tc){ .type = type, .ifindex = ifindex, .handle = handle,
				.parent = parent, .protocol = 0x0003, .prio = 1 };
	snprintf(o.tc.kind, sizeof(o.tc.kind), "%s", kind);
	return o;
}

/* br0 with ports p1 and p2 (veths, forwarding, learning), and dummy0. */
static struct graph *fresh(void)
{
	struct graph *g = graph__new();
	struct tna_obj o;

	if (!g)
		return NULL;
	o = bridge_obj();
	graph__upsert(g, &o);
	o = port_obj(P1, "p1");
	graph__upsert(g, &o);
	o = port_obj(P2, "p2");
	graph__upsert(g, &o);
	o = link_obj(DUMMY0, "dummy0", "dummy");
	graph__upsert(g, &o);
	env_reset();
	return g;
}

static void upsert(struct graph *g, struct tna_obj o)
{
	graph__upsert(g, &o);
}

static const struct plan_fact *find_fact(const struct plan *p, enum plan_fact_kind kind,
					 const char *node)
{
	for (int i = 0; i < p->nfacts; i++)
		if (p->facts[i].kind == kind && !strcmp(p->facts[i].node, node))
			return &p->facts[i];
	return NULL;
}

static long long const_of(const struct plan *p, const char *name)
{
	for (int i = 0; i < p->nfpms; i++)
		for (int j = 0; j < p->fpms[i].nconsts; j++)
			if (!strcmp(p->fpms[i].consts[j].name, name))
				return p->fpms[i].consts[j].value;
	return 0;
}

static bool node_exists(struct graph *g, const char *id)
{
	json_t *j = graph__node_json(g, id);

	json_decref(j);
	return j != NULL;
}

/* One check that the plan has no pipeline, decided by the graph node id,
 * which exists in the graph. */
static void expect_no_pipeline(struct graph *g, int ifindex, const char *node, const char *what)
{
	const struct plan_fact *f = NULL;
	struct plan p;
	int err;

	err = plan__build(g, &env, ifindex, &p);
	if (!err)
		f = find_fact(&p, PLAN_FACT_NO_PIPELINE, node);
	CHECK(!err && !p.pipeline && p.nfpms == 0 && f && node_exists(g, node),
	      "%s: no pipeline, decided by %s (%s)", what, node, f ? f->text : "no such fact");
}

static bool has_pipeline(struct graph *g, int ifindex)
{
	struct plan p;

	return !plan__build(g, &env, ifindex, &p) && p.pipeline && p.nfpms == 3;
}

static void test_bridge_port(void)
{
	struct graph *g = fresh();
	struct plan p;
	int err;

	err = plan__build(g, &env, P1, &p);
	CHECK(!err && p.pipeline && p.nfpms == 3 && !strcmp(p.fpms[0].name, "parse_eth") &&
	      !strcmp(p.fpms[1].name, "stp") && !strcmp(p.fpms[2].name, "bridge_fwd"),
	      "bridge port: parse_eth -> stp -> bridge_fwd");
	CHECK(!err && !p.fpms[0].nconsts && !p.fpms[1].nconsts && !p.fpms[2].nconsts,
	      "bridge port of a plain bridge: no constants");
	CHECK(!err && find_fact(&p, PLAN_FACT_INCLUDED, "link:2"),
	      "bridge port: the FPMs are included because of the bridge node");
	CHECK_EQ_STR(p.ifname, "p1", "plan names the interface");
	CHECK(p.is_port && p.port.bridge == BR0 && p.port.mtu == 1500 &&
	      p.port.state == BR_STATE_FORWARDING &&
	      p.port.flags == (TNA_PORT_F_READY | TNA_PORT_F_LEARNING),
	      "bridge port: port entry bridge 2, mtu 1500, forwarding, ready|learning "
	      "(flags 0x%x)", p.port.flags);
	CHECK(find_fact(&p, PLAN_FACT_EGRESS, "link:3") != NULL, "ready port: an EGRESS fact");

	err = plan__build(g, &env, DUMMY0, &p);
	CHECK(!err && !p.pipeline && !p.nfpms && !p.is_port &&
	      find_fact(&p, PLAN_FACT_NO_PIPELINE, "link:5") &&
	      strstr(find_fact(&p, PLAN_FACT_NO_PIPELINE, "link:5")->text, "not a bridge port"),
	      "not a bridge port: no pipeline, a NO_PIPELINE fact on the link");
	expect_no_pipeline(g, BR0, "link:2", "the bridge itself");
	CHECK(plan__build(g, &env, 99, &p) == -ENOENT, "unknown ifindex: -ENOENT");
	CHECK(plan__emit_c(&p) == NULL, "no source without a pipeline");
	graph__free(g);
}

static void test_no_pipeline(void)
{
	struct graph *g = fresh();
	struct tna_obj o;

	o = bridge_obj();
	o.link.bridge.vlan_filtering = true;
	upsert(g, o);
	expect_no_pipeline(g, P1, "link:2", "VLAN filtering on the bridge");
	upsert(g, bridge_obj());

	o = port_obj(P1, "p1");
	o.link.xdp_prog_id = 77;
	upsert(g, o);
	expect_no_pipeline(g, P1, "link:3", "foreign XDP program on the port");
	CHECK(has_pipeline(g, P2), "foreign XDP program on p1 leaves p2 alone");
	tenv.own_prog = 77;
	CHECK(has_pipeline(g, P1), "our own XDP program on the port is no obstacle");
	upsert(g, port_obj(P1, "p1"));

	tenv.native = false;
	expect_no_pipeline(g, P1, "link:3", "no native XDP");
	env.native_xdp = NULL;
	expect_no_pipeline(g, P1, "link:3", "native XDP support unknown");
	env_reset();

	upsert(g, link_obj(P1, "p1", "vxlan"));
	o = link_obj(P1, "p1", "vxlan");
	o.link.master = BR0;
	o.link.is_brport = true;
	o.link.brport.state = BR_STATE_FORWARDING;
	upsert(g, o);
	expect_no_pipeline(g, P1, "link:3", "a port of a kind the fast path does not know");
	upsert(g, port_obj(P1, "p1"));
	CHECK(has_pipeline(g, P1), "back to a plain port: pipeline again");
	graph__free(g);
}

static void test_filters(void)
{
	struct graph *g = fresh();
	struct tna_obj fw = chain_obj(NFPROTO_BRIDGE, "t", "fw", NF_BR_FORWARD, NULL);
	struct tna_obj in = chain_obj(NFPROTO_BRIDGE, "t", "in", NF_BR_LOCAL_IN, NULL);
	struct plan p;

	upsert(g, in);
	CHECK(!plan__build(g, &env, P1, &p) && p.pipeline &&
	      find_fact(&p, PLAN_FACT_INCLUDED, "nft-chain:bridge:t:in"),
	      "bridge input chain: pipeline kept, the chain named in an INCLUDED fact");
	upsert(g, fw);
	expect_no_pipeline(g, P1, "nft-chain:bridge:t:fw", "bridge-family forward chain");
	graph__remove(g, &fw);
	graph__remove(g, &in);

	upsert(g, ipt_obj(NFPROTO_BRIDGE, "filter"));
	expect_no_pipeline(g, P2, "ipt-table:bridge:filter", "legacy ebtables table");
	graph__free(g);

	g = fresh();
	upsert(g, tc_obj(TNA_TC_QDISC, P1, 0xffff0000, TC_H_CLSACT, "clsact"));
	CHECK(has_pipeline(g, P1), "clsact qdisc without filters: pipeline kept");
	upsert(g, tc_obj(TNA_TC_FILTER, P1, 1, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), "bpf"));
	expect_no_pipeline(g, P1, "tc:3:filter:ffff:fff2:1:all:0x1", "tc ingress filter");
	CHECK(has_pipeline(g, P2), "tc ingress filter on p1 leaves p2 alone");
	graph__free(g);

	g = fresh();
	upsert(g, chain_obj(NFPROTO_NETDEV, "nd", "ing", NF_NETDEV_INGRESS, "p2"));
	expect_no_pipeline(g, P2, "nft-chain:netdev:nd:ing", "netdev ingress chain on the port");
	CHECK(has_pipeline(g, P1), "netdev ingress chain on p2 leaves p1 alone");
	graph__free(g);
}

static struct tna_obj rule_obj(uint8_t family, const char *table, const char *chain,
			       const char *exprs, uint32_t expr_count)
{
	struct tna_obj o = { .kind = TNA_OBJ_NFT_RULE };

	o.nft_rule.family = family;
	snprintf(o.nft_rule.table, sizeof(o.nft_rule.table), "%s", table);
	snprintf(o.nft_rule.chain, sizeof(o.nft_rule.chain), "%s", chain);
	snprintf(o.nft_rule.exprs, sizeof(o.nft_rule.exprs), "%s", exprs);
	o.nft_rule.handle = 4;
	o.nft_rule.expr_count = expr_count;
	return o;
}

#define BR_NF_ALL                                                                         \
	(TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_CHECK_IPV6 |                      \
	 TNA_PORT_F_BR_NF_CHECK_ARP | TNA_PORT_F_BR_NF_IPV4 | TNA_PORT_F_BR_NF_IPV6 |      \
	 TNA_PORT_F_BR_NF_ARP)

/* P1's br_netfilter flags; they are port state, never plan constants. */
static unsigned int br_nf_flags(struct graph *g, struct plan *p)
{
	if (plan__build(g, &env, P1, p) || !p->pipeline || p->fpms[2].nconsts)
		return ~0U;
	return p->port.flags & BR_NF_ALL;
}

static void test_br_netfilter(void)
{
	struct graph *g = fresh();
	const char *inet_fw = "nft-chain:inet:filter:forward";
	const struct plan_fact *f;
	unsigned int flags;
	struct plan p;

	upsert(g, chain_obj(NFPROTO_INET, "filter", "forward", NF_INET_FORWARD, NULL));
	env.br_nf_call_iptables = 1;
	env.br_nf_call_ip6tables = 1;
	flags = br_nf_flags(g, &p);
	f = find_fact(&p, PLAN_FACT_PUNT, inet_fw);
	CHECK(flags == (TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_IPV4 |
			TNA_PORT_F_BR_NF_CHECK_IPV6 | TNA_PORT_F_BR_NF_IPV6) &&
	      f && node_exists(g, inet_fw),
	      "inet forward chain, bridge-nf-call-ip(6)tables 1: IPv4 and IPv6 punted by port "
	      "flags, no constant, fact on the chain (flags 0x%x, %s)", flags,
	      f ? f->text : "none");
	CHECK(find_fact(&p, PLAN_FACT_PUNT, "link:2") != NULL,
	      "br_netfilter's path on: a fact on the bridge says what it checks");

	env.br_nf_call_iptables = 0;
	env.br_nf_call_ip6tables = 0;
	flags = br_nf_flags(g, &p);
	CHECK(flags == 0 && !find_fact(&p, PLAN_FACT_PUNT, inet_fw) &&
	      find_fact(&p, PLAN_FACT_INCLUDED, inet_fw),
	      "inet forward chain, bridge-nf-call-iptables 0: no flags, an INCLUDED fact "
	      "(flags 0x%x)", flags);
	env.br_nf_call_iptables = -1;
	env.br_nf_call_ip6tables = -1;
	flags = br_nf_flags(g, &p);
	CHECK(flags == 0 && find_fact(&p, PLAN_FACT_INCLUDED, inet_fw),
	      "inet forward chain without br_netfilter: no flags, an INCLUDED fact");
	graph__free(g);
}

/* The bridge's own nf_call_* switches br_netfilter on with the sysctl at 0,
 * exactly as br_nf_pre_routing tests them; without the module neither counts. */
static void test_br_netfilter_per_bridge(void)
{
	struct graph *g = fresh();
	struct tna_obj br = bridge_obj();
	const struct plan_fact *f;
	unsigned int flags;
	struct plan p;

	br.link.bridge.nf_call_iptables = true;
	upsert(g, br);
	upsert(g, chain_obj(NFPROTO_INET, "filter", "forward", NF_INET_FORWARD, NULL));
	env.br_nf_call_iptables = 0;
	env.br_nf_call_ip6tables = 0;
	env.br_nf_call_arptables = 0;
	flags = br_nf_flags(g, &p);
	f = find_fact(&p, PLAN_FACT_PUNT, "nft-chain:inet:filter:forward");
	CHECK(flags == (TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_IPV4) && f &&
	      strstr(f->text, "nf_call_iptables on"),
	      "sysctls 0, bridge nf_call_iptables on: IPv4 punted, IPv6 not (flags 0x%x, %s)",
	      flags, f ? f->text : "none");
	env.br_nf_call_iptables = -1;
	env.br_nf_call_ip6tables = -1;
	env.br_nf_call_arptables = -1;
	CHECK(br_nf_flags(g, &p) == 0,
	      "bridge nf_call_iptables on without br_netfilter loaded: no flags");
	graph__free(g);

	g = fresh();
	env.br_nf_call_iptables = 1;
	env.br_nf_call_ip6tables = 1;
	env.br_nf_call_arptables = 1;
	flags = br_nf_flags(g, &p);
	CHECK(flags == (TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_CHECK_IPV6 |
			TNA_PORT_F_BR_NF_CHECK_ARP),
	      "br_netfilter on, no rules: only the checks, nothing punted wholesale (0x%x)",
	      flags);
	graph__free(g);
}

/* Rules anywhere in the family that bring conntrack in: its hooks then see
 * the bridged IP that br_netfilter replays. */
static void test_br_netfilter_conntrack(void)
{
	const unsigned int v4 = TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_CHECK_IPV6 |
				TNA_PORT_F_BR_NF_IPV4;
	const unsigned int both = v4 | TNA_PORT_F_BR_NF_IPV6;
	struct graph *g = fresh();
	struct tna_obj rule;
	unsigned int flags;
	struct plan p;

	env.br_nf_call_iptables = 1;
	env.br_nf_call_ip6tables = 1;
	upsert(g, chain_obj(NFPROTO_IPV4, "filter", "input", NF_INET_LOCAL_IN, NULL));
	upsert(g, rule_obj(NFPROTO_IPV4, "filter", "input", "meta,cmp,immediate", 3));
	CHECK(br_nf_flags(g, &p) == (TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_CHECK_IPV6),
	      "ip input chain, rule without conntrack: checks only");
	rule = rule_obj(NFPROTO_IPV4, "filter", "input", "ct,bitwise,cmp,immediate", 4);
	upsert(g, rule);
	flags = br_nf_flags(g, &p);
	CHECK(flags == v4 && find_fact(&p, PLAN_FACT_PUNT, "nft-chain:ip:filter:input"),
	      "ip input rule with ct: bridged IPv4 punted, fact on its chain (0x%x)", flags);
	graph__remove(g, &rule);
	upsert(g, rule_obj(NFPROTO_IPV4, "filter", "input", "meta,cmp,immediate", 40));
	CHECK(br_nf_flags(g, &p) == v4,
	      "a rule whose expression list was cut short counts as a conntrack user");
	graph__free(g);

	g = fresh();
	env.br_nf_call_iptables = 1;
	env.br_nf_call_ip6tables = 1;
	upsert(g, chain_obj(NFPROTO_INET, "t", "out", NF_INET_LOCAL_OUT, NULL));
	upsert(g, rule_obj(NFPROTO_INET, "t", "out", "meta,cmp,masq", 3));
	CHECK(br_nf_flags(g, &p) == both, "inet rule with masq: IPv4 and IPv6 punted");
	env.br_nf_call_iptables = 0;
	env.br_nf_call_ip6tables = 0;
	CHECK(br_nf_flags(g, &p) == 0, "the same rule with br_netfilter's path off: nothing");
	graph__free(g);

	g = fresh();
	env.br_nf_call_iptables = 1;
	env.br_nf_call_arptables = 1;
	upsert(g, chain_obj(NFPROTO_IPV4, "filter", "input", NF_INET_LOCAL_IN, NULL));
	CHECK(br_nf_flags(g, &p) == (TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_CHECK_ARP),
	      "ip input chain with bridge-nf-call-iptables 1: bridged IPv4 never meets it");
	upsert(g, chain_obj(NFPROTO_ARP, "filter", "fwd", NF_ARP_FORWARD, NULL));
	upsert(g, ipt_obj(NFPROTO_IPV4, "filter"));
	flags = br_nf_flags(g, &p);
	CHECK(flags == (TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_IPV4 |
			TNA_PORT_F_BR_NF_CHECK_ARP | TNA_PORT_F_BR_NF_ARP) &&
	      find_fact(&p, PLAN_FACT_PUNT, "nft-chain:arp:filter:fwd") &&
	      find_fact(&p, PLAN_FACT_PUNT, "ipt-table:ip:filter"),
	      "arp forward chain and legacy iptables with br_netfilter: ARP and IPv4 punted "
	      "(0x%x)", flags);
	graph__free(g);
}

/* Locked and MAB ports, proxy ARP on a port of the bridge. */
static void test_port_switches(void)
{
	struct graph *g = fresh();
	struct tna_obj o;
	struct plan p1, p2;

	o = port_obj(P1, "p1");
	o.link.brport.locked = true;
	upsert(g, o);
	plan__build(g, &env, P1, &p1);
	plan__build(g, &env, P2, &p2);
	CHECK((p1.port.flags & TNA_PORT_F_LOCKED) && !(p2.port.flags & TNA_PORT_F_LOCKED) &&
	      find_fact(&p1, PLAN_FACT_PUNT, "link:3"),
	      "locked p1: LOCKED on p1 only, a fact on p1");
	o.link.brport.locked = false;
	o.link.brport.mab = true;
	upsert(g, o);
	plan__build(g, &env, P1, &p1);
	CHECK(p1.port.flags & TNA_PORT_F_LOCKED, "MAB on p1: LOCKED on p1");
	upsert(g, port_obj(P1, "p1"));
	plan__build(g, &env, P1, &p1);
	CHECK(!(p1.port.flags & TNA_PORT_F_LOCKED), "neither locked nor MAB: LOCKED clear");

	o = port_obj(P2, "p2");
	o.link.brport.proxyarp = true;
	upsert(g, o);
	plan__build(g, &env, P1, &p1);
	CHECK((p1.port.flags & TNA_PORT_F_NEIGH_PROXY) &&
	      find_fact(&p1, PLAN_FACT_EGRESS, "link:4") &&
	      strstr(find_fact(&p1, PLAN_FACT_EGRESS, "link:4")->text, "proxy_arp"),
	      "proxy_arp on p2: NEIGH_PROXY on p1, fact naming p2");
	o.link.brport.proxyarp = false;
	o.link.brport.proxyarp_wifi = true;
	upsert(g, o);
	plan__build(g, &env, P1, &p1);
	CHECK(p1.port.flags & TNA_PORT_F_NEIGH_PROXY, "proxy_arp_wifi on p2: NEIGH_PROXY on p1");
	upsert(g, port_obj(P2, "p2"));
	plan__build(g, &env, P1, &p1);
	CHECK(!(p1.port.flags & TNA_PORT_F_NEIGH_PROXY), "no proxy on any port: NEIGH_PROXY clear");
	graph__free(g);
}

static void test_learning_off(void)
{
	struct graph *g = fresh();
	struct tna_obj o = port_obj(P2, "p2");
	struct plan p1, p2;

	o.link.brport.learning = false;
	upsert(g, o);
	plan__build(g, &env, P1, &p1);
	plan__build(g, &env, P2, &p2);
	CHECK(const_of(&p1, "FPM_BR_LEARNING_OFF_PORTS") == 1 &&
	      find_fact(&p1, PLAN_FACT_INCLUDED, "link:4"),
	      "learning off on p2: the constant on p1's plan, the fact naming p2");
	CHECK(!(p2.port.flags & TNA_PORT_F_LEARNING) && (p1.port.flags & TNA_PORT_F_LEARNING),
	      "learning flag follows each port");
	CHECK(plan__same_pipeline(&p1, &p2), "both ports of the bridge: the same pipeline");
	graph__free(g);
}

/* Plans P1 after the change and checks READY is gone with an EGRESS fact. */
static void expect_not_ready(struct graph *g, const char *node, const char *what)
{
	const struct plan_fact *f = NULL;
	struct plan p;
	int err;

	err = plan__build(g, &env, P1, &p);
	if (!err)
		f = find_fact(&p, PLAN_FACT_EGRESS, node);
	CHECK(!err && p.is_port && !(p.port.flags & TNA_PORT_F_READY) && f &&
	      node_exists(g, node), "%s: not ready, decided by %s (%s)", what, node,
	      f ? f->text : "no such fact");
}

static bool ready(struct graph *g)
{
	struct plan p;

	return !plan__build(g, &env, P1, &p) && (p.port.flags & TNA_PORT_F_READY);
}

static void test_readiness(void)
{
	struct graph *g = fresh();
	struct tna_obj o;
	struct plan p;

	o = port_obj(P1, "p1");
	o.link.flags &= ~IFF_UP;
	o.link.operstate = IF_OPER_DOWN;
	upsert(g, o);
	expect_not_ready(g, "link:3", "port down");
	o = port_obj(P1, "p1");
	o.link.operstate = IF_OPER_LOWERLAYERDOWN;
	upsert(g, o);
	expect_not_ready(g, "link:3", "port without carrier");
	upsert(g, port_obj(P1, "p1"));

	o = bridge_obj();
	o.link.flags &= ~IFF_UP;
	o.link.operstate = IF_OPER_DOWN;
	upsert(g, o);
	expect_not_ready(g, "link:2", "bridge down");
	upsert(g, bridge_obj());

	tenv.deliverable = false;
	expect_not_ready(g, "link:3", "veth peer cannot take XDP frames");
	plan__build(g, &env, P1, &p);
	CHECK(p.pipeline, "an undeliverable port still gets its own pipeline");
	env_reset();

	upsert(g, tc_obj(TNA_TC_QDISC, P1, 0, TC_H_ROOT, "fq_codel"));
	CHECK(ready(g), "fq_codel root qdisc: ready");
	upsert(g, tc_obj(TNA_TC_QDISC, P1, 0x10000, TC_H_ROOT, "tbf"));
	expect_not_ready(g, "tc:3:qdisc:1:", "tbf root qdisc");
	graph__free(g);

	g = fresh();
	upsert(g, tc_obj(TNA_TC_QDISC, P1, 0xffff0000, TC_H_CLSACT, "clsact"));
	upsert(g, tc_obj(TNA_TC_FILTER, P1, 1, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), "bpf"));
	expect_not_ready(g, "tc:3:filter:ffff:fff3:1:all:0x1", "clsact egress filter");
	plan__build(g, &env, P1, &p);
	CHECK(p.pipeline, "an egress filter does not take the ingress pipeline away");
	graph__free(g);

	g = fresh();
	upsert(g, chain_obj(NFPROTO_NETDEV, "nd", "eg", NF_NETDEV_EGRESS, "p1"));
	expect_not_ready(g, "nft-chain:netdev:nd:eg", "netdev egress chain");
	graph__free(g);

	g = fresh();
	o = bridge_obj();
	o.link.flags |= IFF_PROMISC;
	upsert(g, o);
	o = port_obj(P2, "p2");
	o.link.brport.neigh_suppress = true;
	o.link.brport.isolated = true;
	upsert(g, o);
	plan__build(g, &env, P1, &p);
	CHECK((p.port.flags & TNA_PORT_F_BR_PROMISC) && (p.port.flags & TNA_PORT_F_READY) &&
	      find_fact(&p, PLAN_FACT_EGRESS, "link:2"),
	      "promiscuous bridge: BR_PROMISC on the port, fact on the bridge");
	CHECK((p.port.flags & TNA_PORT_F_NEIGH_PROXY) && find_fact(&p, PLAN_FACT_EGRESS, "link:4"),
	      "neigh_suppress on p2: NEIGH_PROXY on p1, fact naming p2");
	CHECK(!(p.port.flags & TNA_PORT_F_ISOLATED), "p1 not isolated");
	plan__build(g, &env, P2, &p);
	CHECK(p.port.flags & TNA_PORT_F_ISOLATED, "p2 isolated");
	graph__free(g);
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool json_has_string(const json_t *array, const char *want)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), want))
			return true;
	return false;
}

static void test_emit(void)
{
	struct graph *g = fresh();
	char *s1 = NULL, *s2 = NULL, *s3 = NULL, *model = NULL;
	const char *body1, *body_model;
	char dir[] = "/tmp/tna-plan-XXXXXX", cmd[64];
	struct compile_opts opts = { 0 };
	struct compile_result res;
	struct tna_obj o;
	struct plan p1, p2, p3;
	json_t *j;
	int err;

	plan__build(g, &env, P1, &p1);
	plan__build(g, &env, P2, &p2);
	s1 = plan__emit_c(&p1);
	s2 = plan__emit_c(&p2);
	CHECK(s1 && s2 && !strcmp(s1, s2) && plan__same_pipeline(&p1, &p2),
	      "two ports of one bridge: identical source");
	CHECK(s1 && !strstr(s1, "p1") && !strstr(s1, "\"p1\""), "the source names no interface");
	model = read_file(TNA_SRC_DIR "/bpf/pipeline_bridge.bpf.c");
	body1 = s1 ? strstr(s1, "#include <linux/bpf.h>") : NULL;
	body_model = model ? strstr(model, "#include <linux/bpf.h>") : NULL;
	CHECK(body1 && body_model && !strcmp(body1, body_model),
	      "the source has the shape of bpf/pipeline_bridge.bpf.c");

	o = port_obj(P2, "p2");
	o.link.brport.learning = false;
	upsert(g, o);
	upsert(g, chain_obj(NFPROTO_INET, "filter", "forward", NF_INET_FORWARD, NULL));
	env.br_nf_call_iptables = 1;
	plan__build(g, &env, P1, &p3);
	s3 = plan__emit_c(&p3);
	CHECK(!plan__same_pipeline(&p1, &p3) && s3 &&
	      strstr(s3, "#define FPM_BR_LEARNING_OFF_PORTS 1\n") &&
	      strstr(s3, "#define FPM_BR_LEARNING_OFF_PORTS 1\n") < strstr(s3, "#include") &&
	      !strstr(s3, "BR_PUNT") && (p3.port.flags & TNA_PORT_F_BR_NF_IPV4),
	      "constants become #defines before the includes; br_netfilter stays port state");

	if (!mkdtemp(dir)) {
		CHECK(0, "make a temporary cache directory");
		goto out;
	}
	opts.cache_dir = dir;
	err = s1 ? compile__object(&opts, s1, &res) : -ENOMEM;
	CHECK(!err && access(res.object, R_OK) == 0, "the plain bridge pipeline compiles (%s)",
	      err ? res.error : res.object);
	err = s3 ? compile__object(&opts, s3, &res) : -ENOMEM;
	CHECK(!err && access(res.object, R_OK) == 0,
	      "the pipeline with the learning-off constant compiles (%s)",
	      err ? res.error : res.object);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		CHECK(0, "remove the temporary cache directory");

	j = plan__to_json(&p3);
	CHECK(j && !strcmp(json_string_value(json_object_get(j, "ifname")), "p1") &&
	      json_is_true(json_object_get(j, "pipeline")) &&
	      json_array_size(json_object_get(j, "fpms")) == 3 &&
	      json_integer_value(json_object_get(
		      json_object_get(json_array_get(json_object_get(j, "fpms"), 2), "consts"),
		      "FPM_BR_LEARNING_OFF_PORTS")) == 1 &&
	      json_has_string(json_object_get(json_object_get(j, "port"), "flags"), "br_nf_ipv4") &&
	      json_array_size(json_object_get(j, "facts")) == (size_t)p3.nfacts &&
	      !strcmp(json_string_value(json_object_get(json_object_get(j, "port"), "state")),
		      "forwarding"),
	      "plan as JSON: ifname, pipeline, fpms with consts, facts, port");
	json_decref(j);
	plan__build(g, &env, DUMMY0, &p1);
	j = plan__to_json(&p1);
	CHECK(j && json_is_null(json_object_get(j, "port")) &&
	      json_is_false(json_object_get(j, "pipeline")),
	      "plan as JSON without a pipeline: port null");
	json_decref(j);
out:
	free(s1);
	free(s2);
	free(s3);
	free(model);
	graph__free(g);
}

/* One AF_XDP socket attached to every interface the planner asks about. */
static int env_zstack(void *ctx, int ifindex, plan_zs_fact_fn fn, void *fctx)
{
	(void)ctx;
	(void)ifindex;
	if (fn)
		fn(fctx, true, "", "AF_XDP socket of a test application on queue 0");
	return 1;
}

/* A zstack interface outside any bridge gets steering unless something the
 * kernel applies to TCP delivered to the host would be skipped by it. */
static void test_zstack_filters(void)
{
	const int ZS = 20;
	struct tna_obj input = chain_obj(NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, "");
	struct tna_obj fwd = chain_obj(NFPROTO_INET, "filter", "fwd", NF_INET_FORWARD, "");
	struct tna_obj drop = rule_obj(NFPROTO_INET, "filter", "input", "meta,cmp,immediate", 3);
	struct tna_obj ct = rule_obj(NFPROTO_INET, "filter", "fwd", "ct,bitwise,cmp,immediate", 4);
	struct graph *g = fresh();
	struct plan p;

	env.zstack = env_zstack;
	upsert(g, link_obj(ZS, "zs0", "veth"));
	CHECK(has_pipeline(g, ZS), "zstack: an interface with an AF_XDP socket gets steering");
	plan__build(g, &env, ZS, &p);
	CHECK(p.nfpms == 3 && !strcmp(p.fpms[2].name, "xsk_steer"),
	      "zstack: parse_eth -> parse_ipv4 -> xsk_steer");

	upsert(g, input);
	CHECK(has_pipeline(g, ZS), "zstack: an empty input chain that accepts changes nothing");
	upsert(g, drop);
	expect_no_pipeline(g, ZS, "nft-chain:inet:filter:input",
			   "zstack: a rule in an input chain keeps zstack traffic with the kernel");
	graph__remove(g, &drop);
	input.nft_chain.policy = NF_DROP;
	upsert(g, input);
	expect_no_pipeline(g, ZS, "nft-chain:inet:filter:input",
			   "zstack: an input chain whose policy drops keeps it with the kernel");
	graph__remove(g, &input);
	CHECK(has_pipeline(g, ZS), "zstack: steering is back once the chain is gone");

	upsert(g, fwd);
	CHECK(has_pipeline(g, ZS), "zstack: a forward chain does not see TCP to this host");
	upsert(g, ct);
	expect_no_pipeline(g, ZS, "nft-chain:inet:filter:fwd",
			   "zstack: a conntrack rule anywhere in IPv4 keeps it with the kernel");
	graph__remove(g, &ct);
	upsert(g, ipt_obj(NFPROTO_IPV4, "filter"));
	expect_no_pipeline(g, ZS, "ipt-table:ip:filter",
			   "zstack: a legacy iptables table keeps it with the kernel");
	env.zstack = NULL;
	graph__free(g);
}

int main(void)
{
	test_bridge_port();
	test_no_pipeline();
	test_filters();
	test_br_netfilter();
	test_br_netfilter_per_bridge();
	test_br_netfilter_conntrack();
	test_port_switches();
	test_learning_off();
	test_readiness();
	test_emit();
	test_zstack_filters();
	return check_exit();
}
