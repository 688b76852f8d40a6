/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse_ipv4: an IPv4 header the kernel would accept as it is, so that a
 * later FPM may act on its addresses and transport header. Anything that is
 * not IPv4 continues untouched (it is not this FPM's business); IPv4 that the
 * kernel would drop, reassemble or process options of goes to the kernel.
 */
#ifndef TNA_FPM_PARSE_IPV4_H
#define TNA_FPM_PARSE_IPV4_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>

#include "bpf/ctx.h"
#include "fpm/pkt.h"

#define FPM_IPV4_MF 0x2000
#define FPM_IPV4_OFFSET 0x1fff

static __always_inline int fpm_parse_ipv4(struct xdp_md *xdp, struct fpm_ctx *c)
{
	struct iphdr *ip;
	__u32 tot_len;

	c->fpm = FPM_ID_PARSE_IPV4;
	if (c->eth_proto != bpf_htons(ETH_P_IP))
		return FPM_CONTINUE;
	ip = fpm_pkt_ptr(xdp, c->l3_off, sizeof(*ip));
	if (!ip)
		return fpm_punt(c, TNA_PUNT_IPV4_HEADER);
	if (ip->version != 4 || ip->ihl < 5)
		return fpm_punt(c, TNA_PUNT_IPV4_HEADER);
	tot_len = bpf_ntohs(ip->tot_len);
	/* ip_rcv_core drops a total length shorter than the header or longer
	 * than what arrived; a shorter one is trimmed, so later FPMs read the
	 * total length, never the frame's. */
	if (tot_len < ip->ihl * 4u || tot_len > fpm_pkt_len(xdp) - c->l3_off)
		return fpm_punt(c, TNA_PUNT_IPV4_HEADER);
	if (ip->frag_off & bpf_htons(FPM_IPV4_MF | FPM_IPV4_OFFSET))
		return fpm_punt(c, TNA_PUNT_IPV4_FRAGMENT);
	if (ip->ihl != 5)
		return fpm_punt(c, TNA_PUNT_IPV4_OPTIONS);
	c->ip_proto = ip->protocol;
	c->l4_off = c->l3_off + sizeof(*ip);
	return FPM_CONTINUE;
}

#endif
