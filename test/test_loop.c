/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End-to-end loops, in-process, through iol_run() exactly as iovaloop
 * runs them: on the virtual pair it creates when there is no device, and
 * on a single ring port that loops back into itself.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_ring.h>

#include "iol_loop.h"
#include "iol_stamp.h"
#include "test.h"

static struct iol_run_result res;

static int
loop_setup(void)
{
	struct rte_mempool *probe;

	/* The run needs a few MiB of hugepage memory: skip honestly without. */
	TEST_MBUF_POOL(probe, "loop_probe", 8191, RTE_MBUF_DEFAULT_BUF_SIZE);
	rte_mempool_free(probe);
	return TEST_SUCCESS;
}

static enum iol_exit
loop_runner(const struct iol_config *cfg, const struct iol_run_env *env)
{
	return iol_run(cfg, env, &res);
}

static enum iol_exit
run(const char *opts)
{
	return test_run_options(loop_runner, "--stats-period 0", opts);
}

static int
no_port_left(void)
{
	return rte_eth_dev_count_total() == 0;
}

static int
test_loop_clean_full(void)
{
	TEST_ASSERT_EQUAL(run("--duration 0.5"), IOL_EXIT_PASS, "clean run");
	TEST_ASSERT(res.audited && res.audit_pages > 0, "audit ran first");
	TEST_ASSERT(res.totals.rx_pkts > 10000, "only %" PRIu64 " frames", res.totals.rx_pkts);
	TEST_ASSERT_EQUAL(res.totals.verified, res.totals.rx_pkts, "every frame verified");
	TEST_ASSERT_EQUAL(res.totals.rx_pkts, res.totals.tx_pkts, "all came back");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 0, "no error");
	TEST_ASSERT(res.totals.lat.count == res.totals.verified, "a latency per frame");
	TEST_ASSERT(no_port_left(), "ports left behind");
	return TEST_SUCCESS;
}

/* Each injected fault is reported once, in its own class, and nothing else. */
static int
test_loop_injected_faults_exact(void)
{
	TEST_ASSERT_EQUAL(run("--duration 0.5 --test-fault corrupt@100,drop@2000,dup@3000,swap@4000"),
		IOL_EXIT_VERIFY, "errors must fail the run");
	TEST_ASSERT_EQUAL(res.totals.err.corrupted, 1, "corrupted");
	TEST_ASSERT_EQUAL(res.totals.err.lost, 1, "lost");
	TEST_ASSERT_EQUAL(res.totals.err.duplicated, 1, "duplicated");
	TEST_ASSERT_EQUAL(res.totals.err.reordered, 1, "reordered");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 4, "nothing else");
	TEST_ASSERT(res.n_diagnosis >= 1, "corruption is explained");
	/* The loop replaced the lost frame and went on. */
	TEST_ASSERT(res.totals.rx_pkts > 10000, "loop kept going");
	TEST_ASSERT(no_port_left(), "ports left behind");

	/* Frames lost while others arrive damaged: a DMA fault is suspected. */
	TEST_ASSERT_EQUAL(run("--duration 0.3 --test-fault drop@100,corrupt@200"),
		IOL_EXIT_VERIFY, "lost and corrupted");
	TEST_ASSERT(res.n_diagnosis >= 1, "diagnosis");
	TEST_ASSERT_STR_CONTAINS(res.diagnosis[0], "DMA faults in the IOMMU", "fault pattern");

	/* A drop at the very end is found by the final flush, not the window. */
	TEST_ASSERT_EQUAL(run("--duration 0.2 --inflight 8 --test-fault drop@3"),
		IOL_EXIT_VERIFY, "drop");
	TEST_ASSERT_EQUAL(res.totals.err.lost, 1, "lost once");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 1, "nothing else");
	return TEST_SUCCESS;
}

