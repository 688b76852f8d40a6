// SPDX-License-Identifier: GPL-2.0
/*
 * (CHECK evaluates its condition twice, so every call with a side effect is
 * made before the CHECK.)
 *
 * The control protocol on bad and good input: framing, request parsing and
 * dispatch without sockets, then the real server over socketpairs and over a
 * socket file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "controller/control.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/proto.h"
#include "tests/check.h"

/* Feeds s into the framer as if read from a socket; returns bytes taken. */
static size_t feed(struct proto_framer *f, const char *s, size_t len)
{
	char *at;
	size_t space = proto_framer__space(f, &at);

	if (len > space)
		len = space;
	memcpy(at, s, len);
	proto_framer__commit(f, len);
	return len;
}

static void test_framer(void)
{
	static struct proto_framer f;
	char *line, *big;
	size_t len, space;
	int r;

	proto_framer__init(&f);
	CHECK_EQ_INT(proto_framer__next(&f, &line, &len), 0, "framer: nothing held, no line");
	feed(&f, "{\"cmd\":", 7);
	CHECK_EQ_INT(proto_framer__next(&f, &line, &len), 0, "framer: partial line waits");
	feed(&f, "\"ping\"}\r\n\n{\"cmd\":\"graph\"}\n{\"cm", 33);
	r = proto_framer__next(&f, &line, &len);
	CHECK(r == 1 && len == 14 && strcmp(line, "{\"cmd\":\"ping\"}") == 0,
	      "framer: line split over two reads, CRLF cut");
	r = proto_framer__next(&f, &line, &len);
	CHECK(r == 1 && len == 0, "framer: empty line");
	r = proto_framer__next(&f, &line, &len);
	CHECK(r == 1 && strcmp(line, "{\"cmd\":\"graph\"}") == 0,
	      "framer: second line of the same read");
	CHECK_EQ_INT(proto_framer__next(&f, &line, &len), 0, "framer: tail without newline waits");
	r = proto_framer__rest(&f, &line, &len);
	CHECK(r == 1 && strcmp(line, "{\"cm") == 0, "framer: unterminated tail at end of stream");
	CHECK_EQ_INT(proto_framer__rest(&f, &line, &len), 0, "framer: nothing after the tail");

	big = malloc(PROTO_MAX_LINE + 2);
	memset(big, ' ', PROTO_MAX_LINE + 2);
	big[PROTO_MAX_LINE] = '\n';
	proto_framer__init(&f);
	CHECK_EQ_INT(feed(&f, big, PROTO_MAX_LINE + 1), PROTO_MAX_LINE + 1,
		     "framer: a line of the maximum length fits");
	r = proto_framer__next(&f, &line, &len);
	CHECK(r == 1 && len == PROTO_MAX_LINE, "framer: a line of the maximum length is whole");

	proto_framer__init(&f);
	for (int i = 0; i < 3; i++)
		feed(&f, big, 30000);
	CHECK_EQ_INT(proto_framer__next(&f, &line, &len), -EMSGSIZE,
		     "framer: 64 KiB without newline is too large");
	CHECK_EQ_INT(proto_framer__rest(&f, &line, &len), -EMSGSIZE,
		     "framer: too large at end of stream too");
	space = proto_framer__space(&f, &line);
	CHECK(space == 0, "framer: takes no more bytes when too large");
	free(big);
}

static const char *error_code(const json_t *resp)
{
	return json_string_value(json_object_get(json_object_get(resp, "error"), "code"));
}

static const char *error_message(const json_t *resp)
{
	return json_string_value(json_object_get(json_object_get(resp, "error"), "message"));
}

static void expect_bad(const char *line, size_t len, const char *what)
{
	json_t *req, *err;
	int r = proto_parse_request(line, len, &req, &err);

	CHECK(r == -EINVAL && !req && err && json_is_false(json_object_get(err, "ok")) &&
	      strcmp(error_code(err) ?: "", PROTO_E_BAD_REQUEST) == 0 && error_message(err),
	      "parse: %s is a bad request (%s)", what, err ? error_message(err) : "no response");
	json_decref(err);
}

