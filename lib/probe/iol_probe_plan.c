/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The probe's plan, verdicts and table: no device, no EAL (test_probe.c
 * runs them on the fixture trees).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "iol_probe.h"

#define BAD_PA UINT64_MAX
/* x86's interrupt address range: DMA writes there are MSIs, not memory. */
#define X86_IRQ_FIRST 0xfee00000ULL
#define X86_IRQ_LAST 0xfeefffffULL

/*
 * How each family says it blocked a DMA (doc/probe.md, the lab's probe
 * cases). QEMU 7.2's AMD-Vi raises no IO_PAGE_FAULT event at all, so a
 * line is looked for there but never required.
 */
static const struct iol_probe_fault_log fault_logs[] = {
	[IOL_IOMMU_INTEL] = { { "DMAR: [DMA Read", "DMAR: [DMA Write", "DMAR: DRHD: handling fault" },
		true, 2500, "VT-d logs each blocked DMA (DMAR: [DMA Read|Write ...])" },
	[IOL_IOMMU_AMD] = { { "IO_PAGE_FAULT", NULL }, false, 0,
		"AMD-Vi: QEMU's logs no fault, so only no completion and untouched memory count" },
	[IOL_IOMMU_ARM_SMMU] = { { "event 0x10", "Unhandled context fault", NULL }, true, 5500,
		"the SMMU logs each blocked DMA (event 0x10, F_TRANSLATION)" },
	[IOL_IOMMU_OTHER] = { { NULL }, false, 0,
		"an IOMMU of unknown kind: no fault line to look for" },
	[IOL_IOMMU_VIRTIO] = { { "page fault from EP", NULL }, true, 5500,
		"virtio-iommu logs each blocked DMA (page fault from EP ...)" },
};

const struct iol_probe_fault_log *
iol_probe_fault_log(enum iol_iommu_kind k)
{
	return (unsigned int)k < sizeof(fault_logs) / sizeof(fault_logs[0]) ?
		&fault_logs[k] : &fault_logs[IOL_IOMMU_OTHER];
}

int
iol_probe_fault_rank(enum iol_iommu_kind k, const char *line)
{
	const struct iol_probe_fault_log *f = iol_probe_fault_log(k);
	int i;

	for (i = 0; i < 3 && f->patterns[i] != NULL; i++)
		if (strstr(line, f->patterns[i]) != NULL)
			return i;
	return -1;
}

bool
iol_probe_fault_match(enum iol_iommu_kind k, const char *line)
{
	return iol_probe_fault_rank(k, line) >= 0;
}

static const char *const target_names[] = {
	[IOL_PROBE_INSIDE] = "inside", [IOL_PROBE_MAPPING_END] = "mapping-end",
	[IOL_PROBE_PAST_END] = "past-end", [IOL_PROBE_UNMAPPED] = "unmapped",
	[IOL_PROBE_RESERVED] = "reserved", [IOL_PROBE_ABOVE_WIDTH] = "above-width",
	[IOL_PROBE_ZERO] = "zero", [IOL_PROBE_OTHER_CONTAINER] = "other-container",
};

static const char *const verdict_names[] = {
	[IOL_PROBE_PENDING] = "pending", [IOL_PROBE_SKIPPED] = "not attempted",
	[IOL_PROBE_COPIED] = "copied", [IOL_PROBE_VOID] = "void",
	[IOL_PROBE_BLOCKED] = "blocked", [IOL_PROBE_NO_MEMORY] = "no memory",
	[IOL_PROBE_UNPROVEN] = "unproven",
	[IOL_PROBE_BROKEN] = "broken",
};

static const char *const completion_names[] = {
	[IOL_PROBE_NO_COMPLETION] = "none", [IOL_PROBE_DONE_OK] = "ok",
	[IOL_PROBE_DONE_ERROR] = "error", [IOL_PROBE_REFUSED] = "refused",
};

