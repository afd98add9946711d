/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/dma and the dma mode on dma_skeleton (EAL: --vdev dma_skeleton,
 * IOVA as VA), through iol_dmarun() as iovaloop runs it. A back end of
 * this test's own, "fault:KIND@N", wraps dma_skeleton and spoils copy N
 * one way; it goes through the registry as the NIC back end does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_vfio.h>

#include "iol_config.h"
#include "iol_dma.h"
#include "iol_dmarun.h"
#include "test.h"

/* Byte of copy N's destination the corrupt fault flips. */
#define CORRUPT_AT 100

enum fault { F_DROP, F_SWAP, F_ERROR, F_CORRUPT };
static const char *const fault_names[] = { "drop", "swap", "error", "corrupt" };

struct faulty {
	struct iol_dma_engine inner;
	enum fault kind;
	uint64_t at;
	rte_iova_t held_src, held_dst, dst_at;
};

static int
faulty_enqueue(struct iol_dma_engine *e, rte_iova_t src, rte_iova_t dst, uint32_t len,
		uint64_t cookie)
{
	struct faulty *f = e->priv;
	int ret;

	if (cookie == f->at)
		f->dst_at = dst;
	if (f->kind != F_SWAP || (cookie != f->at && cookie != f->at + 1))
		return iol_dma_enqueue(&f->inner, src, dst, len, cookie);
	if (cookie == f->at) {
		f->held_src = src;
		f->held_dst = dst;
		return 0;
	}
	/* Each of the pair is written into the other's destination. */
	ret = iol_dma_enqueue(&f->inner, src, f->held_dst, len, f->at);
	return ret < 0 ? ret : iol_dma_enqueue(&f->inner, f->held_src, dst, len, cookie);
}

static void
faulty_submit(struct iol_dma_engine *e)
{
	struct faulty *f = e->priv;

	iol_dma_submit(&f->inner);
}

static uint16_t
faulty_completed(struct iol_dma_engine *e, struct iol_dma_done *done, uint16_t max)
{
	struct faulty *f = e->priv;
	uint16_t n = iol_dma_completed(&f->inner, done, max), i, k = 0;

	for (i = 0; i < n; i++) {
		if (done[i].cookie == f->at && f->kind == F_DROP)
			continue;
		if (done[i].cookie == f->at && f->kind == F_ERROR)
			done[i].status = IOL_DMA_ERROR;
		if (done[i].cookie == f->at && f->kind == F_CORRUPT)
			((uint8_t *)(uintptr_t)f->dst_at)[CORRUPT_AT] ^= 0x40;
		done[k++] = done[i];
	}
	return k;
}

static void
faulty_close(struct iol_dma_engine *e)
{
	struct faulty *f = e->priv;

	iol_dma_close(&f->inner);
	free(f);
}

static const struct iol_dma_ops faulty_ops = {
	.kind = "fault",
	.enqueue = faulty_enqueue,
	.submit = faulty_submit,
	.completed = faulty_completed,
	.close = faulty_close,
};

static int
faulty_open(const char *spec, int container_fd, struct iol_dma_engine *e, char *err,
		size_t errlen)
{
	char kind[16];
	struct faulty *f;
	unsigned int i;
	int ret;

	if (strncmp(spec, "fault:", 6) != 0)
		return 1;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	if (sscanf(spec + 6, "%15[a-z]@%" SCNu64, kind, &f->at) != 2) {
		free(f);
		snprintf(err, errlen, "--dma %s: not fault:KIND@N", spec);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(fault_names) && strcmp(kind, fault_names[i]) != 0; i++)
		;
	f->kind = (enum fault)i;
	ret = i == RTE_DIM(fault_names) ? -EINVAL :
		iol_dma_open("dma_skeleton", container_fd, &f->inner, err, errlen);
	if (ret < 0) {
		free(f);
		return ret;
	}
	e->ops = &faulty_ops;
	e->caps = f->inner.caps;
	e->priv = f;
	return 0;
}

