/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding modes, one receive step each as testpmd has one function
 * per forwarding mode, and the hot loop that polls the lanes:
 *
 *   rx_io      loop, --verify none: received mbufs go out unread
 *   rx_loop    loop, --verify header|full: verified, restamped, sent again
 *   rx_check   rxonly, and any mode's drain: verified, not sent again
 *   rx_count   the drain of --verify none: counted, not sent again
 *   txonly     stamped frames out, paced by --tx-rate
 *
 * The common case of rx_loop (a frame of this run and flow, the next in
 * sequence, intact) is fast_frame(), inline; anything else is the slow
 * path's verify_frame() (iol_verify.c).
 */
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "iol_lane.h"

/*
 * Frames ahead of the one verified whose bytes --verify full fetches. With
 * 1024 frames in flight a lane's buffers (2 MiB) are past L2, so a frame's
 * lines come from L3, and the payload pass waited on them (two thirds of
 * the samples at 1514 B, on its first load). 1 and 4 to 8 ahead measured
 * worse (doc/benchmarks.md).
 */
#define PREFETCH_AHEAD 2
/* Copies of the end-of-flow frame txonly sends, in case some are lost. */
#define END_COPIES 3
/* Polls between two readings of the TSC when nothing needs it per frame. */
#define CLOCK_POLLS 16

/* False when @p m is a chain too short to hold a frame (iol_frame_stamp()). */
static bool
stamp(struct side *s, struct rte_mbuf *m, uint32_t run_id, uint16_t len,
		uint64_t seq, uint8_t flags)
{
	struct iol_stamp_info info = {
		.run_id = run_id, .seq = seq, .tx_tsc = rte_rdtsc(),
		.tx_iova = rte_pktmbuf_iova(m), .flow = s->flow, .len = len,
		.src_port = (uint8_t)s->port, .src_queue = (uint8_t)s->queue,
		.dst_port = s->dst_port, .dst_queue = s->dst_queue, .flags = flags,
	};

	if (unlikely(m->next != NULL || len > m->buf_len - m->data_off))
		return iol_frame_stamp(m, &s->prefix, &info);
	m->data_len = len;
	m->pkt_len = len;
	iol_stamp_write(rte_pktmbuf_mtod(m, uint8_t *), &s->prefix, &info);
	return true;
}

/* The test-only faults, applied to the frame about to be queued. */
static void
apply_fault(struct iol_engine *e, struct lane *l, struct side *s, struct rte_mbuf *m)
{
	const struct iol_fault *f = &s->faults[0];
	struct rte_mbuf *copy, *last = rte_pktmbuf_lastseg(m);

	s->faults++;
	s->n_faults--;
	s->fault_at = s->n_faults > 0 ? s->faults[0].at : UINT64_MAX;
	LOG(NOTICE, "test fault %s@%" PRIu64 " applied on port %u queue %u",
		iol_fault_kind_name(f->kind), f->at, s->port, s->queue);
	switch (f->kind) {
	case IOL_FAULT_CORRUPT:
		/* The last payload byte: the options guarantee the frame has one. */
		rte_pktmbuf_mtod(last, uint8_t *)[last->data_len - 1] ^= 0x40;
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
		/* Sent after the next frame (queue_frame()); the options refuse a fault on that one. */
		s->held = m;
		return;
	}
	s->txbuf[s->n_pending++] = m;
}

