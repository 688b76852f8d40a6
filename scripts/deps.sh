#!/usr/bin/env bash
# Installs, non-interactively, the Debian packages that zstack-tna's build,
# tests, demo and benchmarks use. Does nothing when all are present.
set -euo pipefail

packages=(
	# build
	make gcc clang llvm libclang-rt-14-dev pkg-config libc6-dev linux-libc-dev
	libbpf-dev libmnl-dev libjansson-dev
	libelf-dev zlib1g-dev bpftool
	# tests, demo and benchmarks
	iproute2 nftables iptables iputils-ping socat curl wrk iperf3 graphviz
	jq python3 ethtool procps tcpdump gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root (or: apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
