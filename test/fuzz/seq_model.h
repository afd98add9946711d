/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_SEQ_MODEL_H
#define IOL_SEQ_MODEL_H

/*
 * Reference model of the sequence classes documented in iol_stamp.h, for
 * the fuzz target. It shares no code with lib/stamp/iol_seq.c and keeps
 * the flow's known numbers, horizon .. next - 1, plainly: the window as
 * one label per number, everything older as exact runs of numbers that
 * arrived or were lost (so that a jump of 2^63 costs one run), then
 * applies the rules written in the header, bounds included.
 */

#include <stdbool.h>
#include <stdint.h>

#include "iol_stamp.h"

enum model_label { M_RECEIVED, M_HOLE, M_LOST };

struct model_run {
	uint64_t len;
	enum model_label label;
};

/* Lost and received runs: at most 2 IOL_SEQ_LOST_RANGES + 1 once settled. */
#define MODEL_MAX_RUNS (IOL_SEQ_WINDOW + 2 * IOL_SEQ_LOST_RANGES + 16)

struct seq_model {
	bool started;
	uint64_t next, horizon;
	uint64_t span;                  /* the window: next - span .. next - 1 */
	uint64_t lost, duplicated, reordered, stale;
	unsigned int n_runs;            /* horizon .. next - span - 1, oldest first */
	struct model_run run[MODEL_MAX_RUNS];
	uint8_t win[IOL_SEQ_WINDOW];    /* label of window number n at n % IOL_SEQ_WINDOW */
};

void model_init(struct seq_model *m, bool first_known, uint64_t first);
enum iol_seq_verdict model_update(struct seq_model *m, uint64_t seq, uint64_t max_ahead,
		uint64_t *newly_lost);
int model_flush(struct seq_model *m, uint64_t sent_next, uint64_t max_ahead,
		uint64_t *newly_lost);
/* What the model knows of @p seq: M_RECEIVED, M_HOLE or M_LOST; -1 if stale or ahead. */
int model_label_of(const struct seq_model *m, uint64_t seq);
/* The window bits iol_seq must hold: those of the window's numbers that arrived. */
void model_window(const struct seq_model *m, uint64_t bits[IOL_SEQ_WINDOW / 64]);
/* Lost run @p k (oldest first) as [lo, hi); false past the last. */
bool model_lost_run(const struct seq_model *m, unsigned int k, uint64_t *lo, uint64_t *hi);

#endif /* IOL_SEQ_MODEL_H */
