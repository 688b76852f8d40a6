/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP/1.1 of the benchmark servers, shared by zs-http (zstack) and
 * kern-http (kernel sockets) so both send the same bytes for the same
 * requests: every GET is answered 200 with a body of a fixed size, keep-alive
 * unless the request says "Connection: close"; any other method gets 405 and
 * a malformed or oversized request 400, both followed by a close.
 *
 * The parser scans bytes where they lie (zstack hands out references into
 * receive frames) and keeps only a few counters between calls, so a request
 * may be cut anywhere across segments and several may share one (pipelining).
 * The output side is a queue of owed responses that hands out contiguous
 * spans of one prebuilt response, for a copy into a send frame or a writev.
 */
#ifndef EXAMPLES_HTTP1_H
#define EXAMPLES_HTTP1_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest request head accepted: a client sending more is not ours. */
#define HTTP1_MAX_HEAD 8192

enum http1_request {
	HTTP1_GET,		/* answer 200 and keep the connection */
	HTTP1_GET_CLOSE,	/* answer 200, then close */
	HTTP1_NOT_GET,		/* answer 405, then close */
	HTTP1_BAD,		/* answer 400, then close */
};

struct http1_parser {
	size_t head_len;	/* bytes of the current request head so far */
	size_t col;		/* column in the current line */
	bool request_line;	/* still in the request line */
	bool get;		/* the request line (so far) starts with "GET " */
	size_t conn_match;	/* characters of "connection:" matched, or SIZE_MAX */
	bool in_conn_value;	/* inside a Connection header's value */
	size_t close_match;	/* characters of "close" matched in that value */
	bool close;
};

static inline void http1_parser__init(struct http1_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->request_line = true;
	p->get = true;
}

static inline char http1_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A header line begins: see whether it is "Connection:". */
static inline void http1_parser__line_start(struct http1_parser *p)
{
	p->col = 0;
	p->conn_match = 0;
	p->in_conn_value = false;
	p->close_match = 0;
}

static inline void http1_parser__header_byte(struct http1_parser *p, char c)
{
	static const char conn[] = "connection:";
	static const char close_token[] = "close";

	if (p->in_conn_value) {
		c = http1_lower(c);
		if (c == close_token[p->close_match]) {
			if (++p->close_match == sizeof(close_token) - 1) {
				p->close = true;
				p->close_match = 0;
			}
		} else {
			p->close_match = c == close_token[0];
		}
		return;
	}
	if (p->conn_match == SIZE_MAX)
		return;
	if (http1_lower(c) != conn[p->conn_match]) {
		p->conn_match = SIZE_MAX;
		return;
	}
	if (++p->conn_match == sizeof(conn) - 1)
		p->in_conn_value = true;
}

/*
 * Scans data for the end of one request head. Returns true when one ended:
 * *used counts the bytes up to and including its last, *req says what it
 * asked. Returns false when data ended first (*used is len): call again with
 * the next bytes. Request bodies are not supported: a GET has none, and every
 * other method ends the connection.
 */
static inline bool http1_parser__feed(struct http1_parser *p, const void *data, size_t len,
				      size_t *used, enum http1_request *req)
{
	static const char get[] = "GET ";
	const char *s = data;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		*used = i + 1;
		if (++p->head_len > HTTP1_MAX_HEAD) {
			*req = HTTP1_BAD;
			http1_parser__init(p);
			return true;
		}
		if (c == '\r')
			continue;
		if (c != '\n') {
			if (p->request_line) {
				if (p->col < sizeof(get) - 1 && c != get[p->col])
					p->get = false;
			} else {
				http1_parser__header_byte(p, c);
			}
			p->col++;
			continue;
		}
		if (p->request_line) {
			/* Empty lines before a request line are allowed (RFC 9112 2.2). */
			if (p->col == 0) {
				p->head_len = 0;
				continue;
			}
			if (p->col < sizeof(get) - 1)
				p->get = false;
			p->request_line = false;
			http1_parser__line_start(p);
			continue;
		}
		if (p->col > 0) {
			http1_parser__line_start(p);
			continue;
		}
		*req = !p->get ? HTTP1_NOT_GET : p->close ? HTTP1_GET_CLOSE : HTTP1_GET;
		http1_parser__init(p);
		return true;
	}
	*used = len;
	return false;
}

