/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor: checks a topology snapshot against what a run will do and
 * says, for each prerequisite of VFIO, PASS, WARN or FAIL with the fix.
 * It reads nothing itself, so that tests can feed it fixture snapshots.
 */
#define _GNU_SOURCE /* vasprintf */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iol_iommu.h"
#include "iol_units.h"

/* VFIO type1's default for its dma_entry_limit parameter. */
#define DEFAULT_DMA_ENTRY_LIMIT 65535

struct doc {
	struct iol_doctor_report *rep;
	const struct iol_topology *t;
	bool oom;
};

static char * __attribute__((format(printf, 2, 3)))
fmt(struct doc *d, const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	if (n < 0) {
		d->oom = true;
		return NULL;
	}
	return s;
}

/* Append a check; takes ownership of @p msg and @p fix. */
static void
add(struct doc *d, const char *name, const char *subject, enum iol_verdict v,
	char *msg, char *fix)
{
	struct iol_doctor_report *r = d->rep;
	struct iol_check *c;

	if (msg == NULL || (v != IOL_PASS && fix == NULL))
		goto fail;
	c = realloc(r->checks, (r->n_checks + 1) * sizeof(*c));
	if (c == NULL)
		goto fail;
	r->checks = c;
	c = &r->checks[r->n_checks];
	c->name = strdup(name);
	c->subject = subject != NULL ? strdup(subject) : NULL;
	if (c->name == NULL || (subject != NULL && c->subject == NULL)) {
		free(c->name);
		free(c->subject);
		goto fail;
	}
	c->verdict = v;
	c->message = msg;
	c->fix = v == IOL_PASS ? NULL : fix;
	if (v == IOL_PASS)
		free(fix);
	r->n_checks++;
	if (v == IOL_FAIL)
		r->n_fail++;
	else if (v == IOL_WARN)
		r->n_warn++;
	return;
fail:
	d->oom = true;
	free(msg);
	free(fix);
}

/*
 * Whether the kernel command line has @p key (e.g. "intel_iommu=") with
 * @p word among its comma-separated values: intel_iommu=on,sm_on is on,
 * intel_iommu=igfx_off is not off.
 */
static bool
cmdline_has(const struct iol_topology *t, const char *key, const char *word)
{
	size_t kl = strlen(key), wl = strlen(word);
	unsigned int i;

	for (i = 0; i < t->n_cmdline_opts; i++) {
		const char *v = t->cmdline_opts[i];

		if (strncmp(v, key, kl) != 0)
			continue;
		for (v += kl;; v++) {
			size_t n = strcspn(v, ",");

			if (n == wl && strncmp(v, word, wl) == 0)
				return true;
			v += n;
			if (*v == '\0')
				break;
		}
	}
	return false;
}

/* x / d rounded up, for any x (x + d - 1 wraps near UINT64_MAX). */
static uint64_t
ceil_div(uint64_t x, uint64_t d)
{
	return x / d + (x % d != 0);
}

/* a + b, UINT64_MAX when it does not fit. */
static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a * b, UINT64_MAX when it does not fit. */
static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static bool
noiommu_accepted(const struct iol_topology *t, const struct iol_doctor_plan *p)
{
	return !iol_topology_iommu_enabled(t) && t->noiommu_mode == 1 &&
		p->allow_noiommu;
}

static void
check_iommu(struct doc *d, const struct iol_doctor_plan *p)
{
	static const char *const off_keys[] = {
		"intel_iommu=", "amd_iommu=", "iommu=",
	};
	const struct iol_topology *t = d->t;
	char off[64], why[128];
	unsigned int i;
	char *fix;

	if (iol_topology_iommu_enabled(t)) {
		add(d, "iommu", NULL, IOL_PASS,
			fmt(d, "IOMMU enabled: %u instance(s), %u group(s)",
				t->n_units, t->n_groups), NULL);
		return;
	}
	/* An option turning the IOMMU off is the cause: name it. */
	off[0] = '\0';
	for (i = 0; i < sizeof(off_keys) / sizeof(off_keys[0]); i++) {
		size_t l = strlen(off);

		if (cmdline_has(t, off_keys[i], "off"))
			snprintf(off + l, sizeof(off) - l, "%s%soff",
				l > 0 ? " and " : "", off_keys[i]);
	}
	if (off[0] != '\0') {
		snprintf(why, sizeof(why), "the kernel command line has %s", off);
		fix = fmt(d, "remove %s from the kernel command line "
			"(GRUB_CMDLINE_LINUX in /etc/default/grub, then "
			"update-grub) and reboot%s", off,
			cmdline_has(t, "intel_iommu=", "off") ?
			"; on Intel put intel_iommu=on in its place" : "");
	} else if (cmdline_has(t, "intel_iommu=", "on")) {
		snprintf(why, sizeof(why), "no /sys/class/iommu entry and no "
			"IOMMU group although the kernel has intel_iommu=on");
		fix = fmt(d, "enable VT-d (IOMMU) in the firmware setup; in a "
			"QEMU guest add -device intel-iommu,intremap=on with "
			"-machine q35,kernel-irqchip=split");
	} else {
		snprintf(why, sizeof(why), "no /sys/class/iommu entry and no "
			"IOMMU group");
		/* AMD-Vi is on by default; amd_iommu=on is no option. */
		fix = fmt(d, "on Intel add intel_iommu=on to the kernel command "
			"line (GRUB_CMDLINE_LINUX in /etc/default/grub, then "
			"update-grub) and reboot, and enable VT-d in the firmware "
			"setup; on AMD the kernel enables AMD-Vi by default: enable "
			"the IOMMU (AMD-Vi) in the firmware setup; on ARM the SMMU "
			"must be described by the firmware");
	}
	if (noiommu_accepted(t, p)) {
		add(d, "iommu", NULL, IOL_WARN,
			fmt(d, "IOMMU not enabled (%s): running in vfio noiommu "
				"mode as allowed", why),
			fix != NULL ? fmt(d, "enable the IOMMU for DMA isolation: "
				"%s", fix) : NULL);
		free(fix);
		return;
	}
	add(d, "iommu", NULL, IOL_FAIL,
		fmt(d, "IOMMU not enabled under %s: %s", t->root, why), fix);
}

