/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink plumbing shared by every reader (rtnetlink, sock_diag, nfnetlink):
 * sockets with room for event bursts, requests and dumps that notice when the
 * kernel interrupted them, event reads that report an overrun instead of
 * hiding it, and the attribute helpers every parser needs.
 */
#ifndef TNA_INTROSPECT_NL_H
#define TNA_INTROSPECT_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "introspect/objects.h"

struct nlsock;

/* Called once per message; returns 0 to go on or -errno to fail the call. */
typedef int (*nl_msg_fn)(const struct nlmsghdr *nlh, void *ctx);

/*
 * Opens a netlink socket on bus (NETLINK_ROUTE, NETLINK_SOCK_DIAG, ...) with a
 * large receive buffer, joined to n_groups multicast groups (none for a socket
 * used only for requests). NETLINK_NO_ENOBUFS stays off: an overrun must be
 * reported so the caller can resync. 0 or -errno.
 */
int nlsock__open(struct nlsock **out, int bus, const unsigned int *groups,
		 unsigned int n_groups);
void nlsock__close(struct nlsock *s);
int nlsock__fd(const struct nlsock *s);

/*
 * Sends req (its type, flags and payload set by the caller; NLM_F_REQUEST,
 * the sequence number and, for a request that is not a dump, NLM_F_ACK are
 * added) and calls fn for every message of the reply until it ends. The reply
 * is always read to its end, so the socket stays usable after an error.
 * Returns 0; -EINTR when the kernel flagged the dump NLM_F_DUMP_INTR (the data
 * changed under it: run it again); the kernel's or fn's first error; or
 * -ETIMEDOUT when the kernel did not answer within a few seconds.
 * fn must not return -EINTR itself.
 */
int nlsock__request(struct nlsock *s, struct nlmsghdr *req, nl_msg_fn fn, void *ctx);

/* A dump of message type type whose request payload is the family header hdr. */
int nlsock__dump(struct nlsock *s, uint16_t type, const void *hdr, size_t hdrlen,
		 nl_msg_fn fn, void *ctx);

/*
 * Reads the events pending on s without blocking and calls fn for each, up to
 * a bounded batch (poll again if the fd stays readable). Returns 0, -errno from
 * fn, or -ENOBUFS when events were lost: the socket overran or an event did
 * not fit the buffer. The events still queued are then discarded, since only a
 * full re-dump can restore the picture.
 */
int nlsock__read_events(struct nlsock *s, nl_msg_fn fn, void *ctx);

/*
 * Indexes the attributes after a family header of hdrlen bytes into tb[0..max]
 * (zeroed first; attribute types above max are ignored). policy, if not NULL,
 * has max + 1 entries and is checked with mnl_attr_validate. Returns -EINVAL
 * for a message too short for its header or an attribute that fails policy.
 */
int nl_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
		   const enum mnl_attr_data_type *policy, unsigned int max,
		   const struct nlattr **tb);
/* The same for the attributes nested in nest. */
int nl_parse_nested(const struct nlattr *nest, const enum mnl_attr_data_type *policy,
		    unsigned int max, const struct nlattr **tb);
/* The same for a raw run of attributes (e.g. inside an rtnexthop). */
int nl_parse_payload(const void *payload, size_t len, const enum mnl_attr_data_type *policy,
		     unsigned int max, const struct nlattr **tb);

/* An address of family (AF_INET or AF_INET6) from attr; -EINVAL if the
 * attribute's length does not match the family. */
int nl_attr_ip(const struct nlattr *attr, uint8_t family, struct tna_ip *out);
/* Copies a string attribute into dst, NUL-terminated and truncated to size. */
void nl_attr_str(const struct nlattr *attr, char *dst, size_t size);

#endif
