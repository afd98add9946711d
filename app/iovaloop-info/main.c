/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iovaloop-info: IOMMU groups, reserved regions and host state for
 * userspace DMA, and a doctor that says why VFIO would refuse a device.
 * It only reads files, so it runs anywhere, without the EAL.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iol_iommu.h"
#include "iol_json.h"
#include "iol_units.h"

#define MAX_IOVA 64

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: iovaloop-info [--root DIR] [--device BDF] [--json]\n"
		"       iovaloop-info [--root DIR] [--json] --check [BDF...]\n"
		"           [--pin-bytes N] [--mappings N] [--hugepage-size SIZE]\n"
		"           [--iova START-END]... [--allow-noiommu]\n"
		"  --root DIR         read sys/, proc/, dev/ below DIR (default /)\n"
		"  --device BDF       list only this device and its IOMMU group\n"
		"  --json             write JSON (see doc/iovaloop-info.md)\n"
		"  --check [BDF...]   check the prerequisites of VFIO for these\n"
		"                     devices (none: host checks only); exit 1 on FAIL\n"
		"  --pin-bytes N      memory the run pins (suffix k, M, G allowed)\n"
		"  --mappings N       DMA mappings the run needs\n"
		"  --hugepage-size S  hugepage size used (default: the host default)\n"
		"  --iova START-END   a planned IOVA range (hex or decimal), repeatable\n"
		"  --allow-noiommu    accept vfio's unsafe noiommu mode\n"
		"  --help             this text\n");
}

static int
parse_range(const char *s, struct iol_iova_range *r)
{
	char buf[64], *dash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash == NULL)
		return -1;
	*dash = '\0';
	if (iol_parse_scaled(buf, &r->start) < 0 || iol_parse_scaled(dash + 1, &r->end) < 0 ||
	    r->start > r->end)
		return -1;
	return 0;
}

static int
bad_option(const char *opt, const char *accepts)
{
	fprintf(stderr, "iovaloop-info: %s accepts %s (see --help)\n", opt, accepts);
	return 2;
}

/*
 * getopt_long's complaint about argv[optind - 1], as one line: @p c is
 * ':' for a missing value, '?' for an unknown option or a value given
 * to an option that takes none (@p optopt_ is then that option's val in
 * @p opts, which names it in full even when abbreviated: --allow=1).
 */
static int
getopt_error(int c, const char *word, int optopt_, const struct option *opts)
{
	const char *eq = strchr(word, '=');
	const struct option *o;

	if (c == ':') {
		fprintf(stderr, "iovaloop-info: %s needs a value (see --help)\n",
			word);
		return 2;
	}
	if (strncmp(word, "--", 2) != 0 && optopt_ != 0) {
		fprintf(stderr, "iovaloop-info: unknown option -%c (see --help)\n",
			optopt_);
		return 2;
	}
	for (o = opts; eq != NULL && optopt_ != 0 && o->name != NULL; o++) {
		if (o->val == optopt_) {
			/* The wording iovaloop's own option parser uses. */
			fprintf(stderr, "iovaloop-info: --%s: takes no value "
				"(see --help)\n", o->name);
			return 2;
		}
	}
	fprintf(stderr, "iovaloop-info: unknown option %.*s (see --help)\n",
		eq != NULL ? (int)(eq - word) : (int)strlen(word), word);
	return 2;
}

/* Hugepage sizes are powers of two of at least a 4 KiB page. */
static bool
valid_page_size(uint64_t v)
{
	return v >= 4096 && (v & (v - 1)) == 0;
}

/* One line naming a BDF that is no PCI address, and what is accepted. */
static int
bad_address(const char *what, const char *bdf)
{
	fprintf(stderr, "iovaloop-info: %s: '%s' is not a PCI address: give "
		IOL_PCI_ADDR_FORMS "\n", what, bdf);
	return 2;
}

static void
print_warnings(const struct iol_topology *t)
{
	unsigned int i;

	for (i = 0; i < t->n_warnings; i++)
		fprintf(stderr, "iovaloop-info: warning: %s\n", t->warnings[i]);
}

/* What the command line asks for. */
struct args {
	const char *root;
	const char *device;        /* --device, canonical (device_addr) */
	char device_addr[IOL_PCI_ADDR_LEN];
	bool json, check;
	bool plan_opt;             /* an option that only --check takes */
	struct iol_doctor_plan plan;
	struct iol_iova_range iova[MAX_IOVA];
	char (*addrs)[IOL_PCI_ADDR_LEN]; /* the --check devices, canonical */
	const char **names;        /* pointers to them, for the plan */
};

/* An option of the doctor's plan; 0, or 2 after naming what is wrong. */
static int
plan_option(int c, const char *val, struct args *a)
{
	struct iol_doctor_plan *plan = &a->plan;

	a->plan_opt = true;
	switch (c) {
	case 'p':
		if (iol_parse_scaled(val, &plan->pin_bytes) < 0)
			return bad_option("--pin-bytes", "a byte count, e.g. "
				"1073741824 or 1G");
		return 0;
	case 'm':
		if (iol_parse_scaled(val, &plan->mappings) < 0)
			return bad_option("--mappings", "a count, e.g. 1024");
		return 0;
	case 's':
		if (iol_parse_scaled(val, &plan->hugepage_size) < 0 ||
		    !valid_page_size(plan->hugepage_size))
			return bad_option("--hugepage-size", "a power of two "
				"of at least 4096 bytes, e.g. 2M or 1G");
		return 0;
	case 'i':
		if (plan->n_iova == MAX_IOVA)
			return bad_option("--iova", "at most 64 ranges");
		if (parse_range(val, &a->iova[plan->n_iova]) < 0)
			return bad_option("--iova", "START-END with START <= "
				"END, e.g. 0x100000000-0x13fffffff");
		plan->n_iova++;
		return 0;
	default: /* 'n' */
		plan->allow_noiommu = true;
		return 0;
	}
}

