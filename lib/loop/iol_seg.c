/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames longer than an mbuf: chains of segments, built, stamped and
 * verified here so that the hot loop's single-segment fast path stays as
 * it is. A chain is verified as the bytes of its segments in order (a
 * copy in one buffer, checked by lib/stamp's oracle), so a segment that
 * comes back out of place or with another length shows as the first
 * frame byte that differs; every segment's buffer IOVA is audited like a
 * single buffer's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "iol_lane.h"

/* Segments of one frame at most: the shortest --mbuf-size holds the headers. */
#define MAX_SEGS ((IOL_MAX_PKT_SIZE + IOL_STAMP_MIN_LEN - 1) / IOL_STAMP_MIN_LEN)
/* Segment lengths an error line lists before it skips to the last. */
#define DESCRIBE_SEGS 8
/* One byte past the longest frame: a longer chain is seen as longer than sent. */
#define LINEAR_CAP (IOL_MAX_PKT_SIZE + 1)

/* Frame bytes a segment can hold from where its data starts. */
static inline uint32_t
seg_room(const struct rte_mbuf *seg)
{
	return (uint32_t)seg->buf_len - seg->data_off;
}

int
iol_frame_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **m, unsigned int n,
		uint16_t len)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	unsigned int segs = (len + room - 1) / room, i, k;
	struct rte_mbuf *seg[MAX_SEGS];

	if (segs <= 1)
		return rte_pktmbuf_alloc_bulk(mp, m, n);
	if (segs > MAX_SEGS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_alloc_bulk(mp, seg, segs) != 0) {
			rte_pktmbuf_free_bulk(m, i);
			return -ENOBUFS;
		}
		for (k = 0; k + 1 < segs; k++)
			seg[k]->next = seg[k + 1];
		seg[0]->nb_segs = (uint16_t)segs;
		m[i] = seg[0];
	}
	return 0;
}

/*
 * Lay @p len frame bytes over the chain: each segment full but the last,
 * segments left over freed. False when the chain cannot hold them (one
 * that came back shorter than it was sent).
 */
static bool
fit(struct rte_mbuf *m, uint16_t len)
{
	struct rte_mbuf *seg = m, *last = m;
	uint32_t left = len;
	uint16_t n = 0;

	for (; seg != NULL && left > 0; last = seg, seg = seg->next, n++) {
		seg->data_len = (uint16_t)RTE_MIN(left, seg_room(seg));
		left -= seg->data_len;
	}
	if (left > 0)
		return false;
	if (seg != NULL) {
		last->next = NULL;
		rte_pktmbuf_free(seg);
	}
	m->nb_segs = n;
	m->pkt_len = len;
	return true;
}

bool
iol_frame_stamp(struct rte_mbuf *m, const uint8_t *dst_mac, const uint8_t *src_mac,
		const struct iol_stamp_info *info)
{
	uint8_t frame[IOL_MAX_PKT_SIZE];
	struct rte_mbuf *seg;
	uint32_t off = 0;

	if (info->len > sizeof(frame) || !fit(m, info->len))
		return false;
	/* The oracle writes the frame whole; the segments get it in pieces. */
	iol_stamp_write(frame, dst_mac, src_mac, info);
	for (seg = m; seg != NULL; off += seg->data_len, seg = seg->next)
		memcpy(rte_pktmbuf_mtod(seg, uint8_t *), frame + off, seg->data_len);
	return true;
}

/* The segment that holds frame byte @p off, and where in it. */
static void
locate(const struct rte_mbuf *m, uint32_t off, struct iol_frame_result *fr)
{
	const struct rte_mbuf *seg = m;
	uint16_t k = 0;

	while (seg->next != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
		k++;
	}
	fr->bad_seg = k;
	fr->bad_seg_off = off;
}

/*
 * The segments hold another length than pkt_len says: corrupted, at the
 * first payload byte of the @p len read that differs from what was sent,
 * or where the bytes end early or run on when none differs (or none was
 * read).
 */
static void
lengths_disagree(const uint8_t *frame, uint32_t len, uint32_t held,
		struct iol_stamp_result *r)
{
	uint32_t end = RTE_MIN(len, (uint32_t)r->hdr.len), off;

