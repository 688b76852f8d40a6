// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk tables: FDB entries, neighbours and netconf records. They are looked up
 * and counted, never nodes, so that a learned MAC changes no plan.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controller/graph_priv.h"
#include "controller/log.h"
#include "controller/names.h"

#define entry_of(e) ((struct bentry *)((char *)(e) - offsetof(struct bentry, he)))

static struct htab *table_of(struct graph *g, enum tna_obj_kind kind)
{
	switch (kind) {
	case TNA_OBJ_FDB:
		return &g->fdb;
	case TNA_OBJ_NEIGH:
		return &g->neigh;
	default:
		return &g->netconf;
	}
}

int bulk_init(struct graph *g)
{
	int err;

	err = htab__init(&g->fdb);
	if (err)
		return err;
	err = htab__init(&g->neigh);
	if (err)
		return err;
	return htab__init(&g->netconf);
}

static void free_all(struct htab *h)
{
	struct htab_entry *e, *next;

	if (!h->buckets)
		return;
	for (e = htab__next(h, NULL); e; e = next) {
		next = htab__next(h, e);
		free(entry_of(e));
	}
	htab__fini(h);
}

void bulk_fini(struct graph *g)
{
	free_all(&g->fdb);
	free_all(&g->neigh);
	free_all(&g->netconf);
}

/* The kernel's identity of each entry. */
static void bulk_key(const struct tna_obj *obj, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], mac[24];

	switch (obj->kind) {
	case TNA_OBJ_FDB:
		/* A bridge knows a MAC once per VLAN, whichever port it is on
		 * (a station move is an RTM_NEWNEIGH with the new port and no
		 * RTM_DELNEIGH for the old); a device's own entries are per device. */
		graph_format_mac(obj->fdb.mac, 6, mac, sizeof(mac));
		if (obj->fdb.master)
			snprintf(buf, len, "m/%d/%s/%u", obj->fdb.master, mac, obj->fdb.vlan);
		else
			snprintf(buf, len, "s/%d/%s/%u", obj->fdb.ifindex, mac, obj->fdb.vlan);
		break;
	case TNA_OBJ_NEIGH:
		graph_format_ip(&obj->neigh.dst, a, sizeof(a));
		snprintf(buf, len, "%d/%s", obj->neigh.ifindex, a);
		break;
	default:
		snprintf(buf, len, "%u/%d", obj->netconf.family, obj->netconf.ifindex);
		break;
	}
}

static void link_count(struct graph *g, int ifindex, bool fdb, int delta)
{
	struct gnode *n = graph_link_node(g, ifindex);

	if (!n)
		return;
	if (fdb)
		n->fdb_count += delta;
	else
		n->neigh_count += delta;
}

/* An entry counts on its port and on its bridge (once when they are the same). */
static void fdb_count(struct graph *g, const struct tna_fdb *f, int delta)
{
	link_count(g, f->ifindex, true, delta);
	if (f->master && f->master != f->ifindex)
		link_count(g, f->master, true, delta);
}

void bulk_count_link(const struct graph *g, struct gnode *link)
{
	int ifindex = link->obj.link.ifindex;
	struct htab_entry *e;

	link->fdb_count = 0;
	link->neigh_count = 0;
	for (e = htab__next(&g->fdb, NULL); e; e = htab__next(&g->fdb, e)) {
		const struct tna_fdb *f = &entry_of(e)->fdb;

		if (f->ifindex == ifindex || f->master == ifindex)
			link->fdb_count++;
	}
	for (e = htab__next(&g->neigh, NULL); e; e = htab__next(&g->neigh, e))
		if (entry_of(e)->neigh.ifindex == ifindex)
			link->neigh_count++;
}

static long clock_ticks(void)
{
	static long hz;

	if (!hz) {
		hz = sysconf(_SC_CLK_TCK);
		if (hz <= 0)
			hz = 100;
	}
	return hz;
}

