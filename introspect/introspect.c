// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the readers side by side and hands each fd to the reader that owns it.
 *
 * Statistics are shared: readers count every event they decode (events), and
 * when they resync on their own after an overrun or an interrupted dump they
 * count it (resyncs) along with the full dump it causes (dumps).
 * introspect__dump_all counts one dump per call.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "introspect/introspect.h"
#include "introspect/reader.h"

#define TICK_INTERVAL_MS 250

/* Dump order: rtnetlink first, since the others refer to its links. */
static const struct reader_ops *const reader_table[] = {
	&rtnl_reader_ops,
	&listen_reader_ops,
	&nft_reader_ops,
};

#define N_READERS (sizeof(reader_table) / sizeof(reader_table[0]))

struct introspect {
	struct tna_sink sink;
	struct introspect_stats stats;
	struct reader *readers[N_READERS];
};

int introspect__open(struct introspect **out, const struct tna_sink *sink)
{
	struct introspect *in;
	unsigned int i;
	int err = 0;

	assert(sink && sink->upsert && sink->remove && sink->resync_begin && sink->resync_end);
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	/* Readers keep a pointer to the sink; it must outlive the caller's copy. */
	in->sink = *sink;
	for (i = 0; i < N_READERS; i++) {
		err = reader_table[i]->open(&in->readers[i], &in->sink, &in->stats);
		if (err)
			goto out;
	}
out:
	if (err) {
		introspect__close(in);
		return err;
	}
	*out = in;
	return 0;
}

void introspect__close(struct introspect *in)
{
	unsigned int i;

	if (!in)
		return;
	for (i = 0; i < N_READERS; i++) {
		if (in->readers[i])
			reader_table[i]->close(in->readers[i]);
	}
	free(in);
}

int introspect__dump_all(struct introspect *in)
{
	unsigned int i;
	int err;

	in->stats.dumps++;
	for (i = 0; i < N_READERS; i++) {
		err = reader_table[i]->dump(in->readers[i]);
		if (err)
			return err;
	}
	return 0;
}

int introspect__fds(struct introspect *in, int *fds, int max)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < N_READERS && n < max; i++)
		if (reader_table[i]->fds)
			n += reader_table[i]->fds(in->readers[i], fds + n, max - n);
	return n;
}

int introspect__process(struct introspect *in, int fd)
{
	unsigned int i;
	int err;

	for (i = 0; i < N_READERS; i++) {
		if (!reader_table[i]->process)
			continue;
		err = reader_table[i]->process(in->readers[i], fd);
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

/* Every reader gets its tick even when an earlier one failed; the first error
 * is returned. */
int introspect__tick(struct introspect *in, uint64_t now_ms)
{
	unsigned int i;
	int err = 0, ret;

	for (i = 0; i < N_READERS; i++) {
		if (!reader_table[i]->tick)
			continue;
		ret = reader_table[i]->tick(in->readers[i], now_ms);
		if (ret && !err)
			err = ret;
	}
	return err;
}

void introspect__resync_kind(struct introspect *in, enum tna_obj_kind kind)
{
	unsigned int i;

	for (i = 0; i < N_READERS; i++)
		if (reader_table[i]->resync)
			reader_table[i]->resync(in->readers[i], kind);
}

unsigned int introspect__tick_interval_ms(void)
{
	return TICK_INTERVAL_MS;
}

void introspect__get_stats(const struct introspect *in, struct introspect_stats *st)
{
	*st = in->stats;
}
