// SPDX-License-Identifier: GPL-2.0
/* tnactl's readable form of the fast path's answers: stats, pipeline, explain. */
#include <stdio.h>
#include <string.h>

#include "controller/tnactl_print.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_iface_stats(const json_t *s)
{
	const char *reason;
	size_t i;
	json_t *f, *n;

	printf("%s: %lld packets, %lld redirected, %lld to Linux\n", str(s, "ifname"),
	       num(s, "packets"), num(s, "redirected"), num(s, "punted"));
	json_array_foreach(json_object_get(s, "fpms"), i, f) {
		printf("  %-12s handled %-10lld redirected %-10lld", str(f, "fpm"),
		       num(f, "handled"), num(f, "redirected"));
		json_object_foreach(json_object_get(f, "punted"), reason, n)
			printf(" %s %lld", reason, (long long)json_integer_value(n));
		putchar('\n');
	}
}

void print_stats(const json_t *r)
{
	const json_t *fast = json_object_get(r, "fastpath");
	json_t *daemon, *s, *fdb;
	size_t i;

	if (json_object_get(r, "fpms")) {
		print_iface_stats(r);
		return;
	}
	/* The daemon's own counters first, then the fast path's. */
	daemon = json_copy((json_t *)r);
	if (daemon) {
		json_object_del(daemon, "fastpath");
		print_flat(daemon, "");
		json_decref(daemon);
	}
	if (!fast)
		return;
	fdb = json_object_get(fast, "fdb_mirror");
	printf("fdb mirror: %lld updates, %lld removals, %lld refreshes (%lld refused)\n",
	       num(fdb, "updates"), num(fdb, "removals"), num(fdb, "refreshes"),
	       num(fdb, "refresh_errors"));
	if (!json_array_size(json_object_get(fast, "interfaces")))
		printf("no interface runs a fast path\n");
	json_array_foreach(json_object_get(fast, "interfaces"), i, s)
		print_iface_stats(s);
}

void print_pipeline(const json_t *p)
{
	const json_t *fpms = json_object_get(p, "fpms");
	size_t i;
	json_t *f;

	printf("%s: ", str(p, "ifname"));
	json_array_foreach(fpms, i, f)
		printf("%s%s", i ? " -> " : "", json_string_value(f));
	printf("\n  prog %lld (root %lld, xdp %s), %lld instructions translated\n",
	       num(p, "prog_id"), num(p, "root_prog_id"), str(p, "attach"),
	       num(p, "xlated_insns"));
	printf("  source %.16s, %s; live in %.1f ms (compile %.1f, load %.1f)", str(p, "hash"),
	       json_is_true(json_object_get(p, "cached")) ? "cached" : "compiled",
	       json_real_value(json_object_get(p, "live_ms")),
	       json_real_value(json_object_get(p, "compile_ms")),
	       json_real_value(json_object_get(p, "load_ms")));
	if (json_real_value(json_object_get(p, "since_change_ms")) > 0)
		printf(", %.1f ms after the change",
		       json_real_value(json_object_get(p, "since_change_ms")));
	printf("; published %lld times\n", num(p, "loads"));
}

static void print_fact(const json_t *f)
{
	printf("  %-9s %-12s %s", str(f, "kind"), str(f, "subject"), str(f, "text"));
	if (str(f, "node"))
		printf("  [%s]", str(f, "node"));
	putchar('\n');
}

static void print_flags(const json_t *flags)
{
	size_t i;
	json_t *f;

	json_array_foreach(flags, i, f)
		printf("%s%s", i ? "," : " flags ", json_string_value(f));
}

void print_explain(const json_t *r)
{
	const json_t *plan = json_object_get(r, "plan"), *deploy = json_object_get(r, "deploy");
	const json_t *port = json_object_get(plan, "port"), *map = json_object_get(r, "port_map");
	const json_t *egress = json_object_get(r, "egress"), *c;
	const char *state = str(deploy, "state"), *name;
	size_t i;
	json_t *f;

	printf("%s: ", str(plan, "ifname"));
	if (!json_is_true(json_object_get(plan, "pipeline")))
		printf("no fast path planned\n");
	json_array_foreach(json_object_get(plan, "fpms"), i, f) {
		printf("%s%s", i ? " -> " : "", str(f, "name"));
		json_object_foreach(json_object_get(f, "consts"), name, c)
			printf(" %s=%lld", name, (long long)json_integer_value(c));
	}
	if (json_array_size(json_object_get(plan, "fpms")))
		putchar('\n');
	printf("deployed: %s", state);
	if (strcmp(state, "failed") == 0)
		printf(" (Linux carries all traffic): %s", str(deploy, "error"));
	else if (strcmp(state, "live") == 0)
		printf(" (prog %lld)", num(json_object_get(deploy, "pipeline"), "prog_id"));
	printf("\nfacts:\n");
	json_array_foreach(json_object_get(plan, "facts"), i, f)
		print_fact(f);
	if (json_is_object(port)) {
		printf("port: bridge %lld mtu %lld %s", num(port, "bridge"), num(port, "mtu"),
		       str(port, "state"));
		print_flags(json_object_get(port, "flags"));
		printf("\n");
	}
	if (json_is_true(json_object_get(map, "in_port_table"))) {
		printf("port map: bridge %lld mtu %lld %s", num(map, "bridge"), num(map, "mtu"),
		       str(map, "state"));
		print_flags(json_object_get(map, "flags"));
		printf("%s\n", json_is_true(json_object_get(map, "in_devmap")) ? ", in devmap" :
										  ", not in devmap");
	} else {
		printf("port map: not in the port table%s\n",
		       json_is_true(json_object_get(map, "in_devmap")) ? " (in devmap)" : "");
	}
	if (json_is_true(json_object_get(egress, "deliverable")))
		printf("egress: redirected frames are delivered\n");
	else
		printf("egress: not a redirect target: %s\n", str(egress, "reason"));
}