json_t *bulk_fdb_entry_json(const struct graph *g, const struct tna_fdb *f)
{
	const char *port = graph_link_name(g, f->ifindex);
	json_t *flags = json_array();
	char mac[24];
	const char *state;

	if (f->state & NUD_PERMANENT)
		state = "local";
	else if (f->state & NUD_NOARP)
		state = "static";
	else
		state = "dynamic";
	for (unsigned int bit = 1; bit < 0x100; bit <<= 1) {
		const char *name = (f->flags & bit) ? names_ntf_bit(bit) : NULL;

		if (name)
			json_array_append_new(flags, json_string(name));
	}
	graph_format_mac(f->mac, 6, mac, sizeof(mac));
	return json_pack("{s:s, s:o, s:o, s:s, s:o, s:I, s:I}", "mac", mac, "port",
			 port ? json_string(port) : json_integer(f->ifindex), "vlan",
			 f->vlan ? json_integer(f->vlan) : json_null(), "state", state, "flags",
			 flags, "used", (json_int_t)(f->used_ticks / clock_ticks()), "updated",
			 (json_int_t)(f->updated_ticks / clock_ticks()));
}

static json_t *render_fdb(struct graph_event *ev)
{
	json_t *j = bulk_fdb_entry_json(ev->g, ev->fdb);

	if (!j)
		return NULL;
	json_object_set_new(j, "removed", json_boolean(ev->removed));
	/* Names can be gone by the time a watcher reads them (a port deleted
	 * flushes its entries): the kernel's identity goes with them. */
	json_object_set_new(j, "ifindex", json_integer(ev->fdb->ifindex));
	json_object_set_new(j, "master", json_integer(ev->fdb->master));
	return j;
}

static void fdb_emit(struct graph *g, const struct tna_fdb *f, bool removed)
{
	struct graph_event ev = { .change = GRAPH_FDB_CHANGED, .kind = "fdb", .fdb = f,
				  .removed = removed, .render = render_fdb };

	graph_emit(g, &ev);
}

/* Ageing counters move on every refresh; only the rest is news to a watcher. */
static bool fdb_same(const struct tna_fdb *a, const struct tna_fdb *b)
{
	return a->ifindex == b->ifindex && a->master == b->master &&
	       !memcmp(a->mac, b->mac, 6) && a->vlan == b->vlan && a->state == b->state &&
	       a->flags == b->flags;
}

static int forwarding_of(const struct graph *g, int ifindex, uint8_t family)
{
	struct tna_obj key = { .kind = TNA_OBJ_NETCONF };
	struct htab_entry *e;
	char k[80];

	key.netconf.family = family;
	key.netconf.ifindex = ifindex;
	bulk_key(&key, k, sizeof(k));
	e = htab__find_str(&g->netconf, k);
	return e ? entry_of(e)->netconf.forwarding : -1;
}

int bulk_forwarding(const struct graph *g, int ifindex, uint8_t family)
{
	int fwd = forwarding_of(g, ifindex, family);

	return fwd >= 0 ? fwd : forwarding_of(g, -1, family);
}

/* A netconf notification carries only what changed (-1 elsewhere): merge it. */
static void netconf_merge(struct tna_netconf *dst, const struct tna_netconf *src)
{
	if (src->forwarding >= 0)
		dst->forwarding = src->forwarding;
	if (src->rp_filter >= 0)
		dst->rp_filter = src->rp_filter;
	if (src->mc_forwarding >= 0)
		dst->mc_forwarding = src->mc_forwarding;
	if (src->proxy_neigh >= 0)
		dst->proxy_neigh = src->proxy_neigh;
	if (src->ignore_routes_with_linkdown >= 0)
		dst->ignore_routes_with_linkdown = src->ignore_routes_with_linkdown;
}

static void entry_update(struct graph *g, struct bentry *b, const struct tna_obj *obj)
{
	int old;

	switch (obj->kind) {
	case TNA_OBJ_FDB:
		if (fdb_same(&b->fdb, &obj->fdb)) {
			b->fdb = obj->fdb;
			return;
		}
		fdb_count(g, &b->fdb, -1);
		b->fdb = obj->fdb;
		fdb_count(g, &b->fdb, 1);
		fdb_emit(g, &b->fdb, false);
		break;
	case TNA_OBJ_NEIGH:
		b->neigh = obj->neigh;
		break;
	default:
		old = b->netconf.forwarding;
		netconf_merge(&b->netconf, &obj->netconf);
		if (old != b->netconf.forwarding)
			graph_emit_link(g, b->netconf.ifindex);
		break;
	}
}

