// SPDX-License-Identifier: GPL-2.0
/*
 * parse_eth, stp and bridge_fwd through BPF_PROG_RUN: one crafted frame per
 * path through each FPM, checking the XDP action and the one counter it moved
 * (which names the FPM and the punt reason), then the FDB marks of a forwarded
 * frame, the learning-off variant of the pipeline, per-CPU counting, and the
 * port slots: a program serves the one port whose slot it was loaded with,
 * and an FDB entry's slot that is none, stale or reused finds no port.
 * test_br_netfilter covers what br_netfilter's port flags make bridge_fwd do.
 */
#define _GNU_SOURCE
#include <time.h>

#include "tests/fpm/harness.h"

#define PIPELINE_OBJ "bpf/pipeline_bridge.bpf.o"
#define LEARNING_OFF_OBJ "tests/fpm/pipeline_learning_off.bpf.o"
#define PARSE_ETH_OFFSET_OBJ "tests/fpm/parse_eth_offset.bpf.o"

static struct fixture fx;

static struct want punt(__u32 fpm, __u32 reason)
{
	return (struct want){ .action = XDP_PASS, .fpm = fpm, .outcome = reason };
}

static struct want redirect(void)
{
	return (struct want){ .action = XDP_REDIRECT, .fpm = FPM_ID_BRIDGE_FWD,
			      .outcome = TNA_PUNT_NONE };
}

/* A 64-byte IPv4 frame between two of the test MACs. */
static struct frame unicast(__u8 dst, __u8 src)
{
	struct frame f;

	frame_eth(&f, MAC(dst), MAC(src), ETH_P_IP, 64);
	return f;
}

/* parse_eth_offset.bpf.o looks for the header 8 bytes in: see there why. */
static void test_parse_eth_short(int prog)
{
	struct frame f;

	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), ETH_P_IP, 8 + ETH_HLEN - 1);
	expect(&fx.maps, prog, fx.p[1], &f, punt(FPM_ID_PARSE_ETH, TNA_PUNT_TOO_SHORT),
	       "parse_eth: frame shorter than an Ethernet header");
	f.len++;
	expect(&fx.maps, prog, fx.p[1], &f, punt(FPM_ID_PARSE_ETH, TNA_PUNT_PIPELINE_END),
	       "pipeline: every FPM continued");
}

static void test_parse_eth(const struct port_progs *pp)
{
	struct frame f;

	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), ETH_P_8021Q, 64);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_PARSE_ETH, TNA_PUNT_VLAN_TAGGED),
	       "parse_eth: 802.1Q tagged frame");
	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), ETH_P_8021AD, 64);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_PARSE_ETH, TNA_PUNT_VLAN_TAGGED),
	       "parse_eth: 802.1ad tagged frame");
}

static void test_stp(const struct port_progs *pp)
{
	const __u8 bpdu[ETH_ALEN] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
	const __u8 lldp[ETH_ALEN] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	struct frame f;

	frame_eth(&f, bpdu, MAC(MAC_A), 38, 60);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_STP, TNA_PUNT_LINK_LOCAL_DST),
	       "stp: BPDU to 01:80:c2:00:00:00");
	frame_eth(&f, lldp, MAC(MAC_A), ETH_P_LLDP, 60);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_STP, TNA_PUNT_LINK_LOCAL_DST),
	       "stp: LLDP to 01:80:c2:00:00:0e");
}

/* Frames the bridge_fwd FPM rejects from their header alone. */
static void test_bridge_header(const struct port_progs *pp)
{
	const __u8 bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const __u8 mcast[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	struct frame f;

	frame_eth(&f, MAC(MAC_B), mcast, ETH_P_IP, 64);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_INVALID),
	       "bridge_fwd: multicast source address");
	frame_eth(&f, bcast, MAC(MAC_A), ETH_P_ARP, 64);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_BROADCAST_DST),
	       "bridge_fwd: broadcast destination");
	frame_eth(&f, mcast, MAC(MAC_A), ETH_P_IP, 64);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_MULTICAST_DST),
	       "bridge_fwd: multicast destination");
	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), ETH_P_MRP, 64);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_BRIDGE_CTRL_PROTO),
	       "bridge_fwd: MRP frame");
}

