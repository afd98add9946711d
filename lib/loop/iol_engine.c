/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iol_lane.h"
#include "iol_units.h"

RTE_LOG_REGISTER(iol_loop_logtype, iovaloop.loop, INFO);

_Static_assert(IOL_REPORT_MAX_QUEUES >= IOL_MAX_QUEUES, "the report holds every queue's lcore");

/* Iterations iol_engine_poll_main() runs before it returns. */
#define MAIN_POLLS 1024
/* Frames received before the first poll that rxonly discards, at most. */
#define BACKLOG_MAX (1u << 20)

static int
worker_main(void *arg)
{
	struct worker *w = arg;

	w->prev_tsc = rte_rdtsc();
	fwd_worker_poll(w, UINT64_MAX);
	return 0;
}

static void
init_side(struct iol_engine *e, struct side *s, uint16_t pidx, uint16_t peer_pidx,
		uint16_t queue, struct side *peer)
{
	uint16_t port = e->ports[pidx];

	s->port = port;
	s->pidx = pidx;
	s->queue = queue;
	s->flow = flow_id(port, queue);
	s->peer = peer;
	s->st = &e->qstats[pidx * e->cfg.queues + queue];
	rte_eth_macaddr_get(port, &s->src_mac);
	rte_eth_macaddr_get(e->ports[peer_pidx], &s->dst_mac);
	s->expect.rx_port = (uint8_t)port;
	s->expect.rx_queue = (uint8_t)queue;
	s->expect.level = e->cfg.verify;
	s->expect.run_id = e->run_id;
	s->rx_w0 = first_word(flow_id(e->ports[peer_pidx], queue), e->run_id);
	s->tx_w0 = first_word(s->flow, e->run_id);
	s->rx_meta = meta_word(e->cfg.pkt_size, (uint8_t)e->ports[peer_pidx], (uint8_t)queue,
		(uint8_t)port, (uint8_t)queue);
	s->tx_meta = meta_word(e->cfg.pkt_size, (uint8_t)port, (uint8_t)queue,
		(uint8_t)e->ports[peer_pidx], (uint8_t)queue);
	s->rx_crc0 = iol_stamp_hdr_crc_w0(s->rx_w0);
	s->tx_crc0 = iol_stamp_hdr_crc_w0(s->tx_w0);
	s->expect.encap = e->cfg.frame;
	memcpy(s->ends.dst_mac, s->dst_mac.addr_bytes, 6);
	memcpy(s->ends.src_mac, s->src_mac.addr_bytes, 6);
	s->ends.src_ip = IOL_STEER_IP_BASE + 1 + pidx;
	s->ends.dst_ip = IOL_STEER_IP_BASE + 1 + peer_pidx;
	/* In the loop every frame here comes from the peer's queue, from seq 0. */
	if (e->cfg.mode == IOL_MODE_LOOP) {
		s->n_flows = 1;
		s->flows[0] = flow_id(e->ports[peer_pidx], queue);
		iol_seq_init(&s->seq[0], true, 0);
	}
}

/*
 * Each side's frame prefix, its source port (or address) chosen so that
 * the receiving port's RSS sends it to the queue it names, and the hash
 * the receiver's device is expected to give what arrives.
 */
static int
steer_lanes(struct iol_engine *e, char *err, size_t errlen)
{
	unsigned int i, j, p;
	struct side *s;

	for (p = 0; p < e->n_ports; p++)
		if (steer_read(e->ports[p], &e->cfg, &e->steer[p], err, errlen) < 0)
			return -1;
	for (i = 0; i < e->n_lanes; i++)
		for (j = 0; j < e->lanes[i].n_sides; j++) {
			s = &e->lanes[i].side[j];
			p = s->peer->pidx;
			if (iol_steer_choose(&e->steer[p], s->queue, &s->ends) < 0)
				return iol_errf(err, errlen, "port %u: its RSS redirection table "
					"(%u entries) sends no flow to queue %u; accepts --queues "
					"up to the queues the table names", e->ports[p],
					e->steer[p].reta_size, s->queue);
			iol_stamp_prefix_build(&s->prefix, e->cfg.frame, &s->ends, e->cfg.pkt_size);
		}
	for (i = 0; i < e->n_lanes; i++)
		for (j = 0; j < e->lanes[i].n_sides; j++) {
			s = &e->lanes[i].side[j];
			p = s->pidx;
			s->rss_check = e->steer[p].kind == IOL_STEER_RSS;
			s->rx_rss = iol_steer_hash(&e->steer[p], s->peer->ends.src_ip,
				s->peer->ends.dst_ip, s->peer->ends.src_port, IOL_STAMP_UDP_PORT);
		}
	return 0;
}