/* Stamp @p m with the side's next sequence number and queue it. */
static void
queue_frame(struct iol_engine *e, struct lane *l, struct side *s, struct rte_mbuf *m)
{
	uint64_t seq = s->tx_seq;

	if (unlikely(!stamp(s, m, e->run_id, e->cfg.pkt_size, seq, 0))) {
		/* Not sent: inject() replaces it. */
		rte_pktmbuf_free(m);
		return;
	}
	s->tx_seq++;
	l->out++;
	if (unlikely(seq == s->fault_at)) {
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

/* Frames a side can take in one burst: what its TX buffer still holds room for. */
static inline uint16_t
rx_room(const struct iol_engine *e, const struct side *s)
{
	return RTE_MIN(e->cfg.burst, (uint16_t)(TXBUF_CAP - 2 - s->n_pending));
}

/* Start fetching the first @p span bytes of @p m's data. */
static __rte_always_inline void
prefetch_frame(const struct rte_mbuf *m, uint32_t span)
{
	uintptr_t p = rte_pktmbuf_mtod(m, uintptr_t), end = p + RTE_MIN(span, m->data_len);

	for (p &= ~(uintptr_t)(RTE_CACHE_LINE_SIZE - 1); p < end; p += RTE_CACHE_LINE_SIZE)
		rte_prefetch0((const void *)p);
}

/*
 * Before frame @p i of a burst is verified, fetch what a frame ahead will
 * read: --verify full the whole frame PREFETCH_AHEAD ahead (and the first
 * ones at the burst's start: frame 0 is read at once, too late for it),
 * else the next frame's header, as before (fetching two ahead there came
 * out 5 to 10 cycles a frame slower on the loaded machine).
 */
static __rte_always_inline void
prefetch_burst(const struct iol_engine *e, struct rte_mbuf **pkts, uint16_t n, uint16_t i)
{
	uint16_t k;

	if (e->cfg.verify != IOL_VERIFY_FULL) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		return;
	}
	if (i == 0)
		for (k = 1; k < RTE_MIN(n, PREFETCH_AHEAD); k++)
			prefetch_frame(pkts[k], e->cfg.pkt_size);
	if (i + PREFETCH_AHEAD < n)
		prefetch_frame(pkts[i + PREFETCH_AHEAD], e->cfg.pkt_size);
}

/*
 * Publish a verified burst: received before verified, so no live sum shows
 * more verified (only rx_loop and rx_check verify, so the windows changed).
 */
static inline void
publish(struct side *s, struct burst *b, uint16_t n, uint64_t bytes)
{
	s->st->rx_pkts += n;
	s->st->rx_bytes += bytes;
	rte_compiler_barrier();
	s->st->verified += b->verified;
	s->st->rss_checked += b->rss_checked;
	iol_hist_batch_flush(&s->st->lat, &b->lat);
	sync_seq_counters(s);
}

/*
 * The fast path's registers: the next number expected and sent, and the
 * TX buffer's fill. They mirror the side's fields, which the slow path
 * uses: load() before the fast path, store() before the slow one.
 */
struct fast {
	uint64_t next;
	uint64_t tx_seq;
	uint16_t pending;
};

static inline void
fast_load(struct fast *f, const struct side *s)
{
	f->next = s->seq[0].next;
	f->tx_seq = s->tx_seq;
	f->pending = s->n_pending;
}

static inline void
fast_store(const struct fast *f, struct side *s)
{
	s->seq[0].next = f->next;
	s->tx_seq = f->tx_seq;
	s->n_pending = f->pending;
}

/*
 * A frame's prefix (14 or 42 bytes: --frame) in 64-bit words, the last
 * overlapping the one before: at 64 B, libc's memcmp() and memcpy() of
 * that length were 9% of the forwarding core's samples.
 */
static __rte_always_inline bool
prefix_equal(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint64_t x, y, diff = 0;
	uint32_t off;

	for (off = 0; off + 8 < len; off += 8) {
		memcpy(&x, a + off, 8);
		memcpy(&y, b + off, 8);
		diff |= x ^ y;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return (diff | (x ^ y)) == 0;
}

static __rte_always_inline void
prefix_copy(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	uint32_t off;

	for (off = 0; off + 8 < len; off += 8)
		memcpy(dst + off, src + off, 8);
	memcpy(dst + len - 8, src + len - 8, 8);
}

_Static_assert(IOL_STAMP_ETH_LEN >= 8, "a prefix holds a whole word");

/*
 * The common case of the loop: a frame of this run and flow, the next in
 * sequence, intact, with the prefix its sender sends and the RSS hash its
 * device should give (where it gives one), whose buffer IOVA translates
 * back, is checked and restamped in place (payload in one pass, see
 * iol_payload.c) and queued. Anything else (the first window of a flow
 * too) returns false, the frame as it arrived, and takes verify_frame().
 */
static __rte_always_inline bool
fast_frame(const struct iol_engine *e, struct side *s, struct fast *fs, struct burst *b,
		struct rte_mbuf *m, uint64_t now)
{
	const struct iol_seq *t = &s->seq[0];
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *h = f + e->hdr_off;
	uint64_t iova = rte_pktmbuf_iova(m), w[5], seq, tx_seq = fs->tx_seq;
	uint16_t len = e->cfg.pkt_size;
	bool hashed = s->rss_check && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH);
	uint32_t crc;

	if (unlikely(m->data_len != len || m->pkt_len != len ||
		     !iol_iova_map_check(e->map, f, iova, &s->iova_hint) ||
		     (hashed && m->hash.rss != s->rx_rss) ||
		     !prefix_equal(f, s->peer->prefix.bytes, e->hdr_off)))
		return false;
	/* Word by word: one 40-byte copy goes through the stack and stalls. */
	for (unsigned int k = 0; k < RTE_DIM(w); k++)
		memcpy(&w[k], h + 8 * k, sizeof(w[k]));
	memcpy(&crc, h + CRC_OFF, sizeof(crc));
	seq = rte_le_to_cpu_64(w[1]);
	/* In order, and the window slot it reuses held a frame that arrived. */
	if (unlikely(w[0] != s->rx_w0 || (w[4] & rte_cpu_to_le_64(META_BITS)) != s->rx_meta ||
		     seq != fs->next ||
		     !((t->window[(seq / 64) % (IOL_SEQ_WINDOW / 64)] >> (seq % 64)) & 1) ||
		     iol_stamp_hdr_crc_rest(s->rx_crc0, w) != rte_le_to_cpu_32(crc)))
		return false;
	if (e->cfg.verify == IOL_VERIFY_FULL &&
	    unlikely(!iol_payload_restamp(e->payload, f + e->shift, len - e->shift,
			iol_stamp_payload_seed(e->run_id, seq),
			iol_stamp_payload_seed(e->run_id, tx_seq))))
		return false;
	fs->next++;
	b->verified++;
	b->rss_checked += hashed;
	if (likely(now > rte_le_to_cpu_64(w[2])))
		iol_hist_batch_add(&s->st->lat, &b->lat, now - rte_le_to_cpu_64(w[2]));

	/* Restamp: same run, this side's flow, its next number, this buffer. */
	fs->tx_seq++;
	w[0] = s->tx_w0;
	w[1] = rte_cpu_to_le_64(tx_seq);
	w[2] = rte_cpu_to_le_64(now);
	w[3] = rte_cpu_to_le_64(iova);
	w[4] = s->tx_meta;
	crc = rte_cpu_to_le_32(iol_stamp_hdr_crc_rest(s->tx_crc0, w));
	prefix_copy(f, s->prefix.bytes, e->hdr_off);
	/* Word 4's high bytes are the CRC's: it is written after them. */
	for (unsigned int k = 0; k < RTE_DIM(w); k++)
		memcpy(h + 8 * k, &w[k], sizeof(w[k]));
	memcpy(h + CRC_OFF, &crc, sizeof(crc));
	s->txbuf[fs->pending++] = m;
	return true;
}

/* loop, --verify none: count and pass on unread, as testpmd's io forwarding. */
static uint16_t
rx_io(struct iol_engine *e, struct lane *l, struct side *s, uint64_t now)
{
	uint16_t n = rte_eth_rx_burst(s->port, s->queue, s->txbuf + s->n_pending,
		rx_room(e, s));

	RTE_SET_USED(l);
	RTE_SET_USED(now);
	s->n_pending += n;
	s->st->rx_pkts += n;
	return n;
}

/* loop, verified: the fast path, else the slow one; what passes goes round again. */
static uint16_t
rx_loop(struct iol_engine *e, struct lane *l, struct side *s, uint64_t now)
{
	struct rte_mbuf *pkts[IOL_MAX_BURST];
	struct burst b = { 0 };
	struct fast fs;
	uint64_t bytes = 0;
	uint16_t n, i;

	n = rte_eth_rx_burst(s->port, s->queue, pkts, rx_room(e, s));
	if (n == 0)
		return 0;
	iol_hist_batch_init(&b.lat);
	fast_load(&fs, s);
	for (i = 0; i < n; i++) {
		prefetch_burst(e, pkts, n, i);
		bytes += pkts[i]->pkt_len;
		/* No frame held back by a swap fault, and no fault for this number. */
		if (likely(s->held == NULL && fs.tx_seq != s->fault_at) &&
		    fast_frame(e, s, &fs, &b, pkts[i], now))
			continue;
		fast_store(&fs, s);
		if (verify_frame(e, l, s, &b, pkts[i], now))
			queue_frame(e, l, s, pkts[i]);
		else
			rte_pktmbuf_free(pkts[i]);
		fast_load(&fs, s);
	}
	fast_store(&fs, s);
	publish(s, &b, n, bytes);
	return n;
}

/* rxonly, and the drain of the verified loop: verify, then free. */
static uint16_t
rx_check(struct iol_engine *e, struct lane *l, struct side *s, uint64_t now)
{
	struct rte_mbuf *pkts[IOL_MAX_BURST];
	struct burst b = { 0 };
	uint64_t bytes = 0;
	uint16_t n, i;

	n = rte_eth_rx_burst(s->port, s->queue, pkts, e->cfg.burst);
	if (n == 0)
		return 0;
	iol_hist_batch_init(&b.lat);
	for (i = 0; i < n; i++) {
		prefetch_burst(e, pkts, n, i);
		bytes += pkts[i]->pkt_len;
		verify_frame(e, l, s, &b, pkts[i], now);
		rte_pktmbuf_free(pkts[i]);
	}
	publish(s, &b, n, bytes);
	return n;
}

/* The drain of --verify none: what comes back is counted and freed. */
static uint16_t
rx_count(struct iol_engine *e, struct lane *l, struct side *s, uint64_t now)
{
	struct rte_mbuf *pkts[IOL_MAX_BURST];
	uint16_t n = rte_eth_rx_burst(s->port, s->queue, pkts, e->cfg.burst);

	RTE_SET_USED(now);
	rte_pktmbuf_free_bulk(pkts, n);
	l->out -= n;
	s->st->rx_pkts += n;
	return n;
}

void
fwd_select(struct iol_engine *e)
{
	bool none = e->cfg.verify == IOL_VERIFY_NONE;

	e->rx = e->cfg.mode == IOL_MODE_LOOP ? (none ? rx_io : rx_loop) : rx_check;
	e->rx_drain = none ? rx_count : rx_check;
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
	if (n == 0 || iol_frame_alloc_bulk(e->mp, m, n, e->cfg.pkt_size) != 0)
		return;
	for (i = 0; i < n; i++)
		queue_frame(e, l, s, m[i]);
	l->turn = (l->turn + 1) % l->n_sides;
}

static void
send_end_frames(struct iol_engine *e, struct side *s)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < END_COPIES; i++) {
		if (iol_frame_alloc_bulk(e->mp, &m, 1, e->cfg.pkt_size) != 0)
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
	if (s->held != NULL) {
		/* The swap it was held for never happened: the fault is not applied. */
		rte_pktmbuf_free(s->held);
		s->held = NULL;
		s->faults--;
		s->n_faults++;
	}
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

/* txonly: a burst of new frames when the pace allows; end-of-flow frames at the stop. */
static void
txonly_poll(struct iol_engine *e, struct lane *l, uint64_t now)
{
	struct rte_mbuf *m[IOL_MAX_BURST];
	struct side *s = &l->side[0];
	unsigned int j;

	if (e->stop) {
		free_pending(s);
		send_end_frames(e, s);
		l->done = true;
		return;
	}
	if (s->n_pending == 0 && now >= s->next_tx &&
	    iol_frame_alloc_bulk(e->mp, m, e->cfg.burst, e->cfg.pkt_size) == 0) {
		for (j = 0; j < e->cfg.burst; j++)
			queue_frame(e, l, s, m[j]);
		s->next_tx = RTE_MAX(s->next_tx + e->burst_cycles, now - e->burst_cycles);
	}
	flush_tx(s);
}

/* One iteration of one lane. Returns the frames it received. */
static inline uint16_t
poll_lane(struct iol_engine *e, struct lane *l, uint64_t now)
{
	rx_fn rx = e->stop ? e->rx_drain : e->rx;
	uint16_t got = 0;
	unsigned int i;

	if (e->cfg.mode == IOL_MODE_TXONLY) {
		txonly_poll(e, l, now);
		return 0;
	}
	for (i = 0; i < l->n_sides; i++)
		got += rx(e, l, &l->side[i], now);
	if (got > 0)
		l->last_rx = l->last_frame = now;
	if (unlikely(e->stop)) {
		/*
		 * The drain ends on silence, at --loss-timeout after the stop
		 * (a sender that will not stop, in rxonly), or at once on a
		 * second stop. @now may predate the stop: compare without
		 * underflow.
		 */
		if (now > l->last_rx + e->loss_cycles ||
		    now > e->stop_tsc + e->loss_cycles || e->abort) {
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
		/* Drained: every frame sent came back, nothing waits to be sent. */
		if (e->stop && l->out <= 0 && l->side[0].n_pending == 0 &&
		    l->side[l->n_sides - 1].n_pending == 0)
			finish_lane(e, l, NULL);
	}
	return got;
}

void
fwd_worker_poll(struct worker *w, uint64_t max_polls)
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
