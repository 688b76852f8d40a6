// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "controller/caps.h"
#include "controller/control.h"
#include "controller/control_cmds.h"
#include "controller/graph.h"
#include "introspect/introspect.h"

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

static json_t *cmd_graph(void *ctx, const json_t *req)
{
	(void)req;
	return cmd_result(graph__to_json(call_opts(ctx)->graph), "graph");
}

static json_t *cmd_dot(void *ctx, const json_t *req)
{
	char *dot = graph__to_dot(call_opts(ctx)->graph);
	json_t *resp = cmd_result(dot ? json_string(dot) : NULL, "Graphviz source");

	(void)req;
	free(dot);
	return resp;
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

static json_t *cmd_stats(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;
	const struct control_opts *opts = call_opts(ctx);
	struct introspect_stats in = { 0 };
	struct control_stats cs;
	struct rusage ru;

	(void)req;
	control__get_stats(call->ctl, &cs);
	if (opts->introspect)
		introspect__get_stats(opts->introspect, &in);
	if (getrusage(RUSAGE_SELF, &ru))
		ru.ru_maxrss = 0;
	return cmd_result(json_pack("{s:I,s:I,s:{s:I,s:I,s:I,s:I},s:{s:I,s:I},"
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
}

static json_t *cmd_monitor(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;

	(void)req;
	control__monitor(call->ctl, call->client);
	return proto_ok(json_pack("{s:b}", "monitoring", 1));
}

const struct proto_command control_commands[] = {
	{ "ping", cmd_ping },
	{ "graph", cmd_graph },
	{ "dot", cmd_dot },
	{ "show", cmd_show },
	{ "caps", cmd_caps },
	{ "fdb", cmd_fdb },
	{ "neigh", cmd_neigh },
	{ "stats", cmd_stats },
	{ "monitor", cmd_monitor },
};

const size_t control_commands_count = sizeof(control_commands) / sizeof(control_commands[0]);
