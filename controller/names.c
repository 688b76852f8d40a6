// SPDX-License-Identifier: GPL-2.0
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/fib_rules.h>
#include <sys/socket.h>
#include <stdio.h>

#include "controller/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct name {
	uint32_t value;
	const char *name;
};

static const char *lookup(const struct name *t, size_t n, uint32_t value, char *buf)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	snprintf(buf, NAMES_BUF, "%u", value);
	return buf;
}

#define LOOKUP(table, value, buf) lookup(table, ARRAY_SIZE(table), value, buf)

static const struct name families[] = {
	{ AF_INET, "inet" },
	{ AF_INET6, "inet6" },
	{ AF_BRIDGE, "bridge" },
};

const char *names_family(uint8_t af, char *buf)
{
	return LOOKUP(families, af, buf);
}

static const struct name route_tables[] = {
	{ RT_TABLE_UNSPEC, "unspec" },
	{ RT_TABLE_DEFAULT, "default" },
	{ RT_TABLE_MAIN, "main" },
	{ RT_TABLE_LOCAL, "local" },
};

const char *names_route_table(uint32_t table, char *buf)
{
	return LOOKUP(route_tables, table, buf);
}

static const struct name route_types[] = {
	{ RTN_UNSPEC, "none" },		{ RTN_UNICAST, "unicast" },
	{ RTN_LOCAL, "local" },		{ RTN_BROADCAST, "broadcast" },
	{ RTN_ANYCAST, "anycast" },	{ RTN_MULTICAST, "multicast" },
	{ RTN_BLACKHOLE, "blackhole" }, { RTN_UNREACHABLE, "unreachable" },
	{ RTN_PROHIBIT, "prohibit" },	{ RTN_THROW, "throw" },
	{ RTN_NAT, "nat" },		{ RTN_XRESOLVE, "xresolve" },
};

const char *names_route_type(uint8_t type, char *buf)
{
	return LOOKUP(route_types, type, buf);
}

/* As in /etc/iproute2/rt_protos, which `ip` reads. */
static const struct name route_protocols[] = {
	{ 0, "unspec" },     { 1, "redirect" }, { 2, "kernel" },  { 3, "boot" },
	{ 4, "static" },     { 8, "gated" },	{ 9, "ra" },	  { 10, "mrt" },
	{ 11, "zebra" },     { 12, "bird" },	{ 13, "dnrouted" }, { 14, "xorp" },
	{ 15, "ntk" },	     { 16, "dhcp" },	{ 18, "keepalived" }, { 42, "babel" },
	{ 99, "openr" },     { 186, "bgp" },	{ 187, "isis" },  { 188, "ospf" },
	{ 189, "rip" },	     { 192, "eigrp" },
};

const char *names_route_protocol(uint8_t protocol, char *buf)
{
	return LOOKUP(route_protocols, protocol, buf);
}

static const struct name scopes[] = {
	{ RT_SCOPE_UNIVERSE, "global" }, { RT_SCOPE_SITE, "site" },
	{ RT_SCOPE_LINK, "link" },	 { RT_SCOPE_HOST, "host" },
	{ RT_SCOPE_NOWHERE, "nowhere" },
};

const char *names_scope(uint8_t scope, char *buf)
{
	return LOOKUP(scopes, scope, buf);
}

static const struct name rule_actions[] = {
	{ FR_ACT_TO_TBL, "lookup" },	  { FR_ACT_GOTO, "goto" },
	{ FR_ACT_NOP, "nop" },		  { FR_ACT_BLACKHOLE, "blackhole" },
	{ FR_ACT_UNREACHABLE, "unreachable" }, { FR_ACT_PROHIBIT, "prohibit" },
};

const char *names_rule_action(uint8_t action, char *buf)
{
	return LOOKUP(rule_actions, action, buf);
}

static const struct name operstates[] = {
	{ IF_OPER_UNKNOWN, "UNKNOWN" },
	{ IF_OPER_NOTPRESENT, "NOTPRESENT" },
	{ IF_OPER_DOWN, "DOWN" },
	{ IF_OPER_LOWERLAYERDOWN, "LOWERLAYERDOWN" },
	{ IF_OPER_TESTING, "TESTING" },
	{ IF_OPER_DORMANT, "DORMANT" },
	{ IF_OPER_UP, "UP" },
};

const char *names_operstate(uint8_t operstate, char *buf)
{
	return LOOKUP(operstates, operstate, buf);
}

static const struct name xdp_modes[] = {
	{ XDP_ATTACHED_DRV, "native" },
	{ XDP_ATTACHED_SKB, "generic" },
	{ XDP_ATTACHED_HW, "offload" },
	{ XDP_ATTACHED_MULTI, "multi" },
};

const char *names_xdp_mode(uint8_t mode, char *buf)
{
	return LOOKUP(xdp_modes, mode, buf);
}

