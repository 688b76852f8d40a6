// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 9293 state machine of zstack's TCP core, one transition at a time,
 * with the test playing the peer: active and passive open, simultaneous open
 * and close, every close path, TIME-WAIT, RST in every state with RFC 5961
 * validation, challenge ACKs for SYNs and bad ACKs, closed-port RSTs, the
 * SYN backlog bound.
 */
#include <errno.h>

#include "tests/check.h"
#include "tests/zstack/raw.h"
#include "tests/zstack/sim.h"

static void test_active_open(void)
{
	struct raw r;
	const struct tcp_seg_out *o;
	struct tcp_conn_info i;

	raw_init(&r);
	r.c = tcp_conn__new(&r.cfg, &r.ops, &r, &r.t);
	tcp_conn__connect(r.c, r.now);
	o = &r.out[0];
	CHECK(r.nr_out == 1 && o->flags == TCP_FLAG_SYN, "connect sends a SYN");
	CHECK(o->opts.present == RAW_ALL_OPTS && o->opts.mss == 1460 && o->opts.tsecr == 0,
	      "SYN offers MSS, window scale, timestamps, SACK-permitted");
	CHECK_EQ_STR(tcp_state_name(tcp_conn__state(r.c)), "SYN-SENT", "CLOSED -> SYN-SENT");
	r.now += 10 * MS;
	raw_syn_ack(&r, RAW_ALL_OPTS, 1460, 7);
	i = raw_info(&r);
	CHECK_EQ_STR(tcp_state_name(i.state), "ESTABLISHED", "SYN-SENT -> ESTABLISHED on SYN,ACK");
	o = raw_last(&r);
	CHECK(o && o->flags == TCP_FLAG_ACK && o->ack == RAW_PEER_ISS + 1 && o->seq == i.iss + 1,
	      "handshake completed by an ACK of the peer's SYN");
	CHECK(tcp_conn__events(r.c) & TCP_EV_CONNECTED, "CONNECTED event");
	CHECK_EQ_INT(i.stats.rtt_samples, 1, "the SYN's round trip was measured");
	raw_fini(&r);
}

static void test_syn_sent_checks(void)
{
	struct raw r;
	struct tcp_seg s;
	const struct tcp_seg_out *o;

	raw_init(&r);
	r.c = tcp_conn__new(&r.cfg, &r.ops, &r, &r.t);
	tcp_conn__connect(r.c, r.now);
	s = raw_seg(&r, TCP_FLAG_SYN | TCP_FLAG_ACK, RAW_PEER_ISS, r.out[0].seq + 7, 0, 0);
	raw_input(&r, &s);
	o = raw_last(&r);
	CHECK(o->flags == TCP_FLAG_RST && o->seq == r.out[0].seq + 7,
	      "SYN-SENT: an unacceptable ACK is answered with RST <SEQ=SEG.ACK>");
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_SYN_SENT, "SYN-SENT kept after a bad ACK");
	s = raw_seg(&r, TCP_FLAG_RST, RAW_PEER_ISS, 0, 0, 0);
	raw_input(&r, &s);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_SYN_SENT, "SYN-SENT: RST without ACK ignored");
	s = raw_seg(&r, TCP_FLAG_RST | TCP_FLAG_ACK, 0, r.out[0].seq + 1, 0, 0);
	raw_input(&r, &s);
	CHECK(tcp_conn__state(r.c) == TCP_CLOSED && tcp_conn__error(r.c) == -ECONNREFUSED,
	      "SYN-SENT -> CLOSED on RST with acceptable ACK: connection refused");
	raw_fini(&r);
}

