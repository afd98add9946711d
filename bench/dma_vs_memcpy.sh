#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A DMA engine against CPU memcpy, in one run, per copy size from 64 B to
# 64 KiB: iovaloop --mode dma copies for SECS seconds through the engine,
# then for as long by memcpy over the same buffers, every copy verified
# either way (source written, destination checked: doc/dma.md), and
# reports both rates. Median of ROUNDS runs of each size.
#
#   bench/dma_vs_memcpy.sh [BUILD_DIR]        (hugepages reserved)
#
# ENGINE (default dma_skeleton, made by VDEV; its worker is a control
# thread, left unpinned: pinned with lcore=1 it ran 10x slower on this
# shared 2-core machine): any --dma the EAL options in EAL_EXTRA make
# available, e.g. ENGINE=0000:00:04.0-ch0 EAL_EXTRA="-a 0000:00:04.0" VDEV=
# for an IOAT channel.
set -euo pipefail
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-2}
ENGINE=${ENGINE:-dma_skeleton}
VDEV=${VDEV---vdev dma_skeleton}
IOVALOOP=$BUILD/app/iovaloop/iovaloop
# PCI devices only when EAL_EXTRA names some (-a BDF).
EAL="-l 0-1 -n 1 ${EAL_EXTRA:---no-pci} --in-memory --iova-mode=va --log-level=lib.eal:warning ${VDEV}"
OUT=$BUILD/bench
SIZES=${SIZES:-64 256 1024 4096 16384 65536}
mkdir -p "$OUT"
. "$(dirname "$0")/lib.sh"

# One run of copy size SIZE: prints "engine_gbps memcpy_gbps engine_copies_per_s".
dma_run() {
	local size=$1 log=$OUT/dma-$1
	"$IOVALOOP" $EAL -- --mode dma --dma "$ENGINE" --copy-size "$size" \
		--duration "$SECS" --stats-period 0 --json "$log.json" >"$log.log" 2>&1 || {
		echo "iovaloop --copy-size $size failed, see $log.log" >&2
		echo "0 0 0"
		return
	}
	python3 -c "import json; r = json.load(open('$log.json')); \
print(r['dma']['gbps'], r['memcpy']['gbps'], r['dma']['copies_per_s'])"
}

declare -A eng cpu cps
for round in $(seq "$ROUNDS"); do
	for s in $SIZES; do
		read -r e c n < <(dma_run "$s")
		eng[$s]+=" $e"; cpu[$s]+=" $c"; cps[$s]+=" $n"
	done
	echo "round $round/$ROUNDS done"
done

echo "$ENGINE against memcpy, verified copies, median of $ROUNDS x $SECS s"
echo "| copy size | $ENGINE GB/s | copies/s | memcpy GB/s | ratio |"
echo "|---:|---:|---:|---:|---:|"
for s in $SIZES; do
	e=$(median ${eng[$s]}) c=$(median ${cpu[$s]}) n=$(median ${cps[$s]})
	awk -v s="$s" -v e="$e" -v c="$c" -v n="$n" 'BEGIN {
		printf "| %d B | %.3f | %.0f | %.3f | %.2fx |\n", s, e, n, c, (c > 0 ? e / c : 0) }'
done
