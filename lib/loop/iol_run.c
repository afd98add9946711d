/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "iol_loop.h"
#include "iol_telemetry.h"
#include "iol_units.h"
#include "iol_xmem.h"

RTE_LOG_REGISTER(iol_run_logtype, iovaloop.run, INFO);
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iol_run_logtype, "iovaloop: " fmt "\n", ##__VA_ARGS__)

#define MBUF_CACHE 256
#define MAX_DIAGNOSIS IOL_RUN_MAX_DIAGNOSIS
/* What each IOMMU family logs for DMA it blocked, for the diagnoses. */
#define FAULT_LINES "'DMAR: [DMA Read/Write]' on Intel VT-d, 'arm-smmu-v3 ... event " \
	"0x10' on ARM SMMUv3, 'virtio_iommu ... page fault' on virtio-iommu, " \
	"'IO_PAGE_FAULT' on AMD-Vi (QEMU's AMD-Vi logs none)"
/* Reasons a run fails beyond its counters: unfired faults, no run heard. */
#define MAX_PROBLEMS (IOL_MAX_FAULTS + 1)
/* Live-line samples kept for the JSON: 12 days at one a second. */
#define MAX_SAMPLES (1u << 20)

/* Stops asked for: the first drains, the second ends the drain. */
static volatile sig_atomic_t stop_requested;

void
iol_run_request_stop(void)
{
	if (stop_requested < 2)
		stop_requested++;
}

/* Everything a run set up, so that teardown undoes exactly that. */
struct run {
	const struct iol_config *cfg;
	FILE *out;
	uint16_t ports[IOL_MAX_PORTS];
	unsigned int n_ports;
	bool ring_pair_made;
	struct iol_ring_pair rp;
	unsigned int ports_started;
	struct iol_xmem *xmem;          /* owns mp when --mem xmem */
	struct rte_mempool *mp;
	struct iol_iova_map map;
	struct iol_engine *engine;
	struct iol_json_file json;      /* --json, made before anything is touched */
	struct iol_telemetry_view tel;  /* what /iovaloop/ telemetry commands read */
	struct iol_sample *samples;     /* the live lines, for the JSON's timeline */
	unsigned int n_samples, cap_samples;
	unsigned int mbufs_leaked;
	char err[IOL_ERR_LEN];
};

static enum iol_exit __attribute__((format(printf, 3, 4)))
refuse(struct run *r, enum iol_exit code, const char *fmt, ...)
{
	va_list ap;

	/* The message is often r->err itself, from the call that failed. */
	va_start(ap, fmt);
	iol_verrf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	LOG(ERR, "%s", r->err);
	return code;
}

