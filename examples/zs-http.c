// SPDX-License-Identifier: GPL-2.0
/*
 * zs-http IFACE ADDR PORT [--body BYTES]: an HTTP/1.1 keep-alive server on
 * zstack answering every GET with a body of BYTES, through the zero-copy
 * path: requests are parsed where they lie in the receive frames (zs_read
 * references), and the 200 response, written once per queue into send frames,
 * goes out on every connection by reference (zs_write_ref): the stack
 * prepends headers in place and the frames stay the server's. Only the rare
 * error answer is copied into a fresh frame.
 *
 * Pipelined requests are answered in order; a connection reads no more
 * requests while its answers wait for the peer's window.
 */
#include <getopt.h>

#include "examples/http1.h"
#include "examples/zs_app.h"

#define BODY_MAX (1u << 20)
#define QUEUES_MAX 64

struct conn {
	struct zs_app_conn app;
	struct http1_parser parser;
	struct http1_out out;
	struct zs_buf pending;	/* an error answer, refused by a full window */
	bool has_pending;
	bool input_done;	/* a request ended the conversation */
};

/* The 200 response in the frames of one queue, cut into pieces of one
 * segment each (the first connection's MSS). */
struct prebuilt {
	struct zs_buf *piece;
	size_t npieces;
	size_t piece_len;	/* every piece's but the last */
};

static struct zs_stack *st;
static char *response;
static size_t response_len;
static struct prebuilt prebuilt[QUEUES_MAX];

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

static void prebuilt__free(struct prebuilt *p)
{
	for (size_t i = 0; i < p->npieces; i++)
		zs_buf_free(st, &p->piece[i]);
	free(p->piece);
	memset(p, 0, sizeof(*p));
}

/* Writes the response into frames of s's queue. -ENOBUFS while the pool is
 * short: ZS_EV_WRITABLE tells s when to try again. */
static int prebuilt__build(struct prebuilt *p, struct zs_sock *s)
{
	struct zs_buf first;
	size_t off = 0;
	int err;

	err = zs_buf_alloc(s, &first);
	if (err)
		return err;
	p->piece_len = first.len;
	p->piece = calloc((response_len + p->piece_len - 1) / p->piece_len, sizeof(*p->piece));
	if (!p->piece) {
		zs_buf_free(st, &first);
		return -ENOMEM;
	}
	p->piece[p->npieces++] = first;
	for (;;) {
		struct zs_buf *b = &p->piece[p->npieces - 1];

		b->len = response_len - off < p->piece_len ? response_len - off : p->piece_len;
		memcpy(b->data, response + off, b->len);
		off += b->len;
		if (off == response_len)
			return 0;
		err = zs_buf_alloc(s, &p->piece[p->npieces]);
		if (err)
			break;
		p->npieces++;
	}
	prebuilt__free(p);
	return err;
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

/* Copies the rest of the current (error) answer into a send frame. */
static int conn__fill(struct conn *c)
{
	struct zs_buf *b = &c->pending;
	const char *span;
	size_t len = http1_out__span(&c->out, 0, &span);
	int err;

	err = zs_buf_alloc(c->app.sock, b);
	if (err)
		return err;
	if (len > b->len)
		len = b->len;
	memcpy(b->data, span, len);
	http1_out__advance(&c->out, len);
	b->len = len;
	c->has_pending = true;
	return 0;
}

/* Sends the next piece of what is owed: by reference when it is the 200. */
static int conn__send(struct conn *c)
{
	struct prebuilt *p = &prebuilt[zs_sock_queue(c->app.sock) % QUEUES_MAX];
	const char *span = NULL;
	const struct zs_buf *piece;
	int err;

	http1_out__span(&c->out, 0, &span);
	if (!c->has_pending && span >= response && span < response + response_len) {
		if (!p->npieces) {
			err = prebuilt__build(p, c->app.sock);
			if (err)
				return err;
		}
		piece = &p->piece[(size_t)(span - response) / p->piece_len];
		err = zs_write_ref(c->app.sock, piece);
		if (!err)
			http1_out__advance(&c->out, piece->len);
		return err;
	}
	if (!c->has_pending) {
		err = conn__fill(c);
		if (err)
			return err;
	}
	err = zs_write(c->app.sock, &c->pending);
	if (!err)
		c->has_pending = false;
	return err; /* on error still ours: freed with the connection */
}

/* Sends what is owed, then reads requests, until one of them waits. */
static int http_run(struct zs_app_conn *app)
{
	struct conn *c = (struct conn *)app;
	struct zs_buf in;
	int err;

	for (;;) {
		while (c->has_pending || !http1_out__empty(&c->out)) {
			err = conn__send(c);
			if (err)
				return err;
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
	for (int q = 0; q < QUEUES_MAX; q++)
		prebuilt__free(&prebuilt[q]);
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
