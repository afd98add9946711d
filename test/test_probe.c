/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The isolation probe (lib/probe): its plan on the fixture trees of
 * test/fixtures (meson passes IOL_FIXTURES), its verdict for each kind of
 * evidence, the fault lines of each family, and whole runs on fake
 * engines registered here: one that reaches every IOVA untranslated (the
 * verdict must be "DMA isolation broken", exit 1), one that acts as an
 * IOMMU (every attempt blocked, exit 0) and one that never copies (void).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "iol_config.h"
#include "iol_dma.h"
#include "iol_probe.h"
#include "test.h"

#define BAD_PA UINT64_MAX
#define CANARY0 0x3c00000000ULL
#define CANARY1 0x3c00001000ULL

/* One mapped range of 2 MiB at 0x100000000, the buffer at its start. */
static const struct iol_iova_range one_range[] = { { 0x100000000ULL, 0x1001fffffULL } };

static void
setup_of(struct iol_probe_setup *s, const struct iol_topology *t, const char *dev)
{
	memset(s, 0, sizeof(*s));
	s->topo = t;
	s->device = dev;
	s->mapped = one_range;
	s->n_mapped = 1;
	s->buf_iova = 0x100000000ULL;
	s->len = 64;
	s->canary_pa[0] = CANARY0;
	s->canary_pa[1] = CANARY1;
	s->no_other_why = "no --probe-peer";
}

static const struct iol_probe_attempt *
find(const struct iol_probe_plan *p, enum iol_probe_target t, enum iol_probe_dir d,
		unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->attempts[i].target == t && p->attempts[i].dir == d && nth-- == 0)
			return &p->attempts[i];
	return NULL;
}

/* Every attempted write targets a canary's physical address, and nothing mapped. */
static int
writes_only_at_canaries(const struct iol_probe_setup *s, const struct iol_probe_plan *p)
{
	const struct iol_probe_attempt *a;
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		a = &p->attempts[i];
		if (a->dir != IOL_PROBE_WRITE || !a->attempted)
			continue;
		TEST_ASSERT(a->at_canary, "write %u (%s) is not at a canary", i, a->what);
		TEST_ASSERT_EQUAL(a->iova, s->canary_pa[a->canary] + IOL_PROBE_TARGET_OFF,
			"write %u (%s)", i, a->what);
		TEST_ASSERT(a->iova < one_range[0].start || a->iova > one_range[0].end,
			"write %u inside the mapping", i);
	}
	return TEST_SUCCESS;
}

