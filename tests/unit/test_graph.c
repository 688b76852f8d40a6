// SPDX-License-Identifier: GPL-2.0
/*
 * The graph built from constructed objects, as introspect would deliver them:
 * ids, attributes, edges, services, cascades, resync, watchers, bulk tables,
 * Graphviz output, and a churn of 10 000 routes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "controller/graph.h"
#include "tests/check.h"

#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/netfilter.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

enum { LO = 1, BR0, VETH0, VETH1, DUMMY0, DUMMY1 };

#define GRAPH_TEST_ID_MAX 256

static struct tna_ip ip(const char *text)
{
	struct tna_ip a = { 0 };

	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = AF_INET6;
	return a;
}

static struct tna_obj link_obj(int ifindex, const char *name, const char *kind)
{
	struct tna_obj o = { .kind = TNA_OBJ_LINK };
	struct tna_link *l = &o.link;

	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->flags = IFF_UP | IFF_RUNNING;
	l->operstate = 6; /* IF_OPER_UP */
	l->mtu = 1500;
	l->arptype = ARPHRD_ETHER;
	l->mac_len = 6;
	l->mac[0] = 0x02;
	l->mac[5] = ifindex;
	l->link_netnsid = -1;
	return o;
}

static struct tna_obj port_obj(int ifindex, const char *name, int peer, uint8_t state)
{
	struct tna_obj o = link_obj(ifindex, name, "veth");

	o.link.master = BR0;
	o.link.link = peer;
	snprintf(o.link.slave_kind, sizeof(o.link.slave_kind), "bridge");
	o.link.is_brport = true;
	o.link.brport.state = state;
	o.link.brport.learning = true;
	o.link.brport.unicast_flood = true;
	return o;
}

static struct tna_obj addr_obj(int ifindex, const char *a, uint8_t plen)
{
	struct tna_obj o = { .kind = TNA_OBJ_ADDR };

	o.addr.ifindex = ifindex;
	o.addr.addr = ip(a);
	o.addr.prefixlen = plen;
	return o;
}

static struct tna_obj route_obj(const char *dst, uint8_t len, int oif, const char *gw)
{
	struct tna_obj o = { .kind = TNA_OBJ_ROUTE };
	struct tna_route *r = &o.route;

	r->dst = ip(dst);
	r->family = r->dst.family;
	r->dst_len = len;
	r->table = RT_TABLE_MAIN;
	r->type = RTN_UNICAST;
	r->protocol = gw ? RTPROT_STATIC : RTPROT_KERNEL;
	r->scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	r->oif = oif;
	if (gw)
		r->gateway = ip(gw);
	if (r->family == AF_INET6)
		r->priority = 1024;
	return o;
}

static struct tna_obj netconf_obj(uint8_t family, int ifindex, int forwarding)
{
	struct tna_obj o = { .kind = TNA_OBJ_NETCONF };

	o.netconf = (struct tna_netconf){ .family = family, .ifindex = ifindex,
					  .forwarding = forwarding, .rp_filter = -1,
					  .mc_forwarding = -1, .proxy_neigh = -1,
					  .ignore_routes_with_linkdown = -1 };
	return o;
}

static struct tna_obj nft_rule_obj(uint64_t handle, const char *exprs, bool drop, bool est)
{
	struct tna_obj o = { .kind = TNA_OBJ_NFT_RULE };

	o.nft_rule.family = NFPROTO_INET;
	snprintf(o.nft_rule.table, sizeof(o.nft_rule.table), "filter");
	snprintf(o.nft_rule.chain, sizeof(o.nft_rule.chain), "forward");
	o.nft_rule.handle = handle;
	snprintf(o.nft_rule.exprs, sizeof(o.nft_rule.exprs), "%s", exprs);
	o.nft_rule.verdict_drop = drop;
	o.nft_rule.ct_established = est;
	return o;
}

static struct tna_obj fdb_obj(int ifindex, int master, uint8_t last, uint16_t state)
{
	struct tna_obj o = { .kind = TNA_OBJ_FDB };

	o.fdb.ifindex = ifindex;
	o.fdb.master = master;
	o.fdb.mac[0] = 0x02;
	o.fdb.mac[5] = last;
	o.fdb.vlan = master ? 1 : 0;
	o.fdb.state = state;
	o.fdb.flags = master ? NTF_MASTER : NTF_SELF;
	o.fdb.used_ticks = 5 * sysconf(_SC_CLK_TCK);
	o.fdb.updated_ticks = 7 * sysconf(_SC_CLK_TCK);
	return o;
}

