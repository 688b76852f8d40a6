// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/tnactl_print.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool is(const json_t *o, const char *key, const char *value)
{
	const char *s = str(o, key);

	return s && strcmp(s, value) == 0;
}

static long long num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* " word VALUE" when o has key as a string or a number, nothing otherwise. */
static void opt_field(const json_t *o, const char *key, const char *word)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		printf(" %s %s", word, json_string_value(v));
	else if (json_is_integer(v))
		printf(" %s %lld", word, (long long)json_integer_value(v));
}

static void print_json(const json_t *v, const struct print_opts *po)
{
	json_dumpf(v, stdout, JSON_ENCODE_ANY | (po->pretty ? JSON_INDENT(4) : JSON_COMPACT));
	putchar('\n');
}

/* A scalar as a person reads it; arrays as comma-separated lists. */
static void print_value(const json_t *v)
{
	size_t i;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), stdout);
		break;
	case JSON_TRUE:
		fputs("yes", stdout);
		break;
	case JSON_FALSE:
		fputs("no", stdout);
		break;
	case JSON_NULL:
		fputs("-", stdout);
		break;
	case JSON_ARRAY:
		if (!json_array_size(v))
			fputs("-", stdout);
		json_array_foreach(v, i, e) {
			if (i)
				fputs(", ", stdout);
			if (json_is_object(e))
				json_dumpf(e, stdout, JSON_COMPACT);
			else
				print_value(e);
		}
		break;
	default:
		json_dumpf(v, stdout, JSON_ENCODE_ANY | JSON_COMPACT);
	}
}

/* One "key value" line per attribute; nested objects as "outer.inner". */
void print_flat(const json_t *o, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		char name[128];

		snprintf(name, sizeof(name), "%s%s", prefix, key);
		if (json_is_object(v)) {
			strncat(name, ".", sizeof(name) - strlen(name) - 1);
			print_flat(v, name);
			continue;
		}
		printf("%-26s ", name);
		print_value(v);
		putchar('\n');
	}
}

/* Attributes except id and kind, on one line. */
static void print_attrs_inline(const json_t *o)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		if (strcmp(key, "id") == 0 || strcmp(key, "kind") == 0)
			continue;
		printf(" %s ", key);
		if (json_is_object(v))
			json_dumpf(v, stdout, JSON_COMPACT);
		else
			print_value(v);
	}
}

static void print_link(const json_t *l, const json_t *nodes)
{
	const json_t *port = json_object_get(l, "port");
	const json_t *xdp = json_object_get(l, "xdp");
	size_t i;
	json_t *n;

	printf("%3lld: %-15s %-8s %-9s mtu %-5lld", num(l, "ifindex"), str(l, "name"),
	       str(l, "state") ?: "?", str(l, "type") ?: "?", num(l, "mtu"));
	opt_field(l, "master", "master");
	if (json_is_object(port))
		printf(" (%s)", str(port, "state") ?: "?");
	if (json_is_object(xdp))
		printf(" xdp %s prog %lld (%s)", str(xdp, "mode") ?: "?", num(xdp, "prog_id"),
		       str(xdp, "owner") ?: "?");
	json_array_foreach(nodes, i, n)
		if (is(n, "kind", "address") && json_equal(json_object_get(n, "link"),
							   json_object_get(l, "name")))
			printf(" %s", str(n, "address"));
	putchar('\n');
}

static int by_ifindex(const void *a, const void *b)
{
	long long x = num(*(json_t *const *)a, "ifindex"), y = num(*(json_t *const *)b, "ifindex");

	return (x > y) - (x < y);
}

static void print_links(const json_t *nodes)
{
	size_t i, n = 0;
	json_t *node, **links = calloc(json_array_size(nodes) + 1, sizeof(*links));

	if (!links)
		return;
	json_array_foreach(nodes, i, node)
		if (is(node, "kind", "link"))
			links[n++] = node;
	qsort(links, n, sizeof(*links), by_ifindex);
	if (n)
		printf("links:\n");
	for (i = 0; i < n; i++) {
		fputs("  ", stdout);
		print_link(links[i], nodes);
	}
	free(links);
}

static void print_bridges(const json_t *nodes)
{
	bool first = true;
	size_t i, j;
	json_t *br, *p;

	json_array_foreach(nodes, i, br) {
		const json_t *cfg = json_object_get(br, "bridge");
		int ports = 0;

		if (!is(br, "kind", "link") || !json_is_object(cfg))
			continue;
		if (first)
			printf("bridges:\n");
		first = false;
		printf("  %s: stp %s, ageing %llds, vlan filtering %s, ports:", str(br, "name"),
		       json_is_true(json_object_get(cfg, "stp")) ? "on" : "off",
		       num(cfg, "ageing_time"),
		       json_is_true(json_object_get(cfg, "vlan_filtering")) ? "on" : "off");
		json_array_foreach(nodes, j, p) {
			if (!is(p, "kind", "link") ||
			    !json_equal(json_object_get(p, "master"), json_object_get(br, "name")))
				continue;
			printf("%s %s (%s)", ports++ ? "," : "", str(p, "name"),
			       str(json_object_get(p, "port"), "state") ?: "not a port");
		}
		printf("%s\n", ports ? "" : " none");
	}
}

