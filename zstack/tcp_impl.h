/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection record and the functions the core's files share. Nothing
 * outside zstack/tcp_*.c includes this: callers see tcp.h only.
 */
#ifndef ZSTACK_TCP_IMPL_H
#define ZSTACK_TCP_IMPL_H

#include "zstack/tcp.h"

#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL
#define TCP_DUPTHRESH 3
#define TCP_SCOREBOARD_MAX 32
#define TCP_MSS_DEFAULT 536 /* RFC 9293, 3.7.1: assumed when the peer sends no MSS */
#define TCP_MSS_MIN 88	    /* smaller MSS options are clamped up to this */
#define TCP_PERSIST_MAX_NS (60 * NSEC_PER_SEC)
#define TCP_RTO_AFTER_SYN_LOSS_NS (3 * NSEC_PER_SEC)

/* A segment held out of order, by reference into the caller's buffer. */
struct tcp_ooo {
	uint32_t seq;
	const uint8_t *data;
	uint32_t len;
	uint64_t cookie;
};

struct tcp_reass {
	struct tcp_ooo *segs; /* sorted by seq, non-overlapping */
	uint32_t nr;
	uint32_t bytes;
	bool fin;	      /* a FIN arrived beyond rcv_nxt, at fin_seq */
	uint32_t fin_seq;
	/* Blocks to report in SACK options, the most recently changed first. */
	struct tcp_sack_block recent[TCP_SACK_MAX_BLOCKS];
	uint8_t nr_recent;
};

/* Sender's record of SACKed ranges above snd_una (RFC 6675, 3). */
struct tcp_scoreboard {
	struct tcp_sack_block blk[TCP_SCOREBOARD_MAX]; /* sorted, disjoint */
	uint32_t nr;
};

struct tcp_cc {
	enum tcp_cc_algo algo;
	uint32_t cwnd;
	uint32_t ssthresh;
	uint32_t ca_acked;	/* bytes acked toward the next congestion-avoidance step */
	/* CUBIC (RFC 9438), in segments and seconds. */
	double w_max;
	double w_last_max;
	double k;
	double w_est;
	double frac;		/* growth below one byte, carried to the next ACK */
	uint64_t epoch_start;	/* 0: no congestion-avoidance epoch yet */
};

struct tcp_ring {
	struct tcp_chunk *ent;
	uint32_t cap;
	uint32_t head;
	uint32_t nr;
};

struct tcp_conn {
	struct tcp_config cfg;
	const struct tcp_ops *ops;
	void *ctx;
	struct tcp_tuple tuple;
	void *user;
	enum tcp_state state;
	int err;
	bool orphan;		/* the application closed it (tcp_conn__orphan) */
	uint32_t events;
	struct tcp_listener *listener; /* set while pending or unaccepted */

	/* Send sequence space (RFC 9293, 3.3.1). */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;	/* next sequence number to send (back at una after RTO) */
	uint32_t snd_max;	/* one past the highest sequence number ever sent */
	uint32_t snd_wnd;	/* scaled */
	uint32_t max_snd_wnd;
	uint32_t snd_wl1;
	uint32_t snd_wl2;
	uint8_t snd_wscale;
	uint8_t rcv_wscale;
	bool ws_ok;
	bool ts_ok;
	bool sack_ok;
	uint16_t peer_mss;
	uint32_t smss;

	/* Application send buffers; tx_seq is the sequence number of the first byte. */
	struct tcp_ring tx;
	uint32_t tx_seq;
	uint32_t tx_bytes;
	bool fin_queued;	/* our FIN sits at tx_seq + tx_bytes */

	/* Receive sequence space. */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;	/* right edge of the window we advertised */
	struct tcp_ring rx;
	uint32_t rx_queued;	/* bytes in rx */
	uint32_t rx_held;	/* bytes in rx plus bytes the application has not freed */
	bool peer_fin;
	struct tcp_reass reass;

	uint32_t ts_recent;
	uint32_t last_ack_sent;
	uint64_t challenge_start; /* start of the current second of challenge ACKs */
	uint32_t challenge_count;
	uint32_t delack_segs;	/* segments received and not yet acknowledged */
	bool ack_now;

	/* Timer deadlines in ns, 0 when off. */
	uint64_t t_rexmit;
	uint64_t t_delack;
	uint64_t t_persist;
	uint64_t t_keepalive;
	uint64_t t_timewait;	/* TIME-WAIT, or an orphan's FIN-WAIT-2: ends silently */
	uint64_t t_probe;	/* tail loss probe (RFC 8985, 7) */
	bool probe_sent;	/* one probe per tail, until an ACK of new data */
	uint32_t ka_sent;
	uint32_t persist_backoff;

	/*
	 * RFC 6298 estimator. Without timestamps the segment ending at rtt_seq
	 * is timed, and Karn's rule voids the sample if it is sent again.
	 */
	uint64_t srtt;
	uint64_t rttvar;
	uint64_t rto;
	uint32_t backoff;
	bool rtt_timing;
	bool rtt_karn_ok;
	uint32_t rtt_seq;
	uint64_t rtt_start;

