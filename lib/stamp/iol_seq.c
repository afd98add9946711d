/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "iol_stamp.h"

#define W IOL_SEQ_WINDOW
/* seq is ahead of next when (seq - next) mod 2^64 is below this (RFC 1982). */
#define HALF (UINT64_C(1) << 63)

static inline uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline void
sat_inc(uint64_t *c)
{
	*c += *c != UINT64_MAX;
}

static inline bool
seen(const struct iol_seq *s, uint64_t seq)
{
	return (s->window[(seq / 64) % (W / 64)] >> (seq % 64)) & 1;
}

static inline void
mark(struct iol_seq *s, uint64_t seq)
{
	s->window[(seq / 64) % (W / 64)] |= 1ull << (seq % 64);
}

static inline void
unmark(struct iol_seq *s, uint64_t seq)
{
	s->window[(seq / 64) % (W / 64)] &= ~(1ull << (seq % 64));
}

/* Forget the oldest lost range: it and everything before it become stale. */
static void
forget_oldest_range(struct iol_seq *s)
{
	s->horizon = s->lost_ranges[0].hi;
	s->n_lost_ranges--;
	memmove(&s->lost_ranges[0], &s->lost_ranges[1],
		s->n_lost_ranges * sizeof(s->lost_ranges[0]));
}

/*
 * Count @p n numbers from @p lo on as lost. They are always the newest
 * behind the window (numbers leave it in order), so they extend the last
 * range or start a new one.
 */
static void
record_lost(struct iol_seq *s, uint64_t lo, uint64_t n, uint64_t *newly_lost)
{
	struct iol_seq_range *r;

	s->lost = sat_add(s->lost, n);
	*newly_lost = sat_add(*newly_lost, n);
	if (s->n_lost_ranges > 0) {
		r = &s->lost_ranges[s->n_lost_ranges - 1];
		if (r->hi == lo) {
			r->hi += n;
			return;
		}
	}
	if (s->n_lost_ranges == IOL_SEQ_LOST_RANGES)
		forget_oldest_range(s);
	r = &s->lost_ranges[s->n_lost_ranges++];
	r->lo = lo;
	r->hi = lo + n;
}

/*
 * Keep next - horizon within IOL_SEQ_HISTORY_MAX, so that every number of
 * the history is behind next and offsets from the horizon order them.
 */
static void
bound_history(struct iol_seq *s)
{
	uint64_t horizon = s->next - IOL_SEQ_HISTORY_MAX, cut;
	uint32_t gone = 0;

	if (likely(s->next - s->horizon <= IOL_SEQ_HISTORY_MAX))
		return;
	cut = horizon - s->horizon;
	while (gone < s->n_lost_ranges && s->lost_ranges[gone].hi - s->horizon <= cut)
		gone++;
	s->n_lost_ranges -= gone;
	memmove(&s->lost_ranges[0], &s->lost_ranges[gone],
		s->n_lost_ranges * sizeof(s->lost_ranges[0]));
	if (s->n_lost_ranges > 0 && s->lost_ranges[0].lo - s->horizon < cut)
		s->lost_ranges[0].lo = horizon;
	s->horizon = horizon;
}

/* The @p n oldest numbers of the window leave it; those missing are lost. */
static void
retire(struct iol_seq *s, uint32_t n, uint64_t *newly_lost)
{
	uint64_t low = s->next - s->span;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!seen(s, low + i))
			record_lost(s, low + i, 1, newly_lost);
	s->span -= n;
}

/* Take @p seq, ahead of next by less than 2^63: the numbers between are holes. */
static void
advance(struct iol_seq *s, uint64_t seq, uint64_t *newly_lost)
{
	uint64_t k = seq - s->next + 1, i;

	if (likely(k <= W)) {
		if (s->span + k > W)
			retire(s, (uint32_t)(s->span + k - W), newly_lost);
		/* The slots of next .. seq held the numbers just retired, or none. */
		for (i = 0; i < k; i++)
			unmark(s, s->next + i);
		s->span += (uint32_t)k;
	} else {
		/* The whole window leaves, and the start of the gap with it. */
		retire(s, s->span, newly_lost);
		record_lost(s, s->next, k - W, newly_lost);
		memset(s->window, 0, sizeof(s->window));
		s->span = W;
	}
	mark(s, seq);
	s->next = seq + 1;
	bound_history(s);
}

