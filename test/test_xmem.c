/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xmem: external hugepage memory registered and DMA mapped for two
 * net_ring ports, an mbuf pool on it, traffic through the ports; the
 * rollback of every step with an injected failure; bad inputs. After
 * each case nothing may be left registered (no external memseg list),
 * DMA mapped (every map undone, in reverse order) or allocated (this
 * process' HugetlbPages back where they were, and no more hugetlbfs files
 * held open: an unlinked one keeps its pages after the munmap). Both are
 * this process' own, so other programs using hugepages meanwhile (the
 * host's free counts move with them) do not disturb the verdict.
 *
 * meson runs it once with --iova-mode=pa and once with --iova-mode=va.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <numa.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "iol_xmem.h"
#include "test.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define PS_2M (2 * MIB)

#define N_PORTS 2
static const char *const port_names[N_PORTS] = { "xm0", "xm1" };
static struct rte_ring *rings[N_PORTS];
static uint16_t ports[N_PORTS];
static struct rte_device *devs[N_PORTS];
static bool pa_mode;
static char err[1024];

/* ---- what is left: this process' hugepages and files, external memseg lists ---- */

struct snap {
	int64_t hugetlb_kb;
	int n_hugetlbfs_fds;
	unsigned int n_external;
};

static int64_t
read_num(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int64_t
free_pages(uint64_t ps)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%"
		PRIu64 "kB/free_hugepages", ps >> 10);
	return read_num(path);
}

/* This process' open files on a hugetlbfs mount; -1 when /proc/self/fd cannot be read. */
static int
hugetlbfs_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	struct statfs sf;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd != dirfd(d) && fstatfs(fd, &sf) == 0 &&
		    sf.f_type == HUGETLBFS_MAGIC)
			n++;
	}
	closedir(d);
	return n;
}

static int64_t
proc_hugetlb_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long long v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugetlbPages: %lld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int
count_external(const struct rte_memseg_list *msl, void *arg)
{
	if (msl->external)
		(*(unsigned int *)arg)++;
	return 0;
}

static void
snap_take(struct snap *s)
{
	s->hugetlb_kb = proc_hugetlb_kb();
	s->n_hugetlbfs_fds = hugetlbfs_fds();
	s->n_external = 0;
	rte_memseg_list_walk(count_external, &s->n_external);
}

/* Nothing registered, pinned or allocated compared with @p before. */
static int
check_nothing_left(const struct snap *before, const void *va)
{
	struct snap now;

	snap_take(&now);
	if (va != NULL)
		TEST_ASSERT(rte_mem_virt2memseg_list(va) == NULL,
			"%p still registered", va);
	TEST_ASSERT_EQUAL(now.n_external, before->n_external,
		"external memseg lists (registered memory) left");
	TEST_ASSERT_EQUAL(now.hugetlb_kb, before->hugetlb_kb,
		"HugetlbPages of this process");
	TEST_ASSERT(now.n_hugetlbfs_fds >= 0, "/proc/self/fd unreadable");
	TEST_ASSERT_EQUAL(now.n_hugetlbfs_fds, before->n_hugetlbfs_fds,
		"hugetlbfs files held open");
	return TEST_SUCCESS;
}

/* ---- DMA map calls, recorded around the real rte_dev_dma_map ---- */

struct call {
	bool map;
	struct rte_device *dev;
	uint64_t va, iova, len;
};
static struct call calls[256];
static unsigned int n_calls;

static int
rec(bool map, struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	if (n_calls < RTE_DIM(calls))
		calls[n_calls++] = (struct call){ map, dev,
			(uint64_t)(uintptr_t)va, iova, len };
	return map ? rte_dev_dma_map(dev, va, iova, len) :
		rte_dev_dma_unmap(dev, va, iova, len);
}

static int
rec_map(struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	return rec(true, dev, va, iova, len);
}

static int
rec_unmap(struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	return rec(false, dev, va, iova, len);
}

static const struct iol_xmem_hooks rec_ops = {
	.map = rec_map, .unmap = rec_unmap,
};

/* Maps then unmaps, each unmap undoing the latest map still standing. */
static int
check_calls_balanced(unsigned int *n_maps)
{
	struct call *stack[RTE_DIM(calls)];
	unsigned int i, depth = 0, maps = 0;

	TEST_ASSERT(n_calls < RTE_DIM(calls), "too many DMA calls recorded");
	for (i = 0; i < n_calls; i++) {
		struct call *c = &calls[i];

		if (c->map) {
			stack[depth++] = c;
			maps++;
			continue;
		}
		TEST_ASSERT(depth > 0, "call %u: unmap of nothing mapped", i);
		depth--;
		TEST_ASSERT(stack[depth]->dev == c->dev && stack[depth]->va == c->va &&
			stack[depth]->iova == c->iova && stack[depth]->len == c->len,
			"call %u: unmap of %s iova 0x%" PRIx64 " is not the reverse of "
			"the last map (%s iova 0x%" PRIx64 ")", i, rte_dev_name(c->dev),
			c->iova, rte_dev_name(stack[depth]->dev), stack[depth]->iova);
	}
	TEST_ASSERT_EQUAL(depth, 0, "DMA mappings left");
	if (n_maps != NULL)
		*n_maps = maps;
	return TEST_SUCCESS;
}

/* ---- parameters ---- */

/* The hooks of the params being built: ops, and a failure to inject. */
static struct iol_xmem_hooks hooks;

/* @p ops (map, unmap, container) for @p p, nothing injected. */
static void
use_ops(struct iol_xmem_params *p, const struct iol_xmem_hooks *ops)
{
	hooks = *ops;
	p->hooks = &hooks;
}

/* Make step @p step fail (for MAP: device @p dev's last run). */
static void
inject(struct iol_xmem_params *p, enum iol_xmem_step step, unsigned int dev)
{
	hooks.fail_step = step;
	hooks.fail_dev = dev;
	p->hooks = &hooks;
}

static struct iol_xmem_params
params(uint64_t size, uint64_t ps)
{
	struct iol_xmem_params p;

	memset(&p, 0, sizeof(p));
	p.size = size;
	p.page_size = ps;
	p.numa_node = -1;
	p.devs = devs;
	p.n_devs = N_PORTS;
	use_ops(&p, &rec_ops);
	n_calls = 0;
	return p;
}

/* ---- mbufs: buf_iova is the table's IOVA ---- */

struct mbuf_check {
	const struct iol_xmem *x;
	unsigned int n, bad;
	char why[256];
};

