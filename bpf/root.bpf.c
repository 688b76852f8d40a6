// SPDX-License-Identifier: GPL-2.0
/*
 * The root XDP program, one loaded instance per interface: it runs whatever
 * pipeline sits in slot 0 of its own prog array. Publishing a new pipeline is
 * one update of that slot; with the slot empty (or the tail call failing) every
 * packet goes to Linux, counted as no_pipeline.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/counters.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tna_root_slot SEC(".maps");

SEC("xdp")
int tna_root(struct xdp_md *xdp)
{
	bpf_tail_call(xdp, &tna_root_slot, 0);
	tna_count(FPM_ID_ROOT, TNA_PUNT_NO_PIPELINE);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