static enum iol_exit
choose_ports(struct run *r)
{
	const struct iol_config *cfg = r->cfg;
	unsigned int ring_size;
	uint16_t id;
	unsigned int i;

	if (cfg->n_ports > 0) {
		for (i = 0; i < cfg->n_ports; i++) {
			if (!rte_eth_dev_is_valid_port(cfg->ports[i]))
				return refuse(r, IOL_EXIT_USAGE, "--ports: there is no port %u "
					"(%u ports were probed)", cfg->ports[i],
					rte_eth_dev_count_avail());
			r->ports[i] = cfg->ports[i];
		}
		r->n_ports = cfg->n_ports;
		return IOL_EXIT_PASS;
	}
	RTE_ETH_FOREACH_DEV(id) {
		if (r->n_ports == IOL_MAX_PORTS)
			break;
		r->ports[r->n_ports++] = id;
	}
	if (r->n_ports > 0)
		return IOL_EXIT_PASS;
	if (cfg->mode != IOL_MODE_LOOP)
		return refuse(r, IOL_EXIT_USAGE, "--mode %s needs a port: give a device "
			"with -a BDF (bound to vfio-pci) or a --vdev", iol_mode_name(cfg->mode));
	/* No device: a cross-connected virtual pair carries the loop. */
	ring_size = rte_align32pow2(RTE_MAX(cfg->rxd, cfg->txd));
	if (iol_ring_pair_create(&r->rp, cfg->queues, ring_size, (int)rte_socket_id(),
			r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_SETUP, "%s", r->err);
	r->ring_pair_made = true;
	r->ports[0] = r->rp.ports[0];
	r->ports[1] = r->rp.ports[1];
	r->n_ports = 2;
	LOG(INFO, "no device given: looping over the virtual pair %s <-> %s",
		r->rp.names[0], r->rp.names[1]);
	return IOL_EXIT_PASS;
}

static enum iol_exit
check_ports(struct run *r)
{
	struct iol_port_caps caps[IOL_MAX_PORTS];
	unsigned int i;
	int ret;

	for (i = 0; i < r->n_ports; i++) {
		ret = iol_port_caps_get(r->ports[i], &caps[i]);
		if (ret < 0)
			return refuse(r, IOL_EXIT_SETUP, "port %u: cannot read its "
				"capabilities: %s", r->ports[i], rte_strerror(-ret));
	}
	if (iol_config_check_ports(r->cfg, caps, r->n_ports, r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_USAGE, "%s", r->err);
	return IOL_EXIT_PASS;
}

unsigned int
iol_run_mbufs(const struct iol_config *cfg, unsigned int n_ports)
{
	/* Every frame a descriptor, ring slot or TX buffer holds is that many segments. */
	unsigned int per_queue = (cfg->rxd + cfg->txd + IOL_LANE_TXBUF) * iol_config_segs(cfg) +
		MBUF_CACHE;

	/* The virtual pair stands in when there is no port. */
	return RTE_MAX(n_ports, 2u) * cfg->queues * per_queue + 1024;
}

/* The pool's data room: --mbuf-size frame bytes after the headroom. */
static uint16_t
data_room(const struct iol_config *cfg)
{
	return (uint16_t)(cfg->mbuf_size + RTE_PKTMBUF_HEADROOM);
}

void
iol_run_plan(const struct iol_config *cfg, const char *const *devs, unsigned int n_devs,
		struct iol_doctor_plan *plan, struct iol_iova_range *range)
{
	uint64_t pool_bytes = (uint64_t)iol_run_mbufs(cfg, n_devs) *
		(data_room(cfg) + sizeof(struct rte_mbuf) + RTE_CACHE_LINE_SIZE);

	iol_doctor_plan_init(plan);
	plan->devices = devs;
	plan->n_devices = n_devs;
	plan->pin_bytes = pool_bytes + (cfg->mem == IOL_MEM_XMEM ? cfg->xmem_size : 0);
	plan->hugepage_size = cfg->mem == IOL_MEM_XMEM ? cfg->page_size : 0;
	plan->hugepage_bytes = plan->pin_bytes;
	/* DPDK maps each of its hugepages on its own; xmem maps in one piece. */
	plan->mappings = pool_bytes / (2u << 20) + 1 + (cfg->mem == IOL_MEM_XMEM);
	plan->allow_noiommu = cfg->allow_noiommu;
	if (cfg->mem == IOL_MEM_XMEM && cfg->iova_base_set) {
		range->start = cfg->iova_base;
		range->end = cfg->iova_base + cfg->xmem_size - 1;
		plan->iova = range;
		plan->n_iova = 1;
	}
}

/*
 * External memory: allocated, registered and DMA-mapped for every port's
 * device by iovaloop itself, at the IOVAs the user chose; the pool lives
 * in it.
 */
static enum iol_exit
create_xmem_pool(struct run *r, const struct iol_run_env *env, unsigned int n, int socket)
{
	const struct iol_config *cfg = r->cfg;
	struct rte_device *devs[IOL_MAX_PORTS];
	struct rte_eth_dev_info info;
	struct iol_xmem_params p = {
		.size = cfg->xmem_size,
		.page_size = cfg->page_size,
		.numa_node = socket,
		.iova_base = cfg->iova_base,
		.iova_base_set = cfg->iova_base_set,
		.no_dma_map = cfg->test_no_dma_map,
		.devs = devs,
		.n_devs = r->n_ports,
		.sysfs_root = env->sysfs_root,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < r->n_ports; i++) {
		ret = rte_eth_dev_info_get(r->ports[i], &info);
		if (ret < 0 || info.device == NULL)
			return refuse(r, IOL_EXIT_SETUP, "port %u: no device to DMA-map "
				"external memory for", r->ports[i]);
		devs[i] = info.device;
	}
	if (iol_xmem_create(&p, &r->xmem, r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_SETUP, "--mem xmem: %s", r->err);
	r->mp = iol_xmem_pool_create(r->xmem, "iol_xpool", n, MBUF_CACHE,
		data_room(cfg), r->err, sizeof(r->err));
	if (r->mp == NULL)
		return refuse(r, IOL_EXIT_SETUP, "--mem xmem: %s", r->err);
	iol_xmem_describe(r->xmem, r->err, sizeof(r->err));
	LOG(INFO, "%s", r->err);
	if (cfg->test_no_dma_map)
		LOG(WARNING, "--test-no-dma-map: the external memory is registered "
			"but mapped for no device; DMA into it must fault");
	return IOL_EXIT_PASS;
}

static enum iol_exit
create_pool(struct run *r, const struct iol_run_env *env)
{
	const struct iol_config *cfg = r->cfg;
	unsigned int n = iol_run_mbufs(cfg, r->n_ports);
	int socket = rte_eth_dev_socket_id(r->ports[0]);

	if (socket < 0)
		socket = (int)rte_socket_id();
	if (cfg->mem == IOL_MEM_XMEM)
		return create_xmem_pool(r, env, n, socket);
	r->mp = rte_pktmbuf_pool_create("iol_pool", n, MBUF_CACHE, 0, data_room(cfg), socket);
	if (r->mp == NULL)
		return refuse(r, IOL_EXIT_SETUP, "cannot create a pool of %u mbufs of %u "
			"bytes (--mbuf-size %u) on socket %d: %s (reserve more hugepages, "
			"e.g. dpdk-hugepages.py -p 2M -r 1G)", n, data_room(cfg),
			cfg->mbuf_size, socket, rte_strerror(rte_errno));
	return IOL_EXIT_PASS;
}

static enum iol_exit
audit(struct run *r, const struct iol_run_env *env, struct iol_run_result *res)
{
	struct iol_audit_result ar;
	struct iol_audit_params ap = {
		.iova_as_pa = rte_eal_iova_mode() == RTE_IOVA_PA,
		.dma_mask_bits = env->dma_mask_bits,
		.pools = &r->mp,
		.n_pools = 1,
	};
	int ret;

	ret = iol_iova_map_from_memsegs(&r->map, r->cfg->mem == IOL_MEM_XMEM);
	if (ret < 0)
		return refuse(r, IOL_EXIT_SETUP, "cannot walk DPDK's memory: %s",
			rte_strerror(-ret));
	ret = iol_audit_run(&r->map, &ap, &ar);
	iol_audit_print(&r->map, &ap, &ar, r->out);
	fflush(r->out);
	res->audit_pages = ar.pages;
	if (ret < 0)
		return refuse(r, IOL_EXIT_VERIFY, "IOVA audit failed (%" PRIu64
			" mismatches): no frame was sent", ar.mismatches);
	res->audited = true;
	return IOL_EXIT_PASS;
}

static enum iol_exit
start_ports(struct run *r)
{
	for (r->ports_started = 0; r->ports_started < r->n_ports; r->ports_started++)
		if (iol_port_setup(r->ports[r->ports_started], r->cfg, r->mp,
				r->err, sizeof(r->err)) < 0) {
			/* The failed port may be configured (its MTU raised) but not started: undo it too. */
			iol_port_teardown(r->ports[r->ports_started]);
			return refuse(r, IOL_EXIT_SETUP, "%s", r->err);
		}
	if (r->cfg->mode != IOL_MODE_RXONLY &&
	    iol_ports_wait_link(r->ports, r->n_ports, r->cfg->link_timeout,
			r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_SETUP, "%s", r->err);
	return IOL_EXIT_PASS;
}

/* Frames the receiving devices dropped themselves (no descriptor or mbuf free). */
static bool
device_drops(const struct iol_report *rep, uint64_t *missed, uint64_t *nombuf)
{
	unsigned int i;
	bool known = rep->n_ports > 0;

	*missed = *nombuf = 0;
	for (i = 0; i < rep->n_ports; i++) {
		known &= rep->ports[i].dev.valid;
		*missed = iol_add_sat(*missed, rep->ports[i].dev.imissed);
		*nombuf = iol_add_sat(*nombuf, rep->ports[i].dev.rx_nombuf);
	}
	return known;
}

/*
 * What fails a run whatever its counters say: a test fault that never
 * fired (the test did not test what it meant to), an rxonly run that heard
 * no iovaloop frame at all.
 */
static unsigned int
find_problems(struct run *r, const struct iol_report *rep, char probs[][256])
{
	const struct iol_fault *f;
	unsigned int n = 0, left, i;
	uint64_t sent;

	f = iol_engine_faults_left(r->engine, &left, &sent);
	for (i = 0; i < left && n < MAX_PROBLEMS; i++)
		snprintf(probs[n++], 256, "test fault %s@%" PRIu64 " never applied: port %u "
			"queue 0 sent only %" PRIu64 " frames", iol_fault_kind_name(f[i].kind),
			f[i].at, r->ports[0], sent);
	if (r->cfg->mode == IOL_MODE_RXONLY && rep->run_id == 0 && n < MAX_PROBLEMS)
		snprintf(probs[n++], 256, "no iovaloop frame was received (no run learnt)");
	return n;
}

/* Turn what the counters show into likely causes, for people. */
static unsigned int
diagnose(struct run *r, const struct iol_report *rep, char diag[][512])
{
	const struct iol_config *cfg = r->cfg;
	struct iol_qstats tot, pt[2];
	unsigned int n = 0, i, p, q;
	uint64_t garbage, missed, nombuf, drops;
	bool dma_explained = false, drops_known;

	iol_report_totals(rep, &tot);
	garbage = iol_add_sat(iol_add_sat(tot.err.foreign, tot.err.corrupted), tot.err.truncated);
	drops_known = device_drops(rep, &missed, &nombuf);
	drops = iol_add_sat(missed, nombuf);
	if (cfg->mode == IOL_MODE_RXONLY && rep->run_id == 0)
		snprintf(diag[n++], sizeof(diag[0]), "no iovaloop frame was received, so "
			"no run was learnt: is the sender running (--mode txonly), on the "
			"link this port receives from, and is the link up?");
	/* The receiver's own drops are not lost on the way: said first. */
	if (tot.err.lost > 0 && drops > 0 && drops >= tot.err.lost) {
		snprintf(diag[n++], sizeof(diag[0]), "the %" PRIu64 " lost frames were "
			"dropped by this receiver (imissed %" PRIu64 ", rx_nombuf %" PRIu64
			"), not on the way: it polls too slowly for the rate (more --rxd, "
			"a lower sender rate, or a core of its own)", tot.err.lost, missed, nombuf);
		dma_explained = true;
	} else if (tot.err.lost > 0 && drops > 0) {
		snprintf(diag[n++], sizeof(diag[0]), "of %" PRIu64 " lost frames, %" PRIu64
			" were dropped by this receiver (imissed %" PRIu64 ", rx_nombuf %"
			PRIu64 ") and %" PRIu64 " were lost on the way", tot.err.lost,
			drops, missed, nombuf, tot.err.lost - drops);
	}
	if (cfg->test_no_dma_map && iol_errors_any(&tot.err)) {
		snprintf(diag[n++], sizeof(diag[0]), "the external memory was registered "
			"but deliberately not DMA-mapped (--test-no-dma-map): the NIC's DMA "
			"to and from it faults in the IOMMU (" FAULT_LINES "), so "
			"frames it should receive are lost and frames it sends from "
			"unreadable buffers arrive as garbage");
		dma_explained = true;
	}
	for (i = 0; cfg->mode == IOL_MODE_LOOP && i < rep->n_ports && n < MAX_DIAGNOSIS; i++) {
		unsigned int peer = rep->n_ports > 1 ? i ^ 1 : i;

		for (p = 0; p < 2; p++) {
			iol_qstats_reset(&pt[p]);
			for (q = 0; q < rep->ports[p ? peer : i].n_queues; q++)
				iol_qstats_merge(&pt[p], &rep->ports[p ? peer : i].q[q]);
		}
		if (pt[0].rx_pkts > 0 || pt[1].tx_pkts == 0)
			continue;
		snprintf(diag[n++], sizeof(diag[0]), "port %u (%s) received none of the %"
			PRIu64 " frames port %u sent: the link or cable, or the device's DMA "
			"faulting in the IOMMU because the memory is not mapped for it (look "
			"for IOMMU faults in dmesg: " FAULT_LINES ")", rep->ports[i].port_id,
			rep->ports[i].name, pt[1].tx_pkts, rep->ports[peer].port_id);
		dma_explained = true;
	}
	if (!dma_explained && tot.err.lost > 0 && garbage > 0 && n < MAX_DIAGNOSIS) {
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames lost while %"
			PRIu64 " arrived unreadable: the pattern of a device whose DMA faults "
			"in the IOMMU (memory not mapped for it, or an IOVA outside its "
			"mappings): look for IOMMU faults in dmesg: " FAULT_LINES, tot.err.lost, garbage);
		dma_explained = true;
	}
	if (tot.err.corrupted > 0 && !dma_explained && n < MAX_DIAGNOSIS)
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames arrived with bytes "
			"other than sent: DMA landed at a wrong address, or a buffer was reused "
			"while the device still owned it", tot.err.corrupted);
	if (tot.err.bad_iova > 0 && n < MAX_DIAGNOSIS)
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " buffers have an IOVA that "
			"does not translate back to their address: the IOVA table given to DPDK "
			"is wrong or the memory was never registered", tot.err.bad_iova);
	if (tot.err.misdelivered > 0 && n < MAX_DIAGNOSIS)
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames reached a port or "
			"queue they were not sent to: check the cabling and the queue mapping",
			tot.err.misdelivered);
	if (tot.err.foreign > 0 && !dma_explained && n < MAX_DIAGNOSIS)
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames were not from this "
			"run: another sender shares the link", tot.err.foreign);
	if (tot.err.lost > 0 && drops == 0 && drops_known && !dma_explained && n < MAX_DIAGNOSIS)
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames lost on the way: "
			"the receiving devices dropped none themselves (imissed 0, "
			"rx_nombuf 0)", tot.err.lost);
	if (tot.err.stale > 0 && n < MAX_DIAGNOSIS)
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames carried sequence "
			"numbers older than the %u-frame history each flow keeps: delayed "
			"far beyond the window, or a device delivering old buffers again "
			"(a stale descriptor)", tot.err.stale, IOL_SEQ_WINDOW);
	return n;
}