static void
check_noiommu(struct doc *d, const struct iol_doctor_plan *p)
{
	const struct iol_topology *t = d->t;
	bool iommu = iol_topology_iommu_enabled(t);

	if (t->noiommu_mode == 1 && p->allow_noiommu) {
		add(d, "noiommu", NULL, IOL_WARN,
			fmt(d, "vfio unsafe noiommu mode is on and allowed: devices "
				"can DMA to any physical address, nothing is isolated"),
			fmt(d, "use it only on a host without IOMMU; enable the "
				"IOMMU instead where there is one"));
	} else if (t->noiommu_mode == 1) {
		add(d, "noiommu", NULL, IOL_FAIL,
			fmt(d, "vfio unsafe noiommu mode is on: devices can DMA to "
				"any physical address, nothing is isolated"),
			fmt(d, "pass --allow-noiommu to accept it%s",
				iommu ? ", or turn it off: echo N > "
				"/sys/module/vfio/parameters/enable_unsafe_noiommu_mode" :
				", or enable the IOMMU (see the iommu check)"));
	} else if (!iommu && p->allow_noiommu) {
		add(d, "noiommu", NULL, IOL_FAIL,
			fmt(d, "noiommu allowed but vfio's enable_unsafe_noiommu_mode "
				"is %s", t->noiommu_mode == 0 ? "off" :
				"unknown (vfio not loaded)"),
			fmt(d, "modprobe vfio enable_unsafe_noiommu_mode=1 (or echo Y > "
				"/sys/module/vfio/parameters/enable_unsafe_noiommu_mode), "
				"then modprobe vfio-pci"));
	} else {
		add(d, "noiommu", NULL, IOL_PASS,
			fmt(d, "vfio noiommu mode off%s", t->noiommu_mode < 0 ?
				" (vfio not loaded; off by default)" : ""), NULL);
	}
}

static const struct iol_vfio_node *
find_node(const struct iol_topology *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return &t->nodes[i];
	return NULL;
}

static void
check_modules(struct doc *d)
{
	const struct iol_topology *t = d->t;
	const struct iol_vfio_node *n = find_node(t, "vfio");
	bool type1 = t->mod_vfio_type1 || t->noiommu_mode == 1;

	if (!t->mod_vfio_pci || !type1) {
		add(d, "vfio-modules", NULL, IOL_FAIL,
			fmt(d, "vfio modules not loaded:%s%s",
				t->mod_vfio_pci ? "" : " vfio_pci",
				type1 ? "" : " vfio_iommu_type1"),
			fmt(d, "modprobe vfio-pci (it loads vfio and "
				"vfio_iommu_type1); to load it at boot: echo vfio-pci "
				"> /etc/modules-load.d/vfio-pci.conf"));
		return;
	}
	if (n == NULL) {
		add(d, "vfio-modules", NULL, IOL_FAIL,
			fmt(d, "vfio modules loaded but /dev/vfio/vfio is missing"),
			fmt(d, "check that devtmpfs is mounted on /dev and udev runs; "
				"reload with modprobe -r vfio-pci && modprobe vfio-pci"));
		return;
	}
	if (!n->usable) {
		add(d, "vfio-modules", NULL, IOL_FAIL,
			fmt(d, "/dev/vfio/vfio (mode %04o) cannot be opened "
				"read-write by this user",
				(unsigned int)(n->mode & 07777)),
			fmt(d, "run as root, or: chmod 0666 /dev/vfio/vfio"));
		return;
	}
	add(d, "vfio-modules", NULL, IOL_PASS,
		fmt(d, "vfio, vfio_iommu_type1 and vfio_pci loaded, /dev/vfio/vfio "
			"usable"), NULL);
}

/* Whether some IOMMU group has the x86 interrupt window as a reserved region. */
static bool
has_x86_msi_window(const struct iol_topology *t)
{
	unsigned int g, k;

	for (g = 0; g < t->n_groups; g++)
		for (k = 0; k < t->groups[g].n_resv; k++)
			if (t->groups[g].resv[k].start == 0xfee00000 &&
			    t->groups[g].resv[k].end == 0xfeefffff)
				return true;
	return false;
}

/*
 * vfio_iommu_type1's allow_unsafe_interrupts: VFIO then takes IOMMUs that
 * do not remap (isolate) interrupts, where a device can write any MSI and
 * raise other devices' or the host's interrupts. A WARN when on; a FAIL
 * when off on an x86 virtio-iommu host, where VFIO refuses the container
 * without it ("No interrupt remapping support").
 */
static void
check_unsafe_interrupts(struct doc *d)
{
	const struct iol_topology *t = d->t;
	bool virtio = iol_topology_has_unit(t, IOL_IOMMU_VIRTIO);
	bool no_ir = virtio && !iol_topology_has_unit(t, IOL_IOMMU_INTEL) &&
		!iol_topology_has_unit(t, IOL_IOMMU_AMD) &&
		!iol_topology_has_unit(t, IOL_IOMMU_ARM_SMMU) &&
		(t->n_groups == 0 || has_x86_msi_window(t));

	if (t->unsafe_interrupts == 1) {
		add(d, "unsafe-interrupts", NULL, IOL_WARN,
			fmt(d, "vfio_iommu_type1.allow_unsafe_interrupts is on: VFIO "
				"accepts an IOMMU without interrupt remapping%s, where a "
				"device can forge MSIs (write any interrupt message to "
				"the MSI window, raising interrupts of other devices or "
				"of the host); acceptable in a lab, not on a shared host",
				no_ir ? " (needed here: virtio-iommu remaps no "
				"interrupts)" : ""),
			fmt(d, "on a shared host use an IOMMU with interrupt "
				"remapping (QEMU: -device intel-iommu,intremap=on or "
				"amd-iommu,intremap=on) and turn it off: echo N > "
				"/sys/module/vfio_iommu_type1/parameters/"
				"allow_unsafe_interrupts, and drop "
				"vfio_iommu_type1.allow_unsafe_interrupts=1 from the "
				"kernel command line"));
	} else if (no_ir) {
		add(d, "unsafe-interrupts", NULL, IOL_FAIL,
			fmt(d, "virtio-iommu remaps no interrupts and "
				"vfio_iommu_type1.allow_unsafe_interrupts is %s: VFIO "
				"refuses the container (\"No interrupt remapping "
				"support. Use the module param "
				"\"allow_unsafe_interrupts\"\")",
				t->unsafe_interrupts == 0 ? "off" :
				"not set (off by default)"),
			fmt(d, "in a lab only (a device can then forge MSIs): boot with "
				"vfio_iommu_type1.allow_unsafe_interrupts=1, or echo Y > "
				"/sys/module/vfio_iommu_type1/parameters/"
				"allow_unsafe_interrupts before binding (modprobe "
				"vfio_iommu_type1 allow_unsafe_interrupts=1 when it is "
				"not loaded)"));
	} else {
		add(d, "unsafe-interrupts", NULL, IOL_PASS,
			fmt(d, "vfio_iommu_type1.allow_unsafe_interrupts %s",
				t->unsafe_interrupts == 0 ? "off" :
				"not set (off by default)"), NULL);
	}
}

