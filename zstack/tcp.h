/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sans-I/O TCP core: connections are state machines fed parsed segments
 * (tcp_conn__input) and a clock ("now" in nanoseconds, always passed in), and
 * they emit segments through tcp_ops.output. Nothing here reads a clock,
 * opens a socket, starts a thread or keeps global state; the engine that owns
 * the connections demultiplexes packets, builds wire packets (checksums with
 * csum.h) and calls tcp_conn__on_timer at tcp_conn__next_deadline.
 *
 * Payload is never copied. Received payload stays in the caller's buffer
 * (named by a cookie) and reaches the application as a reference; the window
 * reopens when the application frees it. Sent payload stays in the
 * application's buffer until the peer acknowledges it, then its cookie is
 * handed back. Callbacks run synchronously inside core calls and must not
 * call back into the core; state changes are reported as events the caller
 * collects with tcp_conn__events after each call.
 */
#ifndef ZSTACK_TCP_H
#define ZSTACK_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "zstack/seg.h"

struct tcp_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* IPv4 uses the first 4 bytes */
};

/* A connection's 4-tuple, from our side; ports in host byte order, as in tcp_seg. */
struct tcp_tuple {
	struct tcp_addr local;
	struct tcp_addr remote;
	uint16_t lport;
	uint16_t rport;
};

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

enum tcp_cc_algo {
	TCP_CC_CUBIC,
	TCP_CC_NEWRENO,
};

struct tcp_config {
	uint16_t mss;		  /* MSS we advertise: link MTU minus IP and TCP headers */
	uint32_t rcvbuf;	  /* bytes held for the application plus out-of-order */
	uint32_t sndbuf;	  /* bytes the application may have unacknowledged */
	uint32_t rx_chunks;	  /* received segments held at once, in order */
	uint32_t tx_chunks;	  /* application buffers queued at once */
	uint32_t reass_max_segs;  /* out-of-order segments held; beyond, dropped */
	uint32_t reass_max_bytes; /* out-of-order payload bytes held */
	uint64_t rto_initial_ns;  /* RFC 6298: 1 s */
	uint64_t rto_min_ns;	  /* RFC 6298: 1 s; Linux uses 200 ms */
	uint64_t rto_max_ns;
	uint64_t msl_ns;	  /* TIME_WAIT lasts 2 * MSL */
	/* How long a connection the application closed waits in FIN-WAIT-2 for
	 * the peer's FIN before it is forgotten (Linux: net.ipv4.tcp_fin_timeout). */
	uint64_t fin_timeout_ns;
	uint64_t delack_ns;	  /* delayed ACK timeout */
	uint64_t keepalive_idle_ns; /* 0: keepalive off */
	uint64_t keepalive_intvl_ns;
	uint32_t keepalive_probes;
	uint32_t max_retries;	  /* retransmission timeouts before giving up */
	uint32_t syn_retries;
	uint32_t init_cwnd_segs;  /* RFC 6928: 10 */
	uint32_t challenge_ack_limit; /* RFC 5961 challenge ACKs per second; 0: no limit */
	bool wscale;		  /* offer RFC 7323 window scaling */
	bool timestamps;	  /* offer RFC 7323 timestamps */
	bool sack;		  /* offer RFC 2018 SACK */
	/*
	 * Never let a segment span two send buffers, so a buffer with headroom
	 * goes out by prepending headers in place; small buffers are then not
	 * coalesced into full segments.
	 */
	bool seg_per_buffer;
	enum tcp_cc_algo cc;
	uint8_t isn_secret[16];	  /* RFC 6528 secret; fill with random bytes */
};

void tcp_config__defaults(struct tcp_config *cfg);

struct tcp_conn;
struct tcp_listener;

struct tcp_ops {
	/* Sends a segment; its iov point into application buffers. */
	void (*output)(void *ctx, struct tcp_conn *c, const struct tcp_seg_out *seg);
	/* The core no longer needs a received buffer it held. */
	void (*rx_release)(void *ctx, uint64_t cookie);
	/* An application send buffer is fully acknowledged (or discarded). */
	void (*tx_release)(void *ctx, uint64_t cookie);
};

/* Events, collected with tcp_conn__events. */
#define TCP_EV_CONNECTED 0x01 /* handshake completed */
#define TCP_EV_READABLE	 0x02 /* in-order data or end of stream to read */
#define TCP_EV_WRITABLE	 0x04 /* send space became available */
#define TCP_EV_PEER_FIN	 0x08 /* the peer will send no more */
#define TCP_EV_CLOSED	 0x10 /* the connection reached CLOSED; see tcp_conn__error */

/* Received payload handed to the application, by reference. */
struct tcp_chunk {
	const uint8_t *data;
	uint32_t len;
	uint64_t cookie;
};

struct tcp_conn_stats {
	uint64_t segs_in;
	uint64_t segs_out;
	uint64_t bytes_acked;	  /* our bytes the peer acknowledged */
	uint64_t bytes_received;  /* in-order bytes delivered to the receive queue */
	uint64_t retransmits;	  /* segments sent again */
	uint64_t fast_retransmits;
	uint64_t timeouts;	  /* retransmission timer expiries */
	uint64_t rtt_samples;
	uint64_t dup_segs_in;	  /* segments entirely duplicate */
	uint64_t ooo_segs_in;	  /* segments queued out of order */
	uint64_t ooo_dropped;	  /* out-of-order segments over the reassembly limit */
	uint64_t paws_dropped;
	uint64_t challenge_acks;
	uint64_t challenge_acks_suppressed; /* over challenge_ack_limit */
	uint64_t window_probes;
	uint64_t keepalive_probes;
	uint64_t delayed_acks;	  /* ACKs sent by the delayed-ACK timer */
	uint64_t sack_recoveries; /* recoveries driven by the SACK scoreboard */
	uint64_t lost_retransmits; /* retransmissions found lost and sent again */
	uint64_t loss_probes;	  /* tail loss probes sent */
	uint64_t newreno_recoveries;
};

