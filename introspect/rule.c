// SPDX-License-Identifier: GPL-2.0
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

static const enum mnl_attr_data_type rule_policy[FRA_MAX + 1] = {
	[FRA_IIFNAME] = MNL_TYPE_STRING,
	[FRA_OIFNAME] = MNL_TYPE_STRING,
	[FRA_PRIORITY] = MNL_TYPE_U32,
	[FRA_FWMARK] = MNL_TYPE_U32,
	[FRA_FWMASK] = MNL_TYPE_U32,
	[FRA_TABLE] = MNL_TYPE_U32,
	[FRA_PROTOCOL] = MNL_TYPE_U8,
};

int rule_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh;
	struct tna_rule *r = &out->rule;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*frh), rule_policy, FRA_MAX, tb);
	if (err)
		return err;
	frh = mnl_nlmsg_get_payload(nlh);
	/* Multicast routing (RTNL_FAMILY_IPMR) has rules of its own; not ours. */
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return RTNL_SKIP;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_RULE;
	r->family = frh->family;
	r->action = frh->action;
	r->src_len = frh->src_len;
	r->dst_len = frh->dst_len;
	r->tos = frh->tos;
	r->flags = frh->flags;
	r->table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	if (tb[FRA_PRIORITY])
		r->priority = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	if (tb[FRA_FWMARK])
		r->fwmark = mnl_attr_get_u32(tb[FRA_FWMARK]);
	if (tb[FRA_FWMASK])
		r->fwmask = mnl_attr_get_u32(tb[FRA_FWMASK]);
	if (tb[FRA_PROTOCOL])
		r->protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_IIFNAME])
		nl_attr_str(tb[FRA_IIFNAME], r->iifname, sizeof(r->iifname));
	if (tb[FRA_OIFNAME])
		nl_attr_str(tb[FRA_OIFNAME], r->oifname, sizeof(r->oifname));
	if (tb[FRA_SRC]) {
		err = nl_attr_ip(tb[FRA_SRC], r->family, &r->src);
		if (err)
			return err;
	}
	if (tb[FRA_DST]) {
		err = nl_attr_ip(tb[FRA_DST], r->family, &r->dst);
		if (err)
			return err;
	}
	return 0;
}

int rule_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	return rtnl_dump_families(s, RTM_GETRULE, sizeof(struct fib_rule_hdr), fn, ctx);
}
