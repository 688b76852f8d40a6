// SPDX-License-Identifier: GPL-2.0
#include "introspect/objects.h"

/* The names match the graph's node kinds (controller/GRAPH.md) where there is one. */
static const char *const kind_names[TNA_OBJ_KIND_MAX] = {
	[TNA_OBJ_LINK] = "link",
	[TNA_OBJ_ADDR] = "address",
	[TNA_OBJ_ROUTE] = "route",
	[TNA_OBJ_RULE] = "rule",
	[TNA_OBJ_NEIGH] = "neighbour",
	[TNA_OBJ_FDB] = "fdb",
	[TNA_OBJ_NETCONF] = "netconf",
	[TNA_OBJ_LISTENER] = "listener",
	[TNA_OBJ_NFT_TABLE] = "nft-table",
	[TNA_OBJ_NFT_CHAIN] = "nft-chain",
	[TNA_OBJ_NFT_RULE] = "nft-rule",
	[TNA_OBJ_IPT_TABLE] = "ipt-table",
	[TNA_OBJ_TC] = "tc",
};

const char *tna_obj_kind_name(enum tna_obj_kind kind)
{
	if ((unsigned int)kind >= TNA_OBJ_KIND_MAX || !kind_names[kind])
		return "unknown";
	return kind_names[kind];
}
