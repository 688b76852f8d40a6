/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the BPF_PROG_RUN runners: a private network namespace with real
 * devices (test_run and devmap updates need existing ifindexes), the shared
 * maps, objects loaded the way the daemon loads them, crafted frames, and the
 * counters of one interface slot. A runner defines _GNU_SOURCE (unshare,
 * CPU_SET) before including it.
 */
#ifndef TNA_TESTS_FPM_HARNESS_H
#define TNA_TESTS_FPM_HARNESS_H

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/maps_user.h"
#include "tests/check.h"

#define HARNESS_IFSLOTS 8
#define HARNESS_SLOT 5		/* not 0, so a wrong slot cannot pass unnoticed */
/* Port table slots of p1..p5: neither 0 nor the ports' numbers, so a program
 * that reads another port's slot cannot pass unnoticed. */
#define HARNESS_PORT_SLOT(n) (16 + (n))

/* Runs the commands in the private namespace the process moved into. */
static inline int harness_sh(const char *cmd)
{
	int status = system(cmd);

	return status == 0 ? 0 : -ECHILD;
}

/* Moves the process into a new, unnamed network namespace (gone when it
 * exits) holding veths p1..p5 and a bridge br0; returns 0 or -errno. */
static inline int harness_netns(void)
{
	char cmd[128];
	int i;

	if (unshare(CLONE_NEWNET))
		return -errno;
	for (i = 1; i <= 5; i++) {
		snprintf(cmd, sizeof(cmd), "ip link add p%d type veth peer name q%d", i, i);
		if (harness_sh(cmd))
			return -ECHILD;
	}
	return harness_sh("ip link add br0 type bridge");
}

static inline __u32 harness_ifindex(const char *name)
{
	return if_nametoindex(name);
}

/* Opens build/<rel> (or $TNA_BUILD/<rel>), gives it the shared maps, the test
 * counter slot and the port slot of the interface it serves, loads it;
 * returns the fd of its only program or -errno. */
