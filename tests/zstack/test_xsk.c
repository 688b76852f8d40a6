// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O layer against the kernel: an AF_XDP socket on one end of a veth pair
 * (namespace A, where this process lives), a peer on the other end (namespace
 * B). Frames sent from B with a packet socket arrive in the socket byte for
 * byte; frames sent from the socket arrive in B; a SYN from the kernel's own
 * TCP in B parses with valid checksums; kroute finds routes and has the kernel
 * resolve B's MAC address by ARP. Both namespaces are private to this process
 * and vanish with it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/check.h"
#include "zstack/frame.h"
#include "zstack/kroute.h"
#include "zstack/wire.h"
#include "zstack/xsk.h"

#define XSK_IF "zsx0"  /* namespace A, the AF_XDP side */
#define PEER_IF "zsx1" /* namespace B */
#define XSK_MAC "02:00:00:00:77:01"
#define PEER_MAC "02:00:00:00:77:02"
#define BATCH 64
#define PORT 7777
#define BPF_OBJ "tools/zs_xsk_test.bpf.o"

static const uint8_t xsk_mac[6] = { 2, 0, 0, 0, 0x77, 1 };
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0x77, 2 };
static int ns_a = -1, ns_b = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void set_v4(struct tcp_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->bytes[0] = 10;
	a->bytes[1] = 77;
	a->bytes[3] = last;
}

/* Two fresh namespaces, A entered, B held open by an fd; veth A<->B with fixed MACs. */
static int setup_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	ns_a = open("/proc/self/ns/net", O_RDONLY);
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	ns_b = open("/proc/self/ns/net", O_RDONLY);
	if (ns_a < 0 || ns_b < 0 || setns(ns_a, CLONE_NEWNET) < 0)
		return -errno;
	if (sh("ip link add " XSK_IF " address " XSK_MAC " type veth peer name " PEER_IF
	       " address " PEER_MAC " netns /proc/%d/fd/%d", getpid(), ns_b) ||
	    sh("ip addr add 10.77.0.1/24 dev " XSK_IF " && ip link set " XSK_IF " up") ||
	    sh("nsenter --net=/proc/%d/fd/%d sh -c 'ip addr add 10.77.0.2/24 dev " PEER_IF
	       " && ip link set " PEER_IF " up && ip link set lo up'", getpid(), ns_b))
		return -EIO;
	return 0;
}

/* A packet socket on the peer's interface, opened inside namespace B. */
static int peer_socket(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	const struct timeval tv = { .tv_usec = 50 * 1000 };
	int fd;

	if (setns(ns_b, CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex(PEER_IF);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)) {
		close(fd);
		fd = -1;
	}
	setns(ns_a, CLONE_NEWNET);
	return fd;
}

/* The object lives in the build directory tests/run.sh names, or the default one. */
static struct bpf_object *attach_xdp(int *map_fd)
{
	const char *build = getenv("TNA_BUILD");
	struct bpf_object *obj;
	struct bpf_program *prog;
	char path[512];

	snprintf(path, sizeof(path), "%s/" BPF_OBJ, build ? build : TNA_SRC_DIR "/build");
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj))
		goto fail;
	prog = bpf_object__find_program_by_name(obj, "zs_xsk_test");
	*map_fd = bpf_object__find_map_fd_by_name(obj, "xsks");
	if (!prog || *map_fd < 0 ||
	    bpf_xdp_attach((int)if_nametoindex(XSK_IF), bpf_program__fd(prog),
			   XDP_FLAGS_DRV_MODE, NULL))
		goto fail;
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

