// SPDX-License-Identifier: GPL-2.0
/*
 * The listener and netfilter decoders, fed messages built here the way the
 * kernel builds them (sock_diag replies, nf_tables dumps), then broken ones.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "introspect/listen.h"
#include "introspect/netfilter.h"
#include "tests/check.h"

/* ct state bits as nft puts them in a register (host byte order). */
#define CT_INVALID 0x1
#define CT_ESTABLISHED 0x2
#define CT_RELATED 0x4
/* BR_HOOK_FORWARD: linux/netfilter_bridge.h clashes with net/if.h. */
#define BR_HOOK_FORWARD 2

static char buf[8192];

static struct nlmsghdr *diag_msg(uint8_t family, struct inet_diag_msg **msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	*msg = mnl_nlmsg_put_extra_header(nlh, sizeof(**msg));
	(*msg)->idiag_family = family;
	(*msg)->idiag_state = TCP_LISTEN;
	return nlh;
}

static void test_listener_v4(void)
{
	struct inet_diag_msg *msg;
	struct nlmsghdr *nlh = diag_msg(AF_INET, &msg);
	struct tna_listener l;
	uint8_t want[4] = { 10, 0, 0, 1 };

	msg->id.idiag_sport = htons(8080);
	memcpy(msg->id.idiag_src, want, 4);
	msg->id.idiag_if = 3;
	msg->idiag_inode = 123456;
	msg->idiag_uid = 1000;
	mnl_attr_put_u8(nlh, INET_DIAG_SHUTDOWN, 0);
	memset(&l, 0xff, sizeof(l));
	CHECK_EQ_INT(listen_parse(nlh, &l), 0, "listener v4: parses");
	CHECK_EQ_INT(l.family, AF_INET, "listener v4: family");
	CHECK_EQ_INT(l.addr.family, AF_INET, "listener v4: address family");
	CHECK(!memcmp(l.addr.bytes, want, 4), "listener v4: address 10.0.0.1");
	CHECK_EQ_INT(l.addr.bytes[4], 0, "listener v4: address bytes past 4 are zero");
	CHECK_EQ_INT(l.port, 8080, "listener v4: port in host order");
	CHECK_EQ_INT(l.ifindex, 3, "listener v4: bound device");
	CHECK_EQ_INT(l.inode, 123456, "listener v4: inode");
	CHECK_EQ_INT(l.uid, 1000, "listener v4: uid");
	CHECK_EQ_INT(l.owner, TNA_OWNER_KERNEL, "listener v4: owner kernel");
	CHECK(!l.v6only, "listener v4: not v6only");
}

static void test_listener_v6(void)
{
	static const uint8_t zero[16];
	struct inet_diag_msg *msg;
	struct nlmsghdr *nlh = diag_msg(AF_INET6, &msg);
	struct tna_listener l;

	msg->id.idiag_sport = htons(443);
	msg->idiag_inode = 77;
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
	CHECK_EQ_INT(listen_parse(nlh, &l), 0, "listener v6: parses");
	CHECK_EQ_INT(l.family, AF_INET6, "listener v6: family");
	CHECK(!memcmp(l.addr.bytes, zero, 16), "listener v6: wildcard is all zero");
	CHECK_EQ_INT(l.port, 443, "listener v6: port");
	CHECK_EQ_INT(l.ifindex, 0, "listener v6: no device");
	CHECK(l.v6only, "listener v6: v6only from INET_DIAG_SKV6ONLY");

	nlh = diag_msg(AF_INET6, &msg);
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 0);
	CHECK_EQ_INT(listen_parse(nlh, &l), 0, "listener v6 dual-stack: parses");
	CHECK(!l.v6only, "listener v6 dual-stack: v6only false");
}

static void test_listener_bad(void)
{
	struct inet_diag_msg *msg;
	struct nlmsghdr *nlh;
	struct tna_listener l;

	nlh = diag_msg(AF_INET, &msg);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(*msg) / 2;
	CHECK_EQ_INT(listen_parse(nlh, &l), -EINVAL, "listener: truncated inet_diag_msg refused");

	nlh = diag_msg(AF_INET6, &msg);
	mnl_attr_put_u32(nlh, INET_DIAG_SKV6ONLY, 1);
	CHECK_EQ_INT(listen_parse(nlh, &l), -EINVAL, "listener: SKV6ONLY of the wrong size refused");

	nlh = diag_msg(AF_UNIX, &msg);
	CHECK_EQ_INT(listen_parse(nlh, &l), -EINVAL, "listener: non-inet family refused");
}

