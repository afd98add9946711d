#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# compat: the sources built and the fast suite run on Debian 13 (trixie) and
# its DPDK 24.11, in a chroot made once and kept outside the repository
# (doc/compat.md).
#
#   trixie.sh SOURCE_DIR [LOG_DIR]
#
# IOL_COMPAT_CACHE   where the chroot is kept (/var/cache/iovaloop/compat)
# IOL_COMPAT_MIRROR  Debian archive to use (default: the one apt uses here)
#
# Exit 0 passed, 1 failed, 77 skipped: only when the chroot has to be made
# and debootstrap cannot reach Debian's archive.
#
# The chroot is made in CACHE/trixie.tmp and renamed CACHE/trixie when
# complete, with a stamp holding its package set; a run that finds it with
# the same set downloads nothing. Each phase runs in its own mount and PID
# namespace (and, to build and test, network namespace), so that whatever
# it mounts, starts or creates ends with it even when killed; the EXIT trap
# undoes it all first and checks with findmnt that nothing stays mounted.
set -euo pipefail

SUITE=trixie
# Packages of setup.sh that only the host needs, or that trixie names
# otherwise (its libFuzzer runtime is libclang-rt-dev, in CHROOT_EXTRA).
HOST_ONLY="debootstrap libclang-rt-14-dev"
# What the chroot needs beyond setup.sh's PACKAGES: iproute2 for `ip netns`,
# clang and the libFuzzer runtime for fuzz tests. Extend here.
CHROOT_EXTRA="iproute2 clang libclang-rt-dev"
# Progress lines on long waits, at most this often (s).
TICK=10

say() { echo "compat: $*"; }
die() { echo "compat: FAIL: $*"; exit 1; }

# --- inside the namespaces (phases "make" and "use") -----------------------

# Mount points at or below $1, deepest first.
mounts_under() {
	findmnt -rn -o TARGET | awk -v r="$1" '$0 == r || index($0, r "/") == 1' | sort -r
}

# Unmount everything at or below $1; lazily as a last resort. Fails if
# something stays mounted.
unmount_all() {
	local r=$1 m try
	for try in 1 2 3 4 5; do
		[ -z "$(mounts_under "$r")" ] && return 0
		for m in $(mounts_under "$r"); do
			umount "$m" 2>/dev/null || { [ "$try" -ge 3 ] && umount -l "$m" 2>/dev/null; } || true
		done
	done
	[ -z "$(mounts_under "$r")" ] && return 0
	echo "compat: FAIL: still mounted below $r: $(mounts_under "$r" | tr "\n" " ")"
	return 1
}

# Is any process other than us (PID 1) left? No fork: /proc is our
# namespace's (unshare --mount-proc).
others() {
	local p
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" != 1 ] && return 0
	done
	return 1
}

