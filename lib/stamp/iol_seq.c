/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "iol_stamp.h"

#define W IOL_SEQ_WINDOW

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

/* Oldest sequence number the window still answers for. */
static inline uint64_t
window_low(const struct iol_seq *s)
{
	return RTE_MAX(s->base, s->next >= W ? s->next - W : 0);
}

static uint64_t
holes(const struct iol_seq *s)
{
	uint64_t seq, n = 0;

	for (seq = window_low(s); seq < s->next; seq++)
		n += !seen(s, seq);
	return n;
}

void
iol_seq_init(struct iol_seq *s, bool first_known, uint64_t first)
{
	memset(s, 0, sizeof(*s));
	s->started = first_known;
	s->base = s->next = first;
}

enum iol_seq_verdict
iol_seq_update(struct iol_seq *s, uint64_t seq, uint64_t *newly_lost)
{
	uint64_t lost = 0, t;

	if (unlikely(!s->started)) {
		s->started = true;
		s->base = s->next = seq;
	}
	if (likely(seq >= s->next)) {
		if (likely(seq - s->next < W)) {
			/* Each slot reused drops the number W below it. */
			for (t = s->next; t <= seq; t++) {
				if (t >= s->base + W && !seen(s, t - W))
					lost++;
				unmark(s, t);
			}
		} else {
			/* The whole window leaves, and part of the gap with it. */
			lost = holes(s) + (seq - s->next + 1 - W);
			memset(s->window, 0, sizeof(s->window));
		}
		mark(s, seq);
		s->next = seq + 1;
		s->lost += lost;
		*newly_lost += lost;
		return IOL_SEQ_IN_ORDER;
	}
	if (seq < window_low(s)) {
		/* Counted lost when it left the window; it was only late. */
		s->reordered++;
		if (s->lost > 0)
			s->lost--;
		return IOL_SEQ_STALE;
	}
	if (seen(s, seq)) {
		s->duplicated++;
		return IOL_SEQ_DUPLICATE;
	}
	mark(s, seq);
	s->reordered++;
	return IOL_SEQ_LATE;
}

uint64_t
iol_seq_flush(struct iol_seq *s, uint64_t sent_next)
{
	uint64_t lost;

	if (!s->started) {
		/* Nothing arrived and the start is unknown: nothing to judge. */
		s->started = true;
		s->base = s->next = sent_next;
		return 0;
	}
	lost = holes(s) + (sent_next > s->next ? sent_next - s->next : 0);
	s->next = RTE_MAX(s->next, sent_next);
	s->base = s->next;
	memset(s->window, 0, sizeof(s->window));
	s->lost += lost;
	return lost;
}
