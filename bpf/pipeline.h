/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every pipeline shares: the context set up from the xdp_md, the step
 * that runs one FPM and leaves at its verdict, and the epilogue that counts
 * the verdict once, at the FPM that decided it. A pipeline is then only its
 * list of FPMs (bpf/pipeline_bridge.bpf.c is the shape the assembler emits):
 *
 *	SEC("xdp")
 *	int tna_pipeline(struct xdp_md *xdp)
 *	{
 *		struct fpm_ctx c;
 *
 *		pipeline_begin(&c, xdp);
 *		PIPELINE_STEP(&c, xdp, fpm_parse_eth);
 *		...
 *		return pipeline_end(&c);
 *	}
 *
 * Pipelines are SEC("xdp") like the root (bpf/root.bpf.c), so the root's prog
 * array accepts them as tail-call targets.
 */
#ifndef TNA_BPF_PIPELINE_H
#define TNA_BPF_PIPELINE_H

#include <linux/bpf.h>

#include "bpf/counters.bpf.h"
#include "bpf/ctx.h"

static __always_inline void pipeline_begin(struct fpm_ctx *c, const struct xdp_md *xdp)
{
	__builtin_memset(c, 0, sizeof(*c));
	c->ingress_ifindex = xdp->ingress_ifindex;
}

static __always_inline int pipeline_finish(const struct fpm_ctx *c, int verdict)
{
	tna_count(c->fpm, verdict == XDP_REDIRECT ? TNA_PUNT_NONE : c->reason);
	return verdict;
}

/* Every FPM continued: nothing proved the fast path may act, so Linux does. */
static __always_inline int pipeline_end(struct fpm_ctx *c)
{
	return pipeline_finish(c, fpm_punt(c, TNA_PUNT_PIPELINE_END));
}

#define PIPELINE_STEP(c, xdp, fpm)                                        \
	do {                                                              \
		int _verdict = fpm(xdp, c);                               \
		if (_verdict != FPM_CONTINUE)                             \
			return pipeline_finish(c, _verdict);              \
	} while (0)

#endif
