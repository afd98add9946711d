/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iol_stamp.h"
#include "test.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };

#define RUN 0x1234abcdu

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
		iol_stamp_write(f, mac_b, mac_a, &i);
		TEST_ASSERT_EQUAL(check(f, len, &expect_full, &r), IOL_STAMP_OK,
			"len %u: %s", len, r.why);
		TEST_ASSERT_EQUAL(r.hdr.seq, len * 7, "seq");
		TEST_ASSERT_EQUAL(r.hdr.tx_iova, 0x50100000, "tx iova");
		TEST_ASSERT_EQUAL(r.hdr.flow, 3, "flow");
	}
	/* Each payload byte follows from (run, seq, offset) alone. */
	i = info_for(99, 200);
	iol_stamp_write(f, mac_b, mac_a, &i);
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

	iol_stamp_write(f, mac_b, mac_a, &i);
	i.seq = 2;
	iol_stamp_restamp(f, &i);
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

	iol_stamp_write(f, mac_b, mac_a, &i);
	TEST_ASSERT_EQUAL(check(f, 64, &expect_full, &r), IOL_STAMP_OK, "data frame");
	TEST_ASSERT(!r.end, "data frame is no end");
	i.flags = IOL_STAMP_F_END;
	iol_stamp_write(f, mac_b, mac_a, &i);
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

	iol_stamp_write(f, mac_b, mac_a, &i);
	other_run.run_id = RUN + 1;
	TEST_ASSERT_EQUAL(check(f, 100, &other_run, &r), IOL_STAMP_FOREIGN, "other run");
	TEST_ASSERT_STR_CONTAINS(r.why, "another run", "reason");
	/* Run id 0 accepts any run (a receiver that learns it). */
	other_run.run_id = 0;
	TEST_ASSERT_EQUAL(check(f, 100, &other_run, &r), IOL_STAMP_OK, "any run");

	TEST_ASSERT_EQUAL(check(f, 10, &expect_full, &r), IOL_STAMP_FOREIGN, "runt");
	f[12] = 0x08; f[13] = 0x00; /* IPv4 */
	TEST_ASSERT_EQUAL(check(f, 100, &expect_full, &r), IOL_STAMP_FOREIGN, "ethertype");
	iol_stamp_write(f, mac_b, mac_a, &i);
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
		iol_stamp_write(f, mac_b, mac_a, &i);
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

	iol_stamp_write(f, mac_b, mac_a, &i);
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

	iol_stamp_write(f, mac_b, mac_a, &i);
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
	struct iol_stamp_expect hdr_only = expect_full;
	hdr_only.level = IOL_VERIFY_HEADER;
	TEST_ASSERT_EQUAL(check(f, 256, &hdr_only, &r), IOL_STAMP_OK, "header level");

	/* A flipped header bit is corruption, not a foreign frame. */
	iol_stamp_write(f, mac_b, mac_a, &i);
	f[IOL_STAMP_ETH_LEN + 9] ^= 0x10; /* inside seq */
	TEST_ASSERT_EQUAL(check(f, 256, &hdr_only, &r), IOL_STAMP_CORRUPTED, "header");
	TEST_ASSERT_STR_CONTAINS(r.why, "CRC", "reason");
	TEST_ASSERT(!r.hdr_valid, "a damaged header is not trusted");

	/* Longer than sent, beyond the minimum frame padding. */
	iol_stamp_write(f, mac_b, mac_a, &i);
	struct iol_stamp_info shorter = info_for(1, 100);
	iol_stamp_write(f, mac_b, mac_a, &shorter);
	TEST_ASSERT_EQUAL(check(f, 101, &expect_full, &r), IOL_STAMP_CORRUPTED, "grew");
	/* A frame under 60 bytes padded to 60 by the NIC is fine. */
	shorter = info_for(1, IOL_STAMP_MIN_LEN);
	iol_stamp_write(f, mac_b, mac_a, &shorter);
	TEST_ASSERT_EQUAL(check(f, 60, &expect_full, &r), IOL_STAMP_OK, "padding");
	return TEST_SUCCESS;
}

