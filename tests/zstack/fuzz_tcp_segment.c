// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: arbitrary segments, clock jumps and application calls against
 * a TCP core connection brought to any state first. It checks the core's
 * invariants after every step and that every buffer comes back exactly once.
 *
 * Built with clang -fsanitize=fuzzer,address -DZSTACK_LIBFUZZER it is a
 * libFuzzer target; otherwise (as `make` builds it) main() runs a bounded
 * number of inputs drawn from a fixed seed.
 *
 * Input: byte 0 picks the starting state, byte 1 the options, then ops:
 *   0 a wire segment (length byte + bytes, parsed like a received packet)
 *   1 a segment near the windows (flags, deltas to rcv_nxt and snd_una,
 *     window, length, options)
 *   2 a clock jump, running the timers that fall due
 *   3 an application write; 4 reading and freeing everything; 5 shutdown or,
 *   rarely, abort
 */
#include <stdio.h>

#include "tests/check.h"
#include "tests/zstack/raw.h"

static const enum tcp_state start_states[] = {
	TCP_SYN_SENT,	TCP_SYN_RCVD,	TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT, TCP_CLOSING,	TCP_LAST_ACK,	 TCP_TIME_WAIT,
};
#define NR_START (sizeof(start_states) / sizeof(start_states[0]))

static unsigned long invariant_failures;
static int first_failure_line;

#ifdef ZSTACK_LIBFUZZER
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : abort())
#else
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_failed(__LINE__))

static void fuzz_failed(int line)
{
	if (!invariant_failures++)
		first_failure_line = line;
}
#endif

struct cursor {
	const uint8_t *p;
	size_t n;
};

static uint8_t get8(struct cursor *c)
{
	if (!c->n)
		return 0;
	c->n--;
	return *c->p++;
}

static uint16_t get16(struct cursor *c)
{
	uint16_t hi = get8(c);

	return (uint16_t)(hi << 8 | get8(c));
}

static void feed(struct raw *r, struct tcp_seg *s)
{
	if (tcp_conn__state(r->c) == TCP_CLOSED) {
		if (s->len) {
			r->rx_live--;
			free((void *)(uintptr_t)s->cookie);
		}
		return;
	}
	raw_input(r, s);
}

/* A fresh buffer with the payload, as a NIC would have filled it. */
static void own_payload(struct raw *r, struct tcp_seg *s, const uint8_t *data, uint32_t len)
{
	uint8_t *p;

	s->len = len;
	if (!len)
		return;
	p = malloc(len);
	if (!p)
		abort();
	memcpy(p, data, len);
	s->payload = p;
	s->cookie = (uint64_t)(uintptr_t)p;
	r->rx_live++;
}

static void op_wire(struct raw *r, struct cursor *c)
{
	uint8_t pkt[256];
	uint8_t n = get8(c);
	struct tcp_seg s;

	for (int i = 0; i < n; i++)
		pkt[i] = get8(c);
	if (tcp_seg__parse(pkt, n, &s))
		return;
	own_payload(r, &s, s.payload, s.len);
	feed(r, &s);
}

static void op_near(struct raw *r, struct cursor *c)
{
	struct tcp_conn_info i = raw_info(r);
	uint8_t flags = get8(c) & 0x3f;
	int16_t dseq = (int16_t)get16(c), dack = (int16_t)get16(c);
	uint16_t wnd = get16(c);
	uint32_t len = (uint32_t)get8(c) * 8;
	uint8_t opts = get8(c);
	uint8_t data[2048] = { 0 };
	struct tcp_seg s = raw_seg(r, flags, i.rcv_nxt + dseq, i.snd_una + dack, 0, 0);

	s.wnd = wnd;
	if (opts & 1) {
		s.opts.present |= TCP_OPT_TS;
		r->peer_ts += (int8_t)get8(c);
		s.opts.tsval = r->peer_ts;
	} else {
		s.opts.present &= (uint8_t)~TCP_OPT_TS;
	}
	if (opts & 2) {
		s.opts.present |= TCP_OPT_SACK;
		s.opts.nr_sack = 1 + (opts >> 6);
		for (int k = 0; k < s.opts.nr_sack; k++) {
			s.opts.sack[k].start = i.snd_una + (int16_t)get16(c);
			s.opts.sack[k].end = s.opts.sack[k].start + get8(c) * 16u;
		}
	}
	if (opts & 4) {
		s.opts.present |= TCP_OPT_MSS | TCP_OPT_WSCALE;
		s.opts.mss = get16(c);
		s.opts.wscale = get8(c) & 15;
	}
	own_payload(r, &s, data, len);
	feed(r, &s);
}

