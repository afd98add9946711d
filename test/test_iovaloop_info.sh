#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs the real iovaloop-info on the fixture trees and on this host.
#   test_iovaloop_info.sh PATH/TO/iovaloop-info PATH/TO/test/fixtures
set -u
info=$1
fx=$2
T=$(mktemp -d)
out=$T/out
err=$T/err
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

# run EXPECTED_STATUS ARGS...: output in $out and $err
run() {
	want=$1
	shift
	"$info" "$@" >"$out" 2>"$err"
	got=$?
	[ "$got" -eq "$want" ] || ko "iovaloop-info $*: exit $got, expected $want: $(head -c 300 "$err")"
}

# expect PATTERN FILE: a fixed string in the file
expect() {
	grep -qF -- "$1" "$2" || ko "'$1' not in the output of the last run"
}

json_ok() {
	python3 -m json.tool "$out" >/dev/null || ko "JSON does not parse: $*"
}

# Listing of the x86 fixture, groups in numeric order.
run 0 --root "$fx/x86-vtd"
expect "IOMMU Group 2:" "$out"
expect "	0000:00:02.0 Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3] driver=vfio-pci numa=0" "$out"
expect "	reserved 0x00000000fee00000-0x00000000feefffff msi" "$out"
[ "$(grep -n '^IOMMU Group 2:' "$out" | cut -d: -f1)" -lt \
  "$(grep -n '^IOMMU Group 10:' "$out" | cut -d: -f1)" ] || ko "group 2 after 10"
run 0 --root "$fx/x86-vtd" --device 0000:00:0a.0
expect "IOMMU Group 10:" "$out"
grep -q "IOMMU Group 2:" "$out" && ko "--device listed other groups"
run 1 --root "$fx/x86-vtd" --device 0000:00:77.0
expect "device 0000:00:77.0 not found" "$err"
[ -s "$out" ] && ko "not found written to stdout"
run 1 --root "$fx/x86-vtd" --device 0000:00:77.0 --json
expect "device 0000:00:77.0 not found" "$err"

# JSON of every fixture parses, and the malformed tree warns but exits 0.
for t in x86-vtd arm-smmu no-iommu noiommu-mode nonviable hostile active-nic malformed; do
	run 0 --root "$fx/$t" --json
	json_ok "$t"
done
expect "warning: IOMMU group 3: reserved_regions line 1" "$err"
run 0 --root "$fx/x86-vtd" --json --device 0000:00:02.0
json_ok device
expect '"id": 2,' "$out"

# The doctor: exit 1 on FAIL, 0 without.
run 0 --root "$fx/x86-vtd" --check 0000:00:02.0 --pin-bytes 256M --iova 0x100000000-0x13fffffff
expect "PASS  group 2 viable" "$out"
expect "0 FAIL" "$out"
# The short form BB:DD.F, as iovaloop's -a takes it, and hex in any case.
run 0 --root "$fx/x86-vtd" --check 00:02.0
expect "PASS  0000:00:02.0 bound to vfio-pci" "$out"
expect "0 FAIL" "$out"
run 1 --root "$fx/x86-vtd" --check 0000:00:0A.0
expect "PASS  0000:00:0a.0 bound to vfio-pci" "$out"
run 0 --root "$fx/x86-vtd" --device 00:0a.0
expect "IOMMU Group 10:" "$out"
for bad in 0000:00:3.0 00:03.0,x 0000:00:03.0. 1:00:03.0 0:0:3.0 ""; do
	run 2 --root "$fx/x86-vtd" --check "$bad"
	expect "iovaloop-info: --check: '$bad' is not a PCI address: give DDDD:BB:DD.F or BB:DD.F" "$err"
	[ "$(wc -l <"$err")" -eq 1 ] || ko "bad BDF '$bad': not one line"
	[ -s "$out" ] && ko "bad BDF '$bad': something on stdout"
done
run 2 --root "$fx/x86-vtd" --device zz
expect "iovaloop-info: --device: 'zz' is not a PCI address" "$err"
run 1 --root "$fx/nonviable" --check 0000:00:03.0
expect "FAIL  group 12 not viable: 0000:00:03.0 (vfio-pci) shares it with 0000:00:04.0 bound to e1000e" "$out"
expect "fix: dpdk-devbind.py -b vfio-pci 0000:00:04.0" "$out"
run 1 --root "$fx/x86-vtd" --check 0000:00:02.0 --iova 0xfe000000-0xfeffffff --json
json_ok check
expect '"verdict": "FAIL"' "$out"
expect "the MSI window" "$out"
run 1 --root "$fx/noiommu-mode" --check 0000:00:03.0
expect "pass --allow-noiommu" "$out"
run 0 --root "$fx/noiommu-mode" --check 0000:00:03.0 --allow-noiommu
expect "WARN  vfio unsafe noiommu mode is on and allowed" "$out"

# A NIC carrying this machine's traffic: no bind advice; one without routes: bind.
run 1 --root "$fx/active-nic" --check 0000:00:03.0 0000:00:04.0
expect "FAIL  0000:00:03.0 bound to virtio-pci, not vfio-pci, and its interface eth0 is up and routed (4 routes): binding it to vfio-pci cuts this machine off that network" "$out"
expect "fix: use another NIC" "$out"
grep -q "dpdk-devbind.py -b vfio-pci 0000:00:03.0" "$out" && ko "bind advice for the active NIC"
expect "fix: dpdk-devbind.py -b vfio-pci 0000:00:04.0" "$out"
run 0 --root "$fx/active-nic"
expect "driver=virtio-pci numa=-1 net=eth0(up, 4 routes)" "$out"
run 0 --root "$fx/active-nic" --json --device 0000:00:03.0
json_ok active-nic
expect '"interfaces": [' "$out"

