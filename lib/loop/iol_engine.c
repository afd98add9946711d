/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iol_loop.h"
#include "iol_stamp.h"

RTE_LOG_REGISTER(iol_loop_logtype, iovaloop.loop, INFO);
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iol_loop_logtype, "iovaloop: " fmt "\n", ##__VA_ARGS__)

/* Flows a queue tells apart: one per sending queue it hears from. */
#define MAX_FLOWS 8
/* Errors of each class printed in full; the rest are counted. */
#define ERRORS_SHOWN 5
/* Copies of the end-of-flow frame txonly sends, in case some are lost. */
#define END_COPIES 3
/* Room for a burst received while a burst is still pending, and a duplicate. */
#define TXBUF_CAP (2 * IOL_MAX_BURST + 2)
/* Polls between two readings of the TSC when nothing needs it per frame. */
#define CLOCK_POLLS 16
/* Iterations iol_engine_poll_main() runs before it returns. */
#define MAIN_POLLS 1024

static inline uint16_t
flow_id(uint16_t port, uint16_t queue)
{
	return (uint16_t)(port << 8 | queue);
}

/* One port queue: what it receives and what it sends. */
struct side {
	uint16_t port;
	uint16_t queue;
	uint16_t flow;                  /* of the frames it sends */
	uint8_t dst_port, dst_queue;    /* stamped in what it sends */
	struct rte_ether_addr src_mac, dst_mac;
	struct side *peer;              /* whose frames arrive here */
	struct iol_qstats *st;
	struct iol_stamp_expect expect;
	/* The fast path's view of a frame: header words it expects, and sends. */
	uint64_t rx_w0;                 /* magic | flow | run id */
	uint64_t rx_meta;               /* len, source and destination (low 48 bits) */
	uint64_t tx_w0;                 /* TEMP engine adaptation: flow moved to word 0 */
	uint64_t tx_meta;
	uint8_t eth[IOL_STAMP_ETH_LEN]; /* what it sends: peer's MAC, own MAC, type */
	uint64_t tx_seq;                /* next sequence number sent */
	unsigned int iova_hint;

	unsigned int n_flows;
	uint16_t flows[MAX_FLOWS];
	struct iol_seq seq[MAX_FLOWS];
	uint64_t timeout_lost;          /* lost without sequence numbers (--verify none) */

	const struct iol_fault *faults; /* sorted by index, only on the first side */
	unsigned int n_faults;
	struct rte_mbuf *held;          /* a frame the swap fault delays */
	uint64_t next_tx;               /* txonly --tx-rate: TSC of the next burst */

	uint16_t n_pending;
	struct rte_mbuf *txbuf[TXBUF_CAP];
};

