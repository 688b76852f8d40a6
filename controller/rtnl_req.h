/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One rtnetlink request and its answers, on a short-lived socket of the
 * calling thread's network namespace: for the daemon's own queries and
 * commands (peer links, namespace ids, FDB refreshes), apart from the event
 * sockets introspect/ reads.
 */
#ifndef TNA_RTNL_REQ_H
#define TNA_RTNL_REQ_H

#include <libmnl/libmnl.h>

struct rtnl_req {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
};

/* Opens a NETLINK_ROUTE socket in the namespace of the calling thread. */
int rtnl_req__open(struct rtnl_req *r);
void rtnl_req__close(struct rtnl_req *r);

/* A request header in buf (MNL_SOCKET_BUFFER_SIZE bytes, zeroed here) with
 * NLM_F_REQUEST | NLM_F_ACK | flags and the next sequence number. */
struct nlmsghdr *rtnl_req__msg(struct rtnl_req *r, char *buf, uint16_t type, uint16_t flags);

/* Sends nlh and runs cb (may be NULL) over every answer until the ack or the
 * end of the dump. 0 or -errno, the kernel's error included. */
int rtnl_req__call(struct rtnl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
