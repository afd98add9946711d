/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iol_config.h"
#include "iol_units.h"

#define PAGE_2M (2ull << 20)
#define PAGE_1G (1ull << 30)

enum {
	OPT_MODE = 256, OPT_VERIFY, OPT_INFLIGHT, OPT_BURST, OPT_PKT_SIZE,
	OPT_QUEUES, OPT_RXD, OPT_TXD, OPT_DURATION, OPT_STATS_PERIOD,
	OPT_LOSS_TIMEOUT, OPT_LINK_TIMEOUT, OPT_JSON, OPT_RUN_ID, OPT_PORTS,
	OPT_MEM, OPT_XMEM_SIZE, OPT_PAGE_SIZE, OPT_IOVA_BASE, OPT_ALLOW_NOIOMMU,
	OPT_TEST_NO_DMA_MAP, OPT_TEST_FAULT, OPT_TX_RATE, OPT_HELP,
};

static const struct option long_options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "verify", required_argument, NULL, OPT_VERIFY },
	{ "inflight", required_argument, NULL, OPT_INFLIGHT },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "pkt-size", required_argument, NULL, OPT_PKT_SIZE },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "loss-timeout", required_argument, NULL, OPT_LOSS_TIMEOUT },
	{ "link-timeout", required_argument, NULL, OPT_LINK_TIMEOUT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "run-id", required_argument, NULL, OPT_RUN_ID },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "xmem-size", required_argument, NULL, OPT_XMEM_SIZE },
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
	{ "iova-base", required_argument, NULL, OPT_IOVA_BASE },
	{ "allow-noiommu", no_argument, NULL, OPT_ALLOW_NOIOMMU },
	{ "test-no-dma-map", no_argument, NULL, OPT_TEST_NO_DMA_MAP },
	{ "test-fault", required_argument, NULL, OPT_TEST_FAULT },
	{ "tx-rate", required_argument, NULL, OPT_TX_RATE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void
iol_config_defaults(struct iol_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = IOL_MODE_LOOP;
	cfg->verify = IOL_VERIFY_FULL;
	cfg->inflight = 64;
	cfg->burst = 32;
	cfg->pkt_size = 64;
	cfg->queues = 1;
	cfg->rxd = 1024;
	cfg->txd = 1024;
	cfg->duration = 10;
	cfg->stats_period = 1;
	cfg->loss_timeout_ms = 500;
	cfg->link_timeout = 10;
	cfg->mem = IOL_MEM_DPDK;
	cfg->xmem_size = 64ull << 20;
	cfg->page_size = PAGE_2M;
}

void
iol_config_usage(FILE *out, const char *prog)
{
	fprintf(out,
"usage: %s [EAL options] -- [options]\n"
"  --mode loop|txonly|rxonly  loop (default): frames circulate between a port\n"
"                             pair, or through one port; txonly sends stamped\n"
"                             frames; rxonly verifies what another iovaloop sends\n"
"  --verify none|header|full  what each received frame is checked for (full);\n"
"                             none passes frames on unread (bytes = frames x size)\n"
"  --inflight N               frames circulating per queue pair (64)\n"
"  --burst N                  RX/TX burst, 1-%d (32)\n"
"  --pkt-size N               frame length without FCS, %zu-%d (64)\n"
"  --queues N                 RX/TX queues per port, 1-%d (1)\n"
"  --rxd N, --txd N           descriptors per queue (1024)\n"
"  --ports LIST               port ids, e.g. 0,1 (all); in loop mode paired in order\n"
"  --duration SEC             run time, 0 until SIGINT/SIGTERM (10)\n"
"  --stats-period SEC         live line period, 0 for none (1)\n"
"  --loss-timeout MS          silence after which frames in flight are lost (500)\n"
"  --link-timeout SEC         wait for link up before the first burst (10)\n"
"  --json FILE                write the final report as JSON\n"
"  --run-id HEX               run id stamped in every frame (random)\n"
"  --tx-rate PPS              txonly: frames per second per queue (unpaced)\n"
"  --mem dpdk|xmem            DPDK's hugepage memory, or external memory\n"
"                             registered and DMA-mapped by iovaloop (dpdk)\n"
"  --xmem-size SIZE           external memory size, multiple of the page (64M)\n"
"  --page-size 2M|1G          external memory page size (2M)\n"
"  --iova-base ADDR           IOVA of the external memory (IOVA-as-VA mode only)\n"
"  --allow-noiommu            accept VFIO's unsafe no-IOMMU mode\n"
"  --test-fault KIND@N[,...]  test only: corrupt|drop|dup|swap the Nth frame sent\n"
"  --test-no-dma-map          test only: register external memory, map nothing\n"
"exit status: 0 all verified, 1 verification errors, 2 bad usage, 3 set-up refused\n",
		prog, IOL_MAX_BURST, IOL_STAMP_MIN_LEN, IOL_MAX_PKT_SIZE, IOL_MAX_QUEUES);
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole unsigned number in [lo, hi]. */
static int
parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;

	if (iol_parse_u64(s, &v) < 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_seconds(const char *s, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || errno != 0 || *end != '\0' || !(v >= 0) || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
iol_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;

	if (iol_parse_scaled(s, &v) < 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int
parse_ports(struct iol_config *cfg, const char *list)
{
	char buf[256], *tok, *save = NULL;
	uint64_t id;
	unsigned int i;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	cfg->n_ports = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (cfg->n_ports == IOL_MAX_PORTS ||
		    parse_uint(tok, 0, IOL_MAX_PORTS - 1, &id) < 0)
			return -1;
		for (i = 0; i < cfg->n_ports; i++)
			if (cfg->ports[i] == id)
				return -1;
		cfg->ports[cfg->n_ports++] = (uint16_t)id;
	}
	return cfg->n_ports > 0 ? 0 : -1;
}

static const char *const fault_names[] = {
	[IOL_FAULT_CORRUPT] = "corrupt", [IOL_FAULT_DROP] = "drop",
	[IOL_FAULT_DUP] = "dup", [IOL_FAULT_SWAP] = "swap",
};

const char *
iol_fault_name(enum iol_fault_kind k)
{
	return fault_names[k];
}

static int
parse_faults(struct iol_config *cfg, const char *list)
{
	char buf[256], *tok, *save = NULL, *at;
	unsigned int k;
	uint64_t n;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		at = strchr(tok, '@');
		if (at == NULL || cfg->n_faults == IOL_MAX_FAULTS)
			return -1;
		*at = '\0';
		for (k = 0; k < RTE_DIM(fault_names); k++)
			if (strcmp(tok, fault_names[k]) == 0)
				break;
		if (k == RTE_DIM(fault_names) || parse_uint(at + 1, 0, UINT64_MAX, &n) < 0)
			return -1;
		cfg->faults[cfg->n_faults].kind = (enum iol_fault_kind)k;
		cfg->faults[cfg->n_faults++].at = n;
	}
	return cfg->n_faults > 0 ? 0 : -1;
}

/* The loop pairs ports in order: one port loops to itself, otherwise pairs. */
static int
check_pairing(const struct iol_config *cfg, unsigned int n_ports, char *err, size_t errlen)
{
	if (cfg->mode == IOL_MODE_LOOP && n_ports > 1 && n_ports % 2 != 0)
		return fail(err, errlen, "--ports: %u ports cannot be paired; loop mode "
			"accepts one port or an even number (paired in order)", n_ports);
	return 0;
}

/* Checks that involve more than one option. */
static int
check_combination(const struct iol_config *cfg, bool size_given, char *err, size_t errlen)
{
	if (cfg->inflight > cfg->rxd)
		return fail(err, errlen, "--inflight: %u frames do not fit in %u RX "
			"descriptors (--rxd); accepts at most --rxd", cfg->inflight, cfg->rxd);
	if (cfg->burst > cfg->rxd || cfg->burst > cfg->txd)
		return fail(err, errlen, "--burst: %u is more than a queue's descriptors "
			"(--rxd %u, --txd %u)", cfg->burst, cfg->rxd, cfg->txd);
	if (cfg->tx_rate > 0 && cfg->mode != IOL_MODE_TXONLY)
		return fail(err, errlen, "--tx-rate: only with --mode txonly (the loop "
			"is paced by --inflight)");
	if (check_pairing(cfg, cfg->n_ports, err, errlen) < 0)
		return -1;
	if (cfg->mem != IOL_MEM_XMEM) {
		if (cfg->iova_base_set)
			return fail(err, errlen, "--iova-base: only with --mem xmem");
		if (cfg->test_no_dma_map)
			return fail(err, errlen, "--test-no-dma-map: only with --mem xmem");
		if (size_given)
			return fail(err, errlen, "--xmem-size/--page-size: only with --mem xmem");
		return 0;
	}
	if (cfg->xmem_size % cfg->page_size != 0)
		return fail(err, errlen, "--xmem-size: %" PRIu64 " bytes is not a multiple "
			"of the %" PRIu64 " MiB page size", cfg->xmem_size, cfg->page_size >> 20);
	if (cfg->iova_base_set && cfg->iova_base % cfg->page_size != 0)
		return fail(err, errlen, "--iova-base: 0x%" PRIx64 " is not aligned to the "
			"%" PRIu64 " MiB page size", cfg->iova_base, cfg->page_size >> 20);
	if (cfg->iova_base_set && cfg->iova_base + cfg->xmem_size < cfg->iova_base)
		return fail(err, errlen, "--iova-base: 0x%" PRIx64 " + --xmem-size wraps "
			"past 2^64", cfg->iova_base);
	return 0;
}

int
iol_config_parse(struct iol_config *cfg, int argc, char **argv,
		char *err, size_t errlen)
{
	bool size_given = false;
	uint64_t v;
	int opt;

	iol_config_defaults(cfg);
	optind = 0;     /* glibc: start afresh, the EAL used getopt too */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_MODE:
			if (strcmp(optarg, "loop") == 0)
				cfg->mode = IOL_MODE_LOOP;
			else if (strcmp(optarg, "txonly") == 0)
				cfg->mode = IOL_MODE_TXONLY;
			else if (strcmp(optarg, "rxonly") == 0)
				cfg->mode = IOL_MODE_RXONLY;
			else
				return fail(err, errlen, "--mode: unknown mode '%s'; "
					"accepts loop, txonly or rxonly", optarg);
			break;
		case OPT_VERIFY:
			if (strcmp(optarg, "none") == 0)
				cfg->verify = IOL_VERIFY_NONE;
			else if (strcmp(optarg, "header") == 0)
				cfg->verify = IOL_VERIFY_HEADER;
			else if (strcmp(optarg, "full") == 0)
				cfg->verify = IOL_VERIFY_FULL;
			else
				return fail(err, errlen, "--verify: unknown level '%s'; "
					"accepts none, header or full", optarg);
			break;
		case OPT_INFLIGHT:
			if (parse_uint(optarg, 1, 65536, &v) < 0)
				return fail(err, errlen, "--inflight: '%s' is not a "
					"number of frames from 1 to 65536", optarg);
			cfg->inflight = (uint32_t)v;
			break;
		case OPT_BURST:
			if (parse_uint(optarg, 1, IOL_MAX_BURST, &v) < 0)
				return fail(err, errlen, "--burst: '%s' is not a burst "
					"size from 1 to %d", optarg, IOL_MAX_BURST);
			cfg->burst = (uint16_t)v;
			break;
		case OPT_PKT_SIZE:
			if (parse_uint(optarg, 0, UINT16_MAX, &v) < 0 ||
			    v < IOL_STAMP_MIN_LEN || v > IOL_MAX_PKT_SIZE)
				return fail(err, errlen, "--pkt-size: '%s' is not a frame "
					"length from %zu (Ethernet and iovaloop headers) to %d "
					"(one mbuf)", optarg, IOL_STAMP_MIN_LEN, IOL_MAX_PKT_SIZE);
			cfg->pkt_size = (uint16_t)v;
			break;
		case OPT_QUEUES:
			if (parse_uint(optarg, 1, IOL_MAX_QUEUES, &v) < 0)
				return fail(err, errlen, "--queues: '%s' is not a queue "
					"count from 1 to %d", optarg, IOL_MAX_QUEUES);
			cfg->queues = (uint16_t)v;
			break;
		case OPT_RXD:
		case OPT_TXD:
			if (parse_uint(optarg, 16, 32768, &v) < 0)
				return fail(err, errlen, "--%s: '%s' is not a descriptor "
					"count from 16 to 32768", opt == OPT_RXD ? "rxd" : "txd", optarg);
			*(opt == OPT_RXD ? &cfg->rxd : &cfg->txd) = (uint16_t)v;
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, 1e7, &cfg->duration) < 0)
				return fail(err, errlen, "--duration: '%s' is not a number "
					"of seconds (0 runs until a signal)", optarg);
			break;
		case OPT_STATS_PERIOD:
			if (parse_seconds(optarg, 3600, &cfg->stats_period) < 0 ||
			    (cfg->stats_period > 0 && cfg->stats_period < 0.1))
				return fail(err, errlen, "--stats-period: '%s' is not 0 or "
					"a number of seconds from 0.1 to 3600", optarg);
			break;
		case OPT_LOSS_TIMEOUT:
			if (parse_uint(optarg, 1, 60000, &v) < 0)
				return fail(err, errlen, "--loss-timeout: '%s' is not a "
					"number of milliseconds from 1 to 60000", optarg);
			cfg->loss_timeout_ms = (uint32_t)v;
			break;
		case OPT_LINK_TIMEOUT:
			if (parse_seconds(optarg, 600, &cfg->link_timeout) < 0)
				return fail(err, errlen, "--link-timeout: '%s' is not a "
					"number of seconds from 0 to 600", optarg);
			break;
		case OPT_JSON:
			if (optarg[0] == '\0')
				return fail(err, errlen, "--json: needs a file name");
			cfg->json_path = optarg;
			break;
		case OPT_RUN_ID:
			if (parse_uint(optarg, 1, UINT32_MAX, &v) < 0)
				return fail(err, errlen, "--run-id: '%s' is not a non-zero "
					"32-bit number (e.g. 0x1234abcd)", optarg);
			cfg->run_id = (uint32_t)v;
			break;
		case OPT_TX_RATE:
			if (parse_uint(optarg, 1, 1000000000, &cfg->tx_rate) < 0)
				return fail(err, errlen, "--tx-rate: '%s' is not a number "
					"of frames per second from 1 to 10^9", optarg);
			break;
		case OPT_PORTS:
			if (parse_ports(cfg, optarg) < 0)
				return fail(err, errlen, "--ports: '%s' is not a list of "
					"distinct port ids from 0 to %d, e.g. 0,1", optarg,
					IOL_MAX_PORTS - 1);
			break;
		case OPT_MEM:
			if (strcmp(optarg, "dpdk") == 0)
				cfg->mem = IOL_MEM_DPDK;
			else if (strcmp(optarg, "xmem") == 0)
				cfg->mem = IOL_MEM_XMEM;
			else
				return fail(err, errlen, "--mem: unknown memory '%s'; "
					"accepts dpdk or xmem", optarg);
			break;
		case OPT_XMEM_SIZE:
			if (iol_parse_size(optarg, &cfg->xmem_size) < 0)
				return fail(err, errlen, "--xmem-size: '%s' is not a size "
					"such as 64M or 1G", optarg);
			size_given = true;
			break;
		case OPT_PAGE_SIZE:
			if (iol_parse_size(optarg, &v) < 0 || (v != PAGE_2M && v != PAGE_1G))
				return fail(err, errlen, "--page-size: '%s' is not a "
					"hugepage size; accepts 2M or 1G", optarg);
			cfg->page_size = v;
			size_given = true;
			break;
		case OPT_IOVA_BASE:
			if (parse_uint(optarg, 0, UINT64_MAX, &cfg->iova_base) < 0)
				return fail(err, errlen, "--iova-base: '%s' is not an "
					"address (e.g. 0x50100000)", optarg);
			cfg->iova_base_set = true;
			break;
		case OPT_ALLOW_NOIOMMU:
			cfg->allow_noiommu = true;
			break;
		case OPT_TEST_NO_DMA_MAP:
			cfg->test_no_dma_map = true;
			break;
		case OPT_TEST_FAULT:
			if (parse_faults(cfg, optarg) < 0)
				return fail(err, errlen, "--test-fault: '%s' is not a list "
					"of KIND@N with KIND corrupt, drop, dup or swap (at "
					"most %d)", optarg, IOL_MAX_FAULTS);
			break;
		case OPT_HELP:
			iol_config_usage(stdout, argv[0]);
			return 1;
		case ':':
			return fail(err, errlen, "%s: needs a value", argv[optind - 1]);
		default:
			return fail(err, errlen, "%s: unknown option; see --help",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "'%s': unexpected argument; options start "
			"with -- (see --help)", argv[optind]);
	return check_combination(cfg, size_given, err, errlen);
}

int
iol_config_check_ports(const struct iol_config *cfg,
		const struct iol_port_caps *caps, unsigned int n_ports,
		char *err, size_t errlen)
{
	unsigned int i;

	if (n_ports == 0)
		return fail(err, errlen, "no port to run on: give devices with -a BDF "
			"(bound to vfio-pci) or none at all for the virtual pair");
	if (check_pairing(cfg, n_ports, err, errlen) < 0)
		return -1;
	for (i = 0; i < n_ports; i++) {
		const struct iol_port_caps *c = &caps[i];

		if (cfg->queues > c->max_rx_queues || cfg->queues > c->max_tx_queues)
			return fail(err, errlen, "--queues: %u is more than port %u "
				"has (%u RX, %u TX)", cfg->queues, i,
				c->max_rx_queues, c->max_tx_queues);
		if (cfg->pkt_size > c->mtu + IOL_STAMP_ETH_LEN)
			return fail(err, errlen, "--pkt-size: %u is over port %u's "
				"MTU of %u (frames up to %u)", cfg->pkt_size, i,
				c->mtu, c->mtu + IOL_STAMP_ETH_LEN);
		if (cfg->rxd > c->rx_desc_max || cfg->rxd < c->rx_desc_min)
			return fail(err, errlen, "--rxd: port %u accepts %u to %u "
				"descriptors", i, c->rx_desc_min, c->rx_desc_max);
		if (cfg->txd > c->tx_desc_max || cfg->txd < c->tx_desc_min)
			return fail(err, errlen, "--txd: port %u accepts %u to %u "
				"descriptors", i, c->tx_desc_min, c->tx_desc_max);
	}
	return 0;
}

const char *
iol_mode_name(enum iol_mode m)
{
	static const char *const names[] = { "loop", "txonly", "rxonly" };

	return names[m];
}

const char *
iol_verify_name(enum iol_verify_level v)
{
	static const char *const names[] = { "none", "header", "full" };

	return names[v];
}
