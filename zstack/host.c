// SPDX-License-Identifier: GPL-2.0
/*
 * zs_open: a stack on a real interface. Its queues are AF_XDP sockets, each
 * with a UMEM of its own; ports, steering and the port namespace come from
 * the zstack-tna daemon (registry.h); routes and neighbours from the kernel
 * (kroute.h), routes and neighbours cached for a moment so a burst of
 * connects or accepts asks once.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/kroute.h"
#include "zstack/registry.h"
#include "zstack/stack.h"

#define HOST_FRAMES_DEFAULT 8192
#define NEIGH_CACHE 16
/* A cached neighbour is trusted this long; the kernel's own entry ages as usual. */
#define NEIGH_TTL_NS (1000000000ULL)
/* Every accepted connection asks for the route back to its peer: a burst of
 * SYNs from one peer asks the kernel once. A route change is seen this late. */
#define ROUTE_CACHE 16
#define ROUTE_TTL_NS (1000000000ULL)

struct neigh_entry {
	struct tcp_addr addr;
	uint8_t mac[WIRE_MAC_LEN];
	uint64_t until;
};

struct route_entry {
	struct tcp_addr dst;
	struct kroute_hop hop;
	int err;		/* the kernel's answer, kept like a route */
	uint64_t until;
};

struct reservation {
	struct tcp_addr addr;
	uint16_t port;
};

struct host {
	char ifname[IF_NAMESIZE];
	int ifindex;
	struct kroute *kr;
	struct zs_registry *reg;
	uint32_t nr_queues;
	struct frame_pool *pools[ZS_MAX_QUEUES];
	struct xsk *xsks[ZS_MAX_QUEUES];
	struct neigh_entry neigh[NEIGH_CACHE];
	uint32_t neigh_next;
	struct route_entry routes[ROUTE_CACHE];
	uint32_t route_next;
	struct reservation *res;
	size_t nres, res_cap;
};

static uint32_t io_rx(void *io, struct xsk_frame *frames, uint32_t max)
{
	return xsk__rx(io, frames, max);
}

static uint32_t io_tx(void *io, const struct xsk_frame *frames, uint32_t n)
{
	return xsk__tx(io, frames, n);
}

static int io_reap(void *io)
{
	return xsk__reap(io);
}

static int io_fd(void *io)
{
	return xsk__fd(io);
}

static const struct engine_io_ops xsk_io = {
	.rx = io_rx, .tx = io_tx, .reap = io_reap, .fd = io_fd,
};

static int remember(struct host *h, const struct tcp_addr *a, uint16_t port)
{
	if (h->nres == h->res_cap) {
		size_t cap = h->res_cap ? h->res_cap * 2 : 8;
		struct reservation *v = realloc(h->res, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->res = v;
		h->res_cap = cap;
	}
	h->res[h->nres++] = (struct reservation){ .addr = *a, .port = port };
	return 0;
}

static void ctl_release(void *ctl, const struct tcp_addr *addr, uint16_t port)
{
	static const uint8_t any[4];
	struct host *h = ctl;
	bool wild = !memcmp(addr->bytes, any, 4);

	for (size_t i = 0; i < h->nres;) {
		struct reservation *r = &h->res[i];

		if (r->port != port || (!wild && memcmp(r->addr.bytes, addr->bytes, 4))) {
			i++;
			continue;
		}
		/* The daemon also releases everything when this connection closes. */
		zs_registry__release(h->reg, AF_INET, r->addr.bytes, port, NULL, 0);
		*r = h->res[--h->nres];
	}
}

static int listen_one(struct host *h, const struct tcp_addr *a, uint16_t port, char *err,
		      size_t len)
{
	int ret = zs_registry__listen(h->reg, h->ifname, AF_INET, a->bytes, port, err, len);

	if (!ret)
		ret = remember(h, a, port);
	return ret;
}

/* The wildcard address: every IPv4 address the interface has now. */
static int ctl_listen(void *ctl, const struct tcp_addr *addr, uint16_t port, char *err,
		      size_t len)
{
	static const uint8_t any[4];
	struct host *h = ctl;
	struct ifaddrs *ifa, *i;
	int ret = 0, n = 0;

	if (memcmp(addr->bytes, any, 4))
		return listen_one(h, addr, port, err, len);
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !ret; i = i->ifa_next) {
		struct tcp_addr a = { .family = AF_INET };

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, h->ifname))
			continue;
		memcpy(a.bytes, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		ret = listen_one(h, &a, port, err, len);
		n++;
	}
	freeifaddrs(ifa);
	if (!ret && !n) {
		snprintf(err, len, "%s has no IPv4 address to listen on; add one (ip addr add)",
			 h->ifname);
		ret = -EADDRNOTAVAIL;
	}
	if (ret)
		ctl_release(h, addr, port);
	return ret;
}

