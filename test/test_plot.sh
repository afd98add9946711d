#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# usertools/iovaloop-plot.py on real reports: two short runs of iovaloop on
# its virtual pair (--stats-period 0.5 --json) drawn alone and overlaid,
# a verify-speed CSV (--sweep), and bad input: not JSON, JSON of something
# else, a format-1 report, another format version, a missing file, a CSV
# without the sweep's columns, a bad option: each exit 2, one line naming
# the file (argparse's usage for the option).
#
#   test_plot.sh BUILD/app/iovaloop/iovaloop usertools/iovaloop-plot.py
set -u
B=$1
PLOT=$2
T=$(mktemp -d /tmp/iol-plot.XXXXXX)
trap 'rm -rf "$T"' EXIT
EAL="-l 0-1 --no-pci --in-memory --log-level=lib.eal:warning"
. "$(dirname "$0")/lib.sh"

# The plot program runs on Debian's python3 with python3-matplotlib.
if ! /usr/bin/python3 -c "import matplotlib" 2>"$T/err"; then
	echo "FAIL matplotlib is missing for /usr/bin/python3: apt-get install python3-matplotlib (./setup.sh installs it)"
	exit 1
fi

# png FILE MIN_BYTES: FILE is a PNG (signature, IHDR) of a real size.
png() {
	if /usr/bin/python3 - "$1" "$2" <<'PY'
import os, struct, sys
path, least = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
assert data[12:16] == b"IHDR", "no IHDR chunk"
w, h = struct.unpack(">II", data[16:24])
assert w >= 300 and h >= 200, f"{w}x{h}"
assert len(data) >= least, f"{len(data)} bytes"
assert data[-8:-4] == b"IEND", "no IEND chunk"
PY
	then ok "$1 is a PNG ($(wc -c <"$1") bytes)"; else ko "$1 is not a valid PNG"; fi
}

# refused FILE WHAT ARGS...: the program exits 2 with one line on stderr
# naming FILE and saying WHAT, and draws nothing.
refused() {
	file=$1 what=$2; shift 2
	rm -rf "$T/bad"
	"$PLOT" "$@" -o "$T/bad" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -F -- "$file: " "$T/err" &&
	   grep -q -F -- "$what" "$T/err" && [ ! -e "$T/bad" ]; then
		ok "refuses $(basename "$file"): $(cat "$T/err")"
	else
		ko "refuses $file with '$what' (exit $got, want 2 and one line)"
	fi
}

# Two real reports: --verify full and --verify header, 2 s each.
for v in full header; do
	if $B $EAL -- --duration 2 --stats-period 0.5 --verify $v --json "$T/$v.json" \
		>"$T/run-$v.log" 2>"$T/err"; then
		ok "iovaloop --verify $v ran"
	else
		ko "iovaloop --verify $v (see its log)"; tail -5 "$T/run-$v.log"
	fi
done
if python3 -c "import json, sys; r = json.load(open('$T/full.json'));
sys.exit(0 if r.get('format') == 'iovaloop-report' and r.get('format_version') == 2
    and r['latency_ns'].get('buckets') and len(r.get('timeline', [])) >= 2
    and 'payload_variant' in r['config'] else 1)" 2>"$T/err"; then
	ok "the report has format 2's fields (buckets, timeline, payload_variant)"
else
	ko "the report lacks format 2's fields: format, format_version 2, latency_ns.buckets, timeline, config.payload_variant"
fi

# One report: the three figures.
if "$PLOT" --json "$T/full.json" -o "$T/one" >"$T/out" 2>"$T/err"; then
	ok "plot one report"
else
	ko "plot one report (exit $?)"
fi
for f in latency timeline queues; do png "$T/one/iovaloop-$f.png" 10000; done

# Two reports overlaid: each figure says so and differs from the single one.
if "$PLOT" --json "$T/full.json" --json "$T/header.json" -o "$T/two" --prefix two- \
	>"$T/out" 2>"$T/err" && [ "$(grep -c '(2 reports)' "$T/out")" = 3 ]; then
	ok "plot two reports overlaid"
