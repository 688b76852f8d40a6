// SPDX-License-Identifier: GPL-2.0
/*
 * What the core sends: SYNs, data by reference into the send buffers, FINs,
 * ACKs with the window and options, probes, RSTs, and the transmission loop
 * bounded by the peer's window and the congestion window (RFC 5681), with
 * SACK-based loss recovery per RFC 6675 NextSeg().
 */
#include <string.h>

#include "zstack/tcp_impl.h"

uint32_t tcp_data_end(const struct tcp_conn *c)
{
	return c->tx_seq + c->tx_bytes;
}

bool tcp_fin_sent(const struct tcp_conn *c)
{
	return c->fin_queued && seq_gt(c->snd_max, tcp_data_end(c));
}

static uint32_t rcv_space(const struct tcp_conn *c)
{
	uint32_t used = c->rx_held + c->reass.bytes;

	return used >= c->cfg.rcvbuf ? 0 : c->cfg.rcvbuf - used;
}

/* The window field to send; a window once offered is never taken back (RFC 9293, 3.8.6.2.2). */
static uint16_t window_field(struct tcp_conn *c, bool syn)
{
	uint32_t space = rcv_space(c), wnd, offered;
	uint32_t unit = 1u << c->rcv_wscale;

	if (syn)
		return space > 0xffff ? 0xffff : (uint16_t)space;
	wnd = space >> c->rcv_wscale;
	if (seq_lt(c->rcv_nxt, c->rcv_adv)) {
		offered = (c->rcv_adv - c->rcv_nxt + unit - 1) >> c->rcv_wscale;
		if (wnd < offered)
			wnd = offered;
	}
	if (wnd > 0xffff)
		wnd = 0xffff;
	c->rcv_adv = seq_max(c->rcv_adv, c->rcv_nxt + (wnd << c->rcv_wscale));
	return (uint16_t)wnd;
}

static void seg_init(struct tcp_conn *c, struct tcp_seg_out *o, uint32_t seq, uint8_t flags,
		     uint64_t now)
{
	memset(o, 0, sizeof(*o));
	o->sport = c->tuple.lport;
	o->dport = c->tuple.rport;
	o->seq = seq;
	o->flags = flags;
	if (flags & TCP_FLAG_ACK)
		o->ack = c->rcv_nxt;
	o->wnd = window_field(c, flags & TCP_FLAG_SYN);
	if (c->ts_ok) {
		o->opts.present |= TCP_OPT_TS;
		o->opts.tsval = tcp_ts_now(now);
		o->opts.tsecr = c->ts_recent;
	}
	if (c->sack_ok && (flags & TCP_FLAG_ACK) && !(flags & TCP_FLAG_SYN))
		tcp_reass__sack_opts(c, &o->opts, c->ts_ok ? 3 : 4);
}

static void emit(struct tcp_conn *c, struct tcp_seg_out *o)
{
	if (o->flags & TCP_FLAG_ACK) {
		c->last_ack_sent = o->ack;
		c->delack_segs = 0;
		c->t_delack = 0;
		c->ack_now = false;
	}
	c->stats.segs_out++;
	c->ops->output(c->ctx, c, o);
}

/*
 * A bare ACK carries the first unsent octet, snd_max: after a timeout
 * snd_nxt is back at snd_una, and a sequence number the peer has already
 * received would make it drop the ACK as a duplicate.
 */
static void send_ack(struct tcp_conn *c, uint64_t now)
{
	struct tcp_seg_out o;

	seg_init(c, &o, c->snd_max, TCP_FLAG_ACK, now);
	emit(c, &o);
}

/* A segment the peer must answer with an ACK: one byte below snd_una, no data. */
void tcp_send_probe(struct tcp_conn *c, uint64_t now)
{
	struct tcp_seg_out o;

	seg_init(c, &o, c->snd_una - 1, TCP_FLAG_ACK, now);
	emit(c, &o);
}

void tcp_send_rst(struct tcp_conn *c, uint32_t seq, uint32_t ack, bool with_ack)
{
	struct tcp_seg_out o;

	memset(&o, 0, sizeof(o));
	o.sport = c->tuple.lport;
	o.dport = c->tuple.rport;
	o.seq = seq;
	o.ack = with_ack ? ack : 0;
	o.flags = TCP_FLAG_RST | (with_ack ? TCP_FLAG_ACK : 0);
	c->stats.segs_out++;
	c->ops->output(c->ctx, c, &o);
}