static int
test_loop_verify_levels_and_queues(void)
{
	TEST_ASSERT_EQUAL(run("--duration 0.3 --verify none"), IOL_EXIT_PASS, "none");
	TEST_ASSERT(res.totals.rx_pkts > 0, "frames moved");
	TEST_ASSERT_EQUAL(res.totals.verified, 0, "none verifies nothing");

	TEST_ASSERT_EQUAL(run("--duration 0.3 --verify header --queues 2 --pkt-size 1514 "
		"--inflight 128"), IOL_EXIT_PASS, "header, 2 queues, 1514 bytes");
	TEST_ASSERT_EQUAL(res.totals.verified, res.totals.rx_pkts, "verified");
	TEST_ASSERT_EQUAL(res.totals.rx_bytes, res.totals.rx_pkts * 1514, "frame length kept");

	/* A corrupted payload byte is invisible to header verification. */
	TEST_ASSERT_EQUAL(run("--duration 0.2 --verify header --test-fault corrupt@10"),
		IOL_EXIT_PASS, "header level ignores the payload");
	TEST_ASSERT_EQUAL(run("--duration 0.2 --verify full --pkt-size 56 --test-fault dup@5"),
		IOL_EXIT_VERIFY, "smallest frame");
	TEST_ASSERT_EQUAL(res.totals.err.duplicated, 1, "dup at 56 bytes");
	return TEST_SUCCESS;
}

/*
 * Jumbo frames: in one mbuf (the fast path), and in 2 KiB mbufs, 5
 * segments a frame (multi-segment TX, scattered RX, the chain verifier),
 * every frame verified; a fault in a chain is found exactly.
 */
static int
test_loop_jumbo_frames(void)
{
	TEST_ASSERT_EQUAL(run("--duration 0.3 --pkt-size 9000"), IOL_EXIT_PASS,
		"9000 bytes in one mbuf: %s", res.verdict);
	TEST_ASSERT(res.totals.rx_pkts > 1000, "only %" PRIu64 " frames", res.totals.rx_pkts);
	TEST_ASSERT_EQUAL(res.totals.verified, res.totals.rx_pkts, "every frame verified");
	TEST_ASSERT_EQUAL(res.totals.rx_bytes, res.totals.rx_pkts * 9000, "frame length kept");

	TEST_ASSERT_EQUAL(run("--duration 0.3 --pkt-size 9000 --mbuf-size 2048"), IOL_EXIT_PASS,
		"9000 bytes in 5 segments: %s", res.verdict);
	TEST_ASSERT(res.totals.rx_pkts > 1000, "only %" PRIu64 " frames", res.totals.rx_pkts);
	TEST_ASSERT_EQUAL(res.totals.verified, res.totals.rx_pkts, "every frame verified");
	TEST_ASSERT_EQUAL(res.totals.rx_bytes, res.totals.rx_pkts * 9000, "frame length kept");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 0, "no error");
	TEST_ASSERT_EQUAL(res.mbufs_leaked, 0, "every segment back in the pool");

	/* The corrupt fault flips the last segment's last byte; a dup copies the chain. */
	TEST_ASSERT_EQUAL(run("--duration 0.3 --pkt-size 9000 --mbuf-size 2048 "
		"--test-fault corrupt@100,dup@300,swap@500"), IOL_EXIT_VERIFY, "faults in chains");
	TEST_ASSERT_EQUAL(res.totals.err.corrupted, 1, "corrupted");
	TEST_ASSERT_EQUAL(res.totals.err.duplicated, 1, "duplicated");
	TEST_ASSERT_EQUAL(res.totals.err.reordered, 1, "reordered");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 3, "nothing else");
	TEST_ASSERT_EQUAL(res.mbufs_leaked, 0, "no segment leaked");
	TEST_ASSERT(no_port_left(), "ports left behind");
	return TEST_SUCCESS;
}

/* A ring port whose TX ring is its own RX ring; its device name in @p name. */
static int
ring_port(const char *ring_name, struct rte_ring **r, char name[RTE_ETH_NAME_MAX_LEN])
{
	int port;

	*r = rte_ring_create(ring_name, 1024, SOCKET_ID_ANY, 0);
	if (*r == NULL)
		return -1;
	port = rte_eth_from_ring(*r);
	if (port < 0 || rte_eth_dev_get_name_by_port((uint16_t)port, name) != 0) {
		rte_ring_free(*r);
		return -1;
	}
	return port;
}

/* One port whose TX ring is its own RX ring. */
static int
test_loop_single_port(void)
{
	char opts[64], name[RTE_ETH_NAME_MAX_LEN];
	struct rte_ring *r;
	int port = ring_port("loop_self", &r, name);

	TEST_ASSERT(port >= 0, "ring port");
	snprintf(opts, sizeof(opts), "--duration 0.3 --ports %d", port);
	TEST_ASSERT_EQUAL(run(opts), IOL_EXIT_PASS, "single port");
	TEST_ASSERT(res.totals.verified > 1000, "frames looped through one port");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 0, "no error");
	/* The run closed the port; remove the device before its ring. */
	TEST_ASSERT(!rte_eth_dev_is_valid_port((uint16_t)port), "port left open");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "remove %s", name);
	rte_ring_free(r);
	return TEST_SUCCESS;
}

