// SPDX-License-Identifier: GPL-2.0
/*
 * Edges are derived from the stored objects each time they are asked for:
 * nothing to keep consistent on the update path, and a render of a graph with
 * 10 000 routes stays linear (route-via uses a prefix index built per call).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"

/* After the libc socket headers (graph_priv.h), which it coexists with. */
#include <linux/netfilter.h>

struct edge_set {
	struct gedge *v;
	size_t count, cap;
	int err;
};

static void add(struct edge_set *s, const char *from, const char *rel, const char *to)
{
	if (s->err)
		return;
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct gedge *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->err = -ENOMEM;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->count++] = (struct gedge){ .from = from, .rel = rel, .to = to };
}

static void add_to_link(struct edge_set *s, const struct graph *g, const char *from,
			const char *rel, int ifindex)
{
	struct gnode *l = graph_link_node(g, ifindex);

	if (l)
		add(s, from, rel, l->id);
}

static int info_cmp(const void *a, const void *b)
{
	const struct link_info *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static struct link_info *info_find(const struct links *ls, int ifindex)
{
	struct link_info key = { .ifindex = ifindex };

	return bsearch(&key, ls->v, ls->count, sizeof(key), info_cmp);
}

int graph_links_gather(const struct graph *g, struct links *ls)
{
	struct gnode *n;

	ls->count = 0;
	ls->v = calloc(g->kind_count[TNA_OBJ_LINK] + 1, sizeof(*ls->v));
	if (!ls->v)
		return -ENOMEM;
	graph_for_each_node(g, TNA_OBJ_LINK, n) {
		ls->v[ls->count].ifindex = n->obj.link.ifindex;
		ls->v[ls->count].node = n;
		ls->count++;
	}
	qsort(ls->v, ls->count, sizeof(*ls->v), info_cmp);
	graph_for_each_node(g, TNA_OBJ_ADDR, n) {
		struct link_info *li = info_find(ls, n->obj.addr.ifindex);

		if (!li)
			continue;
		if (n->obj.addr.addr.family == AF_INET)
			li->inet = true;
		else if (n->obj.addr.addr.family == AF_INET6)
			li->inet6 = true;
	}
	return 0;
}

static void link_edges(struct edge_set *s, const struct graph *g)
{
	struct gnode *n;

	graph_for_each_node(g, TNA_OBJ_LINK, n) {
		const struct tna_link *l = &n->obj.link;

		if (l->master)
			add_to_link(s, g, n->id, "member-of", l->master);
		if (!strcmp(l->kind, "veth") && l->link && l->link_netnsid < 0)
			add_to_link(s, g, n->id, "peer-of", l->link);
	}
	graph_for_each_node(g, TNA_OBJ_ADDR, n)
		add_to_link(s, g, n->id, "address-on", n->obj.addr.ifindex);
	graph_for_each_node(g, TNA_OBJ_TC, n)
		add_to_link(s, g, n->id, "attached-to", n->obj.tc.ifindex);
}

/* Route-via: the most specific route of the same table that holds the gateway. */
struct prefix_key {
	uint32_t table;
	uint8_t family;
	uint8_t len;
	uint8_t bytes[16];
};

struct prefix_entry {
	struct htab_entry he;
	struct prefix_key key;
	const struct gnode *route;
};

struct prefix_index {
	struct htab h;
	struct prefix_entry *v;
	bool lens[2][129];	/* prefix lengths present, for IPv4 and IPv6 */
};

static void prefix_key_make(struct prefix_key *k, uint32_t table, uint8_t family,
			    const uint8_t *bytes, uint8_t len)
{
	memset(k, 0, sizeof(*k));
	k->table = table;
	k->family = family;
	k->len = len;
	for (int i = 0; i < 16 && i * 8 < len; i++) {
		int bits = len - i * 8;

		k->bytes[i] = bits >= 8 ? bytes[i] : bytes[i] & (0xff << (8 - bits));
	}
}

static bool route_better(const struct tna_route *a, const struct gnode *an,
			 const struct gnode *bn)
{
	const struct tna_route *b = &bn->obj.route;

	if (a->priority != b->priority)
		return a->priority < b->priority;
	return strcmp(an->id, bn->id) < 0;
}

static int prefix_index_build(const struct graph *g, struct prefix_index *pi)
{
	size_t count = 0;
	struct gnode *n;
	int err;

	memset(pi, 0, sizeof(*pi));
	err = htab__init(&pi->h);
	if (err)
		return err;
	pi->v = calloc(g->kind_count[TNA_OBJ_ROUTE] + 1, sizeof(*pi->v));
	if (!pi->v)
		return -ENOMEM;
	graph_for_each_node(g, TNA_OBJ_ROUTE, n) {
		const struct tna_route *r = &n->obj.route;
		struct prefix_entry *pe = &pi->v[count];
		struct htab_entry *e;
		int fam = r->family == AF_INET6;

		if (r->family != AF_INET && r->family != AF_INET6)
			continue;
		prefix_key_make(&pe->key, r->table, r->family, r->dst.bytes, r->dst_len);
		e = htab__find(&pi->h, &pe->key, sizeof(pe->key));
		if (e) {
			struct prefix_entry *old = (struct prefix_entry *)e;

			if (route_better(r, n, old->route))
				old->route = n;
			continue;
		}
		pe->route = n;
		pe->he.key = &pe->key;
		pe->he.key_len = sizeof(pe->key);
		err = htab__insert(&pi->h, &pe->he);
		if (err)
			return err;
		pi->lens[fam][r->dst_len <= 128 ? r->dst_len : 128] = true;
		count++;
	}
	return 0;
}

static void prefix_index_free(struct prefix_index *pi)
{
	htab__fini(&pi->h);
	free(pi->v);
}

static const struct gnode *prefix_lookup(const struct prefix_index *pi, const struct gnode *self,
					 const struct tna_ip *gw)
{
	const struct tna_route *r = &self->obj.route;
	int fam = gw->family == AF_INET6;
	int len = fam ? 128 : 32;
	struct prefix_key k;

	for (; len >= 0; len--) {
		struct htab_entry *e;

		if (!pi->lens[fam][len])
			continue;
		prefix_key_make(&k, r->table, gw->family, gw->bytes, len);
		e = htab__find(&pi->h, &k, sizeof(k));
		if (e && ((struct prefix_entry *)e)->route != self)
			return ((struct prefix_entry *)e)->route;
	}
	return NULL;
}

static int route_edges(struct edge_set *s, const struct graph *g)
{
	struct prefix_index pi;
	const struct gnode *via;
	struct gnode *n;
	int err;

	err = prefix_index_build(g, &pi);
	if (err)
		goto out;
	graph_for_each_node(g, TNA_OBJ_ROUTE, n) {
		const struct tna_route *r = &n->obj.route;

		if (!r->nexthop_count) {
			if (r->oif)
				add_to_link(s, g, n->id, "nexthop-dev", r->oif);
			via = r->gateway.family ? prefix_lookup(&pi, n, &r->gateway) : NULL;
			if (via)
				add(s, n->id, "route-via", via->id);
			continue;
		}
		for (int i = 0; i < r->nexthop_count && i < TNA_MAX_NEXTHOPS; i++) {
			const struct tna_nexthop *nh = &r->nexthops[i];

			if (nh->ifindex)
				add_to_link(s, g, n->id, "nexthop-dev", nh->ifindex);
			via = nh->gateway.family ? prefix_lookup(&pi, n, &nh->gateway) : NULL;
			if (via)
				add(s, n->id, "route-via", via->id);
		}
	}
out:
	prefix_index_free(&pi);
	return err;
}

static bool ip_is_any(const struct tna_listener *l)
{
	static const uint8_t zero[16];

	return !memcmp(l->addr.bytes, zero, l->family == AF_INET ? 4 : 16);
}

static bool addr_matches(const struct tna_addr *a, const struct tna_listener *l)
{
	return a->addr.family == l->family &&
	       !memcmp(a->addr.bytes, l->addr.bytes, l->family == AF_INET ? 4 : 16);
}

/* A wildcard zstack listener takes its traffic on every link that can carry it. */
static void steer_wildcard(struct edge_set *s, const struct links *ls, const struct gnode *n)
{
	const struct tna_listener *l = &n->obj.listener;

	for (size_t i = 0; i < ls->count; i++) {
		const struct tna_link *link = &ls->v[i].node->obj.link;
		bool fam = l->family == AF_INET ? ls->v[i].inet :
			   ls->v[i].inet6 || (!l->v6only && ls->v[i].inet);

		if (fam && graph_link_is_up(link) && !(link->flags & IFF_LOOPBACK))
			add(s, n->id, "steers-to", ls->v[i].node->id);
	}
}

static void listener_edges(struct edge_set *s, const struct graph *g, const struct links *ls)
{
	struct gnode *n, *a;

	graph_for_each_node(g, TNA_OBJ_LISTENER, n) {
		const struct tna_listener *l = &n->obj.listener;
		bool zstack = l->owner == TNA_OWNER_ZSTACK;

		if (l->ifindex) {
			add_to_link(s, g, n->id, "listens-on", l->ifindex);
			if (zstack)
				add_to_link(s, g, n->id, "steers-to", l->ifindex);
		}
		if (ip_is_any(l)) {
			if (zstack && !l->ifindex)
				steer_wildcard(s, ls, n);
			continue;
		}
		graph_for_each_node(g, TNA_OBJ_ADDR, a) {
			if (!addr_matches(&a->obj.addr, l))
				continue;
			add(s, n->id, "listens-on", a->id);
			if (zstack && !l->ifindex)
				add_to_link(s, g, n->id, "steers-to", a->obj.addr.ifindex);
		}
	}
}

/* A zstack application: the links it has AF_XDP sockets on, and its listeners. */
static void zs_app_edges(struct edge_set *s, const struct graph *g)
{
	struct gnode *n;

	for (size_t i = 0; i < g->zs_apps_count; i++) {
		const struct graph_zs_app *a = &g->zs_apps[i];

		for (size_t j = 0; j < a->nxsks; j++)
			add_to_link(s, g, a->node_id, "attached-to", a->xsks[j].ifindex);
		graph_for_each_node(g, TNA_OBJ_LISTENER, n)
			if (n->obj.listener.owner == TNA_OWNER_ZSTACK &&
			    n->obj.listener.inode == a->id)
				add(s, n->id, "owned-by", a->node_id);
	}
}

static bool chain_sees(const struct graph *g, const struct tna_nft_chain *c,
		       const struct link_info *li)
{
	const struct tna_link *l = &li->node->obj.link;
	bool v4 = c->family == NFPROTO_IPV4 || c->family == NFPROTO_INET;
	bool v6 = c->family == NFPROTO_IPV6 || c->family == NFPROTO_INET;

	switch (c->family) {
	case NFPROTO_NETDEV:
		return !strcmp(c->dev, l->name);
	case NFPROTO_BRIDGE:
		return l->is_bridge || l->is_brport;
	case NFPROTO_IPV4:
	case NFPROTO_IPV6:
	case NFPROTO_INET:
		if ((v4 && li->inet) || (v6 && li->inet6))
			return true;
		return c->hooknum == NF_INET_FORWARD &&
		       ((v4 && bulk_forwarding(g, l->ifindex, AF_INET) > 0) ||
			(v6 && bulk_forwarding(g, l->ifindex, AF_INET6) > 0));
	default:
		return false;
	}
}

static void chain_edges(struct edge_set *s, const struct graph *g, const struct links *ls)
{
	struct gnode *n;

	graph_for_each_node(g, TNA_OBJ_NFT_CHAIN, n) {
		const struct tna_nft_chain *c = &n->obj.nft_chain;

		if (!c->base)
			continue;
		for (size_t i = 0; i < ls->count; i++)
			if (chain_sees(g, c, &ls->v[i]))
				add(s, n->id, "filters", ls->v[i].node->id);
	}
}

static int edge_cmp(const void *a, const void *b)
{
	const struct gedge *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	if (!c)
		c = strcmp(x->rel, y->rel);
	return c ? c : strcmp(x->to, y->to);
}

int graph_edges(const struct graph *g, struct gedge **out, size_t *count)
{
	struct edge_set s = { 0 };
	struct links ls;
	size_t uniq = 0;
	int err;

	err = graph_links_gather(g, &ls);
	if (err)
		return err;
	link_edges(&s, g);
	err = route_edges(&s, g);
	if (err)
		goto out;
	listener_edges(&s, g, &ls);
	chain_edges(&s, g, &ls);
	zs_app_edges(&s, g);
	err = s.err;
	if (err)
		goto out;
	if (s.count)
		qsort(s.v, s.count, sizeof(*s.v), edge_cmp);
	for (size_t i = 0; i < s.count; i++)
		if (!uniq || edge_cmp(&s.v[uniq - 1], &s.v[i]))
			s.v[uniq++] = s.v[i];
	*out = s.v;
	*count = uniq;
	s.v = NULL;
out:
	free(s.v);
	free(ls.v);
	return err;
}
