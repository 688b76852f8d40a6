// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink reader: links, addresses, routes, rules, neighbours, bridge
 * FDB, netconf and tc. One socket follows the multicast groups, another runs
 * the dumps, so a dump never has to wade through events.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "controller/log.h"
#include "introspect/reader.h"
#include "introspect/rtnl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KIND_BIT(kind) (1u << (kind))

/* How often an interrupted dump is run again before giving up until the next tick. */
#define RTNL_DUMP_ATTEMPTS 5

/*
 * When a link goes away or down, the kernel flushes IPv4 routes through it
 * without RTM_DELROUTE, and neighbours, FDB entries and qdiscs may vanish just
 * as quietly: these kinds are dumped again.
 */
#define RTNL_LINK_GONE_KINDS \
	(KIND_BIT(TNA_OBJ_ROUTE) | KIND_BIT(TNA_OBJ_NEIGH) | KIND_BIT(TNA_OBJ_FDB) | \
	 KIND_BIT(TNA_OBJ_TC))
#define RTNL_LINK_DOWN_KINDS \
	(KIND_BIT(TNA_OBJ_ROUTE) | KIND_BIT(TNA_OBJ_NEIGH) | KIND_BIT(TNA_OBJ_FDB))

struct reader {
	struct tna_sink sink;
	struct introspect_stats *stats;
	struct nlsock *events;
	struct nlsock *dumps;
	/* The last full view of every link, so an AF_BRIDGE port message
	 * (which carries only part of it) still yields a whole tna_link. */
	struct tna_link *links;
	size_t n_links, cap_links;
	unsigned int pending;	/* KIND_BITs to dump again at the next tick */
	bool dumping;
};

static const unsigned int rtnl_groups[] = {
	RTNLGRP_LINK,	      RTNLGRP_IPV4_IFADDR,  RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
	RTNLGRP_IPV6_ROUTE,   RTNLGRP_IPV4_RULE,    RTNLGRP_IPV6_RULE,	 RTNLGRP_NEIGH,
	RTNLGRP_IPV4_NETCONF, RTNLGRP_IPV6_NETCONF, RTNLGRP_TC,
};

static int rtnl_parse_neighbour(const struct nlmsghdr *nlh, struct tna_obj *out)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return -EINVAL;
	return ndm->ndm_family == AF_BRIDGE ? fdb_parse(nlh, out) : neigh_parse(nlh, out);
}

struct rtnl_handler {
	int (*parse)(const struct nlmsghdr *nlh, struct tna_obj *out);
	bool del;
	unsigned int redump;	/* kinds the kernel may change silently along with it */
};

/* Filters go with their qdisc or class, and a filter deletion without a
 * handle takes a whole priority, without one event per filter. */
static const struct rtnl_handler rtnl_handlers[] = {
	[RTM_NEWLINK] = { link_parse, false, 0 },
	[RTM_DELLINK] = { link_parse, true, RTNL_LINK_GONE_KINDS },
	[RTM_NEWADDR] = { addr_parse, false, 0 },
	[RTM_DELADDR] = { addr_parse, true, 0 },
	[RTM_NEWROUTE] = { route_parse, false, 0 },
	[RTM_DELROUTE] = { route_parse, true, 0 },
	[RTM_NEWRULE] = { rule_parse, false, 0 },
	[RTM_DELRULE] = { rule_parse, true, 0 },
	[RTM_NEWNEIGH] = { rtnl_parse_neighbour, false, 0 },
	[RTM_DELNEIGH] = { rtnl_parse_neighbour, true, 0 },
	[RTM_NEWNETCONF] = { netconf_parse, false, 0 },
	[RTM_DELNETCONF] = { netconf_parse, true, 0 },
	[RTM_NEWQDISC] = { tc_parse, false, 0 },
	[RTM_DELQDISC] = { tc_parse, true, KIND_BIT(TNA_OBJ_TC) },
	[RTM_NEWTCLASS] = { tc_parse, false, 0 },
	[RTM_DELTCLASS] = { tc_parse, true, KIND_BIT(TNA_OBJ_TC) },
	[RTM_NEWTFILTER] = { tc_parse, false, 0 },
	[RTM_DELTFILTER] = { tc_parse, true, KIND_BIT(TNA_OBJ_TC) },
};

struct rtnl_kind_dump {
	enum tna_obj_kind kind;
	int (*dump)(struct nlsock *s, nl_msg_fn fn, void *ctx);
};