static void build(struct graph *g)
{
	struct tna_obj o;

	o = link_obj(LO, "lo", "");
	o.link.arptype = ARPHRD_LOOPBACK;
	o.link.flags |= IFF_LOOPBACK;
	o.link.operstate = 0;
	graph__upsert(g, &o);
	o = link_obj(BR0, "br0", "bridge");
	o.link.is_bridge = true;
	o.link.bridge.ageing_time_cs = 30000;
	o.link.bridge.forward_delay_cs = 1500;
	graph__upsert(g, &o);
	o = port_obj(VETH0, "veth0", VETH1, 3 /* forwarding */);
	graph__upsert(g, &o);
	o = port_obj(VETH1, "veth1", VETH0, 2 /* learning */);
	graph__upsert(g, &o);
	o = link_obj(DUMMY0, "dummy0", "dummy");
	graph__upsert(g, &o);
	o = link_obj(DUMMY1, "dummy1", "dummy");
	graph__upsert(g, &o);

	o = addr_obj(LO, "127.0.0.1", 8);
	o.addr.scope = RT_SCOPE_HOST;
	graph__upsert(g, &o);
	o = addr_obj(DUMMY0, "10.1.0.1", 24);
	graph__upsert(g, &o);
	o = addr_obj(DUMMY1, "10.2.0.1", 24);
	graph__upsert(g, &o);

	o = route_obj("10.1.0.0", 24, DUMMY0, NULL);
	o.route.prefsrc = ip("10.1.0.1");
	graph__upsert(g, &o);
	o = route_obj("10.2.0.0", 24, DUMMY1, NULL);
	graph__upsert(g, &o);
	o = route_obj("192.168.0.0", 16, DUMMY0, "10.1.0.254");
	graph__upsert(g, &o);
	o = route_obj("0.0.0.0", 0, 0, NULL);
	o.route.protocol = RTPROT_STATIC;
	o.route.scope = RT_SCOPE_UNIVERSE;
	o.route.nexthop_count = 2;
	o.route.nexthops[0] = (struct tna_nexthop){ DUMMY0, ip("10.1.0.254"), 1 };
	o.route.nexthops[1] = (struct tna_nexthop){ DUMMY1, ip("10.2.0.254"), 2 };
	graph__upsert(g, &o);
	o = route_obj("2001:db8:1::", 64, DUMMY0, NULL);
	graph__upsert(g, &o);
	o = route_obj("2001:db8:1::", 64, DUMMY1, NULL);
	graph__upsert(g, &o);
	o = route_obj("10.1.0.1", 32, DUMMY0, NULL);
	o.route.table = RT_TABLE_LOCAL;
	o.route.type = RTN_LOCAL;
	o.route.scope = RT_SCOPE_HOST;
	graph__upsert(g, &o);

	o = (struct tna_obj){ .kind = TNA_OBJ_RULE };
	o.rule = (struct tna_rule){ .family = AF_INET, .priority = 100, .table = 100,
				    .action = 1 /* FR_ACT_TO_TBL */, .src = ip("10.9.0.0"),
				    .src_len = 16 };
	graph__upsert(g, &o);
	o.rule.src = ip("10.8.0.0");
	graph__upsert(g, &o);

	o = (struct tna_obj){ .kind = TNA_OBJ_LISTENER };
	o.listener = (struct tna_listener){ .family = AF_INET, .addr = ip("10.1.0.1"), .port = 80,
					    .inode = 1234 };
	graph__upsert(g, &o);
	o.listener.addr = ip("0.0.0.0");
	o.listener.port = 22;
	graph__upsert(g, &o);

	/* A dump may deliver rules before their chain. */
	o = nft_rule_obj(4, "ct,cmp,immediate", false, true);
	graph__upsert(g, &o);
	o = nft_rule_obj(5, "meta,cmp,immediate", true, false);
	graph__upsert(g, &o);
	o = (struct tna_obj){ .kind = TNA_OBJ_NFT_TABLE };
	o.nft_table.family = NFPROTO_INET;
	snprintf(o.nft_table.name, sizeof(o.nft_table.name), "filter");
	graph__upsert(g, &o);
	o = (struct tna_obj){ .kind = TNA_OBJ_NFT_CHAIN };
	o.nft_chain.family = NFPROTO_INET;
	snprintf(o.nft_chain.table, sizeof(o.nft_chain.table), "filter");
	snprintf(o.nft_chain.name, sizeof(o.nft_chain.name), "forward");
	snprintf(o.nft_chain.type, sizeof(o.nft_chain.type), "filter");
	o.nft_chain.base = true;
	o.nft_chain.hooknum = NF_INET_FORWARD;
	o.nft_chain.policy = NF_DROP;
	graph__upsert(g, &o);

	o = (struct tna_obj){ .kind = TNA_OBJ_TC };
	o.tc = (struct tna_tc){ .type = TNA_TC_QDISC, .ifindex = DUMMY0, .handle = 0xffff0000,
				.parent = TC_H_CLSACT };
	snprintf(o.tc.kind, sizeof(o.tc.kind), "clsact");
	graph__upsert(g, &o);

	/* "all" says on, dummy1 says off: the device's own value wins. */
	o = netconf_obj(AF_INET, NETCONFA_IFINDEX_ALL, 1);
	graph__upsert(g, &o);
	o = netconf_obj(AF_INET, DUMMY0, 1);
	graph__upsert(g, &o);
	o = netconf_obj(AF_INET, DUMMY1, 0);
	graph__upsert(g, &o);
	o = netconf_obj(AF_INET, VETH0, 0);
	graph__upsert(g, &o);
}

