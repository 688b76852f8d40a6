// SPDX-License-Identifier: GPL-2.0
/*
 * parse_eth alone, looking for the Ethernet header 8 bytes into the packet.
 * BPF_PROG_RUN refuses frames shorter than an Ethernet header, so this is how
 * a test reaches the too-short path (and the end of a pipeline where every
 * FPM continued).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/pipeline.h"
#include "fpm/parse_eth.h"

#define OUTER_HEADER_LEN 8

SEC("xdp")
int tna_pipeline(struct xdp_md *xdp)
{
	struct fpm_ctx c;

	pipeline_begin(&c, xdp);
	c.l2_off = OUTER_HEADER_LEN;
	PIPELINE_STEP(&c, xdp, fpm_parse_eth);
	return pipeline_end(&c);
}

char LICENSE[] SEC("license") = "GPL";
