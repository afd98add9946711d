#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pagemap-dump.py PID: the physical frame of every present page of PID's
hugepage mappings (DPDK's rtemap files, iovaloop's xmem), read from
/proc/PID/pagemap (root only: others read frame 0). One line per page:
"VA PFN PAGE-SIZE" in hex; '#' lines name the mappings. Runs in the lab
guest while iovaloop runs (test/vm/guest-run.sh, trace cases)."""
import re
import struct
import sys

PM_PRESENT = 1 << 63
PFN_MASK = (1 << 55) - 1


def mappings(pid):
    cur = None
    with open("/proc/%s/smaps" % pid) as f:
        for line in f:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", line)
            if m:
                if cur:
                    yield cur
                cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(3), 4096]
                continue
            m = re.match(r"KernelPageSize:\s+(\d+) kB", line)
            if m and cur:
                cur[3] = int(m.group(1)) * 1024
    if cur:
        yield cur


def main():
    pid = sys.argv[1]
    n = 0
    with open("/proc/%s/pagemap" % pid, "rb") as pm:
        for start, end, name, ps in mappings(pid):
            if ps <= 4096 and "huge" not in name:
                continue
            print("# %x-%x %s page %x" % (start, end, name, ps))
            for va in range(start, end, ps):
                pm.seek(va // 4096 * 8)
                e, = struct.unpack("<Q", pm.read(8))
                if e & PM_PRESENT:
                    print("%x %x %x" % (va, e & PFN_MASK, ps))
                    n += 1
    print("# %d pages" % n)
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