static struct nlmsghdr *nft_msg(uint8_t type, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

static void test_table(void)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWTABLE, NFPROTO_BRIDGE);
	struct tna_nft_table t;

	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "t");
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, htonl(NFT_TABLE_F_DORMANT));
	mnl_attr_put_u32(nlh, NFTA_TABLE_USE, htonl(2));
	mnl_attr_put_u64(nlh, NFTA_TABLE_HANDLE, htobe64(7));
	CHECK_EQ_INT(nft_parse_table(nlh, &t), 0, "table: parses");
	CHECK_EQ_INT(t.family, NFPROTO_BRIDGE, "table: family from nfgenmsg");
	CHECK_EQ_STR(t.name, "t", "table: name");
	CHECK_EQ_INT(t.flags, NFT_TABLE_F_DORMANT, "table: flags");
	CHECK_EQ_INT(t.use, 2, "table: use");
	CHECK_EQ_INT(t.handle, 7, "table: handle");
}

static void put_hook(struct nlmsghdr *nlh, uint32_t hooknum, int32_t prio)
{
	struct nlattr *hook = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);

	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(hooknum));
	mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl((uint32_t)prio));
	mnl_attr_nest_end(nlh, hook);
}

static void test_chains(void)
{
	struct nlattr *hook, *devs;
	struct tna_nft_chain c;
	struct nlmsghdr *nlh;

	nlh = nft_msg(NFT_MSG_NEWCHAIN, NFPROTO_BRIDGE);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "t");
	mnl_attr_put_u64(nlh, NFTA_CHAIN_HANDLE, htobe64(2));
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "fwd");
	put_hook(nlh, BR_HOOK_FORWARD, -200);
	mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(NF_DROP));
	mnl_attr_put_u32(nlh, NFTA_CHAIN_USE, htonl(1));
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "filter");
	CHECK_EQ_INT(nft_parse_chain(nlh, &c), 0, "base chain: parses");
	CHECK_EQ_INT(c.family, NFPROTO_BRIDGE, "base chain: family");
	CHECK_EQ_STR(c.table, "t", "base chain: table");
	CHECK_EQ_STR(c.name, "fwd", "base chain: name");
	CHECK_EQ_INT(c.handle, 2, "base chain: handle");
	CHECK(c.base, "base chain: is a base chain");
	CHECK_EQ_INT(c.hooknum, BR_HOOK_FORWARD, "base chain: hook");
	CHECK_EQ_INT(c.priority, -200, "base chain: negative priority");
	CHECK_EQ_STR(c.type, "filter", "base chain: type");
	CHECK_EQ_INT(c.policy, NF_DROP, "base chain: policy drop");
	CHECK_EQ_INT(c.use, 1, "base chain: use");
	CHECK_EQ_STR(c.dev, "", "base chain: no device");

	nlh = nft_msg(NFT_MSG_NEWCHAIN, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "helper");
	mnl_attr_put_u64(nlh, NFTA_CHAIN_HANDLE, htobe64(9));
	mnl_attr_put_u32(nlh, NFTA_CHAIN_USE, htonl(0));
	CHECK_EQ_INT(nft_parse_chain(nlh, &c), 0, "regular chain: parses");
	CHECK_EQ_INT(c.family, NFPROTO_INET, "regular chain: family");
	CHECK_EQ_STR(c.name, "helper", "regular chain: name");
	CHECK(!c.base, "regular chain: not a base chain");
	CHECK_EQ_INT(c.hooknum, 0, "regular chain: no hook");
	CHECK_EQ_INT(c.policy, NF_ACCEPT, "regular chain: returns like accept");
	CHECK_EQ_STR(c.type, "", "regular chain: no type");

	nlh = nft_msg(NFT_MSG_NEWCHAIN, NFPROTO_NETDEV);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "nd");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "in");
	hook = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_NETDEV_EGRESS));
	mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl(0));
	devs = mnl_attr_nest_start(nlh, NFTA_HOOK_DEVS);
	mnl_attr_put_strz(nlh, NFTA_DEVICE_NAME, "veth0");
	mnl_attr_put_strz(nlh, NFTA_DEVICE_NAME, "veth1");
	mnl_attr_nest_end(nlh, devs);
	mnl_attr_nest_end(nlh, hook);
	CHECK_EQ_INT(nft_parse_chain(nlh, &c), 0, "netdev chain: parses");
	CHECK_EQ_INT(c.hooknum, NF_NETDEV_EGRESS, "netdev chain: egress hook");
	CHECK_EQ_STR(c.dev, "veth0", "netdev chain: first device of NFTA_HOOK_DEVS");
}

