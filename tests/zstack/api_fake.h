/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two zstack stacks joined by a fake AF_XDP wire, for the API tests: what one
 * transmits is copied (as a NIC's DMA would) into a frame of the other's UMEM
 * and shows up on its RX ring; completions come back at the next reap, as in
 * copy mode. The control side (ports, routes, neighbours) is a fake daemon
 * and kernel that count what they were asked. A frame that leaks shows up as
 * a pool that does not return to full.
 */
#ifndef TESTS_ZSTACK_API_FAKE_H
#define TESTS_ZSTACK_API_FAKE_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/stack.h"

#define FAKE_RING 1024
#define FAKE_FRAMES 2048
#define FAKE_RX_OFFSET 256 /* XDP_PACKET_HEADROOM: where a received packet starts */

struct fake_side {
	struct frame_pool *pool;
	struct fake_side *peer;
	struct xsk_frame rxq[FAKE_RING];
	uint32_t rx_head, rx_len;
	uint64_t done[FAKE_RING];
	uint32_t ndone;
	/* Control fakes. */
	struct tcp_addr addr;
	uint8_t mac[WIRE_MAC_LEN];
	uint16_t next_port;
	int listens, releases, neigh_eagain;
	/* The kernel's route back to the peer: through this gateway, if set. */
	struct tcp_addr gateway;
	uint8_t gateway_mac[WIRE_MAC_LEN];
	uint8_t last_dst_mac[WIRE_MAC_LEN]; /* of the last frame sent */
	uint64_t drop_every; /* drop every Nth frame sent (0: none) */
	uint64_t sent;
};

static uint32_t fake_rx(void *io, struct xsk_frame *frames, uint32_t max)
{
	struct fake_side *f = io;
	uint32_t n = 0;

	for (; n < max && f->rx_len; n++, f->rx_len--) {
		frames[n] = f->rxq[f->rx_head];
		f->rx_head = (f->rx_head + 1) % FAKE_RING;
	}
	return n;
}

static uint32_t fake_tx(void *io, const struct xsk_frame *frames, uint32_t n)
{
	struct fake_side *f = io, *p = f->peer;
	uint32_t i;

	for (i = 0; i < n && f->ndone < FAKE_RING; i++) {
		uint64_t addr;

		f->done[f->ndone++] = frames[i].addr;
		memcpy(f->last_dst_mac, frame_pool__ptr(f->pool, frames[i].addr), WIRE_MAC_LEN);
		if (f->drop_every && ++f->sent % f->drop_every == 0)
			continue;
		if (p->rx_len == FAKE_RING || frame_pool__alloc(p->pool, &addr))
			continue;
		addr += FAKE_RX_OFFSET;
		memcpy(frame_pool__ptr(p->pool, addr), frame_pool__ptr(f->pool, frames[i].addr),
		       frames[i].len);
		p->rxq[(p->rx_head + p->rx_len++) % FAKE_RING] =
			(struct xsk_frame){ .addr = addr, .len = frames[i].len };
	}
	return i;
}

static int fake_reap(void *io)
{
	struct fake_side *f = io;
	int n = (int)f->ndone;

	for (uint32_t i = 0; i < f->ndone; i++)
		frame_pool__put(f->pool, f->done[i]);
	f->ndone = 0;
	return n;
}

static int fake_fd(void *io)
{
	(void)io;
	return -1;
}

static const struct engine_io_ops fake_io = {
	.rx = fake_rx, .tx = fake_tx, .reap = fake_reap, .fd = fake_fd,
};

static int fake_listen(void *ctl, const struct tcp_addr *addr, uint16_t port, char *err,
		       size_t len)
{
	struct fake_side *f = ctl;

	(void)addr;
	if (port == 22) {
		snprintf(err, len, "port 22 is held by a kernel socket; choose another port");
		return -EADDRINUSE;
	}
	f->listens++;
	return 0;
}

static int fake_connect(void *ctl, const struct tcp_addr *local, uint16_t *port, char *err,
			size_t len)
{
	struct fake_side *f = ctl;

	(void)local;
	(void)err;
	(void)len;
	*port = f->next_port++;
	return 0;
}

static void fake_release(void *ctl, const struct tcp_addr *addr, uint16_t port)
{
	struct fake_side *f = ctl;

	(void)addr;
	(void)port;
	f->releases++;
}

static int fake_route(void *ctl, const struct tcp_addr *dst, struct tcp_addr *src,
		      struct tcp_addr *nexthop, char *err, size_t len)
{
	struct fake_side *f = ctl;

	(void)err;
	(void)len;
	*src = f->addr;
	*nexthop = f->gateway.family ? f->gateway : *dst;
	return 0;
}

static int fake_neigh(void *ctl, const struct tcp_addr *nexthop, uint8_t mac[WIRE_MAC_LEN])
{
	struct fake_side *f = ctl;

	if (f->neigh_eagain > 0) {
		f->neigh_eagain--;
		return -EAGAIN;
	}
	if (f->gateway.family && !memcmp(nexthop, &f->gateway, sizeof(*nexthop)))
		memcpy(mac, f->gateway_mac, WIRE_MAC_LEN);
	else
		memcpy(mac, f->peer->mac, WIRE_MAC_LEN);
	return 0;
}

static const struct zs_ctl_ops fake_ctl = {
	.listen = fake_listen, .connect = fake_connect, .release = fake_release,
	.route = fake_route, .neigh = fake_neigh,
};

/* Side i (0 or 1) gets 10.9.0.(i+1) and MAC 02:00:00:00:00:(i+1). */
static int fake_side_open(struct fake_side *f, int i, struct zs_stack **st)
{
	struct frame_pool_opts po = { .nr_frames = FAKE_FRAMES };
	struct zs_env env = { .nr_queues = 1, .io = &fake_io, .ctl = &fake_ctl,
			      .ctl_ctx = f, .mtu = 1500, .mode = ZS_MODE_COPY };
	int err = frame_pool__new(&f->pool, &po);

	if (err)
		return err;
	f->addr.family = AF_INET;
	f->addr.bytes[0] = 10;
	f->addr.bytes[1] = 9;
	f->addr.bytes[3] = (uint8_t)(i + 1);
	f->mac[0] = 2;
	f->mac[5] = (uint8_t)(i + 1);
	f->next_port = 40000;
	memcpy(env.mac, f->mac, WIRE_MAC_LEN);
	env.pools[0] = f->pool;
	env.io_ctx[0] = f;
	return zs_stack__new(st, &env);
}

#endif
