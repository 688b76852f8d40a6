// SPDX-License-Identifier: GPL-2.0
/* The zstack registry's request parsing: what each zs-* request must carry,
 * and the error a person gets when it does not. No sockets, no root. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "bpf/maps.h"
#include "controller/proto.h"
#include "controller/zs_registry.h"
#include "tests/check.h"

/* The message of an error response, or "" for anything else. */
static const char *message(const json_t *error)
{
	const char *m = json_string_value(json_object_get(json_object_get(error, "error"),
							  "message"));

	return m ? m : "";
}

static const char *code(const json_t *error)
{
	const char *c = json_string_value(json_object_get(json_object_get(error, "error"),
							  "code"));

	return c ? c : "";
}

static void test_app(void)
{
	char name[ZS_APP_NAME_MAX], longname[ZS_APP_NAME_MAX + 1];
	json_t *req, *error = NULL;
	int pid = 0;

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-register", "app", "zs-echo", "pid", 42);
	CHECK(!zs_parse_app(req, name, &pid, &error) && !strcmp(name, "zs-echo") && pid == 42,
	      "register: app and pid parsed");
	json_decref(req);

	req = json_pack("{s:s,s:i}", "cmd", "zs-register", "pid", 42);
	CHECK(zs_parse_app(req, name, &pid, &error) == -EINVAL &&
	      !strcmp(code(error), PROTO_E_BAD_REQUEST) && strstr(message(error), "\"app\""),
	      "register: a missing app is a bad-request naming \"app\"");
	json_decref(error);
	json_decref(req);

	memset(longname, 'x', ZS_APP_NAME_MAX);
	longname[ZS_APP_NAME_MAX] = '\0';
	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-register", "app", longname, "pid", 42);
	CHECK(zs_parse_app(req, name, &pid, &error) == -EINVAL, "register: a name too long");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-register", "app", "a\nb", "pid", 42);
	CHECK(zs_parse_app(req, name, &pid, &error) == -EINVAL &&
	      strstr(message(error), "printable"), "register: a control character in the name");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-register", "app", "a", "pid", 0);
	CHECK(zs_parse_app(req, name, &pid, &error) == -EINVAL && strstr(message(error), "pid"),
	      "register: pid 0 is refused");
	json_decref(error);
	json_decref(req);
}

static void test_attach(void)
{
	char ifname[IF_NAMESIZE];
	json_t *req, *error = NULL;
	uint32_t queue = 99;

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-attach", "ifname", "eth0", "queue", 3);
	CHECK(!zs_parse_ifname(req, ifname, &error) && !strcmp(ifname, "eth0") &&
	      !zs_parse_queue(req, &queue, &error) && queue == 3, "attach: ifname and queue");
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-attach", "ifname", "eth0", "queue",
			TNA_XSK_QUEUES);
	CHECK(zs_parse_queue(req, &queue, &error) == -EINVAL && strstr(message(error), "0 to"),
	      "attach: a queue past TNA_XSK_QUEUES is refused with the range");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-attach", "ifname", "a-name-much-too-long",
			"queue", 0);
	CHECK(zs_parse_ifname(req, ifname, &error) == -EINVAL &&
	      strstr(message(error), "\"zs-attach\" needs \"ifname\""),
	      "attach: an interface name too long");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s}", "cmd", "zs-attach", "ifname", "eth0");
	CHECK(zs_parse_queue(req, &queue, &error) == -EINVAL, "attach: a missing queue");
	json_decref(error);
	json_decref(req);
}

static void test_endpoint(void)
{
	struct zs_endpoint ep;
	json_t *req, *error = NULL;
	uint8_t want[4];

	inet_pton(AF_INET, "10.0.0.1", want);
	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-listen", "address", "10.0.0.1", "port", 80);
	CHECK(!zs_parse_endpoint(req, true, &ep, &error) && ep.family == AF_INET &&
	      !memcmp(ep.addr, want, 4) && ep.port == 80 && !strcmp(ep.text, "10.0.0.1"),
	      "listen: address and port parsed");
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-listen", "address", "10.0.0.1", "port", 0);
	CHECK(zs_parse_endpoint(req, true, &ep, &error) == -EINVAL &&
	      strstr(message(error), "1 to 65535"), "listen: port 0 is refused");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-listen", "address", "10.0.0.1", "port",
			65536);
	CHECK(zs_parse_endpoint(req, true, &ep, &error) == -EINVAL, "listen: port 65536");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:s}", "cmd", "zs-listen", "address", "10.0.0.1", "port",
			"80");
	CHECK(zs_parse_endpoint(req, true, &ep, &error) == -EINVAL, "listen: a port as text");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-listen", "address", "fd00::1", "port", 80);
	CHECK(zs_parse_endpoint(req, true, &ep, &error) == -EINVAL &&
	      strstr(message(error), "IPv6 is not steered yet"),
	      "listen: IPv6 is refused as not yet steered");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-listen", "address", "10.0.0", "port", 80);
	CHECK(zs_parse_endpoint(req, true, &ep, &error) == -EINVAL &&
	      strstr(message(error), "not an IPv4 address"), "listen: a malformed address");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:s}", "cmd", "zs-connect", "address", "10.0.0.1");
	CHECK(!zs_parse_endpoint(req, false, &ep, &error) && ep.port == 0,
	      "connect: an address without a port");
	json_decref(req);

	req = json_pack("{s:s,s:s,s:i}", "cmd", "zs-connect", "address", "10.0.0.1", "port", 5);
	CHECK(zs_parse_endpoint(req, false, &ep, &error) == -EINVAL &&
	      strstr(message(error), "takes no \"port\""), "connect: a port is refused");
	json_decref(error);
	json_decref(req);

	req = json_pack("{s:s,s:i}", "cmd", "zs-release", "port", 80);
	CHECK(zs_parse_endpoint(req, true, &ep, &error) == -EINVAL &&
	      strstr(message(error), "\"zs-release\" needs \"address\""),
	      "release: a missing address names the command");
	json_decref(error);
	json_decref(req);
}

int main(void)
{
	test_app();
	test_attach();
	test_endpoint();
	return check_exit();
}