struct iol_engine *
iol_engine_create(const struct iol_config *cfg, const uint16_t *ports,
		unsigned int n_ports, struct rte_mempool *mp,
		const struct iol_iova_map *map, uint32_t run_id, char *err, size_t errlen)
{
	unsigned int lanes_per_group, groups, g, q, i, lcore, n_lanes;
	bool paired = cfg->mode == IOL_MODE_LOOP && n_ports > 1;
	int socket = rte_socket_id();
	struct iol_engine *e;
	struct lane *l;

	/* What a NULL return means, unless the steering says otherwise. */
	iol_errf(err, errlen, "out of memory for the lanes");
	e = rte_zmalloc_socket("iol_engine", sizeof(*e), RTE_CACHE_LINE_SIZE, socket);
	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->hdr_off = iol_stamp_hdr_off(cfg->frame);
	e->shift = iol_stamp_shift(cfg->frame);
	e->mp = mp;
	e->map = map;
	e->payload = iol_payload_best();
	fwd_select(e);
	e->run_id = run_id;
	e->n_ports = n_ports;
	memcpy(e->ports, ports, n_ports * sizeof(ports[0]));
	e->loss_cycles = rte_get_tsc_hz() / 1000 * cfg->loss_timeout_ms;
	if (cfg->tx_rate > 0)
		e->burst_cycles = rte_get_tsc_hz() * cfg->burst / cfg->tx_rate;

	groups = paired ? n_ports / 2 : n_ports;
	lanes_per_group = cfg->queues;
	n_lanes = groups * lanes_per_group;
	e->qstats = rte_zmalloc_socket("iol_qstats", n_ports * cfg->queues * sizeof(*e->qstats),
		RTE_CACHE_LINE_SIZE, socket);
	e->lanes = rte_zmalloc_socket("iol_lanes", n_lanes * sizeof(*e->lanes),
		RTE_CACHE_LINE_SIZE, socket);
	e->n_workers = RTE_MAX(1u, rte_lcore_count() - 1);
	e->workers = rte_zmalloc_socket("iol_workers", e->n_workers * sizeof(*e->workers),
		RTE_CACHE_LINE_SIZE, socket);
	if (e->qstats == NULL || e->lanes == NULL || e->workers == NULL)
		goto fail;
	for (i = 0; i < n_ports * cfg->queues; i++)
		iol_qstats_reset(&e->qstats[i]);

	e->n_lanes = n_lanes;
	for (g = 0; g < groups; g++) {
		for (q = 0; q < lanes_per_group; q++) {
			l = &e->lanes[g * lanes_per_group + q];
			if (paired) {
				l->n_sides = 2;
				init_side(e, &l->side[0], (uint16_t)(2 * g),
					(uint16_t)(2 * g + 1), (uint16_t)q, &l->side[1]);
				init_side(e, &l->side[1], (uint16_t)(2 * g + 1),
					(uint16_t)(2 * g), (uint16_t)q, &l->side[0]);
			} else {
				l->n_sides = 1;
				init_side(e, &l->side[0], (uint16_t)g, (uint16_t)g,
					(uint16_t)q, &l->side[0]);
			}
			for (i = 0; i < l->n_sides; i++) {
				l->side[i].dst_port = cfg->mode == IOL_MODE_LOOP ?
					(uint8_t)l->side[i].peer->port : IOL_STAMP_ANY;
				l->side[i].dst_queue = cfg->mode == IOL_MODE_LOOP ?
					(uint8_t)q : IOL_STAMP_ANY;
			}
		}
	}
	/* Faults apply to the first port's queue 0, in the order they will hit. */
	for (i = 1; i < e->cfg.n_faults; i++) {
		struct iol_fault f = e->cfg.faults[i];
		unsigned int j = i;

		for (; j > 0 && e->cfg.faults[j - 1].at > f.at; j--)
			e->cfg.faults[j] = e->cfg.faults[j - 1];
		e->cfg.faults[j] = f;
	}
	for (i = 0; i < n_lanes; i++)
		for (g = 0; g < e->lanes[i].n_sides; g++)
			e->lanes[i].side[g].fault_at = UINT64_MAX;
	e->lanes[0].side[0].faults = e->cfg.faults;
	e->lanes[0].side[0].n_faults = e->cfg.n_faults;
	if (e->cfg.n_faults > 0)
		e->lanes[0].side[0].fault_at = e->cfg.faults[0].at;
	if (steer_lanes(e, err, errlen) < 0)
		goto fail;

	/* Lanes round-robin over the workers (or the main lcore alone). */
	for (i = 0; i < e->n_workers; i++) {
		e->workers[i].e = e;
		e->workers[i].lanes = rte_zmalloc_socket("iol_wl", n_lanes * sizeof(struct lane *),
			0, socket);
		if (e->workers[i].lanes == NULL)
			goto fail;
	}
	e->main_polls = rte_lcore_count() == 1;
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
		e->workers[i++].lcore = lcore;
	if (e->main_polls)
		e->workers[0].lcore = rte_get_main_lcore();
	for (i = 0; i < n_lanes; i++) {
		struct worker *w = &e->workers[i % e->n_workers];

		w->lanes[w->n_lanes++] = &e->lanes[i];
		for (g = 0; g < e->lanes[i].n_sides; g++)
			e->lanes[i].side[g].lcore = w->lcore;
	}
	return e;
fail:
	iol_engine_destroy(e);
	return NULL;
}

