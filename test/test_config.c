/* SPDX-License-Identifier: BSD-3-Clause */
#include "iol_config.h"
#include "test.h"

#define MAX_ARGS 48

static struct iol_config cfg;
static char err[256];

/* Parse a space-separated option string. */
static int
parse(const char *line)
{
	char buf[512], *argv[MAX_ARGS], *save = NULL, *tok;
	int argc = 0;

	snprintf(buf, sizeof(buf), "iovaloop %s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < MAX_ARGS - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return iol_config_parse(&cfg, argc, argv, err, sizeof(err));
}

/* Each bad value: rejected, with a message naming the option and what it takes. */
static const struct {
	const char *args;
	const char *names;      /* the option, in the message */
	const char *accepts;    /* what is accepted, in the message */
} bad[] = {
	{ "--pkt-size 55", "--pkt-size", "from 56" },
	{ "--pkt-size 2049", "--pkt-size", "to 2048" },
	{ "--pkt-size 64x", "--pkt-size", "frame length" },
	{ "--burst 0", "--burst", "from 1 to 512" },
	{ "--burst 513", "--burst", "from 1 to 512" },
	{ "--burst -1", "--burst", "from 1 to 512" },
	{ "--mode pingpong", "--mode", "loop, txonly or rxonly" },
	{ "--verify some", "--verify", "none, header or full" },
	{ "--inflight 0", "--inflight", "1 to 65536" },
	{ "--inflight 2000 --rxd 1024", "--inflight", "at most --rxd" },
	{ "--queues 0", "--queues", "1 to 16" },
	{ "--queues 17", "--queues", "1 to 16" },
	{ "--rxd 8", "--rxd", "16 to 32768" },
	{ "--ports 0,1,2", "--ports", "one port or an even number" },
	{ "--ports 0,0", "--ports", "distinct port ids" },
	{ "--ports 0,,x", "--ports", "distinct port ids" },
	{ "--duration -5", "--duration", "seconds" },
	{ "--duration 1s", "--duration", "seconds" },
	{ "--stats-period 0.01", "--stats-period", "0.1 to 3600" },
	{ "--loss-timeout 0", "--loss-timeout", "1 to 60000" },
	{ "--run-id 0", "--run-id", "non-zero 32-bit" },
	{ "--run-id 0x100000000", "--run-id", "non-zero 32-bit" },
	{ "--mem hbm", "--mem", "dpdk or xmem" },
	{ "--page-size 4K --mem xmem", "--page-size", "2M or 1G" },
	{ "--xmem-size 3M --mem xmem", "--xmem-size", "multiple" },
	{ "--xmem-size lots --mem xmem", "--xmem-size", "such as 64M" },
	{ "--iova-base 0x50100000", "--iova-base", "only with --mem xmem" },
	{ "--mem xmem --iova-base 0x50101000", "--iova-base", "not aligned" },
	{ "--mem xmem --iova-base 0xffffffffffe00000", "--iova-base", "wraps" },
	{ "--test-no-dma-map", "--test-no-dma-map", "only with --mem xmem" },
	{ "--test-fault melt@3", "--test-fault", "corrupt, drop, dup or swap" },
	{ "--test-fault drop", "--test-fault", "KIND@N" },
	{ "--json", "--json", "needs a value" },
	{ "--frobnicate", "--frobnicate", "unknown option" },
	{ "stray", "stray", "unexpected argument" },
};

static int
test_config_rejects_each_bad_value(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT(parse(bad[i].args) == -1, "'%s' accepted", bad[i].args);
		TEST_ASSERT_STR_CONTAINS(err, bad[i].names, "'%s'", bad[i].args);
		TEST_ASSERT_STR_CONTAINS(err, bad[i].accepts, "'%s'", bad[i].args);
		TEST_ASSERT(strchr(err, '\n') == NULL, "one line: '%s'", err);
	}
	return TEST_SUCCESS;
}

