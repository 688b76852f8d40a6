// SPDX-License-Identifier: GPL-2.0
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "controller/caps.h"
#include "controller/xdp_features.h"

static const char *const caps_fib_names[CAPS_FIB_FLAG_MAX] = {
	[CAPS_FIB_DIRECT] = "BPF_FIB_LOOKUP_DIRECT",
	[CAPS_FIB_OUTPUT] = "BPF_FIB_LOOKUP_OUTPUT",
	[CAPS_FIB_SKIP_NEIGH] = "BPF_FIB_LOOKUP_SKIP_NEIGH",
	[CAPS_FIB_TBID] = "BPF_FIB_LOOKUP_TBID",
	[CAPS_FIB_SRC] = "BPF_FIB_LOOKUP_SRC",
	[CAPS_FIB_MARK] = "BPF_FIB_LOOKUP_MARK",
};

static bool caps_has_func(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* The flags are values of an anonymous enum, so every enum has to be looked at. */
static void caps_probe_fib_flags(struct caps *c, const struct btf *btf)
{
	unsigned int n = btf__type_cnt(btf);

	for (unsigned int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (unsigned int i = 0; i < btf_vlen(t); i++) {
			const char *name = btf__name_by_offset(btf, e[i].name_off);

			for (int f = 0; f < CAPS_FIB_FLAG_MAX; f++)
				if (name && strcmp(name, caps_fib_names[f]) == 0)
					c->fib_flags[f] = true;
		}
	}
}

/* The conntrack kfuncs live in vmlinux when nf_conntrack is built in, else in
 * the module's own BTF (present only while the module is loaded). */
static void caps_probe_ct(struct caps *c, struct btf *vmlinux)
{
	struct btf *mod;

	c->ct_lookup = caps_has_func(vmlinux, "bpf_xdp_ct_lookup");
	c->ct_release = caps_has_func(vmlinux, "bpf_ct_release");
	if (c->ct_lookup || c->ct_release) {
		c->ct_btf = "vmlinux";
		return;
	}
	mod = btf__load_module_btf("nf_conntrack", vmlinux);
	if (!mod)
		return;
	c->ct_lookup = caps_has_func(mod, "bpf_xdp_ct_lookup");
	c->ct_release = caps_has_func(mod, "bpf_ct_release");
	if (c->ct_lookup || c->ct_release)
		c->ct_btf = "nf_conntrack";
	btf__free(mod);
}

static void caps_probe_clang(struct caps *c)
{
	FILE *p = popen("clang --version 2>/dev/null", "r");

	c->clang[0] = '\0';
	if (!p)
		return;
	if (fgets(c->clang, sizeof(c->clang), p))
		c->clang[strcspn(c->clang, "\n")] = '\0';
	pclose(p);
}

void caps__probe(struct caps *c)
{
	struct utsname u;
	struct btf *btf;

	memset(c, 0, sizeof(*c));
	if (uname(&u) == 0)
		snprintf(c->kernel, sizeof(c->kernel), "%s", u.release);
	c->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	btf = c->btf ? btf__load_vmlinux_btf() : NULL;
	if (btf) {
		caps_probe_ct(c, btf);
		caps_probe_fib_flags(c, btf);
		btf__free(btf);
	}
	caps_probe_clang(c);
	snprintf(c->libbpf, sizeof(c->libbpf), "%u.%u", libbpf_major_version(),
		 libbpf_minor_version());
}

static int caps_add_iface(void *ctx, const struct xdp_dev_features *d)
{
	json_t *ifaces = ctx, *names, *iface;
	char name[IF_NAMESIZE];

	names = json_array();
	if (!names)
		return -ENOMEM;
	for (uint64_t bit = 1; bit & XDP_FEATURE_ALL; bit <<= 1)
		if (d->features & bit)
			json_array_append_new(names, json_string(xdp_feature_name(bit)));
	/* An interface can vanish between the dump and this call: no name then. */
	iface = json_pack("{s:i,s:s?,s:b,s:b,s:b,s:i,s:o}", "ifindex", d->ifindex, "name",
			  if_indextoname(d->ifindex, name), "native_xdp",
			  !!(d->features & XDP_FEATURE_BASIC), "xdp_redirect_target",
			  !!(d->features & XDP_FEATURE_NDO_XMIT), "af_xdp_zerocopy",
			  !!(d->features & XDP_FEATURE_XSK_ZEROCOPY), "zc_max_segs",
			  (json_int_t)d->zc_max_segs, "features", names);
	if (!iface)
		return -ENOMEM;
	return json_array_append_new(ifaces, iface) ? -ENOMEM : 0;
}

/* {"known":true,"interfaces":[...]} or {"known":false,"reason":...,"interfaces":[]} */
static json_t *caps_xdp_json(void)
{
	json_t *ifaces = json_array();
	char reason[160];
	int err;

	if (!ifaces)
		return NULL;
	err = xdp_features__dump(caps_add_iface, ifaces);
	if (!err)
		return json_pack("{s:b,s:o}", "known", 1, "interfaces", ifaces);
	json_array_clear(ifaces);
	if (err == -ENOENT)
		snprintf(reason, sizeof(reason), "the kernel has no \"netdev\" generic netlink "
			 "family (Linux 6.3 or later reports XDP features); native XDP may "
			 "still work");
	else
		snprintf(reason, sizeof(reason), "asking the kernel's \"netdev\" family failed: %s",
			 strerror(-err));
	return json_pack("{s:b,s:s,s:o}", "known", 0, "reason", reason, "interfaces", ifaces);
}

json_t *caps__to_json(const struct caps *c)
{
	json_t *fib = json_object();

	if (!fib)
		return NULL;
	for (int f = 0; f < CAPS_FIB_FLAG_MAX; f++)
		json_object_set_new(fib, caps_fib_names[f], json_boolean(c->fib_flags[f]));
	return json_pack("{s:s,s:b,s:{s:b,s:b,s:s?},s:o,s:s?,s:s,s:o}", "kernel", c->kernel, "btf",
			 c->btf, "conntrack_kfuncs", "bpf_xdp_ct_lookup", c->ct_lookup,
			 "bpf_ct_release", c->ct_release, "btf", c->ct_btf, "fib_lookup_flags", fib,
			 "clang", c->clang[0] ? c->clang : NULL, "libbpf", c->libbpf, "xdp",
			 caps_xdp_json());
}
