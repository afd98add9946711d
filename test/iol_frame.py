#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Craft iovaloop frames (frame format 2, lib/stamp/iol_stamp.h) and hostile
variants of them, and send them paced through an AF_PACKET socket.

Standard library only. The frame arithmetic is ported from lib/stamp:

  prefix: raw, a 14-byte Ethernet header of EtherType 0x88B5; or udp,
    Ethernet (0x0800), IPv4 (20 bytes: DF, TTL 64, protocol 17, header
    checksum) and UDP (to port 0x88B5 = 34997, checksum 0): 42 bytes
  header (after the prefix), 42 bytes LE:
    magic u16 (0x3249 data, 0x3245 end of flow), flow u16, run_id u32,
    seq u64, tx_tsc u64, tx_iova u64, len u16, src_port, src_queue,
    dst_port, dst_queue u8, crc u32 = rte_hash_crc(hdr[0:38], 38, 0xffffffff)
  payload word k (frame offset 56 + 8k, LE; 28 further in a udp frame)
    = seed + k * IOL_STAMP_GOLDEN,
    seed = iol_stamp_payload_seed(run_id, seq); a short tail takes the low
    bytes of the next word.

Usage:
  iol_frame.py --selftest
  iol_frame.py send --iface IF --scenario FILE [--rate 2000] [--dst-mac M] [--pcap F]
  iol_frame.py send --dry-run --scenario FILE --pcap F      (build, do not send)
  iol_frame.py expect --scenario FILE                       (its `expect` lines, JSON)
  iol_frame.py capture --iface IF --count N --timeout S --pcap F [--linger S]
  iol_frame.py compare SENT.pcap CAPTURED.pcap              (byte-exact, in order)
  iol_frame.py header --run R --flow F --seq S [--len L]    (hex, for C cross-checks)

Scenario files are lines of steps, `#` starts a comment. Numbers are
Python-style integers or expressions of them with + - * and ^ (power):
`2^64-1`, `0x51a7e001`. SEQS is a comma-separated list of numbers and
inclusive ranges A..B (counting up modulo 2^64, so 2^64-2..1 is four
numbers), optionally followed by `except SEQS`.

  run R                    run id of the frames that follow
  frame udp|raw            encapsulation of the frames that follow (raw)
  len L                    length of the data frames that follow (default 64)
  ports SP SQ DP DQ        src port/queue, dst port/queue (default 0 0 255 255)
  data F SEQS              data frames of flow F
  eof F N                  end-of-flow frame of flow F, seq N
  flip F S W:B[,W:B..]     data frame (F, S) with header bits flipped after
                           the CRC was computed: bit B (0..63) of the LE
                           64-bit header word W (0..4; word 5 = bytes 40..41)
  eofflip F N W:B[,..]     the same for an end-of-flow frame
  trunc F S L SENT         data frame whose header says len L, of which only
                           the first SENT bytes are sent (SENT >= 60: the
                           kernel pads shorter frames)
  pflip F S O:B[,O:B..]    data frame (F, S) with bit B (0..7) of prefix byte
                           O flipped (IPv4, UDP fields of a udp frame)
  otherrun R F S           a valid data frame of another run id R
  fmt1 F S                 a format-1 data frame ("IOL1", XOR fold check)
  fmt1eof F N              a format-1 end-of-flow frame ("IOLE")
  garbage N [ethertype T]  N frames of random bytes (60..128), EtherType T or
                           one of a few that the kernel ignores (never 0x88B5
                           unless asked; with 0x88B5 the magic is never valid)
  pause MS                 send nothing for MS milliseconds
  expect K=V [K=V ..]      expected receiver counters (not sent; `expect`)