/* Ingress port checks; each changes p1 and puts it back. */
static void test_bridge_ingress(const struct port_progs *pp)
{
	const __u16 ready = TNA_PORT_F_READY | TNA_PORT_F_LEARNING;
	struct frame f = unicast(MAC_B, MAC_A);
	struct frame arp;

	frame_eth(&arp, MAC(MAC_B), MAC(MAC_A), ETH_P_ARP, 64);
	expect_on(&fx, pp, 5, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_NOT_PORT),
	       "bridge_fwd: ingress device is no bridge port");
	f = unicast(MAC_B, MAC_C);
	expect_on(&fx, pp, 3, &f,
	       punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_NOT_FORWARDING),
	       "bridge_fwd: ingress port blocking");
	f = unicast(MAC_B, MAC_A);
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, ready | TNA_PORT_F_LOCKED, 1500);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_LOCKED),
	       "bridge_fwd: ingress port locked");
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, ready | TNA_PORT_F_BR_PROMISC, 1500);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_BRIDGE_PROMISC),
	       "bridge_fwd: bridge device promiscuous");
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, ready | TNA_PORT_F_NEIGH_PROXY, 1500);
	expect_on(&fx, pp, 1, &arp, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_NEIGH_PROXY),
	       "bridge_fwd: ARP on a bridge with neighbour suppression");
	expect_on(&fx, pp, 1, &f, redirect(),
	       "bridge_fwd: IPv4 on a bridge with neighbour suppression");
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, ready, 1500);
}

static void test_bridge_fdb(const struct port_progs *pp)
{
	struct frame f;

	f = unicast(MAC_B, MAC_UNKNOWN);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_UNKNOWN),
	       "bridge_fwd: unknown source");
	f = unicast(MAC_A2, MAC_B);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_MOVED),
	       "bridge_fwd: source known on another port");
	f = unicast(MAC_B, MAC_LOCAL);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_LOCAL),
	       "bridge_fwd: the bridge's own address as source");
	f = unicast(MAC_UNKNOWN, MAC_A);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_DST_UNKNOWN),
	       "bridge_fwd: unknown destination");
	f = unicast(MAC_LOCAL, MAC_A);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_DST_LOCAL),
	       "bridge_fwd: destination is the bridge itself");
	f = unicast(MAC_B, MAC_UNKNOWN);
	expect_on(&fx, pp, 4, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_UNKNOWN),
	       "bridge_fwd: unknown source on a learning-off port, pipeline built without "
	       "learning-off support");
}

/* Egress port checks; each changes p2 (or the devmap) and puts it back. */
static void test_bridge_egress(const struct port_progs *pp)
{
	const __u16 ready = TNA_PORT_F_READY | TNA_PORT_F_LEARNING;
	struct frame f = unicast(MAC_A2, MAC_A);
	struct frame big;

	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_IS_INGRESS),
	       "bridge_fwd: destination behind the ingress port");
	f = unicast(MAC_C, MAC_A);
	expect_on(&fx, pp, 1, &f,
	       punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_NOT_FORWARDING),
	       "bridge_fwd: egress port blocking");
	f = unicast(MAC_B, MAC_A);
	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, TNA_PORT_F_LEARNING, 1500);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_NOT_READY),
	       "bridge_fwd: egress port not ready");
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, ready | TNA_PORT_F_ISOLATED, 1500);
	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, ready | TNA_PORT_F_ISOLATED, 1500);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_ISOLATED),
	       "bridge_fwd: isolated port to isolated port");
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, ready, 1500);
	expect_on(&fx, pp, 1, &f, redirect(),
	       "bridge_fwd: port to isolated port");
	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, ready, 100);
	frame_eth(&big, MAC(MAC_B), MAC(MAC_A), ETH_P_IP, 100 + ETH_HLEN + 4 + 1);
	expect_on(&fx, pp, 1, &big, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_MTU),
	       "bridge_fwd: frame larger than the egress MTU allows");
	big.len--;
	expect_on(&fx, pp, 1, &big, redirect(),
	       "bridge_fwd: frame exactly as large as the egress MTU allows");
	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, ready, 1500);
	bpf_map_delete_elem(fx.maps.devmap, &fx.p[2]);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_NO_DEVMAP),
	       "bridge_fwd: egress port missing from the devmap");
	bpf_map_update_elem(fx.maps.devmap, &fx.p[2], &fx.p[2], BPF_ANY);
}

