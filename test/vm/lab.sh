#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# iovaloop lab VM: QEMU guests with a real (emulated) IOMMU, VFIO and
# back-to-back NIC pairs, built only from Debian packages.
#
# The build machines have neither an IOMMU nor VFIO. QEMU emulates several
# IOMMU families and translates (and faults) the DMA of emulated NICs the
# way hardware would; this lab runs iovaloop against each of them. A
# "family" chooses the QEMU machine, the IOMMU device, the guest kernel and
# its command line, the NICs and the cases:
#   vtd           q35, intel-iommu (VT-d, interrupt remapping), Debian 6.1
#   amdvi         q35, amd-iommu (AMD-Vi, interrupt remapping), Debian 6.1
#   virtio-iommu  q35, virtio-iommu-pci, Debian 13's 6.12 kernel
#   smmuv3        arm64 virt, SMMUv3, Debian 12's arm64 6.1 kernel, an arm64
#                 root made with mmdebstrap and iovaloop cross-built for it
#   igb           q35, intel-iommu like vtd, an igb (82576) pair: QEMU 10
#                 from bookworm-backports, unpacked into the cache
#
# Usage
#   test/vm/lab.sh prepare [FAMILY]       install/download/build what the
#                                         family needs (default vtd)
#   test/vm/lab.sh boot [FAMILY]          boot interactively (a shell in the
#                                         guest); exit the shell to power off
#   test/vm/lab.sh run [FAMILY [CASE...]] one boot of the family running the
#                                         cases (default: all of the family)
#                                         and a summary; no FAMILY: vtd
#   test/vm/lab.sh test FAMILY CASE       meson entry point (suite 'vm'): the
#                                         first test of a family in a `meson
#                                         test` session boots that family once
#                                         for all its cases, each test then
#                                         reports its own case (exit 0/1/77)
#   test/vm/lab.sh list [FAMILY]          list the families, or their cases
#
# Environment
#   IOL_BUILD_DIR    meson build directory (default: REPO/build)
#   IOL_VM_CACHE     downloads, unpacked kernels, the arm64 root and the
#                    initramfs images (default: /var/cache/iovaloop/vm,
#                    outside the checkout: shared by every clone on the machine)
#   IOL_VM_WORK      per-run results and the arm64 cross build (default:
#                    test/vm/work, git-ignored); a family's run dir is
#                    cleaned at each of its boots
#   IOL_VM_TIMEOUT   whole boot, host side, seconds (default 840)
#   IOL_VM_TEST_TIMEOUT  meson's timeout of a vm test (set by test/meson.build):
#                    the first test's prepare + boot must fit in it
#   Paths (repository, build dir, IOL_VM_WORK, IOL_VM_CACHE) may contain
#   only A-Z a-z 0-9 . _ - + / @ (they go onto the kernel command line and
#   QEMU options); the guest keeps them visible below its fresh /tmp, /run.
#   IOL_VM_DURATION  seconds of each traffic run in the guest (default 5)
#   IOL_VM_XMEM_BASE --iova-base of the xmem loop cases (default 0x50100000, the seed's)
#   IOL_VM_KERNEL_PKG  Debian kernel package of the vtd and amdvi families
#                    (default: what linux-image-amd64 depends on, else the
#                    newest 6.1 one in the cache)
#   IOL_VM_MIRROR    Debian archive for trixie and arm64 downloads (default
#                    http://deb.debian.org/debian)
#   IOL_VM_SESSION   key grouping `lab.sh test` calls onto one boot
#                    (default: the calling process, i.e. one `meson test`)
#
# How it works
#   - Host packages: qemu-system-x86 (qemu-system-arm, mmdebstrap and
#     gcc-aarch64-linux-gnu for smmuv3), busybox-static, cpio, kmod,
#     pciutils, xz-utils, dpdk (apt-get install when missing and root;
#     otherwise the family's tests SKIP with the reason). Kernels are
#     Debian's linux-image-* packages, fetched with `apt-get download` into
#     the cache (trixie's and arm64's through a private apt configuration
#     in the cache, the system's apt is not touched) and unpacked there.
#   - The initramfs (cache/initramfs-KVER-HASH.cpio.gz) holds busybox, the
#     virtio/9p modules and test/vm/guest-init. The guest mounts a root
#     read-only over 9p (this machine's / on x86; the cached arm64 root for
#     smmuv3, with this machine's repository, build and cache paths bound
#     into it from a second share), the run directory read-write at the
#     same path on top, chroots and runs test/vm/guest-run.sh: the guest
#     uses the very binaries of this build (the cross build for arm64), and
#     guest-run.sh is read at boot, so editing it needs no initramfs rebuild.
#   - The vtd family's trace cases switch QEMU's vtd_dmar_translate trace on
#     and off through QEMU's monitor when the guest asks for it (a file in
#     the shared run dir), and test/vm/trace-check.py compares every
#     translation with iovaloop's map and the guest's pagemap afterwards.
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
#     broken lab (unpack, vmlinuz, initramfs, cross build, paths) fails.
#   - Results: work/run-FAMILY/results/CASE.rc (exit status) and CASE.log,
#     plus console.log, dmesg.txt, guest-info.txt, speed.txt, timings.txt.
#     work/lock is an flock(1) lock shared by all families (one guest at a
#     time): it dies with its holder, so a killed run never blocks the next.

set -u