	/* Loss recovery. */
	uint32_t dupacks;
	bool in_recovery;
	uint32_t recover;	/* snd_max when recovery began (RFC 6582, RFC 6675) */
	uint32_t high_rxt;	/* one past the highest retransmitted octet (RFC 6675) */
	/*
	 * What was sent after the octet at snd_una was last retransmitted:
	 * the holes retransmitted in [rxt_after, high_rxt) and new data from
	 * rxt_mark on. Once enough of it is SACKed while snd_una stays, that
	 * retransmission was lost too (tcp_sack__rexmit_lost).
	 */
	uint32_t rxt_after;
	uint32_t rxt_mark;
	uint32_t rxt_later;	/* octets of it SACKed since */
	uint64_t rxt_time;
	struct tcp_scoreboard sb;
	struct tcp_cc cc;

	struct tcp_conn_stats stats;
};

/* tcp_conn.c */
void tcp_conn__close(struct tcp_conn *c, int err);
void tcp_conn__negotiate(struct tcp_conn *c, const struct tcp_seg *syn);
uint32_t tcp_ts_now(uint64_t now);
void tcp_conn__release_acked(struct tcp_conn *c, uint32_t ack);
void tcp_ring__push(struct tcp_ring *r, const struct tcp_chunk *e);

/* tcp_output.c */
void tcp_output(struct tcp_conn *c, uint64_t now);
void tcp_send_syn(struct tcp_conn *c, uint64_t now);
void tcp_send_rst(struct tcp_conn *c, uint32_t seq, uint32_t ack, bool with_ack);
void tcp_send_probe(struct tcp_conn *c, uint64_t now);
/*
 * Sends up to len bytes (at most one segment) starting at seq, whether new or
 * sent before; returns the sequence space sent.
 */
uint32_t tcp_send_data(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now);
uint32_t tcp_data_end(const struct tcp_conn *c);
bool tcp_fin_sent(const struct tcp_conn *c);

/* tcp_input.c */
/* Fast retransmit of snd_una and the start of recovery (RFC 5681, 6582, 6675). */
void tcp_enter_recovery(struct tcp_conn *c, uint64_t now);

/* tcp_timer.c */
/* An orphan reached FIN-WAIT-2: it waits for the peer's FIN cfg.fin_timeout_ns. */
void tcp_timer__fin_wait_2(struct tcp_conn *c, uint64_t now);
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt);
void tcp_timer__update_persist(struct tcp_conn *c, uint64_t now);
void tcp_timer__touch_keepalive(struct tcp_conn *c, uint64_t now);
/* New data went out or was acknowledged: (re)arm the tail loss probe. */
void tcp_timer__arm_probe(struct tcp_conn *c, uint64_t now);

/* tcp_reass.c */
int tcp_reass__init(struct tcp_reass *r, uint32_t max_segs);
void tcp_reass__free(struct tcp_conn *c);
/* Holds an out-of-order segment; returns false if it was dropped instead. */
bool tcp_reass__insert(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len,
		       uint64_t cookie);
/* Moves segments that became in order to the receive queue. */
void tcp_reass__pull(struct tcp_conn *c);
/* Fills the SACK option from the most recent blocks. */
void tcp_reass__sack_opts(const struct tcp_conn *c, struct tcp_opts *o, uint8_t max);

/* tcp_sack.c */
/* Returns true when the blocks SACKed octets not SACKed before. */
bool tcp_sack__update(struct tcp_conn *c, const struct tcp_opts *o);
void tcp_sack__ack(struct tcp_conn *c, uint32_t una);
void tcp_sack__clear(struct tcp_conn *c);
uint32_t tcp_sack__pipe(const struct tcp_conn *c);
bool tcp_sack__lost(const struct tcp_conn *c, uint32_t seq);
/* Next hole to retransmit per NextSeg() rules 1 and 3; false when none. */
/* The octet at snd_una was just retransmitted, or became snd_una, in recovery. */
void tcp_sack__mark_rexmit(struct tcp_conn *c, uint64_t now);
/* The retransmission at snd_una was lost (RFC 6675 cannot tell; Linux's RACK can). */
bool tcp_sack__rexmit_lost(const struct tcp_conn *c, uint64_t now);
bool tcp_sack__next_hole(const struct tcp_conn *c, bool lost_only, uint32_t *seq, uint32_t *len);

/* tcp_cc.c */
void tcp_cc__init(struct tcp_conn *c);
/* flight: bytes outstanding before this ACK. */
void tcp_cc__on_ack(struct tcp_conn *c, uint32_t acked, uint32_t flight, uint64_t now);
void tcp_cc__on_congestion(struct tcp_conn *c);
void tcp_cc__on_rto(struct tcp_conn *c);

/* tcp_listen.c */
void tcp_listener__child_gone(struct tcp_listener *l, struct tcp_conn *c);

#endif