"""

import argparse
import ast
import json
import os
import random
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5
MAGIC_DATA = 0x3249          # 'I' '2'
MAGIC_END = 0x3245           # 'E' '2'
MAGIC1_DATA = 0x314c4f49     # "IOL1" (format 1)
MAGIC1_END = 0x454c4f49      # "IOLE" (format 1)
GOLDEN = 0x9e3779b97f4a7c15  # IOL_STAMP_GOLDEN
M64 = (1 << 64) - 1
ETH_LEN = 14
HDR_LEN = 42
MIN_LEN = ETH_LEN + HDR_LEN  # IOL_STAMP_MIN_LEN, 56
UDP_PORT = 0x88B5            # IOL_STAMP_UDP_PORT
IPV4_LEN = 20
UDP_PREFIX = ETH_LEN + IPV4_LEN + 8   # iol_stamp_hdr_off(IOL_ENCAP_UDP), 42
SHIFT = {"raw": 0, "udp": UDP_PREFIX - ETH_LEN}
CRC_COVERED = 38
ANY = 0xff

# --------------------------------------------------------------------------
# CRC32C (Castagnoli), reflected, table driven.

CRC32C_POLY = 0x82F63B78


def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ CRC32C_POLY if c & 1 else c >> 1
        t.append(c)
    return t


CRC_TABLE = _crc_table()


def crc32c_update(crc, data):
    """Raw register update: no initial or final inversion."""
    t = CRC_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def crc32c(data):
    """The standard CRC32C (init ~0, final xor ~0): 0xE3069283 for b"123456789"."""
    return crc32c_update(0xffffffff, data) ^ 0xffffffff


def rte_hash_crc(data, init=0xffffffff):
    """DPDK's rte_hash_crc(data, len, init): the register after the bytes,
    no final inversion (its 8/4/2/1-byte steps are the same bytewise CRC)."""
    return crc32c_update(init, data)


def hdr_crc(hdr38):
    """The format-2 header CRC: rte_hash_crc(hdr, 38, 0xffffffff)."""
    assert len(hdr38) == CRC_COVERED
    return rte_hash_crc(hdr38, 0xffffffff)


# --------------------------------------------------------------------------
# Payload (lib/stamp/iol_stamp.h), with 64-bit wrap-around made explicit.

def payload_seed(run_id, seq):
    """iol_stamp_payload_seed(): z = ((run << 32 ^ seq) + 1) * GOLDEN; z ^ z >> 29."""
    z = (((((run_id & 0xffffffff) << 32) ^ (seq & M64)) + 1) & M64) * GOLDEN & M64
    return z ^ (z >> 29)


def payload_word(run_id, seq, k):
    return (payload_seed(run_id, seq) + k * GOLDEN) & M64


def payload(run_id, seq, frame_len):
    """Payload bytes of a frame of frame_len bytes (offsets 56..frame_len-1)."""
    n = frame_len - MIN_LEN
    if n <= 0:
        return b""
    seed = payload_seed(run_id, seq)
    words = (n + 7) // 8
    out = b"".join(struct.pack("<Q", (seed + k * GOLDEN) & M64) for k in range(words))
    return out[:n]


# --------------------------------------------------------------------------
# Frames.

def mac_bytes(mac):
    b = bytes(int(x, 16) for x in mac.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC address %r" % mac)
    return b


def eth_header(dst, src, ethertype):
    return dst + src + struct.pack(">H", ethertype)


def ones_sum(data):
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def ipv4_udp(length, src_ip, dst_ip, sport):
    """IPv4 and UDP headers of a udp frame of `length` bytes (lib/stamp's prefix)."""
    ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, length - ETH_LEN, 0, 0x4000, 64, 17,
                               0, socket.inet_aton(src_ip), socket.inet_aton(dst_ip)))
    struct.pack_into(">H", ip, 10, ~ones_sum(bytes(ip)) & 0xffff)
    return bytes(ip) + struct.pack(">HHHH", sport, UDP_PORT, length - ETH_LEN - IPV4_LEN, 0)


def header2(magic, flow, run_id, seq, length, tx_tsc=0, tx_iova=0,
            src_port=0, src_queue=0, dst_port=ANY, dst_queue=ANY):
    """The 42-byte format-2 header, CRC included."""
    h = struct.pack("<HHIQQQHBBBB", magic, flow, run_id, seq & M64, tx_tsc & M64,
                    tx_iova & M64, length, src_port, src_queue, dst_port, dst_queue)
    assert len(h) == CRC_COVERED
    return h + struct.pack("<I", hdr_crc(h))