/* --json: the report written whole or not at all (iol_json_file). */
static enum iol_exit
json_open(struct run *r)
{
	if (iol_json_file_open(&r->json, r->cfg->json_path, r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_USAGE, "--json: %s", r->err);
	return IOL_EXIT_PASS;
}

static int
json_commit(struct run *r, const struct iol_report *rep, const struct iol_result *v)
{
	if (iol_json_file_commit(&r->json, iol_report_json(rep, v, r->json.f) == 0) == 0)
		return 0;
	LOG(ERR, "--json: could not write %s: %s", r->cfg->json_path, strerror(errno));
	return -1;
}

static enum iol_exit
report(struct run *r, const struct iol_run_env *env, struct iol_run_result *res)
{
	const struct iol_config *cfg = r->cfg;
	const char *diag_ptrs[MAX_DIAGNOSIS], *prob_ptrs[MAX_PROBLEMS];
	char probs[MAX_PROBLEMS][256];
	struct iol_result verdict;
	struct iol_report rep = {
		.version = env->version,
		.mode = iol_mode_name(cfg->mode),
		.verify = iol_verify_name(cfg->verify),
		.pkt_size = cfg->pkt_size,
		.burst = cfg->burst,
		.inflight = cfg->inflight,
		.tsc_hz = rte_get_tsc_hz(),
	};
	enum iol_exit code = IOL_EXIT_PASS;
	unsigned int i;

	rep.secs = iol_engine_seconds(r->engine);
	if (iol_engine_fill_report(r->engine, &rep) < 0)
		return refuse(r, IOL_EXIT_SETUP, "out of memory for the report");
	res->run_id = iol_engine_run_id(r->engine);
	rep.run_id = res->run_id;
	rep.memory.kind = cfg->mem == IOL_MEM_XMEM ? "xmem" : "dpdk";
	rep.memory.iova_mode = rte_eal_iova_mode() == RTE_IOVA_PA ? "pa" : "va";
	rep.memory.page_size = r->xmem ? iol_xmem_page_size(r->xmem) :
		r->map.n ? r->map.segs[0].page_sz : 0;
	rep.memory.numa_node = r->xmem ? iol_xmem_numa_node(r->xmem) :
		r->mp ? r->mp->socket_id : -1;
	rep.memory.n_ranges = r->map.n;
	rep.memory.ranges = r->map.segs;

	res->n_diagnosis = diagnose(r, &rep, res->diagnosis);
	for (i = 0; i < res->n_diagnosis; i++)
		diag_ptrs[i] = res->diagnosis[i];
	rep.n_diagnosis = res->n_diagnosis;
	rep.diagnosis = diag_ptrs;
	rep.payload_variant = iol_engine_payload_variant(r->engine);
	rep.n_samples = r->n_samples;
	rep.samples = r->samples;
	rep.n_problems = find_problems(r, &rep, probs);
	for (i = 0; i < rep.n_problems; i++)
		prob_ptrs[i] = probs[i];
	rep.problems = prob_ptrs;

	iol_report_totals(&rep, &res->totals);
	res->secs = rep.secs;
	iol_report_verdict(&rep, &verdict);
	res->pass = verdict.pass;
	snprintf(res->verdict, sizeof(res->verdict), "%s", verdict.text);
	for (i = 0; i < rep.n_problems; i++)
		LOG(ERR, "%s", probs[i]);
	iol_report_print(&rep, &verdict, r->out);
	if (r->json.f != NULL && json_commit(r, &rep, &verdict) < 0)
		code = IOL_EXIT_SETUP;
	free(rep.ports);
	free(rep.cores);
	if (code != IOL_EXIT_PASS)
		return code;
	return verdict.pass ? IOL_EXIT_PASS : IOL_EXIT_VERIFY;
}

/* The live line's sample, for the report's timeline (dropped when memory runs out). */
static void
keep_sample(struct run *r, const struct iol_sample *s)
{
	struct iol_sample *grown;

	if (r->n_samples == r->cap_samples) {
		if (r->cap_samples >= MAX_SAMPLES)
			return;
		grown = realloc(r->samples, 2 * RTE_MAX(r->cap_samples, 64u) * sizeof(*grown));
		if (grown == NULL)
			return;
		r->samples = grown;
		r->cap_samples = 2 * RTE_MAX(r->cap_samples, 64u);
	}
	r->samples[r->n_samples++] = *s;
}

static void
loop_until_stopped(struct run *r)
{
	const struct iol_config *cfg = r->cfg;
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now, next_stats;
	uint64_t deadline = cfg->duration > 0 ? start + (uint64_t)(cfg->duration * hz) : UINT64_MAX;
	uint64_t period = (uint64_t)(cfg->stats_period * hz);
	struct iol_qstats prev, cur;
	struct iol_sample s;
	uint64_t last = start, drain_said = 0;

	iol_qstats_reset(&prev);
	next_stats = period ? start + period : UINT64_MAX;
	while (!iol_engine_done(r->engine)) {
		iol_engine_poll_main(r->engine);
		now = rte_rdtsc();
		if ((stop_requested || now >= deadline) && drain_said == 0) {
			iol_engine_request_stop(r->engine);
			drain_said = now;
		}
		/* A drain of seconds (a sender that goes on) is said once a second. */
		if (drain_said != 0 && now - drain_said >= hz) {
			drain_said = now;
			LOG(NOTICE, "draining: up to %u ms after the stop (--loss-timeout); "
				"a second SIGINT ends it now", cfg->loss_timeout_ms);
		}
		if (stop_requested > 1)
			iol_engine_abort(r->engine);
		if (now >= next_stats) {
			iol_engine_totals(r->engine, &cur);
			iol_sample_take(&s, &cur, &prev, (double)(now - start) / hz,
				(double)(now - last) / hz);
			iol_report_live(r->out, &s, cur.err.lost);
			keep_sample(r, &s);
			iol_telemetry_sample(&s);
			prev = cur;
			last = now;
			next_stats += period;
		}
		if (rte_lcore_count() > 1)
			usleep(1000);
	}
}

/*
 * The reverse of set-up: ports, memory (unmapped from the devices),
 * devices. Returns -1 when memory could not be unmapped (xmem then leaves
 * it mapped and registered rather than free memory a device may write).
 */
static int
teardown(struct run *r)
{
	int ret = 0;

	iol_telemetry_detach();
	iol_engine_destroy(r->engine);
	while (r->ports_started > 0)
		iol_port_teardown(r->ports[--r->ports_started]);
	/* Closed ports gave their descriptors' mbufs back: the rest leaked. */
	if (r->mp != NULL && r->engine != NULL) {
		r->mbufs_leaked = r->mp->size - rte_mempool_avail_count(r->mp);
		if (r->mbufs_leaked > 0)
			LOG(WARNING, "%u mbufs were not given back to the pool", r->mbufs_leaked);
	}
	iol_iova_map_free(&r->map);
	if (r->xmem != NULL)
		ret = iol_xmem_destroy(r->xmem); /* the pool, unmap, unregister, free */
	else
		rte_mempool_free(r->mp);
	if (r->ring_pair_made)
		iol_ring_pair_destroy(&r->rp);
	iol_json_file_discard(&r->json);
	free(r->samples);
	return ret;
}

enum iol_exit
iol_run(const struct iol_config *cfg, const struct iol_run_env *env,
		struct iol_run_result *res)
{
	struct run r = { .cfg = cfg, .out = env->out ? env->out : stdout };
	enum iol_exit code;
	uint32_t run_id;
	int ret;

	memset(res, 0, sizeof(*res));
	iol_iova_map_init(&r.map);

	code = cfg->json_path != NULL ? json_open(&r) : IOL_EXIT_PASS;
	if (code != IOL_EXIT_PASS)
		return code;
	code = choose_ports(&r);
	if (code == IOL_EXIT_PASS)
		code = check_ports(&r);
	if (code == IOL_EXIT_PASS)
		code = create_pool(&r, env);
	if (code == IOL_EXIT_PASS)
		code = audit(&r, env, res);
	if (code == IOL_EXIT_PASS)
		code = start_ports(&r);
	if (code != IOL_EXIT_PASS)
		goto out;

	run_id = cfg->run_id;
	while (run_id == 0 && cfg->mode != IOL_MODE_RXONLY)
		run_id = (uint32_t)rte_rand();
	res->run_id = run_id;
	r.engine = iol_engine_create(cfg, r.ports, r.n_ports, r.mp, &r.map, run_id,
		r.err, sizeof(r.err));
	if (r.engine == NULL) {
		code = refuse(&r, IOL_EXIT_SETUP, "%s", r.err);
		goto out;
	}
	if (iol_engine_launch(r.engine) < 0) {
		code = refuse(&r, IOL_EXIT_SETUP, "cannot start the polling lcores");
		goto out;
	}
	r.tel = (struct iol_telemetry_view){
		.cfg = cfg, .engine = r.engine, .map = &r.map,
		.iova_mode = rte_eal_iova_mode() == RTE_IOVA_PA ? "pa" : "va",
	};
	iol_telemetry_register();
	iol_telemetry_attach(&r.tel);
	LOG(INFO, "telemetry: /iovaloop/stats, /config, /memory, /latency "
		"(dpdk-telemetry.py -f %s)", strrchr(rte_eal_get_runtime_dir(), '/') + 1);
	if (cfg->mode == IOL_MODE_RXONLY && run_id == 0)
		LOG(INFO, "run learnt from the first frame: rxonly, verify %s, %u ports, "
			"%u queue(s)", iol_verify_name(cfg->verify), r.n_ports, cfg->queues);
	else
		LOG(INFO, "run 0x%08x: %s, verify %s, %u ports, %u queue(s), %u in flight "
			"per lane", run_id, iol_mode_name(cfg->mode), iol_verify_name(cfg->verify),
			r.n_ports, cfg->queues, cfg->inflight);
	loop_until_stopped(&r);
	iol_engine_wait(r.engine);
	code = report(&r, env, res);
out:
	ret = teardown(&r);
	res->mbufs_leaked = r.mbufs_leaked;
	if (ret < 0 && code == IOL_EXIT_PASS)
		code = refuse(&r, IOL_EXIT_SETUP, "--mem xmem: the external memory could "
			"not be unmapped from every device and was left mapped (see above)");
	return code;
}