static void
check_memlock(struct doc *d, const struct iol_doctor_plan *p)
{
	uint64_t kib;

	if (p->cap_ipc_lock) {
		add(d, "memlock", NULL, IOL_PASS,
			fmt(d, "CAP_IPC_LOCK held: VFIO type1 skips locked-memory "
				"accounting, RLIMIT_MEMLOCK does not apply"), NULL);
		return;
	}
	if (p->memlock_limit == UINT64_MAX) {
		add(d, "memlock", NULL, IOL_PASS,
			fmt(d, "memlock limit unlimited"), NULL);
		return;
	}
	if (p->pin_bytes <= p->memlock_limit) {
		add(d, "memlock", NULL, IOL_PASS,
			fmt(d, "memlock limit %" PRIu64 " bytes covers the %" PRIu64
				" bytes to pin", p->memlock_limit, p->pin_bytes), NULL);
		return;
	}
	/* Rounded up without overflow: 2^64-1 bytes must not need 0. */
	kib = ceil_div(p->pin_bytes, 1024);
	add(d, "memlock", NULL, IOL_FAIL,
		fmt(d, "memlock limit %" PRIu64 " bytes is below the %" PRIu64
			" bytes the run pins", p->memlock_limit, p->pin_bytes),
		fmt(d, "ulimit -l %" PRIu64 " (KiB, or unlimited) in the launching "
			"shell; for a user: '<user> - memlock %" PRIu64 "' in "
			"/etc/security/limits.conf; for a service: LimitMEMLOCK=infinity; "
			"or run as root (CAP_IPC_LOCK)", kib, kib));
}

/* The fix for a loaded vfio_iommu_type1 whose limit is too low. */
static char *
set_limit_fix(struct doc *d, uint64_t mappings)
{
	return fmt(d, "echo %" PRIu64 " > /sys/module/vfio_iommu_type1/"
		"parameters/dma_entry_limit (lasting: options vfio_iommu_type1 "
		"dma_entry_limit=%" PRIu64 " in /etc/modprobe.d/vfio.conf)",
		mappings, mappings);
}

static void
check_dma_limit(struct doc *d, const struct iol_doctor_plan *p)
{
	const struct iol_topology *t = d->t;
	int64_t limit = t->dma_entry_limit;

	if (limit < 0 && !t->mod_vfio_type1) {
		if (p->mappings > DEFAULT_DMA_ENTRY_LIMIT)
			add(d, "dma-entry-limit", NULL, IOL_WARN,
				fmt(d, "vfio_iommu_type1 not loaded: its default "
					"dma_entry_limit %d is below the %" PRIu64
					" mappings the run needs",
					DEFAULT_DMA_ENTRY_LIMIT, p->mappings),
				fmt(d, "modprobe vfio_iommu_type1 dma_entry_limit=%"
					PRIu64 " (lasting: options vfio_iommu_type1 "
					"dma_entry_limit=%" PRIu64 " in "
					"/etc/modprobe.d/vfio.conf)", p->mappings,
					p->mappings));
		else
			add(d, "dma-entry-limit", NULL, IOL_PASS,
				fmt(d, "%" PRIu64 " mappings within the default "
					"dma_entry_limit %d (vfio_iommu_type1 not loaded)",
					p->mappings, DEFAULT_DMA_ENTRY_LIMIT), NULL);
		return;
	}
	if (limit < 0) {
		/* Loaded, value unreadable: modprobe would do nothing, the
		 * parameter is writable in sysfs.
		 */
		if (p->mappings > DEFAULT_DMA_ENTRY_LIMIT)
			add(d, "dma-entry-limit", NULL, IOL_WARN,
				fmt(d, "vfio_iommu_type1 is loaded but its "
					"dma_entry_limit could not be read; if it is the "
					"default %d it is below the %" PRIu64 " mappings "
					"the run needs", DEFAULT_DMA_ENTRY_LIMIT,
					p->mappings),
				set_limit_fix(d, p->mappings));
		else
			add(d, "dma-entry-limit", NULL, IOL_PASS,
				fmt(d, "%" PRIu64 " mappings within the default "
					"dma_entry_limit %d (the loaded vfio_iommu_type1's "
					"value could not be read)", p->mappings,
					DEFAULT_DMA_ENTRY_LIMIT), NULL);
		return;
	}
	if ((uint64_t)limit >= p->mappings) {
		add(d, "dma-entry-limit", NULL, IOL_PASS,
			fmt(d, "dma_entry_limit %" PRId64 " covers the %" PRIu64
				" mappings", limit, p->mappings), NULL);
		return;
	}
	add(d, "dma-entry-limit", NULL, IOL_FAIL,
		fmt(d, "dma_entry_limit %" PRId64 " is below the %" PRIu64
			" mappings the run needs", limit, p->mappings),
		set_limit_fix(d, p->mappings));
}

/* The page size used: the asked one, else the host's default, else 2M. */
static uint64_t
page_size_or_default(const struct iol_topology *t, uint64_t size)
{
	if (size != 0)
		return size;
	if (t->default_hugepage_size != 0)
		return t->default_hugepage_size;
	return 2ULL << 20;
}

/* Pages of a pool a new mapping can have: the free ones not reserved. */
static uint64_t
pool_avail(const struct iol_hugepages *h)
{
	return h->free - (h->resv < h->free ? h->resv : h->free);
}

/* The hugepages check failed: how many pages to reserve, and how. */
static void
hugepages_short(struct doc *d, const struct iol_hugepages *h, uint64_t size,
	uint64_t need, uint64_t avail, const char *subject, const char *where,
	const char *resv)
{
	char sz[32], sysfs[160], total[32], nodeopt[24];
	uint64_t pages;

	iol_size_str(size, IOL_SIZE_SHORT, sz, sizeof(sz));
	/* The pool grows by what is missing; saturated, an absurd plan
	 * still gives a number rather than a wrapped small one.
	 */
	pages = sat_add(h->total, need - avail);
	if (sat_mul(pages, size) == UINT64_MAX) {
		add(d, "hugepages", subject, IOL_FAIL,
			fmt(d, "%" PRIu64 " %sB hugepages needed %s: more than a "
				"64-bit address space holds", need, sz, where),
			fmt(d, "pin less memory"));
		return;
	}
	iol_size_str(sat_mul(pages, size), IOL_SIZE_SHORT, total, sizeof(total));
	if (h->node >= 0) {
		snprintf(nodeopt, sizeof(nodeopt), "--node %d ", h->node);
		snprintf(sysfs, sizeof(sysfs), "/sys/devices/system/node/node%d/"
			"hugepages/hugepages-%" PRIu64 "kB/nr_hugepages", h->node,
			size >> 10);
	} else {
		nodeopt[0] = '\0';
		snprintf(sysfs, sizeof(sysfs), "/sys/kernel/mm/hugepages/"
			"hugepages-%" PRIu64 "kB/nr_hugepages", size >> 10);
	}
	add(d, "hugepages", subject, IOL_FAIL,
		fmt(d, "%s free %sB hugepages %s: %" PRIu64 " free of %" PRIu64
			"%s, need %" PRIu64, avail == 0 ? "no" : "too few", sz, where,
			h->free, h->total, resv, need),
		fmt(d, "echo %" PRIu64 " > %s (or dpdk-hugepages.py %s-p %s "
			"-r %s, -r being the total to reserve)", pages, sysfs,
			nodeopt, sz, total));
}

