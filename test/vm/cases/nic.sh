# SPDX-License-Identifier: BSD-3-Clause
#
# drivers/net in the lab (doc/drivers.md): iovaloop's own NIC driver, the
# NIC in PHY loopback as a DMA engine, opened through DPDK's VFIO layer by
# iovaloop-test (the EAL with --no-pci, so that no PMD takes the NIC).
#
#   nic_e1000e        copies of 60 to 9014 bytes between DPDK-memory IOVAs,
#                     every byte checked, in DPDK's container (IOVA VA) and
#                     in a private one (IOVA PA); a copy to a page the IOMMU
#                     does not map: the page unchanged, a DMAR fault logged;
#                     then testpmd on the pair moves frames both ways (the
#                     PHY out of loopback again)
#   nic_e1000e_speed  copies/s and GB/s against memcpy (reported)

# nic_test NAME BDF TEST IOVA-MODE [VAR=VALUE...]: iovaloop-test's TEST on
# the NIC at BDF; its output in RES/NAME.out and in the case's log.
nic_test() {
	local name=$1 bdf=$2 test=$3 mode=$4 rc; shift 4
	log "iovaloop-test $test on $bdf, IOVA $mode $*"
	env IOL_NIC="$bdf" "$@" timeout --foreground -k 5 120 "$IOL_BUILD/test/iovaloop-test" \
		$EAL_COMMON --in-memory --no-pci --iova-mode="$mode" -- "$test" > "$RES/$name.out" 2>&1
	rc=$?
	cat "$RES/$name.out"
	log "iovaloop-test $test: exit status $rc"
	return $rc
}

# nic_both_ways A B: testpmd io between the two ports; each must receive
# (a port left in loopback keeps its frames: the other receives none).
nic_both_ways() {
	local logf=$RES/$1-testpmd.log mpps rx
	mpps=$(testpmd_run "$logf" "$2" "$3" --iova-mode=va)
	rx=$(awk '/Forward statistics for port/ { p = $6 }
		/RX-packets:/ && p != "" { printf "%s%s:%s", sep, p, $2; sep = " "; p = "" }' "$logf")
	log "testpmd on $2 $3 after the engine: $mpps Mpps; RX packets by port: $rx"
	echo "$rx" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, ":"); if (a[2] + 0 == 0) exit 1 } exit NF != 2 }'
}

case_nic_e1000e() {
	local rc=0 f0 f1 a=${E1000E[0]} b=${E1000E[1]}
	f0=$(iommu_faults)
	nic_test nic_e1000e "$a" nic_copy_autotest va || rc=1
	f1=$(iommu_faults)
	log "IOMMU fault lines in dmesg (/$FAULT_RE/): $f0 before, $f1 after"
	dmesg | grep -E 'DMAR' | tail -n 4
	[ "$f1" -gt "$f0" ] || { log "FAIL: the copy to the unmapped IOVA logged no DMAR fault"; rc=1; }
	grep -q 'the canary pages are untouched' "$RES/nic_e1000e.out" ||
		{ log "FAIL: the blocked write was not checked"; rc=1; }
	nic_test nic_e1000e_private "$a" nic_copy_autotest pa IOL_NIC_CONTAINER=private || rc=1
	grep -q 'a private container' "$RES/nic_e1000e_private.out" ||
		{ log "FAIL: the engine was not in a private container"; rc=1; }
	[ "$(iommu_faults)" -gt "$f1" ] || { log "FAIL: no DMAR fault in the private container"; rc=1; }
	nic_both_ways nic_e1000e "$a" "$b" ||
		{ log "FAIL: testpmd does not move frames both ways after the engine closed"; rc=1; }
	return $rc
}
# two EAL starts and their copies, testpmd (D + 60 at most)
timeout_nic_e1000e() { echo $((D + 400)); }

case_nic_e1000e_speed() {
	nic_test nic_e1000e_speed "${E1000E[0]}" nic_copy_perf va || return 1
	sed -n '/^bytes/,/^[^0-9b]/p' "$RES/nic_e1000e_speed.out" | grep -E '^(bytes|[0-9])' |
		sed 's/^/nic_e1000e_speed /' >> "$IOL_RUN/speed.txt"
}
timeout_nic_e1000e_speed() { echo 300; }

LAB_CASES_vtd="${LAB_CASES_vtd:-} nic_e1000e nic_e1000e_speed"
