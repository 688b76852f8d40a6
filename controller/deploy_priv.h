/* SPDX-License-Identifier: GPL-2.0 */
/* The deployer's insides, shared by deployer.c, deploy_iface.c and deploy_json.c. */
#ifndef TNA_DEPLOY_PRIV_H
#define TNA_DEPLOY_PRIV_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "assembler/compile.h"
#include "assembler/plan.h"
#include "bpf/maps_user.h"
#include "controller/deployer.h"
#include "controller/sysctl_env.h"

struct egress;
struct fdb_sync;

/* Counter slots: interfaces that run a program at once. */
#define DEPLOY_IFSLOTS 256

/* One interface the deployer knows: planned, with or without a program. */
struct deploy_iface {
	int ifindex;
	struct plan plan;		/* the last plan made */
	/* The root program, attached while the plan has a pipeline. */
	struct bpf_object *root;
	int link_fd;			/* the XDP bpf_link; -1 when detached */
	int slot_fd;			/* the root's prog array */
	uint32_t root_id;
	uint32_t ifslot;		/* counter slot, valid while root is loaded */
	/* Port table slot, held from the interface's first plan to its end, so
	 * that it never changes under a loaded program; TNA_PORT_SLOT_NONE when
	 * the table was full. */
	uint32_t portslot;
	/* The published pipeline. */
	struct bpf_object *pipeline;
	struct plan live;		/* the plan it was built from */
	uint32_t prog_id;
	uint32_t xlated_insns;
	char hash[65];
	bool cached;
	uint64_t compile_us, load_us, live_us;	/* the last deploy: compile, load+verify, total */
	uint64_t since_change_us;	/* from the graph change that asked for it to live */
	uint64_t loads;			/* pipelines published on this interface */
	/* The last deploy failed for this pipeline: not retried until the
	 * pipeline changes or `reload` asks. */
	bool failed;
	char error[8192];
	bool seen;			/* planned in the current pass */
};

/* An AF_XDP socket of a zstack application (the application's fd, not ours). */
struct deploy_xsk {
	int ifindex;
	uint32_t queue;
	int fd;
	char who[96];		/* the application, for explain */
};

/* A steering entry, as written into tna_zs_steer. */
struct deploy_steer {
	struct tna_zs_key key;
	struct tna_zs_val val;
	char node[96];		/* the graph node that shows it; "" if none */
	char text[224];		/* for explain */
};

struct deployer {
	struct deployer_opts opts;
	struct compile_opts copts;
	char root_path[4096];
	struct tna_maps maps;
	bool slot_used[DEPLOY_IFSLOTS];
	bool portslot_used[TNA_PORTS_MAX];
	struct deploy_iface **ifaces;
	size_t nifaces, cap;
	struct egress *egress;
	struct fdb_sync *fdb;
	struct br_nf_sysctls br_nf;
	struct plan_env env;
	int debounce_fd, tick_fd;
	int features_fd;	/* XDP feature changes (redirect targets), -1 if unavailable */
	struct deploy_xsk *xsks;
	size_t nxsks, xsks_cap;
	struct deploy_steer *steers;
	size_t nsteers, steers_cap;
	bool dirty;
	uint64_t dirty_since_us;	/* first change not yet planned */
};

uint64_t deploy_now_us(void);
struct deploy_iface *deploy_iface_find(struct deployer *d, int ifindex);
struct deploy_iface *deploy_iface_by_name(struct deployer *d, const char *ifname);

void deploy_mark_dirty(struct deployer *d);

/* deployer_zs.c: zstack's sockets in the XSKMAP at the interface's slot while
 * it runs a root program, and the planner's view of them. */
void deploy_zs_fill_slot(struct deployer *d, const struct deploy_iface *ifc);
void deploy_zs_clear_slot(struct deployer *d, const struct deploy_iface *ifc);
int deploy_zs_env(void *ctx, int ifindex, plan_zs_fact_fn fn, void *fctx);
void deploy_zs_free(struct deployer *d);

/* deploy_iface.c */
/* Compiles, loads and publishes the plan's pipeline (attaching the root
 * first if needed). 0 or -errno, with ifc->error saying why. */
int deploy_iface__publish(struct deployer *d, struct deploy_iface *ifc, const struct plan *p);
/* Empties the root's slot (Linux takes every frame) and unloads the pipeline. */
void deploy_iface__unpublish(struct deployer *d, struct deploy_iface *ifc);
/* Detaches and unloads everything of the interface. */
void deploy_iface__detach(struct deployer *d, struct deploy_iface *ifc);
/* Writes (or clears) the interface's port table entry and its devmap entry
 * for its new plan p; ifc->plan is the old one (ifindex 0: none yet). */
void deploy_iface__set_port(struct deployer *d, const struct deploy_iface *ifc,
			    const struct plan *p);
/* A free port slot (whose entry is zeroed); TNA_PORT_SLOT_NONE when none is left. */
uint32_t deploy_port_slot_take(struct deployer *d);
/* Zeroes the slot's entry and frees it; a slot that cannot be zeroed is kept
 * out of use, so that no new port is handed an entry of an old one. */
void deploy_port_slot_give_back(struct deployer *d, uint32_t slot);

#endif
