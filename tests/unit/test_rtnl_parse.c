// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink parsers against messages built here the way the kernel builds
 * them: every decoded field is checked, and malformed or truncated messages
 * must come back as -errno, never as a crash or a half-filled object.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
/* net/if.h first: linux/if.h then leaves out what glibc already defined. */
#include <net/if.h>
#include <linux/if.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"
#include "tests/check.h"

typedef int (*parse_fn)(const struct nlmsghdr *nlh, struct tna_obj *out);

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static struct nlmsghdr *msg_start(char *buf, uint16_t type, void **hdr, size_t hdrlen)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint8_t family, int ifindex,
				 const char *name)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = msg_start(buf, type, (void **)&ifi, sizeof(*ifi));

	ifi->ifi_family = family;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOWER_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac_a), mac_a);
	return nlh;
}

static bool ip_is(const struct tna_ip *ip, int family, const char *text)
{
	struct tna_ip want = { .family = family };

	if (inet_pton(family, text, want.bytes) != 1)
		return false;
	return memcmp(ip, &want, sizeof(want)) == 0;
}

static void put_brport(struct nlmsghdr *nlh, uint16_t type, uint8_t state, bool on)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u8(nlh, IFLA_BRPORT_STATE, state);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_LEARNING, on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_UNICAST_FLOOD, on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MCAST_FLOOD, !on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_BCAST_FLOOD, on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_NEIGH_SUPPRESS, !on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_PROXYARP, on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_PROXYARP_WIFI, !on);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_LOCKED, on);
	/* IFLA_BRPORT_MAB (Linux 6.2), which this uapi header may not name. */
	mnl_attr_put_u8(nlh, IFLA_BRPORT_LOCKED + 1, !on);
	mnl_attr_put_u32(nlh, IFLA_BRPORT_COST, 100);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * Every prefix of a valid message, cut at any length, must parse to 0, a skip,
 * or -errno; none may read past the length it was given (run under ASan to see).
 */
static void check_truncations(const char *what, parse_fn parse, const struct nlmsghdr *full)
{
	uint32_t len;
	bool sane = true;
	int ret_short = 0;

	for (len = MNL_NLMSG_HDRLEN; len < full->nlmsg_len; len++) {
		/* Exactly len bytes, so a read past them is a heap overflow. */
		struct nlmsghdr *nlh = malloc(len);
		struct tna_obj obj;
		int ret;

		memcpy(nlh, full, len);
		nlh->nlmsg_len = len;
		ret = parse(nlh, &obj);
		if (ret != 0 && ret != RTNL_SKIP && ret >= 0)
			sane = false;
		if (len == MNL_NLMSG_HDRLEN)
			ret_short = ret;
		free(nlh);
	}
	CHECK(sane, "%s: every truncation parses to 0, skip or -errno", what);
	CHECK(ret_short == -EINVAL, "%s: a header without its family header is rejected (got %d)",
	      what, ret_short);
}

static void test_bridge(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 3, "br0");
	struct nlattr *info, *data;
	struct tna_obj obj;
	struct tna_link *l = &obj.link;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_AGEING_TIME, 30000);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 1);
	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 1500);
	mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, 1);
	mnl_attr_put_u8(nlh, IFLA_BR_NF_CALL_IPTABLES, 1);
	mnl_attr_put_u8(nlh, IFLA_BR_NF_CALL_IP6TABLES, 0);
	mnl_attr_put_u8(nlh, IFLA_BR_NF_CALL_ARPTABLES, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);

	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "bridge: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_LINK, "bridge: kind link");
	CHECK_EQ_INT(l->ifindex, 3, "bridge: ifindex");
	CHECK_EQ_STR(l->name, "br0", "bridge: name");
	CHECK_EQ_STR(l->kind, "bridge", "bridge: link kind");
	CHECK_EQ_STR(l->slave_kind, "", "bridge: no slave kind");
	CHECK_EQ_INT(l->flags, IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOWER_UP,
		     "bridge: flags");
	CHECK_EQ_INT(l->operstate, IF_OPER_UP, "bridge: operstate");
	CHECK_EQ_INT(l->mtu, 1500, "bridge: mtu");
	CHECK_EQ_INT(l->arptype, ARPHRD_ETHER, "bridge: arptype");
	CHECK(l->mac_len == 6 && memcmp(l->mac, mac_a, 6) == 0, "bridge: mac");
	CHECK_EQ_INT(l->master, 0, "bridge: no master");
	CHECK_EQ_INT(l->link, 0, "bridge: no IFLA_LINK");
	CHECK_EQ_INT(l->link_netnsid, -1, "bridge: no peer namespace");
	CHECK_EQ_INT(l->xdp_prog_id, 0, "bridge: no XDP");
	CHECK(l->is_bridge, "bridge: bridge data present");
	CHECK_EQ_INT(l->bridge.ageing_time_cs, 30000, "bridge: ageing time");
	CHECK_EQ_INT(l->bridge.stp_state, 1, "bridge: STP state");
	CHECK_EQ_INT(l->bridge.forward_delay_cs, 1500, "bridge: forward delay");
	CHECK(l->bridge.vlan_filtering, "bridge: VLAN filtering");
	CHECK(l->bridge.nf_call_iptables && !l->bridge.nf_call_ip6tables &&
	      l->bridge.nf_call_arptables,
	      "bridge: nf_call_iptables on, nf_call_ip6tables off, nf_call_arptables on");
	CHECK(!l->is_brport, "bridge: not a port");
	check_truncations("bridge", link_parse, nlh);
}

