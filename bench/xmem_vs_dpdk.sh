#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The verified loop on external memory (--mem xmem: allocated, registered
# and DMA-mapped by iovaloop) against the loop on DPDK's own memory, and
# 2 MiB against 1 GiB pages, in one run, on the virtual port pair.
#
#   bench/xmem_vs_dpdk.sh [BUILD_DIR]     (root, hugepages reserved)
#
# Two working sets: "small" (64-byte frames, 64 in flight: all in L1, the
# memory's origin should not matter) and "large" (1514-byte frames, 1024
# in flight per lane and 2048-descriptor rings: megabytes of buffers,
# where TLB reach, hence page size, can show). Median of ROUNDS runs of
# SECS seconds, the variants alternating.
set -euo pipefail
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-3}
IOVALOOP=$BUILD/app/iovaloop/iovaloop
EAL="-l 0-1 -n 1 --no-pci --in-memory --log-level=lib.eal:warning"
OUT=$BUILD/bench
mkdir -p "$OUT"
. "$(dirname "$0")/lib.sh"

variants="dpdk xmem-2M"
# 1 GiB pages only where the host has some free (DPDK may take one too).
if [ "$(cat /sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages 2>/dev/null || echo 0)" -ge 2 ]; then
	variants="$variants xmem-1G"
else
	echo "note: fewer than 2 free 1 GiB hugepages: 1G variant skipped"
fi
mem_opts() {
	case $1 in
	dpdk) echo "--mem dpdk" ;;
	xmem-2M) echo "--mem xmem --page-size 2M --xmem-size 128M" ;;
	xmem-1G) echo "--mem xmem --page-size 1G --xmem-size 1G" ;;
	esac
}
set_opts() {
	case $1 in
	small) echo "--pkt-size 64 --inflight 64" ;;
	large) echo "--pkt-size 1514 --inflight 1024 --rxd 2048 --txd 2048" ;;
	esac
}

declare -A runs
for round in $(seq "$ROUNDS"); do
	for set in small large; do
		for v in $variants; do
			runs[$set-$v]+=" $(iovaloop_mpps "xmem-$set-$v" $(set_opts $set) $(mem_opts $v))"
		done
	done
	echo "round $round/$ROUNDS done"
done

{
	echo "verified loop (--verify full) on the virtual pair, median of $ROUNDS x $SECS s (Mpps, both ports)"
	for set in small large; do
		base=$(median ${runs[$set-dpdk]})
		echo "  $set ($(set_opts $set))"
		for v in $variants; do
			m=$(median ${runs[$set-$v]})
			python3 -c "print(f'    {\"$v\":8s} {$m:10.3f}   {$m / $base if $base else 0:5.2f}x dpdk memory')"
		done
	done
} | tee "$OUT/xmem_vs_dpdk.txt"
