#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Before and after on a shared machine: two iovaloop binaries, the same
# case, alternating, ROUNDS runs each, with the cycles per frame of the
# forwarding lcore counted two ways: wall (the report's cycles_per_packet:
# TSC over the run, preempted time included) and on-CPU (the worker
# thread's run time from /proc/PID/task/TID/schedstat, sampled until it
# exits, x TSC Hz / frames it forwarded: time another process held the
# core left out; time the hypervisor took is not visible and stays in).
#
#   bench/verify_ab.sh BIN_A BIN_B [SIZE [INFLIGHT [VERIFY]]]   (root, hugepages)
#
# Defaults: 1514 B, 1024 in flight, --verify full. Environment: ROUNDS (5),
# SECS (2), BURST (32). Prints each binary's runs, sorted, and the medians.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BIN_A BIN_B [SIZE [INFLIGHT [VERIFY]]]" >&2; exit 2; }
A=$1 B=$2 SIZE=${3:-1514} INFLIGHT=${4:-1024} VERIFY=${5:-full}
ROUNDS=${ROUNDS:-5} SECS=${SECS:-2} BURST=${BURST:-32}
for f in "$A" "$B"; do
	[ -x "$f" ] || { echo "verify_ab: $f is not an executable" >&2; exit 2; }
done
python3 - "$A" "$B" "$SIZE" "$INFLIGHT" "$VERIFY" "$ROUNDS" "$SECS" "$BURST" <<'PY'
import glob, json, os, statistics, subprocess, sys, tempfile, time
a, b, size, inflight, verify, rounds, secs, burst = sys.argv[1:]
rings = str(max(1024, 2 * int(inflight)))

def run(binary):
    js = tempfile.mktemp(suffix=".json")
    p = subprocess.Popen([binary, "-l", "0-1", "-n", "1", "--no-pci", "--in-memory",
        "--log-level=lib.eal:warning", "--", "--duration", secs, "--stats-period", "0",
        "--verify", verify, "--burst", burst, "--pkt-size", size, "--inflight", inflight,
        "--rxd", rings, "--txd", rings, "--json", js],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = 0
    while p.poll() is None:
        for t in glob.glob(f"/proc/{p.pid}/task/*"):
            try:
                if "worker" in open(t + "/comm").read():
                    worker = int(open(t + "/schedstat").read().split()[0])
            except OSError:
                pass
        time.sleep(0.05)
    try:
        r = json.load(open(js))
        os.unlink(js)
    except (OSError, ValueError):
        sys.exit(f"verify_ab: {binary} wrote no report (exit {p.returncode})")
    core = r["cores"][0]
    return core["cycles_per_packet"], worker * r["tsc_hz"] / 1e9 / core["packets"]

res = {a: [], b: []}
for _ in range(int(rounds)):
    for binary in (a, b):
        res[binary].append(run(binary))
print(f"{size} B, {inflight} in flight, --verify {verify}: {rounds} alternating runs of {secs} s")
for name, binary in (("A", a), ("B", b)):
    wall = sorted(x[0] for x in res[binary])
    cpu = sorted(x[1] for x in res[binary])
    print(f"{name} {binary}\n  on-CPU cycles/frame: median {statistics.median(cpu):.1f}  runs "
          + " ".join(f"{x:.1f}" for x in cpu)
          + f"\n  wall   cycles/frame: median {statistics.median(wall):.1f}  runs "
          + " ".join(f"{x:.1f}" for x in wall))
PY