static int
test_stamp_misdelivered(void)
{
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(5, 64);
	struct iol_stamp_expect e = expect_full;
	uint8_t f[64];

	iol_stamp_write(f, mac_b, mac_a, &i);
	e.rx_queue = 0;
	TEST_ASSERT_EQUAL(check(f, 64, &e, &r), IOL_STAMP_MISDELIVERED, "queue");
	e = expect_full;
	e.rx_port = 0;
	TEST_ASSERT_EQUAL(check(f, 64, &e, &r), IOL_STAMP_MISDELIVERED, "port");
	i.dst_port = i.dst_queue = IOL_STAMP_ANY;
	iol_stamp_write(f, mac_b, mac_a, &i);
	TEST_ASSERT_EQUAL(check(f, 64, &e, &r), IOL_STAMP_OK, "wildcard");
	return TEST_SUCCESS;
}

/* CRC32C bit by bit from its definition, to check the CRC with no DPDK code. */
static uint32_t
crc32c_bitwise(const uint8_t *p, size_t n, uint32_t crc)
{
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return crc;
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
	TEST_ASSERT_EQUAL(crc32c_bitwise((const uint8_t *)"123456789", 9, 0xffffffff),
		0xe3069283u ^ 0xffffffffu, "bitwise reference");
	iol_stamp_write(f, mac_b, mac_a, &i);
	h = f + IOL_STAMP_ETH_LEN;
	memcpy(&crc, h + IOL_STAMP_CRC_COVERED, 4);
	crc = rte_le_to_cpu_32(crc);
	TEST_ASSERT_EQUAL(crc, crc32c_bitwise(h, IOL_STAMP_CRC_COVERED, 0xffffffff),
		"stamped CRC");
	/* Header of flow 3, run 0x1234abcd, seq 1000, as FORMAT2.md lays it out. */
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
	static const struct iol_stamp_expect hdr_only = {
		.run_id = RUN, .rx_port = 1, .rx_queue = 1, .level = IOL_VERIFY_HEADER,
	};
	struct iol_stamp_result r;

	iol_stamp_check(f, 64, &hdr_only, &r);
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

	iol_stamp_write(good, mac_b, mac_a, &i);
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

	iol_stamp_write(good, mac_b, mac_a, &i);
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

/* XOR fold of format 1's check word, to show what it could not see. */
static uint16_t
xor_fold(const uint8_t *h)
{
	uint64_t w[5], c;

	memcpy(w, h, sizeof(w));
	c = w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4];
	c ^= c >> 32;
	c ^= c >> 16;
	return (uint16_t)c;
}

