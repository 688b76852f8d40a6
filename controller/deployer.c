// SPDX-License-Identifier: GPL-2.0
/*
 * Planning passes: every link is planned again (planning is pure and cheap)
 * and compared with what runs. The port table and devmap follow every plan;
 * a pipeline is rebuilt only where plan__same_pipeline() says it changed; an
 * interface whose plan lost its pipeline, or whose link is gone, is detached.
 * Bridges with at least one port running a pipeline are the ones whose FDB is
 * mirrored. An interface holds its port table slot from its first plan until
 * its link is gone, so the slot a program was loaded with stays its own; a
 * slot is cleared before another port may take it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "controller/deploy_priv.h"
#include "controller/egress.h"
#include "controller/fdb_sync.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/xdp_features.h"

/* Changes come in bursts (a port added is several messages): plan once after. */
#define DEPLOY_DEBOUNCE_MS 10

uint64_t deploy_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

struct deploy_iface *deploy_iface_find(struct deployer *d, int ifindex)
{
	for (size_t i = 0; i < d->nifaces; i++)
		if (d->ifaces[i]->ifindex == ifindex)
			return d->ifaces[i];
	return NULL;
}

struct deploy_iface *deploy_iface_by_name(struct deployer *d, const char *ifname)
{
	const struct tna_link *l = graph__link_by_name(d->opts.graph, ifname);

	return l ? deploy_iface_find(d, l->ifindex) : NULL;
}

static struct deploy_iface *iface_add(struct deployer *d, int ifindex)
{
	struct deploy_iface *ifc, **v;

	if (d->nifaces == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;

		v = realloc(d->ifaces, cap * sizeof(*v));
		if (!v)
			return NULL;
		d->ifaces = v;
		d->cap = cap;
	}
	ifc = calloc(1, sizeof(*ifc));
	if (!ifc)
		return NULL;
	ifc->ifindex = ifindex;
	ifc->link_fd = -1;
	ifc->slot_fd = -1;
	ifc->portslot = deploy_port_slot_take(d);
	d->ifaces[d->nifaces++] = ifc;
	return ifc;
}

/* For the FDB mirror, whose entries carry the slot of their port. */
static __u32 port_slot_of(void *ctx, int ifindex)
{
	struct deploy_iface *ifc = deploy_iface_find(ctx, ifindex);

	return ifc ? ifc->portslot : TNA_PORT_SLOT_NONE;
}

static bool env_native_xdp(void *ctx, int ifindex)
{
	struct deployer *d = ctx;

	return egress__native_xdp(d->egress, ifindex);
}

static bool env_deliverable(void *ctx, int ifindex, char *reason, size_t len)
{
	struct deployer *d = ctx;

	return egress__deliverable(d->egress, ifindex, reason, len);
}

static bool env_own_prog(void *ctx, uint32_t prog_id)
{
	struct deployer *d = ctx;

	for (size_t i = 0; i < d->nifaces; i++)
		if (d->ifaces[i]->root_id == prog_id || d->ifaces[i]->prog_id == prog_id)
			return true;
	return false;
}

static void arm(int fd, unsigned int first_ms, unsigned int every_ms)
{
	struct itimerspec t = {
		.it_value = { first_ms / 1000, (first_ms % 1000) * 1000000L },
		.it_interval = { every_ms / 1000, (every_ms % 1000) * 1000000L },
	};

	timerfd_settime(fd, 0, &t, NULL);
}

void deploy_mark_dirty(struct deployer *d)
{
	if (d->dirty)
		return;
	d->dirty = true;
	d->dirty_since_us = deploy_now_us();
	arm(d->debounce_fd, DEPLOY_DEBOUNCE_MS, 0);
}

/* Kinds no plan reads (assembler/plan*.c): their churn, 10 000 routes from a
 * routing daemon say, must not make every interface be planned again. */