static int
test_plan_vtd(void)
{
	struct iol_probe_setup s;
	struct iol_probe_plan p;
	const struct iol_probe_attempt *a;
	struct iol_topology *t;
	char err[256];

	TEST_NEED_FIXTURES();
	t = test_fixture_topology("x86-vtd");
	TEST_ASSERT_NOT_NULL(t, "fixture");
	setup_of(&s, t, "0000:00:03.0");
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	TEST_ASSERT_EQUAL(p.group, 12, "group");
	TEST_ASSERT_EQUAL(p.kind, IOL_IOMMU_INTEL, "kind");
	TEST_ASSERT_EQUAL(p.width, 39, "width");

	a = find(&p, IOL_PROBE_INSIDE, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->attempted, "inside control");
	TEST_ASSERT_EQUAL(a->iova, s.buf_iova + IOL_PROBE_SRC_OFF, "inside control IOVA");
	a = find(&p, IOL_PROBE_MAPPING_END, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->attempted, "mapping-end control");
	TEST_ASSERT_EQUAL(a->iova, 0x100200000ULL - 64, "last bytes of the mapping");

	a = find(&p, IOL_PROBE_PAST_END, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->attempted, "past-end read");
	TEST_ASSERT_EQUAL(a->iova, 0x100200000ULL, "first byte past the end");
	a = find(&p, IOL_PROBE_PAST_END, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "past-end write is read only");
	TEST_ASSERT_STR_CONTAINS(a->skip_why, "not the physical address of a page iovaloop owns",
		"why read only");

	a = find(&p, IOL_PROBE_UNMAPPED, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && a->attempted && a->at_canary, "unmapped write at the canary");
	TEST_ASSERT_EQUAL(a->iova, CANARY0 + IOL_PROBE_TARGET_OFF, "unmapped IOVA");

	a = find(&p, IOL_PROBE_RESERVED, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->attempted, "reserved read");
	TEST_ASSERT_EQUAL(a->iova, 0xfee00000ULL, "MSI window");
	TEST_ASSERT_STR_CONTAINS(a->what, "msi", "region named");
	TEST_ASSERT(a->no_memory, "x86's interrupt window holds no memory");
	TEST_ASSERT(find(&p, IOL_PROBE_RESERVED, IOL_PROBE_READ, 1) == NULL, "one region");
	a = find(&p, IOL_PROBE_RESERVED, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "reserved write is read only");

	a = find(&p, IOL_PROBE_ABOVE_WIDTH, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->attempted, "above-width read");
	TEST_ASSERT_EQUAL(a->iova, 1ULL << 39, "first IOVA above 39 bits");
	a = find(&p, IOL_PROBE_ZERO, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->attempted && a->iova == 0, "IOVA 0 read");
	a = find(&p, IOL_PROBE_OTHER_CONTAINER, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "no other container");
	TEST_ASSERT_STR_CONTAINS(a->skip_why, "no --probe-peer", "why");
	if (writes_only_at_canaries(&s, &p) != TEST_SUCCESS)
		return TEST_FAILED;

	/* With the second container: its canary is read and written. */
	s.other_container = true;
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	a = find(&p, IOL_PROBE_OTHER_CONTAINER, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && a->attempted && a->canary == IOL_PROBE_CANARY_OTHER,
		"other-container write");
	TEST_ASSERT_EQUAL(a->iova, CANARY1 + IOL_PROBE_TARGET_OFF, "other-container IOVA");
	if (writes_only_at_canaries(&s, &p) != TEST_SUCCESS)
		return TEST_FAILED;
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_plan_families(void)
{
	struct iol_probe_setup s;
	struct iol_probe_plan p;
	const struct iol_probe_attempt *a;
	struct iol_topology *t;
	char err[256];

	TEST_NEED_FIXTURES();
	/* AMD-Vi: the MSI window and the HyperTransport hole, both read only. */
	t = test_fixture_topology("amd-vi");
	setup_of(&s, t, "0000:00:03.0");
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	TEST_ASSERT_EQUAL(p.kind, IOL_IOMMU_AMD, "kind");
	a = find(&p, IOL_PROBE_RESERVED, IOL_PROBE_READ, 1);
	TEST_ASSERT(a != NULL && a->iova == 0xfd00000000ULL, "HyperTransport hole");
	TEST_ASSERT_STR_CONTAINS(a->what, "reserved", "type");
	a = find(&p, IOL_PROBE_ABOVE_WIDTH, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "no IOVA above 64 bits");
	if (writes_only_at_canaries(&s, &p) != TEST_SUCCESS)
		return TEST_FAILED;
	iol_topology_free(t);

	/* SMMUv3: no width in sysfs, so that target says why it is not tried. */
	t = test_fixture_topology("arm64-smmuv3");
	setup_of(&s, t, "0000:00:03.0");
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	TEST_ASSERT_EQUAL(p.kind, IOL_IOMMU_ARM_SMMU, "kind");
	a = find(&p, IOL_PROBE_ABOVE_WIDTH, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "width unknown");
	TEST_ASSERT_STR_CONTAINS(a->skip_why, "input width", "why");
	a = find(&p, IOL_PROBE_RESERVED, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->iova == 0x8000000ULL, "the SMMU's MSI window");
	TEST_ASSERT(!a->no_memory, "the SMMU translates its MSI window: a fault line is due");
	iol_topology_free(t);

	/* virtio-iommu: its kind, and the family's fault line. */
	t = test_fixture_topology("virtio-iommu-lab");
	setup_of(&s, t, "0000:00:03.0");
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	TEST_ASSERT_EQUAL(p.kind, IOL_IOMMU_VIRTIO, "kind");
	iol_topology_free(t);

	/* A device with no IOMMU group, one in a noiommu group: no plan. */
	t = test_fixture_topology("no-iommu");
	setup_of(&s, t, "0000:00:03.0");
	TEST_ASSERT_FAIL(iol_probe_plan(&s, &p, err, sizeof(err)), "no group");
	TEST_ASSERT_STR_CONTAINS(err, "no IOMMU group", "message");
	iol_topology_free(t);
	t = test_fixture_topology("noiommu-mode");
	setup_of(&s, t, "0000:00:03.0");
	TEST_ASSERT_FAIL(iol_probe_plan(&s, &p, err, sizeof(err)), "noiommu");
	TEST_ASSERT_STR_CONTAINS(err, "noiommu", "message");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_plan_edges(void)
{
	static const struct iol_iova_range from_zero[] = {
		{ 0x0, 0x1fffff }, { 0x200000, 0x3fffff },
	};
	struct iol_probe_setup s;
	struct iol_probe_plan p;
	const struct iol_probe_attempt *a;
	struct iol_topology *t;
	char err[256];

	TEST_NEED_FIXTURES();
	t = test_fixture_topology("x86-vtd");
	/* Memory mapped from IOVA 0 (xmem --iova-base 0), in two adjacent ranges. */
	setup_of(&s, t, "0000:00:03.0");
	s.mapped = from_zero;
	s.n_mapped = 2;
	s.buf_iova = 0x0;
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	a = find(&p, IOL_PROBE_ZERO, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "IOVA 0 mapped: not a target");
	TEST_ASSERT_STR_CONTAINS(a->skip_why, "mapped in the engine's container", "why");
	a = find(&p, IOL_PROBE_PAST_END, IOL_PROBE_READ, 0);
	TEST_ASSERT(a != NULL && a->iova == 0x400000, "past the end of both ranges");
	/* Canary addresses unknown (no pagemap): no write at all. */
	setup_of(&s, t, "0000:00:03.0");
	s.canary_pa[0] = s.canary_pa[1] = BAD_PA;
	s.other_container = true;
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	a = find(&p, IOL_PROBE_UNMAPPED, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "no unmapped write");
	TEST_ASSERT_STR_CONTAINS(a->skip_why, "pagemap", "why");
	a = find(&p, IOL_PROBE_OTHER_CONTAINER, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "no other-container write");
	/* A canary whose physical address the container maps (IOVA-as-PA memory). */
	setup_of(&s, t, "0000:00:03.0");
	s.canary_pa[0] = 0x100100000ULL;
	TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
	a = find(&p, IOL_PROBE_UNMAPPED, IOL_PROBE_WRITE, 0);
	TEST_ASSERT(a != NULL && !a->attempted, "mapped canary: no write");
	/* /proc/iomem known: past the end nothing decodes, IOVA 0 is RAM. */
	{
		static const struct iol_iova_range used[] = {
			{ 0x0, 0xfff }, { 0x1000, 0xbfffffff },
		};

		setup_of(&s, t, "0000:00:03.0");
		s.phys_used = used;
		s.n_phys_used = 2;
		TEST_ASSERT_SUCCESS(iol_probe_plan(&s, &p, err, sizeof(err)), "plan: %s", err);
		a = find(&p, IOL_PROBE_PAST_END, IOL_PROBE_READ, 0);
		TEST_ASSERT(a != NULL && a->no_memory && !a->not_translated, "no memory past the end");
		a = find(&p, IOL_PROBE_ZERO, IOL_PROBE_READ, 0);
		TEST_ASSERT(a != NULL && !a->no_memory, "IOVA 0 is RAM untranslated");
		a = find(&p, IOL_PROBE_UNMAPPED, IOL_PROBE_READ, 0);
		TEST_ASSERT(a != NULL && !a->no_memory, "a canary is memory");
	}
	/* The buffer outside every mapped range. */
	setup_of(&s, t, "0000:00:03.0");
	s.buf_iova = 0x200000000ULL;
	TEST_ASSERT_FAIL(iol_probe_plan(&s, &p, err, sizeof(err)), "buffer not mapped");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/* Judge a made-up attempt. */
static enum iol_probe_verdict
judge(enum iol_probe_target t, enum iol_probe_dir d, bool at_canary,
		enum iol_probe_completion c, enum iol_probe_dst dst, bool intact,
		enum iol_probe_fault f, enum iol_iommu_kind kind, char *why, size_t len)
{
	struct iol_probe_attempt a = {
		.target = t, .dir = d, .at_canary = at_canary, .attempted = true,
		.ev = { .completion = c, .dst = dst, .canaries_intact = intact, .fault = f,
			.enqueue_err = -EINVAL },
	};

	if (f == IOL_PROBE_FAULT_SEEN)
		snprintf(a.ev.fault_line, sizeof(a.ev.fault_line), "DMAR: [DMA Read NO_PASID]");
	if (!intact)
		snprintf(a.ev.canary_note, sizeof(a.ev.canary_note), "canary page 0, byte 0x800");
	iol_probe_judge(&a, iol_probe_fault_log(kind));
	snprintf(why, len, "%s", a.why);
	return a.verdict;
}

/* A read of @p t that completed with zeros, the canaries intact. */
static struct iol_probe_attempt
zeros_read(enum iol_probe_target t)
{
	struct iol_probe_attempt a = {
		.target = t, .dir = IOL_PROBE_READ, .attempted = true,
		.ev = { .completion = IOL_PROBE_DONE_OK, .dst = IOL_PROBE_DST_ZEROS,
			.canaries_intact = true },
	};

	return a;
}

static int
test_verdicts(void)
{
	const enum iol_probe_target Z = IOL_PROBE_ZERO, U = IOL_PROBE_UNMAPPED;
	const enum iol_probe_dir R = IOL_PROBE_READ, W = IOL_PROBE_WRITE;
	const enum iol_iommu_kind V = IOL_IOMMU_INTEL, A = IOL_IOMMU_AMD;
	char why[192];

	/* Controls: copied, or the probe is void. */
	TEST_ASSERT_EQUAL(judge(IOL_PROBE_INSIDE, R, false, IOL_PROBE_DONE_OK, IOL_PROBE_DST_TARGET,
		true, IOL_PROBE_FAULT_NONE, V, why, sizeof(why)), IOL_PROBE_COPIED, "%s", why);
	TEST_ASSERT_EQUAL(judge(IOL_PROBE_INSIDE, R, false, IOL_PROBE_NO_COMPLETION,
		IOL_PROBE_DST_UNCHANGED, true, IOL_PROBE_FAULT_NONE, V, why, sizeof(why)),
		IOL_PROBE_VOID, "%s", why);
	TEST_ASSERT_EQUAL(judge(IOL_PROBE_MAPPING_END, R, false, IOL_PROBE_DONE_OK,
		IOL_PROBE_DST_ZEROS, true, IOL_PROBE_FAULT_NONE, V, why, sizeof(why)),
		IOL_PROBE_VOID, "%s", why);
	TEST_ASSERT_STR_CONTAINS(why, "zeros", "what the destination held");

	/* Broken: a canary changed, a read delivered the target's or anyone's bytes. */
	TEST_ASSERT_EQUAL(judge(U, W, true, IOL_PROBE_DONE_OK, IOL_PROBE_DST_UNCHANGED, false,
		IOL_PROBE_FAULT_SEEN, V, why, sizeof(why)), IOL_PROBE_BROKEN, "%s", why);
	TEST_ASSERT_STR_CONTAINS(why, "canary page 0", "which canary");
	TEST_ASSERT_EQUAL(judge(U, R, true, IOL_PROBE_DONE_OK, IOL_PROBE_DST_TARGET, true,
		IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_BROKEN, "%s", why);
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_DONE_OK, IOL_PROBE_DST_OTHER, true,
		IOL_PROBE_FAULT_SEEN, V, why, sizeof(why)), IOL_PROBE_BROKEN, "%s", why);

	/* A family that logs faults: the line is what proves the block. */
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_NO_COMPLETION, IOL_PROBE_DST_UNCHANGED,
		true, IOL_PROBE_FAULT_SEEN, V, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	TEST_ASSERT_STR_CONTAINS(why, "DMAR", "the fault line quoted");
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_DONE_OK, IOL_PROBE_DST_ZEROS, true,
		IOL_PROBE_FAULT_SEEN, V, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_NO_COMPLETION, IOL_PROBE_DST_UNCHANGED,
		true, IOL_PROBE_FAULT_NONE, V, why, sizeof(why)), IOL_PROBE_UNPROVEN, "%s", why);
	TEST_ASSERT_STR_CONTAINS(why, "no fault line", "why");
	/* ... unless the log cannot be read: then as a family that logs none. */
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_NO_COMPLETION, IOL_PROBE_DST_UNCHANGED,
		true, IOL_PROBE_FAULT_UNREADABLE, V, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);

	/* x86's interrupt window is not translated: zeros there need no fault line. */
	{
		struct iol_probe_attempt a = zeros_read(IOL_PROBE_RESERVED);

		a.no_memory = a.not_translated = true;
		iol_probe_judge(&a, iol_probe_fault_log(V));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_NO_MEMORY, "%s", a.why);
		TEST_ASSERT_STR_CONTAINS(a.why, "interrupt window", "why");
		/* QEMU's APIC registers under virtio-iommu's MSI bypass: still no memory. */
		a.ev.dst = IOL_PROBE_DST_OTHER;
		iol_probe_judge(&a, iol_probe_fault_log(IOL_IOMMU_VIRTIO));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_NO_MEMORY, "bytes from there: %s", a.why);
		a.ev.canaries_intact = false;
		iol_probe_judge(&a, iol_probe_fault_log(V));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_BROKEN, "memory changed: %s", a.why);
	}
	TEST_ASSERT_EQUAL(judge(IOL_PROBE_RESERVED, R, false, IOL_PROBE_DONE_OK, IOL_PROBE_DST_ZEROS,
		true, IOL_PROBE_FAULT_NONE, V, why, sizeof(why)), IOL_PROBE_UNPROVEN, "%s", why);

	/* Zeros from where no memory is (outside /proc/iomem): nobody's bytes; still a line on VT-d. */
	{
		struct iol_probe_attempt a = zeros_read(IOL_PROBE_PAST_END);

		a.no_memory = true;
		iol_probe_judge(&a, iol_probe_fault_log(A));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_BLOCKED, "%s", a.why);
		TEST_ASSERT_STR_CONTAINS(a.why, "/proc/iomem", "why");
		iol_probe_judge(&a, iol_probe_fault_log(V));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_UNPROVEN, "VT-d owes a line: %s", a.why);
	}

	/* The target's own bytes read from /dev/mem (x86 low memory): zeros are not them. */
	{
		struct iol_probe_attempt a = zeros_read(IOL_PROBE_ZERO);

		a.bytes_known = true;
		iol_probe_judge(&a, iol_probe_fault_log(A));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_BLOCKED, "%s", a.why);
		TEST_ASSERT_STR_CONTAINS(a.why, "/dev/mem", "why");
		a.ev.dst = IOL_PROBE_DST_TARGET;
		iol_probe_judge(&a, iol_probe_fault_log(A));
		TEST_ASSERT_EQUAL(a.verdict, IOL_PROBE_BROKEN, "its bytes delivered: %s", a.why);
	}

	/* AMD-Vi logs none: no completion and untouched memory count. */
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_NO_COMPLETION, IOL_PROBE_DST_UNCHANGED,
		true, IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_DONE_ERROR, IOL_PROBE_DST_UNCHANGED,
		true, IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	TEST_ASSERT_EQUAL(judge(U, W, true, IOL_PROBE_DONE_OK, IOL_PROBE_DST_UNCHANGED, true,
		IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	TEST_ASSERT_STR_CONTAINS(why, "untouched", "the canary decides");
	TEST_ASSERT_EQUAL(judge(U, R, true, IOL_PROBE_DONE_OK, IOL_PROBE_DST_ZEROS, true,
		IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_DONE_OK, IOL_PROBE_DST_UNCHANGED, true,
		IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_BLOCKED, "%s", why);
	/* Zeros where the target's bytes are unknown prove nothing without a fault line. */
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_DONE_OK, IOL_PROBE_DST_ZEROS, true,
		IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_UNPROVEN, "%s", why);
	/* An engine that refused the copy did not try the IOMMU. */
	TEST_ASSERT_EQUAL(judge(Z, R, false, IOL_PROBE_REFUSED, IOL_PROBE_DST_UNCHANGED, true,
		IOL_PROBE_FAULT_NONE, A, why, sizeof(why)), IOL_PROBE_UNPROVEN, "%s", why);
	return TEST_SUCCESS;
}

static int
test_outcome(void)
{
	struct iol_probe_plan p = { .n = 3 };
	char msg[512];

	p.attempts[0].verdict = IOL_PROBE_COPIED;
	p.attempts[1].verdict = IOL_PROBE_BLOCKED;
	p.attempts[2].verdict = IOL_PROBE_SKIPPED;
	TEST_ASSERT_EQUAL(iol_probe_message(&p, msg, sizeof(msg)), IOL_PROBE_BLOCKED, "%s", msg);
	TEST_ASSERT_STR_CONTAINS(msg, "DMA isolation holds: 1 attempts blocked", "message");
	p.attempts[2].verdict = IOL_PROBE_NO_MEMORY;
	TEST_ASSERT_EQUAL(iol_probe_message(&p, msg, sizeof(msg)), IOL_PROBE_BLOCKED, "%s", msg);
	TEST_ASSERT_STR_CONTAINS(msg, "1 in the interrupt window reached no memory", "message");
	p.attempts[2].verdict = IOL_PROBE_UNPROVEN;
	TEST_ASSERT_EQUAL(iol_probe_message(&p, msg, sizeof(msg)), IOL_PROBE_UNPROVEN, "%s", msg);
	TEST_ASSERT_STR_CONTAINS(msg, "DMA isolation not shown: attempt 3", "message");
	p.attempts[1].verdict = IOL_PROBE_BROKEN;
	snprintf(p.attempts[1].what, sizeof(p.attempts[1].what), "IOVA 0");
	TEST_ASSERT_EQUAL(iol_probe_message(&p, msg, sizeof(msg)), IOL_PROBE_BROKEN, "%s", msg);
	TEST_ASSERT_STR_CONTAINS(msg, "DMA isolation broken: attempt 2 (IOVA 0", "message");
	p.attempts[0].verdict = IOL_PROBE_VOID;
	TEST_ASSERT_EQUAL(iol_probe_message(&p, msg, sizeof(msg)), IOL_PROBE_VOID, "%s", msg);
	TEST_ASSERT_STR_CONTAINS(msg, "probe void", "message");
	return TEST_SUCCESS;
}

static int
test_fault_lines(void)
{
	char path[] = "/tmp/iol-kmsg.XXXXXX", line[160];
	struct iol_kmsg k;
	FILE *f;
	int fd;

	TEST_ASSERT(iol_probe_fault_match(IOL_IOMMU_INTEL, "DMAR: [DMA Read NO_PASID] Request "
		"device [00:03.0] fault addr 0x5054b000 [fault reason 0x06]"), "VT-d read");
	TEST_ASSERT(iol_probe_fault_match(IOL_IOMMU_INTEL, "DMAR: DRHD: handling fault status "
		"reg 2"), "VT-d DRHD");
	TEST_ASSERT(!iol_probe_fault_match(IOL_IOMMU_INTEL, "DMAR: IOMMU enabled"), "not a fault");
	TEST_ASSERT(iol_probe_fault_match(IOL_IOMMU_VIRTIO, "virtio_iommu virtio0: page fault "
		"from EP 24 at 0x11000000"), "virtio-iommu");
	TEST_ASSERT(iol_probe_fault_match(IOL_IOMMU_ARM_SMMU, "arm-smmu-v3 9050000.smmuv3: event "
		"0x10 received:"), "SMMUv3");
	TEST_ASSERT(!iol_probe_fault_match(IOL_IOMMU_VIRTIO, "DMAR: [DMA Read"), "another family's");
	TEST_ASSERT(iol_probe_fault_log(IOL_IOMMU_INTEL)->logged, "VT-d logs faults");
	TEST_ASSERT(iol_probe_fault_log(IOL_IOMMU_VIRTIO)->spacing_ms >= 5000,
		"a virtio-iommu copy spends the whole 5 s burst of lines");
	TEST_ASSERT(iol_probe_fault_log(IOL_IOMMU_VIRTIO)->logged, "virtio-iommu logs faults");
	TEST_ASSERT(iol_probe_fault_log(IOL_IOMMU_ARM_SMMU)->logged, "SMMU logs faults");
	TEST_ASSERT(!iol_probe_fault_log(IOL_IOMMU_AMD)->logged, "QEMU's AMD-Vi logs none");

	/* The log is read from where it was when opened, record format or not. */
	fd = mkstemp(path);
	TEST_ASSERT(fd >= 0, "mkstemp");
	f = fdopen(fd, "w");
	fprintf(f, "3,100,5,-;DMAR: [DMA Read NO_PASID] an old fault\n");
	fflush(f);
	iol_kmsg_open(&k, path);
	TEST_ASSERT(k.fd >= 0, "open: %s", k.why);
	TEST_ASSERT_EQUAL(iol_kmsg_scan(&k, IOL_IOMMU_INTEL, line, sizeof(line)),
		IOL_PROBE_FAULT_NONE, "an old line is not new");
	fprintf(f, "6,101,6,-;e1000e: something else\n3,102,7,-;DMAR: DRHD: handling fault "
		"status reg 2\n3,103,7,-;DMAR: [DMA Write NO_PASID] Request device [00:03.0] "
		"fault addr 0x4f800800\n");
	fflush(f);
	TEST_ASSERT_EQUAL(iol_kmsg_scan(&k, IOL_IOMMU_INTEL, line, sizeof(line)),
		IOL_PROBE_FAULT_SEEN, "a new fault line");
	TEST_ASSERT_STR_CONTAINS(line, "DMA Write", "the record with the address, not the DRHD line");
	TEST_ASSERT(strncmp(line, "DMAR", 4) == 0, "header cut: %s", line);
	TEST_ASSERT_EQUAL(iol_kmsg_scan(&k, IOL_IOMMU_INTEL, line, sizeof(line)),
		IOL_PROBE_FAULT_NONE, "read once");
	iol_kmsg_close(&k);
	fclose(f);
	unlink(path);
	iol_kmsg_open(&k, "/nonexistent/kmsg");
	TEST_ASSERT(k.fd < 0, "unreadable");
	TEST_ASSERT_STR_CONTAINS(k.why, "cannot be read", "why");
	TEST_ASSERT_EQUAL(iol_kmsg_scan(&k, IOL_IOMMU_INTEL, line, sizeof(line)),
		IOL_PROBE_FAULT_UNREADABLE, "unreadable");
	return TEST_SUCCESS;
}

static struct unit_test_suite plan_suite = {
	.suite_name = "probe plan and verdicts",
	.unit_test_cases = {
		TEST_CASE(test_plan_vtd),
		TEST_CASE(test_plan_families),
		TEST_CASE(test_plan_edges),
		TEST_CASE(test_verdicts),
		TEST_CASE(test_outcome),
		TEST_CASE(test_fault_lines),
		TEST_CASES_END(),
	},
};

static int
probe_plan_autotest(void)
{
	return unit_test_suite_runner(&plan_suite);
}

REGISTER_TEST_COMMAND(probe_plan_autotest, probe_plan_autotest);

/*
 * Fake engines. Their "physical" addresses are the test's: the probe's
 * canary pages get CANARY0, CANARY1 from fake_phys(), and DPDK's memory is
 * at IOVA = VA (the run is in IOVA-as-VA mode).
 */
enum fake_kind { FAKE_PASSTHROUGH, FAKE_IOMMU, FAKE_DEAD };

static const void *fake_canary_va[2];
static char fake_kmsg[64];

static uint64_t
fake_phys(const void *va)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (fake_canary_va[i] == NULL || fake_canary_va[i] == va) {
			fake_canary_va[i] = va;
			return i == 0 ? CANARY0 : CANARY1;
		}
	return RTE_BAD_IOVA;
}

