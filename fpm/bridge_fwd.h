/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bridge_fwd: forwards a unicast frame between two ports of a Linux bridge
 * exactly where br_handle_frame() and br_forward() would, from the FDB mirror
 * and the port table (the ingress port at the program's own slot, the egress
 * port at the slot its FDB entry names); every other frame goes to the kernel
 * with the reason.
 * Needs parse_eth and stp before it. fpm/README.md gives the kernel behaviour
 * behind each check.
 *
 * Plan constant:
 *   FPM_BR_LEARNING_OFF_PORTS  1 if some port of the bridge has learning off:
 *     frames entering such a port skip the source check, as the kernel skips
 *     learning there. 0 (default): the source is checked on every port, which
 *     only ever punts more.
 *
 * br_netfilter is runtime state in the port table (TNA_PORT_F_BR_NF_*), so a
 * pipeline is safe the moment a rule appears: fpm/br_nf_check.h.
 */
#ifndef TNA_FPM_BRIDGE_FWD_H
#define TNA_FPM_BRIDGE_FWD_H

#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpf/ctx.h"
#include "bpf/maps.bpf.h"
#include "fpm/br_nf_check.h"
#include "fpm/mac.h"
#include "fpm/pkt.h"

#ifndef FPM_BR_LEARNING_OFF_PORTS
#define FPM_BR_LEARNING_OFF_PORTS 0
#endif

/* VLAN_HLEN: is_skb_forwardable() and the devmap allow one tag beyond the MTU. */
#define BRIDGE_FWD_L2_ALLOWANCE (ETH_HLEN + 4)

/* The port at slot, if the slot is ifindex's: a stale slot (bpf/maps.h) finds
 * another port or a free entry, and so no port. */
static __always_inline struct tna_port *bridge_fwd_port(__u32 slot, __u32 ifindex)
{
	struct tna_port *port = bpf_map_lookup_elem(&tna_ports, &slot);

	return port && port->ifindex == ifindex ? port : NULL;
}

static __always_inline bool bridge_fwd_learns(const struct tna_port *in)
{
	return !FPM_BR_LEARNING_OFF_PORTS || (in->flags & TNA_PORT_F_LEARNING);
}

static __always_inline bool bridge_fwd_is_neigh_proto(__be16 proto)
{
	return proto == bpf_htons(ETH_P_ARP) || proto == bpf_htons(ETH_P_RARP) ||
	       proto == bpf_htons(ETH_P_IPV6);
}

static __always_inline void bridge_fwd_touch(__u64 *stamp, __u64 now)
{
	if (now - *stamp >= TNA_FDB_TOUCH_NS)
		*stamp = now;
}

/* The ingress port admits the frame into forwarding (br_handle_frame, the
 * bridge prerouting hook, the start of br_handle_frame_finish). */
static __always_inline int bridge_fwd_check_ingress(struct xdp_md *xdp, struct fpm_ctx *c,
						    const struct tna_port *in, bool *ip_checked)
{
	if (in->state != BR_STATE_FORWARDING)
		return fpm_punt(c, TNA_PUNT_INGRESS_NOT_FORWARDING);
	if (in->flags & TNA_PORT_F_LOCKED)
		return fpm_punt(c, TNA_PUNT_INGRESS_LOCKED);
	if (in->flags & TNA_PORT_F_BR_PROMISC)
		return fpm_punt(c, TNA_PUNT_BRIDGE_PROMISC);
	if ((in->flags & TNA_PORT_F_NEIGH_PROXY) && bridge_fwd_is_neigh_proto(c->eth_proto))
		return fpm_punt(c, TNA_PUNT_NEIGH_PROXY);
	return br_nf_check(xdp, c, in->flags, ip_checked);
}

/* Learning would leave the FDB as it is (br_fdb_update). */
static __always_inline int bridge_fwd_check_src(struct fpm_ctx *c, const struct tna_fdb_val *src)
{
	if (!src)
		return fpm_punt(c, TNA_PUNT_SRC_UNKNOWN);
	if (src->flags & TNA_FDB_F_LOCAL)
		return fpm_punt(c, TNA_PUNT_SRC_LOCAL);
	if (src->port != c->ingress_ifindex)
		return fpm_punt(c, TNA_PUNT_SRC_MOVED);
	return FPM_CONTINUE;
}

/* The kernel would deliver to this port (should_deliver, is_skb_forwardable)
 * and the port can take a redirected frame. */
