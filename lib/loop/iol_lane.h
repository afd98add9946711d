/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_LANE_H
#define IOL_LANE_H

/*
 * Private to lib/loop: the engine's state, shared by the control path
 * (iol_engine.c), the forwarding modes and hot loop (iol_fwd.c) and the
 * slow path that classifies and reports (iol_verify.c).
 */

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "iol_loop.h"
#include "iol_stamp.h"

extern int iol_loop_logtype;
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iol_loop_logtype, "iovaloop: " fmt "\n", ##__VA_ARGS__)

/* Flows a queue tells apart: one per sending queue it hears from. */
#define MAX_FLOWS 8
#define TXBUF_CAP IOL_LANE_TXBUF

static inline uint16_t
flow_id(uint16_t port, uint16_t queue)
{
	return (uint16_t)(port << 8 | queue);
}

/* Header word 0 as it lies in a frame (little-endian). */
static inline uint64_t
first_word(uint16_t flow, uint32_t run_id)
{
	return rte_cpu_to_le_64((uint64_t)IOL_STAMP_MAGIC | (uint64_t)flow << 16 |
		(uint64_t)run_id << 32);
}

/* The bits of header word 4 below the CRC: length and ports. */
#define META_BITS 0x0000ffffffffffffull

/* Those bits as they lie in a frame (little-endian). */
static inline uint64_t
meta_word(uint16_t len, uint8_t sp, uint8_t sq, uint8_t dp, uint8_t dq)
{
	return rte_cpu_to_le_64((uint64_t)len | (uint64_t)sp << 16 | (uint64_t)sq << 24 |
		(uint64_t)dp << 32 | (uint64_t)dq << 40);
}

/* Where the CRC lies after the header's start. */
#define CRC_OFF offsetof(struct iol_stamp_hdr, crc)

/* One port queue: what it receives and what it sends. */
struct side {
	uint16_t port;
	uint16_t pidx;                  /* its index in the engine's ports */
	uint16_t queue;
	unsigned int lcore;             /* that polls it */
	uint16_t flow;                  /* of the frames it sends */
	uint8_t dst_port, dst_queue;    /* stamped in what it sends */
	struct rte_ether_addr src_mac, dst_mac;
	struct side *peer;              /* whose frames arrive here */
	struct iol_qstats *st;
	struct iol_stamp_expect expect;
	/* The fast path's view of a frame: header words it expects, and sends. */
	uint64_t rx_w0;                 /* magic, flow, run id */
	uint64_t rx_meta;               /* len, source and destination (48 bits) */
	uint64_t tx_w0;
	uint64_t tx_meta;
	uint32_t rx_crc0, tx_crc0;      /* the header CRC after word 0 */
	uint32_t rx_rss;                /* the device's hash of what arrives here (RSS) */
	bool rss_check;                 /* its port steers by RSS: a hash given is compared */
	struct iol_stamp_ends ends;     /* of what it sends */
	struct iol_stamp_prefix prefix; /* what it sends: the peer receives exactly that */
	uint64_t tx_seq;                /* next sequence number sent */
	unsigned int iova_hint;

	unsigned int n_flows;
	uint16_t flows[MAX_FLOWS];
	struct iol_seq seq[MAX_FLOWS];
	uint64_t timeout_lost;          /* lost without sequence numbers (--verify none) */

	const struct iol_fault *faults; /* sorted by index, only on the first side */
	unsigned int n_faults;
	uint64_t fault_at;              /* sequence number of faults[0], or UINT64_MAX */
	struct rte_mbuf *held;          /* a frame the swap fault delays */
	uint64_t next_tx;               /* txonly --tx-rate: TSC of the next burst */

	uint16_t n_pending;
	struct rte_mbuf *txbuf[TXBUF_CAP];
};

struct lane {
	struct side side[2];
	unsigned int n_sides;
	int64_t out;                    /* frames sent and not yet accounted for */
	uint64_t last_rx;               /* TSC of the last reception or write-off */
	uint64_t last_frame;            /* TSC of the last reception */
	unsigned int turn;              /* side that injects next */
	bool done;
};

struct worker {
	unsigned int lcore;
	unsigned int n_lanes;
	struct lane **lanes;
	struct iol_engine *e;
	struct iol_core_stats cs;
	uint64_t prev_tsc;
	bool prev_busy;
	unsigned int lanes_done;
};