static const char *const dst_names[] = {
	[IOL_PROBE_DST_UNCHANGED] = "unchanged", [IOL_PROBE_DST_ZEROS] = "zeros",
	[IOL_PROBE_DST_TARGET] = "target's bytes", [IOL_PROBE_DST_OTHER] = "other bytes",
};

static const char *const fault_names[] = {
	[IOL_PROBE_FAULT_NONE] = "none", [IOL_PROBE_FAULT_SEEN] = "seen",
	[IOL_PROBE_FAULT_UNREADABLE] = "unreadable",
};

#define NAME(t, v) ((unsigned int)(v) < sizeof(t) / sizeof((t)[0]) ? (t)[v] : "?")

const char *
iol_probe_verdict_name(enum iol_probe_verdict v)
{
	return NAME(verdict_names, v);
}

const char *
iol_probe_target_name(enum iol_probe_target t)
{
	return NAME(target_names, t);
}

static bool
is_control(enum iol_probe_target t)
{
	return t == IOL_PROBE_INSIDE || t == IOL_PROBE_MAPPING_END;
}

/* Whether [a, a + len) overlaps one of @p r. */
static bool
overlaps(const struct iol_iova_range *r, unsigned int n, uint64_t a, uint64_t len)
{
	uint64_t last = a + len - 1 < a ? UINT64_MAX : a + len - 1;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (a <= r[i].end && last >= r[i].start)
			return true;
	return false;
}

static bool
mapped_at(const struct iol_probe_setup *s, uint64_t iova, uint64_t len)
{
	return overlaps(s->mapped, s->n_mapped, iova, len);
}

static struct iol_probe_attempt *
add(struct iol_probe_plan *p, enum iol_probe_target t, enum iol_probe_dir dir,
		uint64_t iova, const char *fmt, ...)
{
	struct iol_probe_attempt *a;
	va_list ap;

	if (p->n == IOL_PROBE_MAX_ATTEMPTS)
		return NULL;
	a = &p->attempts[p->n++];
	memset(a, 0, sizeof(*a));
	a->target = t;
	a->dir = dir;
	a->iova = iova;
	a->attempted = true;
	va_start(ap, fmt);
	vsnprintf(a->what, sizeof(a->what), fmt, ap);
	va_end(ap);
	return a;
}

static void
skip(struct iol_probe_attempt *a, const char *fmt, ...)
{
	va_list ap;

	if (a == NULL)
		return;
	a->attempted = false;
	a->verdict = IOL_PROBE_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(a->skip_why, sizeof(a->skip_why), fmt, ap);
	va_end(ap);
	snprintf(a->why, sizeof(a->why), "%s", a->skip_why);
}

/*
 * A blocked target: a read, and a write that is attempted only at a
 * canary's physical address (@p canary >= 0); otherwise @p no_write says
 * why not. A target the container maps is no blocked target at all.
 * Returns the read, NULL when the plan is full.
 */
static struct iol_probe_attempt *
target(struct iol_probe_plan *p, const struct iol_probe_setup *s, enum iol_probe_target t,
		uint64_t iova, int canary, const char *no_write, const char *what)
{
	struct iol_probe_attempt *r, *w;
	bool mapped = mapped_at(s, iova, s->len);

	r = add(p, t, IOL_PROBE_READ, iova, "%s", what);
	w = add(p, t, IOL_PROBE_WRITE, iova, "%s", what);
	if (r == NULL || w == NULL)
		return NULL;
	r->at_canary = w->at_canary = canary >= 0;
	r->no_memory = canary < 0 && s->phys_used != NULL &&
		!overlaps(s->phys_used, s->n_phys_used, iova, s->len);
	r->canary = w->canary = canary >= 0 ? (unsigned int)canary : 0;
	if (mapped) {
		skip(r, "IOVA 0x%" PRIx64 " is mapped in the engine's container: not a blocked target", iova);
		skip(w, "%s", r->skip_why);
	} else if (canary < 0) {
		skip(w, "%s", no_write);
	}
	return r;
}

