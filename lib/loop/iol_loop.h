/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_LOOP_H
#define IOL_LOOP_H

/**
 * @file
 * The verified poll-mode loop: ports, the engine that moves and checks
 * every frame, and iol_run(), which does a whole run the way the
 * iovaloop program does (the end-to-end autotests call it too).
 *
 * A lane is one queue index of a port pair (or of a single port looping
 * through itself). Each lane keeps --inflight frames circulating: a frame
 * received on a port is verified, restamped with that port's next
 * sequence number and sent out of the same port towards its peer. Lanes
 * are spread over the worker lcores; each port queue belongs to exactly
 * one lane, so the hot loop shares nothing and takes no lock.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "iol_audit.h"
#include "iol_config.h"
#include "iol_iommu.h"
#include "iol_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A cross-connected pair of ring ports: one's TX is the other's RX. */
struct iol_ring_pair {
	uint16_t ports[2];
	unsigned int queues;
	char names[2][64];          /**< Device names, for rte_vdev_uninit(). */
	struct rte_ring *rings[2][IOL_MAX_QUEUES]; /**< [0]: 0->1, [1]: 1->0 */
};

/**
 * Create the pair with @p queues queues of @p ring_size slots each.
 * @return 0, or -1 with the reason in @p err (nothing left behind).
 */
int iol_ring_pair_create(struct iol_ring_pair *rp, unsigned int queues,
		unsigned int ring_size, int socket, char *err, size_t errlen);
/** Close the ports and free the rings. */
void iol_ring_pair_destroy(struct iol_ring_pair *rp);

/** Fill @p caps from the device. @return 0 or a negative errno. */
int iol_port_caps_get(uint16_t port, struct iol_port_caps *caps);

/**
 * Configure @p port for the run (queues, descriptors, @p mp for RX) and
 * start it, promiscuous.
 * @return 0, or -1 with the reason in @p err (the port is left stopped).
 */
int iol_port_setup(uint16_t port, const struct iol_config *cfg,
		struct rte_mempool *mp, char *err, size_t errlen);

/**
 * Wait until every port reports link up.
 * @return 0, or -1 naming the ports still down after @p timeout seconds.
 */
int iol_ports_wait_link(const uint16_t *ports, unsigned int n, double timeout,
		char *err, size_t errlen);

/**
 * Stop and close a port set up by iol_port_setup() (or that it failed to
 * set up), with the MTU it had put back if iol_port_setup() raised it.
 */
void iol_port_teardown(uint16_t port);

/**
 * @name Frames of one segment or more (lib/loop/iol_seg.c)
 * A frame longer than an mbuf's data room is a chain of mbufs; its first
 * segment holds the Ethernet and iovaloop headers (--mbuf-size is at
 * least IOL_STAMP_MIN_LEN).
 */

/**
 * Allocate @p n frames of @p len bytes from @p mp: one mbuf each when it
 * holds @p len, else a chain of as many as it takes (lengths are laid by
 * iol_frame_stamp()). @return 0, or a negative errno with nothing allocated.
 */
int iol_frame_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **m, unsigned int n,
		uint16_t len);

/**
 * Stamp a chain as iol_stamp_write() stamps one buffer: @p info->len bytes
 * laid over its segments (each full but the last, those left over freed).
 * @return false, with nothing written, when the chain cannot hold them.
 */
bool iol_frame_stamp(struct rte_mbuf *m, const uint8_t *dst_mac, const uint8_t *src_mac,
		const struct iol_stamp_info *info);

/** What iol_frame_check() found in a received frame. */
struct iol_frame_result {
	/**
	 * The verdict over the segments' bytes in order; bad_offset is a frame
	 * offset. Segment lengths that do not add up to pkt_len make a frame
	 * with a good header corrupted ("segment lengths"), at the first
	 * payload byte that differs, or where the bytes end or run on.
	 */
	struct iol_stamp_result stamp;
	int bad_iova_seg;           /**< First segment whose buffer IOVA does not translate back, or -1. */
	uint16_t nb_segs;           /**< Segments in the chain. */
	uint32_t data_len_sum;      /**< Bytes they hold. */
	uint16_t bad_seg;           /**< CORRUPTED with a good header: segment (from 0) of bad_offset, */
	uint32_t bad_seg_off;       /**< and its offset in it. */
};

/**
 * Verify a received frame of one segment or more: each segment's buffer
 * IOVA against @p map (@p hint as for iol_iova_map_check()), then the
 * stamp over its bytes (iol_stamp_check()).
 */
void iol_frame_check(const struct iol_iova_map *map, unsigned int *hint,
		const struct rte_mbuf *m, const struct iol_stamp_expect *exp,
		struct iol_frame_result *fr);

/**
 * The segments of @p m for an error line: where the first bad byte lies,
 * and the lengths: "; byte 4196 is byte 100 of segment 3; 5 segments,
 * data_len 2048+2048+2048+2048+808 = 9000, pkt_len 9000".
 */
void iol_frame_describe(const struct rte_mbuf *m, const struct iol_frame_result *fr,
		char *buf, size_t len);

/** @} */

struct iol_engine;

/**
 * Frames a lane side may hold for TX: a burst received while a burst is
 * still pending, and the copy a dup fault adds.
 */
#define IOL_LANE_TXBUF (2 * IOL_MAX_BURST + 2)

/**
 * Build the lanes for @p ports (in loop mode paired in order) with their
 * per-queue counters. Nothing is sent until iol_engine_launch().
 *
 * @param map
 *   Where DMA can land; every received buffer is checked against it.
 */
