// SPDX-License-Identifier: GPL-2.0
/*
 * Node attributes as JSON (GRAPH.md), rendered on request from the stored
 * objects, and the whole graph as one document: a tree, or text written node
 * by node for answers too large to hold twice.
 */
#include <errno.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"
#include "controller/names.h"

#include <linux/pkt_sched.h>

static void set_str(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, value ? json_string(value) : json_null());
}

static void set_int(json_t *o, const char *key, long long value)
{
	json_object_set_new(o, key, json_integer(value));
}

static void set_bool(json_t *o, const char *key, bool value)
{
	json_object_set_new(o, key, json_boolean(value));
}

static void set_prefix(json_t *o, const char *key, const struct tna_ip *ip, uint8_t plen)
{
	char buf[INET6_ADDRSTRLEN + 8];

	graph_format_prefix(ip, plen, buf, sizeof(buf));
	set_str(o, key, buf);
}

static void set_ip(json_t *o, const char *key, const struct tna_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	graph_format_ip(ip, buf, sizeof(buf));
	set_str(o, key, buf);
}

static const char *link_type(const struct tna_link *l)
{
	if (l->kind[0])
		return l->kind;
	return l->arptype == ARPHRD_LOOPBACK ? "loopback" : "physical";
}

static json_t *xdp_json(const struct graph *g, const struct tna_link *l)
{
	char mb[NAMES_BUF];

	if (!l->xdp_prog_id)
		return json_null();
	return json_pack("{s:I, s:s, s:s}", "prog_id", (json_int_t)l->xdp_prog_id, "mode",
			 names_xdp_mode(l->xdp_attach_mode, mb), "owner",
			 graph_prog_is_own(g, l->xdp_prog_id) ? "zstack-tna" : "foreign");
}

static json_t *forwarding_json(const struct graph *g, int ifindex)
{
	int v4 = bulk_forwarding(g, ifindex, AF_INET);
	int v6 = bulk_forwarding(g, ifindex, AF_INET6);

	if (v4 < 0 && v6 < 0)
		return json_null();
	return json_pack("{s:b, s:b}", "ipv4", v4 > 0, "ipv6", v6 > 0);
}

static json_t *port_json(const struct tna_brport *p, char *buf)
{
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "state",
			 names_brport_state(p->state, buf), "learning", p->learning, "flood",
			 p->unicast_flood, "mcast_flood", p->mcast_flood, "bcast_flood",
			 p->bcast_flood, "hairpin", p->hairpin, "isolated", p->isolated,
			 "neigh_suppress", p->neigh_suppress, "proxy_arp", p->proxyarp,
			 "proxy_arp_wifi", p->proxyarp_wifi, "locked", p->locked, "mab", p->mab);
}

static void link_attrs(const struct graph *g, const struct gnode *n, json_t *o)
{
	const struct tna_link *l = &n->obj.link;
	const struct tna_bridge *br = &l->bridge;
	const struct tna_brport *p = &l->brport;
	char buf[NAMES_BUF];
	char mac[24];

	set_str(o, "name", l->name);
	set_int(o, "ifindex", l->ifindex);
	set_str(o, "type", link_type(l));
	set_str(o, "state", names_operstate(l->operstate, buf));
	set_str(o, "admin", (l->flags & IFF_UP) ? "up" : "down");
	set_int(o, "mtu", l->mtu);
	graph_format_mac(l->mac, l->mac_len, mac, sizeof(mac));
	set_str(o, "mac", l->mac_len ? mac : NULL);
	set_str(o, "master", l->master ? graph_link_name(g, l->master) : NULL);
	json_object_set_new(o, "peer", !strcmp(l->kind, "veth") && l->link ?
					       json_integer(l->link) : json_null());
	json_object_set_new(o, "peer_netnsid",
			    l->link_netnsid >= 0 ? json_integer(l->link_netnsid) : json_null());
	json_object_set_new(o, "xdp", xdp_json(g, l));
	set_int(o, "neighbours", n->neigh_count);
	set_int(o, "fdb", n->fdb_count);
	json_object_set_new(o, "forwarding", forwarding_json(g, l->ifindex));
	if (l->is_bridge)
		json_object_set_new(o, "bridge",
				    json_pack("{s:b, s:i, s:i, s:i, s:b, s:b, s:b, s:b}", "stp",
					      br->stp_state != 0, "stp_state", br->stp_state,
					      "ageing_time", br->ageing_time_cs / 100,
					      "forward_delay", br->forward_delay_cs / 100,
					      "vlan_filtering", br->vlan_filtering,
					      "nf_call_iptables", br->nf_call_iptables,
					      "nf_call_ip6tables", br->nf_call_ip6tables,
					      "nf_call_arptables", br->nf_call_arptables));
	if (l->is_brport)
		json_object_set_new(o, "port", port_json(p, buf));
}

