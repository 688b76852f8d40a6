// SPDX-License-Identifier: GPL-2.0
/*
 * Ethernet/IPv4/TCP frames (zstack/wire.c): a frame whose checksums were
 * computed elsewhere is parsed and rebuilt byte for byte; built frames parse
 * back to what was built, whether the payload was copied in or already lay
 * behind the headroom; damaged frames are refused and counted by reason.
 */
#include <errno.h>
#include <sys/socket.h>

#include "tests/check.h"
#include "zstack/wire.h"

/*
 * 192.168.1.10:40000 -> 192.168.1.20:80, SYN, MSS 1460, payload "hello",
 * IP id 0x1234, DF, TTL 64. Checksums computed by an independent
 * implementation (Python, RFC 1071): IP 0xa524, TCP 0x3559.
 */
static const uint8_t vector[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x31, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa5, 0x24,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14,
	0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x60, 0x02, 0xfa, 0xf0, 0x35, 0x59, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
	'h', 'e', 'l', 'l', 'o',
};

#define IP_OFF WIRE_ETH_LEN
#define TCP_OFF (WIRE_ETH_LEN + WIRE_IPV4_LEN)

static void set_v4(struct tcp_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->bytes[0] = b0;
	a->bytes[1] = b1;
	a->bytes[2] = b2;
	a->bytes[3] = b3;
}

static void vector_path(struct wire_path *p)
{
	const uint8_t dst[] = { 2, 0, 0, 0, 0, 2 }, src[] = { 2, 0, 0, 0, 0, 1 };

	memcpy(p->dst_mac, dst, 6);
	memcpy(p->src_mac, src, 6);
	set_v4(&p->src, 192, 168, 1, 10);
	set_v4(&p->dst, 192, 168, 1, 20);
}

/* Reference RFC 1071 sum, independent of zstack/csum.c, to re-seal damaged frames. */
static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void reseal(uint8_t *f, size_t len)
{
	uint8_t *ip = f + IP_OFF, *tcp;
	uint32_t ihl = (ip[0] & 0x0f) * 4u, tlen = (uint32_t)(len - IP_OFF - ihl);
	uint8_t pseudo[12] = { 0 };
	uint16_t s;

	ip[10] = ip[11] = 0;
	s = (uint16_t)~ref_sum(ip, ihl, 0);
	ip[10] = s >> 8;
	ip[11] = s & 0xff;
	tcp = ip + ihl;
	memcpy(pseudo, ip + 12, 8);
	pseudo[9] = 6;
	pseudo[10] = tlen >> 8;
	pseudo[11] = tlen & 0xff;
	tcp[16] = tcp[17] = 0;
	s = (uint16_t)~ref_sum(tcp, tlen, ref_sum(pseudo, 12, 0));
	tcp[16] = s >> 8;
	tcp[17] = s & 0xff;
}

