// SPDX-License-Identifier: GPL-2.0
/*
 * zstack applications (controller/zs_registry.h): request parsing, the
 * reservation of ports against the kernel, and the per-connection state the
 * control socket releases when the application goes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controller/control.h"
#include "controller/control_cmds.h"
#include "controller/deployer.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/zs_registry.h"

/* A local endpoint reserved against the kernel and steered to the application. */
struct zs_port {
	struct zs_endpoint ep;
	int ifindex;
	int sock;		/* bound, never listening: the kernel's hold on the port */
	bool listen;
};

struct zs_xsk {
	int ifindex;
	uint32_t queue;
	int fd;
};

struct zs_app {
	struct zs_apps *apps;
	uint32_t id;
	int pid;
	char name[ZS_APP_NAME_MAX];
	struct zs_xsk xsks[TNA_XSK_QUEUES];
	unsigned int nxsks;
	struct zs_port *ports;
	size_t nports, cap;
};

struct zs_apps {
	struct graph *g;
	struct deployer *d;
	uint32_t next_id;
	struct zs_app **v;
	size_t n, cap;
};

int zs_apps__new(struct zs_apps **out, struct graph *g)
{
	struct zs_apps *za = calloc(1, sizeof(*za));

	if (!za)
		return -ENOMEM;
	za->g = g;
	*out = za;
	return 0;
}

void zs_apps__free(struct zs_apps *za)
{
	if (!za)
		return;
	free(za->v);
	free(za);
}

void zs_apps__set_deployer(struct zs_apps *za, struct deployer *d)
{
	za->d = d;
}

/* Parsing */

static const char *req_cmd(const json_t *req)
{
	return json_string_value(json_object_get(req, "cmd")) ?: "?";
}

int zs_parse_app(const json_t *req, char name[ZS_APP_NAME_MAX], int *pid, json_t **error)
{
	const json_t *p = json_object_get(req, "pid");
	const char *app;
	size_t len;

	if (proto_arg_string(req, "app", &app) || !(len = strlen(app)) ||
	    len >= ZS_APP_NAME_MAX) {
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"zs-register\" needs \"app\", the "
				     "application's name (1 to %d bytes), such as "
				     "{\"cmd\":\"zs-register\",\"app\":\"zs-echo\",\"pid\":1234}",
				     ZS_APP_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)app[i] < 0x20 || app[i] == 0x7f) {
			*error = proto_error(PROTO_E_BAD_REQUEST, "\"app\" of \"zs-register\" "
					     "must be printable text");
			return -EINVAL;
		}
	}
	if (!json_is_integer(p) || json_integer_value(p) <= 0 ||
	    json_integer_value(p) > INT32_MAX) {
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"zs-register\" needs \"pid\", the "
				     "application's process id (a positive integer)");
		return -EINVAL;
	}
	snprintf(name, ZS_APP_NAME_MAX, "%s", app);
	*pid = (int)json_integer_value(p);
	return 0;
}

int zs_parse_ifname(const json_t *req, char ifname[IF_NAMESIZE], json_t **error)
{
	const char *s;

	if (proto_arg_string(req, "ifname", &s) || !s[0] || strlen(s) >= IF_NAMESIZE) {
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" needs \"ifname\", the "
				     "interface name (1 to %d bytes), such as \"eth0\"",
				     req_cmd(req), IF_NAMESIZE - 1);
		return -EINVAL;
	}
	snprintf(ifname, IF_NAMESIZE, "%s", s);
	return 0;
}

int zs_parse_queue(const json_t *req, uint32_t *queue, json_t **error)
{
	const json_t *q = json_object_get(req, "queue");

	if (!json_is_integer(q) || json_integer_value(q) < 0 ||
	    json_integer_value(q) >= TNA_XSK_QUEUES) {
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" needs \"queue\", the RX queue "
				     "the AF_XDP socket is bound to (0 to %d)", req_cmd(req),
				     TNA_XSK_QUEUES - 1);
		return -EINVAL;
	}
	*queue = (uint32_t)json_integer_value(q);
	return 0;
}

