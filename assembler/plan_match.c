// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the graph objects a planning rule cares about, named by the node that
 * shows them (graph__obj_id), so `tnactl explain` points at a node that
 * `tnactl graph` shows.
 */
#include <linux/pkt_sched.h>
#include <stdio.h>
#include <string.h>

#include "assembler/plan_priv.h"
#include "controller/names.h"

struct match_walk {
	const struct planner *pl;
	plan_match_fn fn;
	struct plan_match *m;
};

static const char *tc_type_name(enum tna_tc_type type)
{
	switch (type) {
	case TNA_TC_QDISC:
		return "qdisc";
	case TNA_TC_CLASS:
		return "class";
	case TNA_TC_FILTER:
		return "filter";
	}
	return "object";
}

/* clsact's hooks by the names tc gives them. */
static const char *tc_parent_name(uint32_t parent, char *buf)
{
	if (parent == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS))
		return "ingress";
	if (parent == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS))
		return "egress";
	return names_tc_handle(parent, buf);
}

/* A description for people of the kinds planning looks at. */
static void describe(const struct tna_obj *obj, char *text, size_t len)
{
	char fb[NAMES_BUF], hb[NAMES_BUF], pb[NAMES_BUF];
	const struct tna_nft_chain *c;
	const struct tna_nft_rule *r;
	const struct tna_tc *t;
	const char *family;

	switch (obj->kind) {
	case TNA_OBJ_NFT_CHAIN:
		c = &obj->nft_chain;
		family = names_nft_family(c->family, fb);
		snprintf(text, len, "nft chain %s %s %s hooks %s%s%s", family, c->table, c->name,
			 names_nft_hook(c->family, c->hooknum, hb), c->dev[0] ? " on " : "",
			 c->dev);
		break;
	case TNA_OBJ_NFT_RULE:
		r = &obj->nft_rule;
		snprintf(text, len, "nft rule %s %s %s handle %llu",
			 names_nft_family(r->family, fb), r->table, r->chain,
			 (unsigned long long)r->handle);
		break;
	case TNA_OBJ_IPT_TABLE:
		snprintf(text, len, "legacy x_tables table %s %s",
			 names_nft_family(obj->ipt_table.family, fb), obj->ipt_table.name);
		break;
	case TNA_OBJ_TC:
		t = &obj->tc;
		if (t->type == TNA_TC_FILTER)
			snprintf(text, len, "tc filter %s prio %u under %s", t->kind, t->prio,
				 tc_parent_name(t->parent, pb));
		else
			snprintf(text, len, "tc %s %s %s under %s", tc_type_name(t->type), t->kind,
				 names_tc_handle(t->handle, hb), tc_parent_name(t->parent, pb));
		break;
	default:
		snprintf(text, len, "%s", tna_obj_kind_name(obj->kind));
		break;
	}
}

static int match_visit(void *ctx, const struct tna_obj *obj)
{
	struct match_walk *w = ctx;
	char id[sizeof(w->m->node)], text[sizeof(w->m->text)];

	if (!w->fn(w->pl, obj))
		return 0;
	graph__obj_id(w->pl->g, obj, id, sizeof(id));
	describe(obj, text, sizeof(text));
	if (!w->m->count++ || strcmp(id, w->m->node) < 0) {
		snprintf(w->m->node, sizeof(w->m->node), "%s", id);
		snprintf(w->m->text, sizeof(w->m->text), "%s", text);
	}
	return 0;
}

int plan_match(const struct planner *pl, enum tna_obj_kind kind, plan_match_fn fn,
	       struct plan_match *m)
{
	struct match_walk w = { .pl = pl, .fn = fn, .m = m };

	memset(m, 0, sizeof(*m));
	return graph__for_each(pl->g, kind, match_visit, &w);
}

const char *plan_match_more(const struct plan_match *m, char *buf, size_t len)
{
	if (m->count > 1)
		snprintf(buf, len, " (and %d more)", m->count - 1);
	else if (len)
		buf[0] = '\0';
	return buf;
}
