/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getcpu() */
#endif
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <hugetlbfs.h>
#include <numa.h>
#include <numaif.h>

#include <rte_bus.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_vfio.h>

#include "iol_iommu.h"
#include "iol_units.h"
#include "iol_xmem.h"

RTE_LOG_REGISTER(iol_xmem_logtype, iovaloop.xmem, INFO);

#define XMEM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iol_xmem_logtype, "xmem: " fmt "\n", \
		##__VA_ARGS__)

/* Pools one xmem can hold. */
#define XMEM_MAX_POOLS 8
/* eal_vfio.c VFIO_MAX_USER_MEM_MAPS: user mappings DPDK records per container. */
#define XMEM_VFIO_MAX_USER_MAPS 256

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

struct iol_xmem {
	void *va;
	uint64_t len;
	uint64_t page_size;
	unsigned int n_pages;
	int node;
	int fd;                     /* hugetlbfs file, -1 for anonymous */
	bool mapped_mem;            /* mmap done */
	bool locked;
	bool registered;
	bool iova_as_pa;
	bool iova_base_set;
	uint64_t iommu_page;        /* the IOMMU's smallest page the IOVAs are aligned to */
	char iommu_page_src[48];    /* where iommu_page came from */
	rte_iova_t *iova;           /* one a page */
	struct iol_iova_seg *runs;
	unsigned int n_runs;
	struct rte_device **devs;
	unsigned int n_devs;
	unsigned int *dev_runs;     /* runs this device's own map calls mapped */
	bool *dev_shared;           /* in DPDK's VFIO container, mapped by the
	                               first such device: no call of its own */
	unsigned int n_container;   /* devices in DPDK's VFIO container */
	unsigned int n_mapped;      /* devices fully mapped */
	bool unmap_failed;          /* memory left mapped: never freed */
	struct iol_xmem_hooks hooks; /* map and unmap always set */
	struct rte_mempool *pools[XMEM_MAX_POOLS];
	unsigned int n_pools;
	unsigned int cur_run;       /* memory not yet given to a pool */
	uint64_t cur_off;
};

/*
 * Whether rte_dev_dma_map() on @p dev lands in DPDK's default VFIO
 * container, shared by every vfio-pci device the EAL probed: in 22.11
 * pci_dma_map() (drivers/bus/pci/pci_common.c) calls the driver's own
 * dma_map if it has one, else rte_vfio_container_dma_map() on the default
 * container when the device is on vfio, else fails with ENOTSUP. The PCI
 * driver structures are not installed headers, so the kernel driver is
 * taken from the topology (sysfs); a PCI device whose driver cannot be
 * read is taken to be on vfio-pci (the case that shares). Drivers with
 * their own dma_map on a vfio-pci device are not known in 22.11.
 */
static bool
in_container(const struct iol_xmem_hooks *h, const struct iol_topology *topo,
	const struct rte_device *dev)
{
	const struct rte_bus *bus;
	const struct iol_device *d;

	if (h != NULL && h->in_vfio_container != NULL)
		return h->in_vfio_container(dev);
	bus = rte_dev_bus(dev);
	if (bus == NULL || strcmp(rte_bus_name(bus), "pci") != 0)
		return false;
	d = iol_topology_device(topo, rte_dev_name(dev));
	return d == NULL || d->driver[0] == '\0' ||
		strcmp(d->driver, "vfio-pci") == 0;
}

const char *
iol_xmem_step_name(enum iol_xmem_step s)
{
	switch (s) {
	case IOL_XMEM_STEP_ALLOC: return "alloc";
	case IOL_XMEM_STEP_LOCK: return "lock";
	case IOL_XMEM_STEP_REGISTER: return "register";
	case IOL_XMEM_STEP_MAP: return "map";
	case IOL_XMEM_STEP_POOL: return "pool";
	default: return "none";
	}
}

/* Every message of this library says where it comes from. */
#define seterr(err, len, fmt, ...) iol_errf(err, len, "xmem: " fmt, ##__VA_ARGS__)

/* The test seam's failure after step @p s, if it is the one to inject. */
static int
injected(const struct iol_xmem_hooks *h, enum iol_xmem_step s, char *err,
	size_t errlen)
{
	if (h->fail_step != s)
		return 0;
	seterr(err, errlen, "step %s failed: injected failure (test)",
		iol_xmem_step_name(s));
	return -EIO;
}

/* ---- parameters and host resources, before anything is allocated ---- */

static int
check_numa(const struct iol_xmem_params *p, int *node, char *err, size_t errlen)
{
	int max;

	if (numa_available() < 0) {
		/* No NUMA support: everything is on node 0. */
		if (p->numa_node > 0) {
			seterr(err, errlen, "NUMA node %d does not exist: this host "
				"has no NUMA support (only node 0)", p->numa_node);
			return -ENODEV;
		}
		*node = 0;
		return 0;
	}
	max = numa_max_node();
	if (p->numa_node < 0) {
		int cpu = sched_getcpu();

		*node = cpu >= 0 ? numa_node_of_cpu(cpu) : 0;
		if (*node < 0)
			*node = 0;
		return 0;
	}
	if (p->numa_node > max || numa_node_size64(p->numa_node, NULL) < 0 ||
	    !numa_bitmask_isbitset(numa_nodes_ptr, p->numa_node)) {
		seterr(err, errlen, "NUMA node %d does not exist: this host has "
			"nodes 0-%d (see /sys/devices/system/node)", p->numa_node, max);
		return -ENODEV;
	}
	*node = p->numa_node;
	return 0;
}

/*
 * The topology every sysfs read of iol_xmem_create() uses, read once: an
 * unreadable sysfs_root is refused as such, read problems below it are
 * logged (they leave the doctor's checks at WARN). NULL with @p ret set.
 */