/* Number @p seq of lost range @p i arrived after all. */
static void
take_back(struct iol_seq *s, uint32_t i, uint64_t seq)
{
	struct iol_seq_range *r = &s->lost_ranges[i];

	if (s->lost != UINT64_MAX)
		s->lost--;
	sat_inc(&s->reordered);
	if (r->lo == seq && r->hi == seq + 1) {
		s->n_lost_ranges--;
		memmove(r, r + 1, (s->n_lost_ranges - i) * sizeof(*r));
	} else if (r->lo == seq) {
		r->lo++;
	} else if (r->hi == seq + 1) {
		r->hi--;
	} else {
		/* In two: with no room for one more, the oldest part is forgotten. */
		if (s->n_lost_ranges == IOL_SEQ_LOST_RANGES) {
			if (i == 0) {
				s->horizon = seq;
				r->lo = seq + 1;
				return;
			}
			forget_oldest_range(s);
			r = &s->lost_ranges[--i];
		}
		memmove(r + 1, r, (s->n_lost_ranges - i) * sizeof(*r));
		s->n_lost_ranges++;
		r[0].hi = seq;
		r[1].lo = seq + 1;
	}
}

/* @p seq is in the history behind the window: lost, or arrived before. */
static enum iol_seq_verdict
behind_window(struct iol_seq *s, uint64_t seq)
{
	uint64_t off = seq - s->horizon;
	uint32_t i;

	for (i = 0; i < s->n_lost_ranges; i++) {
		const struct iol_seq_range *r = &s->lost_ranges[i];

		if (off >= r->lo - s->horizon && off < r->hi - s->horizon) {
			take_back(s, i, seq);
			return IOL_SEQ_RECOVERED;
		}
	}
	sat_inc(&s->duplicated);
	return IOL_SEQ_DUPLICATE;
}

static void
start(struct iol_seq *s, uint64_t first)
{
	s->started = true;
	s->next = s->horizon = first;
}

void
iol_seq_init(struct iol_seq *s, bool first_known, uint64_t first)
{
	memset(s, 0, sizeof(*s));
	if (first_known)
		start(s, first);
}

enum iol_seq_verdict
iol_seq_update(struct iol_seq *s, uint64_t seq, uint64_t max_ahead,
		uint64_t *newly_lost)
{
	uint64_t ahead, behind;

	if (unlikely(!s->started))
		start(s, seq);
	/* Before anything is compared: a fast path may have moved next alone. */
	bound_history(s);
	ahead = seq - s->next;
	if (likely(ahead < HALF)) {
		if (unlikely(ahead > max_ahead))
			return IOL_SEQ_IMPLAUSIBLE;
		advance(s, seq, newly_lost);
		return IOL_SEQ_IN_ORDER;
	}
	behind = s->next - seq;
	if (behind <= s->span) {
		if (seen(s, seq)) {
			sat_inc(&s->duplicated);
			return IOL_SEQ_DUPLICATE;
		}
		mark(s, seq);
		sat_inc(&s->reordered);
		return IOL_SEQ_LATE;
	}
	if (behind > s->next - s->horizon) {
		sat_inc(&s->stale);
		return IOL_SEQ_STALE;
	}
	return behind_window(s, seq);
}

int
iol_seq_flush(struct iol_seq *s, uint64_t sent_next, uint64_t max_ahead,
		uint64_t *newly_lost)
{
	uint64_t ahead;

	if (unlikely(!s->started)) {
		start(s, sent_next);
		return 0;
	}
	ahead = sent_next - s->next;
	if (ahead >= HALF || ahead > max_ahead)
		return -1;
	bound_history(s);
	retire(s, s->span, newly_lost);
	if (ahead > 0)
		record_lost(s, s->next, ahead, newly_lost);
	memset(s->window, 0, sizeof(s->window));
	s->next = sent_next;
	bound_history(s);
	return 0;
}
