// SPDX-License-Identifier: GPL-2.0
/*
 * tna-gen: sends Ethernet/IPv4/UDP frames out of an interface as fast as one
 * core per thread allows, or at a set rate. An XDP program redirecting to the
 * interface runs through BPF_PROG_RUN with live frames, so every run puts one
 * frame on the wire with no socket, no skb and no copy from user space; the
 * program itself paces and counts. Stops by itself after --count frames or
 * --duration seconds.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <net/ethernet.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tests/tools/tool.h"

#define FCS_LEN 4
#define MAX_CPUS 64
/* Runs per BPF_PROG_RUN. Each call costs tens of milliseconds of setup and
 * teardown here, during which nothing is sent: unpaced, CHUNK runs take tens
 * of ms; paced, most runs are cheap drops, so calls are made longer still to
 * keep the pauses rare. Both stay well under a second, so --duration and
 * signals are honoured promptly. */
#define CHUNK 65536
#define PACED_CHUNK (1u << 22)

struct gen_opts {
	const char *dev;
	struct ether_addr src_mac, dst_mac;
	bool have_src_mac, have_dst_mac;
	struct in_addr src_ip, dst_ip;
	unsigned int size, flows, port, batch;
	uint64_t count;
	double duration, rate;
	int cpus[MAX_CPUS];
	int ncpus;
	bool json;
};

/* The BPF side's per-CPU state: its layout, field for field. */
struct gen_state {
	uint64_t sent;
	uint64_t quota;
	uint64_t next_ns;
	uint32_t flow;
};

struct gen_thread {
	pthread_t tid;
	const struct gen_opts *opts;
	int prog_fd, state_fd, cpu;
	const void *frame;
	unsigned int frame_len;
	uint64_t quota, sent;
	double deadline;
	volatile bool *stop;
	int *finished;
	int err;
};

static uint16_t ip_checksum(const void *hdr, size_t len)
{
	const uint16_t *p = hdr;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* UDP checksum 0 means "none" in IPv4: the BPF side may rewrite ports freely. */
static void frame_build(const struct gen_opts *o, uint8_t *buf, unsigned int len)
{
	struct ether_header *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	memset(buf, 0, len);
	memcpy(eth->ether_dhost, &o->dst_mac, ETH_ALEN);
	memcpy(eth->ether_shost, &o->src_mac, ETH_ALEN);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len - sizeof(*eth));
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = o->src_ip.s_addr;
	ip->daddr = o->dst_ip.s_addr;
	ip->check = ip_checksum(ip, sizeof(*ip));
	udp->source = htons(1024);
	udp->dest = htons(o->port);
	udp->len = htons(len - sizeof(*eth) - sizeof(*ip));
}

static int dev_mac(const char *dev, struct ether_addr *mac)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return err;
}

/* This thread's CPU's slot of the program's per-CPU state. */
static int gen_state_read(int fd, int cpu, struct gen_state *st)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	struct gen_state *all = calloc(ncpus, sizeof(*all));
	uint32_t key = 0;

	if (!all)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, all))
		err = -errno;
	else
		*st = all[cpu];
	free(all);
	return err;
}

