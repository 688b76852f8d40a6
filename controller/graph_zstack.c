// SPDX-License-Identifier: GPL-2.0
/* The zstack applications the graph names on their listener nodes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "controller/graph_priv.h"

static struct graph_zs_app *zs_app_find(const struct graph *g, uint32_t id)
{
	for (size_t i = 0; i < g->zs_apps_count; i++)
		if (g->zs_apps[i].id == id)
			return &g->zs_apps[i];
	return NULL;
}

int graph__set_zstack_app(struct graph *g, uint32_t id, const char *name, int pid)
{
	struct graph_zs_app *a = zs_app_find(g, id);

	if (!a) {
		if (g->zs_apps_count == g->zs_apps_cap) {
			size_t cap = g->zs_apps_cap ? g->zs_apps_cap * 2 : 8;

			a = realloc(g->zs_apps, cap * sizeof(*a));
			if (!a)
				return -ENOMEM;
			g->zs_apps = a;
			g->zs_apps_cap = cap;
		}
		a = &g->zs_apps[g->zs_apps_count++];
	}
	a->id = id;
	a->pid = pid;
	snprintf(a->name, sizeof(a->name), "%s", name);
	return 0;
}

void graph__drop_zstack_app(struct graph *g, uint32_t id)
{
	struct graph_zs_app *a = zs_app_find(g, id);

	if (a)
		*a = g->zs_apps[--g->zs_apps_count];
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
	free(g->zs_apps);
}
