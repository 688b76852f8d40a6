/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drives one TCP core connection with hand-made segments and records what it
 * sends, for tests that need exact control of every field: the test plays
 * the peer. Payload handed to the core is malloc'ed per segment so the tests
 * can check each buffer is released exactly once.
 */
#ifndef TESTS_ZSTACK_RAW_H
#define TESTS_ZSTACK_RAW_H

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/tcp.h"

#define RAW_MAX_OUT 512
#define RAW_PEER_ISS 5000000u
#define MS 1000000ULL
#define SEC 1000000000ULL

struct raw {
	struct tcp_config cfg;
	struct tcp_ops ops;
	struct tcp_conn *c;
	struct tcp_listener *l;
	struct tcp_tuple t;
	uint64_t now;
	struct tcp_seg_out out[RAW_MAX_OUT];
	int nr_out;
	long rx_live;	    /* payload buffers handed to the core, not yet released */
	long tx_live;	    /* send buffers queued, not yet released */
	uint32_t peer_nxt;  /* next sequence number the peer sends */
	uint32_t peer_ts;   /* the peer's timestamp clock */
	bool peer_ts_on;
	uint32_t echo;	    /* last TSval the core sent, echoed by the peer */
};

static inline void raw_output(void *ctx, struct tcp_conn *c, const struct tcp_seg_out *seg)
{
	struct raw *r = ctx;

	(void)c;
	if (seg->opts.present & TCP_OPT_TS)
		r->echo = seg->opts.tsval;
	if (r->nr_out < RAW_MAX_OUT)
		r->out[r->nr_out++] = *seg;
}

static inline void raw_rx_release(void *ctx, uint64_t cookie)
{
	struct raw *r = ctx;

	r->rx_live--;
	free((void *)(uintptr_t)cookie);
}

static inline void raw_tx_release(void *ctx, uint64_t cookie)
{
	struct raw *r = ctx;

	r->tx_live--;
	free((void *)(uintptr_t)cookie);
}

static inline void raw_init(struct raw *r)
{
	memset(r, 0, sizeof(*r));
	tcp_config__defaults(&r->cfg);
	for (int i = 0; i < 16; i++)
		r->cfg.isn_secret[i] = (uint8_t)(i + 1);
	r->ops.output = raw_output;
	r->ops.rx_release = raw_rx_release;
	r->ops.tx_release = raw_tx_release;
	r->t.local.family = AF_INET;
	r->t.local.bytes[0] = 10;
	r->t.local.bytes[3] = 1;
	r->t.remote.family = AF_INET;
	r->t.remote.bytes[0] = 10;
	r->t.remote.bytes[3] = 2;
	r->t.lport = 40000;
	r->t.rport = 80;
	r->now = 10 * SEC;
	r->peer_ts = 777;
	r->peer_ts_on = true;
	r->peer_nxt = RAW_PEER_ISS;
}

static inline const struct tcp_seg_out *raw_last(const struct raw *r)
{
	return r->nr_out ? &r->out[r->nr_out - 1] : NULL;
}

/* A segment from the peer with a fresh payload buffer of len bytes (value `fill`). */
static inline struct tcp_seg raw_seg(struct raw *r, uint8_t flags, uint32_t seq, uint32_t ack,
				     uint32_t len, uint8_t fill)
{
	struct tcp_seg s = { .sport = r->t.rport, .dport = r->t.lport, .seq = seq, .ack = ack,
			     .wnd = 65535, .flags = flags };

	if (r->peer_ts_on) {
		s.opts.present |= TCP_OPT_TS;
		s.opts.tsval = r->peer_ts;
		s.opts.tsecr = r->echo;
	}
	if (len) {
		uint8_t *p = malloc(len);

		if (!p)
			abort();
		memset(p, fill, len);
		s.payload = p;
		s.len = len;
		s.cookie = (uint64_t)(uintptr_t)p;
		r->rx_live++;
	}
	return s;
}

static inline int raw_input(struct raw *r, const struct tcp_seg *s)
{
	return tcp_conn__input(r->c, s, r->now);
}

/* Sends a SYN,ACK answering the core's SYN (SYN options as flags say). */
static inline void raw_syn_ack(struct raw *r, uint8_t opts, uint16_t mss, uint8_t wscale)
{
	const struct tcp_seg_out *syn = &r->out[0];
	struct tcp_seg s = raw_seg(r, TCP_FLAG_SYN | TCP_FLAG_ACK, r->peer_nxt, syn->seq + 1, 0, 0);

	s.opts.present = opts;
	s.opts.mss = mss;
	s.opts.wscale = wscale;
	r->peer_ts_on = opts & TCP_OPT_TS;
	r->peer_nxt++;
	raw_input(r, &s);
}