static void test_vector(void)
{
	struct wire_stats st = { 0 };
	struct wire_path path;
	struct tcp_seg_out out = { 0 };
	struct wire_pkt pkt;
	uint8_t frame[128];
	int hlen;

	CHECK_EQ_INT(wire_parse(vector, sizeof(vector), &pkt, &st), 0, "the vector parses");
	CHECK(pkt.src.family == AF_INET && pkt.src.bytes[3] == 10 && pkt.dst.bytes[3] == 20,
	      "addresses from the IPv4 header");
	CHECK(pkt.seg.sport == 40000 && pkt.seg.dport == 80, "ports");
	CHECK(pkt.seg.seq == 0x01020304 && pkt.seg.ack == 0 && pkt.seg.wnd == 64240,
	      "sequence, acknowledgment, window");
	CHECK(pkt.seg.flags == TCP_FLAG_SYN, "flags");
	CHECK((pkt.seg.opts.present & TCP_OPT_MSS) && pkt.seg.opts.mss == 1460, "MSS option");
	CHECK(pkt.seg.len == 5 && pkt.seg.payload == vector + sizeof(vector) - 5,
	      "payload points into the frame, no copy");
	CHECK_EQ_INT(pkt.ttl, 64, "TTL");
	CHECK(pkt.src_mac[5] == 1 && pkt.dst_mac[5] == 2, "MAC addresses");

	vector_path(&path);
	out.sport = 40000;
	out.dport = 80;
	out.seq = 0x01020304;
	out.flags = TCP_FLAG_SYN;
	out.wnd = 64240;
	out.opts.present = TCP_OPT_MSS;
	out.opts.mss = 1460;
	out.len = 5;
	out.nr_iov = 1;
	out.iov[0].data = (const uint8_t *)"hello";
	out.iov[0].len = 5;
	CHECK_EQ_INT(wire_hdr_len(&path, &out), sizeof(vector) - 5, "header length");
	hlen = wire_build(frame, &path, &out, 0x1234);
	CHECK_EQ_INT(hlen, sizeof(vector) - 5, "wire_build returns the header length");
	wire_copy_payload(frame + hlen, &out);
	CHECK(memcmp(frame, vector, sizeof(vector)) == 0,
	      "the built frame equals the vector byte for byte, checksums included");
}

static void full_seg(struct tcp_seg_out *out, const uint8_t *a, uint32_t alen, const uint8_t *b,
		     uint32_t blen)
{
	memset(out, 0, sizeof(*out));
	out->sport = 5555;
	out->dport = 443;
	out->seq = 0xfffffff0;
	out->ack = 0x80000001;
	out->wnd = 1234;
	out->flags = TCP_FLAG_ACK | TCP_FLAG_PSH;
	out->opts.present = TCP_OPT_TS | TCP_OPT_SACK;
	out->opts.tsval = 111;
	out->opts.tsecr = 222;
	out->opts.nr_sack = 3;
	for (int i = 0; i < 3; i++) {
		out->opts.sack[i].start = 1000u * (uint32_t)i;
		out->opts.sack[i].end = 1000u * (uint32_t)i + 500;
	}
	out->nr_iov = 2;
	out->iov[0].data = a;
	out->iov[0].len = alen;
	out->iov[1].data = b;
	out->iov[1].len = blen;
	out->len = alen + blen;
}

static int same_seg(const struct wire_pkt *pkt, const struct tcp_seg_out *out,
		    const uint8_t *payload)
{
	const struct tcp_seg *s = &pkt->seg;

	return s->sport == out->sport && s->dport == out->dport && s->seq == out->seq &&
	       s->ack == out->ack && s->wnd == out->wnd && s->flags == out->flags &&
	       s->opts.present == out->opts.present && s->opts.tsval == out->opts.tsval &&
	       s->opts.tsecr == out->opts.tsecr && s->opts.nr_sack == out->opts.nr_sack &&
	       memcmp(s->opts.sack, out->opts.sack, sizeof(s->opts.sack[0]) * 3) == 0 &&
	       s->len == out->len && memcmp(s->payload, payload, out->len) == 0;
}

static void test_round_trip(void)
{
	/* Odd lengths: the checksum must carry an odd byte across buffers. */
	uint8_t a[333], b[1001], all[sizeof(a) + sizeof(b)], frame[2048];
	struct wire_stats st = { 0 };
	struct tcp_seg_out out;
	struct wire_path path;
	struct wire_pkt pkt;
	int hlen, n;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)(i * 7 + 3);
	memcpy(a, all, sizeof(a));
	memcpy(b, all + sizeof(a), sizeof(b));
	vector_path(&path);
	full_seg(&out, a, sizeof(a), b, sizeof(b));
	hlen = wire_build(frame, &path, &out, 7);
	n = hlen + (int)wire_copy_payload(frame + hlen, &out);
	CHECK_EQ_INT(wire_parse(frame, (uint32_t)n, &pkt, &st), 0,
		     "a built frame with options and two buffers parses");
	CHECK(same_seg(&pkt, &out, all), "every field and the payload survive the round trip");
	CHECK_EQ_INT(frame[IP_OFF + 6], 0x40, "DF is set");
	CHECK_EQ_INT(st.parsed, 1, "one frame counted as parsed");
}