inner_cleanup() {
	local rc=$? netns n_proc=0 n_mnt n_ns=0 p
	trap - EXIT INT TERM
	set +e
	# We are PID 1 of our own PID namespace: -1 is every other process in it.
	if [ "$$" = 1 ]; then
		for p in /proc/[0-9]*; do
			[ "${p#/proc/}" != 1 ] && n_proc=$((n_proc + 1))
		done
		kill -TERM -1 2>/dev/null
		for _ in 1 2 3 4 5; do
			others || break
			sleep 1
		done
		kill -KILL -1 2>/dev/null
		wait 2>/dev/null
	fi
	# Network namespaces the tests left, their mount points first.
	for netns in "$ROOT"/run/netns/*; do
		mountpoint -q "$netns" 2>/dev/null && umount "$netns" && n_ns=$((n_ns + 1))
	done
	mountpoint -q "$ROOT/run/netns" 2>/dev/null && umount "$ROOT/run/netns"
	n_mnt=$(mounts_under "$ROOT" | wc -l)
	if unmount_all "$ROOT"; then
		[ $rc -eq 0 ] || say "cleaned up after exit $rc: $n_proc processes ended, $n_ns network namespaces and $n_mnt more mounts removed, nothing mounted below $ROOT"
	else
		rc=1
	fi
	exit $rc
}

# run_logged WHAT LOG CMD...: CMD with its output in LOG, a progress line
# every $TICK s while it runs; CMD's exit status.
run_logged() {
	local what=$1 log=$2 start=$SECONDS next=$TICK job rc=0
	shift 2
	"$@" >"$log" 2>&1 </dev/null &
	job=$!
	while kill -0 "$job" 2>/dev/null; do
		sleep 1
		if [ $((SECONDS - start)) -ge "$next" ]; then
			say "waiting for $what: $((SECONDS - start)) s ($(tail -n 1 "$log" | tr -d '\r' | cut -c 1-90))"
			next=$((next + TICK))
		fi
	done
	wait "$job" || rc=$?
	return $rc
}

in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

mount_system() {
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs sysfs "$ROOT/sys"
	mount --bind /dev "$ROOT/dev"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"
	mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
}

bytes() { { du -sb "$@" 2>/dev/null || true; } | awk '{ s += $1 } END { print s + 0 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# Make $ROOT (CACHE/trixie.tmp), or add packages to it: debootstrap, then
# apt-get install of $PKGS. Debs are kept in CACHE/debs and CACHE/apt.
phase_make() {
	local t0=$SECONDS before after p missing=() index=0 fetched
	trap inner_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir -p "$CACHE/debs" "$CACHE/apt/partial" "$CACHE/logs"
	before=$(bytes "$CACHE/debs")
	if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
		say "debootstrap --variant=minbase $SUITE from $MIRROR"
		run_logged "debootstrap" "$CACHE/logs/debootstrap.log" \
			debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
			"$SUITE" "$ROOT" "$MIRROR" ||
			{ tail -n 20 "$CACHE/logs/debootstrap.log"; die "debootstrap failed (log: $CACHE/logs/debootstrap.log)"; }
		say "debootstrap done in $((SECONDS - t0)) s"
		# Its package index is not kept: downloaded each time.
		index=$(awk -v f="main/binary-$(dpkg --print-architecture)/Packages.xz" \
			'$3 == f && !n { n = $2 } END { print n + 0 }' "$ROOT"/var/lib/apt/lists/*_InRelease 2>/dev/null || echo 0)
	fi
	# No service starts in a chroot.
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	echo 'APT::Keep-Downloaded-Packages "true";' >"$ROOT/etc/apt/apt.conf.d/90iovaloop"
	mount --bind "$ROOT" "$ROOT"
	mount_system
	mount --bind "$CACHE/apt" "$ROOT/var/cache/apt/archives"
	run_logged "apt-get update" "$CACHE/logs/apt-update.log" in_root apt-get update ||
		{ tail -n 20 "$CACHE/logs/apt-update.log"; die "apt-get update in the chroot failed"; }
	for p in $PKGS; do
		in_root apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || die "not in $SUITE: ${missing[*]}"
	say "apt-get install in the chroot: $PKGS"
	run_logged "apt-get install" "$CACHE/logs/apt-install.log" \
		in_root apt-get install -y --no-install-recommends $PKGS ||
		{ tail -n 20 "$CACHE/logs/apt-install.log"; die "apt-get install in the chroot failed"; }
	after=$(bytes "$CACHE/debs")
	# apt's own count: "Fetched 179 MB in 8s (21.3 MB/s)".
	fetched=$(cat "$CACHE/logs/apt-update.log" "$CACHE/logs/apt-install.log" | awk '
		$1 == "Fetched" { m = $3 == "B" ? 1 : $3 == "kB" ? 1e3 : $3 == "MB" ? 1e6 : $3 == "GB" ? 1e9 : 0
			s += $2 * m } END { print int(s) }')
	say "chroot ready in $((SECONDS - t0)) s; downloaded $(mb $((after - before + ${index:-0} + fetched))):" \
		"debootstrap $(mb $((after - before))) of packages (new in $CACHE) and $(mb "${index:-0}") of index," \
		"apt-get $(mb "$fetched")"
}

# A copy of the sources, without build dirs and what git ignores: what a
# clone would hold, plus files not committed yet.
copy_sources() {
	if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$SRC" ls-files -z --cached --others --exclude-standard |
			tar -C "$SRC" --null --ignore-failed-read -T - -cf - 2>/dev/null
	else
		tar -C "$SRC" --exclude-vcs --exclude-tag-all=build.ninja -cf - .
	fi | tar -C "$1" -xf -
	[ -f "$1/meson.build" ] || die "copying $SRC into the chroot failed"
}

# Build the sources (werror) in /tmp/build of the chroot and run its fast
# suite; copy the logs to LOG_DIR.
phase_use() {
	local t0=$SECONDS rc=0
	trap inner_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# `ip netns` wants / to be a mount point.
	mount --bind "$ROOT" "$ROOT"
	mount_system
	mkdir -p "$ROOT/dev/hugepages" "$ROOT/tmp/src"
	mount -t hugetlbfs nodev "$ROOT/dev/hugepages"
	copy_sources "$ROOT/tmp/src"
	ip link set lo up
	say "building on $(in_root sh -c 'echo $(gcc -dumpfullversion) DPDK $(pkg-config --modversion libdpdk) meson $(meson --version)' | sed 's/^/gcc /')"
	run_logged "meson setup and ninja" "$ROOT/tmp/build.log" in_root sh -c \
		'meson setup -Dwerror=true /tmp/build /tmp/src && ninja -C /tmp/build' || rc=$?
	[ -n "$LOGDIR" ] && cp "$ROOT/tmp/build.log" "$LOGDIR/build.log"
	if [ $rc -ne 0 ]; then
		grep -E 'error:|warning:|FAILED:' "$ROOT/tmp/build.log" | sed -n 1,40p || true
		tail -n 20 "$ROOT/tmp/build.log"
		die "the build on DPDK 24.11 failed (exit $rc)"
	fi
	say "built in $((SECONDS - t0)) s, warnings are errors"
	t0=$SECONDS
	run_logged "meson test --suite fast" "$ROOT/tmp/test.log" in_root \
		meson test -C /tmp/build --suite fast --num-processes 2 --print-errorlogs || rc=$?
	sed 's/^/  | /' "$ROOT/tmp/test.log"
	if [ -n "$LOGDIR" ] && [ -d "$ROOT/tmp/build/meson-logs" ]; then
		cp "$ROOT/tmp/build/meson-logs/testlog.txt" "$LOGDIR/" 2>/dev/null || true
	fi
	python3 - "$ROOT/tmp/build/meson-logs/testlog.json" "$((SECONDS - t0))" <<'PY' || true
import json, sys
c = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    c[r if r in ("OK", "SKIP") else "FAIL"] += 1
print(f"compat: DPDK 24.11 fast suite in {sys.argv[2]} s: {c['OK']} passed, {c['FAIL']} failed, {c['SKIP']} skipped")
PY
	[ $rc -eq 0 ] || die "the fast suite failed on DPDK 24.11 (meson test exit $rc${LOGDIR:+; log: $LOGDIR/testlog.txt})"
}

case "${1:-}" in
--phase-*)
	# Only as PID 1 of the namespaces the host part makes (see ns below).
	[ "$$" = 1 ] || { echo "$0: $1 is internal; run $0 SOURCE_DIR" >&2; exit 2; }
	case $1 in
	--phase-make) phase_make ;;
	--phase-use) phase_use ;;
	*) exit 2 ;;
	esac
	exit 0
	;;
esac

# --- on the host ------------------------------------------------------------

[ $# -ge 1 ] || { echo "usage: $0 SOURCE_DIR [LOG_DIR]" >&2; exit 2; }
SRC=$(realpath "$1")
LOGDIR=${2:+$(realpath -m "$2")}
CACHE=$(realpath -m "${IOL_COMPAT_CACHE:-/var/cache/iovaloop/compat}")
FINAL=$CACHE/$SUITE
TMP=$CACHE/$SUITE.tmp
STAMP=.iovaloop-compat-stamp
T_START=$SECONDS

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
for c in debootstrap unshare flock findmnt chroot wget; do
	command -v "$c" >/dev/null || die "$c not installed (./setup.sh installs it)"
done
[ -f "$SRC/meson.build" ] && [ -f "$SRC/setup.sh" ] || die "$SRC is not the iovaloop source tree"
case "$SRC/" in "$CACHE"/*) die "the source tree is inside the cache $CACHE" ;; esac
case "$CACHE/" in "$SRC"/*) die "the cache $CACHE is inside the source tree" ;; esac

# The packages: setup.sh's PACKAGES less the host's own, plus CHROOT_EXTRA.
setup_pkgs=$(awk '/^PACKAGES="/ { on = 1; sub(/^PACKAGES="/, "") }
	on { if (sub(/".*/, "")) { print; exit } print }' "$SRC/setup.sh")
