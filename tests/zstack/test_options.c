// SPDX-License-Identifier: GPL-2.0
/*
 * Negotiated options of zstack's TCP core: MSS and its clamping, RFC 7323
 * window scaling, timestamps and PAWS, and a transfer through a window far
 * larger than 64 KiB.
 */
#include <errno.h>

#include "tests/check.h"
#include "tests/zstack/raw.h"
#include "tests/zstack/sim.h"

static uint32_t largest_segment(const struct raw *r, int from)
{
	uint32_t m = 0;

	for (int i = from; i < r->nr_out; i++)
		if (r->out[i].len > m)
			m = r->out[i].len;
	return m;
}

static void open_with_mss(struct raw *r, uint16_t our_mss, uint8_t opts, uint16_t peer_mss)
{
	raw_init(r);
	r->cfg.mss = our_mss;
	r->c = tcp_conn__new(&r->cfg, &r->ops, r, &r->t);
	tcp_conn__connect(r->c, r->now);
	raw_syn_ack(r, opts, peer_mss, 7);
}

static void test_mss(void)
{
	struct raw r;
	int from;

	open_with_mss(&r, 1460, RAW_ALL_OPTS, 1000);
	from = r.nr_out;
	raw_send(&r, 8000);
	CHECK(raw_info(&r).smss == 988 && largest_segment(&r, from) == 988,
	      "peer MSS 1000 with timestamps: segments carry 988 bytes");
	raw_fini(&r);

	open_with_mss(&r, 1460, TCP_OPT_WSCALE, 0);
	from = r.nr_out;
	raw_send(&r, 3000);
	CHECK(raw_info(&r).peer_mss == 536 && largest_segment(&r, from) == 536,
	      "no MSS option: the RFC 9293 default of 536");
	raw_fini(&r);

	open_with_mss(&r, 1200, TCP_OPT_MSS | TCP_OPT_TS, 1460);
	from = r.nr_out;
	raw_send(&r, 5000);
	CHECK(r.out[0].opts.mss == 1200 && largest_segment(&r, from) == 1188,
	      "our smaller MSS clamps what we send (1200 - 12 for timestamps)");
	raw_fini(&r);

	open_with_mss(&r, 1460, TCP_OPT_MSS, 20);
	CHECK_EQ_INT(raw_info(&r).peer_mss, 88, "an absurdly small peer MSS is raised to 88");
	raw_fini(&r);
}

static void test_window_scaling(void)
{
	struct raw r;
	struct tcp_seg s;
	struct tcp_conn_info i;

	raw_init(&r);
	raw_open(&r, RAW_ALL_OPTS);
	i = raw_info(&r);
	CHECK(r.out[0].opts.wscale == 3 && r.out[0].wnd == 65535,
	      "a 256 KiB buffer offers shift 3; the SYN's window is unscaled");
	CHECK(i.snd_wscale == 7 && i.rcv_wscale == 3, "both shifts in use after the handshake");
	CHECK_EQ_INT(i.snd_wnd, 65535, "the SYN,ACK's window is not scaled");
	CHECK_EQ_INT(raw_last(&r)->wnd, 256 * 1024 >> 3, "our ACK advertises 256 KiB >> 3");
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, i.snd_nxt, 0, 0);
	s.wnd = 100;
	raw_input(&r, &s);
	CHECK_EQ_INT(raw_info(&r).snd_wnd, 100 << 7,
		     "later windows are scaled by the peer's shift");
	raw_fini(&r);

	raw_init(&r);
	raw_open(&r, TCP_OPT_MSS | TCP_OPT_TS);
	i = raw_info(&r);
	CHECK(i.snd_wscale == 0 && i.rcv_wscale == 0 && raw_last(&r)->wnd == 65535,
	      "without the peer's option neither side scales; the window caps at 65535");
	raw_fini(&r);

	raw_init(&r);
	r.cfg.rcvbuf = 4000;
	raw_open(&r, RAW_ALL_OPTS);
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, raw_info(&r).snd_nxt, 6000, 'w');
	raw_input(&r, &s);
	CHECK_EQ_INT(raw_info(&r).rx_queued, 4000, "data beyond the advertised window is cut off");
	r.now += 40 * MS;
	tcp_conn__on_timer(r.c, r.now);
	CHECK_EQ_INT(raw_last(&r)->wnd, 0, "a full buffer advertises a zero window");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "buffers released");
}

