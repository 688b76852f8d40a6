// SPDX-License-Identifier: GPL-2.0
/*
 * The data calls of zstack.h. zs_read/zs_write/zs_write_ref move references
 * to UMEM frames and copy nothing; zs_recv/zs_send are built on them and
 * count every byte they copy.
 */
#include <errno.h>
#include <string.h>

#include "zstack/stack.h"

static int read_error(int err)
{
	return err == -ENODATA ? -EPIPE : err;
}

/* The next chunk: the rest of the one zs_recv began, else a new one. */
static int next_chunk(struct zs_sock *s, struct tcp_chunk *ch, uint32_t *off)
{
	int err;

	if (s->has_rpart) {
		*ch = s->rpart;
		*off = s->rpart_off;
		s->has_rpart = false;
		return 0;
	}
	if (!s->conn)
		return -ENOTCONN;
	err = tcp_conn__recv(s->conn, ch);
	*off = 0;
	return read_error(err);
}

int zs_read(struct zs_sock *s, struct zs_buf *buf)
{
	struct tcp_chunk ch;
	struct engine *e;
	uint32_t off;
	int err = next_chunk(s, &ch, &off);

	if (err)
		return err;
	e = &s->st->engines[engine_cookie_id(ch.cookie)];
	e->rx[engine__frame(e, engine_cookie_addr(ch.cookie))] =
		(struct engine_rxbuf){ .owner = s, .len = ch.len };
	s->refs++;
	buf->data = (void *)(ch.data + off);
	buf->len = ch.len - off;
	buf->handle = ch.cookie;
	return 0;
}

void zs_buf_free(struct zs_stack *st, struct zs_buf *buf)
{
	st->now = zs_now();
	zs_rxbuf__free(st, buf->handle, true);
	zs_stack__queued(st);
	buf->data = NULL;
	buf->len = 0;
}

int zs_buf_alloc(struct zs_sock *s, struct zs_buf *buf)
{
	struct engine *e = s->eng;
	uint8_t *data = frame_pool__alloc_buf(e->pool);
	uint32_t room = frame_pool__frame_size(e->pool) - frame_pool__headroom(e->pool);

	if (!data) {
		zs_stack__set_err(s->st, "no free UMEM frame: received buffers not yet given "
				  "back with zs_buf_free hold them, or raise zs_config.frames");
		zs_sock__starve(s);
		return -ENOBUFS;
	}
	buf->data = data;
	buf->len = s->mss < room ? s->mss : room;
	buf->handle = engine__cookie(e, frame_pool__addr(e->pool, data));
	return 0;
}

static bool is_rxbuf(const struct engine *e, uint64_t addr)
{
	return e->rx[engine__frame(e, addr)].owner != NULL;
}

/*
 * Queues buf. The core holds a frame reference until the peer acknowledges
 * the bytes: the caller's own, unless keep (zs_write_ref) or buf is a received
 * buffer (whose reference is the receiving connection's, given back here as
 * zs_buf_free would). On any error the buffer stays the caller's: a connection
 * the peer reset fails the write of a buffer the caller still holds and frees.
 */
static int send_buf(struct zs_sock *s, struct zs_buf *buf, bool keep)
{
	struct zs_stack *st = s->st;
	struct engine *e = s->eng;
	uint64_t addr = engine_cookie_addr(buf->handle);
	uint64_t data = frame_pool__addr(e->pool, buf->data);
	bool rx;
	int err;

	if (engine_cookie_id(buf->handle) != e->id ||
	    frame_pool__base(e->pool, data) != frame_pool__base(e->pool, addr) ||
	    data + buf->len > frame_pool__base(e->pool, addr) + frame_pool__frame_size(e->pool))
		err = -EINVAL;
	else if (!s->conn || s->resolving)
		err = -ENOTCONN;
	else if (!buf->len)
		err = 0;
	else
		err = tcp_conn__send(s->conn, buf->data, (uint32_t)buf->len,
				     engine__cookie(e, data), st->now);
	if (err == -EAGAIN)
		s->want_write = true;
	if (err)
		return err;
	rx = is_rxbuf(e, addr);
	if (buf->len && (keep || rx))
		frame_pool__get(e->pool, addr);
	if (!keep && (rx || !buf->len))
		zs_rxbuf__free(st, buf->handle, true);
	zs_sock__update(s);
	zs_stack__queued(st);
	return 0;
}

int zs_write(struct zs_sock *s, struct zs_buf *buf)
{
	s->st->now = zs_now();
	return send_buf(s, buf, false);
}

int zs_write_ref(struct zs_sock *s, const struct zs_buf *buf)
{
	struct zs_buf b = *buf;

	s->st->now = zs_now();
	return send_buf(s, &b, true);
}

ssize_t zs_send(struct zs_sock *s, const void *data, size_t len)
{
	struct zs_stack *st = s->st;
	size_t done = 0;
	int err = 0;

	st->now = zs_now();
	while (done < len) {
		struct zs_buf buf;

		err = zs_buf_alloc(s, &buf);
		if (err)
			break;
		if (buf.len > len - done)
			buf.len = len - done;
		memcpy(buf.data, (const uint8_t *)data + done, buf.len);
		err = send_buf(s, &buf, false);
		if (err) {
			frame_pool__put(s->eng->pool, engine_cookie_addr(buf.handle));
			break;
		}
		st->payload_copies += buf.len;
		done += buf.len;
	}
	return done ? (ssize_t)done : err;
}

ssize_t zs_recv(struct zs_sock *s, void *data, size_t len)
{
	struct zs_stack *st = s->st;
	size_t done = 0;
	int err = 0;

	st->now = zs_now();
	while (done < len) {
		struct tcp_chunk ch;
		uint32_t off, n;

		err = next_chunk(s, &ch, &off);
		if (err)
			break;
		n = ch.len - off;
		if (n > len - done)
			n = (uint32_t)(len - done);
		memcpy((uint8_t *)data + done, ch.data + off, n);
		st->payload_copies += n;
		done += n;
		if (off + n < ch.len) {
			s->rpart = ch;
			s->rpart_off = off + n;
			s->has_rpart = true;
		} else {
			tcp_conn__recv_free(s->conn, &ch, st->now);
		}
	}
	if (done) {
		zs_sock__update(s);
		zs_stack__queued(st);
	}
	return done ? (ssize_t)done : err;
}
