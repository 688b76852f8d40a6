/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoders for the netfilter reader (netfilter.c): nfnetlink messages of the
 * nf_tables subsystem and the legacy x_tables "names" files. Pure functions
 * over bytes, so they are tested without root.
 */
#ifndef TNA_INTROSPECT_NETFILTER_H
#define TNA_INTROSPECT_NETFILTER_H

#include <linux/netlink.h>
#include <stddef.h>

#include "introspect/objects.h"

/* Each decodes one NFT_MSG_NEW{TABLE,CHAIN,RULE} message (nfgenmsg + attributes).
 * 0, or -EINVAL for a truncated or malformed message. */
int nft_parse_table(const struct nlmsghdr *nlh, struct tna_nft_table *out);
int nft_parse_chain(const struct nlmsghdr *nlh, struct tna_nft_chain *out);
int nft_parse_rule(const struct nlmsghdr *nlh, struct tna_nft_rule *out);

/* Splits the text of /proc/net/{ip,ip6,arp}_tables_names (one table name a
 * line) into up to max tables of the given NFPROTO_* family. Returns how many,
 * or -EINVAL for a name that does not fit or -E2BIG for more than max names. */
int ipt_parse_names(const char *text, size_t len, uint8_t family, struct tna_ipt_table *out,
		    int max);

#endif