VM_DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd -P)
BUILD=$(readlink -f "${IOL_BUILD_DIR:-$REPO/build}")
# Downloads (kernels, roots, packages) and initramfs images live outside the
# checkout, so fresh clones on the same machine (CI) reuse them.
CACHE_DEFAULT=/var/cache/iovaloop/vm
CACHE=$(mkdir -p "${IOL_VM_CACHE:-$CACHE_DEFAULT}" && readlink -f "${IOL_VM_CACHE:-$CACHE_DEFAULT}")
WORK=$(mkdir -p "${IOL_VM_WORK:-$VM_DIR/work}" && readlink -f "${IOL_VM_WORK:-$VM_DIR/work}")
TIMEOUT=${IOL_VM_TIMEOUT:-840}
# The boot's budget: TIMEOUT, less under meson (see boot_budget).
BOOT_TIMEOUT=$TIMEOUT
DURATION=${IOL_VM_DURATION:-5}
XMEM_BASE=${IOL_VM_XMEM_BASE:-0x50100000}
MIRROR=${IOL_VM_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

FAMILIES="vtd amdvi virtio-iommu smmuv3 igb"

# Case files: each test/vm/cases/NAME.sh defines guest-side case_X
# functions (and optionally timeout_X, the case's whole timeout in
# seconds) and appends X to LAB_CASES_<family> (dashes as underscores) of
# the families that run it. Sourcing one only defines; guest-run.sh
# sources them too.
for f in "$VM_DIR"/cases/*.sh; do
	[ -e "$f" ] && . "$f"
done

msg() { echo "lab: $*" >&2; }

# progress WHAT CMD...: run CMD, saying every 10 s that it still waits for
# WHAT and for how long; returns CMD's status.
progress() {
	local what=$1 pid n=0; shift
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.2
		n=$((n + 1))
		[ $((n % 50)) = 0 ] && kill -0 "$pid" 2>/dev/null && msg "still waiting for $what ($((n / 5))s)"
	done
	wait "$pid"
}

# --- families --------------------------------------------------------------

# family FAMILY: set the F_* description of the family (see the header).
#   F_ARCH      Debian architecture of the guest
#   F_QEMU      QEMU binary; F_MACHINE, F_IOMMU its arguments
#   F_QEMU10    yes: QEMU 10 from bookworm-backports (ensure_qemu10 sets
#               F_QEMU, F_QEMU_ENV and F_QEMU_ARGS)
#   F_CONSOLE   serial console; F_APPEND the family's kernel parameters
#   F_KSUITE    suite of the kernel package; F_KMETA the metapackage whose
#               dependency is the kernel; F_KGLOB the offline fallback
#   F_INITMODS  modules the initramfs loads (9p over virtio-pci, ...)
#   F_NICS      NIC set: full (e1000e, virtio-net, bridged e1000), e1000e,
#               or igb (an igb pair, no e1000e)
#   F_CASES     the family's cases, in the order they run
family() {
	FAM=$1
	F_IOMMU=() F_MACHINE=()
	F_INITMODS="virtio_pci 9pnet_virtio 9p"
	F_KSUITE=bookworm F_ARCH=amd64 F_KMETA=linux-image-amd64
	F_KGLOB='linux-image-6.1.0-*-amd64'
	F_QEMU=qemu-system-x86_64 F_CONSOLE=ttyS0
	F_QEMU10=no F_QEMU_ENV=() F_QEMU_ARGS=()
	F_NICS=e1000e
	case $FAM in
	vtd)
		F_MACHINE=(-machine q35,accel=tcg,kernel-irqchip=split -cpu max -smp 2 -m 3072)
		F_IOMMU=(-device intel-iommu,intremap=on,caching-mode=on)
		F_APPEND="intel_iommu=on"
		F_NICS=full
		F_CASES="lab_bind info loop_va_dpdk loop_pa_dpdk loop_va_xmem loop_pa_xmem loop_virtio speed reserved_iova group_not_viable not_mapped trace_va_dpdk trace_pa_dpdk trace_va_xmem"
		;;
	amdvi)
		F_MACHINE=(-machine q35,accel=tcg,kernel-irqchip=split -cpu max -smp 2 -m 3072)
		F_IOMMU=(-device amd-iommu,intremap=on)
		F_APPEND="iommu=nopt"
		F_CASES="lab_bind info loop_va_dpdk loop_pa_dpdk loop_va_xmem not_mapped"
		;;
	virtio-iommu)
		F_MACHINE=(-machine q35,accel=tcg -cpu max -smp 2 -m 3072)
		F_IOMMU=(-device virtio-iommu-pci,addr=0x08)
		# No interrupt remapping behind virtio-iommu: VFIO refuses the
		# container without this.
		F_APPEND="vfio_iommu_type1.allow_unsafe_interrupts=1"
		F_KSUITE=trixie F_KGLOB='linux-image-6.12.*-amd64'
		F_INITMODS="virtio_pci virtio_iommu 9pnet_virtio 9p"
		F_CASES="lab_bind loop_va_dpdk loop_pa_dpdk loop_va_xmem not_mapped"
		;;
	smmuv3)
		F_ARCH=arm64 F_KMETA=linux-image-arm64 F_KGLOB='linux-image-6.1.0-*-arm64'
		F_QEMU=qemu-system-aarch64 F_CONSOLE=ttyAMA0
		F_MACHINE=(-machine virt,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
			-accel tcg,thread=multi -smp 2 -m 3072)
		F_APPEND=""
		F_CASES="lab_bind loop_va_dpdk loop_pa_dpdk loop_va_xmem loop_pa_xmem reserved_iova not_mapped"
		;;
	igb)
		# VT-d as in vtd; the cases are test/vm/cases/igb.sh's.
		F_MACHINE=(-machine q35,accel=tcg,kernel-irqchip=split -cpu max -smp 2 -m 3072)
		F_IOMMU=(-device intel-iommu,intremap=on,caching-mode=on)
		F_APPEND="intel_iommu=on"
		F_QEMU10=yes
		F_NICS=igb
		F_CASES=
		;;
	*)
		msg "unknown family '$FAM' (families: $FAMILIES)"
		exit 2
		;;
	esac
	# Cases from test/vm/cases/*.sh join the family's list (see there).
	local extra=LAB_CASES_${FAM//-/_}
	F_CASES="$F_CASES ${!extra:-}"
	F_CASES=${F_CASES% }
	F_CASES=${F_CASES# }
	RUN=$WORK/run-$FAM
	HOSTDIR=$WORK/host-$FAM
	# The guest's root and build dir: this machine's, or the arm64 ones.
	F_ROOT=/
	F_BUILD=$BUILD
	if [ "$F_ARCH" = arm64 ]; then
		F_ROOT=$CACHE/root-arm64-bookworm
		F_BUILD=$WORK/build-arm64
	fi
}

# --- prepare -------------------------------------------------------------

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

SKIP_REASON=
# A lab that is there but broken: a failure (exit 1), not a skip.
FAIL_REASON=
KVER= KDIR= INITRD=

ensure_packages() {
	local missing= p pkgs="qemu-system-x86 busybox-static cpio kmod pciutils xz-utils dpdk"
	[ "$F_ARCH" = arm64 ] && pkgs="$pkgs qemu-system-arm mmdebstrap gcc-aarch64-linux-gnu pkg-config meson ninja-build"
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		SKIP_REASON="missing host packages:$missing (not root, cannot apt-get install)"
		return 1
	fi
	msg "apt-get install$missing"
	if ! DEBIAN_FRONTEND=noninteractive progress "apt-get install$missing" timeout --foreground 300 apt-get install -y -q --no-install-recommends $missing >&2; then
		DEBIAN_FRONTEND=noninteractive progress "apt-get update" timeout --foreground 200 apt-get update -q >&2
		DEBIAN_FRONTEND=noninteractive progress "apt-get install$missing" timeout --foreground 300 apt-get install -y -q --no-install-recommends $missing >&2 || {
			SKIP_REASON="cannot install host packages:$missing"
			return 1
		}
	fi
}

# apt_for SUITE ARCH: set APT_OPTS to an apt configuration of its own (in
# the cache) for that suite and architecture, its package lists updated
# at most once a day. The system's apt is neither used nor changed.
apt_for() {
	local d=$CACHE/apt/$1-$2
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	[ -f "$d/status" ] || : > "$d/status"
	echo "deb [signed-by=$KEYRING] $MIRROR $1 main" > "$d/sources.list"
	APT_OPTS=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$d/lists" -o Dir::State::Status="$d/status"
		-o Dir::Cache="$d/cache" -o APT::Architecture="$2" -o APT::Architectures="$2"
		-o Debug::NoLocking=1)
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		msg "apt-get update of $1/$2 (private lists in $d)"
		progress "apt-get update of $1/$2" timeout --foreground 300 apt-get "${APT_OPTS[@]}" update -q >&2 ||
			msg "apt-get update of $1/$2 failed (using the lists and packages cached)"
	fi
}

# QEMU 10 (the igb family: QEMU 7.2 has no igb model) from
# bookworm-backports, unpacked into the cache beside the system's QEMU,
# which stays as it is. Sets F_QEMU and F_QEMU_ENV. .done holds the
# packages' file names: a newer backport unpacks afresh.
QEMU10_PKGS="qemu-system-x86 qemu-system-common qemu-system-data seabios"
ensure_qemu10() {
	local d=$CACHE/qemu10 p v deb debs=
	mkdir -p "$d/debs"
	apt_for bookworm-backports amd64
	for p in $QEMU10_PKGS; do
		deb=
		# The backport the private lists name, else (offline) the
		# newest one cached.
		v=$(apt-cache "${APT_OPTS[@]}" show "$p" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
		# apt names the file with the epoch as %3a
		[ -n "$v" ] && deb=$(ls -1 "$d/debs/${p}_"*"${v#*:}_"*.deb 2>/dev/null | tail -n 1)
		if [ -z "$deb" ] && [ -n "$v" ]; then
			msg "apt-get download $p $v (bookworm-backports, into $d/debs)"
			(cd "$d/debs" && progress "apt-get download $p" \
				timeout --foreground 300 apt-get "${APT_OPTS[@]}" download "$p=$v" >&2) ||
				msg "download of $p failed"
			deb=$(ls -1 "$d/debs/${p}_"*"${v#*:}_"*.deb 2>/dev/null | tail -n 1)
		fi
		[ -z "$deb" ] && deb=$(ls -1 "$d/debs/${p}"_*.deb 2>/dev/null | sort -V | tail -n 1)
		if [ -z "$deb" ]; then
			SKIP_REASON="no QEMU 10 for the $FAM family: $p could not be had from bookworm-backports at $MIRROR (apt-get update or download failed) and none is cached in $d/debs"
			return 1
		fi
		debs="$debs $(basename "$deb")"
	done
	if [ "$(cat "$d/root/.done" 2>/dev/null)" != "$debs" ]; then
		msg "unpacking QEMU 10:$debs"
		rm -rf "$d/root"
		mkdir -p "$d/root"
		for deb in $debs; do
			dpkg -x "$d/debs/$deb" "$d/root" || { FAIL_REASON="dpkg -x $d/debs/$deb $d/root failed"; return 1; }
		done
		echo "$debs" > "$d/root/.done"
	fi
	F_QEMU=$d/root/usr/bin/qemu-system-x86_64
	# Its modules and firmware, not the system QEMU's.
	F_QEMU_ENV=(env QEMU_MODULE_DIR="$d/root/usr/lib/x86_64-linux-gnu/qemu")
	F_QEMU_ARGS=(-L "$d/root/usr/share/qemu" -L "$d/root/usr/share/seabios")
	"${F_QEMU_ENV[@]}" "$F_QEMU" --version > "$d/version.txt" 2>&1 ||
		{ FAIL_REASON="the unpacked QEMU 10 does not run: $(head -n 2 "$d/version.txt" | tr '\n' ' ')"; return 1; }
	msg "QEMU for $FAM: $(head -n 1 "$d/version.txt") ($F_QEMU)"
}

# Sets KVER and KDIR (unpacked kernel package, depmod done).
ensure_kernel() {
	local pkg deb
	mkdir -p "$CACHE/debs"
	if [ "$F_KSUITE" = bookworm ] && [ "$F_ARCH" = amd64 ]; then
		APT_OPTS=()
		pkg=${IOL_VM_KERNEL_PKG:-}
	else
		apt_for "$F_KSUITE" "$F_ARCH"
		pkg=
	fi
	[ -n "$pkg" ] || pkg=$(apt-cache "${APT_OPTS[@]}" depends "$F_KMETA" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	deb=
	if [ -n "$pkg" ]; then
		deb=$(ls -1 "$CACHE/debs/${pkg}"_*_"$F_ARCH".deb 2>/dev/null | tail -n 1)
		if [ -z "$deb" ]; then
			msg "apt-get download $pkg ($F_KSUITE/$F_ARCH, into $CACHE/debs)"
			(cd "$CACHE/debs" && progress "apt-get download $pkg" \
				timeout --foreground 300 apt-get "${APT_OPTS[@]}" download "$pkg" >&2) ||
				msg "download of $pkg failed"
			deb=$(ls -1 "$CACHE/debs/${pkg}"_*_"$F_ARCH".deb 2>/dev/null | tail -n 1)
		fi
	fi
	# Offline fallback: the newest fitting kernel package in the cache.
	[ -z "$deb" ] && deb=$(ls -1 "$CACHE"/debs/${F_KGLOB}_*_"$F_ARCH".deb 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		SKIP_REASON="no Debian kernel package: apt-get download ${pkg:-$F_KMETA dependency} ($F_KSUITE/$F_ARCH) failed and none is cached in $CACHE/debs"
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
		# Merged /usr (trixie): the modules are in usr/lib/modules.
		[ -d "$KDIR/usr/lib/modules" ] && [ ! -e "$KDIR/lib" ] && ln -s usr/lib "$KDIR/lib"
		depmod -b "$KDIR" "$KVER" || { FAIL_REASON="depmod -b $KDIR $KVER failed"; return 1; }
		touch "$KDIR/.done"
	fi
	[ -f "$KDIR/boot/vmlinuz-$KVER" ] || { FAIL_REASON="no boot/vmlinuz-$KVER in $deb (unpacked in $KDIR)"; return 1; }
}

# The arm64 root (smmuv3): extracted, never configured (no arm64 code runs
# on this machine); it is the guest's root and the cross build's sysroot.
ARM64_PKGS=busybox-static,dpdk,dpdk-dev,libdpdk-dev,libnuma-dev,libhugetlbfs-dev,libc6-dev,pciutils,kmod,python3,bash,coreutils,util-linux,mount,procps,grep,sed,gawk,findutils,debianutils,iproute2,libxtables12
ensure_arm64_root() {
	local r=$F_ROOT
	# .done holds the package list: a changed list makes a new root.
	if [ "$(cat "$r/.done" 2>/dev/null)" != "$ARM64_PKGS" ]; then
		rm -rf "$r.tmp"
		msg "mmdebstrap --variant=extract --architectures=arm64 bookworm (about 400 MB, into $r)"
		progress "mmdebstrap of the arm64 root" timeout --foreground 900 mmdebstrap --variant=extract \
			--architectures=arm64 --include="$ARM64_PKGS" bookworm "$r.tmp" "$MIRROR" >&2 ||
			{ SKIP_REASON="mmdebstrap of the arm64 root failed (no archive?)"; rm -rf "$r.tmp"; return 1; }
		rm -rf "$r"
		mv "$r.tmp" "$r" && echo "$ARM64_PKGS" > "$r/.done"
	fi
	fixup_arm64_root "$r" || { FAIL_REASON="cannot finish the arm64 root $r"; return 1; }
}

# What the maintainer scripts would have done, as far as the lab needs it.
fixup_arm64_root() {
	local r=$1
	[ -e "$r/usr/bin/awk" ] || ln -s gawk "$r/usr/bin/awk"
	[ -e "$r/usr/bin/which" ] || ln -s which.debianutils "$r/usr/bin/which"
	ln -sf bash "$r/bin/sh"
	[ -s "$r/etc/passwd" ] || printf 'root:x:0:0:root:/root:/bin/bash\n' > "$r/etc/passwd"
	[ -s "$r/etc/group" ] || printf 'root:x:0:\n' > "$r/etc/group"
	mkdir -p "$r/root" "$r/tmp" "$r/run" "$r/dev/hugepages" "$r/lib/modules"
	# /var/run and /var/lock lead to the guest's tmpfs /run (DPDK's
	# runtime dir /var/run/dpdk)
	[ -L "$r/var/run" ] || { rm -rf "$r/var/run"; ln -s /run "$r/var/run"; }
	[ -L "$r/var/lock" ] || { rm -rf "$r/var/lock"; ln -s /run/lock "$r/var/lock"; }
}

# The guest's paths that come from this machine (repository, build dir,
# cache, work dir): the arm64 root gets an empty directory for each, where
# guest-init binds it from the share of this machine's /.
keep_paths() {
	echo "$REPO:$BUILD:$CACHE:$WORK"
}

# Cross-build iovaloop and iovaloop-info for arm64 (smmuv3), against the
# arm64 root as sysroot, with test/vm/cross/arm64.ini (sysroot filled in).
ensure_cross_build() {
	local b=$F_BUILD ini=$WORK/arm64-cross.ini p
	sed "s#@SYSROOT@#$F_ROOT#g" "$VM_DIR/cross/arm64.ini" > "$ini.tmp"
	cmp -s "$ini.tmp" "$ini" || { mv "$ini.tmp" "$ini"; rm -rf "$b"; }
	rm -f "$ini.tmp"
	if [ ! -f "$b/build.ninja" ]; then
		msg "meson setup $b --cross-file $ini (arm64)"
		progress "meson setup of the arm64 cross build" meson setup "$b" "$REPO" --cross-file "$ini" > "$WORK/arm64-setup.log" 2>&1 ||
			{ FAIL_REASON="meson setup of the arm64 cross build failed, see $WORK/arm64-setup.log: $(tail -n 3 "$WORK/arm64-setup.log" | tr '\n' ' ')"; rm -rf "$b"; return 1; }
	fi
	progress "ninja (arm64 cross build)" ninja -C "$b" app/iovaloop/iovaloop app/iovaloop-info/iovaloop-info > "$WORK/arm64-build.log" 2>&1 ||
		{ FAIL_REASON="the arm64 cross build failed, see $WORK/arm64-build.log: $(grep -m 3 -E 'error|Error' "$WORK/arm64-build.log" | tr '\n' ' ')"; return 1; }
	for p in "$REPO" "$BUILD" "$CACHE" "$WORK"; do
		mkdir -p "$F_ROOT$p"
	done
}

# Sets INITRD.
ensure_initramfs() {
	local hash tmp m f mods bb
	mods=$(modprobe -d "$KDIR" -S "$KVER" --show-depends -a $F_INITMODS |
		awk '$1 == "insmod" {print $2}')
	[ -n "$mods" ] || { FAIL_REASON="modprobe -d $KDIR -S $KVER finds no $F_INITMODS modules for the initramfs"; return 1; }
	bb=/bin/busybox
	[ "$F_ARCH" = arm64 ] && bb=$F_ROOT/bin/busybox
	[ -f "$bb" ] || { FAIL_REASON="no busybox for $F_ARCH at $bb"; return 1; }
	hash=$( (cat "$VM_DIR/guest-init"; echo "$KVER $mods"; sha1sum "$bb") | sha1sum | cut -c1-12)
	INITRD=$CACHE/initramfs-$KVER-$hash.cpio.gz
	[ -f "$INITRD" ] && return 0
	msg "building $(basename "$INITRD")"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp "$bb" "$tmp/bin/busybox"
	cp "$VM_DIR/guest-init" "$tmp/init"
	chmod 755 "$tmp/init"
	: > "$tmp/modules.order"
	for f in $mods; do
		m=$(basename "$f")
		m=${m%.xz}; m=${m%.zst}
		grep -qx "$m" "$tmp/modules.order" && continue
		# busybox's insmod takes plain .ko files only.
		case $f in
		*.xz) xz -dc "$f" > "$tmp/modules/$m" ;;
		*.zst) zstd -dcq "$f" > "$tmp/modules/$m" ;;
		*) cp "$f" "$tmp/modules/$m" ;;
		esac
		echo "$m" >> "$tmp/modules.order"
	done
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp" &&
		mv "$INITRD.tmp" "$INITRD"
	rm -rf "$tmp"
	rm -f $(ls -1 "$CACHE"/initramfs-"$KVER"-*.cpio.gz | grep -v "$hash")
	[ -f "$INITRD" ] || { FAIL_REASON="cannot build the initramfs $INITRD"; return 1; }
}

prepare() {
	check_paths || { FAIL_REASON="unusable paths (see above)"; return 1; }
	ensure_packages || return 1
	if [ "$F_ARCH" = arm64 ]; then
		ensure_arm64_root && ensure_cross_build || return 1
	fi
	if [ "$F_QEMU10" = yes ]; then
		ensure_qemu10 || return 1
	fi
	ensure_kernel && ensure_initramfs
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

# qemu_cmd MODE CONSOLE-ARGS...: the family's QEMU command line in QEMU[].
qemu_cmd() {
	local mode=$1 nics extra=(); shift
	# pair 1: e1000e back to back on hub 0 (every family but igb)
	nics=(-netdev hubport,id=p1a,hubid=0 -device e1000e,netdev=p1a,addr=0x03,mac=52:54:00:10:00:01
		-netdev hubport,id=p1b,hubid=0 -device e1000e,netdev=p1b,addr=0x04,mac=52:54:00:10:00:02)
	if [ "$F_NICS" = igb ]; then
		# An igb pair on hub 0, in distant slots: each igb's VFs
		# take devfn + 0x80 on (slots 0x13-0x14 for 00:03.0),
		# where a neighbour's would collide.
		nics=(-netdev hubport,id=p1a,hubid=0 -device igb,netdev=p1a,addr=0x03,mac=52:54:00:40:00:01
			-netdev hubport,id=p1b,hubid=0 -device igb,netdev=p1b,addr=0x06,mac=52:54:00:40:00:02)
	fi
	if [ "$F_NICS" = full ]; then
		nics+=(
		# pair 2: virtio-net behind the IOMMU, on hub 1
		-netdev hubport,id=p2a,hubid=1 -device virtio-net-pci,netdev=p2a,addr=0x05,mac=52:54:00:20:00:01,iommu_platform=on,disable-legacy=on
		-netdev hubport,id=p2b,hubid=1 -device virtio-net-pci,netdev=p2b,addr=0x06,mac=52:54:00:20:00:02,iommu_platform=on,disable-legacy=on
		# pair 3: two e1000 behind one conventional PCI bridge: one IOMMU group
		-device pci-bridge,id=br1,chassis_nr=1,bus=pcie.0,addr=0x07
		-netdev hubport,id=p3a,hubid=2 -device e1000,netdev=p3a,bus=br1,addr=0x01,mac=52:54:00:30:00:01
		-netdev hubport,id=p3b,hubid=2 -device e1000,netdev=p3b,bus=br1,addr=0x02,mac=52:54:00:30:00:02)
	fi
	if [ "$F_ARCH" = arm64 ]; then
		# this machine's / for the paths bound into the arm64 root
		extra=(-fsdev local,id=fshost,path=/,security_model=none,readonly=on,multidevs=remap
			-device virtio-9p-pci,fsdev=fshost,mount_tag=iolhost,addr=0x12)
	fi
	if [ "$FAM" = vtd ]; then
		# the monitor and trace file of the trace cases (trace_event)
		extra+=(-monitor "unix:$HOSTDIR/monitor.sock,server=on,wait=off"
			-trace "file=$HOSTDIR/trace.log")
	fi
	QEMU=("${F_QEMU_ENV[@]}" "$F_QEMU" "${F_QEMU_ARGS[@]}" "${F_MACHINE[@]}"
		-nodefaults -no-user-config -no-reboot -display none
		"${F_IOMMU[@]}"
		-kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$INITRD"
		-append "console=$F_CONSOLE,115200 $F_APPEND panic=1 loglevel=5 mitigations=off iol.repo=$REPO iol.work=$RUN iol.mode=$mode iol.keep=$(keep_paths) iol.root=$F_ARCH iol.timeout=$((BOOT_TIMEOUT - 60))"
		"$@"
		-fsdev local,id=fsroot,path="$F_ROOT",security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-pci,fsdev=fsroot,mount_tag=iolroot,addr=0x10
		-fsdev local,id=fswork,path="$RUN",security_model=none
		-device virtio-9p-pci,fsdev=fswork,mount_tag=iolwork,addr=0x11
		"${extra[@]}"
		"${nics[@]}"
	)
}

# A QEMU left by a lab run that was killed (its lab.sh gone, so the lock is
# free) would keep writing into a run directory: end it. Only a process
# whose command line is this lab's QEMU for a run directory of WORK is
# touched.
kill_stale_qemu() {
	local pid
	pid=$(cat "$WORK/qemu.pid" 2>/dev/null) || return 0
	if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null |
			grep -q "iol.work=$WORK/run-[a-z0-9-]* "; then
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
	rm -rf "$RUN" "$HOSTDIR"
	mkdir -p "$RUN/results" "$RUN/trace" "$HOSTDIR"
	# Written first: a later test of the same session that finds no
	# result reports the failure instead of booting again.
	[ -n "${SESSION_KEY:-}" ] && echo "$SESSION_KEY" > "$RUN/session"
	cat > "$RUN/params.sh" <<-EOF
	IOL_FAMILY='$FAM'
	IOL_ARCH='$F_ARCH'
	IOL_NICS='$F_NICS'
	IOL_REPO='$REPO'
	IOL_BUILD='$F_BUILD'
	IOL_RUN='$RUN'
	IOL_KDIR='$KDIR'
	IOL_KVER='$KVER'
	IOL_CASES='$cases'
	IOL_DURATION='$DURATION'
	IOL_XMEM_BASE='$XMEM_BASE'
	EOF
}

# hmp CMD: one command to QEMU's human monitor (trace cases).
hmp() {
	python3 "$VM_DIR/hmp.py" "$HOSTDIR/monitor.sock" "$@"
}

# trace_service: answer the guest's requests to switch the DMA trace
# (RUN/trace/NAME.req-on, .req-off): switch it through the monitor, note
# where the trace file stood, acknowledge (NAME.on, NAME.off: the byte
# range of NAME's translations in HOSTDIR/trace.log).
trace_service() {
	local f name sz
	for f in "$RUN"/trace/*.req-on "$RUN"/trace/*.req-off; do
		[ -e "$f" ] || continue
		name=$(basename "$f"); name=${name%.req-*}
		case $f in
		*.req-on)
			[ -e "$RUN/trace/$name.on" ] && continue
			sz=$(stat -c %s "$HOSTDIR/trace.log" 2>/dev/null || echo 0)
			hmp "trace-event vtd_dmar_translate on" >> "$HOSTDIR/hmp.log" 2>&1
			echo "$sz" > "$RUN/trace/$name.on"
			msg "trace on for $name (trace file at $sz bytes)"
			;;
		*.req-off)
			[ -e "$RUN/trace/$name.off" ] && continue
			hmp "trace-event vtd_dmar_translate off" >> "$HOSTDIR/hmp.log" 2>&1
			sleep 0.5
			sz=$(stat -c %s "$HOSTDIR/trace.log" 2>/dev/null || echo 0)
			echo "$(cat "$RUN/trace/$name.on" 2>/dev/null || echo 0) $sz" > "$RUN/trace/$name.off"
			msg "trace off for $name (trace file at $sz bytes)"
			;;
		esac
	done
}

# trace_check: after the boot, the verdict of the ground truth for every
# trace case the guest ran: its own result (iovaloop passed, pagemap
# dumped) and trace-check.py's comparison, into CASE.rc and CASE.log.
trace_check() {
	local c rc off
	for c in $1; do
		case $c in trace_*) ;; *) continue ;; esac
		[ -f "$RUN/results/$c.rc" ] || continue
		rc=$(cat "$RUN/results/$c.rc")
		off=$(cat "$RUN/trace/$c.off" 2>/dev/null)
		{
			echo "--- host: trace-check.py (QEMU's vtd_dmar_translate against the map and pagemap)"
			if [ -z "$off" ]; then
				echo "FAIL: the trace was never switched off for $c (no $RUN/trace/$c.off)"
				false
			else
				python3 "$VM_DIR/trace-check.py" --trace "$HOSTDIR/trace.log" \
					--range $off --report "$RUN/results/$c.json" \
					--pagemap "$RUN/results/$c.pagemap" \
					--devices "$(cat "$RUN/results/$c.devices" 2>/dev/null)" \
					--summary "$RUN/results/$c.trace.txt"
			fi
		} >> "$RUN/results/$c.log" 2>&1 || rc=1
		echo "$rc" > "$RUN/results/$c.rc"
	done
}

# boot_run "CASES" [stdout|quiet]: one boot running the cases.
boot_run() {
	local cases=$1 out=${2:-stdout} t0 t1 rc con n last
	new_run "$cases"
	if [ "$out" = stdout ]; then
		con=(-chardev "stdio,id=con,signal=off,logfile=$RUN/console.log" -serial chardev:con)
	else
		con=(-chardev "file,id=con,path=$RUN/console.log" -serial chardev:con)
	fi
	qemu_cmd run "${con[@]}"
	echo "${QEMU[*]}" > "$RUN/qemu-cmdline.txt"
	msg "booting $FAM (TCG, whole-boot timeout ${BOOT_TIMEOUT}s, cases: $cases)"
	t0=$(date +%s.%N)
	# fd 9 (the lock) is not passed on: the lock dies with this script.
	# --foreground: timeout and QEMU stay in this script's process group,
	# so killing the group (meson's timeout) ends QEMU too; killing only
	# this script ends it from the trap.
	timeout --foreground -k 10 "$BOOT_TIMEOUT" "${QEMU[@]}" -pidfile "$WORK/qemu.pid" < /dev/null 9>&- &
	QEMU_TIMEOUT_PID=$!
	trap 'stop_qemu; exit 1' TERM INT HUP
	# Serve the trace requests, and say what is awaited at most every
	# 10 s: the kernel, then each case.
	n=0
	while kill -0 "$QEMU_TIMEOUT_PID" 2>/dev/null; do
		sleep 0.5
		n=$((n + 1))
		[ "$FAM" = vtd ] && trace_service
		if [ $((n % 20)) = 0 ]; then
			last=$(grep -a 'guest: case .*: start\|guest: setup: \|iol-init: root mounted' "$RUN/console.log" 2>/dev/null |
				tail -n 1 | sed 's/.*guest: //; s/.*iol-init: //; s/ (.*//')
			msg "$FAM: waiting for the guest ($((n / 2))s of ${BOOT_TIMEOUT}s): ${last:-booting the kernel}"
		fi
	done
	wait "$QEMU_TIMEOUT_PID"
	rc=$?
	trap - TERM INT HUP
	rm -f "$WORK/qemu.pid"
	t1=$(date +%s.%N)
	echo "qemu_exit $rc" >> "$RUN/timings.txt"
	echo "boot_total_s $(awk "BEGIN{printf \"%.1f\", $t1-$t0}")" >> "$RUN/timings.txt"
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "host-side timeout ${BOOT_TIMEOUT}s: QEMU killed" > "$RUN/host-timeout"
	msg "QEMU exited with $rc after $(awk "BEGIN{printf \"%.0f\", $t1-$t0}") s"
	[ "$FAM" = vtd ] && trace_check "$cases"
	return 0
}

