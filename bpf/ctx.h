/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pipeline context every FPM reads and writes, and the verdicts.
 *
 * An FPM is `static __always_inline int fpm_NAME(struct xdp_md *, struct fpm_ctx *)`.
 * It returns FPM_CONTINUE to hand the packet to the next FPM, or a final XDP
 * action: XDP_PASS through fpm_punt() (always with a reason), or XDP_REDIRECT.
 * XDP_DROP is reserved for a drop Linux would make and the plan can prove;
 * no FPM returns it yet.
 */
#ifndef TNA_BPF_CTX_H
#define TNA_BPF_CTX_H

#include <linux/bpf.h>
#include <linux/types.h>

#include "bpf/fpm_id.h"
#include "bpf/punt.h"

#define FPM_CONTINUE (-1)

struct fpm_ctx {
	__u32 ingress_ifindex;
	__u32 egress_ifindex;	/* set by the FPM that redirects */
	__u16 l2_off;		/* offsets from xdp->data, valid once parsed */
	__u16 l3_off;
	__u16 l4_off;
	__be16 eth_proto;	/* after parse_eth, network order */
	__u8 ip_proto;		/* after an IP parser */
	__u8 fpm;		/* enum fpm_id of the FPM running: where the verdict is counted */
	__u8 reason;		/* enum tna_punt once an FPM punted */
};

static __always_inline int fpm_punt(struct fpm_ctx *c, enum tna_punt reason)
{
	c->reason = reason;
	return XDP_PASS;
}

#endif
