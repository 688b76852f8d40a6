/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generated pipeline source → BPF object, through clang, cached on disk by a
 * hash of the source and the toolchain, so identical plans compile once.
 */
#ifndef TNA_COMPILE_H
#define TNA_COMPILE_H

#include <stdbool.h>

struct compile_opts {
	const char *cache_dir;	 /* created if missing */
	const char *clang;	 /* "clang" if NULL */
	const char *source_dir;	 /* holds fpm/ and bpf/; TNA_SRC_DIR if NULL */
	unsigned int timeout_ms; /* clang is killed past it; 0: 60 s */
};

struct compile_result {
	char hash[65];		/* hex SHA-256 of source + toolchain */
	char object[4096];	/* path of the object in the cache */
	char source[4096];	/* path of the generated source kept beside it */
	bool cached;		/* no compile ran */
	char error[1024];	/* on failure: what went wrong, naming the generated file */
};

/* The toolchain fingerprint: clang's version and every fpm/ and bpf/ header.
 * Computed once per process; 0 or -errno. */
int compile__toolchain_id(const struct compile_opts *opts, char hex[65]);

/* Compiles source into an object, or finds it in the cache. 0 or -errno; on
 * failure res->error says why. */
int compile__object(const struct compile_opts *opts, const char *source,
		    struct compile_result *res);

#endif
