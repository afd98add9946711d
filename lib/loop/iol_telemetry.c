/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A run seen from outside, through DPDK's telemetry socket
 * (dpdk-telemetry.py -f PREFIX, or any client of it):
 *
 *   /iovaloop/stats         totals, and per port (arrays in port order)
 *   /iovaloop/stats,PORT    that port's totals, and per queue
 *   /iovaloop/config        what the run was asked to do
 *   /iovaloop/memory        the audited IOVA ranges
 *   /iovaloop/latency       percentiles, ns
 *
 * DPDK 22.11's telemetry nests no dictionary in another (a container holds
 * an array of plain values), so per port and per queue figures are arrays
 * indexed alike. The counters are read as the live line reads them
 * (iol_qstats_merge(): verified before received), so a reply never shows
 * more verified than received. Commands stay registered for the process
 * (telemetry has no unregister): between runs they answer with an error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_rwlock.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "iol_lane.h"
#include "iol_telemetry.h"

/* DPDK 23.03 renamed the u64 adders to uint and deprecated the old names. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define TEL_U64 RTE_TEL_UINT_VAL
#define tel_dict_u64 rte_tel_data_add_dict_uint
#define tel_array_u64 rte_tel_data_add_array_uint
#else
#define TEL_U64 RTE_TEL_U64_VAL
#define tel_dict_u64 rte_tel_data_add_dict_u64
#define tel_array_u64 rte_tel_data_add_array_u64
#endif

/* What the commands read, while a run has it attached. */
static struct {
	rte_rwlock_t lock;
	const struct iol_telemetry_view *v;
	struct iol_sample last;         /* the live line's newest sample */
} live = { .lock = RTE_RWLOCK_INITIALIZER };

static bool registered;

void
iol_telemetry_attach(const struct iol_telemetry_view *v)
{
	rte_rwlock_write_lock(&live.lock);
	live.v = v;
	memset(&live.last, 0, sizeof(live.last));
	rte_rwlock_write_unlock(&live.lock);
}

void
iol_telemetry_detach(void)
{
	rte_rwlock_write_lock(&live.lock);
	live.v = NULL;
	rte_rwlock_write_unlock(&live.lock);
}

void
iol_telemetry_sample(const struct iol_sample *s)
{
	rte_rwlock_write_lock(&live.lock);
	live.last = *s;
	rte_rwlock_write_unlock(&live.lock);
}

/*
 * Every command's start: refuse parameters it does not take, take the
 * read lock, and find a run attached. NULL (the lock released, *ret the
 * error) when there is none.
 */
static const struct iol_telemetry_view *
enter(const char *params, bool takes_params, int *ret)
{
	if (!takes_params && params != NULL && *params != '\0') {
		*ret = -EINVAL;
		return NULL;
	}
	rte_rwlock_read_lock(&live.lock);
	if (live.v == NULL) {
		rte_rwlock_read_unlock(&live.lock);
		*ret = -ENODEV;
		return NULL;
	}
	*ret = 0;
	return live.v;
}

static void
leave(void)
{
	rte_rwlock_read_unlock(&live.lock);
}

/* Counters of a dictionary: the run's or a port's totals. */
static void
dict_counts(struct rte_tel_data *d, const struct iol_qstats *q)
{
	unsigned int i;

	tel_dict_u64(d, "rx_packets", q->rx_pkts);
	tel_dict_u64(d, "tx_packets", q->tx_pkts);
	tel_dict_u64(d, "rx_bytes", q->rx_bytes);
	tel_dict_u64(d, "verified", q->verified);
	tel_dict_u64(d, "end_frames", q->end_frames);
	tel_dict_u64(d, "rss_hash_checked", q->rss_checked);
	tel_dict_u64(d, "rss_hash_mismatch", q->rss_mismatch);
	for (i = 0; i < IOL_ERR_CLASSES; i++)
		tel_dict_u64(d, iol_errors_name(i), q->err.v[i]);
}

/* Add @p name: one value of @p q[k] per entry, from @p get. */
static int
dict_array(struct rte_tel_data *d, const char *name, const struct iol_qstats *q,
		unsigned int n, uint64_t (*get)(const struct iol_qstats *, unsigned int),
		unsigned int arg)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int k;

	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, TEL_U64);
	for (k = 0; k < n; k++)
		tel_array_u64(a, get(&q[k], arg));
	if (rte_tel_data_add_dict_container(d, name, a, 0) < 0) {
		rte_tel_data_free(a);
		return -ENOSPC;
	}
	return 0;
}

static uint64_t get_rx(const struct iol_qstats *q, unsigned int i) { RTE_SET_USED(i); return q->rx_pkts; }
static uint64_t get_tx(const struct iol_qstats *q, unsigned int i) { RTE_SET_USED(i); return q->tx_pkts; }
static uint64_t get_verified(const struct iol_qstats *q, unsigned int i) { RTE_SET_USED(i); return q->verified; }
static uint64_t get_class(const struct iol_qstats *q, unsigned int i) { return q->err.v[i]; }
static uint64_t get_errors(const struct iol_qstats *q, unsigned int i) { RTE_SET_USED(i); return iol_errors_total(&q->err); }

