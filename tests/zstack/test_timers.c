// SPDX-License-Identifier: GPL-2.0
/*
 * Timers of zstack's TCP core on a virtual clock: RFC 6298 retransmission
 * timeouts with exponential backoff, Karn's rule and the minimum RTO; SYN
 * retransmission; delayed ACKs; zero-window probes (persist timer); keepalive.
 */
#include <errno.h>

#include "tests/check.h"
#include "tests/zstack/raw.h"
#include "tests/zstack/sim.h"

/* Runs the timer at each deadline up to `until`; returns how many fired. */
static int run_timers(struct raw *r, uint64_t until, uint64_t *fired_at, int max)
{
	int n = 0;

	for (int guard = 0; guard < 1000; guard++) {
		uint64_t d = tcp_conn__next_deadline(r->c);

		if (d == UINT64_MAX || d > until)
			break;
		r->now = d;
		if (n < max)
			fired_at[n] = d;
		n++;
		tcp_conn__on_timer(r->c, r->now);
	}
	return n;
}

static void test_rto_backoff(void)
{
	struct raw r;
	uint64_t at[32], t0, rto;
	int n, ok = 1, sent;

	raw_init(&r);
	r.cfg.rto_min_ns = 200 * MS;
	r.cfg.rto_max_ns = 8 * SEC;
	r.cfg.max_retries = 6;
	raw_open(&r, RAW_ALL_OPTS);
	rto = raw_info(&r).rto_ns;
	CHECK_EQ_INT(rto, 200 * MS, "after a 10 ms handshake the RTO sits at the 200 ms minimum");
	t0 = r.now;
	raw_send(&r, 1000);
	sent = r.nr_out;
	n = run_timers(&r, r.now + 120 * SEC, at, 32);
	for (int k = 0; k < 6; k++) {
		uint64_t want = rto << k > 8 * SEC ? 8 * SEC : rto << k;
		uint64_t got = at[k] - (k ? at[k - 1] : t0);

		if (got != want) {
			ok = 0;
			printf("# timeout %d after %llu ns, want %llu\n", k,
			       (unsigned long long)got, (unsigned long long)want);
		}
	}
	CHECK(ok, "retransmission timeouts back off 200 ms, 400 ms, ... capped at RTO max");
	CHECK_EQ_INT(raw_count(&r, sent, TCP_FLAG_ACK), 6, "one retransmission per timeout");
	CHECK(r.out[sent].retransmit && r.out[sent].seq == r.out[sent - 1].seq &&
		      r.out[sent].len == 1000,
	      "the timeout resends the unacknowledged segment");
	CHECK(n == 7 && tcp_conn__state(r.c) == TCP_CLOSED &&
		      tcp_conn__error(r.c) == -ETIMEDOUT,
	      "after max_retries timeouts the connection fails with ETIMEDOUT");
	raw_fini(&r);
	CHECK_EQ_INT(r.tx_live, 0, "send buffers released on free");
}

static void test_karn(void)
{
	struct raw r;
	struct tcp_seg s;
	struct tcp_conn_info i;
	uint64_t at[4];
	uint32_t una;

	raw_init(&r);
	r.cfg.timestamps = false;
	raw_open(&r, TCP_OPT_MSS | TCP_OPT_SACK_PERM);
	r.now += SEC;
	una = raw_info(&r).snd_una;
	raw_send(&r, 500);
	run_timers(&r, r.now + raw_info(&r).rto_ns, at, 4);
	CHECK_EQ_INT(raw_info(&r).backoff, 1, "one timeout");
	r.now += 30 * MS;
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, una + 500, 0, 0);
	raw_input(&r, &s);
	i = raw_info(&r);
	CHECK_EQ_INT(i.stats.rtt_samples, 1,
		     "Karn: the ACK of a retransmitted segment gives no RTT sample");
	CHECK_EQ_INT(i.rto_ns, 2 * SEC, "Karn: the backed-off RTO is kept until a valid sample");
	raw_send(&r, 500);
	r.now += 50 * MS;
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, una + 1000, 0, 0);
	raw_input(&r, &s);
	i = raw_info(&r);
	CHECK(i.stats.rtt_samples == 2 && i.rto_ns == SEC,
	      "a fresh segment's ACK is sampled and the RTO recomputed (1 s minimum)");
	CHECK(i.srtt_ns > 10 * MS && i.srtt_ns < 50 * MS,
	      "SRTT moves toward the new sample (%llu ns)", (unsigned long long)i.srtt_ns);
	raw_fini(&r);
}