static struct iol_topology *
read_topology(const struct iol_xmem_params *p, int *ret, char *err,
	size_t errlen)
{
	struct iol_topology *topo;
	unsigned int i;

	if (p->sysfs_root != NULL) {
		DIR *d = opendir(p->sysfs_root);

		if (d == NULL) {
			seterr(err, errlen, "cannot read the sysfs root %s (for the "
				"hugepage and IOVA plan checks): %s", p->sysfs_root,
				strerror(errno));
			*ret = -ENOENT;
			return NULL;
		}
		closedir(d);
	}
	/* iol_topology_read() returns NULL only when out of memory. */
	topo = iol_topology_read(p->sysfs_root != NULL ? p->sysfs_root : "/");
	if (topo == NULL) {
		seterr(err, errlen, "out of memory reading the topology");
		*ret = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < topo->n_warnings; i++)
		XMEM_LOG(INFO, "reading %s: %s", topo->root, topo->warnings[i]);
	return topo;
}

/*
 * Enough free hugepages of the size on the node, as the doctor judges it
 * (reserved pages are not free; its fix is the one given).
 */
static int
check_hugepages(const struct iol_topology *topo,
	const struct iol_xmem_params *p, int node, char *err, size_t errlen)
{
	struct iol_doctor_report *rep;
	const struct iol_check *c;
	char h[32];
	int ret = 0;

	rep = iol_doctor_check_hugepages(topo, p->page_size, p->size, node);
	if (rep == NULL || rep->n_checks != 1) {
		iol_doctor_report_free(rep);
		seterr(err, errlen, "out of memory checking the hugepages");
		return -ENOMEM;
	}
	c = &rep->checks[0];
	if (c->verdict == IOL_FAIL) {
		if (iol_topology_hugepages(topo, node, p->page_size) == NULL &&
		    iol_topology_hugepages(topo, -1, p->page_size) == NULL) {
			seterr(err, errlen, "page size %s is not a hugepage size of "
				"this host: %s; fix: %s", iol_size_str(p->page_size,
				IOL_SIZE_HUMAN, h, sizeof(h)), c->message, c->fix);
			ret = -EINVAL;
		} else {
			seterr(err, errlen, "not enough free hugepages of %" PRIu64
				" kB: %s; fix: %s", p->page_size >> 10, c->message,
				c->fix);
			ret = -ENOMEM;
		}
	}
	iol_doctor_report_free(rep);
	return ret;
}

/*
 * A chosen IOVA base: VA mode only, not wrapping. Its alignment is the
 * IOMMU's business (check_base_align(), once the topology is read).
 */
static int
check_base(const struct iol_xmem_params *p, char *err, size_t errlen)
{
	if (rte_eal_iova_mode() == RTE_IOVA_PA) {
		seterr(err, errlen, "IOVA base 0x%" PRIx64 " refused: the EAL "
			"runs in IOVA-as-PA mode, where each page's IOVA is its "
			"physical address and cannot be chosen; use "
			"--iova-mode=va to place memory at chosen IOVAs",
			p->iova_base);
		return -EINVAL;
	}
	if (p->iova_base + p->size < p->iova_base) {
		seterr(err, errlen, "IOVA base 0x%" PRIx64 " + size 0x%" PRIx64
			" wraps around 2^64", p->iova_base, p->size);
		return -ERANGE;
	}
	return 0;
}

/*
 * The smallest page the IOMMU maps, which every IOVA (and VA, and length)
 * given to VFIO must be aligned to; a hugepage's IOVA need not be aligned
 * to the hugepage size. When a device is in DPDK's default VFIO container
 * it is VFIO's own answer: VFIO_IOMMU_GET_INFO's iova_pgsizes, lowest set
 * bit, on the container rte_vfio_get_container_fd() returns (in 22.11 the
 * default container's fd, or -1 while VFIO is not enabled: no container
 * is opened; the ioctl only reads). Otherwise, or when that fails, the
 * base page size (4 KiB on x86 and Debian's arm64): nothing smaller can
 * be mapped, and vfio_iommu_type1 never reports less than PAGE_SIZE.
 */
static uint64_t
iommu_min_page(const struct iol_xmem_hooks *h, const struct iol_topology *topo,
	const struct iol_xmem_params *p, char *src, size_t srclen)
{
	uint64_t base = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned int i;
	bool vfio = false;

	if (base < 4096 || !rte_is_power_of_2(base))
		base = 4096;
	if (h != NULL && h->iommu_page_size != NULL) {
		uint64_t v = h->iommu_page_size();

		snprintf(src, srclen, "test hook");
		return v != 0 && rte_is_power_of_2(v) ? v : base;
	}
	for (i = 0; i < p->n_devs && !p->no_dma_map; i++)
		vfio |= in_container(h, topo, p->devs[i]);
	if (vfio) {
		struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
		int fd = rte_vfio_get_container_fd();

		if (fd >= 0 && ioctl(fd, VFIO_IOMMU_GET_INFO, &info) == 0 &&
		    (info.flags & VFIO_IOMMU_INFO_PGSIZES) &&
		    info.iova_pgsizes != 0) {
			snprintf(src, srclen, "VFIO_IOMMU_GET_INFO");
			return info.iova_pgsizes & -info.iova_pgsizes;
		}
		XMEM_LOG(DEBUG, "VFIO_IOMMU_GET_INFO on DPDK's container (fd %d) "
			"gave no page sizes: %s; assuming the base page size",
			fd, fd >= 0 ? strerror(errno) : "no container");
	}
	snprintf(src, srclen, "the base page size");
	return base;
}

/* A chosen base must be aligned to the IOMMU's smallest page, no more. */
static int
check_base_align(const struct iol_xmem_params *p, uint64_t iommu_page,
	const char *src, char *err, size_t errlen)
{
	char h[32];

	if (!p->iova_base_set || p->iova_base % iommu_page == 0)
		return 0;
	seterr(err, errlen, "IOVA base 0x%" PRIx64 " is not aligned to the "
		"IOMMU's smallest page, %s (0x%" PRIx64 ", from %s), which VFIO "
		"maps at: the next aligned base is 0x%" PRIx64, p->iova_base,
		iol_size_str(iommu_page, IOL_SIZE_HUMAN, h, sizeof(h)), iommu_page,
		src, RTE_ALIGN_CEIL(p->iova_base, iommu_page));
	return -EINVAL;
}