static void test_in_place(void)
{
	uint8_t frame[2048], *payload = frame + 256;
	struct wire_stats st = { 0 };
	struct tcp_seg_out out;
	struct wire_path path;
	struct wire_pkt pkt;
	uint32_t hlen;
	int built;

	for (int i = 0; i < 1400; i++)
		payload[i] = (uint8_t)(i ^ 0x5a);
	vector_path(&path);
	full_seg(&out, payload, 700, payload + 700, 700);
	hlen = wire_hdr_len(&path, &out);
	built = wire_build(payload - hlen, &path, &out, 9);
	CHECK_EQ_INT(built, hlen, "headers written into the headroom");
	CHECK_EQ_INT(wire_parse(payload - hlen, hlen + 1400, &pkt, &st), 0,
		     "headers prepended in place make a valid frame");
	CHECK(pkt.seg.payload == payload && same_seg(&pkt, &out, payload),
	      "the payload was not moved");
}

static void test_ipv6_path(void)
{
	struct tcp_seg_out out = { 0 };
	struct wire_path path = { 0 };
	uint8_t frame[128];

	path.src.family = AF_INET6;
	path.dst.family = AF_INET6;
	CHECK_EQ_INT(wire_hdr_len(&path, &out), WIRE_ETH_LEN + 40 + TCP_HDR_LEN,
		     "IPv6 header room is accounted for");
	CHECK_EQ_INT(wire_build(frame, &path, &out, 0), -EAFNOSUPPORT,
		     "an IPv6 path is refused, not built wrong");
}

/* Damages a copy of the vector, optionally re-seals its checksums, parses it. */
static int parse_damaged(void (*damage)(uint8_t *f, size_t *len), int reseal_after,
			 struct wire_stats *st)
{
	uint8_t f[256];
	size_t len = sizeof(vector);
	struct wire_pkt pkt;

	memset(f, 0, sizeof(f));
	memcpy(f, vector, sizeof(vector));
	damage(f, &len);
	if (reseal_after)
		reseal(f, len);
	return wire_parse(f, (uint32_t)len, &pkt, st);
}

static void short_eth(uint8_t *f, size_t *len)
{
	(void)f;
	*len = 10;
}

static void arp(uint8_t *f, size_t *len)
{
	(void)len;
	f[12] = 0x08;
	f[13] = 0x06;
}

static void udp(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF + 9] = 17;
}

static void version6(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF] = 0x65;
}

static void ihl4(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF] = 0x44;
}

static void truncated(uint8_t *f, size_t *len)
{
	(void)f;
	*len -= 3;
}

static void ip_bit(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF + 8] ^= 1;
}

static void more_frags(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF + 6] = 0x20;
}

static void frag_offset(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF + 7] = 0x10;
}

static void doff4(uint8_t *f, size_t *len)
{
	(void)len;
	f[TCP_OFF + 12] = 0x40;
}

static void doff_past_end(uint8_t *f, size_t *len)
{
	(void)len;
	f[TCP_OFF + 12] = 0xf0;
}

static void payload_bit(uint8_t *f, size_t *len)
{
	f[*len - 1] ^= 0x80;
}

/* The MSS option claims 10 bytes where the header has 4 left. */
static void option_overflow(uint8_t *f, size_t *len)
{
	(void)len;
	f[TCP_OFF + 21] = 10;
}

/* The IPv4 header says it is longer than the datagram. */
static void ihl_past_total(uint8_t *f, size_t *len)
{
	(void)len;
	f[IP_OFF] = 0x4f;
	f[IP_OFF + 3] = 40;
}