static void
mbuf_check_one(struct mbuf_check *c, const struct rte_mbuf *m)
{
	uint64_t base = (uint64_t)(uintptr_t)iol_xmem_addr(c->x);
	uint64_t ps = iol_xmem_page_size(c->x);
	uint64_t va = (uint64_t)(uintptr_t)m->buf_addr, off, last, want;
	const struct rte_memseg *ms;
	rte_iova_t iova = m->buf_iova;

	c->n++;
	if (va < base || va + m->buf_len > base + iol_xmem_len(c->x)) {
		snprintf(c->why, sizeof(c->why), "buffer %p outside the xmem",
			m->buf_addr);
		goto bad;
	}
	off = va - base;
	want = iol_xmem_page_iova(c->x, off / ps) + off % ps;
	if (iova != want) {
		snprintf(c->why, sizeof(c->why), "buffer %p: buf_iova 0x%" PRIx64
			", table says 0x%" PRIx64, m->buf_addr, iova, want);
		goto bad;
	}
	/* The last byte is in the same IOVA-contiguous run. */
	last = off + m->buf_len - 1;
	if (iol_xmem_page_iova(c->x, last / ps) + last % ps != iova + m->buf_len - 1) {
		snprintf(c->why, sizeof(c->why), "buffer %p straddles two IOVA runs",
			m->buf_addr);
		goto bad;
	}
	/* DPDK's own translation of the registered memory agrees. */
	ms = rte_mem_virt2memseg(m->buf_addr, NULL);
	if (ms == NULL ||
	    ms->iova + (va - (uint64_t)(uintptr_t)ms->addr) != iova) {
		snprintf(c->why, sizeof(c->why), "buffer %p: memseg says 0x%" PRIx64
			", buf_iova 0x%" PRIx64, m->buf_addr, ms == NULL ? 0 :
			ms->iova + (va - (uint64_t)(uintptr_t)ms->addr), iova);
		goto bad;
	}
	if (pa_mode && rte_mem_virt2phy(m->buf_addr) != iova) {
		snprintf(c->why, sizeof(c->why), "buffer %p: pagemap PA 0x%" PRIx64
			", buf_iova 0x%" PRIx64, m->buf_addr,
			rte_mem_virt2phy(m->buf_addr), iova);
		goto bad;
	}
	return;
bad:
	c->bad++;
}

static void
mbuf_check_cb(struct rte_mempool *mp, void *arg, void *obj, unsigned int i)
{
	RTE_SET_USED(mp);
	RTE_SET_USED(i);
	mbuf_check_one(arg, obj);
}

/* With no chosen base, VA mode's IOVA is the VA: rte_mem_virt2iova agrees. */
static int
check_pool(struct iol_xmem *x, struct rte_mempool *mp, bool base_set)
{
	struct mbuf_check c = { .x = x };

	rte_mempool_obj_iter(mp, mbuf_check_cb, &c);
	TEST_ASSERT_EQUAL(c.n, mp->size, "objects walked");
	TEST_ASSERT_EQUAL(c.bad, 0, "mbufs with a wrong IOVA; first: %s", c.why);
	if (!pa_mode && !base_set) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		TEST_ASSERT_NOT_NULL(m, "alloc");
		TEST_ASSERT_EQUAL(rte_mem_virt2iova(m->buf_addr), m->buf_iova,
			"VA mode: IOVA = VA");
		rte_pktmbuf_free(m);
	}
	return TEST_SUCCESS;
}

/* ---- ports ---- */

static int
ports_start(struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	unsigned int i;

	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < N_PORTS; i++) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_configure(ports[i], 1, 1, &conf),
			"configure port %u", ports[i]);
		TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(ports[i], 0, 256,
			rte_socket_id(), NULL, mp), "rx queue");
		TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(ports[i], 0, 256,
			rte_socket_id(), NULL), "tx queue");
		TEST_ASSERT_SUCCESS(rte_eth_dev_start(ports[i]), "start");
	}
	return TEST_SUCCESS;
}

static void
ports_stop(void)
{
	unsigned int i;

	for (i = 0; i < N_PORTS; i++)
		rte_eth_dev_stop(ports[i]);
}

#define BURST 32

/* Frames from port @p a to port @p b: same data back, IOVAs right. */
static int
send_receive(struct iol_xmem *x, struct rte_mempool *mp, uint16_t a, uint16_t b,
	uint8_t tag)
{
	struct rte_mbuf *tx[BURST], *rx[BURST];
	struct mbuf_check c = { .x = x };
	unsigned int i, j;
	uint16_t n;

	TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(mp, tx, BURST), "alloc");
	for (i = 0; i < BURST; i++) {
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(tx[i], 60 + i);

		TEST_ASSERT_NOT_NULL(d, "append");
		for (j = 0; j < 60 + i; j++)
			d[j] = (uint8_t)(tag + i * 7 + j);
	}
	n = rte_eth_tx_burst(a, 0, tx, BURST);
	TEST_ASSERT_EQUAL(n, BURST, "sent");
	n = rte_eth_rx_burst(b, 0, rx, BURST);
	TEST_ASSERT_EQUAL(n, BURST, "received");
	for (i = 0; i < BURST; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(rx[i], const uint8_t *);

		TEST_ASSERT(rx[i]->pool == mp, "frame %u not from the xmem pool", i);
		TEST_ASSERT_EQUAL(rx[i]->data_len, 60 + i, "length of frame %u", i);
		for (j = 0; j < 60 + i; j++)
			TEST_ASSERT_EQUAL(d[j], (uint8_t)(tag + i * 7 + j),
				"frame %u byte %u", i, j);
		/* The address a device would DMA to is the table's. */
		TEST_ASSERT_EQUAL(rte_pktmbuf_iova(rx[i]), rx[i]->buf_iova +
			rx[i]->data_off, "data iova");
		mbuf_check_one(&c, rx[i]);
	}
	rte_pktmbuf_free_bulk(rx, BURST);
	TEST_ASSERT_EQUAL(c.bad, 0, "received mbufs: %s", c.why);
	return TEST_SUCCESS;
}

/* ---- suite ---- */

static int
xmem_setup(void)
{
	struct rte_eth_dev_info info;
	struct rte_ring *rx, *tx;
	char name[32];
	unsigned int i;
	int port;

	pa_mode = rte_eal_iova_mode() == RTE_IOVA_PA;
	printf("IOVA mode: %s\n", pa_mode ? "PA" : "VA");
	if (free_pages(PS_2M) < 8)
		TEST_SKIP("fewer than 8 free 2 MiB hugepages (%" PRId64 "); reserve "
			"some: echo 1024 > /sys/kernel/mm/hugepages/hugepages-2048kB/"
			"nr_hugepages", free_pages(PS_2M));
	for (i = 0; i < N_PORTS; i++) {
		snprintf(name, sizeof(name), "xmem_ring%u", i);
		rings[i] = rte_ring_create(name, 1024, rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		TEST_ASSERT_NOT_NULL(rings[i], "ring: %s", rte_strerror(rte_errno));
	}
	/* xm0 sends on ring 0, xm1 receives it; ring 1 the other way. */
	for (i = 0; i < N_PORTS; i++) {
		tx = rings[i];
		rx = rings[(i + 1) % N_PORTS];
		port = rte_eth_from_rings(port_names[i], &rx, 1, &tx, 1,
			rte_socket_id());
		TEST_ASSERT(port >= 0, "net_ring port %s: %s", port_names[i],
			rte_strerror(rte_errno));
		ports[i] = (uint16_t)port;
		TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(ports[i], &info), "info");
		devs[i] = info.device;
		TEST_ASSERT_NOT_NULL(devs[i], "port %u has no rte_device", ports[i]);
		printf("port %u: device %s\n", ports[i], rte_dev_name(devs[i]));
	}
	return TEST_SUCCESS;
}

