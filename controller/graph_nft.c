// SPDX-License-Identifier: GPL-2.0
/*
 * nft rules are not nodes: each chain node lists its rules. They are kept by
 * chain id, apart from the chain, because a dump may deliver a rule before the
 * chain it belongs to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/graph_priv.h"
#include "controller/log.h"

#define rules_of(e) ((struct nft_rules *)((char *)(e) - offsetof(struct nft_rules, he)))

int nft_rules_init(struct graph *g)
{
	return htab__init(&g->nft_rules);
}

static void rules_free(struct nft_rules *rs)
{
	free(rs->v);
	free(rs);
}

void nft_rules_fini(struct graph *g)
{
	struct htab_entry *e, *next;

	if (!g->nft_rules.buckets)
		return;
	for (e = htab__next(&g->nft_rules, NULL); e; e = next) {
		next = htab__next(&g->nft_rules, e);
		rules_free(rules_of(e));
	}
	htab__fini(&g->nft_rules);
}

const struct nft_rules *nft_rules_find(const struct graph *g, const char *chain_id)
{
	struct htab_entry *e = htab__find_str(&g->nft_rules, chain_id);

	return e ? rules_of(e) : NULL;
}

static void chain_changed(struct graph *g, const char *chain_id)
{
	struct gnode *n;

	if (!g->nwatchers)
		return;
	n = graph_find(g, chain_id);
	if (n)
		graph_emit_node(g, GRAPH_NODE_CHANGED, n);
}

static struct nft_rules *rules_get(struct graph *g, const struct tna_nft_rule *r,
				   const char *chain_id)
{
	struct htab_entry *e = htab__find_str(&g->nft_rules, chain_id);
	struct nft_rules *rs;

	if (e)
		return rules_of(e);
	rs = calloc(1, sizeof(*rs) + strlen(chain_id) + 1);
	if (!rs)
		return NULL;
	strcpy(rs->chain_id, chain_id);
	rs->family = r->family;
	snprintf(rs->table, sizeof(rs->table), "%s", r->table);
	rs->he.key = rs->chain_id;
	rs->he.key_len = strlen(rs->chain_id);
	if (htab__insert(&g->nft_rules, &rs->he)) {
		free(rs);
		return NULL;
	}
	return rs;
}

static void rules_drop(struct graph *g, struct nft_rules *rs)
{
	htab__remove(&g->nft_rules, &rs->he);
	rules_free(rs);
}

/* Rules keep the order they arrived in, which for a dump is the chain's order. */
void nft_rules_upsert(struct graph *g, const struct tna_nft_rule *r)
{
	char id[GRAPH_ID_MAX];
	struct nft_rules *rs;
	size_t i;

	graph_nft_chain_id(r->family, r->table, r->chain, id, sizeof(id));
	rs = rules_get(g, r, id);
	if (!rs)
		goto oom;
	for (i = 0; i < rs->count; i++)
		if (rs->v[i].rule.handle == r->handle)
			break;
	if (i < rs->count) {
		rs->v[i].stale = false;
		if (!memcmp(&rs->v[i].rule, r, sizeof(*r)))
			return;
		rs->v[i].rule = *r;
		chain_changed(g, id);
		return;
	}
	if (rs->count == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 4;
		struct nft_rule_entry *v = realloc(rs->v, cap * sizeof(*v));

		if (!v)
			goto oom;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->count].rule = *r;
	rs->v[rs->count].stale = false;
	rs->count++;
	chain_changed(g, id);
	return;
oom:
	pr_warn("graph: out of memory, a rule of %s is missing until the next resync",
		id);
}

static void rule_drop_at(struct nft_rules *rs, size_t i)
{
	memmove(&rs->v[i], &rs->v[i + 1], (rs->count - i - 1) * sizeof(rs->v[0]));
	rs->count--;
}

void nft_rules_remove(struct graph *g, const struct tna_nft_rule *r)
{
	char id[GRAPH_ID_MAX];
	struct htab_entry *e;
	struct nft_rules *rs;

	graph_nft_chain_id(r->family, r->table, r->chain, id, sizeof(id));
	e = htab__find_str(&g->nft_rules, id);
	if (!e)
		return;
	rs = rules_of(e);
	for (size_t i = 0; i < rs->count; i++) {
		if (rs->v[i].rule.handle != r->handle)
			continue;
		rule_drop_at(rs, i);
		if (!rs->count)
			rules_drop(g, rs);
		chain_changed(g, id);
		return;
	}
}

void nft_rules_resync_begin(struct graph *g)
{
	struct htab_entry *e;

	for (e = htab__next(&g->nft_rules, NULL); e; e = htab__next(&g->nft_rules, e))
		for (size_t i = 0; i < rules_of(e)->count; i++)
			rules_of(e)->v[i].stale = true;
}

void nft_rules_resync_end(struct graph *g)
{
	struct htab_entry *e, *next;

	for (e = htab__next(&g->nft_rules, NULL); e; e = next) {
		struct nft_rules *rs = rules_of(e);
		bool changed = false;
		size_t i = 0;

		next = htab__next(&g->nft_rules, e);
		while (i < rs->count) {
			if (rs->v[i].stale) {
				rule_drop_at(rs, i);
				changed = true;
			} else {
				i++;
			}
		}
		if (changed)
			chain_changed(g, rs->chain_id);
		if (!rs->count)
			rules_drop(g, rs);
	}
	htab__shrink(&g->nft_rules);
}

void nft_rules_drop_chain(struct graph *g, const char *chain_id)
{
	struct htab_entry *e = htab__find_str(&g->nft_rules, chain_id);

	if (e)
		rules_drop(g, rules_of(e));
}

void nft_rules_drop_table(struct graph *g, uint8_t family, const char *table)
{
	struct htab_entry *e, *next;

	for (e = htab__next(&g->nft_rules, NULL); e; e = next) {
		next = htab__next(&g->nft_rules, e);
		if (rules_of(e)->family == family && !strcmp(rules_of(e)->table, table))
			rules_drop(g, rules_of(e));
	}
}

int nft_rules_for_each(struct graph *g, int (*fn)(void *ctx, const struct tna_obj *obj),
		       void *ctx)
{
	struct tna_obj obj = { .kind = TNA_OBJ_NFT_RULE };
	struct htab_entry *e;
	int ret;

	for (e = htab__next(&g->nft_rules, NULL); e; e = htab__next(&g->nft_rules, e)) {
		for (size_t i = 0; i < rules_of(e)->count; i++) {
			obj.nft_rule = rules_of(e)->v[i].rule;
			ret = fn(ctx, &obj);
			if (ret)
				return ret;
		}
	}
	return 0;
}