struct lane {
	struct side side[2];
	unsigned int n_sides;
	int64_t out;                    /* frames sent and not yet accounted for */
	uint64_t last_rx;               /* TSC of the last reception */
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

struct iol_engine {
	struct iol_config cfg;
	struct rte_mempool *mp;
	const struct iol_iova_map *map;
	uint32_t run_id;
	uint64_t loss_cycles;
	uint64_t burst_cycles;          /* txonly --tx-rate: TSC between bursts */
	volatile bool stop;
	uint64_t stop_tsc;

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
};

/* Whether error class @p cls may still be printed in full. */
static bool
show_error(struct iol_engine *e, enum iol_err_class cls)
{
	return __atomic_fetch_add(&e->shown[cls], 1, __ATOMIC_RELAXED) < ERRORS_SHOWN;
}

static void
report_frame_error(struct iol_engine *e, const struct side *s,
		const struct iol_stamp_result *r, enum iol_err_class cls)
{
	char bytes[80] = "";
	unsigned int i;
	size_t n = 0;

	if (!show_error(e, cls))
		return;
	if (r->n_shown > 0) {
		n += snprintf(bytes, sizeof(bytes), " at byte %u (%u bytes differ): expected",
			r->bad_offset, r->bad_bytes);
		for (i = 0; i < r->n_shown && n < sizeof(bytes); i++)
			n += snprintf(bytes + n, sizeof(bytes) - n, " %02x", r->expected[i]);
		LOG(ERR, "port %u queue %u: %s frame (%s) seq %" PRIu64 " flow %u from port %u queue %u%s",
			s->port, s->queue, iol_errors_name(cls), r->why, r->hdr.seq,
			r->hdr.flow, r->hdr.src_port, r->hdr.src_queue, bytes);
		n = 0;
		for (i = 0; i < r->n_shown && n < sizeof(bytes); i++)
			n += snprintf(bytes + n, sizeof(bytes) - n, " %02x", r->seen[i]);
		LOG(ERR, "    seen%s", bytes);
		return;
	}
	LOG(ERR, "port %u queue %u: %s frame (%s) seq %" PRIu64 " flow %u from port %u queue %u, len field %u",
		s->port, s->queue, iol_errors_name(cls), r->why ? r->why : "-", r->hdr.seq,
		r->hdr.flow, r->hdr.src_port, r->hdr.src_queue, r->hdr.len);
}

/* Copy the flows' verdicts into the queue's counters after a burst. */
static void
sync_seq_counters(struct side *s)
{
	uint64_t lost = s->timeout_lost, dup = 0, reord = 0;
	unsigned int f;

	for (f = 0; f < s->n_flows; f++) {
		lost += s->seq[f].lost;
		dup += s->seq[f].duplicated;
		reord += s->seq[f].reordered;
	}
	s->st->err.lost = lost;
	s->st->err.duplicated = dup;
	s->st->err.reordered = reord;
}

static struct iol_seq *
flow_tracker(struct side *s, uint16_t flow)
{
	unsigned int f;

	for (f = 0; f < s->n_flows; f++)
		if (s->flows[f] == flow)
			return &s->seq[f];
	if (s->n_flows == MAX_FLOWS)
		return NULL;
	/* A flow heard of for the first time: only rxonly learns flows. */
	s->flows[s->n_flows] = flow;
	iol_seq_init(&s->seq[s->n_flows], false, 0);
	return &s->seq[s->n_flows++];
}

static void
stamp(struct side *s, struct rte_mbuf *m, uint32_t run_id, uint16_t len,
		uint64_t seq, uint8_t flags)
{
	struct iol_stamp_info info = {
		.run_id = run_id, .seq = seq, .tx_tsc = rte_rdtsc(),
		.tx_iova = rte_pktmbuf_iova(m), .flow = s->flow, .len = len,
		.src_port = (uint8_t)s->port, .src_queue = (uint8_t)s->queue,
		.dst_port = s->dst_port, .dst_queue = s->dst_queue, .flags = flags,
	};

	m->data_len = len;
	m->pkt_len = len;
	iol_stamp_write(rte_pktmbuf_mtod(m, uint8_t *), s->dst_mac.addr_bytes,
		s->src_mac.addr_bytes, &info);
}

/* The test-only faults, applied to the frame about to be queued. */
static void
apply_fault(struct iol_engine *e, struct lane *l, struct side *s, struct rte_mbuf *m)
{
	const struct iol_fault *f = &s->faults[0];
	struct rte_mbuf *copy;

	s->faults++;
	s->n_faults--;
	LOG(NOTICE, "test fault: %s frame %" PRIu64 " of port %u queue %u",
		f->kind == IOL_FAULT_CORRUPT ? "corrupting" : f->kind == IOL_FAULT_DROP ?
		"dropping" : f->kind == IOL_FAULT_DUP ? "duplicating" : "swapping",
		f->at, s->port, s->queue);
	switch (f->kind) {
	case IOL_FAULT_CORRUPT:
		rte_pktmbuf_mtod(m, uint8_t *)[m->data_len - 1] ^= 0x40;
		break;
	case IOL_FAULT_DROP:
		rte_pktmbuf_free(m);
		return;
	case IOL_FAULT_DUP:
		copy = rte_pktmbuf_copy(m, e->mp, 0, UINT32_MAX);
		if (copy != NULL) {
			s->txbuf[s->n_pending++] = m;
			m = copy;
			l->out++;
		}
		break;
	case IOL_FAULT_SWAP:
		s->held = m;
		return;
	}
	s->txbuf[s->n_pending++] = m;
}

/* Stamp @p m with the side's next sequence number and queue it. */
static inline void
queue_frame(struct iol_engine *e, struct lane *l, struct side *s, struct rte_mbuf *m)
{
	uint64_t seq = s->tx_seq++;

	stamp(s, m, e->run_id, e->cfg.pkt_size, seq, 0);
	l->out++;
	if (unlikely(s->n_faults > 0 && s->faults[0].at == seq)) {
		apply_fault(e, l, s, m);
		return;
	}
	s->txbuf[s->n_pending++] = m;
	if (unlikely(s->held != NULL)) {
		s->txbuf[s->n_pending++] = s->held;
		s->held = NULL;
	}
}

/* TX bytes are counted at the end: every frame iovaloop sends is --pkt-size long. */
static __rte_always_inline void
flush_tx(struct side *s)
{
	uint16_t sent;

	if (s->n_pending == 0)
		return;
	sent = rte_eth_tx_burst(s->port, s->queue, s->txbuf, s->n_pending);
	s->st->tx_pkts += sent;
	if (sent < s->n_pending)
		memmove(s->txbuf, s->txbuf + sent, (s->n_pending - sent) * sizeof(s->txbuf[0]));
	s->n_pending -= sent;
}

/*
 * The per-burst state the fast path keeps in registers; the slow path
 * counts into it too, so that a burst is published at once.
 */
struct fast_state {
	uint64_t next;          /* next sequence number expected */
	uint64_t tx_seq;        /* next sequence number sent */
	uint16_t pending;       /* frames in txbuf */
	uint32_t verified;
	struct iol_hist_batch lat;
};

/*
 * Verify one received frame. Returns true if it goes round again: it was
 * ours with a header to trust and not a copy of one already seen.
 */
static inline bool
verify_frame(struct iol_engine *e, struct lane *l, struct side *s,
		struct fast_state *fs, struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	struct iol_stamp_result r;
	enum iol_seq_verdict v;
	struct iol_seq *t;
	uint64_t newly = 0;

	if (unlikely(!iol_iova_map_check(e->map, data, rte_pktmbuf_iova(m), &s->iova_hint))) {
		s->st->err.bad_iova++;
		if (show_error(e, IOL_ERR_BAD_IOVA))
			LOG(ERR, "port %u queue %u: buffer VA %p IOVA 0x%" PRIx64
				" does not translate back (outside the audited memory or "
				"another translation)", s->port, s->queue, data, rte_pktmbuf_iova(m));
	}
	iol_stamp_check(data, m->data_len, &s->expect, &r);
	switch (r.cls) {
	case IOL_STAMP_OK:
		break;
	case IOL_STAMP_CORRUPTED:
		s->st->err.corrupted++;
		report_frame_error(e, s, &r, IOL_ERR_CORRUPTED);
		break;
	case IOL_STAMP_TRUNCATED:
		s->st->err.truncated++;
		report_frame_error(e, s, &r, IOL_ERR_TRUNCATED);
		break;
	case IOL_STAMP_MISDELIVERED:
		s->st->err.misdelivered++;
		report_frame_error(e, s, &r, IOL_ERR_MISDELIVERED);
		return false;
	case IOL_STAMP_FOREIGN:
		s->st->err.foreign++;
		report_frame_error(e, s, &r, IOL_ERR_FOREIGN);
		return false;
	}
	/* Damage after a good header (payload, length) leaves its sequence usable. */
	if (!r.hdr_valid)
		return false;

	if (unlikely(r.end)) {
		t = flow_tracker(s, r.hdr.flow);
		/* TEMP engine adaptation: no bound on the count, a refused one is corrupted. */
		if (t != NULL && iol_seq_flush(t, r.hdr.seq, UINT64_MAX, &newly) != 0)
			s->st->err.corrupted++;
		else if (newly > 0 && show_error(e, IOL_ERR_LOST))
			LOG(ERR, "port %u queue %u: flow %u ended at %" PRIu64 " with frames missing",
				s->port, s->queue, r.hdr.flow, r.hdr.seq);
		return false;
	}
	if (unlikely(s->expect.run_id == 0))
		s->expect.run_id = r.hdr.run_id; /* rxonly: the first frame names the run */

	t = flow_tracker(s, r.hdr.flow);
	if (unlikely(t == NULL)) {
		s->st->err.foreign++;
		return false;
	}
	/* TEMP engine adaptation: no bound on a jump ahead yet. */
	v = iol_seq_update(t, r.hdr.seq, UINT64_MAX, &newly);
	if (unlikely(newly > 0)) {
		l->out -= (int64_t)newly;
		if (show_error(e, IOL_ERR_LOST))
			LOG(ERR, "port %u queue %u: %" PRIu64 " frame(s) of flow %u lost "
				"(confirmed when seq %" PRIu64 " arrived)", s->port, s->queue,
				newly, r.hdr.flow, r.hdr.seq);
	}
	if (unlikely(v != IOL_SEQ_IN_ORDER)) {
		if (v == IOL_SEQ_DUPLICATE && show_error(e, IOL_ERR_DUPLICATED))
			LOG(ERR, "port %u queue %u: seq %" PRIu64 " of flow %u received twice",
				s->port, s->queue, r.hdr.seq, r.hdr.flow);
		if (v != IOL_SEQ_DUPLICATE && show_error(e, IOL_ERR_REORDERED))
			LOG(ERR, "port %u queue %u: seq %" PRIu64 " of flow %u after %" PRIu64,
				s->port, s->queue, r.hdr.seq, r.hdr.flow, t->next - 1);
		/* A late frame counted lost was written off and replaced already. */
		if (v == IOL_SEQ_STALE || v == IOL_SEQ_RECOVERED)
			return false;
		l->out--;
		if (v == IOL_SEQ_DUPLICATE)
			return false;
		return true;
	}
	l->out--;
	if (r.cls == IOL_STAMP_OK) {
		fs->verified++;
		if (now > r.hdr.tx_tsc)
			iol_hist_batch_add(&s->st->lat, &fs->lat, now - r.hdr.tx_tsc);
	}
	return true;
}

/* TEMP engine adaptation: header words 0 and 4 of frame format 2 (CPU order). */
static inline uint64_t
head_word(uint16_t flow, uint32_t run_id)
{
	return (uint64_t)IOL_STAMP_MAGIC | (uint64_t)flow << 16 | (uint64_t)run_id << 32;
}

static inline uint64_t
meta_word(uint16_t len, uint8_t sp, uint8_t sq, uint8_t dp, uint8_t dq)
{
	return (uint64_t)len | (uint64_t)sp << 16 | (uint64_t)sq << 24 |
		(uint64_t)dp << 32 | (uint64_t)dq << 40;
}


/*
 * The common case of the loop: a frame of this run and flow, the next in
 * sequence, intact, whose buffer IOVA translates back, is checked and
 * restamped in place and queued. Anything else (including the first
 * window of a flow) returns false untouched and takes verify_frame().
 */
static inline bool
fast_frame(const struct iol_engine *e, struct side *s, struct fast_state *fs,
		struct rte_mbuf *m, uint64_t now)
{
	const struct iol_seq *t = &s->seq[0];
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint64_t iova = rte_pktmbuf_iova(m), w[5], seq;
	uint16_t len = e->cfg.pkt_size;
	uint32_t crc;
	if (unlikely(m->data_len != len ||
		     !iol_iova_map_check(e->map, f, iova, &s->iova_hint)))
		return false;
	/* Word by word: one 40-byte copy goes through the stack and stalls. */
	for (unsigned int k = 0; k < RTE_DIM(w); k++)
		memcpy(&w[k], f + IOL_STAMP_ETH_LEN + 8 * k, sizeof(w[k]));
	memcpy(&crc, f + IOL_STAMP_ETH_LEN + IOL_STAMP_CRC_COVERED, sizeof(crc));
	seq = rte_le_to_cpu_64(w[1]);
	/* In order, and the window slot it reuses held a frame that arrived. */
	if (unlikely(w[0] != s->rx_w0 ||
		     (w[4] & rte_cpu_to_le_64(0xffffffffffffull)) != s->rx_meta ||
		     seq != fs->next ||
		     !((t->window[(seq / 64) % (IOL_SEQ_WINDOW / 64)] >> (seq % 64)) & 1) ||
		     iol_stamp_hdr_crc(w) != rte_le_to_cpu_32(crc)))
		return false;
	if (e->cfg.verify == IOL_VERIFY_FULL &&
	    unlikely(!iol_stamp_payload_intact(f, len, e->run_id, seq)))
		return false;
	fs->next++;
	fs->verified++;
	if (likely(now > rte_le_to_cpu_64(w[2])))
		iol_hist_batch_add(&s->st->lat, &fs->lat, now - rte_le_to_cpu_64(w[2]));

