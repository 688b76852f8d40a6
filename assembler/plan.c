// SPDX-License-Identifier: GPL-2.0
/*
 * Planning one interface: every service the graph derives for it adds its
 * FPMs, and anything on the interface that a fast path would skip takes the
 * pipeline away. Services are listed in one table; a new one (routing, zstack
 * steering) adds an entry there and the FPMs it needs, nothing else.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "assembler/plan_priv.h"

void plan_link_id(int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "link:%d", ifindex);
}

/* The last slot is kept for saying that facts were left out, so a full plan
 * never reads as a complete one. */
void plan_add_fact(struct plan *p, enum plan_fact_kind kind, const char *subject,
		   const char *node, const char *fmt, ...)
{
	struct plan_fact *f;
	va_list ap;

	if (p->nfacts >= PLAN_MAX_FACTS)
		return;
	f = &p->facts[p->nfacts++];
	if (p->nfacts == PLAN_MAX_FACTS) {
		*f = (struct plan_fact){ .kind = kind };
		snprintf(f->subject, sizeof(f->subject), "plan");
		snprintf(f->text, sizeof(f->text),
			 "more facts than a plan holds; the rest are left out");
		return;
	}
	f->kind = kind;
	snprintf(f->subject, sizeof(f->subject), "%s", subject);
	snprintf(f->node, sizeof(f->node), "%s", node ? node : "");
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

/* Services share FPMs (parse_eth), so an FPM already planned is not added twice. */
struct plan_fpm *plan_add_fpm(struct plan *p, const char *name)
{
	struct plan_fpm *f;

	for (int i = 0; i < p->nfpms; i++)
		if (!strcmp(p->fpms[i].name, name))
			return &p->fpms[i];
	if (p->nfpms >= PLAN_MAX_FPMS)
		return NULL;
	f = &p->fpms[p->nfpms++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

int plan_fpm_set_const(struct plan_fpm *f, const char *name, long long value)
{
	struct plan_const *c = NULL;

	for (int i = 0; i < f->nconsts; i++)
		if (!strcmp(f->consts[i].name, name))
			c = &f->consts[i];
	if (!c) {
		if (f->nconsts >= PLAN_MAX_CONSTS)
			return -E2BIG;
		c = &f->consts[f->nconsts++];
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->value = value;
	return 0;
}

struct plan_service {
	/* The interface takes part in the service: its FPMs are planned. */
	bool (*applies)(struct planner *pl);
	/* Adds the service's FPMs, constants and facts; a NO_PIPELINE fact
	 * takes the pipeline away. 0 or -errno. */
	int (*plan)(struct planner *pl);
};

static const struct tna_link *bridge_of(struct planner *pl)
{
	const struct tna_link *master;

	if (!pl->link->master)
		return NULL;
	master = graph__link(pl->g, pl->link->master);
	return master && master->is_bridge ? master : NULL;
}

static bool bridging_applies(struct planner *pl)
{
	return bridge_of(pl) != NULL;
}

static int bridging_plan(struct planner *pl)
{
	return plan_bridge_port(pl, bridge_of(pl));
}

static const struct plan_service services[] = {
	{ bridging_applies, bridging_plan },
	{ plan_zstack_applies, plan_zstack },
};

bool plan_has_no_pipeline(const struct plan *p)
{
	for (int i = 0; i < p->nfacts; i++)
		if (p->facts[i].kind == PLAN_FACT_NO_PIPELINE)
			return true;
	return false;
}

int plan__build(struct graph *g, const struct plan_env *env, int ifindex, struct plan *out)
{
	struct planner pl = { .g = g, .env = env, .p = out };
	bool applies[sizeof(services) / sizeof(services[0])];
	bool served = false;
	char node[32];
	int err = 0;

	memset(out, 0, sizeof(*out));
	pl.link = graph__link(g, ifindex);
	if (!pl.link)
		return -ENOENT;
	out->ifindex = ifindex;
	snprintf(out->ifname, sizeof(out->ifname), "%s", pl.link->name);

	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		applies[i] = services[i].applies(&pl);
		served |= applies[i];
	}
	if (!served) {
		plan_link_id(ifindex, node, sizeof(node));
		plan_add_fact(out, PLAN_FACT_NO_PIPELINE, "pipeline", node,
			      "not a bridge port, and no zstack application attached: no service "
			      "needs a fast path here");
		return 0;
	}
	err = plan_interface(&pl);
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]) && !err; i++)
		if (applies[i])
			err = services[i].plan(&pl);
	if (err)
		return err;
	out->pipeline = !plan_has_no_pipeline(out) && out->nfpms > 0;
	if (!out->pipeline) {
		out->nfpms = 0;
		memset(out->fpms, 0, sizeof(out->fpms));
	}
	return 0;
}

bool plan__same_pipeline(const struct plan *a, const struct plan *b)
{
	if (a->pipeline != b->pipeline || a->nfpms != b->nfpms)
		return false;
	for (int i = 0; i < a->nfpms; i++) {
		const struct plan_fpm *x = &a->fpms[i], *y = &b->fpms[i];

		if (strcmp(x->name, y->name) || x->nconsts != y->nconsts)
			return false;
		for (int j = 0; j < x->nconsts; j++)
			if (strcmp(x->consts[j].name, y->consts[j].name) ||
			    x->consts[j].value != y->consts[j].value)
				return false;
	}
	return true;
}
