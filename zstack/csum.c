// SPDX-License-Identifier: GPL-2.0
#include <sys/socket.h>

#include "zstack/csum.h"

void csum__init(struct csum *c)
{
	c->sum = 0;
	c->odd = 0;
}

void csum__add(struct csum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t sum = c->sum;

	/* A buffer starting after an odd count continues the pending word. */
	if (len && c->odd) {
		sum += *p++;
		len--;
		c->odd = 0;
	}
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len) {
		sum += (uint32_t)p[0] << 8;
		c->odd = 1;
	}
	c->sum = sum;
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
