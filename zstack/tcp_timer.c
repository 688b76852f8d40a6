// SPDX-License-Identifier: GPL-2.0
/*
 * Timers: retransmission (RFC 6298, with Karn's rule and exponential
 * backoff), the tail loss probe and RACK's reordering wait (RFC 8985) that
 * spare most of its expiries, persist (zero-window probes), delayed ACK,
 * keepalive, TIME-WAIT and an orphan's FIN-WAIT-2. Deadlines are absolute
 * times on the caller's clock.
 */
#include <errno.h>

#include "zstack/tcp_impl.h"

/* RFC 6298's clock granularity G: our clock is finer, use 1 ms. */
#define TCP_RTO_GRANULARITY_NS NSEC_PER_MSEC
/* Added to the probe timeout: Linux's TCP_TIMEOUT_MIN, timer and scheduling slack. */
#define TCP_PROBE_SLACK_NS (2 * NSEC_PER_MSEC)
/* RFC 8985's WCDelAckT: how long a lone segment's ACK may be delayed. */
#define TCP_PROBE_DELACK_NS (200 * NSEC_PER_MSEC)

void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt)
{
	uint64_t var;

	c->stats.rtt_samples++;
	if (c->stats.rtt_samples == 1) {
		c->srtt = rtt;
		c->rttvar = rtt / 2;
	} else {
		uint64_t delta = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;

		c->rttvar = (3 * c->rttvar + delta) / 4;
		c->srtt = (7 * c->srtt + rtt) / 8;
	}
	var = 4 * c->rttvar;
	c->rto = c->srtt + (var > TCP_RTO_GRANULARITY_NS ? var : TCP_RTO_GRANULARITY_NS);
	if (c->rto < c->cfg.rto_min_ns)
		c->rto = c->cfg.rto_min_ns;
	if (c->rto > c->cfg.rto_max_ns)
		c->rto = c->cfg.rto_max_ns;
}

static uint64_t persist_interval(const struct tcp_conn *c)
{
	uint64_t t = c->rto;

	for (uint32_t i = 0; i < c->persist_backoff && t < TCP_PERSIST_MAX_NS; i++)
		t *= 2;
	return t > TCP_PERSIST_MAX_NS ? TCP_PERSIST_MAX_NS : t;
}

/*
 * With data or our FIN waiting and nothing in flight, only a timer gets the
 * sender going again: the window may be zero (RFC 9293, 3.8.6.1) or too small
 * for SWS avoidance to allow a segment (3.8.6.2.1).
 */
void tcp_timer__update_persist(struct tcp_conn *c, uint64_t now)
{
	uint32_t end = tcp_data_end(c);
	bool pending = seq_lt(c->snd_nxt, end) || (c->fin_queued && c->snd_nxt == end);

	if (pending && c->snd_una == c->snd_max) {
		if (!c->t_persist)
			c->t_persist = now + persist_interval(c);
		return;
	}
	c->t_persist = 0;
	c->persist_backoff = 0;
}

void tcp_timer__touch_keepalive(struct tcp_conn *c, uint64_t now)
{
	c->ka_sent = 0;
	if (!c->cfg.keepalive_idle_ns)
		return;
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		c->t_keepalive = now + c->cfg.keepalive_idle_ns;
		break;
	default:
		c->t_keepalive = 0;
		break;
	}
}

/*
 * Nobody would ever read what a peer that never sends its FIN keeps the
 * connection open for. As Linux with its defaults (tcp_fin_timeout at most
 * TCP_TIMEWAIT_LEN), the connection then ends silently, like TIME-WAIT; the
 * peer's FIN meanwhile moves it to TIME-WAIT proper.
 */
void tcp_timer__fin_wait_2(struct tcp_conn *c, uint64_t now)
{
	c->t_timewait = now + c->cfg.fin_timeout_ns;
}

uint64_t tcp_conn__next_deadline(const struct tcp_conn *c)
{
	const uint64_t t[] = { c->t_rexmit, c->t_delack, c->t_persist, c->t_keepalive,
			       c->t_timewait, c->t_probe };
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] && t[i] < next)
			next = t[i];
	return next;
}

static void rexmit_timeout(struct tcp_conn *c, uint64_t now)
{
	bool handshake = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD;
	uint32_t limit = handshake ? c->cfg.syn_retries : c->cfg.max_retries;

	c->t_rexmit = 0;
	c->t_probe = 0;
	if (c->snd_una == c->snd_max)
		return;
	c->stats.timeouts++;
	if (++c->backoff > limit) {
		tcp_conn__close(c, -ETIMEDOUT);
		return;
	}
	c->rto = c->rto * 2 > c->cfg.rto_max_ns ? c->cfg.rto_max_ns : c->rto * 2;
	/* Without timestamps everything outstanding is now ambiguous: time anew. */
	c->rtt_karn_ok = false;
	if (!c->ts_ok)
		c->rtt_timing = false;
	if (handshake) {
		tcp_send_syn(c, now);
		return;
	}
	tcp_cc__on_rto(c);
	c->in_recovery = false;
	c->dupacks = 0;
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	tcp_sack__clear(c);
	/* Go back to snd_una, whatever the peer's window now says (RFC 5681, 3.1). */
	c->snd_nxt = c->snd_una;
	tcp_send_data(c, c->snd_una, c->smss, now);
}