/* Skip both attempts of a target that cannot be tried at all. */
static void
target_skipped(struct iol_probe_plan *p, enum iol_probe_target t, const char *what,
		const char *why)
{
	skip(add(p, t, IOL_PROBE_READ, 0, "%s", what), "%s", why);
	skip(add(p, t, IOL_PROBE_WRITE, 0, "%s", what), "%s", why);
}

/*
 * The target at canary page @p canary's physical address, @p what; skipped
 * (as @p skipped_what) when that address is unknown.
 */
static void
canary_target(struct iol_probe_plan *p, const struct iol_probe_setup *s, enum iol_probe_target t,
		unsigned int canary, const char *skipped_what, const char *what)
{
	if (s->canary_pa[canary] == BAD_PA)
		target_skipped(p, t, skipped_what, "the canary page's physical address is unknown "
			"(/proc/self/pagemap needs root)");
	else
		target(p, s, t, s->canary_pa[canary] + IOL_PROBE_TARGET_OFF, (int)canary, NULL, what);
}

static const char *const not_owned =
	"not the physical address of a page iovaloop owns: a breach would land in "
	"someone else's memory, so it is read only";

int
iol_probe_plan(const struct iol_probe_setup *s, struct iol_probe_plan *p,
		char *err, size_t errlen)
{
	const struct iol_device *d = iol_topology_device(s->topo, s->device);
	const struct iol_iommu_group *g;
	const struct iol_iova_range *buf = NULL;
	const char *devs[1] = { s->device };
	struct iol_probe_attempt *r;
	char what[80], why[128];
	uint64_t end, iova;
	unsigned int i;
	bool grown;

	memset(p, 0, sizeof(*p));
	snprintf(p->device, sizeof(p->device), "%s", s->device);
	p->kind = IOL_IOMMU_OTHER;
	if (d == NULL || d->group < 0 || (g = iol_topology_group(s->topo, d->group)) == NULL) {
		snprintf(err, errlen, "%s has no IOMMU group in %s/sys/kernel/iommu_groups: the "
			"probe needs a device whose DMA goes through the IOMMU", s->device,
			strcmp(s->topo->root, "/") == 0 ? "" : s->topo->root);
		return -1;
	}
	if (g->noiommu) {
		snprintf(err, errlen, "%s is in vfio noiommu group %d: its DMA goes through no "
			"IOMMU; the probe needs a device whose DMA does", s->device, g->id);
		return -1;
	}
	p->group = g->id;
	for (i = 0; i < s->topo->n_units; i++)
		if (strcmp(s->topo->units[i].name, d->iommu) == 0) {
			p->kind = s->topo->units[i].kind;
			snprintf(p->unit, sizeof(p->unit), "%s", d->iommu);
		}
	p->width = iol_doctor_dma_width(s->topo, devs, 1);
	for (i = 0; i < s->n_mapped; i++)
		if (s->buf_iova >= s->mapped[i].start &&
		    s->buf_iova + IOL_PROBE_BUF_LEN - 1 <= s->mapped[i].end)
			buf = &s->mapped[i];
	if (buf == NULL) {
		snprintf(err, errlen, "the probe's buffer at IOVA 0x%" PRIx64 " is in no mapped "
			"range of the container", s->buf_iova);
		return -1;
	}
	/* The end of the mapping: of the buffer's range and any range that continues it. */
	end = buf->end;
	do {
		grown = false;
		for (i = 0; i < s->n_mapped; i++)
			if (end != UINT64_MAX && s->mapped[i].start <= end + 1 &&
			    s->mapped[i].end > end) {
				end = s->mapped[i].end;
				grown = true;
			}
	} while (grown);

	add(p, IOL_PROBE_INSIDE, IOL_PROBE_READ, s->buf_iova + IOL_PROBE_SRC_OFF,
		"the probe's buffer");
	iova = end - s->len + 1;
	if (iova + s->len > s->buf_iova + IOL_PROBE_SRC_OFF + s->len &&
	    iova < s->buf_iova + IOL_PROBE_BUF_LEN)
		skip(add(p, IOL_PROBE_MAPPING_END, IOL_PROBE_READ, iova, "the last bytes of the mapping"),
			"the mapping ends inside the probe's buffer");
	else
		add(p, IOL_PROBE_MAPPING_END, IOL_PROBE_READ, iova, "the last bytes of the mapping");

	snprintf(what, sizeof(what), "past the mapping's end 0x%" PRIx64, end);
	if (end == UINT64_MAX)
		target_skipped(p, IOL_PROBE_PAST_END, what, "the mapping ends at 2^64");
	else
		target(p, s, IOL_PROBE_PAST_END, end + 1, -1, not_owned, what);

	canary_target(p, s, IOL_PROBE_UNMAPPED, IOL_PROBE_CANARY_UNMAPPED,
		"a canary page's physical address", "unmapped: a canary page's physical address");

	for (i = 0; i < g->n_resv; i++) {
		snprintf(what, sizeof(what), "reserved 0x%" PRIx64 "-0x%" PRIx64 " %s",
			g->resv[i].start, g->resv[i].end, g->resv[i].type_name);
		r = target(p, s, IOL_PROBE_RESERVED, g->resv[i].start, -1, not_owned, what);
		if (r != NULL && g->resv[i].type == IOL_RESV_MSI &&
		    g->resv[i].start >= X86_IRQ_FIRST && g->resv[i].end <= X86_IRQ_LAST)
			r->no_memory = r->not_translated = true;
	}

	if (p->width == 0) {
		snprintf(why, sizeof(why), "the input width of %s is unknown%s",
			p->unit[0] != '\0' ? p->unit : "the IOMMU",
			p->kind == IOL_IOMMU_ARM_SMMU ? " (sysfs shows none for an SMMU)" : "");
		target_skipped(p, IOL_PROBE_ABOVE_WIDTH, "above the IOMMU's input width", why);
	} else if (p->width >= 64) {
		target_skipped(p, IOL_PROBE_ABOVE_WIDTH, "above the IOMMU's input width",
			"a 64-bit input width leaves no IOVA above it");
	} else {
		snprintf(what, sizeof(what), "above the %u-bit input width", p->width);
		target(p, s, IOL_PROBE_ABOVE_WIDTH, 1ULL << p->width, -1, not_owned, what);
	}

	target(p, s, IOL_PROBE_ZERO, 0, -1, not_owned, "IOVA 0");

	if (!s->other_container)
		target_skipped(p, IOL_PROBE_OTHER_CONTAINER, "mapped only in another container",
			s->no_other_why != NULL ? s->no_other_why : "no second container");
	else
		canary_target(p, s, IOL_PROBE_OTHER_CONTAINER, IOL_PROBE_CANARY_OTHER,
			"mapped only in another container",
			"mapped only in another container (a canary at its physical address)");
	return 0;
}

