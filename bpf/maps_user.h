/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User space side of bpf/maps.h: create the shared maps once, hand them to
 * every object before it loads, give a program its slots, and read the port
 * table and the counters. Header-only so the daemon and the BPF_PROG_RUN
 * tests share it.
 */
#ifndef TNA_BPF_MAPS_USER_H
#define TNA_BPF_MAPS_USER_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "bpf/maps.h"

struct tna_maps {
	int devmap;
	int fdb;
	int ports;
	int counters;
	int zs_steer;
	int xskmap;
	__u32 ifslots;		/* counter slots: interfaces that can be counted */
};

static inline void tna_maps__close(struct tna_maps *m)
{
	int *fds[] = { &m->devmap, &m->fdb, &m->ports, &m->counters, &m->zs_steer, &m->xskmap };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Creates every shared map, with room for ifslots interfaces in the counters. */
static inline int tna_maps__create(struct tna_maps *m, __u32 ifslots)
{
	int err = 0;

	m->devmap = bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "tna_devmap", sizeof(__u32),
				   sizeof(__u32), TNA_DEVMAP_MAX, NULL);
	m->fdb = bpf_map_create(BPF_MAP_TYPE_HASH, "tna_fdb", sizeof(struct tna_fdb_key),
				sizeof(struct tna_fdb_val), TNA_FDB_MAX, NULL);
	m->ports = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tna_ports", sizeof(__u32),
				  sizeof(struct tna_port), TNA_PORTS_MAX, NULL);
	m->counters = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "tna_counters", sizeof(__u32),
				     sizeof(__u64), ifslots * TNA_CNT_STRIDE, NULL);
	m->zs_steer = bpf_map_create(BPF_MAP_TYPE_HASH, "tna_zs_steer", sizeof(struct tna_zs_key),
				     sizeof(struct tna_zs_val), TNA_ZS_STEER_MAX, NULL);
	m->xskmap = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "tna_xskmap", sizeof(__u32), sizeof(__u32),
				   ifslots * TNA_XSK_QUEUES, NULL);
	m->ifslots = ifslots;
	if (m->devmap < 0)
		err = m->devmap;
	else if (m->fdb < 0)
		err = m->fdb;
	else if (m->ports < 0)
		err = m->ports;
	else if (m->counters < 0)
		err = m->counters;
	else if (m->zs_steer < 0)
		err = m->zs_steer;
	else if (m->xskmap < 0)
		err = m->xskmap;
	if (err)
		tna_maps__close(m);
	return err;
}

/* Makes obj use the shared maps it declares, instead of creating its own.
 * Call between bpf_object__open and bpf_object__load. */
static inline int tna_maps__reuse(const struct tna_maps *m, struct bpf_object *obj)
{
	const struct {
		const char *name;
		int fd;
	} shared[] = {
		{ "tna_devmap", m->devmap },
		{ "tna_fdb", m->fdb },
		{ "tna_ports", m->ports },
		{ "tna_counters", m->counters },
		{ "tna_zs_steer", m->zs_steer },
		{ "tna_xskmap", m->xskmap },
	};
	struct bpf_map *map;
	size_t i;
	int err;

	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		map = bpf_object__find_map_by_name(obj, shared[i].name);
		if (!map)
			continue;
		err = bpf_map__reuse_fd(map, shared[i].fd);
		if (err)
			return err;
	}
	return 0;
}

/* Sets the program constants of obj (struct tna_prog_cfg); before load. */
static inline int tna_prog_cfg__set(struct bpf_object *obj, const struct tna_prog_cfg *cfg)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, TNA_CFG_SECTION);

	if (!map)
		return -ENOENT;
	return bpf_map__set_initial_value(map, cfg, sizeof(*cfg));
}

/* The port table entry at slot, if it belongs to ifindex (a slot names its
 * owner, bpf/maps.h); -ENOENT if the slot is free, someone else's or none. */
static inline int tna_maps__read_port(const struct tna_maps *m, __u32 slot, __u32 ifindex,
				      struct tna_port *port)
{
	if (bpf_map_lookup_elem(m->ports, &slot, port))
		return -errno;
	return port->ifindex == ifindex ? 0 : -ENOENT;
}

/* The count of one outcome of one FPM on one interface, summed over CPUs. */
static inline int tna_maps__read_counter(const struct tna_maps *m, __u32 slot, __u32 fpm,
					 __u32 outcome, __u64 *sum)
{
	__u32 index = tna_counter_index(slot, fpm, outcome);
	int ncpus = libbpf_num_possible_cpus();
	__u64 *per_cpu;
	int err, cpu;

	if (ncpus < 0)
		return ncpus;
	per_cpu = calloc(ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(m->counters, &index, per_cpu);
	if (err) {
		err = -errno;
		goto out;
	}
	*sum = 0;
	for (cpu = 0; cpu < ncpus; cpu++)
		*sum += per_cpu[cpu];
out:
	free(per_cpu);
	return err;
}

#endif