static void addr_attrs(const struct graph *g, const struct tna_addr *a, json_t *o)
{
	char buf[NAMES_BUF];

	set_prefix(o, "address", &a->addr, a->prefixlen);
	set_str(o, "family", names_family(a->addr.family, buf));
	set_str(o, "link", graph_link_name(g, a->ifindex));
	set_int(o, "ifindex", a->ifindex);
	set_str(o, "scope", names_scope(a->scope, buf));
	if (a->peer.family)
		set_prefix(o, "peer", &a->peer, a->prefixlen);
}

static json_t *nexthops_json(const struct graph *g, const struct tna_route *r)
{
	json_t *a = json_array();

	for (int i = 0; i < r->nexthop_count && i < TNA_MAX_NEXTHOPS; i++) {
		const struct tna_nexthop *nh = &r->nexthops[i];
		json_t *o = json_object();

		set_str(o, "dev", graph_link_name(g, nh->ifindex));
		if (nh->gateway.family)
			set_ip(o, "gateway", &nh->gateway);
		set_int(o, "weight", nh->weight);
		json_array_append_new(a, o);
	}
	return a;
}

static void route_attrs(const struct graph *g, const struct tna_route *r, json_t *o)
{
	char buf[NAMES_BUF];
	struct tna_ip dst = r->dst;

	dst.family = r->family;
	set_prefix(o, "dst", &dst, r->dst_len);
	set_str(o, "family", names_family(r->family, buf));
	set_str(o, "table", names_route_table(r->table, buf));
	set_str(o, "type", names_route_type(r->type, buf));
	set_str(o, "protocol", names_route_protocol(r->protocol, buf));
	set_str(o, "scope", names_scope(r->scope, buf));
	set_int(o, "metric", r->priority);
	set_str(o, "dev", r->oif && !r->nexthop_count ? graph_link_name(g, r->oif) : NULL);
	if (r->gateway.family && !r->nexthop_count)
		set_ip(o, "gateway", &r->gateway);
	if (r->prefsrc.family)
		set_ip(o, "prefsrc", &r->prefsrc);
	if (r->nexthop_count)
		json_object_set_new(o, "nexthops", nexthops_json(g, r));
}

static void rule_attrs(const struct tna_rule *r, json_t *o)
{
	char buf[NAMES_BUF];
	struct tna_ip ip;

	set_str(o, "family", names_family(r->family, buf));
	set_int(o, "priority", r->priority);
	set_str(o, "table", names_route_table(r->table, buf));
	set_str(o, "action", names_rule_action(r->action, buf));
	if (r->src_len) {
		ip = r->src;
		ip.family = r->family;
		set_prefix(o, "src", &ip, r->src_len);
	}
	if (r->dst_len) {
		ip = r->dst;
		ip.family = r->family;
		set_prefix(o, "dst", &ip, r->dst_len);
	}
	if (r->iifname[0])
		set_str(o, "iif", r->iifname);
	if (r->oifname[0])
		set_str(o, "oif", r->oifname);
	if (r->fwmark || r->fwmask) {
		snprintf(buf, sizeof(buf), "0x%x", r->fwmark);
		set_str(o, "fwmark", buf);
		if (r->fwmask != 0xffffffff) {
			snprintf(buf, sizeof(buf), "0x%x", r->fwmask);
			set_str(o, "fwmask", buf);
		}
	}
	if (r->tos)
		set_int(o, "tos", r->tos);
}

static void listener_attrs(const struct graph *g, const struct tna_listener *l, json_t *o)
{
	char buf[NAMES_BUF];
	struct tna_ip ip = l->addr;

	ip.family = l->family;
	set_ip(o, "address", &ip);
	set_int(o, "port", l->port);
	set_str(o, "family", names_family(l->family, buf));
	set_str(o, "owner", l->owner == TNA_OWNER_ZSTACK ? "zstack" : "kernel");
	if (l->owner == TNA_OWNER_ZSTACK)
		json_object_set_new(o, "app", graph_zs_app_json(g, (uint32_t)l->inode));
	if (l->ifindex) {
		const char *dev = graph_link_name(g, l->ifindex);

		json_object_set_new(o, "dev", dev ? json_string(dev) : json_integer(l->ifindex));
	}
	if (l->family == AF_INET6)
		set_bool(o, "v6only", l->v6only);
}

static json_t *rule_list_json(const struct nft_rules *rs)
{
	json_t *a = json_array();

	for (size_t i = 0; rs && i < rs->count; i++) {
		const struct tna_nft_rule *r = &rs->v[i].rule;

		json_array_append_new(a, json_pack("{s:I, s:s, s:b, s:b}", "handle",
						   (json_int_t)r->handle, "exprs", r->exprs,
						   "drop", r->verdict_drop, "ct_established",
						   r->ct_established));
	}
	return a;
}

