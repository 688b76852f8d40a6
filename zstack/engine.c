// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zstack/engine.h"

int engine__init(struct engine *e, uint32_t id, struct frame_pool *pool,
		 const struct engine_io_ops *io, void *io_ctx)
{
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->pool = pool;
	e->io = io;
	e->io_ctx = io_ctx;
	e->frame_shift = (uint32_t)__builtin_ctz(frame_pool__frame_size(pool));
	e->nr_frames = (uint32_t)(frame_pool__area_size(pool) >> e->frame_shift);
	/* A frame is in flight at most once (engine__output): nr_frames bounds the ring. */
	e->fifo = calloc(e->nr_frames, sizeof(*e->fifo));
	e->in_flight = calloc(e->nr_frames, sizeof(*e->in_flight));
	e->rx = calloc(e->nr_frames, sizeof(*e->rx));
	if (!e->fifo || !e->in_flight || !e->rx) {
		engine__fini(e);
		return -ENOMEM;
	}
	return 0;
}

void engine__fini(struct engine *e)
{
	for (uint32_t i = 0; e->in_flight && i < e->ntxq; i++)
		frame_pool__put(e->pool, e->txq[i].addr);
	e->ntxq = 0;
	free(e->fifo);
	free(e->in_flight);
	free(e->rx);
	e->fifo = NULL;
	e->in_flight = NULL;
	e->rx = NULL;
}

uint32_t engine__rx(struct engine *e, struct xsk_frame *frames, uint32_t max)
{
	uint32_t n = e->io->rx(e->io_ctx, frames, max);

	e->stats.rx_frames += n;
	return n;
}

/* Takes the caller's reference of the frame at addr; in flight from here on. */
static void queue_frame(struct engine *e, uint64_t addr, uint32_t len)
{
	if (e->ntxq == ENGINE_TXQ)
		engine__flush(e);
	if (e->ntxq == ENGINE_TXQ) {
		e->stats.tx_dropped++;
		frame_pool__put(e->pool, addr);
		return;
	}
	e->in_flight[engine__frame(e, addr)]++;
	e->txq[e->ntxq++] = (struct xsk_frame){ .addr = addr, .len = len };
}

void engine__output(struct engine *e, const struct wire_path *path, const struct tcp_seg_out *seg)
{
	uint32_t hlen = wire_hdr_len(path, seg);
	uint64_t addr;
	uint8_t *hdr;

	if (seg->nr_iov == 1 && seg->iov[0].data == frame_pool__ptr(e->pool,
			engine_cookie_addr(seg->iov[0].cookie))) {
		addr = frame_pool__addr(e->pool, seg->iov[0].data);
		if (frame_pool__room_before(e->pool, addr) >= hlen &&
		    !e->in_flight[engine__frame(e, addr)]) {
			/* The core keeps its reference until the ACK; the TX ring gets its own. */
			frame_pool__get(e->pool, addr);
			addr -= hlen;
			wire_build(frame_pool__ptr(e->pool, addr), path, seg, e->ip_id++);
			queue_frame(e, addr, hlen + seg->len);
			return;
		}
	}
	if (frame_pool__alloc(e->pool, &addr)) {
		e->stats.tx_dropped++;
		return;
	}
	hdr = frame_pool__ptr(e->pool, addr);
	wire_build(hdr, path, seg, e->ip_id++);
	e->stats.tx_copies += wire_copy_payload(hdr + hlen, seg);
	queue_frame(e, addr, hlen + seg->len);
}

void engine__flush(struct engine *e)
{
	uint32_t sent = 0;

	while (sent < e->ntxq) {
		uint32_t want = e->ntxq - sent, n;

		if (want > ENGINE_BATCH)
			want = ENGINE_BATCH;
		n = e->io->tx(e->io_ctx, e->txq + sent, want);
		for (uint32_t i = 0; i < n; i++)
			e->fifo[(e->fifo_head + e->fifo_len++) % e->nr_frames] = e->txq[sent + i].addr;
		sent += n;
		e->stats.tx_frames += n;
		if (n < want)
			break;
	}
	e->tx_progress |= sent > 0;
	memmove(e->txq, e->txq + sent, (e->ntxq - sent) * sizeof(e->txq[0]));
	e->ntxq -= sent;
}

void engine__reap(struct engine *e)
{
	int n;

	if (!e->fifo_len)
		return;
	n = e->io->reap(e->io_ctx);
	e->tx_progress = n > 0;
	if (n < 0) {
		e->stats.io_errors++;
		return;
	}
	for (; n > 0 && e->fifo_len; n--) {
		e->in_flight[engine__frame(e, e->fifo[e->fifo_head])]--;
		e->fifo_head = (e->fifo_head + 1) % e->nr_frames;
		e->fifo_len--;
	}
}
