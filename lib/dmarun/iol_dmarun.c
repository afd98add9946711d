/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dma mode. The buffers are one IOVA-contiguous area: --inflight
 * source slots, then as many destination slots, each slot holding one
 * copy, slot = copy number % --inflight. A slot's bytes are the payload of
 * lib/stamp placed so that its frame offset IOL_STAMP_MIN_LEN is the
 * slot's first byte: the frame checker's payload ops write and check
 * every byte of a copy with the seed of (run id, copy number).
 *
 * Copies complete in order (lib/dma), so the oldest copy in flight is the
 * one that can be lost: when it waited --loss-timeout it is counted lost
 * and its slot reused.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_memcpy.h>
#include <rte_memzone.h>
#include <rte_random.h>
#include <rte_vfio.h>

#include "iol_dma.h"
#include "iol_dmarun.h"
#include "iol_json.h"
#include "iol_stamp.h"
#include "iol_units.h"
#include "iol_xmem.h"

RTE_LOG_REGISTER(iol_dmarun_logtype, iovaloop.dma, INFO);
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iol_dmarun_logtype, "iovaloop: " fmt "\n", ##__VA_ARGS__)

/* Slots start past this lead, so that a slot's frame start lies in the area. */
#define LEAD 64
/* Errors logged one by one before the rest are only counted. */
#define MAX_LOGGED 8

static volatile sig_atomic_t stop_requested;

void
iol_dmarun_request_stop(void)
{
	if (stop_requested < 2)
		stop_requested++;
}

struct slot {
	uint64_t copy;
	uint64_t t;                 /* TSC when handed to the engine */
	bool pending;
};

struct run {
	const struct iol_config *cfg;
	struct iol_dmarun_result *res;
	FILE *out;                  /* live line and report */
	const struct iol_payload_ops *payload;
	struct iol_dma_engine engine;
	const struct rte_memzone *mz;
	struct iol_xmem *xmem;
	uint64_t vfio_mapped;       /* bytes of xmem we mapped in the default container */
	uint8_t *base;              /* the area */
	rte_iova_t iova;            /* its IOVA */
	size_t len;
	uint32_t stride;            /* bytes between slots */
	uint32_t n;                 /* slots of each side (--inflight) */
	struct slot *slots;
	struct iol_json_file json;  /* --json, made before anything is touched */
	uint64_t next, oldest;      /* copy numbers: the next to issue, the oldest not done */
	unsigned int logged;
	char err[IOL_ERR_LEN];
};

/* The frame whose payload is the copy's bytes of source or destination slot @p i. */
static inline uint8_t *
frame(const struct run *r, bool dst, uint32_t i)
{
	return r->base + LEAD + ((dst ? r->n : 0) + (size_t)i) * r->stride - IOL_STAMP_MIN_LEN;
}

static inline rte_iova_t
frame_iova(const struct run *r, const uint8_t *f)
{
	return r->iova + (rte_iova_t)(f + IOL_STAMP_MIN_LEN - r->base);
}

static inline uint64_t
seed(const struct run *r, uint64_t copy)
{
	return iol_stamp_payload_seed(r->res->run_id, copy);
}

