// SPDX-License-Identifier: GPL-2.0
/*
 * The zs_* API on two stacks joined by a fake AF_XDP wire (api_fake.h):
 * handshake and accept, zero-copy and copying data paths and their copy
 * counters, shared send frames, received buffers sent back, -ENOBUFS and
 * the ZS_EV_WRITABLE that ends it, close/shutdown/abort as the peer sees
 * them, refused connects, neighbour resolution, the route back from accepted connections, port
 * release, and that every UMEM frame comes back.
 */
#include <stdio.h>
#include <time.h>

#include "tests/check.h"
#include "tests/zstack/api_fake.h"

static struct fake_side fa, fb;
static struct zs_stack *A, *B;

struct seen {
	uint32_t ev;
	struct zs_sock *sock;
};

/* Polls both stacks until pred holds or about 2 s pass; records events per side. */
static bool run_until(bool (*pred)(void), struct seen *sa, struct seen *sb)
{
	struct timespec ms = { .tv_nsec = 1000000 };

	for (int i = 0; i < 2000; i++) {
		struct zs_event ev[16];
		int n;

		n = zs_poll(A, ev, 16, 0);
		for (int k = 0; k < n && sa; k++) {
			sa->ev |= ev[k].events;
			sa->sock = ev[k].sock;
		}
		n = zs_poll(B, ev, 16, 0);
		for (int k = 0; k < n && sb; k++) {
			sb->ev |= ev[k].events;
			sb->sock = ev[k].sock;
		}
		if (pred && pred())
			return true;
		if (i > 20)
			nanosleep(&ms, NULL);
	}
	return false;
}

static struct seen ea, eb;

static bool connected(void)
{
	return (ea.ev & ZS_EV_CONNECTED) && (eb.ev & ZS_EV_ACCEPTED);
}

static struct zs_sock *open_pair(struct zs_sock *l, struct zs_sock **server)
{
	struct zs_sock *c = NULL;

	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	if (zs_connect(A, "10.9.0.2", 8080, &c))
		return NULL;
	run_until(connected, &ea, &eb);
	if (zs_accept(l, server))
		*server = NULL;
	return c;
}

static bool b_readable(void)
{
	return eb.ev & ZS_EV_READABLE;
}

static bool a_readable(void)
{
	return ea.ev & ZS_EV_READABLE;
}

static bool a_closed(void)
{
	return ea.ev & ZS_EV_CLOSED;
}

static void test_zero_copy(struct zs_sock *c, struct zs_sock *s)
{
	struct zs_stats sta, stb;
	struct zs_buf buf;
	uint32_t got = 0, want = 0, bad = 0, outside = 0;
	uint8_t *area = frame_pool__area(fb.pool);

	for (int i = 0; i < 8; i++) {
		if (zs_buf_alloc(c, &buf))
			break;
		buf.len = 1000;
		memset(buf.data, 'a' + i, buf.len);
		want += 1000;
		if (zs_write(c, &buf))
			break;
	}
	eb.ev = 0;
	run_until(b_readable, &ea, &eb);
	while (!zs_read(s, &buf)) {
		const uint8_t *p = buf.data;

		outside += p < area || p + buf.len > area + frame_pool__area_size(fb.pool);
		for (size_t k = 0; k < buf.len; k++)
			bad += p[k] != 'a' + (got + k) / 1000;
		got += (uint32_t)buf.len;
		zs_buf_free(B, &buf);
	}
	CHECK_EQ_INT(got, want, "zs_read returns every byte zs_write sent");
	CHECK_EQ_INT(bad, 0, "the bytes arrive in order and intact");
	CHECK_EQ_INT(outside, 0, "zs_read hands out pointers into the receiver's UMEM");
	zs_stats(A, &sta);
	zs_stats(B, &stb);
	CHECK_EQ_INT(sta.payload_copies + stb.payload_copies, 0,
		     "the zs_write/zs_read path copies no payload");
	CHECK_EQ_INT(sta.tx_copies, 0, "zs_write buffers go out with headers prepended in place");
}