static void test_parse(void)
{
	static const char nul[] = "{\"cmd\":\"ping\"\0}";
	json_t *req, *err;
	const char *s;
	int r;

	expect_bad("", 0, "an empty line");
	expect_bad(" \t", 2, "blanks");
	expect_bad("garbage", 7, "garbage");
	expect_bad("{\"cmd\":\"gr", 10, "truncated JSON");
	expect_bad("[1,2]", 5, "an array");
	expect_bad("\"graph\"", 7, "a string");
	expect_bad("42", 2, "a number");
	expect_bad("{}", 2, "an object without cmd");
	expect_bad("{\"cmd\":5}", 9, "a numeric cmd");
	expect_bad("{\"cmd\":null}", 12, "a null cmd");
	expect_bad(nul, sizeof(nul) - 1, "a NUL byte");
	expect_bad("{\"cmd\":\"ping\"} {}", 17, "two objects on one line");

	r = proto_parse_request("{\"cmd\":\"show\",\"id\":\"link:1\"}", 28, &req, &err);
	CHECK(r == 0 && req && !err, "parse: a valid request");
	r = proto_arg_string(req, "id", &s);
	CHECK(r == 0 && strcmp(s, "link:1") == 0, "parse: string argument");
	CHECK_EQ_INT(proto_arg_string(req, "bridge", &s), -ENOENT, "parse: absent argument");
	json_decref(req);
	proto_parse_request("{\"cmd\":\"fdb\",\"bridge\":7}", 24, &req, &err);
	CHECK_EQ_INT(proto_arg_string(req, "bridge", &s), -EINVAL, "parse: argument not a string");
	json_decref(req);
}

static json_t *fake_echo(void *ctx, const json_t *req)
{
	(*(int *)ctx)++;
	return proto_ok(json_deep_copy(json_object_get(req, "arg")));
}

static json_t *fake_oom(void *ctx, const json_t *req)
{
	(void)ctx;
	(void)req;
	return NULL;
}

/* Writes [1,2] in pieces, or refuses when the request has "refuse". */
static int fake_stream(void *ctx, const json_t *req, json_t **error, json_dump_callback_t write,
		       void *data)
{
	(*(int *)ctx)++;
	*error = NULL;
	if (json_object_get(req, "refuse")) {
		*error = proto_error(PROTO_E_NOT_FOUND, "refused");
		return -ENOENT;
	}
	if (write("[1", 2, data) || write(",2]", 3, data))
		return -ENOMEM;
	return 0;
}

/* A writer into a fixed buffer that fails once limit bytes are taken. */
struct mem_out {
	char buf[4096];
	size_t len, limit;
};