static struct nlattr *expr_start(struct nlmsghdr *nlh, const char *name, struct nlattr **data)
{
	struct nlattr *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);

	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	*data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	return elem;
}

static void expr_end(struct nlmsghdr *nlh, struct nlattr *elem, struct nlattr *data)
{
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
}

static void put_value(struct nlmsghdr *nlh, uint16_t type, uint32_t host_value)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(host_value), &host_value);
	mnl_attr_nest_end(nlh, nest);
}

static void put_meta(struct nlmsghdr *nlh, uint32_t key, uint32_t dreg)
{
	struct nlattr *data, *elem = expr_start(nlh, "meta", &data);

	mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(key));
	mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(dreg));
	expr_end(nlh, elem, data);
}

static void put_ct_state(struct nlmsghdr *nlh, uint32_t dreg)
{
	struct nlattr *data, *elem = expr_start(nlh, "ct", &data);

	mnl_attr_put_u32(nlh, NFTA_CT_DREG, htonl(dreg));
	mnl_attr_put_u32(nlh, NFTA_CT_KEY, htonl(NFT_CT_STATE));
	expr_end(nlh, elem, data);
}

static void put_bitwise(struct nlmsghdr *nlh, uint32_t reg, uint32_t mask)
{
	struct nlattr *data, *elem = expr_start(nlh, "bitwise", &data);

	mnl_attr_put_u32(nlh, NFTA_BITWISE_SREG, htonl(reg));
	mnl_attr_put_u32(nlh, NFTA_BITWISE_DREG, htonl(reg));
	mnl_attr_put_u32(nlh, NFTA_BITWISE_LEN, htonl(4));
	put_value(nlh, NFTA_BITWISE_MASK, mask);
	put_value(nlh, NFTA_BITWISE_XOR, 0);
	expr_end(nlh, elem, data);
}

static void put_cmp(struct nlmsghdr *nlh, uint32_t reg, uint32_t op, uint32_t value)
{
	struct nlattr *data, *elem = expr_start(nlh, "cmp", &data);

	mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(reg));
	mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(op));
	put_value(nlh, NFTA_CMP_DATA, value);
	expr_end(nlh, elem, data);
}

static void put_verdict(struct nlmsghdr *nlh, int32_t code)
{
	struct nlattr *data, *elem = expr_start(nlh, "immediate", &data);
	struct nlattr *imm, *verdict;

	mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
	imm = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
	verdict = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)code));
	mnl_attr_nest_end(nlh, verdict);
	mnl_attr_nest_end(nlh, imm);
	expr_end(nlh, elem, data);
}

static void put_empty(struct nlmsghdr *nlh, const char *name)
{
	struct nlattr *data, *elem = expr_start(nlh, name, &data);

	expr_end(nlh, elem, data);
}

static struct nlmsghdr *rule_start(uint8_t family, uint64_t handle, struct nlattr **exprs)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWRULE, family);

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "fwd");
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(handle));
	*exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	return nlh;
}

/* "ether type arp drop" as nft 1.0 sends it for the bridge family. */
static void test_rule_drop(void)
{
	struct tna_nft_rule rule;
	struct nlattr *exprs;
	struct nlmsghdr *nlh = rule_start(NFPROTO_BRIDGE, 4, &exprs);

	put_meta(nlh, NFT_META_PROTOCOL, NFT_REG32_00);
	put_cmp(nlh, NFT_REG32_00, NFT_CMP_EQ, htons(0x0806));
	put_verdict(nlh, NF_DROP);
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), 0, "drop rule: parses");
	CHECK_EQ_INT(rule.family, NFPROTO_BRIDGE, "drop rule: family");
	CHECK_EQ_STR(rule.table, "t", "drop rule: table");
	CHECK_EQ_STR(rule.chain, "fwd", "drop rule: chain");
	CHECK_EQ_INT(rule.handle, 4, "drop rule: handle");
	CHECK_EQ_INT(rule.expr_count, 3, "drop rule: three expressions");
	CHECK_EQ_STR(rule.exprs, "meta,cmp,immediate", "drop rule: expression names");
	CHECK(rule.verdict_drop, "drop rule: verdict drop");
	CHECK(!rule.ct_established, "drop rule: no ct state");

	nlh = rule_start(NFPROTO_INET, 5, &exprs);
	put_meta(nlh, NFT_META_L4PROTO, NFT_REG_1);
	put_cmp(nlh, NFT_REG_1, NFT_CMP_EQ, IPPROTO_TCP);
	put_empty(nlh, "reject");
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), 0, "reject rule: parses");
	CHECK(rule.verdict_drop, "reject rule: counts as drop");

	nlh = rule_start(NFPROTO_INET, 6, &exprs);
	put_empty(nlh, "counter");
	put_verdict(nlh, NF_ACCEPT);
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), 0, "accept rule: parses");
	CHECK(!rule.verdict_drop, "accept rule: no drop");
	CHECK_EQ_STR(rule.exprs, "counter,immediate", "accept rule: expression names");
}

