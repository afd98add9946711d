#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Verification at memory speed: iovaloop --verify full and --verify header
# against glibc memcpy() of the same bytes over a pool the size of
# iovaloop's working set (bench/memcpy_ref), per frame size, and at 64 B
# against dpdk-testpmd macswap and io, in one run on the same cores
# (-l 0-1: main lcore 0, one forwarding lcore 1) and the same virtual pair.
#
#   bench/verify_speed.sh [BUILD_DIR]     (root, hugepages reserved)
#
# Environment: ROUNDS (3) runs of SECS (5) seconds a measurement, the
# programs alternating, median reported; SIZES (frame sizes without FCS);
# INFLIGHT_64 (64 = 2 x BURST, as testpmd --tx-first) frames in flight per
# lane at 64 B, INFLIGHT_LARGE (1024, with 2048-descriptor rings) above;
# BURST (32). memcpy_ref copies over 2 x the frames in flight per lane of
# buffers the size of iovaloop's mbufs (2 KiB, or the frame + 32 rounded up
# to 1 KiB when larger), on core 1.
#
# Goals, printed beside the figures:
#   1514 B --verify full  >= 0.8x memcpy
#   64 B   --verify full  >= 0.5x testpmd macswap
#   64 B   --verify none  >= 1.0x testpmd io
#
# Writes BUILD_DIR/bench/verify_speed.txt (the table), verify_speed.csv
# (one row per program and size, the plot program's --sweep input),
# verify_speed_runs.csv (every run), verify_speed-sweep.png and
# verify_speed_floor.txt (bench/payload_ref per size: memcpy and the payload
# variants' read, write and fused pass alone, over the same pool, in buffer
# order and shuffled).
set -euo pipefail
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
BURST=${BURST:-32}
# Jumbo sizes too (--pkt-size up to 9000, one mbuf a frame); sizes a port
# refuses are reported as such.
SIZES=${SIZES:-64 128 256 512 1024 1514 2048 4096 9000}
INFLIGHT_64=${INFLIGHT_64:-$((2 * BURST))}
INFLIGHT_LARGE=${INFLIGHT_LARGE:-1024}
HERE=$(cd "$(dirname "$0")" && pwd)
IOVALOOP=$BUILD/app/iovaloop/iovaloop
MEMCPY=$BUILD/bench/memcpy_ref
PAYLOAD=$BUILD/bench/payload_ref
TESTPMD=${TESTPMD:-dpdk-testpmd}
PLOT=${PLOT:-$HERE/../usertools/iovaloop-plot.py}   # run as is: #!/usr/bin/python3, Debian's matplotlib
EAL="-l 0-1 -n 1 --no-pci --in-memory --log-level=lib.eal:warning"
OUT=$BUILD/bench
mkdir -p "$OUT"
. "$HERE/lib.sh"
for f in "$IOVALOOP" "$MEMCPY" "$PAYLOAD"; do
	[ -x "$f" ] || { echo "verify_speed: $f missing: build first (ninja -C $BUILD)" >&2; exit 1; }
done

RUNS=$OUT/verify_speed_runs.csv
echo "program,size,inflight,round,mpps,gbps_l2,cycles_per_frame,tsc_hz,payload_variant,status" >"$RUNS"
TSC_HZ=

inflight_for() { if [ "$1" -le 64 ]; then echo "$INFLIGHT_64"; else echo "$INFLIGHT_LARGE"; fi; }
rings_for() {
	local d=$((2 * $1))
	[ "$d" -lt 1024 ] && d=1024
	echo "--rxd $d --txd $d"
}

# iovaloop --verify V at SIZE: one row of $RUNS from its JSON report.
run_iovaloop() {
	local v=$1 size=$2 round=$3 inflight log rc=0
	inflight=$(inflight_for "$size")
	log=vs-iovaloop-$v-$size-$round
	"$IOVALOOP" $EAL -- --duration "$SECS" --stats-period 0 --json "$OUT/$log.json" \
		--verify "$v" --burst "$BURST" --pkt-size "$size" --inflight "$inflight" \
		$(rings_for "$inflight") >"$OUT/$log.log" 2>&1 || rc=$?
	python3 - "$OUT/$log.json" "$OUT/$log.log" "$rc" "$v" "$size" "$inflight" "$round" \
		>>"$RUNS" <<'PY'
import json, sys
path, log, rc, v, size, inflight, rnd = sys.argv[1:]
row = f"iovaloop-{v},{size},{inflight},{rnd}"
if rc not in ("0", "1"):
    lines = [l.strip() for l in open(log) if l.strip().startswith("iovaloop:")]
    why = (lines[-1] if lines else f"exit {rc}").replace(",", ";")
    print(f"{row},,,,,,refused: {why}")
    sys.exit()
r = json.load(open(path))
cores = r.get("cores") or [{}]
variant = r.get("config", {}).get("payload_variant", "n/a")
status = "ok" if r.get("result") == "pass" else "fail: " + r.get("result_text", "").replace(",", ";")
print(f"{row},{r['totals']['mpps']},{r['totals']['gbps_l2']},"
      f"{cores[0].get('cycles_per_packet', '')},{r['tsc_hz']},{variant},{status}")
PY
	[ -n "$TSC_HZ" ] || TSC_HZ=$(python3 -c "import json; print(json.load(open('$OUT/$log.json'))['tsc_hz'])" 2>/dev/null || true)
}