int zs_parse_endpoint(const json_t *req, bool need_port, struct zs_endpoint *ep,
		      json_t **error)
{
	const json_t *port = json_object_get(req, "port");
	const char *addr;

	memset(ep, 0, sizeof(*ep));
	if (proto_arg_string(req, "address", &addr)) {
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" needs \"address\", a local "
				     "IPv4 address such as \"10.0.0.1\"", req_cmd(req));
		return -EINVAL;
	}
	if (inet_pton(AF_INET, addr, ep->addr) != 1) {
		bool v6 = inet_pton(AF_INET6, addr, ep->addr) == 1;

		*error = proto_error(PROTO_E_BAD_REQUEST, v6 ?
				     "\"%s\": IPv6 is not steered yet; use an IPv4 address" :
				     "\"%s\" is not an IPv4 address; give one such as \"10.0.0.1\"",
				     addr);
		return -EINVAL;
	}
	ep->family = AF_INET;
	inet_ntop(AF_INET, ep->addr, ep->text, sizeof(ep->text));
	if (!need_port) {
		if (port) {
			*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" takes no \"port\": the "
					     "daemon picks an ephemeral one", req_cmd(req));
			return -EINVAL;
		}
		return 0;
	}
	if (!json_is_integer(port) || json_integer_value(port) < 1 ||
	    json_integer_value(port) > 65535) {
		*error = proto_error(PROTO_E_BAD_REQUEST, "\"%s\" needs \"port\", an integer from "
				     "1 to 65535", req_cmd(req));
		return -EINVAL;
	}
	ep->port = (uint16_t)json_integer_value(port);
	return 0;
}

/* The application of this connection */

static struct zs_apps *call_apps(void *ctx)
{
	const struct control_call *call = ctx;

	return control__opts(call->ctl)->zs;
}

static struct zs_app *call_app(void *ctx, json_t **error)
{
	const struct control_call *call = ctx;
	struct zs_app *app = control__client_data(call->client);

	if (!app)
		*error = proto_error(PROTO_E_BAD_REQUEST, "register first: "
				     "{\"cmd\":\"zs-register\",\"app\":NAME,\"pid\":PID}");
	return app;
}

/*
 * An fd sent with a request that takes none is closed at once: left queued,
 * it would be taken by the next zs-attach, which sent none of its own, and
 * would stay open in the daemon meanwhile. The client library waits for each
 * answer before it sends the next request, so every fd queued now came with
 * this request.
 */
static void drop_stray_fds(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;
	int fd;

	while ((fd = control__take_fd(call->client)) >= 0) {
		pr_info("a client sent an fd with \"%s\", which takes none; closed it",
			req_cmd(req));
		close(fd);
	}
}

static struct tna_zs_key port_key(const struct zs_port *p)
{
	struct tna_zs_key key = { .ifindex = p->ifindex, .family = TNA_AF_INET,
				  .port = htons(p->ep.port) };

	memcpy(key.addr, p->ep.addr, 4);
	return key;
}

static struct tna_obj port_listener(const struct zs_app *app, const struct zs_port *p)
{
	struct tna_obj obj = { .kind = TNA_OBJ_LISTENER };
	struct tna_listener *l = &obj.listener;

	l->family = AF_INET;
	l->addr.family = AF_INET;
	memcpy(l->addr.bytes, p->ep.addr, 4);
	l->port = p->ep.port;
	l->ifindex = p->ifindex;
	l->inode = app->id;
	l->owner = TNA_OWNER_ZSTACK;
	return obj;
}

/* Shows a zs-connect reservation on the application's node, or takes it off. */
static void port_show_conn(struct zs_app *app, const struct zs_port *p, bool add)
{
	struct tna_ip ip = { .family = AF_INET };

	memcpy(ip.bytes, p->ep.addr, 4);
	if (graph__zstack_app_conn(app->apps->g, app->id, &ip, p->ep.port, add))
		pr_warn("graph: zstack app %u does not show %s:%u (out of memory)", app->id,
			p->ep.text, p->ep.port);
}