static json_t *find_by_id(json_t *array, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v) {
		const char *vid = json_string_value(json_object_get(v, "id"));

		if (vid && !strcmp(vid, id))
			return v;
	}
	return NULL;
}

static bool has_edge(json_t *edges, const char *from, const char *rel, const char *to)
{
	size_t i;
	json_t *e;

	json_array_foreach(edges, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "from")), from) &&
		    !strcmp(json_string_value(json_object_get(e, "rel")), rel) &&
		    !strcmp(json_string_value(json_object_get(e, "to")), to))
			return true;
	return false;
}

static const char *str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool has_node(struct graph *g, const char *id)
{
	json_t *j = graph__node_json(g, id);

	json_decref(j);
	return j != NULL;
}

static bool strings_are(json_t *array, const char *a, const char *b)
{
	size_t n = b ? 2 : 1;

	return json_array_size(array) == n &&
	       !strcmp(json_string_value(json_array_get(array, 0)), a) &&
	       (!b || !strcmp(json_string_value(json_array_get(array, 1)), b));
}

static void test_nodes(json_t *j)
{
	static const char *const ids[] = {
		"link:2",
		"address:5:10.1.0.1/24",
		"route:main:10.1.0.0/24",
		"route:main:192.168.0.0/16",
		"route:main:0.0.0.0/0",
		"route:main:2001:db8:1::/64,metric=1024,dev=5",
		"route:main:2001:db8:1::/64,metric=1024,dev=6",
		"route:local:10.1.0.1/32,type=local",
		"rule:inet:100:0",
		"rule:inet:100:1",
		"listener:tcp:10.1.0.1:80",
		"listener:tcp:0.0.0.0:22",
		"nft-table:inet:filter",
		"nft-chain:inet:filter:forward",
		"tc:5:qdisc:ffff:",
	};
	json_t *nodes = json_object_get(j, "nodes");
	json_t *n;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		CHECK(find_by_id(nodes, ids[i]), "node %s exists", ids[i]);

	n = find_by_id(nodes, "link:2");
	CHECK_EQ_STR(str_at(n, "type"), "bridge", "br0 type");
	CHECK_EQ_STR(str_at(n, "state"), "UP", "br0 state");
	CHECK(json_is_null(json_object_get(n, "master")), "br0 has no master");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(n, "bridge"),
							"ageing_time")), 300, "br0 ageing time");
	CHECK(json_is_true(json_object_get(json_object_get(n, "forwarding"), "ipv4")),
	      "br0 forwards IPv4 (falls back to \"all\")");
	n = find_by_id(nodes, "link:3");
	CHECK_EQ_STR(str_at(n, "master"), "br0", "veth0 master");
	CHECK_EQ_INT(json_integer_value(json_object_get(n, "peer")), VETH1, "veth0 peer");
	CHECK_EQ_STR(str_at(json_object_get(n, "port"), "state"), "forwarding", "veth0 port state");
	n = find_by_id(nodes, "link:1");
	CHECK_EQ_STR(str_at(n, "type"), "loopback", "lo type");
	n = find_by_id(nodes, "link:6");
	CHECK(json_is_false(json_object_get(json_object_get(n, "forwarding"), "ipv4")),
	      "dummy1 does not forward IPv4 (its own netconf beats \"all\")");

	n = find_by_id(nodes, "address:5:10.1.0.1/24");
	CHECK_EQ_STR(str_at(n, "link"), "dummy0", "address link");
	CHECK_EQ_STR(str_at(n, "family"), "inet", "address family");
	CHECK_EQ_STR(str_at(n, "scope"), "global", "address scope");

	n = find_by_id(nodes, "route:main:192.168.0.0/16");
	CHECK_EQ_STR(str_at(n, "gateway"), "10.1.0.254", "route gateway");
	CHECK_EQ_STR(str_at(n, "dev"), "dummy0", "route dev");
	CHECK_EQ_STR(str_at(n, "table"), "main", "route table");
	CHECK_EQ_STR(str_at(n, "protocol"), "static", "route protocol");
	n = find_by_id(nodes, "route:main:10.1.0.0/24");
	CHECK_EQ_STR(str_at(n, "prefsrc"), "10.1.0.1", "route prefsrc");
	CHECK(!json_object_get(n, "gateway"), "a connected route has no gateway");
	n = find_by_id(nodes, "route:main:0.0.0.0/0");
	CHECK_EQ_INT(json_array_size(json_object_get(n, "nexthops")), 2, "multipath nexthops");
	CHECK(json_is_null(json_object_get(n, "dev")), "multipath route has no single dev");
	CHECK_EQ_STR(str_at(json_array_get(json_object_get(n, "nexthops"), 1), "gateway"),
		     "10.2.0.254", "second nexthop gateway");

	n = find_by_id(nodes, "rule:inet:100:0");
	CHECK_EQ_STR(str_at(n, "src"), "10.9.0.0/16", "rule src");
	CHECK_EQ_STR(str_at(n, "action"), "lookup", "rule action");
	CHECK_EQ_STR(str_at(n, "table"), "100", "rule table");

	n = find_by_id(nodes, "nft-chain:inet:filter:forward");
	CHECK_EQ_STR(str_at(n, "hook"), "forward", "chain hook");
	CHECK_EQ_STR(str_at(n, "policy"), "drop", "chain policy");
	CHECK_EQ_INT(json_integer_value(json_object_get(n, "rules")), 2,
		     "chain counts rules that came before it");
	CHECK_EQ_INT(json_integer_value(json_object_get(
			     json_array_get(json_object_get(n, "rule_list"), 0), "handle")),
		     4, "rule list in chain order");

	n = find_by_id(nodes, "tc:5:qdisc:ffff:");
	CHECK_EQ_STR(str_at(n, "parent"), "clsact", "clsact parent");
	CHECK_EQ_STR(str_at(n, "link"), "dummy0", "tc link");
}

