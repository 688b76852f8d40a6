/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the graph's files share and nobody else sees. The graph stores typed
 * objects and renders JSON only when asked, so the update path (10 000 routes
 * in a burst) costs a hash lookup and a copy per object.
 */
#ifndef TNA_GRAPH_PRIV_H
#define TNA_GRAPH_PRIV_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>

#include "controller/graph.h"
#include "controller/htab.h"

#define GRAPH_ID_MAX 256
#define GRAPH_MAX_WATCHERS 8

struct gnode {
	struct htab_entry he;		/* keyed by id */
	struct gnode *prev, *next;	/* every node of the same kind */
	bool stale;			/* not seen since resync_begin */
	uint32_t fdb_count;		/* links: entries on this port or of this bridge */
	uint32_t neigh_count;		/* links */
	struct tna_obj obj;
	char id[];
};

/* An FDB entry, a neighbour or a netconf record: looked up, never a node. */
struct bentry {
	struct htab_entry he;
	bool stale;
	union {
		struct tna_fdb fdb;
		struct tna_neigh neigh;
		struct tna_netconf netconf;
	};
	char key[80];
};

struct nft_rule_entry {
	struct tna_nft_rule rule;
	bool stale;
};

/* The rules of one chain, kept by chain id so that a rule dumped before its
 * chain is not lost; the chain node shows them when it exists. */
struct nft_rules {
	struct htab_entry he;
	uint8_t family;
	char table[TNA_NAME_MAX];
	size_t count, cap;
	struct nft_rule_entry *v;
	char chain_id[];
};

/* An AF_XDP socket of a zstack application, and the local end of a zs-connect. */
struct graph_zs_xsk {
	int ifindex;
	uint32_t queue;
};

struct graph_zs_conn {
	struct tna_ip addr;
	uint16_t port;
};

/* A zstack application: a node of its own, named on its listeners
 * (tna_listener.inode is its id). */
struct graph_zs_app {
	uint32_t id;
	int pid;
	char name[64];
	char node_id[32];
	struct graph_zs_xsk *xsks;
	size_t nxsks, xsks_cap;
	struct graph_zs_conn *conns;	/* in the order they were reserved */
	size_t nconns, conns_cap;
};

struct graph_watcher {
	graph_watch_fn fn;
	void *ctx;
};

struct graph {
	struct htab nodes;
	struct gnode *kinds[TNA_OBJ_KIND_MAX];
	size_t kind_count[TNA_OBJ_KIND_MAX];
	struct htab fdb;
	struct htab neigh;
	struct htab netconf;
	struct htab nft_rules;
	struct graph_watcher watchers[GRAPH_MAX_WATCHERS];
	int nwatchers;
	uint32_t *own_progs;
	size_t own_progs_count, own_progs_cap;
	struct graph_zs_app *zs_apps;
	size_t zs_apps_count, zs_apps_cap;
};

#define graph_for_each_node(g, kind, n) for (n = (g)->kinds[kind]; n; n = n->next)

/* graph.c */
struct gnode *graph_find(const struct graph *g, const char *id);
struct gnode *graph_link_node(const struct graph *g, int ifindex);
/* The link's name, or NULL when the link is unknown. */
const char *graph_link_name(const struct graph *g, int ifindex);
bool graph_prog_is_own(const struct graph *g, uint32_t prog_id);
/* Admin up and carrier not known to be missing. */
bool graph_link_is_up(const struct tna_link *l);
void graph_emit_node(struct graph *g, enum graph_change change, const struct gnode *n);
void graph_emit_link(struct graph *g, int ifindex);
/* Tells every watcher; ev->render makes its JSON if one asks. */
void graph_emit(struct graph *g, struct graph_event *ev);

/* graph_id.c: ids and canonical text */
void graph_format_ip(const struct tna_ip *ip, char *buf, size_t len);
void graph_format_prefix(const struct tna_ip *ip, uint8_t plen, char *buf, size_t len);
void graph_format_mac(const uint8_t *mac, uint8_t mac_len, char *buf, size_t len);
void graph_nft_chain_id(uint8_t family, const char *table, const char *chain, char *buf,
			size_t len);
/* The id of any node kind but TNA_OBJ_RULE (whose id depends on its neighbours). */
void graph_obj_id(const struct graph *g, const struct tna_obj *obj, char *buf, size_t len);
struct gnode *graph_rule_find(const struct graph *g, const struct tna_rule *r);
void graph_rule_new_id(const struct graph *g, const struct tna_rule *r, char *buf, size_t len);

/* graph_bulk.c: FDB, neighbours, netconf */
int bulk_init(struct graph *g);
void bulk_fini(struct graph *g);
void bulk_upsert(struct graph *g, const struct tna_obj *obj);
void bulk_remove(struct graph *g, const struct tna_obj *obj);
void bulk_resync_begin(struct graph *g, enum tna_obj_kind kind);
void bulk_resync_end(struct graph *g, enum tna_obj_kind kind);
void bulk_drop_link(struct graph *g, int ifindex);
void bulk_count_link(const struct graph *g, struct gnode *link);
/* Forwarding for a family on a link: 1, 0, or -1 when netconf has not told. */
int bulk_forwarding(const struct graph *g, int ifindex, uint8_t family);
json_t *bulk_fdb_entry_json(const struct graph *g, const struct tna_fdb *f);

/* graph_nft.c: nft rules, attached to their chains */
int nft_rules_init(struct graph *g);
void nft_rules_fini(struct graph *g);
void nft_rules_upsert(struct graph *g, const struct tna_nft_rule *r);
void nft_rules_remove(struct graph *g, const struct tna_nft_rule *r);
void nft_rules_resync_begin(struct graph *g);
void nft_rules_resync_end(struct graph *g);
void nft_rules_drop_chain(struct graph *g, const char *chain_id);
void nft_rules_drop_table(struct graph *g, uint8_t family, const char *table);
const struct nft_rules *nft_rules_find(const struct graph *g, const char *chain_id);
int nft_rules_for_each(struct graph *g, int (*fn)(void *ctx, const struct tna_obj *obj),
		       void *ctx);

/* graph_zstack.c */
/* {"id","name","pid"} of a zstack application, or null when unknown. */
json_t *graph_zs_app_json(const struct graph *g, uint32_t id);
void graph_zs_apps_free(struct graph *g);
const struct graph_zs_app *graph_zs_app_by_node_id(const struct graph *g, const char *id);
/* The zstack-app node's JSON (GRAPH.md). */
json_t *graph_zs_app_render(const struct graph *g, const struct graph_zs_app *a);
/* A zstack listener came or went: its application's count changed. */
void graph_zs_listener_changed(struct graph *g, const struct tna_listener *l);

/* graph_json.c */
json_t *graph_node_render(const struct graph *g, const struct gnode *n);
/* The "kind" of a node of this object kind ("link", "nft-chain", ...). */
const char *graph_node_kind(enum tna_obj_kind kind);

/* graph_edges.c: edges are derived, never stored */
struct gedge {
	const char *from;
	const char *rel;
	const char *to;
};

/* Every link, sorted by ifindex, with the address families it carries. */
struct link_info {
	int ifindex;
	const struct gnode *node;
	bool inet, inet6;
};

struct links {
	struct link_info *v;
	size_t count;
};

int graph_links_gather(const struct graph *g, struct links *ls);

/* Every edge, sorted by (from, rel, to) and without duplicates. 0 or -ENOMEM. */
int graph_edges(const struct graph *g, struct gedge **out, size_t *count);
json_t *graph_edge_json(const struct gedge *e);

/* graph_services.c */
json_t *graph_services_json(const struct graph *g);

#endif
