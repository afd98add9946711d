/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <stdlib.h>

#include "iol_stats.h"
#include "test.h"

#define NEAR(a, b, tol) (fabs((double)(a) - (double)(b)) <= (tol))

static int
test_hist_quantiles_within_a_sixteenth(void)
{
	static struct iol_hist h;
	uint64_t v, q50, q99;

	iol_hist_reset(&h);
	TEST_ASSERT_EQUAL(iol_hist_quantile(&h, 0.5), 0, "empty");
	for (v = 1; v <= 100000; v++)
		iol_hist_add(&h, v);
	TEST_ASSERT_EQUAL(h.count, 100000, "count");
	TEST_ASSERT_EQUAL(h.min, 1, "min");
	TEST_ASSERT_EQUAL(h.max, 100000, "max");
	q50 = iol_hist_quantile(&h, 0.5);
	q99 = iol_hist_quantile(&h, 0.99);
	TEST_ASSERT(NEAR(q50, 50000, 50000 / 16.0), "p50 %" PRIu64, q50);
	TEST_ASSERT(NEAR(q99, 99000, 99000 / 16.0), "p99 %" PRIu64, q99);
	TEST_ASSERT_EQUAL(iol_hist_quantile(&h, 1.0), 100000, "p100 is max");
	TEST_ASSERT_EQUAL(iol_hist_quantile(&h, 0.0), 1, "p0 is min");

	/* Small values are exact; huge ones do not overflow the buckets. */
	iol_hist_reset(&h);
	iol_hist_add(&h, 7);
	iol_hist_add(&h, 7);
	iol_hist_add(&h, UINT64_MAX);
	TEST_ASSERT_EQUAL(iol_hist_quantile(&h, 0.5), 7, "exact below 16");
	TEST_ASSERT(iol_hist_index(UINT64_MAX) < IOL_HIST_BUCKETS, "top bucket in range");
	TEST_ASSERT(iol_hist_quantile(&h, 0.99) >= UINT64_MAX - UINT64_MAX / 16, "top");
	return TEST_SUCCESS;
}

static int
test_hist_index_monotonic(void)
{
	unsigned int prev = 0, idx;
	uint64_t v;

	for (v = 0; v < (1u << 20); v++) {
		idx = iol_hist_index(v);
		TEST_ASSERT(idx == prev || idx == prev + 1, "v %" PRIu64 ": %u after %u", v, idx, prev);
		prev = idx;
	}
	return TEST_SUCCESS;
}

/* A batch leaves exactly the histogram that adding one by one does. */
static int
test_hist_batch_equals_one_by_one(void)
{
	static struct iol_hist a, b;
	struct iol_hist_batch batch;
	uint64_t v = 12345;
	unsigned int i;

	iol_hist_reset(&a);
	iol_hist_reset(&b);
	iol_hist_batch_init(&batch);
	for (i = 0; i < 5000; i++) {
		/* Runs in one bucket, jumps between buckets, flushes mid-way. */
		v = (i % 7 == 0) ? v * 3 % 1000003 : v;
		iol_hist_add(&a, v);
		iol_hist_batch_add(&b, &batch, v);
		if (i % 32 == 31)
			iol_hist_batch_flush(&b, &batch);
	}
	iol_hist_batch_flush(&b, &batch);
	iol_hist_batch_flush(&b, &batch); /* an empty batch changes nothing */
	TEST_ASSERT_EQUAL(b.count, a.count, "count");
	TEST_ASSERT_EQUAL(b.min, a.min, "min");
	TEST_ASSERT_EQUAL(b.max, a.max, "max");
	TEST_ASSERT(memcmp(a.bucket, b.bucket, sizeof(a.bucket)) == 0, "buckets");
	return TEST_SUCCESS;
}

static int
test_rates(void)
{
	TEST_ASSERT(NEAR(iol_rate_mpps(14880952, 1.0), 14.880952, 1e-9), "mpps");
	/* 60-byte frames (64 with the FCS) at 10 GbE line rate: 7.14 Gb/s of L2. */
	TEST_ASSERT(NEAR(iol_rate_gbps_wire(14880952, 14880952ull * 60, 1.0), 10.0, 1e-3),
		"wire rate adds FCS, preamble and gap");
	TEST_ASSERT(NEAR(iol_rate_gbps_l2(14880952ull * 60, 1.0), 7.142857, 1e-3), "L2");
	TEST_ASSERT_EQUAL(iol_rate_mpps(5, 0), 0, "no time, no rate");
	TEST_ASSERT(NEAR(iol_cycles_to_ns(3000, 3000000000ull), 1000, 1e-9), "ns");
	return TEST_SUCCESS;
}

