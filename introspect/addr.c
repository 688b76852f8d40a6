// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

static const enum mnl_attr_data_type addr_policy[IFA_MAX + 1] = {
	[IFA_LABEL] = MNL_TYPE_STRING,
	[IFA_FLAGS] = MNL_TYPE_U32,
};

int addr_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	struct tna_addr *a = &out->addr;
	const struct nlattr *local;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*ifa), addr_policy, IFA_MAX, tb);
	if (err)
		return err;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return RTNL_SKIP;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_ADDR;
	a->ifindex = ifa->ifa_index;
	a->prefixlen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	/* ifa_flags holds only the low 8 bits; IFA_FLAGS has them all. */
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (tb[IFA_LABEL])
		nl_attr_str(tb[IFA_LABEL], a->label, sizeof(a->label));

	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on a
	 * point-to-point link and the same address everywhere else. IPv6 often
	 * sends IFA_ADDRESS alone. */
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!local)
		return -EINVAL;
	err = nl_attr_ip(local, ifa->ifa_family, &a->addr);
	if (err)
		return err;
	if (tb[IFA_LOCAL] && tb[IFA_ADDRESS]) {
		err = nl_attr_ip(tb[IFA_ADDRESS], ifa->ifa_family, &a->peer);
		if (err)
			return err;
		if (memcmp(&a->peer, &a->addr, sizeof(a->peer)) == 0)
			memset(&a->peer, 0, sizeof(a->peer));
	}
	return 0;
}

int addr_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	return rtnl_dump_families(s, RTM_GETADDR, sizeof(struct ifaddrmsg), fn, ctx);
}
