// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control: slow start and congestion avoidance of RFC 5681 with
 * either NewReno's linear growth or CUBIC's (RFC 9438), and the response to
 * loss detected by duplicate ACKs or by the retransmission timer.
 */
#include "zstack/tcp_impl.h"

#define CUBIC_C 0.4
#define CUBIC_BETA 0.7
#define CUBIC_ALPHA (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA))

/* Cube root by bisection: the library's cbrt would need libm. */
static double cube_root(double x)
{
	double lo = 0, hi = x > 1 ? x : 1;

	for (int i = 0; i < 64; i++) {
		double mid = (lo + hi) / 2;

		if (mid * mid * mid < x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void tcp_cc__init(struct tcp_conn *c)
{
	struct tcp_cc *cc = &c->cc;

	cc->algo = c->cfg.cc;
	cc->cwnd = c->cfg.init_cwnd_segs * c->smss;
	cc->ssthresh = UINT32_MAX;
	cc->ca_acked = 0;
	cc->w_max = 0;
	cc->w_last_max = 0;
	cc->k = 0;
	cc->w_est = 0;
	cc->epoch_start = 0;
	cc->frac = 0;
}

static void cubic_on_ack(struct tcp_conn *c, uint32_t acked, uint64_t now)
{
	struct tcp_cc *cc = &c->cc;
	double cwnd = (double)cc->cwnd / c->smss, t, target, w_cubic;
	double alpha;

	if (!cc->epoch_start) {
		cc->epoch_start = now;
		cc->k = cwnd < cc->w_max ? cube_root((cc->w_max - cwnd) / CUBIC_C) : 0;
		if (cwnd >= cc->w_max)
			cc->w_max = cwnd;
		cc->w_est = cwnd;
	}
	t = (double)(now - cc->epoch_start) / NSEC_PER_SEC;
	w_cubic = CUBIC_C * (t - cc->k) * (t - cc->k) * (t - cc->k) + cc->w_max;
	t += (double)c->srtt / NSEC_PER_SEC;
	target = CUBIC_C * (t - cc->k) * (t - cc->k) * (t - cc->k) + cc->w_max;
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	/* The Reno-friendly estimate (RFC 9438, 4.3). */
	alpha = cc->w_est < cc->w_max ? CUBIC_ALPHA : 1.0;
	cc->w_est += alpha * ((double)acked / c->smss) / cwnd;
	if (w_cubic < cc->w_est) {
		target = cc->w_est;
		if (target < cwnd)
			target = cwnd;
	}
	/* Grow by (target - cwnd) / cwnd per SMSS acked, carrying byte fractions. */
	cc->frac += (target - cwnd) / cwnd * acked;
	cc->cwnd += (uint32_t)cc->frac;
	cc->frac -= (uint32_t)cc->frac;
}

void tcp_cc__on_ack(struct tcp_conn *c, uint32_t acked, uint32_t flight, uint64_t now)
{
	struct tcp_cc *cc = &c->cc;

	/*
	 * A sender held back by the application or the peer's window never tested
	 * its cwnd: do not grow it (the idea of RFC 7661), or the first burst after
	 * the limit lifts would be sized by a window the path never carried.
	 */
	if (2 * (uint64_t)flight < cc->cwnd)
		return;
	if (cc->cwnd < cc->ssthresh) {
		/* RFC 3465 with L = 2 SMSS: delayed ACKs do not halve the growth. */
		cc->cwnd += acked < 2 * c->smss ? acked : 2 * c->smss;
		return;
	}
	if (cc->algo == TCP_CC_CUBIC) {
		cubic_on_ack(c, acked, now);
		return;
	}
	cc->ca_acked += acked;
	if (cc->ca_acked >= cc->cwnd) {
		cc->ca_acked -= cc->cwnd;
		cc->cwnd += c->smss;
	}
}

static uint32_t loss_ssthresh(struct tcp_conn *c)
{
	struct tcp_cc *cc = &c->cc;
	uint32_t flight = c->snd_max - c->snd_una, ss;

	if (cc->algo == TCP_CC_CUBIC) {
		double cwnd = (double)cc->cwnd / c->smss;

		/* Fast convergence (RFC 9438, 4.7). */
		if (cwnd < cc->w_last_max)
			cc->w_max = cwnd * (1.0 + CUBIC_BETA) / 2.0;
		else
			cc->w_max = cwnd;
		cc->w_last_max = cwnd;
		cc->epoch_start = 0;
		cc->frac = 0;
		ss = (uint32_t)(cc->cwnd * CUBIC_BETA);
	} else {
		ss = flight / 2;
	}
	cc->ca_acked = 0;
	return ss > 2 * c->smss ? ss : 2 * c->smss;
}

void tcp_cc__on_congestion(struct tcp_conn *c)
{
	c->cc.ssthresh = loss_ssthresh(c);
	c->cc.cwnd = c->cc.ssthresh;
}

void tcp_cc__on_rto(struct tcp_conn *c)
{
	/* Only the first timeout of a segment lowers ssthresh (RFC 5681, 3.1, eq. 4). */
	if (c->backoff == 1)
		c->cc.ssthresh = loss_ssthresh(c);
	c->cc.cwnd = c->smss;
}
