/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_XMEM_H
#define IOL_XMEM_H

/**
 * @file
 * External memory for device DMA: hugepages that DPDK did not allocate,
 * placed at IOVAs the caller chooses, registered with DPDK and mapped for
 * every port's device, with an mbuf pool built on them.
 *
 * iol_xmem_create() does, in this order:
 *  1. checks the parameters (page size, size a multiple of it, NUMA node
 *     exists, IOVA base only in IOVA-as-VA mode and aligned to the IOMMU's
 *     smallest page, not to the page size), reads the
 *     topology under sysfs_root once (iol_topology_read()), and checks
 *     with the doctor's verdict (iol_doctor_check_hugepages()) that enough
 *     hugepages of that size are free and not reserved, on the node and
 *     host-wide;
 *  2. ALLOC: maps the hugepages (libhugetlbfs: a hugetlbfs mount of that
 *     page size, else an anonymous MAP_HUGETLB mapping of that size) and
 *     binds them to the NUMA node (libnuma) before any is touched;
 *  3. LOCK: mlock (which faults every page in, without SIGBUS), touches
 *     every page and checks the node each page landed on;
 *  4. builds the IOVA table: PA mode, each page's physical address from
 *     /proc/self/pagemap; VA mode, the virtual address, or consecutive
 *     IOVAs from the chosen base;
 *  5. checks the plan: the IOVA ranges against the IOMMU reserved regions
 *     and address width (iol_doctor_check_iova()), against the IOVAs of
 *     every memseg DPDK already has and, in VA mode, against the VA range
 *     of every memseg list DPDK reserved (filled later at IOVA = VA);
 *  6. REGISTER: rte_extmem_register() with that table;
 *  7. MAP: rte_dev_dma_map(), one call per IOVA-contiguous run, for each
 *     device that needs its own: every vfio-pci device the EAL probed
 *     shares DPDK's default VFIO container (pci_dma_map() maps there, one
 *     IOMMU domain for all), so only the first of them is mapped and the
 *     others are recorded as sharing it; any other device (a vdev, a PCI
 *     device on another kernel driver) gets its own calls.
 *
 * A failure at any step undoes the steps before it in reverse order, and
 * the message names the step, and for MAP the device, the range and the
 * error. iol_xmem_destroy() undoes everything: pools freed, the map calls
 * made undone (last device first), rte_extmem_unregister(), munlock,
 * munmap. When an unmap fails, the memory is still mapped for a device:
 * it is then left registered, locked and mapped (never reused), and the
 * failure is reported.
 *
 * The EAL must be initialised. Not thread-safe: create and destroy from
 * one thread, with the ports stopped.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_dev.h>
#include <rte_mempool.h>

#include "iol_audit.h"

#ifdef __cplusplus
extern "C" {
#endif

/** External memory, from iol_xmem_create(). */
struct iol_xmem;

/** A step of iol_xmem_create() (and of iol_xmem_pool_create()). */
enum iol_xmem_step {
	IOL_XMEM_STEP_NONE = 0,    /**< No step (no failure injected). */
	IOL_XMEM_STEP_ALLOC,       /**< Map the hugepages and bind them to the node. */
	IOL_XMEM_STEP_LOCK,        /**< mlock, touch, check the node. */
	IOL_XMEM_STEP_REGISTER,    /**< rte_extmem_register(). */
	IOL_XMEM_STEP_MAP,         /**< rte_dev_dma_map() for each device. */
	IOL_XMEM_STEP_POOL,        /**< iol_xmem_pool_create(). */
};

/**
 * The one test seam of xmem: the DMA calls and the container decision a
 * test replaces, and a failure it injects. Production passes none
 * (iol_xmem_params::hooks NULL); every member may be left zero.
 */
struct iol_xmem_hooks {
	/**
	 * rte_dev_dma_map() and rte_dev_dma_unmap() (NULL: those): return 0,
	 * or -1 with rte_errno set.
	 */
	int (*map)(struct rte_device *dev, void *va, uint64_t iova, size_t len);
	int (*unmap)(struct rte_device *dev, void *va, uint64_t iova, size_t len);
	/**
	 * Whether @p dev's map calls land in DPDK's default VFIO container
	 * (shared by all such devices: mapped once, for the first of them).
	 * NULL: a PCI device bound to vfio-pci (its driver in the topology
	 * under sysfs_root; a PCI device whose driver cannot be read counts
	 * as vfio-pci).
	 */
	bool (*in_vfio_container)(const struct rte_device *dev);
	/**
	 * Fail as if this step had failed, right after it was done (and,
	 * for POOL, after populating): "injected failure (test)". For MAP:
	 * device @p fail_dev refuses its last run.
	 */
	enum iol_xmem_step fail_step;
	unsigned int fail_dev;     /**< For MAP: the index of the device that fails. */
	/**
	 * The IOMMU's smallest page size, a power of two (NULL: the lowest
	 * bit of VFIO_IOMMU_GET_INFO's iova_pgsizes on DPDK's default VFIO
	 * container when a device is in it, else the base page size, 4 KiB
	 * on x86). A test uses it to act as a 64 KiB-page IOMMU.
	 */
	uint64_t (*iommu_page_size)(void);
};

