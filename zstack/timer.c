// SPDX-License-Identifier: GPL-2.0
/*
 * Connection timers in one binary min-heap of (deadline, socket). A socket's
 * deadline only ever gets an entry when it moves earlier than the one its
 * newest entry holds; an entry that fires early (the deadline moved later)
 * just re-arms, and an entry superseded by a newer one is dropped when it
 * surfaces. So a busy connection costs a heap push only when its earliest
 * timer moves earlier (a delayed ACK being armed), never per segment.
 */
#include <errno.h>
#include <stdlib.h>

#include "zstack/stack.h"

static void sift_up(struct zs_timer *h, uint32_t i)
{
	struct zs_timer x = h[i];

	while (i) {
		uint32_t p = (i - 1) / 2;

		if (h[p].at <= x.at)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

static void sift_down(struct zs_timer *h, uint32_t n, uint32_t i)
{
	struct zs_timer x = h[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1].at < h[c].at)
			c++;
		if (x.at <= h[c].at)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

void zs_timers__arm(struct zs_sock *s, uint64_t at)
{
	struct zs_stack *st = s->st;

	if (st->nheap == st->heap_cap) {
		uint32_t cap = st->heap_cap ? st->heap_cap * 2 : 256;
		struct zs_timer *h = realloc(st->heap, cap * sizeof(*h));

		/* Without memory the timer is lost; the next event on s arms it again. */
		if (!h)
			return;
		st->heap = h;
		st->heap_cap = cap;
	}
	st->heap[st->nheap] = (struct zs_timer){ .at = at, .s = s };
	sift_up(st->heap, st->nheap++);
	s->timer_at = at;
	s->refs++;
}

uint64_t zs_timers__next(const struct zs_stack *st)
{
	return st->nheap ? st->heap[0].at : UINT64_MAX;
}

/* A connect waiting for its next hop's MAC: send the SYN once the kernel has it. */
static void resolve(struct zs_sock *s)
{
	struct zs_stack *st = s->st;

	if (!st->ctl->neigh(st->ctl_ctx, &s->nexthop, s->path.dst_mac)) {
		s->resolving = false;
		tcp_conn__connect(s->conn, st->now);
		zs_sock__update(s);
		return;
	}
	if (st->now < s->resolve_until) {
		zs_timers__arm(s, st->now + ZS_RESOLVE_RETRY_NS);
		return;
	}
	s->resolving = false;
	s->err = -EHOSTUNREACH;
	zs_sock__ready(s, ZS_EV_ERROR | ZS_EV_CLOSED);
	zs_sock__finish(s);
}

void zs_timers__run(struct zs_stack *st)
{
	while (st->nheap && st->heap[0].at <= st->now) {
		struct zs_timer t = st->heap[0];
		struct zs_sock *s = t.s;

		st->heap[0] = st->heap[--st->nheap];
		if (st->nheap)
			sift_down(st->heap, st->nheap, 0);
		if (t.at == s->timer_at) {
			s->timer_at = UINT64_MAX;
			if (s->resolving) {
				resolve(s);
			} else if (s->conn) {
				if (tcp_conn__next_deadline(s->conn) <= st->now)
					tcp_conn__on_timer(s->conn, st->now);
				zs_sock__update(s);
			}
		}
		zs_sock__put(s);
	}
}
