/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "iol_stamp.h"
#include "test.h"
#include "fuzz/crc32c_ref.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };

#define RUN 0x1234abcdu

/* The prefix of raw frames from mac_a to mac_b (its length is any frame's). */
static const struct iol_stamp_prefix *
raw_prefix(void)
{
	static struct iol_stamp_prefix p;
	struct iol_stamp_ends ends = { 0 };

	memcpy(ends.dst_mac, mac_b, 6);
	memcpy(ends.src_mac, mac_a, 6);
	iol_stamp_prefix_build(&p, IOL_ENCAP_RAW, &ends, IOL_STAMP_MIN_LEN);
	return &p;
}

static struct iol_stamp_info
info_for(uint64_t seq, uint16_t len)
{
	struct iol_stamp_info i = {
		.run_id = RUN, .seq = seq, .tx_tsc = 111, .tx_iova = 0x50100000,
		.flow = 3, .len = len, .src_port = 0, .src_queue = 1,
		.dst_port = 1, .dst_queue = 1,
	};
	return i;
}

static const struct iol_stamp_expect expect_full = {
	.run_id = RUN, .rx_port = 1, .rx_queue = 1, .level = IOL_VERIFY_FULL,
};

static const struct iol_stamp_expect expect_header = {
	.run_id = RUN, .rx_port = 1, .rx_queue = 1, .level = IOL_VERIFY_HEADER,
};

static enum iol_stamp_class
check(const uint8_t *f, uint32_t len, const struct iol_stamp_expect *e,
	struct iol_stamp_result *r)
{
	iol_stamp_check(f, len, e, r);
	return r->cls;
}

static int
test_stamp_roundtrip_all_sizes(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i;
	uint8_t f[1600];
	uint32_t len;

	for (len = IOL_STAMP_MIN_LEN; len <= sizeof(f); len++) {
		i = info_for(len * 7, len);
		iol_stamp_write(f, raw_prefix(), &i);
		TEST_ASSERT_EQUAL(check(f, len, &expect_full, &r), IOL_STAMP_OK,
			"len %u: %s", len, r.why);
		TEST_ASSERT_EQUAL(r.hdr.seq, len * 7, "seq");
		TEST_ASSERT_EQUAL(r.hdr.tx_iova, 0x50100000, "tx iova");
		TEST_ASSERT_EQUAL(r.hdr.flow, 3, "flow");
	}
	/* Each payload byte follows from (run, seq, offset) alone. */
	i = info_for(99, 200);
	iol_stamp_write(f, raw_prefix(), &i);
	for (len = IOL_STAMP_MIN_LEN; len < 200; len++)
		TEST_ASSERT_EQUAL(f[len], iol_stamp_payload_byte(RUN, 99, len),
			"byte %u", len);
	return TEST_SUCCESS;
}

static int
test_stamp_restamp_changes_seq(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(1, 128);
	uint8_t f[128];

	iol_stamp_write(f, raw_prefix(), &i);
	i.seq = 2;
	iol_stamp_restamp(f, IOL_ENCAP_RAW, &i);
	TEST_ASSERT_EQUAL(check(f, 128, &expect_full, &r), IOL_STAMP_OK, "%s", r.why);
	TEST_ASSERT_EQUAL(r.hdr.seq, 2, "restamped seq");
	TEST_ASSERT(memcmp(f, mac_b, 6) == 0, "Ethernet header kept");
	return TEST_SUCCESS;
}

static int
test_stamp_end_of_flow(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(1000, 64);
	uint8_t f[64];

	iol_stamp_write(f, raw_prefix(), &i);
	TEST_ASSERT_EQUAL(check(f, 64, &expect_full, &r), IOL_STAMP_OK, "data frame");
	TEST_ASSERT(!r.end, "data frame is no end");
	i.flags = IOL_STAMP_F_END;
	iol_stamp_write(f, raw_prefix(), &i);
	TEST_ASSERT_EQUAL(check(f, 64, &expect_full, &r), IOL_STAMP_OK, "%s", r.why);
	TEST_ASSERT(r.end, "end of flow");
	TEST_ASSERT_EQUAL(r.hdr.seq, 1000, "frames sent");
	return TEST_SUCCESS;
}

static int
test_stamp_foreign(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(5, 100);
	struct iol_stamp_expect other_run = expect_full;
	uint8_t f[100];

	iol_stamp_write(f, raw_prefix(), &i);
	other_run.run_id = RUN + 1;
	TEST_ASSERT_EQUAL(check(f, 100, &other_run, &r), IOL_STAMP_FOREIGN, "other run");
	TEST_ASSERT_STR_CONTAINS(r.why, "another run", "reason");
	/* Run id 0 accepts any run (a receiver that learns it). */
	other_run.run_id = 0;
	TEST_ASSERT_EQUAL(check(f, 100, &other_run, &r), IOL_STAMP_OK, "any run");

	TEST_ASSERT_EQUAL(check(f, 10, &expect_full, &r), IOL_STAMP_FOREIGN, "runt");
	f[12] = 0x08; f[13] = 0x00; /* IPv4 */
	TEST_ASSERT_EQUAL(check(f, 100, &expect_full, &r), IOL_STAMP_FOREIGN, "ethertype");
	iol_stamp_write(f, raw_prefix(), &i);
	f[IOL_STAMP_ETH_LEN] ^= 0xff;
	TEST_ASSERT_EQUAL(check(f, 100, &expect_full, &r), IOL_STAMP_FOREIGN, "magic");
	TEST_ASSERT_STR_CONTAINS(r.why, "magic", "reason");
	return TEST_SUCCESS;
}

/* An older iovaloop's frames are named as such, whichever its magic. */
static int
test_stamp_format1_is_foreign(void)
{
	static const char *const magics[] = { "IOL1", "IOLE" };
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(5, 64);
	uint8_t f[64];
	unsigned int k;

	for (k = 0; k < RTE_DIM(magics); k++) {
		iol_stamp_write(f, raw_prefix(), &i);
		memcpy(f + IOL_STAMP_ETH_LEN, magics[k], 4);
		TEST_ASSERT_EQUAL(check(f, 64, &expect_full, &r), IOL_STAMP_FOREIGN, "%s", magics[k]);
		TEST_ASSERT_STR_CONTAINS(r.why, "frame format 1", "%s", magics[k]);
		TEST_ASSERT(!r.hdr_valid, "%s", magics[k]);
	}
	return TEST_SUCCESS;
}