static void
xmem_teardown(void)
{
	char name[64];
	unsigned int i;

	for (i = 0; i < N_PORTS; i++) {
		snprintf(name, sizeof(name), "net_ring_%s", port_names[i]);
		rte_vdev_uninit(name);
		rte_ring_free(rings[i]);
	}
}

/* ---- (1) register, map, run, unmap ---- */

/*
 * The run's audit on the external memory (lib/audit, as iol_run() does
 * it): it passes, and a base aligned below the page size is noted in its
 * printout and in the xmem line (no superpages), never counted a mismatch.
 */
static int
audit_xmem(struct iol_xmem *x, struct rte_mempool *mp, uint64_t base,
	uint64_t ps, const char *desc)
{
	struct iol_audit_params ap = {
		.iova_as_pa = pa_mode, .pools = &mp, .n_pools = 1,
	};
	struct iol_audit_result ar;
	struct iol_iova_map m;
	const struct iol_iova_seg *s;
	char *out = NULL, note[160];
	size_t out_len = 0;
	FILE *f;
	int ret;

	iol_iova_map_init(&m);
	TEST_ASSERT_SUCCESS(iol_iova_map_from_memsegs(&m, true), "memseg walk");
	s = iol_iova_map_find(&m, (uint64_t)(uintptr_t)iol_xmem_addr(x));
	TEST_ASSERT_NOT_NULL(s, "the xmem is in the map");
	TEST_ASSERT_EQUAL(s->iova, base, "the map's IOVA is the base");
	ret = iol_audit_run(&m, &ap, &ar);
	f = open_memstream(&out, &out_len);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	iol_audit_print(&m, &ap, &ar, f);
	fclose(f);
	iol_iova_map_free(&m);
	printf("%s", out);
	if (ret != 0 || ar.mismatches != 0) {
		free(out);
		TEST_ASSERT(false, "audit failed: %" PRIu64 " mismatches, first: %s",
			ar.mismatches, ar.n_shown ? ar.shown[0].what : "-");
	}
	TEST_ASSERT(ar.chunks >= 1, "pool chunks audited");
	if (base % ps != 0) {
		TEST_ASSERT_EQUAL(ar.unaligned, 1, "one range below its page size");
		TEST_ASSERT_EQUAL(ar.unaligned_align, base & -base, "its alignment");
		snprintf(note, sizeof(note), "note: IOVA 0x%" PRIx64 " is aligned to "
			"%" PRIu64 " KiB only, below its %" PRIu64 " KiB pages: the IOMMU "
			"cannot use %" PRIu64 " KiB superpages", base, (base & -base) >> 10,
			ps >> 10, ps >> 10);
		ret = strstr(out, note) != NULL;
		free(out);
		TEST_ASSERT(ret, "audit note missing: %s", note);
		TEST_ASSERT_STR_CONTAINS(desc, "no 2 MiB IOMMU superpages (a "
			"performance note, not an error)", "xmem line's note");
		TEST_ASSERT(iol_xmem_superpage_note(x, note, sizeof(note)) > 0, "note");
	} else {
		TEST_ASSERT_EQUAL(ar.unaligned, 0, "aligned base");
		TEST_ASSERT(strstr(out, "superpages") == NULL, "no note: %s", out);
		free(out);
		TEST_ASSERT(strstr(desc, "superpages") == NULL, "no note: %s", desc);
	}
	return TEST_SUCCESS;
}

/* Everything between create and destroy; the caller stops and destroys. */
static int
run_body(struct iol_xmem *x, bool base_set, uint64_t base, uint64_t size,
	uint64_t ps, const struct snap *before, struct rte_mempool **mpp,
	unsigned int *n_runsp)
{
	struct iol_iova_seg r[64];
	struct rte_mempool *mp;
	unsigned int n_runs, i;
	void *va = iol_xmem_addr(x);
	char desc[256];

	iol_xmem_describe(x, desc, sizeof(desc));
	printf("%s\n", desc);
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(va), "registered");
	TEST_ASSERT_EQUAL(iol_xmem_n_mapped(x), N_PORTS, "devices mapped");
	TEST_ASSERT_EQUAL(iol_xmem_n_container(x), 0, "net_ring is no VFIO device");
	TEST_ASSERT_EQUAL(iol_xmem_page_size(x), ps, "page size");
	if (numa_available() >= 0)
		TEST_ASSERT(iol_xmem_numa_node(x) >= 0 &&
			iol_xmem_numa_node(x) <= numa_max_node(), "node");
	TEST_ASSERT_EQUAL(proc_hugetlb_kb() - before->hugetlb_kb, size >> 10,
		"HugetlbPages grew by the size");
	n_runs = iol_xmem_ranges(x, r, RTE_DIM(r));
	*n_runsp = n_runs;
	TEST_ASSERT(n_runs >= 1 && n_runs <= RTE_DIM(r), "%u runs", n_runs);
	if (!pa_mode)
		TEST_ASSERT_EQUAL(n_runs, 1, "VA mode: one IOVA-contiguous run");
	if (base_set)
		TEST_ASSERT_EQUAL(r[0].iova, base, "first IOVA is the base");
	else if (!pa_mode)
		TEST_ASSERT_EQUAL(r[0].iova, (uintptr_t)va, "IOVA = VA");
	/* Each device got one map call a run, in order. */
	TEST_ASSERT_EQUAL(n_calls, N_PORTS * n_runs, "map calls");
	for (i = 0; i < n_calls; i++) {
		TEST_ASSERT(calls[i].map && calls[i].dev == devs[i / n_runs] &&
			calls[i].iova == r[i % n_runs].iova &&
			calls[i].len == r[i % n_runs].len, "map call %u", i);
	}

	mp = iol_xmem_pool_create(x, "xmem_pool", 1023, 32,
		RTE_MBUF_DEFAULT_BUF_SIZE, err, sizeof(err));
	TEST_ASSERT_NOT_NULL(mp, "%s", err);
	*mpp = mp;
	TEST_ASSERT_SUCCESS(check_pool(x, mp, base_set), "pool IOVAs");
	if (base_set) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		TEST_ASSERT_NOT_NULL(m, "alloc");
		TEST_ASSERT(m->buf_iova >= base && m->buf_iova < base + size,
			"buf_iova 0x%" PRIx64 " from the base 0x%" PRIx64,
			m->buf_iova, base);
		rte_pktmbuf_free(m);
	}
	if (base_set)
		TEST_ASSERT_SUCCESS(audit_xmem(x, mp, base, ps, desc), "audit");
	TEST_ASSERT_SUCCESS(ports_start(mp), "ports");
	TEST_ASSERT_SUCCESS(send_receive(x, mp, ports[0], ports[1], 0x11), "0 -> 1");
	TEST_ASSERT_SUCCESS(send_receive(x, mp, ports[1], ports[0], 0x77), "1 -> 0");
	return TEST_SUCCESS;
}

