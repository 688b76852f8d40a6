// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/egress.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/xdp_features.h"

struct egress_answer {
	int ifindex;
	bool deliverable;
	char reason[256];
};

struct egress {
	struct graph *graph;
	struct xdp_dev_features *features;	/* from the last dump */
	size_t nfeatures;
	bool features_known;			/* the kernel reports XDP features */
	struct egress_answer *answers;
	size_t nanswers, cap;
};

static int feature_add(void *ctx, const struct xdp_dev_features *f)
{
	struct egress *e = ctx;
	struct xdp_dev_features *v;

	v = realloc(e->features, (e->nfeatures + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->features = v;
	e->features[e->nfeatures++] = *f;
	return 0;
}

static void features_load(struct egress *e)
{
	int err;

	e->nfeatures = 0;
	err = xdp_features__dump(feature_add, e);
	if (err && e->features_known)
		pr_warn("egress: asking the kernel for XDP features failed: %s; interfaces "
			"count as not supporting XDP until it answers", strerror(-err));
	e->features_known = !err;
}

static uint64_t features_of(struct egress *e, int ifindex)
{
	for (size_t i = 0; i < e->nfeatures; i++)
		if (e->features[i].ifindex == ifindex)
			return e->features[i].features;
	return 0;
}

int egress__new(struct egress **out, struct graph *g)
{
	struct egress *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->graph = g;
	features_load(e);
	*out = e;
	return 0;
}

void egress__free(struct egress *e)
{
	if (!e)
		return;
	free(e->features);
	free(e->answers);
	free(e);
}

bool egress__native_xdp(struct egress *e, int ifindex)
{
	return features_of(e, ifindex) & XDP_FEATURE_BASIC;
}

static void answer(struct egress *e, struct egress_answer *a)
{
	const struct tna_link *l = graph__link(e->graph, a->ifindex);

	a->deliverable = false;
	a->reason[0] = '\0';
	if (!l) {
		snprintf(a->reason, sizeof(a->reason), "ifindex %d is not a link", a->ifindex);
		return;
	}
	if (!e->features_known) {
		snprintf(a->reason, sizeof(a->reason), "the kernel does not report XDP features "
			 "(Linux 6.3 or later does), so whether %s takes redirected frames is "
			 "unknown", l->name);
		return;
	}
	a->deliverable = features_of(e, a->ifindex) & XDP_FEATURE_NDO_XMIT;
	if (a->deliverable)
		return;
	/* veth reports ndo-xmit exactly while its peer can take XDP frames,
	 * wherever the peer's namespace is: the kernel answers for both ends. */
	if (strcmp(l->kind, "veth") == 0)
		snprintf(a->reason, sizeof(a->reason), "the peer of %s has neither GRO nor an "
			 "XDP program, so redirected frames would be dropped: enable GRO on the "
			 "peer (ethtool -K PEER gro on) or attach an XDP program to it", l->name);
	else
		snprintf(a->reason, sizeof(a->reason), "the driver of %s (%s) cannot transmit "
			 "redirected frames (no ndo_xdp_xmit)", l->name,
			 l->kind[0] ? l->kind : "physical");
}

static struct egress_answer *find(struct egress *e, int ifindex)
{
	for (size_t i = 0; i < e->nanswers; i++)
		if (e->answers[i].ifindex == ifindex)
			return &e->answers[i];
	return NULL;
}

static struct egress_answer *lookup(struct egress *e, int ifindex)
{
	struct egress_answer *a = find(e, ifindex), *v;

	if (a)
		return a;
	if (e->nanswers == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;

		v = realloc(e->answers, cap * sizeof(*v));
		if (!v)
			return NULL;
		e->answers = v;
		e->cap = cap;
	}
	a = &e->answers[e->nanswers++];
	a->ifindex = ifindex;
	answer(e, a);
	return a;
}

bool egress__deliverable(struct egress *e, int ifindex, char *reason, size_t len)
{
	struct egress_answer *a = lookup(e, ifindex);

	if (!a) {
		snprintf(reason, len, "out of memory while checking ifindex %d", ifindex);
		return false;
	}
	if (!a->deliverable)
		snprintf(reason, len, "%s", a->reason);
	return a->deliverable;
}

bool egress__refresh(struct egress *e)
{
	bool changed = false;
	size_t i = 0;

	features_load(e);
	while (i < e->nanswers) {
		struct egress_answer *a = &e->answers[i];
		struct egress_answer before = *a;

		if (!graph__link(e->graph, a->ifindex)) {
			*a = e->answers[--e->nanswers];
			continue;
		}
		answer(e, a);
		if (a->deliverable != before.deliverable || strcmp(a->reason, before.reason))
			changed = true;
		i++;
	}
	return changed;
}

json_t *egress__to_json(struct egress *e, int ifindex)
{
	struct egress_answer *a = lookup(e, ifindex);

	if (!a)
		return NULL;
	return json_pack("{s:b,s:s*}", "deliverable", a->deliverable, "reason",
			 a->deliverable ? NULL : a->reason);
}