static void test_copying(struct zs_sock *c, struct zs_sock *s)
{
	char out[5000], in[6000];
	struct zs_stats st0, st1;
	ssize_t n, got = 0;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	zs_stats(A, &st0);
	n = zs_send(c, out, sizeof(out));
	CHECK_EQ_INT(n, sizeof(out), "zs_send takes the whole message");
	eb.ev = 0;
	run_until(b_readable, &ea, &eb);
	/* Small reads: zs_recv keeps the rest of a chunk for the next call. */
	while (got < (ssize_t)sizeof(out)) {
		n = zs_recv(s, in + got, 700);
		if (n <= 0)
			break;
		got += n;
	}
	CHECK_EQ_INT(got, sizeof(out), "zs_recv returns every byte, 700 at a time");
	CHECK(!memcmp(in, out, sizeof(out)), "the copied bytes match");
	zs_stats(A, &st1);
	CHECK_EQ_INT(st1.payload_copies - st0.payload_copies, sizeof(out),
		     "zs_send counts the bytes it copied");
	zs_stats(B, &st1);
	CHECK_EQ_INT(st1.payload_copies, sizeof(out), "zs_recv counts the bytes it copied");
	CHECK_EQ_INT(zs_recv(s, in, sizeof(in)), -EAGAIN, "zs_recv says -EAGAIN when drained");
}

/* Reads everything waiting on s: its length, and whether every byte is want. */
static uint32_t drain(struct zs_stack *st, struct zs_sock *s, uint8_t want, bool *intact)
{
	struct zs_buf buf;
	uint32_t got = 0;

	while (!zs_read(s, &buf)) {
		for (size_t k = 0; k < buf.len; k++)
			*intact &= ((const uint8_t *)buf.data)[k] == want;
		got += (uint32_t)buf.len;
		zs_buf_free(st, &buf);
	}
	return got;
}

/* One prebuilt frame sent on two connections, twice on one, and again later. */
static void test_shared(struct zs_sock *l)
{
	struct zs_sock *c1, *c2, *s1 = NULL, *s2 = NULL;
	struct zs_stats st0, st1;
	struct zs_buf buf;
	bool intact = true;
	uint64_t base;
	uint32_t got1, got2;

	c1 = open_pair(l, &s1);
	c2 = open_pair(l, &s2);
	if (!c1 || !c2 || !s1 || !s2 || zs_buf_alloc(s1, &buf)) {
		CHECK(0, "two connections and a frame to share");
		return;
	}
	base = frame_pool__base(fb.pool, frame_pool__addr(fb.pool, buf.data));
	buf.len = 1000;
	memset(buf.data, 'z', buf.len);
	zs_stats(B, &st0);
	CHECK_EQ_INT(zs_write_ref(s1, &buf), 0, "zs_write_ref sends a frame ...");
	CHECK_EQ_INT(zs_write_ref(s1, &buf), 0, "... twice on one connection ...");
	CHECK_EQ_INT(zs_write_ref(s2, &buf), 0, "... and on another");
	CHECK(frame_pool__refs(fb.pool, base) > 3, "every send holds a reference of its own");
	ea.ev = 0;
	run_until(a_readable, &ea, &eb);
	run_until(NULL, NULL, NULL);
	got1 = drain(A, c1, 'z', &intact);
	got2 = drain(A, c2, 'z', &intact);
	CHECK(got1 == 2000 && got2 == 1000 && intact, "each peer got its copies intact (%u, %u)",
	      got1, got2);
	zs_stats(B, &st1);
	CHECK_EQ_INT(st1.tx_copies - st0.tx_copies, 2000,
		     "the sends that found the frame on the TX ring were copied");
	CHECK_EQ_INT(st1.payload_copies - st0.payload_copies, 2000,
		     "payload_copies counts the stack's copies");
	CHECK_EQ_INT(frame_pool__refs(fb.pool, base), 1,
		     "once acknowledged, only the application's reference is left");

	zs_stats(B, &st0);
	CHECK_EQ_INT(zs_write_ref(s2, &buf), 0, "the frame goes out again later");
	run_until(NULL, NULL, NULL);
	CHECK_EQ_INT(drain(A, c2, 'z', &intact), 1000, "and arrives");
	zs_stats(B, &st1);
	CHECK_EQ_INT(st1.payload_copies - st0.payload_copies, 0,
		     "a send with the frame off the TX ring takes its headers in place");
	zs_buf_free(B, &buf);
	CHECK_EQ_INT(frame_pool__refs(fb.pool, base), 0,
		     "the application's zs_buf_free, the last reference, returns the frame");
	zs_abort(c1);
	zs_abort(c2);
	zs_close(s1);
	zs_close(s2);
	run_until(NULL, NULL, NULL);
}

