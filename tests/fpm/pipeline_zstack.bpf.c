// SPDX-License-Identifier: GPL-2.0
/* The pipeline the planner gives an interface with zstack steering (and no
 * other service): parse_eth → parse_ipv4 → xsk_steer, on an interface whose
 * MAC is the harness's MAC_LOCAL (02:00:00:00:00:01). */
#define FPM_XSK_STEER_MAC 0x020000000001LL
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/pipeline.h"
#include "fpm/parse_eth.h"
#include "fpm/parse_ipv4.h"
#include "fpm/xsk_steer.h"

SEC("xdp")
int tna_pipeline(struct xdp_md *xdp)
{
	struct fpm_ctx c;

	pipeline_begin(&c, xdp);
	PIPELINE_STEP(&c, xdp, fpm_parse_eth);
	PIPELINE_STEP(&c, xdp, fpm_parse_ipv4);
	PIPELINE_STEP(&c, xdp, fpm_xsk_steer);
	return pipeline_end(&c);
}

char LICENSE[] SEC("license") = "GPL";
