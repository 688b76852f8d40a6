/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse_eth: the Ethernet header is there; records its EtherType and where
 * layer 3 starts. Tagged frames go to the kernel (see fpm/README.md).
 */
#ifndef TNA_FPM_PARSE_ETH_H
#define TNA_FPM_PARSE_ETH_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>

#include "bpf/ctx.h"
#include "fpm/pkt.h"

static __always_inline int fpm_parse_eth(struct xdp_md *xdp, struct fpm_ctx *c)
{
	struct ethhdr *eth;

	c->fpm = FPM_ID_PARSE_ETH;
	eth = fpm_pkt_ptr(xdp, c->l2_off, sizeof(*eth));
	if (!eth)
		return fpm_punt(c, TNA_PUNT_TOO_SHORT);
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD))
		return fpm_punt(c, TNA_PUNT_VLAN_TAGGED);
	c->eth_proto = eth->h_proto;
	c->l3_off = c->l2_off + sizeof(*eth);
	return FPM_CONTINUE;
}

#endif
