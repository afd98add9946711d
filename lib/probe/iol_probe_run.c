/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The probe's run: the engine, its buffer in the container's memory, the
 * canary pages, the second VFIO container, the kernel log, the attempts.
 * Everything is undone in reverse order on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_vfio.h>

#include "iol_audit.h"
#include "iol_config.h"
#include "iol_dma.h"
#include "iol_probe.h"
#include "iol_units.h"
#include "iol_xmem.h"

#define EXIT_BLOCKED 0
#define EXIT_NOT_BLOCKED 1
#define EXIT_USAGE 2
#define EXIT_SETUP 3

#define PCI_SYSFS "/sys/bus/pci/devices"
#define MAX_MAPPED 256
/* The first copy may wait for a slow emulated NIC; later ones get 20 x its time. */
#define CONTROL_WAIT_MS 10000
#define MIN_WAIT_MS 1000
/* After the wait: time for a late DMA to land and the fault line to be logged. */
#define SETTLE_MS 200

/* Seeds of the patterns: the source, the destination's prefill, the guards, the canaries. */
enum { SEED_SRC = 0x11, SEED_DST = 0x5a, SEED_GUARD = 0xc3, SEED_CANARY = 0x96 };

/* Position-dependent, so that a shifted copy is seen; never all zeros over a copy. */
static uint8_t
pattern(unsigned int seed, size_t i)
{
	return (uint8_t)(seed + i * 131 + (i >> 8) * 7) | (i % 61 == 0 ? 1 : 0);
}

static void
fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(seed, i);
}

/* Offset of the first byte of [from, to) that differs from its pattern, or -1. */
static long
differs(const uint8_t *p, size_t from, size_t to, unsigned int seed)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != pattern(seed, i))
			return (long)i;
	return -1;
}

struct probe {
	const struct iol_config *cfg;
	const struct iol_probe_env *env;
	FILE *out;
	struct iol_dma_engine engine;
	bool engine_open;
	const struct rte_memzone *mz;
	struct iol_xmem *xmem;
	struct iol_iova_seg xranges[16];
	unsigned int n_xmapped;     /* xmem ranges mapped in the engine's container */
	uint8_t *buf;
	uint64_t buf_iova;
	uint8_t *canary[IOL_PROBE_CANARIES];
	uint64_t canary_pa[IOL_PROBE_CANARIES];
	int other_fd;               /* second container, -1 none */
	int peer_group;
	int peer_dev_fd;
	bool other_mapped;
	char no_other_why[128];
	struct iol_kmsg kmsg;
	uint32_t len;
	uint64_t wait_ms;
	struct iol_probe_plan plan;
};

static uint64_t
phys_of(const struct probe *pr, const void *va)
{
	return pr->env->phys != NULL ? pr->env->phys(va) : rte_mem_virt2phy(va);
}

/* One line on stderr; returns @p code, the exit status. */
static int __attribute__((format(printf, 2, 3)))
fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iovaloop: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return code;
}

