/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "iol_loop.h"
#include "iol_xmem.h"

RTE_LOG_REGISTER(iol_run_logtype, iovaloop.run, INFO);
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iol_run_logtype, "iovaloop: " fmt "\n", ##__VA_ARGS__)

#define MBUF_CACHE 256
#define MAX_DIAGNOSIS 4

static volatile sig_atomic_t stop_requested;

void
iol_run_request_stop(void)
{
	stop_requested = 1;
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
	FILE *json;                     /* --json, opened before anything is touched */
	char err[256];
};

static enum iol_exit __attribute__((format(printf, 3, 4)))
refuse(struct run *r, enum iol_exit code, const char *fmt, ...)
{
	char msg[sizeof(r->err)];
	va_list ap;

	/* The message is often r->err itself, from the call that failed. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(r->err, msg, sizeof(msg));
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
	unsigned int per_queue = cfg->rxd + cfg->txd + 2 * IOL_MAX_BURST + 2 + MBUF_CACHE;

	/* The virtual pair stands in when there is no port. */
	return RTE_MAX(n_ports, 2u) * cfg->queues * per_queue + 1024;
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
		RTE_MBUF_DEFAULT_BUF_SIZE, r->err, sizeof(r->err));
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
	r->mp = rte_pktmbuf_pool_create("iol_pool", n, MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (r->mp == NULL)
		return refuse(r, IOL_EXIT_SETUP, "cannot create a pool of %u mbufs on "
			"socket %d: %s (reserve more hugepages, e.g. dpdk-hugepages.py "
			"-p 2M -r 1G)", n, socket, rte_strerror(rte_errno));
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
			/* The failed port may be configured but not started: close it too. */
			rte_eth_dev_close(r->ports[r->ports_started]);
			return refuse(r, IOL_EXIT_SETUP, "%s", r->err);
		}
	if (r->cfg->mode != IOL_MODE_RXONLY &&
	    iol_ports_wait_link(r->ports, r->n_ports, r->cfg->link_timeout,
			r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_SETUP, "%s", r->err);
	return IOL_EXIT_PASS;
}

