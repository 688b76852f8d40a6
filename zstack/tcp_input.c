// SPDX-License-Identifier: GPL-2.0
/*
 * Segment arrival (RFC 9293, 3.10.7) for connections past LISTEN: SYN-SENT
 * processing, then for synchronized states PAWS (RFC 7323), acceptability,
 * RST and SYN validation with challenge ACKs (RFC 5961), ACK processing with
 * fast retransmit and recovery (RFC 5681, 6582, 6675), data by reference,
 * and FIN.
 */
#include <errno.h>

#include "zstack/tcp_impl.h"

static void establish(struct tcp_conn *c, uint64_t now)
{
	/* RFC 6298, 5.7: after a SYN timed out, data starts with an RTO of 3 s or more. */
	if (c->backoff && c->rto < TCP_RTO_AFTER_SYN_LOSS_NS)
		c->rto = TCP_RTO_AFTER_SYN_LOSS_NS;
	c->backoff = 0;
	c->state = c->fin_queued ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED;
	c->events |= TCP_EV_CONNECTED | TCP_EV_WRITABLE;
	tcp_timer__touch_keepalive(c, now);
}

/* RFC 5961, 7: challenge ACKs are rate-limited so they cannot be used to flood. */
static void challenge_ack(struct tcp_conn *c, uint64_t now)
{
	if (c->cfg.challenge_ack_limit) {
		if (now - c->challenge_start >= NSEC_PER_SEC) {
			c->challenge_start = now;
			c->challenge_count = 0;
		}
		if (c->challenge_count >= c->cfg.challenge_ack_limit) {
			c->stats.challenge_acks_suppressed++;
			return;
		}
		c->challenge_count++;
	}
	c->stats.challenge_acks++;
	c->ack_now = true;
}

static void enter_time_wait(struct tcp_conn *c, uint64_t now)
{
	c->state = TCP_TIME_WAIT;
	c->t_rexmit = c->t_persist = c->t_keepalive = c->t_probe = 0;
	c->t_timewait = now + 2 * c->cfg.msl_ns;
}

static void update_window(struct tcp_conn *c, const struct tcp_seg *s)
{
	if (seq_lt(c->snd_wl1, s->seq) ||
	    (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack))) {
		c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		if (c->snd_wnd > c->max_snd_wnd)
			c->max_snd_wnd = c->snd_wnd;
	}
}

static void syn_sent_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	bool ack = s->flags & TCP_FLAG_ACK;

	if (ack && (seq_leq(s->ack, c->iss) || seq_gt(s->ack, c->snd_max))) {
		if (!(s->flags & TCP_FLAG_RST))
			tcp_send_rst(c, s->ack, 0, false);
		return;
	}
	if (s->flags & TCP_FLAG_RST) {
		if (ack)
			tcp_conn__close(c, -ECONNREFUSED);
		return;
	}
	if (!(s->flags & TCP_FLAG_SYN))
		return;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_conn__negotiate(c, s);
	/* The window of a SYN is never scaled (RFC 7323, 2.2). */
	c->snd_wnd = s->wnd;
	c->max_snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	if (!ack) {
		/* Simultaneous open: answer with SYN,ACK on the same ISS. */
		c->state = TCP_SYN_RCVD;
		tcp_send_syn(c, now);
		return;
	}
	if (c->rtt_timing && c->rtt_karn_ok && seq_geq(s->ack, c->rtt_seq))
		tcp_rtt_sample(c, now - c->rtt_start);
	c->rtt_timing = false;
	c->snd_una = s->ack;
	c->t_rexmit = 0;
	establish(c, now);
	c->ack_now = true;
}

void tcp_enter_recovery(struct tcp_conn *c, uint64_t now)
{
	c->in_recovery = true;
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	tcp_cc__on_congestion(c);
	c->stats.fast_retransmits++;
	if (c->sack_ok) {
		c->stats.sack_recoveries++;
	} else {
		c->stats.newreno_recoveries++;
		c->cc.cwnd = c->cc.ssthresh + TCP_DUPTHRESH * c->smss;
	}
	c->high_rxt = c->snd_una + tcp_send_data(c, c->snd_una, c->smss, now);
	tcp_sack__mark_rexmit(c, now);
}

/*
 * Without this, a lost retransmission waits for the retransmission timer,
 * which at a few percent loss dominates the transfer time. Linux's RACK
 * finds it from the transmit times; the scoreboard finds it the same way
 * from what was sent after it.
 */