static void test_passive_open(void)
{
	struct raw r;
	const struct tcp_seg_out *o;
	struct tcp_seg s;

	raw_init(&r);
	r.peer_ts_on = false;
	raw_passive_syn(&r, 4);
	o = raw_last(&r);
	CHECK(o->flags == (TCP_FLAG_SYN | TCP_FLAG_ACK) && o->ack == RAW_PEER_ISS + 1,
	      "LISTEN: a SYN is answered with SYN,ACK");
	CHECK((o->opts.present & (TCP_OPT_SACK_PERM | TCP_OPT_WSCALE | TCP_OPT_TS)) ==
		      (TCP_OPT_SACK_PERM | TCP_OPT_WSCALE),
	      "SYN,ACK carries only the options the SYN offered");
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_SYN_RCVD, "LISTEN -> SYN-RECEIVED");
	CHECK(tcp_listener__accept(r.l) == NULL, "nothing to accept before the handshake ends");
	s = raw_seg(&r, TCP_FLAG_SYN, RAW_PEER_ISS, 0, 0, 0);
	raw_input(&r, &s);
	o = raw_last(&r);
	CHECK(o->flags == (TCP_FLAG_SYN | TCP_FLAG_ACK) && r.nr_out == 2,
	      "SYN-RECEIVED: a retransmitted SYN gets the SYN,ACK again");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, o->seq + 9, 0, 0);
	raw_input(&r, &s);
	CHECK(raw_last(&r)->flags == TCP_FLAG_RST && raw_last(&r)->seq == o->seq + 9 &&
		      tcp_conn__state(r.c) == TCP_SYN_RCVD,
	      "SYN-RECEIVED: an unacceptable ACK is answered with RST");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, o->seq + 1, 100, 'a');
	raw_input(&r, &s);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_ESTABLISHED, "SYN-RECEIVED -> ESTABLISHED on ACK");
	CHECK(tcp_listener__accept(r.l) == r.c, "the established connection is accepted");
	CHECK_EQ_INT(raw_info(&r).rx_queued, 100, "data on the handshake's ACK is queued");
	raw_done(&r);
	CHECK_EQ_INT(r.rx_live, 0, "every received buffer released");
}

