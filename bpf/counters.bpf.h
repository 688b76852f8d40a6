/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counter map and the per-program configuration, for every program that
 * counts: the root and the pipelines. Layout in bpf/maps.h.
 */
#ifndef TNA_BPF_COUNTERS_BPF_H
#define TNA_BPF_COUNTERS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/maps.h"

/* Sized for one slot so an object loads on its own; the daemon's map, with a
 * slot per interface, replaces it through bpf_map__reuse_fd. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TNA_CNT_STRIDE);
	__type(key, __u32);
	__type(value, __u64);
} tna_counters SEC(".maps");

const volatile struct tna_prog_cfg tna_cfg SEC(TNA_CFG_SECTION);

static __always_inline void tna_count(__u32 fpm, __u32 outcome)
{
	__u32 index = tna_counter_index(tna_cfg.ifslot, fpm, outcome);
	__u64 *n = bpf_map_lookup_elem(&tna_counters, &index);

	if (n)
		*n += 1;
}

#endif