# iovaloop's default mbuf size at SIZE: 2 KiB, or SIZE + 32 rounded up to 1 KiB.
buf_for() { local b=$(( ($1 + 32 + 1023) / 1024 * 1024 )); [ "$b" -lt 2048 ] && b=2048; echo "$b"; }

# memcpy_ref at SIZE over 2 x the frames in flight per lane.
run_memcpy() {
	local size=$1 round=$2 inflight line
	inflight=$(inflight_for "$size")
	line=$("$MEMCPY" --size "$size" --buffers $((2 * inflight)) --buf-size "$(buf_for "$size")" \
		--secs "$SECS" --core 1 \
		${TSC_HZ:+--tsc-hz "$TSC_HZ"}) || { echo "memcpy,$size,$inflight,$round,,,,,,failed" >>"$RUNS"; return; }
	python3 - "$size" "$inflight" "$round" "$line" >>"$RUNS" <<'PY'
import sys
size, inflight, rnd, line = sys.argv[1:]
kv = dict(f.split("=", 1) for f in line.split())
mpps = float(kv["mcopies_per_s"])
print(f"memcpy,{size},{inflight},{rnd},{mpps},{mpps * int(size) * 8 / 1e3},"
      f"{kv['cycles_per_copy']},{kv['tsc_hz']},n/a,ok (hugepages {kv['hugepages']})")
PY
}

# testpmd MODE at 64 B (--tx-first: 2 x BURST in flight); cycles/frame
# derived: TSC Hz / frames per second of its one forwarding core.
run_testpmd() {
	local mode=$1 round=$2 mpps
	mpps=$(testpmd_mpps "$mode" 64)
	python3 - "$mode" "$round" "$mpps" "${TSC_HZ:-0}" "$((2 * BURST))" >>"$RUNS" <<'PY'
import sys
mode, rnd, mpps, hz, inflight = sys.argv[1:]
mpps, hz = float(mpps), int(hz)
if mpps <= 0:
    print(f"testpmd-{mode},64,{inflight},{rnd},,,,,n/a,failed")
else:
    cyc = f"{hz / (mpps * 1e6):.3f}" if hz else ""
    print(f"testpmd-{mode},64,{inflight},{rnd},{mpps},{mpps * 64 * 8 / 1e3},{cyc},{hz},n/a,ok")
PY
}

for round in $(seq "$ROUNDS"); do
	for size in $SIZES; do
		run_iovaloop full "$size" "$round"
		run_iovaloop header "$size" "$round"
		run_memcpy "$size" "$round"
		if [ "$size" -eq 64 ]; then
			run_iovaloop none 64 "$round"
			run_testpmd io "$round"
			run_testpmd macswap "$round"
		fi
	done
	echo "round $round/$ROUNDS done"
done

python3 - "$RUNS" "$OUT/verify_speed.csv" "$ROUNDS" "$SECS" "$BURST" <<'PY' | tee "$OUT/verify_speed.txt"
import csv, statistics, sys
runs_path, csv_path, rounds, secs, burst = sys.argv[1:]
runs = list(csv.DictReader(open(runs_path)))
NAMES = {"memcpy": "glibc memcpy", "iovaloop-full": "iovaloop --verify full",
         "iovaloop-header": "iovaloop --verify header", "iovaloop-none": "iovaloop --verify none",
         "testpmd-io": "testpmd io", "testpmd-macswap": "testpmd macswap"}
GOALS = {("iovaloop-full", 1514): ("memcpy", 0.8), ("iovaloop-full", 64): ("testpmd-macswap", 0.5),
         ("iovaloop-none", 64): ("testpmd-io", 1.0)}
sizes, rows = [], {}
for r in runs:
    size = int(r["size"])
    if size not in sizes:
        sizes.append(size)
    rows.setdefault((r["program"], size), []).append(r)

def med(rs, key):
    xs = [float(r[key]) for r in rs if r["status"].startswith("ok") and r[key] != ""]
    return statistics.median(xs) if xs else None

summary = {}
for (prog, size), rs in rows.items():
    ok = [r for r in rs if r["status"].startswith("ok")]
    summary[(prog, size)] = {
        "mpps": med(rs, "mpps"), "gbps_l2": med(rs, "gbps_l2"),
        "cycles": med(rs, "cycles_per_frame"), "inflight": rs[0]["inflight"],
        "runs": len(ok), "status": "ok" if len(ok) == len(rs) else
            next(r["status"] for r in rs if not r["status"].startswith("ok")),
        "variant": ",".join(sorted({r["payload_variant"] for r in rs if r["payload_variant"]})) or "n/a"}

