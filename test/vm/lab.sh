#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# iovaloop lab VM: a QEMU guest with a real (emulated) IOMMU, VFIO and
# back-to-back NIC pairs, built only from Debian packages.
#
# The build machines have neither an IOMMU nor VFIO. QEMU's intel-iommu
# (VT-d with interrupt remapping) translates the DMA of emulated NICs and
# faults it where a wrong IOVA would fault on hardware; this lab runs
# iovaloop against it.
#
# Usage
#   test/vm/lab.sh prepare          install/download what the lab needs
#   test/vm/lab.sh boot             boot interactively (shell in the guest,
#                                   chrooted into this machine's root);
#                                   exit the shell to power off
#   test/vm/lab.sh run [CASE...]    one boot that runs the cases (default:
#                                   all) and prints a summary
#   test/vm/lab.sh test CASE        meson entry point (suite 'vm'): the first
#                                   test of a `meson test` session boots the
#                                   guest once for all cases, each test then
#                                   reports its own case (exit 0/1/77)
#   test/vm/lab.sh list             list the cases
#
# Environment
#   IOL_BUILD_DIR    meson build directory (default: REPO/build)
#   IOL_VM_CACHE     downloads and the initramfs (default: /var/cache/iovaloop/vm,
#                    outside the checkout: shared by every clone on the machine)
#   IOL_VM_WORK      per-run results (default: test/vm/work); cleaned per run
#   IOL_VM_TIMEOUT   whole boot, host side, seconds (default 840)
#   IOL_VM_TEST_TIMEOUT  meson's timeout of a vm test (set by test/meson.build):
#                    the first test's prepare + boot must fit in it
#   Paths (repository, build dir, IOL_VM_WORK, IOL_VM_CACHE) may contain
#   only A-Z a-z 0-9 . _ - + / @ (they go onto the kernel command line and
#   QEMU options); the guest keeps them visible below its fresh /tmp, /run.
#   IOL_VM_DURATION  seconds of each traffic run in the guest (default 10)
#   IOL_VM_KERNEL_PKG  Debian kernel package (default: what linux-image-amd64
#                    depends on, else the newest one in the cache)
#   IOL_VM_SESSION   key grouping `lab.sh test` calls onto one boot
#                    (default: the calling process, i.e. one `meson test`)
#
# How it works
#   - Host packages: qemu-system-x86, busybox-static, cpio, kmod, pciutils,
#     dpdk (apt-get install when missing and root; otherwise the vm tests
#     SKIP with the reason). The kernel is Debian's linux-image-*-amd64,
#     fetched with `apt-get download` into the cache and unpacked there
#     (intel_iommu built in, vfio/e1000e/virtio_net as modules).
#   - The initramfs (cache/initramfs-KVER-HASH.cpio.gz) holds busybox, the
#     virtio/9p modules and test/vm/guest-init. The guest mounts this
#     machine's / read-only over 9p, the run directory (work/run) read-write
#     at the same path on top, chroots and runs test/vm/guest-run.sh: the
#     guest uses the very binaries of this build (iovaloop, dpdk-testpmd,
#     dpdk-devbind.py), and guest-run.sh is read at boot, so editing it
#     needs no initramfs rebuild.
#   - Devices (q35, TCG, 2 vCPUs):
#       intel-iommu,intremap=on,caching-mode=on   (guest: intel_iommu=on)
#       00:03.0, 00:04.0  e1000e pair, back to back on QEMU hub 0
#       00:05.0, 00:06.0  virtio-net-pci iommu_platform=on,disable-legacy=on
#                         pair on hub 1
#       00:07.0 pci-bridge; behind it two e1000 (hub 2) sharing one IOMMU
#                         group (the group-not-viable case)
#       00:10.0, 00:11.0  virtio-9p (root read-only, run dir read-write)
#   - Timeouts: every guest step runs under `timeout`; the guest init has a
#     whole-boot watchdog (the boot budget less 60 s, counted from the
#     guest kernel's start) that powers off; the host runs QEMU under
#     `timeout --foreground` (so it stays in this script's process group,
#     which meson kills on its own timeout) and kills it when this script
#     is signalled; QEMU runs with -no-reboot, so a guest panic ends the run
#     too. The boot budget is IOL_VM_TIMEOUT, cut down under meson so that
#     the first test (prepare + boot) ends within meson's timeout.
#   - SKIP (77) only when the lab cannot exist here: host packages missing
#     and not installable, or no kernel package downloadable or cached. A
#     broken lab (unpack, vmlinuz, initramfs, unusable paths) fails.
#   - Results: work/run/results/CASE.rc (exit status) and CASE.log, plus
#     console.log, dmesg.txt, guest-info.txt, speed.txt, timings.txt.
#     work/lock is an flock(1) lock: it dies with its holder, so a killed
#     run never blocks the next one.

