/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the maps the daemon creates once and every program reuses: the
 * egress devmap, the FDB mirror, the port table, the per-CPU counters, and
 * zstack's steering table and AF_XDP socket map.
 * Shared by BPF (bpf/maps.bpf.h defines the maps) and user space
 * (bpf/maps_user.h creates, fills and reads them).
 */
#ifndef TNA_BPF_MAPS_H
#define TNA_BPF_MAPS_H

#include <linux/types.h>

#include "bpf/fpm_id.h"
#include "bpf/punt.h"

/* Devmap of egress ports: key and value are the port's ifindex. */
#define TNA_DEVMAP_MAX 1024

/*
 * FDB mirror: one entry per kernel FDB entry of an accelerated bridge. vlan is
 * 0 while bridges run without VLAN filtering (the only case accelerated).
 */
#define TNA_FDB_MAX 65536

struct tna_fdb_key {
	__u32 bridge;		/* ifindex of the bridge */
	__u8 mac[6];
	__u16 vlan;
};

#define TNA_FDB_F_LOCAL (1U << 0)	/* NUD_PERMANENT: the host's own address */
#define TNA_FDB_F_STATIC (1U << 1)	/* NUD_NOARP: added by the user, never ages */

/*
 * seen_ns: last time a forwarded frame came *from* this MAC on its port with
 * learning on — the kernel would have refreshed the entry's ageing
 * ("updated"). The daemon refreshes exactly these entries.
 * used_ns: last time a forwarded frame went *to* this MAC — the kernel's "used",
 * which does not affect ageing. Both are CLOCK_MONOTONIC_COARSE
 * (bpf_ktime_get_coarse_ns(): CLOCK_MONOTONIC as of the last tick, the
 * resolution of the kernel's own jiffies stamps) and written at most once per
 * TNA_FDB_TOUCH_NS per entry, so they are that coarse, and never ahead of
 * CLOCK_MONOTONIC.
 */
struct tna_fdb_val {
	__u32 port;		/* ifindex of the port; the bridge itself for its own MAC */
	__u32 port_slot;	/* the port's slot in tna_ports; TNA_PORT_SLOT_NONE if none */
	__u32 flags;		/* TNA_FDB_F_* */
	__u32 pad;
	__u64 seen_ns;
	__u64 used_ns;
};

#define TNA_FDB_TOUCH_NS 10000000ULL

/*
 * Port table: an ARRAY indexed by port slot, so the fast path reads it without
 * hashing. The daemon gives each interface it accelerates a slot for as long
 * as the interface exists; a pipeline finds its own port through its
 * tna_prog_cfg.portslot and an egress port through the FDB mirror's
 * port_slot. An entry names the port that owns the slot (ifindex), and a
 * reader takes it for that port only: a slot read through a stale reference
 * (a FDB entry or a program older than the slot's current owner) then finds
 * another port, or the zeroed entry of a free slot, and the frame goes to the
 * kernel. The daemon zeroes an entry before its slot is free again.
 */
#define TNA_PORTS_MAX 1024
#define TNA_PORT_SLOT_NONE 0xffffffffU	/* no slot: beyond the array, every lookup misses */

/* May receive redirected frames: up, in the devmap, its peer can take XDP
 * frames, and nothing on its egress (qdisc, tap) that a redirect would skip. */
#define TNA_PORT_F_READY (1U << 0)
#define TNA_PORT_F_LEARNING (1U << 1)		/* BR_LEARNING */
#define TNA_PORT_F_ISOLATED (1U << 2)		/* BR_ISOLATED */
#define TNA_PORT_F_LOCKED (1U << 3)		/* BR_PORT_LOCKED (or MAB) */
/* The bridge device is promiscuous: the kernel delivers a copy of every
 * forwarded frame to it (tcpdump on the bridge). Set on every port of it. */
#define TNA_PORT_F_BR_PROMISC (1U << 4)
/* Some port of the bridge has neigh_suppress, proxy_arp or proxy_arp_wifi, so
 * the kernel may answer or filter ARP and ND. Set on every port of it. */
#define TNA_PORT_F_NEIGH_PROXY (1U << 5)
/* br_netfilter's IPv4 (IPv6, ARP) path is on for the bridge: br_netfilter is
 * loaded and its bridge-nf-call-iptables (ip6tables, arptables) sysctl or the
 * bridge's own nf_call_* option is on. Even without a rule it then drops IP
 * frames whose header is invalid, trims Ethernet padding off IP frames,
 * refragments IP longer than the egress MTU, and drops ARP shorter than its
 * header (fpm/br_nf_check.h). Set on every port of the bridge. */