static int mem_write(const char *buf, size_t len, void *data)
{
	struct mem_out *m = data;

	if (m->len + len > m->limit)
		return -1;
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static const struct proto_command fake_cmds[] = {
	{ .name = "echo", .run = fake_echo },
	{ .name = "other", .run = fake_echo },
	{ .name = "oom", .run = fake_oom },
	{ .name = "stream", .stream = fake_stream },
};

/* Serves line into m (emptied first, limited to limit bytes): proto_serve's result. */
static int serve(struct mem_out *m, size_t limit, int *calls, const char *line)
{
	m->len = 0;
	m->limit = limit;
	return proto_serve(fake_cmds, 4, calls, line, strlen(line), mem_write, m);
}

/* m's text, which must be one line, parsed; NULL otherwise. */
static json_t *served(const struct mem_out *m)
{
	if (!m->len || m->buf[m->len - 1] != '\n' || memchr(m->buf, '\n', m->len - 1))
		return NULL;
	return json_loadb(m->buf, m->len - 1, 0, NULL);
}

static bool served_is(const struct mem_out *m, const char *text)
{
	return m->len == strlen(text) && memcmp(m->buf, text, m->len) == 0;
}

static void test_dispatch(void)
{
	static struct mem_out m;
	json_t *resp;
	size_t len;
	char *out;
	int calls = 0, err;

	err = serve(&m, sizeof(m.buf), &calls, "{\"cmd\":\"echo\",\"arg\":[1,\"x\"]}");
	CHECK(err == 0 && calls == 1, "serve: runs the named command");
	CHECK(served_is(&m, "{\"ok\":true,\"result\":[1,\"x\"]}\n"),
	      "serve: its response, compact and in order, as one line");
	resp = proto_ok(json_pack("[i,s]", 1, "x"));
	out = proto_encode(resp, &len);
	CHECK(out && len == m.len && memcmp(out, m.buf, len) == 0,
	      "encode: the same line as serve");
	free(out);
	json_decref(resp);

	err = serve(&m, sizeof(m.buf), &calls, "{\"cmd\":\"nope\"}");
	resp = served(&m);
	CHECK(err == 0 && calls == 1 &&
	      strcmp(error_code(resp) ?: "", PROTO_E_UNKNOWN_COMMAND) == 0,
	      "serve: unknown command is refused");
	CHECK(strstr(error_message(resp) ?: "", "\"nope\"") &&
	      strstr(error_message(resp) ?: "", "echo, other"),
	      "serve: the refusal names it and lists the known ones (%s)", error_message(resp));
	json_decref(resp);
	err = serve(&m, sizeof(m.buf), &calls, "nope");
	resp = served(&m);
	CHECK(err == 0 && calls == 1 && strcmp(error_code(resp) ?: "", PROTO_E_BAD_REQUEST) == 0,
	      "serve: garbage runs nothing");
	json_decref(resp);
	err = serve(&m, sizeof(m.buf), &calls, "{\"cmd\":\"oom\"}");
	CHECK(err == 0 && served_is(&m, PROTO_OOM_LINE), "serve: no response is out of memory");

	err = serve(&m, sizeof(m.buf), &calls, "{\"cmd\":\"stream\"}");
	CHECK(err == 0 && calls == 2 && served_is(&m, "{\"ok\":true,\"result\":[1,2]}\n"),
	      "serve: a streamed result in one line");
	err = serve(&m, sizeof(m.buf), &calls, "{\"cmd\":\"stream\",\"refuse\":1}");
	resp = served(&m);
	CHECK(err == 0 && strcmp(error_code(resp) ?: "", PROTO_E_NOT_FOUND) == 0,
	      "serve: a stream command's error is the whole answer");
	json_decref(resp);
	err = serve(&m, 22, &calls, "{\"cmd\":\"stream\"}");
	CHECK_EQ_INT(err, -ENOMEM, "serve: a stream cut short by its writer fails");
	err = serve(&m, 10, &calls, "{\"cmd\":\"echo\",\"arg\":\"long enough\"}");
	CHECK_EQ_INT(err, -ENOMEM, "serve: a response cut short by its writer fails");
}

/* Runs the server until a whole line arrives on fd (or the peer closes): the
 * line without its newline (caller frees), or NULL. Bounded to about a second. */
static char *exchange_raw(struct control *ctl, int fd, const char *send_line)
{
	static char buf[4 << 20];
	static size_t held;
	char *nl;

	if (send_line && send(fd, send_line, strlen(send_line), MSG_NOSIGNAL) < 0)
		return NULL;
	for (int i = 0; i < 200; i++) {
		nl = memchr(buf, '\n', held);
		if (nl) {
			char *line = strndup(buf, nl - buf);

			held -= nl + 1 - buf;
			memmove(buf, nl + 1, held);
			return line;
		}
		control__process(ctl);
		poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 5);
		ssize_t n = recv(fd, buf + held, sizeof(buf) - held, MSG_DONTWAIT);

		if (n == 0)
			return NULL;
		if (n > 0)
			held += n;
	}
	return NULL;
}

/* exchange_raw's line, parsed. */
static json_t *exchange(struct control *ctl, int fd, const char *send_line)
{
	char *line = exchange_raw(ctl, fd, send_line);
	json_t *msg = line ? json_loads(line, 0, NULL) : NULL;

	free(line);
	return msg;
}

/* True when the server closed fd's connection within about a second; drops
 * whatever was still queued for fd. */
static bool closed_by_server(struct control *ctl, int fd)
{
	static char buf[65536];

	for (int i = 0; i < 200; i++) {
		control__process(ctl);
		poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 5);
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN))
			return true;
	}
	return false;
}

