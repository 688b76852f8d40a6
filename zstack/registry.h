/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A zstack application's link to the zstack-tna daemon: the daemon steers the
 * TCP flows of registered addresses and ports into the application's AF_XDP
 * sockets and keeps those ports away from the kernel (MultiStack's shared port
 * namespace). The application's lifetime is the connection's: when it closes —
 * even because the application was SIGKILLed — the daemon removes the
 * steering and gives the ports back.
 *
 * The protocol: JSON lines on the daemon's control socket; a request that hands
 * over an AF_XDP socket carries its fd as SCM_RIGHTS on the same sendmsg.
 *
 *   {"cmd":"zs-register","app":NAME,"pid":PID}
 *       → {"ok":true,"result":{"app":ID}}
 *   {"cmd":"zs-attach","ifname":IF,"queue":Q}        + fd of the xsk bound to IF/Q
 *       → {"ok":true,"result":{}}
 *   {"cmd":"zs-listen","ifname":IF,"address":A,"port":P}
 *       → {"ok":true,"result":{"address":A,"port":P,"steering":"live"|"pending"}}
 *   {"cmd":"zs-connect","ifname":IF,"address":A}      (local address; port chosen by the daemon)
 *       → {"ok":true,"result":{"address":A,"port":EPHEMERAL,"steering":…}}
 *   {"cmd":"zs-status","ifname":IF}
 *       → {"ok":true,"result":{"steering":"live"|"pending"}}
 *   {"cmd":"zs-release","address":A,"port":P}
 *       → {"ok":true,"result":{}}
 *
 * "pending": the interface's pipeline with xsk_steer is not published yet
 * (the first attach makes the daemon compile and load one), so its TCP still
 * reaches the kernel, which would answer with RST. zs_registry__listen and
 * zs_registry__connect poll zs-status and return only once it is "live".
 * Polling keeps the daemon's control socket strictly one answer per request;
 * a deferred answer would have to outlive a failed or abandoned deploy.
 * A request that takes no fd must be sent without one: the daemon closes any.
 *
 * Errors are the control socket's: {"ok":false,"error":{"code":…,"message":…}},
 * e.g. code "port-in-use" with a message naming what holds the port.
 */
#ifndef ZSTACK_REGISTRY_H
#define ZSTACK_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define ZS_REGISTRY_DEFAULT_PATH "/run/zstack-tna/control.sock"

struct zs_registry;

/* Connects and registers. path NULL: $ZSTACK_TNA_CONTROL, else the default.
 * 0 or -errno; on failure err (if not NULL) holds a message a person can act on. */
int zs_registry__open(struct zs_registry **out, const char *path, const char *app_name,
		      char *err, size_t err_len);
void zs_registry__close(struct zs_registry *r);

/* The fd to watch: readable when the daemon closed the connection. */
int zs_registry__fd(const struct zs_registry *r);

int zs_registry__attach(struct zs_registry *r, const char *ifname, uint32_t queue, int xsk_fd,
			char *err, size_t err_len);
/* addr is in network order; AF_INET only for now (IPv6 designed in: the
 * daemon's protocol carries text addresses). */
int zs_registry__listen(struct zs_registry *r, const char *ifname, int family,
			const void *addr, uint16_t port, char *err, size_t err_len);
/* Reserves an ephemeral local port for an outgoing connection; *port in host order.
 * Both return once the steering is live: -ETIMEDOUT (port released) if it is
 * not within 2 s. */
int zs_registry__connect(struct zs_registry *r, const char *ifname, int family,
			 const void *addr, uint16_t *port, char *err, size_t err_len);
int zs_registry__release(struct zs_registry *r, int family, const void *addr, uint16_t port,
			 char *err, size_t err_len);

#endif
