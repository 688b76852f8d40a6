// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control of zstack's TCP core, with the test acknowledging every
 * second segment once per 100 ms round trip: the initial window of 10
 * (RFC 6928), slow start, fast retransmit and NewReno recovery (RFC 5681,
 * 6582), and CUBIC (RFC 9438): the multiplicative decrease to 0.7 and the
 * cubic climb back to W_max at time K, faster than NewReno's line.
 */
#include "tests/check.h"
#include "tests/zstack/raw.h"

#define RTT (100 * MS)

static void keep_sending(struct raw *r)
{
	while (raw_info(r).tx_queued < 3 * 1024 * 1024 && !raw_send(r, 65536))
		;
}

static void peer_ack_to(struct raw *r, uint32_t ack)
{
	struct tcp_seg s = raw_seg(r, TCP_FLAG_ACK, r->peer_nxt, ack, 0, 0);

	raw_input(r, &s);
}

/* One round trip: everything outstanding is acknowledged, two segments per ACK. */
static void round_trip(struct raw *r)
{
	struct tcp_conn_info i = raw_info(r);
	uint32_t a = i.snd_una;

	r->now += RTT;
	while (seq_lt(a, i.snd_max)) {
		a = seq_lt(a + 2 * i.smss, i.snd_max) ? a + 2 * i.smss : i.snd_max;
		peer_ack_to(r, a);
	}
	keep_sending(r);
}

static void open_bulk(struct raw *r, enum tcp_cc_algo cc)
{
	raw_init(r);
	r->cfg.cc = cc;
	r->cfg.sack = false;
	r->cfg.sndbuf = 4 * 1024 * 1024;
	r->cfg.tx_chunks = 128;
	r->c = tcp_conn__new(&r->cfg, &r->ops, r, &r->t);
	tcp_conn__connect(r->c, r->now);
	r->now += RTT;
	raw_syn_ack(r, TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS, 1460, 7);
	keep_sending(r);
}

/* Grows the window in slow start past `segs`, then loses one segment. */
static void grow_and_lose(struct raw *r, uint32_t segs)
{
	uint32_t una;

	while (raw_info(r).cwnd < segs * raw_info(r).smss)
		round_trip(r);
	r->now += RTT;
	una = raw_info(r).snd_una;
	for (int k = 0; k < 3; k++)
		peer_ack_to(r, una);
}

static void test_initial_window_and_slow_start(void)
{
	struct raw r;
	struct tcp_conn_info i;

	open_bulk(&r, TCP_CC_NEWRENO);
	i = raw_info(&r);
	CHECK_EQ_INT(i.snd_max - i.snd_una, 10 * i.smss, "initial window: 10 segments (RFC 6928)");
	round_trip(&r);
	i = raw_info(&r);
	CHECK(i.cwnd == 20 * i.smss && i.snd_max - i.snd_una == 20 * i.smss,
	      "slow start doubles the window each round trip");
	raw_fini(&r);
}

static void test_newreno(void)
{
	struct raw r;
	struct tcp_conn_info before, mid, i;
	int from;

	open_bulk(&r, TCP_CC_NEWRENO);
	while (raw_info(&r).cwnd < 40 * raw_info(&r).smss)
		round_trip(&r);
	r.now += RTT;
	before = raw_info(&r);
	from = r.nr_out;
	peer_ack_to(&r, before.snd_una + 2 * before.smss);
	for (int k = 0; k < 2; k++)
		peer_ack_to(&r, before.snd_una + 2 * before.smss);
	mid = raw_info(&r);
	CHECK_EQ_INT(mid.stats.fast_retransmits, 0, "two duplicate ACKs are not enough");
	peer_ack_to(&r, before.snd_una + 2 * before.smss);
	i = raw_info(&r);
	CHECK(i.stats.fast_retransmits == 1 && r.out[r.nr_out - 1].retransmit &&
		      r.out[r.nr_out - 1].seq == before.snd_una + 2 * before.smss,
	      "the third duplicate ACK retransmits the missing segment");
	CHECK(i.ssthresh == (mid.snd_max - mid.snd_una) / 2 &&
		      i.cwnd == i.ssthresh + 3 * i.smss,
	      "ssthresh = FlightSize / 2, cwnd = ssthresh + 3 SMSS (RFC 5681)");
	peer_ack_to(&r, before.snd_una + 6 * before.smss);
	CHECK(r.out[r.nr_out - 1].retransmit &&
		      r.out[r.nr_out - 1].seq == before.snd_una + 6 * before.smss,
	      "a partial ACK retransmits the next hole (RFC 6582)");
	peer_ack_to(&r, raw_info(&r).snd_max);
	i = raw_info(&r);
	CHECK(i.cwnd <= i.ssthresh && raw_count(&r, from, TCP_FLAG_ACK) > 0,
	      "the full ACK ends recovery with cwnd at most ssthresh");
	raw_fini(&r);
}

