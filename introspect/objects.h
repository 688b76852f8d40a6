/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed kernel objects, as the netlink readers decode them.
 *
 * introspect/ turns netlink messages into these structs and hands them to a
 * sink; it knows nothing of the graph or of BPF. Every struct is plain data
 * (no pointers), so a sink may copy it as it is.
 */
#ifndef TNA_OBJECTS_H
#define TNA_OBJECTS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define TNA_NAME_MAX 64		/* nft table/chain names, tc kinds, link kinds */
#define TNA_MAX_NEXTHOPS 8

enum tna_obj_kind {
	TNA_OBJ_LINK,
	TNA_OBJ_ADDR,
	TNA_OBJ_ROUTE,
	TNA_OBJ_RULE,
	TNA_OBJ_NEIGH,
	TNA_OBJ_FDB,
	TNA_OBJ_NETCONF,
	TNA_OBJ_LISTENER,
	TNA_OBJ_NFT_TABLE,
	TNA_OBJ_NFT_CHAIN,
	TNA_OBJ_NFT_RULE,
	TNA_OBJ_IPT_TABLE,
	TNA_OBJ_TC,
	TNA_OBJ_KIND_MAX,
};

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes. */
struct tna_ip {
	uint8_t family; /* AF_INET or AF_INET6; 0 when absent */
	uint8_t bytes[16];
};

struct tna_bridge {
	uint32_t ageing_time_cs; /* centiseconds, as IFLA_BR_AGEING_TIME */
	uint32_t stp_state;	 /* 0 off, 1 kernel STP, 2 user STP */
	uint32_t forward_delay_cs;
	bool vlan_filtering;
	/* IFLA_BR_NF_CALL_*: br_netfilter calls these rules for this bridge even
	 * when its net.bridge.bridge-nf-call-* sysctl is 0. */
	bool nf_call_iptables;
	bool nf_call_ip6tables;
	bool nf_call_arptables;
};

struct tna_brport {
	uint8_t state; /* BR_STATE_* */
	bool learning;
	bool unicast_flood;
	bool mcast_flood;
	bool bcast_flood;
	bool hairpin;
	bool isolated;
	bool neigh_suppress;
	bool proxyarp;
	bool proxyarp_wifi;
	bool locked;		/* IFLA_BRPORT_LOCKED: only FDB-authorised sources pass */
	bool mab;		/* IFLA_BRPORT_MAB: MAC authentication bypass */
};

struct tna_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[TNA_NAME_MAX];	/* IFLA_INFO_KIND; "" for a physical device */
	char slave_kind[TNA_NAME_MAX];	/* IFLA_INFO_SLAVE_KIND ("bridge" for a port) */
	uint32_t flags;			/* IFF_* */
	uint8_t operstate;		/* IF_OPER_* */
	uint32_t mtu;
	uint16_t arptype;		/* ARPHRD_* */
	uint8_t mac[6];
	uint8_t mac_len;
	int master;			/* ifindex, 0 if none */
	int link;			/* IFLA_LINK: veth peer ifindex, 0 if none */
	int link_netnsid;		/* IFLA_LINK_NETNSID, -1 if the peer is local */
	uint32_t xdp_prog_id;		/* 0 if no XDP program attached */
	uint8_t xdp_attach_mode;	/* XDP_ATTACHED_* */
	bool is_bridge;			/* bridge holds valid data */
	struct tna_bridge bridge;
	bool is_brport;			/* brport holds valid data */
	struct tna_brport brport;
};

struct tna_addr {
	int ifindex;
	struct tna_ip addr;	/* IFA_LOCAL, else IFA_ADDRESS */
	struct tna_ip peer;	/* IFA_ADDRESS when it differs (point-to-point) */
	uint8_t prefixlen;
	uint8_t scope;
	uint32_t flags;		/* IFA_F_*, from IFA_FLAGS when present */
	char label[IF_NAMESIZE];
};

struct tna_nexthop {
	int ifindex;
	struct tna_ip gateway;
	uint8_t weight;		/* rtnh_hops + 1 */
};

struct tna_route {
	uint8_t family;
	uint32_t table;		/* RTA_TABLE, else rtm_table */
	struct tna_ip dst;	/* family set, bytes zero for a default route */
	uint8_t dst_len;
	struct tna_ip src;	/* RTA_SRC (source routing), usually absent */
	uint8_t src_len;
	struct tna_ip prefsrc;	/* RTA_PREFSRC */
	uint8_t tos;
	uint8_t type;		/* RTN_* */
	uint8_t protocol;	/* RTPROT_* */
	uint8_t scope;		/* RT_SCOPE_* */
	uint32_t flags;		/* rtm_flags (RTNH_F_*) */
	uint32_t priority;	/* RTA_PRIORITY (the metric) */
	int oif;		/* single-path routes */
	struct tna_ip gateway;	/* single-path routes */
	uint8_t nexthop_count;	/* RTA_MULTIPATH entries; 0 for single-path */
	struct tna_nexthop nexthops[TNA_MAX_NEXTHOPS];
};

struct tna_rule {
	uint8_t family;
	uint32_t priority;
	uint32_t table;
	uint8_t action;		/* FR_ACT_* (rtm_type) */
	struct tna_ip src;
	uint8_t src_len;
	struct tna_ip dst;
	uint8_t dst_len;
	uint8_t tos;
	uint32_t fwmark;
	uint32_t fwmask;
	char iifname[IF_NAMESIZE];
	char oifname[IF_NAMESIZE];
	uint32_t flags;		/* FIB_RULE_* */
	uint8_t protocol;
};

