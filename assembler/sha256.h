/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4): content hashes that name cached BPF objects. */
#ifndef TNA_SHA256_H
#define TNA_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t state[8];
	uint64_t length;	/* bytes hashed so far */
	uint8_t block[64];
	size_t fill;
};

void sha256__init(struct sha256 *h);
void sha256__update(struct sha256 *h, const void *data, size_t len);
void sha256__final(struct sha256 *h, uint8_t digest[32]);

/* Lower-case hex of a digest: 64 characters and a NUL. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
