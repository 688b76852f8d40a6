// SPDX-License-Identifier: GPL-2.0
/*
 * Encodings of zstack's TCP core: the Internet checksum against
 * known vectors and an independent reference, option encoding and parsing,
 * SipHash-2-4 against its published vector, RFC 6528 ISNs.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "tests/check.h"
#include "zstack/csum.h"
#include "zstack/isn.h"
#include "zstack/seg.h"

/* A straightforward RFC 1071 sum to compare the incremental one against. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_csum_vectors(void)
{
	/* RFC 1071, 3: the example bytes sum to 0xddf2. */
	const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* An IPv4 header whose checksum is 0xb861. */
	uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	static uint8_t big[65535];
	uint8_t buf[1501];
	struct csum c;
	int mismatches = 0;

	CHECK_EQ_INT(csum_buf(rfc1071, sizeof(rfc1071)), (uint16_t)~0xddf2, "RFC 1071 example");
	CHECK_EQ_INT(csum_buf(ip, sizeof(ip)), 0xb861, "IPv4 header checksum");
	ip[10] = 0xb8;
	ip[11] = 0x61;
	CHECK_EQ_INT(csum_buf(ip, sizeof(ip)), 0, "a header with its checksum sums to zero");

	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t split = 0; split < 40; split++) {
		size_t n = sizeof(buf) - split % 2;

		csum__init(&c);
		csum__add(&c, buf, split);
		csum__add(&c, buf + split, 3);
		csum__add(&c, buf + split + 3, n - split - 3);
		mismatches += csum__finish(&c) != ref_csum(buf, n);
	}
	CHECK_EQ_INT(mismatches, 0, "checksum over split odd/even pieces matches one pass");

	/* Every length and offset the word-at-a-time loops treat differently. */
	mismatches = 0;
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off < 200; n++)
			mismatches += csum_buf(buf + off, n) != ref_csum(buf + off, n);
	CHECK_EQ_INT(mismatches, 0, "checksum of every short length at every alignment");
	mismatches = 0;
	memset(big, 0xff, sizeof(big));
	for (size_t n = sizeof(big) - 9; n <= sizeof(big); n++)
		mismatches += csum_buf(big, n) != ref_csum(big, n);
	CHECK_EQ_INT(mismatches, 0, "checksum of 64 KiB of 0xff: carries folded back in");
}

