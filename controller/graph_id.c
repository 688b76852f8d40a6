// SPDX-License-Identifier: GPL-2.0
/*
 * Node ids (GRAPH.md) and the canonical text they are made of. An id is the
 * kernel's identity of the object, so an upsert of a changed object finds the
 * node it changes and a remove finds the node it removes.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"
#include "controller/names.h"

static void format_addr(uint8_t family, const uint8_t *bytes, char *buf, size_t len)
{
	if (family != AF_INET && family != AF_INET6) {
		snprintf(buf, len, "?");
		return;
	}
	if (!inet_ntop(family, bytes, buf, len))
		snprintf(buf, len, "?");
}

void graph_format_ip(const struct tna_ip *ip, char *buf, size_t len)
{
	format_addr(ip->family, ip->bytes, buf, len);
}

void graph_format_prefix(const struct tna_ip *ip, uint8_t plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	graph_format_ip(ip, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, plen);
}

void graph_format_mac(const uint8_t *mac, uint8_t mac_len, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < mac_len && off + 3 < len; i++)
		off += snprintf(buf + off, len - off, i ? ":%02x" : "%02x", mac[i]);
}

void graph_nft_chain_id(uint8_t family, const char *table, const char *chain, char *buf,
			size_t len)
{
	char fb[NAMES_BUF];

	snprintf(buf, len, "nft-chain:%s:%s:%s", names_nft_family(family, fb), table, chain);
}

static void route_id(const struct tna_route *r, char *buf, size_t len)
{
	char tb[NAMES_BUF], yb[NAMES_BUF], dst[INET6_ADDRSTRLEN];
	size_t off;
	int dev;

	format_addr(r->family, r->dst.bytes, dst, sizeof(dst));
	off = snprintf(buf, len, "route:%s:%s/%u", names_route_table(r->table, tb), dst,
		       r->dst_len);
	if (r->priority && off < len)
		off += snprintf(buf + off, len - off, ",metric=%u", r->priority);
	if (r->tos && off < len)
		off += snprintf(buf + off, len - off, ",tos=%u", r->tos);
	if (r->type != RTN_UNICAST && off < len)
		off += snprintf(buf + off, len - off, ",type=%s", names_route_type(r->type, yb));
	/* IPv6 keeps routes to one prefix on several devices apart. */
	dev = r->nexthop_count ? r->nexthops[0].ifindex : r->oif;
	if (r->family == AF_INET6 && dev && off < len)
		snprintf(buf + off, len - off, ",dev=%d", dev);
}

static void listener_id(const struct graph *g, const struct tna_listener *l, char *buf,
			size_t len)
{
	char a[INET6_ADDRSTRLEN];
	const char *dev;

	format_addr(l->family, l->addr.bytes, a, sizeof(a));
	if (!l->ifindex) {
		snprintf(buf, len, "listener:tcp:%s:%u", a, l->port);
		return;
	}
	dev = graph_link_name(g, l->ifindex);
	if (dev)
		snprintf(buf, len, "listener:tcp:%s:%u%%%s", a, l->port, dev);
	else
		snprintf(buf, len, "listener:tcp:%s:%u%%%d", a, l->port, l->ifindex);
}

static void tc_id(const struct tna_tc *t, char *buf, size_t len)
{
	char hb[NAMES_BUF], pb[NAMES_BUF], eb[NAMES_BUF];

	switch (t->type) {
	case TNA_TC_QDISC:
		snprintf(buf, len, "tc:%d:qdisc:%s", t->ifindex, names_tc_handle(t->handle, hb));
		break;
	case TNA_TC_CLASS:
		snprintf(buf, len, "tc:%d:class:%s", t->ifindex, names_tc_handle(t->handle, hb));
		break;
	case TNA_TC_FILTER:
		snprintf(buf, len, "tc:%d:filter:%s:%u:%s:0x%x", t->ifindex,
			 names_tc_handle(t->parent, pb), t->prio,
			 names_eth_proto(t->protocol, eb), t->handle);
		break;
	}
}

