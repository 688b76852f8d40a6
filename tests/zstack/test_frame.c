// SPDX-License-Identifier: GPL-2.0
/*
 * The frame pool: sizes a UMEM accepts, allocation and exhaustion, reference
 * counts that hold a frame until the last holder lets go, and TX buffers whose
 * headroom takes the headers written in front of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/check.h"
#include "zstack/frame.h"
#include "zstack/wire.h"

static void test_opts(void)
{
	struct frame_pool *p = NULL;
	struct frame_pool_opts o = { 0 };

	CHECK_EQ_INT(frame_pool__new(&p, &o), 0, "defaults are accepted");
	CHECK_EQ_INT(frame_pool__frame_size(p), FRAME_SIZE_DEFAULT, "default frame size");
	CHECK_EQ_INT(frame_pool__headroom(p), FRAME_HEADROOM_DEFAULT, "default headroom");
	CHECK(((uintptr_t)frame_pool__area(p) % (uintptr_t)sysconf(_SC_PAGESIZE)) == 0,
	      "the area is page-aligned, as UMEM registration requires");
	CHECK_EQ_INT(frame_pool__area_size(p),
		     (size_t)frame_pool__nr_free(p) * frame_pool__frame_size(p),
		     "the area holds exactly the free frames");
	frame_pool__free(p);

	o = (struct frame_pool_opts){ .nr_frames = 4, .frame_size = 3000 };
	CHECK_EQ_INT(frame_pool__new(&p, &o), -EINVAL,
		     "a frame size not a power of two is refused");
	o.frame_size = 1024;
	CHECK_EQ_INT(frame_pool__new(&p, &o), -EINVAL, "frames below 2048 bytes are refused");
	o.frame_size = 2048;
	o.headroom = 2048;
	CHECK_EQ_INT(frame_pool__new(&p, &o), -EINVAL, "headroom filling the frame is refused");
}

static void test_alloc_exhaustion(void)
{
	struct frame_pool_opts o = { .nr_frames = 8, .frame_size = 2048, .headroom = 256 };
	struct frame_pool *p;
	uint64_t addrs[8], extra;
	int distinct = 1, aligned = 1, allocated = 0;

	if (frame_pool__new(&p, &o)) {
		CHECK(0, "pool of 8 frames");
		return;
	}
	for (int i = 0; i < 8; i++) {
		allocated += frame_pool__alloc(p, &addrs[i]) == 0;
		aligned &= addrs[i] % 2048 == 0 && addrs[i] < 8 * 2048;
		for (int j = 0; j < i; j++)
			distinct &= addrs[i] != addrs[j];
	}
	CHECK_EQ_INT(allocated, 8, "every frame of the pool can be allocated");
	CHECK(aligned, "every frame address is a frame boundary inside the area");
	CHECK(distinct, "no frame is handed out twice");
	CHECK_EQ_INT(frame_pool__nr_free(p), 0, "all frames in use");
	CHECK_EQ_INT(frame_pool__alloc(p, &extra), -ENOBUFS, "an empty pool says so");
	CHECK(frame_pool__alloc_buf(p) == NULL, "no TX buffer from an empty pool");
	frame_pool__put(p, addrs[3]);
	CHECK_EQ_INT(frame_pool__alloc(p, &extra), 0, "a freed frame can be allocated again");
	CHECK_EQ_INT(extra, addrs[3], "and it is the one just freed");
	for (int i = 0; i < 8; i++)
		frame_pool__put(p, addrs[i]);
	CHECK_EQ_INT(frame_pool__nr_free(p), 8, "every frame back after the last put");
	frame_pool__free(p);
}

static void test_refcount(void)
{
	struct frame_pool_opts o = { .nr_frames = 2, .frame_size = 2048, .headroom = 256 };
	struct frame_pool *p;
	uint64_t addr, inner;

	if (frame_pool__new(&p, &o)) {
		CHECK(0, "pool of 2 frames");
		return;
	}
	frame_pool__alloc(p, &addr);
	/* A received payload is named by an address inside the frame, not its base. */
	inner = addr + 256 + 54;
	frame_pool__get(p, inner);
	CHECK_EQ_INT(frame_pool__refs(p, addr), 2, "a reference taken through an inner address");
	frame_pool__put(p, addr);
	CHECK_EQ_INT(frame_pool__nr_free(p), 1, "the frame stays in use while referenced");
	CHECK_EQ_INT(frame_pool__refs(p, inner), 1, "one reference left");
	frame_pool__put(p, inner);
	CHECK_EQ_INT(frame_pool__nr_free(p), 2, "the last put frees it");
	CHECK_EQ_INT(frame_pool__refs(p, addr), 0, "no references left");
	frame_pool__free(p);
}

static void test_tx_buffer(void)
{
	struct frame_pool_opts o = { .nr_frames = 4, .frame_size = 2048, .headroom = 256 };
	struct frame_pool *p;
	uint8_t *buf;
	uint64_t addr;

	if (frame_pool__new(&p, &o)) {
		CHECK(0, "pool of 4 frames");
		return;
	}
	buf = frame_pool__alloc_buf(p);
	CHECK(buf != NULL, "a TX buffer");
	addr = frame_pool__addr(p, buf);
	CHECK_EQ_INT(frame_pool__room_before(p, addr), 256,
		     "its payload starts after the headroom");
	CHECK(frame_pool__room_before(p, addr) >= WIRE_ETH_LEN + WIRE_IPV4_MAX + TCP_HDR_MAX,
	      "the headroom takes the longest IPv4 headers");
	CHECK(frame_pool__ptr(p, frame_pool__base(p, addr)) == buf - 256,
	      "base address and pointer agree");
	CHECK_EQ_INT(frame_pool__refs(p, addr), 1, "the buffer holds one reference");
	/* The whole payload area is writable without touching the next frame. */
	memset(buf, 0xab, 2048 - 256);
	frame_pool__put(p, addr);
	CHECK_EQ_INT(frame_pool__nr_free(p), 4, "freeing the buffer frees its frame");
	frame_pool__free(p);
}

int main(void)
{
	test_opts();
	test_alloc_exhaustion();
	test_refcount();
	test_tx_buffer();
	return check_exit();
}