/* ---- the plan: IOVA ranges against the IOMMU and DPDK's memsegs ---- */

struct overlap_ctx {
	const struct iol_iova_seg *runs;
	unsigned int n_runs;
	const void *self_va;
	uint64_t self_len;
	char *err;
	size_t errlen;
};

static int
overlap_cb(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	void *arg)
{
	struct overlap_ctx *c = arg;
	uint64_t va = (uint64_t)(uintptr_t)ms->addr;
	unsigned int i;

	RTE_SET_USED(msl);
	if (ms->iova == RTE_BAD_IOVA || ms->len == 0)
		return 0;
	if (c->self_va != NULL && va >= (uint64_t)(uintptr_t)c->self_va &&
	    va < (uint64_t)(uintptr_t)c->self_va + c->self_len)
		return 0;
	for (i = 0; i < c->n_runs; i++) {
		const struct iol_iova_seg *r = &c->runs[i];

		if (ms->iova < r->iova + r->len && r->iova < ms->iova + ms->len) {
			seterr(c->err, c->errlen, "IOVA range 0x%" PRIx64 "-0x%" PRIx64
				" overlaps the IOVAs of DPDK memory already there "
				"(memseg va 0x%" PRIx64 " iova 0x%" PRIx64 "-0x%" PRIx64
				"%s): a device could not tell them apart; choose "
				"another IOVA base", r->iova, r->iova + r->len - 1,
				va, ms->iova, ms->iova + ms->len - 1,
				msl->external ? ", external memory" : "");
			return 1;
		}
	}
	return 0;
}

/*
 * VA mode: DPDK fills its reserved memseg lists later, each page at
 * IOVA = VA. A run whose IOVAs fall in a list's VA range would collide
 * with a later DPDK allocation, whose VFIO map then gets EEXIST, which
 * eal_vfio.c takes as "already mapped, skipping": the device would DMA
 * into this memory instead. Every list of DPDK's own (not external) counts,
 * allocated or not.
 */
static int
msl_overlap_cb(const struct rte_memseg_list *msl, void *arg)
{
	struct overlap_ctx *c = arg;
	uint64_t base = (uint64_t)(uintptr_t)msl->base_va;
	unsigned int i;

	if (msl->external || msl->base_va == NULL || msl->len == 0)
		return 0;
	for (i = 0; i < c->n_runs; i++) {
		const struct iol_iova_seg *r = &c->runs[i];

		if (base < r->iova + r->len && r->iova < base + msl->len) {
			seterr(c->err, c->errlen, "IOVA range 0x%" PRIx64 "-0x%" PRIx64
				" overlaps the VA range 0x%" PRIx64 "-0x%" PRIx64 " DPDK "
				"reserved for a memseg list (%" PRIu64 " kB pages, socket "
				"%d): in VA mode DPDK maps the memory it allocates there "
				"at IOVA = VA, so a later allocation would collide with "
				"this memory; choose another IOVA base", r->iova,
				r->iova + r->len - 1, base, base + msl->len - 1,
				msl->page_sz >> 10, msl->socket_id);
			return 1;
		}
	}
	return 0;
}

static int
check_plan(const struct iol_topology *topo, const struct iol_xmem_params *p,
	uint64_t iommu_page, const struct iol_iova_seg *runs, unsigned int n_runs,
	const void *self_va, char *err, size_t errlen)
{
	struct overlap_ctx oc = {
		.runs = runs, .n_runs = n_runs, .self_va = self_va,
		.self_len = p->size, .err = err, .errlen = errlen,
	};
	struct iol_iova_range *ranges;
	struct iol_doctor_report *rep;
	const char **names;
	unsigned int i, n_pci = 0, n_named;
	int ret = 0;

	for (i = 0; i < n_runs; i++) {
		if (runs[i].iova % iommu_page != 0) {
			seterr(err, errlen, "IOVA 0x%" PRIx64 " is not aligned to the "
				"IOMMU's smallest page 0x%" PRIx64, runs[i].iova,
				iommu_page);
			return -EINVAL;
		}
		if (runs[i].iova + runs[i].len < runs[i].iova) {
			seterr(err, errlen, "IOVA range from 0x%" PRIx64 " of 0x%" PRIx64
				" bytes wraps around 2^64", runs[i].iova, runs[i].len);
			return -EINVAL;
		}
	}

	/*
	 * DPDK's VFIO layer records at most 256 user mappings per container.
	 * Every device in DPDK's default container shares one set of maps
	 * (one map a run, made once); other devices do not use it.
	 */
	for (i = 0; i < p->n_devs && !p->no_dma_map; i++)
		if (in_container(p->hooks, topo, p->devs[i]))
			n_pci++;
	if (n_pci > 0 && n_runs > XMEM_VFIO_MAX_USER_MAPS) {
		seterr(err, errlen, "%u IOVA-contiguous runs need %u DMA mappings "
			"in DPDK's VFIO container (shared by %u device%s), more "
			"than the %d DPDK's VFIO layer can record; use VA mode or "
			"larger pages", n_runs, n_runs, n_pci, n_pci == 1 ? "" : "s",
			XMEM_VFIO_MAX_USER_MAPS);
		return -E2BIG;
	}

	if (rte_memseg_walk(overlap_cb, &oc) != 0)
		return -EADDRINUSE;
	if (rte_eal_iova_mode() == RTE_IOVA_VA &&
	    rte_memseg_list_walk(msl_overlap_cb, &oc) != 0)
		return -EADDRINUSE;

	/* Reserved regions and address width of the devices' IOMMUs. */
	ranges = calloc(n_runs, sizeof(*ranges));
	names = calloc(p->n_devs + 1, sizeof(*names));
	if (ranges == NULL || names == NULL) {
		seterr(err, errlen, "out of memory checking the IOVA plan");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_runs; i++) {
		ranges[i].start = runs[i].iova;
		ranges[i].end = runs[i].iova + runs[i].len - 1;
	}
	/*
	 * The devices sysfs knows (PCI functions). A virtual device has no
	 * IOMMU group; when none is known, every group and every IOMMU is
	 * checked (iol_doctor_check_iova() with no device), which is the
	 * safe side.
	 */
	for (i = 0, n_named = 0; i < p->n_devs; i++)
		if (iol_topology_device(topo, rte_dev_name(p->devs[i])) != NULL)
			names[n_named++] = rte_dev_name(p->devs[i]);
	rep = iol_doctor_check_iova(topo, names, n_named, ranges, n_runs);
	if (rep == NULL) {
		seterr(err, errlen, "out of memory checking the IOVA plan");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rep->n_checks; i++) {
		const struct iol_check *c = &rep->checks[i];

		if (c->verdict != IOL_FAIL)
			continue;
		seterr(err, errlen, "IOVA plan refused (%s): %s%s%s", c->name,
			c->message, c->fix != NULL ? "; fix: " : "",
			c->fix != NULL ? c->fix : "");
		ret = c->name != NULL && strcmp(c->name, "iova-width") == 0 ?
			-ERANGE : -EADDRNOTAVAIL;
		break;
	}
	iol_doctor_report_free(rep);
out:
	free(names);
	free(ranges);
	return ret;
}

