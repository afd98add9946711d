/* SPDX-License-Identifier: BSD-3-Clause */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iol_config.h"
#include "iol_iommu.h"
#include "iol_units.h"

#define PAGE_2M (2ull << 20)
#define PAGE_1G (1ull << 30)

/* One table of names per enum: parsing and naming read the same one. */
static const char *const mode_names[] = {
	[IOL_MODE_LOOP] = "loop", [IOL_MODE_TXONLY] = "txonly", [IOL_MODE_RXONLY] = "rxonly",
	[IOL_MODE_DMA] = "dma",
	[IOL_MODE_PROBE] = "probe",
};
static const char *const verify_names[] = {
	[IOL_VERIFY_NONE] = "none", [IOL_VERIFY_HEADER] = "header", [IOL_VERIFY_FULL] = "full",
};
static const char *const mem_names[] = { [IOL_MEM_DPDK] = "dpdk", [IOL_MEM_XMEM] = "xmem" };
static const char *const frame_names[] = { [IOL_ENCAP_UDP] = "udp", [IOL_ENCAP_RAW] = "raw" };
static const char *const fault_names[] = {
	[IOL_FAULT_CORRUPT] = "corrupt", [IOL_FAULT_DROP] = "drop",
	[IOL_FAULT_DUP] = "dup", [IOL_FAULT_SWAP] = "swap",
};

struct names {
	const char *const *name;
	unsigned int n;
};

#define NAMES(t) { (t), RTE_DIM(t) }
static const struct names modes = NAMES(mode_names);
static const struct names verifies = NAMES(verify_names);
static const struct names mems = NAMES(mem_names);
static const struct names frames = NAMES(frame_names);
static const struct names fault_kinds = NAMES(fault_names);

static const char *
name_of(const struct names *t, unsigned int v)
{
	return v < t->n ? t->name[v] : "?";
}

/* The index of @p s in @p t, or -1. */
static int
name_find(const struct names *t, const char *s)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (strcmp(s, t->name[i]) == 0)
			return (int)i;
	return -1;
}

/* "a, b or c", for the messages. */
static const char *
name_list(const struct names *t, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < t->n; i++)
		used += (size_t)snprintf(buf + RTE_MIN(used, len - 1), len - RTE_MIN(used, len - 1),
			"%s%s", i == 0 ? "" : i + 1 == t->n ? " or " : ", ", t->name[i]);
	return buf;
}

const char *
iol_mode_name(enum iol_mode m)
{
	return name_of(&modes, m);
}

const char *
iol_verify_name(enum iol_verify_level v)
{
	return name_of(&verifies, v);
}

const char *
iol_mem_name(enum iol_mem_kind m)
{
	return name_of(&mems, m);
}

const char *
iol_frame_name(enum iol_stamp_encap f)
{
	return name_of(&frames, f);
}

const char *
iol_fault_kind_name(enum iol_fault_kind k)
{
	return name_of(&fault_kinds, k);
}

void
iol_config_defaults(struct iol_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = IOL_MODE_LOOP;
	cfg->verify = IOL_VERIFY_FULL;
	cfg->inflight = 64;
	cfg->burst = 32;
	cfg->pkt_size = 64;
	cfg->frame = IOL_ENCAP_RAW;
	cfg->mbuf_size = IOL_DEFAULT_MBUF_SIZE;
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
	cfg->copy_size = 4096;
}

