// SPDX-License-Identifier: GPL-2.0
/*
 * Connection lifetime and the application's side of it: open, send, receive
 * by reference, shut down, abort, and the state bookkeeping the other core
 * files share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zstack/isn.h"
#include "zstack/tcp_impl.h"

void tcp_config__defaults(struct tcp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mss = 1460;
	cfg->rcvbuf = 256 * 1024;
	cfg->sndbuf = 256 * 1024;
	cfg->rx_chunks = 1024;
	cfg->tx_chunks = 256;
	cfg->reass_max_segs = 256;
	cfg->reass_max_bytes = 256 * 1024;
	cfg->rto_initial_ns = NSEC_PER_SEC;
	cfg->rto_min_ns = NSEC_PER_SEC;
	cfg->rto_max_ns = 60 * NSEC_PER_SEC;
	cfg->msl_ns = 30 * NSEC_PER_SEC;
	cfg->fin_timeout_ns = 60 * NSEC_PER_SEC;
	cfg->delack_ns = 40 * NSEC_PER_MSEC;
	cfg->keepalive_intvl_ns = 75 * NSEC_PER_SEC;
	cfg->keepalive_probes = 9;
	cfg->max_retries = 15;
	cfg->syn_retries = 6;
	cfg->init_cwnd_segs = 10;
	cfg->challenge_ack_limit = 100;
	cfg->wscale = true;
	cfg->timestamps = true;
	cfg->sack = true;
	cfg->cc = TCP_CC_CUBIC;
}

static const char *const state_names[] = {
	[TCP_CLOSED] = "CLOSED",	   [TCP_LISTEN] = "LISTEN",
	[TCP_SYN_SENT] = "SYN-SENT",	   [TCP_SYN_RCVD] = "SYN-RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED", [TCP_FIN_WAIT_1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT_2] = "FIN-WAIT-2",   [TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_CLOSING] = "CLOSING",	   [TCP_LAST_ACK] = "LAST-ACK",
	[TCP_TIME_WAIT] = "TIME-WAIT",
};

const char *tcp_state_name(enum tcp_state state)
{
	if ((unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[state];
}

static int ring__init(struct tcp_ring *r, uint32_t cap)
{
	r->ent = calloc(cap, sizeof(*r->ent));
	r->cap = cap;
	r->head = 0;
	r->nr = 0;
	return r->ent ? 0 : -ENOMEM;
}

void tcp_ring__push(struct tcp_ring *r, const struct tcp_chunk *e)
{
	r->ent[(r->head + r->nr) % r->cap] = *e;
	r->nr++;
}

static struct tcp_chunk ring__pop(struct tcp_ring *r)
{
	struct tcp_chunk e = r->ent[r->head];

	r->head = (r->head + 1) % r->cap;
	r->nr--;
	return e;
}

/* The smallest shift that lets the receive buffer fit a 16-bit window. */
static uint8_t wscale_for(uint32_t rcvbuf)
{
	uint8_t shift = 0;

	while (shift < TCP_WSCALE_MAX && (rcvbuf >> shift) > 0xffff)
		shift++;
	return shift;
}

struct tcp_conn *tcp_conn__new(const struct tcp_config *cfg, const struct tcp_ops *ops, void *ctx,
			       const struct tcp_tuple *tuple)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->ops = ops;
	c->ctx = ctx;
	c->tuple = *tuple;
	c->state = TCP_CLOSED;
	c->rcv_wscale = cfg->wscale ? wscale_for(cfg->rcvbuf) : 0;
	c->peer_mss = TCP_MSS_DEFAULT;
	c->smss = cfg->mss < TCP_MSS_DEFAULT ? cfg->mss : TCP_MSS_DEFAULT;
	c->rto = cfg->rto_initial_ns;
	/* Room for a full in-order queue plus everything reassembly may release into it. */
	if (ring__init(&c->tx, cfg->tx_chunks) ||
	    ring__init(&c->rx, cfg->rx_chunks + cfg->reass_max_segs + 1) ||
	    tcp_reass__init(&c->reass, cfg->reass_max_segs)) {
		free(c->tx.ent);
		free(c->rx.ent);
		free(c);
		return NULL;
	}
	tcp_cc__init(c);
	return c;
}

void tcp_conn__free(struct tcp_conn *c)
{
	if (!c)
		return;
	if (c->listener)
		tcp_listener__child_gone(c->listener, c);
	while (c->tx.nr)
		c->ops->tx_release(c->ctx, ring__pop(&c->tx).cookie);
	while (c->rx.nr)
		c->ops->rx_release(c->ctx, ring__pop(&c->rx).cookie);
	tcp_reass__free(c);
	free(c->tx.ent);
	free(c->rx.ent);
	free(c);
}