static void resend_lost_rexmit(struct tcp_conn *c, uint64_t now)
{
	if (!tcp_sack__rexmit_lost(c, now) || !c->sb.nr)
		return;
	c->stats.lost_retransmits++;
	tcp_send_data(c, c->snd_una, c->sb.blk[0].start - c->snd_una, now);
	tcp_sack__mark_rexmit(c, now);
}

static void new_ack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	uint32_t acked = s->ack - c->snd_una, flight = c->snd_max - c->snd_una;

	/*
	 * The echoed timestamp names the transmission being acknowledged,
	 * retransmission or not, so every ACK of new data is a sample (RFC 7323,
	 * 4.1). Without timestamps one segment per round trip is timed and
	 * Karn's rule voids the sample if it was sent again.
	 */
	if (c->ts_ok && (s->opts.present & TCP_OPT_TS) && s->opts.tsecr) {
		tcp_rtt_sample(c, (uint64_t)(tcp_ts_now(now) - s->opts.tsecr) * NSEC_PER_MSEC);
		c->rtt_timing = false;
	} else if (c->rtt_timing && seq_geq(s->ack, c->rtt_seq)) {
		if (c->rtt_karn_ok)
			tcp_rtt_sample(c, now - c->rtt_start);
		c->rtt_timing = false;
	}
	c->snd_una = s->ack;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	c->stats.bytes_acked += acked;
	c->backoff = 0;
	tcp_conn__release_acked(c, s->ack);
	tcp_sack__ack(c, s->ack);
	if (seq_lt(c->high_rxt, c->snd_una))
		c->high_rxt = c->snd_una;
	if (!c->in_recovery) {
		c->dupacks = 0;
		tcp_cc__on_ack(c, acked, flight, now);
	} else if (seq_geq(s->ack, c->recover)) {
		/* Full acknowledgment (RFC 6582, 3.2 step 3, option 1: no burst). */
		uint32_t fl = c->snd_max - c->snd_una;

		fl = (fl > c->smss ? fl : c->smss) + c->smss;

		c->in_recovery = false;
		c->dupacks = 0;
		c->cc.cwnd = c->cc.ssthresh < fl ? c->cc.ssthresh : fl;
	} else if (c->sack_ok) {
		/* The hole now at snd_una may have been retransmitted long ago. */
		tcp_sack__mark_rexmit(c, now);
	} else {
		/* Partial acknowledgment (RFC 6582, 3.2 step 4). */
		tcp_send_data(c, c->snd_una, c->smss, now);
		c->cc.cwnd = acked < c->cc.cwnd ? c->cc.cwnd - acked : c->smss;
		if (acked >= c->smss)
			c->cc.cwnd += c->smss;
	}
	c->t_rexmit = c->snd_una == c->snd_max ? 0 : now + c->rto;
	c->probe_sent = false;
	tcp_timer__arm_probe(c, now);
}

static void dup_ack(struct tcp_conn *c, uint64_t now)
{
	c->dupacks++;
	if (c->in_recovery) {
		if (!c->sack_ok)
			c->cc.cwnd += c->smss;
		return;
	}
	/* RFC 6582 4.1: a new recovery only once the previous one is fully acked. */
	if (seq_lt(c->snd_una, c->recover))
		return;
	if (c->dupacks >= TCP_DUPTHRESH || (c->sack_ok && tcp_sack__lost(c, c->snd_una)))
		tcp_enter_recovery(c, now);
	else if (c->sack_ok)
		tcp_timer__arm_probe(c, now);
}