/*
 * @p bytes (0: one page) of @p size pages free on @p node (-1: host-wide).
 * Reserved pages (resv_hugepages) are promised to other mappings: not
 * free. The kernel counts them host-wide only, so on a node the host's
 * free pages less its reserved ones must cover the need too.
 */
static void
check_hugepages_node(struct doc *d, uint64_t size, uint64_t bytes, int node)
{
	const struct iol_topology *t = d->t;
	const struct iol_hugepages *h, *host;
	char sz[32], where[48], subject[32], resv[128];
	uint64_t need, avail;

	iol_size_str(size, IOL_SIZE_SHORT, sz, sizeof(sz));
	need = bytes == 0 ? 1 : ceil_div(bytes, size);
	host = iol_topology_hugepages(t, -1, size);
	h = node >= 0 ? iol_topology_hugepages(t, node, size) : NULL;
	/* Without per-node counts (no NUMA in sysfs) the host pool serves. */
	if (h == NULL)
		h = host;
	if (node >= 0)
		snprintf(subject, sizeof(subject), "node%d", node);
	else
		snprintf(subject, sizeof(subject), "host");
	if (h == NULL) {
		add(d, "hugepages", subject, IOL_FAIL,
			fmt(d, "no %sB hugepages %s (no pool of that size)", sz,
				node >= 0 ? subject : "on the host"),
			fmt(d, "reserve them at boot: default_hugepagesz=%s "
				"hugepagesz=%s hugepages=%" PRIu64 " on the kernel "
				"command line", sz, sz, need));
		return;
	}
	snprintf(where, sizeof(where), h->node >= 0 ? "on node %d" :
		"on the host", h->node);
	avail = pool_avail(h);
	resv[0] = '\0';
	if (h->resv != 0)
		snprintf(resv, sizeof(resv), ", %" PRIu64 " of them reserved by "
			"other mappings", h->resv);
	if (h != host && host != NULL && pool_avail(host) < avail) {
		avail = pool_avail(host);
		snprintf(resv, sizeof(resv), ", but of the host's %" PRIu64
			" free %" PRIu64 " are reserved by other mappings",
			host->free, host->resv);
	}
	if (avail < need) {
		hugepages_short(d, h, size, need, avail, subject, where, resv);
		return;
	}
	add(d, "hugepages", subject, IOL_PASS,
		fmt(d, "%" PRIu64 " free %sB hugepages %s%s (need %" PRIu64 ")",
			avail, sz, where, resv[0] != '\0' ?
			" not reserved by other mappings" : "", need), NULL);
}

static void
check_hugetlbfs(struct doc *d, const struct iol_doctor_plan *p)
{
	const struct iol_topology *t = d->t;
	uint64_t size = page_size_or_default(t, p->hugepage_size);
	unsigned int i;
	char sz[32];

	iol_size_str(size, IOL_SIZE_SHORT, sz, sizeof(sz));
	for (i = 0; i < t->n_mounts; i++) {
		if (t->mounts[i].page_size == size) {
			add(d, "hugetlbfs", NULL, IOL_PASS,
				fmt(d, "hugetlbfs for %sB pages mounted at %s", sz,
					t->mounts[i].path), NULL);
			return;
		}
	}
	add(d, "hugetlbfs", NULL, IOL_WARN,
		fmt(d, "no hugetlbfs mount for %sB pages", sz),
		fmt(d, "mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=%s "
			"nodev /dev/hugepages", sz));
}

/* "e1000e" or "no driver" for messages. */
static const char *
drv(const struct iol_device *dev)
{
	return dev->driver[0] != '\0' ? dev->driver : "no driver";
}

static bool
viable_driver(const char *driver)
{
	return driver[0] == '\0' || strcmp(driver, "vfio-pci") == 0 ||
		strcmp(driver, "pci-stub") == 0 || strcmp(driver, "pcieport") == 0;
}

/*
 * The interface @p dev carries that is up and routed, NULL when none:
 * this machine's own traffic goes through such a NIC, and dpdk-devbind.py
 * marks it *Active* and refuses to unbind it.
 */
static const struct iol_netif *
active_netif(const struct iol_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->n_netifs; i++)
		if (dev->netifs[i].up && dev->netifs[i].n_routes > 0)
			return &dev->netifs[i];
	return NULL;
}

/*
 * How to bind @p dev to vfio-pci: the command, unless the machine's own
 * traffic goes through it; then binding it is no fix to give blindly.
 */
static char *
bind_fix(struct doc *d, const struct iol_device *dev)
{
	const struct iol_netif *n = active_netif(dev);

	if (n == NULL)
		return fmt(d, "dpdk-devbind.py -b vfio-pci %s", dev->name);
	return fmt(d, "use another NIC, one that carries no traffic of this "
		"machine; or, if this machine can do without that network, take "
		"%s down deliberately first (ip link set %s down, from a console, "
		"not over that network)", n->name, n->name);
}

/*
 * The group is shared with @p busy, a NIC carrying this machine's own
 * traffic: binding it to vfio-pci or unbinding it cuts the machine off
 * that network, so no command is given for it.
 */
static char *
busy_group_fix(struct doc *d, const struct iol_iommu_group *g,
	const struct iol_device *busy)
{
	const struct iol_netif *n = active_netif(busy);

	return fmt(d, "use a NIC in another IOMMU group: %s shares group %d "
		"and its interface %s is up and routed, so binding it to vfio-pci "
		"or unbinding it cuts this machine off that network; or, if this "
		"machine can do without that network, take %s down deliberately "
		"first (ip link set %s down, from a console, not over that "
		"network)", busy->name, g->id, n->name, n->name, n->name);
}

