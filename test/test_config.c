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
	char buf[512];

	snprintf(buf, sizeof(buf), "iovaloop %s", line);
	return test_config_parse(&cfg, buf, err, sizeof(err));
}

/* Each bad value: rejected, with a message naming the option and what it takes. */
static const struct {
	const char *args;
	const char *names;      /* the option, in the message */
	const char *accepts;    /* what is accepted, in the message */
} bad[] = {
	{ "--pkt-size 55", "--pkt-size", "from 56" },
	{ "--frame ipv6", "--frame", "raw or udp" },
	{ "--frame udp --pkt-size 83", "--pkt-size", "accepts 84 to 9000" },
	{ "--queues 2 --pkt-size 64", "--pkt-size", "chosen for --queues above 1" },
	{ "--frame udp --pkt-size 84 --test-fault corrupt@1", "--test-fault", "85 or more" },
	{ "--pkt-size 9001", "--pkt-size", "to 9000" },
	{ "--mbuf-size 55", "--mbuf-size", "from 56" },
	{ "--frame udp --mbuf-size 83", "--mbuf-size", "accepts 84 to 65407" },
	{ "--mbuf-size 65408", "--mbuf-size", "to 65407" },
	{ "--mbuf-size 2k", "--mbuf-size", "number of bytes" },
	{ "--pkt-size 64x", "--pkt-size", "frame length" },
	{ "--burst 0", "--burst", "from 1 to 512" },
	{ "--burst 513", "--burst", "from 1 to 512" },
	{ "--burst -1", "--burst", "from 1 to 512" },
	{ "--mode pingpong", "--mode", "loop, txonly, rxonly, dma or probe" },
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
	{ "--mem xmem --iova-base 0x50100800", "--iova-base", "not aligned to 4 KiB" },
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

/* Parse the arguments as given, spaces and all. */
static int
parse_args(const char *const *args)
{
	char *argv[MAX_ARGS];
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t)"iovaloop";
	for (; *args != NULL && argc < MAX_ARGS - 1; args++)
		argv[argc++] = (char *)(uintptr_t)*args;
	argv[argc] = NULL;
	err[0] = '\0';
	return iol_config_parse(&cfg, argc, argv, err, sizeof(err));
}

#define ARGS(...) { __VA_ARGS__, NULL }

/*
 * Strict numbers and lists: one 0x at most, no space, sign, exponent, hex
 * float, inf or nan; seconds N or N.N only; no empty list item. Each is
 * refused in one line naming the option and what it accepts.
 */