[ -n "$setup_pkgs" ] || die "no PACKAGES=\"...\" in $SRC/setup.sh"
PKGS=$(for p in $setup_pkgs $CHROOT_EXTRA; do
	case " $HOST_ONLY " in *" $p "*) ;; *) echo "$p" ;; esac
done | sort -u | tr '\n' ' ')
PKGS=${PKGS% }
WANT="packages: $PKGS"

# The Debian archive apt uses here: the first source of this release.
find_mirror() {
	local codename f
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v c="$codename" '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == c) { print $i; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" }
		{
			types = uris = suites = ""; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^[ \t]*#/ || index($i, ":") == 0) continue
				k = tolower(substr($i, 1, index($i, ":") - 1))
				v = substr($i, index($i, ":") + 1)
				if (k == "types") types = v
				else if (k == "uris") uris = v
				else if (k == "suites") suites = v
				else if (k == "enabled") enabled = tolower(v)
			}
			if (enabled ~ /no/ || (" " types " ") !~ /[ \t]deb[ \t]/) next
			if ((" " suites " ") !~ ("[ \t]" c "[ \t]")) next
			n = split(uris, u, /[ \t]+/)
			for (j = 1; j <= n; j++) if (u[j] != "") { print u[j]; exit }
		}' "$f"
	done
}