static void test_malformed(void)
{
	static const struct {
		const char *what;
		void (*damage)(uint8_t *f, size_t *len);
		int reseal;
		enum wire_drop reason;
		int err;
	} cases[] = {
		{ "a frame shorter than Ethernet", short_eth, 0, WIRE_DROP_SHORT, -EBADMSG },
		{ "ARP", arp, 0, WIRE_DROP_NOT_TCP, -EPROTONOSUPPORT },
		{ "UDP", udp, 1, WIRE_DROP_NOT_TCP, -EPROTONOSUPPORT },
		{ "IP version 6 in an IPv4 EtherType", version6, 1, WIRE_DROP_BAD_IP, -EBADMSG },
		{ "IHL below 5", ihl4, 0, WIRE_DROP_BAD_IP, -EBADMSG },
		{ "IHL beyond the total length", ihl_past_total, 0, WIRE_DROP_BAD_IP, -EBADMSG },
		{ "a datagram cut short", truncated, 0, WIRE_DROP_SHORT, -EBADMSG },
		{ "a flipped bit in the IPv4 header", ip_bit, 0, WIRE_DROP_IP_CSUM, -EBADMSG },
		{ "more fragments", more_frags, 1, WIRE_DROP_FRAGMENT, -EBADMSG },
		{ "a fragment offset", frag_offset, 1, WIRE_DROP_FRAGMENT, -EBADMSG },
		{ "data offset below 5", doff4, 1, WIRE_DROP_BAD_TCP, -EBADMSG },
		{ "data offset past the segment", doff_past_end, 1, WIRE_DROP_BAD_TCP, -EBADMSG },
		{ "an option overflowing the header", option_overflow, 1, WIRE_DROP_BAD_TCP,
		  -EBADMSG },
		{ "a flipped bit in the payload", payload_bit, 0, WIRE_DROP_TCP_CSUM, -EBADMSG },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire_stats st = { 0 };
		uint64_t total = 0;
		int err = parse_damaged(cases[i].damage, cases[i].reseal, &st);

		for (int r = 0; r < WIRE_DROP_MAX; r++)
			total += st.drops[r];
		CHECK(err == cases[i].err && st.drops[cases[i].reason] == 1 && total == 1 &&
		      st.parsed == 0, "%s: refused (%d) and counted as %s", cases[i].what, err,
		      wire_drop_name(cases[i].reason));
	}
}

/* Ethernet pads short frames; IPv4 options move the TCP header. */
static void pad(uint8_t *f, size_t *len)
{
	memset(f + *len, 0xee, 7);
	*len += 7;
}

static void ip_options(uint8_t *f, size_t *len)
{
	memmove(f + TCP_OFF + 4, f + TCP_OFF, *len - TCP_OFF);
	memset(f + TCP_OFF, 1, 4); /* four NOPs */
	f[IP_OFF] = 0x46;
	f[IP_OFF + 3] += 4;
	*len += 4;
}

static void test_accepted_variants(void)
{
	struct wire_stats st = { 0 };
	uint8_t f[256];
	struct wire_pkt pkt;
	size_t len = sizeof(vector);

	CHECK_EQ_INT(parse_damaged(pad, 0, &st), 0,
		     "Ethernet padding after the datagram is ignored");
	memcpy(f, vector, sizeof(vector));
	pad(f, &len);
	wire_parse(f, (uint32_t)len, &pkt, &st);
	CHECK_EQ_INT(pkt.seg.len, 5, "padding is not payload");
	CHECK_EQ_INT(parse_damaged(ip_options, 1, &st), 0, "IPv4 options are skipped");
	CHECK_EQ_INT(st.parsed, 3, "all three counted as parsed");
}

int main(void)
{
	test_vector();
	test_round_trip();
	test_in_place();
	test_ipv6_path();
	test_malformed();
	test_accepted_variants();
	return check_exit();
}
