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
# flow would land on one queue. Sets TP_MPPS. With N > 1 each port's
# every RX queue must have received frames: testpmd prints a forwarding
# stream's counts at its stop ("Forward Stats for RX Port= P/Queue= Q ...",
# RX-packets on the next line) whenever there are more streams than ports
# (a stream that neither received nor sent is left out: read as 0). igb's
# xstats have no per-queue counters, so that is where the per-queue
# figures come from.
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
	TP_MPPS=$mpps
	return $rc
}

# igb_bind: the lab: two igb in groups of their own with the MSI window
# reserved, both on vfio-pci (the traffic is igb_queues_N's).
case_igb_bind() {
	local rc=0 g
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
	return $rc
}

# queues_case N: N RX and N TX queues per port on the igb pair, testpmd
# io first, then iovaloop (--verify full, burst 32) in the same boot:
# - testpmd moves frames, and with N > 1 every RX queue of both ports
#   received some (testpmd_queues);
# - iovaloop passes with zero errors, at least MIN_PKTS frames, every data
#   frame received verified, and each of its N queues per port received
#   and verified frames with none misdelivered. With N > 1 its frames are
#   IPv4/UDP (--frame udp): iovaloop sets the RSS key and flow types,
#   reads the redirection table back and picks each flow's UDP source
#   port so that the device's hash (predicted with rte_softrss) sends it
#   to its queue (the report's steering must say rss-predicted); where
#   the device hands its hash to the mbuf, iovaloop compares it with its
#   own, and no queue may count a mismatch. One queue:
#   today's raw EtherType 0x88B5 frames;
# - the Mpps of both and their ratio go to the log and speed.txt
#   (reported, not asserted).
queues_case() {
	local n=$1 name=igb_queues_$1 rc=0 il ratio frame=()
	need_iovaloop
	igb_pair || return 1
	testpmd_queues "testpmd-q$n" "$n" || rc=1
	[ "$n" -gt 1 ] && frame=(--frame udp)
	loop_case "$name" "${IGB[@]}" va dpdk --burst 32 --queues "$n" "${frame[@]}" || rc=1
	$CHECK "$RES/$name.json" --all-verified --queues "$n" || rc=1
	if [ "$n" -gt 1 ]; then
		$CHECK "$RES/$name.json" --steering rss-predicted || rc=1
	fi
	il=$($CHECK "$RES/$name.json" --print-mpps)
	ratio=$(awk -v a="$il" -v b="$TP_MPPS" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
	echo "igb_queues_$n testpmd_io_mpps $TP_MPPS iovaloop_verify_full_mpps $il ratio $ratio (TCG, ${D}s each, -l 0-1, one forwarding lcore, burst 32, IOVA VA)" |
		tee -a "$IOL_RUN/speed.txt"
	return $rc
}
case_igb_queues_1() { queues_case 1; }
case_igb_queues_2() { queues_case 2; }
case_igb_queues_4() { queues_case 4; }
# testpmd D+80 and iovaloop D+95
timeout_igb_queues_1() { echo $((2 * D + 200)); }
timeout_igb_queues_2() { echo $((2 * D + 200)); }
timeout_igb_queues_4() { echo $((2 * D + 200)); }

# igb_jumbo: 9000-byte frames in 2048-byte mbufs: each frame a chain of
# five segments, sent multi-segment and received scattered, every
# segment's IOVA audited and the payload verified across the segments.
case_igb_jumbo() {
	local g
	igb_pair || return 1
	loop_case igb_jumbo "${IGB[@]}" va dpdk --pkt-size 9000 --mbuf-size 2048 || return 1
	$CHECK "$RES/igb_jumbo.json" --all-verified --pkt-size 9000 || return 1
	g=$($CHECK "$RES/igb_jumbo.json" --print-gbps)
	log "jumbo 9000 B, --mbuf-size 2048: $g Gb/s verified"
	echo "igb_jumbo_9000_gbps $g" >> "$IOL_RUN/speed.txt"
}

# first, whichever case file is sourced first
LAB_CASES_igb="igb_bind igb_queues_1 igb_queues_2 igb_queues_4 igb_jumbo ${LAB_CASES_igb:-}"