static int
test_stamp_truncated(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(5, 300);
	uint8_t f[300];

	iol_stamp_write(f, raw_prefix(), &i);
	TEST_ASSERT_EQUAL(check(f, 299, &expect_full, &r), IOL_STAMP_TRUNCATED, "one short");
	TEST_ASSERT(r.hdr_valid, "a whole header keeps its sequence");
	TEST_ASSERT_EQUAL(check(f, IOL_STAMP_MIN_LEN - 1, &expect_full, &r),
		IOL_STAMP_TRUNCATED, "header cut");
	TEST_ASSERT(!r.hdr_valid, "a cut header is not trusted");
	TEST_ASSERT_EQUAL(check(f, 20, &expect_full, &r), IOL_STAMP_TRUNCATED, "magic only");
	return TEST_SUCCESS;
}

static int
test_stamp_corrupted_reports_bytes(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(77, 256);
	uint8_t f[256], orig;

	iol_stamp_write(f, raw_prefix(), &i);
	orig = f[200];
	f[200] ^= 0x5a;
	f[203] ^= 0x01;
	TEST_ASSERT_EQUAL(check(f, 256, &expect_full, &r), IOL_STAMP_CORRUPTED, "payload");
	TEST_ASSERT_EQUAL(r.bad_offset, 200, "first bad byte");
	TEST_ASSERT_EQUAL(r.bad_bytes, 2, "bad byte count");
	TEST_ASSERT_EQUAL(r.expected[0], orig, "expected byte");
	TEST_ASSERT_EQUAL(r.seen[0], orig ^ 0x5a, "seen byte");
	TEST_ASSERT_EQUAL(r.n_shown, 8, "bytes shown");
	TEST_ASSERT(r.hdr_valid, "payload damage leaves the header");

	/* Header verification alone does not read the payload. */
	TEST_ASSERT_EQUAL(check(f, 256, &expect_header, &r), IOL_STAMP_OK, "header level");

	/* A flipped header bit is corruption, not a foreign frame. */
	iol_stamp_write(f, raw_prefix(), &i);
	f[IOL_STAMP_ETH_LEN + 9] ^= 0x10; /* inside seq */
	TEST_ASSERT_EQUAL(check(f, 256, &expect_header, &r), IOL_STAMP_CORRUPTED, "header");
	TEST_ASSERT_STR_CONTAINS(r.why, "CRC", "reason");
	TEST_ASSERT(!r.hdr_valid, "a damaged header is not trusted");

	/* Longer than sent, beyond the minimum frame padding. */
	iol_stamp_write(f, raw_prefix(), &i);
	struct iol_stamp_info shorter = info_for(1, 100);
	iol_stamp_write(f, raw_prefix(), &shorter);
	TEST_ASSERT_EQUAL(check(f, 101, &expect_full, &r), IOL_STAMP_CORRUPTED, "grew");
	/* A frame under 60 bytes padded to 60 by the NIC is fine. */
	shorter = info_for(1, IOL_STAMP_MIN_LEN);
	iol_stamp_write(f, raw_prefix(), &shorter);
	TEST_ASSERT_EQUAL(check(f, 60, &expect_full, &r), IOL_STAMP_OK, "padding");
	return TEST_SUCCESS;
}

/* 198.18.0.1:50000 -> 198.18.0.2, the addresses the loop gives its first pair. */
static const struct iol_stamp_ends udp_ends = {
	.dst_mac = { 0x02, 0, 0, 0, 0, 0xb }, .src_mac = { 0x02, 0, 0, 0, 0, 0xa },
	.src_ip = 0xc6120001, .dst_ip = 0xc6120002, .src_port = 50000,
};

static const struct iol_stamp_expect expect_udp = {
	.run_id = RUN, .rx_port = 1, .rx_queue = 1, .level = IOL_VERIFY_FULL,
	.encap = IOL_ENCAP_UDP,
};