static void test_close_paths(void)
{
	struct raw r;
	const struct tcp_seg_out *o;
	struct tcp_chunk ch;
	uint64_t deadline;

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	tcp_conn__shutdown(r.c, r.now);
	o = raw_last(&r);
	CHECK(o->flags == (TCP_FLAG_FIN | TCP_FLAG_ACK) &&
		      tcp_conn__state(r.c) == TCP_FIN_WAIT_1,
	      "ESTABLISHED -> FIN-WAIT-1 sending FIN");
	raw_peer_ack(&r, raw_info(&r).snd_max);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_FIN_WAIT_2,
		     "FIN-WAIT-1 -> FIN-WAIT-2 on ACK of FIN");
	raw_peer_fin(&r, raw_info(&r).snd_max);
	o = raw_last(&r);
	CHECK(tcp_conn__state(r.c) == TCP_TIME_WAIT && o->flags == TCP_FLAG_ACK &&
		      o->ack == r.peer_nxt,
	      "FIN-WAIT-2 -> TIME-WAIT, FIN acknowledged");
	deadline = tcp_conn__next_deadline(r.c);
	CHECK_EQ_INT(deadline - r.now, 2 * r.cfg.msl_ns, "TIME-WAIT lasts 2 MSL");
	r.now += r.cfg.msl_ns;
	r.nr_out = 0;
	{
		struct tcp_seg s = raw_seg(&r, TCP_FLAG_FIN | TCP_FLAG_ACK, r.peer_nxt - 1,
					   raw_info(&r).snd_max, 0, 0);

		raw_input(&r, &s);
	}
	CHECK(r.nr_out == 1 && r.out[0].flags == TCP_FLAG_ACK && r.out[0].ack == r.peer_nxt,
	      "TIME-WAIT: a retransmitted FIN is acknowledged again");
	CHECK_EQ_INT(tcp_conn__next_deadline(r.c) - r.now, 2 * r.cfg.msl_ns,
		     "TIME-WAIT: the 2 MSL timer restarts");
	r.now = tcp_conn__next_deadline(r.c) - 1;
	tcp_conn__on_timer(r.c, r.now);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_TIME_WAIT, "TIME-WAIT holds until 2 MSL");
	r.now++;
	tcp_conn__on_timer(r.c, r.now);
	CHECK(tcp_conn__state(r.c) == TCP_CLOSED && tcp_conn__error(r.c) == 0,
	      "TIME-WAIT -> CLOSED after 2 MSL");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	tcp_conn__events(r.c);
	raw_peer_fin(&r, raw_info(&r).snd_nxt);
	CHECK(tcp_conn__state(r.c) == TCP_CLOSE_WAIT && raw_last(&r)->ack == r.peer_nxt,
	      "ESTABLISHED -> CLOSE-WAIT on FIN, FIN acknowledged");
	CHECK(tcp_conn__events(r.c) & TCP_EV_PEER_FIN, "PEER_FIN event");
	CHECK_EQ_INT(tcp_conn__recv(r.c, &ch), -ENODATA, "end of stream reads as -ENODATA");
	CHECK_EQ_INT(raw_send(&r, 10), 0, "CLOSE-WAIT still sends");
	tcp_conn__shutdown(r.c, r.now);
	CHECK(tcp_conn__state(r.c) == TCP_LAST_ACK && (raw_last(&r)->flags & TCP_FLAG_FIN),
	      "CLOSE-WAIT -> LAST-ACK sending FIN after the data");
	raw_peer_ack(&r, raw_info(&r).snd_max);
	CHECK(tcp_conn__state(r.c) == TCP_CLOSED && tcp_conn__error(r.c) == 0,
	      "LAST-ACK -> CLOSED on ACK of FIN");
	CHECK_EQ_INT(r.tx_live, 0, "acknowledged send buffers released");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_CLOSING);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_CLOSING,
		     "FIN-WAIT-1 -> CLOSING on a FIN not acknowledging ours");
	raw_peer_ack(&r, raw_info(&r).snd_max);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_TIME_WAIT, "CLOSING -> TIME-WAIT on ACK of FIN");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_FIN_WAIT_1);
	raw_peer_fin(&r, raw_info(&r).snd_max);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_TIME_WAIT,
		     "FIN-WAIT-1 -> TIME-WAIT on FIN acknowledging ours");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	tcp_conn__abort(r.c, r.now);
	o = raw_last(&r);
	CHECK(o->flags == (TCP_FLAG_RST | TCP_FLAG_ACK) && tcp_conn__state(r.c) == TCP_CLOSED,
	      "abort sends RST and closes");
	raw_fini(&r);
}

static void test_rst_each_state(void)
{
	static const enum tcp_state states[] = {
		TCP_SYN_RCVD,  TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2,
		TCP_CLOSE_WAIT, TCP_CLOSING,	TCP_LAST_ACK,
	};

	for (unsigned k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
		enum tcp_state st = states[k];
		const char *name = tcp_state_name(st);
		int want = st == TCP_SYN_RCVD ? -ECONNREFUSED :
			   st == TCP_CLOSING || st == TCP_LAST_ACK ? 0 :
			   -ECONNRESET;
		struct raw r;
		struct tcp_seg s;
		uint32_t rcv_nxt, wnd;
		int n;

		raw_init(&r);
		raw_reach(&r, st);
		CHECK_EQ_STR(tcp_state_name(tcp_conn__state(r.c)), name, "reached state");
		rcv_nxt = raw_info(&r).rcv_nxt;
		wnd = raw_info(&r).rcv_wnd;
		n = r.nr_out;
		s = raw_seg(&r, TCP_FLAG_RST, rcv_nxt + wnd + 10, 0, 0, 0);
		raw_input(&r, &s);
		CHECK(r.nr_out == n && tcp_conn__state(r.c) == st,
		      "%s: RST outside the window ignored silently", name);
		s = raw_seg(&r, TCP_FLAG_RST, rcv_nxt + 1, 0, 0, 0);
		raw_input(&r, &s);
		CHECK(r.nr_out == n + 1 && raw_last(&r)->flags == TCP_FLAG_ACK &&
			      raw_last(&r)->ack == rcv_nxt && tcp_conn__state(r.c) == st &&
			      raw_info(&r).stats.challenge_acks == 1,
		      "%s: in-window RST not at RCV.NXT draws a challenge ACK (RFC 5961)", name);
		s = raw_seg(&r, TCP_FLAG_RST, rcv_nxt, 0, 0, 0);
		raw_input(&r, &s);
		CHECK(tcp_conn__state(r.c) == TCP_CLOSED && tcp_conn__error(r.c) == want,
		      "%s: RST at RCV.NXT closes (error %d)", name, tcp_conn__error(r.c));
		if (st == TCP_SYN_RCVD)
			CHECK_EQ_INT(tcp_listener__backlog(r.l), 0,
				     "a reset SYN-RECEIVED connection leaves the backlog");
		raw_done(&r);
	}
}