/* A veth enslaved to br0 (3), the way an AF_UNSPEC dump describes it. */
static struct nlmsghdr *port_msg(char *buf)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 4, "veth0");
	struct nlattr *info;

	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_u32(nlh, IFLA_LINK, 5);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	put_brport(nlh, IFLA_INFO_SLAVE_DATA, BR_STATE_FORWARDING, true);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

static void test_bridge_port(struct tna_link *port)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = port_msg(buf);
	struct tna_obj obj;
	struct tna_link *l = &obj.link;

	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "port: parses");
	CHECK_EQ_STR(l->kind, "veth", "port: link kind");
	CHECK_EQ_STR(l->slave_kind, "bridge", "port: slave kind");
	CHECK_EQ_INT(l->master, 3, "port: master");
	CHECK_EQ_INT(l->link, 5, "port: veth peer");
	CHECK_EQ_INT(l->link_netnsid, -1, "port: peer in this namespace");
	CHECK(!l->is_bridge, "port: not a bridge");
	CHECK(l->is_brport, "port: port data present");
	CHECK_EQ_INT(l->brport.state, BR_STATE_FORWARDING, "port: STP state");
	CHECK(l->brport.learning, "port: learning");
	CHECK(l->brport.unicast_flood, "port: unicast flood");
	CHECK(!l->brport.mcast_flood, "port: multicast flood off");
	CHECK(l->brport.bcast_flood, "port: broadcast flood");
	CHECK(l->brport.hairpin, "port: hairpin");
	CHECK(l->brport.isolated, "port: isolated");
	CHECK(!l->brport.neigh_suppress, "port: neighbour suppression off");
	CHECK(l->brport.proxyarp && !l->brport.proxyarp_wifi,
	      "port: proxy_arp on, proxy_arp_wifi off");
	CHECK(l->brport.locked && !l->brport.mab, "port: locked on, mab off");
	check_truncations("port", link_parse, nlh);
	*port = *l;
}

