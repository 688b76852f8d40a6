// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of zstack/registry.h: one blocking JSON-lines request and
 * response at a time, at setup. The connection is the application's
 * registration: it stays open for the application's life.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "zstack/registry.h"

#define REGISTRY_MAX_LINE (64 * 1024)
/* Until its pipeline is live (a compile and a load after the first attach,
 * tens of milliseconds), the interface's TCP still goes to the kernel, which
 * answers it with RST: a listen or connect returns only once steering is
 * live, asking every STEER_POLL_NS for at most STEER_WAIT_NS. */
#define STEER_POLL_NS (5 * 1000000L)
#define STEER_WAIT_NS (2 * 1000000000LL)

struct zs_registry {
	int fd;
	size_t len;		/* bytes held in buf past the last response */
	char buf[REGISTRY_MAX_LINE];
};

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* Sends req as one line, with fd (if >= 0) as SCM_RIGHTS on the same sendmsg. */
static int registry_send(struct zs_registry *r, const json_t *req, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char *line = json_dumps(req, JSON_COMPACT);
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len, off = 0;
	int err = 0;

	if (!line)
		return -ENOMEM;
	len = strlen(line);
	line[len] = '\n';	/* json_dumps leaves room for its NUL, now the newline */
	if (fd >= 0) {
		struct cmsghdr *cm;

		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	while (off < len + 1) {
		ssize_t n;

		iov.iov_base = line + off;
		iov.iov_len = len + 1 - off;
		n = sendmsg(r->fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += n;
		msg.msg_control = NULL;	/* the fd went with the first bytes */
		msg.msg_controllen = 0;
	}
	free(line);
	return err;
}

/* Reads one response line and parses it. */
static int registry_recv(struct zs_registry *r, json_t **resp)
{
	char *nl;
	ssize_t n;

	while (!(nl = memchr(r->buf, '\n', r->len))) {
		if (r->len == sizeof(r->buf))
			return -EMSGSIZE;
		n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		r->len += n;
	}
	*resp = json_loadb(r->buf, nl - r->buf, 0, NULL);
	r->len -= nl + 1 - r->buf;
	memmove(r->buf, nl + 1, r->len);
	return *resp ? 0 : -EBADMSG;
}

/* One request: 0 with *result (a new reference, may be NULL), or -errno with
 * err saying why. A refused request is -EPERM, or -EADDRINUSE for a port in
 * use, -ENOENT for not-found, -EBUSY for busy. */
static int registry_call(struct zs_registry *r, json_t *req, int fd, json_t **result,
			 char *err, size_t err_len)
{
	const char *code, *message;
	json_t *resp = NULL, *e;
	int ret;

	if (!req) {
		set_err(err, err_len, "out of memory building the request");
		return -ENOMEM;
	}
	ret = registry_send(r, req, fd);
	if (!ret)
		ret = registry_recv(r, &resp);
	if (ret) {
		set_err(err, err_len, "talking to zstack-tna failed: %s%s", strerror(-ret),
			ret == -ECONNRESET ? " (the daemon closed the connection; is it running?)"
					   : "");
		goto out;
	}
	if (json_is_true(json_object_get(resp, "ok"))) {
		if (result)
			*result = json_incref(json_object_get(resp, "result"));
		goto out;
	}
	e = json_object_get(resp, "error");
	code = json_string_value(json_object_get(e, "code")) ?: "?";
	message = json_string_value(json_object_get(e, "message")) ?: "(no message)";
	set_err(err, err_len, "zstack-tna refused %s: %s",
		json_string_value(json_object_get(req, "cmd")), message);
	if (!strcmp(code, "port-in-use"))
		ret = -EADDRINUSE;
	else if (!strcmp(code, "not-found"))
		ret = -ENOENT;
	else if (!strcmp(code, "busy"))
		ret = -EBUSY;
	else
		ret = -EPERM;
out:
	json_decref(resp);
	json_decref(req);
	return ret;
}

int zs_registry__open(struct zs_registry **out, const char *path, const char *app_name,
		      char *err, size_t err_len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct zs_registry *r;
	int ret;

	if (!path)
		path = getenv("ZSTACK_TNA_CONTROL") ?: ZS_REGISTRY_DEFAULT_PATH;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		set_err(err, err_len, "control socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		ret = -errno;
		set_err(err, err_len, "cannot reach zstack-tna at %s: %s; start the daemon, or "
			"set ZSTACK_TNA_CONTROL to its --control path", path, strerror(errno));
		goto fail;
	}
	ret = registry_call(r, json_pack("{s:s,s:s,s:i}", "cmd", "zs-register", "app", app_name,
					 "pid", (int)getpid()),
			    -1, NULL, err, err_len);
	if (ret)
		goto fail;
	*out = r;
	return 0;
fail:
	zs_registry__close(r);
	return ret;
}

void zs_registry__close(struct zs_registry *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

int zs_registry__fd(const struct zs_registry *r)
{
	return r->fd;
}

int zs_registry__attach(struct zs_registry *r, const char *ifname, uint32_t queue, int xsk_fd,
			char *err, size_t err_len)
{
	return registry_call(r, json_pack("{s:s,s:s,s:I}", "cmd", "zs-attach", "ifname", ifname,
					  "queue", (json_int_t)queue),
			     xsk_fd, NULL, err, err_len);
}

/* The address as the protocol carries it. */
static int addr_text(int family, const void *addr, char *buf, size_t len, char *err,
		     size_t err_len)
{
	if (family != AF_INET) {
		set_err(err, err_len, "only IPv4 is steered for now");
		return -EAFNOSUPPORT;
	}
	inet_ntop(AF_INET, addr, buf, len);
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Whether the daemon's answer to a port request says its steering is live. */
static bool steering_live(const json_t *result)
{
	const char *s = json_string_value(json_object_get(result, "steering"));

	return s && !strcmp(s, "live");
}

/* Returns once the steering on ifname is live, or -ETIMEDOUT after STEER_WAIT_NS. */
static int wait_steering(struct zs_registry *r, const char *ifname, char *err, size_t err_len)
{
	const struct timespec pause = { .tv_nsec = STEER_POLL_NS };
	int64_t until = mono_ns() + STEER_WAIT_NS;
	json_t *result = NULL;
	bool live;
	int ret;

	do {
		nanosleep(&pause, NULL);
		ret = registry_call(r, json_pack("{s:s,s:s}", "cmd", "zs-status", "ifname", ifname),
				    -1, &result, err, err_len);
		if (ret)
			return ret;
		live = steering_live(result);
		json_decref(result);
		result = NULL;
	} while (!live && mono_ns() < until);
	if (live)
		return 0;
	set_err(err, err_len, "zstack-tna did not get its fast path on %s live within %lld ms, "
		"so TCP to the port would still go to the kernel; `tnactl explain %s` says why",
		ifname, STEER_WAIT_NS / 1000000, ifname);
	return -ETIMEDOUT;
}

/* A listen or connect request: 0 with *result once its steering is live. */
static int port_call(struct zs_registry *r, const char *ifname, json_t *req, json_t **result,
		     char *err, size_t err_len)
{
	int ret = registry_call(r, req, -1, result, err, err_len);

	if (ret || steering_live(*result))
		return ret;
	ret = wait_steering(r, ifname, err, err_len);
	if (ret) {
		/* Not usable: give the port back rather than hold it for nothing. */
		registry_call(r, json_pack("{s:s,s:O,s:O}", "cmd", "zs-release", "address",
					   json_object_get(*result, "address"), "port",
					   json_object_get(*result, "port")),
			      -1, NULL, NULL, 0);
		json_decref(*result);
		*result = NULL;
	}
	return ret;
}

int zs_registry__listen(struct zs_registry *r, const char *ifname, int family,
			const void *addr, uint16_t port, char *err, size_t err_len)
{
	char a[INET6_ADDRSTRLEN];
	int ret = addr_text(family, addr, a, sizeof(a), err, err_len);
	json_t *result = NULL;

	if (ret)
		return ret;
	ret = port_call(r, ifname, json_pack("{s:s,s:s,s:s,s:i}", "cmd", "zs-listen", "ifname",
					     ifname, "address", a, "port", port),
			&result, err, err_len);
	json_decref(result);
	return ret;
}

int zs_registry__connect(struct zs_registry *r, const char *ifname, int family,
			 const void *addr, uint16_t *port, char *err, size_t err_len)
{
	char a[INET6_ADDRSTRLEN];
	json_t *result = NULL;
	json_int_t p;
	int ret = addr_text(family, addr, a, sizeof(a), err, err_len);

	if (ret)
		return ret;
	ret = port_call(r, ifname, json_pack("{s:s,s:s,s:s}", "cmd", "zs-connect", "ifname",
					     ifname, "address", a),
			&result, err, err_len);
	if (ret)
		return ret;
	p = json_integer_value(json_object_get(result, "port"));
	json_decref(result);
	if (p < 1 || p > 65535) {
		set_err(err, err_len, "zstack-tna answered zs-connect without a port");
		return -EBADMSG;
	}
	*port = (uint16_t)p;
	return 0;
}

int zs_registry__release(struct zs_registry *r, int family, const void *addr, uint16_t port,
			 char *err, size_t err_len)
{
	char a[INET6_ADDRSTRLEN];
	int ret = addr_text(family, addr, a, sizeof(a), err, err_len);

	if (ret)
		return ret;
	return registry_call(r, json_pack("{s:s,s:s,s:i}", "cmd", "zs-release", "address", a,
					  "port", port),
			     -1, NULL, err, err_len);
}
