// SPDX-License-Identifier: GPL-2.0
/*
 * nf_tables messages → tna_nft_table / tna_nft_chain / tna_nft_rule.
 *
 * Names longer than TNA_NAME_MAX are truncated rather than refused: a chain
 * with a cut name still tells the fast path that something filters there,
 * and dropping it would hide a filter.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>

#include "introspect/netfilter.h"
#include "introspect/nl.h"

/* The nfgenmsg header and the attributes after it. */
static int nft_msg_parse(const struct nlmsghdr *nlh, const enum mnl_attr_data_type *policy,
			 unsigned int max, const struct nlattr **tb, uint8_t *family)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	int err;

	err = nl_parse_attrs(nlh, sizeof(*nfg), policy, max, tb);
	if (err)
		return err;
	*family = nfg->nfgen_family;
	return 0;
}

static uint32_t get_be32(const struct nlattr *attr)
{
	return ntohl(mnl_attr_get_u32(attr));
}

static uint64_t get_be64(const struct nlattr *attr)
{
	return be64toh(mnl_attr_get_u64(attr));
}

static const enum mnl_attr_data_type table_policy[NFTA_TABLE_MAX + 1] = {
	[NFTA_TABLE_NAME] = MNL_TYPE_NUL_STRING,
	[NFTA_TABLE_FLAGS] = MNL_TYPE_U32,
	[NFTA_TABLE_USE] = MNL_TYPE_U32,
	[NFTA_TABLE_HANDLE] = MNL_TYPE_U64,
};

int nft_parse_table(const struct nlmsghdr *nlh, struct tna_nft_table *out)
{
	const struct nlattr *tb[NFTA_TABLE_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	err = nft_msg_parse(nlh, table_policy, NFTA_TABLE_MAX, tb, &out->family);
	if (err)
		return err;
	if (!tb[NFTA_TABLE_NAME])
		return -EINVAL;
	nl_attr_str(tb[NFTA_TABLE_NAME], out->name, sizeof(out->name));
	if (tb[NFTA_TABLE_FLAGS])
		out->flags = get_be32(tb[NFTA_TABLE_FLAGS]);
	if (tb[NFTA_TABLE_USE])
		out->use = get_be32(tb[NFTA_TABLE_USE]);
	if (tb[NFTA_TABLE_HANDLE])
		out->handle = get_be64(tb[NFTA_TABLE_HANDLE]);
	return 0;
}

static const enum mnl_attr_data_type hook_policy[NFTA_HOOK_MAX + 1] = {
	[NFTA_HOOK_HOOKNUM] = MNL_TYPE_U32,
	[NFTA_HOOK_PRIORITY] = MNL_TYPE_U32,
	[NFTA_HOOK_DEV] = MNL_TYPE_NUL_STRING,
	[NFTA_HOOK_DEVS] = MNL_TYPE_NESTED,
};

/* A netdev chain on several devices lists them in NFTA_HOOK_DEVS; the first
 * one names it here. */
static int chain_parse_devs(const struct nlattr *devs, struct tna_nft_chain *out)
{
	const struct nlattr *dev;

	mnl_attr_for_each_nested(dev, devs) {
		if (mnl_attr_get_type(dev) != NFTA_DEVICE_NAME)
			continue;
		if (mnl_attr_validate(dev, MNL_TYPE_NUL_STRING) < 0)
			return -EINVAL;
		nl_attr_str(dev, out->dev, sizeof(out->dev));
		break;
	}
	return 0;
}

static int chain_parse_hook(const struct nlattr *nest, struct tna_nft_chain *out)
{
	const struct nlattr *tb[NFTA_HOOK_MAX + 1];
	int err;

	err = nl_parse_nested(nest, hook_policy, NFTA_HOOK_MAX, tb);
	if (err)
		return err;
	if (!tb[NFTA_HOOK_HOOKNUM] || !tb[NFTA_HOOK_PRIORITY])
		return -EINVAL;
	out->base = true;
	out->hooknum = get_be32(tb[NFTA_HOOK_HOOKNUM]);
	out->priority = (int32_t)get_be32(tb[NFTA_HOOK_PRIORITY]);
	if (tb[NFTA_HOOK_DEV])
		nl_attr_str(tb[NFTA_HOOK_DEV], out->dev, sizeof(out->dev));
	else if (tb[NFTA_HOOK_DEVS])
		return chain_parse_devs(tb[NFTA_HOOK_DEVS], out);
	return 0;
}

static const enum mnl_attr_data_type chain_policy[NFTA_CHAIN_MAX + 1] = {
	[NFTA_CHAIN_TABLE] = MNL_TYPE_NUL_STRING,
	[NFTA_CHAIN_HANDLE] = MNL_TYPE_U64,
	[NFTA_CHAIN_NAME] = MNL_TYPE_NUL_STRING,
	[NFTA_CHAIN_HOOK] = MNL_TYPE_NESTED,
	[NFTA_CHAIN_POLICY] = MNL_TYPE_U32,
	[NFTA_CHAIN_USE] = MNL_TYPE_U32,
	[NFTA_CHAIN_TYPE] = MNL_TYPE_NUL_STRING,
};

int nft_parse_chain(const struct nlmsghdr *nlh, struct tna_nft_chain *out)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	/* A regular chain has no policy of its own: when it ends, evaluation
	 * returns to the chain that jumped to it, as if it had accepted. */
	out->policy = NF_ACCEPT;
	err = nft_msg_parse(nlh, chain_policy, NFTA_CHAIN_MAX, tb, &out->family);
	if (err)
		return err;
	if (!tb[NFTA_CHAIN_TABLE] || !tb[NFTA_CHAIN_NAME])
		return -EINVAL;
	nl_attr_str(tb[NFTA_CHAIN_TABLE], out->table, sizeof(out->table));
	nl_attr_str(tb[NFTA_CHAIN_NAME], out->name, sizeof(out->name));
	if (tb[NFTA_CHAIN_HANDLE])
		out->handle = get_be64(tb[NFTA_CHAIN_HANDLE]);
	if (tb[NFTA_CHAIN_HOOK]) {
		err = chain_parse_hook(tb[NFTA_CHAIN_HOOK], out);
		if (err)
			return err;
	}
	if (tb[NFTA_CHAIN_TYPE])
		nl_attr_str(tb[NFTA_CHAIN_TYPE], out->type, sizeof(out->type));
	if (tb[NFTA_CHAIN_POLICY])
		out->policy = get_be32(tb[NFTA_CHAIN_POLICY]);
	if (tb[NFTA_CHAIN_USE])
		out->use = get_be32(tb[NFTA_CHAIN_USE]);
	return 0;
}

