// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

static const enum mnl_attr_data_type fdb_policy[NDA_MAX + 1] = {
	[NDA_VLAN] = MNL_TYPE_U16,
	[NDA_MASTER] = MNL_TYPE_U32,
};

int fdb_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	struct tna_fdb *f = &out->fdb;
	int err;

	err = nl_parse_attrs(nlh, sizeof(*ndm), fdb_policy, NDA_MAX, tb);
	if (err)
		return err;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_BRIDGE)
		return RTNL_SKIP;
	if (!tb[NDA_LLADDR] || mnl_attr_get_payload_len(tb[NDA_LLADDR]) != sizeof(f->mac))
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_FDB;
	f->ifindex = ndm->ndm_ifindex;
	f->state = ndm->ndm_state;
	f->flags = ndm->ndm_flags;
	memcpy(f->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), sizeof(f->mac));
	if (tb[NDA_VLAN])
		f->vlan = mnl_attr_get_u16(tb[NDA_VLAN]);
	if (tb[NDA_MASTER])
		f->master = mnl_attr_get_u32(tb[NDA_MASTER]);
	if (tb[NDA_CACHEINFO]) {
		struct nda_cacheinfo ci;

		if (mnl_attr_get_payload_len(tb[NDA_CACHEINFO]) < sizeof(ci))
			return -EINVAL;
		memcpy(&ci, mnl_attr_get_payload(tb[NDA_CACHEINFO]), sizeof(ci));
		f->used_ticks = ci.ndm_used;
		f->updated_ticks = ci.ndm_updated;
	}
	return 0;
}

int fdb_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	struct ndmsg ndm = { .ndm_family = AF_BRIDGE };

	return nlsock__dump(s, RTM_GETNEIGH, &ndm, sizeof(ndm), fn, ctx);
}
