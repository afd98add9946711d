#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs INSIDE the lab VM (see test/vm/lab.sh), chrooted into the build
# machine's root (read-only 9p; for arm64 a Debian arm64 root with the
# build machine's repository and cross build bound in), with the run
# directory shared read-write. IOL_FAMILY (params.sh) says which IOMMU the
# guest has: vtd, amdvi, virtio-iommu or smmuv3 (igb: VT-d with an igb pair).
#
#   guest-run.sh setup          load modules, reserve hugepages
#   guest-run.sh run            setup, then every case in IOL_CASES
#   guest-run.sh case NAME      one case (run as a child, under timeout)
#
# Each case writes IOL_RUN/results/NAME.log and NAME.rc (0 pass, 1 fail,
# 77 skip). Every command that may block runs under `timeout --foreground`:
# it stays in the case's process group, so when the case's own timeout
# (plain `timeout`, which signals its whole process group) fires, the step
# and its command die with it instead of running on in a group of their own.

set -u
IOL_WORK=${IOL_WORK:?IOL_WORK not set}
. "$IOL_WORK/params.sh"
SELF=$IOL_REPO/test/vm/guest-run.sh
RES=$IOL_RUN/results
IOL=$IOL_BUILD/app/iovaloop/iovaloop
INFO=$IOL_BUILD/app/iovaloop-info/iovaloop-info
CHECK="python3 $IOL_REPO/test/vm/check-report.py"
D=${IOL_DURATION:-10}
# Minimum number of packets a 10 s loop must move (both ports together).
MIN_PKTS=${IOL_VM_MIN_PKTS:-10000}
FAM=${IOL_FAMILY:-vtd}
XMEM_BASE=${IOL_XMEM_BASE:-0x50100000}
EAL_COMMON="-l 0-1 -n 1 --log-level=lib.eal:notice"

up() { cut -d' ' -f1 /proc/uptime; }
log() { echo "[$(up)] guest: $*"; }
conlog() { echo "[$(up)] guest: $*" > /dev/console; }

# --- devices ---------------------------------------------------------------

# pci_find VENDOR DEVICE: the BDFs of matching devices, sorted.
pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] &&
			basename "$d"
	done | sort
}
E1000E=($(pci_find 8086 10d3))
VIRTIO=($(pci_find 1af4 1041))
E1000=($(pci_find 8086 100e))
# 82576 (the igb family, QEMU 10)
IGB=($(pci_find 8086 10c9))

drv() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null || echo none; }
grp() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }

# --- helpers -----------------------------------------------------------------

# t SEC CMD...: run under timeout (in the caller's process group, see the
# header); a timeout is reported.
t() {
	local s=$1 rc; shift
	timeout --foreground -k 5 "$s" "$@"
	rc=$?
	[ $rc = 124 ] || [ $rc = 137 ] && log "TIMEOUT (${s}s): $*"
	return $rc
}

# A binary of the build that is missing in the guest is a failure, not a
# skip: under meson it is always built, and the guest sees the build dir.
need_iovaloop() {
	[ -x "$IOL" ] && return 0
	echo "FAIL: $IOL is not there (not built, or the build dir is not visible in the guest)"
	exit 1
}
need_info() {
	[ -x "$INFO" ] && return 0
	echo "FAIL: $INFO is not there (not built, or the build dir is not visible in the guest)"
	exit 1
}

# The IOMMU's own fault lines in dmesg, per family (AMD-Vi: QEMU's
# amd-iommu never reports IO_PAGE_FAULT, so there is nothing to count).
FAULT_RE=
case $FAM in
vtd|igb) FAULT_RE='DMAR: \[DMA (Read|Write)|DMAR: DRHD: handling fault' ;;
amdvi) FAULT_RE='AMD-Vi: Event logged \[IO_PAGE_FAULT' ;;
virtio-iommu) FAULT_RE='virtio_iommu .*page fault' ;;
smmuv3) FAULT_RE='arm-smmu-v3 .*event 0x10' ;;
esac
iommu_faults() { dmesg | grep -cE "$FAULT_RE"; }
# The MSI window every group reserves, as reserved_regions prints it.
case $FAM in
smmuv3) MSI_REGION='0x0000000008000000 0x00000000080fffff msi' ;;
*) MSI_REGION='0x00000000fee00000 0x00000000feefffff msi' ;;
esac

