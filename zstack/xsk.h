/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One AF_XDP socket bound to one queue of one interface, with the frame pool's
 * area as its UMEM. It loads no XDP program: whoever owns the interface's XDP
 * path (the daemon's xsk_steer module, or a test) puts xsk__fd into an XSKMAP
 * at xsk__queue. Zero-copy is tried first, then copy mode; xsk__mode says
 * which the device took. Rings use need_wakeup: the kernel is woken by a
 * syscall only when it asks to be.
 *
 * Frame references move with the frames: the socket holds one for every frame
 * it lends the kernel (fill ring, TX ring); xsk__rx passes the reference of a
 * received frame to the caller; xsk__tx takes the caller's reference of a
 * queued frame and drops it when the kernel completes the send.
 */
#ifndef ZSTACK_XSK_H
#define ZSTACK_XSK_H

#include <stdbool.h>
#include <stdint.h>

#include "zstack/frame.h"

#define XSK_RING_SIZE_DEFAULT 1024

enum xsk_mode {
	XSK_MODE_COPY,
	XSK_MODE_ZEROCOPY,
};

struct xsk_opts {
	const char *ifname;
	uint32_t queue;
	uint32_t ring_size;  /* every ring; a power of two; 0: the default */
	/* Frames kept in the fill ring; 0: ring_size. At most half the pool. */
	uint32_t fill_target;
	bool force_copy;     /* skip the zero-copy attempt */
};

/* A frame on a ring: where the packet starts in the UMEM and its length. */
struct xsk_frame {
	uint64_t addr;
	uint32_t len;
};

struct xsk_stats {
	uint64_t rx;		   /* frames received */
	uint64_t tx;		   /* frames the kernel completed sending */
	uint64_t rx_dropped;	   /* kernel: dropped for other reasons */
	uint64_t rx_ring_full;	   /* kernel: dropped, our RX ring was full */
	uint64_t rx_fill_empty;	   /* kernel: a frame arrived with the fill ring empty */
	uint64_t rx_invalid;	   /* kernel: bad fill descriptors */
	uint64_t tx_invalid;	   /* kernel: bad TX descriptors */
	uint64_t fill_starved;	   /* refills the pool could not cover */
	uint64_t tx_ring_full;	   /* frames xsk__tx could not queue */
	uint64_t rx_wakeups;	   /* syscalls the fill ring asked for */
	uint64_t tx_wakeups;	   /* syscalls the TX ring asked for */
};

struct xsk;

int xsk__open(struct xsk **out, struct frame_pool *pool, const struct xsk_opts *opts);
/* Closes the socket and returns every frame the kernel still held to the pool. */
void xsk__close(struct xsk *x);

int xsk__fd(const struct xsk *x);
uint32_t xsk__queue(const struct xsk *x);
int xsk__ifindex(const struct xsk *x);
enum xsk_mode xsk__mode(const struct xsk *x);
const char *xsk_mode_name(enum xsk_mode mode);

/* Takes up to max received frames, then tops the fill ring up. */
uint32_t xsk__rx(struct xsk *x, struct xsk_frame *frames, uint32_t max);
/*
 * Queues up to n frames for sending and wakes the kernel if it asks; returns
 * how many were queued (the ring may be full). The rest stay the caller's.
 */
uint32_t xsk__tx(struct xsk *x, const struct xsk_frame *frames, uint32_t n);
/*
 * Returns completed TX frames to the pool and wakes the kernel again while
 * sends are pending (copy mode sends a bounded batch per wakeup). Returns how
 * many completed, or a negative errno if the wakeup failed for good.
 */
int xsk__reap(struct xsk *x);
/* Sends still queued or in flight. */
uint32_t xsk__tx_pending(const struct xsk *x);
int xsk__stats(const struct xsk *x, struct xsk_stats *st);

#endif