static const struct {
	const char *args[8];
	const char *names;
	const char *accepts;
} strict[] = {
	{ ARGS("--inflight", "0x0x40"), "--inflight", "from 1 to 65536" },
	{ ARGS("--inflight", " 64"), "--inflight", "from 1 to 65536" },
	{ ARGS("--inflight", "64 "), "--inflight", "from 1 to 65536" },
	{ ARGS("--inflight", "+64"), "--inflight", "from 1 to 65536" },
	{ ARGS("--inflight", "6.4e1"), "--inflight", "from 1 to 65536" },
	{ ARGS("--burst", "0x"), "--burst", "from 1 to 512" },
	{ ARGS("--burst", "1e1"), "--burst", "from 1 to 512" },
	{ ARGS("--pkt-size", "0x0x40"), "--pkt-size", "from 56" },
	{ ARGS("--pkt-size", "0x1p6"), "--pkt-size", "from 56" },
	{ ARGS("--queues", "0x 1"), "--queues", "from 1 to 16" },
	{ ARGS("--rxd", "\t1024"), "--rxd", "from 16 to 32768" },
	{ ARGS("--txd", "1024\n"), "--txd", "from 16 to 32768" },
	{ ARGS("--loss-timeout", "5.0"), "--loss-timeout", "from 1 to 60000" },
	{ ARGS("--run-id", "0x0x1"), "--run-id", "non-zero 32-bit" },
	{ ARGS("--run-id", "-1"), "--run-id", "non-zero 32-bit" },
	{ ARGS("--mode", "txonly", "--tx-rate", "1e6"), "--tx-rate", "from 1 to 1000000000" },
	{ ARGS("--mem", "xmem", "--iova-base", "0x0x50200000"), "--iova-base", "an address" },
	{ ARGS("--mem", "xmem", "--xmem-size", "0x0x4M"), "--xmem-size", "such as 64M" },
	{ ARGS("--mem", "xmem", "--xmem-size", "6.4e1M"), "--xmem-size", "such as 64M" },
	{ ARGS("--mem", "xmem", "--page-size", " 2M"), "--page-size", "2M or 1G" },
	{ ARGS("--duration", " 1"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "1 "), "--duration", "written N or N.N" },
	{ ARGS("--duration", "+1"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "-0"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "1e1"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "1E1"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "0x1p0"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "0x10"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "inf"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "nan"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "infinity"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "1."), "--duration", "written N or N.N" },
	{ ARGS("--duration", ".5"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "1.5.2"), "--duration", "written N or N.N" },
	{ ARGS("--duration", "1,5"), "--duration", "written N or N.N" },
	{ ARGS("--duration", ""), "--duration", "written N or N.N" },
	{ ARGS("--duration", "10000001"), "--duration", "from 0 to 10000000" },
	{ ARGS("--stats-period", "0x1p-1"), "--stats-period", "from 0.1 to 3600" },
	{ ARGS("--stats-period", "NAN"), "--stats-period", "from 0.1 to 3600" },
	{ ARGS("--link-timeout", "INF"), "--link-timeout", "from 0 to 600" },
	{ ARGS("--link-timeout", "1e2"), "--link-timeout", "from 0 to 600" },
	{ ARGS("--ports", "0,,1"), "--ports", "no empty item" },
	{ ARGS("--ports", "0,1,"), "--ports", "no empty item" },
	{ ARGS("--ports", ",0,1"), "--ports", "no empty item" },
	{ ARGS("--ports", ","), "--ports", "no empty item" },
	{ ARGS("--ports", ""), "--ports", "no empty item" },
	{ ARGS("--ports", "0, 1"), "--ports", "distinct port ids" },
	{ ARGS("--ports", "0x0,0"), "--ports", "distinct port ids" },
	{ ARGS("--ports", "0x0x1"), "--ports", "distinct port ids" },
	{ ARGS("--test-fault", "corrupt@1,"), "--test-fault", "no empty item" },
	{ ARGS("--test-fault", ",corrupt@1"), "--test-fault", "no empty item" },
	{ ARGS("--test-fault", "drop@5,,dup@9"), "--test-fault", "no empty item" },
	{ ARGS("--test-fault", ""), "--test-fault", "no empty item" },
	{ ARGS("--test-fault", "drop@0x0x5"), "--test-fault", "KIND@N" },
	{ ARGS("--test-fault", "drop@ 5"), "--test-fault", "KIND@N" },
	{ ARGS("--test-fault", "drop@-1"), "--test-fault", "KIND@N" },
	{ ARGS("--test-fault", "drop@1e3"), "--test-fault", "KIND@N" },
	{ ARGS("--test-fault", "drop@"), "--test-fault", "KIND@N" },
	{ ARGS("--test-fault", "@5"), "--test-fault", "corrupt, drop, dup or swap" },
	{ ARGS("--test-fault", " drop@5"), "--test-fault", "corrupt, drop, dup or swap" },
	/* Options as written: the argument itself, never the one before it. */
	{ ARGS("-x"), "-x: unknown option", "see --help" },
	{ ARGS("-xy"), "-xy: unknown option", "see --help" },
	{ ARGS("--burst", "4", "-xy"), "-xy: unknown option", "see --help" },
	{ ARGS("--nonsense"), "--nonsense: unknown option", "see --help" },
	{ ARGS("--nonsense=3"), "--nonsense: unknown option", "see --help" },
	{ ARGS("--test"), "--test: ambiguous", "see --help" },
	{ ARGS("--json"), "--json: needs a value", "value" },
	/* Combinations that could not verify what they claim. */
	{ ARGS("--mode", "rxonly", "--verify", "none"), "--verify", "header or full" },
	{ ARGS("--mode", "rxonly", "--test-fault", "drop@5"), "--test-fault",
	  "only with --mode loop or txonly" },
	{ ARGS("--verify", "none", "--test-fault", "drop@5"), "--test-fault",
	  "--verify header or full" },
	{ ARGS("--test-fault", "drop@5,dup@5"), "--test-fault", "two faults at frame 5" },
	{ ARGS("--test-fault", "drop@5", "--test-fault", "corrupt@5"), "--test-fault",
	  "two faults at frame 5" },
	{ ARGS("--test-fault", "swap@10,swap@11"), "swap@10", "(swap@11)" },
	{ ARGS("--test-fault", "drop@11,swap@10"), "swap@10", "(drop@11)" },
	{ ARGS("--test-fault", "swap@10,dup@11"), "--test-fault", "two frames or more after a swap" },
	{ ARGS("--test-fault", "swap@10,corrupt@11"), "--test-fault", "(corrupt@11)" },
	{ ARGS("--pkt-size", "56", "--test-fault", "corrupt@3"), "--test-fault",
	  "needs --pkt-size 57" },
	{ ARGS("--mode", "txonly", "--pkt-size", "56", "--test-fault", "corrupt@3"),
	  "--test-fault", "needs --pkt-size 57" },
};