static void
judged(struct iol_probe_attempt *a, enum iol_probe_verdict v, const char *fmt, ...)
{
	va_list ap;

	a->verdict = v;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
}

static void
judge_control(struct iol_probe_attempt *a)
{
	const struct iol_probe_evidence *e = &a->ev;

	if (!e->canaries_intact)
		judged(a, IOL_PROBE_VOID, "memory outside the copy changed: %s", e->canary_note);
	else if (e->completion == IOL_PROBE_REFUSED)
		judged(a, IOL_PROBE_VOID, "the engine refused the copy (%s)", strerror(-e->enqueue_err));
	else if (e->completion != IOL_PROBE_DONE_OK)
		judged(a, IOL_PROBE_VOID, "the engine did not copy inside its mapping (completion: %s)",
			completion_names[e->completion]);
	else if (e->dst != IOL_PROBE_DST_TARGET)
		judged(a, IOL_PROBE_VOID, "the engine says done, but the destination holds %s, not "
			"the source's bytes", dst_names[e->dst]);
	else
		judged(a, IOL_PROBE_COPIED, "copied, bytes as they are in memory");
}

void
iol_probe_judge(struct iol_probe_attempt *a, const struct iol_probe_fault_log *log)
{
	const struct iol_probe_evidence *e = &a->ev;
	bool required = log->logged && e->fault != IOL_PROBE_FAULT_UNREADABLE;

	if (!a->attempted) {
		judged(a, IOL_PROBE_SKIPPED, "%s", a->skip_why);
		return;
	}
	if (is_control(a->target)) {
		judge_control(a);
		return;
	}
	if (!e->canaries_intact)
		judged(a, IOL_PROBE_BROKEN, "memory iovaloop owns changed: %s", e->canary_note);
	else if (a->not_translated)
		judged(a, IOL_PROBE_NO_MEMORY, "destination %s: x86's interrupt window holds no "
			"memory, and the IOMMU does not translate it (no fault line expected)",
			dst_names[e->dst]);
	else if (a->dir == IOL_PROBE_READ && e->dst == IOL_PROBE_DST_TARGET && a->at_canary)
		judged(a, IOL_PROBE_BROKEN, "the read delivered canary page %u's bytes: the "
			"device reached it untranslated", a->canary);
	else if (a->dir == IOL_PROBE_READ && e->dst == IOL_PROBE_DST_TARGET)
		judged(a, IOL_PROBE_BROKEN, "the read delivered the bytes at that physical "
			"address: the device reached it untranslated");
	else if (a->dir == IOL_PROBE_READ && e->dst == IOL_PROBE_DST_OTHER)
		judged(a, IOL_PROBE_BROKEN, "the read delivered bytes that are neither the "
			"destination's prefill nor zeros: memory the device must not reach");
	else if (e->completion == IOL_PROBE_REFUSED)
		judged(a, IOL_PROBE_UNPROVEN, "the engine refused the copy (%s): no DMA was issued, "
			"the IOMMU was not tried", strerror(-e->enqueue_err));
	else if (e->fault == IOL_PROBE_FAULT_SEEN)
		judged(a, IOL_PROBE_BLOCKED, "memory untouched; fault line: %s", e->fault_line);
	else if (required)
		judged(a, IOL_PROBE_UNPROVEN, "memory untouched, completion %s, but no fault line "
			"(%s)", completion_names[e->completion], log->note);
	else if (e->completion != IOL_PROBE_DONE_OK)
		judged(a, IOL_PROBE_BLOCKED, "memory untouched, completion %s",
			completion_names[e->completion]);
	else if (a->dir == IOL_PROBE_WRITE && a->at_canary)
		judged(a, IOL_PROBE_BLOCKED, "the engine says done, and canary page %u at that "
			"physical address is untouched", a->canary);
	else if (a->dir == IOL_PROBE_WRITE)
		judged(a, IOL_PROBE_UNPROVEN, "the engine says it wrote, and no page of iovaloop's "
			"is at that address to show where");
	else if (e->dst == IOL_PROBE_DST_UNCHANGED)
		judged(a, IOL_PROBE_BLOCKED, "the engine says done, and wrote nothing");
	else if (a->at_canary)
		judged(a, IOL_PROBE_BLOCKED, "zeros, not canary page %u's bytes: the read never "
			"reached it", a->canary);
	else if (a->bytes_known)
		judged(a, IOL_PROBE_BLOCKED, "zeros, not the bytes /dev/mem shows at that "
			"physical address: the read never reached it");
	else if (a->no_memory)
		judged(a, IOL_PROBE_BLOCKED, "zeros, and untranslated that address holds no "
			"memory (outside /proc/iomem): nobody's bytes were delivered");
	else
		judged(a, IOL_PROBE_UNPROVEN, "zeros: what a refused read delivers, but also what "
			"the target may hold, and no fault line tells them apart");
}