/* The probe's buffer: a memzone of DPDK's memory, or the start of xmem mapped in the container. */
static int
memory_setup(struct probe *pr)
{
	const struct iol_config *cfg = pr->cfg;
	struct iol_xmem_params xp = { 0 };
	char err[IOL_ERR_LEN];
	unsigned int i, n;

	if (cfg->mem == IOL_MEM_DPDK) {
		pr->mz = rte_memzone_reserve_aligned("iol_probe", IOL_PROBE_BUF_LEN, SOCKET_ID_ANY,
			RTE_MEMZONE_IOVA_CONTIG, IOL_PROBE_PAGE);
		if (pr->mz == NULL)
			return fail(EXIT_SETUP, "probe: no %u bytes of IOVA-contiguous DPDK "
				"memory for the probe's buffer: %s", IOL_PROBE_BUF_LEN,
				rte_strerror(rte_errno));
		pr->buf = pr->mz->addr;
		pr->buf_iova = pr->mz->iova;
		return 0;
	}
	xp.size = cfg->xmem_size;
	xp.page_size = cfg->page_size;
	xp.numa_node = -1;
	xp.iova_base = cfg->iova_base;
	xp.iova_base_set = cfg->iova_base_set;
	xp.sysfs_root = pr->env->sysfs_root;
	if (iol_xmem_create(&xp, &pr->xmem, err, sizeof(err)) < 0)
		return fail(EXIT_SETUP, "probe: %s", err);
	/* The engine's device is no rte_device: map xmem in its container directly. */
	n = iol_xmem_ranges(pr->xmem, pr->xranges, RTE_DIM(pr->xranges));
	if (n > RTE_DIM(pr->xranges))
		return fail(EXIT_SETUP, "probe: xmem has %u IOVA-contiguous runs, the probe "
			"maps at most %zu; use IOVA-as-VA mode or fewer pages", n,
			RTE_DIM(pr->xranges));
	for (i = 0; i < n; i++, pr->n_xmapped++)
		if (rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD, pr->xranges[i].va,
				pr->xranges[i].iova, pr->xranges[i].len) < 0)
			return fail(EXIT_SETUP, "probe: mapping xmem IOVA 0x%" PRIx64 " (%" PRIu64
				" bytes) in the engine's container failed: %s", pr->xranges[i].iova,
				pr->xranges[i].len, rte_strerror(rte_errno));
	pr->buf = iol_xmem_addr(pr->xmem);
	pr->buf_iova = iol_xmem_page_iova(pr->xmem, 0);
	return 0;
}

static void
memory_teardown(struct probe *pr)
{
	while (pr->n_xmapped > 0) {
		pr->n_xmapped--;
		if (rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD,
				pr->xranges[pr->n_xmapped].va, pr->xranges[pr->n_xmapped].iova,
				pr->xranges[pr->n_xmapped].len) < 0)
			fprintf(stderr, "iovaloop: probe: unmapping xmem IOVA 0x%" PRIx64 " from the "
				"engine's container failed: %s\n", pr->xranges[pr->n_xmapped].iova,
				rte_strerror(rte_errno));
	}
	if (pr->xmem != NULL)
		iol_xmem_destroy(pr->xmem);
	pr->xmem = NULL;
	rte_memzone_free(pr->mz);
	pr->mz = NULL;
}

/*
 * Canary pages: locked anonymous pages iovaloop owns, never mapped in the
 * engine's container. Untranslated, their physical addresses are the only
 * IOVAs a write attempt targets.
 */