static int ctl_connect(void *ctl, const struct tcp_addr *local, uint16_t *port, char *err,
		       size_t len)
{
	struct host *h = ctl;
	int ret = zs_registry__connect(h->reg, h->ifname, AF_INET, local->bytes, port, err, len);

	if (!ret && remember(h, local, *port)) {
		zs_registry__release(h->reg, AF_INET, local->bytes, *port, NULL, 0);
		ret = -ENOMEM;
	}
	return ret;
}

static int cached_route(struct host *h, const struct tcp_addr *dst, struct kroute_hop *hop)
{
	uint64_t now = zs_now();
	struct route_entry *r;

	for (int i = 0; i < ROUTE_CACHE; i++) {
		r = &h->routes[i];
		if (r->until > now && !memcmp(&r->dst, dst, sizeof(*dst))) {
			*hop = r->hop;
			return r->err;
		}
	}
	r = &h->routes[h->route_next++ % ROUTE_CACHE];
	r->err = kroute__route(h->kr, dst, &r->hop);
	r->dst = *dst;
	r->until = now + ROUTE_TTL_NS;
	*hop = r->hop;
	return r->err;
}

static int ctl_route(void *ctl, const struct tcp_addr *dst, struct tcp_addr *src,
		     struct tcp_addr *nexthop, char *err, size_t len)
{
	struct host *h = ctl;
	struct kroute_hop hop;
	char other[IF_NAMESIZE] = "?";
	int ret = cached_route(h, dst, &hop);

	if (ret) {
		snprintf(err, len, "the kernel has no route to that address (%s); check `ip route get`",
			 strerror(-ret));
		return ret;
	}
	if (hop.ifindex != h->ifindex) {
		if_indextoname((unsigned int)hop.ifindex, other);
		snprintf(err, len, "the kernel routes that address through %s, not %s; open the "
			 "stack on %s", other, h->ifname, other);
		return -ENETUNREACH;
	}
	if (hop.src.family != AF_INET || hop.nexthop.family != AF_INET) {
		snprintf(err, len, "the route through %s gives no IPv4 source address; add one "
			 "to %s", h->ifname, h->ifname);
		return -EADDRNOTAVAIL;
	}
	*src = hop.src;
	*nexthop = hop.nexthop;
	return 0;
}

static int ctl_neigh(void *ctl, const struct tcp_addr *nexthop, uint8_t mac[WIRE_MAC_LEN])
{
	struct host *h = ctl;
	uint64_t now = zs_now();
	struct neigh_entry *n;
	int ret;

	for (int i = 0; i < NEIGH_CACHE; i++) {
		n = &h->neigh[i];
		if (n->until > now && !memcmp(&n->addr, nexthop, sizeof(*nexthop))) {
			memcpy(mac, n->mac, WIRE_MAC_LEN);
			return 0;
		}
	}
	ret = kroute__neigh(h->kr, h->ifindex, nexthop, mac);
	if (ret)
		return ret;
	n = &h->neigh[h->neigh_next++ % NEIGH_CACHE];
	n->addr = *nexthop;
	memcpy(n->mac, mac, WIRE_MAC_LEN);
	n->until = now + NEIGH_TTL_NS;
	return 0;
}

static const struct zs_ctl_ops host_ctl = {
	.listen = ctl_listen,
	.connect = ctl_connect,
	.release = ctl_release,
	.route = ctl_route,
	.neigh = ctl_neigh,
};

static void host_free(void *owner)
{
	struct host *h = owner;

	/* Closing the registry connection ends the steering and frees the ports. */
	zs_registry__close(h->reg);
	for (uint32_t i = 0; i < h->nr_queues; i++) {
		xsk__close(h->xsks[i]);
		frame_pool__free(h->pools[i]);
	}
	kroute__close(h->kr);
	free(h->res);
	free(h);
}