static void
check_group(struct doc *d, const struct iol_device *dev)
{
	const struct iol_topology *t = d->t;
	const struct iol_iommu_group *g;
	char *others = NULL, *pci = NULL, *plat = NULL, *tmp;
	const struct iol_device *busy = NULL;
	unsigned int i, n_bad = 0;

	g = dev->group >= 0 ? iol_topology_group(t, dev->group) : NULL;
	if (g == NULL && iol_topology_has_unit(t, IOL_IOMMU_ARM_SMMU) &&
	    strcmp(dev->driver, "vfio-pci") != 0 &&
	    (dev->driver[0] == '\0' || t->n_groups > 0)) {
		/*
		 * arm64 with a device tree: the SMMU sets up a PCI device's DMA,
		 * and its IOMMU group, when a driver probes it. An unbound
		 * device has no group yet; that is no missing IOMMU.
		 */
		add(d, "group-viable", dev->name, IOL_WARN,
			fmt(d, "%s has no IOMMU group yet: on arm64 the SMMU gives a "
				"PCI device its group when a driver binds it (DMA is "
				"set up at probe with a device tree); the IOMMU is "
				"there (%u SMMU instance(s), %u group(s))", dev->name,
				t->n_units, t->n_groups),
			active_netif(dev) != NULL ? bind_fix(d, dev) :
			fmt(d, "dpdk-devbind.py -b vfio-pci %s, then check again "
				"(iovaloop-info --check %s)", dev->name, dev->name));
		return;
	}
	if (g == NULL) {
		if (iol_topology_iommu_enabled(t))
			add(d, "group-viable", dev->name, IOL_FAIL,
				fmt(d, "%s is in no IOMMU group", dev->name),
				fmt(d, "the IOMMU does not translate for it: check dmesg "
					"for DMAR / AMD-Vi / SMMU errors about %s",
					dev->name));
		else if (t->noiommu_mode == 1)
			add(d, "group-viable", dev->name, IOL_FAIL,
				fmt(d, "%s has no noiommu group yet", dev->name),
				active_netif(dev) != NULL ? bind_fix(d, dev) :
				fmt(d, "dpdk-devbind.py -b vfio-pci %s (vfio creates the "
					"group when it binds)", dev->name));
		else
			add(d, "group-viable", dev->name, IOL_FAIL,
				fmt(d, "%s is in no IOMMU group: the IOMMU is not "
					"enabled", dev->name),
				fmt(d, "enable the IOMMU (see the iommu check)"));
		return;
	}
	for (i = 0; i < g->n_devs; i++) {
		const struct iol_device *o = &t->devs[g->devs[i]];
		char **list = o->is_pci ? &pci : &plat;

		if (o == dev || !o->present || viable_driver(o->driver))
			continue;
		n_bad++;
		if (busy == NULL && active_netif(o) != NULL)
			busy = o;
		tmp = fmt(d, "%s%s%s bound to %s", others ? others : "",
			others ? ", " : "", o->name, o->driver);
		free(others);
		others = tmp;
		tmp = fmt(d, "%s%s%s", *list ? *list : "", *list ? " " : "",
			o->name);
		free(*list);
		*list = tmp;
		if (others == NULL || tmp == NULL)
			goto out;
	}
	if (n_bad == 0) {
		add(d, "group-viable", dev->name, IOL_PASS,
			fmt(d, "group %d viable: its %u device(s) are bound to "
				"vfio-pci, pci-stub, pcieport or unbound", g->id,
				g->n_devs), NULL);
		goto out;
	}
	add(d, "group-viable", dev->name, IOL_FAIL,
		fmt(d, "group %d not viable: %s (%s) shares it with %s (VFIO: "
			"\"VFIO group is not viable! Not all devices in IOMMU group "
			"bound to VFIO or unbound\")", g->id, dev->name, drv(dev),
			others),
		busy != NULL ? busy_group_fix(d, g, busy) :
		pci != NULL ?
		fmt(d, "dpdk-devbind.py -b vfio-pci %s (or unbind it: "
			"dpdk-devbind.py -u %s)%s%s%s", pci, pci,
			plat ? "; unbind " : "", plat ? plat : "",
			plat ? " through /sys/bus/platform/drivers/DRIVER/unbind" : "") :
		fmt(d, "unbind %s through /sys/bus/platform/drivers/DRIVER/unbind",
			plat));
out:
	free(others);
	free(pci);
	free(plat);
}

static void
check_node(struct doc *d, const struct iol_device *dev)
{
	const struct iol_topology *t = d->t;
	const struct iol_iommu_group *g;
	const struct iol_vfio_node *n;
	char name[32];

	g = dev->group >= 0 ? iol_topology_group(t, dev->group) : NULL;
	if (g == NULL)
		return; /* group-viable has said why */
	snprintf(name, sizeof(name), "%s%d", g->noiommu ? "noiommu-" : "", g->id);
	n = find_node(t, name);
	if (n == NULL && strcmp(dev->driver, "vfio-pci") != 0) {
		add(d, "vfio-node", dev->name, IOL_FAIL,
			fmt(d, "/dev/vfio/%s absent: vfio creates it when %s is bound "
				"to vfio-pci", name, dev->name),
			bind_fix(d, dev));
	} else if (n == NULL) {
		add(d, "vfio-node", dev->name, IOL_FAIL,
			fmt(d, "/dev/vfio/%s absent although %s is bound to vfio-pci",
				name, dev->name),
			fmt(d, "check that devtmpfs is on /dev and udev runs; rebind: "
				"dpdk-devbind.py -u %s && dpdk-devbind.py -b vfio-pci %s",
				dev->name, dev->name));
	} else if (!n->usable) {
		add(d, "vfio-node", dev->name, IOL_FAIL,
			fmt(d, "/dev/vfio/%s (mode %04o, uid %u) cannot be opened "
				"read-write by this user", name,
				(unsigned int)(n->mode & 07777), (unsigned int)n->uid),
			fmt(d, "run as root, or: chown $USER /dev/vfio/%s (lasting: "
				"udev rule SUBSYSTEM==\"vfio\", OWNER=\"$USER\")", name));
	} else {
		add(d, "vfio-node", dev->name, IOL_PASS,
			fmt(d, "/dev/vfio/%s usable", name), NULL);
	}
}

static void
check_driver(struct doc *d, const struct iol_device *dev)
{
	const struct iol_netif *n = active_netif(dev);

	if (strcmp(dev->driver, "vfio-pci") == 0) {
		add(d, "driver", dev->name, IOL_PASS,
			fmt(d, "%s bound to vfio-pci", dev->name), NULL);
		return;
	}
	if (n != NULL) {
		add(d, "driver", dev->name, IOL_FAIL,
			fmt(d, "%s bound to %s, not vfio-pci, and its interface %s "
				"is up and routed (%u route%s): binding it to vfio-pci "
				"cuts this machine off that network (dpdk-devbind.py "
				"calls it *Active* and refuses)", dev->name, drv(dev),
				n->name, n->n_routes, n->n_routes == 1 ? "" : "s"),
			bind_fix(d, dev));
		return;
	}
	add(d, "driver", dev->name, IOL_FAIL,
		fmt(d, "%s %s%s, not vfio-pci", dev->name,
			dev->driver[0] ? "bound to " : "bound to no driver",
			dev->driver),
		bind_fix(d, dev));
}

