/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iovaloop: a verified poll-mode DMA loop.
 *
 *   iovaloop [EAL options] -- [options]
 *
 * Options are checked before anything is touched; devices given with -a
 * are checked by the doctor of iovaloop-info before the EAL probes them;
 * then iol_run() does the run. Exit status: 0 every frame verified,
 * 1 verification errors, 2 bad usage, 3 set-up refused.
 *
 * Nothing is left behind: the EAL runs --in-memory (no hugepage files) with
 * a file prefix of its own unless the user chose how files are shared, and
 * the runtime directory the EAL made is removed at exit when empty.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "iol_config.h"
#include "iol_dmarun.h"
#include "iol_iommu.h"
#include "iol_loop.h"
#include "iol_probe.h"

#define MAX_DEVICES 32

static void
on_signal(int sig)
{
	(void)sig;
	iol_run_request_stop();
	iol_dmarun_request_stop();
}

/* PCI addresses the EAL will probe (-a/--allow), in the long form sysfs uses. */
static unsigned int
allowed_devices(int argc, char **argv, char names[][32], unsigned int max)
{
	char addr[IOL_PCI_ADDR_LEN];
	const char *val;
	unsigned int n = 0;
	size_t len;
	int i;

	for (i = 1; i < argc && n < max; i++) {
		if ((strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--allow") == 0) &&
		    i + 1 < argc)
			val = argv[++i];
		else if (strncmp(argv[i], "--allow=", 8) == 0)
			val = argv[i] + 8;
		else if (strncmp(argv[i], "-a", 2) == 0 && argv[i][2] != '\0')
			val = argv[i] + 2;
		else
			continue;
		/* The address before any ",param=x"; anything else (a vdev)
		 * is not a PCI address and not the doctor's to check.
		 */
		len = strcspn(val, ",");
		if (len >= sizeof(addr))
			continue;
		memcpy(addr, val, len);
		addr[len] = '\0';
		if (iol_pci_addr_canon(addr, names[n]) == 0)
			n++;
	}
	return n;
}

/* True when @p arg is the EAL option @p name, alone or as name=value. */
static bool
is_option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The value of the last --file-prefix among the EAL arguments, or NULL. */
static const char *
file_prefix(int argc, char **argv)
{
	const char *v = NULL;
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			v = argv[i] + 14;
	return v;
}

/*
 * The EAL arguments iovaloop runs with, so that nothing is left in
 * /dev/hugepages or /var/run/dpdk: the user's, after
 * - nothing if the user chose how files are shared (--in-memory,
 *   --huge-unlink or --proc-type);
 * - else --no-shconf with --no-huge, and --no-shconf --huge-unlink with
 *   --legacy-mem (the EAL refuses --in-memory with either);
 * - else --in-memory;
 * and, when no file is shared and no --file-prefix given, a prefix of
 * this process's own, so that its runtime directory is no other
 * process's. The user's arguments come last: theirs win.
 * Returns the number of arguments in @p out (room for argc + 4).
 */
static int
eal_arguments(int argc, char **argv, char **out, char *prefix_arg, size_t len)
{
	static char in_memory[] = "--in-memory", no_shconf[] = "--no-shconf",
		huge_unlink[] = "--huge-unlink=always";
	bool chosen = false, in_mem = false, no_huge = false, legacy = false;
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		in_mem = in_mem || is_option(argv[i], "--in-memory");
		chosen = chosen || is_option(argv[i], "--in-memory") ||
			is_option(argv[i], "--huge-unlink") || is_option(argv[i], "--proc-type");
		no_huge = no_huge || is_option(argv[i], "--no-huge");
		legacy = legacy || is_option(argv[i], "--legacy-mem");
	}
	out[n++] = argv[0];
	if (!chosen && (no_huge || legacy)) {
		out[n++] = no_shconf;
		if (!no_huge)
			out[n++] = huge_unlink;
	} else if (!chosen) {
		out[n++] = in_memory;
	}
	if ((in_mem || !chosen) && file_prefix(argc, argv) == NULL) {
		snprintf(prefix_arg, len, "--file-prefix=iovaloop-%ld", (long)getpid());
		out[n++] = prefix_arg;
	}
	for (i = 1; i < argc; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	return n;
}

/* The runtime directory the EAL will make, when it does not exist yet. */
static char made_runtime_dir[PATH_MAX];

/*
 * Where DPDK 22.11's eal_create_runtime_dir() puts it: /var/run as root,
 * else $XDG_RUNTIME_DIR or /tmp, then dpdk/PREFIX. Remembered only if it
 * does not exist now; checked against rte_eal_get_runtime_dir() before
 * removal, so a wrong guess removes nothing.
 */
static void
note_runtime_dir(const char *prefix)
{
	const char *base = "/var/run", *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char path[PATH_MAX];
	int len;

	if (getuid() != 0)
		base = xdg != NULL ? xdg : "/tmp";
	len = snprintf(path, sizeof(path), "%s/dpdk/%s", base, prefix != NULL ? prefix : "rte");
	if (len < 0 || (size_t)len >= sizeof(path))
		return;
	if (stat(path, &st) < 0 && errno == ENOENT)
		memcpy(made_runtime_dir, path, (size_t)len + 1);
}

/*
 * At exit, after the EAL's own exit handlers (registered later, run
 * earlier) removed their sockets: the runtime directory this process's
 * EAL made, if it is empty. rmdir() only: never anyone's files.
 */
static void
remove_runtime_dir(void)
{
	const char *dir = rte_eal_get_runtime_dir();

	if (made_runtime_dir[0] != '\0' && dir != NULL && strcmp(dir, made_runtime_dir) == 0)
		rmdir(made_runtime_dir);
}

/*
 * The doctor's checks for the devices, as iovaloop-info --check runs them.
 * Returns the narrowest IOMMU address width of the devices (0 unknown),
 * or -1 when a check failed.
 */
static int
preflight(const struct iol_config *cfg, char names[][32], unsigned int n)
{
	const char *devs[MAX_DEVICES];
	struct iol_iova_range range;
	struct iol_doctor_plan plan;
	struct iol_doctor_report *rep;
	struct iol_topology *topo;
	unsigned int i, width;
	int ret;

	topo = iol_topology_read(NULL);
	if (topo == NULL) {
		fprintf(stderr, "iovaloop: out of memory reading the IOMMU topology\n");
		return -1;
	}
	for (i = 0; i < n; i++)
		devs[i] = names[i];
	iol_run_plan(cfg, devs, n, &plan, &range);
	rep = iol_doctor_run(topo, &plan);
	if (rep == NULL) {
		iol_topology_free(topo);
		fprintf(stderr, "iovaloop: out of memory running the checks\n");
		return -1;
	}
	printf("Pre-flight checks of the devices (iovaloop-info --check):\n");
	iol_doctor_report_print(rep, stdout);
	/* Before the EAL and the run log to stderr: keep the order on a terminal or a file. */
	fflush(stdout);
	ret = rep->n_fail > 0 ? -1 : 0;
	if (ret < 0)
		fprintf(stderr, "iovaloop: %u check(s) failed: nothing was touched; "
			"fix them and run again\n", rep->n_fail);
	/* The DMA mask the audit checks against: the doctor's own rule. */
	width = iol_doctor_dma_width(topo, devs, n);
	iol_doctor_report_free(rep);
	iol_topology_free(topo);
	return ret < 0 ? -1 : (int)width;
}

int
main(int argc, char **argv)
{
	char *app_argv[argc + 1], *eal_argv[argc + 4], err[256], devices[MAX_DEVICES][32];
	char prefix_arg[64];
	struct iol_run_env env = { .version = IOL_VERSION };
	struct iol_run_result res;
	struct iol_dmarun_result dres;
	struct iol_config cfg;
	int eal_argc = argc, app_argc = 1, n_eal, i, ret, width;
	unsigned int n_devices;
	enum iol_exit code;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			break;
		}
	app_argv[0] = argv[0];
	for (i = eal_argc + 1; i < argc; i++)
		app_argv[app_argc++] = argv[i];
	app_argv[app_argc] = NULL;

	ret = iol_config_parse(&cfg, app_argc, app_argv, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "iovaloop: %s\n", err);
		return IOL_EXIT_USAGE;
	}
	if (ret > 0)
		return 0;

	n_devices = allowed_devices(eal_argc, argv, devices, MAX_DEVICES);
	if (n_devices > 0) {
		width = preflight(&cfg, devices, n_devices);
		if (width < 0)
			return IOL_EXIT_SETUP;
		env.dma_mask_bits = (unsigned int)width;
	}

	n_eal = eal_arguments(eal_argc, argv, eal_argv, prefix_arg, sizeof(prefix_arg));
	note_runtime_dir(file_prefix(n_eal, eal_argv));
	/* Before rte_eal_init(): exit handlers run in reverse, so this one last. */
	atexit(remove_runtime_dir);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rte_eal_init(n_eal, eal_argv) < 0) {
		fprintf(stderr, "iovaloop: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return IOL_EXIT_SETUP;
	}
	if (cfg.mode == IOL_MODE_PROBE)
		code = (enum iol_exit)iol_probe_run(&cfg, &(struct iol_probe_env){ 0 });
	else
		code = cfg.mode == IOL_MODE_DMA ? iol_dmarun(&cfg, &env, &dres) :
			iol_run(&cfg, &env, &res);
	rte_eal_cleanup();
	return code;
}