static int
run_once(bool base_set, uint64_t base, uint64_t size, uint64_t ps)
{
	struct iol_xmem_params p = params(size, ps);
	struct rte_mempool *mp = NULL;
	struct iol_xmem *x;
	struct snap before;
	unsigned int n_runs = 0, maps;
	void *va;
	int ret;

	p.iova_base = base;
	p.iova_base_set = base_set;
	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	ret = run_body(x, base_set, base, size, ps, &before, &mp, &n_runs);
	ports_stop();
	if (ret == TEST_SUCCESS && mp != NULL)
		TEST_ASSERT_EQUAL(rte_mempool_avail_count(mp), mp->size, "mbufs back");
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy");
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT(rte_mempool_lookup("xmem_pool") == NULL, "pool freed");
	TEST_ASSERT_SUCCESS(check_calls_balanced(&maps), "unmaps");
	TEST_ASSERT_EQUAL(maps, N_PORTS * n_runs, "maps");
	TEST_ASSERT_EQUAL(n_calls, 2 * maps, "each map undone");
	return check_nothing_left(&before, va);
}

static int
test_xmem_run(void)
{
	return run_once(false, 0, 8 * MIB, PS_2M);
}

static int
test_xmem_iova_base(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x = NULL;
	struct snap before;
	int ret;

	if (!pa_mode) {
		ret = run_once(true, 0x50200000, 8 * MIB, PS_2M);
		if (ret != TEST_SUCCESS)
			return ret;
		/*
		 * The seed's base: 1 MiB aligned, below the 2 MiB pages. VFIO
		 * needs the IOMMU's page only (4 KiB here): accepted, each page
		 * at base + i * 2 MiB, audited, with the superpage note.
		 */
		return run_once(true, 0x50100000, 8 * MIB, PS_2M);
	}
	/* PA mode: the IOVA is the physical address, a base is refused. */
	p.iova_base = 0x50200000;
	p.iova_base_set = true;
	snap_take(&before);
	ret = iol_xmem_create(&p, &x, err, sizeof(err));
	printf("refused: %s\n", err);
	TEST_ASSERT(ret < 0 && x == NULL, "base accepted in PA mode");
	TEST_ASSERT_STR_CONTAINS(err, "IOVA-as-PA mode", "reason");
	TEST_ASSERT_STR_CONTAINS(err, "--iova-mode=va", "what to do");
	TEST_ASSERT_EQUAL(n_calls, 0, "nothing mapped");
	return check_nothing_left(&before, NULL);
}

static int
test_xmem_1g(void)
{
	if (free_pages(GIB) < 1)
		TEST_SKIP("no free 1 GiB hugepage (%" PRId64 "): echo 1 > /sys/kernel/"
			"mm/hugepages/hugepages-1048576kB/nr_hugepages", free_pages(GIB));
	return run_once(!pa_mode, pa_mode ? 0 : 0x40000000, GIB, GIB);
}

static int
test_xmem_no_dma_map(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);
	struct iol_xmem *x;
	struct snap before;
	void *va;
	int ret = TEST_FAILED;

	p.no_dma_map = true;
	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	if (rte_mem_virt2memseg_list(va) == NULL)
		printf("not registered\n");
	else if (iol_xmem_n_mapped(x) != 0 || n_calls != 0)
		printf("mapped for %u devices, %u DMA map calls\n",
			iol_xmem_n_mapped(x), n_calls);
	else
		ret = TEST_SUCCESS;
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy");
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "no_dma_map");
	TEST_ASSERT_EQUAL(n_calls, 0, "no DMA unmap call");
	return check_nothing_left(&before, va);
}

/* ---- (2) rollback ---- */

static int
rollback(enum iol_xmem_step step)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x = NULL;
	struct snap before;
	unsigned int maps;
	char what[32];
	int ret;

	inject(&p, step, 1);
	snap_take(&before);
	ret = iol_xmem_create(&p, &x, err, sizeof(err));
	printf("step %s: %s\n", iol_xmem_step_name(step), err);
	TEST_ASSERT(ret < 0, "create did not fail");
	TEST_ASSERT(x == NULL, "out set on failure");
	TEST_ASSERT_STR_CONTAINS(err, "injected failure", "message");
	snprintf(what, sizeof(what), "step %s", iol_xmem_step_name(step));
	if (step != IOL_XMEM_STEP_MAP)
		TEST_ASSERT_STR_CONTAINS(err, what, "names the step");
	TEST_ASSERT_STR_CONTAINS(err, "rolled back", "says what was undone");
	TEST_ASSERT_STR_CONTAINS(err, "hugepages released", "memory released");
	TEST_ASSERT_SUCCESS(check_calls_balanced(&maps), "unmaps");
	if (step == IOL_XMEM_STEP_MAP) {
		/* The second device refused; the first one was unmapped last. */
		TEST_ASSERT_STR_CONTAINS(err, rte_dev_name(devs[1]), "names the device");
		TEST_ASSERT_STR_CONTAINS(err, "(2 of 2)", "which one");
		TEST_ASSERT_STR_CONTAINS(err, "va 0x", "range");
		TEST_ASSERT_STR_CONTAINS(err, "iova 0x", "range");
		TEST_ASSERT_STR_CONTAINS(err, "len 0x", "range");
		TEST_ASSERT_STR_CONTAINS(err, "unregistered", "rollback");
		TEST_ASSERT(maps >= 1, "device 0 was mapped");
		TEST_ASSERT(!calls[n_calls - 1].map &&
			calls[n_calls - 1].dev == devs[0], "device 0 unmapped last");
	} else {
		TEST_ASSERT_EQUAL(maps, 0, "nothing mapped before step %s",
			iol_xmem_step_name(step));
	}
	if (step == IOL_XMEM_STEP_REGISTER)
		TEST_ASSERT_STR_CONTAINS(err, "unregistered", "rollback");
	return check_nothing_left(&before, NULL);
}

/* A device that really refuses (not the injection): rte_errno's text. */
static int
refusing_map(struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	if (dev == devs[1]) {
		rte_errno = ENOTSUP;
		return -1;
	}
	return rec_map(dev, va, iova, len);
}

static const struct iol_xmem_hooks refusing_ops = {
	.map = refusing_map, .unmap = rec_unmap,
};