static void
check_device(struct doc *d, const char *name)
{
	const struct iol_device *dev = iol_topology_device(d->t, name);

	if (dev == NULL) {
		add(d, "device", name, IOL_FAIL,
			fmt(d, "no device %s under %s/sys/bus/pci/devices", name,
				strcmp(d->t->root, "/") == 0 ? "" : d->t->root),
			fmt(d, "check the address with lspci -D or dpdk-devbind.py "
				"--status"));
		return;
	}
	if (!dev->present) {
		add(d, "device", name, IOL_FAIL,
			fmt(d, "%s could not be read (removed while reading? see "
				"the warnings)", name),
			fmt(d, "check that the device is still there: lspci -D -s %s",
				name));
		return;
	}
	if (!dev->has_ids)
		add(d, "device", name, IOL_WARN,
			fmt(d, "%s is there but its vendor, device or class could "
				"not be read (see the warnings) numa %d", name,
				dev->numa_node),
			fmt(d, "check it with lspci -D -nn -s %s", name));
	else
		add(d, "device", name, IOL_PASS,
			fmt(d, "%s [%04x:%04x] %s%s%s numa %d", name, dev->vendor,
				dev->device, dev->vendor_name ? dev->vendor_name : "",
				dev->vendor_name && dev->device_name ? " " : "",
				dev->device_name ? dev->device_name : "",
				dev->numa_node), NULL);
	check_driver(d, dev);
	check_group(d, dev);
	check_node(d, dev);
}

/* Alignment to keep when suggesting a new base: that of the old one. */
static uint64_t
base_align(uint64_t start)
{
	uint64_t a = start & -start;

	if (a > (1ULL << 30))
		return 1ULL << 30;
	if (a < (2ULL << 20))
		return 2ULL << 20;
	return a;
}

struct region_ref {
	const struct iol_resv_region *r;
	int group;
};

/* The reserved regions that apply: those of the devices' groups. */
static struct region_ref *
collect_regions(struct doc *d, const char *const *devs, unsigned int n_devs,
	unsigned int *n)
{
	const struct iol_topology *t = d->t;
	struct region_ref *refs = NULL, *nr;
	unsigned int g, i, k;
	bool all;

	*n = 0;
	/*
	 * A device in no group yet (arm64: until a driver binds it) will get
	 * the regions of a group to come, which its IOMMU gives every group
	 * (the SMMU's MSI window): every group's regions apply then.
	 */
	for (i = 0, all = n_devs == 0; i < n_devs && !all; i++) {
		const struct iol_device *dev = iol_topology_device(t, devs[i]);

		all = dev != NULL && dev->group < 0 && t->n_groups > 0;
	}
	for (g = 0; g < t->n_groups; g++) {
		bool used = all;

		for (i = 0; i < n_devs && !used; i++) {
			const struct iol_device *dev = iol_topology_device(t, devs[i]);

			used = dev != NULL && dev->group == t->groups[g].id;
		}
		if (!used)
			continue;
		for (k = 0; k < t->groups[g].n_resv; k++) {
			nr = realloc(refs, (*n + 1) * sizeof(*refs));
			if (nr == NULL) {
				d->oom = true;
				return refs;
			}
			refs = nr;
			refs[*n].r = &t->groups[g].resv[k];
			refs[(*n)++].group = t->groups[g].id;
		}
	}
	return refs;
}

/* Lowest base >= @p from, aligned, where @p len bytes miss every region. */
static bool
suggest_base(const struct region_ref *refs, unsigned int n, uint64_t from,
	uint64_t len, uint64_t align, uint64_t limit, uint64_t *out)
{
	uint64_t base = from;
	unsigned int pass, i;
	bool moved;

	for (pass = 0; pass <= n; pass++) {
		moved = false;
		for (i = 0; i < n; i++) {
			if (base > UINT64_MAX - len + 1 || base + len - 1 < base)
				return false;
			if (refs[i].r->start <= base + len - 1 && base <= refs[i].r->end) {
				if (refs[i].r->end > UINT64_MAX - align)
					return false;
				base = (refs[i].r->end + align) & ~(align - 1);
				moved = true;
			}
		}
		if (!moved)
			break;
	}
	if (moved || (limit != 0 && base + len - 1 > limit))
		return false;
	*out = base;
	return true;
}

/* Whether IOMMU @p u serves one of @p devs (all of them when one is unknown). */
static bool
unit_serves(const struct iol_topology *t, const struct iol_iommu_unit *u,
	const char *const *devs, unsigned int n_devs, bool all_units)
{
	unsigned int i;

	for (i = 0; i < n_devs && !all_units; i++) {
		const struct iol_device *dev = iol_topology_device(t, devs[i]);

		if (dev != NULL && strcmp(dev->iommu, u->name) == 0)
			return true;
	}
	return all_units;
}

/*
 * The narrowest of the IOMMUs that serve the devices (all of them when a
 * device's is not known, or no device is given), NULL when no width is
 * known; @p n_unknown counts those serving without a known width.
 */
static const struct iol_iommu_unit *
narrowest_unit(const struct iol_topology *t, const char *const *devs,
	unsigned int n_devs, unsigned int *n_unknown)
{
	const struct iol_iommu_unit *narrow = NULL;
	bool all_units = n_devs == 0;
	unsigned int i;

	for (i = 0; i < n_devs; i++) {
		const struct iol_device *dev = iol_topology_device(t, devs[i]);

		if (dev == NULL || dev->iommu[0] == '\0')
			all_units = true;
	}
	*n_unknown = 0;
	for (i = 0; i < t->n_units; i++) {
		const struct iol_iommu_unit *u = &t->units[i];

		if (!unit_serves(t, u, devs, n_devs, all_units))
			continue;
		if (u->addr_width == 0)
			(*n_unknown)++;
		else if (narrow == NULL || u->addr_width < narrow->addr_width)
			narrow = u;
	}
	return narrow;
}

unsigned int
iol_doctor_dma_width(const struct iol_topology *t, const char *const *devs,
	unsigned int n_devs)
{
	unsigned int n_unknown;
	const struct iol_iommu_unit *u = narrowest_unit(t, devs, n_devs, &n_unknown);

	return u != NULL ? u->addr_width : 0;
}

