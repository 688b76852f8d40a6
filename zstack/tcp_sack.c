// SPDX-License-Identifier: GPL-2.0
/*
 * The sender's SACK scoreboard and the RFC 6675 quantities built on it:
 * IsLost(), the pipe estimate, and the holes NextSeg() retransmits.
 */
#include <string.h>

#include "zstack/tcp_impl.h"

static void sb_insert(struct tcp_scoreboard *sb, struct tcp_sack_block b)
{
	uint32_t i = 0, j;

	while (i < sb->nr && seq_lt(sb->blk[i].end, b.start))
		i++;
	/* Merge every block that touches b. */
	for (j = i; j < sb->nr && seq_leq(sb->blk[j].start, b.end); j++) {
		b.start = seq_min(b.start, sb->blk[j].start);
		b.end = seq_max(b.end, sb->blk[j].end);
	}
	if (j == i && sb->nr == TCP_SCOREBOARD_MAX)
		return; /* full: the block is reported again in later ACKs */
	memmove(&sb->blk[i + 1], &sb->blk[j], (sb->nr - j) * sizeof(sb->blk[0]));
	sb->blk[i] = b;
	sb->nr = sb->nr - (j - i) + 1;
}

static uint32_t sacked_in(const struct tcp_conn *c, uint32_t a, uint32_t b)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->sb.nr; i++) {
		uint32_t s = seq_max(c->sb.blk[i].start, a), e = seq_min(c->sb.blk[i].end, b);

		if (seq_lt(s, e))
			n += e - s;
	}
	return n;
}

static uint32_t sacked_later(const struct tcp_conn *c)
{
	uint32_t n = sacked_in(c, c->rxt_mark, c->snd_max);

	if (seq_lt(c->rxt_after, c->high_rxt) && seq_geq(c->rxt_after, c->snd_una))
		n += sacked_in(c, c->rxt_after, seq_min(c->high_rxt, c->rxt_mark));
	return n;
}

bool tcp_sack__update(struct tcp_conn *c, const struct tcp_opts *o)
{
	uint32_t before = sacked_in(c, c->snd_una, c->snd_max);
	uint32_t later = c->in_recovery ? sacked_later(c) : 0;

	for (uint8_t i = 0; i < o->nr_sack; i++) {
		struct tcp_sack_block b = o->sack[i];

		/* Blocks at or below snd_una (D-SACK) or beyond what we sent say nothing new. */
		if (!seq_lt(b.start, b.end) || seq_leq(b.end, c->snd_una) ||
		    seq_gt(b.end, c->snd_max))
			continue;
		b.start = seq_max(b.start, c->snd_una);
		sb_insert(&c->sb, b);
	}
	if (c->in_recovery)
		c->rxt_later += sacked_later(c) - later;
	return sacked_in(c, c->snd_una, c->snd_max) != before;
}

void tcp_sack__ack(struct tcp_conn *c, uint32_t una)
{
	struct tcp_scoreboard *sb = &c->sb;
	uint32_t n = 0;

	while (n < sb->nr && seq_leq(sb->blk[n].end, una))
		n++;
	memmove(&sb->blk[0], &sb->blk[n], (sb->nr - n) * sizeof(sb->blk[0]));
	sb->nr -= n;
	if (sb->nr && seq_lt(sb->blk[0].start, una))
		sb->blk[0].start = una;
}

void tcp_sack__clear(struct tcp_conn *c)
{
	c->sb.nr = 0;
}

static uint32_t highest_sacked(const struct tcp_conn *c)
{
	return c->sb.nr ? c->sb.blk[c->sb.nr - 1].end : c->snd_una;
}

/*
 * Unsacked octets below the returned sequence number are lost: DupThresh
 * SACKed blocks or more than (DupThresh - 1) * SMSS SACKed octets lie above
 * them (RFC 6675, 4, IsLost()).
 */
static uint32_t lost_limit(const struct tcp_conn *c)
{
	uint32_t above = 0;

	for (uint32_t i = c->sb.nr; i-- > 0;) {
		above += c->sb.blk[i].end - c->sb.blk[i].start;
		if (c->sb.nr - i >= TCP_DUPTHRESH || above > (TCP_DUPTHRESH - 1) * c->smss)
			return c->sb.blk[i].start;
	}
	return c->snd_una;
}

bool tcp_sack__lost(const struct tcp_conn *c, uint32_t seq)
{
	return seq_lt(seq, lost_limit(c));
}

/* RFC 6675, 4, SetPipe(): octets not lost count once, retransmitted octets once more. */
uint32_t tcp_sack__pipe(const struct tcp_conn *c)
{
	uint32_t una = c->snd_una, lost = lost_limit(c);
	uint32_t rxt = c->in_recovery ? seq_min(seq_max(c->high_rxt, una), c->snd_max) : una;
	uint32_t outstanding = c->snd_max - una - sacked_in(c, una, c->snd_max);
	uint32_t lost_octets = lost - una - sacked_in(c, una, lost);
	uint32_t rxt_octets = rxt - una - sacked_in(c, una, rxt);

	return outstanding - lost_octets + rxt_octets;
}

void tcp_sack__mark_rexmit(struct tcp_conn *c, uint64_t now)
{
	c->rxt_after = c->high_rxt;
	c->rxt_mark = c->snd_max;
	c->rxt_later = 0;
	c->rxt_time = now;
}

/*
 * As RACK (RFC 8985): what was sent after the retransmission arrived, so it
 * is lost once DupThresh segments of that arrived, or any of it did and a
 * round trip with a quarter more for reordering passed.
 */
bool tcp_sack__rexmit_lost(const struct tcp_conn *c, uint64_t now)
{
	if (!c->in_recovery || !seq_gt(c->high_rxt, c->snd_una) || !c->rxt_later)
		return false;
	return c->rxt_later > (TCP_DUPTHRESH - 1) * c->smss ||
	       now - c->rxt_time >= c->srtt + c->srtt / 4;
}

bool tcp_sack__next_hole(const struct tcp_conn *c, bool lost_only, uint32_t *seq, uint32_t *len)
{
	uint32_t from = seq_max(c->high_rxt, c->snd_una);
	uint32_t limit = lost_only ? lost_limit(c) : highest_sacked(c);
	uint32_t hole = c->snd_una;

	for (uint32_t i = 0; i < c->sb.nr; i++) {
		uint32_t s = seq_max(hole, from), e = seq_min(c->sb.blk[i].start, limit);

		if (seq_lt(s, e)) {
			*seq = s;
			*len = c->sb.blk[i].start - s;
			return true;
		}
		hole = c->sb.blk[i].end;
	}
	return false;
}