static int
canaries_setup(struct probe *pr)
{
	unsigned int i;
	void *p;

	for (i = 0; i < IOL_PROBE_CANARIES; i++) {
		p = mmap(NULL, IOL_PROBE_PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			return fail(EXIT_SETUP, "probe: no memory for a canary page: %s",
				strerror(errno));
		pr->canary[i] = p;
		if (mlock(p, IOL_PROBE_PAGE) < 0)
			return fail(EXIT_SETUP, "probe: cannot lock a canary page (mlock: %s); "
				"raise RLIMIT_MEMLOCK", strerror(errno));
		fill(p, IOL_PROBE_PAGE, SEED_CANARY + i);
		pr->canary_pa[i] = phys_of(pr, p);
	}
	return 0;
}

static void
canaries_teardown(struct probe *pr)
{
	unsigned int i;

	for (i = 0; i < IOL_PROBE_CANARIES; i++)
		if (pr->canary[i] != NULL)
			munmap(pr->canary[i], IOL_PROBE_PAGE);
}

/*
 * The second container: --probe-peer's group bound to a container of its
 * own, the device set up in it (which sets the container's IOMMU type),
 * the OTHER canary mapped there at its physical address.
 */
static int
other_setup(struct probe *pr, const struct iol_topology *topo)
{
	const char *peer = pr->cfg->probe_peer;
	const struct iol_device *d, *e;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char bdf[IOL_PCI_ADDR_LEN];
	uint64_t pa = pr->canary_pa[IOL_PROBE_CANARY_OTHER];

	if (peer == NULL) {
		snprintf(pr->no_other_why, sizeof(pr->no_other_why), "no --probe-peer BDF to "
			"open a second VFIO container with");
		return 0;
	}
	iol_pci_addr_canon(peer, bdf);
	d = iol_topology_device(topo, bdf);
	e = iol_topology_device(topo, pr->plan.device);
	if (d == NULL || d->group < 0)
		return fail(EXIT_SETUP, "--probe-peer %s: no such device in an IOMMU group", bdf);
	if (strcmp(d->driver, "vfio-pci") != 0)
		return fail(EXIT_SETUP, "--probe-peer %s: bound to %s, not vfio-pci", bdf,
			d->driver[0] != '\0' ? d->driver : "no driver");
	if (e != NULL && e->group == d->group)
		return fail(EXIT_USAGE, "--probe-peer %s: in IOMMU group %d with the engine's "
			"device, so in its container; accepts a device of another group", bdf,
			d->group);
	if (pa == RTE_BAD_IOVA) {
		snprintf(pr->no_other_why, sizeof(pr->no_other_why), "the canary page's physical "
			"address is unknown (/proc/self/pagemap needs root)");
		return 0;
	}
	pr->other_fd = rte_vfio_container_create();
	if (pr->other_fd < 0)
		return fail(EXIT_SETUP, "probe: cannot create a second VFIO container");
	if (rte_vfio_get_group_num(PCI_SYSFS, bdf, &pr->peer_group) <= 0 ||
	    rte_vfio_container_group_bind(pr->other_fd, pr->peer_group) < 0)
		return fail(EXIT_SETUP, "--probe-peer %s: cannot bind its IOMMU group to the "
			"second container", bdf);
	if (rte_vfio_setup_device(PCI_SYSFS, bdf, &pr->peer_dev_fd, &info) != 0) {
		pr->peer_dev_fd = -1;
		return fail(EXIT_SETUP, "--probe-peer %s: cannot set it up in the second "
			"container (is its group viable and unused?)", bdf);
	}
	if (rte_vfio_container_dma_map(pr->other_fd, (uint64_t)(uintptr_t)
			pr->canary[IOL_PROBE_CANARY_OTHER], pa, IOL_PROBE_PAGE) < 0)
		return fail(EXIT_SETUP, "probe: mapping the canary at IOVA 0x%" PRIx64 " in the "
			"second container failed: %s", pa, rte_strerror(rte_errno));
	pr->other_mapped = true;
	return 0;
}

static void
other_teardown(struct probe *pr)
{
	char bdf[IOL_PCI_ADDR_LEN];

	if (pr->other_mapped &&
	    rte_vfio_container_dma_unmap(pr->other_fd, (uint64_t)(uintptr_t)
			pr->canary[IOL_PROBE_CANARY_OTHER], pr->canary_pa[IOL_PROBE_CANARY_OTHER],
			IOL_PROBE_PAGE) < 0)
		fprintf(stderr, "iovaloop: probe: unmapping the canary from the second container "
			"failed: %s\n", rte_strerror(rte_errno));
	pr->other_mapped = false;
	if (pr->peer_dev_fd >= 0) {
		iol_pci_addr_canon(pr->cfg->probe_peer, bdf);
		rte_vfio_release_device(PCI_SYSFS, bdf, pr->peer_dev_fd);
		pr->peer_dev_fd = -1;
	}
	/* Unbinds what is still bound and closes the container. */
	if (pr->other_fd >= 0)
		rte_vfio_container_destroy(pr->other_fd);
	pr->other_fd = -1;
}

/* The IOVA ranges mapped in the engine's container: every memseg, external ones included. */
static int
mapped_ranges(struct iol_iova_range *out, unsigned int *n)
{
	struct iol_iova_map m;
	unsigned int i;
	int ret;

	iol_iova_map_init(&m);
	ret = iol_iova_map_from_memsegs(&m, false);
	if (ret == 0 && m.n > MAX_MAPPED)
		ret = -E2BIG;
	for (i = 0; ret == 0 && i < m.n; i++)
		out[i] = (struct iol_iova_range){ m.segs[i].iova, m.segs[i].iova + m.segs[i].len - 1 };
	*n = ret == 0 ? m.n : 0;
	iol_iova_map_free(&m);
	return ret;
}

/*
 * The physical ranges something decodes: the top-level entries of
 * /proc/iomem (RAM, firmware, PCI windows, ...). Without root the kernel
 * shows every address as 0: then nothing is known (returns 0 ranges).
 */
static unsigned int
phys_used(const char *root, struct iol_iova_range *out, unsigned int max)
{
	char path[512], line[256];
	unsigned int n = 0;
	bool known = false;
	uint64_t a, b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/iomem", root != NULL ? root : "");
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), f) != NULL)
		if (line[0] != ' ' && sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &b) == 2 && a <= b) {
			out[n++] = (struct iol_iova_range){ a, b };
			known = known || b != 0;
		}
	/* A list cut short would call decoded addresses free. */
	if (!feof(f))
		known = false;
	fclose(f);
	return known ? n : 0;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The buffer and the canaries as the attempts start: every page its pattern. */
