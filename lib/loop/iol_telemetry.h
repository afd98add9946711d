/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_TELEMETRY_H
#define IOL_TELEMETRY_H

/* Private to lib/loop: a run seen through DPDK's telemetry (iol_telemetry.c). */

#include "iol_audit.h"
#include "iol_config.h"
#include "iol_stats.h"

struct iol_engine;

/* What the telemetry commands read while a run is attached. */
struct iol_telemetry_view {
	const struct iol_config *cfg;
	const struct iol_engine *engine;
	const struct iol_iova_map *map;
	const char *iova_mode;
};

/* Register the /iovaloop/ commands (once a process). */
void iol_telemetry_register(void);
/* Serve @p v until iol_telemetry_detach(); it must stay valid until then. */
void iol_telemetry_attach(const struct iol_telemetry_view *v);
void iol_telemetry_detach(void);
/* The live line's newest sample, for the rates the commands give. */
void iol_telemetry_sample(const struct iol_sample *s);

#endif /* IOL_TELEMETRY_H */
