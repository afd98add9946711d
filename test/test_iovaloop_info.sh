#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs the real iovaloop-info on the fixture trees and on this host.
#   test_iovaloop_info.sh PATH/TO/iovaloop-info PATH/TO/test/fixtures
set -u
info=$1
fx=$2
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run EXPECTED_STATUS ARGS...: output in $out and $err
run() {
	want=$1
	shift
	"$info" "$@" >"$out" 2>"$err"
	got=$?
	[ "$got" -eq "$want" ] || fail "iovaloop-info $*: exit $got, expected $want: $(head -c 300 "$err")"
}

# expect PATTERN FILE: a fixed string in the file
expect() {
	grep -qF -- "$1" "$2" || fail "'$1' not in the output of the last run"
}

json_ok() {
	python3 -m json.tool "$out" >/dev/null || fail "JSON does not parse: $*"
}

# Listing of the x86 fixture, groups in numeric order.
run 0 --root "$fx/x86-vtd"
expect "IOMMU Group 2:" "$out"
expect "	0000:00:02.0 Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3] driver=vfio-pci numa=0" "$out"
expect "	reserved 0x00000000fee00000-0x00000000feefffff msi" "$out"
[ "$(grep -n '^IOMMU Group 2:' "$out" | cut -d: -f1)" -lt \
  "$(grep -n '^IOMMU Group 10:' "$out" | cut -d: -f1)" ] || fail "group 2 after 10"
run 0 --root "$fx/x86-vtd" --device 0000:00:0a.0
expect "IOMMU Group 10:" "$out"
grep -q "IOMMU Group 2:" "$out" && fail "--device listed other groups"
run 1 --root "$fx/x86-vtd" --device 0000:00:77.0
expect "not found" "$out"

# JSON of every fixture parses, and the malformed tree warns but exits 0.
for t in x86-vtd arm-smmu no-iommu noiommu-mode nonviable malformed; do
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
*) fail "--check on this host exited $?" ;;
esac

# Bad options: exit 2 and a line naming the option.
run 2 --bogus
expect "unknown option --bogus" "$err"
run 2 --check --iova 5-1
expect "--iova accepts START-END" "$err"
run 2 --check --pin-bytes lots
expect "--pin-bytes accepts" "$err"
run 2 --root
expect "--root accepts an argument" "$err"
run 2 0000:00:02.0
expect "device addresses follow --check" "$err"
run 0 --help
expect "usage: iovaloop-info" "$out"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "iovaloop-info: all checks passed"
