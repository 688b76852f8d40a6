// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "controller/rtnl_req.h"

/* A dump reply holds several messages; a page would cut them short. */
#define RTNL_REQ_BUF (32 * 1024)

int rtnl_req__open(struct rtnl_req *r)
{
	/* The kernel answers at once; the timeout only bounds one that would not. */
	const struct timeval timeout = { .tv_sec = 2 };
	int err;

	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) < 0) {
		err = -errno;
		mnl_socket_close(r->nl);
		r->nl = NULL;
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = 1;
	return 0;
}

void rtnl_req__close(struct rtnl_req *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

struct nlmsghdr *rtnl_req__msg(struct rtnl_req *r, char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = r->seq++;
	return nlh;
}

int rtnl_req__call(struct rtnl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	int err = 0, n;
	char *buf;

	buf = malloc(RTNL_REQ_BUF);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(r->nl, buf, RTNL_REQ_BUF);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		n = mnl_cb_run(buf, n, seq, r->portid, cb, data);
	} while (n == MNL_CB_OK);
	if (n < 0)
		err = -errno;
out:
	free(buf);
	return err;
}
