// SPDX-License-Identifier: GPL-2.0
/* A plan as JSON, for `tnactl explain` and `tnactl pipeline`. */
#include <jansson.h>

#include "assembler/plan.h"
#include "controller/names.h"

static const char *fact_kind_name(enum plan_fact_kind kind)
{
	switch (kind) {
	case PLAN_FACT_INCLUDED:
		return "included";
	case PLAN_FACT_OMITTED:
		return "omitted";
	case PLAN_FACT_PUNT:
		return "punt";
	case PLAN_FACT_NO_PIPELINE:
		return "no_pipeline";
	case PLAN_FACT_EGRESS:
		return "egress";
	}
	return "unknown";
}

static const struct {
	unsigned int flag;
	const char *name;
} port_flags[] = {
	{ TNA_PORT_F_READY, "ready" },		 { TNA_PORT_F_LEARNING, "learning" },
	{ TNA_PORT_F_ISOLATED, "isolated" },	 { TNA_PORT_F_LOCKED, "locked" },
	{ TNA_PORT_F_BR_PROMISC, "br_promisc" }, { TNA_PORT_F_NEIGH_PROXY, "neigh_proxy" },
	{ TNA_PORT_F_BR_NF_CHECK_IPV4, "br_nf_check_ipv4" },
	{ TNA_PORT_F_BR_NF_CHECK_IPV6, "br_nf_check_ipv6" },
	{ TNA_PORT_F_BR_NF_CHECK_ARP, "br_nf_check_arp" },
	{ TNA_PORT_F_BR_NF_IPV4, "br_nf_ipv4" },
	{ TNA_PORT_F_BR_NF_IPV6, "br_nf_ipv6" },
	{ TNA_PORT_F_BR_NF_ARP, "br_nf_arp" },
};

static int add(json_t *obj, const char *key, json_t *value)
{
	return json_object_set_new(obj, key, value);
}

static json_t *fpm_json(const struct plan_fpm *f)
{
	json_t *o = json_object(), *consts = json_object();
	int err = !o || !consts;

	for (int i = 0; !err && i < f->nconsts; i++)
		err = add(consts, f->consts[i].name, json_integer(f->consts[i].value));
	if (!err) {
		err = add(o, "name", json_string(f->name)) ?: add(o, "consts", consts);
		consts = NULL;
	}
	json_decref(consts);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *fact_json(const struct plan_fact *f)
{
	return json_pack("{s:s, s:s, s:s?, s:s}", "kind", fact_kind_name(f->kind), "subject",
			 f->subject, "node", f->node[0] ? f->node : NULL, "text", f->text);
}

json_t *plan_port_flags_json(unsigned int flags)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(port_flags) / sizeof(port_flags[0]); i++) {
		if ((flags & port_flags[i].flag) &&
		    json_array_append_new(a, json_string(port_flags[i].name))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *port_json(const struct plan *p)
{
	json_t *flags = plan_port_flags_json(p->port.flags);
	char buf[NAMES_BUF];
	int err = !flags;

	if (err) {
		return NULL;
	}
	return json_pack("{s:i, s:i, s:s, s:o}", "bridge", p->port.bridge, "mtu", p->port.mtu,
			 "state", names_brport_state(p->port.state, buf), "flags", flags);
}

json_t *plan__to_json(const struct plan *p)
{
	json_t *fpms = json_array(), *facts = json_array();
	json_t *port = p->is_port ? port_json(p) : json_null();
	int err = !fpms || !facts || !port;

	for (int i = 0; !err && i < p->nfpms; i++)
		err = json_array_append_new(fpms, fpm_json(&p->fpms[i]));
	for (int i = 0; !err && i < p->nfacts; i++)
		err = json_array_append_new(facts, fact_json(&p->facts[i]));
	if (err) {
		json_decref(fpms);
		json_decref(facts);
		json_decref(port);
		return NULL;
	}
	return json_pack("{s:s, s:i, s:b, s:o, s:o, s:o}", "ifname", p->ifname, "ifindex",
			 p->ifindex, "pipeline", p->pipeline, "fpms", fpms, "facts", facts,
			 "port", port);
}
