/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_STATS_H
#define IOL_STATS_H

/**
 * @file
 * Counters of the verified loop, their arithmetic (rates, latency
 * percentiles, cycles per packet), and the report built from them, as
 * text for people and JSON for scripts (doc/json-report.md).
 *
 * Each polling core writes only its own struct iol_qstats; the main core
 * reads them for the live line and sums them for the report.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "iol_audit.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Verification error classes, the index of each in union iol_errors. */
enum iol_err_class {
	IOL_ERR_LOST,
	IOL_ERR_DUPLICATED,
	IOL_ERR_REORDERED,
	IOL_ERR_STALE,
	IOL_ERR_CORRUPTED,
	IOL_ERR_TRUNCATED,
	IOL_ERR_FOREIGN,
	IOL_ERR_MISDELIVERED,
	IOL_ERR_BAD_IOVA,
	IOL_ERR_CLASSES     /**< Number of classes. */
};

/** Verification errors, each class counted on its own. */
union iol_errors {
	struct {
		uint64_t lost;          /**< Sent, never received. */
		uint64_t duplicated;    /**< Received more than once. */
		uint64_t reordered;     /**< Received after a later one. */
		uint64_t stale;         /**< Older than the flow's known history: neither late nor a known duplicate. */
		uint64_t corrupted;     /**< Header or payload bytes differ. */
		uint64_t truncated;     /**< Shorter than sent. */
		uint64_t foreign;       /**< Not an iovaloop frame of this run. */
		uint64_t misdelivered;  /**< Meant for another port or queue. */
		uint64_t bad_iova;      /**< Buffer IOVA does not translate back. */
	};
	uint64_t v[IOL_ERR_CLASSES]; /**< Indexed by enum iol_err_class. */
};

/** Name of error class @p i ("lost", ...), as used in the JSON. */
const char *iol_errors_name(unsigned int i);
/** Sum of all classes, saturating at UINT64_MAX (for display: never decide with it). */
uint64_t iol_errors_total(const union iol_errors *e);
/** True when any class counted an error. */
bool iol_errors_any(const union iol_errors *e);
/** @p a + @p b, or UINT64_MAX where the sum would wrap. */
static inline uint64_t
iol_add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/** Sub-buckets per power of two: percentiles are within 1/16. */
#define IOL_HIST_SUB 16
/** Buckets for values up to 2^64. */
#define IOL_HIST_BUCKETS (61 * IOL_HIST_SUB)

/** Log-linear histogram of latencies in TSC cycles. */
struct iol_hist {
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t bucket[IOL_HIST_BUCKETS];
};

/** Empty a histogram. */
void iol_hist_reset(struct iol_hist *h);

/** Bucket of value @p v. */
static inline unsigned int
iol_hist_index(uint64_t v)
{
	unsigned int msb;

	if (v < IOL_HIST_SUB)
		return (unsigned int)v;
	msb = 63 - __builtin_clzll(v);
	return (msb - 3) * IOL_HIST_SUB + ((v >> (msb - 4)) & (IOL_HIST_SUB - 1));
}