static int
test_xmem_map_refused(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x = NULL;
	struct snap before;
	unsigned int maps;

	use_ops(&p, &refusing_ops);
	snap_take(&before);
	TEST_ASSERT(iol_xmem_create(&p, &x, err, sizeof(err)) == -ENOTSUP,
		"create: %s", err);
	printf("refused map: %s\n", err);
	TEST_ASSERT(x == NULL, "out set");
	TEST_ASSERT_STR_CONTAINS(err, rte_dev_name(devs[1]), "device");
	TEST_ASSERT_STR_CONTAINS(err, rte_strerror(ENOTSUP), "error text");
	TEST_ASSERT_STR_CONTAINS(err, "vfio-pci", "hint");
	TEST_ASSERT_SUCCESS(check_calls_balanced(&maps), "unmaps");
	TEST_ASSERT(maps >= 1 && calls[n_calls - 1].dev == devs[0],
		"device 0 mapped then unmapped");
	return check_nothing_left(&before, NULL);
}

static int test_xmem_rollback_alloc(void) { return rollback(IOL_XMEM_STEP_ALLOC); }
static int test_xmem_rollback_lock(void) { return rollback(IOL_XMEM_STEP_LOCK); }
static int test_xmem_rollback_register(void) { return rollback(IOL_XMEM_STEP_REGISTER); }
static int test_xmem_rollback_map(void) { return rollback(IOL_XMEM_STEP_MAP); }

static int
rollback_pool_body(struct iol_xmem *x)
{
	struct rte_mempool *mp;

	mp = iol_xmem_pool_create(x, "xmem_pool_fail", 1023, 32,
		RTE_MBUF_DEFAULT_BUF_SIZE, err, sizeof(err));
	printf("step pool: %s\n", err);
	TEST_ASSERT(mp == NULL, "pool created");
	TEST_ASSERT_STR_CONTAINS(err, "injected failure", "message");
	TEST_ASSERT_STR_CONTAINS(err, "xmem_pool_fail", "names the pool");
	TEST_ASSERT(rte_mempool_lookup("xmem_pool_fail") == NULL,
		"half-built pool left behind");
	return TEST_SUCCESS;
}

static int
test_xmem_rollback_pool(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x;
	struct snap before;
	void *va;
	int ret;

	inject(&p, IOL_XMEM_STEP_POOL, 0);
	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	ret = rollback_pool_body(x);
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy");
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_SUCCESS(check_calls_balanced(NULL), "unmaps");
	return check_nothing_left(&before, va);
}

static int
pool_too_big_body(struct iol_xmem *x)
{
	struct rte_mempool *mp;

	mp = iol_xmem_pool_create(x, "xmem_pool_big", 8191, 32,
		RTE_MBUF_DEFAULT_BUF_SIZE, err, sizeof(err));
	printf("too big: %s\n", err);
	TEST_ASSERT(mp == NULL, "pool of 8191 mbufs in 4 MiB");
	TEST_ASSERT_STR_CONTAINS(err, "holds only", "message");
	TEST_ASSERT_STR_CONTAINS(err, "(4 MiB of 4 MiB)", "what is left");
	TEST_ASSERT(rte_mempool_lookup("xmem_pool_big") == NULL, "pool left");
	mp = iol_xmem_pool_create(x, "xmem_pool_small", 511, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, err, sizeof(err));
	TEST_ASSERT_NOT_NULL(mp, "%s", err);
	TEST_ASSERT_SUCCESS(check_pool(x, mp, false), "pool IOVAs");
	/* What the first pool took is no longer offered. */
	mp = iol_xmem_pool_create(x, "xmem_pool_big2", 8191, 32,
		RTE_MBUF_DEFAULT_BUF_SIZE, err, sizeof(err));
	printf("too big after a pool: %s\n", err);
	TEST_ASSERT(mp == NULL, "second big pool");
	TEST_ASSERT(strstr(err, "(4 MiB of 4 MiB)") == NULL,
		"the memory left counts the first pool: %s", err);
	return TEST_SUCCESS;
}

/* A pool larger than the memory: a clear error, the memory still usable. */
static int
test_xmem_pool_too_big(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);
	struct iol_xmem *x;
	struct snap before;
	void *va;
	int ret;

	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	ret = pool_too_big_body(x);
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy");
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT(rte_mempool_lookup("xmem_pool_small") == NULL, "pool freed");
	TEST_ASSERT_SUCCESS(check_calls_balanced(NULL), "unmaps");
	return check_nothing_left(&before, va);
}

/* ---- (2b) DPDK's VFIO container: mapped once for all its devices ---- */

/*
 * A fake container with the kernel's and eal_vfio.c's semantics: a second
 * map of a range already there succeeds without effect (EEXIST taken as
 * "already mapped"), an unmap of a range not there fails ("Couldn't find
 * previously mapped region", EINVAL). Which devices are "in" it is chosen
 * per test; the calls are recorded and passed to the real rte_dev_dma_map
 * too (net_ring: a no-op) only when the container records a new range.
 */
#define FAKE_MAX 64
static struct iol_iova_seg fake_maps[FAKE_MAX];
static unsigned int n_fake;
static bool fake_in[N_PORTS];

static int
fake_find(uint64_t iova, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < n_fake; i++)
		if (fake_maps[i].iova == iova && fake_maps[i].len == len)
			return (int)i;
	return -1;
}

static bool
fake_is_in(const struct rte_device *dev)
{
	unsigned int i;

	for (i = 0; i < N_PORTS; i++)
		if (dev == devs[i])
			return fake_in[i];
	return false;
}

static int
fake_map(struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	if (n_calls < RTE_DIM(calls))
		calls[n_calls++] = (struct call){ true, dev,
			(uint64_t)(uintptr_t)va, iova, len };
	if (!fake_is_in(dev))
		return rte_dev_dma_map(dev, va, iova, len);
	if (fake_find(iova, len) >= 0)
		return 0; /* EEXIST: "already mapped", nothing recorded */
	if (n_fake == FAKE_MAX) {
		rte_errno = ENOSPC;
		return -1;
	}
	fake_maps[n_fake++] = (struct iol_iova_seg){
		.va = (uint64_t)(uintptr_t)va, .iova = iova, .len = len };
	return 0;
}

static int
fake_unmap(struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	int i;

	if (n_calls < RTE_DIM(calls))
		calls[n_calls++] = (struct call){ false, dev,
			(uint64_t)(uintptr_t)va, iova, len };
	if (!fake_is_in(dev))
		return rte_dev_dma_unmap(dev, va, iova, len);
	i = fake_find(iova, len);
	if (i < 0) {
		rte_errno = EINVAL;
		return -1;
	}
	fake_maps[i] = fake_maps[--n_fake];
	return 0;
}

static const struct iol_xmem_hooks fake_ops = {
	.map = fake_map, .unmap = fake_unmap, .in_vfio_container = fake_is_in,
};