static uint32_t
be(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* RFC 1071, written out here rather than taken from DPDK. */
static uint16_t
ones_sum(const uint8_t *p, unsigned int n)
{
	uint32_t sum = 0;

	for (unsigned int i = 0; i < n; i += 2)
		sum += be(p + i, 2);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static int
test_stamp_udp_prefix(void)
{
	struct iol_stamp_prefix p;
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(77, 300);
	uint8_t f[300], *ip = f + 14, *udp = f + 34;

	iol_stamp_prefix_build(&p, IOL_ENCAP_UDP, &udp_ends, 300);
	TEST_ASSERT_EQUAL(p.len, 42, "prefix of Ethernet, IPv4 and UDP");
	iol_stamp_write(f, &p, &i);
	TEST_ASSERT(memcmp(f, mac_b, 6) == 0 && memcmp(f + 6, mac_a, 6) == 0, "MACs");
	TEST_ASSERT_EQUAL(be(f + 12, 2), 0x0800, "EtherType IPv4");
	TEST_ASSERT_EQUAL(ip[0], 0x45, "version 4, no options");
	TEST_ASSERT_EQUAL(be(ip + 2, 2), 286, "IPv4 total length");
	TEST_ASSERT_EQUAL(be(ip + 6, 2), 0x4000, "DF, not a fragment");
	TEST_ASSERT_EQUAL(ip[8], 64, "TTL");
	TEST_ASSERT_EQUAL(ip[9], 17, "UDP");
	TEST_ASSERT_EQUAL(ones_sum(ip, 20), 0xffff, "IPv4 header checksum");
	TEST_ASSERT_EQUAL(be(ip + 12, 4), 0xc6120001, "source 198.18.0.1");
	TEST_ASSERT_EQUAL(be(ip + 16, 4), 0xc6120002, "destination 198.18.0.2");
	TEST_ASSERT_EQUAL(be(udp, 2), 50000, "source port");
	TEST_ASSERT_EQUAL(be(udp + 2, 2), IOL_STAMP_UDP_PORT, "destination port");
	TEST_ASSERT_EQUAL(be(udp + 4, 2), 266, "UDP length");
	TEST_ASSERT_EQUAL(be(udp + 6, 2), 0, "UDP checksum 0");
	TEST_ASSERT_EQUAL(f[42] | f[43] << 8, IOL_STAMP_MAGIC, "iovaloop header after UDP");

	TEST_ASSERT_EQUAL(check(f, 300, &expect_udp, &r), IOL_STAMP_OK, "%s", r.why);
	TEST_ASSERT_EQUAL(r.hdr.seq, 77, "parsed back");
	TEST_ASSERT_EQUAL(r.hdr.len, 300, "length");
	/* The payload is a raw frame's, moved by the 28 bytes of IPv4 and UDP. */
	for (uint32_t off = 84; off < 300; off++)
		TEST_ASSERT_EQUAL(f[off], iol_stamp_payload_byte(RUN, 77, off - 28), "byte %u", off);
	i.seq = 78;
	iol_stamp_restamp(f, IOL_ENCAP_UDP, &i);
	TEST_ASSERT_EQUAL(check(f, 300, &expect_udp, &r), IOL_STAMP_OK, "%s", r.why);
	TEST_ASSERT_EQUAL(r.hdr.seq, 78, "restamped");
	TEST_ASSERT(memcmp(f, p.bytes, 42) == 0, "prefix kept");

	f[299] ^= 1;
	TEST_ASSERT_EQUAL(check(f, 300, &expect_udp, &r), IOL_STAMP_CORRUPTED, "payload");
	TEST_ASSERT_EQUAL(r.bad_offset, 299, "offset in the frame, not the shifted view");
	return TEST_SUCCESS;
}

static int
test_stamp_cross_encapsulation(void)
{
	struct iol_stamp_prefix p;
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(5, 128);
	uint8_t f[128], g[128];

	iol_stamp_prefix_build(&p, IOL_ENCAP_UDP, &udp_ends, 128);
	iol_stamp_write(f, &p, &i);
	TEST_ASSERT_EQUAL(check(f, 128, &expect_full, &r), IOL_STAMP_FOREIGN, "udp to raw");
	TEST_ASSERT(strstr(r.why, "--frame udp") != NULL, "named: %s", r.why);
	TEST_ASSERT(!r.hdr_valid, "nothing trusted");
	iol_stamp_write(g, raw_prefix(), &i);
	TEST_ASSERT_EQUAL(check(g, 128, &expect_udp, &r), IOL_STAMP_FOREIGN, "raw to udp");
	TEST_ASSERT(strstr(r.why, "--frame raw") != NULL, "named: %s", r.why);
	/* A raw frame shorter than a UDP prefix is not read past its end. */
	TEST_ASSERT_EQUAL(check(g, 40, &expect_udp, &r), IOL_STAMP_FOREIGN, "short raw");
	TEST_ASSERT_EQUAL(check(f, 43, &expect_udp, &r), IOL_STAMP_FOREIGN, "cut in UDP");

	/* Damage that a good iovaloop header leaves trustworthy: corrupted, sequence usable. */
	static const struct { unsigned int off; uint8_t x; const char *why; } dmg[] = {
		{ 14 + 8, 1, "IPv4 header checksum" },
		{ 14 + 2, 0, "IPv4 total length" },
		{ 34 + 4, 0, "UDP length" },
		{ 34 + 6, 0, "UDP checksum" },
	};
	for (unsigned int k = 0; k < RTE_DIM(dmg); k++) {
		memcpy(g, f, sizeof(g));
		if (dmg[k].x != 0) {
			g[dmg[k].off] ^= dmg[k].x;
		} else {
			g[dmg[k].off + 1] ^= 4;
			if (dmg[k].off == 16) {
				/* The checksum made right again: only the length is wrong. */
				uint16_t c;

				g[24] = g[25] = 0;
				c = (uint16_t)~ones_sum(g + 14, 20);
				g[24] = (uint8_t)(c >> 8);
				g[25] = (uint8_t)c;
			}
		}
		TEST_ASSERT_EQUAL(check(g, 128, &expect_udp, &r), IOL_STAMP_CORRUPTED,
			"%s", dmg[k].why);
		TEST_ASSERT(strstr(r.why, dmg[k].why) != NULL, "why %s: %s", dmg[k].why, r.why);
		TEST_ASSERT(r.hdr_valid, "%s: header still trusted", dmg[k].why);
	}
	/* Not iovaloop's datagram: another protocol or port is foreign. */
	memcpy(g, f, sizeof(g));
	g[14 + 9] = 6;
	TEST_ASSERT_EQUAL(check(g, 128, &expect_udp, &r), IOL_STAMP_FOREIGN, "TCP");
	memcpy(g, f, sizeof(g));
	g[34 + 3] ^= 1;
	TEST_ASSERT_EQUAL(check(g, 128, &expect_udp, &r), IOL_STAMP_FOREIGN, "port");
	TEST_ASSERT(strstr(r.why, "port") != NULL, "why: %s", r.why);
	memcpy(g, f, sizeof(g));
	g[14 + 6] |= 0x20;
	TEST_ASSERT_EQUAL(check(g, 128, &expect_udp, &r), IOL_STAMP_FOREIGN, "fragment");
	return TEST_SUCCESS;
}

static int
test_stamp_misdelivered(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(5, 64);
	struct iol_stamp_expect e = expect_full;
	uint8_t f[64];

	iol_stamp_write(f, raw_prefix(), &i);
	e.rx_queue = 0;
	TEST_ASSERT_EQUAL(check(f, 64, &e, &r), IOL_STAMP_MISDELIVERED, "queue");
	e = expect_full;
	e.rx_port = 0;
	TEST_ASSERT_EQUAL(check(f, 64, &e, &r), IOL_STAMP_MISDELIVERED, "port");
	i.dst_port = i.dst_queue = IOL_STAMP_ANY;
	iol_stamp_write(f, raw_prefix(), &i);
	TEST_ASSERT_EQUAL(check(f, 64, &e, &r), IOL_STAMP_OK, "wildcard");
	return TEST_SUCCESS;
}

static int
test_stamp_crc_known_answer(void)
{
	struct iol_stamp_info i = info_for(1000, 64);
	const uint8_t *h;
	uint8_t f[64];
	uint64_t w[5];
	uint32_t crc;

	/* The reference itself: CRC-32C's check value, before its final inversion. */
	TEST_ASSERT_EQUAL(crc32c_ref((const uint8_t *)"123456789", 9),
		0xe3069283u ^ 0xffffffffu, "bitwise reference");
	iol_stamp_write(f, raw_prefix(), &i);
	h = f + IOL_STAMP_ETH_LEN;
	memcpy(&crc, h + IOL_STAMP_CRC_COVERED, 4);
	crc = rte_le_to_cpu_32(crc);
	TEST_ASSERT_EQUAL(crc, crc32c_ref(h, IOL_STAMP_CRC_COVERED),
		"stamped CRC");
	/* Header of flow 3, run 0x1234abcd, seq 1000 (worked out apart, in Python). */
	TEST_ASSERT_EQUAL(crc, 0x59c622edu, "known answer");
	memcpy(w, h, sizeof(w));
	TEST_ASSERT_EQUAL(iol_stamp_hdr_crc(w), crc, "from the five words");
	/* The high 16 bits of w[4] are the CRC's own: not covered. */
	w[4] ^= rte_cpu_to_le_64(0xffffull << 48);
	TEST_ASSERT_EQUAL(iol_stamp_hdr_crc(w), crc, "w[4] above bit 48");
	return TEST_SUCCESS;
}

#define HDR_BITS (8 * sizeof(struct iol_stamp_hdr))

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void
flip(uint8_t *f, uint32_t bit)
{
	f[IOL_STAMP_ETH_LEN + bit / 8] ^= 1u << (bit % 8);
}

/*
 * A damaged header is never taken: it is corrupted and not trusted, or
 * foreign when the damage reached the magic (bits 0..15).
 */
static bool
rejected(const uint8_t *f, bool magic_hit)
{
	struct iol_stamp_result r;

	iol_stamp_check(f, 64, &expect_header, &r);
	if (r.hdr_valid)
		return false;
	return r.cls == IOL_STAMP_CORRUPTED || (magic_hit && r.cls == IOL_STAMP_FOREIGN);
}

static int
test_stamp_crc_every_1_and_2_bit_error(void)
{
	struct iol_stamp_info i = info_for(1000, 64);
	uint8_t good[64], f[64];
	uint32_t a, b;

	iol_stamp_write(good, raw_prefix(), &i);
	for (a = 0; a < HDR_BITS; a++) {
		memcpy(f, good, sizeof(f));
		flip(f, a);
		TEST_ASSERT(rejected(f, a < 16), "bit %u", a);
		for (b = a + 1; b < HDR_BITS; b++) {
			flip(f, b);
			TEST_ASSERT(rejected(f, a < 16), "bits %u and %u", a, b);
			flip(f, b);
		}
	}
	return TEST_SUCCESS;
}

static int
test_stamp_crc_3_bit_errors_and_bursts(void)
{
	struct iol_stamp_info i = info_for(1000, 64);
	uint8_t good[64], f[64];
	uint32_t bits[3], len, at, k, p;
	uint64_t x = 0x9e3779b97f4a7c15ull, pattern;

	iol_stamp_write(good, raw_prefix(), &i);
	for (k = 0; k < 200000; k++) {
		bits[0] = xorshift(&x) % HDR_BITS;
		do
			bits[1] = xorshift(&x) % HDR_BITS;
		while (bits[1] == bits[0]);
		do
			bits[2] = xorshift(&x) % HDR_BITS;
		while (bits[2] == bits[0] || bits[2] == bits[1]);
		memcpy(f, good, sizeof(f));
		for (p = 0; p < 3; p++)
			flip(f, bits[p]);
		TEST_ASSERT(rejected(f, RTE_MIN(bits[0], RTE_MIN(bits[1], bits[2])) < 16),
			"bits %u %u %u", bits[0], bits[1], bits[2]);
	}
	/*
	 * Bursts: first and last bit flipped, a few patterns between, from
	 * every offset, in the order the reflected CRC takes the bits.
	 */
	for (len = 1; len <= 32; len++) {
		for (p = 0; p < 4; p++) {
			pattern = p == 0 ? ~0ull : p == 1 ? 0 : p == 2 ? 0x5555555555555555ull :
				xorshift(&x);
			pattern |= 1ull | 1ull << (len - 1);
			for (at = 0; at + len <= HDR_BITS; at++) {
				memcpy(f, good, sizeof(f));
				for (k = 0; k < len; k++)
					if ((pattern >> k) & 1)
						flip(f, at + k);
				TEST_ASSERT(rejected(f, at < 16), "burst of %u at bit %u, pattern %u",
					len, at, p);
			}
		}
	}
	return TEST_SUCCESS;
}

/* Format 1's check word: an XOR fold of the header's five words. */
static uint16_t
xor_fold(const uint64_t w[5])
{
	uint64_t c = w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4];

	c ^= c >> 32;
	c ^= c >> 16;
	return (uint16_t)c;
}

static uint16_t
xor_fold_of(const uint8_t *h)
{
	uint64_t w[5];

	memcpy(w, h, sizeof(w));
	return xor_fold(w);
}

/* The damage an XOR fold let through (issue "Hostile frames and honest verdicts"). */
static int
test_stamp_crc_catches_what_the_fold_missed(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(1000, 64);
	uint8_t f[64], *h = f + IOL_STAMP_ETH_LEN;
	uint16_t fold;
	uint64_t seq;

	/* "flow changed from 0 to 32 passed --verify full": with a TSC bit in the same lane. */
	i.flow = 0;
	iol_stamp_write(f, raw_prefix(), &i);
	fold = xor_fold_of(h);
	h[offsetof(struct iol_stamp_hdr, flow)] ^= 32;
	h[offsetof(struct iol_stamp_hdr, tx_tsc)] ^= 32;
	TEST_ASSERT_EQUAL(xor_fold_of(h), fold, "a fold cannot see this");
	TEST_ASSERT_EQUAL(check(f, 64, &expect_full, &r), IOL_STAMP_CORRUPTED, "flow 0 -> 32");
	TEST_ASSERT(!r.hdr_valid, "flow 0 -> 32 not trusted");

	/* "seq 1000 became 66537 and passed --verify header": bits 0 and 16. */
	i = info_for(1000, 64);
	iol_stamp_write(f, raw_prefix(), &i);
	fold = xor_fold_of(h);
	seq = rte_cpu_to_le_64(66537);
	memcpy(h + offsetof(struct iol_stamp_hdr, seq), &seq, sizeof(seq));
	TEST_ASSERT_EQUAL(xor_fold_of(h), fold, "a fold cannot see this");
	TEST_ASSERT_EQUAL(check(f, 64, &expect_header, &r), IOL_STAMP_CORRUPTED, "seq 1000 -> 66537");
	TEST_ASSERT(!r.hdr_valid, "seq 66537 not trusted");
	return TEST_SUCCESS;
}

/*
 * Frames placed so that their last byte is the last byte before a
 * PROT_NONE page: any read past the data faults and kills the test.
 */
static int
test_stamp_never_reads_past_data(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct iol_stamp_result r;
	struct iol_stamp_info i;
	uint8_t *area, *f, full[512];
	uint32_t len, cut;

	area = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(area != MAP_FAILED, "mmap");
	TEST_ASSERT_SUCCESS(mprotect(area + pg, pg, PROT_NONE), "guard page");
	for (len = IOL_STAMP_MIN_LEN; len <= sizeof(full); len += 13) {
		i = info_for(len, len);
		iol_stamp_write(full, raw_prefix(), &i);
		for (cut = 0; cut <= len; cut++) {
			f = area + pg - cut;
			memcpy(f, full, cut);
			iol_stamp_check(f, cut, &expect_full, &r);
			TEST_ASSERT(cut == len ? r.cls == IOL_STAMP_OK :
				r.cls != IOL_STAMP_OK, "len %u cut %u: %s", len, cut,
				iol_stamp_class_name(r.cls));
		}
	}
	munmap(area, 2 * pg);
	return TEST_SUCCESS;
}

#define NO_BOUND UINT64_MAX

static int
test_seq_in_order_and_gap(void)
{
	struct iol_seq s;
	uint64_t lost = 0, i;

	iol_seq_init(&s, true, 0);
	for (i = 0; i < 10000; i++)
		TEST_ASSERT_EQUAL(iol_seq_update(&s, i, NO_BOUND, &lost), IOL_SEQ_IN_ORDER,
			"seq %" PRIu64, i);
	TEST_ASSERT_EQUAL(lost, 0, "nothing lost");
	/* 10000 and 10001 never come; confirmed once they leave the window. */
	for (i = 10002; i < 10000 + IOL_SEQ_WINDOW; i++)
		iol_seq_update(&s, i, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(lost, 0, "not yet confirmed");
	iol_seq_update(&s, 10000 + IOL_SEQ_WINDOW, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(lost, 1, "10000 left the window");
	iol_seq_update(&s, 10001 + IOL_SEQ_WINDOW, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(lost, 2, "confirmed as they left the window");
	TEST_ASSERT_EQUAL(s.lost, 2, "lost");
	TEST_ASSERT_EQUAL(s.n_lost_ranges, 1, "one run of two");
	TEST_ASSERT_EQUAL(s.duplicated + s.reordered + s.stale, 0, "no other class");
	return TEST_SUCCESS;
}

static int
test_seq_dup_reorder_recovered(void)
{
	struct iol_seq s;
	uint64_t lost = 0;

	iol_seq_init(&s, true, 0);
	iol_seq_update(&s, 0, NO_BOUND, &lost);
	iol_seq_update(&s, 2, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1, NO_BOUND, &lost), IOL_SEQ_LATE, "swap");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1, NO_BOUND, &lost), IOL_SEQ_DUPLICATE, "dup");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 2, NO_BOUND, &lost), IOL_SEQ_DUPLICATE,
		"dup of newest");
	TEST_ASSERT_EQUAL(s.reordered, 1, "reordered");
	TEST_ASSERT_EQUAL(s.duplicated, 2, "duplicated");

	/*
	 * A jump far ahead: of the missing 3 .. 3+2W-1, those below the new
	 * window (3 .. 3+W) are confirmed lost at once, the rest stay holes.
	 */
	iol_seq_update(&s, 3 + 2 * IOL_SEQ_WINDOW, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(s.lost, IOL_SEQ_WINDOW + 1, "left the window");
	lost = 0;
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 4 + 2 * IOL_SEQ_WINDOW, NO_BOUND, &lost),
		"flush");
	TEST_ASSERT_EQUAL(lost, IOL_SEQ_WINDOW - 1, "holes still in the window");
	TEST_ASSERT_EQUAL(s.n_lost_ranges, 1, "3 .. 3+2W-1 is one run");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 3, NO_BOUND, &lost), IOL_SEQ_RECOVERED, "late");
	TEST_ASSERT_EQUAL(s.lost, 2 * IOL_SEQ_WINDOW - 1, "late one not lost");
	TEST_ASSERT_EQUAL(s.reordered, 2, "late one reordered");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 3, NO_BOUND, &lost), IOL_SEQ_DUPLICATE,
		"then a duplicate");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 2 + IOL_SEQ_WINDOW, NO_BOUND, &lost),
		IOL_SEQ_RECOVERED, "middle of the run");
	TEST_ASSERT_EQUAL(s.n_lost_ranges, 2, "run split");
	TEST_ASSERT_EQUAL(s.lost, 2 * IOL_SEQ_WINDOW - 2, "lost");
	return TEST_SUCCESS;
}