set -u

VM_DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd -P)
BUILD=$(readlink -f "${IOL_BUILD_DIR:-$REPO/build}")
# Downloads (kernels, roots, packages) and initramfs images live outside the
# checkout, so fresh clones on the same machine (CI) reuse them.
CACHE_DEFAULT=/var/cache/iovaloop/vm
CACHE=$(mkdir -p "${IOL_VM_CACHE:-$CACHE_DEFAULT}" && readlink -f "${IOL_VM_CACHE:-$CACHE_DEFAULT}")
WORK=$(mkdir -p "${IOL_VM_WORK:-$VM_DIR/work}" && readlink -f "${IOL_VM_WORK:-$VM_DIR/work}")
RUN=$WORK/run
TIMEOUT=${IOL_VM_TIMEOUT:-840}
# The boot's budget: TIMEOUT, less under meson (see boot_budget).
BOOT_TIMEOUT=$TIMEOUT
DURATION=${IOL_VM_DURATION:-10}

# Every case guest-run.sh knows, in the order it runs them.
ALL_CASES="lab_bind info loop_va_dpdk loop_pa_dpdk loop_va_xmem loop_pa_xmem loop_virtio speed reserved_iova group_not_viable not_mapped"

HOST_PKGS="qemu-system-x86 busybox-static cpio kmod pciutils dpdk"

msg() { echo "lab: $*" >&2; }

# progress WHAT CMD...: run CMD, saying every 10 s that it still waits for
# WHAT and for how long; returns CMD's status.
progress() {
	local what=$1 pid rc n=0; shift
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % 10)) = 0 ] && kill -0 "$pid" 2>/dev/null && msg "still waiting for $what (${n}s)"
	done
	wait "$pid"
}

