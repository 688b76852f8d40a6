// SPDX-License-Identifier: GPL-2.0
/*
 * The node store: upsert, remove with cascades, resync, watchers and the typed
 * views. Rendering lives in graph_json.c, edges and services are derived on
 * request (graph_edges.c, graph_services.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"
#include "controller/log.h"

/* After net/if.h (objects.h), which it knows how to coexist with. */
#include <linux/if.h>

static size_t obj_size(enum tna_obj_kind kind)
{
	size_t base = offsetof(struct tna_obj, link);

	switch (kind) {
	case TNA_OBJ_LINK:
		return base + sizeof(struct tna_link);
	case TNA_OBJ_ADDR:
		return base + sizeof(struct tna_addr);
	case TNA_OBJ_ROUTE:
		return base + sizeof(struct tna_route);
	case TNA_OBJ_RULE:
		return base + sizeof(struct tna_rule);
	case TNA_OBJ_LISTENER:
		return base + sizeof(struct tna_listener);
	case TNA_OBJ_NFT_TABLE:
		return base + sizeof(struct tna_nft_table);
	case TNA_OBJ_NFT_CHAIN:
		return base + sizeof(struct tna_nft_chain);
	case TNA_OBJ_IPT_TABLE:
		return base + sizeof(struct tna_ipt_table);
	case TNA_OBJ_TC:
		return base + sizeof(struct tna_tc);
	default:
		return sizeof(struct tna_obj);
	}
}

static bool is_bulk_kind(enum tna_obj_kind kind)
{
	return kind == TNA_OBJ_FDB || kind == TNA_OBJ_NEIGH || kind == TNA_OBJ_NETCONF;
}

struct graph *graph__new(void)
{
	struct graph *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	if (htab__init(&g->nodes) || bulk_init(g) || nft_rules_init(g)) {
		graph__free(g);
		return NULL;
	}
	return g;
}