/* STP moves a port to blocking and announces it as AF_BRIDGE with IFLA_PROTINFO. */
static void test_protinfo(const struct tna_link *port)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, AF_BRIDGE, 4, "veth0");
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct tna_link merged = *port;
	struct tna_obj obj;

	ifi->ifi_flags = IFF_BROADCAST;
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	put_brport(nlh, IFLA_PROTINFO | NLA_F_NESTED, BR_STATE_BLOCKING, false);

	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "protinfo: parses");
	CHECK(obj.link.is_brport, "protinfo: port state decoded");
	CHECK_EQ_INT(obj.link.brport.state, BR_STATE_BLOCKING, "protinfo: blocking");
	CHECK_EQ_STR(obj.link.kind, "", "protinfo: carries no link kind");

	link_merge_port(&merged, &obj.link);
	CHECK_EQ_STR(merged.kind, "veth", "merged: link kind kept");
	CHECK_EQ_INT(merged.link, 5, "merged: veth peer kept");
	CHECK_EQ_INT(merged.master, 3, "merged: master");
	CHECK_EQ_INT(merged.flags, IFF_BROADCAST, "merged: flags follow the message");
	CHECK_EQ_INT(merged.brport.state, BR_STATE_BLOCKING, "merged: STP state");
	CHECK(!merged.brport.learning && !merged.brport.hairpin && merged.brport.mcast_flood,
	      "merged: port flags follow the message");
	CHECK(!obj.link.brport.locked && obj.link.brport.mab && !obj.link.brport.proxyarp &&
	      obj.link.brport.proxyarp_wifi,
	      "protinfo: locked, mab, proxy_arp and proxy_arp_wifi decoded");
	CHECK(!merged.brport.locked && merged.brport.mab && merged.brport.proxyarp_wifi,
	      "merged: locked, mab and proxy_arp_wifi follow the message");
	check_truncations("protinfo", link_parse, nlh);

	/* The bridge's own AF_BRIDGE message has no IFLA_PROTINFO. */
	nlh = link_msg(buf, RTM_NEWLINK, AF_BRIDGE, 4, "veth0");
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "bridge-only AF_BRIDGE message parses");
	link_merge_port(&merged, &obj.link);
	CHECK_EQ_INT(merged.brport.state, BR_STATE_BLOCKING,
		     "merged: port state kept without PROTINFO");
}

static void test_veth_netns(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 7, "veth-out");
	struct nlattr *info;
	struct tna_obj obj;

	mnl_attr_put_u32(nlh, IFLA_LINK, 12);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 1);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, info);

	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "veth: parses");
	CHECK_EQ_STR(obj.link.kind, "veth", "veth: kind");
	CHECK_EQ_INT(obj.link.link, 12, "veth: peer ifindex");
	CHECK_EQ_INT(obj.link.link_netnsid, 1, "veth: peer netnsid");
	CHECK(!obj.link.is_brport && !obj.link.is_bridge, "veth: neither bridge nor port");
}

static void test_xdp(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 8, "eth0");
	struct nlattr *xdp;
	struct tna_obj obj;

	xdp = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_DRV);
	mnl_attr_put_u32(nlh, IFLA_XDP_PROG_ID, 42);
	mnl_attr_nest_end(nlh, xdp);
	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "xdp: parses");
	CHECK_EQ_INT(obj.link.xdp_attach_mode, XDP_ATTACHED_DRV, "xdp: native mode");
	CHECK_EQ_INT(obj.link.xdp_prog_id, 42, "xdp: program id");
	CHECK_EQ_STR(obj.link.kind, "", "xdp: physical device has no kind");
	check_truncations("xdp", link_parse, nlh);

	nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 8, "eth0");
	xdp = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_MULTI);
	mnl_attr_put_u32(nlh, IFLA_XDP_SKB_PROG_ID, 8);
	mnl_attr_put_u32(nlh, IFLA_XDP_DRV_PROG_ID, 7);
	mnl_attr_nest_end(nlh, xdp);
	CHECK_EQ_INT(link_parse(nlh, &obj), 0, "xdp multi: parses");
	CHECK_EQ_INT(obj.link.xdp_attach_mode, XDP_ATTACHED_MULTI, "xdp multi: mode");
	CHECK_EQ_INT(obj.link.xdp_prog_id, 7, "xdp multi: the driver program is reported");
}

static struct nlmsghdr *addr_msg(char *buf, uint8_t family, uint8_t prefixlen, uint8_t scope)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWADDR, (void **)&ifa, sizeof(*ifa));

	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_scope = scope;
	ifa->ifa_index = 3;
	return nlh;
}

static void put_ip(struct nlmsghdr *nlh, uint16_t type, int family, const char *text)
{
	uint8_t bytes[16];

	inet_pton(family, text, bytes);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, bytes);
}

