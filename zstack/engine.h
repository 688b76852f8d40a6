/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One queue's engine: its UMEM frame pool, its AF_XDP socket behind a small
 * I/O interface (the real xsk, or a test's fake wire), and the two batches
 * that cross it. Received frames come out of engine__rx by the batch; segments
 * the TCP core emits are turned into frames by engine__output and sent by
 * engine__flush, one ring submission (and at most one wakeup) per batch.
 *
 * A segment whose payload starts a send buffer (a frame allocated with
 * headroom) gets its headers written in place in front of the payload; any
 * other segment is built in a fresh frame. A frame still on its way out
 * (submitted, not yet completed) never gets headers written over it: the
 * engine knows which frames are in flight because completions come back in
 * submission order. That same rule keeps apart the headers of connections
 * sending one shared frame (zs_write_ref): the second sender while the first
 * is on the ring gets a fresh frame.
 */
#ifndef ZSTACK_ENGINE_H
#define ZSTACK_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "zstack/frame.h"
#include "zstack/wire.h"
#include "zstack/xsk.h"

/* Frames taken off the RX ring, and queued for the TX ring, at once. */
#define ENGINE_BATCH 64
/* Frames waiting for room on the TX ring; beyond that a segment is dropped
 * and TCP's retransmission recovers it, as with a full NIC queue. */
#define ENGINE_TXQ 512

/* A queue's AF_XDP socket as the engine uses it; xsk.h's semantics. */
struct engine_io_ops {
	uint32_t (*rx)(void *io, struct xsk_frame *frames, uint32_t max);
	uint32_t (*tx)(void *io, const struct xsk_frame *frames, uint32_t n);
	/* Completed sends (their frames already back in the pool), or -errno. */
	int (*reap)(void *io);
	/* Pollable: readable when frames wait on the RX ring. */
	int (*fd)(void *io);
};

struct engine_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t tx_dropped;	/* no frame or no room to send a segment */
	uint64_t tx_copies;	/* payload bytes copied into a fresh frame */
	uint64_t io_errors;
	struct wire_stats wire;
};

/* The socket a received chunk went to and its length, for zs_buf_free. */
struct engine_rxbuf {
	void *owner;
	uint32_t len;
};

struct engine {
	uint32_t id;
	struct frame_pool *pool;
	const struct engine_io_ops *io;
	void *io_ctx;
	uint32_t frame_shift;
	uint32_t nr_frames;
	uint16_t ip_id;
	bool tx_progress;   /* the last flush or reap moved frames */
	struct xsk_frame txq[ENGINE_TXQ];
	uint32_t ntxq;
	/* Frames submitted and not yet completed, oldest first (a ring). */
	uint64_t *fifo;
	uint32_t fifo_head, fifo_len;
	uint8_t *in_flight; /* per frame: submissions not yet completed */
	struct engine_rxbuf *rx; /* per frame: a received payload handed to the application */
	struct engine_stats stats;
};

int engine__init(struct engine *e, uint32_t id, struct frame_pool *pool,
		 const struct engine_io_ops *io, void *io_ctx);
void engine__fini(struct engine *e);

static inline uint32_t engine__frame(const struct engine *e, uint64_t addr)
{
	return (uint32_t)(addr >> e->frame_shift);
}

uint32_t engine__rx(struct engine *e, struct xsk_frame *frames, uint32_t max);
/*
 * Buffers are named by cookies: the engine's id in the top bits, the UMEM
 * address of where the buffer's bytes start below.
 */
#define ENGINE_COOKIE_SHIFT 48

static inline uint64_t engine__cookie(const struct engine *e, uint64_t addr)
{
	return (uint64_t)e->id << ENGINE_COOKIE_SHIFT | addr;
}

static inline uint64_t engine_cookie_addr(uint64_t cookie)
{
	return cookie & ((1ULL << ENGINE_COOKIE_SHIFT) - 1);
}

static inline uint32_t engine_cookie_id(uint64_t cookie)
{
	return (uint32_t)(cookie >> ENGINE_COOKIE_SHIFT);
}

/* Builds seg for path and queues it; the payload's buffers stay the core's. */
void engine__output(struct engine *e, const struct wire_path *path, const struct tcp_seg_out *seg);
/* Submits queued frames to the TX ring. */
void engine__flush(struct engine *e);
/* Takes completed sends back; wakes the kernel for sends still pending. */
void engine__reap(struct engine *e);

#endif