void
iol_config_usage(FILE *out, const char *prog)
{
	fprintf(out,
"usage: %s [EAL options] -- [options]\n"
"  EAL options are DPDK's. Without --in-memory, --huge-unlink or --proc-type,\n"
"  iovaloop adds --in-memory (--no-shconf with --no-huge or --legacy-mem);\n"
"  sharing nothing and without --file-prefix, --file-prefix=iovaloop-PID: no\n"
"  file is left in /dev/hugepages or /var/run/dpdk. Shared files: give\n"
"  --file-prefix NAME --proc-type=primary.\n"
"  --mode loop|txonly|rxonly|dma|probe\n"
"                             loop (default): frames circulate between a port\n"
"                             pair, or through one port; txonly sends stamped\n"
"                             frames; rxonly verifies what another iovaloop sends;\n"
"                             dma: verified copies by a DMA engine (doc/dma.md);\n"
"                             probe: the DMA engine --dma tries IOVAs the IOMMU\n"
"                             must block (doc/probe.md)\n"
"  --verify none|header|full  what each received frame is checked for (full);\n"
"                             none passes frames on unread (bytes = frames x\n"
"                             size); rxonly needs header or full\n"
"  --inflight N               frames circulating per queue pair (64)\n"
"  --burst N                  RX/TX burst, 1-%d (32)\n"
"  --pkt-size N               frame length without FCS, %zu-%d (64; 92 with\n"
"                             --frame udp: one payload word after the headers);\n"
"                             the device's max MTU caps it\n"
"  --mbuf-size N              frame bytes per mbuf (data room after the\n"
"                             headroom), %zu-%d; a longer frame spans several\n"
"                             segments (%d, or --pkt-size + %d rounded up\n"
"                             to 1 KiB if larger)\n"
"  --frame udp|raw            udp: Ethernet, IPv4 198.18.0.0/15 and UDP to port\n"
"                             %u, which RSS spreads over the queues and tcpdump\n"
"                             reads (%u bytes or more); raw: EtherType 0x%04X\n"
"                             (%zu or more); udp with --queues above 1, else raw\n"
"  --queues N                 RX/TX queues per port, 1-%d (1); a NIC's are\n"
"                             steered by RSS iovaloop configures and verifies\n"
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
"  --test-fault KIND@N[,...]  test only (loop, txonly): a fault on the frame\n"
"                             with sequence number N sent on the first port's\n"
"                             queue 0; the run fails with exactly these errors:\n"
"                             corrupt: bit 0x40 of its last byte (payload)\n"
"                               flipped, one corrupted with --verify full\n"
"                               (--pkt-size %zu or more)\n"
"                             drop: not sent, counted sent: one lost\n"
"                             dup: sent, then a copy of it: one duplicated\n"
"                             swap: held, sent right after frame N+1: one\n"
"                               reordered (no fault at N+1)\n"
"                             one fault a frame, at most %d; loop: --verify\n"
"                             header or full\n"
"  --test-no-dma-map          test only: register external memory, map nothing\n"
"  dma mode (--mode dma; takes --inflight, --burst, --duration, --stats-period,\n"
"  --loss-timeout, --json, --run-id, --mem, --xmem-size, --page-size and\n"
"  --iova-base, no other):\n"
"  --dma DEV                  the engine: a dmadev name or id, or nic:BDF\n"
"  --copy-size N              bytes a copy, 1-%u (4096)\n"
"  probe mode (--mode probe; takes --dma, --probe-peer, --json, --mem, --xmem-size,\n"
"  --page-size and --iova-base, no other):\n"
"  --dma nic:BDF              the engine, a NIC whose DMA goes through the IOMMU\n"
"  --probe-peer BDF           a vfio-pci device of another IOMMU group, opened in\n"
"                             a second VFIO container that maps a canary page\n"
"                             (without it that attempt is not made)\n"
"numbers: decimal digits, or 0x and hex digits; SEC: N or N.N; lists:\n"
"comma-separated, no empty item\n"
"exit status: 0 all verified, 1 verification errors, 2 bad usage, 3 set-up refused\n",
		prog, IOL_MAX_BURST, IOL_STAMP_MIN_LEN, IOL_MAX_PKT_SIZE, IOL_STAMP_MIN_LEN,
		IOL_MAX_MBUF_SIZE, IOL_DEFAULT_MBUF_SIZE, IOL_MBUF_SLACK, IOL_STAMP_UDP_PORT,
		iol_stamp_min_len(IOL_ENCAP_UDP), IOL_STAMP_ETHERTYPE, IOL_STAMP_MIN_LEN,
		IOL_MAX_QUEUES,
		IOL_FAULT_CORRUPT_MIN_LEN, IOL_MAX_FAULTS, IOL_MAX_COPY_SIZE);
}


/*
 * @p s as a message shows it: control characters escaped (a newline in an
 * argument must not split the one line of a refusal), cut after 64 bytes.
 */
