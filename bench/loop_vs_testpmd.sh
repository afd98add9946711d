#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# iovaloop against dpdk-testpmd on the same virtual port pair, in one run:
# same cores (-l 0-1: main on 0, one forwarding core on 1), same burst,
# same number of frames in flight (testpmd --tx-first puts one burst on
# each port: 2 x burst; iovaloop --inflight 2 x burst), 64-byte frames.
#
#   bench/loop_vs_testpmd.sh [BUILD_DIR]     (root, hugepages reserved)
#
# Pairs compared (goal in brackets):
#   iovaloop --verify none   vs testpmd io       [>= 1.0x]
#   iovaloop --verify full   vs testpmd macswap  [>= 0.8x]  (both touch every frame)
# Each measurement is the median of ROUNDS runs of SECS seconds, the
# programs alternating so that both see the same machine. Mpps is all
# frames received on both ports per second.
set -euo pipefail
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
BURST=${BURST:-32}
IOVALOOP=$BUILD/app/iovaloop/iovaloop
TESTPMD=${TESTPMD:-dpdk-testpmd}
EAL="-l 0-1 -n 1 --no-pci --in-memory --log-level=lib.eal:warning"
OUT=$BUILD/bench
mkdir -p "$OUT"
. "$(dirname "$0")/lib.sh"

declare -A runs
for round in $(seq "$ROUNDS"); do
	for m in io macswap; do runs[testpmd_$m]+=" $(testpmd_mpps $m)"; done
	for v in none full; do
		runs[iovaloop_$v]+=" $(iovaloop_mpps iovaloop-$v --verify $v --burst "$BURST" \
			--inflight $((2 * BURST)) --pkt-size 64)"
	done
	echo "round $round/$ROUNDS:" \
		"testpmd io ${runs[testpmd_io]##* } macswap ${runs[testpmd_macswap]##* }" \
		"iovaloop none ${runs[iovaloop_none]##* } full ${runs[iovaloop_full]##* }"
done

io=$(median ${runs[testpmd_io]})
macswap=$(median ${runs[testpmd_macswap]})
none=$(median ${runs[iovaloop_none]})
full=$(median ${runs[iovaloop_full]})
python3 - "$io" "$macswap" "$none" "$full" "$BURST" "$SECS" "$ROUNDS" <<'PY' | tee "$OUT/loop_vs_testpmd.txt"
import sys
io, macswap, none, full = map(float, sys.argv[1:5])
burst, secs, rounds = sys.argv[5:8]
print(f"virtual pair, 64-byte frames, burst {burst}, {2 * int(burst)} in flight, "
      f"1 forwarding core, median of {rounds} x {secs} s (Mpps, both ports)")
print(f"  testpmd  io             {io:10.3f}")
print(f"  testpmd  macswap        {macswap:10.3f}")
print(f"  iovaloop --verify none  {none:10.3f}   {none / io:5.2f}x testpmd io       (goal >= 1.0x)")
print(f"  iovaloop --verify full  {full:10.3f}   {full / macswap:5.2f}x testpmd macswap  (goal >= 0.8x)")
PY