static void
memory_fill(struct probe *pr)
{
	unsigned int i;

	fill(pr->buf, IOL_PROBE_PAGE, SEED_GUARD);
	fill(pr->buf + IOL_PROBE_PAGE, IOL_PROBE_PAGE, SEED_SRC);
	fill(pr->buf + 2 * IOL_PROBE_PAGE, IOL_PROBE_PAGE, SEED_DST);
	fill(pr->buf + 3 * IOL_PROBE_PAGE, IOL_PROBE_PAGE, SEED_GUARD + 1);
	for (i = 0; i < IOL_PROBE_CANARIES; i++)
		fill(pr->canary[i], IOL_PROBE_PAGE, SEED_CANARY + i);
}

/*
 * Every byte iovaloop owns that no copy may change: the guards, the
 * source, the canaries, and the destination page but for the copy's
 * bytes (@p dst_slot: a read or a control wrote there).
 */
static bool
memory_check(struct probe *pr, bool dst_slot, char *note, size_t len)
{
	const uint8_t *dst = pr->buf + 2 * IOL_PROBE_PAGE;
	size_t slot = IOL_PROBE_TARGET_OFF;
	unsigned int i;
	long off;

	if ((off = differs(pr->buf, 0, IOL_PROBE_PAGE, SEED_GUARD)) >= 0 ||
	    (off = differs(pr->buf + 3 * IOL_PROBE_PAGE, 0, IOL_PROBE_PAGE, SEED_GUARD + 1)) >= 0) {
		snprintf(note, len, "a guard page of the probe's buffer, byte 0x%lx", off);
		return false;
	}
	if ((off = differs(pr->buf + IOL_PROBE_PAGE, 0, IOL_PROBE_PAGE, SEED_SRC)) >= 0) {
		snprintf(note, len, "the source page, byte 0x%lx", off);
		return false;
	}
	if ((off = differs(dst, 0, dst_slot ? slot : IOL_PROBE_PAGE, SEED_DST)) >= 0 ||
	    (dst_slot && (off = differs(dst, slot + pr->len, IOL_PROBE_PAGE, SEED_DST)) >= 0)) {
		snprintf(note, len, "the destination page, byte 0x%lx%s", off,
			dst_slot ? " (outside the copy)" : "");
		return false;
	}
	for (i = 0; i < IOL_PROBE_CANARIES; i++)
		if ((off = differs(pr->canary[i], 0, IOL_PROBE_PAGE, SEED_CANARY + i)) >= 0) {
			snprintf(note, len, "canary page %u (physical 0x%" PRIx64 "), byte 0x%lx", i,
				pr->canary_pa[i], off);
			return false;
		}
	return true;
}