static __u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void test_bridge_forward(const struct port_progs *pp)
{
	struct frame f = unicast(MAC_B, MAC_A);
	struct tna_fdb_val src = {}, dst = {};
	__u64 before, after;

	fixture__set_fdb(&fx, MAC_A, fx.p[1], 0);
	fixture__set_fdb(&fx, MAC_B, fx.p[2], 0);
	/* Stamps come from the coarse clock: no earlier than it read before the
	 * run, and never ahead of the precise clock after it, which the daemon
	 * compares them with. */
	before = clock_ns(CLOCK_MONOTONIC_COARSE);
	expect_on(&fx, pp, 1, &f, redirect(), "bridge_fwd: known unicast, port to port");
	after = clock_ns(CLOCK_MONOTONIC);
	fixture__get_fdb(&fx, MAC_A, &src);
	fixture__get_fdb(&fx, MAC_B, &dst);
	CHECK(src.seen_ns >= before && src.seen_ns <= after && src.used_ns == 0,
	      "bridge_fwd: forwarding marks the source entry seen (seen %llu used %llu)",
	      (unsigned long long)src.seen_ns, (unsigned long long)src.used_ns);
	CHECK(dst.used_ns >= before && dst.used_ns <= after && dst.seen_ns == 0,
	      "bridge_fwd: forwarding marks the destination entry used (seen %llu used %llu)",
	      (unsigned long long)dst.seen_ns, (unsigned long long)dst.used_ns);
}

static void test_learning_off(const struct port_progs *pp)
{
	struct tna_fdb_val moved = {}, unknown;
	struct frame f;
	int err;

	f = unicast(MAC_B, MAC_UNKNOWN);
	expect_on(&fx, pp, 4, &f, redirect(),
	       "learning-off pipeline: unknown source on a learning-off port");
	err = fixture__get_fdb(&fx, MAC_UNKNOWN, &unknown);
	CHECK(err == -ENOENT,
	      "learning-off pipeline: the unknown source stays out of the mirror");
	fixture__set_fdb(&fx, MAC_A, fx.p[1], 0);
	f = unicast(MAC_B, MAC_A);
	expect_on(&fx, pp, 4, &f, redirect(),
	       "learning-off pipeline: source known on another port, learning-off port");
	fixture__get_fdb(&fx, MAC_A, &moved);
	CHECK(moved.port == fx.p[1] && moved.seen_ns == 0,
	      "learning-off pipeline: a source on a learning-off port is not marked seen");
	f = unicast(MAC_B, MAC_UNKNOWN);
	expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_UNKNOWN),
	       "learning-off pipeline: unknown source on a learning port");
}

/* One known-unicast frame p1 -> p2 of the given EtherType. */
static struct frame unicast_proto(__u16 proto)
{
	struct frame f;

	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), proto, 64);
	return f;
}

/* Without br_netfilter flags every protocol is forwarded, whatever its header
 * (these frames carry zeros after the Ethernet header). */
static void test_br_netfilter_off(const struct port_progs *pp)
{
	static const __u16 protos[] = { ETH_P_IP, ETH_P_IPV6, ETH_P_ARP, ETH_P_PPP_SES };
	static const char *const names[] = { "IPv4", "IPv6", "ARP", "PPPoE" };
	char what[96];
	struct frame f;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		f = unicast_proto(protos[i]);
		snprintf(what, sizeof(what), "bridge_fwd without br_netfilter flags: %s forwarded",
			 names[i]);
		expect_on(&fx, pp, 1, &f, redirect(), what);
	}
}

