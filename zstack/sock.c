// SPDX-License-Identifier: GPL-2.0
/* The socket calls of zstack.h: opening, accepting, closing. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/stack.h"

/* How long a connect waits for the kernel to resolve its next hop (as ARP would). */
#define RESOLVE_TIMEOUT_NS (3 * 1000000000ULL)

static int parse_addr(struct zs_stack *st, const char *text, struct tcp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	if (text && inet_pton(AF_INET, text, a->bytes) == 1)
		return 0;
	zs_stack__set_err(st, "\"%s\" is not an IPv4 address; give one such as \"10.0.0.1\"",
			  text ? text : "(null)");
	return -EINVAL;
}

static int add_listener(struct zs_stack *st, struct zs_sock *l)
{
	if (st->nlisteners == st->listeners_cap) {
		uint32_t cap = st->listeners_cap ? st->listeners_cap * 2 : 8;
		struct zs_sock **v = realloc(st->listeners, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->listeners = v;
		st->listeners_cap = cap;
	}
	st->listeners[st->nlisteners++] = l;
	return 0;
}

int zs_listen(struct zs_stack *st, const char *addr, uint16_t port, int backlog,
	      struct zs_sock **out)
{
	struct zs_sock *l = NULL;
	struct tcp_addr a;
	int err;

	err = parse_addr(st, addr, &a);
	if (err)
		return err;
	if (!port || backlog < 1) {
		zs_stack__set_err(st, "zs_listen needs a port (1-65535) and a backlog of at least 1");
		return -EINVAL;
	}
	l = zs_sock__new(st, &st->engines[0]);
	if (!l)
		return -ENOMEM;
	l->tuple.local = a;
	l->tuple.lport = port;
	l->lis = tcp_listener__new(&st->tcfg, &zs_tcp_ops, st, &a, port, (uint32_t)backlog);
	if (!l->lis) {
		err = -ENOMEM;
		goto out;
	}
	err = st->ctl->listen(st->ctl_ctx, &a, port, st->err, sizeof(st->err));
	if (err)
		goto out;
	l->port_reserved = true;
	err = add_listener(st, l);
out:
	if (err) {
		if (l->port_reserved)
			st->ctl->release(st->ctl_ctx, &a, port);
		tcp_listener__free(l->lis, st->now);
		l->lis = NULL;
		zs_sock__put(l);
		return err;
	}
	*out = l;
	return 0;
}

int zs_connect(struct zs_stack *st, const char *addr, uint16_t port, struct zs_sock **out)
{
	struct zs_sock *s;
	struct tcp_addr dst;
	int err;

	err = parse_addr(st, addr, &dst);
	if (err)
		return err;
	s = zs_sock__new(st, &st->engines[0]);
	if (!s)
		return -ENOMEM;
	st->now = zs_now();
	err = st->ctl->route(st->ctl_ctx, &dst, &s->path.src, &s->nexthop, st->err,
			     sizeof(st->err));
	if (err)
		goto out;
	memcpy(s->path.src_mac, st->mac, WIRE_MAC_LEN);
	s->path.dst = dst;
	s->tuple.local = s->path.src;
	s->tuple.remote = dst;
	s->tuple.rport = port;
	err = st->ctl->connect(st->ctl_ctx, &s->tuple.local, &s->tuple.lport, st->err,
			       sizeof(st->err));
	if (err)
		goto out;
	s->port_reserved = true;
	s->conn = tcp_conn__new(&st->tcfg, &zs_tcp_ops, st, &s->tuple);
	if (!s->conn) {
		err = -ENOMEM;
		goto out;
	}
	tcp_conn__set_user(s->conn, s);
	err = zs_table__insert(st, s);
	if (err) {
		zs_stack__set_err(st, "a connection from port %u to %s:%u exists already",
				  s->tuple.lport, addr, port);
		goto out;
	}
	st->connections++;
	err = st->ctl->neigh(st->ctl_ctx, &s->nexthop, s->path.dst_mac);
	if (err == -EAGAIN) {
		s->resolving = true;
		s->resolve_until = st->now + RESOLVE_TIMEOUT_NS;
		zs_timers__arm(s, st->now + ZS_RESOLVE_RETRY_NS);
		err = 0;
	} else if (!err) {
		tcp_conn__connect(s->conn, st->now);
		zs_sock__update(s);
	} else {
		zs_stack__set_err(st, "cannot reach %s: %s", addr, strerror(-err));
	}
out:
	if (err) {
		zs_sock__finish(s);
		zs_sock__put(s);
		return err;
	}
	zs_stack__queued(st);
	*out = s;
	return 0;
}

int zs_accept(struct zs_sock *l, struct zs_sock **out)
{
	struct tcp_conn *c;
	struct zs_sock *s;

	if (!l->lis)
		return -EINVAL;
	c = tcp_listener__accept(l->lis);
	if (!c)
		return -EAGAIN;
	s = tcp_conn__user(c);
	s->parent = NULL;
	s->refs++;
	if (s->ev) {
		uint32_t ev = s->ev;

		s->ev = 0;
		zs_sock__ready(s, ev);
	}
	*out = s;
	return 0;
}

int zs_shutdown(struct zs_sock *s, int how)
{
	int err;

	if (!s->conn)
		return -ENOTCONN;
	if (how != SHUT_WR && how != SHUT_RDWR)
		return how == SHUT_RD ? 0 : -EINVAL;
	s->st->now = zs_now();
	err = tcp_conn__shutdown(s->conn, s->st->now);
	zs_sock__update(s);
	zs_stack__queued(s->st);
	return err;
}

static void close_listener(struct zs_sock *l)
{
	struct zs_stack *st = l->st;

	for (uint32_t i = 0; i < st->nlisteners; i++) {
		if (st->listeners[i] == l) {
			st->listeners[i] = st->listeners[--st->nlisteners];
			break;
		}
	}
	/* Resets the connections nobody accepted; their sockets end with them. */
	tcp_listener__free(l->lis, st->now);
	l->lis = NULL;
	for (uint32_t b = 0; b < st->nbuckets; b++) {
		for (struct zs_sock *s = st->buckets[b], *next; s; s = next) {
			next = s->hnext;
			if (s->parent == l) {
				s->parent = NULL;
				s->app_closed = true;
				zs_sock__update(s);
			}
		}
	}
	zs_sock__finish(l);
}

/* The application lets go of s: no more events, the reference goes. */
static void drop_app(struct zs_sock *s)
{
	s->app_closed = true;
	s->ev = 0;
	zs_sock__put(s);
}

int zs_close(struct zs_sock *s)
{
	struct zs_stack *st = s->st;

	st->now = zs_now();
	if (s->lis) {
		close_listener(s);
	} else if (s->resolving) {
		s->resolving = false;
		zs_sock__finish(s);
	} else if (tcp_conn__state(s->conn) != TCP_CLOSED) {
		s->app_closed = true;
		tcp_conn__orphan(s->conn, st->now);
		zs_sock__update(s);
	}
	drop_app(s);
	zs_stack__queued(st);
	return 0;
}

void zs_abort(struct zs_sock *s)
{
	struct zs_stack *st = s->st;

	st->now = zs_now();
	if (s->lis) {
		close_listener(s);
	} else {
		s->resolving = false;
		s->app_closed = true;
		tcp_conn__abort(s->conn, st->now);
		zs_sock__update(s);
		zs_sock__finish(s);
	}
	drop_app(s);
	zs_stack__queued(st);
}

void zs_sock_set_user(struct zs_sock *s, void *user)
{
	s->user = user;
}

void *zs_sock_user(const struct zs_sock *s)
{
	return s->user;
}

int zs_sock_error(const struct zs_sock *s)
{
	return s->err;
}

int zs_sock_queue(const struct zs_sock *s)
{
	return (int)s->eng->id;
}
