/* SPDX-License-Identifier: GPL-2.0 */
/* Decoder for the listener reader (listen.c), tested without root. */
#ifndef TNA_INTROSPECT_LISTEN_H
#define TNA_INTROSPECT_LISTEN_H

#include <linux/netlink.h>

#include "introspect/objects.h"

/* Decodes one sock_diag reply (inet_diag_msg + INET_DIAG_* attributes) of an
 * AF_INET or AF_INET6 socket. 0, or -EINVAL for a truncated or malformed
 * message or another address family. */
int listen_parse(const struct nlmsghdr *nlh, struct tna_listener *out);

#endif
