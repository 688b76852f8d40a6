// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/csum.h"
#include "zstack/wire.h"

#define IP_DF 0x4000
#define IP_FRAG_MASK 0x3fff /* MF and the fragment offset */
#define IP_TTL_DEFAULT 64   /* Linux's net.ipv4.ip_default_ttl */
#define WIRE_IPV6_LEN 40

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static int drop(struct wire_stats *st, enum wire_drop reason, int err)
{
	st->drops[reason]++;
	return err;
}

static void set_ipv4(struct tcp_addr *a, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->bytes, bytes, 4);
}

static int parse_tcp(const uint8_t *tcp, uint32_t len, struct wire_pkt *pkt,
		     struct wire_stats *st)
{
	uint32_t doff;
	struct csum c;

	if (len < TCP_HDR_LEN)
		return drop(st, WIRE_DROP_SHORT, -EBADMSG);
	doff = (uint32_t)(tcp[12] >> 4) * 4;
	if (doff < TCP_HDR_LEN || doff > len)
		return drop(st, WIRE_DROP_BAD_TCP, -EBADMSG);
	csum__init(&c);
	csum__add_pseudo(&c, &pkt->src, &pkt->dst, IPPROTO_TCP, len);
	csum__add(&c, tcp, len);
	if (csum__finish(&c) != 0)
		return drop(st, WIRE_DROP_TCP_CSUM, -EBADMSG);
	if (tcp_seg__parse(tcp, len, &pkt->seg))
		return drop(st, WIRE_DROP_BAD_TCP, -EBADMSG);
	st->parsed++;
	return 0;
}

static int parse_ipv4(const uint8_t *ip, uint32_t len, struct wire_pkt *pkt,
		      struct wire_stats *st)
{
	uint32_t ihl, total;

	if (len < WIRE_IPV4_LEN)
		return drop(st, WIRE_DROP_SHORT, -EBADMSG);
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	total = get16(ip + 2);
	if (ip[0] >> 4 != 4 || ihl < WIRE_IPV4_LEN || total < ihl)
		return drop(st, WIRE_DROP_BAD_IP, -EBADMSG);
	/* The frame may be longer than the datagram (Ethernet padding), never shorter. */
	if (total > len)
		return drop(st, WIRE_DROP_SHORT, -EBADMSG);
	if (csum_buf(ip, ihl) != 0)
		return drop(st, WIRE_DROP_IP_CSUM, -EBADMSG);
	if (get16(ip + 6) & IP_FRAG_MASK)
		return drop(st, WIRE_DROP_FRAGMENT, -EBADMSG);
	if (ip[9] != IPPROTO_TCP)
		return drop(st, WIRE_DROP_NOT_TCP, -EPROTONOSUPPORT);
	pkt->ttl = ip[8];
	set_ipv4(&pkt->src, ip + 12);
	set_ipv4(&pkt->dst, ip + 16);
	return parse_tcp(ip + ihl, total - ihl, pkt, st);
}

int wire_parse(const uint8_t *frame, uint32_t len, struct wire_pkt *pkt, struct wire_stats *st)
{
	if (len < WIRE_ETH_LEN)
		return drop(st, WIRE_DROP_SHORT, -EBADMSG);
	if (get16(frame + 12) != ETH_P_IP)
		return drop(st, WIRE_DROP_NOT_TCP, -EPROTONOSUPPORT);
	memcpy(pkt->dst_mac, frame, WIRE_MAC_LEN);
	memcpy(pkt->src_mac, frame + WIRE_MAC_LEN, WIRE_MAC_LEN);
	return parse_ipv4(frame + WIRE_ETH_LEN, len - WIRE_ETH_LEN, pkt, st);
}

const char *wire_drop_name(enum wire_drop reason)
{
	static const char *const names[WIRE_DROP_MAX] = {
		[WIRE_DROP_SHORT] = "short",	       [WIRE_DROP_NOT_TCP] = "not-tcp",
		[WIRE_DROP_BAD_IP] = "bad-ip",	       [WIRE_DROP_IP_CSUM] = "ip-csum",
		[WIRE_DROP_FRAGMENT] = "fragment",     [WIRE_DROP_BAD_TCP] = "bad-tcp",
		[WIRE_DROP_TCP_CSUM] = "tcp-csum",
	};

	return (unsigned int)reason < WIRE_DROP_MAX ? names[reason] : "unknown";
}

uint32_t wire_hdr_len(const struct wire_path *path, const struct tcp_seg_out *seg)
{
	uint32_t ip_len = path->dst.family == AF_INET6 ? WIRE_IPV6_LEN : WIRE_IPV4_LEN;

	return WIRE_ETH_LEN + ip_len + TCP_HDR_LEN + tcp_opts__len(&seg->opts);
}

static void build_ipv4(uint8_t *ip, const struct wire_path *path, uint32_t ip_payload,
		       uint16_t ip_id)
{
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(WIRE_IPV4_LEN + ip_payload));
	put16(ip + 4, ip_id);
	/* DF: path MTU discovery, as Linux's TCP does. */
	put16(ip + 6, IP_DF);
	ip[8] = IP_TTL_DEFAULT;
	ip[9] = IPPROTO_TCP;
	put16(ip + 10, 0);
	memcpy(ip + 12, path->src.bytes, 4);
	memcpy(ip + 16, path->dst.bytes, 4);
	put16(ip + 10, csum_buf(ip, WIRE_IPV4_LEN));
}

int wire_build(uint8_t *hdr, const struct wire_path *path, const struct tcp_seg_out *seg,
	       uint16_t ip_id)
{
	uint8_t *ip = hdr + WIRE_ETH_LEN;
	uint8_t *tcp = ip + WIRE_IPV4_LEN;
	uint32_t tcp_hlen;
	struct csum c;

	if (path->dst.family != AF_INET)
		return -EAFNOSUPPORT;
	memcpy(hdr, path->dst_mac, WIRE_MAC_LEN);
	memcpy(hdr + WIRE_MAC_LEN, path->src_mac, WIRE_MAC_LEN);
	put16(hdr + 12, ETH_P_IP);
	tcp_hlen = tcp_seg__write_header(seg, tcp);
	build_ipv4(ip, path, tcp_hlen + seg->len, ip_id);
	csum__init(&c);
	csum__add_pseudo(&c, &path->src, &path->dst, IPPROTO_TCP, tcp_hlen + seg->len);
	csum__add(&c, tcp, tcp_hlen);
	for (uint32_t i = 0; i < seg->nr_iov; i++)
		csum__add(&c, seg->iov[i].data, seg->iov[i].len);
	put16(tcp + 16, csum__finish(&c));
	return (int)(WIRE_ETH_LEN + WIRE_IPV4_LEN + tcp_hlen);
}

uint32_t wire_copy_payload(uint8_t *dst, const struct tcp_seg_out *seg)
{
	uint32_t off = 0;

	for (uint32_t i = 0; i < seg->nr_iov; i++) {
		/* memmove: the payload may already lie where it is copied to. */
		memmove(dst + off, seg->iov[i].data, seg->iov[i].len);
		off += seg->iov[i].len;
	}
	return off;
}
