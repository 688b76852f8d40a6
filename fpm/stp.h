/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp: frames to the IEEE 802.1 reserved group addresses are the kernel's
 * (BPDUs, pause, LACP, 802.1X, LLDP): it consumes, forwards or drops them by
 * the bridge's STP state and group_fwd_mask. Needs parse_eth before it.
 */
#ifndef TNA_FPM_STP_H
#define TNA_FPM_STP_H

#include <linux/if_ether.h>

#include "bpf/ctx.h"
#include "fpm/mac.h"
#include "fpm/pkt.h"

static __always_inline int fpm_stp(struct xdp_md *xdp, struct fpm_ctx *c)
{
	struct ethhdr *eth;

	c->fpm = FPM_ID_STP;
	eth = fpm_pkt_ptr(xdp, c->l2_off, sizeof(*eth));
	if (!eth)
		return fpm_punt(c, TNA_PUNT_TOO_SHORT);
	if (mac_is_link_local(eth->h_dest))
		return fpm_punt(c, TNA_PUNT_LINK_LOCAL_DST);
	return FPM_CONTINUE;
}

#endif