/* A received buffer written back: the echo that copies nothing. */
static void test_echo_rx(struct zs_sock *c, struct zs_sock *s)
{
	struct zs_stats st0, st1;
	struct zs_buf in;
	bool intact = true;
	int sent = 0;

	zs_stats(B, &st0);
	memset(&in, 0, sizeof(in));
	CHECK_EQ_INT(zs_send(c, "eeeeeeee", 8), 8, "the client sends");
	eb.ev = 0;
	run_until(b_readable, &ea, &eb);
	while (!zs_read(s, &in)) {
		if (zs_write(s, &in))
			zs_buf_free(B, &in);
		else
			sent += (int)in.len;
	}
	CHECK_EQ_INT(sent, 8, "zs_write takes the received buffers back out");
	ea.ev = 0;
	run_until(a_readable, &ea, &eb);
	CHECK_EQ_INT(drain(A, c, 'e', &intact), 8, "the client reads its bytes back");
	CHECK(intact, "intact");
	zs_stats(B, &st1);
	CHECK_EQ_INT(st1.payload_copies - st0.payload_copies, 0, "the echo copied nothing");
}

/* -ENOBUFS from zs_buf_alloc, then ZS_EV_WRITABLE once a frame is back. */
static void test_nobufs(struct zs_sock *c)
{
	static struct zs_buf bufs[FAKE_FRAMES + 1];
	struct zs_event ev[8];
	uint32_t n = 0, writable = 0;
	int err = 0, k;

	while (n <= FAKE_FRAMES && !(err = zs_buf_alloc(c, &bufs[n])))
		n++;
	CHECK_EQ_INT(err, -ENOBUFS, "zs_buf_alloc says -ENOBUFS with the pool empty");
	k = zs_poll(A, ev, 8, 0);
	CHECK(k == 0 || !(ev[0].events & ZS_EV_WRITABLE), "no ZS_EV_WRITABLE while it stays empty");
	zs_buf_free(A, &bufs[--n]);
	k = zs_poll(A, ev, 8, 0);
	for (int i = 0; i < k; i++)
		writable |= ev[i].sock == c && (ev[i].events & ZS_EV_WRITABLE);
	CHECK(writable, "a frame given back brings ZS_EV_WRITABLE");
	CHECK_EQ_INT(zs_buf_alloc(c, &bufs[n]), 0, "and zs_buf_alloc succeeds again");
	n++;
	while (n)
		zs_buf_free(A, &bufs[--n]);
}

static void test_close(struct zs_sock *c, struct zs_sock *s)
{
	struct zs_buf buf;

	ea.ev = 0;
	CHECK_EQ_INT(zs_close(s), 0, "the server closes");
	run_until(a_readable, &ea, &eb);
	CHECK_EQ_INT(zs_read(c, &buf), -EPIPE, "the client reads end of stream (-EPIPE) after FIN");
	CHECK_EQ_INT(zs_send(c, "late", 4), 4, "a half-closed client can still send");
	zs_close(c);
	run_until(NULL, NULL, NULL);
}

static void test_abort(struct zs_sock *c, struct zs_sock *s)
{
	struct zs_buf buf;
	int err;

	ea.ev = 0;
	zs_abort(s);
	run_until(a_closed, &ea, &eb);
	CHECK(ea.ev & ZS_EV_ERROR, "an abort reaches the peer as an error");
	CHECK_EQ_INT(zs_sock_error(c), -ECONNRESET, "zs_sock_error says -ECONNRESET");
	/*
	 * A reply written after the peer reset the connection: the buffer is
	 * still the caller's, and freeing it must not release the frame twice.
	 */
	CHECK_EQ_INT(zs_buf_alloc(c, &buf), 0, "a buffer for a reply the peer no longer takes");
	err = zs_write(c, &buf);
	CHECK(err < 0 && err != -EAGAIN, "zs_write on a reset connection fails (%d)", err);
	CHECK_EQ_INT(frame_pool__refs(fa.pool, frame_pool__base(fa.pool,
			frame_pool__addr(fa.pool, buf.data))), 1,
		     "the failed write left the caller its one reference");
	zs_buf_free(A, &buf);
	zs_close(c);
}

static void test_refused(void)
{
	struct zs_sock *c;

	memset(&ea, 0, sizeof(ea));
	CHECK_EQ_INT(zs_connect(A, "10.9.0.2", 9999, &c), 0, "a connect to a closed port starts");
	run_until(a_closed, &ea, &eb);
	CHECK(ea.ev & ZS_EV_ERROR, "it ends in an error (the peer answers RST)");
	CHECK_EQ_INT(zs_sock_error(c), -ECONNREFUSED, "zs_sock_error says -ECONNREFUSED");
	zs_close(c);
}