/* BR_STATE_* from linux/if_bridge.h. */
static const struct name brport_states[] = {
	{ 0, "disabled" }, { 1, "listening" }, { 2, "learning" },
	{ 3, "forwarding" }, { 4, "blocking" },
};

const char *names_brport_state(uint8_t state, char *buf)
{
	return LOOKUP(brport_states, state, buf);
}

static const struct name nft_families[] = {
	{ NFPROTO_INET, "inet" },     { NFPROTO_IPV4, "ip" },	  { NFPROTO_ARP, "arp" },
	{ NFPROTO_NETDEV, "netdev" }, { NFPROTO_BRIDGE, "bridge" }, { NFPROTO_IPV6, "ip6" },
};

const char *names_nft_family(uint8_t nfproto, char *buf)
{
	return LOOKUP(nft_families, nfproto, buf);
}

static const struct name inet_hooks[] = {
	{ NF_INET_PRE_ROUTING, "prerouting" }, { NF_INET_LOCAL_IN, "input" },
	{ NF_INET_FORWARD, "forward" },	       { NF_INET_LOCAL_OUT, "output" },
	{ NF_INET_POST_ROUTING, "postrouting" }, { NF_INET_INGRESS, "ingress" },
};

static const struct name netdev_hooks[] = {
	{ NF_NETDEV_INGRESS, "ingress" },
	{ NF_NETDEV_EGRESS, "egress" },
};

/* NF_ARP_IN, NF_ARP_OUT, NF_ARP_FORWARD. */
static const struct name arp_hooks[] = {
	{ 0, "input" },
	{ 1, "output" },
	{ 2, "forward" },
};

const char *names_nft_hook(uint8_t nfproto, uint32_t hooknum, char *buf)
{
	if (nfproto == NFPROTO_NETDEV)
		return LOOKUP(netdev_hooks, hooknum, buf);
	if (nfproto == NFPROTO_ARP)
		return LOOKUP(arp_hooks, hooknum, buf);
	return LOOKUP(inet_hooks, hooknum, buf);
}

static const struct name nft_policies[] = {
	{ NF_DROP, "drop" },
	{ NF_ACCEPT, "accept" },
};

const char *names_nft_policy(uint32_t policy, char *buf)
{
	return LOOKUP(nft_policies, policy, buf);
}

/* As in /etc/protocols' ethernet section, which tc reads. */
static const struct name eth_protos[] = {
	{ 0x0003, "all" }, { 0x0800, "ip" },	 { 0x0806, "arp" },
	{ 0x86dd, "ipv6" }, { 0x8100, "802.1Q" }, { 0x88a8, "802.1ad" },
};

const char *names_eth_proto(uint16_t proto, char *buf)
{
	for (size_t i = 0; i < ARRAY_SIZE(eth_protos); i++)
		if (eth_protos[i].value == proto)
			return eth_protos[i].name;
	snprintf(buf, NAMES_BUF, "0x%04x", proto);
	return buf;
}

const char *names_tc_handle(uint32_t handle, char *buf)
{
	if (handle == TC_H_ROOT)
		return "root";
	if (handle == TC_H_INGRESS)
		return "ingress";
	if (!TC_H_MIN(handle))
		snprintf(buf, NAMES_BUF, "%x:", TC_H_MAJ(handle) >> 16);
	else if (!TC_H_MAJ(handle))
		snprintf(buf, NAMES_BUF, ":%x", TC_H_MIN(handle));
	else
		snprintf(buf, NAMES_BUF, "%x:%x", TC_H_MAJ(handle) >> 16, TC_H_MIN(handle));
	return buf;
}

static const struct name nud_bits[] = {
	{ NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" },
	{ NUD_STALE, "STALE" },		  { NUD_DELAY, "DELAY" },
	{ NUD_PROBE, "PROBE" },		  { NUD_FAILED, "FAILED" },
	{ NUD_NOARP, "NOARP" },		  { NUD_PERMANENT, "PERMANENT" },
};

const char *names_nud_bit(uint16_t bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(nud_bits); i++)
		if (nud_bits[i].value == bit)
			return nud_bits[i].name;
	return NULL;
}

/* As `bridge fdb` spells them. */
static const struct name ntf_bits[] = {
	{ NTF_USE, "use" },	    { NTF_SELF, "self" },	 { NTF_MASTER, "master" },
	{ NTF_PROXY, "proxy" },	    { NTF_EXT_LEARNED, "extern_learn" },
	{ NTF_OFFLOADED, "offload" }, { NTF_ROUTER, "router" },
};

const char *names_ntf_bit(uint8_t bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(ntf_bits); i++)
		if (ntf_bits[i].value == bit)
			return ntf_bits[i].name;
	return NULL;
}
