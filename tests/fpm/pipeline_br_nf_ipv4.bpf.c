// SPDX-License-Identifier: GPL-2.0
/* The bridge pipeline as the assembler emits it while br_netfilter hands
 * bridged IPv4 and ARP to rules: IPv6 stays on the fast path. */
#define FPM_BR_PUNT_IPV4 1
#define FPM_BR_PUNT_ARP 1

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/pipeline.h"
#include "fpm/parse_eth.h"
#include "fpm/stp.h"
#include "fpm/bridge_fwd.h"

SEC("xdp")
int tna_pipeline(struct xdp_md *xdp)
{
	struct fpm_ctx c;

	pipeline_begin(&c, xdp);
	PIPELINE_STEP(&c, xdp, fpm_parse_eth);
	PIPELINE_STEP(&c, xdp, fpm_stp);
	PIPELINE_STEP(&c, xdp, fpm_bridge_fwd);
	return pipeline_end(&c);
}

char LICENSE[] SEC("license") = "GPL";
