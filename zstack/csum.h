/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Internet checksum (RFC 1071) over a TCP segment and its IPv4 or IPv6
 * pseudo-header. Built incrementally so a segment whose payload lies in
 * several buffers is summed where it lies, without gathering it first.
 */
#ifndef ZSTACK_CSUM_H
#define ZSTACK_CSUM_H

#include <stddef.h>
#include <stdint.h>

#include "zstack/tcp.h"

struct csum {
	uint64_t sum;
	uint8_t odd; /* an odd number of bytes has been added so far */
};

void csum__init(struct csum *c);
void csum__add(struct csum *c, const void *data, size_t len);
/* Adds the pseudo-header of RFC 9293 3.1 (IPv4) or RFC 8200 8.1 (IPv6). */
void csum__add_pseudo(struct csum *c, const struct tcp_addr *src, const struct tcp_addr *dst,
		      uint8_t proto, uint32_t len);
/* The folded ones' complement sum: the value for the checksum field. */
uint16_t csum__finish(const struct csum *c);

/* Checksum of a plain buffer, e.g. an IPv4 header. */
uint16_t csum_buf(const void *data, size_t len);

#endif