/*
 * RFC 8985, 7.2: two round trips, more when a lone segment may wait for a
 * delayed ACK; never past the retransmission timer it stands in for. Unlike
 * Linux, also during recovery: with the ACK of the last retransmission lost
 * (a Linux receiver behind GRO sends few), nothing else gets the sender
 * going before the retransmission timer.
 */
void tcp_timer__arm_probe(struct tcp_conn *c, uint64_t now)
{
	uint64_t pto = 2 * c->srtt + TCP_PROBE_SLACK_NS;

	c->t_probe = 0;
	if (c->probe_sent || c->backoff || !c->stats.rtt_samples ||
	    c->snd_una == c->snd_max || !c->t_rexmit)
		return;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT &&
	    c->state != TCP_FIN_WAIT_1 && c->state != TCP_CLOSING && c->state != TCP_LAST_ACK)
		return;
	/*
	 * SACKed data above snd_una that is not yet enough for DupThresh: as
	 * RACK (RFC 8985, 6.2), the hole is lost once a quarter round trip more
	 * passed without it arriving.
	 */
	if (!c->in_recovery && c->sb.nr)
		pto = c->srtt / 4 + TCP_PROBE_SLACK_NS;
	else if (c->snd_max - c->snd_una <= c->smss)
		pto += TCP_PROBE_DELACK_NS;
	if (now + pto < c->t_rexmit)
		c->t_probe = now + pto;
}

/*
 * No ACK for a while: the tail of the flight or all its ACKs were lost.
 * Rather than wait for the retransmission timer, send one segment the peer
 * must acknowledge at once: new data if there is some, else the last
 * segment again. Its ACK (with SACK) starts fast recovery for whatever was
 * lost. Linux's receiver rate-limits its answers to old data (500 ms), so new
 * data comes first.
 */
static void probe_timeout(struct tcp_conn *c, uint64_t now)
{
	uint32_t end = tcp_data_end(c), top, n, sent = 0;

	c->t_probe = 0;
	if (!c->in_recovery && c->sb.nr) {
		tcp_enter_recovery(c, now);
		return;
	}
	c->probe_sent = true;
	c->stats.loss_probes++;
	/* Two segments: a Linux receiver delays its ACK of a lone one (40 ms). */
	for (int i = 0; i < 2; i++) {
		if (!seq_lt(c->snd_nxt, end) || !seq_lt(c->snd_nxt, c->snd_una + c->snd_wnd))
			break;
		n = tcp_send_data(c, c->snd_nxt, c->smss, now);
		if (!n)
			break;
		sent += n;
	}
	if (sent)
		return;
	top = tcp_fin_sent(c) ? end : c->snd_max;
	n = top - c->snd_una < c->smss ? top - c->snd_una : c->smss;
	tcp_send_data(c, top - n, n, now);
}

static void persist_timeout(struct tcp_conn *c, uint64_t now)
{
	uint32_t pending = tcp_data_end(c) - c->snd_nxt;

	c->t_persist = 0;
	if (!c->snd_wnd) {
		c->stats.window_probes++;
		tcp_send_probe(c, now);
		c->persist_backoff++;
		c->t_persist = now + persist_interval(c);
		return;
	}
	tcp_send_data(c, c->snd_nxt, pending < c->snd_wnd ? pending : c->snd_wnd, now);
}

static void keepalive_timeout(struct tcp_conn *c, uint64_t now)
{
	if (c->ka_sent >= c->cfg.keepalive_probes) {
		tcp_conn__close(c, -ETIMEDOUT);
		return;
	}
	c->ka_sent++;
	c->stats.keepalive_probes++;
	tcp_send_probe(c, now);
	c->t_keepalive = now + c->cfg.keepalive_intvl_ns;
}

void tcp_conn__on_timer(struct tcp_conn *c, uint64_t now)
{
	if (c->t_timewait && now >= c->t_timewait) {
		tcp_conn__close(c, 0);
		return;
	}
	if (c->t_rexmit && now >= c->t_rexmit)
		rexmit_timeout(c, now);
	if (c->t_probe && now >= c->t_probe)
		probe_timeout(c, now);
	if (c->t_persist && now >= c->t_persist)
		persist_timeout(c, now);
	if (c->t_keepalive && now >= c->t_keepalive)
		keepalive_timeout(c, now);
	if (c->state == TCP_CLOSED)
		return;
	if (c->t_delack && now >= c->t_delack) {
		c->stats.delayed_acks++;
		c->ack_now = true;
	}
	tcp_output(c, now);
}
