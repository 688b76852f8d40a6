/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsk_steer: TCP to a local endpoint a zstack application registered on this
 * interface goes to the application's AF_XDP socket of the receiving queue.
 * The daemon holds every registered port against the kernel (a bound socket),
 * so without the application the kernel could only have answered with a RST;
 * every other packet continues untouched.
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
#include "fpm/pkt.h"

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
	if (eth->h_dest[0] & 1)
		return fpm_punt(c, TNA_PUNT_MULTICAST_DST);
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
