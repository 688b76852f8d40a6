// SPDX-License-Identifier: GPL-2.0
/*
 * zs-echo IFACE ADDR PORT: a TCP echo server on zstack that copies nothing.
 *
 * Received payload arrives as a reference into its receive frame (zs_read)
 * and goes straight back out with zs_write: the frame's headroom (the kernel
 * leaves XDP_PACKET_HEADROOM before every received packet, and the received
 * headers follow it) takes the new headers in place. Only a connection whose
 * packets arrive on another queue than it sends on (RSS spreading one flow's
 * two directions, which veth never does) cannot: its frames belong to
 * another UMEM, zs_write says -EINVAL, and the payload is copied into a send
 * frame of its own queue.
 *
 * Each connection holds at most one received buffer and one unsent send
 * buffer: when the peer's window is full, reading stops and the stack's
 * receive window closes, so a client that sends without reading slows down
 * instead of growing the server's memory.
 */
#include <getopt.h>

#include "examples/zs_app.h"

struct conn {
	struct zs_app_conn app;
	struct zs_buf in;	/* received, not yet all copied out */
	size_t in_off;
	bool has_in;
	struct zs_buf out;	/* filled, refused by a full window */
	bool has_out;
	bool eof;		/* the peer's FIN was read */
};

static struct zs_stack *st;

static void usage(FILE *f)
{
	fprintf(f, "usage: zs-echo IFACE ADDR PORT\n"
		   "  TCP echo server on zstack: listens on ADDR:PORT of IFACE (ADDR 0.0.0.0:\n"
		   "  every address of IFACE) and sends back what each client sends. Needs the\n"
		   "  zstack-tna daemon of this network namespace ($ZSTACK_TNA_CONTROL names its\n"
		   "  socket). Stops on SIGINT or SIGTERM.\n");
}

static struct zs_app_conn *echo_accepted(struct zs_sock *s)
{
	struct conn *c = calloc(1, sizeof(*c));

	(void)s;
	return c ? &c->app : NULL;
}

static void echo_destroy(struct zs_app_conn *app)
{
	struct conn *c = (struct conn *)app;

	if (c->has_in)
		zs_buf_free(st, &c->in);
	if (c->has_out)
		zs_buf_free(st, &c->out);
	free(c);
}

/* Copies the next piece of c->in into a send frame of the socket's own queue. */
static int echo_copy(struct conn *c)
{
	size_t n;
	int err;

	err = zs_buf_alloc(c->app.sock, &c->out);
	if (err)
		return err;
	n = c->in.len - c->in_off < c->out.len ? c->in.len - c->in_off : c->out.len;
	memcpy(c->out.data, (char *)c->in.data + c->in_off, n);
	c->out.len = n;
	c->has_out = true;
	c->in_off += n;
	if (c->in_off == c->in.len) {
		zs_buf_free(st, &c->in);
		c->has_in = false;
	}
	return 0;
}

/* Echoes until the stack has nothing more to read or no room to send. */
static int echo_run(struct zs_app_conn *app)
{
	struct conn *c = (struct conn *)app;
	int err;

	for (;;) {
		if (c->has_out) {
			err = zs_write(app->sock, &c->out);
			if (err)
				return err; /* still ours: freed with the connection */
			c->has_out = false;
		}
		if (!c->has_in) {
			err = zs_read(app->sock, &c->in);
			if (err == -EAGAIN)
				return 0;
			/* The peer is done and all is echoed: close our side too. */
			if (err == -EPIPE)
				return 1;
			if (err)
				return err;
			c->has_in = true;
			c->in_off = 0;
		}
		err = c->in_off ? -EINVAL : zs_write(app->sock, &c->in);
		if (!err)
			c->has_in = false;
		else if (err == -EINVAL)
			err = echo_copy(c);
		if (err)
			return err;
	}
}

static const struct zs_app_ops echo_ops = {
	.accepted = echo_accepted,
	.run = echo_run,
	.destroy = echo_destroy,
};

static int serve(const char *ifname, const char *addr, uint16_t port)
{
	struct zs_sock *listener;
	int err;

	err = zs_app_open(&st, "zs-echo", ifname);
	if (err)
		return err;
	err = zs_listen(st, addr, port, 1024, &listener);
	if (err) {
		fprintf(stderr, "zs-echo: cannot listen on %s:%u: %s\n", addr, port,
			zs_strerror(st));
		goto out;
	}
	printf("zs-echo: listening on %s:%u (%s, %s mode)\n", addr, port, ifname,
	       zs_app_mode(st));
	fflush(stdout);
	err = zs_app_serve(st, listener, &echo_ops, "zs-echo");
out:
	zs_stack_close(st);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint16_t port;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	if (argc - optind != 3 || zs_app_port(argv[optind + 2], &port)) {
		usage(stderr);
		return 2;
	}
	zs_app_signals();
	return serve(argv[optind], argv[optind + 1], port) ? 1 : 0;
}
