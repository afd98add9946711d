/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_common.h>

#include "iol_units.h"
#include "test.h"

static int
test_units_parse(void)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "0x50200000", 0x50200000 },
		{ "64M", 64ull << 20 }, { "2m", 2ull << 20 }, { "1G", 1ull << 30 },
		{ "4k", 4096 }, { "0x10K", 16 << 10 }, { "010", 10 }, { "0X1f", 31 },
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1T", "1MB", "x", "99999999999999G",
		"18446744073709551616", "0x", "0xg", "x10",
	};
	uint64_t v;
	unsigned int i;

	for (i = 0; i < RTE_DIM(good); i++) {
		TEST_ASSERT_SUCCESS(iol_parse_scaled(good[i].s, &v), "'%s' refused", good[i].s);
		TEST_ASSERT_EQUAL(v, good[i].v, "'%s'", good[i].s);
	}
	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT_FAIL(iol_parse_scaled(bad[i], &v), "'%s' accepted", bad[i]);
	TEST_ASSERT_SUCCESS(iol_parse_u64("0x50200000", &v), "hex");
	TEST_ASSERT_EQUAL(v, 0x50200000, "hex value");
	TEST_ASSERT_SUCCESS(iol_parse_u64("0032", &v), "leading zeros");
	TEST_ASSERT_EQUAL(v, 32, "decimal, not octal");
	TEST_ASSERT_FAIL(iol_parse_u64("64M", &v), "no suffix without scaling");
	return TEST_SUCCESS;
}

/*
 * Strict numbers: digits, or one 0x and hex digits, and nothing else.
 * Each of these is refused by both parsers (strtoull() took "0x0x40" as
 * 0x40 after the first 0x).
 */
static int
test_units_strict(void)
{
	static const char *const bad[] = {
		"0x0x40", "0X0x40", "0x0X1", "00x40", "0xx40", "0x", "0X",
		" 1", "1 ", "\t1", "1\n", "0x 1", "0x-1", "0x+1", "-0", "+0x1", "- 1",
		"1e3", "1E3", "1.5", "1.", ".5", "0x1p0", "0x1.8p1", "inf", "nan",
		"infinity", "1,000", "1_000", "18446744073709551616",
		"0x10000000000000000", "99999999999999999999",
	};
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "18446744073709551615", UINT64_MAX }, { "0xffffffffffffffff", UINT64_MAX },
		{ "0x0", 0 }, { "0x00000040", 0x40 }, { "000", 0 }, { "0xAbC", 0xabc },
	};
	uint64_t v;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT_FAIL(iol_parse_u64(bad[i], &v), "u64 '%s' accepted", bad[i]);
		TEST_ASSERT_FAIL(iol_parse_scaled(bad[i], &v), "scaled '%s' accepted", bad[i]);
	}
	TEST_ASSERT_FAIL(iol_parse_scaled("0x0x1M", &v), "0x0x1M accepted");
	TEST_ASSERT_FAIL(iol_parse_scaled("1MM", &v), "1MM accepted");
	TEST_ASSERT_FAIL(iol_parse_scaled("1 M", &v), "1 M accepted");
	TEST_ASSERT_FAIL(iol_parse_scaled("16777216T", &v), "T accepted");
	TEST_ASSERT_FAIL(iol_parse_scaled("17179869184G", &v), "2^64 accepted");
	for (i = 0; i < RTE_DIM(good); i++) {
		TEST_ASSERT_SUCCESS(iol_parse_u64(good[i].s, &v), "'%s' refused", good[i].s);
		TEST_ASSERT_EQUAL(v, good[i].v, "'%s'", good[i].s);
	}
	return TEST_SUCCESS;
}

static int
test_units_format(void)
{
	static const struct { uint64_t b; const char *human, *shortname; } cases[] = {
		{ 1ull << 30, "1 GiB", "1G" }, { 2ull << 20, "2 MiB", "2M" },
		{ 3ull << 29, "1536 MiB", "1536M" }, { 4096, "4 KiB", "4k" },
		{ 1000, "1000 bytes", "1000" }, { 0, "0 bytes", "0" },
	};
	char buf[32];
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		TEST_ASSERT(strcmp(iol_size_str(cases[i].b, IOL_SIZE_HUMAN, buf, sizeof(buf)),
			cases[i].human) == 0, "%" PRIu64 ": '%s'", cases[i].b, buf);
		TEST_ASSERT(strcmp(iol_size_str(cases[i].b, IOL_SIZE_SHORT, buf, sizeof(buf)),
			cases[i].shortname) == 0, "%" PRIu64 ": '%s'", cases[i].b, buf);
		TEST_ASSERT_SUCCESS(iol_parse_scaled(iol_size_str(cases[i].b, IOL_SIZE_SHORT,
			buf, sizeof(buf)), &(uint64_t){0}), "short form parses back");
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite units_suite = {
	.suite_name = "units",
	.unit_test_cases = {
		TEST_CASE(test_units_parse),
		TEST_CASE(test_units_strict),
		TEST_CASE(test_units_format),
		TEST_CASES_END()
	}
};

static int
units_autotest(void)
{
	return unit_test_suite_runner(&units_suite);
}

REGISTER_TEST_COMMAND(units_autotest, units_autotest);