static int
container_body(struct iol_xmem *x, unsigned int n_in, unsigned int *n_runsp)
{
	struct iol_iova_seg r[64];
	unsigned int n_runs, i, d, want_devs = 0;
	bool calls_for[N_PORTS] = { false };
	char desc[256];

	iol_xmem_describe(x, desc, sizeof(desc));
	printf("in container %d %d: %s\n", fake_in[0], fake_in[1], desc);
	n_runs = iol_xmem_ranges(x, r, RTE_DIM(r));
	*n_runsp = n_runs;
	TEST_ASSERT(n_runs >= 1 && n_runs <= RTE_DIM(r), "%u runs", n_runs);
	TEST_ASSERT_EQUAL(iol_xmem_n_mapped(x), N_PORTS, "devices mapped");
	TEST_ASSERT_EQUAL(iol_xmem_n_container(x), n_in, "devices in the container");
	if (n_in > 1)
		TEST_ASSERT_STR_CONTAINS(desc, "once in DPDK's VFIO container, "
			"shared by 2 of them", "describe");
	/* The devices not in it, and the first one in it, get map calls. */
	for (d = 0; d < N_PORTS; d++) {
		bool first_in = fake_in[d] && (d == 0 || !fake_in[0]);

		if (!fake_in[d] || first_in)
			want_devs++;
	}
	TEST_ASSERT_EQUAL(n_calls, want_devs * n_runs, "map calls");
	for (i = 0; i < n_calls; i++) {
		TEST_ASSERT(calls[i].map, "call %u is a map", i);
		for (d = 0; d < N_PORTS; d++)
			if (calls[i].dev == devs[d])
				calls_for[d] = true;
	}
	for (d = 0; d < N_PORTS; d++)
		TEST_ASSERT_EQUAL(calls_for[d], !(fake_in[d] && d > 0 && fake_in[0]),
			"device %u got map calls", d);
	TEST_ASSERT_EQUAL(n_fake, n_in > 0 ? n_runs : 0, "container mappings");
	return TEST_SUCCESS;
}

static int
container_case(bool in0, bool in1)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x;
	struct snap before;
	unsigned int n_runs = 0, maps, n_in = in0 + in1;
	void *va;
	int ret;

	fake_in[0] = in0;
	fake_in[1] = in1;
	n_fake = 0;
	use_ops(&p, &fake_ops);
	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	ret = container_body(x, n_in, &n_runs);
	/* With a map per device, the second unmap would fail here. */
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy: an unmap failed");
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_EQUAL(n_fake, 0, "container mappings left");
	TEST_ASSERT_SUCCESS(check_calls_balanced(&maps), "unmaps");
	TEST_ASSERT_EQUAL(n_calls, 2 * maps, "each map undone once");
	return check_nothing_left(&before, va);
}

static int
test_xmem_vfio_container(void)
{
	int ret;

	ret = container_case(true, true);
	if (ret == TEST_SUCCESS)
		ret = container_case(false, true);
	if (ret == TEST_SUCCESS)
		ret = container_case(true, false);
	if (ret == TEST_SUCCESS)
		ret = container_case(false, false);
	return ret;
}

/* Rollback of a MAP failure with both devices in the container. */
static int
test_xmem_vfio_container_rollback(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x = NULL;
	struct snap before;
	unsigned int maps;
	int ret;

	fake_in[0] = fake_in[1] = true;
	n_fake = 0;
	use_ops(&p, &fake_ops);
	inject(&p, IOL_XMEM_STEP_MAP, 1);
	snap_take(&before);
	ret = iol_xmem_create(&p, &x, err, sizeof(err));
	printf("container rollback: %s\n", err);
	TEST_ASSERT(ret < 0 && x == NULL, "create did not fail");
	TEST_ASSERT_STR_CONTAINS(err, "(2 of 2)", "which device");
	TEST_ASSERT_STR_CONTAINS(err, "DMA unmapped", "rollback");
	TEST_ASSERT(strstr(err, "unmap failed") == NULL, "an unmap failed: %s", err);
	TEST_ASSERT_EQUAL(n_fake, 0, "container mappings left");
	TEST_ASSERT_SUCCESS(check_calls_balanced(&maps), "unmaps");
	TEST_ASSERT(maps >= 1, "device 0 mapped");
	for (ret = 0; ret < (int)n_calls; ret++)
		TEST_ASSERT(calls[ret].dev == devs[0], "call %d for device 1", ret);
	return check_nothing_left(&before, NULL);
}

/* ---- (2c) an unmap that fails: the memory stays mapped and registered ---- */

static struct rte_device *unmap_refuser;

static int
failing_unmap(struct rte_device *dev, void *va, uint64_t iova, size_t len)
{
	if (dev == unmap_refuser) {
		if (n_calls < RTE_DIM(calls))
			calls[n_calls++] = (struct call){ false, dev,
				(uint64_t)(uintptr_t)va, iova, len };
		rte_errno = EINVAL;
		return -1;
	}
	return rec_unmap(dev, va, iova, len);
}

static const struct iol_xmem_hooks failing_unmap_ops = {
	.map = rec_map, .unmap = failing_unmap,
};

/* What a failed unmap leaves: registered and mapped. Release it here. */
static int
release_left(void *va, uint64_t len)
{
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(va),
		"memory unregistered although an unmap failed");
	TEST_ASSERT_EQUAL(proc_hugetlb_kb() >= (int64_t)(len >> 10), 1,
		"hugepages released although an unmap failed");
	TEST_ASSERT_SUCCESS(rte_extmem_unregister(va, len), "unregister");
	TEST_ASSERT_SUCCESS(munmap(va, len), "munmap");
	return TEST_SUCCESS;
}

static int
test_xmem_unmap_fails(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	struct iol_xmem *x = NULL;
	struct snap before;
	void *va;
	int ret;

	/* destroy: device 1 refuses its unmap. */
	use_ops(&p, &failing_unmap_ops);
	unmap_refuser = devs[1];
	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	ret = iol_xmem_destroy(x);
	TEST_ASSERT_EQUAL(ret, -1, "destroy did not report the failed unmap");
	ret = release_left(va, 8 * MIB);
	if (ret != TEST_SUCCESS)
		return ret;
	ret = check_nothing_left(&before, va);
	if (ret != TEST_SUCCESS)
		return ret;

	/* create's rollback: device 1 fails to map, device 0 to unmap. */
	p = params(8 * MIB, PS_2M);
	use_ops(&p, &failing_unmap_ops);
	inject(&p, IOL_XMEM_STEP_MAP, 1);
	unmap_refuser = devs[0];
	snap_take(&before);
	ret = iol_xmem_create(&p, &x, err, sizeof(err));
	printf("unmap fails in rollback: %s\n", err);
	TEST_ASSERT(ret < 0 && x == NULL, "create did not fail");
	TEST_ASSERT(n_calls >= 1 && calls[0].map, "device 0 mapped");
	va = (void *)(uintptr_t)calls[0].va;
	TEST_ASSERT_STR_CONTAINS(err, "unmap failed for device", "says so");
	TEST_ASSERT_STR_CONTAINS(err, rte_dev_name(devs[0]), "names the device");
	TEST_ASSERT_STR_CONTAINS(err, rte_strerror(EINVAL), "error");
	TEST_ASSERT_STR_CONTAINS(err, "memory left mapped and registered", "what stays");
	TEST_ASSERT(strstr(err, "DMA unmapped") == NULL &&
		strstr(err, "hugepages released") == NULL,
		"claims a rollback that did not happen: %s", err);
	ret = release_left(va, 8 * MIB);
	if (ret != TEST_SUCCESS)
		return ret;
	return check_nothing_left(&before, va);
}

