/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtnetlink reader's parts: one parser per kind of object, each a pure
 * function from a netlink message to a tna_obj, and the dump each kind needs.
 *
 * A parser returns 0 with *out filled, RTNL_SKIP for a message that is valid
 * but describes nothing we track (a cloned route, a multicast-family rule),
 * or -errno for a malformed message. A dump function sends its requests on s
 * and hands every reply message to fn; -EINTR means "interrupted, run again".
 */
#ifndef TNA_INTROSPECT_RTNL_H
#define TNA_INTROSPECT_RTNL_H

#include <linux/netlink.h>

#include "introspect/nl.h"
#include "introspect/objects.h"

#define RTNL_SKIP 1

/* RTM_NEWLINK/DELLINK. An AF_BRIDGE message yields only what it carries (its
 * port state in brport); merge it into the last full link with link_merge_port. */
int link_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
/* Applies what an AF_BRIDGE RTM_NEWLINK carried (port_msg, from link_parse)
 * to the last full view of the same link. */
void link_merge_port(struct tna_link *link, const struct tna_link *port_msg);
int link_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

int addr_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int addr_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

int route_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int route_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

int rule_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int rule_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

/* Neighbours of AF_INET and AF_INET6; AF_BRIDGE ones are FDB entries. */
int neigh_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int neigh_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

int fdb_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int fdb_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

int netconf_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int netconf_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

/* Qdiscs, classes and filters (RTM_{NEW,DEL}{QDISC,TCLASS,TFILTER}). */
int tc_parse(const struct nlmsghdr *nlh, struct tna_obj *out);
int tc_dump(struct nlsock *s, nl_msg_fn fn, void *ctx);

/* Runs the dump of type for AF_INET, then AF_INET6. The request's header is
 * hdrlen zero bytes but the first, the family (true of every rtnetlink family
 * header). A family the kernel lacks (IPv6 disabled at boot) yields nothing. */
int rtnl_dump_families(struct nlsock *s, uint16_t type, size_t hdrlen, nl_msg_fn fn, void *ctx);

#endif
