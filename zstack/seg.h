/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP segments as the sans-I/O core sees them: parsed header fields, options,
 * and the payload as references to buffers the core does not own. A received
 * payload points into the frame it arrived in (later a UMEM frame); a sent
 * payload points into the application's send buffers. Nothing here copies.
 */
#ifndef ZSTACK_SEG_H
#define ZSTACK_SEG_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10
#define TCP_FLAG_URG 0x20

#define TCP_HDR_LEN 20
#define TCP_HDR_MAX 60
#define TCP_OPTS_MAX 40
/* Timestamps with their two NOPs: what every segment of a connection using them carries. */
#define TCP_TS_OPT_LEN 12

/* Which options a segment carries (struct tcp_opts.present). */
#define TCP_OPT_MSS	  0x01
#define TCP_OPT_WSCALE	  0x02
#define TCP_OPT_TS	  0x04
#define TCP_OPT_SACK_PERM 0x08
#define TCP_OPT_SACK	  0x10

/* Four blocks fit without timestamps, three with them (RFC 2018, 3). */
#define TCP_SACK_MAX_BLOCKS 4
#define TCP_WSCALE_MAX 14

struct tcp_sack_block {
	uint32_t start; /* first sequence number of the block */
	uint32_t end;	/* sequence number just past the block */
};

struct tcp_opts {
	uint8_t present;
	uint8_t wscale;
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t nr_sack;
	struct tcp_sack_block sack[TCP_SACK_MAX_BLOCKS];
};

/*
 * A received segment. When len > 0 the core takes ownership of cookie: it
 * either holds the payload by reference or gives cookie back through
 * tcp_ops.rx_release, exactly once, before or after tcp_conn__input returns.
 */
struct tcp_seg {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd; /* as on the wire, not yet scaled */
	uint8_t flags;
	struct tcp_opts opts;
	const uint8_t *payload;
	uint32_t len;
	uint64_t cookie; /* the caller's handle for the buffer holding payload */
};

/* A piece of outgoing payload: bytes inside one application send buffer. */
struct tcp_iov {
	const uint8_t *data;
	uint32_t len;
	uint64_t cookie; /* the application buffer these bytes belong to */
};

/* Segments never span more than this many send buffers. */
#define TCP_SEG_IOV_MAX 4

/* A segment the core wants sent; the caller builds the wire packet. */
struct tcp_seg_out {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd; /* already scaled down for the wire */
	uint8_t flags;
	bool retransmit;
	struct tcp_opts opts;
	uint32_t len; /* sum of iov[].len */
	uint8_t nr_iov;
	struct tcp_iov iov[TCP_SEG_IOV_MAX];
};

/* Sequence-space comparisons, modulo 2^32 (RFC 9293, 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}

static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}

/* Wire format (tcp_options.c). */
int tcp_seg__parse(const uint8_t *pkt, uint32_t len, struct tcp_seg *seg);
int tcp_opts__parse(const uint8_t *opts, uint32_t len, struct tcp_opts *out);
/* Writes options padded to 4 bytes; returns the length written. */
uint32_t tcp_opts__write(const struct tcp_opts *opts, uint8_t *buf);
uint32_t tcp_opts__len(const struct tcp_opts *opts);
/* Writes the 20-byte header plus options, checksum zero; returns its length. */
uint32_t tcp_seg__write_header(const struct tcp_seg_out *seg, uint8_t *buf);

#endif
