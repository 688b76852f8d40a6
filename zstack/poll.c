// SPDX-License-Identifier: GPL-2.0
/*
 * zs_poll runs the engines to completion: send what the application queued,
 * take completions back, receive a few batches per queue, fire due timers,
 * send what all that produced, and report events. It sleeps (epoll on the
 * queues' fds and a timerfd) only when it has nothing to report. zs_fd is
 * that same epoll fd, so an application's own epoll loop wakes when a queue
 * has frames or a timer is due; the timerfd is re-armed only when the
 * earliest deadline changes.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "zstack/stack.h"

/* Batches taken off one queue per round, so one busy queue cannot starve the rest. */
#define RX_ROUNDS 4

static void run_engines(struct zs_stack *st)
{
	for (uint32_t i = 0; i < st->nr_engines; i++) {
		struct engine *e = &st->engines[i];
		uint64_t before;

		engine__flush(e);
		engine__reap(e);
		for (int r = 0; r < RX_ROUNDS; r++) {
			before = e->stats.rx_frames;
			zs_stack__rx(st, e);
			if (e->stats.rx_frames - before < ENGINE_BATCH)
				break;
		}
	}
	zs_timers__run(st);
	for (uint32_t i = 0; i < st->nr_engines; i++)
		engine__flush(&st->engines[i]);
	if (st->starved)
		zs_starved__wake(st);
}

static int collect(struct zs_stack *st, struct zs_event *events, int max)
{
	int n = 0;

	while (st->ready_head && n < max) {
		struct zs_sock *s = st->ready_head;

		st->ready_head = s->rnext;
		if (!st->ready_head)
			st->ready_tail = NULL;
		s->on_ready = false;
		if (!s->app_closed && !s->parent && s->ev) {
			events[n++] = (struct zs_event){ .sock = s, .events = s->ev,
							 .user = s->user };
			s->ev = 0;
		}
		/* The application's own reference keeps s alive while it handles the event. */
		zs_sock__put(s);
	}
	return n;
}

/* Sends the kernel is still working through, and getting on with: worth another round. */
static bool tx_busy(const struct zs_stack *st)
{
	for (uint32_t i = 0; i < st->nr_engines; i++) {
		const struct engine *e = &st->engines[i];

		if (e->ntxq || (e->fifo_len && e->tx_progress))
			return true;
	}
	return false;
}

/* A socket refused a frame can be told its queue has one again. */
static bool starved_wakeable(const struct zs_stack *st)
{
	for (const struct zs_sock *s = st->starved; s; s = s->snext) {
		if (s->app_closed || frame_pool__nr_free(s->eng->pool))
			return true;
	}
	return false;
}

/* Arms the timerfd for the earliest thing zs_poll must do without a frame arriving. */
static void arm_timerfd(struct zs_stack *st)
{
	uint64_t at = st->ready_head || tx_busy(st) || starved_wakeable(st) ? st->now :
			zs_timers__next(st);
	struct itimerspec its = { 0 };

	if (at == UINT64_MAX)
		at = 0;
	else if (!at)
		at = 1;
	if (at == st->timerfd_at)
		return;
	its.it_value.tv_sec = (time_t)(at / 1000000000ULL);
	its.it_value.tv_nsec = (long)(at % 1000000000ULL);
	if (!timerfd_settime(st->timerfd, TFD_TIMER_ABSTIME, &its, NULL))
		st->timerfd_at = at;
}

static void clear_timerfd(struct zs_stack *st)
{
	uint64_t expirations;

	if (!st->timerfd_at || st->timerfd_at > st->now)
		return;
	if (read(st->timerfd, &expirations, sizeof(expirations)) >= 0 || errno == EAGAIN)
		st->timerfd_at = 0;
}

static int wait_ms(const struct zs_stack *st, uint64_t until)
{
	uint64_t at = zs_timers__next(st);

	if (tx_busy(st))
		return 0;
	if (until < at)
		at = until;
	if (at == UINT64_MAX)
		return -1;
	if (at <= st->now)
		return 0;
	/* Rounded up: waking before the deadline would only loop. */
	return (int)((at - st->now + 999999) / 1000000);
}

int zs_poll(struct zs_stack *st, struct zs_event *events, int max, int timeout_ms)
{
	uint64_t until;
	int n;

	if (max < 1)
		return -EINVAL;
	st->now = zs_now();
	until = timeout_ms < 0 ? UINT64_MAX : st->now + (uint64_t)timeout_ms * 1000000ULL;
	for (;;) {
		struct epoll_event ev[ZS_MAX_QUEUES + 1];
		int ms;

		clear_timerfd(st);
		run_engines(st);
		n = collect(st, events, max);
		if (n || st->now >= until)
			break;
		ms = wait_ms(st, until);
		if (ms && epoll_wait(st->epfd, ev, ZS_MAX_QUEUES + 1, ms) < 0 && errno != EINTR)
			return -errno;
		st->now = zs_now();
	}
	/* Only a waiter on zs_fd needs the timerfd: zs_poll's own waits time out. */
	if (st->fd_used)
		arm_timerfd(st);
	return n;
}

void zs_stack__queued(struct zs_stack *st)
{
	if (st->fd_used && (!st->timerfd_at || st->timerfd_at > st->now))
		arm_timerfd(st);
}

int zs_fd(struct zs_stack *st)
{
	st->fd_used = true;
	return st->epfd;
}
