// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "controller/caps.h"
#include "controller/control.h"
#include "controller/control_cmds.h"
#include "controller/deployer.h"
#include "controller/graph.h"
#include "controller/zs_registry.h"
#include "introspect/introspect.h"

/* One daemon per process, one deployer: the control socket's options predate it. */
static struct deployer *deployer;

void control_cmds__set_deployer(struct deployer *d)
{
	deployer = d;
}

static const struct control_opts *call_opts(void *ctx)
{
	const struct control_call *call = ctx;

	return control__opts(call->ctl);
}

/* The result, or an internal error when building it failed. */
static json_t *cmd_result(json_t *result, const char *what)
{
	if (!result)
		return proto_error(PROTO_E_INTERNAL, "building the %s failed (out of memory?); "
				   "retry, and see the daemon's log if it persists", what);
	return proto_ok(result);
}

/* A required string argument: 0, or -EINVAL with *error set. */
static int cmd_arg(const json_t *req, const char *key, const char *example, const char **out,
		   json_t **error)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	int err = proto_arg_string(req, key, out);

	if (err == -ENOENT)
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" needs \"%s\", such as "
				     "{\"cmd\":\"%s\",\"%s\":\"%s\"}", cmd, key, cmd, key, example);
	else if (err)
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" of \"%s\" must be a string, "
				     "such as \"%s\"", key, cmd, example);
	return err ? -EINVAL : 0;
}

static json_t *cmd_ping(void *ctx, const json_t *req)
{
	(void)ctx;
	(void)req;
	return proto_ok(json_string("pong"));
}

static int cmd_graph(void *ctx, const json_t *req, json_t **error, json_dump_callback_t write,
		     void *data)
{
	(void)req;
	*error = NULL;
	return graph__write_json(call_opts(ctx)->graph, write, data);
}

static int cmd_dot(void *ctx, const json_t *req, json_t **error, json_dump_callback_t write,
		   void *data)
{
	char *dot = graph__to_dot(call_opts(ctx)->graph);
	json_t *text = dot ? json_string(dot) : NULL;
	int err = 0;

	(void)req;
	/* Freed before the escaped copy goes out, so that two copies is the most. */
	free(dot);
	*error = NULL;
	if (!text) {
		*error = cmd_result(NULL, "Graphviz source");
		return -ENOMEM;
	}
	if (json_dump_callback(text, write, data, JSON_COMPACT | JSON_ENCODE_ANY))
		err = -ENOMEM;
	json_decref(text);
	return err;
}

static json_t *cmd_show(void *ctx, const json_t *req)
{
	json_t *node, *error;
	const char *id;

	if (cmd_arg(req, "id", "link:1", &id, &error))
		return error;
	node = graph__node_json(call_opts(ctx)->graph, id);
	if (!node)
		return proto_error(PROTO_E_NOT_FOUND, "no node \"%s\"; node ids are listed by: "
				   "tnactl -j graph", id);
	return proto_ok(node);
}

static json_t *cmd_caps(void *ctx, const json_t *req)
{
	(void)req;
	return cmd_result(caps__to_json(call_opts(ctx)->caps), "capabilities");
}

static json_t *cmd_fdb(void *ctx, const json_t *req)
{
	json_t *fdb, *error;
	const char *bridge;

	if (cmd_arg(req, "bridge", "br0", &bridge, &error))
		return error;
	fdb = graph__fdb_json(call_opts(ctx)->graph, bridge);
	if (!fdb)
		return proto_error(PROTO_E_NOT_FOUND, "no bridge \"%s\"; bridges are listed by: "
				   "tnactl graph", bridge);
	if (deployer)
		deployer__fdb_annotate(deployer, bridge, fdb);
	return proto_ok(fdb);
}

static json_t *cmd_neigh(void *ctx, const json_t *req)
{
	const char *link = NULL;
	json_t *neigh;
	int err;

	err = proto_arg_string(req, "link", &link);
	if (err == -EINVAL)
		return proto_error(PROTO_E_BAD_REQUEST, "\"link\" of \"neigh\" must be a link "
				   "name such as \"eth0\", or absent for every link");
	neigh = graph__neigh_json(call_opts(ctx)->graph, link);
	if (!neigh && link)
		return proto_error(PROTO_E_NOT_FOUND, "no link \"%s\"; links are listed by: "
				   "tnactl graph", link);
	return cmd_result(neigh, "neighbour list");
}

/* The answer of a deployer__*_json call about ifname. */
static json_t *fast_result(int err, json_t *result, const char *ifname, const char *cmd)
{
	switch (err) {
	case 0:
		return proto_ok(result);
	case -ENODEV:
		return proto_error(PROTO_E_NOT_FOUND, "no interface \"%s\"; interfaces are listed "
				   "by: tnactl graph", ifname);
	case -ENOENT:
		return proto_error(PROTO_E_NOT_FOUND, "%s runs no fast path, so it has no %s; "
				   "tnactl explain %s says why", ifname, cmd, ifname);
	case -EIO:
		return proto_error(PROTO_E_INTERNAL, "loading the pipeline of %s failed, so Linux "
				   "carries all of its traffic: %s", ifname,
				   json_string_value(json_object_get(result, "error")));
	default:
		return proto_error(PROTO_E_INTERNAL, "answering %s for %s failed: %s; see the "
				   "daemon's log", cmd, ifname, strerror(-err));
	}
}

