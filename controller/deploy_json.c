// SPDX-License-Identifier: GPL-2.0
/* What the deployer tells tnactl: pipelines, counters, explanations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controller/deploy_priv.h"
#include "controller/egress.h"
#include "controller/fdb_sync.h"
#include "controller/graph.h"
#include "controller/names.h"

static int iface_of(struct deployer *d, const char *ifname, struct deploy_iface **out)
{
	if (!graph__link_by_name(d->opts.graph, ifname))
		return -ENODEV;
	*out = deploy_iface_by_name(d, ifname);
	return *out && (*out)->pipeline ? 0 : -ENOENT;
}

static double ms(uint64_t us)
{
	return us / 1000.0;
}

static json_t *fpm_names(const struct plan *p)
{
	json_t *a = json_array();

	for (int i = 0; a && i < p->nfpms; i++)
		json_array_append_new(a, json_string(p->fpms[i].name));
	return a;
}

static json_t *pipeline_json(const struct deploy_iface *ifc)
{
	return json_pack("{s:s,s:i,s:o,s:I,s:I,s:I,s:s,s:b,s:s,s:f,s:f,s:f,s:f,s:I}",
			 "ifname", ifc->plan.ifname, "ifindex", ifc->ifindex,
			 "fpms", fpm_names(&ifc->live),
			 "prog_id", (json_int_t)ifc->prog_id,
			 "root_prog_id", (json_int_t)ifc->root_id,
			 "xlated_insns", (json_int_t)ifc->xlated_insns,
			 "hash", ifc->hash, "cached", ifc->cached, "attach", "native",
			 "compile_ms", ms(ifc->compile_us), "load_ms", ms(ifc->load_us),
			 "live_ms", ms(ifc->live_us), "since_change_ms", ms(ifc->since_change_us),
			 "loads", (json_int_t)ifc->loads);
}

int deployer__pipeline_json(struct deployer *d, const char *ifname, json_t **out)
{
	struct deploy_iface *ifc;
	int err = iface_of(d, ifname, &ifc);

	if (err)
		return err;
	*out = pipeline_json(ifc);
	return *out ? 0 : -ENOMEM;
}

static int fpm_id_of(const char *name)
{
	for (unsigned int id = 0; id < FPM_ID_MAX; id++)
		if (tna_fpm_name(id) && strcmp(tna_fpm_name(id), name) == 0)
			return id;
	return -1;
}

/* One FPM's outcomes: {"fpm","redirected","punted":{reason:n}}; *decided is
 * how many packets it decided. */
static json_t *fpm_stats(struct deployer *d, const struct deploy_iface *ifc, int id,
			 uint64_t *decided)
{
	json_t *punted = json_object(), *o;
	uint64_t redirected = 0;
	__u64 n = 0;

	*decided = 0;
	for (unsigned int out = 0; out < TNA_PUNT_MAX; out++) {
		if (tna_maps__read_counter(&d->maps, ifc->ifslot, id, out, &n) || !n)
			continue;
		*decided += n;
		if (out == TNA_PUNT_NONE)
			redirected = n;
		else
			json_object_set_new(punted, tna_outcome_name(out), json_integer(n));
	}
	o = json_pack("{s:s,s:I,s:o}", "fpm", tna_fpm_name(id), "redirected",
		      (json_int_t)redirected, "punted", punted);
	return o;
}

/* Packets an FPM handled: what it decided plus what every later one did. */
static json_t *iface_stats(struct deployer *d, const struct deploy_iface *ifc)
{
	int ids[PLAN_MAX_FPMS + 1], n = 0;
	uint64_t decided[PLAN_MAX_FPMS + 1], handled = 0, redirected = 0;
	json_t *fpms = json_array(), *f[PLAN_MAX_FPMS + 1];

	ids[n++] = FPM_ID_ROOT;
	for (int i = 0; i < ifc->live.nfpms; i++) {
		int id = fpm_id_of(ifc->live.fpms[i].name);

		if (id > 0)
			ids[n++] = id;
	}
	for (int i = 0; i < n; i++) {
		f[i] = fpm_stats(d, ifc, ids[i], &decided[i]);
		redirected += json_integer_value(json_object_get(f[i], "redirected"));
	}
	for (int i = n - 1; i >= 0; i--) {
		handled += decided[i];
		json_object_set_new(f[i], "handled", json_integer(handled));
	}
	for (int i = 0; i < n; i++)
		json_array_append_new(fpms, f[i]);
	return json_pack("{s:s,s:i,s:I,s:I,s:I,s:o}", "ifname", ifc->plan.ifname, "ifindex",
			 ifc->ifindex, "packets", (json_int_t)handled, "redirected",
			 (json_int_t)redirected, "punted", (json_int_t)(handled - redirected),
			 "fpms", fpms);
}