# testpmd_run LOG PORT-A PORT-B EXTRA-EAL... [-- TESTPMD-OPTIONS...]: io
# forwarding with --tx-first for D seconds; prints Mpps (both ports' RX
# together, averaged over the per-second samples after the first two).
testpmd_run() {
	local logf=$1 a=$2 b=$3 eal=() opts=(); shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do eal+=("$1"); shift; done
	[ $# -gt 0 ] && { shift; opts=("$@"); }
	# With --stats-period testpmd loops until a signal (it does not read
	# stdin): SIGINT makes it stop, print its totals and exit. It gets D
	# seconds (plus 2 for the samples skipped) from the start of its
	# forwarding: its start (mempool, ports, link) takes 10 to 30 s under
	# TCG on a busy machine. D + 60 in all at most; a small mbuf pool keeps
	# the start short.
	timeout --foreground -s INT -k 20 $((D + 60)) dpdk-testpmd $EAL_COMMON -a "$a" -a "$b" "${eal[@]}" -- \
		--forward-mode=io --tx-first --nb-cores=1 --burst=32 --stats-period 1 \
		--total-num-mbufs=16384 "${opts[@]}" \
		< /dev/null > "$logf" 2>&1 &
	local p=$! i=0 rc
	until grep -q 'packet forwarding - ports' "$logf" 2>/dev/null; do
		i=$((i + 1))
		kill -0 $p 2>/dev/null && [ $i -lt 250 ] || break
		sleep 0.2
	done
	sleep $((D + 2))
	# timeout passes the SIGINT on to testpmd
	kill -INT $p 2>/dev/null
	wait $p
	rc=$?
	# stopped by the SIGINT above (testpmd re-raises it) or by timeout
	case $rc in 124|130) rc=0 ;; esac
	awk '/Rx-pps:/ { n++; s[n] = $2 }
	     END { # samples alternate port 0, port 1
		m = 0; tot = 0
		for (i = 5; i + 1 <= n; i += 2) { tot += s[i] + s[i+1]; m++ }
		printf "%.4f\n", (m ? tot / m / 1e6 : 0) }' "$logf"
	return $rc
}

# iol_run NAME EXPECT-RC EAL-ARGS... -- OPTIONS...: run iovaloop, log it, keep
# its JSON report as RES/NAME.json; returns 0 when its exit status is EXPECT-RC.
iol_run() {
	local name=$1 want=$2 rc; shift 2
	log "iovaloop $*"
	t $((D + 90)) "$IOL" "$@" --json "$RES/$name.json"
	rc=$?
	log "iovaloop exit status $rc (expected $want)"
	[ "$rc" = "$want" ]
}

# loop_case NAME PORT-A PORT-B va|pa dpdk|xmem [OPTIONS...]: a run with that
# IOVA mode and memory that must verify every packet and move at least
# MIN_PKTS; the report must show that very memory kind and IOVA mode (a
# silent fallback fails).
loop_case() {
	local name=$1 a=$2 b=$3 mode=$4 kind=$5; shift 5
	need_iovaloop
	iol_run "$name" 0 $EAL_COMMON -a "$a" -a "$b" --iova-mode="$mode" -- \
		--duration "$D" --verify full --link-timeout 20 --mem "$kind" "$@"
	local rc=$?
	$CHECK "$RES/$name.json" --result pass --min-rx "$MIN_PKTS" --zero-errors \
		--kind "$kind" --iova-mode "$mode" || rc=1
	return $rc
}

# dpdk-devbind.py; lspci's complaint about the missing /lib/modules of the
# guest kernel (see setup) is noise here.
devbind() {
	t 60 dpdk-devbind.py "$@" 2>&1 | grep -v 'Unable to load libkmod resources'
}

bind_vfio() {
	devbind -b vfio-pci "$@"
	local b ok=0
	for b in "$@"; do
		log "$b -> $(drv "$b")"
		[ "$(drv "$b")" = vfio-pci ] || ok=1
	done
	return $ok
}

# --- cases -------------------------------------------------------------------