/* Undoes everything a port did: steering, graph, the kernel's hold. */
static void port_drop(struct zs_app *app, struct zs_port *p)
{
	struct tna_zs_key key = port_key(p);
	struct tna_obj obj;

	if (app->apps->d)
		deployer__steer_remove(app->apps->d, &key);
	if (p->listen) {
		obj = port_listener(app, p);
		graph__remove(app->apps->g, &obj);
	} else {
		port_show_conn(app, p, false);
	}
	close(p->sock);
}

static void app_release(void *data)
{
	struct zs_app *app = data;
	struct zs_apps *za = app->apps;
	size_t ports = app->nports;

	for (size_t i = 0; i < app->nports; i++)
		port_drop(app, &app->ports[i]);
	for (unsigned int i = 0; i < app->nxsks; i++) {
		if (za->d)
			deployer__xsk_remove(za->d, app->xsks[i].ifindex, app->xsks[i].queue);
		close(app->xsks[i].fd);
	}
	graph__drop_zstack_app(za->g, app->id);
	for (size_t i = 0; i < za->n; i++) {
		if (za->v[i] == app) {
			za->v[i] = za->v[--za->n];
			break;
		}
	}
	pr_info("zstack app %s (pid %d, id %u) gone: released %zu port%s and %u AF_XDP "
		"socket%s", app->name, app->pid, app->id, ports, ports == 1 ? "" : "s",
		app->nxsks, app->nxsks == 1 ? "" : "s");
	free(app->ports);
	free(app);
}

