# SPDX-License-Identifier: BSD-3-Clause
# What the shell tests share (sourced, not run): counting checks, and
# printing them as `ok`/`FAIL` lines that end with "N passed, N failed".
# The sourcing script sets T, its temporary directory.
pass=0
fail=0

ok() { pass=$((pass + 1)); printf "ok   %s\n" "$1"; }
# A failed check shows the tail of the last command's stderr, if any.
ko() { fail=$((fail + 1)); printf "FAIL %s\n" "$1"; [ -f "$T/err" ] && sed 's/^/     /' "$T/err" | tail -5; }
