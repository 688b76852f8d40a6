// SPDX-License-Identifier: GPL-2.0
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zstack/frame.h"

#define FRAME_NR_DEFAULT 4096
#define FRAME_SIZE_MIN 2048

struct frame_pool {
	uint8_t *area;
	size_t area_size;
	uint32_t nr_frames;
	uint32_t frame_size;
	uint32_t shift; /* log2(frame_size) */
	uint32_t headroom;
	/* Reference counts live outside the frames, where the kernel never writes. */
	uint32_t *refs;
	/* Free frame indices, used as a stack: the most recently freed is warm in cache. */
	uint32_t *free;
	uint32_t nr_free;
};

static int check_opts(const struct frame_pool_opts *o)
{
	long page = sysconf(_SC_PAGESIZE);

	if (o->frame_size < FRAME_SIZE_MIN || o->frame_size > (unsigned long)page ||
	    (o->frame_size & (o->frame_size - 1)))
		return -EINVAL;
	if (o->headroom >= o->frame_size || o->nr_frames == 0 || o->nr_frames > UINT32_MAX / 2)
		return -EINVAL;
	return 0;
}

int frame_pool__new(struct frame_pool **out, const struct frame_pool_opts *opts)
{
	struct frame_pool_opts o = *opts;
	struct frame_pool *p;
	int err;

	if (!o.nr_frames)
		o.nr_frames = FRAME_NR_DEFAULT;
	if (!o.frame_size)
		o.frame_size = FRAME_SIZE_DEFAULT;
	if (!o.headroom)
		o.headroom = FRAME_HEADROOM_DEFAULT;
	err = check_opts(&o);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->nr_frames = o.nr_frames;
	p->frame_size = o.frame_size;
	p->shift = (uint32_t)__builtin_ctz(o.frame_size);
	p->headroom = o.headroom;
	p->area_size = (size_t)o.nr_frames * o.frame_size;
	p->refs = calloc(o.nr_frames, sizeof(*p->refs));
	p->free = calloc(o.nr_frames, sizeof(*p->free));
	if (!p->refs || !p->free) {
		err = -ENOMEM;
		goto out;
	}
	/* Page-aligned and zeroed, as UMEM registration requires. */
	p->area = mmap(NULL, p->area_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p->area == MAP_FAILED) {
		p->area = NULL;
		err = -errno;
		goto out;
	}
	/* Handed out lowest address first, which keeps tests' addresses predictable. */
	for (uint32_t i = 0; i < o.nr_frames; i++)
		p->free[i] = o.nr_frames - 1 - i;
	p->nr_free = o.nr_frames;
out:
	if (err) {
		frame_pool__free(p);
		return err;
	}
	*out = p;
	return 0;
}

void frame_pool__free(struct frame_pool *p)
{
	if (!p)
		return;
	if (p->area)
		munmap(p->area, p->area_size);
	free(p->refs);
	free(p->free);
	free(p);
}

void *frame_pool__area(const struct frame_pool *p)
{
	return p->area;
}

size_t frame_pool__area_size(const struct frame_pool *p)
{
	return p->area_size;
}

uint32_t frame_pool__frame_size(const struct frame_pool *p)
{
	return p->frame_size;
}

uint32_t frame_pool__headroom(const struct frame_pool *p)
{
	return p->headroom;
}

uint32_t frame_pool__nr_free(const struct frame_pool *p)
{
	return p->nr_free;
}

static uint32_t frame_index(const struct frame_pool *p, uint64_t addr)
{
	uint64_t i = addr >> p->shift;

	assert(i < p->nr_frames);
	return (uint32_t)i;
}

int frame_pool__alloc(struct frame_pool *p, uint64_t *addr)
{
	uint32_t i;

	if (!p->nr_free)
		return -ENOBUFS;
	i = p->free[--p->nr_free];
	assert(p->refs[i] == 0);
	p->refs[i] = 1;
	*addr = (uint64_t)i << p->shift;
	return 0;
}

void frame_pool__get(struct frame_pool *p, uint64_t addr)
{
	uint32_t i = frame_index(p, addr);

	assert(p->refs[i] > 0 && p->refs[i] < UINT32_MAX);
	p->refs[i]++;
}

void frame_pool__put(struct frame_pool *p, uint64_t addr)
{
	uint32_t i = frame_index(p, addr);

	assert(p->refs[i] > 0);
	if (--p->refs[i] == 0)
		p->free[p->nr_free++] = i;
}

uint32_t frame_pool__refs(const struct frame_pool *p, uint64_t addr)
{
	return p->refs[frame_index(p, addr)];
}

uint8_t *frame_pool__alloc_buf(struct frame_pool *p)
{
	uint64_t addr;

	if (frame_pool__alloc(p, &addr))
		return NULL;
	return p->area + addr + p->headroom;
}
