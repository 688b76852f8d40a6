/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet access for FPMs. Each FPM re-derives its pointers from the xdp_md
 * with a bounds check: the verifier forgets packet bounds across the context
 * stored on the stack, and the check costs one compare.
 */
#ifndef TNA_FPM_PKT_H
#define TNA_FPM_PKT_H

#include <linux/bpf.h>
#include <linux/types.h>

/* The len bytes at off, or NULL when the packet is shorter. */
static __always_inline void *fpm_pkt_ptr(const struct xdp_md *xdp, __u32 off, __u32 len)
{
	void *data = (void *)(long)xdp->data;
	void *end = (void *)(long)xdp->data_end;

	if (data + off + len > end)
		return NULL;
	return data + off;
}

static __always_inline __u32 fpm_pkt_len(const struct xdp_md *xdp)
{
	return xdp->data_end - xdp->data;
}

#endif
