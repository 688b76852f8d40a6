/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The topology manager: the kernel's configuration as a graph of nodes with
 * stable ids ("link:7", "route:main:10.0.0.0/24") and attributes, edges
 * between them, and the services derived from both.
 *
 * Bulk tables (FDB entries, neighbours) are not nodes: they are stored apart,
 * counted on the link nodes they belong to, and listed on request.
 */
#ifndef TNA_GRAPH_H
#define TNA_GRAPH_H

#include <jansson.h>
#include <stdbool.h>

#include "introspect/objects.h"

struct graph;

enum graph_change {
	GRAPH_NODE_ADDED,
	GRAPH_NODE_CHANGED,
	GRAPH_NODE_REMOVED,
	GRAPH_FDB_CHANGED,	/* an FDB entry came, changed or went */
};

/*
 * One change, told to every watcher after it is applied. Most changes (the
 * routes of a routing daemon) interest no watcher, so the JSON is rendered
 * only when one asks for it (graph_event__json), and then once for all.
 */
struct graph_event {
	enum graph_change change;
	const char *kind;		/* the node's kind as in its JSON; "fdb" for an entry */
	const struct tna_fdb *fdb;	/* GRAPH_FDB_CHANGED: the entry */
	bool removed;			/* GRAPH_FDB_CHANGED: the entry went */
	/* The graph's own: what graph_event__json renders from. */
	struct graph *g;
	const void *src;
	json_t *(*render)(struct graph_event *ev);
	json_t *json;
};

/* The node's JSON (as in graph__to_json) or, for GRAPH_FDB_CHANGED, the
 * entry's JSON plus "removed", "ifindex" and "master". NULL on ENOMEM. */
const json_t *graph_event__json(struct graph_event *ev);

typedef void (*graph_watch_fn)(void *ctx, struct graph_event *ev);

struct graph *graph__new(void);
void graph__free(struct graph *g);

/* A tna_sink that feeds this graph; hand it to introspect__open. */
struct tna_sink graph__sink(struct graph *g);

void graph__upsert(struct graph *g, const struct tna_obj *obj);
void graph__remove(struct graph *g, const struct tna_obj *obj);
void graph__resync_begin(struct graph *g, enum tna_obj_kind kind);
void graph__resync_end(struct graph *g, enum tna_obj_kind kind);

/* At most a few watchers (control socket monitors, deployer). 0 or -errno. */
int graph__watch(struct graph *g, graph_watch_fn fn, void *ctx);
void graph__unwatch(struct graph *g, graph_watch_fn fn, void *ctx);

/* Marks an XDP program id as loaded by zstack-tna (own) or not: link nodes show
 * "owner":"zstack-tna" for marked programs, "foreign" otherwise. 0 or -errno. */
int graph__set_own_prog(struct graph *g, uint32_t prog_id, bool own);

/* Names a zstack application on its listener nodes (TNA_OBJ_LISTENER with
 * owner TNA_OWNER_ZSTACK and inode = id), which the listener reader's
 * resyncs leave alone. 0 or -errno. */
int graph__set_zstack_app(struct graph *g, uint32_t id, const char *name, int pid);
void graph__drop_zstack_app(struct graph *g, uint32_t id);
/* What the application holds, shown on its zstack-app node: an AF_XDP socket
 * on a queue of a link, and the local endpoints of its zs-connect reservations
 * (add false: released). 0, -ENOENT for an unknown application, or -ENOMEM. */
int graph__zstack_app_xsk(struct graph *g, uint32_t id, int ifindex, uint32_t queue);
int graph__zstack_app_conn(struct graph *g, uint32_t id, const struct tna_ip *addr,
			   uint16_t port, bool add);

/* {"nodes":[...],"edges":[...],"services":[...]}; caller owns the reference. */
json_t *graph__to_json(struct graph *g);
/* The same text as graph__to_json's compact dump, written through write
 * piece by piece, so that no more than one node's tree is held at a time.
 * 0, or -ENOMEM when memory or write failed (the text is then cut short). */
int graph__write_json(struct graph *g, json_dump_callback_t write, void *data);
/* One node and its edges: {"node":{...},"edges":[...]}, or NULL if unknown. */
json_t *graph__node_json(struct graph *g, const char *id);
/* Graphviz source; caller frees. */
char *graph__to_dot(struct graph *g);
/* FDB entries of a bridge, by name or ifindex; NULL if no such bridge. */
json_t *graph__fdb_json(struct graph *g, const char *bridge);
/* Neighbours of a link by name, or of all links when link is NULL; NULL if no such link. */
json_t *graph__neigh_json(struct graph *g, const char *link);

/* Typed views for the assembler and deployer. NULL if unknown. */
const struct tna_link *graph__link(struct graph *g, int ifindex);
const struct tna_link *graph__link_by_name(struct graph *g, const char *name);
/* Calls fn for every link; stops early when fn returns non-zero. */
int graph__for_each_link(struct graph *g, int (*fn)(void *ctx, const struct tna_link *l),
			 void *ctx);
/* Calls fn for every object of a kind held as a node (not FDB/neigh/netconf:
 * -EINVAL), and for TNA_OBJ_NFT_RULE every nft rule. */
int graph__for_each(struct graph *g, enum tna_obj_kind kind,
		    int (*fn)(void *ctx, const struct tna_obj *obj), void *ctx);
/* Calls fn for every FDB entry whose master is the bridge (0: all bridges). */
int graph__for_each_fdb(struct graph *g, int bridge_ifindex,
			int (*fn)(void *ctx, const struct tna_fdb *f), void *ctx);

/* The id of the node that shows obj (GRAPH.md): its own, its chain's for an nft
 * rule; "" for kinds kept in bulk tables (FDB, neighbours, netconf) and for a
 * rule the graph does not hold. Returns buf. */
const char *graph__obj_id(const struct graph *g, const struct tna_obj *obj, char *buf,
			  size_t len);

size_t graph__node_count(const struct graph *g);
size_t graph__edge_count(const struct graph *g);

#endif
