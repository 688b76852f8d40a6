// SPDX-License-Identifier: GPL-2.0
/*
 * The root dispatcher through BPF_PROG_RUN: with its slot empty it passes and
 * counts; with a pipeline in the slot it returns what the pipeline returns;
 * one slot update swaps pipelines; emptying the slot hands everything back.
 * Root and pipelines serve p4, a port with learning off, as the daemon would
 * load them there.
 */
#define _GNU_SOURCE
#include "tests/fpm/harness.h"

#define ROOT_OBJ "bpf/root.bpf.o"
#define PIPELINE_OBJ "bpf/pipeline_bridge.bpf.o"
#define LEARNING_OFF_OBJ "tests/fpm/pipeline_learning_off.bpf.o"

static struct fixture fx;

static struct frame unicast(__u8 dst, __u8 src)
{
	struct frame f;

	frame_eth(&f, MAC(dst), MAC(src), ETH_P_IP, 64);
	return f;
}

static int slot_set(int slot_fd, int prog_fd)
{
	__u32 zero = 0;

	return prog_fd < 0 ? bpf_map_delete_elem(slot_fd, &zero)
			   : bpf_map_update_elem(slot_fd, &zero, &prog_fd, BPF_ANY);
}

static void test_root(int root, int slot_fd, int bridge, int learning_off)
{
	const struct want no_pipeline = { XDP_PASS, FPM_ID_ROOT, TNA_PUNT_NO_PIPELINE };
	const struct want forwarded = { XDP_REDIRECT, FPM_ID_BRIDGE_FWD, TNA_PUNT_NONE };
	const struct want src_unknown = { XDP_PASS, FPM_ID_BRIDGE_FWD, TNA_PUNT_SRC_UNKNOWN };
	struct frame known = unicast(MAC_B, MAC_D);
	struct frame stranger = unicast(MAC_B, MAC_UNKNOWN);
	int err;

	expect(&fx.maps, root, fx.p[4], &known, no_pipeline, "root: empty slot");
	err = slot_set(slot_fd, bridge);
	CHECK(!err, "root: publish the bridge pipeline (%s)", strerror(-err));
	expect(&fx.maps, root, fx.p[4], &known, forwarded,
	       "root: the bridge pipeline forwards known unicast");
	expect(&fx.maps, root, fx.p[4], &stranger, src_unknown,
	       "root: the bridge pipeline punts an unknown source on a learning-off port");
	err = slot_set(slot_fd, learning_off);
	CHECK(!err, "root: swap in the learning-off pipeline (%s)", strerror(-err));
	expect(&fx.maps, root, fx.p[4], &stranger, forwarded,
	       "root: after the swap the same frame is forwarded");
	err = slot_set(slot_fd, -1);
	CHECK(!err, "root: empty the slot (%s)", strerror(-err));
	expect(&fx.maps, root, fx.p[4], &known, no_pipeline, "root: emptied slot passes again");
}

int main(void)
{
	struct bpf_object *root_obj = NULL, *bridge_obj = NULL, *off_obj = NULL;
	int root, bridge, learning_off, slot_fd = -1, err;

	err = fixture__setup(&fx);
	CHECK(!err, "set up a private namespace with veths, a bridge and the shared maps (%s)",
	      strerror(-err));
	if (err)
		return check_exit();
	root = harness_load_port(&fx.maps, ROOT_OBJ, HARNESS_PORT_SLOT(4), &root_obj);
	bridge = harness_load_port(&fx.maps, PIPELINE_OBJ, HARNESS_PORT_SLOT(4), &bridge_obj);
	learning_off = harness_load_port(&fx.maps, LEARNING_OFF_OBJ, HARNESS_PORT_SLOT(4),
					 &off_obj);
	if (root >= 0)
		slot_fd = bpf_object__find_map_fd_by_name(root_obj, "tna_root_slot");
	CHECK(root >= 0 && slot_fd >= 0, "load %s and find its prog array", ROOT_OBJ);
	CHECK(bridge >= 0 && learning_off >= 0, "load the pipelines %s and %s", PIPELINE_OBJ,
	      LEARNING_OFF_OBJ);
	if (root >= 0 && slot_fd >= 0 && bridge >= 0 && learning_off >= 0)
		test_root(root, slot_fd, bridge, learning_off);
	bpf_object__close(off_obj);
	bpf_object__close(bridge_obj);
	bpf_object__close(root_obj);
	tna_maps__close(&fx.maps);
	return check_exit();
}
