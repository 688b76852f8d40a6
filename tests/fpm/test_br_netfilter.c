// SPDX-License-Identifier: GPL-2.0
/*
 * bridge_fwd under br_netfilter's port flags, through BPF_PROG_RUN: with rules
 * on a family (TNA_PORT_F_BR_NF_*) all of it goes to Linux; with only the
 * family's path on (TNA_PORT_F_BR_NF_CHECK_*) the fast path forwards exactly
 * the frames br_validate_ipv4/ipv6 and br_nf_dev_queue_xmit leave untouched,
 * and punts the ones they drop, trim or refragment.
 */
#define _GNU_SOURCE
#include "tests/fpm/harness.h"

#define PIPELINE_OBJ "bpf/pipeline_bridge.bpf.o"
#define BASE_FLAGS (TNA_PORT_F_READY | TNA_PORT_F_LEARNING)
#define IPV4_HLEN 20
#define IPV6_HLEN 40

static struct fixture fx;
static int prog;

static struct want punt(__u32 reason)
{
	return (struct want){ .action = XDP_PASS, .fpm = FPM_ID_BRIDGE_FWD, .outcome = reason };
}

static struct want redirect(void)
{
	return (struct want){ .action = XDP_REDIRECT, .fpm = FPM_ID_BRIDGE_FWD };
}

/* p1's flags: the ingress port of every frame here (p1 -> p2). */
static void p1_flags(__u16 flags)
{
	fixture__set_port(&fx, 1, BR_STATE_FORWARDING, BASE_FLAGS | flags, 1500);
}

static void run(const struct frame *f, struct want want, const char *what)
{
	expect(&fx.maps, prog, fx.p[1], f, want, what);
}

static __u16 ipv4_csum(const __u8 *hdr, unsigned int len)
{
	__u32 sum = 0;

	for (unsigned int i = 0; i + 1 < len; i += 2)
		sum += hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* An IPv4 UDP frame p1 -> p2 of len bytes with an ihl-word header (options
 * zero) and the given total length; the checksum is right. */
static struct frame ipv4(__u32 len, unsigned int ihl, __u16 tot_len)
{
	struct frame f;
	__u8 *ip;

	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), ETH_P_IP, len);
	ip = f.data + ETH_HLEN;
	ip[0] = 0x40 | ihl;
	put_be16(ip + 2, tot_len);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, (__u8[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	put_be16(ip + 10, ipv4_csum(ip, ihl * 4));
	return f;
}

/* An IPv4 frame exactly as long as its packet. */
static struct frame ipv4_exact(__u32 len)
{
	return ipv4(len, 5, len - ETH_HLEN);
}

static void ipv4_recsum(struct frame *f)
{
	__u8 *ip = f->data + ETH_HLEN;

	put_be16(ip + 10, 0);
	put_be16(ip + 10, ipv4_csum(ip, (ip[0] & 0xf) * 4));
}

/* An IPv6 UDP frame p1 -> p2 of len bytes with the given payload length. */
static struct frame ipv6(__u32 len, __u16 payload_len)
{
	struct frame f;
	__u8 *ip;

	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), ETH_P_IPV6, len);
	ip = f.data + ETH_HLEN;
	ip[0] = 0x60;
	put_be16(ip + 4, payload_len);
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	ip[8] = 0xfd;
	ip[23] = 1;
	ip[24] = 0xfd;
	ip[39] = 2;
	return f;
}

static struct frame ipv6_exact(__u32 len)
{
	return ipv6(len, len - ETH_HLEN - IPV6_HLEN);
}

static struct frame of_proto(__u16 proto, __u32 len)
{
	struct frame f;

	frame_eth(&f, MAC(MAC_B), MAC(MAC_A), proto, len);
	return f;
}

/* Rules (or conntrack) on a family: every frame of it to Linux, valid or not. */
static void test_rules(void)
{
	const struct want br_nf = punt(TNA_PUNT_BR_NETFILTER);
	struct frame f;

	p1_flags(TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_IPV4 |
		 TNA_PORT_F_BR_NF_CHECK_ARP | TNA_PORT_F_BR_NF_ARP);
	f = ipv4_exact(64);
	run(&f, br_nf, "BR_NF_IPV4: a valid IPv4 frame left to Linux");
	f = of_proto(ETH_P_ARP, 60);
	run(&f, br_nf, "BR_NF_ARP: ARP left to Linux");
	f = of_proto(ETH_P_PPP_SES, 64);
	run(&f, br_nf, "BR_NF_IPV4: PPPoE session frames left to Linux");
	f = of_proto(ETH_P_IPV6, 64);
	run(&f, redirect(), "BR_NF_IPV4 and _ARP: IPv6 still forwarded");

	p1_flags(TNA_PORT_F_BR_NF_CHECK_IPV6 | TNA_PORT_F_BR_NF_IPV6);
	f = ipv6_exact(64);
	run(&f, br_nf, "BR_NF_IPV6: a valid IPv6 frame left to Linux");
	f = of_proto(ETH_P_PPP_SES, 64);
	run(&f, br_nf, "BR_NF_IPV6: PPPoE session frames left to Linux");
	f = of_proto(ETH_P_IP, 64);
	run(&f, redirect(), "BR_NF_IPV6: IPv4 still forwarded, unchecked");
	f = of_proto(ETH_P_ARP, 60);
	run(&f, redirect(), "BR_NF_IPV6: ARP still forwarded");
	p1_flags(0);
	f = ipv4_exact(64);
	run(&f, redirect(), "flags cleared: IPv4 forwarded again");
}