static void test_addresses(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = addr_msg(buf, AF_INET, 24, RT_SCOPE_UNIVERSE);
	struct tna_obj obj;
	struct tna_addr *a = &obj.addr;

	put_ip(nlh, IFA_ADDRESS, AF_INET, "10.0.0.1");
	put_ip(nlh, IFA_LOCAL, AF_INET, "10.0.0.1");
	mnl_attr_put_strz(nlh, IFA_LABEL, "br0");
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	CHECK_EQ_INT(addr_parse(nlh, &obj), 0, "ipv4 address: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_ADDR, "ipv4 address: kind");
	CHECK_EQ_INT(a->ifindex, 3, "ipv4 address: ifindex");
	CHECK(ip_is(&a->addr, AF_INET, "10.0.0.1"), "ipv4 address: address");
	CHECK_EQ_INT(a->peer.family, 0, "ipv4 address: no peer");
	CHECK_EQ_INT(a->prefixlen, 24, "ipv4 address: prefix length");
	CHECK_EQ_INT(a->scope, RT_SCOPE_UNIVERSE, "ipv4 address: scope");
	CHECK_EQ_INT(a->flags, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE,
		     "ipv4 address: flags beyond 8 bits from IFA_FLAGS");
	CHECK_EQ_STR(a->label, "br0", "ipv4 address: label");
	check_truncations("ipv4 address", addr_parse, nlh);

	nlh = addr_msg(buf, AF_INET, 32, RT_SCOPE_UNIVERSE);
	put_ip(nlh, IFA_LOCAL, AF_INET, "10.9.0.1");
	put_ip(nlh, IFA_ADDRESS, AF_INET, "10.9.0.2");
	CHECK_EQ_INT(addr_parse(nlh, &obj), 0, "point-to-point address: parses");
	CHECK(ip_is(&a->addr, AF_INET, "10.9.0.1"), "point-to-point address: local");
	CHECK(ip_is(&a->peer, AF_INET, "10.9.0.2"), "point-to-point address: peer");

	nlh = addr_msg(buf, AF_INET6, 64, RT_SCOPE_LINK);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags = IFA_F_PERMANENT;
	put_ip(nlh, IFA_ADDRESS, AF_INET6, "fe80::1");
	CHECK_EQ_INT(addr_parse(nlh, &obj), 0, "ipv6 address: parses");
	CHECK(ip_is(&a->addr, AF_INET6, "fe80::1"),
	      "ipv6 address: IFA_ADDRESS alone is the address");
	CHECK_EQ_INT(a->prefixlen, 64, "ipv6 address: prefix length");
	CHECK_EQ_INT(a->scope, RT_SCOPE_LINK, "ipv6 address: scope link");
	CHECK_EQ_INT(a->flags, IFA_F_PERMANENT, "ipv6 address: flags from ifa_flags");
	CHECK_EQ_INT(a->peer.family, 0, "ipv6 address: no peer");

	nlh = addr_msg(buf, AF_INET, 24, RT_SCOPE_UNIVERSE);
	mnl_attr_put_u16(nlh, IFA_LOCAL, 7);
	CHECK_EQ_INT(addr_parse(nlh, &obj), -EINVAL, "ipv4 address of 2 bytes is rejected");
	nlh = addr_msg(buf, AF_INET, 24, RT_SCOPE_UNIVERSE);
	CHECK_EQ_INT(addr_parse(nlh, &obj), -EINVAL,
		     "an address message without an address is rejected");
}

static struct nlmsghdr *route_msg(char *buf, uint8_t family, uint8_t dst_len, uint32_t flags)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWROUTE, (void **)&rtm, sizeof(*rtm));

	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_COMPAT;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = flags;
	return nlh;
}

static void put_nexthop(struct nlmsghdr *nlh, int ifindex, uint8_t hops, const char *gw)
{
	struct rtnexthop *rtnh = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtnh));

	rtnh->rtnh_ifindex = ifindex;
	rtnh->rtnh_hops = hops;
	put_ip(nlh, RTA_GATEWAY, AF_INET, gw);
	rtnh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)rtnh;
}

