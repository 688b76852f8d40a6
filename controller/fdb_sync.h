/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FDB mirror: the kernel's FDB entries of the bridges the fast path
 * serves, in the tna_fdb map, following the graph's FDB events as they come
 * (learned, moved, aged, flushed); and the refresh that tells the kernel about
 * the traffic the fast path took from it, so that its ageing stays right.
 */
#ifndef TNA_FDB_SYNC_H
#define TNA_FDB_SYNC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpf/maps_user.h"
#include "introspect/objects.h"

struct graph;
struct fdb_sync;

struct fdb_sync_stats {
	uint64_t updates;		/* entries written into the mirror */
	uint64_t removals;		/* entries removed from it */
	uint64_t refreshes;		/* RTM_NEWNEIGH NTF_USE sent */
	uint64_t refresh_errors;	/* of which the kernel refused */
};

/* The port table slot of a port, TNA_PORT_SLOT_NONE if it has none: mirror
 * entries carry it so that the fast path finds the egress port without a
 * hash lookup. */
typedef __u32 (*fdb_port_slot_fn)(void *ctx, int ifindex);

int fdb_sync__new(struct fdb_sync **out, struct graph *g, const struct tna_maps *maps,
		  fdb_port_slot_fn port_slot, void *ctx);
/* Leaves the mirror as it is: the maps go with the daemon. */
void fdb_sync__free(struct fdb_sync *fs);

/* Starts mirroring a bridge (its entries are copied from the graph at once)
 * or stops (its entries leave the map). 0 or -errno. */
int fdb_sync__mirror(struct fdb_sync *fs, int bridge, bool on);
bool fdb_sync__mirrors(const struct fdb_sync *fs, int bridge);

/* The slot port_slot gives for the port changed: its entries carry the new
 * one from now on. */
void fdb_sync__port_slot_changed(struct fdb_sync *fs, int ifindex);

/* A GRAPH_FDB_CHANGED event: the entry came or changed, or went (removed). */
void fdb_sync__on_change(struct fdb_sync *fs, const struct tna_fdb *f, bool removed);

/* Refreshes in the kernel every dynamic entry the fast path saw as a source
 * since the last call; call it every second. 0 or -errno. */
int fdb_sync__refresh(struct fdb_sync *fs);

/* Marks every entry of a bridge's FDB listing (graph__fdb_json) with
 * "mirrored": whether the fast path's mirror holds it on the same port, and
 * appends what the mirror holds that the listing lacks, with "kernel":false.
 * Does nothing for a bridge it does not mirror. 0 or -errno. */
int fdb_sync__annotate(struct fdb_sync *fs, int bridge, json_t *entries);

void fdb_sync__get_stats(const struct fdb_sync *fs, struct fdb_sync_stats *st);

#endif
