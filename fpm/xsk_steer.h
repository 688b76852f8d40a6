/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsk_steer: TCP to a local endpoint a zstack application registered on this
 * interface goes to the application's AF_XDP socket of the receiving queue.
 * The daemon holds every registered port against the kernel (a bound socket),
 * so without the application the kernel could only have answered with a RST;
 * every other packet continues untouched.
 *
 * Only what the kernel would deliver to its TCP is steered: a frame for this
 * host's MAC (PACKET_HOST), with a valid IPv4 header checksum, from a source
 * the kernel does not reject as martian. The rest goes to the kernel, which
 * drops it and counts the drop where users look for it.
 *
 * Constant: FPM_XSK_STEER_MAC, the interface's own MAC as a 48-bit number
 * (the planner's; a new MAC is a new plan).
 */
#ifndef TNA_FPM_XSK_STEER_H
#define TNA_FPM_XSK_STEER_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>

#include "bpf/ctx.h"
#include "bpf/maps.bpf.h"
#include "fpm/mac.h"
#include "fpm/pkt.h"

#ifndef FPM_XSK_STEER_MAC
#error "xsk_steer needs FPM_XSK_STEER_MAC, the interface's MAC; the plan sets it"
#endif

static __always_inline bool xsk_steer_mac_is_ours(const __u8 *m)
{
	__u64 v = (__u64)m[0] << 40 | (__u64)m[1] << 32 | (__u64)m[2] << 24 |
		  (__u64)m[3] << 16 | (__u64)m[4] << 8 | m[5];

	return v == (__u64)FPM_XSK_STEER_MAC;
}

/* ip_fast_csum over a 20-byte header: 0 when the checksum is right. */
static __always_inline __u16 xsk_steer_ip_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

	for (int i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* ip_route_input_slow's martian sources: zeronet, loopback (route_localnet
 * may allow it; the kernel then decides), multicast and limited broadcast
 * (with the rest of 240/4, which the kernel decides as well). */
static __always_inline bool xsk_steer_src_martian(__be32 saddr)
{
	__u8 first = bpf_ntohl(saddr) >> 24;

	return first == 0 || first == 127 || first >= 224;
}

static __always_inline int fpm_xsk_steer(struct xdp_md *xdp, struct fpm_ctx *c)
{
	struct tna_zs_key key = { .family = TNA_AF_INET };
	struct ethhdr *eth;
	struct tcphdr *tcp;
	struct iphdr *ip;
	__u32 queue;
	long verdict;

	c->fpm = FPM_ID_XSK_STEER;
	if (c->eth_proto != bpf_htons(ETH_P_IP) || c->ip_proto != IPPROTO_TCP)
		return FPM_CONTINUE;
	ip = fpm_pkt_ptr(xdp, c->l3_off, sizeof(*ip));
	tcp = fpm_pkt_ptr(xdp, c->l4_off, sizeof(*tcp));
	eth = fpm_pkt_ptr(xdp, c->l2_off, sizeof(*eth));
	/* A TCP header cut short (by the frame or by the total length, past
	 * which the kernel trims): tcp_v4_rcv drops it, and so does zstack. */
	if (!ip || !tcp || !eth || bpf_ntohs(ip->tot_len) < c->l4_off - c->l3_off + sizeof(*tcp))
		return FPM_CONTINUE;
	key.ifindex = c->ingress_ifindex;
	key.port = tcp->dest;
	__builtin_memcpy(key.addr, &ip->daddr, sizeof(ip->daddr));
	if (!bpf_map_lookup_elem(&tna_zs_steer, &key))
		return FPM_CONTINUE;
	/* tcp_v4_rcv takes only PACKET_HOST: a group destination MAC is dropped. */
	if (mac_is_multicast(eth->h_dest))
		return fpm_punt(c, TNA_PUNT_MULTICAST_DST);
	/* Another host's unicast MAC (a promiscuous interface, a veth, a hub):
	 * PACKET_OTHERHOST, which ip_rcv drops. */
	if (!xsk_steer_mac_is_ours(eth->h_dest))
		return fpm_punt(c, TNA_PUNT_DST_UNKNOWN);
	/* ip_rcv_core drops a bad header checksum and counts it (InCsumErrors). */
	if (xsk_steer_ip_csum(ip))
		return fpm_punt(c, TNA_PUNT_IPV4_HEADER);
	if (xsk_steer_src_martian(ip->saddr))
		return fpm_punt(c, TNA_PUNT_SRC_INVALID);
	queue = xdp->rx_queue_index;
	if (queue >= TNA_XSK_QUEUES)
		return fpm_punt(c, TNA_PUNT_XSK_NO_SOCKET);
	/* No socket on this queue: the kernel answers (RST), as it would have. */
	verdict = bpf_redirect_map(&tna_xskmap, tna_xsk_index(tna_cfg.ifslot, queue), XDP_PASS);
	if (verdict != XDP_REDIRECT)
		return fpm_punt(c, TNA_PUNT_XSK_NO_SOCKET);
	return XDP_REDIRECT;
}

#endif