static void test_routes(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = route_msg(buf, AF_INET, 16, 0);
	struct tna_obj obj;
	struct tna_route *r = &obj.route;
	struct nlattr *mp;

	put_ip(nlh, RTA_DST, AF_INET, "10.1.0.0");
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	put_ip(nlh, RTA_PREFSRC, AF_INET, "10.0.0.1");
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	put_nexthop(nlh, 3, 0, "10.0.0.2");
	put_nexthop(nlh, 4, 2, "10.0.1.2");
	mnl_attr_nest_end(nlh, mp);

	CHECK_EQ_INT(route_parse(nlh, &obj), 0, "multipath route: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_ROUTE, "multipath route: kind");
	CHECK_EQ_INT(r->family, AF_INET, "multipath route: family");
	CHECK_EQ_INT(r->table, 1000, "multipath route: RTA_TABLE beats rtm_table");
	CHECK(ip_is(&r->dst, AF_INET, "10.1.0.0"), "multipath route: dst");
	CHECK_EQ_INT(r->dst_len, 16, "multipath route: dst length");
	CHECK(ip_is(&r->prefsrc, AF_INET, "10.0.0.1"), "multipath route: prefsrc");
	CHECK_EQ_INT(r->src.family, 0, "multipath route: no source prefix");
	CHECK_EQ_INT(r->priority, 20, "multipath route: metric");
	CHECK_EQ_INT(r->protocol, RTPROT_STATIC, "multipath route: protocol");
	CHECK_EQ_INT(r->type, RTN_UNICAST, "multipath route: type");
	CHECK_EQ_INT(r->scope, RT_SCOPE_UNIVERSE, "multipath route: scope");
	CHECK_EQ_INT(r->oif, 0, "multipath route: no single oif");
	CHECK_EQ_INT(r->gateway.family, 0, "multipath route: no single gateway");
	CHECK_EQ_INT(r->nexthop_count, 2, "multipath route: two next hops");
	CHECK_EQ_INT(r->nexthops[0].ifindex, 3, "next hop 1: device");
	CHECK(ip_is(&r->nexthops[0].gateway, AF_INET, "10.0.0.2"), "next hop 1: gateway");
	CHECK_EQ_INT(r->nexthops[0].weight, 1, "next hop 1: weight");
	CHECK_EQ_INT(r->nexthops[1].ifindex, 4, "next hop 2: device");
	CHECK(ip_is(&r->nexthops[1].gateway, AF_INET, "10.0.1.2"), "next hop 2: gateway");
	CHECK_EQ_INT(r->nexthops[1].weight, 3, "next hop 2: weight is hops + 1");
	check_truncations("multipath route", route_parse, nlh);

	/* A next hop claiming more bytes than the attribute holds. */
	nlh = route_msg(buf, AF_INET, 16, 0);
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	put_nexthop(nlh, 3, 0, "10.0.0.2");
	((struct rtnexthop *)mnl_attr_get_payload(mp))->rtnh_len = 200;
	mnl_attr_nest_end(nlh, mp);
	CHECK_EQ_INT(route_parse(nlh, &obj), -EINVAL, "overlong next hop is rejected");

	nlh = route_msg(buf, AF_INET6, 0, 0);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_table = RT_TABLE_MAIN;
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	put_ip(nlh, RTA_GATEWAY, AF_INET6, "fe80::1");
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
	CHECK_EQ_INT(route_parse(nlh, &obj), 0, "ipv6 default route: parses");
	CHECK(ip_is(&r->dst, AF_INET6, "::"), "ipv6 default route: dst ::");
	CHECK_EQ_INT(r->dst_len, 0, "ipv6 default route: prefix 0");
	CHECK_EQ_INT(r->table, RT_TABLE_MAIN, "ipv6 default route: table from rtm_table");
	CHECK_EQ_INT(r->oif, 3, "ipv6 default route: oif");
	CHECK(ip_is(&r->gateway, AF_INET6, "fe80::1"), "ipv6 default route: gateway");
	CHECK_EQ_INT(r->nexthop_count, 0, "ipv6 default route: single path");

	nlh = route_msg(buf, AF_INET6, 128, RTM_F_CLONED);
	put_ip(nlh, RTA_DST, AF_INET6, "2001:db8::1");
	CHECK_EQ_INT(route_parse(nlh, &obj), RTNL_SKIP, "cloned route is skipped");

	nlh = route_msg(buf, AF_INET, 24, 0);
	put_ip(nlh, RTA_DST, AF_INET6, "2001:db8::");
	CHECK_EQ_INT(route_parse(nlh, &obj), -EINVAL, "IPv6 dst in an IPv4 route is rejected");
}

static void test_rule(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWRULE, (void **)&frh, sizeof(*frh));
	struct tna_obj obj;
	struct tna_rule *r = &obj.rule;

	frh->family = AF_INET;
	frh->src_len = 24;
	frh->dst_len = 8;
	frh->tos = 0x10;
	frh->action = FR_ACT_TO_TBL;
	frh->flags = FIB_RULE_INVERT;
	put_ip(nlh, FRA_SRC, AF_INET, "192.168.1.0");
	put_ip(nlh, FRA_DST, AF_INET, "10.0.0.0");
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 100);
	mnl_attr_put_u32(nlh, FRA_TABLE, 200);
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x10);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xff);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "eth0");
	mnl_attr_put_strz(nlh, FRA_OIFNAME, "eth1");
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, RTPROT_STATIC);

	CHECK_EQ_INT(rule_parse(nlh, &obj), 0, "rule: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_RULE, "rule: kind");
	CHECK_EQ_INT(r->family, AF_INET, "rule: family");
	CHECK_EQ_INT(r->priority, 100, "rule: priority");
	CHECK_EQ_INT(r->table, 200, "rule: table");
	CHECK_EQ_INT(r->action, FR_ACT_TO_TBL, "rule: action");
	CHECK(ip_is(&r->src, AF_INET, "192.168.1.0"), "rule: src");
	CHECK_EQ_INT(r->src_len, 24, "rule: src length");
	CHECK(ip_is(&r->dst, AF_INET, "10.0.0.0"), "rule: dst");
	CHECK_EQ_INT(r->dst_len, 8, "rule: dst length");
	CHECK_EQ_INT(r->tos, 0x10, "rule: tos");
	CHECK_EQ_INT(r->fwmark, 0x10, "rule: fwmark");
	CHECK_EQ_INT(r->fwmask, 0xff, "rule: fwmask");
	CHECK_EQ_STR(r->iifname, "eth0", "rule: iif");
	CHECK_EQ_STR(r->oifname, "eth1", "rule: oif");
	CHECK_EQ_INT(r->flags, FIB_RULE_INVERT, "rule: flags");
	CHECK_EQ_INT(r->protocol, RTPROT_STATIC, "rule: protocol");
	check_truncations("rule", rule_parse, nlh);

	frh->family = RTNL_FAMILY_IPMR;
	CHECK_EQ_INT(rule_parse(nlh, &obj), RTNL_SKIP, "multicast routing rule is skipped");
}