# --- reporting -------------------------------------------------------------

# case_report CASE: print the log, return the case's exit status.
case_report() {
	local c=$1 rc
	if [ -f "$RUN/fail" ]; then
		echo "FAIL: the $FAM lab could not be prepared: $(cat "$RUN/fail")"
		return 1
	fi
	if [ -f "$RUN/skip" ]; then
		echo "SKIP: $(cat "$RUN/skip")"
		return 77
	fi
	if [ -f "$RUN/results/$c.rc" ]; then
		rc=$(cat "$RUN/results/$c.rc")
		[ -f "$RUN/results/$c.log" ] && cat "$RUN/results/$c.log"
		echo "--- case $FAM/$c: exit status $rc (results in $RUN/results)"
		return "$rc"
	fi
	echo "FAIL: no result for case $FAM/$c: the guest never finished it"
	[ -f "$RUN/host-timeout" ] && cat "$RUN/host-timeout"
	[ -f "$RUN/guest-timeout" ] && cat "$RUN/guest-timeout"
	echo "--- last lines of $RUN/console.log:"
	tail -n 40 "$RUN/console.log" 2>/dev/null
	return 1
}

summary() {
	local c rc s
	echo "=== lab summary: $FAM ($RUN)"
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
	cat "$RUN"/results/trace_*.trace.txt 2>/dev/null | sed 's/^/  /'
}