/* Returns false when the segment must not be processed further. */
static bool ack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	uint32_t old_wnd = c->snd_wnd;
	bool new_sack = false;

	if (c->state == TCP_SYN_RCVD) {
		if (!seq_gt(s->ack, c->snd_una) || seq_gt(s->ack, c->snd_max)) {
			tcp_send_rst(c, s->ack, 0, false);
			return false;
		}
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
		c->max_snd_wnd = c->snd_wnd;
		old_wnd = c->snd_wnd;
		establish(c, now);
	}
	/* RFC 5961, 5.2: acks outside what we sent or may still be acked are challenged. */
	if (seq_gt(s->ack, c->snd_max) || seq_lt(s->ack, c->snd_una - c->max_snd_wnd)) {
		challenge_ack(c, now);
		return false;
	}
	if (c->sack_ok && (s->opts.present & TCP_OPT_SACK))
		new_sack = tcp_sack__update(c, &s->opts);
	if (seq_gt(s->ack, c->snd_una)) {
		new_ack(c, s, now);
		update_window(c, s);
	} else {
		update_window(c, s);
		/*
		 * With SACK, an ACK reporting newly SACKed data counts whatever
		 * else it carries (RFC 6675, 2): Linux's receiver grows its
		 * window as out-of-order data arrives, and in a two-way
		 * transfer ACKs carry data.
		 */
		bool bare = !s->len && !(s->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN));

		if (s->ack == c->snd_una && c->snd_max != c->snd_una &&
		    (c->sack_ok ? new_sack : bare && c->snd_wnd == old_wnd))
			dup_ack(c, now);
	}
	if (c->sack_ok && new_sack)
		resend_lost_rexmit(c, now);

	if (!tcp_fin_sent(c) || c->snd_una != c->snd_max)
		return true;
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		c->state = TCP_FIN_WAIT_2;
		if (c->orphan)
			tcp_timer__fin_wait_2(c, now);
		break;
	case TCP_CLOSING:
		enter_time_wait(c, now);
		break;
	case TCP_LAST_ACK:
		tcp_conn__close(c, 0);
		return false;
	default:
		break;
	}
	return true;
}

static void fin_input(struct tcp_conn *c, uint64_t now)
{
	c->rcv_nxt++;
	c->peer_fin = true;
	c->reass.fin = false;
	c->events |= TCP_EV_PEER_FIN | TCP_EV_READABLE;
	c->ack_now = true;
	switch (c->state) {
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		if (tcp_fin_sent(c) && c->snd_una == c->snd_max)
			enter_time_wait(c, now);
		else
			c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		enter_time_wait(c, now);
		break;
	default:
		break;
	}
}

/* Queues payload by reference; returns true when the core now holds seg's buffer. */
static bool data_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	const uint8_t *data = s->payload;
	uint32_t seq = s->seq, len = s->len;
	struct tcp_chunk e;

	if (seq_lt(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		if (d >= len) {
			c->stats.dup_segs_in++;
			c->ack_now = true;
			return false;
		}
		data += d;
		len -= d;
		seq = c->rcv_nxt;
	}
	if (seq_gt(seq + len, c->rcv_adv))
		len = seq_lt(seq, c->rcv_adv) ? c->rcv_adv - seq : 0;
	if (!len) {
		c->ack_now = true;
		return false;
	}
	if (seq != c->rcv_nxt) {
		c->stats.ooo_segs_in++;
		c->ack_now = true; /* an immediate duplicate ACK (RFC 5681, 4.2) */
		return tcp_reass__insert(c, seq, data, len, s->cookie);
	}
	if (c->rx.nr >= c->cfg.rx_chunks) {
		c->ack_now = true;
		return false;
	}
	e.data = data;
	e.len = len;
	e.cookie = s->cookie;
	tcp_ring__push(&c->rx, &e);
	c->rcv_nxt += len;
	c->rx_queued += len;
	c->rx_held += len;
	c->stats.bytes_received += len;
	c->events |= TCP_EV_READABLE;
	if (c->reass.nr) {
		tcp_reass__pull(c);
		c->ack_now = true; /* a hole filled: ACK at once */
	} else if (++c->delack_segs >= 2) {
		c->ack_now = true;
	} else if (!c->t_delack) {
		c->t_delack = now + c->cfg.delack_ns;
	}
	return true;
}

static bool acceptable(const struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t wnd = c->rcv_adv - c->rcv_nxt;
	uint32_t seglen = s->len + !!(s->flags & TCP_FLAG_SYN) + !!(s->flags & TCP_FLAG_FIN);
	uint32_t last = s->seq + seglen - 1;

	/*
	 * A bare ACK may sit at the right edge: a peer that has sent up to our
	 * window acknowledges from there (Linux accepts it too).
	 */
	if (!seglen)
		return seq_geq(s->seq, c->rcv_nxt) && seq_leq(s->seq, c->rcv_nxt + wnd);
	/* A zero window still takes the ACK of a probe sitting at rcv_nxt. */
	if (!wnd)
		return s->seq == c->rcv_nxt;
	return (seq_geq(s->seq, c->rcv_nxt) && seq_lt(s->seq, c->rcv_nxt + wnd)) ||
	       (seq_geq(last, c->rcv_nxt) && seq_lt(last, c->rcv_nxt + wnd));
}

