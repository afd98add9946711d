/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "iol_json.h"
#include "test.h"

static void
fill_nested(struct iol_json *j, const void *arg)
{
	iol_json_object_open(j, NULL);
	iol_json_string(j, "name", "a\"b\\c\n\x01");
	iol_json_u64(j, "big", UINT64_MAX);
	iol_json_i64(j, "neg", -5);
	iol_json_hex(j, "iova", 0x50100000);
	iol_json_double(j, "nan", 0.0 / 0.0);
	iol_json_array_open(j, "list");
	iol_json_bool(j, NULL, true);
	iol_json_null(j, NULL);
	iol_json_array_close(j);
	iol_json_array_open(j, "empty");
	iol_json_array_close(j);
	iol_json_object_close(j);
}

static int
test_json_escape_and_nesting(void)
{
	int fin;
	char *s = test_json_text(fill_nested, NULL, &fin);

	TEST_ASSERT_NOT_NULL(s, "render failed");
	TEST_ASSERT_SUCCESS(fin, "finish reported an error");
	TEST_ASSERT_STR_CONTAINS(s, "\"name\": \"a\\\"b\\\\c\\n\\u0001\"", "escaping");
	TEST_ASSERT_STR_CONTAINS(s, "\"big\": 18446744073709551615", "u64");
	TEST_ASSERT_STR_CONTAINS(s, "\"neg\": -5", "i64");
	TEST_ASSERT_STR_CONTAINS(s, "\"iova\": \"0x50100000\"", "hex");
	TEST_ASSERT_STR_CONTAINS(s, "\"nan\": null", "NaN as null");
	TEST_ASSERT_STR_CONTAINS(s, "true,\n    null\n  ]", "array layout");
	TEST_ASSERT_STR_CONTAINS(s, "\"empty\": []", "empty array");
	free(s);
	return TEST_SUCCESS;
}

static void
fill_untrusted(struct iol_json *j, const void *arg)
{
	iol_json_object_open(j, NULL);
	/* Latin-1 e-acute, a UTF-8 e-acute, DEL, an escape, a cut sequence. */
	iol_json_string(j, "s", "a\xe9" "b\xc3\xa9" "c\x7f\x1b[31m\xe2\x82");
	/* Overlong '/', a surrogate, a code point past Unicode. */
	iol_json_string(j, "bad", "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80");
	iol_json_object_close(j);
}

/* Whatever bytes a file held, the output is JSON (strict UTF-8, no controls). */
static int
test_json_untrusted_bytes(void)
{
	int fin;
	char *s = test_json_text(fill_untrusted, NULL, &fin);
	unsigned int i;

	TEST_ASSERT_NOT_NULL(s, "render failed");
	TEST_ASSERT_SUCCESS(fin, "finish reported an error");
	TEST_ASSERT_STR_CONTAINS(s, "\"a\\u00e9" "b\xc3\xa9" "c\\u007f\\u001b[31m\\u00e2\\u0082\"",
		"invalid bytes escaped, valid UTF-8 kept");
	TEST_ASSERT_STR_CONTAINS(s, "\"\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00f4\\u0090\\u0080\\u0080\"",
		"overlong, surrogate and out-of-range forms escaped");
	for (i = 0; s[i] != '\0'; i++)
		TEST_ASSERT((unsigned char)s[i] >= 0x20 || s[i] == '\n', "raw control 0x%02x",
			(unsigned char)s[i]);
	free(s);
	return TEST_SUCCESS;
}

static void
fill_unbalanced(struct iol_json *j, const void *arg)
{
	iol_json_object_open(j, NULL);
	iol_json_array_open(j, "x");
}

static void
fill_too_deep(struct iol_json *j, const void *arg)
{
	int i;

	for (i = 0; i < IOL_JSON_MAX_DEPTH + 2; i++)
		iol_json_array_open(j, NULL);
	for (i = 0; i < IOL_JSON_MAX_DEPTH + 2; i++)
		iol_json_array_close(j);
}

static int
test_json_misuse_reported(void)
{
	int fin;
	char *s;

	s = test_json_text(fill_unbalanced, NULL, &fin);
	TEST_ASSERT_NOT_NULL(s, "render failed");
	TEST_ASSERT_FAIL(fin, "unclosed containers not reported");
	free(s);
	s = test_json_text(fill_too_deep, NULL, &fin);
	TEST_ASSERT_NOT_NULL(s, "render failed");
	TEST_ASSERT_FAIL(fin, "nesting overflow not reported");
	free(s);
	return TEST_SUCCESS;
}

static struct unit_test_suite json_suite = {
	.suite_name = "json writer",
	.unit_test_cases = {
		TEST_CASE(test_json_escape_and_nesting),
		TEST_CASE(test_json_untrusted_bytes),
		TEST_CASE(test_json_misuse_reported),
		TEST_CASES_END()
	}
};

static int
json_autotest(void)
{
	return unit_test_suite_runner(&json_suite);
}

REGISTER_TEST_COMMAND(json_autotest, json_autotest);