# lab_bind: the lab itself: groups, reserved regions, dpdk-devbind binds
# both NIC pairs to vfio-pci, dpdk-testpmd moves packets on both pairs.
case_lab_bind() {
	local rc=0 g d mpps pairs=e1000e
	log "family $FAM; PCI: e1000e ${E1000E[*]}; virtio-net ${VIRTIO[*]:-}; e1000 (bridge) ${E1000[*]:-}"
	if [ "$IOL_NICS" = full ]; then
		pairs="e1000e virtio"
		[ ${#E1000E[@]} = 2 ] && [ ${#VIRTIO[@]} = 2 ] && [ ${#E1000[@]} = 2 ] ||
			{ log "FAIL: expected 2+2+2 NICs"; rc=1; }
	else
		[ ${#E1000E[@]} = 2 ] || { log "FAIL: expected 2 e1000e NICs"; rc=1; }
	fi
	echo "--- IOMMU: $(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')"
	if [ "$FAM" = smmuv3 ]; then
		# DMA set-up happens at a driver's probe on arm64 (device tree):
		# no group before the bind. The groups are shown after it.
		dmesg | grep -E 'arm-smmu-v3.*(ias|oas)' | tail -n 2
		echo "--- groups before the bind (e1000e probed by the kernel's e1000e):"
		cat "$RES/groups-before.txt" 2>/dev/null
	fi
	for g in /sys/kernel/iommu_groups/*; do
		echo "group $(basename "$g"): $(ls "$g/devices" | tr '\n' ' ')"
		sed 's/^/    reserved: /' "$g/reserved_regions"
	done
	grep -q "$MSI_REGION" /sys/kernel/iommu_groups/*/reserved_regions ||
		{ log "FAIL: no reserved region '$MSI_REGION'"; rc=1; }
	if [ "$FAM" = amdvi ]; then
		# AMD's HyperTransport hole, reserved in every group.
		grep -q '0x000000fd00000000 0x000000ffffffffff reserved' /sys/kernel/iommu_groups/*/reserved_regions ||
			{ log "FAIL: no reserved region for the HyperTransport hole 0xfd00000000-0xffffffffff"; rc=1; }
	fi
	if [ "$IOL_NICS" = full ]; then
		[ "$(grp "${E1000[0]}")" = "$(grp "${E1000[1]}")" ] ||
			{ log "FAIL: the two NICs behind the bridge are not in one group"; rc=1; }
	fi
	[ -n "$(grp "${E1000E[0]}")" ] && [ "$(grp "${E1000E[0]}")" != "$(grp "${E1000E[1]}")" ] ||
		{ log "FAIL: the e1000e NICs have no group or share one"; rc=1; }
	echo "--- binding (done before the cases, $RES/bind.log):"
	cat "$RES/bind.log"
	for b in "${E1000E[@]}" ${VIRTIO[@]+"${VIRTIO[@]}"}; do
		[ "$(drv "$b")" = vfio-pci ] || { log "FAIL: $b is on $(drv "$b"), not vfio-pci"; rc=1; }
	done

	for p in $pairs; do
		if [ $p = e1000e ]; then set -- "${E1000E[@]}"; else set -- "${VIRTIO[@]}"; fi
		mpps=$(testpmd_run "$RES/testpmd-$p.log" "$1" "$2" --iova-mode=va)
		log "testpmd io --tx-first on the $p pair: exit $?, $mpps Mpps"
		grep -E 'IOVA|VFIO|Port [01]: link|RX-packets|TX-packets|RX-total|TX-total|error|Error' \
			"$RES/testpmd-$p.log" | head -n 40
		awk -v m="$mpps" 'BEGIN { exit !(m > 0) }' ||
			{ log "FAIL: testpmd moved no packets on the $p pair"; rc=1; }
		echo "testpmd_${p}_mpps $mpps" >> "$IOL_RUN/speed.txt"
	done
	return $rc
}

# info: iovaloop-info shows the groups and reserved regions; its doctor
# (--check) passes the bound e1000e pair.
case_info() {
	local rc=0 out=$RES/info.out
	need_info
	t 60 "$INFO" > "$out" 2>&1
	log "iovaloop-info exit status $?"
	cat "$out"
	grep -qi 'fee00000' "$out" || { log "FAIL: the MSI reserved region is not shown"; rc=1; }
	grep -qi 'group' "$out" || { log "FAIL: no IOMMU group shown"; rc=1; }
	if [ "$FAM" = amdvi ]; then
		grep -qi 'fd00000000' "$out" ||
			{ log "FAIL: the HyperTransport hole 0xfd00000000 is not shown"; rc=1; }
		# The address width iovaloop-info derives from the IOMMU's
		# capability registers (reported, not asserted).
		log "AMD-Vi cap $(cat /sys/class/iommu/ivhd*/amd-iommu/cap 2>/dev/null) features $(cat /sys/class/iommu/ivhd*/amd-iommu/features 2>/dev/null)"
		log "iovaloop-info's width: $(grep -iE 'address width' "$out" | tr -s ' \t' ' ' | head -n 2 | tr '\n' ';')"
		grep -qiE 'address width [0-9]+ bits' "$out" ||
			{ log "FAIL: iovaloop-info shows no address width for the AMD-Vi IOMMU"; rc=1; }
	fi
	for b in "${E1000E[@]}" ${E1000[@]+"${E1000[@]}"}; do
		grep -q "$b" "$out" || { log "FAIL: $b not shown"; rc=1; }
	done
	log "iovaloop-info --check ${E1000E[*]}"
	t 60 "$INFO" --check "${E1000E[@]}" > "$out.check" 2>&1
	local crc=$?
	cat "$out.check"
	log "iovaloop-info --check exit status $crc"
	[ $crc = 0 ] || { log "FAIL: the doctor does not pass the bound e1000e pair"; rc=1; }
	grep -qE '^FAIL' "$out.check" && { log "FAIL: FAIL lines for a good pair"; rc=1; }
	return $rc
}

case_loop_va_dpdk() { loop_case loop_va_dpdk "${E1000E[@]}" va dpdk; }
case_loop_pa_dpdk() { loop_case loop_pa_dpdk "${E1000E[@]}" pa dpdk; }
case_loop_va_xmem() {
	loop_case loop_va_xmem "${E1000E[@]}" va xmem --xmem-size 64M \
		--page-size 2M --iova-base "$XMEM_BASE"
}
case_loop_pa_xmem() {
	loop_case loop_pa_xmem "${E1000E[@]}" pa xmem --xmem-size 64M --page-size 2M
}
case_loop_virtio() {
	[ "$(drv "${VIRTIO[0]}")" = vfio-pci ] && [ "$(drv "${VIRTIO[1]}")" = vfio-pci ] ||
		{ log "FAIL: the virtio-net pair is not on vfio-pci"; return 1; }
	loop_case loop_virtio "${VIRTIO[@]}" va dpdk
}

# speed: dpdk-testpmd and iovaloop on the same e1000e pair, same cores and
# burst; reported, not asserted (fails only when a tool does not run).
case_speed() {
	local tp il ratio rc=0
	need_iovaloop
	tp=$(testpmd_run "$RES/testpmd-speed.log" "${E1000E[@]}" --iova-mode=va)
	log "testpmd: $tp Mpps"
	iol_run speed 0 $EAL_COMMON -a "${E1000E[0]}" -a "${E1000E[1]}" --iova-mode=va -- \
		--duration "$D" --verify full --burst 32 --link-timeout 20 || rc=1
	il=$($CHECK "$RES/speed.json" --print-mpps)
	ratio=$(awk -v a="$il" -v b="$tp" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
	{
		echo "speed_pair e1000e ${E1000E[*]} (TCG, ${D}s each, -l 0-1, burst 32, IOVA VA)"
		echo "speed_testpmd_io_mpps $tp"
		echo "speed_iovaloop_verify_full_mpps $il"
		echo "speed_ratio_iovaloop_over_testpmd $ratio"
	} | tee -a "$IOL_RUN/speed.txt"
	return $rc
}

# reserved_iova: an IOVA base inside the MSI window is refused (exit 3)
# before anything is mapped.
case_reserved_iova() {
	need_iovaloop
	local rc=0 f0 out=$RES/reserved_iova.out base=0xfee00000 re='reserved|msi|fee00000'
	# smmuv3: the SMMU's software MSI window 0x8000000-0x80fffff
	[ "$FAM" = smmuv3 ] && { base=0x8000000; re='reserved|msi|8000000'; }
	f0=$(iommu_faults)
	iol_run reserved_iova 3 $EAL_COMMON -a "${E1000E[0]}" -a "${E1000E[1]}" --iova-mode=va -- \
		--duration "$D" --mem xmem --xmem-size 64M --page-size 2M --iova-base $base \
		> "$out" 2>&1 || rc=1
	cat "$out"
	# The refusal must be for the reserved region: a FAIL line of the doctor
	# that itself names it (the run's own log line with --json .../
	# reserved_iova.json must not count, nor a FAIL for another reason).
	grep -E '^FAIL' "$out" | grep -qiE "$re" ||
		{ log "FAIL: no doctor FAIL line naming the reserved (MSI) region"; rc=1; }
	[ "$(iommu_faults)" = "$f0" ] || { log "FAIL: IOMMU faults appeared"; rc=1; }
	# Refused before anything is mapped: no xmem, no DMA mapping, no run.
	grep -qE 'DMA mapped for [1-9]|iovaloop: run 0x' "$out" &&
		{ log "FAIL: memory was mapped or the run started before the refusal"; rc=1; }
	return $rc
}

# group_not_viable: two e1000 behind one PCI bridge share a group; bind only
# one to vfio-pci, the other stays on the kernel's e1000.
case_group_not_viable() {
	need_iovaloop
	need_info
	local rc=0 a=${E1000[0]} b=${E1000[1]} out=$RES/group_not_viable.out
	log "group of $a: $(grp "$a"): $(ls /sys/kernel/iommu_groups/$(grp "$a")/devices | tr '\n' ' ')"
	bind_vfio "$a" || { log "FAIL: cannot bind $a"; return 1; }
	log "$b stays on $(drv "$b")"
	[ "$(drv "$b")" = e1000 ] || { log "FAIL: $b is not on e1000"; rc=1; }
	iol_run group_not_viable 3 $EAL_COMMON -a "$a" --iova-mode=va -- --duration "$D" \
		> "$out" 2>&1 || rc=1
	cat "$out"
	grep -E '^FAIL' "$out" | grep -q "$b" || { log "FAIL: no FAIL line naming $b"; rc=1; }
	grep -E '^FAIL' "$out" | grep "$b" | grep -q e1000 ||
		{ log "FAIL: the FAIL line does not name $b's driver e1000"; rc=1; }
	log "iovaloop-info --check $a"
	t 60 "$INFO" --check "$a" 2>&1 | tee "$out.check"
	grep -E '^FAIL' "$out.check" | grep -q "$b" ||
		{ log "FAIL: the doctor (iovaloop-info --check) does not name $b"; rc=1; }
	devbind -b e1000 "$a"
	return $rc
}

# not_mapped: xmem registered but not DMA-mapped: the NIC's DMA faults in
# the IOMMU, dmesg shows DMAR faults, iovaloop reports the packets lost and
# names the likely cause, without hanging.
case_not_mapped() {
	need_iovaloop
	local rc=0 f0 f1
	f0=$(iommu_faults)
	iol_run not_mapped 1 $EAL_COMMON -a "${E1000E[0]}" -a "${E1000E[1]}" --iova-mode=va -- \
		--duration 5 --verify full --mem xmem --xmem-size 64M --page-size 2M \
		--iova-base "$XMEM_BASE" --test-no-dma-map --link-timeout 20 || rc=1
	f1=$(iommu_faults)
	log "IOMMU fault lines in dmesg (/$FAULT_RE/): $f0 before, $f1 after"
	dmesg | grep -E 'DMAR|AMD-Vi|virtio_iommu|arm-smmu-v3' | tail -n 8
	if [ "$FAM" = amdvi ]; then
		# QEMU's amd-iommu blocks DMA to an unmapped IOVA silently: no
		# IO_PAGE_FAULT event, no guest log line, no QEMU trace.
		log "no fault line to check: QEMU's AMD-Vi (7.2) logs no IO_PAGE_FAULT for blocked DMA; the loss and the diagnosis are what is asserted"
	else
		[ "$f1" -gt "$f0" ] || { log "FAIL: no IOMMU fault logged"; rc=1; }
	fi
	$CHECK "$RES/not_mapped.json" --result fail --min-lost 1 \
		--diagnosis 'DMA.?map|not mapped|IOMMU|DMAR|SMMU' || rc=1
	return $rc
}

# trace_* (vtd): the ground truth. iovaloop runs on the e1000e pair; while
# it runs, its hugepages' VA -> PFN are dumped from /proc/PID/pagemap and
# the host switches QEMU's vtd_dmar_translate trace on for TRACE_S seconds
# (asked for through RUN/trace/NAME.req-on/-off, acknowledged by the host
# with NAME.on/.off). After the boot the host's trace-check.py compares
# every translation of the two NICs (device, IOVA -> guest-physical page)
# with iovaloop's map (its JSON memory.ranges) and the pagemap.
TRACE_S=${IOL_VM_TRACE_S:-2}
wait_file() {	# FILE SECONDS
	local i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 5)) ] && return 1
		sleep 0.2
	done
}
trace_case() {
	local name=$1 mode=$2 kind=$3 rc=0 pid i b devs=; shift 3
	need_iovaloop
	for b in "${E1000E[@]}"; do devs="$devs $b"; done
	echo "$devs" > "$RES/$name.devices"
	log "iovaloop (traced) --iova-mode=$mode --mem $kind $*"
	"$IOL" $EAL_COMMON -a "${E1000E[0]}" -a "${E1000E[1]}" --iova-mode="$mode" -- \
		--duration $((D + 10)) --verify full --link-timeout 20 --mem "$kind" "$@" \
		--json "$RES/$name.json" > "$RES/$name.out" 2>&1 &
	pid=$!
	i=0
	until grep -q 'run 0x' "$RES/$name.out"; do
		i=$((i + 1))
		kill -0 $pid 2>/dev/null && [ $i -lt 300 ] || break
		sleep 0.2
	done
	if ! kill -0 $pid 2>/dev/null; then
		cat "$RES/$name.out"
		log "FAIL: iovaloop ended before its loop ran"
		return 1
	fi
	log "iovaloop $pid runs; dumping its hugepages' pagemap"
	t 60 python3 "$IOL_REPO/test/vm/pagemap-dump.py" $pid > "$RES/$name.pagemap" ||
		{ log "FAIL: no pagemap dump"; rc=1; }
	log "pagemap: $(grep -vc '^#' "$RES/$name.pagemap") pages; asking the host for the trace"
	touch "$IOL_RUN/trace/$name.req-on"
	wait_file "$IOL_RUN/trace/$name.on" 30 || { log "FAIL: the host never switched the trace on"; rc=1; }
	sleep "$TRACE_S"
	touch "$IOL_RUN/trace/$name.req-off"
	wait_file "$IOL_RUN/trace/$name.off" 30 || { log "FAIL: the host never switched the trace off"; rc=1; }
	log "trace window done (bytes $(cat "$IOL_RUN/trace/$name.off" 2>/dev/null) of the host's trace file)"
	wait $pid
	i=$?
	cat "$RES/$name.out"
	log "iovaloop exit status $i (expected 0)"
	[ $i = 0 ] || rc=1
	# Fewer packets than an untraced run: the trace slows QEMU down 8x.
	$CHECK "$RES/$name.json" --result pass --min-rx 1000 --zero-errors \
		--kind "$kind" --iova-mode "$mode" || rc=1
	log "the translations are checked on the host after the boot (trace-check.py)"
	return $rc
}
case_trace_va_dpdk() { trace_case trace_va_dpdk va dpdk; }
case_trace_pa_dpdk() { trace_case trace_pa_dpdk pa dpdk; }
case_trace_va_xmem() {
	trace_case trace_va_xmem va xmem --xmem-size 64M --page-size 2M --iova-base "$XMEM_BASE"
}

# Bind both pairs the way a user does: dpdk-devbind.py -b vfio-pci.
bind_all() {
	if [ "$IOL_NICS" = igb ]; then
		bind_vfio "${IGB[@]}"
	else
		bind_vfio "${E1000E[@]}"
	fi
	[ "$IOL_NICS" = full ] && bind_vfio "${VIRTIO[@]}"
	devbind --status-dev net
}

# --- main --------------------------------------------------------------------

setup() {
	local m
	local mp=(modprobe)
	# The guest kernel's modules where tools look for them (modprobe,
	# lspci -k) when the build machine has a /lib/modules to mount over
	# (the read-only root cannot get a new directory); else modprobe -d.
	if [ -d /lib/modules ] && mount -t tmpfs tmpfs /lib/modules &&
		mkdir -p "/lib/modules/$IOL_KVER" &&
		mount --bind "$IOL_KDIR/lib/modules/$IOL_KVER" "/lib/modules/$IOL_KVER"; then
		log "modules: $IOL_KDIR mounted at /lib/modules/$IOL_KVER"
	else
		mp=(modprobe -d "$IOL_KDIR" -S "$IOL_KVER")
		log "modules: no /lib/modules on the build machine, using ${mp[*]}"
	fi
	local mods="vfio-pci e1000e"
	[ "$IOL_NICS" = full ] && mods="$mods e1000 virtio_net"
	[ "$IOL_NICS" = igb ] && mods="vfio-pci igb"
	for m in $mods; do
		t 60 "${mp[@]}" "$m" || log "modprobe $m failed"
	done
	echo 512 > /proc/sys/vm/nr_hugepages
	log "hugepages: $(cat /proc/sys/vm/nr_hugepages) x 2M"
}

# A case's whole timeout: at least the sum of its steps' timeouts (each
# with its -k 5 or -k 20), so a step times out on its own, with its message,
# before the case does.
#   lab_bind: 2 testpmd (D+60+20)                       = 2D+160
#   info: 2 x iovaloop-info 65                          = 130
#   loops, reserved_iova, not_mapped: iovaloop D+95     = D+95
#   speed: testpmd D+80 + iovaloop D+95                 = 2D+175
#   trace_*: iovaloop D+10 plus the start (60), pagemap (65), two
#            host answers (60) and the trace window       <= D+200
#   group_not_viable: devbind 65 + iovaloop D+95
#                     + iovaloop-info 65 + devbind 65   = D+290
case_timeout() {
	case $1 in
	lab_bind) echo $((2 * D + 200)) ;;
	group_not_viable) echo $((D + 330)) ;;
	trace_*) echo $((D + 200)) ;;
	speed) echo $((2 * D + 200)) ;;
	*)
		if declare -F "timeout_$1" > /dev/null; then "timeout_$1"
		else echo $((2 * D + 150)); fi ;;
	esac
}

