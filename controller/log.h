/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log lines on stderr, one per event, prefixed with the program's name so a
 * line in a test log says where it came from.
 */
#ifndef TNA_LOG_H
#define TNA_LOG_H

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Lines above level are dropped; the default is LOG_LEVEL_INFO. (Not LOG_ERR
 * and friends: syslog.h owns those names.) */
void log_init(const char *prog, enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
