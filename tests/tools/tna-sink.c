// SPDX-License-Identifier: GPL-2.0
/*
 * tna-sink: counts the frames arriving on an interface with an XDP program
 * and drops them (or passes them on), then reports how many came and how
 * fast. On a veth, its XDP program is also what makes frames redirected into
 * the peer deliverable at all. The program hangs on a bpf_link that is never
 * pinned, so it goes away with the process however that ends.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "tests/tools/tool.h"

enum sink_counter { SINK_MATCHED, SINK_OTHER };

struct sink_opts {
	const char *dev;
	double duration, warmup, interval;
	unsigned int udp_port;
	bool pass, json;
};

struct sink_count {
	__u64 matched, other;
	double at;
};

static int sink_read(int map_fd, struct sink_count *c)
{
	int err = tool_percpu_sum(map_fd, SINK_MATCHED, &c->matched);

	err = err ?: tool_percpu_sum(map_fd, SINK_OTHER, &c->other);
	c->at = tool_now();
	return err;
}

static int sink_load(const struct sink_opts *o, struct bpf_object **obj)
{
	uint32_t verdict = o->pass ? XDP_PASS : XDP_DROP;
	uint16_t port = o->udp_port;
	int err = tool_open_object("tna_sink.bpf.o", obj);

	if (err)
		return err;
	err = tool_set_rodata(*obj, "udp_port", &port, sizeof(port));
	err = err ?: tool_set_rodata(*obj, "verdict", &verdict, sizeof(verdict));
	if (err) {
		fprintf(stderr, "tna_sink.bpf.o lacks its configuration globals: %s\n",
			strerror(-err));
		return err;
	}
	err = bpf_object__load(*obj);
	if (err)
		fprintf(stderr, "cannot load tna_sink.bpf.o: %s\n", strerror(-err));
	return err;
}

static void sink_report(const struct sink_opts *o, const struct sink_count *from,
			const struct sink_count *to, bool interrupted)
{
	double secs = to->at - from->at;
	__u64 n = to->matched - from->matched, other = to->other - from->other;

	if (o->json)
		printf("{\"dev\":\"%s\",\"packets\":%llu,\"other\":%llu,\"seconds\":%.6f,"
		       "\"pps\":%.0f,\"interrupted\":%s}\n",
		       o->dev, (unsigned long long)n, (unsigned long long)other, secs,
		       secs > 0 ? n / secs : 0, interrupted ? "true" : "false");
	else
		printf("received %llu frames on %s in %.3f s: %.0f pps (%llu other frames "
		       "passed)%s\n",
		       (unsigned long long)n, o->dev, secs, secs > 0 ? n / secs : 0,
		       (unsigned long long)other, interrupted ? ", stopped early" : "");
}

/* Counts from the end of the warm-up to the end of the run, printing every
 * interval on the way if asked; a signal ends the run early, counted so far. */
static int sink_measure(const struct sink_opts *o, int map_fd, const sigset_t *sigs)
{
	struct sink_count first, last, prev;
	double start = tool_now(), end = start + o->warmup + o->duration, until;
	bool interrupted = tool_wait_until(sigs, start + o->warmup) == -EINTR;
	int err = sink_read(map_fd, &first);

	prev = first;
	last = first;
	while (!err && !interrupted && last.at < end) {
		until = o->interval > 0 && last.at + o->interval < end ? last.at + o->interval : end;
		interrupted = tool_wait_until(sigs, until) == -EINTR;
		err = sink_read(map_fd, &last);
		if (!err && o->interval > 0 && !o->json) {
			printf("  %.3f s: ", last.at - first.at);
			sink_report(o, &prev, &last, false);
			fflush(stdout);
		}
		prev = last;
	}
	if (err) {
		fprintf(stderr, "cannot read the sink's counters: %s\n", strerror(-err));
		return err;
	}
	sink_report(o, &first, &last, interrupted);
	return 0;
}

static int sink_run(const struct sink_opts *o)
{
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	int ifindex, err;
	sigset_t sigs;

	tool_block_signals(&sigs);
	err = tool_ifindex(o->dev, &ifindex);
	err = err ?: sink_load(o, &obj);
	if (err)
		goto out;
	prog = bpf_object__find_program_by_name(obj, "tna_sink");
	link = bpf_program__attach_xdp(prog, ifindex);
	err = libbpf_get_error(link);
	if (err) {
		link = NULL;
		fprintf(stderr, "cannot attach XDP to %s: %s (another XDP program on it?)\n",
			o->dev, strerror(-err));
		goto out;
	}
	err = sink_measure(o, bpf_map__fd(bpf_object__find_map_by_name(obj, "counters")),
			   &sigs);
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tna-sink --dev IFACE [options]\n"
		"  --dev IFACE      count the frames arriving here\n"
		"  --duration S     count for S seconds after the warm-up, then detach (default 10)\n"
		"  --warmup S       attached but not counting for the first S seconds (default 0)\n"
		"  --interval S     also print the rate every S seconds\n"
		"  --udp-port N     count only IPv4/UDP frames to port N; pass the rest\n"
		"  --pass           pass counted frames to the stack instead of dropping them\n"
		"  --json           print the result as JSON\n");
}

static int parse_args(int argc, char **argv, struct sink_opts *o)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "duration", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "udp-port", required_argument, NULL, 'p' },
		{ "pass", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	double v;
	int c, err = 0;

	while (!err && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const char *name = argv[optind - 1];

		switch (c) {
		case 'd': o->dev = optarg; break;
		case 't': err = tool_parse_num(name, optarg, 0.001, 86400, &o->duration); break;
		case 'w': err = tool_parse_num(name, optarg, 0, 3600, &o->warmup); break;
		case 'i': err = tool_parse_num(name, optarg, 0.01, 3600, &o->interval); break;
		case 'p': err = tool_parse_num(name, optarg, 1, 65535, &v); o->udp_port = v; break;
		case 'P': o->pass = true; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		default: err = -EINVAL;
		}
	}
	if (!err && (!o->dev || optind < argc))
		err = -EINVAL;
	if (err)
		usage(stderr);
	return err;
}

int main(int argc, char **argv)
{
	struct sink_opts o = { .duration = 10 };

	return parse_args(argc, argv, &o) || sink_run(&o) ? 1 : 0;
}