	/* Restamp: same run, this side's flow, its next number, this buffer. */
	seq = fs->tx_seq++;
	w[1] = rte_cpu_to_le_64(seq);
	w[2] = rte_cpu_to_le_64(now);
	w[3] = rte_cpu_to_le_64(iova);
	w[0] = s->tx_w0;
	w[4] = s->tx_meta;
	crc = rte_cpu_to_le_32(iol_stamp_hdr_crc(w));
	memcpy(f, s->eth, IOL_STAMP_ETH_LEN);
	for (unsigned int k = 0; k < RTE_DIM(w); k++)
		memcpy(f + IOL_STAMP_ETH_LEN + 8 * k, &w[k], sizeof(w[k]));
	memcpy(f + IOL_STAMP_ETH_LEN + IOL_STAMP_CRC_COVERED, &crc, sizeof(crc));
	if (e->cfg.verify == IOL_VERIFY_FULL)
		iol_stamp_payload_write(f, e->run_id, seq, len);
	s->txbuf[fs->pending++] = m;
	return true;
}

/* Receive a burst on @p s; what goes round again is queued on @p s. */
static __rte_always_inline uint16_t
rx_side(struct iol_engine *e, struct lane *l, struct side *s, uint64_t now)
{
	struct rte_mbuf *pkts[IOL_MAX_BURST];
	uint16_t room = TXBUF_CAP - 2 - s->n_pending;
	struct fast_state fs;
	uint16_t n, i;
	uint64_t bytes = 0;
	bool keep, fast;

	if (e->cfg.verify == IOL_VERIFY_NONE && e->cfg.mode == IOL_MODE_LOOP && !e->stop) {
		/*
		 * Count and pass on, as testpmd's io forwarding does: the frames
		 * and their mbufs are not read (bytes are counted at the end, as
		 * frames x --pkt-size).
		 */
		n = rte_eth_rx_burst(s->port, s->queue, s->txbuf + s->n_pending,
			RTE_MIN(e->cfg.burst, room));
		s->n_pending += n;
		s->st->rx_pkts += n;
		return n;
	}
	n = rte_eth_rx_burst(s->port, s->queue, pkts, RTE_MIN(e->cfg.burst, room));
	if (n == 0)
		return 0;
	/* The fast path needs a flow known from seq 0 and no test fault pending. */
	fast = e->cfg.mode == IOL_MODE_LOOP && e->cfg.verify != IOL_VERIFY_NONE &&
		!e->stop && s->n_faults == 0 && s->held == NULL;
	fs.next = s->seq[0].next;
	fs.tx_seq = s->tx_seq;
	fs.pending = s->n_pending;
	fs.verified = 0;
	iol_hist_batch_init(&fs.lat);
	for (i = 0; i < n; i++) {
		bytes += pkts[i]->pkt_len;
		if (fast && fast_frame(e, s, &fs, pkts[i], now))
			continue;
		s->seq[0].next = fs.next;
		s->tx_seq = fs.tx_seq;
		s->n_pending = fs.pending;
		if (e->cfg.verify == IOL_VERIFY_NONE) {
			l->out--;
			keep = true;
		} else {
			keep = verify_frame(e, l, s, &fs, pkts[i], now);
		}
		if (keep && !e->stop && e->cfg.mode == IOL_MODE_LOOP)
			queue_frame(e, l, s, pkts[i]);
		else
			rte_pktmbuf_free(pkts[i]);
		fs.next = s->seq[0].next;
		fs.tx_seq = s->tx_seq;
		fs.pending = s->n_pending;
		fast = fast && s->n_faults == 0 && s->held == NULL;
	}
	if (s->n_flows > 0)
		s->seq[0].next = fs.next;
	s->tx_seq = fs.tx_seq;
	s->n_pending = fs.pending;
	s->st->rx_pkts += n;
	s->st->rx_bytes += bytes;
	/* Received before verified: the live line must never see more verified. */
	rte_compiler_barrier();
	s->st->verified += fs.verified;
	iol_hist_batch_flush(&s->st->lat, &fs.lat);
	if (e->cfg.verify != IOL_VERIFY_NONE)
		sync_seq_counters(s);
	return n;
}

/* Bring the lane's population back to --inflight with new frames. */
static void
inject(struct iol_engine *e, struct lane *l)
{
	struct rte_mbuf *m[IOL_MAX_BURST];
	struct side *s = &l->side[l->turn];
	int64_t want = (int64_t)e->cfg.inflight - l->out;
	unsigned int n, i;

	n = (unsigned int)RTE_MIN(want, (int64_t)e->cfg.burst);
	n = RTE_MIN(n, (unsigned int)(TXBUF_CAP - 2 - s->n_pending));
	if (n == 0 || rte_pktmbuf_alloc_bulk(e->mp, m, n) != 0)
		return;
	for (i = 0; i < n; i++)
		queue_frame(e, l, s, m[i]);
	l->turn = (l->turn + 1) % l->n_sides;
}

/*
 * Nothing came back for the loss timeout: whatever is in flight is lost.
 * Each side's flows are flushed with what their sender has sent.
 */
static void
write_off_in_flight(struct iol_engine *e, struct lane *l, const char *why)
{
	unsigned int i, f;
	uint64_t lost = 0;

	for (i = 0; i < l->n_sides; i++) {
		struct side *s = &l->side[i];

		if (e->cfg.verify == IOL_VERIFY_NONE)
			continue;
		for (f = 0; f < s->n_flows; f++)
			iol_seq_flush(&s->seq[f], s->peer->tx_seq, UINT64_MAX, &lost);
		sync_seq_counters(s);
	}
	if (e->cfg.verify == IOL_VERIFY_NONE && l->out > 0) {
		lost = (uint64_t)l->out;
		l->side[0].timeout_lost += lost;
		sync_seq_counters(&l->side[0]);
	}
	if (lost > 0 && show_error(e, IOL_ERR_LOST))
		LOG(ERR, "port %u queue %u: %" PRIu64 " frame(s) in flight written off "
			"as lost %s (%u ms without a frame)", l->side[0].port, l->side[0].queue,
			lost, why ? why : "", e->cfg.loss_timeout_ms);
	l->out = 0;
}

static void
send_end_frames(struct iol_engine *e, struct side *s)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < END_COPIES; i++) {
		m = rte_pktmbuf_alloc(e->mp);
		if (m == NULL)
			return;
		stamp(s, m, e->run_id, e->cfg.pkt_size, s->tx_seq, IOL_STAMP_F_END);
		s->txbuf[s->n_pending++] = m;
		flush_tx(s);
	}
}

