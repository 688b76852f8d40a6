// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

static const enum mnl_attr_data_type route_policy[RTA_MAX + 1] = {
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_TABLE] = MNL_TYPE_U32,
};

/* A gateway is RTA_GATEWAY in the route's family or, for an IPv4 route with an
 * IPv6 next hop, RTA_VIA carrying its own family. */
static int route_parse_gateway(const struct nlattr *const *tb, uint8_t family,
			       struct tna_ip *gw)
{
	const struct rtvia *via;
	uint16_t len;

	if (tb[RTA_GATEWAY])
		return nl_attr_ip(tb[RTA_GATEWAY], family, gw);
	if (!tb[RTA_VIA])
		return 0;
	via = mnl_attr_get_payload(tb[RTA_VIA]);
	len = mnl_attr_get_payload_len(tb[RTA_VIA]);
	if (len < sizeof(*via))
		return -EINVAL;
	len -= sizeof(*via);
	if (!((via->rtvia_family == AF_INET && len == 4) ||
	      (via->rtvia_family == AF_INET6 && len == 16)))
		return -EINVAL;
	gw->family = via->rtvia_family;
	memcpy(gw->bytes, via->rtvia_addr, len);
	return 0;
}

static int route_parse_multipath(const struct nlattr *mp, struct tna_route *r)
{
	const char *pos = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *rtnh = (const struct rtnexthop *)pos;
		const struct nlattr *tb[RTA_MAX + 1];
		struct tna_nexthop *nh;
		size_t step;
		int err;

		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > left)
			return -EINVAL;
		/* A route with more next hops than we hold would be misdescribed. */
		if (r->nexthop_count == TNA_MAX_NEXTHOPS)
			return -E2BIG;
		err = nl_parse_payload(RTNH_DATA(rtnh), rtnh->rtnh_len - RTNH_LENGTH(0), NULL,
				       RTA_MAX, tb);
		if (err)
			return err;
		nh = &r->nexthops[r->nexthop_count++];
		nh->ifindex = rtnh->rtnh_ifindex;
		nh->weight = rtnh->rtnh_hops + 1;
		err = route_parse_gateway(tb, r->family, &nh->gateway);
		if (err)
			return err;
		step = RTNH_ALIGN(rtnh->rtnh_len);
		if (step >= left)
			break;
		pos += step;
		left -= step;
	}
	return 0;
}

static int route_parse_prefix(const struct nlattr *attr, uint8_t family, struct tna_ip *ip)
{
	if (attr)
		return nl_attr_ip(attr, family, ip);
	/* A default route has no RTA_DST; it is still a prefix of its family. */
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	return 0;
}

int route_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct tna_route *r = &out->route;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*rtm), route_policy, RTA_MAX, tb);
	if (err)
		return err;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return RTNL_SKIP;
	/* Cached clones (PMTU exceptions, redirects) are not configuration. */
	if (rtm->rtm_flags & RTM_F_CLONED)
		return RTNL_SKIP;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_ROUTE;
	r->family = rtm->rtm_family;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->dst_len = rtm->rtm_dst_len;
	r->src_len = rtm->rtm_src_len;
	r->tos = rtm->rtm_tos;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->flags = rtm->rtm_flags;
	err = route_parse_prefix(tb[RTA_DST], r->family, &r->dst);
	if (!err && tb[RTA_SRC])
		err = nl_attr_ip(tb[RTA_SRC], r->family, &r->src);
	if (!err && tb[RTA_PREFSRC])
		err = nl_attr_ip(tb[RTA_PREFSRC], r->family, &r->prefsrc);
	if (err)
		return err;
	if (tb[RTA_PRIORITY])
		r->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF])
		r->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	err = route_parse_gateway(tb, r->family, &r->gateway);
	if (err)
		return err;
	if (tb[RTA_MULTIPATH])
		return route_parse_multipath(tb[RTA_MULTIPATH], r);
	return 0;
}

int route_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	/* rtm_table RT_TABLE_UNSPEC (zero) asks for every table. */
	return rtnl_dump_families(s, RTM_GETROUTE, sizeof(struct rtmsg), fn, ctx);
}