/* ---- allocation ---- */

/*
 * Why not get_huge_pages()/get_hugepage_region(): they take no page size
 * (only libhugetlbfs's default one, from HUGETLB_DEFAULT_PAGE_SIZE or the
 * kernel) and they fault the pages in before returning, so the NUMA
 * binding could only come from the thread's policy and a shortage would
 * surface late. libhugetlbfs still does what it is good at: finding a
 * hugetlbfs mount of the wanted size and giving an unlinked file on it
 * (hugetlbfs_find_path_for_size(), hugetlbfs_unlinked_fd_for_size()).
 * Without such a mount (typically 1G pages with only the default mount)
 * an anonymous MAP_HUGETLB mapping with MAP_HUGE_<size> does the same.
 * Either way the kernel reserves the pages at mmap() time, so a shortage
 * is an ENOMEM from mmap(), never a SIGBUS on first touch.
 */
static int
xmem_alloc(struct iol_xmem *x, char *err, size_t errlen)
{
	const char *mnt = hugetlbfs_find_path_for_size((long)x->page_size);
	char h[32], h2[32];
	int e;

	if (mnt != NULL)
		x->fd = hugetlbfs_unlinked_fd_for_size((long)x->page_size);
	if (x->fd >= 0) {
		x->va = mmap(NULL, x->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			x->fd, 0);
	} else {
		int shift = rte_log2_u64(x->page_size);

		x->va = mmap(NULL, x->len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			(shift << MAP_HUGE_SHIFT), -1, 0);
	}
	if (x->va == MAP_FAILED) {
		e = errno;
		x->va = NULL;
		seterr(err, errlen, "cannot map %s of %s hugepages (%s): %s%s",
			iol_size_str(x->len, IOL_SIZE_HUMAN, h, sizeof(h)),
			iol_size_str(x->page_size, IOL_SIZE_HUMAN, h2, sizeof(h2)),
			x->fd >= 0 ? mnt : "anonymous MAP_HUGETLB", strerror(e),
			e == ENOMEM ? " (not enough free hugepages of that size)" : "");
		return -e;
	}
	x->mapped_mem = true;
	if ((uintptr_t)x->va % x->page_size != 0) {
		seterr(err, errlen, "hugepage mapping at %p is not aligned to its "
			"page size", x->va);
		return -EINVAL;
	}

	/* Bind before the first touch: the pages are allocated on fault. */
	if (numa_available() >= 0) {
		struct bitmask *bm = numa_allocate_nodemask();
		long r;

		if (bm == NULL) {
			seterr(err, errlen, "out of memory for a NUMA node mask");
			return -ENOMEM;
		}
		numa_bitmask_setbit(bm, x->node);
		r = mbind(x->va, x->len, MPOL_BIND, bm->maskp, bm->size + 1, 0);
		e = errno;
		numa_free_nodemask(bm);
		if (r != 0) {
			seterr(err, errlen, "cannot bind the memory to NUMA node %d "
				"(mbind): %s", x->node, strerror(e));
			return -e;
		}
	}

	/*
	 * Fault every page in now, where a failure is an error code: with
	 * MADV_POPULATE_WRITE (Linux 5.14). Older kernels get EINVAL and the
	 * mlock() of the next step populates instead.
	 */
	if (madvise(x->va, x->len, MADV_POPULATE_WRITE) != 0 && errno != EINVAL) {
		e = errno;
		seterr(err, errlen, "cannot allocate %s of %s hugepages on NUMA "
			"node %d: %s", iol_size_str(x->len, IOL_SIZE_HUMAN, h, sizeof(h)),
			iol_size_str(x->page_size, IOL_SIZE_HUMAN, h2, sizeof(h2)), x->node, strerror(e));
		return -e;
	}
	return 0;
}

