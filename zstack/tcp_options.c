// SPDX-License-Identifier: GPL-2.0
/*
 * TCP header and option wire format: MSS, window scale (RFC 7323), SACK
 * permitted and SACK blocks (RFC 2018), timestamps (RFC 7323).
 */
#include <errno.h>
#include <string.h>

#include "zstack/seg.h"

#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WSCALE 3
#define OPT_SACK_PERM 4
#define OPT_SACK 5
#define OPT_TS 8


static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static int parse_one(uint8_t kind, const uint8_t *val, uint8_t len, struct tcp_opts *out)
{
	switch (kind) {
	case OPT_MSS:
		if (len != 2)
			return -EINVAL;
		out->mss = get16(val);
		out->present |= TCP_OPT_MSS;
		break;
	case OPT_WSCALE:
		if (len != 1)
			return -EINVAL;
		/* RFC 7323, 2.3: larger shifts are treated as 14. */
		out->wscale = val[0] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : val[0];
		out->present |= TCP_OPT_WSCALE;
		break;
	case OPT_SACK_PERM:
		if (len != 0)
			return -EINVAL;
		out->present |= TCP_OPT_SACK_PERM;
		break;
	case OPT_TS:
		if (len != 8)
			return -EINVAL;
		out->tsval = get32(val);
		out->tsecr = get32(val + 4);
		out->present |= TCP_OPT_TS;
		break;
	case OPT_SACK:
		if (len == 0 || len % 8 || len / 8 > TCP_SACK_MAX_BLOCKS)
			return -EINVAL;
		out->nr_sack = len / 8;
		for (int i = 0; i < out->nr_sack; i++) {
			out->sack[i].start = get32(val + 8 * i);
			out->sack[i].end = get32(val + 8 * i + 4);
		}
		out->present |= TCP_OPT_SACK;
		break;
	default:
		/* Unknown options are skipped, as RFC 9293, 3.1 requires. */
		break;
	}
	return 0;
}

int tcp_opts__parse(const uint8_t *opts, uint32_t len, struct tcp_opts *out)
{
	uint32_t i = 0;
	int err;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		uint8_t kind = opts[i];

		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opts[i + 1] < 2 || i + opts[i + 1] > len)
			return -EINVAL;
		err = parse_one(kind, opts + i + 2, opts[i + 1] - 2, out);
		if (err)
			return err;
		i += opts[i + 1];
	}
	return 0;
}

int tcp_seg__parse(const uint8_t *pkt, uint32_t len, struct tcp_seg *seg)
{
	uint32_t doff;
	int err;

	if (len < TCP_HDR_LEN)
		return -EINVAL;
	doff = (uint32_t)(pkt[12] >> 4) * 4;
	if (doff < TCP_HDR_LEN || doff > len)
		return -EINVAL;
	memset(seg, 0, sizeof(*seg));
	seg->sport = get16(pkt);
	seg->dport = get16(pkt + 2);
	seg->seq = get32(pkt + 4);
	seg->ack = get32(pkt + 8);
	seg->flags = pkt[13] & 0x3f;
	seg->wnd = get16(pkt + 14);
	err = tcp_opts__parse(pkt + TCP_HDR_LEN, doff - TCP_HDR_LEN, &seg->opts);
	if (err)
		return err;
	seg->payload = pkt + doff;
	seg->len = len - doff;
	return 0;
}

uint32_t tcp_opts__len(const struct tcp_opts *o)
{
	uint32_t n = 0;

	if (o->present & TCP_OPT_MSS)
		n += 4;
	if (o->present & (TCP_OPT_TS | TCP_OPT_SACK_PERM))
		n += o->present & TCP_OPT_TS ? 12 : 4;
	if (o->present & TCP_OPT_WSCALE)
		n += 4;
	if ((o->present & TCP_OPT_SACK) && o->nr_sack)
		n += 4 + 8 * (uint32_t)o->nr_sack;
	return n;
}

uint32_t tcp_opts__write(const struct tcp_opts *o, uint8_t *buf)
{
	uint8_t *p = buf;

	if (o->present & TCP_OPT_MSS) {
		p[0] = OPT_MSS;
		p[1] = 4;
		put16(p + 2, o->mss);
		p += 4;
	}
	/* SACK-permitted rides in the two bytes timestamps leave for alignment. */
	if (o->present & TCP_OPT_SACK_PERM) {
		p[0] = o->present & TCP_OPT_TS ? OPT_SACK_PERM : OPT_NOP;
		p[1] = o->present & TCP_OPT_TS ? 2 : OPT_NOP;
		if (!(o->present & TCP_OPT_TS)) {
			p[2] = OPT_SACK_PERM;
			p[3] = 2;
			p += 2;
		}
		p += 2;
	} else if (o->present & TCP_OPT_TS) {
		p[0] = OPT_NOP;
		p[1] = OPT_NOP;
		p += 2;
	}
	if (o->present & TCP_OPT_TS) {
		p[0] = OPT_TS;
		p[1] = 10;
		put32(p + 2, o->tsval);
		put32(p + 6, o->tsecr);
		p += 10;
	}
	if (o->present & TCP_OPT_WSCALE) {
		p[0] = OPT_NOP;
		p[1] = OPT_WSCALE;
		p[2] = 3;
		p[3] = o->wscale;
		p += 4;
	}
	if ((o->present & TCP_OPT_SACK) && o->nr_sack) {
		p[0] = OPT_NOP;
		p[1] = OPT_NOP;
		p[2] = OPT_SACK;
		p[3] = (uint8_t)(2 + 8 * o->nr_sack);
		p += 4;
		for (int i = 0; i < o->nr_sack; i++, p += 8) {
			put32(p, o->sack[i].start);
			put32(p + 4, o->sack[i].end);
		}
	}
	return (uint32_t)(p - buf);
}

uint32_t tcp_seg__write_header(const struct tcp_seg_out *seg, uint8_t *buf)
{
	uint32_t olen = tcp_opts__write(&seg->opts, buf + TCP_HDR_LEN);
	uint32_t hlen = TCP_HDR_LEN + olen;

	put16(buf, seg->sport);
	put16(buf + 2, seg->dport);
	put32(buf + 4, seg->seq);
	put32(buf + 8, seg->ack);
	buf[12] = (uint8_t)((hlen / 4) << 4);
	buf[13] = seg->flags;
	put16(buf + 14, seg->wnd);
	put16(buf + 16, 0);
	put16(buf + 18, 0);
	return hlen;
}
