// SPDX-License-Identifier: GPL-2.0
/*
 * The stack's glue between the TCP core and the engines: the core's
 * callbacks, socket references, and turning core events into API events.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "zstack/stack.h"

/* Send and receive buffers are frames: a few hundred per connection at most. */
#define ZS_RX_CHUNKS 128
#define ZS_TX_CHUNKS 128
#define ZS_LISTENERS_MIN 8
#define ZS_BUCKETS_MIN 256

uint64_t zs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void zs_stack__set_err(struct zs_stack *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

static struct engine *cookie_engine(struct zs_stack *st, uint64_t cookie)
{
	return &st->engines[engine_cookie_id(cookie)];
}

static void on_output(void *ctx, struct tcp_conn *c, const struct tcp_seg_out *seg)
{
	struct zs_stack *st = ctx;
	struct zs_sock *s = tcp_conn__user(c);

	if (s)
		engine__output(s->eng, &s->path, seg);
	else
		engine__output(st->syn_eng, st->syn_path, seg);
}

static void on_rx_release(void *ctx, uint64_t cookie)
{
	struct engine *e = cookie_engine(ctx, cookie);

	frame_pool__put(e->pool, engine_cookie_addr(cookie));
}

static void on_tx_release(void *ctx, uint64_t cookie)
{
	struct engine *e = cookie_engine(ctx, cookie);

	frame_pool__put(e->pool, engine_cookie_addr(cookie));
}

const struct tcp_ops zs_tcp_ops = {
	.output = on_output,
	.rx_release = on_rx_release,
	.tx_release = on_tx_release,
};

static int setup_fds(struct zs_stack *st)
{
	struct epoll_event ev = { .events = EPOLLIN };

	st->epfd = epoll_create1(EPOLL_CLOEXEC);
	st->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (st->epfd < 0 || st->timerfd < 0)
		return -errno;
	ev.data.fd = st->timerfd;
	if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->timerfd, &ev))
		return -errno;
	for (uint32_t i = 0; i < st->nr_engines; i++) {
		struct engine *e = &st->engines[i];

		ev.data.fd = e->io->fd(e->io_ctx);
		if (ev.data.fd >= 0 && epoll_ctl(st->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
			return -errno;
	}
	return 0;
}

int zs_stack__new(struct zs_stack **out, const struct zs_env *env)
{
	struct zs_stack *st;
	int err = 0;

	if (!env->nr_queues || env->nr_queues > ZS_MAX_QUEUES)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->epfd = st->timerfd = -1;
	st->ctl = env->ctl;
	st->ctl_ctx = env->ctl_ctx;
	st->mode = env->mode;
	memcpy(st->mac, env->mac, sizeof(st->mac));
	tcp_config__defaults(&st->tcfg);
	st->tcfg.mss = (uint16_t)(env->mtu - WIRE_IPV4_LEN - TCP_HDR_LEN);
	st->tcfg.rx_chunks = ZS_RX_CHUNKS;
	st->tcfg.tx_chunks = ZS_TX_CHUNKS;
	st->tcfg.seg_per_buffer = true;
	/* Linux's minimum RTO: the kernel peers these connections meet expect it. */
	st->tcfg.rto_min_ns = 200 * 1000000ULL;
	if (getrandom(st->tcfg.isn_secret, sizeof(st->tcfg.isn_secret), 0) < 0 ||
	    getrandom(st->hash_key, sizeof(st->hash_key), 0) < 0) {
		err = -errno;
		goto out;
	}
	st->nbuckets = ZS_BUCKETS_MIN;
	st->buckets = calloc(st->nbuckets, sizeof(*st->buckets));
	if (!st->buckets) {
		err = -ENOMEM;
		goto out;
	}
	for (; st->nr_engines < env->nr_queues; st->nr_engines++) {
		err = engine__init(&st->engines[st->nr_engines], st->nr_engines,
				   env->pools[st->nr_engines], env->io, env->io_ctx[st->nr_engines]);
		if (err)
			goto out;
	}
	err = setup_fds(st);
out:
	if (err) {
		zs_stack_close(st);
		return err;
	}
	st->now = zs_now();
	*out = st;
	return 0;
}

struct zs_sock *zs_sock__new(struct zs_stack *st, struct engine *eng)
{
	struct zs_sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->st = st;
	s->eng = eng;
	s->refs = 1;
	s->timer_at = UINT64_MAX;
	s->mss = st->tcfg.mss;
	s->next = st->all;
	if (st->all)
		st->all->prev = s;
	st->all = s;
	return s;
}

void zs_sock__destroy(struct zs_sock *s)
{
	struct zs_stack *st = s->st;

	if (s->conn) {
		struct tcp_conn_info info;

		tcp_conn__info(s->conn, &info);
		st->retransmits += info.stats.retransmits;
	}
	if (s->has_rpart)
		tcp_conn__recv_free(s->conn, &s->rpart, st->now);
	tcp_conn__free(s->conn);
	if (s->prev)
		s->prev->next = s->next;
	else
		st->all = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

void zs_sock__put(struct zs_sock *s)
{
	if (!--s->refs)
		zs_sock__destroy(s);
}

void zs_sock__ready(struct zs_sock *s, uint32_t ev)
{
	struct zs_stack *st = s->st;

	s->ev |= ev;
	if (s->on_ready || s->app_closed || s->parent)
		return;
	s->on_ready = true;
	s->refs++;
	s->rnext = NULL;
	if (st->ready_tail)
		st->ready_tail->rnext = s;
	else
		st->ready_head = s;
	st->ready_tail = s;
}

void zs_sock__starve(struct zs_sock *s)
{
	struct zs_stack *st = s->st;

	if (s->starved)
		return;
	s->starved = true;
	s->refs++;
	s->snext = st->starved;
	st->starved = s;
}

void zs_starved__wake(struct zs_stack *st)
{
	struct zs_sock **pp = &st->starved;

	while (*pp) {
		struct zs_sock *s = *pp;

		if (!s->app_closed && !frame_pool__nr_free(s->eng->pool)) {
			pp = &s->snext;
			continue;
		}
		*pp = s->snext;
		s->starved = false;
		if (!s->app_closed)
			zs_sock__ready(s, ZS_EV_WRITABLE);
		zs_sock__put(s);
	}
}

/* A closed application's connection still drains: its window must not stay shut. */
static void discard_input(struct zs_sock *s)
{
	struct tcp_chunk ch;

	if (s->has_rpart) {
		s->has_rpart = false;
		tcp_conn__recv_free(s->conn, &s->rpart, s->st->now);
	}
	while (!tcp_conn__recv(s->conn, &ch))
		tcp_conn__recv_free(s->conn, &ch, s->st->now);
}

void zs_sock__update(struct zs_sock *s)
{
	uint32_t tev, ev = 0;
	uint64_t at;

	tev = tcp_conn__events(s->conn);
	if (tev & TCP_EV_CONNECTED) {
		struct tcp_conn_info info;

		tcp_conn__info(s->conn, &info);
		s->mss = info.smss;
		if (s->parent)
			zs_sock__ready(s->parent, ZS_EV_ACCEPTED);
		else
			ev |= ZS_EV_CONNECTED;
	}
	if (tev & (TCP_EV_READABLE | TCP_EV_PEER_FIN))
		ev |= ZS_EV_READABLE;
	if ((tev & TCP_EV_WRITABLE) && s->want_write) {
		s->want_write = false;
		ev |= ZS_EV_WRITABLE;
	}
	if (s->app_closed && (ev & ZS_EV_READABLE))
		discard_input(s);
	at = tcp_conn__next_deadline(s->conn);
	if (at < s->timer_at)
		zs_timers__arm(s, at);
	if (tev & TCP_EV_CLOSED) {
		s->err = tcp_conn__error(s->conn);
		ev |= ZS_EV_CLOSED | (s->err ? ZS_EV_ERROR : 0);
	}
	if (ev)
		zs_sock__ready(s, ev);
	if (tev & TCP_EV_CLOSED)
		zs_sock__finish(s);
}

void zs_sock__finish(struct zs_sock *s)
{
	struct zs_stack *st = s->st;

	if (s->port_reserved) {
		s->port_reserved = false;
		st->ctl->release(st->ctl_ctx, &s->tuple.local, s->tuple.lport);
	}
	if (s->in_table) {
		zs_table__remove(st, s);
		zs_sock__put(s);
	}
}

void zs_rxbuf__free(struct zs_stack *st, uint64_t cookie, bool reopen_window)
{
	struct engine *e = cookie_engine(st, cookie);
	uint64_t addr = engine_cookie_addr(cookie);
	struct engine_rxbuf *rb = &e->rx[engine__frame(e, addr)];
	struct zs_sock *s = rb->owner;
	struct tcp_chunk ch = { .data = frame_pool__ptr(e->pool, addr), .len = rb->len,
				.cookie = cookie };

	if (!s) {
		/* A send buffer given back unsent. */
		frame_pool__put(e->pool, frame_pool__base(e->pool, addr));
		return;
	}
	rb->owner = NULL;
	tcp_conn__recv_free(s->conn, &ch, st->now);
	if (reopen_window)
		zs_sock__update(s);
	zs_sock__put(s);
}
