#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check an iovaloop JSON report (--json FILE) inside the lab VM.

check-report.py FILE [--result pass|fail] [--min-rx N] [--zero-errors]
                     [--min-lost N] [--diagnosis REGEX] [--kind dpdk|xmem]
                     [--iova-mode va|pa] [--all-verified] [--queues N]
                     [--print-mpps]
--kind and --iova-mode check memory.kind and memory.iova_mode: the memory
and IOVA mode the run really used, so a silent fallback fails the case.
--all-verified: every data frame received (rx_packets less end_frames) was
verified. --queues N: every port reports N queues, and each of them
received and verified frames with none misdelivered (RSS spread the flows
and iovaloop's prediction of each frame's queue held).
Prints a one-line summary and every failed check; exits 1 on any failure.
"""
import argparse
import json
import re
import sys

ERRORS = ("lost", "duplicated", "reordered", "stale", "corrupted", "truncated",
          "foreign", "misdelivered", "bad_iova")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--result")
    ap.add_argument("--min-rx", type=int)
    ap.add_argument("--zero-errors", action="store_true")
    ap.add_argument("--min-lost", type=int)
    ap.add_argument("--diagnosis")
    ap.add_argument("--kind", choices=("dpdk", "xmem"))
    ap.add_argument("--iova-mode", choices=("va", "pa"))
    ap.add_argument("--all-verified", action="store_true")
    ap.add_argument("--queues", type=int)
    ap.add_argument("--print-mpps", action="store_true")
    a = ap.parse_args()

    try:
        with open(a.file) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        if a.print_mpps:
            print("0")
        print("check: cannot read report %s: %s" % (a.file, e), file=sys.stderr)
        return 1

    tot = r.get("totals", {})
    err = r.get("errors", {})
    mem = r.get("memory", {})
    diag = r.get("diagnosis", []) or []
    if a.print_mpps:
        print("%.4f" % float(tot.get("mpps", 0) or 0))
        return 0

    print("check: result=%s rx=%s tx=%s verified=%s mpps=%s memory=%s/%s errors={%s}"
          % (r.get("result"), tot.get("rx_packets"), tot.get("tx_packets"),
             tot.get("verified"), tot.get("mpps"), mem.get("kind"),
             mem.get("iova_mode"),
             ", ".join("%s: %s" % (k, err.get(k)) for k in ERRORS)))
    for d in diag:
        print("check: diagnosis: %s" % d)
    print("check: %s" % r.get("result_text"))

    bad = []
    if a.result and r.get("result") != a.result:
        bad.append("result is %r, expected %r" % (r.get("result"), a.result))
    if a.min_rx is not None and int(tot.get("rx_packets", 0) or 0) < a.min_rx:
        bad.append("rx_packets %s < %d" % (tot.get("rx_packets"), a.min_rx))
    if a.zero_errors:
        for k in ERRORS:
            if int(err.get(k, 0) or 0) != 0:
                bad.append("errors.%s = %s" % (k, err.get(k)))
    if a.min_lost is not None and int(err.get("lost", 0) or 0) < a.min_lost:
        bad.append("errors.lost %s < %d" % (err.get("lost"), a.min_lost))
    if a.diagnosis and not any(re.search(a.diagnosis, d, re.I) for d in diag):
        bad.append("no diagnosis matches /%s/" % a.diagnosis)
    if a.kind and mem.get("kind") != a.kind:
        bad.append("memory.kind is %r, expected %r" % (mem.get("kind"), a.kind))
    if a.iova_mode and mem.get("iova_mode") != a.iova_mode:
        bad.append("memory.iova_mode is %r, expected %r"
                   % (mem.get("iova_mode"), a.iova_mode))
    if a.all_verified:
        data = int(tot.get("rx_packets", 0) or 0) - int(tot.get("end_frames", 0) or 0)
        if int(tot.get("verified", 0) or 0) != data:
            bad.append("verified %s != %d data frames received"
                       % (tot.get("verified"), data))
    if a.queues is not None:
        ports = r.get("ports", []) or []
        if not ports:
            bad.append("no ports in the report")
        for p in ports:
            qs = p.get("queues", []) or []
            print("check: port %s: %s" % (p.get("name"), ", ".join(
                "queue %s (lcore %s) rx %s verified %s misdelivered %s"
                % (q.get("queue"), q.get("lcore"), q.get("rx_packets"),
                   q.get("verified"), (q.get("errors") or {}).get("misdelivered"))
                for q in qs)))
            if len(qs) != a.queues:
                bad.append("port %s reports %d queues, expected %d"
                           % (p.get("name"), len(qs), a.queues))
            for q in qs:
                if int(q.get("verified", 0) or 0) == 0:
                    bad.append("port %s queue %s verified no frame"
                               % (p.get("name"), q.get("queue")))
                mis = int((q.get("errors") or {}).get("misdelivered", 0) or 0)
                if mis:
                    bad.append("port %s queue %s: %d misdelivered"
                               % (p.get("name"), q.get("queue"), mis))
    for b in bad:
        print("check: FAIL: %s" % b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
