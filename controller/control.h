/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a Unix stream socket speaking JSON lines (proto.h) to
 * any number of clients at once, up to a limit.
 *
 * It never blocks and never dies of a client: every fd is non-blocking, a
 * client's output is buffered up to a cap, and a client that misbehaves is
 * answered with an error and disconnected. All of its fds sit behind one
 * epoll fd (control__fd), so the daemon's loop waits on that one fd.
 */
#ifndef TNA_CONTROL_H
#define TNA_CONTROL_H

#include <stddef.h>
#include <stdint.h>

struct caps;
struct graph;
struct introspect;
struct zs_apps;

struct control;
struct control_client;

#define CONTROL_DEFAULT_PATH "/run/zstack-tna/control.sock"

struct control_opts {
	const char *path;		/* socket to listen on; NULL: clients only come
					 * through control__adopt */
	struct graph *graph;
	struct introspect *introspect;	/* may be NULL */
	const struct caps *caps;
	struct zs_apps *zs;		/* zstack applications; NULL: refused */
	unsigned int max_clients;	/* 0: 64 */
	size_t max_output;		/* bytes queued per client; 0: 16 MiB */
};

struct control_stats {
	uint64_t uptime_ms;
	unsigned int clients;
	unsigned int monitors;
	uint64_t requests;
	uint64_t clients_refused;	/* over max_clients */
	uint64_t clients_dropped;	/* monitors that fell more than max_output behind */
};

/* Binds the socket, creating its directory. -EADDRINUSE when another live
 * process listens on it; a socket file nobody listens on is replaced. */
int control__open(struct control **out, const struct control_opts *opts);
/* Disconnects every client and removes the socket file if it is still ours. */
void control__close(struct control *ctl);

/* Readable when control__process has work to do. */
int control__fd(const struct control *ctl);
/* Accepts, reads, answers and writes whatever is ready, without blocking. */
int control__process(struct control *ctl);
/* Serves an already connected stream socket as a client; takes the fd. */
int control__adopt(struct control *ctl, int fd);

void control__get_stats(const struct control *ctl, struct control_stats *st);
const struct control_opts *control__opts(const struct control *ctl);
/* The oldest fd the client sent with SCM_RIGHTS that no request took yet,
 * now the caller's; -1 if none. A request that needs an fd is sent together
 * with it, so the oldest is the one sent with the request being handled. */
int control__take_fd(struct control_client *c);
/* State a command keeps for the client (a zstack application): release(data)
 * runs once when the client is gone, however it went. */
void control__set_client_data(struct control_client *c, void *data, void (*release)(void *data));
void *control__client_data(const struct control_client *c);
/* From now on c receives one line per graph change. */
void control__monitor(struct control *ctl, struct control_client *c);

#endif