static enum iol_exit
refuse(struct run *r, enum iol_exit code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum iol_exit
refuse(struct run *r, enum iol_exit code, const char *fmt, ...)
{
	va_list ap;

	/* The message can be r->err itself, from the call that failed. */
	va_start(ap, fmt);
	iol_verrf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	fprintf(stderr, "iovaloop: %s\n", r->err);
	return code;
}

/* The first IOVA-contiguous run of xmem that holds the area. */
static enum iol_exit
area_xmem(struct run *r)
{
	const struct iol_config *cfg = r->cfg;
	struct iol_iova_seg segs[64];
	struct iol_xmem_params p = {
		.size = cfg->xmem_size,
		.page_size = cfg->page_size,
		.numa_node = -1,
		.iova_base = cfg->iova_base,
		.iova_base_set = cfg->iova_base_set,
	};
	unsigned int i, n;

	if (cfg->xmem_size < r->len)
		return refuse(r, IOL_EXIT_USAGE, "--xmem-size: %" PRIu64 " bytes do not hold "
			"2 x %u buffers of %u bytes (%zu bytes with the alignment); give "
			"--xmem-size %zuM or more", cfg->xmem_size, r->n, cfg->copy_size,
			r->len, (r->len + cfg->page_size - 1) / cfg->page_size *
			(cfg->page_size >> 20));
	if (iol_xmem_create(&p, &r->xmem, r->err, sizeof(r->err)) < 0)
		return refuse(r, IOL_EXIT_SETUP, "--mem xmem: %s", r->err);
	n = iol_xmem_ranges(r->xmem, segs, RTE_DIM(segs));
	for (i = 0; i < n && i < RTE_DIM(segs); i++)
		if (segs[i].len >= r->len)
			break;
	if (i == n || i == RTE_DIM(segs))
		return refuse(r, IOL_EXIT_SETUP, "--mem xmem: no IOVA-contiguous run of %zu "
			"bytes in the external memory (%u runs); use 1G pages or --iova-base",
			r->len, n);
	r->base = (uint8_t *)(uintptr_t)segs[i].va;
	r->iova = segs[i].iova;
	/* DPDK maps its own memory for the engines in its container; not this. */
	if (r->engine.caps.behind_iommu) {
		if (rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD,
				segs[i].va, segs[i].iova, segs[i].len) < 0)
			return refuse(r, IOL_EXIT_SETUP, "--mem xmem: cannot DMA-map IOVA 0x%"
				PRIx64 " (%" PRIu64 " bytes) for %s", segs[i].iova, segs[i].len,
				r->engine.name);
		r->vfio_mapped = segs[i].len;
	}
	iol_xmem_describe(r->xmem, r->err, sizeof(r->err));
	LOG(INFO, "%s", r->err);
	return IOL_EXIT_PASS;
}

static enum iol_exit
area_create(struct run *r)
{
	const struct iol_config *cfg = r->cfg;

	r->stride = RTE_ALIGN_CEIL(cfg->copy_size, RTE_CACHE_LINE_SIZE);
	r->len = LEAD + 2 * (size_t)r->n * r->stride;
	if (cfg->mem == IOL_MEM_XMEM)
		return area_xmem(r);
	r->mz = rte_memzone_reserve_aligned("iol_dma_area", r->len, SOCKET_ID_ANY,
		RTE_MEMZONE_IOVA_CONTIG, RTE_CACHE_LINE_SIZE);
	if (r->mz == NULL)
		return refuse(r, IOL_EXIT_SETUP, "cannot reserve %zu IOVA-contiguous bytes "
			"for 2 x %u buffers: %s (reserve more hugepages)", r->len, r->n,
			rte_strerror(rte_errno));
	r->base = r->mz->addr;
	r->iova = r->mz->iova;
	return IOL_EXIT_PASS;
}

static void
area_free(struct run *r)
{
	/* Memory still mapped for a device is never freed (xmem's rule too). */
	if (r->vfio_mapped > 0 &&
	    rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD,
			(uintptr_t)r->base, r->iova, r->vfio_mapped) < 0) {
		LOG(ERR, "cannot DMA-unmap IOVA 0x%" PRIx64 " for %s: the external memory "
			"is left mapped, never reused", r->iova, r->engine.name);
		return;
	}
	if (r->xmem != NULL && iol_xmem_destroy(r->xmem) < 0)
		LOG(ERR, "--mem xmem: the external memory could not be released");
	rte_memzone_free(r->mz);
}