static void test_timestamps(void)
{
	struct raw r;
	struct tcp_seg s;
	struct tcp_conn_info i;

	raw_init(&r);
	raw_open(&r, RAW_ALL_OPTS);
	CHECK(raw_last(&r)->opts.present & TCP_OPT_TS && raw_last(&r)->opts.tsecr == 777,
	      "our ACK echoes the peer's TSval");
	r.peer_ts = 1000;
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, raw_info(&r).snd_nxt, 100, 'a');
	r.peer_nxt += 100;
	raw_input(&r, &s);
	r.now += 40 * MS;
	tcp_conn__on_timer(r.c, r.now);
	CHECK_EQ_INT(raw_last(&r)->opts.tsecr, 1000, "TS.Recent follows the peer's clock");
	r.peer_ts = 900;
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, raw_info(&r).snd_nxt, 100, 'b');
	raw_input(&r, &s);
	i = raw_info(&r);
	CHECK(i.rx_queued == 100 && i.stats.paws_dropped == 1 && raw_last(&r)->opts.tsecr == 1000,
	      "PAWS: a segment with an older TSval is dropped and acknowledged");
	r.peer_ts_on = false;
	s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, raw_info(&r).snd_nxt, 100, 'c');
	raw_input(&r, &s);
	CHECK_EQ_INT(raw_info(&r).rx_queued, 100,
		     "a segment without timestamps is dropped (RFC 7323)");
	r.peer_ts_on = true;
	/* Each step is less than 2^31 ahead; the last wraps past zero. */
	for (int k = 0; k < 3; k++) {
		const uint32_t tsvals[] = { 0x70000000u, 0xe0000000u, 0x10u };

		r.peer_ts = tsvals[k];
		s = raw_seg(&r, TCP_FLAG_ACK, r.peer_nxt, raw_info(&r).snd_nxt, 100, 'd');
		r.peer_nxt += 100;
		raw_input(&r, &s);
		r.now += 40 * MS;
		tcp_conn__on_timer(r.c, r.now);
	}
	CHECK_EQ_INT(raw_info(&r).rx_queued, 400, "TSvals compare modulo 2^32 across the wrap");
	r.peer_ts = 5;
	s = raw_seg(&r, TCP_FLAG_RST, r.peer_nxt, 0, 0, 0);
	raw_input(&r, &s);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_CLOSED, "a RST is exempt from PAWS");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "buffers released");

	raw_init(&r);
	raw_open(&r, TCP_OPT_MSS | TCP_OPT_SACK_PERM);
	i = raw_info(&r);
	CHECK(!i.ts_ok && !(raw_last(&r)->opts.present & TCP_OPT_TS) && i.smss == 1460,
	      "no timestamps unless both offer them; the full MSS carries data");
	raw_fini(&r);
}

static bool done_big(struct sim *s)
{
	return s->host[1].app[0].received == s->host[0].app[0].to_send;
}

static void test_large_window(void)
{
	struct sim s;
	struct tcp_conn_info ia;
	bool ok, clean;

	sim_init(&s, 5);
	for (int h = 0; h < 2; h++) {
		s.host[h].cfg.rcvbuf = 4 * 1024 * 1024;
		s.host[h].cfg.sndbuf = 4 * 1024 * 1024;
		s.host[h].cfg.tx_chunks = 1024;
		s.host[h].cfg.rx_chunks = 4096;
		s.host[h].cfg.reass_max_segs = 1024;
		s.link[h].delay_ns = 50 * MS;
	}
	sim_listen(&s, 1, 80, 4);
	sim_connect(&s, 0, 40000, 80);
	sim_run(&s, SEC, NULL);
	s.host[0].app[0].to_send = 16 * 1024 * 1024;
	ok = sim_run(&s, 60 * SEC, done_big);
	tcp_conn__info(s.host[0].conns[0], &ia);
	CHECK(ia.snd_wscale == 7 && ia.snd_wnd > 65535,
	      "a 4 MiB buffer needs shift 7; the sender sees a %u byte window", ia.snd_wnd);
	CHECK(ok && s.host[1].app[0].rx_hash == s.host[0].app[0].tx_hash,
	      "16 MiB over a 100 ms RTT arrive intact through the scaled window");
	CHECK(s.now < 10 * SEC, "the scaled window keeps the pipe full (%.2f s)",
	      (double)s.now / 1e9);
	clean = sim_fini(&s);
	CHECK(clean, "no buffer leaked");
}

int main(void)
{
	test_mss();
	test_window_scaling();
	test_timestamps();
	test_large_window();
	return check_exit();
}
