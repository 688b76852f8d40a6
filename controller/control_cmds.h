/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of the control protocol: one table, one handler each. A new
 * command is a handler and a line in control_commands[].
 */
#ifndef TNA_CONTROL_CMDS_H
#define TNA_CONTROL_CMDS_H

#include <stddef.h>

#include "controller/proto.h"

struct control;
struct control_client;

/* The ctx every handler receives. */
struct control_call {
	struct control *ctl;
	struct control_client *client;
};

struct deployer;

/* The deployer the fast-path commands (pipeline, explain, stats IFACE, reload)
 * ask; NULL (the default) makes them answer that the fast path is off. */
void control_cmds__set_deployer(struct deployer *d);

extern const struct proto_command control_commands[];
extern const size_t control_commands_count;

#endif
