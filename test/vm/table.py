#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""table.py [WORK]: the family x case table of the last lab runs (markdown),
from WORK/run-FAMILY (default test/vm/work): result, case time, packets
verified (iovaloop's report), the IOMMU's fault lines in dmesg during the
case, and the trace oracle's counts; then each boot's times."""
import glob
import json
import os
import re
import sys

FAMILIES = ("vtd", "amdvi", "virtio-iommu", "smmuv3")


def timings(run):
    t = {}
    try:
        for line in open(os.path.join(run, "timings.txt")):
            k, _, v = line.strip().partition(" ")
            t[k] = v
    except OSError:
        pass
    return t


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "work")
    print("| family | case | result | seconds | packets verified | IOMMU faults | notes |")
    print("|--------|------|--------|--------:|-----------------:|-------------:|-------|")
    boots = []
    for fam in FAMILIES:
        run = os.path.join(work, "run-" + fam)
        if not os.path.isdir(run):
            continue
        t = timings(run)
        try:
            cases = open(os.path.join(run, "params.sh")).read()
            cases = re.search(r"IOL_CASES='([^']*)'", cases).group(1).split()
        except (OSError, AttributeError):
            continue
        for c in cases:
            res = os.path.join(run, "results", c)
            try:
                rc = open(res + ".rc").read().strip()
                r = "pass" if rc == "0" else "FAIL (%s)" % rc
            except OSError:
                r = "no result"
            ver = "-"
            lost_note = ""
            try:
                j = json.load(open(res + ".json"))
                ver = str(j.get("totals", {}).get("verified", "-"))
                if j.get("result") == "fail":
                    lost = j.get("errors", {}).get("lost")
                    lost_note = "result fail, lost %s" % lost
                else:
                    lost_note = ""
            except (OSError, ValueError):
                pass
            note = lost_note
            try:
                note = open(res + ".trace.txt").read().split(": ", 1)[1].strip()
                note = re.sub(r", map ranges.*", "", note)
            except (OSError, IndexError):
                pass
            print("| %s | %s | %s | %s | %s | %s | %s |" % (
                fam, c, r, t.get("case_%s_s" % c, "-"), ver,
                t.get("case_%s_faults" % c, "-"), note))
        boots.append((fam, t.get("guest_setup_done_s", "-"),
                      t.get("guest_uptime_end_s", "-"), t.get("boot_total_s", "-")))
    print()
    print("| family | guest set-up done (uptime s) | last case done (uptime s) | QEMU wall time s |")
    print("|--------|-----:|-----:|-----:|")
    for b in boots:
        print("| %s | %s | %s | %s |" % b)


if __name__ == "__main__":
    sys.exit(main())
