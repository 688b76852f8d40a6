// SPDX-License-Identifier: GPL-2.0
/*
 * Raw AF_XDP rather than libxdp's xsk helpers: binding must retry copy mode on
 * the same socket and UMEM after a zero-copy refusal, the socket must never
 * come with a default XDP program or XSKMAP of its own, and the rings are a
 * few lines of acquire/release arithmetic that are clearer here than behind
 * another library's version-dependent semantics.
 */
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zstack/xsk.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* One of the four rings; producer and consumer are shared with the kernel. */
struct ring {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;
	void *descs;
	uint32_t size;
	uint32_t mask;
	/* Our copies of both indices; the peer's is re-read only when needed. */
	uint32_t cached_prod;
	uint32_t cached_cons;
	void *map;
	size_t map_len;
};

struct xsk {
	int fd;
	int ifindex;
	uint32_t queue;
	enum xsk_mode mode;
	struct frame_pool *pool;
	uint32_t frame_shift;
	struct ring fill, comp, rx, tx;
	uint32_t fill_target;
	uint32_t tx_outstanding;
	/* References the kernel holds per frame, given back to the pool at close. */
	uint16_t *lent;
	struct xsk_stats st;
};

static int ring_map(struct ring *r, int fd, const struct xdp_ring_offset *off, uint32_t size,
		    size_t desc_size, off_t pgoff)
{
	uint8_t *map;

	r->map_len = off->desc + size * desc_size;
	map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		   pgoff);
	if (map == MAP_FAILED)
		return -errno;
	r->map = map;
	r->producer = (uint32_t *)(map + off->producer);
	r->consumer = (uint32_t *)(map + off->consumer);
	r->flags = (uint32_t *)(map + off->flags);
	r->descs = map + off->desc;
	r->size = size;
	r->mask = size - 1;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	return 0;
}

