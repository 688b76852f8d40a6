/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's configuration, read over netlink: a full dump at start, then
 * live events, with a full resync whenever an event may have been lost.
 */
#ifndef TNA_INTROSPECT_H
#define TNA_INTROSPECT_H

#include <stdint.h>

#include "introspect/objects.h"

struct introspect;

struct introspect_stats {
	uint64_t events;	/* netlink notifications decoded */
	uint64_t dumps;		/* full dumps run (initial + resyncs) */
	uint64_t resyncs;	/* resyncs forced by overrun or interrupted dumps */
	uint64_t listener_polls;
};

/* Opens every reader's sockets and subscribes to its events. 0 or -errno. */
int introspect__open(struct introspect **out, const struct tna_sink *sink);
void introspect__close(struct introspect *in);

/* Dumps every kind of object into the sink. 0 or -errno. */
int introspect__dump_all(struct introspect *in);

/* The fds to wait on for readability; fills up to max, returns how many. */
int introspect__fds(struct introspect *in, int *fds, int max);

/* Reads what is pending on fd (one of introspect__fds) and feeds the sink;
 * resyncs by itself after an overrun. 0 or -errno. Never blocks. */
int introspect__process(struct introspect *in, int fd);

/* Periodic work (listener polling, deferred resyncs). Call at least every
 * introspect__tick_interval_ms(). now_ms is CLOCK_MONOTONIC in ms. */
int introspect__tick(struct introspect *in, uint64_t now_ms);
unsigned int introspect__tick_interval_ms(void);

/* Reads every object of a kind again at the next tick: for changes the kernel
 * makes without telling (an XDP program attached through a bpf_link sends no
 * RTM_NEWLINK). */
void introspect__resync_kind(struct introspect *in, enum tna_obj_kind kind);

void introspect__get_stats(const struct introspect *in, struct introspect_stats *st);

#endif