uint32_t tcp_ts_now(uint64_t now)
{
	return (uint32_t)(now / NSEC_PER_MSEC);
}

void tcp_conn__close(struct tcp_conn *c, int err)
{
	if (c->state == TCP_CLOSED)
		return;
	c->state = TCP_CLOSED;
	c->err = err;
	c->t_rexmit = c->t_delack = c->t_persist = c->t_keepalive = c->t_timewait = 0;
	c->t_probe = 0;
	c->events |= TCP_EV_CLOSED | TCP_EV_READABLE;
	if (c->listener)
		tcp_listener__child_gone(c->listener, c);
}

/* Applies the options of the peer's SYN (RFC 9293 3.7.1, RFC 7323, RFC 2018). */
void tcp_conn__negotiate(struct tcp_conn *c, const struct tcp_seg *syn)
{
	const struct tcp_opts *o = &syn->opts;
	uint32_t mss;

	c->peer_mss = TCP_MSS_DEFAULT;
	if (o->present & TCP_OPT_MSS)
		c->peer_mss = o->mss < TCP_MSS_MIN ? TCP_MSS_MIN : o->mss;
	c->ws_ok = c->cfg.wscale && (o->present & TCP_OPT_WSCALE);
	if (c->ws_ok) {
		c->snd_wscale = o->wscale;
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	c->ts_ok = c->cfg.timestamps && (o->present & TCP_OPT_TS);
	if (c->ts_ok)
		c->ts_recent = o->tsval;
	c->sack_ok = c->cfg.sack && (o->present & TCP_OPT_SACK_PERM);
	mss = c->peer_mss < c->cfg.mss ? c->peer_mss : c->cfg.mss;
	c->smss = mss - (c->ts_ok ? TCP_TS_OPT_LEN : 0);
	tcp_cc__init(c);
}

int tcp_conn__connect(struct tcp_conn *c, uint64_t now)
{
	if (c->state != TCP_CLOSED)
		return -EISCONN;
	c->iss = tcp_isn(c->cfg.isn_secret, &c->tuple, now);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss;
	c->snd_max = c->iss;
	c->tx_seq = c->iss + 1;
	c->recover = c->iss;
	c->high_rxt = c->iss;
	c->state = TCP_SYN_SENT;
	tcp_send_syn(c, now);
	return 0;
}

static bool can_send(enum tcp_state s)
{
	return s == TCP_SYN_SENT || s == TCP_SYN_RCVD || s == TCP_ESTABLISHED ||
	       s == TCP_CLOSE_WAIT;
}

int tcp_conn__send(struct tcp_conn *c, const uint8_t *data, uint32_t len, uint64_t cookie,
		   uint64_t now)
{
	struct tcp_chunk e = { .data = data, .len = len, .cookie = cookie };

	if (!len)
		return -EINVAL;
	if (c->fin_queued || !can_send(c->state))
		return c->err ? c->err : -EPIPE;
	if (c->tx.nr == c->tx.cap || (c->tx_bytes && c->tx_bytes + len > c->cfg.sndbuf))
		return -EAGAIN;
	tcp_ring__push(&c->tx, &e);
	c->tx_bytes += len;
	tcp_output(c, now);
	return 0;
}

void tcp_conn__release_acked(struct tcp_conn *c, uint32_t ack)
{
	uint32_t data_end = c->tx_seq + c->tx_bytes;
	uint32_t upto = seq_min(ack, data_end);

	if (!seq_gt(upto, c->tx_seq))
		return;
	while (c->tx.nr && seq_gt(upto, c->tx_seq)) {
		struct tcp_chunk *head = &c->tx.ent[c->tx.head];
		uint32_t n = upto - c->tx_seq;

		if (n >= head->len) {
			n = head->len;
			c->ops->tx_release(c->ctx, ring__pop(&c->tx).cookie);
		} else {
			head->data += n;
			head->len -= n;
		}
		c->tx_seq += n;
		c->tx_bytes -= n;
	}
	if (can_send(c->state) && !c->fin_queued)
		c->events |= TCP_EV_WRITABLE;
}

int tcp_conn__recv(struct tcp_conn *c, struct tcp_chunk *chunk)
{
	if (c->rx.nr) {
		*chunk = ring__pop(&c->rx);
		c->rx_queued -= chunk->len;
		return 0;
	}
	if (c->peer_fin)
		return -ENODATA;
	if (c->state == TCP_CLOSED)
		return c->err ? c->err : -ENOTCONN;
	return -EAGAIN;
}

void tcp_conn__recv_free(struct tcp_conn *c, const struct tcp_chunk *chunk, uint64_t now)
{
	uint32_t before = c->rcv_adv - c->rcv_nxt;
	uint32_t room, step;

	c->ops->rx_release(c->ctx, chunk->cookie);
	c->rx_held -= chunk->len;
	if (c->state < TCP_ESTABLISHED || c->peer_fin)
		return;
	/* Receiver SWS avoidance (RFC 9293, 3.8.6.2.2): update only when it matters. */
	room = c->cfg.rcvbuf - c->rx_held - c->reass.bytes;
	step = c->cfg.rcvbuf / 2 < c->smss ? c->cfg.rcvbuf / 2 : c->smss;
	if (room >= before + step || (before < c->smss && room >= c->smss)) {
		c->ack_now = true;
		tcp_output(c, now);
	}
}

int tcp_conn__shutdown(struct tcp_conn *c, uint64_t now)
{
	switch (c->state) {
	case TCP_SYN_SENT:
		tcp_conn__close(c, 0);
		return 0;
	case TCP_SYN_RCVD:
		/* The FIN waits for the handshake to end (RFC 9293, 3.10.4). */
		c->fin_queued = true;
		return 0;
	case TCP_ESTABLISHED:
		c->state = TCP_FIN_WAIT_1;
		break;
	case TCP_CLOSE_WAIT:
		c->state = TCP_LAST_ACK;
		break;
	default:
		return -ENOTCONN;
	}
	c->fin_queued = true;
	tcp_output(c, now);
	return 0;
}

void tcp_conn__abort(struct tcp_conn *c, uint64_t now)
{
	(void)now;
	switch (c->state) {
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_send_rst(c, c->snd_max, c->rcv_nxt, true);
		break;
	default:
		break;
	}
	tcp_conn__close(c, -ECONNABORTED);
}

void tcp_conn__orphan(struct tcp_conn *c, uint64_t now)
{
	c->orphan = true;
	if (c->rx_queued) {
		tcp_conn__abort(c, now);
		return;
	}
	tcp_conn__shutdown(c, now);
	if (c->state == TCP_FIN_WAIT_2)
		tcp_timer__fin_wait_2(c, now);
}

uint32_t tcp_conn__events(struct tcp_conn *c)
{
	uint32_t ev = c->events;

	c->events = 0;
	return ev;
}

enum tcp_state tcp_conn__state(const struct tcp_conn *c)
{
	return c->state;
}

int tcp_conn__error(const struct tcp_conn *c)
{
	return c->err;
}

const struct tcp_tuple *tcp_conn__tuple(const struct tcp_conn *c)
{
	return &c->tuple;
}

void tcp_conn__set_user(struct tcp_conn *c, void *user)
{
	c->user = user;
}

void *tcp_conn__user(const struct tcp_conn *c)
{
	return c->user;
}

void tcp_conn__info(const struct tcp_conn *c, struct tcp_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = c->state;
	info->iss = c->iss;
	info->irs = c->irs;
	info->snd_una = c->snd_una;
	info->snd_nxt = c->snd_nxt;
	info->snd_max = c->snd_max;
	info->snd_wnd = c->snd_wnd;
	info->rcv_nxt = c->rcv_nxt;
	info->rcv_wnd = c->rcv_adv - c->rcv_nxt;
	info->smss = c->smss;
	info->peer_mss = c->peer_mss;
	info->snd_wscale = c->snd_wscale;
	info->rcv_wscale = c->rcv_wscale;
	info->ts_ok = c->ts_ok;
	info->sack_ok = c->sack_ok;
	info->cwnd = c->cc.cwnd;
	info->ssthresh = c->cc.ssthresh;
	info->srtt_ns = c->srtt;
	info->rttvar_ns = c->rttvar;
	info->rto_ns = c->rto;
	info->backoff = c->backoff;
	info->ooo_segs = c->reass.nr;
	info->ooo_bytes = c->reass.bytes;
	info->rx_queued = c->rx_queued;
	info->tx_queued = c->tx_bytes;
	info->stats = c->stats;
}

int tcp_rst_for(const struct tcp_seg *seg, struct tcp_seg_out *rst)
{
	if (seg->flags & TCP_FLAG_RST)
		return -ENOENT;
	memset(rst, 0, sizeof(*rst));
	rst->sport = seg->dport;
	rst->dport = seg->sport;
	if (seg->flags & TCP_FLAG_ACK) {
		rst->seq = seg->ack;
		rst->flags = TCP_FLAG_RST;
	} else {
		rst->ack = seg->seq + seg->len + !!(seg->flags & TCP_FLAG_SYN) +
			   !!(seg->flags & TCP_FLAG_FIN);
		rst->flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
	return 0;
}