/* Runs one forwarded frame on each CPU and reads the counter CPU by CPU. */
static void test_per_cpu(const struct port_progs *pp)
{
	__u32 index = tna_counter_index(HARNESS_SLOT, FPM_ID_BRIDGE_FWD, TNA_PUNT_NONE);
	int ncpus = libbpf_num_possible_cpus();
	struct frame f = unicast(MAC_B, MAC_A);
	__u64 before[2] = {}, after[2] = {};
	__u64 values[256];
	__u32 action;
	cpu_set_t set;
	int cpu, err = 0;

	if (ncpus < 2 || ncpus > 256) {
		SKIP("per-CPU counters: %d possible CPUs, need 2 to 256", ncpus);
		return;
	}
	for (cpu = 0; cpu < 2 && !err; cpu++) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		err = sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
		if (!err)
			err = bpf_map_lookup_elem(fx.maps.counters, &index, values);
		if (err)
			break;
		before[cpu] = values[cpu];
		err = harness_run(pp->fd[1], fx.p[1], &f, &action) ?:
		      bpf_map_lookup_elem(fx.maps.counters, &index, values);
		after[cpu] = values[cpu];
	}
	CPU_ZERO(&set);
	for (cpu = 0; cpu < ncpus; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	CHECK(!err && after[0] == before[0] + 1 && after[1] == before[1] + 1,
	      "counters: a frame forwarded on CPU 0 and one on CPU 1 count on each CPU "
	      "(CPU 0 %llu -> %llu, CPU 1 %llu -> %llu)", (unsigned long long)before[0],
	      (unsigned long long)after[0], (unsigned long long)before[1],
	      (unsigned long long)after[1]);
}

/* A program serves one interface: its port slot is a load-time constant, and
 * the entry there must be that interface's, on which the frame came in. */
static void test_slot_ingress(const struct port_progs *pp)
{
	struct frame f = unicast(MAC_B, MAC_A);
	struct bpf_object *obj = NULL;
	int none;

	expect(&fx.maps, pp->fd[1], fx.p[2], &f,
	       punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_NOT_PORT),
	       "slots: p1's program run on a frame received on p2");
	none = harness_load_port(&fx.maps, PIPELINE_OBJ, TNA_PORT_SLOT_NONE, &obj);
	CHECK(none >= 0, "slots: load %s without a port slot", PIPELINE_OBJ);
	if (none >= 0)
		expect(&fx.maps, none, fx.p[1], &f,
		       punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_NOT_PORT),
		       "slots: a program without a port slot");
	bpf_object__close(obj);
}

/* The FDB entry names the egress slot; one that names no slot, one beyond the
 * table, or another port's slot is no egress port. */
static void test_slot_fdb(const struct port_progs *pp)
{
	static const struct {
		__u32 slot;
		const char *what;
	} bad[] = {
		{ TNA_PORT_SLOT_NONE, "slots: destination entry without a slot" },
		{ TNA_PORTS_MAX, "slots: destination entry with a slot beyond the table" },
		{ HARNESS_PORT_SLOT(4), "slots: destination entry with another port's slot" },
		{ HARNESS_PORT_SLOT(5), "slots: destination entry with a free slot" },
	};
	struct frame f = unicast(MAC_B, MAC_A);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fixture__set_fdb_slot(&fx, MAC_B, fx.p[2], bad[i].slot, 0);
		expect_on(&fx, pp, 1, &f, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_NOT_READY),
			  bad[i].what);
	}
	fixture__set_fdb(&fx, MAC_B, fx.p[2], 0);
	expect_on(&fx, pp, 1, &f, redirect(), "slots: destination entry with its port's slot");
}

/* p2 leaves (its slot is zeroed) and p5 joins in that very slot, while p2's
 * program and the mirror entry of MAC_B (p2, that slot) are still around:
 * neither may read p5's state as p2's. Puts p2 back. */