/* The 200 response: head and body, built once. */
static inline int http1_response_200(size_t body_len, char **out, size_t *out_len)
{
	char head[128];
	int head_len;
	char *r;

	head_len = snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			    "Content-Length: %zu\r\n\r\n",
			    body_len);
	r = malloc(head_len + body_len);
	if (!r)
		return -ENOMEM;
	memcpy(r, head, head_len);
	/* A body that shows where a byte went missing: lines of 64 characters. */
	for (size_t i = 0; i < body_len; i++)
		r[head_len + i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	*out = r;
	*out_len = head_len + body_len;
	return 0;
}

static inline const char *http1_response_error(enum http1_request req)
{
	return req == HTTP1_NOT_GET ?
		"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\n"
		"Connection: close\r\n\r\n" :
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

/*
 * What a connection owes its client, in order: `owed` 200 responses, then
 * (when `last` is set) one more response after which the connection closes.
 */
struct http1_out {
	const char *ok;		/* the 200 response */
	size_t ok_len;
	uint64_t owed;
	const char *last;	/* NULL: the connection stays open */
	size_t last_len;
	size_t off;		/* bytes of the current response already sent */
};

static inline void http1_out__init(struct http1_out *o, const char *ok, size_t ok_len)
{
	memset(o, 0, sizeof(*o));
	o->ok = ok;
	o->ok_len = ok_len;
}

/* Queues the answer to req. Returns false once the connection is to close:
 * nothing after this request is answered. */
static inline bool http1_out__push(struct http1_out *o, enum http1_request req)
{
	if (req == HTTP1_GET) {
		o->owed++;
		return true;
	}
	if (req == HTTP1_GET_CLOSE) {
		o->last = o->ok;
		o->last_len = o->ok_len;
	} else {
		o->last = http1_response_error(req);
		o->last_len = strlen(o->last);
	}
	return false;
}

static inline bool http1_out__empty(const struct http1_out *o)
{
	return !o->owed && !o->last;
}

/* The next contiguous span to send, the n-th after the current one (n from 0).
 * Returns its length, 0 when fewer than n + 1 responses remain. */
static inline size_t http1_out__span(const struct http1_out *o, uint64_t n, const char **span)
{
	size_t skip = n ? 0 : o->off;

	if (n < o->owed) {
		*span = o->ok + skip;
		return o->ok_len - skip;
	}
	if (n == o->owed && o->last) {
		*span = o->last + skip;
		return o->last_len - skip;
	}
	return 0;
}

/* Marks len more bytes as sent. */
static inline void http1_out__advance(struct http1_out *o, size_t len)
{
	while (len) {
		size_t cur = o->owed ? o->ok_len : o->last_len;
		size_t step = cur - o->off < len ? cur - o->off : len;

		o->off += step;
		len -= step;
		if (o->off < cur)
			break;
		o->off = 0;
		if (o->owed)
			o->owed--;
		else
			o->last = NULL;
	}
}

/* Parses data and queues the answers. Returns false once a request ended the
 * conversation: the rest of data, and all that follows, goes unanswered. */
static inline bool http1_take(struct http1_parser *p, struct http1_out *o, const void *data,
			      size_t len)
{
	const char *s = data;

	while (len) {
		enum http1_request req;
		size_t used;

		if (!http1_parser__feed(p, s, len, &used, &req))
			return true;
		if (!http1_out__push(o, req))
			return false;
		s += used;
		len -= used;
	}
	return true;
}

#endif