static json_t *no_fast_path(void)
{
	return proto_error(PROTO_E_NOT_FOUND, "this daemon runs without its fast path "
			   "(started with --no-fast-path, or its maps could not be created; "
			   "see its log)");
}

/* A fast-path command taking "iface": ask with the deployer's function fn. */
static json_t *cmd_fast(const json_t *req, const char *what,
			int (*fn)(struct deployer *, const char *, json_t **))
{
	json_t *result = NULL, *resp, *error;
	const char *ifname;
	int err;

	if (cmd_arg(req, "iface", "eth0", &ifname, &error))
		return error;
	if (!deployer)
		return no_fast_path();
	err = fn(deployer, ifname, &result);
	resp = fast_result(err, result, ifname, what);
	if (err)
		json_decref(result);
	return resp;
}

static json_t *cmd_pipeline(void *ctx, const json_t *req)
{
	(void)ctx;
	return cmd_fast(req, "pipeline", deployer__pipeline_json);
}

static json_t *cmd_explain(void *ctx, const json_t *req)
{
	(void)ctx;
	return cmd_fast(req, "plan", deployer__explain_json);
}

static json_t *cmd_reload(void *ctx, const json_t *req)
{
	(void)ctx;
	return cmd_fast(req, "pipeline to reload", deployer__reload);
}

static json_t *cmd_stats(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;
	const struct control_opts *opts = call_opts(ctx);
	struct introspect_stats in = { 0 };
	json_t *fast = NULL, *resp;
	struct control_stats cs;
	struct rusage ru;
	int err;

	if (json_object_get(req, "iface"))
		return cmd_fast(req, "counters", deployer__stats_json);
	if (deployer) {
		err = deployer__stats_json(deployer, NULL, &fast);
		if (err)
			return fast_result(err, NULL, "every interface", "counters");
	}
	control__get_stats(call->ctl, &cs);
	if (opts->introspect)
		introspect__get_stats(opts->introspect, &in);
	if (getrusage(RUSAGE_SELF, &ru))
		ru.ru_maxrss = 0;
	resp = cmd_result(json_pack("{s:I,s:I,s:{s:I,s:I,s:I,s:I},s:{s:I,s:I},"
				    "s:{s:i,s:i,s:I,s:I,s:I}}",
				    "uptime_ms", (json_int_t)cs.uptime_ms,
				    "peak_rss_kib", (json_int_t)ru.ru_maxrss,
				    "introspect",
				    "events", (json_int_t)in.events,
				    "dumps", (json_int_t)in.dumps,
				    "resyncs", (json_int_t)in.resyncs,
				    "listener_polls", (json_int_t)in.listener_polls,
				    "graph",
				    "nodes", (json_int_t)graph__node_count(opts->graph),
				    "edges", (json_int_t)graph__edge_count(opts->graph),
				    "control",
				    "clients", cs.clients,
				    "monitors", cs.monitors,
				    "requests", (json_int_t)cs.requests,
				    "refused", (json_int_t)cs.clients_refused,
				    "dropped", (json_int_t)cs.clients_dropped),
			  "statistics");
	if (fast)
		json_object_set_new(json_object_get(resp, "result"), "fastpath", fast);
	return resp;
}

static json_t *cmd_monitor(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;

	(void)req;
	control__monitor(call->ctl, call->client);
	return proto_ok(json_pack("{s:b}", "monitoring", 1));
}

const struct proto_command control_commands[] = {
	{ .name = "ping", .run = cmd_ping },
	{ .name = "graph", .stream = cmd_graph },
	{ .name = "dot", .stream = cmd_dot },
	{ .name = "show", .run = cmd_show },
	{ .name = "caps", .run = cmd_caps },
	{ .name = "fdb", .run = cmd_fdb },
	{ .name = "neigh", .run = cmd_neigh },
	{ .name = "stats", .run = cmd_stats },
	{ .name = "pipeline", .run = cmd_pipeline },
	{ .name = "explain", .run = cmd_explain },
	{ .name = "reload", .run = cmd_reload },
	{ .name = "monitor", .run = cmd_monitor },
	{ .name = "zs-register", .run = zs_cmd_register },
	{ .name = "zs-attach", .run = zs_cmd_attach },
	{ .name = "zs-listen", .run = zs_cmd_listen },
	{ .name = "zs-connect", .run = zs_cmd_connect },
	{ .name = "zs-release", .run = zs_cmd_release },
	{ .name = "zs-status", .run = zs_cmd_status },
};

const size_t control_commands_count = sizeof(control_commands) / sizeof(control_commands[0]);