/* ---- (3) bad inputs ---- */

static int
refused(struct iol_xmem_params *p, const char *needle, const char *needle2)
{
	struct iol_xmem *x = NULL;
	struct snap before;
	int ret;

	snap_take(&before);
	ret = iol_xmem_create(p, &x, err, sizeof(err));
	printf("refused: %s\n", err);
	TEST_ASSERT(ret < 0, "accepted");
	TEST_ASSERT(x == NULL, "out set");
	TEST_ASSERT(strncmp(err, "xmem: ", 6) == 0, "message prefix");
	TEST_ASSERT_STR_CONTAINS(err, needle, "reason");
	if (needle2 != NULL)
		TEST_ASSERT_STR_CONTAINS(err, needle2, "detail");
	TEST_ASSERT_EQUAL(n_calls, 0, "a DMA map was attempted");
	return check_nothing_left(&before, NULL);
}

static uint64_t
iommu_64k(void)
{
	return 64 * 1024;
}

/*
 * The base must be aligned to the IOMMU's smallest page (here an IOMMU of
 * 64 KiB pages, as an arm64 SMMU with a 64K granule): 0x50101000 is 4 KiB
 * aligned only, refused before anything is mapped, naming the page size
 * and the next aligned base.
 */
static int
test_xmem_bad_misaligned_base(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);

	hooks.iommu_page_size = iommu_64k;
	p.iova_base = 0x50101000;
	p.iova_base_set = true;
	if (pa_mode)
		return refused(&p, "IOVA-as-PA mode", NULL);
	return refused(&p, "is not aligned to the IOMMU's smallest page, 64 KiB "
		"(0x10000, from test hook)", "the next aligned base is 0x50110000");
}

static int
test_xmem_bad_reserved_base(void)
{
	struct iol_xmem_params p = params(8 * MIB, PS_2M);
	char root[512];

	TEST_NEED_FIXTURES();
	test_fixture_root(root, sizeof(root), "x86-vtd");
	p.sysfs_root = root;
	p.iova_base = 0xfee00000;  /* the MSI window of the fixture */
	p.iova_base_set = true;
	if (pa_mode)
		return refused(&p, "IOVA-as-PA mode", NULL);
	return refused(&p, "iova-reserved", "msi");
}

/* Every family's reserved regions, from the lab's hosts: refused, named. */
static int
test_xmem_bad_reserved_families(void)
{
	static const struct {
		const char *fixture;
		uint64_t base;
		const char *what;
	} cases[] = {
		{ "arm64-smmuv3", 0x8000000, "the SMMU's software MSI window (ARM SMMU)" },
		{ "amd-vi", 0xfd00000000, "the HyperTransport hole (AMD-Vi)" },
		{ "amd-vi", 0xfee00000, "the x86 interrupt address range (AMD-Vi)" },
		{ "virtio-iommu", 0xfee00000, "the x86 interrupt address range (virtio-iommu)" },
	};
	char root[512];
	unsigned int i;
	int ret;

	TEST_NEED_FIXTURES();
	for (i = 0; i < RTE_DIM(cases); i++) {
		struct iol_xmem_params p = params(8 * MIB, PS_2M);

		test_fixture_root(root, sizeof(root), cases[i].fixture);
		p.sysfs_root = root;
		p.iova_base = cases[i].base;
		p.iova_base_set = true;
		ret = pa_mode ? refused(&p, "IOVA-as-PA mode", NULL) :
			refused(&p, "IOVA plan refused (iova-reserved)", cases[i].what);
		if (ret != TEST_SUCCESS)
			return ret;
	}
	return TEST_SUCCESS;
}

static int
first_memseg(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	void *arg)
{
	if (msl->external || ms->iova == RTE_BAD_IOVA)
		return 0;
	*(uint64_t *)arg = RTE_ALIGN_FLOOR(ms->iova, PS_2M);
	return 1;
}

static int
test_xmem_bad_memseg_overlap(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);
	uint64_t iova = RTE_BAD_IOVA;

	if (pa_mode)
		TEST_SKIP("PA mode: the base is refused before this check");
	TEST_ASSERT_EQUAL(rte_memseg_walk(first_memseg, &iova), 1, "a DPDK memseg");
	p.iova_base = iova;
	p.iova_base_set = true;
	return refused(&p, "overlaps the IOVAs of DPDK memory", NULL);
}

static int
last_msl_page(const struct rte_memseg_list *msl, void *arg)
{
	if (msl->external || msl->base_va == NULL || msl->len < 8 * MIB)
		return 0;
	*(uint64_t *)arg = RTE_ALIGN_FLOOR((uint64_t)(uintptr_t)msl->base_va +
		msl->len - 4 * MIB, PS_2M);
	return 1;
}

/* VA mode: DPDK's reserved (not yet filled) memseg list VA range. */
static int
test_xmem_bad_memseg_list_overlap(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);
	uint64_t iova = RTE_BAD_IOVA;

	if (pa_mode)
		TEST_SKIP("PA mode: the base is refused before this check");
	TEST_ASSERT_EQUAL(rte_memseg_list_walk(last_msl_page, &iova), 1,
		"a DPDK memseg list");
	TEST_ASSERT(rte_mem_virt2memseg((void *)(uintptr_t)iova, NULL) == NULL ||
		rte_mem_virt2memseg((void *)(uintptr_t)iova, NULL)->addr == NULL,
		"the end of the list is allocated");
	p.iova_base = iova;
	p.iova_base_set = true;
	return refused(&p, "reserved for a memseg list", "choose another IOVA base");
}

static int
test_xmem_bad_sysfs_root(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);

	p.sysfs_root = "/nonexistent/iovaloop-sysfs";
	return refused(&p, "cannot read the sysfs root /nonexistent/iovaloop-sysfs",
		NULL);
}

static int
test_xmem_bad_size(void)
{
	struct iol_xmem_params p = params(3 * MIB, PS_2M);
	int ret;

	ret = refused(&p, "not a non-zero multiple of the page size", "3 MiB");
	if (ret != TEST_SUCCESS)
		return ret;
	p = params(0, PS_2M);
	ret = refused(&p, "not a non-zero multiple", NULL);
	if (ret != TEST_SUCCESS)
		return ret;
	p = params(8 * MIB, 3 * MIB);
	return refused(&p, "not a power of two", NULL);
}

static int
test_xmem_bad_no_free_hugepages(void)
{
	struct iol_xmem_params p;
	int64_t f2 = free_pages(PS_2M), f1 = free_pages(GIB);
	int ret;

	/* More 2 MiB pages than there are free. */
	p = params((uint64_t)(f2 + 1) * PS_2M, PS_2M);
	ret = refused(&p, "not enough free hugepages of 2048 kB", "nr_hugepages");
	if (ret != TEST_SUCCESS)
		return ret;
	/* 1 GiB pages: none reserved, or more than are free. */
	if (f1 < 0)
		TEST_SKIP("this host has no 1 GiB hugepage size");
	p = params((uint64_t)(f1 + 1) * GIB, GIB);
	return refused(&p, "not enough free hugepages of 1048576 kB", NULL);
}

