#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the lib/stamp fuzz target (fuzz_stamp.c, libFuzzer with ASan and
# UBSan) into BUILD_DIR/test/fuzz and run it for SECONDS on the seeds of
# test/fuzz/corpus, adding what it finds to BUILD_DIR/test/fuzz/corpus.
# A crash, a sanitizer report or a difference from the reference model
# fails (exit 1), and so does a machine without clang's libFuzzer: setup.sh
# installs clang and libclang-rt-14-dev.
#
#   test/fuzz/run.sh BUILD_DIR SECONDS     (CC_FUZZ: the clang to use)
set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR SECONDS" >&2; exit 2; }
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
stamp=$here/../../lib/stamp
out=$build/test/fuzz

fail() {
	echo "stamp fuzz: $*" >&2
	exit 1
}

CC=${CC_FUZZ:-clang}
command -v "$CC" >/dev/null 2>&1 ||
	fail "$CC not found (setup.sh installs clang and libclang-rt-14-dev)"
fuzzer_rt=$("$CC" -print-file-name="libclang_rt.fuzzer-$(uname -m).a")
[ -f "$fuzzer_rt" ] || fuzzer_rt=$("$CC" --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a
[ -f "$fuzzer_rt" ] ||
	fail "libFuzzer runtime of $CC not found (setup.sh installs libclang-rt-14-dev)"

mkdir -p "$out/corpus"
# Built under a name of its own, so that two runs at once do not collide.
bin=$out/fuzz_stamp.$$
# lib/stamp uses DPDK's header-inline CRC only; its start-up choice of
# algorithm calls rte_cpu_get_flag_enabled(), hence librte_eal, and from
# DPDK 23.x on keeps that choice in librte_hash (rte_hash_crc32_alg). The model
# gets the sanitizers but no coverage feedback: tracing its loops would
# cost more than its branches teach the fuzzer.
flags="-g -O1 -fno-sanitize-recover=all $(pkg-config --cflags libdpdk) -I$stamp -I$here"
"$CC" $flags -fsanitize=address,undefined -c "$here/seq_model.c" -o "$bin.model.o" &&
"$CC" $flags -fsanitize=fuzzer,address,undefined \
	"$stamp/iol_stamp.c" "$stamp/iol_seq.c" "$here/fuzz_stamp.c" "$bin.model.o" \
	-o "$bin" -lrte_hash -lrte_eal || fail "build failed"
rm -f "$bin.model.o"
mv -f "$bin" "$out/fuzz_stamp"

# libFuzzer's own exit code for a finding is 77, which meson reads as a skip.
exec "$out/fuzz_stamp" -max_total_time="$seconds" -timeout=20 -max_len=4096 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$out/" "$out/corpus" "$here/corpus"
