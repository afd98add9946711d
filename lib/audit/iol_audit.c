/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_memory.h>

#include "iol_audit.h"

void
iol_iova_map_init(struct iol_iova_map *m)
{
	memset(m, 0, sizeof(*m));
}

void
iol_iova_map_free(struct iol_iova_map *m)
{
	free(m->segs);
	iol_iova_map_init(m);
}

static bool
continues(const struct iol_iova_seg *a, const struct iol_iova_seg *b)
{
	return a->va + a->len == b->va && a->iova + a->len == b->iova &&
		a->page_sz == b->page_sz && a->socket == b->socket &&
		a->external == b->external;
}

int
iol_iova_map_add(struct iol_iova_map *m, const struct iol_iova_seg *s)
{
	struct iol_iova_seg *segs;
	unsigned int i;

	if (s->len == 0 || s->va + s->len < s->va)
		return -EINVAL;
	for (i = 0; i < m->n && m->segs[i].va < s->va; i++)
		;
	if ((i > 0 && m->segs[i - 1].va + m->segs[i - 1].len > s->va) ||
	    (i < m->n && s->va + s->len > m->segs[i].va))
		return -EINVAL;
	if (i > 0 && continues(&m->segs[i - 1], s)) {
		m->segs[i - 1].len += s->len;
		if (i < m->n && continues(&m->segs[i - 1], &m->segs[i])) {
			m->segs[i - 1].len += m->segs[i].len;
			memmove(&m->segs[i], &m->segs[i + 1],
				(m->n - i - 1) * sizeof(*s));
			m->n--;
		}
		return 0;
	}
	if (i < m->n && continues(s, &m->segs[i])) {
		m->segs[i].va = s->va;
		m->segs[i].iova = s->iova;
		m->segs[i].len += s->len;
		return 0;
	}
	if (m->n == m->cap) {
		unsigned int cap = m->cap ? 2 * m->cap : 16;

		segs = realloc(m->segs, cap * sizeof(*segs));
		if (segs == NULL)
			return -ENOMEM;
		m->segs = segs;
		m->cap = cap;
	}
	memmove(&m->segs[i + 1], &m->segs[i], (m->n - i) * sizeof(*s));
	m->segs[i] = *s;
	m->n++;
	return 0;
}

const struct iol_iova_seg *
iol_iova_map_find(const struct iol_iova_map *m, uint64_t va)
{
	unsigned int lo = 0, hi = m->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (va < m->segs[mid].va)
			hi = mid;
		else if (va - m->segs[mid].va >= m->segs[mid].len)
			lo = mid + 1;
		else
			return &m->segs[mid];
	}
	return NULL;
}

struct memseg_walk {
	struct iol_iova_map *m;
	bool external_only;
};

static int
add_memseg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct memseg_walk *w = arg;
	struct iol_iova_seg s = {
		.va = (uint64_t)(uintptr_t)ms->addr,
		.iova = ms->iova,
		.len = ms->len,
		.page_sz = ms->hugepage_sz,
		.socket = ms->socket_id,
		.external = msl->external != 0,
	};

	if (w->external_only && !s.external)
		return 0;
	return iol_iova_map_add(w->m, &s);
}

int
iol_iova_map_from_memsegs(struct iol_iova_map *m, bool external_only)
{
	struct memseg_walk w = { m, external_only };
	int ret = rte_memseg_walk(add_memseg, &w);

	return ret < 0 ? ret : 0;
}

static void
mismatch(struct iol_audit_result *r, uint64_t va, uint64_t iova,
		uint64_t expected, const char *what)
{
	if (r->n_shown < IOL_AUDIT_SHOWN) {
		r->shown[r->n_shown].va = va;
		r->shown[r->n_shown].iova = iova;
		r->shown[r->n_shown].expected = expected;
		r->shown[r->n_shown++].what = what;
	}
	r->mismatches++;
}

