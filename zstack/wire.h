/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ethernet, IP and TCP headers on the wire: a received frame parsed into what
 * the TCP core takes (addresses and a struct tcp_seg whose payload points into
 * the frame), and headers built in place in front of a payload for sending.
 * Checksums are verified on receive and computed on send; a frame that fails
 * is dropped and counted by reason. Addresses are struct tcp_addr, sized for
 * IPv6; IPv4 is what is implemented today.
 */
#ifndef ZSTACK_WIRE_H
#define ZSTACK_WIRE_H

#include <stdint.h>

#include "zstack/seg.h"
#include "zstack/tcp.h"

#define WIRE_ETH_LEN 14
#define WIRE_IPV4_LEN 20
#define WIRE_IPV4_MAX 60
#define WIRE_MAC_LEN 6

/* Why wire_parse rejected a frame; each reason has a counter. */
enum wire_drop {
	WIRE_DROP_SHORT,	/* shorter than the headers it claims */
	WIRE_DROP_NOT_TCP,	/* not IPv4/TCP: ARP, UDP, IPv6 for now */
	WIRE_DROP_BAD_IP,	/* version, header length or total length wrong */
	WIRE_DROP_IP_CSUM,
	WIRE_DROP_FRAGMENT,	/* TCP never needs reassembly at this layer */
	WIRE_DROP_BAD_TCP,	/* data offset or options malformed */
	WIRE_DROP_TCP_CSUM,
	WIRE_DROP_MAX,
};

struct wire_stats {
	uint64_t parsed;
	uint64_t drops[WIRE_DROP_MAX];
};

/* A received TCP segment with its network-layer context. */
struct wire_pkt {
	uint8_t src_mac[WIRE_MAC_LEN];
	uint8_t dst_mac[WIRE_MAC_LEN];
	struct tcp_addr src;
	struct tcp_addr dst;
	uint8_t ttl; /* hop limit for IPv6 */
	struct tcp_seg seg; /* seg.payload points into the frame; seg.cookie is left 0 */
};

/*
 * Parses one frame of len bytes. 0 for a TCP segment with valid checksums;
 * otherwise a negative errno (-EPROTONOSUPPORT for frames that are not ours
 * to parse, -EBADMSG for damaged ones) and the reason counted in st.
 */
int wire_parse(const uint8_t *frame, uint32_t len, struct wire_pkt *pkt, struct wire_stats *st);
const char *wire_drop_name(enum wire_drop reason);

/* Where a segment goes: link-layer and network-layer ends of one path. */
struct wire_path {
	uint8_t src_mac[WIRE_MAC_LEN];
	uint8_t dst_mac[WIRE_MAC_LEN];
	struct tcp_addr src;
	struct tcp_addr dst;
};

/* Header bytes wire_build writes for seg on path. */
uint32_t wire_hdr_len(const struct wire_path *path, const struct tcp_seg_out *seg);

/*
 * Writes Ethernet, IP and TCP headers for seg at hdr, wire_hdr_len bytes, and
 * returns that length; -EAFNOSUPPORT for an IPv6 path, not built yet. The TCP
 * checksum covers seg->iov where the bytes lie; the caller puts the payload
 * right after the headers, either because it is already there (a buffer with
 * headroom) or by wire_copy_payload. ip_id is the IPv4 identification
 * (RFC 6864: any value, the datagram is atomic).
 */
int wire_build(uint8_t *hdr, const struct wire_path *path, const struct tcp_seg_out *seg,
	       uint16_t ip_id);

/* Gathers seg's payload to dst; returns the bytes copied (seg->len). */
uint32_t wire_copy_payload(uint8_t *dst, const struct tcp_seg_out *seg);

#endif
