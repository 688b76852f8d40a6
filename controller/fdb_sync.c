// SPDX-License-Identifier: GPL-2.0
/*
 * The refresh, and what NTF_USE does on this kernel (Linux 6.18, checked with
 * `bridge -d -s -j fdb show` before and after): __br_fdb_add() runs
 * br_fdb_update() as if a frame had come from the MAC on that port. The
 * entry's "updated" restarts at 0 (what ageing looks at); "used" is left
 * alone; no netlink event is sent; no flag shows in `bridge fdb show`. It
 * does mark the entry added_by_user, which only `bridge fdb flush ...
 * [no]added_by_user` (and switchdev drivers) can tell apart. It refuses ports
 * whose state does not learn, like the data path.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "controller/fdb_sync.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/rtnl_req.h"

#define FDB_SYNC_MAX_BRIDGES 64

struct fdb_sync {
	struct graph *graph;
	const struct tna_maps *maps;
	fdb_port_slot_fn port_slot;
	void *ctx;
	int bridges[FDB_SYNC_MAX_BRIDGES];
	int nbridges;
	uint64_t last_refresh_ns;	/* CLOCK_MONOTONIC, as bpf_ktime_get_ns() */
	struct fdb_sync_stats stats;
};

int fdb_sync__new(struct fdb_sync **out, struct graph *g, const struct tna_maps *maps,
		  fdb_port_slot_fn port_slot, void *ctx)
{
	struct fdb_sync *fs = calloc(1, sizeof(*fs));
	struct timespec ts;

	if (!fs)
		return -ENOMEM;
	fs->graph = g;
	fs->maps = maps;
	fs->port_slot = port_slot;
	fs->ctx = ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fs->last_refresh_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	*out = fs;
	return 0;
}

void fdb_sync__free(struct fdb_sync *fs)
{
	free(fs);
}

bool fdb_sync__mirrors(const struct fdb_sync *fs, int bridge)
{
	for (int i = 0; i < fs->nbridges; i++)
		if (fs->bridges[i] == bridge)
			return true;
	return false;
}

static void fdb_key(struct tna_fdb_key *k, int bridge, const uint8_t *mac, uint16_t vlan)
{
	memset(k, 0, sizeof(*k));
	k->bridge = bridge;
	memcpy(k->mac, mac, 6);
	k->vlan = vlan;
}

static void mirror_put(struct fdb_sync *fs, const struct tna_fdb *f)
{
	struct tna_fdb_val v = { .port = f->ifindex }, old;
	struct tna_fdb_key k;

	fdb_key(&k, f->master, f->mac, f->vlan);
	v.port_slot = fs->port_slot(fs->ctx, f->ifindex);
	if (f->state & NUD_PERMANENT)
		v.flags |= TNA_FDB_F_LOCAL;
	else if (f->state & NUD_NOARP)
		v.flags |= TNA_FDB_F_STATIC;
	/* A station that moved keeps its stamps: they are about the MAC. */
	if (!bpf_map_lookup_elem(fs->maps->fdb, &k, &old)) {
		if (old.port == v.port && old.port_slot == v.port_slot && old.flags == v.flags)
			return;
		v.seen_ns = old.seen_ns;
		v.used_ns = old.used_ns;
	}
	if (bpf_map_update_elem(fs->maps->fdb, &k, &v, BPF_ANY))
		pr_warn("fdb mirror: cannot add an entry of bridge %d: %s; frames to and from "
			"it go through the kernel", f->master, strerror(errno));
	else
		fs->stats.updates++;
}

/* Only while the mirror still points where the kernel's entry did: the graph
 * may report an entry of the old port after the station moved on. */
static void mirror_del(struct fdb_sync *fs, const struct tna_fdb *f)
{
	struct tna_fdb_val old;
	struct tna_fdb_key k;

	fdb_key(&k, f->master, f->mac, f->vlan);
	if (bpf_map_lookup_elem(fs->maps->fdb, &k, &old) || old.port != (__u32)f->ifindex)
		return;
	if (!bpf_map_delete_elem(fs->maps->fdb, &k))
		fs->stats.removals++;
}

