/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel numbers as `ip`, `tc` and `nft` print them. A function that takes buf
 * returns a static name when the number has one and otherwise writes the number
 * into buf (NAMES_BUF bytes) and returns buf, so a caller never gets NULL.
 */
#ifndef TNA_NAMES_H
#define TNA_NAMES_H

#include <stdint.h>

#define NAMES_BUF 24

const char *names_family(uint8_t af, char *buf);	/* inet, inet6 */
const char *names_route_table(uint32_t table, char *buf);
const char *names_route_type(uint8_t type, char *buf);
const char *names_route_protocol(uint8_t protocol, char *buf);
const char *names_scope(uint8_t scope, char *buf);
const char *names_rule_action(uint8_t action, char *buf);
const char *names_operstate(uint8_t operstate, char *buf);
const char *names_xdp_mode(uint8_t mode, char *buf);
const char *names_brport_state(uint8_t state, char *buf);
const char *names_nft_family(uint8_t nfproto, char *buf);
/* NULL for a chain without a hook is the caller's business: this names a hook. */
const char *names_nft_hook(uint8_t nfproto, uint32_t hooknum, char *buf);
const char *names_nft_policy(uint32_t policy, char *buf);
const char *names_eth_proto(uint16_t proto, char *buf);
/* A classid as tc prints it: "root", "ingress", "1:", ":10", "1:10". */
const char *names_tc_handle(uint32_t handle, char *buf);

/* Names of single bits: NUD_* states (REACHABLE, ...) and NTF_* flags (self, ...).
 * NULL for a bit without a name. */
const char *names_nud_bit(uint16_t bit);
const char *names_ntf_bit(uint8_t bit);

#endif
