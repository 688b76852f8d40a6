// SPDX-License-Identifier: GPL-2.0
/*
 * tnactl: asks zstack-tna over its control socket and prints the answer,
 * readable by default, as JSON with -j.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "controller/control.h"
#include "controller/proto.h"
#include "controller/tnactl_print.h"

struct conn {
	int fd;
	const char *path;
	char *buf;
	size_t len, cap;	/* bytes held, of which lines start at 0 */
	size_t used;		/* bytes of buf already returned as lines */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tnactl [-j] [-p] [-s SOCK] COMMAND [ARGS]\n"
		"\n"
		"  graph [--dot]   what zstack-tna sees: links, bridges, routes, listeners,\n"
		"                  chains, services (--dot: Graphviz source)\n"
		"  show ID         one node and its edges (ids as tnactl -j graph has them)\n"
		"  caps            what this kernel and toolchain let the fast path use\n"
		"  fdb BRIDGE      the bridge's forwarding database\n"
		"  neigh [LINK]    neighbours, of one link or of all\n"
		"  stats [IFACE]   the daemon's counters and, per interface and FPM, packets\n"
		"                  handled, redirected and punted to Linux (by reason)\n"
		"  pipeline IFACE  the interface's fast path: FPMs, program, how it was built\n"
		"  explain IFACE   why the fast path is what it is: the plan and its facts,\n"
		"                  the port's map state, whether redirects into it deliver\n"
		"  reload IFACE    load and publish the same pipeline again\n"
		"  monitor         graph changes as they happen, until interrupted\n"
		"  help            this text\n"
		"\n"
		"  -j, --json      print JSON as the daemon sends it\n"
		"  -p, --pretty    indent the JSON\n"
		"  -s, --socket    the daemon's control socket\n"
		"                  (default " CONTROL_DEFAULT_PATH ")\n");
}

static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	c->path = path;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "tnactl: socket path %s is too long (at most %zu bytes)\n", path,
			sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = errno;

		fprintf(stderr, "tnactl: cannot reach zstack-tna at %s: %s (is the daemon running? "
			"start it with: zstack-tna --control %s)\n", path, strerror(err), path);
		return -err;
	}
	return 0;
}

static int conn_send(struct conn *c, json_t *req)
{
	size_t len, off = 0;
	char *line = proto_encode(req, &len);
	int err = 0;

	json_decref(req);
	if (!line)
		return -ENOMEM;
	while (off < len) {
		ssize_t n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			fprintf(stderr, "tnactl: sending to zstack-tna at %s failed: %s\n", c->path,
				strerror(errno));
			break;
		}
		off += n;
	}
	free(line);
	return err;
}

/* The next line the daemon sent, parsed: 0, -ENODATA at end of stream, or -errno. */
static int conn_recv(struct conn *c, json_t **msg)
{
	json_error_t jerr;
	char *nl;

	for (;;) {
		nl = memchr(c->buf + c->used, '\n', c->len - c->used);
		if (nl)
			break;
		if (c->used) {
			memmove(c->buf, c->buf + c->used, c->len - c->used);
			c->len -= c->used;
			c->used = 0;
		}
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 131072;
			char *buf = realloc(c->buf, cap);

			if (!buf)
				return -ENOMEM;
			c->buf = buf;
			c->cap = cap;
		}
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		c->len += n;
	}
	*msg = json_loadb(c->buf + c->used, nl - (c->buf + c->used), 0, &jerr);
	c->used = nl + 1 - c->buf;
	if (!*msg) {
		fprintf(stderr, "tnactl: zstack-tna sent malformed JSON (%s); is %s its socket?\n",
			jerr.text, c->path);
		return -EPROTO;
	}
	return 0;
}

/* The result of the response to req: 0 with *result, or -errno after saying why. */
static int conn_call(struct conn *c, json_t *req, json_t **result)
{
	json_t *resp;
	int err;

	err = conn_send(c, req);
	if (err)
		return err;
	err = conn_recv(c, &resp);
	if (err == -ENODATA)
		fprintf(stderr, "tnactl: zstack-tna at %s closed the connection without answering; "
			"see its log\n", c->path);
	else if (err && err != -EPROTO)
		fprintf(stderr, "tnactl: reading from zstack-tna at %s failed: %s\n", c->path,
			strerror(-err));
	if (err)
		return err;
	if (!json_is_true(json_object_get(resp, "ok"))) {
		const char *msg = json_string_value(
			json_object_get(json_object_get(resp, "error"), "message"));

		fprintf(stderr, "tnactl: %s\n", msg ? msg : "zstack-tna answered with an error");
		json_decref(resp);
		return -EINVAL;
	}
	*result = json_incref(json_object_get(resp, "result"));
	json_decref(resp);
	return 0;
}