#define TNA_PORT_F_BR_NF_CHECK_IPV4 (1U << 6)
#define TNA_PORT_F_BR_NF_CHECK_IPV6 (1U << 7)
#define TNA_PORT_F_BR_NF_CHECK_ARP (1U << 8)
/* ...and ip (ip6, arp) rules or conntrack see that bridged traffic: the fast
 * path runs neither, so all of it is left to Linux. Set on every port of the
 * bridge (the planner sets the CHECK flag with it). */
#define TNA_PORT_F_BR_NF_IPV4 (1U << 9)
#define TNA_PORT_F_BR_NF_IPV6 (1U << 10)
#define TNA_PORT_F_BR_NF_ARP (1U << 11)

struct tna_port {
	__u32 ifindex;		/* the port owning the slot; 0 when free (and in plans) */
	__u32 bridge;		/* ifindex of the bridge it belongs to */
	__u32 mtu;		/* of the port's device, for the egress size check */
	__u16 flags;		/* TNA_PORT_F_* */
	__u8 state;		/* BR_STATE_* */
	__u8 pad;
};

/*
 * Counters: a PERCPU_ARRAY of __u64 packet counts. Each program has an
 * interface slot (struct tna_prog_cfg, set at load) and counts one outcome per
 * packet, at the FPM that decided it:
 *
 *   index = (slot * TNA_CNT_FPMS + fpm id) * TNA_CNT_OUTCOMES + outcome
 *
 * outcome 0 is "redirected", any other is the punt reason. The number of slots
 * is max_entries / TNA_CNT_STRIDE, chosen by the daemon when it creates the
 * map. Packets an FPM handled = its own outcomes plus those of every later FPM
 * of the same pipeline (the plan gives the order).
 */
#define TNA_CNT_FPMS 16
#define TNA_CNT_OUTCOMES 64
#define TNA_CNT_STRIDE (TNA_CNT_FPMS * TNA_CNT_OUTCOMES)

_Static_assert(FPM_ID_MAX <= TNA_CNT_FPMS, "FPM ids outgrow the counter layout");
_Static_assert(TNA_PUNT_MAX <= TNA_CNT_OUTCOMES, "punt reasons outgrow the counter layout");

static inline __u32 tna_counter_index(__u32 slot, __u32 fpm, __u32 outcome)
{
	return (slot * TNA_CNT_FPMS + fpm) * TNA_CNT_OUTCOMES + outcome;
}

/*
 * zstack steering. tna_zs_steer holds one entry per local TCP endpoint an
 * application registered on an interface (listening or connecting): the port
 * is reserved against the kernel, so the kernel could only have answered
 * these segments with a RST. tna_xskmap holds the applications' AF_XDP
 * sockets, TNA_XSK_QUEUES entries per interface slot:
 *
 *   index = slot * TNA_XSK_QUEUES + rx queue
 *
 * where slot is the program's tna_prog_cfg.ifslot, the same as the counters'.
 */
#define TNA_XSK_QUEUES 64
#define TNA_ZS_STEER_MAX 16384

/* The values of AF_INET and AF_INET6, which BPF programs cannot include. */
#define TNA_AF_INET 2
#define TNA_AF_INET6 10

struct tna_zs_key {
	__u32 ifindex;		/* the interface the application's sockets are bound to */
	__u8 family;		/* TNA_AF_INET; TNA_AF_INET6 designed in */
	__u8 pad;
	__be16 port;		/* local port, network order */
	__u8 addr[16];		/* local address, network order; IPv4 in the first 4 bytes */
};

struct tna_zs_val {
	__u32 app;		/* the application's id (zs-register) */
	__u32 flags;		/* TNA_ZS_F_* */
};

#define TNA_ZS_F_LISTEN (1U << 0)	/* a listener; else a connection's local port */

static inline __u32 tna_xsk_index(__u32 slot, __u32 queue)
{
	return slot * TNA_XSK_QUEUES + queue;
}

/* Per-program constants, in the object's ".rodata.tna" section: the verifier
 * sees them as constants, and one compiled object serves every interface. */
#define TNA_CFG_SECTION ".rodata.tna"

struct tna_prog_cfg {
	__u32 ifslot;		/* counter slot of the interface this program runs on */
	__u32 portslot;		/* its port table slot; TNA_PORT_SLOT_NONE if it has none */
};

#endif
