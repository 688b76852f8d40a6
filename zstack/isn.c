// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "zstack/isn.h"

static uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sip_absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	struct sip s = {
		.v0 = k0 ^ 0x736f6d6570736575ULL,
		.v1 = k1 ^ 0x646f72616e646f6dULL,
		.v2 = k0 ^ 0x6c7967656e657261ULL,
		.v3 = k1 ^ 0x7465646279746573ULL,
	};
	const uint8_t *p = data;
	uint8_t last[8] = { 0 };
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		sip_absorb(&s, le64(p + i));
	memcpy(last, p + i, len - i);
	last[7] = (uint8_t)len;
	sip_absorb(&s, le64(last));
	s.v2 ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint32_t tcp_isn(const uint8_t secret[SIPHASH_KEY_LEN], const struct tcp_tuple *t, uint64_t now_ns)
{
	uint8_t msg[2 * 17 + 4];
	uint8_t *p = msg;

	*p++ = t->local.family;
	memcpy(p, t->local.bytes, 16);
	p += 16;
	*p++ = t->remote.family;
	memcpy(p, t->remote.bytes, 16);
	p += 16;
	*p++ = t->lport >> 8;
	*p++ = t->lport & 0xff;
	*p++ = t->rport >> 8;
	*p++ = t->rport & 0xff;
	return (uint32_t)(now_ns / 4000) + (uint32_t)siphash24(secret, msg, sizeof(msg));
}
