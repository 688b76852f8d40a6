/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny simulated network for the TCP core: two hosts joined by a link with
 * delay, jitter (reordering), loss and duplication drawn from a seeded PRNG,
 * on a virtual clock. Segments cross the link in wire format with checksums,
 * so every test also exercises the header writer, the parser and csum.c.
 * The "NIC" copies a segment's payload into a frame once, as DMA would; the
 * core must make no copy of its own: the receiving application checks that
 * every byte it reads still lies inside a received frame.
 */
#ifndef TESTS_ZSTACK_SIM_H
#define TESTS_ZSTACK_SIM_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/csum.h"
#include "zstack/tcp.h"

#define SIM_MAX_CONNS 64
#define SIM_CHUNK 16384

/* An application send buffer; the cookie the core keeps points here. */
struct sim_txbuf {
	uint32_t len;
	uint8_t data[];
};

struct sim_frame {
	struct sim_frame *next;
	uint64_t at;
	int to;
	uint32_t len;
	uint8_t data[];
};

struct sim_link {
	uint64_t delay_ns;
	uint64_t jitter_ns; /* extra uniform delay: reorders segments */
	double loss;
	double dup;
	/*
	 * Like Linux's receiver, whose window grows as out-of-order data
	 * arrives: every other segment advertises one window unit less, so
	 * the duplicate ACKs of a loss rarely repeat the window exactly.
	 */
	bool wnd_wobble;
};

/* What an application does on one connection. */
struct sim_app {
	uint64_t to_send;    /* bytes to write in total */
	uint64_t queued;     /* bytes written so far */
	bool shutdown_after; /* shut down once everything is written */
	bool shut;
	bool no_read;	     /* leave received data unread (zero window) */
	uint64_t tx_hash;
	uint64_t rx_hash;
	uint64_t received;
	bool eof;
	uint32_t events;     /* every TCP_EV_* seen */
	bool accepted;
	uint64_t copy_violations; /* bytes read that were not inside a received frame */
	uint32_t pattern;    /* PRNG state generating the bytes sent */
	uint32_t write_size; /* bytes per send buffer */
};

struct sim;

struct sim_host {
	struct sim *sim;
	int id;
	struct tcp_addr addr;
	struct tcp_config cfg;
	struct tcp_conn *conns[SIM_MAX_CONNS];
	struct sim_app app[SIM_MAX_CONNS];
	int nr_conns;
	struct tcp_listener *listener;
	uint16_t listen_port;
	uint64_t rsts_sent; /* RSTs answered for segments without a connection */
};

/* Returns false to drop a segment host `from` sends. */
typedef bool (*sim_filter_fn)(struct sim *s, int from, const struct tcp_seg_out *seg);

struct sim {
	uint64_t now;
	uint64_t rng;
	struct sim_host host[2];
	struct sim_link link[2]; /* by sending host */
	struct sim_frame *queue; /* sorted by delivery time */
	sim_filter_fn filter;
	void *filter_ctx;
	struct tcp_ops ops;
	long frames_live;
	long tx_bufs_live;
	uint64_t tx_copy_violations; /* bytes sent from outside the application's buffer */
	uint64_t multi_buffer_segs;  /* segments gathered from more than one send buffer */
	uint64_t frames_sent;
	uint64_t frames_lost;
	uint64_t bad_csum;
};

