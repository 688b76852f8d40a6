/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zstack: TCP over AF_XDP, beside the kernel's stack and sharing its port
 * namespace. The zstack-tna daemon steers the flows of the ports an
 * application listens on or connects from into its AF_XDP sockets; every
 * other packet of the host stays with Linux.
 *
 * One stack (zs_open) runs one engine per AF_XDP queue, each share-nothing
 * and run to completion: zs_poll receives a batch, runs the TCP state
 * machines and timers, transmits, and returns what happened. A stack is not
 * thread-safe; run one per thread (one per queue) to use several cores.
 *
 * Zero copy: zs_read hands out received payload as a reference into the
 * frame it arrived in (release it with zs_buf_free); zs_buf_alloc gives a
 * frame with headroom that zs_write sends by prepending headers in place and
 * keeps until the peer acknowledged it. zs_write also takes a received
 * buffer back out (an echo copies nothing). zs_write_ref sends a frame the
 * application keeps, so one prebuilt answer goes out on every connection.
 * zs_send/zs_recv copy, for convenience.
 *
 * Shared frames and headers: a frame is reference counted (the application's
 * reference, each connection's until the peer acknowledges, the TX ring's
 * until the kernel completes the send) and its headers are written in its
 * headroom, in place, whenever no earlier send of that frame is still on the
 * TX ring. When one is (two connections sending the same frame in one
 * batch, or a retransmission racing the first send), the headers and the
 * payload are copied into a fresh frame instead: payload_copies counts those
 * bytes. Chaining instead a small header frame and the shared payload frame
 * in one AF_XDP multi-buffer send (XDP_USE_SG, XDP_PKT_CONTD) would avoid
 * that copy but costs a second descriptor per packet always, and in copy mode
 * (veth, the only mode here) the kernel copies every descriptor into an skb
 * anyway, allocating a page per fragment beyond the first: one user-space
 * copy of at most one MSS, paid only on a collision, is the cheaper of the
 * two there. A zero-copy NIC with multi-buffer support would tip it the
 * other way.
 *
 * Errors are negative errno values; zs_strerror(stack) says what went wrong
 * last, in words a person can act on.
 *
 * How to use (a server; error handling left out):
 *
 *	struct zs_config cfg = { .ifname = "eth0", .queue = -1 };
 *	struct zs_event ev[64];
 *	zs_open(&st, &cfg);			// needs the zstack-tna daemon
 *	zs_listen(st, "10.0.0.1", 8080, 128, &l);
 *	for (;;) {
 *		int n = zs_poll(st, ev, 64, -1);	// or epoll on zs_fd(st), then zs_poll(.., 0)
 *		for (int i = 0; i < n; i++) {
 *			if (ev[i].events & ZS_EV_ACCEPTED)
 *				while (!zs_accept(l, &c))
 *					zs_sock_set_user(c, my_state);
 *			if (ev[i].events & ZS_EV_READABLE)
 *				while (!zs_read(ev[i].sock, &in)) {	// zero-copy
 *					zs_buf_alloc(ev[i].sock, &out);	// a UMEM frame
 *					memcpy(out.data, in.data, out.len = in.len);
 *					zs_buf_free(st, &in);
 *					zs_write(ev[i].sock, &out);	// headers prepended in place
 *				}
 *			if (ev[i].events & ZS_EV_CLOSED)
 *				zs_close(ev[i].sock);
 *		}
 *	}
 *
 * zs_read returning -EPIPE means the peer sent FIN: zs_close (or zs_shutdown
 * then zs_close) ends our side. A socket stays valid until zs_close or
 * zs_abort, whatever the peer does; events stop after ZS_EV_CLOSED.
 */
#ifndef ZSTACK_ZSTACK_H
#define ZSTACK_ZSTACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zs_stack;
struct zs_sock;

struct zs_config {
	const char *ifname;	  /* the interface to serve */
	int queue;		  /* its RX queue, or -1 for every queue */
	const char *control;	  /* daemon socket; NULL: $ZSTACK_TNA_CONTROL or the default */
	const char *app_name;	  /* shown by tnactl; NULL: the program's name */
	uint32_t frames;	  /* UMEM frames per queue; 0: a default */
	uint32_t frame_size;	  /* 2048 or 4096; 0: 4096 */
	int force_copy;		  /* bind in copy mode even where zero-copy is offered */
};

enum zs_xdp_mode {
	ZS_MODE_COPY,		  /* the kernel copies frames into the UMEM (veth) */
	ZS_MODE_ZEROCOPY,	  /* the NIC DMAs straight into the UMEM */
};

int zs_open(struct zs_stack **out, const struct zs_config *cfg);
/* Aborts every connection, unregisters from the daemon, frees everything. */
void zs_stack_close(struct zs_stack *st);
enum zs_xdp_mode zs_mode(const struct zs_stack *st);
/* st NULL: why the last zs_open of this thread failed. */
const char *zs_strerror(const struct zs_stack *st);

/* Address as text ("10.0.0.1"; "0.0.0.0" for every address of the interface). */
int zs_listen(struct zs_stack *st, const char *addr, uint16_t port, int backlog,
	      struct zs_sock **out);