static void test_csum_pseudo(void)
{
	struct tcp_addr a = { .family = AF_INET, .bytes = { 192, 0, 2, 1 } };
	struct tcp_addr b = { .family = AF_INET, .bytes = { 198, 51, 100, 7 } };
	struct tcp_addr a6 = { .family = AF_INET6, .bytes = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct tcp_addr b6 = { .family = AF_INET6, .bytes = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	uint8_t seg[24] = { 0x12, 0x34, 0x00, 0x50, 1, 2, 3, 4, 0, 0, 0, 0, 0x50, 0x02,
			    0xff, 0xff, 0, 0, 0, 0, 'd', 'a', 't', 'a' };
	uint8_t pseudo4[12 + 24], pseudo6[40 + 24];
	struct csum c;
	uint16_t sum;

	memcpy(pseudo4, a.bytes, 4);
	memcpy(pseudo4 + 4, b.bytes, 4);
	pseudo4[8] = 0;
	pseudo4[9] = 6;
	pseudo4[10] = 0;
	pseudo4[11] = 24;
	memcpy(pseudo4 + 12, seg, 24);
	csum__init(&c);
	csum__add_pseudo(&c, &a, &b, 6, 24);
	csum__add(&c, seg, 24);
	sum = csum__finish(&c);
	CHECK_EQ_INT(sum, ref_csum(pseudo4, sizeof(pseudo4)), "IPv4 pseudo-header checksum");
	seg[16] = sum >> 8;
	seg[17] = sum & 0xff;
	csum__init(&c);
	csum__add_pseudo(&c, &a, &b, 6, 24);
	csum__add(&c, seg, 24);
	CHECK_EQ_INT(csum__finish(&c), 0, "IPv4 segment with its checksum verifies");
	seg[21] ^= 1;
	csum__init(&c);
	csum__add_pseudo(&c, &a, &b, 6, 24);
	csum__add(&c, seg, 24);
	CHECK(csum__finish(&c) != 0, "a flipped payload bit fails verification");
	seg[21] ^= 1;
	seg[16] = seg[17] = 0;

	memset(pseudo6, 0, sizeof(pseudo6));
	memcpy(pseudo6, a6.bytes, 16);
	memcpy(pseudo6 + 16, b6.bytes, 16);
	pseudo6[35] = 24;
	pseudo6[39] = 6;
	memcpy(pseudo6 + 40, seg, 24);
	csum__init(&c);
	csum__add_pseudo(&c, &a6, &b6, 6, 24);
	csum__add(&c, seg, 24);
	CHECK_EQ_INT(csum__finish(&c), ref_csum(pseudo6, sizeof(pseudo6)),
		     "IPv6 pseudo-header checksum");
}

static void test_options(void)
{
	struct tcp_seg_out o = { .sport = 1234, .dport = 80, .seq = 0xfffffff0, .ack = 7,
				 .wnd = 512, .flags = TCP_FLAG_SYN | TCP_FLAG_ACK };
	uint8_t buf[TCP_HDR_MAX + 8];
	struct tcp_opts p;
	struct tcp_seg s;
	uint32_t hlen;

	o.opts.present = TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS | TCP_OPT_SACK_PERM;
	o.opts.mss = 1460;
	o.opts.wscale = 7;
	o.opts.tsval = 0xdeadbeef;
	o.opts.tsecr = 42;
	hlen = tcp_seg__write_header(&o, buf);
	CHECK_EQ_INT(hlen, 40, "SYN options take 20 bytes");
	CHECK_EQ_INT(hlen, TCP_HDR_LEN + tcp_opts__len(&o.opts), "tcp_opts__len agrees");
	memcpy(buf + hlen, "hi", 2);
	CHECK_EQ_INT(tcp_seg__parse(buf, hlen + 2, &s), 0, "SYN parses");
	CHECK(s.sport == 1234 && s.dport == 80 && s.seq == 0xfffffff0 && s.ack == 7 &&
		      s.wnd == 512 && s.flags == (TCP_FLAG_SYN | TCP_FLAG_ACK),
	      "header fields round-trip");
	CHECK(s.opts.mss == 1460 && s.opts.wscale == 7 && s.opts.tsval == 0xdeadbeef &&
		      s.opts.tsecr == 42 &&
		      s.opts.present == (TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS |
					 TCP_OPT_SACK_PERM),
	      "SYN options round-trip");
	CHECK(s.len == 2 && s.payload == buf + hlen, "payload is referenced in place");

	memset(&o.opts, 0, sizeof(o.opts));
	o.opts.present = TCP_OPT_TS | TCP_OPT_SACK;
	o.opts.nr_sack = 3;
	for (int i = 0; i < 3; i++) {
		o.opts.sack[i].start = 1000u * (uint32_t)i;
		o.opts.sack[i].end = 1000u * (uint32_t)i + 500;
	}
	hlen = tcp_seg__write_header(&o, buf);
	CHECK_EQ_INT(hlen - TCP_HDR_LEN, TCP_OPTS_MAX,
		     "timestamps and 3 SACK blocks fill 40 bytes");
	tcp_seg__parse(buf, hlen, &s);
	CHECK(s.opts.nr_sack == 3 && s.opts.sack[2].start == 2000 && s.opts.sack[2].end == 2500,
	      "SACK blocks round-trip");

	{
		const uint8_t bad_len[] = { 2, 3, 5, 0 };	  /* MSS with length 3 */
		const uint8_t overrun[] = { 1, 8, 10, 0, 0, 0 }; /* TS running past the end */
		const uint8_t zero_len[] = { 30, 0, 0, 0 };	  /* unknown option, length 0 */
		const uint8_t unknown[] = { 30, 4, 9, 9, 2, 4, 1, 0 };
		const uint8_t big_ws[] = { 3, 3, 20, 0 };

		CHECK(tcp_opts__parse(bad_len, sizeof(bad_len), &p) < 0,
		      "MSS of wrong length rejected");
		CHECK(tcp_opts__parse(overrun, sizeof(overrun), &p) < 0,
		      "option overrun rejected");
		CHECK(tcp_opts__parse(zero_len, sizeof(zero_len), &p) < 0,
		      "zero option length rejected");
		CHECK(!tcp_opts__parse(unknown, sizeof(unknown), &p) && p.mss == 256,
		      "unknown options skipped");
		CHECK(!tcp_opts__parse(big_ws, sizeof(big_ws), &p) && p.wscale == 14,
		      "window scale above 14 treated as 14 (RFC 7323)");
	}
	buf[12] = 0x40; /* data offset 16 < 20 */
	CHECK(tcp_seg__parse(buf, 40, &s) < 0, "data offset below 20 rejected");
	buf[12] = 0xf0;
	CHECK(tcp_seg__parse(buf, 40, &s) < 0, "data offset past the segment rejected");
	CHECK(tcp_seg__parse(buf, 10, &s) < 0, "truncated header rejected");
}

static void test_isn(void)
{
	uint8_t key[16], msg[15];
	struct tcp_tuple t = { .local = { AF_INET, { 10, 0, 0, 1 } },
			       .remote = { AF_INET, { 10, 0, 0, 2 } },
			       .lport = 40000,
			       .rport = 80 };
	struct tcp_tuple u = t;
	uint32_t a, b, prev;
	int non_monotonic = 0;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* The SipHash paper's vector: key 00..0f, message 00..0e. */
	CHECK(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL, "SipHash-2-4 reference vector");

	prev = tcp_isn(key, &t, 0);
	for (uint64_t now = 4000; now < 4000 * 1000; now += 4000 * 37) {
		a = tcp_isn(key, &t, now);
		non_monotonic += (int32_t)(a - prev) <= 0;
		prev = a;
	}
	CHECK_EQ_INT(non_monotonic, 0, "ISN of one 4-tuple grows with the clock");
	a = tcp_isn(key, &t, 1000000);
	CHECK_EQ_INT(tcp_isn(key, &t, 1000000 + 4000) - a, 1, "ISN clock ticks every 4 us");
	u.lport++;
	b = tcp_isn(key, &u, 1000000);
	CHECK(a != b && a - b != 1 && b - a != 1, "another source port gives an unrelated ISN");
	u = t;
	u.remote.bytes[3] = 3;
	CHECK(tcp_isn(key, &u, 1000000) != a, "another remote address gives another ISN");
	key[0] ^= 1;
	CHECK(tcp_isn(key, &t, 1000000) != a, "another secret gives another ISN");
}

int main(void)
{
	test_csum_vectors();
	test_csum_pseudo();
	test_options();
	test_isn();
	return check_exit();
}
