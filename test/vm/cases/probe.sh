# SPDX-License-Identifier: BSD-3-Clause
#
# The isolation probe in the lab (doc/probe.md): iovaloop --mode probe with
# the first e1000e as its DMA engine (iovaloop's own driver, nic:BDF, the
# EAL with --no-pci so that no PMD takes it) and the second e1000e opened
# in a second VFIO container (--probe-peer). Every attempt must be
# blocked: exit 0, the report's result "blocked", each attempt made a
# control that copied, blocked, or (x86's interrupt window) no memory, and
# the family's fault lines new in dmesg where it logs them (AMD-Vi: none,
# the case says so); past the end, the two canaries (read and write) and
# IOVA 0 must be among the blocked attempts in every family.
#
#   probe_e1000e       DPDK's memory, IOVA VA
#   probe_e1000e_xmem  xmem at --iova-base (IOL_VM_XMEM_BASE), IOVA VA (vtd)
#   probe_igb          the same on the igb pair (the igb family: an 82576 as the engine)

# probe_case NAME ENGINE PEER EXTRA-OPTIONS...: the probe of the NIC ENGINE
# (BDF) with PEER in the second container, its table in the log, the
# report checked.
probe_case() {
	local name=$1 dev=$2 peer=$3 rc f0 f1; shift 3
	f0=$(iommu_faults)
	log "iovaloop --mode probe --dma nic:$dev --probe-peer $peer $*"
	t 400 "$IOL" $EAL_COMMON --no-pci --iova-mode=va -- --mode probe \
		--dma "nic:$dev" --probe-peer "$peer" "$@" --json "$RES/$name.json"
	rc=$?
	f1=$(iommu_faults)
	log "iovaloop exit status $rc; IOMMU fault lines in dmesg (/$FAULT_RE/): $f0 before, $f1 after"
	dmesg | grep -E "${FAULT_RE:-^$}" | tail -n 4
	python3 - "$RES/$name.json" "$FAM" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["probe"]
made = [a for a in p["attempts"] if a["attempted"]]
# AMD-Vi in QEMU: a read of the HyperTransport hole gives zeros, no fault
# line (the family logs none), and the hole is a Reserved range of
# /proc/iomem: nothing proves it blocked, the probe says "not shown" (exit
# 1). The one attempt the lab accepts so (doc/probe.md); exit 2 here.
known = [a for a in made if sys.argv[2] == "amdvi" and a["verdict"] == "unproven" and
         a["target"] == "reserved" and a["iova"] == "0xfd00000000" and
         a.get("destination") == "zeros"]
for a in known:
    print("known (AMD-Vi, QEMU): attempt %d (%s %s) %s: %s" % (a["n"], a["what"], a["dir"],
          a["verdict"], a["why"]))
made = [a for a in made if a not in known]
want = "unproven" if known else "blocked"
bad = [a for a in made if a["verdict"] not in ("copied", "blocked", "no memory")]
blocked = [a for a in made if a["verdict"] == "blocked"]
for a in bad:
    print("FAIL: attempt %d (%s %s) %s: %s" % (a["n"], a["what"], a["dir"], a["verdict"], a["why"]))
if p["result"] != want:
    print("FAIL: result %s: %s" % (p["result"], p["message"]))
# every family: past the end, the unmapped canary and the other container
# (read and write), IOVA 0; the rest depends on the family's regions and width
need = [("past-end", "read"), ("unmapped", "read"), ("unmapped", "write"), ("zero", "read"),
        ("other-container", "read"), ("other-container", "write")]
missing = [t + " " + d for t, d in need
           if not any(a["target"] == t and a["dir"] == d for a in blocked)]
if missing:
    print("FAIL: not blocked (or not attempted): " + ", ".join(missing))
writes = [a for a in blocked if a["dir"] == "write"]
print("probe %s: %d attempts made, %d blocked (%d writes), result %s" %
      (sys.argv[1], len(made), len(blocked), len(writes), p["result"]))
sys.exit(1 if bad or p["result"] != want or missing else 2 if known else 0)
EOF
	local chk=$?
	case "$chk,$rc" in
	0,0) ;;
	2,1) log "exit status 1 is the known AMD-Vi \"not shown\" above"; rc=0 ;;
	*) log "FAIL: the report's check says $chk, iovaloop's exit status $rc"; rc=1 ;;
	esac
	if [ "$FAM" = amdvi ]; then
		log "AMD-Vi: QEMU's amd-iommu logs no fault; no completion and untouched memory decide"
	elif [ "$f1" -le "$f0" ]; then
		log "FAIL: no new fault line of the family's IOMMU"; rc=1
	fi
	return $rc
}

case_probe_e1000e() { probe_case probe_e1000e "${E1000E[0]}" "${E1000E[1]}"; }
case_probe_e1000e_xmem() {
	probe_case probe_e1000e_xmem "${E1000E[0]}" "${E1000E[1]}" --mem xmem --xmem-size 64M --page-size 2M \
		--iova-base "$XMEM_BASE"
}
# attempts up to 5.5 s apart (the fault lines' rate limit), a NIC reopen after a copy that never completed
timeout_probe_e1000e() { echo 450; }
timeout_probe_e1000e_xmem() { echo 450; }
case_probe_igb() { probe_case probe_igb "${IGB[0]}" "${IGB[1]}"; }
timeout_probe_igb() { echo 450; }

LAB_CASES_vtd="${LAB_CASES_vtd:-} probe_e1000e probe_e1000e_xmem"
LAB_CASES_amdvi="${LAB_CASES_amdvi:-} probe_e1000e"
LAB_CASES_virtio_iommu="${LAB_CASES_virtio_iommu:-} probe_e1000e"
LAB_CASES_smmuv3="${LAB_CASES_smmuv3:-} probe_e1000e"
LAB_CASES_igb="${LAB_CASES_igb:-} probe_igb"