static void chain_attrs(const struct graph *g, const struct gnode *n, json_t *o)
{
	const struct tna_nft_chain *c = &n->obj.nft_chain;
	const struct nft_rules *rs = nft_rules_find(g, n->id);
	char buf[NAMES_BUF];

	set_str(o, "family", names_nft_family(c->family, buf));
	set_str(o, "table", c->table);
	set_str(o, "chain", c->name);
	set_str(o, "hook", c->base ? names_nft_hook(c->family, c->hooknum, buf) : NULL);
	json_object_set_new(o, "priority", c->base ? json_integer(c->priority) : json_null());
	set_str(o, "type", c->base ? c->type : NULL);
	if (c->base)
		set_str(o, "policy", names_nft_policy(c->policy, buf));
	if (c->dev[0])
		set_str(o, "dev", c->dev);
	set_int(o, "rules", rs ? rs->count : 0);
	json_object_set_new(o, "rule_list", rule_list_json(rs));
}

static const char *tc_parent(const struct tna_tc *t, char *buf)
{
	if (t->type == TNA_TC_QDISC && t->parent == TC_H_CLSACT && !strcmp(t->kind, "clsact"))
		return "clsact";
	return names_tc_handle(t->parent, buf);
}

static void tc_attrs(const struct graph *g, const struct tna_tc *t, json_t *o)
{
	static const char *const objects[] = { "qdisc", "class", "filter" };
	char hb[NAMES_BUF], pb[NAMES_BUF];

	set_str(o, "link", graph_link_name(g, t->ifindex));
	set_int(o, "ifindex", t->ifindex);
	set_str(o, "object", objects[t->type]);
	set_str(o, "type", t->kind);
	if (t->type == TNA_TC_FILTER) {
		snprintf(hb, sizeof(hb), "0x%x", t->handle);
		set_str(o, "handle", hb);
	} else {
		set_str(o, "handle", names_tc_handle(t->handle, hb));
	}
	set_str(o, "parent", tc_parent(t, pb));
}

const char *graph_node_kind(enum tna_obj_kind kind)
{
	switch (kind) {
	case TNA_OBJ_LINK:
		return "link";
	case TNA_OBJ_ADDR:
		return "address";
	case TNA_OBJ_ROUTE:
		return "route";
	case TNA_OBJ_RULE:
		return "rule";
	case TNA_OBJ_LISTENER:
		return "listener";
	case TNA_OBJ_NFT_TABLE:
		return "nft-table";
	case TNA_OBJ_NFT_CHAIN:
		return "nft-chain";
	case TNA_OBJ_IPT_TABLE:
		return "ipt-table";
	case TNA_OBJ_TC:
		return "tc";
	default:
		return "unknown";
	}
}

json_t *graph_node_render(const struct graph *g, const struct gnode *n)
{
	const struct tna_obj *obj = &n->obj;
	json_t *o = json_object();
	char buf[NAMES_BUF];

	if (!o)
		return NULL;
	set_str(o, "id", n->id);
	set_str(o, "kind", graph_node_kind(obj->kind));
	switch (obj->kind) {
	case TNA_OBJ_LINK:
		link_attrs(g, n, o);
		break;
	case TNA_OBJ_ADDR:
		addr_attrs(g, &obj->addr, o);
		break;
	case TNA_OBJ_ROUTE:
		route_attrs(g, &obj->route, o);
		break;
	case TNA_OBJ_RULE:
		rule_attrs(&obj->rule, o);
		break;
	case TNA_OBJ_LISTENER:
		listener_attrs(g, &obj->listener, o);
		break;
	case TNA_OBJ_NFT_TABLE:
		set_str(o, "family", names_nft_family(obj->nft_table.family, buf));
		set_str(o, "table", obj->nft_table.name);
		break;
	case TNA_OBJ_NFT_CHAIN:
		chain_attrs(g, n, o);
		break;
	case TNA_OBJ_IPT_TABLE:
		set_str(o, "family", names_nft_family(obj->ipt_table.family, buf));
		set_str(o, "table", obj->ipt_table.name);
		break;
	case TNA_OBJ_TC:
		tc_attrs(g, &obj->tc, o);
		break;
	default:
		break;
	}
	return o;
}

json_t *graph_edge_json(const struct gedge *e)
{
	return json_pack("{s:s, s:s, s:s}", "from", e->from, "to", e->to, "rel", e->rel);
}

/* A node to show: one the store holds, or a zstack application. */
struct node_ref {
	const char *id;
	const struct gnode *n;
	const struct graph_zs_app *app;
};

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct node_ref *)a)->id, ((const struct node_ref *)b)->id);
}

static json_t *node_ref_render(const struct graph *g, const struct node_ref *r)
{
	return r->n ? graph_node_render(g, r->n) : graph_zs_app_render(g, r->app);
}

