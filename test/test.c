/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iovaloop-test: runs autotests by name.
 *
 *   iovaloop-test [EAL args] -- NAME...
 *   DPDK_TEST=NAME iovaloop-test [EAL args]
 *   iovaloop-test --list
 *
 * The EAL is initialised only when a chosen test needs it, so the pure
 * library tests run anywhere, without hugepages or root.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "iol_iommu.h"
#include "test.h"

static TAILQ_HEAD(, test_command) commands = TAILQ_HEAD_INITIALIZER(commands);

void
add_test_command(struct test_command *t)
{
	TAILQ_INSERT_TAIL(&commands, t, next);
}

static struct test_command *
find_command(const char *name)
{
	struct test_command *t;

	TAILQ_FOREACH(t, &commands, next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

int
unit_test_suite_runner(struct unit_test_suite *suite)
{
	unsigned int total = 0, passed = 0, failed = 0, skipped = 0;
	struct unit_test_case *tc;
	const char *status;
	int ret, suite_ret = TEST_SUCCESS;

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite : %s\n", suite->suite_name);
	printf(" + ------------------------------------------------------- +\n");

	if (suite->setup != NULL) {
		suite_ret = suite->setup();
		if (suite_ret != TEST_SUCCESS)
			printf(" + Suite setup %s\n", suite_ret == TEST_SKIPPED ?
				"skipped the suite" : "failed");
	}

	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++) {
		total++;
		if (suite_ret != TEST_SUCCESS) {
			ret = suite_ret == TEST_SKIPPED ? TEST_SKIPPED : TEST_FAILED;
		} else {
			ret = tc->setup != NULL ? tc->setup() : TEST_SUCCESS;
			if (ret == TEST_SUCCESS) {
				ret = tc->testcase();
				if (tc->teardown != NULL)
					tc->teardown();
			}
		}
		switch (ret) {
		case TEST_SUCCESS: passed++; status = "succeeded"; break;
		case TEST_SKIPPED: skipped++; status = "skipped"; break;
		default: failed++; status = "failed"; break;
		}
		printf(" + TestCase [%2u] : %s %s\n", total - 1, tc->name, status);
	}

	if (suite_ret == TEST_SUCCESS && suite->teardown != NULL)
		suite->teardown();

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite Summary : %s\n", suite->suite_name);
	printf(" + Tests Total :  %2u\n", total);
	printf(" + Tests Skipped :%2u\n", skipped);
	printf(" + Tests Passed : %2u\n", passed);
	printf(" + Tests Failed : %2u\n", failed);
	printf(" + ------------------------------------------------------- +\n");

	if (failed > 0)
		return TEST_FAILED;
	if (passed == 0)
		return TEST_SKIPPED;
	return TEST_SUCCESS;
}

int
test_config_parse(struct iol_config *cfg, char *line, char *err, size_t len)
{
	char *argv[48], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " ", &save); tok && argc < (int)RTE_DIM(argv) - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return iol_config_parse(cfg, argc, argv, err, len);
}

enum iol_exit
test_run_options(test_runner *runner, const char *fixed, const char *opts)
{
	struct iol_run_env env = { .version = "test" };
	char line[512], err[256];
	struct iol_config cfg;
	enum iol_exit ret;

	snprintf(line, sizeof(line), "iovaloop %s %s", fixed, opts);
	if (test_config_parse(&cfg, line, err, sizeof(err)) != 0) {
		printf("options '%s': %s\n", opts, err);
		return IOL_EXIT_USAGE;
	}
	env.out = fopen("/dev/null", "w");
	if (env.out == NULL) {
		printf("/dev/null: %s\n", strerror(errno));
		return IOL_EXIT_SETUP;
	}
	ret = runner(&cfg, &env);
	fclose(env.out);
	return ret;
}

void
test_fixture_root(char *root, size_t len, const char *name)
{
	snprintf(root, len, "%s/%s", getenv("IOL_FIXTURES"), name);
}

struct iol_topology *
test_fixture_topology(const char *name)
{
	char root[PATH_MAX];

	test_fixture_root(root, sizeof(root), name);
	return iol_topology_read(root);
}

char *
test_printed(void (*print)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	print(f, arg);
	fclose(f);
	return buf;
}

struct json_fill {
	void (*fill)(struct iol_json *j, const void *arg);
	const void *arg;
	int *finish;
};