def fold1(words):
    """Format 1's check word: XOR fold of five LE 64-bit words to 16 bits."""
    c = 0
    for w in words:
        c ^= w
    c ^= c >> 32
    c ^= c >> 16
    return c & 0xffff


def header1(magic, flow, run_id, seq, length, tx_tsc=0, tx_iova=0,
            src_port=0, src_queue=0, dst_port=ANY, dst_queue=ANY):
    """The 42-byte format-1 header (lib/stamp before format 2)."""
    h = struct.pack("<IIQQQHHBBBB", magic, run_id, seq & M64, tx_tsc & M64,
                    tx_iova & M64, flow, length, src_port, src_queue, dst_port, dst_queue)
    assert len(h) == 40
    return h + struct.pack("<H", fold1(struct.unpack("<5Q", h)))


class Frames:
    """Frame builder with the sender's defaults (MACs, run, length, ports)."""

    def __init__(self, dst="02:00:00:00:00:02", src="02:00:00:00:00:01"):
        self.dst = mac_bytes(dst)
        self.src = mac_bytes(src)
        self.run = 0x1e4c2001
        self.len = 64
        self.ports = (0, 0, ANY, ANY)
        self.encap = "raw"
        self.src_ip, self.dst_ip, self.sport = "198.18.0.1", "198.18.0.2", 50000

    def hdr_off(self):
        return ETH_LEN + SHIFT[self.encap]

    def prefix(self, length):
        if self.encap == "raw":
            return eth_header(self.dst, self.src, ETHERTYPE)
        return eth_header(self.dst, self.src, 0x0800) + ipv4_udp(length, self.src_ip,
                                                                 self.dst_ip, self.sport)

    def _frame(self, hdr, run, seq, length):
        return (self.prefix(length) + hdr +
                payload(run, seq, length - SHIFT[self.encap]))

    def data(self, flow, seq, run=None, length=None, magic=MAGIC_DATA):
        run = self.run if run is None else run
        length = self.len if length is None else length
        if length < MIN_LEN + SHIFT[self.encap]:
            raise ValueError("frame length %d below %d" % (length, MIN_LEN + SHIFT[self.encap]))
        sp, sq, dp, dq = self.ports
        h = header2(magic, flow, run, seq, length, src_port=sp, src_queue=sq,
                    dst_port=dp, dst_queue=dq)
        return self._frame(h, run, seq, length)

    def eof(self, flow, n, run=None):
        return self.data(flow, n, run=run, magic=MAGIC_END)

    def fmt1(self, flow, seq, end=False):
        sp, sq, dp, dq = self.ports
        h = header1(MAGIC1_END if end else MAGIC1_DATA, flow, self.run, seq, self.len,
                    src_port=sp, src_queue=sq, dst_port=dp, dst_queue=dq)
        return self._frame(h, self.run, seq, self.len)

    def garbage(self, rng, ethertype=None):
        length = rng.randint(60, 128)
        if ethertype is None:
            # Local experimental 2, byte-swapped ours, unassigned: the
            # kernel passes them to packet sockets and answers nothing.
            ethertype = rng.choice([0x88B6, 0xB588, 0x1234, 0xFFFF, 0x9999, 0x7A7A])
        body = bytearray(rng.getrandbits(8) for _ in range(length - ETH_LEN))
        if ethertype == ETHERTYPE:
            # Never a valid magic of either format.
            m2 = struct.unpack_from("<H", body, 0)[0]
            m1 = struct.unpack_from("<I", body, 0)[0]
            if m2 in (MAGIC_DATA, MAGIC_END) or m1 in (MAGIC1_DATA, MAGIC1_END):
                body[0] ^= 0x80
        return eth_header(self.dst, self.src, ethertype) + bytes(body)


