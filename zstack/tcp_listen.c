// SPDX-License-Identifier: GPL-2.0
/*
 * Passive open with a bounded backlog: each SYN to a listener becomes a
 * connection in SYN-RECEIVED, counted against the backlog until the
 * application accepts it or it dies; SYNs beyond the bound are dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zstack/isn.h"
#include "zstack/tcp_impl.h"

struct tcp_listener {
	struct tcp_config cfg;
	const struct tcp_ops *ops;
	void *ctx;
	struct tcp_addr addr;
	uint16_t port;
	uint32_t backlog;
	uint32_t nr;
	struct tcp_conn **children; /* pending or unaccepted, oldest first */
};

struct tcp_listener *tcp_listener__new(const struct tcp_config *cfg, const struct tcp_ops *ops,
				       void *ctx, const struct tcp_addr *addr, uint16_t port,
				       uint32_t backlog)
{
	struct tcp_listener *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->children = calloc(backlog ? backlog : 1, sizeof(*l->children));
	if (!l->children) {
		free(l);
		return NULL;
	}
	l->cfg = *cfg;
	l->ops = ops;
	l->ctx = ctx;
	l->addr = *addr;
	l->port = port;
	l->backlog = backlog;
	return l;
}

static int open_child(struct tcp_listener *l, const struct tcp_tuple *tuple,
		      const struct tcp_seg *seg, uint64_t now, struct tcp_conn **child)
{
	struct tcp_conn *c;

	if (l->nr >= l->backlog)
		return -ENOBUFS;
	c = tcp_conn__new(&l->cfg, l->ops, l->ctx, tuple);
	if (!c)
		return -ENOMEM;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = tcp_isn(l->cfg.isn_secret, tuple, now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->tx_seq = c->iss + 1;
	c->recover = c->iss;
	c->high_rxt = c->iss;
	tcp_conn__negotiate(c, seg);
	c->snd_wnd = seg->wnd; /* not scaled in a SYN (RFC 7323, 2.2) */
	c->max_snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	c->state = TCP_SYN_RCVD;
	c->listener = l;
	l->children[l->nr++] = c;
	tcp_send_syn(c, now);
	*child = c;
	return 0;
}

int tcp_listener__input(struct tcp_listener *l, const struct tcp_tuple *tuple,
			const struct tcp_seg *seg, uint64_t now, struct tcp_conn **child)
{
	*child = NULL;
	/* Data on a SYN is not kept: the peer sends it again once we ACK only the SYN. */
	if (seg->len)
		l->ops->rx_release(l->ctx, seg->cookie);
	if (seg->flags & TCP_FLAG_RST)
		return -EINVAL;
	if (seg->flags & TCP_FLAG_ACK)
		return -ECONNREFUSED;
	if (!(seg->flags & TCP_FLAG_SYN))
		return -EINVAL;
	if (tuple->lport != l->port)
		return -EINVAL;
	return open_child(l, tuple, seg, now, child);
}

static void remove_child(struct tcp_listener *l, uint32_t i)
{
	l->children[i]->listener = NULL;
	memmove(&l->children[i], &l->children[i + 1], (l->nr - i - 1) * sizeof(l->children[0]));
	l->nr--;
}

struct tcp_conn *tcp_listener__accept(struct tcp_listener *l)
{
	for (uint32_t i = 0; i < l->nr; i++) {
		struct tcp_conn *c = l->children[i];

		if (c->state != TCP_SYN_RCVD) {
			remove_child(l, i);
			return c;
		}
	}
	return NULL;
}

uint32_t tcp_listener__backlog(const struct tcp_listener *l)
{
	return l->nr;
}

void tcp_listener__child_gone(struct tcp_listener *l, struct tcp_conn *c)
{
	for (uint32_t i = 0; i < l->nr; i++) {
		if (l->children[i] == c) {
			remove_child(l, i);
			return;
		}
	}
}

void tcp_listener__free(struct tcp_listener *l, uint64_t now)
{
	if (!l)
		return;
	while (l->nr) {
		struct tcp_conn *c = l->children[0];

		remove_child(l, 0);
		tcp_conn__abort(c, now);
	}
	free(l->children);
	free(l);
}
