// SPDX-License-Identifier: GPL-2.0
/* Known-answer vectors from FIPS 180-4's examples, plus split updates. */
#include <string.h>

#include "assembler/sha256.h"
#include "tests/check.h"

static void digest_of(const void *data, size_t len, size_t chunk, char hex[65])
{
	const unsigned char *p = data;
	struct sha256 h;
	uint8_t d[32];

	sha256__init(&h);
	while (len) {
		size_t n = len < chunk ? len : chunk;

		sha256__update(&h, p, n);
		p += n;
		len -= n;
	}
	sha256__final(&h, d);
	sha256_hex(d, hex);
}

int main(void)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static char million_a[1000000];
	char hex[65];

	digest_of("", 0, 1, hex);
	CHECK_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		     "sha256 of the empty string");
	digest_of("abc", 3, 3, hex);
	CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		     "sha256 of abc");
	digest_of(two_blocks, strlen(two_blocks), 7, hex);
	CHECK_EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		     "sha256 of the 448-bit message, fed in 7-byte pieces");
	memset(million_a, 'a', sizeof(million_a));
	digest_of(million_a, sizeof(million_a), 4093, hex);
	CHECK_EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		     "sha256 of a million a's");
	return check_exit();
}