static void *gen_thread__run(void *arg)
{
	struct gen_thread *t = arg;
	struct gen_state st = { 0 };

	while (!*t->stop && tool_now() < t->deadline) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = t->frame,
			    .data_size_in = t->frame_len, .repeat = t->opts->rate > 0 ? PACED_CHUNK : CHUNK,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = t->opts->batch);

		if (bpf_prog_test_run_opts(t->prog_fd, &run)) {
			t->err = -errno;
			break;
		}
		t->err = gen_state_read(t->state_fd, t->cpu, &st);
		if (t->err)
			break;
		t->sent = st.sent;
		if (t->quota && t->sent >= t->quota)
			break;
	}
	__atomic_add_fetch(t->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Every CPU starts from zero, with its share of --count as its quota. */
static int gen_state_init(const struct gen_opts *o, int fd)
{
	int ncpus = libbpf_num_possible_cpus(), i, err = 0;
	struct gen_state *all = calloc(ncpus, sizeof(*all));
	uint32_t key = 0;

	if (!all)
		return -ENOMEM;
	for (i = 0; i < o->ncpus && o->count; i++)
		all[o->cpus[i]].quota = o->count / o->ncpus + (i < (int)(o->count % o->ncpus));
	if (bpf_map_update_elem(fd, &key, all, BPF_ANY))
		err = -errno;
	free(all);
	return err;
}

static int gen_load(const struct gen_opts *o, int ifindex, struct bpf_object **obj, int *prog_fd)
{
	uint64_t gap_ns = o->rate > 0 ? o->ncpus * 1e9 / o->rate : 0;
	uint16_t base_port = 1024;
	uint32_t flows = o->flows;
	int err = tool_open_object("tna_gen.bpf.o", obj);

	if (err)
		return err;
	err = tool_set_rodata(*obj, "tx_ifindex", &ifindex, sizeof(uint32_t));
	err = err ?: tool_set_rodata(*obj, "flows", &flows, sizeof(flows));
	err = err ?: tool_set_rodata(*obj, "base_port", &base_port, sizeof(base_port));
	err = err ?: tool_set_rodata(*obj, "gap_ns", &gap_ns, sizeof(gap_ns));
	if (err) {
		fprintf(stderr, "tna_gen.bpf.o lacks its configuration globals: %s\n",
			strerror(-err));
		return err;
	}
	err = bpf_object__load(*obj);
	if (err) {
		fprintf(stderr, "cannot load tna_gen.bpf.o: %s\n", strerror(-err));
		return err;
	}
	*prog_fd = bpf_program__fd(bpf_object__find_program_by_name(*obj, "tna_gen"));
	return *prog_fd < 0 ? *prog_fd : 0;
}

static void gen_report(const struct gen_opts *o, const struct gen_thread *t, double secs)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < o->ncpus; i++)
		total += t[i].sent;
	if (!o->json) {
		printf("sent %llu frames of %u bytes out of %s in %.3f s: %.0f pps\n",
		       (unsigned long long)total, o->size, o->dev, secs, total / secs);
		for (i = 0; i < o->ncpus; i++)
			printf("  cpu %d: %llu frames, %.0f pps\n", t[i].cpu,
			       (unsigned long long)t[i].sent, t[i].sent / secs);
		return;
	}
	printf("{\"dev\":\"%s\",\"frame_size\":%u,\"flows\":%u,\"packets\":%llu,"
	       "\"seconds\":%.6f,\"pps\":%.0f,\"cpus\":[",
	       o->dev, o->size, o->flows, (unsigned long long)total, secs, total / secs);
	for (i = 0; i < o->ncpus; i++)
		printf("%s{\"cpu\":%d,\"packets\":%llu}", i ? "," : "", t[i].cpu,
		       (unsigned long long)t[i].sent);
	printf("]}\n");
}

static int gen_run(const struct gen_opts *o)
{
	struct gen_thread threads[MAX_CPUS] = { 0 };
	unsigned int frame_len = o->size - FCS_LEN;
	uint8_t frame[4096];
	struct bpf_object *obj = NULL;
	volatile bool stop = false;
	int ifindex, prog_fd, state_fd = -1, i, started = 0, finished = 0, err;
	double start, end;
	sigset_t sigs;

	err = tool_ifindex(o->dev, &ifindex);
	err = err ?: gen_load(o, ifindex, &obj, &prog_fd);
	if (!err) {
		state_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "state"));
		err = gen_state_init(o, state_fd);
	}
	if (err)
		goto out;
	frame_build(o, frame, frame_len);
	tool_block_signals(&sigs);
	start = tool_now();
	for (i = 0; i < o->ncpus; i++) {
		struct gen_thread *t = &threads[i];
		pthread_attr_t attr;
		cpu_set_t cpus;

		*t = (struct gen_thread){ .opts = o, .prog_fd = prog_fd, .state_fd = state_fd,
					  .cpu = o->cpus[i], .frame = frame, .frame_len = frame_len,
					  .deadline = start + o->duration, .stop = &stop,
					  .finished = &finished };
		if (o->count)
			t->quota = o->count / o->ncpus + (i < (int)(o->count % o->ncpus));
		CPU_ZERO(&cpus);
		CPU_SET(t->cpu, &cpus);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
		err = -pthread_create(&t->tid, &attr, gen_thread__run, t);
		pthread_attr_destroy(&attr);
		if (err) {
			fprintf(stderr, "cannot start a thread on cpu %d: %s\n", t->cpu,
				strerror(-err));
			stop = true;
			break;
		}
		started++;
	}
	/* Threads end on their own at the deadline or quota; a signal ends them early. */
	while (!err && __atomic_load_n(&finished, __ATOMIC_ACQUIRE) < started) {
		double until = tool_now() + 0.05;

		if (until > start + o->duration)
			until = start + o->duration;
		if (tool_wait_until(&sigs, until) == -EINTR || tool_now() >= start + o->duration) {
			stop = true;
			break;
		}
	}
	for (i = 0; i < started; i++) {
		pthread_join(threads[i].tid, NULL);
		if (threads[i].err && !err) {
			err = threads[i].err;
			fprintf(stderr, "BPF_PROG_RUN on cpu %d failed: %s\n", threads[i].cpu,
				strerror(-err));
		}
	}
	end = tool_now();
	if (started)
		gen_report(o, threads, end - start);
out:
	bpf_object__close(obj);
	return err;
}