# Untrusted text: no escape from a sysfs or pci.ids file reaches the terminal.
run 0 --root "$fx/hostile"
if grep -q "$(printf '\033')" "$out" "$err"; then
	ko "an escape sequence reached the output"
fi
# C1 controls: the raw byte 0x9b (CSI) and U+009B (0xc2 0x9b).
if LC_ALL=C grep -q "$(printf '\233')" "$out" "$err"; then
	ko "a C1 control (CSI, 0x9b) reached the output"
fi
expect "iommu.strict=1?[2J" "$out"
expect "reserved_regions line 3 is not" "$err"

# A FIFO where a file is expected is skipped, not waited on.
tmp=$(mktemp -d)
mkdir -p "$tmp/proc"
mkfifo "$tmp/proc/cmdline"
if command -v timeout >/dev/null; then
	timeout 10 "$info" --root "$tmp" >"$out" 2>"$err"
	st=$?
	[ "$st" -eq 0 ] || ko "FIFO root: exit $st"
	expect "proc/cmdline could not be read: not a regular file" "$err"
fi
rm -rf "$tmp"

# A 4 GiB pci.ids (sparse) is read up to its 8 MiB cap, with one warning.
tmp=$(mktemp -d)
mkdir -p "$tmp/usr/share/misc"
truncate -s 4G "$tmp/usr/share/misc/pci.ids"
if command -v timeout >/dev/null; then
	timeout 10 "$info" --root "$tmp" >"$out" 2>"$err"
	st=$?
	[ "$st" -eq 0 ] || ko "4 GiB pci.ids: exit $st"
	expect "pci.ids is larger than 8 MiB" "$err"
	[ "$(grep -c 'pci.ids' "$err")" -eq 1 ] || ko "pci.ids warned more than once"
fi
rm -rf "$tmp"

# No false PASS from an overflowing byte count.
run 1 --root "$fx/x86-vtd" --check 0000:00:02.0 --pin-bytes 18446744073709551615
grep -q "PASS.*need 0" "$out" && ko "--pin-bytes 2^64-1 needs 0 pages"
expect "FAIL  8796093022208 2MB hugepages needed" "$out"

# This host, whatever it has: exit 0, and it says whether there is an IOMMU.
run 0
expect "IOMMU enabled: " "$out"
if grep -q "IOMMU enabled: no" "$out"; then
	expect "No IOMMU groups: the IOMMU is not enabled" "$out"
fi
run 0 --json
json_ok host
expect '"iommu_enabled": ' "$out"
"$info" --check >"$out" 2>"$err"
case $? in
0|1) expect "IOMMU" "$out" ;;
*) ko "--check on this host exited $?" ;;
esac

# This host's own NICs: one that is up with an IPv4 route (as dpdk-devbind.py
# counts them, 169.254 left out) must get the FAIL, never the bind command.
for nd in /sys/bus/pci/devices/*/net/* /sys/bus/pci/devices/*/virtio*/net/*; do
	[ -e "$nd" ] || continue
	ifname=${nd##*/}
	bdf=$(echo "$nd" | sed 's|^/sys/bus/pci/devices/\([^/]*\)/.*|\1|')
	flags=$(cat "/sys/class/net/$ifname/flags" 2>/dev/null || echo 0)
	routed=$(awk -v i="$ifname" '$1 == i && $2 !~ /FEA9$/ { n++ } END { print n + 0 }' /proc/net/route 2>/dev/null)
	"$info" --check "$bdf" >"$out" 2>"$err"
	if [ $((flags & 1)) -eq 1 ] && [ "${routed:-0}" -gt 0 ]; then
		expect "its interface $ifname is up and routed" "$out"
		grep -q "dpdk-devbind.py -b vfio-pci $bdf" "$out" &&
			ko "this host's active NIC $bdf ($ifname): bind advice"
	elif [ $((flags & 1)) -eq 0 ]; then
		grep -q "its interface $ifname is up and routed" "$out" &&
			ko "$bdf: $ifname is down, called up and routed"
	fi
done

# Bad options: exit 2 and a line naming the option.
run 2 --bogus
expect "unknown option --bogus" "$err"
run 2 --check --iova 5-1
expect "--iova accepts START-END" "$err"
run 2 --check --pin-bytes lots
expect "--pin-bytes accepts" "$err"
run 2 --root
expect "--root needs a value" "$err"
run 2 -x
expect "unknown option -x (see --help)" "$err"
run 2 --json=foo
expect "iovaloop-info: --json: takes no value (see --help)" "$err"
for flag in allow-noiommu check help; do
	run 2 --$flag=1
	expect "iovaloop-info: --$flag: takes no value (see --help)" "$err"
	[ "$(wc -l <"$err")" -eq 1 ] || ko "--$flag=1: more than one line"
done
# An abbreviation is named in full.
run 2 --allow=1
expect "iovaloop-info: --allow-noiommu: takes no value" "$err"
run 2 --bogus=1
expect "unknown option --bogus (see --help)" "$err"
[ "$(wc -l <"$err")" -eq 1 ] || ko "bad option: more than one line"
[ "$(grep -o 'see --help' "$err" | wc -l)" -eq 1 ] || ko "(see --help) twice"
run 2 --check --hugepage-size 3
expect "--hugepage-size accepts a power of two" "$err"
run 2 --check --hugepage-size 6k
expect "--hugepage-size accepts a power of two" "$err"
run 2 0000:00:02.0
expect "device addresses follow --check" "$err"
run 0 --help
expect "usage: iovaloop-info" "$out"

if [ "$fail" -ne 0 ]; then
	echo "$fail failure(s)"
	exit 1
fi
echo "iovaloop-info: all checks passed"
