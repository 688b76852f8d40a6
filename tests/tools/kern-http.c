// SPDX-License-Identifier: GPL-2.0
/*
 * kern-http ADDR PORT [--body BYTES]: the kernel-socket reference for zs-http
 * in the benchmark. The same HTTP/1.1 (examples/http1.h), so both send the
 * same bytes for the same requests; one thread with a level-triggered epoll
 * loop, because the benchmark pins each server to one CPU (run one per core
 * with SO_REUSEPORT to use more: not needed here). Responses go out with
 * writev straight from the prebuilt response: the kernel's copy into its
 * socket buffer is the only one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "examples/http1.h"

#define MAX_EVENTS 256
#define MAX_IOV 64
#define BODY_MAX (1u << 20)

struct conn {
	int fd;
	struct http1_parser parser;
	struct http1_out out;
	bool input_done;	/* a request ended the conversation: ignore the rest */
	bool shut;		/* our FIN is out */
	bool eof;		/* the client's FIN arrived */
	uint32_t interest;	/* the epoll events asked for now */
};

static volatile sig_atomic_t stop;
static char *response;
static size_t response_len;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kern-http ADDR PORT [--body BYTES]\n"
		   "  HTTP/1.1 keep-alive server on kernel sockets answering every GET with a\n"
		   "  body of BYTES (default 64, at most %u): the benchmark's reference for\n"
		   "  zs-http, byte for byte the same responses. Stops on SIGINT or SIGTERM.\n",
		BODY_MAX);
}

static void conn__free(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Writes what is owed until done or the socket is full. */
static int conn__flush(struct conn *c)
{
	while (!http1_out__empty(&c->out)) {
		struct iovec iov[MAX_IOV];
		int n = 0;
		ssize_t w;

		while (n < MAX_IOV) {
			const char *span;
			size_t len = http1_out__span(&c->out, n, &span);

			if (!len)
				break;
			iov[n].iov_base = (void *)span;
			iov[n++].iov_len = len;
		}
		w = writev(c->fd, iov, n);
		if (w < 0)
			return errno == EAGAIN ? 0 : -errno;
		http1_out__advance(&c->out, w);
	}
	if (c->input_done && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
	return 0;
}

/* Asks epoll for what the connection waits for: room to write while it owes
 * bytes (reading meanwhile would only pile up answers), input otherwise. */
static int conn__watch(int ep, struct conn *c)
{
	uint32_t want = http1_out__empty(&c->out) ? EPOLLIN : EPOLLOUT;
	struct epoll_event ev = { .events = want, .data.ptr = c };

	if (want == c->interest)
		return 0;
	c->interest = want;
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) ? -errno : 0;
}

/* One round for a ready connection; false when it is over. */
static bool conn__serve(int ep, struct conn *c, uint32_t events)
{
	static char in[65536];

	if (events & EPOLLIN) {
		ssize_t n = read(c->fd, in, sizeof(in));

		if (n < 0 && errno != EAGAIN)
			return false;
		if (n == 0)
			c->eof = true;
		if (n > 0 && !c->input_done)
			c->input_done = !http1_take(&c->parser, &c->out, in, n);
	}
	if (conn__flush(c))
		return false;
	if (http1_out__empty(&c->out) && c->eof)
		return false;
	return !conn__watch(ep, c);
}

static void accept_all(int ep, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int one = 1;
		struct epoll_event ev = { .events = EPOLLIN };
		struct conn *c;

		if (fd < 0)
			return;
		/* zstack sends at once; so does this server, for a fair latency. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->interest = EPOLLIN;
		http1_parser__init(&c->parser);
		http1_out__init(&c->out, response, response_len);
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
		}
	}
}

static int listen_on(const char *addr, unsigned long port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "kern-http: %s is not an IPv4 address\n", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4096)) {
		fprintf(stderr, "kern-http: cannot listen on %s:%lu: %s\n", addr, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "body", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct epoll_event events[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN };
	unsigned long body = 64, port;
	int opt, lfd, ep, ret = 1;
	char *end;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			body = strtoul(optarg, &end, 10);
			if (*end || !*optarg || body > BODY_MAX) {
				fprintf(stderr, "kern-http: --body takes 0 to %u bytes\n",
					BODY_MAX);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || !(port = strtoul(argv[optind + 1], &end, 10)) || *end ||
	    port > 65535) {
		usage(stderr);
		return 2;
	}
	if (http1_response_200(body, &response, &response_len)) {
		fprintf(stderr, "kern-http: out of memory\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(argv[optind], port);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (lfd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev))
		goto out;
	printf("kern-http: listening on %s:%lu, body %lu bytes\n", argv[optind], port, body);
	fflush(stdout);
	while (!stop) {
		int n = epoll_wait(ep, events, MAX_EVENTS, -1);

		if (n < 0 && errno != EINTR) {
			perror("kern-http: epoll_wait");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;

			if (!c)
				accept_all(ep, lfd);
			else if (!conn__serve(ep, c, events[i].events))
				conn__free(ep, c);
		}
	}
	ret = 0;
out:
	/* Connections still open go with the process. */
	if (ep >= 0)
		close(ep);
	if (lfd >= 0)
		close(lfd);
	free(response);
	return ret;
}