/* Every node, sorted by id; caller frees. NULL on ENOMEM. */
static struct node_ref *sorted_nodes(const struct graph *g, size_t *count)
{
	struct node_ref *v = malloc((g->nodes.count + g->zs_apps_count + 1) * sizeof(*v));
	struct gnode *n;

	*count = 0;
	if (!v)
		return NULL;
	for (int k = 0; k < TNA_OBJ_KIND_MAX; k++)
		graph_for_each_node(g, k, n)
			v[(*count)++] = (struct node_ref){ .id = n->id, .n = n };
	for (size_t i = 0; i < g->zs_apps_count; i++)
		v[(*count)++] = (struct node_ref){ .id = g->zs_apps[i].node_id,
						   .app = &g->zs_apps[i] };
	qsort(v, *count, sizeof(*v), node_cmp);
	return v;
}

static json_t *nodes_json(const struct graph *g)
{
	size_t count;
	struct node_ref *v = sorted_nodes(g, &count);
	json_t *a = json_array();

	if (!v || !a)
		goto fail;
	for (size_t i = 0; i < count; i++)
		if (json_array_append_new(a, node_ref_render(g, &v[i])))
			goto fail;
	free(v);
	return a;
fail:
	free(v);
	json_decref(a);
	return NULL;
}

static json_t *edges_json(const struct graph *g, const char *only)
{
	json_t *a = json_array();
	struct gedge *edges;
	size_t count;

	if (!a || graph_edges(g, &edges, &count)) {
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < count; i++) {
		if (only && strcmp(edges[i].from, only) && strcmp(edges[i].to, only))
			continue;
		json_array_append_new(a, graph_edge_json(&edges[i]));
	}
	free(edges);
	return a;
}

json_t *graph__to_json(struct graph *g)
{
	json_t *nodes = nodes_json(g);
	json_t *edges = edges_json(g, NULL);
	json_t *services = graph_services_json(g);

	if (!nodes || !edges || !services) {
		json_decref(nodes);
		json_decref(edges);
		json_decref(services);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o}", "nodes", nodes, "edges", edges, "services",
			 services);
}

/* Where graph__write_json's text goes, and the first failure. */
struct json_writer {
	json_dump_callback_t write;
	void *data;
	int err;
};

static void writer_text(struct json_writer *w, const char *text)
{
	if (!w->err && w->write(text, strlen(text), w->data))
		w->err = -ENOMEM;
}

/* Writes j, which it takes, as graph__to_json's dump would show it. */
static void writer_value(struct json_writer *w, json_t *j)
{
	if (!j)
		w->err = -ENOMEM;
	else if (!w->err && json_dump_callback(j, w->write, w->data, JSON_COMPACT))
		w->err = -ENOMEM;
	json_decref(j);
}

static void write_nodes(const struct graph *g, struct json_writer *w)
{
	size_t count;
	struct node_ref *v = sorted_nodes(g, &count);

	if (!v) {
		w->err = -ENOMEM;
		return;
	}
	writer_text(w, "[");
	for (size_t i = 0; i < count && !w->err; i++) {
		if (i)
			writer_text(w, ",");
		writer_value(w, node_ref_render(g, &v[i]));
	}
	writer_text(w, "]");
	free(v);
}

static void write_edges(const struct graph *g, struct json_writer *w)
{
	struct gedge *edges;
	size_t count;

	if (graph_edges(g, &edges, &count)) {
		w->err = -ENOMEM;
		return;
	}
	writer_text(w, "[");
	for (size_t i = 0; i < count && !w->err; i++) {
		if (i)
			writer_text(w, ",");
		writer_value(w, graph_edge_json(&edges[i]));
	}
	writer_text(w, "]");
	free(edges);
}

int graph__write_json(struct graph *g, json_dump_callback_t write, void *data)
{
	struct json_writer w = { .write = write, .data = data };

	writer_text(&w, "{\"nodes\":");
	write_nodes(g, &w);
	writer_text(&w, ",\"edges\":");
	write_edges(g, &w);
	writer_text(&w, ",\"services\":");
	/* A few per link and listener, unlike nodes and edges: one tree is fine. */
	writer_value(&w, graph_services_json(g));
	writer_text(&w, "}");
	return w.err;
}

json_t *graph__node_json(struct graph *g, const char *id)
{
	struct node_ref r = { .n = graph_find(g, id) };
	json_t *node, *edges;

	if (!r.n)
		r.app = graph_zs_app_by_node_id(g, id);
	if (!r.n && !r.app)
		return NULL;
	node = node_ref_render(g, &r);
	edges = edges_json(g, id);
	if (!node || !edges) {
		json_decref(node);
		json_decref(edges);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "node", node, "edges", edges);
}