# check_paths: every path the guest needs must be usable on the kernel
# command line, in QEMU's options and in params.sh, and visible in the
# guest (which mounts fresh /proc, /sys, /dev; /tmp and /run are fresh
# tmpfs too, but guest-init keeps these paths there, see iol.keep).
check_paths() {
	local n p
	for n in REPO BUILD WORK CACHE; do
		p=${!n}
		[ -n "$p" ] || { msg "FAIL: $n: cannot resolve the path"; return 1; }
		case "$p" in
		*[!A-Za-z0-9._/+@-]*)
			msg "FAIL: $n '$p' has characters the lab cannot pass on (kernel command line, QEMU options); use a path of A-Z a-z 0-9 . _ - + / @"
			return 1 ;;
		/proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/lib/modules|/lib/modules/*)
			msg "FAIL: $n '$p' is under a directory the guest mounts afresh (/proc, /sys, /dev, /lib/modules)"
			return 1 ;;
		esac
	done
	[ "$WORK" != / ] && [ "$CACHE" != / ] || { msg "FAIL: IOL_VM_WORK or IOL_VM_CACHE is /"; return 1; }
}

# --- prepare -------------------------------------------------------------

SKIP_REASON=
# A lab that is there but broken: a failure (exit 1), not a skip.
FAIL_REASON=
KVER= KDIR= INITRD=

ensure_packages() {
	local missing= p
	for p in $HOST_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		SKIP_REASON="missing host packages:$missing (not root, cannot apt-get install)"
		return 1
	fi
	msg "apt-get install$missing"
	if ! DEBIAN_FRONTEND=noninteractive timeout --foreground 300 apt-get install -y -q --no-install-recommends $missing >&2; then
		DEBIAN_FRONTEND=noninteractive timeout --foreground 200 apt-get update -q >&2
		DEBIAN_FRONTEND=noninteractive timeout --foreground 300 apt-get install -y -q --no-install-recommends $missing >&2 || {
			SKIP_REASON="cannot install host packages:$missing"
			return 1
		}
	fi
}

# Sets KVER and KDIR (unpacked kernel package, depmod done).
ensure_kernel() {
	local pkg deb
	mkdir -p "$CACHE"
	pkg=${IOL_VM_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
	deb=
	if [ -n "$pkg" ]; then
		deb=$(ls -1 "$CACHE/${pkg}"_*_amd64.deb 2>/dev/null | tail -n 1)
		if [ -z "$deb" ]; then
			msg "apt-get download $pkg (into $CACHE)"
			(cd "$CACHE" && progress "apt-get download $pkg" timeout --foreground 300 apt-get download "$pkg" >&2) ||
				msg "download of $pkg failed"
			deb=$(ls -1 "$CACHE/${pkg}"_*_amd64.deb 2>/dev/null | tail -n 1)
		fi
	fi
	# Offline fallback: the newest kernel package already in the cache.
	[ -z "$deb" ] && deb=$(ls -1 "$CACHE"/linux-image-*-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		SKIP_REASON="no Debian kernel package: apt-get download ${pkg:-linux-image-amd64 dependency} failed and none is cached in $CACHE"
		return 1
	fi
	pkg=$(basename "$deb"); pkg=${pkg%%_*}
	KVER=${pkg#linux-image-}
	KDIR=$CACHE/kernel-$KVER
	if [ ! -f "$KDIR/.done" ]; then
		msg "unpacking $(basename "$deb")"
		rm -rf "$KDIR"
		mkdir -p "$KDIR"
		dpkg -x "$deb" "$KDIR" || { FAIL_REASON="dpkg -x $deb $KDIR failed"; return 1; }
		depmod -b "$KDIR" "$KVER" || { FAIL_REASON="depmod -b $KDIR $KVER failed"; return 1; }
		touch "$KDIR/.done"
	fi
	[ -f "$KDIR/boot/vmlinuz-$KVER" ] || { FAIL_REASON="no boot/vmlinuz-$KVER in $deb (unpacked in $KDIR)"; return 1; }
}

# Sets INITRD.
ensure_initramfs() {
	local hash tmp m f mods
	mods=$(modprobe -d "$KDIR" -S "$KVER" --show-depends -a virtio_pci 9pnet_virtio 9p |
		awk '$1 == "insmod" {print $2}')
	[ -n "$mods" ] || { FAIL_REASON="modprobe -d $KDIR -S $KVER finds no virtio_pci/9p modules for the initramfs"; return 1; }
	hash=$( (cat "$VM_DIR/guest-init"; echo "$KVER $mods"; sha1sum /bin/busybox) | sha1sum | cut -c1-12)
	INITRD=$CACHE/initramfs-$KVER-$hash.cpio.gz
	[ -f "$INITRD" ] && return 0
	msg "building $(basename "$INITRD")"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp /bin/busybox "$tmp/bin/busybox"
	cp "$VM_DIR/guest-init" "$tmp/init"
	chmod 755 "$tmp/init"
	: > "$tmp/modules.order"
	for f in $mods; do
		m=$(basename "$f")
		grep -qx "$m" "$tmp/modules.order" && continue
		cp "$f" "$tmp/modules/$m"
		echo "$m" >> "$tmp/modules.order"
	done
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp" &&
		mv "$INITRD.tmp" "$INITRD"
	rm -rf "$tmp"
	rm -f $(ls -1 "$CACHE"/initramfs-*.cpio.gz | grep -v "$hash")
	[ -f "$INITRD" ] || { FAIL_REASON="cannot build the initramfs $INITRD"; return 1; }
}

prepare() {
	check_paths || { FAIL_REASON="unusable paths (see above)"; return 1; }
	ensure_packages && ensure_kernel && ensure_initramfs
}

# prepare_or_exit: prepare, or exit 77 (SKIP: the lab cannot exist here) or
# 1 (FAIL: the lab is broken) with the reason.
prepare_or_exit() {
	prepare && return 0
	[ -n "$FAIL_REASON" ] && { msg "FAIL: $FAIL_REASON"; exit 1; }
	msg "SKIP: $SKIP_REASON"; exit 77
}

# boot_budget: under meson (IOL_VM_TEST_TIMEOUT) the boot gets what is left
# of meson's timeout after the lock wait and prepare ($SECONDS so far), less
# 40 s for QEMU's kill delay and the report, at most IOL_VM_TIMEOUT.
boot_budget() {
	local left
	[ -n "${IOL_VM_TEST_TIMEOUT:-}" ] || return 0
	left=$((IOL_VM_TEST_TIMEOUT - SECONDS - 40))
	[ "$left" -lt "$BOOT_TIMEOUT" ] && BOOT_TIMEOUT=$left
	if [ "$BOOT_TIMEOUT" -lt 150 ]; then
		FAIL_REASON="only ${BOOT_TIMEOUT}s of meson's ${IOL_VM_TEST_TIMEOUT}s timeout left for the boot after ${SECONDS}s of lock wait and prepare"
		return 1
	fi
}

# --- QEMU ----------------------------------------------------------------

# qemu_args MODE CONSOLE-ARGS...
qemu_cmd() {
	local mode=$1; shift
	QEMU=(qemu-system-x86_64
		-machine q35,accel=tcg,kernel-irqchip=split
		-cpu max -smp 2 -m 3072
		-nodefaults -no-user-config -no-reboot -display none
		-device intel-iommu,intremap=on,caching-mode=on
		-kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$INITRD"
		-append "console=ttyS0,115200 intel_iommu=on panic=1 loglevel=5 mitigations=off iol.repo=$REPO iol.work=$RUN iol.mode=$mode iol.keep=$REPO:$BUILD:$CACHE iol.timeout=$((BOOT_TIMEOUT - 60))"
		"$@"
		-fsdev local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-pci,fsdev=fsroot,mount_tag=iolroot,addr=0x10
		-fsdev local,id=fswork,path="$RUN",security_model=none
		-device virtio-9p-pci,fsdev=fswork,mount_tag=iolwork,addr=0x11
		# pair 1: e1000e back to back on hub 0
		-netdev hubport,id=p1a,hubid=0 -device e1000e,netdev=p1a,addr=0x03,mac=52:54:00:10:00:01
		-netdev hubport,id=p1b,hubid=0 -device e1000e,netdev=p1b,addr=0x04,mac=52:54:00:10:00:02
		# pair 2: virtio-net behind the IOMMU, on hub 1
		-netdev hubport,id=p2a,hubid=1 -device virtio-net-pci,netdev=p2a,addr=0x05,mac=52:54:00:20:00:01,iommu_platform=on,disable-legacy=on
		-netdev hubport,id=p2b,hubid=1 -device virtio-net-pci,netdev=p2b,addr=0x06,mac=52:54:00:20:00:02,iommu_platform=on,disable-legacy=on
		# pair 3: two e1000 behind one conventional PCI bridge: one IOMMU group
		-device pci-bridge,id=br1,chassis_nr=1,bus=pcie.0,addr=0x07
		-netdev hubport,id=p3a,hubid=2 -device e1000,netdev=p3a,bus=br1,addr=0x01,mac=52:54:00:30:00:01
		-netdev hubport,id=p3b,hubid=2 -device e1000,netdev=p3b,bus=br1,addr=0x02,mac=52:54:00:30:00:02
	)
}

# A QEMU left by a lab run that was killed (its lab.sh gone, so the lock is
# free) would keep writing into the run directory: end it. Only a process
# whose command line is this lab's QEMU for this run directory is touched.
kill_stale_qemu() {
	local pid
	pid=$(cat "$WORK/qemu.pid" 2>/dev/null) || return 0
	if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null |
			grep -q "path=$RUN,.*mount_tag=iolwork\|iol.work=$RUN "; then
		msg "ending the QEMU ($pid) of an earlier, killed lab run"
		kill "$pid" 2>/dev/null
		sleep 2
		kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$WORK/qemu.pid"
}

# stop_qemu: end the QEMU of this run (this script was signalled).
stop_qemu() {
	msg "signalled: ending QEMU"
	kill -TERM "$QEMU_TIMEOUT_PID" 2>/dev/null
	sleep 2
	kill_stale_qemu
	kill -KILL "$QEMU_TIMEOUT_PID" 2>/dev/null
}

# Start a fresh run directory and write the guest's parameters.
new_run() {
	local cases=$1
	kill_stale_qemu
	rm -rf "$RUN"
	mkdir -p "$RUN/results"
	# Written first: a later test of the same session that finds no
	# result reports the failure instead of booting again.
	[ -n "${SESSION_KEY:-}" ] && echo "$SESSION_KEY" > "$RUN/session"
	cat > "$RUN/params.sh" <<-EOF
	IOL_REPO='$REPO'
	IOL_BUILD='$BUILD'
	IOL_RUN='$RUN'
	IOL_KDIR='$KDIR'
	IOL_KVER='$KVER'
	IOL_CASES='$cases'
	IOL_DURATION='$DURATION'
	EOF
}

# boot_run "CASES" [stdout|quiet]: one boot running the cases.
boot_run() {
	local cases=$1 out=${2:-stdout} t0 t1 rc con
	new_run "$cases"
	if [ "$out" = stdout ]; then
		con=(-chardev "stdio,id=con,signal=off,logfile=$RUN/console.log" -serial chardev:con)
	else
		con=(-chardev "file,id=con,path=$RUN/console.log" -serial chardev:con)
	fi
	qemu_cmd run "${con[@]}"
	echo "${QEMU[*]}" > "$RUN/qemu-cmdline.txt"
	msg "booting (TCG, whole-boot timeout ${BOOT_TIMEOUT}s, cases: $cases)"
	t0=$(date +%s.%N)
	# fd 9 (the lock) is not passed on: the lock dies with this script.
	# --foreground: timeout and QEMU stay in this script's process group,
	# so killing the group (meson's timeout) ends QEMU too; killing only
	# this script ends it from the trap.
	timeout --foreground -k 10 "$BOOT_TIMEOUT" "${QEMU[@]}" -pidfile "$WORK/qemu.pid" < /dev/null 9>&- &
	QEMU_TIMEOUT_PID=$!
	trap 'stop_qemu; exit 1' TERM INT HUP
	# Say what is awaited, at most every 10 s: the boot, then each case.
	n=0
	while kill -0 "$QEMU_TIMEOUT_PID" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		if [ $((n % 10)) = 0 ]; then
			last=$(grep -a 'guest: case .*: start\|iol-init: root mounted' "$RUN/console.log" 2>/dev/null | tail -n 1 | sed 's/.*guest: //; s/.*iol-init: //')
			msg "waiting for the guest (${n}s of ${BOOT_TIMEOUT}s): ${last:-booting the kernel}"
		fi
	done
	wait "$QEMU_TIMEOUT_PID"
	rc=$?
	trap - TERM INT HUP
	rm -f "$WORK/qemu.pid"
	t1=$(date +%s.%N)
	echo "qemu_exit $rc" >> "$RUN/timings.txt"
	echo "boot_total_s $(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1-$t0}")" >> "$RUN/timings.txt"
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "host-side timeout ${BOOT_TIMEOUT}s: QEMU killed" > "$RUN/host-timeout"
	msg "QEMU exited with $rc after $(awk "BEGIN{printf \"%.0f\", $t1-$t0}") s"
	return 0
}

# --- reporting -------------------------------------------------------------

# case_status CASE: print the log, return the case's exit status.
case_report() {
	local c=$1 rc
	if [ -f "$RUN/fail" ]; then
		echo "FAIL: the lab could not be prepared: $(cat "$RUN/fail")"
		return 1
	fi
	if [ -f "$RUN/skip" ]; then
		echo "SKIP: $(cat "$RUN/skip")"
		return 77
	fi
	if [ -f "$RUN/results/$c.rc" ]; then
		rc=$(cat "$RUN/results/$c.rc")
		[ -f "$RUN/results/$c.log" ] && cat "$RUN/results/$c.log"
		echo "--- case $c: exit status $rc (results in $RUN/results)"
		return "$rc"
	fi
	echo "FAIL: no result for case $c: the guest never finished it"
	[ -f "$RUN/host-timeout" ] && cat "$RUN/host-timeout"
	[ -f "$RUN/guest-timeout" ] && cat "$RUN/guest-timeout"
	echo "--- last lines of $RUN/console.log:"
	tail -n 40 "$RUN/console.log" 2>/dev/null
	return 1
}

summary() {
	local c rc
	echo "=== lab summary ($RUN)"
	for c in $1; do
		if [ -f "$RUN/fail" ]; then rc=lab
		elif [ -f "$RUN/skip" ]; then rc=77
		elif [ -f "$RUN/results/$c.rc" ]; then rc=$(cat "$RUN/results/$c.rc")
		else rc=none; fi
		case $rc in
		0) s=PASS ;; 77) s=SKIP ;; none) s="FAIL (no result)" ;; lab) s="FAIL (lab not prepared)" ;; *) s="FAIL ($rc)" ;;
		esac
		printf '  %-18s %s\n' "$c" "$s"
	done
	[ -f "$RUN/timings.txt" ] && sed 's/^/  /' "$RUN/timings.txt"
	[ -f "$RUN/speed.txt" ] && sed 's/^/  /' "$RUN/speed.txt"
}

# Session key of `lab.sh test`: the parent process (one `meson test`).
session_key() {
	if [ -n "${IOL_VM_SESSION:-}" ]; then
		echo "$IOL_VM_SESSION"
	else
		echo "ppid-$PPID-$(awk '{print $22}' /proc/$PPID/stat 2>/dev/null)"
	fi
}

# --- commands --------------------------------------------------------------

cmd=${1:-help}
[ $# -gt 0 ] && shift

case "$cmd" in
prepare)
	prepare_or_exit
	msg "ready: kernel $KVER, initramfs $INITRD"
	;;
list)
	for c in $ALL_CASES; do echo "$c"; done
	;;
boot)
	prepare_or_exit
	mkdir -p "$WORK"
	exec 9> "$WORK/lock"
	flock -n 9 || { msg "another lab run holds $WORK/lock"; exit 1; }
	new_run ""
	qemu_cmd shell -serial mon:stdio
	msg "interactive boot; Ctrl-a x quits QEMU, exiting the guest shell powers off"
	"${QEMU[@]}" -pidfile "$WORK/qemu.pid" 9>&-
	rm -f "$WORK/qemu.pid"
	;;
run)
	cases=${*:-$ALL_CASES}
	mkdir -p "$WORK"
	exec 9> "$WORK/lock"
	flock -w "$((TIMEOUT + 60))" 9 ||
		{ msg "FAIL: $WORK/lock is held by another lab run (an interactive lab.sh boot?) for over $((TIMEOUT + 60))s"; exit 1; }
	prepare_or_exit
	boot_run "$cases" stdout
	summary "$cases"
	for c in $cases; do
		[ "$(cat "$RUN/results/$c.rc" 2>/dev/null)" = 0 ] || exit 1
	done
	;;
test)
	[ $# = 1 ] || { msg "usage: lab.sh test CASE"; exit 2; }
	c=$1
	echo " $ALL_CASES " | grep -q " $c " || { msg "unknown case $c"; exit 2; }
	key=$(session_key)
	SESSION_KEY=$key
	mkdir -p "$WORK"
	exec 9> "$WORK/lock"
	w=$((TIMEOUT + 60))
	[ -n "${IOL_VM_TEST_TIMEOUT:-}" ] && [ "$w" -gt $((IOL_VM_TEST_TIMEOUT - 30)) ] &&
		w=$((IOL_VM_TEST_TIMEOUT - 30))
	flock -w "$w" 9 ||
		{ echo "FAIL: $WORK/lock is held by another lab run (an interactive lab.sh boot?) for over ${w}s"; exit 1; }
	if [ "$(cat "$RUN/session" 2>/dev/null)" != "$key" ]; then
		# First test of this session: one boot for all cases.
		if ! prepare; then
			if [ -n "$FAIL_REASON" ]; then
				new_run "$ALL_CASES"; echo "$FAIL_REASON" > "$RUN/fail"
			else
				new_run "$ALL_CASES"; echo "$SKIP_REASON" > "$RUN/skip"
			fi
		elif ! boot_budget; then
			new_run "$ALL_CASES"; echo "$FAIL_REASON" > "$RUN/fail"
		else
			boot_run "$ALL_CASES" quiet
		fi
		summary "$ALL_CASES" >&2
	fi
	flock -u 9
	case_report "$c"
	exit $?
	;;
*)
	sed -n '2,/^set -u/p' "$0" | sed -n 's/^# \{0,1\}//p' | sed -n '/^Usage/,/^Environment/p' | sed '$d'
	[ "$cmd" = help ] || exit 2
	;;
esac
