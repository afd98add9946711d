/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slow path: a frame the fast path did not take is classified here,
 * counted in its class and, for the first few of each class, reported in
 * full; and flows are flushed when their frames are written off.
 */
#include <inttypes.h>

#include <rte_cycles.h>

#include "iol_lane.h"

/* Errors of each class printed in full; the rest are counted. */
#define ERRORS_SHOWN 5
/*
 * More frames a second than any link carries (800 GbE moves 1.2 G
 * minimum-size frames a second): a sequence number or an end-of-flow
 * count further ahead than this rate allows since the start is a lie.
 */
#define MAX_FRAMES_PER_SEC (1ull << 32)

/* Whether error class @p cls may still be printed in full. */
static bool
show_error(struct iol_engine *e, enum iol_err_class cls)
{
	return __atomic_fetch_add(&e->shown[cls], 1, __ATOMIC_RELAXED) < ERRORS_SHOWN;
}

static void
report_frame_error(struct iol_engine *e, const struct side *s, const struct rte_mbuf *m,
		const struct iol_frame_result *fr, enum iol_err_class cls)
{
	const struct iol_stamp_result *r = &fr->stamp;
	char bytes[80] = "", segs[200] = "";
	unsigned int i;
	size_t n = 0;

	if (!show_error(e, cls))
		return;
	/* A single buffer whose lengths agree says nothing more than its length. */
	if (m->next != NULL || fr->data_len_sum != m->pkt_len)
		iol_frame_describe(m, fr, segs, sizeof(segs));
	if (!r->hdr_valid && r->cls != IOL_STAMP_TRUNCATED) {
		/* Not an iovaloop header, or one whose check failed: no field to trust. */
		LOG(ERR, "port %u queue %u: %s frame (%s), %u bytes%s", s->port, s->queue,
			iol_errors_name(cls), r->why, m->pkt_len, segs);
		return;
	}
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
		LOG(ERR, "    seen%s%s", bytes, segs);
		return;
	}
	LOG(ERR, "port %u queue %u: %s frame (%s) seq %" PRIu64 " flow %u from port %u queue %u, len field %u%s",
		s->port, s->queue, iol_errors_name(cls), r->why ? r->why : "-", r->hdr.seq,
		r->hdr.flow, r->hdr.src_port, r->hdr.src_queue, r->hdr.len, segs);
}

