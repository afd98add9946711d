/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_TEST_H
#define IOL_TEST_H

/*
 * Autotests in the style of DPDK's app/test/test.h: TEST_ASSERT* return
 * from the test case on failure with the line and a message; cases are
 * grouped in suites with setup and teardown; each autotest is a named
 * command that iovaloop-test runs when asked for by name.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_mbuf.h>

#include "iol_config.h"
#include "iol_json.h"
#include "iol_loop.h"

#define TEST_SUCCESS 0
#define TEST_FAILED (-1)
/* Meson reads exit status 77 as "skipped". */
#define TEST_SKIPPED 77

#define TEST_ASSERT(cond, msg, ...) do {					\
	if (!(cond)) {							\
		printf("TestCase %s() line %d failed: " msg "\n",	\
			__func__, __LINE__, ##__VA_ARGS__);		\
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_EQUAL(a, b, msg, ...) do {				\
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);		\
	if (a_ != b_) {							\
		printf("TestCase %s() line %d failed: %s == %s: %"	\
			PRIu64 " != %" PRIu64 ": " msg "\n",		\
			__func__, __LINE__, #a, #b, a_, b_,		\
			##__VA_ARGS__);					\
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_SUCCESS(val, msg, ...) \
	TEST_ASSERT((val) == 0, msg, ##__VA_ARGS__)
#define TEST_ASSERT_FAIL(val, msg, ...) \
	TEST_ASSERT((val) != 0, msg, ##__VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(val, msg, ...) \
	TEST_ASSERT((val) != NULL, msg, ##__VA_ARGS__)
#define TEST_ASSERT_STR_CONTAINS(haystack, needle, msg, ...) do {	\
	const char *h_ = (haystack), *n_ = (needle);			\
	if (h_ == NULL || strstr(h_, n_) == NULL) {			\
		printf("TestCase %s() line %d failed: \"%s\" not in "	\
			"\"%s\": " msg "\n", __func__, __LINE__, n_,	\
			h_ ? h_ : "(null)", ##__VA_ARGS__);		\
		return TEST_FAILED;					\
	}								\
} while (0)

/* Skip with the reason; a skip is reported, never counted as a pass. */
#define TEST_SKIP(fmt, ...) do {					\
	printf("Skipped: " fmt "\n", ##__VA_ARGS__);			\
	return TEST_SKIPPED;						\
} while (0)

/* Skip unless meson named test/fixtures in IOL_FIXTURES. */
#define TEST_NEED_FIXTURES() do {					\
	if (getenv("IOL_FIXTURES") == NULL)				\
		TEST_SKIP("IOL_FIXTURES not set (run it through meson)"); \
} while (0)

/*
 * @p mp: a pool of @p n mbufs of @p room bytes for a suite's set-up, or
 * the suite is skipped: the EAL has too little hugepage memory left.
 */
#define TEST_MBUF_POOL(mp, name, n, room) do {				\
	(mp) = rte_pktmbuf_pool_create(name, n, 0, 0, room, SOCKET_ID_ANY); \
	if ((mp) == NULL)						\
		TEST_SKIP("cannot allocate an mbuf pool (no free hugepages?)"); \
} while (0)

struct unit_test_case {
	int (*setup)(void);
	void (*teardown)(void);
	int (*testcase)(void);
	const char *name;
};

#define TEST_CASE(fn) { NULL, NULL, fn, #fn }
#define TEST_CASE_ST(setup, teardown, fn) { setup, teardown, fn, #fn }
#define TEST_CASES_END() { NULL, NULL, NULL, NULL }

struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);
	void (*teardown)(void);
	struct unit_test_case unit_test_cases[];
};

/* TEST_SUCCESS, TEST_FAILED, or TEST_SKIPPED if nothing ran. */
int unit_test_suite_runner(struct unit_test_suite *suite);

/*
 * Parse @p line, "iovaloop" and its options, split at spaces as a shell
 * splits unquoted words: cut in place, and the strings of @p cfg point
 * into it. iol_config_parse()'s return, its message in @p err.
 */
int test_config_parse(struct iol_config *cfg, char *line, char *err, size_t len);

/* One of iovaloop's runs (iol_run(), iol_dmarun()) with its result where the test keeps it. */
typedef enum iol_exit test_runner(const struct iol_config *cfg, const struct iol_run_env *env);

/*
 * A run of @p runner on the options @p fixed then @p opts; options it
 * refuses are a usage error, named on stdout. The run's report goes to
 * /dev/null: a test reads its result.
 */
enum iol_exit test_run_options(test_runner *runner, const char *fixed, const char *opts);

/* The sysfs/procfs tree @p name of test/fixtures, in @p root; IOL_FIXTURES must be set. */
void test_fixture_root(char *root, size_t len, const char *name);

struct iol_topology;

/* The topology read from the fixture tree @p name (test_fixture_root()). */
struct iol_topology *test_fixture_topology(const char *name);

/* What @p print writes to a stream, as a string (free it); NULL without a memory stream. */
char *test_printed(void (*print)(FILE *f, const void *arg), const void *arg);

/*
 * The JSON @p fill writes, as text (free it), or NULL; @p finish gets
 * iol_json_finish()'s return, -1 without a stream.
 */
char *test_json_text(void (*fill)(struct iol_json *j, const void *arg), const void *arg,
	int *finish);

struct test_command {
	TAILQ_ENTRY(test_command) next;
	const char *name;
	int (*callback)(void);
	int needs_eal;          /* run rte_eal_init() before it */
};

void add_test_command(struct test_command *t);

#define REGISTER_TEST_(cmd, func, eal)					\
	static struct test_command test_struct_##cmd = {		\
		.name = #cmd, .callback = func, .needs_eal = eal,	\
	};								\
	static void __attribute__((constructor, used))			\
	test_register_##cmd(void)					\
	{								\
		add_test_command(&test_struct_##cmd);			\
	}

/* An autotest that needs nothing but the process. */
#define REGISTER_TEST_COMMAND(cmd, func) REGISTER_TEST_(cmd, func, 0)
/* An autotest that runs after rte_eal_init() with the EAL arguments. */
#define REGISTER_EAL_TEST(cmd, func) REGISTER_TEST_(cmd, func, 1)

#endif /* IOL_TEST_H */