struct tna_neigh {
	int ifindex;
	struct tna_ip dst;
	uint8_t lladdr[6];
	uint8_t lladdr_len;
	uint16_t state;		/* NUD_* */
	uint8_t flags;		/* NTF_* */
};

/* A bridge forwarding database entry (AF_BRIDGE neighbour). */
struct tna_fdb {
	int ifindex;		/* the port (or the bridge itself for its own MAC) */
	int master;		/* NDA_MASTER: the bridge; 0 for NTF_SELF entries */
	uint8_t mac[6];
	uint16_t vlan;		/* 0 when none */
	uint16_t state;		/* NUD_PERMANENT (local), NUD_NOARP (static), NUD_REACHABLE */
	uint8_t flags;		/* NTF_SELF, NTF_MASTER, NTF_EXT_LEARNED, ... */
	uint32_t used_ticks;	/* NDA_CACHEINFO ndm_used: clock ticks since last use */
	uint32_t updated_ticks;	/* NDA_CACHEINFO ndm_updated */
};

/* Per-device configuration (RTM_NEWNETCONF). ifindex may be NETCONFA_IFINDEX_ALL (-1)
 * or NETCONFA_IFINDEX_DEFAULT (-2). A field is -1 when the message did not carry it. */
struct tna_netconf {
	uint8_t family;
	int ifindex;
	int forwarding;
	int rp_filter;
	int mc_forwarding;
	int proxy_neigh;
	int ignore_routes_with_linkdown;
};

enum tna_listener_owner {
	TNA_OWNER_KERNEL,
	TNA_OWNER_ZSTACK,
};

struct tna_listener {
	uint8_t family;
	struct tna_ip addr;	/* all-zero bytes for a wildcard bind */
	uint16_t port;
	int ifindex;		/* SO_BINDTODEVICE, 0 if none */
	uint64_t inode;		/* socket inode; for zstack: the application's id */
	uint32_t uid;
	enum tna_listener_owner owner;
	bool v6only;
};

struct tna_nft_table {
	uint8_t family;		/* NFPROTO_* */
	char name[TNA_NAME_MAX];
	uint64_t handle;
	uint32_t flags;
	uint32_t use;		/* chains + sets + ... referencing it */
};

struct tna_nft_chain {
	uint8_t family;
	char table[TNA_NAME_MAX];
	char name[TNA_NAME_MAX];
	uint64_t handle;
	bool base;		/* a base chain, attached to a hook */
	uint32_t hooknum;	/* NF_INET_* / NF_NETDEV_* */
	int32_t priority;
	char type[16];		/* "filter", "nat", "route" */
	uint32_t policy;	/* NF_ACCEPT or NF_DROP */
	char dev[IF_NAMESIZE];	/* netdev-family chains */
	uint32_t use;		/* rules in it (NFTA_CHAIN_USE counts references) */
};

struct tna_nft_rule {
	uint8_t family;
	char table[TNA_NAME_MAX];
	char chain[TNA_NAME_MAX];
	uint64_t handle;
	uint32_t expr_count;
	/* Names of the expressions in order ("meta", "cmp", "immediate", ...),
	 * comma-separated and truncated to fit: enough to say why a rule matters. */
	char exprs[192];
	bool verdict_drop;	/* carries a drop/reject verdict */
	bool ct_established;	/* matches ct state established */
};

/* A legacy iptables table that holds rules (x_tables). */
struct tna_ipt_table {
	uint8_t family;		/* NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_ARP, NFPROTO_BRIDGE */
	char name[TNA_NAME_MAX];
};

enum tna_tc_type {
	TNA_TC_QDISC,
	TNA_TC_CLASS,
	TNA_TC_FILTER,
};

struct tna_tc {
	enum tna_tc_type type;
	int ifindex;
	uint32_t handle;
	uint32_t parent;
	char kind[TNA_NAME_MAX];
	uint16_t protocol;	/* filters: ETH_P_* in host order */
	uint16_t prio;		/* filters */
	uint32_t chain;		/* filters */
};

struct tna_obj {
	enum tna_obj_kind kind;
	union {
		struct tna_link link;
		struct tna_addr addr;
		struct tna_route route;
		struct tna_rule rule;
		struct tna_neigh neigh;
		struct tna_fdb fdb;
		struct tna_netconf netconf;
		struct tna_listener listener;
		struct tna_nft_table nft_table;
		struct tna_nft_chain nft_chain;
		struct tna_nft_rule nft_rule;
		struct tna_ipt_table ipt_table;
		struct tna_tc tc;
	};
};

const char *tna_obj_kind_name(enum tna_obj_kind kind);

/*
 * Where decoded objects go. A full dump of one kind (at start or after a lost
 * event) is bracketed by resync_begin/resync_end: every object of that kind not
 * upserted in between is gone from the kernel and must be dropped by the sink.
 */
struct tna_sink {
	void (*upsert)(void *ctx, const struct tna_obj *obj);
	void (*remove)(void *ctx, const struct tna_obj *obj);
	void (*resync_begin)(void *ctx, enum tna_obj_kind kind);
	void (*resync_end)(void *ctx, enum tna_obj_kind kind);
	void *ctx;
};

#endif
