// SPDX-License-Identifier: GPL-2.0
/*
 * One interface: its root program (attached through a bpf_link this process
 * alone holds, so that the kernel detaches it when the daemon dies), its
 * pipeline (loaded and verified before one prog-array update publishes it),
 * and its entries in the port table and the devmap.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controller/deploy_priv.h"
#include "controller/graph.h"
#include "controller/log.h"

#define VERIFIER_LOG_SIZE (1 << 20)

static int slot_take(struct deployer *d, uint32_t *slot)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *zeros;
	uint32_t s;

	for (s = 0; s < DEPLOY_IFSLOTS && d->slot_used[s]; s++)
		;
	if (s == DEPLOY_IFSLOTS)
		return -ENOSPC;
	if (ncpus < 0)
		return ncpus;
	/* A slot given back keeps the counts of its last interface. */
	zeros = calloc(ncpus, sizeof(*zeros));
	if (!zeros)
		return -ENOMEM;
	for (__u32 i = s * TNA_CNT_STRIDE; i < (s + 1) * TNA_CNT_STRIDE; i++)
		bpf_map_update_elem(d->maps.counters, &i, zeros, BPF_ANY);
	free(zeros);
	d->slot_used[s] = true;
	*slot = s;
	return 0;
}

static int prog_info(int fd, uint32_t *id, uint32_t *insns)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	*insns = info.xlated_prog_len / sizeof(struct bpf_insn);
	return 0;
}

/* The last line of the verifier's log that says something. */
static const char *log_tail(char *log)
{
	char *end = log + strlen(log);

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	while (end > log && end[-1] != '\n')
		end--;
	return end;
}

/* Opens obj, makes it use the shared maps and the interface's slots, and
 * loads it. The first program's fd, or -errno with ifc->error set. */
static int object_load(struct deployer *d, struct deploy_iface *ifc, const char *path,
		       struct bpf_object **out)
{
	struct tna_prog_cfg cfg = { .ifslot = ifc->ifslot, .portslot = ifc->portslot };
	struct bpf_program *prog;
	struct bpf_object *obj;
	char *log = NULL;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		snprintf(ifc->error, sizeof(ifc->error), "cannot open %s: %s", path,
			 strerror(-err));
		return err;
	}
	prog = bpf_object__next_program(obj, NULL);
	log = calloc(1, VERIFIER_LOG_SIZE);
	err = prog && log ? 0 : -ENOMEM;
	if (!err)
		err = bpf_program__set_log_buf(prog, log, VERIFIER_LOG_SIZE);
	if (!err)
		err = tna_maps__reuse(&d->maps, obj);
	if (!err)
		err = tna_prog_cfg__set(obj, &cfg);
	if (err) {
		snprintf(ifc->error, sizeof(ifc->error), "cannot prepare %s: %s", path,
			 strerror(-err));
		goto out;
	}
	err = bpf_object__load(obj);
	if (err) {
		snprintf(ifc->error, sizeof(ifc->error), "the kernel refused %s: %s; verifier: %s",
			 path, strerror(-err), log[0] ? log_tail(log) : "(no log)");
		goto out;
	}
	err = bpf_program__fd(prog);
out:
	free(log);
	if (err < 0)
		bpf_object__close(obj);
	else
		*out = obj;
	return err;
}

static int root_attach(struct deployer *d, struct deploy_iface *ifc)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	uint32_t insns;
	int fd, err;

	err = slot_take(d, &ifc->ifslot);
	if (err) {
		snprintf(ifc->error, sizeof(ifc->error), "no counter slot left (%d interfaces "
			 "run programs already)", DEPLOY_IFSLOTS);
		return err;
	}
	fd = object_load(d, ifc, d->root_path, &ifc->root);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	ifc->slot_fd = bpf_object__find_map_fd_by_name(ifc->root, "tna_root_slot");
	err = prog_info(fd, &ifc->root_id, &insns);
	if (!err && ifc->slot_fd < 0)
		err = -ENOENT;
	if (!err)
		err = graph__set_own_prog(d->opts.graph, ifc->root_id, true);
	if (err) {
		snprintf(ifc->error, sizeof(ifc->error), "root program %s has no prog array "
			 "tna_root_slot, or no id: %s", d->root_path, strerror(-err));
		goto fail;
	}
	/* Native only: generic XDP would see frames after the kernel built an
	 * skb, and the plan counted on native support. */
	ifc->link_fd = bpf_link_create(fd, ifc->ifindex, BPF_XDP, &lopts);
	if (ifc->link_fd < 0) {
		err = -errno;
		snprintf(ifc->error, sizeof(ifc->error), "cannot attach XDP natively to %s: %s%s",
			 ifc->plan.ifname, strerror(errno),
			 err == -EBUSY ? " (another XDP program is attached)" : "");
		goto fail;
	}
	deploy_zs_fill_slot(d, ifc);
	if (d->opts.links_changed)
		d->opts.links_changed(d->opts.ctx);
	return 0;
fail:
	deploy_iface__detach(d, ifc);
	return err;
}