/* One rule "ct state <mask> <op> <value> accept"; returns ct_established. */
static bool ct_rule(uint32_t ct_reg, uint32_t cmp_reg, uint32_t mask, uint32_t op,
		    uint32_t value, bool meta_between, int *err)
{
	struct tna_nft_rule rule;
	struct nlattr *exprs;
	struct nlmsghdr *nlh = rule_start(NFPROTO_INET, 10, &exprs);

	put_ct_state(nlh, ct_reg);
	if (meta_between)
		put_meta(nlh, NFT_META_MARK, NFT_REG32_01);
	if (mask)
		put_bitwise(nlh, ct_reg, mask);
	put_cmp(nlh, cmp_reg, op, value);
	put_verdict(nlh, NF_ACCEPT);
	mnl_attr_nest_end(nlh, exprs);
	*err = nft_parse_rule(nlh, &rule);
	return rule.ct_established;
}

static void test_rule_ct(void)
{
	int err;
	bool est;

	est = ct_rule(NFT_REG32_00, NFT_REG32_00, CT_ESTABLISHED | CT_RELATED, NFT_CMP_NEQ, 0,
		      false, &err);
	CHECK(!err && est, "ct state established,related accept: ct_established");
	est = ct_rule(NFT_REG_1, NFT_REG32_00, CT_ESTABLISHED, NFT_CMP_NEQ, 0, false, &err);
	CHECK(!err && est, "ct state established via NFT_REG_1 alias: ct_established");
	est = ct_rule(NFT_REG32_00, NFT_REG32_00, 0, NFT_CMP_EQ, CT_ESTABLISHED, false, &err);
	CHECK(!err && est, "ct state == established without mask: ct_established");
	est = ct_rule(NFT_REG32_00, NFT_REG32_00, CT_INVALID, NFT_CMP_NEQ, 0, false, &err);
	CHECK(!err && !est, "ct state invalid: not ct_established");
	est = ct_rule(NFT_REG32_00, NFT_REG32_00, CT_ESTABLISHED, NFT_CMP_EQ, 0, false, &err);
	CHECK(!err && !est, "ct state != established: not ct_established");
	est = ct_rule(NFT_REG32_00, NFT_REG32_01, CT_ESTABLISHED, NFT_CMP_NEQ, 0, false, &err);
	CHECK(!err && !est, "cmp on another register: not ct_established");
	est = ct_rule(NFT_REG32_00, NFT_REG32_00, CT_ESTABLISHED, NFT_CMP_NEQ, 0, true, &err);
	CHECK(!err && !est, "unknown expression between ct and cmp: errs on false");
}

static void test_rule_many_exprs(void)
{
	struct tna_nft_rule rule;
	struct nlattr *exprs;
	struct nlmsghdr *nlh = rule_start(NFPROTO_IPV4, 1, &exprs);
	size_t len;
	int i;

	for (i = 0; i < 40; i++)
		put_empty(nlh, "counter");
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), 0, "40-expression rule: parses");
	CHECK_EQ_INT(rule.expr_count, 40, "40-expression rule: counts all");
	len = strlen(rule.exprs);
	CHECK(len < sizeof(rule.exprs) && len > 0 && rule.exprs[len - 1] == 'r' &&
		      !strncmp(rule.exprs, "counter,counter", 15),
	      "40-expression rule: names truncated at a name boundary (%zu chars)", len);
}