static void
free_pending(struct side *s)
{
	unsigned int i;

	/* Unsent frames were never on the wire: give back their numbers. */
	s->tx_seq -= s->n_pending + (s->held != NULL);
	for (i = 0; i < s->n_pending; i++)
		rte_pktmbuf_free(s->txbuf[i]);
	s->n_pending = 0;
	rte_pktmbuf_free(s->held);
	s->held = NULL;
}

static void
finish_lane(struct iol_engine *e, struct lane *l, const char *why)
{
	unsigned int i;

	for (i = 0; i < l->n_sides; i++)
		free_pending(&l->side[i]);
	if (e->cfg.mode != IOL_MODE_TXONLY)
		write_off_in_flight(e, l, why);
	l->done = true;
}

/* One iteration of one lane. Returns the frames it received. */
static inline uint16_t
poll_lane(struct iol_engine *e, struct lane *l, uint64_t now)
{
	struct rte_mbuf *m[IOL_MAX_BURST];
	uint16_t got = 0;
	unsigned int i, j;

	if (e->cfg.mode == IOL_MODE_TXONLY) {
		struct side *s = &l->side[0];

		if (e->stop) {
			free_pending(s);
			send_end_frames(e, s);
			l->done = true;
			return 0;
		}
		if (s->n_pending == 0 && now >= s->next_tx &&
		    rte_pktmbuf_alloc_bulk(e->mp, m, e->cfg.burst) == 0) {
			for (j = 0; j < e->cfg.burst; j++)
				queue_frame(e, l, s, m[j]);
			s->next_tx = RTE_MAX(s->next_tx + e->burst_cycles, now - e->burst_cycles);
		}
		flush_tx(s);
		return 0;
	}

	for (i = 0; i < l->n_sides; i++)
		got += rx_side(e, l, &l->side[i], now);
	if (got > 0)
		l->last_rx = now;
	if (unlikely(e->stop)) {
		/*
		 * Drained: silence, or a sender that will not stop (rxonly).
		 * @now may predate the stop: compare without underflow.
		 */
		if (now > l->last_rx + e->loss_cycles ||
		    now > e->stop_tsc + 4 * e->loss_cycles) {
			finish_lane(e, l, "at the end of the run");
			return got;
		}
	} else if (unlikely(now > l->last_rx + e->loss_cycles)) {
		if (l->out > 0)
			write_off_in_flight(e, l, "nothing received for --loss-timeout");
		l->last_rx = now;
	}
	if (e->cfg.mode == IOL_MODE_LOOP) {
		if (!e->stop && l->out < (int64_t)e->cfg.inflight)
			inject(e, l);
		for (i = 0; i < l->n_sides; i++)
			flush_tx(&l->side[i]);
		if (e->stop && l->out <= 0 && l->side[0].n_pending == 0 &&
		    l->side[l->n_sides - 1].n_pending == 0)
			finish_lane(e, l, NULL);
	}
	return got;
}