static void test_syn_retries(void)
{
	struct raw r;
	uint64_t at[16];
	int n;

	raw_init(&r);
	r.cfg.syn_retries = 3;
	r.c = tcp_conn__new(&r.cfg, &r.ops, &r, &r.t);
	tcp_conn__connect(r.c, r.now);
	n = run_timers(&r, r.now + 100 * SEC, at, 16);
	CHECK(raw_count(&r, 0, TCP_FLAG_SYN) == 4 && at[1] - at[0] == 2 * SEC &&
		      at[2] - at[1] == 4 * SEC,
	      "SYN sent again after 1 s, 2 s, 4 s (initial RTO 1 s)");
	CHECK(n == 4 && tcp_conn__error(r.c) == -ETIMEDOUT, "connect gives up after syn_retries");
	raw_fini(&r);
}

static void test_rto_after_syn_loss(void)
{
	struct raw r;
	uint64_t at[1];

	raw_init(&r);
	r.cfg.rto_min_ns = 200 * MS;
	r.c = tcp_conn__new(&r.cfg, &r.ops, &r, &r.t);
	tcp_conn__connect(r.c, r.now);
	run_timers(&r, r.now + SEC, at, 1);
	r.now += 10 * MS;
	raw_syn_ack(&r, RAW_ALL_OPTS, 1460, 7);
	CHECK(tcp_conn__state(r.c) == TCP_ESTABLISHED && raw_info(&r).rto_ns == 3 * SEC &&
		      raw_info(&r).stats.rtt_samples == 0,
	      "after a lost SYN, data starts with a 3 s RTO (RFC 6298, 5.7)");
	raw_fini(&r);
}

static void test_delayed_ack(void)
{
	struct raw r;
	struct tcp_seg s;
	struct tcp_conn_info i;
	int n;

	raw_init(&r);
	raw_open(&r, RAW_ALL_OPTS);
	i = raw_info(&r);
	n = r.nr_out;
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_nxt, 1000, 'a');
	r.peer_nxt += 1000;
	raw_input(&r, &s);
	CHECK(r.nr_out == n && tcp_conn__next_deadline(r.c) == r.now + 40 * MS,
	      "one segment: the ACK is delayed by 40 ms");
	r.now += 40 * MS;
	tcp_conn__on_timer(r.c, r.now);
	CHECK(r.nr_out == n + 1 && raw_last(&r)->ack == r.peer_nxt &&
		      raw_info(&r).stats.delayed_acks == 1,
	      "the delayed-ACK timer sends the ACK");
	for (int k = 0; k < 2; k++) {
		s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_nxt, 1000, 'b');
		r.peer_nxt += 1000;
		raw_input(&r, &s);
	}
	CHECK(r.nr_out == n + 2 && raw_last(&r)->ack == r.peer_nxt,
	      "every second segment is acknowledged at once");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt + 1000, i.snd_nxt, 1000, 'c');
	raw_input(&r, &s);
	CHECK(r.nr_out == n + 3 && raw_last(&r)->ack == r.peer_nxt &&
		      (raw_last(&r)->opts.present & TCP_OPT_SACK),
	      "an out-of-order segment is acknowledged at once, with SACK");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_nxt, 1000, 'd');
	raw_input(&r, &s);
	CHECK(r.nr_out == n + 4 && raw_last(&r)->ack == r.peer_nxt + 2000,
	      "filling the hole is acknowledged at once");
	raw_send(&r, 100);
	CHECK(raw_last(&r)->len == 100 && raw_last(&r)->ack == r.peer_nxt + 2000,
	      "data carries the ACK");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "received buffers released");
}

static bool sent_all(struct sim *s)
{
	return s->host[1].app[0].received == s->host[0].app[0].to_send;
}

static int drop_window_updates;

