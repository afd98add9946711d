/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include <rte_atomic.h>

#include "iol_stats.h"

static const char *const error_names[IOL_ERR_CLASSES] = {
	[IOL_ERR_LOST] = "lost",
	[IOL_ERR_DUPLICATED] = "duplicated",
	[IOL_ERR_REORDERED] = "reordered",
	[IOL_ERR_STALE] = "stale",
	[IOL_ERR_CORRUPTED] = "corrupted",
	[IOL_ERR_TRUNCATED] = "truncated",
	[IOL_ERR_FOREIGN] = "foreign",
	[IOL_ERR_MISDELIVERED] = "misdelivered",
	[IOL_ERR_BAD_IOVA] = "bad_iova",
};

/* The names index the union's array: its fields must stay in enum order. */
_Static_assert(offsetof(union iol_errors, bad_iova) ==
	IOL_ERR_BAD_IOVA * sizeof(uint64_t), "union iol_errors out of enum order");

const char *
iol_errors_name(unsigned int i)
{
	return i < IOL_ERR_CLASSES ? error_names[i] : "?";
}

uint64_t
iol_errors_total(const union iol_errors *e)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < IOL_ERR_CLASSES; i++)
		n = iol_add_sat(n, e->v[i]);
	return n;
}

bool
iol_errors_any(const union iol_errors *e)
{
	unsigned int i;

	for (i = 0; i < IOL_ERR_CLASSES; i++)
		if (e->v[i] != 0)
			return true;
	return false;
}

void
iol_hist_reset(struct iol_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
iol_hist_merge(struct iol_hist *dst, const struct iol_hist *src)
{
	unsigned int i;

	for (i = 0; i < IOL_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->min = RTE_MIN(dst->min, src->min);
	dst->max = RTE_MAX(dst->max, src->max);
}

void
iol_hist_bucket_span(unsigned int i, uint64_t *low, uint64_t *width)
{
	unsigned int msb;

	if (i < IOL_HIST_SUB) {
		*low = i;
		*width = 1;
		return;
	}
	msb = i / IOL_HIST_SUB + 3;
	*low = (uint64_t)(IOL_HIST_SUB + i % IOL_HIST_SUB) << (msb - 4);
	*width = 1ull << (msb - 4);
}

uint64_t
iol_hist_quantile(const struct iol_hist *h, double q)
{
	uint64_t rank, seen = 0, low, width, v;
	unsigned int i;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The smallest value with at least q of the samples at or below it. */
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	for (i = 0; i < IOL_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	iol_hist_bucket_span(i, &low, &width);
	v = low + width / 2;
	return RTE_MIN(RTE_MAX(v, h->min), h->max);
}

void
iol_qstats_reset(struct iol_qstats *q)
{
	memset(q, 0, sizeof(*q));
	iol_hist_reset(&q->lat);
}

void
iol_qstats_merge(struct iol_qstats *dst, const struct iol_qstats *src)
{
	unsigned int i;

	/*
	 * A polling core adds received, then verified: read them the other
	 * way round so that a live sum never has more verified than received.
	 */
	dst->verified += src->verified;
	rte_compiler_barrier();
	dst->rx_pkts += src->rx_pkts;
	dst->rx_bytes += src->rx_bytes;
	dst->tx_pkts += src->tx_pkts;
	dst->tx_bytes += src->tx_bytes;
	dst->end_frames += src->end_frames;
	dst->rss_checked += src->rss_checked;
	dst->rss_mismatch += src->rss_mismatch;
	/* Counts a hostile frame can inflate: a sum must not wrap to small. */
	for (i = 0; i < IOL_ERR_CLASSES; i++)
		dst->err.v[i] = iol_add_sat(dst->err.v[i], src->err.v[i]);
	iol_hist_merge(&dst->lat, &src->lat);
}

double
iol_rate_mpps(uint64_t pkts, double secs)
{
	return secs > 0 ? (double)pkts / secs / 1e6 : 0;
}

double
iol_rate_gbps_l2(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0;
}

double
iol_rate_gbps_wire(uint64_t pkts, uint64_t bytes, double secs)
{
	return iol_rate_gbps_l2(bytes + pkts * IOL_WIRE_OVERHEAD, secs);
}

double
iol_cycles_to_ns(uint64_t cycles, uint64_t hz)
{
	return hz > 0 ? (double)cycles * 1e9 / (double)hz : 0;
}
