/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames of several segments (lib/loop/iol_seg.c): chains built and
 * stamped as the loop builds them, damaged the ways a driver's
 * scatter-gather can damage them, and fed to the verifier directly.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_mbuf.h>

#include "iol_loop.h"
#include "iol_stamp.h"
#include "test.h"

#define RUN_ID 0x5e9u
#define SEQ 77
#define LEN 9000
/* 2048 frame bytes a segment: a 9000-byte frame is 4 full segments and 808 bytes. */
#define SEG_ROOM 2048

static struct rte_mempool *mp;
static struct iol_iova_map map;
static const struct iol_stamp_expect expect = {
	.run_id = RUN_ID, .rx_port = 1, .rx_queue = 0, .level = IOL_VERIFY_FULL,
};

static int
seg_setup(void)
{
	TEST_MBUF_POOL(mp, "seg_pool", 255, SEG_ROOM + RTE_PKTMBUF_HEADROOM);
	if (iol_iova_map_from_memsegs(&map, false) < 0) {
		rte_mempool_free(mp);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
seg_teardown(void)
{
	iol_iova_map_free(&map);
	rte_mempool_free(mp);
}

/* The raw prefix of a frame to and from the MAC 02:00:00:00:00:@p last. */
static struct iol_stamp_prefix
raw_prefix(uint8_t last, uint16_t len)
{
	struct iol_stamp_ends ends = {
		.dst_mac = { 2, 0, 0, 0, 0, last }, .src_mac = { 2, 0, 0, 0, 0, last },
	};
	struct iol_stamp_prefix p;

	iol_stamp_prefix_build(&p, IOL_ENCAP_RAW, &ends, len);
	return p;
}

/* A 9000-byte frame of (RUN_ID, SEQ) in 5 segments, or NULL. */
static struct rte_mbuf *
chain(void)
{
	struct iol_stamp_prefix prefix = raw_prefix(1, LEN);
	struct iol_stamp_info info = {
		.run_id = RUN_ID, .seq = SEQ, .flow = 3, .len = LEN,
		.src_port = 0, .dst_port = 1, .dst_queue = 0,
	};
	struct rte_mbuf *m;

	if (iol_frame_alloc_bulk(mp, &m, 1, LEN) != 0)
		return NULL;
	info.tx_iova = rte_pktmbuf_iova(m);
	if (!iol_frame_stamp(m, &prefix, &info)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

static struct rte_mbuf *
seg_at(struct rte_mbuf *m, unsigned int k)
{
	while (k-- > 0)
		m = m->next;
	return m;
}

static void
check(const struct rte_mbuf *m, struct iol_frame_result *fr)
{
	unsigned int hint = 0;

	iol_frame_check(&map, &hint, m, &expect, fr);
}

/* Built as the loop builds it: 5 segments whose bytes are the oracle's frame. */
static int
test_seg_chain_intact(void)
{
	struct rte_mbuf *m = chain();
	struct iol_frame_result fr;
	uint8_t whole[LEN];
	uint32_t off = 0;
	struct rte_mbuf *seg;

	TEST_ASSERT_NOT_NULL(m, "chain");
	TEST_ASSERT_EQUAL(m->nb_segs, 5, "segments");
	TEST_ASSERT_EQUAL(m->pkt_len, LEN, "pkt_len");
	TEST_ASSERT_EQUAL(rte_pktmbuf_lastseg(m)->data_len, LEN - 4 * SEG_ROOM, "last segment");
	/* Each payload byte at its frame offset, across the boundaries. */
	for (seg = m; seg != NULL; off += seg->data_len, seg = seg->next)
		memcpy(whole + off, rte_pktmbuf_mtod(seg, uint8_t *), seg->data_len);
	TEST_ASSERT(iol_stamp_payload_intact(whole, LEN, RUN_ID, SEQ), "the oracle's payload");
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_OK, "intact: %s", fr.stamp.why);
	TEST_ASSERT_EQUAL(fr.bad_iova_seg, -1, "every IOVA translates");
	TEST_ASSERT_EQUAL(fr.nb_segs, 5, "segments counted");
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* One byte damaged in segment 3: corrupted at its frame offset. */
static int
test_seg_damaged_byte(void)
{
	struct rte_mbuf *m = chain();
	struct iol_frame_result fr;
	char line[200];

	TEST_ASSERT_NOT_NULL(m, "chain");
	rte_pktmbuf_mtod(seg_at(m, 2), uint8_t *)[100] ^= 0x01;
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_CORRUPTED, "corrupted");
	TEST_ASSERT_EQUAL(fr.stamp.bad_offset, 2 * SEG_ROOM + 100, "frame offset");
	TEST_ASSERT_EQUAL(fr.stamp.bad_bytes, 1, "one byte");
	TEST_ASSERT_EQUAL(fr.stamp.expected[0] ^ fr.stamp.seen[0], 0x01, "the bit flipped");
	TEST_ASSERT_EQUAL(fr.bad_seg, 2, "segment");
	TEST_ASSERT_EQUAL(fr.bad_seg_off, 100, "offset in it");
	iol_frame_describe(m, &fr, line, sizeof(line));
	TEST_ASSERT_STR_CONTAINS(line, "; byte 4196 is byte 100 of segment 3; 5 segments, "
		"data_len 2048+2048+2048+2048+808 = 9000, pkt_len 9000", "report");
	/* Header verification reads no payload, in a chain as in one buffer. */
	struct iol_stamp_expect header = expect;
	unsigned int hint = 0;

	header.level = IOL_VERIFY_HEADER;
	iol_frame_check(&map, &hint, m, &header, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_OK, "header level: %s", fr.stamp.why);
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* Segments 2 and 3 come back swapped: corrupted where segment 2 starts. */
static int
test_seg_swapped(void)
{
	struct rte_mbuf *m = chain(), *s1, *s2, *s3;
	struct iol_frame_result fr;

	TEST_ASSERT_NOT_NULL(m, "chain");
	s1 = seg_at(m, 1);
	s2 = s1->next;
	s3 = s2->next;
	m->next = s2;
	s2->next = s1;
	s1->next = s3;
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_CORRUPTED, "corrupted");
	/* Payload words 256 apart share their low byte: the first word of it differs. */
	TEST_ASSERT(fr.stamp.bad_offset >= SEG_ROOM && fr.stamp.bad_offset < SEG_ROOM + 8,
		"at byte %u, in the first word out of place", fr.stamp.bad_offset);
	TEST_ASSERT_EQUAL(fr.bad_seg, 1, "second segment");
	TEST_ASSERT_EQUAL(fr.bad_seg_off, fr.stamp.bad_offset - SEG_ROOM, "offset in it");
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* A segment shorter than the chain says: corrupted where its bytes run short. */
static int
test_seg_wrong_data_len(void)
{
	struct rte_mbuf *m = chain();
	struct iol_frame_result fr;

	TEST_ASSERT_NOT_NULL(m, "chain");
	seg_at(m, 2)->data_len -= 16;
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_CORRUPTED, "corrupted, not truncated");
	TEST_ASSERT_STR_CONTAINS(fr.stamp.why, "segment lengths", "why");
	TEST_ASSERT_EQUAL(fr.data_len_sum, LEN - 16, "bytes held");
	/* From there on the bytes are segment 4's, 16 bytes early. */
	TEST_ASSERT_EQUAL(fr.stamp.bad_offset, 3 * SEG_ROOM - 16, "first bad byte");
	TEST_ASSERT_EQUAL(fr.bad_seg, 3, "in segment 4");
	TEST_ASSERT_EQUAL(fr.bad_seg_off, 0, "at its start");

	/* The last segment short, nothing shifted: the frame ends early. */
	seg_at(m, 2)->data_len += 16;
	rte_pktmbuf_lastseg(m)->data_len -= 8;
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_CORRUPTED, "corrupted");
	TEST_ASSERT_EQUAL(fr.stamp.bad_offset, LEN - 8, "where the bytes end");
	TEST_ASSERT_EQUAL(fr.stamp.bad_bytes, 0, "no byte differs");

	/* Lengths that agree but fall short of what was stamped: truncated, as one buffer. */
	m->pkt_len -= 8;
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_TRUNCATED, "truncated");
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* A segment whose buffer IOVA does not translate back is named, however far in. */
static int
test_seg_bad_iova(void)
{
	struct rte_mbuf *m = chain();
	struct iol_frame_result fr;

	TEST_ASSERT_NOT_NULL(m, "chain");
	seg_at(m, 3)->buf_iova += 4096;
	check(m, &fr);
	TEST_ASSERT_EQUAL(fr.bad_iova_seg, 3, "fourth segment");
	TEST_ASSERT_EQUAL(fr.stamp.cls, IOL_STAMP_OK, "its bytes are intact");
	seg_at(m, 3)->buf_iova -= 4096;
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* A chain that came back shorter than a frame cannot be stamped again. */
static int
test_seg_restamp_short_chain(void)
{
	struct iol_stamp_prefix prefix = raw_prefix(2, LEN);
	struct iol_stamp_info info = { .run_id = RUN_ID, .seq = SEQ + 1, .len = LEN };
	struct rte_mbuf *m = chain(), *tail;
	unsigned int avail;

	TEST_ASSERT_NOT_NULL(m, "chain");
	tail = seg_at(m, 3);
	rte_pktmbuf_free(tail->next);
	tail->next = NULL;
	m->nb_segs = 4;
	TEST_ASSERT(!iol_frame_stamp(m, &prefix, &info), "4 segments cannot hold 9000 bytes");
	/* A longer chain is laid out again and the rest given back. */
	info.len = 3000;
	prefix = raw_prefix(2, 3000);
	avail = rte_mempool_avail_count(mp);
	TEST_ASSERT(iol_frame_stamp(m, &prefix, &info), "3000 bytes fit");
	TEST_ASSERT_EQUAL(m->nb_segs, 2, "two segments kept");
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail + 2, "two given back");
	TEST_ASSERT_EQUAL(m->pkt_len, 3000, "pkt_len");
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(mp), 255, "nothing leaked");
	return TEST_SUCCESS;
}

/*
 * A jumbo frame in one mbuf takes the fast path's payload pass: every
 * variant the CPU runs gives the oracle's bytes and sees damage at 9000
 * bytes as at 2048 (payload_autotest sweeps lengths up to 2048).
 */
static int
test_seg_jumbo_payload_variants(void)
{
	static uint8_t want[LEN + 64], got[LEN + 64];
	static const uint32_t lens[] = { 4096, 8999, LEN };
	const struct iol_payload_ops *v;
	uint64_t s10 = iol_stamp_payload_seed(RUN_ID, 10), s11 = iol_stamp_payload_seed(RUN_ID, 11);
	unsigned int n, i, j, ran = 0;
	uint32_t len, off;

	v = iol_payload_variants(&n);
	for (i = 0; i < n; i++) {
		if (!v[i].usable())
			continue;
		ran++;
		for (j = 0; j < RTE_DIM(lens); j++) {
			len = lens[j];
			memset(want, 0xa5, sizeof(want));
			iol_stamp_payload_write(want, RUN_ID, 11, len);
			memset(got, 0xa5, sizeof(got));
			iol_stamp_payload_write(got, RUN_ID, 10, len);
			TEST_ASSERT(v[i].restamp(got, len, s10, s11), "%s: restamp %u", v[i].name, len);
			TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: oracle's bytes at %u, "
				"nothing past them", v[i].name, len);
			for (off = IOL_STAMP_MIN_LEN; off < len; off += 61) {
				got[off] ^= 0x10;
				TEST_ASSERT(!v[i].intact(got, len, s11), "%s: damage at %u of %u",
					v[i].name, off, len);
				got[off] ^= 0x10;
			}
			got[len - 1] ^= 0x01;
			TEST_ASSERT(!v[i].restamp(got, len, s11, s10), "%s: last byte of %u",
				v[i].name, len);
			got[len - 1] ^= 0x01;
			TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: damaged frame left as "
				"it arrived, %u", v[i].name, len);
		}
	}
	TEST_ASSERT(ran > 0, "no variant ran");
	return TEST_SUCCESS;
}

static struct unit_test_suite seg_suite = {
	.suite_name = "frames of several segments",
	.setup = seg_setup,
	.teardown = seg_teardown,
	.unit_test_cases = {
		TEST_CASE(test_seg_chain_intact),
		TEST_CASE(test_seg_damaged_byte),
		TEST_CASE(test_seg_swapped),
		TEST_CASE(test_seg_wrong_data_len),
		TEST_CASE(test_seg_bad_iova),
		TEST_CASE(test_seg_restamp_short_chain),
		TEST_CASE(test_seg_jumbo_payload_variants),
		TEST_CASES_END()
	}
};

static int
seg_autotest(void)
{
	return unit_test_suite_runner(&seg_suite);
}

REGISTER_EAL_TEST(seg_autotest, seg_autotest);