/* The hot loop of one lcore: poll its lanes until all have finished. */
static void
worker_poll(struct worker *w, uint64_t max_polls)
{
	struct iol_engine *e = w->e;
	/*
	 * Reading the TSC costs a tenth of forwarding a burst. Verification
	 * needs it on every poll (latency); without, the clock (timeouts,
	 * cycle accounting) is read every CLOCK_POLLS polls.
	 */
	unsigned int clock_polls = e->cfg.verify == IOL_VERIFY_NONE ? CLOCK_POLLS : 1;
	unsigned int tick = 0, i;
	uint64_t now = w->prev_tsc, polls = 0;
	bool busy = w->prev_busy;
	uint16_t got;

	while (w->lanes_done < w->n_lanes && polls++ < max_polls) {
		if (++tick == clock_polls) {
			tick = 0;
			now = rte_rdtsc();
			if (busy)
				w->cs.busy_cycles += now - w->prev_tsc;
			w->cs.cycles += now - w->prev_tsc;
			w->prev_tsc = now;
			busy = false;
		}
		got = 0;
		for (i = 0; i < w->n_lanes; i++) {
			if (w->lanes[i]->done)
				continue;
			got += poll_lane(e, w->lanes[i], now);
			w->lanes_done += w->lanes[i]->done;
		}
		busy |= got > 0;
		w->cs.pkts += got;
	}
	w->cs.polls += polls - (polls > max_polls);
	w->prev_busy = busy;
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;

	w->prev_tsc = rte_rdtsc();
	worker_poll(w, UINT64_MAX);
	return 0;
}

