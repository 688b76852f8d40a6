/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared maps as a pipeline declares them. The daemon creates each once
 * (bpf/maps_user.h) and hands it to every object with bpf_map__reuse_fd, so
 * all pipelines and roots see the same state; the sizes here only matter for
 * an object loaded on its own.
 */
#ifndef TNA_BPF_MAPS_BPF_H
#define TNA_BPF_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/counters.bpf.h"
#include "bpf/maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, TNA_DEVMAP_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tna_devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TNA_FDB_MAX);
	__type(key, struct tna_fdb_key);
	__type(value, struct tna_fdb_val);
} tna_fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TNA_PORTS_MAX);
	__type(key, __u32);
	__type(value, struct tna_port);
} tna_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TNA_ZS_STEER_MAX);
	__type(key, struct tna_zs_key);
	__type(value, struct tna_zs_val);
} tna_zs_steer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, TNA_XSK_QUEUES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tna_xskmap SEC(".maps");

#endif
