// SPDX-License-Identifier: GPL-2.0
/*
 * TCP listeners, read with sock_diag.
 *
 * The kernel announces no new or closed listener, so this reader polls: every
 * LISTEN_POLL_MS tick() dumps the listening sockets (the request names only
 * TCP_LISTEN, so the kernel walks the listener hash and nothing else) and
 * reports only what changed since the previous poll. That catches every
 * listener within a second whoever opened it and whenever. A cgroup sock_ops
 * program's listen callback would be push-based, but it sees only sockets in
 * the cgroup it is attached to, misses listeners that predate the daemon, and
 * reports no close at all, so it would need the poll anyway.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/listen.h"
#include "introspect/nl.h"
#include "introspect/reader.h"

#define LISTEN_POLL_MS 250

/* Listeners sorted by identity, at most one per identity. */
struct listener_set {
	struct tna_listener *v;
	size_t n, cap;
};

struct reader {
	struct tna_sink sink;
	struct introspect_stats *stats;
	struct nlsock *sock;
	struct listener_set cur;	/* as last reported to the sink */
	struct listener_set next;	/* being filled by a poll */
	uint64_t next_poll_ms;
};

static const enum mnl_attr_data_type diag_policy[INET_DIAG_MAX + 1] = {
	[INET_DIAG_SKV6ONLY] = MNL_TYPE_U8,
};

int listen_parse(const struct nlmsghdr *nlh, struct tna_listener *out)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1];
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	int err;

	err = nl_parse_attrs(nlh, sizeof(*msg), diag_policy, INET_DIAG_MAX, tb);
	if (err)
		return err;
	if (msg->idiag_family != AF_INET && msg->idiag_family != AF_INET6)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = msg->idiag_family;
	out->addr.family = msg->idiag_family;
	memcpy(out->addr.bytes, msg->id.idiag_src, msg->idiag_family == AF_INET ? 4 : 16);
	out->port = ntohs(msg->id.idiag_sport);
	out->ifindex = (int)msg->id.idiag_if;
	out->inode = msg->idiag_inode;
	out->uid = msg->idiag_uid;
	out->owner = TNA_OWNER_KERNEL;
	if (tb[INET_DIAG_SKV6ONLY])
		out->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0;
	return 0;
}

/* The identity the graph names a listener by (address, port, device).
 * SO_REUSEPORT sockets sharing one identity are one listener to it. */
static int listener_cmp_id(const struct tna_listener *a, const struct tna_listener *b)
{
	int d;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	d = memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
	if (d)
		return d;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return 0;
}

/* Orders by identity, then by inode so the socket kept for an identity is
 * the same one from poll to poll. */
static int listener_cmp(const void *pa, const void *pb)
{
	const struct tna_listener *a = pa, *b = pb;
	int d = listener_cmp_id(a, b);

	if (d)
		return d;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	return 0;
}

static bool listener_same(const struct tna_listener *a, const struct tna_listener *b)
{
	return !listener_cmp(a, b) && a->uid == b->uid && a->v6only == b->v6only &&
	       a->owner == b->owner;
}

static int listener_set__add(struct listener_set *set, const struct tna_listener *l)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct tna_listener *v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = *l;
	return 0;
}

static void listener_set__sort_unique(struct listener_set *set)
{
	size_t i, kept = 0;

	qsort(set->v, set->n, sizeof(*set->v), listener_cmp);
	for (i = 0; i < set->n; i++) {
		if (kept && !listener_cmp_id(&set->v[kept - 1], &set->v[i]))
			continue;
		set->v[kept++] = set->v[i];
	}
	set->n = kept;
}

static int listen_on_msg(const struct nlmsghdr *nlh, void *ctx)
{
	struct listener_set *set = ctx;
	struct tna_listener l;
	int err;

	err = listen_parse(nlh, &l);
	if (err)
		return err;
	return listener_set__add(set, &l);
}

/* Fills r->next with the listeners the kernel has now. */
static int listen_fetch(struct reader *r)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct inet_diag_req_v2 req = {
		.sdiag_protocol = IPPROTO_TCP,
		.idiag_states = 1 << TCP_LISTEN,
	};
	size_t i;
	int err;

	r->next.n = 0;
	for (i = 0; i < sizeof(families); i++) {
		req.sdiag_family = families[i];
		err = nlsock__dump(r->sock, SOCK_DIAG_BY_FAMILY, &req, sizeof(req), listen_on_msg,
				   &r->next);
		if (err)
			return err;
	}
	listener_set__sort_unique(&r->next);
	return 0;
}

static void listen_swap(struct reader *r)
{
	struct listener_set tmp = r->cur;

	r->cur = r->next;
	r->next = tmp;
}

static int listen_dump(struct reader *r)
{
	size_t i;
	int err;

	err = listen_fetch(r);
	if (err)
		return err;
	r->sink.resync_begin(r->sink.ctx, TNA_OBJ_LISTENER);
	for (i = 0; i < r->next.n; i++) {
		struct tna_obj obj = { .kind = TNA_OBJ_LISTENER, .listener = r->next.v[i] };

		r->sink.upsert(r->sink.ctx, &obj);
	}
	r->sink.resync_end(r->sink.ctx, TNA_OBJ_LISTENER);
	listen_swap(r);
	return 0;
}

static void listen_emit(struct reader *r, const struct tna_listener *l, bool gone)
{
	struct tna_obj obj = { .kind = TNA_OBJ_LISTENER, .listener = *l };

	if (gone)
		r->sink.remove(r->sink.ctx, &obj);
	else
		r->sink.upsert(r->sink.ctx, &obj);
}

/* Walks both sorted sets side by side and reports the difference. */
static void listen_report_changes(struct reader *r)
{
	const struct listener_set *old = &r->cur, *now = &r->next;
	size_t i = 0, j = 0;

	while (i < old->n || j < now->n) {
		int d = i == old->n ? 1 : j == now->n ? -1 :
			listener_cmp_id(&old->v[i], &now->v[j]);

		if (d < 0) {
			listen_emit(r, &old->v[i++], true);
		} else if (d > 0) {
			listen_emit(r, &now->v[j++], false);
		} else {
			if (!listener_same(&old->v[i], &now->v[j]))
				listen_emit(r, &now->v[j], false);
			i++;
			j++;
		}
	}
}

static int listen_tick(struct reader *r, uint64_t now_ms)
{
	int err;

	if (now_ms < r->next_poll_ms)
		return 0;
	r->next_poll_ms = now_ms + LISTEN_POLL_MS;
	r->stats->listener_polls++;
	/* On failure the previous set stays: the next poll compares against it. */
	err = listen_fetch(r);
	if (err)
		return err;
	listen_report_changes(r);
	listen_swap(r);
	return 0;
}

static void listen_close(struct reader *r)
{
	if (!r)
		return;
	nlsock__close(r->sock);
	free(r->cur.v);
	free(r->next.v);
	free(r);
}

static int listen_open(struct reader **out, const struct tna_sink *sink,
		       struct introspect_stats *stats)
{
	struct reader *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->sink = *sink;
	r->stats = stats;
	err = nlsock__open(&r->sock, NETLINK_SOCK_DIAG, NULL, 0);
	if (err) {
		listen_close(r);
		return err;
	}
	*out = r;
	return 0;
}

const struct reader_ops listen_reader_ops = {
	.name = "listen",
	.open = listen_open,
	.close = listen_close,
	.dump = listen_dump,
	.tick = listen_tick,
};