static struct nlmsghdr *neigh_msg(char *buf, uint8_t family, int ifindex, uint16_t state,
				  uint8_t flags)
{
	struct ndmsg *ndm;
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWNEIGH, (void **)&ndm, sizeof(*ndm));

	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	ndm->ndm_flags = flags;
	return nlh;
}

static void test_neigh(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = neigh_msg(buf, AF_INET, 3, NUD_REACHABLE, NTF_ROUTER);
	struct tna_obj obj;
	struct tna_neigh *n = &obj.neigh;

	put_ip(nlh, NDA_DST, AF_INET, "10.0.0.2");
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac_b), mac_b);
	CHECK_EQ_INT(neigh_parse(nlh, &obj), 0, "neighbour: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_NEIGH, "neighbour: kind");
	CHECK_EQ_INT(n->ifindex, 3, "neighbour: ifindex");
	CHECK(ip_is(&n->dst, AF_INET, "10.0.0.2"), "neighbour: dst");
	CHECK(n->lladdr_len == 6 && memcmp(n->lladdr, mac_b, 6) == 0, "neighbour: lladdr");
	CHECK_EQ_INT(n->state, NUD_REACHABLE, "neighbour: state");
	CHECK_EQ_INT(n->flags, NTF_ROUTER, "neighbour: flags");
	check_truncations("neighbour", neigh_parse, nlh);
	CHECK_EQ_INT(fdb_parse(nlh, &obj), RTNL_SKIP, "an IPv4 neighbour is no FDB entry");

	nlh = neigh_msg(buf, AF_INET6, 3, NUD_INCOMPLETE, 0);
	put_ip(nlh, NDA_DST, AF_INET6, "2001:db8::2");
	CHECK_EQ_INT(neigh_parse(nlh, &obj), 0, "incomplete ipv6 neighbour: parses");
	CHECK_EQ_INT(n->lladdr_len, 0, "incomplete ipv6 neighbour: no lladdr yet");
	CHECK(ip_is(&n->dst, AF_INET6, "2001:db8::2"), "incomplete ipv6 neighbour: dst");
}

