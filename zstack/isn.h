/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, secret), with M
 * a 4-microsecond clock and F a keyed hash (SipHash-2-4), so sequence numbers
 * of one 4-tuple grow with time while other tuples' cannot be guessed.
 */
#ifndef ZSTACK_ISN_H
#define ZSTACK_ISN_H

#include <stddef.h>
#include <stdint.h>

#include "zstack/tcp.h"

#define SIPHASH_KEY_LEN 16

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len);
uint32_t tcp_isn(const uint8_t secret[SIPHASH_KEY_LEN], const struct tcp_tuple *t, uint64_t now_ns);

#endif