static int
xmem_lock(struct iol_xmem *x, char *err, size_t errlen)
{
	char h[32];
	unsigned int i;
	void **pages;
	int *status;
	int e;

	if (mlock(x->va, x->len) != 0) {
		e = errno;
		seterr(err, errlen, "cannot lock %s in memory (mlock): %s%s",
			iol_size_str(x->len, IOL_SIZE_HUMAN, h, sizeof(h)), strerror(e),
			e == EPERM || e == ENOMEM || e == EAGAIN ? " (raise "
			"RLIMIT_MEMLOCK: ulimit -l, or run with CAP_IPC_LOCK)" : "");
		return -e;
	}
	x->locked = true;
	/* Touch every page: each is present and written before any device. */
	for (i = 0; i < x->n_pages; i++)
		((volatile uint8_t *)x->va)[(uint64_t)i * x->page_size] = 0;

	if (numa_available() < 0)
		return 0;
	pages = calloc(x->n_pages, sizeof(*pages));
	status = calloc(x->n_pages, sizeof(*status));
	if (pages == NULL || status == NULL) {
		free(pages);
		free(status);
		seterr(err, errlen, "out of memory checking NUMA placement");
		return -ENOMEM;
	}
	for (i = 0; i < x->n_pages; i++)
		pages[i] = RTE_PTR_ADD(x->va, (uint64_t)i * x->page_size);
	e = 0;
	if (move_pages(0, x->n_pages, pages, NULL, status, 0) != 0) {
		e = errno;
		seterr(err, errlen, "cannot read the NUMA node of the pages "
			"(move_pages): %s", strerror(e));
		e = -e;
	}
	for (i = 0; i < x->n_pages && e == 0; i++) {
		if (status[i] == x->node)
			continue;
		if (status[i] < 0)
			seterr(err, errlen, "page %u at %p is not present after "
				"locking: %s", i, pages[i], strerror(-status[i]));
		else
			seterr(err, errlen, "page %u at %p landed on NUMA node %d, "
				"not on node %d as asked", i, pages[i], status[i], x->node);
		e = -EFAULT;
	}
	free(pages);
	free(status);
	return e;
}

static int
build_table(struct iol_xmem *x, const struct iol_xmem_params *p, char *err,
	size_t errlen)
{
	unsigned int i, n;

	x->iova = calloc(x->n_pages, sizeof(*x->iova));
	x->runs = calloc(x->n_pages, sizeof(*x->runs));
	if (x->iova == NULL || x->runs == NULL) {
		seterr(err, errlen, "out of memory for the IOVA table");
		return -ENOMEM;
	}
	for (i = 0; i < x->n_pages; i++) {
		uint64_t off = (uint64_t)i * x->page_size;
		void *va = RTE_PTR_ADD(x->va, off);

		if (x->iova_as_pa) {
			x->iova[i] = rte_mem_virt2phy(va);
			if (x->iova[i] == RTE_BAD_IOVA) {
				seterr(err, errlen, "IOVA-as-PA mode, but the physical "
					"address of %p cannot be read from /proc/self/"
					"pagemap (needs root or CAP_SYS_ADMIN); use "
					"--iova-mode=va", va);
				return -EACCES;
			}
		} else if (p->iova_base_set) {
			x->iova[i] = p->iova_base + off;
		} else {
			x->iova[i] = (uint64_t)(uintptr_t)va;
		}
	}
	/* IOVA-contiguous runs. */
	n = 0;
	for (i = 0; i < x->n_pages; i++) {
		uint64_t va = (uint64_t)(uintptr_t)x->va + (uint64_t)i * x->page_size;

		if (n > 0 && x->runs[n - 1].iova + x->runs[n - 1].len == x->iova[i]) {
			x->runs[n - 1].len += x->page_size;
			continue;
		}
		x->runs[n] = (struct iol_iova_seg){
			.va = va, .iova = x->iova[i], .len = x->page_size,
			.page_sz = x->page_size, .socket = x->node, .external = true,
		};
		n++;
	}
	x->n_runs = n;
	return 0;
}

/* ---- DMA mapping ---- */

/*
 * Undo the map calls actually made: last device first, last run first.
 * Devices of DPDK's VFIO container other than the first made no call and
 * have nothing to undo; the first one's unmap removes the mapping for all.
 * A failed unmap leaves x->unmap_failed set and its run counted in
 * dev_runs, and the first failure described in @p err.
 * @return The number of devices whose own mappings were all undone.
 */
static unsigned int
unmap_devices(struct iol_xmem *x, char *err, size_t errlen)
{
	unsigned int d, r, n_undone = 0;
	bool failed;

	for (d = x->n_devs; d-- > 0;) {
		if (x->dev_runs[d] == 0)
			continue;
		failed = false;
		for (r = x->dev_runs[d]; r-- > 0;) {
			const struct iol_iova_seg *run = &x->runs[r];
			char msg[256];

			rte_errno = 0;
			if (x->hooks.unmap(x->devs[d], (void *)(uintptr_t)run->va,
					run->iova, run->len) == 0)
				continue;
			snprintf(msg, sizeof(msg), "unmap failed for device %s range "
				"va 0x%" PRIx64 " iova 0x%" PRIx64 " len 0x%" PRIx64
				": %s", rte_dev_name(x->devs[d]), run->va, run->iova,
				run->len, rte_strerror(rte_errno != 0 ? rte_errno : EIO));
			XMEM_LOG(ERR, "DMA %s; memory left mapped and registered",
				msg);
			if (!x->unmap_failed)
				iol_errf_append(err, errlen, "; DMA %s; memory left mapped and "
					"registered (not unlocked or freed)", msg);
			x->unmap_failed = true;
			failed = true;
		}
		if (!failed) {
			x->dev_runs[d] = 0;
			n_undone++;
		}
	}
	if (!x->unmap_failed)
		x->n_mapped = 0;
	return n_undone;
}

static int
map_devices(struct iol_xmem *x, const struct iol_topology *topo, char *err,
	size_t errlen)
{
	const struct iol_xmem_hooks *h = &x->hooks;
	unsigned int d, r;
	int first = -1;

	for (d = 0; d < x->n_devs; d++) {
		bool shared = false;

		if (in_container(h, topo, x->devs[d])) {
			x->n_container++;
			if (first < 0)
				first = (int)d;
			else
				shared = true;
		}
		x->dev_shared[d] = shared;
		for (r = 0; r < x->n_runs; r++) {
			const struct iol_iova_seg *run = &x->runs[r];
			int ret, e;

			if (h->fail_step == IOL_XMEM_STEP_MAP && h->fail_dev == d &&
			    r == x->n_runs - 1) {
				ret = -1;
				e = EIO;
			} else if (shared) {
				/* Mapped already, by the container's first device. */
				continue;
			} else {
				rte_errno = 0;
				ret = h->map(x->devs[d], (void *)(uintptr_t)run->va,
					run->iova, run->len);
				e = rte_errno != 0 ? rte_errno : EIO;
			}
			if (ret != 0) {
				seterr(err, errlen, "DMA map failed for device %s "
					"(%u of %u), range va 0x%" PRIx64 " iova 0x%"
					PRIx64 " len 0x%" PRIx64 ": %s%s",
					rte_dev_name(x->devs[d]), d + 1, x->n_devs,
					run->va, run->iova, run->len,
					h->fail_step == IOL_XMEM_STEP_MAP &&
					h->fail_dev == d ? "injected failure (test)" :
					rte_strerror(e),
					e == ENOTSUP ? " (a PCI device must be bound "
					"to vfio-pci, or its driver must implement "
					"dma_map)" : "");
				return -e;
			}
			x->dev_runs[d] = r + 1;
		}
		x->n_mapped = d + 1;
	}
	return 0;
}