static int
count_external(const struct rte_memseg_list *msl, void *arg)
{
	*(unsigned int *)arg += msl->external != 0;
	return 0;
}

/* No external memory is left registered with DPDK. */
static bool
no_xmem_left(void)
{
	unsigned int n = 0;

	rte_memseg_list_walk(count_external, &n);
	return n == 0;
}

/* External memory, registered and DMA-mapped by iovaloop, carries the loop. */
static int
test_loop_xmem(void)
{
	bool va = rte_eal_iova_mode() == RTE_IOVA_VA;

	TEST_ASSERT_EQUAL(run("--duration 0.3 --mem xmem --xmem-size 32M"),
		IOL_EXIT_PASS, "xmem loop");
	TEST_ASSERT(res.totals.verified > 10000, "frames through xmem");
	TEST_ASSERT(res.audited, "xmem audited");
	TEST_ASSERT(no_xmem_left(), "xmem left registered");

	/* A chosen IOVA base: VA mode only, and refused in PA mode before mapping. */
	TEST_ASSERT_EQUAL(run("--duration 0.3 --mem xmem --xmem-size 32M --iova-base 0x50200000"),
		va ? IOL_EXIT_PASS : IOL_EXIT_SETUP, "iova base");
	TEST_ASSERT(no_xmem_left(), "xmem left registered");
	if (va)
		TEST_ASSERT(res.totals.verified > 10000 && res.audit_pages == 16,
			"16 pages at the chosen base");

	/* Registered, not mapped: on ring ports nothing faults, but any error is
	 * explained by the missing mapping first. */
	TEST_ASSERT_EQUAL(run("--duration 0.3 --mem xmem --xmem-size 32M --test-no-dma-map "
		"--test-fault corrupt@10"), IOL_EXIT_VERIFY, "no DMA map");
	TEST_ASSERT(res.n_diagnosis >= 1, "diagnosis");
	TEST_ASSERT_STR_CONTAINS(res.diagnosis[0], "not DMA-mapped (--test-no-dma-map)",
		"names the missing mapping");

	/* Too little memory for the pool: refused, everything rolled back. */
	TEST_ASSERT_EQUAL(run("--duration 0.3 --mem xmem --xmem-size 2M"),
		IOL_EXIT_SETUP, "pool does not fit");
	TEST_ASSERT(no_xmem_left(), "xmem left registered after the refusal");
	TEST_ASSERT(no_port_left(), "ports left behind");
	return TEST_SUCCESS;
}

/* Every fault listed applies exactly, or the run says which did not. */
static int
test_loop_faults_exact_or_named(void)
{
	TEST_ASSERT_EQUAL(run("--duration 0.3 --test-fault swap@10,swap@12,dup@20"),
		IOL_EXIT_VERIFY, "faults fail the run");
	TEST_ASSERT_EQUAL(res.totals.err.reordered, 2, "two swaps, two late frames");
	TEST_ASSERT_EQUAL(res.totals.err.duplicated, 1, "one dup");
	TEST_ASSERT_EQUAL(iol_errors_total(&res.totals.err), 3, "nothing else");
	TEST_ASSERT_EQUAL(res.mbufs_leaked, 0, "swap holds no mbuf past the run");

	/* A fault never reached fails a run that saw no error, and says so. */
	TEST_ASSERT_EQUAL(run("--duration 0.2 --test-fault drop@10,drop@999999999999"),
		IOL_EXIT_VERIFY, "unfired fault");
	TEST_ASSERT_EQUAL(res.totals.err.lost, 1, "the first one fired");
	TEST_ASSERT(!res.pass, "no pass");
	TEST_ASSERT_STR_CONTAINS(res.verdict, "drop@999999999999 never applied", "named");
	TEST_ASSERT(no_port_left(), "ports left behind");
	return TEST_SUCCESS;
}