/*
 * rxonly joining a running sender: what queued up before the first poll
 * (and what the receive ring dropped while full) belongs to no run this
 * receiver saw start. Discard until the queues are caught up, so that
 * the first frame learnt is followed by its successors.
 */
static void
discard_backlog(struct iol_engine *e)
{
	struct rte_mbuf *pkts[IOL_MAX_BURST];
	unsigned int i, j, n, total = 0;
	uint16_t k;

	for (i = 0; i < e->n_lanes; i++)
		for (j = 0; j < e->lanes[i].n_sides; j++) {
			const struct side *s = &e->lanes[i].side[j];

			do {
				n = rte_eth_rx_burst(s->port, s->queue, pkts, e->cfg.burst);
				for (k = 0; k < n; k++)
					rte_pktmbuf_free(pkts[k]);
				total += n;
			} while (n == e->cfg.burst && total < BACKLOG_MAX);
		}
	if (total > 0)
		LOG(INFO, "rxonly: %u frame(s) queued before the first poll discarded "
			"(a run already going; frames counted from the next one on)", total);
}

int
iol_engine_launch(struct iol_engine *e)
{
	uint64_t now;
	unsigned int i;
	int ret;

	if (e->cfg.mode == IOL_MODE_RXONLY)
		discard_backlog(e);
	/* The device counters count from here, as the run's own do. */
	for (i = 0; i < e->n_ports; i++)
		e->dev_base_valid[i] = rte_eth_stats_get(e->ports[i], &e->dev_base[i]) == 0;
	now = rte_rdtsc();
	e->start_tsc = now;
	for (i = 0; i < e->n_lanes; i++)
		e->lanes[i].last_rx = e->lanes[i].last_frame = now;
	if (e->main_polls) {
		e->workers[0].prev_tsc = now;
		return 0;
	}
	for (i = 0; i < e->n_workers; i++) {
		if (e->workers[i].n_lanes == 0)
			continue;
		ret = rte_eal_remote_launch(worker_main, &e->workers[i], e->workers[i].lcore);
		if (ret < 0) {
			iol_engine_request_stop(e);
			iol_engine_wait(e);
			return ret;
		}
	}
	return 0;
}

void
iol_engine_poll_main(struct iol_engine *e)
{
	if (e->main_polls)
		fwd_worker_poll(&e->workers[0], MAIN_POLLS);
}

void
iol_engine_request_stop(struct iol_engine *e)
{
	if (e->stop)
		return;
	e->stop_tsc = rte_rdtsc();
	__atomic_store_n(&e->stop, true, __ATOMIC_RELEASE);
}

void
iol_engine_abort(struct iol_engine *e)
{
	iol_engine_request_stop(e);
	__atomic_store_n(&e->abort, true, __ATOMIC_RELEASE);
}

bool
iol_engine_done(const struct iol_engine *e)
{
	unsigned int i;

	for (i = 0; i < e->n_workers; i++)
		if (__atomic_load_n(&e->workers[i].lanes_done, __ATOMIC_ACQUIRE) <
		    e->workers[i].n_lanes)
			return false;
	return true;
}

void
iol_engine_wait(struct iol_engine *e)
{
	unsigned int i;

	if (e->main_polls) {
		while (!iol_engine_done(e))
			iol_engine_poll_main(e);
	} else {
		for (i = 0; i < e->n_workers; i++)
			if (e->workers[i].n_lanes > 0)
				rte_eal_wait_lcore(e->workers[i].lcore);
	}
}

void
iol_engine_totals(const struct iol_engine *e, struct iol_qstats *tot)
{
	unsigned int i;

	iol_qstats_reset(tot);
	for (i = 0; i < e->n_ports * e->cfg.queues; i++)
		iol_qstats_merge(tot, &e->qstats[i]);
}

uint32_t
iol_engine_run_id(const struct iol_engine *e)
{
	unsigned int i, j;

	if (e->run_id != 0)
		return e->run_id;
	for (i = 0; i < e->n_lanes; i++)
		for (j = 0; j < e->lanes[i].n_sides; j++)
			if (e->lanes[i].side[j].expect.run_id != 0)
				return e->lanes[i].side[j].expect.run_id;
	return 0;
}