static int fill_one(void *ctx, const struct tna_fdb *f)
{
	if (f->master)
		mirror_put(ctx, f);
	return 0;
}

/* The keys of the mirror entries match() picks, collected before the caller
 * changes any: updates and deletions reorder a hash map's walk. */
static size_t mirror_collect(struct fdb_sync *fs,
			     bool (*match)(const struct tna_fdb_key *k, const struct tna_fdb_val *v,
					   int arg),
			     int arg, struct tna_fdb_key **out)
{
	struct tna_fdb_key key, next, *keys = NULL;
	struct tna_fdb_val val;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fs->maps->fdb, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fs->maps->fdb, &key, &val) || !match(&key, &val, arg))
			continue;
		if (n == cap) {
			struct tna_fdb_key *v;

			cap = cap ? cap * 2 : 256;
			v = realloc(keys, cap * sizeof(*v));
			if (!v)
				break;
			keys = v;
		}
		keys[n++] = key;
	}
	*out = keys;
	return n;
}

static bool of_bridge(const struct tna_fdb_key *k, const struct tna_fdb_val *v, int bridge)
{
	(void)v;
	return k->bridge == (__u32)bridge;
}

/* Every mirror entry of a bridge leaves the map. */
static void mirror_flush(struct fdb_sync *fs, int bridge)
{
	struct tna_fdb_key *doomed;
	size_t n = mirror_collect(fs, of_bridge, bridge, &doomed);

	for (size_t i = 0; i < n; i++)
		if (!bpf_map_delete_elem(fs->maps->fdb, &doomed[i]))
			fs->stats.removals++;
	free(doomed);
}

static bool on_port(const struct tna_fdb_key *k, const struct tna_fdb_val *v, int port)
{
	(void)k;
	return v->port == (__u32)port;
}

/* Rewrites port_slot alone, on the entry as it is just before: the fast path
 * keeps stamping seen_ns and used_ns. */
void fdb_sync__port_slot_changed(struct fdb_sync *fs, int ifindex)
{
	__u32 slot = fs->port_slot(fs->ctx, ifindex);
	struct tna_fdb_key *keys;
	struct tna_fdb_val v;
	size_t n = mirror_collect(fs, on_port, ifindex, &keys);

	for (size_t i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fs->maps->fdb, &keys[i], &v) ||
		    v.port != (__u32)ifindex || v.port_slot == slot)
			continue;
		v.port_slot = slot;
		if (bpf_map_update_elem(fs->maps->fdb, &keys[i], &v, BPF_EXIST))
			pr_warn("fdb mirror: cannot point an entry at port %d's new slot: %s; "
				"frames to it go through the kernel", ifindex, strerror(errno));
		else
			fs->stats.updates++;
	}
	free(keys);
}

int fdb_sync__mirror(struct fdb_sync *fs, int bridge, bool on)
{
	int i;

	for (i = 0; i < fs->nbridges; i++)
		if (fs->bridges[i] == bridge)
			break;
	if (on == (i < fs->nbridges))
		return 0;
	if (!on) {
		fs->bridges[i] = fs->bridges[--fs->nbridges];
		mirror_flush(fs, bridge);
		return 0;
	}
	if (fs->nbridges == FDB_SYNC_MAX_BRIDGES)
		return -ENOSPC;
	fs->bridges[fs->nbridges++] = bridge;
	return graph__for_each_fdb(fs->graph, bridge, fill_one, fs);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4],
			 &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

void fdb_sync__on_change(struct fdb_sync *fs, const struct tna_fdb *f, bool removed)
{
	if (!f->master || !fdb_sync__mirrors(fs, f->master))
		return;
	if (removed)
		mirror_del(fs, f);
	else
		mirror_put(fs, f);
}

static json_t *find_listed(json_t *entries, const struct tna_fdb_key *k)
{
	struct tna_fdb_key lk;
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e) {
		memset(&lk, 0, sizeof(lk));
		lk.bridge = k->bridge;
		lk.vlan = json_integer_value(json_object_get(e, "vlan"));
		if (!parse_mac(json_string_value(json_object_get(e, "mac")), lk.mac) &&
		    !memcmp(&lk, k, sizeof(lk)))
			return e;
	}
	return NULL;
}

