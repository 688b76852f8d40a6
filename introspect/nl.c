// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include "introspect/nl.h"

/*
 * A burst of a few thousand route or FDB changes must fit without overrun;
 * SO_RCVBUFFORCE lets root go past net.core.rmem_max.
 */
#define NL_RCVBUF_BYTES (8 << 20)
/* The kernel builds dump datagrams of at most 32 KiB; single events are smaller. */
#define NL_RECV_BYTES (64 << 10)
/* Datagrams handled per nlsock__read_events call before the caller polls again. */
#define NL_EVENT_BATCH 64
/* Datagrams dropped at most while discarding after an overrun. */
#define NL_DRAIN_MAX 65536
/* How long a request may wait for the kernel's next datagram. */
#define NL_REPLY_TIMEOUT_S 5

struct nlsock {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char buf[NL_RECV_BYTES];
};

static int nlsock__setup(struct nlsock *s, const unsigned int *groups, unsigned int n_groups)
{
	int fd = mnl_socket_get_fd(s->sock);
	int size = NL_RCVBUF_BYTES;
	struct timeval timeout = { .tv_sec = NL_REPLY_TIMEOUT_S };
	unsigned int i;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))
		return -errno;
	/* Bounds a request's wait; event reads use MSG_DONTWAIT and never wait. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)))
		return -errno;
	for (i = 0; i < n_groups; i++) {
		unsigned int group = groups[i];

		if (mnl_socket_setsockopt(s->sock, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)))
			return -errno;
	}
	return 0;
}

int nlsock__open(struct nlsock **out, int bus, const unsigned int *groups,
		 unsigned int n_groups)
{
	struct nlsock *s;
	int err = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->sock) {
		err = -errno;
		goto out;
	}
	if (mnl_socket_bind(s->sock, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto out;
	}
	s->portid = mnl_socket_get_portid(s->sock);
	err = nlsock__setup(s, groups, n_groups);
out:
	if (err) {
		nlsock__close(s);
		return err;
	}
	*out = s;
	return 0;
}

void nlsock__close(struct nlsock *s)
{
	if (!s)
		return;
	if (s->sock)
		mnl_socket_close(s->sock);
	free(s);
}

int nlsock__fd(const struct nlsock *s)
{
	return mnl_socket_get_fd(s->sock);
}

/* One datagram from the kernel into s->buf: its length or -errno. */
static ssize_t nlsock__recv(struct nlsock *s, int flags)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = s->buf, .iov_len = sizeof(s->buf) };
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		n = recvmsg(nlsock__fd(s), &msg, flags);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Only the kernel may speak for its multicast groups and replies. */
	if (from.nl_pid != 0)
		return 0;
	return n;
}

static int nl_reply_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	return e->error;
}

/* The error a dump's NLMSG_DONE carries, if the kernel put one there. */
static int nl_done_error(const struct nlmsghdr *nlh)
{
	int status;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(status))
		return 0;
	memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	return status < 0 ? status : 0;
}

int nlsock__request(struct nlsock *s, struct nlmsghdr *req, nl_msg_fn fn, void *ctx)
{
	uint32_t seq = ++s->seq;
	bool interrupted = false, done = false;
	int err = 0;

	req->nlmsg_flags |= NLM_F_REQUEST;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(s->sock, req, req->nlmsg_len) < 0)
		return -errno;

	while (!done) {
		const struct nlmsghdr *nlh;
		ssize_t n = nlsock__recv(s, 0);
		int len;

		if (n < 0)
			return n == -EAGAIN ? -ETIMEDOUT : (int)n;
		len = n;
		for (nlh = (const struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			/* Leftovers of an earlier, abandoned request are not ours. */
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != s->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (!err)
					err = nl_done_error(nlh);
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (!err)
					err = nl_reply_error(nlh);
				done = true;
				break;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE || err)
				continue;
			err = fn(nlh, ctx);
		}
	}
	if (!err && interrupted)
		err = -EINTR;
	return err;
}

int nlsock__dump(struct nlsock *s, uint16_t type, const void *hdr, size_t hdrlen,
		 nl_msg_fn fn, void *ctx)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct nlmsghdr *nlh;

	if (hdrlen > sizeof(buf) - MNL_NLMSG_HDRLEN)
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_DUMP;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
	return nlsock__request(s, nlh, fn, ctx);
}

static void nlsock__discard(struct nlsock *s)
{
	int i;

	for (i = 0; i < NL_DRAIN_MAX; i++) {
		ssize_t n = nlsock__recv(s, MSG_DONTWAIT);

		if (n == -EAGAIN)
			return;
	}
}

int nlsock__read_events(struct nlsock *s, nl_msg_fn fn, void *ctx)
{
	int i;

	for (i = 0; i < NL_EVENT_BATCH; i++) {
		const struct nlmsghdr *nlh;
		ssize_t n = nlsock__recv(s, MSG_DONTWAIT);
		int len, err;

		if (n == -EAGAIN)
			return 0;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			nlsock__discard(s);
			return -ENOBUFS;
		}
		if (n < 0)
			return n;
		len = n;
		for (nlh = (const struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			err = fn(nlh, ctx);
			if (err)
				return err;
		}
	}
	return 0;
}

struct nl_attr_table {
	const enum mnl_attr_data_type *policy;
	unsigned int max;
	const struct nlattr **tb;
};

static int nl_attr_store(const struct nlattr *attr, void *data)
{
	struct nl_attr_table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > t->max)
		return MNL_CB_OK;
	if (t->policy && t->policy[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, t->policy[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse_payload(const void *payload, size_t len, const enum mnl_attr_data_type *policy,
		     unsigned int max, const struct nlattr **tb)
{
	struct nl_attr_table t = { .policy = policy, .max = max, .tb = tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_payload(payload, len, nl_attr_store, &t) == MNL_CB_ERROR)
		return -EINVAL;
	return 0;
}

int nl_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
		   const enum mnl_attr_data_type *policy, unsigned int max,
		   const struct nlattr **tb)
{
	size_t offset = MNL_ALIGN(hdrlen);
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN || len < hdrlen)
		return -EINVAL;
	if (len <= offset)
		return 0;
	return nl_parse_payload(mnl_nlmsg_get_payload_offset(nlh, hdrlen), len - offset, policy,
				max, tb);
}

int nl_parse_nested(const struct nlattr *nest, const enum mnl_attr_data_type *policy,
		    unsigned int max, const struct nlattr **tb)
{
	return nl_parse_payload(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
				policy, max, tb);
}

int nl_attr_ip(const struct nlattr *attr, uint8_t family, struct tna_ip *out)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	memset(out, 0, sizeof(*out));
	if (!want || mnl_attr_get_payload_len(attr) != want)
		return -EINVAL;
	out->family = family;
	memcpy(out->bytes, mnl_attr_get_payload(attr), want);
	return 0;
}

void nl_attr_str(const struct nlattr *attr, char *dst, size_t size)
{
	size_t len = mnl_attr_get_payload_len(attr);
	const char *src = mnl_attr_get_payload(attr);

	if (len > size - 1)
		len = size - 1;
	len = strnlen(src, len);
	memcpy(dst, src, len);
	dst[len] = '\0';
}
