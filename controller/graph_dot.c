// SPDX-License-Identifier: GPL-2.0
/*
 * The graph as Graphviz source: one cluster per kind of node, edges labelled
 * by their relation. `tnactl graph --dot | dot -Tsvg` draws it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"
#include "controller/names.h"

static const struct {
	enum tna_obj_kind kind;
	const char *cluster;
	const char *label;
	const char *shape;
} clusters[] = {
	{ TNA_OBJ_LINK, "cluster_links", "links", "box" },
	{ TNA_OBJ_ADDR, "cluster_addresses", "addresses", "ellipse" },
	{ TNA_OBJ_ROUTE, "cluster_routes", "routes", "ellipse" },
	{ TNA_OBJ_RULE, "cluster_rules", "rules", "ellipse" },
	{ TNA_OBJ_LISTENER, "cluster_listeners", "listeners", "hexagon" },
	{ TNA_OBJ_NFT_TABLE, "cluster_nft_tables", "nft tables", "folder" },
	{ TNA_OBJ_NFT_CHAIN, "cluster_nft_chains", "nft chains", "component" },
	{ TNA_OBJ_IPT_TABLE, "cluster_ipt_tables", "iptables", "folder" },
	{ TNA_OBJ_TC, "cluster_tc", "tc", "note" },
};

/* A DOT string literal: quotes and backslashes escaped, newlines as \n. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void link_label(const struct graph *g, const struct gnode *n, char *buf, size_t len)
{
	const struct tna_link *l = &n->obj.link;
	size_t off = snprintf(buf, len, "%s (%s)", l->name, l->kind[0] ? l->kind : "device");
	struct gnode *a;

	graph_for_each_node(g, TNA_OBJ_ADDR, a) {
		char p[INET6_ADDRSTRLEN + 8];

		if (a->obj.addr.ifindex != l->ifindex || off >= len)
			continue;
		graph_format_prefix(&a->obj.addr.addr, a->obj.addr.prefixlen, p, sizeof(p));
		off += snprintf(buf + off, len - off, "\n%s", p);
	}
}

static void node_label(const struct graph *g, const struct gnode *n, char *buf, size_t len)
{
	const struct tna_obj *o = &n->obj;
	char a[INET6_ADDRSTRLEN + 8], b[NAMES_BUF], c[NAMES_BUF];
	struct tna_ip ip;

	switch (o->kind) {
	case TNA_OBJ_LINK:
		link_label(g, n, buf, len);
		break;
	case TNA_OBJ_ADDR:
		graph_format_prefix(&o->addr.addr, o->addr.prefixlen, a, sizeof(a));
		snprintf(buf, len, "%s", a);
		break;
	case TNA_OBJ_ROUTE:
		ip = o->route.dst;
		ip.family = o->route.family;
		graph_format_prefix(&ip, o->route.dst_len, a, sizeof(a));
		snprintf(buf, len, "%s\ntable %s", a, names_route_table(o->route.table, b));
		break;
	case TNA_OBJ_LISTENER:
		ip = o->listener.addr;
		ip.family = o->listener.family;
		graph_format_ip(&ip, a, sizeof(a));
		snprintf(buf, len, "tcp %s port %u\n%s", a, o->listener.port,
			 o->listener.owner == TNA_OWNER_ZSTACK ? "zstack" : "kernel");
		break;
	case TNA_OBJ_NFT_CHAIN:
		snprintf(buf, len, "%s %s %s%s%s", names_nft_family(o->nft_chain.family, b),
			 o->nft_chain.table, o->nft_chain.name, o->nft_chain.base ? "\nhook " : "",
			 o->nft_chain.base ?
				 names_nft_hook(o->nft_chain.family, o->nft_chain.hooknum, c) : "");
		break;
	default:
		snprintf(buf, len, "%s", n->id);
		break;
	}
}

char *graph__to_dot(struct graph *g)
{
	struct gedge *edges = NULL;
	size_t size = 0, count = 0;
	char *out = NULL;
	char label[1024];
	struct gnode *n;
	FILE *f;

	if (graph_edges(g, &edges, &count))
		return NULL;
	f = open_memstream(&out, &size);
	if (!f)
		goto out;
	fputs("digraph tna {\n\trankdir=LR;\n\tnode [fontsize=10];\n\tedge [fontsize=8];\n", f);
	for (size_t c = 0; c < sizeof(clusters) / sizeof(clusters[0]); c++) {
		if (!g->kinds[clusters[c].kind])
			continue;
		fprintf(f, "\tsubgraph %s {\n\t\tlabel=", clusters[c].cluster);
		put_quoted(f, clusters[c].label);
		fprintf(f, ";\n\t\tnode [shape=%s];\n", clusters[c].shape);
		graph_for_each_node(g, clusters[c].kind, n) {
			node_label(g, n, label, sizeof(label));
			fputs("\t\t", f);
			put_quoted(f, n->id);
			fputs(" [label=", f);
			put_quoted(f, label);
			fputs("];\n", f);
		}
		fputs("\t}\n", f);
	}
	for (size_t i = 0; i < count; i++) {
		fputc('\t', f);
		put_quoted(f, edges[i].from);
		fputs(" -> ", f);
		put_quoted(f, edges[i].to);
		fputs(" [label=", f);
		put_quoted(f, edges[i].rel);
		fputs("];\n", f);
	}
	fputs("}\n", f);
	if (fclose(f)) {
		free(out);
		out = NULL;
	}
out:
	free(edges);
	return out;
}