struct fake {
	enum fake_kind kind;
	struct iol_dma_done done[16];
	unsigned int head, tail;
};

/* What an IOVA reaches: DPDK's memory always, the canaries untranslated only. */
static void *
fake_reach(const struct fake *f, uint64_t iova, uint32_t len)
{
	void *va = rte_mem_iova2virt(iova);

	if (va != NULL && rte_mem_iova2virt(iova + len - 1) != NULL)
		return va;
	if (f->kind == FAKE_PASSTHROUGH && (iova & ~0xfffULL) == CANARY0 && fake_canary_va[0])
		return (uint8_t *)fake_canary_va[0] + (iova & 0xfff);
	if (f->kind == FAKE_PASSTHROUGH && (iova & ~0xfffULL) == CANARY1 && fake_canary_va[1])
		return (uint8_t *)fake_canary_va[1] + (iova & 0xfff);
	return NULL;
}

static int
fake_enqueue(struct iol_dma_engine *e, rte_iova_t src, rte_iova_t dst, uint32_t len,
		uint64_t cookie)
{
	struct fake *f = e->priv;
	void *s = fake_reach(f, src, len), *d = fake_reach(f, dst, len);
	FILE *log;

	if (f->head - f->tail == RTE_DIM(f->done))
		return -ENOSPC;
	if (f->kind == FAKE_DEAD)
		return 0;
	if (f->kind == FAKE_IOMMU && (s == NULL || d == NULL)) {
		/* Blocked: no completion, and the fault line VT-d would log. */
		log = fopen(fake_kmsg, "a");
		if (log != NULL) {
			fprintf(log, "3,1,1,-;DMAR: [DMA %s NO_PASID] Request device [00:03.0] fault "
				"addr 0x%" PRIx64 "\n", s == NULL ? "Read" : "Write",
				s == NULL ? src : dst);
			fclose(log);
		}
		return 0;
	}
	/* Untranslated: whatever is at an address the test does not own reads as 0xee. */
	if (d != NULL && s != NULL)
		memcpy(d, s, len);
	else if (d != NULL)
		memset(d, 0xee, len);
	f->done[f->head++ % RTE_DIM(f->done)] = (struct iol_dma_done){ cookie, len, IOL_DMA_OK };
	return 0;
}