/* ---- undo ---- */

/*
 * Undo in reverse order. When an unmap fails the memory is still mapped
 * for a device: it is then neither unregistered nor unlocked nor unmapped
 * (a device may still write there), only the hugetlbfs fd is closed.
 * @return 0, or -1 when an unmap failed.
 */
static int
xmem_undo(struct iol_xmem *x, char *err, size_t errlen)
{
	unsigned int i, n_unmapped;
	bool was_registered = x->registered, was_locked = x->locked;
	bool was_mapped = x->mapped_mem;

	for (i = x->n_pools; i-- > 0;)
		rte_mempool_free(x->pools[i]);
	x->n_pools = 0;
	n_unmapped = unmap_devices(x, err, errlen);
	if (x->unmap_failed) {
		if (x->fd >= 0) {
			close(x->fd);
			x->fd = -1;
		}
		XMEM_LOG(ERR, "%p (0x%" PRIx64 " bytes) left mapped for DMA, "
			"registered and locked", x->va, x->len);
		return -1;
	}
	if (x->registered) {
		if (rte_extmem_unregister(x->va, x->len) != 0)
			XMEM_LOG(ERR, "rte_extmem_unregister(%p, 0x%" PRIx64 ") "
				"failed: %s", x->va, x->len, rte_strerror(rte_errno));
		x->registered = false;
	}
	if (x->locked) {
		munlock(x->va, x->len);
		x->locked = false;
	}
	if (x->mapped_mem) {
		munmap(x->va, x->len);
		x->mapped_mem = false;
	}
	if (x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
	}
	if (err != NULL && (n_unmapped || was_registered || was_locked || was_mapped))
		iol_errf_append(err, errlen, "; rolled back:%s%s%s%s",
			n_unmapped ? " DMA unmapped from the devices mapped before," : "",
			was_registered ? " unregistered," : "",
			was_locked ? " unlocked," : "",
			was_mapped ? " hugepages released" : "");
	return 0;
}

static void
xmem_free(struct iol_xmem *x)
{
	free(x->iova);
	free(x->runs);
	free(x->devs);
	free(x->dev_runs);
	free(x->dev_shared);
	free(x);
}

/* ---- creation, step by step ---- */

/* What can be refused before anything is read or allocated. */
static int
check_params(const struct iol_xmem_params *p, char *err, size_t errlen)
{
	char h[32], h2[32];
	unsigned int i;

	if (p->page_size == 0 || !rte_is_power_of_2(p->page_size) ||
	    p->page_size < (uint64_t)sysconf(_SC_PAGESIZE)) {
		seterr(err, errlen, "page size 0x%" PRIx64 " is not a power of two "
			"of at least the base page size", p->page_size);
		return -EINVAL;
	}
	if (p->size == 0 || p->size % p->page_size != 0) {
		seterr(err, errlen, "size %" PRIu64 " (%s) is not a non-zero "
			"multiple of the page size %s", p->size,
			iol_size_str(p->size, IOL_SIZE_HUMAN, h, sizeof(h)),
			iol_size_str(p->page_size, IOL_SIZE_HUMAN, h2, sizeof(h2)));
		return -EINVAL;
	}
	if (p->size / p->page_size > UINT32_MAX) {
		seterr(err, errlen, "size %s is too many pages",
			iol_size_str(p->size, IOL_SIZE_HUMAN, h, sizeof(h)));
		return -EINVAL;
	}
	if (p->n_devs > 0 && p->devs == NULL) {
		seterr(err, errlen, "%u devices but no device array", p->n_devs);
		return -EINVAL;
	}
	for (i = 0; i < p->n_devs; i++) {
		if (p->devs[i] == NULL) {
			seterr(err, errlen, "device %u is NULL", i);
			return -EINVAL;
		}
	}
	return p->iova_base_set ? check_base(p, err, errlen) : 0;
}

/* A new handle, nothing allocated for the memory yet. */
static struct iol_xmem *
xmem_new(const struct iol_xmem_params *p, int node, char *err, size_t errlen)
{
	struct iol_xmem *x = calloc(1, sizeof(*x));

	if (x == NULL)
		goto oom;
	x->fd = -1;
	x->len = p->size;
	x->page_size = p->page_size;
	x->n_pages = (unsigned int)(p->size / p->page_size);
	x->node = node;
	x->iova_as_pa = rte_eal_iova_mode() == RTE_IOVA_PA;
	x->iova_base_set = p->iova_base_set;
	if (p->hooks != NULL)
		x->hooks = *p->hooks;
	if (x->hooks.map == NULL)
		x->hooks.map = rte_dev_dma_map;
	if (x->hooks.unmap == NULL)
		x->hooks.unmap = rte_dev_dma_unmap;
	if (p->no_dma_map || p->n_devs == 0)
		return x;
	x->devs = calloc(p->n_devs, sizeof(*x->devs));
	x->dev_runs = calloc(p->n_devs, sizeof(*x->dev_runs));
	x->dev_shared = calloc(p->n_devs, sizeof(*x->dev_shared));
	if (x->devs == NULL || x->dev_runs == NULL || x->dev_shared == NULL) {
		xmem_free(x);
		goto oom;
	}
	memcpy(x->devs, p->devs, p->n_devs * sizeof(*x->devs));
	x->n_devs = p->n_devs;
	return x;
oom:
	seterr(err, errlen, "out of memory");
	return NULL;
}

