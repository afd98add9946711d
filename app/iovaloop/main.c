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
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "iol_config.h"
#include "iol_iommu.h"
#include "iol_loop.h"

#define MAX_DEVICES 32

static void
on_signal(int sig)
{
	(void)sig;
	iol_run_request_stop();
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
	const struct iol_device *d;
	unsigned int i, u, width = 0;
	uint64_t pool_bytes;
	int ret;

	topo = iol_topology_read(NULL);
	if (topo == NULL) {
		fprintf(stderr, "iovaloop: out of memory reading the IOMMU topology\n");
		return -1;
	}
	for (i = 0; i < n; i++)
		devs[i] = names[i];
	pool_bytes = (uint64_t)iol_run_mbufs(cfg, n) *
		(RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf) + RTE_CACHE_LINE_SIZE);
	iol_doctor_plan_init(&plan);
	plan.devices = devs;
	plan.n_devices = n;
	plan.pin_bytes = pool_bytes + (cfg->mem == IOL_MEM_XMEM ? cfg->xmem_size : 0);
	plan.hugepage_size = cfg->mem == IOL_MEM_XMEM ? cfg->page_size : 0;
	plan.hugepage_bytes = plan.pin_bytes;
	/* DPDK maps each of its hugepages on its own; xmem maps in one piece. */
	plan.mappings = pool_bytes / (2u << 20) + 1 + (cfg->mem == IOL_MEM_XMEM);
	plan.allow_noiommu = cfg->allow_noiommu;
	if (cfg->mem == IOL_MEM_XMEM && cfg->iova_base_set) {
		range.start = cfg->iova_base;
		range.end = cfg->iova_base + cfg->xmem_size - 1;
		plan.iova = &range;
		plan.n_iova = 1;
	}
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
	for (i = 0; i < n && ret == 0; i++) {
		d = iol_topology_device(topo, names[i]);
		for (u = 0; d != NULL && u < topo->n_units; u++)
			if (strcmp(topo->units[u].name, d->iommu) == 0 &&
			    topo->units[u].addr_width > 0 &&
			    (width == 0 || topo->units[u].addr_width < width))
				width = topo->units[u].addr_width;
	}
	iol_doctor_report_free(rep);
	iol_topology_free(topo);
	return ret < 0 ? -1 : (int)width;
}

int
main(int argc, char **argv)
{
	char *app_argv[argc + 1], err[256], devices[MAX_DEVICES][32];
	struct iol_run_env env = { .version = IOL_VERSION };
	struct iol_run_result res;
	struct iol_config cfg;
	int eal_argc = argc, app_argc = 1, i, ret, width;
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

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rte_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, "iovaloop: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return IOL_EXIT_SETUP;
	}
	code = iol_run(&cfg, &env, &res);
	rte_eal_cleanup();
	return code;
}