/* Rounds of congestion avoidance after a loss at W_max; returns cwnd in segments at t. */
static double cwnd_after(enum tcp_cc_algo cc, double seconds, double *w_max, double *ss)
{
	struct raw r;
	struct tcp_conn_info i;
	uint64_t end;

	open_bulk(&r, cc);
	grow_and_lose(&r, 1000);
	*w_max = (double)raw_info(&r).snd_max - raw_info(&r).snd_una;
	*w_max /= raw_info(&r).smss;
	peer_ack_to(&r, raw_info(&r).snd_max);
	*ss = (double)raw_info(&r).ssthresh / raw_info(&r).smss;
	end = r.now + (uint64_t)(seconds * 1e9);
	while (r.now < end)
		round_trip(&r);
	i = raw_info(&r);
	raw_fini(&r);
	return (double)i.cwnd / i.smss;
}

static void test_cubic(void)
{
	double w_max, ss, k, at_k, early, late, reno, reno_w_max, reno_ss;

	at_k = cwnd_after(TCP_CC_CUBIC, 0, &w_max, &ss);
	CHECK(ss > 0.69 * w_max && ss < 0.71 * w_max,
	      "CUBIC: ssthresh = 0.7 W_max after a loss (W_max %.0f, ssthresh %.0f)", w_max, ss);
	k = 0;
	/* K = cbrt(W_max * (1 - beta) / C) seconds, RFC 9438 eq. 2, by bisection. */
	for (double lo = 0, hi = 60, mid; hi - lo > 1e-3;) {
		mid = (lo + hi) / 2;
		if (0.4 * mid * mid * mid < w_max - ss)
			lo = mid;
		else
			hi = mid;
		k = lo;
	}
	early = cwnd_after(TCP_CC_CUBIC, k / 3, &w_max, &ss);
	at_k = cwnd_after(TCP_CC_CUBIC, k, &w_max, &ss);
	late = cwnd_after(TCP_CC_CUBIC, k * 2, &w_max, &ss);
	reno = cwnd_after(TCP_CC_NEWRENO, k, &reno_w_max, &reno_ss);
	CHECK(at_k > 0.93 * w_max && at_k < 1.07 * w_max,
	      "CUBIC: back at W_max after K = %.1f s (cwnd %.0f, W_max %.0f)", k, at_k, w_max);
	CHECK(early - ss > at_k - early,
	      "CUBIC: concave climb, more in the first third of K than in the rest "
	      "(%.0f -> %.0f -> %.0f)",
	      ss,
	      early, at_k);
	/* W(2K) = C K^3 + W_max = 2 W_max - ssthresh. */
	CHECK(late > 1.2 * w_max, "CUBIC: convex probing beyond W_max (%.0f at 2 K)", late);
	CHECK(reno < 0.85 * at_k,
	      "NewReno's one segment per round trip lags CUBIC at K (%.0f vs %.0f)", reno, at_k);
}

int main(void)
{
	test_initial_window_and_slow_start();
	test_newreno();
	test_cubic();
	return check_exit();
}