# The cases of test/vm/cases/*.sh (see lab.sh).
for f in "$IOL_REPO"/test/vm/cases/*.sh; do
	[ -e "$f" ] && . "$f"
done

mode=${1:-run}
case $mode in
setup)
	setup
	;;
case)
	c=$2
	type "case_$c" > /dev/null 2>&1 || { echo "unknown case $c"; exit 2; }
	"case_$c"
	;;
run)
	t0=$(up)
	conlog "setup: modules, hugepages"
	setup
	echo "guest_setup_done_s $(up)" >> "$IOL_RUN/timings.txt"
	{
		uname -a
		lspci -nnk
		for g in /sys/kernel/iommu_groups/*; do
			echo "group $(basename "$g"): $(ls "$g/devices" | tr '\n' ' ')"
			sed 's/^/    reserved: /' "$g/reserved_regions"
		done
	} > "$IOL_RUN/guest-info.txt" 2>&1
	{
		for g in /sys/kernel/iommu_groups/*; do
			[ -e "$g" ] && echo "group $(basename "$g"): $(ls "$g/devices" | tr '\n' ' ')"
		done
		for b in ${E1000E[@]+"${E1000E[@]}"} ${IGB[@]+"${IGB[@]}"}; do echo "$b: driver $(drv "$b"), group '$(grp "$b" 2>/dev/null)'"; done
	} > "$RES/groups-before.txt" 2>&1
	conlog "setup: binding the NICs to vfio-pci"
	bind_all > "$RES/bind.log" 2>&1
	for c in $IOL_CASES; do
		conlog "case $c: start"
		f0=$(iommu_faults)
		s=$(up)
		# Plain timeout (not t): its own process group, all of which it
		# signals, so every step of the case (in that group) ends with it.
		timeout -k 10 "$(case_timeout "$c")" bash "$SELF" case "$c" > "$RES/$c.log" 2>&1
		rc=$?
		case $rc in
		0|77) ;;
		124|137) echo "case $c: TIMEOUT" >> "$RES/$c.log"; rc=1 ;;
		*) rc=1 ;;
		esac
		echo $rc > "$RES/$c.rc"
		e=$(up)
		echo "case_${c}_s $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.1f", b - a }')" >> "$IOL_RUN/timings.txt"
		# the IOMMU's fault lines in dmesg during the case (see FAULT_RE)
		echo "case_${c}_faults $(($(iommu_faults) - f0))" >> "$IOL_RUN/timings.txt"
		conlog "case $c: exit $rc ($(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.1f", b - a }') s)"
	done
	dmesg > "$IOL_RUN/dmesg.txt"
	echo "guest_uptime_end_s $(up)" >> "$IOL_RUN/timings.txt"
	sync
	;;
esac