/* Copy @p copy's destination is not its own payload: misplaced or corrupted. */
static void
classify(struct run *r, uint64_t copy, const uint8_t *f)
{
	struct iol_dmarun_result *res = r->res;
	uint32_t len = IOL_STAMP_MIN_LEN + r->cfg->copy_size, off;
	uint64_t m = copy >= r->n ? copy - r->n + 1 : 0, w0 = 0, mask = UINT64_MAX;
	uint8_t want;

	/*
	 * The copies that could have been in flight with it: their bytes there
	 * is a misplaced write. Payload word 0 is the seed itself, so one
	 * compare rules out nearly every candidate before a whole check.
	 */
	memcpy(&w0, f + IOL_STAMP_MIN_LEN, RTE_MIN(8u, r->cfg->copy_size));
	w0 = rte_le_to_cpu_64(w0);
	if (r->cfg->copy_size < 8)
		mask = (1ull << (8 * r->cfg->copy_size)) - 1;
	for (; m < r->next; m++)
		if (m != copy && ((seed(r, m) ^ w0) & mask) == 0 &&
		    r->payload->intact(f, len, seed(r, m))) {
			if (res->err.misplaced++ == 0) {
				res->misplaced_copy = copy;
				res->misplaced_holds = m;
			}
			if (r->logged++ < MAX_LOGGED)
				LOG(ERR, "copy %" PRIu64 ": misplaced: its destination holds the "
					"bytes of copy %" PRIu64, copy, m);
			return;
		}
	if (res->err.corrupted++ == 0) {
		res->first_corrupted.copy = copy;
		for (off = IOL_STAMP_MIN_LEN; off < len; off++) {
			want = iol_stamp_payload_byte(res->run_id, copy, off);
			if (f[off] == want)
				continue;
			if (res->first_corrupted.bad_bytes++ == 0)
				res->first_corrupted.offset = off - IOL_STAMP_MIN_LEN;
			if (res->first_corrupted.n_shown < 8) {
				res->first_corrupted.expected[res->first_corrupted.n_shown] = want;
				res->first_corrupted.seen[res->first_corrupted.n_shown++] = f[off];
			}
		}
	}
	if (r->logged++ < MAX_LOGGED)
		LOG(ERR, "copy %" PRIu64 ": corrupted: its destination is not its source's "
			"bytes", copy);
}

/* The engine says copy @p d is done: check it. */
static inline void
complete(struct run *r, const struct iol_dma_done *d, uint64_t now)
{
	struct iol_dmarun_result *res = r->res;
	uint32_t i = (uint32_t)(d->cookie % r->n);
	struct slot *s = &r->slots[i];
	const uint8_t *f = frame(r, true, i);

	/* A copy already counted lost, completing late, is not checked again. */
	if (unlikely(d->cookie < r->oldest || d->cookie >= r->next || !s->pending ||
			s->copy != d->cookie))
		return;
	s->pending = false;
	iol_hist_add(&res->lat, now - s->t);
	res->engine.copies++;
	if (unlikely(d->status != IOL_DMA_OK)) {
		if (res->err.error++ < MAX_LOGGED)
			LOG(ERR, "copy %" PRIu64 ": the engine reports an error", d->cookie);
		return;
	}
	if (likely(r->payload->intact(f, IOL_STAMP_MIN_LEN + r->cfg->copy_size,
			seed(r, d->cookie))))
		res->engine.verified++;
	else
		classify(r, d->cookie, f);
}

/* Slots of copies done, in order; the oldest one past the loss timeout is lost. */
static inline void
retire(struct run *r, uint64_t now, uint64_t loss_cycles)
{
	struct slot *s;

	while (r->oldest < r->next) {
		s = &r->slots[r->oldest % r->n];
		if (s->pending && now - s->t < loss_cycles)
			return;
		if (s->pending) {
			s->pending = false;
			if (r->res->err.lost++ < MAX_LOGGED)
				LOG(ERR, "copy %" PRIu64 ": lost: not completed within %u ms",
					r->oldest, r->cfg->loss_timeout_ms);
		}
		r->oldest++;
	}
}

/* Up to a burst of copies into the slots that are free. */
static inline void
issue(struct run *r)
{
	const uint32_t size = r->cfg->copy_size, flen = IOL_STAMP_MIN_LEN + size;
	uint64_t first = r->next, t;
	uint32_t i;
	uint8_t *src;

	while (r->next - first < r->cfg->burst && r->next - r->oldest < r->n) {
		i = (uint32_t)(r->next % r->n);
		src = frame(r, false, i);
		r->payload->write(src, flen, seed(r, r->next));
		if (iol_dma_enqueue(&r->engine, frame_iova(r, src),
				frame_iova(r, frame(r, true, i)), size, r->next) < 0)
			break;
		r->slots[i].copy = r->next++;
		r->slots[i].pending = true;
	}
	if (r->next == first)
		return;
	/* Before the doorbell: no copy starts earlier, even if this core is preempted. */
	t = rte_rdtsc();
	iol_dma_submit(&r->engine);
	for (; first < r->next; first++)
		r->slots[first % r->n].t = t;
}

