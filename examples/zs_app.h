/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the zstack examples share: the stop flag SIGINT and SIGTERM set, the
 * stack opened on an interface with errors a person can act on, and numbers
 * from the command line.
 */
#ifndef EXAMPLES_ZS_APP_H
#define EXAMPLES_ZS_APP_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zstack/zstack.h"

/* zs_poll's wait: short enough that a signal ends the loop at once even if
 * the stack resumes its wait after EINTR. */
#define ZS_APP_POLL_MS 100

static volatile sig_atomic_t zs_app_stop;

static void zs_app_on_signal(int sig)
{
	(void)sig;
	zs_app_stop = 1;
}

/* SIGINT and SIGTERM end the event loop; SA_RESTART off so waits return. */
static inline void zs_app_signals(void)
{
	struct sigaction sa = { .sa_handler = zs_app_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Opens a stack on every queue of ifname; prints why not and returns -errno. */
static inline int zs_app_open(struct zs_stack **st, const char *prog, const char *ifname)
{
	struct zs_config cfg = { .ifname = ifname, .queue = -1, .app_name = prog };
	int err;

	*st = NULL;
	err = zs_open(st, &cfg);
	/* Without a stack, zs_strerror(NULL) holds why zs_open failed. */
	if (err)
		fprintf(stderr, "%s: cannot serve %s: %s\n", prog, ifname, zs_strerror(NULL));
	return err;
}

static inline const char *zs_app_mode(const struct zs_stack *st)
{
	return zs_mode(st) == ZS_MODE_ZEROCOPY ? "zero-copy" : "copy";
}

/* A decimal number from min to max, with an optional K, M or G (powers of 1024). */
static inline int zs_app_number(const char *s, unsigned long long min, unsigned long long max,
				unsigned long long *out)
{
	unsigned long long v, unit = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		unit = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		unit = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		unit = 1ULL << 30;
	if (unit > 1)
		end++;
	if (*end || v > max / unit || v * unit < min)
		return -EINVAL;
	*out = v * unit;
	return 0;
}

static inline int zs_app_port(const char *s, uint16_t *port)
{
	unsigned long long v;

	if (zs_app_number(s, 1, 65535, &v))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/*
 * The servers' event loop. A connection is the example's own struct with a
 * struct zs_app_conn first; the loop calls run whenever the connection may
 * make progress, and destroy once it is closed, at the end of a round (an
 * event later in the same round may still name it).
 */
struct zs_app_conn {
	struct zs_sock *sock;
	bool done;		/* closed; destroyed at the end of the round */
	struct zs_app_conn *next; /* on the done list */
};

struct zs_app_ops {
	/* A new connection's state, or NULL (it is then aborted). */
	struct zs_app_conn *(*accepted)(struct zs_sock *s);
	/* Moves data: 0 (or -EAGAIN, -ENOBUFS) to wait for the next event, 1
	 * when the connection is over, another -errno to end it. No free frame
	 * (-ENOBUFS from zs_buf_alloc) is waited out like a full window: the
	 * stack reports ZS_EV_WRITABLE when frames come back. */
	int (*run)(struct zs_app_conn *c);
	/* Frees what the connection holds, itself included. */
	void (*destroy)(struct zs_app_conn *c);
};

static inline void zs_app_close(struct zs_app_conn **done, struct zs_app_conn *c)
{
	/* Events may still name the socket; none must lead back to c. */
	zs_sock_set_user(c->sock, NULL);
	zs_close(c->sock);
	c->done = true;
	c->next = *done;
	*done = c;
}

static inline void zs_app_run(const struct zs_app_ops *ops, struct zs_app_conn **done,
			      struct zs_app_conn *c)
{
	int ret = ops->run(c);

	if (ret && ret != -ENOBUFS && ret != -EAGAIN)
		zs_app_close(done, c);
}

static inline void zs_app_event(const struct zs_app_ops *ops, struct zs_app_conn **done,
				struct zs_sock *listener, const struct zs_event *ev)
{
	struct zs_app_conn *c = ev->user;
	struct zs_sock *s;

	if (ev->sock == listener) {
		while ((ev->events & ZS_EV_ACCEPTED) && zs_accept(listener, &s) == 0) {
			c = ops->accepted(s);
			if (!c) {
				zs_abort(s);
				continue;
			}
			c->sock = s;
			zs_sock_set_user(s, c);
			/* Data may have come with the handshake's last ACK. */
			zs_app_run(ops, done, c);
		}
		return;
	}
	if (!c || c->done)
		return;
	if (ev->events & (ZS_EV_CLOSED | ZS_EV_ERROR))
		zs_app_close(done, c);
	else
		zs_app_run(ops, done, c);
}

/* Serves listener's connections until SIGINT or SIGTERM; 0 or -errno. */
static inline int zs_app_serve(struct zs_stack *st, struct zs_sock *listener,
			       const struct zs_app_ops *ops, const char *prog)
{
	struct zs_event events[256];

	while (!zs_app_stop) {
		struct zs_app_conn *done = NULL;
		int n = zs_poll(st, events, 256, ZS_APP_POLL_MS);

		if (n == -EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", prog, zs_strerror(st));
			return n;
		}
		for (int i = 0; i < n; i++)
			zs_app_event(ops, &done, listener, &events[i]);
		while (done) {
			struct zs_app_conn *c = done;

			done = c->next;
			ops->destroy(c);
		}
	}
	/* Connections still open are aborted by zs_stack_close. */
	return 0;
}

#endif
