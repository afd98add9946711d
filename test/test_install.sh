#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# meson install into a temporary DESTDIR: the programs run from there, and
# the headers (one a lib/ folder), pkg-config files and man pages are where
# a distribution puts them (the build's prefix, bindir, includedir,
# libdir/pkgconfig, mandir/man1). Nothing is left behind.
#   test_install.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
D=$(mktemp -d "${TMPDIR:-/tmp}/iol-install.XXXXXX")
trap 'rm -rf "$D"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
T=$D
. "$(dirname "$0")/lib.sh"
have() {
	[ -e "$1" ] && ok "$1" || ko "not installed: $1"
}

if ! meson install -C "$build" --destdir "$D" --no-rebuild --quiet >"$D.log" 2>&1; then
	cat "$D.log"
	rm -f "$D.log"
	echo "FAIL: meson install"
	exit 1
fi
rm -f "$D.log"

# Where this build installs (meson's options, so -Dprefix=... is honoured).
prefix='' bindir='' libdir='' includedir='' mandir=''
eval "$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
for k in ("prefix", "bindir", "libdir", "includedir", "mandir"):
    v = o[k] if k == "prefix" or o[k].startswith("/") else o["prefix"] + "/" + o[k]
    print(f"{k}=\"{v}\"")
')"
[ -n "${prefix:-}" ] || { echo "FAIL: no install directories from meson introspect"; exit 1; }

# The programs, run from DESTDIR: exit 0 and their usage text.
for p in iovaloop iovaloop-info; do
	have "$D$bindir/$p"
done
out=$("$D$bindir/iovaloop" -- --help 2>&1)
st=$?
[ $st -eq 0 ] || ko "installed iovaloop -- --help: exit $st"
echo "$out" | grep -q "^usage: .*iovaloop \[EAL options\] -- \[options\]" &&
	echo "$out" | grep -q -- "--mode loop|txonly|rxonly" || ko "installed iovaloop: no usage text"
out=$("$D$bindir/iovaloop-info" --help 2>&1)
st=$?
[ $st -eq 0 ] || ko "installed iovaloop-info --help: exit $st"
echo "$out" | grep -q "^usage: iovaloop-info" &&
	echo "$out" | grep -q -- "--check" || ko "installed iovaloop-info: no usage text"
[ -e "$src/usertools/iovaloop-plot.py" ] && have "$D$bindir/iovaloop-plot.py"

# Each lib/ folder: its public headers and its libiol_<folder>.pc.
libs=0
for dir in "$src"/lib/*/; do
	[ -f "$dir/meson.build" ] || continue
	l=$(basename "$dir")
	libs=$((libs + 1))
	hdrs=$(python3 -c '
import re, sys
m = re.search(r"^headers\s*=\s*files\(([^)]*)\)", open(sys.argv[1]).read(), re.M)
print(" ".join(re.findall(r"\x27([^\x27]+)\x27", m.group(1))) if m else "")
' "$dir/meson.build")
	[ -n "$hdrs" ] || ko "lib/$l: no headers = files(...) in its meson.build"
	for h in $hdrs; do
		have "$D$includedir/$h"
	done
	have "$D$libdir/pkgconfig/libiol_$l.pc"
done
[ "$libs" -gt 0 ] || ko "no library folder in $src/lib"

# pkg-config resolves a library and its dependencies from DESTDIR.
if out=$(PKG_CONFIG_PATH="$D$libdir/pkgconfig" pkg-config --cflags libiol_loop 2>&1); then
	echo "ok   pkg-config --cflags libiol_loop: $out"
	echo "$out" | grep -q -- "-I$includedir" || ko "pkg-config --cflags libiol_loop has no -I$includedir"
else
	ko "pkg-config --cflags libiol_loop: $out"
fi
PKG_CONFIG_PATH="$D$libdir/pkgconfig" pkg-config --libs --static libiol_loop >/dev/null 2>&1 ||
	ko "pkg-config --libs --static libiol_loop does not resolve"

# The man pages, and groff finds nothing to warn about in them.
for m in iovaloop iovaloop-info; do
	f=$D$mandir/man1/$m.1
	have "$f"
	if [ -f "$f" ] && command -v groff >/dev/null; then
		w=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
		[ -z "$w" ] || ko "groff warns on $m.1: $w"
	fi
done

rm -rf "$D"
[ ! -e "$D" ] || ko "$D left behind"
if [ $fail -ne 0 ]; then
	echo "$fail failed"
	exit 1
fi
echo "install: all in place"
