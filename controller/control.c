// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "controller/control.h"
#include "controller/control_cmds.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/proto.h"

#define CONTROL_MAX_CLIENTS 64
#define CONTROL_MAX_OUTPUT (16u << 20)
#define CONTROL_EVENTS 32
/* Output buffer a client keeps between answers. A larger one, left by a large
 * answer, is freed once sent and the heap trimmed: the RSS falls back. */
#define CONTROL_KEEP_OUTPUT (64u << 10)
/* Fds a client may have sent (SCM_RIGHTS) that no request took yet. */
#define CONTROL_MAX_FDS 8

struct control_client {
	struct control *ctl;
	int fd;
	unsigned int id;
	uint32_t events;	/* what epoll watches for it */
	bool monitor;
	bool read_eof;		/* the peer will send nothing more */
	bool closing;		/* read nothing more; close once the output is out */
	bool dead;		/* fd closed; freed by control_reap */
	char *out;
	size_t out_off, out_len, out_cap;
	int fds[CONTROL_MAX_FDS];	/* received, oldest first */
	unsigned int nfds;
	void *data;			/* a command's state for this client */
	void (*release)(void *data);	/* called once when the client goes */
	struct proto_framer in;
};

struct control {
	struct control_opts opts;
	int epfd;
	int listen_fd;
	ino_t listen_ino;	/* to remove only our own socket file */
	unsigned int next_id;
	bool in_batch;		/* inside control__process: clients are not freed */
	uint64_t started_ms;
	struct control_stats stats;
	unsigned int nclients;
	struct control_client **clients;	/* opts.max_clients slots */
};

static uint64_t control_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static size_t client_pending(const struct control_client *c)
{
	return c->out_len - c->out_off;
}