/* Links first: every other kind refers to them. */
static const struct rtnl_kind_dump rtnl_dumps[] = {
	{ TNA_OBJ_LINK, link_dump },	{ TNA_OBJ_ADDR, addr_dump },
	{ TNA_OBJ_ROUTE, route_dump },	{ TNA_OBJ_RULE, rule_dump },
	{ TNA_OBJ_NEIGH, neigh_dump },	{ TNA_OBJ_FDB, fdb_dump },
	{ TNA_OBJ_NETCONF, netconf_dump }, { TNA_OBJ_TC, tc_dump },
};

int rtnl_dump_families(struct nlsock *s, uint16_t type, size_t hdrlen, nl_msg_fn fn, void *ctx)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	uint8_t hdr[32] = { 0 };
	unsigned int i;
	int err = 0;

	if (hdrlen > sizeof(hdr))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(families) && !err; i++) {
		hdr[0] = families[i];
		err = nlsock__dump(s, type, hdr, hdrlen, fn, ctx);
		if (err == -EAFNOSUPPORT || err == -EOPNOTSUPP)
			err = 0;
	}
	return err;
}

static struct tna_link *rtnl__find_link(struct reader *r, int ifindex)
{
	size_t i;

	for (i = 0; i < r->n_links; i++) {
		if (r->links[i].ifindex == ifindex)
			return &r->links[i];
	}
	return NULL;
}

static int rtnl__remember_link(struct reader *r, const struct tna_link *l)
{
	struct tna_link *slot = rtnl__find_link(r, l->ifindex);

	if (!slot) {
		if (r->n_links == r->cap_links) {
			size_t cap = r->cap_links ? 2 * r->cap_links : 32;
			struct tna_link *links = realloc(r->links, cap * sizeof(*links));

			if (!links)
				return -ENOMEM;
			r->links = links;
			r->cap_links = cap;
		}
		slot = &r->links[r->n_links++];
	}
	*slot = *l;
	return 0;
}

static void rtnl__forget_link(struct reader *r, int ifindex)
{
	struct tna_link *slot = rtnl__find_link(r, ifindex);

	if (slot)
		*slot = r->links[--r->n_links];
}

/* An AF_BRIDGE message speaks for a port (or the bridge) of a link we know. */
static int rtnl__on_bridge_link(struct reader *r, bool del, struct tna_obj *obj)
{
	struct tna_link *known = rtnl__find_link(r, obj->link.ifindex);

	if (!known) {
		r->pending |= KIND_BIT(TNA_OBJ_LINK);
		return 0;
	}
	if (del) {
		/* The port left its bridge; the link itself stays. */
		known->is_brport = false;
		memset(&known->brport, 0, sizeof(known->brport));
		known->slave_kind[0] = '\0';
		known->master = 0;
	} else {
		link_merge_port(known, &obj->link);
	}
	obj->link = *known;
	r->sink.upsert(r->sink.ctx, obj);
	return 0;
}

static int rtnl__on_link(struct reader *r, const struct nlmsghdr *nlh, bool del,
			 struct tna_obj *obj)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct tna_link *known;
	int err;

	if (ifi->ifi_family == AF_BRIDGE)
		return rtnl__on_bridge_link(r, del, obj);
	if (del) {
		rtnl__forget_link(r, obj->link.ifindex);
		r->sink.remove(r->sink.ctx, obj);
		return 0;
	}
	known = rtnl__find_link(r, obj->link.ifindex);
	if (known && !r->dumping &&
	    (((known->flags ^ obj->link.flags) & IFF_UP) ||
	     known->operstate != obj->link.operstate))
		r->pending |= RTNL_LINK_DOWN_KINDS;
	err = rtnl__remember_link(r, &obj->link);
	if (err)
		return err;
	r->sink.upsert(r->sink.ctx, obj);
	return 0;
}

/* Every message, from a dump or an event, comes through here. */
static int rtnl__on_msg(const struct nlmsghdr *nlh, void *ctx)
{
	struct reader *r = ctx;
	const struct rtnl_handler *h;
	struct tna_obj obj;
	int err;

	if (nlh->nlmsg_type >= ARRAY_SIZE(rtnl_handlers) || !rtnl_handlers[nlh->nlmsg_type].parse)
		return 0;
	h = &rtnl_handlers[nlh->nlmsg_type];
	err = h->parse(nlh, &obj);
	if (err > 0)
		return 0;
	if (err < 0) {
		/* One bad message must not cost the rest of the dump or batch. */
		pr_warn("ignoring a malformed rtnetlink message (type %u): %s", nlh->nlmsg_type,
			strerror(-err));
		return 0;
	}
	if (!r->dumping) {
		r->stats->events++;
		r->pending |= h->redump;
	}
	if (obj.kind == TNA_OBJ_LINK)
		return rtnl__on_link(r, nlh, h->del, &obj);
	if (h->del)
		r->sink.remove(r->sink.ctx, &obj);
	else
		r->sink.upsert(r->sink.ctx, &obj);
	return 0;
}