/* Per port (or queue) arrays, in the order of @p q. */
static int
dict_arrays(struct rte_tel_data *d, const char *prefix, const struct iol_qstats *q,
		unsigned int n)
{
	char name[64];
	unsigned int i;
	int ret = 0;

	snprintf(name, sizeof(name), "%s_rx_packets", prefix);
	ret |= dict_array(d, name, q, n, get_rx, 0);
	snprintf(name, sizeof(name), "%s_tx_packets", prefix);
	ret |= dict_array(d, name, q, n, get_tx, 0);
	snprintf(name, sizeof(name), "%s_verified", prefix);
	ret |= dict_array(d, name, q, n, get_verified, 0);
	snprintf(name, sizeof(name), "%s_errors", prefix);
	ret |= dict_array(d, name, q, n, get_errors, 0);
	for (i = 0; i < IOL_ERR_CLASSES; i++) {
		snprintf(name, sizeof(name), "%s_%s", prefix, iol_errors_name(i));
		ret |= dict_array(d, name, q, n, get_class, i);
	}
	return ret < 0 ? -ENOMEM : 0;
}

/* "ports": the run's port IDs, in the order of the per port arrays. */
static int
dict_ports(struct rte_tel_data *d, const struct iol_engine *e)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int p;

	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, TEL_U64);
	for (p = 0; p < e->n_ports; p++)
		tel_array_u64(a, e->ports[p]);
	rte_tel_data_add_dict_container(d, "ports", a, 0);
	return 0;
}

/* The counters of port index @p p, queue by queue, read as the live line does. */
static void
read_queues(const struct iol_engine *e, unsigned int p, struct iol_qstats *out)
{
	unsigned int q;

	for (q = 0; q < e->cfg.queues; q++) {
		iol_qstats_reset(&out[q]);
		iol_qstats_merge(&out[q], &e->qstats[p * e->cfg.queues + q]);
	}
}

/*
 * The counters are copied out (a histogram each: too big for the stack of
 * the telemetry thread, and two clients may ask at once: no static).
 */
static struct iol_qstats *
counters_alloc(unsigned int n)
{
	return malloc(n * sizeof(struct iol_qstats));
}

static int
stats_port(const struct iol_engine *e, unsigned int p, struct rte_tel_data *d)
{
	struct iol_qstats *qs = counters_alloc(IOL_MAX_QUEUES + 1), *tot;
	struct rte_tel_data *a;
	unsigned int q;
	int ret = -ENOMEM;

	if (qs == NULL)
		return -ENOMEM;
	tot = &qs[IOL_MAX_QUEUES];
	read_queues(e, p, qs);
	iol_qstats_reset(tot);
	for (q = 0; q < e->cfg.queues; q++)
		iol_qstats_merge(tot, &qs[q]);
	rte_tel_data_start_dict(d);
	tel_dict_u64(d, "port", e->ports[p]);
	dict_counts(d, tot);
	a = rte_tel_data_alloc();
	if (a == NULL)
		goto out;
	rte_tel_data_start_array(a, TEL_U64);
	for (q = 0; q < e->cfg.queues; q++)
		tel_array_u64(a, iol_engine_queue_lcore(e, p, q));
	rte_tel_data_add_dict_container(d, "queue_lcore", a, 0);
	ret = dict_arrays(d, "queue", qs, e->cfg.queues);
out:
	free(qs);
	return ret;
}

static int
stats_all(const struct iol_engine *e, struct rte_tel_data *d)
{
	struct iol_qstats *ps = counters_alloc(IOL_MAX_PORTS + IOL_MAX_QUEUES + 1), *qs, *tot;
	unsigned int p, q;
	int ret = -ENOMEM;

	if (ps == NULL)
		return -ENOMEM;
	qs = ps + IOL_MAX_PORTS;
	tot = qs + IOL_MAX_QUEUES;
	iol_qstats_reset(tot);
	for (p = 0; p < e->n_ports; p++) {
		read_queues(e, p, qs);
		iol_qstats_reset(&ps[p]);
		for (q = 0; q < e->cfg.queues; q++)
			iol_qstats_merge(&ps[p], &qs[q]);
		iol_qstats_merge(tot, &ps[p]);
	}
	rte_tel_data_start_dict(d);
	dict_counts(d, tot);
	tel_dict_u64(d, "rx_pps", (uint64_t)(live.last.rx_mpps * 1e6));
	tel_dict_u64(d, "tx_pps", (uint64_t)(live.last.tx_mpps * 1e6));
	tel_dict_u64(d, "period_end_ms", (uint64_t)(live.last.t * 1e3));
	if (dict_ports(d, e) < 0)
		goto out;
	ret = dict_arrays(d, "port", ps, e->n_ports);
out:
	free(ps);
	return ret;
}

