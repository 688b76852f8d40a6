/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether an interface may run native XDP, and whether a frame redirected into
 * it is delivered: when the kernel reports ndo-xmit among its XDP features.
 * For a veth the kernel reports it exactly while the peer has an XDP program
 * or GRO on, so a peer in another namespace needs no visit. Planning asks
 * these (struct plan_env) and must not wait on the kernel, so the answers are
 * cached: computed on first ask, checked again by egress__refresh() when the
 * kernel announces a feature change (netdev "mgmt" notifications, which reach
 * this namespace even when the peer toggling GRO is elsewhere) and every
 * second. Between a peer losing GRO and the port map saying so, a few
 * milliseconds pass in which a redirect into that veth is dropped: no
 * mainline interface lets the fast path learn it sooner.
 */
#ifndef TNA_EGRESS_H
#define TNA_EGRESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct graph;
struct egress;

int egress__new(struct egress **out, struct graph *g);
void egress__free(struct egress *e);

bool egress__native_xdp(struct egress *e, int ifindex);
/* reason says why not, as a person can act on it. */
bool egress__deliverable(struct egress *e, int ifindex, char *reason, size_t len);

/* Asks the kernel again about every interface asked before; forgets those
 * gone. True when an answer changed (plans must be made again). */
bool egress__refresh(struct egress *e);

/* {"deliverable":bool,"reason":…} as last answered, asked now if never. */
json_t *egress__to_json(struct egress *e, int ifindex);

#endif
