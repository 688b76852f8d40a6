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

extern const struct proto_command control_commands[];
extern const size_t control_commands_count;

#endif