enum iol_probe_verdict
iol_probe_outcome(const struct iol_probe_plan *p, const struct iol_probe_attempt **first)
{
	static const enum iol_probe_verdict worst[] = {
		IOL_PROBE_VOID, IOL_PROBE_BROKEN, IOL_PROBE_UNPROVEN, IOL_PROBE_PENDING,
	};
	unsigned int w, i;

	for (w = 0; w < sizeof(worst) / sizeof(worst[0]); w++)
		for (i = 0; i < p->n; i++)
			if (p->attempts[i].verdict == worst[w]) {
				if (first != NULL)
					*first = &p->attempts[i];
				return worst[w] == IOL_PROBE_PENDING ? IOL_PROBE_VOID : worst[w];
			}
	if (first != NULL)
		*first = NULL;
	return IOL_PROBE_BLOCKED;
}

static const char *
expected(const struct iol_probe_attempt *a)
{
	return is_control(a->target) ? "copy" : a->not_translated ? "no memory" : "blocked";
}

static const char *
dir_name(enum iol_probe_dir d)
{
	return d == IOL_PROBE_READ ? "read" : "write";
}

enum iol_probe_verdict
iol_probe_message(const struct iol_probe_plan *p, char *buf, size_t len)
{
	const struct iol_probe_attempt *a;
	enum iol_probe_verdict v = iol_probe_outcome(p, &a);
	unsigned int i, n[IOL_PROBE_BROKEN + 1] = { 0 };

	for (i = 0; i < p->n; i++)
		n[p->attempts[i].verdict]++;
	if (v == IOL_PROBE_BLOCKED) {
		snprintf(buf, len, "DMA isolation holds: %u attempts blocked, %u in the interrupt "
			"window reached no memory, %u controls copied, %u not attempted",
			n[IOL_PROBE_BLOCKED], n[IOL_PROBE_NO_MEMORY], n[IOL_PROBE_COPIED],
			n[IOL_PROBE_SKIPPED]);
		return v;
	}
	snprintf(buf, len, "%s: attempt %u (%s, %s 0x%" PRIx64 "): %s",
		v == IOL_PROBE_VOID ? "probe void, it proves nothing" :
		v == IOL_PROBE_BROKEN ? "DMA isolation broken" : "DMA isolation not shown",
		(unsigned int)(a - p->attempts) + 1, a->what, dir_name(a->dir), a->iova,
		a->verdict == IOL_PROBE_PENDING ? "not judged" : a->why);
	return v;
}

