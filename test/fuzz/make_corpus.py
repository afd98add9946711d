#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed inputs of fuzz_stamp.c into corpus/ (frame format 2).

Frames: mode byte (even; bit 1 fix the CRC, bits 2-3 verify level, bit 4
any run, bit 5 a UDP receiver), then the frame. Sequence operations: mode byte 0x01, then
first_known, first and the operations described in fuzz_stamp.c.
"""
import os
import struct

GOLDEN = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1
RUN = 0x1234ABCD
HEADER, FULL, FIX, ANY_RUN, UDP = 0x04, 0x08, 0x02, 0x10, 0x20
W = 4096


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc


def frame(length, seq=1000, run=RUN, flow=3, end=False, dst=(1, 1), sent=None):
    sent = length if sent is None else sent
    hdr = struct.pack('<HHIQQQHBBBB', 0x3245 if end else 0x3249, flow, run, seq,
                      111, 0x50100000, sent, 0, 1, dst[0], dst[1])
    hdr += struct.pack('<I', crc32c(hdr))
    z = (((((run << 32) ^ seq) + 1) & M64) * GOLDEN) & M64
    seed = z ^ (z >> 29)
    payload = b''.join(struct.pack('<Q', (seed + k * GOLDEN) & M64)
                       for k in range((sent - 56 + 7) // 8))
    eth = bytes([2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 0x88, 0xb5])
    return bytearray((eth + hdr + payload)[:sent].ljust(length, b'\0'))


def ones_sum(data):
    s = sum(struct.unpack('>%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def udp_frame(length, **kw):
    """The raw frame's header and payload behind IPv4 and UDP (--frame udp)."""
    raw = frame(length - 28, **kw)
    struct.pack_into('<H', raw, 14 + 32, length)   # the header's len field
    struct.pack_into('<I', raw, 14 + 38, crc32c(bytes(raw[14:14 + 38])))
    ip = bytearray(struct.pack('>BBHHHBBH4s4s', 0x45, 0, length - 14, 0, 0x4000, 64, 17, 0,
                               bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])))
    struct.pack_into('>H', ip, 10, ~ones_sum(bytes(ip)) & 0xFFFF)
    udp = struct.pack('>HHHH', 50000, 0x88B5, length - 34, 0)
    return bytearray(raw[:12] + b'\x08\x00' + ip + udp + raw[14:])


def u8(v):
    return bytes([v & 0xFF])


def u16(v):
    return struct.pack('<H', v & 0xFFFF)


def u64(v):
    return struct.pack('<Q', v & M64)


def seq_input(first_known, first, *ops):
    return b'\x01' + u8(first_known) + u64(first) + b''.join(ops)


def near(delta, bound=0):           # update next + delta
    return u8(0) + u16(delta) + u8(bound)


def at(seq, bound=0):                # update seq
    return u8(1) + u64(seq) + u8(bound)


def jump(shift, delta, bound=0):     # update next + 2^shift + delta
    return u8(2) + u8(shift) + u8(delta) + u8(bound)


def run(n, every=0, skip=0xFFFF):    # n in order, skipping
    return u8(3) + u16(n) + u8(every) + u16(skip)


def flush(delta, bound=0):
    return u8(4) + u16(delta) + u8(bound)


def flush_far(shift, delta, bound=0):
    return u8(5) + u8(shift) + u8(delta) + u8(bound)


def fast(n):
    return u8(6) + u8(n - 1)


def back(sel, arg, bound=0):         # odd sel: inside lost run sel >> 1 at arg
    return u8(7) + u8(sel) + (u64(arg) if sel & 1 else u16(arg)) + u8(bound)