static void
engine_phase(struct run *r)
{
	const struct iol_config *cfg = r->cfg;
	struct iol_dmarun_result *res = r->res;
	struct iol_dma_done done[IOL_MAX_BURST];
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now = start, last = start;
	uint64_t loss = (uint64_t)cfg->loss_timeout_ms * hz / 1000;
	uint64_t deadline = cfg->duration > 0 ? start + (uint64_t)(cfg->duration * hz) : UINT64_MAX;
	uint64_t period = (uint64_t)(cfg->stats_period * hz), next_live = start + period;
	bool draining = false;
	uint16_t k, i;

	while (!(draining && r->oldest == r->next) && stop_requested < 2) {
		if (!draining && (stop_requested || now >= deadline))
			draining = true;
		if (!draining)
			issue(r);
		k = iol_dma_completed(&r->engine, done, cfg->burst);
		now = rte_rdtsc();
		for (i = 0; i < k; i++)
			complete(r, &done[i], now);
		if (k > 0)
			last = now;
		retire(r, now, loss);
		if (period > 0 && now >= next_live) {
			next_live += period;
			fprintf(r->out, "[%7.1f s] copies %" PRIu64 " verified %" PRIu64 " in flight %"
				PRIu64 "\n", (double)(now - start) / hz, res->engine.copies,
				res->engine.verified, r->next - r->oldest);
			fflush(r->out);
		}
	}
	/* A second stop request ends the drain: what is still in flight is lost. */
	for (; r->oldest < r->next; r->oldest++)
		res->err.lost += r->slots[r->oldest % r->n].pending;
	res->issued = r->next;
	res->engine.secs = (double)(last - start) / hz;
}

/* The same copies by the CPU, over the same slots, for as long as the engine ran. */
static void
cpu_phase(struct run *r)
{
	const uint32_t size = r->cfg->copy_size, flen = IOL_STAMP_MIN_LEN + size;
	struct iol_dmarun_side *cpu = &r->res->cpu;
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now = start;
	uint64_t end = start + (uint64_t)(r->res->engine.secs * hz), copy = r->next;
	uint8_t *src, *dst;
	uint32_t i;

	do {
		i = (uint32_t)(copy % r->n);
		src = frame(r, false, i);
		dst = frame(r, true, i);
		r->payload->write(src, flen, seed(r, copy));
		rte_memcpy(dst + IOL_STAMP_MIN_LEN, src + IOL_STAMP_MIN_LEN, size);
		cpu->verified += r->payload->intact(dst, flen, seed(r, copy));
		cpu->copies++;
		copy++;
		if ((copy & 63) == 0)
			now = rte_rdtsc();
	} while (now < end);
	cpu->secs = (double)(rte_rdtsc() - start) / hz;
}

static void
rates(struct iol_dmarun_side *s, uint32_t size)
{
	s->gbps = s->secs > 0 ? (double)s->verified * size / s->secs / 1e9 : 0;
	s->copies_per_s = s->secs > 0 ? (double)s->copies / s->secs : 0;
}

/*
 * The verdict, from each class on its own: PASS needs copies, every copy
 * issued completed OK and verified, and memcpy's copies verified too.
 */