static void client_drop(struct control_client *c)
{
	if (c->dead)
		return;
	epoll_ctl(c->ctl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->dead = true;
	while (c->nfds)
		close(c->fds[--c->nfds]);
	if (c->release)
		c->release(c->data);
	c->release = NULL;
	c->data = NULL;
	if (c->monitor)
		c->ctl->stats.monitors--;
	pr_debug("client %u: disconnected", c->id);
}

static void client_free_output(struct control_client *c)
{
	bool large = c->out_cap > CONTROL_KEEP_OUTPUT;

	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = c->out_cap = 0;
	if (large)
		malloc_trim(0);
}

/* Frees dropped clients; only between epoll batches, which may still name them. */
static void control_reap(struct control *ctl)
{
	if (ctl->in_batch)
		return;
	for (unsigned int i = 0; i < ctl->nclients;) {
		struct control_client *c = ctl->clients[i];

		if (!c->dead) {
			i++;
			continue;
		}
		ctl->clients[i] = ctl->clients[--ctl->nclients];
		client_free_output(c);
		free(c);
	}
}

static void client_update_events(struct control_client *c)
{
	struct epoll_event ev = { .data.ptr = c };

	if (c->dead)
		return;
	if (!c->closing && !c->read_eof && client_pending(c) <= c->ctl->opts.max_output)
		ev.events |= EPOLLIN;
	if (client_pending(c))
		ev.events |= EPOLLOUT;
	if (ev.events == c->events)
		return;
	if (epoll_ctl(c->ctl->epfd, EPOLL_CTL_MOD, c->fd, &ev)) {
		pr_warn("client %u: cannot watch its socket: %s; disconnecting it", c->id,
			strerror(errno));
		client_drop(c);
		return;
	}
	c->events = ev.events;
}

static void client_flush(struct control_client *c)
{
	while (!c->dead && client_pending(c)) {
		ssize_t n = send(c->fd, c->out + c->out_off, client_pending(c),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			client_drop(c);
			return;
		}
		c->out_off += n;
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > CONTROL_KEEP_OUTPUT)
		client_free_output(c);
	if (c->closing)
		client_drop(c);
}

static int client_queue(struct control_client *c, const char *data, size_t len)
{
	if (c->out_cap - c->out_len < len) {
		size_t pending = client_pending(c);
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *out;

		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
		while (cap - pending < len)
			cap *= 2;
		if (cap != c->out_cap) {
			out = realloc(c->out, cap);
			if (!out)
				return -ENOMEM;
			c->out = out;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

/* As json_dump_callback wants: 0, or -1 when out of memory. */
static int client_write(const char *buf, size_t len, void *data)
{
	return client_queue(data, buf, len) ? -1 : 0;
}

static void client_respond(struct control_client *c, json_t *resp)
{
	static const char oom[] = PROTO_OOM_LINE;
	size_t len;
	char *line = resp ? proto_encode(resp, &len) : NULL;
	int err;

	if (line)
		err = client_queue(c, line, len);
	else
		err = client_queue(c, oom, sizeof(oom) - 1);
	free(line);
	json_decref(resp);
	if (err) {
		pr_warn("client %u: out of memory for its response; disconnecting it", c->id);
		client_drop(c);
	}
}

static void client_handle_line(struct control_client *c, const char *line, size_t len)
{
	struct control_call call = { .ctl = c->ctl, .client = c };

	c->ctl->stats.requests++;
	pr_debug("client %u: %.*s", c->id, (int)(len > 200 ? 200 : len), line);
	/* The answer goes into the output as it is rendered, however large: only
	 * monitors are held to max_output, and the socket drains it on EPOLLOUT. */
	if (proto_serve(control_commands, control_commands_count, &call, line, len,
			client_write, c)) {
		pr_warn("client %u: out of memory for its response; disconnecting it", c->id);
		client_drop(c);
	}
}

static void client_too_large(struct control_client *c)
{
	pr_info("client %u: request longer than %d bytes without a newline; closing it", c->id,
		PROTO_MAX_LINE);
	client_respond(c, proto_error(PROTO_E_TOO_LARGE,
				      "request longer than %d bytes without a newline; send one "
				      "JSON object per line", PROTO_MAX_LINE));
	c->closing = true;
}

/* Answers the complete requests held, as long as the client reads its answers. */
static void client_serve(struct control_client *c)
{
	char *line;
	size_t len;
	int r;

	while (!c->dead && !c->closing && client_pending(c) <= c->ctl->opts.max_output) {
		r = proto_framer__next(&c->in, &line, &len);
		if (r == 0 && c->read_eof) {
			r = proto_framer__rest(&c->in, &line, &len);
			/* A monitor stays until the peer closes; anyone else got its answers. */
			if (r == 0 && !c->monitor)
				c->closing = true;
		}
		if (r == -EMSGSIZE)
			client_too_large(c);
		if (r <= 0)
			break;
		client_handle_line(c, line, len);
	}
	client_flush(c);
	client_update_events(c);
}

/* Keeps the fds a message carried for the requests that take them; beyond
 * CONTROL_MAX_FDS unclaimed ones, the rest are closed. */
static void client_keep_fds(struct control_client *c, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n;
		int *fds;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (int *)CMSG_DATA(cm);
		for (size_t i = 0; i < n; i++) {
			if (c->nfds < CONTROL_MAX_FDS) {
				c->fds[c->nfds++] = fds[i];
				continue;
			}
			pr_info("client %u: more than %d fds sent ahead of their requests; "
				"closing the extra ones", c->id, CONTROL_MAX_FDS);
			close(fds[i]);
		}
	}
}

static void client_read(struct control_client *c)
{
	union {
		char buf[CMSG_SPACE(CONTROL_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
			      .msg_controllen = sizeof(cbuf.buf) };
	char *at;
	size_t space = proto_framer__space(&c->in, &at);
	ssize_t n;

	if (!space) {
		client_too_large(c);
		return;
	}
	iov.iov_base = at;
	iov.iov_len = space;
	n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_drop(c);
		return;
	}
	client_keep_fds(c, &msg);
	if (msg.msg_flags & MSG_CTRUNC)
		pr_info("client %u: sent more fds at once than %d; some were lost", c->id,
			CONTROL_MAX_FDS);
	if (n == 0)
		c->read_eof = true;
	proto_framer__commit(&c->in, n);
}

static void client_event(struct control_client *c, uint32_t events)
{
	if (events & EPOLLERR) {
		client_drop(c);
		return;
	}
	if (events & EPOLLOUT)
		client_flush(c);
	if ((events & EPOLLIN) && (c->events & EPOLLIN))
		client_read(c);
	else if (events & EPOLLHUP)
		client_drop(c);	/* the peer is gone and cannot read what is queued */
	client_serve(c);
}

int control__adopt(struct control *ctl, int fd)
{
	struct control_client *c;
	int err = 0;

	if (ctl->nclients >= ctl->opts.max_clients) {
		err = -EMFILE;
		goto out;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		err = -errno;
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->id = ++ctl->next_id;
	proto_framer__init(&c->in);
	c->events = EPOLLIN;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd,
		      &(struct epoll_event){ .events = c->events, .data.ptr = c })) {
		err = -errno;
		free(c);
		goto out;
	}
	ctl->clients[ctl->nclients++] = c;
	pr_debug("client %u: connected", c->id);
	return 0;
out:
	close(fd);
	return err;
}

static void control_refuse(struct control *ctl, int fd)
{
	size_t len;
	json_t *resp = proto_error(PROTO_E_BUSY,
				   "too many clients (%u) are connected; close one and retry",
				   ctl->opts.max_clients);
	char *line = resp ? proto_encode(resp, &len) : NULL;

	/* Best effort: a fresh socket has room for one line, and nobody waits for it. */
	if (line && send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		pr_debug("cannot tell a refused client why: %s", strerror(errno));
	free(line);
	json_decref(resp);
	close(fd);
	if (!ctl->stats.clients_refused++)
		pr_warn("refusing clients beyond %u at once", ctl->opts.max_clients);
}

static void control_accept(struct control *ctl)
{
	/* Bounded, so that a connection storm cannot starve the clients already served. */
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				pr_warn("accepting a client failed: %s", strerror(errno));
			return;
		}
		if (ctl->nclients >= ctl->opts.max_clients) {
			control_refuse(ctl, fd);
			continue;
		}
		err = control__adopt(ctl, fd);
		if (err)
			pr_warn("cannot serve a new client: %s", strerror(-err));
	}
}

int control__process(struct control *ctl)
{
	struct epoll_event evs[CONTROL_EVENTS];
	int n = epoll_wait(ctl->epfd, evs, CONTROL_EVENTS, 0);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	ctl->in_batch = true;
	for (int i = 0; i < n; i++) {
		struct control_client *c = evs[i].data.ptr;

		if (evs[i].data.ptr == ctl)
			control_accept(ctl);
		else if (!c->dead)
			client_event(c, evs[i].events);
	}
	ctl->in_batch = false;
	control_reap(ctl);
	return 0;
}

int control__take_fd(struct control_client *c)
{
	int fd;

	if (!c->nfds)
		return -1;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, --c->nfds * sizeof(c->fds[0]));
	return fd;
}

void control__set_client_data(struct control_client *c, void *data, void (*release)(void *data))
{
	c->data = data;
	c->release = release;
}

void *control__client_data(const struct control_client *c)
{
	return c->data;
}

void control__monitor(struct control *ctl, struct control_client *c)
{
	if (c->monitor)
		return;
	c->monitor = true;
	ctl->stats.monitors++;
}

static const char *control_change_name(enum graph_change change)
{
	switch (change) {
	case GRAPH_NODE_ADDED:
		return "added";
	case GRAPH_NODE_CHANGED:
		return "changed";
	case GRAPH_NODE_REMOVED:
		return "removed";
	case GRAPH_FDB_CHANGED:
		return "fdb";
	}
	return "unknown";
}

static void control_broadcast(struct control *ctl, const char *line, size_t len)
{
	for (unsigned int i = 0; i < ctl->nclients; i++) {
		struct control_client *c = ctl->clients[i];

		if (c->dead || !c->monitor)
			continue;
		if (client_pending(c) + len > ctl->opts.max_output) {
			pr_info("client %u: monitor fell %zu bytes behind; disconnecting it",
				c->id, client_pending(c));
			ctl->stats.clients_dropped++;
			client_drop(c);
			continue;
		}
		if (client_queue(c, line, len)) {
			client_drop(c);
			continue;
		}
		client_flush(c);
		client_update_events(c);
	}
}

/* Encodes the node once, however many monitors there are. */
static void control_on_change(void *ctx, struct graph_event *ev)
{
	struct control *ctl = ctx;
	enum graph_change change = ev->change;
	const json_t *node;
	size_t head, body;
	char *line;

	if (!ctl->stats.monitors)
		return;
	node = graph_event__json(ev);
	if (!node) {
		pr_warn("out of memory: monitors miss a graph change");
		return;
	}
	body = json_dumpb(node, NULL, 0, JSON_COMPACT);
	head = strlen(control_change_name(change)) + sizeof("{\"event\":\"\",\"node\":") - 1;
	line = malloc(head + body + 2);
	if (!line) {
		pr_warn("out of memory: monitors miss a graph change");
		return;
	}
	sprintf(line, "{\"event\":\"%s\",\"node\":", control_change_name(change));
	json_dumpb(node, line + head, body, JSON_COMPACT);
	line[head + body] = '}';
	line[head + body + 1] = '\n';
	control_broadcast(ctl, line, head + body + 2);
	free(line);
	control_reap(ctl);
}

/* mkdir -p of the socket's directory. */
static int control_make_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* -EADDRINUSE when a live process answers on addr, -ENOTSOCK when something
 * else than a socket is in the way; removes a socket file nobody listens on. */
static int control_claim(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0) {
		err = -EADDRINUSE;
		goto out;
	}
	if (errno == ECONNREFUSED) {
		struct stat st;

		if (lstat(addr->sun_path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			err = -ENOTSOCK;
			goto out;
		}
		pr_info("removing stale socket %s (nobody listens on it)", addr->sun_path);
		if (unlink(addr->sun_path) && errno != ENOENT)
			err = -errno;
	} else if (errno != ENOENT) {
		err = -errno;
	}
out:
	close(fd);
	return err;
}

static int control_listen(struct control *ctl, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	err = control_make_dir(path);
	if (err)
		return err;
	err = control_claim(&addr);
	if (err)
		return err;
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0)
		return -errno;
	/* bind fails with EADDRINUSE if another instance won the race since the claim. */
	if (bind(ctl->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(ctl->listen_fd, CONTROL_MAX_CLIENTS) || stat(path, &st))
		return -errno;
	ctl->listen_ino = st.st_ino;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->listen_fd,
		      &(struct epoll_event){ .events = EPOLLIN, .data.ptr = ctl }))
		return -errno;
	return 0;
}

