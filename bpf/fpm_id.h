/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every fast-path module has a stable id: the counters are kept per interface,
 * per FPM and per outcome, and `tnactl stats` names the FPM from this list.
 * The root dispatcher counts as FPM 0.
 */
#ifndef TNA_BPF_FPM_ID_H
#define TNA_BPF_FPM_ID_H

/* X(NAME, id, "name as tnactl prints it") */
#define TNA_FPM_IDS(X)                                                    \
	X(ROOT, 0, "root")                                                \
	X(PARSE_ETH, 1, "parse_eth")                                      \
	X(STP, 2, "stp")                                                  \
	X(BRIDGE_FWD, 3, "bridge_fwd")                                    \
	X(PARSE_IPV4, 4, "parse_ipv4")                                    \
	X(XSK_STEER, 5, "xsk_steer")

enum fpm_id {
#define TNA_FPM_ENUM(name, id, text) FPM_ID_##name = id,
	TNA_FPM_IDS(TNA_FPM_ENUM)
#undef TNA_FPM_ENUM
	FPM_ID_MAX,
};

static inline const char *tna_fpm_name(unsigned int id)
{
	switch (id) {
#define TNA_FPM_CASE(name, id, text) case id: return text;
	TNA_FPM_IDS(TNA_FPM_CASE)
#undef TNA_FPM_CASE
	}
	return NULL;
}

#endif
