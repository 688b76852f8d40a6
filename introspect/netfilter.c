// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter: nftables tables, chains and rules over nfnetlink, and the legacy
 * x_tables (iptables-legacy) tables in use.
 *
 * nftables changes arrive as a transaction: NEW/DEL messages for what the
 * user named, closed by NFT_MSG_NEWGEN once the whole batch is committed.
 * The messages alone do not describe the result (deleting a table takes its
 * chains and rules along, a chain's rule count changes without a chain
 * message), so on NEWGEN, or when events were lost, this reader re-dumps
 * tables, chains and rules and reports them as a resync. A ruleset is small
 * next to a routing table and changes rarely, so the re-dump is cheap, and
 * it is right by construction.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "introspect/netfilter.h"
#include "introspect/nl.h"
#include "introspect/reader.h"

/* How often a dump the kernel interrupted (the ruleset changed under it) is
 * run again at once before it is left to the next tick. */
#define NFT_DUMP_TRIES 4
#define IPT_POLL_MS 1000
/* x_tables knows five tables per family (filter, nat, mangle, raw, security). */
#define IPT_MAX_TABLES 16
#define IPT_FAMILIES 3		/* ip, ip6, arp: the families with a names file */
#define IPT_FILE_BYTES 1024

struct obj_vec {
	struct tna_obj *v;
	size_t n, cap;
};

struct reader {
	struct tna_sink sink;
	struct introspect_stats *stats;
	struct nlsock *req;		/* dumps */
	struct nlsock *events;		/* NFNLGRP_NFTABLES */
	bool nft_stale;			/* a dump is due: the ruleset changed or events were lost */
	struct obj_vec nft;		/* the last dump */
	struct tna_ipt_table ipt[IPT_FAMILIES * IPT_MAX_TABLES];
	int ipt_n;			/* -1 until the first poll */
	uint64_t ipt_next_ms;
};

static int obj_vec__push(struct obj_vec *vec, const struct tna_obj *obj)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 64;
		struct tna_obj *v = realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *obj;
	return 0;
}

static int nft_on_msg(const struct nlmsghdr *nlh, void *ctx)
{
	struct obj_vec *vec = ctx;
	struct tna_obj obj = { 0 };
	int err;

	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
		obj.kind = TNA_OBJ_NFT_TABLE;
		err = nft_parse_table(nlh, &obj.nft_table);
		break;
	case NFT_MSG_NEWCHAIN:
		obj.kind = TNA_OBJ_NFT_CHAIN;
		err = nft_parse_chain(nlh, &obj.nft_chain);
		break;
	case NFT_MSG_NEWRULE:
		obj.kind = TNA_OBJ_NFT_RULE;
		err = nft_parse_rule(nlh, &obj.nft_rule);
		break;
	default:
		return 0;
	}
	if (err)
		return err;
	return obj_vec__push(vec, &obj);
}

/* Tables, then chains, then rules, into r->nft. */
static int nft_fetch(struct reader *r)
{
	static const uint8_t msgs[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE };
	const struct nfgenmsg hdr = { .nfgen_family = NFPROTO_UNSPEC, .version = NFNETLINK_V0 };
	size_t i;
	int err;

	r->nft.n = 0;
	for (i = 0; i < sizeof(msgs); i++) {
		err = nlsock__dump(r->req, NFNL_SUBSYS_NFTABLES << 8 | msgs[i], &hdr, sizeof(hdr),
				   nft_on_msg, &r->nft);
		if (err)
			return err;
	}
	return 0;
}

/* Reports r->nft, which holds every kind in the order of nft_fetch. The sink
 * sees a resync only once all three dumps are complete. */
static void nft_report(struct reader *r)
{
	static const enum tna_obj_kind kinds[] = {
		TNA_OBJ_NFT_TABLE, TNA_OBJ_NFT_CHAIN, TNA_OBJ_NFT_RULE,
	};
	size_t i, k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		r->sink.resync_begin(r->sink.ctx, kinds[k]);
		for (i = 0; i < r->nft.n; i++) {
			if (r->nft.v[i].kind == kinds[k])
				r->sink.upsert(r->sink.ctx, &r->nft.v[i]);
		}
		r->sink.resync_end(r->sink.ctx, kinds[k]);
	}
}

/* An interrupted dump counts as a resync, with the dump that repeats it. */
static int nft_resync(struct reader *r)
{
	int err = 0, tries;

	r->nft_stale = true;
	for (tries = 0; tries < NFT_DUMP_TRIES; tries++) {
		err = nft_fetch(r);
		if (err != -EINTR)
			break;
		r->stats->resyncs++;
		r->stats->dumps++;
	}
	if (err)
		return err;
	r->nft_stale = false;
	nft_report(r);
	return 0;
}

int ipt_parse_names(const char *text, size_t len, uint8_t family, struct tna_ipt_table *out,
		    int max)
{
	const char *end = text + len;
	int n = 0;

	while (text < end) {
		const char *nl = memchr(text, '\n', end - text);
		size_t name_len = (nl ? nl : end) - text;

		if (name_len >= sizeof(out->name) || memchr(text, '\0', name_len))
			return -EINVAL;
		if (name_len) {
			if (n == max)
				return -E2BIG;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].family = family;
			memcpy(out[n].name, text, name_len);
			n++;
		}
		text += name_len + 1;
	}
	return n;
}

