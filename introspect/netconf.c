// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

static const enum mnl_attr_data_type netconf_policy[NETCONFA_MAX + 1] = {
	[NETCONFA_IFINDEX] = MNL_TYPE_U32,
	[NETCONFA_FORWARDING] = MNL_TYPE_U32,
	[NETCONFA_RP_FILTER] = MNL_TYPE_U32,
	[NETCONFA_MC_FORWARDING] = MNL_TYPE_U32,
	[NETCONFA_PROXY_NEIGH] = MNL_TYPE_U32,
	[NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN] = MNL_TYPE_U32,
};

/* A change event carries only the setting that changed: the rest stay -1. */
static int netconf_value(const struct nlattr *attr)
{
	return attr ? (int32_t)mnl_attr_get_u32(attr) : -1;
}

int netconf_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[NETCONFA_MAX + 1];
	const struct netconfmsg *ncm;
	struct tna_netconf *nc = &out->netconf;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*ncm), netconf_policy, NETCONFA_MAX, tb);
	if (err)
		return err;
	ncm = mnl_nlmsg_get_payload(nlh);
	if (ncm->ncm_family != AF_INET && ncm->ncm_family != AF_INET6)
		return RTNL_SKIP;
	if (!tb[NETCONFA_IFINDEX])
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_NETCONF;
	nc->family = ncm->ncm_family;
	nc->ifindex = (int32_t)mnl_attr_get_u32(tb[NETCONFA_IFINDEX]);
	nc->forwarding = netconf_value(tb[NETCONFA_FORWARDING]);
	nc->rp_filter = netconf_value(tb[NETCONFA_RP_FILTER]);
	nc->mc_forwarding = netconf_value(tb[NETCONFA_MC_FORWARDING]);
	nc->proxy_neigh = netconf_value(tb[NETCONFA_PROXY_NEIGH]);
	nc->ignore_routes_with_linkdown = netconf_value(tb[NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN]);
	return 0;
}

int netconf_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	return rtnl_dump_families(s, RTM_GETNETCONF, sizeof(struct netconfmsg), fn, ctx);
}