struct iol_engine *iol_engine_create(const struct iol_config *cfg,
		const uint16_t *ports, unsigned int n_ports,
		struct rte_mempool *mp, const struct iol_iova_map *map,
		uint32_t run_id);

/**
 * Start the lanes on the worker lcores. Without workers the main lcore
 * polls, from iol_engine_poll_main().
 * @return 0 or a negative errno.
 */
int iol_engine_launch(struct iol_engine *e);

/** Where there are no workers: poll for a while, then return. */
void iol_engine_poll_main(struct iol_engine *e);

/**
 * Stop sending new frames; lanes drain what is in flight and finish, on
 * silence or at --loss-timeout after the stop at the latest.
 */
void iol_engine_request_stop(struct iol_engine *e);

/** Stop without draining: lanes finish at their next poll. */
void iol_engine_abort(struct iol_engine *e);

/** True once every lane has finished. */
bool iol_engine_done(const struct iol_engine *e);

/** Wait for the workers to return. */
void iol_engine_wait(struct iol_engine *e);

/** Sum of all counters so far (for the live line). */
void iol_engine_totals(const struct iol_engine *e, struct iol_qstats *tot);

/** The run id stamped, or (rxonly) the one learnt from the frames; 0 if none. */
uint32_t iol_engine_run_id(const struct iol_engine *e);

/**
 * Seconds from launch to the stop request (or now), or to the last frame
 * the drain received when that came later.
 */
double iol_engine_seconds(const struct iol_engine *e);

/** The lcore that polls queue @p queue of port index @p pidx. */
unsigned int iol_engine_queue_lcore(const struct iol_engine *e, unsigned int pidx,
		unsigned int queue);

/** The payload code the fast path uses ("avx2", "scalar", ...). */
const char *iol_engine_payload_variant(const struct iol_engine *e);

/**
 * The test faults that never fired (@p n of them, in order) and how many
 * frames the faulted queue sent.
 */
const struct iol_fault *iol_engine_faults_left(const struct iol_engine *e,
		unsigned int *n, uint64_t *sent);

/**
 * Once the lanes have finished: complete the byte counts the hot loop
 * leaves out, and point the report's ports and cores at the engine's
 * counters (valid until iol_engine_destroy()).
 * @return 0 or -ENOMEM.
 */
int iol_engine_fill_report(struct iol_engine *e, struct iol_report *r);

/** Free the lanes. The ports are left to the caller. */
void iol_engine_destroy(struct iol_engine *e);

/** Exit status of a run, as iovaloop returns it. */
enum iol_exit {
	IOL_EXIT_PASS = 0,    /**< Every frame verified. */
	IOL_EXIT_VERIFY = 1,  /**< A verification error, or the audit failed. */
	IOL_EXIT_USAGE = 2,   /**< Options that do not fit the devices. */
	IOL_EXIT_SETUP = 3,   /**< The environment refused (memory, ports, link). */
};

/** What iol_run() needs beyond the options. */
struct iol_run_env {
	const char *version;
	FILE *out;                  /**< Live line, audit and report; NULL: stdout. */
	unsigned int dma_mask_bits; /**< Narrowest IOMMU width of the ports; 0 unknown. */
	const char *sysfs_root;     /**< For the xmem plan check; NULL: "/". */
};

#define IOL_RUN_MAX_DIAGNOSIS 6

/** What a run measured (for tests). */
struct iol_run_result {
	uint32_t run_id;
	struct iol_qstats totals;
	double secs;
	bool audited;               /**< The IOVA audit ran and passed. */
	uint64_t audit_pages;
	bool pass;                  /**< The verdict (iol_report_verdict()). */
	unsigned int mbufs_leaked;  /**< mbufs not back in the pool once the ports closed. */
	char verdict[256];
	unsigned int n_diagnosis;
	char diagnosis[IOL_RUN_MAX_DIAGNOSIS][512];
};

/**
 * One whole run: ports (the virtual pair when there is none), memory,
 * IOVA audit, port set-up, the loop for --duration or until
 * iol_run_request_stop(), the report (and --json), and the teardown of
 * everything it set up, in reverse order: every port it used is stopped
 * and closed. The EAL must be up.
 */
enum iol_exit iol_run(const struct iol_config *cfg, const struct iol_run_env *env,
		struct iol_run_result *res);

/**
 * mbufs a run on @p n_ports ports needs: each queue's RX and TX rings, a
 * pending burst and the per-lcore cache.
 */
unsigned int iol_run_mbufs(const struct iol_config *cfg, unsigned int n_ports);

/**
 * What a run of @p cfg on the PCI devices @p devs will pin and map, as
 * the doctor's plan (iol_doctor_plan_init() done here): the pool's bytes
 * (and xmem's), its hugepages, the DMA mappings, and with --iova-base the
 * planned IOVA range, written to @p range which must outlive @p plan.
 */
void iol_run_plan(const struct iol_config *cfg, const char *const *devs,
		unsigned int n_devs, struct iol_doctor_plan *plan,
		struct iol_iova_range *range);

/**
 * Ask iol_run() to stop (async-signal-safe). A request made before the
 * run starts (a signal during EAL start-up) is kept: that run stops at
 * once, after its set-up, with its report. A second request ends the
 * drain at once.
 */
void iol_run_request_stop(void);

#ifdef __cplusplus
}
#endif

#endif /* IOL_LOOP_H */
