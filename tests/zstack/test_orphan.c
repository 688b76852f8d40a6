// SPDX-License-Identifier: GPL-2.0
/*
 * Connections the application closed (tcp_conn__orphan), on a virtual clock,
 * against what Linux's tcp_close does: unread data resets the peer instead of
 * a FIN (RFC 2525, 2.17); FIN-WAIT-2 ends after tcp_fin_timeout without the
 * peer's FIN; new data after the close resets; a socket only shut down keeps
 * waiting in FIN-WAIT-2, as the kernel keeps a half-closed socket its owner
 * still holds.
 */
#include <errno.h>

#include "tests/check.h"
#include "tests/zstack/raw.h"

/* Peer data in order: len bytes at peer_nxt, acknowledging what we sent. */
static void peer_data(struct raw *r, uint32_t len)
{
	struct tcp_seg s = raw_seg(r, TCP_FLAG_ACK | TCP_FLAG_PSH, r->peer_nxt,
				   raw_info(r).snd_max, len, 'x');

	r->peer_nxt += len;
	raw_input(r, &s);
}

static void test_unread_data_resets(void)
{
	const struct tcp_seg_out *o;
	struct tcp_chunk ch;
	struct raw r;

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	peer_data(&r, 100);
	r.nr_out = 0;
	tcp_conn__orphan(r.c, r.now);
	o = raw_last(&r);
	CHECK(r.nr_out == 1 && o->flags == (TCP_FLAG_RST | TCP_FLAG_ACK) &&
		      o->seq == raw_info(&r).snd_max,
	      "close with 100 unread bytes sends RST, not FIN");
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_CLOSED, "... and the connection is closed");
	raw_fini(&r);
	CHECK_EQ_INT(r.rx_live, 0, "... and the unread buffer is released");

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	peer_data(&r, 100);
	CHECK(!tcp_conn__recv(r.c, &ch), "the application reads the 100 bytes");
	tcp_conn__recv_free(r.c, &ch, r.now);
	r.nr_out = 0;
	tcp_conn__orphan(r.c, r.now);
	o = raw_last(&r);
	CHECK(o && o->flags == (TCP_FLAG_FIN | TCP_FLAG_ACK) &&
		      tcp_conn__state(r.c) == TCP_FIN_WAIT_1,
	      "close after reading everything sends FIN");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_CLOSE_WAIT);
	r.nr_out = 0;
	tcp_conn__orphan(r.c, r.now);
	CHECK(tcp_conn__state(r.c) == TCP_LAST_ACK && (raw_last(&r)->flags & TCP_FLAG_FIN),
	      "close in CLOSE-WAIT, the peer's FIN being no data: FIN, LAST-ACK");
	raw_fini(&r);
}

static void test_fin_wait_2_timeout(void)
{
	uint64_t at;
	struct raw r;

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	tcp_conn__orphan(r.c, r.now);
	raw_peer_ack(&r, raw_info(&r).snd_max);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_FIN_WAIT_2, "orphan: FIN-WAIT-1 -> FIN-WAIT-2");
	at = tcp_conn__next_deadline(r.c);
	CHECK_EQ_INT(at - r.now, 60 * SEC, "FIN-WAIT-2 of an orphan lasts tcp_fin_timeout (60 s)");
	r.now = at - 1;
	tcp_conn__on_timer(r.c, r.now);
	CHECK_EQ_INT(tcp_conn__state(r.c), TCP_FIN_WAIT_2, "... still FIN-WAIT-2 just before");
	r.nr_out = 0;
	r.now = at;
	tcp_conn__on_timer(r.c, r.now);
	CHECK(tcp_conn__state(r.c) == TCP_CLOSED && !tcp_conn__error(r.c) && !r.nr_out,
	      "... then CLOSED, silently (as Linux's FIN-WAIT-2 timewait socket)");
	raw_fini(&r);

	raw_init(&r);
	r.cfg.fin_timeout_ns = 5 * SEC;
	raw_reach(&r, TCP_ESTABLISHED);
	tcp_conn__orphan(r.c, r.now);
	raw_peer_ack(&r, raw_info(&r).snd_max);
	CHECK_EQ_INT(tcp_conn__next_deadline(r.c) - r.now, 5 * SEC,
		     "tcp_config.fin_timeout_ns sets it (5 s)");
	r.now += 2 * SEC;
	raw_peer_fin(&r, raw_info(&r).snd_max);
	CHECK(tcp_conn__state(r.c) == TCP_TIME_WAIT &&
		      tcp_conn__next_deadline(r.c) - r.now == 2 * r.cfg.msl_ns,
	      "the peer's FIN in time moves it to TIME-WAIT for 2 MSL");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_FIN_WAIT_2);
	CHECK_EQ_INT(tcp_conn__next_deadline(r.c), UINT64_MAX,
		     "FIN-WAIT-2 after shutdown alone has no timeout (the application holds it)");
	r.now += 100 * SEC;
	tcp_conn__orphan(r.c, r.now);
	CHECK_EQ_INT(tcp_conn__next_deadline(r.c) - r.now, 60 * SEC,
		     "closing it later starts tcp_fin_timeout from the close");
	raw_fini(&r);
}

static void test_data_after_close(void)
{
	const struct tcp_seg_out *o;
	struct raw r;
	uint32_t ack;

	raw_init(&r);
	raw_reach(&r, TCP_ESTABLISHED);
	tcp_conn__orphan(r.c, r.now);
	raw_peer_ack(&r, raw_info(&r).snd_max);
	r.nr_out = 0;
	ack = raw_info(&r).snd_max;
	peer_data(&r, 10);
	o = raw_last(&r);
	CHECK(r.nr_out == 1 && o->flags == TCP_FLAG_RST && o->seq == ack,
	      "new data for an orphan in FIN-WAIT-2 is answered with RST");
	CHECK(tcp_conn__state(r.c) == TCP_CLOSED && r.rx_live == 0,
	      "... which ends it and releases the data");
	raw_fini(&r);

	raw_init(&r);
	raw_reach(&r, TCP_FIN_WAIT_2);
	r.nr_out = 0;
	peer_data(&r, 10);
	CHECK(tcp_conn__state(r.c) == TCP_FIN_WAIT_2 && raw_info(&r).rx_queued == 10 &&
		      raw_count(&r, 0, TCP_FLAG_RST) == 0,
	      "a half-closed socket the application holds still takes data");
	raw_fini(&r);
}

int main(void)
{
	test_unread_data_resets();
	test_fin_wait_2_timeout();
	test_data_after_close();
	return check_exit();
}