static void
print_json(FILE *f, const void *arg)
{
	const struct json_fill *jf = arg;
	struct iol_json j;

	iol_json_init(&j, f);
	jf->fill(&j, jf->arg);
	*jf->finish = iol_json_finish(&j);
}

char *
test_json_text(void (*fill)(struct iol_json *j, const void *arg), const void *arg,
	int *finish)
{
	const struct json_fill jf = { .fill = fill, .arg = arg, .finish = finish };

	*finish = -1;
	return test_printed(print_json, &jf);
}

/*
 * Why the EAL tests cannot run here, or NULL: they need root (hugepages,
 * /proc/self/pagemap) and free hugepages. Anything else that stops the
 * EAL is a failure, not a skip.
 */
static const char *
eal_precondition_missing(void)
{
	unsigned long free_pages = 0, n;
	char path[128];
	glob_t g;
	size_t i;
	FILE *f;

	if (geteuid() != 0)
		return "needs root (hugepages, /proc/self/pagemap)";
	if (glob("/sys/kernel/mm/hugepages/hugepages-*kB/free_hugepages", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			snprintf(path, sizeof(path), "%s", g.gl_pathv[i]);
			f = fopen(path, "r");
			if (f != NULL && fscanf(f, "%lu", &n) == 1)
				free_pages += n;
			if (f != NULL)
				fclose(f);
		}
		globfree(&g);
	}
	if (free_pages == 0)
		return "no free hugepages (reserve some: echo 512 > /proc/sys/vm/nr_hugepages)";
	return NULL;
}

static void
usage(const char *prog)
{
	struct test_command *t;

	printf("usage: %s [EAL args] -- TEST...\n"
	       "       DPDK_TEST=TEST %s [EAL args]\n"
	       "       %s --list\n"
	       "tests:", prog, prog, prog);
	TAILQ_FOREACH(t, &commands, next)
		printf(" %s", t->name);
	printf("\n");
}

int
main(int argc, char **argv)
{
	struct test_command *chosen[64];
	const char *env = getenv("DPDK_TEST");
	int eal_argc = argc, n = 0, i, ret, status;
	bool eal_needed = false, eal_up = false, any_pass = false;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		struct test_command *t;

		TAILQ_FOREACH(t, &commands, next)
			printf("%s\n", t->name);
		return 0;
	}

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			break;
		}
	}
	for (i = eal_argc + 1; i < argc; i++) {
		if (n == (int)RTE_DIM(chosen)) {
			printf("too many tests named (at most %d)\n", (int)RTE_DIM(chosen));
			return 2;
		}
		chosen[n] = find_command(argv[i]);
		if (chosen[n] == NULL) {
			printf("unknown test '%s'\n", argv[i]);
			usage(argv[0]);
			return 2;
		}
		eal_needed |= chosen[n++]->needs_eal;
	}
	if (n == 0 && env != NULL && env[0] != '\0') {
		chosen[0] = find_command(env);
		if (chosen[0] == NULL) {
			printf("unknown test '%s' in DPDK_TEST\n", env);
			usage(argv[0]);
			return 2;
		}
		eal_needed = chosen[n++]->needs_eal;
	}
	if (n == 0) {
		usage(argv[0]);
		return 2;
	}

	if (eal_needed) {
		const char *missing = eal_precondition_missing();

		if (missing != NULL) {
			printf("Skipped: %s\n", missing);
			return TEST_SKIPPED;
		}
		if (rte_eal_init(eal_argc, argv) < 0) {
			printf("EAL initialisation failed: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
		eal_up = true;
	} else if (eal_argc > 1) {
		printf("EAL arguments given, but no chosen test uses the EAL\n");
		return 2;
	}

	status = TEST_SKIPPED;
	for (i = 0; i < n; i++) {
		printf("RTE>>%s\n", chosen[i]->name);
		ret = chosen[i]->callback();
		if (ret == TEST_SUCCESS) {
			printf("Test OK\n");
			any_pass = true;
		} else if (ret == TEST_SKIPPED) {
			printf("Test Skipped\n");
		} else {
			printf("Test Failed\n");
			status = TEST_FAILED;
		}
	}
	if (eal_up)
		rte_eal_cleanup();

	if (status == TEST_FAILED)
		return 1;
	return any_pass ? 0 : TEST_SKIPPED;
}