void tcp_send_syn(struct tcp_conn *c, uint64_t now)
{
	bool active = c->state == TCP_SYN_SENT;
	struct tcp_seg_out o;

	seg_init(c, &o, c->iss, TCP_FLAG_SYN | (active ? 0 : TCP_FLAG_ACK), now);
	o.opts.present |= TCP_OPT_MSS;
	o.opts.mss = c->cfg.mss;
	if (active ? c->cfg.wscale : c->ws_ok) {
		o.opts.present |= TCP_OPT_WSCALE;
		o.opts.wscale = c->rcv_wscale;
	}
	if (active ? c->cfg.timestamps : c->ts_ok) {
		o.opts.present |= TCP_OPT_TS;
		o.opts.tsval = tcp_ts_now(now);
		o.opts.tsecr = active ? 0 : c->ts_recent;
	}
	if (active ? c->cfg.sack : c->sack_ok)
		o.opts.present |= TCP_OPT_SACK_PERM;
	o.retransmit = c->backoff > 0;
	if (!o.retransmit) {
		c->rtt_timing = true;
		c->rtt_karn_ok = true;
		c->rtt_seq = c->iss + 1;
		c->rtt_start = now;
	}
	c->snd_nxt = c->iss + 1;
	c->snd_max = seq_max(c->snd_max, c->iss + 1);
	c->rcv_adv = c->rcv_nxt + o.wnd;
	emit(c, &o);
	if (!c->t_rexmit)
		c->t_rexmit = now + c->rto;
}

/* Finds the send buffer holding seq: its ring position and seq's offset in it. */
static uint32_t tx_locate(const struct tcp_conn *c, uint32_t seq, uint32_t *off)
{
	uint32_t i = 0;

	*off = seq - c->tx_seq;
	while (i < c->tx.nr && *off >= c->tx.ent[(c->tx.head + i) % c->tx.cap].len)
		*off -= c->tx.ent[(c->tx.head + i++) % c->tx.cap].len;
	return i;
}

/* Bytes from seq to the end of the send buffer holding it. */
static uint32_t to_buffer_end(const struct tcp_conn *c, uint32_t seq)
{
	uint32_t off, i = tx_locate(c, seq, &off);

	return i < c->tx.nr ? c->tx.ent[(c->tx.head + i) % c->tx.cap].len - off : 0;
}

/* Fills o with up to len bytes of the send buffers starting at seq. */
static uint32_t fill_payload(const struct tcp_conn *c, struct tcp_seg_out *o, uint32_t seq,
			     uint32_t len)
{
	uint32_t max_iov = c->cfg.seg_per_buffer ? 1 : TCP_SEG_IOV_MAX;
	uint32_t off, i = tx_locate(c, seq, &off);

	for (; i < c->tx.nr && len && o->nr_iov < max_iov; i++, off = 0) {
		const struct tcp_chunk *e = &c->tx.ent[(c->tx.head + i) % c->tx.cap];
		uint32_t n = e->len - off < len ? e->len - off : len;
		struct tcp_iov *iov = &o->iov[o->nr_iov++];

		iov->data = e->data + off;
		iov->len = n;
		iov->cookie = e->cookie;
		o->len += n;
		len -= n;
	}
	return o->len;
}

/*
 * smss already leaves room for timestamps; SACK blocks come out of the
 * payload too, or the segment would outgrow the peer's MSS and the link's MTU
 * (Linux's tcp_current_mss does the same).
 */
static uint32_t seg_room(const struct tcp_conn *c, const struct tcp_seg_out *o, uint32_t len)
{
	uint32_t opts = tcp_opts__len(&o->opts) - (c->ts_ok ? TCP_TS_OPT_LEN : 0);
	uint32_t room = c->smss > opts ? c->smss - opts : 0;

	return len < room ? len : room;
}

/*
 * Sends [seq, seq + len), with our FIN when it ends the data (len may be 0
 * for a lone FIN); returns the sequence space used.
 */