/* Every command: the run attached, and parameters only where they belong. */
static int
cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct iol_telemetry_view *v;
	const struct iol_engine *e;
	unsigned long port;
	unsigned int p;
	char *end;
	int ret;

	RTE_SET_USED(cmd);
	v = enter(params, true, &ret);
	if (v == NULL)
		return ret;
	e = v->engine;
	ret = -EINVAL;
	if (params == NULL || *params == '\0') {
		ret = stats_all(e, d);
		goto out;
	}
	errno = 0;
	port = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || end == params)
		goto out;
	for (p = 0; p < e->n_ports; p++)
		if (e->ports[p] == port) {
			ret = stats_port(e, p, d);
			break;
		}
out:
	leave();
	return ret;
}

static int
cmd_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct iol_telemetry_view *v;
	const struct iol_config *c;
	int ret;

	RTE_SET_USED(cmd);
	v = enter(params, false, &ret);
	if (v == NULL)
		return ret;
	c = v->cfg;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mode", iol_mode_name(c->mode));
	rte_tel_data_add_dict_string(d, "verify", iol_verify_name(c->verify));
	rte_tel_data_add_dict_string(d, "mem", iol_mem_name(c->mem));
	rte_tel_data_add_dict_string(d, "frame", iol_frame_name(c->frame));
	tel_dict_u64(d, "run_id", iol_engine_run_id(v->engine));
	tel_dict_u64(d, "pkt_size", c->pkt_size);
	tel_dict_u64(d, "burst", c->burst);
	tel_dict_u64(d, "inflight", c->inflight);
	tel_dict_u64(d, "queues", c->queues);
	tel_dict_u64(d, "loss_timeout_ms", c->loss_timeout_ms);
	rte_tel_data_add_dict_string(d, "payload_variant",
		iol_engine_payload_variant(v->engine));
	ret = dict_ports(d, v->engine);
	leave();
	return ret;
}

static int
cmd_memory(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const char *const names[3] = { "va", "iova", "len" };
	const struct iol_telemetry_view *v;
	const struct iol_iova_map *m;
	struct rte_tel_data *a;
	unsigned int i, k;
	int ret;

	RTE_SET_USED(cmd);
	v = enter(params, false, &ret);
	if (v == NULL)
		return ret;
	m = v->map;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "iova_mode", v->iova_mode);
	tel_dict_u64(d, "ranges", m->n);
	for (k = 0; k < 3; k++) {
		a = rte_tel_data_alloc();
		if (a == NULL) {
			ret = -ENOMEM;
			break;
		}
		rte_tel_data_start_array(a, TEL_U64);
		for (i = 0; i < m->n && i < RTE_TEL_MAX_ARRAY_ENTRIES; i++)
			tel_array_u64(a, k == 0 ? m->segs[i].va : k == 1 ?
				m->segs[i].iova : m->segs[i].len);
		rte_tel_data_add_dict_container(d, names[k], a, 0);
	}
	leave();
	return ret;
}

static int
cmd_latency(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct iol_telemetry_view *v;
	uint64_t hz = rte_get_tsc_hz();
	struct iol_qstats *tot;
	const struct iol_hist *h;
	int ret;

	RTE_SET_USED(cmd);
	tot = counters_alloc(1);
	if (tot == NULL)
		return -ENOMEM;
	v = enter(params, false, &ret);
	if (v == NULL) {
		free(tot);
		return ret;
	}
	iol_engine_totals(v->engine, tot);
	h = &tot->lat;
	rte_tel_data_start_dict(d);
	tel_dict_u64(d, "count", h->count);
	if (h->count > 0) {
		tel_dict_u64(d, "min_ns", (uint64_t)iol_cycles_to_ns(h->min, hz));
		tel_dict_u64(d, "p50_ns", (uint64_t)iol_cycles_to_ns(iol_hist_quantile(h, 0.5), hz));
		tel_dict_u64(d, "p99_ns", (uint64_t)iol_cycles_to_ns(iol_hist_quantile(h, 0.99), hz));
		tel_dict_u64(d, "p999_ns", (uint64_t)iol_cycles_to_ns(iol_hist_quantile(h, 0.999), hz));
		tel_dict_u64(d, "max_ns", (uint64_t)iol_cycles_to_ns(h->max, hz));
	}
	leave();
	free(tot);
	return ret;
}

void
iol_telemetry_register(void)
{
	if (registered)
		return;
	registered = true;
	rte_telemetry_register_cmd("/iovaloop/stats", cmd_stats,
		"iovaloop's counters: totals and per port; with a port id, per queue. "
		"Parameters: [port id]");
	rte_telemetry_register_cmd("/iovaloop/config", cmd_config,
		"What the iovaloop run does. Takes no parameters");
	rte_telemetry_register_cmd("/iovaloop/memory", cmd_memory,
		"The IOVA ranges iovaloop audited (va, iova, len). Takes no parameters");
	rte_telemetry_register_cmd("/iovaloop/latency", cmd_latency,
		"Latency percentiles of the frames verified, ns. Takes no parameters");
}