static void test_edges(struct graph *g, json_t *j)
{
	json_t *e = json_object_get(j, "edges");

	CHECK(has_edge(e, "link:3", "member-of", "link:2"), "veth0 member-of br0");
	CHECK(has_edge(e, "link:3", "peer-of", "link:4"), "veth0 peer-of veth1");
	CHECK(has_edge(e, "address:5:10.1.0.1/24", "address-on", "link:5"), "address-on");
	CHECK(has_edge(e, "route:main:192.168.0.0/16", "nexthop-dev", "link:5"), "nexthop-dev");
	CHECK(has_edge(e, "route:main:192.168.0.0/16", "route-via", "route:main:10.1.0.0/24"),
	      "gateway route-via its connected route");
	CHECK(has_edge(e, "route:main:0.0.0.0/0", "nexthop-dev", "link:6") &&
		      has_edge(e, "route:main:0.0.0.0/0", "nexthop-dev", "link:5"),
	      "multipath nexthop-dev to both links");
	CHECK(has_edge(e, "route:main:0.0.0.0/0", "route-via", "route:main:10.2.0.0/24"),
	      "multipath route-via per gateway");
	CHECK(!has_edge(e, "route:main:10.1.0.0/24", "route-via", "route:main:0.0.0.0/0"),
	      "no route-via without a gateway");
	CHECK(has_edge(e, "listener:tcp:10.1.0.1:80", "listens-on", "address:5:10.1.0.1/24"),
	      "listens-on its address");
	CHECK(has_edge(e, "nft-chain:inet:filter:forward", "filters", "link:5") &&
		      has_edge(e, "nft-chain:inet:filter:forward", "filters", "link:2"),
	      "forward chain filters addressed links and forwarding links");
	CHECK(!has_edge(e, "nft-chain:inet:filter:forward", "filters", "link:3"),
	      "forward chain does not filter a port without address or forwarding");
	CHECK(has_edge(e, "tc:5:qdisc:ffff:", "attached-to", "link:5"), "attached-to");
	CHECK_EQ_INT(graph__edge_count(g), json_array_size(e), "edge count matches the edges");
}

static void test_services(json_t *j)
{
	json_t *s = json_object_get(j, "services");
	json_t *v;

	v = find_by_id(s, "bridging:br0");
	CHECK(v && strings_are(json_object_get(v, "ports"), "veth0", "veth1"), "bridge ports");
	CHECK(v && strings_are(json_object_get(v, "forwarding_ports"), "veth0", NULL),
	      "only the forwarding port forwards");
	CHECK(v && json_is_true(json_object_get(v, "up")), "bridge up");
	v = find_by_id(s, "ipv4-forwarding");
	CHECK(v && strings_are(json_object_get(v, "links"), "dummy0", NULL),
	      "ipv4-forwarding between links with an address and forwarding on");
	CHECK(!find_by_id(s, "ipv6-forwarding"), "no ipv6-forwarding without netconf saying so");
	v = find_by_id(s, "local-delivery:dummy0");
	CHECK(v && strings_are(json_object_get(v, "addresses"), "10.1.0.1/24", NULL),
	      "local-delivery on dummy0");
	v = find_by_id(s, "tcp-listener:10.1.0.1:80");
	CHECK(v && json_integer_value(json_object_get(v, "port")) == 80 &&
		      !strcmp(str_at(v, "owner"), "kernel"),
	      "tcp-listener service");
}

struct counts {
	int added, changed, removed, fdb;
};

static void count_events(void *ctx, struct graph_event *ev)
{
	struct counts *c = ctx;
	enum graph_change change = ev->change;

	if (!json_is_object(graph_event__json(ev)))
		return;
	if (change == GRAPH_NODE_ADDED)
		c->added++;
	else if (change == GRAPH_NODE_CHANGED)
		c->changed++;
	else if (change == GRAPH_NODE_REMOVED)
		c->removed++;
	else
		c->fdb++;
}