static void test_time_wait_ignores_rst(void)
{
	struct raw r;
	struct tcp_seg s;
	uint32_t rcv_nxt;
	int n;

	raw_init(&r);
	raw_reach(&r, TCP_TIME_WAIT);
	rcv_nxt = raw_info(&r).rcv_nxt;
	n = r.nr_out;
	s = raw_seg(&r, TCP_FLAG_RST, rcv_nxt, 0, 0, 0);
	raw_input(&r, &s);
	s = raw_seg(&r, TCP_FLAG_RST, rcv_nxt + 1, 0, 0, 0);
	raw_input(&r, &s);
	CHECK(tcp_conn__state(r.c) == TCP_TIME_WAIT && r.nr_out == n,
	      "TIME-WAIT: RSTs are ignored silently (RFC 1337)");
	raw_fini(&r);
}

static void test_challenges(void)
{
	struct raw r;
	struct tcp_seg s;
	struct tcp_conn_info i;
	int n;

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	i = raw_info(&r);
	n = r.nr_out;
	s = raw_seg(&r, TCP_FLAG_SYN, i.rcv_nxt + 5, 0, 0, 0);
	raw_input(&r, &s);
	CHECK(r.nr_out == n + 1 && raw_last(&r)->flags == TCP_FLAG_ACK &&
		      tcp_conn__state(r.c) == TCP_ESTABLISHED,
	      "ESTABLISHED: an in-window SYN draws a challenge ACK (RFC 5961, 4)");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_max + 1000, 50, 'z');
	raw_input(&r, &s);
	CHECK(raw_info(&r).rx_queued == 0 && raw_info(&r).stats.challenge_acks == 2,
	      "an ACK of data never sent is challenged and its data dropped");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_una - 0x40000000u, 50, 'z');
	raw_input(&r, &s);
	CHECK(raw_info(&r).rx_queued == 0 && raw_info(&r).stats.challenge_acks == 3,
	      "an ACK older than the peer's window allows is challenged (RFC 5961, 5.2)");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_una, 50, 'z');
	raw_input(&r, &s);
	CHECK_EQ_INT(raw_info(&r).rx_queued, 50, "a valid segment is accepted after all that");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "dropped and queued buffers all released");
}

static void test_challenge_limit(void)
{
	struct raw r;
	struct tcp_seg s;
	int n;

	raw_init(&r);
	r.cfg.challenge_ack_limit = 5;
	raw_reach(&r, TCP_ESTABLISHED);
	n = r.nr_out;
	for (int k = 0; k < 20; k++) {
		s = raw_seg(&r, TCP_FLAG_RST, r.peer_nxt + 1 + (uint32_t)k, 0, 0, 0);
		raw_input(&r, &s);
	}
	CHECK(r.nr_out - n == 5 && raw_info(&r).stats.challenge_acks_suppressed == 15,
	      "a flood of forged RSTs draws at most 5 challenge ACKs a second (%d sent)",
	      r.nr_out - n);
	r.now += SEC;
	s = raw_seg(&r, TCP_FLAG_RST, r.peer_nxt + 1, 0, 0, 0);
	raw_input(&r, &s);
	CHECK(r.nr_out - n == 6 && tcp_conn__state(r.c) == TCP_ESTABLISHED,
	      "a second later challenges resume; the connection never reset");
	raw_fini(&r);
}

