// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

/* Linux 6.2 added IFLA_BRPORT_MAB right after IFLA_BRPORT_LOCKED; older uapi
 * headers do not name it, newer kernels send it. */
#ifndef IFLA_BRPORT_MAB
#define IFLA_BRPORT_MAB (IFLA_BRPORT_LOCKED + 1)
#endif
#define LINK_BRPORT_MAX (IFLA_BRPORT_MAB > IFLA_BRPORT_MAX ? IFLA_BRPORT_MAB : IFLA_BRPORT_MAX)

static const enum mnl_attr_data_type link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_MASTER] = MNL_TYPE_U32,
	[IFLA_LINK] = MNL_TYPE_U32,
	[IFLA_LINK_NETNSID] = MNL_TYPE_U32,
	[IFLA_OPERSTATE] = MNL_TYPE_U8,
	[IFLA_LINKINFO] = MNL_TYPE_NESTED,
	[IFLA_PROTINFO] = MNL_TYPE_NESTED,
	[IFLA_XDP] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = MNL_TYPE_STRING,
	[IFLA_INFO_DATA] = MNL_TYPE_NESTED,
	[IFLA_INFO_SLAVE_KIND] = MNL_TYPE_STRING,
	[IFLA_INFO_SLAVE_DATA] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type bridge_policy[IFLA_BR_MAX + 1] = {
	[IFLA_BR_AGEING_TIME] = MNL_TYPE_U32,
	[IFLA_BR_STP_STATE] = MNL_TYPE_U32,
	[IFLA_BR_FORWARD_DELAY] = MNL_TYPE_U32,
	[IFLA_BR_VLAN_FILTERING] = MNL_TYPE_U8,
	[IFLA_BR_NF_CALL_IPTABLES] = MNL_TYPE_U8,
	[IFLA_BR_NF_CALL_IP6TABLES] = MNL_TYPE_U8,
	[IFLA_BR_NF_CALL_ARPTABLES] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type brport_policy[LINK_BRPORT_MAX + 1] = {
	[IFLA_BRPORT_STATE] = MNL_TYPE_U8,
	[IFLA_BRPORT_LEARNING] = MNL_TYPE_U8,
	[IFLA_BRPORT_UNICAST_FLOOD] = MNL_TYPE_U8,
	[IFLA_BRPORT_MCAST_FLOOD] = MNL_TYPE_U8,
	[IFLA_BRPORT_BCAST_FLOOD] = MNL_TYPE_U8,
	[IFLA_BRPORT_MODE] = MNL_TYPE_U8,
	[IFLA_BRPORT_ISOLATED] = MNL_TYPE_U8,
	[IFLA_BRPORT_NEIGH_SUPPRESS] = MNL_TYPE_U8,
	[IFLA_BRPORT_PROXYARP] = MNL_TYPE_U8,
	[IFLA_BRPORT_PROXYARP_WIFI] = MNL_TYPE_U8,
	[IFLA_BRPORT_LOCKED] = MNL_TYPE_U8,
	[IFLA_BRPORT_MAB] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type xdp_policy[IFLA_XDP_MAX + 1] = {
	[IFLA_XDP_ATTACHED] = MNL_TYPE_U8,
	[IFLA_XDP_PROG_ID] = MNL_TYPE_U32,
	[IFLA_XDP_DRV_PROG_ID] = MNL_TYPE_U32,
	[IFLA_XDP_SKB_PROG_ID] = MNL_TYPE_U32,
	[IFLA_XDP_HW_PROG_ID] = MNL_TYPE_U32,
};

static bool attr_flag(const struct nlattr *attr)
{
	return attr && mnl_attr_get_u8(attr);
}

static int link_parse_bridge(const struct nlattr *data, struct tna_bridge *br)
{
	const struct nlattr *tb[IFLA_BR_MAX + 1];
	int err;

	err = nl_parse_nested(data, bridge_policy, IFLA_BR_MAX, tb);
	if (err)
		return err;
	if (tb[IFLA_BR_AGEING_TIME])
		br->ageing_time_cs = mnl_attr_get_u32(tb[IFLA_BR_AGEING_TIME]);
	if (tb[IFLA_BR_STP_STATE])
		br->stp_state = mnl_attr_get_u32(tb[IFLA_BR_STP_STATE]);
	if (tb[IFLA_BR_FORWARD_DELAY])
		br->forward_delay_cs = mnl_attr_get_u32(tb[IFLA_BR_FORWARD_DELAY]);
	br->vlan_filtering = attr_flag(tb[IFLA_BR_VLAN_FILTERING]);
	br->nf_call_iptables = attr_flag(tb[IFLA_BR_NF_CALL_IPTABLES]);
	br->nf_call_ip6tables = attr_flag(tb[IFLA_BR_NF_CALL_IP6TABLES]);
	br->nf_call_arptables = attr_flag(tb[IFLA_BR_NF_CALL_ARPTABLES]);
	return 0;
}

/* The same IFLA_BRPORT_* set arrives as IFLA_INFO_SLAVE_DATA and as IFLA_PROTINFO. */
static int link_parse_brport(const struct nlattr *data, struct tna_brport *port)
{
	const struct nlattr *tb[LINK_BRPORT_MAX + 1];
	int err;

	err = nl_parse_nested(data, brport_policy, LINK_BRPORT_MAX, tb);
	if (err)
		return err;
	if (tb[IFLA_BRPORT_STATE])
		port->state = mnl_attr_get_u8(tb[IFLA_BRPORT_STATE]);
	port->learning = attr_flag(tb[IFLA_BRPORT_LEARNING]);
	port->unicast_flood = attr_flag(tb[IFLA_BRPORT_UNICAST_FLOOD]);
	port->mcast_flood = attr_flag(tb[IFLA_BRPORT_MCAST_FLOOD]);
	port->bcast_flood = attr_flag(tb[IFLA_BRPORT_BCAST_FLOOD]);
	port->hairpin = attr_flag(tb[IFLA_BRPORT_MODE]);
	port->isolated = attr_flag(tb[IFLA_BRPORT_ISOLATED]);
	port->neigh_suppress = attr_flag(tb[IFLA_BRPORT_NEIGH_SUPPRESS]);
	port->proxyarp = attr_flag(tb[IFLA_BRPORT_PROXYARP]);
	port->proxyarp_wifi = attr_flag(tb[IFLA_BRPORT_PROXYARP_WIFI]);
	port->locked = attr_flag(tb[IFLA_BRPORT_LOCKED]);
	port->mab = attr_flag(tb[IFLA_BRPORT_MAB]);
	return 0;
}

static int link_parse_info(const struct nlattr *info, struct tna_link *l)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1];
	int err;

	err = nl_parse_nested(info, info_policy, IFLA_INFO_MAX, tb);
	if (err)
		return err;
	if (tb[IFLA_INFO_KIND])
		nl_attr_str(tb[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
	if (tb[IFLA_INFO_SLAVE_KIND])
		nl_attr_str(tb[IFLA_INFO_SLAVE_KIND], l->slave_kind, sizeof(l->slave_kind));
	if (tb[IFLA_INFO_DATA] && strcmp(l->kind, "bridge") == 0) {
		err = link_parse_bridge(tb[IFLA_INFO_DATA], &l->bridge);
		if (err)
			return err;
		l->is_bridge = true;
	}
	if (tb[IFLA_INFO_SLAVE_DATA] && strcmp(l->slave_kind, "bridge") == 0) {
		err = link_parse_brport(tb[IFLA_INFO_SLAVE_DATA], &l->brport);
		if (err)
			return err;
		l->is_brport = true;
	}
	return 0;
}

static int link_parse_xdp(const struct nlattr *xdp, struct tna_link *l)
{
	static const int prog_attrs[] = {
		IFLA_XDP_PROG_ID, IFLA_XDP_DRV_PROG_ID, IFLA_XDP_SKB_PROG_ID, IFLA_XDP_HW_PROG_ID,
	};
	const struct nlattr *tb[IFLA_XDP_MAX + 1];
	unsigned int i;
	int err;

	err = nl_parse_nested(xdp, xdp_policy, IFLA_XDP_MAX, tb);
	if (err)
		return err;
	if (tb[IFLA_XDP_ATTACHED])
		l->xdp_attach_mode = mnl_attr_get_u8(tb[IFLA_XDP_ATTACHED]);
	/* In XDP_ATTACHED_MULTI there is no single id: report the one that sees
	 * packets first (driver before generic). */
	for (i = 0; i < sizeof(prog_attrs) / sizeof(prog_attrs[0]); i++) {
		if (tb[prog_attrs[i]]) {
			l->xdp_prog_id = mnl_attr_get_u32(tb[prog_attrs[i]]);
			break;
		}
	}
	return 0;
}

int link_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	struct tna_link *l = &out->link;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*ifi), link_policy, IFLA_MAX, tb);
	if (err)
		return err;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_family != AF_UNSPEC && ifi->ifi_family != AF_BRIDGE)
		return RTNL_SKIP;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_LINK;
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->arptype = ifi->ifi_type;
	l->link_netnsid = -1;
	if (tb[IFLA_IFNAME])
		nl_attr_str(tb[IFLA_IFNAME], l->name, sizeof(l->name));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_OPERSTATE])
		l->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_MASTER])
		l->master = mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->link = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		l->link_netnsid = (int32_t)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_ADDRESS]) {
		uint16_t len = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);

		/* Longer hardware addresses (InfiniBand) have no MAC to report. */
		if (len <= sizeof(l->mac)) {
			memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), len);
			l->mac_len = len;
		}
	}
	if (tb[IFLA_LINKINFO]) {
		err = link_parse_info(tb[IFLA_LINKINFO], l);
		if (err)
			return err;
	}
	if (tb[IFLA_XDP]) {
		err = link_parse_xdp(tb[IFLA_XDP], l);
		if (err)
			return err;
	}
	if (ifi->ifi_family == AF_BRIDGE && tb[IFLA_PROTINFO]) {
		err = link_parse_brport(tb[IFLA_PROTINFO], &l->brport);
		if (err)
			return err;
		l->is_brport = true;
	}
	return 0;
}

void link_merge_port(struct tna_link *link, const struct tna_link *port_msg)
{
	if (port_msg->name[0])
		memcpy(link->name, port_msg->name, sizeof(link->name));
	link->flags = port_msg->flags;
	link->operstate = port_msg->operstate;
	if (port_msg->mtu)
		link->mtu = port_msg->mtu;
	if (port_msg->mac_len) {
		memcpy(link->mac, port_msg->mac, sizeof(link->mac));
		link->mac_len = port_msg->mac_len;
	}
	link->master = port_msg->master;
	/* The bridge device's own AF_BRIDGE messages carry no port state. */
	if (port_msg->is_brport) {
		link->brport = port_msg->brport;
		link->is_brport = true;
		strcpy(link->slave_kind, "bridge");
	}
}

int link_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	char buf[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Counters are not configuration; leaving them out halves the dump. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlsock__request(s, nlh, fn, ctx);
}
