// SPDX-License-Identifier: GPL-2.0
/*
 * parse_ipv4 and xsk_steer through BPF_PROG_RUN, on the pipeline the planner
 * gives a zstack interface (parse_eth → parse_ipv4 → xsk_steer): every path of
 * both, with a real AF_XDP socket in the XSKMAP for the redirect, and the
 * frames the kernel would drop before its TCP (another host's MAC, a wrong
 * header checksum, a martian source), which must never reach zstack.
 */
#define _GNU_SOURCE
#include <linux/if_xdp.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/fpm/harness.h"

#define ZS_OBJ "tests/fpm/pipeline_zstack.bpf.o"
#define LOCAL_IP "10.9.0.1"
#define LOCAL_PORT 8080
#define UMEM_FRAMES 64
#define UMEM_FRAME 4096

static struct fixture fx;

struct pkt_opts {
	__u8 proto;
	__u8 ihl;		/* 0: 5 */
	__u16 frag;		/* frag_off, host order */
	int tot_delta;		/* added to the right total length */
	__u16 l4_len;		/* bytes after the IP header; 0: a TCP header */
	__u16 dport;
	const char *dst;
	const char *src;	/* NULL: 10.9.0.2 */
	const __u8 *dst_mac;
	__u8 ttl;		/* 0: 64 */
	bool ttl_zero;
	bool bad_csum;		/* the header checksum off by one */
};

/* The IPv4 header checksum, as ip_send_check computes it. */
static __u16 ip_csum(const struct iphdr *ip)
{
	const __u8 *p = (const __u8 *)ip;
	__u32 sum = 0;

	for (unsigned int i = 0; i < ip->ihl * 4u; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

static struct frame ipv4(struct pkt_opts o)
{
	__u8 ihl = o.ihl ? o.ihl : 5;
	__u16 l4_len = o.l4_len ? o.l4_len : sizeof(struct tcphdr);
	struct frame f;
	struct iphdr ip = { .version = 4, .ihl = ihl, .protocol = o.proto,
			    .ttl = o.ttl_zero ? 0 : o.ttl ? o.ttl : 64 };
	struct tcphdr tcp = { .source = htons(40000), .dest = htons(o.dport), .doff = 5,
			      .syn = 1 };

	frame_eth(&f, o.dst_mac ? o.dst_mac : MAC(MAC_LOCAL), MAC(MAC_A), ETH_P_IP,
		  ETH_HLEN + ihl * 4 + l4_len);
	ip.tot_len = htons(ihl * 4 + l4_len + o.tot_delta);
	ip.frag_off = htons(o.frag);
	inet_pton(AF_INET, o.src ? o.src : "10.9.0.2", &ip.saddr);
	inet_pton(AF_INET, o.dst ? o.dst : LOCAL_IP, &ip.daddr);
	memcpy(f.data + ETH_HLEN, &ip, sizeof(ip));
	if (ihl == 5) {
		ip.check = htons(ntohs(ip_csum(&ip)) + o.bad_csum);
		memcpy(f.data + ETH_HLEN, &ip, sizeof(ip));
	}
	memcpy(f.data + ETH_HLEN + ihl * 4, &tcp,
	       l4_len < sizeof(tcp) ? l4_len : sizeof(tcp));
	return f;
}

static int steer_add(int ifindex, const char *addr, __u16 port)
{
	struct tna_zs_key key = { .ifindex = ifindex, .family = TNA_AF_INET, .port = htons(port) };
	struct tna_zs_val val = { .app = 1, .flags = TNA_ZS_F_LISTEN };

	inet_pton(AF_INET, addr, key.addr);
	return bpf_map_update_elem(fx.maps.zs_steer, &key, &val, BPF_ANY) ? -errno : 0;
}

/* An AF_XDP socket in copy mode on queue 0 of ifindex: enough for the XSKMAP
 * to take it, and so for bpf_redirect_map to find it. */
static int xsk_open(int ifindex, void **umem)
{
	struct xdp_umem_reg reg = { .len = UMEM_FRAMES * UMEM_FRAME, .chunk_size = UMEM_FRAME };
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP, .sxdp_ifindex = ifindex,
				     .sxdp_flags = XDP_COPY };
	int ring = UMEM_FRAMES, fd, err = 0;

	*umem = mmap(NULL, reg.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*umem == MAP_FAILED)
		return -errno;
	reg.addr = (__u64)(unsigned long)*umem;
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)) ||
	    bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void test_parse_ipv4(int prog, __u32 in)
{
	const struct want pass_end = { XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_PIPELINE_END };
	const struct want header = { XDP_PASS, FPM_ID_PARSE_IPV4, TNA_PUNT_IPV4_HEADER };
	struct frame f;

	frame_eth(&f, MAC(MAC_LOCAL), MAC(MAC_A), ETH_P_ARP, 60);
	expect(&fx.maps, prog, in, &f, pass_end, "not IPv4 (ARP) continues to the kernel");
	frame_eth(&f, MAC(MAC_LOCAL), MAC(MAC_A), ETH_P_IP, ETH_HLEN + 10);
	expect(&fx.maps, prog, in, &f, header, "IPv4 shorter than its header");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .ihl = 4, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f, header, "IPv4 with ihl 4");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .tot_delta = 1, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f, header, "IPv4 total length past the frame");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .tot_delta = -21,
				   .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f, header, "IPv4 total length shorter than the header");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .frag = 0x2000, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_PARSE_IPV4, TNA_PUNT_IPV4_FRAGMENT },
	       "first fragment (MF) goes to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .frag = 0x0010, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_PARSE_IPV4, TNA_PUNT_IPV4_FRAGMENT },
	       "later fragment (offset) goes to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .ihl = 6, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_PARSE_IPV4, TNA_PUNT_IPV4_OPTIONS },
	       "IPv4 options go to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .frag = 0x4000, .dport = 9 });
	expect(&fx.maps, prog, in, &f, pass_end, "DF alone is no fragment: parsed, continues");
}

