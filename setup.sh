#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up a Debian 12 machine for iovaloop (as root) and run it:
#
#   ./setup.sh run     install what is missing, reserve hugepages, build,
#                      run the default verified loop
#   ./setup.sh test    the same set-up, then every test (suites fast, compat, vm)
#   ./setup.sh build   the set-up and the build only
#
# Each step is skipped when already done, so running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")"

BUILD=${IOL_BUILD_DIR:-build}
# 2 MiB hugepages to have free: the tests run two DPDK processes at once.
HUGEPAGES_2M=${IOL_HUGEPAGES_2M:-1024}
# 1 GiB pages, best effort: the xmem tests and benchmark compare page sizes.
HUGEPAGES_1G=${IOL_HUGEPAGES_1G:-2}
PACKAGES="gcc pkg-config meson ninja-build python3 iproute2 dpdk dpdk-dev
	libdpdk-dev libnuma-dev libhugetlbfs-dev clang libclang-rt-14-dev debootstrap
	python3-matplotlib tcpdump"

say() { echo "setup: $*"; }

install_packages() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# Raise the pool of SIZE_KB pages so that WANT are free; never lower it.
reserve() {
	local size_kb=$1 want=$2 dir total free
	dir=/sys/kernel/mm/hugepages/hugepages-${size_kb}kB
	[ -d "$dir" ] || return 0
	total=$(cat "$dir/nr_hugepages")
	free=$(cat "$dir/free_hugepages")
	[ "$free" -ge "$want" ] && return 0
	# The kernel may compact memory for a while to find them: say so first.
	say "reserving $((want - free)) more $size_kb kB hugepages (the kernel may take a while)"
	echo $((total + want - free)) >"$dir/nr_hugepages" 2>/dev/null || true
	say "$size_kb kB hugepages: $(cat "$dir/free_hugepages") free of $(cat "$dir/nr_hugepages")"
}

reserve_hugepages() {
	reserve 2048 "$HUGEPAGES_2M"
	reserve 1048576 "$HUGEPAGES_1G"
	if [ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" -lt 64 ]; then
		echo "setup: fewer than 64 free 2 MiB hugepages; free some memory" >&2
		exit 1
	fi
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
}

build() {
	[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" >/dev/null
	ninja -C "$BUILD" >/dev/null
	say "built $BUILD/app/iovaloop/iovaloop and $BUILD/app/iovaloop-info/iovaloop-info"
}

# meson's per-test results, as the one line CI reads.
summary() {
	python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    counts[r if r in ("OK", "SKIP") else "FAIL"] += 1
print(f"{counts['OK']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
PY
}

case "${1:-}" in
run|test|build) ;;
*) echo "usage: $0 run|test|build" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "setup: run as root (apt-get, hugepages, DPDK)" >&2
	exit 2
fi
install_packages
reserve_hugepages
build

case "$1" in
run)
	# No device given: iovaloop loops over a virtual port pair it makes.
	# --no-pci: the EAL must not probe (or even look at) the machine's own
	# PCI devices for a job that uses none.
	exec "$BUILD/app/iovaloop/iovaloop" -l 0-1 --no-pci --in-memory -- \
		--duration 10 --json "$BUILD/iovaloop-report.json"
	;;
test)
	status=0
	meson test -C "$BUILD" --suite fast --suite compat --suite vm --num-processes 2 \
		--print-errorlogs || status=$?
	summary
	exit $status
	;;
esac