static void
fake_submit(struct iol_dma_engine *e)
{
}

static uint16_t
fake_completed(struct iol_dma_engine *e, struct iol_dma_done *done, uint16_t max)
{
	struct fake *f = e->priv;
	uint16_t n = 0;

	while (n < max && f->tail != f->head)
		done[n++] = f->done[f->tail++ % RTE_DIM(f->done)];
	return n;
}

static void
fake_close(struct iol_dma_engine *e)
{
	free(e->priv);
}

static const struct iol_dma_ops fake_ops = {
	.kind = "fake", .enqueue = fake_enqueue, .submit = fake_submit,
	.completed = fake_completed, .close = fake_close,
};

static int
fake_open(const char *spec, int container_fd, struct iol_dma_engine *e, char *err, size_t len)
{
	static const char *const names[] = {
		[FAKE_PASSTHROUGH] = "fake-passthrough", [FAKE_IOMMU] = "fake-iommu",
		[FAKE_DEAD] = "fake-dead",
	};
	struct fake *f;
	unsigned int k;

	for (k = 0; k < RTE_DIM(names); k++)
		if (strcmp(spec, names[k]) == 0)
			break;
	if (k == RTE_DIM(names))
		return 1;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->kind = (enum fake_kind)k;
	e->ops = &fake_ops;
	e->priv = f;
	e->caps = (struct iol_dma_caps){ .min_copy = 1, .max_copy = 4096, .depth = 16,
		.behind_iommu = true };
	return 0;
}

