/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the planner's files share: the state of one planning run, the helpers
 * that record FPMs, constants and facts, and the search of the graph for the
 * objects (chains, tables, tc) that decide them.
 */
#ifndef TNA_PLAN_PRIV_H
#define TNA_PLAN_PRIV_H

#include <stdbool.h>

#include "assembler/plan.h"

struct planner {
	struct graph *g;
	const struct plan_env *env;
	const struct tna_link *link;
	struct plan *p;
};

/* plan.c */
void plan_add_fact(struct plan *p, enum plan_fact_kind kind, const char *subject,
		   const char *node, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Appends an FPM; NULL when the plan already holds PLAN_MAX_FPMS. */
struct plan_fpm *plan_add_fpm(struct plan *p, const char *name);
/* 0, or -E2BIG when the FPM already holds PLAN_MAX_CONSTS. */
int plan_fpm_set_const(struct plan_fpm *f, const char *name, long long value);
/* A NO_PIPELINE fact is recorded: services add no FPMs. */
bool plan_has_no_pipeline(const struct plan *p);
/* "link:7", as the graph names the node. */
void plan_link_id(int ifindex, char *buf, size_t len);

/* plan_iface.c: what keeps any pipeline off this interface, whatever the
 * service; NO_PIPELINE facts. 0 or -errno. */
int plan_interface(struct planner *pl);
/* The interface is a kind whose XDP and redirect behaviour is known. */
bool plan_kind_understood(const struct tna_link *l);

/* plan_bridge.c: the bridging service. */
int plan_bridge_port(struct planner *pl, const struct tna_link *bridge);

/* plan_zstack.c: zstack steering, on an interface where an application
 * attached an AF_XDP socket. */
bool plan_zstack_applies(struct planner *pl);
int plan_zstack(struct planner *pl);

/* plan_port.c: the port table entry and its EGRESS facts. */
int plan_port_state(struct planner *pl, const struct tna_link *bridge);

/*
 * plan_match.c: the graph objects a rule cares about. A match counts them and
 * keeps the one with the smallest node id, so a fact names the same object
 * however the graph happens to order them.
 */
struct plan_match {
	int count;
	char node[160];
	char text[192];		/* the matched object, for people: "nft chain bridge t fw hooks forward" */
};

/* Decides whether an object matters to the interface being planned. */
typedef bool (*plan_match_fn)(const struct planner *pl, const struct tna_obj *obj);

/* Searches every object of kind; 0 or -errno. */
int plan_match(const struct planner *pl, enum tna_obj_kind kind, plan_match_fn fn,
	       struct plan_match *m);
/* " (and N more)" when the match counted more than one, else "". */
const char *plan_match_more(const struct plan_match *m, char *buf, size_t len);

/* plan_netfilter.c: predicates over chains, legacy tables and tc objects. */
bool plan_nf_hook_sees_bridged(uint8_t family, uint32_t hooknum);
bool plan_nft_bridge_bridged(const struct planner *pl, const struct tna_obj *obj);
bool plan_nft_bridge_local(const struct planner *pl, const struct tna_obj *obj);
bool plan_nft_port_ingress(const struct planner *pl, const struct tna_obj *obj);
bool plan_nft_port_egress(const struct planner *pl, const struct tna_obj *obj);
bool plan_ebtables(const struct planner *pl, const struct tna_obj *obj);
bool plan_tc_ingress_filter(const struct planner *pl, const struct tna_obj *obj);
bool plan_tc_egress_filter(const struct planner *pl, const struct tna_obj *obj);
bool plan_tc_shaping_qdisc(const struct planner *pl, const struct tna_obj *obj);
bool plan_nf_local_in_ipv4(const struct planner *pl, const struct tna_obj *obj);
/* A rule that brings conntrack into IPv4 (plan_br_netfilter.c). */
bool plan_nft_conntrack_ipv4(const struct planner *pl, const struct tna_obj *obj);

/* plan_br_netfilter.c: the port's TNA_PORT_F_BR_NF_* flags and their facts:
 * what br_netfilter does to bridged IPv4, IPv6 and ARP on this bridge. */
int plan_br_netfilter(struct planner *pl, const struct tna_link *bridge);

#endif