static const enum mnl_attr_data_type data_policy[NFTA_DATA_MAX + 1] = {
	[NFTA_DATA_VALUE] = MNL_TYPE_BINARY,
	[NFTA_DATA_VERDICT] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type verdict_policy[NFTA_VERDICT_MAX + 1] = {
	[NFTA_VERDICT_CODE] = MNL_TYPE_U32,
	[NFTA_VERDICT_CHAIN] = MNL_TYPE_NUL_STRING,
};

/* An nft_data nest holding a 4-byte value: 1 and *val set, 0 when it holds
 * something else (a verdict, a wider value), -EINVAL when malformed. */
static int data_get_u32(const struct nlattr *nest, uint32_t *val)
{
	const struct nlattr *tb[NFTA_DATA_MAX + 1];
	int err;

	if (!nest)
		return 0;
	err = nl_parse_nested(nest, data_policy, NFTA_DATA_MAX, tb);
	if (err)
		return err;
	if (!tb[NFTA_DATA_VALUE] || mnl_attr_get_payload_len(tb[NFTA_DATA_VALUE]) != sizeof(*val))
		return 0;
	/* Register contents travel in the order the register holds them. */
	memcpy(val, mnl_attr_get_payload(tb[NFTA_DATA_VALUE]), sizeof(*val));
	return 1;
}

/* An nft_data nest holding a verdict: 1 and *code set, 0 otherwise. */
static int data_get_verdict(const struct nlattr *nest, int32_t *code)
{
	const struct nlattr *tb[NFTA_DATA_MAX + 1], *vtb[NFTA_VERDICT_MAX + 1];
	int err;

	err = nl_parse_nested(nest, data_policy, NFTA_DATA_MAX, tb);
	if (err || !tb[NFTA_DATA_VERDICT])
		return err;
	err = nl_parse_nested(tb[NFTA_DATA_VERDICT], verdict_policy, NFTA_VERDICT_MAX, vtb);
	if (err)
		return err;
	if (!vtb[NFTA_VERDICT_CODE])
		return -EINVAL;
	*code = (int32_t)get_be32(vtb[NFTA_VERDICT_CODE]);
	return 1;
}

/* The 16-byte registers NFT_REG_1..4 alias the 4-byte ones from NFT_REG32_00,
 * so both spellings of a register compare equal once mapped. */
static int reg_normalize(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return NFT_REG32_00 + (reg - NFT_REG_1) * 4;
	return (int)reg;
}

/*
 * Which register holds the conntrack state, and which of its bits survive
 * the bitwise operations applied so far. Only the shape nft emits for
 * "ct state X" (ct load, optional AND mask, cmp) is understood; any other
 * expression in between forgets the register, so the answer errs on false.
 */
struct ct_track {
	int reg;		/* -1: no register holds the ct state */
	uint32_t mask;
};

static const enum mnl_attr_data_type ct_policy[NFTA_CT_MAX + 1] = {
	[NFTA_CT_DREG] = MNL_TYPE_U32,
	[NFTA_CT_KEY] = MNL_TYPE_U32,
	[NFTA_CT_DIRECTION] = MNL_TYPE_U8,
	[NFTA_CT_SREG] = MNL_TYPE_U32,
};

static int expr_ct(const struct nlattr *data, struct ct_track *ct)
{
	const struct nlattr *tb[NFTA_CT_MAX + 1];
	int err;

	ct->reg = -1;
	err = nl_parse_nested(data, ct_policy, NFTA_CT_MAX, tb);
	if (err)
		return err;
	if (tb[NFTA_CT_KEY] && tb[NFTA_CT_DREG] && get_be32(tb[NFTA_CT_KEY]) == NFT_CT_STATE) {
		ct->reg = reg_normalize(get_be32(tb[NFTA_CT_DREG]));
		ct->mask = ~0u;
	}
	return 0;
}

static const enum mnl_attr_data_type bitwise_policy[NFTA_BITWISE_MAX + 1] = {
	[NFTA_BITWISE_SREG] = MNL_TYPE_U32,
	[NFTA_BITWISE_DREG] = MNL_TYPE_U32,
	[NFTA_BITWISE_LEN] = MNL_TYPE_U32,
	[NFTA_BITWISE_MASK] = MNL_TYPE_NESTED,
	[NFTA_BITWISE_XOR] = MNL_TYPE_NESTED,
	[NFTA_BITWISE_OP] = MNL_TYPE_U32,
	[NFTA_BITWISE_DATA] = MNL_TYPE_NESTED,
};

static int expr_bitwise(const struct nlattr *data, struct ct_track *ct)
{
	const struct nlattr *tb[NFTA_BITWISE_MAX + 1];
	uint32_t mask, xor;
	int err, reg = ct->reg;

	ct->reg = -1;
	err = nl_parse_nested(data, bitwise_policy, NFTA_BITWISE_MAX, tb);
	if (err || reg < 0)
		return err;
	if (!tb[NFTA_BITWISE_SREG] || !tb[NFTA_BITWISE_DREG] ||
	    reg_normalize(get_be32(tb[NFTA_BITWISE_SREG])) != reg)
		return 0;
	if (tb[NFTA_BITWISE_OP] && get_be32(tb[NFTA_BITWISE_OP]) != NFT_BITWISE_BOOL)
		return 0;
	err = data_get_u32(tb[NFTA_BITWISE_MASK], &mask);
	if (err <= 0)
		return err;
	err = data_get_u32(tb[NFTA_BITWISE_XOR], &xor);
	if (err <= 0)
		return err;
	if (xor == 0) {
		ct->reg = reg_normalize(get_be32(tb[NFTA_BITWISE_DREG]));
		ct->mask &= mask;
	}
	return 0;
}

static const enum mnl_attr_data_type cmp_policy[NFTA_CMP_MAX + 1] = {
	[NFTA_CMP_SREG] = MNL_TYPE_U32,
	[NFTA_CMP_OP] = MNL_TYPE_U32,
	[NFTA_CMP_DATA] = MNL_TYPE_NESTED,
};

/* A packet has exactly one conntrack state, so a test of the masked state
 * matches established traffic iff it holds for the established bit alone. */
static int expr_cmp(const struct nlattr *data, const struct ct_track *ct, bool *established)
{
	const uint32_t est = NF_CT_STATE_BIT(IP_CT_ESTABLISHED);
	const struct nlattr *tb[NFTA_CMP_MAX + 1];
	uint32_t val, op;
	int err;

	err = nl_parse_nested(data, cmp_policy, NFTA_CMP_MAX, tb);
	if (err || ct->reg < 0)
		return err;
	if (!tb[NFTA_CMP_SREG] || !tb[NFTA_CMP_OP] ||
	    reg_normalize(get_be32(tb[NFTA_CMP_SREG])) != ct->reg)
		return 0;
	err = data_get_u32(tb[NFTA_CMP_DATA], &val);
	if (err <= 0)
		return err;
	op = get_be32(tb[NFTA_CMP_OP]);
	if ((op == NFT_CMP_EQ && (est & ct->mask) == val) ||
	    (op == NFT_CMP_NEQ && (est & ct->mask) != val))
		*established = true;
	return 0;
}

static const enum mnl_attr_data_type immediate_policy[NFTA_IMMEDIATE_MAX + 1] = {
	[NFTA_IMMEDIATE_DREG] = MNL_TYPE_U32,
	[NFTA_IMMEDIATE_DATA] = MNL_TYPE_NESTED,
};

static int expr_immediate(const struct nlattr *data, bool *drop)
{
	const struct nlattr *tb[NFTA_IMMEDIATE_MAX + 1];
	int32_t code = NF_ACCEPT;
	int err;

	err = nl_parse_nested(data, immediate_policy, NFTA_IMMEDIATE_MAX, tb);
	if (err)
		return err;
	if (!tb[NFTA_IMMEDIATE_DREG] || !tb[NFTA_IMMEDIATE_DATA] ||
	    get_be32(tb[NFTA_IMMEDIATE_DREG]) != NFT_REG_VERDICT)
		return 0;
	err = data_get_verdict(tb[NFTA_IMMEDIATE_DATA], &code);
	if (err <= 0)
		return err;
	if (code == NF_DROP)
		*drop = true;
	return 0;
}

/* Appends name to the comma-separated list unless it no longer fits; after
 * the first name that does not fit, the list stays a prefix of the rule. */
static void rule_add_expr_name(struct tna_nft_rule *rule, const char *name, bool *full)
{
	size_t used = strlen(rule->exprs), need = strlen(name) + (used ? 1 : 0);

	rule->expr_count++;
	if (*full || used + need >= sizeof(rule->exprs)) {
		*full = true;
		return;
	}
	snprintf(rule->exprs + used, sizeof(rule->exprs) - used, "%s%s", used ? "," : "", name);
}

static const enum mnl_attr_data_type expr_policy[NFTA_EXPR_MAX + 1] = {
	[NFTA_EXPR_NAME] = MNL_TYPE_NUL_STRING,
	[NFTA_EXPR_DATA] = MNL_TYPE_NESTED,
};

static int rule_add_expr(struct tna_nft_rule *rule, const struct nlattr *elem, struct ct_track *ct,
			 bool *full)
{
	const struct nlattr *tb[NFTA_EXPR_MAX + 1];
	const char *name;
	int err;

	if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM ||
	    mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	err = nl_parse_nested(elem, expr_policy, NFTA_EXPR_MAX, tb);
	if (err)
		return err;
	if (!tb[NFTA_EXPR_NAME])
		return -EINVAL;
	name = mnl_attr_get_str(tb[NFTA_EXPR_NAME]);
	rule_add_expr_name(rule, name, full);
	if (!strcmp(name, "reject")) {
		rule->verdict_drop = true;
		return 0;
	}
	if (!tb[NFTA_EXPR_DATA]) {
		ct->reg = -1;
		return 0;
	}
	if (!strcmp(name, "immediate"))
		return expr_immediate(tb[NFTA_EXPR_DATA], &rule->verdict_drop);
	if (!strcmp(name, "ct"))
		return expr_ct(tb[NFTA_EXPR_DATA], ct);
	if (!strcmp(name, "bitwise"))
		return expr_bitwise(tb[NFTA_EXPR_DATA], ct);
	if (!strcmp(name, "cmp"))
		return expr_cmp(tb[NFTA_EXPR_DATA], ct, &rule->ct_established);
	ct->reg = -1;
	return 0;
}

static int rule_parse_exprs(const struct nlattr *list, struct tna_nft_rule *rule)
{
	struct ct_track ct = { .reg = -1 };
	const struct nlattr *elem;
	bool full = false;
	int err;

	mnl_attr_for_each_nested(elem, list) {
		err = rule_add_expr(rule, elem, &ct, &full);
		if (err)
			return err;
	}
	return 0;
}

static const enum mnl_attr_data_type rule_policy[NFTA_RULE_MAX + 1] = {
	[NFTA_RULE_TABLE] = MNL_TYPE_NUL_STRING,
	[NFTA_RULE_CHAIN] = MNL_TYPE_NUL_STRING,
	[NFTA_RULE_HANDLE] = MNL_TYPE_U64,
	[NFTA_RULE_EXPRESSIONS] = MNL_TYPE_NESTED,
};

int nft_parse_rule(const struct nlmsghdr *nlh, struct tna_nft_rule *out)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	err = nft_msg_parse(nlh, rule_policy, NFTA_RULE_MAX, tb, &out->family);
	if (err)
		return err;
	if (!tb[NFTA_RULE_TABLE] || !tb[NFTA_RULE_CHAIN])
		return -EINVAL;
	nl_attr_str(tb[NFTA_RULE_TABLE], out->table, sizeof(out->table));
	nl_attr_str(tb[NFTA_RULE_CHAIN], out->chain, sizeof(out->chain));
	if (tb[NFTA_RULE_HANDLE])
		out->handle = get_be64(tb[NFTA_RULE_HANDLE]);
	if (tb[NFTA_RULE_EXPRESSIONS])
		return rule_parse_exprs(tb[NFTA_RULE_EXPRESSIONS], out);
	return 0;
}