static void test_nft_bad(void)
{
	struct tna_nft_table t;
	struct tna_nft_chain c;
	struct tna_nft_rule rule;
	struct nlattr *exprs, *elem, *data;
	struct nlmsghdr *nlh;

	nlh = nft_msg(NFT_MSG_NEWTABLE, NFPROTO_IPV4);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	CHECK_EQ_INT(nft_parse_table(nlh, &t), -EINVAL, "table: truncated nfgenmsg refused");

	nlh = nft_msg(NFT_MSG_NEWTABLE, NFPROTO_IPV4);
	mnl_attr_put_u32(nlh, NFTA_TABLE_USE, htonl(1));
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "filter");
	nlh->nlmsg_len -= 8;
	CHECK_EQ_INT(nft_parse_table(nlh, &t), -EINVAL, "table: name cut off refused");

	nlh = nft_msg(NFT_MSG_NEWTABLE, NFPROTO_IPV4);
	mnl_attr_put(nlh, NFTA_TABLE_NAME, 3, "abc");
	CHECK_EQ_INT(nft_parse_table(nlh, &t), -EINVAL, "table: unterminated name refused");

	nlh = nft_msg(NFT_MSG_NEWTABLE, NFPROTO_IPV4);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "filter");
	mnl_attr_put_u16(nlh, NFTA_TABLE_USE, 1);
	CHECK_EQ_INT(nft_parse_table(nlh, &t), -EINVAL, "table: short NFTA_TABLE_USE refused");

	nlh = nft_msg(NFT_MSG_NEWCHAIN, NFPROTO_IPV4);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "c");
	elem = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_INET_FORWARD));
	mnl_attr_nest_end(nlh, elem);
	CHECK_EQ_INT(nft_parse_chain(nlh, &c), -EINVAL, "chain: hook without priority refused");

	nlh = nft_msg(NFT_MSG_NEWCHAIN, NFPROTO_IPV4);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "t");
	CHECK_EQ_INT(nft_parse_chain(nlh, &c), -EINVAL, "chain: missing name refused");

	nlh = rule_start(NFPROTO_IPV4, 1, &exprs);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "cmp");
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), -EINVAL, "rule: list item not NFTA_LIST_ELEM");

	nlh = rule_start(NFPROTO_IPV4, 1, &exprs);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_u32(nlh, NFTA_EXPR_DATA, 0);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), -EINVAL, "rule: expression without a name");

	nlh = rule_start(NFPROTO_IPV4, 1, &exprs);
	elem = expr_start(nlh, "cmp", &data);
	mnl_attr_put_u16(nlh, NFTA_CMP_OP, 1);
	expr_end(nlh, elem, data);
	mnl_attr_nest_end(nlh, exprs);
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), -EINVAL, "rule: short cmp operator refused");

	nlh = nft_msg(NFT_MSG_NEWRULE, NFPROTO_IPV4);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "c");
	CHECK_EQ_INT(nft_parse_rule(nlh, &rule), -EINVAL, "rule: missing table refused");
}

static void test_ipt_names(void)
{
	static const char text[] = "filter\nnat\n\nmangle";
	struct tna_ipt_table t[4];
	char long_name[100];

	CHECK_EQ_INT(ipt_parse_names(text, strlen(text), NFPROTO_IPV4, t, 4), 3,
		     "ipt names: three tables");
	CHECK_EQ_STR(t[0].name, "filter", "ipt names: first");
	CHECK_EQ_STR(t[1].name, "nat", "ipt names: second");
	CHECK_EQ_STR(t[2].name, "mangle", "ipt names: last without newline");
	CHECK_EQ_INT(t[2].family, NFPROTO_IPV4, "ipt names: family");
	CHECK_EQ_INT(ipt_parse_names("", 0, NFPROTO_ARP, t, 4), 0, "ipt names: empty file");
	CHECK_EQ_INT(ipt_parse_names(text, strlen(text), NFPROTO_IPV6, t, 2), -E2BIG,
		     "ipt names: more than fit refused");
	memset(long_name, 'x', sizeof(long_name));
	CHECK_EQ_INT(ipt_parse_names(long_name, sizeof(long_name), NFPROTO_IPV4, t, 4), -EINVAL,
		     "ipt names: overlong name refused");
}

int main(void)
{
	test_listener_v4();
	test_listener_v6();
	test_listener_bad();
	test_table();
	test_chains();
	test_rule_drop();
	test_rule_ct();
	test_rule_many_exprs();
	test_nft_bad();
	test_ipt_names();
	return check_exit();
}