void bulk_upsert(struct graph *g, const struct tna_obj *obj)
{
	struct htab *h = table_of(g, obj->kind);
	struct htab_entry *e;
	struct bentry *b;
	char key[80];

	bulk_key(obj, key, sizeof(key));
	e = htab__find_str(h, key);
	if (e) {
		b = entry_of(e);
		b->stale = false;
		entry_update(g, b, obj);
		return;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		goto oom;
	strcpy(b->key, key);
	b->he.key = b->key;
	b->he.key_len = strlen(b->key);
	if (htab__insert(h, &b->he)) {
		free(b);
		goto oom;
	}
	switch (obj->kind) {
	case TNA_OBJ_FDB:
		b->fdb = obj->fdb;
		fdb_count(g, &b->fdb, 1);
		fdb_emit(g, &b->fdb, false);
		break;
	case TNA_OBJ_NEIGH:
		b->neigh = obj->neigh;
		link_count(g, b->neigh.ifindex, false, 1);
		break;
	default:
		b->netconf = obj->netconf;
		if (b->netconf.forwarding >= 0)
			graph_emit_link(g, b->netconf.ifindex);
		break;
	}
	return;
oom:
	pr_warn("graph: out of memory, entry %s is missing until the next resync", key);
}

static void entry_drop(struct graph *g, enum tna_obj_kind kind, struct bentry *b, bool emit)
{
	htab__remove(table_of(g, kind), &b->he);
	switch (kind) {
	case TNA_OBJ_FDB:
		fdb_count(g, &b->fdb, -1);
		if (emit)
			fdb_emit(g, &b->fdb, true);
		break;
	case TNA_OBJ_NEIGH:
		link_count(g, b->neigh.ifindex, false, -1);
		break;
	default:
		if (emit && b->netconf.forwarding >= 0)
			graph_emit_link(g, b->netconf.ifindex);
		break;
	}
	free(b);
}

void bulk_remove(struct graph *g, const struct tna_obj *obj)
{
	struct htab *h = table_of(g, obj->kind);
	struct htab_entry *e;
	char key[80];

	bulk_key(obj, key, sizeof(key));
	e = htab__find_str(h, key);
	if (e)
		entry_drop(g, obj->kind, entry_of(e), true);
	htab__shrink(h);
}

void bulk_resync_begin(struct graph *g, enum tna_obj_kind kind)
{
	struct htab *h = table_of(g, kind);
	struct htab_entry *e;

	for (e = htab__next(h, NULL); e; e = htab__next(h, e))
		entry_of(e)->stale = true;
}

void bulk_resync_end(struct graph *g, enum tna_obj_kind kind)
{
	struct htab *h = table_of(g, kind);
	struct htab_entry *e, *next;

	for (e = htab__next(h, NULL); e; e = next) {
		next = htab__next(h, e);
		if (entry_of(e)->stale)
			entry_drop(g, kind, entry_of(e), true);
	}
	htab__shrink(h);
}

/* What the kernel flushes with a link, without telling. */
void bulk_drop_link(struct graph *g, int ifindex)
{
	struct htab_entry *e, *next;

	for (e = htab__next(&g->fdb, NULL); e; e = next) {
		const struct tna_fdb *f = &entry_of(e)->fdb;

		next = htab__next(&g->fdb, e);
		if (f->ifindex == ifindex || f->master == ifindex)
			entry_drop(g, TNA_OBJ_FDB, entry_of(e), true);
	}
	for (e = htab__next(&g->neigh, NULL); e; e = next) {
		next = htab__next(&g->neigh, e);
		if (entry_of(e)->neigh.ifindex == ifindex)
			entry_drop(g, TNA_OBJ_NEIGH, entry_of(e), false);
	}
	for (e = htab__next(&g->netconf, NULL); e; e = next) {
		next = htab__next(&g->netconf, e);
		if (entry_of(e)->netconf.ifindex == ifindex)
			entry_drop(g, TNA_OBJ_NETCONF, entry_of(e), false);
	}
	htab__shrink(&g->fdb);
	htab__shrink(&g->neigh);
	htab__shrink(&g->netconf);
}
