/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest test harness that does the job: one result line per check,
 * "ok - what" or "not ok - what (why)", read by tests/run.sh.
 */
#ifndef TNA_TESTS_CHECK_H
#define TNA_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed;
static int check_passed;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		int _ok = !!(cond);                                           \
		if (_ok)                                                      \
			check_passed++;                                       \
		else                                                          \
			check_failed++;                                       \
		printf(_ok ? "ok - " : "not ok - ");                          \
		printf(__VA_ARGS__);                                          \
		if (!_ok)                                                     \
			printf("  [%s:%d: %s]", __FILE__, __LINE__, #cond);   \
		printf("\n");                                                 \
		fflush(stdout);                                               \
	} while (0)

#define CHECK_EQ_INT(a, b, what)                                              \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		CHECK(_a == _b, "%s (got %lld, want %lld)", what, _a, _b);    \
	} while (0)

#define CHECK_EQ_STR(a, b, what)                                              \
	do {                                                                  \
		const char *_a = (a), *_b = (b);                              \
		CHECK(_a && _b && strcmp(_a, _b) == 0, "%s (got \"%s\", want \"%s\")", \
		      what, _a ? _a : "(null)", _b ? _b : "(null)");          \
	} while (0)

/* Prints a skip line for a check that cannot run here, with the reason. */
#define SKIP(...)                                                             \
	do {                                                                  \
		printf("skip - ");                                            \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
	} while (0)

static inline int check_exit(void)
{
	return check_failed ? 1 : 0;
}

#endif
