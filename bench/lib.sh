# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by the benchmarks (sourced, not run).

# iovaloop on its own cross-connected virtual pair with the given options;
# prints totals.mpps of its JSON report. LOG names the output files.
# Uses $IOVALOOP, $EAL, $OUT, $SECS.
iovaloop_mpps() {
	local log=$1; shift
	"$IOVALOOP" $EAL -- --duration "$SECS" --stats-period 0 \
		--json "$OUT/$log.json" "$@" >"$OUT/$log.log" 2>&1 || {
		echo "iovaloop $* failed, see $OUT/$log.log" >&2
		echo 0
		return
	}
	python3 -c "import json; r = json.load(open('$OUT/$log.json')); \
print(f\"{r['totals']['mpps']:.3f}\")"
}

# Median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# testpmd on two net_ring vdevs (each loops to itself; testpmd forwards
# 0 -> 1 -> 0) in forwarding mode MODE with --tx-first (one burst on each
# port in flight), frames of SIZE bytes (64): prints per-port Rx-pps every
# second; prints the median of the per-second sums, skipping the first, in
# Mpps. The log is $OUT/testpmd-MODE.log.
# Uses $TESTPMD, $EAL, $OUT, $SECS, $BURST.
testpmd_mpps() {
	local mode=$1 size=${2:-64}
	timeout -s INT $((SECS + 2)) $TESTPMD $EAL --vdev net_ring0 --vdev net_ring1 -- \
		--forward-mode="$mode" --tx-first --stats-period 1 --nb-cores=1 \
		--burst="$BURST" --txpkts="$size" >"$OUT/testpmd-$mode.log" 2>&1 || true
	python3 - "$OUT/testpmd-$mode.log" <<'PY'
import re, statistics, sys
pps = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", open(sys.argv[1]).read())]
sums = [pps[i] + pps[i + 1] for i in range(0, len(pps) - 1, 2)][1:]
print(f"{statistics.median(sums) / 1e6:.3f}" if sums else "0")
PY
}