static const struct iol_dma_backend fake_backend = {
	.kind = "fake", .usage = "fake-passthrough|fake-iommu|fake-dead (test)", .open = fake_open,
};

/* A whole probe on a fake engine; its table in @p table (freed by the caller). */
static int
probe_on(const char *engine, char **table, const char *json)
{
	char root[PATH_MAX];
	struct iol_config cfg;
	struct iol_probe_env env = { .phys = fake_phys, .device = "0000:00:03.0",
		.kmsg_path = fake_kmsg, .sysfs_root = root };
	size_t len = 0;
	FILE *f;
	int fd, ret;

	test_fixture_root(root, sizeof(root), "x86-vtd");
	fake_canary_va[0] = fake_canary_va[1] = NULL;
	snprintf(fake_kmsg, sizeof(fake_kmsg), "/tmp/iol-probe-kmsg.XXXXXX");
	fd = mkstemp(fake_kmsg);
	if (fd < 0)
		return -1;
	close(fd);
	iol_config_defaults(&cfg);
	cfg.mode = IOL_MODE_PROBE;
	cfg.dma = engine;
	cfg.json_path = json;
	*table = NULL;
	f = open_memstream(table, &len);
	if (f == NULL)
		return -1;
	env.out = f;
	ret = iol_probe_run(&cfg, &env);
	fclose(f);
	unlink(fake_kmsg);
	printf("%s", *table);
	return ret;
}

