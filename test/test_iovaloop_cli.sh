#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The iovaloop program as a user runs it: exit status of each kind of
# failure, bad options refused before the EAL starts, the JSON report,
# SIGINT, and txonly/rxonly in two processes joined by a memif link.
#
#   test_iovaloop_cli.sh BUILD/app/iovaloop/iovaloop
set -u
B=$1
T=$(mktemp -d /tmp/iol-cli.XXXXXX)
trap 'rm -rf "$T"; [ -n "${PFX:-}" ] && cleanup_prefix' EXIT
EAL="-l 0-1 --no-pci --in-memory --log-level=lib.eal:warning"
. "$(dirname "$0")/lib.sh"
# expect NAME STATUS CMD...: run CMD, compare its exit status.
expect() {
	name=$1 want=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else ko "$name (exit $got, want $want)"; fi
}
# json FILE PYTHON-EXPRESSION: the expression holds for the report r.
json() {
	if python3 -c "import json,sys; r=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; then
		ok "json: $2"
	else
		ko "json: $2"; python3 -m json.tool "$1" | head -60
	fi
}

# Bad options: exit 2, one line naming the option, before the EAL runs.
for bad in "--burst 0" "--pkt-size 20" "--mode pingpong" "--ports 0,1,2" \
	   "--verify most" "--iova-base 0x1000" "--queues 99" "--nonsense"; do
	opt=${bad%% *}
	expect "refuses $bad" 2 $B $EAL -- $bad
	if [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "$opt" "$T/err" &&
	   ! grep -q "EAL" "$T/out" "$T/err"; then
		ok "one line naming $opt, EAL untouched"
	else
		ko "message for $bad"
	fi
done
expect "--help" 0 $B -- --help

# refuses WORDS ARGS...: exit 2, one line on stderr holding WORDS, nothing
# from the EAL (it never started). Strict numbers and lists, options named
# as written, and combinations that could not verify what they claim.
refuses() {
	words=$1; shift
	expect "refuses $(printf '%s ' "$@" | tr '\n\t' '  ')" 2 $B $EAL -- "$@"
	if [ "$(wc -l <"$T/err")" = 1 ] && grep -q -F -- "$words" "$T/err" &&
	   ! grep -q "EAL" "$T/out" "$T/err"; then
		ok "one line with '$words', EAL untouched"
	else
		ko "message for $* (want '$words')"
	fi
}
refuses "--inflight: '0x0x40'" --inflight 0x0x40
refuses "--pkt-size: '0x40 '" --pkt-size '0x40 '
refuses "--duration: ' 1'" --duration ' 1'
refuses "--duration: '0x1p0'" --duration 0x1p0
refuses "--duration: '1e1'" --duration 1e1
refuses "--duration: 'inf'" --duration inf
refuses "--stats-period: 'nan'" --stats-period nan
refuses "--duration: '1\n2'" --duration "$(printf '1\n2')"
refuses "--ports: '0,,1': an empty item" --ports 0,,1
refuses "--ports: '0,1,': an empty item" --ports 0,1,
refuses "--ports: ',0,1': an empty item" --ports ,0,1
refuses "--test-fault: 'corrupt@1,': an empty item" --test-fault corrupt@1,
refuses "-x: unknown option" -x
refuses "-xy: unknown option" --burst 8 -xy
refuses "--nonsense: unknown option" --nonsense
refuses "--nonsense: unknown option" --nonsense=3
refuses "--verify: none" --mode rxonly --verify none
refuses "--test-fault: --mode rxonly" --mode rxonly --test-fault drop@5
refuses "two faults at frame 5" --test-fault drop@5,dup@5
refuses "swap@10 sends frame 10 right after frame 11" --test-fault swap@10,swap@11
refuses "needs --pkt-size 57" --pkt-size 56 --test-fault corrupt@3
# The isolation probe (doc/probe.md): an engine to probe, no port options,
# and only an engine whose DMA goes through the IOMMU.
refuses "--mode probe: needs --dma" --mode probe
refuses "--burst: not with --mode probe" --mode probe --dma nic:00:03.0 --burst 8
refuses "--verify: not with --mode probe" --mode probe --dma nic:00:03.0 --verify full
refuses "--dma: only with --mode dma or probe" --dma nic:00:03.0
refuses "--probe-peer: 'x' is not a PCI address" --mode probe --dma nic:00:03.0 --probe-peer x
expect "probe refuses a va_only engine" 2 $B $EAL --vdev dma_skeleton --iova-mode=va -- \
	--mode probe --dma dma_skeleton
if grep -q "the probe needs a device whose DMA goes through the IOMMU" "$T/err" &&
   [ "$(grep -c iovaloop: "$T/err")" = 1 ] && ! grep -q "Isolation probe" "$T/out"; then
	ok "one line: the probe needs a device behind the IOMMU, no attempt made"
else
	ko "message for a va_only engine"
fi
# A value given to a flag: exactly one wording.
for flag in --allow-noiommu=1 --test-no-dma-map=x --help=x; do
	expect "refuses $flag" 2 $B $EAL -- $flag
	[ "$(cat "$T/err")" = "iovaloop: ${flag%%=*}: takes no value" ] &&
		ok "$flag: takes no value" || ko "$flag message"
done

# A report that could not be written is refused before the run, not after.
expect "--json in a missing directory" 2 $B $EAL -- --duration 5 --json /nonexistent/r.json
grep -q -- "--json: cannot write /nonexistent/r.json" "$T/err" && ok "names the file" || ko "names the file"

# What only the devices can refuse: exit 2 as well.
expect "no such port" 2 $B $EAL -- --ports 5 --duration 1
grep -q -- "--ports: there is no port 5" "$T/err" && ok "names the port" || ko "names the port"

# The EAL refusing its own arguments: set-up refused, exit 3.
expect "EAL refusal" 3 $B -l 999 --no-pci --in-memory -- --duration 1

# A device the doctor cannot pass (no IOMMU here, or no such device): exit 3,
# with the checks printed and nothing probed.
expect "doctor refuses -a" 3 $B -l 0-1 --in-memory -a 0000:7f:1f.7 -- --duration 1
grep -q "^FAIL" "$T/out" && ok "doctor printed its FAIL lines" || ko "doctor output"

# The default verified loop, with the JSON report.
expect "clean loop" 0 $B $EAL -- --duration 1 --json "$T/clean.json"
json "$T/clean.json" "r['result'] == 'pass' and r['totals']['verified'] > 10000"
json "$T/clean.json" "r['totals']['verified'] == r['totals']['rx_packets']"
json "$T/clean.json" "sum(r['errors'].values()) == 0 and r['memory']['kind'] == 'dpdk'"
json "$T/clean.json" "r['latency_ns']['p99'] >= r['latency_ns']['p50'] > 0"
json "$T/clean.json" "len(r['cores']) == 1 and r['cores'][0]['cycles_per_packet'] > 0"

# Injected faults: exit 1, exactly the injected errors.
expect "faults fail the run" 1 $B $EAL -- --duration 1 \
	--test-fault corrupt@50,drop@1000,dup@2000,swap@3000 --json "$T/faults.json"
json "$T/faults.json" "r['result'] == 'fail' and r['errors'] == dict(r['errors'], lost=1, duplicated=1, reordered=1, corrupted=1) and sum(r['errors'].values()) == 4"

# SIGINT: a clean stop with the final report. In memory without
# --file-prefix, the EAL's runtime directory is the process's own, and gone
# after it.
$B $EAL -- --duration 0 --json "$T/int.json" >"$T/out" 2>"$T/err" &
pid=$!
sleep 2
[ -d "/var/run/dpdk/iovaloop-$pid" ] && ok "own runtime directory iovaloop-PID" ||
	ko "no /var/run/dpdk/iovaloop-$pid during the run"
kill -INT $pid
wait $pid; st=$?
[ $st = 0 ] && ok "SIGINT stops cleanly (exit 0)" || ko "SIGINT exit $st"
grep -q "Result: PASS" "$T/out" && ok "report after SIGINT" || ko "report after SIGINT"
json "$T/int.json" "r['totals']['verified'] > 0"
[ ! -e "/var/run/dpdk/iovaloop-$pid" ] && ok "runtime directory removed after SIGINT" ||
	ko "/var/run/dpdk/iovaloop-$pid left after SIGINT"

# Nothing left in /dev/hugepages or /var/run/dpdk after any exit, without
# --in-memory (as in the README's NIC example): iovaloop adds it. A prefix
# of this test's own, so that nothing of another process is looked at.
PFX="iolcli$$x"
leaves_nothing() {
	name=$1 want=$2; shift 2
	expect "$name (exit $want)" "$want" $B -l 0-1 --no-pci --file-prefix "$PFX" \
		--log-level=lib.eal:warning $LN_EAL -- --stats-period 0 "$@"
	left=$(ls /dev/hugepages | grep "^$PFX")
	[ -z "$left" ] && ok "$name: nothing in /dev/hugepages" ||
		ko "$name: left in /dev/hugepages: $left"
	[ ! -e "/var/run/dpdk/$PFX" ] && ok "$name: no /var/run/dpdk/$PFX" ||
		ko "$name: left /var/run/dpdk/$PFX: $(ls "/var/run/dpdk/$PFX" | tr '\n' ' ')"
	cleanup_prefix
}
cleanup_prefix() {
	rm -f "/dev/hugepages/$PFX"map_* "/var/run/dpdk/$PFX"/* 2>/dev/null
	rmdir "/var/run/dpdk/$PFX" 2>/dev/null
	return 0
}
LN_EAL=
leaves_nothing "clean exit" 0 --duration 1
leaves_nothing "verification error" 1 --duration 1 --test-fault drop@10
leaves_nothing "refused by the ports after EAL init" 2 --duration 1 --ports 5
leaves_nothing "memory refused after EAL init" 3 --duration 1 --mem xmem --xmem-size 1024G
# The EAL refuses --in-memory with --no-huge and --legacy-mem: --no-shconf then.
LN_EAL="--no-huge -m 256"
leaves_nothing "--no-huge" 0 --duration 0.5
LN_EAL="--legacy-mem"
leaves_nothing "--legacy-mem" 0 --duration 0.5
LN_EAL=

# txonly and rxonly in two processes, as on two hosts: two network
# namespaces joined by a veth pair, net_af_packet on each end. The frames
# carry all the receiver needs; a frame the sender drops is found lost.
# (memif would be faster, but DPDK 22.11's memif PMD can crash in rx_burst
# when its peer disconnects: a link for tests must not.) The sender is
# paced: with two busy-polling processes on a 2-core machine the kernel's
# veth work competes for the cores and af_packet's ring overflows from
# some 20 kpps on, which is the host's loss, not the test's subject.
NS="iol-cli-$$"
cleanup_ns() { ip netns del "$NS-rx" 2>/dev/null; ip netns del "$NS-tx" 2>/dev/null; }
two_hosts() {
	ip netns add "$NS-rx" && ip netns add "$NS-tx" &&
	ip link add iolrx netns "$NS-rx" type veth peer name ioltx netns "$NS-tx" &&
	for side in rx tx; do
		# No IPv6 autoconfiguration: its frames would be foreign to the run.
		ip netns exec "$NS-$side" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
		ip -n "$NS-$side" link set "iol$side" up || return 1
	done
}
# The receiver runs until told to stop, so that a sender slow to start on a
# busy machine is not cut off: the sender starts once the receiver polls
# (its "run ...: rxonly" line, or after 20 s), and the receiver is stopped
# with SIGINT a second after the sender ended (its tail and end-of-flow
# frames have arrived by then). The sender runs 2 s: on a busy machine its
# lcore is not always scheduled and paced sending does not catch up (1 s
# once gave 2600 frames, fewer than the 3000 asserted).
rx_tx() {
	ip netns exec "$NS-rx" $B -l 0 --no-pci --in-memory --log-level=lib.eal:warning \
		--vdev=net_af_packet0,iface=iolrx,framecnt=4096 -- --mode rxonly --duration 0 \
		--stats-period 0 --json "$T/rx.json" >"$T/rx.out" 2>&1 &
	rx=$!
	i=0
	while ! grep -q "rxonly" "$T/rx.out" && [ $i -lt 200 ] && kill -0 $rx 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.5
	ip netns exec "$NS-tx" $B -l 1 --no-pci --in-memory --log-level=lib.eal:warning \
		--vdev=net_af_packet0,iface=ioltx -- --mode txonly --duration 2 \
		--tx-rate 5000 --stats-period 0 "$@" >"$T/tx.out" 2>&1
	txst=$?
	sleep 1
	kill -INT $rx 2>/dev/null
	wait $rx
	rxst=$?
}
if two_hosts; then
	rx_tx
	[ $txst = 0 ] && [ $rxst = 0 ] && ok "txonly -> rxonly in two namespaces" ||
		{ ko "two hosts: exit tx $txst rx $rxst"; grep "^iovaloop:" "$T/rx.out" | tail -5; }
	json "$T/rx.json" "r['totals']['verified'] > 3000 and sum(r['errors'].values()) == 0"
	json "$T/rx.json" "r['config']['run_id'] != '0x00000000'"
	rx_tx --test-fault drop@500
	[ $rxst = 1 ] && ok "receiver fails on the dropped frame" || ko "rxonly exit $rxst with a drop"
	json "$T/rx.json" "r['errors']['lost'] == 1 and sum(r['errors'].values()) == 1"
else
	ko "cannot make two network namespaces joined by veth (ip netns, root)"
fi
cleanup_ns

echo "$pass passed, $fail failed"
[ $fail = 0 ]
