// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-order reassembly, bounded in segments and bytes: segments beyond
 * rcv_nxt are held by reference, sorted and without overlap, until the hole
 * before them fills. Also the receiver's SACK blocks (RFC 2018, 4): the block
 * holding the latest segment first, then the most recently reported others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zstack/tcp_impl.h"

int tcp_reass__init(struct tcp_reass *r, uint32_t max_segs)
{
	memset(r, 0, sizeof(*r));
	r->segs = calloc(max_segs ? max_segs : 1, sizeof(*r->segs));
	return r->segs ? 0 : -ENOMEM;
}

void tcp_reass__free(struct tcp_conn *c)
{
	struct tcp_reass *r = &c->reass;

	for (uint32_t i = 0; i < r->nr; i++)
		c->ops->rx_release(c->ctx, r->segs[i].cookie);
	r->nr = 0;
	r->bytes = 0;
	free(r->segs);
	r->segs = NULL;
}

static void remove_at(struct tcp_reass *r, uint32_t i, uint32_t n)
{
	memmove(&r->segs[i], &r->segs[i + n], (r->nr - i - n) * sizeof(r->segs[0]));
	r->nr -= n;
}

/* Forgets blocks at or below rcv_nxt and those overlapping keep. */
static void prune_recent(struct tcp_reass *r, uint32_t rcv_nxt, const struct tcp_sack_block *keep)
{
	uint8_t n = 0;

	for (uint8_t i = 0; i < r->nr_recent; i++) {
		struct tcp_sack_block b = r->recent[i];

		if (seq_leq(b.end, rcv_nxt))
			continue;
		if (keep && seq_lt(b.start, keep->end) && seq_gt(b.end, keep->start))
			continue;
		r->recent[n++] = b;
	}
	r->nr_recent = n;
}

static void note_recent(struct tcp_reass *r, uint32_t i, uint32_t rcv_nxt)
{
	struct tcp_sack_block b = { r->segs[i].seq, r->segs[i].seq + r->segs[i].len };
	uint32_t lo = i, hi = i;

	while (lo > 0 && r->segs[lo - 1].seq + r->segs[lo - 1].len == b.start)
		b.start = r->segs[--lo].seq;
	while (hi + 1 < r->nr && r->segs[hi + 1].seq == b.end) {
		hi++;
		b.end = r->segs[hi].seq + r->segs[hi].len;
	}
	prune_recent(r, rcv_nxt, &b);
	if (r->nr_recent == TCP_SACK_MAX_BLOCKS)
		r->nr_recent--;
	memmove(&r->recent[1], &r->recent[0], r->nr_recent * sizeof(r->recent[0]));
	r->recent[0] = b;
	r->nr_recent++;
}

bool tcp_reass__insert(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len,
		       uint64_t cookie)
{
	struct tcp_reass *r = &c->reass;
	uint32_t end = seq + len, i = 0, j, covered = 0;

	while (i < r->nr && seq_leq(r->segs[i].seq + r->segs[i].len, seq))
		i++;
	/*
	 * Data already held wins: the new segment is trimmed where it overlaps
	 * held segments at its edges and replaces those lying wholly inside it.
	 */
	for (j = i; j < r->nr && seq_lt(r->segs[j].seq, end); j++) {
		uint32_t s = r->segs[j].seq, e = s + r->segs[j].len;

		if (seq_leq(s, seq)) {
			if (seq_geq(e, end)) {
				c->stats.dup_segs_in++;
				return false;
			}
			data += e - seq;
			seq = e;
			i = j + 1;
		} else if (seq_geq(e, end)) {
			end = s;
			break;
		} else {
			covered += e - s;
		}
	}
	len = end - seq;
	if (r->nr - (j - i) + 1 > c->cfg.reass_max_segs ||
	    r->bytes - covered + len > c->cfg.reass_max_bytes) {
		c->stats.ooo_dropped++;
		return false;
	}
	for (uint32_t k = i; k < j; k++)
		c->ops->rx_release(c->ctx, r->segs[k].cookie);
	remove_at(r, i, j - i);
	memmove(&r->segs[i + 1], &r->segs[i], (r->nr - i) * sizeof(r->segs[0]));
	r->segs[i] = (struct tcp_ooo){ .seq = seq, .data = data, .len = len, .cookie = cookie };
	r->nr++;
	r->bytes = r->bytes - covered + len;
	note_recent(r, i, c->rcv_nxt);
	return true;
}

void tcp_reass__pull(struct tcp_conn *c)
{
	struct tcp_reass *r = &c->reass;

	while (r->nr && seq_leq(r->segs[0].seq, c->rcv_nxt)) {
		struct tcp_ooo *s = &r->segs[0];
		uint32_t d = c->rcv_nxt - s->seq;

		r->bytes -= s->len;
		if (d >= s->len) {
			c->ops->rx_release(c->ctx, s->cookie);
		} else {
			struct tcp_chunk e = { s->data + d, s->len - d, s->cookie };

			tcp_ring__push(&c->rx, &e);
			c->rcv_nxt += e.len;
			c->rx_queued += e.len;
			c->rx_held += e.len;
			c->stats.bytes_received += e.len;
		}
		remove_at(r, 0, 1);
	}
	prune_recent(r, c->rcv_nxt, NULL);
}

void tcp_reass__sack_opts(const struct tcp_conn *c, struct tcp_opts *o, uint8_t max)
{
	const struct tcp_reass *r = &c->reass;
	uint8_t n = r->nr_recent < max ? r->nr_recent : max;

	if (!n)
		return;
	o->present |= TCP_OPT_SACK;
	o->nr_sack = n;
	memcpy(o->sack, r->recent, n * sizeof(o->sack[0]));
}