static void
init_side(struct iol_engine *e, struct side *s, uint16_t pidx, uint16_t peer_pidx,
		uint16_t queue, struct side *peer)
{
	uint16_t port = e->ports[pidx];

	s->port = port;
	s->queue = queue;
	s->flow = flow_id(port, queue);
	s->peer = peer;
	s->st = &e->qstats[pidx * e->cfg.queues + queue];
	rte_eth_macaddr_get(port, &s->src_mac);
	rte_eth_macaddr_get(e->ports[peer_pidx], &s->dst_mac);
	s->expect.rx_port = (uint8_t)port;
	s->expect.rx_queue = (uint8_t)queue;
	s->expect.level = e->cfg.verify;
	s->expect.run_id = e->run_id;
	s->rx_w0 = rte_cpu_to_le_64(head_word(flow_id(e->ports[peer_pidx], queue), e->run_id));
	s->rx_meta = rte_cpu_to_le_64(meta_word(e->cfg.pkt_size,
		(uint8_t)e->ports[peer_pidx], (uint8_t)queue, (uint8_t)port, (uint8_t)queue));
	s->tx_w0 = rte_cpu_to_le_64(head_word(s->flow, e->run_id));
	s->tx_meta = rte_cpu_to_le_64(meta_word(e->cfg.pkt_size, (uint8_t)port,
		(uint8_t)queue, (uint8_t)e->ports[peer_pidx], (uint8_t)queue));
	memcpy(s->eth, s->dst_mac.addr_bytes, 6);
	memcpy(s->eth + 6, s->src_mac.addr_bytes, 6);
	s->eth[12] = IOL_STAMP_ETHERTYPE >> 8;
	s->eth[13] = IOL_STAMP_ETHERTYPE & 0xff;
	/* In the loop every frame here comes from the peer's queue, from seq 0. */
	if (e->cfg.mode == IOL_MODE_LOOP) {
		s->n_flows = 1;
		s->flows[0] = flow_id(e->ports[peer_pidx], queue);
		iol_seq_init(&s->seq[0], true, 0);
	}
}