static int run_monitor(struct conn *c, const struct print_opts *po)
{
	json_t *result, *event;
	int err;

	err = conn_call(c, json_pack("{s:s}", "cmd", "monitor"), &result);
	if (err)
		return err;
	json_decref(result);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((err = conn_recv(c, &event)) == 0) {
		print_event(event, po);
		json_decref(event);
	}
	if (err == -ENODATA) {
		fprintf(stderr, "tnactl: zstack-tna at %s closed the monitor (the daemon stopped, "
			"or this terminal fell too far behind)\n", c->path);
		return err;
	}
	if (err != -EPROTO)
		fprintf(stderr, "tnactl: reading from zstack-tna failed: %s\n", strerror(-err));
	return err;
}

struct command {
	const char *name;
	const char *arg;	/* the request's argument key, NULL if none */
	bool arg_optional;
	const char *usage;
};

static const struct command commands[] = {
	{ "graph", NULL, false, "graph [--dot]" },
	{ "show", "id", false, "show ID" },
	{ "caps", NULL, false, "caps" },
	{ "fdb", "bridge", false, "fdb BRIDGE" },
	{ "neigh", "link", true, "neigh [LINK]" },
	{ "stats", "iface", true, "stats [IFACE]" },
	{ "pipeline", "iface", false, "pipeline IFACE" },
	{ "explain", "iface", false, "explain IFACE" },
	{ "reload", "iface", false, "reload IFACE" },
	{ "monitor", NULL, false, "monitor" },
};

/* The request for a command line, or NULL after saying what is wrong with it. */
static json_t *build_request(int argc, char **argv, bool *dot)
{
	const struct command *cmd = NULL;
	int nargs = argc - 1;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "tnactl: unknown command \"%s\"; see: tnactl help\n", argv[0]);
		return NULL;
	}
	if (strcmp(cmd->name, "graph") == 0 && nargs == 1 && strcmp(argv[1], "--dot") == 0) {
		*dot = true;
		return json_pack("{s:s}", "cmd", "dot");
	}
	if (nargs == 0 && (!cmd->arg || cmd->arg_optional))
		return json_pack("{s:s}", "cmd", cmd->name);
	if (nargs == 1 && cmd->arg)
		return json_pack("{s:s,s:s}", "cmd", cmd->name, cmd->arg, argv[1]);
	fprintf(stderr, "tnactl: usage: tnactl [-j] [-s SOCK] %s\n", cmd->usage);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct conn c = { .fd = -1 };
	struct print_opts po = { 0 };
	const char *path = CONTROL_DEFAULT_PATH;
	json_t *req, *result = NULL;
	bool dot = false;
	int opt, err;

	/* "+": options end at the command, whose own arguments may start with "-". */
	while ((opt = getopt_long(argc, argv, "+jps:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			po.json = true;
			break;
		case 'p':
			po.pretty = true;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc || strcmp(argv[optind], "help") == 0) {
		usage(optind == argc ? stderr : stdout);
		return optind == argc ? 2 : 0;
	}
	req = build_request(argc - optind, argv + optind, &dot);
	if (!req)
		return 2;
	err = conn_open(&c, path);
	if (err) {
		json_decref(req);
		goto out;
	}
	if (strcmp(argv[optind], "monitor") == 0) {
		json_decref(req);
		err = run_monitor(&c, &po);
		goto out;
	}
	err = conn_call(&c, req, &result);
	if (err)
		goto out;
	if (dot && !po.json)
		fputs(json_string_value(result), stdout);
	else
		err = print_result(argv[optind], result, &po);
out:
	json_decref(result);
	free(c.buf);
	if (c.fd >= 0)
		close(c.fd);
	return err ? 1 : 0;
}
