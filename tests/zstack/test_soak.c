// SPDX-License-Identifier: GPL-2.0
/*
 * Many short connections through the simulated link, each with its own
 * seed: loss up to 8 %, duplication, reordering, delays of 1-20 ms, and a
 * configuration drawn per seed (SACK, timestamps, window scaling, CUBIC or
 * NewReno, one buffer per segment, small receive buffers and reassembly
 * limits, write sizes from 100 to 5000 bytes). Data flows both ways and
 * every connection must close with both streams intact, no payload copied
 * by the core and no buffer leaked.
 */
#include "tests/check.h"
#include "tests/zstack/sim.h"

#define SEEDS 150
#define SEC 1000000000ULL

static bool established(struct sim *s)
{
	return s->host[1].nr_conns && sim_state(s, 0, 0) == TCP_ESTABLISHED &&
	       sim_state(s, 1, 0) == TCP_ESTABLISHED;
}

static bool finished(struct sim *s)
{
	return s->host[0].app[0].eof && s->host[1].app[0].eof &&
	       sim_state(s, 0, 0) == TCP_CLOSED && sim_state(s, 1, 0) == TCP_CLOSED;
}

static void configure(struct sim *s, uint64_t seed)
{
	uint64_t bits = seed * 2654435761u;

	for (int h = 0; h < 2; h++) {
		struct tcp_config *cfg = &s->host[h].cfg;

		cfg->sack = bits & 1;
		cfg->timestamps = bits & 2;
		cfg->wscale = bits & 4;
		cfg->cc = bits & 8 ? TCP_CC_NEWRENO : TCP_CC_CUBIC;
		cfg->seg_per_buffer = bits & 16;
		cfg->rcvbuf = bits & 32 ? 32768 : 262144;
		cfg->reass_max_segs = bits & 64 ? 8 : 256;
		s->link[h].loss = 0.001 * (double)(seed % 80);
		s->link[h].dup = 0.001 * (double)(seed % 30);
		s->link[h].jitter_ns = (seed % 5) * 1000000;
		s->link[h].delay_ns = (1 + seed % 20) * 1000000;
	}
}

int main(void)
{
	int not_done = 0, corrupt = 0, leaked = 0;
	uint64_t copies = 0, slowest = 0, slowest_seed = 0;

	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct sim s;
		struct sim_app *a, *b;
		uint64_t t0;

		sim_init(&s, seed * 7919);
		configure(&s, seed);
		sim_listen(&s, 1, 80, 8);
		sim_connect(&s, 0, 40000, 80);
		t0 = s.now;
		if (!sim_run(&s, 300 * SEC, established)) {
			not_done++;
			leaked += !sim_fini(&s);
			continue;
		}
		a = &s.host[0].app[0];
		b = &s.host[1].app[0];
		a->to_send = 200000 + seed * 1000;
		a->write_size = 100 + (uint32_t)(seed * 37 % 5000);
		a->shutdown_after = true;
		b->to_send = 100000;
		b->pattern = 99;
		b->shutdown_after = true;
		not_done += !sim_run(&s, 100000 * SEC, finished);
		corrupt += b->received != a->to_send || b->rx_hash != a->tx_hash ||
			   a->received != b->to_send || a->rx_hash != b->tx_hash;
		copies += s.tx_copy_violations + a->copy_violations + b->copy_violations;
		if (s.now - t0 > slowest) {
			slowest = s.now - t0;
			slowest_seed = seed;
		}
		leaked += !sim_fini(&s);
	}
	CHECK_EQ_INT(not_done, 0, "every connection opened, carried its data and closed");
	CHECK_EQ_INT(corrupt, 0, "both streams intact and in order on every connection");
	CHECK_EQ_INT(copies, 0, "no payload byte copied by the core");
	CHECK_EQ_INT(leaked, 0, "no frame or send buffer leaked");
	printf("# %d seeds; slowest: seed %llu, %.1f s of virtual time\n", SEEDS,
	       (unsigned long long)slowest_seed, (double)slowest / 1e9);
	return check_exit();
}
