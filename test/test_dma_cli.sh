#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# iovaloop --mode dma as a user runs it, on dma_skeleton: a run that
# passes with its JSON report, and every bad value refused with one line
# and exit 2 (option errors before the EAL starts; a device that is not
# there, or dma_skeleton in IOVA-as-PA mode, once the EAL is up).
#
#   test_dma_cli.sh BUILD/app/iovaloop/iovaloop
set -u
B=$1
T=$(mktemp -d /tmp/iol-dma-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
EAL="-l 0-1 --no-pci --log-level=lib.eal:warning --vdev dma_skeleton"
VA="$EAL --iova-mode=va"
. "$(dirname "$0")/lib.sh"

# The driver is a plugin the EAL loads from DPDK's driver directory.
if [ -z "$(find "$(pkg-config --variable=libdir libdpdk)" -name 'librte_dma_skeleton.so*' 2>/dev/null)" ]; then
	echo "SKIP: the dma_skeleton driver (librte_dma_skeleton) is not installed"
	exit 77
fi

# refuses STATUS WORDS EAL-ARGS -- ARGS: exit STATUS, exactly one iovaloop line, holding WORDS.
refuses() {
	want=$1 words=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" = "$want" ] && [ "$(grep -c '^iovaloop: ' "$T/err")" = 1 ] &&
	   grep '^iovaloop: ' "$T/err" | grep -q -F -- "$words"; then
		ok "exit $want, one line with '$words'"
	else
		ko "'$words': exit $got, want $want"
	fi
}

# A run that passes, and its report.
$B $VA -- --mode dma --dma dma_skeleton --duration 0.5 --stats-period 0 \
	--copy-size 2048 --burst 16 --inflight 32 --loss-timeout 3000 --json "$T/r.json" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 0 ] && grep -q "Result: PASS, all [0-9]* copies verified" "$T/out"; then
	ok "dma_skeleton run passes"
else
	ko "dma_skeleton run (exit $rc)"; tail -20 "$T/out"
fi
for e in "r['config']['mode'] == 'dma'" "r['config']['dma'] == 'dma_skeleton'" \
	 "r['config']['copy_size'] == 2048 and r['config']['inflight'] == 32" \
	 "r['format_version'] == 2 and r['result'] == 'pass'" \
	 "r['dma']['issued'] > 0 and r['dma']['verified'] == r['dma']['issued']" \
	 "all(v == 0 for v in r['dma']['errors'].values())" \
	 "sorted(r['dma']['errors']) == ['corrupted', 'error', 'lost', 'misplaced']" \
	 "r['dma']['latency_ns']['count'] == r['dma']['issued']" \
	 "r['dma']['gbps'] > 0 and r['memcpy']['gbps'] > 0 and r['ratio'] > 0" \
	 "r['memcpy']['verified'] == r['memcpy']['copies'] > 0" \
	 "r['memory']['kind'] == 'dpdk' and r['memory']['iova_mode'] == 'va'"; do
	if python3 -c "import json,sys; r=json.load(open('$T/r.json')); sys.exit(0 if ($e) else 1)"; then
		ok "json: $e"
	else
		ko "json: $e"
	fi
done

# early WORDS ARGS: refused with exit 2 before the EAL started.
early() {
	refuses 2 "$@"
	if ! grep -q EAL "$T/err" "$T/out"; then ok "  ... before the EAL"; else ko "  ... EAL ran"; fi
}

# Bad values, before the EAL.
early "--copy-size: '0'" $B $VA -- --mode dma --dma dma_skeleton --copy-size 0
early "--copy-size: '65537'" $B $VA -- --mode dma --dma dma_skeleton --copy-size 65537
early "--mode dma: needs --dma" $B $VA -- --mode dma
early "--pkt-size: not with --mode dma" $B $VA -- --mode dma --dma dma_skeleton --pkt-size 64
early "--queues: not with --mode dma" $B $VA -- --mode dma --dma dma_skeleton --queues 2
early "--dma: only with --mode dma" $B $VA -- --dma dma_skeleton
early "--copy-size: only with --mode dma" $B $VA -- --mode loop --copy-size 64
# Bad values the EAL's devices decide.
refuses 2 "--dma nope: no dmadev of that name or id (dmadevs: dma_skeleton (id 0))" \
	$B $VA -- --mode dma --dma nope --duration 0.1
refuses 2 "--dma 7: no dmadev" $B $VA -- --mode dma --dma 7 --duration 0.1
refuses 2 "dma_skeleton is probed in IOVA-as-VA mode only: --iova-mode=va" \
	$B $EAL --iova-mode=pa -- --mode dma --dma dma_skeleton --duration 0.1
refuses 3 "--inflight: dma_skeleton holds at most" \
	$B $VA -- --mode dma --dma dma_skeleton --inflight 9999 --duration 0.1
refuses 3 "--iova-base: dma_skeleton takes IOVAs as virtual addresses" \
	$B $VA -- --mode dma --dma dma_skeleton --mem xmem --iova-base 0x50000000 --duration 0.1
# More external memory than the host has free: the library's message once,
# with the doctor's fix whole (it was doubled, and cut at 256 bytes).
refuses 3 "--mem xmem: xmem: not enough free hugepages of 2048 kB" \
	$B $VA -- --mode dma --dma dma_skeleton --mem xmem --xmem-size 64G --duration 0.1
if grep '^iovaloop: ' "$T/err" | grep -q -F -- "-r being the total to reserve)"; then
	ok "the fix's command whole"
else
	ko "the fix's command cut short"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