static void print_route(const json_t *r)
{
	const json_t *nhs = json_object_get(r, "nexthops");
	size_t i;
	json_t *nh;

	if (!is(r, "type", "unicast"))
		printf("%s ", str(r, "type") ?: "?");
	printf("%s", str(r, "dst") ?: "?");
	opt_field(r, "gateway", "via");
	opt_field(r, "dev", "dev");
	if (!is(r, "table", "main"))
		opt_field(r, "table", "table");
	opt_field(r, "protocol", "proto");
	if (!is(r, "scope", "global"))
		opt_field(r, "scope", "scope");
	opt_field(r, "prefsrc", "src");
	if (num(r, "metric"))
		opt_field(r, "metric", "metric");
	json_array_foreach(nhs, i, nh) {
		printf(" nexthop");
		opt_field(nh, "gateway", "via");
		opt_field(nh, "dev", "dev");
		opt_field(nh, "weight", "weight");
	}
}

static void print_routes(const json_t *nodes)
{
	size_t i, local = 0, shown = 0;
	json_t *r;

	json_array_foreach(nodes, i, r) {
		if (!is(r, "kind", "route"))
			continue;
		/* Like ip route: the local table is the kernel's bookkeeping. */
		if (is(r, "table", "local")) {
			local++;
			continue;
		}
		if (!shown++)
			printf("routes:\n");
		fputs("  ", stdout);
		print_route(r);
		putchar('\n');
	}
	if (local)
		printf("  (%zu routes of table local not shown: tnactl -j graph has them)\n",
		       local);
}

static void print_rule(const json_t *r)
{
	printf("%lld:", num(r, "priority"));
	printf(" from %s", str(r, "src") ?: "all");
	opt_field(r, "dst", "to");
	opt_field(r, "iif", "iif");
	opt_field(r, "oif", "oif");
	opt_field(r, "fwmark", "fwmark");
	opt_field(r, "tos", "tos");
	printf(" %s", str(r, "action") ?: "?");
	if (is(r, "action", "lookup")) {
		putchar(' ');
		print_value(json_object_get(r, "table"));
	}
	printf(" (%s)", str(r, "family") ?: "?");
}

static void print_listener(const json_t *l)
{
	const char *addr = str(l, "address") ?: "?";

	printf(strchr(addr, ':') ? "tcp [%s]:%lld" : "tcp %s:%lld", addr, num(l, "port"));
	opt_field(l, "dev", "dev");
	printf(" (%s)", str(l, "owner") ?: "?");
}

static void print_chain(const json_t *c)
{
	printf("%s %s %s", str(c, "family"), str(c, "table"), str(c, "chain"));
	if (json_is_string(json_object_get(c, "hook"))) {
		opt_field(c, "hook", "hook");
		opt_field(c, "priority", "priority");
		opt_field(c, "type", "type");
		opt_field(c, "policy", "policy");
		opt_field(c, "dev", "dev");
	}
	printf(", %lld rules", num(c, "rules"));
}

static void print_tc(const json_t *t)
{
	printf("%s %s %s", str(t, "link") ?: "?", str(t, "object") ?: "?", str(t, "type") ?: "?");
	opt_field(t, "handle", "handle");
	opt_field(t, "parent", "parent");
}

struct section {
	const char *kind;
	const char *title;
	void (*print)(const json_t *node);
};

static const struct section sections[] = {
	{ "rule", "rules", print_rule },
	{ "listener", "listeners", print_listener },
	{ "nft-chain", "nftables chains", print_chain },
	{ "ipt-table", "legacy iptables tables", NULL },
	{ "tc", "tc", print_tc },
};

static void print_section(const json_t *nodes, const struct section *s)
{
	size_t i, n = 0;
	json_t *node;

	json_array_foreach(nodes, i, node) {
		if (!is(node, "kind", s->kind))
			continue;
		if (!n++)
			printf("%s:\n", s->title);
		fputs("  ", stdout);
		if (s->print)
			s->print(node);
		else
			printf("%s %s", str(node, "family"), str(node, "table"));
		putchar('\n');
	}
}

static void print_graph(const json_t *g)
{
	const json_t *nodes = json_object_get(g, "nodes");
	size_t i;
	json_t *svc;

	print_links(nodes);
	print_bridges(nodes);
	print_routes(nodes);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		print_section(nodes, &sections[i]);
	json_array_foreach(json_object_get(g, "services"), i, svc) {
		if (!i)
			printf("services:\n");
		printf("  %s:", str(svc, "id"));
		print_attrs_inline(svc);
		putchar('\n');
	}
}

static void print_show(const json_t *r)
{
	size_t i;
	json_t *e;

	print_flat(json_object_get(r, "node"), "");
	json_array_foreach(json_object_get(r, "edges"), i, e) {
		if (!i)
			printf("edges:\n");
		printf("  %s %s %s\n", str(e, "from"), str(e, "rel"), str(e, "to"));
	}
}