static inline uint64_t sim_rand(struct sim *s)
{
	/* xorshift64*: deterministic for a seed */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

static inline double sim_uniform(struct sim *s)
{
	return (double)(sim_rand(s) >> 11) / (double)(1ULL << 53);
}

static inline uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static inline void sim_enqueue(struct sim *s, struct sim_frame *f)
{
	struct sim_frame **pp = &s->queue;

	while (*pp && (*pp)->at <= f->at)
		pp = &(*pp)->next;
	f->next = *pp;
	*pp = f;
}

static inline struct sim_frame *sim_frame_new(struct sim *s, uint32_t len)
{
	struct sim_frame *f = calloc(1, sizeof(*f) + len);

	if (!f)
		abort();
	f->len = len;
	s->frames_live++;
	return f;
}

static inline void sim_frame_free(struct sim *s, struct sim_frame *f)
{
	s->frames_live--;
	free(f);
}

/* Puts a segment on the wire from host `from`; src/dst are IP addresses. */
static inline void sim_transmit(struct sim *s, int from, const struct tcp_seg_out *seg)
{
	struct sim_host *src = &s->host[from], *dst = &s->host[!from];
	struct sim_link *l = &s->link[from];
	uint8_t hdr[TCP_HDR_MAX];
	uint32_t hlen, off;
	struct sim_frame *f;
	struct csum cs;
	uint16_t sum;

	if (s->filter && !s->filter(s, from, seg))
		return;
	s->frames_sent++;
	if (l->loss > 0 && sim_uniform(s) < l->loss) {
		s->frames_lost++;
		return;
	}
	hlen = tcp_seg__write_header(seg, hdr);
	if (l->wnd_wobble && (s->frames_sent & 1) && seg->wnd && !(seg->flags & TCP_FLAG_SYN)) {
		hdr[14] = (uint8_t)((seg->wnd - 1) >> 8);
		hdr[15] = (uint8_t)(seg->wnd - 1);
	}
	f = sim_frame_new(s, hlen + seg->len);
	memcpy(f->data, hdr, hlen);
	off = hlen;
	s->multi_buffer_segs += seg->nr_iov > 1;
	for (int i = 0; i < seg->nr_iov; i++) {
		const struct sim_txbuf *b = (const struct sim_txbuf *)(uintptr_t)seg->iov[i].cookie;

		if (seg->iov[i].data < b->data ||
		    seg->iov[i].data + seg->iov[i].len > b->data + b->len)
			s->tx_copy_violations += seg->iov[i].len;
		memcpy(f->data + off, seg->iov[i].data, seg->iov[i].len); /* the NIC's DMA */
		off += seg->iov[i].len;
	}
	csum__init(&cs);
	csum__add_pseudo(&cs, &src->addr, &dst->addr, IPPROTO_TCP, f->len);
	csum__add(&cs, f->data, f->len);
	sum = csum__finish(&cs);
	f->data[16] = sum >> 8;
	f->data[17] = sum & 0xff;
	f->to = !from;
	f->at = s->now + l->delay_ns + (l->jitter_ns ? sim_rand(s) % l->jitter_ns : 0);
	if (l->dup > 0 && sim_uniform(s) < l->dup) {
		struct sim_frame *d = sim_frame_new(s, f->len);

		memcpy(d->data, f->data, f->len);
		d->to = f->to;
		d->at = f->at + 1 + (l->jitter_ns ? sim_rand(s) % l->jitter_ns : 0);
		sim_enqueue(s, d);
	}
	sim_enqueue(s, f);
}

static inline int sim_host_of(struct sim *s, void *ctx)
{
	return ctx == &s->host[0] ? 0 : 1;
}

static inline void sim_output(void *ctx, struct tcp_conn *c, const struct tcp_seg_out *seg)
{
	struct sim_host *h = ctx;

	(void)c;
	sim_transmit(h->sim, h->id, seg);
}

static inline void sim_rx_release(void *ctx, uint64_t cookie)
{
	struct sim_host *h = ctx;

	sim_frame_free(h->sim, (struct sim_frame *)(uintptr_t)cookie);
}

static inline void sim_tx_release(void *ctx, uint64_t cookie)
{
	struct sim_host *h = ctx;

	h->sim->tx_bufs_live--;
	free((void *)(uintptr_t)cookie);
}

/* Default configuration for tests: RFC values, Linux's 200 ms minimum RTO. */
static inline void sim_config(struct tcp_config *cfg, int host)
{
	tcp_config__defaults(cfg);
	cfg->rto_min_ns = 200 * 1000000ULL;
	cfg->msl_ns = 1000000000ULL;
	for (int i = 0; i < 16; i++)
		cfg->isn_secret[i] = (uint8_t)(i * 37 + host * 101 + 1);
}

static inline void sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed ? seed : 1;
	s->now = 1000000000ULL; /* start at 1 s so timestamps are non-zero */
	s->ops.output = sim_output;
	s->ops.rx_release = sim_rx_release;
	s->ops.tx_release = sim_tx_release;
	for (int i = 0; i < 2; i++) {
		struct sim_host *h = &s->host[i];

		h->sim = s;
		h->id = i;
		h->addr.family = AF_INET;
		h->addr.bytes[0] = 10;
		h->addr.bytes[3] = (uint8_t)(i + 1);
		sim_config(&h->cfg, i);
		s->link[i].delay_ns = 5 * 1000000ULL;
	}
}

static inline struct tcp_tuple sim_tuple(struct sim *s, int host, uint16_t lport, uint16_t rport)
{
	struct tcp_tuple t = {
		.local = s->host[host].addr,
		.remote = s->host[!host].addr,
		.lport = lport,
		.rport = rport,
	};
	return t;
}

