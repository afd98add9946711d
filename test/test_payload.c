/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every payload variant the machine can run against the scalar oracle
 * (iol_stamp_payload_write() and _intact()), alone and through the loop's
 * iol_payload_restamp(): byte-identical frames and
 * identical verdicts for every frame length, damage at every offset of
 * many lengths, two- and three-byte damage, and nothing touched past the
 * frame. A variant the CPU lacks is skipped, by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_vect.h>

#include "iol_config.h"
#include "iol_stamp.h"
#include "test.h"

#define RUN 0x2468aceu
#define MAX_LEN IOL_MAX_PKT_SIZE /* the longest frame the loop verifies in one mbuf */
#define GUARD 64        /* bytes past the frame that must stay untouched */

static uint8_t want[MAX_LEN + GUARD], got[MAX_LEN + GUARD];

/* A frame of @p len bytes with the payload of @p seq, guard bytes after it. */
static void
frame_of(uint8_t *f, uint32_t len, uint64_t seq)
{
	memset(f, 0xa5, MAX_LEN + GUARD);
	iol_stamp_payload_write(f, RUN, seq, len);
}

static uint64_t
seed(uint64_t seq)
{
	return iol_stamp_payload_seed(RUN, seq);
}

/* Damage at offset @p off of @p len: every verdict and no byte changed. */
static int
check_damage(const struct iol_payload_ops *v, uint32_t len, const uint32_t *offs,
		unsigned int n)
{
	unsigned int i;

	frame_of(want, len, 7);
	for (i = 0; i < n; i++)
		want[offs[i]] ^= (uint8_t)(1u << ((offs[i] + i) % 8));
	memcpy(got, want, sizeof(got));
	TEST_ASSERT(!iol_stamp_payload_intact(want, len, RUN, 7), "oracle sees the damage");
	TEST_ASSERT(!v->intact(got, len, seed(7)), "%s: len %u, damage at %u not seen",
		v->name, len, offs[0]);
	TEST_ASSERT(!v->restamp(got, len, seed(7), seed(8)), "%s: len %u, restamp "
		"passed damage at %u", v->name, len, offs[0]);
	TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: len %u, damaged frame not "
		"left as it arrived (damage at %u)", v->name, len, offs[0]);
	TEST_ASSERT(!iol_payload_restamp(v, got, len, seed(7), seed(8)), "%s: len %u, the "
		"loop's pass passed damage at %u", v->name, len, offs[0]);
	TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: len %u, the loop's pass left "
		"a damaged frame changed (damage at %u)", v->name, len, offs[0]);
	return TEST_SUCCESS;
}

