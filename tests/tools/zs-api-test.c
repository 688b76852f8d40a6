// SPDX-License-Identifier: GPL-2.0
/*
 * zs-api-test: the zs_* API against kernel peers, for tests/integration/zs_api.sh.
 *
 *   zs-api-test serve IFACE ADDR PORT REPLY SECONDS
 *	A zstack server run from an epoll loop that also holds a kernel UDP
 *	socket (ADDR:PORT+1): zs_fd beside a kernel fd. Per connection it reads
 *	to end of stream (zs_read), answers "LEN HASH\n" and REPLY pattern
 *	bytes (zs_buf_alloc + zs_write), then closes (FIN after the reply).
 *	A connection whose data starts with "ABORT"
 *	is aborted (RST) instead. Each UDP datagram is answered with the
 *	stack's counters: "payload_copies N tx_copies N connections N".
 *
 *   zs-api-test connect IFACE ADDR PORT BYTES [copy]
 *	A zstack client run from zs_poll: sends BYTES pattern bytes (zs_write,
 *	or zs_send with "copy"), shuts down its side, reads to end of stream
 *	(zs_read, or zs_recv), closes, and prints "connected_ms MS" (from
 *	zs_connect to ZS_EV_CONNECTED), "sent LEN HASH", "received LEN HASH"
 *	and the counters.
 *
 * HASH is FNV-1a 64 in hex; pattern byte i is (i * 131 + 7) mod 256.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zstack/zstack.h"

#define FNV_INIT 0xcbf29ce484222325ULL

struct flow {
	uint64_t rx_len, rx_hash;
	uint64_t tx_len, tx_total, tx_hash;
	char head[64];		/* the reply's first line, sent before the pattern */
	size_t head_len, head_off;
	bool eof, aborted, shut;	/* shut: the client's SHUT_WR is done */
};

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + 7);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes the next n bytes of f's reply (head line, then pattern) at p. */
static size_t fill(const struct flow *f, uint8_t *p, size_t room)
{
	size_t n = 0, h = f->head_off;
	uint64_t t = f->tx_len;

	for (; n < room && h < f->head_len; n++)
		p[n] = (uint8_t)f->head[h++];
	for (; n < room && t < f->tx_total; n++)
		p[n] = pattern(t++);
	return n;
}

/* n more bytes of the reply went out; hash is the running hash including them. */
static void advance(struct flow *f, size_t n, uint64_t hash)
{
	size_t h = f->head_len - f->head_off;

	f->tx_hash = hash;
	if (n <= h) {
		f->head_off += n;
		return;
	}
	f->head_off = f->head_len;
	f->tx_len += n - h;
}

static bool all_sent(const struct flow *f)
{
	return f->head_off == f->head_len && f->tx_len == f->tx_total;
}

/* Queues frames until all is sent (true) or the window is full (false). */
static bool send_more(struct zs_stack *st, struct zs_sock *s, struct flow *f, bool copy)
{
	while (!all_sent(f)) {
		uint8_t chunk[1448];
		struct zs_buf buf;
		uint64_t hash;
		ssize_t w;
		size_t n;

		if (copy) {
			n = fill(f, chunk, sizeof(chunk));
			w = zs_send(s, chunk, n);
			if (w <= 0)
				return false;
			advance(f, (size_t)w, fnv(f->tx_hash, chunk, (size_t)w));
			continue;
		}
		if (zs_buf_alloc(s, &buf))
			return false;
		n = buf.len = fill(f, buf.data, buf.len);
		/* Hashed before zs_write: from there on the frame is the stack's. */
		hash = fnv(f->tx_hash, buf.data, n);
		if (zs_write(s, &buf)) {
			zs_buf_free(st, &buf);
			return false;
		}
		advance(f, n, hash);
	}
	return true;
}