/* What a read left in the destination: @p want are the target's bytes, when known. */
static enum iol_probe_dst
dst_state(const struct probe *pr, const uint8_t *want)
{
	const uint8_t *d = pr->buf + IOL_PROBE_DST_OFF;
	bool zeros = true;
	uint32_t i;

	if (differs(pr->buf + 2 * IOL_PROBE_PAGE, IOL_PROBE_TARGET_OFF,
			IOL_PROBE_TARGET_OFF + pr->len, SEED_DST) < 0)
		return IOL_PROBE_DST_UNCHANGED;
	if (want != NULL && memcmp(d, want, pr->len) == 0)
		return IOL_PROBE_DST_TARGET;
	for (i = 0; i < pr->len; i++)
		zeros = zeros && d[i] == 0;
	return zeros ? IOL_PROBE_DST_ZEROS : IOL_PROBE_DST_OTHER;
}

/* Poll for the copy with @p cookie for up to @p ms; the others that complete are dropped. */
static enum iol_probe_completion
wait_done(struct probe *pr, uint64_t cookie, uint64_t ms)
{
	struct iol_dma_done done[16];
	uint64_t end = rte_get_timer_cycles() + ms * rte_get_timer_hz() / 1000;
	uint16_t n, i;

	do {
		n = iol_dma_completed(&pr->engine, done, RTE_DIM(done));
		for (i = 0; i < n; i++)
			if (done[i].cookie == cookie)
				return done[i].status == IOL_DMA_OK ? IOL_PROBE_DONE_OK :
					IOL_PROBE_DONE_ERROR;
		if (n == 0)
			sleep_ms(1);
	} while (rte_get_timer_cycles() < end);
	return IOL_PROBE_NO_COMPLETION;
}

static int
engine_open(struct probe *pr, char *err, size_t errlen)
{
	int ret = iol_dma_open(pr->cfg->dma, RTE_VFIO_DEFAULT_CONTAINER_FD, &pr->engine,
		err, errlen);

	pr->engine_open = ret == 0;
	return ret;
}

static void
engine_close(struct probe *pr)
{
	if (pr->engine_open)
		iol_dma_close(&pr->engine);
	pr->engine_open = false;
}

/*
 * x86 low memory, below the VGA window at 640 KiB, is RAM or firmware
 * data, never device registers: the one place the probe reads a target's
 * untranslated bytes itself (/dev/mem shows its Reserved pages, such as
 * page 0, the real-mode interrupt table). Returns whether they are known
 * and not all zeros.
 */
#define LOW_MEMORY_END 0xa0000
static bool
low_memory_bytes(uint64_t pa, uint32_t len, uint8_t *out)
{
	bool nonzero = false;
	uint32_t i;
	int fd;

	if (pa + len > LOW_MEMORY_END)
		return false;
	fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (pread(fd, out, len, (off_t)pa) != (ssize_t)len)
		len = 0;
	close(fd);
	for (i = 0; i < len; i++)
		nonzero = nonzero || out[i] != 0;
	return nonzero;
}