static const struct iol_dma_backend faulty_backend = {
	.kind = "fault",
	.usage = "fault:KIND@N (the test's)",
	.open = faulty_open,
};

static struct iol_dmarun_result res;

static int
dma_setup(void)
{
	if (rte_dma_get_dev_id_by_name("dma_skeleton") < 0)
		TEST_SKIP("no dma_skeleton dmadev (EAL: --vdev dma_skeleton --iova-mode=va, "
			"and the driver librte_dma_skeleton)");
	iol_dma_backend_register(&faulty_backend);
	return TEST_SUCCESS;
}

static enum iol_exit
dma_runner(const struct iol_config *cfg, const struct iol_run_env *env)
{
	return iol_dmarun(cfg, env, &res);
}

/*
 * A loss timeout far above what a starved dma_skeleton thread waits on
 * a loaded machine: only the copy a test drops is ever lost.
 */
static enum iol_exit
run(const char *opts)
{
	return test_run_options(dma_runner,
		"--mode dma --stats-period 0 --duration 0.3 --loss-timeout 3000", opts);
}

/* Every class but the one named is zero. */
static bool
only(const uint64_t *cls)
{
	const uint64_t *all[] = { &res.err.lost, &res.err.corrupted, &res.err.misplaced,
		&res.err.error };
	unsigned int i;

	for (i = 0; i < RTE_DIM(all); i++)
		if (all[i] != cls && *all[i] != 0)
			return false;
	return true;
}

static int
test_dma_copies_verified(void)
{
	TEST_ASSERT_EQUAL(run("--dma dma_skeleton --copy-size 1000"), IOL_EXIT_PASS,
		"%s", res.verdict);
	TEST_ASSERT(res.issued > 100, "only %" PRIu64 " copies", res.issued);
	TEST_ASSERT_EQUAL(res.engine.verified, res.issued, "every copy verified");
	TEST_ASSERT_EQUAL(res.lat.count, res.issued, "a latency each");
	TEST_ASSERT(res.cpu.copies > 0 && res.cpu.verified == res.cpu.copies, "memcpy side");
	TEST_ASSERT(res.engine.gbps > 0 && res.cpu.gbps > 0, "rates");
	/* By id too, and one byte a copy. */
	TEST_ASSERT_EQUAL(run("--dma 0 --copy-size 1 --inflight 7 --burst 3"), IOL_EXIT_PASS,
		"%s", res.verdict);
	/* Between buffers in external memory (lib/xmem; IOVA = VA, as dma_skeleton needs). */
	TEST_ASSERT_EQUAL(run("--dma dma_skeleton --mem xmem --xmem-size 2M --inflight 32"),
		IOL_EXIT_PASS, "%s", res.verdict);
	TEST_ASSERT(res.issued > 100 && res.engine.verified == res.issued, "xmem copies");
	return TEST_SUCCESS;
}

static int
test_dma_corrupted_at_offset(void)
{
	TEST_ASSERT_EQUAL(run("--dma fault:corrupt@10"), IOL_EXIT_VERIFY, "fails");
	TEST_ASSERT_EQUAL(res.err.corrupted, 1, "one corrupted");
	TEST_ASSERT(only(&res.err.corrupted), "nothing else");
	TEST_ASSERT_EQUAL(res.first_corrupted.copy, 10, "copy 10");
	TEST_ASSERT_EQUAL(res.first_corrupted.offset, CORRUPT_AT, "at its byte");
	TEST_ASSERT_EQUAL(res.first_corrupted.bad_bytes, 1, "one byte");
	TEST_ASSERT_EQUAL(res.first_corrupted.expected[0] ^ res.first_corrupted.seen[0], 0x40,
		"the bit flipped");
	TEST_ASSERT_EQUAL(res.engine.verified, res.issued - 1, "the others verified");
	TEST_ASSERT_STR_CONTAINS(res.verdict, "corrupted 1", "verdict");
	return TEST_SUCCESS;
}