/* Frame i of a batch from B to A: a data segment with an i-dependent payload. */
static int build_peer_frame(uint8_t *buf, int i, bool from_peer)
{
	struct wire_path path;
	struct tcp_seg_out out = { 0 };
	uint8_t payload[200];
	int hlen;

	memcpy(path.src_mac, from_peer ? peer_mac : xsk_mac, 6);
	memcpy(path.dst_mac, from_peer ? xsk_mac : peer_mac, 6);
	set_v4(&path.src, from_peer ? 2 : 1);
	set_v4(&path.dst, from_peer ? 1 : 2);
	for (size_t k = 0; k < sizeof(payload); k++)
		payload[k] = (uint8_t)(k + (size_t)i);
	out.sport = (uint16_t)(40000 + i);
	out.dport = PORT;
	out.seq = (uint32_t)i * 1000;
	out.flags = TCP_FLAG_ACK | TCP_FLAG_PSH;
	out.wnd = 512;
	out.len = sizeof(payload);
	out.nr_iov = 1;
	out.iov[0].data = payload;
	out.iov[0].len = sizeof(payload);
	hlen = wire_build(buf, &path, &out, (uint16_t)i);
	return hlen + (int)wire_copy_payload(buf + hlen, &out);
}

/* Receives on the socket until n frames arrived or a second passed. */
static uint32_t rx_until(struct xsk *x, struct xsk_frame *frames, uint32_t n)
{
	uint64_t deadline = now_ms() + 1000;
	struct pollfd pfd = { .fd = xsk__fd(x), .events = POLLIN };
	uint32_t got = 0;

	while (got < n && now_ms() < deadline) {
		poll(&pfd, 1, 20);
		got += xsk__rx(x, frames + got, n - got);
	}
	return got;
}

static void test_rx(struct xsk *x, struct frame_pool *pool, int peer)
{
	struct xsk_frame frames[BATCH];
	uint8_t sent[BATCH][512];
	int lens[BATCH], sent_ok = 0, same = 0, parsed = 0;
	struct wire_stats ws = { 0 };
	struct xsk_stats st;
	uint32_t got;

	for (int i = 0; i < BATCH; i++) {
		lens[i] = build_peer_frame(sent[i], i, true);
		sent_ok += send(peer, sent[i], (size_t)lens[i], 0) == lens[i];
	}
	CHECK_EQ_INT(sent_ok, BATCH, "the peer sent its TCP frames");
	got = rx_until(x, frames, BATCH);
	CHECK_EQ_INT(got, BATCH, "every frame arrived in the AF_XDP socket");
	for (uint32_t i = 0; i < got; i++) {
		const uint8_t *data = frame_pool__ptr(pool, frames[i].addr);
		struct wire_pkt pkt;

		same += frames[i].len == (uint32_t)lens[i] &&
			memcmp(data, sent[i], frames[i].len) == 0;
		parsed += wire_parse(data, frames[i].len, &pkt, &ws) == 0 &&
			  pkt.seg.sport == 40000 + i;
		frame_pool__put(pool, frames[i].addr);
	}
	CHECK_EQ_INT(same, BATCH, "in order and byte for byte as sent");
	CHECK_EQ_INT(parsed, BATCH, "and every one parses with valid checksums");
	CHECK(frame_pool__room_before(pool, frames[0].addr) >= 256,
	      "received data starts behind the kernel's XDP headroom");
	CHECK(xsk__stats(x, &st) == 0 && st.rx == BATCH && st.rx_dropped == 0,
	      "stats: %llu received, %llu dropped", (unsigned long long)st.rx,
	      (unsigned long long)st.rx_dropped);
}

/* Reads frames on the peer until n of ours (TCP to PORT) arrived or a second passed. */
static int peer_collect(int peer, uint8_t (*bufs)[512], int *lens, int n)
{
	uint64_t deadline = now_ms() + 1000;
	int got = 0;

	while (got < n && now_ms() < deadline) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t len = recvfrom(peer, bufs[got], 512, 0, (struct sockaddr *)&from, &flen);
		struct wire_stats ws = { 0 };
		struct wire_pkt pkt;

		if (len <= 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (wire_parse(bufs[got], (uint32_t)len, &pkt, &ws) || pkt.seg.dport != PORT)
			continue;
		lens[got++] = (int)len;
	}
	return got;
}