/* The case: an old duplicate must not erase a real loss. */
static int
test_seq_old_duplicate_keeps_loss(void)
{
	struct iol_seq s;
	uint64_t lost = 0, i;

	iol_seq_init(&s, true, 0);
	for (i = 0; i < 6000; i++)
		if (i != 100)
			iol_seq_update(&s, i, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(s.lost, 1, "100 lost");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 50, NO_BOUND, &lost), IOL_SEQ_DUPLICATE, "50");
	TEST_ASSERT_EQUAL(s.lost, 1, "still lost");
	TEST_ASSERT_EQUAL(s.duplicated, 1, "duplicated");
	TEST_ASSERT_EQUAL(s.reordered, 0, "not reordered");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 100, NO_BOUND, &lost), IOL_SEQ_RECOVERED, "100");
	TEST_ASSERT_EQUAL(s.lost, 0, "100 came after all");
	TEST_ASSERT_EQUAL(s.reordered, 1, "reordered");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 100, NO_BOUND, &lost), IOL_SEQ_DUPLICATE, "again");
	TEST_ASSERT_EQUAL(s.duplicated, 2, "duplicated");
	TEST_ASSERT_EQUAL(s.stale, 0, "nothing stale");
	return TEST_SUCCESS;
}

static int
test_seq_wraps(void)
{
	const uint64_t from = UINT64_MAX - 1;
	struct iol_seq s;
	uint64_t lost = 0, i, n;
	int known;

	/* 2^64 - 2, 2^64 - 1, 0, 1: in order, learnt or given (used to hang). */
	for (known = 0; known < 2; known++) {
		iol_seq_init(&s, known, from);
		for (i = 0; i < 4; i++)
			TEST_ASSERT_EQUAL(iol_seq_update(&s, from + i, NO_BOUND, &lost),
				IOL_SEQ_IN_ORDER, "known %d, seq %" PRIu64, known, from + i);
		TEST_ASSERT_EQUAL(s.next, 2, "next");
		TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 2, NO_BOUND, &lost), "flush");
		TEST_ASSERT_EQUAL(lost + s.lost + s.duplicated + s.reordered + s.stale, 0,
			"known %d: nothing to report", known);
	}

	/* A single frame 2^64 - 1 on a fresh flow. */
	iol_seq_init(&s, false, 0);
	TEST_ASSERT_EQUAL(iol_seq_update(&s, UINT64_MAX, NO_BOUND, &lost), IOL_SEQ_IN_ORDER,
		"last number");
	TEST_ASSERT_EQUAL(s.next, 0, "next wrapped");
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 0, NO_BOUND, &lost), "flush");
	TEST_ASSERT_EQUAL(lost, 0, "complete");
	/* Behind the first number given: stale, not lost. */
	iol_seq_init(&s, true, 0);
	TEST_ASSERT_EQUAL(iol_seq_update(&s, UINT64_MAX, NO_BOUND, &lost), IOL_SEQ_STALE,
		"before 0");
	TEST_ASSERT_EQUAL(s.stale, 1, "stale");

	/* Losses across the wrap are counted, and taken back, exactly. */
	iol_seq_init(&s, true, UINT64_MAX - 9);
	n = IOL_SEQ_WINDOW + 20;
	for (i = 0; i < n; i++)
		if (UINT64_MAX - 9 + i != UINT64_MAX && UINT64_MAX - 9 + i != 0)
			iol_seq_update(&s, UINT64_MAX - 9 + i, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(s.lost, 2, "2^64 - 1 and 0");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 0, NO_BOUND, &lost), IOL_SEQ_RECOVERED, "0");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, UINT64_MAX, NO_BOUND, &lost), IOL_SEQ_RECOVERED,
		"2^64 - 1");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, UINT64_MAX - 1, NO_BOUND, &lost),
		IOL_SEQ_DUPLICATE, "2^64 - 2");
	TEST_ASSERT_EQUAL(s.lost, 0, "lost");
	TEST_ASSERT_EQUAL(s.reordered, 2, "reordered");
	return TEST_SUCCESS;
}

