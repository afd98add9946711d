# SPDX-License-Identifier: BSD-3-Clause
#
# drivers/net in the lab (doc/drivers.md): iovaloop's own NIC driver, the
# NIC in PHY loopback as a DMA engine, opened through DPDK's VFIO layer by
# iovaloop-test (the EAL with --no-pci or -b BDF, so that no PMD takes the
# NIC).
#
#   nic_e1000e        copies of 60 to 9014 bytes between DPDK-memory IOVAs,
#                     every byte checked, in DPDK's container (IOVA VA) and
#                     in a private one (IOVA PA); a copy to a page the IOMMU
#                     does not map: the page unchanged, a DMAR fault logged;
#                     a copy from one: none of its bytes delivered; then
#                     testpmd on the pair moves frames both ways (the PHY
#                     out of loopback again); then the refusals (a NIC a
#                     PMD has, one on its kernel driver, another device)
#   nic_e1000e_speed  copies/s and GB/s against memcpy (reported)
#   nic_igb, nic_igb_speed  the same on the igb family's 82576 pair (QEMU 10)

# nic_test NAME BDF TEST "EAL-ARGS" [VAR=VALUE...]: iovaloop-test's TEST on
# the NIC at BDF; its output in RES/NAME.out and in the case's log.
nic_test() {
	local name=$1 bdf=$2 test=$3 eal=$4 rc; shift 4
	log "iovaloop-test $eal -- $test on $bdf $*"
	env IOL_NIC="$bdf" "$@" timeout --foreground -k 5 120 "$IOL_BUILD/test/iovaloop-test" \
		$EAL_COMMON --in-memory $eal -- "$test" > "$RES/$name.out" 2>&1
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

# nic_refusals NAME A B KDRV: iovaloop-test's nic_refusal_autotest with A
# probed by the EAL's PMD (-a A), B on its kernel driver KDRV for the time
# of it, and the host bridge as a device of no supported model.
nic_refusals() {
	local name=$1 a=$2 b=$3 kdrv=$4 rc=0
	devbind -b "$kdrv" "$b"
	log "$b -> $(drv "$b") for the refusals"
	log "iovaloop-test nic_refusal_autotest: $a probed by a PMD, $b on $kdrv, 0000:00:00.0"
	IOL_NIC_PROBED=$a IOL_NIC_KERNEL=$b IOL_NIC_UNSUPPORTED=0000:00:00.0 \
		timeout --foreground -k 5 120 "$IOL_BUILD/test/iovaloop-test" $EAL_COMMON --in-memory \
		-a "$a" -- nic_refusal_autotest > "$RES/$name-refusals.out" 2>&1 || rc=1
	cat "$RES/$name-refusals.out"
	log "nic_refusal_autotest: exit status $rc"
	bind_vfio "$b" || rc=1
	return $rc
}

# nic_case NAME A B KDRV: the engine on A: copies in DPDK's container (IOVA
# VA, EAL --no-pci) and in a private one (IOVA PA, EAL -b A: B gets the
# PMD), each with a blocked write that must log a DMAR fault and a blocked
# read; testpmd both ways on the pair A B (before any other driver touches
# A); then the refusals.
nic_case() {
	local name=$1 a=$2 b=$3 kdrv=$4 rc=0 f0 f1
	f0=$(iommu_faults)
	nic_test "$name" "$a" nic_copy_autotest "--no-pci --iova-mode=va" || rc=1
	f1=$(iommu_faults)
	log "IOMMU fault lines in dmesg (/$FAULT_RE/): $f0 before, $f1 after"
	dmesg | grep -E 'DMAR' | tail -n 4
	[ "$f1" -gt "$f0" ] || { log "FAIL: the copy to the unmapped IOVA logged no DMAR fault"; rc=1; }
	grep -q 'the canary pages are untouched' "$RES/$name.out" ||
		{ log "FAIL: the blocked write was not checked"; rc=1; }
	# -b: the EAL's PMD takes the peer, not the engine's NIC.
	nic_test "${name}_private" "$a" nic_copy_autotest "-b $a --iova-mode=pa" IOL_NIC_CONTAINER=private || rc=1
	grep -q 'a private container' "$RES/${name}_private.out" ||
		{ log "FAIL: the engine was not in a private container"; rc=1; }
	[ "$(iommu_faults)" -gt "$f1" ] || { log "FAIL: no DMAR fault in the private container"; rc=1; }
	nic_both_ways "$name" "$a" "$b" ||
		{ log "FAIL: testpmd does not move frames both ways after the engine closed"; rc=1; }
	nic_refusals "$name" "$a" "$b" "$kdrv" || rc=1
	return $rc
}

# nic_speed NAME BDF: nic_copy_perf's table, also into RUN/speed.txt.
nic_speed() {
	nic_test "$1" "$2" nic_copy_perf "--no-pci --iova-mode=va" || return 1
	grep -E '^(bytes|[0-9])' "$RES/$1.out" | sed "s/^/$1 /" >> "$IOL_RUN/speed.txt"
}

# three EAL starts, two with copies, testpmd (D + 60 at most), two binds
case_nic_e1000e() { nic_case nic_e1000e "${E1000E[0]}" "${E1000E[1]}" e1000e; }
timeout_nic_e1000e() { echo $((D + 400)); }
case_nic_e1000e_speed() { nic_speed nic_e1000e_speed "${E1000E[0]}"; }
timeout_nic_e1000e_speed() { echo 300; }
LAB_CASES_vtd="${LAB_CASES_vtd:-} nic_e1000e nic_e1000e_speed"

# The igb family (test/vm/cases/igb.sh) binds its pair as IGB.
case_nic_igb() { igb_pair && nic_case nic_igb "${IGB[0]}" "${IGB[1]}" igb; }
timeout_nic_igb() { echo $((D + 400)); }
case_nic_igb_speed() { igb_pair && nic_speed nic_igb_speed "${IGB[0]}"; }
timeout_nic_igb_speed() { echo 300; }
LAB_CASES_igb="${LAB_CASES_igb:-} nic_igb nic_igb_speed"