static int
test_qstats_merge_and_errors(void)
{
	static struct iol_qstats a, b;
	unsigned int i;

	iol_qstats_reset(&a);
	iol_qstats_reset(&b);
	for (i = 0; i < IOL_ERR_CLASSES; i++)
		a.err.v[i] = i + 1;
	a.rx_pkts = 10;
	b.rx_pkts = 5;
	b.err.lost = 100;
	iol_hist_add(&b.lat, 42);
	iol_qstats_merge(&a, &b);
	TEST_ASSERT_EQUAL(a.rx_pkts, 15, "rx");
	TEST_ASSERT_EQUAL(a.err.lost, 101, "lost by name");
	TEST_ASSERT_EQUAL(a.err.bad_iova, IOL_ERR_CLASSES, "last class");
	TEST_ASSERT_EQUAL(iol_errors_total(&a.err),
		IOL_ERR_CLASSES * (IOL_ERR_CLASSES + 1) / 2 + 100, "total");
	TEST_ASSERT(strcmp(iol_errors_name(IOL_ERR_STALE), "stale") == 0, "stale named");
	/* A hostile count cannot wrap a sum back to small. */
	b.err.foreign = UINT64_MAX - 5;
	iol_qstats_merge(&a, &b);
	TEST_ASSERT_EQUAL(a.err.foreign, UINT64_MAX, "merge saturates");
	TEST_ASSERT_EQUAL(iol_errors_total(&a.err), UINT64_MAX, "total saturates");
	TEST_ASSERT_EQUAL(a.lat.min, 42, "hist merged");
	TEST_ASSERT(strcmp(iol_errors_name(IOL_ERR_LOST), "lost") == 0, "first name");
	TEST_ASSERT(strcmp(iol_errors_name(IOL_ERR_BAD_IOVA), "bad_iova") == 0, "last name");
	TEST_ASSERT_EQUAL(a.err.v[IOL_ERR_REORDERED], a.err.reordered, "array and fields agree");
	return TEST_SUCCESS;
}

/* The latency_ns.count of the first object after @p anchor in @p json; -1 if none. */
static long
latency_count_after(const char *json, const char *anchor)
{
	const char *p = strstr(json, anchor);

	if (p != NULL)
		p = strstr(p, "\"latency_ns\"");
	if (p != NULL)
		p = strstr(p, "\"count\": ");
	return p != NULL ? strtol(p + strlen("\"count\": "), NULL, 10) : -1;
}

/* Drop the JSON writer's white space, to match nested values on one line. */
static void
squeeze(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\n')
			*d++ = *s;
	*d = '\0';
}

static int
test_report_json_and_verdict(void)
{
	static struct iol_qstats q[2];
	static const struct iol_core_stats core = { .cycles = 1000, .busy_cycles = 500, .pkts = 10 };
	struct iol_report_port port = { .port_id = 0, .name = "net_ring", .n_queues = 2, .q = q,
		.lcore = { 1, 3 } };
	struct iol_report_core rc = { .lcore = 1, .s = &core };
	static const struct iol_iova_seg range = { .va = 0x100000000, .iova = 0x50100000, .len = 2 << 20 };
	const char *diag[] = { "port 0 received nothing" };
	static const struct iol_sample sample = { .t = 1, .rx_mpps = 5, .rx_pkts = 5 };
	struct iol_report r = {
		.version = "test", .mode = "loop", .verify = "full", .run_id = 0xabc,
		.pkt_size = 64, .burst = 32, .inflight = 64, .secs = 2.0, .tsc_hz = 1000000000,
		.n_ports = 1, .ports = &port, .n_cores = 1, .cores = &rc,
		.memory = { "dpdk", "va", 2 << 20, 0, 1, &range },
		.n_diagnosis = 1, .diagnosis = diag,
		.n_samples = 1, .samples = &sample,
	};
	struct iol_result v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	iol_qstats_reset(&q[0]);
	iol_qstats_reset(&q[1]);
	q[0].rx_pkts = q[0].verified = 6;
	q[1].rx_pkts = q[1].verified = 4;
	iol_hist_add(&q[0].lat, 2000);
	iol_report_verdict(&r, &v);
	TEST_ASSERT(v.pass, "no errors is a pass");

	f = open_memstream(&buf, &len);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	TEST_ASSERT_SUCCESS(iol_report_json(&r, &v, f), "json written");
	fclose(f);
	TEST_ASSERT_STR_CONTAINS(buf, "\"result\": \"pass\"", "result");
	TEST_ASSERT_STR_CONTAINS(buf, "\"run_id\": \"0x00000abc\"", "run id");
	TEST_ASSERT_STR_CONTAINS(buf, "\"iova\": \"0x50100000\"", "range");
	TEST_ASSERT_STR_CONTAINS(buf, "\"verified\": 10", "totals");
	TEST_ASSERT_STR_CONTAINS(buf, "\"mpps\": 5e-06", "rate over 2 s");
	TEST_ASSERT_STR_CONTAINS(buf, "\"cycles_per_packet\": 100", "cycles per packet");
	TEST_ASSERT_STR_CONTAINS(buf, "\"p50\": 2000", "latency in ns");
	/* Per queue too: queue 0 has the sample, queue 1 none. */
	TEST_ASSERT(latency_count_after(buf, "\"queue\": 0,") == 1, "queue 0 latency");
	TEST_ASSERT(latency_count_after(buf, "\"queue\": 1,") == 0, "queue 1 has no sample");
	TEST_ASSERT(latency_count_after(buf, "\"port\": 0,") == 1, "port latency");
	TEST_ASSERT_STR_CONTAINS(buf, "port 0 received nothing", "diagnosis");
	TEST_ASSERT_STR_CONTAINS(buf, "\"format\": \"iovaloop-report\"", "format named");
	TEST_ASSERT_STR_CONTAINS(buf, "\"format_version\": 2", "format version");
	squeeze(buf);
	/* The one sample of 2000 cycles = 2000 ns lies in the bucket [1984, 2048). */
	TEST_ASSERT_STR_CONTAINS(buf, "\"buckets\":[[1984,2048,1]]", "histogram buckets");
	TEST_ASSERT_STR_CONTAINS(buf, "\"timeline\":[{\"t\":1,\"rx_mpps\":5", "timeline");
	TEST_ASSERT_STR_CONTAINS(buf, "\"queue\":1,\"lcore\":3", "the lcore of each queue");
	free(buf);

	q[1].err.reordered = 1;
	iol_report_verdict(&r, &v);
	TEST_ASSERT(!v.pass, "one error fails");
	buf = NULL;
	f = open_memstream(&buf, &len);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	iol_report_print(&r, &v, f);
	fclose(f);
	TEST_ASSERT_STR_CONTAINS(buf, "Result: FAIL, verification errors: reordered 1", "text verdict");
	TEST_ASSERT_STR_CONTAINS(buf, "reordered: 1", "class shown");
	TEST_ASSERT_STR_CONTAINS(buf, "likely cause: port 0 received nothing", "diagnosis");
	free(buf);
	return TEST_SUCCESS;
}