struct tcp_conn_info {
	enum tcp_state state;
	uint32_t iss, irs;
	uint32_t snd_una, snd_nxt, snd_max, snd_wnd;
	uint32_t rcv_nxt, rcv_wnd;
	uint32_t smss;		/* payload bytes per full segment we send */
	uint16_t peer_mss;
	uint8_t snd_wscale, rcv_wscale;
	bool ts_ok, sack_ok;
	uint32_t cwnd, ssthresh;
	uint64_t srtt_ns, rttvar_ns, rto_ns;
	uint32_t backoff;
	uint32_t ooo_segs, ooo_bytes;
	uint32_t rx_queued;	/* in-order bytes not yet taken by the application */
	uint32_t tx_queued;	/* bytes not yet acknowledged */
	struct tcp_conn_stats stats;
};

/* Connections (tcp_conn.c). tuple.local/lport are ours. */
struct tcp_conn *tcp_conn__new(const struct tcp_config *cfg, const struct tcp_ops *ops, void *ctx,
			       const struct tcp_tuple *tuple);
/* Gives every held buffer back through the callbacks and frees c. */
void tcp_conn__free(struct tcp_conn *c);
int tcp_conn__connect(struct tcp_conn *c, uint64_t now);
int tcp_conn__input(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now);
/* Queues an application buffer; -EAGAIN when the send buffer is full. */
int tcp_conn__send(struct tcp_conn *c, const uint8_t *data, uint32_t len, uint64_t cookie,
		   uint64_t now);
/* 0 and the next in-order chunk, -EAGAIN if none yet, -ENODATA at end of stream. */
int tcp_conn__recv(struct tcp_conn *c, struct tcp_chunk *chunk);
/* The application is done with a chunk: its buffer is released, the window reopens. */
void tcp_conn__recv_free(struct tcp_conn *c, const struct tcp_chunk *chunk, uint64_t now);
/* No more data from us: a FIN follows the queued data. */
int tcp_conn__shutdown(struct tcp_conn *c, uint64_t now);
/* Resets the connection (RST) and moves it to CLOSED. */
void tcp_conn__abort(struct tcp_conn *c, uint64_t now);
/*
 * The application closed c and reads nothing more. As Linux's tcp_close: with
 * received data it never read, the peer is reset (RFC 2525, 2.17) at once;
 * otherwise a FIN follows the queued data, new data from the peer resets the
 * connection, and FIN-WAIT-2 lasts at most cfg.fin_timeout_ns.
 */
void tcp_conn__orphan(struct tcp_conn *c, uint64_t now);
/* Earliest time tcp_conn__on_timer must run; UINT64_MAX when no timer is set. */
uint64_t tcp_conn__next_deadline(const struct tcp_conn *c);
void tcp_conn__on_timer(struct tcp_conn *c, uint64_t now);
/* Returns and clears the pending TCP_EV_* bits. */
uint32_t tcp_conn__events(struct tcp_conn *c);
enum tcp_state tcp_conn__state(const struct tcp_conn *c);
/* 0, or why the connection closed: -ECONNREFUSED, -ECONNRESET, -ETIMEDOUT. */
int tcp_conn__error(const struct tcp_conn *c);
const struct tcp_tuple *tcp_conn__tuple(const struct tcp_conn *c);
/* The caller's own pointer for this connection (e.g. its socket object). */
void tcp_conn__set_user(struct tcp_conn *c, void *user);
void *tcp_conn__user(const struct tcp_conn *c);
void tcp_conn__info(const struct tcp_conn *c, struct tcp_conn_info *info);
const char *tcp_state_name(enum tcp_state state);

/*
 * The RST a host without a matching connection answers seg with
 * (RFC 9293, 3.10.7.1); -ENOENT when none is due (seg itself is a RST).
 */
int tcp_rst_for(const struct tcp_seg *seg, struct tcp_seg_out *rst);

/*
 * Listeners (tcp_listen.c). A SYN creates a connection in SYN-RECEIVED that
 * the caller adds to its demultiplexing table; once established it waits in
 * the accept queue. At most backlog connections are pending or unaccepted;
 * SYNs beyond that are dropped.
 */
struct tcp_listener *tcp_listener__new(const struct tcp_config *cfg, const struct tcp_ops *ops,
				       void *ctx, const struct tcp_addr *addr, uint16_t port,
				       uint32_t backlog);
/*
 * Handles a segment for which no connection exists. 0 and *child for a new
 * connection; -ECONNREFUSED when the caller should answer with tcp_rst_for;
 * -ENOBUFS when the backlog is full; -EINVAL when the segment is ignored.
 */
int tcp_listener__input(struct tcp_listener *l, const struct tcp_tuple *tuple,
			const struct tcp_seg *seg, uint64_t now, struct tcp_conn **child);
/* The next established connection, or NULL. */
struct tcp_conn *tcp_listener__accept(struct tcp_listener *l);
/* Connections pending or waiting to be accepted. */
uint32_t tcp_listener__backlog(const struct tcp_listener *l);
/* Resets connections not yet accepted (the caller still frees them). */
void tcp_listener__free(struct tcp_listener *l, uint64_t now);

#endif
