// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "zstack/csum.h"

void csum__init(struct csum *c)
{
	c->sum = 0;
	c->odd = 0;
}

static uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The ones' complement sum does not depend on byte order (RFC 1071, 2.B):
 * sum the buffer as native 32-bit words into 64-bit accumulators, which no
 * carry can overflow for any frame, then fold and swap once at the end.
 */
static uint16_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (; len >= 32; p += 32, len -= 32) {
		a += (uint64_t)load32(p) + load32(p + 16);
		b += (uint64_t)load32(p + 4) + load32(p + 20);
		c += (uint64_t)load32(p + 8) + load32(p + 24);
		d += (uint64_t)load32(p + 12) + load32(p + 28);
	}
	for (; len >= 4; p += 4, len -= 4)
		a += load32(p);
	if (len >= 2) {
		uint16_t v;

		memcpy(&v, p, sizeof(v));
		b += v;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t v;

		memcpy(&v, last, sizeof(v));
		c += v;
	}
	a += b + c + d;
	a = (a & 0xffffffff) + (a >> 32);
	a = (a & 0xffffffff) + (a >> 32);
	a = (a & 0xffff) + (a >> 16);
	a = (a & 0xffff) + (a >> 16);
	return (uint16_t)a;
}

void csum__add(struct csum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint16_t native;

	/* A buffer starting after an odd count continues the pending word. */
	if (len && c->odd) {
		c->sum += *p++;
		len--;
		c->odd = 0;
	}
	if (!len)
		return;
	native = sum_native(p, len);
	c->sum += ntohs(native);
	c->odd = len & 1;
}

void csum__add_pseudo(struct csum *c, const struct tcp_addr *src, const struct tcp_addr *dst,
		      uint8_t proto, uint32_t len)
{
	size_t alen = src->family == AF_INET6 ? 16 : 4;
	uint8_t tail[8] = { 0 };

	csum__add(c, src->bytes, alen);
	csum__add(c, dst->bytes, alen);
	if (src->family == AF_INET6) {
		tail[0] = len >> 24;
		tail[1] = (len >> 16) & 0xff;
		tail[2] = (len >> 8) & 0xff;
		tail[3] = len & 0xff;
		tail[7] = proto;
		csum__add(c, tail, 8);
	} else {
		tail[1] = proto;
		tail[2] = (len >> 8) & 0xff;
		tail[3] = len & 0xff;
		csum__add(c, tail, 4);
	}
}

uint16_t csum__finish(const struct csum *c)
{
	uint64_t sum = c->sum;

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_buf(const void *data, size_t len)
{
	struct csum c;

	csum__init(&c);
	csum__add(&c, data, len);
	return csum__finish(&c);
}