double
iol_engine_seconds(const struct iol_engine *e)
{
	uint64_t end = e->stop ? e->stop_tsc : rte_rdtsc();
	unsigned int i;

	/* Frames taken in the drain are counted: so is the time they took. */
	for (i = 0; e->stop && i < e->n_lanes; i++)
		end = RTE_MAX(end, e->lanes[i].last_frame);
	return (double)(end - e->start_tsc) / (double)rte_get_tsc_hz();
}

unsigned int
iol_engine_queue_lcore(const struct iol_engine *e, unsigned int pidx, unsigned int queue)
{
	unsigned int i, j;

	for (i = 0; i < e->n_lanes; i++)
		for (j = 0; j < e->lanes[i].n_sides; j++)
			if (e->lanes[i].side[j].port == e->ports[pidx] &&
			    e->lanes[i].side[j].queue == queue)
				return e->lanes[i].side[j].lcore;
	return 0;
}

const char *
iol_engine_payload_variant(const struct iol_engine *e)
{
	return e->payload->name;
}

const struct iol_fault *
iol_engine_faults_left(const struct iol_engine *e, unsigned int *n, uint64_t *sent)
{
	const struct side *s = &e->lanes[0].side[0];

	*n = s->n_faults;
	*sent = s->tx_seq;
	return s->faults;
}

int
iol_engine_fill_report(struct iol_engine *e, struct iol_report *r)
{
	struct rte_eth_dev_info info;
	unsigned int i, q, n = 0;

	/* The lanes have stopped: bytes the hot loop did not count. */
	for (i = 0; i < e->n_ports * e->cfg.queues; i++) {
		e->qstats[i].tx_bytes = e->qstats[i].tx_pkts * e->cfg.pkt_size;
		if (e->cfg.verify == IOL_VERIFY_NONE && e->cfg.mode == IOL_MODE_LOOP)
			e->qstats[i].rx_bytes = e->qstats[i].rx_pkts * e->cfg.pkt_size;
	}
	r->ports = calloc(e->n_ports, sizeof(*r->ports));
	r->cores = calloc(e->n_workers, sizeof(*r->cores));
	if (r->ports == NULL || r->cores == NULL) {
		free(r->ports);
		free(r->cores);
		return -ENOMEM;
	}
	r->n_ports = e->n_ports;
	r->frame = iol_frame_name(e->cfg.frame);
	for (i = 0; i < e->n_ports; i++) {
		struct iol_dev_counters *d = &r->ports[i].dev;
		const struct rte_eth_stats *b = &e->dev_base[i];
		struct rte_eth_stats now;

		r->ports[i].port_id = e->ports[i];
		r->ports[i].n_queues = e->cfg.queues;
		r->ports[i].q = &e->qstats[i * e->cfg.queues];
		for (q = 0; q < e->cfg.queues; q++)
			r->ports[i].lcore[q] = iol_engine_queue_lcore(e, i, q);
		r->ports[i].steer = (struct iol_report_steer){
			.kind = iol_steer_kind_name(e->steer[i].kind),
			.hashed = e->steer[i].l4 ? "ipv4-udp" : "ipv4",
			.key_len = e->steer[i].key_len,
			.reta_size = e->steer[i].reta_size,
			.hash_in_mbuf = e->steer[i].hash_in_mbuf,
		};
		d->valid = e->dev_base_valid[i] && rte_eth_stats_get(e->ports[i], &now) == 0;
		if (d->valid) {
			/* A PMD that reset its counters meanwhile shows from zero. */
			d->imissed = now.imissed - RTE_MIN(now.imissed, b->imissed);
			d->ierrors = now.ierrors - RTE_MIN(now.ierrors, b->ierrors);
			d->rx_nombuf = now.rx_nombuf - RTE_MIN(now.rx_nombuf, b->rx_nombuf);
			d->oerrors = now.oerrors - RTE_MIN(now.oerrors, b->oerrors);
		}
		if (rte_eth_dev_info_get(e->ports[i], &info) == 0 && info.device != NULL)
			snprintf(r->ports[i].name, sizeof(r->ports[i].name), "%s",
				rte_dev_name(info.device));
	}
	for (i = 0; i < e->n_workers; i++) {
		if (e->workers[i].n_lanes == 0)
			continue;
		r->cores[n].lcore = e->workers[i].lcore;
		r->cores[n++].s = &e->workers[i].cs;
	}
	r->n_cores = n;
	return 0;
}

void
iol_engine_destroy(struct iol_engine *e)
{
	unsigned int i;

	if (e == NULL)
		return;
	for (i = 0; e->workers != NULL && i < e->n_workers; i++)
		rte_free(e->workers[i].lanes);
	rte_free(e->workers);
	rte_free(e->lanes);
	rte_free(e->qstats);
	rte_free(e);
}