struct iol_engine *
iol_engine_create(const struct iol_config *cfg, const uint16_t *ports,
		unsigned int n_ports, struct rte_mempool *mp,
		const struct iol_iova_map *map, uint32_t run_id)
{
	unsigned int lanes_per_group, groups, g, q, i, lcore, n_lanes;
	bool paired = cfg->mode == IOL_MODE_LOOP && n_ports > 1;
	int socket = rte_socket_id();
	struct iol_engine *e;
	struct lane *l;

	e = rte_zmalloc_socket("iol_engine", sizeof(*e), RTE_CACHE_LINE_SIZE, socket);
	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->mp = mp;
	e->map = map;
	e->run_id = run_id;
	e->n_ports = n_ports;
	memcpy(e->ports, ports, n_ports * sizeof(ports[0]));
	e->loss_cycles = rte_get_tsc_hz() / 1000 * cfg->loss_timeout_ms;
	if (cfg->tx_rate > 0)
		e->burst_cycles = rte_get_tsc_hz() * cfg->burst / cfg->tx_rate;

	groups = paired ? n_ports / 2 : n_ports;
	lanes_per_group = cfg->queues;
	n_lanes = groups * lanes_per_group;
	e->qstats = rte_zmalloc_socket("iol_qstats", n_ports * cfg->queues * sizeof(*e->qstats),
		RTE_CACHE_LINE_SIZE, socket);
	e->lanes = rte_zmalloc_socket("iol_lanes", n_lanes * sizeof(*e->lanes),
		RTE_CACHE_LINE_SIZE, socket);
	e->n_workers = RTE_MAX(1u, rte_lcore_count() - 1);
	e->workers = rte_zmalloc_socket("iol_workers", e->n_workers * sizeof(*e->workers),
		RTE_CACHE_LINE_SIZE, socket);
	if (e->qstats == NULL || e->lanes == NULL || e->workers == NULL)
		goto fail;
	for (i = 0; i < n_ports * cfg->queues; i++)
		iol_qstats_reset(&e->qstats[i]);

	e->n_lanes = n_lanes;
	for (g = 0; g < groups; g++) {
		for (q = 0; q < lanes_per_group; q++) {
			l = &e->lanes[g * lanes_per_group + q];
			if (paired) {
				l->n_sides = 2;
				init_side(e, &l->side[0], (uint16_t)(2 * g),
					(uint16_t)(2 * g + 1), (uint16_t)q, &l->side[1]);
				init_side(e, &l->side[1], (uint16_t)(2 * g + 1),
					(uint16_t)(2 * g), (uint16_t)q, &l->side[0]);
			} else {
				l->n_sides = 1;
				init_side(e, &l->side[0], (uint16_t)g, (uint16_t)g,
					(uint16_t)q, &l->side[0]);
			}
			for (i = 0; i < l->n_sides; i++) {
				l->side[i].dst_port = cfg->mode == IOL_MODE_LOOP ?
					(uint8_t)l->side[i].peer->port : IOL_STAMP_ANY;
				l->side[i].dst_queue = cfg->mode == IOL_MODE_LOOP ?
					(uint8_t)q : IOL_STAMP_ANY;
			}
		}
	}
	/* Faults apply to the first port's queue 0, in the order they will hit. */
	e->lanes[0].side[0].faults = e->cfg.faults;
	e->lanes[0].side[0].n_faults = e->cfg.n_faults;
	for (i = 1; i < e->cfg.n_faults; i++) {
		struct iol_fault f = e->cfg.faults[i];
		unsigned int j = i;

		for (; j > 0 && e->cfg.faults[j - 1].at > f.at; j--)
			e->cfg.faults[j] = e->cfg.faults[j - 1];
		e->cfg.faults[j] = f;
	}

	/* Lanes round-robin over the workers (or the main lcore alone). */
	for (i = 0; i < e->n_workers; i++) {
		e->workers[i].e = e;
		e->workers[i].lanes = rte_zmalloc_socket("iol_wl", n_lanes * sizeof(struct lane *),
			0, socket);
		if (e->workers[i].lanes == NULL)
			goto fail;
	}
	e->main_polls = rte_lcore_count() == 1;
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
		e->workers[i++].lcore = lcore;
	if (e->main_polls)
		e->workers[0].lcore = rte_get_main_lcore();
	for (i = 0; i < n_lanes; i++) {
		struct worker *w = &e->workers[i % e->n_workers];

		w->lanes[w->n_lanes++] = &e->lanes[i];
	}
	return e;
fail:
	iol_engine_destroy(e);
	return NULL;
}