/* Starts a connection; ZS_EV_CONNECTED (or ZS_EV_ERROR) follows from zs_poll. */
int zs_connect(struct zs_stack *st, const char *addr, uint16_t port, struct zs_sock **out);
/* Takes an established connection from a listener; -EAGAIN when none. */
int zs_accept(struct zs_sock *listener, struct zs_sock **out);

enum zs_events {
	ZS_EV_ACCEPTED = 1 << 0,  /* a listener has a connection to zs_accept */
	ZS_EV_CONNECTED = 1 << 1, /* zs_connect completed */
	ZS_EV_READABLE = 1 << 2,  /* data (or the peer's FIN) to read */
	/* Room to write again after zs_write's -EAGAIN (send window), or a free
	 * frame again after zs_buf_alloc's or zs_send's -ENOBUFS (frame pool). */
	ZS_EV_WRITABLE = 1 << 3,
	ZS_EV_CLOSED = 1 << 4,	  /* the connection is over; zs_close it */
	ZS_EV_ERROR = 1 << 5,	  /* reset or timed out; zs_sock_error says which */
};

struct zs_event {
	struct zs_sock *sock;
	uint32_t events;	  /* enum zs_events */
	void *user;		  /* as set with zs_sock_set_user */
};

/* Runs the engines; waits up to timeout_ms (0: not at all, -1: until something
 * happens) and returns the number of events stored, or -errno. */
int zs_poll(struct zs_stack *st, struct zs_event *events, int max, int timeout_ms);
/* Readable when zs_poll has work: put it in an epoll set beside kernel fds. */
int zs_fd(struct zs_stack *st);

/* A frame of payload: data and len are the application's; the rest is not. */
struct zs_buf {
	void *data;
	size_t len;
	uint64_t handle;
};

/* Zero-copy receive: 0 with buf referencing received payload, -EAGAIN when
 * there is none yet, -EPIPE after the peer's FIN once all data was read. */
int zs_read(struct zs_sock *s, struct zs_buf *buf);
void zs_buf_free(struct zs_stack *st, struct zs_buf *buf);
/* A frame for sending on s: buf->data has room for buf->len bytes (the
 * connection's MSS; write fewer by lowering buf->len), with headroom for the
 * headers before it. It comes from the UMEM of the queue s runs on, so only
 * sockets of that queue (zs_sock_queue) may send it; zs_buf_free gives it
 * back unsent. -ENOBUFS when the UMEM has no free frame (received buffers not
 * yet freed, and sent ones not yet acknowledged, hold them): ZS_EV_WRITABLE
 * follows when one is free again. */
int zs_buf_alloc(struct zs_sock *s, struct zs_buf *buf);
/* Zero-copy send of buf->len bytes of buf, a buffer from zs_buf_alloc or one
 * zs_read gave (then received on s's queue: zs_sock_queue of the socket it
 * came from; -EINVAL otherwise, copy it then). On success the stack owns buf
 * from here on (a received buffer is released as by zs_buf_free).
 * -EAGAIN when the send window is full: retry after ZS_EV_WRITABLE. On every
 * error the buffer is still the caller's, to retry or give back with
 * zs_buf_free. */
int zs_write(struct zs_sock *s, struct zs_buf *buf);
/* As zs_write, but the caller keeps its reference: the frame may be sent
 * again, on this or any socket of the same queue, as often as wanted, and
 * goes back to the pool when the caller's zs_buf_free and every
 * acknowledgement have dropped their references. Its bytes must not change
 * from the first zs_write_ref on (retransmissions and other connections
 * still send them). */
int zs_write_ref(struct zs_sock *s, const struct zs_buf *buf);

/* Copying convenience: bytes moved, or -errno (-EAGAIN, -EPIPE at end). */
ssize_t zs_send(struct zs_sock *s, const void *data, size_t len);
ssize_t zs_recv(struct zs_sock *s, void *data, size_t len);

/* SHUT_WR sends FIN after the queued data. */
int zs_shutdown(struct zs_sock *s, int how);
/* Graceful close (FIN); the socket is freed once the stack is done with it. */
int zs_close(struct zs_sock *s);
/* Sends RST and frees at once. */
void zs_abort(struct zs_sock *s);

void zs_sock_set_user(struct zs_sock *s, void *user);
void *zs_sock_user(const struct zs_sock *s);
/* The queue s sends on: frames are interchangeable between sockets with the same. */
int zs_sock_queue(const struct zs_sock *s);
/* The error that ended the connection (-ECONNRESET, -ETIMEDOUT, ...), or 0. */
int zs_sock_error(const struct zs_sock *s);

struct zs_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_dropped;	  /* bad checksum, no connection, ... */
	/* Every payload byte the stack copied: by zs_send/zs_recv, and tx_copies. */
	uint64_t payload_copies;
	/* Payload bytes copied to send a segment that could not take its headers
	 * in place: its frame still on the TX ring from an earlier send (another
	 * connection's or the first transmission), or a segment starting inside a
	 * buffer. */
	uint64_t tx_copies;
	uint64_t connections;	  /* opened since start */
	uint64_t retransmits;
};
void zs_stats(const struct zs_stack *st, struct zs_stats *out);

#endif
