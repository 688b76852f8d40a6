// SPDX-License-Identifier: GPL-2.0
/*
 * tna-dump: prints every object introspect/ hands its sink, one line each
 * ("+" upsert, "-" remove, "resync-begin KIND", "resync-end KIND"), after a
 * full dump; with --follow it keeps printing events until interrupted or
 * until --seconds have passed. For checking the readers against `ip`, `bridge`,
 * `tc`, `nft` and `ss` by eye or by script.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "introspect/introspect.h"

#define MAX_FDS 8

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *ip_str(const struct tna_ip *ip, char *buf, size_t size)
{
	if (!ip->family)
		return "-";
	return inet_ntop(ip->family, ip->bytes, buf, size) ? buf : "?";
}

static const char *mac_str(const uint8_t *mac, unsigned int len, char *buf)
{
	unsigned int i;

	if (!len)
		return "-";
	for (i = 0; i < len; i++)
		sprintf(buf + 3 * i, "%02x%s", mac[i], i + 1 < len ? ":" : "");
	return buf;
}

static void print_link(const struct tna_link *l)
{
	char mac[32];

	printf("%d %s kind=%s slave=%s flags=0x%x oper=%u mtu=%u arptype=%u mac=%s master=%d "
	       "link=%d netnsid=%d xdp=%u/%u",
	       l->ifindex, l->name, l->kind[0] ? l->kind : "-",
	       l->slave_kind[0] ? l->slave_kind : "-", l->flags, l->operstate, l->mtu,
	       l->arptype, mac_str(l->mac, l->mac_len, mac), l->master, l->link,
	       l->link_netnsid, l->xdp_prog_id, l->xdp_attach_mode);
	if (l->is_bridge)
		printf(" bridge{ageing=%u stp=%u fwd_delay=%u vlan_filtering=%d}",
		       l->bridge.ageing_time_cs, l->bridge.stp_state, l->bridge.forward_delay_cs,
		       l->bridge.vlan_filtering);
	if (l->is_brport)
		printf(" port{state=%u learning=%d flood=%d mcast_flood=%d bcast_flood=%d "
		       "hairpin=%d isolated=%d neigh_suppress=%d}",
		       l->brport.state, l->brport.learning, l->brport.unicast_flood,
		       l->brport.mcast_flood, l->brport.bcast_flood, l->brport.hairpin,
		       l->brport.isolated, l->brport.neigh_suppress);
}

static void print_route(const struct tna_route *r)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	unsigned int i;

	printf("table=%u %s/%u src=%s/%u type=%u proto=%u scope=%u tos=%u flags=0x%x metric=%u "
	       "oif=%d gw=%s prefsrc=%s",
	       r->table, ip_str(&r->dst, a, sizeof(a)), r->dst_len,
	       ip_str(&r->src, b, sizeof(b)), r->src_len, r->type, r->protocol, r->scope,
	       r->tos, r->flags, r->priority, r->oif, ip_str(&r->gateway, c, sizeof(c)),
	       ip_str(&r->prefsrc, d, sizeof(d)));
	for (i = 0; i < r->nexthop_count; i++)
		printf(" nh{dev=%d gw=%s weight=%u}", r->nexthops[i].ifindex,
		       ip_str(&r->nexthops[i].gateway, a, sizeof(a)), r->nexthops[i].weight);
}

static void print_rule(const struct tna_rule *r)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	printf("family=%u prio=%u table=%u action=%u src=%s/%u dst=%s/%u tos=%u fwmark=0x%x/0x%x "
	       "iif=%s oif=%s flags=0x%x proto=%u",
	       r->family, r->priority, r->table, r->action, ip_str(&r->src, a, sizeof(a)),
	       r->src_len, ip_str(&r->dst, b, sizeof(b)), r->dst_len, r->tos, r->fwmark,
	       r->fwmask, r->iifname[0] ? r->iifname : "-", r->oifname[0] ? r->oifname : "-",
	       r->flags, r->protocol);
}

static void print_rtnl_kind(const struct tna_obj *o)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], mac[32];

	switch (o->kind) {
	case TNA_OBJ_ADDR:
		printf("%d %s/%u peer=%s scope=%u flags=0x%x label=%s", o->addr.ifindex,
		       ip_str(&o->addr.addr, a, sizeof(a)), o->addr.prefixlen,
		       ip_str(&o->addr.peer, b, sizeof(b)), o->addr.scope, o->addr.flags,
		       o->addr.label[0] ? o->addr.label : "-");
		break;
	case TNA_OBJ_NEIGH:
		printf("%d %s lladdr=%s state=0x%x flags=0x%x", o->neigh.ifindex,
		       ip_str(&o->neigh.dst, a, sizeof(a)),
		       mac_str(o->neigh.lladdr, o->neigh.lladdr_len, mac), o->neigh.state,
		       o->neigh.flags);
		break;
	case TNA_OBJ_FDB:
		printf("%d %s master=%d vlan=%u state=0x%x flags=0x%x used=%u updated=%u",
		       o->fdb.ifindex, mac_str(o->fdb.mac, 6, mac), o->fdb.master, o->fdb.vlan,
		       o->fdb.state, o->fdb.flags, o->fdb.used_ticks, o->fdb.updated_ticks);
		break;
	case TNA_OBJ_NETCONF:
		printf("family=%u ifindex=%d forwarding=%d rp_filter=%d mc_forwarding=%d "
		       "proxy_neigh=%d ignore_routes_with_linkdown=%d",
		       o->netconf.family, o->netconf.ifindex, o->netconf.forwarding,
		       o->netconf.rp_filter, o->netconf.mc_forwarding, o->netconf.proxy_neigh,
		       o->netconf.ignore_routes_with_linkdown);
		break;
	case TNA_OBJ_TC:
		printf("%d %s handle=%x:%x parent=%x:%x kind=%s", o->tc.ifindex,
		       o->tc.type == TNA_TC_QDISC ? "qdisc" :
		       o->tc.type == TNA_TC_CLASS ? "class" : "filter",
		       o->tc.handle >> 16, o->tc.handle & 0xffff, o->tc.parent >> 16,
		       o->tc.parent & 0xffff, o->tc.kind);
		if (o->tc.type == TNA_TC_FILTER)
			printf(" prio=%u protocol=0x%04x chain=%u", o->tc.prio, o->tc.protocol,
			       o->tc.chain);
		break;
	default:
		break;
	}
}

static void print_other_kind(const struct tna_obj *o)
{
	char a[INET6_ADDRSTRLEN];

	switch (o->kind) {
	case TNA_OBJ_LISTENER:
		printf("family=%u %s:%u ifindex=%d inode=%" PRIu64 " uid=%u owner=%s v6only=%d",
		       o->listener.family, ip_str(&o->listener.addr, a, sizeof(a)),
		       o->listener.port, o->listener.ifindex, o->listener.inode, o->listener.uid,
		       o->listener.owner == TNA_OWNER_ZSTACK ? "zstack" : "kernel",
		       o->listener.v6only);
		break;
	case TNA_OBJ_NFT_TABLE:
		printf("family=%u %s handle=%" PRIu64 " flags=0x%x use=%u", o->nft_table.family,
		       o->nft_table.name, o->nft_table.handle, o->nft_table.flags,
		       o->nft_table.use);
		break;
	case TNA_OBJ_NFT_CHAIN:
		printf("family=%u %s %s handle=%" PRIu64 " base=%d hook=%u prio=%d type=%s "
		       "policy=%u dev=%s use=%u",
		       o->nft_chain.family, o->nft_chain.table, o->nft_chain.name,
		       o->nft_chain.handle, o->nft_chain.base, o->nft_chain.hooknum,
		       o->nft_chain.priority, o->nft_chain.type[0] ? o->nft_chain.type : "-",
		       o->nft_chain.policy, o->nft_chain.dev[0] ? o->nft_chain.dev : "-",
		       o->nft_chain.use);
		break;
	case TNA_OBJ_NFT_RULE:
		printf("family=%u %s %s handle=%" PRIu64 " exprs=%u [%s] drop=%d ct_established=%d",
		       o->nft_rule.family, o->nft_rule.table, o->nft_rule.chain,
		       o->nft_rule.handle, o->nft_rule.expr_count, o->nft_rule.exprs,
		       o->nft_rule.verdict_drop, o->nft_rule.ct_established);
		break;
	case TNA_OBJ_IPT_TABLE:
		printf("family=%u %s", o->ipt_table.family, o->ipt_table.name);
		break;
	default:
		break;
	}
}

static void print_obj(char sign, const struct tna_obj *o)
{
	printf("%c %s ", sign, tna_obj_kind_name(o->kind));
	if (o->kind == TNA_OBJ_LINK)
		print_link(&o->link);
	else if (o->kind == TNA_OBJ_ROUTE)
		print_route(&o->route);
	else if (o->kind == TNA_OBJ_RULE)
		print_rule(&o->rule);
	else if (o->kind < TNA_OBJ_LISTENER || o->kind == TNA_OBJ_TC)
		print_rtnl_kind(o);
	else
		print_other_kind(o);
	printf("\n");
	fflush(stdout);
}

static void on_upsert(void *ctx, const struct tna_obj *obj)
{
	(void)ctx;
	print_obj('+', obj);
}

static void on_remove(void *ctx, const struct tna_obj *obj)
{
	(void)ctx;
	print_obj('-', obj);
}

static void on_resync_begin(void *ctx, enum tna_obj_kind kind)
{
	(void)ctx;
	printf("resync-begin %s\n", tna_obj_kind_name(kind));
}

static void on_resync_end(void *ctx, enum tna_obj_kind kind)
{
	(void)ctx;
	printf("resync-end %s\n", tna_obj_kind_name(kind));
	fflush(stdout);
}

/* Waits for events and prints them until a signal or the deadline (0: none). */
static int follow(struct introspect *in, uint64_t deadline_ms)
{
	unsigned int interval = introspect__tick_interval_ms();
	struct pollfd pfds[MAX_FDS];
	int fds[MAX_FDS], n, i, err = 0;

	n = introspect__fds(in, fds, MAX_FDS);
	for (i = 0; i < n; i++)
		pfds[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while (!stop && !err && (!deadline_ms || now_ms() < deadline_ms)) {
		int ready = poll(pfds, n, interval);

		if (ready < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n && ready > 0 && !err; i++) {
			if (pfds[i].revents & (POLLIN | POLLERR))
				err = introspect__process(in, pfds[i].fd);
		}
		if (!err)
			err = introspect__tick(in, now_ms());
	}
	return err;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tna-dump [--follow] [--seconds N] [--stats]\n"
		   "  prints every object the introspect readers report, after a full dump;\n"
		   "  --follow keeps printing events until SIGINT/SIGTERM or N seconds.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct tna_sink sink = {
		.upsert = on_upsert,
		.remove = on_remove,
		.resync_begin = on_resync_begin,
		.resync_end = on_resync_end,
	};
	bool do_follow = false, do_stats = false;
	struct introspect_stats st;
	struct introspect *in;
	uint64_t deadline = 0;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "fs:Sh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			do_follow = true;
			break;
		case 's':
			deadline = now_ms() + strtoull(optarg, NULL, 10) * 1000;
			break;
		case 'S':
			do_stats = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	err = introspect__open(&in, &sink);
	if (err) {
		fprintf(stderr, "tna-dump: cannot open the netlink readers: %s (run as root?)\n",
			strerror(-err));
		return 1;
	}
	err = introspect__dump_all(in);
	if (!err && do_follow)
		err = follow(in, deadline);
	if (err)
		fprintf(stderr, "tna-dump: reading the kernel's configuration failed: %s\n",
			strerror(-err));
	if (do_stats) {
		introspect__get_stats(in, &st);
		printf("stats events=%" PRIu64 " dumps=%" PRIu64 " resyncs=%" PRIu64
		       " listener_polls=%" PRIu64 "\n",
		       st.events, st.dumps, st.resyncs, st.listener_polls);
	}
	introspect__close(in);
	return err ? 1 : 0;
}