static void test_watchers(struct graph *g)
{
	struct counts c = { 0 };
	struct tna_obj o = link_obj(DUMMY1, "dummy1", "dummy");

	CHECK_EQ_INT(graph__watch(g, count_events, &c), 0, "watch");
	graph__upsert(g, &o);
	CHECK_EQ_INT(c.changed + c.added + c.removed, 0, "no event for an identical upsert");
	o.link.mtu = 9000;
	graph__upsert(g, &o);
	CHECK_EQ_INT(c.changed, 1, "one event for a changed link");
	o = addr_obj(DUMMY1, "10.3.0.1", 24);
	graph__upsert(g, &o);
	graph__remove(g, &o);
	CHECK(c.added == 1 && c.removed == 1, "added and removed events");
	o = nft_rule_obj(6, "counter", false, false);
	graph__upsert(g, &o);
	CHECK_EQ_INT(c.changed, 2, "a new nft rule changes its chain");
	graph__remove(g, &o);
	graph__unwatch(g, count_events, &c);
	o = addr_obj(DUMMY1, "10.4.0.1", 24);
	graph__upsert(g, &o);
	graph__remove(g, &o);
	CHECK_EQ_INT(c.added, 1, "no events after unwatch");
}

static void test_bulk(struct graph *g)
{
	struct counts c = { 0 };
	struct tna_obj o;
	json_t *j, *e;

	graph__watch(g, count_events, &c);
	o = fdb_obj(BR0, BR0, 0x10, NUD_PERMANENT);
	graph__upsert(g, &o);
	o = fdb_obj(VETH0, BR0, 0x20, NUD_REACHABLE);
	graph__upsert(g, &o);
	o = fdb_obj(VETH0, BR0, 0x21, NUD_REACHABLE);
	graph__upsert(g, &o);
	o = fdb_obj(VETH1, BR0, 0x30, NUD_NOARP);
	graph__upsert(g, &o);
	o = fdb_obj(VETH0, 0, 0x40, NUD_PERMANENT);
	graph__upsert(g, &o);
	CHECK_EQ_INT(c.fdb, 5, "an FDB event per new entry");
	o.fdb.used_ticks += 100;
	graph__upsert(g, &o);
	CHECK_EQ_INT(c.fdb, 5, "no FDB event when only the ageing counters move");
	graph__unwatch(g, count_events, &c);

	j = graph__node_json(g, "link:2");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(j, "node"), "fdb")), 4,
		     "br0 counts its entries");
	json_decref(j);
	j = graph__node_json(g, "link:3");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(j, "node"), "fdb")), 3,
		     "veth0 counts the entries on it");
	json_decref(j);

	j = graph__fdb_json(g, "br0");
	CHECK_EQ_INT(json_array_size(j), 4, "fdb br0 lists the bridge's entries");
	e = json_array_get(j, 1);
	CHECK_EQ_STR(str_at(e, "mac"), "02:00:00:00:00:20", "fdb mac (sorted)");
	CHECK_EQ_STR(str_at(e, "port"), "veth0", "fdb port");
	CHECK_EQ_STR(str_at(e, "state"), "dynamic", "fdb state");
	CHECK_EQ_INT(json_integer_value(json_object_get(e, "used")), 5, "fdb used in seconds");
	CHECK_EQ_INT(json_integer_value(json_object_get(e, "updated")), 7, "fdb updated");
	CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(e, "flags"), 0)), "master",
		     "fdb flags");
	CHECK_EQ_STR(str_at(json_array_get(j, 0), "state"), "local", "fdb local entry");
	json_decref(j);
	j = graph__fdb_json(g, "2");
	CHECK_EQ_INT(json_array_size(j), 4, "fdb by ifindex");
	json_decref(j);
	CHECK(!graph__fdb_json(g, "dummy0") && !graph__fdb_json(g, "nosuch"),
	      "fdb of a non-bridge is NULL");

	o = (struct tna_obj){ .kind = TNA_OBJ_NEIGH };
	o.neigh = (struct tna_neigh){ .ifindex = DUMMY0, .dst = ip("10.1.0.254"),
				      .lladdr = { 2, 0, 0, 0, 0, 0xfe }, .lladdr_len = 6,
				      .state = NUD_REACHABLE };
	graph__upsert(g, &o);
	j = graph__neigh_json(g, "dummy0");
	CHECK_EQ_INT(json_array_size(j), 1, "neighbours of dummy0");
	CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(json_array_get(j, 0),
								      "state"), 0)),
		     "REACHABLE", "neighbour state");
	json_decref(j);
	j = graph__node_json(g, "link:5");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(j, "node"),
							"neighbours")), 1,
		     "dummy0 counts its neighbour");
	json_decref(j);

	graph__resync_begin(g, TNA_OBJ_FDB);
	o = fdb_obj(BR0, BR0, 0x10, NUD_PERMANENT);
	graph__upsert(g, &o);
	graph__resync_end(g, TNA_OBJ_FDB);
	j = graph__fdb_json(g, "br0");
	CHECK_EQ_INT(json_array_size(j), 1, "FDB resync drops entries no longer dumped");
	json_decref(j);
}

