// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/rtnl.h"

static const enum mnl_attr_data_type tc_policy[TCA_MAX + 1] = {
	[TCA_KIND] = MNL_TYPE_STRING,
	[TCA_CHAIN] = MNL_TYPE_U32,
};

int tc_parse(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct nlattr *tb[TCA_MAX + 1];
	const struct tcmsg *tcm;
	struct tna_tc *tc = &out->tc;
	enum tna_tc_type type;
	int err;

	switch (nlh->nlmsg_type) {
	case RTM_NEWQDISC:
	case RTM_DELQDISC:
		type = TNA_TC_QDISC;
		break;
	case RTM_NEWTCLASS:
	case RTM_DELTCLASS:
		type = TNA_TC_CLASS;
		break;
	case RTM_NEWTFILTER:
	case RTM_DELTFILTER:
		type = TNA_TC_FILTER;
		break;
	default:
		return RTNL_SKIP;
	}
	err = nl_parse_attrs(nlh, sizeof(*tcm), tc_policy, TCA_MAX, tb);
	if (err)
		return err;
	tcm = mnl_nlmsg_get_payload(nlh);

	memset(out, 0, sizeof(*out));
	out->kind = TNA_OBJ_TC;
	tc->type = type;
	tc->ifindex = tcm->tcm_ifindex;
	tc->handle = tcm->tcm_handle;
	tc->parent = tcm->tcm_parent;
	if (tb[TCA_KIND])
		nl_attr_str(tb[TCA_KIND], tc->kind, sizeof(tc->kind));
	if (type == TNA_TC_FILTER) {
		/* A filter's tcm_info packs its priority (major) and its
		 * protocol (minor, in network byte order). */
		tc->prio = TC_H_MAJ(tcm->tcm_info) >> 16;
		tc->protocol = ntohs(TC_H_MIN(tcm->tcm_info));
		if (tb[TCA_CHAIN])
			tc->chain = mnl_attr_get_u32(tb[TCA_CHAIN]);
	}
	return 0;
}

/* Where filters may hang: a qdisc or class (ifindex, handle) to dump them from. */
struct tc_block {
	int ifindex;
	uint32_t parent;
};

struct tc_walk {
	nl_msg_fn fn;
	void *ctx;
	struct tc_block *blocks;
	size_t n_blocks, cap_blocks;
	int *ifindexes;
	size_t n_ifindexes, cap_ifindexes;
};

static int tc_walk__add_block(struct tc_walk *w, int ifindex, uint32_t parent)
{
	if (w->n_blocks == w->cap_blocks) {
		size_t cap = w->cap_blocks ? 2 * w->cap_blocks : 16;
		struct tc_block *b = realloc(w->blocks, cap * sizeof(*b));

		if (!b)
			return -ENOMEM;
		w->blocks = b;
		w->cap_blocks = cap;
	}
	w->blocks[w->n_blocks++] = (struct tc_block){ .ifindex = ifindex, .parent = parent };
	return 0;
}

static int tc_walk__add_ifindex(struct tc_walk *w, int ifindex)
{
	/* A qdisc dump lists each device's qdiscs together. */
	if (w->n_ifindexes && w->ifindexes[w->n_ifindexes - 1] == ifindex)
		return 0;
	if (w->n_ifindexes == w->cap_ifindexes) {
		size_t cap = w->cap_ifindexes ? 2 * w->cap_ifindexes : 16;
		int *ifs = realloc(w->ifindexes, cap * sizeof(*ifs));

		if (!ifs)
			return -ENOMEM;
		w->ifindexes = ifs;
		w->cap_ifindexes = cap;
	}
	w->ifindexes[w->n_ifindexes++] = ifindex;
	return 0;
}

/* Notes where filters of this qdisc or class can be, then passes it on. */
static int tc_walk__on_msg(const struct nlmsghdr *nlh, void *ctx)
{
	struct tc_walk *w = ctx;
	struct tna_obj obj;
	struct tna_tc *tc = &obj.tc;
	int err;

	err = tc_parse(nlh, &obj);
	if (err)
		return w->fn(nlh, w->ctx);
	if (tc->type == TNA_TC_QDISC)
		err = tc_walk__add_ifindex(w, tc->ifindex);
	if (err)
		return err;
	if (tc->type == TNA_TC_QDISC && strcmp(tc->kind, "clsact") == 0) {
		err = tc_walk__add_block(w, tc->ifindex,
					 TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
		if (!err)
			err = tc_walk__add_block(w, tc->ifindex,
						 TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));
	} else if (tc->type == TNA_TC_QDISC && strcmp(tc->kind, "ingress") == 0) {
		err = tc_walk__add_block(w, tc->ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
	} else if (tc->handle) {
		/* Default qdiscs (handle 0) take no filters. */
		err = tc_walk__add_block(w, tc->ifindex, tc->handle);
	}
	if (err)
		return err;
	return w->fn(nlh, w->ctx);
}

/* Runs one dump; an interruption is noted and the walk goes on, to be redone whole. */
static int tc_run(struct nlsock *s, uint16_t type, const struct tcmsg *tcm, nl_msg_fn fn,
		  void *ctx, bool *interrupted)
{
	int err = nlsock__dump(s, type, tcm, sizeof(*tcm), fn, ctx);

	if (err == -EINTR) {
		*interrupted = true;
		return 0;
	}
	return err;
}

/*
 * Qdiscs come in one dump for all devices; classes and filters only per device
 * (tcm_ifindex) and filters per qdisc or class (tcm_parent), so the qdiscs and
 * classes seen say which dumps to run next. A device gone between the dumps
 * lists nothing.
 */
int tc_dump(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	struct tc_walk w = { .fn = fn, .ctx = ctx };
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC };
	bool interrupted = false;
	size_t i;
	int err;

	err = tc_run(s, RTM_GETQDISC, &tcm, tc_walk__on_msg, &w, &interrupted);
	for (i = 0; i < w.n_ifindexes && !err; i++) {
		tcm.tcm_ifindex = w.ifindexes[i];
		err = tc_run(s, RTM_GETTCLASS, &tcm, tc_walk__on_msg, &w, &interrupted);
	}
	for (i = 0; i < w.n_blocks && !err; i++) {
		tcm.tcm_ifindex = w.blocks[i].ifindex;
		tcm.tcm_parent = w.blocks[i].parent;
		err = tc_run(s, RTM_GETTFILTER, &tcm, fn, ctx, &interrupted);
	}
	if (!err && interrupted)
		err = -EINTR;
	free(w.blocks);
	free(w.ifindexes);
	return err;
}
