/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this kernel and toolchain let the fast path use: probed once at start,
 * except per-interface XDP support, which is asked again on every query since
 * interfaces come and go (see xdp_features.h).
 */
#ifndef TNA_CAPS_H
#define TNA_CAPS_H

#include <jansson.h>
#include <stdbool.h>

/* The bpf_fib_lookup() flags, as the kernel's BTF names them (enum values
 * of the anonymous enum in uapi/linux/bpf.h). */
enum caps_fib_flag {
	CAPS_FIB_DIRECT,
	CAPS_FIB_OUTPUT,
	CAPS_FIB_SKIP_NEIGH,
	CAPS_FIB_TBID,
	CAPS_FIB_SRC,
	CAPS_FIB_MARK,
	CAPS_FIB_FLAG_MAX,
};

struct caps {
	char kernel[65];		/* uname -r */
	bool btf;			/* /sys/kernel/btf/vmlinux exists */
	bool ct_lookup;			/* kfunc bpf_xdp_ct_lookup */
	bool ct_release;		/* kfunc bpf_ct_release */
	const char *ct_btf;		/* "vmlinux" or "nf_conntrack": where they were found */
	bool fib_flags[CAPS_FIB_FLAG_MAX];
	char clang[128];		/* first line of clang --version, "" without clang */
	char libbpf[16];		/* "MAJOR.MINOR" */
};

void caps__probe(struct caps *c);
/* Everything, with every interface's XDP support asked of the kernel now.
 * NULL on ENOMEM. */
json_t *caps__to_json(const struct caps *c);

#endif