/* An IPv4 frame with an ihl-word header whose addresses and options are all
 * ones: the checksum's words carry on every addition, in every fold. */
static struct frame ipv4_ones(unsigned int ihl)
{
	struct frame f = ipv4(ETH_HLEN + ihl * 4, ihl, ihl * 4);
	__u8 *ip = f.data + ETH_HLEN;

	memset(ip + 12, 0xff, ihl * 4 - 12);
	ipv4_recsum(&f);
	return f;
}

/* The header checksum over the fixed header and over options alike. */
static void test_check_ipv4_csum(void)
{
	const struct want header = punt(TNA_PUNT_BR_NF_L3_HEADER);
	struct frame f;

	f = ipv4_ones(5);
	run(&f, redirect(), "CHECK_IPV4: checksum of a header of all-ones addresses holds");
	f = ipv4_ones(15);
	run(&f, redirect(), "CHECK_IPV4: checksum over 40 bytes of all-ones options holds");
	f = ipv4_ones(15);
	f.data[ETH_HLEN + 59] ^= 0x10;
	run(&f, header, "CHECK_IPV4: checksum broken in the last option word");
	f = ipv4_ones(7);
	f.data[ETH_HLEN + 20] ^= 0x80;
	run(&f, header, "CHECK_IPV4: checksum broken in the first option word");
	f = ipv4_ones(6);
	f.data[ETH_HLEN + 16] ^= 0x01;
	run(&f, header, "CHECK_IPV4: checksum broken in the fixed header's last word");
}

/* br_validate_ipv4 with no rules: drop what it drops, trim what it trims. */
static void test_check_ipv4(void)
{
	const struct want header = punt(TNA_PUNT_BR_NF_L3_HEADER);
	struct frame f;

	p1_flags(TNA_PORT_F_BR_NF_CHECK_IPV4);
	f = ipv4_exact(64);
	run(&f, redirect(), "CHECK_IPV4: valid IPv4, frame exactly its total length, forwarded");
	f = ipv4(ETH_HLEN + 24, 6, 24);
	run(&f, redirect(), "CHECK_IPV4: valid IPv4 with options (ihl 6) forwarded");
	f = ipv4(64, 5, 64 - ETH_HLEN - 10);
	run(&f, punt(TNA_PUNT_BR_NF_PADDED),
	     "CHECK_IPV4: Ethernet padding after the packet (the kernel trims it)");
	f = ipv4_exact(64);
	f.data[ETH_HLEN + 10] ^= 0x01;
	run(&f, header, "CHECK_IPV4: bad header checksum");
	f = ipv4_exact(64);
	f.data[ETH_HLEN] = 0x65;
	ipv4_recsum(&f);
	run(&f, header, "CHECK_IPV4: version 6 in an IPv4 frame");
	f = ipv4_exact(64);
	f.data[ETH_HLEN] = 0x44;
	ipv4_recsum(&f);
	run(&f, header, "CHECK_IPV4: ihl 4");
	f = ipv4(64, 5, 64 - ETH_HLEN + 1);
	run(&f, header, "CHECK_IPV4: total length beyond the frame");
	test_check_ipv4_csum();
	f = ipv4(64, 6, 20);
	run(&f, header, "CHECK_IPV4: total length shorter than the header");
	f = ipv4(ETH_HLEN + 30, 15, 60);
	run(&f, header, "CHECK_IPV4: header (ihl 15) longer than the frame");
	f = of_proto(ETH_P_IP, ETH_HLEN + IPV4_HLEN - 1);
	run(&f, header, "CHECK_IPV4: frame shorter than an IPv4 header");
	f = of_proto(ETH_P_PPP_SES, 64);
	run(&f, punt(TNA_PUNT_BR_NETFILTER),
	     "CHECK_IPV4: PPPoE left to Linux (bridge-nf-filter-pppoe-tagged)");
	f = of_proto(ETH_P_IPV6, 64);
	run(&f, redirect(), "CHECK_IPV4: IPv6 unchecked without CHECK_IPV6");
	f = of_proto(ETH_P_ARP, 60);
	run(&f, redirect(), "CHECK_IPV4: ARP unchecked without CHECK_ARP");
	p1_flags(0);
}

