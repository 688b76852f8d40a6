// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit side of tna-gen, run through BPF_PROG_RUN with live frames: a run
 * either sends the frame user space built out of tx_ifindex, or drops it
 * unsent when this CPU is ahead of its pace (gap_ns) or has sent its quota.
 * Pacing here rather than between syscalls keeps the rate constant: a
 * live-frames syscall costs far too much to be issued every few frames.
 * With flows > 1 the UDP source port walks through that many values; the
 * UDP checksum is zero, so rewriting it costs nothing.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* How far a CPU that fell behind may catch up in one burst, in frames. */
#define CATCH_UP 64

const volatile __u32 tx_ifindex;
const volatile __u32 flows = 1;
const volatile __u16 base_port = 1024;
const volatile __u64 gap_ns;	/* between two frames of one CPU; 0: flat out */

struct gen_state {
	__u64 sent;
	__u64 quota;		/* 0: none */
	__u64 next_ns;
	__u32 flow;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_state);
} state SEC(".maps");

SEC("xdp")
int tna_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct udphdr *udp = data + sizeof(struct ethhdr) + sizeof(struct iphdr);
	struct gen_state *st;
	__u32 key = 0;
	__u64 now;

	st = bpf_map_lookup_elem(&state, &key);
	if (!st || (st->quota && st->sent >= st->quota))
		return XDP_DROP;
	if (gap_ns) {
		now = bpf_ktime_get_ns();
		if (now < st->next_ns)
			return XDP_DROP;
		if (now - st->next_ns > CATCH_UP * gap_ns)
			st->next_ns = now;
		st->next_ns += gap_ns;
	}
	if (flows > 1 && (void *)(udp + 1) <= data_end) {
		udp->source = bpf_htons(base_port + st->flow);
		st->flow = st->flow + 1 >= flows ? 0 : st->flow + 1;
	}
	st->sent++;
	return bpf_redirect(tx_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
