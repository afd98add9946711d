/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOMMU topology and doctor against the fixture trees of test/fixtures
 * (meson passes their directory in IOL_FIXTURES).
 */
#define _GNU_SOURCE /* nftw's FTW_PHYS */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iol_iommu.h"
#include "iol_json.h"
#include "test.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

#define LOAD(var, name) do {						\
	TEST_NEED_FIXTURES();						\
	var = test_fixture_topology(name);				\
	TEST_ASSERT_NOT_NULL(var, "reading fixture %s", name);		\
} while (0)

struct listing_of {
	const struct iol_topology *t;
	const char *device;
};

static void
print_listing(FILE *f, const void *arg)
{
	const struct listing_of *l = arg;

	iol_topology_print(l->t, f, l->device);
}

static char *
listing(const struct iol_topology *t, const char *device)
{
	const struct listing_of l = { .t = t, .device = device };

	return test_printed(print_listing, &l);
}

static void
fill_report(struct iol_json *j, const void *rep)
{
	iol_doctor_report_json(rep, j);
}

static void
fill_topology(struct iol_json *j, const void *t)
{
	iol_topology_json(t, j, NULL);
}

static char *
json_text(const struct iol_topology *t, const struct iol_doctor_report *rep,
	int *finish)
{
	return rep != NULL ? test_json_text(fill_report, rep, finish) :
		test_json_text(fill_topology, t, finish);
}

static void
print_report(FILE *f, const void *rep)
{
	iol_doctor_report_print(rep, f);
}

static char *
report_text(const struct iol_doctor_report *rep)
{
	return test_printed(print_report, rep);
}

static bool
has_warning(const struct iol_topology *t, const char *needle)
{
	unsigned int i;

	for (i = 0; i < t->n_warnings; i++)
		if (strstr(t->warnings[i], needle) != NULL)
			return true;
	return false;
}

/* The one check named @p name about @p subject (NULL: a host check). */
static const struct iol_check *
check(const struct iol_doctor_report *rep, const char *name,
	const char *subject)
{
	unsigned int i;

	for (i = 0; i < rep->n_checks; i++) {
		const struct iol_check *c = &rep->checks[i];

		if (strcmp(c->name, name) != 0)
			continue;
		if (subject == NULL ? c->subject == NULL :
		    c->subject != NULL && strcmp(c->subject, subject) == 0)
			return c;
	}
	return NULL;
}

#define ASSERT_CHECK(rep, name, subject, v, msg_part, fix_part) do {	\
	const struct iol_check *c_ = check(rep, name, subject);		\
	TEST_ASSERT_NOT_NULL(c_, "no check %s/%s", name,		\
		subject ? (const char *)subject : "host");		\
	TEST_ASSERT(c_->verdict == v, "%s/%s is %s, expected %s: %s",	\
		name, subject ? (const char *)subject : "host",		\
		iol_verdict_name(c_->verdict), iol_verdict_name(v),	\
		c_->message);						\
	TEST_ASSERT_STR_CONTAINS(c_->message, msg_part, "message of %s", name); \
	if (v == IOL_PASS)						\
		TEST_ASSERT(c_->fix == NULL, "PASS with a fix");	\
	else								\
		TEST_ASSERT_STR_CONTAINS(c_->fix, fix_part, "fix of %s", name); \
} while (0)

/* A plan that a healthy host satisfies; tests change one thing each. */
static void
plan_init(struct iol_doctor_plan *p, const char *const *devs, unsigned int n)
{
	iol_doctor_plan_init(p);
	p->devices = devs;
	p->n_devices = n;
	p->pin_bytes = 512 * MIB;
	p->hugepage_bytes = 512 * MIB;
	p->mappings = 1000;
	p->memlock_limit = 1 * GIB;
	p->cap_ipc_lock = false;
}