static void test_fdb(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = neigh_msg(buf, AF_BRIDGE, 4, NUD_REACHABLE, NTF_MASTER);
	struct nda_cacheinfo ci = { .ndm_used = 150, .ndm_updated = 300 };
	struct tna_obj obj;
	struct tna_fdb *f = &obj.fdb;

	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac_b), mac_b);
	mnl_attr_put_u16(nlh, NDA_VLAN, 10);
	mnl_attr_put_u32(nlh, NDA_MASTER, 3);
	mnl_attr_put(nlh, NDA_CACHEINFO, sizeof(ci), &ci);
	CHECK_EQ_INT(fdb_parse(nlh, &obj), 0, "fdb: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_FDB, "fdb: kind");
	CHECK_EQ_INT(f->ifindex, 4, "fdb: port");
	CHECK_EQ_INT(f->master, 3, "fdb: bridge");
	CHECK(memcmp(f->mac, mac_b, 6) == 0, "fdb: mac");
	CHECK_EQ_INT(f->vlan, 10, "fdb: vlan");
	CHECK_EQ_INT(f->state, NUD_REACHABLE, "fdb: state");
	CHECK_EQ_INT(f->flags, NTF_MASTER, "fdb: flags");
	CHECK_EQ_INT(f->used_ticks, 150, "fdb: used ticks");
	CHECK_EQ_INT(f->updated_ticks, 300, "fdb: updated ticks");
	check_truncations("fdb", fdb_parse, nlh);
	CHECK_EQ_INT(neigh_parse(nlh, &obj), RTNL_SKIP, "an FDB entry is no IP neighbour");

	nlh = neigh_msg(buf, AF_BRIDGE, 4, NUD_PERMANENT, NTF_SELF);
	mnl_attr_put(nlh, NDA_LLADDR, 4, mac_b);
	CHECK_EQ_INT(fdb_parse(nlh, &obj), -EINVAL, "fdb: a 4-byte MAC is rejected");
	nlh = neigh_msg(buf, AF_BRIDGE, 4, NUD_PERMANENT, NTF_SELF);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac_b), mac_b);
	mnl_attr_put_u8(nlh, NDA_VLAN, 10);
	CHECK_EQ_INT(fdb_parse(nlh, &obj), -EINVAL, "fdb: a 1-byte VLAN is rejected");
}

static void test_netconf(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct netconfmsg *ncm;
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWNETCONF, (void **)&ncm, sizeof(*ncm));
	struct tna_obj obj;
	struct tna_netconf *nc = &obj.netconf;

	ncm->ncm_family = AF_INET;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, 3);
	mnl_attr_put_u32(nlh, NETCONFA_FORWARDING, 1);
	mnl_attr_put_u32(nlh, NETCONFA_RP_FILTER, 2);
	mnl_attr_put_u32(nlh, NETCONFA_MC_FORWARDING, 0);
	mnl_attr_put_u32(nlh, NETCONFA_PROXY_NEIGH, 1);
	mnl_attr_put_u32(nlh, NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN, 0);
	CHECK_EQ_INT(netconf_parse(nlh, &obj), 0, "netconf: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_NETCONF, "netconf: kind");
	CHECK_EQ_INT(nc->family, AF_INET, "netconf: family");
	CHECK_EQ_INT(nc->ifindex, 3, "netconf: ifindex");
	CHECK_EQ_INT(nc->forwarding, 1, "netconf: forwarding");
	CHECK_EQ_INT(nc->rp_filter, 2, "netconf: rp_filter");
	CHECK_EQ_INT(nc->mc_forwarding, 0, "netconf: mc_forwarding");
	CHECK_EQ_INT(nc->proxy_neigh, 1, "netconf: proxy_neigh");
	CHECK_EQ_INT(nc->ignore_routes_with_linkdown, 0, "netconf: ignore_routes_with_linkdown");
	check_truncations("netconf", netconf_parse, nlh);

	/* A change event carries one setting; "all" is ifindex -1. */
	nlh = msg_start(buf, RTM_NEWNETCONF, (void **)&ncm, sizeof(*ncm));
	ncm->ncm_family = AF_INET6;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, (uint32_t)NETCONFA_IFINDEX_ALL);
	mnl_attr_put_u32(nlh, NETCONFA_FORWARDING, 1);
	CHECK_EQ_INT(netconf_parse(nlh, &obj), 0, "netconf event: parses");
	CHECK_EQ_INT(nc->ifindex, NETCONFA_IFINDEX_ALL, "netconf event: ifindex all");
	CHECK_EQ_INT(nc->forwarding, 1, "netconf event: forwarding");
	CHECK_EQ_INT(nc->rp_filter, -1, "netconf event: rp_filter absent");
	CHECK_EQ_INT(nc->proxy_neigh, -1, "netconf event: proxy_neigh absent");
}