json_t *zs_cmd_register(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;
	struct zs_apps *za = call_apps(ctx);
	char name[ZS_APP_NAME_MAX];
	struct zs_app *app, **v;
	json_t *error;
	int pid;

	drop_stray_fds(ctx, req);
	if (!za)
		return proto_error(PROTO_E_INTERNAL, "this daemon takes no zstack applications");
	app = control__client_data(call->client);
	if (app)
		return proto_error(PROTO_E_BAD_REQUEST, "this connection is already zstack app "
				   "%u (%s); open another connection for another application",
				   app->id, app->name);
	if (zs_parse_app(req, name, &pid, &error))
		return error;
	if (za->n == za->cap) {
		size_t cap = za->cap ? za->cap * 2 : 8;

		v = realloc(za->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		za->v = v;
		za->cap = cap;
	}
	app = calloc(1, sizeof(*app));
	if (!app || graph__set_zstack_app(za->g, za->next_id + 1, name, pid)) {
		free(app);
		return NULL;
	}
	app->apps = za;
	app->id = ++za->next_id;
	app->pid = pid;
	snprintf(app->name, sizeof(app->name), "%s", name);
	za->v[za->n++] = app;
	control__set_client_data(call->client, app, app_release);
	pr_info("zstack app %s (pid %d) registered as %u", name, pid, app->id);
	return proto_ok(json_pack("{s:I}", "app", (json_int_t)app->id));
}

/* Interfaces */

static bool app_has_xsk_on(const struct zs_app *app, int ifindex)
{
	for (unsigned int i = 0; i < app->nxsks; i++)
		if (app->xsks[i].ifindex == ifindex)
			return true;
	return false;
}

static const struct zs_app *iface_owner(const struct zs_apps *za, int ifindex)
{
	for (size_t i = 0; i < za->n; i++)
		if (app_has_xsk_on(za->v[i], ifindex))
			return za->v[i];
	return NULL;
}

/* The interface, if it may carry zstack: 0 with *l, or an error response. */
static json_t *usable_iface(struct zs_apps *za, const char *ifname, const struct tna_link **l)
{
	const struct tna_link *master;

	*l = graph__link_by_name(za->g, ifname);
	if (!*l)
		return proto_error(PROTO_E_NOT_FOUND, "no interface \"%s\"; interfaces are listed "
				   "by: ip link", ifname);
	master = (*l)->master ? graph__link(za->g, (*l)->master) : NULL;
	if (master && master->is_bridge)
		return proto_error(PROTO_E_BAD_REQUEST, "%s is a port of bridge %s: zstack "
				   "steering runs only on interfaces that are not bridge ports; "
				   "use the bridge's address on another interface", ifname,
				   master->name);
	return NULL;
}

json_t *zs_cmd_attach(void *ctx, const json_t *req)
{
	const struct control_call *call = ctx;
	struct zs_apps *za = call_apps(ctx);
	const struct zs_app *owner;
	char ifname[IF_NAMESIZE], who[96];
	const struct tna_link *l = NULL;
	json_t *error = NULL;
	struct zs_app *app;
	uint32_t queue = 0;
	int fd, type, err;
	socklen_t len = sizeof(type);

	/* The fd came with this request: take it whatever the answer, so that
	 * a refused one is closed and never taken by a later request. */
	fd = control__take_fd(call->client);
	app = call_app(ctx, &error);
	if (!error && !zs_parse_ifname(req, ifname, &error) && !zs_parse_queue(req, &queue, &error))
		error = usable_iface(za, ifname, &l);
	if (!error && fd < 0)
		error = proto_error(PROTO_E_BAD_REQUEST, "\"zs-attach\" needs the AF_XDP socket "
				    "sent with the request (SCM_RIGHTS), as zs_registry__attach "
				    "does");
	if (!error && (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &type, &len) || type != AF_XDP))
		error = proto_error(PROTO_E_BAD_REQUEST, "the fd sent with \"zs-attach\" is not "
				    "an AF_XDP socket");
	if (!error && !za->d)
		error = proto_error(PROTO_E_NOT_FOUND, "this daemon runs without its fast path "
				    "(--no-fast-path, or its maps could not be created), so it "
				    "cannot steer; see its log");
	owner = error ? NULL : iface_owner(za, l->ifindex);
	if (owner && owner != app)
		error = proto_error(PROTO_E_BUSY, "zstack app %s (pid %d) already uses %s; one "
				    "application per interface", owner->name, owner->pid, ifname);
	for (unsigned int i = 0; !error && i < app->nxsks; i++)
		if (app->xsks[i].ifindex == l->ifindex && app->xsks[i].queue == queue)
			error = proto_error(PROTO_E_BUSY, "queue %u of %s is already attached",
					    queue, ifname);
	if (error) {
		if (fd >= 0)
			close(fd);
		return error;
	}
	snprintf(who, sizeof(who), "zstack app %s (pid %d)", app->name, app->pid);
	err = deployer__xsk_add(za->d, l->ifindex, queue, fd, who);
	if (err) {
		close(fd);
		return proto_error(PROTO_E_INTERNAL, "cannot attach the socket to %s queue %u: %s",
				   ifname, queue, strerror(-err));
	}
	app->xsks[app->nxsks++] = (struct zs_xsk){ .ifindex = l->ifindex, .queue = queue,
						   .fd = fd };
	if (graph__zstack_app_xsk(za->g, app->id, l->ifindex, queue))
		pr_warn("graph: zstack app %u does not show its socket on %s (out of memory)",
			app->id, ifname);
	pr_info("zstack app %s (pid %d): AF_XDP socket on %s queue %u", app->name, app->pid,
		ifname, queue);
	return proto_ok(json_object());
}

/* Ports */

struct addr_find {
	int ifindex;
	const struct zs_endpoint *ep;
};

static int match_addr(void *ctx, const struct tna_obj *obj)
{
	const struct addr_find *f = ctx;
	const struct tna_addr *a = &obj->addr;

	return a->ifindex == f->ifindex && a->addr.family == AF_INET &&
	       !memcmp(a->addr.bytes, f->ep->addr, 4);
}

static bool addr_on_link(struct zs_apps *za, int ifindex, const struct zs_endpoint *ep)
{
	struct addr_find f = { .ifindex = ifindex, .ep = ep };

	return graph__for_each(za->g, TNA_OBJ_ADDR, match_addr, &f) > 0;
}

/* Who in the kernel holds addr:port, from /proc/net/tcp: cheap and enough to
 * point at `ss`. */