int
iol_engine_launch(struct iol_engine *e)
{
	uint64_t now = rte_rdtsc();
	unsigned int i;
	int ret;

	e->start_tsc = now;
	for (i = 0; i < e->n_lanes; i++)
		e->lanes[i].last_rx = now;
	if (e->main_polls) {
		e->workers[0].prev_tsc = now;
		return 0;
	}
	for (i = 0; i < e->n_workers; i++) {
		if (e->workers[i].n_lanes == 0)
			continue;
		ret = rte_eal_remote_launch(worker_main, &e->workers[i], e->workers[i].lcore);
		if (ret < 0) {
			iol_engine_request_stop(e);
			iol_engine_wait(e);
			return ret;
		}
	}
	return 0;
}

void
iol_engine_poll_main(struct iol_engine *e)
{
	if (e->main_polls)
		worker_poll(&e->workers[0], MAIN_POLLS);
}

void
iol_engine_request_stop(struct iol_engine *e)
{
	if (e->stop)
		return;
	e->stop_tsc = rte_rdtsc();
	__atomic_store_n(&e->stop, true, __ATOMIC_RELEASE);
}

bool
iol_engine_done(const struct iol_engine *e)
{
	unsigned int i;

	for (i = 0; i < e->n_workers; i++)
		if (__atomic_load_n(&e->workers[i].lanes_done, __ATOMIC_ACQUIRE) <
		    e->workers[i].n_lanes)
			return false;
	return true;
}

void
iol_engine_wait(struct iol_engine *e)
{
	unsigned int i;

	if (e->main_polls) {
		while (!iol_engine_done(e))
			iol_engine_poll_main(e);
	} else {
		for (i = 0; i < e->n_workers; i++)
			if (e->workers[i].n_lanes > 0)
				rte_eal_wait_lcore(e->workers[i].lcore);
	}
}

void
iol_engine_totals(const struct iol_engine *e, struct iol_qstats *tot)
{
	unsigned int i;

	iol_qstats_reset(tot);
	for (i = 0; i < e->n_ports * e->cfg.queues; i++)
		iol_qstats_merge(tot, &e->qstats[i]);
}

uint32_t
iol_engine_run_id(const struct iol_engine *e)
{
	unsigned int i, j;

	if (e->run_id != 0)
		return e->run_id;
	for (i = 0; i < e->n_lanes; i++)
		for (j = 0; j < e->lanes[i].n_sides; j++)
			if (e->lanes[i].side[j].expect.run_id != 0)
				return e->lanes[i].side[j].expect.run_id;
	return 0;
}

double
iol_engine_seconds(const struct iol_engine *e)
{
	/* Up to the stop: the drain after it moves only what was in flight. */
	uint64_t end = e->stop ? e->stop_tsc : rte_rdtsc();

	return (double)(end - e->start_tsc) / (double)rte_get_tsc_hz();
}

int
iol_engine_fill_report(struct iol_engine *e, struct iol_report *r)
{
	struct rte_eth_dev_info info;
	unsigned int i, n = 0;

	/* The lanes have stopped: bytes the hot loop did not count. */
	for (i = 0; i < e->n_ports * e->cfg.queues; i++) {
		e->qstats[i].tx_bytes = e->qstats[i].tx_pkts * e->cfg.pkt_size;
		if (e->cfg.verify == IOL_VERIFY_NONE && e->cfg.mode == IOL_MODE_LOOP)
			e->qstats[i].rx_bytes = e->qstats[i].rx_pkts * e->cfg.pkt_size;
	}
	r->ports = calloc(e->n_ports, sizeof(*r->ports));
	r->cores = calloc(e->n_workers, sizeof(*r->cores));
	if (r->ports == NULL || r->cores == NULL) {
		free(r->ports);
		free(r->cores);
		return -ENOMEM;
	}
	r->n_ports = e->n_ports;
	for (i = 0; i < e->n_ports; i++) {
		r->ports[i].port_id = e->ports[i];
		r->ports[i].n_queues = e->cfg.queues;
		r->ports[i].q = &e->qstats[i * e->cfg.queues];
		if (rte_eth_dev_info_get(e->ports[i], &info) == 0 && info.device != NULL)
			snprintf(r->ports[i].name, sizeof(r->ports[i].name), "%s",
				rte_dev_name(info.device));
	}
	for (i = 0; i < e->n_workers; i++) {
		if (e->workers[i].n_lanes == 0)
			continue;
		r->cores[n].lcore = e->workers[i].lcore;
		r->cores[n++].s = &e->workers[i].cs;
	}
	r->n_cores = n;
	return 0;
}

void
iol_engine_destroy(struct iol_engine *e)
{
	unsigned int i;

	if (e == NULL)
		return;
	for (i = 0; e->workers != NULL && i < e->n_workers; i++)
		rte_free(e->workers[i].lanes);
	rte_free(e->workers);
	rte_free(e->lanes);
	rte_free(e->qstats);
	rte_free(e);
}
