/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between introspect.c and each reader. A reader owns the
 * sockets for one family of netlink (rtnetlink, sock_diag, nfnetlink) and
 * turns what arrives on them into tna_objs for the sink.
 */
#ifndef TNA_INTROSPECT_READER_H
#define TNA_INTROSPECT_READER_H

#include <stdint.h>

#include "introspect/introspect.h"

struct reader;

struct reader_ops {
	const char *name;
	/* Allocates the reader's state and opens its sockets. */
	int (*open)(struct reader **out, const struct tna_sink *sink,
		    struct introspect_stats *stats);
	void (*close)(struct reader *r);
	/* Full dump of every kind it reads, bracketed by resync_begin/end. */
	int (*dump)(struct reader *r);
	/* Event fds; NULL for a reader that only polls from tick. */
	int (*fds)(struct reader *r, int *fds, int max);
	/* Handles readability of one of its fds; -ENOENT if the fd is not its.
	 * NULL exactly when fds is. */
	int (*process)(struct reader *r, int fd);
	/* Periodic work; may be NULL. */
	int (*tick)(struct reader *r, uint64_t now_ms);
	/* Schedules a dump of one kind it reads for its next tick; may be NULL. */
	void (*resync)(struct reader *r, enum tna_obj_kind kind);
};

extern const struct reader_ops rtnl_reader_ops;	  /* rtnl.c: links .. tc */
extern const struct reader_ops listen_reader_ops; /* listen.c: sock_diag */
extern const struct reader_ops nft_reader_ops;	  /* netfilter.c: nftables + legacy */

#endif