/* Reads what is there; f->eof once the stream ended (or failed). */
static void read_all(struct zs_stack *st, struct zs_sock *s, struct flow *f, bool copy)
{
	for (;;) {
		uint8_t chunk[4096];
		struct zs_buf buf;
		const uint8_t *p;
		size_t n;
		int err = 0;

		if (copy) {
			ssize_t r = zs_recv(s, chunk, sizeof(chunk));

			if (r < 0)
				err = (int)r;
			p = chunk;
			n = r > 0 ? (size_t)r : 0;
		} else {
			err = zs_read(s, &buf);
			p = buf.data;
			n = err ? 0 : buf.len;
		}
		if (err) {
			f->eof = err != -EAGAIN;
			return;
		}
		if (!f->rx_len && n >= 5 && !memcmp(p, "ABORT", 5))
			f->aborted = true;
		f->rx_hash = fnv(f->rx_hash, p, n);
		f->rx_len += n;
		if (!copy)
			zs_buf_free(st, &buf);
	}
}

static void print_counters(FILE *out, struct zs_stack *st)
{
	struct zs_stats c;

	zs_stats(st, &c);
	fprintf(out, "payload_copies %" PRIu64 " tx_copies %" PRIu64 " connections %" PRIu64
		" retransmits %" PRIu64 "\n", c.payload_copies, c.tx_copies, c.connections,
		c.retransmits);
}

/* One served connection's turn: read, then answer once the peer is done. */
static void serve_flow(struct zs_stack *st, struct zs_sock *s, struct flow *f, uint32_t ev)
{
	if (ev & ZS_EV_READABLE)
		read_all(st, s, f, false);
	if (f->aborted) {
		zs_abort(s);
		free(f);
		return;
	}
	if (f->eof && !f->head_len) {
		f->head_len = (size_t)snprintf(f->head, sizeof(f->head), "%" PRIu64 " %016" PRIx64
					       "\n", f->rx_len, f->rx_hash);
		f->tx_hash = FNV_INIT;
	}
	/* The FIN follows the reply: zs_close is a graceful close. */
	if (f->head_len && send_more(st, s, f, false)) {
		zs_close(s);
		free(f);
		return;
	}
	if (ev & ZS_EV_CLOSED) {
		zs_close(s);
		free(f);
	}
}

static void serve_events(struct zs_stack *st, struct zs_sock *l, uint64_t reply)
{
	struct zs_event ev[64];
	int n = zs_poll(st, ev, 64, 0);

	for (int i = 0; i < n; i++) {
		struct zs_sock *s = ev[i].sock, *c;

		if (s == l) {
			while (!zs_accept(l, &c)) {
				struct flow *f = calloc(1, sizeof(*f));

				if (!f) {
					zs_abort(c);
					continue;
				}
				f->rx_hash = FNV_INIT;
				f->tx_total = reply;
				zs_sock_set_user(c, f);
				/* Data may have come with the handshake's end. */
				serve_flow(st, c, f, ZS_EV_READABLE);
			}
			continue;
		}
		serve_flow(st, s, ev[i].user, ev[i].events);
	}
}

static int serve(const char *ifname, const char *addr, uint16_t port, uint64_t reply,
		 double seconds)
{
	struct zs_config cfg = { .ifname = ifname, .queue = -1, .app_name = "zs-api-test" };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port + 1) };
	struct epoll_event e = { .events = EPOLLIN };
	struct zs_stack *st = NULL;
	struct zs_sock *l = NULL;
	int ep = -1, udp = -1, err;
	double end = now_s() + seconds;

	err = zs_open(&st, &cfg);
	if (err) {
		fprintf(stderr, "zs-api-test: %s\n", zs_strerror(NULL));
		return 1;
	}
	err = zs_listen(st, addr, port, 128, &l);
	if (err) {
		fprintf(stderr, "zs-api-test: %s\n", zs_strerror(st));
		goto out;
	}
	inet_pton(AF_INET, addr, &sin.sin_addr);
	ep = epoll_create1(0);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (ep < 0 || udp < 0 || bind(udp, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("zs-api-test: the kernel UDP socket");
		err = -errno;
		goto out;
	}
	e.data.fd = udp;
	epoll_ctl(ep, EPOLL_CTL_ADD, udp, &e);
	e.data.fd = zs_fd(st);
	epoll_ctl(ep, EPOLL_CTL_ADD, zs_fd(st), &e);
	printf("listening %s mode\n", zs_mode(st) == ZS_MODE_ZEROCOPY ? "zero-copy" : "copy");
	fflush(stdout);
	while (now_s() < end) {
		struct epoll_event got[4];
		int n = epoll_wait(ep, got, 4, 100);

		for (int i = 0; i < n; i++) {
			struct sockaddr_in from;
			socklen_t flen = sizeof(from);
			char req[64], line[256];
			FILE *mem;

			if (got[i].data.fd != udp) {
				serve_events(st, l, reply);
				continue;
			}
			if (recvfrom(udp, req, sizeof(req), 0, (struct sockaddr *)&from, &flen) < 0)
				continue;
			mem = fmemopen(line, sizeof(line), "w");
			print_counters(mem, st);
			fclose(mem);
			sendto(udp, line, strlen(line), 0, (struct sockaddr *)&from, flen);
		}
	}
	print_counters(stdout, st);
out:
	if (udp >= 0)
		close(udp);
	if (ep >= 0)
		close(ep);
	zs_stack_close(st);
	return err ? 1 : 0;
}