/* Appends the tables listed in path to out; a missing file lists none. */
static int ipt_read(const char *path, uint8_t family, struct tna_ipt_table *out)
{
	char text[IPT_FILE_BYTES];
	ssize_t len;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	len = read(fd, text, sizeof(text));
	err = len < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	return ipt_parse_names(text, len, family, out, IPT_MAX_TABLES);
}

static int ipt_cmp(const void *pa, const void *pb)
{
	const struct tna_ipt_table *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return strcmp(a->name, b->name);
}

/*
 * A table is listed in /proc/net/ip*_tables_names from the first time
 * iptables-legacy (or anything else using x_tables) touched it in this
 * namespace: that is what "in use" means here. Reports the set as a resync
 * when it changed, or always when force is set.
 */
static int ipt_poll(struct reader *r, bool force)
{
	static const struct {
		const char *path;
		uint8_t family;
	} files[IPT_FAMILIES] = {
		{ "/proc/net/ip_tables_names", NFPROTO_IPV4 },
		{ "/proc/net/ip6_tables_names", NFPROTO_IPV6 },
		{ "/proc/net/arp_tables_names", NFPROTO_ARP },
	};
	struct tna_ipt_table now[IPT_FAMILIES * IPT_MAX_TABLES];
	int n = 0, i, added;

	for (i = 0; i < IPT_FAMILIES; i++) {
		added = ipt_read(files[i].path, files[i].family, now + n);
		if (added < 0)
			return added;
		n += added;
	}
	qsort(now, n, sizeof(now[0]), ipt_cmp);
	if (!force && n == r->ipt_n) {
		for (i = 0; i < n && !ipt_cmp(&now[i], &r->ipt[i]); i++)
			;
		if (i == n)
			return 0;
	}
	memcpy(r->ipt, now, n * sizeof(now[0]));
	r->ipt_n = n;
	r->sink.resync_begin(r->sink.ctx, TNA_OBJ_IPT_TABLE);
	for (i = 0; i < n; i++) {
		struct tna_obj obj = { .kind = TNA_OBJ_IPT_TABLE, .ipt_table = now[i] };

		r->sink.upsert(r->sink.ctx, &obj);
	}
	r->sink.resync_end(r->sink.ctx, TNA_OBJ_IPT_TABLE);
	return 0;
}

static int nft_dump(struct reader *r)
{
	int err;

	err = nft_resync(r);
	if (err)
		return err;
	return ipt_poll(r, true);
}

/* Notes that a transaction was committed. */
static int nft_on_event(const struct nlmsghdr *nlh, void *ctx)
{
	struct reader *r = ctx;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	r->stats->events++;
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWGEN)
		r->nft_stale = true;
	return 0;
}

static bool fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* The re-dump waits until the queue is drained, so a burst of transactions
 * costs one dump rather than one per batch of events read. */
static int nft_process(struct reader *r, int fd)
{
	int err;

	if (fd != nlsock__fd(r->events))
		return -ENOENT;
	err = nlsock__read_events(r->events, nft_on_event, r);
	if (err == -ENOBUFS) {
		r->stats->resyncs++;
		r->stats->dumps++;
		r->nft_stale = true;
	} else if (err) {
		return err;
	}
	if (r->nft_stale && !fd_readable(fd))
		return nft_resync(r);
	return 0;
}

/* Retries a re-dump that could not finish, and polls the legacy tables; a
 * failure of one does not hold up the other. The first error is returned. */
static int nft_tick(struct reader *r, uint64_t now_ms)
{
	int err = 0, ret;

	if (r->nft_stale)
		err = nft_resync(r);
	if (now_ms >= r->ipt_next_ms) {
		r->ipt_next_ms = now_ms + IPT_POLL_MS;
		ret = ipt_poll(r, false);
		if (!err)
			err = ret;
	}
	return err;
}

static int nft_fds(struct reader *r, int *fds, int max)
{
	if (max < 1)
		return 0;
	fds[0] = nlsock__fd(r->events);
	return 1;
}

static void nft_close(struct reader *r)
{
	if (!r)
		return;
	nlsock__close(r->req);
	nlsock__close(r->events);
	free(r->nft.v);
	free(r);
}

static int nft_open(struct reader **out, const struct tna_sink *sink,
		    struct introspect_stats *stats)
{
	static const unsigned int groups[] = { NFNLGRP_NFTABLES };
	struct reader *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->sink = *sink;
	r->stats = stats;
	r->ipt_n = -1;
	err = nlsock__open(&r->req, NETLINK_NETFILTER, NULL, 0);
	if (err)
		goto out;
	/* Joined before the first dump, so no change falls between the two. */
	err = nlsock__open(&r->events, NETLINK_NETFILTER, groups, 1);
out:
	if (err) {
		nft_close(r);
		return err;
	}
	*out = r;
	return 0;
}

const struct reader_ops nft_reader_ops = {
	.name = "netfilter",
	.open = nft_open,
	.close = nft_close,
	.dump = nft_dump,
	.fds = nft_fds,
	.process = nft_process,
	.tick = nft_tick,
};