static void kernel_holder(const struct zs_endpoint *ep, char *buf, size_t len)
{
	static const char *const states[] = { "", "established", "syn-sent", "syn-recv",
					      "fin-wait-1", "fin-wait-2", "time-wait", "close",
					      "close-wait", "last-ack", "listening", "closing" };
	unsigned int laddr, lport, state, uid;
	unsigned long inode;
	uint32_t want;
	char line[512];
	FILE *f = fopen("/proc/net/tcp", "r");

	snprintf(buf, len, "a kernel socket");
	if (!f)
		return;
	memcpy(&want, ep->addr, 4);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*d: %x:%x %*x:%*x %x %*x:%*x %*x:%*x %*x %u %*d %lu", &laddr,
			   &lport, &state, &uid, &inode) != 5)
			continue;
		if (lport != ep->port || (laddr && laddr != want))
			continue;
		snprintf(buf, len, "a kernel socket (%s, uid %u, inode %lu)",
			 state < sizeof(states) / sizeof(states[0]) ? states[state] : "?", uid,
			 inode);
		break;
	}
	fclose(f);
}

static const struct zs_app *zstack_holder(const struct zs_apps *za, const struct zs_endpoint *ep)
{
	for (size_t i = 0; i < za->n; i++)
		for (size_t j = 0; j < za->v[i]->nports; j++)
			if (za->v[i]->ports[j].ep.port == ep->port &&
			    !memcmp(za->v[i]->ports[j].ep.addr, ep->addr, 4))
				return za->v[i];
	return NULL;
}

/* Binds a TCP socket to the endpoint (port 0: an ephemeral one, written
 * back): while it is bound no kernel socket can take the port. */
static json_t *reserve(struct zs_apps *za, struct zs_endpoint *ep, int *sock)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(ep->port) };
	const struct zs_app *other = ep->port ? zstack_holder(za, ep) : NULL;
	socklen_t len = sizeof(sin);
	char holder[128];
	int err;

	if (other)
		return proto_error(ZS_E_PORT_IN_USE, "%s:%u is held by zstack app %s (pid %d); "
				   "choose another port", ep->text, ep->port, other->name,
				   other->pid);
	memcpy(&sin.sin_addr, ep->addr, 4);
	*sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*sock < 0)
		return proto_error(PROTO_E_INTERNAL, "cannot create a socket to reserve the port: "
				   "%s", strerror(errno));
	if (!bind(*sock, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(*sock, (struct sockaddr *)&sin, &len)) {
		ep->port = ntohs(sin.sin_port);
		return NULL;
	}
	err = errno;
	close(*sock);
	*sock = -1;
	if (err == EADDRINUSE && ep->port) {
		kernel_holder(ep, holder, sizeof(holder));
		return proto_error(ZS_E_PORT_IN_USE, "TCP port %u on %s is held by %s; stop that "
				   "socket (ss -tanp 'sport = :%u' names it) or choose another "
				   "port", ep->port, ep->text, holder, ep->port);
	}
	if (err == EADDRINUSE)
		return proto_error(ZS_E_PORT_IN_USE, "no ephemeral port left on %s "
				   "(net.ipv4.ip_local_port_range)", ep->text);
	return proto_error(PROTO_E_INTERNAL, "cannot reserve TCP %s:%u against the kernel: %s",
			   ep->text, ep->port, strerror(err));
}

