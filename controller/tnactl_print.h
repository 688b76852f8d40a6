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
/* One "key value" line per attribute of o; nested objects as "outer.inner". */
void print_flat(const json_t *o, const char *prefix);

/* The fast path's answers, readable (tnactl_print_fast.c). */
void print_stats(const json_t *r);
void print_pipeline(const json_t *r);
void print_explain(const json_t *r);

/* Prints one monitor event. */
void print_event(json_t *event, const struct print_opts *po);

#endif
