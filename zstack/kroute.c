// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "zstack/kroute.h"

/* One reply: a link's carries its statistics and can pass a page. */
#define KROUTE_BUF (16 * 1024)

struct kroute {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char buf[KROUTE_BUF];
};

int kroute__open(struct kroute **out)
{
	/* The kernel answers at once; the timeout only bounds one that would not. */
	const struct timeval timeout = { .tv_sec = 2 };
	struct kroute *k;
	int err = 0;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!k->nl) {
		err = -errno;
		goto out;
	}
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(k->nl), SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) < 0) {
		err = -errno;
		goto out;
	}
	k->portid = mnl_socket_get_portid(k->nl);
	k->seq = 1;
out:
	if (err) {
		kroute__close(k);
		return err;
	}
	*out = k;
	return 0;
}

void kroute__close(struct kroute *k)
{
	if (!k)
		return;
	if (k->nl)
		mnl_socket_close(k->nl);
	free(k);
}

static struct nlmsghdr *request(struct kroute *k, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(k->buf, 0, sizeof(k->buf));
	nlh = mnl_nlmsg_put_header(k->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = k->seq++;
	return nlh;
}

/* Sends the request in k->buf and runs cb on each reply until the kernel's ACK. */
static int call(struct kroute *k, mnl_cb_t cb, void *data)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)k->buf;
	uint32_t seq = nlh->nlmsg_seq;
	int n;

	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = (int)mnl_socket_recvfrom(k->nl, k->buf, sizeof(k->buf));
		if (n < 0)
			return -errno;
		n = mnl_cb_run(k->buf, (size_t)n, seq, k->portid, cb, data);
	} while (n == MNL_CB_OK);
	return n < 0 ? -errno : 0;
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

static void get_addr(struct tcp_addr *a, uint8_t family, const struct nlattr *attr)
{
	memset(a, 0, sizeof(*a));
	if (mnl_attr_get_payload_len(attr) != addr_len(family))
		return;
	a->family = family;
	memcpy(a->bytes, mnl_attr_get_payload(attr), addr_len(family));
}

/* An IPv4 route through an IPv6 gateway (RFC 5549) names it in an rtvia. */
static void get_via(struct tcp_addr *a, const struct nlattr *attr)
{
	const struct rtvia *via = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	memset(a, 0, sizeof(*a));
	if (len < sizeof(*via) || (via->rtvia_family != AF_INET && via->rtvia_family != AF_INET6) ||
	    len - sizeof(*via) != addr_len((uint8_t)via->rtvia_family))
		return;
	a->family = (uint8_t)via->rtvia_family;
	memcpy(a->bytes, via->rtvia_addr, addr_len(a->family));
}

struct route_reply {
	struct kroute_hop *hop;
	uint8_t type;
	bool found;
};

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_reply *r = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	r->found = true;
	r->type = rtm->rtm_type;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(attr)) {
		case RTA_OIF:
			r->hop->ifindex = (int)mnl_attr_get_u32(attr);
			break;
		case RTA_PREFSRC:
			get_addr(&r->hop->src, rtm->rtm_family, attr);
			break;
		case RTA_GATEWAY:
			get_addr(&r->hop->nexthop, rtm->rtm_family, attr);
			r->hop->via_gateway = true;
			break;
		case RTA_VIA:
			get_via(&r->hop->nexthop, attr);
			r->hop->via_gateway = true;
			break;
		}
	}
	return MNL_CB_OK;
}

int kroute__route(struct kroute *k, const struct tcp_addr *dst, struct kroute_hop *hop)
{
	struct route_reply reply = { .hop = hop };
	struct nlmsghdr *nlh = request(k, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int err;

	memset(hop, 0, sizeof(*hop));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (uint8_t)(addr_len(dst->family) * 8);
	mnl_attr_put(nlh, RTA_DST, addr_len(dst->family), dst->bytes);
	err = call(k, on_route, &reply);
	if (err)
		return err;
	if (!reply.found)
		return -ENETUNREACH;
	/* Local, broadcast and multicast destinations never leave through a NIC queue. */
	if (reply.type != RTN_UNICAST || !hop->ifindex)
		return -EHOSTUNREACH;
	if (!hop->via_gateway)
		hop->nexthop = *dst;
	return 0;
}

struct neigh_reply {
	uint8_t *mac;
	uint16_t state;
	bool has_mac;
};

static int on_neigh(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_reply *r = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	r->state = ndm->ndm_state;
	mnl_attr_for_each(attr, nlh, sizeof(*ndm)) {
		if (mnl_attr_get_type(attr) == NDA_LLADDR &&
		    mnl_attr_get_payload_len(attr) == KROUTE_MAC_LEN) {
			memcpy(r->mac, mnl_attr_get_payload(attr), KROUTE_MAC_LEN);
			r->has_mac = true;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *neigh_request(struct kroute *k, uint16_t type, uint16_t flags,
				      int ifindex, const struct tcp_addr *addr, uint8_t ndm_flags)
{
	struct nlmsghdr *nlh = request(k, type, flags);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = addr->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = ndm_flags;
	mnl_attr_put(nlh, NDA_DST, addr_len(addr->family), addr->bytes);
	return nlh;
}

/* What the kernel does before sending to a neighbour: resolve or revalidate it. */
static int neigh_use(struct kroute *k, int ifindex, const struct tcp_addr *addr)
{
	neigh_request(k, RTM_NEWNEIGH, NLM_F_CREATE, ifindex, addr, NTF_USE);
	return call(k, NULL, NULL);
}

int kroute__neigh(struct kroute *k, int ifindex, const struct tcp_addr *addr,
		  uint8_t mac[KROUTE_MAC_LEN])
{
	struct neigh_reply reply = { .mac = mac };
	int err;

	neigh_request(k, RTM_GETNEIGH, 0, ifindex, addr, 0);
	err = call(k, on_neigh, &reply);
	if (err && err != -ENOENT)
		return err;
	if (!err && reply.has_mac &&
	    (reply.state & (NUD_REACHABLE | NUD_PERMANENT | NUD_NOARP | NUD_DELAY | NUD_PROBE)))
		return 0;
	/*
	 * A stale entry is still used, as the kernel would use it, but the kernel
	 * only revalidates what it sees used: tell it.
	 */
	if (!err && reply.has_mac && (reply.state & NUD_STALE))
		return neigh_use(k, ifindex, addr);
	if (!err && (reply.state & NUD_INCOMPLETE))
		return -EAGAIN;
	err = neigh_use(k, ifindex, addr);
	return err ? err : -EAGAIN;
}

struct link_reply {
	uint8_t *mac;
	uint32_t *mtu;
	bool has_mac;
};

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	struct link_reply *r = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(attr) != KROUTE_MAC_LEN)
				break;
			memcpy(r->mac, mnl_attr_get_payload(attr), KROUTE_MAC_LEN);
			r->has_mac = true;
			break;
		case IFLA_MTU:
			*r->mtu = mnl_attr_get_u32(attr);
			break;
		}
	}
	return MNL_CB_OK;
}

int kroute__link(struct kroute *k, int ifindex, uint8_t mac[KROUTE_MAC_LEN], uint32_t *mtu)
{
	struct link_reply reply = { .mac = mac, .mtu = mtu };
	struct nlmsghdr *nlh = request(k, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int err;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	err = call(k, on_link, &reply);
	if (err)
		return err;
	/* Only Ethernet-like links carry the frames wire.c builds. */
	return reply.has_mac ? 0 : -EOPNOTSUPP;
}
