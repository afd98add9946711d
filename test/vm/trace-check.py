#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The lab's ground truth for IOVA -> physical (vtd family, trace cases).

trace-check.py --trace FILE [--range START END] --report JSON
               --pagemap DUMP --devices "BDF BDF" [--summary FILE]

FILE is QEMU's trace (-trace file=..., event vtd_dmar_translate, one line
per DMA translation: "dev 00:03.00 iova 0x... -> gpa 0x... mask 0x...");
START END the byte range of this case's trace window. JSON is iovaloop's
report (memory.ranges: va, iova, len; memory.kind; memory.iova_mode), DUMP
the guest's pagemap of iovaloop's hugepages while it ran (pagemap-dump.py).

For every translation by one of the devices (the NICs under test):
  - its IOVA page must lie inside the audited ranges (memory.ranges);
    with --mem xmem the map holds the external memory only (the buffers),
    while the descriptor rings stay in DPDK's memory: such a translation
    is accepted when it matches DPDK's own rule instead (IOVA = VA in VA
    mode, IOVA = physical in PA mode) and the pagemap, and is counted
    apart ("rings");
  - VA = range.va + (IOVA - range.iova) must be a page pagemap knows, and
    its physical address, masked like the translation, must be the
    translation's guest-physical page.
Prints the counts (translations checked, distinct pages, mismatches) and
exits 1 on any mismatch, on a translation outside the map with --mem dpdk,
or when there is no translation at all.
"""
import argparse
import bisect
import json
import re
import sys

LINE = re.compile(rb"vtd_dmar_translate dev ([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+) "
                  rb"iova 0x([0-9a-f]+) -> gpa 0x([0-9a-f]+) mask 0x([0-9a-f]+)")


def bdf_key(bdf):
    # 0000:00:03.0 -> (0, 3, 0), as the trace prints dev bus:slot.func
    b = bdf.split(":")[-2:]
    slot, func = b[1].split(".")
    return (int(b[0], 16), int(slot, 16), int(func, 16))


def load_pagemap(path):
    pages = {}          # page VA -> (physical address, page size)
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        va, pfn, ps = (int(x, 16) for x in line.split())
        pages[va] = (pfn * 4096, ps)
    starts = sorted(pages)
    return pages, starts


def pa_of(va, pages, starts):
    i = bisect.bisect_right(starts, va) - 1
    if i < 0:
        return None
    base = starts[i]
    pa, ps = pages[base]
    if va >= base + ps:
        return None
    return pa + (va - base)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trace", required=True)
    ap.add_argument("--range", nargs=2, type=int)
    ap.add_argument("--report", required=True)
    ap.add_argument("--pagemap", required=True)
    ap.add_argument("--devices", required=True)
    ap.add_argument("--summary")
    a = ap.parse_args()

    rep = json.load(open(a.report))
    mem = rep.get("memory", {})
    kind, mode = mem.get("kind"), mem.get("iova_mode")
    ranges = sorted((int(r["iova"], 16), int(r["va"], 16), int(r["len"]))
                    for r in mem.get("ranges", []))
    rstarts = [r[0] for r in ranges]
    pages, starts = load_pagemap(a.pagemap)
    phys = {pa for pa, ps in pages.values()}
    sizes = {ps for pa, ps in pages.values()}
    devs = {bdf_key(d) for d in a.devices.split()}

    with open(a.trace, "rb") as f:
        if a.range:
            f.seek(a.range[0])
            data = f.read(max(0, a.range[1] - a.range[0]))
        else:
            data = f.read()

    n = other = in_map = rings = 0
    per_dev = {}
    distinct = set()
    bad = []
    nbad = 0
    for m in LINE.finditer(data):
        dev = (int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16))
        if dev not in devs:
            other += 1
            continue
        iova, gpa, mask = (int(m.group(i), 16) for i in (4, 5, 6))
        n += 1
        per_dev[dev] = per_dev.get(dev, 0) + 1
        distinct.add((dev, iova))
        i = bisect.bisect_right(rstarts, iova) - 1
        why = None
        if i >= 0 and iova < ranges[i][0] + ranges[i][2]:
            in_map += 1
            va = ranges[i][1] + (iova - ranges[i][0])
            pa = pa_of(va, pages, starts)
            if pa is None:
                why = "VA 0x%x (range of IOVA 0x%x) not in the pagemap" % (va, ranges[i][0])
            elif pa & ~mask != gpa:
                why = "VA 0x%x is physical 0x%x, the IOMMU gave 0x%x" % (va, pa & ~mask, gpa)
        elif kind == "xmem":
            rings += 1
            if mode == "pa":
                if gpa != iova or not any((gpa & ~(ps - 1)) in phys for ps in sizes):
                    why = "outside the map (PA mode): IOVA 0x%x -> 0x%x is not identity onto the process's hugepages" % (iova, gpa)
            else:
                pa = pa_of(iova, pages, starts)
                if pa is None or pa & ~mask != gpa:
                    why = "outside the map (VA mode): IOVA 0x%x as VA is physical %s, the IOMMU gave 0x%x" % (
                        iova, "unknown" if pa is None else "0x%x" % (pa & ~mask), gpa)
        else:
            why = "IOVA 0x%x lies outside every audited range" % iova
        if why:
            nbad += 1
            if len(bad) < 10:
                bad.append("dev %02x:%02x.%x iova 0x%x -> 0x%x mask 0x%x: %s"
                           % (dev + (iova, gpa, mask, why)))

    devtxt = ", ".join("%02x:%02x.%x %d" % (d + (c,)) for d, c in sorted(per_dev.items()))
    lines = ["trace-check: %s/%s: translations checked %d (%s), distinct IOVA pages %d, "
             "in the audited map %d, rings outside the map %d, mismatches %d, "
             "other devices %d, map ranges %d, pagemap pages %d"
             % (kind, mode, n, devtxt or "none", len(distinct), in_map, rings, nbad,
                other, len(ranges), len(pages))]
    lines += ["trace-check: MISMATCH %s" % b for b in bad]
    if n == 0:
        lines.append("trace-check: FAIL: no translation of %s in the trace window" % a.devices)
    elif nbad:
        lines.append("trace-check: FAIL: %d translation(s) disagree" % nbad)
    else:
        lines.append("trace-check: PASS")
    print("\n".join(lines))
    if a.summary:
        with open(a.summary, "w") as s:
            s.write(lines[0].replace("trace-check:", "%s:" % a.summary.split("/")[-1].split(".")[0]) + "\n")
    return 0 if n and not nbad else 1


if __name__ == "__main__":
    sys.exit(main())