static void
verdict(struct iol_dmarun_result *res)
{
	const struct iol_dmarun_errors *e = &res->err;

	res->pass = false;
	if (e->lost || e->corrupted || e->misplaced || e->error) {
		snprintf(res->verdict, sizeof(res->verdict), "FAIL, verification errors: "
			"lost %" PRIu64 ", corrupted %" PRIu64 ", misplaced %" PRIu64 ", error %"
			PRIu64, e->lost, e->corrupted, e->misplaced, e->error);
		return;
	}
	if (res->engine.verified == 0) {
		snprintf(res->verdict, sizeof(res->verdict), "FAIL, no copy was verified");
		return;
	}
	if (res->engine.verified != res->issued) {
		snprintf(res->verdict, sizeof(res->verdict), "FAIL, only %" PRIu64 " of %"
			PRIu64 " copies were verified", res->engine.verified, res->issued);
		return;
	}
	if (res->cpu.verified != res->cpu.copies) {
		snprintf(res->verdict, sizeof(res->verdict), "FAIL, the memcpy reference "
			"verified %" PRIu64 " of %" PRIu64 " copies (CPU or memory at fault)",
			res->cpu.verified, res->cpu.copies);
		return;
	}
	snprintf(res->verdict, sizeof(res->verdict), "PASS, all %" PRIu64 " copies verified",
		res->issued);
	res->pass = true;
}

static void
report_print(const struct run *r, FILE *out)
{
	const struct iol_config *cfg = r->cfg;
	const struct iol_dmarun_result *res = r->res;
	unsigned int i;

	fprintf(out, "\n  ---------------------- iovaloop report ----------------------\n");
	fprintf(out, "  mode dma, engine %s (%s), run 0x%08x, %u-byte copies, burst %u, "
		"%u in flight, %.2f s\n", r->engine.name, r->engine.ops->kind, res->run_id,
		cfg->copy_size, cfg->burst, r->n, res->engine.secs);
	fprintf(out, "  memory %s, IOVA as %s, buffers at IOVA 0x%012" PRIx64 "-0x%012" PRIx64
		" (VA %p)\n", iol_mem_name(cfg->mem),
		rte_eal_iova_mode() == RTE_IOVA_VA ? "VA" : "PA", r->iova,
		r->iova + r->len - 1, (void *)r->base);
	fprintf(out, "  ------------- engine %s -------------\n", r->engine.name);
	fprintf(out, "  Issued: %-14" PRIu64 " completed %-12" PRIu64 " verified %" PRIu64 "\n",
		res->issued, res->engine.copies, res->engine.verified);
	fprintf(out, "  GB/s: %-16.3f copies/s: %.0f\n", res->engine.gbps,
		res->engine.copies_per_s);
	fprintf(out, "  lost: %" PRIu64 "  corrupted: %" PRIu64 "  misplaced: %" PRIu64
		"  error: %" PRIu64 "\n", res->err.lost, res->err.corrupted, res->err.misplaced,
		res->err.error);
	if (res->err.corrupted > 0) {
		fprintf(out, "  first corrupted: copy %" PRIu64 " at byte %u (%u bytes differ): "
			"expected", res->first_corrupted.copy, res->first_corrupted.offset,
			res->first_corrupted.bad_bytes);
		for (i = 0; i < res->first_corrupted.n_shown; i++)
			fprintf(out, " %02x", res->first_corrupted.expected[i]);
		fprintf(out, "\n    seen");
		for (i = 0; i < res->first_corrupted.n_shown; i++)
			fprintf(out, " %02x", res->first_corrupted.seen[i]);
		fprintf(out, "\n");
	}
	if (res->err.misplaced > 0)
		fprintf(out, "  first misplaced: copy %" PRIu64 "'s destination holds copy %"
			PRIu64 "'s bytes\n", res->misplaced_copy, res->misplaced_holds);
	iol_report_latency_print(out, "  ", &res->lat, rte_get_tsc_hz());
	fprintf(out, "  ------------- CPU memcpy, same buffers -------------\n");
	fprintf(out, "  Copies: %-14" PRIu64 " verified %-13" PRIu64 " %.2f s\n",
		res->cpu.copies, res->cpu.verified, res->cpu.secs);
	fprintf(out, "  GB/s: %-16.3f copies/s: %.0f\n", res->cpu.gbps, res->cpu.copies_per_s);
	fprintf(out, "  engine / memcpy: %.3f\n",
		res->cpu.gbps > 0 ? res->engine.gbps / res->cpu.gbps : 0);
	fprintf(out, "  Result: %s\n", res->verdict);
	fprintf(out, "  -------------------------------------------------------------\n");
}