static void ring_unmap(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

/* Free slots on a ring we produce to, at most want. */
static uint32_t prod_reserve(struct ring *r, uint32_t want)
{
	uint32_t free = r->size - (r->cached_prod - r->cached_cons);

	if (free < want) {
		/* Acquire: the kernel is done reading the slots it consumed. */
		r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
		free = r->size - (r->cached_prod - r->cached_cons);
	}
	return free < want ? free : want;
}

static void prod_submit(struct ring *r, uint32_t n)
{
	r->cached_prod += n;
	/* Release: the descriptors are written before the kernel sees them. */
	__atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

/* Filled entries on a ring we consume from, at most want. */
static uint32_t cons_peek(struct ring *r, uint32_t want)
{
	uint32_t n = r->cached_prod - r->cached_cons;

	if (n < want) {
		r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		n = r->cached_prod - r->cached_cons;
	}
	return n < want ? n : want;
}

static void cons_release(struct ring *r, uint32_t n)
{
	r->cached_cons += n;
	__atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

static bool needs_wakeup(const struct ring *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP;
}

static uint32_t frame_of(const struct xsk *x, uint64_t addr)
{
	return (uint32_t)(addr >> x->frame_shift);
}

static void refill(struct xsk *x)
{
	struct ring *f = &x->fill;
	uint64_t *addrs = f->descs;
	uint32_t queued, want, n;
	uint64_t addr;

	f->cached_cons = __atomic_load_n(f->consumer, __ATOMIC_ACQUIRE);
	queued = f->cached_prod - f->cached_cons;
	if (queued >= x->fill_target)
		return;
	want = x->fill_target - queued;
	for (n = 0; n < want; n++) {
		if (frame_pool__alloc(x->pool, &addr)) {
			x->st.fill_starved++;
			break;
		}
		addrs[(f->cached_prod + n) & f->mask] = addr;
		x->lent[frame_of(x, addr)]++;
	}
	if (n)
		prod_submit(f, n);
}

uint32_t xsk__rx(struct xsk *x, struct xsk_frame *frames, uint32_t max)
{
	struct ring *r = &x->rx;
	const struct xdp_desc *descs = r->descs;
	uint32_t n = cons_peek(r, max);

	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = &descs[(r->cached_cons + i) & r->mask];

		frames[i].addr = d->addr;
		frames[i].len = d->len;
		x->lent[frame_of(x, d->addr)]--;
	}
	if (n)
		cons_release(r, n);
	x->st.rx += n;
	refill(x);
	/* Zero-copy drivers that ran dry of fill frames wait for this syscall. */
	if (needs_wakeup(&x->fill)) {
		x->st.rx_wakeups++;
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	}
	return n;
}

static int kick_tx(struct xsk *x)
{
	if (!needs_wakeup(&x->tx))
		return 0;
	x->st.tx_wakeups++;
	if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	/* Busy or out of buffers: the next kick retries what is still queued. */
	if (errno == EAGAIN || errno == EBUSY || errno == ENOBUFS || errno == ENETDOWN)
		return 0;
	return -errno;
}

uint32_t xsk__tx(struct xsk *x, const struct xsk_frame *frames, uint32_t n)
{
	struct ring *r = &x->tx;
	struct xdp_desc *descs = r->descs;
	uint32_t k = prod_reserve(r, n);

	for (uint32_t i = 0; i < k; i++) {
		struct xdp_desc *d = &descs[(r->cached_prod + i) & r->mask];

		d->addr = frames[i].addr;
		d->len = frames[i].len;
		d->options = 0;
		x->lent[frame_of(x, frames[i].addr)]++;
	}
	x->st.tx_ring_full += n - k;
	if (k) {
		prod_submit(r, k);
		x->tx_outstanding += k;
		kick_tx(x);
	}
	return k;
}

int xsk__reap(struct xsk *x)
{
	struct ring *c = &x->comp;
	const uint64_t *addrs = c->descs;
	uint32_t n;
	int err = 0;

	n = cons_peek(c, c->size);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = addrs[(c->cached_cons + i) & c->mask];

		x->lent[frame_of(x, addr)]--;
		frame_pool__put(x->pool, addr);
	}
	if (n)
		cons_release(c, n);
	x->tx_outstanding -= n;
	x->st.tx += n;
	/* Completions first: in copy mode the kick that queued them usually sent
	 * them all, and another syscall would find nothing to do. */
	if (x->tx_outstanding)
		err = kick_tx(x);
	return err ? err : (int)n;
}

uint32_t xsk__tx_pending(const struct xsk *x)
{
	return x->tx_outstanding;
}

int xsk__stats(const struct xsk *x, struct xsk_stats *st)
{
	struct xdp_statistics ks = { 0 };
	socklen_t len = sizeof(ks);

	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &ks, &len) < 0)
		return -errno;
	*st = x->st;
	st->rx_dropped = ks.rx_dropped;
	st->rx_ring_full = ks.rx_ring_full;
	st->rx_fill_empty = ks.rx_fill_ring_empty_descs;
	st->rx_invalid = ks.rx_invalid_descs;
	st->tx_invalid = ks.tx_invalid_descs;
	return 0;
}

static int setup_rings(struct xsk *x, uint32_t size)
{
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);
	int err;

	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &size, sizeof(size)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &size, sizeof(size)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &size, sizeof(size)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &size, sizeof(size)) < 0 ||
	    getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len) < 0)
		return -errno;
	err = ring_map(&x->fill, x->fd, &off.fr, size, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING);
	if (!err)
		err = ring_map(&x->comp, x->fd, &off.cr, size, sizeof(uint64_t),
			       XDP_UMEM_PGOFF_COMPLETION_RING);
	if (!err)
		err = ring_map(&x->rx, x->fd, &off.rx, size, sizeof(struct xdp_desc),
			       XDP_PGOFF_RX_RING);
	if (!err)
		err = ring_map(&x->tx, x->fd, &off.tx, size, sizeof(struct xdp_desc),
			       XDP_PGOFF_TX_RING);
	return err;
}