static const char *
fault_lines(const struct iol_probe_plan *p, char *buf, size_t len)
{
	const struct iol_probe_fault_log *f = iol_probe_fault_log(p->kind);

	if (!p->log_readable)
		snprintf(buf, len, "not checked: %s", p->log_why);
	else
		snprintf(buf, len, "%s (%s)", f->logged ? "required" : "not required", f->note);
	return buf;
}

void
iol_probe_print(const struct iol_probe_plan *p, FILE *out)
{
	const struct iol_probe_attempt *a;
	char msg[512], line[256];
	unsigned int i;

	fprintf(out, "Isolation probe: engine %s, device %s, IOMMU group %d, %s%s%s, input "
		"width %u bits%s\n", p->engine, p->device, p->group, iol_iommu_family(p->kind),
		p->unit[0] != '\0' ? " " : "", p->unit, p->width, p->width == 0 ? " (unknown)" : "");
	fprintf(out, "Fault lines: %s\n", fault_lines(p, line, sizeof(line)));
	fprintf(out, "%3s  %-16s %-18s %-5s %-9s %-10s %-14s %-8s %-10s %s\n", "#", "target",
		"IOVA", "dir", "expected", "completion", "destination", "canaries", "fault line",
		"verdict");
	for (i = 0; i < p->n; i++) {
		a = &p->attempts[i];
		if (!a->attempted) {
			fprintf(out, "%3u  %-16s %-18s %-5s %-9s %-10s %-14s %-8s %-10s %s\n", i + 1,
				iol_probe_target_name(a->target), "-", dir_name(a->dir),
				expected(a), "-", "-", "-", "-",
				iol_probe_verdict_name(a->verdict));
		} else {
			snprintf(line, sizeof(line), "0x%" PRIx64, a->iova);
			fprintf(out, "%3u  %-16s %-18s %-5s %-9s %-10s %-14s %-8s %-10s %s\n", i + 1,
				iol_probe_target_name(a->target), line, dir_name(a->dir),
				expected(a), completion_names[a->ev.completion],
				a->dir == IOL_PROBE_READ ? dst_names[a->ev.dst] : "-",
				a->ev.canaries_intact ? "intact" : "CHANGED",
				fault_names[a->ev.fault], iol_probe_verdict_name(a->verdict));
		}
		fprintf(out, "     %s: %s\n", a->what, a->why);
	}
	iol_probe_message(p, msg, sizeof(msg));
	fprintf(out, "%s\n", msg);
}