static int
test_config_defaults_and_values(void)
{
	TEST_ASSERT_SUCCESS(parse(""), "empty: %s", err);
	TEST_ASSERT_EQUAL(cfg.mode, IOL_MODE_LOOP, "mode");
	TEST_ASSERT_EQUAL(cfg.verify, IOL_VERIFY_FULL, "verify");
	TEST_ASSERT_EQUAL(cfg.pkt_size, 64, "pkt size");
	TEST_ASSERT_EQUAL(cfg.n_ports, 0, "all ports");

	TEST_ASSERT_SUCCESS(parse("--mode txonly --verify header --burst 64 "
		"--pkt-size 1514 --queues 2 --ports 1,0 --duration 2.5 "
		"--run-id 0xabc --json /tmp/r.json --test-fault dup@5,swap@9"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.mode, IOL_MODE_TXONLY, "mode");
	TEST_ASSERT_EQUAL(cfg.verify, IOL_VERIFY_HEADER, "verify");
	TEST_ASSERT_EQUAL(cfg.burst, 64, "burst");
	TEST_ASSERT_EQUAL(cfg.pkt_size, 1514, "pkt size");
	TEST_ASSERT_EQUAL(cfg.n_ports, 2, "ports");
	TEST_ASSERT_EQUAL(cfg.ports[0], 1, "port order kept");
	TEST_ASSERT(cfg.duration == 2.5, "duration");
	TEST_ASSERT_EQUAL(cfg.run_id, 0xabc, "run id");
	TEST_ASSERT_EQUAL(cfg.n_faults, 2, "faults");
	TEST_ASSERT_EQUAL(cfg.faults[1].kind, IOL_FAULT_SWAP, "fault kind");
	TEST_ASSERT_EQUAL(cfg.faults[1].at, 9, "fault index");

	/* 010 is ten: people do not mean octal on a command line. */
	TEST_ASSERT_SUCCESS(parse("--burst 010 --run-id 0x10"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.burst, 10, "leading zero is decimal");
	TEST_ASSERT_EQUAL(cfg.run_id, 16, "0x is hex");

	TEST_ASSERT_SUCCESS(parse("--mem xmem --xmem-size 1G --page-size 1G "
		"--iova-base 0x40000000"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.xmem_size, 1ull << 30, "xmem size");
	TEST_ASSERT_EQUAL(cfg.iova_base, 0x40000000, "iova base");
	TEST_ASSERT(cfg.iova_base_set, "iova base set");

	TEST_ASSERT_EQUAL(parse("--help"), 1, "help");
	/* One port loops through itself. */
	TEST_ASSERT_SUCCESS(parse("--ports 3"), "%s", err);
	return TEST_SUCCESS;
}

static int
test_config_sizes(void)
{
	uint64_t v;

	TEST_ASSERT_SUCCESS(iol_parse_size("64M", &v), "64M");
	TEST_ASSERT_EQUAL(v, 64ull << 20, "64M");
	TEST_ASSERT_SUCCESS(iol_parse_size("4096", &v), "plain");
	TEST_ASSERT_EQUAL(v, 4096, "plain");
	TEST_ASSERT_FAIL(iol_parse_size("0", &v), "zero");
	TEST_ASSERT_FAIL(iol_parse_size("1T", &v), "unknown unit");
	TEST_ASSERT_FAIL(iol_parse_size("99999999999999G", &v), "overflow");
	TEST_ASSERT_FAIL(iol_parse_size("", &v), "empty");
	return TEST_SUCCESS;
}

static int
test_config_against_ports(void)
{
	struct iol_port_caps caps[2] = {
		{ .max_rx_queues = 4, .max_tx_queues = 4, .mtu = 1500,
		  .rx_desc_min = 32, .rx_desc_max = 4096, .tx_desc_min = 32, .tx_desc_max = 4096 },
		{ .max_rx_queues = 1, .max_tx_queues = 1, .mtu = 1500,
		  .rx_desc_min = 32, .rx_desc_max = 512, .tx_desc_min = 32, .tx_desc_max = 4096 },
	};

	TEST_ASSERT_SUCCESS(parse("--queues 2"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, caps, 1, err, sizeof(err)),
		"port 0 has 4 queues: %s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)),
		"port 1 has one queue");
	TEST_ASSERT_STR_CONTAINS(err, "--queues: 2 is more than port 1 has", "message");

	TEST_ASSERT_SUCCESS(parse("--pkt-size 1515"), "%s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 1, err, sizeof(err)), "MTU");
	TEST_ASSERT_STR_CONTAINS(err, "--pkt-size: 1515 is over port 0's MTU of 1500", "message");

	TEST_ASSERT_SUCCESS(parse(""), "%s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)), "rxd");
	TEST_ASSERT_STR_CONTAINS(err, "--rxd: port 1 accepts 32 to 512", "message");

	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 0, err, sizeof(err)), "no port");
	TEST_ASSERT_STR_CONTAINS(err, "no port", "message");
	caps[1] = caps[0];
	TEST_ASSERT_SUCCESS(parse(""), "%s", err);
	struct iol_port_caps three[3] = { caps[0], caps[0], caps[0] };
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, three, 3, err, sizeof(err)), "odd");
	TEST_ASSERT_STR_CONTAINS(err, "cannot be paired", "message");
	return TEST_SUCCESS;
}

static struct unit_test_suite config_suite = {
	.suite_name = "option parser",
	.unit_test_cases = {
		TEST_CASE(test_config_rejects_each_bad_value),
		TEST_CASE(test_config_defaults_and_values),
		TEST_CASE(test_config_sizes),
		TEST_CASE(test_config_against_ports),
		TEST_CASES_END()
	}
};

static int
config_autotest(void)
{
	return unit_test_suite_runner(&config_suite);
}

REGISTER_TEST_COMMAND(config_autotest, config_autotest);