/* One attempt, its evidence gathered; returns false when the engine is gone. */
static bool
attempt(struct probe *pr, struct iol_probe_attempt *a, uint64_t cookie)
{
	struct iol_probe_evidence *ev = &a->ev;
	bool is_read = a->dir == IOL_PROBE_READ;
	uint64_t src = is_read ? a->iova : pr->buf_iova + IOL_PROBE_SRC_OFF;
	uint64_t dst = is_read ? pr->buf_iova + IOL_PROBE_DST_OFF : a->iova;
	uint8_t want[IOL_PROBE_PAGE];
	const uint8_t *known = NULL;
	uint64_t t0;
	char err[IOL_ERR_LEN];
	int ret;

	if (a->target == IOL_PROBE_INSIDE) {
		known = pr->buf + IOL_PROBE_SRC_OFF;
	} else if (a->target == IOL_PROBE_MAPPING_END) {
		memcpy(want, rte_mem_iova2virt(a->iova), pr->len);
		known = want;
	} else if (is_read && !a->at_canary && pr->env->sysfs_root == NULL &&
		   low_memory_bytes(a->iova, pr->len, want)) {
		a->bytes_known = true;
		known = want;
	} else if (a->at_canary) {
		known = pr->canary[a->canary] + IOL_PROBE_TARGET_OFF;
		/* A page that moved since the plan: its old address is someone else's now. */
		if (phys_of(pr, pr->canary[a->canary]) != pr->canary_pa[a->canary]) {
			a->attempted = false;
			snprintf(a->skip_why, sizeof(a->skip_why), "canary page %u moved to another "
				"physical page since the plan", a->canary);
			return true;
		}
	}
	iol_kmsg_scan(&pr->kmsg, pr->plan.kind, NULL, 0);
	t0 = rte_get_timer_cycles();
	ret = iol_dma_enqueue(&pr->engine, src, dst, pr->len, cookie);
	if (ret < 0) {
		ev->completion = IOL_PROBE_REFUSED;
		ev->enqueue_err = ret;
	} else {
		iol_dma_submit(&pr->engine);
		ev->completion = wait_done(pr, cookie, a->target == IOL_PROBE_INSIDE ?
			CONTROL_WAIT_MS : pr->wait_ms);
	}
	if (a->target == IOL_PROBE_INSIDE)
		pr->wait_ms = RTE_MAX((uint64_t)MIN_WAIT_MS, 20 * (rte_get_timer_cycles() - t0) *
			1000 / rte_get_timer_hz());
	sleep_ms(SETTLE_MS);
	ev->fault = iol_kmsg_scan(&pr->kmsg, pr->plan.kind, ev->fault_line,
		sizeof(ev->fault_line));
	if (is_read)
		ev->dst = dst_state(pr, known);
	ev->canaries_intact = memory_check(pr, is_read, ev->canary_note,
		sizeof(ev->canary_note));
	memory_fill(pr);
	/* A copy still in flight would complete into a later attempt: start afresh. */
	if (ev->completion == IOL_PROBE_NO_COMPLETION) {
		engine_close(pr);
		if (engine_open(pr, err, sizeof(err)) != 0) {
			fprintf(stderr, "iovaloop: probe: reopening the engine after attempt %s "
				"failed: %s\n", a->what, err);
			return false;
		}
	}
	return true;
}

static void
run_attempts(struct probe *pr)
{
	const struct iol_probe_fault_log *log = iol_probe_fault_log(pr->plan.kind);
	uint64_t hz = rte_get_timer_hz(), last = 0, now;
	bool spaced = log->logged && pr->plan.log_readable;
	struct iol_probe_attempt *a;
	unsigned int i, j;
	char note[64];

	memory_fill(pr);
	for (i = 0; i < pr->plan.n; i++) {
		a = &pr->plan.attempts[i];
		if (!a->attempted) {
			iol_probe_judge(a, log);
			continue;
		}
		now = rte_get_timer_cycles();
		if (spaced && last != 0 && now - last < log->spacing_ms * hz / 1000)
			sleep_ms((unsigned int)(log->spacing_ms - (now - last) * 1000 / hz));
		last = rte_get_timer_cycles();
		/* Memory changed since the last attempt's check: its DMA landed late. */
		if (!memory_check(pr, false, note, sizeof(note)) && i > 0) {
			pr->plan.attempts[i - 1].ev.canaries_intact = false;
			snprintf(pr->plan.attempts[i - 1].ev.canary_note,
				sizeof(pr->plan.attempts[i - 1].ev.canary_note), "%s, after its wait",
				note);
			iol_probe_judge(&pr->plan.attempts[i - 1], log);
			memory_fill(pr);
		}
		if (!attempt(pr, a, i + 1)) {
			iol_probe_judge(a, log);
			for (j = i + 1; j < pr->plan.n; j++)
				pr->plan.attempts[j].verdict = IOL_PROBE_PENDING;
			return;
		}
		iol_probe_judge(a, log);
		if (a->verdict == IOL_PROBE_VOID) {
			for (j = i + 1; j < pr->plan.n; j++) {
				pr->plan.attempts[j].attempted = false;
				snprintf(pr->plan.attempts[j].skip_why,
					sizeof(pr->plan.attempts[j].skip_why), "the control failed: the "
					"probe is void");
				iol_probe_judge(&pr->plan.attempts[j], log);
			}
			return;
		}
	}
}