variants = sorted({s["variant"] for (p, _), s in summary.items() if p.startswith("iovaloop")} - {"n/a"})
print(f"verification at memory speed: virtual pair, 1 forwarding core (lcore 1), burst {burst}, "
      f"median of {rounds} x {secs} s, Mpps of both ports")
print(f"payload variant: {', '.join(variants) if variants else 'n/a'}")

def ratio(a, b):
    return a / b if a is not None and b else None

fmt = lambda x, spec: format(x, spec) if x is not None else "-"
out = []
for size in sizes:
    mc = summary.get(("memcpy", size), {}).get("mpps")
    infl = summary.get(("iovaloop-full", size), summary.get(("memcpy", size)))["inflight"]
    print(f"\n{size} B frames, {infl} in flight per lane, memcpy over {2 * int(infl)} x "
          f"{max((size + 32 + 1023) // 1024 * 1024, 2048)} B buffers")
    print(f"  {'':26s} {'Mpps':>9s} {'Gb/s L2':>9s} {'cyc/frame':>9s} {'x memcpy':>9s}  reference / goal")
    for prog in NAMES:
        s = summary.get((prog, size))
        if s is None:
            continue
        note = ""
        if s["mpps"] is None:
            note = s["status"]
        for ref in ("testpmd-macswap", "testpmd-io"):
            if prog.startswith("iovaloop") and (ref, size) in summary and s["mpps"] is not None:
                x = ratio(s["mpps"], summary[(ref, size)]["mpps"])
                note += f"{fmt(x, '.2f')}x {NAMES[ref]}  "
        goal = GOALS.get((prog, size))
        if goal:
            ref = mc if goal[0] == "memcpy" else summary.get((goal[0], size), {}).get("mpps")
            x = ratio(s["mpps"], ref)
            met = "n/a" if x is None else ("met" if x >= goal[1] else "not met")
            note += f"[goal >= {goal[1]}x {NAMES[goal[0]]}: {met}]"
        cyc = fmt(s["cycles"], ".2f") + ("*" if prog.startswith("testpmd") and s["cycles"] else " ")
        rm = ratio(s["mpps"], mc) if prog != "memcpy" else None
        print(f"  {NAMES[prog]:26s} {fmt(s['mpps'], '.3f'):>9s} {fmt(s['gbps_l2'], '.3f'):>9s} {cyc:>10s}"
              f"{fmt(rm, '.2f'):>9s}  {note}".rstrip())
        out.append({"size": size, "program": prog, "inflight": s["inflight"],
                    "mpps": fmt(s["mpps"], ".4f") if s["mpps"] is not None else "",
                    "gbps_l2": fmt(s["gbps_l2"], ".4f") if s["gbps_l2"] is not None else "",
                    "cycles_per_frame": fmt(s["cycles"], ".3f") if s["cycles"] is not None else "",
                    "ratio_memcpy": fmt(ratio(s["mpps"], mc), ".4f") if prog != "memcpy" and ratio(s["mpps"], mc) else "",
                    "runs": s["runs"], "payload_variant": s["variant"], "status": s["status"]})
print("\ncycles/frame: iovaloop's cores[].cycles_per_packet, memcpy_ref's TSC cycles per copy;"
      "\n* testpmd: TSC Hz / frames per second of its one forwarding core")
with open(csv_path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(out[0].keys()))
    w.writeheader()
    w.writerows(out)
PY
echo "table: $OUT/verify_speed.txt, $OUT/verify_speed.csv"

# The payload pass outside the loop, over memcpy_ref's pool: what the
# verification of a size cannot go below (bench/payload_ref).
FLOOR=$OUT/verify_speed_floor.txt
# In buffer order (memcpy_ref's) and in a shuffled one (the loop's frames
# do not circulate in address order).
for size in $SIZES; do
	for order in seq random; do
		"$PAYLOAD" --size "$size" --buffers $((2 * $(inflight_for "$size"))) \
			--buf-size "$(buf_for "$size")" --order "$order" --batches 200 ||
			echo "size=$size: payload_ref refused it"
	done
done >"$FLOOR"
echo "payload pass alone, cycles/frame (min p10 median of batches), $FLOOR:"
awk '{ printf "  %-14s %-10s %-10s %-12s %s %s %s\n", $1, $2, $3, $11, $6, $7, $8 }' "$FLOOR"
if "$PLOT" --sweep "$OUT/verify_speed.csv" --output-dir "$OUT" --prefix verify_speed-; then :; else
	echo "verify_speed: no figure (the plot program failed, see above)" >&2
fi
