// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "controller/htab.h"

#define HTAB_MIN_BUCKETS 64

/* FNV-1a: short keys, no adversary (keys come from the kernel). */
static uint64_t hash_bytes(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int htab__init(struct htab *h)
{
	h->buckets = calloc(HTAB_MIN_BUCKETS, sizeof(*h->buckets));
	if (!h->buckets)
		return -ENOMEM;
	h->nbuckets = HTAB_MIN_BUCKETS;
	h->count = 0;
	return 0;
}

void htab__fini(struct htab *h)
{
	free(h->buckets);
	h->buckets = NULL;
	h->nbuckets = 0;
	h->count = 0;
}

static int htab_resize(struct htab *h, size_t nbuckets)
{
	struct htab_entry **b = calloc(nbuckets, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < h->nbuckets; i++) {
		struct htab_entry *e = h->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nbuckets - 1)];
			b[e->hash & (nbuckets - 1)] = e;
		}
	}
	free(h->buckets);
	h->buckets = b;
	h->nbuckets = nbuckets;
	return 0;
}

struct htab_entry *htab__find(const struct htab *h, const void *key, size_t key_len)
{
	uint64_t hash = hash_bytes(key, key_len);
	struct htab_entry *e = h->buckets[hash & (h->nbuckets - 1)];

	for (; e; e = e->next)
		if (e->hash == hash && e->key_len == key_len && !memcmp(e->key, key, key_len))
			return e;
	return NULL;
}

struct htab_entry *htab__find_str(const struct htab *h, const char *key)
{
	return htab__find(h, key, strlen(key));
}

int htab__insert(struct htab *h, struct htab_entry *e)
{
	int err;

	if (h->count >= h->nbuckets) {
		err = htab_resize(h, h->nbuckets * 2);
		if (err)
			return err;
	}
	e->hash = hash_bytes(e->key, e->key_len);
	e->next = h->buckets[e->hash & (h->nbuckets - 1)];
	h->buckets[e->hash & (h->nbuckets - 1)] = e;
	h->count++;
	return 0;
}

void htab__remove(struct htab *h, struct htab_entry *e)
{
	struct htab_entry **pp = &h->buckets[e->hash & (h->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	h->count--;
}

void htab__shrink(struct htab *h)
{
	size_t n = h->nbuckets;

	while (n > HTAB_MIN_BUCKETS && h->count < n / 4)
		n /= 2;
	/* A failed shrink only keeps the memory. */
	if (n != h->nbuckets)
		htab_resize(h, n);
}

struct htab_entry *htab__next(const struct htab *h, const struct htab_entry *e)
{
	size_t i = 0;

	if (e) {
		if (e->next)
			return e->next;
		i = (e->hash & (h->nbuckets - 1)) + 1;
	}
	for (; i < h->nbuckets; i++)
		if (h->buckets[i])
			return h->buckets[i];
	return NULL;
}
