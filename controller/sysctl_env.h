/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The br_netfilter switches planning depends on: whether bridged traffic meets
 * iptables, ip6tables and arptables. They are sysctls, which send no netlink
 * event, so the daemon reads them again every second.
 */
#ifndef TNA_SYSCTL_ENV_H
#define TNA_SYSCTL_ENV_H

#include <stdbool.h>

struct br_nf_sysctls {
	int call_iptables;	/* -1: br_netfilter absent */
	int call_ip6tables;
	int call_arptables;
};

/* Reads the current values from /proc/sys/net/bridge/. */
void br_nf_sysctls__read(struct br_nf_sysctls *s);

/* Reads them again; true when any of them changed. */
bool br_nf_sysctls__refresh(struct br_nf_sysctls *s);

#endif