static int client(const char *ifname, const char *addr, uint16_t port, uint64_t bytes, bool copy)
{
	struct zs_config cfg = { .ifname = ifname, .queue = -1, .app_name = "zs-api-test" };
	struct flow f = { .rx_hash = FNV_INIT, .tx_hash = FNV_INIT, .tx_total = bytes };
	struct zs_stack *st = NULL;
	struct zs_sock *s = NULL;
	bool closed = false, connected = false;
	double end = now_s() + 20, start = 0, connect_s = -1;
	int err;

	err = zs_open(&st, &cfg);
	if (err) {
		fprintf(stderr, "zs-api-test: %s\n", zs_strerror(NULL));
		return 1;
	}
	start = now_s();
	err = zs_connect(st, addr, port, &s);
	if (err) {
		fprintf(stderr, "zs-api-test: %s\n", zs_strerror(st));
		goto out;
	}
	while (!closed && now_s() < end) {
		struct zs_event ev[8];
		int n = zs_poll(st, ev, 8, 100);

		for (int i = 0; i < n; i++) {
			if (ev[i].events & ZS_EV_ERROR) {
				fprintf(stderr, "zs-api-test: connection failed: %s\n",
					strerror(-zs_sock_error(s)));
				err = zs_sock_error(s);
				goto out;
			}
			if ((ev[i].events & ZS_EV_CONNECTED) && !connected)
				connect_s = now_s() - start;
			connected |= !!(ev[i].events & ZS_EV_CONNECTED);
			if (ev[i].events & ZS_EV_READABLE)
				read_all(st, s, &f, copy);
			closed = !!(ev[i].events & ZS_EV_CLOSED);
		}
		if (connected && !f.shut && send_more(st, s, &f, copy)) {
			f.shut = true;
			zs_shutdown(s, SHUT_WR);
		}
		if (f.eof && f.shut && !closed) {
			/* Our FIN and the peer's are both out: close and let the stack finish. */
			zs_close(s);
			s = NULL;
			zs_poll(st, ev, 8, 200);
			closed = true;
		}
	}
	printf("connected_ms %.0f\n", connect_s * 1000);
	printf("sent %" PRIu64 " %016" PRIx64 "\n", f.tx_len, f.tx_hash);
	printf("received %" PRIu64 " %016" PRIx64 "\n", f.rx_len, f.rx_hash);
	print_counters(stdout, st);
	err = closed ? 0 : -ETIMEDOUT;
out:
	zs_stack_close(st);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	long port = argc > 4 ? strtol(argv[4], NULL, 10) : 0;

	if (argc == 7 && !strcmp(argv[1], "serve") && port > 0 && port < 65535)
		return serve(argv[2], argv[3], (uint16_t)port, strtoull(argv[5], NULL, 10),
			     strtod(argv[6], NULL));
	if ((argc == 6 || (argc == 7 && !strcmp(argv[6], "copy"))) &&
	    !strcmp(argv[1], "connect") && port > 0 && port < 65536)
		return client(argv[2], argv[3], (uint16_t)port, strtoull(argv[5], NULL, 10),
			      argc == 7);
	fprintf(stderr, "usage: zs-api-test serve IFACE ADDR PORT REPLY_BYTES SECONDS\n"
		"       zs-api-test connect IFACE ADDR PORT BYTES [copy]\n");
	return 2;
}