static __always_inline int bridge_fwd_check_egress(struct xdp_md *xdp, struct fpm_ctx *c,
						   const struct tna_port *in,
						   const struct tna_fdb_val *dst, bool ip_checked)
{
	struct tna_port *out;

	if (dst->port == c->ingress_ifindex)
		return fpm_punt(c, TNA_PUNT_EGRESS_IS_INGRESS);
	out = bridge_fwd_port(dst->port_slot, dst->port);
	if (!out || out->bridge != in->bridge || !(out->flags & TNA_PORT_F_READY))
		return fpm_punt(c, TNA_PUNT_EGRESS_NOT_READY);
	if (out->state != BR_STATE_FORWARDING)
		return fpm_punt(c, TNA_PUNT_EGRESS_NOT_FORWARDING);
	if (in->flags & out->flags & TNA_PORT_F_ISOLATED)
		return fpm_punt(c, TNA_PUNT_EGRESS_ISOLATED);
	if (fpm_pkt_len(xdp) > out->mtu + BRIDGE_FWD_L2_ALLOWANCE)
		return fpm_punt(c, TNA_PUNT_EGRESS_MTU);
	if (ip_checked && fpm_pkt_len(xdp) > out->mtu + ETH_HLEN)
		return fpm_punt(c, TNA_PUNT_BR_NF_MTU);
	return FPM_CONTINUE;
}

static __always_inline int fpm_bridge_fwd(struct xdp_md *xdp, struct fpm_ctx *c)
{
	struct tna_fdb_val *src = NULL, *dst;
	struct tna_fdb_key key = {};
	struct tna_port *in;
	bool ip_checked = false;
	struct ethhdr *eth;
	__u64 now;
	int verdict;

	c->fpm = FPM_ID_BRIDGE_FWD;
	eth = fpm_pkt_ptr(xdp, c->l2_off, sizeof(*eth));
	if (!eth)
		return fpm_punt(c, TNA_PUNT_TOO_SHORT);
	if (mac_is_multicast(eth->h_source) || mac_is_zero(eth->h_source))
		return fpm_punt(c, TNA_PUNT_SRC_INVALID);
	if (mac_is_broadcast(eth->h_dest))
		return fpm_punt(c, TNA_PUNT_BROADCAST_DST);
	if (mac_is_multicast(eth->h_dest))
		return fpm_punt(c, TNA_PUNT_MULTICAST_DST);
	if (c->eth_proto == bpf_htons(ETH_P_MRP) || c->eth_proto == bpf_htons(ETH_P_CFM))
		return fpm_punt(c, TNA_PUNT_BRIDGE_CTRL_PROTO);

	/* The program serves one interface, whose slot is a load-time constant:
	 * the entry must still be that interface's, and the frame must have
	 * come in on it. */
	in = bridge_fwd_port(tna_cfg.portslot, c->ingress_ifindex);
	if (!in)
		return fpm_punt(c, TNA_PUNT_INGRESS_NOT_PORT);
	verdict = bridge_fwd_check_ingress(xdp, c, in, &ip_checked);
	if (verdict != FPM_CONTINUE)
		return verdict;

	key.bridge = in->bridge;
	if (bridge_fwd_learns(in)) {
		__builtin_memcpy(key.mac, eth->h_source, ETH_ALEN);
		src = bpf_map_lookup_elem(&tna_fdb, &key);
		verdict = bridge_fwd_check_src(c, src);
		if (verdict != FPM_CONTINUE)
			return verdict;
	}

	__builtin_memcpy(key.mac, eth->h_dest, ETH_ALEN);
	dst = bpf_map_lookup_elem(&tna_fdb, &key);
	if (!dst)
		return fpm_punt(c, TNA_PUNT_DST_UNKNOWN);
	if (dst->flags & TNA_FDB_F_LOCAL)
		return fpm_punt(c, TNA_PUNT_DST_LOCAL);
	verdict = bridge_fwd_check_egress(xdp, c, in, dst, ip_checked);
	if (verdict != FPM_CONTINUE)
		return verdict;

	/* XDP_PASS on a devmap miss: the port left the devmap after the table said
	 * ready, and the kernel still knows what to do with the frame. */
	if (bpf_redirect_map(&tna_devmap, dst->port, XDP_PASS) != XDP_REDIRECT)
		return fpm_punt(c, TNA_PUNT_EGRESS_NO_DEVMAP);

	/* The coarse clock is CLOCK_MONOTONIC as of the last tick: no clock
	 * source read per packet, and as fine as the kernel's own FDB stamps,
	 * which are in jiffies. */
	now = bpf_ktime_get_coarse_ns();
	if (src)
		bridge_fwd_touch(&src->seen_ns, now);
	bridge_fwd_touch(&dst->used_ns, now);
	c->egress_ifindex = dst->port;
	return XDP_REDIRECT;
}

#endif
