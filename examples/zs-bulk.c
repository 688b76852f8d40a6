// SPDX-License-Identifier: GPL-2.0
/*
 * zs-bulk: bulk TCP transfers on zstack, one connection, either end.
 *
 *   zs-bulk IFACE --connect ADDR PORT --bytes N [--send | --recv] [--sha256] [--zeros]
 *   zs-bulk IFACE --listen ADDR PORT [--bytes N] [--send | --recv] [--sha256] [--zeros]
 *
 * Sends N bytes (--send), receives until the peer's FIN (--recv), or both at
 * once (the default: against an echo server, what comes back is what went
 * out). Prints bytes, seconds and Gbit/s per direction and, with --sha256,
 * the SHA-256 of the bytes; the clock runs from the connection's start to the
 * peer's FIN, which the peer sends once it has read everything.
 *
 * Both directions are zero-copy: the bytes sent are generated straight into
 * send frames (zs_buf_alloc), and received payload is hashed and counted
 * where it lies in its receive frame (zs_read).
 */
#include <getopt.h>
#include <sys/socket.h>
#include <time.h>

#include "assembler/sha256.h"
#include "examples/zs_app.h"

#define SEND_MAX (1ULL << 40)
/* How long a passive close waits for the peer's last ACK before leaving. */
#define LINGER_NS 1000000000ULL

struct side {
	bool on;
	uint64_t bytes;
	bool hash;
	struct sha256 sha;
	bool zeros;		/* send zeros: no cost to make the bytes */
};

