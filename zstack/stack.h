/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside a zs_stack: the engines (one per queue), the sockets and the one
 * table that demultiplexes received segments to them, the timer heap, and
 * the control operations (ports, routes, neighbours) the stack asks of the
 * outside world. zs_open fills those with the daemon's registry and the
 * kernel's tables; a test fills them with fakes and runs whole stacks back
 * to back without root.
 *
 * The connection table is the stack's, not a queue's: a flow this stack
 * opened may be answered on any of its queues (RSS picks), and one thread
 * polls them all. Each connection sends through the queue it was created on,
 * whose UMEM holds its send buffers.
 *
 * Socket lifetime: a socket is referenced by the application (until zs_close
 * or zs_abort), by the table (while its connection may still see segments),
 * by each timer-heap entry naming it, and by each received buffer handed out
 * and not yet freed. The memory goes with the last reference.
 */
#ifndef ZSTACK_STACK_H
#define ZSTACK_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "zstack/engine.h"
#include "zstack/tcp.h"
#include "zstack/wire.h"
#include "zstack/zstack.h"

#define ZS_MAX_QUEUES 64
#define ZS_ERR_LEN 512
/* How often a connect asks again whether the kernel resolved its next hop. */
#define ZS_RESOLVE_RETRY_NS (10 * 1000000ULL)

struct zs_ctl_ops {
	/* Reserves addr:port (addr all-zero: every address of the interface). */
	int (*listen)(void *ctl, const struct tcp_addr *addr, uint16_t port, char *err,
		      size_t len);
	/* Reserves an ephemeral port on the local address local. */
	int (*connect)(void *ctl, const struct tcp_addr *local, uint16_t *port, char *err,
		       size_t len);
	void (*release)(void *ctl, const struct tcp_addr *addr, uint16_t port);
	/* The source address and next hop toward dst through the stack's interface. */
	int (*route)(void *ctl, const struct tcp_addr *dst, struct tcp_addr *src,
		     struct tcp_addr *nexthop, char *err, size_t len);
	/* The next hop's MAC; -EAGAIN while the kernel resolves it. */
	int (*neigh)(void *ctl, const struct tcp_addr *nexthop, uint8_t mac[WIRE_MAC_LEN]);
};

struct zs_env {
	uint32_t nr_queues;
	struct frame_pool *pools[ZS_MAX_QUEUES];
	const struct engine_io_ops *io;
	void *io_ctx[ZS_MAX_QUEUES];
	const struct zs_ctl_ops *ctl;
	void *ctl_ctx;
	uint8_t mac[WIRE_MAC_LEN];
	uint32_t mtu;
	enum zs_xdp_mode mode;
};

struct zs_sock {
	struct zs_stack *st;
	struct engine *eng;
	struct tcp_conn *conn;		/* a connection ... */
	struct tcp_listener *lis;	/* ... or a listener */
	struct zs_sock *parent;		/* the listener, until accepted */
	struct zs_sock *hnext;		/* table chain */
	struct zs_sock *rnext;		/* ready list */
	struct zs_sock *snext;		/* starved list */
	struct zs_sock *prev, *next;	/* every socket of the stack */
	struct tcp_tuple tuple;
	struct wire_path path;
	struct tcp_addr nexthop;	/* whose MAC path.dst_mac is */
	void *user;
	struct tcp_chunk rpart;		/* a chunk zs_recv has taken part of */
	uint32_t rpart_off;
	uint32_t mss;			/* payload bytes per segment we send */
	uint64_t timer_at;		/* deadline of its newest heap entry; UINT64_MAX: none */
	uint64_t resolve_until;		/* while the next hop's MAC is being resolved */
	uint32_t refs;
	uint32_t ev;			/* ZS_EV_* not yet reported */
	int err;
	bool in_table, on_ready, app_closed, want_write, resolving, port_reserved, has_rpart;
	bool starved;			/* refused a frame: ZS_EV_WRITABLE once one is free */
};

struct zs_timer {
	uint64_t at;
	struct zs_sock *s;
};

struct zs_stack {
	struct engine engines[ZS_MAX_QUEUES];
	uint32_t nr_engines;
	const struct zs_ctl_ops *ctl;
	void *ctl_ctx;
	enum zs_xdp_mode mode;
	struct tcp_config tcfg;
	uint8_t mac[WIRE_MAC_LEN];
	uint8_t hash_key[16];
	uint64_t now;

	struct zs_sock **buckets;	/* connections by 4-tuple */
	uint32_t nbuckets, nconns;
	struct zs_sock **listeners;
	uint32_t nlisteners, listeners_cap;

	struct zs_timer *heap;
	uint32_t nheap, heap_cap;
	struct zs_sock *ready_head, *ready_tail;
	struct zs_sock *starved;	/* sockets refused a frame (-ENOBUFS) */
	struct zs_sock *all;

	/* While the core answers a SYN, the child has no socket yet. */
	const struct wire_path *syn_path;
	struct engine *syn_eng;

	int epfd, timerfd;
	bool fd_used;			/* the application waits on zs_fd */
	uint64_t timerfd_at;		/* what timerfd is armed for; 0: disarmed */

	uint64_t payload_copies, connections, rx_no_conn;
	uint64_t retransmits;		/* of connections already freed */
	char err[ZS_ERR_LEN];

	/* zs_open's own resources, released by zs_stack_close. */
	void *owner;
	void (*owner_free)(void *owner);
};

int zs_stack__new(struct zs_stack **out, const struct zs_env *env);
void zs_stack__set_err(struct zs_stack *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t zs_now(void);
/* Outside zs_poll, something waits to be sent or reported: wake zs_fd's waiter. */
void zs_stack__queued(struct zs_stack *st);

/* Sockets (stack.c). */
struct zs_sock *zs_sock__new(struct zs_stack *st, struct engine *eng);
void zs_sock__put(struct zs_sock *s);
/* Frees s whatever still refers to it: the stack is going away. */
void zs_sock__destroy(struct zs_sock *s);
int zs_table__insert(struct zs_stack *st, struct zs_sock *s);
void zs_table__remove(struct zs_stack *st, struct zs_sock *s);
/* After any core call on s: collect its events, reschedule its timer. */
void zs_sock__update(struct zs_sock *s);
void zs_sock__ready(struct zs_sock *s, uint32_t ev);
/* s was refused a frame: ZS_EV_WRITABLE follows once its queue has one free. */
void zs_sock__starve(struct zs_sock *s);
/* Reports ZS_EV_WRITABLE to the starved sockets whose queue has frames again. */
void zs_starved__wake(struct zs_stack *st);
/* The connection reached CLOSED: out of the table, its port given back. */
void zs_sock__finish(struct zs_sock *s);
void zs_stack__rx(struct zs_stack *st, struct engine *e);
void zs_timers__run(struct zs_stack *st);
uint64_t zs_timers__next(const struct zs_stack *st);
void zs_timers__arm(struct zs_sock *s, uint64_t at);
/* Gives a received buffer back (zs_buf_free and teardown). */
void zs_rxbuf__free(struct zs_stack *st, uint64_t cookie, bool reopen_window);

/* Why the last zs_open failed, for zs_strerror(NULL). */
void zs_open_err__set(const char *msg);

extern const struct tcp_ops zs_tcp_ops;

#endif