/* An established client connection; the peer offers the options in opts. */
static inline void raw_open(struct raw *r, uint8_t opts)
{
	r->c = tcp_conn__new(&r->cfg, &r->ops, r, &r->t);
	tcp_conn__connect(r->c, r->now);
	r->now += 10 * MS;
	raw_syn_ack(r, opts, 1460, 7);
}

#define RAW_ALL_OPTS (TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS | TCP_OPT_SACK_PERM)

/* Queues len bytes of application data (a fresh buffer). */
static inline int raw_send(struct raw *r, uint32_t len)
{
	uint8_t *p = malloc(len);
	int err;

	if (!p)
		abort();
	memset(p, 'x', len);
	err = tcp_conn__send(r->c, p, len, (uint64_t)(uintptr_t)p, r->now);
	if (err)
		free(p);
	else
		r->tx_live++;
	return err;
}

/* Counts the segments sent since index `from` whose flags include all of `flags`. */
static inline int raw_count(const struct raw *r, int from, uint8_t flags)
{
	int n = 0;

	for (int i = from; i < r->nr_out; i++)
		n += (r->out[i].flags & flags) == flags;
	return n;
}

static inline void raw_fini(struct raw *r)
{
	tcp_conn__free(r->c);
	r->c = NULL;
}

static inline struct tcp_conn_info raw_info(struct raw *r)
{
	struct tcp_conn_info i;

	tcp_conn__info(r->c, &i);
	return i;
}

static inline void raw_peer_ack(struct raw *r, uint32_t ack)
{
	struct tcp_seg s = raw_seg(r, TCP_FLAG_ACK, r->peer_nxt, ack, 0, 0);

	raw_input(r, &s);
}

static inline void raw_peer_fin(struct raw *r, uint32_t ack)
{
	struct tcp_seg s = raw_seg(r, TCP_FLAG_FIN | TCP_FLAG_ACK, r->peer_nxt, ack, 0, 0);

	r->peer_nxt++;
	raw_input(r, &s);
}

static inline void raw_passive_syn(struct raw *r, uint32_t backlog)
{
	struct tcp_seg s = raw_seg(r, TCP_FLAG_SYN, r->peer_nxt, 0, 0, 0);
	int err;

	s.opts.present |= TCP_OPT_MSS | TCP_OPT_SACK_PERM | TCP_OPT_WSCALE;
	s.opts.mss = 1460;
	s.opts.wscale = 2;
	r->peer_nxt++;
	r->l = tcp_listener__new(&r->cfg, &r->ops, r, &r->t.local, r->t.lport, backlog);
	err = tcp_listener__input(r->l, &r->t, &s, r->now, &r->c);
	if (err)
		abort();
}

/* Brings a new connection to `state` (after raw_init), the test being the peer. */
static inline void raw_reach(struct raw *r, enum tcp_state state)
{
	if (state == TCP_SYN_RCVD) {
		raw_passive_syn(r, 4);
		return;
	}
	if (state == TCP_SYN_SENT) {
		r->c = tcp_conn__new(&r->cfg, &r->ops, r, &r->t);
		tcp_conn__connect(r->c, r->now);
		return;
	}
	raw_open(r, RAW_ALL_OPTS);
	switch (state) {
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSING:
	case TCP_TIME_WAIT:
		tcp_conn__shutdown(r->c, r->now);
		if (state == TCP_FIN_WAIT_2 || state == TCP_TIME_WAIT)
			raw_peer_ack(r, raw_info(r).snd_max);
		if (state == TCP_CLOSING)
			raw_peer_fin(r, raw_info(r).snd_una);
		if (state == TCP_TIME_WAIT)
			raw_peer_fin(r, raw_info(r).snd_max);
		break;
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
		raw_peer_fin(r, raw_info(r).snd_nxt);
		if (state == TCP_LAST_ACK)
			tcp_conn__shutdown(r->c, r->now);
		break;
	default:
		break;
	}
}

/* Frees the connection and the listener of a passive open. */
static inline void raw_done(struct raw *r)
{
	tcp_listener__free(r->l, r->now);
	r->l = NULL;
	raw_fini(r);
}

#endif