/* zs-listen and zs-connect: reserve, steer, show. */
static json_t *open_port(void *ctx, const json_t *req, bool listen)
{
	struct zs_apps *za = call_apps(ctx);
	char ifname[IF_NAMESIZE], node[160], text[224];
	struct tna_zs_val val = { 0 };
	const struct tna_link *l = NULL;
	struct tna_zs_key key;
	struct zs_port p = { .listen = listen, .sock = -1 };
	json_t *error = NULL;
	struct zs_app *app;
	struct tna_obj obj;
	int err;

	drop_stray_fds(ctx, req);
	app = call_app(ctx, &error);
	if (!error && !zs_parse_ifname(req, ifname, &error) &&
	    !zs_parse_endpoint(req, listen, &p.ep, &error))
		error = usable_iface(za, ifname, &l);
	if (!error && !app_has_xsk_on(app, l->ifindex))
		error = proto_error(PROTO_E_BAD_REQUEST, "attach an AF_XDP socket on %s first "
				    "(zs-attach): steered traffic needs somewhere to go", ifname);
	if (!error && !addr_on_link(za, l->ifindex, &p.ep))
		error = proto_error(PROTO_E_NOT_FOUND, "%s is not an address of %s; its "
				    "addresses are listed by: ip -4 addr show dev %s", p.ep.text,
				    ifname, ifname);
	if (!error)
		error = reserve(za, &p.ep, &p.sock);
	if (!error && app->nports == app->cap) {
		size_t cap = app->cap ? app->cap * 2 : 8;
		struct zs_port *v = realloc(app->ports, cap * sizeof(*v));

		if (!v)
			error = proto_error(PROTO_E_INTERNAL, "out of memory");
		else
			app->ports = v, app->cap = cap;
	}
	if (error) {
		if (p.sock >= 0)
			close(p.sock);
		return error;
	}
	p.ifindex = l->ifindex;
	key = port_key(&p);
	val.app = app->id;
	val.flags = listen ? TNA_ZS_F_LISTEN : 0;
	obj = port_listener(app, &p);
	graph__obj_id(za->g, &obj, node, sizeof(node));
	snprintf(text, sizeof(text), "TCP to %s:%u is steered to zstack app %s (pid %d): %s",
		 p.ep.text, p.ep.port, app->name, app->pid, listen ? "listener" : "connection");
	err = deployer__steer_add(za->d, &key, &val, listen ? node : "", text);
	if (err) {
		close(p.sock);
		return proto_error(PROTO_E_INTERNAL, "cannot steer %s:%u: %s", p.ep.text,
				   p.ep.port, strerror(-err));
	}
	app->ports[app->nports++] = p;
	if (listen)
		graph__upsert(za->g, &obj);
	else
		port_show_conn(app, &p, true);
	pr_info("zstack app %s (pid %d): %s %s:%u on %s", app->name, app->pid,
		listen ? "listens on" : "connects from", p.ep.text, p.ep.port, ifname);
	return proto_ok(json_pack("{s:s,s:i,s:s}", "address", p.ep.text, "port", p.ep.port,
				  "steering", deployer__steering_live(za->d, l->ifindex) ?
				  "live" : "pending"));
}

json_t *zs_cmd_listen(void *ctx, const json_t *req)
{
	return open_port(ctx, req, true);
}

json_t *zs_cmd_connect(void *ctx, const json_t *req)
{
	return open_port(ctx, req, false);
}

json_t *zs_cmd_status(void *ctx, const json_t *req)
{
	struct zs_apps *za = call_apps(ctx);
	char ifname[IF_NAMESIZE];
	const struct tna_link *l = NULL;
	json_t *error = NULL;

	drop_stray_fds(ctx, req);
	call_app(ctx, &error);
	if (!error && !zs_parse_ifname(req, ifname, &error))
		error = usable_iface(za, ifname, &l);
	if (!error && !za->d)
		error = proto_error(PROTO_E_NOT_FOUND, "this daemon runs without its fast path, "
				    "so nothing on %s is steered", ifname);
	if (error)
		return error;
	return proto_ok(json_pack("{s:s}", "steering",
				  deployer__steering_live(za->d, l->ifindex) ? "live" : "pending"));
}

json_t *zs_cmd_release(void *ctx, const json_t *req)
{
	struct zs_endpoint ep;
	json_t *error = NULL;
	struct zs_app *app;

	drop_stray_fds(ctx, req);
	app = call_app(ctx, &error);
	if (!error)
		zs_parse_endpoint(req, true, &ep, &error);
	if (error)
		return error;
	for (size_t i = 0; i < app->nports; i++) {
		struct zs_port *p = &app->ports[i];

		if (p->ep.port != ep.port || memcmp(p->ep.addr, ep.addr, 4))
			continue;
		port_drop(app, p);
		pr_info("zstack app %s (pid %d): released %s:%u", app->name, app->pid, ep.text,
			ep.port);
		*p = app->ports[--app->nports];
		return proto_ok(json_object());
	}
	return proto_error(PROTO_E_NOT_FOUND, "zstack app %s holds no port %s:%u", app->name,
			   ep.text, ep.port);
}