static int
write_json(const struct probe *pr)
{
	struct iol_json j;
	FILE *f = fopen(pr->cfg->json_path, "w");
	int ret;

	if (f == NULL)
		return fail(EXIT_SETUP, "--json %s: %s", pr->cfg->json_path, strerror(errno));
	iol_json_init(&j, f);
	iol_json_object_open(&j, NULL);
	iol_json_string(&j, "mode", "probe");
	iol_probe_json(&pr->plan, &j);
	iol_json_object_close(&j);
	ret = iol_json_finish(&j);
	if (fclose(f) != 0 || ret < 0)
		return fail(EXIT_SETUP, "--json %s: write failed", pr->cfg->json_path);
	return 0;
}

/* The engine's PCI address: "nic:BDF", or the test's. */
static int
engine_device(struct probe *pr, char bdf[IOL_PCI_ADDR_LEN])
{
	if (strncmp(pr->cfg->dma, "nic:", 4) == 0 && iol_pci_addr_canon(pr->cfg->dma + 4, bdf) == 0)
		return 0;
	if (pr->env->device != NULL && iol_pci_addr_canon(pr->env->device, bdf) == 0)
		return 0;
	return fail(EXIT_USAGE, "--dma %s: the probe needs the engine's PCI address to read "
		"its IOMMU group; accepts nic:BDF", pr->cfg->dma);
}

static int
probe_body(struct probe *pr, struct iol_topology *topo)
{
	static struct iol_iova_range mapped[MAX_MAPPED], used[MAX_MAPPED];
	struct iol_probe_setup s = { .topo = topo };
	char err[IOL_ERR_LEN], bdf[IOL_PCI_ADDR_LEN], msg[IOL_ERR_LEN];
	enum iol_probe_verdict v;
	int ret;

	/* Its message names the engine; no such engine is bad usage, a refusing one a set-up failure. */
	if ((ret = engine_open(pr, err, sizeof(err))) != 0)
		return fail(ret == -ENODEV || ret == -EINVAL ? EXIT_USAGE : EXIT_SETUP, "%s", err);
	if (pr->engine.caps.va_only || !pr->engine.caps.behind_iommu)
		return fail(EXIT_USAGE, "--dma %s: the probe needs a device whose DMA goes "
			"through the IOMMU (this engine's %s)", pr->cfg->dma,
			pr->engine.caps.va_only ? "IOVAs are virtual addresses" :
			"DMA does not go through the IOMMU");
	if ((ret = engine_device(pr, bdf)) != 0)
		return ret;
	snprintf(pr->plan.device, sizeof(pr->plan.device), "%s", bdf);
	pr->len = RTE_MAX(64u, pr->engine.caps.min_copy);
	if (pr->len > pr->engine.caps.max_copy || pr->len > IOL_PROBE_PAGE - IOL_PROBE_TARGET_OFF)
		return fail(EXIT_SETUP, "--dma %s: copies of %u to %u bytes; the probe needs "
			"%u", pr->cfg->dma, pr->engine.caps.min_copy, pr->engine.caps.max_copy, pr->len);
	if ((ret = memory_setup(pr)) != 0 || (ret = canaries_setup(pr)) != 0 ||
	    (ret = other_setup(pr, topo)) != 0)
		return ret;
	if (mapped_ranges(mapped, &s.n_mapped) < 0)
		return fail(EXIT_SETUP, "probe: cannot list the memory mapped in the "
			"engine's container (more than %d ranges?)", MAX_MAPPED);
	s.device = bdf;
	s.mapped = mapped;
	s.buf_iova = pr->buf_iova;
	s.len = pr->len;
	memcpy(s.canary_pa, pr->canary_pa, sizeof(s.canary_pa));
	s.n_phys_used = phys_used(pr->env->sysfs_root, used, MAX_MAPPED);
	s.phys_used = s.n_phys_used > 0 ? used : NULL;
	s.other_container = pr->other_mapped;
	s.no_other_why = pr->no_other_why;
	if (iol_probe_plan(&s, &pr->plan, err, sizeof(err)) < 0)
		return fail(EXIT_SETUP, "probe: %s", err);
	snprintf(pr->plan.engine, sizeof(pr->plan.engine), "%s", pr->cfg->dma);
	iol_kmsg_open(&pr->kmsg, pr->env->kmsg_path);
	pr->plan.log_readable = pr->kmsg.fd >= 0;
	snprintf(pr->plan.log_why, sizeof(pr->plan.log_why), "%s", pr->kmsg.why);
	run_attempts(pr);
	iol_kmsg_close(&pr->kmsg);
	iol_probe_print(&pr->plan, pr->out);
	fflush(pr->out);
	if (pr->cfg->json_path != NULL && (ret = write_json(pr)) != 0)
		return ret;
	v = iol_probe_message(&pr->plan, msg, sizeof(msg));
	if (v == IOL_PROBE_BLOCKED)
		return EXIT_BLOCKED;
	fprintf(stderr, "iovaloop: %s\n", msg);
	return v == IOL_PROBE_VOID ? EXIT_SETUP : EXIT_NOT_BLOCKED;
}