static int
test_dma_misplaced(void)
{
	TEST_ASSERT_EQUAL(run("--dma fault:swap@10"), IOL_EXIT_VERIFY, "fails");
	TEST_ASSERT_EQUAL(res.err.misplaced, 2, "each of the pair in the other's buffer");
	TEST_ASSERT(only(&res.err.misplaced), "nothing else");
	TEST_ASSERT_EQUAL(res.misplaced_copy, 10, "copy 10's buffer");
	TEST_ASSERT_EQUAL(res.misplaced_holds, 11, "holds copy 11");
	return TEST_SUCCESS;
}

static int
test_dma_lost(void)
{
	TEST_ASSERT_EQUAL(run("--dma fault:drop@10"), IOL_EXIT_VERIFY,
		"fails");
	TEST_ASSERT_EQUAL(res.err.lost, 1, "one lost");
	TEST_ASSERT(only(&res.err.lost), "nothing else");
	TEST_ASSERT_EQUAL(res.engine.verified, res.issued - 1, "the others verified");
	return TEST_SUCCESS;
}

static int
test_dma_error_status(void)
{
	TEST_ASSERT_EQUAL(run("--dma fault:error@10"), IOL_EXIT_VERIFY, "fails");
	TEST_ASSERT_EQUAL(res.err.error, 1, "one error");
	TEST_ASSERT(only(&res.err.error), "nothing else");
	return TEST_SUCCESS;
}

static int
test_dma_registry_and_refusals(void)
{
	struct iol_dma_engine e;
	char err[256];

	TEST_ASSERT_EQUAL(iol_dma_open("nope", RTE_VFIO_DEFAULT_CONTAINER_FD, &e, err,
		sizeof(err)), -ENODEV, "unknown");
	TEST_ASSERT_STR_CONTAINS(err, "fault:KIND@N", "every back end's usage");
	TEST_ASSERT_STR_CONTAINS(err, "dma_skeleton (id 0)", "the dmadevs there are");
	TEST_ASSERT(e.ops == NULL, "nothing open");
	/* Open, close and open again: close leaves the dmadev to be had. */
	TEST_ASSERT_SUCCESS(iol_dma_open("dma_skeleton", RTE_VFIO_DEFAULT_CONTAINER_FD, &e,
		err, sizeof(err)), "%s", err);
	TEST_ASSERT(e.caps.va_only && e.caps.depth >= 64, "caps");
	TEST_ASSERT_EQUAL(strcmp(e.ops->kind, "dmadev"), 0, "kind");
	iol_dma_close(&e);
	TEST_ASSERT(e.ops == NULL, "closed");
	iol_dma_close(&e);
	TEST_ASSERT_EQUAL(run("--dma nope"), IOL_EXIT_USAGE, "unknown engine");
	TEST_ASSERT_EQUAL(run("--dma dma_skeleton --inflight 65536"), IOL_EXIT_SETUP,
		"deeper than the ring");
	TEST_ASSERT_EQUAL(run("--dma dma_skeleton --mem xmem --iova-base 0x50000000"),
		IOL_EXIT_SETUP, "skeleton cannot reach a chosen IOVA");
	TEST_ASSERT_EQUAL(run("--dma dma_skeleton"), IOL_EXIT_PASS, "usable after all that");
	return TEST_SUCCESS;
}

static struct unit_test_suite dma_suite = {
	.suite_name = "dma",
	.setup = dma_setup,
	.unit_test_cases = {
		TEST_CASE(test_dma_copies_verified),
		TEST_CASE(test_dma_corrupted_at_offset),
		TEST_CASE(test_dma_misplaced),
		TEST_CASE(test_dma_lost),
		TEST_CASE(test_dma_error_status),
		TEST_CASE(test_dma_registry_and_refusals),
		TEST_CASES_END()
	}
};

static int
dma_autotest(void)
{
	return unit_test_suite_runner(&dma_suite);
}

REGISTER_EAL_TEST(dma_autotest, dma_autotest);