/* The damage an XOR fold let through (issue "Hostile frames and honest verdicts"). */
static int
test_stamp_crc_catches_what_the_fold_missed(void)
{
	struct iol_stamp_expect hdr_only = expect_full;
	struct iol_stamp_result r;
	struct iol_stamp_info i = info_for(1000, 64);
	uint8_t f[64], *h = f + IOL_STAMP_ETH_LEN;
	uint16_t fold;
	uint64_t seq;

	/* "flow changed from 0 to 32 passed --verify full": with a TSC bit in the same lane. */
	i.flow = 0;
	iol_stamp_write(f, mac_b, mac_a, &i);
	fold = xor_fold(h);
	h[offsetof(struct iol_stamp_hdr, flow)] ^= 32;
	h[offsetof(struct iol_stamp_hdr, tx_tsc)] ^= 32;
	TEST_ASSERT_EQUAL(xor_fold(h), fold, "a fold cannot see this");
	TEST_ASSERT_EQUAL(check(f, 64, &expect_full, &r), IOL_STAMP_CORRUPTED, "flow 0 -> 32");
	TEST_ASSERT(!r.hdr_valid, "flow 0 -> 32 not trusted");

	/* "seq 1000 became 66537 and passed --verify header": bits 0 and 16. */
	hdr_only.level = IOL_VERIFY_HEADER;
	i = info_for(1000, 64);
	iol_stamp_write(f, mac_b, mac_a, &i);
	fold = xor_fold(h);
	seq = rte_cpu_to_le_64(66537);
	memcpy(h + offsetof(struct iol_stamp_hdr, seq), &seq, sizeof(seq));
	TEST_ASSERT_EQUAL(xor_fold(h), fold, "a fold cannot see this");
	TEST_ASSERT_EQUAL(check(f, 64, &hdr_only, &r), IOL_STAMP_CORRUPTED, "seq 1000 -> 66537");
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
		iol_stamp_write(full, mac_b, mac_a, &i);
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

static int
test_seq_in_order_and_gap(void)
{
	struct iol_seq s;
	uint64_t lost = 0, i;

	iol_seq_init(&s, true, 0);
	for (i = 0; i < 10000; i++)
		TEST_ASSERT_EQUAL(iol_seq_update(&s, i, &lost), IOL_SEQ_IN_ORDER, "seq %" PRIu64, i);
	TEST_ASSERT_EQUAL(lost, 0, "nothing lost");
	/* 10000 and 10001 never come; confirmed once they leave the window. */
	for (i = 10002; i < 10000 + IOL_SEQ_WINDOW; i++)
		iol_seq_update(&s, i, &lost);
	TEST_ASSERT_EQUAL(lost, 0, "not yet confirmed");
	iol_seq_update(&s, 10000 + IOL_SEQ_WINDOW, &lost);
	TEST_ASSERT_EQUAL(lost, 1, "10000 left the window");
	iol_seq_update(&s, 10001 + IOL_SEQ_WINDOW, &lost);
	TEST_ASSERT_EQUAL(lost, 2, "confirmed as they left the window");
	TEST_ASSERT_EQUAL(s.lost, 2, "lost");
	TEST_ASSERT_EQUAL(s.duplicated + s.reordered, 0, "no other class");
	return TEST_SUCCESS;
}

static int
test_seq_dup_reorder_stale(void)
{
	struct iol_seq s;
	uint64_t lost = 0;

	iol_seq_init(&s, true, 0);
	iol_seq_update(&s, 0, &lost);
	iol_seq_update(&s, 2, &lost);
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1, &lost), IOL_SEQ_LATE, "swap");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 1, &lost), IOL_SEQ_DUPLICATE, "dup");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 2, &lost), IOL_SEQ_DUPLICATE, "dup of newest");
	TEST_ASSERT_EQUAL(s.reordered, 1, "reordered");
	TEST_ASSERT_EQUAL(s.duplicated, 2, "duplicated");

	/*
	 * A jump far ahead: of the missing 3 .. 3+2W-1, those below the new
	 * window (3 .. 3+W) are confirmed lost at once, the rest stay holes.
	 */
	iol_seq_update(&s, 3 + 2 * IOL_SEQ_WINDOW, &lost);
	TEST_ASSERT_EQUAL(s.lost, IOL_SEQ_WINDOW + 1, "left the window");
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, 4 + 2 * IOL_SEQ_WINDOW),
		IOL_SEQ_WINDOW - 1, "holes still in the window");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 3, &lost), IOL_SEQ_STALE, "stale");
	TEST_ASSERT_EQUAL(s.lost, 2 * IOL_SEQ_WINDOW - 1, "late one not lost");
	TEST_ASSERT_EQUAL(s.reordered, 2, "late one reordered");
	return TEST_SUCCESS;
}

static int
test_seq_flush(void)
{
	struct iol_seq s;
	uint64_t lost = 0;

	iol_seq_init(&s, true, 100);
	iol_seq_update(&s, 100, &lost);
	iol_seq_update(&s, 102, &lost);
	/* 101 is a hole, 103 and 104 were sent but never came. */
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, 105), 3, "flush counts holes and tail");
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 104, &lost), IOL_SEQ_STALE, "after flush");
	TEST_ASSERT_EQUAL(s.lost, 2, "late arrival taken off lost");
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, 105), 0, "second flush finds nothing");

	/* A receiver that does not know the start learns it. */
	iol_seq_init(&s, false, 0);
	TEST_ASSERT_EQUAL(iol_seq_update(&s, 5000, &lost), IOL_SEQ_IN_ORDER, "first");
	TEST_ASSERT_EQUAL(s.lost, 0, "nothing before the first is lost");
	TEST_ASSERT_EQUAL(iol_seq_flush(&s, 5001), 0, "complete");
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
		TEST_CASE(test_stamp_crc_known_answer),
		TEST_CASE(test_stamp_crc_every_1_and_2_bit_error),
		TEST_CASE(test_stamp_crc_3_bit_errors_and_bursts),
		TEST_CASE(test_stamp_crc_catches_what_the_fold_missed),
		TEST_CASE(test_stamp_never_reads_past_data),
		TEST_CASE(test_seq_in_order_and_gap),
		TEST_CASE(test_seq_dup_reorder_stale),
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
