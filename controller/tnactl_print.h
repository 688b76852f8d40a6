/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How tnactl prints the daemon's answers: as JSON (-j), or readable at a
 * glance in the manner of ip(8) and bridge(8).
 */
#ifndef TNA_TNACTL_PRINT_H
#define TNA_TNACTL_PRINT_H

#include <jansson.h>
#include <stdbool.h>

struct print_opts {
	bool json;
	bool pretty;
};

/* Prints the result of the command cmd on stdout. 0 or -errno. */
int print_result(const char *cmd, json_t *result, const struct print_opts *po);
/* Prints one monitor event. */
void print_event(json_t *event, const struct print_opts *po);

#endif