void graph_obj_id(const struct graph *g, const struct tna_obj *obj, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 8], fb[NAMES_BUF];

	switch (obj->kind) {
	case TNA_OBJ_LINK:
		snprintf(buf, len, "link:%d", obj->link.ifindex);
		break;
	case TNA_OBJ_ADDR:
		graph_format_prefix(&obj->addr.addr, obj->addr.prefixlen, a, sizeof(a));
		snprintf(buf, len, "address:%d:%s", obj->addr.ifindex, a);
		break;
	case TNA_OBJ_ROUTE:
		route_id(&obj->route, buf, len);
		break;
	case TNA_OBJ_LISTENER:
		listener_id(g, &obj->listener, buf, len);
		break;
	case TNA_OBJ_NFT_TABLE:
		snprintf(buf, len, "nft-table:%s:%s",
			 names_nft_family(obj->nft_table.family, fb), obj->nft_table.name);
		break;
	case TNA_OBJ_NFT_CHAIN:
		graph_nft_chain_id(obj->nft_chain.family, obj->nft_chain.table,
				   obj->nft_chain.name, buf, len);
		break;
	case TNA_OBJ_IPT_TABLE:
		snprintf(buf, len, "ipt-table:%s:%s",
			 names_nft_family(obj->ipt_table.family, fb), obj->ipt_table.name);
		break;
	case TNA_OBJ_TC:
		tc_id(&obj->tc, buf, len);
		break;
	default:
		snprintf(buf, len, "%d:unkeyed", obj->kind);
		break;
	}
}

static bool ip_equal(const struct tna_ip *a, const struct tna_ip *b, uint8_t family)
{
	return !memcmp(a->bytes, b->bytes, family == AF_INET ? 4 : 16);
}

/* The selectors the kernel matches a rule by when it is deleted. */
static bool rule_same(const struct tna_rule *a, const struct tna_rule *b)
{
	return a->family == b->family && a->priority == b->priority && a->table == b->table &&
	       a->action == b->action && a->src_len == b->src_len && a->dst_len == b->dst_len &&
	       (!a->src_len || ip_equal(&a->src, &b->src, a->family)) &&
	       (!a->dst_len || ip_equal(&a->dst, &b->dst, a->family)) && a->tos == b->tos &&
	       a->fwmark == b->fwmark && a->fwmask == b->fwmask &&
	       !strcmp(a->iifname, b->iifname) && !strcmp(a->oifname, b->oifname) &&
	       a->flags == b->flags;
}

struct gnode *graph_rule_find(const struct graph *g, const struct tna_rule *r)
{
	struct gnode *n;

	graph_for_each_node(g, TNA_OBJ_RULE, n)
		if (rule_same(&n->obj.rule, r))
			return n;
	return NULL;
}

/* The lowest N not taken by another rule of that family and priority. */
void graph_rule_new_id(const struct graph *g, const struct tna_rule *r, char *buf, size_t len)
{
	char fb[NAMES_BUF];
	struct gnode *n;
	unsigned int seq = 0;
	bool taken;

	do {
		snprintf(buf, len, "rule:%s:%u:%u", names_family(r->family, fb), r->priority, seq);
		taken = false;
		graph_for_each_node(g, TNA_OBJ_RULE, n) {
			if (!strcmp(n->id, buf)) {
				taken = true;
				seq++;
				break;
			}
		}
	} while (taken);
}

const char *graph__obj_id(const struct graph *g, const struct tna_obj *obj, char *buf,
			  size_t len)
{
	const struct gnode *n;

	if (!len)
		return buf;
	buf[0] = '\0';
	switch (obj->kind) {
	case TNA_OBJ_FDB:
	case TNA_OBJ_NEIGH:
	case TNA_OBJ_NETCONF:
		break;
	case TNA_OBJ_RULE:
		/* A rule's id depends on the rules that came before it. */
		n = graph_rule_find(g, &obj->rule);
		if (n)
			snprintf(buf, len, "%s", n->id);
		break;
	case TNA_OBJ_NFT_RULE:
		graph_nft_chain_id(obj->nft_rule.family, obj->nft_rule.table, obj->nft_rule.chain,
				   buf, len);
		break;
	default:
		graph_obj_id(g, obj, buf, len);
		break;
	}
	return buf;
}