static void test_xdp_owner(struct graph *g)
{
	struct tna_obj o = link_obj(DUMMY1, "dummy1", "dummy");
	json_t *j;

	o.link.mtu = 9000;
	o.link.xdp_prog_id = 42;
	o.link.xdp_attach_mode = 1;
	graph__upsert(g, &o);
	j = graph__node_json(g, "link:6");
	CHECK_EQ_STR(str_at(json_object_get(json_object_get(j, "node"), "xdp"), "owner"),
		     "foreign", "an unknown XDP program is foreign");
	json_decref(j);
	graph__set_own_prog(g, 42, true);
	j = graph__node_json(g, "link:6");
	CHECK_EQ_STR(str_at(json_object_get(json_object_get(j, "node"), "xdp"), "owner"),
		     "zstack-tna", "a marked XDP program is ours");
	CHECK_EQ_STR(str_at(json_object_get(json_object_get(j, "node"), "xdp"), "mode"),
		     "native", "XDP mode");
	json_decref(j);
}

static bool balanced(const char *s)
{
	int depth = 0;
	bool quoted = false;

	for (; *s; s++) {
		if (quoted && *s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '{')
			depth++;
		else if (!quoted && *s == '}' && --depth < 0)
			return false;
	}
	return depth == 0 && !quoted;
}

/* Collects graph__write_json's text; fails once limit bytes are taken. */
struct text_sink {
	FILE *f;
	size_t len, limit;
};

static int sink_write(const char *buf, size_t len, void *data)
{
	struct text_sink *t = data;

	if (t->len + len > t->limit || fwrite(buf, 1, len, t->f) != len)
		return -1;
	t->len += len;
	return 0;
}

/* The streamed document is, byte for byte, the tree's compact dump. */
static void test_write_json(struct graph *g)
{
	json_t *tree = graph__to_json(g);
	char *want = tree ? json_dumps(tree, JSON_COMPACT) : NULL;
	struct text_sink t = { .limit = SIZE_MAX };
	char *text = NULL;
	size_t size = 0;
	int err;

	t.f = open_memstream(&text, &size);
	err = t.f ? graph__write_json(g, sink_write, &t) : -ENOMEM;
	if (t.f)
		fclose(t.f);
	CHECK(err == 0 && want && text && strlen(want) > 1000 && !strcmp(text, want),
	      "graph__write_json writes graph__to_json's compact dump (%zu bytes)", size);
	free(text);
	text = NULL;
	t = (struct text_sink){ .limit = 1000, .f = open_memstream(&text, &size) };
	err = t.f ? graph__write_json(g, sink_write, &t) : 0;
	if (t.f)
		fclose(t.f);
	CHECK_EQ_INT(err, -ENOMEM, "graph__write_json fails when its writer does");
	free(text);
	free(want);
	json_decref(tree);
}

static void test_dot(struct graph *g)
{
	char *dot = graph__to_dot(g);
	bool rendered;
	FILE *p;

	CHECK(dot && strstr(dot, "digraph") && strstr(dot, "\"member-of\""),
	      "DOT output has the graph and labelled edges");
	CHECK(dot && balanced(dot), "DOT braces and quotes balanced");
	if (!dot || system("command -v dot >/dev/null 2>&1")) {
		SKIP("Graphviz dot is not installed");
		free(dot);
		return;
	}
	p = popen("dot -Tsvg >/dev/null 2>&1", "w");
	rendered = p && fputs(dot, p) >= 0;
	rendered = p && pclose(p) == 0 && rendered;
	CHECK(rendered, "dot -Tsvg renders the graph");
	free(dot);
}

static void test_cascade(struct graph *g)
{
	struct tna_obj o = link_obj(DUMMY0, "dummy0", "dummy");
	json_t *j;

	graph__remove(g, &o);
	CHECK(!has_node(g, "link:5"), "link removed");
	CHECK(!has_node(g, "address:5:10.1.0.1/24"), "its address went with it");
	CHECK(!has_node(g, "route:main:10.1.0.0/24") && !has_node(g, "route:main:192.168.0.0/16"),
	      "its routes went with it");
	CHECK(!has_node(g, "route:main:2001:db8:1::/64,metric=1024,dev=5") &&
		      has_node(g, "route:main:2001:db8:1::/64,metric=1024,dev=6"),
	      "of the IPv6 pair only its route went");
	CHECK(has_node(g, "route:main:0.0.0.0/0"), "a multipath route through others stays");
	CHECK(!has_node(g, "route:local:10.1.0.1/32,type=local"), "its local route went too");
	CHECK(!has_node(g, "tc:5:qdisc:ffff:"), "its qdisc went with it");
	j = graph__neigh_json(g, NULL);
	CHECK_EQ_INT(json_array_size(j), 0, "its neighbours went with it");
	json_decref(j);
}