static int
test_config_strict(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(strict); i++) {
		TEST_ASSERT(parse_args(strict[i].args) == -1, "%u: '%s %s' accepted", i,
			strict[i].args[0], strict[i].args[1] ? strict[i].args[1] : "");
		TEST_ASSERT_STR_CONTAINS(err, strict[i].names, "%u", i);
		TEST_ASSERT_STR_CONTAINS(err, strict[i].accepts, "%u", i);
		TEST_ASSERT(strchr(err, '\n') == NULL, "one line: '%s'", err);
	}
	return TEST_SUCCESS;
}

/* A value given to a flag: exactly one wording. */
static int
test_config_flag_values(void)
{
	static const struct { const char *arg, *msg; } flags[] = {
		{ "--allow-noiommu=1", "--allow-noiommu: takes no value" },
		{ "--test-no-dma-map=x", "--test-no-dma-map: takes no value" },
		{ "--help=x", "--help: takes no value" },
		{ "--help=", "--help: takes no value" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(flags); i++) {
		TEST_ASSERT(parse_args((const char *const []){ flags[i].arg, NULL }) == -1,
			"'%s' accepted", flags[i].arg);
		TEST_ASSERT(strcmp(err, flags[i].msg) == 0, "'%s': '%s'", flags[i].arg, err);
	}
	return TEST_SUCCESS;
}

/* What strictness still accepts, and the faults that apply exactly. */
static int
test_config_strict_accepts(void)
{
	static const struct { const char *args[8]; } good[] = {
		{ ARGS("--duration", "0") }, { ARGS("--duration", "1.25") },
		{ ARGS("--duration", "007.50") }, { ARGS("--stats-period", "0") },
		{ ARGS("--stats-period", "0.1") }, { ARGS("--link-timeout", "600") },
		{ ARGS("--inflight", "0x40") }, { ARGS("--inflight", "0X40") },
		{ ARGS("--ports", "0") }, { ARGS("--ports", "0x1,0") },
		{ ARGS("--mode", "rxonly", "--verify", "header") },
		{ ARGS("--mode", "txonly", "--verify", "none", "--test-fault", "drop@5") },
		{ ARGS("--test-fault", "drop@9,swap@10,dup@12") },
		{ ARGS("--test-fault", "swap@10,swap@12") },
		{ ARGS("--test-fault", "swap@18446744073709551615") },
		{ ARGS("--verify", "header", "--test-fault", "drop@1,dup@3,swap@5") },
		/* Applies; header verification is expected not to see it (test_loop). */
		{ ARGS("--verify", "header", "--test-fault", "corrupt@10") },
		{ ARGS("--pkt-size", "57", "--test-fault", "corrupt@0") },
		{ ARGS("--allow-noiommu", "--json=/tmp/x.json") },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(good); i++)
		TEST_ASSERT_SUCCESS(parse_args(good[i].args), "%u '%s %s': %s", i,
			good[i].args[0], good[i].args[1], err);
	TEST_ASSERT_SUCCESS(parse_args((const char *const [])ARGS("--duration", "007.50")),
		"%s", err);
	TEST_ASSERT(cfg.duration == 7.5, "7.5 s");
	TEST_ASSERT_SUCCESS(parse_args((const char *const [])ARGS("--mode", "rxonly",
		"--verify", "header", "--mem", "xmem")), "%s", err);
	TEST_ASSERT_EQUAL(cfg.mode, IOL_MODE_RXONLY, "mode");
	TEST_ASSERT_EQUAL(cfg.verify, IOL_VERIFY_HEADER, "verify");
	TEST_ASSERT_EQUAL(cfg.mem, IOL_MEM_XMEM, "mem");
	return TEST_SUCCESS;
}

/* Naming reads the same tables as parsing. */
static int
test_config_names(void)
{
	static const char *const modes[] = { "loop", "txonly", "rxonly" };
	static const char *const levels[] = { "none", "header", "full" };
	static const char *const mems[] = { "dpdk", "xmem" };
	static const char *const kinds[] = { "corrupt", "drop", "dup", "swap" };
	char arg[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(modes); i++) {
		TEST_ASSERT(strcmp(iol_mode_name((enum iol_mode)i), modes[i]) == 0, "mode %u", i);
		snprintf(arg, sizeof(arg), "--mode %s --verify header", modes[i]);
		TEST_ASSERT_SUCCESS(parse(arg), "%s", err);
		TEST_ASSERT_EQUAL(cfg.mode, i, "%s", modes[i]);
	}
	for (i = 0; i < RTE_DIM(levels); i++)
		TEST_ASSERT(strcmp(iol_verify_name((enum iol_verify_level)i), levels[i]) == 0,
			"level %u", i);
	for (i = 0; i < RTE_DIM(mems); i++)
		TEST_ASSERT(strcmp(iol_mem_name((enum iol_mem_kind)i), mems[i]) == 0, "mem %u", i);
	for (i = 0; i < RTE_DIM(kinds); i++) {
		TEST_ASSERT(strcmp(iol_fault_kind_name((enum iol_fault_kind)i), kinds[i]) == 0,
			"kind %u", i);
		snprintf(arg, sizeof(arg), "--test-fault %s@7", kinds[i]);
		TEST_ASSERT_SUCCESS(parse(arg), "%s", err);
		TEST_ASSERT_EQUAL(cfg.faults[0].kind, i, "%s", kinds[i]);
	}
	TEST_ASSERT(strcmp(iol_mode_name((enum iol_mode)7), "?") == 0, "out of range");
	return TEST_SUCCESS;
}

static int
test_config_defaults_and_values(void)
{
	TEST_ASSERT_SUCCESS(parse(""), "empty: %s", err);
	TEST_ASSERT_EQUAL(cfg.mode, IOL_MODE_LOOP, "mode");
	TEST_ASSERT_EQUAL(cfg.verify, IOL_VERIFY_FULL, "verify");
	TEST_ASSERT_EQUAL(cfg.pkt_size, 64, "pkt size");
	TEST_ASSERT_EQUAL(cfg.mbuf_size, 2048, "mbuf size");
	TEST_ASSERT_EQUAL(iol_config_segs(&cfg), 1, "one segment");
	TEST_ASSERT_EQUAL(cfg.n_ports, 0, "all ports");

	/* A jumbo frame gets mbufs that hold it, unless --mbuf-size says otherwise. */
	TEST_ASSERT_SUCCESS(parse("--pkt-size 9000"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.mbuf_size, 9216, "mbuf grows to the frame and a NIC's slack, in KiB");
	TEST_ASSERT_SUCCESS(parse("--pkt-size 2016"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.mbuf_size, 2048, "2016 + 32 fits the default");
	TEST_ASSERT_SUCCESS(parse("--pkt-size 2017"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.mbuf_size, 3072, "2017 + 32 does not");
	TEST_ASSERT_EQUAL(iol_config_segs(&cfg), 1, "one segment");
	TEST_ASSERT_SUCCESS(parse("--mbuf-size 2048 --pkt-size 9000"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.mbuf_size, 2048, "mbuf size given");
	TEST_ASSERT_EQUAL(iol_config_segs(&cfg), 5, "five segments");
	TEST_ASSERT_SUCCESS(parse("--mbuf-size 56 --pkt-size 112"), "%s", err);
	TEST_ASSERT_EQUAL(iol_config_segs(&cfg), 2, "headers in the first");

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

	/* The seed's base: 1 MiB aligned, fine for VFIO (4 KiB), any page size. */
	TEST_ASSERT_SUCCESS(parse("--mem xmem --iova-base 0x50100000"), "%s", err);
	TEST_ASSERT_EQUAL(cfg.iova_base, 0x50100000, "seed's iova base");
	TEST_ASSERT_SUCCESS(parse("--mem xmem --page-size 1G --xmem-size 1G "
		"--iova-base 0x50101000"), "%s", err);
	TEST_ASSERT_FAIL(parse("--mem xmem --iova-base 0x50100800"), "2 KiB aligned");
	TEST_ASSERT_STR_CONTAINS(err, "--iova-base: 0x50100800 is not aligned to 4 KiB",
		"names the 4 KiB alignment");
	TEST_ASSERT_STR_CONTAINS(err, "0x50101000", "next aligned base");

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
test_config_frame(void)
{
	static const struct {
		const char *args;
		enum iol_stamp_encap frame;
		const char *frame_why;
		uint16_t pkt_size;
		const char *pkt_size_why;
	} frames[] = {
		{ "", IOL_ENCAP_RAW, "one queue: raw", 64, "raw: 64 bytes" },
		{ "--queues 2", IOL_ENCAP_UDP, "more queues: udp",
			92, "udp: headers and one payload word" },
		{ "--queues 2 --frame raw", IOL_ENCAP_RAW, "given", 64, "raw again" },
		{ "--frame udp --pkt-size 84", IOL_ENCAP_UDP, "udp on one queue",
			84, "the smallest UDP frame" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(frames); i++) {
		TEST_ASSERT_SUCCESS(parse(frames[i].args), "%s", err);
		TEST_ASSERT_EQUAL(cfg.frame, frames[i].frame, "%s", frames[i].frame_why);
		TEST_ASSERT_EQUAL(cfg.pkt_size, frames[i].pkt_size, "%s", frames[i].pkt_size_why);
	}
	TEST_ASSERT(strcmp(iol_frame_name(IOL_ENCAP_UDP), "udp") == 0, "name");
	return TEST_SUCCESS;
}

static int
test_config_against_ports(void)
{
	struct iol_port_caps caps[2] = {
		{ .max_rx_queues = 4, .max_tx_queues = 4, .max_frame = 9014, .rss_offloads = 1u << 5, .max_mtu = 9000,
		  .max_rx_pktlen = 9018,
		  .max_segs = 40, .tx_multi_segs = true, .rx_scatter = true,
		  .rx_desc_min = 32, .rx_desc_max = 4096, .tx_desc_min = 32, .tx_desc_max = 4096 },
		{ .max_rx_queues = 1, .max_tx_queues = 1, .max_frame = 1514, .max_mtu = 65535,
		  .max_rx_pktlen = 1518,
		  .max_segs = 8, .rx_desc_min = 32, .rx_desc_max = 512, .tx_desc_min = 32,
		  .tx_desc_max = 4096 },
	};
	const struct iol_port_caps caps1 = caps[1];
	struct iol_port_caps one;

	TEST_ASSERT_SUCCESS(parse("--queues 2"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, caps, 1, err, sizeof(err)),
		"port 0 has 4 queues: %s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)),
		"port 1 has one queue");
	TEST_ASSERT_STR_CONTAINS(err, "--queues: 2 is more than port 1 has", "message");
	TEST_ASSERT_STR_CONTAINS(err, "accepts 1 to 1", "the device's limit");
	caps[1] = caps[0];
	caps[1].rss_offloads = 0;
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)), "no RSS");
	TEST_ASSERT_STR_CONTAINS(err, "port 1 has no RSS", "message");
	caps[1].is_virtual = true;
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)),
		"a vdev maps queue to queue: %s", err);
	TEST_ASSERT_SUCCESS(parse("--queues 2 --frame raw"), "%s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 1, err, sizeof(err)), "raw on RSS");
	TEST_ASSERT_STR_CONTAINS(err, "--frame raw: RSS cannot spread", "message");
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, caps + 1, 1, err, sizeof(err)),
		"raw over a vdev's queues: %s", err);
	caps[1] = caps1;

	/* The device's max MTU caps the frame, not its current MTU (iovaloop raises that). */
	TEST_ASSERT_SUCCESS(parse("--pkt-size 9000 --ports 0,1"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, caps, 1, err, sizeof(err)),
		"a jumbo frame on a port that takes it: %s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)), "max MTU");
	TEST_ASSERT_STR_CONTAINS(err, "--pkt-size: 9000 is over port 1's largest frame, "
		"1514 bytes (max MTU 65535, max RX length 1518 with FCS); accepts 56 to 1514 "
		"on it", "message");

	/* A chain: the device must send and receive chains of that many segments. */
	TEST_ASSERT_SUCCESS(parse("--pkt-size 9000 --mbuf-size 2048"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, caps, 1, err, sizeof(err)),
		"5 segments: %s", err);
	one = caps[0];
	one.tx_multi_segs = false;
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, &one, 1, err, sizeof(err)), "no multi-seg TX");
	TEST_ASSERT_STR_CONTAINS(err, "--mbuf-size: a 9000-byte frame in 2048-byte mbufs "
		"spans 5 segments and port 0 cannot send multi-segment frames "
		"(RTE_ETH_TX_OFFLOAD_MULTI_SEGS); accepts --mbuf-size 9000 or more", "message");
	one = caps[0];
	one.rx_scatter = false;
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, &one, 1, err, sizeof(err)), "no scatter");
	TEST_ASSERT_STR_CONTAINS(err, "cannot receive a frame over several buffers "
		"(RTE_ETH_RX_OFFLOAD_SCATTER); accepts --mbuf-size 9000 or more", "message");
	/* A sender needs no scatter, a receiver no multi-segment TX. */
	TEST_ASSERT_SUCCESS(parse("--mode txonly --pkt-size 9000 --mbuf-size 2048"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, &one, 1, err, sizeof(err)),
		"txonly without scatter: %s", err);
	one = caps[0];
	one.tx_multi_segs = false;
	TEST_ASSERT_SUCCESS(parse("--mode rxonly --pkt-size 9000 --mbuf-size 2048"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, &one, 1, err, sizeof(err)),
		"rxonly without multi-segment TX: %s", err);
	TEST_ASSERT_SUCCESS(parse("--pkt-size 9000 --mbuf-size 2048"), "%s", err);
	one = caps[0];
	one.max_segs = 4;
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, &one, 1, err, sizeof(err)), "segment limit");
	TEST_ASSERT_STR_CONTAINS(err, "spans 5 segments, more than the 4 port 0 takes a "
		"frame; accepts --mbuf-size 2250 or more", "message");
	/* One segment needs neither offload. */
	TEST_ASSERT_SUCCESS(parse("--pkt-size 1514 --rxd 512 --inflight 64"), "%s", err);
	TEST_ASSERT_SUCCESS(iol_config_check_ports(&cfg, &caps[1], 1, err, sizeof(err)),
		"one segment: %s", err);

	TEST_ASSERT_SUCCESS(parse(""), "%s", err);
	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 2, err, sizeof(err)), "rxd");
	TEST_ASSERT_STR_CONTAINS(err, "--rxd: port 1 accepts 32 to 512", "message");

	TEST_ASSERT_FAIL(iol_config_check_ports(&cfg, caps, 0, err, sizeof(err)), "no port");
	TEST_ASSERT_STR_CONTAINS(err, "no port", "message");
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
		TEST_CASE(test_config_strict),
		TEST_CASE(test_config_flag_values),
		TEST_CASE(test_config_strict_accepts),
		TEST_CASE(test_config_names),
		TEST_CASE(test_config_defaults_and_values),
		TEST_CASE(test_config_frame),
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