# Session key of `lab.sh test`: the parent process (one `meson test`).
session_key() {
	if [ -n "${IOL_VM_SESSION:-}" ]; then
		echo "$IOL_VM_SESSION"
	else
		echo "ppid-$PPID-$(awk '{print $22}' /proc/$PPID/stat 2>/dev/null)"
	fi
}

is_family() { echo " $FAMILIES " | grep -q " $1 "; }

# --- commands --------------------------------------------------------------

cmd=${1:-help}
[ $# -gt 0 ] && shift

case "$cmd" in
prepare)
	family "${1:-vtd}"
	prepare_or_exit
	msg "ready: $FAM: kernel $KVER, initramfs $INITRD"
	;;
list)
	if [ $# = 0 ]; then
		for f in $FAMILIES; do echo "$f"; done
	else
		family "$1"
		for c in $F_CASES; do echo "$c"; done
	fi
	;;
boot)
	family "${1:-vtd}"
	mkdir -p "$WORK"
	exec 9> "$WORK/lock"
	flock -n 9 || { msg "another lab run holds $WORK/lock"; exit 1; }
	prepare_or_exit
	new_run ""
	qemu_cmd shell -serial mon:stdio
	msg "interactive boot of $FAM; Ctrl-a x quits QEMU, exiting the guest shell powers off"
	"${QEMU[@]}" -pidfile "$WORK/qemu.pid" 9>&-
	rm -f "$WORK/qemu.pid"
	;;
