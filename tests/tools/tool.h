/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tna-gen, tna-sink and tna-xdp-fwd share: finding and configuring their
 * BPF object, reading per-CPU counters, and a run that ends by itself after a
 * bounded time or on SIGINT/SIGTERM, whichever comes first.
 */
#ifndef TNA_TESTS_TOOL_H
#define TNA_TESTS_TOOL_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static inline double tool_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The tools' objects are built beside them (build/tools/), wherever that is. */
static inline int tool_open_object(const char *file, struct bpf_object **obj)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;
	int err;

	if (n < 0)
		return -errno;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash + 1 - path) + strlen(file) >= sizeof(path))
		return -ENAMETOOLONG;
	strcpy(slash + 1, file);
	*obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(*obj);
	if (err) {
		*obj = NULL;
		fprintf(stderr, "cannot open %s: %s (run `make tests` to build it)\n", path,
			strerror(-err));
	}
	return err;
}

/* Sets a `const volatile` global of the object before it is loaded, found by
 * name through BTF so the BPF side stays plain C with no shared header. */
static inline int tool_set_rodata(struct bpf_object *obj, const char *var, const void *val,
				  size_t size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vi;
	const struct btf_type *sec;
	size_t data_size;
	const void *data;
	char *copy;
	int id, i, err;

	if (!map || !btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	data = bpf_map__initial_value(map, &data_size);
	if (id < 0 || !data)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *t = btf__type_by_id(btf, vi->type);

		if (!strcmp(btf__name_by_offset(btf, t->name_off), var))
			break;
	}
	if (i == btf_vlen(sec))
		return -ENOENT;
	if (vi->size != size || vi->offset + size > data_size)
		return -EINVAL;
	copy = malloc(data_size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, data_size);
	memcpy(copy + vi->offset, val, size);
	err = bpf_map__set_initial_value(map, copy, data_size);
	free(copy);
	return err;
}

static inline int tool_percpu_sum(int map_fd, __u32 key, __u64 *sum)
{
	int ncpus = libbpf_num_possible_cpus(), i, err = 0;
	__u64 *values;

	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, values)) {
		err = -errno;
		goto out;
	}
	*sum = 0;
	for (i = 0; i < ncpus; i++)
		*sum += values[i];
out:
	free(values);
	return err;
}

static inline int tool_ifindex(const char *name, int *ifindex)
{
	*ifindex = if_nametoindex(name);
	if (!*ifindex) {
		fprintf(stderr, "no interface %s in this network namespace\n", name);
		return -ENODEV;
	}
	return 0;
}

/* Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
 * afterwards: they are taken only by tool_wait_until(), so a signal never
 * interrupts a BPF_PROG_RUN half way through and every count stays exact. */
static inline void tool_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* Sleeps until the monotonic time `until`; -EINTR if a stop signal came first. */
static inline int tool_wait_until(const sigset_t *set, double until)
{
	struct timespec ts;
	double left;

	while ((left = until - tool_now()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		if (sigtimedwait(set, NULL, &ts) >= 0)
			return -EINTR;
	}
	return 0;
}

static inline int tool_parse_num(const char *opt, const char *s, double min, double max,
				 double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out < min || *out > max) {
		fprintf(stderr, "%s: '%s' is not a number between %g and %g\n", opt, s, min, max);
		return -EINVAL;
	}
	return 0;
}

#endif