static void
json_side(struct iol_json *j, const char *key, const struct iol_dmarun_side *s)
{
	iol_json_object_open(j, key);
	iol_json_u64(j, "copies", s->copies);
	iol_json_u64(j, "verified", s->verified);
	iol_json_double(j, "duration_s", s->secs);
	iol_json_double(j, "gbps", s->gbps);
	iol_json_double(j, "copies_per_s", s->copies_per_s);
}

static int
report_json(const struct run *r, const char *version, FILE *out)
{
	const struct iol_config *cfg = r->cfg;
	const struct iol_dmarun_result *res = r->res;
	struct iol_json j;
	unsigned int i;

	iol_json_init(&j, out);
	iol_json_object_open(&j, NULL);
	iol_json_string(&j, "format", "iovaloop-report");
	iol_json_u64(&j, "format_version", IOL_REPORT_FORMAT_VERSION);
	iol_json_string(&j, "version", version);
	iol_json_object_open(&j, "config");
	iol_json_string(&j, "mode", "dma");
	iol_json_string(&j, "dma", r->engine.name);
	iol_json_string(&j, "engine_kind", r->engine.ops->kind);
	iol_json_hex(&j, "run_id", res->run_id);
	iol_json_u64(&j, "copy_size", cfg->copy_size);
	iol_json_u64(&j, "burst", cfg->burst);
	iol_json_u64(&j, "inflight", r->n);
	iol_json_string(&j, "payload_variant", r->payload->name);
	iol_json_object_close(&j);
	iol_json_double(&j, "duration_s", res->engine.secs);
	iol_json_u64(&j, "tsc_hz", rte_get_tsc_hz());
	iol_json_object_open(&j, "memory");
	iol_json_string(&j, "kind", iol_mem_name(cfg->mem));
	iol_json_string(&j, "iova_mode", rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa");
	iol_json_hex(&j, "iova", r->iova);
	iol_json_u64(&j, "len", r->len);
	iol_json_object_close(&j);
	json_side(&j, "dma", &res->engine);
	iol_json_u64(&j, "issued", res->issued);
	iol_json_object_open(&j, "errors");
	iol_json_u64(&j, "lost", res->err.lost);
	iol_json_u64(&j, "corrupted", res->err.corrupted);
	iol_json_u64(&j, "misplaced", res->err.misplaced);
	iol_json_u64(&j, "error", res->err.error);
	iol_json_object_close(&j);
	if (res->err.corrupted > 0) {
		iol_json_object_open(&j, "first_corrupted");
		iol_json_u64(&j, "copy", res->first_corrupted.copy);
		iol_json_u64(&j, "offset", res->first_corrupted.offset);
		iol_json_u64(&j, "bytes", res->first_corrupted.bad_bytes);
		iol_json_array_open(&j, "expected");
		for (i = 0; i < res->first_corrupted.n_shown; i++)
			iol_json_u64(&j, NULL, res->first_corrupted.expected[i]);
		iol_json_array_close(&j);
		iol_json_array_open(&j, "seen");
		for (i = 0; i < res->first_corrupted.n_shown; i++)
			iol_json_u64(&j, NULL, res->first_corrupted.seen[i]);
		iol_json_array_close(&j);
		iol_json_object_close(&j);
	}
	if (res->err.misplaced > 0) {
		iol_json_object_open(&j, "first_misplaced");
		iol_json_u64(&j, "copy", res->misplaced_copy);
		iol_json_u64(&j, "holds", res->misplaced_holds);
		iol_json_object_close(&j);
	}
	iol_report_latency_json(&j, &res->lat, rte_get_tsc_hz(), false);
	iol_json_object_close(&j);
	json_side(&j, "memcpy", &res->cpu);
	iol_json_object_close(&j);
	iol_json_double(&j, "ratio", res->cpu.gbps > 0 ? res->engine.gbps / res->cpu.gbps : 0);
	iol_json_string(&j, "result", res->pass ? "pass" : "fail");
	iol_json_string(&j, "result_text", res->verdict);
	iol_json_object_close(&j);
	return iol_json_finish(&j);
}

/* What the engine must take: checked once it is open, before any buffer exists. */
static enum iol_exit
check_engine(struct run *r)
{
	const struct iol_config *cfg = r->cfg;
	const struct iol_dma_caps *c = &r->engine.caps;

	if (cfg->inflight > c->depth)
		return refuse(r, IOL_EXIT_SETUP, "--inflight: %s holds at most %u copies in "
			"flight, not %u", r->engine.name, c->depth, cfg->inflight);
	if (cfg->copy_size < c->min_copy || cfg->copy_size > c->max_copy)
		return refuse(r, IOL_EXIT_SETUP, "--copy-size: %s copies %u to %u bytes, not %u",
			r->engine.name, c->min_copy, c->max_copy, cfg->copy_size);
	if (c->va_only && rte_eal_iova_mode() != RTE_IOVA_VA)
		return refuse(r, IOL_EXIT_SETUP, "--dma %s: takes IOVAs as virtual addresses; "
			"needs --iova-mode=va", r->engine.name);
	if (c->va_only && cfg->iova_base_set)
		return refuse(r, IOL_EXIT_SETUP, "--iova-base: %s takes IOVAs as virtual "
			"addresses, so memory at a chosen IOVA is out of its reach; accepts "
			"--mem dpdk or xmem without --iova-base", r->engine.name);
	return IOL_EXIT_PASS;
}

enum iol_exit
iol_dmarun(const struct iol_config *cfg, const struct iol_run_env *env,
		struct iol_dmarun_result *res)
{
	struct run r = { .cfg = cfg, .res = res, .n = cfg->inflight,
		.out = env->out != NULL ? env->out : stdout };
	enum iol_exit code;
	int ret;

	memset(res, 0, sizeof(*res));
	iol_hist_reset(&res->lat);
	res->run_id = cfg->run_id != 0 ? cfg->run_id : (uint32_t)rte_rand() | 1;
	r.payload = iol_payload_best();
	if (cfg->json_path != NULL &&
	    iol_json_file_open(&r.json, cfg->json_path, r.err, sizeof(r.err)) < 0) {
		fprintf(stderr, "iovaloop: --json: %s\n", r.err);
		return IOL_EXIT_USAGE;
	}
	ret = iol_dma_open(cfg->dma, RTE_VFIO_DEFAULT_CONTAINER_FD, &r.engine, r.err,
		sizeof(r.err));
	if (ret < 0) {
		fprintf(stderr, "iovaloop: %s\n", r.err);
		iol_json_file_discard(&r.json);
		return ret == -ENODEV ? IOL_EXIT_USAGE : IOL_EXIT_SETUP;
	}
	code = check_engine(&r);
	if (code == IOL_EXIT_PASS) {
		r.slots = calloc(r.n, sizeof(*r.slots));
		code = r.slots == NULL ? refuse(&r, IOL_EXIT_SETUP, "out of memory") :
			area_create(&r);
	}
	if (code == IOL_EXIT_PASS) {
		LOG(INFO, "dma: %s (%s), %u-byte copies, %u in flight, buffers at IOVA 0x%"
			PRIx64 ", run 0x%08x", r.engine.name, r.engine.ops->kind, cfg->copy_size,
			r.n, r.iova, res->run_id);
		engine_phase(&r);
		if (res->engine.secs > 0)
			cpu_phase(&r);
		rates(&res->engine, cfg->copy_size);
		rates(&res->cpu, cfg->copy_size);
		verdict(res);
		report_print(&r, r.out);
		code = res->pass ? IOL_EXIT_PASS : IOL_EXIT_VERIFY;
		if (r.json.f != NULL &&
		    iol_json_file_commit(&r.json, report_json(&r, env->version, r.json.f) == 0) < 0) {
			fprintf(stderr, "iovaloop: --json: could not write %s: %s\n",
				cfg->json_path, strerror(errno));
			code = code == IOL_EXIT_PASS ? IOL_EXIT_SETUP : code;
		}
	}
	iol_json_file_discard(&r.json);
	if (r.base != NULL || r.xmem != NULL)
		area_free(&r);
	free(r.slots);
	iol_dma_close(&r.engine);
	stop_requested = 0;
	return code;
}
