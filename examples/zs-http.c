// SPDX-License-Identifier: GPL-2.0
/*
 * zs-http IFACE ADDR PORT [--body BYTES]: an HTTP/1.1 keep-alive server on
 * zstack answering every GET with a body of BYTES, through the zero-copy
 * path: requests are parsed where they lie in the receive frames (zs_read
 * references), responses are written into send frames (zs_buf_alloc) that go
 * out with their headers prepended in place (zs_write).
 *
 * The response is built once; each answer copies it into fresh send frames,
 * because zs_write keeps a frame until it is acknowledged and then frees it:
 * a frame cannot be sent twice. Pipelined requests are answered in order,
 * back to back in the same frames; a connection reads no more requests while
 * its answers wait for the peer's window.
 */
#include <getopt.h>

#include "examples/http1.h"
#include "examples/zs_app.h"

#define BODY_MAX (1u << 20)

struct conn {
	struct zs_app_conn app;
	struct http1_parser parser;
	struct http1_out out;
	struct zs_buf pending;	/* filled, refused by a full window */
	bool has_pending;
	bool input_done;	/* a request ended the conversation */
};

static struct zs_stack *st;
static char *response;
static size_t response_len;

static void usage(FILE *f)
{
	fprintf(f, "usage: zs-http IFACE ADDR PORT [--body BYTES]\n"
		   "  HTTP/1.1 keep-alive server on zstack: listens on ADDR:PORT of IFACE and\n"
		   "  answers every GET with 200 and a body of BYTES (default 64, at most %u;\n"
		   "  K and M suffixes allowed). Needs the zstack-tna daemon of this network\n"
		   "  namespace ($ZSTACK_TNA_CONTROL names its socket). Stops on SIGINT or\n"
		   "  SIGTERM.\n",
		BODY_MAX);
}

static struct zs_app_conn *http_accepted(struct zs_sock *s)
{
	struct conn *c = calloc(1, sizeof(*c));

	(void)s;
	if (!c)
		return NULL;
	http1_parser__init(&c->parser);
	http1_out__init(&c->out, response, response_len);
	return &c->app;
}

static void http_destroy(struct zs_app_conn *app)
{
	struct conn *c = (struct conn *)app;

	if (c->has_pending)
		zs_buf_free(st, &c->pending);
	free(c);
}

/* Fills a send frame with the next bytes owed: the end of one answer and
 * the start of the next may share it. */
static int conn__fill(struct conn *c)
{
	struct zs_buf *b = &c->pending;
	size_t room, len = 0;
	const char *span;
	int err;

	err = zs_buf_alloc(c->app.sock, b);
	if (err)
		return err;
	room = b->len;
	for (uint64_t n = 0; len < room; n++) {
		size_t piece = http1_out__span(&c->out, n, &span);

		if (!piece)
			break;
		if (piece > room - len)
			piece = room - len;
		memcpy((char *)b->data + len, span, piece);
		len += piece;
	}
	http1_out__advance(&c->out, len);
	b->len = len;
	c->has_pending = true;
	return 0;
}

/* Sends what is owed, then reads requests, until one of them waits. */
static int http_run(struct zs_app_conn *app)
{
	struct conn *c = (struct conn *)app;
	struct zs_buf in;
	int err;

	for (;;) {
		while (c->has_pending || !http1_out__empty(&c->out)) {
			if (!c->has_pending) {
				err = conn__fill(c);
				if (err)
					return err;
			}
			err = zs_write(app->sock, &c->pending);
			if (err == -EAGAIN)
				return 0;
			if (err)
				return err; /* still ours: freed with the connection */
			c->has_pending = false;
		}
		if (c->input_done)
			return 1;
		err = zs_read(app->sock, &in);
		if (err == -EAGAIN)
			return 0;
		/* The client's FIN, everything answered: close. */
		if (err == -EPIPE)
			return 1;
		if (err)
			return err;
		c->input_done = !http1_take(&c->parser, &c->out, in.data, in.len);
		zs_buf_free(st, &in);
	}
}

static const struct zs_app_ops http_ops = {
	.accepted = http_accepted,
	.run = http_run,
	.destroy = http_destroy,
};

static int serve(const char *ifname, const char *addr, uint16_t port, size_t body)
{
	struct zs_sock *listener;
	int err;

	err = http1_response_200(body, &response, &response_len);
	if (err) {
		fprintf(stderr, "zs-http: out of memory\n");
		return err;
	}
	err = zs_app_open(&st, "zs-http", ifname);
	if (err)
		goto out_free;
	err = zs_listen(st, addr, port, 1024, &listener);
	if (err) {
		fprintf(stderr, "zs-http: cannot listen on %s:%u: %s\n", addr, port,
			zs_strerror(st));
		goto out;
	}
	printf("zs-http: listening on %s:%u (%s, %s mode), body %zu bytes\n", addr, port,
	       ifname, zs_app_mode(st), body);
	fflush(stdout);
	err = zs_app_serve(st, listener, &http_ops, "zs-http");
out:
	zs_stack_close(st);
out_free:
	free(response);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "body", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long long body = 64;
	uint16_t port;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (zs_app_number(optarg, 0, BODY_MAX, &body)) {
				fprintf(stderr, "zs-http: --body takes 0 to %u bytes\n", BODY_MAX);
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
	if (argc - optind != 3 || zs_app_port(argv[optind + 2], &port)) {
		usage(stderr);
		return 2;
	}
	zs_app_signals();
	return serve(argv[optind], argv[optind + 1], port, body) ? 1 : 0;
}