/* Lose each of 10, 20, ..., 10 * n alone, then move them out of the window. */
static void
lose_every_tenth(struct iol_seq *s, unsigned int n, uint64_t *lost)
{
	uint64_t i;

	iol_seq_init(s, true, 0);
	for (i = 0; i < 10 * n + IOL_SEQ_WINDOW + 1; i++)
		if (i % 10 != 0 || i == 0 || i > 10 * n)
			iol_seq_update(s, i, NO_BOUND, lost);
}

static int
test_seq_history_overflow_is_stale(void)
{
	const unsigned int n = IOL_SEQ_LOST_RANGES + 1;
	struct iol_seq s;
	uint64_t lost = 0, i;

	lose_every_tenth(&s, n, &lost);
	TEST_ASSERT_EQUAL(s.lost, n, "each lost");
	TEST_ASSERT_EQUAL(s.n_lost_ranges, IOL_SEQ_LOST_RANGES, "ranges kept");
	TEST_ASSERT_EQUAL(s.horizon, 11, "past the forgotten range");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 10, NO_BOUND, &lost), IOL_SEQ_STALE, "forgotten");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 5, NO_BOUND, &lost), IOL_SEQ_STALE, "before it");
	TEST_ASSERT_EQUAL(s.stale, 2, "stale");
	TEST_ASSERT_EQUAL(s.lost, n, "stale takes nothing back");
	TEST_ASSERT_EQUAL(s.duplicated + s.reordered, 0, "and is nothing else");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 15, NO_BOUND, &lost), IOL_SEQ_DUPLICATE, "known");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 20, NO_BOUND, &lost), IOL_SEQ_RECOVERED, "kept");
	TEST_ASSERT_EQUAL(s.lost, n - 1, "taken back");

	/* A split with every range in use forgets the oldest range... */
	lose_every_tenth(&s, IOL_SEQ_LOST_RANGES - 1, &lost);
	iol_seq_update(&s, 20 * IOL_SEQ_WINDOW, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(s.n_lost_ranges, IOL_SEQ_LOST_RANGES, "gap took the last range");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 15 * IOL_SEQ_WINDOW, NO_BOUND, &lost),
		IOL_SEQ_RECOVERED, "middle of the gap");
	TEST_ASSERT_EQUAL(s.horizon, 11, "first range forgotten");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 10, NO_BOUND, &lost), IOL_SEQ_STALE, "10");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 20, NO_BOUND, &lost), IOL_SEQ_RECOVERED, "20");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 15 * IOL_SEQ_WINDOW + 1, NO_BOUND, &lost),
		IOL_SEQ_RECOVERED, "upper part kept");

	/* ...which may be the lower part of the range split: 1 .. W - 1 here. */
	iol_seq_init(&s, true, 0);
	iol_seq_update(&s, 0, NO_BOUND, &lost);
	for (i = 2 * IOL_SEQ_WINDOW; i < 4 * IOL_SEQ_WINDOW + 10 * IOL_SEQ_LOST_RANGES; i++)
		if (i % 10 != 5 || i < 3 * IOL_SEQ_WINDOW || i > 3 * IOL_SEQ_WINDOW + 150)
			iol_seq_update(&s, i, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(s.n_lost_ranges, IOL_SEQ_LOST_RANGES, "1 .. 2W - 1 and 15 more");
	TEST_ASSERT_EQUAL(s.lost_ranges[0].hi, 2 * IOL_SEQ_WINDOW, "gap and holes are one run");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, IOL_SEQ_WINDOW, NO_BOUND, &lost),
		IOL_SEQ_RECOVERED, "middle of the oldest");
	TEST_ASSERT_EQUAL(s.horizon, IOL_SEQ_WINDOW, "its lower part forgotten");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, IOL_SEQ_WINDOW - 1, NO_BOUND, &lost),
		IOL_SEQ_STALE, "lower part");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, IOL_SEQ_WINDOW, NO_BOUND, &lost),
		IOL_SEQ_DUPLICATE, "the one that came");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, IOL_SEQ_WINDOW + 1, NO_BOUND, &lost),
		IOL_SEQ_RECOVERED, "upper part");
	return TEST_SUCCESS;
}

