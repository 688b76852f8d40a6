// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "controller/xdp_features.h"

/* From include/uapi/linux/netdev.h (see xdp_features.h for why they are here). */
#define NETDEV_FAMILY_NAME "netdev"
#define NETDEV_FAMILY_VERSION 1
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3
#define NETDEV_A_DEV_XDP_ZC_MAX_SEGS 4
#define NETDEV_MCGRP_MGMT "mgmt"

/* A dump reply carries many devices per message; a page would split them. */
#define XDP_FEATURES_BUF (32 * 1024)

struct xdp_dump {
	int (*fn)(void *ctx, const struct xdp_dev_features *d);
	void *ctx;
	int stop;		/* non-zero value fn returned */
	uint16_t family;	/* filled by the family lookup */
	uint32_t mgmt_group;	/* the "mgmt" multicast group, 0 if none */
};

const char *xdp_feature_name(enum xdp_feature bit)
{
	switch (bit) {
	case XDP_FEATURE_BASIC:
		return "basic";
	case XDP_FEATURE_REDIRECT:
		return "redirect";
	case XDP_FEATURE_NDO_XMIT:
		return "ndo-xmit";
	case XDP_FEATURE_XSK_ZEROCOPY:
		return "xsk-zerocopy";
	case XDP_FEATURE_HW_OFFLOAD:
		return "hw-offload";
	case XDP_FEATURE_RX_SG:
		return "rx-sg";
	case XDP_FEATURE_NDO_XMIT_SG:
		return "ndo-xmit-sg";
	default:
		return NULL;
	}
}

static int xdp_group_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME || type == CTRL_ATTR_MCAST_GRP_ID)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int xdp_family_attr(const struct nlattr *attr, void *data)
{
	struct xdp_dump *d = data;
	struct nlattr *grp;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		d->family = mnl_attr_get_u16(attr);
	if (mnl_attr_get_type(attr) != CTRL_ATTR_MCAST_GROUPS)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, attr) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

		mnl_attr_parse_nested(grp, xdp_group_attr, tb);
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]), NETDEV_MCGRP_MGMT) == 0)
			d->mgmt_group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

static int xdp_family_msg(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), xdp_family_attr, data);
}

static int xdp_dev_attr(const struct nlattr *attr, void *data)
{
	struct xdp_dev_features *f = data;

	switch (mnl_attr_get_type(attr)) {
	case NETDEV_A_DEV_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			f->ifindex = mnl_attr_get_u32(attr);
		break;
	case NETDEV_A_DEV_XDP_FEATURES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			f->features = mnl_attr_get_u64(attr);
		break;
	case NETDEV_A_DEV_XDP_ZC_MAX_SEGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			f->zc_max_segs = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int xdp_dev_msg(const struct nlmsghdr *nlh, void *data)
{
	struct xdp_dump *d = data;
	struct xdp_dev_features f = { 0 };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), xdp_dev_attr, &f) < 0)
		return MNL_CB_ERROR;
	if (!f.ifindex)
		return MNL_CB_OK;
	d->stop = d->fn(d->ctx, &f);
	return d->stop ? MNL_CB_STOP : MNL_CB_OK;
}

/* Sends one request and runs cb over every reply until the ack or the dump's end. */
static int xdp_request(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	char *buf;
	int err = 0, n;

	buf = malloc(XDP_FEATURES_BUF);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, XDP_FEATURES_BUF);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		n = mnl_cb_run(buf, n, seq, portid, cb, data);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == MNL_CB_STOP)
			break;
	}
out:
	free(buf);
	return err;
}

/* buf holds MNL_SOCKET_BUFFER_SIZE bytes; zeroed so that padding sent is not garbage. */
static struct nlmsghdr *xdp_genl_msg(char *buf, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = time(NULL);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = NETDEV_FAMILY_VERSION;
	return nlh;
}

int xdp_features__dump(int (*fn)(void *ctx, const struct xdp_dev_features *d), void *ctx)
{
	/* The kernel answers at once; the timeout only bounds a kernel that would not. */
	const struct timeval timeout = { .tv_sec = 2 };
	struct xdp_dump d = { .fn = fn, .ctx = ctx };
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int err;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) < 0) {
		err = -errno;
		goto out;
	}

	nlh = xdp_genl_msg(req, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME);
	err = xdp_request(nl, nlh, xdp_family_msg, &d);
	if (err)
		goto out;
	if (!d.family) {
		err = -ENOENT;
		goto out;
	}

	nlh = xdp_genl_msg(req, d.family, NLM_F_DUMP, NETDEV_CMD_DEV_GET);
	err = xdp_request(nl, nlh, xdp_dev_msg, &d);
	if (!err)
		err = d.stop;
out:
	mnl_socket_close(nl);
	return err;
}

int xdp_features__subscribe(void)
{
	const struct timeval timeout = { .tv_sec = 2 };
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct xdp_dump d = { 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int fd, err;

	nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	fd = mnl_socket_get_fd(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	/* The family lookup is a request: blocking (bounded) just for it. */
	if (fcntl(fd, F_SETFL, 0) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0) {
		err = -errno;
		goto fail;
	}
	nlh = xdp_genl_msg(req, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME);
	err = xdp_request(nl, nlh, xdp_family_msg, &d);
	if (!err && !d.mgmt_group)
		err = -ENOENT;
	if (!err && (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &d.mgmt_group,
					   sizeof(d.mgmt_group)) < 0 ||
		     fcntl(fd, F_SETFL, O_NONBLOCK) < 0))
		err = -errno;
	if (err)
		goto fail;
	/* The fd outlives the mnl handle: closing it is the caller's. */
	fd = dup(fd);
	err = fd < 0 ? -errno : fd;
fail:
	mnl_socket_close(nl);
	return err;
}

bool xdp_features__drain(int fd)
{
	char buf[XDP_FEATURES_BUF];
	bool any = false;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		any = true;
	return any;
}
