// SPDX-License-Identifier: GPL-2.0
/*
 * Received frames to connections: a batch off each queue, parsed, looked up
 * by 4-tuple in one hash table (keyed SipHash, so a peer cannot pick
 * colliding tuples), else offered to a listener, else answered with RST as
 * the kernel would answer a port nobody holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zstack/isn.h"
#include "zstack/stack.h"

struct tuple_key {
	uint8_t local[16];
	uint8_t remote[16];
	uint16_t lport, rport;
};

static uint32_t tuple_hash(const struct zs_stack *st, const struct tcp_tuple *t)
{
	struct tuple_key k;

	memcpy(k.local, t->local.bytes, 16);
	memcpy(k.remote, t->remote.bytes, 16);
	k.lport = t->lport;
	k.rport = t->rport;
	return (uint32_t)siphash24(st->hash_key, &k, sizeof(k));
}

static bool addr_eq(const struct tcp_addr *a, const struct tcp_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static bool tuple_eq(const struct tcp_tuple *a, const struct tcp_tuple *b)
{
	return a->lport == b->lport && a->rport == b->rport && addr_eq(&a->remote, &b->remote) &&
	       addr_eq(&a->local, &b->local);
}

static struct zs_sock **bucket(struct zs_stack *st, const struct tcp_tuple *t)
{
	return &st->buckets[tuple_hash(st, t) & (st->nbuckets - 1)];
}

static struct zs_sock *lookup(struct zs_stack *st, const struct tcp_tuple *t)
{
	for (struct zs_sock *s = *bucket(st, t); s; s = s->hnext)
		if (tuple_eq(&s->tuple, t))
			return s;
	return NULL;
}

/* Keeps chains short: doubles the table when it holds as many as it has buckets. */
static void grow(struct zs_stack *st)
{
	uint32_t n = st->nbuckets * 2;
	struct zs_sock **old = st->buckets, **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	st->buckets = b;
	st->nbuckets = n;
	for (uint32_t i = 0; i < n / 2; i++) {
		for (struct zs_sock *s = old[i], *next; s; s = next) {
			struct zs_sock **head = bucket(st, &s->tuple);

			next = s->hnext;
			s->hnext = *head;
			*head = s;
		}
	}
	free(old);
}

int zs_table__insert(struct zs_stack *st, struct zs_sock *s)
{
	struct zs_sock **head;

	if (lookup(st, &s->tuple))
		return -EADDRINUSE;
	if (st->nconns >= st->nbuckets)
		grow(st);
	head = bucket(st, &s->tuple);
	s->hnext = *head;
	*head = s;
	s->in_table = true;
	s->refs++;
	st->nconns++;
	return 0;
}

void zs_table__remove(struct zs_stack *st, struct zs_sock *s)
{
	for (struct zs_sock **p = bucket(st, &s->tuple); *p; p = &(*p)->hnext) {
		if (*p == s) {
			*p = s->hnext;
			s->in_table = false;
			st->nconns--;
			return;
		}
	}
}

static bool addr_any(const struct tcp_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->bytes, zero, sizeof(zero));
}

static struct zs_sock *find_listener(struct zs_stack *st, const struct tcp_tuple *t)
{
	for (uint32_t i = 0; i < st->nlisteners; i++) {
		struct zs_sock *l = st->listeners[i];

		if (l->tuple.lport == t->lport &&
		    (addr_any(&l->tuple.local) || addr_eq(&l->tuple.local, &t->local)))
			return l;
	}
	return NULL;
}

/*
 * The path back to whoever sent pkt, as the kernel would route the answer:
 * the FIB's next hop for the remote address and that hop's MAC, not the
 * frame's source MAC, so an asymmetric path behaves as it does with the
 * kernel. While the kernel resolves the neighbour (ctl->neigh asked it to),
 * a peer on the link is answered at the MAC its frame came from, which is
 * what resolution finds; a gateway's answer waits for the peer's retransmission,
 * as the kernel's would wait in the neighbour's queue. -errno: no answer.
 */
static int reply_path(const struct zs_stack *st, const struct wire_pkt *pkt,
		      struct wire_path *path, struct tcp_addr *nexthop)
{
	struct tcp_addr src;
	char why[128];
	int err;