/* The verdict of a one-queue report of @p mode and @p verify with counters @p q. */
static bool
verdict_of(const char *mode, const char *verify, const struct iol_qstats *q,
		unsigned int n_problems, struct iol_result *v)
{
	struct iol_report_port port = { .n_queues = 1, .q = q };
	const char *problems[] = { "test fault drop@99 never applied" };
	struct iol_report r = {
		.mode = mode, .verify = verify, .n_ports = 1, .ports = &port,
		.n_problems = n_problems, .problems = problems,
	};

	iol_report_verdict(&r, v);
	return v->pass;
}

static int
test_verdict_cannot_lie(void)
{
	static struct iol_qstats q;
	struct iol_result v;

	/* The case: classes that summed in 64 bits wrapped to 0. */
	iol_qstats_reset(&q);
	q.rx_pkts = 201;
	q.verified = 100;
	q.err.lost = UINT64_MAX - 100 + 1;
	q.err.foreign = 101;
	TEST_ASSERT(!verdict_of("rxonly", "full", &q, 0, &v), "wrapping sum fails");
	TEST_ASSERT_STR_CONTAINS(v.text, "lost 18446744073709551516, foreign 101",
		"each class on its own");

	iol_qstats_reset(&q);
	TEST_ASSERT(!verdict_of("rxonly", "full", &q, 0, &v), "nothing received fails");
	TEST_ASSERT_STR_CONTAINS(v.text, "no frame was verified", "says why");
	TEST_ASSERT(!verdict_of("txonly", "full", &q, 0, &v), "nothing sent fails");
	TEST_ASSERT(!verdict_of("loop", "none", &q, 0, &v), "nothing received, none");

	q.rx_pkts = 5091;
	q.verified = 5088;
	q.end_frames = 3;
	TEST_ASSERT(verdict_of("rxonly", "full", &q, 0, &v), "end frames are not data");
	TEST_ASSERT_STR_CONTAINS(v.text, "all 5088 data frames received were verified "
		"(and 3 end-of-flow frames)", "counts what it says");
	TEST_ASSERT(!verdict_of("loop", "full", &q, 1, &v), "a problem fails");
	TEST_ASSERT_STR_CONTAINS(v.text, "drop@99 never applied", "names the problem");
	q.end_frames = 0;
	TEST_ASSERT(!verdict_of("rxonly", "full", &q, 0, &v), "unexplained frames fail");
	TEST_ASSERT_STR_CONTAINS(v.text, "only 5088 of 5091", "says how many");
	TEST_ASSERT(verdict_of("loop", "none", &q, 0, &v), "--verify none counts");
	TEST_ASSERT_STR_CONTAINS(v.text, "contents not checked", "and says so");
	q.tx_pkts = 7;
	TEST_ASSERT(verdict_of("txonly", "full", &q, 0, &v), "txonly sent");
	return TEST_SUCCESS;
}

static struct unit_test_suite stats_suite = {
	.suite_name = "statistics",
	.unit_test_cases = {
		TEST_CASE(test_hist_quantiles_within_a_sixteenth),
		TEST_CASE(test_hist_index_monotonic),
		TEST_CASE(test_hist_batch_equals_one_by_one),
		TEST_CASE(test_rates),
		TEST_CASE(test_qstats_merge_and_errors),
		TEST_CASE(test_report_json_and_verdict),
		TEST_CASE(test_verdict_cannot_lie),
		TEST_CASES_END()
	}
};

static int
stats_autotest(void)
{
	return unit_test_suite_runner(&stats_suite);
}

REGISTER_TEST_COMMAND(stats_autotest, stats_autotest);
