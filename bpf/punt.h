/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a packet left the fast path. Shared by BPF and user space: the codes are
 * counter indexes and appear in `tnactl stats`, so a code never changes meaning
 * once released; new reasons take new numbers below TNA_CNT_OUTCOMES.
 *
 * Code 0 is not a punt: in the counters it is the outcome "redirected".
 */
#ifndef TNA_BPF_PUNT_H
#define TNA_BPF_PUNT_H

/* X(NAME, code, "name as tnactl prints it") */
#define TNA_PUNT_REASONS(X)                                               \
	X(NO_PIPELINE, 1, "no_pipeline")                                  \
	X(PIPELINE_END, 2, "pipeline_end")                                \
	X(TOO_SHORT, 3, "too_short")                                      \
	X(VLAN_TAGGED, 4, "vlan_tagged")                                  \
	X(LINK_LOCAL_DST, 5, "link_local_dst")                            \
	X(SRC_INVALID, 6, "src_invalid")                                  \
	X(BROADCAST_DST, 7, "broadcast_dst")                              \
	X(MULTICAST_DST, 8, "multicast_dst")                              \
	X(BRIDGE_CTRL_PROTO, 9, "bridge_ctrl_proto")                      \
	X(INGRESS_NOT_PORT, 10, "ingress_not_port")                       \
	X(INGRESS_NOT_FORWARDING, 11, "ingress_not_forwarding")           \
	X(INGRESS_LOCKED, 12, "ingress_locked")                           \
	X(BRIDGE_PROMISC, 13, "bridge_promisc")                           \
	X(NEIGH_PROXY, 14, "neigh_proxy")                                 \
	X(SRC_UNKNOWN, 15, "src_unknown")                                 \
	X(SRC_MOVED, 16, "src_moved")                                     \
	X(SRC_LOCAL, 17, "src_local")                                     \
	X(DST_UNKNOWN, 18, "dst_unknown")                                 \
	X(DST_LOCAL, 19, "dst_local")                                     \
	X(EGRESS_IS_INGRESS, 20, "egress_is_ingress")                     \
	X(EGRESS_NOT_READY, 21, "egress_not_ready")                       \
	X(EGRESS_NOT_FORWARDING, 22, "egress_not_forwarding")             \
	X(EGRESS_ISOLATED, 23, "egress_isolated")                         \
	X(EGRESS_MTU, 24, "egress_mtu")                                   \
	X(EGRESS_NO_DEVMAP, 25, "egress_no_devmap")                      \
	X(BR_NETFILTER, 26, "br_netfilter")                               \
	X(BR_NF_L3_HEADER, 27, "br_nf_l3_header")                         \
	X(BR_NF_PADDED, 28, "br_nf_padded")                               \
	X(BR_NF_MTU, 29, "br_nf_mtu")                                     \
	X(IPV4_HEADER, 30, "ipv4_header")                                 \
	X(IPV4_FRAGMENT, 31, "ipv4_fragment")                             \
	X(IPV4_OPTIONS, 32, "ipv4_options")                               \
	X(XSK_NO_SOCKET, 33, "xsk_no_socket")

enum tna_punt {
	TNA_PUNT_NONE = 0,
#define TNA_PUNT_ENUM(name, code, text) TNA_PUNT_##name = code,
	TNA_PUNT_REASONS(TNA_PUNT_ENUM)
#undef TNA_PUNT_ENUM
	TNA_PUNT_MAX,
};

/* The name of a counter outcome: "redirect" for 0, a punt reason otherwise. */
static inline const char *tna_outcome_name(unsigned int code)
{
	switch (code) {
	case TNA_PUNT_NONE:
		return "redirect";
#define TNA_PUNT_CASE(name, code, text) case code: return text;
	TNA_PUNT_REASONS(TNA_PUNT_CASE)
#undef TNA_PUNT_CASE
	}
	return NULL;
}

#endif