	r->cls = IOL_STAMP_CORRUPTED;
	r->why = "segment lengths do not add up to pkt_len";
	r->bad_offset = RTE_MIN(held, (uint32_t)r->hdr.len);
	r->bad_bytes = 0;
	r->n_shown = 0;
	for (off = IOL_STAMP_MIN_LEN; off < end; off++)
		if (frame[off] != iol_stamp_payload_byte(r->hdr.run_id, r->hdr.seq, off) &&
		    r->bad_bytes++ == 0)
			r->bad_offset = off;
	for (off = r->bad_offset; off < end && r->n_shown < RTE_DIM(r->seen); off++) {
		r->expected[r->n_shown] = iol_stamp_payload_byte(r->hdr.run_id, r->hdr.seq, off);
		r->seen[r->n_shown++] = frame[off];
	}
}

void
iol_frame_check(const struct iol_iova_map *map, unsigned int *hint,
		const struct rte_mbuf *m, const struct iol_stamp_expect *exp,
		struct iol_frame_result *fr)
{
	uint8_t linear[LINEAR_CAP];
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	/* Below full verification only the headers are read. */
	uint32_t copy = exp->level == IOL_VERIFY_FULL ? sizeof(linear) : IOL_STAMP_MIN_LEN;
	const struct rte_mbuf *seg;
	uint32_t sum = 0, n;
	uint16_t k = 0;

	/* Fields a verdict leaves unset are read by the report: none is left unset. */
	memset(fr, 0, sizeof(*fr));
	fr->bad_iova_seg = -1;
	for (seg = m; seg != NULL; seg = seg->next, k++) {
		if (fr->bad_iova_seg < 0 &&
		    !iol_iova_map_check(map, rte_pktmbuf_mtod(seg, const void *),
				rte_pktmbuf_iova(seg), hint))
			fr->bad_iova_seg = k;
		if (m->next != NULL && sum < copy) {
			n = RTE_MIN((uint32_t)seg->data_len, copy - sum);
			memcpy(linear + sum, rte_pktmbuf_mtod(seg, const uint8_t *), n);
		}
		sum += seg->data_len;
	}
	fr->nb_segs = k;
	fr->data_len_sum = sum;
	if (m->next != NULL)
		frame = linear;
	sum = RTE_MIN(sum, (uint32_t)sizeof(linear));
	iol_stamp_check(frame, sum, exp, &fr->stamp);
	if (unlikely(fr->data_len_sum != m->pkt_len) && fr->stamp.hdr_valid)
		lengths_disagree(frame, exp->level == IOL_VERIFY_FULL ? sum : 0, sum, &fr->stamp);
	if (fr->stamp.cls == IOL_STAMP_CORRUPTED && fr->stamp.hdr_valid)
		locate(m, fr->stamp.bad_offset, fr);
}

void
iol_frame_describe(const struct rte_mbuf *m, const struct iol_frame_result *fr,
		char *buf, size_t len)
{
	const struct rte_mbuf *seg;
	size_t n = 0;
	uint16_t k;

	if (fr->stamp.cls == IOL_STAMP_CORRUPTED && fr->stamp.hdr_valid)
		n += (size_t)snprintf(buf, len, "; byte %" PRIu32 " is byte %" PRIu32
			" of segment %u", fr->stamp.bad_offset, fr->bad_seg_off, fr->bad_seg + 1);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "; %u segments, data_len", fr->nb_segs);
	/* A long chain shows its first and last lengths: the line stays one line. */
	for (seg = m, k = 0; seg != NULL && n < len; seg = seg->next, k++) {
		if (k < DESCRIBE_SEGS - 1 || seg->next == NULL)
			n += (size_t)snprintf(buf + n, len - n, "%s%u", k == 0 ? " " : "+",
				seg->data_len);
		else if (k == DESCRIBE_SEGS - 1)
			n += (size_t)snprintf(buf + n, len - n, "+...");
	}
	if (n < len)
		snprintf(buf + n, len - n, " = %" PRIu32 ", pkt_len %" PRIu32,
			fr->data_len_sum, m->pkt_len);
}