static int parse_cpus(const char *s, struct gen_opts *o)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int err = 0, lo, hi, ncpus = libbpf_num_possible_cpus();

	if (!copy)
		return -ENOMEM;
	o->ncpus = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int n = sscanf(tok, "%d-%d", &lo, &hi);

		if (n == 1)
			hi = lo;
		if (n < 1 || lo < 0 || hi < lo || hi >= ncpus || o->ncpus + hi - lo >= MAX_CPUS) {
			fprintf(stderr, "--cpus: '%s' is not a list of cpus 0-%d\n", s, ncpus - 1);
			err = -EINVAL;
			goto out;
		}
		while (lo <= hi)
			o->cpus[o->ncpus++] = lo++;
	}
	if (!o->ncpus)
		err = -EINVAL;
out:
	free(copy);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tna-gen --dev IFACE --dst-mac MAC [options]\n"
		"  --dev IFACE       send out of this interface (its peer receives)\n"
		"  --dst-mac MAC     destination MAC (required)\n"
		"  --src-mac MAC     source MAC (default: the interface's)\n"
		"  --src-ip A        source IPv4 (default 198.18.0.1)\n"
		"  --dst-ip A        destination IPv4 (default 198.18.0.2)\n"
		"  --port N          UDP destination port (default 9)\n"
		"  --flows N         vary the UDP source port over N values (default 1)\n"
		"  --size N          frame size in bytes, FCS included, 64-1518 (default 64)\n"
		"  --count N         stop after N frames (default: no limit)\n"
		"  --duration S      stop after S seconds (default 10)\n"
		"  --rate PPS        pace to PPS frames per second in total (default: flat out)\n"
		"  --cpus LIST       one sending thread pinned per cpu, e.g. 0 or 0,1 (default 0)\n"
		"  --batch N         frames per kernel batch, 1-256 (default 64)\n"
		"  --json            print the result as JSON\n");
}

static int parse_mac(const char *opt, const char *s, struct ether_addr *mac)
{
	if (ether_aton_r(s, mac))
		return 0;
	fprintf(stderr, "%s: '%s' is not a MAC address\n", opt, s);
	return -EINVAL;
}

static int parse_ip(const char *opt, const char *s, struct in_addr *ip)
{
	if (inet_pton(AF_INET, s, ip) == 1)
		return 0;
	fprintf(stderr, "%s: '%s' is not an IPv4 address\n", opt, s);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct gen_opts *o)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src-mac", required_argument, NULL, 'M' },
		{ "src-ip", required_argument, NULL, 'S' },
		{ "dst-ip", required_argument, NULL, 'D' },
		{ "port", required_argument, NULL, 'p' },
		{ "flows", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "batch", required_argument, NULL, 'b' },
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
		case 'm': err = parse_mac(name, optarg, &o->dst_mac); o->have_dst_mac = true; break;
		case 'M': err = parse_mac(name, optarg, &o->src_mac); o->have_src_mac = true; break;
		case 'S': err = parse_ip(name, optarg, &o->src_ip); break;
		case 'D': err = parse_ip(name, optarg, &o->dst_ip); break;
		case 'p': err = tool_parse_num(name, optarg, 1, 65535, &v); o->port = v; break;
		case 'f': err = tool_parse_num(name, optarg, 1, 64511, &v); o->flows = v; break;
		case 's': err = tool_parse_num(name, optarg, 64, 1518, &v); o->size = v; break;
		case 'c': err = tool_parse_num(name, optarg, 1, 1e15, &v); o->count = v; break;
		case 't': err = tool_parse_num(name, optarg, 0.001, 86400, &o->duration); break;
		case 'r': err = tool_parse_num(name, optarg, 1, 1e9, &o->rate); break;
		case 'C': err = parse_cpus(optarg, o); break;
		case 'b': err = tool_parse_num(name, optarg, 1, 256, &v); o->batch = v; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		default: err = -EINVAL;
		}
	}
	if (!err && (!o->dev || !o->have_dst_mac || optind < argc))
		err = -EINVAL;
	if (err)
		usage(stderr);
	return err;
}

int main(int argc, char **argv)
{
	struct gen_opts o = { .size = 64, .flows = 1, .port = 9, .batch = 64, .duration = 10,
			      .ncpus = 1 };
	int err;

	inet_pton(AF_INET, "198.18.0.1", &o.src_ip);
	inet_pton(AF_INET, "198.18.0.2", &o.dst_ip);
	err = parse_args(argc, argv, &o);
	if (!err && !o.have_src_mac) {
		err = dev_mac(o.dev, &o.src_mac);
		if (err)
			fprintf(stderr, "cannot read the MAC of %s: %s\n", o.dev, strerror(-err));
	}
	err = err ?: gen_run(&o);
	return err ? 1 : 0;
}