static void print_caps(const json_t *c)
{
	const json_t *ct = json_object_get(c, "conntrack_kfuncs");
	const json_t *xdp = json_object_get(c, "xdp");
	const char *key;
	size_t i;
	json_t *v;

	printf("kernel            %s\n", str(c, "kernel"));
	printf("BTF               %s\n", json_is_true(json_object_get(c, "btf")) ? "yes" : "no");
	printf("conntrack kfuncs ");
	json_object_foreach((json_t *)ct, key, v)
		if (json_is_boolean(v))
			printf(" %s %s", key, json_is_true(v) ? "yes" : "no");
	opt_field(ct, "btf", "in");
	printf("\nfib lookup flags ");
	json_object_foreach(json_object_get(c, "fib_lookup_flags"), key, v)
		if (json_is_true(v))
			printf(" %s", key + strlen("BPF_FIB_LOOKUP_"));
	printf("\nclang             %s\n", str(c, "clang") ?: "not installed");
	printf("libbpf            %s\n", str(c, "libbpf"));
	if (!json_is_true(json_object_get(xdp, "known"))) {
		printf("XDP per interface unknown: %s\n", str(xdp, "reason"));
		return;
	}
	printf("XDP per interface:\n");
	json_array_foreach(json_object_get(xdp, "interfaces"), i, v) {
		printf("  %3lld: %-15s native %-3s redirect-target %-3s af-xdp-zerocopy %-3s "
		       "features ", num(v, "ifindex"), str(v, "name") ?: "?",
		       json_is_true(json_object_get(v, "native_xdp")) ? "yes" : "no",
		       json_is_true(json_object_get(v, "xdp_redirect_target")) ? "yes" : "no",
		       json_is_true(json_object_get(v, "af_xdp_zerocopy")) ? "yes" : "no");
		print_value(json_object_get(v, "features"));
		putchar('\n');
	}
}

static void print_fdb_entry(const json_t *f)
{
	const json_t *mirrored = json_object_get(f, "mirrored");

	printf("%s dev %s", str(f, "mac") ?: "?", str(f, "port") ?: "?");
	if (num(f, "vlan"))
		opt_field(f, "vlan", "vlan");
	if (json_is_false(json_object_get(f, "kernel"))) {
		/* Only between a kernel change and the event that follows it. */
		printf(" in the fast path's mirror only");
		return;
	}
	printf(" %s", str(f, "state") ?: "?");
	if (json_array_size(json_object_get(f, "flags"))) {
		printf(" flags ");
		print_value(json_object_get(f, "flags"));
	}
	if (is(f, "state", "dynamic"))
		printf(" used %llds updated %llds", num(f, "used"), num(f, "updated"));
	if (mirrored)
		printf(json_is_true(mirrored) ? " [fast path]" : " [linux only]");
}

static void print_list(const json_t *list, void (*print)(const json_t *))
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		print(e);
		putchar('\n');
	}
}

static void print_neigh(const json_t *n)
{
	printf("%s dev %s", str(n, "dst") ?: "?", str(n, "dev") ?: "?");
	opt_field(n, "lladdr", "lladdr");
	putchar(' ');
	print_value(json_object_get(n, "state"));
}

int print_result(const char *cmd, json_t *result, const struct print_opts *po)
{
	if (po->json)
		print_json(result, po);
	else if (strcmp(cmd, "graph") == 0)
		print_graph(result);
	else if (strcmp(cmd, "show") == 0)
		print_show(result);
	else if (strcmp(cmd, "caps") == 0)
		print_caps(result);
	else if (strcmp(cmd, "fdb") == 0)
		print_list(result, print_fdb_entry);
	else if (strcmp(cmd, "neigh") == 0)
		print_list(result, print_neigh);
	else if (strcmp(cmd, "stats") == 0)
		print_stats(result);
	else if (strcmp(cmd, "pipeline") == 0 || strcmp(cmd, "reload") == 0)
		print_pipeline(result);
	else if (strcmp(cmd, "explain") == 0)
		print_explain(result);
	else
		print_flat(result, "");
	return fflush(stdout) ? -errno : 0;
}

void print_event(json_t *event, const struct print_opts *po)
{
	const json_t *node = json_object_get(event, "node");
	const char *what = str(event, "event") ?: "?";

	if (po->json) {
		print_json(event, po);
		return;
	}
	if (strcmp(what, "fdb") == 0) {
		printf("%-8s ", json_is_true(json_object_get(node, "removed")) ? "fdb-del" : "fdb");
		print_fdb_entry(node);
	} else if (is(node, "kind", "link")) {
		printf("%-8s link ", what);
		print_link(node, NULL);
		return;
	} else if (is(node, "kind", "route")) {
		printf("%-8s route ", what);
		print_route(node);
	} else {
		printf("%-8s %s", what, str(node, "id") ?: "?");
		print_attrs_inline(node);
	}
	putchar('\n');
}
