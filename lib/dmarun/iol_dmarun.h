/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_DMARUN_H
#define IOL_DMARUN_H

/**
 * @file
 * The dma mode (doc/dma.md): copies of --copy-size bytes by a DMA engine
 * (lib/dma) between buffers at known IOVAs, each source written with the
 * payload of its copy number, each destination checked byte for byte on
 * completion; then the same copies by CPU memcpy over the same buffers for
 * as long, for the ratio. Verdict, text report and --json.
 */

#include <stdbool.h>
#include <stdint.h>

#include "iol_config.h"
#include "iol_loop.h"
#include "iol_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The dma mode's error classes. */
struct iol_dmarun_errors {
	uint64_t lost;       /**< Not completed within --loss-timeout. */
	uint64_t corrupted;  /**< Completed OK, wrong bytes at the destination. */
	uint64_t misplaced;  /**< The destination holds another copy's bytes. */
	uint64_t error;      /**< The engine reported an error status. */
};

/** One side of the comparison: the engine's copies, or memcpy's. */
struct iol_dmarun_side {
	uint64_t copies;     /**< Completed and checked. */
	uint64_t verified;
	double secs;
	double gbps;         /**< Of verified copies: 10^9 bytes/s. */
	double copies_per_s;
};

struct iol_dmarun_result {
	uint32_t run_id;
	uint64_t issued;     /**< Copies handed to the engine. */
	struct iol_dmarun_side engine, cpu;
	struct iol_dmarun_errors err;
	struct iol_hist lat; /**< Enqueue to completion seen, TSC cycles. */
	/** The first corrupted copy, as the frame path shows it. */
	struct {
		uint64_t copy;
		uint32_t offset;     /**< First wrong byte of the copy. */
		uint32_t bad_bytes;
		uint8_t expected[8], seen[8];
		unsigned int n_shown;
	} first_corrupted;
	uint64_t misplaced_copy, misplaced_holds; /**< The first misplaced: copy and whose bytes it holds. */
	bool pass;
	char verdict[256];
};

/**
 * A whole dma run: open cfg->dma, the buffers (DPDK memzone, or xmem),
 * the copies until --duration or iol_dmarun_request_stop(), the drain,
 * the memcpy reference, the report and --json, and the teardown in
 * reverse. The EAL must be up.
 */
enum iol_exit iol_dmarun(const struct iol_config *cfg, const struct iol_run_env *env,
		struct iol_dmarun_result *res);

/** Ask iol_dmarun() to stop (async-signal-safe); a second request ends the drain. */
void iol_dmarun_request_stop(void);

#ifdef __cplusplus
}
#endif

#endif /* IOL_DMARUN_H */