static void test_rst_for_closed(void)
{
	struct tcp_seg s = { .sport = 1, .dport = 2, .seq = 100, .ack = 900,
			     .flags = TCP_FLAG_ACK, .len = 10 };
	struct tcp_seg_out o;

	CHECK(!tcp_rst_for(&s, &o) && o.flags == TCP_FLAG_RST && o.seq == 900 && o.sport == 2 &&
		      o.dport == 1,
	      "CLOSED: a segment with ACK is answered <SEQ=SEG.ACK><CTL=RST>");
	s.flags = TCP_FLAG_SYN;
	CHECK(!tcp_rst_for(&s, &o) && o.flags == (TCP_FLAG_RST | TCP_FLAG_ACK) && o.seq == 0 &&
		      o.ack == 111,
	      "CLOSED: a SYN is answered <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>");
	s.flags = TCP_FLAG_RST;
	CHECK(tcp_rst_for(&s, &o) == -ENOENT, "CLOSED: a RST is never answered");
}

static void test_backlog(void)
{
	struct raw r;
	struct tcp_conn *kids[4];
	int results[4];

	raw_init(&r);
	r.l = tcp_listener__new(&r.cfg, &r.ops, &r, &r.t.local, r.t.lport, 2);
	for (int k = 0; k < 4; k++) {
		struct tcp_seg s = raw_seg(&r, TCP_FLAG_SYN, 1000u * (uint32_t)k, 0, 0, 0);
		struct tcp_tuple t = r.t;

		t.rport = (uint16_t)(2000 + k);
		kids[k] = NULL;
		results[k] = tcp_listener__input(r.l, &t, &s, r.now, &kids[k]);
	}
	CHECK(results[0] == 0 && results[1] == 0 && results[2] == -ENOBUFS &&
		      results[3] == -ENOBUFS && tcp_listener__backlog(r.l) == 2,
	      "SYNs beyond a backlog of 2 are refused with -ENOBUFS");
	{
		struct tcp_seg s = raw_seg(&r, TCP_FLAG_ACK, 1, r.out[0].seq + 1, 0, 0);
		struct tcp_seg syn = raw_seg(&r, TCP_FLAG_SYN, 77, 0, 0, 0);
		struct tcp_tuple t = r.t;
		struct tcp_conn *got;

		tcp_conn__input(kids[0], &s, r.now);
		got = tcp_listener__accept(r.l);
		CHECK(got == kids[0] && tcp_listener__backlog(r.l) == 1,
		      "accepting an established connection frees a backlog slot");
		t.rport = 3000;
		CHECK_EQ_INT(tcp_listener__input(r.l, &t, &syn, r.now, &kids[2]), 0,
			     "a new SYN fits again");
	}
	tcp_listener__free(r.l, r.now);
	CHECK(tcp_conn__state(kids[1]) == TCP_CLOSED && tcp_conn__state(kids[2]) == TCP_CLOSED &&
		      tcp_conn__state(kids[0]) == TCP_ESTABLISHED,
	      "closing the listener resets connections not yet accepted");
	for (int k = 0; k < 3; k++)
		tcp_conn__free(kids[k]);
}

static bool both_established(struct sim *s)
{
	return sim_state(s, 0, 0) == TCP_ESTABLISHED && sim_state(s, 1, 0) == TCP_ESTABLISHED;
}

static bool both_closed(struct sim *s)
{
	return sim_state(s, 0, 0) == TCP_CLOSED && sim_state(s, 1, 0) == TCP_CLOSED;
}

