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
