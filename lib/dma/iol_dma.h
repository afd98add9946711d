/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_DMA_H
#define IOL_DMA_H

/**
 * @file
 * A DMA engine: something that copies len bytes from one IOVA to another
 * and says when each copy is done. iovaloop's dma and probe modes are
 * written against this interface only; the back ends are DPDK's dmadev
 * API (lib/dma, any device the EAL probed) and iovaloop's own NIC drivers
 * (drivers/net: a NIC in loopback, whose TX descriptor reads the source
 * and whose RX descriptor writes the destination).
 *
 * Copies complete in the order they were enqueued on one engine; each
 * carries a cookie the caller chooses and gets back with its completion.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How one copy ended. */
enum iol_dma_status {
	IOL_DMA_OK = 0,     /**< The engine says the bytes were written. */
	IOL_DMA_ERROR,      /**< The engine reports an error for this copy. */
};

struct iol_dma_done {
	uint64_t cookie;            /**< As given to enqueue. */
	uint32_t len;               /**< Bytes the engine says it wrote. */
	enum iol_dma_status status;
};

/** What an engine can do, fixed once it is open. */
struct iol_dma_caps {
	uint32_t min_copy;          /**< Smallest copy, bytes (a NIC pads short frames). */
	uint32_t max_copy;          /**< Largest single copy, bytes. */
	uint16_t depth;             /**< Copies it can hold in flight. */
	bool va_only;               /**< IOVAs must be virtual addresses (dma_skeleton). */
	bool behind_iommu;          /**< Its DMA goes through the IOMMU (a NIC on vfio-pci). */
};

struct iol_dma_engine;

/** A back end's operations. Return values: 0 or a negative errno. */
struct iol_dma_ops {
	const char *kind;           /**< "dmadev", "nic" */
	/** Queue one copy; -ENOSPC when @p depth copies are in flight. */
	int (*enqueue)(struct iol_dma_engine *e, rte_iova_t src, rte_iova_t dst,
			uint32_t len, uint64_t cookie);
	/** Hand what was enqueued to the device (a doorbell). */
	void (*submit)(struct iol_dma_engine *e);
	/** Up to @p max finished copies, oldest first. Returns how many. */
	uint16_t (*completed)(struct iol_dma_engine *e, struct iol_dma_done *done, uint16_t max);
	/** Stop the device, restore what open changed, release it. */
	void (*close)(struct iol_dma_engine *e);
};

struct iol_dma_engine {
	const struct iol_dma_ops *ops;
	struct iol_dma_caps caps;
	char name[64];              /**< As the user named it: "dma_skeleton", "nic:0000:00:03.0". */
	void *priv;                 /**< The back end's. */
};

/**
 * A back end that opens engines whose name it recognises. open() returns
 * 1 when @p spec is not one of its names (the next back end is asked),
 * 0 when the engine is open, or a negative errno with a message in @p err.
 * @p container_fd is the VFIO container the engine's DMA is mapped in
 * (RTE_VFIO_DEFAULT_CONTAINER_FD for DPDK's own); dmadev ignores it.
 */
struct iol_dma_backend {
	const char *kind;
	const char *usage;          /**< The names it accepts, for messages. */
	int (*open)(const char *spec, int container_fd, struct iol_dma_engine *e,
			char *err, size_t errlen);
};

/** Add a back end (drivers register theirs with RTE_INIT). */
void iol_dma_backend_register(const struct iol_dma_backend *b);

/**
 * Open the engine @p spec names: a dmadev name or id, or "nic:BDF".
 * On failure one line in @p err names what was wrong and what is accepted.
 */
int iol_dma_open(const char *spec, int container_fd, struct iol_dma_engine *e,
		char *err, size_t errlen);

static inline int
iol_dma_enqueue(struct iol_dma_engine *e, rte_iova_t src, rte_iova_t dst, uint32_t len,
		uint64_t cookie)
{
	return e->ops->enqueue(e, src, dst, len, cookie);
}

static inline void
iol_dma_submit(struct iol_dma_engine *e)
{
	e->ops->submit(e);
}

static inline uint16_t
iol_dma_completed(struct iol_dma_engine *e, struct iol_dma_done *done, uint16_t max)
{
	return e->ops->completed(e, done, max);
}

/** Close an engine iol_dma_open() opened; safe on a zeroed one. */
void iol_dma_close(struct iol_dma_engine *e);

#ifdef __cplusplus
}
#endif

#endif /* IOL_DMA_H */
