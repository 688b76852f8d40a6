// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "assembler/compile.h"
#include "assembler/sha256.h"

#ifndef TNA_SRC_DIR
#define TNA_SRC_DIR "."
#endif

static const char *clang_of(const struct compile_opts *o)
{
	return o->clang ? o->clang : "clang";
}

static const char *source_dir_of(const struct compile_opts *o)
{
	return o->source_dir ? o->source_dir : TNA_SRC_DIR;
}

static int hash_file(struct sha256 *h, const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sha256__update(h, path, strlen(path));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256__update(h, buf, n);
	close(fd);
	return n < 0 ? -errno : 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hashes every header of dir in name order, so the fingerprint is stable. */
static int hash_headers(struct sha256 *h, const char *root, const char *sub)
{
	char dir[4096], path[8192];
	char *names[256];
	struct dirent *de;
	int n = 0, i, err = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", root, sub);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < (int)(sizeof(names) / sizeof(names[0]))) {
		size_t len = strlen(de->d_name);

		if (len > 2 && strcmp(de->d_name + len - 2, ".h") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		if (!err && names[i]) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			err = hash_file(h, path);
		}
		free(names[i]);
	}
	return err;
}

/* The daemon compiles inside its event loop: a clang that hangs must not
 * stall it for longer than this. A pipeline compiles in ~0.1 s. */
#define COMPILE_TIMEOUT_MS 60000

static unsigned int timeout_of(const struct compile_opts *o)
{
	return o->timeout_ms ? o->timeout_ms : COMPILE_TIMEOUT_MS;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* Runs argv with stdout+stderr captured into out (truncated to out_len, which
 * must be at least 1); returns the exit status, -ETIMEDOUT when it ran past
 * timeout_ms (it is killed, with the processes it started), or -errno if it
 * could not run. */
static int run_captured(char *const argv[], char *out, size_t out_len, unsigned int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	int pipefd[2], status, timed_out = 0;
	char discard[256];
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		/* Its own process group, so a timeout kills clang's children too. */
		setpgid(0, 0);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	out[0] = '\0';
	for (;;) {
		bool room = used + 1 < out_len;
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		uint64_t now = now_ms();

		if (now >= deadline || poll(&pfd, 1, deadline - now) == 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		n = read(pipefd[0], room ? out + used : discard,
			 room ? out_len - used - 1 : sizeof(discard));
		if (n <= 0)
			break;
		if (room) {
			used += n;
			out[used] = '\0';
		}
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (timed_out)
		return -ETIMEDOUT;
	if (!WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

int compile__toolchain_id(const struct compile_opts *opts, char hex[65])
{
	static char cached[65];
	char version[512];
	char *argv[] = { (char *)clang_of(opts), "--version", NULL };
	struct sha256 h;
	uint8_t d[32];
	int err;

	if (cached[0]) {
		memcpy(hex, cached, 65);
		return 0;
	}
	err = run_captured(argv, version, sizeof(version), timeout_of(opts));
	if (err)
		return err < 0 ? err : -ENOEXEC;
	sha256__init(&h);
	sha256__update(&h, version, strlen(version));
	err = hash_headers(&h, source_dir_of(opts), "bpf");
	if (!err)
		err = hash_headers(&h, source_dir_of(opts), "fpm");
	if (err)
		return err;
	sha256__final(&h, d);
	sha256_hex(d, cached);
	memcpy(hex, cached, 65);
	return 0;
}

static int write_file(const char *path, const char *data)
{
	size_t len = strlen(data), done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0) {
			close(fd);
			return -errno;
		}
		done += n;
	}
	return close(fd) ? -errno : 0;
}

int compile__object(const struct compile_opts *opts, const char *source,
		    struct compile_result *res)
{
	char toolchain[65], tmp_obj[4200], include_arg[4200], log[4096];
	const char *arch_inc = "-I/usr/include/" TNA_MULTIARCH;
	struct sha256 h;
	uint8_t d[32];
	int err;

	memset(res, 0, sizeof(*res));
	err = compile__toolchain_id(opts, toolchain);
	if (err) {
		snprintf(res->error, sizeof(res->error),
			 "cannot fingerprint the toolchain (%s --version, headers in %s): %s; "
			 "install clang or pass the source directory",
			 clang_of(opts), source_dir_of(opts), strerror(-err));
		return err;
	}
	sha256__init(&h);
	sha256__update(&h, toolchain, 64);
	sha256__update(&h, source, strlen(source));
	sha256__final(&h, d);
	sha256_hex(d, res->hash);

	if (mkdir(opts->cache_dir, 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(res->error, sizeof(res->error), "cannot create cache directory %s: %s",
			 opts->cache_dir, strerror(errno));
		return err;
	}
	snprintf(res->object, sizeof(res->object), "%s/%s.o", opts->cache_dir, res->hash);
	snprintf(res->source, sizeof(res->source), "%s/%s.c", opts->cache_dir, res->hash);
	if (access(res->object, R_OK) == 0) {
		res->cached = true;
		return 0;
	}

	err = write_file(res->source, source);
	if (err) {
		snprintf(res->error, sizeof(res->error), "cannot write %.900s: %s", res->source,
			 strerror(-err));
		return err;
	}
	/* Compile beside the final name and rename, so a reader never sees half an object. */
	snprintf(tmp_obj, sizeof(tmp_obj), "%s/.%s.%d.o", opts->cache_dir, res->hash, getpid());
	snprintf(include_arg, sizeof(include_arg), "-I%s", source_dir_of(opts));
	{
		char *argv[] = { (char *)clang_of(opts), "-O2", "-g", "-Wall", "-Werror",
				 "-target", "bpf", "-D__TARGET_ARCH_x86", include_arg,
				 (char *)arch_inc, "-c", "-o", tmp_obj, res->source, NULL };

		err = run_captured(argv, log, sizeof(log), timeout_of(opts));
	}
	if (err) {
		unlink(tmp_obj);
		if (err == -ETIMEDOUT)
			snprintf(res->error, sizeof(res->error), "clang did not finish within %u ms "
				 "on generated file %.200s and was killed; the interface stays with "
				 "Linux: check that %s works", timeout_of(opts), res->source,
				 clang_of(opts));
		else
			snprintf(res->error, sizeof(res->error),
				 "clang failed on generated file %.200s: %.700s", res->source,
				 err < 0 ? strerror(-err) : log);
		return err < 0 ? err : -EINVAL;
	}
	if (rename(tmp_obj, res->object)) {
		err = -errno;
		unlink(tmp_obj);
		snprintf(res->error, sizeof(res->error), "cannot move object into %.900s: %s",
			 res->object, strerror(-err));
		return err;
	}
	return 0;
}