static void test_tx(struct xsk *x, struct frame_pool *pool, int peer)
{
	static uint8_t recvd[BATCH][512];
	struct xsk_frame frames[BATCH];
	uint8_t want[512];
	uint32_t free_before = frame_pool__nr_free(pool), queued = 0;
	int lens[BATCH], got, same = 0;
	uint64_t deadline;
	struct xsk_stats st;

	for (int i = 0; i < BATCH; i++) {
		uint64_t addr;

		frame_pool__alloc(pool, &addr);
		/* Headers go into the headroom, in front of where a payload would be. */
		addr += frame_pool__headroom(pool) - 54;
		frames[i].addr = addr;
		frames[i].len = (uint32_t)build_peer_frame(frame_pool__ptr(pool, addr), i, false);
	}
	queued = xsk__tx(x, frames, BATCH);
	CHECK_EQ_INT(queued, BATCH, "the TX ring took the whole batch");
	deadline = now_ms() + 1000;
	while (xsk__tx_pending(x) && now_ms() < deadline)
		if (xsk__reap(x) == 0)
			usleep(1000);
	CHECK_EQ_INT(xsk__tx_pending(x), 0, "the kernel completed every send");
	CHECK_EQ_INT(frame_pool__nr_free(pool), free_before,
		     "completed frames are back in the pool");
	got = peer_collect(peer, recvd, lens, BATCH);
	CHECK_EQ_INT(got, BATCH, "the peer received every frame");
	for (int i = 0; i < got; i++) {
		int len = build_peer_frame(want, i, false);

		same += lens[i] == len && memcmp(recvd[i], want, (size_t)len) == 0;
	}
	CHECK_EQ_INT(same, BATCH, "in order and byte for byte as built");
	CHECK(xsk__stats(x, &st) == 0 && st.tx == BATCH && st.tx_wakeups > 0,
	      "stats: %llu sent, %llu wakeups asked for", (unsigned long long)st.tx,
	      (unsigned long long)st.tx_wakeups);
}

/* The kernel's own TCP in B connects to A: its SYN is steered into the socket. */
static void test_kernel_syn(struct xsk *x, struct frame_pool *pool)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct wire_stats ws = { 0 };
	struct xsk_frame f;
	struct wire_pkt pkt;
	int fd, found = 0;

	sin.sin_addr.s_addr = htonl(0x0a4d0001);
	/*
	 * veth hands over the kernel's segments with the checksum left to an
	 * offload that never runs (only the pseudo-header sum is filled in); a
	 * real NIC puts the full sum on the wire. Without the offload the
	 * frame is what a wire would carry.
	 */
	sh("nsenter --net=/proc/%d/fd/%d ethtool -K " PEER_IF " tx off >/dev/null", getpid(),
	   ns_b);
	setns(ns_b, CLONE_NEWNET);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setns(ns_a, CLONE_NEWNET);
	connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	while (!found && rx_until(x, &f, 1) == 1) {
		found = wire_parse(frame_pool__ptr(pool, f.addr), f.len, &pkt, &ws) == 0 &&
			pkt.seg.flags == TCP_FLAG_SYN && pkt.seg.dport == PORT;
		frame_pool__put(pool, f.addr);
	}
	CHECK(found, "a kernel SYN reached the socket with valid checksums (drops: tcp-csum %llu)",
	      (unsigned long long)ws.drops[WIRE_DROP_TCP_CSUM]);
	close(fd);
}

