/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What XDP each device of this network namespace supports, as the kernel's
 * "netdev" generic netlink family reports it (Linux 6.3 and later).
 */
#ifndef TNA_XDP_FEATURES_H
#define TNA_XDP_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

/* The NETDEV_XDP_ACT_* bits of include/uapi/linux/netdev.h; Debian 12's
 * linux-libc-dev predates that header, so the ABI values are spelled here. */
enum xdp_feature {
	XDP_FEATURE_BASIC = 1 << 0,		/* XDP_PASS/DROP/ABORTED/TX in the driver */
	XDP_FEATURE_REDIRECT = 1 << 1,		/* can XDP_REDIRECT out of its programs */
	XDP_FEATURE_NDO_XMIT = 1 << 2,		/* can be the target of a redirect */
	XDP_FEATURE_XSK_ZEROCOPY = 1 << 3,	/* AF_XDP zero-copy */
	XDP_FEATURE_HW_OFFLOAD = 1 << 4,
	XDP_FEATURE_RX_SG = 1 << 5,
	XDP_FEATURE_NDO_XMIT_SG = 1 << 6,
	XDP_FEATURE_ALL = (1 << 7) - 1,
};

struct xdp_dev_features {
	int ifindex;
	uint64_t features;	/* enum xdp_feature bits */
	uint32_t zc_max_segs;	/* fragments per zero-copy AF_XDP packet */
};

/* Calls fn for every device; stops early when fn returns non-zero and
 * returns that. 0, -ENOENT when the kernel has no "netdev" family, or -errno. */
int xdp_features__dump(int (*fn)(void *ctx, const struct xdp_dev_features *d), void *ctx);

/* A non-blocking fd that becomes readable when any device's XDP features
 * change (the netdev family's "mgmt" group): a veth's ndo-xmit flips the
 * moment its peer's GRO or XDP program does. -ENOENT without that family. */
int xdp_features__subscribe(void);
/* Reads every pending notification; true if there was any. */
bool xdp_features__drain(int fd);

/* The kernel's name of one feature bit ("basic", "ndo-xmit", ...); NULL if unknown. */
const char *xdp_feature_name(enum xdp_feature bit);

#endif