/* Drops the receiver's next window-carrying ACKs, so the first updates are lost. */
static bool lose_updates(struct sim *s, int from, const struct tcp_seg_out *seg)
{
	(void)s;
	if (from == 1 && drop_window_updates && seg->wnd > 0 && !seg->len) {
		drop_window_updates--;
		return false;
	}
	return true;
}

static void test_zero_window(void)
{
	struct sim s;
	struct tcp_conn_info ia, ib;
	uint64_t probes, t;
	bool ok, clean;

	sim_init(&s, 11);
	s.host[1].cfg.rcvbuf = 16384;
	sim_listen(&s, 1, 80, 4);
	sim_connect(&s, 0, 40000, 80);
	sim_run(&s, SEC, NULL);
	s.host[1].app[0].no_read = true;
	s.host[0].app[0].to_send = 100000;
	sim_run(&s, 2 * SEC, NULL);
	tcp_conn__info(s.host[0].conns[0], &ia);
	tcp_conn__info(s.host[1].conns[0], &ib);
	CHECK(ib.rcv_wnd == 0 && ib.rx_queued == 16384 && ia.snd_wnd == 0,
	      "a receiver that does not read closes the window (%u queued)", ib.rx_queued);
	probes = ia.stats.window_probes;
	CHECK(probes >= 2, "the sender probes the zero window (%llu probes in 2 s)",
	      (unsigned long long)probes);
	t = s.now;
	sim_run(&s, 20 * SEC, NULL);
	tcp_conn__info(s.host[0].conns[0], &ia);
	CHECK(ia.stats.window_probes - probes < 10 && ia.state == TCP_ESTABLISHED,
	      "probes back off and never give up (%llu in %.0f s)",
	      (unsigned long long)(ia.stats.window_probes - probes), (double)(s.now - t) / 1e9);
	s.filter = lose_updates;
	drop_window_updates = 3;
	s.host[1].app[0].no_read = false;
	sim_apps(&s);
	ok = sim_run(&s, 120 * SEC, sent_all);
	CHECK(ok && s.host[1].app[0].rx_hash == s.host[0].app[0].tx_hash,
	      "with the window updates lost, probes reopen the window and all data arrives");
	CHECK_EQ_INT(drop_window_updates, 0, "the updates were indeed lost");
	clean = sim_fini(&s);
	CHECK(clean, "no buffer leaked");
}

static void test_keepalive(void)
{
	struct raw r;
	struct tcp_seg s;
	uint64_t at[16];
	int n, before;

	raw_init(&r);
	r.cfg.keepalive_idle_ns = 60 * SEC;
	r.cfg.keepalive_intvl_ns = 5 * SEC;
	r.cfg.keepalive_probes = 3;
	raw_open(&r, RAW_ALL_OPTS);
	before = r.nr_out;
	CHECK_EQ_INT(tcp_conn__next_deadline(r.c) - r.now, 60 * SEC, "keepalive armed for idle");
	n = run_timers(&r, r.now + 60 * SEC, at, 16);
	CHECK(n == 1 && r.nr_out == before + 1 && raw_last(&r)->seq == raw_info(&r).snd_una - 1 &&
		      raw_last(&r)->len == 0,
	      "after 60 s idle a keepalive probe (SEG.SEQ = SND.UNA - 1) is sent");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, raw_info(&r).snd_una, 0, 0);
	raw_input(&r, &s);
	CHECK_EQ_INT(tcp_conn__next_deadline(r.c) - r.now, 60 * SEC,
		     "an answer restarts the idle period");
	n = run_timers(&r, r.now + 200 * SEC, at, 16);
	CHECK(n == 4 && at[1] - at[0] == 5 * SEC && at[3] - at[2] == 5 * SEC,
	      "unanswered probes repeat every 5 s");
	CHECK(tcp_conn__state(r.c) == TCP_CLOSED && tcp_conn__error(r.c) == -ETIMEDOUT &&
		      raw_info(&r).stats.keepalive_probes == 4,
	      "after 3 unanswered probes the connection times out");
	raw_fini(&r);
}

int main(void)
{
	test_rto_backoff();
	test_karn();
	test_syn_retries();
	test_rto_after_syn_loss();
	test_delayed_ack();
	test_zero_window();
	test_keepalive();
	return check_exit();
}