int
iol_probe_run(const struct iol_config *cfg, const struct iol_probe_env *env)
{
	struct probe *pr = calloc(1, sizeof(*pr));
	struct iol_topology *topo;
	int ret;

	if (pr == NULL)
		return fail(EXIT_SETUP, "probe: out of memory");
	pr->cfg = cfg;
	pr->env = env;
	pr->out = env->out != NULL ? env->out : stdout;
	pr->other_fd = -1;
	pr->peer_dev_fd = -1;
	pr->kmsg.fd = -1;
	topo = iol_topology_read(env->sysfs_root);
	if (topo == NULL) {
		free(pr);
		return fail(EXIT_SETUP, "probe: out of memory reading the IOMMU topology");
	}
	ret = probe_body(pr, topo);
	/* Reverse order of set-up: xmem is unmapped while the engine's group still holds the container. */
	iol_kmsg_close(&pr->kmsg);
	other_teardown(pr);
	canaries_teardown(pr);
	memory_teardown(pr);
	engine_close(pr);
	iol_topology_free(topo);
	free(pr);
	return ret;
}

void
iol_kmsg_open(struct iol_kmsg *k, const char *path)
{
	const char *p = path != NULL ? path : "/dev/kmsg";

	k->why[0] = '\0';
	k->fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		snprintf(k->why, sizeof(k->why), "the kernel log cannot be read (%s: %s%s)", p,
			strerror(errno), errno == EPERM || errno == EACCES ?
			"; reading it needs root or CAP_SYSLOG" : "");
		return;
	}
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		snprintf(k->why, sizeof(k->why), "the kernel log cannot be read (%s: seek: %s)", p,
			strerror(errno));
		close(k->fd);
		k->fd = -1;
	}
}

/*
 * /dev/kmsg gives one record a read ("prio,seq,time,flags;text\n", then
 * continuation lines); a plain file (the tests') gives many lines at once:
 * both are split into lines here.
 */
enum iol_probe_fault
iol_kmsg_scan(struct iol_kmsg *k, enum iol_iommu_kind kind, char *line, size_t len)
{
	int best = -1, rank;
	char buf[8192], *l, *next, *text;
	ssize_t n;

	if (k->fd < 0)
		return IOL_PROBE_FAULT_UNREADABLE;
	for (;;) {
		n = read(k->fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* records overwritten before they were read: go on */
		if (n <= 0)
			break;
		buf[n] = '\0';
		for (l = buf; l != NULL && *l != '\0'; l = next) {
			next = strchr(l, '\n');
			if (next != NULL)
				*next++ = '\0';
			text = strchr(l, ';');
			text = text != NULL ? text + 1 : l;
			rank = iol_probe_fault_rank(kind, text);
			if (rank >= 0 && (best < 0 || rank < best)) {
				best = rank;
				if (line != NULL)
					snprintf(line, len, "%s", text);
			}
		}
	}
	return best >= 0 ? IOL_PROBE_FAULT_SEEN : IOL_PROBE_FAULT_NONE;
}

void
iol_kmsg_close(struct iol_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