def seeds():
    f = frame(64)
    yield 'frame_64_full', FULL, f
    yield 'frame_64_header', HEADER, f
    yield 'frame_56_padded_60', FULL, frame(60, sent=56)
    yield 'frame_200_full', FULL, frame(200)
    yield 'frame_end', FULL, frame(64, end=True)
    yield 'frame_misdelivered', FULL, frame(64, dst=(0, 1))
    yield 'frame_udp_128', FULL | UDP, udp_frame(128)
    yield 'frame_udp_84_header', HEADER | UDP, udp_frame(84)
    yield 'frame_raw_to_udp', FULL | UDP, frame(128)
    yield 'frame_udp_to_raw', FULL, udp_frame(128)
    yield 'frame_wildcard', FULL, frame(64, dst=(0xFF, 0xFF))
    yield 'frame_other_run', FULL, frame(64, run=RUN + 1)
    yield 'frame_any_run', FULL | ANY_RUN, frame(64, run=7)
    g = frame(100)
    g[80] ^= 0x5A
    yield 'frame_payload_damage', FULL, g
    yield 'frame_truncated', FULL, frame(100)[:90]
    yield 'frame_header_cut', FULL, frame(64)[:40]
    yield 'frame_runt', FULL, frame(64)[:10]
    g = frame(64)
    g[12:14] = b'\x08\x00'
    yield 'frame_ipv4', FULL, g
    g = frame(64)
    g[14:18] = b'IOL1'
    yield 'frame_format1', FULL, g
    g = frame(64)
    g[14:18] = b'IOLE'
    yield 'frame_format1_end', FULL, g
    # The cases: an XOR fold could not see them.
    g = frame(64, flow=0)
    g[14 + 2] ^= 32
    g[14 + 16] ^= 32
    yield 'frame_flow_0_to_32', FULL, g
    g = frame(64)
    g[14 + 8:14 + 16] = struct.pack('<Q', 66537)
    yield 'frame_seq_1000_to_66537', HEADER, g
    g = frame(64)
    g[14 + 32:14 + 34] = struct.pack('<H', 20)
    yield 'frame_len_field_short_fixed_crc', FULL | FIX, g
    g = frame(64)
    g[14 + 32:14 + 34] = struct.pack('<H', 1500)
    yield 'frame_len_field_long_fixed_crc', FULL | FIX, g

    yield 'seq_in_order', 0, seq_input(1, 0, run(5000), flush(0))
    yield 'seq_wrap', 0, seq_input(1, M64 - 1, near(0), near(0), near(0), near(0), flush(0))
    yield 'seq_wrap_learnt', 0, seq_input(0, 0, at(M64 - 1), near(0), near(0), near(0))
    yield 'seq_single_last', 0, seq_input(0, 0, at(M64), flush(0))
    yield 'seq_issue_old_duplicate', 0, seq_input(1, 0, run(6000, skip=100), at(50), at(100), at(100))
    yield 'seq_history_overflow', 0, seq_input(1, 0, run(400, every=10), run(W + 10),
                                              back(1, 0), back(33, 0), near(-W - 395 & 0xFFFF))
    yield 'seq_split_full', 0, seq_input(1, 0, run(170, every=10), jump(20, 0),
                                        back(31, 99), back(1, 0), back(3, 0))
    yield 'seq_implausible', 0, seq_input(1, 0, run(10), jump(20, 0, 6), jump(9, 0, 6),
                                         flush(-5 & 0xFFFF), flush(2000, 6))
    yield 'seq_saturate', 0, seq_input(1, 0, near(0), jump(63, -1 & 0xFF), jump(63, -1 & 0xFF),
                                      jump(63, -1 & 0xFF), back(1, 5), jump(63, 0))
    yield 'seq_fast_path', 0, seq_input(1, 0, run(W + 10, skip=3), fast(256), near(-5 & 0xFFFF),
                                       fast(256))
    yield 'seq_flush_then_late', 0, seq_input(1, 0, run(300, every=7), flush(50), back(1, 3),
                                             back(3, 0), near(-1 & 0xFFFF), flush(0))
    yield 'seq_never_started', 0, seq_input(0, 0, flush(1000 - 0), near(-1 & 0xFFFF), near(0))
    yield 'seq_behind_far', 0, seq_input(1, 5, run(100), back(0, 50), back(2, 4000), at(4))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, mode, data in seeds():
        if not name.startswith('seq_'):
            data = u8(mode) + bytes(data)
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