static int
xmem_register(struct iol_xmem *x, char *err, size_t errlen)
{
	char h[32], h2[32];

	if (rte_extmem_register(x->va, x->len, x->iova, x->n_pages,
			x->page_size) != 0) {
		seterr(err, errlen, "rte_extmem_register(%p, %s, %u pages of %s) "
			"failed: %s", x->va,
			iol_size_str(x->len, IOL_SIZE_HUMAN, h, sizeof(h)), x->n_pages,
			iol_size_str(x->page_size, IOL_SIZE_HUMAN, h2, sizeof(h2)),
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	x->registered = true;
	return 0;
}

/*
 * ALLOC, LOCK, the IOVA table, the plan, REGISTER, MAP, in that order,
 * stopping at the first failure: the caller then undoes what the flags
 * of @p x say was done, in reverse (xmem_undo()).
 */
static int
xmem_build(struct iol_xmem *x, const struct iol_xmem_params *p,
	const struct iol_topology *topo, char *err, size_t errlen)
{
	int ret;

	ret = xmem_alloc(x, err, errlen);
	if (ret == 0)
		ret = injected(&x->hooks, IOL_XMEM_STEP_ALLOC, err, errlen);
	if (ret == 0)
		ret = xmem_lock(x, err, errlen);
	if (ret == 0)
		ret = injected(&x->hooks, IOL_XMEM_STEP_LOCK, err, errlen);
	if (ret == 0)
		ret = build_table(x, p, err, errlen);
	if (ret == 0)
		ret = check_plan(topo, p, x->iommu_page, x->runs, x->n_runs, x->va,
			err, errlen);
	if (ret == 0)
		ret = xmem_register(x, err, errlen);
	if (ret == 0)
		ret = injected(&x->hooks, IOL_XMEM_STEP_REGISTER, err, errlen);
	if (ret == 0)
		ret = map_devices(x, topo, err, errlen);
	return ret;
}

/* ---- public ---- */

int
iol_xmem_create(const struct iol_xmem_params *p, struct iol_xmem **out,
	char *err, size_t errlen)
{
	struct iol_topology *topo;
	struct iol_xmem *x;
	uint64_t iommu_page;
	char src[48];
	int node, ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || p == NULL) {
		seterr(err, errlen, "no parameters");
		return -EINVAL;
	}
	*out = NULL;
	ret = check_params(p, err, errlen);
	if (ret == 0)
		ret = check_numa(p, &node, err, errlen);
	if (ret != 0)
		return ret;
	topo = read_topology(p, &ret, err, errlen);
	if (topo == NULL)
		return ret;
	iommu_page = iommu_min_page(p->hooks, topo, p, src, sizeof(src));
	ret = check_base_align(p, iommu_page, src, err, errlen);
	if (ret == 0)
		ret = check_hugepages(topo, p, node, err, errlen);
	if (ret == 0 && p->iova_base_set) {
		/* The IOVAs are known: refuse a bad plan before allocating. */
		struct iol_iova_seg r = {
			.va = 0, .iova = p->iova_base, .len = p->size,
		};

		ret = check_plan(topo, p, iommu_page, &r, 1, NULL, err, errlen);
	}
	if (ret != 0)
		goto out;
	x = xmem_new(p, node, err, errlen);
	if (x == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	x->iommu_page = iommu_page;
	snprintf(x->iommu_page_src, sizeof(x->iommu_page_src), "%s", src);
	ret = xmem_build(x, p, topo, err, errlen);
	if (ret != 0) {
		xmem_undo(x, err, errlen);
		xmem_free(x);
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}
	*out = x;
out:
	iol_topology_free(topo);
	return ret;
}

struct rte_mempool *
iol_xmem_pool_create(struct iol_xmem *x, const char *name, unsigned int n_mbufs,
	unsigned int cache, uint16_t data_room, char *err, size_t errlen)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room,
		.mbuf_priv_size = 0,
	};
	unsigned int run = x->cur_run, chunks = 0;
	uint64_t off = x->cur_off;
	struct rte_mempool *mp;
	const char *ops;
	char h[32], h2[32];
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (x->n_pools == XMEM_MAX_POOLS) {
		seterr(err, errlen, "pool %s: this memory already holds %d pools",
			name, XMEM_MAX_POOLS);
		return NULL;
	}
	if (n_mbufs == 0) {
		seterr(err, errlen, "pool %s: no mbufs asked for", name);
		return NULL;
	}
	mp = rte_mempool_create_empty(name, n_mbufs,
		sizeof(struct rte_mbuf) + data_room, cache,
		sizeof(struct rte_pktmbuf_pool_private), x->node, 0);
	if (mp == NULL) {
		seterr(err, errlen, "pool %s: rte_mempool_create_empty(%u mbufs, "
			"data room %u) failed: %s", name, n_mbufs, data_room,
			rte_strerror(rte_errno));
		return NULL;
	}
	ops = rte_mbuf_best_mempool_ops();
	ret = rte_mempool_set_ops_byname(mp, ops, NULL);
	if (ret != 0) {
		seterr(err, errlen, "pool %s: mempool ops \"%s\": %s", name, ops,
			rte_strerror(-ret));
		goto fail;
	}
	rte_pktmbuf_pool_init(mp, &priv);

	/* One chunk a run at most: an mbuf never straddles two runs. */
	while (mp->populated_size < mp->size && run < x->n_runs) {
		const struct iol_iova_seg *r = &x->runs[run];
		uint64_t len = r->len - off;
		/*
		 * Give the pool about what the objects still missing need
		 * (the rest of the run stays for the next pool); if objects
		 * skipped at page ends make that short, the loop goes on
		 * with the next piece.
		 */
		uint64_t need = (uint64_t)(mp->size - mp->populated_size) *
			(mp->header_size + mp->elt_size + mp->trailer_size) +
			RTE_CACHE_LINE_SIZE;

		if (need < len)
			len = RTE_ALIGN_CEIL(need, RTE_CACHE_LINE_SIZE);
		ret = rte_mempool_populate_iova(mp, (char *)(uintptr_t)(r->va + off),
			r->iova + off, len, NULL, NULL);
		if (ret < 0) {
			seterr(err, errlen, "pool %s: rte_mempool_populate_iova(va "
				"0x%" PRIx64 ", iova 0x%" PRIx64 ", len 0x%" PRIx64 "): %s",
				name, r->va + off, r->iova + off, len, rte_strerror(-ret));
			goto fail;
		}
		chunks += ret > 0;
		off += len;
		if (off >= r->len) {
			run++;
			off = 0;
		}
	}
	if (x->hooks.fail_step == IOL_XMEM_STEP_POOL) {
		seterr(err, errlen, "pool %s: step pool failed: injected failure "
			"(test) after populating %u mbufs in %u chunks", name,
			mp->populated_size, chunks);
		goto fail;
	}
	if (mp->populated_size < mp->size) {
		uint64_t left = 0;
		unsigned int i;

		/* What earlier pools had not taken when this one started. */
		for (i = x->cur_run; i < x->n_runs; i++)
			left += x->runs[i].len;
		left -= x->cur_off;
		seterr(err, errlen, "pool %s: the external memory left (%s of %s) "
			"holds only %u of the %u mbufs of %u bytes asked for", name,
			iol_size_str(left, IOL_SIZE_HUMAN, h, sizeof(h)),
			iol_size_str(x->len, IOL_SIZE_HUMAN, h2, sizeof(h2)),
			mp->populated_size, mp->size,
			mp->elt_size + mp->header_size + mp->trailer_size);
		goto fail;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	x->pools[x->n_pools++] = mp;
	x->cur_run = run;
	x->cur_off = off;
	return mp;
fail:
	rte_mempool_free(mp);
	return NULL;
}

int
iol_xmem_destroy(struct iol_xmem *x)
{
	int ret;

	if (x == NULL)
		return 0;
	ret = xmem_undo(x, NULL, 0);
	/* On failure the memory itself stays (still mapped); the handle goes. */
	xmem_free(x);
	return ret;
}

void *
iol_xmem_addr(const struct iol_xmem *x)
{
	return x->va;
}

uint64_t
iol_xmem_len(const struct iol_xmem *x)
{
	return x->len;
}

uint64_t
iol_xmem_page_size(const struct iol_xmem *x)
{
	return x->page_size;
}

int
iol_xmem_numa_node(const struct iol_xmem *x)
{
	return x->node;
}

unsigned int
iol_xmem_n_mapped(const struct iol_xmem *x)
{
	return x->n_mapped;
}

unsigned int
iol_xmem_n_container(const struct iol_xmem *x)
{
	return x->n_container;
}

uint64_t
iol_xmem_page_iova(const struct iol_xmem *x, unsigned int page)
{
	return page < x->n_pages ? x->iova[page] : RTE_BAD_IOVA;
}

unsigned int
iol_xmem_ranges(const struct iol_xmem *x, struct iol_iova_seg *out,
	unsigned int max)
{
	unsigned int i;

	for (i = 0; i < x->n_runs && i < max; i++)
		out[i] = x->runs[i];
	return x->n_runs;
}

void
iol_xmem_describe(const struct iol_xmem *x, char *buf, size_t len)
{
	char h[32], h2[32];
	int n, n2;

	n = snprintf(buf, len, "xmem %s, %s pages, NUMA node %d, %s, IOVA ",
		iol_size_str(x->len, IOL_SIZE_HUMAN, h, sizeof(h)),
		iol_size_str(x->page_size, IOL_SIZE_HUMAN, h2, sizeof(h2)),
		x->node, x->iova_as_pa ? "PA mode" : x->iova_base_set ?
		"VA mode, chosen IOVAs" : "VA mode, IOVA = VA");
	if (n < 0 || (size_t)n >= len)
		return;
	if (x->n_runs == 1)
		n2 = snprintf(buf + n, len - n, "0x%" PRIx64 "-0x%" PRIx64
			", DMA mapped for %u device%s", x->runs[0].iova,
			x->runs[0].iova + x->runs[0].len - 1, x->n_mapped,
			x->n_mapped == 1 ? "" : "s");
	else
		n2 = snprintf(buf + n, len - n, "in %u contiguous runs, DMA mapped "
			"for %u device%s", x->n_runs, x->n_mapped,
			x->n_mapped == 1 ? "" : "s");
	if (n2 < 0 || (size_t)(n + n2) >= len)
		return;
	n += n2;
	if (x->n_container == 1)
		n2 = snprintf(buf + n, len - n, " (1 of them in DPDK's VFIO container)");
	else if (x->n_container > 1)
		n2 = snprintf(buf + n, len - n, " (once in DPDK's VFIO container, "
			"shared by %u of them)", x->n_container);
	else
		n2 = 0;
	if (n2 < 0 || (size_t)(n + n2) >= len)
		return;
	n += n2;
	iol_xmem_superpage_note(x, buf + n, len - n);
}

int
iol_xmem_superpage_note(const struct iol_xmem *x, char *buf, size_t len)
{
	uint64_t align;
	char h[32], h2[32];
	unsigned int i;

	if (len > 0)
		buf[0] = '\0';
	/* The most misaligned run decides. */
	align = x->page_size;
	for (i = 0; i < x->n_runs; i++) {
		uint64_t a = x->runs[i].iova & -x->runs[i].iova;

		if (x->runs[i].iova != 0 && a < align)
			align = a;
	}
	if (align >= x->page_size)
		return 0;
	return snprintf(buf, len, "; IOVA base aligned to %s only: no %s IOMMU "
		"superpages (a performance note, not an error)",
		iol_size_str(align, IOL_SIZE_HUMAN, h, sizeof(h)),
		iol_size_str(x->page_size, IOL_SIZE_HUMAN, h2, sizeof(h2)));
}

uint64_t
iol_xmem_iommu_page_size(const struct iol_xmem *x)
{
	return x->iommu_page;
}