static void test_resync(struct graph *g)
{
	struct tna_obj o = route_obj("10.2.0.0", 24, DUMMY1, NULL);
	struct counts c = { 0 };

	graph__watch(g, count_events, &c);
	graph__resync_begin(g, TNA_OBJ_ROUTE);
	graph__upsert(g, &o);
	graph__resync_end(g, TNA_OBJ_ROUTE);
	graph__unwatch(g, count_events, &c);
	CHECK_EQ_INT(c.removed, 2, "resync tells watchers of each route it drops");
	CHECK(has_node(g, "route:main:10.2.0.0/24"), "resync keeps what was dumped again");
	CHECK(!has_node(g, "route:main:0.0.0.0/0") &&
		      !has_node(g, "route:main:2001:db8:1::/64,metric=1024,dev=6"),
	      "resync drops what was not");

	o = (struct tna_obj){ .kind = TNA_OBJ_NFT_TABLE };
	o.nft_table.family = NFPROTO_INET;
	snprintf(o.nft_table.name, sizeof(o.nft_table.name), "filter");
	graph__remove(g, &o);
	CHECK(!has_node(g, "nft-chain:inet:filter:forward"), "a table takes its chains along");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_churn(struct graph *g)
{
	size_t nodes = graph__node_count(g), edges = graph__edge_count(g);
	struct tna_obj o = route_obj("0.0.0.0", 32, DUMMY1, "10.2.0.254");
	double start = now_s(), elapsed;
	json_t *j;

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < 10000; i++) {
			uint32_t a = htonl(0x0b000000 | i);

			memcpy(o.route.dst.bytes, &a, 4);
			if (pass)
				graph__remove(g, &o);
			else
				graph__upsert(g, &o);
		}
		if (!pass) {
			CHECK_EQ_INT(graph__node_count(g), nodes + 10000, "10 000 routes added");
			j = graph__to_json(g);
			CHECK_EQ_INT(json_array_size(json_object_get(j, "edges")), edges + 20000,
				     "each has a nexthop-dev and a route-via edge");
			json_decref(j);
		}
	}
	elapsed = now_s() - start;
	CHECK_EQ_INT(graph__node_count(g), nodes, "10 000 routes removed: node count as before");
	CHECK_EQ_INT(graph__edge_count(g), edges, "edge count as before");
	CHECK(elapsed < 2.0, "churn with one render took %.3f s (< 2 s)", elapsed);
}

/* The bridge and port switches transparency depends on, and graph__obj_id
 * naming the node that shows an object. */
static void test_switches_and_ids(void)
{
	struct graph *g = graph__new();
	struct tna_obj br = link_obj(BR0, "br0", "bridge");
	struct tna_obj port = port_obj(VETH0, "veth0", 0, 3);
	struct tna_obj route = route_obj("10.1.0.0", 24, DUMMY0, NULL);
	struct tna_obj rule = nft_rule_obj(7, "ct,cmp,immediate", false, true);
	struct tna_obj fdb = fdb_obj(VETH0, BR0, 0x10, 0);
	json_t *n, *b, *p;
	char id[GRAPH_TEST_ID_MAX];

	if (!g) {
		CHECK(0, "graph__new");
		return;
	}
	br.link.is_bridge = true;
	br.link.bridge.nf_call_iptables = true;
	br.link.bridge.nf_call_arptables = true;
	port.link.brport.locked = true;
	port.link.brport.mab = true;
	port.link.brport.proxyarp_wifi = true;
	port.link.brport.neigh_suppress = true;
	graph__upsert(g, &br);
	graph__upsert(g, &port);
	n = graph__node_json(g, "link:2");
	b = json_object_get(json_object_get(n, "node"), "bridge");
	CHECK(json_is_true(json_object_get(b, "nf_call_iptables")) &&
	      json_is_false(json_object_get(b, "nf_call_ip6tables")) &&
	      json_is_true(json_object_get(b, "nf_call_arptables")),
	      "bridge JSON: nf_call_iptables, nf_call_ip6tables, nf_call_arptables");
	json_decref(n);
	n = graph__node_json(g, "link:3");
	p = json_object_get(json_object_get(n, "node"), "port");
	CHECK(json_is_true(json_object_get(p, "locked")) &&
	      json_is_true(json_object_get(p, "mab")) &&
	      json_is_false(json_object_get(p, "proxy_arp")) &&
	      json_is_true(json_object_get(p, "proxy_arp_wifi")) &&
	      json_is_true(json_object_get(p, "neigh_suppress")),
	      "port JSON: locked, mab, proxy_arp, proxy_arp_wifi, neigh_suppress");
	json_decref(n);

	CHECK_EQ_STR(graph__obj_id(g, &port, id, sizeof(id)), "link:3", "obj id of a link");
	CHECK_EQ_STR(graph__obj_id(g, &route, id, sizeof(id)), "route:main:10.1.0.0/24",
		     "obj id of a route");
	CHECK_EQ_STR(graph__obj_id(g, &rule, id, sizeof(id)), "nft-chain:inet:filter:forward",
		     "obj id of an nft rule: its chain");
	CHECK_EQ_STR(graph__obj_id(g, &fdb, id, sizeof(id)), "", "obj id of an FDB entry: none");
	graph__free(g);
}

static json_t *zs_app_node(struct graph *g, const char *id)
{
	json_t *j = graph__node_json(g, id);
	json_t *n = json_incref(json_object_get(j, "node"));

	json_decref(j);
	return n;
}