/* A receiver that hears nothing has verified nothing: it cannot pass. */
static int
test_loop_rxonly_silence_fails(void)
{
	char opts[96], name[RTE_ETH_NAME_MAX_LEN];
	struct rte_ring *r;
	int port = ring_port("rx_silent", &r, name);

	TEST_ASSERT(port >= 0, "ring port");
	snprintf(opts, sizeof(opts), "--mode rxonly --duration 0.2 --loss-timeout 50 --ports %d",
		port);
	TEST_ASSERT_EQUAL(run(opts), IOL_EXIT_VERIFY, "silence is not a pass");
	TEST_ASSERT_EQUAL(res.run_id, 0, "no run learnt");
	TEST_ASSERT_STR_CONTAINS(res.verdict, "no iovaloop frame was received", "verdict says why");
	TEST_ASSERT(res.n_diagnosis >= 1, "diagnosis");
	TEST_ASSERT_STR_CONTAINS(res.diagnosis[0], "no iovaloop frame", "diagnosis says why");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "remove %s", name);
	rte_ring_free(r);
	return TEST_SUCCESS;
}

/* A sender already running when an rxonly receiver starts. */
struct feeder {
	struct rte_ring *ring;
	struct rte_mempool *mp;
	uint64_t first, last;   /* sent once the ring is drained */
	int sent;
};