else
	ko "plot two reports overlaid"; cat "$T/out"
fi
for f in latency timeline queues; do
	png "$T/two/two-$f.png" 10000
	if ! cmp -s "$T/one/iovaloop-$f.png" "$T/two/two-$f.png"; then
		ok "overlaid $f differs from one report's"
	else
		ko "overlaid $f is the same as one report's"
	fi
done

# --only, and a run without a timeline (--stats-period 0) noted, not refused.
python3 -c "import json; r = json.load(open('$T/full.json')); r['timeline'] = [];
json.dump(r, open('$T/notl.json', 'w'))"
if "$PLOT" --json "$T/notl.json" --only timeline --only latency -o "$T/only" >"$T/out" 2>"$T/err" &&
   [ -f "$T/only/iovaloop-latency.png" ] && [ ! -e "$T/only/iovaloop-timeline.png" ] &&
   [ ! -e "$T/only/iovaloop-queues.png" ] && grep -q "no timeline" "$T/err"; then
	ok "--only, and a report without a timeline is noted"
else
	ko "--only / no timeline"
fi

# The verify-speed sweep from a small CSV as bench/verify_speed.sh writes it.
cat >"$T/sweep.csv" <<'EOF'
size,program,inflight,mpps,gbps_l2,cycles_per_frame,ratio_memcpy,runs,payload_variant,status
64,memcpy,64,200.0,102.4,12.0,,1,n/a,ok
64,iovaloop-full,64,100.0,51.2,24.0,0.5,1,scalar,ok
64,testpmd-macswap,64,600.0,307.2,4.0,3.0,1,n/a,ok
1514,memcpy,1024,15.0,181.68,160.0,,1,n/a,ok
1514,iovaloop-full,1024,12.0,145.34,200.0,0.8,1,scalar,ok
1514,iovaloop-header,1024,30.0,363.36,80.0,2.0,1,scalar,ok
2048,memcpy,1024,12.0,196.6,200.0,,1,n/a,ok
2048,iovaloop-full,1024,,,,,0,n/a,refused: over the MTU
EOF
if "$PLOT" --sweep "$T/sweep.csv" -o "$T/sw" >"$T/out" 2>"$T/err"; then
	ok "plot --sweep"
else
	ko "plot --sweep (exit $?)"
fi
png "$T/sw/iovaloop-sweep.png" 10000

# Bad input.
echo "not json {" >"$T/notjson.json"
echo '{"name": "something else", "items": [1, 2]}' >"$T/other.json"
python3 -c "import json; r = json.load(open('$T/full.json'));
del r['format'], r['format_version']; json.dump(r, open('$T/format1.json', 'w'))
r = json.load(open('$T/full.json')); r['format_version'] = 3; json.dump(r, open('$T/format3.json', 'w'))"
printf 'a,b\n1,2\n' >"$T/notsweep.csv"
refused "$T/notjson.json" "not JSON" --json "$T/notjson.json"
refused "$T/other.json" "not an iovaloop report" --json "$T/other.json"
refused "$T/format1.json" "from an older iovaloop (format 1)" --json "$T/format1.json"
refused "$T/format3.json" "format version 3" --json "$T/format3.json"
refused "$T/missing.json" "cannot read" --json "$T/missing.json"
refused "$T/format1.json" "format 1" --json "$T/full.json" --json "$T/format1.json"
refused "$T/notsweep.csv" "not a verify-speed CSV" --sweep "$T/notsweep.csv"
"$PLOT" --json "$T/full.json" --no-such-option >"$T/out" 2>"$T/err"; got=$?
if [ "$got" = 2 ] && grep -q "no-such-option" "$T/err"; then ok "bad option: exit 2"; else ko "bad option (exit $got)"; fi
"$PLOT" >"$T/out" 2>"$T/err"; got=$?
if [ "$got" = 2 ]; then ok "nothing to draw: exit 2"; else ko "nothing to draw (exit $got)"; fi
if "$PLOT" --help >"$T/out" 2>"$T/err" && grep -q -- "--sweep" "$T/out"; then
	ok "--help"
else
	ko "--help"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