static bool is_error(json_t *resp, const char *code)
{
	bool match = resp && strcmp(error_code(resp) ?: "", code) == 0;

	json_decref(resp);
	return match;
}

static bool is_ok(json_t *resp)
{
	bool ok = resp && json_is_true(json_object_get(resp, "ok"));

	json_decref(resp);
	return ok;
}

static int client(struct control *ctl)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (control__adopt(ctl, sv[0])) {
		close(sv[1]);
		return -1;
	}
	return sv[1];
}

static void upsert_link(struct graph *g, int ifindex, const char *name)
{
	struct tna_obj obj = { .kind = TNA_OBJ_LINK };

	obj.link.ifindex = ifindex;
	snprintf(obj.link.name, sizeof(obj.link.name), "%s", name);
	obj.link.mtu = 1500;
	obj.link.link_netnsid = -1;
	graph__upsert(g, &obj);
}

/* A graph answer a hundred times max_output, to a client that is not a
 * monitor, arrives whole while the server never blocks: graph__to_json's text. */
static void test_large_answer(struct control *ctl, struct graph *g)
{
	static const char head[] = "{\"ok\":true,\"result\":";
	char *line, *want;
	json_t *tree;
	bool closed;
	int fd;

	for (int i = 0; i < 3000; i++)
		upsert_link(g, 1000 + i, "bulk");
	tree = graph__to_json(g);
	want = tree ? json_dumps(tree, JSON_COMPACT) : NULL;
	json_decref(tree);
	fd = client(ctl);
	line = exchange_raw(ctl, fd, "{\"cmd\":\"graph\"}\n");
	CHECK(line && want && strlen(line) > 100 * control__opts(ctl)->max_output,
	      "server: a graph answer of %zu bytes arrives (max_output %zu)",
	      line ? strlen(line) : 0, control__opts(ctl)->max_output);
	CHECK(line && want && !strncmp(line, head, sizeof(head) - 1) &&
	      !strncmp(line + sizeof(head) - 1, want, strlen(want)) &&
	      !strcmp(line + sizeof(head) - 1 + strlen(want), "}"),
	      "server: streamed, it is graph__to_json's compact text");
	free(line);
	free(want);
	shutdown(fd, SHUT_WR);
	closed = closed_by_server(ctl, fd);
	CHECK(closed, "server: then the client is let go");
	close(fd);
}