int deployer__stats_json(struct deployer *d, const char *ifname, json_t **out)
{
	struct fdb_sync_stats fs;
	struct deploy_iface *ifc;
	json_t *list;
	int err;

	if (ifname) {
		err = iface_of(d, ifname, &ifc);
		if (err)
			return err;
		*out = iface_stats(d, ifc);
		return *out ? 0 : -ENOMEM;
	}
	list = json_array();
	for (size_t i = 0; list && i < d->nifaces; i++)
		if (d->ifaces[i]->pipeline)
			json_array_append_new(list, iface_stats(d, d->ifaces[i]));
	fdb_sync__get_stats(d->fdb, &fs);
	*out = json_pack("{s:o,s:{s:I,s:I,s:I,s:I}}", "interfaces", list, "fdb_mirror",
			 "updates", (json_int_t)fs.updates, "removals", (json_int_t)fs.removals,
			 "refreshes", (json_int_t)fs.refreshes, "refresh_errors",
			 (json_int_t)fs.refresh_errors);
	return *out ? 0 : -ENOMEM;
}

/* What the maps hold for the port now, which is what the fast path acts on. */
static json_t *port_map_json(struct deployer *d, const struct deploy_iface *ifc, int ifindex)
{
	__u32 key = ifindex, dev, slot = ifc ? ifc->portslot : TNA_PORT_SLOT_NONE;
	char buf[NAMES_BUF];
	struct tna_port p;
	bool in_devmap = !bpf_map_lookup_elem(d->maps.devmap, &key, &dev);

	if (tna_maps__read_port(&d->maps, slot, ifindex, &p))
		return json_pack("{s:b,s:b}", "in_port_table", 0, "in_devmap", in_devmap);
	return json_pack("{s:b,s:b,s:i,s:i,s:i,s:s,s:o}", "in_port_table", 1, "in_devmap",
			 in_devmap, "slot", slot, "bridge", p.bridge, "mtu", p.mtu, "state",
			 names_brport_state(p.state, buf), "flags", plan_port_flags_json(p.flags));
}

static json_t *deploy_state(const struct deploy_iface *ifc)
{
	if (ifc && ifc->pipeline)
		return json_pack("{s:s,s:o}", "state", "live", "pipeline", pipeline_json(ifc));
	if (ifc && ifc->failed)
		return json_pack("{s:s,s:s}", "state", "failed", "error", ifc->error);
	return json_pack("{s:s}", "state", "none");
}

int deployer__explain_json(struct deployer *d, const char *ifname, json_t **out)
{
	const struct tna_link *l = graph__link_by_name(d->opts.graph, ifname);
	struct deploy_iface *ifc;
	struct plan *p;
	int err;

	if (!l)
		return -ENODEV;
	ifc = deploy_iface_find(d, l->ifindex);
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* Planned now: the same as the last pass, unless a change is pending. */
	err = plan__build(d->opts.graph, &d->env, l->ifindex, p);
	if (err) {
		free(p);
		return err == -ENOENT ? -ENODEV : err;
	}
	*out = json_pack("{s:o,s:o,s:o,s:o}", "plan", plan__to_json(p), "deploy",
			 deploy_state(ifc), "port_map", port_map_json(d, ifc, l->ifindex), "egress",
			 egress__to_json(d->egress, l->ifindex));
	free(p);
	return *out ? 0 : -ENOMEM;
}
