#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""hmp.py SOCKET COMMAND...: send commands to QEMU's human monitor
(-monitor unix:SOCKET,server=on,wait=off) and print the answers.
Exits 1 when the monitor cannot be reached."""
import socket
import sys
import time


def read_prompt(s, timeout=5.0):
    buf = b""
    end = time.time() + timeout
    while time.time() < end and not buf.rstrip().endswith(b"(qemu)"):
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if not d:
            break
        buf += d
    return buf.decode(errors="replace")


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(sys.argv[1])
    except OSError as e:
        print("hmp: cannot connect to %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    read_prompt(s)
    for c in sys.argv[2:]:
        s.sendall(c.encode() + b"\n")
        out = read_prompt(s)
        print("hmp: %s -> %s" % (c, out.replace("(qemu)", "").strip()))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