	err = st->ctl->route(st->ctl_ctx, &pkt->src, &src, nexthop, why, sizeof(why));
	if (err)
		return err;
	memcpy(path->src_mac, st->mac, WIRE_MAC_LEN);
	err = st->ctl->neigh(st->ctl_ctx, nexthop, path->dst_mac);
	if (err == -EAGAIN && !memcmp(nexthop, &pkt->src, sizeof(*nexthop))) {
		memcpy(path->dst_mac, pkt->src_mac, WIRE_MAC_LEN);
		err = 0;
	}
	path->src = pkt->dst;
	path->dst = pkt->src;
	return err;
}

static void send_rst(struct zs_stack *st, struct engine *e, const struct wire_pkt *pkt)
{
	struct tcp_addr nexthop;
	struct tcp_seg_out rst;
	struct wire_path path;

	if (tcp_rst_for(&pkt->seg, &rst) || reply_path(st, pkt, &path, &nexthop))
		return;
	engine__output(e, &path, &rst);
}

static void accept_child(struct zs_stack *st, struct engine *e, struct zs_sock *l,
			 struct tcp_conn *c, const struct wire_path *path,
			 const struct tcp_addr *nexthop)
{
	struct zs_sock *s = zs_sock__new(st, e);

	if (!s) {
		tcp_conn__abort(c, st->now);
		tcp_conn__free(c);
		return;
	}
	s->conn = c;
	s->tuple = *tcp_conn__tuple(c);
	s->path = *path;
	s->nexthop = *nexthop;
	s->parent = l;
	tcp_conn__set_user(c, s);
	st->connections++;
	/* The table's reference replaces the creator's: nobody holds it yet. */
	if (zs_table__insert(st, s)) {
		tcp_conn__abort(c, st->now);
		tcp_conn__events(c);
	}
	zs_sock__put(s);
	if (s->in_table)
		zs_sock__update(s);
}

/* Whether the segment's payload (if any) went to the core with its frame. */
static bool to_listener(struct zs_stack *st, struct engine *e, struct wire_pkt *pkt,
			const struct tcp_tuple *t)
{
	struct zs_sock *l = find_listener(st, t);
	struct tcp_addr nexthop;
	struct tcp_conn *child;
	struct wire_path path;
	int err;

	if (!l) {
		st->rx_no_conn++;
		send_rst(st, e, pkt);
		return false;
	}
	/* No way back through this interface (yet): as if the SYN was lost. */
	if (reply_path(st, pkt, &path, &nexthop))
		return false;
	st->syn_path = &path;
	st->syn_eng = e;
	err = tcp_listener__input(l->lis, t, &pkt->seg, st->now, &child);
	st->syn_path = NULL;
	if (!err)
		accept_child(st, e, l, child, &path, &nexthop);
	else if (err == -ECONNREFUSED)
		send_rst(st, e, pkt);
	return true;
}

void zs_stack__rx(struct zs_stack *st, struct engine *e)
{
	struct xsk_frame frames[ENGINE_BATCH];
	uint32_t n = engine__rx(e, frames, ENGINE_BATCH);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t base = frame_pool__base(e->pool, frames[i].addr);
		struct tcp_tuple t;
		struct wire_pkt pkt;
		struct zs_sock *s;
		bool given;

		if (wire_parse(frame_pool__ptr(e->pool, frames[i].addr), frames[i].len, &pkt,
			       &e->stats.wire)) {
			frame_pool__put(e->pool, base);
			continue;
		}
		pkt.seg.cookie = engine__cookie(e, base);
		t.local = pkt.dst;
		t.remote = pkt.src;
		t.lport = pkt.seg.dport;
		t.rport = pkt.seg.sport;
		s = lookup(st, &t);
		if (s) {
			tcp_conn__input(s->conn, &pkt.seg, st->now);
			given = true;
			zs_sock__update(s);
		} else {
			given = to_listener(st, e, &pkt, &t);
		}
		if (!given || !pkt.seg.len)
			frame_pool__put(e->pool, base);
	}
}
