// SPDX-License-Identifier: GPL-2.0
/*
 * zstack-tna: the daemon. It reads the kernel's configuration into the graph
 * and answers on the control socket, in the network namespace it was started
 * in, in the foreground, from one single-threaded epoll loop.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "controller/caps.h"
#include "controller/control.h"
#include "controller/control_cmds.h"
#include "controller/deployer.h"
#include "controller/graph.h"
#include "controller/log.h"
#include "controller/zs_registry.h"
#include "introspect/introspect.h"

#define MAX_INTROSPECT_FDS 16
#define DEFAULT_CACHE_DIR "/var/cache/zstack-tna"

/* What an epoll event is about: the source in the upper half, the fd below. */
enum source {
	SRC_INTROSPECT = 1,
	SRC_TICK,
	SRC_CONTROL,
	SRC_SIGNAL,
	SRC_DEPLOY,
};

struct daemon_opts {
	const char *control;
	const char *bpf_dir;	/* NULL: bpf/ beside the binary */
	const char *cache_dir;
	bool fast_path;
};

struct daemon {
	struct caps caps;
	struct graph *graph;
	struct introspect *introspect;
	struct control *control;
	struct deployer *deployer;	/* NULL without a fast path */
	struct zs_apps *zs;
	int epfd, timer_fd, signal_fd;
	uint64_t resyncs;	/* last seen, to log each new one */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: zstack-tna [--control PATH] [--bpf-dir DIR] [--cache-dir DIR]\n"
		   "                  [--no-fast-path] [-v] [--help]\n"
		   "\n"
		   "Watches this network namespace's configuration, accelerates what it can with\n"
		   "XDP, and serves it all on a control socket for tnactl. Runs in the\n"
		   "foreground; stop it with SIGTERM or Ctrl-C, which detaches its programs.\n"
		   "\n"
		   "  -c, --control PATH  control socket (default " CONTROL_DEFAULT_PATH ")\n"
		   "  -b, --bpf-dir DIR   where root.bpf.o is (default: bpf/ beside this binary)\n"
		   "  -C, --cache-dir DIR compiled pipelines (default " DEFAULT_CACHE_DIR ")\n"
		   "  -n, --no-fast-path  only watch and answer; attach no XDP program\n"
		   "  -v, --verbose       log every client and request\n"
		   "  -h, --help          this text\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static int watch_fd(struct daemon *d, int fd, enum source src)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = (uint64_t)src << 32 | (uint32_t)fd,
	};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void log_caps(const struct caps *c)
{
	pr_info("caps: kernel %s, BTF %s, conntrack kfuncs %s, clang %s, libbpf %s", c->kernel,
		c->btf ? "yes" : "no", c->ct_lookup && c->ct_release ? "yes" : "no",
		c->clang[0] ? c->clang : "absent", c->libbpf);
}

/* Says so when introspect had to resync since the last look. */
static void log_resyncs(struct daemon *d)
{
	struct introspect_stats st;

	introspect__get_stats(d->introspect, &st);
	if (st.resyncs == d->resyncs)
		return;
	d->resyncs = st.resyncs;
	pr_info("introspect: resynced after lost events (%llu so far); graph: %zu nodes",
		(unsigned long long)st.resyncs, graph__node_count(d->graph));
}

static void links_changed(void *ctx)
{
	struct daemon *d = ctx;

	if (d->introspect)
		introspect__resync_kind(d->introspect, TNA_OBJ_LINK);
}

/* The fast path is an addition: without it the daemon still watches and answers. */
static void fast_path_start(struct daemon *d, const struct daemon_opts *o)
{
	struct deployer_opts dopts = { .graph = d->graph, .bpf_dir = o->bpf_dir,
				       .cache_dir = o->cache_dir, .links_changed = links_changed,
				       .ctx = d };
	char exe[PATH_MAX], dir[PATH_MAX + 8];
	ssize_t n;

	if (!dopts.bpf_dir) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = '\0';
		snprintf(dir, sizeof(dir), "%s/bpf", dirname(exe));
		dopts.bpf_dir = dir;
	}
	if (deployer__open(&d->deployer, &dopts)) {
		pr_err("running without a fast path: Linux carries all traffic (see above)");
		d->deployer = NULL;
		return;
	}
	control_cmds__set_deployer(d->deployer);
	zs_apps__set_deployer(d->zs, d->deployer);
}

