/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What br_netfilter does to a bridged frame even when no rule looks at it,
 * for bridge_fwd. While its IPv4 path is on for the bridge (the port's
 * TNA_PORT_F_BR_NF_CHECK_IPV4), br_nf_pre_routing() runs br_validate_ipv4():
 * a frame whose header is bad is dropped, and a frame longer than the IP total
 * length is trimmed to it (pskb_trim_rcsum), so Ethernet padding never leaves.
 * br_validate_ipv6() does the same for IPv6, and br_nf_dev_queue_xmit()
 * refragments or drops IP longer than the egress MTU. br_nf_forward_arp()
 * drops ARP shorter than its fixed header. The fast path forwards only what
 * all of that leaves untouched; the rest goes to Linux, which drops or trims.
 *
 * Rules or conntrack on the family (TNA_PORT_F_BR_NF_IPV4, ...) leave every
 * frame of it to Linux. fpm/README.md gives the kernel behaviour in full.
 */
#ifndef TNA_FPM_BR_NF_CHECK_H
#define TNA_FPM_BR_NF_CHECK_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <bpf/bpf_endian.h>

#include "bpf/ctx.h"
#include "bpf/maps.h"
#include "fpm/pkt.h"

#define BR_NF_IPV4_MIN_HLEN 20
#define BR_NF_IPV4_MAX_WORDS 15	/* ihl is 4 bits: at most 60 header bytes */
#define BR_NF_IPV6_HLEN 40
#define BR_NF_ARP_HLEN 8	/* struct arphdr, whose header drags in glibc's */
/* Where layer 3 may start for these checks: past the Ethernet header and any
 * outer header a parser strips. A bound the verifier needs for its packet
 * ranges; a frame beyond it is left to Linux. */
#define BR_NF_MAX_L3_OFF 128

/* Ones' complement sums do not depend on byte order, and 32-bit words summed
 * into 64 bits fold to the same 16-bit sum as the header's 16-bit words. */
static __always_inline __u32 br_nf_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The L3 length br_validate_ipv4() accepts, or 0 when it would drop the
 * frame: version 4, ihl at least 5, header checksum, total length no shorter
 * than the header and no longer than the frame. The fixed header is summed
 * from the one bounds check that covers it; only options take the loop. */
static __always_inline __u32 br_nf_ipv4_len(struct xdp_md *xdp, __u32 off)
{
	__u32 words, tot;
	__u64 sum = 0;
	__u32 *hdr;
	__u8 *first;
	int i;

	if (off > BR_NF_MAX_L3_OFF)
		return 0;
	first = fpm_pkt_ptr(xdp, off, BR_NF_IPV4_MIN_HLEN);
	if (!first || *first >> 4 != 4 || (*first & 0xf) < 5)
		return 0;
	words = *first & 0xf;
	hdr = (__u32 *)first;
#pragma unroll
	for (i = 0; i < BR_NF_IPV4_MIN_HLEN / 4; i++)
		sum += hdr[i];
	for (i = BR_NF_IPV4_MIN_HLEN / 4; i < BR_NF_IPV4_MAX_WORDS; i++) {
		__u32 *w;

		if (i >= words)
			break;
		w = fpm_pkt_ptr(xdp, off + i * 4, 4);
		if (!w)
			return 0;
		sum += *w;
	}
	if (br_nf_csum_fold(sum) != 0xffff)
		return 0;
	tot = (__u32)first[2] << 8 | first[3];
	if (tot < words * 4 || tot > fpm_pkt_len(xdp) - off)
		return 0;
	return tot;
}

/* The L3 length br_validate_ipv6() accepts, or 0 when it would drop the frame
 * or the fast path cannot tell: a hop-by-hop header is checked by
 * nf_ip6_check_hbh_len() (jumbograms), which the fast path leaves to Linux. */
static __always_inline __u32 br_nf_ipv6_len(struct xdp_md *xdp, __u32 off)
{
	__u8 *hdr;
	__u32 len;

	if (off > BR_NF_MAX_L3_OFF)
		return 0;
	hdr = fpm_pkt_ptr(xdp, off, BR_NF_IPV6_HLEN);
	if (!hdr || hdr[0] >> 4 != 6 || hdr[6] == IPPROTO_HOPOPTS)
		return 0;
	len = BR_NF_IPV6_HLEN + ((__u32)hdr[4] << 8 | hdr[5]);
	if (len > fpm_pkt_len(xdp) - off)
		return 0;
	return len;
}

/* IP whose length br_netfilter checks: the frame must be exactly as long as
 * the IP packet, which must fit the egress MTU (checked with the egress). */
static __always_inline int br_nf_check_ip(struct xdp_md *xdp, struct fpm_ctx *c, __u32 off,
					  __u32 l3_len)
{
	if (!l3_len)
		return fpm_punt(c, TNA_PUNT_BR_NF_L3_HEADER);
	if (l3_len != fpm_pkt_len(xdp) - off)
		return fpm_punt(c, TNA_PUNT_BR_NF_PADDED);
	return FPM_CONTINUE;
}

/* CONTINUE when br_netfilter would hand this frame on unchanged, given the
 * ingress port's flags. *ip_checked is set for IP that br_netfilter handles:
 * br_nf_dev_queue_xmit() sends it unchanged only up to the egress MTU, and
 * refragments (or drops, DF set) beyond, so the egress check must bound it. */
static __always_inline int br_nf_check(struct xdp_md *xdp, struct fpm_ctx *c, __u16 flags,
				       bool *ip_checked)
{
	/* A punt flag alone still punts, whatever sets it. */
	const __u16 ipv4 = TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_IPV4;
	const __u16 ipv6 = TNA_PORT_F_BR_NF_CHECK_IPV6 | TNA_PORT_F_BR_NF_IPV6;
	const __u16 arp = TNA_PORT_F_BR_NF_CHECK_ARP | TNA_PORT_F_BR_NF_ARP;
	__be16 proto = c->eth_proto;
	__u32 off = c->l3_off;

	*ip_checked = false;
	if (proto == bpf_htons(ETH_P_IP) && (flags & ipv4)) {
		if (flags & TNA_PORT_F_BR_NF_IPV4)
			return fpm_punt(c, TNA_PUNT_BR_NETFILTER);
		*ip_checked = true;
		return br_nf_check_ip(xdp, c, off, br_nf_ipv4_len(xdp, off));
	}
	if (proto == bpf_htons(ETH_P_IPV6) && (flags & ipv6)) {
		if (flags & TNA_PORT_F_BR_NF_IPV6)
			return fpm_punt(c, TNA_PUNT_BR_NETFILTER);
		*ip_checked = true;
		return br_nf_check_ip(xdp, c, off, br_nf_ipv6_len(xdp, off));
	}
	if (proto == bpf_htons(ETH_P_ARP) && (flags & arp)) {
		if (flags & TNA_PORT_F_BR_NF_ARP)
			return fpm_punt(c, TNA_PUNT_BR_NETFILTER);
		if (off > BR_NF_MAX_L3_OFF || !fpm_pkt_ptr(xdp, off, BR_NF_ARP_HLEN))
			return fpm_punt(c, TNA_PUNT_BR_NF_L3_HEADER);
		return FPM_CONTINUE;
	}
	/* With bridge-nf-filter-pppoe-tagged on (a sysctl the plan does not
	 * read) br_netfilter treats the IP inside PPPoE sessions as IP. */
	if (proto == bpf_htons(ETH_P_PPP_SES) && (flags & (ipv4 | ipv6)))
		return fpm_punt(c, TNA_PUNT_BR_NETFILTER);
	return FPM_CONTINUE;
}

#endif