static const char *
show(const char *s, char *buf, size_t len)
{
	size_t o = 0, i;

	for (i = 0; s[i] != '\0' && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 64) {
			o += (size_t)snprintf(buf + o, len - o, "...");
			break;
		}
		if (c == '\n' || c == '\t')
			o += (size_t)snprintf(buf + o, len - o, "\\%c", c == '\n' ? 'n' : 't');
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
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

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Seconds as people write them on a command line: N or N.N, decimal
 * digits only (strtod() would take spaces, signs, exponents, hex floats,
 * inf and nan).
 */
static int
parse_seconds(const char *s, double *out)
{
	const char *p = s, *frac;

	while (is_digit(*p))
		p++;
	if (p == s)
		return -1;
	if (*p == '.') {
		frac = ++p;
		while (is_digit(*p))
			p++;
		if (p == frac)
			return -1;
	}
	if (*p != '\0')
		return -1;
	*out = strtod(s, NULL);
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

/*
 * The items of a comma-separated list, in place: returns the next item
 * and moves *cursor past it, or NULL at the end. An item may be empty
 * ("0,,1", "0,1,", ",0" and "" have one): the caller refuses it.
 */
static char *
list_next(char **cursor)
{
	char *item = *cursor, *comma;

	if (item == NULL)
		return NULL;
	comma = strchr(item, ',');
	if (comma != NULL)
		*comma++ = '\0';
	*cursor = comma;
	return item;
}

/*
 * The options, one entry each: its name, how its value is read, the field
 * it goes to, its range and what the message says it accepts.
 */
struct parse_state {
	const char *prog;
	const char *arg;    /* the value as messages show it */
	bool size_given;    /* --xmem-size or --page-size */
	bool given[64];     /* by index in opts[]: the option was written */
};

struct opt;
typedef int opt_parse_fn(struct iol_config *cfg, struct parse_state *ps,
		const struct opt *o, const char *arg, char *err, size_t errlen);

struct opt {
	const char *name;
	opt_parse_fn *parse;
	bool flag;                  /* takes no value */
	size_t field, width;        /* where the value goes in struct iol_config */
	uint64_t lo, hi;            /* numbers: the range */
	double lo_s, hi_s;          /* seconds: the range (0 is always accepted) */
	bool hex;                   /* write the range in hex */
	const struct names *names;  /* names: the table */
	const char *what;           /* what the value is, in the message */
	const char *note;           /* appended to the message, or NULL */
};

/* Store @p v in the @p width-byte unsigned field (or enum) at @p off. */
static void
set_field(struct iol_config *cfg, size_t off, size_t width, uint64_t v)
{
	uint8_t *p = (uint8_t *)cfg + off;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (width) {
	case 1: *p = (uint8_t)v; break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

static int
opt_uint(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	const char *note = o->note != NULL ? o->note : "";
	uint64_t v;

	if (parse_uint(arg, o->lo, o->hi, &v) < 0)
		return o->hex ?
			iol_errf(err, errlen, "--%s: '%s' is not %s from 0x%" PRIx64 " to 0x%"
				PRIx64 "%s", o->name, ps->arg, o->what, o->lo, o->hi, note) :
			iol_errf(err, errlen, "--%s: '%s' is not %s from %" PRIu64 " to %"
				PRIu64 "%s", o->name, ps->arg, o->what, o->lo, o->hi, note);
	set_field(cfg, o->field, o->width, v);
	return 0;
}

static int
opt_iova_base(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	if (opt_uint(cfg, ps, o, arg, err, errlen) < 0)
		return -1;
	cfg->iova_base_set = true;
	return 0;
}

static int
opt_seconds(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	const char *note = o->note != NULL ? o->note : "";
	double v;

	if (parse_seconds(arg, &v) < 0 || (v != 0 && (v < o->lo_s || v > o->hi_s)))
		return iol_errf(err, errlen, "--%s: '%s' is not %s from %.10g to %.10g seconds, "
			"written N or N.N%s", o->name, ps->arg, o->what, o->lo_s, o->hi_s, note);
	memcpy((uint8_t *)cfg + o->field, &v, sizeof(v));
	return 0;
}

static int
opt_name(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	int v = name_find(o->names, arg);
	char list[64];

	if (v < 0)
		return iol_errf(err, errlen, "--%s: unknown %s '%s'; accepts %s", o->name,
			o->what, ps->arg, name_list(o->names, list, sizeof(list)));
	set_field(cfg, o->field, o->width, (uint64_t)v);
	return 0;
}

static int
opt_flag(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	*(bool *)((uint8_t *)cfg + o->field) = true;
	return 0;
}

static int
opt_help(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	iol_config_usage(stdout, ps->prog);
	return 1;
}

static int
opt_json(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	if (arg[0] == '\0')
		return iol_errf(err, errlen, "--json: needs a file name");
	cfg->json_path = arg;
	return 0;
}

static int
opt_probe_peer(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	char canon[IOL_PCI_ADDR_LEN];

	if (iol_pci_addr_canon(arg, canon) < 0)
		return iol_errf(err, errlen, "--probe-peer: '%s' is not a PCI address; accepts "
			IOL_PCI_ADDR_FORMS, ps->arg);
	cfg->probe_peer = arg;
	return 0;
}

static int
opt_xmem_size(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	if (iol_parse_size(arg, &cfg->xmem_size) < 0)
		return iol_errf(err, errlen, "--xmem-size: '%s' is not a size such as 64M "
			"or 1G (digits or 0x and hex digits, then k, M or G)", ps->arg);
	ps->size_given = true;
	return 0;
}

static int
opt_page_size(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	uint64_t v;

	if (iol_parse_size(arg, &v) < 0 || (v != PAGE_2M && v != PAGE_1G))
		return iol_errf(err, errlen, "--page-size: '%s' is not a hugepage size; "
			"accepts 2M or 1G", ps->arg);
	cfg->page_size = v;
	ps->size_given = true;
	return 0;
}

static int
opt_dma(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; arg[i] != '\0'; i++)
		if ((unsigned char)arg[i] <= 0x20 || (unsigned char)arg[i] >= 0x7f)
			break;
	if (i == 0 || arg[i] != '\0' || i > 63)
		return iol_errf(err, errlen, "--dma: '%s' is not an engine name; accepts 1 to "
			"63 printable characters: a dmadev name or id, or nic:BDF", ps->arg);
	cfg->dma = arg;
	return 0;
}

static int
ports_fail(const char *arg, const char *why, char *err, size_t errlen)
{
	return iol_errf(err, errlen, "--ports: '%s': %s; accepts distinct port ids from 0 "
		"to %d, comma-separated with no empty item, e.g. 0,1", arg, why,
		IOL_MAX_PORTS - 1);
}

static int
opt_ports(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	char buf[256], why[128], shown[96], *cursor = buf, *item;
	unsigned int i;
	uint64_t id;

	if (strlen(arg) >= sizeof(buf))
		return ports_fail(ps->arg, "too long", err, errlen);
	strcpy(buf, arg);
	cfg->n_ports = 0;
	while ((item = list_next(&cursor)) != NULL) {
		if (item[0] == '\0')
			return ports_fail(ps->arg, "an empty item", err, errlen);
		if (cfg->n_ports == IOL_MAX_PORTS)
			return ports_fail(ps->arg, "too many ports", err, errlen);
		if (parse_uint(item, 0, IOL_MAX_PORTS - 1, &id) < 0) {
			snprintf(why, sizeof(why), "'%s' is not a port id",
				show(item, shown, sizeof(shown)));
			return ports_fail(ps->arg, why, err, errlen);
		}
		for (i = 0; i < cfg->n_ports; i++)
			if (cfg->ports[i] == id) {
				snprintf(why, sizeof(why), "port %" PRIu64 " twice", id);
				return ports_fail(ps->arg, why, err, errlen);
			}
		cfg->ports[cfg->n_ports++] = (uint16_t)id;
	}
	return 0;
}

static int
faults_fail(const char *arg, const char *why, char *err, size_t errlen)
{
	char list[64];

	return iol_errf(err, errlen, "--test-fault: '%s': %s; accepts a list of KIND@N with "
		"KIND %s and N a frame number, comma-separated with no empty item, at "
		"most %d", arg, why, name_list(&fault_kinds, list, sizeof(list)),
		IOL_MAX_FAULTS);
}

static int
opt_faults(struct iol_config *cfg, struct parse_state *ps, const struct opt *o,
		const char *arg, char *err, size_t errlen)
{
	char buf[256], why[128], shown[96], *cursor = buf, *item, *at;
	uint64_t n;
	int k;

	if (strlen(arg) >= sizeof(buf))
		return faults_fail(ps->arg, "too long", err, errlen);
	strcpy(buf, arg);
	while ((item = list_next(&cursor)) != NULL) {
		if (item[0] == '\0')
			return faults_fail(ps->arg, "an empty item", err, errlen);
		if (cfg->n_faults == IOL_MAX_FAULTS)
			return faults_fail(ps->arg, "too many faults", err, errlen);
		at = strchr(item, '@');
		if (at == NULL) {
			snprintf(why, sizeof(why), "'%s' is not KIND@N",
				show(item, shown, sizeof(shown)));
			return faults_fail(ps->arg, why, err, errlen);
		}
		*at = '\0';
		k = name_find(&fault_kinds, item);
		if (k < 0) {
			snprintf(why, sizeof(why), "'%s' is not a kind",
				show(item, shown, sizeof(shown)));
			return faults_fail(ps->arg, why, err, errlen);
		}
		if (parse_uint(at + 1, 0, UINT64_MAX, &n) < 0) {
			snprintf(why, sizeof(why), "'%s' is not a frame number",
				show(at + 1, shown, sizeof(shown)));
			return faults_fail(ps->arg, why, err, errlen);
		}
		cfg->faults[cfg->n_faults].kind = (enum iol_fault_kind)k;
		cfg->faults[cfg->n_faults++].at = n;
	}
	return 0;
}

#define FIELD(f) offsetof(struct iol_config, f), sizeof(((struct iol_config *)NULL)->f)

static const struct opt opts[] = {
	{ .name = "mode", .parse = opt_name, .field = FIELD(mode), .names = &modes,
	  .what = "mode" },
	{ .name = "verify", .parse = opt_name, .field = FIELD(verify), .names = &verifies,
	  .what = "level" },
	{ .name = "inflight", .parse = opt_uint, .field = FIELD(inflight), .lo = 1,
	  .hi = 65536, .what = "a number of frames" },
	{ .name = "burst", .parse = opt_uint, .field = FIELD(burst), .lo = 1,
	  .hi = IOL_MAX_BURST, .what = "a burst size" },
	{ .name = "pkt-size", .parse = opt_uint, .field = FIELD(pkt_size),
	  .lo = IOL_STAMP_MIN_LEN, .hi = IOL_MAX_PKT_SIZE, .what = "a frame length",
	  .note = " (Ethernet and iovaloop headers to a jumbo frame)" },
	{ .name = "mbuf-size", .parse = opt_uint, .field = FIELD(mbuf_size),
	  .lo = IOL_STAMP_MIN_LEN, .hi = IOL_MAX_MBUF_SIZE, .what = "a number of bytes",
	  .note = " (the first segment holds the Ethernet and iovaloop headers; a "
		  "pool's data room is 16 bits)" },
	{ .name = "frame", .parse = opt_name, .field = FIELD(frame), .names = &frames,
	  .what = "frame encapsulation" },
	{ .name = "queues", .parse = opt_uint, .field = FIELD(queues), .lo = 1,
	  .hi = IOL_MAX_QUEUES, .what = "a queue count" },
	{ .name = "rxd", .parse = opt_uint, .field = FIELD(rxd), .lo = 16, .hi = 32768,
	  .what = "a descriptor count" },
	{ .name = "txd", .parse = opt_uint, .field = FIELD(txd), .lo = 16, .hi = 32768,
	  .what = "a descriptor count" },
	{ .name = "duration", .parse = opt_seconds, .field = FIELD(duration), .lo_s = 0,
	  .hi_s = 1e7, .what = "a run time", .note = " (0 runs until a signal)" },
	{ .name = "stats-period", .parse = opt_seconds, .field = FIELD(stats_period),
	  .lo_s = 0.1, .hi_s = 3600, .what = "0 or a period" },
	{ .name = "loss-timeout", .parse = opt_uint, .field = FIELD(loss_timeout_ms),
	  .lo = 1, .hi = 60000, .what = "a number of milliseconds" },
	{ .name = "link-timeout", .parse = opt_seconds, .field = FIELD(link_timeout),
	  .lo_s = 0, .hi_s = 600, .what = "a timeout" },
	{ .name = "json", .parse = opt_json },
	{ .name = "run-id", .parse = opt_uint, .field = FIELD(run_id), .lo = 1,
	  .hi = UINT32_MAX, .hex = true, .what = "a non-zero 32-bit number",
	  .note = " (e.g. 0x1234abcd)" },
	{ .name = "tx-rate", .parse = opt_uint, .field = FIELD(tx_rate), .lo = 1,
	  .hi = 1000000000, .what = "a number of frames per second" },
	{ .name = "ports", .parse = opt_ports },
	{ .name = "mem", .parse = opt_name, .field = FIELD(mem), .names = &mems,
	  .what = "memory" },
	{ .name = "xmem-size", .parse = opt_xmem_size },
	{ .name = "page-size", .parse = opt_page_size },
	{ .name = "iova-base", .parse = opt_iova_base, .field = FIELD(iova_base), .lo = 0,
	  .hi = UINT64_MAX, .hex = true, .what = "an address",
	  .note = " (e.g. 0x50200000)" },
	{ .name = "allow-noiommu", .parse = opt_flag, .flag = true,
	  .field = FIELD(allow_noiommu) },
	{ .name = "probe-peer", .parse = opt_probe_peer },
	{ .name = "test-no-dma-map", .parse = opt_flag, .flag = true,
	  .field = FIELD(test_no_dma_map) },
	{ .name = "test-fault", .parse = opt_faults },
	{ .name = "help", .parse = opt_help, .flag = true },
	/* The dma mode's own. */
	{ .name = "dma", .parse = opt_dma },
	{ .name = "copy-size", .parse = opt_uint, .field = FIELD(copy_size), .lo = 1,
	  .hi = IOL_MAX_COPY_SIZE, .what = "a copy size in bytes" },
};
_Static_assert(RTE_DIM(opts) <= RTE_DIM(((struct parse_state *)NULL)->given),
	"parse_state.given holds every option");

/* The dma mode's options, and the others' it refuses (they move frames). */
static const char *const dma_only[] = { "dma", "copy-size" };
static const char *const not_dma[] = {
	"verify", "frame", "pkt-size", "mbuf-size", "queues", "rxd", "txd", "ports", "link-timeout", "tx-rate",
	"test-fault", "test-no-dma-map", "allow-noiommu",
};

/* The first of @p names that was written, or NULL. */
static const char *
given_of(const struct parse_state *ps, const char *const *names, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(opts); i++)
		for (j = 0; ps->given[i] && j < n; j++)
			if (strcmp(opts[i].name, names[j]) == 0)
				return names[j];
	return NULL;
}

static bool
was_given(const struct parse_state *ps, const char *name)
{
	return given_of(ps, &name, 1) != NULL;
}

/* A dma run takes the dma options and the shared ones; no other mode takes the dma options. */
static int
check_dma(const struct iol_config *cfg, const struct parse_state *ps, char *err, size_t errlen)
{
	const char *o;

	if (cfg->mode == IOL_MODE_PROBE)
		return 0; /* check_probe() says what it takes */
	if (cfg->mode != IOL_MODE_DMA) {
		o = given_of(ps, dma_only, RTE_DIM(dma_only));
		return o == NULL ? 0 : iol_errf(err, errlen, "--%s: only with --mode dma%s", o,
			strcmp(o, "dma") == 0 ? " or probe" : "");
	}
	o = given_of(ps, not_dma, RTE_DIM(not_dma));
	if (o != NULL)
		return iol_errf(err, errlen, "--%s: not with --mode dma (an option of the frame "
			"modes loop, txonly and rxonly)%s", o, strcmp(o, "pkt-size") == 0 ?
			"; a copy's size is --copy-size" : "");
	if (cfg->dma == NULL)
		return iol_errf(err, errlen, "--mode dma: needs --dma DEV, a dmadev name or id "
			"(e.g. --vdev dma_skeleton and --dma dma_skeleton), or nic:BDF");
	return 0;
}

/* getopt_long returns 256 + the index of the option in opts[]. */
#define OPT_BASE 256

/* The loop pairs ports in order: one port loops to itself, otherwise pairs. */
static int
check_pairing(const struct iol_config *cfg, unsigned int n_ports, char *err, size_t errlen)
{
	if (cfg->mode == IOL_MODE_LOOP && n_ports > 1 && n_ports % 2 != 0)
		return iol_errf(err, errlen, "--ports: %u ports cannot be paired; loop mode "
			"accepts one port or an even number (paired in order)", n_ports);
	return 0;
}

/*
 * The test faults must apply exactly as documented, and be found: one
 * fault a frame; nothing at N+1 after a swap at N (frame N is sent right
 * after frame N+1, which would have to be sent, dropped or held at once);
 * a payload byte for corrupt; a mode that sends frames, and in the loop a
 * verification that reads frames. (corrupt with --verify header is
 * accepted: the fault applies, and header verification is expected not to
 * see it; test_loop asserts that.)
 */
static int
check_faults(const struct iol_config *cfg, char *err, size_t errlen)
{
	const struct iol_fault *f, *g;
	unsigned int i, j;

	if (cfg->n_faults == 0)
		return 0;
	if (cfg->mode == IOL_MODE_RXONLY)
		return iol_errf(err, errlen, "--test-fault: --mode rxonly sends no frame to "
			"apply a fault to; only with --mode loop or txonly");
	if (cfg->mode == IOL_MODE_LOOP && cfg->verify == IOL_VERIFY_NONE)
		return iol_errf(err, errlen, "--test-fault: --verify none reads no frame, so "
			"no fault would be found; accepts --verify header or full");
	for (i = 0; i < cfg->n_faults; i++) {
		f = &cfg->faults[i];
		if (f->kind == IOL_FAULT_CORRUPT &&
		    cfg->pkt_size <= iol_stamp_min_len(cfg->frame))
			return iol_errf(err, errlen, "--test-fault: corrupt@%" PRIu64 " flips a "
				"payload byte and a %u-byte %s frame has none; needs --pkt-size "
				"%u or more", f->at, cfg->pkt_size, iol_frame_name(cfg->frame),
				iol_stamp_min_len(cfg->frame) + 1);
		for (j = 0; j < cfg->n_faults; j++) {
			g = &cfg->faults[j];
			if (j > i && g->at == f->at)
				return iol_errf(err, errlen, "--test-fault: two faults at frame %"
					PRIu64 " (%s@%" PRIu64 ", %s@%" PRIu64 "); accepts one "
					"fault a frame", f->at, iol_fault_kind_name(f->kind),
					f->at, iol_fault_kind_name(g->kind), g->at);
			if (f->kind == IOL_FAULT_SWAP && f->at != UINT64_MAX &&
			    g->at == f->at + 1)
				return iol_errf(err, errlen, "--test-fault: swap@%" PRIu64 " sends "
					"frame %" PRIu64 " right after frame %" PRIu64 ", which "
					"cannot take a fault too (%s@%" PRIu64 "); accepts faults "
					"two frames or more after a swap", f->at, f->at, g->at,
					iol_fault_kind_name(g->kind), g->at);
		}
	}
	return 0;
}

/*
 * --frame and --pkt-size when not given: udp where RSS can spread frames
 * over queues, and frames one payload word longer than the headers.
 */
static int
settle_frame(struct iol_config *cfg, const struct parse_state *ps, char *err, size_t errlen)
{
	uint32_t min = iol_stamp_min_len(IOL_ENCAP_UDP);
	bool frame_given = was_given(ps, "frame");

	if (!frame_given)
		cfg->frame = cfg->queues > 1 ? IOL_ENCAP_UDP : IOL_ENCAP_RAW;
	if (!was_given(ps, "pkt-size"))
		cfg->pkt_size = (uint16_t)(iol_stamp_min_len(cfg->frame) + sizeof(uint64_t));
	if (cfg->frame == IOL_ENCAP_UDP && cfg->pkt_size < min)
		return iol_errf(err, errlen, "--pkt-size: %u is shorter than a UDP frame's "
			"headers (Ethernet, IPv4, UDP, iovaloop: %u bytes; --frame udp%s); "
			"accepts %u to %d, or --frame raw", cfg->pkt_size, min,
			frame_given ? "" : ", chosen for --queues above 1", min,
			IOL_MAX_PKT_SIZE);
	return 0;
}

/*
 * The probe drives a DMA engine, not ports: of the options it takes only
 * these (the memory options place its buffer), and needs --dma.
 */
static int
check_probe(const struct iol_config *cfg, const struct parse_state *ps, char *err,
		size_t errlen)
{
	static const char *const probe_opts[] = {
		"mode", "dma", "probe-peer", "json", "mem", "xmem-size", "page-size",
		"iova-base",
	};
	unsigned int i, k;

	if (cfg->mode != IOL_MODE_PROBE)
		return cfg->probe_peer == NULL ? 0 :
			iol_errf(err, errlen, "--probe-peer: only with --mode probe");
	for (i = 0; i < RTE_DIM(opts); i++) {
		if (!ps->given[i])
			continue;
		for (k = 0; k < RTE_DIM(probe_opts); k++)
			if (strcmp(opts[i].name, probe_opts[k]) == 0)
				break;
		if (k == RTE_DIM(probe_opts))
			return iol_errf(err, errlen, "--%s: not with --mode probe, which drives a "
				"DMA engine, not ports; it accepts --dma, --probe-peer, --json, "
				"--mem, --xmem-size, --page-size and --iova-base",
				opts[i].name);
	}
	if (cfg->dma == NULL)
		return iol_errf(err, errlen, "--mode probe: needs --dma ENGINE, the DMA engine "
			"to probe (nic:BDF, a NIC bound to vfio-pci)");
	return 0;
}

/* Checks that involve more than one option. */
static int
check_combination(struct iol_config *cfg, const struct parse_state *ps, char *err,
		size_t errlen)
{

	if (check_probe(cfg, ps, err, errlen) < 0 || check_dma(cfg, ps, err, errlen) < 0)
		return -1;
	if (!was_given(ps, "mbuf-size"))
		cfg->mbuf_size = (uint16_t)RTE_MAX(RTE_ALIGN_CEIL((unsigned int)cfg->pkt_size +
			IOL_MBUF_SLACK, IOL_MBUF_ALIGN), (unsigned int)IOL_DEFAULT_MBUF_SIZE);
	if (cfg->mbuf_size < iol_stamp_min_len(cfg->frame))
		return iol_errf(err, errlen, "--mbuf-size: %u bytes cannot hold a UDP frame's "
			"headers in its first segment (Ethernet, IPv4, UDP, iovaloop: %u bytes); "
			"accepts %u to %d, or --frame raw", cfg->mbuf_size,
			iol_stamp_min_len(cfg->frame), iol_stamp_min_len(cfg->frame),
			IOL_MAX_MBUF_SIZE);
	if (cfg->mode != IOL_MODE_DMA && cfg->inflight > cfg->rxd)
		return iol_errf(err, errlen, "--inflight: %u frames do not fit in %u RX "
			"descriptors (--rxd); accepts at most --rxd", cfg->inflight, cfg->rxd);
	if (cfg->burst > cfg->rxd || cfg->burst > cfg->txd)
		return iol_errf(err, errlen, "--burst: %u is more than a queue's descriptors "
			"(--rxd %u, --txd %u)", cfg->burst, cfg->rxd, cfg->txd);
	if (cfg->tx_rate > 0 && cfg->mode != IOL_MODE_TXONLY)
		return iol_errf(err, errlen, "--tx-rate: only with --mode txonly (the loop "
			"is paced by --inflight)");
	if (cfg->mode == IOL_MODE_RXONLY && cfg->verify == IOL_VERIFY_NONE)
		return iol_errf(err, errlen, "--verify: none reads no frame, so --mode rxonly "
			"could find no loss (it would report none lost); accepts header or "
			"full with rxonly");
	if (check_pairing(cfg, cfg->n_ports, err, errlen) < 0)
		return -1;
	if (check_faults(cfg, err, errlen) < 0)
		return -1;
	if (cfg->mem != IOL_MEM_XMEM) {
		if (cfg->iova_base_set)
			return iol_errf(err, errlen, "--iova-base: only with --mem xmem");
		if (cfg->test_no_dma_map)
			return iol_errf(err, errlen, "--test-no-dma-map: only with --mem xmem");
		if (ps->size_given)
			return iol_errf(err, errlen, "--xmem-size/--page-size: only with --mem xmem");
		return 0;
	}
	if (cfg->xmem_size % cfg->page_size != 0)
		return iol_errf(err, errlen, "--xmem-size: %" PRIu64 " bytes is not a multiple "
			"of the %" PRIu64 " MiB page size", cfg->xmem_size, cfg->page_size >> 20);
	/*
	 * VFIO maps at the IOMMU's smallest page, never below 4 KiB: that is
	 * all that can be refused before the devices are known, whatever the
	 * hugepage size. xmem checks the IOMMU's own smallest page
	 * (VFIO_IOMMU_GET_INFO) before mapping anything.
	 */
	enum { IOL_IOVA_MIN_ALIGN = 4096 };
	if (cfg->iova_base_set && cfg->iova_base % IOL_IOVA_MIN_ALIGN != 0)
		return iol_errf(err, errlen, "--iova-base: 0x%" PRIx64 " is not aligned to "
			"4 KiB, the smallest IOMMU page (the next aligned base is 0x%" PRIx64
			")", cfg->iova_base, (cfg->iova_base | (IOL_IOVA_MIN_ALIGN - 1)) + 1);
	if (cfg->iova_base_set && cfg->iova_base + cfg->xmem_size < cfg->iova_base)
		return iol_errf(err, errlen, "--iova-base: 0x%" PRIx64 " + --xmem-size wraps "
			"past 2^64", cfg->iova_base);
	return 0;
}

/*
 * getopt_long's complaint about @p word (the argument it was reading) as
 * one line naming the option as it was written: '?' is an unknown option,
 * an ambiguous abbreviation, or a value given to a flag (@p known: the
 * option was recognised).
 */
static int
bad_option(int c, const char *word, bool known, char *err, size_t errlen)
{
	const char *eq = strchr(word, '=');
	int len = eq != NULL ? (int)(eq - word) : (int)strlen(word);
	unsigned int i, n = 0;

	if (c == ':')
		return iol_errf(err, errlen, "%s: needs a value", word);
	if (strncmp(word, "--", 2) != 0)
		return iol_errf(err, errlen, "%s: unknown option; see --help", word);
	if (known && eq != NULL)
		return iol_errf(err, errlen, "%.*s: takes no value", len, word);
	for (i = 0; i < RTE_DIM(opts); i++)
		if (len > 2 && strncmp(opts[i].name, word + 2, (size_t)len - 2) == 0)
			n++;
	if (n > 1)
		return iol_errf(err, errlen, "%.*s: ambiguous abbreviation; see --help", len, word);
	return iol_errf(err, errlen, "%.*s: unknown option; see --help", len, word);
}

int
iol_config_parse(struct iol_config *cfg, int argc, char **argv,
		char *err, size_t errlen)
{
	struct option long_options[RTE_DIM(opts) + 1];
	struct parse_state ps = { .prog = argv[0] };
	char shown[96];
	const struct opt *o;
	unsigned int i;
	int opt, word, ret;

	for (i = 0; i < RTE_DIM(opts); i++)
		long_options[i] = (struct option){ opts[i].name,
			opts[i].flag ? no_argument : required_argument, NULL, OPT_BASE + (int)i };
	memset(&long_options[i], 0, sizeof(long_options[i]));

	iol_config_defaults(cfg);
	/*
	 * glibc: optind 0 starts afresh (the EAL used getopt too); "+" stops at
	 * the first non-option, so that argv[word] is always the argument
	 * getopt_long reads: iovaloop has no short option, so "-xy" is one
	 * unknown option, not -x then -y.
	 */
	optind = 0;
	opterr = 0;
	for (;;) {
		word = optind > 0 ? optind : 1;
		opt = getopt_long(argc, argv, "+:", long_options, NULL);
		if (opt == -1)
			break;
		if (opt < OPT_BASE || opt >= OPT_BASE + (int)RTE_DIM(opts))
			return bad_option(opt, show(argv[word], shown, sizeof(shown)),
				optopt >= OPT_BASE, err, errlen);
		o = &opts[opt - OPT_BASE];
		ps.given[opt - OPT_BASE] = true;
		ps.arg = optarg != NULL ? show(optarg, shown, sizeof(shown)) : "";
		ret = o->parse(cfg, &ps, o, optarg, err, errlen);
		if (ret != 0)
			return ret;
	}
	if (optind < argc)
		return iol_errf(err, errlen, "'%s': unexpected argument; options start "
			"with -- (see --help)", show(argv[optind], shown, sizeof(shown)));
	if (settle_frame(cfg, &ps, err, errlen) < 0)
		return -1;
	return check_combination(cfg, &ps, err, errlen);
}

/*
 * A frame longer than an mbuf is a chain: the device must send chains
 * (loop, txonly), receive a frame over several buffers (loop, rxonly),
 * and take that many segments.
 */
static int
check_segments(const struct iol_config *cfg, const struct iol_port_caps *c,
		unsigned int i, char *err, size_t errlen)
{
	unsigned int segs = iol_config_segs(cfg);
	unsigned int fit = (cfg->pkt_size + c->max_segs - 1) / RTE_MAX(c->max_segs, (uint16_t)1);
	bool sends = cfg->mode != IOL_MODE_RXONLY, receives = cfg->mode != IOL_MODE_TXONLY;
	const char *lacks = sends && !c->tx_multi_segs ? "send multi-segment frames "
		"(RTE_ETH_TX_OFFLOAD_MULTI_SEGS)" : receives && !c->rx_scatter ? "receive a "
		"frame over several buffers (RTE_ETH_RX_OFFLOAD_SCATTER)" : NULL;

	if (segs == 1)
		return 0;
	if (lacks != NULL)
		return iol_errf(err, errlen, "--mbuf-size: a %u-byte frame in %u-byte mbufs "
			"spans %u segments and port %u cannot %s; accepts --mbuf-size %u or "
			"more on it", cfg->pkt_size, cfg->mbuf_size, segs, i, lacks,
			cfg->pkt_size);
	if (segs > c->max_segs)
		return iol_errf(err, errlen, "--mbuf-size: a %u-byte frame in %u-byte mbufs "
			"spans %u segments, more than the %u port %u takes a frame; accepts "
			"--mbuf-size %u or more on it", cfg->pkt_size, cfg->mbuf_size, segs,
			c->max_segs, i, RTE_MAX(fit, (unsigned int)IOL_STAMP_MIN_LEN));
	return 0;
}

int
iol_config_check_ports(const struct iol_config *cfg,
		const struct iol_port_caps *caps, unsigned int n_ports,
		char *err, size_t errlen)
{
	unsigned int i;

	if (n_ports == 0)
		return iol_errf(err, errlen, "no port to run on: give devices with -a BDF "
			"(bound to vfio-pci) or none at all for the virtual pair");
	if (check_pairing(cfg, n_ports, err, errlen) < 0)
		return -1;
	for (i = 0; i < n_ports; i++) {
		const struct iol_port_caps *c = &caps[i];

		if (cfg->queues > c->max_rx_queues || cfg->queues > c->max_tx_queues)
			return iol_errf(err, errlen, "--queues: %u is more than port %u "
				"has (%u RX, %u TX); accepts 1 to %u", cfg->queues, i,
				c->max_rx_queues, c->max_tx_queues,
				RTE_MIN(c->max_rx_queues, c->max_tx_queues));
		if (cfg->queues > 1 && !c->is_virtual && c->rss_offloads == 0)
			return iol_errf(err, errlen, "--queues: port %u has no RSS to steer "
				"frames over %u queues; accepts --queues 1", i, cfg->queues);
		if (cfg->queues > 1 && !c->is_virtual && cfg->frame == IOL_ENCAP_RAW)
			return iol_errf(err, errlen, "--frame raw: RSS cannot spread raw frames "
				"over port %u's %u queues; accepts --frame udp with --queues "
				"above 1 on a NIC", i, cfg->queues);
		if (cfg->pkt_size > c->max_frame)
			return iol_errf(err, errlen, "--pkt-size: %u is over port %u's "
				"largest frame, %u bytes (max MTU %u, max RX length %" PRIu32
				" with FCS); accepts %zu to %u on it", cfg->pkt_size, i,
				c->max_frame, c->max_mtu, c->max_rx_pktlen, IOL_STAMP_MIN_LEN,
				c->max_frame);
		if (check_segments(cfg, c, i, err, errlen) < 0)
			return -1;
		if (cfg->rxd > c->rx_desc_max || cfg->rxd < c->rx_desc_min)
			return iol_errf(err, errlen, "--rxd: port %u accepts %u to %u "
				"descriptors", i, c->rx_desc_min, c->rx_desc_max);
		if (cfg->txd > c->tx_desc_max || cfg->txd < c->tx_desc_min)
			return iol_errf(err, errlen, "--txd: port %u accepts %u to %u "
				"descriptors", i, c->tx_desc_min, c->tx_desc_max);
	}
	return 0;
}