static void test_check_ipv6(void)
{
	const struct want header = punt(TNA_PUNT_BR_NF_L3_HEADER);
	struct frame f;

	p1_flags(TNA_PORT_F_BR_NF_CHECK_IPV6);
	f = ipv6_exact(80);
	run(&f, redirect(), "CHECK_IPV6: valid IPv6, frame exactly its length, forwarded");
	f = ipv6_exact(ETH_HLEN + IPV6_HLEN);
	run(&f, redirect(), "CHECK_IPV6: IPv6 without payload, nothing after it, forwarded");
	f = ipv6(80, 80 - ETH_HLEN - IPV6_HLEN - 8);
	run(&f, punt(TNA_PUNT_BR_NF_PADDED), "CHECK_IPV6: bytes after the payload (trimmed)");
	f = ipv6(80, 80 - ETH_HLEN - IPV6_HLEN + 1);
	run(&f, header, "CHECK_IPV6: payload length beyond the frame");
	f = ipv6_exact(80);
	f.data[ETH_HLEN] = 0x40;
	run(&f, header, "CHECK_IPV6: version 4 in an IPv6 frame");
	f = ipv6_exact(80);
	f.data[ETH_HLEN + 6] = 0;
	run(&f, header, "CHECK_IPV6: hop-by-hop header (jumbogram check left to Linux)");
	f = of_proto(ETH_P_IPV6, ETH_HLEN + IPV6_HLEN - 1);
	run(&f, header, "CHECK_IPV6: frame shorter than an IPv6 header");
	f = of_proto(ETH_P_PPP_SES, 64);
	run(&f, punt(TNA_PUNT_BR_NETFILTER), "CHECK_IPV6: PPPoE left to Linux");
	f = of_proto(ETH_P_IP, 64);
	run(&f, redirect(), "CHECK_IPV6: IPv4 unchecked without CHECK_IPV4");
	p1_flags(0);
}

static void test_check_arp(void)
{
	struct frame f;

	p1_flags(TNA_PORT_F_BR_NF_CHECK_ARP);
	f = of_proto(ETH_P_ARP, ETH_HLEN + 8);
	run(&f, redirect(), "CHECK_ARP: ARP with its whole fixed header forwarded");
	f.len--;
	run(&f, punt(TNA_PUNT_BR_NF_L3_HEADER),
	     "CHECK_ARP: ARP shorter than its fixed header (br_nf_forward_arp drops it)");
	f = of_proto(ETH_P_PPP_SES, 64);
	run(&f, redirect(), "CHECK_ARP: PPPoE unchecked without an IP check");
	p1_flags(0);
}

/* br_nf_dev_queue_xmit: IP up to the egress MTU leaves unchanged. p2's MTU
 * is 100, so 101 bytes of IP would be refragmented. */
static void test_check_mtu(void)
{
	const __u32 mtu = 100;
	struct frame f;

	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, BASE_FLAGS, mtu);
	p1_flags(TNA_PORT_F_BR_NF_CHECK_IPV4 | TNA_PORT_F_BR_NF_CHECK_IPV6);
	f = ipv4_exact(ETH_HLEN + mtu);
	run(&f, redirect(), "CHECK_IPV4: IPv4 exactly the egress MTU forwarded");
	f = ipv4_exact(ETH_HLEN + mtu + 1);
	run(&f, punt(TNA_PUNT_BR_NF_MTU), "CHECK_IPV4: IPv4 one byte over the egress MTU");
	f = ipv6_exact(ETH_HLEN + mtu + 1);
	run(&f, punt(TNA_PUNT_BR_NF_MTU), "CHECK_IPV6: IPv6 one byte over the egress MTU");
	f = of_proto(ETH_P_ARP, ETH_HLEN + mtu + 4);
	run(&f, redirect(), "CHECK_IPV4: non-IP frames keep the VLAN allowance");
	p1_flags(0);
	f = ipv4_exact(ETH_HLEN + mtu + 1);
	run(&f, redirect(), "no br_netfilter flags: IPv4 over the MTU within the allowance");
	fixture__set_port(&fx, 2, BR_STATE_FORWARDING, BASE_FLAGS, 1500);
}

int main(void)
{
	struct bpf_object *obj = NULL;
	int err;

	err = fixture__setup(&fx);
	CHECK(!err, "set up a private namespace with veths, a bridge and the shared maps (%s)",
	      strerror(-err));
	if (err)
		return check_exit();
	prog = harness_load(&fx.maps, PIPELINE_OBJ, &obj);
	CHECK(prog >= 0, "load %s with the shared maps", PIPELINE_OBJ);
	if (prog >= 0) {
		test_rules();
		test_check_ipv4();
		test_check_ipv6();
		test_check_arp();
		test_check_mtu();
	}
	bpf_object__close(obj);
	tna_maps__close(&fx.maps);
	return check_exit();
}