int deploy_iface__publish(struct deployer *d, struct deploy_iface *ifc, const struct plan *p)
{
	struct bpf_object *obj = NULL, *old;
	struct compile_result res;
	uint64_t t0 = deploy_now_us(), t1, t2;
	uint32_t id, insns, old_id;
	__u32 zero = 0;
	char *src;
	int fd, err;

	ifc->error[0] = '\0';
	src = plan__emit_c(p);
	if (!src) {
		snprintf(ifc->error, sizeof(ifc->error), "generating the pipeline's C failed "
			 "(out of memory?)");
		return -ENOMEM;
	}
	err = compile__object(&d->copts, src, &res);
	free(src);
	if (err) {
		snprintf(ifc->error, sizeof(ifc->error), "compile failed: %s", res.error);
		return err;
	}
	t1 = deploy_now_us();
	if (ifc->link_fd < 0) {
		err = root_attach(d, ifc);
		if (err)
			return err;
	}
	fd = object_load(d, ifc, res.object, &obj);
	if (fd < 0)
		return fd;
	err = prog_info(fd, &id, &insns);
	if (!err)
		err = graph__set_own_prog(d->opts.graph, id, true);
	t2 = deploy_now_us();
	/* The publish: from here on every packet runs the new pipeline. */
	if (!err && bpf_map_update_elem(ifc->slot_fd, &zero, &fd, BPF_ANY)) {
		err = -errno;
		graph__set_own_prog(d->opts.graph, id, false);
	}
	if (err) {
		snprintf(ifc->error, sizeof(ifc->error), "cannot publish the pipeline: %s",
			 strerror(-err));
		bpf_object__close(obj);
		return err;
	}
	old = ifc->pipeline;
	old_id = ifc->prog_id;
	ifc->pipeline = obj;
	ifc->live = *p;
	ifc->prog_id = id;
	ifc->xlated_insns = insns;
	memcpy(ifc->hash, res.hash, sizeof(ifc->hash));
	ifc->cached = res.cached;
	ifc->compile_us = t1 - t0;
	ifc->load_us = t2 - t1;
	ifc->live_us = deploy_now_us() - t0;
	ifc->loads++;
	ifc->failed = false;
	if (old) {
		graph__set_own_prog(d->opts.graph, old_id, false);
		bpf_object__close(old);
	}
	return 0;
}

void deploy_iface__unpublish(struct deployer *d, struct deploy_iface *ifc)
{
	__u32 zero = 0;

	if (!ifc->pipeline)
		return;
	if (ifc->slot_fd >= 0)
		bpf_map_delete_elem(ifc->slot_fd, &zero);
	graph__set_own_prog(d->opts.graph, ifc->prog_id, false);
	bpf_object__close(ifc->pipeline);
	ifc->pipeline = NULL;
	ifc->prog_id = 0;
}

void deploy_iface__detach(struct deployer *d, struct deploy_iface *ifc)
{
	/* The link first: from then on the kernel alone sees the frames. */
	if (ifc->link_fd >= 0) {
		close(ifc->link_fd);
		if (d->opts.links_changed)
			d->opts.links_changed(d->opts.ctx);
	}
	ifc->link_fd = -1;
	deploy_iface__unpublish(d, ifc);
	ifc->slot_fd = -1;
	if (ifc->root) {
		deploy_zs_clear_slot(d, ifc);
		graph__set_own_prog(d->opts.graph, ifc->root_id, false);
		bpf_object__close(ifc->root);
		d->slot_used[ifc->ifslot] = false;
	}
	ifc->root = NULL;
	ifc->root_id = 0;
}

uint32_t deploy_port_slot_take(struct deployer *d)
{
	for (uint32_t s = 0; s < TNA_PORTS_MAX; s++) {
		if (!d->portslot_used[s]) {
			d->portslot_used[s] = true;
			return s;
		}
	}
	return TNA_PORT_SLOT_NONE;
}

void deploy_port_slot_give_back(struct deployer *d, uint32_t slot)
{
	const struct tna_port free_entry = { 0 };

	if (slot == TNA_PORT_SLOT_NONE)
		return;
	if (bpf_map_update_elem(d->maps.ports, &slot, &free_entry, BPF_ANY)) {
		pr_warn("deployer: cannot clear port slot %u: %s; it stays out of use",
			slot, strerror(errno));
		return;
	}
	d->portslot_used[slot] = false;
}

static void port_warn(const char *what, int ifindex, const char *map)
{
	pr_warn("deployer: cannot %s port %d in %s: %s; frames to it go through the kernel",
		what, ifindex, map, strerror(errno));
}

void deploy_iface__set_port(struct deployer *d, const struct deploy_iface *ifc,
			    const struct plan *p)
{
	const struct plan *old = &ifc->plan;
	bool was = old->ifindex && old->is_port, is = p->is_port;
	struct tna_port entry = { 0 };
	__u32 key = p->ifindex, slot = ifc->portslot;

	if (is && (!was || memcmp(&old->port, &p->port, sizeof(p->port)))) {
		entry = p->port;
		entry.ifindex = p->ifindex;
		/* Devmap before the table: a port the table calls ready must
		 * already be a redirect target. */
		if (bpf_map_update_elem(d->maps.devmap, &key, &key, BPF_ANY))
			port_warn("add", p->ifindex, "the devmap");
		else if (slot == TNA_PORT_SLOT_NONE)
			pr_warn("deployer: port %d has no slot in the port table (%d ports "
				"already); frames from and to it go through the kernel",
				p->ifindex, TNA_PORTS_MAX);
		else if (bpf_map_update_elem(d->maps.ports, &slot, &entry, BPF_ANY))
			port_warn("update", p->ifindex, "the port table");
	} else if (!is && was) {
		/* The zeroed entry is no port: the slot stays the interface's. */
		if (slot != TNA_PORT_SLOT_NONE)
			bpf_map_update_elem(d->maps.ports, &slot, &entry, BPF_ANY);
		bpf_map_delete_elem(d->maps.devmap, &key);
	}
}