/* A full dump of one kind; on failure the kind stays pending for the next tick. */
static int rtnl__dump_kind(struct reader *r, const struct rtnl_kind_dump *d)
{
	int attempt, err = 0;

	r->sink.resync_begin(r->sink.ctx, d->kind);
	if (d->kind == TNA_OBJ_LINK)
		r->n_links = 0;
	r->dumping = true;
	for (attempt = 0; attempt < RTNL_DUMP_ATTEMPTS; attempt++) {
		err = d->dump(r->dumps, rtnl__on_msg, r);
		if (err != -EINTR)
			break;
		r->stats->resyncs++;
	}
	r->dumping = false;
	if (err) {
		r->pending |= KIND_BIT(d->kind);
		return err;
	}
	r->pending &= ~KIND_BIT(d->kind);
	r->sink.resync_end(r->sink.ctx, d->kind);
	return 0;
}

/* Dumps the kinds in mask, in dependency order; returns the first error but
 * still tries the other kinds. */
static int rtnl__dump_kinds(struct reader *r, unsigned int mask)
{
	unsigned int i;
	int err = 0, ret;

	for (i = 0; i < ARRAY_SIZE(rtnl_dumps); i++) {
		if (!(mask & KIND_BIT(rtnl_dumps[i].kind)))
			continue;
		ret = rtnl__dump_kind(r, &rtnl_dumps[i]);
		if (ret && !err)
			err = ret;
	}
	return err;
}

static unsigned int rtnl_all_kinds(void)
{
	unsigned int i, mask = 0;

	for (i = 0; i < ARRAY_SIZE(rtnl_dumps); i++)
		mask |= KIND_BIT(rtnl_dumps[i].kind);
	return mask;
}

static void rtnl_close(struct reader *r)
{
	if (!r)
		return;
	nlsock__close(r->events);
	nlsock__close(r->dumps);
	free(r->links);
	free(r);
}

static int rtnl_open(struct reader **out, const struct tna_sink *sink,
		     struct introspect_stats *stats)
{
	struct reader *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->sink = *sink;
	r->stats = stats;
	err = nlsock__open(&r->events, NETLINK_ROUTE, rtnl_groups, ARRAY_SIZE(rtnl_groups));
	if (err)
		goto out;
	err = nlsock__open(&r->dumps, NETLINK_ROUTE, NULL, 0);
out:
	if (err) {
		rtnl_close(r);
		return err;
	}
	*out = r;
	return 0;
}

static int rtnl_dump(struct reader *r)
{
	return rtnl__dump_kinds(r, rtnl_all_kinds());
}

static int rtnl_fds(struct reader *r, int *fds, int max)
{
	if (max < 1)
		return 0;
	fds[0] = nlsock__fd(r->events);
	return 1;
}

static int rtnl_process(struct reader *r, int fd)
{
	int err;

	if (fd != nlsock__fd(r->events))
		return -ENOENT;
	err = nlsock__read_events(r->events, rtnl__on_msg, r);
	if (err != -ENOBUFS)
		return err;
	/* Events were lost: only a full dump tells what the kernel holds now. */
	r->stats->resyncs++;
	r->stats->dumps++;
	return rtnl_dump(r);
}

/* Runs the dumps that events asked for, at most once per kind per tick however
 * many events asked. */
static int rtnl_tick(struct reader *r, uint64_t now_ms)
{
	(void)now_ms;
	if (!r->pending)
		return 0;
	return rtnl__dump_kinds(r, r->pending);
}

static void rtnl_resync(struct reader *r, enum tna_obj_kind kind)
{
	r->pending |= KIND_BIT(kind) & rtnl_all_kinds();
}

const struct reader_ops rtnl_reader_ops = {
	.name = "rtnetlink",
	.open = rtnl_open,
	.close = rtnl_close,
	.dump = rtnl_dump,
	.fds = rtnl_fds,
	.process = rtnl_process,
	.tick = rtnl_tick,
	.resync = rtnl_resync,
};