static uint32_t send_range(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now)
{
	uint32_t end = tcp_data_end(c);
	struct tcp_seg_out o;
	uint32_t n;

	seg_init(c, &o, seq, TCP_FLAG_ACK, now);
	len = seg_room(c, &o, len);
	n = len ? fill_payload(c, &o, seq, len) : 0;
	if (n && seq + n == end)
		o.flags |= TCP_FLAG_PSH;
	/* The FIN takes a sequence number, so it too must fit the peer's window. */
	if (c->fin_queued && seq + n == end && seq_lt(seq + n, c->snd_una + c->snd_wnd))
		o.flags |= TCP_FLAG_FIN;
	o.retransmit = seq_lt(seq, c->snd_max);
	if (o.retransmit) {
		c->stats.retransmits++;
		/* Karn: once the timed segment is sent again its ACK is ambiguous. */
		if (seq_lt(seq, c->rtt_seq) && seq_geq(seq + n, c->rtt_seq))
			c->rtt_karn_ok = false;
	} else if (!c->rtt_timing && n) {
		c->rtt_timing = true;
		c->rtt_karn_ok = true;
		c->rtt_seq = seq + n;
		c->rtt_start = now;
	}
	emit(c, &o);
	n += !!(o.flags & TCP_FLAG_FIN);
	if (seq_leq(seq, c->snd_nxt) && seq_gt(seq + n, c->snd_nxt))
		c->snd_nxt = seq + n;
	c->snd_max = seq_max(c->snd_max, seq + n);
	if (!c->t_rexmit)
		c->t_rexmit = now + c->rto;
	if (!o.retransmit)
		tcp_timer__arm_probe(c, now);
	return n;
}

uint32_t tcp_send_data(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now)
{
	uint32_t end = tcp_data_end(c);

	if (seq_geq(seq, end))
		return c->fin_queued ? send_range(c, seq, 0, now) : 0;
	if (len > c->smss)
		len = c->smss;
	if (len > end - seq)
		len = end - seq;
	return send_range(c, seq, len, now);
}

static uint32_t flight(const struct tcp_conn *c)
{
	if (seq_lt(c->snd_nxt, c->snd_max))
		return c->snd_nxt - c->snd_una;
	if (c->sack_ok)
		return tcp_sack__pipe(c);
	return c->snd_max - c->snd_una;
}

/* New data (or data again after a timeout) from snd_nxt, within both windows. */
static bool send_new(struct tcp_conn *c, uint64_t now)
{
	uint32_t end = tcp_data_end(c);
	bool sent = false;

	for (;;) {
		uint32_t wnd_end = c->snd_una + c->snd_wnd;
		uint32_t fl = flight(c), len, room;

		if (seq_geq(c->snd_nxt, end)) {
			if (c->fin_queued && c->snd_nxt == end && seq_lt(end, wnd_end)) {
				send_range(c, c->snd_nxt, 0, now);
				sent = true;
			}
			break;
		}
		if (!seq_lt(c->snd_nxt, wnd_end) || fl >= c->cc.cwnd)
			break;
		len = end - c->snd_nxt;
		room = wnd_end - c->snd_nxt;
		if (len > room)
			len = room;
		if (len > c->cc.cwnd - fl)
			len = c->cc.cwnd - fl;
		if (len > c->smss)
			len = c->smss;
		if (c->cfg.seg_per_buffer && len >= to_buffer_end(c, c->snd_nxt)) {
			len = to_buffer_end(c, c->snd_nxt);
		} else if (len < c->smss && c->snd_nxt + len != end &&
			   len < c->max_snd_wnd / 2) {
			/* Sender SWS avoidance (RFC 9293, 3.8.6.2.1). */
			break;
		}
		if (!send_range(c, c->snd_nxt, len, now))
			break;
		sent = true;
	}
	return sent;
}

/* RFC 6675, 5 (C): retransmissions that NextSeg() rules 1 and 3 pick. */
static bool send_sack_recovery(struct tcp_conn *c, uint64_t now)
{
	uint32_t end = tcp_data_end(c);
	bool sent = false;
	uint32_t seq, len;

	while (c->cc.cwnd >= tcp_sack__pipe(c) + c->smss) {
		bool new_ok = seq_lt(c->snd_nxt, end) &&
			      seq_lt(c->snd_nxt, c->snd_una + c->snd_wnd);

		if (!tcp_sack__next_hole(c, true, &seq, &len) &&
		    (new_ok || !tcp_sack__next_hole(c, false, &seq, &len)))
			break;
		len = tcp_send_data(c, seq, len, now);
		if (!len)
			break;
		c->high_rxt = seq + len;
		if (seq == c->snd_una)
			tcp_sack__mark_rexmit(c, now);
		sent = true;
	}
	return sent;
}

void tcp_output(struct tcp_conn *c, uint64_t now)
{
	bool sent = false;

	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (c->in_recovery && c->sack_ok)
			sent = send_sack_recovery(c, now);
		sent |= send_new(c, now);
		tcp_timer__update_persist(c, now);
		break;
	case TCP_SYN_RCVD:
	case TCP_FIN_WAIT_2:
	case TCP_TIME_WAIT:
		break;
	default:
		return;
	}
	if (!sent && c->ack_now)
		send_ack(c, now);
}
