// SPDX-License-Identifier: GPL-2.0
/* The compile cache: a fresh compile, a cache hit, a changed source, and an
 * error message that names the generated file. Needs clang, not root. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assembler/compile.h"
#include "tests/check.h"

static const char pass_prog[] =
	"#include <linux/bpf.h>\n"
	"#include <bpf/bpf_helpers.h>\n"
	"SEC(\"xdp\") int pass(struct xdp_md *ctx) { return XDP_PASS; }\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n";

static const char drop_prog[] =
	"#include <linux/bpf.h>\n"
	"#include <bpf/bpf_helpers.h>\n"
	"SEC(\"xdp\") int drop(struct xdp_md *ctx) { return XDP_DROP; }\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n";

int main(void)
{
	char dir[] = "/tmp/tna-compile-XXXXXX";
	struct compile_opts opts = { 0 };
	struct compile_result first, again, other, bad;
	char cmd[256];
	int err;

	if (!mkdtemp(dir)) {
		CHECK(0, "make a temporary cache directory");
		return check_exit();
	}
	opts.cache_dir = dir;

	err = compile__object(&opts, pass_prog, &first);
	CHECK(err == 0 && !first.cached && access(first.object, R_OK) == 0,
	      "a new source compiles into the cache (%s)", err ? first.error : first.object);
	err = compile__object(&opts, pass_prog, &again);
	CHECK(err == 0 && again.cached && strcmp(again.hash, first.hash) == 0,
	      "the same source is a cache hit with the same hash");
	err = compile__object(&opts, drop_prog, &other);
	CHECK(err == 0 && !other.cached && strcmp(other.hash, first.hash) != 0,
	      "a different source gets a different hash and compiles");
	err = compile__object(&opts, "this is not C;\n", &bad);
	CHECK(err != 0 && strstr(bad.error, bad.source) && access(bad.object, F_OK) != 0,
	      "a compile error names the generated file and leaves no object (%s)", bad.error);

	/* A compiler that hangs is killed at the deadline, children included. */
	{
		char fake[300];
		FILE *f;

		snprintf(fake, sizeof(fake), "%s/hanging-clang", dir);
		f = fopen(fake, "w");
		if (f) {
			fputs("#!/bin/sh\nsleep 30 & wait\n", f);
			fclose(f);
			chmod(fake, 0755);
		}
		opts.clang = fake;
		opts.timeout_ms = 300;
		time_t start = time(NULL);
		err = compile__object(&opts, "int different_source;\n", &bad);
		CHECK(err == -ETIMEDOUT && strstr(bad.error, "did not finish") &&
		      time(NULL) - start < 5,
		      "a compiler that hangs is killed at the deadline (%s)", bad.error);
	}

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		CHECK(0, "remove the temporary cache directory");
	return check_exit();
}