static int daemon_start(struct daemon *d, const struct daemon_opts *o)
{
	struct control_opts copts = { .path = o->control, .caps = &d->caps };
	const char *path = o->control;
	int dfds[DEPLOYER_MAX_FDS];
	struct itimerspec tick = { 0 };
	struct tna_sink sink;
	int fds[MAX_INTROSPECT_FDS];
	unsigned int ms;
	sigset_t mask;
	int err, n;

	caps__probe(&d->caps);
	log_caps(&d->caps);
	d->graph = graph__new();
	if (!d->graph)
		return -ENOMEM;
	copts.graph = d->graph;
	err = zs_apps__new(&d->zs, d->graph);
	if (err)
		return err;
	copts.zs = d->zs;

	sink = graph__sink(d->graph);
	err = introspect__open(&d->introspect, &sink);
	if (err) {
		pr_err("cannot open netlink sockets: %s (zstack-tna needs CAP_NET_ADMIN)",
		       strerror(-err));
		return err;
	}
	copts.introspect = d->introspect;

	/* Before the dump, so that a second instance gives up at once. */
	err = control__open(&d->control, &copts);
	if (err == -EADDRINUSE) {
		pr_err("another zstack-tna is already listening on %s; stop it first, or give "
		       "this one its own socket with --control PATH", path);
		return err;
	}
	if (err) {
		pr_err("cannot listen on %s: %s; pick another path with --control PATH", path,
		       strerror(-err));
		return err;
	}

	err = introspect__dump_all(d->introspect);
	if (err) {
		pr_err("initial dump of the kernel's configuration failed: %s", strerror(-err));
		return err;
	}
	pr_info("graph: %zu nodes, %zu edges after initial dump", graph__node_count(d->graph),
		graph__edge_count(d->graph));
	log_resyncs(d);
	if (o->fast_path)
		fast_path_start(d, o);

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	ms = introspect__tick_interval_ms();
	tick.it_value.tv_sec = tick.it_interval.tv_sec = ms / 1000;
	tick.it_value.tv_nsec = tick.it_interval.tv_nsec = (ms % 1000) * 1000000L;
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (d->epfd < 0 || d->timer_fd < 0 || sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    timerfd_settime(d->timer_fd, 0, &tick, NULL))
		return -errno;
	d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->signal_fd < 0)
		return -errno;

	n = introspect__fds(d->introspect, fds, MAX_INTROSPECT_FDS);
	for (int i = 0; i < n && !err; i++)
		err = watch_fd(d, fds[i], SRC_INTROSPECT);
	if (!err)
		err = watch_fd(d, d->timer_fd, SRC_TICK);
	if (!err)
		err = watch_fd(d, control__fd(d->control), SRC_CONTROL);
	if (!err)
		err = watch_fd(d, d->signal_fd, SRC_SIGNAL);
	n = d->deployer ? deployer__fds(d->deployer, dfds) : 0;
	for (int i = 0; i < n && !err; i++)
		err = watch_fd(d, dfds[i], SRC_DEPLOY);
	if (err)
		pr_err("cannot set up the event loop: %s", strerror(-err));
	return err;
}

/* Returns 1 when a signal asks to stop. */
static int daemon_event(struct daemon *d, enum source src, int fd)
{
	struct signalfd_siginfo si;
	uint64_t expirations;
	int err = 0;

	switch (src) {
	case SRC_INTROSPECT:
		err = introspect__process(d->introspect, fd);
		if (err)
			pr_warn("introspect: reading netlink failed: %s", strerror(-err));
		log_resyncs(d);
		break;
	case SRC_TICK:
		if (read(fd, &expirations, sizeof(expirations)) < 0)
			break;
		err = introspect__tick(d->introspect, now_ms());
		if (err)
			pr_warn("introspect: periodic work failed: %s", strerror(-err));
		log_resyncs(d);
		break;
	case SRC_CONTROL:
		err = control__process(d->control);
		if (err)
			pr_warn("control socket: %s", strerror(-err));
		break;
	case SRC_SIGNAL:
		if (read(fd, &si, sizeof(si)) != sizeof(si))
			break;
		pr_info("received %s, exiting", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
		return 1;
	case SRC_DEPLOY:
		deployer__process(d->deployer, fd);
		break;
	}
	return 0;
}

static void daemon_stop(struct daemon *d)
{
	control_cmds__set_deployer(NULL);
	if (d->zs)
		zs_apps__set_deployer(d->zs, NULL);
	deployer__close(d->deployer);
	/* Closing the clients releases the zstack applications' ports. */
	control__close(d->control);
	zs_apps__free(d->zs);
	introspect__close(d->introspect);
	graph__free(d->graph);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	if (d->epfd >= 0)
		close(d->epfd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "bpf-dir", required_argument, NULL, 'b' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "no-fast-path", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct daemon d = { .epfd = -1, .timer_fd = -1, .signal_fd = -1 };
	struct daemon_opts o = { .control = CONTROL_DEFAULT_PATH, .cache_dir = DEFAULT_CACHE_DIR,
				 .fast_path = true };
	enum log_level level = LOG_LEVEL_INFO;
	struct epoll_event evs[16];
	int opt, n, stop = 0;

	while ((opt = getopt_long(argc, argv, "c:b:C:nvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.control = optarg;
			break;
		case 'b':
			o.bpf_dir = optarg;
			break;
		case 'C':
			o.cache_dir = optarg;
			break;
		case 'n':
			o.fast_path = false;
			break;
		case 'v':
			level = LOG_LEVEL_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "zstack-tna: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init("zstack-tna", level);
	/* A client that hangs up mid-answer must cost an EPIPE, not the daemon. */
	signal(SIGPIPE, SIG_IGN);

	if (daemon_start(&d, &o)) {
		daemon_stop(&d);
		return 1;
	}
	pr_info("listening on %s", o.control);
	while (!stop) {
		n = epoll_wait(d.epfd, evs, sizeof(evs) / sizeof(evs[0]), -1);
		if (n < 0 && errno != EINTR) {
			pr_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && !stop; i++) {
			uint64_t tag = evs[i].data.u64;

			stop = daemon_event(&d, tag >> 32, (int)(uint32_t)tag);
		}
	}
	daemon_stop(&d);
	return stop ? 0 : 1;
}