static void test_kernel_would_drop(int prog, __u32 in);

static void test_steer(int prog, __u32 in, __u32 other)
{
	const struct want pass_end = { XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_PIPELINE_END };
	const struct want no_socket = { XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_XSK_NO_SOCKET };
	struct frame f;

	f = ipv4((struct pkt_opts){ .proto = IPPROTO_UDP, .l4_len = 8, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f, pass_end, "UDP to a steered port continues");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT + 1 });
	expect(&fx.maps, prog, in, &f, pass_end, "TCP to an unregistered port continues");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT, .dst = "10.9.0.3" });
	expect(&fx.maps, prog, in, &f, pass_end, "TCP to the port on another address continues");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, other, &f, pass_end,
	       "TCP to the endpoint on another interface continues");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .l4_len = 10, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f, pass_end, "a TCP header cut short continues");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
				   .dst_mac = (const __u8[ETH_ALEN]){ 0xff, 0xff, 0xff, 0xff,
								      0xff, 0xff } });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_MULTICAST_DST },
	       "steered endpoint behind a broadcast MAC goes to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT });
	expect(&fx.maps, prog, in, &f, no_socket,
	       "steered endpoint without a socket on the queue falls back to the kernel");
	test_kernel_would_drop(prog, in);
}

/* What the kernel drops before TCP sees it goes to the kernel, never to
 * zstack: checked here without a socket (a redirect would hide nothing, the
 * punt comes first), and again with one in test_redirect. */