static int bind_queue(struct xsk *x, bool force_copy)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = (uint32_t)x->ifindex,
		.sxdp_queue_id = x->queue,
	};
	struct xdp_options xo = { 0 };
	socklen_t len = sizeof(xo);

	sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY;
	/* A refused zero-copy bind leaves the socket unbound, ready for copy mode. */
	if (force_copy || bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0) {
		sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
		if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0)
			return -errno;
	}
	if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &xo, &len) < 0)
		return -errno;
	x->mode = xo.flags & XDP_OPTIONS_ZEROCOPY ? XSK_MODE_ZEROCOPY : XSK_MODE_COPY;
	return 0;
}

static int register_umem(struct xsk *x)
{
	struct xdp_umem_reg reg = {
		.addr = (uintptr_t)frame_pool__area(x->pool),
		.len = frame_pool__area_size(x->pool),
		.chunk_size = frame_pool__frame_size(x->pool),
		/* The kernel already leaves XDP_PACKET_HEADROOM in front of received data. */
		.headroom = 0,
	};

	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0)
		return -errno;
	return 0;
}

int xsk__open(struct xsk **out, struct frame_pool *pool, const struct xsk_opts *opts)
{
	uint32_t nr_frames = (uint32_t)(frame_pool__area_size(pool) / frame_pool__frame_size(pool));
	uint32_t size = opts->ring_size ? opts->ring_size : XSK_RING_SIZE_DEFAULT;
	struct xsk *x;
	int err;

	if (size & (size - 1) || opts->fill_target > size)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->fd = -1;
	x->pool = pool;
	x->queue = opts->queue;
	x->frame_shift = (uint32_t)__builtin_ctz(frame_pool__frame_size(pool));
	x->fill_target = opts->fill_target ? opts->fill_target : size;
	/* Lending the kernel every frame would leave none to send with. */
	if (x->fill_target > nr_frames / 2)
		x->fill_target = nr_frames / 2;
	x->lent = calloc(nr_frames, sizeof(*x->lent));
	if (!x->lent) {
		err = -ENOMEM;
		goto out;
	}
	x->ifindex = (int)if_nametoindex(opts->ifname);
	if (!x->ifindex) {
		err = -errno;
		goto out;
	}
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		err = -errno;
		goto out;
	}
	err = register_umem(x);
	if (!err)
		err = setup_rings(x, size);
	if (err)
		goto out;
	refill(x);
	err = bind_queue(x, opts->force_copy);
out:
	if (err) {
		xsk__close(x);
		return err;
	}
	*out = x;
	return 0;
}

void xsk__close(struct xsk *x)
{
	uint32_t nr_frames;

	if (!x)
		return;
	/* Once the socket is released the kernel touches none of its frames. */
	if (x->fd >= 0)
		close(x->fd);
	ring_unmap(&x->fill);
	ring_unmap(&x->comp);
	ring_unmap(&x->rx);
	ring_unmap(&x->tx);
	nr_frames = (uint32_t)(frame_pool__area_size(x->pool) >> x->frame_shift);
	for (uint32_t i = 0; x->lent && i < nr_frames; i++)
		for (; x->lent[i]; x->lent[i]--)
			frame_pool__put(x->pool, (uint64_t)i << x->frame_shift);
	free(x->lent);
	free(x);
}

int xsk__fd(const struct xsk *x)
{
	return x->fd;
}

uint32_t xsk__queue(const struct xsk *x)
{
	return x->queue;
}

int xsk__ifindex(const struct xsk *x)
{
	return x->ifindex;
}

enum xsk_mode xsk__mode(const struct xsk *x)
{
	return x->mode;
}

const char *xsk_mode_name(enum xsk_mode mode)
{
	return mode == XSK_MODE_ZEROCOPY ? "zero-copy" : "copy";
}
