// SPDX-License-Identifier: GPL-2.0
/*
 * The receive side of zstack's TCP core: bounded out-of-order reassembly by
 * reference, overlap trimming, the SACK blocks it reports (RFC 2018), an
 * out-of-order FIN, and the zero-copy contract: every chunk the application
 * reads points into a buffer the caller handed in, and every buffer comes
 * back exactly once.
 */
#include <errno.h>

#include "tests/check.h"
#include "tests/zstack/raw.h"

static uint8_t pattern(uint32_t off)
{
	return (uint8_t)(off * 7 + (off >> 8));
}

/* Peer data at stream offset off (relative to the peer's ISS + 1), filled with pattern(). */
static void deliver(struct raw *r, uint32_t off, uint32_t len, uint8_t extra)
{
	struct tcp_seg s = raw_seg(r, TCP_FLAG_ACK | extra, RAW_PEER_ISS + 1 + off,
				   raw_info(r).snd_nxt, len, 0);
	uint8_t *p = (uint8_t *)s.payload;

	for (uint32_t i = 0; i < len; i++)
		p[i] = pattern(off + i);
	raw_input(r, &s);
}

/* Reads everything; checks the bytes and that each chunk lies in its own buffer. */
static uint32_t read_all(struct raw *r, uint32_t *off, int *bad_bytes, int *copies)
{
	struct tcp_chunk ch;
	uint32_t n = 0;

	while (!tcp_conn__recv(r->c, &ch)) {
		const uint8_t *buf = (const uint8_t *)(uintptr_t)ch.cookie;

		/* Buffers here are malloc'ed at exactly the segment's length by raw_seg. */
		if (ch.data < buf || ch.data + ch.len > buf + 65536)
			(*copies)++;
		for (uint32_t i = 0; i < ch.len; i++)
			*bad_bytes += ch.data[i] != pattern(*off + i);
		*off += ch.len;
		n += ch.len;
		tcp_conn__recv_free(r->c, &ch, r->now);
	}
	return n;
}

static bool sack_is(const struct tcp_seg_out *o, int n, const uint32_t *blocks)
{
	if (!(o->opts.present & TCP_OPT_SACK) || o->opts.nr_sack != n)
		return false;
	for (int i = 0; i < n; i++)
		if (o->opts.sack[i].start != RAW_PEER_ISS + 1 + blocks[2 * i] ||
		    o->opts.sack[i].end != RAW_PEER_ISS + 1 + blocks[2 * i + 1])
			return false;
	return true;
}

static void test_sack_blocks(bool timestamps)
{
	const char *mode = timestamps ? "with timestamps" : "without timestamps";
	struct raw r;
	uint32_t off = 0;
	int bad = 0, copies = 0;

	raw_init(&r);
	raw_open(&r, timestamps ? RAW_ALL_OPTS : TCP_OPT_MSS | TCP_OPT_SACK_PERM);
	deliver(&r, 1000, 500, 0);
	CHECK(sack_is(raw_last(&r), 1, (const uint32_t[]){ 1000, 1500 }) &&
		      raw_last(&r)->ack == RAW_PEER_ISS + 1,
	      "%s: a hole is reported as a duplicate ACK with one SACK block", mode);
	deliver(&r, 3000, 500, 0);
	deliver(&r, 5000, 500, 0);
	CHECK(sack_is(raw_last(&r), 3, (const uint32_t[]){ 5000, 5500, 3000, 3500, 1000, 1500 }),
	      "%s: blocks listed most recent first", mode);
	deliver(&r, 7000, 500, 0);
	if (timestamps)
		CHECK(sack_is(raw_last(&r), 3,
			      (const uint32_t[]){ 7000, 7500, 5000, 5500, 3000, 3500 }),
		      "%s: three blocks fit beside timestamps", mode);
	else
		CHECK(sack_is(raw_last(&r), 4,
			      (const uint32_t[]){ 7000, 7500, 5000, 5500, 3000, 3500, 1000, 1500 }),
		      "%s: four blocks fit", mode);
	deliver(&r, 1500, 500, 0);
	CHECK(sack_is(raw_last(&r), timestamps ? 3 : 4,
		      (const uint32_t[]){ 1000, 2000, 7000, 7500, 5000, 5500, 3000, 3500 }),
	      "%s: a segment extending a block moves the merged block first", mode);
	deliver(&r, 0, 1000, 0);
	CHECK(raw_last(&r)->ack == RAW_PEER_ISS + 1 + 2000 &&
		      sack_is(raw_last(&r), 3,
			      (const uint32_t[]){ 7000, 7500, 5000, 5500, 3000, 3500 }),
	      "%s: filling the first hole advances the ACK and drops the block", mode);
	deliver(&r, 2000, 1000, 0);
	deliver(&r, 3500, 1500, 0);
	deliver(&r, 5500, 1500, 0);
	CHECK(raw_last(&r)->ack == RAW_PEER_ISS + 1 + 7500 &&
		      !(raw_last(&r)->opts.present & TCP_OPT_SACK),
	      "%s: no SACK option once everything is in order", mode);
	CHECK_EQ_INT(read_all(&r, &off, &bad, &copies), 7500, "all bytes readable");
	CHECK(bad == 0 && copies == 0, "%s: bytes in order, read in place (%d bad, %d copied)",
	      mode, bad, copies);
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "every buffer released once");
}

