/* SPDX-License-Identifier: GPL-2.0 */
/* Ethernet address classes, as include/linux/etherdevice.h defines them. */
#ifndef TNA_FPM_MAC_H
#define TNA_FPM_MAC_H

#include <linux/types.h>
#include <stdbool.h>

/* Group bit: multicast, broadcast and link-local addresses alike. */
static __always_inline bool mac_is_multicast(const __u8 *m)
{
	return m[0] & 0x01;
}

static __always_inline bool mac_is_broadcast(const __u8 *m)
{
	return (m[0] & m[1] & m[2] & m[3] & m[4] & m[5]) == 0xff;
}

static __always_inline bool mac_is_zero(const __u8 *m)
{
	return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0;
}

/* 01:80:c2:00:00:00/44: STP, pause, LACP, 802.1X, LLDP... (is_link_local_ether_addr) */
static __always_inline bool mac_is_link_local(const __u8 *m)
{
	return m[0] == 0x01 && m[1] == 0x80 && m[2] == 0xc2 && m[3] == 0 && m[4] == 0 &&
	       (m[5] & 0xf0) == 0;
}

#endif