/* Turn what the counters show into likely causes, for people. */
static unsigned int
diagnose(struct run *r, const struct iol_report *rep, char diag[][512])
{
	const struct iol_config *cfg = r->cfg;
	struct iol_qstats tot, pt[2];
	unsigned int n = 0, i, p, q;
	uint64_t garbage;
	bool dma_explained = false;

	iol_report_totals(rep, &tot);
	garbage = tot.err.foreign + tot.err.corrupted + tot.err.truncated;
	if (cfg->test_no_dma_map && iol_errors_total(&tot.err) > 0) {
		snprintf(diag[n++], sizeof(diag[0]), "the external memory was registered "
			"but deliberately not DMA-mapped (--test-no-dma-map): the NIC's DMA "
			"to and from it faults in the IOMMU (dmesg shows DMAR faults), so "
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
			"for DMAR/IOMMU faults in dmesg)", rep->ports[i].port_id,
			rep->ports[i].name, pt[1].tx_pkts, rep->ports[peer].port_id);
		dma_explained = true;
	}
	if (!dma_explained && tot.err.lost > 0 && garbage > 0 && n < MAX_DIAGNOSIS) {
		snprintf(diag[n++], sizeof(diag[0]), "%" PRIu64 " frames lost while %"
			PRIu64 " arrived unreadable: the pattern of a device whose DMA faults "
			"in the IOMMU (memory not mapped for it, or an IOVA outside its "
			"mappings): look for DMAR/IOMMU faults in dmesg", tot.err.lost, garbage);
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
	return n;
}

static enum iol_exit
report(struct run *r, const struct iol_run_env *env, struct iol_run_result *res)
{
	const struct iol_config *cfg = r->cfg;
	const char *diag_ptrs[MAX_DIAGNOSIS];
	struct iol_report rep = {
		.version = env->version,
		.mode = iol_mode_name(cfg->mode),
		.verify = iol_verify_name(cfg->verify),
		.pkt_size = cfg->pkt_size,
		.burst = cfg->burst,
		.inflight = cfg->inflight,
		.tsc_hz = rte_get_tsc_hz(),
	};
	struct iol_report_range *ranges;
	enum iol_exit code = IOL_EXIT_PASS;
	unsigned int i;

	rep.secs = iol_engine_seconds(r->engine);
	if (iol_engine_fill_report(r->engine, &rep) < 0)
		return refuse(r, IOL_EXIT_SETUP, "out of memory for the report");
	ranges = calloc(r->map.n ? r->map.n : 1, sizeof(*ranges));
	if (ranges == NULL) {
		free(rep.ports);
		free(rep.cores);
		return refuse(r, IOL_EXIT_SETUP, "out of memory for the report");
	}
	for (i = 0; i < r->map.n; i++) {
		ranges[i].va = r->map.segs[i].va;
		ranges[i].iova = r->map.segs[i].iova;
		ranges[i].len = r->map.segs[i].len;
	}
	res->run_id = iol_engine_run_id(r->engine);
	rep.run_id = res->run_id;
	rep.memory.kind = cfg->mem == IOL_MEM_XMEM ? "xmem" : "dpdk";
	rep.memory.iova_mode = rte_eal_iova_mode() == RTE_IOVA_PA ? "pa" : "va";
	rep.memory.page_size = r->xmem ? iol_xmem_page_size(r->xmem) :
		r->map.n ? r->map.segs[0].page_sz : 0;
	rep.memory.numa_node = r->xmem ? iol_xmem_numa_node(r->xmem) :
		r->mp ? r->mp->socket_id : -1;
	rep.memory.n_ranges = r->map.n;
	rep.memory.ranges = ranges;

	res->n_diagnosis = diagnose(r, &rep, res->diagnosis);
	for (i = 0; i < res->n_diagnosis; i++)
		diag_ptrs[i] = res->diagnosis[i];
	rep.n_diagnosis = res->n_diagnosis;
	rep.diagnosis = diag_ptrs;

	iol_report_totals(&rep, &res->totals);
	res->secs = rep.secs;
	iol_report_print(&rep, r->out);
	if (r->json != NULL) {
		bool written = iol_report_json(&rep, r->json) == 0;

		if (fclose(r->json) != 0 || !written) {
			LOG(ERR, "--json: could not write %s", cfg->json_path);
			code = IOL_EXIT_SETUP;
		}
		r->json = NULL;
	}
	free(ranges);
	free(rep.ports);
	free(rep.cores);
	if (code != IOL_EXIT_PASS)
		return code;
	return iol_errors_total(&res->totals.err) == 0 ? IOL_EXIT_PASS : IOL_EXIT_VERIFY;
}

static void
loop_until_stopped(struct run *r)
{
	const struct iol_config *cfg = r->cfg;
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now, next_stats;
	uint64_t deadline = cfg->duration > 0 ? start + (uint64_t)(cfg->duration * hz) : UINT64_MAX;
	uint64_t period = (uint64_t)(cfg->stats_period * hz);
	struct iol_qstats prev, cur;
	uint64_t last = start;

	iol_qstats_reset(&prev);
	next_stats = period ? start + period : UINT64_MAX;
	while (!iol_engine_done(r->engine)) {
		iol_engine_poll_main(r->engine);
		now = rte_rdtsc();
		if (stop_requested || now >= deadline)
			iol_engine_request_stop(r->engine);
		if (now >= next_stats) {
			iol_engine_totals(r->engine, &cur);
			iol_report_live(r->out, (double)(now - start) / hz, &cur, &prev,
				(double)(now - last) / hz);
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

	iol_engine_destroy(r->engine);
	while (r->ports_started > 0)
		iol_port_teardown(r->ports[--r->ports_started]);
	iol_iova_map_free(&r->map);
	if (r->xmem != NULL)
		ret = iol_xmem_destroy(r->xmem); /* the pool, unmap, unregister, free */
	else
		rte_mempool_free(r->mp);
	if (r->ring_pair_made)
		iol_ring_pair_destroy(&r->rp);
	if (r->json != NULL)
		fclose(r->json);
	return ret;
}

enum iol_exit
iol_run(const struct iol_config *cfg, const struct iol_run_env *env,
		struct iol_run_result *res)
{
	struct run r = { .cfg = cfg, .out = env->out ? env->out : stdout };
	enum iol_exit code;
	uint32_t run_id;

	memset(res, 0, sizeof(*res));
	iol_iova_map_init(&r.map);

	if (cfg->json_path != NULL) {
		r.json = fopen(cfg->json_path, "w");
		if (r.json == NULL)
			return refuse(&r, IOL_EXIT_USAGE, "--json: cannot write %s: %s",
				cfg->json_path, strerror(errno));
	}
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
	r.engine = iol_engine_create(cfg, r.ports, r.n_ports, r.mp, &r.map, run_id);
	if (r.engine == NULL) {
		code = refuse(&r, IOL_EXIT_SETUP, "out of memory for the lanes");
		goto out;
	}
	if (iol_engine_launch(r.engine) < 0) {
		code = refuse(&r, IOL_EXIT_SETUP, "cannot start the polling lcores");
		goto out;
	}
	LOG(INFO, "run 0x%08x: %s, verify %s, %u ports, %u queue(s), %u in flight per lane",
		run_id, iol_mode_name(cfg->mode), iol_verify_name(cfg->verify),
		r.n_ports, cfg->queues, cfg->inflight);
	loop_until_stopped(&r);
	iol_engine_wait(r.engine);
	code = report(&r, env, res);
out:
	if (teardown(&r) < 0 && code == IOL_EXIT_PASS)
		code = refuse(&r, IOL_EXIT_SETUP, "--mem xmem: the external memory could "
			"not be unmapped from every device and was left mapped (see above)");
	return code;
}