void graph__free(struct graph *g)
{
	if (!g)
		return;
	for (int k = 0; k < TNA_OBJ_KIND_MAX; k++) {
		struct gnode *n = g->kinds[k], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	htab__fini(&g->nodes);
	bulk_fini(g);
	nft_rules_fini(g);
	free(g->own_progs);
	graph_zs_apps_free(g);
	free(g);
}

struct gnode *graph_find(const struct graph *g, const char *id)
{
	struct htab_entry *e = htab__find_str(&g->nodes, id);

	return e ? (struct gnode *)((char *)e - offsetof(struct gnode, he)) : NULL;
}

struct gnode *graph_link_node(const struct graph *g, int ifindex)
{
	char id[32];

	snprintf(id, sizeof(id), "link:%d", ifindex);
	return graph_find(g, id);
}

const char *graph_link_name(const struct graph *g, int ifindex)
{
	struct gnode *n = graph_link_node(g, ifindex);

	return n ? n->obj.link.name : NULL;
}

bool graph_link_is_up(const struct tna_link *l)
{
	return (l->flags & IFF_UP) &&
	       (l->operstate == IF_OPER_UP || l->operstate == IF_OPER_UNKNOWN);
}

bool graph_prog_is_own(const struct graph *g, uint32_t prog_id)
{
	for (size_t i = 0; i < g->own_progs_count; i++)
		if (g->own_progs[i] == prog_id)
			return true;
	return false;
}

/* The links running the program show a new owner. */
static void own_prog_changed(struct graph *g, uint32_t prog_id)
{
	struct gnode *n;

	graph_for_each_node(g, TNA_OBJ_LINK, n)
		if (n->obj.link.xdp_prog_id == prog_id)
			graph_emit_node(g, GRAPH_NODE_CHANGED, n);
}

int graph__set_own_prog(struct graph *g, uint32_t prog_id, bool own)
{
	size_t i;

	for (i = 0; i < g->own_progs_count; i++)
		if (g->own_progs[i] == prog_id)
			break;
	if (!own) {
		if (i < g->own_progs_count) {
			g->own_progs[i] = g->own_progs[--g->own_progs_count];
			own_prog_changed(g, prog_id);
		}
		return 0;
	}
	if (i < g->own_progs_count)
		return 0;
	if (g->own_progs_count == g->own_progs_cap) {
		size_t cap = g->own_progs_cap ? g->own_progs_cap * 2 : 8;
		uint32_t *v = realloc(g->own_progs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->own_progs = v;
		g->own_progs_cap = cap;
	}
	g->own_progs[g->own_progs_count++] = prog_id;
	own_prog_changed(g, prog_id);
	return 0;
}

/* Watchers */

int graph__watch(struct graph *g, graph_watch_fn fn, void *ctx)
{
	if (g->nwatchers == GRAPH_MAX_WATCHERS)
		return -ENOSPC;
	g->watchers[g->nwatchers].fn = fn;
	g->watchers[g->nwatchers].ctx = ctx;
	g->nwatchers++;
	return 0;
}

void graph__unwatch(struct graph *g, graph_watch_fn fn, void *ctx)
{
	for (int i = 0; i < g->nwatchers; i++) {
		if (g->watchers[i].fn != fn || g->watchers[i].ctx != ctx)
			continue;
		g->watchers[i] = g->watchers[--g->nwatchers];
		return;
	}
}

const json_t *graph_event__json(struct graph_event *ev)
{
	if (!ev->json)
		ev->json = ev->render(ev);
	return ev->json;
}

void graph_emit(struct graph *g, struct graph_event *ev)
{
	ev->g = g;
	for (int i = 0; i < g->nwatchers; i++)
		g->watchers[i].fn(g->watchers[i].ctx, ev);
	json_decref(ev->json);
	ev->json = NULL;
}

static json_t *render_node(struct graph_event *ev)
{
	return graph_node_render(ev->g, ev->src);
}

void graph_emit_node(struct graph *g, enum graph_change change, const struct gnode *n)
{
	struct graph_event ev = { .change = change, .kind = graph_node_kind(n->obj.kind),
				  .src = n, .render = render_node };

	graph_emit(g, &ev);
}

void graph_emit_link(struct graph *g, int ifindex)
{
	struct gnode *n;

	if (!g->nwatchers)
		return;
	if (ifindex > 0) {
		n = graph_link_node(g, ifindex);
		if (n)
			graph_emit_node(g, GRAPH_NODE_CHANGED, n);
		return;
	}
	graph_for_each_node(g, TNA_OBJ_LINK, n)
		graph_emit_node(g, GRAPH_NODE_CHANGED, n);
}

/* Nodes */

static void node_unlink(struct graph *g, struct gnode *n)
{
	enum tna_obj_kind k = n->obj.kind;

	htab__remove(&g->nodes, &n->he);
	if (n->prev)
		n->prev->next = n->next;
	else
		g->kinds[k] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	g->kind_count[k]--;
}

static void node_remove(struct graph *g, struct gnode *n);

/* A route the kernel drops with the link: every device it sends through is it. */
static bool route_only_via(const struct tna_route *r, int ifindex)
{
	if (!r->nexthop_count)
		return r->oif == ifindex;
	for (int i = 0; i < r->nexthop_count && i < TNA_MAX_NEXTHOPS; i++)
		if (r->nexthops[i].ifindex != ifindex)
			return false;
	return true;
}

static void link_cascade(struct graph *g, int ifindex)
{
	struct gnode *n, *next;

	for (n = g->kinds[TNA_OBJ_ADDR]; n; n = next) {
		next = n->next;
		if (n->obj.addr.ifindex == ifindex)
			node_remove(g, n);
	}
	for (n = g->kinds[TNA_OBJ_ROUTE]; n; n = next) {
		next = n->next;
		if (route_only_via(&n->obj.route, ifindex))
			node_remove(g, n);
	}
	for (n = g->kinds[TNA_OBJ_TC]; n; n = next) {
		next = n->next;
		if (n->obj.tc.ifindex == ifindex)
			node_remove(g, n);
	}
	bulk_drop_link(g, ifindex);
}

static void nft_table_cascade(struct graph *g, const struct tna_nft_table *t)
{
	struct gnode *n, *next;

	for (n = g->kinds[TNA_OBJ_NFT_CHAIN]; n; n = next) {
		const struct tna_nft_chain *c = &n->obj.nft_chain;

		next = n->next;
		if (c->family == t->family && !strcmp(c->table, t->name))
			node_remove(g, n);
	}
	nft_rules_drop_table(g, t->family, t->name);
}

/* Dependents go first, so that their removal events still name the link. */
static void node_remove(struct graph *g, struct gnode *n)
{
	switch (n->obj.kind) {
	case TNA_OBJ_LINK:
		link_cascade(g, n->obj.link.ifindex);
		break;
	case TNA_OBJ_NFT_TABLE:
		nft_table_cascade(g, &n->obj.nft_table);
		break;
	case TNA_OBJ_NFT_CHAIN:
		nft_rules_drop_chain(g, n->id);
		break;
	default:
		break;
	}
	graph_emit_node(g, GRAPH_NODE_REMOVED, n);
	node_unlink(g, n);
	if (n->obj.kind == TNA_OBJ_LISTENER)
		graph_zs_listener_changed(g, &n->obj.listener);
	free(n);
}

static struct gnode *node_lookup(const struct graph *g, const struct tna_obj *obj)
{
	char id[GRAPH_ID_MAX];

	if (obj->kind == TNA_OBJ_RULE)
		return graph_rule_find(g, &obj->rule);
	graph_obj_id(g, obj, id, sizeof(id));
	return graph_find(g, id);
}

static void node_upsert(struct graph *g, const struct tna_obj *obj)
{
	size_t size = obj_size(obj->kind);
	char id[GRAPH_ID_MAX];
	struct gnode *n = node_lookup(g, obj);

	if (n) {
		n->stale = false;
		if (!memcmp(&n->obj, obj, size))
			return;
		memcpy(&n->obj, obj, size);
		graph_emit_node(g, GRAPH_NODE_CHANGED, n);
		return;
	}
	if (obj->kind == TNA_OBJ_RULE)
		graph_rule_new_id(g, &obj->rule, id, sizeof(id));
	else
		graph_obj_id(g, obj, id, sizeof(id));
	n = calloc(1, sizeof(*n) + strlen(id) + 1);
	if (!n)
		goto oom;
	strcpy(n->id, id);
	memcpy(&n->obj, obj, size);
	n->he.key = n->id;
	n->he.key_len = strlen(n->id);
	if (htab__insert(&g->nodes, &n->he)) {
		free(n);
		goto oom;
	}
	n->next = g->kinds[obj->kind];
	if (n->next)
		n->next->prev = n;
	g->kinds[obj->kind] = n;
	g->kind_count[obj->kind]++;
	if (obj->kind == TNA_OBJ_LINK)
		bulk_count_link(g, n);
	graph_emit_node(g, GRAPH_NODE_ADDED, n);
	if (obj->kind == TNA_OBJ_LISTENER)
		graph_zs_listener_changed(g, &obj->listener);
	return;
oom:
	pr_warn("graph: out of memory, %s is missing until the next resync", id);
}

void graph__upsert(struct graph *g, const struct tna_obj *obj)
{
	if (obj->kind >= TNA_OBJ_KIND_MAX)
		return;
	if (is_bulk_kind(obj->kind))
		bulk_upsert(g, obj);
	else if (obj->kind == TNA_OBJ_NFT_RULE)
		nft_rules_upsert(g, &obj->nft_rule);
	else
		node_upsert(g, obj);
}

void graph__remove(struct graph *g, const struct tna_obj *obj)
{
	struct gnode *n;

	if (obj->kind >= TNA_OBJ_KIND_MAX)
		return;
	if (is_bulk_kind(obj->kind)) {
		bulk_remove(g, obj);
	} else if (obj->kind == TNA_OBJ_NFT_RULE) {
		nft_rules_remove(g, &obj->nft_rule);
	} else {
		n = node_lookup(g, obj);
		if (n)
			node_remove(g, n);
	}
	htab__shrink(&g->nodes);
}

/* The daemon's own (zstack) listeners: no reader dumps them, so a resync of
 * the kernel's listeners must not drop them. */
static bool is_zstack_listener(const struct gnode *n)
{
	return n->obj.kind == TNA_OBJ_LISTENER && n->obj.listener.owner == TNA_OWNER_ZSTACK;
}

void graph__resync_begin(struct graph *g, enum tna_obj_kind kind)
{
	struct gnode *n;

	if (kind >= TNA_OBJ_KIND_MAX)
		return;
	if (is_bulk_kind(kind))
		bulk_resync_begin(g, kind);
	else if (kind == TNA_OBJ_NFT_RULE)
		nft_rules_resync_begin(g);
	else
		graph_for_each_node(g, kind, n)
			n->stale = !is_zstack_listener(n);
}

void graph__resync_end(struct graph *g, enum tna_obj_kind kind)
{
	struct gnode *n, *next;

	if (kind >= TNA_OBJ_KIND_MAX)
		return;
	if (is_bulk_kind(kind)) {
		bulk_resync_end(g, kind);
	} else if (kind == TNA_OBJ_NFT_RULE) {
		nft_rules_resync_end(g);
	} else {
		for (n = g->kinds[kind]; n; n = next) {
			next = n->next;
			if (n->stale)
				node_remove(g, n);
		}
	}
	htab__shrink(&g->nodes);
}

static void sink_upsert(void *ctx, const struct tna_obj *obj)
{
	graph__upsert(ctx, obj);
}

static void sink_remove(void *ctx, const struct tna_obj *obj)
{
	graph__remove(ctx, obj);
}

static void sink_resync_begin(void *ctx, enum tna_obj_kind kind)
{
	graph__resync_begin(ctx, kind);
}

static void sink_resync_end(void *ctx, enum tna_obj_kind kind)
{
	graph__resync_end(ctx, kind);
}

struct tna_sink graph__sink(struct graph *g)
{
	struct tna_sink s = {
		.upsert = sink_upsert,
		.remove = sink_remove,
		.resync_begin = sink_resync_begin,
		.resync_end = sink_resync_end,
		.ctx = g,
	};

	return s;
}

/* Typed views */

const struct tna_link *graph__link(struct graph *g, int ifindex)
{
	struct gnode *n = graph_link_node(g, ifindex);

	return n ? &n->obj.link : NULL;
}

const struct tna_link *graph__link_by_name(struct graph *g, const char *name)
{
	struct gnode *n;

	graph_for_each_node(g, TNA_OBJ_LINK, n)
		if (!strcmp(n->obj.link.name, name))
			return &n->obj.link;
	return NULL;
}

int graph__for_each_link(struct graph *g, int (*fn)(void *ctx, const struct tna_link *l),
			 void *ctx)
{
	struct gnode *n;
	int ret;

	graph_for_each_node(g, TNA_OBJ_LINK, n) {
		ret = fn(ctx, &n->obj.link);
		if (ret)
			return ret;
	}
	return 0;
}

int graph__for_each(struct graph *g, enum tna_obj_kind kind,
		    int (*fn)(void *ctx, const struct tna_obj *obj), void *ctx)
{
	struct gnode *n;
	int ret;

	if (kind >= TNA_OBJ_KIND_MAX || is_bulk_kind(kind))
		return -EINVAL;
	if (kind == TNA_OBJ_NFT_RULE)
		return nft_rules_for_each(g, fn, ctx);
	graph_for_each_node(g, kind, n) {
		ret = fn(ctx, &n->obj);
		if (ret)
			return ret;
	}
	return 0;
}

size_t graph__node_count(const struct graph *g)
{
	return g->nodes.count + g->zs_apps_count;
}

size_t graph__edge_count(const struct graph *g)
{
	struct gedge *edges;
	size_t count;

	if (graph_edges(g, &edges, &count))
		return 0;
	free(edges);
	return count;
}
