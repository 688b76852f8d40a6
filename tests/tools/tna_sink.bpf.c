// SPDX-License-Identifier: GPL-2.0
/*
 * Receive side of tna-sink: counts the frames it is asked to count and drops
 * them (or passes them to the stack). With udp_port set, only IPv4/UDP frames
 * to that port are counted and acted on; everything else (ARP, the stack's
 * own chatter) is counted apart and passed, so the count is exactly the
 * generator's traffic and neighbour resolution still works.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum sink_counter { SINK_MATCHED, SINK_OTHER, SINK_COUNTERS };

const volatile __u16 udp_port;	/* host order; 0 counts every frame */
const volatile __u32 verdict = XDP_DROP;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SINK_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline int is_counted(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if (!udp_port)
		return 1;
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP)
		return 0;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return 0;
	return udp->dest == bpf_htons(udp_port);
}

SEC("xdp")
int tna_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = is_counted(data, data_end) ? SINK_MATCHED : SINK_OTHER;
	__u64 *n = bpf_map_lookup_elem(&counters, &key);

	if (n)
		*n += 1;
	return key == SINK_MATCHED ? verdict : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
