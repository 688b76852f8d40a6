/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol, without sockets: JSON lines over a byte stream.
 *
 * A request is one JSON object on one line, {"cmd":NAME, ...arguments}. A
 * response is one line, {"ok":true,"result":...} or
 * {"ok":false,"error":{"code":CODE,"message":TEXT}}, where TEXT says what went
 * wrong and what to do about it.
 */
#ifndef TNA_PROTO_H
#define TNA_PROTO_H

#include <jansson.h>
#include <stddef.h>

/* The longest request line accepted, newline excluded. */
#define PROTO_MAX_LINE (64 * 1024)

#define PROTO_E_BAD_REQUEST "bad-request"
#define PROTO_E_UNKNOWN_COMMAND "unknown-command"
#define PROTO_E_NOT_FOUND "not-found"
#define PROTO_E_TOO_LARGE "too-large"
#define PROTO_E_BUSY "busy"
#define PROTO_E_INTERNAL "internal"

/* The response when there is no memory to build another. */
#define PROTO_OOM_LINE "{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":" \
		       "\"the daemon is out of memory; retry later\"}}\n"

/* Cuts a byte stream into lines of at most PROTO_MAX_LINE bytes. */
struct proto_framer {
	size_t len;	/* bytes held in buf */
	size_t done;	/* of which already handed out as lines */
	char buf[PROTO_MAX_LINE + 1];
};

void proto_framer__init(struct proto_framer *f);
/* Where the next read may put bytes, and how many fit (0 only after -EMSGSIZE). */
size_t proto_framer__space(struct proto_framer *f, char **at);
void proto_framer__commit(struct proto_framer *f, size_t n);
/* 1 with the next whole line (NUL-terminated, without "\n" or "\r\n"); 0 when
 * more bytes are needed; -EMSGSIZE when PROTO_MAX_LINE bytes came without a
 * newline. The line stays valid until the next call that takes space. */
int proto_framer__next(struct proto_framer *f, char **line, size_t *len);
/* At end of stream: 1 with the unterminated rest as a line, 0 if nothing is left. */
int proto_framer__rest(struct proto_framer *f, char **line, size_t *len);

/* The response objects; proto_ok steals result (NULL stands for JSON null). */
json_t *proto_ok(json_t *result);
json_t *proto_error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* msg as one compact line ending in "\n"; caller frees. NULL on ENOMEM. */
char *proto_encode(const json_t *msg, size_t *len);

/* Parses a request line: 0 with *req (caller decrefs) holding an object with
 * a string "cmd", or -EINVAL with *error holding the error response. */
int proto_parse_request(const char *line, size_t len, json_t **req, json_t **error);

/* The string argument key of a request: 0 and *out; -ENOENT when it is absent
 * or null; -EINVAL when it is something else than a string. */
int proto_arg_string(const json_t *req, const char *key, const char **out);

/* A command has run or, for results too large to hold as a tree, stream. */
struct proto_command {
	const char *name;
	/* Returns the response, built with proto_ok or proto_error. NULL means
	 * out of memory. */
	json_t *(*run)(void *ctx, const json_t *req);
	/* Writes the result, one JSON value, through write (as jansson's
	 * json_dump_callback does). Returns 0 once it is written; otherwise a
	 * negative errno, with *error the response to send instead and nothing
	 * written, or with *error NULL when memory or write failed. */
	int (*stream)(void *ctx, const json_t *req, json_t **error, json_dump_callback_t write,
		      void *data);
};

/* Parses line, finds its command in cmds, runs it and writes the response
 * line through write: a run command's response is dumped straight into it,
 * a stream command's result streamed. 0, or -ENOMEM when the line could not
 * be written whole (a part may have been). */
int proto_serve(const struct proto_command *cmds, size_t n, void *ctx, const char *line,
		size_t len, json_dump_callback_t write, void *data);

#endif