static void
count_page_size(struct iol_audit_result *r, uint64_t sz, uint64_t pages)
{
	unsigned int i;

	for (i = 0; i < r->n_page_sizes; i++)
		if (r->page_sizes[i] == sz)
			break;
	if (i == r->n_page_sizes) {
		if (i == RTE_DIM(r->page_sizes))
			return;
		r->page_sizes[r->n_page_sizes++] = sz;
	}
	r->page_counts[i] += pages;
}

static uint64_t
default_phys(const void *va)
{
	return rte_mem_virt2phy(va);
}

static void
audit_seg(const struct iol_iova_seg *s, const struct iol_audit_params *p,
		iol_phys_fn phys, struct iol_audit_result *r)
{
	uint64_t off, pa, last = s->iova + s->len - 1;

	count_page_size(r, s->page_sz, s->len / s->page_sz);
	if (s->page_sz != 0 && s->iova % s->page_sz != 0) {
		if (r->unaligned++ == 0) {
			r->unaligned_iova = s->iova;
			r->unaligned_align = s->iova & -s->iova;
			r->unaligned_page_sz = s->page_sz;
		}
	}
	r->bytes += s->len;
	r->iova_max = RTE_MAX(r->iova_max, last);
	if (p->dma_mask_bits > 0 && p->dma_mask_bits < 64 &&
	    (last >> p->dma_mask_bits) != 0)
		mismatch(r, s->va, last, (1ull << p->dma_mask_bits) - 1,
			"IOVA beyond the device's DMA mask");
	for (off = 0; off < s->len; off += s->page_sz) {
		r->pages++;
		if (p->iova_as_pa) {
			pa = phys((const void *)(uintptr_t)(s->va + off));
			r->pages_pagemap++;
			if (pa != s->iova + off)
				mismatch(r, s->va + off, s->iova + off, pa,
					pa == RTE_BAD_IOVA ? "pagemap gives no physical address" :
					"IOVA is not the physical address");
		} else if (!s->external && s->iova + off != s->va + off) {
			mismatch(r, s->va + off, s->iova + off, s->va + off,
				"IOVA-as-VA memory whose IOVA is not its VA");
		}
	}
}

struct chunk_walk {
	const struct iol_iova_map *m;
	struct iol_audit_result *r;
};

static void
audit_chunk(struct rte_mempool *mp, void *arg, struct rte_mempool_memhdr *hdr,
		unsigned int idx)
{
	struct chunk_walk *w = arg;
	const struct iol_iova_seg *s;
	uint64_t va = (uint64_t)(uintptr_t)hdr->addr, off, step;
	unsigned int hint = 0;

	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	w->r->chunks++;
	w->r->chunk_bytes += hdr->len;
	if (hdr->iova == RTE_BAD_IOVA) {
		mismatch(w->r, va, hdr->iova, 0, "mempool chunk has no IOVA");
		return;
	}
	/* Every page the chunk touches, and its last byte. */
	for (off = 0; off < hdr->len; off += step) {
		s = iol_iova_map_find(w->m, va + off);
		if (s == NULL) {
			mismatch(w->r, va + off, hdr->iova + off, 0,
				"mempool chunk outside the mapped memory");
			return;
		}
		if (!iol_iova_map_check(w->m, (void *)(uintptr_t)(va + off),
				hdr->iova + off, &hint)) {
			mismatch(w->r, va + off, hdr->iova + off,
				s->iova + (va + off - s->va),
				"mempool chunk IOVA differs from the memory's");
			return;
		}
		step = s->page_sz - ((va + off - s->va) % s->page_sz);
	}
	if (!iol_iova_map_check(w->m, (void *)(uintptr_t)(va + hdr->len - 1),
			hdr->iova + hdr->len - 1, &hint))
		mismatch(w->r, va + hdr->len - 1, hdr->iova + hdr->len - 1, 0,
			"mempool chunk end outside the mapped memory");
}

int
iol_audit_run(const struct iol_iova_map *m, const struct iol_audit_params *p,
		struct iol_audit_result *res)
{
	iol_phys_fn phys = p->phys != NULL ? p->phys : default_phys;
	struct chunk_walk w = { m, res };
	unsigned int i;

