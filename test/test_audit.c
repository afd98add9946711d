/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "iol_audit.h"
#include "test.h"

static struct rte_mempool *pool;

static int
audit_setup(void)
{
	TEST_MBUF_POOL(pool, "audit_pool", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	return TEST_SUCCESS;
}

static void
audit_teardown(void)
{
	rte_mempool_free(pool);
}

static bool
shown(const struct iol_audit_result *r, const char *what)
{
	unsigned int i;

	for (i = 0; i < r->n_shown; i++)
		if (strstr(r->shown[i].what, what) != NULL)
			return true;
	return false;
}

/* DPDK's own memory, in the IOVA mode the EAL arguments asked for. */
static int
test_audit_dpdk_memory(void)
{
	const char *expect = getenv("IOL_EXPECT_IOVA_MODE");
	bool pa = rte_eal_iova_mode() == RTE_IOVA_PA;
	struct iol_audit_params p = { .iova_as_pa = pa, .pools = &pool, .n_pools = 1 };
	struct iol_audit_result r;
	struct iol_iova_map m;
	unsigned int i;

	if (expect != NULL)
		TEST_ASSERT(strcmp(expect, pa ? "pa" : "va") == 0,
			"EAL chose IOVA as %s, the test asked for %s", pa ? "PA" : "VA", expect);
	iol_iova_map_init(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_from_memsegs(&m, false), "memseg walk");
	TEST_ASSERT(m.n > 0, "no memory");
	TEST_ASSERT_SUCCESS(iol_audit_run(&m, &p, &r), "audit: %" PRIu64 " mismatches, first: %s",
		r.mismatches, r.n_shown ? r.shown[0].what : "-");
	TEST_ASSERT(r.pages > 0, "pages checked");
	TEST_ASSERT_EQUAL(r.pages_pagemap, pa ? r.pages : 0, "pagemap used in PA mode only");
	TEST_ASSERT(r.chunks >= 1, "pool chunks checked");
	for (i = 0; i < m.n && !pa; i++)
		TEST_ASSERT_EQUAL(m.segs[i].iova, m.segs[i].va, "IOVA as VA");

	/* A DMA mask below the highest IOVA is reported. */
	p.dma_mask_bits = r.iova_bits - 1;
	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "narrow DMA mask accepted");
	TEST_ASSERT(shown(&r, "DMA mask"), "DMA mask reason");
	iol_iova_map_free(&m);
	return TEST_SUCCESS;
}

static uint64_t
phys_off_by_a_page(const void *va)
{
	return rte_mem_virt2phy(va) + 4096;
}

static uint64_t
phys_unknown(const void *va)
{
	RTE_SET_USED(va);
	return RTE_BAD_IOVA;
}

/* The same memory seen through a wrong translation must fail. */
static int
test_audit_detects_wrong_translations(void)
{
	struct iol_audit_params p = { .iova_as_pa = true, .phys = phys_off_by_a_page };
	struct iol_audit_result r;
	struct iol_iova_map m;
	struct iol_iova_seg s;

	iol_iova_map_init(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_from_memsegs(&m, false), "memseg walk");
	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "PA off by a page accepted");
	TEST_ASSERT(shown(&r, "not the physical address"), "reason");
	TEST_ASSERT_EQUAL(r.mismatches, r.pages, "every page");
	p.phys = phys_unknown;
	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "no PA accepted");
	TEST_ASSERT(shown(&r, "no physical address"), "reason");

	/* IOVA-as-VA memory whose IOVA is something else. */
	s = m.segs[0];
	s.iova = s.va + (2u << 20);
	iol_iova_map_free(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &s), "add");
	p.iova_as_pa = false;
	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "IOVA != VA accepted");
	TEST_ASSERT(shown(&r, "not its VA"), "reason");
	/* ... unless it is external memory with a table of its own. */
	m.segs[0].external = true;
	TEST_ASSERT_SUCCESS(iol_audit_run(&m, &p, &r), "external memory keeps its table");
	iol_iova_map_free(&m);

	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "empty map accepted");
	TEST_ASSERT(shown(&r, "no memory"), "reason");
	return TEST_SUCCESS;
}

/*
 * External memory at a base aligned below its page size (the seed's
 * 0x50100000, 2 MiB pages): no mismatch, but the note that the IOMMU can
 * use no superpages of that size for it.
 */