static int
test_seq_implausible_jump(void)
{
	struct iol_seq s, before;
	uint64_t lost = 0, i;

	iol_seq_init(&s, true, 0);
	for (i = 0; i < 10; i++)
		iol_seq_update(&s, i, 1000, &lost);
	before = s;
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1011, 1000, &lost), IOL_SEQ_IMPLAUSIBLE, "too far");
	TEST_ASSERT(memcmp(&s, &before, sizeof(s)) == 0, "nothing changed");
	TEST_ASSERT_EQUAL(lost, 0, "nothing lost");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1010, 1000, &lost), IOL_SEQ_IN_ORDER, "at the bound");
	TEST_ASSERT_EQUAL(lost, 0, "the gap is still in the window");

	/* Without a bound, the largest jump ahead is taken in bounded time... */
	iol_seq_init(&s, true, 0);
	iol_seq_update(&s, 0, NO_BOUND, &lost);
	lost = 0;
	TEST_ASSERT_EQUAL(iol_seq_update(&s, (1ull << 63), NO_BOUND, &lost), IOL_SEQ_IN_ORDER,
		"2^63 ahead");
	TEST_ASSERT_EQUAL(lost, (1ull << 63) - IOL_SEQ_WINDOW, "lost before the window");
	/* ...and 2^63 ahead of next is behind it, older than any history. */
	TEST_ASSERT_EQUAL(iol_seq_update(&s, s.next + (1ull << 63), NO_BOUND, &lost),
		IOL_SEQ_STALE, "half way round");
	/* Counters saturate rather than wrap, and a saturated count stays. */
	iol_seq_update(&s, s.next + (1ull << 63) - 1, NO_BOUND, &lost);
	iol_seq_update(&s, s.next + (1ull << 63) - 1, NO_BOUND, &lost);
	TEST_ASSERT_EQUAL(s.lost, UINT64_MAX, "saturated");
	TEST_ASSERT_EQUAL(lost, UINT64_MAX, "caller's count saturated");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, s.next - IOL_SEQ_WINDOW - 1, NO_BOUND, &lost),
		IOL_SEQ_RECOVERED, "late");
	TEST_ASSERT_EQUAL(s.lost, UINT64_MAX, "stays saturated");
	TEST_ASSERT(s.next - s.horizon <= IOL_SEQ_HISTORY_MAX, "history bounded");
	return TEST_SUCCESS;
}