/* The options; -1 to go on, else the exit status (--help: 0). */
static int
parse_options(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "pin-bytes", required_argument, NULL, 'p' },
		{ "mappings", required_argument, NULL, 'm' },
		{ "hugepage-size", required_argument, NULL, 's' },
		{ "iova", required_argument, NULL, 'i' },
		{ "allow-noiommu", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	opterr = 0;
	/* The leading ':' tells a missing value (':') from an unknown
	 * option ('?').
	 */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a->root = optarg; break;
		case 'd': a->device = optarg; break;
		case 'j': a->json = true; break;
		case 'c': a->check = true; break;
		case 'p': case 'm': case 's': case 'i': case 'n':
			ret = plan_option(c, optarg, a);
			if (ret != 0)
				return ret;
			break;
		case 'h': usage(stdout); return 0;
		default:
			return getopt_error(c, argv[optind - 1], optopt, opts);
		}
	}
	return -1;
}

/*
 * The options together, and the device addresses in the form sysfs names
 * them (00:03.0 is 0000:00:03.0, as for iovaloop's -a); -1 to go on, else
 * the exit status.
 */
static int
check_args(int argc, char **argv, struct args *a)
{
	unsigned int i, n = argc - optind;

	if (!a->check && optind < argc) {
		fprintf(stderr, "iovaloop-info: unexpected argument %s: device "
			"addresses follow --check\n", argv[optind]);
		return 2;
	}
	if (!a->check && a->plan_opt)
		return bad_option("--pin-bytes, --mappings, --hugepage-size, "
			"--iova and --allow-noiommu", "only a --check run");
	if (a->check && a->device != NULL)
		return bad_option("--device", "no --check: list the devices after "
			"--check instead");
	if (a->device != NULL) {
		if (iol_pci_addr_canon(a->device, a->device_addr) < 0)
			return bad_address("--device", a->device);
		a->device = a->device_addr;
	}
	if (n == 0)
		return -1;
	a->addrs = calloc(n, sizeof(*a->addrs));
	a->names = calloc(n, sizeof(*a->names));
	if (a->addrs == NULL || a->names == NULL) {
		fprintf(stderr, "iovaloop-info: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (iol_pci_addr_canon(argv[optind + i], a->addrs[i]) < 0)
			return bad_address("--check", argv[optind + i]);
		a->names[i] = a->addrs[i];
	}
	a->plan.devices = a->names;
	a->plan.n_devices = n;
	return -1;
}

/* --check: the doctor's report; 1 when a check FAILs. */
static int
run_check(const struct iol_topology *t, struct args *a)
{
	struct iol_doctor_report *rep;
	struct iol_json j;
	int ret = 0;

	a->plan.iova = a->iova;
	/* The hugepages must hold what is pinned. */
	a->plan.hugepage_bytes = a->plan.pin_bytes;
	rep = iol_doctor_run(t, &a->plan);
	if (rep == NULL) {
		fprintf(stderr, "iovaloop-info: out of memory\n");
		return 1;
	}
	if (a->json) {
		iol_json_init(&j, stdout);
		iol_doctor_report_json(rep, &j);
		if (iol_json_finish(&j) < 0)
			ret = 1;
		putchar('\n');
	} else {
		iol_doctor_report_print(rep, stdout);
	}
	if (rep->n_fail > 0)
		ret = 1;
	iol_doctor_report_free(rep);
	return ret;
}

/* The listing, text or JSON; 1 when --device names no device. */
static int
run_listing(const struct iol_topology *t, const struct args *a)
{
	struct iol_json j;
	int ret = 0;

	if (a->json) {
		iol_json_init(&j, stdout);
		ret = iol_topology_json(t, &j, a->device);
		if (ret == 0) {
			if (iol_json_finish(&j) < 0)
				ret = 1;
			putchar('\n');
		}
	} else {
		ret = iol_topology_print(t, stdout, a->device);
	}
	if (ret < 0) {
		/* Nothing was written: it goes where errors go. */
		fprintf(stderr, "iovaloop-info: device %s not found under %s\n",
			a->device, t->root);
		ret = 1;
	}
	return ret;
}

int
main(int argc, char **argv)
{
	struct args a = { .root = "/" };
	struct iol_topology *t;
	int ret;

	iol_doctor_plan_init(&a.plan);
	ret = parse_options(argc, argv, &a);
	if (ret < 0)
		ret = check_args(argc, argv, &a);
	if (ret >= 0)
		goto out;
	t = iol_topology_read(a.root);
	if (t == NULL) {
		fprintf(stderr, "iovaloop-info: out of memory\n");
		ret = 1;
		goto out;
	}
	print_warnings(t);
	ret = a.check ? run_check(t, &a) : run_listing(t, &a);
	iol_topology_free(t);
out:
	free(a.names);
	free(a.addrs);
	return ret;
}