static void test_tc(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tcmsg *tcm;
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWQDISC, (void **)&tcm, sizeof(*tcm));
	struct tna_obj obj;
	struct tna_tc *tc = &obj.tc;

	tcm->tcm_ifindex = 3;
	tcm->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	tcm->tcm_parent = TC_H_CLSACT;
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	CHECK_EQ_INT(tc_parse(nlh, &obj), 0, "qdisc: parses");
	CHECK_EQ_INT(obj.kind, TNA_OBJ_TC, "qdisc: kind");
	CHECK_EQ_INT(tc->type, TNA_TC_QDISC, "qdisc: type");
	CHECK_EQ_INT(tc->ifindex, 3, "qdisc: ifindex");
	CHECK_EQ_INT(tc->handle, 0xffff0000u, "qdisc: handle ffff:");
	CHECK_EQ_INT(tc->parent, TC_H_CLSACT, "qdisc: parent clsact");
	CHECK_EQ_STR(tc->kind, "clsact", "qdisc: tc kind");
	check_truncations("qdisc", tc_parse, nlh);

	nlh = msg_start(buf, RTM_NEWTFILTER, (void **)&tcm, sizeof(*tcm));
	tcm->tcm_ifindex = 3;
	tcm->tcm_handle = 1;
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
	tcm->tcm_info = TC_H_MAKE(49152u << 16, htons(ETH_P_IP));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 2);
	CHECK_EQ_INT(tc_parse(nlh, &obj), 0, "filter: parses");
	CHECK_EQ_INT(tc->type, TNA_TC_FILTER, "filter: type");
	CHECK_EQ_INT(tc->handle, 1, "filter: handle");
	CHECK_EQ_INT(tc->parent, 0xfffffff2u, "filter: parent ingress");
	CHECK_EQ_STR(tc->kind, "bpf", "filter: tc kind");
	CHECK_EQ_INT(tc->prio, 49152, "filter: priority from tcm_info");
	CHECK_EQ_INT(tc->protocol, ETH_P_IP, "filter: protocol in host order");
	CHECK_EQ_INT(tc->chain, 2, "filter: chain");
	check_truncations("filter", tc_parse, nlh);

	nlh->nlmsg_type = RTM_NEWCHAIN;
	CHECK_EQ_INT(tc_parse(nlh, &obj), RTNL_SKIP, "tc chain messages are skipped");
}

static struct nlattr *nested_attr(struct nlattr *nest, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == type)
			return attr;
	}
	return NULL;
}

static void test_malformed(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 9, "bad0");
	struct nlattr *info;
	struct tna_obj obj;

	mnl_attr_put_u16(nlh, IFLA_MASTER, 3);
	CHECK_EQ_INT(link_parse(nlh, &obj), -EINVAL, "a 2-byte IFLA_MASTER is rejected");

	nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 9, "bad0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_put_u8(nlh, IFLA_INFO_DATA, 1);
	mnl_attr_nest_end(nlh, info);
	CHECK_EQ_INT(link_parse(nlh, &obj), -EINVAL, "a bridge data nest of one byte is rejected");

	nlh = link_msg(buf, RTM_NEWLINK, AF_UNSPEC, 9, "bad0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	put_brport(nlh, IFLA_INFO_SLAVE_DATA, BR_STATE_FORWARDING, true);
	mnl_attr_nest_end(nlh, info);
	/* IFLA_BRPORT_STATE is the nest's first attribute; make it 2 bytes. */
	((struct nlattr *)mnl_attr_get_payload(nested_attr(info, IFLA_INFO_SLAVE_DATA)))->nla_len =
		MNL_ATTR_HDRLEN + 2;
	CHECK(link_parse(nlh, &obj) < 0, "a port state of the wrong size is rejected");
}

int main(void)
{
	struct tna_link port;

	test_bridge();
	test_bridge_port(&port);
	test_protinfo(&port);
	test_veth_netns();
	test_xdp();
	test_addresses();
	test_routes();
	test_rule();
	test_neigh();
	test_fdb();
	test_netconf();
	test_tc();
	test_malformed();
	return check_exit();
}