static int
test_seq_flush(void)
{
	struct iol_seq s, before;
	uint64_t lost = 0, i;

	iol_seq_init(&s, true, 100);
	iol_seq_update(&s, 100, NO_BOUND, &lost);
	iol_seq_update(&s, 102, NO_BOUND, &lost);
	/* 101 is a hole, 103 and 104 were sent but never came. */
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 105, NO_BOUND, &lost), "flush");
	TEST_ASSERT_EQUAL(lost, 3, "flush counts holes and tail");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 104, NO_BOUND, &lost), IOL_SEQ_RECOVERED,
		"after flush");
	TEST_ASSERT_EQUAL(s.lost, 2, "late arrival taken off lost");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 102, NO_BOUND, &lost), IOL_SEQ_DUPLICATE,
		"arrived before the flush");
	lost = 0;
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 105, NO_BOUND, &lost), "second end frame");
	TEST_ASSERT_EQUAL(lost, 0, "second flush finds nothing");

	/* Counts that cannot be true change nothing. */
	iol_seq_init(&s, true, 0);
	for (i = 0; i < 10; i++)
		if (i != 4)
			iol_seq_update(&s, i, NO_BOUND, &lost);
	before = s;
	lost = 0;
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, 9, NO_BOUND, &lost), -1, "fewer sent than received");
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, UINT64_MAX, NO_BOUND, &lost), -1, "far behind");
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, 1011, 1000, &lost), -1, "beyond max_ahead");
	TEST_ASSERT(memcmp(&s, &before, sizeof(s)) == 0, "refused: nothing changed");
	TEST_ASSERT_EQUAL(lost, 0, "refused: nothing lost");
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 1010, 1000, &lost), "at the bound");
	TEST_ASSERT_EQUAL(lost, 1001, "hole and tail");

	/* A receiver that does not know the start learns it. */
	iol_seq_init(&s, false, 0);
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 5000, NO_BOUND, &lost), IOL_SEQ_IN_ORDER, "first");
	TEST_ASSERT_EQUAL(s.lost, 0, "nothing before the first is lost");
	lost = 0;
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 5001, NO_BOUND, &lost), "complete");
	TEST_ASSERT_EQUAL(lost, 0, "complete");

	/* A flow that never started starts at the count: nothing to judge. */
	iol_seq_init(&s, false, 0);
	TEST_ASSERT_SUCCESS(iol_seq_flush(&s, 1000, 10, &lost), "never started");
	TEST_ASSERT_EQUAL(lost + s.lost, 0, "nothing lost");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 999, NO_BOUND, &lost), IOL_SEQ_STALE, "before it");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1000, NO_BOUND, &lost), IOL_SEQ_IN_ORDER, "next");
	return TEST_SUCCESS;
}