def flip_bits(frame, bits, hdr_off=ETH_LEN):
    """Flip (word, bit) pairs of the iovaloop header of a frame."""
    f = bytearray(frame)
    for word, bit in bits:
        off = word * 8 + bit // 8
        if not (0 <= bit < 64 and 0 <= off < HDR_LEN):
            raise ValueError("no header bit %d of word %d" % (bit, word))
        f[hdr_off + off] ^= 1 << (bit % 8)
    return bytes(f)


def flip_prefix(frame, bits, hdr_off):
    """Flip (byte, bit) pairs of a frame's prefix."""
    f = bytearray(frame)
    for off, bit in bits:
        if not (0 <= bit < 8 and 0 <= off < hdr_off):
            raise ValueError("no prefix bit %d of byte %d" % (bit, off))
        f[off] ^= 1 << bit
    return bytes(f)


def parse_frame(frame):
    """Header fields of a format-2 frame (raw or udp), with crc_ok (for tests and the C check)."""
    udp = struct.unpack(">H", frame[12:14])[0] == 0x0800
    off = UDP_PREFIX if udp else ETH_LEN
    h = frame[off:off + HDR_LEN]
    (magic, flow, run, seq, tsc, iova, length, sp, sq, dp, dq,
     crc) = struct.unpack("<HHIQQQHBBBBI", h)
    return dict(ethertype=struct.unpack(">H", frame[12:14])[0], magic=magic, flow=flow,
                run_id=run, seq=seq, tx_tsc=tsc, tx_iova=iova, len=length,
                src_port=sp, src_queue=sq, dst_port=dp, dst_queue=dq, crc=crc,
                crc_ok=hdr_crc(h[:CRC_COVERED]) == crc)


# --------------------------------------------------------------------------
# Scenarios.

_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b, ast.Pow: lambda a, b: a ** b}


def num(text):
    """An integer expression: literals, + - * and ^ (power), parentheses."""
    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.BinOp) and type(n.op) in _OPS:
            return _OPS[type(n.op)](ev(n.left), ev(n.right))
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        raise ValueError("not a number: %r" % text)
    return ev(ast.parse(text.strip().replace("^", "**"), mode="eval"))


def seqs(text):
    """Sequence numbers of a SEQS list, in order."""
    skip = set()
    if " except " in text:
        text, ex = text.split(" except ", 1)
        skip = set(seqs(ex))
    out = []
    for item in text.replace(" ", "").split(","):
        if ".." in item:
            a, b = (num(x) & M64 for x in item.split(".."))
            out.extend((a + i) & M64 for i in range(((b - a) & M64) + 1))
        else:
            out.append(num(item) & M64)
    return [s for s in out if s not in skip]


def bitlist(text):
    out = []
    for item in text.replace(" ", "").split(","):
        w, b = item.split(":")
        out.append((num(w), num(b)))
    return out