/*
 * A sysfs root whose only content is a 2M pool of 16 free pages, @p resv
 * of them reserved by other mappings. Returns its path in @p root.
 */
static int
reserved_root(char *root, size_t size, const char *resv)
{
	static const char *const files[] = {
		"nr_hugepages", "free_hugepages", "resv_hugepages",
	};
	char path[512];
	unsigned int i;
	FILE *f;

	snprintf(root, size, "%s/iol-xmem-XXXXXX",
		getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/sys/kernel/mm/hugepages/hugepages-2048kB",
		root);
	for (char *sl = strchr(path + strlen(root) + 1, '/'); sl != NULL;
	     sl = strchr(sl + 1, '/')) {
		*sl = '\0';
		mkdir(path, 0755);
		*sl = '/';
	}
	if (mkdir(path, 0755) < 0)
		return -1;
	for (i = 0; i < RTE_DIM(files); i++) {
		snprintf(path, sizeof(path), "%s/sys/kernel/mm/hugepages/"
			"hugepages-2048kB/%s", root, files[i]);
		f = fopen(path, "w");
		if (f == NULL)
			return -1;
		fputs(i == 2 ? resv : "16\n", f);
		fclose(f);
	}
	return 0;
}

static void
reserved_root_rm(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("could not remove %s\n", root);
}

/*
 * The hugepage counts are the doctor's, under sysfs_root: 16 free of
 * which 12 are reserved do not hold 8 pages (the host may have plenty);
 * with 4 reserved they do.
 */
static int
test_xmem_bad_reserved_hugepages(void)
{
	struct iol_xmem_params p = params(16 * MIB, PS_2M);
	struct iol_xmem *x = NULL;
	char root[256];
	int ret;

	TEST_ASSERT_SUCCESS(reserved_root(root, sizeof(root), "12\n"), "root");
	p.sysfs_root = root;
	ret = refused(&p, "not enough free hugepages of 2048 kB: too few free "
		"2MB hugepages on the host: 16 free of 16, 12 of them reserved by "
		"other mappings, need 8", "fix: echo 20 > /sys/kernel/mm/hugepages/"
		"hugepages-2048kB/nr_hugepages");
	reserved_root_rm(root);
	if (ret != TEST_SUCCESS)
		return ret;

	TEST_ASSERT_SUCCESS(reserved_root(root, sizeof(root), "4\n"), "root");
	p = params(16 * MIB, PS_2M);
	p.sysfs_root = root;
	ret = iol_xmem_create(&p, &x, err, sizeof(err));
	reserved_root_rm(root);
	TEST_ASSERT_SUCCESS(ret, "12 of 16 free not reserved: %s", err);
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy");
	return check_calls_balanced(NULL);
}

static int
test_xmem_bad_numa_node(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);
	int node = 7;

	if (numa_available() >= 0 && numa_max_node() >= node)
		node = numa_max_node() + 1;
	p.numa_node = node;
	return refused(&p, "does not exist", "NUMA node");
}

/* What the run's report takes from the memory: kind, sizes, mode, maps. */
static int
test_xmem_report(void)
{
	struct iol_xmem_params p = params(4 * MIB, PS_2M);
	struct iol_iova_seg r[4];
	struct iol_xmem *x;
	struct snap before;
	unsigned int n_runs;
	char desc[256];
	void *va;

	snap_take(&before);
	TEST_ASSERT_SUCCESS(iol_xmem_create(&p, &x, err, sizeof(err)), "%s", err);
	va = iol_xmem_addr(x);
	iol_xmem_describe(x, desc, sizeof(desc));
	n_runs = iol_xmem_ranges(x, r, RTE_DIM(r));
	TEST_ASSERT_EQUAL(iol_xmem_page_size(x), PS_2M, "page size");
	TEST_ASSERT_EQUAL(iol_xmem_len(x), 4 * MIB, "size");
	TEST_ASSERT_EQUAL(iol_xmem_n_mapped(x), 2, "devices");
	TEST_ASSERT_EQUAL(iol_xmem_n_container(x), 0, "container");
	TEST_ASSERT_SUCCESS(iol_xmem_destroy(x), "destroy");
	printf("%s\n", desc);
	TEST_ASSERT(strncmp(desc, "xmem 4 MiB, 2 MiB pages", 23) == 0, "kind");
	TEST_ASSERT_STR_CONTAINS(desc, pa_mode ? "PA mode" : "VA mode", "mode");
	TEST_ASSERT_STR_CONTAINS(desc, "DMA mapped for 2 devices", "devices");
	TEST_ASSERT(strstr(desc, "VFIO container") == NULL, "container");
	TEST_ASSERT(n_runs >= 1 && n_runs <= RTE_DIM(r), "ranges: %u", n_runs);
	TEST_ASSERT_SUCCESS(check_calls_balanced(NULL), "unmaps");
	return check_nothing_left(&before, va);
}

static struct unit_test_suite xmem_suite = {
	.suite_name = "xmem",
	.setup = xmem_setup,
	.teardown = xmem_teardown,
	.unit_test_cases = {
		TEST_CASE(test_xmem_run),
		TEST_CASE(test_xmem_iova_base),
		TEST_CASE(test_xmem_1g),
		TEST_CASE(test_xmem_no_dma_map),
		TEST_CASE(test_xmem_rollback_alloc),
		TEST_CASE(test_xmem_rollback_lock),
		TEST_CASE(test_xmem_rollback_register),
		TEST_CASE(test_xmem_rollback_map),
		TEST_CASE(test_xmem_rollback_pool),
		TEST_CASE(test_xmem_map_refused),
		TEST_CASE(test_xmem_pool_too_big),
		TEST_CASE(test_xmem_vfio_container),
		TEST_CASE(test_xmem_vfio_container_rollback),
		TEST_CASE(test_xmem_unmap_fails),
		TEST_CASE(test_xmem_bad_misaligned_base),
		TEST_CASE(test_xmem_bad_reserved_base),
		TEST_CASE(test_xmem_bad_reserved_families),
		TEST_CASE(test_xmem_bad_memseg_overlap),
		TEST_CASE(test_xmem_bad_memseg_list_overlap),
		TEST_CASE(test_xmem_bad_sysfs_root),
		TEST_CASE(test_xmem_bad_size),
		TEST_CASE(test_xmem_bad_no_free_hugepages),
		TEST_CASE(test_xmem_bad_reserved_hugepages),
		TEST_CASE(test_xmem_bad_numa_node),
		TEST_CASE(test_xmem_report),
		TEST_CASES_END()
	}
};

static int
xmem_autotest(void)
{
	return unit_test_suite_runner(&xmem_suite);
}

REGISTER_EAL_TEST(xmem_autotest, xmem_autotest);