static void test_limits(void)
{
	struct raw r;
	struct tcp_conn_info i;
	uint32_t off = 0;
	int bad = 0, copies = 0;

	raw_init(&r);
	r.cfg.reass_max_segs = 4;
	r.cfg.reass_max_bytes = 3200;
	raw_open(&r, RAW_ALL_OPTS);
	for (uint32_t k = 1; k <= 5; k++)
		deliver(&r, 1000 * k, 500, 0);
	i = raw_info(&r);
	CHECK(i.ooo_segs == 4 && i.stats.ooo_dropped == 1 && r.rx_live == 4,
	      "a fifth out-of-order segment over a limit of 4 is dropped and released");
	deliver(&r, 6000, 1500, 0);
	i = raw_info(&r);
	CHECK(i.ooo_bytes == 2000 && i.stats.ooo_dropped == 2,
	      "a segment over the 3200-byte limit is dropped (%u bytes held)", i.ooo_bytes);
	deliver(&r, 1000, 500, 0);
	CHECK_EQ_INT(raw_info(&r).stats.dup_segs_in, 1,
		     "an exact duplicate of held data is dropped");
	deliver(&r, 900, 1700, 0);
	i = raw_info(&r);
	CHECK(i.ooo_segs == 3 && i.ooo_bytes == 2700 && r.rx_live == 3,
	      "a segment spanning held ones replaces them (%u segs, %u bytes)", i.ooo_segs,
	      i.ooo_bytes);
	deliver(&r, 2400, 700, 0);
	i = raw_info(&r);
	CHECK(i.ooo_segs == 4 && i.ooo_bytes == 3100,
	      "an overlapping segment is trimmed at both ends to the gap (%u bytes)", i.ooo_bytes);
	deliver(&r, 0, 900, 0);
	deliver(&r, 3500, 500, 0);
	deliver(&r, 4500, 1000, 0);
	i = raw_info(&r);
	CHECK(i.rcv_nxt == RAW_PEER_ISS + 1 + 5500 && i.ooo_segs == 0,
	      "filling the holes moves everything in order (rcv_nxt +%u)",
	      i.rcv_nxt - RAW_PEER_ISS - 1);
	CHECK_EQ_INT(read_all(&r, &off, &bad, &copies), 5500, "5500 bytes readable");
	CHECK(bad == 0 && copies == 0, "trimmed pieces reassemble to the exact stream");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "every buffer released once");
}

static void test_covering_segment(void)
{
	struct raw r;
	uint32_t off = 0;
	int bad = 0, copies = 0;

	raw_init(&r);
	raw_open(&r, RAW_ALL_OPTS);
	deliver(&r, 1000, 100, 0);
	deliver(&r, 1200, 100, 0);
	deliver(&r, 500, 1000, 0);
	CHECK(raw_info(&r).ooo_segs == 1 && raw_info(&r).ooo_bytes == 1000 && r.rx_live == 1,
	      "a segment covering held ones replaces them; theirs are released");
	deliver(&r, 0, 500, 0);
	CHECK_EQ_INT(read_all(&r, &off, &bad, &copies), 1500, "1500 bytes readable");
	CHECK(bad == 0 && copies == 0, "bytes intact");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "every buffer released once");
}

static void test_ooo_fin(void)
{
	struct raw r;
	struct tcp_chunk ch;
	uint32_t off = 0;
	int bad = 0, copies = 0;

	raw_init(&r);
	raw_open(&r, RAW_ALL_OPTS);
	deliver(&r, 1000, 1000, TCP_FLAG_FIN);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_ESTABLISHED, "a FIN beyond a hole waits");
	deliver(&r, 0, 1000, 0);
	CHECK(tcp_conn__state(r.c) == TCP_CLOSE_WAIT &&
		      raw_last(&r)->ack == RAW_PEER_ISS + 1 + 2001,
	      "filling the hole takes the FIN too: CLOSE-WAIT");
	CHECK_EQ_INT(read_all(&r, &off, &bad, &copies), 2000, "2000 bytes readable");
	CHECK_EQ_INT(tcp_conn__recv(r.c, &ch), -ENODATA, "then end of stream");
	raw_fini(&r);
}

static void test_window_accounting(void)
{
	struct raw r;
	struct tcp_chunk ch[4];
	int n = 0;

	raw_init(&r);
	r.cfg.rcvbuf = 8192;
	raw_open(&r, RAW_ALL_OPTS);
	for (int k = 0; k < 4; k++)
		deliver(&r, 2048u * (uint32_t)k, 2048, 0);
	r.now += 40 * MS;
	tcp_conn__on_timer(r.c, r.now);
	CHECK_EQ_INT(raw_info(&r).rcv_wnd, 0, "unread data fills the window");
	while (n < 4 && !tcp_conn__recv(r.c, &ch[n]))
		n++;
	CHECK(n == 4 && raw_info(&r).rcv_wnd == 0,
	      "data taken by reference but not freed still holds the window");
	tcp_conn__recv_free(r.c, &ch[0], r.now);
	tcp_conn__recv_free(r.c, &ch[1], r.now);
	CHECK(raw_last(&r)->wnd << raw_info(&r).rcv_wscale >= 4096,
	      "freeing chunks reopens the window with an update (%u)", raw_last(&r)->wnd);
	tcp_conn__recv_free(r.c, &ch[2], r.now);
	tcp_conn__recv_free(r.c, &ch[3], r.now);
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "every buffer released once");
}

int main(void)
{
	test_sack_blocks(true);
	test_sack_blocks(false);
	test_limits();
	test_covering_segment();
	test_ooo_fin();
	test_window_accounting();
	return check_exit();
}
