// SPDX-License-Identifier: GPL-2.0
/*
 * zstack in the deployer: the AF_XDP sockets of applications, written into
 * the XSKMAP at (interface slot, queue) while their interface runs a root
 * program and taken out before the slot goes to another interface, and the
 * steering entries. A socket attached or gone changes the interface's plan
 * (xsk_steer in or out); a steering entry changes only the map.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/deploy_priv.h"
#include "controller/log.h"

static int xsk_count(const struct deployer *d, int ifindex)
{
	int n = 0;

	for (size_t i = 0; i < d->nxsks; i++)
		n += d->xsks[i].ifindex == ifindex;
	return n;
}

static void xsk_map_put(struct deployer *d, const struct deploy_iface *ifc,
			const struct deploy_xsk *x)
{
	__u32 index = tna_xsk_index(ifc->ifslot, x->queue);

	if (bpf_map_update_elem(d->maps.xskmap, &index, &x->fd, BPF_ANY))
		pr_warn("%s: cannot put the AF_XDP socket of %s (queue %u) into the XSKMAP: %s; "
			"its traffic goes to the kernel", ifc->plan.ifname, x->who, x->queue,
			strerror(errno));
}

void deploy_zs_fill_slot(struct deployer *d, const struct deploy_iface *ifc)
{
	for (size_t i = 0; i < d->nxsks; i++)
		if (d->xsks[i].ifindex == ifc->ifindex)
			xsk_map_put(d, ifc, &d->xsks[i]);
}

void deploy_zs_clear_slot(struct deployer *d, const struct deploy_iface *ifc)
{
	for (__u32 q = 0; q < TNA_XSK_QUEUES; q++) {
		__u32 index = tna_xsk_index(ifc->ifslot, q);

		bpf_map_delete_elem(d->maps.xskmap, &index);
	}
}

int deployer__xsk_add(struct deployer *d, int ifindex, uint32_t queue, int fd, const char *who)
{
	struct deploy_iface *ifc = deploy_iface_find(d, ifindex);
	struct deploy_xsk *x;

	if (queue >= TNA_XSK_QUEUES)
		return -ERANGE;
	if (d->nxsks == d->xsks_cap) {
		size_t cap = d->xsks_cap ? d->xsks_cap * 2 : 8;

		x = realloc(d->xsks, cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		d->xsks = x;
		d->xsks_cap = cap;
	}
	x = &d->xsks[d->nxsks++];
	*x = (struct deploy_xsk){ .ifindex = ifindex, .queue = queue, .fd = fd };
	snprintf(x->who, sizeof(x->who), "%s", who);
	if (ifc && ifc->root)
		xsk_map_put(d, ifc, x);
	if (xsk_count(d, ifindex) == 1)
		deploy_mark_dirty(d);
	return 0;
}

void deployer__xsk_remove(struct deployer *d, int ifindex, uint32_t queue)
{
	struct deploy_iface *ifc = deploy_iface_find(d, ifindex);

	for (size_t i = 0; i < d->nxsks; i++) {
		__u32 index;

		if (d->xsks[i].ifindex != ifindex || d->xsks[i].queue != queue)
			continue;
		if (ifc && ifc->root) {
			index = tna_xsk_index(ifc->ifslot, queue);
			bpf_map_delete_elem(d->maps.xskmap, &index);
		}
		d->xsks[i] = d->xsks[--d->nxsks];
		if (!xsk_count(d, ifindex))
			deploy_mark_dirty(d);
		return;
	}
}

static struct deploy_steer *steer_find(struct deployer *d, const struct tna_zs_key *key)
{
	for (size_t i = 0; i < d->nsteers; i++)
		if (!memcmp(&d->steers[i].key, key, sizeof(*key)))
			return &d->steers[i];
	return NULL;
}

int deployer__steer_add(struct deployer *d, const struct tna_zs_key *key,
			const struct tna_zs_val *val, const char *node, const char *text)
{
	struct deploy_steer *s = steer_find(d, key);

	if (s)
		return -EEXIST;
	if (d->nsteers == d->steers_cap) {
		size_t cap = d->steers_cap ? d->steers_cap * 2 : 16;

		s = realloc(d->steers, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		d->steers = s;
		d->steers_cap = cap;
	}
	if (bpf_map_update_elem(d->maps.zs_steer, key, val, BPF_NOEXIST))
		return -errno;
	s = &d->steers[d->nsteers++];
	s->key = *key;
	s->val = *val;
	snprintf(s->node, sizeof(s->node), "%s", node ? node : "");
	snprintf(s->text, sizeof(s->text), "%s", text);
	return 0;
}

void deployer__steer_remove(struct deployer *d, const struct tna_zs_key *key)
{
	struct deploy_steer *s = steer_find(d, key);

	if (!s)
		return;
	bpf_map_delete_elem(d->maps.zs_steer, key);
	*s = d->steers[--d->nsteers];
}

bool deployer__steering_live(struct deployer *d, int ifindex)
{
	struct deploy_iface *ifc = deploy_iface_find(d, ifindex);

	if (!ifc || !ifc->pipeline)
		return false;
	for (int i = 0; i < ifc->live.nfpms; i++)
		if (!strcmp(ifc->live.fpms[i].name, "xsk_steer"))
			return true;
	return false;
}

int deploy_zs_env(void *ctx, int ifindex, plan_zs_fact_fn fn, void *fctx)
{
	struct deployer *d = ctx;
	char text[256];

	if (!fn)
		return xsk_count(d, ifindex);
	for (size_t i = 0; i < d->nxsks; i++) {
		const struct deploy_xsk *x = &d->xsks[i];

		if (x->ifindex != ifindex)
			continue;
		snprintf(text, sizeof(text), "AF_XDP socket of %s on queue %u", x->who, x->queue);
		fn(fctx, true, "", text);
	}
	for (size_t i = 0; i < d->nsteers; i++)
		if ((int)d->steers[i].key.ifindex == ifindex)
			fn(fctx, false, d->steers[i].node, d->steers[i].text);
	return xsk_count(d, ifindex);
}

void deploy_zs_free(struct deployer *d)
{
	for (size_t i = 0; i < d->nsteers; i++)
		bpf_map_delete_elem(d->maps.zs_steer, &d->steers[i].key);
	free(d->xsks);
	free(d->steers);
}
