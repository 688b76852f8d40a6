/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plans: for one interface, the ordered FPMs of its pipeline with their
 * constants, and for every FPM left out and every feature that forces a punt,
 * the graph fact that decided it (`tnactl explain` prints exactly this).
 *
 * Planning is a pure function of the graph and the environment: no netlink,
 * no BPF, no files. The port state the fast path reads from maps (readiness,
 * flags, MTU) is planned here too, apart from the pipeline, so a change that
 * only touches map state never recompiles anything.
 */
#ifndef TNA_PLAN_H
#define TNA_PLAN_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpf/maps.h"
#include "controller/graph.h"

#define PLAN_MAX_FPMS 12
#define PLAN_MAX_CONSTS 8
#define PLAN_MAX_FACTS 32

struct plan_const {
	char name[48];		/* a #define the FPM header reads, e.g. FPM_BR_LEARNING_OFF_PORTS */
	long long value;
};

/* An FPM "NAME" lives in fpm/NAME.h as fpm_NAME(). */
struct plan_fpm {
	char name[32];
	int nconsts;
	struct plan_const consts[PLAN_MAX_CONSTS];
};

enum plan_fact_kind {
	PLAN_FACT_INCLUDED,	/* an FPM is in the pipeline because of this fact */
	PLAN_FACT_OMITTED,	/* an FPM is left out because of this fact */
	PLAN_FACT_PUNT,		/* a kind of traffic is left to Linux because of this fact */
	PLAN_FACT_NO_PIPELINE,	/* the interface gets no fast path at all */
	PLAN_FACT_EGRESS,	/* whether the interface may receive redirected frames */
};

struct plan_fact {
	enum plan_fact_kind kind;
	char subject[32];	/* the FPM, or the feature ("egress", "ipv4", ...) */
	char node[160];		/* id of the graph node that decided it; "" if none */
	char text[256];		/* the fact, for people: "nft chain bridge t fw hooks forward" */
};

/* Told one zstack fact of an interface: an AF_XDP socket attached (xsk) or a
 * steering entry, with the graph node that shows it ("" if none). */
typedef void (*plan_zs_fact_fn)(void *fctx, bool xsk, const char *node, const char *text);

/* What the graph does not hold but planning needs, gathered by the daemon. */
struct plan_env {
	/* net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}; -1 when
	 * br_netfilter is absent (then bridged traffic never meets ip rules). */
	int br_nf_call_iptables;
	int br_nf_call_ip6tables;
	int br_nf_call_arptables;
	/* Per-interface facts from outside the graph; NULL means "unknown",
	 * which plans as not supported. */
	bool (*native_xdp)(void *ctx, int ifindex);
	/* A redirect into this interface is delivered: a veth whose peer has an
	 * XDP program or GRO on, or a device that implements ndo_xdp_xmit.
	 * reason is filled when it is not. */
	bool (*egress_deliverable)(void *ctx, int ifindex, char *reason, size_t len);
	/* Our own program ids, so an attached program of ours is not "foreign". */
	bool (*own_prog)(void *ctx, uint32_t prog_id);
	/* zstack on an interface: calls fn for every AF_XDP socket attached and
	 * every steering entry; returns how many sockets are attached, which is
	 * all the plan depends on. NULL: none anywhere. */
	int (*zstack)(void *ctx, int ifindex, plan_zs_fact_fn fn, void *fctx);
	void *ctx;
};

struct plan {
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool pipeline;		/* false: no XDP program on this interface */
	int nfpms;
	struct plan_fpm fpms[PLAN_MAX_FPMS];
	int nfacts;
	struct plan_fact facts[PLAN_MAX_FACTS];
	/* Map state of a bridge port; valid when is_port. */
	bool is_port;
	struct tna_port port;
};

/* Plans one interface. 0, or -ENOENT if the graph has no such link. */
int plan__build(struct graph *g, const struct plan_env *env, int ifindex, struct plan *out);

/* True when two plans compile to the same program (same FPMs and constants). */
bool plan__same_pipeline(const struct plan *a, const struct plan *b);

/* The pipeline's BPF C source; caller frees. NULL on ENOMEM or without a pipeline. */
char *plan__emit_c(const struct plan *p);

/* {"ifname","ifindex","pipeline":bool,"fpms":[{"name","consts":{…}}],"facts":[…],"port":{…}} */
json_t *plan__to_json(const struct plan *p);
/* The names of TNA_PORT_F_* bits set in flags, as explain prints them. */
json_t *plan_port_flags_json(unsigned int flags);

#endif