/** Record one value. */
static inline void
iol_hist_add(struct iol_hist *h, uint64_t v)
{
	h->bucket[iol_hist_index(v)]++;
	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/**
 * Samples of one burst on their way into a histogram. Incrementing a
 * bucket in memory for every frame chains each frame to the previous one
 * (consecutive frames land in the same bucket); a batch keeps the run of
 * one bucket, the count, min and max in registers and writes them once.
 */
struct iol_hist_batch {
	unsigned int idx;   /**< Bucket of the current run. */
	uint32_t run;       /**< Samples in it not yet written. */
	uint32_t count;
	uint64_t min;
	uint64_t max;
};

/** Start a batch. */
static inline void
iol_hist_batch_init(struct iol_hist_batch *b)
{
	b->idx = 0;
	b->run = 0;
	b->count = 0;
	b->min = UINT64_MAX;
	b->max = 0;
}

/** Record one value of the batch bound for @p h. */
static inline void
iol_hist_batch_add(struct iol_hist *h, struct iol_hist_batch *b, uint64_t v)
{
	unsigned int idx = iol_hist_index(v);

	if (idx != b->idx) {
		h->bucket[b->idx] += b->run;
		b->idx = idx;
		b->run = 0;
	}
	b->run++;
	b->count++;
	b->min = v < b->min ? v : b->min;
	b->max = v > b->max ? v : b->max;
}

/** Write what the batch holds into @p h. */
static inline void
iol_hist_batch_flush(struct iol_hist *h, struct iol_hist_batch *b)
{
	h->bucket[b->idx] += b->run;
	h->count += b->count;
	if (b->min < h->min)
		h->min = b->min;
	if (b->max > h->max)
		h->max = b->max;
	iol_hist_batch_init(b);
}

/** Add @p src into @p dst. */
void iol_hist_merge(struct iol_hist *dst, const struct iol_hist *src);

/** Lowest value that falls into bucket @p i, and the bucket's width. */
void iol_hist_bucket_span(unsigned int i, uint64_t *low, uint64_t *width);

/**
 * Value at quantile @p q (0..1): the middle of the bucket holding it,
 * clamped to [min, max]. 0 for an empty histogram.
 */
uint64_t iol_hist_quantile(const struct iol_hist *h, double q);

/** Counters of one port queue (RX and TX side). */
struct iol_qstats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;      /**< L2 bytes, without FCS. */
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t verified;      /**< Received and found intact. */
	uint64_t end_frames;    /**< End-of-flow frames received (neither data nor errors). */
	/** Frames whose RSS hash from the device was compared with iovaloop's own. */
	uint64_t rss_checked;
	/**
	 * Of those, hashes that differed: the device hashed other bytes or
	 * another key than it reported. A counted check, not an error class:
	 * the queue the frame reached is what steering is judged by
	 * (misdelivered), and that is checked on every frame.
	 */
	uint64_t rss_mismatch;
	union iol_errors err;
	struct iol_hist lat;    /**< TX stamp to reception, in cycles. */
} __rte_cache_aligned;

/** Zero a queue's counters. */
void iol_qstats_reset(struct iol_qstats *q);
/** Add @p src into @p dst. */
void iol_qstats_merge(struct iol_qstats *dst, const struct iol_qstats *src);

/** Bytes a frame costs on Ethernet beyond its L2 length: FCS, preamble, IFG. */
#define IOL_WIRE_OVERHEAD 24

/** Millions of packets per second. */
double iol_rate_mpps(uint64_t pkts, double secs);
/** Gigabits per second of L2 frames. */
double iol_rate_gbps_l2(uint64_t bytes, double secs);
/** Gigabits per second on the wire (IOL_WIRE_OVERHEAD per frame). */
double iol_rate_gbps_wire(uint64_t pkts, uint64_t bytes, double secs);
/** Cycles to nanoseconds at @p hz. */
double iol_cycles_to_ns(uint64_t cycles, uint64_t hz);

/** A polling core's own account. */
struct iol_core_stats {
	uint64_t cycles;        /**< TSC cycles in the poll loop. */
	uint64_t busy_cycles;   /**< Of those, in iterations that received. */
	uint64_t pkts;          /**< Packets received by this core. */
	uint64_t polls;         /**< Loop iterations. */
} __rte_cache_aligned;

/** The live line's figures at one --stats-period, kept for the report. */
struct iol_sample {
	double t;               /**< Seconds since the start. */
	double rx_mpps, tx_mpps; /**< Over the period before. */
	uint64_t rx_pkts;
	uint64_t verified;
	uint64_t errors;        /**< All classes, saturating. */
};

/** Queues a port in the report has at most (IOL_MAX_QUEUES). */
#define IOL_REPORT_MAX_QUEUES 16

/** The JSON report's format: iovaloop-plot.py and scripts check it. */
#define IOL_REPORT_FORMAT_VERSION 2

/** Everything the final report shows. */
struct iol_report {
	const char *version;
	const char *payload_variant; /**< Payload check code used ("avx2", ...). */
	const char *mode;          /**< "loop", "txonly", "rxonly" */
	const char *verify;        /**< "none", "header", "full" */
	const char *frame;         /**< "udp" or "raw" (--frame) */
	uint32_t run_id;
	uint16_t pkt_size;
	uint16_t burst;
	uint32_t inflight;
	double secs;               /**< Measured time. */
	uint64_t tsc_hz;

