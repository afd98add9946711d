/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_AUDIT_H
#define IOL_AUDIT_H

/**
 * @file
 * Where DMA can land: the map of every memory range the ports can DMA
 * into (virtual address, IOVA, length, page size), the start-up audit
 * that proves each page's IOVA, and the per-packet check that a buffer's
 * IOVA translates back to the address its data was read from.
 *
 * The map is built from DPDK's memsegs (external memory registered with
 * rte_extmem_register() included) and is read-only once the loop runs.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_branch_prediction.h>
#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One range, contiguous both in VA and in IOVA, of one page size. */
struct iol_iova_seg {
	uint64_t va;
	uint64_t iova;
	uint64_t len;
	uint64_t page_sz;
	int socket;
	bool external;      /**< Registered with rte_extmem_register(). */
};

/** Ranges sorted by VA, adjacent ones merged. */
struct iol_iova_map {
	unsigned int n;
	unsigned int cap;
	struct iol_iova_seg *segs;
};

/** Empty map. */
void iol_iova_map_init(struct iol_iova_map *m);
/** Free the ranges. */
void iol_iova_map_free(struct iol_iova_map *m);

/**
 * Add a range, keeping the map sorted and merging it with a neighbour
 * that continues it in VA and IOVA with the same page size.
 * @return 0, -EINVAL if it overlaps a range already there, -ENOMEM.
 */
int iol_iova_map_add(struct iol_iova_map *m, const struct iol_iova_seg *s);

/**
 * Build the map from every allocated memseg (EAL must be up).
 *
 * @param external_only
 *   Only memory registered with rte_extmem_register(): when the ports'
 *   buffers live there, a buffer anywhere else is an error.
 * @return 0 or a negative errno.
 */
int iol_iova_map_from_memsegs(struct iol_iova_map *m, bool external_only);

/** Range holding @p va, or NULL. */
const struct iol_iova_seg *iol_iova_map_find(const struct iol_iova_map *m,
		uint64_t va);

/**
 * The per-packet check: does @p iova translate back to @p va?
 *
 * @param hint
 *   Index of the range that answered last time (kept by the caller,
 *   one per queue): consecutive buffers almost always share a range.
 */
static inline bool
iol_iova_map_check(const struct iol_iova_map *m, const void *va, uint64_t iova,
		unsigned int *hint)
{
	const struct iol_iova_seg *s = &m->segs[*hint];
	uint64_t a = (uint64_t)(uintptr_t)va;

	if (unlikely(*hint >= m->n || a - s->va >= s->len)) {
		s = iol_iova_map_find(m, a);
		if (s == NULL)
			return false;
		*hint = (unsigned int)(s - m->segs);
	}
	return s->iova + (a - s->va) == iova;
}

/** Physical address of a virtual one; RTE_BAD_IOVA when unknown. */
typedef uint64_t (*iol_phys_fn)(const void *va);

/** What the audit checks against. */
struct iol_audit_params {
	bool iova_as_pa;            /**< PA mode: IOVA must be the pagemap's PA. */
	unsigned int dma_mask_bits; /**< Device address width; 0 when unknown. */
	iol_phys_fn phys;           /**< NULL: rte_mem_virt2phy (/proc/self/pagemap). */
	struct rte_mempool *const *pools;
	unsigned int n_pools;
};

#define IOL_AUDIT_SHOWN 8

/** Outcome of iol_audit_run(). */
struct iol_audit_result {
	uint64_t pages;             /**< Pages whose IOVA was checked. */
	uint64_t pages_pagemap;     /**< Of those, checked against pagemap. */
	uint64_t bytes;
	uint64_t page_sizes[4];     /**< Distinct page sizes seen. */
	uint64_t page_counts[4];    /**< Pages of each. */
	unsigned int n_page_sizes;
	uint64_t iova_max;          /**< Highest IOVA of any range. */
	unsigned int iova_bits;     /**< Bits needed to address iova_max. */
	/**
	 * Ranges whose IOVA is aligned below their page size (a chosen base
	 * such as 0x50100000 with 2 MiB pages): correct, but the IOMMU cannot
	 * use superpages of that size for them. A performance note, not a
	 * mismatch; the first such range is kept.
	 */
	unsigned int unaligned;
	uint64_t unaligned_iova;    /**< Its IOVA. */
	uint64_t unaligned_align;   /**< The alignment of that IOVA. */
	uint64_t unaligned_page_sz; /**< Its page size. */
	unsigned int chunks;        /**< Mempool chunks checked. */
	uint64_t chunk_bytes;
	uint64_t mismatches;        /**< Anything that failed. */
	struct {
		uint64_t va, iova, expected;
		const char *what;
	} shown[IOL_AUDIT_SHOWN];   /**< The first mismatches. */
	unsigned int n_shown;
};

/**
 * Check every page of @p m and every chunk of the given mempools:
 * in PA mode each page's IOVA against the physical address; in VA mode
 * DPDK's own memory against its virtual address; every range against the
 * DMA mask; every mempool chunk page against the map.
 *
 * @return 0 if everything matched, -1 if anything did not (details in
 *   @p res).
 */
int iol_audit_run(const struct iol_iova_map *m, const struct iol_audit_params *p,
		struct iol_audit_result *res);

/**
 * The one-screen summary; with ranges aligned below their page size, the
 * note "IOVA 0x... is aligned to 1 MiB only, below its 2 MiB pages: the
 * IOMMU cannot use 2 MiB superpages for it (a performance note, not an
 * error)".
 */
void iol_audit_print(const struct iol_iova_map *m, const struct iol_audit_params *p,
		const struct iol_audit_result *res, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* IOL_AUDIT_H */