/** What to create. Zero it, then fill. */
struct iol_xmem_params {
	uint64_t size;             /**< Bytes; a non-zero multiple of page_size. */
	uint64_t page_size;        /**< A hugepage size of the host (2M, 1G, ...). */
	int numa_node;             /**< -1: the calling CPU's node; else an existing node. */
	uint64_t iova_base;        /**< First IOVA when iova_base_set (VA mode only). */
	bool iova_base_set;        /**< Place the memory at iova_base, aligned
	                                to the IOMMU's smallest page (not to
	                                page_size); refused in IOVA-as-PA mode. */
	bool no_dma_map;           /**< Test only: register, map for no device. */
	struct rte_device *const *devs; /**< Every port's device, to DMA map. */
	unsigned int n_devs;
	const char *sysfs_root;    /**< Root of every sysfs read (hugepage
	                                counts, reserved regions, address widths,
	                                drivers); NULL: "/". */
	const struct iol_xmem_hooks *hooks; /**< Tests only; NULL in production. */
};


/**
 * Allocate, lock, register and DMA map external memory.
 *
 * @param p    What to create.
 * @param out  Set to the new memory on success, NULL on failure.
 * @param err  On failure, one line: what failed and why.
 * @return 0, or a negative errno with nothing left allocated, locked,
 *   registered or mapped.
 */
int iol_xmem_create(const struct iol_xmem_params *p, struct iol_xmem **out,
		char *err, size_t errlen);

/**
 * Build an mbuf pool in the memory not used by earlier pools of @p x:
 * rte_mempool_create_empty(), the platform's best mempool ops,
 * rte_pktmbuf_pool_init(), rte_mempool_populate_iova() once per
 * IOVA-contiguous run (so no mbuf straddles two runs), rte_pktmbuf_init()
 * on every object. Each mbuf's buf_iova is the IOVA of the table.
 * The pool belongs to @p x: iol_xmem_destroy() frees it.
 *
 * @param data_room Data room per mbuf, headroom included (e.g.
 *   RTE_MBUF_DEFAULT_BUF_SIZE).
 * @return The pool, or NULL with the reason in @p err (nothing of the
 *   pool left behind; @p x stays usable and must still be destroyed).
 */
struct rte_mempool *iol_xmem_pool_create(struct iol_xmem *x, const char *name,
		unsigned int n_mbufs, unsigned int cache, uint16_t data_room,
		char *err, size_t errlen);

/**
 * Undo everything, in reverse order: free the pools, rte_dev_dma_unmap()
 * every run of every map call made (last device first, last run first;
 * devices sharing DPDK's VFIO container are unmapped by the one unmap of
 * the first), rte_extmem_unregister(), munlock, unmap the hugepages. The
 * ports using the pools must be stopped. NULL is allowed.
 *
 * @return 0; or -1 when an unmap failed: that failure is logged ("unmap
 *   failed for device ... range ...: error; memory left mapped and
 *   registered") and the memory is left registered, locked and mapped,
 *   since a device may still reach it. @p x is freed either way.
 */
int iol_xmem_destroy(struct iol_xmem *x);

/** First virtual address. */
void *iol_xmem_addr(const struct iol_xmem *x);
/** Length in bytes. */
uint64_t iol_xmem_len(const struct iol_xmem *x);
/** Page size in bytes. */
uint64_t iol_xmem_page_size(const struct iol_xmem *x);
/** NUMA node the pages are on. */
int iol_xmem_numa_node(const struct iol_xmem *x);
/** Devices the memory is DMA mapped for (0 with no_dma_map). */
unsigned int iol_xmem_n_mapped(const struct iol_xmem *x);
/** Of those, the devices in DPDK's VFIO container (mapped once for all). */
unsigned int iol_xmem_n_container(const struct iol_xmem *x);
/**
 * The IOMMU's smallest page size every IOVA was checked against: from
 * VFIO_IOMMU_GET_INFO when a device is in DPDK's VFIO container, else the
 * base page size (see iol_xmem_hooks::iommu_page_size).
 */
uint64_t iol_xmem_iommu_page_size(const struct iol_xmem *x);
/**
 * When a run's IOVA is aligned below the page size (a chosen base such as
 * 0x50100000 with 2 MiB pages), the IOMMU cannot map it with superpages
 * of that size: "; IOVA base aligned to 1 MiB only: no 2 MiB IOMMU
 * superpages (a performance note, not an error)" (also at the end of
 * iol_xmem_describe()'s line).
 * @return The length written, 0 (and "") when every run is aligned.
 */
int iol_xmem_superpage_note(const struct iol_xmem *x, char *buf, size_t len);
/** IOVA of the page table entry @p page (page index from the start). */
uint64_t iol_xmem_page_iova(const struct iol_xmem *x, unsigned int page);

/**
 * The IOVA-contiguous runs, in VA order: one in VA mode, one or more in
 * PA mode (pages that are physically adjacent are merged).
 *
 * @return The number of runs (may exceed @p max; only @p max are written).
 */
unsigned int iol_xmem_ranges(const struct iol_xmem *x,
		struct iol_iova_seg *out, unsigned int max);

/**
 * One line: "xmem 8 MiB, 2 MiB pages, NUMA node 0, VA mode, IOVA = VA,
 * IOVA 0x...-0x..., DMA mapped for 2 devices", followed by "(once in
 * DPDK's VFIO container, shared by 2 of them)" or "(1 of them in DPDK's
 * VFIO container)" when vfio-pci devices are among them, then the
 * superpage note when the IOVAs are aligned below the page size.
 */
void iol_xmem_describe(const struct iol_xmem *x, char *buf, size_t len);

/** Name of a step: "alloc", "lock", "register", "map", "pool", "none". */
const char *iol_xmem_step_name(enum iol_xmem_step s);

#ifdef __cplusplus
}
#endif

#endif /* IOL_XMEM_H */
