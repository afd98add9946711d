/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq_model.h"

#define W IOL_SEQ_WINDOW
/* seq is ahead of next when (seq - next) mod 2^64 is below this. */
#define HALF (UINT64_C(1) << 63)

static void
model_bug(const char *what)
{
	fprintf(stderr, "seq model: %s\n", what);
	abort();
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void
sat_inc(uint64_t *c)
{
	if (*c != UINT64_MAX)
		(*c)++;
}

/* Numbers known: horizon .. next - 1; the runs hold the first history() of them. */
static uint64_t
known(const struct seq_model *m)
{
	return m->next - m->horizon;
}

static uint64_t
history(const struct seq_model *m)
{
	return known(m) - m->span;
}

/* Split runs so that one starts at offset @p o from the horizon; its index. */
static unsigned int
boundary(struct seq_model *m, uint64_t o)
{
	uint64_t start = 0;
	unsigned int i;

	for (i = 0; i < m->n_runs; start += m->run[i++].len) {
		if (start == o)
			return i;
		if (o - start < m->run[i].len) {
			if (m->n_runs == MODEL_MAX_RUNS)
				model_bug("more runs than the model holds");
			memmove(&m->run[i + 1], &m->run[i], (m->n_runs - i) * sizeof(m->run[0]));
			m->n_runs++;
			m->run[i].len = o - start;
			m->run[i + 1].len -= o - start;
			return i + 1;
		}
	}
	if (start != o)
		model_bug("offset beyond the history");
	return m->n_runs;
}

/* Join equal neighbours among runs @p a - 1 .. @p b. */
static void
merge(struct seq_model *m, unsigned int a, unsigned int b)
{
	unsigned int i, w;

	if (m->n_runs == 0)
		return;
	a = a > 0 ? a - 1 : 0;
	b = b < m->n_runs ? b : m->n_runs - 1;
	for (w = a, i = a + 1; i <= b; i++) {
		if (m->run[i].label == m->run[w].label)
			m->run[w].len += m->run[i].len;
		else
			m->run[++w] = m->run[i];
	}
	memmove(&m->run[w + 1], &m->run[b + 1], (m->n_runs - b - 1) * sizeof(m->run[0]));
	m->n_runs -= b - w;
}

static int
label_at(const struct seq_model *m, uint64_t o)
{
	uint64_t start = 0;
	unsigned int i;

	for (i = 0; i < m->n_runs; start += m->run[i++].len)
		if (o - start < m->run[i].len)
			return m->run[i].label;
	model_bug("no run holds a number of the history");
	return -1;
}

/* Forget the history below offset @p o: the horizon moves up to it. */
static void
forget_below(struct seq_model *m, uint64_t o)
{
	unsigned int j = boundary(m, o);

	memmove(&m->run[0], &m->run[j], (m->n_runs - j) * sizeof(m->run[0]));
	m->n_runs -= j;
	m->horizon += o;
}

/*
 * @p len numbers labelled @p label leave the window (or skip it) into the
 * history: "a number still missing when it leaves the window is lost".
 */
static void
leave(struct seq_model *m, enum model_label label, uint64_t len, uint64_t *newly_lost)
{
	if (len == 0)
		return;
	if (label == M_HOLE) {
		label = M_LOST;
		m->lost = sat_add(m->lost, len);
		*newly_lost = sat_add(*newly_lost, len);
	}
	if (m->n_runs > 0 && m->run[m->n_runs - 1].label == label) {
		m->run[m->n_runs - 1].len += len;
		return;
	}
	if (m->n_runs == MODEL_MAX_RUNS)
		model_bug("more runs than the model holds");
	m->run[m->n_runs].len = len;
	m->run[m->n_runs++].label = label;
}

/*
 * The bounds: at most IOL_SEQ_LOST_RANGES lost runs (the oldest are
 * forgotten, the horizon moving past them) and IOL_SEQ_HISTORY_MAX
 * numbers known.
 */
static void
bound(struct seq_model *m)
{
	uint64_t start, end = 0;
	unsigned int i, n_lost = 0, forget;

	for (i = 0; i < m->n_runs; i++)
		n_lost += m->run[i].label == M_LOST;
	if (n_lost > IOL_SEQ_LOST_RANGES) {
		forget = n_lost - IOL_SEQ_LOST_RANGES;
		for (i = 0, start = 0; forget > 0; start += m->run[i++].len) {
			if (m->run[i].label == M_LOST) {
				forget--;
				end = start + m->run[i].len;
			}
		}
		forget_below(m, end);
	}
	if (known(m) > IOL_SEQ_HISTORY_MAX)
		forget_below(m, known(m) - IOL_SEQ_HISTORY_MAX);
}

void
model_init(struct seq_model *m, bool first_known, uint64_t first)
{
	memset(m, 0, sizeof(*m));
	m->started = first_known;
	m->next = m->horizon = first_known ? first : 0;
}

enum iol_seq_verdict
model_update(struct seq_model *m, uint64_t seq, uint64_t max_ahead, uint64_t *newly_lost)
{
	uint64_t ahead, behind, enter, span, base, gone, i, o;

	if (!m->started) {
		m->started = true;
		m->next = m->horizon = seq;
	}
	ahead = seq - m->next;
	if (ahead < HALF) {
		if (ahead > max_ahead)
			return IOL_SEQ_IMPLAUSIBLE;
		/* Numbers next .. seq come in (holes but seq); the oldest go out. */
		enter = ahead + 1;
		span = m->span + enter < W ? m->span + enter : W;
		base = m->next - m->span;
		gone = (seq + 1 - span) - base;
		for (i = 0; i < gone && i < m->span; i++)
			leave(m, m->win[(base + i) % W], 1, newly_lost);
		if (gone > m->span)
			leave(m, M_HOLE, gone - m->span, newly_lost);
		for (i = 0; i < enter && i < W; i++)
			m->win[(seq - i) % W] = i == 0 ? M_RECEIVED : M_HOLE;
		m->next = seq + 1;
		m->span = span;
		bound(m);
		return IOL_SEQ_IN_ORDER;
	}
	behind = m->next - seq;
	if (behind > known(m)) {
		sat_inc(&m->stale);
		return IOL_SEQ_STALE;
	}
	if (behind <= m->span) {
		if (m->win[seq % W] == M_RECEIVED) {
			sat_inc(&m->duplicated);
			return IOL_SEQ_DUPLICATE;
		}
		m->win[seq % W] = M_RECEIVED;
		sat_inc(&m->reordered);
		return IOL_SEQ_LATE;
	}
	o = known(m) - behind;
	if (label_at(m, o) == M_RECEIVED) {
		sat_inc(&m->duplicated);
		return IOL_SEQ_DUPLICATE;
	}
	i = boundary(m, o);
	boundary(m, o + 1);
	m->run[i].label = M_RECEIVED;
	merge(m, (unsigned int)i, (unsigned int)i + 1);
	if (m->lost != UINT64_MAX)
		m->lost--;
	sat_inc(&m->reordered);
	bound(m);
	return IOL_SEQ_RECOVERED;
}

int
model_flush(struct seq_model *m, uint64_t sent_next, uint64_t max_ahead, uint64_t *newly_lost)
{
	uint64_t ahead, base = m->next - m->span, i;

	if (!m->started) {
		m->started = true;
		m->next = m->horizon = sent_next;
		return 0;
	}
	ahead = sent_next - m->next;
	if (ahead >= HALF || ahead > max_ahead)
		return -1;
	for (i = 0; i < m->span; i++)
		leave(m, m->win[(base + i) % W], 1, newly_lost);
	leave(m, M_HOLE, ahead, newly_lost);
	m->next = sent_next;
	m->span = 0;
	bound(m);
	return 0;
}

int
model_label_of(const struct seq_model *m, uint64_t seq)
{
	uint64_t behind = m->next - seq;

	if (!m->started || behind == 0 || behind > known(m))
		return -1;
	if (behind <= m->span)
		return m->win[seq % W];
	return label_at(m, known(m) - behind);
}

void
model_window(const struct seq_model *m, uint64_t bits[IOL_SEQ_WINDOW / 64])
{
	uint64_t base = m->next - m->span, seq, i;

	memset(bits, 0, W / 8);
	for (i = 0; i < m->span; i++) {
		seq = base + i;
		if (m->win[seq % W] == M_RECEIVED)
			bits[(seq / 64) % (W / 64)] |= UINT64_C(1) << (seq % 64);
	}
}

bool
model_lost_run(const struct seq_model *m, unsigned int k, uint64_t *lo, uint64_t *hi)
{
	uint64_t start = 0;
	unsigned int i;

	for (i = 0; i < m->n_runs; start += m->run[i++].len) {
		if (m->run[i].label != M_LOST || k-- > 0)
			continue;
		*lo = m->horizon + start;
		*hi = *lo + m->run[i].len;
		return true;
	}
	return false;
}