def build(lines, fr, rng=None):
    """Turn scenario lines into (frames, expectations, summary).

    frames is a list of (bytes to send, pause in seconds before it)."""
    rng = rng or random.Random(0x1012)
    frames, expect, summary = [], {}, []
    pause = 0.0
    for lineno, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        verb, _, rest = line.partition(" ")
        a = rest.split()
        before = len(frames)
        try:
            out = []
            if verb == "run":
                fr.run = num(a[0]) & 0xffffffff
            elif verb == "len":
                fr.len = num(a[0])
            elif verb == "frame":
                if a[0] not in SHIFT:
                    raise ValueError("frame udp or raw")
                fr.encap = a[0]
            elif verb == "ports":
                fr.ports = tuple(num(x) for x in a)
                assert len(fr.ports) == 4
            elif verb == "data":
                f = num(a[0])
                out = [fr.data(f, s) for s in seqs(rest.split(None, 1)[1])]
            elif verb == "eof":
                out = [fr.eof(num(a[0]), num(a[1]))]
            elif verb == "flip":
                out = [flip_bits(fr.data(num(a[0]), num(a[1])), bitlist("".join(a[2:])),
                                 fr.hdr_off())]
            elif verb == "eofflip":
                out = [flip_bits(fr.eof(num(a[0]), num(a[1])), bitlist("".join(a[2:])),
                                 fr.hdr_off())]
            elif verb == "pflip":
                out = [flip_prefix(fr.data(num(a[0]), num(a[1])), bitlist("".join(a[2:])),
                                   fr.hdr_off())]
            elif verb == "trunc":
                f, s, length, sent = (num(x) for x in a[:4])
                if sent < 60 or sent >= length:
                    raise ValueError("trunc: need 60 <= SENT < L")
                out = [fr.data(f, s, length=length)[:sent]]
            elif verb == "otherrun":
                out = [fr.data(num(a[1]), num(a[2]), run=num(a[0]) & 0xffffffff)]
            elif verb == "fmt1":
                out = [fr.fmt1(num(a[0]), num(a[1]))]
            elif verb == "fmt1eof":
                out = [fr.fmt1(num(a[0]), num(a[1]), end=True)]
            elif verb == "garbage":
                t = num(a[2]) if len(a) >= 3 and a[1] == "ethertype" else None
                out = [fr.garbage(rng, t) for _ in range(num(a[0]))]
            elif verb == "pause":
                pause += num(a[0]) / 1000.0
            elif verb == "expect":
                for kv in a:
                    k, v = kv.split("=")
                    expect[k] = num(v)
            else:
                raise ValueError("unknown step %r" % verb)
        except (IndexError, ValueError, AssertionError) as e:
            raise SystemExit("scenario line %d: %s: %s" % (lineno, raw.strip(), e))
        for f in out:
            frames.append((f, pause))
            pause = 0.0
        if len(frames) > before:
            summary.append("%6d  %s" % (len(frames) - before, line))
    if pause:
        frames.append((None, pause))
    return frames, expect, summary


# --------------------------------------------------------------------------
# pcap files, for captures and byte-exact comparison.

def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)


def pcap_read(path):
    out = []
    with open(path, "rb") as f:
        gh = f.read(24)
        if len(gh) < 24 or struct.unpack("<I", gh[:4])[0] != 0xa1b2c3d4:
            raise SystemExit("%s: not a little-endian pcap file" % path)
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return out
            incl = struct.unpack("<IIII", rh)[2]
            out.append(f.read(incl))


# --------------------------------------------------------------------------
# Commands.

def cmd_send(args):
    fr = Frames(dst=args.dst_mac, src=args.src_mac)
    with open(args.scenario) as f:
        frames, _, summary = build(f.readlines(), fr)
    n = sum(1 for f, _ in frames if f is not None)
    if args.pcap:
        pcap_write(args.pcap, [f for f, _ in frames if f is not None])
    if args.dry_run:
        print("\n".join(summary))
        print("%d frames (not sent)" % n)
        return 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((args.iface, 0))
    gap = 1.0 / args.rate
    t0 = time.monotonic()
    nxt = t0
    sent = 0
    for frame, pause in frames:
        nxt += pause
        now = time.monotonic()
        if nxt > now:
            time.sleep(nxt - now)
        elif now - nxt > 0.005:
            # Late (a busy machine): catch up at most 5 ms worth at once, so
            # that the receiver never sees a burst far above the rate.
            nxt = now - 0.005
        if frame is None:
            continue
        while True:
            try:
                s.send(frame)
                break
            except OSError as e:  # ENOBUFS: the qdisc is full, retry
                if e.errno not in (105, 11):
                    raise
                time.sleep(0.001)
        sent += 1
        nxt += gap
    dt = time.monotonic() - t0
    if args.verbose:
        print("\n".join(summary))
    print("iol_frame: sent %d frames on %s in %.2f s (%.0f/s)" % (sent, args.iface, dt,
          sent / dt if dt > 0 else 0))
    return 0


def cmd_expect(args):
    with open(args.scenario) as f:
        _, expect, _ = build(f.readlines(), Frames())
    print(json.dumps(expect, sort_keys=True))
    return 0