/* Last IOVA @p u can translate; 0 (no limit known) without a unit. */
static uint64_t
unit_limit(const struct iol_iommu_unit *u)
{
	if (u == NULL)
		return 0;
	return u->addr_width >= 64 ? UINT64_MAX : (1ULL << u->addr_width) - 1;
}

/* @p r against the address width of @p narrow; false when @p r is empty. */
static bool
check_iova_width(struct doc *d, const struct iol_iova_range *r,
	const char *subject, const struct iol_iommu_unit *narrow,
	unsigned int n_unknown)
{
	uint64_t limit = unit_limit(narrow);

	if (r->start > r->end) {
		add(d, "iova-width", subject, IOL_FAIL,
			fmt(d, "IOVA range %s is empty: start above end", subject),
			fmt(d, "give START-END with START <= END"));
		return false;
	}
	if (narrow != NULL && r->end > limit) {
		/* Size minus one: a range of all 2^64 bytes fits no type. */
		uint64_t span = r->end - r->start;

		add(d, "iova-width", subject, IOL_FAIL,
			fmt(d, "IOVA range %s ends beyond the %u-bit address "
				"width of %s (last IOVA 0x%" PRIx64 "), %s (%s)", subject,
				narrow->addr_width, narrow->name, limit,
				iol_iommu_family(narrow->kind), narrow->width_source),
			span <= limit ?
			fmt(d, "place the range below 0x%" PRIx64 "%s", limit + 1,
				narrow->kind == IOL_IOMMU_INTEL ? " (a QEMU guest "
				"can widen it: -device intel-iommu,aw-bits=48)" : "") :
			fmt(d, "the range is larger than the %u-bit IOVA space: "
				"map less memory", narrow->addr_width));
	} else if (narrow == NULL) {
		const struct iol_iommu_unit *u = NULL;
		unsigned int i;

		/* narrow is NULL: no unit serving them has a known width. */
		for (i = 0; i < d->t->n_units && u == NULL; i++)
			if (d->t->units[i].addr_width == 0)
				u = &d->t->units[i];

		add(d, "iova-width", subject, IOL_WARN,
			fmt(d, "IOVA range %s not checked against an address "
				"width: %s%s%s%s%s%s", subject, u == NULL ?
				"no IOMMU instance in /sys/class/iommu" :
				"sysfs does not expose the width of the IOMMU",
				u != NULL ? " (" : "",
				u != NULL ? iol_iommu_family(u->kind) : "",
				u != NULL ? " " : "", u != NULL ? u->name : "",
				u == NULL ? "" : u->width_hint != NULL ?
				": unknown, see dmesg 'ias')" : ")"),
			fmt(d, "keep IOVAs below 2^39 (0x8000000000), the "
				"smallest width common IOMMUs have"));
	} else {
		add(d, "iova-width", subject, n_unknown ? IOL_WARN : IOL_PASS,
			fmt(d, "IOVA range %s within the %u-bit address width of "
				"%s%s", subject, narrow->addr_width, narrow->name,
				n_unknown ? "; other IOMMUs have an unknown width" : ""),
			fmt(d, "keep IOVAs below 0x%" PRIx64, limit + 1));
	}
	return true;
}

/* Whether region @p k overlaps @p r and was not named already (same window, other group). */
static bool
new_overlap(const struct region_ref *refs, unsigned int k,
	const struct iol_iova_range *r)
{
	const struct iol_resv_region *g = refs[k].r;
	unsigned int j;

	if (g->start > r->end || r->start > g->end)
		return false;
	for (j = 0; j < k; j++)
		if (refs[j].r->start == g->start && refs[j].r->end == g->end &&
		    strcmp(refs[j].r->type_name, g->type_name) == 0)
			return false;
	return true;
}

/* The IOMMU family of group @p id: its devices' unit, or the host's only kind. */
static const struct iol_iommu_unit *
group_unit(const struct iol_topology *t, int id)
{
	const struct iol_iommu_group *g = iol_topology_group(t, id);
	unsigned int i, j;

	for (i = 0; g != NULL && i < g->n_devs; i++) {
		const struct iol_device *dev = &t->devs[g->devs[i]];

		for (j = 0; dev->iommu[0] != '\0' && j < t->n_units; j++)
			if (strcmp(t->units[j].name, dev->iommu) == 0)
				return &t->units[j];
	}
	for (i = 1; i < t->n_units; i++)
		if (t->units[i].kind != t->units[0].kind)
			return NULL;
	return t->n_units > 0 ? &t->units[0] : NULL;
}

/* What a reserved region is, as people know it; NULL when nothing special. */
static const char *
region_what(const struct iol_resv_region *g, const struct iol_iommu_unit *u)
{
	if (g->start == 0xfee00000 && g->end == 0xfeefffff)
		return "the x86 interrupt address range";
	if (g->start == 0xfd00000000ULL && g->end == 0xffffffffffULL)
		return "the HyperTransport hole";
	if (g->type == IOL_RESV_MSI && u != NULL && u->kind == IOL_IOMMU_ARM_SMMU)
		return "the SMMU's software MSI window";
	return NULL;
}

/* @p r against the reserved regions of the devices' groups. */
static void
check_iova_reserved(struct doc *d, const struct iol_iova_range *r,
	const char *subject, const struct region_ref *refs, unsigned int n_refs,
	uint64_t limit)
{
	char *hits = NULL, *tmp, *fix;
	bool hard = false, any = false;
	const struct iol_iommu_unit *u;
	const char *what;
	unsigned int k;
	uint64_t base;

	for (k = 0; k < n_refs; k++) {
		const struct iol_resv_region *g = refs[k].r;

		if (!new_overlap(refs, k, r))
			continue;
		any = true;
		hard |= g->type != IOL_RESV_DIRECT_RELAXABLE;
		u = group_unit(d->t, refs[k].group);
		what = region_what(g, u);
		tmp = fmt(d, "%s%s%s region 0x%" PRIx64 "-0x%" PRIx64
			" of group %d%s%s%s%s%s%s", hits ? hits : "", hits ? "; " : "",
			g->type_name, g->start, g->end, refs[k].group,
			g->type == IOL_RESV_MSI ? " (the MSI window)" : "",
			what != NULL ? ", " : "", what != NULL ? what : "",
			u != NULL ? " (" : "", u != NULL ? iol_iommu_family(u->kind) : "",
			u != NULL ? ")" : "");
		free(hits);
		hits = tmp;
		if (hits == NULL)
			break;
	}
	if (!any) {
		add(d, "iova-reserved", subject, IOL_PASS,
			fmt(d, "IOVA range %s clear of the %u reserved region(s)",
				subject, n_refs), NULL);
		return;
	}
	if (suggest_base(refs, n_refs, r->start, r->end - r->start + 1,
			base_align(r->start), limit, &base))
		fix = fmt(d, "move the range clear of it, e.g. to 0x%" PRIx64
			"-0x%" PRIx64 "%s", base, base + (r->end - r->start),
			hard ? "" : " (VFIO lets you map it, but firmware may "
			"still DMA there)");
	else
		fix = fmt(d, "move the range clear of the reserved regions");
	add(d, "iova-reserved", subject, hard ? IOL_FAIL : IOL_WARN,
		fmt(d, "IOVA range %s overlaps %s%s", subject, hits ? hits : "?",
			hard ? ": VFIO refuses to map it" :
			": VFIO allows it (relaxable), but the firmware reserved it"),
		fix);
	free(hits);
}