int control__open(struct control **out, const struct control_opts *opts)
{
	struct control *ctl;
	int err = 0;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->opts = *opts;
	ctl->opts.path = NULL;	/* set once the socket file is ours to remove */
	if (!ctl->opts.max_clients)
		ctl->opts.max_clients = CONTROL_MAX_CLIENTS;
	if (!ctl->opts.max_output)
		ctl->opts.max_output = CONTROL_MAX_OUTPUT;
	ctl->listen_fd = -1;
	ctl->started_ms = control_now_ms();
	ctl->clients = calloc(ctl->opts.max_clients, sizeof(*ctl->clients));
	ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!ctl->clients || ctl->epfd < 0) {
		err = ctl->clients ? -errno : -ENOMEM;
		goto out;
	}
	if (opts->graph) {
		err = graph__watch(opts->graph, control_on_change, ctl);
		if (err)
			goto out;
	}
	if (opts->path) {
		err = control_listen(ctl, opts->path);
		if (err)
			goto out;
		ctl->opts.path = opts->path;
	}
	*out = ctl;
	return 0;
out:
	control__close(ctl);
	return err;
}

void control__close(struct control *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	for (unsigned int i = 0; i < ctl->nclients; i++)
		client_drop(ctl->clients[i]);
	ctl->in_batch = false;
	control_reap(ctl);
	if (ctl->opts.graph)
		graph__unwatch(ctl->opts.graph, control_on_change, ctl);
	if (ctl->listen_fd >= 0)
		close(ctl->listen_fd);
	/* A newer instance may have replaced the file: leave that one alone. */
	if (ctl->opts.path && stat(ctl->opts.path, &st) == 0 && st.st_ino == ctl->listen_ino)
		unlink(ctl->opts.path);
	if (ctl->epfd >= 0)
		close(ctl->epfd);
	free(ctl->clients);
	free(ctl);
}

int control__fd(const struct control *ctl)
{
	return ctl->epfd;
}

const struct control_opts *control__opts(const struct control *ctl)
{
	return &ctl->opts;
}

void control__get_stats(const struct control *ctl, struct control_stats *st)
{
	*st = ctl->stats;
	st->uptime_ms = control_now_ms() - ctl->started_ms;
	st->clients = ctl->nclients;
}