static inline int sim_add_conn(struct sim_host *h, struct tcp_conn *c)
{
	if (h->nr_conns == SIM_MAX_CONNS)
		abort();
	h->conns[h->nr_conns] = c;
	memset(&h->app[h->nr_conns], 0, sizeof(h->app[0]));
	h->app[h->nr_conns].tx_hash = FNV_INIT;
	h->app[h->nr_conns].rx_hash = FNV_INIT;
	h->app[h->nr_conns].pattern = 0x9e3779b9u + (uint32_t)h->nr_conns;
	h->app[h->nr_conns].write_size = SIM_CHUNK;
	tcp_conn__set_user(c, &h->app[h->nr_conns]);
	return h->nr_conns++;
}

/* Opens a connection from host to the other host's port; returns its index. */
static inline int sim_connect(struct sim *s, int host, uint16_t lport, uint16_t rport)
{
	struct sim_host *h = &s->host[host];
	struct tcp_tuple t = sim_tuple(s, host, lport, rport);
	struct tcp_conn *c = tcp_conn__new(&h->cfg, &s->ops, h, &t);
	int i;

	if (!c)
		abort();
	i = sim_add_conn(h, c);
	tcp_conn__connect(c, s->now);
	return i;
}

static inline void sim_listen(struct sim *s, int host, uint16_t port, uint32_t backlog)
{
	struct sim_host *h = &s->host[host];

	h->listener = tcp_listener__new(&h->cfg, &s->ops, h, &h->addr, port, backlog);
	h->listen_port = port;
}

static inline void sim_app_write(struct sim *s, struct sim_host *h, int i)
{
	struct sim_app *a = &h->app[i];

	while (a->queued < a->to_send) {
		uint64_t left = a->to_send - a->queued;
		uint32_t n = left < a->write_size ? (uint32_t)left : a->write_size;
		struct sim_txbuf *buf = malloc(sizeof(*buf) + n);
		uint32_t saved = a->pattern;

		if (!buf)
			abort();
		buf->len = n;
		for (uint32_t k = 0; k < n; k++) {
			a->pattern = a->pattern * 1103515245u + 12345u;
			buf->data[k] = (uint8_t)(a->pattern >> 16);
		}
		if (tcp_conn__send(h->conns[i], buf->data, n, (uint64_t)(uintptr_t)buf, s->now)) {
			a->pattern = saved;
			free(buf);
			break;
		}
		s->tx_bufs_live++;
		a->tx_hash = fnv1a(a->tx_hash, buf->data, n);
		a->queued += n;
	}
	if (a->shutdown_after && !a->shut && a->queued == a->to_send) {
		a->shut = true;
		tcp_conn__shutdown(h->conns[i], s->now);
	}
}

static inline void sim_app_read(struct sim *s, struct sim_host *h, int i)
{
	struct sim_app *a = &h->app[i];
	struct tcp_chunk ch;
	int err;

	if (a->no_read)
		return;
	while (!(err = tcp_conn__recv(h->conns[i], &ch))) {
		const struct sim_frame *f = (const struct sim_frame *)(uintptr_t)ch.cookie;

		if (ch.data < f->data || ch.data + ch.len > f->data + f->len)
			a->copy_violations += ch.len;
		a->rx_hash = fnv1a(a->rx_hash, ch.data, ch.len);
		a->received += ch.len;
		tcp_conn__recv_free(h->conns[i], &ch, s->now);
	}
	if (err == -ENODATA)
		a->eof = true;
}

/* Runs the application side of every connection: accept, write, read. */
static inline void sim_apps(struct sim *s)
{
	for (int hi = 0; hi < 2; hi++) {
		struct sim_host *h = &s->host[hi];
		struct tcp_conn *c;

		while (h->listener && (c = tcp_listener__accept(h->listener)))
			((struct sim_app *)tcp_conn__user(c))->accepted = true;
		for (int i = 0; i < h->nr_conns; i++) {
			enum tcp_state st = tcp_conn__state(h->conns[i]);

			h->app[i].events |= tcp_conn__events(h->conns[i]);
			if (st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT)
				sim_app_write(s, h, i);
			sim_app_read(s, h, i);
			h->app[i].events |= tcp_conn__events(h->conns[i]);
		}
	}
}