static void test_kroute(void)
{
	int ifindex = (int)if_nametoindex(XSK_IF), err = -EAGAIN;
	uint8_t mac[6] = { 0 };
	struct kroute_hop hop;
	struct tcp_addr dst;
	struct kroute *k;
	uint32_t mtu = 0;
	uint64_t deadline;

	if (kroute__open(&k)) {
		CHECK(0, "rtnetlink socket");
		return;
	}
	CHECK(kroute__link(k, ifindex, mac, &mtu) == 0 && !memcmp(mac, xsk_mac, 6) && mtu == 1500,
	      "the interface's MAC and MTU");
	set_v4(&dst, 2);
	CHECK(kroute__route(k, &dst, &hop) == 0 && hop.ifindex == ifindex && !hop.via_gateway &&
	      hop.nexthop.bytes[3] == 2 && hop.src.family == AF_INET && hop.src.bytes[3] == 1,
	      "an on-link destination: its own next hop, with our address as source");
	sh("ip route add 10.88.0.0/24 via 10.77.0.2");
	dst.bytes[1] = 88;
	CHECK(kroute__route(k, &dst, &hop) == 0 && hop.via_gateway &&
	      hop.nexthop.bytes[1] == 77 && hop.nexthop.bytes[3] == 2,
	      "a routed destination: the gateway is the next hop");
	dst.bytes[1] = 99;
	CHECK_EQ_INT(kroute__route(k, &dst, &hop), -ENETUNREACH, "no route, no next hop");
	set_v4(&dst, 1);
	CHECK_EQ_INT(kroute__route(k, &dst, &hop), -EHOSTUNREACH, "a local address is refused");

	set_v4(&dst, 2);
	CHECK_EQ_INT(kroute__neigh(k, ifindex, &dst, mac), -EAGAIN,
		     "an unknown neighbour: resolution started");
	deadline = now_ms() + 3000;
	while (err == -EAGAIN && now_ms() < deadline) {
		usleep(10 * 1000);
		err = kroute__neigh(k, ifindex, &dst, mac);
	}
	CHECK(err == 0 && !memcmp(mac, peer_mac, 6), "the kernel resolved the peer's MAC (%d)",
	      err);
	CHECK(sh("ip neigh show 10.77.0.2 dev " XSK_IF " | grep -q REACHABLE") == 0,
	      "the kernel's entry is REACHABLE");
	kroute__close(k);
}

int main(void)
{
	struct frame_pool_opts po = { .nr_frames = 1024 };
	struct xsk_opts xo = { .ifname = XSK_IF, .ring_size = 256 };
	struct frame_pool *pool = NULL;
	struct bpf_object *obj = NULL;
	struct xsk *x = NULL;
	int map_fd, peer, key = 0, fd, err;

	if (geteuid() != 0) {
		printf("skip - needs root\n");
		return 0;
	}
	err = setup_netns();
	CHECK_EQ_INT(err, 0, "namespaces and veth pair");
	if (err)
		return check_exit();
	test_kroute();
	obj = attach_xdp(&map_fd);
	CHECK(obj != NULL, "test XDP program " BPF_OBJ " attached to " XSK_IF);
	CHECK_EQ_INT(frame_pool__new(&pool, &po), 0, "frame pool");
	err = obj && pool ? xsk__open(&x, pool, &xo) : -EINVAL;
	CHECK_EQ_INT(err, 0, "AF_XDP socket bound to " XSK_IF " queue 0");
	if (err)
		goto out;
	CHECK_EQ_STR(xsk_mode_name(xsk__mode(x)), "copy", "veth takes copy mode");
	CHECK(xsk__queue(x) == 0 && xsk__ifindex(x) == (int)if_nametoindex(XSK_IF),
	      "queue and interface reported");
	CHECK_EQ_INT(frame_pool__nr_free(pool), 1024 - 256, "the fill ring holds 256 frames");
	fd = xsk__fd(x);
	CHECK_EQ_INT(bpf_map_update_elem(map_fd, &key, &fd, BPF_ANY), 0,
		     "socket placed in the XSKMAP someone else owns");
	peer = peer_socket();
	CHECK(peer >= 0, "packet socket on the peer");
	if (peer >= 0) {
		test_rx(x, pool, peer);
		test_tx(x, pool, peer);
		close(peer);
	}
	test_kernel_syn(x, pool);
	xsk__close(x);
	CHECK_EQ_INT(frame_pool__nr_free(pool), 1024, "closing the socket returns every frame");
out:
	bpf_object__close(obj);
	frame_pool__free(pool);
	return check_exit();
}