def cmd_capture(args):
    ETH_P_ALL = 0x0003
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((args.iface, ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    got = []
    end = time.monotonic() + args.timeout
    if args.ready:
        open(args.ready, "w").close()
    while True:
        left = end - time.monotonic()
        if len(got) == args.count:
            # Then listen a little longer: anything more is a frame that
            # was not sent (the kernel's own, say).
            end = min(end, time.monotonic() + args.linger)
            left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        got.append(data)
    pcap_write(args.pcap, got)
    print("iol_frame: captured %d frames on %s" % (len(got), args.iface))
    return 0 if len(got) == args.count else 1


def cmd_compare(args):
    a, b = pcap_read(args.sent), pcap_read(args.captured)
    bad = 0
    for i, (x, y) in enumerate(zip(a, b)):
        # The kernel pads nothing on veth, but a frame below 60 bytes may
        # come back padded elsewhere: compare the bytes that were sent.
        if y[:len(x)] != x or (len(y) != len(x) and len(x) >= 60):
            bad += 1
            if bad <= 5:
                print("frame %d differs: sent %d bytes %s, got %d bytes %s" %
                      (i, len(x), x[:64].hex(), len(y), y[:64].hex()))
    if len(a) != len(b):
        print("sent %d frames, captured %d" % (len(a), len(b)))
        bad += 1
    print("compare: %d frames, %s" % (min(len(a), len(b)),
          "byte-exact" if bad == 0 else "%d differences" % bad))
    return 0 if bad == 0 else 1


def cmd_header(args):
    fr = Frames()
    fr.run = args.run
    fr.len = args.len
    f = fr.eof(args.flow, args.seq) if args.end else fr.data(args.flow, args.seq)
    h = f[ETH_LEN:ETH_LEN + HDR_LEN]
    print("hdr38 %s" % h[:CRC_COVERED].hex())
    print("crc 0x%08x" % hdr_crc(h[:CRC_COVERED]))
    print("seed 0x%016x" % payload_seed(args.run, args.seq))
    print("frame %s" % f.hex())
    return 0


# --------------------------------------------------------------------------
# Self-test: the arithmetic against values known independently.

def selftest():
    fails = []

    def check(name, cond):
        print("%s %s" % ("ok  " if cond else "FAIL", name))
        if not cond:
            fails.append(name)

    # CRC32C check value (the catalogue's "check" for CRC-32C) and RFC 3720
    # (iSCSI) B.4 test vectors.
    check("crc32c(b'123456789') == 0xE3069283", crc32c(b"123456789") == 0xE3069283)
    check("rte_hash_crc(b'123456789', 9, ~0) == 0xE3069283 ^ ~0 == 0x1CF96D7C",
          rte_hash_crc(b"123456789") == 0x1CF96D7C)
    check("RFC 3720: 32 zero bytes -> 0x8A9136AA", crc32c(bytes(32)) == 0x8A9136AA)
    check("RFC 3720: 32 0xff bytes -> 0x62A8AB43", crc32c(b"\xff" * 32) == 0x62A8AB43)
    check("RFC 3720: bytes 0..31 -> 0x46DD794E", crc32c(bytes(range(32))) == 0x46DD794E)
    check("RFC 3720: bytes 31..0 -> 0x113FDB5C",
          crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C)
    check("CRC table: entry 1 is 0xF26B8303, entry 128 is the polynomial",
          CRC_TABLE[1] == 0xF26B8303 and CRC_TABLE[128] == CRC32C_POLY)

    # The payload seed of (run 1, seq 0), by hand:
    #   x = (1 << 32 ^ 0) + 1 = 0x1_00000001
    #   z = x * G mod 2^64 = (G << 32) + G
    #     = 0x7f4a7c15_00000000 + 0x9e3779b9_7f4a7c15 = 0x1d81f5ce_7f4a7c15
    #   z >> 29 = 0x1d81f5ce << 3 | (0x7f4a7c15 >> 29) = 0xec0fae70 | 3
    #   seed = z ^ 0xec0fae73 = 0x1d81f5ce_9345d266 (payload word 0)
    #   word 1 = seed + G = 0xbbb96f88_12904e7b (mod 2^64)
    check("seed(1, 0) == 0x1d81f5ce9345d266", payload_seed(1, 0) == 0x1d81f5ce9345d266)
    check("word 1 of (1, 0) == 0xbbb96f8812904e7b",
          payload_word(1, 0, 1) == 0xbbb96f8812904e7b)
    # (run 0, seq 2^64-1): x + 1 wraps to 0, so z = 0 and the seed is 0.
    check("seed(0, 2^64-1) == 0 (the +1 wraps)", payload_seed(0, M64) == 0)
    p = payload(1, 0, 64 + 8 + 3)
    check("payload of a 75-byte frame: 2 words and the low 3 bytes of word 2",
          len(p) == 19 and p[:8] == struct.pack("<Q", 0x1d81f5ce9345d266) and
          p[8:16] == struct.pack("<Q", 0xbbb96f8812904e7b) and
          p[16:] == struct.pack("<Q", payload_word(1, 0, 2))[:3])

    # One frame, every byte (values printed by DPDK's rte_hash_crc and
    # iol_stamp_payload_seed in C, see doc/hostile-wire.md).
    fr = Frames()
    fr.run = 0x1e4c2001
    f = fr.data(7, 12345)
    pf = parse_frame(f)
    check("a 64-byte frame: EtherType, magic 'I2', fields, valid crc",
          len(f) == 64 and f[12:14] == b"\x88\xb5" and f[14:16] == b"I2" and
          pf["flow"] == 7 and pf["seq"] == 12345 and pf["len"] == 64 and pf["crc_ok"])
    check("its crc is 0x%08x (C: rte_hash_crc)" % KNOWN_CRC, pf["crc"] == KNOWN_CRC)
    check("its payload word is 0x%016x (C: iol_stamp_payload_seed)" % KNOWN_SEED,
          struct.unpack("<Q", f[56:64])[0] == KNOWN_SEED)
    e = fr.eof(7, 200)
    check("end-of-flow magic 'E2'", e[14:16] == b"E2" and parse_frame(e)["crc_ok"])

    # Damage the CRC must see: every single bit of the 42 header bytes, and
    # the pair format 1's fold missed (same bit of two words).
    single = all(not parse_frame(flip_bits(f, [(i // 64, i % 64)]))["crc_ok"]
                 for i in range(HDR_LEN * 8))
    check("every 1-bit header flip fails the crc", single)
    two = flip_bits(f, [(0, 16), (1, 16)])
    w = struct.unpack("<5Q", two[ETH_LEN:ETH_LEN + 40])
    w0 = struct.unpack("<5Q", f[ETH_LEN:ETH_LEN + 40])
    check("flow bit 0 + seq bit 16: the format-1 fold is blind to it",
          fold1(w) == fold1(w0))
    check("flow bit 0 + seq bit 16: the crc fails", not parse_frame(two)["crc_ok"])
    pairs = all(not parse_frame(flip_bits(f, [(a, b), (c, b)]))["crc_ok"]
                for b in range(64) for a in range(5) for c in range(a + 1, 5))
    check("every same-bit pair of two words fails the crc", pairs)

    # Format 1 and the hostile builders.
    f1 = fr.fmt1(7, 3)
    check("format-1 frame starts 'IOL1' and its fold checks",
          f1[14:18] == b"IOL1" and
          fold1(struct.unpack("<5Q", f1[14:54])) == struct.unpack("<H", f1[54:56])[0])
    rng = random.Random(1)
    g = [fr.garbage(rng, ETHERTYPE) for _ in range(2000)]
    check("garbage with EtherType 0x88B5 never has a valid magic",
          all(x[14:16] not in (b"I2", b"E2") and x[14:18] not in (b"IOL1", b"IOLE")
              for x in g))

    # Scenario parsing.
    check("2^64-2..1 is four numbers that wrap",
          seqs("2^64-2..1") == [M64 - 1, M64, 0, 1])
    check("0..9 except 3,5..6", seqs("0..9 except 3,5..6") == [0, 1, 2, 4, 7, 8, 9])
    frames, exp, _ = build(["run 0x10", "data 1 0..2", "trunc 1 3 128 100",
                            "flip 1 4 0:16,1:16", "eof 1 5", "garbage 2",
                            "expect lost=1 verified=3"], Frames())
    fs = [x for x, _ in frames]
    check("a scenario: 8 frames, truncated to 100, expectations read",
          len(fs) == 8 and len(fs[3]) == 100 and parse_frame(fs[3])["len"] == 128 and
          not parse_frame(fs[4])["crc_ok"] and exp == {"lost": 1, "verified": 3})

    # A udp frame: the raw frame's header and payload behind IPv4 and UDP.
    fr = Frames()
    fr.encap = "udp"
    u = fr.data(7, 12345, length=128)
    fr.encap = "raw"
    r = fr.data(7, 12345, length=100)
    check("a udp frame: IPv4 0x45, total length 114, DF, TTL 64, UDP, checksum",
          u[12:14] == b"\x08\x00" and u[14] == 0x45 and u[16:18] == b"\x00\x72" and
          u[20:22] == b"\x40\x00" and u[22] == 64 and u[23] == 17 and
          ones_sum(u[14:34]) == 0xffff)
    check("a udp frame: 198.18.0.1:50000 -> 198.18.0.2:34997, length 94, checksum 0",
          u[26:34] == bytes([198, 18, 0, 1, 198, 18, 0, 2]) and
          u[34:42] == struct.pack(">HHHH", 50000, 34997, 94, 0))
    check("a udp frame carries the raw one's payload, 28 bytes on, and a good header",
          u[84:] == r[56:] and parse_frame(u)["crc_ok"] and parse_frame(u)["len"] == 128)

    print("selftest: %d failed" % len(fails))
    return 1 if fails else 0


# rte_hash_crc() and iol_stamp_payload_seed() of the selftest's frame
# (run 0x1e4c2001, flow 7, seq 12345, len 64, ports 0 0 255 255, tsc/iova 0),
# as printed by a C program built against DPDK 22.11 (doc/hostile-wire.md).
KNOWN_CRC = 0x49076d55
KNOWN_SEED = 0x5a6d77fb1d4fb30c


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--selftest", action="store_true", help="check the arithmetic")
    sub = p.add_subparsers(dest="cmd")
    s = sub.add_parser("send", help="send a scenario")
    s.add_argument("--iface")
    s.add_argument("--scenario", required=True)
    s.add_argument("--rate", type=float, default=2000.0, help="frames per second")
    s.add_argument("--dst-mac", default="02:00:00:00:00:02")
    s.add_argument("--src-mac", default="02:00:00:00:00:01")
    s.add_argument("--pcap", help="also write the frames to this pcap file")
    s.add_argument("--dry-run", action="store_true")
    s.add_argument("--verbose", "-v", action="store_true")
    e = sub.add_parser("expect", help="print a scenario's expectations (JSON)")
    e.add_argument("--scenario", required=True)
    c = sub.add_parser("capture", help="capture frames to a pcap file")
    c.add_argument("--iface", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--timeout", type=float, default=30.0)
    c.add_argument("--pcap", required=True)
    c.add_argument("--ready", help="create this file once the socket is bound")
    c.add_argument("--linger", type=float, default=0.5,
                   help="seconds to listen for more once COUNT frames arrived")
    m = sub.add_parser("compare", help="compare sent and captured pcap files")
    m.add_argument("sent")
    m.add_argument("captured")
    h = sub.add_parser("header", help="print one frame's header, crc and seed")
    h.add_argument("--run", type=num, default=0x1e4c2001)
    h.add_argument("--flow", type=num, default=7)
    h.add_argument("--seq", type=num, default=12345)
    h.add_argument("--len", type=num, default=64)
    h.add_argument("--end", action="store_true")
    args = p.parse_args(argv)
    if args.selftest:
        return selftest()
    if args.cmd == "send":
        if not args.dry_run and not args.iface:
            p.error("send: --iface is required (or --dry-run)")
        return cmd_send(args)
    cmds = {"expect": cmd_expect, "capture": cmd_capture, "compare": cmd_compare,
            "header": cmd_header}
    if args.cmd not in cmds:
        p.print_help()
        return 2
    return cmds[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