static inline struct tcp_conn *sim_lookup(struct sim_host *h, uint16_t lport, uint16_t rport)
{
	for (int i = h->nr_conns - 1; i >= 0; i--) {
		const struct tcp_tuple *t = tcp_conn__tuple(h->conns[i]);

		if (t->lport == lport && t->rport == rport &&
		    tcp_conn__state(h->conns[i]) != TCP_CLOSED)
			return h->conns[i];
	}
	return NULL;
}

static inline void sim_deliver(struct sim *s, struct sim_frame *f)
{
	int to = f->to; /* f may be released inside the core */
	struct sim_host *h = &s->host[to];
	struct tcp_seg seg;
	struct tcp_seg_out rst;
	struct tcp_conn *c;
	struct csum cs;

	csum__init(&cs);
	csum__add_pseudo(&cs, &s->host[!to].addr, &h->addr, IPPROTO_TCP, f->len);
	csum__add(&cs, f->data, f->len);
	if (csum__finish(&cs) != 0 || tcp_seg__parse(f->data, f->len, &seg)) {
		s->bad_csum++;
		sim_frame_free(s, f);
		return;
	}
	seg.cookie = (uint64_t)(uintptr_t)f;
	c = sim_lookup(h, seg.dport, seg.sport);
	if (c) {
		tcp_conn__input(c, &seg, s->now);
	} else if (h->listener && seg.dport == h->listen_port) {
		struct tcp_tuple t = sim_tuple(s, to, seg.dport, seg.sport);
		struct tcp_conn *child;
		int err = tcp_listener__input(h->listener, &t, &seg, s->now, &child);

		if (!err)
			sim_add_conn(h, child);
		else if (err == -ECONNREFUSED && !tcp_rst_for(&seg, &rst)) {
			h->rsts_sent++;
			sim_transmit(s, to, &rst);
		}
	} else {
		if (!tcp_rst_for(&seg, &rst)) {
			h->rsts_sent++;
			sim_transmit(s, to, &rst);
		}
		if (seg.len)
			sim_frame_free(s, f);
	}
	if (!seg.len)
		sim_frame_free(s, f);
}

/* Advances the clock to the next event and handles everything due then. */
static inline bool sim_step(struct sim *s, uint64_t until)
{
	uint64_t next = s->queue ? s->queue->at : UINT64_MAX;

	for (int hi = 0; hi < 2; hi++)
		for (int i = 0; i < s->host[hi].nr_conns; i++) {
			uint64_t d = tcp_conn__next_deadline(s->host[hi].conns[i]);

			if (d < next)
				next = d;
		}
	if (next > until) {
		s->now = until > s->now ? until : s->now;
		return false;
	}
	if (next > s->now)
		s->now = next;
	while (s->queue && s->queue->at <= s->now) {
		struct sim_frame *f = s->queue;

		s->queue = f->next;
		sim_deliver(s, f);
		sim_apps(s);
	}
	for (int hi = 0; hi < 2; hi++)
		for (int i = 0; i < s->host[hi].nr_conns; i++) {
			struct tcp_conn *c = s->host[hi].conns[i];

			if (tcp_conn__next_deadline(c) <= s->now)
				tcp_conn__on_timer(c, s->now);
		}
	sim_apps(s);
	return true;
}

typedef bool (*sim_done_fn)(struct sim *s);

/* Runs until done(s) holds or the virtual clock passes `for_ns` from now. */
static inline bool sim_run(struct sim *s, uint64_t for_ns, sim_done_fn done)
{
	uint64_t until = s->now + for_ns;

	sim_apps(s);
	for (long iter = 0; iter < 50000000; iter++) {
		if (done && done(s))
			return true;
		if (!sim_step(s, until))
			return done ? done(s) : true;
	}
	return false;
}

static inline enum tcp_state sim_state(struct sim *s, int host, int i)
{
	return tcp_conn__state(s->host[host].conns[i]);
}

/* Frees everything; returns true when no frame or send buffer leaked. */
static inline bool sim_fini(struct sim *s)
{
	for (int hi = 0; hi < 2; hi++) {
		struct sim_host *h = &s->host[hi];

		if (h->listener)
			tcp_listener__free(h->listener, s->now);
		for (int i = 0; i < h->nr_conns; i++)
			tcp_conn__free(h->conns[i]);
	}
	while (s->queue) {
		struct sim_frame *f = s->queue;

		s->queue = f->next;
		sim_frame_free(s, f);
	}
	return s->frames_live == 0 && s->tx_bufs_live == 0;
}

#endif