static void op_clock(struct raw *r, struct cursor *c)
{
	r->now += (uint64_t)get8(c) * 5 * MS;
	for (int k = 0; k < 64 && tcp_conn__state(r->c) != TCP_CLOSED; k++) {
		uint64_t d = tcp_conn__next_deadline(r->c);

		if (d > r->now)
			break;
		tcp_conn__on_timer(r->c, r->now);
	}
}

static void op_read(struct raw *r)
{
	struct tcp_chunk ch;

	for (int k = 0; k < 4096 && !tcp_conn__recv(r->c, &ch); k++)
		tcp_conn__recv_free(r->c, &ch, r->now);
}

static void check_invariants(struct raw *r)
{
	struct tcp_conn_info i = raw_info(r);

	FUZZ_ASSERT(seq_leq(i.snd_una, i.snd_nxt) && seq_leq(i.snd_nxt, i.snd_max));
	FUZZ_ASSERT(i.ooo_segs <= r->cfg.reass_max_segs && i.ooo_bytes <= r->cfg.reass_max_bytes);
	FUZZ_ASSERT(i.rx_queued + i.ooo_bytes <= r->cfg.rcvbuf);
	FUZZ_ASSERT(i.rcv_wnd <= r->cfg.rcvbuf + (1u << i.rcv_wscale));
	FUZZ_ASSERT(i.cwnd >= i.smss || i.state < TCP_ESTABLISHED);
	FUZZ_ASSERT(r->rx_live >= 0 && r->tx_live >= 0);
}

static unsigned long states_started[NR_START];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	unsigned start = get8(&c) % NR_START;
	uint8_t cfg = get8(&c);
	struct raw r;

	raw_init(&r);
	r.cfg.timestamps = !(cfg & 1);
	r.cfg.sack = !(cfg & 2);
	r.cfg.reass_max_segs = 8;
	r.cfg.reass_max_bytes = 8192;
	r.cfg.rcvbuf = cfg & 4 ? 16384 : 256 * 1024;
	r.cfg.keepalive_idle_ns = cfg & 8 ? SEC : 0;
	r.cfg.keepalive_intvl_ns = SEC;
	raw_reach(&r, start_states[start]);
	states_started[start]++;
	for (int steps = 0; c.n && steps < 256; steps++) {
		uint8_t op = get8(&c) % 6;

		if (tcp_conn__state(r.c) == TCP_CLOSED && op != 4)
			break;
		switch (op) {
		case 0:
			op_wire(&r, &c);
			break;
		case 1:
			op_near(&r, &c);
			break;
		case 2:
			op_clock(&r, &c);
			break;
		case 3:
			raw_send(&r, (uint32_t)get8(&c) * 64 + 1);
			break;
		case 4:
			op_read(&r);
			break;
		default:
			/* Rarely abort: it ends the input's exploration. */
			if (get8(&c) < 8)
				tcp_conn__abort(r.c, r.now);
			else
				tcp_conn__shutdown(r.c, r.now);
			break;
		}
		check_invariants(&r);
	}
	raw_done(&r);
	FUZZ_ASSERT(r.rx_live == 0 && r.tx_live == 0);
	return 0;
}

#ifndef ZSTACK_LIBFUZZER
int main(void)
{
	uint64_t x = 0x5eed;
	uint8_t buf[600];
	const int runs = 20000;
	bool every_state = true;

	for (int n = 0; n < runs; n++) {
		size_t len = 2 + n % (sizeof(buf) - 2);

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	for (unsigned s = 0; s < NR_START; s++)
		every_state &= states_started[s] > 0;
	CHECK(every_state, "inputs started in every state from SYN-SENT to TIME-WAIT");
	CHECK(invariant_failures == 0,
	      "%d random inputs: sequence, window and reassembly invariants held, every buffer "
	      "released (%lu failures, first at line %d)",
	      runs, invariant_failures, first_failure_line);
	return check_exit();
}
#endif
