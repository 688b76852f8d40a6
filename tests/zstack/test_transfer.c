// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk transfers between two TCP cores over the simulated link: clean, with
 * 1 % and 5 % loss, reordering and duplication, with SACK and without
 * (NewReno), CUBIC and NewReno congestion control. The bytes must arrive
 * intact and in order (hash of the stream) and without a payload copy by the
 * core, and every buffer must be given back.
 */
#include "tests/check.h"
#include "tests/zstack/sim.h"

#define MB (1024 * 1024)

struct scenario {
	const char *name;
	uint64_t bytes;
	double loss;
	double dup;
	uint64_t jitter_ns;
	bool no_sack;
	bool no_timestamps;
	enum tcp_cc_algo cc; /* CUBIC unless said */
	uint64_t seed;
	bool both_ways;
	uint32_t write_size;	/* 0: the simulator's default */
	bool seg_per_buffer;
	bool linux_receiver;	/* the receiver's window wobbles (sim_link.wnd_wobble) */
	double max_secs;	/* virtual time the transfer may take; 0: no limit */
	uint64_t delay_ns;	/* one-way; 0: the simulator's 5 ms */
	uint32_t max_timeouts;	/* retransmission timeouts allowed; 0: any number */
};

/* What the link saw: segments larger than the MSS would be dropped by a real MTU. */
struct seg_sizes {
	uint64_t oversize;
	uint64_t data_with_sack; /* data segments that also carried SACK blocks */
};

static bool check_size(struct sim *s, int from, const struct tcp_seg_out *seg)
{
	struct seg_sizes *z = s->filter_ctx;
	uint32_t mss = s->host[!from].cfg.mss;

	if (tcp_opts__len(&seg->opts) + seg->len > mss)
		z->oversize++;
	if (seg->len && (seg->opts.present & TCP_OPT_SACK))
		z->data_with_sack++;
	return true;
}

static bool transfer_done(struct sim *s)
{
	struct sim_app *a = &s->host[0].app[0], *b = &s->host[1].app[0];

	return a->eof && b->eof && sim_state(s, 0, 0) == TCP_CLOSED &&
	       sim_state(s, 1, 0) == TCP_CLOSED;
}

static bool established(struct sim *s)
{
	return s->host[1].nr_conns && sim_state(s, 0, 0) == TCP_ESTABLISHED &&
	       sim_state(s, 1, 0) == TCP_ESTABLISHED;
}

static void run(const struct scenario *sc)
{
	struct seg_sizes sizes = { 0 };
	struct sim s;
	struct sim_app *a, *b;
	struct tcp_conn_info ia, ib;
	bool done, clean;

	sim_init(&s, sc->seed);
	for (int h = 0; h < 2; h++) {
		s.host[h].cfg.sack = !sc->no_sack;
		s.host[h].cfg.timestamps = !sc->no_timestamps;
		s.host[h].cfg.cc = sc->cc;
		s.host[h].cfg.seg_per_buffer = sc->seg_per_buffer;
		s.link[h].loss = sc->loss;
		s.link[h].dup = sc->dup;
		s.link[h].jitter_ns = sc->jitter_ns;
		if (sc->delay_ns)
			s.link[h].delay_ns = sc->delay_ns;
	}
	s.link[1].wnd_wobble = sc->linux_receiver;
	s.filter = check_size;
	s.filter_ctx = &sizes;
	sim_listen(&s, 1, 80, 8);
	sim_connect(&s, 0, 40000, 80);
	sim_run(&s, 5ULL * 1000000000, established);
	a = &s.host[0].app[0];
	b = &s.host[1].app[0];
	a->to_send = sc->bytes;
	a->shutdown_after = true;
	if (sc->write_size)
		a->write_size = sc->write_size;
	if (sc->both_ways) {
		b->to_send = sc->bytes;
		b->pattern = 12345;
	}
	b->shutdown_after = true;
	done = sim_run(&s, 600ULL * 1000000000, transfer_done);
	tcp_conn__info(s.host[0].conns[0], &ia);
	tcp_conn__info(s.host[1].conns[0], &ib);
	CHECK(done, "%s: both ends reach CLOSED after the transfer (client %s, server %s)",
	      sc->name, tcp_state_name(ia.state), tcp_state_name(ib.state));
	CHECK(b->received == sc->bytes && b->rx_hash == a->tx_hash,
	      "%s: %llu bytes delivered intact and in order (got %llu)", sc->name,
	      (unsigned long long)sc->bytes, (unsigned long long)b->received);
	if (sc->both_ways)
		CHECK(a->received == sc->bytes && a->rx_hash == b->tx_hash,
		      "%s: reverse direction intact", sc->name);
	CHECK_EQ_INT(a->copy_violations + b->copy_violations, 0,
		     "payload reached the application from the received frames, no copy");
	CHECK_EQ_INT(s.tx_copy_violations, 0,
		     "segments referenced the application's send buffers, no copy");
	CHECK_EQ_INT(sizes.oversize, 0,
		     "no segment's options and payload exceed the peer's MSS (the link MTU)");
	if (sc->both_ways && sc->loss > 0 && !sc->no_sack)
		CHECK(sizes.data_with_sack > 0,
		      "%s: full data segments carried SACK blocks (%llu)", sc->name,
		      (unsigned long long)sizes.data_with_sack);
	clean = sim_fini(&s);
	CHECK(clean, "%s: every frame and send buffer given back", sc->name);
	printf("# %s: %.2f s virtual, %llu frames, %llu lost, retransmits %llu (fast %llu, "
	       "timeouts %llu, lost rexmits %llu, probes %llu), sack recoveries %llu, "
	       "newreno %llu, ooo %llu, cwnd %u\n",
	       sc->name, (double)s.now / 1e9, (unsigned long long)s.frames_sent,
	       (unsigned long long)s.frames_lost, (unsigned long long)ia.stats.retransmits,
	       (unsigned long long)ia.stats.fast_retransmits,
	       (unsigned long long)ia.stats.timeouts, (unsigned long long)ia.stats.lost_retransmits,
	       (unsigned long long)ia.stats.loss_probes, (unsigned long long)ia.stats.sack_recoveries,
	       (unsigned long long)ia.stats.newreno_recoveries,
	       (unsigned long long)ib.stats.ooo_segs_in, ia.cwnd);
	if (sc->max_secs)
		CHECK((double)s.now / 1e9 < sc->max_secs, "%s: done within %.1f s virtual",
		      sc->name, sc->max_secs);
	if (sc->max_timeouts)
		CHECK(ia.stats.timeouts <= sc->max_timeouts && ia.stats.lost_retransmits > 0,
		      "%s: lost retransmissions sent again without waiting for the timer "
		      "(%llu timeouts, %llu resent)", sc->name,
		      (unsigned long long)ia.stats.timeouts,
		      (unsigned long long)ia.stats.lost_retransmits);
	if (sc->loss == 0)
		CHECK(ia.cwnd <= 2 * s.host[1].cfg.rcvbuf + 4 * ia.smss,
		      "%s: cwnd grows no further than the window in use (%u)", sc->name, ia.cwnd);
	if (sc->seg_per_buffer)
		CHECK_EQ_INT(s.multi_buffer_segs, 0,
			     "no segment spans two send buffers: each can take headers in place");
	else if (sc->write_size)
		CHECK(s.multi_buffer_segs > 0, "%s: small writes are coalesced into full segments",
		      sc->name);
	if (sc->loss > 0)
		CHECK(ia.stats.retransmits > 0, "%s: losses were repaired by retransmission",
		      sc->name);
	if (sc->loss > 0 && !sc->no_sack)
		CHECK(ia.stats.sack_recoveries > 0, "%s: the SACK scoreboard drove recovery",
		      sc->name);
	if (sc->loss > 0 && sc->no_sack)
		CHECK(ia.stats.newreno_recoveries > 0, "%s: NewReno recovery ran", sc->name);
}