struct iol_engine;

/* A forwarding mode's receive step on one side: frames received. */
typedef uint16_t (*rx_fn)(struct iol_engine *e, struct lane *l, struct side *s, uint64_t now);

struct iol_engine {
	struct iol_config cfg;
	struct rte_mempool *mp;
	const struct iol_iova_map *map;
	const struct iol_payload_ops *payload;
	uint32_t run_id;
	uint64_t loss_cycles;
	uint64_t burst_cycles;          /* txonly --tx-rate: TSC between bursts */
	rx_fn rx;                       /* the mode's receive step while running */
	rx_fn rx_drain;                 /* and after the stop: nothing goes round again */
	volatile bool stop;
	volatile bool abort;            /* a second stop: finish without draining */
	uint64_t stop_tsc;
	uint32_t hdr_off;               /* where the iovaloop header lies (--frame) */
	uint32_t shift;                 /* iol_stamp_shift(): the payload code's view */

	unsigned int n_ports;
	uint16_t ports[IOL_MAX_PORTS];
	struct iol_qstats *qstats;      /* [port index][queue] */

	unsigned int n_lanes;
	struct lane *lanes;
	unsigned int n_workers;
	struct worker *workers;
	bool main_polls;

	uint64_t start_tsc;
	uint32_t shown[IOL_ERR_CLASSES];
	uint32_t rss_shown;             /* RSS hash mismatches printed */
	struct rte_eth_stats dev_base[IOL_MAX_PORTS]; /* the PMDs' counters at launch */
	bool dev_base_valid[IOL_MAX_PORTS];
	struct iol_steer steer[IOL_MAX_PORTS]; /* [port index] */
};

/*
 * What a burst counts before it is published at once: frames verified and
 * their latencies, kept in registers by the fast path.
 */
struct burst {
	uint32_t verified;
	uint32_t rss_checked;           /* frames whose device hash was compared */
	struct iol_hist_batch lat;
};

/* An intact frame that arrived (in order or late): verified, with its latency. */
static inline void
count_verified(struct side *s, struct burst *b, const struct iol_stamp_result *r,
		uint64_t now)
{
	if (r->cls != IOL_STAMP_OK)
		return;
	b->verified++;
	if (now > r->hdr.tx_tsc)
		iol_hist_batch_add(&s->st->lat, &b->lat, now - r->hdr.tx_tsc);
}

/* iol_verify.c: the slow path. */

/*
 * Classify and count one received frame. Returns true if it goes round
 * again: it was ours with a header to trust and not a copy already seen.
 */
bool verify_frame(struct iol_engine *e, struct lane *l, struct side *s,
		struct burst *b, struct rte_mbuf *m, uint64_t now);
/* Copy the flows' verdicts into the queue's counters after a burst. */
void sync_seq_counters(struct side *s);
/* Nothing came back for the loss timeout (or the run ended): flush the flows. */
void write_off_in_flight(struct iol_engine *e, struct lane *l, const char *why);

/* iol_steer.c: RSS set-up and prediction. */

/* How @p cfg's queues are steered on a device. */
enum iol_steer_kind steer_kind(const struct iol_config *cfg, const struct rte_eth_dev_info *info);
/* What iol_config_check_ports() needs to know of the device's steering. */
void steer_caps(const struct rte_eth_dev_info *info, struct iol_port_caps *caps);
/* RSS in @p conf, with @p key (IOL_STEER_KEY_MAX bytes, to outlive the configure). */
void steer_conf(const struct iol_config *cfg, const struct rte_eth_dev_info *info,
		struct rte_eth_conf *conf, uint8_t *key);
/* Read the steering back from a started port. @return 0, or -1 with the reason. */
int steer_read(uint16_t port, const struct iol_config *cfg, struct iol_steer *st,
		char *err, size_t errlen);

/* iol_fwd.c: the forwarding modes and the hot loop. */

/* Choose the mode's receive steps. */
void fwd_select(struct iol_engine *e);
/* Poll the worker's lanes until they finish or @p max_polls. */
void fwd_worker_poll(struct worker *w, uint64_t max_polls);

#endif /* IOL_LANE_H */