/* A zstack application as the registry shows it: node, edges, events, removal. */
static void test_zstack_app(void)
{
	struct graph *g = graph__new();
	struct tna_obj link = link_obj(DUMMY0, "dummy0", "dummy");
	struct tna_obj addr = addr_obj(DUMMY0, "10.9.0.1", 24);
	struct tna_obj l = { .kind = TNA_OBJ_LISTENER };
	struct tna_ip local = ip("10.9.0.1");
	const char *lid = "listener:tcp:10.9.0.1:8080%dummy0";
	struct counts c = { 0 };
	json_t *j, *n, *e, *port;
	size_t nodes;

	CHECK(g, "graph__new for zstack apps");
	if (!g)
		return;
	graph__upsert(g, &link);
	graph__upsert(g, &addr);
	nodes = graph__node_count(g);
	graph__watch(g, count_events, &c);
	CHECK_EQ_INT(graph__zstack_app_xsk(g, 7, DUMMY0, 0), -ENOENT,
		     "a socket of an unknown application is refused");
	CHECK_EQ_INT(graph__set_zstack_app(g, 7, "zs-echo", 4242), 0, "zstack app registered");
	CHECK_EQ_INT(c.added, 1, "a registered application is an added node");
	CHECK_EQ_INT(graph__node_count(g), nodes + 1, "the application counts as a node");
	graph__zstack_app_xsk(g, 7, DUMMY0, 0);
	graph__zstack_app_xsk(g, 7, DUMMY0, 1);
	l.listener = (struct tna_listener){ .family = AF_INET, .addr = local, .port = 8080,
					    .ifindex = DUMMY0, .inode = 7,
					    .owner = TNA_OWNER_ZSTACK };
	graph__upsert(g, &l);
	CHECK_EQ_INT(graph__zstack_app_conn(g, 7, &local, 40000, true), 0, "connection shown");
	graph__zstack_app_conn(g, 7, &local, 40001, true);
	CHECK_EQ_INT(c.changed, 5, "sockets, listener and connections change the app node");

	n = zs_app_node(g, "zstack-app:7");
	port = json_array_get(json_object_get(n, "ports"), 0);
	CHECK_EQ_STR(str_at(n, "kind"), "zstack-app", "zstack-app node: kind");
	CHECK_EQ_STR(str_at(n, "app"), "zs-echo", "zstack-app node: app");
	CHECK_EQ_INT(json_integer_value(json_object_get(n, "pid")), 4242, "zstack-app node: pid");
	CHECK(strings_are(json_object_get(n, "interfaces"), "dummy0", NULL) &&
		      json_integer_value(json_object_get(n, "queues")) == 2 &&
		      json_integer_value(json_object_get(n, "listeners")) == 1,
	      "zstack-app node: one interface, two queues, one listener");
	CHECK_EQ_INT(json_integer_value(json_object_get(n, "connections")), 2,
		     "zstack-app node: connections");
	CHECK_EQ_STR(str_at(port, "address"), "10.9.0.1", "zstack-app node: first port's address");
	CHECK_EQ_INT(json_integer_value(json_object_get(port, "port")), 40000,
		     "zstack-app node: ports in the order reserved");
	json_decref(n);

	j = graph__to_json(g);
	e = json_object_get(j, "edges");
	CHECK(has_edge(e, "zstack-app:7", "attached-to", "link:5"), "app attached-to its link");
	CHECK(has_edge(e, lid, "owned-by", "zstack-app:7"), "zstack listener owned-by its app");
	CHECK(has_edge(e, lid, "steers-to", "link:5"), "zstack listener still steers-to");
	CHECK(find_by_id(json_object_get(j, "nodes"), "zstack-app:7"), "app in the node list");
	json_decref(j);

	graph__zstack_app_conn(g, 7, &local, 40000, false);
	n = zs_app_node(g, "zstack-app:7");
	port = json_array_get(json_object_get(n, "ports"), 0);
	CHECK(json_integer_value(json_object_get(n, "connections")) == 1 &&
		      json_integer_value(json_object_get(port, "port")) == 40001,
	      "a released connection leaves the ports list");
	json_decref(n);

	graph__remove(g, &l);
	graph__drop_zstack_app(g, 7);
	CHECK(c.removed == 2 && !has_node(g, "zstack-app:7"), "a dropped application is removed");
	CHECK_EQ_INT(graph__node_count(g), nodes, "node count as before the application");
	j = graph__to_json(g);
	e = json_object_get(j, "edges");
	CHECK(!has_edge(e, "zstack-app:7", "attached-to", "link:5"), "no edges of a gone app");
	json_decref(j);
	graph__unwatch(g, count_events, &c);
	graph__free(g);
}

int main(void)
{
	struct graph *g = graph__new();
	json_t *j;

	CHECK(g, "graph__new");
	if (!g)
		return check_exit();
	build(g);
	j = graph__to_json(g);
	CHECK(j, "graph__to_json");
	test_nodes(j);
	test_edges(g, j);
	test_services(j);
	json_decref(j);
	test_write_json(g);
	CHECK(!graph__node_json(g, "link:99"), "node_json of an unknown id is NULL");
	test_watchers(g);
	test_bulk(g);
	test_xdp_owner(g);
	test_dot(g);
	test_churn(g);
	test_cascade(g);
	test_resync(g);
	graph__free(g);
	test_switches_and_ids();
	test_zstack_app();
	return check_exit();
}
