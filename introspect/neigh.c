// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

int neigh_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	struct tna_neigh *n = &out->neigh;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*ndm), NULL, NDA_MAX, tb);
	if (err)
		return err;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return RTNL_SKIP;
	if (!tb[NDA_DST])
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_NEIGH;
	n->ifindex = ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	n->flags = ndm->ndm_flags;
	err = nl_attr_ip(tb[NDA_DST], ndm->ndm_family, &n->dst);
	if (err)
		return err;
	/* Incomplete and failed entries have no link-layer address yet. */
	if (tb[NDA_LLADDR]) {
		uint16_t len = mnl_attr_get_payload_len(tb[NDA_LLADDR]);

		if (len <= sizeof(n->lladdr)) {
			memcpy(n->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), len);
			n->lladdr_len = len;
		}
	}
	return 0;
}

int neigh_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	return rtnl_dump_families(s, RTM_GETNEIGH, sizeof(struct ndmsg), fn, ctx);
}
