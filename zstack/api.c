// SPDX-License-Identifier: GPL-2.0
/* The stack-wide calls of zstack.h: teardown, mode, errors, statistics. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zstack/stack.h"

static void close_all(struct zs_stack *st)
{
	/* Listeners first: they reset the connections nobody accepted. */
	while (st->nlisteners) {
		struct zs_sock *l = st->listeners[0];

		l->refs++;
		zs_abort(l);
		zs_sock__put(l);
	}
	for (uint32_t b = 0; b < st->nbuckets; b++) {
		while (st->buckets[b]) {
			struct zs_sock *s = st->buckets[b];

			s->refs++;
			s->resolving = false;
			s->app_closed = true;
			tcp_conn__abort(s->conn, st->now);
			tcp_conn__events(s->conn);
			zs_sock__finish(s);
			zs_sock__put(s);
		}
	}
	while (st->ready_head) {
		struct zs_sock *s = st->ready_head;

		st->ready_head = s->rnext;
		zs_sock__put(s);
	}
	while (st->starved) {
		struct zs_sock *s = st->starved;

		st->starved = s->snext;
		zs_sock__put(s);
	}
	while (st->nheap)
		zs_sock__put(st->heap[--st->nheap].s);
	/* What the application never closed, and what its unfreed buffers pin. */
	while (st->all)
		zs_sock__destroy(st->all);
}

void zs_stack_close(struct zs_stack *st)
{
	if (!st)
		return;
	st->now = zs_now();
	if (st->buckets)
		close_all(st);
	/* The RSTs go out before the sockets close. */
	for (uint32_t i = 0; i < st->nr_engines; i++)
		engine__flush(&st->engines[i]);
	for (uint32_t i = 0; i < st->nr_engines; i++)
		engine__fini(&st->engines[i]);
	if (st->epfd >= 0)
		close(st->epfd);
	if (st->timerfd >= 0)
		close(st->timerfd);
	free(st->buckets);
	free(st->listeners);
	free(st->heap);
	if (st->owner_free)
		st->owner_free(st->owner);
	free(st);
}

enum zs_xdp_mode zs_mode(const struct zs_stack *st)
{
	return st->mode;
}

static __thread char open_err[ZS_ERR_LEN];

void zs_open_err__set(const char *msg)
{
	snprintf(open_err, sizeof(open_err), "%s", msg);
}

const char *zs_strerror(const struct zs_stack *st)
{
	return st ? st->err : open_err;
}

void zs_stats(const struct zs_stack *st, struct zs_stats *out)
{
	*out = (struct zs_stats){
		.payload_copies = st->payload_copies,
		.connections = st->connections,
		.rx_dropped = st->rx_no_conn,
		.retransmits = st->retransmits,
	};
	for (const struct zs_sock *s = st->all; s; s = s->next) {
		struct tcp_conn_info info;

		if (!s->conn)
			continue;
		tcp_conn__info(s->conn, &info);
		out->retransmits += info.stats.retransmits;
	}
	for (uint32_t i = 0; i < st->nr_engines; i++) {
		const struct engine *e = &st->engines[i];

		out->rx_frames += e->stats.rx_frames;
		out->tx_frames += e->stats.tx_frames;
		out->tx_copies += e->stats.tx_copies;
		out->payload_copies += e->stats.tx_copies;
		for (int r = 0; r < WIRE_DROP_MAX; r++)
			out->rx_dropped += e->stats.wire.drops[r];
	}
}