static int
feed(struct rte_ring *ring, struct rte_mempool *mp, uint64_t seq)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct iol_stamp_info info = {
		.run_id = 0x5eed, .seq = seq, .flow = 7, .len = 64,
		.dst_port = IOL_STAMP_ANY, .dst_queue = IOL_STAMP_ANY,
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct iol_stamp_ends ends = { 0 };
	struct iol_stamp_prefix prefix;

	if (m == NULL)
		return -1;
	memcpy(ends.dst_mac, mac, 6);
	memcpy(ends.src_mac, mac, 6);
	iol_stamp_prefix_build(&prefix, IOL_ENCAP_RAW, &ends, info.len);
	m->data_len = m->pkt_len = info.len;
	info.tx_iova = rte_pktmbuf_iova(m);
	iol_stamp_write(rte_pktmbuf_mtod(m, uint8_t *), &prefix, &info);
	if (rte_ring_enqueue(ring, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

static void *
feeder_main(void *arg)
{
	struct feeder *f = arg;
	unsigned int waited;
	uint64_t seq;

	/* The receiver discards the backlog at its start: then the run goes on. */
	for (waited = 0; rte_ring_count(f->ring) > 0 && waited < 20000; waited++)
		usleep(1000);
	for (seq = f->first; seq <= f->last; seq++) {
		f->sent += feed(f->ring, f->mp, seq) == 0;
		usleep(2000);
	}
	return NULL;
}

/*
 * What queued before the receiver's first poll, here with a gap as an
 * overflowed receive ring leaves one, is not this receiver's to judge:
 * discarded, not counted lost.
 */
static int
test_loop_rxonly_joins_running_sender(void)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("rx_feed", 511, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	char opts[96], name[RTE_ETH_NAME_MAX_LEN];
	struct rte_ring *r;
	int port = ring_port("rx_join", &r, name);
	struct feeder f = { .ring = r, .mp = mp, .first = 300, .last = 399 };
	pthread_t t;
	uint64_t seq;

	TEST_ASSERT(port >= 0 && mp != NULL, "ring port and pool");
	for (seq = 0; seq < 300; seq++)
		if (seq < 100 || seq >= 200)
			TEST_ASSERT_SUCCESS(feed(r, mp, seq), "backlog frame %" PRIu64, seq);
	TEST_ASSERT_SUCCESS(pthread_create(&t, NULL, feeder_main, &f), "feeder");
	snprintf(opts, sizeof(opts), "--mode rxonly --duration 1.5 --loss-timeout 100 "
		"--run-id 0x5eed --ports %d", port);
	TEST_ASSERT_EQUAL(run(opts), IOL_EXIT_PASS, "joined a running sender: %s", res.verdict);
	pthread_join(t, NULL);
	TEST_ASSERT_EQUAL(res.totals.err.lost, 0, "the backlog's gap is not loss");
	TEST_ASSERT_EQUAL(res.totals.verified, (uint64_t)f.sent, "every frame after it verified");
	TEST_ASSERT(f.sent == 100, "the feeder sent %d frames", f.sent);
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "remove %s", name);
	rte_ring_free(r);
	rte_mempool_free(mp);
	return TEST_SUCCESS;
}

/* --json replaces the file only with a whole report: a refused run keeps the old one. */
static int
test_loop_json_replaced_whole(void)
{
	char dir[] = "/tmp/iol-json.XXXXXX", path[64], opts[128], buf[16] = "";
	FILE *f;

	TEST_ASSERT_NOT_NULL(mkdtemp(dir), "temporary directory");
	snprintf(path, sizeof(path), "%s/r.json", dir);
	f = fopen(path, "w");
	TEST_ASSERT_NOT_NULL(f, "old report");
	fputs("old", f);
	fclose(f);
	snprintf(opts, sizeof(opts), "--duration 0.1 --ports 9 --json %s", path);
	TEST_ASSERT_EQUAL(run(opts), IOL_EXIT_USAGE, "refused run");
	f = fopen(path, "r");
	TEST_ASSERT_NOT_NULL(f, "old report kept");
	TEST_ASSERT(fgets(buf, sizeof(buf), f) != NULL && strcmp(buf, "old") == 0,
		"old report untouched");
	fclose(f);
	snprintf(opts, sizeof(opts), "--duration 0.1 --json %s", path);
	TEST_ASSERT_EQUAL(run(opts), IOL_EXIT_PASS, "clean run");
	f = fopen(path, "r");
	TEST_ASSERT_NOT_NULL(f, "new report");
	TEST_ASSERT(fgets(buf, sizeof(buf), f) != NULL && buf[0] == '{', "a JSON report");
	fclose(f);
	unlink(path);
	/* No temporary file is left beside it: the directory is empty again. */
	TEST_ASSERT_SUCCESS(rmdir(dir), "temporary files left in %s", dir);
	return TEST_SUCCESS;
}

/* Refusals that need the devices: nothing is sent, nothing is left. */
static int
test_loop_refuses_what_devices_cannot_do(void)
{
	TEST_ASSERT_EQUAL(run("--ports 5"), IOL_EXIT_USAGE, "no such port");
	TEST_ASSERT_EQUAL(res.totals.tx_pkts, 0, "nothing sent");
	TEST_ASSERT_EQUAL(run("--mode txonly"), IOL_EXIT_USAGE, "txonly needs a device");
	TEST_ASSERT(no_port_left(), "ports left behind");
	return TEST_SUCCESS;
}

/*
 * Toeplitz as Microsoft's RSS specification defines it, bit by bit over
 * the input bytes in network order: independent of rte_softrss().
 */
static uint32_t
toeplitz(const uint8_t *key, const uint8_t *in, unsigned int n)
{
	uint32_t hash = 0, window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	unsigned int bit;

	for (bit = 0; bit < 8 * n; bit++) {
		if (in[bit / 8] & (0x80 >> (bit % 8)))
			hash ^= window;
		window = window << 1 | ((key[4 + bit / 8] >> (7 - bit % 8)) & 1);
	}
	return hash;
}

static uint32_t
toeplitz_v4(const uint8_t *key, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		bool l4)
{
	uint8_t in[12] = {
		src >> 24, src >> 16, src >> 8, src, dst >> 24, dst >> 16, dst >> 8, dst,
		sport >> 8, sport, dport >> 8, dport,
	};

	return toeplitz(key, in, l4 ? 12 : 8);
}

static void
steer_for_test(struct iol_steer *st, bool l4, uint16_t reta_size, unsigned int queues)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->kind = IOL_STEER_RSS;
	st->l4 = l4;
	st->key_len = sizeof(iol_steer_key);
	memcpy(st->key, iol_steer_key, sizeof(iol_steer_key));
	st->reta_size = reta_size;
	/* Not the usual i % queues: a prediction must read the table. */
	for (i = 0; i < reta_size; i++)
		st->reta[i] = (uint16_t)((i * 7 + i / 5) % queues);
}

static int
test_loop_steer_prediction(void)
{
	/* Microsoft's RSS verification suite (also the 82599 datasheet's, 7.1.2.8.3). */
	uint32_t src = RTE_IPV4(66, 9, 149, 187), dst = RTE_IPV4(161, 142, 100, 80);
	struct iol_stamp_ends ends = { .src_ip = RTE_IPV4(198, 18, 0, 1),
		.dst_ip = RTE_IPV4(198, 18, 0, 2) };
	struct iol_steer st;
	unsigned int q, l4;
	uint32_t h;

	steer_for_test(&st, true, 128, 4);
	TEST_ASSERT_EQUAL(iol_steer_hash(&st, src, dst, 2794, 1766), 0x51ccc178,
		"IPv4 with ports, the published value");
	TEST_ASSERT_EQUAL(toeplitz_v4(iol_steer_key, src, dst, 2794, 1766, true), 0x51ccc178,
		"the test's own Toeplitz agrees");
	st.l4 = false;
	TEST_ASSERT_EQUAL(iol_steer_hash(&st, src, dst, 2794, 1766), 0x323e8fc2,
		"IPv4 alone, the published value");

	for (l4 = 0; l4 < 2; l4++) {
		steer_for_test(&st, l4, 128, 4);
		for (q = 0; q < 4; q++) {
			struct iol_stamp_ends e = ends;

			TEST_ASSERT_SUCCESS(iol_steer_choose(&st, (uint16_t)q, &e), "queue %u", q);
			h = toeplitz_v4(iol_steer_key, e.src_ip, e.dst_ip, e.src_port,
				IOL_STAMP_UDP_PORT, l4);
			TEST_ASSERT_EQUAL(st.reta[h % 128], q, "l4 %u: the flow chosen for queue "
				"%u reaches it", l4, q);
			if (l4)
				TEST_ASSERT_EQUAL(e.src_ip, ends.src_ip, "ports vary, not addresses");
			else
				TEST_ASSERT_EQUAL(e.src_ip >> 16, 0xc613, "198.19.0.0/16 searched");
		}
	}
	/* A table that never names queue 3: refused, not guessed. */
	steer_for_test(&st, true, 64, 3);
	TEST_ASSERT_FAIL(iol_steer_choose(&st, 3, &ends), "queue outside the table");
	/* Without RSS, queue q's flow is port 50000 + q. */
	st.kind = IOL_STEER_QUEUE;
	TEST_ASSERT_SUCCESS(iol_steer_choose(&st, 3, &ends), "queue to queue");
	TEST_ASSERT_EQUAL(ends.src_port, 50003, "50000 + q");
	return TEST_SUCCESS;
}

static int
test_loop_frames_over_queues(void)
{
	TEST_ASSERT_EQUAL(run("--duration 0.3 --queues 4 --frame udp"), IOL_EXIT_PASS, "udp");
	TEST_ASSERT(res.totals.verified > 0 && res.totals.verified == res.totals.rx_pkts,
		"udp: every frame verified");
	TEST_ASSERT_EQUAL(res.totals.rx_bytes, res.totals.rx_pkts * 92, "udp default 92 bytes");
	TEST_ASSERT_EQUAL(run("--duration 0.3 --queues 4 --frame raw"), IOL_EXIT_PASS, "raw");
	TEST_ASSERT(res.totals.verified > 0 && res.totals.verified == res.totals.rx_pkts,
		"raw: every frame verified");
	TEST_ASSERT_EQUAL(res.totals.rx_bytes, res.totals.rx_pkts * 64, "raw default 64 bytes");
	TEST_ASSERT_EQUAL(run("--duration 0.2 --frame udp --pkt-size 85 --test-fault corrupt@3"),
		IOL_EXIT_VERIFY, "udp corrupt fault");
	TEST_ASSERT_EQUAL(res.totals.err.corrupted, 1, "one corrupted in a UDP frame");
	return TEST_SUCCESS;
}

static struct unit_test_suite loop_suite = {
	.suite_name = "verified loop on virtual ports",
	.setup = loop_setup,
	.unit_test_cases = {
		TEST_CASE(test_loop_clean_full),
		TEST_CASE(test_loop_injected_faults_exact),
		TEST_CASE(test_loop_verify_levels_and_queues),
		TEST_CASE(test_loop_single_port),
		TEST_CASE(test_loop_jumbo_frames),
		TEST_CASE(test_loop_xmem),
		TEST_CASE(test_loop_refuses_what_devices_cannot_do),
		TEST_CASE(test_loop_faults_exact_or_named),
		TEST_CASE(test_loop_rxonly_silence_fails),
		TEST_CASE(test_loop_rxonly_joins_running_sender),
		TEST_CASE(test_loop_json_replaced_whole),
		TEST_CASE(test_loop_steer_prediction),
		TEST_CASE(test_loop_frames_over_queues),
		TEST_CASES_END()
	}
};

static int
loop_autotest(void)
{
	return unit_test_suite_runner(&loop_suite);
}

REGISTER_EAL_TEST(loop_autotest, loop_autotest);