	memset(res, 0, sizeof(*res));
	if (m->n == 0)
		mismatch(res, 0, 0, 0, "no memory to audit");
	for (i = 0; i < m->n; i++)
		audit_seg(&m->segs[i], p, phys, res);
	res->iova_bits = res->iova_max ? 64 - __builtin_clzll(res->iova_max) : 0;
	for (i = 0; i < p->n_pools; i++)
		rte_mempool_mem_iter(p->pools[i], audit_chunk, &w);
	return res->mismatches == 0 ? 0 : -1;
}

void
iol_audit_print(const struct iol_iova_map *m, const struct iol_audit_params *p,
		const struct iol_audit_result *r, FILE *out)
{
	unsigned int i;

	fprintf(out, "IOVA audit: IOVA as %s, %u range%s, %" PRIu64 " MiB in",
		p->iova_as_pa ? "PA" : "VA", m->n, m->n == 1 ? "" : "s", r->bytes >> 20);
	for (i = 0; i < r->n_page_sizes; i++)
		fprintf(out, "%s %" PRIu64 " x %" PRIu64 " KiB pages", i ? "," : "",
			r->page_counts[i], r->page_sizes[i] >> 10);
	fprintf(out, "\n");
	for (i = 0; i < m->n && i < IOL_AUDIT_SHOWN; i++) {
		fprintf(out, "  IOVA 0x%012" PRIx64 "-0x%012" PRIx64 "  VA 0x%" PRIx64
			"  %" PRIu64 " KiB pages  ", m->segs[i].iova,
			m->segs[i].iova + m->segs[i].len - 1, m->segs[i].va,
			m->segs[i].page_sz >> 10);
		/* External memory sits on DPDK's own heap ids, not a NUMA node. */
		if (m->segs[i].external)
			fprintf(out, "external\n");
		else
			fprintf(out, "socket %d\n", m->segs[i].socket);
	}
	if (m->n > IOL_AUDIT_SHOWN)
		fprintf(out, "  ... and %u more ranges (all in the JSON report)\n",
			m->n - IOL_AUDIT_SHOWN);
	if (p->dma_mask_bits > 0)
		fprintf(out, "  DMA mask %u bits; highest IOVA 0x%" PRIx64 " needs %u\n",
			p->dma_mask_bits, r->iova_max, r->iova_bits);
	else
		fprintf(out, "  highest IOVA 0x%" PRIx64 " needs %u bits (no IOMMU width known%s)\n",
			r->iova_max, r->iova_bits, r->iova_bits > 39 ?
			"; a 39-bit IOMMU could not map it" : "");
	fprintf(out, "  %" PRIu64 " pages checked%s; %u mempool chunks (%" PRIu64
		" KiB) checked against them\n", r->pages,
		p->iova_as_pa ? " against /proc/self/pagemap" : "",
		r->chunks, r->chunk_bytes >> 10);
	if (r->unaligned > 0)
		fprintf(out, "  note: IOVA 0x%" PRIx64 " is aligned to %" PRIu64 " KiB "
			"only, below its %" PRIu64 " KiB pages: the IOMMU cannot use "
			"%" PRIu64 " KiB superpages for it%s (a performance note, not "
			"an error)\n", r->unaligned_iova, r->unaligned_align >> 10,
			r->unaligned_page_sz >> 10, r->unaligned_page_sz >> 10,
			r->unaligned > 1 ? " nor for the other such ranges" : "");
	for (i = 0; i < r->n_shown; i++)
		fprintf(out, "  MISMATCH: %s: VA 0x%" PRIx64 " IOVA 0x%" PRIx64
			" expected 0x%" PRIx64 "\n", r->shown[i].what, r->shown[i].va,
			r->shown[i].iova, r->shown[i].expected);
	if (r->mismatches > r->n_shown)
		fprintf(out, "  ... %" PRIu64 " mismatches in all\n", r->mismatches);
	fprintf(out, "  audit: %s\n", r->mismatches == 0 ? "OK" : "FAILED");
}