struct bulk {
	struct zs_stack *st;
	struct zs_sock *sock;
	struct side tx, rx;
	uint64_t want;		/* bytes to send */
	uint64_t expect;	/* bytes to receive; 0: whatever comes */
	struct zs_buf pending;	/* filled, refused by a full window */
	bool has_pending;
	bool shut;		/* our FIN is queued */
	bool eof;		/* the peer's FIN was read */
	bool peer_first;	/* the peer closed before we did */
	bool closed;		/* ZS_EV_CLOSED came */
	uint64_t start_ns, end_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zs-bulk IFACE --connect ADDR PORT --bytes N [--send | --recv] [--sha256]\n"
		"                                              [--zeros]\n"
		"       zs-bulk IFACE --listen ADDR PORT [--bytes N] [--send | --recv] [--sha256]\n"
		"                                              [--zeros]\n"
		"  One bulk TCP transfer on zstack over IFACE, as client (--connect) or as\n"
		"  server of one connection (--listen). --send sends N bytes (K, M, G\n"
		"  suffixes: powers of 1024) then closes; --recv receives until the peer\n"
		"  closes (and checks the count if --bytes is given); neither does both at\n"
		"  once. Prints bytes, seconds and Gbit/s per direction, and with --sha256\n"
		"  the SHA-256 of each direction's bytes. The bytes sent are pseudo-random,\n"
		"  the same for every run, or zeros with --zeros (cheaper to make). Needs the\n"
		"  zstack-tna daemon of this network namespace ($ZSTACK_TNA_CONTROL). SIGINT\n"
		"  or SIGTERM stop it.\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The byte stream sent: SplitMix64 of each 8-byte word's index, so any
 * stretch can be generated from its offset alone. */
static uint64_t stream_word(uint64_t index)
{
	uint64_t z = index * 0x9e3779b97f4a7c15ULL + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void stream_fill(uint8_t *dst, uint64_t off, size_t len)
{
	while (len) {
		uint64_t w = stream_word(off / 8);
		size_t at = off % 8, n = 8 - at < len ? 8 - at : len;

		memcpy(dst, (uint8_t *)&w + at, n);
		dst += n;
		off += n;
		len -= n;
	}
}

static int bulk__send(struct bulk *b)
{
	int err;

	while (b->has_pending || b->tx.bytes < b->want) {
		if (!b->has_pending) {
			uint64_t left = b->want - b->tx.bytes;

			err = zs_buf_alloc(b->sock, &b->pending);
			if (err)
				return err;
			if (b->pending.len > left)
				b->pending.len = left;
			if (b->tx.zeros)
				memset(b->pending.data, 0, b->pending.len);
			else
				stream_fill(b->pending.data, b->tx.bytes, b->pending.len);
			if (b->tx.hash)
				sha256__update(&b->tx.sha, b->pending.data, b->pending.len);
			b->has_pending = true;
		}
		b->tx.bytes += b->pending.len;
		err = zs_write(b->sock, &b->pending);
		if (err == -EAGAIN) {
			b->tx.bytes -= b->pending.len;
			return 0;
		}
		if (err)
			return err; /* still pending: freed at the end */
		b->has_pending = false;
	}
	/* A receiver alone answers the peer's FIN with its own. */
	if (!b->shut && (b->tx.on || b->eof)) {
		err = zs_shutdown(b->sock, SHUT_WR);
		if (err)
			return err;
		b->shut = true;
		b->peer_first = b->eof;
	}
	return 0;
}

static int bulk__recv(struct bulk *b)
{
	struct zs_buf in;
	int err;

	while (!b->eof) {
		err = zs_read(b->sock, &in);
		if (err == -EAGAIN)
			return 0;
		if (err == -EPIPE) {
			b->eof = true;
			break;
		}
		if (err)
			return err;
		if (b->rx.hash)
			sha256__update(&b->rx.sha, in.data, in.len);
		b->rx.bytes += in.len;
		zs_buf_free(b->st, &in);
	}
	return 0;
}

/* Moves what can be moved; -ENOBUFS: no free frame, ZS_EV_WRITABLE follows. */
static int bulk__run(struct bulk *b)
{
	int err = bulk__recv(b);

	if (!err)
		err = bulk__send(b);
	if (!err && b->eof && b->shut && !b->end_ns)
		b->end_ns = now_ns();
	return err;
}

static bool bulk__finished(const struct bulk *b)
{
	if (!b->end_ns)
		return false;
	return !b->peer_first || b->closed || now_ns() - b->end_ns > LINGER_NS;
}

static void side__report(const char *what, const struct side *s, uint64_t ns)
{
	double secs = ns / 1e9;
	char hex[65];
	uint8_t digest[32];

	if (!s->on)
		return;
	printf("%s %llu bytes in %.3f s, %.3f Gbit/s", what, (unsigned long long)s->bytes, secs,
	       secs > 0 ? s->bytes * 8 / secs / 1e9 : 0.0);
	if (s->hash) {
		struct sha256 copy = s->sha;

		sha256__final(&copy, digest);
		sha256_hex(digest, hex);
		printf(", sha256 %s", hex);
	}
	printf("\n");
}

/* The connection's events until the transfer is over. */
static int bulk__loop(struct bulk *b, struct zs_sock *listener)
{
	struct zs_event events[64];
	int err = 0;

	while (!zs_app_stop && !bulk__finished(b)) {
		int n = zs_poll(b->st, events, 64, ZS_APP_POLL_MS);

		if (n == -EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "zs-bulk: %s\n", zs_strerror(b->st));
			return n;
		}
		for (int i = 0; i < n; i++) {
			struct zs_sock *s;

			if (events[i].sock == listener) {
				while (zs_accept(listener, &s) == 0) {
					if (b->sock) {
						zs_abort(s);
						continue;
					}
					b->sock = s;
					b->start_ns = now_ns();
				}
				continue;
			}
			if (events[i].sock != b->sock)
				continue;
			if (events[i].events & ZS_EV_CONNECTED)
				b->start_ns = now_ns();
			if (events[i].events & ZS_EV_CLOSED)
				b->closed = true;
			if (events[i].events & ZS_EV_ERROR) {
				err = zs_sock_error(b->sock);
				fprintf(stderr, "zs-bulk: the connection failed: %s\n",
					strerror(-err));
				return err;
			}
		}
		if (!b->sock || !b->start_ns || b->closed)
			continue;
		err = bulk__run(b);
		if (err && err != -ENOBUFS) {
			fprintf(stderr, "zs-bulk: %s\n", zs_strerror(b->st));
			return err;
		}
	}
	if (zs_app_stop) {
		fprintf(stderr, "zs-bulk: interrupted\n");
		return -EINTR;
	}
	if (!b->end_ns) {
		fprintf(stderr, "zs-bulk: the peer closed before the transfer ended\n");
		return -EPIPE;
	}
	if (b->expect && b->rx.bytes != b->expect) {
		fprintf(stderr, "zs-bulk: received %llu bytes, expected %llu\n",
			(unsigned long long)b->rx.bytes, (unsigned long long)b->expect);
		return -EPROTO;
	}
	return 0;
}

struct args {
	const char *ifname, *addr;
	uint16_t port;
	bool listen;
	uint64_t bytes;
	bool send_only, recv_only, sha, zeros;
};

static int bulk_main(const struct args *a)
{
	struct bulk b = {};
	struct zs_sock *listener = NULL;
	int err;

	b.tx.on = !a->recv_only;
	b.rx.on = !a->send_only;
	b.tx.hash = b.rx.hash = a->sha;
	b.tx.zeros = a->zeros;
	sha256__init(&b.tx.sha);
	sha256__init(&b.rx.sha);
	b.want = b.tx.on ? a->bytes : 0;
	b.expect = b.rx.on ? a->bytes : 0;
	err = zs_app_open(&b.st, "zs-bulk", a->ifname);
	if (err)
		return err;
	if (a->listen)
		err = zs_listen(b.st, a->addr, a->port, 16, &listener);
	else
		err = zs_connect(b.st, a->addr, a->port, &b.sock);
	if (err) {
		fprintf(stderr, "zs-bulk: cannot %s %s:%u: %s\n",
			a->listen ? "listen on" : "connect to", a->addr, a->port,
			zs_strerror(b.st));
		goto out;
	}
	printf("zs-bulk: %s %s:%u (%s, %s mode)\n", a->listen ? "listening on" : "connecting to",
	       a->addr, a->port, a->ifname, zs_app_mode(b.st));
	fflush(stdout);
	err = bulk__loop(&b, listener);
	if (b.start_ns) {
		uint64_t ns = (b.end_ns ? b.end_ns : now_ns()) - b.start_ns;

		side__report("sent", &b.tx, ns);
		side__report("received", &b.rx, ns);
	}
	if (b.has_pending)
		zs_buf_free(b.st, &b.pending);
	if (b.sock)
		zs_close(b.sock);
out:
	zs_stack_close(b.st);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", no_argument, NULL, 'c' },
		{ "listen", no_argument, NULL, 'l' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "send", no_argument, NULL, 's' },
		{ "recv", no_argument, NULL, 'r' },
		{ "sha256", no_argument, NULL, 'S' },
		{ "zeros", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct args a = {};
	bool connect = false, have_bytes = false;
	unsigned long long n;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			connect = true;
			break;
		case 'l':
			a.listen = true;
			break;
		case 'n':
			if (zs_app_number(optarg, 0, SEND_MAX, &n)) {
				fprintf(stderr, "zs-bulk: --bytes takes 0 to 1T bytes\n");
				return 2;
			}
			a.bytes = n;
			have_bytes = true;
			break;
		case 's':
			a.send_only = true;
			break;
		case 'r':
			a.recv_only = true;
			break;
		case 'S':
			a.sha = true;
			break;
		case 'z':
			a.zeros = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 3 || connect == a.listen || (a.send_only && a.recv_only) ||
	    (!have_bytes && !a.recv_only) || zs_app_port(argv[optind + 2], &a.port)) {
		usage(stderr);
		return 2;
	}
	a.ifname = argv[optind];
	a.addr = argv[optind + 1];
	zs_app_signals();
	return bulk_main(&a) ? 1 : 0;
}