static void test_slot_reused(const struct port_progs *pp)
{
	const __u16 ready = TNA_PORT_F_READY | TNA_PORT_F_LEARNING;
	const __u32 slot = HARNESS_PORT_SLOT(2);
	struct tna_port newcomer = { .ifindex = fx.p[5], .bridge = fx.br, .mtu = 1500,
				     .flags = ready, .state = BR_STATE_FORWARDING };
	struct frame to_b = unicast(MAC_B, MAC_A), from_b = unicast(MAC_A, MAC_B);
	struct frame to_new = unicast(MAC_E, MAC_A);
	struct tna_port seen;
	int err;

	fixture__clear_slot(&fx, slot);
	expect_on(&fx, pp, 1, &to_b, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_NOT_READY),
		  "slots: destination on a port that left");
	expect_on(&fx, pp, 2, &from_b, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_NOT_PORT),
		  "slots: the program of a port that left");
	bpf_map_update_elem(fx.maps.devmap, &fx.p[5], &fx.p[5], BPF_ANY);
	bpf_map_update_elem(fx.maps.ports, &slot, &newcomer, BPF_ANY);
	expect_on(&fx, pp, 1, &to_b, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_EGRESS_NOT_READY),
		  "slots: a stale destination entry whose slot another port took");
	expect_on(&fx, pp, 2, &from_b, punt(FPM_ID_BRIDGE_FWD, TNA_PUNT_INGRESS_NOT_PORT),
		  "slots: the old port's program, its slot taken by another port");
	err = tna_maps__read_port(&fx.maps, slot, fx.p[2], &seen);
	CHECK(err == -ENOENT, "slots: user space reads no entry for the old port (%s)",
	      strerror(-err));
	fixture__set_fdb_slot(&fx, MAC_E, fx.p[5], slot, 0);
	expect_on(&fx, pp, 1, &to_new, redirect(),
		  "slots: a destination on the port that took the slot");
	fixture__del_fdb(&fx, MAC_E);
	bpf_map_delete_elem(fx.maps.devmap, &fx.p[5]);
	fixture__clear_slot(&fx, slot);
	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, ready, 1500);
	expect_on(&fx, pp, 1, &to_b, redirect(), "slots: the port back in its slot");
}

int main(void)
{
	struct port_progs pipeline = { 0 }, learning_off = { 0 };
	struct bpf_object *offset = NULL;
	int prog_offset, err, err_off;

	err = fixture__setup(&fx);
	CHECK(!err, "set up a private namespace with veths, a bridge and the shared maps (%s)",
	      strerror(-err));
	if (err)
		return check_exit();
	err = port_progs__load(&pipeline, &fx.maps, PIPELINE_OBJ);
	CHECK(!err, "load %s for every port with the shared maps", PIPELINE_OBJ);
	err_off = port_progs__load(&learning_off, &fx.maps, LEARNING_OFF_OBJ);
	CHECK(!err_off, "load %s for every port with the shared maps", LEARNING_OFF_OBJ);
	prog_offset = harness_load(&fx.maps, PARSE_ETH_OFFSET_OBJ, &offset);
	CHECK(prog_offset >= 0, "load %s with the shared maps", PARSE_ETH_OFFSET_OBJ);
	if (prog_offset >= 0)
		test_parse_eth_short(prog_offset);
	if (!err) {
		test_parse_eth(&pipeline);
		test_stp(&pipeline);
		test_bridge_header(&pipeline);
		test_bridge_ingress(&pipeline);
		test_bridge_fdb(&pipeline);
		test_bridge_egress(&pipeline);
		test_bridge_forward(&pipeline);
		test_br_netfilter_off(&pipeline);
		test_per_cpu(&pipeline);
		test_slot_ingress(&pipeline);
		test_slot_fdb(&pipeline);
		test_slot_reused(&pipeline);
	}
	if (!err_off)
		test_learning_off(&learning_off);
	bpf_object__close(offset);
	port_progs__close(&learning_off);
	port_progs__close(&pipeline);
	tna_maps__close(&fx.maps);
	return check_exit();
}
