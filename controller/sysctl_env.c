// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "controller/sysctl_env.h"

#define BR_NF_DIR "/proc/sys/net/bridge/"

/* The sysctl's value, or -1 when the file is absent: without br_netfilter
 * loaded, /proc/sys/net/bridge/ does not exist at all. */
static int read_switch(const char *name)
{
	char path[128];
	int value = -1;
	FILE *f;

	snprintf(path, sizeof(path), BR_NF_DIR "%s", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

void br_nf_sysctls__read(struct br_nf_sysctls *s)
{
	s->call_iptables = read_switch("bridge-nf-call-iptables");
	s->call_ip6tables = read_switch("bridge-nf-call-ip6tables");
	s->call_arptables = read_switch("bridge-nf-call-arptables");
}

bool br_nf_sysctls__refresh(struct br_nf_sysctls *s)
{
	struct br_nf_sysctls now;

	br_nf_sysctls__read(&now);
	if (!memcmp(&now, s, sizeof(now)))
		return false;
	*s = now;
	return true;
}