static int
test_run_broken(void)
{
	char *table, json[] = "/tmp/iol-probe-json.XXXXXX", buf[8192];
	FILE *f;
	size_t n;
	int fd = mkstemp(json);

	TEST_ASSERT(fd >= 0, "mkstemp");
	close(fd);
	TEST_ASSERT_EQUAL(probe_on("fake-passthrough", &table, json), 1,
		"an engine that reaches every IOVA fails the run");
	TEST_ASSERT_STR_CONTAINS(table, "DMA isolation broken", "the verdict");
	TEST_ASSERT_STR_CONTAINS(table, "canary page 0", "the write landed in the canary");
	TEST_ASSERT_STR_CONTAINS(table, "copied", "the controls copied");
	free(table);
	f = fopen(json, "r");
	TEST_ASSERT_NOT_NULL(f, "the JSON report");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(json);
	TEST_ASSERT_STR_CONTAINS(buf, "\"result\": \"broken\"", "JSON result");
	TEST_ASSERT_STR_CONTAINS(buf, "\"verdict\": \"broken\"", "JSON attempts");
	return TEST_SUCCESS;
}

static int
test_run_blocked(void)
{
	char *table;

	TEST_ASSERT_EQUAL(probe_on("fake-iommu", &table, NULL), 0,
		"an engine behind a working IOMMU passes");
	TEST_ASSERT_STR_CONTAINS(table, "DMA isolation holds", "the verdict");
	TEST_ASSERT_STR_CONTAINS(table, "fault line: DMAR: [DMA Write", "a blocked write's line");
	TEST_ASSERT(strstr(table, "broken") == NULL && strstr(table, "unproven") == NULL,
		"every attempt blocked");
	free(table);
	return TEST_SUCCESS;
}

static int
test_run_void(void)
{
	char *table;

	TEST_ASSERT_EQUAL(probe_on("fake-dead", &table, NULL), 3,
		"an engine that copies nothing makes the probe void");
	TEST_ASSERT_STR_CONTAINS(table, "probe void", "the verdict");
	TEST_ASSERT(strstr(table, "DMA isolation holds") == NULL, "never a pass");
	free(table);
	return TEST_SUCCESS;
}

static int
run_setup(void)
{
	static bool registered;

	if (getenv("IOL_FIXTURES") == NULL)
		return -1;
	if (rte_eal_iova_mode() != RTE_IOVA_VA)
		return -1;
	if (!registered)
		iol_dma_backend_register(&fake_backend);
	registered = true;
	return 0;
}

static struct unit_test_suite run_suite = {
	.suite_name = "probe runs on fake engines",
	.setup = run_setup,
	.unit_test_cases = {
		TEST_CASE(test_run_broken),
		TEST_CASE(test_run_blocked),
		TEST_CASE(test_run_void),
		TEST_CASES_END(),
	},
};

static int
probe_run_autotest(void)
{
	return unit_test_suite_runner(&run_suite);
}

REGISTER_EAL_TEST(probe_run_autotest, probe_run_autotest);
