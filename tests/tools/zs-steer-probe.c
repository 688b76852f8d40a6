// SPDX-License-Identifier: GPL-2.0
/*
 * zs-steer-probe IFACE ADDR PORT SECONDS: the smallest zstack application.
 * Registers with the daemon ($ZSTACK_TNA_CONTROL), attaches an AF_XDP socket
 * on queue 0 of IFACE, listens on ADDR:PORT, then counts the TCP SYNs to that
 * port that arrive on the socket for SECONDS and prints "syns N". It answers
 * nothing: the kernel client's SYNs go unanswered, never RST. Prints
 * "listening" once the daemon took the listen; the steering is live once
 * `tnactl explain IFACE` shows xsk_steer deployed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zstack/frame.h"
#include "zstack/registry.h"
#include "zstack/xsk.h"

#define BATCH 64

static int is_syn_to(const uint8_t *pkt, uint32_t len, uint16_t port)
{
	const struct ethhdr *eth = (const void *)pkt;
	const struct iphdr *ip = (const void *)(eth + 1);
	const struct tcphdr *tcp;

	if (len < sizeof(*eth) + sizeof(*ip) || eth->h_proto != htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || len < sizeof(*eth) + ip->ihl * 4u + sizeof(*tcp))
		return 0;
	tcp = (const void *)((const uint8_t *)ip + ip->ihl * 4);
	return tcp->syn && !tcp->ack && ntohs(tcp->dest) == port;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int probe(const char *ifname, struct in_addr addr, uint16_t port, double seconds)
{
	struct frame_pool_opts po = { .nr_frames = 512 };
	struct xsk_opts xo = { .ifname = ifname, .ring_size = 256 };
	struct frame_pool *pool = NULL;
	struct zs_registry *reg = NULL;
	struct xsk_frame frames[BATCH];
	struct xsk *x = NULL;
	unsigned long syns = 0;
	char err[512] = "";
	double end;
	int ret;

	ret = frame_pool__new(&pool, &po);
	if (!ret)
		ret = xsk__open(&x, pool, &xo);
	if (ret) {
		fprintf(stderr, "zs-steer-probe: AF_XDP socket on %s: %s\n", ifname,
			strerror(-ret));
		goto out;
	}
	ret = zs_registry__open(&reg, NULL, "zs-steer-probe", err, sizeof(err));
	if (!ret)
		ret = zs_registry__attach(reg, ifname, 0, xsk__fd(x), err, sizeof(err));
	if (!ret)
		ret = zs_registry__listen(reg, ifname, AF_INET, &addr, port, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "zs-steer-probe: %s\n", err);
		goto out;
	}
	printf("listening\n");
	fflush(stdout);
	end = now_s() + seconds;
	while (now_s() < end) {
		struct pollfd pfd = { .fd = xsk__fd(x), .events = POLLIN };
		uint32_t n;

		poll(&pfd, 1, 100);
		n = xsk__rx(x, frames, BATCH);
		for (uint32_t i = 0; i < n; i++) {
			syns += is_syn_to(frame_pool__ptr(pool, frames[i].addr), frames[i].len,
					  port);
			frame_pool__put(pool, frames[i].addr);
		}
	}
	printf("syns %lu\n", syns);
out:
	zs_registry__close(reg);
	xsk__close(x);
	frame_pool__free(pool);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct in_addr addr;
	long port;
	double seconds;

	if (argc != 5 || inet_pton(AF_INET, argv[2], &addr) != 1 ||
	    (port = strtol(argv[3], NULL, 10)) < 1 || port > 65535 ||
	    (seconds = strtod(argv[4], NULL)) <= 0 || seconds > 600) {
		fprintf(stderr, "usage: zs-steer-probe IFACE IPV4 PORT SECONDS (at most 600)\n");
		return 2;
	}
	return probe(argv[1], addr, (uint16_t)port, seconds);
}
