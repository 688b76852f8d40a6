// SPDX-License-Identifier: GPL-2.0
/*
 * The zstack applications: zstack-app nodes, and the names on their listener
 * nodes. They come from the daemon's registry, not from a reader, so they are
 * kept apart from the kernel's objects and merged in when the graph is shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"

static struct graph_zs_app *zs_app_find(const struct graph *g, uint32_t id)
{
	for (size_t i = 0; i < g->zs_apps_count; i++)
		if (g->zs_apps[i].id == id)
			return &g->zs_apps[i];
	return NULL;
}

const struct graph_zs_app *graph_zs_app_by_node_id(const struct graph *g, const char *id)
{
	for (size_t i = 0; i < g->zs_apps_count; i++)
		if (!strcmp(g->zs_apps[i].node_id, id))
			return &g->zs_apps[i];
	return NULL;
}

static json_t *render_app(struct graph_event *ev)
{
	return graph_zs_app_render(ev->g, ev->src);
}

static void zs_app_emit(struct graph *g, enum graph_change change, const struct graph_zs_app *a)
{
	struct graph_event ev = { .change = change, .kind = "zstack-app", .src = a,
				  .render = render_app };

	graph_emit(g, &ev);
}

int graph__set_zstack_app(struct graph *g, uint32_t id, const char *name, int pid)
{
	struct graph_zs_app *a = zs_app_find(g, id);

	if (a) {
		if (a->pid == pid && !strncmp(a->name, name, sizeof(a->name) - 1))
			return 0;
		a->pid = pid;
		snprintf(a->name, sizeof(a->name), "%s", name);
		zs_app_emit(g, GRAPH_NODE_CHANGED, a);
		return 0;
	}
	if (g->zs_apps_count == g->zs_apps_cap) {
		size_t cap = g->zs_apps_cap ? g->zs_apps_cap * 2 : 8;

		a = realloc(g->zs_apps, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		g->zs_apps = a;
		g->zs_apps_cap = cap;
	}
	a = &g->zs_apps[g->zs_apps_count++];
	*a = (struct graph_zs_app){ .id = id, .pid = pid };
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->node_id, sizeof(a->node_id), "zstack-app:%u", id);
	zs_app_emit(g, GRAPH_NODE_ADDED, a);
	return 0;
}

void graph__drop_zstack_app(struct graph *g, uint32_t id)
{
	struct graph_zs_app *a = zs_app_find(g, id);

	if (!a)
		return;
	zs_app_emit(g, GRAPH_NODE_REMOVED, a);
	free(a->xsks);
	free(a->conns);
	*a = g->zs_apps[--g->zs_apps_count];
}

int graph__zstack_app_xsk(struct graph *g, uint32_t id, int ifindex, uint32_t queue)
{
	struct graph_zs_app *a = zs_app_find(g, id);

	if (!a)
		return -ENOENT;
	if (a->nxsks == a->xsks_cap) {
		size_t cap = a->xsks_cap ? a->xsks_cap * 2 : 4;
		struct graph_zs_xsk *v = realloc(a->xsks, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->xsks = v;
		a->xsks_cap = cap;
	}
	a->xsks[a->nxsks++] = (struct graph_zs_xsk){ .ifindex = ifindex, .queue = queue };
	zs_app_emit(g, GRAPH_NODE_CHANGED, a);
	return 0;
}

static struct graph_zs_conn *conn_find(struct graph_zs_app *a, const struct tna_ip *addr,
				       uint16_t port)
{
	for (size_t i = 0; i < a->nconns; i++)
		if (a->conns[i].port == port && a->conns[i].addr.family == addr->family &&
		    !memcmp(a->conns[i].addr.bytes, addr->bytes, sizeof(addr->bytes)))
			return &a->conns[i];
	return NULL;
}

int graph__zstack_app_conn(struct graph *g, uint32_t id, const struct tna_ip *addr,
			   uint16_t port, bool add)
{
	struct graph_zs_app *a = zs_app_find(g, id);
	struct graph_zs_conn *c;

	if (!a)
		return -ENOENT;
	c = conn_find(a, addr, port);
	if (!add) {
		if (!c)
			return 0;
		/* Kept in order, so that the ports list only ever loses an entry. */
		memmove(c, c + 1, (a->conns + --a->nconns - c) * sizeof(*c));
		zs_app_emit(g, GRAPH_NODE_CHANGED, a);
		return 0;
	}
	if (c)
		return 0;
	if (a->nconns == a->conns_cap) {
		size_t cap = a->conns_cap ? a->conns_cap * 2 : 8;

		c = realloc(a->conns, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		a->conns = c;
		a->conns_cap = cap;
	}
	a->conns[a->nconns++] = (struct graph_zs_conn){ .addr = *addr, .port = port };
	zs_app_emit(g, GRAPH_NODE_CHANGED, a);
	return 0;
}

void graph_zs_listener_changed(struct graph *g, const struct tna_listener *l)
{
	const struct graph_zs_app *a;

	if (l->owner != TNA_OWNER_ZSTACK)
		return;
	a = zs_app_find(g, (uint32_t)l->inode);
	if (a)
		zs_app_emit(g, GRAPH_NODE_CHANGED, a);
}

/* The links it has sockets on, each once, in the order of their first socket. */
static json_t *interfaces_json(const struct graph *g, const struct graph_zs_app *a)
{
	json_t *v = json_array();

	for (size_t i = 0; v && i < a->nxsks; i++) {
		const char *name = graph_link_name(g, a->xsks[i].ifindex);
		size_t j;

		for (j = 0; j < i && a->xsks[j].ifindex != a->xsks[i].ifindex; j++)
			;
		if (name && j == i)
			json_array_append_new(v, json_string(name));
	}
	return v;
}

static json_t *ports_json(const struct graph_zs_app *a)
{
	char buf[INET6_ADDRSTRLEN];
	json_t *v = json_array();

	for (size_t i = 0; v && i < a->nconns; i++) {
		graph_format_ip(&a->conns[i].addr, buf, sizeof(buf));
		json_array_append_new(v, json_pack("{s:s,s:i}", "address", buf, "port",
						   a->conns[i].port));
	}
	return v;
}

json_t *graph_zs_app_render(const struct graph *g, const struct graph_zs_app *a)
{
	size_t listeners = 0;
	struct gnode *n;

	graph_for_each_node(g, TNA_OBJ_LISTENER, n)
		if (n->obj.listener.owner == TNA_OWNER_ZSTACK && n->obj.listener.inode == a->id)
			listeners++;
	return json_pack("{s:s,s:s,s:s,s:i,s:o,s:I,s:I,s:I,s:o}", "id", a->node_id, "kind",
			 "zstack-app", "app", a->name, "pid", a->pid, "interfaces",
			 interfaces_json(g, a), "queues", (json_int_t)a->nxsks, "listeners",
			 (json_int_t)listeners, "connections", (json_int_t)a->nconns, "ports",
			 ports_json(a));
}

json_t *graph_zs_app_json(const struct graph *g, uint32_t id)
{
	const struct graph_zs_app *a = zs_app_find(g, id);

	if (!a)
		return json_null();
	return json_pack("{s:I,s:s,s:i}", "id", (json_int_t)a->id, "name", a->name, "pid",
			 a->pid);
}

void graph_zs_apps_free(struct graph *g)
{
	for (size_t i = 0; i < g->zs_apps_count; i++) {
		free(g->zs_apps[i].xsks);
		free(g->zs_apps[i].conns);
	}
	free(g->zs_apps);
}