/* Every RX queue of the interface, as sysfs lists them. */
static int count_rx_queues(const char *ifname, uint32_t *n)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	if (!dir)
		return -errno;
	*n = 0;
	while ((d = readdir(dir)))
		*n += !strncmp(d->d_name, "rx-", 3);
	closedir(dir);
	return *n ? 0 : -ENODEV;
}

static int open_queues(struct host *h, const struct zs_config *cfg, struct zs_env *env,
		       char *err, size_t len)
{
	struct frame_pool_opts po = {
		.nr_frames = cfg->frames ? cfg->frames : HOST_FRAMES_DEFAULT,
		.frame_size = cfg->frame_size,
	};
	uint32_t first = cfg->queue < 0 ? 0 : (uint32_t)cfg->queue;
	int ret = 0;

	if (cfg->queue < 0) {
		ret = count_rx_queues(h->ifname, &h->nr_queues);
		if (ret) {
			snprintf(err, len, "cannot count the RX queues of %s: %s", h->ifname,
				 strerror(-ret));
			return ret;
		}
	} else {
		h->nr_queues = 1;
	}
	if (h->nr_queues > ZS_MAX_QUEUES)
		h->nr_queues = ZS_MAX_QUEUES;
	for (uint32_t i = 0; i < h->nr_queues; i++) {
		struct xsk_opts xo = { .ifname = h->ifname, .queue = first + i,
				       .force_copy = cfg->force_copy };

		ret = frame_pool__new(&h->pools[i], &po);
		if (ret) {
			snprintf(err, len, "cannot allocate %u UMEM frames of %u bytes: %s",
				 po.nr_frames, po.frame_size ? po.frame_size : FRAME_SIZE_DEFAULT,
				 strerror(-ret));
			return ret;
		}
		ret = xsk__open(&h->xsks[i], h->pools[i], &xo);
		if (ret) {
			snprintf(err, len, "cannot open an AF_XDP socket on %s queue %u: %s%s",
				 h->ifname, first + i, strerror(-ret),
				 ret == -EBUSY ? " (another AF_XDP socket holds that queue)" : "");
			return ret;
		}
		ret = zs_registry__attach(h->reg, h->ifname, first + i, xsk__fd(h->xsks[i]), err,
					  len);
		if (ret)
			return ret;
		env->pools[i] = h->pools[i];
		env->io_ctx[i] = h->xsks[i];
		if (xsk__mode(h->xsks[i]) == XSK_MODE_COPY)
			env->mode = ZS_MODE_COPY;
	}
	env->nr_queues = h->nr_queues;
	return 0;
}

int zs_open(struct zs_stack **out, const struct zs_config *cfg)
{
	struct zs_env env = { .io = &xsk_io, .ctl = &host_ctl, .mode = ZS_MODE_ZEROCOPY };
	char err[ZS_ERR_LEN] = "";
	struct zs_stack *st;
	struct host *h;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	env.ctl_ctx = h;
	if (!cfg->ifname || strlen(cfg->ifname) >= IF_NAMESIZE ||
	    !(h->ifindex = (int)if_nametoindex(cfg->ifname))) {
		snprintf(err, sizeof(err), "no interface named %s (see ip link)",
			 cfg->ifname ? cfg->ifname : "(null)");
		ret = -ENODEV;
		goto out;
	}
	strcpy(h->ifname, cfg->ifname);
	ret = kroute__open(&h->kr);
	if (!ret)
		ret = kroute__link(h->kr, h->ifindex, env.mac, &env.mtu);
	if (ret) {
		snprintf(err, sizeof(err), "cannot read %s from the kernel: %s", h->ifname,
			 strerror(-ret));
		goto out;
	}
	ret = zs_registry__open(&h->reg, cfg->control,
				cfg->app_name ? cfg->app_name : program_invocation_short_name, err,
				sizeof(err));
	if (!ret)
		ret = open_queues(h, cfg, &env, err, sizeof(err));
	if (ret)
		goto out;
	ret = zs_stack__new(&st, &env);
	if (ret) {
		snprintf(err, sizeof(err), "cannot set the stack up: %s", strerror(-ret));
		goto out;
	}
	st->owner = h;
	st->owner_free = host_free;
	*out = st;
out:
	if (ret) {
		zs_open_err__set(err);
		host_free(h);
	}
	return ret;
}
