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

static void test_dispatch(void)
{
	static const struct proto_command cmds[] = {
		{ "echo", fake_echo },
		{ "other", fake_echo },
	};
	const char *line = "{\"cmd\":\"echo\",\"arg\":[1,\"x\"]}";
	json_t *resp;
	size_t len;
	char *out;
	int calls = 0;

	resp = proto_dispatch(cmds, 2, &calls, line, strlen(line));
	CHECK(calls == 1 && json_is_true(json_object_get(resp, "ok")) &&
	      json_array_size(json_object_get(resp, "result")) == 2,
	      "dispatch: runs the named command with its arguments");
	out = proto_encode(resp, &len);
	CHECK(out && len > 1 && out[len - 1] == '\n' && !memchr(out, '\n', len - 1),
	      "encode: one line ending in a newline");
	CHECK(out && strncmp(out, "{\"ok\":true,\"result\":[1,\"x\"]}", len - 1) == 0,
	      "encode: compact, in order");
	free(out);
	json_decref(resp);

	resp = proto_dispatch(cmds, 2, &calls, "{\"cmd\":\"nope\"}", 14);
	CHECK(calls == 1 && strcmp(error_code(resp) ?: "", PROTO_E_UNKNOWN_COMMAND) == 0,
	      "dispatch: unknown command is refused");
	CHECK(strstr(error_message(resp) ?: "", "\"nope\"") &&
	      strstr(error_message(resp) ?: "", "echo, other"),
	      "dispatch: the refusal names it and lists the known ones (%s)", error_message(resp));
	json_decref(resp);
	resp = proto_dispatch(cmds, 2, &calls, "nope", 4);
	CHECK(calls == 1 && strcmp(error_code(resp) ?: "", PROTO_E_BAD_REQUEST) == 0,
	      "dispatch: garbage runs nothing");
	json_decref(resp);
}

/* Runs the server until a whole line arrives on fd (or the peer closes): the
 * parsed line, or NULL. Bounded to about a second. */
static json_t *exchange(struct control *ctl, int fd, const char *send_line)
{
	static char buf[1 << 20];
	static size_t held;
	char *nl;

	if (send_line && send(fd, send_line, strlen(send_line), MSG_NOSIGNAL) < 0)
		return NULL;
	for (int i = 0; i < 200; i++) {
		nl = memchr(buf, '\n', held);
		if (nl) {
			json_t *msg = json_loadb(buf, nl - buf, 0, NULL);

			held -= nl + 1 - buf;
			memmove(buf, nl + 1, held);
			return msg;
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