static int
test_x86_topology(void)
{
	const struct iol_iommu_group *g;
	const struct iol_device *d;
	struct iol_topology *t;
	unsigned int i;

	LOAD(t, "x86-vtd");
	TEST_ASSERT_EQUAL(t->n_warnings, 0, "first: %s",
		t->n_warnings ? t->warnings[0] : "");
	TEST_ASSERT_EQUAL(t->n_groups, 4, "groups");
	TEST_ASSERT_EQUAL(t->groups[0].id, 1, "numeric order");
	TEST_ASSERT_EQUAL(t->groups[1].id, 2, "numeric order");
	TEST_ASSERT_EQUAL(t->groups[2].id, 10, "numeric order");
	TEST_ASSERT_EQUAL(t->groups[3].id, 12, "numeric order");
	g = iol_topology_group(t, 2);
	TEST_ASSERT_NOT_NULL(g, "group 2");
	TEST_ASSERT_EQUAL(g->n_resv, 2, "group 2 regions");
	TEST_ASSERT_EQUAL(g->resv[0].start, 0, "relaxable start");
	TEST_ASSERT_EQUAL(g->resv[0].end, 0xffffff, "relaxable end");
	TEST_ASSERT(g->resv[0].type == IOL_RESV_DIRECT_RELAXABLE, "type");
	TEST_ASSERT_EQUAL(g->resv[1].start, 0xfee00000, "msi start");
	TEST_ASSERT_EQUAL(g->resv[1].end, 0xfeefffff, "msi end");
	TEST_ASSERT(g->resv[1].type == IOL_RESV_MSI, "msi type");
	TEST_ASSERT(strcmp(g->type, "DMA") == 0, "group type '%s'", g->type);

	d = iol_topology_device(t, "0000:00:02.0");
	TEST_ASSERT_NOT_NULL(d, "device 00:02.0");
	TEST_ASSERT(d->present && d->has_ids && d->is_pci, "device read");
	TEST_ASSERT_EQUAL(d->vendor, 0x8086, "vendor");
	TEST_ASSERT_EQUAL(d->device, 0x10d3, "device");
	TEST_ASSERT_EQUAL(d->class_code, 0x020000, "class");
	TEST_ASSERT_EQUAL(d->numa_node, 0, "numa");
	TEST_ASSERT_EQUAL(d->group, 2, "group");
	TEST_ASSERT(strcmp(d->driver, "vfio-pci") == 0, "driver %s", d->driver);
	TEST_ASSERT(strcmp(d->iommu, "dmar0") == 0, "iommu %s", d->iommu);
	TEST_ASSERT(d->device_name != NULL &&
		strcmp(d->device_name, "82574L Gigabit Network Connection") == 0,
		"pci.ids device name");
	TEST_ASSERT(strcmp(d->class_name, "Ethernet controller") == 0, "class name");
	d = iol_topology_device(t, "0000:00:00.0");
	TEST_ASSERT(d != NULL && d->driver[0] == '\0', "unbound host bridge");

	TEST_ASSERT_EQUAL(t->n_units, 2, "IOMMU units");
	TEST_ASSERT(t->units[0].kind == IOL_IOMMU_INTEL, "VT-d");
	TEST_ASSERT_EQUAL(t->units[0].addr_width, 39, "dmar0 MGAW");
	TEST_ASSERT_EQUAL(t->units[1].addr_width, 48, "dmar1 MGAW");
	TEST_ASSERT(iol_topology_iommu_enabled(t), "enabled");

	TEST_ASSERT_EQUAL(t->dma_entry_limit, 65535, "dma_entry_limit");
	TEST_ASSERT_EQUAL(t->noiommu_mode, 0, "noiommu off");
	TEST_ASSERT(t->mod_vfio && t->mod_vfio_type1 && t->mod_vfio_pci, "modules");
	TEST_ASSERT_EQUAL(t->n_nodes, 3, "/dev/vfio nodes");
	TEST_ASSERT_EQUAL(t->n_cmdline_opts, 3, "cmdline options");
	for (i = 0; i < t->n_cmdline_opts; i++)
		TEST_ASSERT(strcmp(t->cmdline_opts[i], "init-arg") != 0,
			"option after -- taken");
	TEST_ASSERT(strcmp(t->cmdline_opts[0], "intel_iommu=on") == 0, "opt");
	TEST_ASSERT_EQUAL(t->default_hugepage_size, 2 * MIB, "default size");
	TEST_ASSERT_EQUAL(t->n_hugepages, 3, "pools");
	TEST_ASSERT(t->hugepages[0].node == -1 && t->hugepages[0].free == 500,
		"host pool first");
	TEST_ASSERT(t->hugepages[2].node == 1 && t->hugepages[2].free == 0,
		"node 1 pool");
	TEST_ASSERT_EQUAL(t->n_mounts, 1, "mounts");
	TEST_ASSERT_EQUAL(t->mounts[0].page_size, 2 * MIB, "mount pagesize");
	TEST_ASSERT(strcmp(t->mounts[0].path, "/dev/hugepages") == 0, "mount path");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_x86_listing(void)
{
	struct iol_topology *t;
	char *s, *g2, *g10;

	LOAD(t, "x86-vtd");
	s = listing(t, NULL);
	TEST_ASSERT_NOT_NULL(s, "listing");
	TEST_ASSERT_STR_CONTAINS(s, "IOMMU Group 2:\n"
		"\t0000:00:02.0 Ethernet controller [0200]: Intel Corporation "
		"82574L Gigabit Network Connection [8086:10d3] driver=vfio-pci "
		"numa=0\n"
		"\treserved 0x0000000000000000-0x0000000000ffffff direct-relaxable\n"
		"\treserved 0x00000000fee00000-0x00000000feefffff msi\n", "group 2");
	TEST_ASSERT_STR_CONTAINS(s, "[8086:10d3] driver=e1000e numa=0", "e1000e");
	TEST_ASSERT_STR_CONTAINS(s, "[8086:29c0] driver=none", "unbound");
	TEST_ASSERT_STR_CONTAINS(s, "IOMMU dmar0 (intel-vt-d): address width 39 bits",
		"host IOMMU");
	TEST_ASSERT_STR_CONTAINS(s, "kernel options: intel_iommu=on iommu=pt",
		"cmdline");
	TEST_ASSERT_STR_CONTAINS(s, "parameter vfio_iommu_type1.dma_entry_limit=65535",
		"param");
	TEST_ASSERT_STR_CONTAINS(s, "hugepages 2M node 1: total 512 free 0", "node");
	g2 = strstr(s, "IOMMU Group 2:");
	g10 = strstr(s, "IOMMU Group 10:");
	TEST_ASSERT(g2 != NULL && g10 != NULL && g2 < g10, "2 sorts before 10");
	free(s);

	s = listing(t, "0000:00:0a.0");
	TEST_ASSERT_STR_CONTAINS(s, "IOMMU Group 10:\n\t0000:00:0a.0 Ethernet "
		"controller [0200]: Intel Corporation Ethernet Connection (2) "
		"I219-LM [8086:15b7] driver=vfio-pci numa=1\n", "one device");
	TEST_ASSERT(strstr(s, "IOMMU Group 2:") == NULL, "only its group");
	free(s);
	/* An unknown device: -1 and nothing written (the caller says it). */
	TEST_ASSERT_EQUAL(iol_topology_print(t, stdout, "0000:99:00.0"), -1,
		"unknown device");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_x86_json(void)
{
	struct iol_topology *t;
	struct iol_json j;
	int fin = -1;
	char *s, *g2, *g10;

	LOAD(t, "x86-vtd");
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_NOT_NULL(s, "json");
	TEST_ASSERT_SUCCESS(fin, "JSON not complete");
	TEST_ASSERT_STR_CONTAINS(s, "\"iommu_enabled\": true", "enabled");
	TEST_ASSERT_STR_CONTAINS(s, "\"id\": 10,", "group 10");
	TEST_ASSERT_STR_CONTAINS(s, "\"address\": \"0000:00:02.0\"", "address");
	TEST_ASSERT_STR_CONTAINS(s, "\"vendor\": \"8086\"", "vendor");
	TEST_ASSERT_STR_CONTAINS(s, "\"device_name\": \"82574L Gigabit Network "
		"Connection\"", "name");
	TEST_ASSERT_STR_CONTAINS(s, "\"driver\": \"vfio-pci\"", "driver");
	TEST_ASSERT_STR_CONTAINS(s, "\"start\": \"0xfee00000\",\n", "resv start");
	TEST_ASSERT_STR_CONTAINS(s, "\"end\": \"0xfeefffff\",\n", "resv end");
	TEST_ASSERT_STR_CONTAINS(s, "\"type\": \"direct-relaxable\"", "resv type");
	TEST_ASSERT_STR_CONTAINS(s, "\"address_width\": 48", "dmar1");
	TEST_ASSERT_STR_CONTAINS(s, "\"dma_entry_limit\": 65535", "limit");
	TEST_ASSERT_STR_CONTAINS(s, "\"noiommu_mode\": false", "noiommu");
	TEST_ASSERT_STR_CONTAINS(s, "\"warnings\": []", "no warnings");
	g2 = strstr(s, "\"id\": 2,");
	g10 = strstr(s, "\"id\": 10,");
	TEST_ASSERT(g2 != NULL && g10 != NULL, "groups 2 and 10 in the JSON");
	TEST_ASSERT(g2 < g10, "order");
	free(s);

	/* An unknown device writes nothing and says so. */
	iol_json_init(&j, stdout);
	TEST_ASSERT_FAIL(iol_topology_json(t, &j, "0000:99:00.0"), "unknown dev");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_arm_smmu(void)
{
	const struct iol_iommu_group *g;
	const struct iol_device *d;
	struct iol_topology *t;
	char *s;
	int fin = -1;

	LOAD(t, "arm-smmu");
	TEST_ASSERT_EQUAL(t->n_warnings, 0, "warnings: %s",
		t->n_warnings ? t->warnings[0] : "");
	TEST_ASSERT_EQUAL(t->n_units, 1, "one SMMU");
	TEST_ASSERT(t->units[0].kind == IOL_IOMMU_ARM_SMMU, "SMMU kind");
	TEST_ASSERT_EQUAL(t->units[0].addr_width, 0, "width not exposed");
	g = iol_topology_group(t, 0);
	TEST_ASSERT(g != NULL && g->n_resv == 1, "group 0");
	TEST_ASSERT(g->resv[0].start == 0x8000000 && g->resv[0].end == 0x80fffff &&
		g->resv[0].type == IOL_RESV_MSI, "MSI window");
	d = iol_topology_device(t, "9000000.pl011");
	TEST_ASSERT(d != NULL && !d->is_pci && d->present && d->group == 1,
		"platform device in group 1");
	TEST_ASSERT(strcmp(d->driver, "uart-pl011") == 0, "platform driver");
	d = iol_topology_device(t, "0000:00:01.0");
	TEST_ASSERT(d != NULL && d->numa_node == -1, "no numa_node file: -1");
	s = listing(t, NULL);
	TEST_ASSERT_STR_CONTAINS(s, "\treserved 0x0000000008000000-"
		"0x00000000080fffff msi\n", "listing");
	TEST_ASSERT_STR_CONTAINS(s, "address width unknown (not exposed by sysfs)",
		"width unknown");
	TEST_ASSERT_STR_CONTAINS(s, "\t9000000.pl011 driver=uart-pl011\n", "pl011");
	free(s);
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_SUCCESS(fin, "json");
	TEST_ASSERT_STR_CONTAINS(s, "\"address_width\": null", "null width");
	TEST_ASSERT_STR_CONTAINS(s, "\"kind\": \"arm-smmu\"", "kind");
	free(s);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/*
 * AMD-Vi (QEMU 7.2 amd-iommu under Debian 12's 6.1): features is
 * "EFR2:EFR" there, so the width comes from the second half's HATS (2: six
 * levels, 64 bits); the first half (EFR2, 0) gave 48.
 */
static int
test_amd_vi(void)
{
	struct iol_topology *t;
	char *s;
	int fin = -1;

	LOAD(t, "amd-vi");
	TEST_ASSERT_EQUAL(t->n_warnings, 0, "warnings: %s",
		t->n_warnings ? t->warnings[0] : "");
	TEST_ASSERT_EQUAL(t->n_units, 1, "one AMD-Vi unit");
	TEST_ASSERT(t->units[0].kind == IOL_IOMMU_AMD, "AMD kind");
	TEST_ASSERT_STR_CONTAINS(t->kernel_release, "6.1.0-27-amd64", "release");
	TEST_ASSERT_EQUAL(t->units[0].cap, 0x29d3, "EFR, not EFR2");
	TEST_ASSERT_EQUAL(t->units[0].addr_width, 64, "HATS 2: 6 levels, 64 bits");
	s = listing(t, NULL);
	TEST_ASSERT_STR_CONTAINS(s, "IOMMU ivhd0 (amd-vi): address width 64 bits "
		"(AMD EFR HATS)", "listing");
	TEST_ASSERT_STR_CONTAINS(s, "reserved 0x000000fd00000000-0x000000ffffffffff "
		"reserved", "HT hole listed");
	free(s);
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_SUCCESS(fin, "json");
	TEST_ASSERT_STR_CONTAINS(s, "\"kernel_release\": \"6.1.0-27-amd64\"", "json");
	TEST_ASSERT_STR_CONTAINS(s, "\"address_width\": 64", "json width");
	free(s);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/* arm64 SMMUv3 and virtio-iommu hosts as the lab's guests show them. */
static int
test_other_families(void)
{
	const struct iol_device *d;
	struct iol_topology *t;
	char *s;
	int fin = -1;

	LOAD(t, "arm64-smmuv3");
	TEST_ASSERT_EQUAL(t->n_warnings, 0, "warnings: %s",
		t->n_warnings ? t->warnings[0] : "");
	TEST_ASSERT(t->n_units == 1 && t->units[0].kind == IOL_IOMMU_ARM_SMMU,
		"SMMUv3 by name");
	d = iol_topology_device(t, "0000:00:02.0");
	TEST_ASSERT(d != NULL && d->group == -1 && d->driver[0] == '\0',
		"unbound device without group");
	s = listing(t, NULL);
	TEST_ASSERT_STR_CONTAINS(s, "address width unknown (not exposed by sysfs), "
		"see dmesg 'ias'", "where to find the SMMU's ias");
	TEST_ASSERT_STR_CONTAINS(s, "No IOMMU group (arm64: a PCI device gets one "
		"when a driver binds it, e.g. dpdk-devbind.py -b vfio-pci BDF):\n"
		"\t0000:00:02.0 ", "the unbound device, and why");
	free(s);
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_SUCCESS(fin, "json");
	TEST_ASSERT_STR_CONTAINS(s, "\"width_hint\": \"see dmesg 'ias'\"", "json");
	free(s);
	iol_topology_free(t);

	LOAD(t, "virtio-iommu");
	TEST_ASSERT_EQUAL(t->n_warnings, 0, "warnings: %s",
		t->n_warnings ? t->warnings[0] : "");
	TEST_ASSERT(t->n_units == 1 && t->units[0].kind == IOL_IOMMU_VIRTIO,
		"virtio-iommu unit");
	TEST_ASSERT_EQUAL(t->unsafe_interrupts, 0, "allow_unsafe_interrupts N");
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_SUCCESS(fin, "json");
	TEST_ASSERT_STR_CONTAINS(s, "\"kind\": \"virtio-iommu\"", "json kind");
	TEST_ASSERT_STR_CONTAINS(s, "\"allow_unsafe_interrupts\": false", "json");
	free(s);
	iol_topology_free(t);
	LOAD(t, "virtio-iommu-lab");
	TEST_ASSERT_EQUAL(t->unsafe_interrupts, 1, "allow_unsafe_interrupts Y");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_no_iommu_listing(void)
{
	struct iol_topology *t;
	char *s;
	int fin = -1;

	LOAD(t, "no-iommu");
	TEST_ASSERT_EQUAL(t->n_groups, 0, "no groups");
	TEST_ASSERT(!iol_topology_iommu_enabled(t), "not enabled");
	s = listing(t, NULL);
	TEST_ASSERT_STR_CONTAINS(s, "No IOMMU groups: the IOMMU is not enabled",
		"says so");
	TEST_ASSERT_STR_CONTAINS(s, "No IOMMU group:\n\t0000:00:03.0 Ethernet "
		"controller [0200]: Red Hat, Inc. Virtio 1.0 network device "
		"[1af4:1041] driver=virtio-pci numa=-1\n", "devices still listed");
	TEST_ASSERT_STR_CONTAINS(s, "hugetlbfs: not mounted", "no mount");
	free(s);
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_SUCCESS(fin, "json");
	TEST_ASSERT_STR_CONTAINS(s, "\"iommu_enabled\": false", "json enabled");
	TEST_ASSERT_STR_CONTAINS(s, "\"groups\": []", "json groups");
	TEST_ASSERT_STR_CONTAINS(s, "\"ungrouped_devices\": [", "ungrouped");
	free(s);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_malformed(void)
{
	const struct iol_iommu_group *g;
	const struct iol_device *d;
	struct iol_topology *t;
	char *s;
	int fin = -1;

	LOAD(t, "malformed");
	TEST_ASSERT(has_warning(t, "reserved_regions line 1 is not 'START END "
		"TYPE': 'hello world'"), "garbage line");
	TEST_ASSERT(has_warning(t, "line 3 is not"), "truncated line");
	TEST_ASSERT(has_warning(t, "line 7 is not"), "last line cut");
	TEST_ASSERT(has_warning(t, "line 5 is not"), "start above end");
	TEST_ASSERT(has_warning(t, "type 'weird' unknown"), "unknown type");
	TEST_ASSERT(has_warning(t, "iommu_groups/4/reserved_regions could not be "
		"read: No such file"), "missing file");
	TEST_ASSERT(has_warning(t, "iommu_groups/6/reserved_regions could not be "
		"read: Is a directory"), "unreadable file");
	TEST_ASSERT(has_warning(t, "0000:00:09.0: its sysfs directory"), "gone");
	TEST_ASSERT(has_warning(t, "removed while reading"), "gone wording");
	TEST_ASSERT(has_warning(t, "vendor holds garbage: '0xZZZZ'"), "vendor");
	TEST_ASSERT(has_warning(t, "numa_node holds garbage: 'abc'"), "numa");
	TEST_ASSERT(has_warning(t, "'not-a-group'"), "bad group dir");
	TEST_ASSERT(has_warning(t, "cap holds garbage"), "cap");
	TEST_ASSERT(has_warning(t, "proc/cmdline could not be read"), "cmdline");
	TEST_ASSERT(has_warning(t, "dma_entry_limit holds garbage"), "param");
	TEST_ASSERT(has_warning(t, "free_hugepages holds garbage: 'four'"), "hp");
	TEST_ASSERT(has_warning(t, "truncated line"), "mounts");

	/* What could be read is kept. */
	TEST_ASSERT_EQUAL(t->n_groups, 4, "groups 3 4 5 6");
	g = iol_topology_group(t, 3);
	TEST_ASSERT(g != NULL && g->n_resv == 2, "good lines kept");
	TEST_ASSERT(g->resv[1].start == 0xfee00000 && g->resv[1].type == IOL_RESV_MSI,
		"msi kept");
	TEST_ASSERT(g->resv[0].type == IOL_RESV_UNKNOWN, "unknown kept");
	d = iol_topology_device(t, "0000:00:09.0");
	TEST_ASSERT(d != NULL && !d->present && d->group == 5, "gone device kept");
	d = iol_topology_device(t, "0000:00:06.0");
	TEST_ASSERT(d != NULL && d->present && !d->has_ids, "bad ids");
	TEST_ASSERT(strcmp(d->driver, "vfio-pci") == 0, "driver still read");
	TEST_ASSERT_EQUAL(t->units[0].addr_width, 0, "no width from garbage");
	TEST_ASSERT_EQUAL(t->dma_entry_limit, -1, "limit unknown");
	TEST_ASSERT_EQUAL(t->noiommu_mode, -1, "noiommu unknown");
	TEST_ASSERT_EQUAL(t->n_hugepages, 1, "only the 1G pool is whole");

	s = listing(t, NULL);
	TEST_ASSERT_STR_CONTAINS(s, "\t0000:00:09.0 (gone: its sysfs directory "
		"could not be read)\n", "gone in listing");
	TEST_ASSERT_STR_CONTAINS(s, "\t0000:00:06.0 (ids unreadable) driver=vfio-pci",
		"partial device");
	TEST_ASSERT_STR_CONTAINS(s, "kernel options: (unreadable)", "cmdline");
	free(s);
	s = json_text(t, NULL, &fin);
	TEST_ASSERT_SUCCESS(fin, "json of malformed");
	TEST_ASSERT_STR_CONTAINS(s, "\"present\": false", "gone in json");
	TEST_ASSERT_STR_CONTAINS(s, "hello world", "warnings in json");
	free(s);
	iol_topology_free(t);

	/* A root that is not there at all. */
	t = test_fixture_topology("no-such-root");
	TEST_ASSERT_NOT_NULL(t, "missing root");
	TEST_ASSERT(has_warning(t, "is not a readable directory"), "root warning");
	TEST_ASSERT(has_warning(t, "PCI devices"), "bus warning");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_two_roots_at_once(void)
{
	struct iol_topology *a, *b;

	LOAD(a, "x86-vtd");
	LOAD(b, "arm-smmu");
	TEST_ASSERT_EQUAL(a->n_groups, 4, "x86 untouched");
	TEST_ASSERT_EQUAL(b->n_groups, 2, "arm");
	TEST_ASSERT(iol_topology_device(a, "9000000.pl011") == NULL, "no mixing");
	iol_topology_free(a);
	iol_topology_free(b);
	iol_topology_free(NULL);
	return TEST_SUCCESS;
}

/* mkdir -p of the directory part of @p path. */
static int
mkparents(char *path)
{
	char *slash;

	for (slash = strchr(path + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	return 0;
}

/* Write @p text to @p root/@p rel, making the directories. */
static int
put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkparents(path) < 0)
		return -1;
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	ret = fputs(text, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A scratch root for trees git cannot hold (FIFOs) or one-line ones. */
static int
tmp_root(char *buf, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, size, "%s/iol-iommu-XXXXXX", tmp != NULL ? tmp : "/tmp");
	return mkdtemp(buf) != NULL ? 0 : -1;
}

static void
rm_root(const char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A host whose only content is /proc/cmdline holding @p cmdline. */
static struct iol_topology *
cmdline_host(const char *cmdline)
{
	struct iol_topology *t = NULL;
	char root[PATH_MAX];

	if (tmp_root(root, sizeof(root)) < 0)
		return NULL;
	if (put(root, "proc/cmdline", cmdline) == 0)
		t = iol_topology_read(root);
	rm_root(root);
	return t;
}

/*
 * AMD-Vi's features file by kernel: "EFR" (to 5.19), "EFR2:EFR" (6.0 to
 * 6.6), "EFR:EFR2" (6.7 on); without a release the non-zero half is EFR,
 * and two non-zero halves leave the width unknown with a warning.
 */
static int
test_amd_features_order(void)
{
	static const struct {
		const char *release, *features;
		unsigned int width;
		uint64_t efr;
	} cases[] = {
		{ "6.1.0-27-amd64\n", "0:29d3\n", 64, 0x29d3 },
		{ "6.6.30\n", "0:1d3\n", 48, 0x1d3 },
		{ "6.7.0\n", "29d3:0\n", 64, 0x29d3 },
		{ "6.12.43+deb13-amd64\n", "25d3:1\n", 57, 0x25d3 },
		{ "5.10.0-30-amd64\n", "29d3\n", 64, 0x29d3 },
		{ NULL, "0:29d3\n", 64, 0x29d3 },
		{ NULL, "29d3:1\n", 0, 0 },
	};
	struct iol_topology *t;
	char root[PATH_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TEST_ASSERT_SUCCESS(tmp_root(root, sizeof(root)), "scratch root");
		TEST_ASSERT_SUCCESS(put(root, "sys/class/iommu/ivhd0/amd-iommu/features",
			cases[i].features), "features");
		if (cases[i].release != NULL)
			TEST_ASSERT_SUCCESS(put(root, "proc/sys/kernel/osrelease",
				cases[i].release), "osrelease");
		t = iol_topology_read(root);
		rm_root(root);
		TEST_ASSERT_NOT_NULL(t, "snapshot");
		TEST_ASSERT(t->n_units == 1 && t->units[0].kind == IOL_IOMMU_AMD,
			"case %u: AMD unit", i);
		TEST_ASSERT_EQUAL(t->units[0].addr_width, cases[i].width,
			"case %u (%s): width", i, cases[i].features);
		if (cases[i].width != 0)
			TEST_ASSERT_EQUAL(t->units[0].cap, cases[i].efr, "case %u: EFR", i);
		else
			TEST_ASSERT(has_warning(t, "the kernel release is unknown"),
				"case %u: ambiguous halves warned about", i);
		iol_topology_free(t);
	}
	return TEST_SUCCESS;
}

/*
 * No control character may reach a terminal from the snapshot: C0, DEL,
 * C1 as the code points U+0080-U+009F (0xc2 0x80-0x9f) and as raw bytes
 * 0x80-0x9f that continue no UTF-8 sequence. With @p layout, the tabs and
 * newlines of a listing are allowed.
 */
static bool
has_control(const char *s, bool layout)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int cont = 0;

	for (; u != NULL && *u != '\0'; u++) {
		if (layout && (*u == '\n' || *u == '\t'))
			continue;
		if (*u < 0x20 || *u == 0x7f)
			return true;
		if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			return true;
		if (cont > 0 && *u >= 0x80 && *u <= 0xbf) {
			cont--;
			continue;
		}
		cont = *u >= 0xf0 ? 3 : *u >= 0xe0 ? 2 : *u >= 0xc0 ? 1 : 0;
		if (*u >= 0x80 && *u <= 0x9f)
			return true;
	}
	return false;
}

static bool
has_cmdline_opt(const struct iol_topology *t, const char *opt)
{
	unsigned int i;

	for (i = 0; i < t->n_cmdline_opts; i++)
		if (strcmp(t->cmdline_opts[i], opt) == 0)
			return true;
	return false;
}

static int
test_hostile(void)
{
	const struct iol_iommu_group *g;
	const struct iol_device *d;
	struct iol_topology *t;
	unsigned int i;
	char *s;

	LOAD(t, "hostile");
	/* "02" and "+2" are not group 2 again. */
	TEST_ASSERT_EQUAL(t->n_groups, 1, "only the canonical group 2");
	TEST_ASSERT(has_warning(t, "'02' in"), "02 warned");
	TEST_ASSERT(has_warning(t, "'+2' in"), "+2 warned");
	g = iol_topology_group(t, 2);
	TEST_ASSERT_NOT_NULL(g, "group 2");
	TEST_ASSERT_EQUAL(g->n_devs, 1, "its device");
	/* Line 2 is blank and still counted. */
	TEST_ASSERT(has_warning(t, "reserved_regions line 3 is not 'START END "
		"TYPE': '?]0;owned? bad'"), "line 3, escapes as '?'");
	TEST_ASSERT_EQUAL(g->n_resv, 2, "good lines kept");
	/* UTF-8 kept, the C1 control (U+009B, CSI) is not. */
	TEST_ASSERT(strcmp(g->resv[0].type_name, "caf\xc3\xa9??1m") == 0,
		"type_name '%s'", g->resv[0].type_name);
	TEST_ASSERT(strcmp(g->type, "DMA?[31m") == 0, "type '%s'", g->type);
	/* A raw 0x9b (CSI on an 8-bit terminal), outside UTF-8, is escaped. */
	TEST_ASSERT(has_warning(t, "reserved_regions line 6 is not 'START END "
		"TYPE': '?[5m raw C1'"), "raw C1 byte as '?'");
	TEST_ASSERT(has_cmdline_opt(t, "iommu.strict=1?[2J"),
		"raw C1 byte in /proc/cmdline as '?'");
	/* 0x80 and 0x9c inside valid UTF-8 (U+201C, U+201D) are no C1. */
	TEST_ASSERT(has_cmdline_opt(t, "vfio.note=\xe2\x80\x9cq\xe2\x80\x9d"),
		"UTF-8 quotes kept");

	/* pci.ids lines too short for a name give none, never leftovers. */
	d = iol_topology_device(t, "0000:00:02.0");
	TEST_ASSERT_NOT_NULL(d, "device");
	TEST_ASSERT(d->has_ids && d->device == 0x0001, "ids");
	TEST_ASSERT(d->device_name == NULL, "device name '%s'", d->device_name);
	TEST_ASSERT(d->class_name == NULL, "class name '%s'", d->class_name);
	TEST_ASSERT(d->vendor_name != NULL &&
		strcmp(d->vendor_name, "Evil?[2J Corp") == 0, "vendor name");

	for (i = 0; i < t->n_warnings; i++)
		TEST_ASSERT(!has_control(t->warnings[i], false), "warning %u", i);
	for (i = 0; i < t->n_cmdline_opts; i++)
		TEST_ASSERT(!has_control(t->cmdline_opts[i], false), "cmdline %u", i);
	s = listing(t, NULL);
	TEST_ASSERT_NOT_NULL(s, "listing");
	TEST_ASSERT(strchr(s, '\033') == NULL && strchr(s, '\007') == NULL,
		"no escape in the listing");
	TEST_ASSERT(!has_control(s, true), "no control character in the listing");
	free(s);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_long_root(void)
{
	struct iol_topology *t;
	char root[600];

	/* Cut to 255 bytes it could name another, real directory. */
	memset(root, 'a', sizeof(root) - 1);
	root[0] = '/';
	root[sizeof(root) - 1] = '\0';
	t = iol_topology_read(root);
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	TEST_ASSERT_EQUAL(t->n_warnings, 1, "only the root warning");
	TEST_ASSERT_STR_CONTAINS(t->warnings[0], "root directory name too long",
		"says why");
	TEST_ASSERT(t->n_devs == 0 && t->n_groups == 0 && !t->cmdline_read,
		"nothing read");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_fifo(void)
{
	struct iol_topology *t;
	char root[PATH_MAX], path[PATH_MAX + 32];

	TEST_ASSERT_SUCCESS(tmp_root(root, sizeof(root)), "temp root");
	TEST_ASSERT_SUCCESS(put(root, "proc/meminfo", "Hugepagesize: 2048 kB\n"),
		"proc");
	TEST_ASSERT_SUCCESS(put(root, "usr/share/misc/.keep", ""), "usr");
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	TEST_ASSERT_SUCCESS(mkfifo(path, 0600), "mkfifo cmdline");
	snprintf(path, sizeof(path), "%s/usr/share/misc/pci.ids", root);
	TEST_ASSERT_SUCCESS(mkfifo(path, 0600), "mkfifo pci.ids");
	/* Blocking opens would hang here; a hang becomes a kill. */
	alarm(10);
	t = iol_topology_read(root);
	alarm(0);
	rm_root(root);
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	TEST_ASSERT(has_warning(t, "proc/cmdline could not be read: not a "
		"regular file"), "cmdline FIFO skipped");
	TEST_ASSERT(has_warning(t, "pci.ids could not be read: not a regular "
		"file"), "pci.ids FIFO skipped");
	TEST_ASSERT(!t->cmdline_read, "nothing read from the FIFO");
	TEST_ASSERT_EQUAL(t->default_hugepage_size, 2 * MIB, "the rest read");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/* Two PCI devices (8086:10d3, 1af4:1000) under a scratch root. */
static int
two_devices(const char *root)
{
	static const char *const files[][2] = {
		{ "sys/bus/pci/devices/0000:00:02.0/vendor", "0x8086\n" },
		{ "sys/bus/pci/devices/0000:00:02.0/device", "0x10d3\n" },
		{ "sys/bus/pci/devices/0000:00:02.0/class", "0x020000\n" },
		{ "sys/bus/pci/devices/0000:00:03.0/vendor", "0x1af4\n" },
		{ "sys/bus/pci/devices/0000:00:03.0/device", "0x1000\n" },
		{ "sys/bus/pci/devices/0000:00:03.0/class", "0x020000\n" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (put(root, files[i][0], files[i][1]) < 0)
			return -1;
	return 0;
}

/*
 * A 4 GiB pci.ids (sparse: NULs but for a first and a last entry) is read
 * up to its cap only: one warning, the first vendor named, the one past
 * the cap not.
 */
static int
test_pci_ids_cap(void)
{
	static const char head[] = "8086  Intel Corporation\n"
		"\t10d3  82574L Gigabit Network Connection\n";
	static const char tail[] = "\n1af4  Red Hat, Inc.\n";
	const struct iol_device *d;
	struct iol_topology *t;
	char root[PATH_MAX], path[PATH_MAX + 32];
	unsigned int i, n = 0;
	int fd;

	TEST_ASSERT_SUCCESS(tmp_root(root, sizeof(root)), "temp root");
	TEST_ASSERT_SUCCESS(two_devices(root), "devices");
	TEST_ASSERT_SUCCESS(put(root, "usr/share/misc/pci.ids", head), "pci.ids");
	snprintf(path, sizeof(path), "%s/usr/share/misc/pci.ids", root);
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0, "open %s", path);
	TEST_ASSERT(pwrite(fd, tail, sizeof(tail) - 1, 4 * GIB) ==
		(ssize_t)sizeof(tail) - 1, "write past 4 GiB");
	close(fd);
	t = iol_topology_read(root);
	rm_root(root);
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	for (i = 0; i < t->n_warnings; i++)
		n += strstr(t->warnings[i], "pci.ids") != NULL;
	TEST_ASSERT_EQUAL(n, 1, "one pci.ids warning");
	TEST_ASSERT(has_warning(t, "usr/share/misc/pci.ids is larger than 8 MiB"),
		"warning names the file and the cap");
	d = iol_topology_device(t, "0000:00:02.0");
	TEST_ASSERT(d != NULL && d->vendor_name != NULL &&
		strcmp(d->device_name, "82574L Gigabit Network Connection") == 0,
		"names within the cap found");
	d = iol_topology_device(t, "0000:00:03.0");
	TEST_ASSERT(d != NULL && d->has_ids && d->vendor_name == NULL,
		"the name past the cap not found");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/* A noiommu group without its /dev/vfio/noiommu-N node (no udev). */
static struct iol_topology *
noiommu_no_node(void)
{
	struct iol_topology *t = NULL;
	char root[PATH_MAX];

	if (tmp_root(root, sizeof(root)) < 0)
		return NULL;
	if (put(root, "sys/kernel/iommu_groups/0/name", "vfio-noiommu\n") == 0 &&
	    put(root, "sys/kernel/iommu_groups/0/reserved_regions", "") == 0 &&
	    put(root, "sys/kernel/iommu_groups/0/devices/.keep", "") == 0 &&
	    put(root, "sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
		"Y\n") == 0)
		t = iol_topology_read(root);
	rm_root(root);
	return t;
}

static int
test_noiommu_by_name(void)
{
	const struct iol_iommu_group *g;
	struct iol_topology *t = noiommu_no_node();

	TEST_ASSERT_NOT_NULL(t, "snapshot");
	g = iol_topology_group(t, 0);
	TEST_ASSERT_NOT_NULL(g, "group 0");
	TEST_ASSERT(g->noiommu, "named vfio-noiommu");
	TEST_ASSERT(!iol_topology_iommu_enabled(t), "no IOMMU");
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/* The one parser of PCI addresses, for iovaloop -a and iovaloop-info. */
static int
test_pci_addr_canon(void)
{
	static const char *const good[][2] = {
		{ "0000:00:03.0", "0000:00:03.0" },
		{ "00:03.0", "0000:00:03.0" },
		{ "0000:0A:1F.7", "0000:0a:1f.7" },
		{ "ffff:ff:1f.7", "ffff:ff:1f.7" },
		{ "3a:00.1", "0000:3a:00.1" },
	};
	static const char *const bad[] = {
		"", "0000:00:3.0", "00:03.0,x",
		"0000:00:03.0.", " 00:03.0", "1:00:03.0", "0000-00:03.0",
		"0000:00:03:0", "g0:03.0", "00000:00:03.0", "net_ring0",
	};
	char out[IOL_PCI_ADDR_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		TEST_ASSERT_SUCCESS(iol_pci_addr_canon(good[i][0], out),
			"'%s' accepted", good[i][0]);
		TEST_ASSERT(strcmp(out, good[i][1]) == 0, "'%s' is '%s', not '%s'",
			good[i][0], out, good[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TEST_ASSERT(iol_pci_addr_canon(bad[i], out) < 0, "'%s' refused",
			bad[i]);
	return TEST_SUCCESS;
}

static struct unit_test_suite iommu_suite = {
	.suite_name = "iommu topology",
	.unit_test_cases = {
		TEST_CASE(test_x86_topology),
		TEST_CASE(test_x86_listing),
		TEST_CASE(test_x86_json),
		TEST_CASE(test_arm_smmu),
		TEST_CASE(test_amd_vi),
		TEST_CASE(test_amd_features_order),
		TEST_CASE(test_other_families),
		TEST_CASE(test_no_iommu_listing),
		TEST_CASE(test_malformed),
		TEST_CASE(test_two_roots_at_once),
		TEST_CASE(test_hostile),
		TEST_CASE(test_long_root),
		TEST_CASE(test_fifo),
		TEST_CASE(test_pci_ids_cap),
		TEST_CASE(test_pci_addr_canon),
		TEST_CASE(test_noiommu_by_name),
		TEST_CASES_END()
	}
};

static int
iommu_autotest(void)
{
	return unit_test_suite_runner(&iommu_suite);
}

REGISTER_TEST_COMMAND(iommu_autotest, iommu_autotest);

static int
test_doctor_all_pass(void)
{
	static const char *const devs[] = { "0000:00:02.0" };
	static const struct iol_iova_range iova[] = {
		{ 0x100000000, 0x13fffffff },
	};
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	LOAD(t, "x86-vtd");
	plan_init(&p, devs, 1);
	p.iova = iova;
	p.n_iova = 1;
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "iommu", NULL, IOL_PASS, "IOMMU enabled: 2 instance", "");
	ASSERT_CHECK(rep, "noiommu", NULL, IOL_PASS, "noiommu mode off", "");
	ASSERT_CHECK(rep, "vfio-modules", NULL, IOL_PASS, "vfio_pci loaded", "");
	ASSERT_CHECK(rep, "memlock", NULL, IOL_PASS, "covers", "");
	ASSERT_CHECK(rep, "dma-entry-limit", NULL, IOL_PASS, "65535 covers", "");
	ASSERT_CHECK(rep, "hugetlbfs", NULL, IOL_PASS, "/dev/hugepages", "");
	ASSERT_CHECK(rep, "device", "0000:00:02.0", IOL_PASS, "[8086:10d3]", "");
	ASSERT_CHECK(rep, "driver", "0000:00:02.0", IOL_PASS, "vfio-pci", "");
	ASSERT_CHECK(rep, "group-viable", "0000:00:02.0", IOL_PASS,
		"group 2 viable", "");
	ASSERT_CHECK(rep, "vfio-node", "0000:00:02.0", IOL_PASS,
		"/dev/vfio/2 usable", "");
	ASSERT_CHECK(rep, "hugepages", "node0", IOL_PASS,
		"500 free 2MB hugepages on node 0 (need 256)", "");
	ASSERT_CHECK(rep, "iova-width", "0x100000000-0x13fffffff", IOL_PASS,
		"39-bit address width of dmar0", "");
	ASSERT_CHECK(rep, "iova-reserved", "0x100000000-0x13fffffff", IOL_PASS,
		"clear of the 2 reserved region(s)", "");
	TEST_ASSERT_EQUAL(rep->n_fail, 0, "no FAIL");
	TEST_ASSERT_EQUAL(rep->n_warn, 0, "no WARN");
	ASSERT_CHECK(rep, "unsafe-interrupts", NULL, IOL_PASS,
		"allow_unsafe_interrupts off", "");
	TEST_ASSERT_EQUAL(rep->n_checks, 14, "every check ran");
	iol_doctor_report_free(rep);

	/* CAP_IPC_LOCK and unlimited both make memlock moot. */
	p.pin_bytes = 64 * GIB;
	p.cap_ipc_lock = true;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "memlock", NULL, IOL_PASS, "CAP_IPC_LOCK", "");
	iol_doctor_report_free(rep);
	p.cap_ipc_lock = false;
	p.memlock_limit = UINT64_MAX;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "memlock", NULL, IOL_PASS, "unlimited", "");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_x86_fails(void)
{
	static const char *const devs[] = {
		"0000:00:03.0", "0000:00:0a.0", "0000:00:1f.0",
	};
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;
	char *s;
	int fin = -1;

	LOAD(t, "x86-vtd");
	plan_init(&p, devs, 3);
	p.memlock_limit = 64 * 1024;
	p.pin_bytes = 1 * GIB;
	p.mappings = 100000;
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "memlock", NULL, IOL_FAIL,
		"memlock limit 65536 bytes is below the 1073741824 bytes",
		"ulimit -l 1048576");
	ASSERT_CHECK(rep, "dma-entry-limit", NULL, IOL_FAIL,
		"dma_entry_limit 65535 is below the 100000 mappings",
		"echo 100000 > /sys/module/vfio_iommu_type1/parameters/dma_entry_limit");
	ASSERT_CHECK(rep, "driver", "0000:00:03.0", IOL_FAIL,
		"0000:00:03.0 bound to e1000e, not vfio-pci",
		"dpdk-devbind.py -b vfio-pci 0000:00:03.0");
	ASSERT_CHECK(rep, "group-viable", "0000:00:03.0", IOL_PASS,
		"group 12 viable", "");
	ASSERT_CHECK(rep, "vfio-node", "0000:00:03.0", IOL_FAIL,
		"/dev/vfio/12 absent", "dpdk-devbind.py -b vfio-pci 0000:00:03.0");
	ASSERT_CHECK(rep, "device", "0000:00:1f.0", IOL_FAIL,
		"no device 0000:00:1f.0", "lspci -D");
	ASSERT_CHECK(rep, "hugepages", "node0", IOL_PASS, "on node 0", "");
	ASSERT_CHECK(rep, "hugepages", "node1", IOL_FAIL,
		"no free 2MB hugepages on node 1: 0 free of 512, need 256",
		"echo 768 > /sys/devices/system/node/node1/hugepages/"
		"hugepages-2048kB/nr_hugepages");
	/* -r is the total to reserve: 768 pages of 2M. */
	TEST_ASSERT_STR_CONTAINS(check(rep, "hugepages", "node1")->fix,
		"dpdk-hugepages.py --node 1 -p 2M -r 1536M", "script");
	TEST_ASSERT(check(rep, "driver", "0000:00:1f.0") == NULL,
		"no further checks for a missing device");
	TEST_ASSERT_EQUAL(rep->n_fail, 6, "FAILs");

	s = report_text(rep);
	TEST_ASSERT_STR_CONTAINS(s, "FAIL  0000:00:03.0 bound to e1000e, not "
		"vfio-pci; fix: dpdk-devbind.py -b vfio-pci 0000:00:03.0\n", "text");
	TEST_ASSERT_STR_CONTAINS(s, "PASS  group 12 viable", "pass line");
	TEST_ASSERT_STR_CONTAINS(s, "FAIL, ", "summary");
	free(s);
	s = json_text(NULL, rep, &fin);
	TEST_ASSERT_SUCCESS(fin, "report json");
	TEST_ASSERT_STR_CONTAINS(s, "\"name\": \"driver\",\n      \"subject\": "
		"\"0000:00:03.0\",\n      \"verdict\": \"FAIL\"", "json check");
	TEST_ASSERT_STR_CONTAINS(s, "\"fail\": 6", "json fail count");
	TEST_ASSERT_STR_CONTAINS(s, "\"fix\": null", "PASS has null fix");
	free(s);
	iol_doctor_report_free(rep);

	/* A page size with neither pool nor mount. */
	plan_init(&p, devs, 1);
	p.hugepage_size = 1 * GIB;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "hugetlbfs", NULL, IOL_WARN,
		"no hugetlbfs mount for 1GB pages", "mount -t hugetlbfs -o pagesize=1G");
	ASSERT_CHECK(rep, "hugepages", "node0", IOL_FAIL, "no 1GB hugepages",
		"hugepagesz=1G hugepages=1");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_iova(void)
{
	static const char *const d39[] = { "0000:00:02.0" };
	static const char *const d48[] = { "0000:00:0a.0" };
	static const struct iol_iova_range msi = { 0xfe000000, 0xfeffffff };
	static const struct iol_iova_range high = { 0x8000000000, 0x80ffffffff };
	static const struct iol_iova_range low = { 0x0, 0xfffff };
	struct iol_doctor_report *rep;
	struct iol_topology *t;

	LOAD(t, "x86-vtd");
	rep = iol_doctor_check_iova(t, d39, 1, &msi, 1);
	TEST_ASSERT_NOT_NULL(rep, "report");
	TEST_ASSERT_EQUAL(rep->n_checks, 2, "width and reserved");
	ASSERT_CHECK(rep, "iova-reserved", "0xfe000000-0xfeffffff", IOL_FAIL,
		"overlaps msi region 0xfee00000-0xfeefffff of group 2 (the MSI window)",
		"e.g. to 0x100000000-0x100ffffff");
	ASSERT_CHECK(rep, "iova-width", "0xfe000000-0xfeffffff", IOL_PASS,
		"39-bit", "");
	iol_doctor_report_free(rep);

	/* Beyond 39 bits: FAIL for the device behind dmar0 only. */
	rep = iol_doctor_check_iova(t, d39, 1, &high, 1);
	ASSERT_CHECK(rep, "iova-width", "0x8000000000-0x80ffffffff", IOL_FAIL,
		"beyond the 39-bit address width of dmar0 (last IOVA 0x7fffffffff)",
		"below 0x8000000000");
	iol_doctor_report_free(rep);
	rep = iol_doctor_check_iova(t, d48, 1, &high, 1);
	ASSERT_CHECK(rep, "iova-width", "0x8000000000-0x80ffffffff", IOL_PASS,
		"48-bit address width of dmar1", "");
	iol_doctor_report_free(rep);
	/* No device: every IOMMU counts, the narrowest wins. */
	rep = iol_doctor_check_iova(t, NULL, 0, &high, 1);
	ASSERT_CHECK(rep, "iova-width", "0x8000000000-0x80ffffffff", IOL_FAIL,
		"39-bit", "aw-bits=48");
	iol_doctor_report_free(rep);

	/* direct-relaxable: VFIO maps it, so WARN, and only for group 2. */
	rep = iol_doctor_check_iova(t, d39, 1, &low, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0x0-0xfffff", IOL_WARN,
		"direct-relaxable region 0x0-0xffffff of group 2",
		"e.g. to 0x1000000-0x10fffff");
	iol_doctor_report_free(rep);
	rep = iol_doctor_check_iova(t, d48, 1, &low, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0x0-0xfffff", IOL_PASS, "clear", "");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	/* ARM: the MSI window at 0x8000000; the SMMU's width is unknown. */
	LOAD(t, "arm-smmu");
	{
		static const char *const arm[] = { "0000:00:01.0" };
		static const struct iol_iova_range r = { 0x8000000, 0x9ffffff };

		rep = iol_doctor_check_iova(t, arm, 1, &r, 1);
		ASSERT_CHECK(rep, "iova-reserved", "0x8000000-0x9ffffff", IOL_FAIL,
			"msi region 0x8000000-0x80fffff of group 0 (the MSI window)",
			"move the range");
		ASSERT_CHECK(rep, "iova-width", "0x8000000-0x9ffffff", IOL_WARN,
			"sysfs does not expose the width", "0x8000000000");
		iol_doctor_report_free(rep);
	}
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_no_iommu(void)
{
	static const char *const devs[] = { "0000:00:03.0" };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	LOAD(t, "no-iommu");
	plan_init(&p, devs, 1);
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "IOMMU not enabled",
		"on Intel add intel_iommu=on to the kernel command line");
	/* amd_iommu=on is no kernel option: AMD-Vi is on by default. */
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "", "AMD-Vi by default");
	TEST_ASSERT(strstr(check(rep, "iommu", NULL)->fix, "amd_iommu=on") == NULL,
		"no amd_iommu=on");
	ASSERT_CHECK(rep, "noiommu", NULL, IOL_PASS, "noiommu mode off", "");
	ASSERT_CHECK(rep, "driver", "0000:00:03.0", IOL_FAIL, "virtio-pci",
		"dpdk-devbind.py -b vfio-pci 0000:00:03.0");
	ASSERT_CHECK(rep, "group-viable", "0000:00:03.0", IOL_FAIL,
		"the IOMMU is not enabled", "enable the IOMMU");
	ASSERT_CHECK(rep, "hugetlbfs", NULL, IOL_WARN, "no hugetlbfs mount",
		"mount -t hugetlbfs");
	ASSERT_CHECK(rep, "hugepages", "host", IOL_FAIL,
		"no free 2MB hugepages on the host",
		"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
	/* Host-wide: no --node; 256 pages of 2M to reserve in all. */
	ASSERT_CHECK(rep, "hugepages", "host", IOL_FAIL, "",
		"dpdk-hugepages.py -p 2M -r 512M");
	TEST_ASSERT(check(rep, "vfio-node", "0000:00:03.0") == NULL,
		"no node check without a group");
	iol_doctor_report_free(rep);

	/* Allowing noiommu does not help while vfio has it off. */
	p.allow_noiommu = true;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "noiommu", NULL, IOL_FAIL,
		"enable_unsafe_noiommu_mode is off",
		"modprobe vfio enable_unsafe_noiommu_mode=1");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_noiommu_mode(void)
{
	static const char *const devs[] = { "0000:00:03.0" };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	LOAD(t, "noiommu-mode");
	TEST_ASSERT_NOT_NULL(iol_topology_group(t, 0), "group 0");
	TEST_ASSERT(iol_topology_group(t, 0)->noiommu, "noiommu group");
	plan_init(&p, devs, 1);
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "noiommu", NULL, IOL_FAIL, "unsafe noiommu mode is on",
		"pass --allow-noiommu");
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "IOMMU not enabled",
		"intel_iommu=on");
	iol_doctor_report_free(rep);

	p.allow_noiommu = true;
	p.hugepage_bytes = 16 * MIB;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "noiommu", NULL, IOL_WARN, "on and allowed",
		"enable the IOMMU");
	ASSERT_CHECK(rep, "iommu", NULL, IOL_WARN, "noiommu mode as allowed",
		"intel_iommu=on");
	ASSERT_CHECK(rep, "group-viable", "0000:00:03.0", IOL_PASS, "group 0", "");
	ASSERT_CHECK(rep, "vfio-node", "0000:00:03.0", IOL_PASS,
		"/dev/vfio/noiommu-0 usable", "");
	TEST_ASSERT_EQUAL(rep->n_fail, 0, "runs when allowed");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_nonviable(void)
{
	static const char *const devs[] = { "0000:00:03.0" };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;
	const struct iol_check *c;
	char *s;

	LOAD(t, "nonviable");
	plan_init(&p, devs, 1);
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "driver", "0000:00:03.0", IOL_PASS, "vfio-pci", "");
	ASSERT_CHECK(rep, "group-viable", "0000:00:03.0", IOL_FAIL,
		"group 12 not viable: 0000:00:03.0 (vfio-pci) shares it with "
		"0000:00:04.0 bound to e1000e",
		"dpdk-devbind.py -b vfio-pci 0000:00:04.0 (or unbind it: "
		"dpdk-devbind.py -u 0000:00:04.0)");
	c = check(rep, "group-viable", "0000:00:03.0");
	TEST_ASSERT(strstr(c->message, "0000:00:05.0") == NULL, "unbound is fine");
	TEST_ASSERT(strstr(c->message, "0000:00:1c.0") == NULL, "pcieport is fine");
	TEST_ASSERT_STR_CONTAINS(c->message, "VFIO group is not viable!",
		"names DPDK's message");
	s = report_text(rep);
	TEST_ASSERT_STR_CONTAINS(s, "FAIL  group 12 not viable: 0000:00:03.0 "
		"(vfio-pci) shares it with 0000:00:04.0 bound to e1000e", "line");
	free(s);
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_malformed(void)
{
	static const char *const devs[] = {
		"0000:00:02.0", "0000:00:06.0", "0000:00:09.0",
	};
	static const struct iol_iova_range r = { 0xfee00000, 0xfee00fff };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	LOAD(t, "malformed");
	plan_init(&p, devs, 3);
	p.iova = &r;
	p.n_iova = 1;
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "device", "0000:00:09.0", IOL_FAIL,
		"removed while reading", "lspci -D -s 0000:00:09.0");
	ASSERT_CHECK(rep, "vfio-modules", NULL, IOL_FAIL, "vfio_pci",
		"modprobe vfio-pci");
	ASSERT_CHECK(rep, "driver", "0000:00:06.0", IOL_PASS, "vfio-pci", "");
	ASSERT_CHECK(rep, "iova-width", "0xfee00000-0xfee00fff", IOL_WARN,
		"not checked", "below");
	ASSERT_CHECK(rep, "iova-reserved", "0xfee00000-0xfee00fff", IOL_FAIL,
		"MSI window", "move the range");
	/* An unknown limit is VFIO's default. */
	ASSERT_CHECK(rep, "dma-entry-limit", NULL, IOL_PASS, "default", "");
	iol_doctor_report_free(rep);
	p.mappings = 70000;
	rep = iol_doctor_run(t, &p);
	/* Loaded but unreadable: modprobe would do nothing. */
	ASSERT_CHECK(rep, "dma-entry-limit", NULL, IOL_WARN,
		"vfio_iommu_type1 is loaded but its dma_entry_limit could not be read",
		"echo 70000 > /sys/module/vfio_iommu_type1/parameters/dma_entry_limit");
	TEST_ASSERT_STR_CONTAINS(check(rep, "dma-entry-limit", NULL)->fix,
		"options vfio_iommu_type1 dma_entry_limit=70000", "lasting");
	/* Ids unreadable: no "[0000:0000]" PASS. */
	ASSERT_CHECK(rep, "device", "0000:00:06.0", IOL_WARN,
		"could not be read", "lspci");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_overflow(void)
{
	static const char *const devs[] = { "0000:00:02.0" };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	LOAD(t, "x86-vtd");
	plan_init(&p, devs, 1);
	/* (x + d - 1) / d wrapped to 0 pages: "PASS ... (need 0)". */
	p.pin_bytes = UINT64_MAX;
	p.hugepage_bytes = UINT64_MAX;
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "hugepages", "node0", IOL_FAIL,
		"8796093022208 2MB hugepages needed", "pin less");
	ASSERT_CHECK(rep, "memlock", NULL, IOL_FAIL, "below",
		"ulimit -l 18014398509481984 ");
	iol_doctor_report_free(rep);
	/* Just one byte over a page: two pages. */
	p.hugepage_bytes = 2 * MIB + 1;
	p.pin_bytes = 1025;
	p.memlock_limit = 1024;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "hugepages", "node0", IOL_PASS, "(need 2)", "");
	ASSERT_CHECK(rep, "memlock", NULL, IOL_FAIL, "below", "ulimit -l 2 ");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_cmdline_off(void)
{
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	plan_init(&p, NULL, 0);
	t = cmdline_host("BOOT_IMAGE=/vmlinuz intel_iommu=off iommu=off quiet\n");
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL,
		"the kernel command line has intel_iommu=off and iommu=off",
		"remove intel_iommu=off and iommu=off from the kernel command line");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	t = cmdline_host("amd_iommu=off\n");
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "has amd_iommu=off",
		"remove amd_iommu=off");
	TEST_ASSERT(strstr(check(rep, "iommu", NULL)->fix, "amd_iommu=on") == NULL,
		"amd_iommu=on is no option");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	/* On with sub-options: the firmware is the cause. */
	t = cmdline_host("intel_iommu=on,sm_on\n");
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "intel_iommu=on",
		"enable VT-d (IOMMU) in the firmware setup");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	/* igfx_off turns off the graphics IOMMU only. */
	t = cmdline_host("intel_iommu=igfx_off\n");
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "no /sys/class/iommu entry",
		"on Intel add intel_iommu=on");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_noiommu_no_node(void)
{
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t = noiommu_no_node();

	TEST_ASSERT_NOT_NULL(t, "snapshot");
	plan_init(&p, NULL, 0);
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	/* Was "PASS IOMMU enabled: 0 instance(s), 1 group(s)". */
	ASSERT_CHECK(rep, "iommu", NULL, IOL_FAIL, "IOMMU not enabled",
		"intel_iommu=on");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static int
test_doctor_dma_limit_not_loaded(void)
{
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	t = cmdline_host("quiet\n");
	TEST_ASSERT_NOT_NULL(t, "snapshot");
	TEST_ASSERT(!t->mod_vfio_type1, "not loaded");
	plan_init(&p, NULL, 0);
	p.mappings = 70000;
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "dma-entry-limit", NULL, IOL_WARN,
		"vfio_iommu_type1 not loaded",
		"modprobe vfio_iommu_type1 dma_entry_limit=70000");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/*
 * A NIC that carries this machine's traffic (virtio-net eth0, up, with
 * IPv4 and IPv6 routes) gets no bind command; one whose interface has
 * only link-local, multicast and 169.254 routes still does.
 */
static int
test_doctor_active_nic(void)
{
	static const char *const devs[] = {
		"0000:00:03.0", "0000:00:04.0", "0000:00:05.0",
	};
	const struct iol_device *dev;
	struct iol_doctor_plan p;
	struct iol_doctor_report *rep;
	struct iol_topology *t;
	const struct iol_check *c;

	LOAD(t, "active-nic");
	dev = iol_topology_device(t, "0000:00:03.0");
	TEST_ASSERT(dev != NULL && dev->n_netifs == 1, "virtio's interface");
	TEST_ASSERT(strcmp(dev->netifs[0].name, "eth0") == 0 &&
		dev->netifs[0].up && dev->netifs[0].n_routes == 4 &&
		strcmp(dev->netifs[0].operstate, "up") == 0,
		"eth0 up with 2 IPv4 and 2 IPv6 routes: %u", dev->netifs[0].n_routes);
	dev = iol_topology_device(t, "0000:00:04.0");
	TEST_ASSERT(dev != NULL && dev->n_netifs == 1 &&
		strcmp(dev->netifs[0].name, "ens4") == 0 && dev->netifs[0].up &&
		dev->netifs[0].n_routes == 0, "ens4 up, no route that counts");

	plan_init(&p, devs, 2);
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "driver", "0000:00:03.0", IOL_FAIL,
		"its interface eth0 is up and routed (4 routes): binding it to "
		"vfio-pci cuts this machine off that network", "use another NIC");
	c = check(rep, "driver", "0000:00:03.0");
	TEST_ASSERT_STR_CONTAINS(c->fix, "take eth0 down deliberately first",
		"the other way out");
	TEST_ASSERT(strstr(c->fix, "dpdk-devbind.py") == NULL,
		"no bind command for an active NIC: %s", c->fix);
	c = check(rep, "vfio-node", "0000:00:03.0");
	TEST_ASSERT(c != NULL && c->verdict == IOL_FAIL &&
		strstr(c->fix, "dpdk-devbind.py") == NULL &&
		strstr(c->fix, "use another NIC") != NULL, "vfio-node: same advice");
	ASSERT_CHECK(rep, "driver", "0000:00:04.0", IOL_FAIL,
		"0000:00:04.0 bound to e1000e, not vfio-pci",
		"dpdk-devbind.py -b vfio-pci 0000:00:04.0");
	ASSERT_CHECK(rep, "vfio-node", "0000:00:04.0", IOL_FAIL,
		"/dev/vfio/4 absent", "dpdk-devbind.py -b vfio-pci 0000:00:04.0");
	iol_doctor_report_free(rep);

	/* Group 5: 00:05.0 (vfio-pci) shares it with the active 00:06.0. */
	plan_init(&p, &devs[2], 1);
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "group-viable", "0000:00:05.0", IOL_FAIL,
		"shares it with 0000:00:06.0 bound to virtio-pci",
		"use a NIC in another IOMMU group: 0000:00:06.0 shares group 5 and "
		"its interface eth1 is up and routed");
	c = check(rep, "group-viable", "0000:00:05.0");
	TEST_ASSERT(strstr(c->fix, "dpdk-devbind.py") == NULL,
		"no bind or unbind command for an active NIC: %s", c->fix);
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/*
 * A host with 16 free 2M pages, @p resv of them reserved by other
 * mappings (resv_hugepages), and with @p node0 its own pool on node 0
 * (all 16 free: the kernel counts reserved pages host-wide only).
 */
static struct iol_topology *
reserved_host(const char *resv, bool node0)
{
	static const char hp[] = "sys/kernel/mm/hugepages/hugepages-2048kB/";
	static const char np[] =
		"sys/devices/system/node/node0/hugepages/hugepages-2048kB/";
	struct iol_topology *t = NULL;
	char root[PATH_MAX], f[3][256];

	if (tmp_root(root, sizeof(root)) < 0)
		return NULL;
	snprintf(f[0], sizeof(f[0]), "%snr_hugepages", hp);
	snprintf(f[1], sizeof(f[1]), "%sfree_hugepages", hp);
	snprintf(f[2], sizeof(f[2]), "%sresv_hugepages", hp);
	if (put(root, "proc/meminfo", "Hugepagesize: 2048 kB\n") == 0 &&
	    put(root, f[0], "16\n") == 0 && put(root, f[1], "16\n") == 0 &&
	    put(root, f[2], resv) == 0) {
		snprintf(f[0], sizeof(f[0]), "%snr_hugepages", np);
		snprintf(f[1], sizeof(f[1]), "%sfree_hugepages", np);
		if (!node0 || (put(root, f[0], "16\n") == 0 &&
		    put(root, f[1], "16\n") == 0))
			t = iol_topology_read(root);
	}
	rm_root(root);
	return t;
}

/* Free pages promised to other mappings are not free: free - resv counts. */
static int
test_doctor_reserved_hugepages(void)
{
	static const unsigned int nodes[] = { 0, 1 };
	struct iol_doctor_report *rep;
	struct iol_topology *t;
	unsigned int i;
	char *text;

	for (i = 0; i < 2; i++) {
		bool node0 = nodes[i];
		int node = node0 ? 0 : -1;
		const char *subject = node0 ? "node0" : "host";

		t = reserved_host("12\n", node0);
		TEST_ASSERT_NOT_NULL(t, "snapshot");
		TEST_ASSERT_EQUAL(iol_topology_hugepages(t, -1, 2 * MIB)->resv, 12,
			"resv_hugepages read");
		text = listing(t, NULL);
		TEST_ASSERT_STR_CONTAINS(text, "hugepages 2M: total 16 free 16 "
			"(12 of them reserved)", "listing");
		free(text);
		/* 8 pages needed, 16 free, 12 of them reserved: 4 left. */
		rep = iol_doctor_check_hugepages(t, 2 * MIB, 16 * MIB, node);
		TEST_ASSERT_NOT_NULL(rep, "report");
		ASSERT_CHECK(rep, "hugepages", subject, IOL_FAIL,
			node0 ? "too few free 2MB hugepages on node 0: 16 free of 16, "
			"but of the host's 16 free 12 are reserved by other mappings, "
			"need 8" : "too few free 2MB hugepages on the host: 16 free of "
			"16, 12 of them reserved by other mappings, need 8",
			node0 ? "echo 20 > /sys/devices/system/node/node0/hugepages/"
			"hugepages-2048kB/nr_hugepages" : "echo 20 > /sys/kernel/mm/"
			"hugepages/hugepages-2048kB/nr_hugepages");
		iol_doctor_report_free(rep);
		iol_topology_free(t);

		/* 4 reserved: 12 left cover the 8. */
		t = reserved_host("4\n", node0);
		TEST_ASSERT_NOT_NULL(t, "snapshot");
		rep = iol_doctor_check_hugepages(t, 2 * MIB, 16 * MIB, node);
		TEST_ASSERT_NOT_NULL(rep, "report");
		ASSERT_CHECK(rep, "hugepages", subject, IOL_PASS, node0 ?
			"12 free 2MB hugepages on node 0 not reserved by other "
			"mappings (need 8)" : "12 free 2MB hugepages on the host "
			"not reserved by other mappings (need 8)", "");
		iol_doctor_report_free(rep);
		iol_topology_free(t);
	}
	return TEST_SUCCESS;
}

/*
 * A base in any family's reserved region is refused naming the region and
 * the family; beyond a known width naming the limit and the family; the
 * SMMU's unknown width is a WARN pointing at dmesg, never a refusal.
 */
static int
test_doctor_families(void)
{
	static const char *const vtd[] = { "0000:00:02.0" };
	static const char *const amd[] = { "0000:00:03.0" };
	static const char *const arm[] = { "0000:00:03.0" };
	static const struct iol_iova_range x86msi = { 0xfee00000, 0xfeefffff };
	static const struct iol_iova_range ht = { 0xfd00000000, 0xfd00ffffff };
	static const struct iol_iova_range smmu = { 0x8000000, 0x87fffff };
	static const struct iol_iova_range high = { 0x8000000000, 0x80ffffffff };
	static const struct iol_iova_range huge = { 0xffff000000000000, 0xffff0000ffffffff };
	struct iol_doctor_report *rep;
	struct iol_topology *t;

	LOAD(t, "x86-vtd");
	rep = iol_doctor_check_iova(t, vtd, 1, &x86msi, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0xfee00000-0xfeefffff", IOL_FAIL,
		"msi region 0xfee00000-0xfeefffff of group 2 (the MSI window), the "
		"x86 interrupt address range (Intel VT-d)", "move the range");
	iol_doctor_report_free(rep);
	rep = iol_doctor_check_iova(t, vtd, 1, &high, 1);
	ASSERT_CHECK(rep, "iova-width", "0x8000000000-0x80ffffffff", IOL_FAIL,
		"39-bit address width of dmar0 (last IOVA 0x7fffffffff), Intel VT-d "
		"(VT-d cap MGAW)", "below 0x8000000000");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	LOAD(t, "amd-vi");
	rep = iol_doctor_check_iova(t, amd, 1, &ht, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0xfd00000000-0xfd00ffffff", IOL_FAIL,
		"reserved region 0xfd00000000-0xffffffffff of group 0, the "
		"HyperTransport hole (AMD-Vi)", "e.g. to 0x10000000000");
	ASSERT_CHECK(rep, "iova-width", "0xfd00000000-0xfd00ffffff", IOL_PASS,
		"64-bit address width of ivhd0", "");
	iol_doctor_report_free(rep);
	rep = iol_doctor_check_iova(t, amd, 1, &x86msi, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0xfee00000-0xfeefffff", IOL_FAIL,
		"(the MSI window), the x86 interrupt address range (AMD-Vi)", "move");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	LOAD(t, "arm64-smmuv3");
	rep = iol_doctor_check_iova(t, arm, 1, &smmu, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0x8000000-0x87fffff", IOL_FAIL,
		"msi region 0x8000000-0x80fffff of group 0 (the MSI window), the "
		"SMMU's software MSI window (ARM SMMU)", "move the range");
	ASSERT_CHECK(rep, "iova-width", "0x8000000-0x87fffff", IOL_WARN,
		"(ARM SMMU smmu3.0x0000000009050000: unknown, see dmesg 'ias')",
		"0x8000000000");
	iol_doctor_report_free(rep);
	rep = iol_doctor_check_iova(t, arm, 1, &huge, 1);
	TEST_ASSERT_EQUAL(rep->n_fail, 0, "unknown width: not refused");
	iol_doctor_report_free(rep);
	/* Not bound yet, no group: the MSI window every group gets applies. */
	{
		static const char *const unbound[] = { "0000:00:02.0" };

		rep = iol_doctor_check_iova(t, unbound, 1, &smmu, 1);
		ASSERT_CHECK(rep, "iova-reserved", "0x8000000-0x87fffff", IOL_FAIL,
			"the SMMU's software MSI window (ARM SMMU)", "move the range");
		iol_doctor_report_free(rep);
	}
	iol_topology_free(t);

	LOAD(t, "virtio-iommu");
	rep = iol_doctor_check_iova(t, vtd, 1, &x86msi, 1);
	ASSERT_CHECK(rep, "iova-reserved", "0xfee00000-0xfeefffff", IOL_FAIL,
		"(the MSI window), the x86 interrupt address range (virtio-iommu)",
		"move");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/*
 * arm64: a PCI device has no IOMMU group until a driver binds it. The
 * doctor says so and how to go on, and reports no missing IOMMU.
 */
static int
test_doctor_arm_unbound(void)
{
	static const char *const devs[] = { "0000:00:02.0", "0000:00:03.0" };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;
	const struct iol_check *c;

	LOAD(t, "arm64-smmuv3");
	plan_init(&p, devs, 2);
	rep = iol_doctor_run(t, &p);
	TEST_ASSERT_NOT_NULL(rep, "report");
	ASSERT_CHECK(rep, "iommu", NULL, IOL_PASS, "IOMMU enabled", "");
	ASSERT_CHECK(rep, "group-viable", "0000:00:02.0", IOL_WARN,
		"0000:00:02.0 has no IOMMU group yet: on arm64 the SMMU gives a PCI "
		"device its group when a driver binds it",
		"dpdk-devbind.py -b vfio-pci 0000:00:02.0, then check again");
	c = check(rep, "group-viable", "0000:00:02.0");
	TEST_ASSERT(strstr(c->message, "not enabled") == NULL &&
		strstr(c->fix, "does not translate") == NULL, "no missing IOMMU");
	ASSERT_CHECK(rep, "driver", "0000:00:02.0", IOL_FAIL, "bound to no driver",
		"dpdk-devbind.py -b vfio-pci 0000:00:02.0");
	ASSERT_CHECK(rep, "group-viable", "0000:00:03.0", IOL_PASS,
		"group 0 viable", "");
	ASSERT_CHECK(rep, "vfio-node", "0000:00:03.0", IOL_PASS, "/dev/vfio/0", "");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

/*
 * vfio_iommu_type1.allow_unsafe_interrupts: WARN when on (MSIs can be
 * forged), FAIL on a virtio-iommu host without it (VFIO refuses), PASS
 * otherwise.
 */
static int
test_doctor_unsafe_interrupts(void)
{
	static const char *const devs[] = { "0000:00:02.0" };
	struct iol_doctor_report *rep;
	struct iol_doctor_plan p;
	struct iol_topology *t;

	LOAD(t, "virtio-iommu");
	plan_init(&p, devs, 1);
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "unsafe-interrupts", NULL, IOL_FAIL,
		"virtio-iommu remaps no interrupts and "
		"vfio_iommu_type1.allow_unsafe_interrupts is off",
		"boot with vfio_iommu_type1.allow_unsafe_interrupts=1");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	LOAD(t, "virtio-iommu-lab");
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "unsafe-interrupts", NULL, IOL_WARN,
		"a device can forge MSIs", "on a shared host");
	TEST_ASSERT_STR_CONTAINS(check(rep, "unsafe-interrupts", NULL)->message,
		"acceptable in a lab, not on a shared host", "what it means");
	ASSERT_CHECK(rep, "group-viable", "0000:00:02.0", IOL_PASS, "viable", "");
	iol_doctor_report_free(rep);
	iol_topology_free(t);

	/* Only the command line says it (module not loaded yet). */
	t = cmdline_host("ro vfio_iommu_type1.allow_unsafe_interrupts=1\n");
	TEST_ASSERT_NOT_NULL(t, "host");
	TEST_ASSERT_EQUAL(t->unsafe_interrupts, 1, "from the command line");
	rep = iol_doctor_run(t, &p);
	ASSERT_CHECK(rep, "unsafe-interrupts", NULL, IOL_WARN, "forge MSIs", "shared");
	iol_doctor_report_free(rep);
	iol_topology_free(t);
	return TEST_SUCCESS;
}

static struct unit_test_suite doctor_suite = {
	.suite_name = "iommu doctor",
	.unit_test_cases = {
		TEST_CASE(test_doctor_all_pass),
		TEST_CASE(test_doctor_x86_fails),
		TEST_CASE(test_doctor_iova),
		TEST_CASE(test_doctor_families),
		TEST_CASE(test_doctor_arm_unbound),
		TEST_CASE(test_doctor_unsafe_interrupts),
		TEST_CASE(test_doctor_no_iommu),
		TEST_CASE(test_doctor_noiommu_mode),
		TEST_CASE(test_doctor_nonviable),
		TEST_CASE(test_doctor_malformed),
		TEST_CASE(test_doctor_overflow),
		TEST_CASE(test_doctor_cmdline_off),
		TEST_CASE(test_doctor_noiommu_no_node),
		TEST_CASE(test_doctor_dma_limit_not_loaded),
		TEST_CASE(test_doctor_active_nic),
		TEST_CASE(test_doctor_reserved_hugepages),
		TEST_CASES_END()
	}
};

static int
doctor_autotest(void)
{
	return unit_test_suite_runner(&doctor_suite);
}

REGISTER_TEST_COMMAND(doctor_autotest, doctor_autotest);