	unsigned int n_ports;
	struct iol_report_port {
		uint16_t port_id;
		char name[64];
		unsigned int n_queues;
		const struct iol_qstats *q; /**< n_queues of them. */
		unsigned int lcore[IOL_REPORT_MAX_QUEUES]; /**< That polled each queue. */
		/** How frames sent to it found their RX queue (struct iol_steer). */
		struct iol_report_steer {
			const char *kind;   /**< "rss-predicted", "queue-to-queue", "none" */
			const char *hashed; /**< RSS: "ipv4-udp" or "ipv4" */
			unsigned int key_len, reta_size; /**< RSS: as read back */
			bool hash_in_mbuf;  /**< RSS: the device's hash checked on each frame */
		} steer;
		/** The PMD's own counters over the run (rte_eth_stats_get()). */
		struct iol_dev_counters {
			bool valid;         /**< The PMD gave them. */
			uint64_t imissed;   /**< Dropped by the NIC: no RX descriptor free. */
			uint64_t ierrors;   /**< Received with errors (CRC, length). */
			uint64_t rx_nombuf; /**< RX mbuf allocation failures. */
			uint64_t oerrors;   /**< Failed transmissions. */
		} dev;
	} *ports;

	unsigned int n_cores;
	struct iol_report_core {
		unsigned int lcore;
		const struct iol_core_stats *s;
	} *cores;

	struct {
		const char *kind;          /**< "dpdk" or "xmem" */
		const char *iova_mode;     /**< "va" or "pa" */
		uint64_t page_size;
		int numa_node;             /**< -1 when spread or unknown */
		unsigned int n_ranges;
		const struct iol_iova_seg *ranges; /**< The audited map's ranges. */
	} memory;

	unsigned int n_samples;
	const struct iol_sample *samples; /**< One per --stats-period. */

	unsigned int n_diagnosis;
	const char *const *diagnosis; /**< Likely causes of what went wrong. */

	/**
	 * Why the run cannot pass whatever the counters say (a test fault
	 * that never fired, an rxonly run that heard no iovaloop frame).
	 */
	unsigned int n_problems;
	const char *const *problems;
};

/** The verdict of a run, decided once by iol_report_verdict(). */
struct iol_result {
	bool pass;
	char text[256];     /**< "PASS, all 10 data frames verified", "FAIL, lost 3, ..." */
};

/** Sum of every queue of every port in the report. */
void iol_report_totals(const struct iol_report *r, struct iol_qstats *tot);

/**
 * The one place a run's result is decided, from each error class on its
 * own (no sum that could wrap): PASS needs no error of any class, no
 * problem, and something to vouch for: at least one frame sent (txonly),
 * received (--verify none) or verified, with every data frame received
 * verified.
 */
void iol_report_verdict(const struct iol_report *r, struct iol_result *v);

/** Print the final report for people, ending with the verdict @p v. */
void iol_report_print(const struct iol_report *r, const struct iol_result *v, FILE *out);

/**
 * Write the report and verdict @p v as JSON (schema in doc/json-report.md).
 * @return 0, or -1 if the stream failed.
 */
int iol_report_json(const struct iol_report *r, const struct iol_result *v, FILE *out);

/**
 * The latency of a report, for the reports of other modes in the same
 * format: the text line (nothing without samples), and the "latency_ns"
 * object, with the histogram's buckets when @p buckets.
 */
void iol_report_latency_print(FILE *out, const char *indent, const struct iol_hist *h,
		uint64_t hz);
struct iol_json;
void iol_report_latency_json(struct iol_json *j, const struct iol_hist *h, uint64_t hz,
		bool buckets);

/**
 * The figures of one period: rates over it and totals so far.
 *
 * @param now, prev
 *   Totals now and at the previous sample.
 * @param t
 *   Seconds since the start.
 * @param dt
 *   Seconds between the two.
 */
void iol_sample_take(struct iol_sample *s, const struct iol_qstats *now,
		const struct iol_qstats *prev, double t, double dt);

/** Print the live line of a sample (the JSON's timeline holds the same). */
void iol_report_live(FILE *out, const struct iol_sample *s, uint64_t lost);

#ifdef __cplusplus
}
#endif

#endif /* IOL_STATS_H */
