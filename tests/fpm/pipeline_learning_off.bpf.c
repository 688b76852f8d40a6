// SPDX-License-Identifier: GPL-2.0
/* The bridge pipeline as the assembler emits it for a bridge with a port that
 * has learning off: the same FPMs, one plan constant more. */
#define FPM_BR_LEARNING_OFF_PORTS 1

#include "bpf/pipeline_bridge.bpf.c"
