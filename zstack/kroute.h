/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next hops and neighbours, asked of the kernel over rtnetlink: zstack keeps
 * no routing table and speaks no ARP of its own. kroute__route is `ip route
 * get`; kroute__neigh reads the neighbour table and, when the entry is
 * missing or unusable, asks the kernel to resolve it (RTM_NEWNEIGH with
 * NTF_USE, as if the kernel itself were sending to it) and returns -EAGAIN
 * until it is. Nothing blocks on the network: how long to keep asking is the
 * caller's decision.
 */
#ifndef ZSTACK_KROUTE_H
#define ZSTACK_KROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "zstack/tcp.h"

#define KROUTE_MAC_LEN 6

struct kroute_hop {
	int ifindex;		 /* output interface */
	struct tcp_addr src;	 /* preferred source address */
	struct tcp_addr nexthop; /* the gateway, or the destination itself when on-link */
	bool via_gateway;
};

struct kroute;

int kroute__open(struct kroute **out);
void kroute__close(struct kroute *k);

/*
 * The kernel's choice of route to dst. -ENETUNREACH (or the kernel's own
 * error) when it has none; -EHOSTUNREACH when dst is local, broadcast or
 * otherwise not reachable through an interface zstack could send on.
 */
int kroute__route(struct kroute *k, const struct tcp_addr *dst, struct kroute_hop *hop);

/*
 * The link-layer address of addr on ifindex: 0 when the kernel has a usable
 * entry, -EAGAIN while it resolves one (resolution was requested).
 */
int kroute__neigh(struct kroute *k, int ifindex, const struct tcp_addr *addr,
		  uint8_t mac[KROUTE_MAC_LEN]);

/* The interface's own MAC address and MTU. */
int kroute__link(struct kroute *k, int ifindex, uint8_t mac[KROUTE_MAC_LEN], uint32_t *mtu);

#endif