static void test_simultaneous(void)
{
	struct sim s;
	bool ok, clean;
	enum tcp_state st0, st1;
	struct tcp_conn_info i0;

	sim_init(&s, 42);
	sim_connect(&s, 0, 5000, 6000);
	sim_connect(&s, 1, 6000, 5000);
	CHECK(sim_state(&s, 0, 0) == TCP_SYN_SENT && sim_state(&s, 1, 0) == TCP_SYN_SENT,
	      "simultaneous open: both in SYN-SENT");
	/* Both SYNs are in flight before either arrives; the next event is their crossing. */
	sim_step(&s, s.now + SEC);
	st0 = sim_state(&s, 0, 0);
	st1 = sim_state(&s, 1, 0);
	CHECK(st0 == TCP_SYN_RCVD && st1 == TCP_SYN_RCVD,
	      "simultaneous open: SYN-SENT -> SYN-RECEIVED on a bare SYN (%s, %s)",
	      tcp_state_name(st0), tcp_state_name(st1));
	ok = sim_run(&s, 5 * SEC, both_established);
	CHECK(ok, "simultaneous open: SYN-RECEIVED -> ESTABLISHED on both sides");
	tcp_conn__info(s.host[0].conns[0], &i0);
	CHECK(i0.ts_ok && i0.sack_ok && i0.snd_wscale == i0.rcv_wscale,
	      "simultaneous open negotiated options");

	s.host[0].app[0].to_send = 3000;
	s.host[1].app[0].to_send = 5000;
	sim_run(&s, SEC, NULL);
	tcp_conn__shutdown(s.host[0].conns[0], s.now);
	tcp_conn__shutdown(s.host[1].conns[0], s.now);
	CHECK(sim_state(&s, 0, 0) == TCP_FIN_WAIT_1 && sim_state(&s, 1, 0) == TCP_FIN_WAIT_1,
	      "simultaneous close: both in FIN-WAIT-1");
	sim_step(&s, s.now + SEC);
	st0 = sim_state(&s, 0, 0);
	st1 = sim_state(&s, 1, 0);
	CHECK(st0 == TCP_CLOSING && st1 == TCP_CLOSING,
	      "simultaneous close: FIN-WAIT-1 -> CLOSING on the crossing FINs (%s, %s)",
	      tcp_state_name(st0), tcp_state_name(st1));
	sim_step(&s, s.now + SEC);
	st0 = sim_state(&s, 0, 0);
	st1 = sim_state(&s, 1, 0);
	CHECK(st0 == TCP_TIME_WAIT && st1 == TCP_TIME_WAIT,
	      "simultaneous close: CLOSING -> TIME-WAIT on both sides (%s, %s)",
	      tcp_state_name(st0), tcp_state_name(st1));
	ok = sim_run(&s, 3 * s.host[0].cfg.msl_ns, both_closed);
	CHECK(ok, "simultaneous close: TIME-WAIT expires on both sides");
	CHECK(s.host[1].app[0].received == 3000 && s.host[0].app[0].received == 5000 &&
		      s.host[1].app[0].rx_hash == s.host[0].app[0].tx_hash,
	      "data before the simultaneous close delivered");
	clean = sim_fini(&s);
	CHECK(clean, "no buffer leaked");
}

static void test_closed_port(void)
{
	struct sim s;
	bool clean;

	sim_init(&s, 3);
	sim_connect(&s, 0, 5000, 81);
	sim_run(&s, 100 * MS, NULL);
	CHECK(sim_state(&s, 0, 0) == TCP_CLOSED && tcp_conn__error(s.host[0].conns[0]) ==
							  -ECONNREFUSED &&
		      s.host[1].rsts_sent == 1,
	      "connecting to a closed port is refused by RST");
	clean = sim_fini(&s);
	CHECK(clean, "no buffer leaked");
}

int main(void)
{
	test_active_open();
	test_syn_sent_checks();
	test_passive_open();
	test_close_paths();
	test_rst_each_state();
	test_time_wait_ignores_rst();
	test_challenges();
	test_challenge_limit();
	test_rst_for_closed();
	test_backlog();
	test_simultaneous();
	test_closed_port();
	return check_exit();
}