/* Copy the flows' verdicts into the queue's counters after a burst. */
void
sync_seq_counters(struct side *s)
{
	uint64_t lost = s->timeout_lost, dup = 0, reord = 0, stale = 0;
	unsigned int f;

	for (f = 0; f < s->n_flows; f++) {
		lost = iol_add_sat(lost, s->seq[f].lost);
		dup = iol_add_sat(dup, s->seq[f].duplicated);
		reord = iol_add_sat(reord, s->seq[f].reordered);
		stale = iol_add_sat(stale, s->seq[f].stale);
	}
	s->st->err.lost = lost;
	s->st->err.duplicated = dup;
	s->st->err.reordered = reord;
	s->st->err.stale = stale;
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

/*
 * How far ahead of a flow's next number a frame may be and still be
 * believed: what MAX_FRAMES_PER_SEC allows since the start, and a second.
 */
static uint64_t
max_ahead(const struct iol_engine *e, uint64_t now)
{
	uint64_t secs = (now - RTE_MIN(now, e->start_tsc)) / rte_get_tsc_hz() + 1;

	return IOL_SEQ_WINDOW + secs * MAX_FRAMES_PER_SEC;
}

/*
 * An end-of-flow frame: its sequence number is the count its sender sent.
 * A count below what arrived, or beyond what could have been sent, is a
 * lie: counted as corrupted and not believed.
 */
static bool
end_of_flow(struct iol_engine *e, struct side *s, const struct iol_stamp_result *r,
		uint64_t now)
{
	struct iol_seq *t = flow_tracker(s, r->hdr.flow);
	uint64_t newly = 0;

	s->st->end_frames++;
	if (t == NULL) {
		s->st->err.foreign++;
		return false;
	}
	if (iol_seq_flush(t, r->hdr.seq, max_ahead(e, now), &newly) < 0) {
		s->st->err.corrupted++;
		if (show_error(e, IOL_ERR_CORRUPTED))
			LOG(ERR, "port %u queue %u: end of flow %u claims %" PRIu64 " frames "
				"sent, impossible after receiving up to %" PRIu64 ": not believed",
				s->port, s->queue, r->hdr.flow, r->hdr.seq, t->next);
		return false;
	}
	if (newly > 0 && show_error(e, IOL_ERR_LOST))
		LOG(ERR, "port %u queue %u: flow %u ended at %" PRIu64 " with %" PRIu64
			" frame(s) missing", s->port, s->queue, r->hdr.flow, r->hdr.seq, newly);
	return false;
}

/*
 * Verify one received frame. Returns true if it goes round again: it was
 * ours with a header to trust and not a copy of one already seen.
 */
bool
verify_frame(struct iol_engine *e, struct lane *l, struct side *s,
		struct burst *b, struct rte_mbuf *m, uint64_t now)
{
	struct iol_frame_result fr;
	const struct iol_stamp_result *r = &fr.stamp;
	enum iol_seq_verdict v;
	struct iol_seq *t;
	uint64_t newly = 0;

	iol_frame_check(e->map, &s->iova_hint, m, &s->expect, &fr);
	if (unlikely(fr.bad_iova_seg >= 0)) {
		const struct rte_mbuf *seg = m;
		int k;

		for (k = 0; k < fr.bad_iova_seg; k++)
			seg = seg->next;
		s->st->err.bad_iova++;
		if (show_error(e, IOL_ERR_BAD_IOVA))
			LOG(ERR, "port %u queue %u: buffer VA %p IOVA 0x%" PRIx64
				" (segment %d of %u) does not translate back (outside the "
				"audited memory or another translation)", s->port, s->queue,
				rte_pktmbuf_mtod(seg, void *), rte_pktmbuf_iova(seg),
				fr.bad_iova_seg + 1, fr.nb_segs);
	}
	switch (r->cls) {
	case IOL_STAMP_OK:
		break;
	case IOL_STAMP_CORRUPTED:
		s->st->err.corrupted++;
		report_frame_error(e, s, m, &fr, IOL_ERR_CORRUPTED);
		break;
	case IOL_STAMP_TRUNCATED:
		s->st->err.truncated++;
		report_frame_error(e, s, m, &fr, IOL_ERR_TRUNCATED);
		break;
	case IOL_STAMP_MISDELIVERED:
		s->st->err.misdelivered++;
		report_frame_error(e, s, m, &fr, IOL_ERR_MISDELIVERED);
		return false;
	case IOL_STAMP_FOREIGN:
		s->st->err.foreign++;
		report_frame_error(e, s, m, &fr, IOL_ERR_FOREIGN);
		return false;
	}
	/* Damage after a good header (payload, length) leaves its sequence usable. */
	if (!r->hdr_valid)
		return false;
	if (unlikely(r->end))
		return end_of_flow(e, s, r, now);
	if (unlikely(s->expect.run_id == 0))
		s->expect.run_id = r->hdr.run_id; /* rxonly: the first frame names the run */

	t = flow_tracker(s, r->hdr.flow);
	if (unlikely(t == NULL)) {
		s->st->err.foreign++;
		return false;
	}
	v = iol_seq_update(t, r->hdr.seq, max_ahead(e, now), &newly);
	if (unlikely(newly > 0)) {
		l->out -= (int64_t)newly;
		if (show_error(e, IOL_ERR_LOST))
			LOG(ERR, "port %u queue %u: %" PRIu64 " frame(s) of flow %u lost "
				"(confirmed when seq %" PRIu64 " arrived)", s->port, s->queue,
				newly, r->hdr.flow, r->hdr.seq);
	}
	switch (v) {
	case IOL_SEQ_IN_ORDER:
		break;
	case IOL_SEQ_IMPLAUSIBLE:
		if (r->cls == IOL_STAMP_OK)
			s->st->err.corrupted++;
		if (show_error(e, IOL_ERR_CORRUPTED))
			LOG(ERR, "port %u queue %u: seq %" PRIu64 " of flow %u is further "
				"ahead of %" PRIu64 " than could have been sent since the start: "
				"not believed", s->port, s->queue, r->hdr.seq, r->hdr.flow, t->next);
		return false;
	case IOL_SEQ_STALE:
		if (show_error(e, IOL_ERR_STALE))
			LOG(ERR, "port %u queue %u: seq %" PRIu64 " of flow %u is older than "
				"the history kept (next %" PRIu64 "): stale", s->port, s->queue,
				r->hdr.seq, r->hdr.flow, t->next);
		return false;
	case IOL_SEQ_DUPLICATE:
		if (show_error(e, IOL_ERR_DUPLICATED))
			LOG(ERR, "port %u queue %u: seq %" PRIu64 " of flow %u received twice",
				s->port, s->queue, r->hdr.seq, r->hdr.flow);
		/* The copy a dup fault added to the population is back. */
		l->out--;
		return false;
	case IOL_SEQ_LATE:
	case IOL_SEQ_RECOVERED:
		if (show_error(e, IOL_ERR_REORDERED))
			LOG(ERR, "port %u queue %u: seq %" PRIu64 " of flow %u after %" PRIu64,
				s->port, s->queue, r->hdr.seq, r->hdr.flow, t->next - 1);
		/* Counted lost, it was written off and replaced already: verified, not sent. */
		if (v == IOL_SEQ_RECOVERED) {
			count_verified(s, b, r, now);
			return false;
		}
		break;
	}
	l->out--;
	count_verified(s, b, r, now);
	return true;
}

/*
 * Nothing came back for the loss timeout: whatever is in flight is lost.
 * Each side's flows are flushed with what their sender has sent.
 */
void
write_off_in_flight(struct iol_engine *e, struct lane *l, const char *why)
{
	unsigned int i, f;
	uint64_t lost = 0;

	for (i = 0; i < l->n_sides; i++) {
		struct side *s = &l->side[i];
		uint64_t sent;

		if (e->cfg.verify == IOL_VERIFY_NONE)
			continue;
		for (f = 0; f < s->n_flows; f++) {
			/* rxonly knows nothing sent past what arrived: only holes are lost. */
			sent = e->cfg.mode == IOL_MODE_RXONLY ? s->seq[f].next : s->peer->tx_seq;
			iol_seq_flush(&s->seq[f], sent, UINT64_MAX, &lost);
		}
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