static int
test_audit_unaligned_note(void)
{
	struct iol_audit_params p = { .iova_as_pa = false };
	struct iol_iova_seg s = {
		.va = 0x7f0000000000, .iova = 0x50100000, .len = 8u << 20,
		.page_sz = 2u << 20, .external = true,
	};
	struct iol_audit_result r;
	struct iol_iova_map m;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	iol_iova_map_init(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &s), "add");
	TEST_ASSERT_SUCCESS(iol_audit_run(&m, &p, &r), "not a mismatch");
	TEST_ASSERT_EQUAL(r.unaligned, 1, "one range below its page size");
	TEST_ASSERT_EQUAL(r.unaligned_iova, 0x50100000, "its IOVA");
	TEST_ASSERT_EQUAL(r.unaligned_align, 1u << 20, "1 MiB aligned");
	f = open_memstream(&out, &len);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	iol_audit_print(&m, &p, &r, f);
	fclose(f);
	TEST_ASSERT_STR_CONTAINS(out, "note: IOVA 0x50100000 is aligned to 1024 KiB "
		"only, below its 2048 KiB pages: the IOMMU cannot use 2048 KiB "
		"superpages for it (a performance note, not an error)", "note");
	TEST_ASSERT_STR_CONTAINS(out, "audit: OK", "passes");
	free(out);

	/* 2 MiB aligned: no note. */
	m.segs[0].iova = 0x50200000;
	TEST_ASSERT_SUCCESS(iol_audit_run(&m, &p, &r), "aligned");
	TEST_ASSERT_EQUAL(r.unaligned, 0, "no note");
	iol_iova_map_free(&m);
	return TEST_SUCCESS;
}

/* A pool whose memory is not in the map, or has another IOVA. */
static int
test_audit_pool_chunks(void)
{
	struct iol_audit_params p = { .iova_as_pa = false, .pools = &pool, .n_pools = 1 };
	struct iol_audit_result r;
	struct iol_iova_seg s = {
		.va = 0x10000, .iova = 0x10000, .len = 4096, .page_sz = 4096, .external = true,
	};
	struct iol_iova_map m, real;
	unsigned int i;

	iol_iova_map_init(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &s), "add");
	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "chunk outside the map accepted");
	TEST_ASSERT(shown(&r, "outside the mapped memory"), "reason");
	iol_iova_map_free(&m);

	/* The real memory, shifted by a page in IOVA: chunks disagree. */
	iol_iova_map_init(&real);
	TEST_ASSERT_SUCCESS(iol_iova_map_from_memsegs(&real, false), "memseg walk");
	for (i = 0; i < real.n; i++) {
		s = real.segs[i];
		s.iova += 4096;
		s.external = true;
		TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &s), "add");
	}
	TEST_ASSERT_FAIL(iol_audit_run(&m, &p, &r), "shifted IOVA accepted");
	TEST_ASSERT(shown(&r, "differs from the memory's"), "reason");
	iol_iova_map_free(&m);
	iol_iova_map_free(&real);
	return TEST_SUCCESS;
}

static int
test_iova_map_merge_find_check(void)
{
	struct iol_iova_seg a = { .va = 0x200000, .iova = 0x50100000, .len = 0x200000, .page_sz = 0x200000 };
	struct iol_iova_seg b = a, c = a, far = a;
	struct iol_iova_map m;
	unsigned int hint = 0;

	b.va += 0x200000; b.iova += 0x200000;
	c.va += 0x400000; c.iova += 0x800000; /* VA-contiguous, not IOVA-contiguous */
	far.va = 0x40000000; far.iova = 0x1000;
	iol_iova_map_init(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &far), "far");
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &c), "c");
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &a), "a");
	TEST_ASSERT_SUCCESS(iol_iova_map_add(&m, &b), "b joins a");
	TEST_ASSERT_EQUAL(m.n, 3, "a+b merged, c and far apart");
	TEST_ASSERT_EQUAL(m.segs[0].len, 0x400000, "merged length");
	TEST_ASSERT_FAIL(iol_iova_map_add(&m, &b), "overlap refused");

	TEST_ASSERT(iol_iova_map_check(&m, (void *)0x3ff000, 0x502ff000, &hint), "inside a+b");
	TEST_ASSERT(!iol_iova_map_check(&m, (void *)0x3ff000, 0x502ff001, &hint), "off by one");
	TEST_ASSERT(iol_iova_map_check(&m, (void *)0x600010, 0x50900010, &hint), "c");
	TEST_ASSERT_EQUAL(hint, 1, "hint moved to c");
	TEST_ASSERT(!iol_iova_map_check(&m, (void *)0x100, 0x100, &hint), "unmapped");
	TEST_ASSERT(iol_iova_map_check(&m, (void *)0x40000fff, 0x1fff, &hint), "far");
	TEST_ASSERT(iol_iova_map_find(&m, 0x800000) == NULL, "gap");
	iol_iova_map_free(&m);
	return TEST_SUCCESS;
}

static struct unit_test_suite audit_suite = {
	.suite_name = "IOVA audit",
	.setup = audit_setup,
	.teardown = audit_teardown,
	.unit_test_cases = {
		TEST_CASE(test_audit_dpdk_memory),
		TEST_CASE(test_audit_detects_wrong_translations),
		TEST_CASE(test_audit_pool_chunks),
		TEST_CASE(test_audit_unaligned_note),
		TEST_CASE(test_iova_map_merge_find_check),
		TEST_CASES_END()
	}
};

static int
audit_autotest(void)
{
	return unit_test_suite_runner(&audit_suite);
}

REGISTER_EAL_TEST(audit_autotest, audit_autotest);