static bool plans_ignore(const char *kind)
{
	static const char *const kinds[] = { "route", "rule", "address" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

static void on_graph_change(void *ctx, struct graph_event *ev)
{
	struct deployer *d = ctx;

	if (ev->change == GRAPH_FDB_CHANGED)
		fdb_sync__on_change(d->fdb, ev->fdb, ev->removed);
	else if (!plans_ignore(ev->kind))
		deploy_mark_dirty(d);
}

static void log_plan_change(const struct deploy_iface *ifc, const struct plan *p, int err)
{
	if (err)
		pr_warn("%s: no fast path, left to Linux: %s", p->ifname, ifc->error);
	else
		pr_info("%s: pipeline live (prog %u, %u insns, %s, %.1f ms)", p->ifname,
			ifc->prog_id, ifc->xlated_insns, ifc->cached ? "cached" : "compiled",
			ifc->live_us / 1000.0);
}

static int deploy_pipeline(struct deployer *d, struct deploy_iface *ifc, const struct plan *p)
{
	int err = deploy_iface__publish(d, ifc, p);

	ifc->since_change_us = d->dirty_since_us ? deploy_now_us() - d->dirty_since_us : 0;
	if (err) {
		ifc->failed = true;
		ifc->live = *p;
		deploy_iface__detach(d, ifc);
	}
	log_plan_change(ifc, p, err);
	return err;
}

/* Brings one interface to its new plan (ports are already written). */
static void converge(struct deployer *d, struct deploy_iface *ifc, const struct plan *p)
{
	bool running = ifc->pipeline || ifc->failed;

	if (!p->pipeline) {
		if (ifc->link_fd >= 0)
			pr_info("%s: fast path removed, Linux carries all traffic", p->ifname);
		deploy_iface__detach(d, ifc);
		ifc->failed = false;
		return;
	}
	if (running && plan__same_pipeline(&ifc->live, p))
		return;
	/* The running pipeline was planned for a graph that is no more: until
	 * the new one is live, Linux takes every frame (slower, never wrong). */
	deploy_iface__unpublish(d, ifc);
	deploy_pipeline(d, ifc, p);
}

struct pass {
	struct deployer *d;
	struct plan *plan;
	int err;
};

static int plan_link(void *ctx, const struct tna_link *l)
{
	struct pass *ps = ctx;
	struct deployer *d = ps->d;
	struct deploy_iface *ifc;
	bool added = false;
	int err;

	err = plan__build(d->opts.graph, &d->env, l->ifindex, ps->plan);
	if (err)
		return 0;
	ifc = deploy_iface_find(d, l->ifindex);
	if (!ifc && !ps->plan->pipeline && !ps->plan->is_port)
		return 0;
	if (!ifc) {
		ifc = iface_add(d, l->ifindex);
		if (!ifc) {
			ps->err = -ENOMEM;
			return 1;
		}
		added = true;
	}
	deploy_iface__set_port(d, ifc, ps->plan);
	ifc->plan = *ps->plan;
	ifc->seen = true;
	/* Mirror entries learned before the port had a slot point at it only
	 * now, after its table entry is written. Only a bridge already
	 * mirrored can hold such entries. */
	if (added && ifc->plan.is_port && fdb_sync__mirrors(d->fdb, ifc->plan.port.bridge))
		fdb_sync__port_slot_changed(d->fdb, ifc->ifindex);
	return 0;
}

static bool bridge_accelerated(struct deployer *d, int bridge)
{
	for (size_t i = 0; i < d->nifaces; i++)
		if (d->ifaces[i]->pipeline && d->ifaces[i]->plan.is_port &&
		    (int)d->ifaces[i]->plan.port.bridge == bridge)
			return true;
	return false;
}

static void mirror_bridges(struct deployer *d)
{
	for (size_t i = 0; i < d->nifaces; i++) {
		struct deploy_iface *ifc = d->ifaces[i];
		int br = ifc->plan.is_port ? (int)ifc->plan.port.bridge : 0;

		if (br && fdb_sync__mirror(d->fdb, br, bridge_accelerated(d, br)))
			pr_warn("fdb mirror: cannot mirror bridge %d; its ports punt unknown "
				"stations", br);
	}
}

static void forget(struct deployer *d, size_t i)
{
	struct deploy_iface *ifc = d->ifaces[i];
	struct plan gone = { .ifindex = ifc->ifindex };
	uint32_t slot = ifc->portslot;

	if (ifc->link_fd >= 0)
		pr_info("%s: gone, fast path removed", ifc->plan.ifname);
	deploy_iface__detach(d, ifc);
	deploy_iface__set_port(d, ifc, &gone);
	/* No program of the interface runs any more: mirror entries let go of
	 * the slot, then it is cleared and free for another port. */
	ifc->portslot = TNA_PORT_SLOT_NONE;
	fdb_sync__port_slot_changed(d->fdb, ifc->ifindex);
	deploy_port_slot_give_back(d, slot);
	if (ifc->plan.is_port)
		fdb_sync__mirror(d->fdb, ifc->plan.port.bridge,
				 bridge_accelerated(d, ifc->plan.port.bridge));
	free(ifc);
	d->ifaces[i] = d->ifaces[--d->nifaces];
}

static void replan(struct deployer *d)
{
	struct pass ps = { .d = d };
	size_t i;

	ps.plan = malloc(sizeof(*ps.plan));
	if (!ps.plan) {
		pr_warn("deployer: out of memory while planning; retrying on the next change");
		return;
	}
	/* Changes from here on (our own attach among them) ask for another pass. */
	d->dirty = false;
	for (i = 0; i < d->nifaces; i++)
		d->ifaces[i]->seen = false;
	graph__for_each_link(d->opts.graph, plan_link, &ps);
	if (ps.err) {
		pr_warn("deployer: planning stopped early: %s", strerror(-ps.err));
		goto out;
	}
	for (i = 0; i < d->nifaces;) {
		if (!d->ifaces[i]->seen) {
			forget(d, i);
			continue;
		}
		converge(d, d->ifaces[i], &d->ifaces[i]->plan);
		i++;
	}
	mirror_bridges(d);
out:
	free(ps.plan);
	if (!d->dirty)
		d->dirty_since_us = 0;
}

static void tick(struct deployer *d)
{
	bool changed = false;

	if (br_nf_sysctls__refresh(&d->br_nf)) {
		d->env.br_nf_call_iptables = d->br_nf.call_iptables;
		d->env.br_nf_call_ip6tables = d->br_nf.call_ip6tables;
		d->env.br_nf_call_arptables = d->br_nf.call_arptables;
		pr_info("br_netfilter: call-iptables %d, call-ip6tables %d, call-arptables %d; "
			"planning again", d->br_nf.call_iptables, d->br_nf.call_ip6tables,
			d->br_nf.call_arptables);
		changed = true;
	}
	if (egress__refresh(d->egress))
		changed = true;
	if (changed)
		deploy_mark_dirty(d);
	fdb_sync__refresh(d->fdb);
}

void deployer__process(struct deployer *d, int fd)
{
	uint64_t expirations;

	if (fd == d->features_fd) {
		if (xdp_features__drain(fd) && egress__refresh(d->egress))
			replan(d);
		return;
	}
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;
	if (fd == d->tick_fd)
		tick(d);
	if (d->dirty)
		replan(d);
}

int deployer__fds(const struct deployer *d, int fds[DEPLOYER_MAX_FDS])
{
	int n = 0;

	fds[n++] = d->debounce_fd;
	fds[n++] = d->tick_fd;
	if (d->features_fd >= 0)
		fds[n++] = d->features_fd;
	return n;
}

int deployer__open(struct deployer **out, const struct deployer_opts *opts)
{
	struct deployer *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	d->opts = *opts;
	d->debounce_fd = d->tick_fd = d->features_fd = -1;
	d->maps.devmap = d->maps.fdb = d->maps.ports = d->maps.counters = -1;
	d->maps.zs_steer = d->maps.xskmap = -1;
	d->copts.cache_dir = opts->cache_dir;
	d->copts.source_dir = opts->source_dir;
	snprintf(d->root_path, sizeof(d->root_path), "%s/root.bpf.o", opts->bpf_dir);
	if (access(d->root_path, R_OK)) {
		err = -errno;
		pr_err("cannot read the root XDP program %s: %s; build it (make) or point "
		       "--bpf-dir at the directory that holds it", d->root_path, strerror(errno));
		goto fail;
	}
	err = tna_maps__create(&d->maps, DEPLOY_IFSLOTS);
	if (err) {
		pr_err("cannot create the fast path's BPF maps: %s (zstack-tna needs CAP_BPF "
		       "and CAP_NET_ADMIN)", strerror(-err));
		goto fail;
	}
	err = egress__new(&d->egress, opts->graph);
	if (!err)
		err = fdb_sync__new(&d->fdb, opts->graph, &d->maps, port_slot_of, d);
	if (err)
		goto fail;
	br_nf_sysctls__read(&d->br_nf);
	d->env = (struct plan_env){
		.br_nf_call_iptables = d->br_nf.call_iptables,
		.br_nf_call_ip6tables = d->br_nf.call_ip6tables,
		.br_nf_call_arptables = d->br_nf.call_arptables,
		.native_xdp = env_native_xdp,
		.egress_deliverable = env_deliverable,
		.own_prog = env_own_prog,
		.zstack = deploy_zs_env,
		.ctx = d,
	};
	d->debounce_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->debounce_fd < 0 || d->tick_fd < 0) {
		err = -errno;
		goto fail;
	}
	arm(d->tick_fd, 1000, 1000);
	/* Without it, the once-a-second check still sees feature changes. */
	d->features_fd = xdp_features__subscribe();
	if (d->features_fd < 0)
		pr_warn("XDP feature changes: no netdev notifications (%s); redirect targets "
			"are checked once a second", strerror(-d->features_fd));
	err = graph__watch(opts->graph, on_graph_change, d);
	if (err)
		goto fail;
	replan(d);
	*out = d;
	return 0;
fail:
	deployer__close(d);
	return err;
}

void deployer__close(struct deployer *d)
{
	if (!d)
		return;
	graph__unwatch(d->opts.graph, on_graph_change, d);
	for (size_t i = 0; i < d->nifaces; i++) {
		if (d->ifaces[i]->link_fd >= 0)
			pr_info("%s: fast path removed", d->ifaces[i]->plan.ifname);
		deploy_iface__detach(d, d->ifaces[i]);
		free(d->ifaces[i]);
	}
	free(d->ifaces);
	deploy_zs_free(d);
	fdb_sync__free(d->fdb);
	egress__free(d->egress);
	tna_maps__close(&d->maps);
	if (d->debounce_fd >= 0)
		close(d->debounce_fd);
	if (d->tick_fd >= 0)
		close(d->tick_fd);
	if (d->features_fd >= 0)
		close(d->features_fd);
	free(d);
}

int deployer__reload(struct deployer *d, const char *ifname, json_t **out)
{
	struct deploy_iface *ifc = deploy_iface_by_name(d, ifname);
	int err;

	if (!graph__link_by_name(d->opts.graph, ifname))
		return -ENODEV;
	if (!ifc || !ifc->plan.pipeline)
		return -ENOENT;
	d->dirty_since_us = 0;
	err = deploy_pipeline(d, ifc, &ifc->plan);
	if (err) {
		*out = json_pack("{s:s}", "error", ifc->error);
		return *out ? -EIO : -ENOMEM;
	}
	return deployer__pipeline_json(d, ifname, out);
}

int deployer__fdb_annotate(struct deployer *d, const char *bridge, json_t *entries)
{
	const struct tna_link *br = graph__link_by_name(d->opts.graph, bridge);

	if (!br) {
		char *end;
		long ifindex = strtol(bridge, &end, 10);

		br = *end ? NULL : graph__link(d->opts.graph, ifindex);
	}
	return br ? fdb_sync__annotate(d->fdb, br->ifindex, entries) : -ENODEV;
}
