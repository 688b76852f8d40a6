/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of zstack/registry.h: zstack applications, one per
 * control connection. An application attaches its AF_XDP sockets, then
 * listens on or connects from local endpoints; the daemon reserves each port
 * against the kernel with a bound TCP socket (MultiStack's shared port
 * namespace), writes the steering entry and shows itself, its listeners and
 * its reservations in the graph.
 * When the connection closes, however the application ended, all of it goes.
 */
#ifndef TNA_ZS_REGISTRY_H
#define TNA_ZS_REGISTRY_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct graph;
struct deployer;
struct zs_apps;

/* The error code of a port that a kernel socket (or another application) holds. */
#define ZS_E_PORT_IN_USE "port-in-use"
#define ZS_APP_NAME_MAX 64

int zs_apps__new(struct zs_apps **out, struct graph *g);
void zs_apps__free(struct zs_apps *za);
/* NULL: the fast path is off (or going away); attaching is refused. */
void zs_apps__set_deployer(struct zs_apps *za, struct deployer *d);

/* The commands, for control_commands[]; ctx is a struct control_call. */
json_t *zs_cmd_register(void *ctx, const json_t *req);
json_t *zs_cmd_attach(void *ctx, const json_t *req);
json_t *zs_cmd_listen(void *ctx, const json_t *req);
json_t *zs_cmd_connect(void *ctx, const json_t *req);
json_t *zs_cmd_release(void *ctx, const json_t *req);
json_t *zs_cmd_status(void *ctx, const json_t *req);

/* Request parsing, without sockets (tests/unit/test_zs_registry.c). Each
 * returns 0, or -EINVAL with *error holding the error response. */
struct zs_endpoint {
	int family;		/* AF_INET */
	uint8_t addr[16];	/* network order */
	uint16_t port;		/* host order; 0 when the request has none */
	char text[64];		/* the address as the request gave it, canonical */
};

int zs_parse_app(const json_t *req, char name[ZS_APP_NAME_MAX], int *pid, json_t **error);
int zs_parse_ifname(const json_t *req, char ifname[IF_NAMESIZE], json_t **error);
int zs_parse_queue(const json_t *req, uint32_t *queue, json_t **error);
/* need_port: "port" is required (1..65535); else it must be absent. */
int zs_parse_endpoint(const json_t *req, bool need_port, struct zs_endpoint *ep,
		      json_t **error);

#endif
