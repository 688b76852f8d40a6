// SPDX-License-Identifier: GPL-2.0
/*
 * The ceiling: everything arriving on the port this is attached to leaves by
 * the one port in tx_port, with no parsing and no lookup. No XDP bridge can
 * forward faster between the same two ports.
 *
 * tna_xdp_pass hands every frame to the stack: on a veth it gives the port a
 * NAPI ring without GRO, so the Linux bridge can be measured without paying
 * for GRO on every frame.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

SEC("xdp")
int tna_xdp_fwd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

SEC("xdp")
int tna_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