static void test_resolve(struct zs_sock *l)
{
	struct zs_sock *c, *s = NULL;

	fa.neigh_eagain = 3;
	c = open_pair(l, &s);
	CHECK(c && s, "a connect waits for the next hop's MAC, then completes");
	CHECK_EQ_INT(fa.neigh_eagain, 0, "the neighbour was asked again until resolved");
	if (c)
		zs_abort(c);
	if (s)
		zs_close(s);
}

/* Accepted connections answer through the kernel's route back, not to the
 * SYN's source MAC: an asymmetric path behaves as with the kernel. */
static void test_accept_route(struct zs_sock *l)
{
	static const uint8_t gw_mac[WIRE_MAC_LEN] = { 2, 0, 0, 0, 0, 0xfe };
	struct zs_sock *c, *s = NULL;

	fb.gateway = fa.addr;
	fb.gateway.bytes[3] = 254;
	memcpy(fb.gateway_mac, gw_mac, WIRE_MAC_LEN);
	c = open_pair(l, &s);
	CHECK(c && s && !memcmp(fb.last_dst_mac, gw_mac, WIRE_MAC_LEN),
	      "a peer routed through a gateway is answered at the gateway's MAC");
	if (c)
		zs_abort(c);
	if (s)
		zs_close(s);
	memset(&fb.gateway, 0, sizeof(fb.gateway));

	fb.neigh_eagain = 1;
	c = open_pair(l, &s);
	CHECK(c && s && !memcmp(fb.last_dst_mac, fa.mac, WIRE_MAC_LEN),
	      "a peer on the link whose MAC the kernel still resolves is answered at once");
	CHECK_EQ_INT(fb.neigh_eagain, 0, "... after asking the kernel for it");
	if (c)
		zs_abort(c);
	if (s)
		zs_close(s);
}

static void test_user_and_errors(struct zs_sock *l)
{
	struct zs_sock *x;
	int tag;

	zs_sock_set_user(l, &tag);
	CHECK(zs_sock_user(l) == &tag, "zs_sock_user returns what zs_sock_set_user set");
	CHECK_EQ_INT(zs_listen(B, "10.9.0.2", 22, 8, &x), -EADDRINUSE,
		     "a port the daemon refuses is refused");
	CHECK(strstr(zs_strerror(B), "held by a kernel socket") != NULL,
	      "zs_strerror gives the daemon's words");
	CHECK_EQ_INT(zs_listen(B, "no.such", 80, 8, &x), -EINVAL, "a bad address is refused");
	CHECK_EQ_INT(zs_accept(l, &x), -EAGAIN, "zs_accept with nothing pending says -EAGAIN");
}

int main(void)
{
	struct zs_sock *l, *c, *s;
	int releases;

	fa.peer = &fb;
	fb.peer = &fa;
	if (fake_side_open(&fa, 0, &A) || fake_side_open(&fb, 1, &B)) {
		CHECK(0, "two stacks on a fake wire open");
		return check_exit();
	}
	CHECK_EQ_INT(zs_listen(B, "0.0.0.0", 8080, 16, &l), 0, "B listens on 8080");
	CHECK_EQ_INT(fb.listens, 1, "the listen reserved its port with the daemon");
	test_user_and_errors(l);

	c = open_pair(l, &s);
	CHECK(c && s, "A connects, B accepts");
	if (c && s) {
		test_zero_copy(c, s);
		test_copying(c, s);
		test_echo_rx(c, s);
		test_nobufs(c);
		test_close(c, s);
	}
	c = open_pair(l, &s);
	CHECK(c && s, "a second connection");
	if (c && s)
		test_abort(c, s);
	test_shared(l);
	test_refused();
	test_resolve(l);
	test_accept_route(l);

	releases = fb.releases;
	zs_close(l);
	CHECK_EQ_INT(fb.releases, releases + 1, "closing the listener gives its port back");
	run_until(NULL, NULL, NULL);
	CHECK_EQ_INT(fa.releases, 8, "each connect's ephemeral port went back once it ended");
	CHECK_EQ_INT(frame_pool__nr_free(fa.pool), FAKE_FRAMES, "every frame of A came back");
	CHECK_EQ_INT(frame_pool__nr_free(fb.pool), FAKE_FRAMES, "every frame of B came back");
	zs_stack_close(A);
	zs_stack_close(B);
	frame_pool__free(fa.pool);
	frame_pool__free(fb.pool);
	return check_exit();
}
