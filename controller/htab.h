/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An intrusive chained hash table keyed by bytes. Entries embed a struct
 * htab_entry whose key points into the entry itself, so an insert allocates
 * nothing but, now and then, a bigger bucket array.
 */
#ifndef TNA_HTAB_H
#define TNA_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab_entry {
	struct htab_entry *next;
	uint64_t hash;
	const void *key;
	size_t key_len;
};

struct htab {
	struct htab_entry **buckets;
	size_t nbuckets;
	size_t count;
};

int htab__init(struct htab *h);
/* Frees the buckets only: the entries belong to the caller. */
void htab__fini(struct htab *h);

struct htab_entry *htab__find(const struct htab *h, const void *key, size_t key_len);
struct htab_entry *htab__find_str(const struct htab *h, const char *key);
/* e->key and e->key_len must be set and not present yet. 0 or -ENOMEM. */
int htab__insert(struct htab *h, struct htab_entry *e);
/* Never resizes, so iterating with htab__next stays valid across removals. */
void htab__remove(struct htab *h, struct htab_entry *e);
/* Gives bucket memory back after many removals; call outside iterations. */
void htab__shrink(struct htab *h);
/* The entry after e in bucket order (the first when e is NULL). Taking the
 * next entry before removing e is a safe way to remove while iterating. */
struct htab_entry *htab__next(const struct htab *h, const struct htab_entry *e);

#endif
