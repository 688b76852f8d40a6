// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/proto.h"

#define PROTO_EXAMPLE "{\"cmd\":\"ping\"}"

void proto_framer__init(struct proto_framer *f)
{
	f->len = 0;
	f->done = 0;
}

size_t proto_framer__space(struct proto_framer *f, char **at)
{
	if (f->done) {
		memmove(f->buf, f->buf + f->done, f->len - f->done);
		f->len -= f->done;
		f->done = 0;
	}
	*at = f->buf + f->len;
	return sizeof(f->buf) - f->len;
}

void proto_framer__commit(struct proto_framer *f, size_t n)
{
	f->len += n;
}

static size_t proto_strip_cr(char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	return len;
}

int proto_framer__next(struct proto_framer *f, char **line, size_t *len)
{
	char *start = f->buf + f->done;
	size_t pending = f->len - f->done;
	char *nl = memchr(start, '\n', pending);

	if (!nl)
		return pending > PROTO_MAX_LINE ? -EMSGSIZE : 0;
	*line = start;
	*len = proto_strip_cr(start, nl - start);
	f->done += nl - start + 1;
	return 1;
}

int proto_framer__rest(struct proto_framer *f, char **line, size_t *len)
{
	size_t pending = f->len - f->done;

	if (!pending)
		return 0;
	if (pending > PROTO_MAX_LINE)
		return -EMSGSIZE;
	*line = f->buf + f->done;
	*len = proto_strip_cr(*line, pending);
	f->done = f->len;
	return 1;
}

json_t *proto_ok(json_t *result)
{
	return json_pack("{s:b,s:o}", "ok", 1, "result", result ? result : json_null());
}

json_t *proto_error(const char *code, const char *fmt, ...)
{
	json_t *msg;
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	msg = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message", text);
	free(text);
	return msg;
}

char *proto_encode(const json_t *msg, size_t *len)
{
	const size_t flags = JSON_COMPACT;
	size_t n = json_dumpb(msg, NULL, 0, flags);
	char *buf;

	if (!n)
		return NULL;
	buf = malloc(n + 1);
	if (!buf)
		return NULL;
	if (json_dumpb(msg, buf, n, flags) != n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\n';
	*len = n + 1;
	return buf;
}

static const char *proto_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	default:
		return "an object";
	}
}

static bool proto_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
			return false;
	return true;
}

int proto_parse_request(const char *line, size_t len, json_t **req, json_t **error)
{
	json_error_t jerr;
	json_t *cmd, *root;

	*req = NULL;
	*error = NULL;
	if (proto_blank(line, len)) {
		*error = proto_error(PROTO_E_BAD_REQUEST,
				     "empty request: send one JSON object per line, such as "
				     PROTO_EXAMPLE);
		return -EINVAL;
	}
	root = json_loadb(line, len, JSON_DECODE_ANY, &jerr);
	if (!root) {
		*error = proto_error(PROTO_E_BAD_REQUEST,
				     "malformed JSON at byte %d: %s; send one JSON object per "
				     "line, such as " PROTO_EXAMPLE, jerr.position, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		*error = proto_error(PROTO_E_BAD_REQUEST,
				     "a request is a JSON object such as " PROTO_EXAMPLE ", not %s",
				     proto_type_name(root));
		goto invalid;
	}
	cmd = json_object_get(root, "cmd");
	if (!cmd) {
		*error = proto_error(PROTO_E_BAD_REQUEST,
				     "the request has no \"cmd\"; name the command, such as "
				     PROTO_EXAMPLE);
		goto invalid;
	}
	if (!json_is_string(cmd)) {
		*error = proto_error(PROTO_E_BAD_REQUEST,
				     "\"cmd\" is %s; it must be a string naming the command, "
				     "such as " PROTO_EXAMPLE, proto_type_name(cmd));
		goto invalid;
	}
	*req = root;
	return 0;
invalid:
	json_decref(root);
	return -EINVAL;
}

int proto_arg_string(const json_t *req, const char *key, const char **out)
{
	const json_t *v = json_object_get(req, key);

	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	return 0;
}

static json_t *proto_unknown_command(const struct proto_command *cmds, size_t n, const char *name)
{
	size_t size = 1, off = 0;
	json_t *resp;
	char *known;

	for (size_t i = 0; i < n; i++)
		size += strlen(cmds[i].name) + 2;
	known = malloc(size);
	if (!known)
		return NULL;
	known[0] = '\0';
	for (size_t i = 0; i < n; i++)
		off += sprintf(known + off, "%s%s", i ? ", " : "", cmds[i].name);
	resp = proto_error(PROTO_E_UNKNOWN_COMMAND, "unknown command \"%s\"; known commands: %s",
			   name, known);
	free(known);
	return resp;
}

/* Parses line and finds its command: the command with *req (caller decrefs),
 * or NULL with *resp the response refusing it. */
static const struct proto_command *proto_lookup(const struct proto_command *cmds, size_t n,
						const char *line, size_t len, json_t **req,
						json_t **resp)
{
	const char *name;

	if (proto_parse_request(line, len, req, resp))
		return NULL;
	name = json_string_value(json_object_get(*req, "cmd"));
	for (size_t i = 0; i < n; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	*resp = proto_unknown_command(cmds, n, name);
	return NULL;
}

/* Puts the head of a successful response before a streamed result's first byte. */
struct proto_stream {
	json_dump_callback_t write;
	void *data;
	bool started;
};

static int proto_stream_write(const char *buf, size_t len, void *data)
{
	static const char head[] = "{\"ok\":true,\"result\":";
	struct proto_stream *s = data;

	if (!s->started) {
		if (s->write(head, sizeof(head) - 1, s->data))
			return -1;
		s->started = true;
	}
	return s->write(buf, len, s->data);
}

int proto_serve(const struct proto_command *cmds, size_t n, void *ctx, const char *line,
		size_t len, json_dump_callback_t write, void *data)
{
	static const char oom[] = PROTO_OOM_LINE;
	struct proto_stream s = { .write = write, .data = data };
	const struct proto_command *cmd;
	json_t *req, *resp = NULL;
	int err = 0;

	cmd = proto_lookup(cmds, n, line, len, &req, &resp);
	if (cmd && cmd->stream) {
		err = cmd->stream(ctx, req, &resp, proto_stream_write, &s);
		if (!err)
			err = proto_stream_write("}\n", 2, &s) ? -ENOMEM : 0;
		/* Nothing written yet: resp (or the lack of memory) is the answer. */
		else if (!s.started)
			err = 0;
	} else if (cmd) {
		resp = cmd->run(ctx, req);
	}
	json_decref(req);
	if (err || s.started)
		goto out;
	/* Dumped straight into the output: no encoded copy of a large answer. */
	if (!resp)
		err = write(oom, sizeof(oom) - 1, data) ? -ENOMEM : 0;
	else if (json_dump_callback(resp, write, data, JSON_COMPACT) || write("\n", 1, data))
		err = -ENOMEM;
out:
	json_decref(resp);
	return err;
}