#define BENCH_FRAMES 1024
#define BENCH_ROUNDS 2000

/*
 * Cycles per header of the fast path's check, format 1's fold against
 * format 2's CRC: load the five words and the check as fast_frame() does,
 * compare; and iol_stamp_check() at --verify full for scale. Frames of
 * 64 bytes, in L1/L2; the best of five runs. Reported, never asserted.
 */
static int
stamp_crc_bench(void)
{
	static uint8_t frames[BENCH_FRAMES][64];
	uint64_t w[5], t, best[3] = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
	const uint8_t *h;
	struct iol_stamp_info i;
	struct iol_stamp_result r;
	unsigned int n, k, rep, ok[3] = { 0 };
	uint32_t crc;
	uint16_t fold;

	for (n = 0; n < BENCH_FRAMES; n++) {
		i = info_for(n, 64);
		iol_stamp_write(frames[n], raw_prefix(), &i);
	}
	for (rep = 0; rep < 5; rep++) {
		t = rte_rdtsc_precise();
		for (k = 0; k < BENCH_ROUNDS; k++) {
			/* Every round reads the frames again. */
			rte_compiler_barrier();
			for (n = 0; n < BENCH_FRAMES; n++) {
				h = frames[n] + IOL_STAMP_ETH_LEN;
				memcpy(w, h, sizeof(w));
				memcpy(&fold, h + 38, sizeof(fold));
				ok[0] += xor_fold(w) == fold;
			}
		}
		best[0] = RTE_MIN(best[0], rte_rdtsc_precise() - t);
		t = rte_rdtsc_precise();
		for (k = 0; k < BENCH_ROUNDS; k++) {
			/* Every round reads the frames again. */
			rte_compiler_barrier();
			for (n = 0; n < BENCH_FRAMES; n++) {
				h = frames[n] + IOL_STAMP_ETH_LEN;
				memcpy(w, h, sizeof(w));
				memcpy(&crc, h + IOL_STAMP_CRC_COVERED, sizeof(crc));
				ok[1] += iol_stamp_hdr_crc(w) == rte_le_to_cpu_32(crc);
			}
		}
		best[1] = RTE_MIN(best[1], rte_rdtsc_precise() - t);
		t = rte_rdtsc_precise();
		for (k = 0; k < BENCH_ROUNDS / 10; k++) {
			rte_compiler_barrier();
			for (n = 0; n < BENCH_FRAMES; n++) {
				iol_stamp_check(frames[n], 64, &expect_full, &r);
				ok[2] += r.cls == IOL_STAMP_OK;
			}
		}
		best[2] = RTE_MIN(best[2], (rte_rdtsc_precise() - t) * 10);
	}
	printf("cycles per header (best of 5, %u x %u headers):\n"
		"  format 1 XOR fold check:    %.2f\n"
		"  format 2 CRC32C check:      %.2f\n"
		"  iol_stamp_check(), full:    %.2f\n"
		"(the fold matched %u format 2 headers: it is no check of them)\n",
		BENCH_ROUNDS, BENCH_FRAMES,
		(double)best[0] / (BENCH_ROUNDS * BENCH_FRAMES),
		(double)best[1] / (BENCH_ROUNDS * BENCH_FRAMES),
		(double)best[2] / (BENCH_ROUNDS * BENCH_FRAMES), ok[0]);
	/* The fold of a format 2 header rarely matches; every CRC must. */
	TEST_ASSERT_EQUAL(ok[1], 5u * BENCH_ROUNDS * BENCH_FRAMES, "CRCs");
	TEST_ASSERT_EQUAL(ok[2], 5u * BENCH_ROUNDS / 10 * BENCH_FRAMES, "checks");
	return TEST_SUCCESS;
}

static struct unit_test_suite stamp_suite = {
	.suite_name = "stamp and verify",
	.unit_test_cases = {
		TEST_CASE(test_stamp_roundtrip_all_sizes),
		TEST_CASE(test_stamp_restamp_changes_seq),
		TEST_CASE(test_stamp_end_of_flow),
		TEST_CASE(test_stamp_foreign),
		TEST_CASE(test_stamp_format1_is_foreign),
		TEST_CASE(test_stamp_truncated),
		TEST_CASE(test_stamp_corrupted_reports_bytes),
		TEST_CASE(test_stamp_misdelivered),
		TEST_CASE(test_stamp_udp_prefix),
		TEST_CASE(test_stamp_cross_encapsulation),
		TEST_CASE(test_stamp_crc_known_answer),
		TEST_CASE(test_stamp_crc_every_1_and_2_bit_error),
		TEST_CASE(test_stamp_crc_3_bit_errors_and_bursts),
		TEST_CASE(test_stamp_crc_catches_what_the_fold_missed),
		TEST_CASE(test_stamp_never_reads_past_data),
		TEST_CASE(test_seq_in_order_and_gap),
		TEST_CASE(test_seq_dup_reorder_recovered),
		TEST_CASE(test_seq_old_duplicate_keeps_loss),
		TEST_CASE(test_seq_wraps),
		TEST_CASE(test_seq_history_overflow_is_stale),
		TEST_CASE(test_seq_implausible_jump),
		TEST_CASE(test_seq_flush),
		TEST_CASES_END()
	}
};

static int
stamp_autotest(void)
{
	return unit_test_suite_runner(&stamp_suite);
}

REGISTER_TEST_COMMAND(stamp_autotest, stamp_autotest);
REGISTER_TEST_COMMAND(stamp_crc_bench, stamp_crc_bench);