static void test_server(void)
{
	struct control_opts opts = { .max_clients = 2, .max_output = 4096 };
	struct control_stats st;
	struct control *ctl;
	json_t *resp;
	char *big;
	int fd, mon, extra;
	bool yes;

	opts.graph = graph__new();
	if (!opts.graph || control__open(&ctl, &opts)) {
		CHECK(0, "server: opens without a socket file");
		return;
	}
	fd = client(ctl);
	CHECK(fd >= 0, "server: adopts a connected socket");
	resp = exchange(ctl, fd, "{\"cmd\":\"ping\"}\n");
	CHECK_EQ_STR(json_string_value(json_object_get(resp, "result")), "pong", "server: ping");
	json_decref(resp);
	yes = is_error(exchange(ctl, fd, "\x01\xff garbage\n"), PROTO_E_BAD_REQUEST);
	CHECK(yes, "server: garbage gets bad-request");
	yes = is_error(exchange(ctl, fd, "\n"), PROTO_E_BAD_REQUEST);
	CHECK(yes, "server: empty line gets bad-request");
	yes = is_error(exchange(ctl, fd, "{\"cmd\":\"frobnicate\"}\n"), PROTO_E_UNKNOWN_COMMAND);
	CHECK(yes, "server: unknown command");
	yes = is_error(exchange(ctl, fd, "{\"cmd\":\"show\",\"id\":\"link:999\"}\n"),
		       PROTO_E_NOT_FOUND);
	CHECK(yes, "server: show of an unknown node is not-found");
	yes = is_error(exchange(ctl, fd, "{\"cmd\":\"show\"}\n"), PROTO_E_BAD_REQUEST);
	CHECK(yes, "server: show without id is bad-request");
	resp = exchange(ctl, fd, "{\"cmd\":\"graph\"}\n");
	CHECK(json_is_array(json_object_get(json_object_get(resp, "result"), "nodes")),
	      "server: graph has nodes, after the errors on the same connection");
	json_decref(resp);
	yes = is_ok(exchange(ctl, fd, "{\"cmd\":\"ping\"}\n{\"cmd\":\"stats\"}\n"));
	yes = yes && is_ok(exchange(ctl, fd, NULL));
	CHECK(yes, "server: two requests in one write, two answers");

	mon = client(ctl);
	yes = is_ok(exchange(ctl, mon, "{\"cmd\":\"monitor\"}\n"));
	CHECK(yes, "server: monitor accepted");
	upsert_link(opts.graph, 7, "veth7");
	resp = exchange(ctl, mon, NULL);
	CHECK_EQ_STR(json_string_value(json_object_get(resp, "event")), "added",
		     "server: monitor sees a change");
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(resp, "node"), "id")),
		     "link:7", "server: the change is the link added");
	json_decref(resp);

	extra = client(ctl);
	CHECK(extra < 0, "server: adopting beyond max_clients fails");

	/* A monitor that reads nothing falls behind its 4 KiB and is let go. */
	for (int i = 0; i < 200; i++)
		upsert_link(opts.graph, 100 + i, "dummy");
	control__get_stats(ctl, &st);
	CHECK(st.clients_dropped == 1 && st.monitors == 0, "server: a stalled monitor is dropped");
	yes = closed_by_server(ctl, mon);
	CHECK(yes, "server: the stalled monitor's connection is closed");
	close(mon);

	big = malloc(PROTO_MAX_LINE + 100);
	memset(big, 'x', PROTO_MAX_LINE + 99);
	big[PROTO_MAX_LINE + 99] = '\0';
	yes = is_error(exchange(ctl, fd, big), PROTO_E_TOO_LARGE);
	CHECK(yes, "server: request over 64 KiB gets too-large");
	yes = closed_by_server(ctl, fd);
	CHECK(yes, "server: and the connection is closed");
	close(fd);
	free(big);

	fd = client(ctl);
	send(fd, "{\"cmd\":\"ping\"}", 14, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	yes = is_ok(exchange(ctl, fd, NULL));
	CHECK(yes, "server: a last request without newline is answered");
	yes = closed_by_server(ctl, fd);
	CHECK(yes, "server: then the connection is closed");
	close(fd);

	test_large_answer(ctl, opts.graph);

	control__get_stats(ctl, &st);
	CHECK_EQ_INT(st.clients, 0, "server: every client is gone");
	control__close(ctl);
	graph__free(opts.graph);
}

static void test_socket_file(void)
{
	struct control_opts opts = { 0 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct control *a, *b;
	char path[64];
	struct stat st;
	bool yes;
	int fd;

	snprintf(path, sizeof(path), "/tmp/tna-test-control-%d/sub/ctl.sock", getpid());
	opts.path = path;
	CHECK_EQ_INT(control__open(&a, &opts), 0, "socket: listens, creating its directory");
	CHECK_EQ_INT(control__open(&b, &opts), -EADDRINUSE,
		     "socket: a second instance on the same path is refused");
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(addr.sun_path, path);
	yes = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	      is_ok(exchange(a, fd, "{\"cmd\":\"ping\"}\n"));
	CHECK(yes, "socket: a client connects and pings");
	close(fd);
	control__close(a);
	CHECK(stat(path, &st) && errno == ENOENT, "socket: the file is removed on close");

	/* A socket file whose owner died without removing it. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	close(fd);
	CHECK_EQ_INT(control__open(&a, &opts), 0, "socket: a stale socket file is replaced");
	control__close(a);

	fd = creat(path, 0600);
	close(fd);
	CHECK_EQ_INT(control__open(&a, &opts), -ENOTSOCK, "socket: a regular file is left alone");
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

int main(void)
{
	log_init("test_control", LOG_LEVEL_WARN);
	test_framer();
	test_parse();
	test_dispatch();
	test_server();
	test_socket_file();
	return check_exit();
}