static void rst_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	/* RFC 5961, 3.2: only an exact match resets; in-window guesses get a challenge. */
	if (s->seq != c->rcv_nxt) {
		challenge_ack(c, now);
		return;
	}
	switch (c->state) {
	case TCP_SYN_RCVD:
		tcp_conn__close(c, -ECONNREFUSED);
		break;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_conn__close(c, -ECONNRESET);
		break;
	default:
		tcp_conn__close(c, 0);
		break;
	}
}

/* Returns true when the core now holds the segment's buffer. */
/*
 * New data for a connection the application closed can never be read: as
 * Linux (TCPAbortOnData), the peer learns it at once from a RST answering the
 * segment, rather than from data it believes delivered.
 */
static void abort_on_data(struct tcp_conn *c, const struct tcp_seg *s)
{
	tcp_send_rst(c, s->ack, 0, false);
	tcp_conn__close(c, -ECONNRESET);
}

static bool synced_input(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now)
{
	struct tcp_seg s = *seg;
	bool has_ts = s.opts.present & TCP_OPT_TS;
	bool held = false;

	if (c->state == TCP_SYN_RCVD && (s.flags & TCP_FLAG_SYN) && s.seq == c->irs) {
		if (!(s.flags & TCP_FLAG_ACK)) {
			tcp_send_syn(c, now); /* our SYN,ACK was lost */
			return false;
		}
		/* Simultaneous open: the peer's SYN,ACK; its ACK completes ours. */
		s.flags &= ~TCP_FLAG_SYN;
		s.seq++;
	}
	/*
	 * RFC 1337: a RST must not end TIME-WAIT early, or old duplicates could
	 * reach the next incarnation of the connection.
	 */
	if (c->state == TCP_TIME_WAIT && (s.flags & TCP_FLAG_RST))
		return false;
	if (c->ts_ok && !(s.flags & TCP_FLAG_RST)) {
		/* RFC 7323, 3.2 and 5.3: no timestamp or an old one means drop. */
		if (!has_ts)
			return false;
		if (seq_lt(s.opts.tsval, c->ts_recent)) {
			c->stats.paws_dropped++;
			c->ack_now = true;
			return false;
		}
	}
	if (!acceptable(c, &s)) {
		if (s.flags & TCP_FLAG_RST)
			return false;
		c->stats.dup_segs_in++;
		c->ack_now = true;
		if (c->state == TCP_TIME_WAIT && (s.flags & TCP_FLAG_FIN))
			c->t_timewait = now + 2 * c->cfg.msl_ns;
		return false;
	}
	tcp_timer__touch_keepalive(c, now);
	if (s.flags & TCP_FLAG_RST) {
		rst_input(c, &s, now);
		return false;
	}
	if (s.flags & TCP_FLAG_SYN) {
		challenge_ack(c, now); /* RFC 5961, 4.2 */
		return false;
	}
	if (c->ts_ok && seq_leq(s.seq, c->last_ack_sent))
		c->ts_recent = s.opts.tsval;
	if (!(s.flags & TCP_FLAG_ACK) || !ack_input(c, &s, now))
		return false;

	if (s.len && c->orphan && (c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2) &&
	    seq_gt(s.seq + s.len, c->rcv_nxt)) {
		abort_on_data(c, &s);
		return false;
	}
	if (s.len && (c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
		      c->state == TCP_FIN_WAIT_2))
		held = data_input(c, &s, now);
	if ((s.flags & TCP_FLAG_FIN) && !c->peer_fin) {
		uint32_t fin_seq = s.seq + s.len;

		if (fin_seq == c->rcv_nxt) {
			fin_input(c, now);
		} else if (seq_gt(fin_seq, c->rcv_nxt) && seq_lt(fin_seq, c->rcv_adv)) {
			c->reass.fin = true;
			c->reass.fin_seq = fin_seq;
			c->ack_now = true;
		}
	}
	if (c->reass.fin && c->reass.fin_seq == c->rcv_nxt && !c->peer_fin)
		fin_input(c, now);
	return held;
}

int tcp_conn__input(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now)
{
	bool held = false;
	int err = 0;

	c->stats.segs_in++;
	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		err = -ENOTCONN;
		break;
	case TCP_SYN_SENT:
		syn_sent_input(c, seg, now);
		break;
	default:
		held = synced_input(c, seg, now);
		break;
	}
	if (seg->len && !held)
		c->ops->rx_release(c->ctx, seg->cookie);
	if (c->state != TCP_CLOSED)
		tcp_output(c, now);
	return err;
}