run)
	f=vtd
	if [ $# -gt 0 ] && is_family "$1"; then f=$1; shift; fi
	family "$f"
	cases=${*:-$F_CASES}
	for c in $cases; do
		echo " $F_CASES " | grep -q " $c " || { msg "$FAM has no case $c (lab.sh list $FAM)"; exit 2; }
	done
	mkdir -p "$WORK"
	exec 9> "$WORK/lock"
	progress "the lab lock $WORK/lock (another lab run)" flock -w "$((TIMEOUT + 60))" 9 ||
		{ msg "FAIL: $WORK/lock is held by another lab run (an interactive lab.sh boot?) for over $((TIMEOUT + 60))s"; exit 1; }
	prepare_or_exit
	boot_run "$cases" stdout
	summary "$cases"
	for c in $cases; do
		[ "$(cat "$RUN/results/$c.rc" 2>/dev/null)" = 0 ] || exit 1
	done
	;;
test)
	[ $# = 2 ] || { msg "usage: lab.sh test FAMILY CASE"; exit 2; }
	family "$1"
	c=$2
	echo " $F_CASES " | grep -q " $c " || { msg "$FAM has no case $c"; exit 2; }
	key=$(session_key)
	SESSION_KEY=$key
	mkdir -p "$WORK"
	exec 9> "$WORK/lock"
	w=$((TIMEOUT + 60))
	[ -n "${IOL_VM_TEST_TIMEOUT:-}" ] && [ "$w" -gt $((IOL_VM_TEST_TIMEOUT - 30)) ] &&
		w=$((IOL_VM_TEST_TIMEOUT - 30))
	progress "the lab lock $WORK/lock (another lab run)" flock -w "$w" 9 ||
		{ echo "FAIL: $WORK/lock is held by another lab run (an interactive lab.sh boot?) for over ${w}s"; exit 1; }
	if [ "$(cat "$RUN/session" 2>/dev/null)" != "$key" ]; then
		# First test of this family in this session: one boot for all
		# of the family's cases.
		if ! prepare; then
			if [ -n "$FAIL_REASON" ]; then
				new_run "$F_CASES"; echo "$FAIL_REASON" > "$RUN/fail"
			else
				new_run "$F_CASES"; echo "$SKIP_REASON" > "$RUN/skip"
			fi
		elif ! boot_budget; then
			new_run "$F_CASES"; echo "$FAIL_REASON" > "$RUN/fail"
		else
			boot_run "$F_CASES" quiet
		fi
		summary "$F_CASES" >&2
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
