// SPDX-License-Identifier: GPL-2.0
/*
 * tna-xdp-fwd: redirects every frame arriving on one port to another through
 * a devmap, with no parsing and no lookup: the ceiling any XDP bridge can
 * reach between those two ports. With --pass it hands every frame to the
 * stack instead (the Linux bridge measured on a port that polls a NAPI ring
 * without GRO). Stays attached for --duration seconds or until SIGINT/SIGTERM;
 * the bpf_link is never pinned, so even a killed process leaves nothing behind.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>

#include "tests/tools/tool.h"

struct fwd_opts {
	const char *in, *out;
	double duration;
	bool pass;
};

static int fwd_run(const struct fwd_opts *o)
{
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_program *prog;
	int in, out = 0, tx_port, err;
	__u32 key = 0;
	sigset_t sigs;

	tool_block_signals(&sigs);
	err = tool_ifindex(o->in, &in);
	err = err ?: o->pass ? 0 : tool_ifindex(o->out, &out);
	err = err ?: tool_open_object("tna_xdp_fwd.bpf.o", &obj);
	if (err)
		goto out;
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "cannot load tna_xdp_fwd.bpf.o: %s\n", strerror(-err));
		goto out;
	}
	tx_port = bpf_map__fd(bpf_object__find_map_by_name(obj, "tx_port"));
	if (!o->pass && bpf_map_update_elem(tx_port, &key, &out, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "cannot put %s in the devmap: %s (does it support XDP?)\n", o->out,
			strerror(-err));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, o->pass ? "tna_xdp_pass" : "tna_xdp_fwd");
	link = bpf_program__attach_xdp(prog, in);
	err = libbpf_get_error(link);
	if (err) {
		link = NULL;
		fprintf(stderr, "cannot attach XDP to %s: %s (another XDP program on it?)\n", o->in,
			strerror(-err));
		goto out;
	}
	if (o->pass)
		fprintf(stderr, "passing %s to the stack for %g s\n", o->in, o->duration);
	else
		fprintf(stderr, "redirecting %s -> %s for %g s\n", o->in, o->out, o->duration);
	tool_wait_until(&sigs, tool_now() + o->duration);
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tna-xdp-fwd --in IFACE {--out IFACE | --pass} [--duration S]\n"
		   "  --in IFACE      attach here\n"
		   "  --out IFACE     send everything there\n"
		   "  --pass          hand everything to the stack instead (XDP_PASS)\n"
		   "  --duration S    detach after S seconds (default 10)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 't' },
		{ "pass", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct fwd_opts o = { .duration = 10 };
	int c, err = 0;

	while (!err && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.in = optarg; break;
		case 'o': o.out = optarg; break;
		case 't': err = tool_parse_num("--duration", optarg, 0.001, 86400, &o.duration); break;
		case 'p': o.pass = true; break;
		case 'h': usage(stdout); return 0;
		default: err = -EINVAL;
		}
	}
	if (err || !o.in || !o.out == !o.pass || optind < argc) {
		usage(stderr);
		return 1;
	}
	return fwd_run(&o) ? 1 : 0;
}