/* Each planned range: below the IOMMUs' width, clear of reserved regions. */
static void
iova_checks(struct doc *d, const char *const *devs, unsigned int n_devs,
	const struct iol_iova_range *iova, unsigned int n_iova)
{
	const struct iol_iommu_unit *narrow;
	unsigned int i, n_refs, n_unknown;
	struct region_ref *refs;
	char subject[48];

	narrow = narrowest_unit(d->t, devs, n_devs, &n_unknown);
	refs = collect_regions(d, devs, n_devs, &n_refs);
	for (i = 0; i < n_iova && !d->oom; i++) {
		snprintf(subject, sizeof(subject), "0x%" PRIx64 "-0x%" PRIx64,
			iova[i].start, iova[i].end);
		if (check_iova_width(d, &iova[i], subject, narrow, n_unknown))
			check_iova_reserved(d, &iova[i], subject, refs, n_refs,
				unit_limit(narrow));
	}
	free(refs);
}

static struct iol_doctor_report *
finish(struct doc *d)
{
	if (d->oom) {
		iol_doctor_report_free(d->rep);
		return NULL;
	}
	return d->rep;
}

struct iol_doctor_report *
iol_doctor_check_iova(const struct iol_topology *topo,
	const char *const *devices, unsigned int n_devices,
	const struct iol_iova_range *iova, unsigned int n_iova)
{
	struct doc d = { .t = topo };

	d.rep = calloc(1, sizeof(*d.rep));
	if (d.rep == NULL)
		return NULL;
	iova_checks(&d, devices, n_devices, iova, n_iova);
	return finish(&d);
}

struct iol_doctor_report *
iol_doctor_check_hugepages(const struct iol_topology *topo, uint64_t page_size,
	uint64_t bytes, int node)
{
	struct doc d = { .t = topo };

	d.rep = calloc(1, sizeof(*d.rep));
	if (d.rep == NULL)
		return NULL;
	check_hugepages_node(&d, page_size_or_default(topo, page_size), bytes,
		node);
	return finish(&d);
}

void
iol_doctor_plan_init(struct iol_doctor_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	iol_memlock_get(&plan->memlock_limit, &plan->cap_ipc_lock);
}

struct iol_doctor_report *
iol_doctor_run(const struct iol_topology *topo,
	const struct iol_doctor_plan *plan)
{
	struct doc d = { .t = topo };
	int nodes[64];
	unsigned int i, j, n_nodes = 0;

	d.rep = calloc(1, sizeof(*d.rep));
	if (d.rep == NULL)
		return NULL;
	check_iommu(&d, plan);
	check_noiommu(&d, plan);
	check_modules(&d);
	check_unsafe_interrupts(&d);
	check_memlock(&d, plan);
	check_dma_limit(&d, plan);
	check_hugetlbfs(&d, plan);
	for (i = 0; i < plan->n_devices; i++)
		check_device(&d, plan->devices[i]);

	/* Hugepages once per NUMA node the devices sit on. */
	for (i = 0; i < plan->n_devices; i++) {
		const struct iol_device *dev =
			iol_topology_device(topo, plan->devices[i]);
		int node = dev != NULL ? dev->numa_node : -1;

		for (j = 0; j < n_nodes && nodes[j] != node; j++)
			;
		if (j == n_nodes && n_nodes < sizeof(nodes) / sizeof(nodes[0]))
			nodes[n_nodes++] = node;
	}
	if (n_nodes == 0)
		nodes[n_nodes++] = -1;
	for (i = 0; i < n_nodes; i++)
		check_hugepages_node(&d, page_size_or_default(topo,
			plan->hugepage_size), plan->hugepage_bytes, nodes[i]);

	iova_checks(&d, plan->devices, plan->n_devices, plan->iova, plan->n_iova);
	return finish(&d);
}

const char *
iol_verdict_name(enum iol_verdict v)
{
	switch (v) {
	case IOL_PASS: return "PASS";
	case IOL_WARN: return "WARN";
	default: return "FAIL";
	}
}

void
iol_doctor_report_print(const struct iol_doctor_report *rep, FILE *out)
{
	unsigned int i;

	for (i = 0; i < rep->n_checks; i++) {
		const struct iol_check *c = &rep->checks[i];

		fprintf(out, "%s  %s", iol_verdict_name(c->verdict), c->message);
		if (c->fix != NULL)
			fprintf(out, "; fix: %s", c->fix);
		fputc('\n', out);
	}
	fprintf(out, "%u check(s): %u FAIL, %u WARN, %u PASS\n", rep->n_checks,
		rep->n_fail, rep->n_warn, rep->n_checks - rep->n_fail - rep->n_warn);
}

void
iol_doctor_report_json(const struct iol_doctor_report *rep, struct iol_json *j)
{
	unsigned int i;

	iol_json_object_open(j, NULL);
	iol_json_array_open(j, "checks");
	for (i = 0; i < rep->n_checks; i++) {
		const struct iol_check *c = &rep->checks[i];

		iol_json_object_open(j, NULL);
		iol_json_string(j, "name", c->name);
		iol_json_string(j, "subject", c->subject);
		iol_json_string(j, "verdict", iol_verdict_name(c->verdict));
		iol_json_string(j, "message", c->message);
		iol_json_string(j, "fix", c->fix);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_u64(j, "fail", rep->n_fail);
	iol_json_u64(j, "warn", rep->n_warn);
	iol_json_u64(j, "pass", rep->n_checks - rep->n_fail - rep->n_warn);
	iol_json_object_close(j);
}

void
iol_doctor_report_free(struct iol_doctor_report *rep)
{
	unsigned int i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n_checks; i++) {
		free(rep->checks[i].name);
		free(rep->checks[i].subject);
		free(rep->checks[i].message);
		free(rep->checks[i].fix);
	}
	free(rep->checks);
	free(rep);
}