void
iol_probe_json(const struct iol_probe_plan *p, struct iol_json *j)
{
	const struct iol_probe_fault_log *f = iol_probe_fault_log(p->kind);
	const struct iol_probe_attempt *a;
	enum iol_probe_verdict v;
	char msg[512];
	unsigned int i;

	iol_json_object_open(j, "probe");
	iol_json_string(j, "engine", p->engine);
	iol_json_string(j, "device", p->device);
	iol_json_i64(j, "group", p->group);
	iol_json_string(j, "iommu", iol_iommu_family(p->kind));
	iol_json_string(j, "unit", p->unit);
	iol_json_u64(j, "width", p->width);
	iol_json_object_open(j, "fault_lines");
	iol_json_bool(j, "readable", p->log_readable);
	iol_json_bool(j, "required", f->logged && p->log_readable);
	iol_json_string(j, "note", p->log_readable ? f->note : p->log_why);
	iol_json_object_close(j);
	iol_json_array_open(j, "attempts");
	for (i = 0; i < p->n; i++) {
		a = &p->attempts[i];
		iol_json_object_open(j, NULL);
		iol_json_u64(j, "n", i + 1);
		iol_json_string(j, "target", iol_probe_target_name(a->target));
		iol_json_string(j, "what", a->what);
		iol_json_string(j, "dir", dir_name(a->dir));
		iol_json_string(j, "expected", expected(a));
		iol_json_bool(j, "attempted", a->attempted);
		if (a->attempted) {
			iol_json_hex(j, "iova", a->iova);
			iol_json_string(j, "completion", completion_names[a->ev.completion]);
			if (a->dir == IOL_PROBE_READ)
				iol_json_string(j, "destination", dst_names[a->ev.dst]);
			iol_json_bool(j, "canaries_intact", a->ev.canaries_intact);
			if (!a->ev.canaries_intact)
				iol_json_string(j, "canaries", a->ev.canary_note);
			iol_json_string(j, "fault", fault_names[a->ev.fault]);
			if (a->ev.fault == IOL_PROBE_FAULT_SEEN)
				iol_json_string(j, "fault_line", a->ev.fault_line);
		}
		iol_json_string(j, "verdict", iol_probe_verdict_name(a->verdict));
		iol_json_string(j, "why", a->why);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	v = iol_probe_message(p, msg, sizeof(msg));
	iol_json_string(j, "result", v == IOL_PROBE_BLOCKED ? "blocked" : iol_probe_verdict_name(v));
	iol_json_string(j, "message", msg);
	iol_json_object_close(j);
}