static void test_kernel_would_drop(int prog, __u32 in)
{
	static const char *const martians[] = { "0.0.0.1", "127.0.0.1", "224.0.0.1",
						"239.1.2.3", "255.255.255.255" };
	const struct want src_invalid = { XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_SRC_INVALID };
	struct frame f;
	char what[96];

	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
				   .dst_mac = MAC(MAC_B) });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_DST_UNKNOWN },
	       "steered endpoint behind another host's MAC (PACKET_OTHERHOST) goes to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
				   .dst_mac = (const __u8[ETH_ALEN]){ 0x01, 0x00, 0x5e, 0x00,
								      0x00, 0x01 } });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_MULTICAST_DST },
	       "steered endpoint behind a multicast MAC goes to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT, .bad_csum = true });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_IPV4_HEADER },
	       "a wrong IPv4 header checksum goes to the kernel (ip_rcv_core drops it)");
	for (unsigned int i = 0; i < sizeof(martians) / sizeof(martians[0]); i++) {
		f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
					   .src = martians[i] });
		snprintf(what, sizeof(what), "martian source %s goes to the kernel", martians[i]);
		expect(&fx.maps, prog, in, &f, src_invalid, what);
	}
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
				   .dst = "10.9.0.255" });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_PIPELINE_END },
	       "TCP to the subnet's broadcast address continues to the kernel");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
				   .dst = "224.0.0.1" });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_PIPELINE_END },
	       "TCP to a multicast address continues to the kernel");
}

static void test_redirect(int prog, __u32 in)
{
	__u32 index = tna_xsk_index(HARNESS_SLOT, 0), wrong = tna_xsk_index(HARNESS_SLOT + 1, 0);
	struct frame f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT });
	void *umem = NULL;
	int fd, err;

	fd = xsk_open(in, &umem);
	CHECK(fd >= 0, "open an AF_XDP socket on queue 0 of p5 (%s)", strerror(fd < 0 ? -fd : 0));
	if (fd < 0)
		return;
	err = bpf_map_update_elem(fx.maps.xskmap, &wrong, &fd, BPF_ANY) ? -errno : 0;
	CHECK(!err, "put it at another slot's index (%s)", strerror(-err));
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_XSK_NO_SOCKET },
	       "a socket at another interface slot is not used");
	bpf_map_delete_elem(fx.maps.xskmap, &wrong);
	err = bpf_map_update_elem(fx.maps.xskmap, &index, &fd, BPF_ANY) ? -errno : 0;
	CHECK(!err, "put it at slot %d queue 0 of the XSKMAP (%s)", HARNESS_SLOT, strerror(-err));
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_REDIRECT, FPM_ID_XSK_STEER, TNA_PUNT_NONE },
	       "TCP to the steered endpoint is redirected to the AF_XDP socket");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT + 1 });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_PIPELINE_END },
	       "with the socket in place, other ports still continue");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT, .ttl_zero = true });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_REDIRECT, FPM_ID_XSK_STEER, TNA_PUNT_NONE },
	       "TTL 0 is no matter for local delivery: redirected");
	f = ipv4((struct pkt_opts){ .proto = IPPROTO_TCP, .dport = LOCAL_PORT,
				   .dst_mac = MAC(MAC_B) });
	expect(&fx.maps, prog, in, &f,
	       (struct want){ XDP_PASS, FPM_ID_XSK_STEER, TNA_PUNT_DST_UNKNOWN },
	       "with the socket in place, another host's MAC still goes to the kernel");
	test_kernel_would_drop(prog, in);
	bpf_map_delete_elem(fx.maps.xskmap, &index);
	close(fd);
	munmap(umem, UMEM_FRAMES * UMEM_FRAME);
}

int main(void)
{
	struct bpf_object *obj = NULL;
	int prog, err;

	err = fixture__setup(&fx);
	CHECK(!err, "set up a private namespace with veths and the shared maps (%s)",
	      strerror(-err));
	if (err)
		return check_exit();
	prog = harness_load(&fx.maps, ZS_OBJ, &obj);
	CHECK(prog >= 0, "load %s", ZS_OBJ);
	err = steer_add(fx.p[5], LOCAL_IP, LOCAL_PORT);
	CHECK(!err, "register %s:%d on p5 in the steering map (%s)", LOCAL_IP, LOCAL_PORT,
	      strerror(-err));
	if (prog >= 0 && !err) {
		test_parse_ipv4(prog, fx.p[5]);
		test_steer(prog, fx.p[5], fx.p[1]);
		test_redirect(prog, fx.p[5]);
	}
	bpf_object__close(obj);
	tna_maps__close(&fx.maps);
	return check_exit();
}