static inline int harness_load_port(const struct tna_maps *m, const char *rel, __u32 portslot,
				    struct bpf_object **objp)
{
	const struct tna_prog_cfg cfg = { .ifslot = HARNESS_SLOT, .portslot = portslot };
	const char *build = getenv("TNA_BUILD");
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s", build ? build : "build", rel);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	err = tna_maps__reuse(m, obj);
	if (!err)
		err = tna_prog_cfg__set(obj, &cfg);
	if (!err)
		err = bpf_object__load(obj);
	prog = bpf_object__next_program(obj, NULL);
	if (!err && !prog)
		err = -ENOENT;
	if (err) {
		fprintf(stderr, "cannot load %s: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return err;
	}
	*objp = obj;
	return bpf_program__fd(prog);
}

/* A program as the daemon loads it for p1. */
static inline int harness_load(const struct tna_maps *m, const char *rel, struct bpf_object **objp)
{
	return harness_load_port(m, rel, HARNESS_PORT_SLOT(1), objp);
}

/* One object loaded once per interface p1..p5, as the daemon loads a
 * pipeline: fd[n] serves pn. */
struct port_progs {
	struct bpf_object *obj[6];
	int fd[6];
};

static inline void port_progs__close(struct port_progs *pp)
{
	for (int n = 1; n <= 5; n++) {
		bpf_object__close(pp->obj[n]);
		pp->obj[n] = NULL;
		pp->fd[n] = -1;
	}
}

static inline int port_progs__load(struct port_progs *pp, const struct tna_maps *m,
				   const char *rel)
{
	int n, err;

	memset(pp, 0, sizeof(*pp));
	for (n = 1; n <= 5; n++) {
		err = pp->fd[n] = harness_load_port(m, rel, HARNESS_PORT_SLOT(n), &pp->obj[n]);
		if (err < 0) {
			port_progs__close(pp);
			return err;
		}
	}
	return 0;
}

struct frame {
	__u8 data[256];
	__u32 len;
};

/* An Ethernet frame of len bytes (header included), zero payload. */
static inline void frame_eth(struct frame *f, const __u8 *dst, const __u8 *src, __u16 proto,
			     __u32 len)
{
	struct ethhdr eth;

	memset(f, 0, sizeof(*f));
	memcpy(eth.h_dest, dst, ETH_ALEN);
	memcpy(eth.h_source, src, ETH_ALEN);
	eth.h_proto = htons(proto);
	memcpy(f->data, &eth, sizeof(eth));
	f->len = len < sizeof(f->data) ? len : sizeof(f->data);
}

/* Runs prog once over the frame as received on ifindex; 0 or -errno. */
static inline int harness_run(int prog_fd, __u32 ifindex, const struct frame *f, __u32 *action)
{
	struct xdp_md md = { .data_end = f->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .ctx_in = &md, .ctx_size_in = sizeof(md), .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err)
		return err;
	*action = opts.retval;
	return 0;
}

/* The test slot's counters, summed over CPUs, indexed by fpm * outcomes + outcome. */
struct counters {
	__u64 n[TNA_CNT_STRIDE];
};

static inline int counters__snapshot(const struct tna_maps *m, struct counters *snap)
{
	__u32 fpm, outcome;
	int err;

	for (fpm = 0; fpm < TNA_CNT_FPMS; fpm++) {
		for (outcome = 0; outcome < TNA_CNT_OUTCOMES; outcome++) {
			err = tna_maps__read_counter(m, HARNESS_SLOT, fpm, outcome,
						     &snap->n[fpm * TNA_CNT_OUTCOMES + outcome]);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * Where the packets between two snapshots were counted: returns the one index
 * (fpm * TNA_CNT_OUTCOMES + outcome) that moved by exactly one, or -1 when
 * none or more than one moved, or one moved by more.
 */
static inline int counters__moved(const struct counters *before, const struct counters *after)
{
	int moved = -1, i;

	for (i = 0; i < TNA_CNT_STRIDE; i++) {
		if (after->n[i] == before->n[i])
			continue;
		if (moved >= 0 || after->n[i] != before->n[i] + 1)
			return -1;
		moved = i;
	}
	return moved;
}

/* "fpm/outcome" for a counter index, or a note when no single counter moved. */
static inline const char *counter_name(int index, char *buf, size_t size)
{
	const char *fpm, *outcome;

	if (index < 0)
		return "no single counter";
	fpm = tna_fpm_name(index / TNA_CNT_OUTCOMES);
	outcome = tna_outcome_name(index % TNA_CNT_OUTCOMES);
	snprintf(buf, size, "%s/%s", fpm ? fpm : "?", outcome ? outcome : "?");
	return buf;
}

static inline const char *action_name(__u32 action)
{
	static const char *const names[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	return action < sizeof(names) / sizeof(names[0]) ? names[action] : "?";
}

/* 02:00:00:00:00:last, a locally administered unicast address. */
#define MAC(last) ((const __u8[ETH_ALEN]){ 0x02, 0, 0, 0, 0, (last) })
#define MAC_A 0x0a	/* on p1 */
#define MAC_A2 0xa2	/* on p1 too */
#define MAC_B 0x0b	/* on p2 */
#define MAC_C 0x0c	/* on p3 */
#define MAC_D 0x0d	/* on p4 */
#define MAC_E 0x0e	/* not in the mirror unless a check puts it there */
#define MAC_LOCAL 0x01	/* the bridge's own */
#define MAC_UNKNOWN 0xee

/*
 * The bridge every runner starts from: br0 with ports p1, p2 (forwarding,
 * learning), p3 (blocking), p4 (forwarding, learning off), all ready and in
 * the devmap; p5 exists but is no port (its slot is free: a zeroed entry).
 * Port pn's entry is at HARNESS_PORT_SLOT(n).
 */
struct fixture {
	struct tna_maps maps;
	__u32 br;
	__u32 p[6];		/* p[1]..p[5] */
};

/* Port pn's entry, at its slot. */
static inline int fixture__set_port(struct fixture *fx, int n, __u8 state, __u16 flags, __u32 mtu)
{
	struct tna_port port = { .ifindex = fx->p[n], .bridge = fx->br, .mtu = mtu,
				 .flags = flags, .state = state };
	__u32 slot = HARNESS_PORT_SLOT(n);

	return bpf_map_update_elem(fx->maps.ports, &slot, &port, BPF_ANY);
}

/* Zeroes a slot, as the daemon does when its port leaves. */
static inline int fixture__clear_slot(struct fixture *fx, __u32 slot)
{
	const struct tna_port free_entry = { 0 };

	return bpf_map_update_elem(fx->maps.ports, &slot, &free_entry, BPF_ANY);
}

/* The slot a mirror entry for ifindex carries: pn's, or none. */
static inline __u32 fixture__slot_of(const struct fixture *fx, __u32 ifindex)
{
	for (int n = 1; n <= 5; n++)
		if (fx->p[n] == ifindex)
			return HARNESS_PORT_SLOT(n);
	return TNA_PORT_SLOT_NONE;
}

static inline int fixture__set_fdb_slot(struct fixture *fx, __u8 mac_last, __u32 port,
					__u32 slot, __u32 flags)
{
	struct tna_fdb_key key = { .bridge = fx->br };
	struct tna_fdb_val val = { .port = port, .port_slot = slot, .flags = flags };

	memcpy(key.mac, MAC(mac_last), ETH_ALEN);
	return bpf_map_update_elem(fx->maps.fdb, &key, &val, BPF_ANY);
}

static inline int fixture__set_fdb(struct fixture *fx, __u8 mac_last, __u32 port, __u32 flags)
{
	return fixture__set_fdb_slot(fx, mac_last, port, fixture__slot_of(fx, port), flags);
}

static inline int fixture__del_fdb(struct fixture *fx, __u8 mac_last)
{
	struct tna_fdb_key key = { .bridge = fx->br };

	memcpy(key.mac, MAC(mac_last), ETH_ALEN);
	return bpf_map_delete_elem(fx->maps.fdb, &key);
}

static inline int fixture__get_fdb(struct fixture *fx, __u8 mac_last, struct tna_fdb_val *val)
{
	struct tna_fdb_key key = { .bridge = fx->br };

	memcpy(key.mac, MAC(mac_last), ETH_ALEN);
	return bpf_map_lookup_elem(fx->maps.fdb, &key, val);
}

static inline int fixture__setup(struct fixture *fx)
{
	const __u16 ready = TNA_PORT_F_READY | TNA_PORT_F_LEARNING;
	char name[IF_NAMESIZE];
	int err, i;

	err = harness_netns();
	if (err)
		return err;
	fx->br = harness_ifindex("br0");
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		fx->p[i] = harness_ifindex(name);
	}
	err = tna_maps__create(&fx->maps, HARNESS_IFSLOTS);
	if (err)
		return err;
	err = fixture__set_port(fx, 1, BR_STATE_FORWARDING, ready, 1500) ?:
	      fixture__set_port(fx, 2, BR_STATE_FORWARDING, ready, 1500) ?:
	      fixture__set_port(fx, 3, BR_STATE_BLOCKING, ready, 1500) ?:
	      fixture__set_port(fx, 4, BR_STATE_FORWARDING, TNA_PORT_F_READY, 1500) ?:
	      fixture__set_fdb(fx, MAC_A, fx->p[1], 0) ?:
	      fixture__set_fdb(fx, MAC_A2, fx->p[1], 0) ?:
	      fixture__set_fdb(fx, MAC_B, fx->p[2], 0) ?:
	      fixture__set_fdb(fx, MAC_C, fx->p[3], 0) ?:
	      fixture__set_fdb(fx, MAC_D, fx->p[4], 0) ?:
	      fixture__set_fdb(fx, MAC_LOCAL, fx->br, TNA_FDB_F_LOCAL | TNA_FDB_F_STATIC);
	for (i = 1; !err && i <= 4; i++)
		err = bpf_map_update_elem(fx->maps.devmap, &fx->p[i], &fx->p[i], BPF_ANY);
	return err;
}

/* What one frame must come to: the XDP action and the one counter it moves. */
struct want {
	__u32 action;
	__u32 fpm;
	__u32 outcome;
};

/* One check: runs the frame through prog as received on ifindex. */
static inline void expect(const struct tna_maps *m, int prog, __u32 ifindex, const struct frame *f,
			  struct want want, const char *what)
{
	char want_buf[64], got_buf[64];
	struct counters before, after;
	int want_index = want.fpm * TNA_CNT_OUTCOMES + want.outcome;
	int err, moved = -1;
	__u32 action = ~0U;

	err = counters__snapshot(m, &before);
	if (!err)
		err = harness_run(prog, ifindex, f, &action);
	if (!err)
		err = counters__snapshot(m, &after);
	if (!err)
		moved = counters__moved(&before, &after);
	if (err) {
		CHECK(0, "%s (%s)", what, strerror(-err));
		return;
	}
	CHECK(action == want.action && moved == want_index, "%s: %s %s (got %s %s)", what,
	      action_name(want.action), counter_name(want_index, want_buf, sizeof(want_buf)),
	      action_name(action), counter_name(moved, got_buf, sizeof(got_buf)));
}

/* One check of a frame received on pn, run by the program serving pn. */
static inline void expect_on(const struct fixture *fx, const struct port_progs *pp, int n,
			     const struct frame *f, struct want want, const char *what)
{
	expect(&fx->maps, pp->fd[n], fx->p[n], f, want, what);
}

#endif