int main(void)
{
	const struct scenario scenarios[] = {
		{ .name = "clean 4 MB", .bytes = 4 * MB, .seed = 1 },
		{ .name = "clean both ways", .bytes = 2 * MB, .seed = 2, .both_ways = true },
		{ .name = "1% loss SACK CUBIC", .bytes = 4 * MB, .loss = 0.01, .seed = 3 },
		{ .name = "5% loss SACK CUBIC", .bytes = 2 * MB, .loss = 0.05, .seed = 4 },
		{ .name = "1% loss NewReno no SACK", .bytes = 2 * MB, .loss = 0.01, .no_sack = true,
		  .cc = TCP_CC_NEWRENO, .seed = 5 },
		{ .name = "5% loss no SACK no TS", .bytes = 1 * MB, .loss = 0.05, .no_sack = true,
		  .no_timestamps = true, .seed = 6 },
		{ .name = "reordering", .bytes = 2 * MB, .jitter_ns = 3000000, .seed = 7 },
		{ .name = "duplication", .bytes = 2 * MB, .dup = 0.05, .seed = 8 },
		{ .name = "loss+reorder+dup both ways", .bytes = 1 * MB, .loss = 0.02, .dup = 0.02,
		  .jitter_ns = 2000000, .cc = TCP_CC_NEWRENO, .seed = 9, .both_ways = true },
		{ .name = "5% loss both ways SACK", .bytes = 2 * MB, .loss = 0.05, .seed = 13,
		  .both_ways = true },
		/*
		 * As over veth: a round trip far below the minimum RTO, so every
		 * timeout costs a hundred round trips. Before lost retransmissions
		 * were detected, 13 timeouts and 5.7 s.
		 */
		{ .name = "5% loss, Linux-like receiver, 100 us RTT", .bytes = 8 * MB, .loss = 0.05,
		  .seed = 14, .linux_receiver = true, .delay_ns = 50000, .max_secs = 4.5,
		  .max_timeouts = 6 },
		{ .name = "700-byte writes", .bytes = 1 * MB, .seed = 10, .write_size = 700 },
		{ .name = "700-byte writes, one buffer per segment, 1% loss", .bytes = 1 * MB,
		  .loss = 0.01, .seed = 11, .write_size = 700, .seg_per_buffer = true },
		{ .name = "3000-byte writes, one buffer per segment", .bytes = 1 * MB, .seed = 12,
		  .write_size = 3000, .seg_per_buffer = true },
	};

	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run(&scenarios[i]);
	return check_exit();
}