int fdb_sync__annotate(struct fdb_sync *fs, int bridge, json_t *entries)
{
	struct tna_fdb_key *keys;
	struct tna_fdb_val v;
	size_t n, i;
	json_t *e;

	if (!fdb_sync__mirrors(fs, bridge) || !json_is_array(entries))
		return 0;
	json_array_foreach(entries, i, e)
		json_object_set_new(e, "mirrored", json_false());
	n = mirror_collect(fs, of_bridge, bridge, &keys);
	for (i = 0; i < n; i++) {
		const struct tna_link *port;
		const char *listed_port;
		char mac[18];

		if (bpf_map_lookup_elem(fs->maps->fdb, &keys[i], &v))
			continue;
		port = graph__link(fs->graph, v.port);
		e = find_listed(entries, &keys[i]);
		listed_port = e ? json_string_value(json_object_get(e, "port")) : NULL;
		if (port && listed_port && strcmp(listed_port, port->name) == 0) {
			json_object_set_new(e, "mirrored", json_true());
			continue;
		}
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", keys[i].mac[0],
			 keys[i].mac[1], keys[i].mac[2], keys[i].mac[3], keys[i].mac[4],
			 keys[i].mac[5]);
		json_array_append_new(entries, json_pack("{s:s,s:o,s:o,s:b,s:b}", "mac", mac,
							 "port", port ? json_string(port->name) :
							 json_integer(v.port), "vlan",
							 keys[i].vlan ? json_integer(keys[i].vlan) :
							 json_null(), "mirrored", 1, "kernel", 0));
	}
	free(keys);
	return 0;
}

/* The kernel refreshes only sources on ports that learn (BR_LEARNING); the
 * fast path stamps seen_ns on every port unless its plan says otherwise. */
static bool port_learns(const struct fdb_sync *fs, const struct tna_fdb_val *v)
{
	struct tna_port p;

	return !tna_maps__read_port(fs->maps, v->port_slot, v->port, &p) &&
	       (p.flags & TNA_PORT_F_LEARNING);
}

static int send_use(struct fdb_sync *fs, struct rtnl_req *r, const struct tna_fdb_key *k,
		    const struct tna_fdb_val *v)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_req__msg(r, buf, RTM_NEWNEIGH, 0);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	int err;

	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = v->port;
	ndm->ndm_state = NUD_REACHABLE;
	ndm->ndm_flags = NTF_MASTER | NTF_USE;
	mnl_attr_put(nlh, NDA_LLADDR, 6, k->mac);
	if (k->vlan)
		mnl_attr_put_u16(nlh, NDA_VLAN, k->vlan);
	err = rtnl_req__call(r, nlh, NULL, NULL);
	fs->stats.refreshes++;
	if (err)
		fs->stats.refresh_errors++;
	return err;
}

int fdb_sync__refresh(struct fdb_sync *fs)
{
	struct tna_fdb_key key, next;
	struct tna_fdb_val v;
	struct rtnl_req r = { 0 };
	struct timespec ts;
	void *prev = NULL;
	uint64_t since = fs->last_refresh_ns;
	int err = 0, e;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	fs->last_refresh_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	while (!bpf_map_get_next_key(fs->maps->fdb, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fs->maps->fdb, &key, &v) || v.seen_ns <= since ||
		    (v.flags & (TNA_FDB_F_LOCAL | TNA_FDB_F_STATIC)) || !port_learns(fs, &v))
			continue;
		if (!r.nl) {
			err = rtnl_req__open(&r);
			if (err)
				break;
		}
		e = send_use(fs, &r, &key, &v);
		/* The port may have left or stopped learning since: the next
		 * event corrects the mirror. */
		if (e && e != -ENOENT && e != -ENODEV && e != -EINVAL)
			err = e;
	}
	rtnl_req__close(&r);
	if (err)
		pr_warn("fdb refresh: %s; the kernel may age out stations the fast path still "
			"forwards for, which then go through the kernel until learned again",
			strerror(-err));
	return err;
}

void fdb_sync__get_stats(const struct fdb_sync *fs, struct fdb_sync_stats *st)
{
	*st = fs->stats;
}
