/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The deployer: plans every interface from the graph, compiles and loads the
 * pipelines the plans call for, publishes each with one update of its root's
 * prog array once it has loaded and verified, keeps the port table and the
 * devmap as the plans say, and detaches what no plan wants any more. Only
 * what a change affects is rebuilt: a graph change marks the plans dirty, and
 * shortly after (debounced) every interface is planned again and compared.
 *
 * Every program goes through a bpf_link held only by this process: if the
 * daemon dies, the kernel detaches them and Linux carries all traffic.
 */
#ifndef TNA_DEPLOYER_H
#define TNA_DEPLOYER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpf/maps.h"

struct graph;
struct deployer;

struct deployer_opts {
	struct graph *graph;
	const char *bpf_dir;	/* holds root.bpf.o */
	const char *cache_dir;	/* compiled pipelines */
	const char *source_dir;	/* holds fpm/ and bpf/; NULL: the build's */
	/* Told after a program is attached to or detached from a link: the
	 * kernel announces neither when it happens through a bpf_link. */
	void (*links_changed)(void *ctx);
	void *ctx;
};

/* Creates the shared maps and plans every interface. 0 or -errno. */
int deployer__open(struct deployer **out, const struct deployer_opts *opts);
/* Detaches every program and closes the maps. */
void deployer__close(struct deployer *d);

#define DEPLOYER_MAX_FDS 3

/* Fds to wait on for readability (at most DEPLOYER_MAX_FDS), and the work
 * behind them: debounced re-planning, the once-a-second checks (sysctls,
 * FDB refresh) and XDP feature changes (a veth whose peer lost GRO is no
 * redirect target from that moment). */
int deployer__fds(const struct deployer *d, int fds[DEPLOYER_MAX_FDS]);
void deployer__process(struct deployer *d, int fd);

/* Answers for the control socket. Each returns 0 with *out, -ENODEV when the
 * graph has no such interface, -ENOENT when it has no pipeline, or -ENOMEM. */
int deployer__pipeline_json(struct deployer *d, const char *ifname, json_t **out);
int deployer__explain_json(struct deployer *d, const char *ifname, json_t **out);
/* ifname NULL: every interface with a pipeline. */
int deployer__stats_json(struct deployer *d, const char *ifname, json_t **out);
/* Loads and publishes the interface's pipeline again; *out as pipeline_json,
 * or -EIO with *out holding {"error":…} when the load failed. */
int deployer__reload(struct deployer *d, const char *ifname, json_t **out);
/* Marks a bridge's FDB listing with what the fast path's mirror holds
 * (fdb_sync__annotate). 0 or -errno. */
int deployer__fdb_annotate(struct deployer *d, const char *bridge, json_t *entries);

/*
 * zstack steering (controller/zs_registry.c). An interface with an AF_XDP
 * socket attached gets xsk_steer in its plan; the socket goes into the XSKMAP
 * at the interface's slot whenever it runs a program. fd stays the caller's
 * and must stay open until deployer__xsk_remove. who names the application
 * for explain. Steering entries go straight into tna_zs_steer: they never
 * change a plan. Each returns 0 or -errno.
 */
int deployer__xsk_add(struct deployer *d, int ifindex, uint32_t queue, int fd, const char *who);
void deployer__xsk_remove(struct deployer *d, int ifindex, uint32_t queue);
int deployer__steer_add(struct deployer *d, const struct tna_zs_key *key,
			const struct tna_zs_val *val, const char *node, const char *text);
void deployer__steer_remove(struct deployer *d, const struct tna_zs_key *key);
/* The interface runs a published pipeline with xsk_steer in it. */
bool deployer__steering_live(struct deployer *d, int ifindex);

#endif
