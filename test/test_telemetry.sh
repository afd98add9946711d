#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# iovaloop's telemetry commands, read through DPDK's telemetry socket
# while a run goes on, as dpdk-telemetry.py reads them: every command's
# fields, counters as ordered as the live line's (never more verified than
# received), DPDK's error reply (null) for an unknown command, for
# parameters a command does not take and for a port that is not there.
#
#   test_telemetry.sh BUILD/app/iovaloop/iovaloop
set -u
B=$1
PREFIX=ioltel$$
T=$(mktemp -d /tmp/iol-tel.XXXXXX) || exit 1
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
$B -l 0-1 --no-pci --file-prefix=$PREFIX --log-level=lib.eal:warning -- \
	--duration 0 --stats-period 0.5 >"$T/out" 2>&1 &
pid=$!
python3 - "/var/run/dpdk/$PREFIX/dpdk_telemetry.v2" "$pid" <<'PY'
import json, os, socket, sys, time

path, pid = sys.argv[1], int(sys.argv[2])
passed = failed = 0

def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + ok, failed + (not ok)

# The socket appears once the EAL is up; the run attaches a little later.
s = None
for _ in range(300):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        break
    except OSError:
        s = None
        time.sleep(0.1)
if s is None:
    check(False, "telemetry socket %s" % path)
    sys.exit(1)
info = json.loads(s.recv(16384))
check("version" in info and info.get("pid") == pid, "connected to iovaloop's own socket")

def ask(cmd):
    s.send(cmd.encode())
    return json.loads(s.recv(1 << 16))[cmd.split(",")[0]]

for _ in range(100):
    st = ask("/iovaloop/stats")
    if st and st["rx_packets"] > 0 and st.get("period_end_ms", 0) > 0:
        break
    time.sleep(0.1)
check(st is not None and st["rx_packets"] > 0, "/iovaloop/stats while the run goes on")
classes = ["lost", "duplicated", "reordered", "stale", "corrupted", "truncated",
           "foreign", "misdelivered", "bad_iova"]
check(all(k in st for k in classes + ["verified", "tx_packets", "rx_pps", "ports"]),
      "totals, every error class, the last period's rate, the ports")
check(st["rx_pps"] > 0, "a rate over the last period (%d pps)" % st["rx_pps"])
check(len(st["port_rx_packets"]) == len(st["ports"]) == 2, "per port, in port order")
ordered = True
for _ in range(50):
    st = ask("/iovaloop/stats")
    ordered &= st["verified"] <= st["rx_packets"]
    ordered &= all(v <= r for v, r in zip(st["port_verified"], st["port_rx_packets"]))
check(ordered, "never more verified than received, as on the live line")
p = ask("/iovaloop/stats,%d" % st["ports"][0])
check(p is not None and p["port"] == st["ports"][0] and len(p["queue_rx_packets"]) == 1
      and len(p["queue_lcore"]) == 1 and p["queue_lcore"][0] == 1,
      "/iovaloop/stats,PORT: per queue, with the lcore polling it")
c = ask("/iovaloop/config")
check(c is not None and c["mode"] == "loop" and c["verify"] == "full" and c["pkt_size"] == 64
      and c["ports"] == st["ports"] and c["run_id"] != 0, "/iovaloop/config")
check(c["payload_variant"] in ("scalar", "sse4.1", "avx2", "avx512"), "payload variant named")
m = ask("/iovaloop/memory")
check(m is not None and m["ranges"] >= 1 and len(m["va"]) == len(m["iova"]) == len(m["len"]) ==
      m["ranges"] and all(l > 0 for l in m["len"]), "/iovaloop/memory: the audited ranges")
l = ask("/iovaloop/latency")
check(l is not None and l["count"] > 0 and l["min_ns"] <= l["p50_ns"] <= l["p99_ns"]
      <= l["p999_ns"] <= l["max_ns"], "/iovaloop/latency: ordered percentiles")
check(ask("/iovaloop/config,1") is None, "parameters a command does not take: null")
check(ask("/iovaloop/stats,x") is None and ask("/iovaloop/stats,99") is None,
      "a port that is not there: null")
check(ask("/iovaloop/nonsense") is None, "an unknown command: DPDK's null")
s.close()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
st=$?
kill -INT $pid
wait $pid
rc=$?
pid=
if [ $rc != 0 ]; then
	echo "FAIL iovaloop exit $rc"; tail -5 "$T/out"; exit 1
fi
[ ! -e "/var/run/dpdk/$PREFIX" ] || { echo "FAIL /var/run/dpdk/$PREFIX left behind"; exit 1; }
exit $st