static int
check_variant(const struct iol_payload_ops *v)
{
	uint32_t len, off, offs[3];
	unsigned int k;

	for (len = IOL_STAMP_MIN_LEN; len <= MAX_LEN; len++) {
		/* write and restamp give the oracle's bytes, and stop at len. */
		frame_of(want, len, 11);
		memset(got, 0xa5, sizeof(got));
		v->write(got, len, seed(11));
		TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: write, len %u", v->name, len);
		TEST_ASSERT(v->intact(got, len, seed(11)), "%s: intact frame refused, len %u",
			v->name, len);
		frame_of(got, len, 10);
		TEST_ASSERT(v->restamp(got, len, seed(10), seed(11)), "%s: restamp refused "
			"an intact frame, len %u", v->name, len);
		TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: restamp, len %u", v->name, len);
		frame_of(got, len, 10);
		TEST_ASSERT(iol_payload_restamp(v, got, len, seed(10), seed(11)), "%s: the loop's "
			"pass refused an intact frame, len %u", v->name, len);
		TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0, "%s: the loop's pass, len %u",
			v->name, len);
		if (len == IOL_STAMP_MIN_LEN)
			continue;
		/* Damage at the first, last and word-edge bytes of every length. */
		offs[0] = IOL_STAMP_MIN_LEN;
		TEST_ASSERT_SUCCESS(check_damage(v, len, offs, 1), "first byte");
		offs[0] = len - 1;
		TEST_ASSERT_SUCCESS(check_damage(v, len, offs, 1), "last byte");
		offs[0] = IOL_STAMP_MIN_LEN + ((len - IOL_STAMP_MIN_LEN) / 2 & ~7u);
		TEST_ASSERT_SUCCESS(check_damage(v, len, offs, 1), "middle word");
	}
	/*
	 * Every offset of lengths around each vector width and unrolled turn,
	 * of 1514, 2048 and the longest, and of some lengths between.
	 */
	for (len = IOL_STAMP_MIN_LEN + 1; len <= MAX_LEN; len++) {
		if (len > IOL_STAMP_MIN_LEN + 300 && len != 1514 && len != 2048 &&
		    len != MAX_LEN && (len > 2048 || len % 509 != 0))
			continue;
		for (off = IOL_STAMP_MIN_LEN; off < len; off++) {
			offs[0] = off;
			TEST_ASSERT_SUCCESS(check_damage(v, len, offs, 1), "every offset");
		}
	}
	/* Two and three damaged bytes, spread or adjacent. */
	srand(42);
	for (k = 0; k < 20000; k++) {
		len = IOL_STAMP_MIN_LEN + 1 + (uint32_t)rand() % (MAX_LEN - IOL_STAMP_MIN_LEN);
		offs[0] = IOL_STAMP_MIN_LEN + (uint32_t)rand() % (len - IOL_STAMP_MIN_LEN);
		offs[1] = k % 2 ? IOL_STAMP_MIN_LEN + (uint32_t)rand() % (len - IOL_STAMP_MIN_LEN) :
			RTE_MIN(offs[0] + 1, len - 1);
		offs[2] = IOL_STAMP_MIN_LEN + (uint32_t)rand() % (len - IOL_STAMP_MIN_LEN);
		if (offs[1] == offs[0] || offs[2] == offs[0] || offs[2] == offs[1])
			continue;
		TEST_ASSERT_SUCCESS(check_damage(v, len, offs, 2 + k % 2), "multi-byte damage");
	}
	return TEST_SUCCESS;
}

static int
test_every_variant_against_the_oracle(void)
{
	const struct iol_payload_ops *v = NULL;
	unsigned int n, i, ran = 0;

	v = iol_payload_variants(&n);
	for (i = 0; i < n; i++) {
		if (!v[i].usable()) {
			printf("payload variant %s skipped: this CPU lacks it\n", v[i].name);
			continue;
		}
		TEST_ASSERT_SUCCESS(check_variant(&v[i]), "variant %s", v[i].name);
		printf("payload variant %s: as the oracle\n", v[i].name);
		ran++;
	}
	TEST_ASSERT(ran >= 1 && strcmp(v[n - 1].name, "scalar") == 0, "scalar always runs");
	return TEST_SUCCESS;
}

static int
test_best_is_usable_and_within_the_limit(void)
{
	const struct iol_payload_ops *b = iol_payload_best();

	TEST_ASSERT(b->usable(), "best variant %s runs here", b->name);
	TEST_ASSERT(b->simd_bits <= rte_vect_get_max_simd_bitwidth(), "%s within DPDK's "
		"SIMD limit", b->name);
	printf("payload variant chosen: %s\n", b->name);
	return TEST_SUCCESS;
}

static struct unit_test_suite payload_suite = {
	.suite_name = "payload variants against the scalar oracle",
	.unit_test_cases = {
		TEST_CASE(test_every_variant_against_the_oracle),
		TEST_CASE(test_best_is_usable_and_within_the_limit),
		TEST_CASES_END()
	}
};

static int
payload_autotest(void)
{
	return unit_test_suite_runner(&payload_suite);
}

REGISTER_TEST_COMMAND(payload_autotest, payload_autotest);
