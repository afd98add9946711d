# SPDX-License-Identifier: BSD-3-Clause
#
# The igb family's cases (test/vm/lab.sh: q35, VT-d with interrupt
# remapping, an igb (82576) pair back to back on a QEMU hub at 00:03.0 and
# 00:06.0, QEMU 10). guest-run.sh has bound the pair (IGB) to vfio-pci
# before the cases run. Other case files may add cases to LAB_CASES_igb
# (an igb driver's, say); these only assume the pair is there and bound.

# igb_pair: both igb NICs there and on vfio-pci, or a FAIL line.
igb_pair() {
	[ ${#IGB[@]} = 2 ] || { log "FAIL: expected 2 igb (8086:10c9) NICs, found ${#IGB[@]}: ${IGB[*]:-}"; return 1; }
	[ "$(drv "${IGB[0]}")" = vfio-pci ] && [ "$(drv "${IGB[1]}")" = vfio-pci ] ||
		{ log "FAIL: the igb pair is not on vfio-pci (${IGB[0]}: $(drv "${IGB[0]}"), ${IGB[1]}: $(drv "${IGB[1]}"))"; return 1; }
}

# testpmd_queues NAME N: testpmd io on the igb pair with N RX and N TX
# queues per port. --txonly-multi-flow gives the --tx-first frames
# different IPv4 sources, so the NIC's RSS (IPv4 hash) spreads them: one
# flow would land on one queue. Prints Mpps. With N > 1 each port's every
# RX queue must have received frames: testpmd prints a forwarding stream's
# counts at its stop ("Forward Stats for RX Port= P/Queue= Q ...",
# RX-packets on the next line) whenever there are more streams than ports,
# and leaves out a stream that moved nothing. igb's xstats have no
# per-queue counters, so that is where the per-queue figures come from.
testpmd_queues() {
	local name=$1 n=$2 mpps rc=0 p q got
	mpps=$(testpmd_run "$RES/$name.log" "${IGB[@]}" --iova-mode=va -- \
		--rxq="$n" --txq="$n" --txonly-multi-flow)
	log "testpmd io --rxq $n --txq $n on the igb pair: exit $?, $mpps Mpps"
	grep -E 'IOVA|Port [01]: link|Forward Stats for RX|RX-packets|RX-total|TX-total|error|Error' \
		"$RES/$name.log" | head -n 60
	awk -v m="$mpps" 'BEGIN { exit !(m > 0) }' ||
		{ log "FAIL: testpmd moved no packets with $n queues"; rc=1; }
	if [ "$n" -gt 1 ]; then
		for p in 0 1; do
			for q in $(seq 0 $((n - 1))); do
				got=$(awk -v p="$p" -v q="$q" '
					/Forward Stats for RX Port=/ {
						s = $0; sub(/.*RX Port= */, "", s)
						split(s, a, /\/Queue= */); rp = a[1] + 0
						split(a[2], b, / /); rq = b[1] + 0
						want = (rp == p && rq == q); next }
					want && /RX-packets:/ { print $2; want = 0 }' "$RES/$name.log")
				log "testpmd --rxq $n: port $p RX queue $q: ${got:-0} packets"
				[ "${got:-0}" -gt 0 ] ||
					{ log "FAIL: port $p RX queue $q of $n received nothing (RSS did not spread the flows)"; rc=1; }
			done
		done
	fi
	echo "igb_testpmd_q${n}_mpps $mpps" >> "$IOL_RUN/speed.txt"
	return $rc
}

# igb_bind: the lab: two igb in groups of their own with the MSI window
# reserved, both on vfio-pci, and testpmd io with 1, 2 and 4 queues per
# port, every RX queue receiving.
case_igb_bind() {
	local rc=0 g n
	log "family $FAM; igb ${IGB[*]:-}"
	echo "--- IOMMU: $(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')"
	for g in /sys/kernel/iommu_groups/*; do
		echo "group $(basename "$g"): $(ls "$g/devices" | tr '\n' ' ')"
		sed 's/^/    reserved: /' "$g/reserved_regions"
	done
	echo "--- binding (done before the cases, $RES/bind.log):"
	cat "$RES/bind.log"
	igb_pair || return 1
	[ -n "$(grp "${IGB[0]}")" ] && [ "$(grp "${IGB[0]}")" != "$(grp "${IGB[1]}")" ] ||
		{ log "FAIL: the igb NICs have no group or share one"; rc=1; }
	grep -q "$MSI_REGION" /sys/kernel/iommu_groups/*/reserved_regions ||
		{ log "FAIL: no reserved region '$MSI_REGION'"; rc=1; }
	for n in 1 2 4; do
		testpmd_queues "testpmd-q$n" "$n" || rc=1
	done
	return $rc
}
# lab_bind's steps and three testpmd runs (D+60+20 each)
timeout_igb_bind() { echo $((3 * D + 280)); }

# igb_loop: iovaloop on the igb pair, one queue per port: passes, every
# data frame received verified.
case_igb_loop() {
	igb_pair || return 1
	loop_case igb_loop "${IGB[@]}" va dpdk || return 1
	$CHECK "$RES/igb_loop.json" --all-verified --queues 1
}

# igb_speed: testpmd io and iovaloop with the same queues on the same pair
# in this boot; reported, not asserted (fails only when a tool does not
# run).
IGB_SPEED_QUEUES=1
case_igb_speed() {
	local tp il ratio rc=0 n=$IGB_SPEED_QUEUES
	need_iovaloop
	igb_pair || return 1
	tp=$(testpmd_run "$RES/testpmd-speed.log" "${IGB[@]}" --iova-mode=va -- \
		--rxq="$n" --txq="$n" --txonly-multi-flow)
	log "testpmd: $tp Mpps"
	iol_run igb_speed 0 $EAL_COMMON -a "${IGB[0]}" -a "${IGB[1]}" --iova-mode=va -- \
		--duration "$D" --verify full --burst 32 --queues "$n" --link-timeout 20 || rc=1
	il=$($CHECK "$RES/igb_speed.json" --print-mpps)
	ratio=$(awk -v a="$il" -v b="$tp" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
	{
		echo "igb_speed_pair igb ${IGB[*]} (TCG, ${D}s each, -l 0-1, burst 32, IOVA VA, $n queue(s) per port)"
		echo "igb_speed_testpmd_io_mpps $tp"
		echo "igb_speed_iovaloop_verify_full_mpps $il"
		echo "igb_speed_ratio_iovaloop_over_testpmd $ratio"
	} | tee -a "$IOL_RUN/speed.txt"
	return $rc
}
# testpmd D+80, iovaloop D+95
timeout_igb_speed() { echo $((2 * D + 200)); }

# first, whichever case file is sourced first
LAB_CASES_igb="igb_bind igb_loop igb_speed ${LAB_CASES_igb:-}"
