// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "controller/log.h"

static const char *log_prog = "zstack-tna";
static enum log_level log_max = LOG_LEVEL_INFO;

void log_init(const char *prog, enum log_level level)
{
	log_prog = prog;
	log_max = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {
		[LOG_LEVEL_ERR] = "error: ",
		[LOG_LEVEL_WARN] = "warning: ",
		[LOG_LEVEL_INFO] = "",
		[LOG_LEVEL_DEBUG] = "debug: ",
	};
	char line[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so lines from a daemon and its tests do not interleave. */
	fprintf(stderr, "%s: %s%s\n", log_prog, tags[level], line);
}
