/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame pool: one memory area cut into fixed-size frames, the area an
 * AF_XDP socket registers as its UMEM. A frame is named by its address, the
 * byte offset in the area as the kernel's descriptors name it; any address
 * inside a frame names that frame. Frames are reference counted so a received
 * payload can be handed out by pointer and released later, and a buffer the
 * application fills can sit in the TX ring and in a retransmission queue at
 * once, or in those of many connections (a prebuilt answer sent again and
 * again). A frame returns to the free list when its last reference goes.
 *
 * Buffers for sending start after a headroom, so Ethernet, IP and TCP headers
 * are written in place in front of the payload. Frames given to the kernel
 * for receive hold one reference, which passes to whoever takes the frame
 * off the RX ring.
 */
#ifndef ZSTACK_FRAME_H
#define ZSTACK_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE_DEFAULT 4096
/* Room for Ethernet, IPv6 and TCP headers with options, cache-line aligned. */
#define FRAME_HEADROOM_DEFAULT 256

struct frame_pool_opts {
	uint32_t nr_frames;
	uint32_t frame_size; /* a power of two from 2048 to the page size (UMEM rule) */
	uint32_t headroom;   /* where a TX buffer's payload starts in its frame */
};

struct frame_pool;

/* Zeroed fields take the defaults; -EINVAL for sizes a UMEM cannot use. */
int frame_pool__new(struct frame_pool **out, const struct frame_pool_opts *opts);
void frame_pool__free(struct frame_pool *p);

void *frame_pool__area(const struct frame_pool *p);
size_t frame_pool__area_size(const struct frame_pool *p);
uint32_t frame_pool__frame_size(const struct frame_pool *p);
uint32_t frame_pool__headroom(const struct frame_pool *p);
uint32_t frame_pool__nr_free(const struct frame_pool *p);

/* A free frame with one reference; its base address in *addr. -ENOBUFS if none. */
int frame_pool__alloc(struct frame_pool *p, uint64_t *addr);
void frame_pool__get(struct frame_pool *p, uint64_t addr);
void frame_pool__put(struct frame_pool *p, uint64_t addr);
uint32_t frame_pool__refs(const struct frame_pool *p, uint64_t addr);

/*
 * A TX buffer: a new frame's payload area, frame_size - headroom bytes long.
 * NULL if the pool is empty.
 */
uint8_t *frame_pool__alloc_buf(struct frame_pool *p);

static inline uint8_t *frame_pool__ptr(const struct frame_pool *p, uint64_t addr)
{
	return (uint8_t *)frame_pool__area(p) + addr;
}

/* The address of a pointer into the area. */
static inline uint64_t frame_pool__addr(const struct frame_pool *p, const void *ptr)
{
	return (uint64_t)((const uint8_t *)ptr - (const uint8_t *)frame_pool__area(p));
}

/* The base address of the frame holding addr. */
static inline uint64_t frame_pool__base(const struct frame_pool *p, uint64_t addr)
{
	return addr & ~(uint64_t)(frame_pool__frame_size(p) - 1);
}

/* Bytes between the frame's start and addr: how much a header may take. */
static inline uint32_t frame_pool__room_before(const struct frame_pool *p, uint64_t addr)
{
	return (uint32_t)(addr - frame_pool__base(p, addr));
}

#endif