# Nothing of ours may stay mounted below the cache on the host.
host_mounts_check() {
	local left
	left=$(findmnt -rn -o TARGET | awk -v r="$CACHE" 'index($0, r "/") == 1')
	[ -z "$left" ] && return 0
	say "mounted below $CACHE on the host: $left; unmounting lazily"
	echo "$left" | sort -r | xargs -r -n 1 umount -l
	return 1
}

# rm -rf a chroot dir, only once nothing is mounted below it.
remove_tree() {
	host_mounts_check || true
	[ -z "$(findmnt -rn -o TARGET | awk -v r="$1" '$0 == r || index($0, r "/") == 1')" ] ||
		die "$1 still has mounts; not removing it"
	rm -rf --one-file-system "$1"
}

mkdir -p "$CACHE"
[ -n "$LOGDIR" ] && mkdir -p "$LOGDIR"

# One run at a time uses the cache (it is shared by every clone here).
exec 9>"$CACHE/lock"
waited=0
until flock -n 9; do
	[ "$waited" -lt 600 ] || die "another run held $CACHE/lock for 600 s"
	[ $((waited % TICK)) -eq 0 ] && [ "$waited" -gt 0 ] &&
		say "waiting for another compat run to release $CACHE/lock: $waited s"
	sleep 1
	waited=$((waited + 1))
done

host_mounts_check || say "(left by an earlier run)"

export CACHE SUITE SRC LOGDIR PKGS MIRROR=""
ns() { unshare --mount --pid --fork --mount-proc --propagation private --kill-child=TERM "$@"; }

if [ -d "$FINAL" ] && [ "$(sed -n 1p "$FINAL/$STAMP" 2>/dev/null)" = "$WANT" ]; then
	say "reusing the $SUITE chroot $FINAL (made $(sed -n 's/^made: //p' "$FINAL/$STAMP"), DPDK $(sed -n 's/^dpdk: //p' "$FINAL/$STAMP")): nothing downloaded"
	say "reused package set: $PKGS"
else
	MIRROR=${IOL_COMPAT_MIRROR:-$(find_mirror | sed -n 1p)}
	[ -n "$MIRROR" ] || die "no Debian archive for this release in /etc/apt/sources.list(.d); set IOL_COMPAT_MIRROR"
	# The only skip: Debian's archive cannot be reached to make the chroot.
	if ! wget -q -T 20 -t 2 -O /dev/null "$MIRROR/dists/$SUITE/InRelease"; then
		echo "SKIP: Debian's archive $MIRROR is not reachable to make the $SUITE chroot"
		exit 77
	fi
	if [ -d "$TMP" ]; then
		say "removing the half-made chroot $TMP (an interrupted run)"
		remove_tree "$TMP"
	fi
	if [ -d "$FINAL" ]; then
		say "the package set changed: adding to $FINAL (was: $(sed -n 's/^packages: //p' "$FINAL/$STAMP" 2>/dev/null))"
		mv "$FINAL" "$TMP"
	fi
	export ROOT=$TMP
	ns "$0" --phase-make || { rc=$?; host_mounts_check || true; [ $rc -eq 77 ] && rc=1; exit $rc; }
	host_mounts_check || die "the make phase left mounts on the host"
	{
		echo "$WANT"
		echo "made: $(date -u '+%Y-%m-%d %H:%M UTC') from $MIRROR"
		echo "dpdk: $(chroot "$TMP" dpkg-query -W -f '${Version}' libdpdk-dev)"
	} >"$TMP/$STAMP"
	mv "$TMP" "$FINAL"
	say "chroot $FINAL complete: $(du -shx "$FINAL" | cut -f 1) on disk, packages kept in $CACHE/debs and $CACHE/apt"
fi

export ROOT=$FINAL
rc=0
ns --net "$0" --phase-use || rc=$?
host_mounts_check || { say "FAIL: mounts left on the host"; rc=1; }
say "total $((SECONDS - T_START)) s"
[ $rc -eq 77 ] && rc=1
exit $rc
