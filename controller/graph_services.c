// SPDX-License-Identifier: GPL-2.0
/*
 * Services: what the host does with the configuration (GRAPH.md), derived on
 * request. They are what the assembler plans from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"

#define BR_STATE_FORWARDING 3

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A JSON array of names, sorted; takes ownership of nothing. */
static json_t *sorted_strings(const char **v, size_t count)
{
	json_t *a = json_array();

	if (count)
		qsort(v, count, sizeof(*v), str_cmp);
	for (size_t i = 0; a && i < count; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *bridging(const struct graph *g, const struct gnode *br, const char **scratch)
{
	const struct tna_link *b = &br->obj.link;
	size_t nports = 0, nfwd = 0, cap = g->kind_count[TNA_OBJ_LINK];
	struct gnode *n;
	json_t *ports, *fwd;
	char id[GRAPH_ID_MAX];

	graph_for_each_node(g, TNA_OBJ_LINK, n) {
		const struct tna_link *p = &n->obj.link;

		if (p->master != b->ifindex)
			continue;
		scratch[nports++] = p->name;
		if (p->is_brport && p->brport.state == BR_STATE_FORWARDING && graph_link_is_up(p))
			scratch[cap + nfwd++] = p->name;
	}
	ports = sorted_strings(scratch, nports);
	fwd = sorted_strings(scratch + cap, nfwd);
	snprintf(id, sizeof(id), "bridging:%s", b->name);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:b}", "id", id, "kind", "bridging",
			 "bridge", b->name, "ports", ports, "forwarding_ports", fwd, "stp",
			 b->bridge.stp_state != 0, "up", graph_link_is_up(b));
}

static bool forwarding_anywhere(const struct graph *g, const struct links *ls, uint8_t family)
{
	if (bulk_forwarding(g, -1, family) > 0)
		return true;
	for (size_t i = 0; i < ls->count; i++)
		if (bulk_forwarding(g, ls->v[i].ifindex, family) > 0)
			return true;
	return false;
}

static json_t *forwarding(const struct graph *g, const struct links *ls, uint8_t family,
			  const char **scratch)
{
	const char *kind = family == AF_INET ? "ipv4-forwarding" : "ipv6-forwarding";
	size_t count = 0;

	if (!forwarding_anywhere(g, ls, family))
		return NULL;
	for (size_t i = 0; i < ls->count; i++) {
		const struct tna_link *l = &ls->v[i].node->obj.link;
		bool has = family == AF_INET ? ls->v[i].inet : ls->v[i].inet6;

		if (has && graph_link_is_up(l) && !(l->flags & IFF_LOOPBACK) &&
		    bulk_forwarding(g, l->ifindex, family) > 0)
			scratch[count++] = l->name;
	}
	return json_pack("{s:s, s:s, s:o}", "id", kind, "kind", kind, "links",
			 sorted_strings(scratch, count));
}

static json_t *local_delivery(const struct graph *g, const struct gnode *link, char **scratch)
{
	const struct tna_link *l = &link->obj.link;
	size_t count = 0;
	struct gnode *n;
	char id[GRAPH_ID_MAX];
	json_t *j;

	graph_for_each_node(g, TNA_OBJ_ADDR, n) {
		const struct tna_addr *a = &n->obj.addr;
		char *s;

		if (a->ifindex != l->ifindex)
			continue;
		s = malloc(INET6_ADDRSTRLEN + 8);
		if (!s)
			break;
		graph_format_prefix(&a->addr, a->prefixlen, s, INET6_ADDRSTRLEN + 8);
		scratch[count++] = s;
	}
	snprintf(id, sizeof(id), "local-delivery:%s", l->name);
	j = json_pack("{s:s, s:s, s:s, s:o}", "id", id, "kind", "local-delivery", "link",
		      l->name, "addresses", sorted_strings((const char **)scratch, count));
	for (size_t i = 0; i < count; i++)
		free(scratch[i]);
	return j;
}

static json_t *tcp_listener(const struct gnode *n)
{
	const struct tna_listener *l = &n->obj.listener;
	const char *suffix = n->id + strlen("listener:tcp:");
	char id[GRAPH_ID_MAX], addr[INET6_ADDRSTRLEN];
	struct tna_ip ip = l->addr;

	ip.family = l->family;
	graph_format_ip(&ip, addr, sizeof(addr));
	snprintf(id, sizeof(id), "tcp-listener:%s", suffix);
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", id, "kind", "tcp-listener",
			 "address", addr, "port", l->port, "owner",
			 l->owner == TNA_OWNER_ZSTACK ? "zstack" : "kernel");
}

static int service_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;

	return strcmp(json_string_value(json_object_get(x, "id")),
		      json_string_value(json_object_get(y, "id")));
}

struct service_set {
	json_t **v;
	size_t count;
	int err;
};

static void push(struct service_set *s, json_t *j)
{
	if (j)
		s->v[s->count++] = j;
	else
		s->err = -ENOMEM;
}

json_t *graph_services_json(const struct graph *g)
{
	size_t nlinks = g->kind_count[TNA_OBJ_LINK];
	size_t max = 2 * nlinks + 2 + g->kind_count[TNA_OBJ_LISTENER];
	size_t nscratch = 2 * nlinks + g->kind_count[TNA_OBJ_ADDR] + 1;
	struct service_set s = { .v = calloc(max + 1, sizeof(json_t *)) };
	const char **scratch = calloc(nscratch, sizeof(*scratch));
	struct links ls = { 0 };
	json_t *out = NULL, *j;
	struct gnode *n;

	if (!s.v || !scratch || graph_links_gather(g, &ls))
		goto out;
	for (size_t i = 0; i < ls.count; i++) {
		const struct gnode *l = ls.v[i].node;

		if (l->obj.link.is_bridge)
			push(&s, bridging(g, l, scratch));
		if (ls.v[i].inet || ls.v[i].inet6)
			push(&s, local_delivery(g, l, (char **)scratch));
	}
	j = forwarding(g, &ls, AF_INET, scratch);
	if (j)
		push(&s, j);
	j = forwarding(g, &ls, AF_INET6, scratch);
	if (j)
		push(&s, j);
	graph_for_each_node(g, TNA_OBJ_LISTENER, n)
		push(&s, tcp_listener(n));
	if (s.err)
		goto out;
	qsort(s.v, s.count, sizeof(*s.v), service_cmp);
	out = json_array();
	for (size_t i = 0; out && i < s.count; i++) {
		json_array_append_new(out, s.v[i]);
		s.v[i] = NULL;
	}
out:
	for (size_t i = 0; s.v && i < s.count; i++)
		json_decref(s.v[i]);
	free(s.v);
	free(scratch);
	free(ls.v);
	return out;
}
