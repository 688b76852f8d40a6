// SPDX-License-Identifier: GPL-2.0
/*
 * Listing the bulk tables on request (`tnactl fdb`, `tnactl neigh`), sorted so
 * that the output is stable.
 */
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"
#include "controller/names.h"

#define entry_of(e) ((struct bentry *)((char *)(e) - offsetof(struct bentry, he)))

static bool is_bridge(const struct tna_link *l)
{
	return l->is_bridge || !strcmp(l->kind, "bridge");
}

/* A link by name, or by ifindex when the text is a number. */
static const struct tna_link *link_by_text(struct graph *g, const char *text)
{
	const struct tna_link *l = graph__link_by_name(g, text);
	char *end;
	long ifindex;

	if (l)
		return l;
	ifindex = strtol(text, &end, 10);
	if (!*text || *end || ifindex <= 0 || ifindex > 0x7fffffff)
		return NULL;
	return graph__link(g, ifindex);
}

/* `bridge fdb show br X` lists the bridge's entries and those on the bridge device. */
static bool fdb_of_bridge(const struct tna_fdb *f, int bridge)
{
	return f->master == bridge || f->ifindex == bridge;
}

int graph__for_each_fdb(struct graph *g, int bridge_ifindex,
			int (*fn)(void *ctx, const struct tna_fdb *f), void *ctx)
{
	struct htab_entry *e;
	int ret;

	for (e = htab__next(&g->fdb, NULL); e; e = htab__next(&g->fdb, e)) {
		const struct tna_fdb *f = &entry_of(e)->fdb;

		if (bridge_ifindex ? f->master != bridge_ifindex : !f->master)
			continue;
		ret = fn(ctx, f);
		if (ret)
			return ret;
	}
	return 0;
}

static int fdb_cmp(const void *a, const void *b)
{
	const struct tna_fdb *x = *(const struct tna_fdb *const *)a;
	const struct tna_fdb *y = *(const struct tna_fdb *const *)b;
	int c = memcmp(x->mac, y->mac, 6);

	if (c)
		return c;
	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return (x->master > y->master) - (x->master < y->master);
}

json_t *graph__fdb_json(struct graph *g, const char *bridge)
{
	const struct tna_link *br = link_by_text(g, bridge);
	const struct tna_fdb **v;
	struct htab_entry *e;
	size_t count = 0;
	json_t *a;

	if (!br || !is_bridge(br))
		return NULL;
	v = malloc((g->fdb.count + 1) * sizeof(*v));
	a = json_array();
	if (!v || !a) {
		free(v);
		json_decref(a);
		return NULL;
	}
	for (e = htab__next(&g->fdb, NULL); e; e = htab__next(&g->fdb, e))
		if (fdb_of_bridge(&entry_of(e)->fdb, br->ifindex))
			v[count++] = &entry_of(e)->fdb;
	qsort(v, count, sizeof(*v), fdb_cmp);
	for (size_t i = 0; i < count; i++)
		json_array_append_new(a, bulk_fdb_entry_json(g, v[i]));
	free(v);
	return a;
}

static json_t *neigh_json(const struct graph *g, const struct tna_neigh *n)
{
	json_t *state = json_array();
	char dst[INET6_ADDRSTRLEN], mac[24];
	const char *dev = graph_link_name(g, n->ifindex);

	if (!n->state)
		json_array_append_new(state, json_string("NONE"));
	for (unsigned int bit = 1; bit < 0x10000; bit <<= 1) {
		const char *name = (n->state & bit) ? names_nud_bit(bit) : NULL;

		if (name)
			json_array_append_new(state, json_string(name));
	}
	graph_format_ip(&n->dst, dst, sizeof(dst));
	graph_format_mac(n->lladdr, n->lladdr_len, mac, sizeof(mac));
	return json_pack("{s:s, s:o, s:o, s:o}", "dst", dst, "lladdr",
			 n->lladdr_len ? json_string(mac) : json_null(), "dev",
			 dev ? json_string(dev) : json_integer(n->ifindex), "state", state);
}

static int neigh_cmp(const void *a, const void *b)
{
	const struct tna_neigh *x = *(const struct tna_neigh *const *)a;
	const struct tna_neigh *y = *(const struct tna_neigh *const *)b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	if (x->dst.family != y->dst.family)
		return x->dst.family < y->dst.family ? -1 : 1;
	return memcmp(x->dst.bytes, y->dst.bytes, sizeof(x->dst.bytes));
}

json_t *graph__neigh_json(struct graph *g, const char *link)
{
	const struct tna_link *l = link ? link_by_text(g, link) : NULL;
	const struct tna_neigh **v;
	struct htab_entry *e;
	size_t count = 0;
	json_t *a;

	if (link && !l)
		return NULL;
	v = malloc((g->neigh.count + 1) * sizeof(*v));
	a = json_array();
	if (!v || !a) {
		free(v);
		json_decref(a);
		return NULL;
	}
	for (e = htab__next(&g->neigh, NULL); e; e = htab__next(&g->neigh, e))
		if (!l || entry_of(e)->neigh.ifindex == l->ifindex)
			v[count++] = &entry_of(e)->neigh;
	qsort(v, count, sizeof(*v), neigh_cmp);
	for (size_t i = 0; i < count; i++)
		json_array_append_new(a, neigh_json(g, v[i]));
	free(v);
	return a;
}
